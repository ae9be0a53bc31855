//! `liveswap-swapkit`: what every swapper plugin (`face_swapper`, `face_morpher`, …) shares.
//!
//! A swapper runs after the `face_analyser` in a profile. Per frame it
//! 1. decides **which target face gets which source** ([`select`]): the `face_selection`
//!    settings (`one`, `many`, `reference`, `map`) turn `FrameCtx::faces` and
//!    `FrameCtx::sources` into a list of [`select::Assignment`]s;
//! 2. produces a fake face for each assignment (its own business: a model, a warp);
//! 3. pastes it back into the frame ([`paste`]): insightface's feathered inverse-affine
//!    paste-back, limited to the face's footprint, plus liveswap's blending options (opacity,
//!    feather, padding, colour correction, sharpness).
//!
//! Coordinates are frame pixels in OpenCV's convention (x = column, y = row, pixel centres at
//! integer coordinates); frames are packed RGB8 with a byte stride.
//!
//! ## Source roles
//! The host prepares one [`liveswap_sdk::SourceFace`] per face image named on the command
//! line or in the profile, and marks what it is for in `SourceFace::role` (see [`roles`]):
//! * `"source"` — from `--source`: the identity to put in. Several `source` faces are several
//!   photos of ONE person; the swapper averages their embeddings (see [`select::role_group`]).
//! * `"reference"` — from `--reference-face`: in `reference` mode, the target faces whose
//!   identity is within `reference_distance` (cosine distance) of any reference face are swapped.
//! * `"map:<k>:target"` / `"map:<k>:source"` — the k-th `--map TARGET=SOURCE` pair (or the
//!   k-th `[[map]]` entry of the profile), k counting from 0. In `map` mode, every frame,
//!   target faces are matched to the map targets by embedding similarity and each matched
//!   face gets that pair's source.

pub mod adjust;
pub mod blending;
pub mod paste;
pub mod select;
pub mod sticky;

/// The image toolkit (alignment to the insightface templates, affine warps, masks, and the
/// `frames` views of sdk frames), re-exported so that a swapper needs only the sdk and this crate.
pub use liveswap_vision as vision;

pub use blending::{BlendOptions, blending_specs};
pub use paste::{PasteReport, Paster};
pub use select::{Assignment, OneOrder, SelectMode, SelectSettings, assign, selection_specs};
pub use sticky::Selector;

/// The `SourceFace::role` the host sets: the sdk's [`liveswap_sdk::SourceRole`] (one owner
/// of the text format for host and plugins).
pub use liveswap_sdk::SourceRole;
