//! Still images via the `image` crate.

use super::error::MediaError;
use liveswap_sdk::OwnedImage;
use std::path::{Path, PathBuf};

/// Whether JPEG bytes end with an end-of-image marker (`FF D9`), allowing a little trailing
/// padding. The `image` crate's JPEG decoder fills a truncated file with grey instead of
/// failing, so a cut-off download would otherwise be processed as if it were whole.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    tail.windows(2).any(|w| w == [0xFF, 0xD9])
}

/// Decodes an image file to packed RGB8.
pub fn load_rgb(path: &Path) -> Result<OwnedImage, MediaError> {
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
    let img = image::load_from_memory_with_format(&bytes, format)
        .map_err(|e| decode_err(e.to_string()))?;
    let rgb = img.into_rgb8();
    let (width, height) = rgb.dimensions();
    if width == 0 || height == 0 {
        return Err(decode_err("image has no pixels".into()));
    }
    Ok(OwnedImage {
        data: rgb.into_raw().into(),
        width,
        height,
    })
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Checks an output path before any work is done: known format, not an input, not an
/// existing file unless `overwrite`.
pub fn check_output_path(
    output: &Path,
    inputs: &[&Path],
    overwrite: bool,
) -> Result<(), MediaError> {
    if image::ImageFormat::from_path(output).is_err() {
        return Err(MediaError::OutputFormat {
            path: output.into(),
        });
    }
    if inputs.iter().any(|i| same_file(i, output)) {
        return Err(MediaError::SameAsInput {
            path: output.into(),
        });
    }
    if output.exists() && !overwrite {
        return Err(MediaError::Exists {
            path: output.into(),
        });
    }
    Ok(())
}

/// Writes an RGB8 image; the format follows the extension. Written to a temporary name in
/// the same folder first and renamed, so readers never see a partial file.
pub fn save_rgb(img: &OwnedImage, output: &Path) -> Result<(), MediaError> {
    let format = image::ImageFormat::from_path(output).map_err(|_| MediaError::OutputFormat {
        path: output.into(),
    })?;
    let write_err = |reason: String| MediaError::Write {
        path: output.into(),
        reason,
    };
    let buffer = image::RgbImage::from_raw(img.width, img.height, img.data.to_vec())
        .ok_or_else(|| write_err("frame buffer has the wrong size".into()))?;
    if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| write_err(format!("cannot create {}: {e}", parent.display())))?;
    }
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp: PathBuf = output.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    let result = buffer
        .save_with_format(&tmp, format)
        .map_err(|e| write_err(e.to_string()));
    let result =
        result.and_then(|()| std::fs::rename(&tmp, output).map_err(|e| write_err(e.to_string())));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

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
}
