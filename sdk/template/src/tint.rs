//! The face tint processor: blends the pixels inside each face box toward a colour.
//!
//! Where in the pipeline: after `face_analyser` (it requires `faces`), anywhere among the
//! processors that change pixels. Coordinates are frame pixels, x = column, y = row; a face
//! box `[x1, y1, x2, y2]` is clipped to the frame.

use liveswap_sdk::{
    FrameCtx, FrameOutcome, FrameProcessor, HostBox, HostLog, Plugin, PluginInfo, SdkError,
    SdkResult, SettingSpec, SettingValue, Settings, caps, data,
};

/// Default of `strength` (0 = off, 1 = solid colour).
pub const DEFAULT_STRENGTH: f64 = 0.5;
/// Default of `color`.
pub const DEFAULT_COLOR: &str = "green";
/// Choices of `color`.
pub const COLORS: [&str; 3] = ["red", "green", "blue"];

/// The plugin: its description and how to make a processor.
pub struct FaceTint;

/// One processor instance (one per pipeline).
pub struct FaceTintProcessor {
    strength: f32,
    rgb: [u8; 3],
    host: HostBox,
}

fn rgb_of(color: &str) -> SdkResult<[u8; 3]> {
    Ok(match color {
        "red" => [255, 0, 0],
        "green" => [0, 255, 0],
        "blue" => [0, 0, 255],
        other => {
            return Err(SdkError::setting(format!(
                "color: unknown colour {other:?}"
            )));
        }
    })
}

impl Plugin for FaceTint {
    type Processor = FaceTintProcessor;

    fn info() -> PluginInfo {
        PluginInfo::new("face_tint", "Face tint", env!("CARGO_PKG_VERSION"))
            .description("Blends every detected face box toward a colour (an sdk example).")
            .capabilities(&[caps::MODIFIES_FRAME])
            .requires(&[data::FACES])
            .settings(vec![
                SettingSpec::float(
                    "strength",
                    "Strength",
                    "How far toward the colour: 0 = off, 1 = solid",
                    DEFAULT_STRENGTH,
                    0.0,
                    1.0,
                )
                .live(),
                SettingSpec::choice("color", "Colour", "The tint", DEFAULT_COLOR, &COLORS).live(),
            ])
    }

    fn create(settings: &Settings, host: HostBox) -> SdkResult<FaceTintProcessor> {
        host.debug("face_tint ready");
        Ok(FaceTintProcessor {
            strength: settings.float("strength")? as f32,
            rgb: rgb_of(settings.text("color")?)?,
            host,
        })
    }
}

impl FrameProcessor for FaceTintProcessor {
    fn update_setting(&mut self, key: &str, value: &SettingValue) -> SdkResult<()> {
        match (key, value) {
            ("strength", SettingValue::Float(v)) => self.strength = *v as f32,
            ("color", SettingValue::Text(v)) => self.rgb = rgb_of(v)?,
            _ => {
                return Err(SdkError::setting(format!(
                    "{key} cannot change while running"
                )));
            }
        }
        Ok(())
    }

    fn process(&mut self, ctx: &mut FrameCtx<'_>) -> SdkResult<FrameOutcome> {
        if ctx.faces.is_empty() {
            return Ok(FrameOutcome::Skipped("no faces".into()));
        }
        let (w, h, stride) = (
            ctx.frame.width as usize,
            ctx.frame.height as usize,
            ctx.frame.stride as usize,
        );
        let data = ctx.frame.data.as_mut_slice();
        for face in ctx.faces.iter() {
            // Pixel centres at integer coordinates: columns x1.ceil() ..= x2.floor().
            let clip = |v: f32, max: usize| (v.max(0.0) as usize).min(max);
            let (x1, x2) = (
                clip(face.bbox[0].ceil(), w),
                clip(face.bbox[2].floor() + 1.0, w),
            );
            let (y1, y2) = (
                clip(face.bbox[1].ceil(), h),
                clip(face.bbox[3].floor() + 1.0, h),
            );
            for y in y1..y2 {
                let row = &mut data[y * stride + x1 * 3..y * stride + x2 * 3];
                for px in row.chunks_exact_mut(3) {
                    for (c, target) in px.iter_mut().zip(self.rgb) {
                        let v = f32::from(*c) + (f32::from(target) - f32::from(*c)) * self.strength;
                        *c = v.round().clamp(0.0, 255.0) as u8;
                    }
                }
            }
        }
        if ctx.index == 0 {
            self.host.debug(&format!(
                "tinted {} face(s) on the first frame",
                ctx.faces.len()
            ));
        }
        Ok(FrameOutcome::Processed)
    }
}
