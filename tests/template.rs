//! The plugin template as a third party would use it: copied to a folder of its own
//! outside the workspace, built with cargo against the sdk by path (no workspace
//! membership), its own test run, the library dropped into a `--plugin-dir`, listed with its
//! settings by `liveswap plugins --json`, validated by `liveswap profile check`, and run from
//! a profile on a real photo, where its effect is checked pixel by pixel.

use liveswap_tests::{liveswap_command, ort_library, shared, temp_dir, workspace};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

fn check(o: &Output, what: &str) {
    assert!(
        o.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn liveswap(args: &[&str]) -> Output {
    liveswap_command()
        .args(args)
        .current_dir(workspace())
        .env("ORT_DYLIB_PATH", ort_library())
        .env("LIVESWAP_MODELS_DIR", shared().join("models"))
        .env_remove("LIVESWAP_PLUGIN_PATH")
        .output()
        .unwrap()
}

/// Copies the template out of the workspace, points its sdk dependency at this checkout's
/// sdk, builds it and runs its own test; returns the built plugin library.
fn build_template_out_of_tree() -> PathBuf {
    let dir = temp_dir("template-src").join("face-tint");
    copy_dir(&workspace().join("sdk/template"), &dir);
    assert!(
        !dir.starts_with(workspace()),
        "the copy must live outside the workspace"
    );
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let sdk = workspace().join("sdk");
    let patched = text.replace(
        "liveswap-sdk = \"0.2\"",
        &format!("liveswap-sdk = {{ path = {:?} }}", sdk.to_str().unwrap()),
    );
    assert_ne!(text, patched, "the template names its sdk dependency");
    std::fs::write(&manifest, patched).unwrap();
    // Same dependency versions as the workspace, so nothing new is downloaded.
    std::fs::copy(workspace().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // A target dir of its own, kept between runs (under this workspace's target/, which
    // says nothing about workspace membership: that is decided by the manifest).
    let target = workspace().join("target/template-plugin");
    for args in [&["build"][..], &["test", "--quiet"][..]] {
        let o = Command::new(&cargo)
            .args(args)
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("RUSTFLAGS")
            .output()
            .unwrap();
        check(&o, &format!("cargo {} of the template", args[0]));
    }
    let lib = target.join("debug").join(format!(
        "{}liveswap_face_tint{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    assert!(lib.is_file(), "{} was not built", lib.display());
    lib
}

#[test]
fn a_plugin_built_from_the_template_outside_the_workspace_loads_and_runs() {
    let lib = build_template_out_of_tree();
    let plugins = temp_dir("template-plugins");
    std::fs::copy(&lib, plugins.join(lib.file_name().unwrap())).unwrap();
    let pdir = plugins.to_str().unwrap();

    // Listed, with its settings described.
    let o = liveswap(&["plugins", "--plugin-dir", pdir, "--json"]);
    check(&o, "liveswap plugins --json");
    let listing: Value = serde_json::from_slice(&o.stdout).unwrap();
    let all = listing["plugins"]
        .as_array()
        .unwrap_or_else(|| panic!("{listing}"));
    let tint = all
        .iter()
        .find(|p| p["id"] == "face_tint")
        .unwrap_or_else(|| panic!("face_tint not listed: {listing}"));
    let keys: Vec<&str> = tint["settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["strength", "color"], "{tint}");
    assert_eq!(
        tint["settings"][1]["choices"],
        serde_json::json!(["red", "green", "blue"])
    );

    // Validated and run from a profile, after the real analyser.
    let work = temp_dir("template-run");
    let profile = work.join("tint.toml");
    std::fs::write(
        &profile,
        "schema_version = 1\n\n[[processors]]\nid = \"face_analyser\"\n\n\
         [[processors]]\nid = \"face_tint\"\n[processors.settings]\nstrength = 1.0\ncolor = \"blue\"\n",
    )
    .unwrap();
    let p = profile.to_str().unwrap();
    check(
        &liveswap(&["profile", "check", p, "--plugin-dir", pdir]),
        "profile check",
    );
    let target = workspace().join("tests/samples/grace_hopper.jpg");
    let out = work.join("out.png");
    let o = liveswap(&[
        "run",
        "--plugin-dir",
        pdir,
        "--profile",
        p,
        "--target",
        target.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    check(&o, "liveswap run with the template plugin");

    // Its effect: the face box is solid blue, a corner of the photo is untouched.
    let o = liveswap(&["analyse", "--json", target.to_str().unwrap()]);
    check(&o, "analyse");
    let faces: Value = serde_json::from_slice(&o.stdout).unwrap();
    let bbox: Vec<f64> = faces["faces"][0]["bbox"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let before = image::open(&target).unwrap().to_rgb8();
    let after = image::open(&out).unwrap().to_rgb8();
    let (cx, cy) = (
        ((bbox[0] + bbox[2]) / 2.0) as u32,
        ((bbox[1] + bbox[3]) / 2.0) as u32,
    );
    assert_eq!(after.get_pixel(cx, cy).0, [0, 0, 255], "face centre tinted");
    assert_eq!(
        after.get_pixel(1, 1).0,
        before.get_pixel(1, 1).0,
        "outside the face untouched"
    );
}
