//! `liveswap plan --target VIDEO --segments N | --segment-frames F`: the segment table of a
//! scale-out render, with the time each segment should take.
//!
//! Where: before submitting a Slurm array or a Kubernetes Indexed Job, to choose N. The
//! ranges and warm-ups are exactly those `run --segment K/N` will use (`SegmentPlan`'s
//! cut and [`WarmupRule`]); the expected seconds are a quick benchmark's seconds per frame
//! (the same run as `liveswap bench`, [`super::bench`]) times the frames a segment
//! processes, its own plus its warm-up. Model loading and the source's digest (read once
//! per segment) come on top.

use super::Completion;
use super::bench::measured_run;
use super::error::CommandError;
use super::segment::{WarmupRule, index_of};
use super::setup::{Host, parse_overrides};
use crate::cli::{BenchArgs, PlanArgs};
use crate::profile::{Profile, RawProfile};
use crate::video::SegmentSpec;
use std::io::Write;

/// Prints the segment table.
pub fn plan(host: &Host, args: &PlanArgs, out: &mut dyn Write) -> Result<Completion, CommandError> {
    let raw = RawProfile::read(&args.profile)?;
    let profile = Profile::validate(
        &raw,
        &args.profile,
        &host.plugins,
        &parse_overrides(&args.set)?,
    )?;
    let index = index_of(&args.target)?;
    let frames = index.frames();
    let count = match (args.segments, args.segment_frames) {
        (Some(n), _) => n,
        (None, Some(f)) => frames.div_ceil(f).max(1),
        (None, None) => 1,
    }
    .min(frames.max(1));
    let rule = WarmupRule::from_profile(&profile);
    let per_frame_s = if args.bench_frames > 0 {
        let bench = BenchArgs {
            profile: args.profile.clone(),
            target: args.target.clone(),
            source: args.source.clone(),
            set: args.set.clone(),
            frames: args.bench_frames,
            output: None,
            overwrite: false,
            json: false,
        };
        let (done, _scratch) = measured_run(host, &bench)?;
        let n = done.summary.frames.max(1);
        Some(done.summary.totals.wall.as_secs_f64() / n as f64)
    } else {
        None
    };
    writeln!(
        out,
        "{}: {frames} frame(s), {count} segment(s); profile {} (warm-up: {})",
        args.target.display(),
        args.profile.display(),
        rule.why
    )?;
    writeln!(
        out,
        "{:<10} {:>18} {:>8} {:>12} {:>12}",
        "segment", "frames", "warm-up", "decode from", "expected s"
    )?;
    let mut longest: f64 = 0.0;
    for (k, (start, end)) in SegmentSpec::all(count, frames).into_iter().enumerate() {
        let warmup = rule.frames_before(start);
        let from = index.keyframe_before(start - warmup);
        let expected = per_frame_s.map(|s| s * (end - start + warmup) as f64);
        longest = longest.max(expected.unwrap_or(0.0));
        writeln!(
            out,
            "{:<10} {:>18} {:>8} {:>12} {:>12}",
            format!("{k}/{count}"),
            format!("{start}..{end}"),
            warmup,
            from,
            expected.map_or_else(|| "-".into(), |e| format!("{e:.1}"))
        )?;
    }
    match per_frame_s {
        Some(s) => writeln!(
            out,
            "bench: {:.3} s/frame over {} frame(s); the longest segment takes about {longest:.1} s (one segment on one machine: {:.1} s)",
            s,
            args.bench_frames,
            s * frames as f64
        )?,
        None => writeln!(out, "no benchmark (--bench-frames 0)")?,
    }
    writeln!(
        out,
        "render: liveswap run -p {} -t {} --segment K/{count} -o seg-K.mp4 …; then liveswap join seg-*.mp4 -o OUT.mp4",
        args.profile.display(),
        args.target.display()
    )?;
    Ok(Completion::Clean)
}
