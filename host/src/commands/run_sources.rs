//! Source faces for `liveswap run`: which face images the run needs, in which role, and
//! their preparation with the profile's analysing stages.
//!
//! Roles (`SourceFace::role`, read by the swappers' face selection, `liveswap-swapkit`):
//! * `"source"` — each `--source` image (several are photos of one person; swappers average
//!   their embeddings);
//! * `"reference"` — each `--reference-face` image (`face_selection = reference`);
//! * `"map:<k>:target"` / `"map:<k>:source"` — the k-th `--map TARGET=SOURCE` pair, counting
//!   from 0; `--map` on the command line replaces the profile's `[[map]]` table (whose paths
//!   are relative to the profile file).
//!
//! Giving `--map` pairs (or a `[[map]]` table) implies `face_selection = "map"`, and
//! `--reference-face` implies `face_selection = "reference"`, for every processor that has a
//! `face_selection` setting which `--set` does not set. A profile's own `face_selection`
//! gives way to `--map` / `--reference-face` on the command line (the shipped profiles all
//! say `one`, and `-t group.jpg --map person-1.png=alice.jpg` must just work), but not to
//! the profile's own `[[map]]` table.
//!
//! Each image is analysed once with the pipeline's analysing stages; the largest face is
//! used (a warning names files with several), and an image without a face is an error naming
//! the file.

use super::error::CommandError;
use crate::media::load_rgb;
use crate::pipeline::{Pipeline, PipelineError, StageEvent, pick_source_face};
use crate::plugins::PluginSet;
use crate::profile::{Override, Profile, RawProfile};
use liveswap_sdk::{SourceFace, SourceRole, data, selection};
use std::path::{Path, PathBuf};

/// The setting the implied overrides change (and the app's face mapping sets).
pub const SELECTION_KEY: &str = selection::SETTING;

/// The face options of a command (`--source`, `--reference-face`, `--map`) and its profile
/// path (the base of the profile's `[[map]]` paths).
#[derive(Debug, Clone, Copy)]
pub struct FaceArgs<'a> {
    /// The profile file.
    pub profile: &'a Path,
    /// `--source` images.
    pub source: &'a [PathBuf],
    /// `--reference-face` images.
    pub reference_face: &'a [PathBuf],
    /// `--map TARGET=SOURCE` texts.
    pub map: &'a [String],
}

/// One face image the run needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSpec {
    /// The image file.
    pub path: PathBuf,
    /// Its role (see the module docs).
    pub role: String,
}

/// The sources of one run and the settings they imply, worked out before validation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourcePlan {
    /// Every face image, in role order: sources, references, map pairs.
    pub specs: Vec<SourceSpec>,
    /// `face_selection` overrides implied by `--map` / `[[map]]` / `--reference-face`.
    pub implied: Vec<Override>,
}

/// Parses one `--map TARGET_FACE_IMAGE=SOURCE_IMAGE` (split at the first `=`).
pub fn parse_map(text: &str) -> Result<(PathBuf, PathBuf), CommandError> {
    match text.split_once('=') {
        Some((t, s)) if !t.trim().is_empty() && !s.trim().is_empty() => {
            Ok((PathBuf::from(t.trim()), PathBuf::from(s.trim())))
        }
        _ => Err(CommandError::BadMap(format!(
            "`{text}`: expected TARGET_FACE_IMAGE=SOURCE_IMAGE"
        ))),
    }
}

impl SourcePlan {
    /// Collects the face images of `args` (and the profile's `[[map]]` table) and the
    /// selection modes they imply. `explicit` are the user's `--set` overrides.
    /// `args.profile` is the profile's file (or built-in name): `[[map]]` paths are relative
    /// to its folder.
    pub fn from_faces(
        args: &FaceArgs<'_>,
        raw: &RawProfile,
        plugins: &PluginSet,
        explicit: &[Override],
    ) -> Result<Self, CommandError> {
        let spec = |path: &Path, role: String| SourceSpec {
            path: path.to_path_buf(),
            role,
        };
        let mut specs: Vec<SourceSpec> = args
            .source
            .iter()
            .map(|p| spec(p, SourceRole::Source.to_string()))
            .collect();
        specs.extend(
            args.reference_face
                .iter()
                .map(|p| spec(p, SourceRole::Reference.to_string())),
        );
        let pairs = if args.map.is_empty() {
            raw.map_pairs(args.profile)
        } else {
            args.map
                .iter()
                .map(|m| parse_map(m))
                .collect::<Result<_, _>>()?
        };
        for (k, (target, source)) in (0u32..).zip(pairs.iter()) {
            specs.push(spec(target, SourceRole::MapTarget(k).to_string()));
            specs.push(spec(source, SourceRole::MapSource(k).to_string()));
        }
        let mode = if !pairs.is_empty() {
            Some(selection::MAP)
        } else if !args.reference_face.is_empty() {
            Some(selection::REFERENCE)
        } else {
            None
        };
        let from_command_line = !args.map.is_empty() || !args.reference_face.is_empty();
        let implied = mode.map_or_else(Vec::new, |mode| {
            implied(
                raw,
                plugins,
                explicit,
                SELECTION_KEY,
                mode,
                from_command_line,
            )
        });
        Ok(Self { specs, implied })
    }

    /// The image paths (for the output-path check).
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.specs.iter().map(|s| s.path.as_path())
    }

    /// Analyses every image and keeps its face. Fails when an enabled stage needs source
    /// faces and there are none, naming the stage.
    pub fn prepare(
        &self,
        pipeline: &mut Pipeline,
        profile: &Profile,
        plugins: &PluginSet,
    ) -> Result<Vec<SourceFace>, CommandError> {
        if self.specs.is_empty() {
            let needs = profile.enabled().find(|s| {
                plugins.get(&s.id).is_some_and(|p| {
                    p.info
                        .requires
                        .iter()
                        .any(|r| r.as_str() == data::SOURCE_FACES)
                })
            });
            return match needs {
                Some(stage) => Err(CommandError::NoSources {
                    id: stage.id.clone(),
                }),
                None => Ok(Vec::new()),
            };
        }
        if !pipeline.has_analyser() {
            return Err(PipelineError::NoAnalyser.into());
        }
        self.specs
            .iter()
            .map(|s| prepare_one(pipeline, &s.path, &s.role))
            .collect()
    }
}

/// `key = value` for every profile processor that has the setting `key` and leaves it
/// unset on the command line (and, unless `over_the_profile`, in the profile).
pub(super) fn implied(
    raw: &RawProfile,
    plugins: &PluginSet,
    explicit: &[Override],
    key: &str,
    value: &str,
    over_the_profile: bool,
) -> Vec<Override> {
    raw.processors
        .iter()
        .filter(|e| over_the_profile || !e.settings.contains_key(key))
        .filter(|e| !explicit.iter().any(|o| o.processor == e.id && o.key == key))
        .filter(|e| {
            plugins
                .get(&e.id)
                .is_some_and(|p| p.info.settings.iter().any(|s| s.key.as_str() == key))
        })
        .map(|e| Override {
            processor: e.id.clone(),
            key: key.into(),
            value: value.into(),
        })
        .collect()
}

/// Analyses one face image and keeps its largest face.
pub(crate) fn prepare_one(
    pipeline: &mut Pipeline,
    path: &Path,
    role: &str,
) -> Result<SourceFace, CommandError> {
    let label = path.display().to_string();
    let mut image = load_rgb(path)?;
    let report = pipeline.analyse(&mut image);
    if let Some(refused) = super::run::refusal(path, &report) {
        return Err(refused);
    }
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
    Ok(SourceFace {
        label: label.as_str().into(),
        role: role.into(),
        image,
        face,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn map_arguments_split_at_the_first_equals_sign() {
        assert_eq!(
            parse_map("a.jpg=b.jpg").unwrap(),
            (PathBuf::from("a.jpg"), PathBuf::from("b.jpg"))
        );
        assert_eq!(
            parse_map("a.jpg=b=c.jpg").unwrap().1,
            PathBuf::from("b=c.jpg")
        );
        for bad in ["a.jpg", "=b.jpg", "a.jpg="] {
            let e = parse_map(bad).unwrap_err().to_string();
            assert!(e.contains("TARGET_FACE_IMAGE=SOURCE_IMAGE"), "{e}");
        }
    }
}
