//! The soft hull mask: where, and how strongly, the morphed face replaces the target.
//!
//! Pipeline position: after the control points of the target face are known
//! ([`crate::points`]), the mask polygon is the convex hull of its landmarks plus forehead
//! points ([`convex_hull`]). [`soft_mask`] rasterises it over the face's region of interest
//! with a feathered edge that lies wholly *inside* the (padded) polygon: the weight is
//! `smoothstep(0, feather, d + padding)`, where `d` is the distance of the pixel centre to the
//! nearest polygon edge (positive inside). So a pixel outside the padded polygon gets weight
//! exactly 0 and is never written, which is what keeps the rest of the frame bit-identical.
//!
//! Units: pixels of the frame, OpenCV convention (pixel (row r, col c) has its centre at
//! `(x = c, y = r)`); polygons are positively oriented in `(x, y)` (see
//! [`crate::delaunay::orient`]).

use crate::delaunay::{P2, orient};
use liveswap_vision::Rect;

/// Convex hull (Andrew's monotone chain), positively oriented, without collinear points.
/// Fewer than three non-collinear points give what is left (0–2 points).
#[must_use]
pub fn convex_hull(points: &[P2]) -> Vec<P2> {
    let mut pts: Vec<P2> = points
        .iter()
        .copied()
        .filter(|p| p[0].is_finite() && p[1].is_finite())
        .collect();
    pts.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    pts.dedup();
    if pts.len() < 3 {
        return pts;
    }
    let mut lower: Vec<P2> = Vec::new();
    for &p in &pts {
        while lower.len() >= 2 && orient(lower[lower.len() - 2], lower[lower.len() - 1], p) <= 0.0 {
            lower.pop();
        }
        lower.push(p);
    }
    let mut upper: Vec<P2> = Vec::new();
    for &p in pts.iter().rev() {
        while upper.len() >= 2 && orient(upper[upper.len() - 2], upper[upper.len() - 1], p) <= 0.0 {
            upper.pop();
        }
        upper.push(p);
    }
    lower.pop();
    upper.pop();
    lower.extend(upper);
    lower
}

/// Area of a positively oriented polygon in square pixels.
#[must_use]
pub fn polygon_area(poly: &[P2]) -> f64 {
    let n = poly.len();
    let twice: f64 = (0..n)
        .map(|k| {
            let (a, b) = (poly[k], poly[(k + 1) % n]);
            a[0] * b[1] - a[1] * b[0]
        })
        .sum();
    twice.abs() * 0.5
}

/// Signed distance from `p` to the boundary of a convex, positively oriented polygon:
/// positive inside (exact there: the distance to the nearest edge line), negative outside
/// (the largest violated edge distance, a lower bound on the true outside distance).
#[must_use]
pub fn signed_distance(poly: &[P2], p: P2) -> f64 {
    let n = poly.len();
    let mut d = f64::INFINITY;
    for k in 0..n {
        let (a, b) = (poly[k], poly[(k + 1) % n]);
        let len = ((b[0] - a[0]).powi(2) + (b[1] - a[1]).powi(2)).sqrt();
        if len > 0.0 {
            d = d.min(orient(a, b, p) / len);
        }
    }
    d
}

/// Signed distance from `p` to any simple polygon (either orientation): the distance to the
/// nearest edge segment, positive inside (even–odd rule), negative outside.
#[must_use]
pub fn polygon_distance(poly: &[P2], p: P2) -> f64 {
    let n = poly.len();
    let mut inside = false;
    let mut best = f64::INFINITY;
    for k in 0..n {
        let (a, b) = (poly[k], poly[(k + 1) % n]);
        if (a[1] > p[1]) != (b[1] > p[1]) {
            let x = a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
            if p[0] < x {
                inside = !inside;
            }
        }
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len2 = dx * dx + dy * dy;
        let t = if len2 > 0.0 {
            (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (qx, qy) = (a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
        best = best.min((qx * qx + qy * qy).sqrt());
    }
    if inside { best } else { -best }
}

/// Multiplies `weights` (one per pixel of `roi`) by `1 − smoothstep(d / feather)`, where `d`
/// is [`polygon_distance`] to `hole`: pixels deeper than `feather` inside the hole get 0,
/// pixels outside it keep their weight. Used to keep the target's own open mouth.
pub fn cut_hole(weights: &mut [f32], roi: Rect, hole: &[P2], feather: f64) {
    if hole.len() < 3 {
        return;
    }
    let (lo_x, hi_x, lo_y, hi_y) = hole.iter().fold(
        (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ),
        |(a, b, c, d), p| (a.min(p[0]), b.max(p[0]), c.min(p[1]), d.max(p[1])),
    );
    if !(lo_x.is_finite() && hi_x.is_finite() && lo_y.is_finite() && hi_y.is_finite()) {
        return;
    }
    let w = roi.width();
    let x0 = (lo_x.floor().max(roi.x0 as f64) as usize).min(roi.x1);
    let x1 = ((hi_x.ceil() + 1.0).max(0.0) as usize).clamp(x0, roi.x1);
    let y0 = (lo_y.floor().max(roi.y0 as f64) as usize).min(roi.y1);
    let y1 = ((hi_y.ceil() + 1.0).max(0.0) as usize).clamp(y0, roi.y1);
    for y in y0..y1 {
        for x in x0..x1 {
            let d = polygon_distance(hole, [x as f64, y as f64]);
            if d > 0.0 {
                let keep = if feather > 0.0 {
                    1.0 - smoothstep(d / feather)
                } else {
                    0.0
                };
                weights[(y - roi.y0) * w + (x - roi.x0)] *= keep as f32;
            }
        }
    }
}

/// The pixel box that can receive a nonzero weight from [`soft_mask`] with `padding`
/// (`grow = max(padding, 0)` pixels beyond the polygon, mitred at the corners), widened by
/// `margin` pixels and clipped to the `width × height` frame.
#[must_use]
pub fn mask_bounds(poly: &[P2], padding: f64, margin: usize, width: usize, height: usize) -> Rect {
    let grow = padding.max(0.0);
    let n = poly.len();
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for k in 0..n {
        let (prev, v, next) = (poly[(k + n - 1) % n], poly[k], poly[(k + 1) % n]);
        // Outward unit normals of the two edges at `v`; the offset corner is
        // v + grow·(n1 + n2)/(1 + n1·n2).
        let normal = |a: P2, b: P2| {
            let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
            let len = (dx * dx + dy * dy).sqrt().max(1e-12);
            [dy / len, -dx / len]
        };
        let (n1, n2) = (normal(prev, v), normal(v, next));
        let denom = (1.0 + n1[0] * n2[0] + n1[1] * n2[1]).max(0.05);
        for axis in 0..2 {
            let c = v[axis] + grow * (n1[axis] + n2[axis]) / denom;
            lo[axis] = lo[axis].min(c);
            hi[axis] = hi[axis].max(c);
        }
    }
    if !(lo[0].is_finite() && lo[1].is_finite() && hi[0].is_finite() && hi[1].is_finite()) {
        return Rect::default();
    }
    let m = margin as f64;
    let x0 = (lo[0].floor() - m).max(0.0) as usize;
    let y0 = (lo[1].floor() - m).max(0.0) as usize;
    let x1 = (hi[0].ceil() + 1.0 + m).max(0.0) as usize;
    let y1 = (hi[1].ceil() + 1.0 + m).max(0.0) as usize;
    Rect::new(x0, y0, x1, y1).clip(width, height)
}

/// Cubic smoothstep of `t` clamped to `[0, 1]`.
#[inline]
fn smoothstep(t: f64) -> f64 {
    let t = t.clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// Distance in pixels from every pixel centre of `roi` (row-major) to the edge of the convex
/// polygon grown by `padding`: [`signed_distance`]` + padding`, positive inside. A polygon
/// with fewer than three vertices gives `-inf` everywhere.
#[must_use]
pub fn edge_distance(poly: &[P2], roi: Rect, padding: f64) -> Vec<f32> {
    let (w, h) = (roi.width(), roi.height());
    if poly.len() < 3 {
        return vec![f32::NEG_INFINITY; w * h];
    }
    // [`signed_distance`] with each edge's line written once as `a·x + b·y + c` (unit normal):
    // per pixel a multiply-add and a min per edge instead of a square root and a division.
    let n = poly.len();
    let lines: Vec<[f64; 3]> = (0..n)
        .filter_map(|k| {
            let (p, q) = (poly[k], poly[(k + 1) % n]);
            let len = ((q[0] - p[0]).powi(2) + (q[1] - p[1]).powi(2)).sqrt();
            (len > 0.0).then(|| {
                let (ux, uy) = ((q[0] - p[0]) / len, (q[1] - p[1]) / len);
                [-uy, ux, uy * p[0] - ux * p[1]]
            })
        })
        .collect();
    let mut out = Vec::with_capacity(w * h);
    let mut row: Vec<[f64; 2]> = vec![[0.0; 2]; lines.len()];
    for y in 0..h {
        let py = (roi.y0 + y) as f64;
        for (r, l) in row.iter_mut().zip(&lines) {
            *r = [l[0], l[1] * py + l[2]];
        }
        for x in 0..w {
            let px = (roi.x0 + x) as f64;
            let d = row
                .iter()
                .fold(f64::INFINITY, |d, r| d.min(r[0] * px + r[1]));
            out.push((d + padding) as f32);
        }
    }
    out
}

/// `smoothstep(d / feather)` of an [`edge_distance`] value; a `feather` of 0 gives a hard
/// edge (1 strictly inside, else 0).
#[must_use]
pub fn ramp(d: f32, feather: f64) -> f32 {
    if feather > 0.0 {
        smoothstep(f64::from(d) / feather) as f32
    } else if d > 0.0 {
        1.0
    } else {
        0.0
    }
}

/// Weights in `[0, 1]` for every pixel of `roi` (row-major, `roi.width() × roi.height()`):
/// [`ramp`] of the [`edge_distance`] to the polygon grown by `padding`. A polygon with fewer
/// than three vertices gives all zeros.
#[must_use]
pub fn soft_mask(poly: &[P2], roi: Rect, padding: f64, feather: f64) -> Vec<f32> {
    edge_distance(poly, roi, padding)
        .into_iter()
        .map(|d| ramp(d, feather))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    const SQUARE: [P2; 4] = [[10.0, 10.0], [30.0, 10.0], [30.0, 30.0], [10.0, 30.0]];

    #[test]
    fn edge_distance_is_signed_distance_at_every_pixel() {
        // A slanted heptagon (a face-like hull) in a box that also covers its outside.
        let pts: Vec<P2> = (0..7)
            .map(|k| {
                let t = k as f64 * std::f64::consts::TAU / 7.0 + 0.3;
                [50.0 + 30.0 * t.cos(), 45.0 + 38.0 * t.sin()]
            })
            .collect();
        let hull = convex_hull(&pts);
        let roi = Rect::new(12, 3, 91, 88);
        let d = edge_distance(&hull, roi, -2.5);
        assert_eq!(d.len(), roi.width() * roi.height());
        for (k, v) in d.iter().enumerate() {
            let p = [
                (roi.x0 + k % roi.width()) as f64,
                (roi.y0 + k / roi.width()) as f64,
            ];
            let want = signed_distance(&hull, p) - 2.5;
            assert!((f64::from(*v) - want).abs() < 1e-4, "{p:?}: {v} vs {want}");
        }
    }

    #[test]
    fn hull_drops_inner_and_collinear_points() {
        let mut pts = SQUARE.to_vec();
        pts.extend([[20.0, 20.0], [20.0, 10.0], [15.0, 25.0], [10.0, 30.0]]);
        let hull = convex_hull(&pts);
        assert_eq!(hull.len(), 4);
        for k in 0..4 {
            assert!(orient(hull[k], hull[(k + 1) % 4], hull[(k + 2) % 4]) > 0.0);
        }
        assert_eq!(polygon_area(&hull), 400.0);
    }

    #[test]
    fn distances_inside_and_outside() {
        let hull = convex_hull(&SQUARE);
        assert_eq!(signed_distance(&hull, [20.0, 20.0]), 10.0);
        assert_eq!(signed_distance(&hull, [12.0, 25.0]), 2.0);
        assert_eq!(signed_distance(&hull, [5.0, 20.0]), -5.0);
    }

    #[test]
    fn feather_lies_inside_and_outside_is_exactly_zero() {
        let hull = convex_hull(&SQUARE);
        let roi = Rect::new(0, 0, 40, 40);
        let m = soft_mask(&hull, roi, 0.0, 4.0);
        let at = |x: usize, y: usize| m[y * 40 + x];
        assert_eq!(at(20, 20), 1.0);
        assert_eq!(at(10, 20), 0.0); // on the edge
        assert_eq!(at(9, 20), 0.0);
        assert!(at(12, 20) > 0.0 && at(12, 20) < 1.0);
        assert_eq!(at(14, 20), 1.0);
        // Padding moves the edge outwards by that many pixels.
        let grown = soft_mask(&hull, roi, 3.0, 0.0);
        assert_eq!(grown[20 * 40 + 8], 1.0);
        assert_eq!(grown[20 * 40 + 7], 0.0);
        // Every nonzero weight lies inside the bounds.
        let b = mask_bounds(&hull, 3.0, 0, 40, 40);
        for y in 0..40 {
            for x in 0..40 {
                if grown[y * 40 + x] > 0.0 {
                    assert!((b.x0..b.x1).contains(&x) && (b.y0..b.y1).contains(&y));
                }
            }
        }
        assert_eq!(b, Rect::new(7, 7, 34, 34));
        assert!(
            soft_mask(&hull[..2], roi, 0.0, 1.0)
                .iter()
                .all(|&v| v == 0.0)
        );
    }

    #[test]
    fn holes_in_non_convex_polygons() {
        // An L shape: the notch at (25, 15) is outside.
        let l = [
            [10.0, 10.0],
            [20.0, 10.0],
            [20.0, 20.0],
            [30.0, 20.0],
            [30.0, 30.0],
            [10.0, 30.0],
        ];
        assert_eq!(polygon_distance(&l, [15.0, 25.0]), 5.0);
        assert_eq!(polygon_distance(&l, [25.0, 15.0]), -5.0);
        assert_eq!(polygon_distance(&l, [12.0, 15.0]), 2.0);
        let roi = Rect::new(0, 0, 40, 40);
        let mut w = vec![1.0f32; 1600];
        cut_hole(&mut w, roi, &l, 2.0);
        assert_eq!(w[25 * 40 + 15], 0.0);
        assert_eq!(w[15 * 40 + 25], 1.0);
        assert!(w[25 * 40 + 11] > 0.0 && w[25 * 40 + 11] < 1.0);
        assert_eq!(w[5 * 40 + 5], 1.0);
        // A flat (closed-mouth) hole removes next to nothing.
        let mut w = vec![1.0f32; 1600];
        cut_hole(&mut w, roi, &[[5.0, 20.0], [35.0, 20.0], [20.0, 20.2]], 2.0);
        assert!(w.iter().all(|&v| v > 0.99));
    }
}
