//! Swap-step alignment at 128 (`norm_crop2`) and the step-0 target crop.

use crate::common::{
    M_TOL_LINEAR, M_TOL_TRANSLATION, affine, affine_err, assert_crop_close, decoded_frame, json,
    kps5, ref_dir, ref_png,
};
use liveswap_vision::align::{estimate_norm, norm_crop};
use liveswap_vision::{invert_affine, warp_affine_u8};

#[test]
fn swap_steps_match() {
    let (mut steps, mut crops, mut worst) = (0, 0, (0.0f64, 0.0f64));
    for s in json("setA/set_manifest.json")["swaps"].as_array().unwrap() {
        let name = s["json"].as_str().unwrap();
        let sw = json(&format!("setA/{name}"));
        for (k, step) in sw["steps"].as_array().unwrap().iter().enumerate() {
            let m = estimate_norm(&kps5(&step["target_face_kps"]), 128).unwrap();
            let want = affine(&step["M"]);
            let (lin, tr) = affine_err(&m, &want);
            worst = (worst.0.max(lin), worst.1.max(tr));
            assert!(
                lin <= M_TOL_LINEAR && tr <= M_TOL_TRANSLATION,
                "{name} step {k}: M off by {lin:e} / {tr:e}"
            );
            assert_eq!(
                invert_affine(&want).unwrap(),
                affine(&step["IM"]),
                "{name} step {k}: IM"
            );
            steps += 1;
        }
        // Only step 0 sees the unmodified target; later steps see earlier paste-backs.
        let t = &sw["target"];
        let key = t["image_key"].as_str().unwrap();
        let Some(frame) = decoded_frame(
            key,
            t["media_path"].as_str().unwrap(),
            t["decoded_bgr_sha256"].as_str().unwrap(),
        ) else {
            eprintln!("swap: {name}: no exact decode of {key}, step-0 crop skipped");
            continue;
        };
        let step = &sw["steps"][0];
        let png = format!("setA/{}", step["target_crop128_png"].as_str().unwrap());
        assert!(ref_dir().join(&png).is_file(), "{png} missing");
        let got = warp_affine_u8(frame.view(), &affine(&step["M"]), 128, 128).unwrap();
        let want = ref_png(&png);
        let (max, frac) = assert_crop_close(&format!("{name} step 0 crop"), &got, &want);
        let (ours, _) = norm_crop(frame.view(), &kps5(&step["target_face_kps"]), 128).unwrap();
        let (max2, frac2) = assert_crop_close(&format!("{name} step 0 norm_crop"), &ours, &want);
        eprintln!(
            "swap: {name} step-0 crop: oracle M max diff {max} on {:.4}% px; our M max diff {max2} on {:.4}% px",
            frac * 100.0,
            frac2 * 100.0
        );
        crops += 1;
    }
    eprintln!(
        "swap: {steps} steps, max |M - oracle| linear {:e}, translation {:e}, {crops} step-0 crops",
        worst.0, worst.1
    );
    assert!(
        steps >= 9 && crops >= 2,
        "only {steps} steps / {crops} crops checked"
    );
}
