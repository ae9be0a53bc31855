//! Face alignment: 5-point similarity transforms and the crops insightface feeds its models.
//!
//! Pipeline position: after detection, each face's 5 keypoints (left eye, right eye, nose, left
//! and right mouth corner, as seen in the image) are mapped onto a template to cut the ArcFace
//! 112×112 crop ([`norm_crop`]) and the inswapper 128×128 crop (`estimate_norm(kps, 128)`), and the
//! detector box is turned into the 192×192 landmark crop ([`landmark_crop_transform`]).
//!
//! Conventions: keypoints and templates are f32 pixel-index coordinates (pixel centres at integer
//! x = column, y = row); returned matrices map frame → crop (see [`crate::affine`]). Template
//! arithmetic is done in f32, exactly like numpy on insightface's float32 arrays; the similarity
//! fit itself is float64 like scikit-image.

use crate::affine::Affine;
use crate::error::VisionError;
use crate::image::{Image, ImageView};
use crate::warp::warp_affine_u8;

/// insightface's ArcFace template for a 112×112 crop (`arcface_dst`), as float32.
pub const ARCFACE_DST_112: [[f32; 2]; 5] = [
    [38.2946, 51.6963],
    [73.5318, 51.5014],
    [56.0252, 71.7366],
    [41.5493, 92.3655],
    [70.7299, 92.2041],
];

/// The FFHQ 5-point template for a 512×512 crop (GFPGAN / CodeFormer face enhancers).
pub const FFHQ_DST_512: [[f32; 2]; 5] = [
    [192.98138, 239.94708],
    [318.90277, 240.1936],
    [256.63416, 314.01935],
    [201.26117, 371.41043],
    [313.08905, 371.15118],
];

/// [`FFHQ_DST_512`] scaled to a `size × size` crop: each coordinate times `f32(size / 512)`, in f32.
#[must_use]
pub fn ffhq_template(size: u32) -> [[f32; 2]; 5] {
    let ratio = (f64::from(size) / 512.0) as f32;
    FFHQ_DST_512.map(|[x, y]| [x * ratio, y * ratio])
}

/// Least-squares similarity (rotation, uniform scale, translation) mapping `src` onto `dst`:
/// a port of scikit-image's `SimilarityTransform.estimate` (Umeyama 1991 with scaling) in f64.
///
/// For 2-D points the Umeyama solution has a closed form: with the cross-covariance
/// `A = Σ (dst−d̄)(src−s̄)ᵀ / n` and the source variance `σ² = Σ |src−s̄|² / n`, the scaled rotation
/// is `[[a, −b], [b, a]]` with `a = (A00 + A11)/σ²`, `b = (A10 − A01)/σ²`, which equals
/// scikit-image's `scale · U·diag(d)·V` in every rank/determinant branch, without an SVD.
///
/// **Precision versus the oracle.** scikit-image 0.26 does not cast to float64: on insightface's
/// float32 keypoints its means, cross-covariance, variance and LAPACK `sgesdd` SVD all run in
/// float32, so its matrices carry float32 noise. This port computes the exact least-squares
/// answer in f64; against the oracle's `M` it differs by ≤ 9e-8 in the linear part and ≤ 5e-5 px
/// in translation (crops stay within ±1 level on < 0.2% of pixels). Bit parity would require
/// emulating OpenBLAS's `sgesdd`.
///
/// Returns `None` when the slices differ in length or are empty, when the source points all
/// coincide, when `A` is zero (scikit-image returns NaN there), or on non-finite input.
#[must_use]
pub fn umeyama_similarity(src: &[[f32; 2]], dst: &[[f32; 2]]) -> Option<Affine> {
    let n = src.len();
    if n == 0 || n != dst.len() {
        return None;
    }
    let nf = n as f64;
    let mean = |pts: &[[f32; 2]]| {
        let s = pts.iter().fold([0.0f64; 2], |acc, p| {
            [acc[0] + f64::from(p[0]), acc[1] + f64::from(p[1])]
        });
        [s[0] / nf, s[1] / nf]
    };
    let (sm, dm) = (mean(src), mean(dst));
    let mut a = [[0.0f64; 2]; 2];
    let mut var = 0.0f64;
    for (s, d) in src.iter().zip(dst) {
        let sd = [f64::from(s[0]) - sm[0], f64::from(s[1]) - sm[1]];
        let dd = [f64::from(d[0]) - dm[0], f64::from(d[1]) - dm[1]];
        for i in 0..2 {
            for j in 0..2 {
                a[i][j] += dd[i] * sd[j];
            }
        }
        var += sd[0] * sd[0] + sd[1] * sd[1];
    }
    let a = a.map(|r| r.map(|v| v / nf));
    let var = var / nf;
    if !var.is_finite() || var <= 0.0 || a.iter().flatten().all(|&v| v == 0.0) {
        return None;
    }
    let ca = (a[0][0] + a[1][1]) / var;
    let cb = (a[1][0] - a[0][1]) / var;
    let tx = dm[0] - (ca * sm[0] - cb * sm[1]);
    let ty = dm[1] - (cb * sm[0] + ca * sm[1]);
    let m = [[ca, -cb, tx], [cb, ca, ty]];
    m.iter().flatten().all(|v| v.is_finite()).then_some(m)
}

/// insightface `face_align.estimate_norm(kps, image_size)`: the frame → crop similarity for a
/// square ArcFace-style crop.
///
/// If `image_size.is_multiple_of(112)` the template is scaled by `size/112`; otherwise (`size % 128 == 0`)
/// by `size/128` and shifted right by `8·size/128` (128 gives `ARCFACE_DST_112 + (8, 0)`, the
/// inswapper crop). The scaling and shift are f32 operations, as numpy does on the float32 template.
///
/// Returns `None` for sizes that are not a multiple of 112 or 128 (insightface asserts) and for
/// degenerate keypoints (see [`umeyama_similarity`]).
#[must_use]
pub fn estimate_norm(kps: &[[f32; 2]; 5], image_size: u32) -> Option<Affine> {
    if image_size == 0 {
        return None;
    }
    let size = f64::from(image_size);
    let (ratio, diff_x) = if image_size.is_multiple_of(112) {
        ((size / 112.0) as f32, 0.0f32)
    } else if image_size.is_multiple_of(128) {
        let r = size / 128.0;
        (r as f32, (8.0 * r) as f32)
    } else {
        return None;
    };
    let dst = ARCFACE_DST_112.map(|[x, y]| [x * ratio + diff_x, y * ratio]);
    umeyama_similarity(kps, &dst)
}

/// insightface `face_align.norm_crop(img, kps, size)`: the aligned `size × size` crop and its matrix.
///
/// # Errors
/// [`VisionError::DegenerateTransform`] when [`estimate_norm`] fails, or a layout error.
pub fn norm_crop(
    img: ImageView<'_>,
    kps: &[[f32; 2]; 5],
    size: u32,
) -> Result<(Image, Affine), VisionError> {
    let m = estimate_norm(kps, size).ok_or(VisionError::DegenerateTransform)?;
    let s = size as usize;
    Ok((warp_affine_u8(img, &m, s, s)?, m))
}

/// insightface `Landmark.get`'s crop matrix for a detector box `[x1, y1, x2, y2]` and a square
/// `size` input (192 for 2d106det).
///
/// `w = x2−x1`, `h = y2−y1`, centre `((x1+x2)/2, (y1+y2)/2)`, `s = size / (max(w, h)·1.5)`, all in
/// f32; then `M = [[s, 0, size/2 − f32(cx·s)], [0, s, size/2 − f32(cy·s)]]` in f64. This is exactly
/// the oracle's `landmark_2d_106.M` (rotation 0).
#[must_use]
pub fn landmark_crop_transform(bbox: [f32; 4], size: u32) -> Affine {
    let [x1, y1, x2, y2] = bbox;
    let (w, h) = (x2 - x1, y2 - y1);
    let (cx, cy) = ((x2 + x1) / 2.0, (y2 + y1) / 2.0);
    // Python's max(w, h) returns w unless h > w.
    let longest = if h > w { h } else { w };
    let s = size as f32 / (longest * 1.5);
    let half = f64::from(size) / 2.0;
    let sd = f64::from(s);
    [
        [sd, 0.0, half - f64::from(cx * s)],
        [0.0, sd, half - f64::from(cy * s)],
    ]
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::affine::apply_affine;

    #[test]
    fn umeyama_recovers_a_known_similarity() {
        let (s, th, tx, ty) = (1.7f64, 0.3f64, -12.5, 40.25);
        let truth = [
            [s * th.cos(), -s * th.sin(), tx],
            [s * th.sin(), s * th.cos(), ty],
        ];
        let src: Vec<[f32; 2]> = vec![
            [10.0, 20.0],
            [50.0, 22.0],
            [31.0, 40.0],
            [15.0, 61.0],
            [48.0, 60.0],
        ];
        let dst: Vec<[f32; 2]> = src
            .iter()
            .map(|p| {
                let q = apply_affine(&truth, f64::from(p[0]), f64::from(p[1]));
                [q[0] as f32, q[1] as f32]
            })
            .collect();
        let m = umeyama_similarity(&src, &dst).unwrap();
        for (r, t) in m.iter().flatten().zip(truth.iter().flatten()) {
            assert!((r - t).abs() < 1e-4, "{m:?} vs {truth:?}");
        }
    }

    #[test]
    fn umeyama_handles_reflected_input_with_the_best_rotation() {
        // dst is src mirrored in x: no rotation fits; the fit must stay a proper similarity.
        let src = [[0.0f32, 0.0], [1.0, 0.0], [0.0, 2.0]];
        let dst = [[0.0f32, 0.0], [-1.0, 0.0], [0.0, 2.0]];
        let m = umeyama_similarity(&src, &dst).unwrap();
        assert_eq!(m[0][0], m[1][1]);
        assert_eq!(m[0][1], -m[1][0]);
        assert!(umeyama_similarity(&src, &dst[..2]).is_none());
        assert!(umeyama_similarity(&[[1.0, 1.0]; 3], &dst).is_none());
    }

    #[test]
    fn estimate_norm_maps_template_onto_itself_and_handles_128() {
        let m = estimate_norm(&ARCFACE_DST_112, 112).unwrap();
        assert!((m[0][0] - 1.0).abs() < 1e-12 && m[0][2].abs() < 1e-9 && m[1][0].abs() < 1e-12);
        let m = estimate_norm(&ARCFACE_DST_112, 128).unwrap();
        assert!((m[0][2] - 8.0).abs() < 1e-9 && (m[1][1] - 1.0).abs() < 1e-12);
        let m = estimate_norm(&ARCFACE_DST_112, 224).unwrap();
        assert!((m[0][0] - 2.0).abs() < 1e-12);
        assert!(estimate_norm(&ARCFACE_DST_112, 100).is_none());
        assert!(estimate_norm(&ARCFACE_DST_112, 0).is_none());
    }

    #[test]
    fn landmark_transform_follows_insightface() {
        let m = landmark_crop_transform([100.0, 50.0, 200.0, 170.0], 192);
        let s = 192.0f32 / (120.0f32 * 1.5);
        assert_eq!(m[0][0], f64::from(s));
        assert_eq!(m[0][2], 96.0 - f64::from(150.0f32 * s));
        assert_eq!(m[1][2], 96.0 - f64::from(110.0f32 * s));
        // The box centre lands on the crop centre.
        let c = apply_affine(&m, 150.0, 110.0);
        assert!((c[0] - 96.0).abs() < 1e-4 && (c[1] - 96.0).abs() < 1e-4);
    }

    #[test]
    fn ffhq_scaling() {
        assert_eq!(ffhq_template(512), FFHQ_DST_512);
        assert_eq!(ffhq_template(256)[0], [192.98138 / 2.0, 239.94708 / 2.0]);
    }
}
