//! Reading a video: what it contains ([`VideoInfo`]) and its frames, decoded to RGB8.
//!
//! Where: the decode thread of [`super::transcode`] and [`super::extract_frame`] drive a
//! [`VideoSource`]. Frames come out in presentation order with their source number, their
//! timestamp in the stream's own time base (passed to the encoder unchanged, so variable
//! frame rates survive) and the same time in microseconds (what processors see).
//!
//! Seeking ([`VideoSource::seek_to_frame`]): to reach frame N without decoding everything
//! before it, the demuxer jumps to the keyframe at or before N (found in the
//! [`FrameIndex`]) and decoding starts there; each frame's number then comes from the index
//! (its timestamp's rank), so numbers, timestamps and pixels are the ones decoding from the
//! start gives. A jump that lands anywhere else (the first packet after it is not a
//! keyframe at or before N) is undone by reopening the file and decoding from the start.
//!
//! Strictness: any demuxing or decoding error is fatal ([`VideoError::Corrupt`]), and so is
//! a file that yields clearly fewer frames than its container declares (a truncated
//! download). FFmpeg's own tools conceal such damage; liveswap refuses it, because a
//! silently shortened or glitched output is worse than a clear error.

use super::error::VideoError;
use super::ffi;
use super::index::FrameIndex;
use ffmpeg::format::Pixel;
use ffmpeg::software::scaling;
use ffmpeg::{Packet, Rational, Rescale, codec, decoder, format, frame, media};
use ffmpeg_next as ffmpeg;
use liveswap_sdk::OwnedImage;
use std::path::{Path, PathBuf};

/// `AV_NOPTS_VALUE`: "no timestamp".
const NO_PTS: i64 = i64::MIN;
/// Microseconds, as a time base.
const MICROS: Rational = Rational(1, 1_000_000);

/// An exact fraction (frame rate, time base), e.g. `30000/1001`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fraction {
    /// Numerator.
    pub num: i32,
    /// Denominator.
    pub den: i32,
}

impl Fraction {
    /// The value as a float (0 when the denominator is 0).
    pub fn as_f64(&self) -> f64 {
        if self.den == 0 {
            0.0
        } else {
            f64::from(self.num) / f64::from(self.den)
        }
    }

    fn from_rational(r: Rational) -> Self {
        Self {
            num: r.numerator(),
            den: r.denominator(),
        }
    }

    fn is_valid(&self) -> bool {
        self.num > 0 && self.den > 0
    }
}

impl std::fmt::Display for Fraction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

/// The audio track liveswap would carry over.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioInfo {
    /// FFmpeg codec name, e.g. `aac`.
    pub codec: String,
    /// Samples per second.
    pub sample_rate: u32,
    /// Channel count.
    pub channels: u16,
}

/// What a video file contains, as far as liveswap cares.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoInfo {
    /// The file.
    pub path: PathBuf,
    /// FFmpeg's demuxer name, e.g. `mov,mp4,m4a,3gp,3g2,mj2`.
    pub container: String,
    /// Video codec name, e.g. `h264`.
    pub codec: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Average frame rate (exact, e.g. `30000/1001`); the output keeps it.
    pub frame_rate: Fraction,
    /// The video stream's time base.
    pub time_base: Fraction,
    /// Frame count the container declares, when it does (MP4 and MOV do; Matroska does not).
    pub frames: Option<u64>,
    /// Duration of the video stream (or of the file, when the stream does not say), in µs.
    pub duration_us: Option<i64>,
    /// The best audio stream, if any.
    pub audio: Option<AudioInfo>,
}

impl VideoInfo {
    /// Frames declared by the container, else estimated from duration × frame rate.
    pub fn estimated_frames(&self) -> Option<u64> {
        self.frames.or_else(|| {
            let d = self.duration_us?;
            let fps = self.frame_rate.as_f64();
            (d > 0 && fps > 0.0).then(|| (d as f64 / 1e6 * fps).round() as u64)
        })
    }
}

/// One decoded frame's place in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameTime {
    /// 0-based number of the frame in the source.
    pub source_index: u64,
    /// Presentation timestamp in the video stream's time base.
    pub pts: i64,
    /// Display duration in the stream's time base (the nominal one when the file does not say).
    pub duration: i64,
    /// Presentation time in µs from the start of the video stream.
    pub timestamp_us: i64,
}

/// A decoded frame, still in FFmpeg's pixel format.
pub(super) struct RawFrame {
    pub frame: frame::Video,
    pub time: FrameTime,
}

fn open_error(path: &Path, e: impl std::fmt::Display) -> VideoError {
    VideoError::Open {
        path: path.into(),
        reason: e.to_string(),
    }
}

/// An opened input with its video decoder.
pub(super) struct VideoSource {
    path: PathBuf,
    input: format::context::Input,
    stream: usize,
    time_base: Rational,
    start_pts: Option<i64>,
    nominal_duration: i64,
    decoder: decoder::Video,
    eof_sent: bool,
    packets: u64,
    next_index: u64,
    last_pts: Option<i64>,
    declared_frames: Option<u64>,
    declared_end_us: Option<i64>,
    last_end_us: i64,
    /// After a seek: numbers frames by their timestamps.
    index: Option<FrameIndex>,
    /// After a seek: frames before this one may be damaged (they can refer to pictures
    /// before the keyframe); they are only skipped, so damage there is not an error.
    wanted_from: u64,
    /// The first packet read after a seek (read to check where the seek landed).
    pending: Option<Packet>,
}

/// Parses Matroska's `DURATION` stream tag (`HH:MM:SS.nnnnnnnnn`) into µs.
fn parse_tag_duration(text: &str) -> Option<i64> {
    let mut parts = text.trim().split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let secs = h.parse::<u64>().ok()? as f64 * 3600.0
        + m.parse::<u64>().ok()? as f64 * 60.0
        + s.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)?;
    Some((secs * 1e6).round() as i64)
}

impl VideoSource {
    /// Opens `path`, finds its best video stream and opens a decoder using
    /// `decode_threads` threads.
    pub fn open(path: &Path, decode_threads: usize) -> Result<(Self, VideoInfo), VideoError> {
        super::init()?;
        if !path.is_file() {
            return Err(open_error(path, "no such file"));
        }
        let input = format::input(path).map_err(|e| open_error(path, e))?;
        let stream = input
            .streams()
            .best(media::Type::Video)
            .ok_or_else(|| VideoError::NoVideoStream { path: path.into() })?;
        let index = stream.index();
        let time_base = stream.time_base();
        let mut frame_rate = Fraction::from_rational(stream.avg_frame_rate());
        if !frame_rate.is_valid() {
            frame_rate = Fraction::from_rational(stream.rate());
        }
        if !frame_rate.is_valid() {
            return Err(open_error(path, "the video stream has no frame rate"));
        }
        let mut context = codec::context::Context::from_parameters(stream.parameters())
            .map_err(|e| open_error(path, e))?;
        context.set_threading(codec::threading::Config {
            kind: codec::threading::Type::Frame,
            count: decode_threads.max(1),
            ..Default::default()
        });
        let decoder = context
            .decoder()
            .video()
            .map_err(|e| open_error(path, format!("no decoder for the video codec: {e}")))?;
        let declared_frames = u64::try_from(stream.frames()).ok().filter(|&n| n > 0);
        // Matroska keeps the stream's length in a tag rather than in the header.
        let tagged_us = stream
            .metadata()
            .get("DURATION")
            .and_then(parse_tag_duration);
        let stream_us = (stream.duration() > 0)
            .then(|| stream.duration().rescale(time_base, MICROS))
            .or(tagged_us);
        let duration_us = stream_us.or_else(|| (input.duration() > 0).then_some(input.duration()));
        let audio = input.streams().best(media::Type::Audio).map(|a| {
            let params = a.parameters();
            let (rate, channels) = codec::context::Context::from_parameters(params.clone())
                .ok()
                .and_then(|c| c.decoder().audio().ok())
                .map(|d| (d.rate(), d.channels()))
                .unwrap_or((0, 0));
            AudioInfo {
                codec: params.id().name().to_string(),
                sample_rate: rate,
                channels,
            }
        });
        let info = VideoInfo {
            path: path.into(),
            container: input.format().name().to_string(),
            codec: stream.parameters().id().name().to_string(),
            width: decoder.width(),
            height: decoder.height(),
            frame_rate,
            time_base: Fraction::from_rational(time_base),
            frames: declared_frames,
            duration_us,
            audio,
        };
        if info.width == 0 || info.height == 0 {
            return Err(open_error(path, "the video stream has no picture size"));
        }
        let one_frame = Rational(frame_rate.den, frame_rate.num);
        let nominal_duration = 1i64.rescale(one_frame, time_base).max(1);
        let start = stream.start_time();
        let source = Self {
            path: path.into(),
            input,
            stream: index,
            time_base,
            start_pts: (start != NO_PTS).then_some(start),
            nominal_duration,
            decoder,
            eof_sent: false,
            packets: 0,
            next_index: 0,
            last_pts: None,
            declared_frames,
            declared_end_us: stream_us,
            last_end_us: 0,
            index: None,
            wanted_from: 0,
            pending: None,
        };
        Ok((source, info))
    }

    /// Indexes the video stream (see [`FrameIndex`]); `None` when it cannot be indexed.
    pub fn scan_index(&self) -> Result<Option<FrameIndex>, VideoError> {
        FrameIndex::scan(&self.path, self.stream)
    }

    /// The timestamp decoding from the start takes as time 0 (the stream's start time, or
    /// its first frame's timestamp).
    pub fn start_pts(&self, index: &FrameIndex) -> i64 {
        self.start_pts.or(index.first_pts()).unwrap_or(0)
    }

    /// Positions the source so that the next frames are decoded from the keyframe at or
    /// before `frame`; frames before `frame` still come out (with their right numbers) and
    /// are for the caller to skip. Must be called before the first frame is read. Returns
    /// the frame decoding starts from.
    pub fn seek_to_frame(&mut self, index: FrameIndex, frame: u64) -> Result<u64, VideoError> {
        let key = index.keyframe_before(frame);
        let wanted_pts = index.pts(frame).unwrap_or(i64::MAX);
        if self.start_pts.is_none() {
            self.start_pts = index.first_pts();
        }
        self.wanted_from = frame;
        if key == 0 {
            self.index = Some(index);
            return Ok(0);
        }
        let key_pts = index.pts(key).unwrap_or(0);
        // avformat_seek_file with no stream takes AV_TIME_BASE (µs) absolute times; the
        // demuxer lands on the last keyframe at or before the time.
        let target_us = key_pts.rescale(self.time_base, MICROS);
        let landed = match self.input.seek(target_us, ..target_us) {
            Ok(()) => self.first_packet_after_seek()?,
            Err(e) => {
                tracing::debug!(%e, "seeking failed");
                None
            }
        };
        let good = landed
            .as_ref()
            .and_then(|p| Some(p.is_key() && p.pts()? <= wanted_pts))
            .unwrap_or(false);
        if !good {
            tracing::debug!(
                frame,
                "the seek did not land on a keyframe before the frame; decoding from the start"
            );
            self.input = format::input(&self.path).map_err(|e| open_error(&self.path, e))?;
            self.decoder.flush();
            self.pending = None;
            self.index = None;
            return Ok(0);
        }
        self.decoder.flush();
        self.pending = landed;
        self.next_index = key;
        self.index = Some(index);
        Ok(key)
    }

    /// Reads up to the first video packet after a seek.
    fn first_packet_after_seek(&mut self) -> Result<Option<Packet>, VideoError> {
        loop {
            let mut packet = Packet::empty();
            match packet.read(&mut self.input) {
                Ok(()) if packet.stream() == self.stream => {
                    if ffi::packet_discarded(&packet) {
                        continue;
                    }
                    return Ok(Some(packet));
                }
                Ok(()) => {}
                Err(ffmpeg::Error::Eof) => return Ok(None),
                Err(e) => return Err(self.corrupt(format!("reading the file failed: {e}"))),
            }
        }
    }

    /// The video stream's time base.
    pub fn time_base(&self) -> Rational {
        self.time_base
    }

    /// The decoder (for its colour properties).
    pub fn decoder(&self) -> &decoder::Video {
        &self.decoder
    }

    fn corrupt(&self, reason: impl std::fmt::Display) -> VideoError {
        let at = match self.last_pts {
            Some(pts) => format!(
                "frame {} ({:.3}s)",
                self.next_index,
                (pts - self.start_pts.unwrap_or(0)).rescale(self.time_base, MICROS) as f64 / 1e6
            ),
            None => format!("frame {} (packet {})", self.next_index, self.packets),
        };
        VideoError::Corrupt {
            path: self.path.clone(),
            at,
            reason: reason.to_string(),
        }
    }

    /// The next frame in presentation order, or `None` at the end of the stream.
    pub fn next_frame(&mut self) -> Result<Option<RawFrame>, VideoError> {
        let mut frame = frame::Video::empty();
        loop {
            match self.decoder.receive_frame(&mut frame) {
                Ok(()) => {
                    let damaged = frame.is_corrupt() || frame.has_decode_errors();
                    let time = self.stamp(&frame)?;
                    if damaged && time.source_index >= self.wanted_from {
                        return Err(self.corrupt("the decoder reported damaged picture data"));
                    }
                    return Ok(Some(RawFrame { frame, time }));
                }
                Err(ffmpeg::Error::Eof) => {
                    self.check_complete()?;
                    return Ok(None);
                }
                Err(ffmpeg::Error::Other { errno }) if errno == ffmpeg::error::EAGAIN => {
                    if self.eof_sent {
                        return Ok(None);
                    }
                    self.feed()?;
                }
                Err(e) => return Err(self.corrupt(e)),
            }
        }
    }

    /// Reads packets until one of the video stream was sent to the decoder, or the end.
    fn feed(&mut self) -> Result<(), VideoError> {
        if let Some(packet) = self.pending.take() {
            self.packets += 1;
            return self
                .decoder
                .send_packet(&packet)
                .map_err(|e| self.corrupt(e));
        }
        loop {
            let mut packet = Packet::empty();
            match packet.read(&mut self.input) {
                Ok(()) => {
                    if packet.stream() != self.stream {
                        continue;
                    }
                    self.packets += 1;
                    if packet.is_corrupt() {
                        return Err(self.corrupt("the demuxer flagged a damaged packet"));
                    }
                    return self
                        .decoder
                        .send_packet(&packet)
                        .map_err(|e| self.corrupt(e));
                }
                Err(ffmpeg::Error::Eof) => {
                    self.eof_sent = true;
                    return self.decoder.send_eof().map_err(|e| self.corrupt(e));
                }
                Err(e) => return Err(self.corrupt(format!("reading the file failed: {e}"))),
            }
        }
    }

    /// At the end: a container that declares N frames must have given about N.
    fn check_complete(&self) -> Result<(), VideoError> {
        if let Some(declared) = self.declared_frames {
            // Edit lists and B-frame delays can legitimately hide a few frames.
            let tolerance = (declared / 100).max(3);
            if self.next_index + tolerance < declared {
                return Err(self.corrupt(format!(
                    "the file ends after {} of the {declared} frames it declares (truncated?)",
                    self.next_index
                )));
            }
        } else if let Some(declared) = self.declared_end_us {
            let tolerance = (declared / 20).max(500_000);
            if self.last_end_us + tolerance < declared {
                return Err(self.corrupt(format!(
                    "the video ends at {:.3}s but the file declares {:.3}s (truncated?)",
                    self.last_end_us as f64 / 1e6,
                    declared as f64 / 1e6
                )));
            }
        }
        Ok(())
    }

    fn stamp(&mut self, frame: &frame::Video) -> Result<FrameTime, VideoError> {
        let guess = self.last_pts.map_or(0, |last| last + self.nominal_duration);
        let mut pts = frame.timestamp().or(frame.pts()).unwrap_or(guess);
        if let Some(last) = self.last_pts
            && pts <= last
        {
            // Keep timestamps strictly increasing (broken files repeat them); the encoder
            // and muxers refuse anything else.
            pts = last + 1;
        }
        let start = *self.start_pts.get_or_insert(pts);
        let duration = match frame.packet().duration {
            d if d > 0 => d,
            _ => self.nominal_duration,
        };
        let source_index = match &self.index {
            Some(index) => index.frame_of(pts).ok_or_else(|| {
                self.corrupt(format!(
                    "a decoded frame's timestamp {pts} is not one the demuxer listed"
                ))
            })?,
            None => self.next_index,
        };
        let time = FrameTime {
            source_index,
            pts,
            duration,
            timestamp_us: (pts - start).rescale(self.time_base, MICROS),
        };
        self.last_pts = Some(pts);
        self.last_end_us = time.timestamp_us + duration.rescale(self.time_base, MICROS);
        self.next_index = source_index + 1;
        Ok(time)
    }
}

/// Converts decoded frames of any pixel format to packed RGB8, honouring the source's YUV
/// matrix and range. Lives on the thread that uses it (swscale contexts are not `Send`).
pub(super) struct RgbConverter {
    scaler: Option<(scaling::Context, (Pixel, u32, u32))>,
}

impl RgbConverter {
    pub fn new() -> Self {
        Self { scaler: None }
    }

    /// The frame as packed RGB8 (`stride == width * 3`).
    pub fn convert(&mut self, frame: &frame::Video) -> Result<OwnedImage, ffmpeg::Error> {
        let key = (frame.format(), frame.width(), frame.height());
        let scaler = match &mut self.scaler {
            Some((s, k)) if *k == key => s,
            slot => {
                let mut s = scaling::Context::get(
                    key.0,
                    key.1,
                    key.2,
                    Pixel::RGB24,
                    key.1,
                    key.2,
                    scaling::Flags::BICUBIC,
                )?;
                let name = key.0.descriptor().map(|d| d.name()).unwrap_or_default();
                if name.starts_with("yuv") || name.starts_with("nv") {
                    let full = name.starts_with("yuvj")
                        || frame.color_range() == ffmpeg::util::color::Range::JPEG;
                    ffi::set_yuv_matrix(&mut s, frame.color_space(), full, true);
                }
                &mut slot.insert((s, key)).0
            }
        };
        let mut rgb = frame::Video::empty();
        scaler.run(frame, &mut rgb)?;
        let (w, h) = (rgb.width() as usize, rgb.height() as usize);
        let stride = rgb.stride(0);
        let plane = rgb.data(0);
        let mut data = Vec::with_capacity(w * h * 3);
        for y in 0..h {
            data.extend_from_slice(&plane[y * stride..y * stride + w * 3]);
        }
        Ok(OwnedImage {
            data: data.into(),
            width: rgb.width(),
            height: rgb.height(),
        })
    }
}

/// A video file read frame by frame as packed RGB8, for callers outside the video runner
/// (live mode's file camera). Same decoding and strictness as `liveswap run`.
///
/// Create it on the thread that reads it: the RGB converter's swscale context is not `Send`.
pub struct FrameReader {
    source: VideoSource,
    rgb: RgbConverter,
}

impl FrameReader {
    /// Opens `path` with one decoder thread.
    pub fn open(path: &Path) -> Result<(Self, VideoInfo), VideoError> {
        let (source, info) = VideoSource::open(path, 1)?;
        Ok((
            Self {
                source,
                rgb: RgbConverter::new(),
            },
            info,
        ))
    }

    /// The next frame in presentation order with its time, or `None` at the end.
    pub fn next_frame(&mut self) -> Result<Option<(OwnedImage, FrameTime)>, VideoError> {
        let Some(raw) = self.source.next_frame()? else {
            return Ok(None);
        };
        let image = self
            .rgb
            .convert(&raw.frame)
            .map_err(|e| VideoError::Corrupt {
                path: self.source.path.clone(),
                at: format!("frame {}", raw.time.source_index),
                reason: format!("cannot convert to RGB: {e}"),
            })?;
        Ok(Some((image, raw.time)))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn matroska_duration_tags_parse() {
        assert_eq!(parse_tag_duration("00:00:01.600000000"), Some(1_600_000));
        assert_eq!(parse_tag_duration("01:02:03.5"), Some(3_723_500_000));
        assert_eq!(parse_tag_duration("1.5"), None);
        assert_eq!(parse_tag_duration("00:00:-1"), None);
        assert_eq!(
            Fraction {
                num: 30000,
                den: 1001
            }
            .to_string(),
            "30000/1001"
        );
        assert!(
            (Fraction {
                num: 30000,
                den: 1001
            }
            .as_f64()
                - 29.97)
                .abs()
                < 0.001
        );
    }
}
