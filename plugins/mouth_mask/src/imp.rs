//! The mouth mask plugin: description, creation and the per-frame work.

use crate::lips::grown;
use crate::mask::{overlay, rasterize, restore};
use crate::settings::{MouthMaskSettings, specs};
use liveswap_sdk::{
    FrameCtx, FrameOutcome, FrameProcessor, HostBox, Plugin, PluginInfo, SdkError, SdkResult,
    SettingValue, Settings, caps, data,
};
use liveswap_vision::frames::{self};

/// The plugin.
pub struct MouthMask;

/// One mouth mask instance.
#[derive(Debug, Clone)]
pub struct MouthMaskProcessor {
    settings: MouthMaskSettings,
}

impl Plugin for MouthMask {
    type Processor = MouthMaskProcessor;

    fn info() -> PluginInfo {
        PluginInfo::new("mouth_mask", "Mouth mask", env!("CARGO_PKG_VERSION"))
            .description("Restores each target face's own mouth from the original (pre-swap) frame, inside the outer-lip outline of its 106 landmarks grown by `size` and extended toward the chin, with a feathered edge. Put it after a swapper.")
            .capabilities(&[caps::MODIFIES_FRAME, caps::READS_ORIGINAL])
            .settings(specs())
            .requires(&[data::FACES, data::LANDMARKS_106])
    }

    fn create(settings: &Settings, _host: HostBox) -> SdkResult<MouthMaskProcessor> {
        Ok(MouthMaskProcessor::new(MouthMaskSettings::from_settings(
            settings,
        )?))
    }
}

impl MouthMaskProcessor {
    /// An instance with these settings (no host needed: the mouth mask uses no model).
    #[must_use]
    pub fn new(settings: MouthMaskSettings) -> Self {
        Self { settings }
    }
}

impl FrameProcessor for MouthMaskProcessor {
    fn update_setting(&mut self, key: &str, value: &SettingValue) -> SdkResult<()> {
        self.settings.update(key, value)
    }

    fn process(&mut self, ctx: &mut FrameCtx<'_>) -> SdkResult<FrameOutcome> {
        let s = self.settings;
        if s.size <= 0.0 {
            return Ok(FrameOutcome::Skipped("size 0: mouth mask off".into()));
        }
        if ctx.faces.is_empty() {
            return Ok(FrameOutcome::Skipped("no face in the frame".into()));
        }
        let (w, h) = (ctx.frame.width as usize, ctx.frame.height as usize);
        if (ctx.original.width, ctx.original.height) != (ctx.frame.width, ctx.frame.height) {
            return Err(SdkError::input(
                "the original frame and the frame differ in size",
            ));
        }
        let original = frames::view(&ctx.original)?;
        let mut frame = frames::frame_view_mut(&mut ctx.frame)?;
        let (mut restored, mut without) = (0usize, 0usize);
        for face in ctx.faces.iter() {
            let Some(lm) = face.landmarks_106.as_ref().into_option() else {
                without += 1;
                continue;
            };
            let Some(poly) = grown(lm.as_slice(), s.size) else {
                without += 1;
                continue;
            };
            let Some(mask) = rasterize(&poly, s.feather, w, h) else {
                continue;
            };
            restore(&mut frame, &original, &mask);
            if s.show_mask {
                overlay(&mut frame, &mask, &poly);
            }
            restored += 1;
        }
        if restored == 0 {
            let why = if without > 0 {
                "no face has 106-point landmarks (set face_analyser.landmark_model)"
            } else {
                "every mouth lies outside the frame"
            };
            return Ok(FrameOutcome::Skipped(why.into()));
        }
        Ok(FrameOutcome::Processed)
    }
}
