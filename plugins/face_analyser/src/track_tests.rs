#![allow(clippy::unwrap_used, reason = "tests")]

use super::*;
use liveswap_sdk::abi_stable::std_types::RVec;

const ON: TrackSettings = TrackSettings {
    enabled: true,
    coast_frames: 2,
    smoothing: 0.0,
};

fn face(x: f32, y: f32, size: f32) -> Face {
    let kps = [
        [x + 0.3 * size, y + 0.4 * size],
        [x + 0.7 * size, y + 0.4 * size],
        [x + 0.5 * size, y + 0.6 * size],
        [x + 0.35 * size, y + 0.8 * size],
        [x + 0.65 * size, y + 0.8 * size],
    ];
    Face::new([x, y, x + size, y + size], 0.9, kps)
}

fn with_identity(mut f: Face, axis: usize) -> Face {
    let mut v = vec![0.0f32; 8];
    v[axis] = 1.0;
    f.embedding = ROption::RSome(Embedding {
        values: RVec::from(v),
        raw_norm: 1.0,
        space: "test".into(),
    });
    f
}

fn ids(faces: &[Face]) -> Vec<u64> {
    faces.iter().map(|f| f.track_id.unwrap()).collect()
}

#[test]
fn moving_faces_keep_their_ids_in_any_detection_order() {
    let mut t = Tracker::default();
    let a0 = ids(&t.update(
        0,
        (640, 480),
        vec![face(10.0, 10.0, 100.0), face(300.0, 10.0, 100.0)],
        &ON,
    ));
    assert_eq!(a0, vec![0, 1]);
    // Both moved a little; the detector lists them the other way round.
    let a1 = ids(&t.update(
        1,
        (640, 480),
        vec![face(305.0, 12.0, 100.0), face(14.0, 11.0, 100.0)],
        &ON,
    ));
    assert_eq!(a1, vec![1, 0]);
}

#[test]
fn a_missed_face_is_bridged_for_coast_frames_then_dropped() {
    let mut t = Tracker::default();
    t.update(0, (640, 480), vec![face(10.0, 10.0, 100.0)], &ON);
    t.update(1, (640, 480), vec![face(20.0, 10.0, 100.0)], &ON); // moving +10 px/frame
    let gap1 = t.update(2, (640, 480), vec![], &ON);
    assert_eq!(ids(&gap1), vec![0]);
    // Moved along by its last motion.
    assert!((gap1[0].bbox[0] - 30.0).abs() < 1e-4, "{:?}", gap1[0].bbox);
    assert!((gap1[0].kps[0][0] - 60.0).abs() < 1e-4);
    assert_eq!(ids(&t.update(3, (640, 480), vec![], &ON)), vec![0]);
    assert!(
        t.update(4, (640, 480), vec![], &ON).is_empty(),
        "dropped after 2 frames"
    );
    // A face found again after the track ended is a new person to the tracker.
    assert_eq!(
        ids(&t.update(5, (640, 480), vec![face(60.0, 10.0, 100.0)], &ON)),
        vec![1]
    );
}

#[test]
fn the_face_comes_back_to_its_track_within_the_gap() {
    let mut t = Tracker::default();
    t.update(0, (640, 480), vec![face(10.0, 10.0, 100.0)], &ON);
    t.update(1, (640, 480), vec![], &ON);
    let back = t.update(2, (640, 480), vec![face(12.0, 10.0, 100.0)], &ON);
    assert_eq!(ids(&back), vec![0]);
    assert_eq!(back.len(), 1, "no coasting copy next to the real face");
}

#[test]
fn coast_zero_reports_only_detections() {
    let s = TrackSettings {
        coast_frames: 0,
        ..ON
    };
    let mut t = Tracker::default();
    t.update(0, (640, 480), vec![face(10.0, 10.0, 100.0)], &s);
    assert!(t.update(1, (640, 480), vec![], &s).is_empty());
}

#[test]
fn identities_veto_an_overlap_link_and_link_without_overlap() {
    let mut t = Tracker::default();
    t.update(
        0,
        (640, 480),
        vec![with_identity(face(10.0, 10.0, 100.0), 0)],
        &ON,
    );
    // Same place, another person: a new track, and the old one coasts.
    let next = t.update(
        1,
        (640, 480),
        vec![with_identity(face(12.0, 10.0, 100.0), 1)],
        &ON,
    );
    assert_eq!(ids(&next), vec![1, 0]);
    // The first person reappears far away (a jump cut): identity alone links it.
    let jump = t.update(
        2,
        (640, 480),
        vec![with_identity(face(400.0, 200.0, 100.0), 0)],
        &ON,
    );
    assert_eq!(ids(&jump)[0], 0);
}

#[test]
fn smoothing_blends_matched_points() {
    let s = TrackSettings {
        smoothing: 0.5,
        ..ON
    };
    let mut t = Tracker::default();
    t.update(0, (640, 480), vec![face(10.0, 10.0, 100.0)], &s);
    let out = t.update(1, (640, 480), vec![face(20.0, 10.0, 100.0)], &s);
    // kps[0].x: previous 40, detected 50 → 45. The box is the detector's.
    assert!((out[0].kps[0][0] - 45.0).abs() < 1e-4);
    assert!((out[0].bbox[0] - 20.0).abs() < 1e-6);
}

#[test]
fn non_consecutive_frames_or_a_new_size_reset_the_tracks() {
    let mut t = Tracker::default();
    t.update(0, (640, 480), vec![face(10.0, 10.0, 100.0)], &ON);
    // Index 0 again (a new run / a source image): nothing carries over, no coasting face.
    assert!(t.update(0, (640, 480), vec![], &ON).is_empty());
    t.update(1, (640, 480), vec![face(10.0, 10.0, 100.0)], &ON);
    assert!(t.update(2, (320, 240), vec![], &ON).is_empty());
}

#[test]
fn disabled_leaves_faces_untouched() {
    let s = TrackSettings {
        enabled: false,
        ..ON
    };
    let mut t = Tracker::default();
    let out = t.update(0, (640, 480), vec![face(10.0, 10.0, 100.0)], &s);
    assert!(out[0].track_id.is_none());
}

#[test]
fn embeddings_are_reused_for_refresh_frames_then_recomputed() {
    let mut t = Tracker::default();
    let size = (640, 480);
    let refresh = 3;
    // Frame 0: nothing to reuse; the recognizer runs.
    let f = || {
        vec![
            with_identity(face(10.0, 10.0, 100.0), 0),
            face(300.0, 10.0, 100.0),
        ]
    };
    assert_eq!(
        t.reuse_embeddings(0, size, &f(), &ON, refresh),
        vec![None, None]
    );
    t.update(0, size, f(), &ON);
    // Frames 1 and 2 reuse the first face's embedding (the second never had one).
    for i in 1..3 {
        let r = t.reuse_embeddings(i, size, &f(), &ON, refresh);
        assert!(r[0].is_some() && r[1].is_none(), "frame {i}: {r:?}");
        t.update(i, size, f(), &ON);
    }
    // Frame 3: the embedding is 2 frames old, refresh 3 → compute again.
    assert_eq!(
        t.reuse_embeddings(3, size, &f(), &ON, refresh),
        vec![None, None]
    );
    t.update(3, size, f(), &ON);
    assert!(t.reuse_embeddings(4, size, &f(), &ON, refresh)[0].is_some());
    // refresh 1, a jump in frames, or a face that moved away: nothing reused.
    assert_eq!(t.reuse_embeddings(4, size, &f(), &ON, 1), vec![None, None]);
    assert_eq!(
        t.reuse_embeddings(9, size, &f(), &ON, refresh),
        vec![None, None]
    );
    let far = vec![face(200.0, 300.0, 100.0)];
    assert_eq!(t.reuse_embeddings(4, size, &far, &ON, refresh), vec![None]);
}
