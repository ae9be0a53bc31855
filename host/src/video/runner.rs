//! The streamed video run: decode thread → processing on the calling thread → encode thread.
//!
//! ```text
//!  decode thread            calling thread              encode thread
//!  demux, decode,   ──4──▶  processors (the profile) ──4──▶  RGB→YUV, encode, mux,
//!  YUV→RGB                  per frame, in order               audio copy/re-encode
//! ```
//!
//! The two queues are bounded (4 frames each), so memory stays flat whatever the length,
//! and a single processing thread keeps frame order without reordering. Processing only
//! waits on the encoder when the queue to it is full, and only waits on the decoder when
//! the decoder is behind. Each frame's decode time, processing time and both waits are
//! reported to a [`FrameObserver`] (progress, benchmarks); the encode thread's total is in
//! the [`TranscodeSummary`].
//!
//! Cancellation: the `cancel` flag (set by Ctrl-C) is checked by the decoder before each
//! frame and by the processing loop before each frame; the frame in the processors
//! finishes (plugins can poll `HostCtx::is_cancelled` to stop sooner). The encode thread is
//! then told to abandon the file, which is deleted: a cancelled run leaves no output (an
//! existing file at the output name is untouched) and ends with [`VideoError::Cancelled`].
//!
//! Reaching the first frame (`--trim`, `--segment`): the source seeks to the keyframe at or
//! before it ([`Seeking::Keyframe`], the default) instead of decoding everything before it;
//! frames are numbered exactly as decoding from the start would number them (see
//! `source`). With [`VideoJob::warmup`] the frames just before the first written one are
//! decoded and processed but not written, so trackers and caches in the processors reach
//! the state a run from the start would have (segments, see `commands::run_video`).
//!
//! Thread budget: ONNX Runtime inside the processors uses `--execution-threads` (all
//! cores by default), the decoder 1 thread, the encoder `--encoder-threads` (half the
//! cores by default, see [`super::encode::default_encoder_threads`]). On 2 cores that is
//! 2 + 1 + 1: inference takes nearly all the CPU time per frame, decode and encode take a
//! few milliseconds each and overlap with the next frame's inference.

use super::audio::AudioOutcome;
use super::encode::EncodeOptions;
use super::error::VideoError;
use super::index::FrameIndex;
use super::source::{FrameTime, RgbConverter, VideoInfo, VideoSource};
use super::trim::{FramePoint, Trim, TrimPosition};
use super::writer::{Colour, EncoderChoice, VideoWriter, WriterSpec, YuvConverter};
use ffmpeg_next::Rescale;
use liveswap_sdk::OwnedImage;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

/// Frames held in each queue.
pub const QUEUE_FRAMES: usize = 4;

/// What a processor sees about the frame besides its pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameMeta {
    /// 0-based number of the frame in this run: the first frame processed is 0 (after
    /// `--trim`; with warm-up frames, the first warm-up frame). Runs that keep source times
    /// (segments) use the frame's number in the whole video instead, as a run from the
    /// start would.
    pub index: u64,
    /// The frame's place in the source video.
    pub time: FrameTime,
}

/// Where the time of one frame went, for progress and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameTiming {
    /// The frame.
    pub meta: FrameMeta,
    /// Decoding and converting it to RGB (decode thread).
    pub decode: Duration,
    /// Running the processors on it (calling thread).
    pub process: Duration,
    /// How long the calling thread waited for it to be decoded.
    pub waited_for_decoder: Duration,
    /// How long the calling thread waited for room in the encoder's queue.
    pub waited_for_encoder: Duration,
}

/// Receives per-frame events; all calls come from the calling thread.
pub trait FrameObserver {
    /// The run starts; `total` is the expected number of frames when known.
    fn started(&mut self, _total: Option<u64>) {}
    /// One frame was processed and queued for encoding.
    fn frame_done(&mut self, timing: &FrameTiming);
    /// The run ended: `completed` is false when it was cancelled or failed.
    fn finished(&mut self, _completed: bool) {}
}

/// An observer that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoObserver;

impl FrameObserver for NoObserver {
    fn frame_done(&mut self, _timing: &FrameTiming) {}
}

/// How a run reaches its first frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Seeking {
    /// Jump to the keyframe at or before it and decode from there (files without
    /// timestamps on every frame are decoded from the start).
    #[default]
    Keyframe,
    /// Decode every frame from the start of the file (the reference the seeking is tested
    /// against).
    FromStart,
}

/// One video run.
#[derive(Debug, Clone, Default)]
pub struct VideoJob {
    /// The video to read.
    pub input: PathBuf,
    /// The file to write (its extension picks the container).
    pub output: PathBuf,
    /// Which frames to process.
    pub trim: Trim,
    /// Video encoding.
    pub encode: EncodeOptions,
    /// Carry the audio track.
    pub audio: bool,
    /// Decoder threads.
    pub decode_threads: usize,
    /// Frames before the trim's start that are processed but not written (needs a start
    /// given as a frame number, or a seekable file).
    pub warmup: u64,
    /// Write every frame at its time in the whole video (as an untrimmed run would) instead
    /// of starting the output at 0, and no audio: a segment that `join` puts back together.
    pub keep_source_times: bool,
    /// How to reach the first frame.
    pub seeking: Seeking,
}

/// Totals of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StageTotals {
    /// Decoding and converting to RGB.
    pub decode: Duration,
    /// The processors.
    pub process: Duration,
    /// Converting to YUV, encoding and muxing (video and audio).
    pub encode: Duration,
    /// Processing waiting for frames.
    pub waited_for_decoder: Duration,
    /// Processing waiting for room in the encoder queue.
    pub waited_for_encoder: Duration,
    /// Whole run, from opening the input to closing the output.
    pub wall: Duration,
}

/// What a finished run did.
#[derive(Debug, Clone)]
pub struct TranscodeSummary {
    /// The input as probed.
    pub info: VideoInfo,
    /// Frames written.
    pub frames: u64,
    /// The encoder used and the ones skipped.
    pub encoder: EncoderChoice,
    /// What happened to the audio.
    pub audio: AudioOutcome,
    /// Time per stage.
    pub totals: StageTotals,
    /// Which source frames were decoded, processed and written.
    pub range: FrameRange,
}

/// The source frames a run touched, by number, and the written ones' times.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FrameRange {
    /// The frame decoding started at (a keyframe; 0 without seeking).
    pub decoded_from: u64,
    /// Frames processed without being written (warm-up).
    pub warmup: u64,
    /// First written frame.
    pub first: u64,
    /// One past the last written frame.
    pub end: u64,
    /// Source timestamp (stream time base) of the first written frame.
    pub first_pts: i64,
    /// Source timestamp of the end of the last written frame (its pts + duration).
    pub end_pts: i64,
}

struct Decoded {
    image: OwnedImage,
    time: FrameTime,
    decode: Duration,
    /// Processed but not written.
    warmup: bool,
}

enum ToEncoder {
    Frame(Box<(OwnedImage, FrameTime)>),
    Finish,
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

fn join<T>(
    handle: std::thread::ScopedJoinHandle<'_, Result<T, VideoError>>,
    thread: &'static str,
) -> Result<T, VideoError> {
    handle.join().map_err(|p| VideoError::Internal {
        thread,
        reason: panic_text(p.as_ref()),
    })?
}

/// The decode thread: frames inside the trim (and warm-up frames from `warm_from`),
/// converted to RGB, in order.
fn decode_loop(
    path: &Path,
    mut source: VideoSource,
    trim: Trim,
    warm_from: Option<u64>,
    tx: SyncSender<Decoded>,
    cancel: &AtomicBool,
) -> Result<u64, VideoError> {
    let mut rgb = RgbConverter::new();
    let mut seen = 0;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Ok(seen);
        }
        let started = Instant::now();
        let Some(raw) = source.next_frame()? else {
            return Ok(seen);
        };
        seen += 1;
        let warmup = match trim.position(raw.time.source_index, raw.time.timestamp_us) {
            TrimPosition::Before if warm_from.is_some_and(|w| raw.time.source_index >= w) => true,
            TrimPosition::Before => continue,
            TrimPosition::After => return Ok(seen),
            TrimPosition::Inside => false,
        };
        let image = rgb.convert(&raw.frame).map_err(|e| VideoError::Corrupt {
            path: path.into(),
            at: format!("frame {}", raw.time.source_index),
            reason: format!("cannot convert to RGB: {e}"),
        })?;
        let frame = Decoded {
            image,
            time: raw.time,
            decode: started.elapsed(),
            warmup,
        };
        if tx.send(frame).is_err() {
            // The processing side stopped (error or cancel); it reports why.
            return Ok(seen);
        }
    }
}

/// The encode thread: writes frames until told to finish; abandons the file when the
/// channel closes without `Finish`.
fn encode_loop(
    mut writer: VideoWriter,
    rx: Receiver<ToEncoder>,
    trimmed: bool,
) -> Result<
    Option<(
        super::writer::WriterReport,
        Option<crate::media::TempOutput>,
        Duration,
    )>,
    VideoError,
> {
    let mut conv = YuvConverter::new();
    let mut busy = Duration::ZERO;
    loop {
        match rx.recv() {
            Ok(ToEncoder::Frame(frame)) => {
                let t = Instant::now();
                let (image, time) = *frame;
                writer.write(&mut conv, &image, &time)?;
                busy += t.elapsed();
            }
            Ok(ToEncoder::Finish) => {
                let t = Instant::now();
                let (report, tmp) = writer.finish(trimmed)?;
                busy += t.elapsed();
                return Ok(Some((report, tmp, busy)));
            }
            Err(_) => return Ok(None),
        }
    }
}

/// Reads `job.input`, runs `process` on every frame (in order, on this thread) and writes
/// `job.output` with audio. The output appears only when everything succeeded.
///
/// `process` returns [`ControlFlow::Break`] to stop the run at that frame (a processor refused
/// it): the frame is not encoded, the unfinished output is deleted as for a cancel, and the
/// run ends with [`VideoError::Stopped`] (the caller knows why).
pub fn transcode(
    job: &VideoJob,
    process: &mut dyn FnMut(&mut OwnedImage, &FrameMeta) -> ControlFlow<()>,
    observer: &mut dyn FrameObserver,
    cancel: &AtomicBool,
) -> Result<TranscodeSummary, VideoError> {
    let wall = Instant::now();
    let (mut source, info) = VideoSource::open(&job.input, job.decode_threads)?;
    let tb = source.time_base();
    let fps = info.frame_rate;
    let start = plan_start(&mut source, job)?;

    let total = match (start.index.as_ref(), start.first) {
        (Some(ix), Some(first)) => {
            let end = job.trim.end.map_or(ix.frames(), |e| match e {
                FramePoint::Frame(n) => n.min(ix.frames()),
                FramePoint::Time(us) => ix.frame_at_time(source.start_pts(ix), us),
            });
            Some(end.saturating_sub(first))
        }
        _ => info.estimated_frames().map(|n| {
            if job.trim.is_everything() {
                n
            } else {
                job.trim.estimate(n, fps.as_f64())
            }
        }),
    };
    let origin_pts = if job.keep_source_times {
        start.index.as_ref().and_then(FrameIndex::first_pts)
    } else {
        None
    };
    let decoded_from = start.decoded_from;
    let warm_from = start.warm_from;

    let (dtx, drx) = sync_channel::<Decoded>(QUEUE_FRAMES);
    let colour = Colour {
        space: source.decoder().color_space(),
        primaries: source.decoder().color_primaries(),
        transfer: source.decoder().color_transfer_characteristic(),
    };
    let aspect = source.decoder().aspect_ratio();
    let metadata = read_metadata(&job.input);
    let trim = job.trim;
    let cancel_flag: &AtomicBool = cancel;

    std::thread::scope(|scope| {
        let decode = std::thread::Builder::new()
            .name("liveswap-decode".into())
            .spawn_scoped(scope, move || {
                decode_loop(&job.input, source, trim, warm_from, dtx, cancel_flag)
            })
            .map_err(|e| VideoError::Internal {
                thread: "decode",
                reason: e.to_string(),
            })?;

        // Warm-up frames go through the processors and no further.
        let mut warmed: u64 = 0;
        let frame_index = |time: &FrameTime, done: u64| {
            if job.keep_source_times {
                time.source_index
            } else {
                done
            }
        };
        let wait = Instant::now();
        let mut received = drx.recv();
        while let Ok(frame) = &mut received {
            if !frame.warmup || cancel.load(Ordering::Relaxed) {
                break;
            }
            let meta = FrameMeta {
                index: frame_index(&frame.time, warmed),
                time: frame.time,
            };
            // Warm-up frames are never written; a refusal among them is seen again by the
            // processor's next check on a written frame.
            let _ = process(&mut frame.image, &meta);
            warmed += 1;
            received = drx.recv();
        }
        // Wait for the first frame: its size and (with --trim) its timestamp are what the
        // writer needs before it writes the header.
        let Some(first) = received.ok().filter(|f| !f.warmup) else {
            drop(drx);
            let seen = join(decode, "decode")?;
            if cancel.load(Ordering::Relaxed) {
                return Err(VideoError::Cancelled {
                    done: 0,
                    total: total.map_or_else(|| "?".into(), |t| t.to_string()),
                });
            }
            return Err(VideoError::NothingSelected {
                what: describe_trim(&job.trim),
                frames: seen,
            });
        };
        let first_wait = wait.elapsed();
        let trimmed = !job.trim.is_everything();
        let first_frame = first.time.source_index;
        let first_pts = first.time.pts;
        let (pts_offset, cut_start_us) = if trimmed && !job.keep_source_times {
            let abs = first
                .time
                .pts
                .rescale(tb, ffmpeg_next::Rational(1, 1_000_000));
            (first.time.pts, Some(abs))
        } else {
            (0, None)
        };
        let frame_rate = ffmpeg_next::Rational(fps.num, fps.den);
        let spec = WriterSpec {
            input: &job.input,
            output: &job.output,
            width: first.image.width,
            height: first.image.height,
            time_base: tb,
            frame_rate,
            aspect,
            colour,
            metadata,
            options: &job.encode,
            audio: job.audio && !job.keep_source_times,
            cut_start_us,
            pts_offset,
            origin_pts,
            format: None,
            direct: false,
            low_latency: false,
        };
        let writer = match VideoWriter::create(&spec) {
            Ok(w) => w,
            Err(e) => {
                drop(drx);
                let _ = join(decode, "decode");
                return Err(e);
            }
        };
        let choice = writer.choice().clone();
        let audio = writer.audio_outcome().clone();
        let (etx, erx) = sync_channel::<ToEncoder>(QUEUE_FRAMES);
        let encode = std::thread::Builder::new()
            .name("liveswap-encode".into())
            .spawn_scoped(scope, move || encode_loop(writer, erx, trimmed))
            .map_err(|e| VideoError::Internal {
                thread: "encode",
                reason: e.to_string(),
            })?;

        observer.started(total);
        let mut totals = StageTotals::default();
        let mut done: u64 = 0;
        let mut next = Some((first, first_wait));
        let mut encoder_gone = false;
        let mut stopped_at = None;
        let mut last_end = (first_frame, first_pts);
        while let Some((mut frame, waited_for_decoder)) = next.take() {
            if cancel.load(Ordering::Relaxed) {
                break;
            }
            let meta = FrameMeta {
                index: frame_index(&frame.time, warmed + done),
                time: frame.time,
            };
            last_end = (
                frame.time.source_index + 1,
                frame.time.pts + frame.time.duration,
            );
            let t = Instant::now();
            if process(&mut frame.image, &meta).is_break() {
                stopped_at = Some(meta.index);
                break;
            }
            let process_time = t.elapsed();
            let t = Instant::now();
            if etx
                .send(ToEncoder::Frame(Box::new((frame.image, frame.time))))
                .is_err()
            {
                encoder_gone = true;
                break;
            }
            let waited_for_encoder = t.elapsed();
            done += 1;
            let timing = FrameTiming {
                meta,
                decode: frame.decode,
                process: process_time,
                waited_for_decoder,
                waited_for_encoder,
            };
            totals.decode += timing.decode;
            totals.process += timing.process;
            totals.waited_for_decoder += waited_for_decoder;
            totals.waited_for_encoder += waited_for_encoder;
            observer.frame_done(&timing);
            let t = Instant::now();
            next = drx.recv().ok().map(|f| (f, t.elapsed()));
        }
        drop(drx);
        let decoded = join(decode, "decode");
        let cancelled = cancel.load(Ordering::Relaxed);
        let stopped = cancelled || encoder_gone || decoded.is_err() || stopped_at.is_some();
        observer.finished(!stopped);
        if stopped {
            drop(etx); // no Finish: the encoder abandons the file
            let encoded = join(encode, "encode");
            decoded?;
            encoded?;
            if let Some(frame) = stopped_at {
                return Err(VideoError::Stopped { frame });
            }
            return Err(VideoError::Cancelled {
                done,
                total: total.map_or_else(|| "?".into(), |t| t.to_string()),
            });
        }
        let _ = etx.send(ToEncoder::Finish);
        drop(etx);
        let (report, tmp, busy) = join(encode, "encode")?.ok_or(VideoError::Internal {
            thread: "encode",
            reason: "stopped without finishing".into(),
        })?;
        let tmp = tmp.ok_or(VideoError::Internal {
            thread: "encode",
            reason: "the writer wrote no temporary file".into(),
        })?;
        tmp.commit().map_err(|e| VideoError::Write {
            path: job.output.clone(),
            reason: e.to_string(),
        })?;
        totals.encode = busy;
        totals.wall = wall.elapsed();
        Ok(TranscodeSummary {
            info,
            frames: report.frames,
            encoder: choice,
            audio,
            totals,
            range: FrameRange {
                decoded_from,
                warmup: warmed,
                first: first_frame,
                end: last_end.0,
                first_pts,
                end_pts: last_end.1,
            },
        })
    })
}

/// Where a run starts: the index (when one was needed and the file has one), the trim's
/// first frame by number, where warm-up starts and the frame decoding starts from.
struct StartPlan {
    index: Option<FrameIndex>,
    first: Option<u64>,
    warm_from: Option<u64>,
    decoded_from: u64,
}

/// Resolves the trim's start to a frame number and seeks the source there (less the
/// warm-up), as `job.seeking` allows.
fn plan_start(source: &mut VideoSource, job: &VideoJob) -> Result<StartPlan, VideoError> {
    let needs_index = job.keep_source_times
        || (job.seeking == Seeking::Keyframe && (job.trim.start.is_some() || job.warmup > 0));
    let index = if needs_index {
        source.scan_index()?
    } else {
        None
    };
    if job.keep_source_times && index.is_none() {
        return Err(VideoError::BadOption {
            option: "--segment".into(),
            reason: format!(
                "{} cannot be cut into segments: not every frame has its own timestamp",
                job.input.display()
            ),
        });
    }
    let first = match (job.trim.start, &index) {
        (None, _) => Some(0),
        (Some(FramePoint::Frame(n)), _) => Some(n),
        (Some(FramePoint::Time(us)), Some(ix)) => Some(ix.frame_at_time(source.start_pts(ix), us)),
        (Some(FramePoint::Time(_)), None) => None,
    };
    let warm_from = match first {
        _ if job.warmup == 0 => None,
        Some(f) => Some(f.saturating_sub(job.warmup)),
        None => {
            return Err(VideoError::BadOption {
                option: "warm-up".into(),
                reason: "warm-up frames need a start given as a frame number".into(),
            });
        }
    };
    let decode_at = warm_from.or(first).unwrap_or(0);
    let decoded_from = match &index {
        Some(ix)
            if job.seeking == Seeking::Keyframe && decode_at > 0 && decode_at < ix.frames() =>
        {
            source.seek_to_frame(ix.clone(), decode_at)?
        }
        _ => 0,
    };
    Ok(StartPlan {
        index,
        first,
        warm_from,
        decoded_from,
    })
}

fn describe_trim(trim: &Trim) -> String {
    let end = |p: Option<FramePoint>| p.map_or_else(String::new, |p| p.to_string());
    format!("--trim {}..{}", end(trim.start), end(trim.end))
}

/// The input's container tags (title, artist, …) as text pairs.
pub(super) fn read_metadata(path: &Path) -> Vec<(String, String)> {
    ffmpeg_next::format::input(path)
        .map(|i| {
            i.metadata()
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// Decodes the frame at `at` (the first at or after it) without processing it, seeking to
/// the keyframe before it unless `seeking` says otherwise.
pub fn extract_frame(
    path: &Path,
    at: FramePoint,
    seeking: Seeking,
) -> Result<(OwnedImage, FrameTime, VideoInfo), VideoError> {
    let (mut source, info) = VideoSource::open(path, 1)?;
    let mut seen = 0;
    let mut at = at;
    if seeking == Seeking::Keyframe
        && let Some(ix) = source.scan_index()?
    {
        let frame = match at {
            FramePoint::Frame(n) => n,
            FramePoint::Time(us) => ix.frame_at_time(source.start_pts(&ix), us),
        };
        if frame >= ix.frames() {
            return Err(VideoError::NothingSelected {
                what: format!("--frame {at}"),
                frames: ix.frames(),
            });
        }
        at = FramePoint::Frame(frame);
        seen = source.seek_to_frame(ix, frame)?;
    }
    while let Some(raw) = source.next_frame()? {
        seen += 1;
        if at.reached(raw.time.source_index, raw.time.timestamp_us) {
            let image =
                RgbConverter::new()
                    .convert(&raw.frame)
                    .map_err(|e| VideoError::Corrupt {
                        path: path.into(),
                        at: format!("frame {}", raw.time.source_index),
                        reason: format!("cannot convert to RGB: {e}"),
                    })?;
            return Ok((image, raw.time, info));
        }
    }
    Err(VideoError::NothingSelected {
        what: format!("--frame {at}"),
        frames: seen,
    })
}
