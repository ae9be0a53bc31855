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
use abi_stable::std_types::{RBox, ROption, RResult, RSlice, RStr, RString, RVec};
use std::fmt;

/// Element type of a tensor: ONNX's `TensorProto.DataType` number, an open set, so a minor
/// sdk release (or a newer host) can pass element types this sdk has no constant for.
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DType(u8);

impl DType {
    /// 32-bit float (ONNX `FLOAT` = 1).
    pub const F32: Self = Self(1);
    /// Unsigned byte (`UINT8` = 2).
    pub const U8: Self = Self(2);
    /// Signed byte (`INT8` = 3).
    pub const I8: Self = Self(3);
    /// 32-bit signed integer (`INT32` = 6).
    pub const I32: Self = Self(6);
    /// 64-bit signed integer (`INT64` = 7).
    pub const I64: Self = Self(7);
    /// Boolean, one byte (`BOOL` = 9).
    pub const BOOL: Self = Self(9);
    /// 16-bit float, carried as raw `u16` bits (`FLOAT16` = 10).
    pub const F16: Self = Self(10);
    /// 64-bit float (`DOUBLE` = 11).
    pub const F64: Self = Self(11);
    /// No ONNX type: the host could not tell (`UNDEFINED` = 0).
    pub const OTHER: Self = Self(0);

    /// The type with this ONNX code.
    pub const fn from_onnx(code: u8) -> Self {
        Self(code)
    }

    /// The ONNX code.
    pub const fn onnx_code(self) -> u8 {
        self.0
    }

    /// Bytes per element, when this sdk knows the type.
    pub fn size(self) -> Option<usize> {
        Some(match self {
            Self::U8 | Self::I8 | Self::BOOL => 1,
            Self::F16 => 2,
            Self::F32 | Self::I32 => 4,
            Self::I64 | Self::F64 => 8,
            _ => return None,
        })
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match *self {
            Self::F32 => "f32",
            Self::F16 => "f16",
            Self::F64 => "f64",
            Self::U8 => "u8",
            Self::I8 => "i8",
            Self::I32 => "i32",
            Self::I64 => "i64",
            Self::BOOL => "bool",
            Self::OTHER => "other",
            other => return write!(f, "onnx-type-{}", other.0),
        };
        f.write_str(name)
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
    /// The [`crate::SettingKind::MODEL`] setting holding the reference.
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

/// A borrowed input tensor (row-major, `shape` product = element count): raw little-endian
/// element bytes tagged with their type, so new element types need no layout change. The
/// constructors borrow typed slices without copying.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy)]
pub struct TensorRef<'a> {
    /// Concrete shape.
    pub shape: RSlice<'a, i64>,
    /// Element type.
    pub dtype: DType,
    /// Element bytes (`element count × dtype size`), aligned for the element type when made
    /// by the constructors.
    pub data: RSlice<'a, u8>,
}

impl<'a> TensorRef<'a> {
    /// Borrows an f32 buffer with a shape.
    pub fn f32(shape: &'a [i64], data: &'a [f32]) -> Self {
        Self::from_pod(shape, DType::F32, data)
    }

    /// Borrows a u8 buffer with a shape.
    pub fn u8(shape: &'a [i64], data: &'a [u8]) -> Self {
        Self::from_pod(shape, DType::U8, data)
    }

    /// Borrows an i64 buffer with a shape.
    pub fn i64(shape: &'a [i64], data: &'a [i64]) -> Self {
        Self::from_pod(shape, DType::I64, data)
    }

    fn from_pod<T: bytemuck::Pod>(shape: &'a [i64], dtype: DType, data: &'a [T]) -> Self {
        Self {
            shape: shape.into(),
            dtype,
            data: RSlice::from_slice(bytemuck::cast_slice(data)),
        }
    }

    /// Number of elements the shape describes.
    pub fn element_count(&self) -> usize {
        self.shape
            .iter()
            .map(|&d| usize::try_from(d).unwrap_or(0))
            .product()
    }

    /// The elements as f32 (no copy when aligned), or `None` for another type.
    pub fn as_f32(&self) -> Option<std::borrow::Cow<'a, [f32]>> {
        (self.dtype == DType::F32).then(|| pod_view(self.data.as_slice()))
    }

    /// The elements as i64, or `None` for another type.
    pub fn as_i64(&self) -> Option<std::borrow::Cow<'a, [i64]>> {
        (self.dtype == DType::I64).then(|| pod_view(self.data.as_slice()))
    }

    /// The elements as u8, or `None` for another type.
    pub fn as_u8(&self) -> Option<&'a [u8]> {
        (self.dtype == DType::U8).then(|| self.data.as_slice())
    }
}

/// A typed view of element bytes: borrowed when aligned (always, for buffers made by
/// [`TensorRef`]'s constructors), copied otherwise.
fn pod_view<T: bytemuck::Pod>(bytes: &[u8]) -> std::borrow::Cow<'_, [T]> {
    let whole = bytes.len() - bytes.len() % std::mem::size_of::<T>();
    match bytemuck::try_cast_slice(&bytes[..whole]) {
        Ok(v) => std::borrow::Cow::Borrowed(v),
        Err(_) => std::borrow::Cow::Owned(
            bytes[..whole]
                .chunks_exact(std::mem::size_of::<T>())
                .map(bytemuck::pod_read_unaligned)
                .collect(),
        ),
    }
}

/// Owned element storage of an output tensor: bytes kept in 8-byte words so that every
/// element type up to 8 bytes can be viewed in place.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct TensorBuf {
    /// Element type.
    pub dtype: DType,
    /// Storage; the first `byte_len` bytes are the elements, little-endian.
    pub words: RVec<u64>,
    /// Length of the element bytes.
    pub byte_len: u64,
}

impl TensorBuf {
    /// Copies typed elements into a buffer.
    pub fn from_slice<T: bytemuck::Pod>(dtype: DType, data: &[T]) -> Self {
        let bytes: &[u8] = bytemuck::cast_slice(data);
        let mut words = vec![0u64; bytes.len().div_ceil(8)];
        bytemuck::cast_slice_mut::<u64, u8>(&mut words)[..bytes.len()].copy_from_slice(bytes);
        Self {
            dtype,
            words: words.into(),
            byte_len: bytes.len() as u64,
        }
    }

    /// f32 elements.
    pub fn f32(data: &[f32]) -> Self {
        Self::from_slice(DType::F32, data)
    }

    /// The element bytes.
    pub fn bytes(&self) -> &[u8] {
        let all: &[u8] = bytemuck::cast_slice(self.words.as_slice());
        &all[..usize::try_from(self.byte_len)
            .unwrap_or(all.len())
            .min(all.len())]
    }

    /// The elements as `T` when the type matches and has `T`'s size.
    fn typed<T: bytemuck::Pod>(&self, want: DType) -> Option<&[T]> {
        if self.dtype != want {
            return None;
        }
        let n = self.bytes().len() / std::mem::size_of::<T>();
        // u64 storage is aligned for every element type of 8 bytes or fewer.
        let all: &[T] = bytemuck::cast_slice(self.words.as_slice());
        all.get(..n)
    }
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
    fn wrong_type(&self, want: &str) -> SdkError {
        SdkError::new(
            crate::codes::INFERENCE,
            format!(
                "model output `{}` is {}, not {want}",
                self.name, self.data.dtype
            ),
        )
    }

    /// The f32 elements (f16 outputs arrive widened), or an error naming the tensor.
    pub fn as_f32(&self) -> Result<&[f32], SdkError> {
        self.data
            .typed::<f32>(DType::F32)
            .ok_or_else(|| self.wrong_type("f32"))
    }

    /// The i64 elements, or an error naming the tensor.
    pub fn as_i64(&self) -> Result<&[i64], SdkError> {
        self.data
            .typed::<i64>(DType::I64)
            .ok_or_else(|| self.wrong_type("i64"))
    }

    /// The u8 elements, or an error naming the tensor.
    pub fn as_u8(&self) -> Result<&[u8], SdkError> {
        self.data
            .typed::<u8>(DType::U8)
            .ok_or_else(|| self.wrong_type("u8"))
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

    /// A constant (initializer) stored in the model file, by `selector`: its name in the
    /// graph, or `#N` for the N-th initializer in file order (`#-1` = the last one; negative
    /// counts from the end). `RNone` when there is no such initializer. The host reads it
    /// from the file once and keeps it; f16 data arrives widened to f32.
    ///
    /// This is how a model's built-in data reaches a processor without a model-specific
    /// method: inswapper's identity projection (`emap`) is its last initializer (`#-1`).
    #[sabi(last_prefix_field)]
    fn initializer(&self, selector: RStr<'_>) -> RResult<ROption<Tensor>, SdkError>;
}

/// An opened model handed to a plugin.
pub type ModelBox = Model_TO<'static, RBox<()>>;
