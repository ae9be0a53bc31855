//! The frame index of a video stream: every frame's presentation timestamp and which frames
//! are keyframes, read by demuxing the file once without decoding anything.
//!
//! Where: [`super::source::VideoSource::seek_to_frame`] uses it to start decoding at the
//! keyframe before a wanted frame (`--trim`, `preview --frame`, `--segment`) and still number
//! every frame exactly as decoding from the start would; `--segment` and `liveswap plan` use
//! its frame count to cut a video into segments. Why demux instead of trusting the
//! container: the frame count a header declares can be off (edit lists, B-frame delays),
//! and a frame's number is its rank in presentation order, which only the timestamps of all
//! packets give. Demuxing reads the file but decodes nothing (well under a second for a
//! minute of HD video).
//!
//! A frame's number is its rank among the stream's presentation timestamps, counting only
//! the packets the decoder will output (packets the demuxer marks as discarded, e.g. before
//! an MP4 edit list's start, are left out). Files whose packets lack timestamps or repeat
//! them have no index ([`FrameIndex::scan`] returns `None`): they are decoded from the start.

use super::error::VideoError;
use super::ffi;
use ffmpeg::{Packet, Rational, Rescale};
use ffmpeg_next as ffmpeg;
use std::path::Path;

const MICROS: Rational = Rational(1, 1_000_000);

/// Every frame of one video stream, in presentation order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameIndex {
    /// Presentation timestamps (stream time base), ascending; position = frame number.
    pts: Vec<i64>,
    /// Frame numbers of the keyframes, ascending.
    keyframes: Vec<u64>,
    time_base: Rational,
}

impl FrameIndex {
    /// Demuxes `path` and indexes stream `stream`. `Ok(None)` when the stream cannot be
    /// indexed (a packet without a timestamp, repeated timestamps, no keyframe first).
    pub fn scan(path: &Path, stream: usize) -> Result<Option<Self>, VideoError> {
        let mut input = ffmpeg::format::input(path).map_err(|e| VideoError::Open {
            path: path.into(),
            reason: e.to_string(),
        })?;
        let time_base = input
            .stream(stream)
            .map(|s| s.time_base())
            .ok_or_else(|| VideoError::NoVideoStream { path: path.into() })?;
        let mut entries: Vec<(i64, bool)> = Vec::new();
        loop {
            let mut packet = Packet::empty();
            match packet.read(&mut input) {
                Ok(()) if packet.stream() == stream => {
                    if ffi::packet_discarded(&packet) {
                        continue;
                    }
                    let Some(pts) = packet.pts() else {
                        return Ok(None);
                    };
                    entries.push((pts, packet.is_key()));
                }
                Ok(()) => {}
                Err(ffmpeg::Error::Eof) => break,
                // A damaged file is reported by the decoder, which names the frame.
                Err(_) => return Ok(None),
            }
        }
        Ok(Self::from_entries(entries, time_base))
    }

    /// Builds the index from (pts, is keyframe) in any order.
    fn from_entries(mut entries: Vec<(i64, bool)>, time_base: Rational) -> Option<Self> {
        entries.sort_unstable_by_key(|e| e.0);
        if entries.is_empty() || entries.windows(2).any(|w| w[0].0 == w[1].0) {
            return None;
        }
        let mut keyframes: Vec<u64> = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.1)
            .map(|(i, _)| i as u64)
            .collect();
        // The start of the file is where decoding from the start begins, whatever its flag.
        if keyframes.first() != Some(&0) {
            keyframes.insert(0, 0);
        }
        Some(Self {
            pts: entries.into_iter().map(|e| e.0).collect(),
            keyframes,
            time_base,
        })
    }

    /// Number of frames.
    pub fn frames(&self) -> u64 {
        self.pts.len() as u64
    }

    /// Timestamp of frame `n` (stream time base).
    pub fn pts(&self, n: u64) -> Option<i64> {
        self.pts.get(usize::try_from(n).ok()?).copied()
    }

    /// The first frame's timestamp.
    pub fn first_pts(&self) -> Option<i64> {
        self.pts.first().copied()
    }

    /// The number of the frame with timestamp `pts`.
    pub fn frame_of(&self, pts: i64) -> Option<u64> {
        self.pts.binary_search(&pts).ok().map(|i| i as u64)
    }

    /// The first frame whose presentation time from `start_pts` is at least `us` µs.
    pub fn frame_at_time(&self, start_pts: i64, us: i64) -> u64 {
        self.pts
            .partition_point(|&p| (p - start_pts).rescale(self.time_base, MICROS) < us)
            as u64
    }

    /// The last keyframe at or before frame `n`.
    pub fn keyframe_before(&self, n: u64) -> u64 {
        let i = self.keyframes.partition_point(|&k| k <= n);
        self.keyframes[i.saturating_sub(1)]
    }

    /// The keyframes' numbers.
    pub fn keyframes(&self) -> &[u64] {
        &self.keyframes
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn frames_are_ranked_by_timestamp() {
        // Decode order of an IBBP stream: I0 P3 B1 B2 P6 B4 B5, keyframe at 6 too.
        let entries = vec![
            (0, true),
            (300, false),
            (100, false),
            (200, false),
            (600, true),
            (400, false),
            (500, false),
        ];
        let ix = FrameIndex::from_entries(entries, Rational(1, 1000)).unwrap();
        assert_eq!(ix.frames(), 7);
        assert_eq!(ix.frame_of(400), Some(4));
        assert_eq!(ix.frame_of(401), None);
        assert_eq!(ix.keyframes(), &[0, 6]);
        assert_eq!(ix.keyframe_before(5), 0);
        assert_eq!(ix.keyframe_before(6), 6);
        assert_eq!(ix.keyframe_before(99), 6);
        assert_eq!(ix.frame_at_time(0, 250_000), 3);
        assert_eq!(ix.frame_at_time(0, 200_000), 2);
        assert_eq!(ix.frame_at_time(0, 9_000_000), 7);
        // Repeated timestamps: no index. The first frame always counts as a place to start.
        assert!(FrameIndex::from_entries(vec![(0, true), (0, false)], Rational(1, 1)).is_none());
        let ix = FrameIndex::from_entries(vec![(0, false), (1, true)], Rational(1, 1)).unwrap();
        assert_eq!(ix.keyframes(), &[0, 1]);
    }
}
