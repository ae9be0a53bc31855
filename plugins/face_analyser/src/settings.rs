//! Settings of the face analyser, described once for profiles, the CLI and the UI.

use crate::track::TrackSettings;
use liveswap_sdk::{SdkError, SdkResult, SettingSpec, Settings};

/// Default detector model id.
pub const DEFAULT_DETECTOR_MODEL: &str = "det_500m";
/// Default detector input size in pixels (square).
pub const DEFAULT_DET_SIZE: i64 = 640;
/// Default minimum detection score.
pub const DEFAULT_DET_THRESHOLD: f64 = 0.5;
/// Default NMS IoU threshold.
pub const DEFAULT_NMS_THRESHOLD: f64 = 0.4;
/// Default face limit (0 = all).
pub const DEFAULT_MAX_FACES: i64 = 0;
/// Default recognizer model id.
pub const DEFAULT_RECOGNIZER_MODEL: &str = "w600k_mbf";
/// Default landmark model id.
pub const DEFAULT_LANDMARK_MODEL: &str = "2d106det";
/// Default: track faces across frames.
pub const DEFAULT_TRACKING: bool = true;
/// Default frames a lost face keeps being reported.
pub const DEFAULT_TRACK_COAST_FRAMES: i64 = 2;
/// Default frames a tracked face's embedding is reused before it is computed again.
pub const DEFAULT_EMBEDDING_REFRESH: i64 = 15;
/// Default: a whole-frame detection on every frame (1); N > 1 detects around tracked faces
/// in between.
pub const DEFAULT_DETECT_FULL_EVERY: i64 = 1;
/// Default keypoint smoothing (off).
pub const DEFAULT_KPS_SMOOTHING: f64 = 0.0;
/// Default: between whole-frame searches, detect around tracked faces (not follow landmarks).
pub const DEFAULT_TRACK_LANDMARKS: bool = false;
/// Default: whole-frame searches use a square detector input (insightface).
pub const DEFAULT_DET_FIT: bool = false;
/// Default: while following, the periodic whole-frame search runs on the processing thread.
pub const DEFAULT_SEARCH_IN_BACKGROUND: bool = false;

/// The descriptors.
pub fn specs() -> Vec<SettingSpec> {
    vec![
        SettingSpec::model(
            "detector_model",
            "Detector",
            "SCRFD face detector: model id or .onnx path",
            DEFAULT_DETECTOR_MODEL,
        ),
        SettingSpec::int(
            "det_size",
            "Detection size",
            "Detector input size in pixels (multiple of 32); larger finds smaller faces, slower",
            DEFAULT_DET_SIZE,
            160,
            1280,
        ),
        SettingSpec::float(
            "det_threshold",
            "Detection threshold",
            "Minimum face score",
            DEFAULT_DET_THRESHOLD,
            0.05,
            0.99,
        )
        .live(),
        SettingSpec::float(
            "nms_threshold",
            "NMS threshold",
            "Overlap above which the weaker of two boxes is dropped",
            DEFAULT_NMS_THRESHOLD,
            0.05,
            0.95,
        )
        .live(),
        SettingSpec::int(
            "max_faces",
            "Max faces",
            "Keep at most this many faces, largest and most central first (0 = all)",
            DEFAULT_MAX_FACES,
            0,
            256,
        )
        .live(),
        SettingSpec::model(
            "recognizer_model",
            "Recognizer",
            "ArcFace identity model (empty = no embeddings)",
            DEFAULT_RECOGNIZER_MODEL,
        ),
        SettingSpec::model(
            "landmark_model",
            "Landmarks",
            "106-point landmark model (empty = no landmarks)",
            DEFAULT_LANDMARK_MODEL,
        ),
        SettingSpec::bool(
            "tracking",
            "Tracking",
            "Give faces track ids across video frames, so selection and mapping stay on the same person",
            DEFAULT_TRACKING,
        )
        .live(),
        SettingSpec::int(
            "track_coast_frames",
            "Bridge missed frames",
            "Frames a tracked face the detector misses keeps being reported (moved along its motion), so the swap does not flicker",
            DEFAULT_TRACK_COAST_FRAMES,
            0,
            30,
        )
        .live(),
        SettingSpec::int(
            "embedding_refresh",
            "Embedding refresh",
            "With tracking, compute a tracked face's identity embedding every N frames and reuse it in between (1 = every frame)",
            DEFAULT_EMBEDDING_REFRESH,
            1,
            300,
        )
        .live(),
        SettingSpec::int(
            "detect_full_every",
            "Full detection every",
            "With tracking, search the whole frame for faces every N frames and, in between, only around the faces already tracked (faster; a new face is found within N frames; 1 = whole frame every frame)",
            DEFAULT_DETECT_FULL_EVERY,
            1,
            300,
        )
        .live(),
        SettingSpec::float(
            "kps_smoothing",
            "Keypoint smoothing",
            "Weight of the previous frame's keypoints and landmarks for a tracked face (0 = off; steadier alignment, a little lag)",
            DEFAULT_KPS_SMOOTHING,
            0.0,
            0.9,
        )
        .live(),
        SettingSpec::bool(
            "track_landmarks",
            "Follow by landmarks",
            "With tracking, landmarks and detect_full_every > 1, follow each tracked face by its 106 landmarks between whole-frame searches instead of detecting around it (faster; a face the landmarks lose is searched for again)",
            DEFAULT_TRACK_LANDMARKS,
        )
        .live(),
        SettingSpec::bool(
            "det_fit",
            "Fit the detector to the frame",
            "Search the whole frame with a detector input of the frame's shape (640x384 for a 16:9 frame at det_size 640) instead of a det_size square: same scale, about 40 % less work for a wide frame; scores near the frame's bottom edge differ slightly from insightface's",
            DEFAULT_DET_FIT,
        )
        .live(),
        SettingSpec::bool(
            "search_in_background",
            "Search in the background",
            "While faces are followed by their landmarks, run the periodic whole-frame search and the embedding refresh on a helper thread instead of holding up the frame (live: no slow frame every detect_full_every; a new or vanished face is acted on a frame or two later)",
            DEFAULT_SEARCH_IN_BACKGROUND,
        )
        .live(),
    ]
}

/// Typed settings.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceAnalyserSettings {
    /// Detector model reference.
    pub detector_model: String,
    /// Square detector input size.
    pub det_size: u32,
    /// Minimum score.
    pub det_threshold: f32,
    /// NMS threshold.
    pub nms_threshold: f32,
    /// Face limit, 0 = all.
    pub max_faces: usize,
    /// Recognizer reference, empty = off.
    pub recognizer_model: String,
    /// Landmark model reference, empty = off.
    pub landmark_model: String,
    /// Tracking across frames.
    pub track: TrackSettings,
    /// Frames a tracked face's embedding is reused.
    pub embedding_refresh: u32,
    /// Whole-frame detection every N frames (1 = always).
    pub detect_full_every: u32,
    /// Between whole-frame searches, follow faces by their landmarks ([`crate::follow`]).
    pub track_landmarks: bool,
    /// Whole-frame searches use the frame's shape ([`crate::detect::input_size`]).
    pub det_fit: bool,
    /// While following, search the whole frame on a helper thread ([`crate::background`]).
    pub search_in_background: bool,
}

impl Default for FaceAnalyserSettings {
    fn default() -> Self {
        Self {
            detector_model: DEFAULT_DETECTOR_MODEL.into(),
            det_size: DEFAULT_DET_SIZE as u32,
            det_threshold: DEFAULT_DET_THRESHOLD as f32,
            nms_threshold: DEFAULT_NMS_THRESHOLD as f32,
            max_faces: DEFAULT_MAX_FACES as usize,
            recognizer_model: DEFAULT_RECOGNIZER_MODEL.into(),
            landmark_model: DEFAULT_LANDMARK_MODEL.into(),
            track: TrackSettings {
                enabled: DEFAULT_TRACKING,
                coast_frames: DEFAULT_TRACK_COAST_FRAMES as u32,
                smoothing: DEFAULT_KPS_SMOOTHING as f32,
            },
            embedding_refresh: DEFAULT_EMBEDDING_REFRESH as u32,
            detect_full_every: DEFAULT_DETECT_FULL_EVERY as u32,
            track_landmarks: DEFAULT_TRACK_LANDMARKS,
            det_fit: DEFAULT_DET_FIT,
            search_in_background: DEFAULT_SEARCH_IN_BACKGROUND,
        }
    }
}

impl FaceAnalyserSettings {
    /// Reads validated settings.
    pub fn from_settings(s: &Settings) -> SdkResult<Self> {
        let det_size = s.int("det_size")?;
        if det_size % 32 != 0 {
            return Err(SdkError::setting(format!(
                "det_size {det_size} is not a multiple of 32 (SCRFD strides go up to 32)"
            )));
        }
        if s.text("detector_model")?.is_empty() {
            return Err(SdkError::setting("detector_model must name a model"));
        }
        Ok(Self {
            detector_model: s.text("detector_model")?.into(),
            det_size: det_size as u32,
            det_threshold: s.float("det_threshold")? as f32,
            nms_threshold: s.float("nms_threshold")? as f32,
            max_faces: s.int("max_faces")? as usize,
            recognizer_model: s.text("recognizer_model")?.into(),
            landmark_model: s.text("landmark_model")?.into(),
            track: TrackSettings {
                enabled: s.bool("tracking")?,
                coast_frames: s.int("track_coast_frames")?.max(0) as u32,
                smoothing: s.float("kps_smoothing")? as f32,
            },
            embedding_refresh: s.int("embedding_refresh")?.max(1) as u32,
            detect_full_every: s.int("detect_full_every")?.max(1) as u32,
            track_landmarks: s.bool("track_landmarks")?,
            det_fit: s.bool("det_fit")?,
            search_in_background: s.bool("search_in_background")?,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn defaults_agree_with_specs() {
        let from_specs =
            FaceAnalyserSettings::from_settings(&Settings::defaults(&specs())).unwrap();
        assert_eq!(from_specs, FaceAnalyserSettings::default());
    }

    #[test]
    fn det_size_must_be_a_multiple_of_32() {
        let mut s = Settings::defaults(&specs());
        s.set("det_size", liveswap_sdk::SettingValue::Int(650));
        assert!(
            FaceAnalyserSettings::from_settings(&s)
                .unwrap_err()
                .message
                .contains("multiple of 32")
        );
    }
}
