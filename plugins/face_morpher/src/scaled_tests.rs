//! Unit tests of the working-size morph (see `scaled.rs`).

use super::*;
use crate::morph::{morph_face, working_scale};
use crate::points::tests::synthetic_landmarks;
use liveswap_vision::Image;

/// A smooth image with some texture: what a face and its surroundings look like to the
/// resampling (pure pixel noise would differ after any resize).
fn smooth(w: usize, h: usize, seed: f32) -> Image {
    let mut data = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        for x in 0..w {
            let (u, v) = (x as f32 / w as f32, y as f32 / h as f32);
            let t = ((u * 9.0 + seed).sin() * (v * 7.0).cos() * 40.0) as i32;
            for base in [150, 110, 90] {
                data.push((base + t + (x / 9 % 3) as i32 * 6).clamp(0, 255) as u8);
            }
        }
    }
    Image::from_vec(data, w, h, 3).unwrap()
}

#[test]
fn only_faces_above_the_limit_are_scaled() {
    assert_eq!(working_scale(300.0, 0), None);
    assert_eq!(working_scale(150.0, 200), None);
    assert_eq!(working_scale(200.0, 200), None);
    assert_eq!(working_scale(400.0, 200), Some(0.5));
}

#[test]
fn a_large_face_morphed_at_half_size_is_close_to_the_full_size_morph() {
    let src = smooth(300, 300, 1.0);
    let mesh = SourceMesh::new(&synthetic_landmarks(150.0, 140.0, 75.0)).unwrap();
    let target = synthetic_landmarks(300.0, 280.0, 120.0);
    let frame0 = smooth(600, 560, 2.5);
    let full_opts = MorphOptions::default();
    let (size, rect) = face_region(&target, &full_opts, 600, 560).unwrap();
    let half = MorphOptions {
        max_face_size: (size / 2.0) as u32,
        ..full_opts
    };
    assert!(working_scale(size, half.max_face_size).unwrap() < 0.51);

    let mut full = frame0.clone();
    let a = morph_face(
        &mut full.view_mut(),
        &src.view(),
        &mesh,
        &target,
        &full_opts,
    )
    .unwrap()
    .unwrap();
    let mut scaled = frame0.clone();
    let b = morph_face(&mut scaled.view_mut(), &src.view(), &mesh, &target, &half)
        .unwrap()
        .unwrap();
    // Same region, about the same pixels written (the read-back weight spreads by up to a
    // working pixel; measured 2.7 % more).
    assert_eq!(a.region, rect);
    assert_eq!(b.region, rect);
    let grown = (b.written as f64 / a.written as f64 - 1.0).abs();
    assert!(grown < 0.04, "{} vs {}", b.written, a.written);
    // Outside the region nothing changed; inside, the two morphs agree closely on a smooth
    // picture (what differs is detail finer than a working pixel).
    let (mut sum, mut n, mut worst) = (0.0f64, 0usize, 0u8);
    for y in 0..560 {
        for x in 0..600 {
            let (p, q, o) = (
                full.pixel(x, y).unwrap(),
                scaled.pixel(x, y).unwrap(),
                frame0.pixel(x, y).unwrap(),
            );
            if !((rect.x0..rect.x1).contains(&x) && (rect.y0..rect.y1).contains(&y)) {
                assert_eq!(q, o, "({x},{y}) outside the region changed");
                continue;
            }
            if p != o || q != o {
                for c in 0..3 {
                    let d = p[c].abs_diff(q[c]);
                    worst = worst.max(d);
                    sum += f64::from(d);
                    n += 1;
                }
            }
        }
    }
    let mean = sum / n as f64;
    // Measured: mean 0.37 levels, worst 4.
    assert!(mean < 1.0 && worst < 12, "mean {mean}, worst {worst}");
    // Scaling up was not a no-op: the working-size path really ran.
    assert_ne!(full, scaled);
}
