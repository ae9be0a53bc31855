//! Errors resolving a model reference.

use std::path::PathBuf;

/// A model reference that cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The id is not in the manifest and is not a path to an existing file.
    ///
    /// ## Resolution
    /// Use an id from `models/manifest.toml` or a path to an `.onnx` file.
    #[error("unknown model `{reference}`: not a manifest id ({known}) and no such file")]
    UnknownId {
        /// What the profile said.
        reference: String,
        /// Known ids.
        known: String,
    },
    /// A known model is not installed in any models dir.
    ///
    /// ## Resolution
    /// Install it (`host/scripts/setup.sh` installs the default pack) or pass `--models-dir`.
    #[error(
        "model `{id}` ({file}) is not installed; looked in: {}",
        list(searched)
    )]
    NotInstalled {
        /// Manifest id.
        id: String,
        /// Expected file name.
        file: String,
        /// Directories searched.
        searched: Vec<PathBuf>,
    },
    /// A path was given and the file does not exist or cannot be read.
    ///
    /// ## Resolution
    /// Check the path in the profile or `--set`.
    #[error("model file {path} cannot be read: {reason}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The OS error.
        reason: String,
    },
    /// The file's digest is not one the manifest accepts for this id: it is corrupt,
    /// truncated, or a different model.
    ///
    /// ## Resolution
    /// Delete the file and install it again.
    #[error(
        "model file {path} does not match manifest entry `{id}`: sha256 {found}, expected {expected}"
    )]
    DigestMismatch {
        /// The file.
        path: PathBuf,
        /// Manifest id.
        id: String,
        /// Digest found.
        found: String,
        /// Accepted digests.
        expected: String,
    },
    /// The built-in manifest could not be parsed (a build defect).
    ///
    /// ## Resolution
    /// Report a bug.
    #[error("model manifest is invalid: {0}")]
    Manifest(String),
}

fn list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
