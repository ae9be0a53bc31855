//! SCRFD detector pre- and post-processing, as insightface 0.7.3's `SCRFD.detect` does it.
//!
//! Pipeline position: the first stage. A frame is letterboxed ([`letterbox`]) into the detector
//! input, normalised into an NCHW blob ([`blob_nchw_normalized`]); after inference each stride's
//! outputs are decoded ([`decode_scrfd`]), concatenated in stride order (8, 16, 32) and reduced
//! with [`finish_detections`] (sort by score + NMS).
//!
//! Conventions (oracle README §4): anchor centres are `(col·stride, row·stride)` with **no** +0.5;
//! anchor index is `(row·W + col)·A + a`; boxes are `[x1, y1, x2, y2]` in frame pixels, unclipped;
//! all arithmetic is f32 like numpy on the network's float32 outputs, including the final division
//! by `det_scale` (numpy casts the Python float to f32). NMS and IoU live in [`crate::nms`].

use crate::error::VisionError;
use crate::image::{Image, ImageView};
use crate::resize::resize_linear_u8;

pub use crate::nms::{finish_detections, iou, nms, score_order};

/// One face candidate in frame coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Detection {
    /// `[x1, y1, x2, y2]` in frame pixels (not clipped to the frame).
    pub bbox: [f32; 4],
    /// Detector confidence in `[0, 1]`.
    pub score: f32,
    /// The 5 keypoints (left eye, right eye, nose, left mouth, right mouth), when the model has them.
    pub kps: Option<[[f32; 2]; 5]>,
}

/// insightface's letterbox geometry: `(new_w, new_h, det_scale)` for fitting an `img_w × img_h`
/// frame into an `in_w × in_h` detector input, aspect preserved, anchored top-left.
///
/// `im_ratio = h/w`; if it exceeds `in_h/in_w` the height fills (`new_w = int(in_h/im_ratio)`),
/// otherwise the width does (`new_h = int(in_w·im_ratio)`); `int()` truncates. `det_scale` is
/// `new_h / img_h` from the **height** even when the width limits, computed in f64 and returned as
/// the f32 numpy later divides by. An empty frame gives `(0, 0, 0.0)`.
#[must_use]
pub fn letterbox_size(img_w: usize, img_h: usize, in_w: usize, in_h: usize) -> (usize, usize, f32) {
    if img_w == 0 || img_h == 0 || in_w == 0 || in_h == 0 {
        return (0, 0, 0.0);
    }
    let im_ratio = img_h as f64 / img_w as f64;
    let model_ratio = in_h as f64 / in_w as f64;
    let (new_w, new_h) = if im_ratio > model_ratio {
        ((in_h as f64 / im_ratio) as usize, in_h)
    } else {
        (in_w, (in_w as f64 * im_ratio) as usize)
    };
    let det_scale = new_h as f64 / img_h as f64;
    (new_w, new_h, det_scale as f32)
}

/// Letterboxes a frame into an `in_w × in_h` image: [`resize_linear_u8`] to the
/// [`letterbox_size`], pasted top-left into zeros. Returns the image and `det_scale`.
///
/// # Errors
/// A layout error from the source view, or [`VisionError::SizeOverflow`].
pub fn letterbox(
    img: ImageView<'_>,
    in_w: usize,
    in_h: usize,
) -> Result<(Image, f32), VisionError> {
    img.validate()?;
    let (new_w, new_h, det_scale) = letterbox_size(img.width, img.height, in_w, in_h);
    let mut out = Image::new(in_w, in_h, img.channels)?;
    if new_w == 0 || new_h == 0 {
        return Ok((out, det_scale));
    }
    let small = resize_linear_u8(img, new_w, new_h)?;
    let row = new_w * img.channels;
    let stride = out.stride();
    for (y, src_row) in small.data.chunks_exact(row).enumerate() {
        out.data[y * stride..y * stride + row].copy_from_slice(src_row);
    }
    Ok((out, det_scale))
}

/// Fills `out` with the planar NCHW blob `(x − mean) · scale` (f32) of `img`, channel by channel
/// in the image's own channel order (pass an RGB image for insightface's `swapRB=True` models).
///
/// SCRFD: `mean = 127.5`, `scale = 0.0078125` (= 1/128 exactly). `out` is cleared first and ends
/// with `channels · height · width` values.
///
/// # Errors
/// A layout error from the source view.
pub fn blob_nchw_normalized(
    img: ImageView<'_>,
    mean: f32,
    scale: f32,
    out: &mut Vec<f32>,
) -> Result<(), VisionError> {
    img.validate()?;
    let (w, h, c) = (img.width, img.height, img.channels);
    out.clear();
    out.reserve(w * h * c);
    for ch in 0..c {
        for y in 0..h {
            let row = &img.data[y * img.stride..y * img.stride + w * c];
            out.extend(
                row.iter()
                    .skip(ch)
                    .step_by(c)
                    .map(|&v| (f32::from(v) - mean) * scale),
            );
        }
    }
    Ok(())
}

/// The outputs of one SCRFD stride level, batch dimension already stripped.
#[derive(Clone, Copy, Debug)]
pub struct ScrfdLevel<'a> {
    /// `feat_h · feat_w · num_anchors` scores.
    pub scores: &'a [f32],
    /// 4 distances (left, top, right, bottom) per anchor, in stride units.
    pub bboxes: &'a [f32],
    /// 10 keypoint offsets per anchor (x0, y0, …, x4, y4) in stride units, if the model has kps.
    pub kps: Option<&'a [f32]>,
    /// The stride in input pixels (8, 16 or 32).
    pub stride: u32,
    /// Feature-map width (`input_w / stride`).
    pub feat_w: usize,
    /// Feature-map height (`input_h / stride`).
    pub feat_h: usize,
    /// Anchors per cell (2 for the insightface SCRFD models).
    pub num_anchors: usize,
}

fn check_len(what: &'static str, got: usize, expected: usize) -> Result<(), VisionError> {
    if got == expected {
        Ok(())
    } else {
        Err(VisionError::BadLength {
            what,
            expected,
            got,
        })
    }
}

/// Decodes the anchors of one stride level whose score is `>= thresh` into frame coordinates,
/// in anchor-index order (insightface's concatenation order within a level).
///
/// Per anchor: centre `(col·stride, row·stride)`, `bbox = [cx − d0·s, cy − d1·s, cx + d2·s, cy + d3·s]`,
/// `kps[i] = (cx + k2i·s, cy + k2i+1·s)`, then every coordinate `/ det_scale`; all in f32.
///
/// # Errors
/// [`VisionError::BadLength`] when an output slice does not match the feature-map size.
pub fn decode_scrfd(
    level: &ScrfdLevel<'_>,
    thresh: f32,
    det_scale: f32,
) -> Result<Vec<Detection>, VisionError> {
    let n = level
        .feat_w
        .checked_mul(level.feat_h)
        .and_then(|v| v.checked_mul(level.num_anchors))
        .ok_or(VisionError::SizeOverflow)?;
    check_len("scrfd scores", level.scores.len(), n)?;
    check_len("scrfd bbox outputs", level.bboxes.len(), n * 4)?;
    if let Some(k) = level.kps {
        check_len("scrfd kps outputs", k.len(), n * 10)?;
    }
    let stride = level.stride as f32;
    let mut out = Vec::new();
    // `>=` is false for NaN, so NaN scores are dropped like numpy's `scores >= thresh`.
    for (idx, &score) in level
        .scores
        .iter()
        .enumerate()
        .filter(|(_, s)| **s >= thresh)
    {
        let cell = idx / level.num_anchors;
        let cx = (cell % level.feat_w) as f32 * stride;
        let cy = (cell / level.feat_w) as f32 * stride;
        let d = &level.bboxes[idx * 4..idx * 4 + 4];
        let bbox = [
            (cx - d[0] * stride) / det_scale,
            (cy - d[1] * stride) / det_scale,
            (cx + d[2] * stride) / det_scale,
            (cy + d[3] * stride) / det_scale,
        ];
        let kps = level.kps.map(|k| {
            let k = &k[idx * 10..idx * 10 + 10];
            std::array::from_fn(|i| {
                [
                    (cx + k[2 * i] * stride) / det_scale,
                    (cy + k[2 * i + 1] * stride) / det_scale,
                ]
            })
        });
        out.push(Detection { bbox, score, kps });
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn letterbox_size_matches_insightface() {
        // t1.jpg 1280x886 -> 640x443, det_scale from the height: 443/886 = 0.5.
        assert_eq!(letterbox_size(1280, 886, 640, 640), (640, 443, 0.5));
        // Portrait: new_w = int(640 / (700/500)) = int(457.14) = 457; det_scale = 640/700.
        assert_eq!(
            letterbox_size(500, 700, 640, 640),
            (457, 640, (640.0f64 / 700.0) as f32)
        );
        // Width-limited with truncation: 333x100 -> new_h = int(640*100/333) = 192, det_scale = 1.92.
        assert_eq!(letterbox_size(333, 100, 640, 640), (640, 192, 1.92));
        assert_eq!(letterbox_size(0, 10, 640, 640), (0, 0, 0.0));
    }

    #[test]
    fn letterbox_pastes_top_left_into_zeros() {
        let src = Image::from_vec(vec![200; 8 * 4 * 3], 8, 4, 3).unwrap();
        let (out, scale) = letterbox(src.view(), 6, 6).unwrap();
        assert_eq!(scale, 0.75);
        assert_eq!(out.pixel(5, 2), Some(&[200u8, 200, 200][..]));
        assert_eq!(out.pixel(0, 3), Some(&[0u8, 0, 0][..]));
    }

    #[test]
    fn blob_is_planar_and_normalised() {
        let img = Image::from_vec(vec![0, 128, 255, 255, 0, 127], 2, 1, 3).unwrap();
        let mut blob = vec![9.0; 3];
        blob_nchw_normalized(img.view(), 127.5, 0.0078125, &mut blob).unwrap();
        let e = |v: f32| (v - 127.5) * 0.0078125;
        assert_eq!(
            blob,
            vec![e(0.0), e(255.0), e(128.0), e(0.0), e(255.0), e(127.0)]
        );
    }

    #[test]
    fn decode_uses_anchor_layout_and_scale() {
        // 2x3 feature map (W=3, H=2), 2 anchors; only anchor index 9 = cell 4 (row 1, col 1), a=1 fires.
        let mut scores = vec![0.1f32; 12];
        scores[9] = 0.9;
        let mut bboxes = vec![0.0f32; 48];
        bboxes[36..40].copy_from_slice(&[1.0, 2.0, 3.0, 4.0]);
        let mut kps = vec![0.0f32; 120];
        kps[90..100].copy_from_slice(&[0.5, -0.5, 1.0, 0.0, 0.0, 1.0, -1.0, 2.0, 1.5, 2.0]);
        let level = ScrfdLevel {
            scores: &scores,
            bboxes: &bboxes,
            kps: Some(&kps),
            stride: 8,
            feat_w: 3,
            feat_h: 2,
            num_anchors: 2,
        };
        let dets = decode_scrfd(&level, 0.5, 0.5).unwrap();
        assert_eq!(dets.len(), 1);
        // Centre (8, 8): bbox = (8-8, 8-16, 8+24, 8+32) / 0.5.
        assert_eq!(dets[0].bbox, [0.0, -16.0, 64.0, 80.0]);
        assert_eq!(dets[0].kps.unwrap()[0], [24.0, 8.0]);
        assert_eq!(dets[0].kps.unwrap()[4], [40.0, 48.0]);
        let short = ScrfdLevel {
            bboxes: &bboxes[1..],
            ..level
        };
        assert!(decode_scrfd(&short, 0.5, 0.5).is_err());
    }
}
