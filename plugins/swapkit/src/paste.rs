//! Paste-back: a swapped face crop warped back into the frame through the inverse of its
//! alignment matrix and blended with a feathered mask — insightface's
//! `INSwapper.get(paste_back=True)` (oracle README §4), limited to the face's region.
//!
//! Pipeline position: the last step of a swapper's per-face work, on the frame being built.
//! `m` is the crop matrix (frame → crop, `crop = m·[x, y, 1]`, OpenCV pixel-index
//! convention); the fake crop is RGB8 like the frame.
//!
//! With [`BlendOptions::default`] the steps are insightface's, number for number:
//! 1. `fake_w = warpAffine(fake, IM)` (u8, OpenCV 5 arithmetic, border 0), `IM = invert(m)`;
//! 2. `white = warpAffine(full(crop, 255.0f32), IM)`, then `white[white > 20] = 255`;
//! 3. `mask_h`, `mask_w` = max − min of the rows/columns where `white == 255`;
//!    `mask_size = int(sqrt(mask_h·mask_w))`;
//! 4. erode with a `k × k` box, `k = max(mask_size/10, 10)`;
//! 5. Gaussian blur, `ksize = 2·max(mask_size/20, 5) + 1`, σ from ksize;
//! 6. `m = mask/255`; `out = trunc(m·fake_w + (1−m)·frame)` in f32.
//!
//! No step touches the whole frame: everything runs inside `region` = the warped crop's
//! footprint ([`liveswap_vision::affine::warp_bounds`]) widened by the erosion and blur reach,
//! which gives the same numbers as the whole-frame computation (outside the footprint the mask
//! is 0, so erosion and reflect-101 blur see zeros either way). The warps write into
//! frame-sized scratch buffers kept between calls, through the `_into` variants, so only the
//! region's pixels are computed.
//!
//! The options ([`crate::blending`]) then scale the mask (opacity), widen or narrow the
//! feather, cut a margin off the crop mask (padding), match colour statistics, and sharpen.

use crate::blending::BlendOptions;
use liveswap_vision::affine::warp_bounds;
use liveswap_vision::blend::{FeatherParams, erode_f32, feather_params, gaussian_blur_f32};
use liveswap_vision::{
    Affine, Image, ImageView, ImageViewMut, MaskF32, Rect, VisionError, invert_affine,
    warp_affine_f32_into, warp_affine_u8_into,
};

/// What one paste-back did (for tests, reports and later processors such as the mouth mask).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasteReport {
    /// Conservative box of the frame pixels the warped crop can reach.
    pub footprint: Rect,
    /// Box that was processed; no pixel outside it changed.
    pub region: Rect,
    /// insightface's `mask_h` (rows between the first and last fully covered pixel).
    pub mask_h: usize,
    /// insightface's `mask_w`.
    pub mask_w: usize,
    /// The kernels actually used (insightface's with `mask_feather = 1`).
    pub params: FeatherParams,
}

/// Paste-back with reusable frame-sized scratch buffers (one per processor instance).
#[derive(Default)]
pub struct Paster {
    fake: Option<Image>,
    white: Option<MaskF32>,
}

impl std::fmt::Debug for Paster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paster").finish_non_exhaustive()
    }
}

/// `r` widened by `margin` on every side and clipped to `w × h`.
fn widen(r: Rect, margin: usize, w: usize, h: usize) -> Rect {
    Rect::new(
        r.x0.saturating_sub(margin),
        r.y0.saturating_sub(margin),
        r.x1.saturating_add(margin),
        r.y1.saturating_add(margin),
    )
    .clip(w, h)
}

/// Erosion box and blur size for `mask_size` under `feather` (insightface's at 1).
fn kernels(p: FeatherParams, feather: f32) -> (usize, usize) {
    let erode = if feather > 1.0 {
        (p.erode_kernel as f32 * feather).ceil() as usize
    } else {
        p.erode_kernel
    };
    let half = ((p.mask_size / 20).max(5) as f32 * feather.max(0.0)).floor() as usize;
    (erode, 2 * half + 1)
}

impl Paster {
    /// A paster with no scratch yet (allocated on first use, kept while the frame size stays).
    pub fn new() -> Self {
        Self::default()
    }

    fn scratch(&mut self, w: usize, h: usize) -> Result<(&mut Image, &mut MaskF32), VisionError> {
        if !matches!(&self.fake, Some(i) if i.width == w && i.height == h) {
            self.fake = Some(Image::new(w, h, 3)?);
            self.white = Some(MaskF32::new(w, h)?);
        }
        match (self.fake.as_mut(), self.white.as_mut()) {
            (Some(f), Some(m)) => Ok((f, m)),
            _ => Err(VisionError::EmptyImage),
        }
    }

    /// Pastes `fake` (the swapped crop, RGB8) into `frame` through the inverse of `m`.
    /// Returns `None` when the face's footprint misses the frame (nothing changed).
    ///
    /// # Errors
    /// Layout errors, a non-3-channel image, or a singular `m`.
    pub fn paste(
        &mut self,
        frame: &mut ImageViewMut<'_>,
        fake: ImageView<'_>,
        m: &Affine,
        opts: &BlendOptions,
    ) -> Result<Option<PasteReport>, VisionError> {
        frame.validate()?;
        fake.validate()?;
        if frame.channels != 3 || fake.channels != 3 {
            return Err(VisionError::UnsupportedChannels {
                channels: if frame.channels == 3 {
                    fake.channels
                } else {
                    frame.channels
                },
            });
        }
        let im = invert_affine(m).ok_or(VisionError::DegenerateTransform)?;
        let (w, h) = (frame.width, frame.height);
        let footprint = warp_bounds(&im, fake.width, fake.height, w, h);
        if footprint.is_empty() {
            return Ok(None);
        }
        // Upper bounds of the kernels (mask_size ≤ the footprint's geometric mean side).
        let bound = feather_params(footprint.height(), footprint.width());
        let (k_max, g_max) = kernels(bound, opts.mask_feather.max(1.0));
        let region = widen(footprint, k_max + g_max + 2, w, h);

        let sharpened = crate::adjust::sharpen(fake, opts.sharpness)?;
        let fake = sharpened.as_ref().map_or(fake, Image::view);
        let mut crop_mask = MaskF32::filled(fake.width, fake.height, 255.0)?;
        crate::adjust::cut_border(&mut crop_mask, opts.mask_padding);

        let (fake_w, white_full) = self.scratch(w, h)?;
        warp_affine_f32_into(&crop_mask, &im, white_full, region)?;
        let mut mask = MaskF32::new(region.width(), region.height())?;
        for (y, row) in mask.data.chunks_exact_mut(region.width()).enumerate() {
            let o = (region.y0 + y) * w + region.x0;
            row.copy_from_slice(&white_full.data[o..o + region.width()]);
        }
        let mut ext = [usize::MAX, usize::MAX, 0, 0];
        for (i, v) in mask.data.iter_mut().enumerate() {
            if *v > 20.0 {
                *v = 255.0;
                let (x, y) = (i % region.width(), i / region.width());
                ext = [ext[0].min(x), ext[1].min(y), ext[2].max(x), ext[3].max(y)];
            }
        }
        if ext[0] == usize::MAX {
            return Ok(None);
        }
        let (mask_h, mask_w) = (ext[3] - ext[1], ext[2] - ext[0]);
        let base = feather_params(mask_h, mask_w);
        let (erode, ksize) = kernels(base, opts.mask_feather);
        let eroded = erode_f32(&mask, erode)?;
        let blurred = if ksize > 1 {
            gaussian_blur_f32(&eroded, ksize, 0.0)?
        } else {
            eroded
        };
        warp_affine_u8_into(fake, &im, &mut fake_w.view_mut(), region)?;
        let fake_w = fake_w.view();
        let correction = if opts.color_correction {
            crate::adjust::color_match(&frame.as_view(), &fake_w, &blurred, region)
        } else {
            None
        };
        blend(
            frame,
            &fake_w,
            &blurred,
            region,
            opts.opacity,
            correction.as_ref(),
        );
        Ok(Some(PasteReport {
            footprint,
            region,
            mask_h,
            mask_w,
            params: FeatherParams {
                mask_size: base.mask_size,
                erode_kernel: erode,
                gaussian_ksize: ksize,
            },
        }))
    }
}

/// `out = trunc(m·fake + (1−m)·frame)` in f32 over `region`, `m = mask/255·opacity`.
fn blend(
    frame: &mut ImageViewMut<'_>,
    fake: &ImageView<'_>,
    mask: &MaskF32,
    region: Rect,
    opacity: f32,
    correction: Option<&crate::adjust::ColorMap>,
) {
    let rw = region.width();
    for (ry, mrow) in mask.data.chunks_exact(rw).enumerate() {
        let y = region.y0 + ry;
        let frow = &fake.data[y * fake.stride..];
        let orow = &mut frame.data[y * frame.stride..];
        for (rx, &mv) in mrow.iter().enumerate() {
            let mut a = mv / 255.0;
            if opacity < 1.0 {
                a *= opacity;
            }
            if a <= 0.0 {
                continue;
            }
            let x = region.x0 + rx;
            for c in 0..3 {
                let f = f32::from(frow[x * 3 + c]);
                let f = correction.map_or(f, |cm| cm.apply(c, f));
                let t = f32::from(orow[x * 3 + c]);
                // insightface: img_mask * bgr_fake + (1 - img_mask) * target, f32, astype(uint8).
                let v = a * f + (1.0 - a) * t;
                orow[x * 3 + c] = v.clamp(0.0, 255.0) as u8;
            }
        }
    }
}

#[cfg(test)]
#[path = "paste_tests.rs"]
mod tests;
