//! `--trim START..END` and `--frame N`: choosing frames by number or by time.
//!
//! A bare integer is a 0-based frame number; a time has a unit or colons: `2.5s`, `1500ms`,
//! `1:02.5` (minutes:seconds), `0:01:02.5` (hours:minutes:seconds). Times are presentation
//! times from the start of the video stream. The range includes START and excludes END, and
//! either end may be left out (`100..`, `..5s`). Frame numbers and times may be mixed.

use super::error::VideoError;
use std::str::FromStr;

/// One end of a range, or one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FramePoint {
    /// A 0-based frame number.
    Frame(u64),
    /// A presentation time in microseconds from the start of the stream.
    Time(i64),
}

impl std::fmt::Display for FramePoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Frame(n) => write!(f, "frame {n}"),
            Self::Time(us) => write!(f, "{:.3}s", *us as f64 / 1e6),
        }
    }
}

impl FramePoint {
    /// Whether the frame with this number and time comes at or after the point.
    pub fn reached(&self, index: u64, timestamp_us: i64) -> bool {
        match *self {
            Self::Frame(n) => index >= n,
            Self::Time(t) => timestamp_us >= t,
        }
    }
}

fn parse_seconds(text: &str) -> Option<f64> {
    let v: f64 = text.parse().ok()?;
    (v.is_finite() && v >= 0.0).then_some(v)
}

impl FromStr for FramePoint {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Err("empty".into());
        }
        if s.bytes().all(|b| b.is_ascii_digit()) {
            return s
                .parse()
                .map(Self::Frame)
                .map_err(|_| format!("`{s}`: frame number too large"));
        }
        let seconds = if let Some(ms) = s.strip_suffix("ms") {
            parse_seconds(ms).map(|v| v / 1000.0)
        } else if let Some(sec) = s.strip_suffix('s') {
            parse_seconds(sec)
        } else if s.contains(':') {
            let parts: Vec<&str> = s.split(':').collect();
            if parts.len() > 3 {
                None
            } else {
                let mut total = 0.0;
                let mut ok = true;
                let last = parts.len() - 1;
                for (i, p) in parts.iter().enumerate() {
                    // Only the seconds may have a fraction.
                    let v = if i == last {
                        parse_seconds(p)
                    } else {
                        p.parse::<u64>().ok().map(|v| v as f64)
                    };
                    match v {
                        Some(v) => total = total * 60.0 + v,
                        None => ok = false,
                    }
                }
                ok.then_some(total)
            }
        } else {
            return Err(format!(
                "`{s}`: write a frame number (`120`) or a time with a unit (`4s`, `1500ms`, `1:02.5`)"
            ));
        };
        match seconds {
            Some(v) if v < 1e9 => Ok(Self::Time((v * 1e6).round() as i64)),
            _ => Err(format!(
                "`{s}`: not a time (use `4s`, `1500ms`, `1:02.5` or `0:01:02.5`)"
            )),
        }
    }
}

/// A `--trim` range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Trim {
    /// First frame kept (inclusive); `None` = from the beginning.
    pub start: Option<FramePoint>,
    /// First frame no longer kept (exclusive); `None` = to the end.
    pub end: Option<FramePoint>,
}

/// Where a frame lies relative to a [`Trim`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrimPosition {
    /// Before the range: skip it.
    Before,
    /// Inside: process it.
    Inside,
    /// At or past the end: stop.
    After,
}

impl Trim {
    /// Classifies the frame with this source number and time.
    pub fn position(&self, index: u64, timestamp_us: i64) -> TrimPosition {
        if self.end.is_some_and(|e| e.reached(index, timestamp_us)) {
            TrimPosition::After
        } else if self.start.is_some_and(|s| !s.reached(index, timestamp_us)) {
            TrimPosition::Before
        } else {
            TrimPosition::Inside
        }
    }

    /// The whole video.
    pub fn is_everything(&self) -> bool {
        self.start.is_none() && self.end.is_none()
    }

    /// Frames the trim keeps out of a video of `frames` frames at `fps`, for progress
    /// estimates.
    pub fn estimate(&self, frames: u64, fps: f64) -> u64 {
        let to_frame = |p: FramePoint| match p {
            FramePoint::Frame(n) => n,
            FramePoint::Time(us) => (us as f64 / 1e6 * fps).ceil().max(0.0) as u64,
        };
        let start = self.start.map_or(0, to_frame).min(frames);
        let end = self.end.map_or(frames, to_frame).min(frames);
        end.saturating_sub(start)
    }
}

impl FromStr for Trim {
    type Err = VideoError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |reason: String| VideoError::BadOption {
            option: format!("--trim {s}"),
            reason,
        };
        let (a, b) = s
            .split_once("..")
            .ok_or_else(|| bad("expected START..END, e.g. `30..90`, `2s..5s` or `10s..`".into()))?;
        let point = |t: &str| -> Result<Option<FramePoint>, VideoError> {
            if t.trim().is_empty() {
                Ok(None)
            } else {
                t.parse().map(Some).map_err(bad)
            }
        };
        let trim = Self {
            start: point(a)?,
            end: point(b)?,
        };
        if trim.is_everything() {
            return Err(bad("give a start, an end or both".into()));
        }
        match (trim.start, trim.end) {
            (Some(FramePoint::Frame(x)), Some(FramePoint::Frame(y))) if x >= y => {
                Err(bad("the end must come after the start".into()))
            }
            (Some(FramePoint::Time(x)), Some(FramePoint::Time(y))) if x >= y => {
                Err(bad("the end must come after the start".into()))
            }
            _ => Ok(trim),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn points_parse_as_frames_or_times() {
        assert_eq!("120".parse(), Ok(FramePoint::Frame(120)));
        assert_eq!("2.5s".parse(), Ok(FramePoint::Time(2_500_000)));
        assert_eq!("1500ms".parse(), Ok(FramePoint::Time(1_500_000)));
        assert_eq!("1:02.5".parse(), Ok(FramePoint::Time(62_500_000)));
        assert_eq!("1:00:00".parse(), Ok(FramePoint::Time(3_600_000_000)));
        for bad in ["", "1.5", "-3", "abc", "1:2:3:4", "1.5:3", "xs", "-1s"] {
            assert!(bad.parse::<FramePoint>().is_err(), "{bad}");
        }
    }

    #[test]
    fn trims_parse_and_classify() {
        let t: Trim = "10..20".parse().unwrap();
        assert_eq!(t.position(9, 0), TrimPosition::Before);
        assert_eq!(t.position(10, 0), TrimPosition::Inside);
        assert_eq!(t.position(19, 0), TrimPosition::Inside);
        assert_eq!(t.position(20, 0), TrimPosition::After);
        let t: Trim = "1s..".parse().unwrap();
        assert_eq!(t.position(0, 999_999), TrimPosition::Before);
        assert_eq!(t.position(0, 1_000_000), TrimPosition::Inside);
        assert_eq!(t.position(u64::MAX, i64::MAX), TrimPosition::Inside);
        let t: Trim = "..0.5s".parse().unwrap();
        assert_eq!(t.position(0, 0), TrimPosition::Inside);
        assert_eq!(t.position(15, 500_000), TrimPosition::After);
        for bad in ["", "..", "10", "20..10", "2s..1s", "1..x", "1.5..2"] {
            assert!(bad.parse::<Trim>().is_err(), "{bad}");
        }
        assert_eq!("30..90".parse::<Trim>().unwrap().estimate(275, 29.97), 60);
        assert_eq!("2s..".parse::<Trim>().unwrap().estimate(100, 25.0), 50);
        assert_eq!("..500".parse::<Trim>().unwrap().estimate(100, 25.0), 100);
    }
}
