//! # liveswap-sdk — the stable interface between the liveswap host and processor plugins
//!
//! liveswap runs a pipeline of *processors* (face analyser, swapper, enhancer, mouth mask,
//! debugger, …) over images, video frames or a live camera. Every processor lives in its own
//! shared library, built against this crate and loaded by the host at run time. This crate
//! holds only the interface: ABI-stable data types ([`abi_stable`]), the root module each
//! plugin exports, and the glue that keeps panics inside the plugin. It has no inference,
//! video or UI dependencies: the host owns those and offers them through [`HostCtx`].
//!
//! ## Lifecycle
//!
//! 1. **describe** — the host loads the library (abi_stable checks the sdk version and type
//!    layouts first) and reads [`PluginInfo`]: id, versions, capabilities, settings
//!    descriptors, model slots, and the per-frame data it requires and provides.
//! 2. **create** — when a profile enables the processor, the host validates the settings
//!    against the descriptors, fills defaults, and calls [`Plugin::create`] with them and a
//!    [`HostBox`]. Models are opened here, through the host.
//! 3. **warm-up** (optional) — [`FrameProcessor::warmup`], before the first frame.
//! 4. **process** — [`FrameProcessor::process`] once per frame, in profile order, with a
//!    [`FrameCtx`]: the frame being built, the untouched original, the shared face list and
//!    the prepared source faces. Between frames the host may call
//!    [`FrameProcessor::update_setting`] for settings marked live.
//! 5. **drop** — the instance is dropped when the run ends; release resources in `Drop`.
//!
//! A panic in any step is caught in the plugin and reported as an [`SdkError`] with code
//! [`codes::PANICKED`]; the host disables that processor for the rest of the run.
//!
//! ## A minimal plugin
//!
//! ```
//! use liveswap_sdk::{
//!     FrameCtx, FrameOutcome, FrameProcessor, HostBox, Plugin, PluginInfo, SdkResult,
//!     SettingSpec, Settings, caps,
//! };
//!
//! /// Inverts the frame's colours.
//! pub struct Invert;
//!
//! pub struct InvertProcessor { strength: f64 }
//!
//! impl Plugin for Invert {
//!     type Processor = InvertProcessor;
//!     fn info() -> PluginInfo {
//!         PluginInfo::new("invert", "Invert", env!("CARGO_PKG_VERSION"))
//!             .capabilities(&[caps::MODIFIES_FRAME])
//!             .settings(vec![SettingSpec::float("strength", "Strength", "0 = off", 1.0, 0.0, 1.0).live()])
//!     }
//!     fn create(settings: &Settings, _host: HostBox) -> SdkResult<InvertProcessor> {
//!         Ok(InvertProcessor { strength: settings.float("strength")? })
//!     }
//! }
//!
//! impl FrameProcessor for InvertProcessor {
//!     fn process(&mut self, ctx: &mut FrameCtx<'_>) -> SdkResult<FrameOutcome> {
//!         let s = self.strength as f32;
//!         for b in ctx.frame.data.iter_mut() {
//!             *b = (f32::from(*b) * (1.0 - s) + f32::from(255 - *b) * s).round() as u8;
//!         }
//!         Ok(FrameOutcome::Processed)
//!     }
//! }
//!
//! // In the plugin crate's lib.rs (crate-type = ["cdylib", "rlib"]):
//! liveswap_sdk::export_processor!(Invert);
//! # fn main() {}
//! ```
//!
//! ## Compatibility
//!
//! The sdk follows semver; for `0.x` versions a minor bump is incompatible. abi_stable refuses
//! a plugin built against an incompatible sdk before any of its code runs, and the host names
//! both versions. Types reachable from the root module only change in incompatible releases;
//! the root module itself only ever grows at the end.

#![deny(missing_docs)]
// `#[sabi_trait]` expands to impls inside functions, which rustc flags as non-local.
#![allow(
    non_local_definitions,
    reason = "abi_stable_derive 0.11 sabi_trait expansion"
)]
// The StableAbi / sabi_trait derives emit `unsafe impl` and unsafe blocks; this crate writes none itself.
#![allow(unsafe_code, reason = "abi_stable derive macros generate unsafe impls")]
#![allow(
    non_camel_case_types,
    reason = "abi_stable naming: ProcessorMod_Ref, Processor_TO"
)]

mod error;
pub mod export;
mod frame;
mod host;
mod model;
mod plugin;
mod protocol;
mod settings;

pub use error::{SdkError, SdkResult, codes};
pub use export::{FrameProcessor, Plugin};
pub use frame::{Embedding, Face, FrameCtx, ImageMut, ImageRef, OwnedImage, Point, SourceFace};
pub use host::{HostBox, HostCtx, HostCtx_TO, HostLog, LogLevel};
pub use model::{
    ANY_DIM, DType, Model, Model_TO, ModelBox, ModelInfo, ModelRequest, ModelSignature, ModelSlot,
    Tensor, TensorBuf, TensorRef, TensorSpec,
};
pub use plugin::{
    FrameOutcome, OutcomeKind, PluginInfo, Processor, Processor_TO, ProcessorBox, ProcessorMod,
    ProcessorMod_Ref, RFrameOutcome, caps, data,
};
pub use protocol::{FrameKind, SourceRole, model_roles, selection};
pub use settings::{
    RSettingValue, Setting, SettingKind, SettingSpec, SettingValue, Settings, ValueTag,
};

/// Re-export so plugins and host use the exact abi_stable version of the sdk.
pub use abi_stable;

/// Version of this sdk, reported by every plugin built against it.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");
