//! The private Python environment that runs ONNX Runtime's quantization tool.
//!
//! Why Python: ONNX Runtime's static quantizer (calibration, QDQ insertion, per-channel weight
//! scales, the node-exclusion and calibration options the recipes use) exists only in its
//! Python package; the C API that liveswap links has no quantizer. The environment is made
//! once, the way setup installs the runtime library: `python3 -m venv` under the per-user data
//! dir, then `pip install` of pinned versions (the same ONNX Runtime release as the runtime).

use super::QuantizeError;
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

/// Names an interpreter that already has onnxruntime, onnx and numpy (skips the venv).
pub const PYTHON_ENV: &str = "LIVESWAP_QUANTIZE_PYTHON";

/// What the environment gets: ONNX Runtime's release matches the runtime liveswap loads.
pub const PACKAGES: [&str; 3] = ["onnxruntime==1.31.1", "onnx==1.23.2", "numpy==2.4.6"];

/// `<data dir>/liveswap/quantize-env`.
pub fn env_dir() -> Option<PathBuf> {
    crate::models::store_user_data_dir().map(|d| d.join("liveswap").join("quantize-env"))
}

/// The interpreter to run the tool with, creating the environment on first use (progress on
/// `log`).
pub fn interpreter(log: &mut dyn Write) -> Result<PathBuf, QuantizeError> {
    if let Some(p) = std::env::var_os(PYTHON_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let dir =
        env_dir().ok_or_else(|| QuantizeError::Tool("no per-user data dir (set HOME)".into()))?;
    let python = dir.join("bin").join("python");
    let ready = dir.join(".ready");
    if python.is_file() && ready.is_file() {
        return Ok(python);
    }
    let _ = writeln!(
        log,
        "creating the quantization environment in {} ({}; once)…",
        dir.display(),
        PACKAGES.join(", ")
    );
    let run = |cmd: &mut Command, what: &str| -> Result<(), QuantizeError> {
        let out = cmd
            .output()
            .map_err(|e| QuantizeError::Tool(format!("{what}: {e}")))?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            let tail: Vec<&str> = err.lines().rev().take(8).collect();
            return Err(QuantizeError::Tool(format!(
                "{what} failed ({}): {}",
                out.status,
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            )));
        }
        Ok(())
    };
    let system = std::env::var_os("LIVESWAP_PYTHON").unwrap_or_else(|| "python3".into());
    run(
        Command::new(&system).arg("-m").arg("venv").arg(&dir),
        "python3 -m venv (Debian/Ubuntu: apt-get install python3-venv)",
    )?;
    run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(PACKAGES),
        "pip install onnxruntime onnx numpy",
    )?;
    std::fs::write(&ready, PACKAGES.join("\n"))
        .map_err(|e| QuantizeError::Tool(format!("{}: {e}", ready.display())))?;
    Ok(python)
}
