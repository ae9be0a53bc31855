//! Unit tests of the coarse-grid Poisson solve against the pixel solve (see `poisson_grid.rs`).

use super::*;

/// A `w × h` patch from a per-pixel function.
fn patch(w: usize, h: usize, f: impl Fn(usize, usize) -> [f32; 3]) -> Patch {
    let mut p = Patch::zeros(Rect::new(0, 0, w, h));
    for y in 0..h {
        for x in 0..w {
            p.data[y * w + x] = f(x, y);
        }
    }
    p
}

fn tight() -> SolveOptions {
    SolveOptions {
        max_iter: 5000,
        tol: 1e-9,
        clamp_sigmas: None,
        smooth_radius: None,
    }
}

/// A face-like problem: an elliptic band of `width` pixels inside an ellipse filling a
/// `size × size` patch is the domain, everything outside the ellipse an anchor, the inside
/// of the band free (Neumann), as the morpher sets it up. The guide has pixel-scale texture;
/// the target differs from it outside by a smooth light field, so the exact correction is
/// smooth too.
fn face_like(size: usize, width: f32) -> (Patch, Patch, Vec<bool>, Vec<bool>) {
    let c = size as f32 / 2.0;
    let radius = c - 4.0;
    let depth = |x: usize, y: usize| {
        let (dx, dy) = (x as f32 - c, (y as f32 - c) * 1.2);
        radius - (dx * dx + dy * dy).sqrt()
    };
    let guide = patch(size, size, |x, y| {
        let t = ((x * 37 + y * 91) % 17) as f32 * 3.0;
        [120.0 + t, 90.0 + t * 0.5, 70.0 - t * 0.3]
    });
    let target = patch(size, size, |x, y| {
        let g = guide.data[y * size + x];
        let (u, v) = (x as f32 / size as f32, y as f32 / size as f32);
        let light = 25.0 * (u * 3.1).sin() + 12.0 * v;
        [g[0] + light, g[1] + 0.5 * light - 6.0, g[2] + 8.0 * u]
    });
    let domain = (0..size * size)
        .map(|k| (0.0..width).contains(&depth(k % size, k / size)))
        .collect();
    let anchor = (0..size * size)
        .map(|k| depth(k % size, k / size) <= 0.0)
        .collect();
    (guide, target, domain, anchor)
}

fn max_gap(a: &Patch, b: &Patch, domain: &[bool]) -> f32 {
    let mut gap = 0.0f32;
    for (k, _) in domain.iter().enumerate().filter(|(_, d)| **d) {
        for c in 0..3 {
            gap = gap.max((a.data[k][c] - b.data[k][c]).abs());
        }
    }
    gap
}

#[test]
fn scale_one_is_the_pixel_solve() {
    let (g, t, domain, anchor) = face_like(60, 9.0);
    let fine = seamless(&g, &t, &domain, &anchor, &tight());
    let same = seamless_on_grid(&g, &t, &domain, &anchor, &tight(), 1);
    assert_eq!(fine, same);
    assert_eq!(same.1.scale, 1);
}

#[test]
fn a_coarse_grid_gives_the_pixel_solution_within_a_level_for_far_less_work() {
    let (g, t, domain, anchor) = face_like(240, 36.0);
    let (fine, fine_report) = seamless(&g, &t, &domain, &anchor, &tight());
    for s in [2, 3, 4] {
        let (coarse, report) = seamless_on_grid(&g, &t, &domain, &anchor, &tight(), s);
        assert_eq!(report.scale, s);
        assert!(
            report.unknowns * s * s < fine_report.unknowns * 3 / 2,
            "{report:?} vs {fine_report:?}"
        );
        assert!(report.iterations < fine_report.iterations, "{report:?}");
        // Measured: 0.27 levels at scale 2, 0.67 at 3, 0.83 at 4.
        let gap = max_gap(&coarse, &fine, &domain);
        assert!(gap < 1.0, "scale {s}: {gap}");
        // Outside the domain the target is kept exactly.
        for (k, &d) in domain.iter().enumerate() {
            if !d {
                assert_eq!(coarse.data[k], t.data[k]);
            }
        }
    }
}

#[test]
fn a_constant_offset_is_carried_exactly_and_the_guide_texture_is_kept() {
    let (g, _, domain, anchor) = face_like(120, 20.0);
    let t = patch(120, 120, |x, y| {
        let v = g.data[y * 120 + x];
        [v[0] + 7.0, v[1] - 3.0, v[2] + 0.5]
    });
    let (out, _) = seamless_on_grid(&g, &t, &domain, &anchor, &tight(), 3);
    for (k, &d) in domain.iter().enumerate() {
        if d {
            for (c, off) in [7.0, -3.0, 0.5].into_iter().enumerate() {
                let got = out.data[k][c] - g.data[k][c];
                assert!((got - off).abs() < 1e-2, "{k} {c}: {got}");
            }
        }
    }
}
