//! Checking a model file's inputs/outputs against what a processor declared it needs.
//!
//! Where it sits: [`super::InferenceService::open`] reads the real signature from the ONNX
//! Runtime session and calls [`check`] before handing the model to a plugin. A processor thus
//! never runs a detector in its recogniser slot, and the user gets an error naming the slot,
//! the expected tensors and the ones the file really has, instead of a shape error deep inside
//! ONNX Runtime on the first frame.
//!
//! Rules (see [`check`]): same number of inputs; same number of outputs when the processor
//! lists outputs; for each pair the name (when required), the element type and the rank must
//! be equal, and every fixed expected dimension must equal the file's dimension unless the
//! file's dimension is dynamic (`-1`). An expected `-1` ([`liveswap_sdk::ANY_DIM`]) matches
//! anything.

use liveswap_sdk::abi_stable::std_types::ROption;
use liveswap_sdk::{ModelSignature, TensorSpec};
use std::fmt;

/// Why a model's signature does not fit, with everything needed to explain it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignatureMismatch {
    /// One line per problem (`input 0: expected f32[?,3,112,112], found f32[1,3,512,512] (…)`).
    pub problems: Vec<String>,
    /// What the file has.
    pub found: ModelSignature,
}

impl fmt::Display for SignatureMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problems.join("; "))?;
        write!(f, "; the file has {}", self.found)
    }
}

impl std::error::Error for SignatureMismatch {}

/// Checks `found` (read from the file) against `expected` (declared by the processor).
///
/// Returns every problem found, not only the first. An empty `expected.outputs` means "any
/// outputs".
pub fn check(expected: &ModelSignature, found: &ModelSignature) -> Result<(), SignatureMismatch> {
    let mut problems = Vec::new();
    compare_list("input", &expected.inputs, &found.inputs, &mut problems);
    if !expected.outputs.is_empty() {
        compare_list("output", &expected.outputs, &found.outputs, &mut problems);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(SignatureMismatch {
            problems,
            found: found.clone(),
        })
    }
}

fn compare_list(kind: &str, expected: &[TensorSpec], found: &[TensorSpec], out: &mut Vec<String>) {
    if expected.len() != found.len() {
        out.push(format!(
            "expected {} {kind}{}, found {}",
            expected.len(),
            plural(expected.len()),
            found.len()
        ));
    }
    for (i, (e, f)) in expected.iter().zip(found).enumerate() {
        if let Some(why) = tensor_problem(e, f) {
            out.push(format!(
                "{kind} {i}: expected {e}, found {} ({why})",
                shown_found(e, f)
            ));
        }
    }
}

/// The found spec as displayed: with its name only when the expected one names a tensor, so
/// the message compares like with like (`f32[…]` vs `f32[…]`).
fn shown_found(expected: &TensorSpec, found: &TensorSpec) -> String {
    if expected.name.is_some() {
        found.to_string()
    } else {
        TensorSpec {
            name: ROption::RNone,
            ..found.clone()
        }
        .to_string()
    }
}

/// The first reason `found` does not satisfy `expected`, if any.
fn tensor_problem(expected: &TensorSpec, found: &TensorSpec) -> Option<String> {
    if let (Some(e), Some(f)) = (
        expected.name.as_ref().into_option(),
        found.name.as_ref().into_option(),
    ) && e != f
    {
        return Some(format!("name `{f}` is not `{e}`"));
    }
    if expected.dtype != found.dtype {
        return Some(format!(
            "element type {} is not {}",
            found.dtype, expected.dtype
        ));
    }
    // An empty expected shape accepts any rank (see `TensorSpec::shape`).
    if !expected.shape.is_empty() && expected.shape.len() != found.shape.len() {
        return Some(format!(
            "rank {} is not {}",
            found.shape.len(),
            expected.shape.len()
        ));
    }
    for (d, (&e, &f)) in expected.shape.iter().zip(found.shape.iter()).enumerate() {
        if e >= 0 && f >= 0 && e != f {
            return Some(format!("dimension {d} is {f}, not {e}"));
        }
    }
    None
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use liveswap_sdk::DType;

    fn sig(inputs: Vec<TensorSpec>, outputs: Vec<TensorSpec>) -> ModelSignature {
        ModelSignature {
            inputs: inputs.into(),
            outputs: outputs.into(),
        }
    }

    fn detector_found() -> ModelSignature {
        let outs = [
            "score_8", "score_16", "score_32", "bbox_8", "bbox_16", "bbox_32",
        ]
        .iter()
        .map(|n| TensorSpec::f32(&[1, -1, 1]).named(n))
        .collect();
        sig(
            vec![TensorSpec::f32(&[-1, 3, -1, -1]).named("input.1")],
            outs,
        )
    }

    #[test]
    fn exact_match_and_wildcards() {
        let found = sig(
            vec![TensorSpec::f32(&[1, 3, 112, 112]).named("input.1")],
            vec![TensorSpec::f32(&[1, 512]).named("516")],
        );
        let expected = sig(
            vec![TensorSpec::f32(&[-1, 3, 112, 112])],
            vec![TensorSpec::f32(&[-1, 512])],
        );
        check(&expected, &found).unwrap();
        check(&found, &found).unwrap();
    }

    #[test]
    fn dynamic_dims_in_file_match_fixed_expectations() {
        let expected = sig(vec![TensorSpec::f32(&[1, 3, 640, 640])], vec![]);
        check(&expected, &detector_found()).unwrap();
    }

    #[test]
    fn empty_expected_outputs_means_any() {
        let expected = sig(vec![TensorSpec::f32(&[-1, 3, -1, -1])], vec![]);
        check(&expected, &detector_found()).unwrap();
    }

    #[test]
    fn wrong_dtype() {
        let mut spec = TensorSpec::f32(&[1, 3, 4, 4]);
        spec.dtype = DType::U8;
        let found = sig(vec![spec], vec![]);
        let err = check(&sig(vec![TensorSpec::f32(&[1, 3, 4, 4])], vec![]), &found).unwrap_err();
        assert_eq!(err.problems.len(), 1);
        assert!(
            err.problems[0].contains("element type u8 is not f32"),
            "{err}"
        );
    }

    #[test]
    fn wrong_rank() {
        let found = sig(vec![TensorSpec::f32(&[3, 4, 4])], vec![]);
        let err = check(&sig(vec![TensorSpec::f32(&[1, 3, 4, 4])], vec![]), &found).unwrap_err();
        assert!(err.problems[0].contains("rank 3 is not 4"), "{err}");
    }

    #[test]
    fn dim_mismatch_message() {
        let found = sig(vec![TensorSpec::f32(&[1, 3, 512, 512]).named("x")], vec![]);
        let err = check(
            &sig(vec![TensorSpec::f32(&[-1, 3, 112, 112])], vec![]),
            &found,
        )
        .unwrap_err();
        assert_eq!(
            err.problems[0],
            "input 0: expected f32[?,3,112,112], found f32[1,3,512,512] (dimension 2 is 512, not 112)"
        );
        // The full list of what the file has follows, with names.
        assert!(
            err.to_string()
                .ends_with("the file has inputs (`x` f32[1,3,512,512]) → outputs ()")
        );
    }

    #[test]
    fn names_are_checked_only_when_required() {
        let found = sig(
            vec![TensorSpec::f32(&[1, 3, 192, 192]).named("data")],
            vec![],
        );
        check(
            &sig(vec![TensorSpec::f32(&[-1, 3, 192, 192])], vec![]),
            &found,
        )
        .unwrap();
        let err = check(
            &sig(
                vec![TensorSpec::f32(&[-1, 3, 192, 192]).named("input.1")],
                vec![],
            ),
            &found,
        )
        .unwrap_err();
        assert!(
            err.problems[0].contains("name `data` is not `input.1`"),
            "{err}"
        );
        assert!(
            err.problems[0].contains("found `data` f32[1,3,192,192]"),
            "{err}"
        );
    }

    #[test]
    fn counts_are_checked_and_all_problems_reported() {
        let expected = sig(
            vec![
                TensorSpec::f32(&[1, 3, 128, 128]),
                TensorSpec::f32(&[1, 512]),
            ],
            vec![TensorSpec::f32(&[1, 3, 128, 128])],
        );
        let err = check(&expected, &detector_found()).unwrap_err();
        assert!(
            err.problems
                .iter()
                .any(|p| p == "expected 2 inputs, found 1"),
            "{err}"
        );
        assert!(
            err.problems
                .iter()
                .any(|p| p == "expected 1 output, found 6"),
            "{err}"
        );
        // The common prefix is still compared: output 0 has rank 3, not 4.
        assert!(
            err.problems.iter().any(|p| p.starts_with("output 0:")),
            "{err}"
        );
    }
}
