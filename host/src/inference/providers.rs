//! Execution providers: which hardware backend ONNX Runtime runs a model on.
//!
//! Where it sits: [`super::InferenceService::open`] passes every new session builder through
//! [`configure`] before loading a model. This is the *only* place in liveswap that chooses an
//! execution provider or sets session threading: plugins never do (they get an opened model
//! from the host), so a user's `--provider` choice applies to every model uniformly.
//!
//! Today only the CPU provider is registered. The structure is that of the planned
//! "execution providers with fallback" issue: [`configure`] walks the requested providers in
//! order, registers the first that works, logs why each earlier one was refused, and fails
//! with [`InferenceError::Provider`] only when none could be registered. Adding CUDA means
//! adding its arm to `register` (and, for the GPU wheel's library, nothing else).
//!
//! | provider | `--provider` | ONNX Runtime name | library that has it |
//! |---|---|---|---|
//! | CPU | `cpu` | `CPUExecutionProvider` | every build |
//! | CUDA | `cuda` | `CUDAExecutionProvider` | `onnxruntime-gpu` wheel |
//! | TensorRT | `tensorrt` | `TensorrtExecutionProvider` | `onnxruntime-gpu` wheel |
//! | ROCm | `rocm` | `ROCMExecutionProvider` | AMD builds |
//! | Core ML | `coreml` | `CoreMLExecutionProvider` | macOS builds |
//! | DirectML | `directml` | `DmlExecutionProvider` | `onnxruntime-directml` (Windows) |
//! | OpenVINO | `openvino` | `OpenVINOExecutionProvider` | `onnxruntime-openvino` |

use super::error::InferenceError;
use ort::session::builder::SessionBuilder;
use std::fmt;
use std::num::NonZeroUsize;
use std::str::FromStr;

/// A hardware backend for ONNX Runtime sessions.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ExecutionProvider {
    /// The default CPU provider (always available).
    #[default]
    Cpu,
    /// NVIDIA CUDA.
    Cuda,
    /// NVIDIA TensorRT.
    TensorRt,
    /// AMD ROCm.
    Rocm,
    /// Apple Core ML.
    CoreMl,
    /// Windows DirectML.
    DirectMl,
    /// Intel OpenVINO.
    OpenVino,
}

impl ExecutionProvider {
    /// Every provider, in the order shown to users.
    pub const ALL: [Self; 7] = [
        Self::Cpu,
        Self::Cuda,
        Self::TensorRt,
        Self::Rocm,
        Self::CoreMl,
        Self::DirectMl,
        Self::OpenVino,
    ];

    /// The name used on the command line, in profiles and in [`liveswap_sdk::ModelInfo`].
    pub const fn name(self) -> &'static str {
        match self {
            Self::Cpu => "cpu",
            Self::Cuda => "cuda",
            Self::TensorRt => "tensorrt",
            Self::Rocm => "rocm",
            Self::CoreMl => "coreml",
            Self::DirectMl => "directml",
            Self::OpenVino => "openvino",
        }
    }

    /// ONNX Runtime's identifier for the provider.
    pub const fn ort_name(self) -> &'static str {
        match self {
            Self::Cpu => "CPUExecutionProvider",
            Self::Cuda => "CUDAExecutionProvider",
            Self::TensorRt => "TensorrtExecutionProvider",
            Self::Rocm => "ROCMExecutionProvider",
            Self::CoreMl => "CoreMLExecutionProvider",
            Self::DirectMl => "DmlExecutionProvider",
            Self::OpenVino => "OpenVINOExecutionProvider",
        }
    }

    /// Whether this build of liveswap can register the provider at all.
    pub const fn is_supported(self) -> bool {
        matches!(self, Self::Cpu)
    }
}

impl fmt::Display for ExecutionProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A provider name that is not one of [`ExecutionProvider::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown execution provider `{given}` (expected one of: {})", names())]
pub struct ParseProviderError {
    /// What was given.
    pub given: String,
}

fn names() -> String {
    ExecutionProvider::ALL
        .map(ExecutionProvider::name)
        .join(", ")
}

impl FromStr for ExecutionProvider {
    type Err = ParseProviderError;

    /// Case-insensitive; also accepts ONNX Runtime's names and the aliases `trt` and `dml`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        let alias = match lower.as_str() {
            "trt" => Some(Self::TensorRt),
            "dml" => Some(Self::DirectMl),
            _ => None,
        };
        alias
            .or_else(|| {
                Self::ALL
                    .into_iter()
                    .find(|p| p.name() == lower || p.ort_name().eq_ignore_ascii_case(s.trim()))
            })
            .ok_or_else(|| ParseProviderError {
                given: s.to_owned(),
            })
    }
}

/// The default number of intra-op threads: the cores available to this process.
pub fn default_intra_threads() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// Applies threading and the first usable provider of `requested` (CPU when empty) to a
/// session builder; returns the builder and the provider that was registered.
///
/// `intra_threads`: threads used inside one operator; `None` or `Some(0)` means
/// [`default_intra_threads`].
pub fn configure(
    builder: SessionBuilder,
    requested: &[ExecutionProvider],
    intra_threads: Option<usize>,
) -> Result<(SessionBuilder, ExecutionProvider), InferenceError> {
    let threads = intra_threads
        .filter(|&n| n > 0)
        .unwrap_or_else(default_intra_threads);
    let mut builder = builder
        .with_intra_threads(threads)
        .map_err(|e| InferenceError::Runtime {
            step: format!("setting {threads} intra-op threads"),
            reason: e.to_string(),
        })?;
    let requested = if requested.is_empty() {
        &[ExecutionProvider::Cpu][..]
    } else {
        requested
    };
    let mut refused = Vec::new();
    for &provider in requested {
        let (b, outcome) = register(builder, provider);
        builder = b;
        match outcome {
            Ok(()) => {
                tracing::debug!(
                    target: "liveswap::inference",
                    "session uses {provider} with {threads} intra-op threads"
                );
                return Ok((builder, provider));
            }
            Err(reason) => {
                tracing::warn!(
                    target: "liveswap::inference",
                    "execution provider {provider} refused: {reason}"
                );
                refused.push((provider, reason));
            }
        }
    }
    let reason = match refused.as_slice() {
        [(_, reason)] => reason.clone(),
        all => all
            .iter()
            .map(|(p, r)| format!("{p}: {r}"))
            .collect::<Vec<_>>()
            .join("; "),
    };
    Err(InferenceError::Provider {
        provider: requested[0],
        reason,
    })
}

/// Registers one provider; always hands the builder back, with the reason on failure.
fn register(
    builder: SessionBuilder,
    provider: ExecutionProvider,
) -> (SessionBuilder, Result<(), String>) {
    match provider {
        ExecutionProvider::Cpu => {
            // `CPU::default()` would switch ONNX Runtime's memory arena off; keep its default.
            let cpu = ort::ep::CPU::default()
                .with_arena_allocator(true)
                .build()
                .error_on_failure();
            match builder.with_execution_providers([cpu]) {
                Ok(b) => (b, Ok(())),
                Err(e) => {
                    let reason = e.to_string();
                    (e.recover(), Err(reason))
                }
            }
        }
        other => (
            builder,
            Err(format!(
                "this build of liveswap only registers the CPU provider so far ({} support is \
                 planned)",
                other.ort_name()
            )),
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display_round_trip() {
        for p in ExecutionProvider::ALL {
            assert_eq!(p.to_string().parse::<ExecutionProvider>().unwrap(), p);
            assert_eq!(p.ort_name().parse::<ExecutionProvider>().unwrap(), p);
        }
        assert_eq!(
            "CUDA".parse::<ExecutionProvider>().unwrap(),
            ExecutionProvider::Cuda
        );
        assert_eq!(
            " TensorRT ".parse::<ExecutionProvider>().unwrap(),
            ExecutionProvider::TensorRt
        );
        assert_eq!(
            "trt".parse::<ExecutionProvider>().unwrap(),
            ExecutionProvider::TensorRt
        );
        assert_eq!(
            "dml".parse::<ExecutionProvider>().unwrap(),
            ExecutionProvider::DirectMl
        );
        let err = "vulkan".parse::<ExecutionProvider>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown execution provider `vulkan` (expected one of: cpu, cuda, tensorrt, rocm, \
             coreml, directml, openvino)"
        );
    }

    #[test]
    fn default_is_cpu_and_only_cpu_is_supported() {
        assert_eq!(ExecutionProvider::default(), ExecutionProvider::Cpu);
        let supported: Vec<_> = ExecutionProvider::ALL
            .into_iter()
            .filter(|p| p.is_supported())
            .collect();
        assert_eq!(supported, vec![ExecutionProvider::Cpu]);
        assert!(default_intra_threads() >= 1);
    }
}
