//! Piecewise-affine warp: the source face's texture, triangle by triangle, on the target's
//! geometry.
//!
//! Pipeline position: after the mesh ([`crate::delaunay`], indices into the control points of
//! [`crate::points`]) and before colour transfer. For each triangle, the affine map from the
//! target triangle to the corresponding source triangle is solved exactly from the three
//! vertex pairs; every target pixel centre inside the triangle (and inside the patch
//! rectangle) is mapped back to the source and sampled bilinearly. Only the patch rectangle is
//! visited, never the whole frame.
//!
//! Conventions: pixel centres at integer coordinates (OpenCV); a pixel is inside a triangle
//! when all three edge functions are ≥ −1e-9 of its doubled area, so pixels on shared edges
//! are written by both neighbours with the same value (the two maps agree on the edge).
//! Source samples outside the image clamp to the nearest edge pixel. The coverage mask says
//! which patch pixels some triangle reached.

use crate::delaunay::{P2, orient};
use crate::patch::Patch;
use liveswap_vision::{Affine, ImageView, Rect};

/// The affine map sending triangle `from` onto triangle `to` vertex by vertex, or `None` when
/// `from` is degenerate.
#[must_use]
pub fn triangle_affine(from: [P2; 3], to: [P2; 3]) -> Option<Affine> {
    let [a, b, c] = from;
    let det = orient(a, b, c);
    if det.abs() < 1e-12 || !det.is_finite() {
        return None;
    }
    // Solve [u v 1] per output row: out = m0·x + m1·y + m2 through the three pairs (Cramer).
    let (e1, e2) = ([b[0] - a[0], b[1] - a[1]], [c[0] - a[0], c[1] - a[1]]);
    let row = |k: usize| {
        let (d1, d2) = (to[1][k] - to[0][k], to[2][k] - to[0][k]);
        let m0 = (d1 * e2[1] - d2 * e1[1]) / det;
        let m1 = (d2 * e1[0] - d1 * e2[0]) / det;
        [m0, m1, to[0][k] - m0 * a[0] - m1 * a[1]]
    };
    Some([row(0), row(1)])
}

/// Bilinear sample of an RGB8 image at `(x, y)` with clamp-to-edge.
#[must_use]
pub fn sample_bilinear(src: &ImageView<'_>, x: f64, y: f64) -> [f32; 3] {
    let (w, h) = (src.width, src.height);
    if w == 0 || h == 0 {
        return [0.0; 3];
    }
    let x = if x.is_finite() {
        x.clamp(0.0, (w - 1) as f64)
    } else {
        0.0
    };
    let y = if y.is_finite() {
        y.clamp(0.0, (h - 1) as f64)
    } else {
        0.0
    };
    let (x0, y0) = (x.floor() as usize, y.floor() as usize);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = ((x - x0 as f64) as f32, (y - y0 as f64) as f32);
    let c = src.channels;
    let px = |xx: usize, yy: usize| {
        let o = yy * src.stride + xx * c;
        &src.data[o..o + 3]
    };
    let (p00, p01, p10, p11) = (px(x0, y0), px(x1, y0), px(x0, y1), px(x1, y1));
    let mut out = [0.0f32; 3];
    for (k, o) in out.iter_mut().enumerate() {
        let top = f32::from(p00[k]) + fx * (f32::from(p01[k]) - f32::from(p00[k]));
        let bottom = f32::from(p10[k]) + fx * (f32::from(p11[k]) - f32::from(p10[k]));
        *o = top + fy * (bottom - top);
    }
    out
}

/// Warps `src` through the mesh `tris` (indices into both point lists) from the source
/// geometry `src_pts` onto the destination geometry `dst_pts`, filling the patch over `rect`
/// (frame coordinates). Returns the patch and, per patch pixel, whether a triangle covered it.
#[must_use]
pub fn warp_mesh(
    src: &ImageView<'_>,
    src_pts: &[P2],
    dst_pts: &[P2],
    tris: &[[usize; 3]],
    rect: Rect,
) -> (Patch, Vec<bool>) {
    let mut patch = Patch::zeros(rect);
    let mut covered = vec![false; patch.data.len()];
    let w = rect.width();
    for t in tris {
        if t.iter().any(|&i| i >= src_pts.len() || i >= dst_pts.len()) {
            continue;
        }
        let d = t.map(|i| dst_pts[i]);
        let s = t.map(|i| src_pts[i]);
        let Some(m) = triangle_affine(d, s) else {
            continue;
        };
        let area = orient(d[0], d[1], d[2]);
        let sign = area.signum();
        let eps = -1e-9 * area.abs();
        let lo_x = d.iter().map(|p| p[0]).fold(f64::INFINITY, f64::min).ceil();
        let hi_x = d
            .iter()
            .map(|p| p[0])
            .fold(f64::NEG_INFINITY, f64::max)
            .floor();
        let lo_y = d.iter().map(|p| p[1]).fold(f64::INFINITY, f64::min).ceil();
        let hi_y = d
            .iter()
            .map(|p| p[1])
            .fold(f64::NEG_INFINITY, f64::max)
            .floor();
        // Clip the triangle's pixel box to the patch (saturating casts handle off-frame parts).
        let x0 = lo_x.max(rect.x0 as f64) as usize;
        let y0 = lo_y.max(rect.y0 as f64) as usize;
        let x1 = ((hi_x + 1.0).max(0.0) as usize).min(rect.x1);
        let y1 = ((hi_y + 1.0).max(0.0) as usize).min(rect.y1);
        for y in y0..y1 {
            for x in x0..x1 {
                let p = [x as f64, y as f64];
                let inside = sign * orient(d[1], d[2], p) >= eps
                    && sign * orient(d[2], d[0], p) >= eps
                    && sign * orient(d[0], d[1], p) >= eps;
                if !inside {
                    continue;
                }
                let sx = m[0][0] * p[0] + m[0][1] * p[1] + m[0][2];
                let sy = m[1][0] * p[0] + m[1][1] * p[1] + m[1][2];
                let k = (y - rect.y0) * w + (x - rect.x0);
                patch.data[k] = sample_bilinear(src, sx, sy);
                covered[k] = true;
            }
        }
    }
    (patch, covered)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::delaunay::triangulate;
    use liveswap_vision::Image;
    use liveswap_vision::affine::apply_affine;

    fn ramp(w: usize, h: usize) -> Image {
        let data = (0..w * h * 3).map(|i| (i * 37 % 251) as u8).collect();
        Image::from_vec(data, w, h, 3).unwrap()
    }

    #[test]
    fn affine_maps_vertices() {
        let from = [[1.0, 2.0], [10.0, 3.0], [4.0, 12.0]];
        let to = [[5.0, 5.0], [-3.0, 8.0], [7.5, 20.0]];
        let m = triangle_affine(from, to).unwrap();
        for (f, t) in from.iter().zip(&to) {
            let p = apply_affine(&m, f[0], f[1]);
            assert!((p[0] - t[0]).abs() < 1e-12 && (p[1] - t[1]).abs() < 1e-12);
        }
        assert!(triangle_affine([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]], to).is_none());
    }

    #[test]
    fn identity_mesh_reproduces_pixels_exactly() {
        let img = ramp(40, 30);
        // Irregular points including the image corners, so the mesh covers every pixel.
        let pts: Vec<P2> = vec![
            [0.0, 0.0],
            [39.0, 0.0],
            [39.0, 29.0],
            [0.0, 29.0],
            [13.3, 7.1],
            [25.7, 11.9],
            [8.2, 21.4],
            [30.1, 24.6],
            [19.5, 16.0],
        ];
        let tris = triangulate(&pts);
        let rect = Rect::full(40, 30);
        let (patch, covered) = warp_mesh(&img.view(), &pts, &pts, &tris, rect);
        assert!(covered.iter().all(|&c| c));
        for y in 0..30 {
            for x in 0..40 {
                let got = patch.data[y * 40 + x].map(|v| v.round() as u8);
                assert_eq!(&got[..], img.pixel(x, y).unwrap(), "({x},{y})");
            }
        }
    }

    #[test]
    fn translated_mesh_shifts_pixels_and_respects_the_rect() {
        let img = ramp(40, 30);
        let src: Vec<P2> = vec![[2.0, 2.0], [30.0, 3.0], [5.0, 25.0], [33.0, 27.0]];
        // Destination moved by (+3, +1): the warp samples src at (x − 3, y − 1).
        let dst: Vec<P2> = src.iter().map(|p| [p[0] + 3.0, p[1] + 1.0]).collect();
        let tris = triangulate(&src);
        let rect = Rect::new(10, 8, 25, 20);
        let (patch, covered) = warp_mesh(&img.view(), &src, &dst, &tris, rect);
        assert_eq!(patch.data.len(), 15 * 12);
        for y in 8..20 {
            for x in 10..25 {
                let k = (y - 8) * 15 + (x - 10);
                assert!(covered[k]);
                let got = patch.data[k].map(|v| v.round() as u8);
                assert_eq!(&got[..], img.pixel(x - 3, y - 1).unwrap());
            }
        }
        // Pixels outside every triangle stay uncovered.
        let far = Rect::new(0, 0, 4, 2);
        let (_, c) = warp_mesh(&img.view(), &src, &dst, &tris, far);
        assert!(c.iter().all(|&v| !v));
    }

    #[test]
    fn bilinear_interpolates_and_clamps() {
        let img = Image::from_vec(vec![0, 0, 0, 100, 200, 50], 2, 1, 3).unwrap();
        assert_eq!(sample_bilinear(&img.view(), 0.25, 0.0), [25.0, 50.0, 12.5]);
        assert_eq!(sample_bilinear(&img.view(), -5.0, 3.0), [0.0; 3]);
        assert_eq!(
            sample_bilinear(&img.view(), 9.0, -1.0),
            [100.0, 200.0, 50.0]
        );
    }
}
