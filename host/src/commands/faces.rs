//! `liveswap faces TARGET -o DIR`: one cropped thumbnail per distinct person, for `--map`.
//!
//! Where: before a `--map` run, instead of cropping each target person by hand. Only the
//! profile's face-analysing stages run (the analyser must compute identities:
//! `recognizer_model`). In a video every frame (or every `--every`-th) is analysed in order,
//! so the analyser's tracking gives each face a track; tracks are then joined into people by
//! identity: greedily, longest track first, a track joins the person whose mean embedding is
//! nearest when the cosine is at least [`SAME_PERSON`] and the two never appear in the same
//! frame. An image is one frame and each face is its own person.
//!
//! Each person's thumbnail is the frame where their face is largest (box area × detector
//! score), cropped to a square of [`CROP_SCALE`] × the face box (so the detector finds the
//! face again when `--map` analyses it), written as `person-N.png`: person-1 is seen in the
//! most frames (in an image: the largest face). No frame is written to disk.

use super::Completion;
use super::error::CommandError;
use super::setup::{Host, parse_overrides};
use crate::cli::FacesArgs;
use crate::media::{check_output_target, is_image_path, load_rgb, save_rgb};
use crate::pipeline::Pipeline;
use crate::profile::{Profile, RawProfile};
use liveswap_sdk::{Face, OwnedImage, caps};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// Smallest identity cosine at which two tracks are the same person (ArcFace embeddings of
/// one person across a clip are typically ≥ 0.6, of two people ≤ 0.3).
pub const SAME_PERSON: f32 = 0.45;

/// Thumbnail side in face-box sizes.
pub const CROP_SCALE: f32 = 1.8;

/// One track (or one face of an image).
struct Track {
    frames: Vec<u64>,
    sum: Vec<f32>,
    best: (f32, OwnedImage, [f32; 4], u64),
}

/// One person: joined tracks.
struct Person {
    frames: Vec<u64>,
    sum: Vec<f32>,
    best: (f32, OwnedImage, [f32; 4], u64),
}

fn empty_image() -> OwnedImage {
    OwnedImage {
        data: Vec::new().into(),
        width: 0,
        height: 0,
    }
}

fn unit(v: &[f32]) -> Vec<f32> {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.iter().map(|x| x / n).collect()
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (a, b) = (unit(a), unit(b));
    a.iter().zip(&b).map(|(x, y)| x * y).sum()
}

/// The square crop around `bbox` (clamped to the image).
fn crop(image: &OwnedImage, bbox: [f32; 4]) -> (OwnedImage, [f32; 4]) {
    let (cx, cy) = ((bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0);
    let side = (bbox[2] - bbox[0]).max(bbox[3] - bbox[1]) * CROP_SCALE;
    let (w, h) = (image.width as f32, image.height as f32);
    let x0 = (cx - side / 2.0).clamp(0.0, w - 1.0) as u32;
    let y0 = (cy - side / 2.0).clamp(0.0, h - 1.0) as u32;
    let x1 = ((cx + side / 2.0).clamp(1.0, w) as u32).max(x0 + 1);
    let y1 = ((cy + side / 2.0).clamp(1.0, h) as u32).max(y0 + 1);
    let (cw, ch) = (x1 - x0, y1 - y0);
    let mut data = Vec::with_capacity((cw * ch * 3) as usize);
    for y in y0..y1 {
        let row = (y * image.width + x0) as usize * 3;
        data.extend_from_slice(&image.data[row..row + cw as usize * 3]);
    }
    (
        OwnedImage {
            data: data.into(),
            width: cw,
            height: ch,
        },
        [x0 as f32, y0 as f32, x1 as f32, y1 as f32],
    )
}

/// Contiguous `[first, last]` runs of sorted frame numbers, a gap of more than `step`
/// starting a new run.
fn ranges(frames: &[u64], step: u64) -> Vec<[u64; 2]> {
    let mut out: Vec<[u64; 2]> = Vec::new();
    for &f in frames {
        match out.last_mut() {
            Some(r) if f <= r[1] + step => r[1] = f,
            _ => out.push([f, f]),
        }
    }
    out
}

/// Finds the people of `args.target` and writes their thumbnails.
pub fn faces(
    host: &Host,
    args: &FacesArgs,
    out: &mut dyn Write,
) -> Result<Completion, CommandError> {
    let mut resolved = RawProfile::resolve(args.profile.as_deref())?;
    // Only the analysing stages: nothing here needs a source face.
    resolved.raw.processors.retain(|e| {
        host.plugins
            .get(&e.id)
            .is_some_and(|p| p.info.has_capability(caps::ANALYSES_FACES))
    });
    let profile = Profile::validate(
        &resolved.raw,
        &resolved.path,
        &host.plugins,
        &parse_overrides(&args.set)?,
    )?;
    if profile.enabled().next().is_none() {
        return Err(crate::pipeline::PipelineError::NoAnalyser.into());
    }
    let target_paths = [args.target.as_path()];
    let mut pipeline = Pipeline::build(&profile, &host.plugins, &host.services)?;

    let mut tracks: BTreeMap<u64, Track> = BTreeMap::new();
    let mut next_untracked = u64::MAX / 2;
    let mut missing_identity = false;
    let mut together: Vec<Vec<u64>> = Vec::new();
    let mut see = |pipeline: &mut Pipeline, mut image: OwnedImage, k: u64, frame_no: u64| {
        let faces: Vec<Face> = pipeline.process(&mut image, k, 0, &[]).faces;
        let mut ids = Vec::new();
        for face in faces {
            let Some(emb) = face.embedding.as_ref().into_option() else {
                missing_identity = true;
                continue;
            };
            let id = face.track_id.into_option().unwrap_or_else(|| {
                next_untracked += 1;
                next_untracked
            });
            ids.push(id);
            let quality = face.area() * face.score;
            let t = tracks.entry(id).or_insert_with(|| Track {
                frames: Vec::new(),
                sum: vec![0.0; emb.values.len()],
                best: (-1.0, empty_image(), [0.0; 4], 0),
            });
            t.frames.push(frame_no);
            for (s, v) in t.sum.iter_mut().zip(unit(&emb.values)) {
                *s += v;
            }
            if quality > t.best.0 {
                let (thumb, _) = crop(&image, face.bbox);
                t.best = (quality, thumb, face.bbox, frame_no);
            }
        }
        together.push(ids);
    };
    let step = if is_image_path(&args.target) {
        see(&mut pipeline, load_rgb(&args.target)?, 0, 0);
        1
    } else {
        let mut k = 0;
        let cancel = host.services.cancel_flag();
        pipeline.set_frame_kind(liveswap_sdk::FrameKind::VIDEO);
        crate::video::for_each_frame(&args.target, args.every, &mut |image, time| {
            see(&mut pipeline, image, k, time.source_index);
            k += 1;
            !cancel.load(std::sync::atomic::Ordering::Relaxed)
        })?;
        args.every
    };
    if missing_identity && tracks.is_empty() {
        return Err(CommandError::Processing(format!(
            "{}: the profile's analyser computes no identities; set face_analyser.recognizer_model (e.g. --set face_analyser.recognizer_model=w600k_mbf)",
            resolved.path.display()
        )));
    }

    // Join tracks into people, longest first.
    let mut order: Vec<u64> = tracks.keys().copied().collect();
    order.sort_by_key(|id| std::cmp::Reverse(tracks[id].frames.len()));
    let mut people: Vec<(Person, Vec<u64>)> = Vec::new();
    for id in order {
        let Some(t) = tracks.remove(&id) else {
            continue;
        };
        let overlaps = |members: &[u64]| {
            together
                .iter()
                .any(|f| f.contains(&id) && members.iter().any(|m| f.contains(m)))
        };
        let best = people
            .iter()
            .enumerate()
            .filter(|(_, (_, members))| !overlaps(members))
            .map(|(i, (p, _))| (i, cosine(&p.sum, &t.sum)))
            .filter(|(_, c)| *c >= SAME_PERSON)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((i, _)) => {
                let (p, members) = &mut people[i];
                p.frames.extend(&t.frames);
                p.sum.iter_mut().zip(&t.sum).for_each(|(s, v)| *s += v);
                if t.best.0 > p.best.0 {
                    p.best = t.best;
                }
                members.push(id);
            }
            None => people.push((
                Person {
                    frames: t.frames,
                    sum: t.sum,
                    best: t.best,
                },
                vec![id],
            )),
        }
    }
    people.sort_by(|a, b| {
        b.0.frames
            .len()
            .cmp(&a.0.frames.len())
            .then(b.0.best.0.total_cmp(&a.0.best.0))
    });

    std::fs::create_dir_all(&args.output).map_err(|e| crate::media::MediaError::Write {
        path: args.output.clone(),
        reason: e.to_string(),
    })?;
    let files: Vec<PathBuf> = (1..=people.len())
        .map(|n| args.output.join(format!("person-{n}.png")))
        .collect();
    for f in &files {
        check_output_target(f, &target_paths, args.overwrite)?;
    }
    let mut listed = Vec::new();
    for ((person, _), file) in people.iter_mut().zip(&files) {
        save_rgb(&person.best.1, file)?;
        person.frames.sort_unstable();
        person.frames.dedup();
        let b = person.best.2;
        listed.push(serde_json::json!({
            "file": file.display().to_string(),
            "bbox": b,
            "best_frame": person.best.3,
            "frame_count": person.frames.len(),
            "frames": ranges(&person.frames, step),
        }));
        if !args.json {
            let spans: Vec<String> = ranges(&person.frames, step)
                .iter()
                .map(|r| format!("{}–{}", r[0], r[1]))
                .collect();
            writeln!(
                out,
                "{}: seen in {} frame(s) ({}), face [{:.0}, {:.0}, {:.0}, {:.0}] in frame {}",
                file.display(),
                person.frames.len(),
                spans.join(", "),
                b[0],
                b[1],
                b[2],
                b[3],
                person.best.3
            )?;
        }
    }
    if args.json {
        let value = serde_json::json!({
            "target": args.target.display().to_string(),
            "people": listed,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
    } else if people.is_empty() {
        writeln!(out, "{}: no face found", args.target.display())?;
    } else {
        writeln!(
            out,
            "{} person(s); use them as --map {}=SOURCE_IMAGE",
            people.len(),
            files[0].display()
        )?;
    }
    Ok(Completion::Clean)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn frame_ranges_and_crops() {
        assert_eq!(ranges(&[0, 1, 2, 5, 6, 9], 1), vec![[0, 2], [5, 6], [9, 9]]);
        assert_eq!(ranges(&[0, 2, 4, 8], 2), vec![[0, 4], [8, 8]]);
        let img = OwnedImage {
            data: vec![7u8; 100 * 50 * 3].into(),
            width: 100,
            height: 50,
        };
        // A 10 px face in the corner: the 18 px square is clamped to the image.
        let (c, b) = crop(&img, [0.0, 0.0, 10.0, 10.0]);
        assert_eq!(b, [0.0, 0.0, 14.0, 14.0]);
        assert_eq!((c.width, c.height, c.data.len()), (14, 14, 14 * 14 * 3));
        let (c, _) = crop(&img, [40.0, 20.0, 60.0, 30.0]);
        assert_eq!((c.width, c.height), (36, 36));
    }
}
