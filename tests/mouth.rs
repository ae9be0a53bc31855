//! mouth_mask: the lip indices on insightface's own landmarks, the mask's exact guarantees on
//! synthetic frames with real landmark geometry, and the acceptance runs on real photos
//! (`profiles/default-mouth.toml`: analyser → face_morpher → mouth_mask), in both orders
//! with the enhancer, and through the `liveswap` binary with `--set mouth_mask.size=0`.

use super::enhance::{ANALYSER, MORPHER, Rig, enhancer, enhancer_model, media};
use liveswap_host::media::load_rgb;
use liveswap_mouth_mask::lips::{CHIN, INNER_LIP, LOWER_LIP_MID, OUTER_LIP, grown, outer_lip};
use liveswap_mouth_mask::mask::{edge_distance, inside};
use liveswap_mouth_mask::{MouthMask, MouthMaskProcessor, MouthMaskSettings};
use liveswap_sdk::abi_stable::std_types::{RSlice, RSliceMut, RVec};
use liveswap_sdk::{
    Face, FrameCtx, FrameOutcome, FrameProcessor, ImageMut, ImageRef, OwnedImage, Plugin, Point,
    data,
};
use liveswap_tests::{
    liveswap_command, ort_library, read_json, shared, shared_file, temp_dir, workspace,
};
use std::path::Path;

/// The faces (kps, 106 landmarks) of a reference image of `../shared/reference/setA`, and
/// its size.
fn reference_faces(key: &str) -> (Vec<Face>, u32, u32) {
    let j = read_json(&shared_file(&format!("reference/setA/{key}.json")));
    let pt = |v: &serde_json::Value| -> Point {
        [v[0].as_f64().unwrap() as f32, v[1].as_f64().unwrap() as f32]
    };
    let faces = j["faces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let b: Vec<f32> = f["bbox"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap() as f32)
                .collect();
            let kps: Vec<Point> = f["kps"].as_array().unwrap().iter().map(pt).collect();
            let mut face = Face::new(
                [b[0], b[1], b[2], b[3]],
                0.9,
                [kps[0], kps[1], kps[2], kps[3], kps[4]],
            );
            let lm: Vec<Point> = f["landmark_2d_106"]["points"]
                .as_array()
                .unwrap()
                .iter()
                .map(pt)
                .collect();
            face.landmarks_106 = Some(RVec::from(lm)).into();
            face
        })
        .collect();
    let (w, h) = (
        j["image"]["width"].as_u64().unwrap(),
        j["image"]["height"].as_u64().unwrap(),
    );
    (faces, w as u32, h as u32)
}

fn landmarks(face: &Face) -> &[Point] {
    face.landmarks_106.as_ref().unwrap().as_slice()
}

fn segments_cross(a: Point, b: Point, c: Point, d: Point) -> bool {
    let o = |p: Point, q: Point, r: Point| {
        (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    };
    o(a, b, c) * o(a, b, d) < 0.0 && o(c, d, a) * o(c, d, b) < 0.0
}

#[test]
fn lip_indices_outline_the_mouth_on_real_faces() {
    let mut n = 0;
    for key in ["astronaut", "biden", "obama", "t1", "two_people"] {
        for (i, face) in reference_faces(key).0.iter().enumerate() {
            let lm = landmarks(face);
            let poly = outer_lip(lm).unwrap();
            let k = poly.len();
            // A simple polygon: no two non-adjacent edges cross.
            for a in 0..k {
                for b in a + 2..k {
                    if a == 0 && b == k - 1 {
                        continue;
                    }
                    assert!(
                        !segments_cross(poly[a], poly[(a + 1) % k], poly[b], poly[(b + 1) % k]),
                        "{key}#{i}: outline edges {a} and {b} cross"
                    );
                }
            }
            // The inner lip line lies inside the outline.
            for &j in &INNER_LIP {
                assert!(
                    inside(lm[j], &poly),
                    "{key}#{i}: inner lip point {j} outside"
                );
            }
            // The outline's corners (52, 61) are its extreme points along the chord between
            // them, and each is nearer its own mouth-corner keypoint (kps 3, 4) of the
            // detector than the other one.
            let (l, r) = (face.kps[3], face.kps[4]);
            let (left, right) = (lm[OUTER_LIP[0]], lm[OUTER_LIP[6]]);
            let axis = [right[0] - left[0], right[1] - left[1]];
            let along = |p: Point| p[0] * axis[0] + p[1] * axis[1];
            let dist = |p: Point, q: Point| (p[0] - q[0]).hypot(p[1] - q[1]);
            // On turned faces the far half of the mouth is foreshortened and the upper lip can
            // bulge past the corner (t1#3, a small face in three-quarter view: 16 % of the
            // chord), hence the 20 % allowance.
            let slack = 0.2 * (along(right) - along(left));
            for p in &poly {
                assert!(
                    along(left) - slack <= along(*p) && along(*p) <= along(right) + slack,
                    "{key}#{i}: an outline point lies beyond a corner"
                );
            }
            assert!(
                dist(left, l) < dist(left, r) && dist(right, r) < dist(right, l),
                "{key}#{i}"
            );
            assert!(lm[CHIN][1] > lm[LOWER_LIP_MID][1], "{key}#{i}");
            n += 1;
        }
    }
    assert_eq!(n, 11, "faces checked");
}

/// Two clearly different frames of a size: the "original" and the "swapped" one.
fn frames(w: u32, h: u32) -> (OwnedImage, OwnedImage) {
    let n = (w * h * 3) as usize;
    let a: Vec<u8> = (0..n).map(|i| (i * 13 % 101) as u8).collect();
    let b: Vec<u8> = (0..n).map(|i| 150 + (i * 7 % 97) as u8).collect();
    let img = |d: Vec<u8>| OwnedImage {
        data: d.into(),
        width: w,
        height: h,
    };
    (img(a), img(b))
}

/// Runs a mouth mask over `swapped` with `original` as the pre-swap frame.
fn mouth(
    settings: MouthMaskSettings,
    original: &OwnedImage,
    swapped: &OwnedImage,
    faces: &[Face],
) -> (OwnedImage, FrameOutcome) {
    let mut p = MouthMaskProcessor::new(settings);
    let mut frame = swapped.clone();
    let mut faces: RVec<Face> = faces.to_vec().into();
    let (w, h) = (frame.width, frame.height);
    let mut ctx = FrameCtx {
        frame: ImageMut {
            data: RSliceMut::from_mut_slice(frame.data.as_mut_slice()),
            width: w,
            height: h,
            stride: w * 3,
        },
        original: ImageRef {
            data: RSlice::from_slice(original.data.as_slice()),
            width: w,
            height: h,
            stride: w * 3,
        },
        kind: liveswap_sdk::FrameKind::STILL,
        index: 0,
        timestamp_us: 0,
        faces: &mut faces,
        sources: RSlice::from_slice(&[]),
    };
    let outcome = p.process(&mut ctx).unwrap();
    (frame, outcome)
}

fn settings(size: f32, feather: f32) -> MouthMaskSettings {
    MouthMaskSettings {
        size,
        feather,
        show_mask: false,
    }
}

/// Checks, for one face: inside the lip outline and at least `feather` from the grown
/// outline's edge the output is the original; outside the grown outline it is `swapped`.
/// Returns (pixels checked inside, pixels checked outside) near the face.
fn check_face(
    out: &OwnedImage,
    original: &OwnedImage,
    swapped: &OwnedImage,
    lm: &[Point],
    size: f32,
    feather: f32,
) -> (usize, usize) {
    let lip = outer_lip(lm).unwrap();
    let big = grown(lm, size).unwrap();
    let w = out.width as usize;
    let (x0, x1) = big
        .iter()
        .fold((f32::MAX, f32::MIN), |a, p| (a.0.min(p[0]), a.1.max(p[0])));
    let (y0, y1) = big
        .iter()
        .fold((f32::MAX, f32::MIN), |a, p| (a.0.min(p[1]), a.1.max(p[1])));
    let pad = 10.0;
    let (mut n_in, mut n_out) = (0, 0);
    for y in (y0 - pad).max(0.0) as usize..((y1 + pad) as usize).min(out.height as usize) {
        for x in (x0 - pad).max(0.0) as usize..((x1 + pad) as usize).min(w) {
            let p = [x as f32, y as f32];
            let i = (y * w + x) * 3;
            let px = &out.data[i..i + 3];
            if inside(p, &lip) && inside(p, &big) && edge_distance(p, &big) >= feather {
                assert_eq!(px, &original.data[i..i + 3], "({x},{y}) inside the lips");
                n_in += 1;
            } else if !inside(p, &big) {
                assert_eq!(
                    px,
                    &swapped.data[i..i + 3],
                    "({x},{y}) outside the grown outline"
                );
                n_out += 1;
            }
        }
    }
    (n_in, n_out)
}

#[test]
fn lips_come_from_the_original_and_the_rest_stays_swapped() {
    let (faces, w, h) = reference_faces("obama");
    let (original, swapped) = frames(w, h);
    let lm = landmarks(&faces[0]);
    for (size, feather) in [(1.0, 0.0), (10.0, 3.0), (50.0, 6.0), (100.0, 12.0)] {
        let (out, outcome) = mouth(settings(size, feather), &original, &swapped, &faces);
        assert_eq!(outcome, FrameOutcome::Processed);
        let (n_in, n_out) = check_face(&out, &original, &swapped, lm, size, feather);
        assert!(
            n_in > 500 && n_out > 500,
            "size {size}: {n_in} inside, {n_out} outside checked"
        );
        // Nothing changes far from the mouth either.
        let far = (20 * w as usize + 20) * 3;
        assert_eq!(out.data[far..far + 3], swapped.data[far..far + 3]);
    }
}

#[test]
fn restored_area_grows_with_size_and_size_0_changes_nothing() {
    let (faces, w, h) = reference_faces("obama");
    let (original, swapped) = frames(w, h);
    let restored = |size: f32| {
        let (out, _) = mouth(settings(size, 6.0), &original, &swapped, &faces);
        out.data
            .chunks_exact(3)
            .zip(swapped.data.chunks_exact(3))
            .filter(|(a, b)| a != b)
            .count()
    };
    let mut last = 0;
    for size in [5.0, 20.0, 35.0, 50.0, 75.0, 100.0] {
        let n = restored(size);
        assert!(
            n > last,
            "size {size}: {n} restored pixels, not more than {last}"
        );
        last = n;
    }
    let (out, outcome) = mouth(settings(0.0, 6.0), &original, &swapped, &faces);
    assert!(out.data == swapped.data, "size 0 changed the frame");
    assert!(matches!(outcome, FrameOutcome::Skipped(_)), "{outcome:?}");
    // The debug overlay draws over the restored area.
    let mut s = settings(50.0, 6.0);
    let (plain, _) = mouth(s, &original, &swapped, &faces);
    s.show_mask = true;
    let (shown, _) = mouth(s, &original, &swapped, &faces);
    assert!(plain.data != shown.data, "show_mask drew nothing");
}

#[test]
fn every_face_of_a_group_photo_gets_its_own_mouth() {
    let (faces, w, h) = reference_faces("t1");
    assert_eq!(faces.len(), 6);
    let (original, swapped) = frames(w, h);
    let (out, _) = mouth(settings(50.0, 4.0), &original, &swapped, &faces);
    for face in &faces {
        let (n_in, _) = check_face(&out, &original, &swapped, landmarks(face), 50.0, 4.0);
        assert!(n_in > 20, "a face's mouth was not restored ({n_in} pixels)");
    }
    // A face without landmarks is passed over, not an error.
    let mut bare = faces[0].clone();
    bare.landmarks_106 = None.into();
    let (out, outcome) = mouth(settings(50.0, 4.0), &original, &swapped, &[bare]);
    assert!(out.data == swapped.data && matches!(outcome, FrameOutcome::Skipped(_)));
}

#[test]
fn profile_validation_refuses_the_mouth_mask_without_landmarks() {
    let info = MouthMask::info();
    assert!(
        info.requires
            .iter()
            .any(|r| r.as_str() == data::LANDMARKS_106)
    );
    let rig = Rig::new("mouth-requires");
    let stage = "[[processors]]\nid = \"mouth_mask\"\n";
    assert!(rig.profile(&format!("{ANALYSER}{stage}")).is_ok());
    let without = ANALYSER.replace("landmark_model = \"2d106det\"", "landmark_model = \"\"");
    let err = rig
        .profile(&format!("{without}{stage}"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("mouth_mask") && err.contains("landmarks_106"),
        "{err}"
    );
    let err = rig.profile(stage).unwrap_err().to_string();
    assert!(err.contains("mouth_mask"), "{err}");
}

/// The stages of a shipped profile (without its `schema_version` line).
fn shipped(name: &str) -> String {
    std::fs::read_to_string(workspace().join("profiles").join(name))
        .unwrap()
        .replacen("schema_version = 1\n", "", 1)
}

#[test]
fn on_real_photos_the_mouth_comes_from_the_original_and_size_0_is_the_plain_swap() {
    let rig = Rig::new("mouth-real");
    let default = shipped("default.toml");
    let with_mouth = shipped("default-mouth.toml");
    let size0 = with_mouth.replace("size = 50 ", "size = 0 ");
    assert_ne!(size0, with_mouth);
    for (source, target) in [
        ("obama.jpg", "biden.jpg"),
        ("biden.jpg", "obama2.jpg"),
        ("grace_hopper.jpg", "astronaut.png"),
    ] {
        let src = rig.source(&media(source));
        let sources = std::slice::from_ref(&src);
        let original = load_rgb(&media(target)).unwrap();
        let (plain, faces, _) = rig.run(&default, &original, sources);
        let (masked, _, events) = rig.run(&with_mouth, &original, sources);
        assert!(events.is_empty(), "{events:?}");
        let (off, _, _) = rig.run(&size0, &original, sources);
        assert!(
            off.data == plain.data,
            "{target}: size 0 differs from the plain swap"
        );
        let face = faces
            .iter()
            .max_by(|a, b| a.area().total_cmp(&b.area()))
            .unwrap();
        let lm = landmarks(face);
        let (n_in, n_out) = check_face(&masked, &original, &plain, lm, 50.0, 6.0);
        // The swap really changed the mouth, so restoring it is visible.
        let lip = outer_lip(lm).unwrap();
        let w = original.width as usize;
        let (mut lips, mut swapped_lips) = (0, 0);
        for (i, (o, p)) in original
            .data
            .chunks_exact(3)
            .zip(plain.data.chunks_exact(3))
            .enumerate()
        {
            if inside([(i % w) as f32, (i / w) as f32], &lip) {
                lips += 1;
                swapped_lips += usize::from(o != p);
            }
        }
        eprintln!(
            "{source} → {target}: {n_in} mouth pixels from the original, {n_out} around kept swapped; the swap changed {swapped_lips}/{lips} lip pixels"
        );
        assert!(n_in > 200 && swapped_lips * 2 > lips, "{target}");
    }
}

#[test]
fn mouth_mask_composes_before_and_after_the_enhancer() {
    let rig = Rig::new("mouth-order");
    let dir = temp_dir("mouth-order-models");
    let model = dir.join("bright.onnx");
    enhancer_model(&model, 512, 0.4);
    let enh = enhancer(&model, "blend = 100");
    let mask =
        "[[processors]]\nid = \"mouth_mask\"\n[processors.settings]\nsize = 50\nfeather = 6\n";
    let src = rig.source(&media("obama.jpg"));
    let sources = std::slice::from_ref(&src);
    let original = load_rgb(&media("biden.jpg")).unwrap();
    let (plain, faces, _) = rig.run(&format!("{ANALYSER}{MORPHER}"), &original, sources);
    let (before, _, e1) = rig.run(
        &format!("{ANALYSER}{MORPHER}{mask}{enh}"),
        &original,
        sources,
    );
    let (after, _, e2) = rig.run(
        &format!("{ANALYSER}{MORPHER}{enh}{mask}"),
        &original,
        sources,
    );
    assert!(e1.is_empty() && e2.is_empty(), "{e1:?} {e2:?}");
    let lm = landmarks(&faces[0]);
    let (lip, big) = (outer_lip(lm).unwrap(), grown(lm, 50.0).unwrap());
    let w = original.width as usize;
    let (mut deep, mut enhanced_mouth) = (0, 0);
    for (i, o) in original.data.chunks_exact(3).enumerate() {
        let p = [(i % w) as f32, (i / w) as f32];
        if inside(p, &lip) && edge_distance(p, &big) >= 6.0 && inside(p, &big) {
            deep += 1;
            // enhancer → mouth_mask: the mouth is exactly the original's.
            assert_eq!(&after.data[i * 3..i * 3 + 3], o);
            // mouth_mask → enhancer: the original mouth, then enhanced (brighter).
            enhanced_mouth += usize::from(before.data[i * 3..i * 3 + 3] != *o);
        }
    }
    assert!(
        deep > 200 && enhanced_mouth * 10 > deep * 9,
        "{enhanced_mouth}/{deep}"
    );
    // Both orders enhance the rest of the face the same way (the nose is outside the mouth).
    let [nx, ny] = faces[0].kps[2];
    let j = (ny as usize * w + nx as usize) * 3;
    assert_eq!(before.data[j..j + 3], after.data[j..j + 3]);
    assert_ne!(before.data[j..j + 3], plain.data[j..j + 3]);
}

#[test]
fn set_mouth_mask_size_0_on_the_command_line_gives_the_plain_swap() {
    let dir = temp_dir("mouth-cli");
    let run = |profile: &str, out: &Path, set: &[&str]| {
        let mut cmd = liveswap_command();
        cmd.args(["run", "--profile", &format!("profiles/{profile}")])
            .args(["--target", media("obama2.jpg").to_str().unwrap()])
            .args(["--source", media("biden.jpg").to_str().unwrap()])
            .args(["--output", out.to_str().unwrap(), "--overwrite", "-q"])
            .current_dir(workspace())
            .env("ORT_DYLIB_PATH", ort_library())
            .env("LIVESWAP_MODELS_DIR", shared().join("models"))
            .env_remove("LIVESWAP_PLUGIN_PATH");
        for s in set {
            cmd.args(["--set", s]);
        }
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        load_rgb(out).unwrap()
    };
    let plain = run("default.toml", &dir.join("plain.png"), &[]);
    let off = run(
        "default-mouth.toml",
        &dir.join("off.png"),
        &["mouth_mask.size=0"],
    );
    let on = run("default-mouth.toml", &dir.join("on.png"), &[]);
    assert!(
        off.data == plain.data,
        "--set mouth_mask.size=0 is not the plain swap"
    );
    assert!(
        on.data != plain.data,
        "the mouth mask at 50 changed nothing"
    );
}
