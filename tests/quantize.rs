//! `liveswap models quantize`: int8 copies of the real small models, their quality check,
//! registration as `ID@int8`, and every refusal (bad calibration sets, changed sources).
//!
//! Needs the quantization environment (`host/scripts/setup-quantize.sh`, or
//! `LIVESWAP_QUANTIZE_PYTHON`); the command itself would create it on first use.

use liveswap_tests::{liveswap_command, ort_library, shared, shared_file, temp_dir, workspace};
use std::path::Path;
use std::process::Output;

/// A models dir holding copies of the real default-pack models (the tests change files in it).
fn models_dir(name: &str) -> std::path::PathBuf {
    let d = temp_dir(name);
    for m in ["det_500m", "w600k_mbf", "2d106det", "open_nsfw"] {
        std::fs::copy(
            shared_file(&format!("models/{m}.onnx")),
            d.join(format!("{m}.onnx")),
        )
        .unwrap();
    }
    d
}

fn liveswap(models: &Path, args: &[&str]) -> Output {
    liveswap_command()
        .args(args)
        .current_dir(workspace())
        .env("ORT_DYLIB_PATH", ort_library())
        .env("LIVESWAP_MODELS_DIR", models)
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

/// The `--json` line of a quantize run.
fn figures(out: &str) -> serde_json::Value {
    let line = out
        .lines()
        .find(|l| l.starts_with('{'))
        .unwrap_or_else(|| panic!("no JSON line in:\n{out}"));
    serde_json::from_str::<serde_json::Value>(line).unwrap()["figures"].clone()
}

#[test]
fn w600k_mbf_int8_meets_its_limits_is_registered_and_refused_when_its_source_changes() {
    let models = models_dir("q8-mbf");
    let media = shared().join("media");
    let media = media.to_str().unwrap();
    let o = liveswap(
        &models,
        &[
            "models",
            "quantize",
            "w600k_mbf",
            "--calibration",
            media,
            "--check",
            "--json",
        ],
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    eprintln!("{out}");
    let f = figures(&out);
    let (mean, min) = (
        f["embedding_cosine_mean"].as_f64().unwrap(),
        f["embedding_cosine_min"].as_f64().unwrap(),
    );
    // Every face the analyser finds in ../shared/media (the issue's targets).
    assert!(f["faces"].as_f64().unwrap() >= 100.0, "{f}");
    assert!(mean >= 0.97 && min >= 0.90, "cosine mean {mean}, min {min}");
    assert!(out.contains("registered w600k_mbf@int8"), "{out}");

    // Found by id, verified, listed; the fp32 model stays what `w600k_mbf` means.
    let o = liveswap(&models, &["models", "path", "w600k_mbf@int8"]);
    let (path, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(path.trim().ends_with("w600k_mbf@int8.onnx"), "{path}");
    let o = liveswap(&models, &["models", "path", "w600k_mbf"]);
    assert!(text(&o).0.trim().ends_with("/w600k_mbf.onnx"));
    let o = liveswap(&models, &["models", "verify", "w600k_mbf@int8"]);
    let (out, err) = text(&o);
    assert!(
        o.status.success() && out.contains("ok    w600k_mbf@int8"),
        "{out}\n{err}"
    );
    let o = liveswap(&models, &["models", "list"]);
    assert!(text(&o).0.contains("w600k_mbf@int8"), "{}", text(&o).0);
    // The record says where the copy came from.
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(models.join("w600k_mbf@int8.json")).unwrap())
            .unwrap();
    assert_eq!(
        record["source"]["sha256"],
        "9cc6e4a75f0e2bf0b1aed94578f144d15175f357bdc05e815e5c4a02b319eb4f"
    );
    assert_eq!(record["tool"]["version"], "1.31.1");
    assert_eq!(record["calibration"]["digest"].as_str().unwrap().len(), 64);

    // It is used by a profile that names it.
    let out_png = models.join("swap.png");
    let o = liveswap(
        &models,
        &[
            "run",
            "--profile",
            "profiles/default.toml",
            "--source",
            "tests/samples/astronaut.png",
            "--target",
            "tests/samples/grace_hopper.jpg",
            "--output",
            out_png.to_str().unwrap(),
            "--set",
            "face_analyser.recognizer_model=w600k_mbf@int8",
        ],
    );
    assert!(o.status.success(), "{}", text(&o).1);

    // No second copy without --overwrite.
    let o = liveswap(
        &models,
        &["models", "quantize", "w600k_mbf", "--calibration", media],
    );
    assert!(!o.status.success());
    assert!(text(&o).1.contains("--overwrite"), "{}", text(&o).1);

    // A source that changed since (here: a different file in its place) makes the copy unusable.
    std::fs::copy(
        shared_file("models/det_500m.onnx"),
        models.join("w600k_mbf.onnx"),
    )
    .unwrap();
    let o = liveswap(&models, &["models", "path", "w600k_mbf@int8"]);
    let err = text(&o).1;
    assert!(!o.status.success(), "a changed source must be refused");
    assert!(err.contains("quantize it again"), "{err}");
    let o = liveswap(&models, &["models", "verify", "w600k_mbf@int8"]);
    assert!(!o.status.success());
    let _ = std::fs::remove_dir_all(&models);
}

#[test]
fn det_500m_int8_meets_its_limits() {
    let models = models_dir("q8-det");
    let media = shared().join("media");
    let o = liveswap(
        &models,
        &[
            "models",
            "quantize",
            "det_500m",
            "--calibration",
            media.to_str().unwrap(),
            "--json",
            "--output",
            models.join("det.onnx").to_str().unwrap(),
        ],
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    eprintln!("{out}");
    let f = figures(&out);
    assert!(f["box_iou_mean"].as_f64().unwrap() >= 0.93, "{f}");
    assert!(f["kps_px_mean"].as_f64().unwrap() <= 1.5, "{f}");
    // Written to the path, not registered.
    assert!(models.join("det.onnx").is_file());
    assert!(!models.join("det_500m@int8.json").exists());
    let _ = std::fs::remove_dir_all(&models);
}

#[test]
fn damaged_or_faceless_calibration_sets_are_refused_clearly() {
    let models = models_dir("q8-bad");
    let bad = temp_dir("q8-bad-photos");
    std::fs::write(bad.join("face.jpg"), b"this is not a JPEG").unwrap();
    let o = liveswap(
        &models,
        &[
            "models",
            "quantize",
            "w600k_mbf",
            "--calibration",
            bad.to_str().unwrap(),
        ],
    );
    let err = text(&o).1;
    assert!(!o.status.success());
    assert!(
        err.contains("calibration") && err.contains("face.jpg"),
        "{err}"
    );

    // Photos without faces: nothing to calibrate on.
    let empty = temp_dir("q8-faceless");
    let grey = image::RgbImage::from_pixel(320, 240, image::Rgb([128, 128, 128]));
    grey.save(empty.join("grey.png")).unwrap();
    let o = liveswap(
        &models,
        &[
            "models",
            "quantize",
            "w600k_mbf",
            "--calibration",
            empty.to_str().unwrap(),
        ],
    );
    let err = text(&o).1;
    assert!(!o.status.success());
    assert!(err.contains("no faces"), "{err}");

    // Not a model id, or an int8 id, or a model the command cannot calibrate.
    let o = liveswap(&models, &["models", "quantize", "w600k_mbf@int8"]);
    assert!(
        !o.status.success() && text(&o).1.contains("fp32 id"),
        "{}",
        text(&o).1
    );
    let o = liveswap(&models, &["models", "quantize", "open_nsfw"]);
    assert!(
        !o.status.success() && text(&o).1.contains("nsfw_classifier"),
        "{}",
        text(&o).1
    );
    // Unregistered copies are not found.
    let o = liveswap(&models, &["models", "path", "det_500m@int8"]);
    assert!(!o.status.success());
    assert!(
        text(&o).1.contains("liveswap models quantize det_500m"),
        "{}",
        text(&o).1
    );
    for d in [&models, &bad, &empty] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn shipped_profiles_use_fp32_unless_named_int8() {
    for entry in std::fs::read_dir(workspace().join("profiles")).unwrap() {
        let p = entry.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(
            text.contains("@int8"),
            name.contains("int8"),
            "{name}: only *-int8 profiles may select int8 copies"
        );
    }
}

/// The quantizer's interpreter, found where `liveswap models quantize` looks for it.
fn quantize_python() -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("LIVESWAP_QUANTIZE_PYTHON").filter(|p| !p.is_empty()) {
        return p.into();
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(std::env::var_os("HOME").unwrap()).join(".local/share")
        });
    data.join("liveswap/quantize-env/bin/python")
}

/// inswapper keeps its identity projection `emap` as the file's last initializer, read by
/// nothing in the graph; ONNX Runtime's tools drop such initializers, which left an int8
/// inswapper that the swapper refuses ("not an inswapper model"). The tool puts it back.
#[test]
fn an_inswapper_shaped_model_keeps_its_emap_as_the_last_initializer() {
    use crate::swap::models::{DIM, tint};
    use liveswap_host::inference::onnx_proto::{
        InitializerData, Precision, Selector, read_initializer, read_precision,
    };
    use liveswap_tests::onnx::Dim;
    let dir = temp_dir("q8-emap");
    let src = dir.join("swapper.onnx");
    let w: Vec<f32> = (0..DIM * 3)
        .map(|i| ((i % 7) as f32 - 3.0) * 0.01)
        .collect();
    // A recognisable, non-identity projection.
    let emap: Vec<f32> = (0..DIM * DIM)
        .map(|i| ((i * 13) % 101) as f32 / 100.0)
        .collect();
    tint(&src, Dim::Fixed(1), &w, emap.clone());

    // Calibration inputs in the tool's format: the swapper's two inputs per call.
    let calib = dir.join("calib");
    std::fs::create_dir_all(&calib).unwrap();
    let mut samples = Vec::new();
    for k in 0..4usize {
        let target: Vec<f32> = (0..3 * 128 * 128)
            .map(|i| ((i * 31 + k * 977) % 255) as f32 / 255.0)
            .collect();
        let source: Vec<f32> = (0..DIM)
            .map(|i| (((i + k) % 9) as f32 - 4.0) / 40.0)
            .collect();
        let mut call = Vec::new();
        for (name, shape, values) in [
            ("target", vec![1, 3, 128, 128], target),
            ("source", vec![1, DIM], source),
        ] {
            let file = format!("{k}-{name}.f32");
            let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            std::fs::write(calib.join(&file), bytes).unwrap();
            call.push(serde_json::json!({"name": name, "shape": shape, "file": file}));
        }
        samples.push(serde_json::Value::Array(call));
    }
    std::fs::write(
        calib.join("index.json"),
        serde_json::json!({ "samples": samples }).to_string(),
    )
    .unwrap();
    let recipe = dir.join("recipe.json");
    std::fs::write(
        &recipe,
        r#"{"format": "QDQ", "activation_type": "QUInt8", "weight_type": "QInt8",
            "per_channel": true, "calibrate_method": "MinMax", "op_types": ["MatMul"]}"#,
    )
    .unwrap();

    let out = dir.join("swapper@int8.onnx");
    let tool = workspace().join("host/src/commands/quantize/quantize_tool.py");
    let o = std::process::Command::new(quantize_python())
        .arg(&tool)
        .args([&src, &out, &calib, &recipe])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stdout}\n{stderr}");
    let applied: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(applied["recipe"]["kept_initializer"], "emap", "{applied}");

    assert_eq!(read_precision(&out).unwrap(), Precision::Int8);
    let last = read_initializer(&out, &Selector::Index(-1))
        .unwrap()
        .unwrap();
    assert_eq!(last.name, "emap");
    assert_eq!(last.dims, vec![DIM as i64, DIM as i64]);
    match last.data {
        InitializerData::F32(v) => assert_eq!(v, emap),
        other => panic!("emap is not f32: {other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
