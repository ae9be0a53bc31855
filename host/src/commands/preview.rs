//! `liveswap preview`: one frame of a video through a profile, written as an image.
//!
//! Where: a quick check of settings before a long video run; the frame is decoded exactly
//! as `run` would decode it, then processed with the same pipeline. The frame is found by
//! decoding from the start, so a late frame of a long video takes a while to reach.

use super::Completion;
use super::error::CommandError;
use super::run::prepare_sources;
use super::setup::{Host, parse_overrides};
use crate::cli::PreviewArgs;
use crate::media::{check_output_path, save_rgb};
use crate::pipeline::Pipeline;
use crate::profile::{Profile, RawProfile};
use crate::video;
use std::io::Write;
use std::path::Path;

/// Processes one frame of `args.target` and writes it to `args.output`.
pub fn preview(
    host: &Host,
    args: &PreviewArgs,
    out: &mut dyn Write,
) -> Result<Completion, CommandError> {
    let resolved = RawProfile::resolve(Some(&args.profile))?;
    let profile = Profile::validate(
        &resolved.raw,
        &resolved.path,
        &host.plugins,
        &parse_overrides(&args.set)?,
    )?;
    let mut inputs: Vec<&Path> = vec![args.target.as_path(), args.profile.as_path()];
    inputs.extend(args.source.iter().map(|p| p.as_path()));
    check_output_path(&args.output, &inputs, args.overwrite)?;

    let (mut frame, time, _info) = video::extract_frame(&args.target, args.frame)?;
    let mut pipeline = Pipeline::build(&profile, &host.plugins, &host.services)?;
    let sources = prepare_sources(&mut pipeline, &args.source)?;
    let report = pipeline.process(&mut frame, 0, time.timestamp_us, &sources);
    let problems = super::run::log_events(&report.events);
    save_rgb(&frame, &args.output)?;
    writeln!(
        out,
        "{}: frame {} at {:.3}s, {} face(s), processors: {}; wrote {}",
        args.target.display(),
        time.source_index,
        time.timestamp_us as f64 / 1e6,
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
