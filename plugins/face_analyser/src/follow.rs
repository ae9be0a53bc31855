//! Following tracked faces by their 106 landmarks between whole-frame searches.
//!
//! Where: the analyser's per-frame work, with `track_landmarks` on, on the frames between two
//! whole-frame searches (`detect_full_every`), instead of detecting around each tracked face.
//! The landmark model gets each face's box from the previous frame (its crop is 1.5× the box,
//! so a face that moved a little is still inside); the similarity transform that carries the
//! previous landmarks onto the new ones (least squares over all 106, rotation + uniform
//! scale + translation) then moves the previous box and 5 keypoints along. Why: on CPU the
//! detector around a face costs about as much as the landmark model, and the landmarks are
//! needed anyway; face trackers such as MediaPipe's work this way.
//!
//! A face is not followed — the analyser searches the whole frame instead — when its
//! landmarks moved implausibly (scale change beyond [`MAX_SCALE_STEP`], or points that fit
//! no similarity within [`MAX_RESIDUAL`] of the face size), or when the picture inside its
//! box, carried along by that motion, changed by more than [`MAX_APPEARANCE_CHANGE`]
//! ([`Appearance`]). The landmark model always returns a face-shaped set of points, even on
//! a blank frame; the appearance check is what notices that the face left, turned away or was
//! covered.
//!
//! Coordinates: image pixels, x = column, y = row; the box is `[x0, y0, x1, y1]`.

use liveswap_sdk::Point;
use liveswap_vision::ImageView;

/// Largest change of a face's scale from one frame to the next that following accepts.
pub const MAX_SCALE_STEP: f32 = 1.25;
/// Largest root-mean-square distance of the new landmarks from the fitted motion, as a
/// fraction of the face size (`sqrt` of its box area). Talking moves the mouth points by a
/// few percent; a face lost by the landmark model moves them by far more.
pub const MAX_RESIDUAL: f32 = 0.08;

/// Largest mean absolute difference (0–255 levels, over the [`Appearance`] samples) between
/// a face's box last frame and the same points carried into this frame. Motion, talking and
/// compression change a followed face by a few levels; a face replaced by background or
/// darkness changes it by tens.
pub const MAX_APPEARANCE_CHANGE: f32 = 24.0;

/// Samples per side of a face's [`Appearance`] grid.
pub const APPEARANCE_GRID: usize = 12;

/// A face's look last frame: RGB samples on an [`APPEARANCE_GRID`]² grid over the middle 80 %
/// of its box (image pixels, nearest pixel).
#[derive(Debug, Clone, PartialEq)]
pub struct Appearance {
    samples: Vec<[u8; 3]>,
}

/// The grid points of `bbox`, row by row.
fn grid(bbox: [f32; 4]) -> impl Iterator<Item = Point> {
    let (w, h) = (bbox[2] - bbox[0], bbox[3] - bbox[1]);
    (0..APPEARANCE_GRID * APPEARANCE_GRID).map(move |k| {
        let (i, j) = ((k % APPEARANCE_GRID) as f32, (k / APPEARANCE_GRID) as f32);
        let step = 0.8 / (APPEARANCE_GRID - 1) as f32;
        [
            bbox[0] + w * (0.1 + i * step),
            bbox[1] + h * (0.1 + j * step),
        ]
    })
}

fn sample(frame: &ImageView<'_>, p: Point) -> [u8; 3] {
    let clamp = |v: f32, n: usize| (v.round().max(0.0) as usize).min(n.saturating_sub(1));
    frame
        .pixel(clamp(p[0], frame.width), clamp(p[1], frame.height))
        .and_then(|px| px.get(..3))
        .map_or([0; 3], |px| [px[0], px[1], px[2]])
}

impl Appearance {
    /// Samples `frame` (RGB) inside `bbox`.
    #[must_use]
    pub fn of(frame: &ImageView<'_>, bbox: [f32; 4]) -> Self {
        Self {
            samples: grid(bbox).map(|p| sample(frame, p)).collect(),
        }
    }

    /// Mean absolute difference (levels) between these samples, taken in the box `bbox` of
    /// the previous frame, and `frame` at the same points moved by `sim`.
    #[must_use]
    pub fn change(&self, frame: &ImageView<'_>, bbox: [f32; 4], sim: &Similarity) -> f32 {
        let mut sum = 0u32;
        for (old, p) in self.samples.iter().zip(grid(bbox)) {
            let new = sample(frame, sim.apply(p));
            sum += (0..3)
                .map(|c| u32::from(old[c].abs_diff(new[c])))
                .sum::<u32>();
        }
        sum as f32 / (self.samples.len().max(1) * 3) as f32
    }
}

/// `p ↦ [c −s; s c]·p + t`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    /// `scale · cos θ`.
    pub c: f32,
    /// `scale · sin θ`.
    pub s: f32,
    /// Translation.
    pub t: [f32; 2],
}

impl Similarity {
    /// Applies the transform to a point.
    #[must_use]
    pub fn apply(&self, p: Point) -> Point {
        [
            self.c * p[0] - self.s * p[1] + self.t[0],
            self.s * p[0] + self.c * p[1] + self.t[1],
        ]
    }

    /// The uniform scale.
    #[must_use]
    pub fn scale(&self) -> f32 {
        self.c.hypot(self.s)
    }

    /// The box moved along: its centre transformed, its sides scaled (boxes stay upright).
    #[must_use]
    pub fn apply_box(&self, b: [f32; 4]) -> [f32; 4] {
        let centre = self.apply([(b[0] + b[2]) * 0.5, (b[1] + b[3]) * 0.5]);
        let k = self.scale() * 0.5;
        let (hw, hh) = ((b[2] - b[0]) * k, (b[3] - b[1]) * k);
        [
            centre[0] - hw,
            centre[1] - hh,
            centre[0] + hw,
            centre[1] + hh,
        ]
    }
}

/// The least-squares similarity carrying `from` onto `to` (same length, at least 2 points,
/// not all equal) and the root-mean-square distance that remains; `None` when degenerate.
#[must_use]
pub fn fit_similarity(from: &[Point], to: &[Point]) -> Option<(Similarity, f32)> {
    if from.len() != to.len() || from.len() < 2 {
        return None;
    }
    let n = from.len() as f32;
    let mean = |pts: &[Point]| {
        let s = pts
            .iter()
            .fold([0.0f32; 2], |a, p| [a[0] + p[0], a[1] + p[1]]);
        [s[0] / n, s[1] / n]
    };
    let (ma, mb) = (mean(from), mean(to));
    let (mut var, mut dot, mut cross) = (0.0f32, 0.0f32, 0.0f32);
    for (a, b) in from.iter().zip(to) {
        let (ax, ay) = (a[0] - ma[0], a[1] - ma[1]);
        let (bx, by) = (b[0] - mb[0], b[1] - mb[1]);
        var += ax * ax + ay * ay;
        dot += ax * bx + ay * by;
        cross += ax * by - ay * bx;
    }
    if var.is_nan() || var <= 1e-6 {
        return None;
    }
    let (c, s) = (dot / var, cross / var);
    let t = [
        mb[0] - (c * ma[0] - s * ma[1]),
        mb[1] - (s * ma[0] + c * ma[1]),
    ];
    let sim = Similarity { c, s, t };
    let sq: f32 = from
        .iter()
        .zip(to)
        .map(|(a, b)| {
            let p = sim.apply(*a);
            (p[0] - b[0]).powi(2) + (p[1] - b[1]).powi(2)
        })
        .sum();
    Some((sim, (sq / n).sqrt()))
}

/// Whether a face of box `bbox` (last frame) may be followed by the motion `sim` with
/// residual `residual`: see the module docs.
#[must_use]
pub fn plausible(bbox: [f32; 4], sim: &Similarity, residual: f32) -> bool {
    let size = ((bbox[2] - bbox[0]) * (bbox[3] - bbox[1])).max(0.0).sqrt();
    let step = sim.scale();
    size > 0.0
        && (1.0 / MAX_SCALE_STEP..=MAX_SCALE_STEP).contains(&step)
        && residual <= MAX_RESIDUAL * size
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn ring(n: usize) -> Vec<Point> {
        (0..n)
            .map(|i| {
                let a = i as f32 * 0.37;
                [
                    100.0 + 40.0 * a.cos() + (i % 5) as f32,
                    80.0 + 55.0 * a.sin(),
                ]
            })
            .collect()
    }

    #[test]
    fn a_known_motion_is_recovered_and_moves_box_and_points() {
        let from = ring(106);
        let truth = Similarity {
            c: 1.05 * 0.1f32.cos(),
            s: 1.05 * 0.1f32.sin(),
            t: [7.0, -4.0],
        };
        let to: Vec<Point> = from.iter().map(|&p| truth.apply(p)).collect();
        let (sim, residual) = fit_similarity(&from, &to).unwrap();
        assert!(residual < 1e-3, "{residual}");
        assert!((sim.c - truth.c).abs() < 1e-4 && (sim.s - truth.s).abs() < 1e-4);
        assert!((sim.t[0] - truth.t[0]).abs() < 1e-2 && (sim.t[1] - truth.t[1]).abs() < 1e-2);
        // The box keeps upright: its centre moves, its sides scale by 1.05.
        let b = sim.apply_box([60.0, 30.0, 140.0, 130.0]);
        let centre = truth.apply([100.0, 80.0]);
        assert!(((b[0] + b[2]) * 0.5 - centre[0]).abs() < 1e-2);
        assert!(((b[2] - b[0]) - 84.0).abs() < 1e-2 && ((b[3] - b[1]) - 105.0).abs() < 1e-2);
        assert!(plausible([60.0, 30.0, 140.0, 130.0], &sim, residual));
    }

    #[test]
    fn the_appearance_check_tells_a_moved_face_from_a_vanished_one() {
        use liveswap_vision::Image;
        // A textured 200×160 picture, the same moved 5 px right, and a black one.
        let picture = |dx: usize| {
            let mut data = Vec::new();
            for y in 0..160usize {
                for x in 0..200usize {
                    let u = x.saturating_sub(dx);
                    data.extend([
                        (u * 3 % 256) as u8,
                        (y * 2 % 256) as u8,
                        ((u + y) % 200) as u8,
                    ]);
                }
            }
            Image::from_vec(data, 200, 160, 3).unwrap()
        };
        let (before, moved) = (picture(0), picture(5));
        let black = Image::from_vec(vec![0; 200 * 160 * 3], 200, 160, 3).unwrap();
        let bbox = [50.0, 40.0, 130.0, 120.0];
        let look = Appearance::of(&before.view(), bbox);
        let shift = Similarity {
            c: 1.0,
            s: 0.0,
            t: [5.0, 0.0],
        };
        let still = Similarity {
            c: 1.0,
            s: 0.0,
            t: [0.0, 0.0],
        };
        assert!(look.change(&moved.view(), bbox, &shift) < 1.0);
        assert!(look.change(&moved.view(), bbox, &still) > MAX_APPEARANCE_CHANGE / 2.0);
        assert!(look.change(&black.view(), bbox, &shift) > MAX_APPEARANCE_CHANGE);
    }

    #[test]
    fn lost_faces_and_degenerate_points_are_not_followed() {
        let from = ring(106);
        let bbox = [60.0, 30.0, 140.0, 130.0];
        // Points scattered as a landmark model gives on no face: large residual.
        let scattered: Vec<Point> = from
            .iter()
            .enumerate()
            .map(|(i, p)| {
                [
                    p[0] + ((i * 37) % 41) as f32 - 20.0,
                    p[1] + ((i * 53) % 43) as f32 - 21.0,
                ]
            })
            .collect();
        let (sim, residual) = fit_similarity(&from, &scattered).unwrap();
        assert!(!plausible(bbox, &sim, residual), "{residual}");
        // A jump in scale.
        let far: Vec<Point> = from.iter().map(|p| [p[0] * 1.6, p[1] * 1.6]).collect();
        let (sim, residual) = fit_similarity(&from, &far).unwrap();
        assert!(!plausible(bbox, &sim, residual));
        // Degenerate input.
        assert!(fit_similarity(&[[1.0, 1.0]; 5], &from[..5]).is_none());
        assert!(fit_similarity(&from[..3], &from[..4]).is_none());
    }
}
