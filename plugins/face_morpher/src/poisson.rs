//! Seamless (Poisson) blending of the morphed face into the target, on the face patch only.
//!
//! Pipeline position: optional, after colour transfer and sharpening, before the final
//! feathered composite. Inside the blend domain (patch pixels with mask weight > 0) it finds
//! the image `f` whose discrete Laplacian equals the morphed face's (`Δf = Δg`, the guidance
//! field of Pérez et al. 2003) and which equals the target `t` on the domain's boundary. It
//! solves for the correction `d = f − g`, which is harmonic (`Δd = 0`) with boundary values
//! `t − g`: the face keeps its own details and only a smooth shading field is added, so that
//! its edge meets the target without a seam.
//!
//! Discretisation: 5-point stencil over 4-neighbours. A neighbour inside the patch but
//! outside the domain is a Dirichlet value if it is marked `anchor` (it looks like skin in
//! both images, see [`crate::colour::typical`]); other neighbours — not anchors, or outside
//! the patch where the face touches the frame edge — are dropped (Neumann, zero flux), so
//! hair or background on the edge cannot tint the face. The symmetric positive (semi-)definite
//! system is solved by conjugate gradients on all three channels at once, for at most
//! `max_iter` iterations or until the residual falls below `tol` of the right-hand side's
//! norm. Units: 0–255 RGB values in f32 patches; the solver's vectors in f32, its dot
//! products and the boundary values in f64.

use crate::patch::Patch;
use std::collections::BTreeMap;

/// How the solve ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SolveReport {
    /// Unknowns (domain pixels).
    pub unknowns: usize,
    /// Iterations run.
    pub iterations: usize,
    /// Final residual norm divided by the right-hand side's norm (0 for a zero right side).
    pub relative_residual: f64,
    /// Patch pixels per solve cell along each axis: 1 when every domain pixel is an unknown,
    /// more when [`crate::poisson_grid`] solved on a coarser grid.
    pub scale: usize,
}

type V3 = [f64; 3];

/// One unknown's three channels in the solver, padded to four lanes so the per-unknown
/// arithmetic maps onto one SIMD register. f32 storage halves the memory the solve streams
/// through (it is memory-bound); every dot product is summed in f64.
type L4 = [f32; 4];

fn dot(a: &[L4], b: &[L4]) -> V3 {
    let mut s = [0.0; 3];
    for (x, y) in a.iter().zip(b) {
        for c in 0..3 {
            s[c] += f64::from(x[c] * y[c]);
        }
    }
    s
}

/// The sparse operator: per unknown, its diagonal and the unknown indices of its domain
/// neighbours. Every unknown has four neighbour slots; unused ones name the extra entry `n`
/// that every solver vector carries and keeps at zero, so the stencil loop has no branches.
struct System {
    diag: Vec<f32>,
    nbrs: Vec<[u32; 4]>,
    /// Coupling weights per neighbour slot; `None` means all 1 (the pixel grid). The coarse
    /// system of [`two_level_start`] has weights 1 or 2 (fine edges between two blocks).
    weights: Option<Vec<[f32; 4]>>,
}

impl System {
    /// `out = A·x`, returning `x·out` per channel.
    fn apply_dot(&self, x: &[L4], out: &mut [L4]) -> V3 {
        if let Some(weights) = &self.weights {
            return self.apply_dot_weighted(weights, x, out);
        }
        let mut s = [0.0; 3];
        for ((k, o), (&d, nb)) in out
            .iter_mut()
            .enumerate()
            .zip(self.diag.iter().zip(&self.nbrs))
        {
            let mut v = x[k].map(|c| c * d);
            for &j in nb {
                let xj = &x[j as usize];
                for c in 0..4 {
                    v[c] -= xj[c];
                }
            }
            for c in 0..3 {
                s[c] += f64::from(x[k][c] * v[c]);
            }
            *o = v;
        }
        s
    }

    fn apply_dot_weighted(&self, weights: &[[f32; 4]], x: &[L4], out: &mut [L4]) -> V3 {
        let mut s = [0.0; 3];
        for (k, o) in out.iter_mut().enumerate().take(self.diag.len()) {
            let d = self.diag[k];
            let mut v = x[k].map(|c| c * d);
            for (&j, &wj) in self.nbrs[k].iter().zip(&weights[k]) {
                let xj = &x[j as usize];
                for c in 0..4 {
                    v[c] -= wj * xj[c];
                }
            }
            for c in 0..3 {
                s[c] += f64::from(x[k][c] * v[c]);
            }
            *o = v;
        }
        s
    }
}

/// Solver parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SolveOptions {
    /// Iteration cap.
    pub max_iter: usize,
    /// Relative residual at which to stop.
    pub tol: f64,
    /// When set, each boundary value `t − g` is clamped per channel to the boundary's
    /// median ± this many robust standard deviations (1.4826 · MAD, at least 4 levels), so a
    /// few boundary pixels on hair, background or an open mouth cannot tint the whole face.
    pub clamp_sigmas: Option<f64>,
    /// When set, each boundary value is replaced by a Gaussian-weighted mean (this sigma, in
    /// pixels) of the boundary values around it, so skin texture that differs pixel by pixel
    /// along the edge does not print into the face.
    pub smooth_radius: Option<f64>,
}

/// Median and robust standard deviation (1.4826 · MAD) of `v` (which it reorders).
fn median_sigma(v: &mut [f64]) -> (f64, f64) {
    if v.is_empty() {
        return (0.0, 0.0);
    }
    v.sort_by(f64::total_cmp);
    let med = v[v.len() / 2];
    let mut dev: Vec<f64> = v.iter().map(|x| (x - med).abs()).collect();
    dev.sort_by(f64::total_cmp);
    (med, 1.4826 * dev[dev.len() / 2])
}

/// The Dirichlet value `t − g` of every anchor pixel next to the domain (`index` maps domain
/// pixels to unknowns), clamped and smoothed as `opts` asks.
fn boundary_values(
    guide: &Patch,
    target: &Patch,
    index: &[usize],
    anchor: &[bool],
    opts: &SolveOptions,
) -> BTreeMap<usize, V3> {
    let (w, h) = (guide.width(), guide.height());
    let mut raw: Vec<(usize, V3)> = Vec::new();
    for q in 0..index.len() {
        if index[q] != usize::MAX || !anchor.get(q).copied().unwrap_or(false) {
            continue;
        }
        let (x, y) = (q % w, q / w);
        let touches = [
            (x > 0).then(|| q - 1),
            (x + 1 < w).then(|| q + 1),
            (y > 0).then(|| q - w),
            (y + 1 < h).then(|| q + w),
        ]
        .into_iter()
        .flatten()
        .any(|k| index[k] != usize::MAX);
        if touches {
            let v =
                std::array::from_fn(|c| f64::from(target.data[q][c]) - f64::from(guide.data[q][c]));
            raw.push((q, v));
        }
    }
    if let Some(k_sigma) = opts.clamp_sigmas {
        for c in 0..3 {
            let mut col: Vec<f64> = raw.iter().map(|(_, v)| v[c]).collect();
            let (med, sigma) = median_sigma(&mut col);
            let half = k_sigma * sigma.max(4.0);
            for (_, v) in &mut raw {
                v[c] = v[c].clamp(med - half, med + half);
            }
        }
    }
    let Some(radius) = opts.smooth_radius.filter(|r| *r > 0.0) else {
        return raw.into_iter().collect();
    };
    // Gaussian-weighted average over the other boundary values within 2·radius: keeps the
    // large-scale light difference, drops pixel-scale texture mismatch along the edge.
    let pos = |q: usize| ((q % w) as f64, (q / w) as f64);
    let inv = -0.5 / (radius * radius);
    raw.iter()
        .map(|&(q, _)| {
            let (x, y) = pos(q);
            let (mut sw, mut sv) = (0.0, [0.0; 3]);
            for &(p, v) in &raw {
                let (px, py) = pos(p);
                let d2 = (px - x).powi(2) + (py - y).powi(2);
                if d2 <= 4.0 * radius * radius {
                    let wgt = (d2 * inv).exp();
                    sw += wgt;
                    for c in 0..3 {
                        sv[c] += wgt * v[c];
                    }
                }
            }
            (q, sv.map(|s| s / sw))
        })
        .collect()
}

/// Blends `guide` (the morphed face) into `target` over `domain` (one flag per patch pixel)
/// and returns the blended patch: `guide + d` inside the domain, `target` elsewhere. Only
/// boundary pixels with `anchor` set fix values. Mismatched lengths are treated as "outside
/// the domain" and "not an anchor".
#[must_use]
pub fn seamless(
    guide: &Patch,
    target: &Patch,
    domain: &[bool],
    anchor: &[bool],
    opts: &SolveOptions,
) -> (Patch, SolveReport) {
    let anchored = |q: usize| anchor.get(q).copied().unwrap_or(false);
    let (w, h) = (guide.width(), guide.height());
    let n = w * h;
    let inside = |k: usize| {
        domain.get(k).copied().unwrap_or(false) && k < guide.data.len() && k < target.data.len()
    };
    let mut index = vec![usize::MAX; n];
    let mut pixels = Vec::new();
    for (k, slot) in index.iter_mut().enumerate() {
        if inside(k) {
            *slot = pixels.len();
            pixels.push(k);
        }
    }
    let mut sys = System {
        diag: Vec::with_capacity(pixels.len()),
        nbrs: Vec::with_capacity(pixels.len()),
        weights: None,
    };
    // The always-zero entry unused neighbour slots point at.
    let zero = pixels.len() as u32;
    let values = boundary_values(guide, target, &index, anchor, opts);
    let mut rhs: Vec<L4> = Vec::with_capacity(pixels.len());
    for &k in &pixels {
        let (x, y) = (k % w, k / w);
        let around = [
            (x > 0).then(|| k - 1),
            (x + 1 < w).then(|| k + 1),
            (y > 0).then(|| k - w),
            (y + 1 < h).then(|| k + w),
        ];
        let neighbours = around
            .into_iter()
            .flatten()
            .filter(|&q| index[q] != usize::MAX || anchored(q));
        let mut b = [0.0; 3];
        let mut list = [zero; 4];
        let mut count = 0u8;
        let mut counted = 0u8;
        for q in neighbours {
            counted += 1;
            if index[q] != usize::MAX {
                // Unknown indices fit in u32: a face patch has far fewer than 2³² pixels.
                list[usize::from(count)] = index[q] as u32;
                count += 1;
            } else if let Some(v) = values.get(&q) {
                for c in 0..3 {
                    b[c] += v[c];
                }
            }
        }
        sys.diag.push(f32::from(counted));
        sys.nbrs.push(list);
        rhs.push([b[0] as f32, b[1] as f32, b[2] as f32, 0.0]);
    }
    let start = (pixels.len() >= TWO_LEVEL_MIN_UNKNOWNS)
        .then(|| two_level_start(&sys, &rhs, &pixels, w, opts.max_iter));
    let (d, iterations, relative_residual) =
        conjugate_gradient(&sys, &rhs, start, opts.max_iter, opts.tol);
    let mut out = target.clone();
    for (u, &k) in pixels.iter().enumerate() {
        out.data[k] = std::array::from_fn(|c| guide.data[k][c] + d[u][c]);
    }
    let report = SolveReport {
        unknowns: pixels.len(),
        iterations,
        relative_residual,
        scale: 1,
    };
    (out, report)
}

/// Below this many unknowns the fine solve starts from zero: the coarse step would cost
/// more than it saves.
pub const TWO_LEVEL_MIN_UNKNOWNS: usize = 2000;

/// The coarse solve's relative residual. Measured on face-band domains of 7.8k and 33k
/// unknowns: 1e-2 left 44 / 93 fine iterations (from 83 / 141 without the coarse step),
/// 1e-3 left 32 / 37, and 1e-4 gained nothing more.
pub const COARSE_TOL: f64 = 1e-3;

/// A starting guess for the fine solve from a coarse one (two-level, aggregation style):
/// unknowns are grouped by 2×2 pixel block, the coarse operator is `Pᵀ A P` for the
/// piecewise-constant `P` (block diagonal sums, couplings counting the fine edges between
/// blocks), its system `Pᵀ b` is solved to a relative residual of [`COARSE_TOL`], and the guess
/// `P x_c` is scaled per channel by the factor that minimises the fine energy along it
/// (piecewise-constant interpolation underestimates a Laplacian's solution by about 2).
/// Why: the solve is dominated by smooth error that conjugate gradients remove slowly on the
/// fine grid; the coarse system has a quarter of the unknowns and converges in about half
/// the iterations. The fine solve still runs to the same tolerance, so the result is that of
/// the single-level solve up to that tolerance.
fn two_level_start(sys: &System, b: &[L4], pixels: &[usize], w: usize, max_iter: usize) -> Vec<L4> {
    let n = b.len();
    let zero = n as u32;
    let bw = w.div_ceil(2);
    // Coarse unknown of every fine unknown.
    let mut block_of = std::collections::HashMap::new();
    let agg: Vec<u32> = pixels
        .iter()
        .map(|&k| {
            let key = (k / w / 2) * bw + (k % w) / 2;
            let next = block_of.len() as u32;
            *block_of.entry(key).or_insert(next)
        })
        .collect();
    let m = block_of.len();
    let czero = m as u32;
    let mut coarse = System {
        diag: vec![0.0; m],
        nbrs: vec![[czero; 4]; m],
        weights: Some(vec![[0.0; 4]; m]),
    };
    let mut cb: Vec<L4> = vec![[0.0; 4]; m];
    for (u, nb) in sys.nbrs.iter().enumerate() {
        let j = agg[u] as usize;
        coarse.diag[j] += sys.diag[u];
        for c in 0..4 {
            cb[j][c] += b[u][c];
        }
        for &v in nb.iter().filter(|&&v| v != zero) {
            let k = agg[v as usize];
            if k as usize == j {
                // An edge inside the block: counted once from each end.
                coarse.diag[j] -= 1.0;
                continue;
            }
            let slots = &mut coarse.nbrs[j];
            let weights = coarse.weights.as_mut().map(|w| &mut w[j]);
            if let Some(weights) = weights {
                let at = slots
                    .iter()
                    .position(|&s| s == k || s == czero)
                    .unwrap_or(3);
                slots[at] = k;
                weights[at] += 1.0;
            }
        }
    }
    let (xc, _, _) = conjugate_gradient(&coarse, &cb, None, max_iter, COARSE_TOL);
    let mut x0: Vec<L4> = agg.iter().map(|&j| xc[j as usize]).collect();
    // Energy-minimising scale along the guess: s = (x0·b) / (x0·A x0), per channel.
    x0.push([0.0; 4]);
    let mut ax = vec![[0.0; 4]; n + 1];
    let xax = sys.apply_dot(&x0, &mut ax);
    let xb = dot(&x0[..n], b);
    let scale: [f32; 3] = std::array::from_fn(|c| {
        if xax[c] > 0.0 {
            (xb[c] / xax[c]) as f32
        } else {
            0.0
        }
    });
    x0.pop();
    for v in &mut x0 {
        for c in 0..3 {
            v[c] *= scale[c];
        }
    }
    x0
}

/// Conjugate gradients from `start` (zero when `None`), the three channels independently but
/// in one pass.
///
/// Each iteration makes three passes over the unknowns (the operator fused with `p·Ap`, the
/// updates of `x` and `r` fused with `r·r`, then the new direction) rather than one per
/// vector operation: the solve is memory-bound, so passes are what it costs.
fn conjugate_gradient(
    sys: &System,
    b: &[L4],
    start: Option<Vec<L4>>,
    max_iter: usize,
    tol: f64,
) -> (Vec<L4>, usize, f64) {
    // One entry more than unknowns: the zero that unused neighbour slots read. `b`, hence
    // `r` and `p`, are zero there, and `apply_dot` never writes it.
    let n = b.len();
    let mut ap: Vec<L4> = vec![[0.0; 4]; n + 1];
    let mut r = b.to_vec();
    r.push([0.0; 4]);
    let x = match start {
        Some(mut x0) if x0.len() == n => {
            x0.push([0.0; 4]);
            sys.apply_dot(&x0, &mut ap);
            for (rk, ak) in r.iter_mut().zip(&ap) {
                for c in 0..4 {
                    rk[c] -= ak[c];
                }
            }
            x0
        }
        _ => vec![[0.0; 4]; n + 1],
    };
    let mut x = x;
    let mut p = r.clone();
    let b_norm = dot(b, b).map(f64::sqrt);
    let mut rr = dot(&r, &r);
    let done = |rr: &V3| (0..3).all(|c| rr[c].sqrt() <= tol * b_norm[c] || b_norm[c] == 0.0);
    let lanes = |v: V3| -> L4 { [v[0] as f32, v[1] as f32, v[2] as f32, 0.0] };
    let mut it = 0;
    while it < max_iter && !done(&rr) {
        let pap = sys.apply_dot(&p, &mut ap);
        let alpha = lanes(std::array::from_fn(|c| {
            if pap[c] > 0.0 { rr[c] / pap[c] } else { 0.0 }
        }));
        let mut rr_next = [0.0; 3];
        for ((xk, rk), (pk, apk)) in x.iter_mut().zip(r.iter_mut()).zip(p.iter().zip(&ap)) {
            for c in 0..4 {
                xk[c] += alpha[c] * pk[c];
                rk[c] -= alpha[c] * apk[c];
            }
            for c in 0..3 {
                rr_next[c] += f64::from(rk[c] * rk[c]);
            }
        }
        let beta = lanes(std::array::from_fn(|c| {
            if rr[c] > 0.0 { rr_next[c] / rr[c] } else { 0.0 }
        }));
        for (pk, rk) in p.iter_mut().zip(&r) {
            for c in 0..4 {
                pk[c] = rk[c] + beta[c] * pk[c];
            }
        }
        rr = rr_next;
        it += 1;
    }
    let rel = (0..3)
        .map(|c| {
            if b_norm[c] > 0.0 {
                rr[c].sqrt() / b_norm[c]
            } else {
                0.0
            }
        })
        .fold(0.0, f64::max);
    (x, it, rel)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
#[path = "poisson_tests.rs"]
mod tests;
