//! Score ordering, insightface-style non-maximum suppression, and plain IoU.
//!
//! Pipeline position: the last step of detection ([`finish_detections`]), after every stride
//! level has been decoded by [`crate::detect::decode_scrfd`]; [`iou`] is for face tracking.
//!
//! insightface's NMS (`SCRFD.nms`) is copied exactly, in f32: boxes are treated as inclusive pixel
//! ranges (`area = (x2 − x1 + 1)·(y2 − y1 + 1)`, intersection sides `+1`, clamped at 0), a box is
//! kept when its IoU with every higher-scoring kept box is `<= thresh`.
//!
//! **Ties.** insightface orders with numpy `argsort()[::-1]`. For equal scores this crate puts the
//! candidate with the **higher** concatenation index first, which is what reversing a stable
//! ascending sort gives; numpy's default quicksort is not stable for more than 16 elements, so
//! tied scores may be ordered differently there (the oracle's `num_tied_scores` is 0 everywhere).

use crate::detect::Detection;

/// numpy's `np.maximum` (NaN propagates).
#[inline]
fn np_max(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        f32::NAN
    } else {
        a.max(b)
    }
}

/// numpy's `np.minimum` (NaN propagates).
#[inline]
fn np_min(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        f32::NAN
    } else {
        a.min(b)
    }
}

/// Indices of `dets` by descending score (ties: higher index first; NaN scores first, as numpy).
#[must_use]
pub fn score_order(dets: &[Detection]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..dets.len()).collect();
    order.sort_by(|&a, &b| {
        dets[b]
            .score
            .total_cmp(&dets[a].score)
            .then_with(|| b.cmp(&a))
    });
    order
}

/// insightface's NMS: indices into `dets` of the kept boxes, highest score first.
///
/// `dets` may be in any order; it is ordered with [`score_order`] first, exactly as `SCRFD.nms`
/// re-sorts its (already sorted) input. IoU uses the `+1` convention, all in f32.
#[must_use]
pub fn nms(dets: &[Detection], thresh: f32) -> Vec<usize> {
    let area = |d: &Detection| (d.bbox[2] - d.bbox[0] + 1.0) * (d.bbox[3] - d.bbox[1] + 1.0);
    let mut order = score_order(dets);
    let mut keep = Vec::new();
    while let Some((&i, rest)) = order.split_first() {
        keep.push(i);
        let a = &dets[i];
        let area_i = area(a);
        order = rest
            .iter()
            .copied()
            .filter(|&j| {
                let b = &dets[j];
                let xx1 = np_max(a.bbox[0], b.bbox[0]);
                let yy1 = np_max(a.bbox[1], b.bbox[1]);
                let xx2 = np_min(a.bbox[2], b.bbox[2]);
                let yy2 = np_min(a.bbox[3], b.bbox[3]);
                let w = np_max(0.0, xx2 - xx1 + 1.0);
                let h = np_max(0.0, yy2 - yy1 + 1.0);
                let inter = w * h;
                let ovr = inter / (area_i + area(b) - inter);
                ovr <= thresh
            })
            .collect();
    }
    keep
}

/// `SCRFD.detect`'s tail: sort the candidates (all stride levels concatenated in order 8, 16, 32)
/// by score, run [`nms`], and return the kept detections in descending score order.
#[must_use]
pub fn finish_detections(candidates: &[Detection], nms_thresh: f32) -> Vec<Detection> {
    let sorted: Vec<Detection> = score_order(candidates)
        .into_iter()
        .map(|i| candidates[i])
        .collect();
    nms(&sorted, nms_thresh)
        .into_iter()
        .map(|k| sorted[k])
        .collect()
}

/// Plain intersection over union of two `[x1, y1, x2, y2]` boxes (continuous, no `+1`);
/// 0 when the union is empty. Symmetric and within `[0, 1]` for finite boxes.
#[must_use]
pub fn iou(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let area = |r: &[f32; 4]| (r[2] - r[0]).max(0.0) * (r[3] - r[1]).max(0.0);
    let w = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let h = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = w * h;
    let union = area(a) + area(b) - inter;
    if union > 0.0 { inter / union } else { 0.0 }
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
    fn nms_suppresses_overlaps_with_plus_one_areas() {
        let dets = [
            det([0.0, 0.0, 9.0, 9.0], 0.7),
            det([1.0, 0.0, 10.0, 9.0], 0.9),
            det([50.0, 50.0, 60.0, 60.0], 0.6),
            // IoU with the 0.9 box, +1 convention: inter 6*10=60, union 100+100-60 = 140 -> 0.4286.
            det([5.0, 0.0, 14.0, 9.0], 0.8),
        ];
        assert_eq!(score_order(&dets), vec![1, 3, 0, 2]);
        assert_eq!(nms(&dets, 0.4), vec![1, 2]);
        // At 0.43 the third box survives (0.4286 <= 0.43); plain IoU would be 5*9/(81+81-45) = 0.385.
        assert_eq!(nms(&dets, 0.43), vec![1, 3, 2]);
        let kept = finish_detections(&dets, 0.4);
        assert_eq!(
            kept.iter().map(|d| d.score).collect::<Vec<_>>(),
            vec![0.9, 0.6]
        );
    }

    #[test]
    fn ties_put_the_later_candidate_first() {
        let dets = [det([0.0; 4], 0.5), det([0.0; 4], 0.7), det([0.0; 4], 0.5)];
        assert_eq!(score_order(&dets), vec![1, 2, 0]);
        assert!(nms(&[], 0.4).is_empty());
    }

    #[test]
    fn iou_is_plain_symmetric_and_bounded() {
        let a = [0.0, 0.0, 10.0, 10.0];
        let b = [5.0, 0.0, 15.0, 10.0];
        assert_eq!(iou(&a, &b), 50.0 / 150.0);
        assert_eq!(iou(&a, &b), iou(&b, &a));
        assert_eq!(iou(&a, &a), 1.0);
        assert_eq!(iou(&a, &[20.0, 20.0, 30.0, 30.0]), 0.0);
        assert_eq!(iou(&[3.0, 3.0, 3.0, 3.0], &[3.0, 3.0, 3.0, 3.0]), 0.0);
        assert_eq!(iou(&[5.0, 5.0, 0.0, 0.0], &a), 0.0);
    }
}
