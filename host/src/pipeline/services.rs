//! Host-owned services lent to plugins.

use crate::inference::{ExecutionProvider, InferenceError, InferenceService};
use crate::models::ModelStore;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

pub use crate::inference::InferenceOptions;

/// Everything the host lends to processors. ONNX Runtime is only loaded when the first model
/// is opened, so commands that run no model work without it.
#[derive(Debug)]
pub struct Services {
    options: InferenceOptions,
    inference: OnceLock<Result<Arc<InferenceService>, InferenceError>>,
    /// Model resolution and verification.
    pub models: ModelStore,
    cancel: Arc<AtomicBool>,
}

impl Services {
    /// Creates the services; nothing heavy happens yet.
    pub fn new(options: InferenceOptions, models: ModelStore) -> Self {
        Self {
            options,
            inference: OnceLock::new(),
            models,
            cancel: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Services with CPU inference and the given models dirs (tests, tools).
    pub fn cpu(ort_lib: Option<PathBuf>, models: ModelStore) -> Self {
        Self::new(
            InferenceOptions {
                ort_lib,
                provider: ExecutionProvider::Cpu.into(),
                ..InferenceOptions::default()
            },
            models,
        )
    }

    /// The inference options sessions are opened with.
    pub fn options(&self) -> &InferenceOptions {
        &self.options
    }

    /// The inference service, loading ONNX Runtime on first use.
    pub fn inference(&self) -> Result<Arc<InferenceService>, InferenceError> {
        self.inference
            .get_or_init(|| InferenceService::new(self.options.clone()).map(Arc::new))
            .clone()
    }

    /// Model call totals, when ONNX Runtime has been loaded (None before the first model).
    pub fn call_stats(&self) -> Option<crate::inference::CallStats> {
        match self.inference.get() {
            Some(Ok(service)) => Some(service.call_stats().clone()),
            _ => None,
        }
    }

    /// The flag plugins poll through `HostCtx::is_cancelled`.
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.cancel)
    }

    /// Whether cancellation was requested.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}
