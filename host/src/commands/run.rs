//! `liveswap run`: a profile over one or many targets, images and videos mixed.
//!
//! Order of work: the profile is resolved and validated ([`RunProfile`]), the targets are
//! expanded and paired with their outputs ([`super::run_targets`]), every output name is
//! checked (none exists unless `--overwrite`, none is an input, the format fits) and every
//! video probed — all before a model loads. Then one pipeline is built for the whole run
//! (models loaded and verified once) and each target goes through it: images here, videos
//! through [`super::run_video`]. In a batch (several files, a folder or a pattern), a target
//! that fails is reported and skipped, and the run ends with exit status 3 and the list;
//! a single target's failure is the command's error, as before.

use super::Completion;
use super::error::CommandError;
use super::run_profile::{Prepared, RunProfile};
use super::run_sources::prepare_one;
use super::run_targets::{self, Job};
use super::run_video::{
    check_video_target, is_video_target, report_video, segment_plan, transcode_one,
    write_segment_manifest,
};
use super::segment::SegmentPlan;
use super::setup::Host;
use crate::cli::RunArgs;
use crate::media::{ImageWriteOptions, check_output_path, load_image, save_rgb_with};
use crate::pipeline::{FrameReport, Pipeline, StageEvent};
use crate::responsible::guard;
use crate::video::VideoError;
use liveswap_sdk::{FrameKind, SourceFace, SourceRole};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// Prepares `--source` faces (role `"source"`) with the pipeline's analysing stages.
/// Prefer [`super::SourcePlan`], which also handles `--reference-face` and `--map`.
pub(super) fn prepare_sources(
    pipeline: &mut Pipeline,
    sources: &[std::path::PathBuf],
) -> Result<Vec<SourceFace>, CommandError> {
    if sources.is_empty() {
        return Ok(Vec::new());
    }
    if !pipeline.has_analyser() {
        return Err(crate::pipeline::PipelineError::NoAnalyser.into());
    }
    sources
        .iter()
        .map(|p| prepare_one(pipeline, p, SourceRole::SOURCE))
        .collect()
}

/// What one target gave.
#[derive(Debug, Default)]
struct Outcome {
    /// Faces found (over all frames for a video).
    faces: u64,
    /// Faces swapped.
    swapped: u64,
    /// Whether an output file was written.
    written: bool,
    /// Processor failures (exit status 3).
    problems: u64,
}

/// Runs the profile over every target and writes the outputs.
pub fn run(host: &Host, args: &RunArgs, out: &mut dyn Write) -> Result<Completion, CommandError> {
    let started = Instant::now();
    let run = RunProfile::new(host, args)?;
    guard::warn_if_unguarded(&run.profile, &host.plugins);
    let (files, batch) = run_targets::expand(&args.target)?;
    let jobs = run_targets::plan(
        &files,
        batch,
        args.output.as_deref(),
        args.output_template.as_deref(),
    )?;

    // Every output name is checked before any work; bad names stop the run here.
    let mut inputs = run.inputs();
    inputs.extend(files.iter().map(|f| f.as_path()));
    let mut failed: Vec<String> = Vec::new();
    let mut runnable = Vec::new();
    let mut name_problems = Vec::new();
    for job in &jobs {
        if is_video_target(&job.target) {
            match check_video_target(&job.target, &job.output, &inputs, args.overwrite) {
                Ok(()) => runnable.push(job),
                // A video that cannot be read is a bad target, not a bad output name.
                Err(CommandError::Video(e)) if batch && !is_output_problem(&e) => {
                    failed.push(format!("{}: {e}", job.target.display()));
                }
                Err(e) if batch => name_problems.push(e.to_string()),
                Err(e) => return Err(e),
            }
        } else {
            match check_output_path(&job.output, &inputs, args.overwrite) {
                Ok(()) => runnable.push(job),
                Err(e) if batch => name_problems.push(e.to_string()),
                Err(e) => return Err(e.into()),
            }
        }
    }
    if !name_problems.is_empty() {
        return Err(CommandError::BadTargets(format!(
            "nothing was processed:\n  {}",
            name_problems.join("\n  ")
        )));
    }
    for f in &failed {
        tracing::error!("skipped: {f}");
    }

    // `--segment K/N` renders part of one video; planned before any model loads.
    let mut segment = match (args.video.segment, runnable.as_slice()) {
        (None, _) => None,
        (Some(_), [job]) if !batch && is_video_target(&job.target) => {
            segment_plan(args, &job.target, &run)?
        }
        (Some(spec), _) => {
            return Err(VideoError::BadOption {
                option: "--segment".into(),
                reason: format!("--segment {spec} renders a part of one video target"),
            }
            .into());
        }
    };
    let mut prepared = run.build(host)?;
    let quiet = !tracing::enabled!(tracing::Level::WARN);
    let mut totals = Outcome::default();
    let mut written = 0usize;
    for (k, job) in runnable.iter().enumerate() {
        if batch && !quiet {
            #[allow(clippy::print_stderr, reason = "per-file progress of a batch")]
            {
                eprintln!(
                    "[{}/{}] {} → {}",
                    k + 1,
                    runnable.len(),
                    job.target.display(),
                    job.output.display()
                );
            }
        }
        let result = if is_video_target(&job.target) {
            run_one_video(host, &mut prepared, args, job, segment.take(), out)
        } else {
            run_one_image(host, &mut prepared, args, job, out)
        };
        match result {
            Ok(o) => {
                totals.faces += o.faces;
                totals.swapped += o.swapped;
                totals.problems += o.problems;
                written += usize::from(o.written);
            }
            Err(e) if !batch => return Err(e),
            Err(CommandError::Video(e)) if matches!(*e, VideoError::Cancelled { .. }) => {
                return Err(CommandError::Video(e));
            }
            Err(e) => {
                tracing::error!("{}: {e}", job.target.display());
                failed.push(format!("{}: {e}", job.target.display()));
            }
        }
    }
    if batch {
        let providers = providers_used(host);
        writeln!(
            out,
            "done: {} target(s), {written} written, {} failed; {} face(s) found, {} swapped; models ran on {providers}; {:.1} s",
            jobs.len(),
            failed.len(),
            totals.faces,
            totals.swapped,
            started.elapsed().as_secs_f64()
        )?;
        if !failed.is_empty() {
            tracing::error!(
                "{} target(s) failed and were skipped:\n  {}",
                failed.len(),
                failed.join("\n  ")
            );
        }
    }
    Ok(if totals.problems > 0 || !failed.is_empty() {
        Completion::WithProblems
    } else {
        Completion::Clean
    })
}

/// The error ending a run whose `input` (a target, a source image) a processor refused
/// (the content guard), or `None`.
pub(crate) fn refusal(input: &Path, report: &FrameReport) -> Option<CommandError> {
    report.refusal().map(|(id, error)| CommandError::Refused {
        input: input.display().to_string(),
        id: id.to_string(),
        error: error.clone(),
    })
}

/// The providers the models ran on so far, for summaries ("none" before any model call).
fn providers_used(host: &Host) -> String {
    host.services
        .call_stats()
        .map_or_else(|| "none".to_owned(), |c| c.providers_text())
}

/// Whether a video check failed on the output name (a usage problem) rather than the input.
fn is_output_problem(e: &VideoError) -> bool {
    matches!(e, VideoError::OutputFormat { .. })
}

/// One image target through the pipeline.
fn run_one_image(
    host: &Host,
    prepared: &mut Prepared,
    args: &RunArgs,
    job: &Job,
    out: &mut dyn Write,
) -> Result<Outcome, CommandError> {
    let Prepared {
        pipeline,
        sources,
        label,
    } = prepared;
    let loaded = load_image(&job.target)?;
    // A batch may have run a video through this pipeline before.
    pipeline.set_frame_kind(FrameKind::STILL);
    let mut frame = loaded.image;
    let original = frame.clone();
    let report = pipeline.process(&mut frame, 0, 0, sources);
    if let Some(refused) = refusal(&job.target, &report) {
        return Err(refused);
    }
    let problems = log_events(&report.events) as u64;
    let swapped = super::report::count_swapped(&original, &frame, &report.faces) as u64;
    let faces = report.faces.len() as u64;
    let skip = swapped == 0 && args.skip_no_face;
    if swapped == 0 {
        let why = if faces == 0 {
            "no face found".to_owned()
        } else {
            format!("{faces} face(s) found, none selected for swapping")
        };
        let what = if skip {
            "nothing written (--skip-no-face)"
        } else {
            "the picture is written unchanged (--skip-no-face writes nothing)"
        };
        tracing::warn!("{}: {why}; {what}", job.target.display());
    }
    if *label {
        crate::responsible::label::draw_label(&mut frame);
    }
    if !skip {
        let options = ImageWriteOptions {
            jpeg_quality: args.image.jpeg_quality,
            png_compression: args.image.png_compression,
            icc_profile: loaded.icc_profile,
        };
        save_rgb_with(&frame, &job.output, &options)?;
    }
    let providers = providers_used(host);
    writeln!(
        out,
        "{}: {faces} face(s), {swapped} swapped, processors: {}; models on {providers}; {}",
        job.target.display(),
        pipeline.stage_ids().join(" → "),
        if skip {
            "nothing written".to_owned()
        } else {
            format!("wrote {}", job.output.display())
        }
    )?;
    if args.report {
        super::report::write_report(
            &host.services,
            pipeline,
            &original,
            &frame,
            &report.faces,
            sources,
            out,
        )?;
    }
    Ok(Outcome {
        faces,
        swapped,
        written: !skip,
        problems,
    })
}

/// One video target through the pipeline (the video path of [`super::run_video`]).
fn run_one_video(
    host: &Host,
    prepared: &mut Prepared,
    args: &RunArgs,
    job: &Job,
    segment: Option<SegmentPlan>,
    out: &mut dyn Write,
) -> Result<Outcome, CommandError> {
    let done = transcode_one(host, prepared, args, &job.target, &job.output, segment)?;
    let trim = match &done.segment {
        Some(plan) => plan.trim(),
        None => args.video.trim.unwrap_or_default(),
    };
    report_video(
        out,
        &job.target,
        &job.output,
        &prepared.pipeline,
        &done,
        &trim,
    )?;
    if let Some(calls) = host.services.call_stats() {
        writeln!(out, "models ran on {}", calls.providers_text())?;
    }
    if let Some(plan) = &done.segment {
        write_segment_manifest(out, plan, &job.output, &done.summary)?;
    }
    Ok(Outcome {
        faces: done.stats.faces,
        swapped: done.stats.swapped,
        written: true,
        problems: done.stats.problems(),
    })
}

/// Logs what each processor did on a single image (skips as info, failures and disabled
/// processors as errors) and returns how many were problems.
pub(super) fn log_events(events: &[StageEvent]) -> usize {
    let mut problems = 0;
    for event in events {
        match event {
            StageEvent::Skipped { id, reason } => tracing::info!("{id}: skipped: {reason}"),
            StageEvent::Failed { id, error } => {
                problems += 1;
                tracing::error!("{id}: failed: {error}");
            }
            StageEvent::Disabled { id, error } => {
                problems += 1;
                tracing::error!("{id}: disabled: {error}");
            }
        }
    }
    problems
}
