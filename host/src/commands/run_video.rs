//! `liveswap run` on a video target: the profile's processors over every frame, streamed.
//!
//! Where: [`super::run()`] hands over any target that is not a still image by name. This
//! module checks the output name, builds the pipeline once, and lets [`video::transcode`]
//! run it on the calling thread between the decode and encode threads. Per-frame events
//! are not logged at the image run's level (a "no face" skip on every frame would drown
//! the terminal): they are counted and summarised at the end, and failures are logged once
//! per processor.

use super::Completion;
use super::error::CommandError;
use super::run_sources::SourcePlan;
use super::setup::{Host, parse_overrides};
use crate::cli::RunArgs;
use crate::media::{check_output_target, is_image_path};
use crate::pipeline::{Pipeline, StageEvent};
use crate::profile::{Profile, RawProfile};
use crate::video::{
    self, EncodeOptions, EncoderRequest, FrameMeta, FrameObserver, Progress, TranscodeSummary,
    Trim, VideoError, VideoJob,
};
use liveswap_sdk::{OwnedImage, SourceFace};
use std::collections::BTreeMap;
use std::io::Write;
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
    /// The pipeline that ran.
    pub(super) pipeline: Pipeline,
    /// What the transcode did.
    pub(super) summary: TranscodeSummary,
    /// What the processors did.
    pub(super) stats: StageStats,
}

/// Runs the profile over a video target and writes the output video.
pub fn run_video(
    host: &Host,
    args: &RunArgs,
    out: &mut dyn Write,
) -> Result<Completion, CommandError> {
    let done = transcode_profile(host, args)?;
    let trim = args.video.trim.unwrap_or_default();
    report(out, args, &done.pipeline, &done.summary, &done.stats, &trim)?;
    Ok(if done.stats.problems() > 0 {
        Completion::WithProblems
    } else {
        Completion::Clean
    })
}

/// Checks a video run's output name before any work: a video file (not an image name), not
/// one of the inputs, not an existing file unless `overwrite`.
pub(crate) fn check_video_output(
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
    Ok(check_output_target(output, inputs, overwrite)?)
}

/// Checks the arguments, builds the pipeline, prepares the sources and streams the video
/// through it. Model call totals ([`crate::inference::CallStats`]) are reset just before
/// the first frame, so they cover the frames only (not source preparation).
pub(super) fn transcode_profile(host: &Host, args: &RunArgs) -> Result<VideoRun, CommandError> {
    let raw = RawProfile::read(&args.profile)?;
    // Sources, reference faces and --map pairs work as for images.
    let mut overrides = parse_overrides(&args.set)?;
    let plan = SourcePlan::new(args, &raw, &host.plugins, &overrides)?;
    overrides.extend(plan.implied.iter().cloned());
    let profile = Profile::validate(&raw, &args.profile, &host.plugins, &overrides)?;
    let mut inputs: Vec<&Path> = vec![args.target.as_path(), args.profile.as_path()];
    inputs.extend(plan.paths());
    check_video_output(&args.output, &inputs, args.overwrite)?;
    // Fail on an unreadable target before loading any model.
    let info = video::probe(&args.target)?;
    tracing::info!(
        "{}: {}x{} {} at {} fps, {} frame(s){}",
        args.target.display(),
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

    let mut pipeline = Pipeline::build(&profile, &host.plugins, &host.services)?;
    let sources = plan.prepare(&mut pipeline, &profile, &host.plugins)?;
    let job = VideoJob {
        input: args.target.clone(),
        output: args.output.clone(),
        trim: args.video.trim.unwrap_or_default(),
        encode: encode_options(args),
        audio: !args.video.no_audio,
        decode_threads: 1,
    };

    // `-q` ("only errors on stderr") also silences the progress display.
    let quiet = !tracing::enabled!(tracing::Level::WARN);
    let mut progress = Progress::stderr(quiet);
    let cancel = host.services.cancel_flag();
    if let Some(calls) = host.services.call_stats() {
        calls.reset();
    }
    let (summary, stats) = stream_video(&mut pipeline, &sources, &job, &mut progress, &cancel)?;
    Ok(VideoRun {
        pipeline,
        summary,
        stats,
    })
}

/// Streams `job` through `pipeline` (decode and encode threads, processors on this thread,
/// see [`video::transcode`]) and counts what the processors did. Shared by `liveswap run`
/// and the app's render (which passes its own progress observer and cancel flag).
pub(crate) fn stream_video(
    pipeline: &mut Pipeline,
    sources: &[SourceFace],
    job: &VideoJob,
    observer: &mut dyn FrameObserver,
    cancel: &AtomicBool,
) -> Result<(TranscodeSummary, StageStats), VideoError> {
    pipeline.set_frame_kind(liveswap_sdk::FrameKind::VIDEO);
    let mut stats = StageStats::default();
    let mut process = |image: &mut OwnedImage, meta: &FrameMeta| {
        let report = pipeline.process(image, meta.index, meta.time.timestamp_us, sources);
        stats.faces += report.faces.len() as u64;
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
    };
    let summary = video::transcode(job, &mut process, observer, cancel)?;
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

fn report(
    out: &mut dyn Write,
    args: &RunArgs,
    pipeline: &Pipeline,
    summary: &TranscodeSummary,
    stats: &StageStats,
    trim: &Trim,
) -> Result<(), CommandError> {
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
        "{}: {n} frame(s){part} at {} fps, {} face(s) in all, processors: {}; video {} ({}), {}; wrote {} in {wall:.1} s ({:.2} frames/s)",
        args.target.display(),
        summary.info.frame_rate,
        stats.faces,
        pipeline.stage_ids().join(" → "),
        summary.encoder.name,
        summary.encoder.options,
        summary.audio,
        args.output.display(),
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
