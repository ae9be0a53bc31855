//! Execution providers: which hardware backend ONNX Runtime runs models on.
//!
//! Where it sits: [`super::InferenceService::new`] calls [`select`] once per process with the
//! user's [`ProviderChoice`] (`--execution-provider`, or the profile's `execution_provider`);
//! every session is then created through [`configure`] with the selected provider. This is the
//! *only* place in liveswap that chooses an execution provider or sets session threading:
//! plugins never do, so one choice applies to every model.
//!
//! Selection:
//! - `auto` tries, in order, CUDA, ROCm (or MIGraphX), Core ML, DirectML, OpenVINO, then CPU —
//!   only those the loaded ONNX Runtime library offers ([`offered`]). TensorRT is never picked
//!   by `auto`: it builds an engine per model and input shape on first use (minutes); ask for
//!   it explicitly (engines are cached under the models dir).
//! - a named provider is tried, then CPU.
//! - a provider that cannot be used falls back to the next with **one** warning that says why:
//!   not in this library (and which ONNX Runtime package has it), or in the library but failed
//!   to register (ONNX Runtime's reason, usually a missing or mismatched CUDA/cuDNN).
//!
//! | `--execution-provider` | ONNX Runtime name | ONNX Runtime package that has it |
//! |---|---|---|
//! | `cpu` | `CPUExecutionProvider` | every build |
//! | `cuda` | `CUDAExecutionProvider` | `onnxruntime-gpu` |
//! | `tensorrt` | `TensorrtExecutionProvider` | `onnxruntime-gpu` + TensorRT libraries |
//! | `rocm` | `ROCMExecutionProvider` / `MIGraphXExecutionProvider` | `onnxruntime-rocm` / `onnxruntime-migraphx` |
//! | `coreml` | `CoreMLExecutionProvider` | the macOS build of `onnxruntime` |
//! | `directml` | `DmlExecutionProvider` | `onnxruntime-directml` (Windows) |
//! | `openvino` | `OpenVINOExecutionProvider` | `onnxruntime-openvino` |

use super::error::InferenceError;
use super::tuning::CpuTuning;
use ort::environment::Environment;
use ort::ep::ExecutionProvider as OrtProvider;
use ort::ep::ExecutionProviderDispatch;
use ort::session::Session;
use ort::session::builder::SessionBuilder;
use std::fmt;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
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
    /// NVIDIA TensorRT (with CUDA for the nodes TensorRT does not take).
    TensorRt,
    /// AMD ROCm (the MIGraphX provider in ONNX Runtime builds that no longer ship ROCm).
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

    /// The providers `auto` tries, in order (TensorRT only on request, see the module docs).
    pub const AUTO_ORDER: [Self; 6] = [
        Self::Cuda,
        Self::Rocm,
        Self::CoreMl,
        Self::DirectMl,
        Self::OpenVino,
        Self::Cpu,
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

    /// Whether this build of liveswap can register the provider (all of them: which ones work
    /// depends on the ONNX Runtime library, see [`offered`]).
    pub const fn is_supported(self) -> bool {
        true
    }

    /// Which ONNX Runtime package provides it, and what else it needs.
    pub const fn install_hint(self) -> &'static str {
        match self {
            Self::Cpu => "built into every ONNX Runtime library",
            Self::Cuda => {
                "NVIDIA GPUs: use the library of the `onnxruntime-gpu` wheel (python3 -m pip \
                 download --no-deps onnxruntime-gpu==1.31.1, unzip, onnxruntime/capi/\
                 libonnxruntime.so.*) with --ort-lib; it needs the CUDA 12 and cuDNN 9 \
                 libraries that ONNX Runtime release names"
            }
            Self::TensorRt => {
                "NVIDIA GPUs: the `onnxruntime-gpu` library (as for cuda) plus the TensorRT \
                 libraries; engines are cached in <models dir>/.cache/tensorrt"
            }
            Self::Rocm => {
                "AMD GPUs (Linux): the library of the `onnxruntime-rocm` wheel (ROCm provider) \
                 or of `onnxruntime-migraphx` (MIGraphX provider, ONNX Runtime 1.23 and later), \
                 with a matching ROCm install"
            }
            Self::CoreMl => {
                "Apple: built into the macOS `onnxruntime` library (wheel or release archive); \
                 not available on other systems"
            }
            Self::DirectMl => {
                "Windows (any DirectX 12 GPU): the onnxruntime.dll of the \
                 `onnxruntime-directml` wheel"
            }
            Self::OpenVino => {
                "Intel CPUs/GPUs/NPUs: the library of the `onnxruntime-openvino` wheel, with the \
                 OpenVINO runtime it names"
            }
        }
    }
}

impl fmt::Display for ExecutionProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A provider name that is not `auto` or one of [`ExecutionProvider::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown execution provider `{given}` (expected one of: auto, {})",
    names()
)]
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

    /// Case-insensitive; also accepts ONNX Runtime's names and the aliases `trt`, `dml` and
    /// `migraphx`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        let alias = match lower.as_str() {
            "trt" => Some(Self::TensorRt),
            "dml" => Some(Self::DirectMl),
            "migraphx" | "migraphxexecutionprovider" => Some(Self::Rocm),
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

/// What the user asked for: the best available provider, or one in particular.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ProviderChoice {
    /// The first usable of [`ExecutionProvider::AUTO_ORDER`].
    #[default]
    Auto,
    /// This provider or nothing: one that cannot be used is an error naming the reason and
    /// the fix (`--execution-provider NAME`).
    Only(ExecutionProvider),
    /// This provider, falling back to CPU with a warning when it cannot be used (a profile's
    /// `execution_provider`, or `--execution-provider NAME --provider-fallback`).
    Prefer(ExecutionProvider),
}

impl ProviderChoice {
    /// The same choice, but falling back to CPU instead of failing.
    pub fn with_fallback(self) -> Self {
        match self {
            Self::Only(p) => Self::Prefer(p),
            other => other,
        }
    }

    /// The named provider, if one was named.
    pub fn named(self) -> Option<ExecutionProvider> {
        match self {
            Self::Auto => None,
            Self::Only(p) | Self::Prefer(p) => Some(p),
        }
    }
}

impl fmt::Display for ProviderChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Auto => f.write_str("auto"),
            Self::Only(p) | Self::Prefer(p) => p.fmt(f),
        }
    }
}

impl FromStr for ProviderChoice {
    type Err = ParseProviderError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().eq_ignore_ascii_case("auto") {
            return Ok(Self::Auto);
        }
        s.parse().map(Self::Only)
    }
}

impl From<ExecutionProvider> for ProviderChoice {
    fn from(p: ExecutionProvider) -> Self {
        Self::Only(p)
    }
}

/// Session settings that go with the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSettings {
    /// Intra-op threads per session; `None` or `Some(0)` means [`default_intra_threads`].
    pub intra_threads: Option<usize>,
    /// GPU index for CUDA, TensorRT, ROCm/MIGraphX and DirectML (`GPU.<n>` for OpenVINO).
    pub device_id: Option<i32>,
    /// Where TensorRT engines (and Core ML / OpenVINO compiled models) are cached; usually
    /// `<models dir>/.cache`.
    pub cache_dir: Option<PathBuf>,
    /// The CPU provider's memory arena (see [`super::tuning::CpuTuning::arena`]).
    pub cpu_arena: bool,
}

impl Default for ProviderSettings {
    fn default() -> Self {
        Self {
            intra_threads: None,
            device_id: None,
            cache_dir: None,
            cpu_arena: CpuTuning::default().arena,
        }
    }
}

/// The intra-op threads a session gets for `--execution-threads`: the number asked for, or
/// [`default_intra_threads`] for `None` or 0.
pub fn intra_threads(asked: Option<usize>) -> usize {
    asked
        .filter(|&n| n > 0)
        .unwrap_or_else(default_intra_threads)
}

/// The default number of intra-op threads: the cores available to this process.
pub fn default_intra_threads() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// The intra-op threads a live run's sessions get unless `--execution-threads` says
/// otherwise: every core but one (at least one). The core left over takes capture and
/// decoding, the sinks, and the work beside the frame's path (the content guard, the
/// analyser's background search), which otherwise preempt a model's thread pool mid-run: on
/// 2 cores the first camera frame took 53 ms on average with one thread against 66 with two
/// (README, "Live figures"). Heavy models pay for it on small machines (the inswapper
/// stand-in swaps at half speed on 2 cores with 1 thread); `--execution-threads` gives them
/// the cores back.
pub fn live_intra_threads() -> usize {
    default_intra_threads().saturating_sub(1).max(1)
}

/// Asks the loaded library whether it was built with one provider.
type Probe = fn() -> ort::Result<bool>;

/// ONNX Runtime providers liveswap can ask the library about, with their identifiers.
fn probes() -> [(&'static str, Probe); 10] {
    [
        ("CPUExecutionProvider", ort::ep::CPU::is_available),
        ("CUDAExecutionProvider", ort::ep::CUDA::is_available),
        ("TensorrtExecutionProvider", ort::ep::TensorRT::is_available),
        ("ROCMExecutionProvider", ort::ep::ROCm::is_available),
        ("MIGraphXExecutionProvider", ort::ep::MIGraphX::is_available),
        ("CoreMLExecutionProvider", ort::ep::CoreML::is_available),
        ("DmlExecutionProvider", ort::ep::DirectML::is_available),
        ("OpenVINOExecutionProvider", ort::ep::OpenVINO::is_available),
        ("AzureExecutionProvider", ort::ep::Azure::is_available),
        ("XnnpackExecutionProvider", ort::ep::XNNPACK::is_available),
    ]
}

/// The providers the loaded ONNX Runtime library offers, by ONNX Runtime name (among those
/// liveswap knows). Needs the library loaded ([`super::library::load`]).
pub fn offered_by_library() -> Vec<&'static str> {
    probes()
        .into_iter()
        .filter(|(_, available)| available().unwrap_or(false))
        .map(|(name, _)| name)
        .collect()
}

/// Whether the loaded library offers `provider` (for ROCm: ROCm or MIGraphX).
pub fn offered(provider: ExecutionProvider) -> bool {
    let check = |r: ort::Result<bool>| r.unwrap_or(false);
    match provider {
        ExecutionProvider::Cpu => true,
        ExecutionProvider::Cuda => check(ort::ep::CUDA::is_available()),
        ExecutionProvider::TensorRt => check(ort::ep::TensorRT::is_available()),
        ExecutionProvider::Rocm => {
            check(ort::ep::ROCm::is_available()) || check(ort::ep::MIGraphX::is_available())
        }
        ExecutionProvider::CoreMl => check(ort::ep::CoreML::is_available()),
        ExecutionProvider::DirectMl => check(ort::ep::DirectML::is_available()),
        ExecutionProvider::OpenVino => check(ort::ep::OpenVINO::is_available()),
    }
}

/// The outcome of [`select`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// What was asked for.
    pub choice: ProviderChoice,
    /// The provider every session will use.
    pub provider: ExecutionProvider,
    /// Providers that were wanted but could not be used, each with the reason.
    pub refused: Vec<(ExecutionProvider, String)>,
}

impl Selection {
    /// The one warning to show when the choice could not be honoured as asked.
    pub fn warning(&self) -> Option<String> {
        if self.refused.is_empty() {
            return None;
        }
        let reasons: Vec<String> = self
            .refused
            .iter()
            .map(|(p, why)| format!("{p}: {why}"))
            .collect();
        Some(format!(
            "execution provider `{}` could not be used ({}); using {}",
            self.choice,
            reasons.join("; "),
            self.provider
        ))
    }
}

/// Chooses the provider for this process by registering candidates on throwaway session
/// options. `library` (the loaded ONNX Runtime file) is named in the reasons.
pub fn select(
    environment: &Environment,
    library: &Path,
    choice: ProviderChoice,
    settings: &ProviderSettings,
) -> Result<Selection, InferenceError> {
    let candidates: Vec<ExecutionProvider> = match choice {
        ProviderChoice::Auto => ExecutionProvider::AUTO_ORDER.to_vec(),
        ProviderChoice::Only(p) => vec![p],
        ProviderChoice::Prefer(ExecutionProvider::Cpu) => vec![ExecutionProvider::Cpu],
        ProviderChoice::Prefer(p) => vec![p, ExecutionProvider::Cpu],
    };
    let mut refused = Vec::new();
    for provider in candidates {
        let explicit = choice.named() == Some(provider);
        if !offered(provider) {
            if explicit {
                refused.push((
                    provider,
                    format!(
                        "the ONNX Runtime library {} does not include {} (it offers: {}); to get \
                         it: {}",
                        library.display(),
                        provider.ort_name(),
                        offered_by_library().join(", "),
                        provider.install_hint()
                    ),
                ));
            } else {
                tracing::debug!(
                    target: "liveswap::inference",
                    "auto: {provider} is not in this ONNX Runtime library"
                );
            }
            continue;
        }
        let builder = Session::builder(environment).map_err(|e| InferenceError::Runtime {
            step: "creating session options".into(),
            reason: e.to_string(),
        })?;
        match register(builder, provider, settings) {
            Ok(_) => {
                return Ok(Selection {
                    choice,
                    provider,
                    refused,
                });
            }
            Err((_, reason)) => refused.push((
                provider,
                format!(
                    "{} is in the library but failed to register: {reason} (to fix: {})",
                    provider.ort_name(),
                    provider.install_hint()
                ),
            )),
        }
    }
    let reason = refused
        .iter()
        .map(|(p, r)| format!("{p}: {r}"))
        .collect::<Vec<_>>()
        .join("; ");
    let reason = if matches!(choice, ProviderChoice::Only(p) if p != ExecutionProvider::Cpu) {
        format!("{reason}; or add --provider-fallback to run on cpu instead")
    } else {
        reason
    };
    Err(InferenceError::Provider {
        provider: choice.named().unwrap_or(ExecutionProvider::Cpu),
        reason,
    })
}

/// Shows the one provider fallback warning ([`Selection::warning`]) on stderr, outside the
/// log filter: a GPU that silently is not used is the commonest complaint, so `-q` (errors
/// only) does not hide it.
pub fn report_fallback(warning: &str) {
    tracing::debug!(target: "liveswap::inference", "{warning}");
    #[allow(clippy::print_stderr, reason = "a warning -q must not hide")]
    {
        eprintln!("warning: {warning}");
    }
}

/// Applies threading and `provider` (as selected by [`select`]) to a session builder. When the
/// provider refuses this session, CPU is used instead with a warning naming `model`.
pub fn configure(
    builder: SessionBuilder,
    provider: ExecutionProvider,
    settings: &ProviderSettings,
    model: &str,
) -> Result<(SessionBuilder, ExecutionProvider), InferenceError> {
    let threads = intra_threads(settings.intra_threads);
    let builder = builder
        .with_intra_threads(threads)
        .map_err(|e| InferenceError::Runtime {
            step: format!("setting {threads} intra-op threads"),
            reason: e.to_string(),
        })?;
    match register(builder, provider, settings) {
        Ok(b) => {
            tracing::debug!(
                target: "liveswap::inference",
                "{model}: {provider} with {threads} intra-op threads"
            );
            Ok((b, provider))
        }
        Err((builder, reason)) if provider != ExecutionProvider::Cpu => {
            tracing::warn!(
                target: "liveswap::inference",
                "{model}: execution provider {provider} refused this model ({reason}); using cpu"
            );
            register(builder, ExecutionProvider::Cpu, settings)
                .map(|b| (b, ExecutionProvider::Cpu))
                .map_err(|(_, reason)| InferenceError::Provider {
                    provider: ExecutionProvider::Cpu,
                    reason,
                })
        }
        Err((_, reason)) => Err(InferenceError::Provider { provider, reason }),
    }
}

/// The ONNX Runtime provider objects for one of ours.
fn dispatch(provider: ExecutionProvider, s: &ProviderSettings) -> Vec<ExecutionProviderDispatch> {
    let cache = |kind: &str| {
        s.cache_dir
            .as_ref()
            .map(|d| d.join(kind).display().to_string())
    };
    let list = match provider {
        // `CPU::default()` would switch ONNX Runtime's memory arena off: always say which.
        ExecutionProvider::Cpu => vec![
            ort::ep::CPU::default()
                .with_arena_allocator(s.cpu_arena)
                .build(),
        ],
        ExecutionProvider::Cuda => {
            let mut cuda = ort::ep::CUDA::default();
            if let Some(id) = s.device_id {
                cuda = cuda.with_device_id(id);
            }
            vec![cuda.build()]
        }
        ExecutionProvider::TensorRt => {
            let mut trt = ort::ep::TensorRT::default();
            let mut cuda = ort::ep::CUDA::default();
            if let Some(id) = s.device_id {
                trt = trt.with_device_id(id);
                cuda = cuda.with_device_id(id);
            }
            if let Some(dir) = cache("tensorrt") {
                let _ = std::fs::create_dir_all(&dir);
                trt = trt
                    .with_engine_cache(true)
                    .with_engine_cache_path(&dir)
                    .with_timing_cache(true)
                    .with_timing_cache_path(&dir);
            }
            vec![trt.build(), cuda.build()]
        }
        ExecutionProvider::Rocm => {
            let use_migraphx = !ort::ep::ROCm::is_available().unwrap_or(false)
                && ort::ep::MIGraphX::is_available().unwrap_or(false);
            if use_migraphx {
                let mut m = ort::ep::MIGraphX::default();
                if let Some(id) = s.device_id {
                    m = m.with_device_id(id);
                }
                vec![m.build()]
            } else {
                let mut r = ort::ep::ROCm::default();
                if let Some(id) = s.device_id {
                    r = r.with_device_id(id);
                }
                vec![r.build()]
            }
        }
        ExecutionProvider::CoreMl => {
            let mut c = ort::ep::CoreML::default();
            if let Some(dir) = cache("coreml") {
                let _ = std::fs::create_dir_all(&dir);
                c = c.with_model_cache_dir(dir);
            }
            vec![c.build()]
        }
        ExecutionProvider::DirectMl => {
            let mut d = ort::ep::DirectML::default();
            if let Some(id) = s.device_id {
                d = d.with_device_id(id);
            }
            vec![d.build()]
        }
        ExecutionProvider::OpenVino => {
            let mut o = ort::ep::OpenVINO::default();
            if let Some(id) = s.device_id {
                o = o.with_device_type(format!("GPU.{id}"));
            }
            if let Some(dir) = cache("openvino") {
                let _ = std::fs::create_dir_all(&dir);
                o = o.with_cache_dir(dir);
            }
            vec![o.build()]
        }
    };
    list.into_iter()
        .map(ExecutionProviderDispatch::error_on_failure)
        .collect()
}

/// Registers one provider; hands the builder back with the reason on failure.
fn register(
    builder: SessionBuilder,
    provider: ExecutionProvider,
    settings: &ProviderSettings,
) -> Result<SessionBuilder, (SessionBuilder, String)> {
    builder
        .with_execution_providers(dispatch(provider, settings))
        .map_err(|e| {
            let reason = e.to_string();
            (e.recover(), reason)
        })
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
            assert_eq!(
                p.to_string().parse::<ProviderChoice>().unwrap(),
                ProviderChoice::Only(p)
            );
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
        assert_eq!(
            "migraphx".parse::<ExecutionProvider>().unwrap(),
            ExecutionProvider::Rocm
        );
        assert_eq!(
            "Auto".parse::<ProviderChoice>().unwrap(),
            ProviderChoice::Auto
        );
        assert_eq!(ProviderChoice::Auto.to_string(), "auto");
        let err = "vulkan".parse::<ProviderChoice>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown execution provider `vulkan` (expected one of: auto, cpu, cuda, tensorrt, \
             rocm, coreml, directml, openvino)"
        );
    }

    #[test]
    fn defaults_and_auto_order() {
        assert_eq!(ExecutionProvider::default(), ExecutionProvider::Cpu);
        assert_eq!(ProviderChoice::default(), ProviderChoice::Auto);
        assert_eq!(
            ExecutionProvider::AUTO_ORDER.last(),
            Some(&ExecutionProvider::Cpu)
        );
        assert!(!ExecutionProvider::AUTO_ORDER.contains(&ExecutionProvider::TensorRt));
        assert!(ExecutionProvider::ALL.iter().all(|p| p.is_supported()));
        assert!(
            ExecutionProvider::Cuda
                .install_hint()
                .contains("onnxruntime-gpu")
        );
        assert!(
            ExecutionProvider::DirectMl
                .install_hint()
                .contains("onnxruntime-directml")
        );
        assert!(default_intra_threads() >= 1);
    }

    #[test]
    fn the_warning_names_every_refused_provider() {
        let s = Selection {
            choice: ProviderChoice::Only(ExecutionProvider::Cuda),
            provider: ExecutionProvider::Cpu,
            refused: vec![(ExecutionProvider::Cuda, "not in the library".into())],
        };
        assert_eq!(
            s.warning().unwrap(),
            "execution provider `cuda` could not be used (cuda: not in the library); using cpu"
        );
        let fine = Selection {
            refused: vec![],
            ..s
        };
        assert_eq!(fine.warning(), None);
    }
}
