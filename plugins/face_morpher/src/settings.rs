//! Settings of the face morpher, described once for profiles, the CLI and the UI.
//!
//! The face-selection keys come from `liveswap-swapkit` ([`selection_specs`]), shared with the
//! other swappers; the rest are the morpher's blending options. All are live.

use liveswap_sdk::{SdkError, SdkResult, SettingSpec, SettingValue, Settings};
use liveswap_swapkit::{SelectSettings, selection_specs};

/// Default opacity of the swapped face (1 = fully replaced).
pub const DEFAULT_OPACITY: f64 = 1.0;
/// Default width of the mask's soft edge, in frame pixels.
pub const DEFAULT_MASK_FEATHER: i64 = 12;
/// Default mask padding, in percent of the face size (negative shrinks the mask).
pub const DEFAULT_MASK_PADDING: f64 = -5.0;
/// Default: transfer the target's colour (LAB mean/std) onto the morphed face.
pub const DEFAULT_COLOR_CORRECTION: bool = true;
/// Default: seamless (Poisson) blending.
pub const DEFAULT_POISSON_BLEND: bool = true;
/// Default unsharp strength (0 = off, 5 = strongest).
pub const DEFAULT_SHARPNESS: f64 = 1.0;
/// Default shape transfer (0 = the target's feature layout, 1 = the source's).
pub const DEFAULT_SHAPE_TRANSFER: f64 = 0.8;

/// Default largest working face size: 0, every face at full size (`liveswap live` sets its
/// own default, see the host's `LIVE_DEFAULTS`).
pub const DEFAULT_MAX_FACE_SIZE: i64 = 0;
/// Upper end of the `max_face_size` range, in pixels.
pub const MAX_MAX_FACE_SIZE: i64 = 4096;

/// Maximum feather in pixels.
pub const MAX_MASK_FEATHER: i64 = 100;
/// Padding range in percent of the face size.
pub const MASK_PADDING_RANGE: (f64, f64) = (-20.0, 20.0);

/// The descriptors: selection first, then blending.
pub fn specs() -> Vec<SettingSpec> {
    let mut specs = selection_specs();
    specs.extend([
        SettingSpec::float(
            "opacity",
            "Opacity",
            "How much of the morphed face shows: 0 = the target unchanged, 1 = fully swapped",
            DEFAULT_OPACITY,
            0.0,
            1.0,
        )
        .live(),
        SettingSpec::int(
            "mask_feather",
            "Mask feather",
            "Width in pixels of the soft edge inside the face outline (capped at a quarter of the face size)",
            DEFAULT_MASK_FEATHER,
            0,
            MAX_MASK_FEATHER,
        )
        .live(),
        SettingSpec::float(
            "mask_padding",
            "Mask padding",
            "Grows (positive) or shrinks (negative) the face outline, in percent of the face size",
            DEFAULT_MASK_PADDING,
            MASK_PADDING_RANGE.0,
            MASK_PADDING_RANGE.1,
        )
        .live(),
        SettingSpec::bool(
            "color_correction",
            "Colour correction",
            "Match the morphed face's colour to the target's skin (LAB mean and contrast inside the face)",
            DEFAULT_COLOR_CORRECTION,
        )
        .live(),
        SettingSpec::bool(
            "poisson_blend",
            "Seamless blend",
            "Poisson (gradient-domain) blending: hides the seam at the face edge; slower",
            DEFAULT_POISSON_BLEND,
        )
        .live(),
        SettingSpec::float(
            "sharpness",
            "Sharpness",
            "Unsharp mask inside the face: 0 = off, 5 = strongest",
            DEFAULT_SHARPNESS,
            0.0,
            5.0,
        )
        .live(),
        SettingSpec::float(
            "shape_transfer",
            "Shape transfer",
            "Move the target's eyes, brows, nose and mouth toward the source's proportions before warping: 0 = the target's shape, 1 = the source's (the face outline stays the target's)",
            DEFAULT_SHAPE_TRANSFER,
            0.0,
            1.0,
        )
        .live(),
        SettingSpec::int(
            "max_face_size",
            "Largest working face size",
            "A face larger than this many pixels is morphed at this size and scaled up: faster for big faces in live video, a little softer (0 = always full size)",
            DEFAULT_MAX_FACE_SIZE,
            0,
            MAX_MAX_FACE_SIZE,
        )
        .live(),
    ]);
    specs
}

/// The blending options of one morph (everything but selection).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorphOptions {
    /// 0–1.
    pub opacity: f32,
    /// Soft-edge width in pixels.
    pub mask_feather: f32,
    /// Outline growth in percent of the face size.
    pub mask_padding: f32,
    /// LAB colour transfer on/off.
    pub color_correction: bool,
    /// Poisson blending on/off.
    pub poisson_blend: bool,
    /// Unsharp strength 0–5.
    pub sharpness: f32,
    /// Shape transfer 0–1 ([`crate::shape`]).
    pub shape_transfer: f32,
    /// Largest working face size in pixels, 0 = none ([`crate::scaled`]).
    pub max_face_size: u32,
}

impl Default for MorphOptions {
    fn default() -> Self {
        Self {
            opacity: DEFAULT_OPACITY as f32,
            mask_feather: DEFAULT_MASK_FEATHER as f32,
            mask_padding: DEFAULT_MASK_PADDING as f32,
            color_correction: DEFAULT_COLOR_CORRECTION,
            poisson_blend: DEFAULT_POISSON_BLEND,
            sharpness: DEFAULT_SHARPNESS as f32,
            shape_transfer: DEFAULT_SHAPE_TRANSFER as f32,
            max_face_size: DEFAULT_MAX_FACE_SIZE as u32,
        }
    }
}

/// Typed settings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FaceMorpherSettings {
    /// Which faces get which source.
    pub select: SelectSettings,
    /// Blending.
    pub morph: MorphOptions,
}

fn number(key: &str, v: &SettingValue) -> SdkResult<f32> {
    match v {
        SettingValue::Float(x) => Ok(*x as f32),
        SettingValue::Int(x) => Ok(*x as f32),
        other => Err(SdkError::setting(format!(
            "{key}: expected a number, got {other}"
        ))),
    }
}

impl FaceMorpherSettings {
    /// Reads validated settings.
    pub fn from_settings(s: &Settings) -> SdkResult<Self> {
        Ok(Self {
            select: SelectSettings::from_settings(s)?,
            morph: MorphOptions {
                opacity: (s.float("opacity")? as f32).clamp(0.0, 1.0),
                mask_feather: s.int("mask_feather")?.clamp(0, MAX_MASK_FEATHER) as f32,
                mask_padding: s.float("mask_padding")? as f32,
                color_correction: s.bool("color_correction")?,
                poisson_blend: s.bool("poisson_blend")?,
                sharpness: (s.float("sharpness")? as f32).clamp(0.0, 5.0),
                shape_transfer: (s.float("shape_transfer")? as f32).clamp(0.0, 1.0),
                max_face_size: s.int("max_face_size")?.clamp(0, MAX_MAX_FACE_SIZE) as u32,
            },
        })
    }

    /// Applies one live change.
    pub fn update(&mut self, key: &str, value: &SettingValue) -> SdkResult<()> {
        if self.select.update(key, value)? {
            return Ok(());
        }
        let m = &mut self.morph;
        match (key, value) {
            ("opacity", v) => m.opacity = number(key, v)?.clamp(0.0, 1.0),
            ("mask_feather", SettingValue::Int(v)) => {
                m.mask_feather = (*v).clamp(0, MAX_MASK_FEATHER) as f32;
            }
            ("mask_padding", v) => m.mask_padding = number(key, v)?,
            ("color_correction", SettingValue::Bool(v)) => m.color_correction = *v,
            ("poisson_blend", SettingValue::Bool(v)) => m.poisson_blend = *v,
            ("sharpness", v) => m.sharpness = number(key, v)?.clamp(0.0, 5.0),
            ("shape_transfer", v) => m.shape_transfer = number(key, v)?.clamp(0.0, 1.0),
            ("max_face_size", SettingValue::Int(v)) => {
                m.max_face_size = (*v).clamp(0, MAX_MAX_FACE_SIZE) as u32;
            }
            _ => {
                return Err(SdkError::setting(format!(
                    "unknown setting `{key}` or wrong type ({value})"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn defaults_agree_with_specs() {
        assert_eq!(
            FaceMorpherSettings::from_settings(&Settings::defaults(&specs())).unwrap(),
            FaceMorpherSettings::default()
        );
    }

    #[test]
    fn every_setting_is_live_and_updates_apply() {
        assert!(specs().iter().all(|s| s.live));
        let mut s = FaceMorpherSettings::default();
        s.update("opacity", &SettingValue::Float(0.25)).unwrap();
        s.update("poisson_blend", &SettingValue::Bool(false))
            .unwrap();
        s.update("face_selection", &SettingValue::Text("many".into()))
            .unwrap();
        assert_eq!(s.morph.opacity, 0.25);
        assert!(!s.morph.poisson_blend);
        assert_eq!(s.select.mode, liveswap_swapkit::SelectMode::Many);
        assert!(s.update("opacity", &SettingValue::Bool(true)).is_err());
        assert!(s.update("nope", &SettingValue::Int(1)).is_err());
    }
}
