//! # face_morpher — a face swap with only the small default models
//!
//! Swaps faces without a swapper network: the source face's texture is warped onto each
//! target face's geometry along the insightface 2d106det landmarks, so it needs only what the
//! `default` model pack gives the analyser (detector, 106 landmarks, and a recognizer for
//! `reference`/`map` selection). It runs after `face_analyser`, which must have
//! `landmark_model` set; source faces come from `--source`.
//!
//! Per assigned (target, source) pair ([`liveswap_swapkit::assign`]):
//! 1. control points: the 106 landmarks plus a forehead arc, a jaw/cheek extension and a
//!    margin ring ([`points`]); the source's Delaunay mesh is built once ([`delaunay`]);
//! 2. piecewise-affine warp of the source image onto the target geometry, bilinear, only
//!    inside the face's box ([`warp`]);
//! 3. LAB mean/std colour transfer to the target inside the face ([`colour`]), then a local
//!    shading match so the source's lighting gives way to the target's ([`shading`]);
//! 4. unsharp mask ([`sharpen`]); Poisson blending ([`poisson`]), its correction solved on
//!    cells of 1/64 of the face size ([`poisson_grid`]);
//! 5. composite through a soft mask: the convex hull of landmarks + forehead, feathered
//!    inwards ([`mask`]). Pixels where the mask is 0 are never written ([`morph`]).
//!
//! Coordinates are frame pixels, OpenCV convention (x = column, y = row, pixel centres at
//! integer coordinates).
//!
//! ## Settings (all live)
//! | key | type | default | range |
//! |---|---|---|---|
//! | `face_selection`, `one_order`, `reference_distance`, `map_distance` | | | see `liveswap-swapkit` |
//! | `opacity` | float | 1.0 | 0–1 |
//! | `mask_feather` | int (px) | 12 | 0–100, at most ¼ of the face size |
//! | `mask_padding` | float (% of face size) | −5 | −20–20 |
//! | `color_correction` | bool | true | |
//! | `poisson_blend` | bool | true | |
//! | `sharpness` | float | 1.0 | 0–5 |
//! | `shape_transfer` | float | 0.8 | 0–1 |
//! | `max_face_size` | int (px) | 0 (none; `liveswap live`: 200) | 0–4096 |

pub mod colour;
pub mod delaunay;
mod imp;
pub mod mask;
pub mod morph;
pub mod patch;
pub mod points;
pub mod poisson;
pub mod poisson_grid;
mod scaled;
pub mod settings;
pub mod shading;
pub mod shape;
pub mod sharpen;
pub mod warp;

pub use imp::{FaceMorpher, FaceMorpherProcessor};
pub use morph::{MorphReport, SourceMesh, morph_face};
pub use settings::{FaceMorpherSettings, MorphOptions};

liveswap_sdk::export_processor!(FaceMorpher);
