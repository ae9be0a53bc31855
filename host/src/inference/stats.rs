//! Time spent in model calls, per model, for `liveswap bench` and `-v` summaries.
//!
//! Where: every [`super::HostModel::run_tensors`] adds one call to the totals of its model
//! id. Two numbers per call: the whole call (input checks, ONNX Runtime, copying outputs
//! into ABI-stable tensors) and the part inside ONNX Runtime's `Session::run` alone, so a
//! benchmark can tell the share of time the networks take from the host's own overhead.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Totals of one model's calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallTotals {
    /// Number of calls.
    pub calls: u64,
    /// Whole calls, host side included.
    pub total: Duration,
    /// Inside ONNX Runtime's `run`.
    pub in_runtime: Duration,
}

/// Shared call totals, keyed by model id; cheap to clone. Also remembers the execution
/// provider each opened model's session really runs on (a session the chosen provider
/// refuses runs on CPU), for run summaries, `--report` and `bench`.
#[derive(Debug, Clone, Default)]
pub struct CallStats {
    inner: Arc<Mutex<BTreeMap<String, CallTotals>>>,
    providers: Arc<Mutex<BTreeMap<String, super::ExecutionProvider>>>,
}

impl CallStats {
    /// Notes that model `id` was opened on `provider` (kept by [`CallStats::reset`]).
    pub fn opened(&self, id: &str, provider: super::ExecutionProvider) {
        self.providers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.to_owned(), provider);
    }

    /// The provider of every model opened so far, by model id.
    pub fn providers(&self) -> BTreeMap<String, super::ExecutionProvider> {
        self.providers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// `"cpu: det_500m, w600k_mbf"` (one group per provider; `"none"` when no model ran),
    /// the text summaries name providers with.
    pub fn providers_text(&self) -> String {
        let mut by: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (id, p) in self.providers() {
            by.entry(p.to_string()).or_default().push(id);
        }
        if by.is_empty() {
            return "none".to_owned();
        }
        by.iter()
            .map(|(p, ids)| format!("{p}: {}", ids.join(", ")))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Adds one call of `model`.
    pub fn record(&self, model: &str, total: Duration, in_runtime: Duration) {
        let mut map = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let t = map.entry(model.to_owned()).or_default();
        t.calls += 1;
        t.total += total;
        t.in_runtime += in_runtime;
    }

    /// The totals so far, by model id.
    pub fn snapshot(&self) -> BTreeMap<String, CallTotals> {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Forgets everything (e.g. after a warm-up frame).
    pub fn reset(&self) {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_add_up_per_model_and_reset_clears() {
        let s = CallStats::default();
        let ms = Duration::from_millis;
        s.record("a", ms(10), ms(8));
        s.clone().record("a", ms(5), ms(4));
        s.record("b", ms(1), ms(1));
        let snap = s.snapshot();
        assert_eq!(
            snap["a"],
            CallTotals {
                calls: 2,
                total: ms(15),
                in_runtime: ms(12)
            }
        );
        assert_eq!(snap["b"].calls, 1);
        s.reset();
        assert!(s.snapshot().is_empty());
    }
}
