//! The host context: the only way a plugin reaches models, logging and cancellation.
//!
//! The host gives each processor instance its own [`HostBox`] at creation. Plugins keep it
//! (it is cheap to clone) and use it to open models by the reference in their settings,
//! to log through the host's `tracing` subscriber (the target is `plugin::<id>`), and to
//! notice when the user cancelled a long run.

use crate::error::SdkError;
use crate::model::{ModelBox, ModelRequest};
use abi_stable::StableAbi;
use abi_stable::sabi_trait;
use abi_stable::std_types::{RArc, RResult, RStr};

/// Log severity, mapped onto `tracing` levels by the host.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// Very detailed tracing.
    Trace,
    /// Diagnostics (skipped frames, per-frame details).
    Debug,
    /// Normal progress.
    Info,
    /// Something the user should know about.
    Warn,
    /// Something failed.
    Error,
}

/// Services the host offers a processor instance.
#[sabi_trait]
pub trait HostCtx: Send + Sync + Clone {
    /// Resolves, verifies and opens a model; the host picks the execution provider.
    fn open_model(&self, request: ModelRequest) -> RResult<ModelBox, SdkError>;

    /// Logs a message under the processor's target.
    fn log(&self, level: LogLevel, message: RStr<'_>);

    /// Whether the user asked the current run to stop; long loops should check it.
    #[sabi(last_prefix_field)]
    fn is_cancelled(&self) -> bool;
}

/// The host context as handed to a plugin.
pub type HostBox = HostCtx_TO<'static, RArc<()>>;

/// Convenience logging on a [`HostBox`].
pub trait HostLog {
    /// Logs at debug level.
    fn debug(&self, message: &str);
    /// Logs at info level.
    fn info(&self, message: &str);
    /// Logs at warn level.
    fn warn(&self, message: &str);
}

impl HostLog for HostBox {
    fn debug(&self, message: &str) {
        self.log(LogLevel::Debug, message.into());
    }
    fn info(&self, message: &str) {
        self.log(LogLevel::Info, message.into());
    }
    fn warn(&self, message: &str) {
        self.log(LogLevel::Warn, message.into());
    }
}
