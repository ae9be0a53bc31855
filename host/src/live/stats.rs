//! Live-run numbers: frames captured / processed / dropped, processed fps, capture→sink
//! latency percentiles and milliseconds per stage; printed on exit and written by
//! `--stats-json`.
//!
//! Definitions (the README repeats them):
//! - *captured*: frames the source delivered into the slot; *dropped*: frames replaced in
//!   the slot before processing took them (plus one left there at the end);
//!   *processed*: frames that went through the processors and were handed to the sinks.
//! - *fps*: processed frames per second of capture time: `(processed − 1) / (capture time
//!   of the last processed frame − that of the first)`, the rate a recording of the run
//!   plays at.
//! - *latency*: from a frame's capture timestamp (taken when it arrived in liveswap) to the
//!   moment the sink thread hands it to the sinks.

use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// p50 / p95 / max of the latency, in ms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Percentiles {
    /// Median.
    pub p50: f64,
    /// 95th percentile (nearest rank).
    pub p95: f64,
    /// Largest.
    pub max: f64,
}

impl Percentiles {
    /// Nearest-rank percentiles of `values` (ms); zeros when empty.
    pub fn of(values: &[f64]) -> Self {
        if values.is_empty() {
            return Self::default();
        }
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let rank = |p: f64| {
            let k = ((p / 100.0) * v.len() as f64).ceil() as usize;
            v[k.clamp(1, v.len()) - 1]
        };
        Self {
            p50: rank(50.0),
            p95: rank(95.0),
            max: v[v.len() - 1],
        }
    }
}

/// Everything `--stats-json` writes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveStats {
    /// The source, as opened.
    pub camera: String,
    /// Frame size processed.
    pub width: u32,
    /// Frame height.
    pub height: u32,
    /// Frames the source delivered.
    pub captured: u64,
    /// Frames processed and handed to the sinks.
    pub processed: u64,
    /// Frames replaced before processing took them.
    pub dropped: u64,
    /// Processed frames a processor refused (the content guard): the sinks got a blank
    /// frame instead.
    pub blocked: u64,
    /// Share of captured frames dropped, 0–1.
    pub dropped_share: f64,
    /// Processed frames per second of capture time.
    pub fps: f64,
    /// Capture → sink latency, ms.
    pub latency_ms: Percentiles,
    /// Milliseconds per processed frame of each processor, by id.
    pub stages_ms: BTreeMap<String, f64>,
    /// Milliseconds per processed frame of the host's own steps: `wait` (processing idle,
    /// waiting for a frame), `overlay`, `sinks` (all sinks, on the sink thread).
    pub host_ms: BTreeMap<String, f64>,
    /// Wall time of the run, s.
    pub wall_s: f64,
    /// Why it ended: `frames`, `duration`, `end of file`, `interrupted`, or an error text.
    pub ended: String,
}

/// Collects per-frame numbers during a run.
#[derive(Debug, Default)]
pub struct StatsCollector {
    pub(super) latencies_ms: Vec<f64>,
    pub(super) stage_time: BTreeMap<String, Duration>,
    pub(super) host_time: BTreeMap<String, Duration>,
    pub(super) first_capture_us: Option<i64>,
    pub(super) last_capture_us: Option<i64>,
    pub(super) processed: u64,
    pub(super) blocked: u64,
}

impl StatsCollector {
    /// Adds `d` to the host step `name`.
    pub fn host(&mut self, name: &str, d: Duration) {
        *self.host_time.entry(name.into()).or_default() += d;
    }

    /// One processed frame, captured at `capture_us` (run clock).
    pub fn processed(&mut self, capture_us: i64) {
        self.processed += 1;
        self.first_capture_us.get_or_insert(capture_us);
        self.last_capture_us = Some(capture_us);
    }

    /// Processed frames per second of capture time (see the module docs).
    pub fn fps(&self) -> f64 {
        match (self.first_capture_us, self.last_capture_us) {
            (Some(a), Some(b)) if b > a && self.processed > 1 => {
                (self.processed - 1) as f64 / ((b - a) as f64 / 1e6)
            }
            _ => 0.0,
        }
    }

    fn per_frame(&self, d: Duration) -> f64 {
        if self.processed == 0 {
            0.0
        } else {
            d.as_secs_f64() * 1000.0 / self.processed as f64
        }
    }

    /// The final numbers.
    #[allow(
        clippy::too_many_arguments,
        reason = "one call at the end of a run, each argument a different fact"
    )]
    pub fn finish(
        &self,
        camera: String,
        size: (u32, u32),
        captured: u64,
        dropped: u64,
        wall: Duration,
        ended: String,
    ) -> LiveStats {
        LiveStats {
            camera,
            width: size.0,
            height: size.1,
            captured,
            processed: self.processed,
            dropped,
            blocked: self.blocked,
            dropped_share: if captured == 0 {
                0.0
            } else {
                dropped as f64 / captured as f64
            },
            fps: self.fps(),
            latency_ms: Percentiles::of(&self.latencies_ms),
            stages_ms: self
                .stage_time
                .iter()
                .map(|(k, d)| (k.clone(), self.per_frame(*d)))
                .collect(),
            host_ms: self
                .host_time
                .iter()
                .map(|(k, d)| (k.clone(), self.per_frame(*d)))
                .collect(),
            wall_s: wall.as_secs_f64(),
            ended,
        }
    }
}

impl std::fmt::Display for LiveStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let stages: Vec<String> = self
            .stages_ms
            .iter()
            .chain(self.host_ms.iter())
            .map(|(k, v)| format!("{k} {v:.1}"))
            .collect();
        write!(
            f,
            "{}: {}x{}; captured {}, processed {}, dropped {} ({:.1} %); {:.2} fps; latency ms p50 {:.1}, p95 {:.1}, max {:.1}; ms per frame: {}; {:.1} s, ended: {}",
            self.camera,
            self.width,
            self.height,
            self.captured,
            self.processed,
            self.dropped,
            self.dropped_share * 100.0,
            self.fps,
            self.latency_ms.p50,
            self.latency_ms.p95,
            self.latency_ms.max,
            stages.join(", "),
            self.wall_s,
            self.ended
        )?;
        if self.blocked > 0 {
            write!(f, "; blocked by a refusal: {} frame(s)", self.blocked)?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        let p = Percentiles::of(&v);
        assert_eq!((p.p50, p.p95, p.max), (50.0, 95.0, 100.0));
        let p = Percentiles::of(&[3.0, 1.0, 2.0]);
        assert_eq!((p.p50, p.p95, p.max), (2.0, 3.0, 3.0));
        assert_eq!(Percentiles::of(&[]), Percentiles::default());
    }

    #[test]
    fn fps_is_frames_over_capture_time() {
        let mut c = StatsCollector::default();
        for k in 0..31 {
            c.processed(k * 33_333);
        }
        assert!((c.fps() - 30.0).abs() < 0.01, "{}", c.fps());
        let s = c.finish(
            "x".into(),
            (2, 2),
            40,
            9,
            Duration::from_secs(1),
            "frames".into(),
        );
        assert_eq!((s.processed, s.dropped), (31, 9));
        assert!((s.dropped_share - 0.225).abs() < 1e-9);
        let json = serde_json::to_value(&s).unwrap();
        for key in [
            "captured",
            "processed",
            "dropped",
            "fps",
            "latency_ms",
            "stages_ms",
        ] {
            assert!(json.get(key).is_some(), "{key}");
        }
    }
}
