//! SCRFD letterbox: resize + paste, bit-exact against `det_input_sha256`.

use crate::common::{
    bgr_sha256, decoded_frame, image_diff, image_json, ref_dir, ref_png, set_a_keys,
};
use liveswap_vision::detect::{letterbox, letterbox_size};

#[test]
fn letterbox_is_bit_exact_for_every_set_a_image() {
    let mut checked = Vec::new();
    for key in set_a_keys() {
        let Some((j, _)) = image_json(&key) else {
            continue;
        };
        let im = &j["image"];
        let Some(frame) = decoded_frame(
            &key,
            im["media_path"].as_str().unwrap(),
            im["decoded_bgr_sha256"].as_str().unwrap(),
        ) else {
            eprintln!("letterbox: {key}: no exact decode available, skipped");
            continue;
        };
        for (size, det) in j["detection"].as_object().unwrap() {
            let [w, h] = [0, 1].map(|i| det["input_size_wh"][i].as_u64().unwrap() as usize);
            let (nw, nh, scale) = letterbox_size(frame.width, frame.height, w, h);
            assert_eq!(
                nw as u64,
                det["new_width"].as_u64().unwrap(),
                "{key} {size}"
            );
            assert_eq!(
                nh as u64,
                det["new_height"].as_u64().unwrap(),
                "{key} {size}"
            );
            assert_eq!(
                scale,
                det["det_scale_f32"].as_f64().unwrap() as f32,
                "{key} {size}"
            );
            let (out, s2) = letterbox(frame.view(), w, h).unwrap();
            assert_eq!(s2, scale);
            if bgr_sha256(&out) != det["det_input_sha256"].as_str().unwrap() {
                let png = det["det_input_png"].as_str().map(|p| format!("setA/{p}"));
                let diff = png
                    .filter(|p| ref_dir().join(p).is_file())
                    .map(|p| image_diff(&out, &ref_png(&p)));
                panic!(
                    "{key} {size}: letterbox differs from the oracle (max diff, fraction) = {diff:?}"
                );
            }
            checked.push(format!("{key}@{size}"));
        }
    }
    eprintln!("letterbox bit-exact: {checked:?}");
    // astronaut, obama, biden and t1 have set-A JSON and exact decodes; t1@640 is the 2x path.
    for must in [
        "astronaut@640x640",
        "obama@320x320",
        "biden@640x640",
        "t1@640x640",
        "t1@320x320",
    ] {
        assert!(checked.iter().any(|c| c == must), "{must} was not checked");
    }
}
