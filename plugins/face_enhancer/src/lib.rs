//! # face_enhancer — GFPGAN 1.4, GPEN-BFR-512/256 and CodeFormer face restoration
//!
//! Runs after the `face_analyser` (it needs faces with their 5 keypoints), usually after a
//! swapper: inswapper's 128×128 output is soft, and a restoration model brings back detail.
//! Per frame, for each selected face:
//! 1. **crop** ([`crop`]): Umeyama similarity of the 5 keypoints onto the FFHQ 5-point template
//!    at the model size `S` (512; 256 for GPEN-BFR-256), bilinear warp of the frame;
//! 2. **model** ([`model`]): RGB NCHW in [-1, 1] → restored face in [-1, 1] → RGB8 (rounded);
//! 3. **paste-back** ([`crop::paste`]): the masked change `mask · (enhanced − crop)` is warped
//!    back through the inverse affine and added to the frame, scaled by `blend`. The mask is
//!    facefusion's feathered box mask in crop space, and only pixels inside the warped crop's
//!    footprint are touched. An identity model or `blend = 0` leaves the frame bit-identical.
//!
//! **Which faces.** `faces = all` enhances every face; `swapped` only the faces an earlier
//! processor changed. The sdk's `Face` has no "swapped" mark and the swappers set none, so
//! this is read from the pixels: a face whose keypoint box differs from
//! `FrameCtx::original` was swapped ([`select`]).
//!
//! **Live mode.** With `every_n_frames = N > 1`, a face with a track id (`Face::track_id`) is
//! run through the model on one frame in N; in between, its last change is re-pasted through
//! the face's current alignment ([`cache`]). Faces without a track id are enhanced on every
//! frame.
//!
//! **CodeFormer.** Models are told apart by their inputs: one image input (GFPGAN, GPEN, a
//! CodeFormer export without fidelity input), or an image plus CodeFormer's `weight` (f64
//! `[1]`, the manifest's `codeformer`). For the latter the `fidelity` setting is passed as
//! `weight` on every run: sdk 0.1 has no f64 tensors, so it goes as f32 and the host widens
//! it to the f64 the file declares.
//!
//! ## Settings
//! | key | type | default | range | live |
//! |---|---|---|---|---|
//! | `model` | model | `gfpgan_1.4` | `gfpgan_1.4`, `gpen_bfr_512`, `gpen_bfr_256`, `codeformer` or an .onnx path | no |
//! | `blend` | int (%) | 80 | 0–100 | yes |
//! | `every_n_frames` | int | 1 | 1–60 | yes |
//! | `faces` | choice | `all` | `all`, `swapped` | yes |
//! | `fidelity` | float | 0.5 | 0–1 (CodeFormer `weight` only) | yes |

pub mod cache;
pub mod crop;
mod imp;
pub mod model;
pub mod select;
pub mod settings;

pub use imp::{FaceEnhancer, FaceEnhancerProcessor};
pub use settings::FaceEnhancerSettings;

liveswap_sdk::export_processor!(FaceEnhancer);
