//! The enhancer plugin: description, creation (model through the host) and the per-frame
//! work (select faces → align → model or cache → paste-back).

use crate::cache::EnhancementCache;
use crate::crop::{Delta, align, box_mask, crop, paste};
use crate::model::{CODEFORMER_ID, Layout, blob, decode, signature, weighted_signature};
use crate::select::was_swapped;
use crate::settings::{FaceChoice, FaceEnhancerSettings, specs};
use liveswap_sdk::{
    Face, FrameCtx, FrameOutcome, FrameProcessor, HostBox, ModelBox, ModelRequest, ModelSignature,
    ModelSlot, Plugin, PluginInfo, SdkError, SdkResult, SettingValue, Settings, TensorRef, caps,
    codes, data, model_roles,
};
use liveswap_vision::frames::{self, frame_view, frame_view_mut, vision_err};
use liveswap_vision::{Affine, ImageView, MaskF32};
use std::sync::Arc;

/// The plugin.
pub struct FaceEnhancer;

/// One enhancer instance.
pub struct FaceEnhancerProcessor {
    settings: FaceEnhancerSettings,
    model: ModelBox,
    layout: Layout,
    mask: MaskF32,
    cache: EnhancementCache,
    blob: Vec<f32>,
}

/// Opens the model: first with the signature its id suggests (CodeFormer's has the `weight`
/// input), then, only if the file's inputs do not fit, with the other one. A file that fits
/// neither gets the first attempt's error.
fn open(host: &HostBox, reference: &str) -> SdkResult<ModelBox> {
    let request = |signature: ModelSignature| ModelRequest {
        setting: "model".into(),
        reference: reference.into(),
        signature,
    };
    let (first, second) = if reference == CODEFORMER_ID {
        (weighted_signature(), signature())
    } else {
        (signature(), weighted_signature())
    };
    match host.open_model(request(first)).into_result() {
        Ok(m) => Ok(m),
        Err(e) if e.code.as_str() == codes::MODEL_SIGNATURE => host
            .open_model(request(second))
            .into_result()
            .map_err(|_| e),
        Err(e) => Err(e),
    }
}

impl Plugin for FaceEnhancer {
    type Processor = FaceEnhancerProcessor;

    fn info() -> PluginInfo {
        PluginInfo::new("face_enhancer", "Face enhancer", env!("CARGO_PKG_VERSION"))
            .description("Restores faces with GFPGAN 1.4, GPEN-BFR-512/256 or CodeFormer: each face is aligned to the FFHQ 5-point template at the model size, enhanced, and the change is pasted back through the inverse affine with a feathered mask, mixed by `blend`. In live mode a tracked face can reuse its last enhancement between model runs.")
            .capabilities(&[caps::MODIFIES_FRAME, caps::READS_ORIGINAL])
            .settings(specs())
            .requires(&[data::FACES])
            .model(ModelSlot::new("model", model_roles::FACE_ENHANCER, signature()))
    }

    fn create(settings: &Settings, host: HostBox) -> SdkResult<FaceEnhancerProcessor> {
        let settings = FaceEnhancerSettings::from_settings(settings)?;
        let model = open(&host, &settings.model)?;
        let processor = FaceEnhancerProcessor::with_model(settings, model)?;
        host.log(
            liveswap_sdk::LogLevel::Debug,
            format!(
                "{}: {s}×{s} crops",
                processor.model.info().id,
                s = processor.layout.size
            )
            .as_str()
            .into(),
        );
        Ok(processor)
    }
}

impl FaceEnhancerProcessor {
    /// An instance running `model` (opened by the host in [`Plugin::create`]; tests may pass
    /// any [`liveswap_sdk::Model`] implementation). Reads the crop size from the model's
    /// signature, and whether it takes CodeFormer's fidelity `weight` input.
    ///
    /// # Errors
    /// A model whose signature the enhancer cannot use.
    pub fn with_model(settings: FaceEnhancerSettings, model: ModelBox) -> SdkResult<Self> {
        let info = model.info();
        let layout = Layout::of(&info)?;
        let mask = box_mask(layout.size as usize).map_err(vision_err("enhancer mask"))?;
        Ok(Self {
            settings,
            model,
            layout,
            mask,
            cache: EnhancementCache::new(),
            blob: Vec::new(),
        })
    }

    /// The crop side the model takes.
    pub fn crop_size(&self) -> u32 {
        self.layout.size
    }

    /// Runs the model on the face's crop of `frame` and returns the masked change.
    fn enhance(&mut self, frame: ImageView<'_>, face: &Face) -> SdkResult<(Delta, Affine)> {
        let size = self.layout.size;
        let (c, m) = crop(frame, &face.kps, size).map_err(vision_err("face alignment"))?;
        self.blob.clear();
        blob(c.view(), &mut self.blob).map_err(vision_err("crop"))?;
        let s = i64::from(size);
        let shape = [1, 3, s, s];
        // CodeFormer's `weight` is f64 in the file; the host widens this f32 for it.
        let weight = [self.settings.fidelity as f32];
        let mut inputs = vec![TensorRef::f32(&shape, &self.blob)];
        if self.layout.weighted {
            inputs.push(TensorRef::f32(&[1], &weight));
        }
        let outputs = self.model.run(inputs.as_slice().into()).into_result()?;
        let out = outputs
            .first()
            .ok_or_else(|| SdkError::new(codes::INFERENCE, "enhancer gave no output"))?
            .as_f32()?;
        let side = size as usize;
        if out.len() != 3 * side * side {
            return Err(SdkError::new(
                codes::INFERENCE,
                format!(
                    "enhancer gave {} values, expected {}",
                    out.len(),
                    3 * side * side
                ),
            ));
        }
        let enhanced = decode(out, side).map_err(vision_err("enhancer output"))?;
        let delta = Delta::new(&c, &enhanced, &self.mask).map_err(vision_err("enhancer output"))?;
        Ok((delta, m))
    }
}

impl FrameProcessor for FaceEnhancerProcessor {
    fn update_setting(&mut self, key: &str, value: &SettingValue) -> SdkResult<()> {
        self.settings.update(key, value)
    }

    fn process(&mut self, ctx: &mut FrameCtx<'_>) -> SdkResult<FrameOutcome> {
        let settings = self.settings.clone();
        let faces: Vec<Face> = ctx.faces.iter().cloned().collect();
        if faces.is_empty() {
            return Ok(FrameOutcome::Skipped("no face in the frame".into()));
        }
        if settings.blend <= 0.0 {
            return Ok(FrameOutcome::Skipped("blend is 0".into()));
        }
        // Decide which faces were swapped before this processor changes anything.
        let targets: Vec<&Face> = match settings.faces {
            FaceChoice::All => faces.iter().collect(),
            FaceChoice::Swapped => {
                let frame = frame_view(&ctx.frame)?;
                let original = frames::view(&ctx.original)?;
                faces
                    .iter()
                    .filter(|f| was_swapped(&frame, &original, f))
                    .collect()
            }
        };
        let visible: Vec<u64> = faces
            .iter()
            .filter_map(|f| f.track_id.into_option())
            .collect();
        let every_n = settings.every_n_frames;
        let mut done = 0usize;
        for face in targets {
            let track = face.track_id.into_option().filter(|_| every_n > 1);
            let cached = track.and_then(|t| self.cache.fresh(t, ctx.index, every_n));
            let (delta, m) = match cached {
                Some(d) => {
                    let m =
                        align(&face.kps, self.layout.size).map_err(vision_err("face alignment"))?;
                    (d, m)
                }
                None => {
                    let (d, m) = self.enhance(frame_view(&ctx.frame)?, face)?;
                    let d = Arc::new(d);
                    if let Some(t) = track {
                        self.cache.store(t, ctx.index, Arc::clone(&d));
                    }
                    (d, m)
                }
            };
            let mut view = frame_view_mut(&mut ctx.frame)?;
            paste(&mut view, &delta, &m, settings.blend).map_err(vision_err("paste-back"))?;
            done += 1;
        }
        self.cache.retain_tracks(&visible);
        if done == 0 {
            return Ok(FrameOutcome::Skipped("no swapped face to enhance".into()));
        }
        Ok(FrameOutcome::Processed)
    }
}
