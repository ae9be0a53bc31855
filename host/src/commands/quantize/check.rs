//! The quality check of an int8 copy against its fp32 source, on the calibration photos.
//!
//! Two levels, both comparing int8 with fp32 on identical inputs:
//! - **model**: both files run on the recorded calls (the processor's own tensors):
//!   recognizer embedding cosine per face; swap/enhance crop PSNR;
//! - **pipeline**: the role's pipeline runs once with each file: detector boxes (IoU) and
//!   keypoints (px), landmarks (px), and the morph swap's result (PSNR inside the face boxes);
//!   for swappers the identity (w600k_mbf cosine) of each swapped face.
//!
//! Figures are named (`embedding_cosine_mean`, …); [`super::recipe::Role::limits`] says which
//! must hold.

use super::QuantizeError;
use super::calibrate::{self, pipeline, process, source_face};
use super::recipe::Role;
use crate::commands::error::CommandError;
use crate::commands::report::cosine;
use crate::commands::setup::Host;
use crate::inference::{InferenceService, TappedCall};
use liveswap_sdk::{Face, OwnedImage, TensorRef};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Named figures, in name order.
pub type Figures = BTreeMap<String, f64>;

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.iter().sum::<f64>() / v.len() as f64
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(0.0, f64::max)
}

/// PSNR in dB of `b` against `a`, for values spanning `peak`.
pub fn psnr(a: &[f32], b: &[f32], peak: f64) -> f64 {
    let n = a.len().min(b.len()).max(1) as f64;
    let mse: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
        .sum::<f64>()
        / n;
    if mse == 0.0 {
        return 99.0;
    }
    10.0 * (peak * peak / mse).log10()
}

/// Intersection over union of two `[x1, y1, x2, y2]` boxes.
pub fn iou(a: &[f32; 4], b: &[f32; 4]) -> f64 {
    let w = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let h = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = f64::from(w * h);
    let area = |r: &[f32; 4]| f64::from((r[2] - r[0]).max(0.0) * (r[3] - r[1]).max(0.0));
    let union = area(a) + area(b) - inter;
    if union <= 0.0 { 0.0 } else { inter / union }
}

fn dist(a: [f32; 2], b: [f32; 2]) -> f64 {
    f64::from(((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt())
}

/// The first output of the fp32 and of the int8 model on one call.
type OutputPair = (Vec<f32>, Vec<f32>);

/// Runs `fp32` and `int8` on every recorded call; returns the first output of each, per call.
fn model_outputs(
    service: &InferenceService,
    fp32: &Path,
    int8: &Path,
    calls: &[TappedCall],
) -> Result<Vec<OutputPair>, CommandError> {
    let open = |p: &Path, id: &str| -> Result<_, CommandError> {
        let sig = service.inspect(p)?;
        Ok(service.open(p, id, &sig)?)
    };
    let a = open(fp32, "check-fp32")?;
    let b = open(int8, "check-int8")?;
    let mut out = Vec::with_capacity(calls.len());
    for call in calls {
        let inputs: Vec<TensorRef<'_>> = call
            .inputs
            .iter()
            .map(|(_, shape, values)| TensorRef::f32(shape, values))
            .collect();
        let first = |m: &crate::inference::HostModel| -> Result<Vec<f32>, CommandError> {
            let t = m.run_tensors(&inputs)?;
            let v = t
                .first()
                .and_then(|t| t.as_f32().ok().map(<[f32]>::to_vec))
                .ok_or_else(|| QuantizeError::Tool("the model gave no f32 output".into()))?;
            Ok(v)
        };
        out.push((first(&a)?, first(&b)?));
    }
    Ok(out)
}

/// Faces of `b` matched to faces of `a` by best IoU (each `a` face at most once).
fn matched<'f>(a: &'f [Face], b: &'f [Face]) -> (Vec<(&'f Face, &'f Face)>, usize) {
    let mut pairs = Vec::new();
    let mut used = vec![false; b.len()];
    for fa in a {
        let best = b
            .iter()
            .enumerate()
            .filter(|(i, _)| !used[*i])
            .map(|(i, fb)| (i, iou(&fa.bbox, &fb.bbox)))
            .max_by(|x, y| x.1.total_cmp(&y.1));
        if let Some((i, v)) = best
            && v > 0.3
        {
            used[i] = true;
            pairs.push((fa, &b[i]));
        }
    }
    let unmatched = a.len() + b.len() - 2 * pairs.len();
    (pairs, unmatched)
}

/// PSNR (8-bit) of two same-sized images inside `boxes` (clipped), whole image without boxes.
fn region_psnr(a: &OwnedImage, b: &OwnedImage, boxes: &[[f32; 4]]) -> f64 {
    let (w, h) = (a.width as usize, a.height as usize);
    let mut av = Vec::new();
    let mut bv = Vec::new();
    let mut take = |x0: usize, y0: usize, x1: usize, y1: usize| {
        for y in y0..y1 {
            let row = (y * w + x0) * 3..(y * w + x1) * 3;
            av.extend(a.data[row.clone()].iter().map(|&v| f32::from(v)));
            bv.extend(b.data[row].iter().map(|&v| f32::from(v)));
        }
    };
    if boxes.is_empty() {
        take(0, 0, w, h);
    }
    for bx in boxes {
        let clip = |v: f32, hi: usize| (v.max(0.0) as usize).min(hi);
        let (x0, y0, x1, y1) = (
            clip(bx[0], w),
            clip(bx[1], h),
            clip(bx[2], w),
            clip(bx[3], h),
        );
        if x1 > x0 && y1 > y0 {
            take(x0, y0, x1, y1);
        }
    }
    psnr(&av, &bv, 255.0)
}

/// Everything the check measures for one model.
pub struct CheckInput<'a> {
    /// Role of the model.
    pub role: Role,
    /// Manifest id of the fp32 model.
    pub id: &'a str,
    /// The fp32 file.
    pub fp32: &'a Path,
    /// The int8 file under check.
    pub int8: &'a Path,
    /// The decoded calibration photos.
    pub photos: &'a [(PathBuf, OwnedImage)],
    /// The recorded calls.
    pub calls: &'a [TappedCall],
}

/// Measures every figure of the role.
pub fn run(host: &Host, c: &CheckInput<'_>) -> Result<Figures, CommandError> {
    let mut f = Figures::new();
    let int8_ref = c.int8.display().to_string();
    let service = host.services.inference()?;
    match c.role {
        Role::Recognizer => {
            let mut cos = Vec::new();
            for (a, b) in model_outputs(&service, c.fp32, c.int8, c.calls)? {
                for (ea, eb) in a.chunks(512).zip(b.chunks(512)) {
                    cos.push(cosine(ea, eb));
                }
            }
            f.insert("faces".into(), cos.len() as f64);
            f.insert("embedding_cosine_mean".into(), mean(&cos));
            f.insert("embedding_cosine_min".into(), min(&cos));
        }
        Role::Detector | Role::Landmarks => {
            let (mut pa, _) = pipeline(host, &c.role.profile(c.id))?;
            let (mut pb, _) = pipeline(host, &c.role.profile(&int8_ref))?;
            let (mut ious, mut kps, mut lmk, mut unmatched, mut faces) =
                (Vec::new(), Vec::new(), Vec::new(), 0usize, 0usize);
            for (_, img) in c.photos {
                let (_, fa) = process(&mut pa, img, &[], false)?;
                let (_, fb) = process(&mut pb, img, &[], false)?;
                let (pairs, u) = matched(&fa, &fb);
                faces += fa.len();
                unmatched += u;
                for (x, y) in pairs {
                    ious.push(iou(&x.bbox, &y.bbox));
                    kps.extend(x.kps.iter().zip(&y.kps).map(|(p, q)| dist(*p, *q)));
                    if let (Some(l1), Some(l2)) = (
                        x.landmarks_106.as_ref().into_option(),
                        y.landmarks_106.as_ref().into_option(),
                    ) {
                        lmk.extend(l1.iter().zip(l2.iter()).map(|(p, q)| dist(*p, *q)));
                    }
                }
            }
            f.insert("faces".into(), faces as f64);
            if c.role == Role::Detector {
                f.insert("box_iou_mean".into(), mean(&ious));
                f.insert("box_iou_min".into(), min(&ious));
                f.insert("kps_px_mean".into(), mean(&kps));
                f.insert("kps_px_max".into(), max(&kps));
                f.insert("faces_unmatched".into(), unmatched as f64);
                f.insert(
                    "faces_unmatched_share".into(),
                    unmatched as f64 / faces.max(1) as f64,
                );
            } else {
                f.insert("landmarks_px_mean".into(), mean(&lmk));
                f.insert("landmarks_px_max".into(), max(&lmk));
            }
        }
        Role::Swapper | Role::Enhancer => {
            // Swap crops [0, 1]; enhancer crops [-1, 1].
            let peak = if c.role == Role::Swapper { 1.0 } else { 2.0 };
            let p: Vec<f64> = model_outputs(&service, c.fp32, c.int8, c.calls)?
                .iter()
                .map(|(a, b)| psnr(a, b, peak))
                .collect();
            let name = if c.role == Role::Swapper {
                "swap_crop_psnr_db"
            } else {
                "crop_psnr_db"
            };
            f.insert(format!("{name}_mean"), mean(&p));
            f.insert(format!("{name}_min"), min(&p));
        }
    }
    if c.role == Role::Swapper {
        f.insert("swap_cosine_mean".into(), swap_identity(host, c)?);
    }
    if let (Some(a), Some(b)) = (c.role.morph_profile(c.id), c.role.morph_profile(&int8_ref)) {
        let (mut pa, _) = pipeline(host, &a)?;
        let (mut pb, _) = pipeline(host, &b)?;
        let sa = source_face(&mut pa, c.photos)?;
        let sb = source_face(&mut pb, c.photos)?;
        let mut p = Vec::new();
        for (_, img) in c.photos {
            let (oa, fa) = process(&mut pa, img, &sa, true)?;
            let (ob, _) = process(&mut pb, img, &sb, true)?;
            if fa.is_empty() {
                continue;
            }
            let boxes: Vec<[f32; 4]> = fa.iter().map(|x| x.bbox).collect();
            p.push(region_psnr(&oa, &ob, &boxes));
        }
        f.insert("morph_psnr_db_mean".into(), mean(&p));
        f.insert("morph_psnr_db_min".into(), min(&p));
    }
    Ok(f)
}

/// Mean ArcFace (w600k_mbf) cosine between each face swapped with fp32 and with int8.
fn swap_identity(host: &Host, c: &CheckInput<'_>) -> Result<f64, CommandError> {
    let int8_ref = c.int8.display().to_string();
    let (mut pa, _) = pipeline(host, &c.role.profile(c.id))?;
    let (mut pb, _) = pipeline(host, &c.role.profile(&int8_ref))?;
    let judge = Role::Recognizer.profile("w600k_mbf");
    let (mut pj, _) = calibrate::pipeline(host, &judge)?;
    let sa = source_face(&mut pa, c.photos)?;
    let sb = source_face(&mut pb, c.photos)?;
    let mut cos = Vec::new();
    for (_, img) in c.photos {
        let (oa, _) = process(&mut pa, img, &sa, true)?;
        let (ob, _) = process(&mut pb, img, &sb, true)?;
        let (_, ja) = process(&mut pj, &oa, &[], false)?;
        let (_, jb) = process(&mut pj, &ob, &[], false)?;
        for (x, y) in matched(&ja, &jb).0 {
            if let (Some(e1), Some(e2)) = (
                x.embedding.as_ref().into_option(),
                y.embedding.as_ref().into_option(),
            ) {
                cos.push(cosine(&e1.values, &e2.values));
            }
        }
    }
    Ok(mean(&cos))
}

/// The limits that fail: `"name: value < bound"` lines. A missing or NaN figure fails.
pub fn failures(role: Role, f: &Figures) -> Vec<String> {
    role.limits()
        .iter()
        .filter_map(|&(name, bound, at_least)| {
            let v = f.get(name).copied().unwrap_or(f64::NAN);
            let ok = if at_least { v >= bound } else { v <= bound };
            (!ok).then(|| {
                format!(
                    "{name} = {v:.4}, limit {} {bound}",
                    if at_least { "≥" } else { "≤" }
                )
            })
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn figures_of_known_values() {
        assert!((cosine(&[1.0, 0.0], &[0.0, 1.0])).abs() < 1e-12);
        assert!((cosine(&[1.0, 2.0], &[2.0, 4.0]) - 1.0).abs() < 1e-12);
        assert!((iou(&[0.0, 0.0, 2.0, 2.0], &[1.0, 0.0, 3.0, 2.0]) - 1.0 / 3.0).abs() < 1e-9);
        // MSE 1 on a 255 peak: 20·log10(255) = 48.13 dB.
        assert!((psnr(&[0.0, 2.0], &[1.0, 1.0], 255.0) - 48.1308).abs() < 1e-3);
    }

    #[test]
    fn limits_fail_on_low_or_missing_figures() {
        let mut f = Figures::new();
        f.insert("embedding_cosine_mean".into(), 0.98);
        f.insert("embedding_cosine_min".into(), 0.85);
        let fails = failures(Role::Recognizer, &f);
        assert!(
            fails.iter().any(|l| l.starts_with("embedding_cosine_min")),
            "{fails:?}"
        );
        assert!(
            fails.iter().any(|l| l.starts_with("morph_psnr_db_min")),
            "{fails:?}"
        );
        assert!(
            !fails.iter().any(|l| l.starts_with("embedding_cosine_mean")),
            "{fails:?}"
        );
    }
}
