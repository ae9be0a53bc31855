//! Profile changes on the command line: built-in profiles found without the checkout,
//! `--add PROCESSOR[@POSITION]` validated like a profile, `--disable`, and the aliases
//! `--many-faces`, `--mouth-mask`, `--enhance MODEL`.

use super::{liveswap, liveswap_in, media, s, text};
use crate::swap::models;
use liveswap_tests::onnx::Dim;
use liveswap_tests::temp_dir;

#[test]
fn the_default_profile_ships_with_the_binary() {
    let dir = temp_dir("edits-builtin");
    let (src, tgt) = (media("astronaut.png"), media("grace_hopper.jpg"));
    // Outside the checkout, with no --profile: the built-in default.
    let o = liveswap_in(
        Some(&dir),
        &["run", "-s", s(&src), "-t", s(&tgt), "-o", "a.png"],
        &[],
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("processors: content_guard → face_analyser → face_morpher"),
        "{out}"
    );
    assert!(dir.join("a.png").is_file());
    // By name, and as the checkout path that does not exist here.
    for p in ["default-mouth", "profiles/default-mouth.toml"] {
        let out_name = format!("{}.png", p.replace('/', "_"));
        let o = liveswap_in(
            Some(&dir),
            &[
                "run",
                "-p",
                p,
                "-s",
                s(&src),
                "-t",
                s(&tgt),
                "-o",
                &out_name,
            ],
            &[],
        );
        let (out, err) = text(&o);
        assert!(o.status.success(), "{p}: {err}");
        assert!(out.contains("face_morpher → mouth_mask"), "{p}: {out}");
    }
    let o = liveswap_in(
        Some(&dir),
        &[
            "run",
            "-p",
            "nosuch",
            "-s",
            s(&src),
            "-t",
            s(&tgt),
            "-o",
            "b.png",
        ],
        &[],
    );
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err.contains("nosuch") && err.contains("built in: default"),
        "{err}"
    );
}

#[test]
fn add_mouth_mask_to_the_inswapper_profile_is_validated_and_runs() {
    let dir = temp_dir("edits-add");
    let (src, tgt) = (media("astronaut.png"), media("grace_hopper.jpg"));
    let out = dir.join("o.png");
    // inswapper.toml computes no landmarks, which the mouth mask needs: refused before any
    // model loads, saying what is missing.
    let o = liveswap(&[
        "run",
        "-p",
        "profiles/inswapper.toml",
        "--add",
        "mouth_mask",
        "-s",
        s(&src),
        "-t",
        s(&tgt),
        "-o",
        s(&out),
    ]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("mouth_mask") && err.contains("landmarks"),
        "{err}"
    );
    assert!(!out.exists());

    // With landmarks on, it runs (the small models stand in for det_10g / w600k_r50 /
    // inswapper_128, which the tests do not have).
    let model = dir.join("identity.onnx");
    models::identity(&model, Dim::Fixed(1));
    let swapper_model = format!("face_swapper.model={}", s(&model));
    let mut args = vec![
        "run",
        "-p",
        "inswapper",
        "--add",
        "mouth_mask@after:face_swapper",
        "--set",
        "face_analyser.detector_model=det_500m",
        "--set",
        "face_analyser.recognizer_model=w600k_mbf",
        "--set",
        "face_analyser.landmark_model=2d106det",
        "--set",
        &swapper_model,
        "--set",
        "face_swapper.embedding_space=w600k_mbf",
        "-s",
        s(&src),
        "-t",
        s(&tgt),
        "-o",
        s(&out),
    ];
    let o = liveswap(&args);
    let (stdout, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        stdout.contains("processors: content_guard → face_analyser → face_swapper → mouth_mask"),
        "{stdout}"
    );
    assert!(out.is_file());

    // A position naming a processor the profile lacks is an error naming it.
    args[4] = "mouth_mask@before:face_enhancer";
    args.push("--overwrite");
    let o = liveswap(&args);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains("no processor `face_enhancer`"), "{err}");
}

#[test]
fn disable_and_the_aliases() {
    let dir = temp_dir("edits-alias");
    let (src, two) = (media("astronaut.png"), media("two_people.jpg"));
    let run = |extra: &[&str], name: &str| {
        let out = dir.join(name);
        let mut args = vec!["run", "-s", s(&src), "-t", s(&two), "-o", s(&out)];
        args.extend_from_slice(extra);
        let o = liveswap(&args);
        let (stdout, err) = text(&o);
        (o.status.code(), stdout, err)
    };
    let (code, out, err) = run(&[], "one.png");
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("2 face(s), 1 swapped"), "{out}");
    let (code, out, err) = run(&["--many-faces"], "many.png");
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("2 face(s), 2 swapped"), "{out}");
    let (code, out, err) = run(&["--mouth-mask"], "mouth.png");
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("face_morpher → mouth_mask"), "{out}");
    let (code, out, err) = run(
        &["-p", "default-mouth", "--disable", "mouth_mask"],
        "off.png",
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(!out.contains("mouth_mask"), "{out}");
    let (code, _, err) = run(&["--disable", "face_swapper"], "x.png");
    assert_eq!(code, Some(1));
    assert!(
        err.contains("--disable face_swapper") && err.contains("face_morpher"),
        "{err}"
    );
    // --enhance adds the enhancer with that model: a model that is not installed is named.
    let (code, _, err) = run(&["--enhance", "gpen_bfr_256"], "enh.png");
    assert_eq!(code, Some(1));
    assert!(err.contains("gpen_bfr_256"), "{err}");
}
