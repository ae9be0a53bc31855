//! Settings of the content guard.

use liveswap_sdk::{SdkError, SdkResult, SettingSpec, SettingValue, Settings};

/// Default classifier: the manifest's `open_nsfw` (default model pack).
pub const DEFAULT_MODEL: &str = "open_nsfw";
/// Default NSFW probability at or above which input is refused: the operating point Yahoo's
/// open_nsfw documentation suggests for "likely NSFW" (scores below 0.2 are "likely safe").
pub const DEFAULT_THRESHOLD: f64 = 0.8;
/// Default seconds of stream time between two checked video or live frames.
pub const DEFAULT_SAMPLE_EVERY_S: f64 = 1.0;

/// The descriptors.
pub fn specs() -> Vec<SettingSpec> {
    vec![
        SettingSpec::model(
            "model",
            "Classifier",
            "NSFW classifier: a manifest id or an ONNX file of open_nsfw's signature (input [N,224,224,3] BGR, output [N,2])",
            DEFAULT_MODEL,
        ),
        SettingSpec::float(
            "threshold",
            "Threshold",
            "NSFW probability at or above which a source, image or frame is refused",
            DEFAULT_THRESHOLD,
            0.0,
            1.0,
        )
        .live(),
        SettingSpec::float(
            "sample_every_s",
            "Check every (s)",
            "Seconds of video or live stream between two checked frames (the first frame is always checked; 0 = every frame)",
            DEFAULT_SAMPLE_EVERY_S,
            0.0,
            3600.0,
        )
        .live(),
    ]
}

/// Typed settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ContentGuardSettings {
    /// Model reference as written.
    pub model: String,
    /// Refusal threshold on the NSFW probability.
    pub threshold: f32,
    /// Sampling period of video and live frames, in seconds.
    pub sample_every_s: f64,
}

impl ContentGuardSettings {
    /// Reads validated settings.
    pub fn from_settings(s: &Settings) -> SdkResult<Self> {
        Ok(Self {
            model: s.text("model")?.to_string(),
            threshold: s.float("threshold")? as f32,
            sample_every_s: s.float("sample_every_s")?,
        })
    }

    /// Applies one live change.
    pub fn update(&mut self, key: &str, value: &SettingValue) -> SdkResult<()> {
        match (key, value) {
            ("threshold", SettingValue::Float(v)) => self.threshold = *v as f32,
            ("sample_every_s", SettingValue::Float(v)) => self.sample_every_s = *v,
            _ => {
                return Err(SdkError::setting(format!(
                    "`{key}` cannot change while running, or has the wrong type"
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
    fn defaults_come_from_the_specs() {
        let s = ContentGuardSettings::from_settings(&Settings::defaults(&specs())).unwrap();
        assert_eq!(s.model, DEFAULT_MODEL);
        assert!((f64::from(s.threshold) - DEFAULT_THRESHOLD).abs() < 1e-7);
        assert_eq!(s.sample_every_s, DEFAULT_SAMPLE_EVERY_S);
    }

    #[test]
    fn live_updates_and_refusals() {
        let mut s = ContentGuardSettings::from_settings(&Settings::defaults(&specs())).unwrap();
        s.update("threshold", &SettingValue::Float(0.5)).unwrap();
        assert_eq!(s.threshold, 0.5);
        assert!(s.update("model", &SettingValue::Text("x".into())).is_err());
        assert!(s.update("threshold", &SettingValue::Bool(true)).is_err());
    }
}
