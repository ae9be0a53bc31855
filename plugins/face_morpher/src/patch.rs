//! [`Patch`]: an f32 RGB buffer covering one face's region of interest in the frame.
//!
//! Pipeline position: every per-face stage works on patches of the same [`Rect`] — the warped
//! source face ([`crate::warp`]), the target pixels read from the frame, the colour-corrected
//! and Poisson-blended result — and only the final composite ([`Patch::blend_into`]) writes
//! frame bytes, and only where the mask weight is above zero.
//!
//! Layout: row-major, `rect.width() × rect.height()` pixels, each `[r, g, b]` in 0–255 (not
//! clamped until written back). Patch pixel `(x, y)` is frame pixel `(rect.x0 + x, rect.y0 + y)`.

use liveswap_vision::{ImageView, ImageViewMut, Rect};

/// An RGB f32 buffer over a frame region.
#[derive(Clone, Debug, PartialEq)]
pub struct Patch {
    /// Where the patch sits in the frame.
    pub rect: Rect,
    /// `rect.width() × rect.height()` pixels, row-major.
    pub data: Vec<[f32; 3]>,
}

impl Patch {
    /// A black patch over `rect`.
    #[must_use]
    pub fn zeros(rect: Rect) -> Self {
        Self {
            rect,
            data: vec![[0.0; 3]; rect.width() * rect.height()],
        }
    }

    /// Width in pixels.
    #[must_use]
    pub fn width(&self) -> usize {
        self.rect.width()
    }

    /// Height in pixels.
    #[must_use]
    pub fn height(&self) -> usize {
        self.rect.height()
    }

    /// Copies the frame pixels under `rect` (which must lie inside the RGB8 `frame`).
    #[must_use]
    pub fn read(frame: &ImageView<'_>, rect: Rect) -> Self {
        let rect = rect.clip(frame.width, frame.height);
        let mut out = Self::zeros(rect);
        let w = rect.width();
        for y in 0..rect.height() {
            let row = (rect.y0 + y) * frame.stride;
            for x in 0..w {
                let o = row + (rect.x0 + x) * frame.channels;
                let px = &frame.data[o..o + 3];
                out.data[y * w + x] = [f32::from(px[0]), f32::from(px[1]), f32::from(px[2])];
            }
        }
        out
    }

    /// Writes `alpha · self + (1 − alpha) · frame` into the frame for every patch pixel whose
    /// weight is above zero, rounding to the nearest byte and saturating; pixels with weight 0
    /// are not touched at all. `alpha` has one weight per patch pixel.
    pub fn blend_into(&self, frame: &mut ImageViewMut<'_>, alpha: &[f32]) {
        let rect = self.rect.clip(frame.width, frame.height);
        let w = self.width();
        for y in 0..rect.height() {
            let row = (rect.y0 + y) * frame.stride;
            for x in 0..rect.width() {
                let a = alpha[y * w + x];
                if a <= 0.0 {
                    continue;
                }
                let a = a.min(1.0);
                let o = row + (rect.x0 + x) * frame.channels;
                let src = self.data[y * w + x];
                for (c, byte) in frame.data[o..o + 3].iter_mut().enumerate() {
                    let v = a * src[c] + (1.0 - a) * f32::from(*byte);
                    *byte = v.round().clamp(0.0, 255.0) as u8;
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use liveswap_vision::Image;

    #[test]
    fn read_and_blend_touch_only_weighted_pixels() {
        let data: Vec<u8> = (0..6 * 4 * 3).map(|i| (i * 7 % 251) as u8).collect();
        let mut img = Image::from_vec(data.clone(), 6, 4, 3).unwrap();
        let rect = Rect::new(1, 1, 4, 3);
        let p = Patch::read(&img.view(), rect);
        assert_eq!(p.data.len(), 6);
        assert_eq!(p.data[0][0], f32::from(data[(6 + 1) * 3]));
        let mut white = Patch::zeros(rect);
        white.data.fill([255.0; 3]);
        let alpha = [1.0, 0.5, 0.0, 0.0, 0.0, 0.0];
        white.blend_into(&mut img.view_mut(), &alpha);
        let before = Image::from_vec(data, 6, 4, 3).unwrap();
        assert_eq!(img.pixel(1, 1), Some(&[255u8, 255, 255][..]));
        let half: Vec<u8> = before
            .pixel(2, 1)
            .unwrap()
            .iter()
            .map(|&b| (0.5 * 255.0 + 0.5 * f32::from(b)).round() as u8)
            .collect();
        assert_eq!(img.pixel(2, 1), Some(&half[..]));
        for (x, y) in [(0, 0), (3, 1), (1, 2), (5, 3)] {
            assert_eq!(img.pixel(x, y), before.pixel(x, y));
        }
    }
}
