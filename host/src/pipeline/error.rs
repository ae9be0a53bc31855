//! Errors building or running a pipeline.

use liveswap_sdk::SdkError;

/// " (needed by a, b)" when a later stage needs the failed one, else nothing.
fn needed_suffix(needed_by: &[String]) -> String {
    if needed_by.is_empty() {
        String::new()
    } else {
        format!(" (needed by {})", needed_by.join(", "))
    }
}

/// A pipeline that cannot be built or used.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// A processor's `create` returned an error that the user must fix (a missing, corrupt
    /// or wrong model, a bad setting: codes `model`, `model.signature`, `setting`), or any
    /// error while a later stage needs the data it provides (`needed_by`). Other start-up
    /// faults leave the processor out instead, and the run ends with exit status 3.
    ///
    /// ## Resolution
    /// Follow the processor's message; `--set` or the profile can change its settings.
    #[error("{id}: cannot start: {error}{}", needed_suffix(needed_by))]
    CreateFailed {
        /// Processor id.
        id: String,
        /// Its error.
        error: SdkError,
        /// The later stages that need what it provides.
        needed_by: Vec<String>,
    },
    /// A processor panicked while being created and a later stage needs it.
    ///
    /// ## Resolution
    /// This is a plugin bug: disable the processor in the profile and report it.
    #[error("{id}: panicked while starting: {error}{}", needed_suffix(needed_by))]
    CreatePanicked {
        /// Processor id.
        id: String,
        /// The caught panic.
        error: SdkError,
        /// The later stages that need what it provides.
        needed_by: Vec<String>,
    },
    /// A processor's warm-up failed (or panicked) and a later stage needs it.
    ///
    /// ## Resolution
    /// Follow the processor's message.
    #[error("{id}: warm-up failed: {error}{}", needed_suffix(needed_by))]
    WarmupFailed {
        /// Processor id.
        id: String,
        /// Its error.
        error: SdkError,
        /// The later stages that need what it provides.
        needed_by: Vec<String>,
    },
    /// A stage names a plugin that is not loaded (the profile was validated against another set).
    ///
    /// ## Resolution
    /// Re-validate the profile against the loaded plugins.
    #[error("{id}: plugin is not loaded")]
    NotLoaded {
        /// Processor id.
        id: String,
    },
    /// A live setting change was refused (unknown key, not live, wrong type, out of range,
    /// or the processor rejected it).
    ///
    /// ## Resolution
    /// `liveswap plugins` lists each setting with its range and whether it is live.
    #[error("{id}.{key}: {reason}")]
    Setting {
        /// Processor id.
        id: String,
        /// Setting key.
        key: String,
        /// Why.
        reason: String,
    },
    /// A source image has no usable face.
    ///
    /// ## Resolution
    /// Use a source photo with one clearly visible face.
    #[error("{label}: no face found in the source image")]
    NoSourceFace {
        /// The source file.
        label: String,
    },
    /// The profile has no processor that finds faces, so sources cannot be prepared.
    ///
    /// ## Resolution
    /// Enable `face_analyser` in the profile.
    #[error("--source needs a processor that finds faces (enable face_analyser in the profile)")]
    NoAnalyser,
    /// Every stage that analyses faces failed on a source image.
    ///
    /// ## Resolution
    /// Follow the processor's message.
    #[error("{label}: analysing the source failed: {error}")]
    SourceAnalysis {
        /// The source file.
        label: String,
        /// The processor's error.
        error: SdkError,
    },
}
