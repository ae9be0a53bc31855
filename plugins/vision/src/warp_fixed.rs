//! `cv2.warpAffine` (INTER_LINEAR, BORDER_CONSTANT 0, uint8) as OpenCV ≤ 4.10 computes it.
//!
//! Pipeline position: an alternative to [`crate::warp`] for users who want Deep-Live-Cam parity
//! (it pins an OpenCV 4.x, whose crops differ from OpenCV 5's by up to 3 levels on ~20% of
//! pixels). Bit-exact port of `warp_affine_fixed` in `shared/reference/cv_reference.py`:
//!
//! * `m` is inverted in f64 with OpenCV's formula;
//! * per column `adelta = rint(im00·x·1024)`, `bdelta = rint(im10·x·1024)`; per row
//!   `X0 = rint((im01·y + im02)·1024) + 16`, `Y0` likewise (`rint` = ties to even);
//! * `X = (X0 + adelta) >> 5`: integer part `X >> 5`, 1/32-px fraction `X & 31`;
//! * weights `(32−fy)(32−fx)·32`, `(32−fy)·fx·32`, `fy·(32−fx)·32`, `fy·fx·32` (sum 32768);
//! * out = `(Σ p·w + 2^14) >> 15`, saturated; taps outside the source read 0.
//!
//! Checked bit-exact against the `opencv-4.10-setA` crop hashes in `tests/oracle.rs`.

use crate::affine::{Affine, invert_affine_cv};
use crate::error::VisionError;
use crate::image::{Image, ImageView, ImageViewMut};
use crate::rect::Rect;

const AB_SCALE: f64 = 1024.0;
const ROUND_DELTA: i64 = 16;

/// `saturate_cast<int>(double)`-like rounding to the nearest integer, ties to even (NaN → 0).
#[inline]
fn rint(v: f64) -> i64 {
    v.round_ties_even() as i64
}

/// Warps an 8-bit image into a new `dst_w × dst_h` image with OpenCV ≤ 4.10 fixed-point arithmetic.
///
/// # Errors
/// A layout error from [`ImageView::validate`] or [`VisionError::SizeOverflow`].
pub fn warp_affine_u8_fixed(
    src: ImageView<'_>,
    m: &Affine,
    dst_w: usize,
    dst_h: usize,
) -> Result<Image, VisionError> {
    src.validate()?;
    let mut out = Image::new(dst_w, dst_h, src.channels)?;
    warp_affine_u8_fixed_into(src, m, &mut out.view_mut(), Rect::full(dst_w, dst_h))?;
    Ok(out)
}

/// As [`warp_affine_u8_fixed`], writing only the destination pixels inside `region`.
///
/// # Errors
/// A layout error, or [`VisionError::ChannelMismatch`] when `src` and `dst` differ in channels.
pub fn warp_affine_u8_fixed_into(
    src: ImageView<'_>,
    m: &Affine,
    dst: &mut ImageViewMut<'_>,
    region: Rect,
) -> Result<(), VisionError> {
    src.validate()?;
    dst.validate()?;
    if src.channels != dst.channels {
        return Err(VisionError::ChannelMismatch {
            src: src.channels,
            dst: dst.channels,
        });
    }
    let r = region.clip(dst.width, dst.height);
    let im = invert_affine_cv(m);
    let c = src.channels;
    let (sw, sh) = (src.width as i64, src.height as i64);
    let adelta: Vec<i64> = (r.x0..r.x1)
        .map(|x| rint(im[0][0] * x as f64 * AB_SCALE))
        .collect();
    let bdelta: Vec<i64> = (r.x0..r.x1)
        .map(|x| rint(im[1][0] * x as f64 * AB_SCALE))
        .collect();
    for y in r.y0..r.y1 {
        let yf = y as f64;
        let x0 = rint((im[0][1] * yf + im[0][2]) * AB_SCALE).saturating_add(ROUND_DELTA);
        let y0 = rint((im[1][1] * yf + im[1][2]) * AB_SCALE).saturating_add(ROUND_DELTA);
        let row = &mut dst.data[y * dst.stride..];
        for (k, x) in (r.x0..r.x1).enumerate() {
            let xx = x0.saturating_add(adelta[k]) >> 5;
            let yy = y0.saturating_add(bdelta[k]) >> 5;
            let (sx, sy) = (xx >> 5, yy >> 5);
            let (fx, fy) = (xx & 31, yy & 31);
            let w = [
                (32 - fy) * (32 - fx) * 32,
                (32 - fy) * fx * 32,
                fy * (32 - fx) * 32,
                fy * fx * 32,
            ];
            let taps = [(0, 0), (1, 0), (0, 1), (1, 1)].map(|(dx, dy)| {
                let (tx, ty) = (sx.saturating_add(dx), sy.saturating_add(dy));
                (tx >= 0 && ty >= 0 && tx < sw && ty < sh)
                    .then(|| ty as usize * src.stride + tx as usize * c)
            });
            for (ch, out) in row[x * c..x * c + c].iter_mut().enumerate() {
                let acc: i64 = taps
                    .iter()
                    .zip(w)
                    .map(|(t, wk)| t.map_or(0, |o| i64::from(src.data[o + ch]) * wk))
                    .sum();
                *out = ((acc + (1 << 14)) >> 15).clamp(0, 255) as u8;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::affine::IDENTITY;

    #[test]
    fn quantises_to_1_32_pixel() {
        // One row [0, 64]; sampling at x = 0.3 quantises to 10/32 (0.3*32 = 9.6 -> 10 after +16 rounding).
        let src = Image::from_vec(vec![0, 64, 64, 64], 2, 2, 1).unwrap();
        let m = [[1.0, 0.0, -0.3], [0.0, 1.0, 0.0]];
        let out = warp_affine_u8_fixed(src.view(), &m, 1, 1).unwrap();
        // 64 * 10/32 = 20 exactly; float bilinear would give 19.2 -> 19.
        assert_eq!(out.data, vec![20]);
    }

    #[test]
    fn identity_copies_and_outside_is_zero() {
        let data: Vec<u8> = (0..5 * 4 * 3).map(|i| (i * 11 % 256) as u8).collect();
        let src = Image::from_vec(data, 5, 4, 3).unwrap();
        assert_eq!(
            warp_affine_u8_fixed(src.view(), &IDENTITY, 5, 4)
                .unwrap()
                .data,
            src.data
        );
        let far = [[1.0, 0.0, 100.0], [0.0, 1.0, 0.0]];
        let out = warp_affine_u8_fixed(src.view(), &far, 5, 4).unwrap();
        assert!(out.data.iter().all(|&v| v == 0));
        let nan = [[f64::NAN; 3]; 2];
        assert!(warp_affine_u8_fixed(src.view(), &nan, 3, 3).is_ok());
    }
}
