//! `liveswap bench` end to end on a small generated clip: the numbers it prints are
//! consistent with the run (one detector call per frame, stages present, memory and runtime
//! share in range), and it leaves no file behind unless asked to keep one.

use crate::video::{assert_ok, liveswap, still_clip};
use liveswap_tests::temp_dir;
use serde_json::Value;

#[test]
fn bench_reports_stages_model_calls_fps_and_memory() {
    let dir = temp_dir("bench");
    let clip = dir.join("clip.mp4");
    still_clip(&clip, 8, "scale=256:256", &["-pix_fmt", "yuv420p"]);
    let o = liveswap(&[
        "bench",
        "--profile",
        "profiles/debug.toml",
        "--target",
        clip.to_str().unwrap(),
        "--frames",
        "5",
        "--set",
        "face_analyser.det_size=160",
        "--json",
    ]);
    assert_ok(&o);
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["frames"], 5, "{r}");
    // The CPU session options the run used: the measured defaults.
    let runtime = r["runtime"].as_str().unwrap();
    assert!(
        runtime.ends_with("graph optimization all, spinning off, arena on, pinning off"),
        "{runtime}"
    );
    assert_eq!(
        (r["width"].as_u64(), r["height"].as_u64()),
        (Some(256), Some(256))
    );
    for stage in ["decode", "face_analyser", "face_debugger", "encode"] {
        let ms = r["stages_ms"][stage].as_f64();
        assert!(ms.is_some_and(|v| v >= 0.0), "stage {stage}: {r}");
    }
    // One detector call and one landmark call per frame (one face), no recognizer.
    assert_eq!(r["models"]["det_500m"]["calls"], 5, "{r}");
    assert_eq!(r["models"]["2d106det"]["calls"], 5, "{r}");
    assert!(r["models"].get("w600k_mbf").is_none(), "{r}");
    let det = &r["models"]["det_500m"];
    assert!(det["runtime_ms_per_call"].as_f64().unwrap() <= det["ms_per_call"].as_f64().unwrap());
    let fps = r["fps"].as_f64().unwrap();
    let wall = r["wall_s"].as_f64().unwrap();
    assert!(fps > 0.0 && (fps * wall - 5.0).abs() < 1e-6, "{r}");
    let share = r["runtime_share"].as_f64().unwrap();
    assert!(share > 0.0 && share <= 1.0, "{r}");
    let rss = r["peak_rss_bytes"].as_u64().unwrap();
    assert!(rss > 10 << 20 && rss < 8 << 30, "{r}");
    // The temporary output is gone.
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");

    // The table form names the same things; every session option can be changed (ONNX
    // Runtime accepts each of them) and is reported as used.
    let o = liveswap(&[
        "--graph-optimization",
        "basic",
        "--ort-spinning",
        "on",
        "--ort-arena",
        "off",
        "--ort-pinning",
        "on",
        "--execution-threads",
        "2",
        "bench",
        "-p",
        "profiles/debug.toml",
        "-t",
        clip.to_str().unwrap(),
        "--frames",
        "2",
        "--set",
        "face_analyser.det_size=160",
        "-o",
        dir.join("kept.mkv").to_str().unwrap(),
    ]);
    assert_ok(&o);
    let text = String::from_utf8_lossy(&o.stdout);
    for needle in [
        "face_analyser",
        "det_500m",
        "throughput:",
        "peak memory",
        "inside ONNX Runtime",
        "graph optimization basic, spinning on, arena off, pinning on",
    ] {
        assert!(text.contains(needle), "{needle} in\n{text}");
    }
    assert!(dir.join("kept.mkv").is_file(), "--output keeps the video");
    let o = liveswap(&[
        "--ort-spinning",
        "sometimes",
        "bench",
        "-p",
        "profiles/debug.toml",
        "-t",
        clip.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("expected on or off"), "{err}");
}
