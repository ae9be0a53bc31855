//! Which faces to enhance: all of them, or only those an earlier processor swapped.
//!
//! The sdk's [`liveswap_sdk::Face`] carries no "swapped" mark, and swappers do not set one.
//! What every processor does see is the untouched original next to the frame being built
//! ([`liveswap_sdk::FrameCtx::original`]), so "swapped" is decided from the pixels: a face
//! counts as swapped when at least [`MIN_CHANGED`] of the pixels in its keypoint box (the
//! box spanned by the eyes, nose and mouth corners) differ from the original. That works for
//! every swapper (inswapper, the landmark morpher, a future one) without an ABI change, and
//! agrees with `liveswap run --report`, which also calls a face swapped when its box changed.
//! A mouth mask that ran before the enhancer restores only part of that box, so the face
//! still counts as swapped. Limits: a swap with opacity 0 (nothing changed) is not a swap,
//! and a face whose keypoint box is covered by a neighbour's paste-back counts as swapped.

use liveswap_sdk::Face;
use liveswap_vision::ImageView;

/// Fraction of changed pixels in the keypoint box above which a face counts as swapped.
pub const MIN_CHANGED: f64 = 0.05;

/// The keypoint box `[x0, x1) × [y0, y1)` clipped to `w × h` (`None` when empty).
fn kps_box(face: &Face, w: usize, h: usize) -> Option<(usize, usize, usize, usize)> {
    let xs = face.kps.iter().map(|p| p[0]);
    let ys = face.kps.iter().map(|p| p[1]);
    let (x0, x1) = (
        xs.clone().fold(f32::INFINITY, f32::min),
        xs.fold(f32::NEG_INFINITY, f32::max),
    );
    let (y0, y1) = (
        ys.clone().fold(f32::INFINITY, f32::min),
        ys.fold(f32::NEG_INFINITY, f32::max),
    );
    if !(x0.is_finite() && x1.is_finite() && y0.is_finite() && y1.is_finite()) {
        return None;
    }
    let clip = |v: f32, hi: usize| (v.max(0.0) as usize).min(hi);
    let b = (
        clip(x0.floor(), w),
        clip(y0.floor(), h),
        clip(x1.ceil() + 1.0, w),
        clip(y1.ceil() + 1.0, h),
    );
    (b.0 < b.2 && b.1 < b.3).then_some(b)
}

/// Fraction of pixels in the face's keypoint box that differ between the two images
/// (same size, 3 channels); 0 when the box is empty.
pub fn changed_fraction(frame: &ImageView<'_>, original: &ImageView<'_>, face: &Face) -> f64 {
    let (w, h) = (
        frame.width.min(original.width),
        frame.height.min(original.height),
    );
    let Some((x0, y0, x1, y1)) = kps_box(face, w, h) else {
        return 0.0;
    };
    let mut changed = 0usize;
    for y in y0..y1 {
        let a = &frame.data[y * frame.stride + x0 * 3..y * frame.stride + x1 * 3];
        let b = &original.data[y * original.stride + x0 * 3..y * original.stride + x1 * 3];
        changed += a
            .chunks_exact(3)
            .zip(b.chunks_exact(3))
            .filter(|(p, q)| p != q)
            .count();
    }
    changed as f64 / ((x1 - x0) * (y1 - y0)) as f64
}

/// Whether an earlier processor swapped `face` (see the module docs).
pub fn was_swapped(frame: &ImageView<'_>, original: &ImageView<'_>, face: &Face) -> bool {
    changed_fraction(frame, original, face) >= MIN_CHANGED
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use liveswap_vision::Image;

    #[test]
    fn only_changes_inside_the_keypoint_box_count() {
        let original = Image::from_vec(vec![100; 100 * 100 * 3], 100, 100, 3).unwrap();
        let face = Face::new(
            [10.0, 10.0, 90.0, 90.0],
            0.9,
            [
                [30.0, 30.0],
                [70.0, 30.0],
                [50.0, 50.0],
                [35.0, 70.0],
                [65.0, 70.0],
            ],
        );
        let mut frame = original.clone();
        assert!(!was_swapped(&frame.view(), &original.view(), &face));
        // Changes outside the box (corner) do not count.
        for y in 0..20 {
            for x in 0..20 {
                frame.data[(y * 100 + x) * 3] = 0;
            }
        }
        assert_eq!(
            changed_fraction(&frame.view(), &original.view(), &face),
            0.0
        );
        // A swapped face: the whole box changed.
        for y in 30..71 {
            for x in 30..71 {
                frame.data[(y * 100 + x) * 3 + 1] = 0;
            }
        }
        assert!(was_swapped(&frame.view(), &original.view(), &face));
        assert!((changed_fraction(&frame.view(), &original.view(), &face) - 1.0).abs() < 1e-9);
    }
}
