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

use crate::colour::{lab_to_rgb, rgb_to_lab};

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

/// [`match_shading_lab`] with the target in RGB (the tests' form).
#[cfg(test)]
pub fn match_shading(
    face: &mut [[f32; 3]],
    target: &[[f32; 3]],
    weights: &[f32],
    w: usize,
    h: usize,
    sigma: f64,
) {
    let target_lab: Vec<[f32; 3]> = target.iter().map(|&p| rgb_to_lab(p)).collect();
    match_shading_lab(face, &target_lab, weights, w, h, sigma);
}

/// Moves the local LAB means of `face` onto those of the target (given in CIELAB; both
/// `w × h`, row-major) under `weights`. The shift also applies just outside the weighted
/// area, as far as the smoothing reaches (the Poisson blend reads its boundary values there);
/// pixels farther away are left as they are.
pub fn match_shading_lab(
    face: &mut [[f32; 3]],
    target_lab: &[[f32; 3]],
    weights: &[f32],
    w: usize,
    h: usize,
    sigma: f64,
) {
    let n = w * h;
    if face.len() != n || target_lab.len() != n || weights.len() != n || n == 0 || sigma <= 0.0 {
        return;
    }
    let face_lab: Vec<[f32; 3]> = face.iter().map(|&p| rgb_to_lab(p)).collect();
    // The shift `S(t) − S(f) = B(w·(t − f)) / B(w)` is linear in the difference, so one
    // blur of four interleaved channels (the weight, then the weighted LAB difference) gives
    // it: a single set of passes instead of seven separate blurs.
    let mut planes: Vec<[f64; 4]> = weights
        .iter()
        .zip(target_lab.iter().zip(&face_lab))
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
    blur_planes(&mut planes, w, h, sigma);
    for (px, (lab, b)) in face.iter_mut().zip(face_lab.iter().zip(&planes)) {
        let norm = b[0];
        if norm > 1e-9 {
            *px = lab_to_rgb(std::array::from_fn(|c| lab[c] + (b[c + 1] / norm) as f32));
        }
    }
}

/// Three box passes per axis (radius from [`box_radius`]) over `N` interleaved planes at once,
/// in place (the tests check it against a one-plane reference): one box pass of radius `r` is a
/// running window sum along each row, then along each column (the window clipped at the
/// ends, so a normalised convolution stays exact at the borders).
fn blur_planes<const N: usize>(v: &mut [[f64; N]], w: usize, h: usize, sigma: f64) {
    let r = box_radius(sigma);
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
