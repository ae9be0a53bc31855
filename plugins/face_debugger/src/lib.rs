//! # face_debugger — draws what the analyser found
//!
//! A diagnostic processor: after the analyser (and any swapper), it draws each face's box,
//! its 5 keypoints, its 106 landmarks and its score onto the frame, so a user can see what
//! liveswap detected and where. Coordinates come straight from the shared face list.
//!
//! ## Settings (all live)
//! | key | type | default | range |
//! |---|---|---|---|
//! | `boxes` | bool | true | |
//! | `keypoints` | bool | true | |
//! | `landmarks` | bool | true | |
//! | `scores` | bool | true | |
//! | `thickness` | int | 2 | 1–20 |
//! | `color` | choice | `green` | green, red, blue, yellow, white |

mod draw;
mod imp;
mod settings;

pub use imp::{FaceDebugger, FaceDebuggerProcessor};
pub use settings::FaceDebuggerSettings;

liveswap_sdk::export_processor!(FaceDebugger);
