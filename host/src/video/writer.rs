//! Writing the output container: the video encoder (chosen by probing, see
//! [`super::encode`]), the audio track ([`super::audio`]), metadata and provenance.
//!
//! Where: created on the calling thread (so a bad output name or an unusable encoder fails
//! before any processing), then moved to the encode thread, which feeds it RGB frames.
//! The file is written under a temporary name; [`VideoWriter::finish`] hands that back
//! unrenamed so the caller decides (a cancelled or failed run drops it, which deletes it).
//!
//! Timing: the encoder works in the input video stream's time base (or a finer one when
//! that cannot express the frame period, see `timing`), and each frame keeps its source
//! timestamp (minus the trim offset), so frame count, frame rate (including 30000/1001)
//! and variable frame timing carry through. Packet durations are set before
//! rescaling to the muxer's time base; without them the MP4 muxer drops the last frame.

use super::audio::{AudioOut, AudioOutcome};
use super::encode::{
    Api, EncodeOptions, EncoderRequest, KnownEncoder, candidates, encoder_options,
};
use super::error::VideoError;
use super::ffi;
use super::source::FrameTime;
use super::timing::Retimer;
use crate::media::TempOutput;
use crate::media::provenance::{provenance_text, software_text};
use ffmpeg::format::Pixel;
use ffmpeg::software::scaling;
use ffmpeg::util::color;
use ffmpeg::{Dictionary, Packet, Rational, Rescale, codec, encoder, format, frame};
use ffmpeg_next as ffmpeg;
use liveswap_sdk::OwnedImage;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const MICROS: Rational = Rational(1, 1_000_000);

/// Container-level tags FFmpeg's demuxers invent, and the ones liveswap sets itself; they
/// are not copied from the input.
const DEMUXER_TAGS: [&str; 8] = [
    "comment",
    "service_provider",
    "service_name",
    "major_brand",
    "minor_version",
    "compatible_brands",
    "encoder",
    "creation_time",
];

/// The colour description of the source, carried into the output.
#[derive(Debug, Clone, Copy)]
pub(super) struct Colour {
    pub space: color::Space,
    pub primaries: color::Primaries,
    pub transfer: color::TransferCharacteristic,
}

/// Everything the writer needs to know about the stream it writes.
pub(super) struct WriterSpec<'a> {
    pub input: &'a Path,
    pub output: &'a Path,
    pub width: u32,
    pub height: u32,
    pub time_base: Rational,
    pub frame_rate: Rational,
    pub aspect: Rational,
    pub colour: Colour,
    pub metadata: Vec<(String, String)>,
    pub options: &'a EncodeOptions,
    /// Carry the audio track (false for `--no-audio`).
    pub audio: bool,
    /// Absolute time (µs) of the first kept frame when trimming; `None` keeps all audio.
    pub cut_start_us: Option<i64>,
    /// Source pts of the first kept frame when trimming (subtracted from every frame).
    pub pts_offset: i64,
    /// The source's first frame pts when the output starts later but keeps the whole
    /// video's times (segments): the frame grid is anchored there, as in a run from the
    /// start, instead of at the first written frame.
    pub origin_pts: Option<i64>,
    /// The muxer to use instead of guessing it from the name (`mpegts` for `udp://` URLs).
    pub format: Option<&'a str>,
    /// Write straight to `output` (a URL, or a live recording that must stay readable if
    /// the process dies) instead of a temporary file renamed at the end.
    pub direct: bool,
    /// Live output: no encoder lookahead or frame reordering (x264/x265 `tune=zerolatency`).
    pub low_latency: bool,
}

/// Which encoder ended up writing, and why if it is not the one asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncoderChoice {
    /// The encoder used.
    pub name: String,
    /// The options it was opened with (`crf=18`, `preset=medium`, …).
    pub options: String,
    /// Encoders tried before it, each with its error.
    pub skipped: Vec<(String, String)>,
}

/// Converts processed RGB frames to the encoder's YUV format. Lives on the encode thread.
pub(super) struct YuvConverter {
    scaler: Option<scaling::Context>,
}

impl YuvConverter {
    pub fn new() -> Self {
        Self { scaler: None }
    }
}

/// The output being written.
pub(super) struct VideoWriter {
    // Field order matters: the output context closes its file before `tmp` deletes it.
    octx: format::context::Output,
    encoder: encoder::Video,
    audio: Option<AudioOut>,
    /// `None` when writing directly (`WriterSpec::direct`).
    tmp: Option<TempOutput>,
    path: PathBuf,
    stream: usize,
    in_tb: Rational,
    retimer: Retimer,
    enc_tb: Rational,
    out_tb: Rational,
    pixel: Pixel,
    width: u32,
    height: u32,
    colour: Colour,
    durations: BTreeMap<i64, i64>,
    nominal_duration: i64,
    pts_offset: i64,
    last_end_abs_us: Option<i64>,
    frames: u64,
    audio_outcome: AudioOutcome,
    choice: EncoderChoice,
}

/// What the writer did.
#[derive(Debug, Clone)]
pub(super) struct WriterReport {
    pub frames: u64,
}

fn write_err(path: &Path, e: impl std::fmt::Display) -> VideoError {
    VideoError::Write {
        path: path.into(),
        reason: e.to_string(),
    }
}

/// The 4:2:0 pixel format the encoder takes: yuv420p, else nv12.
fn pick_pixel(codec: &ffmpeg::Codec) -> Option<Pixel> {
    let formats: Vec<Pixel> = codec.video().ok()?.formats()?.collect();
    [Pixel::YUV420P, Pixel::NV12]
        .into_iter()
        .find(|p| formats.contains(p))
}

impl VideoWriter {
    /// Opens the output (under a temporary name), picks and opens the encoder, adds the
    /// audio stream and writes the header. When the muxer refuses a copied audio track
    /// (FFmpeg lists some codecs for a container but still refuses them, like FLAC in MP4),
    /// it starts again with the audio re-encoded.
    pub fn create(spec: &WriterSpec<'_>) -> Result<Self, VideoError> {
        let writer = match Self::open(spec, false) {
            Ok(w) => w,
            Err((error, true)) => {
                tracing::debug!(%error, "the muxer refused the copied audio; re-encoding it");
                Self::open(spec, true).map_err(|(e, _)| e)?
            }
            Err((error, false)) => return Err(error),
        };
        announce(&spec.options.encoder, &writer.choice);
        Ok(writer)
    }

    /// One attempt; the flag says whether the header failed with a copied audio track.
    fn open(spec: &WriterSpec<'_>, reencode_audio: bool) -> Result<Self, (VideoError, bool)> {
        let plain = |e: VideoError| (e, false);
        let tmp = if spec.direct {
            None
        } else {
            Some(TempOutput::new(spec.output).map_err(|e| plain(write_err(spec.output, e)))?)
        };
        let target = tmp.as_ref().map_or(spec.output, TempOutput::path);
        let opened = match spec.format {
            Some(name) => format::output_as(target, name),
            None => format::output(target),
        };
        let mut octx = opened.map_err(|e| {
            plain(VideoError::OutputFormat {
                path: spec.output.into(),
                reason: format!(
                    "FFmpeg cannot write this kind of file ({e}); use .mp4, .mkv, .mov, .webm or .avi"
                ),
            })
        })?;
        let muxer = octx.format().name().to_string();
        let Some(provenance) = provenance_tags(&muxer) else {
            return Err(plain(VideoError::OutputFormat {
                path: spec.output.into(),
                reason: format!(
                    "{muxer} files cannot carry the provenance tag liveswap puts in every output; use .mp4, .mkv, .mov, .webm or .avi"
                ),
            }));
        };
        let global_header = octx.format().flags().contains(format::Flags::GLOBAL_HEADER);
        // 4:2:0 needs even sizes: drop the last column/row of odd-sized video.
        let (width, height) = (spec.width & !1, spec.height & !1);
        if (width, height) != (spec.width, spec.height) {
            tracing::warn!(
                "{}x{} has an odd size; the output is {width}x{height} (4:2:0 video needs even sizes)",
                spec.width,
                spec.height
            );
        }
        if width == 0 || height == 0 {
            return Err(plain(VideoError::OutputFormat {
                path: spec.output.into(),
                reason: format!("{}x{} is too small to encode", spec.width, spec.height),
            }));
        }

        let mut retimer = Retimer::new(spec.time_base, spec.frame_rate);
        if let Some(origin) = spec.origin_pts {
            retimer.anchor(origin - spec.pts_offset);
        }
        let enc_tb = retimer.out_tb();
        let list = candidates(&spec.options.encoder, &muxer);
        let mut skipped: Vec<(String, String)> = Vec::new();
        let mut opened = None;
        for known in &list {
            if ffi::container_accepts(&octx.format(), known.family.codec_id()) == Some(false) {
                skipped.push((
                    known.name.into(),
                    format!("{muxer} cannot hold {} video", known.family.name()),
                ));
                continue;
            }
            match open_encoder(known, spec, enc_tb, width, height, global_header) {
                Ok(found) => {
                    opened = Some(found);
                    break;
                }
                Err(reason) => {
                    tracing::debug!(encoder = known.name, %reason, "encoder not usable");
                    skipped.push((known.name.into(), reason));
                }
            }
        }
        let Some((encoder, codec, pixel, options)) = opened else {
            if let Some(first) = list.first()
                && skipped.iter().all(|(_, why)| why.contains("cannot hold"))
            {
                return Err(plain(VideoError::CodecNotInContainer {
                    codec: first.family.name().into(),
                    container: muxer,
                    hint: "use --video-encoder libvpx-vp9 or an AV1 encoder for .webm, or another extension".into(),
                }));
            }
            return Err(plain(VideoError::NoEncoder {
                tried: skipped
                    .iter()
                    .map(|(n, why)| format!("{n}: {why}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            }));
        };
        let choice = EncoderChoice {
            name: codec.name().into(),
            options,
            skipped,
        };

        let mut ost = octx
            .add_stream(codec)
            .map_err(|e| plain(write_err(spec.output, e)))?;
        ost.set_parameters(&encoder);
        ost.set_time_base(enc_tb);
        ost.set_avg_frame_rate(spec.frame_rate);
        ost.set_rate(spec.frame_rate);
        let stream = ost.index();

        let audio = if spec.audio {
            AudioOut::create(spec.input, &mut octx, spec.cut_start_us, reencode_audio)
                .map_err(plain)?
        } else {
            None
        };
        let audio_outcome = match (&audio, spec.audio) {
            (Some(a), _) => a.outcome.clone(),
            // A segment: `liveswap join` adds the source's audio to the whole.
            (None, false) if spec.origin_pts.is_some() => AudioOutcome::LeftToJoin,
            (None, false) => AudioOutcome::Dropped,
            (None, true) => AudioOutcome::None,
        };

        octx.set_metadata(container_metadata(&spec.metadata, &provenance));
        // A segment starts late in the video's time: MP4 stores that start as an edit list
        // in the movie's time scale (1/1000 by default), which would round the segment's
        // times by up to half a millisecond; in the track's own time scale it is exact.
        let exact_start = spec.origin_pts.is_some().then_some(enc_tb.denominator());
        let header = header_options(&muxer, exact_start);
        let copied_audio = matches!(audio_outcome, AudioOutcome::Copied { .. });
        octx.write_header_with(header).map_err(|e| {
            (
                write_err(spec.output, format!("the muxer refused the streams: {e}")),
                copied_audio,
            )
        })?;
        let out_tb = octx.stream(stream).map(|s| s.time_base()).unwrap_or(enc_tb);
        let mut audio = audio;
        if let Some(a) = &mut audio {
            a.header_written(&octx);
        }
        let one_frame = Rational(spec.frame_rate.denominator(), spec.frame_rate.numerator());
        Ok(Self {
            octx,
            encoder,
            audio,
            tmp,
            path: spec.output.into(),
            stream,
            in_tb: spec.time_base,
            retimer,
            enc_tb,
            out_tb,
            pixel,
            width,
            height,
            colour: spec.colour,
            durations: BTreeMap::new(),
            nominal_duration: 1i64.rescale(one_frame, enc_tb).max(1),
            pts_offset: spec.pts_offset,
            last_end_abs_us: None,
            frames: 0,
            audio_outcome,
            choice,
        })
    }

    /// The encoder in use.
    pub fn choice(&self) -> &EncoderChoice {
        &self.choice
    }

    /// What happens to the audio.
    pub fn audio_outcome(&self) -> &AudioOutcome {
        &self.audio_outcome
    }

    /// Encodes one processed frame.
    pub fn write(
        &mut self,
        conv: &mut YuvConverter,
        image: &OwnedImage,
        time: &FrameTime,
    ) -> Result<(), VideoError> {
        let mut yuv = self.yuv_frame(conv, image)?;
        let (pts, duration) = self.retimer.map(time.pts - self.pts_offset, time.duration);
        yuv.set_pts(Some(pts));
        self.durations.insert(pts, duration);
        self.encoder
            .send_frame(&yuv)
            .map_err(|e| write_err(&self.path, format!("the encoder refused a frame: {e}")))?;
        self.frames += 1;
        // Audio is cut and interleaved by the source's absolute times.
        let abs_us = time.pts.rescale(self.in_tb, MICROS);
        self.last_end_abs_us = Some((time.pts + time.duration).rescale(self.in_tb, MICROS));
        self.drain()?;
        if let Some(a) = &mut self.audio {
            a.pump(&mut self.octx, Some(abs_us))?;
        }
        Ok(())
    }

    fn yuv_frame(
        &mut self,
        conv: &mut YuvConverter,
        image: &OwnedImage,
    ) -> Result<frame::Video, VideoError> {
        let (w, h) = (self.width, self.height);
        if image.width < w || image.height < h {
            return Err(write_err(
                &self.path,
                format!(
                    "a processor changed the frame size to {}x{} (expected {}x{})",
                    image.width, image.height, w, h
                ),
            ));
        }
        let mut rgb = frame::Video::new(Pixel::RGB24, w, h);
        let stride = rgb.stride(0);
        let src_stride = image.width as usize * 3;
        let row = w as usize * 3;
        {
            let dst = rgb.data_mut(0);
            for y in 0..h as usize {
                dst[y * stride..y * stride + row]
                    .copy_from_slice(&image.data[y * src_stride..y * src_stride + row]);
            }
        }
        let scaler = match &mut conv.scaler {
            Some(s) => s,
            slot => {
                let mut s = scaling::Context::get(
                    Pixel::RGB24,
                    w,
                    h,
                    self.pixel,
                    w,
                    h,
                    scaling::Flags::BICUBIC,
                )
                .map_err(|e| write_err(&self.path, e))?;
                ffi::set_yuv_matrix(&mut s, self.colour.space, false, false);
                slot.insert(s)
            }
        };
        // A fresh frame each time: the encoder may keep a reference to the previous one.
        let mut yuv = frame::Video::new(self.pixel, w, h);
        scaler
            .run(&rgb, &mut yuv)
            .map_err(|e| write_err(&self.path, e))?;
        yuv.set_color_space(self.colour.space);
        yuv.set_color_primaries(self.colour.primaries);
        yuv.set_color_transfer_characteristic(self.colour.transfer);
        yuv.set_color_range(color::Range::MPEG);
        Ok(yuv)
    }

    fn drain(&mut self) -> Result<(), VideoError> {
        let mut packet = Packet::empty();
        while self.encoder.receive_packet(&mut packet).is_ok() {
            let duration = packet
                .pts()
                .and_then(|p| self.durations.remove(&p))
                .unwrap_or(self.nominal_duration);
            packet.set_duration(duration);
            packet.set_stream(self.stream);
            packet.rescale_ts(self.enc_tb, self.out_tb);
            packet
                .write_interleaved(&mut self.octx)
                .map_err(|e| write_err(&self.path, e))?;
        }
        Ok(())
    }

    /// Flushes the encoder and the audio, writes the trailer and closes the file. The file
    /// is still under its temporary name: commit the returned [`TempOutput`] to keep it
    /// (`None` when the writer wrote directly).
    pub fn finish(
        mut self,
        trimmed: bool,
    ) -> Result<(WriterReport, Option<TempOutput>), VideoError> {
        self.encoder
            .send_eof()
            .map_err(|e| write_err(&self.path, e))?;
        self.drain()?;
        if let Some(a) = &mut self.audio {
            if trimmed {
                a.set_end(self.last_end_abs_us);
            }
            a.pump(&mut self.octx, None)?;
        }
        self.octx
            .write_trailer()
            .map_err(|e| write_err(&self.path, e))?;
        let report = WriterReport {
            frames: self.frames,
        };
        let Self { octx, tmp, .. } = self;
        drop(octx); // closes the file
        Ok((report, tmp))
    }
}

/// The output's container tags: the input's own (except those demuxers invent and those
/// liveswap sets) plus the provenance tags.
pub(super) fn container_metadata(
    input: &[(String, String)],
    provenance: &[(&'static str, String)],
) -> Dictionary<'static> {
    let mut metadata = Dictionary::new();
    for (k, v) in input {
        if !DEMUXER_TAGS.contains(&k.as_str()) {
            metadata.set(k, v);
        }
    }
    for (key, value) in provenance {
        metadata.set(key, value);
    }
    metadata
}

/// Muxer options for the header: MP4-family files get `faststart` (index first, so they
/// play while downloading); with `timescale`, their movie and video track use that time
/// scale, so an edit list (a stream starting after 0) keeps its exact time.
pub(super) fn header_options(muxer: &str, timescale: Option<i32>) -> Dictionary<'static> {
    let mut header = Dictionary::new();
    if matches!(muxer, "mp4" | "mov" | "ipod" | "3gp" | "3g2") {
        header.set("movflags", "+faststart");
        if let Some(t) = timescale.filter(|&t| t > 0) {
            header.set("movie_timescale", &t.to_string());
            header.set("video_track_timescale", &t.to_string());
        }
    }
    header
}

/// The container tags that carry the provenance text, for muxers that store one; `None`
/// for muxers that cannot (raw streams, GIF, image sequences), which liveswap refuses.
pub(super) fn provenance_tags(muxer: &str) -> Option<Vec<(&'static str, String)>> {
    match muxer {
        "mp4" | "mov" | "ipod" | "3gp" | "3g2" | "matroska" | "webm" | "avi" | "flv" | "asf"
        | "nut" => Some(vec![("comment", provenance_text())]),
        // MPEG-TS has no free-text tag; its service description is what players show.
        "mpegts" => Some(vec![
            ("service_provider", software_text()),
            ("service_name", provenance_text()),
        ]),
        _ => None,
    }
}

/// Tells the user which encoder writes: one warning when it is not the one asked for.
fn announce(request: &EncoderRequest, choice: &EncoderChoice) {
    let why = |name: &str| {
        choice
            .skipped
            .iter()
            .find(|(n, _)| n == name)
            .map_or("unknown reason", |(_, w)| w.as_str())
            .to_string()
    };
    match request {
        EncoderRequest::Auto => {
            tracing::info!("--video-encoder auto: using {}", choice.name);
        }
        EncoderRequest::Named(name) if *name != choice.name => {
            tracing::warn!(
                "{name} cannot be used here ({}); encoding with {} instead",
                why(name),
                choice.name
            );
        }
        EncoderRequest::Default if !choice.skipped.is_empty() => {
            let first = &choice.skipped[0].0;
            tracing::warn!(
                "{first} cannot be used here ({}); encoding with {} instead",
                why(first),
                choice.name
            );
        }
        _ => tracing::debug!("encoding with {}", choice.name),
    }
}

/// Configures and opens one encoder; the error says why it cannot be used.
fn open_encoder(
    known: &KnownEncoder,
    spec: &WriterSpec<'_>,
    time_base: Rational,
    width: u32,
    height: u32,
    global_header: bool,
) -> Result<(encoder::Video, ffmpeg::Codec, Pixel, String), String> {
    let codec =
        encoder::find_by_name(known.name).ok_or_else(|| "not in this FFmpeg build".to_string())?;
    let pixel = pick_pixel(&codec)
        .ok_or_else(|| "takes no 4:2:0 system-memory frames (needs hardware frames)".to_string())?;
    let mut enc = codec::context::Context::new_with_codec(codec)
        .encoder()
        .video()
        .map_err(|e| e.to_string())?;
    enc.set_width(width);
    enc.set_height(height);
    enc.set_format(pixel);
    enc.set_time_base(time_base);
    enc.set_frame_rate(Some(spec.frame_rate));
    if spec.aspect.numerator() > 0 {
        enc.set_aspect_ratio(spec.aspect);
    }
    enc.set_colorspace(spec.colour.space);
    enc.set_color_primaries(spec.colour.primaries);
    enc.set_color_transfer_characteristic(spec.colour.transfer);
    enc.set_color_range(color::Range::MPEG);
    if global_header {
        enc.set_flags(codec::Flags::GLOBAL_HEADER);
    }
    let mut options = encoder_options(
        known.api,
        spec.options.quality,
        spec.options.preset,
        spec.options.threads,
    );
    if spec.low_latency && matches!(known.api, Api::X264 | Api::X265) {
        options.push(("tune", "zerolatency".into()));
    }
    let mut dict = Dictionary::new();
    for (k, v) in &options {
        dict.set(k, v);
    }
    let opened = enc.open_as_with(codec, dict).map_err(|e| e.to_string())?;
    let text = options
        .iter()
        .filter(|(k, _)| *k != "threads")
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ");
    Ok((opened, codec, pixel, text))
}
