//! Control points of a face: its 106 landmarks plus points extrapolated beyond them.
//!
//! Pipeline position: both the source face (once) and every target face go through
//! [`control_points`]; the same construction on both sides gives point-for-point
//! correspondences, over which [`crate::delaunay`] builds the mesh and [`crate::warp`] maps
//! triangles.
//!
//! insightface 2d106det index layout (checked by plotting the indices on real faces; "left"
//! is the image's left for a frontal face, i.e. the person's right):
//!
//! | indices | part |
//! |---|---|
//! | 0 | chin |
//! | 1, 9–16, 2–8 | left contour, temple → chin |
//! | 17, 25–32, 18–24 | right contour, temple → chin |
//! | 33–42 | left eye |
//! | 43–51 | left eyebrow |
//! | 52–71 | mouth (inner lip contour [`INNER_MOUTH`]) |
//! | 72–86 | nose |
//! | 87–96 | right eye |
//! | 97–105 | right eyebrow |
//!
//! The landmarks stop at the eyebrows and at the jaw line, so three groups of points are
//! added, all derived from the landmarks alone (so they correspond between faces):
//! * **forehead**: [`FOREHEAD_POINTS`] points on a half-ellipse from temple (1) to temple (17),
//!   whose top lies [`FOREHEAD_HEIGHT`] × face height above the brows' mean, along the face's
//!   chin → brows direction (so it follows a tilted head);
//! * **jaw/cheek extension**: each contour point pushed [`JAW_EXTENSION`] × its distance
//!   further from the landmark centroid, so the mesh reaches just past the jaw line;
//! * **margin ring**: every other contour point and the forehead points scaled by
//!   [`RING_SCALE`] about the centroid, far outside the mask, so the whole blend region (with
//!   padding and feathering) lies inside the mesh.
//!
//! Coordinates: image pixels, x = column, y = row, pixel centres at integer coordinates.

use crate::delaunay::P2;

/// Number of insightface 2d106det landmarks.
pub const LANDMARKS: usize = 106;
/// The face contour, in order from the left temple through the chin to the right temple.
pub const CONTOUR: [usize; 33] = [
    1, 9, 10, 11, 12, 13, 14, 15, 16, 2, 3, 4, 5, 6, 7, 8, 0, 24, 23, 22, 21, 20, 19, 18, 32, 31,
    30, 29, 28, 27, 26, 25, 17,
];
/// The chin landmark.
pub const CHIN: usize = 0;
/// Left temple (top end of the left contour).
pub const LEFT_TEMPLE: usize = 1;
/// Right temple (top end of the right contour).
pub const RIGHT_TEMPLE: usize = 17;
/// Eyebrow landmarks (left 43–51, right 97–105).
pub const BROWS: [usize; 18] = [
    43, 44, 45, 46, 47, 48, 49, 50, 51, 97, 98, 99, 100, 101, 102, 103, 104, 105,
];
/// The inner lip contour (left corner, upper inner lip, right corner, lower inner lip): the
/// mouth opening, where an open target mouth keeps its own teeth.
pub const INNER_MOUTH: [usize; 10] = [52, 65, 66, 62, 70, 69, 61, 57, 60, 54];
/// Forehead points on the arc between the temples.
pub const FOREHEAD_POINTS: usize = 7;
/// Height of the forehead arc's top above the brows, as a fraction of the chin–brow distance.
pub const FOREHEAD_HEIGHT: f64 = 0.22;
/// How far the jaw/cheek extension pushes each contour point, as a fraction of its distance
/// from the landmark centroid.
pub const JAW_EXTENSION: f64 = 0.08;
/// Scale of the margin ring about the landmark centroid.
pub const RING_SCALE: f64 = 1.45;

/// Index ranges of the groups in the output of [`control_points`].
pub mod layout {
    use super::{CONTOUR, FOREHEAD_POINTS, LANDMARKS};
    /// First forehead point.
    pub const FOREHEAD: usize = LANDMARKS;
    /// First jaw-extension point.
    pub const JAW: usize = FOREHEAD + FOREHEAD_POINTS;
    /// First ring point.
    pub const RING: usize = JAW + CONTOUR.len();
    /// Ring points: contour points with even position, then the forehead points.
    pub const RING_LEN: usize = CONTOUR.len().div_ceil(2) + FOREHEAD_POINTS;
    /// Total number of control points.
    pub const TOTAL: usize = RING + RING_LEN;
}

fn add(a: P2, b: P2) -> P2 {
    [a[0] + b[0], a[1] + b[1]]
}
fn sub(a: P2, b: P2) -> P2 {
    [a[0] - b[0], a[1] - b[1]]
}
fn scale(a: P2, s: f64) -> P2 {
    [a[0] * s, a[1] * s]
}
fn mean(points: impl Iterator<Item = P2>) -> P2 {
    let (mut s, mut n) = ([0.0, 0.0], 0.0);
    for p in points {
        s = add(s, p);
        n += 1.0;
    }
    scale(s, 1.0 / f64::max(n, 1.0))
}

/// Why a landmark set cannot be used.
#[derive(Debug, Clone, PartialEq)]
pub enum PointsError {
    /// Not 106 points.
    Count(usize),
    /// A coordinate is NaN or infinite.
    NotFinite,
    /// The chin and the eyebrows coincide (no face height).
    Degenerate,
}

impl std::fmt::Display for PointsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Count(n) => write!(f, "expected {LANDMARKS} landmarks, got {n}"),
            Self::NotFinite => write!(f, "a landmark coordinate is not finite"),
            Self::Degenerate => write!(f, "the landmarks have no extent (chin on the eyebrows)"),
        }
    }
}

/// The landmark centroid of a control-point set (the scaling centre of the extensions).
#[must_use]
pub fn centroid(landmarks: &[P2]) -> P2 {
    mean(landmarks.iter().copied())
}

/// The [`layout::TOTAL`] control points of a face from its 106 landmarks (pixels).
///
/// # Errors
/// [`PointsError`] for a wrong count, non-finite values or a degenerate face.
pub fn control_points(landmarks: &[[f32; 2]]) -> Result<Vec<P2>, PointsError> {
    if landmarks.len() != LANDMARKS {
        return Err(PointsError::Count(landmarks.len()));
    }
    let lm: Vec<P2> = landmarks
        .iter()
        .map(|p| [f64::from(p[0]), f64::from(p[1])])
        .collect();
    if lm.iter().flatten().any(|v| !v.is_finite()) {
        return Err(PointsError::NotFinite);
    }
    let centre = centroid(&lm);
    let brows = mean(BROWS.iter().map(|&i| lm[i]));
    let up = sub(brows, lm[CHIN]);
    let height = (up[0] * up[0] + up[1] * up[1]).sqrt();
    if height < 1e-6 {
        return Err(PointsError::Degenerate);
    }
    let mut out = lm.clone();
    // Forehead: half-ellipse from the right temple (θ = 0) over the top (θ = π/2) to the left
    // temple (θ = π), excluding the temples themselves.
    let (lt, rt) = (lm[LEFT_TEMPLE], lm[RIGHT_TEMPLE]);
    let mid = scale(add(lt, rt), 0.5);
    let half = scale(sub(rt, lt), 0.5);
    let top = add(brows, scale(up, FOREHEAD_HEIGHT));
    let rise = sub(top, mid);
    for k in 1..=FOREHEAD_POINTS {
        let theta = std::f64::consts::PI * k as f64 / (FOREHEAD_POINTS + 1) as f64;
        out.push(add(
            mid,
            add(scale(half, theta.cos()), scale(rise, theta.sin())),
        ));
    }
    let push = |p: P2, s: f64| add(centre, scale(sub(p, centre), s));
    for &i in &CONTOUR {
        out.push(push(lm[i], 1.0 + JAW_EXTENSION));
    }
    for &i in CONTOUR.iter().step_by(2) {
        out.push(push(lm[i], RING_SCALE));
    }
    for k in 0..FOREHEAD_POINTS {
        out.push(push(out[layout::FOREHEAD + k], RING_SCALE));
    }
    Ok(out)
}

/// The points whose convex hull is the face mask: the landmarks and the forehead arc.
#[must_use]
pub fn mask_points(control: &[P2]) -> &[P2] {
    &control[..layout::JAW.min(control.len())]
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
pub(crate) mod tests {
    use super::*;
    use crate::mask::{convex_hull, signed_distance};

    /// A synthetic frontal face: contour on an ellipse, features inside.
    pub(crate) fn synthetic_landmarks(cx: f32, cy: f32, s: f32) -> Vec<[f32; 2]> {
        let mut lm = vec![[cx, cy]; LANDMARKS];
        for (k, &i) in CONTOUR.iter().enumerate() {
            let t = std::f32::consts::PI * k as f32 / 32.0; // 0 = left temple, π = right temple
            lm[i] = [cx - s * t.cos(), cy - 0.1 * s + 1.2 * s * t.sin()];
        }
        for (k, &i) in BROWS.iter().enumerate() {
            let side = if k < 9 { -1.0 } else { 1.0 };
            lm[i] = [cx + side * s * (0.2 + 0.05 * (k % 9) as f32), cy - 0.45 * s];
        }
        // Eyes, nose, mouth: spread on a small grid so they are distinct.
        for (n, i) in (33..43).chain(87..97).chain(52..87).enumerate() {
            if !BROWS.contains(&i) {
                let (gx, gy) = ((n % 9) as f32, (n / 9) as f32);
                lm[i] = [cx + s * (gx - 4.0) * 0.12, cy + s * (gy * 0.15 - 0.25)];
            }
        }
        lm
    }

    #[test]
    fn layout_and_extensions_enclose_the_landmarks() {
        let lm = synthetic_landmarks(100.0, 100.0, 50.0);
        let pts = control_points(&lm).unwrap();
        assert_eq!(pts.len(), layout::TOTAL);
        // The forehead arc is above the brows (smaller y), the ring encloses the mask hull.
        let brow_y = BROWS
            .iter()
            .map(|&i| f64::from(lm[i][1]))
            .fold(f64::MAX, f64::min);
        let arc_top = pts[layout::FOREHEAD + FOREHEAD_POINTS / 2];
        assert!(
            arc_top[1] < brow_y - 5.0,
            "{arc_top:?} vs brows at {brow_y}"
        );
        let hull = convex_hull(mask_points(&pts));
        for p in &pts[layout::RING..] {
            assert!(
                signed_distance(&hull, *p) < -10.0,
                "ring point {p:?} not outside"
            );
        }
        for p in &pts[..layout::JAW] {
            assert!(signed_distance(&hull, *p) >= -1e-9);
        }
    }

    #[test]
    fn forehead_follows_a_rotated_face() {
        // Rotating the landmarks by 90° rotates every control point the same way.
        let lm = synthetic_landmarks(0.0, 0.0, 50.0);
        let rot: Vec<[f32; 2]> = lm.iter().map(|p| [-p[1], p[0]]).collect();
        let (a, b) = (control_points(&lm).unwrap(), control_points(&rot).unwrap());
        for (p, q) in a.iter().zip(&b) {
            assert!((q[0] + p[1]).abs() < 1e-3 && (q[1] - p[0]).abs() < 1e-3);
        }
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert_eq!(control_points(&[[0.0; 2]; 5]), Err(PointsError::Count(5)));
        let mut lm = synthetic_landmarks(0.0, 0.0, 10.0);
        lm[3][0] = f32::NAN;
        assert_eq!(control_points(&lm), Err(PointsError::NotFinite));
        assert_eq!(
            control_points(&[[1.0; 2]; LANDMARKS]),
            Err(PointsError::Degenerate)
        );
    }
}
