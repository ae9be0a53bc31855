//! Still images via the `image` crate.
//!
//! Reading applies the file's orientation tag (EXIF in JPEG, WebP and PNG `eXIf`; the TIFF
//! Orientation tag), so every pixel the pipeline sees, every coordinate `analyse` prints and
//! every output is upright. Outputs carry no orientation tag (their EXIF block is liveswap's
//! own), so viewers do not rotate them a second time. The source's ICC colour profile is
//! kept when asked ([`ImageWriteOptions::icc_profile`]).

use super::error::MediaError;
use super::output::{TempOutput, check_output_target};
use super::provenance::{PNG_KEYWORD, exif_block, provenance_text, software_text};
use liveswap_sdk::OwnedImage;
use std::path::Path;

/// Whether JPEG bytes end with an end-of-image marker (`FF D9`), allowing a little trailing
/// padding. The `image` crate's JPEG decoder fills a truncated file with grey instead of
/// failing, so a cut-off download would otherwise be processed as if it were whole.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    tail.windows(2).any(|w| w == [0xFF, 0xD9])
}

/// A decoded still image and what of its metadata liveswap keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedImage {
    /// Upright packed RGB8 pixels (the orientation tag applied).
    pub image: OwnedImage,
    /// The embedded ICC colour profile, if any.
    pub icc_profile: Option<Vec<u8>>,
    /// The EXIF orientation (1–8) that was applied; 1 = none.
    pub orientation: u8,
}

/// Decodes an image file to upright packed RGB8.
pub fn load_rgb(path: &Path) -> Result<OwnedImage, MediaError> {
    load_image(path).map(|l| l.image)
}

/// Decodes an image file to upright packed RGB8, keeping its ICC profile.
pub fn load_image(path: &Path) -> Result<LoadedImage, MediaError> {
    use image::ImageDecoder as _;
    let bytes = std::fs::read(path).map_err(|e| MediaError::Open {
        path: path.into(),
        reason: e.to_string(),
    })?;
    let decode_err = |reason: String| MediaError::Decode {
        path: path.into(),
        reason,
    };
    let format = image::guess_format(&bytes)
        .map_err(|_| decode_err("unknown or unsupported file format".into()))?;
    if format == image::ImageFormat::Jpeg && !jpeg_is_complete(&bytes) {
        return Err(decode_err("truncated JPEG (no end-of-image marker)".into()));
    }
    let mut reader = image::ImageReader::new(std::io::Cursor::new(&bytes));
    reader.set_format(format);
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| decode_err(e.to_string()))?;
    // A damaged metadata block is not worth refusing the picture for: upright as stored.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let icc_profile = decoder.icc_profile().ok().flatten();
    let mut img =
        image::DynamicImage::from_decoder(decoder).map_err(|e| decode_err(e.to_string()))?;
    img.apply_orientation(orientation);
    let rgb = img.into_rgb8();
    let (width, height) = rgb.dimensions();
    if width == 0 || height == 0 {
        return Err(decode_err("image has no pixels".into()));
    }
    Ok(LoadedImage {
        image: OwnedImage {
            data: rgb.into_raw().into(),
            width,
            height,
        },
        icc_profile,
        orientation: orientation.to_exif(),
    })
}

/// PNG compression effort (`--png-compression`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PngCompression {
    /// No compression: largest files, fastest.
    None,
    /// Fast, decent ratio.
    Fast,
    /// The png crate's balanced default.
    #[default]
    Balanced,
    /// Smallest files, slowest.
    Best,
}

impl std::str::FromStr for PngCompression {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "none" | "0" => Ok(Self::None),
            "fast" | "1" => Ok(Self::Fast),
            "balanced" | "default" | "2" => Ok(Self::Balanced),
            "best" | "high" | "3" => Ok(Self::Best),
            _ => Err(format!(
                "`{s}`: expected none, fast, balanced or best (or 0-3)"
            )),
        }
    }
}

/// Default JPEG quality (1–100) of written images.
pub const DEFAULT_JPEG_QUALITY: u8 = 95;

/// How still images are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageWriteOptions {
    /// JPEG quality 1–100.
    pub jpeg_quality: u8,
    /// PNG compression effort.
    pub png_compression: PngCompression,
    /// ICC colour profile to embed (the source's, so colours look the same).
    pub icc_profile: Option<Vec<u8>>,
}

impl Default for ImageWriteOptions {
    fn default() -> Self {
        Self {
            jpeg_quality: DEFAULT_JPEG_QUALITY,
            png_compression: PngCompression::default(),
            icc_profile: None,
        }
    }
}

/// Image formats liveswap writes: each can carry the provenance tag (BMP cannot, so it is
/// not offered).
const WRITABLE: [image::ImageFormat; 4] = [
    image::ImageFormat::Png,
    image::ImageFormat::Jpeg,
    image::ImageFormat::WebP,
    image::ImageFormat::Tiff,
];

/// Image formats liveswap reads.
const READABLE: [image::ImageFormat; 5] = [
    image::ImageFormat::Png,
    image::ImageFormat::Jpeg,
    image::ImageFormat::Bmp,
    image::ImageFormat::WebP,
    image::ImageFormat::Tiff,
];

/// Whether the file name says it is a still image this build reads (`.png`, `.jpg`, `.jpeg`,
/// `.bmp`, `.webp`, `.tif`, `.tiff`). Everything else is treated as a video and handed to
/// FFmpeg, which also decides whether it can read it.
pub fn is_image_path(path: &Path) -> bool {
    image::ImageFormat::from_path(path).is_ok_and(|f| READABLE.contains(&f))
}

fn writable_format(output: &Path) -> Result<image::ImageFormat, MediaError> {
    image::ImageFormat::from_path(output)
        .ok()
        .filter(|f| WRITABLE.contains(f))
        .ok_or_else(|| MediaError::OutputFormat {
            path: output.into(),
        })
}

/// Checks an image output path before any work is done: a format liveswap writes, not an
/// input, not an existing file unless `overwrite`.
pub fn check_output_path(
    output: &Path,
    inputs: &[&Path],
    overwrite: bool,
) -> Result<(), MediaError> {
    writable_format(output)?;
    check_output_target(output, inputs, overwrite)
}

/// Encodes `buffer` as `format` into `file`, with the provenance metadata.
fn encode_with_provenance(
    buffer: &image::RgbImage,
    format: image::ImageFormat,
    file: std::fs::File,
    options: &ImageWriteOptions,
) -> Result<(), String> {
    use image::ImageEncoder as _;
    let mut w = std::io::BufWriter::new(file);
    let (width, height) = buffer.dimensions();
    let rgb = image::ExtendedColorType::Rgb8;
    match format {
        image::ImageFormat::Png => {
            // The image crate cannot write text chunks; the png crate can.
            let mut info = png::Info::with_size(width, height);
            info.color_type = png::ColorType::Rgb;
            info.bit_depth = png::BitDepth::Eight;
            info.icc_profile = options.icc_profile.clone().map(Into::into);
            let mut encoder = png::Encoder::with_info(&mut w, info).map_err(|e| e.to_string())?;
            encoder.set_compression(match options.png_compression {
                PngCompression::None => png::Compression::NoCompression,
                PngCompression::Fast => png::Compression::Fast,
                PngCompression::Balanced => png::Compression::Balanced,
                PngCompression::Best => png::Compression::High,
            });
            encoder
                .add_text_chunk("Software".into(), software_text())
                .and_then(|()| encoder.add_text_chunk(PNG_KEYWORD.into(), provenance_text()))
                .map_err(|e| e.to_string())?;
            let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
            writer
                .write_image_data(buffer.as_raw())
                .and_then(|()| writer.finish())
                .map_err(|e| e.to_string())?;
        }
        image::ImageFormat::Jpeg => {
            let mut encoder =
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut w, options.jpeg_quality);
            encoder
                .set_exif_metadata(exif_block())
                .map_err(|e| e.to_string())?;
            if let Some(icc) = &options.icc_profile {
                encoder
                    .set_icc_profile(icc.clone())
                    .map_err(|e| e.to_string())?;
            }
            encoder
                .write_image(buffer.as_raw(), width, height, rgb)
                .map_err(|e| e.to_string())?;
        }
        image::ImageFormat::WebP => {
            let mut encoder = image::codecs::webp::WebPEncoder::new_lossless(&mut w);
            encoder
                .set_exif_metadata(exif_block())
                .map_err(|e| e.to_string())?;
            if let Some(icc) = &options.icc_profile {
                encoder
                    .set_icc_profile(icc.clone())
                    .map_err(|e| e.to_string())?;
            }
            encoder
                .write_image(buffer.as_raw(), width, height, rgb)
                .map_err(|e| e.to_string())?;
        }
        image::ImageFormat::Tiff => {
            use tiff::encoder::{TiffEncoder, colortype};
            use tiff::tags::Tag;
            let mut encoder = TiffEncoder::new(&mut w).map_err(|e| e.to_string())?;
            let mut image = encoder
                .new_image::<colortype::RGB8>(width, height)
                .map_err(|e| e.to_string())?;
            let tags = image.encoder();
            tags.write_tag(Tag::ImageDescription, provenance_text().as_str())
                .and_then(|()| tags.write_tag(Tag::Software, software_text().as_str()))
                .map_err(|e| e.to_string())?;
            if let Some(icc) = &options.icc_profile {
                tags.write_tag(Tag::IccProfile, icc.as_slice())
                    .map_err(|e| e.to_string())?;
            }
            image
                .write_data(buffer.as_raw())
                .map_err(|e| e.to_string())?;
        }
        other => return Err(format!("{other:?} is not a format liveswap writes")),
    }
    std::io::Write::flush(&mut w).map_err(|e| e.to_string())
}

/// Writes an RGB8 image; the format follows the extension, and the file carries the
/// provenance tag ([`super::provenance`]). Written to a temporary name in the same folder
/// first and renamed, so readers never see a partial file.
pub fn save_rgb(img: &OwnedImage, output: &Path) -> Result<(), MediaError> {
    save_rgb_with(img, output, &ImageWriteOptions::default())
}

/// [`save_rgb`] with explicit quality, compression and colour profile.
pub fn save_rgb_with(
    img: &OwnedImage,
    output: &Path,
    options: &ImageWriteOptions,
) -> Result<(), MediaError> {
    let format = writable_format(output)?;
    let write_err = |reason: String| MediaError::Write {
        path: output.into(),
        reason,
    };
    let buffer = image::RgbImage::from_raw(img.width, img.height, img.data.to_vec())
        .ok_or_else(|| write_err("frame buffer has the wrong size".into()))?;
    let tmp = TempOutput::new(output)?;
    let file = std::fs::File::create(tmp.path()).map_err(|e| write_err(e.to_string()))?;
    encode_with_provenance(&buffer, format, file, options).map_err(write_err)?;
    tmp.commit()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("liveswap-media-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn round_trip_and_errors() {
        let d = tmp("rt");
        let img = OwnedImage {
            data: (0..2 * 3 * 3).map(|v| v as u8 * 10).collect(),
            width: 3,
            height: 2,
        };
        let out = d.join("a.png");
        save_rgb(&img, &out).unwrap();
        assert_eq!(load_rgb(&out).unwrap(), img);
        assert!(matches!(
            check_output_path(&out, &[], false),
            Err(MediaError::Exists { .. })
        ));
        assert!(check_output_path(&out, &[], true).is_ok());
        assert!(matches!(
            check_output_path(&out, &[&out], true),
            Err(MediaError::SameAsInput { .. })
        ));
        assert!(matches!(
            check_output_path(&d.join("x.weird"), &[], true),
            Err(MediaError::OutputFormat { .. })
        ));
        // BMP cannot carry the provenance tag, so it is not written.
        assert!(matches!(
            check_output_path(&d.join("x.bmp"), &[], true),
            Err(MediaError::OutputFormat { .. })
        ));

        std::fs::write(d.join("text.png"), b"hello, not an image").unwrap();
        assert!(matches!(
            load_rgb(&d.join("text.png")),
            Err(MediaError::Decode { .. })
        ));
        let bytes = std::fs::read(&out).unwrap();
        std::fs::write(d.join("cut.png"), &bytes[..bytes.len() / 2]).unwrap();
        assert!(matches!(
            load_rgb(&d.join("cut.png")),
            Err(MediaError::Decode { .. })
        ));
        assert!(matches!(
            load_rgb(&d.join("missing.png")),
            Err(MediaError::Open { .. })
        ));
        assert!(jpeg_is_complete(&[0xFF, 0xD8, 1, 2, 0xFF, 0xD9, 0]));
        assert!(!jpeg_is_complete(&[0xFF, 0xD8, 1, 2, 3]));
        // No temporary files are left behind.
        let leftovers = std::fs::read_dir(&d)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains("partial"))
            .count();
        assert_eq!(leftovers, 0);
    }

    #[test]
    fn every_written_format_carries_the_provenance() {
        let d = tmp("prov");
        let img = OwnedImage {
            data: (0..16 * 8 * 3).map(|v| (v * 7 % 251) as u8).collect(),
            width: 16,
            height: 8,
        };
        for ext in ["png", "jpg", "webp", "tiff"] {
            let out = d.join(format!("p.{ext}"));
            save_rgb(&img, &out).unwrap();
            let back = load_rgb(&out).unwrap();
            assert_eq!((back.width, back.height), (16, 8), "{ext}");
            let bytes = std::fs::read(&out).unwrap();
            let needle = provenance_text();
            assert!(
                bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{ext}: provenance text missing"
            );
        }
        // In PNG it is a real tEXt chunk that decoders report.
        let decoder = png::Decoder::new(std::io::BufReader::new(
            std::fs::File::open(d.join("p.png")).unwrap(),
        ));
        let reader = decoder.read_info().unwrap();
        let texts = &reader.info().uncompressed_latin1_text;
        assert!(
            texts
                .iter()
                .any(|t| t.keyword == PNG_KEYWORD && t.text == provenance_text()),
            "{texts:?}"
        );
        assert!(
            texts
                .iter()
                .any(|t| t.keyword == "Software" && t.text.starts_with("liveswap "))
        );
    }
}
