//! Mask feathering for paste-back: OpenCV-compatible erosion and Gaussian blur on f32 masks.
//!
//! Pipeline position: after the swapper, insightface's `INSwapper.get(paste_back=True)` warps a
//! 255-filled 128×128 mask into the frame, thresholds it (`> 20 → 255`), erodes it with a
//! `k × k` box ([`erode_f32`]), blurs it ([`gaussian_blur_f32`]) and blends with `mask / 255`.
//! [`feather_params`] computes the kernel sizes insightface derives from the mask extent.
//!
//! Conventions (oracle README §4):
//! * erosion uses `ones((k, k))` with the anchor at `(k/2, k/2)` (integer division), so an even
//!   `k` erodes one pixel more on the left/top than on the right/bottom; the border is `+inf`, so
//!   nothing erodes in from the image edge;
//! * the blur is separable with OpenCV's `getGaussianKernel` (f32 kernel, normalised in f64; the
//!   fixed 1/3/5/7-tap tables when `sigma <= 0`), border `BORDER_REFLECT_101`, rows first; the
//!   row pass accumulates left to right with fma and the column pass adds symmetric pairs first,
//!   as OpenCV's SIMD paths do. OpenCV builds with IPP may round differently in the last ulp, so
//!   this is close to, not guaranteed bit-identical with, every `cv2.GaussianBlur`.

use crate::error::VisionError;
use crate::mask::MaskF32;

/// Kernel sizes insightface derives for one paste-back mask.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeatherParams {
    /// `int(sqrt(mask_h · mask_w))`.
    pub mask_size: usize,
    /// Erosion box size `max(mask_size / 10, 10)`.
    pub erode_kernel: usize,
    /// Gaussian kernel size `2·max(mask_size / 20, 5) + 1`.
    pub gaussian_ksize: usize,
}

/// insightface's paste-back kernel sizes from the mask extent (`mask_h`, `mask_w` = max − min of
/// the rows/columns equal to 255, no +1).
#[must_use]
pub fn feather_params(mask_h: usize, mask_w: usize) -> FeatherParams {
    let mask_size = ((mask_h as f64) * (mask_w as f64)).sqrt() as usize;
    FeatherParams {
        mask_size,
        erode_kernel: (mask_size / 10).max(10),
        gaussian_ksize: 2 * (mask_size / 20).max(5) + 1,
    }
}

/// OpenCV's fixed kernels for `sigma <= 0` and `ksize` 1, 3, 5, 7.
const SMALL_GAUSSIAN: [&[f32]; 4] = [
    &[1.0],
    &[0.25, 0.5, 0.25],
    &[0.0625, 0.25, 0.375, 0.25, 0.0625],
    &[
        0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125,
    ],
];

/// `cv::getGaussianKernel(ksize, sigma, CV_32F)`: `sigma <= 0` means
/// `0.3·((ksize − 1)/2 − 1) + 0.8`.
///
/// # Errors
/// [`VisionError::InvalidParameter`] unless `ksize` is odd and positive.
pub fn gaussian_kernel(ksize: usize, sigma: f64) -> Result<Vec<f32>, VisionError> {
    if ksize.is_multiple_of(2) {
        return Err(VisionError::InvalidParameter {
            what: "gaussian ksize must be odd and positive",
        });
    }
    let fixed = (ksize <= 7 && sigma <= 0.0).then(|| SMALL_GAUSSIAN[ksize / 2]);
    let sigma = if sigma > 0.0 {
        sigma
    } else {
        ((ksize as f64 - 1.0) * 0.5 - 1.0) * 0.3 + 0.8
    };
    let scale2 = -0.5 / (sigma * sigma);
    let mut k = Vec::with_capacity(ksize);
    let mut sum = 0.0f64;
    for i in 0..ksize {
        let x = i as f64 - (ksize as f64 - 1.0) * 0.5;
        let t = fixed.map_or_else(|| (scale2 * x * x).exp(), |f| f64::from(f[i])) as f32;
        k.push(t);
        sum += f64::from(t);
    }
    let inv = 1.0 / sum;
    Ok(k.into_iter().map(|v| (f64::from(v) * inv) as f32).collect())
}

/// OpenCV `borderInterpolate` for `BORDER_REFLECT_101` (`gfedcb|abcdefgh|gfedcba`).
fn reflect101(mut p: i64, len: usize) -> usize {
    let n = len as i64;
    if n == 1 {
        return 0;
    }
    while p < 0 || p >= n {
        p = if p < 0 { -p } else { 2 * (n - 1) - p };
    }
    p as usize
}

/// `f32` fma as `f32(f64(a)·f64(b) + f64(c))` (exact product, as in [`crate::warp`]).
#[inline]
fn fma32(a: f32, b: f32, c: f32) -> f32 {
    (f64::from(a) * f64::from(b) + f64::from(c)) as f32
}

/// `cv2.GaussianBlur(mask, (ksize, ksize), sigma)` for a float32 mask with `BORDER_REFLECT_101`.
///
/// # Errors
/// [`VisionError::InvalidParameter`] for an even or zero `ksize`, or a mask layout error.
pub fn gaussian_blur_f32(mask: &MaskF32, ksize: usize, sigma: f64) -> Result<MaskF32, VisionError> {
    mask.validate()?;
    let k = gaussian_kernel(ksize, sigma)?;
    let (w, h) = (mask.width, mask.height);
    let r = ksize / 2;
    if w == 0 || h == 0 {
        return Ok(mask.clone());
    }
    // Row pass: padded row, then left-to-right fma accumulation. The loops run tap-major so
    // that every output of the row advances in step: the same operations in the same order
    // per output as a per-pixel loop (bit-identical), but independent across x, which lets
    // the compiler pipeline and vectorise them instead of waiting on one long f64 chain.
    let mut tmp = vec![0.0f32; w * h];
    let mut padded = vec![0.0f32; w + 2 * r];
    for y in 0..h {
        let row = &mask.data[y * w..(y + 1) * w];
        for (i, p) in padded.iter_mut().enumerate() {
            *p = row[reflect101(i as i64 - r as i64, w)];
        }
        let acc = &mut tmp[y * w..(y + 1) * w];
        for (a, &v) in acc.iter_mut().zip(&padded[..w]) {
            *a = v * k[0];
        }
        for (j, &kj) in k.iter().enumerate().skip(1) {
            for (a, &v) in acc.iter_mut().zip(&padded[j..j + w]) {
                *a = fma32(v, kj, *a);
            }
        }
    }
    // Column pass: centre tap, then symmetric pairs, a whole output row at a time.
    let mut out = MaskF32::new(w, h)?;
    let rows: Vec<usize> = (0..h + 2 * r)
        .map(|i| reflect101(i as i64 - r as i64, h))
        .collect();
    for y in 0..h {
        let centre = rows[y + r] * w;
        let acc = &mut out.data[y * w..(y + 1) * w];
        for (a, &v) in acc.iter_mut().zip(&tmp[centre..centre + w]) {
            *a = k[r] * v;
        }
        for i in 1..=r {
            let (up, down) = (rows[y + r - i] * w, rows[y + r + i] * w);
            let pairs = tmp[up..up + w].iter().zip(&tmp[down..down + w]);
            for (a, (&u, &d)) in acc.iter_mut().zip(pairs) {
                *a = fma32(u + d, k[r + i], *a);
            }
        }
    }
    Ok(out)
}

/// Sliding minimum over `[i − before, i − before + k − 1]` (clipped, i.e. `+inf` padding) for
/// every `i`, in O(n) independent of `k` (van Herk / Gil–Werman: block prefix and suffix minima).
fn min_filter_1d(
    src: &[f32],
    k: usize,
    before: usize,
    out: &mut [f32],
    g: &mut Vec<f32>,
    h: &mut Vec<f32>,
) {
    let n = src.len();
    let len = n + k - 1;
    let at = |j: usize| {
        j.checked_sub(before)
            .and_then(|o| src.get(o))
            .copied()
            .unwrap_or(f32::INFINITY)
    };
    g.clear();
    g.resize(len, f32::INFINITY);
    h.clear();
    h.resize(len, f32::INFINITY);
    for j in 0..len {
        g[j] = if j % k == 0 {
            at(j)
        } else {
            g[j - 1].min(at(j))
        };
    }
    for j in (0..len).rev() {
        h[j] = if j % k == k - 1 || j == len - 1 {
            at(j)
        } else {
            h[j + 1].min(at(j))
        };
    }
    for (i, o) in out.iter_mut().enumerate() {
        *o = h[i].min(g[i + k - 1]);
    }
}

/// `w × h` row-major transpose.
fn transpose(src: &[f32], w: usize, h: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            out[x * h + y] = src[y * w + x];
        }
    }
    out
}

/// `cv2.erode(mask, np.ones((k, k)))`: each pixel becomes the minimum over the `k × k` window
/// with anchor `(k/2, k/2)`, i.e. offsets `−k/2 ..= k − 1 − k/2`; pixels outside the image are
/// ignored (border `+inf`). Separable, O(1) per pixel in `k`.
///
/// # Errors
/// [`VisionError::InvalidParameter`] for `k == 0`, or a mask layout error.
pub fn erode_f32(mask: &MaskF32, k: usize) -> Result<MaskF32, VisionError> {
    mask.validate()?;
    if k == 0 {
        return Err(VisionError::InvalidParameter {
            what: "erode kernel must be at least 1",
        });
    }
    let (w, h) = (mask.width, mask.height);
    let (mut g, mut hh) = (Vec::new(), Vec::new());
    let mut rows = vec![0.0f32; w * h];
    for (src, out) in mask
        .data
        .chunks_exact(w.max(1))
        .zip(rows.chunks_exact_mut(w.max(1)))
    {
        min_filter_1d(src, k, k / 2, out, &mut g, &mut hh);
    }
    let cols_in = transpose(&rows, w, h);
    let mut cols = vec![0.0f32; w * h];
    for (src, out) in cols_in
        .chunks_exact(h.max(1))
        .zip(cols.chunks_exact_mut(h.max(1)))
    {
        min_filter_1d(src, k, k / 2, out, &mut g, &mut hh);
    }
    MaskF32::from_vec(transpose(&cols, h, w), w, h)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn kernels_follow_opencv() {
        assert_eq!(
            gaussian_kernel(5, 0.0).unwrap(),
            vec![0.0625, 0.25, 0.375, 0.25, 0.0625]
        );
        // ksize 11, sigma 0 -> sigma = 0.3*(5-1)+0.8 = 2.0.
        let k = gaussian_kernel(11, 0.0).unwrap();
        let raw: Vec<f64> = (0..11)
            .map(|i| (-((i as f64 - 5.0).powi(2)) / 8.0).exp())
            .collect();
        let s: f64 = raw.iter().sum();
        for (a, b) in k.iter().zip(&raw) {
            assert!((f64::from(*a) - b / s).abs() < 1e-7);
        }
        assert_eq!(k[0], k[10]);
        // An explicit sigma overrides the table.
        assert_ne!(gaussian_kernel(3, 5.0).unwrap(), vec![0.25, 0.5, 0.25]);
        assert!(gaussian_kernel(4, 0.0).is_err());
        assert!(gaussian_kernel(0, 0.0).is_err());
    }

    #[test]
    fn reflect101_indices() {
        let got: Vec<usize> = (-3..8).map(|p| reflect101(p, 5)).collect();
        assert_eq!(got, vec![3, 2, 1, 0, 1, 2, 3, 4, 3, 2, 1]);
        assert_eq!(reflect101(-4, 1), 0);
    }

    #[test]
    fn blur_of_an_impulse_is_the_outer_product_and_uses_reflect101() {
        let mut m = MaskF32::new(9, 9).unwrap();
        m.data[4 * 9 + 4] = 1.0;
        let out = gaussian_blur_f32(&m, 3, 0.0).unwrap();
        assert_eq!(out.get(4, 4), Some(0.25));
        assert_eq!(out.get(3, 4), Some(0.125));
        assert_eq!(out.get(3, 3), Some(0.0625));
        assert_eq!(out.get(2, 4), Some(0.0));
        // Reflect-101 mirrors about the edge pixel itself, so a corner impulse is not doubled
        // (BORDER_REFLECT would give 0.75 × 0.75 = 0.5625 here).
        let mut c = MaskF32::new(4, 4).unwrap();
        c.data[0] = 1.0;
        let out = gaussian_blur_f32(&c, 3, 0.0).unwrap();
        assert_eq!(out.get(0, 0), Some(0.25));
        assert_eq!(out.get(1, 0), Some(0.125));
        // A constant mask stays constant (kernel sums to ~1).
        let flat = MaskF32::filled(20, 7, 255.0).unwrap();
        let out = gaussian_blur_f32(&flat, 17, 0.0).unwrap();
        assert!(out.data.iter().all(|v| (v - 255.0).abs() < 1e-3));
    }

    #[test]
    fn erode_uses_top_left_heavy_anchor_and_inf_border() {
        // A white 10x10 mask with a 1-pixel black dot at (5, 5); k = 4 -> offsets -2..=1.
        let mut m = MaskF32::filled(10, 10, 255.0).unwrap();
        m.data[5 * 10 + 5] = 0.0;
        let out = erode_f32(&m, 4).unwrap();
        let black: Vec<(usize, usize)> = (0..10)
            .flat_map(|y| (0..10).map(move |x| (x, y)))
            .filter(|&(x, y)| out.get(x, y) == Some(0.0))
            .collect();
        // Pixel x is black when 5 is in [x-2, x+1], i.e. x in 4..=7.
        let want: Vec<(usize, usize)> =
            (4..=7).flat_map(|y| (4..=7).map(move |x| (x, y))).collect();
        assert_eq!(black, want);
        // Image borders do not erode (+inf border).
        assert_eq!(out.get(0, 0), Some(255.0));
        assert!(erode_f32(&m, 0).is_err());
        assert_eq!(erode_f32(&m, 1).unwrap(), m);
        assert_eq!(
            erode_f32(&MaskF32::new(0, 3).unwrap(), 5)
                .unwrap()
                .data
                .len(),
            0
        );
    }

    #[test]
    fn fast_erode_equals_brute_force() {
        let (w, h) = (23, 17);
        let data: Vec<f32> = (0..w * h).map(|i| ((i * 7919) % 101) as f32).collect();
        let m = MaskF32::from_vec(data, w, h).unwrap();
        for k in [1, 2, 3, 4, 7, 10, 16, 30] {
            let fast = erode_f32(&m, k).unwrap();
            let (b, a) = (k / 2, k - 1 - k / 2);
            for y in 0..h {
                for x in 0..w {
                    let mut want = f32::INFINITY;
                    for yy in y.saturating_sub(b)..(y + a + 1).min(h) {
                        for xx in x.saturating_sub(b)..(x + a + 1).min(w) {
                            want = want.min(m.data[yy * w + xx]);
                        }
                    }
                    assert_eq!(fast.get(x, y), Some(want), "k={k} ({x},{y})");
                }
            }
        }
    }

    #[test]
    fn feather_params_follow_insightface() {
        let p = feather_params(160, 160);
        assert_eq!(
            (p.mask_size, p.erode_kernel, p.gaussian_ksize),
            (160, 16, 17)
        );
        let p = feather_params(50, 60);
        assert_eq!(
            (p.mask_size, p.erode_kernel, p.gaussian_ksize),
            (54, 10, 11)
        );
    }
}
