//! Settings of the face debugger.

use liveswap_sdk::{SdkError, SdkResult, SettingSpec, SettingValue, Settings};

/// Default: draw boxes.
pub const DEFAULT_BOXES: bool = true;
/// Default: draw the 5 keypoints.
pub const DEFAULT_KEYPOINTS: bool = true;
/// Default: draw the 106 landmarks when present.
pub const DEFAULT_LANDMARKS: bool = true;
/// Default: write the score above the box.
pub const DEFAULT_SCORES: bool = true;
/// Default line thickness in pixels.
pub const DEFAULT_THICKNESS: i64 = 2;
/// Default colour name.
pub const DEFAULT_COLOR: &str = "green";
/// Colour names and RGB values.
pub const COLORS: [(&str, [u8; 3]); 5] = [
    ("green", [0, 220, 0]),
    ("red", [230, 0, 0]),
    ("blue", [0, 90, 255]),
    ("yellow", [255, 220, 0]),
    ("white", [255, 255, 255]),
];

/// The descriptors.
pub fn specs() -> Vec<SettingSpec> {
    let names: Vec<&str> = COLORS.iter().map(|(n, _)| *n).collect();
    vec![
        SettingSpec::bool("boxes", "Boxes", "Draw face boxes", DEFAULT_BOXES).live(),
        SettingSpec::bool(
            "keypoints",
            "Keypoints",
            "Draw the 5 keypoints (eyes, nose, mouth corners)",
            DEFAULT_KEYPOINTS,
        )
        .live(),
        SettingSpec::bool(
            "landmarks",
            "Landmarks",
            "Draw the 106 landmarks when the analyser found them",
            DEFAULT_LANDMARKS,
        )
        .live(),
        SettingSpec::bool(
            "scores",
            "Scores",
            "Write the detection score above each box",
            DEFAULT_SCORES,
        )
        .live(),
        SettingSpec::int(
            "thickness",
            "Thickness",
            "Line thickness in pixels",
            DEFAULT_THICKNESS,
            1,
            20,
        )
        .live(),
        SettingSpec::choice("color", "Colour", "Drawing colour", DEFAULT_COLOR, &names).live(),
    ]
}

/// Typed settings.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceDebuggerSettings {
    /// Draw boxes.
    pub boxes: bool,
    /// Draw keypoints.
    pub keypoints: bool,
    /// Draw landmarks.
    pub landmarks: bool,
    /// Draw scores.
    pub scores: bool,
    /// Line thickness.
    pub thickness: u32,
    /// Colour.
    pub color: [u8; 3],
}

impl Default for FaceDebuggerSettings {
    fn default() -> Self {
        Self {
            boxes: DEFAULT_BOXES,
            keypoints: DEFAULT_KEYPOINTS,
            landmarks: DEFAULT_LANDMARKS,
            scores: DEFAULT_SCORES,
            thickness: DEFAULT_THICKNESS as u32,
            color: COLORS[0].1,
        }
    }
}

fn color(name: &str) -> SdkResult<[u8; 3]> {
    COLORS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| *c)
        .ok_or_else(|| SdkError::setting(format!("unknown colour `{name}`")))
}

impl FaceDebuggerSettings {
    /// Reads validated settings.
    pub fn from_settings(s: &Settings) -> SdkResult<Self> {
        Ok(Self {
            boxes: s.bool("boxes")?,
            keypoints: s.bool("keypoints")?,
            landmarks: s.bool("landmarks")?,
            scores: s.bool("scores")?,
            thickness: s.int("thickness")?.clamp(1, 20) as u32,
            color: color(s.text("color")?)?,
        })
    }

    /// Applies one live change.
    pub fn update(&mut self, key: &str, value: &SettingValue) -> SdkResult<()> {
        match (key, value) {
            ("boxes", SettingValue::Bool(v)) => self.boxes = *v,
            ("keypoints", SettingValue::Bool(v)) => self.keypoints = *v,
            ("landmarks", SettingValue::Bool(v)) => self.landmarks = *v,
            ("scores", SettingValue::Bool(v)) => self.scores = *v,
            ("thickness", SettingValue::Int(v)) => self.thickness = (*v).clamp(1, 20) as u32,
            ("color", SettingValue::Text(v)) => self.color = color(v)?,
            _ => {
                return Err(SdkError::setting(format!(
                    "unknown setting `{key}` or wrong type"
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
            FaceDebuggerSettings::from_settings(&Settings::defaults(&specs())).unwrap(),
            FaceDebuggerSettings::default()
        );
    }

    #[test]
    fn live_updates() {
        let mut s = FaceDebuggerSettings::default();
        s.update("color", &SettingValue::Text("red".into()))
            .unwrap();
        assert_eq!(s.color, [230, 0, 0]);
        assert!(
            s.update("color", &SettingValue::Text("mauve".into()))
                .is_err()
        );
        assert!(s.update("thickness", &SettingValue::Bool(true)).is_err());
    }
}
