//! ArcFace 112 and landmark 192 crops from the oracle matrices, against the PNGs.

use crate::common::{
    affine, assert_crop_close, bbox4, bgr_sha256, decoded_frame, image_json, kps5, ref_dir,
    ref_png, set_a_keys,
};
use liveswap_vision::align::{landmark_crop_transform, norm_crop};
use liveswap_vision::warp_affine_u8;

#[test]
fn arcface_and_landmark_crops_match_pngs() {
    let (mut crops, mut exact, mut worst_max, mut worst_frac) = (0, 0, 0u8, 0.0f64);
    let (mut e2e_max, mut e2e_frac) = (0u8, 0.0f64);
    for key in set_a_keys() {
        let Some((j, true)) = image_json(&key) else {
            continue;
        };
        let im = &j["image"];
        let frame = decoded_frame(
            &key,
            im["media_path"].as_str().unwrap(),
            im["decoded_bgr_sha256"].as_str().unwrap(),
        )
        .unwrap_or_else(|| panic!("{key}: set-A frame must decode exactly"));
        for f in j["faces"].as_array().unwrap() {
            let id = f["id"].as_str().unwrap();
            for (node, size, m) in [
                ("arcface", 112, affine(&f["arcface"]["M"])),
                (
                    "landmark_2d_106",
                    192,
                    landmark_crop_transform(bbox4(&f["bbox"]), 192),
                ),
            ] {
                let Some(png) = f[node]["crop_png"].as_str() else {
                    continue;
                };
                if !ref_dir().join("setA").join(png).is_file() {
                    continue;
                }
                let got = warp_affine_u8(frame.view(), &m, size, size).unwrap();
                let (max, frac) = assert_crop_close(
                    &format!("{id} {node}"),
                    &got,
                    &ref_png(&format!("setA/{png}")),
                );
                exact += usize::from(bgr_sha256(&got) == f[node]["crop_sha256"].as_str().unwrap());
                (worst_max, worst_frac) = (worst_max.max(max), worst_frac.max(frac));
                crops += 1;
            }
            // End to end: norm_crop with our own M (float64 Umeyama) against the PNG.
            let png = format!("setA/{}", f["arcface"]["crop_png"].as_str().unwrap());
            let (ours, _) = norm_crop(frame.view(), &kps5(&f["kps"]), 112).unwrap();
            let (max, frac) = assert_crop_close(&format!("{id} norm_crop"), &ours, &ref_png(&png));
            (e2e_max, e2e_frac) = (e2e_max.max(max), e2e_frac.max(frac));
        }
    }
    eprintln!(
        "crops: {crops} checked, {exact} bit-exact, worst max diff {worst_max}, worst {:.4}% px",
        worst_frac * 100.0
    );
    eprintln!(
        "crops: norm_crop with our M: worst max diff {e2e_max}, worst {:.4}% px",
        e2e_frac * 100.0
    );
    assert!(crops >= 20, "only {crops} crops found");
}
