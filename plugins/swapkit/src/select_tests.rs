//! Unit tests of face selection and mapping on hand-built faces and embeddings.

#![allow(clippy::unwrap_used, reason = "tests")]

use super::*;
use liveswap_sdk::abi_stable::std_types::ROption;
use liveswap_sdk::{OwnedImage, SettingValue};

/// A normalised test embedding (also used by `sticky_tests`).
pub(crate) fn emb(values: &[f32]) -> Embedding {
    let n = values.iter().map(|v| v * v).sum::<f32>().sqrt();
    Embedding {
        values: values.iter().map(|v| v / n).collect(),
        raw_norm: n,
        space: "test_space".into(),
    }
}

fn face(bbox: [f32; 4], score: f32, e: Option<&[f32]>) -> Face {
    let mut f = Face::new(bbox, score, [[0.0; 2]; 5]);
    f.embedding = e.map(emb).into();
    f
}

fn source(label: &str, role: &str, e: &[f32]) -> SourceFace {
    SourceFace {
        label: label.into(),
        role: role.into(),
        image: OwnedImage {
            data: Default::default(),
            width: 0,
            height: 0,
        },
        face: face([0.0, 0.0, 10.0, 10.0], 0.9, Some(e)),
    }
}

/// Three faces: a small high-score one on the right, a big one at the bottom left, a
/// middle one at the top.
fn three() -> Vec<Face> {
    vec![
        face([300.0, 100.0, 340.0, 140.0], 0.95, Some(&[1.0, 0.0, 0.0])),
        face([10.0, 200.0, 110.0, 300.0], 0.80, Some(&[0.0, 1.0, 0.0])),
        face([150.0, 20.0, 210.0, 80.0], 0.85, Some(&[0.0, 0.0, 1.0])),
    ]
}

fn targets(a: &[Assignment]) -> Vec<usize> {
    a.iter().map(|a| a.target).collect()
}

#[test]
fn one_mode_orders() {
    let faces = three();
    let srcs = [source("s.jpg", "source", &[1.0, 1.0, 0.0])];
    let pick = |o| targets(&assign(&faces, &srcs, &SelectMode::One(o)).unwrap());
    assert_eq!(pick(OneOrder::Largest), vec![1]);
    assert_eq!(pick(OneOrder::LeftRight), vec![1]);
    assert_eq!(pick(OneOrder::RightLeft), vec![0]);
    assert_eq!(pick(OneOrder::TopBottom), vec![2]);
    assert_eq!(pick(OneOrder::BestScore), vec![0]);
    assert!(
        assign(&[], &srcs, &SelectMode::One(OneOrder::Largest))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn many_mode_takes_every_face_with_the_first_source() {
    let srcs = [
        source("ref.jpg", "reference", &[1.0, 0.0, 0.0]),
        source("a.jpg", "source", &[1.0, 1.0, 0.0]),
        source("b.jpg", "source", &[1.0, 1.0, 1.0]),
    ];
    let a = assign(&three(), &srcs, &SelectMode::Many).unwrap();
    assert_eq!(targets(&a), vec![0, 1, 2]);
    assert!(a.iter().all(|a| a.source == 1));
    assert_eq!(role_group(&srcs, 1), vec![1, 2]);
    assert_eq!(role_group(&srcs, 0), vec![0]);
    assert!(role_group(&srcs, 7).is_empty());
}

#[test]
fn modes_without_their_sources_are_errors() {
    let faces = three();
    let only_ref = [source("ref.jpg", "reference", &[1.0, 0.0, 0.0])];
    let e = assign(&faces, &only_ref, &SelectMode::Many).unwrap_err();
    assert!(e.message.contains("needs a source"), "{e}");
    let only_src = [source("s.jpg", "source", &[1.0, 0.0, 0.0])];
    let e = assign(
        &faces,
        &only_src,
        &SelectMode::Reference { max_distance: 0.5 },
    )
    .unwrap_err();
    assert!(e.to_string().contains("--reference-face"), "{e}");
    let e = assign(&faces, &only_src, &SelectMode::Map { max_distance: 0.5 }).unwrap_err();
    assert!(e.to_string().contains("--map"), "{e}");
    let half_pair = [source("t.jpg", "map:0:target", &[1.0, 0.0, 0.0])];
    let e = assign(&faces, &half_pair, &SelectMode::Map { max_distance: 0.5 }).unwrap_err();
    assert!(e.message.contains("t.jpg"), "{e}");
}

#[test]
fn reference_mode_swaps_faces_near_a_reference() {
    let srcs = [
        source("s.jpg", "source", &[0.0, 1.0, 1.0]),
        // Close to face 0 (cos ≈ 0.98) and moderately close to face 2 (cos ≈ 0.2).
        source("r.jpg", "reference", &[1.0, 0.0, 0.2]),
    ];
    let faces = three();
    let a = assign(&faces, &srcs, &SelectMode::Reference { max_distance: 0.1 }).unwrap();
    assert_eq!(
        a,
        vec![Assignment {
            target: 0,
            source: 0
        }]
    );
    let a = assign(&faces, &srcs, &SelectMode::Reference { max_distance: 0.9 }).unwrap();
    assert_eq!(targets(&a), vec![0, 2]);
    // Without embeddings on the targets the mode cannot work: say how to fix it.
    let bare = vec![face([0.0, 0.0, 10.0, 10.0], 0.9, None)];
    let e = assign(&bare, &srcs, &SelectMode::Reference { max_distance: 0.9 }).unwrap_err();
    assert!(e.to_string().contains("recognizer_model"), "{e}");
}

#[test]
fn map_mode_pairs_each_identity_with_its_own_source() {
    let faces = three();
    let srcs = [
        source("s1.jpg", "map:1:source", &[1.0, 1.0, 1.0]),
        source("t0.jpg", "map:0:target", &[0.1, 1.0, 0.0]),
        source("s0.jpg", "map:0:source", &[1.0, 1.0, 0.0]),
        source("t1.jpg", "map:1:target", &[1.0, 0.0, 0.1]),
    ];
    let a = assign(&faces, &srcs, &SelectMode::Map { max_distance: 0.5 }).unwrap();
    assert_eq!(
        a,
        vec![
            Assignment {
                target: 0,
                source: 0
            },
            Assignment {
                target: 1,
                source: 2
            }
        ]
    );
    // Too strict: nothing matches.
    assert!(
        assign(
            &faces,
            &srcs,
            &SelectMode::Map {
                max_distance: 0.001
            }
        )
        .unwrap()
        .is_empty()
    );
}

#[test]
fn map_mode_is_one_to_one() {
    // Two faces of nearly the same identity and one map target: only the nearer is swapped.
    let faces = vec![
        face([0.0, 0.0, 10.0, 10.0], 0.9, Some(&[1.0, 0.3, 0.0])),
        face([20.0, 0.0, 30.0, 10.0], 0.9, Some(&[1.0, 0.1, 0.0])),
    ];
    let srcs = [
        source("t.jpg", "map:0:target", &[1.0, 0.0, 0.0]),
        source("s.jpg", "map:0:source", &[0.0, 1.0, 0.0]),
    ];
    let a = assign(&faces, &srcs, &SelectMode::Map { max_distance: 1.0 }).unwrap();
    assert_eq!(
        a,
        vec![Assignment {
            target: 1,
            source: 1
        }]
    );
}

#[test]
fn different_embedding_spaces_are_not_compared() {
    let mut r = source("r.jpg", "reference", &[1.0, 0.0, 0.0]);
    if let ROption::RSome(e) = &mut r.face.embedding {
        e.space = "other".into();
    }
    let srcs = [source("s.jpg", "source", &[0.0, 1.0, 0.0]), r];
    let e = assign(
        &three(),
        &srcs,
        &SelectMode::Reference { max_distance: 2.0 },
    )
    .unwrap_err();
    assert!(e.message.contains("different embedding spaces"), "{e}");
}

#[test]
fn cosine_distance_range() {
    let a = emb(&[1.0, 0.0]);
    assert!(cosine_distance(&a, &a).unwrap().abs() < 1e-6);
    assert!((cosine_distance(&a, &emb(&[0.0, 1.0])).unwrap() - 1.0).abs() < 1e-6);
    assert!((cosine_distance(&a, &emb(&[-1.0, 0.0])).unwrap() - 2.0).abs() < 1e-6);
}

#[test]
fn settings_defaults_and_live_updates() {
    let specs = selection_specs();
    assert!(specs.iter().all(|s| s.live));
    let keys: Vec<&str> = specs.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "face_selection",
            "one_order",
            "reference_distance",
            "map_distance"
        ]
    );
    let mut s = SelectSettings::from_settings(&Settings::defaults(&specs)).unwrap();
    assert_eq!(s, SelectSettings::default());
    assert_eq!(s.mode, SelectMode::One(OneOrder::Largest));

    assert!(
        s.update("one_order", &SettingValue::Text("top-bottom".into()))
            .unwrap()
    );
    assert_eq!(s.mode, SelectMode::One(OneOrder::TopBottom));
    // A distance changed while in `one` mode is remembered for when the mode switches.
    assert!(
        s.update("reference_distance", &SettingValue::Float(0.25))
            .unwrap()
    );
    assert!(
        s.update("face_selection", &SettingValue::Text("reference".into()))
            .unwrap()
    );
    assert_eq!(s.mode, SelectMode::Reference { max_distance: 0.25 });
    assert!(s.update("map_distance", &SettingValue::Float(0.5)).unwrap());
    assert!(
        s.update("face_selection", &SettingValue::Text("map".into()))
            .unwrap()
    );
    assert_eq!(s.mode, SelectMode::Map { max_distance: 0.5 });
    assert!(
        s.update("face_selection", &SettingValue::Text("one".into()))
            .unwrap()
    );
    assert_eq!(s.mode, SelectMode::One(OneOrder::TopBottom));

    // Not ours: handled = false, nothing changed.
    let before = s.clone();
    assert!(!s.update("opacity", &SettingValue::Float(0.5)).unwrap());
    // A bad value is refused and leaves the settings as they were.
    assert!(
        s.update("face_selection", &SettingValue::Text("all".into()))
            .is_err()
    );
    assert!(s.update("one_order", &SettingValue::Bool(true)).is_err());
    assert_eq!(s, before);
}
