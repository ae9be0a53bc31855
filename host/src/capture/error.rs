//! Why capture could not start or stopped.

use std::path::PathBuf;

/// A capture problem; messages name the camera asked for.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaptureError {
    /// `--camera` text that names nothing.
    #[error("{0}")]
    BadSpec(String),
    /// The system lists no cameras.
    ///
    /// ## Resolution
    /// Plug one in; check permissions (the `video` group on Linux) and `v4l2-ctl --list-devices`.
    #[error(
        "{asked}: no camera was found on this system (check that one is plugged in, that you may use it — on Linux the `video` group — and `v4l2-ctl --list-devices`); a video file can stand in: --camera file:clip.mp4"
    )]
    NoCameras {
        /// What was asked for.
        asked: String,
    },
    /// Cameras exist but none matches.
    #[error("{asked} was not found; cameras found: {found}")]
    NotFound {
        /// What was asked for.
        asked: String,
        /// The list, `0: name (path)`.
        found: String,
    },
    /// The camera exists but could not be opened (busy, permissions, no usable format).
    #[error("{asked} cannot be opened: {reason}; cameras found: {found}")]
    Open {
        /// What was asked for.
        asked: String,
        /// The backend's reason.
        reason: String,
        /// The list.
        found: String,
    },
    /// Listing devices failed.
    #[error("cannot list cameras: {0}")]
    Query(String),
    /// A frame could not be read (camera gone, driver error).
    #[error("{camera}: reading a frame failed: {reason}")]
    Read {
        /// The camera.
        camera: String,
        /// Why.
        reason: String,
    },
    /// The file camera's video cannot be read.
    #[error("file camera {}: {reason}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The capture thread could not run.
    #[error("capture thread: {0}")]
    Thread(String),
}
