//! Live mode: a camera (or a video file played as one) through the processors to sinks,
//! in real time.
//!
//! One vocabulary for every run: a frame **source** (image, video file, camera, file as
//! camera — [`crate::capture`]), the processor [`crate::pipeline::Pipeline`], and frame
//! **sinks** (encoder, window, virtual camera, stream — [`sink`]). `liveswap run` drives an
//! image or a video file source into the encoder sink ([`crate::video`]); `liveswap live`
//! drives a camera into any sinks ([`run::run_live`]), and the UI will drive the same.
//!
//! - [`run`] — the loop and its threads (capture, processing, sinks), latest frame wins.
//! - [`beside`] — stages that only look at a frame (the content guard) on a thread of their
//!   own, beside the others.
//! - [`sink`] — `window`, `v4l2:`, `stream:`, `record:`; [`v4l2`]: the loopback output;
//!   [`window`]: the preview window.
//! - [`control`] — live setting changes, as `set PROC.KEY=VALUE` lines.
//! - [`stats`] — the numbers (captured, processed, dropped, fps, latency, per-stage ms).
//! - [`overlay`] — the `--show-fps` text.
//! - [`warm`] — the frame the pipeline is warmed up on before the camera starts.

pub mod beside;
pub mod control;
mod error;
pub mod overlay;
pub mod run;
pub mod sink;
pub mod stats;
pub mod v4l2;
pub mod warm;
pub mod window;
pub mod window_app;

pub use error::LiveError;
pub use run::{LiveConfig, LiveOutcome, run_live};
pub use sink::SinkSpec;
pub use stats::{LiveStats, Percentiles};
