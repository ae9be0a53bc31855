//! SCRFD face detection: letterbox → network → anchor decoding → NMS.
//!
//! insightface's `SCRFD.detect`, step for step: the frame is letterboxed top-left into a
//! square `det_size` input with OpenCV's exact INTER_LINEAR arithmetic, normalised to RGB
//! `(x − 127.5) / 128`, and the 9 outputs (scores, box distances, keypoint offsets for
//! strides 8, 16, 32; 2 anchors per cell) are decoded back into frame pixels.

use liveswap_sdk::{ModelBox, ModelSignature, SdkError, SdkResult, TensorRef, TensorSpec, codes};
use liveswap_vision::detect::{
    Detection, ScrfdLevel, blob_nchw_normalized, decode_scrfd, letterbox, letterbox_size,
};
use liveswap_vision::nms::finish_detections;
use liveswap_vision::{ImageView, Rect};

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

/// Decodes the 9 raw outputs (batch of one, input `input_w × input_h`) into candidates, in
/// insightface's concatenation order (stride 8, 16, 32; ascending anchor index).
pub fn decode_outputs(
    outputs: &[&[f32]],
    (input_w, input_h): (u32, u32),
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
        let level = ScrfdLevel {
            scores: outputs[i],
            bboxes: outputs[i + 3],
            kps: Some(outputs[i + 6]),
            stride,
            feat_w: (input_w / stride) as usize,
            feat_h: (input_h / stride) as usize,
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

/// Detector input side for a region around a tracked face (pixels, a multiple of 32). A
/// region twice the face's size scaled to 256 keeps the face ≈ 128 px wide in the input,
/// well inside SCRFD's range, at (256/640)² ≈ 16 % of a 640 detection's arithmetic.
pub const REGION_DET_SIZE: u32 = 256;

/// How much larger than the tracked box (per side length) a detection region is.
pub const REGION_GROWTH: f32 = 2.0;

/// The detector input for a whole-frame search of a `width × height` frame at `size`: the
/// square `size × size` (insightface), or with `fit` the letterboxed frame's own shape rounded
/// up to multiples of 32 (640 × 384 for a 16:9 frame at 640). The frame is scaled exactly as
/// in the square; only less padding is searched.
pub fn input_size(width: usize, height: usize, size: u32, fit: bool) -> (u32, u32) {
    if !fit {
        return (size, size);
    }
    let s = size as usize;
    let (new_w, new_h, _) = letterbox_size(width, height, s, s);
    let up = |v: usize| (v.max(1).div_ceil(32) * 32).min(s) as u32;
    (up(new_w), up(new_h))
}

/// A loaded detector.
pub struct Detector {
    model: ModelBox,
    size: u32,
    /// Whole-frame searches use the frame's shape ([`input_size`]).
    pub fit: bool,
    /// The input side the file fixes, if it is not dynamic (then every run uses it).
    fixed: Option<u32>,
    blob: Vec<f32>,
}

impl Detector {
    /// Wraps an opened SCRFD model with its input size.
    pub fn new(model: ModelBox, size: u32) -> Self {
        let fixed = model.info().signature.inputs.first().and_then(|t| {
            match (t.shape.get(2), t.shape.get(3)) {
                (Some(&h), Some(&w)) if h > 0 && h == w => u32::try_from(h).ok(),
                _ => None,
            }
        });
        Self {
            model,
            size,
            fit: false,
            fixed,
            blob: Vec::new(),
        }
    }

    /// Detects faces in the whole frame at the configured size, descending score order.
    pub fn detect(
        &mut self,
        frame: ImageView<'_>,
        thresh: f32,
        nms_thresh: f32,
    ) -> SdkResult<Vec<Detection>> {
        let input = input_size(frame.width, frame.height, self.size, self.fit);
        let candidates = self.candidates(frame, input, thresh)?;
        Ok(finish_detections(&candidates, nms_thresh))
    }

    /// Detects faces only inside squares around `boxes` (tracked faces), each at
    /// [`REGION_DET_SIZE`] (or the file's fixed size), in frame coordinates; detections
    /// from overlapping regions are merged by NMS.
    pub fn detect_around(
        &mut self,
        frame: ImageView<'_>,
        boxes: &[[f32; 4]],
        thresh: f32,
        nms_thresh: f32,
    ) -> SdkResult<Vec<Detection>> {
        let size = REGION_DET_SIZE.min(self.size);
        let mut all = Vec::new();
        for b in boxes {
            let r = region(b, frame.width, frame.height);
            if r.is_empty() {
                continue;
            }
            let sub = frame
                .sub(r)
                .map_err(|e| SdkError::input(format!("detection region: {e}")))?;
            let (dx, dy) = (r.x0 as f32, r.y0 as f32);
            for mut d in self.candidates(sub, (size, size), thresh)? {
                d.bbox = [
                    d.bbox[0] + dx,
                    d.bbox[1] + dy,
                    d.bbox[2] + dx,
                    d.bbox[3] + dy,
                ];
                if let Some(kps) = d.kps.as_mut() {
                    for p in kps.iter_mut() {
                        p[0] += dx;
                        p[1] += dy;
                    }
                }
                all.push(d);
            }
        }
        Ok(finish_detections(&all, nms_thresh))
    }

    /// Letterbox into `(w, h)` (the file's fixed square size wins), run, decode; before NMS.
    fn candidates(
        &mut self,
        frame: ImageView<'_>,
        (w, h): (u32, u32),
        thresh: f32,
    ) -> SdkResult<Vec<Detection>> {
        let (w, h) = self.fixed.map_or((w, h), |f| (f, f));
        let (input, det_scale) = letterbox(frame, w as usize, h as usize)
            .map_err(|e| SdkError::input(format!("letterbox: {e}")))?;
        blob_nchw_normalized(input.view(), 127.5, 0.0078125, &mut self.blob)
            .map_err(|e| SdkError::input(format!("detector input: {e}")))?;
        let shape = [1, 3, i64::from(h), i64::from(w)];
        let inputs = [TensorRef::f32(&shape, &self.blob)];
        let outputs = self.model.run(inputs.as_slice().into()).into_result()?;
        let slices = outputs
            .iter()
            .map(|t| t.as_f32())
            .collect::<SdkResult<Vec<_>>>()?;
        decode_outputs(&slices, (w, h), thresh, det_scale)
    }
}

/// The detection region for a tracked box: a square [`REGION_GROWTH`] times the box's
/// longer side, on the box centre, clipped to the frame (pixel indices).
pub fn region(b: &[f32; 4], width: usize, height: usize) -> Rect {
    let (cx, cy) = ((b[0] + b[2]) * 0.5, (b[1] + b[3]) * 0.5);
    let half = (b[2] - b[0]).max(b[3] - b[1]).max(1.0) * REGION_GROWTH * 0.5;
    let clamp = |v: f32, max: usize| v.clamp(0.0, max as f32) as usize;
    Rect::new(
        clamp((cx - half).floor(), width),
        clamp((cy - half).floor(), height),
        clamp((cx + half).ceil(), width),
        clamp((cy + half).ceil(), height),
    )
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

    /// SCRFD outputs for a `w × h` input: all scores 0 but `(stride level, index)`'s 0.9,
    /// box distances 1, keypoint offsets `kps`; in the model's order (scores, boxes, points).
    fn outputs(w: usize, h: usize, hot: (usize, usize), kps: f32) -> Vec<Vec<f32>> {
        let n = |s: usize| (w / s) * (h / s) * 2;
        let mut out: Vec<Vec<f32>> = Vec::new();
        for (per, value) in [(1, 0.0), (4, 1.0), (10, kps)] {
            out.extend(STRIDES.iter().map(|&s| vec![value; n(s as usize) * per]));
        }
        out[hot.0][hot.1] = 0.9;
        out
    }

    #[test]
    fn decoding_places_anchors_on_the_grid() {
        // 64x64 input: 8x8, 4x4 and 2x2 cells, 2 anchors each.
        // Stride 16, cell (row 1, col 2), anchor 1 → index (1*4+2)*2+1 = 13, centre (32, 16).
        let raw = outputs(64, 64, (1, 13), 0.5);
        let outs: Vec<&[f32]> = raw.iter().map(Vec::as_slice).collect();
        let got = decode_outputs(&outs, (64, 64), 0.5, 2.0).unwrap();
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
        assert!(decode_outputs(&outs[..8], (64, 64), 0.5, 1.0).is_err());
    }

    #[test]
    fn a_rectangular_input_decodes_on_a_rectangular_grid() {
        // 64 wide, 32 high: stride 8 has 8 columns and 4 rows, stride 32 has 2 × 1.
        // Stride 8, row 2, column 5, anchor 0 → index (2*8+5)*2 = 42, centre (40, 16).
        let raw = outputs(64, 32, (0, 42), 0.0);
        let outs: Vec<&[f32]> = raw.iter().map(Vec::as_slice).collect();
        let got = decode_outputs(&outs, (64, 32), 0.5, 1.0).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].bbox, [32.0, 8.0, 48.0, 24.0]);
        // Read as a square input, the outputs are too short for the grid.
        assert!(decode_outputs(&outs, (64, 64), 0.5, 1.0).is_err());
    }

    #[test]
    fn a_fitted_input_keeps_the_scale_and_drops_the_padding() {
        assert_eq!(input_size(640, 360, 640, false), (640, 640));
        assert_eq!(input_size(640, 360, 640, true), (640, 384));
        assert_eq!(input_size(1280, 720, 640, true), (640, 384));
        assert_eq!(input_size(360, 640, 640, true), (384, 640));
        assert_eq!(input_size(1000, 1000, 640, true), (640, 640));
        // The frame is scaled as in the square input.
        for (w, h) in [(640, 360), (1280, 720), (360, 640), (1000, 700)] {
            let (iw, ih) = input_size(w, h, 640, true);
            let square = letterbox_size(w, h, 640, 640);
            let fitted = letterbox_size(w, h, iw as usize, ih as usize);
            assert_eq!(square, fitted, "{w}x{h}");
        }
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

    #[test]
    fn regions_are_squares_around_the_box_clipped_to_the_frame() {
        // 100×80 box centred at (150, 140): a 200×200 square from (50, 40).
        assert_eq!(
            region(&[100.0, 100.0, 200.0, 180.0], 640, 480),
            Rect::new(50, 40, 250, 240)
        );
        // Near the corner: clipped, never negative.
        assert_eq!(
            region(&[0.0, 0.0, 40.0, 40.0], 100, 100),
            Rect::new(0, 0, 60, 60)
        );
        assert!(region(&[900.0, 900.0, 950.0, 950.0], 100, 100).is_empty());
    }
}
