//! CPU session options: graph optimisation level, intra-op spinning, the memory arena and
//! thread pinning.
//!
//! Where it sits: [`super::session::InferenceService::open`] applies a [`CpuTuning`] to every
//! session it creates (the arena through [`super::providers`], the CPU provider's own
//! setting). The global flags `--graph-optimization`, `--ort-spinning`, `--ort-arena` and
//! `--ort-pinning` fill it; `host/scripts/bench-ort-options.sh` measures each against the
//! defaults (README, "ONNX Runtime session options").
//!
//! Why these four: on a 2-core machine ONNX Runtime's intra-op threads share the cores with
//! decode, encode, capture and the paste-back. Spinning keeps an idle intra-op thread busy
//! waiting for the next operator (lower latency per operator, but cycles taken from the
//! other threads between model calls); pinning fixes intra-op threads to cores; the arena
//! keeps freed buffers for the next call; the optimisation level decides how much the graph
//! is fused at load time.

use std::fmt;
use std::str::FromStr;

/// How much ONNX Runtime rewrites a graph when it opens it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum GraphLevel {
    /// No rewriting.
    Off,
    /// Constant folding and redundant-node removal.
    Basic,
    /// Basic plus operator fusions.
    Extended,
    /// Everything, including layout changes (NCHWc on CPU).
    #[default]
    All,
}

impl GraphLevel {
    /// Every level, weakest first.
    pub const ALL: [GraphLevel; 4] = [Self::Off, Self::Basic, Self::Extended, Self::All];

    /// ONNX Runtime's level.
    pub(crate) fn ort(self) -> ort::session::builder::GraphOptimizationLevel {
        use ort::session::builder::GraphOptimizationLevel as L;
        match self {
            Self::Off => L::Disable,
            Self::Basic => L::Level1,
            Self::Extended => L::Level2,
            Self::All => L::All,
        }
    }
}

impl fmt::Display for GraphLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Off => "off",
            Self::Basic => "basic",
            Self::Extended => "extended",
            Self::All => "all",
        })
    }
}

impl FromStr for GraphLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|l| l.to_string().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown graph optimization level {s:?}: use off, basic, extended or all")
            })
    }
}

/// An on/off flag as the command line spells it (`on`/`off`, also `true`/`false`, `1`/`0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Switch(pub bool);

impl FromStr for Switch {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "on" | "true" | "1" | "yes" => Ok(Self(true)),
            "off" | "false" | "0" | "no" => Ok(Self(false)),
            _ => Err(format!("expected on or off, got {s:?}")),
        }
    }
}

/// The CPU session options of every model this process opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuTuning {
    /// Graph optimisation level.
    pub graph: GraphLevel,
    /// Let idle intra-op threads spin waiting for work.
    pub spinning: bool,
    /// Keep freed CPU buffers for reuse (ONNX Runtime's arena allocator).
    pub arena: bool,
    /// Pin the intra-op worker threads, one per core from the second core on (ONNX Runtime
    /// does not pin the calling thread, which does the first share of every operator).
    pub pinning: bool,
}

impl Default for CpuTuning {
    /// What the measurements kept (README, "ONNX Runtime session options").
    fn default() -> Self {
        Self {
            graph: GraphLevel::All,
            spinning: DEFAULT_SPINNING,
            arena: true,
            pinning: false,
        }
    }
}

/// Spinning's default: off. Measured (README, "ONNX Runtime session options"): with spinning on,
/// the idle intra-op threads keep a core busy after each model call, and the paste-back,
/// decode and encode that run next on these 2 cores slow down by more than spinning saves.
pub const DEFAULT_SPINNING: bool = false;

impl CpuTuning {
    /// ONNX Runtime's `session.intra_op_thread_affinities` value for `threads` intra-op
    /// threads on `cores` logical processors: one entry per worker thread (`threads - 1`;
    /// the caller's thread is not pinned), 1-based processor numbers, separated by `;`.
    /// `None` when pinning is off, there is only one thread, or there are more threads than
    /// cores (pinning two threads to one core would only make them take turns).
    pub fn affinities(&self, threads: usize, cores: usize) -> Option<String> {
        if !self.pinning || threads < 2 || threads > cores {
            return None;
        }
        // Workers on processors 2..=threads; the calling thread is left to the scheduler.
        Some(
            (2..=threads)
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(";"),
        )
    }
}

impl fmt::Display for CpuTuning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let on = |b: bool| if b { "on" } else { "off" };
        write!(
            f,
            "graph optimization {}, spinning {}, arena {}, pinning {}",
            self.graph,
            on(self.spinning),
            on(self.arena),
            on(self.pinning)
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn levels_and_switches_parse_as_the_flags_spell_them() {
        for level in GraphLevel::ALL {
            assert_eq!(level.to_string().parse::<GraphLevel>().unwrap(), level);
        }
        assert_eq!(
            "EXTENDED".parse::<GraphLevel>().unwrap(),
            GraphLevel::Extended
        );
        assert!(
            "fast"
                .parse::<GraphLevel>()
                .unwrap_err()
                .contains("off, basic")
        );
        assert_eq!("on".parse::<Switch>().unwrap(), Switch(true));
        assert_eq!("Off".parse::<Switch>().unwrap(), Switch(false));
        assert!("maybe".parse::<Switch>().is_err());
    }

    #[test]
    fn pinning_names_one_core_per_worker_thread_and_only_when_it_fits() {
        let pinned = CpuTuning {
            pinning: true,
            ..CpuTuning::default()
        };
        assert_eq!(pinned.affinities(2, 2).as_deref(), Some("2"));
        assert_eq!(pinned.affinities(4, 8).as_deref(), Some("2;3;4"));
        assert_eq!(pinned.affinities(1, 2), None);
        assert_eq!(pinned.affinities(4, 2), None);
        assert_eq!(CpuTuning::default().affinities(2, 2), None);
    }
}
