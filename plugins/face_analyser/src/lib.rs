//! # face_analyser — finds faces once per frame for every later processor
//!
//! First stage of almost every profile. For each frame it runs insightface SCRFD detection
//! (any SCRFD export with the 9-output layout: strides 8/16/32, 2 anchors, keypoints), then,
//! per face, optional 106-point landmarks (2d106det) and an optional ArcFace identity
//! embedding (w600k_*), and fills [`liveswap_sdk::FrameCtx::faces`]. Results match
//! insightface 0.7.3 (letterbox resize bit-exact, OpenCV 5 warp arithmetic).
//!
//! ## Settings
//! | key | type | default | range | live |
//! |---|---|---|---|---|
//! | `detector_model` | model | `det_500m` | — | no |
//! | `det_size` | int | 640 | 160–1280, multiple of 32 | no |
//! | `det_threshold` | float | 0.5 | 0.05–0.99 | yes |
//! | `nms_threshold` | float | 0.4 | 0.05–0.95 | yes |
//! | `max_faces` | int | 0 (all) | 0–256 | yes |
//! | `recognizer_model` | model | `w600k_mbf` | empty = off | no |
//! | `landmark_model` | model | `2d106det` | empty = off | no |
//! | `tracking` | bool | true | — | yes |
//! | `track_coast_frames` | int | 2 | 0–30 | yes |
//! | `embedding_refresh` | int | 15 | 1–300 | yes |
//! | `detect_full_every` | int | 1 | 1–300 | yes |
//! | `kps_smoothing` | float | 0.0 | 0–0.9 | yes |
//! | `track_landmarks` | bool | false (`liveswap live`: true) | — | yes |
//! | `det_fit` | bool | false (`liveswap live`: true) | — | yes |
//! | `search_in_background` | bool | false (`liveswap live`: true) | — | yes |
//!
//! Tracking (video): see [`track`] — every face gets a `track_id`; a face missed for up to
//! `track_coast_frames` frames is still reported. With `detect_full_every = N > 1`, the
//! whole frame is searched every N frames and, in between, only squares twice a tracked
//! face's size around it, at a 256 px detector input (`detect::REGION_DET_SIZE`): a new face
//! is found within N frames, and a region that loses its face makes the next frame a
//! whole-frame search. With `track_landmarks` as well, those in-between frames skip the
//! detector: each tracked face is followed by its 106 landmarks ([`follow`]). With
//! `search_in_background` too, the periodic whole-frame search (and the identity refresh)
//! runs on a helper thread while the faces are followed ([`background`]).

pub mod background;
mod detect;
pub mod follow;
mod imp;
mod landmarks;
mod recognize;
mod settings;
pub mod track;

pub use imp::{FaceAnalyser, FaceAnalyserProcessor};
pub use settings::FaceAnalyserSettings;

liveswap_sdk::export_processor!(FaceAnalyser);
