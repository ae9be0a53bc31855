//! Segments of one video for scale-out rendering: which frames segment K of N covers, and
//! the manifest each segment run writes beside its file.
//!
//! Where: `liveswap run --segment K/N` cuts the target with [`SegmentSpec::range`], renders
//! that range through the ordinary streamed run (seeking to the keyframe before its warm-up,
//! see [`super::VideoJob::warmup`]) and writes a [`SegmentManifest`] to `<output>.json`;
//! `liveswap join` reads the manifests back, checks that they belong together and remuxes
//! the files ([`super::join_segments`]); `liveswap plan` prints the same ranges.
//!
//! The cut is on frame numbers from the video's [`super::FrameIndex`]: segment K covers
//! frames `⌊K·F/N⌋ .. ⌊(K+1)·F/N⌋` of the F frames, so the segments are contiguous, never
//! overlap, differ in length by at most one frame and together cover every frame once.

use super::error::VideoError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// `--segment K/N`: segment K (0-based) of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentSpec {
    /// Which segment, `0 ≤ index < count`.
    pub index: u64,
    /// How many segments.
    pub count: u64,
}

impl SegmentSpec {
    /// Frames `start..end` of a video of `frames` frames.
    pub fn range(&self, frames: u64) -> (u64, u64) {
        let cut = |k: u64| (u128::from(k) * u128::from(frames) / u128::from(self.count)) as u64;
        (cut(self.index), cut(self.index + 1))
    }

    /// Every segment's range for `count` segments of `frames` frames.
    pub fn all(count: u64, frames: u64) -> Vec<(u64, u64)> {
        (0..count)
            .map(|index| Self { index, count }.range(frames))
            .collect()
    }
}

impl std::fmt::Display for SegmentSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for SegmentSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}`: write K/N, e.g. `0/4` for the first of 4 segments"))?;
        let parse = |t: &str| {
            t.trim()
                .parse::<u64>()
                .map_err(|_| format!("`{s}`: `{t}` is not a whole number"))
        };
        let (index, count) = (parse(k)?, parse(n)?);
        if count == 0 {
            return Err(format!("`{s}`: N must be at least 1"));
        }
        if index >= count {
            return Err(format!(
                "`{s}`: K counts from 0, so it must be below N (0/{count} … {}/{count})",
                count - 1
            ));
        }
        Ok(Self { index, count })
    }
}

/// Frames before a segment's first frame to process without writing: at least `min`,
/// extended so that the warm-up starts on a multiple of `period` (the frames where a run
/// from the start does its periodic work: whole-frame detection, identity refresh, enhancer
/// runs), and never before frame 0. `period` 0 or 1 means no alignment.
pub fn aligned_warmup(start: u64, min: u64, period: u64) -> u64 {
    if start <= min {
        return start;
    }
    let from = start - min;
    let from = if period > 1 {
        from - from % period
    } else {
        from
    };
    start - from
}

/// The manifest format version written in [`SegmentManifest::format`].
pub const MANIFEST_FORMAT: &str = "liveswap-segment/1";

/// The source video of a segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestSource {
    /// The target as given to `run`, made absolute.
    pub path: PathBuf,
    /// sha256 of the file.
    pub sha256: String,
    /// Frames in its video stream (from the frame index).
    pub frames: u64,
    /// Average frame rate, e.g. `30000/1001`.
    pub frame_rate: String,
    /// The video stream's time base, e.g. `1/30000`.
    pub time_base: String,
}

/// Which frames a segment holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFrames {
    /// First frame written.
    pub start: u64,
    /// One past the last frame written.
    pub end: u64,
    /// Frames processed before `start` without being written.
    pub warmup: u64,
    /// The keyframe decoding started at.
    pub decoded_from: u64,
}

/// The written frames' times, in the source's video time base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestTimes {
    /// Time base of the two timestamps.
    pub time_base: String,
    /// Timestamp of the first written frame.
    pub first_pts: i64,
    /// Timestamp of the end of the last written frame.
    pub end_pts: i64,
    /// `first_pts` in seconds on the stream's clock (for people).
    pub first_s: f64,
    /// `end_pts` in seconds on the stream's clock (for people).
    pub end_s: f64,
}

/// How the segment's video was encoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEncoder {
    /// The encoder that wrote it.
    pub name: String,
    /// Its options (`crf=18 preset=medium`).
    pub options: String,
}

/// The profile and the inputs that shaped the pixels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestProfile {
    /// The profile file as given.
    pub path: PathBuf,
    /// sha256 over the validated pipeline: every stage's id, whether it runs and every
    /// setting (defaults and `--set` included), one `id.key=value` line each.
    pub sha256: String,
    /// Those lines.
    pub settings: Vec<String>,
    /// Face images (sources, reference faces, map pairs) as `role path sha256`.
    pub inputs: Vec<String>,
}

/// `<segment file>.json`: what `join` needs to check that segments belong together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentManifest {
    /// [`MANIFEST_FORMAT`].
    pub format: String,
    /// The liveswap version that rendered it.
    pub liveswap: String,
    /// K of `--segment K/N`.
    pub index: u64,
    /// N of `--segment K/N`.
    pub count: u64,
    /// The segment's video file, by name, in the manifest's folder.
    pub file: String,
    /// sha256 of that file.
    pub file_sha256: String,
    /// The video it was cut from.
    pub source: ManifestSource,
    /// Its frames.
    pub frames: ManifestFrames,
    /// Their times.
    pub timestamps: ManifestTimes,
    /// Its encoder.
    pub encoder: ManifestEncoder,
    /// What processed it.
    pub profile: ManifestProfile,
    /// When it was written (seconds since the Unix epoch).
    pub written_unix_s: u64,
}

impl SegmentManifest {
    /// The manifest path for a segment file: `<file>.json`.
    pub fn path_for(segment: &Path) -> PathBuf {
        let mut name = segment.as_os_str().to_owned();
        name.push(".json");
        PathBuf::from(name)
    }

    /// The segment file this manifest describes.
    pub fn segment_path(&self, manifest: &Path) -> PathBuf {
        manifest
            .parent()
            .unwrap_or_else(|| Path::new("."))
            .join(&self.file)
    }

    /// Writes it atomically (temporary name, then rename) to `path`.
    pub fn write(&self, path: &Path) -> Result<(), VideoError> {
        let err = |e: String| VideoError::Write {
            path: path.into(),
            reason: e,
        };
        let tmp = crate::media::TempOutput::new(path).map_err(|e| err(e.to_string()))?;
        let text = serde_json::to_string_pretty(self).map_err(|e| err(e.to_string()))?;
        std::fs::write(tmp.path(), text + "\n").map_err(|e| err(e.to_string()))?;
        tmp.commit().map_err(|e| err(e.to_string()))
    }

    /// Reads one.
    pub fn read(path: &Path) -> Result<Self, VideoError> {
        let bad = |reason: String| VideoError::BadSegment {
            path: path.into(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| {
            bad(format!(
                "cannot read the manifest ({e}); every `run --segment` writes one beside its output"
            ))
        })?;
        let m: Self = serde_json::from_str(&text)
            .map_err(|e| bad(format!("not a liveswap segment manifest: {e}")))?;
        if m.format != MANIFEST_FORMAT {
            return Err(bad(format!(
                "manifest format `{}`, this liveswap reads `{MANIFEST_FORMAT}`",
                m.format
            )));
        }
        Ok(m)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn segments_cover_every_frame_once() {
        for (frames, count) in [(275, 3), (10, 10), (7, 3), (1000, 7), (5, 1)] {
            let all = SegmentSpec::all(count, frames);
            assert_eq!(all[0].0, 0);
            assert_eq!(all.last().unwrap().1, frames);
            for w in all.windows(2) {
                assert_eq!(w[0].1, w[1].0, "contiguous");
            }
            let (min, max) = all
                .iter()
                .fold((u64::MAX, 0), |(a, b), (s, e)| (a.min(e - s), b.max(e - s)));
            assert!(max - min <= 1, "{frames}/{count}: {all:?}");
        }
        assert_eq!(
            SegmentSpec::all(3, 275),
            vec![(0, 91), (91, 183), (183, 275)]
        );
    }

    #[test]
    fn specs_parse_and_refuse() {
        assert_eq!("2/4".parse(), Ok(SegmentSpec { index: 2, count: 4 }));
        for bad in ["4/4", "1/0", "a/2", "3", "-1/2", ""] {
            assert!(bad.parse::<SegmentSpec>().is_err(), "{bad}");
        }
        assert!(
            "4/4"
                .parse::<SegmentSpec>()
                .unwrap_err()
                .contains("below N")
        );
    }

    #[test]
    fn warmup_starts_on_the_period() {
        // Start 100, at least 4 frames, period 30: warm up from 90.
        assert_eq!(aligned_warmup(100, 4, 30), 10);
        // 93 - 4 = 89 → 60.
        assert_eq!(aligned_warmup(93, 4, 30), 33);
        assert_eq!(aligned_warmup(3, 4, 30), 3);
        assert_eq!(aligned_warmup(100, 4, 1), 4);
        assert_eq!(aligned_warmup(0, 4, 30), 0);
    }
}
