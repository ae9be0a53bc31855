//! Unit tests of the region-limited paste-back against a whole-frame rebuild of
//! insightface's steps, and of the blending options.

#![allow(clippy::unwrap_used, reason = "tests")]

use super::*;
use liveswap_vision::{warp_affine_f32, warp_affine_u8};

/// A deterministic textured RGB frame.
fn frame(w: usize, h: usize) -> Image {
    let mut img = Image::new(w, h, 3).unwrap();
    for y in 0..h {
        for x in 0..w {
            for c in 0..3 {
                img.data[(y * w + x) * 3 + c] =
                    ((x * 7 + y * 13 + c * 50 + (x * y) % 17) % 256) as u8;
            }
        }
    }
    img
}

/// A 128×128 fake crop: smooth gradients so warps are non-trivial.
fn fake() -> Image {
    let mut img = Image::new(128, 128, 3).unwrap();
    for y in 0..128 {
        for x in 0..128 {
            let p = &mut img.data[(y * 128 + x) * 3..(y * 128 + x) * 3 + 3];
            p.copy_from_slice(&[(x * 2) as u8, (y * 2) as u8, ((x + y) % 256) as u8]);
        }
    }
    img
}

/// Crop matrix of a face of scale `s` (frame px per crop px), rotated by `angle`, whose crop
/// origin sits at (`tx`, `ty`) in the frame.
fn crop_matrix(s: f64, angle: f64, tx: f64, ty: f64) -> Affine {
    let (c, sn) = (angle.cos() / s, angle.sin() / s);
    // frame -> crop: rotate/scale, then shift so that (tx, ty) maps to the crop origin.
    [[c, sn, -(c * tx + sn * ty)], [-sn, c, -(-sn * tx + c * ty)]]
}

/// insightface's paste-back over the whole frame, step by step (the oracle's procedure).
fn whole_frame(target: &Image, fake: &Image, m: &Affine) -> Image {
    let (w, h) = (target.width, target.height);
    let im = invert_affine(m).unwrap();
    let fake_w = warp_affine_u8(fake.view(), &im, w, h).unwrap();
    let white = MaskF32::filled(128, 128, 255.0).unwrap();
    let mut mask = warp_affine_f32(&white, &im, w, h).unwrap();
    let mut ext = [usize::MAX, usize::MAX, 0, 0];
    for (i, v) in mask.data.iter_mut().enumerate() {
        if *v > 20.0 {
            *v = 255.0;
        }
        if *v == 255.0 {
            let (x, y) = (i % w, i / w);
            ext = [ext[0].min(x), ext[1].min(y), ext[2].max(x), ext[3].max(y)];
        }
    }
    let p = feather_params(ext[3] - ext[1], ext[2] - ext[0]);
    let mask = erode_f32(&mask, p.erode_kernel).unwrap();
    let mask = gaussian_blur_f32(&mask, p.gaussian_ksize, 0.0).unwrap();
    let mut out = target.clone();
    for i in 0..w * h {
        let a = mask.data[i] / 255.0;
        for c in 0..3 {
            let v = a * f32::from(fake_w.data[i * 3 + c])
                + (1.0 - a) * f32::from(target.data[i * 3 + c]);
            out.data[i * 3 + c] = v as u8;
        }
    }
    out
}

fn paste(
    target: &Image,
    fake: &Image,
    m: &Affine,
    opts: &BlendOptions,
) -> (Image, Option<PasteReport>) {
    let mut out = target.clone();
    let rep = Paster::new()
        .paste(&mut out.view_mut(), fake.view(), m, opts)
        .unwrap();
    (out, rep)
}

fn changed_box(a: &Image, b: &Image) -> Option<Rect> {
    let w = a.width;
    let mut r: Option<Rect> = None;
    for i in 0..a.width * a.height {
        if a.data[i * 3..i * 3 + 3] != b.data[i * 3..i * 3 + 3] {
            let (x, y) = (i % w, i / w);
            r = Some(r.map_or(Rect::new(x, y, x + 1, y + 1), |r| {
                Rect::new(r.x0.min(x), r.y0.min(y), r.x1.max(x + 1), r.y1.max(y + 1))
            }));
        }
    }
    r
}

#[test]
fn region_paste_equals_whole_frame_paste() {
    let target = frame(400, 300);
    let fake = fake();
    // Inside, rotated, partly outside on the left/top, partly outside on the right/bottom.
    for m in [
        crop_matrix(1.3, 0.2, 120.0, 60.0),
        crop_matrix(0.9, -0.5, -30.0, -20.0),
        crop_matrix(2.2, 0.1, 250.0, 180.0),
    ] {
        let want = whole_frame(&target, &fake, &m);
        let (got, rep) = paste(&target, &fake, &m, &BlendOptions::default());
        let rep = rep.unwrap();
        assert_eq!(
            got, want,
            "region paste differs from the whole-frame paste for {m:?}"
        );
        let changed = changed_box(&target, &got).unwrap();
        assert!(
            changed.x0 >= rep.region.x0
                && changed.x1 <= rep.region.x1
                && changed.y0 >= rep.region.y0
                && changed.y1 <= rep.region.y1,
            "{changed:?} outside {:?}",
            rep.region
        );
        assert_eq!(rep.params, feather_params(rep.mask_h, rep.mask_w));
    }
}

#[test]
fn footprint_outside_the_frame_changes_nothing() {
    let target = frame(100, 80);
    let (got, rep) = paste(
        &target,
        &fake(),
        &crop_matrix(1.0, 0.0, 500.0, 500.0),
        &BlendOptions::default(),
    );
    assert!(rep.is_none());
    assert_eq!(got, target);
}

#[test]
fn opacity_zero_is_a_no_op_and_half_opacity_is_between() {
    let target = frame(300, 240);
    let m = crop_matrix(1.5, 0.0, 50.0, 30.0);
    let opts = BlendOptions {
        opacity: 0.0,
        ..BlendOptions::default()
    };
    assert_eq!(paste(&target, &fake(), &m, &opts).0, target);
    let full = paste(&target, &fake(), &m, &BlendOptions::default()).0;
    let half = paste(
        &target,
        &fake(),
        &m,
        &BlendOptions {
            opacity: 0.5,
            ..BlendOptions::default()
        },
    )
    .0;
    // At the face centre the mask is 1: half opacity lands midway (± truncation).
    let i = ((30 + 96) * 300 + 50 + 96) * 3;
    let mid = (i32::from(full.data[i]) + i32::from(target.data[i])) / 2;
    assert!(
        (i32::from(half.data[i]) - mid).abs() <= 1,
        "{} vs {mid}",
        half.data[i]
    );
}

#[test]
fn padding_shrinks_and_feather_zero_hardens_the_mask() {
    let target = frame(300, 240);
    let m = crop_matrix(1.5, 0.0, 50.0, 30.0);
    let count = |img: &Image| {
        (0..img.data.len())
            .filter(|&i| img.data[i] != target.data[i])
            .count()
    };
    let base = count(&paste(&target, &fake(), &m, &BlendOptions::default()).0);
    let padded = count(
        &paste(
            &target,
            &fake(),
            &m,
            &BlendOptions {
                mask_padding: 0.2,
                ..BlendOptions::default()
            },
        )
        .0,
    );
    assert!(padded < base * 7 / 10, "padding 0.2: {padded} vs {base}");
    let (hard, rep) = paste(
        &target,
        &fake(),
        &m,
        &BlendOptions {
            mask_feather: 0.0,
            ..BlendOptions::default()
        },
    );
    assert_eq!(rep.unwrap().params.gaussian_ksize, 1);
    // With no blur every changed pixel is fully replaced by the warped fake.
    let im = invert_affine(&m).unwrap();
    let fake_w = warp_affine_u8(fake().view(), &im, 300, 240).unwrap();
    for i in 0..300 * 240 {
        let px = &hard.data[i * 3..i * 3 + 3];
        assert!(px == &target.data[i * 3..i * 3 + 3] || px == &fake_w.data[i * 3..i * 3 + 3]);
    }
    let wide = paste(
        &target,
        &fake(),
        &m,
        &BlendOptions {
            mask_feather: 2.0,
            ..BlendOptions::default()
        },
    )
    .1
    .unwrap();
    assert!(wide.params.gaussian_ksize > rep.unwrap().params.gaussian_ksize);
}

#[test]
fn color_correction_pulls_the_face_toward_the_frame_colour() {
    // A uniform grey frame and a reddish fake: corrected paste is closer to grey.
    let mut target = Image::new(300, 240, 3).unwrap();
    target.data.fill(128);
    let mut red = Image::new(128, 128, 3).unwrap();
    for p in red.data.chunks_exact_mut(3) {
        p.copy_from_slice(&[220, 60, 60]);
    }
    let m = crop_matrix(1.5, 0.0, 50.0, 30.0);
    let i = ((30 + 96) * 300 + 50 + 96) * 3;
    let plain = paste(&target, &red, &m, &BlendOptions::default()).0;
    let cc = paste(
        &target,
        &red,
        &m,
        &BlendOptions {
            color_correction: true,
            ..BlendOptions::default()
        },
    )
    .0;
    assert!(plain.data[i] >= 218, "{}", plain.data[i]);
    assert!(
        (i32::from(cc.data[i]) - 128).abs() <= 2,
        "{:?}",
        &cc.data[i..i + 3]
    );
}
