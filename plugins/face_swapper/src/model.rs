//! The inswapper model's tensors: signature, input blob, output image.
//!
//! Inputs (graph order): `target` f32 `[N, 3, 128, 128]`, RGB scaled by `1/255` as OpenCV 5's
//! `blobFromImage(crop, 1/255, swapRB=True)` computes it (`x · f32(1/255)`), and `source` f32
//! `[N, 512]`, the latent. Output: `output` f32 `[N, 3, 128, 128]`, RGB in [0, 1], turned into
//! pixels as `uint8(clip(255·v, 0, 255))` — truncation, as insightface does.

use liveswap_sdk::{ANY_DIM, ModelSignature, TensorSpec};
use liveswap_vision::{Image, ImageView, VisionError};

/// Crop side in pixels.
pub const CROP: usize = 128;
/// Latent length.
pub const DIM: usize = 512;

/// What an inswapper file must look like (batch may be fixed or dynamic).
pub fn signature() -> ModelSignature {
    let img = [ANY_DIM, 3, CROP as i64, CROP as i64];
    ModelSignature::new(
        vec![
            TensorSpec::f32(&img).named("target"),
            TensorSpec::f32(&[ANY_DIM, DIM as i64]).named("source"),
        ],
        vec![TensorSpec::f32(&img)],
    )
}

/// Appends the NCHW RGB `[0, 1]` planes of an RGB8 crop to `out`.
///
/// # Errors
/// A crop that is not a valid 3-channel image.
pub fn blob_rgb01(crop: ImageView<'_>, out: &mut Vec<f32>) -> Result<(), VisionError> {
    crop.validate()?;
    if crop.channels != 3 {
        return Err(VisionError::UnsupportedChannels {
            channels: crop.channels,
        });
    }
    let scale = (1.0f64 / 255.0) as f32;
    for c in 0..3 {
        for y in 0..crop.height {
            let row = &crop.data[y * crop.stride..];
            out.extend((0..crop.width).map(|x| f32::from(row[x * 3 + c]) * scale));
        }
    }
    Ok(())
}

/// One NCHW RGB `[0, 1]` output plane set (`3·side·side` values) as an RGB8 image:
/// `uint8(clip(255·v, 0, 255))`, truncating; NaN becomes 0.
///
/// # Errors
/// A slice of the wrong length.
pub fn output_to_rgb8(planes: &[f32], side: usize) -> Result<Image, VisionError> {
    let n = side * side;
    if planes.len() != 3 * n {
        return Err(VisionError::BadLength {
            what: "swapper output",
            expected: 3 * n,
            got: planes.len(),
        });
    }
    let mut img = Image::new(side, side, 3)?;
    for c in 0..3 {
        for (i, v) in planes[c * n..(c + 1) * n].iter().enumerate() {
            // `as u8` saturates and maps NaN to 0, which is clip + astype for finite values.
            img.data[i * 3 + c] = (255.0f32 * v).clamp(0.0, 255.0) as u8;
        }
    }
    Ok(img)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn blob_and_output_round_trip() {
        let mut crop = Image::new(CROP, CROP, 3).unwrap();
        for (i, v) in crop.data.iter_mut().enumerate() {
            *v = (i % 251) as u8;
        }
        let mut blob = Vec::new();
        blob_rgb01(crop.view(), &mut blob).unwrap();
        assert_eq!(blob.len(), 3 * CROP * CROP);
        // Channel-planar: plane 1 starts with pixel 0's green.
        assert_eq!(
            blob[CROP * CROP],
            f32::from(crop.data[1]) * (1.0f64 / 255.0) as f32
        );
        // x/255·255 may land just below the integer: truncation must still give x back
        // for most values, and never more than x.
        let back = output_to_rgb8(&blob, CROP).unwrap();
        let off = crop
            .data
            .iter()
            .zip(&back.data)
            .filter(|(a, b)| a != b)
            .count();
        assert!(
            crop.data
                .iter()
                .zip(&back.data)
                .all(|(a, b)| b <= a && a - b <= 1)
        );
        assert!(off < crop.data.len() / 2, "{off}");
    }

    #[test]
    fn output_clips_and_truncates() {
        let mut planes = vec![0.0f32; 3];
        planes[0] = 1.5;
        planes[1] = 0.999;
        planes[2] = f32::NAN;
        let img = output_to_rgb8(&planes, 1).unwrap();
        assert_eq!(img.data, vec![255, 254, 0]);
        assert!(output_to_rgb8(&planes, 2).is_err());
    }
}
