//! Errors a command can end with.

use crate::inference::InferenceError;
use crate::live::LiveError;
use crate::media::MediaError;
use crate::models::ModelError;
use crate::pipeline::PipelineError;
use crate::profile::ProfileError;
use crate::video::VideoError;

/// Why a command failed. Inner errors are boxed to keep `Result`s small.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// The profile could not be read or validated.
    #[error(transparent)]
    Profile(Box<ProfileError>),
    /// An input or output file problem.
    #[error(transparent)]
    Media(Box<MediaError>),
    /// The pipeline could not start or prepare sources.
    #[error(transparent)]
    Pipeline(Box<PipelineError>),
    /// Model store problem.
    #[error(transparent)]
    Model(Box<ModelError>),
    /// ONNX Runtime problem.
    #[error(transparent)]
    Inference(Box<InferenceError>),
    /// Reading, processing or writing a video failed (or was cancelled).
    #[error(transparent)]
    Video(Box<VideoError>),
    /// `models quantize` could not make or register an int8 copy.
    #[error(transparent)]
    Quantize(Box<super::quantize::QuantizeError>),
    /// Live mode: camera, sinks, or a failure during the run.
    #[error(transparent)]
    Live(Box<LiveError>),
    /// An unknown `--execution-provider`.
    #[error("--execution-provider: {0}")]
    BadProvider(String),
    /// A `--set` that is not `PROCESSOR.KEY=VALUE`.
    #[error("--set {0}")]
    BadOverride(String),
    /// A `--map` that is not `TARGET_FACE_IMAGE=SOURCE_IMAGE`.
    #[error("--map {0}")]
    BadMap(String),
    /// A processor needs source faces and the run has none.
    ///
    /// ## Resolution
    /// Pass `--source FACE_IMAGE` (or `--map TARGET=SOURCE` pairs, or a `[[map]]` table).
    #[error(
        "{id} needs a source face: pass --source FACE_IMAGE (or --map TARGET_FACE_IMAGE=SOURCE_IMAGE)"
    )]
    NoSources {
        /// The processor that needs them.
        id: String,
    },
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
    /// A processor refused an input (code `refused`: the content guard flagged a source,
    /// the target image or a video frame). Nothing was written; a video run's partial
    /// output was removed.
    ///
    /// ## Resolution
    /// liveswap does not process such content. For a false positive, see "Responsible use"
    /// in the README.
    #[error("{input}: {id}: {error}; nothing was written")]
    Refused {
        /// The input file that was refused.
        input: String,
        /// The refusing processor.
        id: String,
        /// Its message (what, where, the score).
        error: liveswap_sdk::SdkError,
    },
    /// The terms of use were not accepted and cannot be asked for (no terminal).
    ///
    /// ## Resolution
    /// Run once in a terminal and accept, or pass `--accept-terms`, or set
    /// `LIVESWAP_ACCEPT_TERMS=1`.
    #[error("{0}")]
    TermsNotAccepted(String),
    /// The `-t` / `-o` / `--output-template` arguments do not make a set of jobs (nothing
    /// was done).
    #[error("{0}")]
    BadTargets(String),
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

/// `From` for the boxed variants, so `?` works on the inner error types.
macro_rules! boxed_from {
    ($($ty:ty => $variant:ident),* $(,)?) => {$(
        impl From<$ty> for CommandError {
            fn from(e: $ty) -> Self {
                Self::$variant(Box::new(e))
            }
        }
    )*};
}

boxed_from!(
    ProfileError => Profile,
    MediaError => Media,
    PipelineError => Pipeline,
    ModelError => Model,
    InferenceError => Inference,
    VideoError => Video,
    super::quantize::QuantizeError => Quantize,
    LiveError => Live,
);
