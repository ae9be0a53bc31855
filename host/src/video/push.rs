//! Encoding frames that arrive from outside, as they come: live mode's `record:` and
//! `stream:` sinks.
//!
//! Where: the live runner's sink thread pushes each processed camera frame with the time it
//! was captured. This is the same [`VideoWriter`] as `liveswap run` (encoder choice and
//! fallback, provenance tags, colour tags, packet durations) with three differences a live
//! source needs: the time base is microseconds of capture time (frames keep their real,
//! uneven capture times, so a recording plays back at the speed it happened), the output can
//! be any FFmpeg URL with an explicit muxer (`udp://…` as MPEG-TS), and it is written
//! directly (no temporary file: a recording must survive the process being killed as far
//! as its container allows). There is no audio.

use super::encode::EncodeOptions;
use super::error::VideoError;
use super::source::{Fraction, FrameTime};
use super::writer::{Colour, EncoderChoice, VideoWriter, WriterSpec, YuvConverter};
use ffmpeg::Rational;
use ffmpeg::util::color;
use ffmpeg_next as ffmpeg;
use liveswap_sdk::OwnedImage;
use std::path::PathBuf;

/// Where and how to write pushed frames.
#[derive(Debug, Clone)]
pub struct PushSpec {
    /// A file path or an FFmpeg URL (`udp://127.0.0.1:27000`, `srt://…`, `rtmp://…`).
    pub target: PathBuf,
    /// The muxer (`mpegts`, `flv`, …); `None` guesses it from the file extension.
    pub format: Option<String>,
    /// Frame size (processors keep the camera's size).
    pub width: u32,
    /// Frame height.
    pub height: u32,
    /// The nominal frame rate (the camera's): the container's declared rate and the
    /// duration given to each frame.
    pub frame_rate: Fraction,
    /// Encoder, quality, preset, threads.
    pub encode: EncodeOptions,
}

/// An open output taking frames with capture timestamps.
pub struct PushWriter {
    writer: VideoWriter,
    conv: YuvConverter,
    period_us: i64,
    last_pts: Option<i64>,
}

impl std::fmt::Debug for PushWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushWriter")
            .field("encoder", &self.writer.choice().name)
            .finish_non_exhaustive()
    }
}

/// Microseconds, the time base of pushed frames.
const MICROS: Rational = Rational(1, 1_000_000);

impl PushWriter {
    /// Opens the output, the encoder (low-latency settings) and writes the header.
    pub fn create(spec: &PushSpec) -> Result<Self, VideoError> {
        super::init()?;
        let fps = if spec.frame_rate.num > 0 && spec.frame_rate.den > 0 {
            spec.frame_rate
        } else {
            Fraction { num: 30, den: 1 }
        };
        // Cameras deliver sRGB-ish frames; BT.709 is what players assume for them.
        let colour = Colour {
            space: color::Space::BT709,
            primaries: color::Primaries::BT709,
            transfer: color::TransferCharacteristic::BT709,
        };
        let writer = VideoWriter::create(&WriterSpec {
            input: &spec.target,
            output: &spec.target,
            width: spec.width,
            height: spec.height,
            time_base: MICROS,
            frame_rate: Rational(fps.num, fps.den),
            aspect: Rational(1, 1),
            colour,
            metadata: Vec::new(),
            options: &spec.encode,
            audio: false,
            cut_start_us: None,
            pts_offset: 0,
            origin_pts: None,
            format: spec.format.as_deref(),
            direct: true,
            low_latency: true,
        })?;
        Ok(Self {
            writer,
            conv: YuvConverter::new(),
            period_us: (1_000_000 * i64::from(fps.den) / i64::from(fps.num)).max(1),
            last_pts: None,
        })
    }

    /// The encoder in use.
    pub fn encoder(&self) -> &EncoderChoice {
        self.writer.choice()
    }

    /// Encodes one frame captured `timestamp_us` after the run's first frame. Times must
    /// increase; a repeated or earlier one is moved 1 µs after the previous frame.
    pub fn push(&mut self, image: &OwnedImage, timestamp_us: i64) -> Result<(), VideoError> {
        let pts = match self.last_pts {
            Some(last) if timestamp_us <= last => last + 1,
            _ => timestamp_us.max(0),
        };
        self.last_pts = Some(pts);
        let time = FrameTime {
            source_index: 0,
            pts,
            duration: self.period_us,
            timestamp_us: pts,
        };
        self.writer.write(&mut self.conv, image, &time)
    }

    /// Flushes the encoder and writes the trailer; returns the frames written.
    pub fn finish(self) -> Result<u64, VideoError> {
        let (report, _direct) = self.writer.finish(false)?;
        Ok(report.frames)
    }
}
