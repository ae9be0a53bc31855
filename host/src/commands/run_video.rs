//! `liveswap run` on a video target: the profile's processors over every frame, streamed.
//!
//! Where: [`super::run()`] hands over any target that is not a still image by name. This
//! module checks the output name, builds the pipeline once, and lets [`video::transcode`]
//! run it on the calling thread between the decode and encode threads. Per-frame events
//! are not logged at the image run's level (a "no face" skip on every frame would drown
//! the terminal): they are counted and summarised at the end, and failures are logged once
//! per processor. A refusal (the content guard flagged a sampled frame) stops the transcode
//! at that frame: its unfinished output is deleted and the run ends with
//! [`CommandError::Refused`]. With `--label` / `label = true` the host draws the visible mark
//! on each processed frame before it is queued for the encoder.

use super::Completion;
use super::error::CommandError;
use super::run_sources::SourcePlan;
use super::segment::{SegmentPlan, manifest_path};
use super::setup::{Host, parse_overrides};
use crate::cli::RunArgs;
use crate::media::{check_output_target, is_image_path};
use crate::pipeline::{Pipeline, StageEvent};
use crate::profile::{Profile, RawProfile};
use crate::video::{
    self, EncodeOptions, EncoderRequest, FrameMeta, Progress, TranscodeSummary, Trim, VideoError,
    VideoJob,
};
use liveswap_sdk::OwnedImage;
use std::collections::BTreeMap;
use std::io::Write;
use std::ops::ControlFlow;
use std::path::Path;
use std::time::Duration;

/// Whether `liveswap run` treats the target as a video: anything that is not a still image
/// by its extension. FFmpeg then decides whether it can read it.
pub fn is_video_target(path: &Path) -> bool {
    !is_image_path(path)
}

/// What the processors did over the whole video.
#[derive(Debug, Default)]
pub(super) struct StageStats {
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
    pub(super) fn problems(&self) -> u64 {
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
    let trim = match &done.segment {
        Some(plan) => plan.trim(),
        None => args.video.trim.unwrap_or_default(),
    };
    report(out, args, &done.pipeline, &done.summary, &done.stats, &trim)?;
    if let Some(plan) = &done.segment {
        let manifest = plan.manifest(&args.output, &done.summary)?;
        let path = manifest_path(&args.output);
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
    }
    Ok(if done.stats.problems() > 0 {
        Completion::WithProblems
    } else {
        Completion::Clean
    })
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
    crate::responsible::guard::warn_if_unguarded(&profile, &host.plugins);
    if is_image_path(&args.output) {
        return Err(VideoError::OutputFormat {
            path: args.output.clone(),
            reason: "the target is a video, so the output must be a video file (.mp4, .mkv, .mov, .webm, .avi); use `liveswap preview` for a single frame".into(),
        }
        .into());
    }
    let mut inputs: Vec<&Path> = vec![args.target.as_path(), args.profile.as_path()];
    inputs.extend(plan.paths());
    check_output_target(&args.output, &inputs, args.overwrite)?;
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

    let segment = match args.video.segment {
        Some(spec) => {
            if args.video.trim.is_some() {
                return Err(VideoError::BadOption {
                    option: "--segment".into(),
                    reason: "--segment cuts the whole video; it cannot be combined with --trim"
                        .into(),
                }
                .into());
            }
            Some(SegmentPlan::new(
                spec,
                args.video.segment_warmup,
                &args.target,
                &profile,
                &plan,
            )?)
        }
        None => None,
    };

    let mut pipeline = Pipeline::build(&profile, &host.plugins, &host.services)?;
    let sources = plan.prepare(&mut pipeline, &profile, &host.plugins)?;
    pipeline.set_frame_kind(liveswap_sdk::FrameKind::VIDEO);
    let job = VideoJob {
        input: args.target.clone(),
        output: args.output.clone(),
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

    let mut stats = StageStats::default();
    let labelled = args.label || raw.label;
    // The first refusal (the content guard flagged a sampled frame) stops the run.
    let mut refused: Option<CommandError> = None;
    let mut process = |image: &mut OwnedImage, meta: &FrameMeta| {
        let report = pipeline.process(image, meta.index, meta.time.timestamp_us, &sources);
        if let Some(e) = super::run::refusal(&args.target, &report) {
            refused = Some(e);
            return ControlFlow::Break(());
        }
        if labelled {
            crate::responsible::label::draw_label(image);
        }
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
        ControlFlow::Continue(())
    };
    // `-q` ("only errors on stderr") also silences the progress display.
    let quiet = !tracing::enabled!(tracing::Level::WARN);
    let mut progress = Progress::stderr(quiet);
    let cancel = host.services.cancel_flag();
    if let Some(calls) = host.services.call_stats() {
        calls.reset();
    }
    let summary = match video::transcode(&job, &mut process, &mut progress, &cancel) {
        Ok(summary) => summary,
        // The transcode deleted its unfinished output; say why it stopped.
        Err(e) => {
            return Err(match (e, refused) {
                (VideoError::Stopped { .. }, Some(refusal)) => refusal,
                (e, _) => e.into(),
            });
        }
    };
    Ok(VideoRun {
        segment,
        pipeline,
        summary,
        stats,
    })
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
