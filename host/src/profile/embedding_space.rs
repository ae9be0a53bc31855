//! Part of stage 2 validation: identity embeddings must come from the space a model needs.
//!
//! Swapper models are trained on embeddings of one recognizer (inswapper_128: `w600k_r50`).
//! The manifest marks each recognizer's `embedding_space` and each swapper's
//! `requires_embedding_space`; when both model slots name manifest ids, a mismatch is a
//! profile error naming the model to use. Models given as file paths are not checked here —
//! the swapper refuses sources of the wrong space at run time.

use super::error::ProfileIssue;
use super::validate::{Stage, effective_provides};
use crate::models::Manifest;
use crate::plugins::PluginSet;
use liveswap_sdk::{data, model_roles};

/// The role of the model slot that produces embeddings.
const RECOGNIZER_ROLE: &str = model_roles::FACE_RECOGNIZER;

fn text<'a>(stage: &'a Stage, key: &str) -> Option<&'a str> {
    stage.settings.text(key).ok()
}

/// One issue per enabled stage whose model needs another embedding space than the nearest
/// earlier enabled stage providing embeddings produces.
pub(super) fn check(
    stages: &[Stage],
    plugins: &PluginSet,
    manifest: &Manifest,
) -> Vec<ProfileIssue> {
    let mut issues = Vec::new();
    for (i, stage) in stages.iter().enumerate().filter(|(_, s)| s.enabled) {
        let Some(plugin) = plugins.get(&stage.id) else {
            continue;
        };
        for slot in &plugin.info.models {
            let Some(reference) = text(stage, &slot.setting) else {
                continue;
            };
            let Some(need) = manifest
                .get(reference)
                .and_then(|e| e.requires_embedding_space.as_deref())
            else {
                continue;
            };
            let provider = stages[..i]
                .iter()
                .rev()
                .filter(|s| s.enabled)
                .find_map(|s| {
                    let p = plugins.get(&s.id)?;
                    effective_provides(&p.info, &s.settings)
                        .contains(&data::EMBEDDINGS)
                        .then_some((s, p))
                });
            // No provider at all is reported by the data-dependency check.
            let Some((provider, p)) = provider else {
                continue;
            };
            let Some(rslot) = p
                .info
                .models
                .iter()
                .find(|m| m.role.as_str() == RECOGNIZER_ROLE)
            else {
                continue;
            };
            let Some(rref) = text(provider, &rslot.setting) else {
                continue;
            };
            let Some(have) = manifest
                .get(rref)
                .and_then(|e| e.embedding_space.as_deref())
            else {
                continue;
            };
            if have == need {
                continue;
            }
            let suggest = manifest
                .models
                .iter()
                .find(|m| m.role == RECOGNIZER_ROLE && m.embedding_space.as_deref() == Some(need))
                .map_or(need, |m| m.id.as_str());
            let at = format!("{}.{}", provider.id, rslot.setting);
            issues.push(ProfileIssue {
                location: format!("{}.{}", stage.id, slot.setting),
                message: format!(
                    "{reference} needs embeddings from {need}, but {at} is {rref}; set {at} = \"{suggest}\""
                ),
            });
        }
    }
    issues
}
