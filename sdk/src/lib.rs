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
//! [`codes::PANICKED`]; see "Errors, panics, logs" below for what the host does then.
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
//! ## Writing a plugin (out of tree)
//!
//! Start from the template that ships with this crate (`template/` in the sdk package:
//! `Cargo.toml`, a thin `src/lib.rs`, the logic in `src/tint.rs`, a test in `tests/`). The
//! rules it follows:
//!
//! - **Naming.** The processor id is `snake_case` (`face_tint`); the library is named
//!   `liveswap_<id>` (`[lib] name = "liveswap_face_tint"`, so the file is
//!   `libliveswap_face_tint.so` / `liveswap_face_tint.dll` / `libliveswap_face_tint.dylib`)
//!   and [`PluginInfo::new`] gets the same id; the host refuses a library whose file name and
//!   reported id differ. Profiles and `--set` use the id: `--set face_tint.strength=0.3`.
//! - **Crate.** `crate-type = ["cdylib", "rlib"]` (the host loads the cdylib; tests use the
//!   rlib) and one dependency, `liveswap-sdk` — [`export_processor!`] reaches abi_stable
//!   through this crate's re-export. A swapper adds `liveswap-swapkit` (face selection,
//!   feathered paste-back, and `liveswap-vision` re-exported: insightface alignment
//!   templates, `warpAffine`, masks, `frames::frame_view_mut` for zero-copy views of
//!   [`ImageMut`]).
//! - **Install.** Put the library in a folder and pass `--plugin-dir FOLDER` (repeatable), or
//!   list folders in `LIVESWAP_PLUGIN_PATH`. `liveswap plugins --plugin-dir FOLDER` lists it
//!   with its settings, or says why it did not load (each step named).
//!
//! ### Data contract
//!
//! Per frame, processors share one [`FrameCtx`]:
//! - `frame`: packed RGB8 with a byte `stride`, edited in place; coordinates are frame
//!   pixels, x = column, y = row, pixel centres at integer coordinates (OpenCV's convention).
//! - `original`: the frame before any processor ran — only if your plugin declares
//!   [`caps::READS_ORIGINAL`]; otherwise it is empty (the host copies frames only for those
//!   who ask).
//! - `faces` ([`data::FACES`]): filled by the analyser, most confident first: `bbox`
//!   `[x1, y1, x2, y2]`, `score`, 5 `kps` (left eye, right eye, nose, left and right mouth
//!   corner, as seen in the image), `track_id` across video frames when tracking is on.
//!   [`data::EMBEDDINGS`]: `Face::embedding`, L2-normalised, tagged with its `space` (the
//!   recognizer's model id; compare only within one space). [`data::LANDMARKS_106`]:
//!   insightface 2d106det points in frame pixels.
//! - `sources` ([`data::SOURCE_FACES`]): faces from the user's face images, prepared once per
//!   run by the host (it runs the profile's analysers on each image); `role` is a
//!   [`SourceRole`] in text form — `source` (`--source`; several are photos of one person),
//!   `reference`, `map:<k>:target` / `map:<k>:source`. Parse it with [`SourceRole::parse`];
//!   ignore roles it does not know.
//! - `kind`, `index`, `timestamp_us`: still image, video frame, live frame or source image
//!   ([`FrameKind`]); the frame number in the run; the presentation (or capture) time.
//!
//! Declare what you need and give in [`PluginInfo`]: `requires` / `provides` ([`data`]
//! names) let the host check a profile's order before anything runs; capabilities ([`caps`])
//! say whether you change pixels, read the original, analyse faces, or want to see source
//! images ([`caps::INSPECTS_SOURCES`]).
//!
//! ### Settings
//!
//! Describe every setting with a [`SettingSpec`] (key, label, help, kind, default, range or
//! choices, `live`); the host validates profiles and `--set` against it, and the desktop app
//! builds its controls from it — your plugin's settings appear in the UI with no UI code.
//! `create` gets every declared key, validated, defaults filled. Mark a setting `.live()`
//! only if [`FrameProcessor::update_setting`] applies it between frames; the others make the
//! host create a new instance. Share the face-selection setting with
//! [`selection::SETTING`] and its modes.
//!
//! ### Models
//!
//! Declare each model as a [`ModelSlot`] backed by a model setting (a manifest id or a file
//! path, as the user wrote it), open it in `create` with [`HostCtx::open_model`] and the
//! [`ModelSignature`] you need: the host resolves the path, verifies the file's digest, checks
//! the signature and picks the execution provider (CPU, CUDA, …) — a plugin never does.
//! Constants stored in the model file come from [`Model::initializer`] (by name, or `#-1` for
//! the last one). Give roles from [`model_roles`].
//!
//! ### Threading and performance
//!
//! One instance processes frames in order on one thread at a time (`Send`, not `Sync`); the
//! host may move it between threads. Keep per-frame work allocation-free: size scratch
//! buffers once and reuse them; read the frame in place (the host lends it, it is never
//! copied across the ABI); pass model inputs as borrowed [`TensorRef`]s. Long loops should
//! poll [`HostCtx::is_cancelled`].
//!
//! ### Errors, panics, logs
//!
//! Return [`SdkError`]s with a [`codes`] code and a `help` line; a panic is caught inside your
//! library and reported as [`codes::PANICKED`]. The host then: leaves out a processor whose
//! `create`/`warmup` fails or panics (exit status 3) unless a later stage needs it or the error
//! is a model/setting error the user must fix; undoes a failed or panicked `process` call's
//! changes to the frame and face list before the next stage; disables a processor that
//! panicked for the rest of the run and drops it. Log through [`HostLog`]: messages appear under
//! the `tracing` target `plugin::<id>` (`RUST_LOG=plugin::face_tint=debug`).
//!
//! ## Versioning and compatibility
//!
//! The sdk follows semver; for `0.x` versions a minor bump is incompatible. abi_stable refuses
//! a plugin built against an incompatible sdk before any of its code runs, and the host names
//! both versions. Within a minor series the ABI only grows: kinds of settings, element types,
//! outcomes, frame kinds and data names are open codes or strings (a host refuses, by name, a
//! plugin that uses a setting kind it does not know), and the root module only grows at the
//! end. `sdk/abi/<version>.txt` records the layout of every type crossing the boundary; CI
//! fails when it changes without a version bump.

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
