//! The enhancer models' tensors: signatures, the input blob and the output decoding.
//!
//! Every supported model (manifest `gfpgan_1.4`, `gpen_bfr_256`, `gpen_bfr_512`, `codeformer`)
//! takes one f32 NCHW image `[1, 3, S, S]`, RGB normalised to [-1, 1] as
//! `(x / 255 − 0.5) / 0.5`, and returns the restored face in the same layout and range; it
//! becomes pixels as `round(255 · (clip(v, −1, 1) + 1) / 2)` (facefusion's decoding). `S` is
//! 512, or 256 for GPEN-BFR-256; the processor reads it from the file. CodeFormer exports may
//! add a second input, `weight` (f64 `[1]`, the fidelity weight) — see [`Layout::weighted`].

use liveswap_sdk::{ANY_DIM, DType, ModelInfo, ModelSignature, SdkError, SdkResult, TensorSpec};
use liveswap_vision::{Image, ImageView, VisionError};

/// Crop side used when the file leaves the image size dynamic.
pub const DEFAULT_SIZE: u32 = 512;

/// Model id whose manifest entry has the fidelity `weight` input.
pub const CODEFORMER_ID: &str = "codeformer";

fn image_spec() -> TensorSpec {
    TensorSpec::f32(&[ANY_DIM, 3, ANY_DIM, ANY_DIM])
}

/// The plain enhancer signature: `f32[1|?, 3, S, S] → f32[1|?, 3, S, S]`.
pub fn signature() -> ModelSignature {
    ModelSignature::new(vec![image_spec()], vec![image_spec()])
}

/// CodeFormer's signature with its fidelity input: `input` f32 image and `weight` f64 `[1]`
/// (the plugin passes the weight as f32 and the host widens it, see `Model::run`).
pub fn weighted_signature() -> ModelSignature {
    ModelSignature::new(
        vec![
            image_spec(),
            TensorSpec {
                name: liveswap_sdk::abi_stable::std_types::ROption::RSome("weight".into()),
                dtype: DType::F64,
                shape: vec![1i64].into(),
            },
        ],
        vec![image_spec()],
    )
}

/// What the opened file looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Crop side `S`.
    pub size: u32,
    /// Whether the file has the fidelity `weight` input.
    pub weighted: bool,
}

impl Layout {
    /// Reads the crop size (and the weight input) from the signature the host found.
    ///
    /// # Errors
    /// A non-square image input, or one whose size does not match the output.
    pub fn of(info: &ModelInfo) -> SdkResult<Self> {
        let sig = &info.signature;
        let dims = |t: Option<&TensorSpec>| -> Vec<i64> {
            t.map(|t| t.shape.iter().copied().collect())
                .unwrap_or_default()
        };
        let (input, output) = (dims(sig.inputs.first()), dims(sig.outputs.first()));
        let side = |d: &[i64]| match (d.get(2), d.get(3)) {
            (Some(&h), Some(&w)) if h > 0 && w > 0 => Some((h, w)),
            _ => None,
        };
        let size = match (side(&input), side(&output)) {
            (Some((h, w)), _) if h != w => {
                return Err(SdkError::new(
                    liveswap_sdk::codes::MODEL_SIGNATURE,
                    format!(
                        "{} takes {w}×{h} images; face enhancers take square crops",
                        info.path
                    ),
                ));
            }
            (Some((h, _)), Some((oh, ow))) if (oh, ow) != (h, h) => {
                return Err(SdkError::new(
                    liveswap_sdk::codes::MODEL_SIGNATURE,
                    format!(
                        "{} takes {h}×{h} images but returns {ow}×{oh}; the enhancer pastes the output back over its input crop",
                        info.path
                    ),
                ));
            }
            (Some((h, _)), _) | (None, Some((h, _))) => u32::try_from(h).map_err(|_| {
                SdkError::new(liveswap_sdk::codes::MODEL_SIGNATURE, "image size too large")
            })?,
            (None, None) => DEFAULT_SIZE,
        };
        Ok(Self {
            size,
            weighted: sig.inputs.len() == 2,
        })
    }
}

/// Appends the NCHW RGB planes of an RGB8 crop, normalised to [-1, 1] as
/// `f32((x / 255 − 0.5) / 0.5)` (f64 arithmetic, as numpy computes facefusion's float64 frame).
///
/// # Errors
/// A crop that is not a valid 3-channel image.
pub fn blob(crop: ImageView<'_>, out: &mut Vec<f32>) -> Result<(), VisionError> {
    crop.validate()?;
    if crop.channels != 3 {
        return Err(VisionError::UnsupportedChannels {
            channels: crop.channels,
        });
    }
    let lut: Vec<f32> = (0..=255u8)
        .map(|v| ((f64::from(v) / 255.0 - 0.5) / 0.5) as f32)
        .collect();
    out.reserve(3 * crop.width * crop.height);
    for c in 0..3 {
        for y in 0..crop.height {
            let row = &crop.data[y * crop.stride..];
            out.extend((0..crop.width).map(|x| lut[usize::from(row[x * 3 + c])]));
        }
    }
    Ok(())
}

/// One NCHW output (`3·side·side` values in [-1, 1]) as an RGB8 image:
/// `round(255 · (clip(v, −1, 1) + 1) / 2)`; NaN becomes 0.
///
/// # Errors
/// A slice of the wrong length.
pub fn decode(planes: &[f32], side: usize) -> Result<Image, VisionError> {
    let n = side * side;
    if planes.len() != 3 * n {
        return Err(VisionError::BadLength {
            what: "enhancer output",
            expected: 3 * n,
            got: planes.len(),
        });
    }
    let mut img = Image::new(side, side, 3)?;
    for c in 0..3 {
        for (i, v) in planes[c * n..(c + 1) * n].iter().enumerate() {
            let v = f64::from(v.clamp(-1.0, 1.0));
            // `as u8` saturates and maps NaN to 0.
            img.data[i * 3 + c] = ((v + 1.0) / 2.0 * 255.0).round() as u8;
        }
    }
    Ok(img)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn every_level_survives_encode_then_decode() {
        // A 16×16 crop holding each of the 256 levels in every channel (rotated per channel).
        let side = 16;
        let mut crop = Image::new(side, side, 3).unwrap();
        for (i, px) in crop.data.chunks_exact_mut(3).enumerate() {
            px.copy_from_slice(&[i as u8, (i + 85) as u8, (i + 170) as u8]);
        }
        let mut planes = Vec::new();
        blob(crop.view(), &mut planes).unwrap();
        assert_eq!(planes.len(), 3 * side * side);
        assert_eq!(planes[0], -1.0);
        assert_eq!(planes[255], 1.0);
        // Planar layout: plane 1 starts with pixel 0's green.
        assert_eq!(planes[side * side], ((85.0 / 255.0 - 0.5) / 0.5) as f32);
        assert_eq!(decode(&planes, side).unwrap().data, crop.data);
    }

    #[test]
    fn decode_clips_and_checks_length() {
        let img = decode(&[2.0, -3.0, f32::NAN], 1).unwrap();
        assert_eq!(img.data, vec![255, 0, 0]);
        assert!(decode(&[0.0; 4], 1).is_err());
    }
}
