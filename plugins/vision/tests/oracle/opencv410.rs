//! The OpenCV ≤ 4.10 fixed-point warp against the `opencv-4.10-setA` rebuild's crop hashes.

use crate::common::{affine, bbox4, bgr_sha256, decoded_frame, json, ref_dir};
use liveswap_vision::align::landmark_crop_transform;
use liveswap_vision::warp_affine_u8_fixed;

#[test]
fn fixed_point_warp_is_bit_exact_against_opencv_4_10() {
    let dir = "opencv-4.10-setA";
    let mut crops = Vec::new();
    for img in json(&format!("{dir}/set_manifest.json"))["images"]
        .as_array()
        .unwrap()
    {
        let key = img["key"].as_str().unwrap();
        let path = format!("{dir}/{key}.json");
        assert!(ref_dir().join(&path).is_file(), "{path} missing");
        let j = json(&path);
        let im = &j["image"];
        let Some(frame) = decoded_frame(
            key,
            im["media_path"].as_str().unwrap(),
            im["decoded_bgr_sha256"].as_str().unwrap(),
        ) else {
            eprintln!("opencv410: {key}: no exact decode, skipped");
            continue;
        };
        for f in j["faces"].as_array().unwrap() {
            let id = f["id"].as_str().unwrap();
            let a =
                warp_affine_u8_fixed(frame.view(), &affine(&f["arcface"]["M"]), 112, 112).unwrap();
            assert_eq!(
                bgr_sha256(&a),
                f["arcface"]["crop_sha256"].as_str().unwrap(),
                "{id} arcface 4.10"
            );
            let m = landmark_crop_transform(bbox4(&f["bbox"]), 192);
            let l = warp_affine_u8_fixed(frame.view(), &m, 192, 192).unwrap();
            assert_eq!(
                bgr_sha256(&l),
                f["landmark_2d_106"]["crop_sha256"].as_str().unwrap(),
                "{id} lmk 4.10"
            );
            crops.push(id.to_owned());
        }
    }
    for s in json(&format!("{dir}/set_manifest.json"))["swaps"]
        .as_array()
        .unwrap()
    {
        let sw = json(&format!("{dir}/{}", s["json"].as_str().unwrap()));
        let t = &sw["target"];
        let Some(frame) = decoded_frame(
            t["image_key"].as_str().unwrap(),
            t["media_path"].as_str().unwrap(),
            t["decoded_bgr_sha256"].as_str().unwrap(),
        ) else {
            continue;
        };
        let step = &sw["steps"][0];
        let c = warp_affine_u8_fixed(frame.view(), &affine(&step["M"]), 128, 128).unwrap();
        assert_eq!(
            bgr_sha256(&c),
            step["target_crop128_sha256"].as_str().unwrap(),
            "{} step 0",
            s["json"]
        );
        crops.push(format!("{} step 0", s["json"]));
    }
    eprintln!("opencv410: bit-exact crops for {crops:?}");
    assert!(crops.len() >= 11, "only {} crops checked", crops.len());
}
