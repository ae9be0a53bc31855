//! Shared helpers for the integration tests: where the built plugins, the host binary, the
//! ONNX Runtime library and `../shared` are, plus small comparison helpers.
//!
//! The tests need the workspace built first (`cargo build --workspace`), because `cargo
//! test` does not build the plugin `cdylib`s; every helper that needs a built artefact fails
//! with a message saying so rather than skipping.

#![allow(
    clippy::unwrap_used,
    reason = "test support: failing loudly is the point"
)]
#![allow(clippy::print_stderr, reason = "test diagnostics")]

pub mod onnx;

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// `../shared` beside the workspace (models, media, reference data).
pub fn shared() -> PathBuf {
    let dir = workspace().join("../shared");
    assert!(
        dir.is_dir(),
        "{} is missing: the tests need ../shared beside the checkout",
        dir.display()
    );
    dir.canonicalize().unwrap()
}

/// A file under `../shared`, which must exist.
pub fn shared_file(rel: &str) -> PathBuf {
    let p = shared().join(rel);
    assert!(p.is_file(), "{} is missing", p.display());
    p
}

/// The cargo target profile dir the tests were built into (`target/debug`).
pub fn target_dir() -> PathBuf {
    // This test binary lives in target/<profile>/deps/.
    let exe = std::env::current_exe().unwrap();
    exe.parent().and_then(Path::parent).unwrap().to_path_buf()
}

/// A built plugin library by file stem (e.g. `liveswap_face_analyser` or `zoo_faulty`).
pub fn built_library(stem: &str) -> PathBuf {
    let name = format!(
        "{}{stem}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    let p = target_dir().join(name);
    assert!(
        p.is_file(),
        "{} is not built: run `cargo build --workspace` before `cargo test` (cargo test does not build cdylibs)",
        p.display()
    );
    p
}

/// The `liveswap` binary.
pub fn liveswap_bin() -> PathBuf {
    let p = target_dir().join(format!("liveswap{}", std::env::consts::EXE_SUFFIX));
    assert!(
        p.is_file(),
        "{} is not built: run `cargo build --workspace` first",
        p.display()
    );
    p
}

/// A `liveswap` command with the responsible-use notice accepted for the process
/// (`LIVESWAP_ACCEPT_TERMS=1`, nothing recorded) — the test suite runs without a terminal.
/// The notice's own tests (`guard`) build their command without it.
pub fn liveswap_command() -> std::process::Command {
    let mut c = std::process::Command::new(liveswap_bin());
    c.env("LIVESWAP_ACCEPT_TERMS", "1");
    c
}

/// The ONNX Runtime library: `ORT_DYLIB_PATH`, else the copy `host/scripts/setup.sh` installs.
pub fn ort_library() -> PathBuf {
    if let Some(p) = std::env::var_os("ORT_DYLIB_PATH")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
    {
        return p;
    }
    let dir = workspace().join(".runtime/onnxruntime");
    let found = std::fs::read_dir(&dir).ok().and_then(|rd| {
        rd.filter_map(Result::ok).map(|e| e.path()).find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("libonnxruntime.so"))
        })
    });
    found.unwrap_or_else(|| {
        panic!(
            "no ONNX Runtime library in {}: run host/scripts/setup.sh",
            dir.display()
        )
    })
}

/// Prefix of every folder [`temp_dir`] makes; the test process's id ends the name.
const TEMP_PREFIX: &str = "liveswap-it-";

/// Removes, once per process, the [`temp_dir`] folders of test processes that have ended
/// (Linux: no `/proc/<pid>`). A run keeps its own folders for a look after a failure, but
/// they no longer pile up across runs (about 15 local runs once filled a 48 GB disk).
fn sweep_ended_runs() {
    static SWEEP: std::sync::Once = std::sync::Once::new();
    SWEEP.call_once(|| {
        let proc = Path::new("/proc");
        if !proc.join("self").exists() {
            return;
        }
        let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(pid) = name
                .strip_prefix(TEMP_PREFIX)
                .and_then(|rest| rest.rsplit('-').next())
                .and_then(|pid| pid.parse::<u32>().ok())
            else {
                continue;
            };
            if pid != std::process::id() && !proc.join(pid.to_string()).exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    });
}

/// A fresh, empty temporary directory unique to this test.
pub fn temp_dir(name: &str) -> PathBuf {
    sweep_ended_runs();
    let d = std::env::temp_dir().join(format!("{TEMP_PREFIX}{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Copies a built library into `dir` under a plugin file name for `id`
/// (`libliveswap_<id>.so`), returning the new path.
pub fn install_as_plugin(library: &Path, dir: &Path, id: &str) -> PathBuf {
    let name = format!(
        "{}liveswap_{id}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    let dest = dir.join(name);
    std::fs::copy(library, &dest).unwrap();
    dest
}

/// A plugin dir holding the real face_analyser and face_debugger libraries.
pub fn real_plugin_dir(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    for id in ["face_analyser", "face_debugger"] {
        install_as_plugin(&built_library(&format!("liveswap_{id}")), &dir, id);
    }
    dir
}

/// Cosine similarity of two vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (na * nb)
}

/// Reads a JSON file.
pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}
