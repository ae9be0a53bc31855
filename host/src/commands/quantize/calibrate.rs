//! Calibration inputs for `models quantize`: photos in, the model's real input tensors out.
//!
//! The processor that uses the model runs over each photo in a pipeline of the host's own
//! processors ([`super::recipe::Role::profile`]); the host's [`InputTap`] copies the tensors
//! the model is called with (aligned 112×112 ArcFace crops, letterboxed detector frames,
//! 192×192 landmark crops, 128×128 swap crops with their source latent, …). Nothing here
//! prepares a tensor itself, so calibration sees exactly what inference will see.

use super::QuantizeError;
use super::recipe::Role;
use crate::commands::error::CommandError;
use crate::commands::run_sources::prepare_one;
use crate::commands::setup::Host;
use crate::inference::TappedCall;
use crate::media::{is_image_path, load_rgb};
use crate::models::sha256_file;
use crate::pipeline::{Pipeline, StageEvent};
use crate::profile::{Profile, RawProfile};
use liveswap_sdk::{OwnedImage, SourceFace};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Most model calls recorded for one calibration set (evenly spread calls are kept when a
/// set has more): enough for stable activation ranges, and bounded quantization time.
pub const MAX_CALLS: usize = 64;

/// The photos of a calibration set.
#[derive(Debug, Clone)]
pub struct ImageSet {
    /// Where they came from, for the record.
    pub from: String,
    /// The photos, sorted by name.
    pub files: Vec<PathBuf>,
    /// sha256 over the sorted `name sha256` lines of the photos.
    pub digest: String,
}

/// The bundled sample photos, when liveswap runs from a checkout.
fn bundled_samples() -> Option<PathBuf> {
    let candidates = [
        PathBuf::from("tests/samples"),
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/samples"),
    ];
    candidates.into_iter().find(|d| d.is_dir())
}

/// Lists and hashes the photos of `dir` (or the bundled samples). Files that are not images
/// by name are ignored; an image file that does not decode is refused, naming it.
pub fn image_set(dir: Option<&Path>) -> Result<ImageSet, QuantizeError> {
    let (dir, from) = match dir {
        Some(d) => (d.to_path_buf(), d.display().to_string()),
        None => {
            let d = bundled_samples().ok_or_else(|| {
                QuantizeError::Calibration(
                    "no --calibration folder given and no bundled samples (tests/samples) here"
                        .into(),
                )
            })?;
            (d, "bundled samples (tests/samples)".into())
        }
    };
    let entries = std::fs::read_dir(&dir)
        .map_err(|e| QuantizeError::Calibration(format!("--calibration {}: {e}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && is_image_path(p))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(QuantizeError::Calibration(format!(
            "{} holds no photos (.jpg, .png, .bmp, .webp, .tif)",
            dir.display()
        )));
    }
    let mut hasher = Sha256::new();
    for f in &files {
        let sha = sha256_file(f).map_err(|e| {
            QuantizeError::Calibration(format!("calibration photo {}: {e}", f.display()))
        })?;
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned());
        hasher.update(format!("{} {sha}\n", name.unwrap_or_default()).as_bytes());
    }
    let digest = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(ImageSet {
        from,
        files,
        digest,
    })
}

/// Decodes every photo; a damaged one is refused by name.
pub fn load_all(set: &ImageSet) -> Result<Vec<(PathBuf, OwnedImage)>, QuantizeError> {
    set.files
        .iter()
        .map(|f| {
            load_rgb(f).map(|img| (f.clone(), img)).map_err(|e| {
                QuantizeError::Calibration(format!(
                    "calibration photo {} cannot be used: {e}",
                    f.display()
                ))
            })
        })
        .collect()
}

/// A pipeline for `profile_text` (built-in, validated against the loaded plugins).
pub fn pipeline(host: &Host, profile_text: &str) -> Result<(Pipeline, Profile), CommandError> {
    let path = Path::new("(models quantize)");
    let raw = RawProfile::parse(profile_text, path)?;
    let profile = Profile::validate(&raw, path, &host.plugins, &[])?;
    let pipeline = Pipeline::build(&profile, &host.plugins, &host.services)?;
    Ok((pipeline, profile))
}

/// The first photo's face, as the source for swapper pipelines.
pub fn source_face(
    pipeline: &mut Pipeline,
    photos: &[(PathBuf, OwnedImage)],
) -> Result<Vec<SourceFace>, QuantizeError> {
    photos
        .iter()
        .find_map(|(p, _)| prepare_one(pipeline, p, "source").ok())
        .map(|s| vec![s])
        .ok_or_else(|| QuantizeError::NoFaces {
            what: "no calibration photo has a face to use as the swap source".into(),
        })
}

/// Runs `pipeline` over one photo: the whole pipeline with sources, or only the analyser.
pub fn process(
    pipeline: &mut Pipeline,
    image: &OwnedImage,
    sources: &[SourceFace],
    whole: bool,
) -> Result<(OwnedImage, Vec<liveswap_sdk::Face>), QuantizeError> {
    let mut frame = image.clone();
    let report = if whole {
        pipeline.process(&mut frame, 0, 0, sources)
    } else {
        pipeline.analyse(&mut frame)
    };
    if let Some(problem) = report.events.iter().find_map(|e| match e {
        StageEvent::Failed { id, error } | StageEvent::Disabled { id, error } => {
            Some(format!("{id}: {error}"))
        }
        StageEvent::Skipped { .. } => None,
    }) {
        return Err(QuantizeError::Calibration(problem));
    }
    Ok((frame, report.faces))
}

/// Records the calls of model `id` while its processor runs over every photo.
pub fn record(
    host: &Host,
    role: Role,
    id: &str,
    photos: &[(PathBuf, OwnedImage)],
) -> Result<Vec<TappedCall>, CommandError> {
    let (mut pipeline, _) = pipeline(host, &role.profile(id))?;
    let sources = if role.needs_source() {
        source_face(&mut pipeline, photos)?
    } else {
        Vec::new()
    };
    let service = host.services.inference()?;
    let tap = service.input_tap();
    tap.record(id);
    for (_, image) in photos {
        process(
            &mut pipeline,
            image,
            &sources,
            role.needs_source() || role == Role::Enhancer,
        )?;
    }
    let calls = tap.take();
    if calls.is_empty() {
        return Err(QuantizeError::NoFaces {
            what: format!("{id} was never run: the calibration photos have no faces"),
        }
        .into());
    }
    Ok(spread(calls, MAX_CALLS))
}

/// At most `max` calls, evenly spread over `calls`.
fn spread(calls: Vec<TappedCall>, max: usize) -> Vec<TappedCall> {
    if calls.len() <= max {
        return calls;
    }
    let n = calls.len();
    calls
        .into_iter()
        .enumerate()
        .filter(|(i, _)| (i * max) % n < max)
        .map(|(_, c)| c)
        .take(max)
        .collect()
}

/// Writes the calls as `index.json` plus raw little-endian f32 files (the tool's format).
pub fn write_set(calls: &[TappedCall], dir: &Path) -> Result<(), QuantizeError> {
    let io = |e: std::io::Error| QuantizeError::Tool(format!("{}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut samples = Vec::with_capacity(calls.len());
    for (i, call) in calls.iter().enumerate() {
        let mut inputs = Vec::new();
        for (k, (name, shape, values)) in call.inputs.iter().enumerate() {
            let file = format!("{i:04}_{k}.f32");
            let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            std::fs::write(dir.join(&file), bytes).map_err(io)?;
            inputs.push(serde_json::json!({"name": name, "shape": shape, "file": file}));
        }
        samples.push(inputs);
    }
    let index = serde_json::json!({ "samples": samples });
    std::fs::write(dir.join("index.json"), index.to_string()).map_err(io)?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn call(v: f32) -> TappedCall {
        TappedCall {
            inputs: vec![("x".into(), vec![1], vec![v])],
        }
    }

    #[test]
    fn spreading_keeps_at_most_max_calls_from_the_whole_range() {
        let calls: Vec<_> = (0..10).map(|i| call(i as f32)).collect();
        let kept = spread(calls.clone(), 4);
        assert_eq!(kept.len(), 4);
        assert_eq!(kept[0], call(0.0));
        assert!(kept.last().unwrap().inputs[0].2[0] >= 5.0);
        assert_eq!(spread(calls, 20).len(), 10);
    }

    #[test]
    fn an_empty_or_missing_folder_is_refused() {
        let d = std::env::temp_dir().join(format!("liveswap-calib-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("notes.txt"), b"x").unwrap();
        let err = image_set(Some(&d)).unwrap_err();
        assert!(err.to_string().contains("holds no photos"), "{err}");
        let err = image_set(Some(&d.join("absent"))).unwrap_err();
        assert!(err.to_string().contains("absent"), "{err}");
        std::fs::remove_dir_all(&d).unwrap();
    }
}
