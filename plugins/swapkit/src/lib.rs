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

pub use blending::{BlendOptions, blending_specs};
pub use paste::{PasteReport, Paster};
pub use select::{Assignment, OneOrder, SelectMode, SelectSettings, assign, selection_specs};
pub use sticky::Selector;

/// The `SourceFace::role` strings the host sets (see the crate docs).
pub mod roles {
    /// A source identity from `--source`.
    pub const SOURCE: &str = "source";
    /// A reference face from `--reference-face`.
    pub const REFERENCE: &str = "reference";

    /// The role of the target face of the k-th map pair.
    pub fn map_target(k: usize) -> String {
        format!("map:{k}:target")
    }

    /// The role of the source face of the k-th map pair.
    pub fn map_source(k: usize) -> String {
        format!("map:{k}:source")
    }

    /// A parsed role.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Role {
        /// `"source"`.
        Source,
        /// `"reference"`.
        Reference,
        /// `"map:<k>:target"`.
        MapTarget(usize),
        /// `"map:<k>:source"`.
        MapSource(usize),
        /// Anything else (a role from a newer host); ignored by selection.
        Other,
    }

    /// Parses a role string.
    pub fn parse(role: &str) -> Role {
        match role {
            SOURCE => Role::Source,
            REFERENCE => Role::Reference,
            _ => {
                let mut parts = role.split(':');
                match (parts.next(), parts.next(), parts.next(), parts.next()) {
                    (Some("map"), Some(k), Some(side), None) => match (k.parse(), side) {
                        (Ok(k), "target") => Role::MapTarget(k),
                        (Ok(k), "source") => Role::MapSource(k),
                        _ => Role::Other,
                    },
                    _ => Role::Other,
                }
            }
        }
    }
}
