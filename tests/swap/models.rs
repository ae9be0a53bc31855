//! Small generated models with inswapper_128's exact signature: `target` f32
//! `[B, 3, 128, 128]` and `source` f32 `[B, 512]` → `output` f32 `[B, 3, 128, 128]`, the last
//! initializer being a 512×512 `emap`. B is 1, or the dynamic `N`.

use liveswap_tests::onnx::{Attr, Data, Dim, Graph};
use std::path::Path;

/// Latent length.
pub const DIM: usize = 512;

fn io(g: &mut Graph, batch: &Dim) {
    let img = [
        batch.clone(),
        Dim::Fixed(3),
        Dim::Fixed(128),
        Dim::Fixed(128),
    ];
    g.input("target", &img)
        .input("source", &[batch.clone(), Dim::Fixed(DIM as i64)])
        .output("output", &img);
}

/// The identity projection.
pub fn identity_emap() -> Vec<f32> {
    let mut e = vec![0.0f32; DIM * DIM];
    for i in 0..DIM {
        e[i * DIM + i] = 1.0;
    }
    e
}

/// `output = clip(target + reshape(source · w, [B, 3, 1, 1]), 0, 1)`: each face is tinted by
/// its latent (`w` is 512×3, row-major). With `w = 0` the model returns its input.
pub fn tint(path: &Path, batch: Dim, w: &[f32], emap: Vec<f32>) {
    assert_eq!(w.len(), DIM * 3);
    let mut g = Graph::default();
    io(&mut g, &batch);
    g.initializer("w", &[DIM as i64, 3], Data::F32(w.to_vec()))
        .initializer("shape", &[4], Data::I64(vec![-1, 3, 1, 1]))
        .initializer("lo", &[], Data::F32(vec![0.0]))
        .initializer("hi", &[], Data::F32(vec![1.0]))
        .initializer("emap", &[DIM as i64, DIM as i64], Data::F32(emap))
        .node("MatMul", &["source", "w"], &["t"], &[])
        .node("Reshape", &["t", "shape"], &["t4"], &[])
        .node("Add", &["target", "t4"], &["sum"], &[])
        .node("Clip", &["sum", "lo", "hi"], &["output"], &[]);
    g.write(path, 11);
}

/// The identity swapper (`output = target`).
pub fn identity(path: &Path, batch: Dim) {
    tint(path, batch, &vec![0.0; DIM * 3], identity_emap());
}

/// `output = 0·target + 0.1·Σ source²`: every output pixel is a tenth of the number of unit
/// latents in the call — the batch size the model saw.
pub fn batch_count(path: &Path, batch: Dim) {
    let mut g = Graph::default();
    io(&mut g, &batch);
    g.initializer("zero", &[], Data::F32(vec![0.0]))
        .initializer("tenth", &[], Data::F32(vec![0.1]))
        .initializer(
            "emap",
            &[DIM as i64, DIM as i64],
            Data::F32(identity_emap()),
        )
        .node("Mul", &["target", "zero"], &["z"], &[])
        .node(
            "ReduceSumSquare",
            &["source"],
            &["n"],
            &[("axes", Attr::Ints(vec![0, 1])), ("keepdims", Attr::Int(1))],
        )
        .node("Mul", &["n", "tenth"], &["n10"], &[])
        .node("Add", &["z", "n10"], &["output"], &[]);
    g.write(path, 11);
}

/// A model with the right inputs and outputs but no initializers at all (so no emap).
pub fn without_emap(path: &Path) {
    let mut g = Graph::default();
    io(&mut g, &Dim::Fixed(1));
    g.node("Identity", &["target"], &["output"], &[]);
    g.write(path, 11);
}
