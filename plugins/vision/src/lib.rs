//! `liveswap-vision`: the pure-std image toolkit shared by liveswap's face plugins.
//!
//! Plugins (`face_analyser`, `face_swapper`, `face_debugger`, …) link this rlib to reproduce
//! insightface 0.7.3's Python pipeline in Rust, number for number, against the oracle in
//! `shared/reference/` (see its README, §3–§5):
//!
//! | stage | module | what |
//! |---|---|---|
//! | detection input | [`resize`], [`detect`] | bit-exact `cv2.resize` INTER_LINEAR, SCRFD letterbox, NCHW blob |
//! | detection output | [`detect`], [`nms`] | SCRFD anchor decoding, insightface NMS, IoU |
//! | matching | [`pairs`] | greedy one-to-one pairing by score (tracks, mapping) |
//! | alignment | [`align`], [`affine`] | Umeyama similarity, `estimate_norm`, landmark crop matrix |
//! | crops, paste-back | [`warp`], [`warp_fixed`] | `cv2.warpAffine` (OpenCV 5 float and ≤ 4.10 fixed point) |
//! | feathering | [`blend`] | `cv2.erode`, `cv2.GaussianBlur` on f32 masks |
//! | overlays | [`draw`], [`font`] | clipped boxes, lines, discs and 5×7 text |
//! | containers | [`image`], [`mask`], [`rect`], [`error`] | 8-bit views/images, f32 masks, pixel boxes |
//! | sdk frames | `frames` (feature `sdk`) | zero-copy views of `liveswap-sdk` frames |
//!
//! Conventions used everywhere:
//! * images are packed 8-bit with a byte stride ([`ImageView`]); frames are RGB8, and since resize
//!   and warp are channel-agnostic, RGB in gives the RGB version of the oracle's BGR results;
//! * coordinates follow OpenCV's pixel-index convention: the centre of pixel (row r, col c) is
//!   (x = c, y = r), with no half-pixel offsets;
//! * an [`Affine`] is a 2×3 f64 matrix mapping source → destination (`dst = M·[x, y, 1]`), exactly
//!   what `cv2.warpAffine` takes;
//! * nothing panics on bad input: operations return [`VisionError`].
//!
//! ```
//! use liveswap_vision::{Image, align, detect};
//!
//! let frame = Image::new(1280, 720, 3)?;
//! let (det_input, det_scale) = detect::letterbox(frame.view(), 640, 640)?;
//! assert_eq!((det_input.width, det_input.height, det_scale), (640, 640, 0.5));
//! let kps = align::ARCFACE_DST_112.map(|[x, y]| [x * 2.0 + 100.0, y * 2.0 + 50.0]);
//! let (crop, m) = align::norm_crop(frame.view(), &kps, 112)?;
//! assert_eq!(crop.width, 112);
//! assert!((m[0][0] - 0.5).abs() < 1e-6);
//! # Ok::<(), liveswap_vision::VisionError>(())
//! ```

pub mod affine;
pub mod align;
pub mod blend;
pub mod detect;
pub mod draw;
pub mod error;
pub mod font;
#[cfg(feature = "sdk")]
pub mod frames;
pub mod image;
pub mod mask;
pub mod nms;
pub mod pairs;
pub mod rect;
pub mod resize;
pub mod warp;
pub mod warp_fixed;

pub use affine::{Affine, apply_affine, compose, invert_affine};
pub use detect::Detection;
pub use error::VisionError;
pub use image::{Image, ImageView, ImageViewMut};
pub use mask::MaskF32;
pub use rect::Rect;
pub use resize::resize_linear_u8;
pub use warp::{warp_affine_f32, warp_affine_f32_into, warp_affine_u8, warp_affine_u8_into};
pub use warp_fixed::{warp_affine_u8_fixed, warp_affine_u8_fixed_into};
