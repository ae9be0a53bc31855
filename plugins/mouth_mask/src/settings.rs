//! Settings of the mouth mask.

use liveswap_sdk::{SdkError, SdkResult, SettingSpec, SettingValue, Settings};

/// Default `size` (0 = off).
pub const DEFAULT_SIZE: i64 = 50;
/// Default `feather` in pixels.
pub const DEFAULT_FEATHER: i64 = 6;
/// Largest `feather`.
pub const MAX_FEATHER: i64 = 50;
/// Default `show_mask`.
pub const DEFAULT_SHOW_MASK: bool = false;

/// The descriptors.
pub fn specs() -> Vec<SettingSpec> {
    vec![
        SettingSpec::int(
            "size",
            "Mouth mask size",
            "0 = off; larger values grow the lip outline and extend it toward the chin (100: +50 %, lower edge 60 % of the way to the chin)",
            DEFAULT_SIZE,
            0,
            100,
        )
        .live(),
        SettingSpec::int(
            "feather",
            "Feather",
            "Width in pixels of the soft edge, inside the grown outline",
            DEFAULT_FEATHER,
            0,
            MAX_FEATHER,
        )
        .live(),
        SettingSpec::bool(
            "show_mask",
            "Show mask",
            "Debug overlay: tint the restored area red and outline it in green",
            DEFAULT_SHOW_MASK,
        )
        .live(),
    ]
}

/// Typed settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MouthMaskSettings {
    /// 0–100.
    pub size: f32,
    /// Pixels.
    pub feather: f32,
    /// Draw the debug overlay.
    pub show_mask: bool,
}

impl Default for MouthMaskSettings {
    fn default() -> Self {
        Self {
            size: DEFAULT_SIZE as f32,
            feather: DEFAULT_FEATHER as f32,
            show_mask: DEFAULT_SHOW_MASK,
        }
    }
}

fn int_of(key: &str, v: &SettingValue) -> SdkResult<i64> {
    match v {
        SettingValue::Int(i) => Ok(*i),
        other => Err(SdkError::setting(format!(
            "{key}: expected an integer, got {other}"
        ))),
    }
}

impl MouthMaskSettings {
    /// Reads validated settings.
    pub fn from_settings(s: &Settings) -> SdkResult<Self> {
        Ok(Self {
            size: s.int("size")?.clamp(0, 100) as f32,
            feather: s.int("feather")?.clamp(0, MAX_FEATHER) as f32,
            show_mask: s.bool("show_mask")?,
        })
    }

    /// Applies a live setting.
    pub fn update(&mut self, key: &str, value: &SettingValue) -> SdkResult<()> {
        match (key, value) {
            ("size", v) => self.size = int_of(key, v)?.clamp(0, 100) as f32,
            ("feather", v) => self.feather = int_of(key, v)?.clamp(0, MAX_FEATHER) as f32,
            ("show_mask", SettingValue::Bool(b)) => self.show_mask = *b,
            ("show_mask", other) => {
                return Err(SdkError::setting(format!(
                    "show_mask: expected true or false, got {other}"
                )));
            }
            _ => {
                return Err(SdkError::setting(format!("unknown setting `{key}`")));
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
    fn defaults_agree_with_specs_and_all_are_live() {
        let s = MouthMaskSettings::from_settings(&Settings::defaults(&specs())).unwrap();
        assert_eq!(s, MouthMaskSettings::default());
        assert!(specs().iter().all(|s| s.live));
        let mut s = s;
        s.update("size", &SettingValue::Int(0)).unwrap();
        s.update("show_mask", &SettingValue::Bool(true)).unwrap();
        assert_eq!((s.size, s.show_mask), (0.0, true));
        assert!(s.update("size", &SettingValue::Float(1.0)).is_err());
        assert!(s.update("colour", &SettingValue::Int(1)).is_err());
    }
}
