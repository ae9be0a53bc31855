//! insightface's paste-back mask rebuilt with `warp_affine_f32`, `erode_f32` and
//! `gaussian_blur_f32`, against the per-step statistics the oracle recorded.

use crate::common::{affine, json};
use liveswap_vision::blend::{erode_f32, feather_params, gaussian_blur_f32};
use liveswap_vision::{MaskF32, warp_affine_f32};

/// `[x0, y0, x1, y1]` (exclusive) of the pixels where `pred` holds.
fn bbox_where(m: &MaskF32, pred: impl Fn(f32) -> bool) -> [usize; 4] {
    let mut b = [usize::MAX, usize::MAX, 0, 0];
    for y in 0..m.height {
        for x in 0..m.width {
            if pred(m.data[y * m.width + x]) {
                b = [b[0].min(x), b[1].min(y), b[2].max(x + 1), b[3].max(y + 1)];
            }
        }
    }
    b
}

fn usizes(v: &serde_json::Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

#[test]
fn paste_back_mask_statistics_match() {
    let mut checked = 0;
    let mut worst_rel = 0.0f64;
    for s in json("setA/set_manifest.json")["swaps"].as_array().unwrap() {
        let name = s["json"].as_str().unwrap();
        let sw = json(&format!("setA/{name}"));
        let key = sw["target"]["image_key"].as_str().unwrap();
        let img = crate::common::image_json(key).unwrap().0;
        let (w, h) = (
            img["image"]["width"].as_u64().unwrap() as usize,
            img["image"]["height"].as_u64().unwrap() as usize,
        );
        for (k, step) in sw["steps"].as_array().unwrap().iter().enumerate() {
            let pb = &step["paste_back"];
            let white = MaskF32::filled(128, 128, 255.0).unwrap();
            let mut mask = warp_affine_f32(&white, &affine(&step["IM"]), w, h).unwrap();
            assert_eq!(
                bbox_where(&mask, |v| v > 0.0).to_vec(),
                usizes(&pb["footprint_xyxy"]),
                "{name} {k} footprint"
            );
            mask.data
                .iter_mut()
                .filter(|v| **v > 20.0)
                .for_each(|v| *v = 255.0);
            let full = bbox_where(&mask, |v| v == 255.0);
            let (mh, mw) = (full[3] - 1 - full[1], full[2] - 1 - full[0]);
            assert_eq!(
                mh as u64,
                pb["mask_h"].as_u64().unwrap(),
                "{name} {k} mask_h"
            );
            assert_eq!(
                mw as u64,
                pb["mask_w"].as_u64().unwrap(),
                "{name} {k} mask_w"
            );
            let p = feather_params(mh, mw);
            assert_eq!(p.mask_size as u64, pb["mask_size"].as_u64().unwrap());
            assert_eq!(p.erode_kernel as u64, pb["erode_kernel"].as_u64().unwrap());
            assert_eq!(
                p.gaussian_ksize as u64,
                pb["gaussian_ksize"].as_u64().unwrap()
            );
            let eroded = erode_f32(&mask, p.erode_kernel).unwrap();
            let blurred = gaussian_blur_f32(&eroded, p.gaussian_ksize, 0.0).unwrap();
            assert_eq!(
                bbox_where(&blurred, |v| v > 0.0).to_vec(),
                usizes(&pb["mask_nonzero_xyxy"]),
                "{name} {k} nonzero"
            );
            let sum: f64 = blurred.data.iter().map(|&v| f64::from(v / 255.0)).sum();
            let want = pb["mask_sum_f64"].as_f64().unwrap();
            let rel = (sum - want).abs() / want;
            worst_rel = worst_rel.max(rel);
            assert!(rel < 1e-6, "{name} {k}: mask sum {sum} vs {want}");
            checked += 1;
        }
    }
    eprintln!("paste mask: {checked} steps, worst relative mask-sum error {worst_rel:e}");
    assert!(checked >= 9);
}
