//! Unit tests of the Poisson solver on tiny fixtures (see `poisson.rs`).

use super::*;
use liveswap_vision::Rect;

fn patch(w: usize, h: usize, f: impl Fn(usize, usize) -> [f32; 3]) -> Patch {
    let mut p = Patch::zeros(Rect::new(0, 0, w, h));
    for y in 0..h {
        for x in 0..w {
            p.data[y * w + x] = f(x, y);
        }
    }
    p
}

fn exact(max_iter: usize) -> SolveOptions {
    SolveOptions {
        max_iter,
        tol: 1e-12,
        clamp_sigmas: None,
        smooth_radius: None,
    }
}

/// Interior of a `w × h` patch, one pixel in from every side.
fn interior(w: usize, h: usize) -> Vec<bool> {
    (0..w * h)
        .map(|k| (1..w - 1).contains(&(k % w)) && (1..h - 1).contains(&(k / w)))
        .collect()
}

#[test]
fn constant_offset_boundary_shifts_the_guide() {
    let g = patch(9, 8, |x, y| {
        [(x * 13 % 7) as f32 * 10.0, (y * 5) as f32, 42.0]
    });
    let t = patch(9, 8, |x, y| {
        let v = g.data[y * 9 + x];
        [v[0] + 7.0, v[1] - 3.0, v[2] + 0.5]
    });
    let (out, rep) = seamless(&g, &t, &interior(9, 8), &[true; 72], &exact(500));
    assert_eq!(rep.unknowns, 7 * 6);
    for k in 0..72 {
        for c in 0..3 {
            assert!((out.data[k][c] - t.data[k][c]).abs() < 1e-3);
        }
    }
}

#[test]
fn flat_guide_gives_the_harmonic_fill_of_a_linear_boundary() {
    // With a flat guide, the inside is the membrane over the boundary; a linear boundary
    // is reproduced exactly (linear functions are discrete-harmonic).
    let g = patch(10, 9, |_, _| [100.0; 3]);
    let t = patch(10, 9, |x, y| {
        [2.0 * x as f32 + 3.0 * y as f32, 5.0, 250.0 - x as f32]
    });
    let mut domain = interior(10, 9);
    domain[4 * 10 + 4] = false; // an interior Dirichlet pixel too
    let (out, rep) = seamless(&g, &t, &domain, &[true; 90], &exact(500));
    assert!(rep.relative_residual < 1e-8, "{rep:?}");
    for k in 0..90 {
        for c in 0..3 {
            assert!((out.data[k][c] - t.data[k][c]).abs() < 1e-3, "{k} {c}");
        }
    }
}

#[test]
fn matches_gauss_seidel_and_uses_neumann_at_the_patch_edge() {
    // The domain touches the left edge of the patch (Neumann there).
    let (w, h) = (7, 6);
    let g = patch(w, h, |x, y| [((x * 31 + y * 17) % 23) as f32; 3]);
    let t = patch(w, h, |x, y| [((x * 7 + y * 11) % 29) as f32 * 3.0; 3]);
    let domain: Vec<bool> = (0..w * h)
        .map(|k| k % w < w - 1 && (1..h - 1).contains(&(k / w)))
        .collect();
    let (out, _) = seamless(&g, &t, &domain, &[true; 42], &exact(1000));
    // Reference: Gauss–Seidel on f directly, many sweeps.
    let mut f: Vec<f64> = t.data.iter().map(|v| f64::from(v[0])).collect();
    let gv: Vec<f64> = g.data.iter().map(|v| f64::from(v[0])).collect();
    for _ in 0..5000 {
        for k in (0..w * h).filter(|&k| domain[k]) {
            let (x, y) = (k % w, k / w);
            let mut nb = Vec::new();
            if x > 0 {
                nb.push(k - 1);
            }
            if x + 1 < w {
                nb.push(k + 1);
            }
            if y > 0 {
                nb.push(k - w);
            }
            if y + 1 < h {
                nb.push(k + w);
            }
            let s: f64 = nb.iter().map(|&q| f[q] + gv[k] - gv[q]).sum();
            f[k] = s / nb.len() as f64;
        }
    }
    for (k, (o, want)) in out.data.iter().zip(&f).enumerate() {
        assert!((f64::from(o[0]) - want).abs() < 1e-3, "{k}");
    }
    // Outside the domain the target is returned unchanged.
    assert_eq!(out.data[0], t.data[0]);
}

#[test]
fn clamping_ignores_a_few_outlying_boundary_pixels() {
    // Boundary offset +10 everywhere except three dark "hair" pixels at −150.
    let g = patch(12, 10, |_, _| [120.0; 3]);
    let mut t = patch(12, 10, |_, _| [130.0; 3]);
    for x in 4..7 {
        t.data[x] = [-30.0; 3];
    }
    let domain = interior(12, 10);
    let opts = SolveOptions {
        clamp_sigmas: Some(3.0),
        ..exact(1000)
    };
    let (robust, _) = seamless(&g, &t, &domain, &[true; 120], &opts);
    let (plain, _) = seamless(&g, &t, &domain, &[true; 120], &exact(1000));
    let centre = 5 * 12 + 6;
    // Clamped: every boundary value is within 3·4 of the median +10.
    assert!(
        (robust.data[centre][0] - 130.0).abs() < 12.5,
        "{:?}",
        robust.data[centre]
    );
    assert!(robust.data[13][0] >= 130.0 - 12.5);
    // Unclamped, the dark pixels pull the face down near them.
    assert!(plain.data[12 + 5][0] < 100.0, "{:?}", plain.data[12 + 5]);
}

#[test]
fn non_anchor_boundary_pixels_are_free() {
    // Same dark pixels as above, but marked as not anchors: the face follows the other
    // boundary pixels exactly (constant offset +10).
    let g = patch(12, 10, |x, y| [100.0 + (x * y % 5) as f32; 3]);
    let mut t = patch(12, 10, |x, y| [110.0 + (x * y % 5) as f32; 3]);
    let mut anchor = vec![true; 120];
    t.data[4..7].fill([-30.0; 3]);
    anchor[4..7].fill(false);
    let (out, _) = seamless(&g, &t, &interior(12, 10), &anchor, &exact(1000));
    for k in 12..108 {
        if interior(12, 10)[k] {
            assert!((out.data[k][0] - g.data[k][0] - 10.0).abs() < 1e-3, "{k}");
        }
    }
    // No anchor at all: nothing constrains the correction, the guide is kept.
    let (free, _) = seamless(&g, &t, &interior(12, 10), &[false; 120], &exact(100));
    assert_eq!(free.data[5 * 12 + 5], g.data[5 * 12 + 5]);
}

#[test]
fn boundary_smoothing_drops_pixel_scale_texture() {
    // Boundary offset alternates +40 / −20 pixel by pixel (texture), mean +10: smoothed,
    // the centre gets about +10; unsmoothed, pixels next to the edge follow the texture.
    let (w, h) = (30, 30);
    let g = patch(w, h, |_, _| [100.0; 3]);
    let t = patch(w, h, |x, y| {
        [if (x + y) % 2 == 0 { 140.0 } else { 80.0 }; 3]
    });
    let opts = SolveOptions {
        smooth_radius: Some(3.0),
        ..exact(2000)
    };
    let (smooth, _) = seamless(&g, &t, &interior(w, h), &[true; 900], &opts);
    for y in 2..h - 2 {
        for x in 2..w - 2 {
            let v = smooth.data[y * w + x][0];
            assert!((v - 110.0).abs() < 3.0, "({x},{y}) {v}");
        }
    }
    let (raw, _) = seamless(&g, &t, &interior(w, h), &[true; 900], &exact(2000));
    assert!((raw.data[w + 1][0] - smooth.data[w + 1][0]).abs() > 5.0);
}

/// A face-like band of ~7.8k unknowns takes the two-level start: the result at the working
/// tolerance matches a near-exact solve, in fewer iterations than the band's width-limited
/// single-level solve needs (83 when measured).
#[test]
fn a_large_band_takes_the_two_level_start_and_matches_a_near_exact_solve() {
    let (w, h) = (140usize, 170usize);
    let g = patch(w, h, |x, y| {
        [(x * 13 % 7) as f32 * 10.0, (y * 5 % 17) as f32, 42.0]
    });
    let t = patch(w, h, |x, y| {
        [(x + y) as f32 * 0.5, 30.0, 60.0 + (x % 5) as f32]
    });
    let dist = |k: usize| {
        let (x, y) = ((k % w) as f64 - 70.0, (k / w) as f64 - 85.0);
        60.0 - (x * x + y * y * 0.7).sqrt()
    };
    let domain: Vec<bool> = (0..w * h)
        .map(|k| dist(k) > 0.0 && dist(k) < 21.0)
        .collect();
    let anchor = vec![true; w * h];
    let working = SolveOptions {
        max_iter: 600,
        tol: 1e-4,
        clamp_sigmas: None,
        smooth_radius: None,
    };
    let (out, report) = seamless(&g, &t, &domain, &anchor, &working);
    assert!(report.unknowns >= TWO_LEVEL_MIN_UNKNOWNS, "{report:?}");
    assert!(report.relative_residual <= 1e-4, "{report:?}");
    assert!(report.iterations < 60, "{report:?}");
    let (exact_out, _) = seamless(&g, &t, &domain, &anchor, &exact(5000));
    let worst = out
        .data
        .iter()
        .zip(&exact_out.data)
        .flat_map(|(a, b)| (0..3).map(move |c| (a[c] - b[c]).abs()))
        .fold(0.0f32, f32::max);
    assert!(worst < 0.5, "largest difference {worst} levels");
}
