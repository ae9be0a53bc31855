//! `liveswap run … --report`: did the swap take?
//!
//! After the run the output image is analysed again with the profile's analysing stages (so
//! with the analyser's own recognizer), and for every target face whose box changed, the
//! output face found at the same place (best IoU ≥ 0.3) is compared with
//! * the **source identity** — the mean of the `source` faces' embeddings, or, for map pairs,
//!   the source of the pair whose target is nearest the original face — and
//! * the **original target** face's embedding,
//!
//! by ArcFace cosine similarity. A swap that took is closer to the source than to the
//! original target. Boxes are `[x1, y1, x2, y2]` in image pixels.

use super::error::CommandError;
use crate::pipeline::Pipeline;
use liveswap_sdk::{Face, OwnedImage, SourceFace, SourceRole};
use std::io::Write;

/// The smallest box overlap at which an output face is the same face as a target face.
const MIN_IOU: f32 = 0.3;

/// One line of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct SwapReport {
    /// Index of the target face (analyser order).
    pub face: usize,
    /// Its box in the input image.
    pub bbox: [f32; 4],
    /// Which source identity it is compared with (file label).
    pub source_label: String,
    /// Cosine of the output face to the source identity (`None`: no face found there).
    pub to_source: Option<f32>,
    /// Cosine of the output face to the original target face.
    pub to_target: Option<f32>,
}

/// Cosine similarity of two vectors (0 when either is all zeros); `--report` and the
/// int8 check (`models quantize`) both measure identities with it.
pub(super) fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| f64::from(*x) * f64::from(*y))
        .sum();
    let na: f64 = a.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    dot / (na * nb)
}

fn iou(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let w = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let h = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = w * h;
    let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
    if union > 0.0 { inter / union } else { 0.0 }
}

fn embedding(face: &Face) -> Option<&[f32]> {
    face.embedding
        .as_ref()
        .into_option()
        .map(|e| e.values.as_slice())
}

/// Whether any pixel inside `bbox` differs between the two images.
fn changed(before: &OwnedImage, after: &OwnedImage, bbox: &[f32; 4]) -> bool {
    let (w, h) = (before.width as usize, before.height as usize);
    let clamp = |v: f32, hi: usize| (v.max(0.0) as usize).min(hi);
    let (x0, y0) = (clamp(bbox[0].floor(), w), clamp(bbox[1].floor(), h));
    let (x1, y1) = (
        clamp(bbox[2].ceil() + 1.0, w),
        clamp(bbox[3].ceil() + 1.0, h),
    );
    (y0..y1).any(|y| {
        let (a, b) = (y * w * 3 + x0 * 3, y * w * 3 + x1 * 3);
        before.data[a..b] != after.data[a..b]
    })
}

/// How many of `faces` a processor swapped: those whose box changed between `before` and
/// `after` (the rule `--report` uses; the sdk's faces carry no "swapped" mark, and a
/// swapper's own Skipped event only says "none").
pub(super) fn count_swapped(before: &OwnedImage, after: &OwnedImage, faces: &[Face]) -> usize {
    faces
        .iter()
        .filter(|f| changed(before, after, &f.bbox))
        .count()
}

/// The source identity a target face is compared with: `(label, embedding)`.
fn identity_for(face: &Face, sources: &[SourceFace]) -> Option<(String, Vec<f32>)> {
    // Map pairs: the pair whose target is nearest this face.
    let mut best: Option<(f64, &SourceFace)> = None;
    for t in sources.iter().filter(|s| s.role.ends_with(":target")) {
        let (Some(fe), Some(te)) = (embedding(face), embedding(&t.face)) else {
            continue;
        };
        let k = t.role.trim_end_matches(":target");
        let Some(src) = sources
            .iter()
            .find(|s| s.role.as_str() == format!("{k}:source"))
        else {
            continue;
        };
        let c = cosine(fe, te);
        if best.is_none_or(|(b, _)| c > b) {
            best = Some((c, src));
        }
    }
    if let Some((_, src)) = best {
        return embedding(&src.face).map(|e| (src.label.to_string(), e.to_vec()));
    }
    let group: Vec<&SourceFace> = sources
        .iter()
        .filter(|s| SourceRole::parse(&s.role) == Some(SourceRole::Source))
        .collect();
    let embs: Vec<&[f32]> = group.iter().filter_map(|s| embedding(&s.face)).collect();
    let first = embs.first()?;
    let mut mean = vec![0.0f32; first.len()];
    for e in &embs {
        mean.iter_mut().zip(e.iter()).for_each(|(m, v)| *m += v);
    }
    let label = group
        .iter()
        .map(|s| s.label.as_str())
        .collect::<Vec<_>>()
        .join(" + ");
    Some((label, mean))
}

/// Compares each changed target face of `output` with its source and its original.
pub fn swap_reports(
    pipeline: &mut Pipeline,
    original: &OwnedImage,
    output: &OwnedImage,
    target_faces: &[Face],
    sources: &[SourceFace],
) -> Vec<SwapReport> {
    let mut analysed = output.clone();
    let found = pipeline.analyse(&mut analysed).faces;
    let mut out = Vec::new();
    for (i, face) in target_faces.iter().enumerate() {
        if !changed(original, output, &face.bbox) {
            continue;
        }
        let Some((source_label, identity)) = identity_for(face, sources) else {
            continue;
        };
        let matched = found
            .iter()
            .map(|f| (iou(&f.bbox, &face.bbox), f))
            .filter(|(o, _)| *o >= MIN_IOU)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .and_then(|(_, f)| embedding(f));
        out.push(SwapReport {
            face: i,
            bbox: face.bbox,
            source_label,
            to_source: matched.map(|e| cosine(e, &identity) as f32),
            to_target: matched
                .zip(embedding(face))
                .map(|(e, t)| cosine(e, t) as f32),
        });
    }
    out
}

/// Writes the `--report` lines.
pub fn write_report(
    services: &crate::pipeline::Services,
    pipeline: &mut Pipeline,
    original: &OwnedImage,
    output: &OwnedImage,
    target_faces: &[Face],
    sources: &[SourceFace],
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    if !target_faces.iter().any(|f| embedding(f).is_some()) {
        writeln!(
            out,
            "report: no identity embeddings (set face_analyser.recognizer_model to compare identities)"
        )?;
        return Ok(());
    }
    let reports = swap_reports(pipeline, original, output, target_faces, sources);
    if reports.is_empty() {
        writeln!(out, "report: no face was swapped")?;
    }
    if let Some(calls) = services.call_stats() {
        writeln!(out, "report: models ran on {}", calls.providers_text())?;
    }
    for r in &reports {
        let b = r.bbox.map(|v| v.round() as i64);
        match (r.to_source, r.to_target) {
            (Some(s), Some(t)) => writeln!(
                out,
                "report: face {} [{}, {}, {}, {}]: cosine to source ({}) {s:.3}, to original target {t:.3}: {}",
                r.face,
                b[0],
                b[1],
                b[2],
                b[3],
                r.source_label,
                if s > t {
                    "swap took"
                } else {
                    "swap did not take"
                }
            )?,
            _ => writeln!(
                out,
                "report: face {} [{}, {}, {}, {}]: no face found there in the output",
                r.face, b[0], b[1], b[2], b[3]
            )?,
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn cosine_and_iou() {
        assert!((cosine(&[1.0, 0.0], &[2.0, 0.0]) - 1.0).abs() < 1e-6);
        assert!(cosine(&[1.0, 0.0], &[0.0, 3.0]).abs() < 1e-6);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
        assert!((iou(&[0.0, 0.0, 2.0, 2.0], &[1.0, 0.0, 3.0, 2.0]) - 1.0 / 3.0).abs() < 1e-6);
        assert_eq!(iou(&[0.0, 0.0, 1.0, 1.0], &[5.0, 5.0, 6.0, 6.0]), 0.0);
    }

    #[test]
    fn change_detection_looks_inside_the_box_only() {
        let img = OwnedImage {
            data: vec![0u8; 10 * 10 * 3].into(),
            width: 10,
            height: 10,
        };
        let mut other = img.clone();
        other.data[(8 * 10 + 8) * 3] = 1;
        assert!(!changed(&img, &other, &[0.0, 0.0, 4.0, 4.0]));
        assert!(changed(&img, &other, &[6.0, 6.0, 8.0, 8.0]));
    }
}
