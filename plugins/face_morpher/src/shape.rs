//! Shape transfer: the target's inner features moved toward the source's proportions before
//! the warp, so the morphed face carries the source's eye spacing, nose length, mouth width
//! and brow line instead of only its texture.
//!
//! Pipeline position: [`crate::morph::morph_face`] calls [`transfer_shape`] on the target's
//! 106 landmarks before building the control points the source is warped onto. The mask,
//! the kept mouth opening and the face contour are still the target's own: only the warp's
//! destination of the inner points moves, so the face stays on the head (no seam, no
//! sliding outline) and the blend region is unchanged.
//!
//! How: the source landmarks are fitted to the target's by the least-squares similarity
//! (rotation, uniform scale, translation; Umeyama's closed form in 2-D) over the contour
//! and the eye corners, which fixes where the source face would sit on the target head;
//! then each inner landmark moves `amount` of the way from its target position to the
//! fitted source position. `amount = 0` is the target's shape, 1 the source's.
//!
//! Coordinates: frame pixels, x = column, y = row.

use crate::points::{CONTOUR, LANDMARKS};

/// Landmarks the similarity fit uses: the 33 contour points and the eye centres' rings
/// (left eye 33–42, right eye 87–96). The fit decides position, scale and roll only.
fn fit_indices() -> impl Iterator<Item = usize> {
    CONTOUR.iter().copied().chain(33..=42).chain(87..=96)
}

/// The similarity `p ↦ s·R·p + t` (as `[a, b, tx, ty]` with `s·R = [[a, −b], [b, a]]`) that
/// maps `from` onto `to` in the least-squares sense over `idx`.
fn similarity(from: &[[f32; 2]], to: &[[f32; 2]], idx: &[usize]) -> Option<[f64; 4]> {
    let n = idx.len() as f64;
    let mean = |pts: &[[f32; 2]]| {
        let (mut x, mut y) = (0.0, 0.0);
        for &i in idx {
            x += f64::from(pts[i][0]);
            y += f64::from(pts[i][1]);
        }
        (x / n, y / n)
    };
    let (fx, fy) = mean(from);
    let (tx, ty) = mean(to);
    let (mut sxx, mut sxy, mut norm) = (0.0, 0.0, 0.0);
    for &i in idx {
        let (ax, ay) = (f64::from(from[i][0]) - fx, f64::from(from[i][1]) - fy);
        let (bx, by) = (f64::from(to[i][0]) - tx, f64::from(to[i][1]) - ty);
        sxx += ax * bx + ay * by;
        sxy += ax * by - ay * bx;
        norm += ax * ax + ay * ay;
    }
    if norm <= f64::EPSILON {
        return None;
    }
    let (a, b) = (sxx / norm, sxy / norm);
    Some([a, b, tx - (a * fx - b * fy), ty - (b * fx + a * fy)])
}

/// The target landmarks with their inner features (eyes, brows, nose, mouth: every point
/// not on the contour) moved `amount` (0–1) of the way to the source's, fitted onto the
/// target head. Returns the target unchanged for `amount <= 0` or unusable input.
#[must_use]
pub fn transfer_shape(target: &[[f32; 2]], source: &[[f32; 2]], amount: f32) -> Vec<[f32; 2]> {
    let mut out = target.to_vec();
    if amount <= 0.0 || target.len() != LANDMARKS || source.len() != LANDMARKS {
        return out;
    }
    let idx: Vec<usize> = fit_indices().collect();
    let Some([a, b, tx, ty]) = similarity(source, target, &idx) else {
        return out;
    };
    let amount = f64::from(amount.min(1.0));
    for (i, p) in out.iter_mut().enumerate() {
        if CONTOUR.contains(&i) {
            continue;
        }
        let (sx, sy) = (f64::from(source[i][0]), f64::from(source[i][1]));
        let fitted = [a * sx - b * sy + tx, b * sx + a * sy + ty];
        for c in 0..2 {
            let v = f64::from(p[c]);
            p[c] = (v + amount * (fitted[c] - v)) as f32;
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::points::tests::synthetic_landmarks;

    #[test]
    fn zero_keeps_the_target_and_one_takes_the_fitted_source() {
        let target = synthetic_landmarks(100.0, 100.0, 40.0);
        // The source: the same layout, rotated, scaled and moved, with wider-set eyes.
        let mut source: Vec<[f32; 2]> = target
            .iter()
            .map(|p| {
                let (x, y) = (p[0] - 100.0, p[1] - 100.0);
                let (c, s) = (0.3f32.cos() * 1.7, 0.3f32.sin() * 1.7);
                [c * x - s * y + 300.0, s * x + c * y + 50.0]
            })
            .collect();
        for p in &mut source[33..=42] {
            p[0] -= 8.0;
        }
        assert_eq!(transfer_shape(&target, &source, 0.0), target);
        let full = transfer_shape(&target, &source, 1.0);
        let half = transfer_shape(&target, &source, 0.5);
        for &i in &CONTOUR {
            assert_eq!(full[i], target[i], "the contour stays");
        }
        // The nose (same in both shapes) stays within the fit's residual.
        assert!(
            (full[80][0] - target[80][0]).abs() < 2.0 && (full[80][1] - target[80][1]).abs() < 2.0
        );
        // The wider-set left eye moves outward, half as far at 0.5.
        let moved = |v: &[[f32; 2]]| v[35][0] - target[35][0];
        assert!(moved(&full).abs() > 3.0, "{}", moved(&full));
        assert!((moved(&half) - moved(&full) / 2.0).abs() < 1e-3);
        // Unusable input: unchanged.
        assert_eq!(transfer_shape(&target, &source[..10], 1.0), target);
    }
}
