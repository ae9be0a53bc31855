//! Local shading match: the morphed face takes the target's light, keeping its own detail.
//!
//! Pipeline position: part of colour correction, after the global LAB mean/std transfer
//! ([`crate::colour::transfer`]). A global transfer cannot undo *directional* light: a source
//! lit from the left stays bright on the left. Since the warp already put the source's
//! features where the target's are, the two faces differ at low spatial frequencies mainly in
//! lighting and skin tone, so each LAB channel of the face is moved by the difference of the
//! two images' local means: `v' = v − S(v) + S(t)`, with `S` a masked smoothing (normalised
//! convolution `B(w·v) / B(w)`, so pixels outside the face — hair, background — do not leak
//! in). `B` is three box passes approximating a Gaussian of `sigma` pixels.
//!
//! Units: RGB 0–255 in [`crate::patch::Patch`] layout (row-major over the face's box); `sigma`
//! in frame pixels; weights are mask values in `[0, 1]`.

use crate::colour::{lab_to_rgb, rgb_to_lab};

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

/// Three separable box passes with radius chosen so their variance matches `sigma²`.
fn blur(v: &[f64], w: usize, h: usize, sigma: f64) -> Vec<f64> {
    // A box of radius r has variance r(r+1)/3; three passes triple it.
    let r = ((1.0 + 4.0 * sigma * sigma).sqrt() * 0.5 - 0.5)
        .round()
        .max(1.0) as usize;
    let mut a = v.to_vec();
    let mut b = vec![0.0; v.len()];
    for _ in 0..3 {
        box_pass(&a, &mut b, w, h, r, true);
        box_pass(&b, &mut a, w, h, r, false);
    }
    a
}

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

/// Moves the local LAB means of `face` onto those of `target` (both `w × h`, row-major) under
/// `weights`. The shift also applies just outside the weighted area, as far as the smoothing
/// reaches (the Poisson blend reads its boundary values there); pixels farther away are left
/// as they are.
pub fn match_shading(
    face: &mut [[f32; 3]],
    target: &[[f32; 3]],
    weights: &[f32],
    w: usize,
    h: usize,
    sigma: f64,
) {
    let n = w * h;
    if face.len() != n || target.len() != n || weights.len() != n || n == 0 || sigma <= 0.0 {
        return;
    }
    let wt: Vec<f64> = weights.iter().map(|&x| f64::from(x.max(0.0))).collect();
    let norm = blur(&wt, w, h, sigma);
    let face_lab: Vec<[f32; 3]> = face.iter().map(|&p| rgb_to_lab(p)).collect();
    let target_lab: Vec<[f32; 3]> = target.iter().map(|&p| rgb_to_lab(p)).collect();
    let mut shift = vec![[0.0f32; 3]; n];
    for c in 0..3 {
        let fv: Vec<f64> = face_lab.iter().map(|p| f64::from(p[c])).collect();
        let tv: Vec<f64> = target_lab.iter().map(|p| f64::from(p[c])).collect();
        let fm = local_mean(&fv, &wt, &norm, w, h, sigma);
        let tm = local_mean(&tv, &wt, &norm, w, h, sigma);
        for k in 0..n {
            shift[k][c] = (tm[k] - fm[k]) as f32;
        }
    }
    for k in 0..n {
        if norm[k] > 1e-9 {
            let lab = face_lab[k];
            face[k] = lab_to_rgb(std::array::from_fn(|c| lab[c] + shift[k][c]));
        }
    }
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
