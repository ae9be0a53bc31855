//! The morpher plugin: description, creation and the per-frame work.
//!
//! Per frame: the shared face selection ([`liveswap_swapkit::Selector`], which stays on tracked faces across frames) pairs target faces with
//! source faces, then each pair is morphed ([`crate::morph::morph_face`]). The source meshes
//! are built on first use and cached by source index; a cached mesh is rebuilt only if the
//! host hands a different face for that index.

use crate::morph::{SourceMesh, morph_face};
use crate::settings::{FaceMorpherSettings, specs};
use liveswap_sdk::{
    FrameCtx, FrameOutcome, FrameProcessor, HostBox, Plugin, PluginInfo, SdkError, SdkResult,
    SettingValue, Settings, SourceFace, caps, data,
};
use liveswap_swapkit::Selector;
use liveswap_vision::ImageView;
use liveswap_vision::frames::{self};

/// The plugin.
pub struct FaceMorpher;

/// A source mesh and the landmarks it was built from.
struct CachedMesh {
    landmarks: Vec<[f32; 2]>,
    mesh: SourceMesh,
}

/// One morpher instance.
pub struct FaceMorpherProcessor {
    settings: FaceMorpherSettings,
    meshes: Vec<Option<CachedMesh>>,
    selector: Selector,
}

impl Plugin for FaceMorpher {
    type Processor = FaceMorpherProcessor;

    fn info() -> PluginInfo {
        PluginInfo::new("face_morpher", "Face morpher", env!("CARGO_PKG_VERSION"))
            .description("Offline face swap without a swapper model: warps the source face's texture onto each target face's geometry over a mesh of the 106 landmarks (plus forehead and jaw), matches its colour in LAB, and blends it in with a soft hull mask and optional Poisson blending.")
            .capabilities(&[caps::MODIFIES_FRAME])
            .settings(specs())
            .requires(&[data::FACES, data::LANDMARKS_106])
    }

    fn create(settings: &Settings, _host: HostBox) -> SdkResult<FaceMorpherProcessor> {
        Ok(FaceMorpherProcessor::new(
            FaceMorpherSettings::from_settings(settings)?,
        ))
    }
}

/// The 106 landmarks of a face, or an error saying whose are missing.
fn landmarks<'a>(face: &'a liveswap_sdk::Face, whose: &str) -> SdkResult<&'a [[f32; 2]]> {
    face.landmarks_106
        .as_ref()
        .into_option()
        .map(|v| v.as_slice())
        .ok_or_else(|| {
            SdkError::input(format!("{whose} has no 106-point landmarks")).with_help(
                "set face_analyser.landmark_model (e.g. 2d106det): the morpher warps along them",
            )
        })
}

impl FaceMorpherProcessor {
    /// An instance with these settings.
    #[must_use]
    pub fn new(settings: FaceMorpherSettings) -> Self {
        Self {
            settings,
            meshes: Vec::new(),
            selector: Selector::default(),
        }
    }

    /// The mesh of `sources[index]`, built once.
    fn mesh(&mut self, sources: &[SourceFace], index: usize) -> SdkResult<&SourceMesh> {
        let source = sources
            .get(index)
            .ok_or_else(|| SdkError::internal(format!("source index {index} out of range")))?;
        let lm = landmarks(
            &source.face,
            &format!("the face in source {}", source.label),
        )?;
        if self.meshes.len() < sources.len() {
            self.meshes.resize_with(sources.len(), || None);
        }
        let slot = &mut self.meshes[index];
        if slot.as_ref().is_none_or(|c| c.landmarks != lm) {
            let mesh = SourceMesh::new(lm).map_err(|e| {
                SdkError::input(format!(
                    "the face in source {} cannot be morphed: {e}",
                    source.label
                ))
            })?;
            *slot = Some(CachedMesh {
                landmarks: lm.to_vec(),
                mesh,
            });
        }
        slot.as_ref()
            .map(|c| &c.mesh)
            .ok_or_else(|| SdkError::internal("source mesh cache is empty"))
    }
}

impl FrameProcessor for FaceMorpherProcessor {
    fn update_setting(&mut self, key: &str, value: &SettingValue) -> SdkResult<()> {
        self.settings.update(key, value)
    }

    fn process(&mut self, ctx: &mut FrameCtx<'_>) -> SdkResult<FrameOutcome> {
        if ctx.faces.is_empty() {
            return Ok(FrameOutcome::Skipped("no faces to swap".into()));
        }
        let sources = ctx.sources.as_slice();
        let assignments = self.selector.assign(
            ctx.faces.as_slice(),
            sources,
            &self.settings.select.mode,
            ctx.index,
        )?;
        if assignments.is_empty() {
            return Ok(FrameOutcome::Skipped("no face selected".into()));
        }
        let options = self.settings.morph;
        let mut frame = frames::frame_view_mut(&mut ctx.frame)?;
        for a in assignments {
            let target = ctx.faces.get(a.target).ok_or_else(|| {
                SdkError::internal(format!("face index {} out of range", a.target))
            })?;
            let target_lm = landmarks(target, &format!("target face {}", a.target))?;
            let mesh = self.mesh(sources, a.source)?;
            let source = &sources[a.source];
            let img = &source.image;
            let view = ImageView::packed(
                img.data.as_slice(),
                img.width as usize,
                img.height as usize,
                3,
            )
            .map_err(|e| SdkError::input(format!("source {} layout: {e}", source.label)))?;
            morph_face(&mut frame, &view, mesh, target_lm, &options).map_err(|e| {
                SdkError::input(format!("target face {} cannot be morphed: {e}", a.target))
            })?;
        }
        Ok(FrameOutcome::Processed)
    }
}
