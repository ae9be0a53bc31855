//! Why a plugin library could not be loaded, one variant per loading step.

use liveswap_sdk::SdkError;
use std::path::PathBuf;

/// A plugin library that could not be loaded. The host reports it and carries on with the
/// plugins that did load.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be opened as a shared library (missing, wrong architecture,
    /// missing dependency, not a shared library at all).
    ///
    /// ## Resolution
    /// Rebuild the plugin for this platform, or remove the file from the plugin folder.
    #[error("{path}: cannot open as a shared library: {reason}")]
    Open {
        /// The library file.
        path: PathBuf,
        /// The loader's reason (from `dlopen`/`LoadLibrary`).
        reason: String,
    },
    /// The library opened but exports no liveswap root module: it is not a liveswap plugin.
    ///
    /// ## Resolution
    /// Remove the file from the plugin folder, or rebuild it with `liveswap_sdk::export_processor!`.
    #[error("{path}: not a liveswap plugin (no root module symbol): {reason}")]
    NotAPlugin {
        /// The library file.
        path: PathBuf,
        /// Details from the symbol lookup.
        reason: String,
    },
    /// The plugin was built against an sdk version this host cannot load.
    ///
    /// ## Resolution
    /// Rebuild the plugin against the host's sdk version, or use a matching host.
    #[error("{path}: `{id}` was built for sdk {plugin_sdk}, this host provides sdk {host_sdk}")]
    IncompatibleVersion {
        /// The library file.
        path: PathBuf,
        /// Plugin id from the file name.
        id: String,
        /// The sdk version the plugin was built with.
        plugin_sdk: String,
        /// The sdk version of this host.
        host_sdk: String,
    },
    /// The plugin's types do not have the layout this host expects (built with a modified
    /// or mismatched sdk or abi_stable).
    ///
    /// ## Resolution
    /// Rebuild the plugin against the released sdk the host was built with.
    #[error("{path}: ABI mismatch with the host's sdk: {detail}")]
    AbiMismatch {
        /// The library file.
        path: PathBuf,
        /// First lines of abi_stable's report.
        detail: String,
    },
    /// The plugin's `describe` entry returned an error or panicked.
    ///
    /// ## Resolution
    /// This is a bug in the plugin; report it to its authors.
    #[error("{path}: describe failed: {error}")]
    Describe {
        /// The library file.
        path: PathBuf,
        /// What the plugin reported (code `panicked` for a caught panic).
        error: SdkError,
    },
    /// The plugin described itself inconsistently (id not matching its file name, a
    /// setting default outside its own range, …).
    ///
    /// ## Resolution
    /// Fix the plugin's description, or rename the file to `<prefix><id>`.
    #[error("{path}: invalid plugin description: {reason}")]
    InvalidInfo {
        /// The library file.
        path: PathBuf,
        /// What is inconsistent.
        reason: String,
    },
    /// A setting of the plugin has a kind this host's sdk does not know: the plugin was built
    /// against a newer sdk that added the kind. The host cannot validate or offer it.
    ///
    /// ## Resolution
    /// Update liveswap to a version whose sdk knows the kind, or use a plugin version built
    /// against this host's sdk.
    #[error(
        "{path}: `{id}` setting `{key}` has a setting kind this host does not know (code {code}; \
         the plugin was built for sdk {plugin_sdk}, this host provides sdk {host_sdk})"
    )]
    UnknownSettingKind {
        /// The library file.
        path: PathBuf,
        /// Plugin id.
        id: String,
        /// The setting's key.
        key: String,
        /// The kind's code.
        code: u8,
        /// The sdk version the plugin was built with.
        plugin_sdk: String,
        /// The sdk version of this host.
        host_sdk: String,
    },
    /// Another plugin with the same id was found earlier in the search path; this one is ignored.
    ///
    /// ## Resolution
    /// Remove one of the two, or order `--plugin-dir`s to pick the one you want.
    #[error("{path}: plugin `{id}` is already loaded from {first}; ignoring this copy")]
    Duplicate {
        /// The ignored library file.
        path: PathBuf,
        /// Plugin id.
        id: String,
        /// The file that was loaded.
        first: PathBuf,
    },
}

impl LoadError {
    /// Short name of the loading step that failed, for listings.
    pub fn step(&self) -> &'static str {
        match self {
            Self::Open { .. } => "open",
            Self::NotAPlugin { .. } => "symbol",
            Self::IncompatibleVersion { .. } => "version",
            Self::AbiMismatch { .. } => "layout",
            Self::Describe { .. } => "describe",
            Self::InvalidInfo { .. } | Self::UnknownSettingKind { .. } => "validate",
            Self::Duplicate { .. } => "duplicate",
        }
    }
}
