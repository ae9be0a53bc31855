//! face_analyser against insightface 0.7.3's own outputs (`../shared/reference/setA`).
//!
//! Each image is fed as the exact pixels OpenCV decoded (the `*_decoded.png` copies for
//! JPEGs, because Rust JPEG decoders differ from libjpeg-turbo by a level here and there),
//! through the real plugin library, the host loader and the host's ONNX Runtime service.
//! Tolerances are the reference README's "tier 1" (same arithmetic) values, which are
//! stricter than the (box 1.5 px, keypoints 1 px, cosine 0.99).

use liveswap_host::media::load_rgb;
use liveswap_host::models::ModelStore;
use liveswap_host::pipeline::{Pipeline, Services};
use liveswap_host::plugins::{PluginSet, SearchPath};
use liveswap_host::profile::{Override, Profile, RawProfile};
use liveswap_sdk::Face;
use liveswap_tests::{cosine, ort_library, read_json, real_plugin_dir, shared, shared_file};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

const KEYS: [&str; 5] = ["astronaut", "obama", "biden", "two_people", "t1"];

fn f32s(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

fn points(v: &Value) -> Vec<[f32; 2]> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let p = f32s(p);
            [p[0], p[1]]
        })
        .collect()
}

fn input_image(key: &str) -> std::path::PathBuf {
    if key == "astronaut" {
        shared_file("media/astronaut.png")
    } else {
        shared_file(&format!("reference/setA/{key}_decoded.png"))
    }
}

/// Runs the analyser (all three models) over `image` at `det_size`.
fn analyse(image: &Path, det_size: u32, landmarks: bool) -> Vec<Face> {
    // One folder per (size, landmarks, image): tests run in parallel, and two sharing a
    // folder would replace each other's plugin files while the other loads them.
    let dir = real_plugin_dir(&format!(
        "parity-{det_size}-{landmarks}-{}",
        image.file_stem().unwrap().to_string_lossy()
    ));
    let plugins = PluginSet::load(&[SearchPath::Cli(dir)]);
    let store = ModelStore::new(vec![shared().join("models")]).unwrap();
    let services = Arc::new(Services::cpu(Some(ort_library()), store));
    let set = |key: &str, value: &str| Override {
        processor: "face_analyser".into(),
        key: key.into(),
        value: value.into(),
    };
    let mut overrides = vec![set("det_size", &det_size.to_string())];
    if !landmarks {
        overrides.push(set("landmark_model", ""));
    }
    let profile = Profile::validate(
        &RawProfile::single("face_analyser"),
        Path::new("parity"),
        &plugins,
        &overrides,
    )
    .unwrap();
    let mut pipeline = Pipeline::build(&profile, &plugins, &services).unwrap();
    let mut frame = load_rgb(image).unwrap();
    let report = pipeline.analyse(&mut frame);
    assert!(
        report
            .events
            .iter()
            .all(|e| matches!(e, liveswap_host::pipeline::StageEvent::Skipped { .. })),
        "{:?}",
        report.events
    );
    report.faces
}

fn max_abs(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn detection_landmarks_and_embeddings_match_insightface() {
    let mut worst = (0.0f32, 0.0f32, 0.0f32, 1.0f32, 0.0f32);
    for key in KEYS {
        let oracle = read_json(&shared().join(format!("reference/setA/{key}.json")));
        let faces = analyse(&input_image(key), 640, true);
        let expected = oracle["faces"].as_array().unwrap();
        assert_eq!(faces.len(), expected.len(), "{key}: face count");
        for (i, (face, want)) in faces.iter().zip(expected).enumerate() {
            let bbox = max_abs(&face.bbox, &f32s(&want["bbox"]));
            let kps = max_abs(face.kps.as_flattened(), points(&want["kps"]).as_flattened());
            let score = (face.score - want["det_score"].as_f64().unwrap() as f32).abs();
            assert!(bbox <= 2e-3, "{key}#{i}: bbox off by {bbox} px");
            assert!(kps <= 2e-3, "{key}#{i}: kps off by {kps} px");
            assert!(score <= 1e-5, "{key}#{i}: score off by {score}");

            let lm = face.landmarks_106.clone().into_option().expect("landmarks");
            let lm_err = max_abs(
                lm.as_slice().as_flattened(),
                points(&want["landmark_2d_106"]["points"]).as_flattened(),
            );
            assert!(lm_err <= 0.02, "{key}#{i}: landmarks off by {lm_err} px");

            let emb = face.embedding.clone().into_option().expect("embedding");
            assert_eq!(emb.space.as_str(), "w600k_mbf");
            let want_emb = f32s(&want["arcface"]["embedding_normed"]);
            let cos = cosine(&emb.values, &want_emb);
            let emb_err = max_abs(&emb.values, &want_emb);
            assert!(cos >= 0.9999, "{key}#{i}: embedding cosine {cos}");
            assert!(
                emb_err <= 1e-3,
                "{key}#{i}: embedding_normed off by {emb_err}"
            );
            worst = (
                worst.0.max(bbox),
                worst.1.max(kps),
                worst.2.max(lm_err),
                worst.3.min(cos),
                worst.4.max(score),
            );
        }
    }
    eprintln!(
        "worst: bbox {} px, kps {} px, landmarks {} px, cosine {}, score {}",
        worst.0, worst.1, worst.2, worst.3, worst.4
    );
}

#[test]
fn detection_at_320_matches_insightface() {
    for key in KEYS {
        let oracle = read_json(&shared().join(format!("reference/setA/{key}.json")));
        let expected = oracle["detection"]["320x320"]["faces"].as_array().unwrap();
        let faces = analyse(&input_image(key), 320, false);
        assert_eq!(faces.len(), expected.len(), "{key}: face count at 320");
        for (i, (face, want)) in faces.iter().zip(expected).enumerate() {
            let bbox = max_abs(&face.bbox, &f32s(&want["bbox"]));
            let kps = max_abs(face.kps.as_flattened(), points(&want["kps"]).as_flattened());
            assert!(
                bbox <= 2e-3 && kps <= 2e-3,
                "{key}#{i} at 320: bbox {bbox}, kps {kps}"
            );
        }
    }
}

#[test]
fn similarity_matrix_matches_insightface() {
    let sim = read_json(&shared().join("reference/setA/similarity.json"));
    let ids: Vec<String> = sim["face_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let mut embeddings = std::collections::HashMap::new();
    for key in KEYS {
        for (i, face) in analyse(&input_image(key), 640, false)
            .into_iter()
            .enumerate()
        {
            embeddings.insert(
                format!("{key}#{i}"),
                face.embedding.into_option().unwrap().values.into_vec(),
            );
        }
    }
    let matrix = sim["matrix"].as_array().unwrap();
    for (a, row) in ids.iter().zip(matrix) {
        for (b, want) in ids.iter().zip(row.as_array().unwrap()) {
            let got = cosine(&embeddings[a], &embeddings[b]);
            let want = want.as_f64().unwrap() as f32;
            assert!(
                (got - want).abs() <= 1e-3,
                "sim({a}, {b}) = {got}, insightface {want}"
            );
        }
    }
}
