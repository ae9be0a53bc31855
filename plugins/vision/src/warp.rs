//! `cv2.warpAffine` (INTER_LINEAR, BORDER_CONSTANT 0) as OpenCV ≥ 4.11 / 5.x computes it.
//!
//! Pipeline position: every face crop (ArcFace 112, landmark 192, swapper 128) and the
//! paste-back of the swapped face into the frame are warps. The oracle was produced with
//! OpenCV 5.0, whose arithmetic `warp_affine_cv5` in `shared/reference/cv_reference.py`
//! specifies; this module follows it step by step:
//!
//! 1. invert `m` in f64 with OpenCV's formula ([`crate::affine::invert_affine`]);
//! 2. per destination row `y`: `mx = f32(y·im[0][1] + im[0][2])`, `my = f32(y·im[1][1] + im[1][2])` (f64 math);
//! 3. per column `x`: `sx = fma(f32(im[0][0]), x, mx)`, `sy = fma(f32(im[1][0]), x, my)` in f32;
//! 4. `ix = floor(sx)`, `fx = sx − ix` (f32), likewise for y;
//! 5. a destination pixel whose tap square lies wholly outside the source (`ix < −1`,
//!    `ix ≥ src_w`, same for y) is the border value 0; otherwise taps outside read 0;
//! 6. `v0 = fma(fx, p01 − p00, p00)`, `v1 = fma(fx, p11 − p10, p10)`, `v = fma(fy, v1 − v0, v0)`;
//! 7. uint8 output rounds half to even and saturates; f32 output keeps `v`.
//!
//! The f32 fma is evaluated as `f32(f64(a)·f64(b) + f64(c))`: the product is exact in f64, so this
//! is the spec's own emulation and is fast without a hardware-fma target feature.
//! Observed against the oracle crops: see `tests/oracle.rs`. The OpenCV ≤ 4.10 fixed-point
//! variant (what Deep-Live-Cam's pinned OpenCV computes) is in [`crate::warp_fixed`].
//!
//! The `_into` variants write only the destination pixels inside a [`Rect`]; every pixel they
//! write is identical to the full-size warp's value there (the coordinate arithmetic depends only
//! on the pixel's own `(x, y)`), which paste-back relies on to touch just a face's box.

use crate::affine::{Affine, invert_affine_cv};
use crate::error::VisionError;
use crate::image::{Image, ImageView, ImageViewMut};
use crate::mask::MaskF32;
use crate::rect::Rect;

/// `f32` fused multiply-add as the reference computes it (exact product, one f64 rounding, then f32).
#[inline]
fn fma32(a: f32, b: f32, c: f32) -> f32 {
    (f64::from(a) * f64::from(b) + f64::from(c)) as f32
}

/// Per-warp constants of the backward map.
struct Cv5Map {
    im: Affine,
    m0: f32,
    m3: f32,
}

/// The source sample position of one destination pixel that passed the border rule.
struct Tap {
    ix: i64,
    iy: i64,
    fx: f32,
    fy: f32,
}

impl Cv5Map {
    fn new(m: &Affine) -> Self {
        let im = invert_affine_cv(m);
        Self {
            im,
            m0: im[0][0] as f32,
            m3: im[1][0] as f32,
        }
    }

    /// Row constants `(mx, my)` for destination row `y`.
    #[inline]
    fn row(&self, y: usize) -> (f32, f32) {
        let y = y as f64;
        (
            (y * self.im[0][1] + self.im[0][2]) as f32,
            (y * self.im[1][1] + self.im[1][2]) as f32,
        )
    }

    /// The tap for column `x`, or `None` when the whole pixel is border (or not finite).
    #[inline]
    fn tap(&self, x: usize, (mx, my): (f32, f32), src_w: usize, src_h: usize) -> Option<Tap> {
        let xf = x as f32;
        let sx = fma32(self.m0, xf, mx);
        let sy = fma32(self.m3, xf, my);
        if !(sx.is_finite() && sy.is_finite()) {
            return None;
        }
        let (ix, iy) = (floor_i64(sx), floor_i64(sy));
        if ix < -1 || ix >= src_w as i64 || iy < -1 || iy >= src_h as i64 {
            return None;
        }
        Some(Tap {
            ix,
            iy,
            fx: sx - ix as f32,
            fy: sy - iy as f32,
        })
    }
}

/// `floor` of a finite f32 as an integer (saturating far outside `i64`, which the border rule
/// rejects anyway); avoids the libm call `f32::floor` costs on baseline x86-64.
#[inline]
fn floor_i64(v: f32) -> i64 {
    let i = v as i64;
    if (i as f32) > v {
        i.saturating_sub(1)
    } else {
        i
    }
}

/// Round half to even and saturate to `u8`, via the `1.5·2^23` trick (exact for the clamped range).
#[inline]
fn round_u8(v: f32) -> u8 {
    const MAGIC: f32 = 12_582_912.0;
    let r = (v.clamp(-1.0, 256.0) + MAGIC) - MAGIC;
    r.clamp(0.0, 255.0) as u8
}

/// The f32 bilinear blend of four taps, in OpenCV 5's fma order.
#[inline]
fn bilerp(p00: f32, p01: f32, p10: f32, p11: f32, fx: f32, fy: f32) -> f32 {
    let v0 = fma32(fx, p01 - p00, p00);
    let v1 = fma32(fx, p11 - p10, p10);
    fma32(fy, v1 - v0, v0)
}

/// Source offsets of the four taps (`None` = outside, reads 0), given the tap position.
#[inline]
fn tap_offsets(t: &Tap, w: usize, h: usize, stride: usize, c: usize) -> [Option<usize>; 4] {
    let at = |dx: i64, dy: i64| {
        let (x, y) = (t.ix + dx, t.iy + dy);
        (x >= 0 && y >= 0 && (x as usize) < w && (y as usize) < h)
            .then(|| y as usize * stride + x as usize * c)
    };
    [at(0, 0), at(1, 0), at(0, 1), at(1, 1)]
}

/// Checks `dst` against `src` channels and returns the region clipped to `dst`.
fn check_into(
    src: &ImageView<'_>,
    dst: &ImageViewMut<'_>,
    region: Rect,
) -> Result<Rect, VisionError> {
    src.validate()?;
    dst.validate()?;
    if src.channels != dst.channels {
        return Err(VisionError::ChannelMismatch {
            src: src.channels,
            dst: dst.channels,
        });
    }
    Ok(region.clip(dst.width, dst.height))
}

/// Warps an 8-bit image into a new `dst_w × dst_h` image (OpenCV 5 arithmetic, border 0).
///
/// # Errors
/// A layout error from [`ImageView::validate`] or [`VisionError::SizeOverflow`].
pub fn warp_affine_u8(
    src: ImageView<'_>,
    m: &Affine,
    dst_w: usize,
    dst_h: usize,
) -> Result<Image, VisionError> {
    src.validate()?;
    let mut out = Image::new(dst_w, dst_h, src.channels)?;
    warp_affine_u8_into(src, m, &mut out.view_mut(), Rect::full(dst_w, dst_h))?;
    Ok(out)
}

/// Warps into an existing image, writing only the destination pixels inside `region`
/// (clipped to `dst`); pixels outside `region` are left untouched.
///
/// # Errors
/// A layout error, or [`VisionError::ChannelMismatch`] when `src` and `dst` differ in channels.
pub fn warp_affine_u8_into(
    src: ImageView<'_>,
    m: &Affine,
    dst: &mut ImageViewMut<'_>,
    region: Rect,
) -> Result<(), VisionError> {
    let r = check_into(&src, dst, region)?;
    let map = Cv5Map::new(m);
    let c = src.channels;
    for y in r.y0..r.y1 {
        let row_k = map.row(y);
        let row = &mut dst.data[y * dst.stride..];
        for x in r.x0..r.x1 {
            let px = &mut row[x * c..x * c + c];
            let Some(t) = map.tap(x, row_k, src.width, src.height) else {
                px.fill(0);
                continue;
            };
            let inside = t.ix >= 0
                && t.iy >= 0
                && ((t.ix + 1) as usize) < src.width
                && ((t.iy + 1) as usize) < src.height;
            if inside {
                // Fast path: all four taps in the source.
                let o = t.iy as usize * src.stride + t.ix as usize * c;
                let (r0, r1) = (
                    &src.data[o..o + 2 * c],
                    &src.data[o + src.stride..o + src.stride + 2 * c],
                );
                for (ch, out) in px.iter_mut().enumerate() {
                    let p = [r0[ch], r0[c + ch], r1[ch], r1[c + ch]].map(f32::from);
                    *out = round_u8(bilerp(p[0], p[1], p[2], p[3], t.fx, t.fy));
                }
                continue;
            }
            let offs = tap_offsets(&t, src.width, src.height, src.stride, c);
            for (ch, out) in px.iter_mut().enumerate() {
                let p = offs.map(|o| o.map_or(0.0, |o| f32::from(src.data[o + ch])));
                *out = round_u8(bilerp(p[0], p[1], p[2], p[3], t.fx, t.fy));
            }
        }
    }
    Ok(())
}

/// Warps an f32 mask into a new `dst_w × dst_h` mask (same algorithm, no rounding, border 0).
///
/// # Errors
/// [`VisionError::BadLength`] for an inconsistent mask, or [`VisionError::SizeOverflow`].
pub fn warp_affine_f32(
    src: &MaskF32,
    m: &Affine,
    dst_w: usize,
    dst_h: usize,
) -> Result<MaskF32, VisionError> {
    src.validate()?;
    let mut out = MaskF32::new(dst_w, dst_h)?;
    warp_affine_f32_into(src, m, &mut out, Rect::full(dst_w, dst_h))?;
    Ok(out)
}

/// Warps an f32 mask into an existing mask, writing only the pixels inside `region`.
///
/// # Errors
/// [`VisionError::BadLength`] when either mask is inconsistent.
pub fn warp_affine_f32_into(
    src: &MaskF32,
    m: &Affine,
    dst: &mut MaskF32,
    region: Rect,
) -> Result<(), VisionError> {
    src.validate()?;
    dst.validate()?;
    let r = region.clip(dst.width, dst.height);
    let map = Cv5Map::new(m);
    for y in r.y0..r.y1 {
        let row_k = map.row(y);
        for x in r.x0..r.x1 {
            let v = map.tap(x, row_k, src.width, src.height).map_or(0.0, |t| {
                let p = tap_offsets(&t, src.width, src.height, src.width, 1)
                    .map(|o| o.map_or(0.0, |o| src.data[o]));
                bilerp(p[0], p[1], p[2], p[3], t.fx, t.fy)
            });
            dst.data[y * dst.width + x] = v;
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::affine::{IDENTITY, warp_bounds};

    fn ramp(w: usize, h: usize, c: usize) -> Image {
        let data = (0..w * h * c).map(|i| (i * 37 % 251) as u8).collect();
        Image::from_vec(data, w, h, c).unwrap()
    }

    #[test]
    fn identity_and_integer_shift_copy_pixels() {
        let src = ramp(7, 5, 3);
        assert_eq!(
            warp_affine_u8(src.view(), &IDENTITY, 7, 5).unwrap().data,
            src.data
        );
        let m = [[1.0, 0.0, 2.0], [0.0, 1.0, 1.0]];
        let out = warp_affine_u8(src.view(), &m, 9, 6).unwrap();
        assert_eq!(out.pixel(2, 1), src.pixel(0, 0));
        assert_eq!(out.pixel(8, 5), src.pixel(6, 4));
        assert_eq!(out.pixel(0, 0), Some(&[0u8, 0, 0][..]));
    }

    #[test]
    fn half_pixel_shift_rounds_half_to_even_and_borders() {
        // One row [10, 11, 20]; shifting right by 0.5 px samples midpoints.
        let src = Image::from_vec(vec![10, 11, 20], 3, 1, 1).unwrap();
        let m = [[1.0, 0.0, 0.5], [0.0, 1.0, 0.0]];
        let out = warp_affine_u8(src.view(), &m, 4, 1).unwrap();
        // x=0 -> sx=-0.5: ix=-1 is allowed, blends border 0 with 10 -> 5.
        // x=1 -> 10.5 -> 10 (ties to even); x=2 -> 15.5 -> 16; x=3 -> sx=2.5: 20 and border -> 10.
        assert_eq!(out.data, vec![5, 10, 16, 10]);
        // Shifting by -1.5: x=2 -> sx=3.5, ix=3 >= width -> whole-pixel border even though
        // tap ix=3 would be blended with weight 0.5 of nothing.
        let m = [[1.0, 0.0, -1.5], [0.0, 1.0, 0.0]];
        let out = warp_affine_u8(src.view(), &m, 3, 1).unwrap();
        assert_eq!(out.data, vec![16, 10, 0]);
    }

    #[test]
    fn region_write_matches_full_warp_and_leaves_rest() {
        let src = ramp(40, 30, 3);
        let m = [[0.83, -0.04, 5.3], [0.04, 0.83, -2.2]];
        let full = warp_affine_u8(src.view(), &m, 50, 40).unwrap();
        let mut part = Image::from_vec(vec![7; 50 * 40 * 3], 50, 40, 3).unwrap();
        let region = Rect::new(10, 5, 33, 27);
        warp_affine_u8_into(src.view(), &m, &mut part.view_mut(), region).unwrap();
        for y in 0..40 {
            for x in 0..50 {
                let inside = (10..33).contains(&x) && (5..27).contains(&y);
                let want = if inside {
                    full.pixel(x, y)
                } else {
                    Some(&[7u8, 7, 7][..])
                };
                assert_eq!(part.pixel(x, y), want, "({x},{y})");
            }
        }
        // Everything outside warp_bounds is border.
        let b = warp_bounds(&m, 40, 30, 50, 40);
        let big = warp_affine_u8(src.view(), &m, 50, 40).unwrap();
        for y in 0..40 {
            for x in 0..50 {
                if !(b.x0..b.x1).contains(&x) || !(b.y0..b.y1).contains(&y) {
                    assert_eq!(big.pixel(x, y), Some(&[0u8, 0, 0][..]));
                }
            }
        }
    }

    #[test]
    fn f32_warp_interpolates_without_rounding_and_checks_channels() {
        let src = MaskF32::from_vec(vec![0.0, 255.0, 255.0, 255.0], 2, 2).unwrap();
        let m = [[1.0, 0.0, -0.25], [0.0, 1.0, 0.0]];
        let out = warp_affine_f32(&src, &m, 2, 2).unwrap();
        assert_eq!(out.data[0], 63.75);
        assert_eq!(out.data[1], 255.0 * 0.75);
        let rgb = ramp(4, 4, 3);
        let mut gray = Image::new(4, 4, 1).unwrap();
        let err = warp_affine_u8_into(
            rgb.view(),
            &IDENTITY,
            &mut gray.view_mut(),
            Rect::full(4, 4),
        );
        assert_eq!(err, Err(VisionError::ChannelMismatch { src: 3, dst: 1 }));
    }

    #[test]
    fn fast_floor_and_rounding_helpers() {
        for v in [-2.5f32, -1.0, -0.25, 0.0, 0.75, 3.0, 1e20, -1e20] {
            assert_eq!(floor_i64(v), v.floor() as i64, "{v}");
        }
        let cases = [
            (0.5, 0),
            (1.5, 2),
            (2.5, 2),
            (254.5, 254),
            (255.4, 255),
            (-0.7, 0),
            (300.0, 255),
        ];
        for (v, want) in cases {
            assert_eq!(round_u8(v), want, "{v}");
        }
        assert_eq!(round_u8(f32::NAN), 0);
    }

    #[test]
    fn degenerate_matrices_do_not_panic() {
        let src = ramp(8, 8, 1);
        for m in [
            [[0.0; 3]; 2],
            [[f64::NAN; 3]; 2],
            [[1e300, 0.0, 0.0], [0.0, 1e-300, 0.0]],
        ] {
            let out = warp_affine_u8(src.view(), &m, 5, 5).unwrap();
            assert_eq!(out.data.len(), 25);
        }
    }
}
