//! The content guard plugin: classify, compare with the threshold, refuse.

use crate::preprocess::{CROP, input_tensor};
use crate::sampling::{Sampler, Verdict};
use crate::settings::{ContentGuardSettings, specs};
use liveswap_sdk::{
    ANY_DIM, FrameCtx, FrameKind, FrameOutcome, FrameProcessor, HostBox, HostLog, ModelBox,
    ModelRequest, ModelSignature, ModelSlot, Plugin, PluginInfo, SdkError, SdkResult, SettingValue,
    Settings, TensorRef, TensorSpec, caps, codes, model_roles,
};
use liveswap_vision::frames::{frame_view, vision_err};

/// The plugin.
pub struct ContentGuard;

/// One guard instance (one per run).
pub struct ContentGuardProcessor {
    settings: ContentGuardSettings,
    model: ModelBox,
    host: HostBox,
    sampler: Sampler,
    /// The model input, reused between frames.
    input: Vec<f32>,
}

/// open_nsfw's signature: `f32[N, 224, 224, 3]` (NHWC, BGR minus means) → `f32[N, 2]` softmax.
pub fn signature() -> ModelSignature {
    let side = CROP as i64;
    ModelSignature::new(
        vec![TensorSpec::f32(&[ANY_DIM, side, side, 3])],
        vec![TensorSpec::f32(&[ANY_DIM, 2])],
    )
}

/// Where the frame is, for messages: nothing for images, the frame and time for streams.
fn place(kind: FrameKind, index: u64, timestamp_us: i64) -> String {
    if kind == FrameKind::VIDEO || kind == FrameKind::LIVE {
        format!(
            " at frame {index} ({:.2} s)",
            timestamp_us as f64 / 1_000_000.0
        )
    } else {
        String::new()
    }
}

impl Plugin for ContentGuard {
    type Processor = ContentGuardProcessor;

    fn info() -> PluginInfo {
        PluginInfo::new("content_guard", "Content guard", env!("CARGO_PKG_VERSION"))
            .description("Refuses sexual (NSFW) content with Yahoo's open_nsfw classifier: every source image, every still target, and the first and then one frame per `sample_every_s` of a video or live stream. A refused image or video run writes nothing; live output is blanked while frames are refused. It does not change pixels.")
            .capabilities(&[caps::INSPECTS_SOURCES])
            .settings(specs())
            .model(ModelSlot::new(
                "model",
                model_roles::CONTENT_CLASSIFIER,
                signature(),
            ))
    }

    fn create(settings: &Settings, host: HostBox) -> SdkResult<ContentGuardProcessor> {
        let settings = ContentGuardSettings::from_settings(settings)?;
        let model = host
            .open_model(ModelRequest {
                setting: "model".into(),
                reference: settings.model.as_str().into(),
                signature: signature(),
            })
            .into_result()?;
        Ok(ContentGuardProcessor {
            settings,
            model,
            host,
            sampler: Sampler::default(),
            input: Vec::with_capacity(CROP * CROP * 3),
        })
    }
}

impl ContentGuardProcessor {
    /// The NSFW probability of a frame (index 1 of the softmax).
    fn score(&mut self, ctx: &FrameCtx<'_>) -> SdkResult<f32> {
        let view = frame_view(&ctx.frame)?;
        input_tensor(view, &mut self.input).map_err(vision_err("content_guard input"))?;
        let side = CROP as i64;
        let shape = [1, side, side, 3];
        let inputs = [TensorRef::f32(&shape, &self.input)];
        let outputs = self.model.run(inputs.as_slice().into()).into_result()?;
        let probs = outputs
            .first()
            .ok_or_else(|| SdkError::new(codes::INFERENCE, "classifier gave no output"))?
            .as_f32()?;
        match probs {
            [_, nsfw, ..] if nsfw.is_finite() => Ok(*nsfw),
            _ => Err(SdkError::new(
                codes::INFERENCE,
                format!("classifier gave {probs:?}, expected two probabilities"),
            )),
        }
    }
}

impl FrameProcessor for ContentGuardProcessor {
    fn update_setting(&mut self, key: &str, value: &SettingValue) -> SdkResult<()> {
        self.settings.update(key, value)
    }

    fn process(&mut self, ctx: &mut FrameCtx<'_>) -> SdkResult<FrameOutcome> {
        let (kind, index, ts) = (ctx.kind, ctx.index, ctx.timestamp_us);
        if !self
            .sampler
            .due(kind, index, ts, self.settings.sample_every_s)
        {
            // The last checked frame's verdict holds until the next check.
            return match self.sampler.standing() {
                Some(v) if v.flagged => Err(SdkError::new(codes::REFUSED, v.message.as_str())),
                _ => Ok(FrameOutcome::Processed),
            };
        }
        let score = self.score(ctx)?;
        let threshold = self.settings.threshold;
        let flagged = score >= threshold;
        let at = place(kind, index, ts);
        self.host.info(&format!(
            "NSFW score{at}: {score:.4} (threshold {threshold:.2}){}",
            if flagged { ": refused" } else { "" }
        ));
        let message = if flagged {
            format!("flagged as NSFW{at} (score {score:.2} ≥ threshold {threshold:.2})")
        } else {
            String::new()
        };
        self.sampler.checked(
            kind,
            ts,
            Verdict {
                score,
                flagged,
                message: message.clone(),
            },
        );
        if flagged {
            Err(SdkError::new(codes::REFUSED, message).with_help(
                "liveswap does not process sexual content; if this is a false positive, see \"Responsible use\" in the README",
            ))
        } else {
            Ok(FrameOutcome::Processed)
        }
    }
}
