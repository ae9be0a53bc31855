//! The work behind each command. Output goes to a writer so tests can capture it.

mod analyse;
mod error;
mod plugins_cmd;
mod profile_cmd;
mod run;
mod setup;

pub use analyse::{AnalyseJson, FaceJson, analyse};
pub use error::CommandError;
pub use plugins_cmd::plugins;
pub use profile_cmd::profile_check;
pub use run::run;
pub use setup::{Host, parse_overrides};

/// How a command ended when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    /// Everything worked.
    Clean,
    /// Output was written, but some processor failed or was disabled (reported on stderr).
    WithProblems,
}
