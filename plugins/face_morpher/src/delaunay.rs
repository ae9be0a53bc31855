//! Delaunay triangulation of a small point set (Bowyer–Watson), the mesh of the piecewise warp.
//!
//! Pipeline position: computed once per source face from its control points
//! ([`crate::points::control_points`], about 170 points in source-image pixels) and reused for
//! every target face and frame; [`crate::warp`] then maps each triangle from the target's
//! control points back to the source's.
//!
//! Coordinates are plain `(x, y)` pairs (image pixels, x = column, y = row); triangles are
//! returned as index triples into the input slice with positive signed area
//! `(b − a) × (c − a) > 0` in those coordinates. The algorithm is the textbook one: a
//! super-triangle far larger than the points (so the hull triangles survive its removal),
//! points inserted in input order, a cavity of triangles whose circumcircle strictly contains
//! the new point, re-fanned from the cavity's boundary. Everything runs in input order with
//! no hashing, so the output is deterministic. Duplicate points (closer than 1e-9 of the set's
//! extent) are skipped and appear in no triangle. O(n²), fine for a few hundred points.

/// A point in pixels.
pub type P2 = [f64; 2];

/// Twice the signed area of `(a, b, c)`; positive when `c` lies to the left of `a → b`.
#[must_use]
pub fn orient(a: P2, b: P2, c: P2) -> f64 {
    (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
}

/// Positive when `d` lies strictly inside the circumcircle of the positively oriented `(a, b, c)`.
#[must_use]
pub fn in_circle(a: P2, b: P2, c: P2, d: P2) -> f64 {
    let (adx, ady) = (a[0] - d[0], a[1] - d[1]);
    let (bdx, bdy) = (b[0] - d[0], b[1] - d[1]);
    let (cdx, cdy) = (c[0] - d[0], c[1] - d[1]);
    let ad = adx * adx + ady * ady;
    let bd = bdx * bdx + bdy * bdy;
    let cd = cdx * cdx + cdy * cdy;
    adx * (bdy * cd - bd * cdy) - ady * (bdx * cd - bd * cdx) + ad * (bdx * cdy - bdy * cdx)
}

/// Delaunay triangles of `points` (index triples, positive orientation). Fewer than three
/// distinct, non-collinear points give an empty list.
#[must_use]
pub fn triangulate(points: &[P2]) -> Vec<[usize; 3]> {
    let finite: Vec<&P2> = points
        .iter()
        .filter(|p| p[0].is_finite() && p[1].is_finite())
        .collect();
    if finite.len() < 3 {
        return Vec::new();
    }
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in &finite {
        for k in 0..2 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    let extent = (hi[0] - lo[0]).max(hi[1] - lo[1]).max(1e-9);
    let mid = [(lo[0] + hi[0]) * 0.5, (lo[1] + hi[1]) * 0.5];
    // A super-triangle ~1000× the set: big enough that removing it leaves the whole hull.
    let s = 1000.0 * extent;
    let n = points.len();
    let mut all: Vec<P2> = points.to_vec();
    all.push([mid[0] - 2.0 * s, mid[1] - s]);
    all.push([mid[0] + 2.0 * s, mid[1] - s]);
    all.push([mid[0], mid[1] + 2.0 * s]);
    let mut tris: Vec<[usize; 3]> = vec![[n, n + 1, n + 2]];
    let dup_eps2 = (1e-9 * extent).powi(2);
    let mut accepted: Vec<usize> = Vec::with_capacity(n);
    for i in 0..n {
        let p = all[i];
        if !(p[0].is_finite() && p[1].is_finite()) {
            continue;
        }
        let duplicate = accepted.iter().any(|&j| {
            let q = all[j];
            (p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) <= dup_eps2
        });
        if duplicate {
            continue;
        }
        accepted.push(i);
        insert(&all, &mut tris, i);
    }
    tris.retain(|t| t.iter().all(|&v| v < n));
    tris
}

/// Inserts point `i`: removes the triangles whose circumcircle contains it and fans the
/// cavity's boundary to it.
fn insert(all: &[P2], tris: &mut Vec<[usize; 3]>, i: usize) {
    let p = all[i];
    let (bad, good): (Vec<[usize; 3]>, Vec<[usize; 3]>) = tris
        .iter()
        .partition(|t| in_circle(all[t[0]], all[t[1]], all[t[2]], p) > 0.0);
    // Boundary edges: edges of the cavity not shared with another cavity triangle. A shared
    // edge appears once in each direction.
    let edges: Vec<(usize, usize)> = bad
        .iter()
        .flat_map(|t| [(t[0], t[1]), (t[1], t[2]), (t[2], t[0])])
        .collect();
    let boundary = edges
        .iter()
        .filter(|&&(a, b)| !edges.iter().any(|&(c, d)| c == b && d == a));
    let mut next = good;
    for &(a, b) in boundary {
        // The cavity is star-shaped from `p`, so (a, b, p) keeps the positive orientation;
        // a numerically flat sliver is dropped rather than added inverted.
        if orient(all[a], all[b], p) > 0.0 {
            next.push([a, b, i]);
        }
    }
    *tris = next;
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::mask::convex_hull;

    /// A deterministic pseudo-random point set (xorshift), in a 300 × 200 box.
    fn scatter(n: usize, seed: u64) -> Vec<P2> {
        let mut s = seed;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s % 1_000_000) as f64 / 1_000_000.0
        };
        (0..n).map(|_| [next() * 300.0, next() * 200.0]).collect()
    }

    fn area2(points: &[P2], t: &[usize; 3]) -> f64 {
        orient(points[t[0]], points[t[1]], points[t[2]])
    }

    /// Checks the Delaunay property, orientation, and that the triangles tile the hull.
    fn check(points: &[P2]) {
        let tris = triangulate(points);
        assert!(!tris.is_empty());
        let extent = 300.0f64;
        for t in &tris {
            assert!(area2(points, t) > 0.0, "{t:?} not positively oriented");
            for (k, q) in points.iter().enumerate() {
                if t.contains(&k) {
                    continue;
                }
                let [a, b, c] = t.map(|v| points[v]);
                // Relative tolerance: the determinant scales with extent⁴.
                assert!(
                    in_circle(a, b, c, *q) <= 1e-9 * extent.powi(4),
                    "point {k} inside the circumcircle of {t:?}"
                );
            }
        }
        // Every point is a vertex of some triangle.
        for k in 0..points.len() {
            assert!(tris.iter().any(|t| t.contains(&k)), "point {k} unused");
        }
        // The triangles tile the convex hull: areas add up to the hull's area (they cannot
        // overlap, being Delaunay with positive orientation, so equal area means full cover).
        let hull = convex_hull(points);
        let hull_area2: f64 = (0..hull.len())
            .map(|k| {
                let (a, b) = (hull[k], hull[(k + 1) % hull.len()]);
                a[0] * b[1] - a[1] * b[0]
            })
            .sum();
        let sum: f64 = tris.iter().map(|t| area2(points, t)).sum();
        assert!(
            (sum - hull_area2.abs()).abs() <= 1e-6 * hull_area2.abs(),
            "triangles cover {sum}, hull {hull_area2}"
        );
    }

    #[test]
    fn random_sets_are_delaunay_and_cover_the_hull() {
        for seed in [1, 7, 42, 1234] {
            check(&scatter(150, seed));
        }
    }

    #[test]
    fn grid_with_cocircular_points_is_covered() {
        // A regular grid: every cell's four corners are cocircular (the degenerate case).
        let grid: Vec<P2> = (0..8)
            .flat_map(|y| (0..9).map(move |x| [f64::from(x) * 10.0, f64::from(y) * 10.0]))
            .collect();
        check(&grid);
        assert_eq!(triangulate(&grid).len(), 2 * 8 * 7);
    }

    #[test]
    fn square_gives_two_triangles_and_output_is_deterministic() {
        let sq = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.5]];
        let t = triangulate(&sq);
        assert_eq!(t.len(), 2);
        assert_eq!(t, triangulate(&sq));
        let pts = scatter(60, 99);
        assert_eq!(triangulate(&pts), triangulate(&pts));
    }

    #[test]
    fn degenerate_inputs() {
        assert!(triangulate(&[]).is_empty());
        assert!(triangulate(&[[0.0, 0.0], [1.0, 1.0]]).is_empty());
        // Collinear points have no triangle.
        assert!(triangulate(&[[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]).is_empty());
        // Duplicates and non-finite points are skipped, not fatal.
        let pts = [
            [0.0, 0.0],
            [5.0, 0.0],
            [0.0, 5.0],
            [5.0, 0.0],
            [f64::NAN, 1.0],
        ];
        let t = triangulate(&pts);
        assert_eq!(t.len(), 1);
        assert!(t.iter().flatten().all(|&v| v != 3 && v != 4));
    }
}
