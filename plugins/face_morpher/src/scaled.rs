//! A large face morphed at a working size and scaled up (`max_face_size`).
//!
//! Pipeline position: chosen by [`crate::morph::morph_face`] instead of the full-size morph
//! when the face is larger than `max_face_size` pixels. The face's region of the frame is
//! shrunk by `k = max_face_size / size` (OpenCV-style bilinear, [`resize_linear_u8`]), the
//! landmarks follow, every step of the morph runs there, and the morphed face and its mask
//! weight are read back bilinearly at each frame pixel of the region; the composite then
//! happens at full size as usual. Why: every step of the morph costs per pixel, so a face
//! 1.5× larger costs 2.25× more; in live video the frame rate matters more than detail that
//! the source photo seldom has at that size (the swapper networks work at 128 px).
//!
//! Coordinates: half-pixel centres both ways — region pixel `x` is working pixel
//! `(x + 0.5)·k − 0.5`, as the resize samples — with `k` per axis from the rounded working
//! size. The weight read back is bilinear too, so the written area can grow by up to one
//! working pixel (`1/k` frame pixels) beyond the full-size mask's.

use crate::morph::{Morphed, SourceMesh, face_region, morph_patch};
use crate::patch::Patch;
use crate::points::PointsError;
use crate::settings::MorphOptions;
use liveswap_vision::ImageView;
use liveswap_vision::resize::resize_linear_u8;

/// [`morph_patch`] at scale `k` (0 < k < 1) of `frame`, returned over the full-size region.
pub(crate) fn morph_scaled(
    frame: &ImageView<'_>,
    source: &ImageView<'_>,
    mesh: &SourceMesh,
    target_landmarks: &[[f32; 2]],
    opts: &MorphOptions,
    k: f64,
) -> Result<Option<Morphed>, PointsError> {
    let (_, rect) = face_region(target_landmarks, opts, frame.width, frame.height)?;
    if rect.is_empty() {
        return Ok(None);
    }
    let (w, h) = (rect.width(), rect.height());
    let (sw, sh) = (
        ((w as f64 * k).ceil() as usize).max(1),
        ((h as f64 * k).ceil() as usize).max(1),
    );
    let small = frame
        .sub(rect)
        .and_then(|region| resize_linear_u8(region, sw, sh));
    let Ok(small) = small else {
        // Not reached for a valid frame and a non-empty region; the full-size morph is the
        // correct, slower answer.
        return morph_patch(frame, source, mesh, target_landmarks, opts);
    };
    let (kx, ky) = (sw as f32 / w as f32, sh as f32 / h as f32);
    let to_small = |x: f32, origin: usize, k: f32| (x - origin as f32 + 0.5) * k - 0.5;
    let landmarks: Vec<[f32; 2]> = target_landmarks
        .iter()
        .map(|p| [to_small(p[0], rect.x0, kx), to_small(p[1], rect.y0, ky)])
        .collect();
    let small_opts = MorphOptions {
        mask_feather: opts.mask_feather * k as f32,
        max_face_size: 0,
        ..*opts
    };
    let Some(m) = morph_patch(&small.view(), source, mesh, &landmarks, &small_opts)? else {
        return Ok(None);
    };
    // Read the working patch back at every region pixel (bilinear on the patch's own grid;
    // outside it the weight is 0).
    let (pw, ph) = (m.face.width(), m.face.height());
    let mut face = Patch::zeros(rect);
    let mut weight = vec![0.0f32; w * h];
    for y in 0..h {
        let v = to_small((rect.y0 + y) as f32, rect.y0, ky) - m.face.rect.y0 as f32;
        let Some((j0, j1, fy)) = taps(v, ph) else {
            continue;
        };
        for x in 0..w {
            let u = to_small((rect.x0 + x) as f32, rect.x0, kx) - m.face.rect.x0 as f32;
            let Some((i0, i1, fx)) = taps(u, pw) else {
                continue;
            };
            let at = |j: usize, i: usize| j * pw + i;
            let corners = [
                (at(j0, i0), (1.0 - fx) * (1.0 - fy)),
                (at(j0, i1), fx * (1.0 - fy)),
                (at(j1, i0), (1.0 - fx) * fy),
                (at(j1, i1), fx * fy),
            ];
            let k = y * w + x;
            let mut px = [0.0f32; 3];
            let mut wt = 0.0f32;
            for (q, c) in corners {
                wt += c * m.weight[q];
                for (acc, v) in px.iter_mut().zip(m.face.data[q]) {
                    *acc += c * v;
                }
            }
            face.data[k] = px;
            weight[k] = wt;
        }
    }
    Ok(Some(Morphed {
        face,
        weight,
        solve: m.solve,
    }))
}

/// The two bilinear taps and the fraction for coordinate `t` on a grid of `n` samples, with
/// clamping inside `[−0.5, n − 0.5]` (the grid's own pixels) and `None` beyond it.
fn taps(t: f32, n: usize) -> Option<(usize, usize, f32)> {
    if n == 0 || !(-0.5..=n as f32 - 0.5).contains(&t) {
        return None;
    }
    let t = t.clamp(0.0, (n - 1) as f32);
    let i = t as usize;
    Some((i, (i + 1).min(n - 1), t - i as f32))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
#[path = "scaled_tests.rs"]
mod tests;
