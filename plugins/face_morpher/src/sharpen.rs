//! Unsharp masking of the morphed face, to restore detail that bilinear resampling softens.
//!
//! Pipeline position: after colour transfer, before blending; it runs on the face patch only,
//! and its effect reaches the frame only through the mask, so nothing outside the face
//! changes. `out = v + amount · (v − blur(v))` per channel, with a Gaussian of
//! [`SIGMA`] px ([`liveswap_vision::blend::gaussian_blur_f32`], reflect-101 border at the
//! patch edge) and `amount = sharpness ·` [`AMOUNT_PER_STEP`], `sharpness` in 0–5.

use crate::patch::Patch;
use liveswap_vision::MaskF32;
use liveswap_vision::blend::gaussian_blur_f32;

/// Blur sigma in pixels.
pub const SIGMA: f64 = 1.2;
/// Kernel size for [`SIGMA`] (±3σ, odd).
pub const KSIZE: usize = 7;
/// Unsharp amount per unit of the `sharpness` setting.
pub const AMOUNT_PER_STEP: f32 = 0.3;

/// Sharpens `patch` in place; `sharpness <= 0` does nothing. Values are not clamped here.
pub fn unsharp(patch: &mut Patch, sharpness: f32) {
    if sharpness <= 0.0 || patch.data.is_empty() {
        return;
    }
    let amount = sharpness * AMOUNT_PER_STEP;
    let (w, h) = (patch.width(), patch.height());
    for c in 0..3 {
        let plane: Vec<f32> = patch.data.iter().map(|p| p[c]).collect();
        let Ok(mask) = MaskF32::from_vec(plane, w, h) else {
            return;
        };
        let Ok(blurred) = gaussian_blur_f32(&mask, KSIZE, SIGMA) else {
            return;
        };
        for ((p, &v), &b) in patch.data.iter_mut().zip(&mask.data).zip(&blurred.data) {
            p[c] = v + amount * (v - b);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use liveswap_vision::Rect;

    #[test]
    fn flat_stays_flat_and_edges_gain_contrast() {
        let mut p = Patch::zeros(Rect::new(0, 0, 12, 5));
        for (k, px) in p.data.iter_mut().enumerate() {
            *px = if k % 12 < 6 { [50.0; 3] } else { [150.0; 3] };
        }
        let before = p.clone();
        unsharp(&mut p, 0.0);
        assert_eq!(p, before);
        unsharp(&mut p, 2.0);
        // Far from the edge nothing changes; next to it the step overshoots both ways.
        assert!((p.data[0][0] - 50.0).abs() < 1e-3);
        assert!((p.data[11][1] - 150.0).abs() < 1e-3);
        assert!(p.data[5][0] < 50.0 && p.data[6][2] > 150.0);
    }
}
