//! Joining segment files into one video without re-encoding: the video packets of each
//! segment, in order, are copied into a new container (stream copy, remux), and the source's
//! audio is added once, as a normal run adds it.
//!
//! Where: `liveswap join` calls [`join_segments`] after it has checked the manifests (see
//! `commands::join`). Why this works frame-exactly: every segment was written with the
//! timestamps its frames have in the whole video (`VideoJob::keep_source_times`), so the
//! packets only need to be put one after the other; nothing is shifted, dropped or
//! re-timed, and the frame rate and every timestamp are those of a single run. Each segment
//! starts with a keyframe and its own encoder's delay, so decode timestamps stay
//! increasing across the joins. The segments must share their stream headers (codec, size,
//! extradata): segments of one `--segment` command line do.
//!
//! The output is written under a temporary name and renamed at the end, like a run's.

use super::audio::{AudioOut, AudioOutcome};
use super::error::VideoError;
use super::ffi;
use super::writer::{container_metadata, header_options, provenance_tags};
use crate::media::TempOutput;
use ffmpeg::{Packet, Rational, Rescale, codec, encoder, format, media};
use ffmpeg_next as ffmpeg;
use std::path::{Path, PathBuf};

const MICROS: Rational = Rational(1, 1_000_000);

/// What to join.
#[derive(Debug, Clone)]
pub struct JoinJob {
    /// Segment files in order.
    pub segments: Vec<PathBuf>,
    /// The source video, for its audio and container tags.
    pub source: PathBuf,
    /// The joined file.
    pub output: PathBuf,
    /// Carry the source's audio.
    pub audio: bool,
}

/// What a join did.
#[derive(Debug, Clone)]
pub struct JoinSummary {
    /// Video packets (frames) written.
    pub frames: u64,
    /// What happened to the audio.
    pub audio: AudioOutcome,
}

fn bad(path: &Path, reason: impl std::fmt::Display) -> VideoError {
    VideoError::BadSegment {
        path: path.into(),
        reason: reason.to_string(),
    }
}

fn write_err(path: &Path, e: impl std::fmt::Display) -> VideoError {
    VideoError::Write {
        path: path.into(),
        reason: e.to_string(),
    }
}

/// A segment file opened for reading its video packets.
struct SegmentInput {
    input: format::context::Input,
    stream: usize,
    time_base: Rational,
}

/// What must be equal across segments to concatenate their packets.
#[derive(Debug, PartialEq)]
struct StreamShape {
    codec: codec::Id,
    width: u32,
    height: u32,
    extradata: Vec<u8>,
}

fn open_segment(
    path: &Path,
) -> Result<(SegmentInput, StreamShape, codec::Parameters, Rational), VideoError> {
    let input = format::input(path).map_err(|e| bad(path, format!("cannot open: {e}")))?;
    let stream = input
        .streams()
        .best(media::Type::Video)
        .ok_or_else(|| bad(path, "has no video stream"))?;
    let params = stream.parameters();
    let shape = StreamShape {
        codec: params.id(),
        width: ffi::parameters_size(&params).0,
        height: ffi::parameters_size(&params).1,
        extradata: ffi::parameters_extradata(&params),
    };
    let rate = stream.avg_frame_rate();
    let seg = SegmentInput {
        stream: stream.index(),
        time_base: stream.time_base(),
        input,
    };
    Ok((seg, shape, params, rate))
}

/// Remuxes `job.segments` into `job.output` with the source's audio. When the muxer
/// refuses the copied audio codec, it starts again with the audio re-encoded, as a run does.
pub fn join_segments(job: &JoinJob) -> Result<JoinSummary, VideoError> {
    super::init()?;
    match join_once(job, false) {
        Err((error, true)) => {
            tracing::debug!(%error, "the muxer refused the copied audio; re-encoding it");
            join_once(job, true).map_err(|(e, _)| e)
        }
        other => other.map_err(|(e, _)| e),
    }
}

/// One attempt; the flag says whether the header failed with a copied audio track.
fn join_once(job: &JoinJob, reencode_audio: bool) -> Result<JoinSummary, (VideoError, bool)> {
    let plain = |e: VideoError| (e, false);
    let first = job.segments.first().ok_or_else(|| {
        plain(VideoError::Join {
            reason: "no segments given".into(),
        })
    })?;
    let (_, shape, params, rate) = open_segment(first).map_err(plain)?;
    let tmp = TempOutput::new(&job.output).map_err(|e| plain(write_err(&job.output, e)))?;
    let mut octx = format::output(tmp.path()).map_err(|e| {
        plain(VideoError::OutputFormat {
            path: job.output.clone(),
            reason: format!("FFmpeg cannot write this kind of file ({e})"),
        })
    })?;
    let muxer = octx.format().name().to_string();
    let provenance = provenance_tags(&muxer).ok_or_else(|| {
        plain(VideoError::OutputFormat {
            path: job.output.clone(),
            reason: format!("{muxer} files cannot carry the provenance tag liveswap puts in every output; use .mp4, .mkv, .mov, .webm or .avi"),
        })
    })?;
    if ffi::container_accepts(&octx.format(), shape.codec) == Some(false) {
        return Err(plain(VideoError::CodecNotInContainer {
            codec: shape.codec.name().into(),
            container: muxer,
            hint: "join into the same kind of file the segments are".into(),
        }));
    }
    let in_tb = {
        let (seg, _, _, _) = open_segment(first).map_err(plain)?;
        seg.time_base
    };
    let mut ost = octx
        .add_stream(encoder::find(codec::Id::None))
        .map_err(|e| plain(write_err(&job.output, e)))?;
    ost.set_parameters(params);
    ffi::clear_codec_tag(&mut ost);
    ost.set_time_base(in_tb);
    ost.set_avg_frame_rate(rate);
    ost.set_rate(rate);
    let out_stream = ost.index();

    let mut audio = if job.audio {
        AudioOut::create(&job.source, &mut octx, None, reencode_audio).map_err(plain)?
    } else {
        None
    };
    let audio_outcome = match (&audio, job.audio) {
        (Some(a), _) => a.outcome.clone(),
        (None, false) => AudioOutcome::Dropped,
        (None, true) => AudioOutcome::None,
    };
    octx.set_metadata(container_metadata(
        &super::runner::read_metadata(&job.source),
        &provenance,
    ));
    let copied_audio = matches!(audio_outcome, AudioOutcome::Copied { .. });
    octx.write_header_with(header_options(&muxer, None))
        .map_err(|e| {
            (
                write_err(&job.output, format!("the muxer refused the streams: {e}")),
                copied_audio,
            )
        })?;
    let out_tb = octx.stream(out_stream).map_or(in_tb, |s| s.time_base());
    if let Some(a) = &mut audio {
        a.header_written(&octx);
    }

    let mut frames = 0;
    for path in &job.segments {
        let (mut seg, this_shape, _, _) = open_segment(path).map_err(plain)?;
        if this_shape != shape {
            return Err(plain(bad(
                path,
                format!(
                    "its video stream differs from {}'s ({} {}x{} vs {} {}x{}, or other codec headers): segments of one join must come from the same encoder settings",
                    first.display(),
                    this_shape.codec.name(),
                    this_shape.width,
                    this_shape.height,
                    shape.codec.name(),
                    shape.width,
                    shape.height
                ),
            )));
        }
        loop {
            let mut packet = Packet::empty();
            match packet.read(&mut seg.input) {
                Ok(()) if packet.stream() == seg.stream => {
                    let at_us = packet
                        .pts()
                        .or(packet.dts())
                        .map(|t| t.rescale(seg.time_base, MICROS));
                    // Interleave: the source's audio up to this frame's time first.
                    if let (Some(a), Some(t)) = (&mut audio, at_us) {
                        a.pump(&mut octx, Some(t)).map_err(plain)?;
                    }
                    packet.set_stream(out_stream);
                    packet.set_position(-1);
                    packet.rescale_ts(seg.time_base, out_tb);
                    packet
                        .write_interleaved(&mut octx)
                        .map_err(|e| plain(write_err(&job.output, e)))?;
                    frames += 1;
                }
                Ok(()) => {}
                Err(ffmpeg::Error::Eof) => break,
                Err(e) => return Err(plain(bad(path, format!("reading failed: {e}")))),
            }
        }
    }
    if let Some(a) = &mut audio {
        a.pump(&mut octx, None).map_err(plain)?;
    }
    octx.write_trailer()
        .map_err(|e| plain(write_err(&job.output, e)))?;
    drop(octx); // closes the file
    tmp.commit().map_err(|e| plain(write_err(&job.output, e)))?;
    Ok(JoinSummary {
        frames,
        audio: audio_outcome,
    })
}
