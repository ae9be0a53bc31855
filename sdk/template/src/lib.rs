//! `face_tint` — an example liveswap processor plugin: tints every face the analyser found.
//!
//! This file only exports the plugin; the logic lives in [`tint`].

pub mod tint;

pub use tint::FaceTint;

liveswap_sdk::export_processor!(FaceTint);
