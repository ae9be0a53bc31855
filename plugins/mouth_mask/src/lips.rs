//! The mouth polygon from insightface's 2d106det landmarks, and how `size` grows it.
//!
//! ## Which of the 106 points are the lips
//! 2d106det's mouth is points 52–71 (the contour is 0–32 with 0 at the chin; brows, eyes and
//! nose take 33–51 and 72–105). Read off the oracle's landmarks (`../shared/reference/setA`,
//! insightface 0.7.3 on real photos; e.g. obama.json face 0, in image pixels):
//!
//! | role | indices | obama#0 |
//! |---|---|---|
//! | left / right mouth corner | 52, 61 | (435.5, 319.3), (554.4, 316.9) — within 6 px of the detector's mouth-corner keypoints (438.8, 319.7), (548.8, 318.0) |
//! | upper outer lip, left → right | 64, 63, 71, 67, 68 | 71 = (496.4, 312.2) on the philtrum line; 63 and 67 (y 310.4, 309.9) are the peaks of the Cupid's bow |
//! | lower outer lip, right → left | 58, 59, 53, 56, 55 | 53 = (496.9, 358.7) the lowest lip point, on the same vertical line as 71 |
//! | inner lip line | 65, 66, 62, 70, 69 (upper), 57, 60, 54 (lower) | 62 = (496.2, 318.8), 60 = (496.6, 345.2): between 71 and 53 |
//!
//! So the outer lip outline, walked once around, is [`OUTER_LIP`]. Checked on all 11 faces
//! of the oracle set A (astronaut, biden, obama, t1 ×6, two_people ×2) by the integration
//! test `mouth::lip_indices_outline_the_mouth_on_real_faces`: the outline is a simple
//! polygon, all 8 inner-lip points lie inside it, its corners are the detector's mouth
//! corners, and the chin (0) lies below the lowest lip point (53).
//!
//! ## Growing with `size`
//! `size` 0–100 is `s = size / 100`. Each outline point is pushed away from the outline's
//! centroid `c` by `1 + GROW·s`, and the lower-lip points (58, 59, 53, 56, 55) also move
//! toward the chin by `CHIN_REACH·s` of the vector from the lowest lip point (53) to the chin
//! (0): at 100 the lower edge is 60 % of the way to the chin, the way Deep-Live-Cam's mouth
//! mask reaches down over the lower lip and chin. Every vertex moves outward as `s` grows,
//! so a larger size gives a larger area.

use liveswap_sdk::Point;

/// The outer lip outline, walked once around: left corner, upper lip, right corner, lower lip.
pub const OUTER_LIP: [usize; 12] = [52, 64, 63, 71, 67, 68, 61, 58, 59, 53, 56, 55];
/// The inner lip line (upper left → right, then lower right → left).
pub const INNER_LIP: [usize; 8] = [65, 66, 62, 70, 69, 57, 60, 54];
/// The lower outer lip points, which reach toward the chin as `size` grows.
pub const LOWER_OUTER_LIP: [usize; 5] = [58, 59, 53, 56, 55];
/// The lowest lip point (on the vertical centre line).
pub const LOWER_LIP_MID: usize = 53;
/// The chin (the lowest contour point).
pub const CHIN: usize = 0;

/// Growth of the outline about its centroid at size 100 (+50 %).
pub const GROW: f32 = 0.5;
/// Fraction of the lip → chin distance the lower lip reaches at size 100.
pub const CHIN_REACH: f32 = 0.6;

/// The outer lip outline, or `None` when there are fewer than 106 landmarks or a point is
/// not finite.
pub fn outer_lip(landmarks: &[Point]) -> Option<Vec<Point>> {
    if landmarks.len() < 106 {
        return None;
    }
    let pts: Vec<Point> = OUTER_LIP.iter().map(|&i| landmarks[i]).collect();
    pts.iter()
        .all(|p| p[0].is_finite() && p[1].is_finite())
        .then_some(pts)
}

/// The outline grown for `size` in 0–100 (see the module docs); `size` 0 is the outline itself.
pub fn grown(landmarks: &[Point], size: f32) -> Option<Vec<Point>> {
    let outline = outer_lip(landmarks)?;
    let s = (size / 100.0).clamp(0.0, 1.0);
    let n = outline.len() as f32;
    let c = outline
        .iter()
        .fold([0.0f32; 2], |a, p| [a[0] + p[0] / n, a[1] + p[1] / n]);
    let (chin, low) = (landmarks[CHIN], landmarks[LOWER_LIP_MID]);
    let reach = [
        (chin[0] - low[0]) * CHIN_REACH * s,
        (chin[1] - low[1]) * CHIN_REACH * s,
    ];
    let scale = 1.0 + GROW * s;
    Some(
        OUTER_LIP
            .iter()
            .zip(&outline)
            .map(|(i, p)| {
                let mut q = [c[0] + (p[0] - c[0]) * scale, c[1] + (p[1] - c[1]) * scale];
                if LOWER_OUTER_LIP.contains(i) {
                    q = [q[0] + reach[0], q[1] + reach[1]];
                }
                q
            })
            .collect(),
    )
}

/// Shoelace area of a polygon (absolute value).
pub fn area(poly: &[Point]) -> f32 {
    let n = poly.len();
    let twice: f32 = (0..n)
        .map(|i| {
            let (a, b) = (poly[i], poly[(i + 1) % n]);
            a[0] * b[1] - b[0] * a[1]
        })
        .sum();
    twice.abs() / 2.0
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
pub(crate) mod tests {
    use super::*;

    /// obama.json face 0 of the oracle (insightface 0.7.3), the points this module uses.
    pub(crate) fn obama_landmarks() -> Vec<Point> {
        let mut lm = vec![[0.0f32; 2]; 106];
        let known: [(usize, Point); 21] = [
            (0, [495.9, 425.3]),
            (52, [435.5, 319.3]),
            (53, [496.9, 358.7]),
            (54, [462.2, 338.4]),
            (55, [449.2, 339.4]),
            (56, [468.6, 353.7]),
            (57, [529.5, 336.9]),
            (58, [542.1, 337.2]),
            (59, [524.3, 352.3]),
            (60, [496.6, 345.2]),
            (61, [554.4, 316.9]),
            (62, [496.2, 318.8]),
            (63, [484.1, 310.4]),
            (64, [458.1, 312.2]),
            (65, [444.5, 321.3]),
            (66, [465.2, 317.0]),
            (67, [508.6, 309.9]),
            (68, [533.2, 310.5]),
            (69, [545.7, 319.2]),
            (70, [526.0, 315.6]),
            (71, [496.4, 312.2]),
        ];
        for (i, p) in known {
            lm[i] = p;
        }
        lm
    }

    #[test]
    fn growth_is_monotone_and_reaches_toward_the_chin() {
        let lm = obama_landmarks();
        let mut last = 0.0;
        for size in [0.0, 10.0, 25.0, 50.0, 75.0, 100.0] {
            let a = area(&grown(&lm, size).unwrap());
            assert!(a > last, "size {size}: area {a} after {last}");
            last = a;
        }
        let full = grown(&lm, 100.0).unwrap();
        let lowest = full.iter().map(|p| p[1]).fold(f32::MIN, f32::max);
        assert!(
            lowest > 358.7 + 0.5 * (425.3 - 358.7) && lowest < 425.3,
            "{lowest}"
        );
        assert_eq!(grown(&lm, 0.0).unwrap(), outer_lip(&lm).unwrap());
        assert!(outer_lip(&lm[..100]).is_none());
    }
}
