//! The profile a `liveswap run` uses: found (file or built-in, [`RawProfile::resolve`]),
//! changed by the command line (`--add`, `--disable`, `--many-faces`, `--mouth-mask`,
//! `--enhance`, `--set`), validated, with its source faces planned; then one pipeline built
//! from it for every target of the run.
//!
//! Where: the first step of `run` for images and videos alike (and of `bench`, through
//! [`super::run_video`]); nothing here loads a model until [`RunProfile::build`].

use super::error::CommandError;
use super::run_sources::{FaceArgs, SELECTION_KEY, SourcePlan, implied};
use super::setup::{Host, parse_overrides};
use crate::cli::{ProfileEditArgs, RunArgs};
use crate::pipeline::Pipeline;
use crate::plugins::PluginSet;
use crate::profile::{
    Addition, Override, Position, Profile, ProfileError, RawProfile, ResolvedProfile, apply_edits,
    parse_addition,
};
use liveswap_sdk::SourceFace;
use std::path::{Path, PathBuf};

/// A validated run profile and its source plan.
#[derive(Debug)]
pub(super) struct RunProfile {
    /// Where it came from.
    pub(super) resolved: ResolvedProfile,
    /// Validated, with every command-line change applied.
    pub(super) profile: Profile,
    /// The run's face images.
    pub(super) plan: SourcePlan,
    /// Draw the visible "AI-GENERATED" mark (`--label` or `label = true`).
    pub(super) label: bool,
}

/// A built pipeline with its prepared source faces.
pub(super) struct Prepared {
    /// The processors.
    pub(super) pipeline: Pipeline,
    /// The prepared `--source`, `--reference-face` and `--map` faces.
    pub(super) sources: Vec<SourceFace>,
    /// Draw the visible "AI-GENERATED" mark on every output (image or frame).
    pub(super) label: bool,
}

/// What a command says about its profile: the `run` and `live` options that shape it.
pub(super) struct ProfileRequest<'a> {
    /// `--profile` (a file or a built-in name; `None`: the built-in default).
    pub(super) profile: Option<&'a Path>,
    /// `--add`, `--disable`, `--many-faces`, `--mouth-mask`, `--enhance`.
    pub(super) edits: &'a ProfileEditArgs,
    /// `--set` texts.
    pub(super) set: &'a [String],
    /// `--source` images.
    pub(super) source: &'a [PathBuf],
    /// `--reference-face` images.
    pub(super) reference_face: &'a [PathBuf],
    /// `--map TARGET=SOURCE` texts.
    pub(super) map: &'a [String],
    /// `--label`.
    pub(super) label: bool,
    /// `(key, value)` defaults of the command for every processor that has the setting and
    /// leaves it unset in the profile and on the command line (live mode's tracking).
    pub(super) defaults: &'a [(&'a str, &'a str)],
}

impl RunProfile {
    /// Resolves, edits and validates the profile of `args`.
    pub(super) fn new(host: &Host, args: &RunArgs) -> Result<Self, CommandError> {
        Self::from_request(
            host,
            &ProfileRequest {
                profile: args.profile.as_deref(),
                edits: &args.edits,
                set: &args.set,
                source: &args.source,
                reference_face: &args.reference_face,
                map: &args.map,
                label: args.label,
                defaults: &[],
            },
        )
    }

    /// Resolves, edits and validates the profile a command asks for.
    pub(super) fn from_request(
        host: &Host,
        request: &ProfileRequest<'_>,
    ) -> Result<Self, CommandError> {
        let mut resolved = RawProfile::resolve(request.profile)?;
        let mut overrides = edit(&mut resolved, &host.plugins, request.edits)?;
        overrides.extend(parse_overrides(request.set)?);
        let faces = FaceArgs {
            profile: &resolved.path,
            source: request.source,
            reference_face: request.reference_face,
            map: request.map,
        };
        let plan = SourcePlan::from_faces(&faces, &resolved.raw, &host.plugins, &overrides)?;
        overrides.extend(plan.implied.iter().cloned());
        for (key, value) in request.defaults {
            let implied = implied(&resolved.raw, &host.plugins, &overrides, key, value, false);
            overrides.extend(implied);
        }
        let profile = Profile::validate(&resolved.raw, &resolved.path, &host.plugins, &overrides)?;
        let label = request.label || resolved.raw.label;
        Ok(Self {
            resolved,
            profile,
            plan,
            label,
        })
    }

    /// Files the run reads besides its targets (the profile file, the face images): no
    /// output may be one of them.
    pub(super) fn inputs(&self) -> Vec<&Path> {
        let mut inputs: Vec<&Path> = self.resolved.file.iter().map(PathBuf::as_path).collect();
        inputs.extend(self.plan.paths());
        inputs
    }

    /// Builds the pipeline (models load here) and prepares the source faces.
    pub(super) fn build(&self, host: &Host) -> Result<Prepared, CommandError> {
        let mut pipeline = Pipeline::build(&self.profile, &host.plugins, &host.services)?;
        let sources = self
            .plan
            .prepare(&mut pipeline, &self.profile, &host.plugins)?;
        Ok(Prepared {
            pipeline,
            sources,
            label: self.label,
        })
    }
}

/// Applies the processor-list flags to the profile and returns the overrides they imply
/// (`--many-faces`, `--enhance MODEL`). Problems are reported as profile problems, located
/// at the flag.
fn edit(
    resolved: &mut ResolvedProfile,
    plugins: &PluginSet,
    edits: &ProfileEditArgs,
) -> Result<Vec<Override>, CommandError> {
    let invalid = |message: String| {
        CommandError::from(ProfileError::Invalid {
            path: resolved.path.clone(),
            issues: vec![crate::profile::ProfileIssue {
                location: String::new(),
                message,
            }],
        })
    };
    let mut additions: Vec<Addition> = edits
        .add
        .iter()
        .map(|a| parse_addition(a).map_err(|e| invalid(format!("--add {e}"))))
        .collect::<Result<_, _>>()?;
    let mut overrides = Vec::new();
    if let Some(model) = &edits.enhance {
        additions.push(Addition {
            id: "face_enhancer".into(),
            position: Position::End,
        });
        overrides.push(Override {
            processor: "face_enhancer".into(),
            key: "model".into(),
            value: model.clone(),
        });
    }
    if edits.mouth_mask {
        // After the swapper, before an enhancer (as profiles/quality.toml orders them).
        let has_enhancer = resolved
            .raw
            .processors
            .iter()
            .any(|e| e.id == "face_enhancer")
            || edits.enhance.is_some();
        additions.push(Addition {
            id: "mouth_mask".into(),
            position: if has_enhancer {
                Position::Before("face_enhancer".into())
            } else {
                Position::End
            },
        });
    }
    apply_edits(&mut resolved.raw, &additions, &edits.disable).map_err(invalid)?;
    if edits.many_faces {
        let swappers: Vec<String> = resolved
            .raw
            .processors
            .iter()
            .filter(|e| e.enabled)
            .filter(|e| {
                plugins.get(&e.id).is_some_and(|p| {
                    p.info
                        .settings
                        .iter()
                        .any(|s| s.key.as_str() == SELECTION_KEY)
                })
            })
            .map(|e| e.id.clone())
            .collect();
        if swappers.is_empty() {
            return Err(invalid(
                "--many-faces: no enabled processor of the profile has a face_selection setting"
                    .into(),
            ));
        }
        overrides.extend(swappers.into_iter().map(|id| Override {
            processor: id,
            key: SELECTION_KEY.into(),
            value: "many".into(),
        }));
    }
    Ok(overrides)
}
