//! The inswapper path against insightface 0.7.3's own `INSwapper` run on the stand-in model
//! with inswapper's exact signature (`../shared/reference/standin_inswapper_128.onnx`,
//! reference README §2.2, §3, §4, §6), at the README §7 tier-1 tolerances:
//! crops ≤ 1 level on ≤ 0.5% of values, latent ≤ 1e-6 from the oracle embedding,
//! raw output ≤ 1 level on ≤ 5%, final image ≤ 2 levels on ≤ 3%, mask parameters exact,
//! changed pixels within ±10.
//!
//! The reference used w600k_mbf embeddings with the stand-in, so the swapper's
//! `embedding_space` is set to `w600k_mbf` here.

use super::{Rig, diff, load, swap_profile};
use liveswap_face_swapper::{CROP, DIM, Emap, blob_rgb01, latent, output_to_rgb8, signature};
use liveswap_host::inference::{InferenceOptions, InferenceService};
use liveswap_sdk::{Embedding, Face, OwnedImage, SourceFace, TensorRef};
use liveswap_swapkit::{BlendOptions, Paster};
use liveswap_tests::{ort_library, read_json, shared_file};
use liveswap_vision::align::norm_crop;
use liveswap_vision::{Affine, Image};
use serde_json::Value;
use std::path::PathBuf;

const SWAPS: [&str; 3] = [
    "swap_obama_to_biden",
    "swap_biden_to_two_people",
    "swap_astronaut_to_t1",
];

fn reference(rel: &str) -> PathBuf {
    shared_file(&format!("reference/{rel}"))
}

fn f32s(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

fn affine(v: &Value) -> Affine {
    let r = |i: usize| -> [f64; 3] {
        let row = v[i].as_array().unwrap();
        [0, 1, 2].map(|j| row[j].as_f64().unwrap())
    };
    [r(0), r(1)]
}

fn kps(v: &Value) -> [[f32; 2]; 5] {
    let p: Vec<Vec<f32>> = v.as_array().unwrap().iter().map(f32s).collect();
    [0, 1, 2, 3, 4].map(|i| [p[i][0], p[i][1]])
}

fn to_image(o: &OwnedImage) -> Image {
    Image::from_vec(o.data.to_vec(), o.width as usize, o.height as usize, 3).unwrap()
}

/// The decoded target exactly as OpenCV decoded it (PNG copies of the JPEGs).
fn target(sw: &Value) -> OwnedImage {
    let key = sw["target"]["image_key"].as_str().unwrap();
    load(&reference(&format!("setA/{key}_decoded.png")))
}

fn png(name: &Value) -> OwnedImage {
    load(&reference(&format!("setA/{}", name.as_str().unwrap())))
}

fn check(what: &str, got: &[u8], want: &[u8], max_level: u8, max_frac: f64) -> (u8, f64) {
    let (max, frac) = diff(got, want);
    assert!(
        max <= max_level && frac <= max_frac,
        "{what}: max diff {max} on {:.3}% of values (allowed {max_level} on {:.1}%)",
        frac * 100.0,
        max_frac * 100.0
    );
    (max, frac)
}

#[test]
fn steps_match_insightface_on_the_standin() {
    let service = InferenceService::new(InferenceOptions {
        ort_lib: Some(ort_library()),
        ..InferenceOptions::default()
    })
    .unwrap();
    let model = service
        .open(
            &reference("standin_inswapper_128.onnx"),
            "standin_inswapper_128",
            &signature(),
        )
        .unwrap();
    let emap = Emap::from_tensor(&model.initializer_tensor("#-1").unwrap().unwrap(), DIM).unwrap();
    let (mut steps, mut worst_latent) = (0, 0.0f32);
    for name in SWAPS {
        let sw = read_json(&reference(&format!("setA/{name}.json")));
        let emb = f32s(&sw["source"]["embedding_normed"]);
        let lat = latent(&emap, &emb).unwrap();
        let mut cur = to_image(&target(&sw));
        let mut paster = Paster::new();
        for (k, step) in sw["steps"].as_array().unwrap().iter().enumerate() {
            let at = format!("{name} step {k}");
            let want_lat = f32s(&step["latent"]);
            let dl = lat
                .iter()
                .zip(&want_lat)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            worst_latent = worst_latent.max(dl);
            assert!(dl <= 1e-6, "{at}: latent off by {dl:e}");

            let (crop, m) =
                norm_crop(cur.view(), &kps(&step["target_face_kps"]), CROP as u32).unwrap();
            // The oracle's M carries scikit-image's float32 noise; the vision crate's oracle
            // tests bound it the same way (linear ≤ 2e-7, translation ≤ 1e-4 px).
            let want_m = affine(&step["M"]);
            let d = |i: usize, j: usize| (m[i][j] - want_m[i][j]).abs();
            let lin = d(0, 0).max(d(0, 1)).max(d(1, 0)).max(d(1, 1));
            let tr = d(0, 2).max(d(1, 2));
            assert!(lin <= 2e-7 && tr <= 1e-4, "{at}: M off by {lin:e} / {tr:e}");
            let (cm, cf) = check(
                &format!("{at} crop"),
                &crop.data,
                &png(&step["target_crop128_png"]).data,
                1,
                0.005,
            );

            let mut blob = Vec::new();
            blob_rgb01(crop.view(), &mut blob).unwrap();
            let shape_t = [1, 3, CROP as i64, CROP as i64];
            let shape_s = [1, DIM as i64];
            let out = model
                .run_tensors(&[
                    TensorRef::f32(&shape_t, &blob),
                    TensorRef::f32(&shape_s, &lat),
                ])
                .unwrap();
            let fake = output_to_rgb8(out[0].as_f32().unwrap(), CROP).unwrap();
            let (rm, rf) = check(
                &format!("{at} raw output"),
                &fake.data,
                &png(&step["raw_output128_png"]).data,
                1,
                0.05,
            );

            let before = cur.clone();
            let rep = paster
                .paste(
                    &mut cur.view_mut(),
                    fake.view(),
                    &m,
                    &BlendOptions::default(),
                )
                .unwrap()
                .unwrap();
            let pb = &step["paste_back"];
            let int = |key: &str| pb[key].as_u64().unwrap() as usize;
            assert_eq!(
                (
                    rep.mask_h,
                    rep.mask_w,
                    rep.params.mask_size,
                    rep.params.erode_kernel,
                    rep.params.gaussian_ksize
                ),
                (
                    int("mask_h"),
                    int("mask_w"),
                    int("mask_size"),
                    int("erode_kernel"),
                    int("gaussian_ksize")
                ),
                "{at}: mask parameters"
            );
            let changed = before
                .data
                .chunks_exact(3)
                .zip(cur.data.chunks_exact(3))
                .filter(|(a, b)| a != b)
                .count();
            let want_changed = int("changed_pixels");
            assert!(
                changed.abs_diff(want_changed) <= 10,
                "{at}: {changed} pixels changed, oracle {want_changed}"
            );
            eprintln!(
                "{at}: |Δlatent| {dl:.1e}, crop {cm}/{:.3}%, raw {rm}/{:.3}%, changed {changed} vs {want_changed}",
                cf * 100.0,
                rf * 100.0
            );
            steps += 1;
        }
        let (fm, ff) = check(
            &format!("{name} final"),
            &cur.data,
            &png(&sw["final_png"]).data,
            2,
            0.03,
        );
        // The region file too, and outside it the decoded target exactly.
        let r: Vec<usize> = sw["final_region_xyxy"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        let region = png(&sw["final_region_png"]);
        let w = cur.width;
        let mut got_region = Vec::new();
        for y in r[1]..r[3] {
            got_region.extend_from_slice(&cur.data[(y * w + r[0]) * 3..(y * w + r[2]) * 3]);
        }
        check(
            &format!("{name} final region"),
            &got_region,
            &region.data,
            2,
            0.03,
        );
        let orig = target(&sw);
        for (i, (a, b)) in cur
            .data
            .chunks_exact(3)
            .zip(orig.data.chunks_exact(3))
            .enumerate()
        {
            let (x, y) = (i % w, i / w);
            if x < r[0] || x >= r[2] || y < r[1] || y >= r[3] {
                assert_eq!(
                    a, b,
                    "{name}: pixel ({x}, {y}) outside the swapped region changed"
                );
            }
        }
        eprintln!("{name}: final {fm}/{:.3}%", ff * 100.0);
    }
    eprintln!("inswapper parity: {steps} steps, worst |Δlatent| {worst_latent:e}");
    assert_eq!(steps, 9);
}

/// The real plugin library through the host: analyser (det_500m) → face_swapper in `many`
/// mode on the stand-in, the oracle's source embedding given as the source face.
#[test]
fn plugin_reproduces_the_final_images() {
    let rig = Rig::new("swap-parity");
    let standin = reference("standin_inswapper_128.onnx");
    let profile = rig
        .profile(&swap_profile(&format!(
            "model = {:?}\nembedding_space = \"w600k_mbf\"\nface_selection = \"many\"",
            standin.to_str().unwrap()
        )))
        .unwrap();
    let mut pipeline = rig.pipeline(&profile);
    for name in SWAPS {
        let sw = read_json(&reference(&format!("setA/{name}.json")));
        let mut face = Face::new([0.0, 0.0, 1.0, 1.0], 1.0, [[0.0; 2]; 5]);
        face.embedding = Some(Embedding {
            values: f32s(&sw["source"]["embedding_normed"]).into(),
            raw_norm: 1.0,
            space: "w600k_mbf".into(),
        })
        .into();
        let source = SourceFace {
            label: sw["source"]["face_id"].as_str().unwrap().into(),
            role: "source".into(),
            image: OwnedImage {
                data: Default::default(),
                width: 0,
                height: 0,
            },
            face,
        };
        let mut frame = target(&sw);
        let report = pipeline.process(&mut frame, 0, 0, &[source]);
        assert!(report.events.is_empty(), "{name}: {:?}", report.events);
        let want_faces = sw["target"]["num_faces"].as_u64().unwrap() as usize;
        assert_eq!(report.faces.len(), want_faces, "{name}: faces");
        let (m, f) = check(
            &format!("{name} plugin final"),
            &frame.data,
            &png(&sw["final_png"]).data,
            2,
            0.03,
        );
        eprintln!("{name}: plugin final {m}/{:.3}%", f * 100.0);
    }
}
