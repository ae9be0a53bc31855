//! ArcFace identity embeddings (insightface `ArcFaceONNX.get`).
//!
//! Each face is aligned to the 112×112 ArcFace template from its 5 keypoints (Umeyama
//! similarity), normalised to RGB `(x − 127.5) / 127.5`, and embedded; the vector is
//! L2-normalised (`normed_embedding`). The embedding space is the recognizer's model id:
//! vectors from different recognizers are not comparable.

use liveswap_sdk::{
    ANY_DIM, Embedding, ModelBox, ModelSignature, Point, SdkError, SdkResult, TensorRef,
    TensorSpec, codes,
};
use liveswap_vision::ImageView;
use liveswap_vision::align::norm_crop;
use liveswap_vision::detect::blob_nchw_normalized;

/// Aligned crop side.
pub const CROP: u32 = 112;
/// Embedding length.
pub const DIM: usize = 512;

/// What an ArcFace file must look like.
pub fn signature() -> ModelSignature {
    ModelSignature::new(
        vec![TensorSpec::f32(&[ANY_DIM, 3, CROP as i64, CROP as i64])],
        vec![TensorSpec::f32(&[ANY_DIM, DIM as i64])],
    )
}

/// L2-normalises a raw embedding; returns the vector and the raw norm.
pub fn normalise(raw: &[f32]) -> (Vec<f32>, f32) {
    let norm = raw.iter().map(|v| v * v).sum::<f32>().sqrt();
    let scale = if norm > 0.0 { 1.0 / norm } else { 0.0 };
    (raw.iter().map(|v| v * scale).collect(), norm)
}

/// A loaded recognizer.
pub struct Recognizer {
    model: ModelBox,
    space: String,
    blob: Vec<f32>,
    one: Vec<f32>,
}

impl Recognizer {
    /// Wraps an opened model; its id names the embedding space.
    pub fn new(model: ModelBox) -> Self {
        let space = model.info().id.to_string();
        Self {
            model,
            space,
            blob: Vec::new(),
            one: Vec::new(),
        }
    }

    /// Embeddings for every keypoint set, in order, in one batch.
    pub fn run(&mut self, frame: ImageView<'_>, kps: &[[Point; 5]]) -> SdkResult<Vec<Embedding>> {
        if kps.is_empty() {
            return Ok(Vec::new());
        }
        self.blob.clear();
        for k in kps {
            let (crop, _) = norm_crop(frame, k, CROP)
                .map_err(|e| SdkError::input(format!("ArcFace alignment: {e}")))?;
            // OpenCV 5's blobFromImage: (x − mean) · f32(1/std).
            blob_nchw_normalized(crop.view(), 127.5, (1.0f64 / 127.5) as f32, &mut self.one)
                .map_err(|e| SdkError::input(e.to_string()))?;
            self.blob.extend_from_slice(&self.one);
        }
        let shape = [kps.len() as i64, 3, CROP as i64, CROP as i64];
        let inputs = [TensorRef::f32(&shape, &self.blob)];
        let outputs = self.model.run(inputs.as_slice().into()).into_result()?;
        let raw = outputs
            .first()
            .ok_or_else(|| SdkError::new(codes::INFERENCE, "recognizer gave no output"))?
            .as_f32()?;
        if raw.len() != kps.len() * DIM {
            return Err(SdkError::new(
                codes::INFERENCE,
                format!(
                    "recognizer gave {} values for {} faces, expected {DIM} each",
                    raw.len(),
                    kps.len()
                ),
            ));
        }
        Ok(raw
            .chunks_exact(DIM)
            .map(|r| {
                let (values, raw_norm) = normalise(r);
                Embedding {
                    values: values.into(),
                    raw_norm,
                    space: self.space.as_str().into(),
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalised_vectors_have_unit_length() {
        let (v, n) = normalise(&[3.0, 4.0]);
        assert_eq!(n, 5.0);
        assert_eq!(v, vec![0.6, 0.8]);
        let (z, n0) = normalise(&[0.0, 0.0]);
        assert_eq!((z, n0), (vec![0.0, 0.0], 0.0));
    }
}
