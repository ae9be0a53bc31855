//! Colour transfer in CIELAB: the warped source face takes on the target's skin tone and light.
//!
//! Pipeline position: after the warp, before sharpening and blending. Both the warped source
//! patch and the target's pixels under it are converted to CIELAB (sRGB with the standard
//! transfer curve, D65 white, L in 0–100); for each channel the source's weighted mean and
//! standard deviation inside the face mask are mapped onto the target's
//! (`v' = (v − μs)·σt/σs + μt`, Reinhard et al. 2001), and the result is converted back.
//! The std ratio is limited to [`MAX_STD_RATIO`] either way, so a flat source region cannot
//! explode noise.
//!
//! Units: RGB values are 0–255 f32 (not clamped until written back); weights are mask values
//! in `[0, 1]`.

/// Largest factor by which a channel's contrast may be scaled (and smallest, its inverse).
pub const MAX_STD_RATIO: f32 = 2.5;

/// D65 reference white (XYZ, Y = 1).
const WHITE: [f32; 3] = [0.950_47, 1.0, 1.088_83];

fn srgb_to_linear_exact(v: f32) -> f32 {
    let v = v / 255.0;
    if v <= 0.040_45 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

fn linear_to_srgb_exact(v: f32) -> f32 {
    let s = if v <= 0.003_130_8 {
        v * 12.92
    } else {
        1.055 * v.max(0.0).powf(1.0 / 2.4) - 0.055
    };
    s * 255.0
}

fn lab_f_exact(t: f32) -> f32 {
    const D: f32 = 6.0 / 29.0;
    if t > D * D * D {
        t.cbrt()
    } else {
        t / (3.0 * D * D) + 4.0 / 29.0
    }
}

/// A curve sampled at `N + 1` evenly spaced points over `[lo, hi]`, read with linear
/// interpolation; arguments outside the range use the exact function. Why: the morpher
/// converts every face pixel to CIELAB and back several times a frame, and `powf`/`cbrt`
/// were most of that cost. With the sizes below the interpolation error stays under 2e-5 of
/// full scale (≈ 0.005 of an 8-bit level, 0.002 L units), far below what any step rounds to.
struct Table {
    lo: f32,
    scale: f32,
    values: Vec<f32>,
    exact: fn(f32) -> f32,
}

impl Table {
    fn new(lo: f32, hi: f32, n: usize, exact: fn(f32) -> f32) -> Self {
        let values = (0..=n)
            .map(|i| exact(lo + (hi - lo) * i as f32 / n as f32))
            .collect();
        Self {
            lo,
            scale: n as f32 / (hi - lo),
            values,
            exact,
        }
    }

    #[inline]
    fn get(&self, v: f32) -> f32 {
        let x = (v - self.lo) * self.scale;
        // The range test is false for NaN too, which then goes to the exact function.
        if !(0.0..((self.values.len() - 1) as f32)).contains(&x) {
            return (self.exact)(v);
        }
        let i = x as usize;
        let f = x - i as f32;
        self.values[i] + f * (self.values[i + 1] - self.values[i])
    }
}

fn tables() -> &'static [Table; 3] {
    static TABLES: std::sync::OnceLock<[Table; 3]> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        [
            Table::new(0.0, 255.0, 1024, srgb_to_linear_exact),
            Table::new(0.0, 1.0, 4096, linear_to_srgb_exact),
            Table::new(0.0, 1.1, 4096, lab_f_exact),
        ]
    })
}

#[inline]
fn srgb_to_linear(v: f32) -> f32 {
    tables()[0].get(v)
}

#[inline]
fn linear_to_srgb(v: f32) -> f32 {
    tables()[1].get(v)
}

#[inline]
fn lab_f(t: f32) -> f32 {
    tables()[2].get(t)
}

fn lab_f_inv(t: f32) -> f32 {
    const D: f32 = 6.0 / 29.0;
    if t > D {
        t * t * t
    } else {
        3.0 * D * D * (t - 4.0 / 29.0)
    }
}

/// sRGB (0–255) → CIELAB (L 0–100, a/b roughly −128–127).
#[must_use]
pub fn rgb_to_lab(rgb: [f32; 3]) -> [f32; 3] {
    let [r, g, b] = rgb.map(srgb_to_linear);
    let x = 0.412_456_4 * r + 0.357_576_1 * g + 0.180_437_5 * b;
    let y = 0.212_672_9 * r + 0.715_152_2 * g + 0.072_175 * b;
    let z = 0.019_333_9 * r + 0.119_192 * g + 0.950_304_1 * b;
    let (fx, fy, fz) = (
        lab_f(x / WHITE[0]),
        lab_f(y / WHITE[1]),
        lab_f(z / WHITE[2]),
    );
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// CIELAB → sRGB (0–255, not clamped).
#[must_use]
pub fn lab_to_rgb(lab: [f32; 3]) -> [f32; 3] {
    let fy = (lab[0] + 16.0) / 116.0;
    let fx = fy + lab[1] / 500.0;
    let fz = fy - lab[2] / 200.0;
    let (x, y, z) = (
        WHITE[0] * lab_f_inv(fx),
        WHITE[1] * lab_f_inv(fy),
        WHITE[2] * lab_f_inv(fz),
    );
    let r = 3.240_454_2 * x - 1.537_138_5 * y - 0.498_531_4 * z;
    let g = -0.969_266 * x + 1.876_010_8 * y + 0.041_556 * z;
    let b = 0.055_643_4 * x - 0.204_025_9 * y + 1.057_225_2 * z;
    [r, g, b].map(linear_to_srgb)
}

/// Weighted per-channel mean and standard deviation.
fn stats(lab: &[[f32; 3]], weights: &[f32]) -> Option<([f64; 3], [f64; 3])> {
    let (mut sw, mut s1, mut s2) = (0.0f64, [0.0f64; 3], [0.0f64; 3]);
    for (v, &w) in lab.iter().zip(weights) {
        if w <= 0.0 {
            continue;
        }
        let w = f64::from(w);
        sw += w;
        for c in 0..3 {
            s1[c] += w * f64::from(v[c]);
            s2[c] += w * f64::from(v[c]) * f64::from(v[c]);
        }
    }
    if sw <= 0.0 {
        return None;
    }
    let mean = s1.map(|s| s / sw);
    let mut std = [0.0; 3];
    for c in 0..3 {
        std[c] = (s2[c] / sw - mean[c] * mean[c]).max(0.0).sqrt();
    }
    Some((mean, std))
}

/// [`transfer_lab`] on RGB pixels (the tests' form).
#[cfg(test)]
pub fn transfer(face: &mut [[f32; 3]], target: &[[f32; 3]], weights: &[f32]) -> bool {
    let target_lab = to_lab(target);
    let mut face_lab = to_lab(face);
    let moved = transfer_lab(&mut face_lab, &target_lab, weights);
    to_rgb(&face_lab, face);
    moved
}

/// Every pixel of `rgb` (0–255) in CIELAB.
#[must_use]
pub fn to_lab(rgb: &[[f32; 3]]) -> Vec<[f32; 3]> {
    rgb.iter().map(|&p| rgb_to_lab(p)).collect()
}

/// Writes `lab` back to `rgb` (0–255, not clamped); the slices have the same length.
pub fn to_rgb(lab: &[[f32; 3]], rgb: &mut [[f32; 3]]) {
    for (p, &v) in rgb.iter_mut().zip(lab) {
        *p = lab_to_rgb(v);
    }
}

/// Moves the colour statistics of `face_lab` (only pixels with `weight > 0` count; all pixels
/// are changed) onto those of `target_lab` under the same weights, both in CIELAB. The morpher
/// keeps the face in CIELAB from here through the shading match, converting it once each way.
/// Returns false, changing nothing, when no weight is positive.
pub fn transfer_lab(face_lab: &mut [[f32; 3]], target_lab: &[[f32; 3]], weights: &[f32]) -> bool {
    let (Some((ms, ss)), Some((mt, st))) = (stats(face_lab, weights), stats(target_lab, weights))
    else {
        return false;
    };
    let ratio: [f32; 3] = std::array::from_fn(|c| {
        let r = if ss[c] > 1e-6 { st[c] / ss[c] } else { 1.0 };
        (r as f32).clamp(1.0 / MAX_STD_RATIO, MAX_STD_RATIO)
    });
    for lab in face_lab.iter_mut() {
        *lab = std::array::from_fn(|c| (lab[c] - ms[c] as f32) * ratio[c] + mt[c] as f32);
    }
    true
}

/// Which pixels look like the face itself: LAB colour within `spread` × the 75th-percentile
/// distance (at least [`MIN_TYPICAL_RADIUS`]) of the median colour of the pixels with
/// `weight >= 0.5`. Hair, background and teeth at the face's edge come out `false`; the
/// Poisson blend uses only such typical pixels as boundary values.
#[must_use]
pub fn typical(pixels: &[[f32; 3]], weights: &[f32], spread: f32) -> Vec<bool> {
    typical_lab(&to_lab(pixels), weights, spread)
}

/// [`typical`] of pixels already in CIELAB.
#[must_use]
pub fn typical_lab(lab: &[[f32; 3]], weights: &[f32], spread: f32) -> Vec<bool> {
    let core: Vec<[f32; 3]> = lab
        .iter()
        .zip(weights)
        .filter(|(_, w)| **w >= 0.5)
        .map(|(v, _)| *v)
        .collect();
    if core.is_empty() {
        return vec![false; lab.len()];
    }
    // Order statistics by selection (linear time), not a full sort: same values.
    let median: [f32; 3] = std::array::from_fn(|c| {
        let mut v: Vec<f32> = core.iter().map(|p| p[c]).collect();
        let mid = v.len() / 2;
        *v.select_nth_unstable_by(mid, f32::total_cmp).1
    });
    let dist = |p: &[f32; 3]| {
        ((p[0] - median[0]).powi(2) + (p[1] - median[1]).powi(2) + (p[2] - median[2]).powi(2))
            .sqrt()
    };
    let mut d: Vec<f32> = core.iter().map(dist).collect();
    let q3 = d.len() * 3 / 4;
    let radius = spread
        * d.select_nth_unstable_by(q3, f32::total_cmp)
            .1
            .max(MIN_TYPICAL_RADIUS);
    lab.iter().map(|p| dist(p) <= radius).collect()
}

/// Smallest 75th-percentile radius used by [`typical`] (LAB units), for very flat faces.
pub const MIN_TYPICAL_RADIUS: f32 = 4.0;

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn lab_round_trip_over_the_rgb_cube() {
        let mut worst = 0.0f32;
        for r in (0..=255).step_by(15) {
            for g in (0..=255).step_by(15) {
                for b in (0..=255).step_by(15) {
                    let rgb = [r, g, b].map(|v: i32| v as f32);
                    let back = lab_to_rgb(rgb_to_lab(rgb));
                    for c in 0..3 {
                        worst = worst.max((back[c] - rgb[c]).abs());
                    }
                }
            }
        }
        assert!(worst < 0.02, "round trip error {worst}");
    }

    #[test]
    fn the_tables_follow_the_exact_curves() {
        let worst = |f: fn(f32) -> f32, g: fn(f32) -> f32, lo: f32, hi: f32| {
            (0..=20_000)
                .map(|i| lo + (hi - lo) * i as f32 / 20_000.0)
                .map(|v| (f(v) - g(v)).abs())
                .fold(0.0f32, f32::max)
        };
        // In 0-255 levels, linear 0-1 and f 0-1 units respectively, inside and outside the
        // tables' ranges.
        assert!(worst(srgb_to_linear, srgb_to_linear_exact, -20.0, 280.0) < 2e-5);
        assert!(worst(linear_to_srgb, linear_to_srgb_exact, -0.1, 1.2) < 5e-3);
        assert!(worst(lab_f, lab_f_exact, -0.1, 1.3) < 2e-5);
        assert!(srgb_to_linear(f32::NAN).is_nan());
    }

    #[test]
    fn known_lab_values() {
        let close = |a: [f32; 3], b: [f32; 3]| a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 0.05);
        assert!(close(rgb_to_lab([255.0; 3]), [100.0, 0.0, 0.0]));
        assert!(close(rgb_to_lab([0.0; 3]), [0.0, 0.0, 0.0]));
        // sRGB red: L 53.24, a 80.09, b 67.20 (CIE, D65).
        assert!(close(rgb_to_lab([255.0, 0.0, 0.0]), [53.24, 80.09, 67.20]));
        assert!(close(rgb_to_lab([128.0; 3]), [53.59, 0.0, 0.0]));
    }

    #[test]
    fn transfer_matches_target_statistics_under_the_mask() {
        // A bluish, low-contrast face onto a warm, higher-contrast target; the last pixel has
        // weight 0 and must not influence the statistics.
        let mut face: Vec<[f32; 3]> = (0..50)
            .map(|i| [60.0 + i as f32 * 0.5, 80.0 + i as f32 * 0.4, 150.0])
            .collect();
        let target: Vec<[f32; 3]> = (0..50)
            .map(|i| {
                [
                    150.0 + i as f32 * 1.5,
                    100.0 + i as f32,
                    80.0 + (i % 7) as f32,
                ]
            })
            .collect();
        let mut weights = vec![1.0; 50];
        weights[49] = 0.0;
        face[49] = [255.0, 0.0, 255.0];
        let lab_before: Vec<[f32; 3]> = face.iter().map(|&p| rgb_to_lab(p)).collect();
        let (_, s0) = stats(&lab_before, &weights).unwrap();
        assert!(transfer(&mut face, &target, &weights));
        let lab_face: Vec<[f32; 3]> = face.iter().map(|&p| rgb_to_lab(p)).collect();
        let lab_target: Vec<[f32; 3]> = target.iter().map(|&p| rgb_to_lab(p)).collect();
        let (mf, sf) = stats(&lab_face, &weights).unwrap();
        let (mt, st) = stats(&lab_target, &weights).unwrap();
        for c in 0..3 {
            assert!(
                (mf[c] - mt[c]).abs() < 0.5,
                "mean {c}: {} vs {}",
                mf[c],
                mt[c]
            );
            // Contrast follows the target, within the ratio limit.
            let r = (st[c] / s0[c]).clamp(1.0 / 2.5, 2.5);
            let want = s0[c] * r;
            assert!(
                (sf[c] - want).abs() < 0.05 * want + 0.1,
                "std {c}: {} vs {want}",
                sf[c]
            );
        }
        assert!(!transfer(&mut face, &target, &[0.0; 50]));
    }

    #[test]
    fn typical_pixels_exclude_hair_and_background() {
        // Skin tones with some spread, plus dark hair and a blue background.
        let mut px: Vec<[f32; 3]> = (0..100)
            .map(|i| [180.0 + (i % 10) as f32, 130.0 + (i % 7) as f32, 110.0])
            .collect();
        let weights: Vec<f32> = (0..100).map(|i| if i < 80 { 1.0 } else { 0.0 }).collect();
        px[90] = [30.0, 25.0, 20.0];
        px[91] = [40.0, 60.0, 200.0];
        px[92] = [183.0, 133.0, 112.0];
        let t = typical(&px, &weights, 2.0);
        assert!(t[..80].iter().filter(|&&v| v).count() >= 76);
        assert!(!t[90] && !t[91] && t[92]);
        assert!(typical(&px, &[0.0; 100], 2.0).iter().all(|&v| !v));
    }
}
