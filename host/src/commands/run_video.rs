//! `liveswap run` on a video target: the profile's processors over every frame, streamed.
//!
//! Where: [`super::run()`] hands over every target that is not a still image by name, with
//! the run's one pipeline. This module checks the output name, and lets
//! [`video::transcode`] run the pipeline on the calling thread between the decode and
//! encode threads. Per-frame events
//! are not logged at the image run's level (a "no face" skip on every frame would drown
//! the terminal): they are counted and summarised at the end, and failures are logged once
//! per processor. A refusal (the content guard flagged a sampled frame) stops the transcode
//! at that frame: its unfinished output is deleted and the run ends with
//! [`CommandError::Refused`]. With `--label` / `label = true` the host draws the visible mark
//! on each processed frame before it is queued for the encoder. With `--segment K/N` only
//! that segment (plus its warm-up) is rendered, and its manifest is written beside it.

use super::error::CommandError;
use super::run_profile::{Prepared, RunProfile};
use super::segment::{SegmentPlan, manifest_path};
use super::setup::Host;
use crate::cli::RunArgs;
use crate::media::{check_output_target, is_image_path};
use crate::pipeline::{Pipeline, StageEvent};
use crate::video::{
    self, EncodeOptions, EncoderRequest, FrameMeta, FrameObserver, Progress, TranscodeSummary,
    Trim, VideoError, VideoJob,
};
use liveswap_sdk::{OwnedImage, SourceFace};
use std::collections::BTreeMap;
use std::io::Write;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// Whether `liveswap run` treats the target as a video: anything that is not a still image
/// by its extension. FFmpeg then decides whether it can read it.
pub fn is_video_target(path: &Path) -> bool {
    !is_image_path(path)
}

/// What the processors did over the whole video.
#[derive(Debug, Default)]
pub(crate) struct StageStats {
    /// Per processor: (time, frames it ran on), by id.
    pub(super) time: BTreeMap<String, (Duration, u64)>,
    /// Per processor: (frames skipped, last reason).
    skipped: BTreeMap<String, (u64, String)>,
    /// Per processor: frames failed.
    failed: BTreeMap<String, u64>,
    /// Processors disabled during the run.
    disabled: Vec<String>,
    /// Faces seen over all frames.
    pub(super) faces: u64,
    /// Faces swapped over all frames (their box changed, as `--report` decides).
    pub(super) swapped: u64,
}

impl StageStats {
    pub(crate) fn problems(&self) -> u64 {
        self.failed.values().sum::<u64>() + self.disabled.len() as u64
    }
}

/// Encoding options from the command line.
fn encode_options(args: &RunArgs) -> EncodeOptions {
    let v = &args.video;
    EncodeOptions {
        encoder: v.video_encoder.clone().unwrap_or(EncoderRequest::Default),
        quality: v.video_quality,
        preset: v.video_preset,
        threads: v
            .encoder_threads
            .map_or_else(video::default_encoder_threads, |n| n as usize),
    }
}

/// A finished video run, for the summary (`run`) or the measurements (`bench`).
pub(super) struct VideoRun {
    /// `--segment`: the segment that was rendered.
    pub(super) segment: Option<SegmentPlan>,
    /// What the transcode did.
    pub(super) summary: TranscodeSummary,
    /// What the processors did.
    pub(super) stats: StageStats,
}

/// Checks a video target before any model loads: the output must be a video file name, not
/// an input, not an existing file unless `overwrite`; the target must be readable.
pub(crate) fn check_video_target(
    target: &Path,
    output: &Path,
    inputs: &[&Path],
    overwrite: bool,
) -> Result<(), CommandError> {
    if is_image_path(output) {
        return Err(VideoError::OutputFormat {
            path: output.to_path_buf(),
            reason: "the target is a video, so the output must be a video file (.mp4, .mkv, .mov, .webm, .avi); use `liveswap preview` for a single frame".into(),
        }
        .into());
    }
    let mut all: Vec<&Path> = vec![target];
    all.extend(inputs);
    check_output_target(output, &all, overwrite)?;
    let info = video::probe(target)?;
    tracing::info!(
        "{}: {}x{} {} at {} fps, {} frame(s){}",
        target.display(),
        info.width,
        info.height,
        info.codec,
        info.frame_rate,
        info.estimated_frames()
            .map_or_else(|| "?".into(), |n| n.to_string()),
        info.audio
            .as_ref()
            .map_or_else(String::new, |a| format!(", audio {}", a.codec))
    );
    Ok(())
}

/// Checks the arguments, builds the pipeline, prepares the sources and streams the one
/// video target of `args` through it (`bench`).
pub(super) fn transcode_profile(host: &Host, args: &RunArgs) -> Result<VideoRun, CommandError> {
    let run = RunProfile::new(host, args)?;
    let (Some(target), Some(output)) = (args.target.first(), args.output.as_ref()) else {
        return Err(CommandError::Processing(
            "a video run needs a target and an output".into(),
        ));
    };
    check_video_target(target, output, &run.inputs(), args.overwrite)?;
    let segment = segment_plan(args, target, &run)?;
    let mut prepared = run.build(host)?;
    transcode_one(host, &mut prepared, args, target, output, segment)
}

/// The `--segment K/N` plan for `target` (before any model loads), or `None`.
pub(super) fn segment_plan(
    args: &RunArgs,
    target: &Path,
    run: &RunProfile,
) -> Result<Option<SegmentPlan>, CommandError> {
    let Some(spec) = args.video.segment else {
        return Ok(None);
    };
    if args.video.trim.is_some() {
        return Err(VideoError::BadOption {
            option: "--segment".into(),
            reason: "--segment cuts the whole video; it cannot be combined with --trim".into(),
        }
        .into());
    }
    Ok(Some(SegmentPlan::new(
        spec,
        args.video.segment_warmup,
        target,
        &run.profile,
        &run.plan,
    )?))
}

/// Writes the manifest of a rendered segment beside `output` and says so.
pub(super) fn write_segment_manifest(
    out: &mut dyn Write,
    plan: &SegmentPlan,
    output: &Path,
    summary: &TranscodeSummary,
) -> Result<(), CommandError> {
    let manifest = plan.manifest(output, summary)?;
    let path = manifest_path(output);
    manifest.write(&path)?;
    writeln!(
        out,
        "segment {}: frames {}..{} (warm-up {} from frame {}); manifest {}",
        plan.spec,
        manifest.frames.start,
        manifest.frames.end,
        manifest.frames.warmup,
        manifest.frames.decoded_from,
        path.display()
    )?;
    Ok(())
}

/// Streams one video through an already built pipeline into `output` (checked before with
/// [`check_video_target`]). Model call totals ([`crate::inference::CallStats`]) are reset
/// just before the first frame, so they cover the frames only (not source preparation).
pub(super) fn transcode_one(
    host: &Host,
    prepared: &mut Prepared,
    args: &RunArgs,
    target: &Path,
    output: &Path,
    segment: Option<SegmentPlan>,
) -> Result<VideoRun, CommandError> {
    let Prepared {
        pipeline,
        sources,
        label,
    } = prepared;
    let labelled = *label;
    let job = VideoJob {
        input: target.to_path_buf(),
        output: output.to_path_buf(),
        trim: segment
            .as_ref()
            .map_or_else(|| args.video.trim.unwrap_or_default(), SegmentPlan::trim),
        encode: encode_options(args),
        audio: !args.video.no_audio,
        decode_threads: 1,
        warmup: segment.as_ref().map_or(0, |s| s.warmup),
        keep_source_times: segment.is_some(),
        ..Default::default()
    };

    // `-q` ("only errors on stderr") also silences the progress display.
    let quiet = !tracing::enabled!(tracing::Level::WARN);
    let mut progress = Progress::stderr(quiet);
    let cancel = host.services.cancel_flag();
    if let Some(calls) = host.services.call_stats() {
        calls.reset();
    }
    let (summary, stats) = stream_video(pipeline, sources, labelled, &job, &mut progress, &cancel)?;
    Ok(VideoRun {
        segment,
        summary,
        stats,
    })
}

/// Streams `job` through `pipeline` (decode and encode threads, processors on this thread,
/// see [`video::transcode`]) and counts what the processors did; `label` draws the visible
/// mark on every frame. The first refusal (the content guard flagged a sampled frame) stops
/// it, the unfinished output is deleted and the refusal is the error. Shared by `liveswap
/// run` and the app's render (which passes its own progress observer and cancel flag).
pub(crate) fn stream_video(
    pipeline: &mut Pipeline,
    sources: &[SourceFace],
    label: bool,
    job: &VideoJob,
    observer: &mut dyn FrameObserver,
    cancel: &AtomicBool,
) -> Result<(TranscodeSummary, StageStats), CommandError> {
    pipeline.set_frame_kind(liveswap_sdk::FrameKind::VIDEO);
    let target = job.input.as_path();
    let mut stats = StageStats::default();
    // The first refusal (the content guard flagged a sampled frame) stops the run.
    let mut refused: Option<CommandError> = None;
    let mut process = |image: &mut OwnedImage, meta: &FrameMeta| {
        let original = image.clone();
        let report = pipeline.process(image, meta.index, meta.time.timestamp_us, sources);
        if let Some(e) = super::run::refusal(target, &report) {
            refused = Some(e);
            return ControlFlow::Break(());
        }
        stats.faces += report.faces.len() as u64;
        stats.swapped += super::report::count_swapped(&original, image, &report.faces) as u64;
        if label {
            crate::responsible::label::draw_label(image);
        }
        for t in report.timings {
            let entry = stats.time.entry(t.id).or_default();
            entry.0 += t.elapsed;
            entry.1 += 1;
        }
        for event in report.events {
            match event {
                StageEvent::Skipped { id, reason } => {
                    let entry = stats.skipped.entry(id).or_default();
                    entry.0 += 1;
                    entry.1 = reason;
                }
                StageEvent::Failed { id, error } => {
                    let count = stats.failed.entry(id.clone()).or_default();
                    if *count == 0 {
                        tracing::error!(
                            "{id}: failed on frame {} (further failures are counted): {error}",
                            meta.index
                        );
                    }
                    *count += 1;
                }
                StageEvent::Disabled { id, error } => {
                    tracing::error!("{id}: disabled at frame {}: {error}", meta.index);
                    stats.disabled.push(id);
                }
            }
        }
        ControlFlow::Continue(())
    };
    let summary = match video::transcode(job, &mut process, observer, cancel) {
        Ok(summary) => summary,
        // The transcode deleted its unfinished output; say why it stopped.
        Err(e) => {
            return Err(match (e, refused) {
                (VideoError::Stopped { .. }, Some(refusal)) => refusal,
                (e, _) => e.into(),
            });
        }
    };
    Ok((summary, stats))
}

/// Milliseconds per frame.
pub(super) fn per_frame(total: Duration, frames: u64) -> f64 {
    if frames == 0 {
        0.0
    } else {
        total.as_secs_f64() * 1000.0 / frames as f64
    }
}

/// Writes the summary line of one video (and logs the per-processor details).
pub(super) fn report_video(
    out: &mut dyn Write,
    target: &Path,
    output: &Path,
    pipeline: &Pipeline,
    done: &VideoRun,
    trim: &Trim,
) -> Result<(), CommandError> {
    let (summary, stats) = (&done.summary, &done.stats);
    let n = summary.frames;
    for (id, (count, reason)) in &stats.skipped {
        tracing::info!("{id}: skipped {count} of {n} frame(s) (last reason: {reason})");
    }
    for (id, count) in &stats.failed {
        tracing::error!("{id}: failed on {count} of {n} frame(s)");
    }
    let t = &summary.totals;
    let stages: Vec<String> = stats
        .time
        .iter()
        .map(|(id, (d, k))| format!("{id} {:.1}", per_frame(*d, *k)))
        .collect();
    tracing::info!(
        "ms per frame: decode {:.1}, {}, encode {:.1}; processing waited {:.1} for frames and {:.1} for the encoder",
        per_frame(t.decode, n),
        stages.join(", "),
        per_frame(t.encode, n),
        per_frame(t.waited_for_decoder, n),
        per_frame(t.waited_for_encoder, n),
    );
    let wall = t.wall.as_secs_f64();
    let part = if trim.is_everything() {
        String::new()
    } else {
        format!(" ({})", summary_trim(trim))
    };
    writeln!(
        out,
        "{}: {n} frame(s){part} at {} fps, {} face(s) in all, {} swapped, processors: {}; video {} ({}), {}; wrote {} in {wall:.1} s ({:.2} frames/s)",
        target.display(),
        summary.info.frame_rate,
        stats.faces,
        stats.swapped,
        pipeline.stage_ids().join(" → "),
        summary.encoder.name,
        summary.encoder.options,
        summary.audio,
        output.display(),
        if wall > 0.0 { n as f64 / wall } else { 0.0 },
    )?;
    Ok(())
}

fn summary_trim(trim: &Trim) -> String {
    let show = |p: Option<video::FramePoint>, default: &str| {
        p.map_or_else(|| default.to_string(), |p| p.to_string())
    };
    format!(
        "trimmed from {} to {}",
        show(trim.start, "the start"),
        show(trim.end, "the end")
    )
}
