//! `liveswap preview`: one frame of a video (or a still image) through a profile, written
//! as an image.
//!
//! Where: a quick check of settings before a long video run; the frame is decoded exactly
//! as `run` would decode it, then processed with the same pipeline. The frame is reached
//! by seeking to the keyframe before it (see `video::Seeking`), so a late frame of a long
//! video comes as fast as an early one. An image target is processed as `run` would
//! process it (`--frame` must then be 0).

use super::Completion;
use super::error::CommandError;
use super::run::prepare_sources;
use super::setup::{Host, parse_overrides};
use crate::cli::PreviewArgs;
use crate::media::{check_output_path, is_image_path, load_rgb, save_rgb};
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
    crate::responsible::guard::warn_if_unguarded(&profile, &host.plugins);
    let mut inputs: Vec<&Path> = vec![args.target.as_path(), args.profile.as_path()];
    inputs.extend(args.source.iter().map(|p| p.as_path()));
    check_output_path(&args.output, &inputs, args.overwrite)?;

    let (mut frame, time) = if is_image_path(&args.target) {
        if args.frame != video::FramePoint::Frame(0) {
            return Err(video::VideoError::BadOption {
                option: "--frame".into(),
                reason: format!(
                    "{} is a still image: it has only frame 0",
                    args.target.display()
                ),
            }
            .into());
        }
        (load_rgb(&args.target)?, None)
    } else {
        let (frame, time, _info) =
            video::extract_frame(&args.target, args.frame, video::Seeking::Keyframe)?;
        (frame, Some(time))
    };
    let timestamp_us = time.map_or(0, |t| t.timestamp_us);
    let mut pipeline = Pipeline::build(&profile, &host.plugins, &host.services)?;
    let sources = prepare_sources(&mut pipeline, &args.source)?;
    let report = pipeline.process(&mut frame, 0, timestamp_us, &sources);
    if let Some(refused) = super::run::refusal(&args.target, &report) {
        return Err(refused);
    }
    let problems = super::run::log_events(&report.events);
    if args.label || resolved.raw.label {
        crate::responsible::label::draw_label(&mut frame);
    }
    save_rgb(&frame, &args.output)?;
    let place = match time {
        Some(t) => format!(
            "frame {} at {:.3}s",
            t.source_index,
            t.timestamp_us as f64 / 1e6
        ),
        None => "image".to_owned(),
    };
    writeln!(
        out,
        "{}: {place}, {} face(s), processors: {}; wrote {}",
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
