//! Crop geometry and paste-back of the enhancer.
//!
//! **Crop.** The face's 5 keypoints are fitted onto the FFHQ 5-point template scaled to the
//! model size ([`liveswap_vision::align::ffhq_template`]) with a least-squares similarity
//! (Umeyama), and the frame is warped into an `S × S` crop (bilinear, border 0; OpenCV's
//! `warpAffine` arithmetic). `m` maps frame → crop pixels (OpenCV pixel-index convention).
//!
//! **Mask.** A crop-space box mask, facefusion's `create_static_box_mask` with blur 0.3: ones
//! inset by `b/2` pixels on every side and Gaussian-blurred with σ = `b/4`, where
//! `b = int(S · 0.5 · 0.3)` (76 px at 512). It feathers the crop's edge so no seam shows.
//!
//! **Paste-back (residual form).** What is warped back through the inverse affine is not the
//! enhanced crop itself but the masked *change* the model made,
//! `Δ = mask · (enhanced − crop)` (f32, per channel), and each frame pixel in the warped
//! crop's footprint becomes `round(frame + blend · W⁻¹(Δ))`. Where the original frame equals
//! its own crop-and-back resampling this is the classic paste of `W⁻¹(enhanced)` with a
//! feathered mask; the difference is that the resampling blur of the round trip is not
//! pasted into the frame: an identity model, or `blend = 0`, leaves every pixel exactly as it
//! was, for any face geometry. Δ lives in crop space, so a cached Δ can be pasted onto the
//! same face in a later frame through that frame's own alignment (`every_n_frames`).
//! Only pixels inside the footprint of the warped crop are read or written.

use liveswap_vision::affine::warp_bounds;
use liveswap_vision::align::{ffhq_template, umeyama_similarity};
use liveswap_vision::blend::gaussian_blur_f32;
use liveswap_vision::{
    Affine, Image, ImageView, ImageViewMut, MaskF32, Rect, VisionError, compose, invert_affine,
    warp_affine_f32_into, warp_affine_u8,
};

/// facefusion's default face mask blur for the static box mask.
pub const BOX_MASK_BLUR: f64 = 0.3;

/// The frame → crop similarity for a face's 5 keypoints at crop size `size`.
///
/// # Errors
/// [`VisionError::DegenerateTransform`] for coincident or non-finite keypoints.
pub fn align(kps: &[[f32; 2]; 5], size: u32) -> Result<Affine, VisionError> {
    umeyama_similarity(kps, &ffhq_template(size)).ok_or(VisionError::DegenerateTransform)
}

/// The aligned `size × size` crop of `frame` and its matrix.
///
/// # Errors
/// As [`align`], or a frame layout error.
pub fn crop(
    frame: ImageView<'_>,
    kps: &[[f32; 2]; 5],
    size: u32,
) -> Result<(Image, Affine), VisionError> {
    let m = align(kps, size)?;
    let s = size as usize;
    Ok((warp_affine_u8(frame, &m, s, s)?, m))
}

/// facefusion's static box mask for an `size × size` crop, values in [0, 1].
///
/// # Errors
/// [`VisionError::SizeOverflow`] for absurd sizes.
pub fn box_mask(size: usize) -> Result<MaskF32, VisionError> {
    let blur = (size as f64 * 0.5 * BOX_MASK_BLUR) as usize;
    let inset = (blur / 2).max(1);
    let mut mask = MaskF32::new(size, size)?;
    for y in inset..size.saturating_sub(inset) {
        mask.data[y * size + inset..(y + 1) * size - inset].fill(1.0);
    }
    if blur == 0 {
        return Ok(mask);
    }
    let sigma = blur as f64 * 0.25;
    // OpenCV's kernel size for `ksize = (0, 0)` on f32 images: cvRound(σ·4·2 + 1) | 1.
    let ksize = ((sigma * 8.0 + 1.0).round() as usize) | 1;
    gaussian_blur_f32(&mask, ksize, sigma)
}

/// The masked change a model made to a crop, per channel: `mask · (enhanced − crop)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Delta {
    /// R, G, B planes, `size × size` each.
    pub planes: [MaskF32; 3],
}

impl Delta {
    /// `mask · (enhanced − crop)`.
    ///
    /// # Errors
    /// Images and mask of different sizes.
    pub fn new(crop: &Image, enhanced: &Image, mask: &MaskF32) -> Result<Self, VisionError> {
        let (w, h) = (crop.width, crop.height);
        if (enhanced.width, enhanced.height) != (w, h) || (mask.width, mask.height) != (w, h) {
            return Err(VisionError::BadLength {
                what: "enhanced crop",
                expected: w * h,
                got: enhanced.width * enhanced.height,
            });
        }
        let mut planes = [
            MaskF32::new(w, h)?,
            MaskF32::new(w, h)?,
            MaskF32::new(w, h)?,
        ];
        for (i, ((c, e), &m)) in crop
            .data
            .chunks_exact(3)
            .zip(enhanced.data.chunks_exact(3))
            .zip(&mask.data)
            .enumerate()
        {
            for (ch, plane) in planes.iter_mut().enumerate() {
                plane.data[i] = m * (f32::from(e[ch]) - f32::from(c[ch]));
            }
        }
        Ok(Self { planes })
    }

    /// Whether the model changed nothing under the mask.
    pub fn is_zero(&self) -> bool {
        self.planes.iter().all(|p| p.data.iter().all(|&v| v == 0.0))
    }

    /// Side of the crop.
    pub fn size(&self) -> usize {
        self.planes[0].width
    }
}

/// Adds `blend · W⁻¹(Δ)` to the frame, `m` being the frame → crop matrix of this frame.
/// Returns the box that was processed (`None` when the crop's footprint misses the frame or
/// nothing would change).
///
/// # Errors
/// A singular `m`, or a frame layout error.
pub fn paste(
    frame: &mut ImageViewMut<'_>,
    delta: &Delta,
    m: &Affine,
    blend: f32,
) -> Result<Option<Rect>, VisionError> {
    frame.validate()?;
    if frame.channels != 3 {
        return Err(VisionError::UnsupportedChannels {
            channels: frame.channels,
        });
    }
    if blend <= 0.0 {
        return Ok(None);
    }
    let im = invert_affine(m).ok_or(VisionError::DegenerateTransform)?;
    let size = delta.size();
    let region = warp_bounds(&im, size, size, frame.width, frame.height);
    if region.is_empty() {
        return Ok(None);
    }
    // Warp into a region-sized buffer: crop → frame, then frame → region (a translation).
    let shift: Affine = [
        [1.0, 0.0, -(region.x0 as f64)],
        [0.0, 1.0, -(region.y0 as f64)],
    ];
    let to_region = compose(&im, &shift);
    let (rw, rh) = (region.width(), region.height());
    let mut back = MaskF32::new(rw, rh)?;
    for (ch, plane) in delta.planes.iter().enumerate() {
        warp_affine_f32_into(plane, &to_region, &mut back, Rect::full(rw, rh))?;
        for (ry, row) in back.data.chunks_exact(rw).enumerate() {
            let y = region.y0 + ry;
            let out = &mut frame.data[y * frame.stride..];
            for (rx, &d) in row.iter().enumerate() {
                if d == 0.0 {
                    continue;
                }
                let i = (region.x0 + rx) * 3 + ch;
                let v = f32::from(out[i]) + blend * d;
                out[i] = v.round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    Ok(Some(region))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use liveswap_vision::apply_affine;

    fn textured(w: usize, h: usize) -> Image {
        let data = (0..w * h * 3)
            .map(|i| ((i * 7919 + (i / 3) * 31) % 251) as u8)
            .collect();
        Image::from_vec(data, w, h, 3).unwrap()
    }

    /// A face placed by a rotation + scale + shift of the template.
    fn kps_for(size: u32, scale: f64, angle: f64, tx: f64, ty: f64) -> [[f32; 2]; 5] {
        let (c, s) = (angle.cos() * scale, angle.sin() * scale);
        ffhq_template(size).map(|[x, y]| {
            let (x, y) = (f64::from(x), f64::from(y));
            [(c * x - s * y + tx) as f32, (s * x + c * y + ty) as f32]
        })
    }

    #[test]
    fn alignment_maps_the_keypoints_onto_the_template() {
        for size in [256u32, 512] {
            let kps = kps_for(size, 0.45, 0.3, 80.0, 40.0);
            let m = align(&kps, size).unwrap();
            for (p, t) in kps.iter().zip(ffhq_template(size)) {
                let q = apply_affine(&m, f64::from(p[0]), f64::from(p[1]));
                assert!(
                    (q[0] - f64::from(t[0])).abs() < 1e-2 && (q[1] - f64::from(t[1])).abs() < 1e-2,
                    "{q:?} vs {t:?}"
                );
            }
        }
        assert!(align(&[[3.0, 3.0]; 5], 512).is_err());
    }

    #[test]
    fn box_mask_is_feathered_and_symmetric() {
        let m = box_mask(512).unwrap();
        let at = |x: usize, y: usize| m.get(x, y).unwrap();
        assert!(at(256, 256) > 0.999);
        // facefusion's mask keeps ~5 % at the crop edge (inset = 2σ, reflect-101 border).
        assert!(at(0, 256) < 0.06 && at(256, 0) < 0.06, "{}", at(0, 256));
        // The edge ramps: half way at the inset line (38 px at 512).
        assert!((at(38, 256) - 0.5).abs() < 0.05, "{}", at(38, 256));
        assert!((at(100, 37) - at(411, 474)).abs() < 1e-5);
        // Monotone toward the centre along a row.
        for x in 1..256 {
            assert!(at(x, 256) >= at(x - 1, 256) - 1e-6);
        }
    }

    #[test]
    fn unchanged_crop_round_trips_exactly_for_any_geometry() {
        let mut frame = textured(300, 260);
        let before = frame.data.clone();
        let mask = box_mask(256).unwrap();
        for (scale, angle, tx, ty) in [
            (0.5, 0.0, 20.0, 30.0),
            (0.37, 0.4, 90.0, 10.0),
            (1.3, -0.2, -60.0, -50.0),
        ] {
            let kps = kps_for(256, scale, angle, tx, ty);
            let (c, m) = crop(frame.view(), &kps, 256).unwrap();
            let d = Delta::new(&c, &c, &mask).unwrap();
            assert!(d.is_zero());
            paste(&mut frame.view_mut(), &d, &m, 1.0).unwrap();
            assert_eq!(frame.data, before);
        }
    }

    #[test]
    fn a_change_lands_on_the_face_and_nowhere_outside_the_footprint() {
        // A smooth frame: on noise the residual paste keeps the frame's own sub-crop detail.
        let data = (0..400 * 400 * 3)
            .map(|i| (40 + (i / 3) % 400 / 4 + (i / 3) / 400 / 5) as u8)
            .collect();
        let mut frame = Image::from_vec(data, 400, 400, 3).unwrap();
        let before = frame.clone();
        let kps = kps_for(256, 0.6, 0.25, 120.0, 90.0);
        let (c, m) = crop(frame.view(), &kps, 256).unwrap();
        // A "model" that whitens the crop.
        let white = Image::from_vec(vec![255; c.data.len()], 256, 256, 3).unwrap();
        let d = Delta::new(&c, &white, &box_mask(256).unwrap()).unwrap();
        let region = paste(&mut frame.view_mut(), &d, &m, 1.0).unwrap().unwrap();
        // The nose keypoint is (nearly) white now: the crop centre area has mask ≈ 1.
        let nose = frame.pixel(kps[2][0] as usize, kps[2][1] as usize).unwrap();
        assert!(nose.iter().all(|&v| v >= 254), "{nose:?}");
        for y in 0..400 {
            for x in 0..400 {
                let inside =
                    (region.x0..region.x1).contains(&x) && (region.y0..region.y1).contains(&y);
                if !inside {
                    assert_eq!(frame.pixel(x, y), before.pixel(x, y), "({x},{y})");
                }
            }
        }
        // Half the blend moves half way.
        let mut half = before.clone();
        paste(&mut half.view_mut(), &d, &m, 0.5).unwrap();
        let (hx, hy) = (kps[2][0] as usize, kps[2][1] as usize);
        let (o, h) = (before.pixel(hx, hy).unwrap(), half.pixel(hx, hy).unwrap());
        for ch in 0..3 {
            let want = (f32::from(o[ch]) + 255.0) / 2.0;
            assert!((f32::from(h[ch]) - want).abs() <= 1.5, "{o:?} {h:?}");
        }
        // Blend 0 changes nothing.
        let mut zero = before.clone();
        assert!(paste(&mut zero.view_mut(), &d, &m, 0.0).unwrap().is_none());
        assert_eq!(zero.data, before.data);
    }
}
