//! The optional adjustments of the paste-back ([`crate::paste`]): unsharp mask on the fake
//! crop, a cut margin on the crop mask, and colour statistics matching inside the mask.
//!
//! All work on RGB8 data; colour statistics are per channel, weighted by the blend mask
//! (0–255 f32), in frame pixels inside the paste region.

use liveswap_vision::blend::gaussian_blur_f32;
use liveswap_vision::{Image, ImageView, MaskF32, Rect, VisionError};

/// Unsharp mask: `f + (strength/2)·(f − blur₅ₓ₅,σ=1(f))`, rounded and clamped. `None` when
/// `strength` is 0 (nothing to do, the caller keeps its crop).
///
/// # Errors
/// A layout error of `img`.
pub fn sharpen(img: ImageView<'_>, strength: f32) -> Result<Option<Image>, VisionError> {
    if strength <= 0.0 || img.width == 0 || img.height == 0 {
        return Ok(None);
    }
    img.validate()?;
    let (w, h, c) = (img.width, img.height, img.channels);
    let mut out = img.to_image()?;
    let amount = strength / 2.0;
    for ch in 0..c {
        let mut plane = MaskF32::new(w, h)?;
        for y in 0..h {
            for x in 0..w {
                plane.data[y * w + x] = f32::from(img.data[y * img.stride + x * c + ch]);
            }
        }
        let blur = gaussian_blur_f32(&plane, 5, 1.0)?;
        for (i, (&f, &b)) in plane.data.iter().zip(&blur.data).enumerate() {
            out.data[i * c + ch] = (f + amount * (f - b)).round().clamp(0.0, 255.0) as u8;
        }
    }
    Ok(Some(out))
}

/// Zeroes a border of `fraction × min(width, height)` pixels (rounded) on every side.
pub fn cut_border(mask: &mut MaskF32, fraction: f32) {
    let pad = (fraction.max(0.0) * mask.width.min(mask.height) as f32).round() as usize;
    if pad == 0 {
        return;
    }
    let (w, h) = (mask.width, mask.height);
    for y in 0..h {
        for x in 0..w {
            if x < pad || y < pad || x + pad >= w || y + pad >= h {
                mask.data[y * w + x] = 0.0;
            }
        }
    }
}

/// A per-channel linear colour map `v ↦ clamp(v·scale + offset)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColorMap {
    /// Gain per channel.
    pub scale: [f32; 3],
    /// Offset per channel.
    pub offset: [f32; 3],
}

impl ColorMap {
    /// Maps one value of channel `c`.
    pub fn apply(&self, c: usize, v: f32) -> f32 {
        (v * self.scale[c] + self.offset[c]).clamp(0.0, 255.0)
    }
}

/// The map that gives the warped fake (`fake`, frame coordinates) the frame's per-channel
/// mean and standard deviation under `mask` (region-sized, 0–255). `None` for an empty mask.
pub fn color_match(
    frame: &ImageView<'_>,
    fake: &ImageView<'_>,
    mask: &MaskF32,
    region: Rect,
) -> Option<ColorMap> {
    let mut sw = 0.0f64;
    let (mut sf, mut sf2, mut st, mut st2) = ([0.0f64; 3], [0.0f64; 3], [0.0f64; 3], [0.0f64; 3]);
    for ry in 0..region.height() {
        let y = region.y0 + ry;
        for rx in 0..region.width() {
            let wgt = f64::from(mask.data[ry * region.width() + rx]) / 255.0;
            if wgt <= 0.0 {
                continue;
            }
            let x = region.x0 + rx;
            sw += wgt;
            for c in 0..3 {
                let f = f64::from(fake.data[y * fake.stride + x * 3 + c]);
                let t = f64::from(frame.data[y * frame.stride + x * 3 + c]);
                sf[c] += wgt * f;
                sf2[c] += wgt * f * f;
                st[c] += wgt * t;
                st2[c] += wgt * t * t;
            }
        }
    }
    if sw <= 0.0 {
        return None;
    }
    let mut map = ColorMap {
        scale: [1.0; 3],
        offset: [0.0; 3],
    };
    for c in 0..3 {
        let (mf, mt) = (sf[c] / sw, st[c] / sw);
        let vf = (sf2[c] / sw - mf * mf).max(0.0).sqrt();
        let vt = (st2[c] / sw - mt * mt).max(0.0).sqrt();
        let scale = if vf > 1e-3 { vt / vf } else { 1.0 };
        map.scale[c] = scale as f32;
        map.offset[c] = (mt - mf * scale) as f32;
    }
    Some(map)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn sharpen_keeps_flat_areas_and_raises_edge_contrast() {
        let mut img = Image::new(16, 8, 3).unwrap();
        for y in 0..8 {
            for x in 0..16 {
                let v = if x < 8 { 80 } else { 160 };
                img.data[(y * 16 + x) * 3..(y * 16 + x) * 3 + 3].fill(v);
            }
        }
        assert!(sharpen(img.view(), 0.0).unwrap().is_none());
        let s = sharpen(img.view(), 4.0).unwrap().unwrap();
        let px = |x: usize| s.data[(4 * 16 + x) * 3];
        assert_eq!((px(0), px(15)), (80, 160), "flat areas unchanged");
        assert!(
            px(7) < 80 && px(8) > 160,
            "edge overshoot {} {}",
            px(7),
            px(8)
        );
    }

    #[test]
    fn cut_border_zeroes_the_margin() {
        let mut m = MaskF32::filled(10, 10, 255.0).unwrap();
        cut_border(&mut m, 0.2);
        assert_eq!(m.get(1, 5), Some(0.0));
        assert_eq!(m.get(2, 5), Some(255.0));
        assert_eq!(m.get(7, 7), Some(255.0));
        assert_eq!(m.get(8, 7), Some(0.0));
    }

    #[test]
    fn color_match_moves_mean_and_spread() {
        // Fake: values 100/120 alternating; frame: 50/90 alternating -> scale 2, offset -150.
        let (w, h) = (4, 2);
        let mut fake = Image::new(w, h, 3).unwrap();
        let mut frame = Image::new(w, h, 3).unwrap();
        for i in 0..w * h {
            let (f, t) = if i % 2 == 0 { (100, 50) } else { (120, 90) };
            fake.data[i * 3..i * 3 + 3].fill(f);
            frame.data[i * 3..i * 3 + 3].fill(t);
        }
        let mask = MaskF32::filled(w, h, 255.0).unwrap();
        let map = color_match(&frame.view(), &fake.view(), &mask, Rect::full(w, h)).unwrap();
        assert!((map.apply(0, 100.0) - 50.0).abs() < 1e-3);
        assert!((map.apply(2, 120.0) - 90.0).abs() < 1e-3);
        let empty = MaskF32::new(w, h).unwrap();
        assert!(color_match(&frame.view(), &fake.view(), &empty, Rect::full(w, h)).is_none());
    }
}
