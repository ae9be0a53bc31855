//! Which frames the guard classifies.
//!
//! Source images and still targets are always checked. Of a video or live stream the first
//! frame is checked, then the first frame at least `every` of stream time (the frame's
//! `timestamp_us`, presentation or capture time) after the last checked one. A timestamp that
//! goes backwards (a looped clip, a restarted camera) starts over with a check. Between two
//! checks the last verdict stands: a live stream that was flagged stays refused until a checked
//! frame is clean.

use liveswap_sdk::FrameKind;

/// What the classifier said about the last checked frame of a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// NSFW probability.
    pub score: f32,
    /// Whether it reached the threshold.
    pub flagged: bool,
    /// The refusal message, when flagged.
    pub message: String,
}

/// The per-stream sampling state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sampler {
    last_checked_us: Option<i64>,
    last: Option<Verdict>,
}

impl Sampler {
    /// Whether the frame must be classified, for a period of `every_s` seconds.
    pub fn due(&self, kind: FrameKind, index: u64, timestamp_us: i64, every_s: f64) -> bool {
        if kind != FrameKind::VIDEO && kind != FrameKind::LIVE {
            return true;
        }
        let Some(last) = self.last_checked_us else {
            return true;
        };
        if index == 0 || timestamp_us < last {
            return true;
        }
        // Microseconds, rounded: 1 s → 1_000_000 µs exactly.
        let period = (every_s * 1e6).round() as i64;
        timestamp_us - last >= period
    }

    /// Records the verdict of a checked stream frame.
    pub fn checked(&mut self, kind: FrameKind, timestamp_us: i64, verdict: Verdict) {
        if kind == FrameKind::VIDEO || kind == FrameKind::LIVE {
            self.last_checked_us = Some(timestamp_us);
            self.last = Some(verdict);
        }
    }

    /// The verdict that stands for an unchecked stream frame.
    pub fn standing(&self) -> Option<&Verdict> {
        self.last.as_ref()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn clean() -> Verdict {
        Verdict {
            score: 0.01,
            flagged: false,
            message: String::new(),
        }
    }

    /// Frames of a 30000/1001 fps clip: which indices get checked at 1 s?
    #[test]
    fn a_29_97_fps_clip_is_checked_once_a_second_starting_with_the_first_frame() {
        let mut s = Sampler::default();
        let mut checked = Vec::new();
        for i in 0..100u64 {
            let ts = (i as f64 * 1001.0 / 30000.0 * 1e6).round() as i64;
            if s.due(FrameKind::VIDEO, i, ts, 1.0) {
                checked.push(i);
                s.checked(FrameKind::VIDEO, ts, clean());
            }
        }
        // 30 frames = 1.001 s ≥ 1 s; 29 frames = 0.967 s.
        assert_eq!(checked, vec![0, 30, 60, 90]);
    }

    #[test]
    fn stills_and_sources_are_always_checked_and_do_not_touch_the_stream_state() {
        let mut s = Sampler::default();
        s.checked(FrameKind::VIDEO, 0, clean());
        assert!(!s.due(FrameKind::VIDEO, 1, 10, 1.0));
        assert!(s.due(FrameKind::STILL, 0, 0, 1.0));
        assert!(s.due(FrameKind::SOURCE, 0, 0, 1.0));
        s.checked(FrameKind::SOURCE, 5_000_000, clean());
        assert!(
            !s.due(FrameKind::VIDEO, 2, 20, 1.0),
            "a source is not a stream frame"
        );
    }

    #[test]
    fn zero_period_checks_every_frame_and_a_timestamp_going_back_restarts() {
        let mut s = Sampler::default();
        s.checked(FrameKind::LIVE, 1_000, clean());
        assert!(s.due(FrameKind::LIVE, 1, 1_001, 0.0));
        assert!(!s.due(FrameKind::LIVE, 1, 1_001, 1.0));
        assert!(s.due(FrameKind::LIVE, 5, 500, 1.0), "clip looped");
        let flagged = Verdict {
            score: 0.9,
            flagged: true,
            message: "x".into(),
        };
        s.checked(FrameKind::LIVE, 2_000, flagged.clone());
        assert_eq!(s.standing(), Some(&flagged));
    }
}
