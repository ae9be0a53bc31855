//! TOML profiles: which processors run, in which order, with which settings.
//!
//! A profile is read in two stages, low level to high level:
//! 1. [`RawProfile`] — strict TOML deserialization (unknown keys rejected), no knowledge of
//!    plugins;
//! 2. [`Profile`] — validated against the loaded plugins' descriptors: known ids, setting
//!    types, ranges and choices, declared data dependencies. Every problem is collected and
//!    reported as `file: processor.key: message`.
//!
//! List order is pipeline order; `enabled = false` keeps the processor's slot so re-enabling
//! restores the pipeline.
//!
//! ```toml
//! schema_version = 1
//!
//! [[processors]]
//! id = "face_analyser"
//! [processors.settings]
//! det_size = 640
//!
//! [[processors]]
//! id = "face_debugger"
//! enabled = false
//! ```

mod builtin;
mod embedding_space;
mod error;
mod overrides;
mod raw;
mod validate;

pub use builtin::{BUILTIN_PROFILES, DEFAULT_PROFILE, ResolvedProfile, builtin_text};
pub use error::{ProfileError, ProfileIssue};
pub use overrides::{Addition, Override, Position, apply_edits, parse_addition, parse_override};
pub use raw::{RawMapEntry, RawProcessorEntry, RawProfile, SCHEMA_VERSION};
pub use validate::{
    Profile, Stage, check_value, effective_provides, value_from_text, value_from_toml,
    value_to_toml,
};
