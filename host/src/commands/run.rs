//! `liveswap run`: a profile over a target image.

use super::Completion;
use super::error::CommandError;
use super::run_sources::{SourcePlan, prepare_one};
use super::setup::{Host, parse_overrides};
use crate::cli::RunArgs;
use crate::media::{check_output_path, load_rgb, save_rgb};
use crate::pipeline::{FrameReport, Pipeline, StageEvent};
use crate::profile::{Profile, RawProfile};
use crate::responsible::{guard, label};
use liveswap_sdk::{SourceFace, SourceRole};
use std::io::Write;
use std::path::Path;

/// Prepares `--source` faces (role `"source"`) with the pipeline's analysing stages.
/// Prefer [`SourcePlan`], which also handles `--reference-face` and `--map`.
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

/// Runs the profile over the target and writes the output.
pub fn run(host: &Host, args: &RunArgs, out: &mut dyn Write) -> Result<Completion, CommandError> {
    if super::run_video::is_video_target(&args.target) {
        return super::run_video::run_video(host, args, out);
    }
    let raw = RawProfile::read(&args.profile)?;
    let mut overrides = parse_overrides(&args.set)?;
    let plan = SourcePlan::new(args, &raw, &host.plugins, &overrides)?;
    overrides.extend(plan.implied.iter().cloned());
    let profile = Profile::validate(&raw, &args.profile, &host.plugins, &overrides)?;
    guard::warn_if_unguarded(&profile, &host.plugins);
    let mut inputs: Vec<&Path> = vec![args.target.as_path(), args.profile.as_path()];
    inputs.extend(plan.paths());
    check_output_path(&args.output, &inputs, args.overwrite)?;

    let mut frame = load_rgb(&args.target)?;
    let mut pipeline = Pipeline::build(&profile, &host.plugins, &host.services)?;
    let sources = plan.prepare(&mut pipeline, &profile, &host.plugins)?;
    let original = args.report.then(|| frame.clone());
    let report = pipeline.process(&mut frame, 0, 0, &sources);
    if let Some(refused) = refusal(&args.target, &report) {
        return Err(refused);
    }

    let problems = log_events(&report.events);
    if args.label || raw.label {
        label::draw_label(&mut frame);
    }
    save_rgb(&frame, &args.output)?;
    writeln!(
        out,
        "{}: {} face(s), processors: {}; wrote {}",
        args.target.display(),
        report.faces.len(),
        pipeline.stage_ids().join(" → "),
        args.output.display()
    )?;
    if let Some(original) = original {
        super::report::write_report(
            &mut pipeline,
            &original,
            &frame,
            &report.faces,
            &sources,
            out,
        )?;
    }
    Ok(if problems > 0 {
        Completion::WithProblems
    } else {
        Completion::Clean
    })
}

/// The error ending a run whose `input` (a target, a source image) a processor refused
/// (the content guard), or `None`.
pub(super) fn refusal(input: &Path, report: &FrameReport) -> Option<CommandError> {
    report.refusal().map(|(id, error)| CommandError::Refused {
        input: input.display().to_string(),
        id: id.to_string(),
        error: error.clone(),
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
