//! The Poisson correction solved on a coarser grid and interpolated back to the patch.
//!
//! Pipeline position: what the morpher's seamless blend calls ([`crate::morph`]); it wraps
//! [`crate::poisson::seamless`]. The correction `d = f − g` that the blend adds is harmonic
//! inside the domain and takes the boundary values `t − g`, which the morpher smooths along
//! the edge with a Gaussian of 4 % of the face size. Nothing in `d` varies faster than that,
//! so solving it on every pixel of a large face spends most of the work on detail that is not
//! there: the conjugate-gradient cost grows with the unknowns times the iterations (both
//! with the face's pixel size), about the cube of the face size. Solving on cells of
//! `scale × scale` pixels and interpolating gives the same field within a fraction of a level
//! (measured in the tests and in the README) for `1 / scale³` of the work. The face's own
//! detail is untouched: only `d` is coarse, and `f = g + d` is formed per pixel.
//!
//! Coarse cells (row-major, cell `(i, j)` covering patch pixels `[i·s, i·s + s) × [j·s, j·s + s)`):
//! - a **domain** cell has domain pixels for at least half of its `s²`;
//! - an **anchor** cell is not a domain cell and has at least one anchor pixel; its boundary value
//!   is the mean `t − g` over its anchor pixels that touch the domain (those the pixel solve
//!   reads), or over all its anchor pixels when none does;
//! - every other cell is outside (Neumann), as in the fine solve.
//!
//! The coarse `d` is read back at each domain pixel's centre (`(x + 0.5) / s − 0.5` in cell
//! units) by bilinear interpolation over the domain and anchor cells around it (an anchor
//! cell's `d` is its boundary value), renormalised when some of the four are neither; a
//! domain pixel with none of them around (a lone pixel in an outside cell) keeps `d = 0`.

use crate::patch::Patch;
use crate::poisson::{SolveOptions, SolveReport, seamless};
use liveswap_vision::Rect;

/// Per-cell sums while building the coarse problem.
#[derive(Clone, Copy, Default)]
struct Cell {
    domain: u32,
    anchors: u32,
    /// Sum of `t − g` over the cell's anchor pixels.
    diff: [f32; 3],
}

impl Cell {
    fn add(&mut self, diff: [f32; 3]) {
        self.anchors += 1;
        for (sum, v) in self.diff.iter_mut().zip(diff) {
            *sum += v;
        }
    }
}

/// [`seamless`] with the correction solved on `scale × scale` cells. `scale ≤ 1` is the
/// pixel solve itself. The report's unknowns and iterations are the coarse solve's, and its
/// `scale` says which grid ran. `opts.smooth_radius` is in patch pixels, as for [`seamless`].
#[must_use]
pub fn seamless_on_grid(
    guide: &Patch,
    target: &Patch,
    domain: &[bool],
    anchor: &[bool],
    opts: &SolveOptions,
    scale: usize,
) -> (Patch, SolveReport) {
    let (w, h) = (guide.width(), guide.height());
    let n = w * h;
    if scale <= 1 || target.data.len() != n {
        return seamless(guide, target, domain, anchor, opts);
    }
    let s = scale;
    let (cw, ch) = (w.div_ceil(s), h.div_ceil(s));
    let inside = |k: usize| domain.get(k).copied().unwrap_or(false);
    // A fine anchor that touches the domain is what the pixel solve takes its boundary values
    // from; a cell's value comes from those when it has any, else from all its anchors.
    let touches = |k: usize| {
        let (x, y) = (k % w, k / w);
        (x > 0 && inside(k - 1))
            || (x + 1 < w && inside(k + 1))
            || (y > 0 && inside(k - w))
            || (y + 1 < h && inside(k + w))
    };
    let mut cells = vec![Cell::default(); cw * ch];
    let mut edge = vec![Cell::default(); cw * ch];
    for k in 0..n {
        let q = (k / w / s) * cw + (k % w) / s;
        if inside(k) {
            cells[q].domain += 1;
        } else if anchor.get(k).copied().unwrap_or(false) {
            let diff: [f32; 3] = std::array::from_fn(|c| target.data[k][c] - guide.data[k][c]);
            cells[q].add(diff);
            if touches(k) {
                edge[q].add(diff);
            }
        }
    }
    for (cell, e) in cells.iter_mut().zip(&edge) {
        if e.anchors > 0 {
            cell.anchors = e.anchors;
            cell.diff = e.diff;
        }
    }
    // The coarse problem as a guide of zeros and a target holding the boundary values: the
    // fine solve's `d` depends only on `t − g` at the anchors, never on `g` inside.
    // Majority, not "any": a cell with a few domain pixels taken as domain would widen the
    // band by up to a cell on both sides, which biased the whole field (measured: 15 % of
    // face pixels more than 2 levels off at 1.4 % cells, 4 % with the majority rule).
    let is_domain = |c: &Cell| c.domain as usize * 2 >= s * s;
    let rect = Rect::new(0, 0, cw, ch);
    let zeros = Patch::zeros(rect);
    let mut values = Patch::zeros(rect);
    for (v, cell) in values.data.iter_mut().zip(&cells) {
        if !is_domain(cell) && cell.anchors > 0 {
            *v = cell.diff.map(|d| d / cell.anchors as f32);
        }
    }
    let coarse_domain: Vec<bool> = cells.iter().map(is_domain).collect();
    let coarse_anchor: Vec<bool> = cells
        .iter()
        .map(|c| !is_domain(c) && c.anchors > 0)
        .collect();
    let coarse_opts = SolveOptions {
        smooth_radius: opts.smooth_radius.map(|r| r / s as f64),
        ..*opts
    };
    let (d, mut report) = seamless(
        &zeros,
        &values,
        &coarse_domain,
        &coarse_anchor,
        &coarse_opts,
    );
    report.scale = s;
    let mut out = target.clone();
    let inv = 1.0 / s as f32;
    let last = |m: usize| (m - 1) as f32;
    for k in (0..n).filter(|&k| inside(k)) {
        let (x, y) = (k % w, k / w);
        let u = ((x as f32 + 0.5) * inv - 0.5).clamp(0.0, last(cw));
        let v = ((y as f32 + 0.5) * inv - 0.5).clamp(0.0, last(ch));
        let (i0, j0) = (u as usize, v as usize);
        let (fu, fv) = (u - i0 as f32, v - j0 as f32);
        let (i1, j1) = ((i0 + 1).min(cw - 1), (j0 + 1).min(ch - 1));
        let (mut sw, mut sum) = (0.0f32, [0.0f32; 3]);
        for (j, wy) in [(j0, 1.0 - fv), (j1, fv)] {
            for (i, wx) in [(i0, 1.0 - fu), (i1, fu)] {
                let q = j * cw + i;
                let wgt = wx * wy;
                if (coarse_domain[q] || coarse_anchor[q]) && wgt > 0.0 {
                    sw += wgt;
                    for (acc, v) in sum.iter_mut().zip(d.data[q]) {
                        *acc += wgt * v;
                    }
                }
            }
        }
        let d = if sw > 0.0 {
            sum.map(|v| v / sw)
        } else {
            [0.0; 3]
        };
        out.data[k] = std::array::from_fn(|c| guide.data[k][c] + d[c]);
    }
    (out, report)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
#[path = "poisson_grid_tests.rs"]
mod tests;
