//! Clear errors: a source without a face, missing models, no source at all, and identity
//! embeddings from the wrong recognizer (profile validation and run time).

use super::models::{self};
use super::{Rig, liveswap, media, swap_profile, text};
use liveswap_tests::onnx::Dim;
use liveswap_tests::{temp_dir, workspace};
use std::path::{Path, PathBuf};

fn write_profile(dir: &Path, swapper: &str) -> PathBuf {
    let p = dir.join("p.toml");
    std::fs::write(&p, swap_profile(swapper)).unwrap();
    p
}

fn identity_model(dir: &Path) -> PathBuf {
    let m = dir.join("identity.onnx");
    models::identity(&m, Dim::Fixed(1));
    m
}

fn run(profile: &Path, extra: &[&str], out: &Path) -> (i32, String, String) {
    let target = media("grace_hopper.jpg");
    let mut args = vec![
        "run",
        "--profile",
        profile.to_str().unwrap(),
        "--target",
        target.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--overwrite",
    ];
    args.extend_from_slice(extra);
    let o = liveswap(&args);
    let (stdout, stderr) = text(&o);
    (o.status.code().unwrap_or(-1), stdout, stderr)
}

#[test]
fn source_without_a_face_names_the_file() {
    let dir = temp_dir("swap-err-noface");
    let blank = dir.join("blank.png");
    image::RgbImage::from_pixel(160, 160, image::Rgb([128, 128, 128]))
        .save(&blank)
        .unwrap();
    let model = identity_model(&dir);
    let profile = write_profile(
        &dir,
        &format!(
            "model = {:?}\nembedding_space = \"w600k_mbf\"",
            model.to_str().unwrap()
        ),
    );
    let (code, _, err) = run(
        &profile,
        &["--source", blank.to_str().unwrap()],
        &dir.join("o.png"),
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("blank.png") && err.contains("no face"),
        "{err}"
    );
    // A map pair whose target image has no face is named the same way.
    let map = format!("{}={}", blank.display(), media("obama.jpg").display());
    let (code, _, err) = run(&profile, &["--map", &map], &dir.join("o.png"));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("blank.png") && err.contains("no face"),
        "{err}"
    );
}

#[test]
fn missing_models_and_missing_sources_are_clear() {
    let dir = temp_dir("swap-err-model");
    let out = dir.join("o.png");
    let obama = media("obama.jpg");
    let src = ["--source", obama.to_str().unwrap()];
    // A file that is not there.
    let profile = write_profile(&dir, "model = \"/nonexistent/liveswap/inswapper.onnx\"");
    let (code, _, err) = run(&profile, &src, &out);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("/nonexistent/liveswap/inswapper.onnx"),
        "{err}"
    );
    // A manifest model that is not installed (../shared/models has no inswapper_128). The
    // recognizer is named by path so that validation (manifest ids only) lets it through.
    let mbf = liveswap_tests::shared_file("models/w600k_mbf.onnx");
    let text = swap_profile("model = \"inswapper_128\"\nembedding_space = \"w600k_mbf\"").replace(
        "id = \"face_analyser\"\n",
        &format!(
            "id = \"face_analyser\"\n[processors.settings]\nrecognizer_model = {:?}\n",
            mbf.to_str().unwrap()
        ),
    );
    let profile = dir.join("p2.toml");
    std::fs::write(&profile, text).unwrap();
    let (code, _, err) = run(&profile, &src, &out);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("inswapper_128")
            && err.contains("not installed")
            && err.contains("liveswap models fetch inswapper_128"),
        "{err}"
    );
    // A file without the identity projection.
    let no_emap = dir.join("no_emap.onnx");
    models::without_emap(&no_emap);
    let profile = write_profile(
        &dir,
        &format!(
            "model = {:?}\nembedding_space = \"w600k_mbf\"",
            no_emap.to_str().unwrap()
        ),
    );
    let (code, _, err) = run(&profile, &src, &out);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("emap"), "{err}");
    // No source at all.
    let model = identity_model(&dir);
    let profile = write_profile(
        &dir,
        &format!(
            "model = {:?}\nembedding_space = \"w600k_mbf\"",
            model.to_str().unwrap()
        ),
    );
    let (code, _, err) = run(&profile, &[], &out);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("face_swapper needs a source face") && err.contains("--source"),
        "{err}"
    );
}

#[test]
fn wrong_embedding_space_is_refused_by_profile_validation() {
    let want = "face_swapper.model: inswapper_128 needs embeddings from w600k_r50, but face_analyser.recognizer_model is w600k_mbf; set face_analyser.recognizer_model = \"w600k_r50\"";
    // The shipped profile is right as it is…
    let inswapper = workspace().join("profiles/inswapper.toml");
    let o = liveswap(&["profile", "check", inswapper.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    // …and refused with the small recognizer, on `profile check` and on `run`.
    let o = liveswap(&[
        "profile",
        "check",
        inswapper.to_str().unwrap(),
        "--set",
        "face_analyser.recognizer_model=w600k_mbf",
    ]);
    let (out, err) = text(&o);
    assert!(!o.status.success(), "{out}");
    assert!(format!("{out}{err}").contains(want), "{out}{err}");
    let dir = temp_dir("swap-err-space");
    let (code, _, err) = run(
        &inswapper,
        &[
            "--source",
            media("obama.jpg").to_str().unwrap(),
            "--set",
            "face_analyser.recognizer_model=w600k_mbf",
        ],
        &dir.join("o.png"),
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(want), "{err}");
    // The same check in the library, for the fp16 model and the many-faces profile.
    let rig = Rig::new("swap-err-space-rig");
    let e = rig
        .profile(&swap_profile("model = \"inswapper_128_fp16\""))
        .unwrap_err()
        .to_string();
    assert!(e.contains("face_swapper.model: inswapper_128_fp16 needs embeddings from w600k_r50, but face_analyser.recognizer_model is w600k_mbf"), "{e}");
    let many = std::fs::read_to_string(workspace().join("profiles/many-faces.toml")).unwrap();
    rig.profile(&many).unwrap();
}

#[test]
fn wrong_embedding_space_of_a_user_model_is_refused_at_run_time() {
    // A model given by path is not in the manifest: the swapper's `embedding_space` setting
    // (default w600k_r50) says what it needs, and w600k_mbf sources are refused.
    let dir = temp_dir("swap-err-runtime-space");
    let model = identity_model(&dir);
    let profile = write_profile(&dir, &format!("model = {:?}", model.to_str().unwrap()));
    let out = dir.join("o.png");
    let (code, _, err) = run(
        &profile,
        &["--source", media("obama.jpg").to_str().unwrap()],
        &out,
    );
    assert_eq!(code, 3, "output written, the swapper failed: {err}");
    assert!(
        err.contains("has a w600k_mbf embedding, but identity needs w600k_r50 embeddings"),
        "{err}"
    );
    assert!(
        err.contains("face_analyser.recognizer_model = \\\"w600k_r50\\\"")
            || err.contains("face_analyser.recognizer_model = \"w600k_r50\""),
        "{err}"
    );
}
