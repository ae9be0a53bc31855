//! Errors that cross the plugin boundary.
//!
//! A plugin never returns a Rust error type to the host: it returns [`SdkError`], plain
//! ABI-stable data with a machine-readable `code`, a human `message` and an optional `help`
//! line. The host maps it into its own `thiserror` types at the loader edge. Panics inside a
//! plugin are caught by the export glue ([`crate::export_processor!`]) and arrive as an
//! `SdkError` whose code is [`codes::PANICKED`].

use abi_stable::StableAbi;
use abi_stable::std_types::{ROption, RString};
use std::fmt;

/// Well-known error codes. Plugins may use their own codes too (`"<plugin_id>.<what>"`); the
/// host only treats the ones listed here specially.
pub mod codes {
    /// The plugin panicked; the host disables it for the rest of the run.
    pub const PANICKED: &str = "panicked";
    /// A setting value was rejected (unknown key, wrong type, out of range, not live-changeable).
    pub const SETTING: &str = "setting";
    /// A model could not be resolved, verified or opened.
    pub const MODEL: &str = "model";
    /// A model file does not have the inputs/outputs the processor needs.
    pub const MODEL_SIGNATURE: &str = "model.signature";
    /// Running a model failed.
    pub const INFERENCE: &str = "inference";
    /// The input frame or data is unusable (wrong size, missing faces, ...).
    pub const INPUT: &str = "input";
    /// The host asked the work to stop.
    pub const CANCELLED: &str = "cancelled";
    /// A processor was used after an earlier panic poisoned it.
    pub const POISONED: &str = "poisoned";
    /// The processor refuses the input (a content policy, e.g. the content guard): the host
    /// ends an image or video run without writing anything, and blanks live output while
    /// frames are refused. The message says what was refused and why.
    pub const REFUSED: &str = "refused";
    /// Anything else.
    pub const INTERNAL: &str = "internal";
}

/// An error as data: what went wrong (`code`, `message`) and what the user can do (`help`).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
pub struct SdkError {
    /// Machine-readable code, one of [`codes`] or `"<plugin_id>.<what>"`.
    pub code: RString,
    /// One-line description of what went wrong.
    pub message: RString,
    /// Optional hint for the user ("run `liveswap models fetch`").
    pub help: ROption<RString>,
}

impl SdkError {
    /// An error with a code and message and no help text.
    pub fn new(code: impl Into<RString>, message: impl Into<RString>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            help: ROption::RNone,
        }
    }

    /// Adds a help line.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<RString>) -> Self {
        self.help = ROption::RSome(help.into());
        self
    }

    /// Shorthand for an [`codes::INPUT`] error.
    pub fn input(message: impl Into<RString>) -> Self {
        Self::new(codes::INPUT, message)
    }

    /// Shorthand for a [`codes::SETTING`] error.
    pub fn setting(message: impl Into<RString>) -> Self {
        Self::new(codes::SETTING, message)
    }

    /// Shorthand for an [`codes::INTERNAL`] error.
    pub fn internal(message: impl Into<RString>) -> Self {
        Self::new(codes::INTERNAL, message)
    }

    /// Whether this error reports a caught panic.
    pub fn is_panic(&self) -> bool {
        self.code.as_str() == codes::PANICKED
    }
}

impl fmt::Display for SdkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let ROption::RSome(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

impl std::error::Error for SdkError {}

/// `Result` with an [`SdkError`], the return type of every plugin-side entry point.
pub type SdkResult<T> = Result<T, SdkError>;
