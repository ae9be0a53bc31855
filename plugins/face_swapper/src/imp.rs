//! The swapper plugin: description, creation (model + emap through the host) and the
//! per-frame work (select → latents → crops → model → paste-back).

use crate::latent::{Emap, average_embedding, latent, mix_latents};
use crate::model::{CROP, DIM, blob_rgb01, output_to_rgb8, signature};
use crate::settings::{FaceSwapperSettings, specs};
use liveswap_sdk::{
    Face, FrameCtx, FrameOutcome, FrameProcessor, HostBox, ImageMut, ModelBox, ModelRequest,
    ModelSlot, Plugin, PluginInfo, SdkError, SdkResult, SettingValue, Settings, SourceFace,
    TensorRef, caps, codes, data, model_roles,
};
use liveswap_swapkit::select::role_group;
use liveswap_swapkit::{Assignment, Paster, Selector};
use liveswap_vision::align::norm_crop;
use liveswap_vision::frames::{frame_view, frame_view_mut, vision_err};
use liveswap_vision::{Affine, Image};

/// The plugin.
pub struct FaceSwapper;

/// One swapper instance.
pub struct FaceSwapperProcessor {
    settings: FaceSwapperSettings,
    model: ModelBox,
    model_id: String,
    emap: Emap,
    batched: bool,
    paster: Paster,
    selector: Selector,
}

/// Where inswapper keeps its identity projection `emap`: the last initializer of the graph
/// (insightface reads `graph.initializer[-1]`), asked of the host by position.
const EMAP_INITIALIZER: &str = "#-1";

impl Plugin for FaceSwapper {
    type Processor = FaceSwapperProcessor;

    fn info() -> PluginInfo {
        PluginInfo::new("face_swapper", "Face swapper", env!("CARGO_PKG_VERSION"))
            .description("Swaps faces with insightface's inswapper_128: the source identity (ArcFace w600k_r50 embedding projected by the model's emap) is rendered onto each selected target face's 128×128 crop and pasted back with a feathered mask.")
            .capabilities(&[caps::MODIFIES_FRAME])
            .settings(specs())
            .requires(&[data::FACES, data::EMBEDDINGS, data::SOURCE_FACES])
            .model(ModelSlot::new("model", model_roles::FACE_SWAPPER, signature()))
    }

    fn create(settings: &Settings, host: HostBox) -> SdkResult<FaceSwapperProcessor> {
        let settings = FaceSwapperSettings::from_settings(settings)?;
        let model = host
            .open_model(ModelRequest {
                setting: "model".into(),
                reference: settings.model.as_str().into(),
                signature: signature(),
            })
            .into_result()?;
        let info = model.info();
        let model_id = info.id.to_string();
        let batched = info
            .signature
            .inputs
            .first()
            .and_then(|t| t.shape.first())
            .is_some_and(|&d| d < 0);
        let emap = match model
            .initializer(EMAP_INITIALIZER.into())
            .into_result()?
            .into_option()
        {
            Some(t) => Emap::from_tensor(&t, DIM)?,
            None => {
                return Err(SdkError::new(
                    codes::MODEL_SIGNATURE,
                    format!(
                        "model `{model_id}` ({}) stores no initializers, so it has no identity projection (emap); it is not an inswapper model",
                        info.path
                    ),
                ));
            }
        };
        host.log(
            liveswap_sdk::LogLevel::Debug,
            format!(
                "{model_id}: batch {}",
                if batched { "dynamic" } else { "fixed" }
            )
            .as_str()
            .into(),
        );
        Ok(FaceSwapperProcessor {
            settings,
            model,
            model_id,
            emap,
            batched,
            paster: Paster::new(),
            selector: Selector::default(),
        })
    }
}

impl FaceSwapperProcessor {
    /// The identity embedding of a face, refused when it comes from another space.
    fn embedding<'a>(&self, face: &'a Face, whose: &str) -> SdkResult<&'a [f32]> {
        let want = self.settings.embedding_space.as_str();
        let Some(e) = face.embedding.as_ref().into_option() else {
            return Err(
                SdkError::input(format!("{whose} has no identity embedding"))
                    .with_help(format!("set face_analyser.recognizer_model = \"{want}\"")),
            );
        };
        if e.space.as_str() != want {
            return Err(SdkError::new(
                "face_swapper.embedding_space",
                format!(
                    "{whose} has a {} embedding, but {} needs {want} embeddings",
                    e.space, self.model_id
                ),
            )
            .with_help(format!(
                "set face_analyser.recognizer_model = \"{want}\" (or face_swapper.embedding_space, if this model was trained on another recognizer)"
            )));
        }
        Ok(e.values.as_slice())
    }

    /// The latent of each assignment, in order.
    fn latents(
        &self,
        faces: &[Face],
        sources: &[SourceFace],
        plan: &[Assignment],
    ) -> SdkResult<Vec<Vec<f32>>> {
        let mut by_source: Vec<(usize, Vec<f32>)> = Vec::new();
        let mut out = Vec::with_capacity(plan.len());
        for a in plan {
            let src = match by_source.iter().find(|(i, _)| *i == a.source) {
                Some((_, l)) => l.clone(),
                None => {
                    let group = role_group(sources, a.source);
                    let embs = group
                        .iter()
                        .map(|&i| {
                            let s = &sources[i];
                            self.embedding(&s.face, &format!("source `{}`", s.label))
                        })
                        .collect::<SdkResult<Vec<_>>>()?;
                    let l = latent(&self.emap, &average_embedding(&embs))?;
                    by_source.push((a.source, l.clone()));
                    l
                }
            };
            let strength = self.settings.identity_strength;
            if strength < 1.0 {
                let own = latent(
                    &self.emap,
                    self.embedding(&faces[a.target], "a target face")?,
                )?;
                out.push(mix_latents(&src, &own, strength));
            } else {
                out.push(src);
            }
        }
        Ok(out)
    }

    /// Runs the model on `n` stacked crops and latents; returns the fake crops.
    fn infer(&self, blob: &[f32], latents: &[f32], n: usize) -> SdkResult<Vec<Image>> {
        let tshape = [n as i64, 3, CROP as i64, CROP as i64];
        let sshape = [n as i64, DIM as i64];
        let inputs = [
            TensorRef::f32(&tshape, blob),
            TensorRef::f32(&sshape, latents),
        ];
        let outputs = self.model.run(inputs.as_slice().into()).into_result()?;
        let out = outputs
            .first()
            .ok_or_else(|| SdkError::new(codes::INFERENCE, "swapper gave no output"))?
            .as_f32()?;
        let per = 3 * CROP * CROP;
        if out.len() != n * per {
            return Err(SdkError::new(
                codes::INFERENCE,
                format!(
                    "swapper gave {} values for {n} face(s), expected {per} each",
                    out.len()
                ),
            ));
        }
        out.chunks_exact(per)
            .map(|p| output_to_rgb8(p, CROP).map_err(vision_err("swapper output")))
            .collect()
    }

    fn crop(frame: &ImageMut<'_>, face: &Face) -> SdkResult<(Image, Affine)> {
        norm_crop(frame_view(frame)?, &face.kps, CROP as u32).map_err(vision_err("face alignment"))
    }

    fn paste(&mut self, frame: &mut ImageMut<'_>, fake: &Image, m: &Affine) -> SdkResult<()> {
        let mut view = frame_view_mut(frame)?;
        self.paster
            .paste(&mut view, fake.view(), m, &self.settings.blend)
            .map_err(vision_err("paste-back"))?;
        Ok(())
    }
}

impl FrameProcessor for FaceSwapperProcessor {
    fn update_setting(&mut self, key: &str, value: &SettingValue) -> SdkResult<()> {
        self.settings.update(key, value)
    }

    fn process(&mut self, ctx: &mut FrameCtx<'_>) -> SdkResult<FrameOutcome> {
        let faces: &[Face] = ctx.faces.as_slice();
        if faces.is_empty() {
            return Ok(FrameOutcome::Skipped("no face in the frame".into()));
        }
        let sources = ctx.sources.as_slice();
        let plan = self
            .selector
            .assign(faces, sources, &self.settings.select.mode, ctx.index)?;
        if plan.is_empty() {
            return Ok(FrameOutcome::Skipped(
                "no face matched the face selection".into(),
            ));
        }
        let latents = self.latents(faces, sources, &plan)?;
        let targets: Vec<Face> = plan.iter().map(|a| faces[a.target].clone()).collect();
        if self.batched {
            // One call: every crop is taken from the frame before any paste.
            let mut blob = Vec::with_capacity(plan.len() * 3 * CROP * CROP);
            let mut mats = Vec::with_capacity(plan.len());
            for face in &targets {
                let (crop, m) = Self::crop(&ctx.frame, face)?;
                blob_rgb01(crop.view(), &mut blob).map_err(vision_err("crop"))?;
                mats.push(m);
            }
            let flat: Vec<f32> = latents.concat();
            let fakes = self.infer(&blob, &flat, plan.len())?;
            for (fake, m) in fakes.iter().zip(&mats) {
                self.paste(&mut ctx.frame, fake, m)?;
            }
        } else {
            // insightface's loop: each crop sees the earlier pastes.
            let mut blob = Vec::with_capacity(3 * CROP * CROP);
            for (face, lat) in targets.iter().zip(&latents) {
                let (crop, m) = Self::crop(&ctx.frame, face)?;
                blob.clear();
                blob_rgb01(crop.view(), &mut blob).map_err(vision_err("crop"))?;
                let fake = self.infer(&blob, lat, 1)?;
                if let Some(fake) = fake.first() {
                    self.paste(&mut ctx.frame, fake, &m)?;
                }
            }
        }
        Ok(FrameOutcome::Processed)
    }
}
