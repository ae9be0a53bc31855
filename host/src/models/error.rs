//! Errors of the model registry: resolving a reference, fetching, verifying.
//!
//! Where it sits: every fallible step of [`crate::models`] returns [`ModelError`]; commands
//! show it as is, and the plugin context wraps it into an `SdkError` naming the setting. The
//! enum is `Clone` (text only) so the UI can keep and show it later.

use std::fmt::Write as _;
use std::path::PathBuf;

/// A model reference that cannot be used, or a fetch/verify step that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The id is not in the manifest and is not a path to an existing file.
    ///
    /// ## Resolution
    /// Use an id from `liveswap models list` or a path to an `.onnx` file.
    #[error("unknown model `{reference}`: not a manifest id ({known}) and no such file")]
    UnknownId {
        /// What the profile said.
        reference: String,
        /// Known ids.
        known: String,
    },
    /// A pack name that the manifest does not declare.
    ///
    /// ## Resolution
    /// Use one of the packs `liveswap models list` shows.
    #[error("unknown model pack `{pack}` (packs: {known})")]
    UnknownPack {
        /// What was asked for.
        pack: String,
        /// Known packs.
        known: String,
    },
    /// A known model is not installed in any models dir.
    ///
    /// ## Resolution
    /// `liveswap models fetch <id>` (or `--pack <pack>`), or pass `--models-dir`.
    #[error(
        "model `{id}` ({file}) is not installed; looked in: {}; fetch it with `liveswap models fetch {id}`",
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
    /// A file or directory of the model store could not be written.
    ///
    /// ## Resolution
    /// Check free space and permissions of the models dir, or pick another with
    /// `--models-dir` / `LIVESWAP_MODELS_DIR`.
    #[error("cannot write {path}: {reason}")]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        reason: String,
    },
    /// The file's digest is not one the manifest accepts for this id: it is corrupt,
    /// truncated, or a different model.
    ///
    /// ## Resolution
    /// `liveswap models fetch <id>` replaces it with a verified copy.
    #[error(
        "model file {path} does not match manifest entry `{id}`: sha256 {found}, expected {expected}; \
         replace it with `liveswap models fetch {id}`"
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
    /// Every source of a model failed (network, HTTP status, digest mismatch, pip).
    ///
    /// ## Resolution
    /// Check the network (and `HTTPS_PROXY`); each line says what went wrong with one source.
    /// A file downloaded by hand from one of the URLs can be put at the model's path
    /// (`liveswap models path <id>`) and checked with `liveswap models verify`.
    #[error(
        "could not fetch `{id}` ({file}); every source failed:\n{}",
        lines(attempts)
    )]
    FetchFailed {
        /// Manifest id.
        id: String,
        /// File name.
        file: String,
        /// One line per source: what was tried and why it failed.
        attempts: Vec<String>,
    },
    /// Some models of a fetch failed; the others were installed.
    ///
    /// ## Resolution
    /// See the messages above for each model.
    #[error("{} of {total} model(s) could not be fetched:\n{}", failed.len(), failed.join("\n"))]
    SomeFetchesFailed {
        /// The error text of each failed model.
        failed: Vec<String>,
        /// Models that were asked for.
        total: usize,
    },
    /// `liveswap models verify` found problems (listed in its output).
    ///
    /// ## Resolution
    /// Follow the advice printed for each model (usually `liveswap models fetch <id>`).
    #[error("{failed} of {checked} installed model(s) failed verification")]
    VerifyFailed {
        /// Models with problems.
        failed: usize,
        /// Models checked.
        checked: usize,
    },
    /// The built-in manifest could not be parsed (a build defect).
    ///
    /// ## Resolution
    /// Report a bug.
    #[error("model manifest is invalid: {0}")]
    Manifest(String),
    /// `ID@int8` names an int8 copy that `liveswap models quantize` has not made here.
    ///
    /// ## Resolution
    /// `liveswap models quantize ID` makes and registers it.
    #[error(
        "`{id}` is not registered in {}: make it with `liveswap models quantize {source_id}`",
        list(searched)
    )]
    QuantizedMissing {
        /// The `ID@int8` reference.
        id: String,
        /// The source model id.
        source_id: String,
        /// Directories searched.
        searched: Vec<PathBuf>,
    },
    /// The fp32 model an int8 copy was made from is no longer the installed file: the copy's
    /// quality check no longer vouches for it.
    ///
    /// ## Resolution
    /// `liveswap models quantize ID --overwrite` makes a new copy from the installed model.
    #[error(
        "`{id}` was made from {source_id} with sha256 {recorded}, but the installed {source_id} \
         is {found}: quantize it again (`liveswap models quantize {source_id} --overwrite`)"
    )]
    QuantizedSourceChanged {
        /// The `ID@int8` reference.
        id: String,
        /// The source model id.
        source_id: String,
        /// Source digest in the record.
        recorded: String,
        /// Source digest now (or why it cannot be read).
        found: String,
    },
    /// An int8 copy's file or record is damaged or does not match.
    ///
    /// ## Resolution
    /// `liveswap models quantize ID --overwrite`.
    #[error(
        "`{id}` ({path}) cannot be used: {reason}; make it again with `liveswap models quantize --overwrite`"
    )]
    QuantizedCorrupt {
        /// The `ID@int8` reference.
        id: String,
        /// The file or record.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

fn list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn lines(items: &[String]) -> String {
    let mut s = String::new();
    for item in items {
        let _ = writeln!(s, "  - {item}");
    }
    s.trim_end().to_owned()
}
