//! The profile a `liveswap run` uses: found (file or built-in, [`RawProfile::resolve`]),
//! changed by the command line (`--add`, `--disable`, `--many-faces`, `--mouth-mask`,
//! `--enhance`, `--set`), validated, with its source faces planned; then one pipeline built
//! from it for every target of the run.
//!
//! Where: the first step of `run` for images and videos alike (and of `bench`, through
//! [`super::run_video`]); nothing here loads a model until [`RunProfile::build`].

use super::error::CommandError;
use super::run_sources::SourcePlan;
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

/// The `face_selection` setting `--many-faces` sets.
const SELECTION_KEY: &str = "face_selection";

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

impl RunProfile {
    /// Resolves, edits and validates the profile of `args`.
    pub(super) fn new(host: &Host, args: &RunArgs) -> Result<Self, CommandError> {
        let mut resolved = RawProfile::resolve(args.profile.as_deref())?;
        let mut overrides = edit(&mut resolved, &host.plugins, &args.edits)?;
        overrides.extend(parse_overrides(&args.set)?);
        let plan = SourcePlan::new(
            args,
            &resolved.raw,
            &resolved.path,
            &host.plugins,
            &overrides,
        )?;
        overrides.extend(plan.implied.iter().cloned());
        let profile = Profile::validate(&resolved.raw, &resolved.path, &host.plugins, &overrides)?;
        let label = args.label || resolved.raw.label;
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
