//! Reading targets and sources, writing results.
//!
//! Images are decoded to packed RGB8 ([`liveswap_sdk::OwnedImage`]) whatever their format;
//! alpha is dropped and 16-bit images are reduced to 8 bits. Outputs are written to a
//! temporary file beside the destination and renamed into place, so a failed run never
//! leaves a half-written file, and an existing file is only replaced when asked. Every
//! output carries a provenance tag saying liveswap made it with a face swap
//! ([`provenance`]); formats that cannot hold one (BMP) are not written.

mod error;
mod image_io;
mod output;
pub mod provenance;

pub use error::MediaError;
pub use image_io::{
    DEFAULT_JPEG_QUALITY, ImageWriteOptions, LoadedImage, PngCompression, check_output_path,
    is_image_path, load_image, load_rgb, save_rgb, save_rgb_with,
};
pub use output::{TempOutput, check_output_target};
