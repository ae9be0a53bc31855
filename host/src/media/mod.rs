//! Reading targets and sources, writing results.
//!
//! Images are decoded to packed RGB8 ([`liveswap_sdk::OwnedImage`]) whatever their format;
//! alpha is dropped and 16-bit images are reduced to 8 bits. Outputs are written to a
//! temporary file beside the destination and renamed into place, so a failed run never
//! leaves a half-written file, and an existing file is only replaced when asked.

mod error;
mod image_io;

pub use error::MediaError;
pub use image_io::{check_output_path, load_rgb, save_rgb};
