//! Why a live run could not start or ended early.

use crate::capture::CaptureError;
use crate::video::VideoError;

/// A live-mode problem.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LiveError {
    /// The camera could not be opened or failed.
    #[error(transparent)]
    Capture(#[from] CaptureError),
    /// An `--output` that names no sink.
    #[error("--output {text}: {reason}")]
    BadSink {
        /// The text given.
        text: String,
        /// Why and what is expected.
        reason: String,
    },
    /// A sink could not be opened (checked before capture starts).
    #[error("{sink} cannot be opened: {reason}")]
    SinkOpen {
        /// The sink, as given.
        sink: String,
        /// Why.
        reason: String,
    },
    /// A sink failed while running (stream receiver gone, disk full, device removed).
    #[error("{sink} failed: {reason}")]
    SinkFailed {
        /// The sink.
        sink: String,
        /// Why.
        reason: String,
    },
    /// The camera stopped delivering frames during the run.
    #[error("the camera stopped: {0}")]
    CameraLost(String),
    /// Encoding for a `record:` or `stream:` sink failed.
    #[error(transparent)]
    Video(#[from] VideoError),
    /// Writing the statistics file failed.
    #[error("--stats-json {path}: {reason}")]
    Stats {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}
