//! 2×3 affine matrices: the geometry shared by alignment, warping and paste-back.
//!
//! An [`Affine`] `[[a, b, c], [d, e, f]]` maps a **source** point to a **destination** point,
//! `dst = M · [x, y, 1]`, exactly the matrix `cv2.warpAffine` takes and insightface's
//! `estimate_norm` returns (frame → crop). Points use OpenCV's pixel-index convention: the centre
//! of pixel (row r, col c) is (x = c, y = r), with no half-pixel offset.
//!
//! Pipeline position: `align` produces frame → crop matrices, `warp` consumes them, and
//! paste-back uses [`invert_affine`] (crop → frame) plus [`warp_bounds`] to touch only the
//! face's box in the frame.

use crate::rect::Rect;

/// A 2×3 affine matrix in f64, row-major: `[[a, b, c], [d, e, f]]`.
pub type Affine = [[f64; 3]; 2];

/// The identity transform.
pub const IDENTITY: Affine = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]];

/// OpenCV's inversion (`cv::invertAffineTransform`, also used inside `warpAffine`), formula for
/// formula so results are bit-identical; a singular matrix yields the zero-linear-part result
/// OpenCV produces (`D = 0`).
pub(crate) fn invert_affine_cv(m: &Affine) -> Affine {
    let [[m0, m1, m2], [m3, m4, m5]] = *m;
    let d = m0 * m4 - m1 * m3;
    let d = if d != 0.0 { 1.0 / d } else { 0.0 };
    let a11 = m4 * d;
    let a22 = m0 * d;
    let a12 = -m1 * d;
    let a21 = -m3 * d;
    let b1 = -a11 * m2 - a12 * m5;
    let b2 = -a21 * m2 - a22 * m5;
    [[a11, a12, b1], [a21, a22, b2]]
}

/// The inverse transform, bit-identical to `cv2.invertAffineTransform`.
///
/// Returns `None` when the matrix is singular or not finite (OpenCV would return a zero matrix).
#[must_use]
pub fn invert_affine(m: &Affine) -> Option<Affine> {
    let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    if det == 0.0 || !det.is_finite() || m.iter().flatten().any(|v| !v.is_finite()) {
        return None;
    }
    Some(invert_affine_cv(m))
}

/// Maps the point (`x`, `y`) through `m`: `[a·x + b·y + c, d·x + e·y + f]`.
#[must_use]
pub fn apply_affine(m: &Affine, x: f64, y: f64) -> [f64; 2] {
    [
        m[0][0] * x + m[0][1] * y + m[0][2],
        m[1][0] * x + m[1][1] * y + m[1][2],
    ]
}

/// The transform that applies `first` and then `second` (matrix product `second · first`).
#[must_use]
pub fn compose(first: &Affine, second: &Affine) -> Affine {
    let [[a, b, c], [d, e, f]] = *second;
    let [[p, q, r], [s, t, u]] = *first;
    [
        [a * p + b * s, a * q + b * t, a * r + b * u + c],
        [d * p + e * s, d * q + e * t, d * r + e * u + f],
    ]
}

/// A conservative box of the destination pixels that `warp_affine_*` with `m` can set to a
/// non-border value when warping a `src_w × src_h` source into a `dst_w × dst_h` destination.
///
/// The border rule keeps a destination pixel when its back-mapped source coordinate lies in
/// `[-1, src_w) × [-1, src_h)`; this maps that rectangle's corners forward, widens by 2 px for
/// float rounding, and clips. Paste-back warps only this box (`warp_affine_u8_into`). A matrix
/// that is singular or not finite gives the whole destination (the warp then decides).
#[must_use]
pub fn warp_bounds(m: &Affine, src_w: usize, src_h: usize, dst_w: usize, dst_h: usize) -> Rect {
    if invert_affine(m).is_none() {
        return Rect::full(dst_w, dst_h);
    }
    let (w, h) = (src_w as f64, src_h as f64);
    let corners = [(-1.0, -1.0), (w, -1.0), (-1.0, h), (w, h)].map(|(x, y)| apply_affine(m, x, y));
    let min_x = corners.iter().map(|p| p[0]).fold(f64::INFINITY, f64::min);
    let max_x = corners
        .iter()
        .map(|p| p[0])
        .fold(f64::NEG_INFINITY, f64::max);
    let min_y = corners.iter().map(|p| p[1]).fold(f64::INFINITY, f64::min);
    let max_y = corners
        .iter()
        .map(|p| p[1])
        .fold(f64::NEG_INFINITY, f64::max);
    // `as usize` saturates: negative → 0, huge → usize::MAX; `clip` then bounds to the image.
    let x0 = (min_x.floor() - 2.0).max(0.0) as usize;
    let y0 = (min_y.floor() - 2.0).max(0.0) as usize;
    let x1 = (max_x.ceil() + 3.0).max(0.0) as usize;
    let y1 = (max_y.ceil() + 3.0).max(0.0) as usize;
    Rect::new(x0, y0, x1, y1).clip(dst_w, dst_h)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn close(a: &Affine, b: &Affine, tol: f64) -> bool {
        a.iter()
            .flatten()
            .zip(b.iter().flatten())
            .all(|(x, y)| (x - y).abs() <= tol)
    }

    #[test]
    fn invert_round_trip_and_points() {
        let m: Affine = [[0.83, -0.04, -573.9], [0.04, 0.83, -314.5]];
        let im = invert_affine(&m).unwrap();
        assert!(close(&compose(&m, &im), &IDENTITY, 1e-12));
        assert!(close(&compose(&im, &m), &IDENTITY, 1e-12));
        let p = apply_affine(&m, 761.0, 400.0);
        let back = apply_affine(&im, p[0], p[1]);
        assert!((back[0] - 761.0).abs() < 1e-9 && (back[1] - 400.0).abs() < 1e-9);
    }

    #[test]
    fn invert_rejects_singular() {
        assert!(invert_affine(&[[1.0, 2.0, 0.0], [2.0, 4.0, 0.0]]).is_none());
        assert!(invert_affine(&[[f64::NAN, 0.0, 0.0], [0.0, 1.0, 0.0]]).is_none());
        // OpenCV's internal form returns a zero linear part instead.
        let z = invert_affine_cv(&[[0.0; 3]; 2]);
        assert_eq!(z, [[0.0; 3]; 2]);
    }

    #[test]
    fn compose_applies_first_then_second() {
        let scale: Affine = [[2.0, 0.0, 0.0], [0.0, 2.0, 0.0]];
        let shift: Affine = [[1.0, 0.0, 5.0], [0.0, 1.0, -1.0]];
        let m = compose(&scale, &shift);
        assert_eq!(apply_affine(&m, 1.0, 1.0), [7.0, 1.0]);
        let n = compose(&shift, &scale);
        assert_eq!(apply_affine(&n, 1.0, 1.0), [12.0, 0.0]);
    }

    #[test]
    fn warp_bounds_covers_mapped_source() {
        // 10x10 source shifted by (20, 30) into a 100x100 destination.
        let m: Affine = [[1.0, 0.0, 20.0], [0.0, 1.0, 30.0]];
        let r = warp_bounds(&m, 10, 10, 100, 100);
        assert!(r.x0 <= 19 && r.x1 >= 30 && r.y0 <= 29 && r.y1 >= 40);
        assert!(r.x0 >= 15 && r.x1 <= 35);
        assert_eq!(warp_bounds(&m, 10, 10, 25, 25), Rect::new(17, 25, 25, 25));
    }
}
