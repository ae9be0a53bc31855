//! `liveswap run`: a profile over a target image.

use super::Completion;
use super::error::CommandError;
use super::setup::{Host, parse_overrides};
use crate::cli::RunArgs;
use crate::media::{check_output_path, load_rgb, save_rgb};
use crate::pipeline::{Pipeline, PipelineError, StageEvent, pick_source_face};
use crate::profile::{Profile, RawProfile};
use liveswap_sdk::SourceFace;
use std::io::Write;
use std::path::Path;

/// Prepares `--source` faces with the pipeline's analysing stages.
fn prepare_sources(
    pipeline: &mut Pipeline,
    sources: &[std::path::PathBuf],
) -> Result<Vec<SourceFace>, CommandError> {
    if sources.is_empty() {
        return Ok(Vec::new());
    }
    if !pipeline.has_analyser() {
        return Err(PipelineError::NoAnalyser.into());
    }
    let mut prepared = Vec::new();
    for path in sources {
        let label = path.display().to_string();
        let mut image = load_rgb(path)?;
        let report = pipeline.analyse(&mut image);
        if let Some(error) = report.events.iter().find_map(|e| match e {
            StageEvent::Failed { error, .. } | StageEvent::Disabled { error, .. } => {
                Some(error.clone())
            }
            StageEvent::Skipped { .. } => None,
        }) {
            return Err(PipelineError::SourceAnalysis { label, error }.into());
        }
        let face = pick_source_face(&report.faces, &label).ok_or(PipelineError::NoSourceFace {
            label: label.clone(),
        })?;
        prepared.push(SourceFace {
            label: label.as_str().into(),
            role: "source".into(),
            image,
            face,
        });
    }
    Ok(prepared)
}

/// Runs the profile over the target and writes the output.
pub fn run(host: &Host, args: &RunArgs, out: &mut dyn Write) -> Result<Completion, CommandError> {
    let raw = RawProfile::read(&args.profile)?;
    let profile = Profile::validate(
        &raw,
        &args.profile,
        &host.plugins,
        &parse_overrides(&args.set)?,
    )?;
    let mut inputs: Vec<&Path> = vec![args.target.as_path(), args.profile.as_path()];
    inputs.extend(args.source.iter().map(|p| p.as_path()));
    check_output_path(&args.output, &inputs, args.overwrite)?;

    let mut frame = load_rgb(&args.target)?;
    let mut pipeline = Pipeline::build(&profile, &host.plugins, &host.services)?;
    let sources = prepare_sources(&mut pipeline, &args.source)?;
    let report = pipeline.process(&mut frame, 0, 0, &sources);

    let mut problems = 0;
    for event in &report.events {
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
    save_rgb(&frame, &args.output)?;
    writeln!(
        out,
        "{}: {} face(s), processors: {}; wrote {}",
        args.target.display(),
        report.faces.len(),
        pipeline.stage_ids().join(" → "),
        args.output.display()
    )?;
    Ok(if problems > 0 {
        Completion::WithProblems
    } else {
        Completion::Clean
    })
}
