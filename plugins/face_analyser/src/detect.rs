//! SCRFD face detection: letterbox → network → anchor decoding → NMS.
//!
//! insightface's `SCRFD.detect`, step for step: the frame is letterboxed top-left into a
//! square `det_size` input with OpenCV's exact INTER_LINEAR arithmetic, normalised to RGB
//! `(x − 127.5) / 128`, and the 9 outputs (scores, box distances, keypoint offsets for
//! strides 8, 16, 32; 2 anchors per cell) are decoded back into frame pixels.

use liveswap_sdk::{ModelBox, ModelSignature, SdkError, SdkResult, TensorRef, TensorSpec, codes};
use liveswap_vision::ImageView;
use liveswap_vision::detect::{
    Detection, ScrfdLevel, blob_nchw_normalized, decode_scrfd, letterbox,
};
use liveswap_vision::nms::finish_detections;

/// SCRFD feature strides, in the order of the model's outputs.
pub const STRIDES: [u32; 3] = [8, 16, 32];
/// Anchors per feature-map cell.
pub const NUM_ANCHORS: usize = 2;

/// What a SCRFD file must look like: one NCHW RGB input of any size, 9 outputs. Output
/// ranks differ between exports (`[N,k]` or `[1,N,k]`), so only their count is fixed.
pub fn signature() -> ModelSignature {
    ModelSignature::new(
        vec![TensorSpec::f32(&[
            liveswap_sdk::ANY_DIM,
            3,
            liveswap_sdk::ANY_DIM,
            liveswap_sdk::ANY_DIM,
        ])],
        (0..9).map(|_| TensorSpec::f32_any()).collect(),
    )
}

/// Decodes the 9 raw outputs (batch of one) into candidates, in insightface's
/// concatenation order (stride 8, 16, 32; ascending anchor index).
pub fn decode_outputs(
    outputs: &[&[f32]],
    input_size: u32,
    thresh: f32,
    det_scale: f32,
) -> SdkResult<Vec<Detection>> {
    if outputs.len() != 9 {
        return Err(SdkError::new(
            codes::INFERENCE,
            format!("SCRFD gave {} outputs, expected 9", outputs.len()),
        ));
    }
    let mut candidates = Vec::new();
    for (i, &stride) in STRIDES.iter().enumerate() {
        let feat = (input_size / stride) as usize;
        let level = ScrfdLevel {
            scores: outputs[i],
            bboxes: outputs[i + 3],
            kps: Some(outputs[i + 6]),
            stride,
            feat_w: feat,
            feat_h: feat,
            num_anchors: NUM_ANCHORS,
        };
        let found = decode_scrfd(&level, thresh, det_scale)
            .map_err(|e| SdkError::new(codes::INFERENCE, format!("SCRFD output layout: {e}")))?;
        candidates.extend(found);
    }
    Ok(candidates)
}

/// insightface's `max_num` selection: rank by area minus twice the squared distance of the
/// box centre from the frame centre (integer-halved like Python's `//`), keep the best `max`.
pub fn keep_largest_central(
    dets: Vec<Detection>,
    max: usize,
    width: usize,
    height: usize,
) -> Vec<Detection> {
    if max == 0 || dets.len() <= max {
        return dets;
    }
    let (cx, cy) = ((width / 2) as f32, (height / 2) as f32);
    let value = |d: &Detection| {
        let [x1, y1, x2, y2] = d.bbox;
        let area = (x2 - x1) * (y2 - y1);
        let (ox, oy) = ((x1 + x2) / 2.0 - cx, (y1 + y2) / 2.0 - cy);
        area - (ox * ox + oy * oy) * 2.0
    };
    let mut order: Vec<usize> = (0..dets.len()).collect();
    order.sort_by(|&a, &b| value(&dets[b]).total_cmp(&value(&dets[a])));
    order.into_iter().take(max).map(|i| dets[i]).collect()
}

/// A loaded detector.
pub struct Detector {
    model: ModelBox,
    size: u32,
    blob: Vec<f32>,
}

impl Detector {
    /// Wraps an opened SCRFD model with its input size.
    pub fn new(model: ModelBox, size: u32) -> Self {
        Self {
            model,
            size,
            blob: Vec::new(),
        }
    }

    /// Detects faces, descending score order.
    pub fn detect(
        &mut self,
        frame: ImageView<'_>,
        thresh: f32,
        nms_thresh: f32,
    ) -> SdkResult<Vec<Detection>> {
        let s = self.size as usize;
        let (input, det_scale) =
            letterbox(frame, s, s).map_err(|e| SdkError::input(format!("letterbox: {e}")))?;
        blob_nchw_normalized(input.view(), 127.5, 0.0078125, &mut self.blob)
            .map_err(|e| SdkError::input(format!("detector input: {e}")))?;
        let shape = [1, 3, s as i64, s as i64];
        let inputs = [TensorRef::f32(&shape, &self.blob)];
        let outputs = self.model.run(inputs.as_slice().into()).into_result()?;
        let slices = outputs
            .iter()
            .map(|t| t.as_f32())
            .collect::<SdkResult<Vec<_>>>()?;
        let candidates = decode_outputs(&slices, self.size, thresh, det_scale)?;
        Ok(finish_detections(&candidates, nms_thresh))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn det(bbox: [f32; 4], score: f32) -> Detection {
        Detection {
            bbox,
            score,
            kps: None,
        }
    }

    #[test]
    fn decoding_places_anchors_on_the_grid() {
        // 64x64 input: 8x8, 4x4 and 2x2 cells, 2 anchors each.
        let n = |s: usize| (64 / s) * (64 / s) * 2;
        let mut scores = [vec![0.0; n(8)], vec![0.0; n(16)], vec![0.0; n(32)]];
        let bboxes = [
            vec![1.0; n(8) * 4],
            vec![1.0; n(16) * 4],
            vec![1.0; n(32) * 4],
        ];
        let kps = [
            vec![0.5; n(8) * 10],
            vec![0.5; n(16) * 10],
            vec![0.5; n(32) * 10],
        ];
        // Stride 16, cell (row 1, col 2), anchor 1 → index (1*4+2)*2+1 = 13, centre (32, 16).
        scores[1][13] = 0.9;
        let outs: Vec<&[f32]> = scores
            .iter()
            .chain(&bboxes)
            .chain(&kps)
            .map(Vec::as_slice)
            .collect();
        let got = decode_outputs(&outs, 64, 0.5, 2.0).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(
            got[0].bbox,
            [
                (32.0 - 16.0) / 2.0,
                0.0,
                (32.0 + 16.0) / 2.0,
                (16.0 + 16.0) / 2.0
            ]
        );
        assert_eq!(
            got[0].kps.unwrap()[0],
            [(32.0 + 8.0) / 2.0, (16.0 + 8.0) / 2.0]
        );
        assert!(decode_outputs(&outs[..8], 64, 0.5, 1.0).is_err());
    }

    #[test]
    fn max_faces_prefers_large_central_boxes() {
        let dets = vec![
            det([0.0, 0.0, 10.0, 10.0], 0.99),
            det([40.0, 40.0, 60.0, 60.0], 0.6),
            det([80.0, 80.0, 100.0, 100.0], 0.7),
        ];
        let kept = keep_largest_central(dets.clone(), 1, 100, 100);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].bbox, [40.0, 40.0, 60.0, 60.0]);
        assert_eq!(keep_largest_central(dets.clone(), 0, 100, 100).len(), 3);
    }
}
