//! The debugger plugin.

use crate::draw::draw_face;
use crate::settings::{FaceDebuggerSettings, specs};
use liveswap_sdk::{
    FrameCtx, FrameOutcome, FrameProcessor, HostBox, Plugin, PluginInfo, SdkResult, SettingValue,
    Settings, caps, data,
};
use liveswap_vision::frames::{self};

/// The plugin.
pub struct FaceDebugger;

/// One debugger instance.
pub struct FaceDebuggerProcessor {
    settings: FaceDebuggerSettings,
}

impl Plugin for FaceDebugger {
    type Processor = FaceDebuggerProcessor;

    fn info() -> PluginInfo {
        PluginInfo::new("face_debugger", "Face debugger", env!("CARGO_PKG_VERSION"))
            .description("Draws face boxes, keypoints, landmarks and scores onto the frame.")
            .capabilities(&[caps::MODIFIES_FRAME])
            .settings(specs())
            .requires(&[data::FACES])
    }

    fn create(settings: &Settings, _host: HostBox) -> SdkResult<FaceDebuggerProcessor> {
        Ok(FaceDebuggerProcessor {
            settings: FaceDebuggerSettings::from_settings(settings)?,
        })
    }
}

impl FrameProcessor for FaceDebuggerProcessor {
    fn update_setting(&mut self, key: &str, value: &SettingValue) -> SdkResult<()> {
        self.settings.update(key, value)
    }

    fn process(&mut self, ctx: &mut FrameCtx<'_>) -> SdkResult<FrameOutcome> {
        if ctx.faces.is_empty() {
            return Ok(FrameOutcome::Skipped("no faces to draw".into()));
        }
        let mut img = frames::frame_view_mut(&mut ctx.frame)?;
        for face in ctx.faces.iter() {
            draw_face(&mut img, face, &self.settings);
        }
        Ok(FrameOutcome::Processed)
    }
}
