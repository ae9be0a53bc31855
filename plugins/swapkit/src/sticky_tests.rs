//! Unit tests of selection across frames with tracked faces.

#![allow(clippy::unwrap_used, reason = "tests")]

use super::*;
use crate::select::OneOrder;
use crate::select::tests::emb;
use liveswap_sdk::abi_stable::std_types::ROption;

fn face(x: f32, size: f32, track: u64, e: &[f32]) -> Face {
    let mut f = Face::new([x, 0.0, x + size, size], 0.9, [[0.0; 2]; 5]);
    f.embedding = ROption::RSome(emb(e));
    f.track_id = ROption::RSome(track);
    f
}

fn source(role: &str, e: &[f32]) -> SourceFace {
    SourceFace {
        label: format!("{role}.jpg").as_str().into(),
        role: role.into(),
        image: OwnedImage {
            data: RVec::new(),
            width: 0,
            height: 0,
        },
        face: face(0.0, 10.0, 0, e),
    }
}

fn pairs(a: &[Assignment]) -> Vec<(usize, usize)> {
    a.iter().map(|a| (a.target, a.source)).collect()
}

#[test]
fn one_mode_stays_on_the_chosen_track_while_it_lasts() {
    let srcs = [source("source", &[1.0, 0.0])];
    let mode = SelectMode::One(OneOrder::Largest);
    let mut sel = Selector::default();
    // Frame 0: track 7 is the largest.
    let f0 = [
        face(0.0, 100.0, 7, &[1.0, 0.0]),
        face(200.0, 80.0, 8, &[0.0, 1.0]),
    ];
    assert_eq!(
        pairs(&sel.assign(&f0, &srcs, &mode, 0).unwrap()),
        vec![(0, 0)]
    );
    // Frame 1: track 8 grew larger (listed first), but the swap stays on track 7.
    let f1 = [
        face(200.0, 120.0, 8, &[0.0, 1.0]),
        face(0.0, 100.0, 7, &[1.0, 0.0]),
    ];
    assert_eq!(
        pairs(&sel.assign(&f1, &srcs, &mode, 1).unwrap()),
        vec![(1, 0)]
    );
    // The plain per-frame selection would have switched.
    assert_eq!(pairs(&assign(&f1, &srcs, &mode).unwrap()), vec![(0, 0)]);
    // Frame 2: track 7 is gone: back to the order.
    let f2 = [face(200.0, 120.0, 8, &[0.0, 1.0])];
    assert_eq!(
        pairs(&sel.assign(&f2, &srcs, &mode, 2).unwrap()),
        vec![(0, 0)]
    );
    // A new run (index 0) starts from scratch.
    assert_eq!(
        pairs(&sel.assign(&f1, &srcs, &mode, 0).unwrap()),
        vec![(0, 0)]
    );
}

#[test]
fn map_mode_keeps_a_tracks_source_when_the_identity_drifts() {
    // Pair 0: person A → source X; pair 1: person B → source Y.
    let srcs = [
        source("map:0:target", &[1.0, 0.0, 0.0]),
        source("map:0:source", &[0.0, 0.0, 1.0]),
        source("map:1:target", &[0.0, 1.0, 0.0]),
        source("map:1:source", &[0.0, 0.0, -1.0]),
    ];
    let mode = SelectMode::Map { max_distance: 1.0 };
    let mut sel = Selector::default();
    let f0 = [
        face(0.0, 50.0, 1, &[1.0, 0.0, 0.0]),
        face(100.0, 50.0, 2, &[0.0, 1.0, 0.0]),
    ];
    assert_eq!(
        pairs(&sel.assign(&f0, &srcs, &mode, 0).unwrap()),
        vec![(0, 1), (1, 3)]
    );
    // Frame 1: track 1 turned away and now looks slightly more like B than A; track 2 is
    // briefly out of frame. Per-frame matching would hand B's source to track 1.
    let f1 = [face(0.0, 50.0, 1, &[0.5, 0.6, 0.0])];
    assert_eq!(pairs(&assign(&f1, &srcs, &mode).unwrap()), vec![(0, 3)]);
    assert_eq!(
        pairs(&sel.assign(&f1, &srcs, &mode, 1).unwrap()),
        vec![(0, 1)]
    );
    // Frame 2: a new face like B appears: it gets pair 1, track 1 keeps pair 0.
    let f2 = [
        face(0.0, 50.0, 1, &[0.5, 0.6, 0.0]),
        face(100.0, 50.0, 3, &[0.0, 1.0, 0.0]),
    ];
    assert_eq!(
        pairs(&sel.assign(&f2, &srcs, &mode, 2).unwrap()),
        vec![(0, 1), (1, 3)]
    );
}

#[test]
fn reference_mode_keeps_an_accepted_track() {
    let srcs = [
        source("source", &[0.0, 0.0, 1.0]),
        source("reference", &[1.0, 0.0, 0.0]),
    ];
    let mode = SelectMode::Reference { max_distance: 0.5 };
    let mut sel = Selector::default();
    let f0 = [face(0.0, 50.0, 4, &[1.0, 0.1, 0.0])];
    assert_eq!(
        pairs(&sel.assign(&f0, &srcs, &mode, 0).unwrap()),
        vec![(0, 0)]
    );
    // Distance now ≈ 0.6 > 0.5: per frame it would be dropped; tracked, it stays.
    let f1 = [face(0.0, 50.0, 4, &[0.4, 0.92, 0.0])];
    assert!(assign(&f1, &srcs, &mode).unwrap().is_empty());
    assert_eq!(
        pairs(&sel.assign(&f1, &srcs, &mode, 1).unwrap()),
        vec![(0, 0)]
    );
    // Another person (another track) far from the reference is still not swapped.
    let f2 = [
        face(0.0, 50.0, 4, &[0.4, 0.92, 0.0]),
        face(90.0, 50.0, 5, &[0.0, 1.0, 0.0]),
    ];
    assert_eq!(
        pairs(&sel.assign(&f2, &srcs, &mode, 2).unwrap()),
        vec![(0, 0)]
    );
}

#[test]
fn untracked_faces_get_the_plain_selection() {
    let srcs = [source("source", &[1.0, 0.0])];
    let mode = SelectMode::One(OneOrder::Largest);
    let mut sel = Selector::default();
    let mut a = face(0.0, 100.0, 0, &[1.0, 0.0]);
    let mut b = face(200.0, 80.0, 0, &[0.0, 1.0]);
    a.track_id = ROption::RNone;
    b.track_id = ROption::RNone;
    assert_eq!(
        pairs(
            &sel.assign(&[a.clone(), b.clone()], &srcs, &mode, 0)
                .unwrap()
        ),
        vec![(0, 0)]
    );
    b.bbox = [200.0, 0.0, 400.0, 200.0];
    assert_eq!(
        pairs(&sel.assign(&[a, b], &srcs, &mode, 1).unwrap()),
        vec![(1, 0)]
    );
}
