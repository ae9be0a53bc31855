//! Selection that stays on the same person across video frames.
//!
//! Where: a swapper calls [`Selector::assign`] instead of [`crate::assign`] at the start of
//! each frame. When the analyser tracks faces (`Face::track_id`), a person chosen in the
//! previous frame keeps being chosen while their track lasts:
//!
//! | mode | what sticks |
//! |---|---|
//! | `one` | the tracked face chosen last frame stays the one face, even if another face becomes larger / more to the left |
//! | `many` | nothing to keep: every face is swapped |
//! | `reference` | a tracked face accepted once stays accepted (a turned head whose identity distance drifts past `reference_distance` does not flicker back) |
//! | `map` | a tracked face keeps its map pair's source; the remaining faces and pairs are matched as usual |
//!
//! Faces without a track id (still images, tracking off) get the plain per-frame
//! selection. The memory is dropped when frames are not consecutive (a new run).

use crate::select::{Assignment, SelectMode, assign};
use liveswap_sdk::SourceRole;
use liveswap_sdk::abi_stable::std_types::RVec;
use liveswap_sdk::{Face, OwnedImage, SdkResult, SourceFace};

/// Per-instance selection memory.
#[derive(Debug, Default, Clone)]
pub struct Selector {
    /// (track id, source index) chosen in the previous frame.
    last: Vec<(u64, usize)>,
    last_index: Option<u64>,
    last_mode: Option<SelectMode>,
}

impl Selector {
    /// The swaps for frame `index` (see the module docs).
    pub fn assign(
        &mut self,
        faces: &[Face],
        sources: &[SourceFace],
        mode: &SelectMode,
        index: u64,
    ) -> SdkResult<Vec<Assignment>> {
        let consecutive = self.last_index.is_some_and(|i| index == i.wrapping_add(1));
        if !consecutive || self.last_mode.as_ref() != Some(mode) {
            self.last.clear();
        }
        self.last_index = Some(index);
        self.last_mode = Some(*mode);
        let kept = self.kept(faces, sources, mode);
        let mut out = match mode {
            SelectMode::One(_) if !kept.is_empty() => kept,
            SelectMode::One(_) | SelectMode::Many => assign(faces, sources, mode)?,
            SelectMode::Reference { .. } => {
                let mut fresh = assign(faces, sources, mode)?;
                for k in kept {
                    if !fresh.iter().any(|a| a.target == k.target) {
                        fresh.push(k);
                    }
                }
                fresh
            }
            SelectMode::Map { .. } => map_rest(faces, sources, mode, kept)?,
        };
        out.sort_by_key(|a| a.target);
        self.last = out
            .iter()
            .filter_map(|a| {
                faces
                    .get(a.target)
                    .and_then(|f| f.track_id.into_option())
                    .map(|t| (t, a.source))
            })
            .collect();
        Ok(out)
    }

    /// Last frame's choices whose tracks are in this frame.
    fn kept(&self, faces: &[Face], sources: &[SourceFace], mode: &SelectMode) -> Vec<Assignment> {
        if matches!(mode, SelectMode::Many) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for &(track, source) in &self.last {
            if source >= sources.len() {
                continue;
            }
            if let Some(target) = faces
                .iter()
                .position(|f| f.track_id.into_option() == Some(track))
            {
                out.push(Assignment { target, source });
            }
        }
        if matches!(mode, SelectMode::One(_)) {
            out.truncate(1);
        }
        out
    }
}

/// `map` mode: the kept pairs, then the usual matching over the faces and pairs left.
fn map_rest(
    faces: &[Face],
    sources: &[SourceFace],
    mode: &SelectMode,
    kept: Vec<Assignment>,
) -> SdkResult<Vec<Assignment>> {
    if kept.is_empty() {
        return assign(faces, sources, mode);
    }
    // Pair numbers whose source is taken by a kept track.
    let taken: Vec<u32> = kept
        .iter()
        .filter_map(|a| match SourceRole::parse(&sources[a.source].role) {
            Some(SourceRole::MapSource(k)) => Some(k),
            _ => None,
        })
        .collect();
    let face_idx: Vec<usize> = (0..faces.len())
        .filter(|i| !kept.iter().any(|a| a.target == *i))
        .collect();
    let source_idx: Vec<usize> = (0..sources.len())
        .filter(|&i| match SourceRole::parse(&sources[i].role) {
            Some(SourceRole::MapSource(k) | SourceRole::MapTarget(k)) => !taken.contains(&k),
            _ => true,
        })
        .collect();
    let mut out = kept;
    let pairs_left = source_idx.iter().any(|&i| {
        matches!(
            SourceRole::parse(&sources[i].role),
            Some(SourceRole::MapTarget(_))
        )
    });
    if face_idx.is_empty() || !pairs_left {
        return Ok(out);
    }
    let rest_faces: Vec<Face> = face_idx.iter().map(|&i| faces[i].clone()).collect();
    // Matching reads roles, labels and faces only: leave the (large) images behind.
    let rest_sources: Vec<SourceFace> = source_idx
        .iter()
        .map(|&i| SourceFace {
            label: sources[i].label.clone(),
            role: sources[i].role.clone(),
            image: OwnedImage {
                data: RVec::new(),
                width: 0,
                height: 0,
            },
            face: sources[i].face.clone(),
        })
        .collect();
    for a in assign(&rest_faces, &rest_sources, mode)? {
        out.push(Assignment {
            target: face_idx[a.target],
            source: source_idx[a.source],
        });
    }
    Ok(out)
}

#[cfg(test)]
#[path = "sticky_tests.rs"]
mod tests;
