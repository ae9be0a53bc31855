//! A minimal, streaming ONNX protobuf reader that finds one graph initializer (a constant
//! stored in the file), by name or by position.
//!
//! Where it sits: behind [`liveswap_sdk::Model::initializer`]. inswapper keeps its
//! identity projection `emap` (float32 `[512, 512]`) as the *last* initializer of its graph
//! (selector `#-1`); the face swapper multiplies the source embedding by it. ONNX Runtime does not expose
//! initializers, and pulling in a full protobuf stack for one tensor is not worth it, so this
//! module walks the wire format directly:
//!
//! `ModelProto` (field 7 = `graph`) → `GraphProto` (field 5 = `initializer`, repeated
//! `TensorProto`) → `TensorProto` (1 = `dims`, 2 = `data_type`, 4 = `float_data`,
//! 5 = `int32_data`, 7 = `int64_data`, 8 = `name`, 9 = `raw_data`, 14 = `data_location`).
//!
//! Why streaming: inswapper is 554 MB. The reader scans field headers and seeks over every
//! payload it does not need, remembering only the offset of the last initializer, then reads
//! that one tensor (≈1 MB). Peak memory stays at the size of that tensor, not of the file.
//!
//! Element types decoded: FLOAT (1), FLOAT16 (10, widened to f32), UINT8 (2), INT64 (7).
//! Tensors stored in external data files are reported as unsupported.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// A decoded initializer.
#[derive(Debug, Clone, PartialEq)]
pub struct Initializer {
    /// Initializer name in the graph (`emap`).
    pub name: String,
    /// Dimensions (empty for a scalar).
    pub dims: Vec<i64>,
    /// The elements.
    pub data: InitializerData,
}

/// Element data of an [`Initializer`].
#[derive(Debug, Clone, PartialEq)]
pub enum InitializerData {
    /// FLOAT, or FLOAT16 widened to f32.
    F32(Vec<f32>),
    /// UINT8.
    U8(Vec<u8>),
    /// INT64.
    I64(Vec<i64>),
}

/// Why the file could not be walked or the tensor decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtoError {
    /// A field runs past the end of its enclosing message or of the file.
    #[error("the file ends inside a field at byte {offset} (truncated, or not an ONNX file)")]
    Truncated {
        /// Byte offset where the field started.
        offset: u64,
    },
    /// A varint longer than 10 bytes.
    #[error("malformed varint at byte {offset} (not an ONNX file?)")]
    BadVarint {
        /// Byte offset of the varint.
        offset: u64,
    },
    /// Wire types 3/4 (groups) or 6/7 (undefined); ONNX uses neither.
    #[error("unsupported protobuf wire type {wire_type} at byte {offset} (not an ONNX file?)")]
    WireType {
        /// The wire type found.
        wire_type: u8,
        /// Byte offset just after the field's tag.
        offset: u64,
    },
    /// The initializer could not be decoded.
    #[error("initializer `{name}`: {what}")]
    Tensor {
        /// Initializer name.
        name: String,
        /// What is wrong or unsupported.
        what: String,
    },
    /// Reading the file failed.
    #[error("reading the file failed: {0}")]
    Io(String),
}

impl From<io::Error> for ProtoError {
    fn from(e: io::Error) -> Self {
        Self::Io(e.to_string())
    }
}

/// Which initializer to read: by graph name, or by position in file order (negative counts
/// from the end: `-1` is the last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// The initializer with this name.
    Name(String),
    /// The initializer at this position.
    Index(i64),
}

impl Selector {
    /// Parses the sdk's selector text: `#N` (position) or a name.
    pub fn parse(text: &str) -> Self {
        match text.strip_prefix('#').and_then(|n| n.parse().ok()) {
            Some(i) => Self::Index(i),
            None => Self::Name(text.to_owned()),
        }
    }
}

/// Reads the selected graph initializer of the ONNX file at `path`, or `None` if there is none.
pub fn read_initializer(path: &Path, which: &Selector) -> Result<Option<Initializer>, ProtoError> {
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    initializer(&mut BufReader::with_capacity(64 * 1024, file), len, which)
}

/// Walks the `len`-byte ONNX `ModelProto` in `reader` (from its start) and decodes the last
/// initializer of its graph.
pub fn last_initializer<R: Read + Seek>(
    reader: &mut R,
    len: u64,
) -> Result<Option<Initializer>, ProtoError> {
    initializer(reader, len, &Selector::Index(-1))
}

/// Walks the `len`-byte ONNX `ModelProto` in `reader` (from its start) and decodes the
/// selected initializer of its graph.
pub fn initializer<R: Read + Seek>(
    reader: &mut R,
    len: u64,
    which: &Selector,
) -> Result<Option<Initializer>, ProtoError> {
    reader.seek(SeekFrom::Start(0))?;
    let mut s = Scanner { r: reader, pos: 0 };
    // (offset, size) of every initializer, or of the named one once found.
    let mut found: Vec<(u64, u64)> = Vec::new();
    while s.pos < len {
        let (field, wire) = s.tag(len)?;
        if field == GRAPH && wire == LEN {
            let graph_end = s.len_prefix(len)?;
            while s.pos < graph_end {
                let (field, wire) = s.tag(graph_end)?;
                if field == INITIALIZER && wire == LEN {
                    let end = s.len_prefix(graph_end)?;
                    let start = s.pos;
                    match which {
                        Selector::Index(_) => found.push((start, end - start)),
                        Selector::Name(name) => {
                            if s.tensor_name(end)? == *name {
                                found.push((start, end - start));
                            }
                        }
                    }
                    s.skip_to(end)?;
                } else {
                    s.skip_field(wire, graph_end)?;
                }
            }
        } else {
            s.skip_field(wire, len)?;
        }
    }
    let pick = match which {
        Selector::Name(_) => found.first(),
        Selector::Index(i) => {
            let n = found.len() as i64;
            let at = if *i < 0 { n + i } else { *i };
            usize::try_from(at).ok().and_then(|at| found.get(at))
        }
    };
    let Some(&(offset, size)) = pick else {
        return Ok(None);
    };
    s.r.seek(SeekFrom::Start(offset))?;
    let mut buf = Vec::new();
    s.r.take(size).read_to_end(&mut buf)?;
    if buf.len() as u64 != size {
        return Err(ProtoError::Truncated { offset });
    }
    decode_tensor(&buf).map(Some)
}

/// The arithmetic precision a model file runs in, read from its graph's operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// No quantization operators (float weights and activations).
    Fp32,
    /// Quantized: QDQ (`QuantizeLinear`/`DequantizeLinear`) or QOperator (`QLinear*`,
    /// `ConvInteger`, `MatMulInteger`) nodes.
    Int8,
}

impl Precision {
    /// `"fp32"` or `"int8"`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Fp32 => "fp32",
            Self::Int8 => "int8",
        }
    }
}

impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether an operator type is one of ONNX's quantized-arithmetic operators.
fn is_quantized_op(op: &str) -> bool {
    matches!(
        op,
        "QuantizeLinear"
            | "DequantizeLinear"
            | "DynamicQuantizeLinear"
            | "ConvInteger"
            | "MatMulInteger"
    ) || op.starts_with("QLinear")
}

/// Reads the precision of the ONNX file at `path` from its top-level graph's node operator
/// types (`GraphProto.node` = field 1, `NodeProto.op_type` = field 4); initializers are
/// seeked over, so this is cheap even for inswapper's 554 MB.
pub fn read_precision(path: &Path) -> Result<Precision, ProtoError> {
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    precision(&mut BufReader::with_capacity(64 * 1024, file), len)
}

/// [`read_precision`] over any seekable `len`-byte `ModelProto`.
pub fn precision<R: Read + Seek>(reader: &mut R, len: u64) -> Result<Precision, ProtoError> {
    reader.seek(SeekFrom::Start(0))?;
    let mut s = Scanner { r: reader, pos: 0 };
    while s.pos < len {
        let (field, wire) = s.tag(len)?;
        if field == GRAPH && wire == LEN {
            let graph_end = s.len_prefix(len)?;
            while s.pos < graph_end {
                let (field, wire) = s.tag(graph_end)?;
                if field == NODE && wire == LEN {
                    let node_end = s.len_prefix(graph_end)?;
                    while s.pos < node_end {
                        let (field, wire) = s.tag(node_end)?;
                        if field == OP_TYPE && wire == LEN {
                            let op = s.bytes(node_end)?;
                            if is_quantized_op(&String::from_utf8_lossy(&op)) {
                                return Ok(Precision::Int8);
                            }
                        } else {
                            s.skip_field(wire, node_end)?;
                        }
                    }
                } else {
                    s.skip_field(wire, graph_end)?;
                }
            }
        } else {
            s.skip_field(wire, len)?;
        }
    }
    Ok(Precision::Fp32)
}

/// Converts IEEE 754 half-precision bits to `f32` (exact: every f16 is representable).
pub fn f16_to_f32(bits: u16) -> f32 {
    let negative = bits & 0x8000 != 0;
    let exponent = (bits >> 10) & 0x1f;
    let mantissa = bits & 0x3ff;
    let magnitude = match exponent {
        // Zero and subnormals: mantissa × 2^-24.
        0 => f32::from(mantissa) * f32::from_bits(0x3380_0000),
        // Infinity and NaN (payload kept).
        0x1f => f32::from_bits(0x7f80_0000 | (u32::from(mantissa) << 13)),
        // Normal: rebias the exponent from 15 to 127.
        _ => f32::from_bits(((u32::from(exponent) + 112) << 23) | (u32::from(mantissa) << 13)),
    };
    if negative { -magnitude } else { magnitude }
}

// Field numbers and wire types used below.
const GRAPH: u64 = 7;
const INITIALIZER: u64 = 5;
const NODE: u64 = 1;
const OP_TYPE: u64 = 4;
const VARINT: u8 = 0;
const I64: u8 = 1;
const LEN: u8 = 2;
const I32: u8 = 5;

// TensorProto.DataType values.
const FLOAT: i64 = 1;
const UINT8: i64 = 2;
const INT64: i64 = 7;
const FLOAT16: i64 = 10;
const DATA_LOCATION_EXTERNAL: u64 = 1;

/// Reads protobuf fields from a seekable stream, tracking the absolute position.
struct Scanner<'r, R> {
    r: &'r mut R,
    pos: u64,
}

impl<R: Read + Seek> Scanner<'_, R> {
    fn byte(&mut self, end: u64) -> Result<u8, ProtoError> {
        if self.pos >= end {
            return Err(ProtoError::Truncated { offset: self.pos });
        }
        let mut b = [0u8; 1];
        self.r.read_exact(&mut b).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => ProtoError::Truncated { offset: self.pos },
            _ => e.into(),
        })?;
        self.pos += 1;
        Ok(b[0])
    }

    fn varint(&mut self, end: u64) -> Result<u64, ProtoError> {
        let start = self.pos;
        let mut value = 0u64;
        for i in 0..10 {
            let b = self.byte(end)?;
            value |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(ProtoError::BadVarint { offset: start })
    }

    fn tag(&mut self, end: u64) -> Result<(u64, u8), ProtoError> {
        let tag = self.varint(end)?;
        // The mask keeps the value below 8, so the cast cannot truncate.
        Ok((tag >> 3, (tag & 7) as u8))
    }

    /// Reads a length prefix and returns the absolute end of the payload (checked against `end`).
    fn len_prefix(&mut self, end: u64) -> Result<u64, ProtoError> {
        let start = self.pos;
        let n = self.varint(end)?;
        match self.pos.checked_add(n) {
            Some(e) if e <= end => Ok(e),
            _ => Err(ProtoError::Truncated { offset: start }),
        }
    }

    fn skip_to(&mut self, target: u64) -> Result<(), ProtoError> {
        let n = target - self.pos;
        if n <= 16 * 1024 {
            // Short hops: read through (keeps a BufReader's buffer instead of discarding it).
            let copied = io::copy(&mut self.r.by_ref().take(n), &mut io::sink())?;
            if copied != n {
                return Err(ProtoError::Truncated { offset: self.pos });
            }
        } else {
            self.r.seek(SeekFrom::Start(target))?;
        }
        self.pos = target;
        Ok(())
    }

    fn skip_field(&mut self, wire: u8, end: u64) -> Result<(), ProtoError> {
        let start = self.pos;
        let target = match wire {
            VARINT => {
                self.varint(end)?;
                return Ok(());
            }
            I64 => self.pos + 8,
            LEN => self.len_prefix(end)?,
            I32 => self.pos + 4,
            other => {
                return Err(ProtoError::WireType {
                    wire_type: other,
                    offset: start,
                });
            }
        };
        if target > end {
            return Err(ProtoError::Truncated { offset: start });
        }
        self.skip_to(target)
    }

    /// The `name` field (8) of the `TensorProto` running to `end`, skipping its data; leaves
    /// the position anywhere before `end`.
    fn tensor_name(&mut self, end: u64) -> Result<String, ProtoError> {
        while self.pos < end {
            let (field, wire) = self.tag(end)?;
            if field == 8 && wire == LEN {
                let b = self.bytes(end)?;
                return Ok(String::from_utf8_lossy(&b).into_owned());
            }
            self.skip_field(wire, end)?;
        }
        Ok(String::new())
    }

    fn bytes(&mut self, end: u64) -> Result<Vec<u8>, ProtoError> {
        let start = self.pos;
        let stop = self.len_prefix(end)?;
        let n = stop - self.pos;
        let mut buf = Vec::new();
        self.r.by_ref().take(n).read_to_end(&mut buf)?;
        if buf.len() as u64 != n {
            return Err(ProtoError::Truncated { offset: start });
        }
        self.pos = stop;
        Ok(buf)
    }
}

/// The fields of a `TensorProto` this reader cares about, as found on the wire.
#[derive(Default)]
struct RawTensor {
    name: String,
    dims: Vec<i64>,
    data_type: i64,
    float_data: Vec<f32>,
    int32_data: Vec<i64>,
    int64_data: Vec<i64>,
    raw_data: Option<Vec<u8>>,
    external: bool,
}

fn decode_tensor(buf: &[u8]) -> Result<Initializer, ProtoError> {
    let raw = parse_tensor(buf)?;
    let err = |what: String| ProtoError::Tensor {
        name: raw.name.clone(),
        what,
    };
    if raw.external {
        return Err(err(
            "stored in an external data file, which is not supported".into(),
        ));
    }
    let mut count = 1usize;
    for &d in &raw.dims {
        let d = usize::try_from(d).map_err(|_| err(format!("negative dimension {d}")))?;
        count = count
            .checked_mul(d)
            .ok_or_else(|| err("dimensions overflow".into()))?;
    }
    let data = match raw.data_type {
        FLOAT => InitializerData::F32(match &raw.raw_data {
            Some(b) => le_chunks::<4>(b, &err)?.map(f32::from_le_bytes).collect(),
            None => raw.float_data.clone(),
        }),
        FLOAT16 => InitializerData::F32(match &raw.raw_data {
            Some(b) => le_chunks::<2>(b, &err)?
                .map(|c| f16_to_f32(u16::from_le_bytes(c)))
                .collect(),
            // Non-raw float16 values live in int32_data, one per element, in the low 16 bits.
            None => raw
                .int32_data
                .iter()
                .map(|&v| f16_to_f32((v & 0xffff) as u16))
                .collect(),
        }),
        UINT8 => InitializerData::U8(match &raw.raw_data {
            Some(b) => b.clone(),
            None => raw.int32_data.iter().map(|&v| (v & 0xff) as u8).collect(),
        }),
        INT64 => InitializerData::I64(match &raw.raw_data {
            Some(b) => le_chunks::<8>(b, &err)?.map(i64::from_le_bytes).collect(),
            None => raw.int64_data.clone(),
        }),
        other => {
            return Err(err(format!(
                "element type {} is not supported (float32, float16, uint8 and int64 are)",
                data_type_name(other)
            )));
        }
    };
    let len = match &data {
        InitializerData::F32(v) => v.len(),
        InitializerData::U8(v) => v.len(),
        InitializerData::I64(v) => v.len(),
    };
    if len != count {
        return Err(err(format!(
            "{len} elements stored for dimensions {:?}",
            raw.dims
        )));
    }
    Ok(Initializer {
        name: raw.name,
        dims: raw.dims,
        data,
    })
}

fn parse_tensor(buf: &[u8]) -> Result<RawTensor, ProtoError> {
    let end = buf.len() as u64;
    let mut cursor = io::Cursor::new(buf);
    let mut s = Scanner {
        r: &mut cursor,
        pos: 0,
    };
    let mut t = RawTensor::default();
    while s.pos < end {
        let (field, wire) = s.tag(end)?;
        match (field, wire) {
            (1, VARINT) => t.dims.push(s.varint(end)? as i64),
            (1, LEN) => t
                .dims
                .extend(packed_varints(&s.bytes(end)?)?.map(|v| v as i64)),
            (2, VARINT) => t.data_type = s.varint(end)? as i64,
            (4, I32) => {
                let mut b = [0u8; 4];
                for x in &mut b {
                    *x = s.byte(end)?;
                }
                t.float_data.push(f32::from_le_bytes(b));
            }
            (4, LEN) => {
                let b = s.bytes(end)?;
                let chunks = le_chunks::<4>(&b, &|what| ProtoError::Tensor {
                    name: t.name.clone(),
                    what: format!("float_data: {what}"),
                })?;
                t.float_data.extend(chunks.map(f32::from_le_bytes));
            }
            // int32/int64 values are varints (two's complement for negatives, as protobuf does).
            (5, VARINT) => t.int32_data.push(s.varint(end)? as i64),
            (5, LEN) => t
                .int32_data
                .extend(packed_varints(&s.bytes(end)?)?.map(|v| v as i64)),
            (7, VARINT) => t.int64_data.push(s.varint(end)? as i64),
            (7, LEN) => t
                .int64_data
                .extend(packed_varints(&s.bytes(end)?)?.map(|v| v as i64)),
            (8, LEN) => t.name = String::from_utf8_lossy(&s.bytes(end)?).into_owned(),
            (9, LEN) => t.raw_data = Some(s.bytes(end)?),
            (14, VARINT) => t.external = s.varint(end)? == DATA_LOCATION_EXTERNAL,
            (_, wire) => s.skip_field(wire, end)?,
        }
    }
    Ok(t)
}

fn packed_varints(buf: &[u8]) -> Result<impl Iterator<Item = u64>, ProtoError> {
    let end = buf.len() as u64;
    let mut cursor = io::Cursor::new(buf);
    let mut s = Scanner {
        r: &mut cursor,
        pos: 0,
    };
    let mut out = Vec::new();
    while s.pos < end {
        out.push(s.varint(end)?);
    }
    Ok(out.into_iter())
}

fn le_chunks<'b, const N: usize>(
    bytes: &'b [u8],
    err: &dyn Fn(String) -> ProtoError,
) -> Result<impl Iterator<Item = [u8; N]> + 'b, ProtoError> {
    let (chunks, rest) = bytes.as_chunks::<N>();
    if !rest.is_empty() {
        return Err(err(format!(
            "{} data bytes is not a multiple of {N}",
            bytes.len()
        )));
    }
    Ok(chunks.iter().copied())
}

fn data_type_name(t: i64) -> String {
    let name = match t {
        3 => "INT8",
        4 => "UINT16",
        5 => "INT16",
        6 => "INT32",
        8 => "STRING",
        9 => "BOOL",
        11 => "DOUBLE",
        12 => "UINT32",
        13 => "UINT64",
        16 => "BFLOAT16",
        _ => return format!("#{t}"),
    };
    name.to_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn varint(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    fn tag(field: u64, wire: u8, out: &mut Vec<u8>) {
        varint((field << 3) | u64::from(wire), out);
    }

    fn len_field(field: u64, payload: &[u8], out: &mut Vec<u8>) {
        tag(field, LEN, out);
        varint(payload.len() as u64, out);
        out.extend_from_slice(payload);
    }

    fn varint_field(field: u64, v: u64, out: &mut Vec<u8>) {
        tag(field, VARINT, out);
        varint(v, out);
    }

    /// A float32 initializer with unpacked dims and packed float_data.
    fn f32_tensor(name: &str, dims: &[u64], values: &[f32]) -> Vec<u8> {
        let mut t = Vec::new();
        for &d in dims {
            varint_field(1, d, &mut t);
        }
        varint_field(2, 1, &mut t);
        let data: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        len_field(4, &data, &mut t);
        len_field(8, name.as_bytes(), &mut t);
        t
    }

    /// A float16 initializer with packed dims and raw_data.
    fn f16_raw_tensor(name: &str, dims: &[u64], bits: &[u16]) -> Vec<u8> {
        let mut t = Vec::new();
        let mut packed = Vec::new();
        for &d in dims {
            varint(d, &mut packed);
        }
        len_field(1, &packed, &mut t);
        varint_field(2, 10, &mut t);
        len_field(8, name.as_bytes(), &mut t);
        let raw: Vec<u8> = bits.iter().flat_map(|b| b.to_le_bytes()).collect();
        len_field(9, &raw, &mut t);
        t
    }

    fn model(initializers: &[Vec<u8>]) -> Vec<u8> {
        let mut graph = Vec::new();
        len_field(1, b"node-bytes-skipped", &mut graph); // node
        len_field(2, b"g", &mut graph); // name
        for init in initializers {
            len_field(5, init, &mut graph);
            // Fields of other wire types between initializers must be skipped correctly.
            tag(99, I64, &mut graph);
            graph.extend_from_slice(&7u64.to_le_bytes());
            tag(98, I32, &mut graph);
            graph.extend_from_slice(&3u32.to_le_bytes());
        }
        len_field(11, b"graph input", &mut graph);
        let mut m = Vec::new();
        varint_field(1, 8, &mut m); // ir_version
        len_field(2, b"liveswap-test", &mut m); // producer_name
        len_field(7, &graph, &mut m);
        let mut opset = Vec::new();
        varint_field(2, 11, &mut opset);
        len_field(8, &opset, &mut m);
        m
    }

    fn last(bytes: &[u8]) -> Result<Option<Initializer>, ProtoError> {
        last_initializer(&mut io::Cursor::new(bytes), bytes.len() as u64)
    }

    #[test]
    fn takes_the_last_initializer_and_widens_f16() {
        let bytes = model(&[
            f32_tensor("first", &[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
            // 1.0, -2.0, 0.5, 65504 (max f16)
            f16_raw_tensor("emap", &[2, 2], &[0x3c00, 0xc000, 0x3800, 0x7bff]),
        ]);
        let init = last(&bytes).unwrap().unwrap();
        assert_eq!(init.name, "emap");
        assert_eq!(init.dims, vec![2, 2]);
        assert_eq!(
            init.data,
            InitializerData::F32(vec![1.0, -2.0, 0.5, 65504.0])
        );
    }

    #[test]
    fn float_data_tensor() {
        let bytes = model(&[f32_tensor("w", &[3], &[0.25, -1.5, 8.0])]);
        let init = last(&bytes).unwrap().unwrap();
        assert_eq!(init.data, InitializerData::F32(vec![0.25, -1.5, 8.0]));
    }

    #[test]
    fn int64_and_uint8() {
        let mut t = Vec::new();
        varint_field(1, 2, &mut t);
        varint_field(2, 7, &mut t);
        let mut packed = Vec::new();
        varint(5, &mut packed);
        varint(u64::MAX, &mut packed); // -1 as a two's complement varint
        len_field(7, &packed, &mut t);
        len_field(8, b"shape", &mut t);
        let init = last(&model(&[t])).unwrap().unwrap();
        assert_eq!(init.data, InitializerData::I64(vec![5, -1]));

        let mut t = Vec::new();
        varint_field(1, 3, &mut t);
        varint_field(2, 2, &mut t);
        len_field(9, &[1, 2, 255], &mut t);
        let init = last(&model(&[t])).unwrap().unwrap();
        assert_eq!(init.data, InitializerData::U8(vec![1, 2, 255]));
    }

    fn node(op: &str) -> Vec<u8> {
        let mut n = Vec::new();
        len_field(1, b"x", &mut n);
        len_field(4, op.as_bytes(), &mut n);
        n
    }

    fn graph_with_nodes(ops: &[&str]) -> Vec<u8> {
        let mut g = Vec::new();
        for op in ops {
            len_field(1, &node(op), &mut g);
        }
        len_field(5, &f32_tensor("w", &[2], &[1.0, 2.0]), &mut g);
        let mut m = Vec::new();
        varint_field(1, 8, &mut m);
        len_field(7, &g, &mut m);
        m
    }

    #[test]
    fn precision_comes_from_the_operators() {
        let read = |ops: &[&str]| {
            let b = graph_with_nodes(ops);
            precision(&mut io::Cursor::new(&b), b.len() as u64).unwrap()
        };
        assert_eq!(read(&["Conv", "PRelu", "Gemm"]), Precision::Fp32);
        assert_eq!(
            read(&["QuantizeLinear", "DequantizeLinear", "Conv"]),
            Precision::Int8
        );
        assert_eq!(read(&["QLinearConv"]), Precision::Int8);
        assert_eq!(read(&[]), Precision::Fp32);
        let b = graph_with_nodes(&["Conv"]);
        assert!(precision(&mut io::Cursor::new(&b[..b.len() - 3]), b.len() as u64 - 3).is_err());
    }

    #[test]
    fn no_initializers_is_none() {
        assert_eq!(last(&model(&[])).unwrap(), None);
        assert_eq!(last(&[]).unwrap(), None);
    }

    #[test]
    fn truncated_file_is_an_error() {
        let bytes = model(&[f32_tensor("w", &[3], &[0.25, -1.5, 8.0])]);
        for cut in [3, bytes.len() / 2, bytes.len() - 1] {
            let err = last(&bytes[..cut]).unwrap_err();
            assert!(
                matches!(err, ProtoError::Truncated { .. }),
                "cut {cut}: {err}"
            );
        }
    }

    #[test]
    fn element_count_and_type_are_checked() {
        let bytes = model(&[f32_tensor("w", &[2, 2], &[1.0, 2.0, 3.0])]);
        let err = last(&bytes).unwrap_err();
        assert_eq!(
            err.to_string(),
            "initializer `w`: 3 elements stored for dimensions [2, 2]"
        );

        let mut t = Vec::new();
        varint_field(2, 11, &mut t);
        len_field(8, b"d", &mut t);
        let err = last(&model(&[t])).unwrap_err();
        assert!(err.to_string().contains("DOUBLE is not supported"), "{err}");

        let mut t = f32_tensor("ext", &[1], &[1.0]);
        varint_field(14, 1, &mut t);
        let err = last(&model(&[t])).unwrap_err();
        assert!(err.to_string().contains("external data"), "{err}");
    }

    #[test]
    fn group_wire_type_is_rejected() {
        let mut bytes = Vec::new();
        tag(3, 3, &mut bytes);
        let err = last(&bytes).unwrap_err();
        assert_eq!(
            err,
            ProtoError::WireType {
                wire_type: 3,
                offset: 1
            }
        );
    }

    #[test]
    fn f16_conversion() {
        assert_eq!(f16_to_f32(0x0000), 0.0);
        assert!(f16_to_f32(0x8000).is_sign_negative());
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0x3555), 0.333_251_95);
        assert_eq!(f16_to_f32(0x0001), 5.960_464_5e-8); // smallest subnormal, 2^-24
        assert_eq!(f16_to_f32(0x03ff), 6.097_555e-5); // largest subnormal
        assert_eq!(f16_to_f32(0x0400), 6.103_515_6e-5); // smallest normal, 2^-14
        assert_eq!(f16_to_f32(0x7c00), f32::INFINITY);
        assert_eq!(f16_to_f32(0xfc00), f32::NEG_INFINITY);
        assert!(f16_to_f32(0x7e00).is_nan());
    }

    #[test]
    fn large_skips_use_seek() {
        // An initializer bigger than the read-through threshold, followed by the last one.
        let big: Vec<f32> = (0..10_000).map(|i| i as f32).collect();
        let bytes = model(&[
            f32_tensor("big", &[10_000], &big),
            f32_tensor("tail", &[1], &[9.0]),
        ]);
        let init = last(&bytes).unwrap().unwrap();
        assert_eq!(init.name, "tail");
        // And the big one decodes when it is last.
        let bytes = model(&[f32_tensor("big", &[10_000], &big)]);
        assert_eq!(
            last(&bytes).unwrap().unwrap().data,
            InitializerData::F32(big)
        );
    }
}
