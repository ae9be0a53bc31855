//! Errors that reach the window. They are `Clone` (iced messages are cloned and kept in
//! the state), so the host's error types travel inside an `Arc`, and each one says what to
//! do next ([`UiError::hint`]).

use crate::commands::CommandError;
use crate::media::MediaError;
use crate::models::ModelError;
use crate::pipeline::PipelineError;
use crate::profile::ProfileError;
use crate::video::VideoError;
use std::sync::Arc;

/// Something the app could not do, shown in the window.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum UiError {
    /// A host operation failed (profile, file, pipeline, model, video).
    #[error(transparent)]
    Host(Arc<CommandError>),
    /// The input the user gave cannot be used (no target yet, bad path…).
    #[error("{0}")]
    Input(String),
    /// The preview worker thread is gone (it panicked or the app is closing).
    #[error("the preview worker stopped; restart liveswap ui")]
    WorkerGone,
    /// A newer preview request replaced this one before it ran.
    #[error("superseded by a newer request")]
    Superseded,
    /// A render was cancelled; nothing was written.
    #[error("cancelled; no file was written")]
    Cancelled,
}

impl UiError {
    /// What the user can do about it, in one sentence (empty when the message says it).
    pub fn hint(&self) -> &'static str {
        let Self::Host(e) = self else {
            return "";
        };
        match &**e {
            CommandError::Profile(_) => "Fix the setting named above, or pick another profile.",
            CommandError::Media(m) => match **m {
                MediaError::Exists { .. } => "Choose another output name, or confirm overwriting.",
                MediaError::SameAsInput { .. } => "Choose an output that is not one of the inputs.",
                _ => "Check the file path, or pick another file.",
            },
            CommandError::Model(_) => {
                "Fetch the missing models with the Fetch button, or pick another model."
            }
            CommandError::Pipeline(p) => match **p {
                PipelineError::NoSourceFace { .. } => {
                    "Use a source photo with one clearly visible face."
                }
                PipelineError::NoAnalyser => "Switch on a processor that finds faces.",
                PipelineError::CreateFailed { .. } | PipelineError::WarmupFailed { .. } => {
                    "If a model is missing, fetch it (Models panel); otherwise change the setting named."
                }
                _ => "Change the profile, or switch the processor named off.",
            },
            CommandError::Video(_) => "Check that the video plays, or pick another file.",
            CommandError::NoSources { .. } => "Add a source face photo.",
            _ => "",
        }
    }
}

impl From<CommandError> for UiError {
    fn from(e: CommandError) -> Self {
        Self::Host(Arc::new(e))
    }
}

/// `From` for the host error types, through [`CommandError`].
macro_rules! via_command {
    ($($ty:ty),* $(,)?) => {$(
        impl From<$ty> for UiError {
            fn from(e: $ty) -> Self {
                Self::from(CommandError::from(e))
            }
        }
    )*};
}

via_command!(
    ProfileError,
    MediaError,
    PipelineError,
    ModelError,
    VideoError
);
