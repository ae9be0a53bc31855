//! Models as seen by a plugin: what it asks for, and how it runs one.
//!
//! A plugin never opens a model file or picks an execution provider. It asks the host
//! ([`crate::HostCtx::open_model`]) with a [`ModelRequest`]: the model reference from its
//! settings (a manifest id or a file path) and the [`ModelSignature`] it needs. The host
//! resolves the path, verifies the file, checks the signature, creates the session with the
//! execution provider it chose, and hands back a [`Model_TO`] to run.
//!
//! Tensors cross the boundary as borrowed slices ([`TensorRef`]) going in, so frame-sized
//! inputs are not copied on the plugin side, and as owned buffers ([`Tensor`]) coming out.

use crate::error::SdkError;
use abi_stable::StableAbi;
use abi_stable::sabi_trait;
use abi_stable::std_types::{RBox, ROption, RResult, RSlice, RString, RVec};
use std::fmt;

/// Element type of a tensor.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    /// 32-bit float.
    F32,
    /// 16-bit float (carried as raw `u16` bits).
    F16,
    /// Unsigned byte.
    U8,
    /// 64-bit signed integer.
    I64,
    /// Any other element type the host found in a model.
    Other,
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::F32 => "f32",
            Self::F16 => "f16",
            Self::U8 => "u8",
            Self::I64 => "i64",
            Self::Other => "other",
        })
    }
}

/// Dimension wildcard in a [`TensorSpec`] shape: "any size" (a dynamic or unknown dimension).
pub const ANY_DIM: i64 = -1;

/// Expected (or found) description of one model input or output.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
pub struct TensorSpec {
    /// Required name, or `RNone` when exports differ in naming (SCRFD's `input.1` vs `data`).
    pub name: ROption<RString>,
    /// Element type.
    pub dtype: DType,
    /// Shape; [`ANY_DIM`] matches any size (including a dynamic dimension in the file). An
    /// empty shape accepts any rank (exports of one network differ: SCRFD outputs are
    /// `[N,k]` in some files and `[1,N,k]` in others).
    pub shape: RVec<i64>,
}

impl TensorSpec {
    /// An f32 tensor of the given shape with any name.
    pub fn f32(shape: &[i64]) -> Self {
        Self {
            name: ROption::RNone,
            dtype: DType::F32,
            shape: shape.iter().copied().collect(),
        }
    }

    /// An f32 tensor of any rank and shape.
    pub fn f32_any() -> Self {
        Self::f32(&[])
    }

    /// Requires a name.
    #[must_use]
    pub fn named(mut self, name: &str) -> Self {
        self.name = ROption::RSome(name.into());
        self
    }
}

impl fmt::Display for TensorSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let ROption::RSome(n) = &self.name {
            write!(f, "`{n}` ")?;
        }
        if self.shape.is_empty() {
            return write!(f, "{}[any shape]", self.dtype);
        }
        write!(f, "{}[", self.dtype)?;
        for (i, d) in self.shape.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if *d < 0 {
                f.write_str("?")?;
            } else {
                write!(f, "{d}")?;
            }
        }
        f.write_str("]")
    }
}

/// Inputs and outputs a processor needs from a model file (in order).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq, Default)]
pub struct ModelSignature {
    /// The inputs, in graph order.
    pub inputs: RVec<TensorSpec>,
    /// The outputs, in graph order.
    pub outputs: RVec<TensorSpec>,
}

impl fmt::Display for ModelSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |v: &RVec<TensorSpec>| {
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        write!(
            f,
            "inputs ({}) → outputs ({})",
            list(&self.inputs),
            list(&self.outputs)
        )
    }
}

/// What a plugin asks the host to open.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
pub struct ModelRequest {
    /// The setting key this model comes from (for error messages: `face_analyser.detector_model`).
    pub setting: RString,
    /// Model id from the manifest, or a file path, exactly as the user wrote it.
    pub reference: RString,
    /// The inputs/outputs the processor needs; the host refuses files that do not match.
    pub signature: ModelSignature,
}

/// A model slot a processor declares in its [`crate::PluginInfo`]: which setting names the
/// model, and what role it plays. Listed by `liveswap plugins` and used by the model registry.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
pub struct ModelSlot {
    /// The [`crate::SettingKind::Model`] setting holding the reference.
    pub setting: RString,
    /// Role, e.g. `"face_detector"`, `"face_recognizer"`, `"landmarks_106"`, `"face_swapper"`.
    pub role: RString,
    /// Whether the processor can work without it (an empty setting disables the feature).
    pub optional: bool,
    /// Per-frame data ([`crate::data`]) this model provides; when an optional slot is left
    /// empty the processor does not provide them, and profile validation knows it.
    pub provides: RVec<RString>,
    /// The signature the processor checks the file against.
    pub signature: ModelSignature,
}

impl ModelSlot {
    /// A slot backed by model setting `setting`.
    pub fn new(setting: &str, role: &str, signature: ModelSignature) -> Self {
        Self {
            setting: setting.into(),
            role: role.into(),
            optional: false,
            provides: RVec::new(),
            signature,
        }
    }

    /// Marks the slot optional: an empty setting turns the feature off.
    #[must_use]
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// Declares the per-frame data this model provides.
    #[must_use]
    pub fn provides(mut self, what: &[&str]) -> Self {
        self.provides.extend(what.iter().map(|c| RString::from(*c)));
        self
    }
}

impl ModelSignature {
    /// A signature from input and output specs.
    pub fn new(inputs: Vec<TensorSpec>, outputs: Vec<TensorSpec>) -> Self {
        Self {
            inputs: inputs.into(),
            outputs: outputs.into(),
        }
    }
}

/// Borrowed element data of an input tensor.
#[repr(C, u8)]
#[derive(StableAbi, Debug, Clone, Copy)]
pub enum TensorData<'a> {
    /// f32 elements.
    F32(RSlice<'a, f32>),
    /// u8 elements.
    U8(RSlice<'a, u8>),
    /// i64 elements.
    I64(RSlice<'a, i64>),
}

/// A borrowed input tensor (row-major, `shape` product = element count).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy)]
pub struct TensorRef<'a> {
    /// Concrete shape.
    pub shape: RSlice<'a, i64>,
    /// Elements.
    pub data: TensorData<'a>,
}

impl<'a> TensorRef<'a> {
    /// Borrows an f32 buffer with a shape.
    pub fn f32(shape: &'a [i64], data: &'a [f32]) -> Self {
        Self {
            shape: shape.into(),
            data: TensorData::F32(data.into()),
        }
    }
}

/// Owned element data of an output tensor.
#[repr(C, u8)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub enum TensorBuf {
    /// f32 elements (f16 outputs are widened to f32 by the host).
    F32(RVec<f32>),
    /// u8 elements.
    U8(RVec<u8>),
    /// i64 elements.
    I64(RVec<i64>),
}

/// An output tensor.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct Tensor {
    /// Output name in the graph.
    pub name: RString,
    /// Concrete shape.
    pub shape: RVec<i64>,
    /// Elements.
    pub data: TensorBuf,
}

impl Tensor {
    /// The f32 elements, or an error naming the tensor.
    pub fn as_f32(&self) -> Result<&[f32], SdkError> {
        match &self.data {
            TensorBuf::F32(v) => Ok(v.as_slice()),
            _ => Err(SdkError::new(
                crate::codes::INFERENCE,
                format!("model output `{}` is not f32", self.name),
            )),
        }
    }
}

/// Facts about an opened model.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
pub struct ModelInfo {
    /// The manifest id, or the file stem for a user file.
    pub id: RString,
    /// Resolved file path.
    pub path: RString,
    /// The signature found in the file.
    pub signature: ModelSignature,
    /// Execution provider the session runs on (`"cpu"`, `"cuda"`, ...).
    pub provider: RString,
}

/// A model session owned by the host, usable from the plugin.
///
/// Calls are serialized by the host; one processor instance should use its own models.
#[sabi_trait]
pub trait Model: Send + Sync {
    /// What was opened.
    fn info(&self) -> ModelInfo;

    /// Runs the model on `inputs` (in graph input order) and returns every output in graph order.
    ///
    /// Data must have the input's element type, except that f32 data is accepted for an f64
    /// or f16 input (the host converts a copy; meant for small inputs such as CodeFormer's
    /// fidelity weight). f16 outputs arrive widened to f32.
    fn run(&self, inputs: RSlice<'_, TensorRef<'_>>) -> RResult<RVec<Tensor>, SdkError>;

    /// The last initializer (weight tensor) stored in the model file, if the file has one.
    /// inswapper keeps its identity projection (`emap`) there.
    #[sabi(last_prefix_field)]
    fn last_initializer(&self) -> RResult<ROption<Tensor>, SdkError>;
}

/// An opened model handed to a plugin.
pub type ModelBox = Model_TO<'static, RBox<()>>;
