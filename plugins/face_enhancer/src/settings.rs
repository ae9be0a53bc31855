//! Settings of the face enhancer: descriptors, defaults and the typed copy the processor reads
//! once per frame.

use liveswap_sdk::{SdkError, SdkResult, SettingSpec, SettingValue, Settings};

/// Default model id (manifest).
pub const DEFAULT_MODEL: &str = "gfpgan_1.4";
/// Default `blend` in percent (facefusion's default face enhancer blend).
pub const DEFAULT_BLEND: i64 = 80;
/// Default `every_n_frames` (1 = every frame).
pub const DEFAULT_EVERY_N_FRAMES: i64 = 1;
/// Largest `every_n_frames`.
pub const MAX_EVERY_N_FRAMES: i64 = 60;
/// Default `faces`.
pub const DEFAULT_FACES: &str = "all";
/// Default CodeFormer fidelity weight (0 = quality, 1 = fidelity).
pub const DEFAULT_FIDELITY: f64 = 0.5;

/// Which faces the enhancer works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceChoice {
    /// Every face the analyser found.
    All,
    /// Only faces an earlier processor changed (see [`crate::select`]).
    Swapped,
}

impl FaceChoice {
    fn parse(text: &str) -> SdkResult<Self> {
        match text {
            "all" => Ok(Self::All),
            "swapped" => Ok(Self::Swapped),
            other => Err(SdkError::setting(format!(
                "faces: `{other}` is not one of all, swapped"
            ))),
        }
    }
}

/// The descriptors.
pub fn specs() -> Vec<SettingSpec> {
    vec![
        SettingSpec::model(
            "model",
            "Enhancer model",
            "Face restoration model: manifest id (gfpgan_1.4, gpen_bfr_256, gpen_bfr_512, codeformer) or .onnx path",
            DEFAULT_MODEL,
        ),
        SettingSpec::int(
            "blend",
            "Blend",
            "Percent of the enhanced face mixed over the un-enhanced one (0 = frame unchanged, 100 = enhanced face only)",
            DEFAULT_BLEND,
            0,
            100,
        )
        .live(),
        SettingSpec::int(
            "every_n_frames",
            "Enhance every N frames",
            "Live/video: run the model on a tracked face every N frames and reuse its last enhancement in between (faces without a track id are enhanced every frame)",
            DEFAULT_EVERY_N_FRAMES,
            1,
            MAX_EVERY_N_FRAMES,
        )
        .live(),
        SettingSpec::choice(
            "faces",
            "Faces",
            "all = every detected face; swapped = only faces an earlier processor changed",
            DEFAULT_FACES,
            &["all", "swapped"],
        )
        .live(),
        SettingSpec::float(
            "fidelity",
            "Fidelity (CodeFormer)",
            "CodeFormer's fidelity weight w: 0 = best quality, 1 = closest to the input; used only by models with a `weight` input",
            DEFAULT_FIDELITY,
            0.0,
            1.0,
        )
        .live(),
    ]
}

/// Typed settings.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceEnhancerSettings {
    /// Model reference.
    pub model: String,
    /// Mix of the enhancement, 0–1 (`blend / 100`).
    pub blend: f32,
    /// Model runs per tracked face: every `every_n_frames` frames.
    pub every_n_frames: u64,
    /// Which faces.
    pub faces: FaceChoice,
    /// CodeFormer fidelity weight, 0–1.
    pub fidelity: f64,
}

impl Default for FaceEnhancerSettings {
    fn default() -> Self {
        Self {
            model: DEFAULT_MODEL.into(),
            blend: DEFAULT_BLEND as f32 / 100.0,
            every_n_frames: DEFAULT_EVERY_N_FRAMES as u64,
            faces: FaceChoice::All,
            fidelity: DEFAULT_FIDELITY,
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

impl FaceEnhancerSettings {
    /// Reads validated settings.
    pub fn from_settings(s: &Settings) -> SdkResult<Self> {
        let model = s.text("model")?;
        if model.is_empty() {
            return Err(SdkError::setting("model must name a face enhancer model"));
        }
        Ok(Self {
            model: model.into(),
            blend: s.int("blend")?.clamp(0, 100) as f32 / 100.0,
            every_n_frames: s.int("every_n_frames")?.clamp(1, MAX_EVERY_N_FRAMES) as u64,
            faces: FaceChoice::parse(s.text("faces")?)?,
            fidelity: s.float("fidelity")?.clamp(0.0, 1.0),
        })
    }

    /// Applies a live setting.
    pub fn update(&mut self, key: &str, value: &SettingValue) -> SdkResult<()> {
        match key {
            "blend" => self.blend = int_of(key, value)?.clamp(0, 100) as f32 / 100.0,
            "every_n_frames" => {
                self.every_n_frames = int_of(key, value)?.clamp(1, MAX_EVERY_N_FRAMES) as u64;
            }
            "faces" => match value {
                SettingValue::Text(t) => self.faces = FaceChoice::parse(t.as_str())?,
                other => {
                    return Err(SdkError::setting(format!(
                        "faces: expected all or swapped, got {other}"
                    )));
                }
            },
            "fidelity" => match value {
                SettingValue::Float(f) => self.fidelity = f.clamp(0.0, 1.0),
                SettingValue::Int(i) => self.fidelity = (*i as f64).clamp(0.0, 1.0),
                other => {
                    return Err(SdkError::setting(format!(
                        "fidelity: expected a number, got {other}"
                    )));
                }
            },
            _ => {
                return Err(SdkError::setting(format!(
                    "setting `{key}` cannot change while running"
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
        let s = FaceEnhancerSettings::from_settings(&Settings::defaults(&specs())).unwrap();
        assert_eq!(s, FaceEnhancerSettings::default());
        assert!(
            specs()
                .iter()
                .filter(|s| s.key.as_str() != "model")
                .all(|s| s.live)
        );
    }

    #[test]
    fn live_updates_apply_and_model_is_not_live() {
        let mut s = FaceEnhancerSettings::default();
        s.update("blend", &SettingValue::Int(25)).unwrap();
        s.update("every_n_frames", &SettingValue::Int(4)).unwrap();
        s.update("faces", &SettingValue::Text("swapped".into()))
            .unwrap();
        assert_eq!(
            (s.blend, s.every_n_frames, s.faces),
            (0.25, 4, FaceChoice::Swapped)
        );
        assert!(
            s.update("faces", &SettingValue::Text("some".into()))
                .is_err()
        );
        assert!(s.update("model", &SettingValue::Text("x".into())).is_err());
        assert!(s.update("blend", &SettingValue::Bool(true)).is_err());
    }
}
