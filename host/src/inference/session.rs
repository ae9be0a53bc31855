//! The inference service: opens model files as ONNX Runtime sessions and runs them for plugins.
//!
//! Where it sits: the host creates one [`InferenceService`] per process at start-up (it loads
//! ONNX Runtime, see [`super::library`]). When a processor asks its host context for a model,
//! the host resolves and verifies the file, then calls [`InferenceService::open`] with the
//! signature the processor declared. The resulting [`HostModel`] is handed to the plugin as a
//! [`ModelBox`] ([`HostModel::into_abi`]) and run once or more per frame.
//!
//! Why the host does this and not the plugin: sessions, threads and the execution provider are
//! process-wide resources the user configures once (`--execution-provider`,
//! `--execution-threads`); a model whose inputs do not match is refused here with an error
//! naming both sides, before any frame.
//!
//! Per-frame cost: inputs are handed to ONNX Runtime as views of the plugin's buffers (no
//! copy); outputs are copied once into owned [`Tensor`]s, since they cross the ABI boundary.
//! Sessions are created with all graph optimizations enabled.

use super::error::InferenceError;
use super::library::{self, Runtime};
use super::onnx_proto::{self, InitializerData};
use super::providers::{self, ExecutionProvider, ProviderChoice, ProviderSettings, Selection};
use super::signature;
use super::stats::CallStats;
use super::tuning::CpuTuning;
use liveswap_sdk::abi_stable::sabi_trait::TD_Opaque;
use liveswap_sdk::abi_stable::std_types::{ROption, RResult, RSlice, RStr, RVec};
use liveswap_sdk::{
    DType, Model, Model_TO, ModelBox, ModelInfo, ModelSignature, SdkError, Tensor, TensorBuf,
    TensorRef, TensorSpec,
};
use ort::session::builder::GraphOptimizationLevel;
use ort::session::{Session, SessionInputValue, SessionInputs};
use ort::value::{DynValue, Outlet, TensorElementType, ValueType};
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// How the service is set up; usually filled from the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InferenceOptions {
    /// The ONNX Runtime library to load (`--ort-lib`); searched for when `None`.
    pub ort_lib: Option<PathBuf>,
    /// The execution provider asked for (`--execution-provider`, the profile, or `auto`).
    pub provider: ProviderChoice,
    /// Intra-op threads per session; `None` (or 0) means one per available core.
    pub intra_threads: Option<usize>,
    /// GPU index for the providers that take one (`--device-id`).
    pub device_id: Option<i32>,
    /// Cache directory for compiled engines (TensorRT, Core ML, OpenVINO); usually
    /// `<models dir>/.cache`.
    pub cache_dir: Option<PathBuf>,
    /// CPU session options (`--graph-optimization`, `--ort-spinning`, `--ort-arena`,
    /// `--ort-pinning`).
    pub cpu: CpuTuning,
}

impl InferenceOptions {
    fn provider_settings(&self) -> ProviderSettings {
        ProviderSettings {
            intra_threads: self.intra_threads,
            device_id: self.device_id,
            cache_dir: self.cache_dir.clone(),
            cpu_arena: self.cpu.arena,
        }
    }
}

/// Creates sessions for model files. One per process; cheap to clone.
#[derive(Debug, Clone)]
pub struct InferenceService {
    runtime: Arc<Runtime>,
    options: InferenceOptions,
    selection: Selection,
    stats: CallStats,
    tap: InputTap,
    /// Precision of every model opened, by id (read from the graph's operators at open).
    precisions: Arc<Mutex<std::collections::BTreeMap<String, onnx_proto::Precision>>>,
}

/// One recorded model call: every f32 input as (name, shape, values), in graph order.
#[derive(Debug, Clone, PartialEq)]
pub struct TappedCall {
    /// `(input name, shape, values)` per input.
    pub inputs: Vec<(String, Vec<i64>, Vec<f32>)>,
}

/// Records the inputs one model is run on, exactly as its processor prepared them
/// (`liveswap models quantize` calibrates on these). Off unless [`InputTap::record`] names a
/// model id; then each call of that model copies its inputs once (a cost only while
/// recording). Shared by every session of one [`InferenceService`].
#[derive(Debug, Clone, Default)]
pub struct InputTap {
    inner: Arc<Mutex<Option<Recording>>>,
}

/// The model id being recorded and its calls so far.
type Recording = (String, Vec<TappedCall>);

impl InputTap {
    /// Starts recording the calls of model `id` (forgetting anything recorded before).
    pub fn record(&self, id: &str) {
        *self.inner.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((id.to_owned(), Vec::new()));
    }

    /// Stops recording and returns the calls recorded since [`InputTap::record`].
    pub fn take(&self) -> Vec<TappedCall> {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .map(|(_, calls)| calls)
            .unwrap_or_default()
    }

    fn offer(&self, id: &str, names: &[TensorSpec], inputs: &[TensorRef<'_>]) {
        let mut guard = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let Some((want, calls)) = guard.as_mut() else {
            return;
        };
        if want != id {
            return;
        }
        let inputs = inputs
            .iter()
            .zip(names)
            .filter_map(|(t, spec)| {
                t.as_f32().map(|d| {
                    (
                        spec.name
                            .clone()
                            .into_option()
                            .map(|n| n.to_string())
                            .unwrap_or_default(),
                        t.shape.iter().copied().collect(),
                        d.into_owned(),
                    )
                })
            })
            .collect();
        calls.push(TappedCall { inputs });
    }
}

impl InferenceService {
    /// Loads ONNX Runtime (once per process) and selects the execution provider
    /// ([`providers::select`]); a provider that cannot be used falls back with one warning.
    pub fn new(options: InferenceOptions) -> Result<Self, InferenceError> {
        let runtime = library::load(options.ort_lib.as_deref())?;
        // Fail (or fall back) now, not on the first model, if the provider cannot be registered.
        let selection = providers::select(
            runtime.environment(),
            runtime.path(),
            options.provider,
            &options.provider_settings(),
        )?;
        if let Some(warning) = selection.warning() {
            providers::report_fallback(&warning);
        }
        Ok(Self {
            runtime,
            options,
            selection,
            stats: CallStats::default(),
            tap: InputTap::default(),
            precisions: Arc::default(),
        })
    }

    /// The ONNX Runtime version in use (`"1.31.1"`).
    pub fn ort_version(&self) -> &str {
        self.runtime.version()
    }

    /// The ONNX Runtime library file in use.
    pub fn library_path(&self) -> &Path {
        self.runtime.path()
    }

    /// The execution provider sessions are created with.
    pub fn provider(&self) -> ExecutionProvider {
        self.selection.provider
    }

    /// How the provider was chosen, including what was refused and why.
    pub fn selection(&self) -> &Selection {
        &self.selection
    }

    /// Time spent in model calls so far, per model id, for every model this service opened.
    pub fn call_stats(&self) -> &CallStats {
        &self.stats
    }

    /// The precision (fp32 / int8) of each model opened so far, by id.
    pub fn precisions(&self) -> std::collections::BTreeMap<String, onnx_proto::Precision> {
        self.precisions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The input recorder shared by every model this service opens.
    pub fn input_tap(&self) -> &InputTap {
        &self.tap
    }

    /// The options the service was created with.
    pub fn options(&self) -> &InferenceOptions {
        &self.options
    }

    /// Opens `path` as model `id` and checks its inputs/outputs against `expected`.
    ///
    /// `id` is the manifest id, or the file stem for a user file; it names the model in
    /// errors and logs. Use [`InferenceError::for_setting`] to name the setting in a
    /// signature error.
    pub fn open(
        &self,
        path: &Path,
        id: &str,
        expected: &ModelSignature,
    ) -> Result<HostModel, InferenceError> {
        let start = Instant::now();
        check_readable(path)?;
        let builder = Session::builder(self.runtime.environment())
            .map_err(|e| runtime_error("creating session options", &e))?;
        let (builder, provider) = providers::configure(
            builder,
            self.selection.provider,
            &self.options.provider_settings(),
            id,
        )?;
        let mut builder = self.tune(builder)?;
        let session = builder
            .commit_from_file(path)
            .map_err(|e| InferenceError::model_load(path, e.to_string()))?;
        // The sdk has no f64 element type (DType::OTHER): keep the real input types, so f32
        // data can be widened for f64/f16 inputs (see `input_value`).
        let input_types: Vec<Option<TensorElementType>> = session
            .inputs()
            .iter()
            .map(|o| match o.dtype() {
                ValueType::Tensor { ty, .. } => Some(*ty),
                _ => None,
            })
            .collect();
        let found = ModelSignature {
            inputs: session.inputs().iter().map(spec_of).collect(),
            outputs: session.outputs().iter().map(spec_of).collect(),
        };
        signature::check(expected, &found).map_err(|detail| InferenceError::SignatureMismatch {
            path: path.to_path_buf(),
            setting: None,
            detail: Box::new(detail),
        })?;
        self.stats.opened(id, provider);
        // Unreadable as protobuf here means ONNX Runtime read it anyway: call it fp32.
        let precision = onnx_proto::read_precision(path).unwrap_or(onnx_proto::Precision::Fp32);
        self.precisions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.to_owned(), precision);
        tracing::info!(
            target: "liveswap::inference",
            model = id,
            path = %path.display(),
            %provider,
            %precision,
            ms = start.elapsed().as_millis(),
            "opened model: {found}"
        );
        Ok(HostModel {
            id: id.to_owned(),
            path: path.to_path_buf(),
            signature: found,
            input_types,
            provider,
            session: Mutex::new(session),
            initializers: Mutex::new(Vec::new()),
            stats: self.stats.clone(),
            tap: self.tap.clone(),
        })
    }

    /// Applies the CPU session options to one session's builder.
    fn tune(
        &self,
        builder: ort::session::builder::SessionBuilder,
    ) -> Result<ort::session::builder::SessionBuilder, InferenceError> {
        let cpu = self.options.cpu;
        let builder = builder
            .with_optimization_level(cpu.graph.ort())
            .map_err(|e| runtime_error("setting the graph optimization level", &e))?
            .with_intra_op_spinning(cpu.spinning)
            .map_err(|e| runtime_error("setting intra-op spinning", &e))?;
        let threads = providers::intra_threads(self.options.intra_threads);
        match cpu.affinities(threads, providers::default_intra_threads()) {
            Some(list) => builder
                .with_config_entry("session.intra_op_thread_affinities", &list)
                .map_err(|e| runtime_error("pinning intra-op threads", &e)),
            None => Ok(builder),
        }
    }

    /// Reads a model file's real inputs and outputs (names, element types, `-1` for dynamic
    /// dimensions) without checking them: a CPU session with one thread and no graph
    /// optimisation, dropped at once. Used by `liveswap models verify`.
    pub fn inspect(&self, path: &Path) -> Result<ModelSignature, InferenceError> {
        check_readable(path)?;
        let session = Session::builder(self.runtime.environment())
            .map_err(|e| runtime_error("creating session options", &e))?
            .with_intra_threads(1)
            .map_err(|e| runtime_error("setting threads", &e))?
            .with_optimization_level(GraphOptimizationLevel::Disable)
            .map_err(|e| runtime_error("disabling graph optimizations", &e))?
            .commit_from_file(path)
            .map_err(|e| InferenceError::model_load(path, e.to_string()))?;
        Ok(ModelSignature {
            inputs: session.inputs().iter().map(spec_of).collect(),
            outputs: session.outputs().iter().map(spec_of).collect(),
        })
    }
}

/// An opened model: an ONNX Runtime session plus what is known about its file.
///
/// Runs are serialized (ONNX Runtime sessions need exclusive access to run); give each
/// processor instance its own models.
#[derive(Debug)]
pub struct HostModel {
    id: String,
    path: PathBuf,
    signature: ModelSignature,
    /// The file's real input element types, in graph order.
    input_types: Vec<Option<TensorElementType>>,
    provider: ExecutionProvider,
    session: Mutex<Session>,
    /// Initializers decoded so far, by selector text: each is read on its first request
    /// only (it means reading through the file) and kept.
    initializers: Mutex<Vec<(String, Option<Tensor>)>>,
    /// The service's call totals, shared.
    stats: CallStats,
    /// The service's input recorder, shared.
    tap: InputTap,
}

impl HostModel {
    /// The model id given to [`InferenceService::open`].
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The model file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The signature found in the file (names, element types, `-1` for dynamic dimensions).
    pub fn signature(&self) -> &ModelSignature {
        &self.signature
    }

    /// The execution provider the session runs on.
    pub fn provider(&self) -> ExecutionProvider {
        self.provider
    }

    /// Wraps the model in the ABI-stable trait object handed to plugins.
    pub fn into_abi(self) -> ModelBox {
        Model_TO::from_value(self, TD_Opaque)
    }

    /// Runs the model on `inputs` (graph input order) and returns every output in graph order.
    ///
    /// Inputs are passed to ONNX Runtime without copying; f16 outputs are widened to f32.
    pub fn run_tensors(&self, inputs: &[TensorRef<'_>]) -> Result<Vec<Tensor>, InferenceError> {
        let fail = |reason: String| InferenceError::Run {
            model: self.id.clone(),
            reason,
        };
        let specs = &self.signature.inputs;
        if inputs.len() != specs.len() {
            return Err(fail(format!(
                "{} input(s) given, the model takes {} ({})",
                inputs.len(),
                specs.len(),
                list(specs)
            )));
        }
        self.tap.offer(&self.id, specs, inputs);
        let started = Instant::now();
        let mut values: Vec<SessionInputValue<'_>> = Vec::with_capacity(inputs.len());
        for (i, (input, spec)) in inputs.iter().zip(specs.iter()).enumerate() {
            let real = self.input_types.get(i).copied().flatten();
            values
                .push(input_value(input, spec, real).map_err(|e| fail(format!("input {i}: {e}")))?);
        }
        let mut session = self.session.lock().unwrap_or_else(PoisonError::into_inner);
        let run_started = Instant::now();
        let outputs = session
            .run(SessionInputs::<'_, '_, 0>::ValueSlice(&values))
            .map_err(|e| fail(e.to_string()))?;
        let in_runtime = run_started.elapsed();
        let tensors = outputs
            .iter()
            .map(|(name, value)| output_tensor(name, &value).map_err(&fail))
            .collect();
        self.stats.record(&self.id, started.elapsed(), in_runtime);
        tensors
    }

    /// A graph initializer chosen by `selector` (a name, or `#N` by position, `#-1` the last:
    /// inswapper's `emap`), decoded on first use and kept.
    pub fn initializer_tensor(&self, selector: &str) -> Result<Option<Tensor>, InferenceError> {
        let mut cache = self
            .initializers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, t)) = cache.iter().find(|(k, _)| k == selector) {
            return Ok(t.clone());
        }
        let start = Instant::now();
        let which = onnx_proto::Selector::parse(selector);
        let init = onnx_proto::read_initializer(&self.path, &which).map_err(|e| {
            InferenceError::model_load(&self.path, format!("reading initializer `{selector}`: {e}"))
        })?;
        let tensor = init.map(|init| Tensor {
            name: init.name.into(),
            shape: init.dims.into(),
            data: match init.data {
                InitializerData::F32(v) => TensorBuf::from_slice(DType::F32, &v),
                InitializerData::U8(v) => TensorBuf::from_slice(DType::U8, &v),
                InitializerData::I64(v) => TensorBuf::from_slice(DType::I64, &v),
            },
        });
        tracing::debug!(
            target: "liveswap::inference",
            model = self.id,
            ms = start.elapsed().as_millis(),
            "read initializer {selector}: {:?}",
            tensor.as_ref().map(|t| (t.name.as_str(), t.shape.as_slice()))
        );
        cache.push((selector.to_owned(), tensor.clone()));
        Ok(tensor)
    }

    /// What is reported to plugins by [`Model::info`].
    pub fn model_info(&self) -> ModelInfo {
        ModelInfo {
            id: self.id.as_str().into(),
            path: self.path.display().to_string().into(),
            signature: self.signature.clone(),
            provider: self.provider.name().into(),
        }
    }
}

impl Model for HostModel {
    fn info(&self) -> ModelInfo {
        self.model_info()
    }

    fn run(&self, inputs: RSlice<'_, TensorRef<'_>>) -> RResult<RVec<Tensor>, SdkError> {
        self.run_tensors(inputs.as_slice())
            .map(RVec::from)
            .map_err(SdkError::from)
            .into()
    }

    fn initializer(&self, selector: RStr<'_>) -> RResult<ROption<Tensor>, SdkError> {
        self.initializer_tensor(selector.as_str())
            .map(ROption::from)
            .map_err(SdkError::from)
            .into()
    }
}

/// A missing file is [`InferenceError::ModelMissing`]; an unreadable one (permissions, a
/// directory) is [`InferenceError::ModelLoad`] with the OS reason.
fn check_readable(path: &Path) -> Result<(), InferenceError> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(InferenceError::ModelMissing {
            path: path.to_path_buf(),
        }),
        Err(e) => Err(InferenceError::model_load(path, e.to_string())),
        Ok(m) if m.is_dir() => Err(InferenceError::model_load(path, "it is a directory")),
        Ok(_) => File::open(path)
            .map(drop)
            .map_err(|e| InferenceError::model_load(path, format!("cannot read it: {e}"))),
    }
}

fn runtime_error<R>(step: &str, e: &ort::Error<R>) -> InferenceError {
    InferenceError::Runtime {
        step: step.to_owned(),
        reason: e.to_string(),
    }
}

/// The sdk description of a session input or output.
fn spec_of(outlet: &Outlet) -> TensorSpec {
    let (dtype, shape) = match outlet.dtype() {
        ValueType::Tensor { ty, shape, .. } => {
            // Symbolic and unknown dimensions are reported as -1 by ONNX Runtime already.
            (dtype_of(*ty), shape.iter().map(|&d| d.max(-1)).collect())
        }
        _ => (DType::OTHER, RVec::new()),
    };
    TensorSpec {
        name: ROption::RSome(outlet.name().into()),
        dtype,
        shape,
    }
}

fn dtype_of(ty: TensorElementType) -> DType {
    match ty {
        TensorElementType::Float32 => DType::F32,
        TensorElementType::Float16 => DType::F16,
        TensorElementType::Uint8 => DType::U8,
        TensorElementType::Int64 => DType::I64,
        TensorElementType::Float64 => DType::F64,
        TensorElementType::Int32 => DType::I32,
        TensorElementType::Int8 => DType::I8,
        TensorElementType::Bool => DType::BOOL,
        _ => DType::OTHER,
    }
}

/// A zero-copy ONNX Runtime view of a plugin's input buffer.
///
/// f32 data for an input the file declares as f64 or f16 (CodeFormer's fidelity `weight`,
/// fp16 exports) is converted into an owned tensor of that type: a copy, which is meant for
/// such small side inputs. The sdk has no f64 element type, so this is how a plugin feeds one.
fn input_value<'a>(
    input: &TensorRef<'a>,
    spec: &TensorSpec,
    real: Option<TensorElementType>,
) -> Result<SessionInputValue<'a>, String> {
    if let Some(d) = input.as_f32() {
        let shape: Vec<i64> = input.shape.iter().copied().collect();
        match real {
            Some(TensorElementType::Float64) => {
                let wide: Vec<f64> = d.iter().map(|&v| f64::from(v)).collect();
                return ort::value::Tensor::from_array((shape, wide))
                    .map(SessionInputValue::from)
                    .map_err(|e| e.to_string());
            }
            Some(TensorElementType::Float16) => {
                let narrow: Vec<half::f16> = d.iter().map(|&v| half::f16::from_f32(v)).collect();
                return ort::value::Tensor::from_array((shape, narrow))
                    .map(SessionInputValue::from)
                    .map_err(|e| e.to_string());
            }
            _ => {}
        }
    }
    if input.dtype != spec.dtype {
        return Err(format!(
            "{} data given, the model expects {spec}",
            input.dtype
        ));
    }
    let count = input.element_count();
    let size = input.dtype.size().unwrap_or(0);
    if input.data.len() != count * size {
        return Err(format!(
            "{} bytes of {} data given for shape {:?} ({count} elements)",
            input.data.len(),
            input.dtype,
            input.shape.as_slice()
        ));
    }
    let shape: &'a [i64] = input.shape.as_slice();
    let owned_shape = || shape.to_vec();
    // Buffers made by the sdk's constructors are aligned and borrowed (zero copy); anything
    // else (an odd buffer from a foreign plugin) is copied into an owned tensor.
    let value = match input.dtype {
        DType::F32 => match input.as_f32() {
            Some(std::borrow::Cow::Borrowed(d)) => {
                ort::value::TensorRef::from_array_view((shape, d)).map(SessionInputValue::from)
            }
            Some(std::borrow::Cow::Owned(d)) => {
                ort::value::Tensor::from_array((owned_shape(), d)).map(SessionInputValue::from)
            }
            None => unreachable_dtype(),
        },
        DType::U8 => ort::value::TensorRef::from_array_view((shape, input.data.as_slice()))
            .map(SessionInputValue::from),
        DType::I64 => match input.as_i64() {
            Some(std::borrow::Cow::Borrowed(d)) => {
                ort::value::TensorRef::from_array_view((shape, d)).map(SessionInputValue::from)
            }
            Some(std::borrow::Cow::Owned(d)) => {
                ort::value::Tensor::from_array((owned_shape(), d)).map(SessionInputValue::from)
            }
            None => unreachable_dtype(),
        },
        other => {
            return Err(format!(
                "{other} input data is not supported by this host (f32, u8 and i64 are)"
            ));
        }
    };
    value.map_err(|e| e.to_string())
}

/// The dtype was matched just before; kept as an error rather than a panic.
fn unreachable_dtype<T>() -> ort::Result<T> {
    Err(ort::Error::new(
        "internal: tensor data type changed while reading it",
    ))
}

/// Copies one output into an owned sdk tensor.
fn output_tensor(name: &str, value: &DynValue) -> Result<Tensor, String> {
    let ValueType::Tensor { ty, .. } = value.dtype() else {
        return Err(format!("output `{name}` is not a tensor"));
    };
    let extract_err = |e: ort::Error| format!("output `{name}`: {e}");
    let (shape, data) = match ty {
        TensorElementType::Float32 => {
            let (shape, data) = value.try_extract_tensor::<f32>().map_err(extract_err)?;
            (shape, TensorBuf::from_slice(DType::F32, data))
        }
        TensorElementType::Uint8 => {
            let (shape, data) = value.try_extract_tensor::<u8>().map_err(extract_err)?;
            (shape, TensorBuf::from_slice(DType::U8, data))
        }
        TensorElementType::Int64 => {
            let (shape, data) = value.try_extract_tensor::<i64>().map_err(extract_err)?;
            (shape, TensorBuf::from_slice(DType::I64, data))
        }
        // fp16 model exports (inswapper_128_fp16, enhancers) may keep fp16 outputs: widen.
        TensorElementType::Float16 => {
            let (shape, data) = value
                .try_extract_tensor::<half::f16>()
                .map_err(extract_err)?;
            let wide: Vec<f32> = data.iter().map(|v| f32::from(*v)).collect();
            (shape, TensorBuf::from_slice(DType::F32, &wide))
        }
        other => {
            return Err(format!(
                "output `{name}` has element type {other:?}; liveswap reads f32, u8 and i64 \
                 outputs"
            ));
        }
    };
    Ok(Tensor {
        name: name.into(),
        shape: shape.iter().copied().collect(),
        data,
    })
}

fn list(specs: &[TensorSpec]) -> String {
    specs
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn missing_and_unreadable_files() {
        let err = check_readable(Path::new("/nonexistent/liveswap/model.onnx")).unwrap_err();
        assert!(matches!(err, InferenceError::ModelMissing { .. }), "{err}");
        let err = check_readable(&std::env::temp_dir()).unwrap_err();
        assert!(err.to_string().ends_with("it is a directory"), "{err}");
    }
}
