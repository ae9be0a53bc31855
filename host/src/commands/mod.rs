//! The work behind each command. Output goes to a writer so tests can capture it.

mod analyse;
mod bench;
mod cameras;
mod error;
mod faces;
mod join;
mod live;
mod models_cmd;
mod plan;
mod plugins_cmd;
mod preview;
mod profile_cmd;
mod providers_cmd;
mod quantize;
mod report;
mod run;
mod run_profile;
mod run_sources;
mod run_targets;
mod run_video;
mod segment;
mod setup;

pub use analyse::{AnalyseJson, FaceJson, analyse};
pub use bench::{BenchReport, ModelTiming, bench, peak_rss};
pub use cameras::{NO_CAMERA_HELP, cameras};
pub use error::CommandError;
pub use faces::faces;
pub use join::join;
pub use live::{LIVE_DEFAULTS, live, live_global};
pub use models_cmd::{fetch as models_fetch, models, select_entries, verify_cmd as models_verify};
pub use plan::plan;
pub use plugins_cmd::plugins;
pub use preview::preview;
pub use profile_cmd::profile_check;
pub use providers_cmd::providers;
pub use quantize::{Figures as QuantizeFigures, QuantizeError, Role as QuantizeRole, quantize};
pub use report::{SwapReport, swap_reports};
pub(crate) use run::refusal;
pub use run::run;
pub(crate) use run_sources::prepare_one;
pub use run_sources::{FaceArgs, SELECTION_KEY, SourcePlan, SourceSpec, parse_map};
pub use run_video::is_video_target;
pub(crate) use run_video::{StageStats, check_video_target, stream_video};
pub use segment::{WarmupRule, settings_lines};
pub use setup::{Host, inference_options, parse_overrides};

/// How a command ended when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    /// Everything worked.
    Clean,
    /// Output was written, but some processor failed or was disabled (reported on stderr).
    WithProblems,
}
