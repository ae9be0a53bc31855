//! 106-point landmarks (insightface `Landmark.get` with 2d106det).
//!
//! Each face's box is turned into a square 192×192 crop centred on the box (side 1.5× the
//! longer box edge). The network sees raw RGB 0–255 (its graph normalises) and returns 106
//! (x, y) pairs in [−1, 1] of the crop, mapped back through the inverse crop transform
//! into frame pixels. All faces of a frame go through the network in one batch.

use liveswap_sdk::{
    ANY_DIM, ModelBox, ModelSignature, Point, SdkError, SdkResult, TensorRef, TensorSpec, codes,
};
use liveswap_vision::align::landmark_crop_transform;
use liveswap_vision::detect::blob_nchw_normalized;
use liveswap_vision::{Affine, ImageView, apply_affine, invert_affine, warp_affine_u8};

/// Crop side in pixels.
pub const CROP: u32 = 192;
/// Points per face.
pub const POINTS: usize = 106;

/// What a 2d106det-like file must look like.
pub fn signature() -> ModelSignature {
    ModelSignature::new(
        vec![TensorSpec::f32(&[ANY_DIM, 3, CROP as i64, CROP as i64])],
        vec![TensorSpec::f32(&[ANY_DIM, (POINTS * 2) as i64])],
    )
}

/// Network output (212 values in [−1, 1]) → frame points, through the inverse of `m`.
pub fn points_from_output(raw: &[f32], m: &Affine) -> SdkResult<Vec<Point>> {
    let im =
        invert_affine(m).ok_or_else(|| SdkError::input("landmark crop transform is singular"))?;
    let half = (CROP / 2) as f32;
    Ok(raw
        .chunks_exact(2)
        .map(|p| {
            // f32 like numpy: (raw + 1) * 96, then an f64 affine product stored as f32.
            let (x, y) = ((p[0] + 1.0) * half, (p[1] + 1.0) * half);
            let [fx, fy] = apply_affine(&im, f64::from(x), f64::from(y));
            [fx as f32, fy as f32]
        })
        .collect())
}

/// A loaded landmark model.
pub struct Landmarker {
    model: ModelBox,
    blob: Vec<f32>,
    one: Vec<f32>,
}

impl Landmarker {
    /// Wraps an opened model.
    pub fn new(model: ModelBox) -> Self {
        Self {
            model,
            blob: Vec::new(),
            one: Vec::new(),
        }
    }

    /// Landmarks for every box, in order.
    pub fn run(&mut self, frame: ImageView<'_>, boxes: &[[f32; 4]]) -> SdkResult<Vec<Vec<Point>>> {
        if boxes.is_empty() {
            return Ok(Vec::new());
        }
        let c = CROP as usize;
        let mut transforms = Vec::with_capacity(boxes.len());
        self.blob.clear();
        for bbox in boxes {
            let m = landmark_crop_transform(*bbox, CROP);
            let crop = warp_affine_u8(frame, &m, c, c)
                .map_err(|e| SdkError::input(format!("landmark crop: {e}")))?;
            blob_nchw_normalized(crop.view(), 0.0, 1.0, &mut self.one)
                .map_err(|e| SdkError::input(e.to_string()))?;
            self.blob.extend_from_slice(&self.one);
            transforms.push(m);
        }
        let shape = [boxes.len() as i64, 3, CROP as i64, CROP as i64];
        let inputs = [TensorRef::f32(&shape, &self.blob)];
        let outputs = self.model.run(inputs.as_slice().into()).into_result()?;
        let raw = outputs
            .first()
            .ok_or_else(|| SdkError::new(codes::INFERENCE, "landmark model gave no output"))?
            .as_f32()?;
        if raw.len() != boxes.len() * POINTS * 2 {
            return Err(SdkError::new(
                codes::INFERENCE,
                format!(
                    "landmark model gave {} values for {} faces, expected {} each",
                    raw.len(),
                    boxes.len(),
                    POINTS * 2
                ),
            ));
        }
        raw.chunks_exact(POINTS * 2)
            .zip(&transforms)
            .map(|(r, m)| points_from_output(r, m))
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn output_maps_back_into_the_box() {
        // A 96-px box at (100, 50): crop scale 192 / 144; the crop centre is the box centre.
        let m = landmark_crop_transform([100.0, 50.0, 196.0, 146.0], CROP);
        let pts = points_from_output(&[0.0, 0.0, -1.0, -1.0], &m).unwrap();
        assert!(
            (pts[0][0] - 148.0).abs() < 1e-3 && (pts[0][1] - 98.0).abs() < 1e-3,
            "{pts:?}"
        );
        // (-1, -1) is the crop's top-left corner: centre minus 0.75 × the box side.
        assert!((pts[1][0] - (148.0 - 72.0)).abs() < 1e-3, "{pts:?}");
    }
}
