//! Alignment matrices from the oracle's kps and boxes.

use crate::common::{
    M_TOL_LINEAR, M_TOL_TRANSLATION, affine, affine_err, bbox4, image_json, kps5, set_a_keys,
};
use liveswap_vision::align::{estimate_norm, landmark_crop_transform};
use liveswap_vision::invert_affine;

#[test]
fn arcface_and_landmark_matrices_match() {
    let mut faces = 0;
    let mut worst = (0.0f64, 0.0f64);
    for key in set_a_keys() {
        let Some((j, _)) = image_json(&key) else {
            continue;
        };
        for f in j["faces"].as_array().unwrap() {
            let id = f["id"].as_str().unwrap();
            let m = estimate_norm(&kps5(&f["kps"]), 112).unwrap();
            let (lin, tr) = affine_err(&m, &affine(&f["arcface"]["M"]));
            worst = (worst.0.max(lin), worst.1.max(tr));
            assert!(
                lin <= M_TOL_LINEAR && tr <= M_TOL_TRANSLATION,
                "{id}: arcface M off by {lin:e} / {tr:e}"
            );

            let lm = &f["landmark_2d_106"];
            let m = landmark_crop_transform(bbox4(&f["bbox"]), 192);
            assert_eq!(m, affine(&lm["M"]), "{id}: landmark M");
            assert_eq!(
                invert_affine(&m).unwrap(),
                affine(&lm["IM"]),
                "{id}: landmark IM"
            );
            assert_eq!(m[0][0] as f32, lm["scale_f32"].as_f64().unwrap() as f32);
            faces += 1;
        }
    }
    eprintln!(
        "alignment: {faces} faces, max |M - oracle| linear {:e}, translation {:e}; landmark M/IM exact",
        worst.0, worst.1
    );
    assert!(faces >= 9, "only {faces} faces found");
}
