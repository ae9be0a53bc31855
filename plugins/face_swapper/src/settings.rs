//! Settings of the face swapper: its own keys plus the shared selection and blending keys.

use liveswap_sdk::{SdkError, SdkResult, SettingSpec, SettingValue, Settings};
use liveswap_swapkit::{BlendOptions, SelectSettings, blending_specs, selection_specs};

/// Default model id.
pub const DEFAULT_MODEL: &str = "inswapper_128";
/// Default embedding space the sources must come from (inswapper was trained on w600k_r50).
pub const DEFAULT_EMBEDDING_SPACE: &str = "w600k_r50";
/// Default identity strength (1 = the source identity only).
pub const DEFAULT_IDENTITY_STRENGTH: f64 = 1.0;

/// The descriptors.
pub fn specs() -> Vec<SettingSpec> {
    let mut specs = vec![
        SettingSpec::model(
            "model",
            "Swapper model",
            "inswapper-style model: manifest id (inswapper_128, inswapper_128_fp16) or .onnx path",
            DEFAULT_MODEL,
        ),
        SettingSpec::text(
            "embedding_space",
            "Embedding space",
            "Recognizer whose embeddings the model expects (the analyser's recognizer_model); sources from another recognizer are refused",
            DEFAULT_EMBEDDING_SPACE,
        ),
        SettingSpec::float(
            "identity_strength",
            "Identity strength",
            "1 = the source's identity; lower values move the identity back toward the target's own",
            DEFAULT_IDENTITY_STRENGTH,
            0.0,
            1.0,
        )
        .live(),
    ];
    specs.extend(selection_specs());
    specs.extend(blending_specs());
    specs
}

/// Typed settings.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceSwapperSettings {
    /// Model reference.
    pub model: String,
    /// Required embedding space of sources.
    pub embedding_space: String,
    /// 0–1.
    pub identity_strength: f32,
    /// Face selection.
    pub select: SelectSettings,
    /// Paste-back options.
    pub blend: BlendOptions,
}

impl Default for FaceSwapperSettings {
    fn default() -> Self {
        Self {
            model: DEFAULT_MODEL.into(),
            embedding_space: DEFAULT_EMBEDDING_SPACE.into(),
            identity_strength: DEFAULT_IDENTITY_STRENGTH as f32,
            select: SelectSettings::default(),
            blend: BlendOptions::default(),
        }
    }
}

impl FaceSwapperSettings {
    /// Reads validated settings.
    pub fn from_settings(s: &Settings) -> SdkResult<Self> {
        let model = s.text("model")?;
        if model.is_empty() {
            return Err(SdkError::setting("model must name a swapper model"));
        }
        Ok(Self {
            model: model.into(),
            embedding_space: s.text("embedding_space")?.into(),
            identity_strength: s.float("identity_strength")? as f32,
            select: SelectSettings::from_settings(s)?,
            blend: BlendOptions::from_settings(s)?,
        })
    }

    /// Applies a live setting.
    pub fn update(&mut self, key: &str, value: &SettingValue) -> SdkResult<()> {
        if self.select.update(key, value)? || self.blend.update(key, value)? {
            return Ok(());
        }
        match (key, value) {
            ("identity_strength", SettingValue::Float(v)) => {
                self.identity_strength = (*v as f32).clamp(0.0, 1.0);
                Ok(())
            }
            _ => Err(SdkError::setting(format!(
                "setting `{key}` cannot change while running"
            ))),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use liveswap_swapkit::SelectMode;

    #[test]
    fn defaults_agree_with_specs() {
        let s = FaceSwapperSettings::from_settings(&Settings::defaults(&specs())).unwrap();
        assert_eq!(s, FaceSwapperSettings::default());
        let mut keys: Vec<_> = specs().iter().map(|s| s.key.to_string()).collect();
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n, "duplicate keys");
    }

    #[test]
    fn live_updates_reach_every_group() {
        let mut s = FaceSwapperSettings::default();
        s.update("face_selection", &SettingValue::Text("many".into()))
            .unwrap();
        s.update("opacity", &SettingValue::Float(0.5)).unwrap();
        s.update("identity_strength", &SettingValue::Float(0.3))
            .unwrap();
        assert_eq!(s.select.mode, SelectMode::Many);
        assert_eq!(s.blend.opacity, 0.5);
        assert_eq!(s.identity_strength, 0.3);
        assert!(s.update("model", &SettingValue::Text("x".into())).is_err());
    }
}
