//! One face swap: the source face morphed onto one target face of the frame.
//!
//! Pipeline position: called by the processor ([`crate::imp`]) for every (target, source)
//! assignment, with the source's [`SourceMesh`] built once per run. Steps, all on the target
//! face's region of interest (the padded mask polygon's box plus [`MARGIN`] pixels, clipped
//! to the frame), never on the whole frame:
//! 1. control points of the target ([`crate::points`]) and its mask polygon, the convex hull
//!    of landmarks + forehead ([`crate::mask`]); the warp's destination points are the
//!    target's with the inner features moved toward the source's proportions
//!    ([`crate::shape`], `shape_transfer`), while the mask and the kept mouth opening stay
//!    the target's own;
//! 2. piecewise-affine warp of the source image onto the target geometry ([`crate::warp`]);
//! 3. optional colour correction: LAB mean/std transfer to the target's pixels under the mask
//!    ([`crate::colour`]), then a local shading match ([`crate::shading`]);
//! 4. optional unsharp mask ([`crate::sharpen`]);
//! 5. optional Poisson blending in a band along the mask's edge ([`crate::poisson`]);
//! 6. composite with weight `mask · opacity` ([`crate::patch::Patch::blend_into`]).
//!
//! A face larger than `max_face_size` runs steps 1–5 on its region shrunk to that size, and
//! the result is read back at full size for step 6 ([`crate::scaled`]).
//!
//! Frame pixels whose mask weight is 0 — everything outside the padded hull of the target's
//! landmarks and forehead arc — are never written.

use crate::colour;
use crate::delaunay::{P2, triangulate};
use crate::mask::{convex_hull, cut_hole, edge_distance, mask_bounds, polygon_area, ramp};
use crate::patch::Patch;
use crate::points::{INNER_MOUTH, LANDMARKS, PointsError, control_points, mask_points};
use crate::poisson::{SolveOptions, SolveReport};
use crate::poisson_grid::seamless_on_grid;
use crate::scaled::morph_scaled;
use crate::settings::MorphOptions;
use crate::shading::match_shading_in_lab;
use crate::shape::transfer_shape;
use crate::sharpen::unsharp;
use crate::warp::warp_mesh;
use liveswap_vision::{ImageView, ImageViewMut, Rect};

/// Pixels of context kept around the mask's box (Poisson boundary values, blur support).
pub const MARGIN: usize = 3;
/// Largest feather as a fraction of the face size (`sqrt` of the mask polygon's area).
pub const MAX_FEATHER_FRACTION: f64 = 0.25;
/// Smoothing scale of the local shading match, as a fraction of the face size.
pub const SHADING_SIGMA_FRACTION: f64 = 0.08;
/// Width of the band along the mask edge that the Poisson blend solves over (its correction
/// fading to none at the inner side), as a fraction of the face size.
pub const POISSON_BAND_FRACTION: f64 = 0.15;
/// Poisson boundary pixels must look like skin in both images: LAB colour within this many
/// times the face's 75th-percentile distance from its median colour.
pub const TYPICAL_SPREAD: f32 = 2.0;
/// Soft edge of the kept mouth opening, as a fraction of the face size.
pub const MOUTH_FEATHER_FRACTION: f64 = 0.02;
/// The Poisson solve: at most 600 conjugate-gradient iterations (enough for faces ~500 px
/// across), stop at a residual of 1e-4, boundary values clamped at 3 robust sigmas.
pub const POISSON: SolveOptions = SolveOptions {
    max_iter: 600,
    tol: 1e-4,
    clamp_sigmas: Some(3.0),
    smooth_radius: None,
};
/// Smoothing of the Poisson boundary values along the edge, as a fraction of the face size.
pub const POISSON_SMOOTH_FRACTION: f64 = 0.04;
/// The Poisson correction is solved on cells of this fraction of the face size (whole
/// pixels, at least 1; [`crate::poisson_grid`]): a 640×360 webcam face (~130 px) solves on
/// 2×2 cells, a 1280×720 one (~270 px) on 4×4. Why: the correction is smoother than the
/// boundary smoothing above, and the solve's cost grows with the cube of the face's pixel
/// size. Measured against the pixel solve on six photos and four webcam frames (faces of
/// 100–280 px): mean difference 0–0.8 levels, 99th percentile 0–6, at most 14 on a few
/// pixels, a smooth field along the edge; the morph took 18 instead of 31 ms at 360p and 52
/// instead of 68 at 720p (README, "Live figures").
pub const POISSON_CELL_FRACTION: f64 = 1.0 / 64.0;

/// Pixels per Poisson solve cell for a face of `size` pixels ([`POISSON_CELL_FRACTION`]).
#[must_use]
pub fn poisson_scale(size: f64) -> usize {
    // Truncation: a cell is never larger than the fraction asks.
    ((size * POISSON_CELL_FRACTION) as usize).max(1)
}

/// A source face prepared for morphing: control points in source-image pixels and the
/// Delaunay mesh over them (computed once, reused for every target).
#[derive(Debug, Clone, PartialEq)]
pub struct SourceMesh {
    /// Control points ([`crate::points::layout`]).
    pub points: Vec<P2>,
    /// Triangles as indices into `points`.
    pub triangles: Vec<[usize; 3]>,
}

impl SourceMesh {
    /// Builds the mesh from the source face's 106 landmarks.
    ///
    /// # Errors
    /// [`PointsError`] when the landmarks are unusable.
    pub fn new(landmarks: &[[f32; 2]]) -> Result<Self, PointsError> {
        let points = control_points(landmarks)?;
        let triangles = triangulate(&points);
        if triangles.is_empty() {
            return Err(PointsError::Degenerate);
        }
        Ok(Self { points, triangles })
    }
}

/// What one morph did.
#[derive(Debug, Clone, PartialEq)]
pub struct MorphReport {
    /// The frame box that was read (and, where the mask is above zero, written).
    pub region: Rect,
    /// Frame pixels written (mask weight above zero).
    pub written: usize,
    /// The Poisson solve, when it ran.
    pub solve: Option<SolveReport>,
}

/// Morphs `source` (the whole source image, RGB8) with its `mesh` onto the target face with
/// `target_landmarks` (106 points in frame pixels) in `frame`. Returns `Ok(None)` when the
/// face lies wholly outside the frame. A face larger than `opts.max_face_size` is morphed at
/// that size and scaled up ([`crate::scaled`]).
///
/// # Errors
/// [`PointsError`] when the target landmarks are unusable.
pub fn morph_face(
    frame: &mut ImageViewMut<'_>,
    source: &ImageView<'_>,
    mesh: &SourceMesh,
    target_landmarks: &[[f32; 2]],
    opts: &MorphOptions,
) -> Result<Option<MorphReport>, PointsError> {
    let (size, _) = face_region(target_landmarks, opts, frame.width, frame.height)?;
    if opts.opacity <= 0.0 {
        return Ok(None);
    }
    let view = frame.as_view();
    let morphed = match working_scale(size, opts.max_face_size) {
        Some(k) => morph_scaled(&view, source, mesh, target_landmarks, opts, k)?,
        None => morph_patch(&view, source, mesh, target_landmarks, opts)?,
    };
    let Some(Morphed {
        face,
        mut weight,
        solve,
    }) = morphed
    else {
        return Ok(None);
    };
    let mut written = 0;
    for w in &mut weight {
        *w *= opts.opacity;
        written += usize::from(*w > 0.0);
    }
    face.blend_into(frame, &weight);
    Ok(Some(MorphReport {
        region: face.rect,
        written,
        solve,
    }))
}

/// The scale a face of `size` pixels is morphed at: `None` for full size, else
/// `max_face_size / size` (below 1).
#[must_use]
pub fn working_scale(size: f64, max_face_size: u32) -> Option<f64> {
    let max = f64::from(max_face_size);
    (max > 0.0 && size > max).then(|| max / size)
}

/// The face's size (`sqrt` of its mask polygon's area, frame pixels) and the frame box a morph
/// reads: the padded mask polygon's box plus [`MARGIN`], clipped to the `width × height` frame.
///
/// # Errors
/// [`PointsError`] when the landmarks are unusable.
pub fn face_region(
    target_landmarks: &[[f32; 2]],
    opts: &MorphOptions,
    width: usize,
    height: usize,
) -> Result<(f64, Rect), PointsError> {
    let o = Outline::new(target_landmarks, opts)?;
    let rect = mask_bounds(&o.hull, o.padding, MARGIN, width, height);
    Ok((o.size, rect))
}

/// The target face's control points and mask polygon.
struct Outline {
    /// Control points ([`crate::points::layout`]) in frame pixels.
    own: Vec<P2>,
    /// The mask polygon: the convex hull of landmarks and forehead.
    hull: Vec<P2>,
    /// `sqrt` of the hull's area, pixels.
    size: f64,
    /// `mask_padding` in pixels.
    padding: f64,
}

impl Outline {
    fn new(target_landmarks: &[[f32; 2]], opts: &MorphOptions) -> Result<Self, PointsError> {
        let own = control_points(target_landmarks)?;
        let hull = convex_hull(mask_points(&own));
        if hull.len() < 3 {
            return Err(PointsError::Degenerate);
        }
        let size = polygon_area(&hull).sqrt();
        let padding = f64::from(opts.mask_padding) / 100.0 * size;
        Ok(Self {
            own,
            hull,
            size,
            padding,
        })
    }
}

/// A morphed face before the composite: the face over its patch and the mask weight of each
/// patch pixel (before opacity).
pub(crate) struct Morphed {
    pub face: Patch,
    pub weight: Vec<f32>,
    pub solve: Option<SolveReport>,
}

/// Steps 1–5 of the module docs on `frame` at its own resolution; `Ok(None)` when the face's
/// region is empty.
pub(crate) fn morph_patch(
    frame: &ImageView<'_>,
    source: &ImageView<'_>,
    mesh: &SourceMesh,
    target_landmarks: &[[f32; 2]],
    opts: &MorphOptions,
) -> Result<Option<Morphed>, PointsError> {
    let Outline {
        own,
        hull,
        size,
        padding,
    } = Outline::new(target_landmarks, opts)?;
    let feather = f64::from(opts.mask_feather).min(MAX_FEATHER_FRACTION * size);
    let rect = mask_bounds(&hull, padding, MARGIN, frame.width, frame.height);
    if rect.is_empty() {
        return Ok(None);
    }
    let edge = edge_distance(&hull, rect, padding);
    let mut weight: Vec<f32> = edge.iter().map(|&d| ramp(d, feather)).collect();
    let dst = if opts.shape_transfer > 0.0 {
        let source_landmarks: Vec<[f32; 2]> = mesh.points[..LANDMARKS]
            .iter()
            .map(|p| [p[0] as f32, p[1] as f32])
            .collect();
        control_points(&transfer_shape(
            target_landmarks,
            &source_landmarks,
            opts.shape_transfer,
        ))?
    } else {
        own.clone()
    };
    let (mut face, covered) = warp_mesh(source, &mesh.points, &dst, &mesh.triangles, rect);
    let mouth: Vec<P2> = INNER_MOUTH.iter().map(|&i| own[i]).collect();
    cut_hole(&mut weight, rect, &mouth, MOUTH_FEATHER_FRACTION * size);
    let target = Patch::read(frame, rect);
    for ((w, &c), (f, t)) in weight
        .iter_mut()
        .zip(&covered)
        .zip(face.data.iter_mut().zip(&target.data))
    {
        if !c {
            // Not reached by the mesh: never blended; the target stands in as guide value.
            *w = 0.0;
            *f = *t;
        }
    }
    // The target's pixels in CIELAB, converted once for the colour steps and the blend; the
    // face goes to CIELAB once for both colour steps and back.
    let target_lab = colour::to_lab(&target.data);
    let face_lab = opts.color_correction.then(|| {
        let mut face_lab = colour::to_lab(&face.data);
        colour::transfer_lab(&mut face_lab, &target_lab, &weight);
        let (w, h) = (rect.width(), rect.height());
        let sigma = SHADING_SIGMA_FRACTION * size;
        match_shading_in_lab(&mut face_lab, &target_lab, &weight, w, h, sigma);
        colour::to_rgb(&face_lab, &mut face.data);
        face_lab
    });
    unsharp(&mut face, opts.sharpness);
    let solve = opts.poisson_blend.then(|| {
        let colours = Colours {
            target: &target,
            target_lab: &target_lab,
            face_lab: face_lab.as_deref(),
        };
        blend_edge(&mut face, &colours, &edge, &covered, &weight, size)
    });
    Ok(Some(Morphed {
        face,
        weight,
        solve,
    }))
}

/// What the seamless blend reads of the two images besides the face itself.
struct Colours<'a> {
    /// The frame's pixels under the patch.
    target: &'a Patch,
    /// The same in CIELAB.
    target_lab: &'a [[f32; 3]],
    /// The face in CIELAB as the colour steps left it (`None` without colour correction).
    face_lab: Option<&'a [[f32; 3]]>,
}

/// Poisson blending limited to a band along the mask edge: the domain is the covered part of
/// the padded hull within [`POISSON_BAND_FRACTION`] × `size` of its edge, with Dirichlet
/// values from skin-like pixels outside it and free (Neumann) sides elsewhere, including the
/// band's inner side. The correction fades from full at the edge to none at the band's inner
/// side: it hides the seam, while the inside keeps the colour-matched face instead of tints
/// carried in from the boundary. A thin band also keeps the solve short.
fn blend_edge(
    face: &mut Patch,
    colours: &Colours<'_>,
    edge: &[f32],
    covered: &[bool],
    weight: &[f32],
    size: f64,
) -> SolveReport {
    let band = POISSON_BAND_FRACTION * size;
    let in_band = |d: f32| f64::from(d) < band;
    let domain: Vec<bool> = edge
        .iter()
        .zip(covered)
        .map(|(&d, &c)| c && d > 0.0 && in_band(d))
        .collect();
    let Colours {
        target,
        target_lab,
        face_lab,
    } = *colours;
    let skin_t = colour::typical_lab(target_lab, weight, TYPICAL_SPREAD);
    // The face's colours as the colour steps left them (before sharpening, which moves single
    // pixels, not which ones look like skin): saves a conversion of the whole patch.
    let skin_g = match face_lab {
        Some(lab) => colour::typical_lab(lab, weight, TYPICAL_SPREAD),
        None => colour::typical(&face.data, weight, TYPICAL_SPREAD),
    };
    let anchor: Vec<bool> = (0..edge.len())
        .map(|k| skin_t[k] && skin_g[k] && in_band(edge[k]))
        .collect();
    let solve = SolveOptions {
        smooth_radius: Some(POISSON_SMOOTH_FRACTION * size),
        ..POISSON
    };
    let (blended, report) =
        seamless_on_grid(face, target, &domain, &anchor, &solve, poisson_scale(size));
    for (((f, b), &d), &inside) in face
        .data
        .iter_mut()
        .zip(&blended.data)
        .zip(edge)
        .zip(&domain)
    {
        if inside {
            let keep = 1.0 - ramp(d, band);
            for c in 0..3 {
                f[c] += keep * (b[c] - f[c]);
            }
        }
    }
    report
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::points::tests::synthetic_landmarks;
    use liveswap_vision::Image;

    fn textured(w: usize, h: usize, seed: usize) -> Image {
        let data = (0..w * h * 3)
            .map(|i| ((i * 31 + seed * 17 + (i / (w * 3)) * 7) % 200 + 20) as u8)
            .collect();
        Image::from_vec(data, w, h, 3).unwrap()
    }

    #[test]
    fn only_the_masked_region_changes_and_opacity_zero_is_a_no_op() {
        let src = textured(200, 200, 1);
        let mut frame = textured(240, 220, 2);
        let before = frame.clone();
        let mesh = SourceMesh::new(&synthetic_landmarks(100.0, 95.0, 50.0)).unwrap();
        let target = synthetic_landmarks(130.0, 110.0, 40.0);
        let report = morph_face(
            &mut frame.view_mut(),
            &src.view(),
            &mesh,
            &target,
            &MorphOptions::default(),
        )
        .unwrap()
        .unwrap();
        assert!(report.written > 1000, "{report:?}");
        let solve = report.solve.unwrap();
        assert!(solve.relative_residual < 1e-3, "{solve:?}");
        let own = control_points(&target).unwrap();
        let hull = convex_hull(mask_points(&own));
        let mut changed = 0;
        for y in 0..220 {
            for x in 0..240 {
                let inside = crate::mask::signed_distance(&hull, [x as f64, y as f64]) > 0.0;
                if frame.pixel(x, y) != before.pixel(x, y) {
                    assert!(inside, "({x},{y}) changed outside the hull");
                    changed += 1;
                }
            }
        }
        assert!(changed > 1000);
        let mut again = before.clone();
        let off = MorphOptions {
            opacity: 0.0,
            ..MorphOptions::default()
        };
        let r = morph_face(&mut again.view_mut(), &src.view(), &mesh, &target, &off).unwrap();
        assert!(r.is_none());
        assert_eq!(again, before);
    }

    #[test]
    fn a_large_face_solves_on_a_coarser_grid_and_a_small_one_on_pixels() {
        let src = textured(200, 200, 1);
        let mesh = SourceMesh::new(&synthetic_landmarks(100.0, 95.0, 50.0)).unwrap();
        for (half, scale) in [(40.0, 1), (150.0, 4)] {
            let mut frame = textured(520, 520, 2);
            let target = synthetic_landmarks(260.0, 260.0, half);
            let opts = MorphOptions::default();
            let r = morph_face(&mut frame.view_mut(), &src.view(), &mesh, &target, &opts);
            let solve = r.unwrap().unwrap().solve.unwrap();
            assert_eq!(solve.scale, scale, "{solve:?}");
            assert!(solve.relative_residual < 1e-3, "{solve:?}");
        }
    }

    #[test]
    fn a_face_off_frame_is_skipped() {
        let src = textured(200, 200, 1);
        let mut frame = textured(50, 50, 2);
        let mesh = SourceMesh::new(&synthetic_landmarks(100.0, 95.0, 50.0)).unwrap();
        let target = synthetic_landmarks(500.0, 500.0, 40.0);
        let r = morph_face(
            &mut frame.view_mut(),
            &src.view(),
            &mesh,
            &target,
            &MorphOptions::default(),
        )
        .unwrap();
        assert!(r.is_none());
    }
}
