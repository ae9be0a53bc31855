//! A tiny ONNX model writer, so tests can generate small models of an exact signature at test
//! time (no Python, no committed weights).
//!
//! It writes the protobuf wire format by hand for the handful of messages a graph needs:
//! `ModelProto` (ir_version 7, one opset import), `GraphProto`, `NodeProto` with int/float/ints
//! attributes, `TensorProto` (f32 / i64 `raw_data`, little-endian) and `ValueInfoProto` for f32
//! tensors with fixed or named (dynamic) dimensions. Field numbers follow `onnx/onnx.proto`.

use std::path::Path;

/// A dimension of a graph input or output.
#[derive(Debug, Clone)]
pub enum Dim {
    /// A fixed size.
    Fixed(i64),
    /// A named dynamic size (`dim_param`).
    Named(&'static str),
}

/// An attribute value.
#[derive(Debug, Clone)]
pub enum Attr {
    /// `INT`.
    Int(i64),
    /// `FLOAT`.
    Float(f32),
    /// `INTS`.
    Ints(Vec<i64>),
}

/// Initializer data.
#[derive(Debug, Clone)]
pub enum Data {
    /// f32 values.
    F32(Vec<f32>),
    /// i64 values.
    I64(Vec<i64>),
}

/// A graph under construction.
#[derive(Debug, Default)]
pub struct Graph {
    nodes: Vec<Vec<u8>>,
    initializers: Vec<Vec<u8>>,
    inputs: Vec<Vec<u8>>,
    outputs: Vec<Vec<u8>>,
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
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

fn tag(out: &mut Vec<u8>, field: u32, wire: u8) {
    varint(out, (u64::from(field) << 3) | u64::from(wire));
}

fn int_field(out: &mut Vec<u8>, field: u32, v: i64) {
    tag(out, field, 0);
    varint(out, v as u64);
}

fn bytes_field(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    tag(out, field, 2);
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn value_info(name: &str, dims: &[Dim]) -> Vec<u8> {
    let mut shape = Vec::new();
    for d in dims {
        let mut dim = Vec::new();
        match d {
            Dim::Fixed(v) => int_field(&mut dim, 1, *v),
            Dim::Named(p) => bytes_field(&mut dim, 2, p.as_bytes()),
        }
        bytes_field(&mut shape, 1, &dim);
    }
    let mut tensor_type = Vec::new();
    int_field(&mut tensor_type, 1, 1); // elem_type FLOAT
    bytes_field(&mut tensor_type, 2, &shape);
    let mut ty = Vec::new();
    bytes_field(&mut ty, 1, &tensor_type);
    let mut vi = Vec::new();
    bytes_field(&mut vi, 1, name.as_bytes());
    bytes_field(&mut vi, 2, &ty);
    vi
}

impl Graph {
    /// An f32 graph input.
    pub fn input(&mut self, name: &str, dims: &[Dim]) -> &mut Self {
        self.inputs.push(value_info(name, dims));
        self
    }

    /// An f32 graph output.
    pub fn output(&mut self, name: &str, dims: &[Dim]) -> &mut Self {
        self.outputs.push(value_info(name, dims));
        self
    }

    /// An initializer (weights); they are written in the order added, so the last one added
    /// is the file's last initializer.
    pub fn initializer(&mut self, name: &str, dims: &[i64], data: Data) -> &mut Self {
        let mut t = Vec::new();
        for d in dims {
            int_field(&mut t, 1, *d);
        }
        let (ty, raw): (i64, Vec<u8>) = match data {
            Data::F32(v) => (1, v.iter().flat_map(|x| x.to_le_bytes()).collect()),
            Data::I64(v) => (7, v.iter().flat_map(|x| x.to_le_bytes()).collect()),
        };
        int_field(&mut t, 2, ty);
        bytes_field(&mut t, 8, name.as_bytes());
        bytes_field(&mut t, 9, &raw);
        self.initializers.push(t);
        self
    }

    /// A node.
    pub fn node(
        &mut self,
        op: &str,
        inputs: &[&str],
        outputs: &[&str],
        attrs: &[(&str, Attr)],
    ) -> &mut Self {
        let mut n = Vec::new();
        for i in inputs {
            bytes_field(&mut n, 1, i.as_bytes());
        }
        for o in outputs {
            bytes_field(&mut n, 2, o.as_bytes());
        }
        bytes_field(&mut n, 3, format!("{op}_{}", self.nodes.len()).as_bytes());
        bytes_field(&mut n, 4, op.as_bytes());
        for (name, value) in attrs {
            let mut a = Vec::new();
            bytes_field(&mut a, 1, name.as_bytes());
            match value {
                Attr::Float(f) => {
                    tag(&mut a, 2, 5);
                    a.extend_from_slice(&f.to_le_bytes());
                    int_field(&mut a, 20, 1);
                }
                Attr::Int(i) => {
                    int_field(&mut a, 3, *i);
                    int_field(&mut a, 20, 2);
                }
                Attr::Ints(v) => {
                    for i in v {
                        int_field(&mut a, 8, *i);
                    }
                    int_field(&mut a, 20, 7);
                }
            }
            bytes_field(&mut n, 5, &a);
        }
        self.nodes.push(n);
        self
    }

    /// The serialized `ModelProto` (opset `opset` of the default domain).
    pub fn to_bytes(&self, opset: i64) -> Vec<u8> {
        let mut g = Vec::new();
        for n in &self.nodes {
            bytes_field(&mut g, 1, n);
        }
        bytes_field(&mut g, 2, b"liveswap_test_graph");
        for t in &self.initializers {
            bytes_field(&mut g, 5, t);
        }
        for i in &self.inputs {
            bytes_field(&mut g, 11, i);
        }
        for o in &self.outputs {
            bytes_field(&mut g, 12, o);
        }
        let mut m = Vec::new();
        int_field(&mut m, 1, 7); // ir_version
        bytes_field(&mut m, 2, b"liveswap-tests");
        bytes_field(&mut m, 7, &g);
        let mut opset_id = Vec::new();
        bytes_field(&mut opset_id, 1, b"");
        int_field(&mut opset_id, 2, opset);
        bytes_field(&mut m, 8, &opset_id);
        m
    }

    /// Writes the model file.
    pub fn write(&self, path: &Path, opset: i64) {
        std::fs::write(path, self.to_bytes(opset))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}
