//! Errors a command can end with.

use crate::inference::InferenceError;
use crate::media::MediaError;
use crate::models::ModelError;
use crate::pipeline::PipelineError;
use crate::profile::ProfileError;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// The profile could not be read or validated.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// An input or output file problem.
    #[error(transparent)]
    Media(#[from] MediaError),
    /// The pipeline could not start or prepare sources.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// Model store problem.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// ONNX Runtime problem.
    #[error(transparent)]
    Inference(#[from] InferenceError),
    /// An unknown `--execution-provider`.
    #[error("--execution-provider: {0}")]
    BadProvider(String),
    /// A `--set` that is not `PROCESSOR.KEY=VALUE`.
    #[error("--set {0}")]
    BadOverride(String),
    /// A needed plugin is not loaded.
    ///
    /// ## Resolution
    /// Run `liveswap plugins` to see what loaded and why others failed.
    #[error("plugin `{id}` is not available: {why}")]
    PluginMissing {
        /// Plugin id.
        id: String,
        /// What the loader knows.
        why: String,
    },
    /// A processor failed on the frame and no output could be made.
    #[error("{0}")]
    Processing(String),
    /// Writing to stdout failed.
    #[error("cannot write output: {0}")]
    Io(#[from] std::io::Error),
    /// JSON serialization failed.
    #[error("cannot encode JSON: {0}")]
    Json(#[from] serde_json::Error),
}
