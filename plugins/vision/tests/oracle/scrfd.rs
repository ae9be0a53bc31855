//! SCRFD decoding, sort and NMS from the recorded raw outputs of every candidate anchor.

use crate::common::{bbox4, f32s, image_json, kps5, set_a_keys};
use liveswap_vision::Detection;
use liveswap_vision::detect::{ScrfdLevel, decode_scrfd, finish_detections, nms, score_order};
use serde_json::Value;

const STRIDES: [u32; 3] = [8, 16, 32];
const ANCHORS: usize = 2;

/// Rebuilds full per-stride output tensors (zero score except at the candidates), decodes them
/// with `decode_scrfd`, and concatenates the levels in stride order.
fn decode_candidates(det: &Value) -> Vec<Detection> {
    let c = &det["candidates"];
    let [w, h] = [0, 1].map(|i| det["input_size_wh"][i].as_u64().unwrap() as usize);
    let thresh = det["det_thresh"].as_f64().unwrap() as f32;
    let scale = det["det_scale_f32"].as_f64().unwrap() as f32;
    let n = c["count"].as_u64().unwrap() as usize;
    let mut all = Vec::new();
    for stride in STRIDES {
        let (fw, fh) = (w / stride as usize, h / stride as usize);
        let cells = fw * fh * ANCHORS;
        let (mut scores, mut bboxes, mut kps) = (
            vec![0.0f32; cells],
            vec![0.0f32; cells * 4],
            vec![0.0f32; cells * 10],
        );
        for i in 0..n {
            if c["stride"][i].as_u64().unwrap() != u64::from(stride) {
                continue;
            }
            let a = c["anchor_index"][i].as_u64().unwrap() as usize;
            // The anchor layout convention: centre = (col*stride, row*stride), index (row*W+col)*A+a.
            let centre = f32s(&c["anchor_center_xy"][i]);
            let cell = a / ANCHORS;
            assert_eq!(
                centre,
                vec![
                    ((cell % fw) as u32 * stride) as f32,
                    ((cell / fw) as u32 * stride) as f32
                ]
            );
            scores[a] = c["score"][i].as_f64().unwrap() as f32;
            bboxes[a * 4..a * 4 + 4].copy_from_slice(&f32s(&c["raw_bbox_dist"][i]));
            kps[a * 10..a * 10 + 10].copy_from_slice(&f32s(&c["raw_kps_dist"][i]));
        }
        let level = ScrfdLevel {
            scores: &scores,
            bboxes: &bboxes,
            kps: Some(&kps),
            stride,
            feat_w: fw,
            feat_h: fh,
            num_anchors: ANCHORS,
        };
        all.extend(decode_scrfd(&level, thresh, scale).unwrap());
    }
    assert_eq!(all.len(), n, "candidate count");
    all
}

fn max_abs(a: impl IntoIterator<Item = f32>, b: impl IntoIterator<Item = f32>) -> f32 {
    a.into_iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn decode_sort_and_nms_reproduce_the_oracle() {
    let mut levels = 0;
    let mut worst = 0.0f32;
    for key in set_a_keys() {
        let Some((j, _)) = image_json(&key) else {
            continue;
        };
        for (size, det) in j["detection"].as_object().unwrap() {
            let c = &det["candidates"];
            let ours = decode_candidates(det);
            for (i, d) in ours.iter().enumerate() {
                let eb = max_abs(d.bbox, bbox4(&c["bbox_img"][i]));
                let ek = max_abs(d.kps.unwrap().concat(), kps5(&c["kps_img"][i]).concat());
                worst = worst.max(eb).max(ek);
                assert!(
                    eb <= 2e-3 && ek <= 2e-3,
                    "{key} {size} candidate {i}: bbox {eb}, kps {ek}"
                );
            }
            // Sort and NMS over the oracle's own candidate values.
            let oracle: Vec<Detection> = (0..ours.len())
                .map(|i| Detection {
                    bbox: bbox4(&c["bbox_img"][i]),
                    score: c["score"][i].as_f64().unwrap() as f32,
                    kps: Some(kps5(&c["kps_img"][i])),
                })
                .collect();
            let order = score_order(&oracle);
            let want_order: Vec<usize> = f32s(&c["sorted_order"])
                .iter()
                .map(|&v| v as usize)
                .collect();
            assert_eq!(order, want_order, "{key} {size} sorted_order");
            let sorted: Vec<Detection> = order.iter().map(|&i| oracle[i]).collect();
            let want_keep: Vec<usize> = f32s(&c["nms_keep_in_sorted"])
                .iter()
                .map(|&v| v as usize)
                .collect();
            assert_eq!(
                nms(&sorted, det["nms_thresh"].as_f64().unwrap() as f32),
                want_keep,
                "{key} {size} nms"
            );
            // End to end from the raw distances: the faces SCRFD.detect returned, exactly.
            let faces = finish_detections(&ours, det["nms_thresh"].as_f64().unwrap() as f32);
            let want = det["faces"].as_array().unwrap();
            assert_eq!(faces.len(), want.len(), "{key} {size} face count");
            for (f, w) in faces.iter().zip(want) {
                assert_eq!(f.bbox, bbox4(&w["bbox"]), "{key} {size} face bbox");
                assert_eq!(f.score, w["score"].as_f64().unwrap() as f32);
                assert_eq!(f.kps, Some(kps5(&w["kps"])), "{key} {size} face kps");
            }
            levels += 1;
        }
    }
    eprintln!("scrfd: {levels} detections checked, max candidate bbox/kps error {worst} px");
    assert!(levels >= 8, "only {levels} detection records found");
}
