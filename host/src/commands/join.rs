//! `liveswap join SEGMENT... -o OUT`: checks that segments rendered with `run --segment K/N`
//! belong together, then remuxes them into one video with the source's audio.
//!
//! Where: the last step of a scale-out render (the dependent job of the Slurm array, the
//! join Job after the Kubernetes Indexed Job). The checks read only the manifests and the
//! segment files' digests, so a segment from another source, with other settings, a
//! missing one, one given twice, or a file replaced after its manifest was written is
//! refused, naming it, before anything is written. The remux itself is
//! [`crate::video::join_segments`].

use super::Completion;
use super::error::CommandError;
use crate::cli::JoinArgs;
use crate::media::check_output_target;
use crate::video::{self, JoinJob, SegmentManifest, VideoError};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One segment as given on the command line.
struct Given {
    manifest_path: PathBuf,
    file: PathBuf,
    m: SegmentManifest,
}

fn bad(path: &Path, reason: String) -> CommandError {
    VideoError::BadSegment {
        path: path.into(),
        reason,
    }
    .into()
}

fn short(digest: &str) -> &str {
    digest.get(..12).unwrap_or(digest)
}

fn read_given(arg: &Path) -> Result<Given, CommandError> {
    let is_manifest = arg.extension().is_some_and(|e| e == "json");
    let manifest_path = if is_manifest {
        arg.to_path_buf()
    } else {
        SegmentManifest::path_for(arg)
    };
    let m = SegmentManifest::read(&manifest_path)?;
    let file = if is_manifest {
        m.segment_path(&manifest_path)
    } else {
        arg.to_path_buf()
    };
    Ok(Given {
        manifest_path,
        file,
        m,
    })
}

/// The segment most others agree with: the most common source digest, first given on ties.
fn reference(given: &[Given]) -> &Given {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for g in given {
        *count.entry(g.m.source.sha256.as_str()).or_default() += 1;
    }
    given
        .iter()
        .max_by_key(|g| {
            (
                count[g.m.source.sha256.as_str()],
                std::cmp::Reverse(g.m.index),
            )
        })
        .unwrap_or(&given[0])
}

/// Says how `g` differs from the reference, or nothing when it belongs.
fn foreign(g: &Given, r: &Given) -> Option<String> {
    let (m, rm) = (&g.m, &r.m);
    if m.source.sha256 != rm.source.sha256 {
        return Some(format!(
            "is a segment of another video: {} (sha256 {}…), the others are of {} ({}…)",
            m.source.path.display(),
            short(&m.source.sha256),
            rm.source.path.display(),
            short(&rm.source.sha256)
        ));
    }
    if m.count != rm.count {
        return Some(format!(
            "is segment {}/{}, the others are of {} segments",
            m.index, m.count, rm.count
        ));
    }
    if m.profile.sha256 != rm.profile.sha256 {
        let differs: Vec<String> = m
            .profile
            .settings
            .iter()
            .filter(|l| !rm.profile.settings.contains(l))
            .take(4)
            .cloned()
            .collect();
        return Some(format!(
            "was rendered with other profile settings than {} ({}): {}",
            r.file.display(),
            rm.profile.path.display(),
            if differs.is_empty() {
                "other processors".to_owned()
            } else {
                differs.join(", ")
            }
        ));
    }
    if m.profile.inputs != rm.profile.inputs {
        return Some(format!(
            "was rendered with other face images than {}: {:?} vs {:?}",
            r.file.display(),
            m.profile.inputs,
            rm.profile.inputs
        ));
    }
    if (&m.encoder.name, &m.encoder.options) != (&rm.encoder.name, &rm.encoder.options) {
        return Some(format!(
            "was encoded with {} ({}), {} with {} ({}); segments of one video need the same encoder settings",
            m.encoder.name,
            m.encoder.options,
            r.file.display(),
            rm.encoder.name,
            rm.encoder.options
        ));
    }
    None
}

/// Checks the segments and returns them in order.
fn check(mut given: Vec<Given>) -> Result<Vec<Given>, CommandError> {
    let r = reference(&given);
    for g in &given {
        if let Some(why) = foreign(g, r) {
            return Err(bad(&g.file, why));
        }
    }
    let count = r.m.count;
    let frames = r.m.source.frames;
    given.sort_by_key(|g| g.m.index);
    for w in given.windows(2) {
        if w[0].m.index == w[1].m.index {
            return Err(bad(
                &w[1].file,
                format!(
                    "is segment {}/{count}, and so is {}: give each segment once",
                    w[1].m.index,
                    w[0].file.display()
                ),
            ));
        }
    }
    let have: Vec<u64> = given.iter().map(|g| g.m.index).collect();
    let missing: Vec<String> = (0..count)
        .filter(|k| !have.contains(k))
        .map(|k| format!("{k}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(VideoError::Join {
            reason: format!(
                "segment(s) {} missing (given: {}); render them with the same `liveswap run … --segment K/N` command",
                missing.join(", "),
                have.iter()
                    .map(|k| format!("{k}/{count}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
        .into());
    }
    let mut next = 0;
    for g in &given {
        let f = &g.m.frames;
        if f.start != next || f.end <= f.start {
            let what = if f.start < next {
                "overlaps"
            } else {
                "leaves a gap after"
            };
            return Err(bad(
                &g.file,
                format!(
                    "holds frames {}..{}, which {what} the previous segment (ending at frame {next})",
                    f.start, f.end
                ),
            ));
        }
        next = f.end;
    }
    if next != frames {
        return Err(VideoError::Join {
            reason: format!("the segments end at frame {next} but the source has {frames} frames"),
        }
        .into());
    }
    for g in &given {
        let digest = crate::models::sha256_file(&g.file)
            .map_err(|e| bad(&g.file, format!("cannot read the segment file: {e}")))?;
        if digest != g.m.file_sha256 {
            return Err(bad(
                &g.file,
                format!(
                    "differs from what its manifest {} describes (sha256 {}… vs {}…): render this segment again",
                    g.manifest_path.display(),
                    short(&digest),
                    short(&g.m.file_sha256)
                ),
            ));
        }
    }
    Ok(given)
}

/// Runs `liveswap join`.
pub fn join(args: &JoinArgs, out: &mut dyn Write) -> Result<Completion, CommandError> {
    let given = args
        .segments
        .iter()
        .map(|p| read_given(p))
        .collect::<Result<Vec<_>, _>>()?;
    let given = check(given)?;
    let first = &given[0].m;
    let source = args
        .target
        .clone()
        .unwrap_or_else(|| first.source.path.clone());
    let mut inputs: Vec<&Path> = given.iter().map(|g| g.file.as_path()).collect();
    inputs.push(&source);
    check_output_target(&args.output, &inputs, args.overwrite)?;
    if !args.no_audio {
        let digest = crate::models::sha256_file(&source).map_err(|e| VideoError::Open {
            path: source.clone(),
            reason: format!(
                "the source video is needed for its audio ({e}); give its new place with --target, or --no-audio"
            ),
        })?;
        if digest != first.source.sha256 {
            return Err(bad(
                &source,
                format!(
                    "is not the video the segments were cut from (sha256 {}… vs {}…)",
                    short(&digest),
                    short(&first.source.sha256)
                ),
            ));
        }
    }
    let job = JoinJob {
        segments: given.iter().map(|g| g.file.clone()).collect(),
        source,
        output: args.output.clone(),
        audio: !args.no_audio,
    };
    let summary = video::join_segments(&job)?;
    if summary.frames != first.source.frames {
        let _ = std::fs::remove_file(&args.output);
        return Err(VideoError::Join {
            reason: format!(
                "the segment files hold {} frames, their manifests {}; nothing written",
                summary.frames, first.source.frames
            ),
        }
        .into());
    }
    writeln!(
        out,
        "joined {} segment(s) of {}: {} frame(s) at {} fps, {}; wrote {}",
        given.len(),
        first.source.path.display(),
        summary.frames,
        first.source.frame_rate,
        summary.audio,
        args.output.display()
    )?;
    Ok(Completion::Clean)
}
