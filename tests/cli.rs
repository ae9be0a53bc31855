//! The `liveswap` binary end to end: what a user types, what they see, what is written.

use liveswap_tests::{liveswap_command, ort_library, shared, shared_file, temp_dir, workspace};
use std::process::Output;

/// Runs `liveswap` with the test environment: the setup's ONNX Runtime, `../shared/models`
/// as the models dir, plugins from next to the binary only.
fn liveswap(args: &[&str]) -> Output {
    liveswap_command()
        .args(args)
        .current_dir(workspace())
        .env("ORT_DYLIB_PATH", ort_library())
        .env("LIVESWAP_MODELS_DIR", shared().join("models"))
        .env_remove("LIVESWAP_PLUGIN_PATH")
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn plugins_lists_the_real_plugins_from_shared_libraries() {
    let o = liveswap(&["plugins"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("face_analyser 0.2.0"), "{out}");
    assert!(out.contains("face_debugger 0.2.0"), "{out}");
    assert!(out.contains("detector_model"), "settings are listed: {out}");
    let so = format!(
        "{}liveswap_face_analyser{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    assert!(out.contains(&so), "the file is listed: {out}");

    let o = liveswap(&["plugins", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<&str> = v["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"face_analyser") && ids.contains(&"face_debugger"),
        "{ids:?}"
    );
}

#[test]
fn a_non_plugin_library_is_named_and_nothing_else_breaks() {
    let dir = temp_dir("cli-garbage");
    let bad = dir.join(format!(
        "{}liveswap_broken{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    std::fs::write(&bad, b"this is not a shared library").unwrap();
    let o = liveswap(&["plugins", "--plugin-dir", dir.to_str().unwrap()]);
    let (out, _) = text(&o);
    assert!(o.status.success());
    assert!(
        out.contains("failed to load") && out.contains(&bad.display().to_string()),
        "{out}"
    );
    assert!(out.contains("[open]"), "{out}");
    assert!(out.contains("face_analyser 0.2.0"), "{out}");

    // The broken file does not stop real work either.
    let o = liveswap(&[
        "analyse",
        "--plugin-dir",
        dir.to_str().unwrap(),
        shared_file("media/astronaut.png").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{:?}", text(&o));
}

#[test]
fn analyse_json_has_the_documented_shape() {
    let img = shared_file("media/astronaut.png");
    let o = liveswap(&["analyse", img.to_str().unwrap(), "--json", "--landmarks"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["faces", "height", "image", "width"]);
    assert_eq!(
        (v["width"].as_u64(), v["height"].as_u64()),
        (Some(512), Some(512))
    );
    let faces = v["faces"].as_array().unwrap();
    assert_eq!(faces.len(), 1);
    assert_eq!(faces[0]["kps"].as_array().unwrap().len(), 5);
    assert_eq!(faces[0]["landmarks"].as_array().unwrap().len(), 106);
    assert_eq!(faces[0]["bbox"].as_array().unwrap().len(), 4);

    // Without --landmarks there is no landmarks key at all.
    let o = liveswap(&["analyse", img.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["faces"][0].get("landmarks").is_none());
}

#[test]
fn debug_profile_draws_only_around_faces() {
    let dir = temp_dir("cli-debug");
    let out = dir.join("out.png");
    let target = shared_file("media/grace_hopper.jpg");
    let o = liveswap(&[
        "run",
        "--profile",
        "profiles/debug.toml",
        "--target",
        target.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{:?}", text(&o));
    let before = image::open(&target).unwrap().to_rgb8();
    let after = image::open(&out).unwrap().to_rgb8();
    assert_eq!(before.dimensions(), after.dimensions());
    let changed: Vec<(u32, u32)> = before
        .enumerate_pixels()
        .filter(|(x, y, p)| after.get_pixel(*x, *y) != *p)
        .map(|(x, y, _)| (x, y))
        .collect();
    assert!(changed.len() > 500, "overlay drawn ({} px)", changed.len());
    // grace_hopper's face is in the upper middle; corners are untouched.
    assert!(
        changed
            .iter()
            .all(|&(x, y)| x > 60 && x < 460 && y > 20 && y < 400),
        "drawing stays near the face"
    );

    // Running again without --overwrite refuses and keeps the file.
    let o = liveswap(&[
        "run",
        "--profile",
        "profiles/debug.toml",
        "--target",
        target.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(text(&o).1.contains("--overwrite"), "{:?}", text(&o));
}

fn assert_fails_with(args: &[&str], needles: &[&str]) {
    let o = liveswap(args);
    let (out, err) = text(&o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{args:?}\nstdout: {out}\nstderr: {err}"
    );
    for n in needles {
        assert!(err.contains(n), "{args:?}: stderr lacks `{n}`:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_images_give_clear_errors() {
    let dir = temp_dir("cli-bad-images");
    let text_file = dir.join("notes.png");
    std::fs::write(&text_file, b"hello").unwrap();
    let bytes = std::fs::read(shared_file("media/grace_hopper.jpg")).unwrap();
    let cut = dir.join("cut.jpg");
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    assert_fails_with(
        &["analyse", text_file.to_str().unwrap()],
        &["notes.png", "not a readable image"],
    );
    assert_fails_with(
        &["analyse", cut.to_str().unwrap()],
        &["cut.jpg", "not a readable image"],
    );
    assert_fails_with(
        &["analyse", dir.join("missing.jpg").to_str().unwrap()],
        &["missing.jpg", "cannot open"],
    );
}

#[test]
fn missing_and_wrong_models_give_clear_errors() {
    let img = shared_file("media/astronaut.png");
    let empty = temp_dir("cli-no-models");
    assert_fails_with(
        &[
            "analyse",
            img.to_str().unwrap(),
            "--models-dir",
            empty.to_str().unwrap(),
        ],
        &["det_500m", "not installed", &empty.display().to_string()],
    );
    // The recognizer slot given the detector file: refused before any frame, naming the file.
    let det = shared().join("models/det_500m.onnx");
    let set = format!("face_analyser.recognizer_model={}", det.display());
    let out = temp_dir("cli-wrong-model").join("o.png");
    assert_fails_with(
        &[
            "run",
            "--profile",
            "profiles/debug.toml",
            "--target",
            img.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--set",
            &set,
        ],
        &["recognizer_model", "det_500m.onnx"],
    );
    assert!(
        !out.exists(),
        "no output is written when the pipeline cannot start"
    );
    assert_fails_with(
        &[
            "analyse",
            img.to_str().unwrap(),
            "--set",
            "face_analyser.detector_model=/no/such/model.onnx",
        ],
        &["/no/such/model.onnx"],
    );
}

#[test]
fn bad_profiles_name_file_processor_and_key() {
    let dir = temp_dir("cli-profiles");
    let write = |name: &str, body: &str| {
        let p = dir.join(name);
        std::fs::write(&p, format!("schema_version = 1\n{body}")).unwrap();
        p
    };
    let range = write(
        "range.toml",
        "[[processors]]\nid = \"face_analyser\"\n[[processors]]\nid = \"face_debugger\"\n[processors.settings]\nthickness = 0\n",
    );
    assert_fails_with(
        &["profile", "check", range.to_str().unwrap()],
        &[&format!(
            "{}: face_debugger.thickness: 0 is below the minimum 1",
            range.display()
        )],
    );
    let unknown_key = write(
        "key.toml",
        "[[processors]]\nid = \"face_analyser\"\n[processors.settings]\ndet_sise = 640\n",
    );
    assert_fails_with(
        &["profile", "check", unknown_key.to_str().unwrap()],
        &["face_analyser.det_sise: unknown setting"],
    );
    let unknown_id = write("id.toml", "[[processors]]\nid = \"face_swapperz\"\n");
    assert_fails_with(
        &["profile", "check", unknown_id.to_str().unwrap()],
        &["face_swapperz: unknown processor"],
    );
    let dependency = write(
        "dep.toml",
        "[[processors]]\nid = \"face_debugger\"\n[[processors]]\nid = \"face_analyser\"\n",
    );
    assert_fails_with(
        &["profile", "check", dependency.to_str().unwrap()],
        &["face_debugger: needs `faces`", "enable face_analyser"],
    );
    let syntax = write(
        "syntax.toml",
        "[[processors]]\nid = \"face_analyser\"\nenabled = maybe\n",
    );
    assert_fails_with(
        &["profile", "check", syntax.to_str().unwrap()],
        &["syntax.toml"],
    );
    // A disabled analyser keeps its slot but no longer provides faces.
    let disabled = write(
        "off.toml",
        "[[processors]]\nid = \"face_analyser\"\nenabled = false\n[[processors]]\nid = \"face_debugger\"\n",
    );
    assert_fails_with(
        &["profile", "check", disabled.to_str().unwrap()],
        &["face_debugger: needs `faces`"],
    );
    // --set is validated like the file.
    assert_fails_with(
        &[
            "profile",
            "check",
            "profiles/debug.toml",
            "--set",
            "face_debugger.thickness=99",
        ],
        &["--set face_debugger.thickness: 99 is above the maximum 20"],
    );

    let o = liveswap(&["profile", "check", "profiles/debug.toml"]);
    assert!(o.status.success(), "{:?}", text(&o));
    assert!(text(&o).0.contains("[on ] face_analyser"));
}

#[test]
fn every_shipped_profile_is_valid() {
    for entry in std::fs::read_dir(workspace().join("profiles")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let o = liveswap(&["profile", "check", path.to_str().unwrap()]);
            assert!(o.status.success(), "{}: {:?}", path.display(), text(&o));
        }
    }
}
