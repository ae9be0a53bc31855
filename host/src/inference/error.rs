//! Errors of the inference service: finding ONNX Runtime, opening a model, running it.
//!
//! Where it sits: every fallible step of [`crate::inference`] returns [`InferenceError`]. The
//! host's plugin context turns it into the ABI-stable [`SdkError`] (`impl From`) before it
//! crosses into a plugin, so a processor sees a machine-readable code (`model`,
//! `model.signature`, `inference`) plus a help line it can show unchanged.
//!
//! Why a separate type: the user-facing failures here (no runtime installed, wrong model file)
//! need a precise *Resolution*, and the UI needs to keep and show the error later, so the enum
//! is `Clone` and carries text rather than `ort::Error` (which is neither `Clone` nor `Send`-free
//! of FFI state).

use super::providers::ExecutionProvider;
use super::signature::SignatureMismatch;
use liveswap_sdk::{SdkError, codes};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// How to install ONNX Runtime; shown with every library error.
pub const INSTALL_HELP: &str = "install ONNX Runtime with `host/scripts/setup.sh` (puts it in \
<repo>/.runtime/onnxruntime/), or run `python3 -m pip download --no-deps --only-binary=:all: \
onnxruntime==1.31.1`, unzip the wheel and point `--ort-lib` or ORT_DYLIB_PATH at \
onnxruntime/capi/libonnxruntime.so.1.31.1; NVIDIA GPU users take the same file from the \
`onnxruntime-gpu` wheel instead";

/// Something the inference service could not do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InferenceError {
    /// No ONNX Runtime shared library was found in any of the searched places (explicit
    /// `--ort-lib`, `ORT_DYLIB_PATH`, `<dir>/.runtime/onnxruntime/` above the executable, the
    /// per-user data directory, system library directories).
    ///
    /// ## Resolution
    /// Run `host/scripts/setup.sh`, or download the `onnxruntime==1.31.1` wheel and pass the
    /// path of its `libonnxruntime.so.1.31.1` with `--ort-lib` (or `ORT_DYLIB_PATH`).
    #[error("ONNX Runtime library not found; looked in:\n{}\n{INSTALL_HELP}", list_paths(.searched))]
    LibraryNotFound {
        /// Every file or directory pattern that was checked, in search order.
        searched: Vec<PathBuf>,
    },

    /// A library file was found but could not be loaded: not a shared library, built for
    /// another platform, missing dependencies, or an ONNX Runtime older than 1.23.
    ///
    /// ## Resolution
    /// Use the `libonnxruntime.so.1.31.1` from the official wheel for this platform; the reason
    /// names what the dynamic loader or the version check rejected.
    #[error("could not load ONNX Runtime from `{}`: {reason}", .path.display())]
    LibraryLoad {
        /// The library file.
        path: PathBuf,
        /// The loader's reason (the `{:?}` form of ort's error, which includes the dlopen text).
        reason: String,
    },

    /// No execution provider could be registered (not even the fallback). A provider that is
    /// merely unavailable falls back to CPU with a warning instead.
    ///
    /// ## Resolution
    /// `liveswap providers` shows what the ONNX Runtime library offers; `--execution-provider
    /// cpu` works with every library.
    #[error("execution provider `{provider}` is not usable: {reason}")]
    Provider {
        /// The provider that was asked for.
        provider: ExecutionProvider,
        /// Why it cannot be used.
        reason: String,
    },

    /// ONNX Runtime failed at a step that does not depend on the model file (creating the
    /// environment or session options). Usually a broken or incompatible runtime library.
    ///
    /// ## Resolution
    /// Reinstall ONNX Runtime with `host/scripts/setup.sh`; report the message if it persists.
    #[error("ONNX Runtime failed while {step}: {reason}")]
    Runtime {
        /// What was being done (`"creating the environment"`).
        step: String,
        /// ONNX Runtime's message.
        reason: String,
    },

    /// The model file does not exist.
    ///
    /// ## Resolution
    /// Fetch the model (`liveswap models fetch`) or correct the path in the profile.
    #[error("model file `{}` does not exist", .path.display())]
    ModelMissing {
        /// The path that was looked up.
        path: PathBuf,
    },

    /// The model file exists but could not be read or is not a valid ONNX model (truncated
    /// download, wrong file, unsupported operator set).
    ///
    /// ## Resolution
    /// Delete the file and fetch it again; check that it is an `.onnx` model.
    #[error("could not open model `{}`: {reason}", .path.display())]
    ModelLoad {
        /// The model file.
        path: PathBuf,
        /// What failed (I/O error or ONNX Runtime's message).
        reason: String,
    },

    /// The model opened, but its inputs/outputs are not what the processor needs (for example
    /// a recogniser chosen in the detector slot).
    ///
    /// ## Resolution
    /// Pick a model file made for this slot; `detail` lists what was expected and what the file
    /// has.
    #[error("model `{}`{} does not fit: {detail}", .path.display(), setting_suffix(.setting.as_deref()))]
    SignatureMismatch {
        /// The model file.
        path: PathBuf,
        /// The setting key that named the model (`face_analyser.detector_model`), when known.
        setting: Option<String>,
        /// Expected vs found, input by input.
        detail: Box<SignatureMismatch>,
    },

    /// The model opened, but its inputs/outputs are not those the manifest records for the
    /// model its digest identifies (a manifest error, or a file that is not what it claims).
    ///
    /// ## Resolution
    /// Run `liveswap models verify` and follow its advice; report a bug if a freshly fetched
    /// file fails.
    #[error("model `{}` is `{id}` by its digest but does not match the manifest's inputs/outputs: {detail}", .path.display())]
    ManifestMismatch {
        /// The model file.
        path: PathBuf,
        /// The manifest id its digest matched.
        id: String,
        /// Expected vs found.
        detail: Box<SignatureMismatch>,
    },

    /// Running an opened model failed (inputs of the wrong type or shape, a runtime failure).
    ///
    /// ## Resolution
    /// Usually a processor bug: report it with the message.
    #[error("running model `{model}` failed: {reason}")]
    Run {
        /// The model id.
        model: String,
        /// What failed.
        reason: String,
    },
}

impl InferenceError {
    /// Names the setting a model came from, for [`InferenceError::SignatureMismatch`] messages.
    #[must_use]
    pub fn for_setting(self, setting: &str) -> Self {
        match self {
            Self::SignatureMismatch { path, detail, .. } => Self::SignatureMismatch {
                path,
                setting: Some(setting.to_owned()),
                detail,
            },
            other => other,
        }
    }

    /// A [`InferenceError::ModelLoad`] for `path`.
    pub(crate) fn model_load(path: &Path, reason: impl Into<String>) -> Self {
        Self::ModelLoad {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }

    /// The help line shown to the user (also the `help` of the [`SdkError`]).
    pub fn help(&self) -> Option<String> {
        match self {
            // The message already carries the full install help.
            Self::LibraryNotFound { .. } => Some(
                "run `host/scripts/setup.sh`, or pass `--ort-lib <path to libonnxruntime>`"
                    .to_owned(),
            ),
            Self::LibraryLoad { .. } => Some(INSTALL_HELP.to_owned()),
            Self::Runtime { .. } => {
                Some("reinstall ONNX Runtime with `host/scripts/setup.sh`".to_owned())
            }
            Self::Provider { .. } => Some(
                "run `liveswap providers` to see what this ONNX Runtime library offers; \
                 `--execution-provider cpu` always works"
                    .to_owned(),
            ),
            Self::ModelMissing { .. } => Some(
                "fetch it with `liveswap models fetch`, or correct the path in the profile"
                    .to_owned(),
            ),
            Self::ModelLoad { .. } => Some(
                "the file is not a usable ONNX model (truncated download?): delete it and fetch \
                 it again"
                    .to_owned(),
            ),
            Self::SignatureMismatch { .. } => {
                Some("choose a model file made for this processor slot".to_owned())
            }
            Self::ManifestMismatch { .. } => Some(
                "run `liveswap models verify`; fetch the model again with `liveswap models fetch`"
                    .to_owned(),
            ),
            Self::Run { .. } => None,
        }
    }

    /// The [`codes`] value this error maps to.
    pub fn code(&self) -> &'static str {
        match self {
            Self::SignatureMismatch { .. } | Self::ManifestMismatch { .. } => {
                codes::MODEL_SIGNATURE
            }
            Self::Run { .. } => codes::INFERENCE,
            Self::LibraryNotFound { .. }
            | Self::LibraryLoad { .. }
            | Self::Provider { .. }
            | Self::Runtime { .. }
            | Self::ModelMissing { .. }
            | Self::ModelLoad { .. } => codes::MODEL,
        }
    }
}

impl From<InferenceError> for SdkError {
    fn from(e: InferenceError) -> Self {
        let err = SdkError::new(e.code(), e.to_string());
        match e.help() {
            Some(help) => err.with_help(help),
            None => err,
        }
    }
}

fn list_paths(paths: &[PathBuf]) -> String {
    let mut s = String::new();
    for p in paths {
        let _ = writeln!(s, "  - {}", p.display());
    }
    s.trim_end().to_owned()
}

fn setting_suffix(setting: Option<&str>) -> String {
    setting
        .map(|s| format!(" (setting `{s}`)"))
        .unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn not_found_lists_every_place_and_install_help() {
        let e = InferenceError::LibraryNotFound {
            searched: vec![PathBuf::from("/a/libonnxruntime.so"), PathBuf::from("/b/x")],
        };
        let s = e.to_string();
        assert!(s.contains("  - /a/libonnxruntime.so\n  - /b/x\n"), "{s}");
        assert!(s.contains("host/scripts/setup.sh"), "{s}");
        assert!(s.contains("onnxruntime==1.31.1"), "{s}");
        let sdk = SdkError::from(e);
        assert_eq!(sdk.code.as_str(), codes::MODEL);
    }

    #[test]
    fn codes_and_help() {
        let e = InferenceError::ModelMissing {
            path: "/m/x.onnx".into(),
        };
        let sdk = SdkError::from(e);
        assert_eq!(sdk.code.as_str(), codes::MODEL);
        assert!(sdk.help.is_some());
        let e = InferenceError::Run {
            model: "det".into(),
            reason: "boom".into(),
        };
        let sdk = SdkError::from(e);
        assert_eq!(sdk.code.as_str(), codes::INFERENCE);
        assert!(sdk.message.contains("`det`"));
    }
}
