//! Running a validated profile: processor instances, host services, frames.
//!
//! [`Services`] is what the host owns and lends to plugins (inference, model store,
//! cancellation); [`Pipeline`] holds one processor instance per enabled profile stage and
//! runs them in order over each frame. A processor that panics is disabled for the rest of
//! the run and reported; the others keep running.

mod context;
mod error;
mod plugin_log;
mod runner;
mod services;
mod sources;

pub use error::PipelineError;
pub use plugin_log::target_of as plugin_log_target;
pub use runner::{FrameReport, Pipeline, StageEvent, StageTiming};
pub use services::{InferenceOptions, Services};
pub use sources::pick_source_face;
