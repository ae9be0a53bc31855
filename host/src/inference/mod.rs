//! # Inference: ONNX Runtime sessions owned by the host
//!
//! Every neural network liveswap runs (face detector, recogniser, landmarker, swapper,
//! enhancer) goes through this module. Plugins never touch ONNX Runtime: they ask their host
//! context for a model by setting, the host resolves and verifies the file, and this module
//! opens it with the execution provider the user chose and checks that its inputs/outputs are
//! what the processor declared. The plugin receives a [`liveswap_sdk::ModelBox`] to run.
//!
//! ```text
//! CLI / profile ─▶ InferenceService::new(options)      library.rs: find + load libonnxruntime once
//!                         │                            providers.rs: provider + threads
//! plugin ─▶ HostCtx::open_model ─▶ InferenceService::open(path, id, signature)
//!                         │                            signature.rs: expected vs found
//!                         ▼
//!                    HostModel ── into_abi() ─▶ ModelBox ─▶ plugin: run(inputs) per frame
//!                                                         last_initializer() (onnx_proto.rs)
//! ```
//!
//! | file | role |
//! |---|---|
//! | `library.rs` | where the ONNX Runtime library is looked for, loading it once (telemetry off) |
//! | `providers.rs` | [`ExecutionProvider`], `auto` selection with fallback, the single place sessions get a provider and threads |
//! | `session.rs` | [`InferenceService`], [`HostModel`] (implements [`liveswap_sdk::Model`]) |
//! | `signature.rs` | [`check_signature`]: is this file the model the processor needs? |
//! | `tuning.rs` | [`CpuTuning`]: graph optimisation level, spinning, arena, pinning (measured defaults) |
//! | `stats.rs` | [`CallStats`]: time per model call (whole call and inside ONNX Runtime), for `liveswap bench` |
//! | `onnx_proto.rs` | a tiny ONNX protobuf reader for the last graph initializer (inswapper's `emap`) |
//! | `error.rs` | [`InferenceError`], mapped to [`liveswap_sdk::SdkError`] codes |
//!
//! ## Example
//!
//! ```no_run
//! use liveswap_host::inference::{InferenceOptions, InferenceService};
//! use liveswap_sdk::{ModelSignature, TensorRef, TensorSpec};
//! use std::path::Path;
//!
//! let service = InferenceService::new(InferenceOptions::default())?;
//! let expected = ModelSignature {
//!     inputs: vec![TensorSpec::f32(&[-1, 3, 112, 112])].into(),
//!     outputs: vec![TensorSpec::f32(&[-1, 512])].into(),
//! };
//! let model = service.open(Path::new("w600k_mbf.onnx"), "w600k_mbf", &expected)?;
//! let pixels = vec![0.0_f32; 3 * 112 * 112];
//! let outputs = model.run_tensors(&[TensorRef::f32(&[1, 3, 112, 112], &pixels)])?;
//! assert_eq!(outputs[0].shape.as_slice(), &[1, 512]);
//! # Ok::<(), liveswap_host::inference::InferenceError>(())
//! ```
//!
//! ## Limitations
//!
//! - Which execution providers work depends on the ONNX Runtime library found at run time
//!   (`liveswap providers`); one that cannot be used falls back to CPU with one warning.
//! - float16 outputs and initializers are widened to f32 (plugins see f32 only).

pub mod error;
pub mod library;
pub mod onnx_proto;
pub mod providers;
pub mod session;
pub mod signature;
pub mod stats;
pub mod tuning;

pub use error::InferenceError;
pub use library::{ORT_RELEASE, Runtime};
pub use onnx_proto::{Precision, read_precision};
pub use providers::{
    ExecutionProvider, ParseProviderError, ProviderChoice, ProviderSettings, Selection,
};
pub use session::{HostModel, InferenceOptions, InferenceService, InputTap, TappedCall};
pub use signature::{SignatureMismatch, check as check_signature};
pub use stats::{CallStats, CallTotals};
pub use tuning::{CpuTuning, GraphLevel, Switch};
