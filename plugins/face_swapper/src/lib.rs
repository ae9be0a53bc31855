//! # face_swapper — insightface inswapper_128 face swapping
//!
//! Runs after the `face_analyser` (which must provide faces and identity embeddings from the
//! recognizer the model was trained with: `w600k_r50` for inswapper). Per frame it chooses
//! target faces and their sources ([`liveswap_swapkit::select`]), and for each pair:
//! 1. **latent**: `L2normalise(normed_embedding · emap)`, `emap` being the model file's last
//!    graph initializer (512×512); several `source` photos of one person are averaged first;
//!    `identity_strength < 1` moves the latent toward the target face's own;
//! 2. **crop**: insightface `norm_crop2` at 128 (ArcFace template, ratio 1, +8 px in x),
//!    RGB scaled by `1/255` (NCHW);
//! 3. **model**: every selected face of the frame in one batched call when the model's batch
//!    dimension is dynamic, else one call per face; output RGB in [0, 1] → `×255`, truncated;
//! 4. **paste-back**: [`liveswap_swapkit::paste`] (insightface's feathered inverse-affine paste,
//!    limited to the face region, plus the blending options).
//!
//! With a fixed-batch model (the published inswapper_128) faces are swapped one after another,
//! each crop seeing the earlier pastes — insightface's and Deep-Live-Cam's loop. With a
//! dynamic batch, all crops come from the frame before any paste, so where two faces' crops
//! overlap the result differs from the sequential loop.
//!
//! ## Settings
//! | key | type | default | range | live |
//! |---|---|---|---|---|
//! | `model` | model | `inswapper_128` | manifest id or .onnx path | no |
//! | `embedding_space` | text | `w600k_r50` | the recognizer id the model's sources must come from | no |
//! | `identity_strength` | float | 1.0 | 0–1 | yes |
//! | `face_selection`, `one_order`, `reference_distance`, `map_distance` | see [`liveswap_swapkit::select`] | | | yes |
//! | `opacity`, `mask_feather`, `mask_padding`, `color_correction`, `sharpness` | see [`liveswap_swapkit::blending`] | | | yes |

mod imp;
mod latent;
mod model;
mod settings;

pub use imp::{FaceSwapper, FaceSwapperProcessor};
pub use latent::{Emap, average_embedding, latent, mix_latents};
pub use model::{CROP, DIM, blob_rgb01, output_to_rgb8, signature};
pub use settings::FaceSwapperSettings;

liveswap_sdk::export_processor!(FaceSwapper);
