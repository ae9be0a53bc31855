//! The source identity as inswapper consumes it.
//!
//! `latent = normed_embedding (1×512) · emap (512×512)`, then `latent /= ‖latent‖` — insightface
//! `INSwapper.get` (oracle README §3). `emap` is the model file's last graph initializer,
//! read through the host ([`liveswap_sdk::Model::last_initializer`]). Products are
//! accumulated in f64 and rounded to f32 once, which keeps the latent within ~1e-7 of numpy's
//! f32 BLAS result.

use liveswap_sdk::{SdkError, SdkResult, Tensor, codes};

/// inswapper's identity projection: a `dim × dim` row-major matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Emap {
    values: Vec<f32>,
    dim: usize,
}

impl Emap {
    /// Takes the projection from the model's last initializer; refuses anything not square
    /// `dim × dim` f32.
    pub fn from_tensor(t: &Tensor, dim: usize) -> SdkResult<Self> {
        let shape: Vec<i64> = t.shape.iter().copied().collect();
        if shape != [dim as i64, dim as i64] {
            return Err(SdkError::new(
                codes::MODEL_SIGNATURE,
                format!(
                    "the model's last initializer `{}` has shape {shape:?}, expected the {dim}×{dim} identity projection (emap) of an inswapper model",
                    t.name
                ),
            ));
        }
        Ok(Self {
            values: t.as_f32()?.to_vec(),
            dim,
        })
    }

    /// A projection from raw values (tests, generated models).
    pub fn from_values(values: Vec<f32>, dim: usize) -> SdkResult<Self> {
        if values.len() != dim * dim {
            return Err(SdkError::internal(format!(
                "emap has {} values, expected {dim}×{dim}",
                values.len()
            )));
        }
        Ok(Self { values, dim })
    }

    /// The side length.
    pub fn dim(&self) -> usize {
        self.dim
    }
}

/// L2-normalises in place (f64 norm, f32 division); a zero vector stays zero.
fn normalise(v: &mut [f32]) {
    let norm = v.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt() as f32;
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// `L2normalise(embedding · emap)`.
pub fn latent(emap: &Emap, embedding: &[f32]) -> SdkResult<Vec<f32>> {
    let d = emap.dim;
    if embedding.len() != d {
        return Err(SdkError::input(format!(
            "embedding has {} values, the swapper needs {d}",
            embedding.len()
        )));
    }
    let mut acc = vec![0.0f64; d];
    for (i, &e) in embedding.iter().enumerate() {
        let e = f64::from(e);
        for (a, &m) in acc.iter_mut().zip(&emap.values[i * d..(i + 1) * d]) {
            *a += e * f64::from(m);
        }
    }
    let mut out: Vec<f32> = acc.into_iter().map(|v| v as f32).collect();
    normalise(&mut out);
    Ok(out)
}

/// The element-wise mean of several embeddings of one person (photos of the same source).
/// The latent is normalised afterwards, so the mean's length does not matter.
pub fn average_embedding(embeddings: &[&[f32]]) -> Vec<f32> {
    let Some(first) = embeddings.first() else {
        return Vec::new();
    };
    let mut sum = vec![0.0f64; first.len()];
    for e in embeddings {
        for (s, v) in sum.iter_mut().zip(e.iter()) {
            *s += f64::from(*v);
        }
    }
    let n = embeddings.len() as f64;
    sum.into_iter().map(|s| (s / n) as f32).collect()
}

/// `L2normalise(strength·source + (1 − strength)·target)`: identity strength 1 is the
/// source latent unchanged.
pub fn mix_latents(source: &[f32], target: &[f32], strength: f32) -> Vec<f32> {
    if strength >= 1.0 {
        return source.to_vec();
    }
    let mut out: Vec<f32> = source
        .iter()
        .zip(target)
        .map(|(s, t)| strength * s + (1.0 - strength) * t)
        .collect();
    normalise(&mut out);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use liveswap_sdk::TensorBuf;

    #[test]
    fn latent_is_the_normalised_product() {
        // emap = [[1, 2], [3, 4]]; e = [1, 1] -> [4, 6] / sqrt(52).
        let emap = Emap::from_values(vec![1.0, 2.0, 3.0, 4.0], 2).unwrap();
        let l = latent(&emap, &[1.0, 1.0]).unwrap();
        let n = 52f32.sqrt();
        assert!(
            (l[0] - 4.0 / n).abs() < 1e-7 && (l[1] - 6.0 / n).abs() < 1e-7,
            "{l:?}"
        );
        assert!(latent(&emap, &[1.0]).is_err());
    }

    #[test]
    fn emap_must_be_square_f32() {
        let t = |shape: Vec<i64>, data: TensorBuf| Tensor {
            name: "emap".into(),
            shape: shape.into(),
            data,
        };
        assert!(Emap::from_tensor(&t(vec![2, 2], TensorBuf::f32(&[0.0; 4])), 2).is_ok());
        let e = Emap::from_tensor(&t(vec![2, 3], TensorBuf::f32(&[0.0; 6])), 2).unwrap_err();
        assert!(e.message.contains("emap"), "{e}");
        assert!(
            Emap::from_tensor(
                &t(
                    vec![2, 2],
                    TensorBuf::from_slice(liveswap_sdk::DType::I64, &[0i64; 4])
                ),
                2
            )
            .is_err()
        );
    }

    #[test]
    fn averaging_and_mixing() {
        assert_eq!(
            average_embedding(&[&[1.0, 0.0], &[0.0, 1.0]]),
            vec![0.5, 0.5]
        );
        assert!(average_embedding(&[]).is_empty());
        let s = [1.0, 0.0];
        let t = [0.0, 1.0];
        assert_eq!(mix_latents(&s, &t, 1.0), s.to_vec());
        let m = mix_latents(&s, &t, 0.5);
        assert!((m[0] - m[1]).abs() < 1e-7 && (m[0] - 0.5f32.sqrt()).abs() < 1e-6);
        assert_eq!(mix_latents(&s, &t, 0.0), t.to_vec());
    }
}
