//! Local shading match: the morphed face takes the target's light, keeping its own detail.
//!
//! Pipeline position: part of colour correction, after the global LAB mean/std transfer
//! ([`crate::colour::transfer`]). A global transfer cannot undo *directional* light: a source
//! lit from the left stays bright on the left. Since the warp already put the source's
//! features where the target's are, the two faces differ at low spatial frequencies mainly in
//! lighting and skin tone, so each LAB channel of the face is moved by the difference of the
//! two images' local means: `v' = v − S(v) + S(t)`, with `S` a masked smoothing (normalised
//! convolution `B(w·v) / B(w)`, so pixels outside the face — hair, background — do not leak
//! in). `B` is three box passes approximating a Gaussian of `sigma` pixels, run on the weight
//! and the three weighted channel differences together (the shift is linear in `t − v`).
//!
//! Units: RGB 0–255 in [`crate::patch::Patch`] layout (row-major over the face's box); `sigma`
//! in frame pixels; weights are mask values in `[0, 1]`.

#[cfg(test)]
use crate::colour::{rgb_to_lab, to_lab, to_rgb};

#[cfg(test)]
/// One box-blur pass of radius `r` along rows (`step = 1`, `len = w`, `lines = h`) or columns
/// (`step = w`, `len = h`, `lines = w`), with the window clipped at the ends (sum over the
/// pixels inside, so a normalised convolution stays exact at the borders).
fn box_pass(v: &[f64], out: &mut [f64], w: usize, h: usize, r: usize, along_rows: bool) {
    let (len, lines) = if along_rows { (w, h) } else { (h, w) };
    let at = |line: usize, i: usize| {
        if along_rows {
            line * w + i
        } else {
            i * w + line
        }
    };
    for line in 0..lines {
        // Prefix sums along the line.
        let mut prefix = Vec::with_capacity(len + 1);
        prefix.push(0.0);
        let mut s = 0.0;
        for i in 0..len {
            s += v[at(line, i)];
            prefix.push(s);
        }
        for i in 0..len {
            let lo = i.saturating_sub(r);
            let hi = (i + r + 1).min(len);
            out[at(line, i)] = prefix[hi] - prefix[lo];
        }
    }
}

#[cfg(test)]
/// Three separable box passes with radius chosen so their variance matches `sigma²`.
fn blur(v: &[f64], w: usize, h: usize, sigma: f64) -> Vec<f64> {
    let r = box_radius(sigma);
    let mut a = v.to_vec();
    let mut b = vec![0.0; v.len()];
    for _ in 0..3 {
        box_pass(&a, &mut b, w, h, r, true);
        box_pass(&b, &mut a, w, h, r, false);
    }
    a
}

#[cfg(test)]
/// Masked local mean of one channel: `B(w·v) / B(w)` (0 where no weight is near).
fn local_mean(
    v: &[f64],
    weights: &[f64],
    norm: &[f64],
    w: usize,
    h: usize,
    sigma: f64,
) -> Vec<f64> {
    let wv: Vec<f64> = v.iter().zip(weights).map(|(a, b)| a * b).collect();
    blur(&wv, w, h, sigma)
        .into_iter()
        .zip(norm)
        .map(|(s, n)| if *n > 1e-9 { s / n } else { 0.0 })
        .collect()
}

/// [`match_shading_in_lab`] on RGB pixels (the tests' form).
#[cfg(test)]
pub fn match_shading(
    face: &mut [[f32; 3]],
    target: &[[f32; 3]],
    weights: &[f32],
    w: usize,
    h: usize,
    sigma: f64,
) {
    let target_lab = to_lab(target);
    let mut face_lab = to_lab(face);
    match_shading_in_lab(&mut face_lab, &target_lab, weights, w, h, sigma);
    to_rgb(&face_lab, face);
}

/// Moves the local means of `face_lab` onto those of `target_lab` (both CIELAB, `w × h`,
/// row-major) under `weights`. The shift also applies just outside the weighted area, as far
/// as the smoothing reaches (the Poisson blend reads its boundary values there); pixels
/// farther away are left as they are.
pub fn match_shading_in_lab(
    face_lab: &mut [[f32; 3]],
    target_lab: &[[f32; 3]],
    weights: &[f32],
    w: usize,
    h: usize,
    sigma: f64,
) {
    let n = w * h;
    if face_lab.len() != n || target_lab.len() != n || weights.len() != n || n == 0 || sigma <= 0.0
    {
        return;
    }
    // The shift `S(t) − S(f) = B(w·(t − f)) / B(w)` is linear in the difference, so one
    // blur of four interleaved channels (the weight, then the weighted LAB difference) gives
    // it: a single set of passes instead of seven separate blurs.
    let planes: Vec<[f64; 4]> = weights
        .iter()
        .zip(target_lab.iter().zip(face_lab.iter()))
        .map(|(&wk, (t, f))| {
            let wk = f64::from(wk.max(0.0));
            [
                wk,
                wk * f64::from(t[0] - f[0]),
                wk * f64::from(t[1] - f[1]),
                wk * f64::from(t[2] - f[2]),
            ]
        })
        .collect();
    let planes = smooth(planes, w, h, sigma);
    for (lab, b) in face_lab.iter_mut().zip(&planes) {
        let norm = b[0];
        if norm > 1e-9 {
            for c in 0..3 {
                lab[c] += (b[c + 1] / norm) as f32;
            }
        }
    }
}

/// Smallest smoothing, in cells, worth a coarse grid: cells are at most `sigma / 4` pixels.
pub const COARSE_SIGMA_CELLS: f64 = 4.0;

/// Largest relative difference allowed between the variance of the coarse path and that of
/// the pixel path it stands in for (box radii are whole cells, so not every cell size fits).
pub const COARSE_VARIANCE_TOLERANCE: f64 = 0.05;

/// Cell size and coarse box radius for a blur of `sigma` pixels: the largest cell of at most
/// `sigma / COARSE_SIGMA_CELLS` pixels whose three coarse box passes, plus the spread of the
/// cell sums (variance `s²/12`) and of the bilinear read (`s²/6`), give the pixel path's
/// variance (`r(r+1)` for its radius `r`) within [`COARSE_VARIANCE_TOLERANCE`]. `None`: blur
/// every pixel.
fn coarse_grid(sigma: f64) -> Option<(usize, usize)> {
    let r = box_radius(sigma) as f64;
    let fine = r * (r + 1.0);
    let largest = (sigma / COARSE_SIGMA_CELLS) as usize;
    (2..=largest).rev().find_map(|s| {
        let s2 = (s * s) as f64;
        let want = fine / s2 - 0.25;
        // The radius whose r(r+1) is nearest `want`.
        let rc = ((1.0 + 4.0 * want).max(0.0).sqrt() * 0.5 - 0.5)
            .round()
            .max(1.0);
        let got = s2 * (rc * (rc + 1.0) + 0.25);
        ((got - fine).abs() <= COARSE_VARIANCE_TOLERANCE * fine).then_some((s, rc as usize))
    })
}

/// The Gaussian-like blur of [`blur_planes`] with `sigma` in pixels, on a coarser grid when
/// `sigma` spans several cells ([`coarse_grid`]): the planes are summed over `s × s` cells,
/// blurred with the remaining spread, and read back bilinearly at each pixel centre. Why: the
/// shift is smooth on the scale of `sigma` (8 % of the face), so per-pixel blurring of a large
/// face spent most of its work on nothing; the coarse path is `1 / s²` of the passes.
/// Normalised convolutions stay exact: numerator and denominator go through the same linear
/// steps.
fn smooth(mut planes: Vec<[f64; 4]>, w: usize, h: usize, sigma: f64) -> Vec<[f64; 4]> {
    let Some((s, radius)) = coarse_grid(sigma) else {
        blur_planes(&mut planes, w, h, sigma);
        return planes;
    };
    let (cw, ch) = (w.div_ceil(s), h.div_ceil(s));
    let mut cells = vec![[0.0f64; 4]; cw * ch];
    for (k, p) in planes.iter().enumerate() {
        let cell = &mut cells[(k / w / s) * cw + (k % w) / s];
        for (acc, v) in cell.iter_mut().zip(p) {
            *acc += v;
        }
    }
    box_passes(&mut cells, cw, ch, radius);
    let inv = 1.0 / s as f64;
    let coord = |p: usize, cells: usize| {
        let u = ((p as f64 + 0.5) * inv - 0.5).clamp(0.0, (cells - 1) as f64);
        let i = u as usize;
        (i, (i + 1).min(cells - 1), u - i as f64)
    };
    for y in 0..h {
        let (j0, j1, fy) = coord(y, ch);
        for x in 0..w {
            let (i0, i1, fx) = coord(x, cw);
            let at = |j: usize, i: usize| &cells[j * cw + i];
            planes[y * w + x] = std::array::from_fn(|c| {
                let top = at(j0, i0)[c] + fx * (at(j0, i1)[c] - at(j0, i0)[c]);
                let bottom = at(j1, i0)[c] + fx * (at(j1, i1)[c] - at(j1, i0)[c]);
                top + fy * (bottom - top)
            });
        }
    }
    planes
}

/// Three box passes per axis (radius from [`box_radius`]) over `N` interleaved planes at once,
/// in place (the tests check it against a one-plane reference): one box pass of radius `r` is a
/// running window sum along each row, then along each column (the window clipped at the
/// ends, so a normalised convolution stays exact at the borders).
fn blur_planes<const N: usize>(v: &mut [[f64; N]], w: usize, h: usize, sigma: f64) {
    box_passes(v, w, h, box_radius(sigma));
}

/// The three box passes per axis of [`blur_planes`], of radius `r`.
fn box_passes<const N: usize>(v: &mut [[f64; N]], w: usize, h: usize, r: usize) {
    let mut line: Vec<[f64; N]> = Vec::with_capacity(w.max(h));
    let mut run =
        |v: &mut [[f64; N]], len: usize, lines: usize, at: &dyn Fn(usize, usize) -> usize| {
            for l in 0..lines {
                line.clear();
                line.extend((0..len).map(|i| v[at(l, i)]));
                let mut sum = [0.0; N];
                for p in line.iter().take(r.min(len)) {
                    for c in 0..N {
                        sum[c] += p[c];
                    }
                }
                for i in 0..len {
                    if i + r < len {
                        for c in 0..N {
                            sum[c] += line[i + r][c];
                        }
                    }
                    if i > r {
                        for c in 0..N {
                            sum[c] -= line[i - r - 1][c];
                        }
                    }
                    v[at(l, i)] = sum;
                }
            }
        };
    for _ in 0..3 {
        run(v, w, h, &|l, i| l * w + i);
        run(v, h, w, &|l, i| i * w + l);
    }
}

/// The box radius whose three passes have the variance `sigma²`.
fn box_radius(sigma: f64) -> usize {
    // A box of radius r has variance r(r+1)/3; three passes triple it.
    ((1.0 + 4.0 * sigma * sigma).sqrt() * 0.5 - 0.5)
        .round()
        .max(1.0) as usize
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn blur_preserves_constants_and_spreads_impulses() {
        let ones = vec![1.0; 30 * 20];
        let norm = blur(&ones, 30, 20, 3.0);
        let flat = local_mean(&vec![5.0; 600], &ones, &norm, 30, 20, 3.0);
        assert!(flat.iter().all(|v| (v - 5.0).abs() < 1e-9));
        let mut imp = vec![0.0; 600];
        imp[10 * 30 + 15] = 1.0;
        let b = blur(&imp, 30, 20, 3.0);
        let total: f64 = b.iter().sum();
        // Three radius-3 boxes: (7³)² = 117649 in total mass, symmetric around the impulse.
        assert!((total - 117_649.0).abs() < 1e-6);
        assert_eq!(b[10 * 30 + 12], b[10 * 30 + 18]);
    }

    #[test]
    fn interleaved_planes_blur_like_single_planes() {
        let (w, h) = (23, 17);
        let a: Vec<f64> = (0..w * h).map(|k| ((k * 37) % 101) as f64).collect();
        let b: Vec<f64> = (0..w * h).map(|k| ((k * 11) % 7) as f64 - 3.0).collect();
        let mut both: Vec<[f64; 2]> = a.iter().zip(&b).map(|(x, y)| [*x, *y]).collect();
        blur_planes(&mut both, w, h, 2.5);
        for (k, (x, y)) in blur(&a, w, h, 2.5)
            .iter()
            .zip(blur(&b, w, h, 2.5))
            .enumerate()
        {
            assert!((both[k][0] - x).abs() < 1e-6 * x.abs().max(1.0), "{k}");
            assert!((both[k][1] - y).abs() < 1e-6 * y.abs().max(1.0), "{k}");
        }
    }

    #[test]
    fn the_coarse_grid_blur_matches_the_pixel_blur() {
        // A face-like mask (an ellipse with a soft edge) and a shift with a ramp, a bump and
        // pixel noise, as normalised convolutions B(w·v) / B(w) with sigma 16 (4×4 cells).
        let (w, h, sigma) = (130, 110, 16.0);
        assert_eq!(coarse_grid(sigma), Some((3, 5)));
        let planes: Vec<[f64; 4]> = (0..w * h)
            .map(|k| {
                let (x, y) = ((k % w) as f64, (k / w) as f64);
                let r = ((x - 65.0) / 50.0).hypot((y - 55.0) / 42.0);
                let wk = ((1.0 - r) * 8.0).clamp(0.0, 1.0);
                let noise = ((k * 7919) % 13) as f64 - 6.0;
                let v = 0.3 * x - 0.2 * y + 20.0 * (-(r * r) * 4.0).exp() + noise;
                [wk, wk * v, wk * (v * 0.5 + 3.0), wk * noise]
            })
            .collect();
        let mut fine = planes.clone();
        blur_planes(&mut fine, w, h, sigma);
        let coarse = smooth(planes, w, h, sigma);
        let top = fine.iter().map(|p| p[0]).fold(0.0, f64::max);
        let mut worst = 0.0f64;
        for (f, c) in fine.iter().zip(&coarse) {
            // Wherever the face's weight reaches (the morpher shifts those pixels).
            if f[0] > 1e-3 * top {
                for ch in 1..4 {
                    worst = worst.max((f[ch] / f[0] - c[ch] / c[0]).abs());
                }
            }
        }
        // Measured 0.27 (0.03 where the blurred weight is above half its peak); a 4×4 grid
        // without matching the pixel path's variance was 0.97 off.
        assert!(worst < 0.4, "{worst}");
        // A 720p webcam face (sigma 21 px) runs on 4×4 cells; a 360p one (11 px) per pixel.
        assert_eq!(coarse_grid(21.3).map(|g| g.0), Some(4));
        assert_eq!(coarse_grid(11.2), None);
    }

    #[test]
    fn a_lighting_ramp_is_replaced_by_the_targets_and_detail_is_kept() {
        let (w, h) = (40, 30);
        // Face: a left-to-right lighting ramp plus a fine checker (detail); target: flat.
        let face0: Vec<[f32; 3]> = (0..w * h)
            .map(|k| {
                let (x, y) = (k % w, k / w);
                let detail = if (x + y) % 2 == 0 { 6.0 } else { -6.0 };
                [80.0 + 4.0 * x as f32 + detail; 3]
            })
            .collect();
        let target = vec![[140.0f32, 120.0, 110.0]; w * h];
        let weights = vec![1.0f32; w * h];
        let mut face = face0.clone();
        match_shading(&mut face, &target, &weights, w, h, 4.0);
        // Away from the borders: the ramp is gone (left and right halves match) ...
        let l = |k: usize| rgb_to_lab(face[k])[0];
        let (left, right) = (15 * w + 8, 15 * w + 32); // same checker phase
        assert!(
            (l(left) - l(right)).abs() < 1.5,
            "{} vs {}",
            l(left),
            l(right)
        );
        let before = |k: usize| rgb_to_lab(face0[k])[0];
        assert!((before(left) - before(right)).abs() > 20.0);
        // ... the checker detail remains ...
        assert!((l(left) - l(left + 1)).abs() > 2.0);
        // ... and the colour is the target's, in every LAB channel.
        let want = rgb_to_lab(target[0]);
        for (c, want_c) in want.iter().enumerate() {
            let mean: f32 =
                (0..w * h).map(|k| rgb_to_lab(face[k])[c]).sum::<f32>() / (w * h) as f32;
            assert!(
                (mean - want_c).abs() < 1.0,
                "channel {c}: {mean} vs {want_c}"
            );
        }
    }
}
