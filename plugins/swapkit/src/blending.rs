//! Blending options of the paste-back, as settings every swapper publishes.
//!
//! With the defaults the paste-back is exactly insightface's `INSwapper.get(paste_back=True)`
//! (see [`crate::paste`]); each option departs from it in one way:
//!
//! | key | type | default | range | live | effect |
//! |---|---|---|---|---|---|
//! | `opacity` | float | 1.0 | 0–1 | yes | scales the blend mask (0 leaves the frame unchanged) |
//! | `mask_feather` | float | 1.0 | 0–3 | yes | scales the Gaussian blur of the mask edge (0 = hard edge; > 1 also erodes more so the soft edge stays inside the face) |
//! | `mask_padding` | float | 0.0 | 0–0.3 | yes | fraction of the crop side cut from each edge of the mask before warping (shrinks the pasted area toward the face centre) |
//! | `color_correction` | bool | false | — | yes | matches the fake face's per-channel mean and standard deviation to the frame under the mask |
//! | `sharpness` | float | 0.0 | 0–5 | yes | unsharp mask on the fake face crop before it is warped back (amount = sharpness / 2, Gaussian σ = 1 crop pixel) |

use liveswap_sdk::{SdkError, SdkResult, SettingSpec, SettingValue, Settings};

/// Default `opacity`.
pub const DEFAULT_OPACITY: f64 = 1.0;
/// Default `mask_feather` (1 = insightface's kernel sizes).
pub const DEFAULT_MASK_FEATHER: f64 = 1.0;
/// Default `mask_padding`.
pub const DEFAULT_MASK_PADDING: f64 = 0.0;
/// Default `color_correction`.
pub const DEFAULT_COLOR_CORRECTION: bool = false;
/// Default `sharpness`.
pub const DEFAULT_SHARPNESS: f64 = 0.0;

/// The blending descriptors (append them to the plugin's own specs).
pub fn blending_specs() -> Vec<SettingSpec> {
    vec![
        SettingSpec::float(
            "opacity",
            "Opacity",
            "How much of the swapped face shows (0 = none, 1 = full)",
            DEFAULT_OPACITY,
            0.0,
            1.0,
        )
        .live(),
        SettingSpec::float(
            "mask_feather",
            "Mask feather",
            "Softness of the mask edge relative to insightface's (0 = hard edge, 1 = insightface)",
            DEFAULT_MASK_FEATHER,
            0.0,
            3.0,
        )
        .live(),
        SettingSpec::float(
            "mask_padding",
            "Mask padding",
            "Fraction of the face crop cut from each side of the mask (shrinks the pasted area)",
            DEFAULT_MASK_PADDING,
            0.0,
            0.3,
        )
        .live(),
        SettingSpec::bool(
            "color_correction",
            "Colour correction",
            "Match the swapped face's colour (mean and spread per channel) to the frame",
            DEFAULT_COLOR_CORRECTION,
        )
        .live(),
        SettingSpec::float(
            "sharpness",
            "Sharpness",
            "Unsharp-mask strength applied to the swapped face (0 = off)",
            DEFAULT_SHARPNESS,
            0.0,
            5.0,
        )
        .live(),
    ]
}

/// Typed blending options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlendOptions {
    /// Mask multiplier, 0–1.
    pub opacity: f32,
    /// Blur-kernel scale, 0–3 (1 = insightface).
    pub mask_feather: f32,
    /// Fraction of the crop side cut from each mask edge, 0–0.3.
    pub mask_padding: f32,
    /// Match mean/std of the fake face to the frame under the mask.
    pub color_correction: bool,
    /// Unsharp-mask strength, 0–5.
    pub sharpness: f32,
}

impl Default for BlendOptions {
    fn default() -> Self {
        Self {
            opacity: DEFAULT_OPACITY as f32,
            mask_feather: DEFAULT_MASK_FEATHER as f32,
            mask_padding: DEFAULT_MASK_PADDING as f32,
            color_correction: DEFAULT_COLOR_CORRECTION,
            sharpness: DEFAULT_SHARPNESS as f32,
        }
    }
}

impl BlendOptions {
    /// Reads the [`blending_specs`] keys from validated settings.
    pub fn from_settings(s: &Settings) -> SdkResult<Self> {
        Ok(Self {
            opacity: s.float("opacity")? as f32,
            mask_feather: s.float("mask_feather")? as f32,
            mask_padding: s.float("mask_padding")? as f32,
            color_correction: s.bool("color_correction")?,
            sharpness: s.float("sharpness")? as f32,
        })
    }

    /// Applies a live update: `Ok(false)` when `key` is not a blending setting.
    pub fn update(&mut self, key: &str, value: &SettingValue) -> SdkResult<bool> {
        let num = |v: &SettingValue| match v {
            SettingValue::Float(x) => Ok(*x as f32),
            SettingValue::Int(x) => Ok(*x as f32),
            other => Err(SdkError::setting(format!(
                "{key}: expected a number, got {other}"
            ))),
        };
        match key {
            "opacity" => self.opacity = num(value)?.clamp(0.0, 1.0),
            "mask_feather" => self.mask_feather = num(value)?.max(0.0),
            "mask_padding" => self.mask_padding = num(value)?.clamp(0.0, 0.45),
            "sharpness" => self.sharpness = num(value)?.max(0.0),
            "color_correction" => match value {
                SettingValue::Bool(b) => self.color_correction = *b,
                other => {
                    return Err(SdkError::setting(format!(
                        "color_correction: expected true or false, got {other}"
                    )));
                }
            },
            _ => return Ok(false),
        }
        Ok(true)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn defaults_agree_with_specs_and_updates_apply() {
        let specs = blending_specs();
        assert!(specs.iter().all(|s| s.live));
        let mut o = BlendOptions::from_settings(&Settings::defaults(&specs)).unwrap();
        assert_eq!(o, BlendOptions::default());
        assert!(o.update("opacity", &SettingValue::Float(0.25)).unwrap());
        assert!(
            o.update("color_correction", &SettingValue::Bool(true))
                .unwrap()
        );
        assert!(o.update("sharpness", &SettingValue::Int(2)).unwrap());
        assert_eq!(
            (o.opacity, o.color_correction, o.sharpness),
            (0.25, true, 2.0)
        );
        assert!(
            !o.update("face_selection", &SettingValue::Float(1.0))
                .unwrap()
        );
        assert!(o.update("opacity", &SettingValue::Bool(true)).is_err());
        assert!(
            o.update("color_correction", &SettingValue::Float(1.0))
                .is_err()
        );
    }
}
