//! Bit-exact port of OpenCV's `cv2.resize(..., INTER_LINEAR)` for 8-bit images.
//!
//! Pipeline position: the SCRFD letterbox (`detect::letterbox`) shrinks every frame with this
//! resize before detection. README §7 of the oracle shows that a plain float bilinear resize
//! moves keypoints by up to 0.35 px and scores by up to 3.5e-3, so this follows
//! `resize_linear_fixed` in `shared/reference/cv_reference.py` operation for operation, which
//! reproduces OpenCV 4.10 and 5.0 bit-exactly:
//!
//! * source coordinate `f = f32((d + 0.5) · (src/dst) − 0.5)` (half-pixel centres, no antialiasing);
//! * 11-bit coefficients `rint((1 − f)·2048)`, `rint(f·2048)` computed in f32, ties to even;
//! * horizontally, taps left of 0 or at/after the last column clamp with `fx = 0`; vertically,
//!   `fy` is kept and the two row indices are clamped;
//! * vertical pass `((((r0 >> 4)·b0) >> 16) + (((r1 >> 4)·b1) >> 16) + 2) >> 2`;
//! * an exact 2× downscale in both axes takes OpenCV's INTER_AREA fast path,
//!   `(a + b + c + d + 2) >> 2` over each 2×2 block.
//!
//! Channels are processed independently, so RGB and BGR frames give the same per-channel result.

use crate::error::VisionError;
use crate::image::{Image, ImageView};

/// Per-destination-index taps along one axis.
struct Taps {
    i0: Vec<usize>,
    i1: Vec<usize>,
    c0: Vec<i64>,
    c1: Vec<i64>,
}

/// Coefficients for one axis, as `coefs()` in `cv_reference.py`.
fn taps(n_dst: usize, n_src: usize, horizontal: bool) -> Taps {
    let scale = 1.0 / (n_dst as f64 / n_src as f64);
    let last = n_src as i64 - 1;
    let mut t = Taps {
        i0: Vec::with_capacity(n_dst),
        i1: Vec::with_capacity(n_dst),
        c0: Vec::with_capacity(n_dst),
        c1: Vec::with_capacity(n_dst),
    };
    for d in 0..n_dst {
        let pos = ((d as f64 + 0.5) * scale - 0.5) as f32;
        let mut i = pos.floor() as i64;
        let mut f = pos - i as f32;
        let i1;
        if horizontal {
            if i < 0 {
                f = 0.0;
                i = 0;
            }
            if i >= last {
                f = 0.0;
                i = last;
            }
            i1 = (i + 1).min(last);
        } else {
            i1 = (i + 1).clamp(0, last);
            i = i.clamp(0, last);
        }
        t.i0.push(i as usize);
        t.i1.push(i1 as usize);
        t.c0.push(((1.0f32 - f) * 2048.0f32).round_ties_even() as i64);
        t.c1.push((f * 2048.0f32).round_ties_even() as i64);
    }
    t
}

/// Horizontal pass of one source row into `out` (`dst_w * channels` 11-bit fixed-point values).
fn h_pass(row: &[u8], xt: &Taps, channels: usize, out: &mut [i64]) {
    for (dx, o) in out.chunks_exact_mut(channels).enumerate() {
        let (a, b) = (xt.i0[dx] * channels, xt.i1[dx] * channels);
        let (c0, c1) = (xt.c0[dx], xt.c1[dx]);
        for (ch, v) in o.iter_mut().enumerate() {
            *v = i64::from(row[a + ch]) * c0 + i64::from(row[b + ch]) * c1;
        }
    }
}

/// Resizes an 8-bit image with OpenCV's INTER_LINEAR arithmetic (bit-exact, see module docs).
///
/// A `dst_w` or `dst_h` of 0 gives an empty image.
///
/// # Errors
/// [`VisionError::EmptyImage`] when the source is empty but the destination is not, or a layout
/// error from [`ImageView::validate`].
pub fn resize_linear_u8(
    src: ImageView<'_>,
    dst_w: usize,
    dst_h: usize,
) -> Result<Image, VisionError> {
    src.validate()?;
    let c = src.channels;
    let mut dst = Image::new(dst_w, dst_h, c)?;
    if dst_w == 0 || dst_h == 0 {
        return Ok(dst);
    }
    if src.width == 0 || src.height == 0 {
        return Err(VisionError::EmptyImage);
    }
    let row_len = src.width * c;
    let src_row = |y: usize| &src.data[y * src.stride..y * src.stride + row_len];
    let dst_stride = dst_w * c;

    if src.width == 2 * dst_w && src.height == 2 * dst_h {
        for (dy, out) in dst.data.chunks_exact_mut(dst_stride).enumerate() {
            let (r0, r1) = (src_row(2 * dy), src_row(2 * dy + 1));
            for (dx, px) in out.chunks_exact_mut(c).enumerate() {
                let s = 2 * dx * c;
                for (ch, v) in px.iter_mut().enumerate() {
                    let sum = u32::from(r0[s + ch])
                        + u32::from(r0[s + c + ch])
                        + u32::from(r1[s + ch])
                        + u32::from(r1[s + c + ch]);
                    *v = ((sum + 2) >> 2) as u8;
                }
            }
        }
        return Ok(dst);
    }

    let xt = taps(dst_w, src.width, true);
    let yt = taps(dst_h, src.height, false);
    // Horizontal results of the last two source rows, keyed by source row index.
    let mut cache: [(usize, Vec<i64>); 2] = [
        (usize::MAX, vec![0; dst_stride]),
        (usize::MAX, vec![0; dst_stride]),
    ];
    for (dy, out) in dst.data.chunks_exact_mut(dst_stride).enumerate() {
        let (y0, y1) = (yt.i0[dy], yt.i1[dy]);
        if cache[0].0 != y0 {
            if cache[1].0 == y0 {
                cache.swap(0, 1);
            } else {
                h_pass(src_row(y0), &xt, c, &mut cache[0].1);
                cache[0].0 = y0;
            }
        }
        if cache[1].0 != y1 {
            let [first, second] = &mut cache;
            if y1 == y0 {
                second.1.copy_from_slice(&first.1);
            } else {
                h_pass(src_row(y1), &xt, c, &mut second.1);
            }
            second.0 = y1;
        }
        let (b0, b1) = (yt.c0[dy], yt.c1[dy]);
        for ((o, &r0), &r1) in out.iter_mut().zip(&cache[0].1).zip(&cache[1].1) {
            let acc = (((r0 >> 4) * b0) >> 16) + (((r1 >> 4) * b1) >> 16);
            *o = ((acc + 2) >> 2).clamp(0, 255) as u8;
        }
    }
    Ok(dst)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn gray(w: usize, h: usize, f: impl Fn(usize, usize) -> u8) -> Image {
        let data = (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .map(|(x, y)| f(x, y));
        Image::from_vec(data.collect(), w, h, 1).unwrap()
    }

    #[test]
    fn exact_2x_downscale_averages_blocks_with_rounding() {
        let src = gray(4, 2, |x, y| [[0, 1, 10, 20], [1, 1, 30, 41]][y][x]);
        let out = resize_linear_u8(src.view(), 2, 1).unwrap();
        // (0+1+1+1+2)>>2 = 1; (10+20+30+41+2)>>2 = 25 (plain bilinear at the block centre gives 25.25).
        assert_eq!(out.data, vec![1, 25]);
    }

    #[test]
    fn coefficients_match_hand_computation() {
        // 3 -> 2: f = (d+0.5)*1.5-0.5 = 0.25, 1.75.
        let t = taps(2, 3, true);
        assert_eq!((t.i0.clone(), t.i1.clone()), (vec![0, 1], vec![1, 2]));
        assert_eq!(
            (t.c0.clone(), t.c1.clone()),
            (vec![1536, 512], vec![512, 1536])
        );
        // Upscale 2 -> 4 horizontally: d=0 gives f=-0.25 -> clamps to (0, fx=0); d=3 gives 1.25 -> last.
        let t = taps(4, 2, true);
        assert_eq!(t.i0, vec![0, 0, 0, 1]);
        assert_eq!(t.c1, vec![0, 512, 1536, 0]);
        // Vertically the fraction is kept and indices clamp: d=0 -> floor -1, f=0.75.
        let t = taps(4, 2, false);
        assert_eq!((t.i0[0], t.i1[0], t.c0[0], t.c1[0]), (0, 0, 512, 1536));
    }

    #[test]
    fn linear_ramp_and_fixed_point_rounding() {
        let src = gray(3, 1, |x, _| [0, 100, 200][x]);
        let out = resize_linear_u8(src.view(), 2, 1).unwrap();
        // 0*0.75+100*0.25 = 25, 100*0.25+200*0.75 = 175 in exact arithmetic.
        assert_eq!(out.data, vec![25, 175]);
        // Identity size keeps pixels.
        let img = gray(5, 4, |x, y| (x * 40 + y * 7) as u8);
        assert_eq!(resize_linear_u8(img.view(), 5, 4).unwrap().data, img.data);
        // A value where the >>4 truncations matter: 255 at full weight comes back as 255.
        let w = gray(1, 1, |_, _| 255);
        assert_eq!(resize_linear_u8(w.view(), 3, 3).unwrap().data, vec![255; 9]);
    }

    #[test]
    fn empty_cases() {
        let img = gray(4, 4, |_, _| 1);
        assert_eq!(resize_linear_u8(img.view(), 0, 3).unwrap().data.len(), 0);
        let empty = Image::new(0, 0, 3).unwrap();
        assert_eq!(
            resize_linear_u8(empty.view(), 2, 2).unwrap_err(),
            VisionError::EmptyImage
        );
    }
}
