//! End to end with small generated models of inswapper's exact signature: paste-back round
//! trip, batching, source averaging, identity strength, and `--map` on a two-face photo.
//! The analyser runs w600k_mbf here, so the swapper's `embedding_space` is set to match.

use super::models::{self, DIM};
use super::{Rig, liveswap, load, media, swap_profile, text};
use liveswap_face_swapper::{CROP, blob_rgb01, output_to_rgb8};
use liveswap_sdk::{Face, OwnedImage, SourceFace};
use liveswap_swapkit::{BlendOptions, Paster};
use liveswap_tests::onnx::Dim;
use liveswap_tests::temp_dir;
use liveswap_vision::Image;
use liveswap_vision::align::norm_crop;
use std::path::Path;

const ANALYSER_ONLY: &str = "schema_version = 1\n[[processors]]\nid = \"face_analyser\"\n";

/// The faces of an image (analyser defaults: det_500m, w600k_mbf).
fn faces(rig: &Rig, image: &Path) -> Vec<Face> {
    let mut p = rig.pipeline(&rig.profile(ANALYSER_ONLY).unwrap());
    p.analyse(&mut load(image)).faces
}

fn embedding(face: &Face) -> Vec<f32> {
    face.embedding.as_ref().unwrap().values.to_vec()
}

/// A prepared source: the largest face of `image`.
fn source(rig: &Rig, image: &Path, role: &str) -> SourceFace {
    let face = faces(rig, image)
        .into_iter()
        .max_by(|a, b| a.area().total_cmp(&b.area()))
        .unwrap();
    SourceFace {
        label: image.display().to_string().as_str().into(),
        role: role.into(),
        image: load(image),
        face,
    }
}

/// Mean change of channel `c` over the middle third of `bbox`.
fn centre_delta(before: &OwnedImage, after: &OwnedImage, bbox: [f32; 4], c: usize) -> f64 {
    let (w, h) = (bbox[2] - bbox[0], bbox[3] - bbox[1]);
    let (x0, x1) = ((bbox[0] + w / 3.0) as usize, (bbox[2] - w / 3.0) as usize);
    let (y0, y1) = ((bbox[1] + h / 3.0) as usize, (bbox[3] - h / 3.0) as usize);
    let mut sum = 0.0;
    for y in y0..y1 {
        for x in x0..x1 {
            let i = (y * before.width as usize + x) * 3 + c;
            sum += f64::from(after.data[i]) - f64::from(before.data[i]);
        }
    }
    sum / ((x1 - x0) * (y1 - y0)) as f64
}

/// A 512×3 tint matrix with column `c` = `scale · v`.
fn tint_w(columns: &[(usize, f32, &[f32])]) -> Vec<f32> {
    let mut w = vec![0.0f32; DIM * 3];
    for (c, scale, v) in columns {
        for i in 0..DIM {
            w[i * 3 + c] = scale * v[i];
        }
    }
    w
}

#[test]
fn identity_model_round_trips_and_report_sees_the_original() {
    let dir = temp_dir("swap-identity");
    let model = dir.join("identity.onnx");
    models::identity(&model, Dim::Fixed(1));
    let profile = dir.join("p.toml");
    std::fs::write(
        &profile,
        swap_profile(&format!(
            "model = {:?}\nembedding_space = \"w600k_mbf\"",
            model.to_str().unwrap()
        )),
    )
    .unwrap();
    let out = dir.join("out.png");
    let target = media("grace_hopper.jpg");
    let o = liveswap(&[
        "run",
        "--profile",
        profile.to_str().unwrap(),
        "--target",
        target.to_str().unwrap(),
        "--source",
        media("obama.jpg").to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--report",
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stdout}\n{stderr}");
    let (before, after) = (load(&target), load(&out));
    // Changes stay inside the face's paste region, and are small (two bilinear resamplings
    // and one truncation).
    let w = before.width as usize;
    let mut changed = [usize::MAX, usize::MAX, 0, 0];
    let (mut sum, mut n) = (0u64, 0u64);
    for (i, (a, b)) in before
        .data
        .chunks_exact(3)
        .zip(after.data.chunks_exact(3))
        .enumerate()
    {
        if a != b {
            let (x, y) = (i % w, i / w);
            changed = [
                changed[0].min(x),
                changed[1].min(y),
                changed[2].max(x),
                changed[3].max(y),
            ];
            sum += a
                .iter()
                .zip(b)
                .map(|(p, q)| u64::from(p.abs_diff(*q)))
                .sum::<u64>();
            n += 3;
        }
    }
    let rig = Rig::new("swap-identity-rig");
    let face = &faces(&rig, &target)[0];
    let [x1, y1, x2, y2] = face.bbox;
    let (fw, fh) = (x2 - x1, y2 - y1);
    assert!(
        changed[0] as f32 >= x1 - fw
            && changed[2] as f32 <= x2 + fw
            && changed[1] as f32 >= y1 - fh
            && changed[3] as f32 <= y2 + fh,
        "changed box {changed:?} is not around the face {:?}",
        face.bbox
    );
    // The face is about twice the crop's resolution, so the round trip through the 128×128
    // crop loses detail: a few levels on average, not a visible change.
    let mean = sum as f64 / n as f64;
    eprintln!(
        "identity round trip: changed box {changed:?}, mean |Δ| {mean:.3} over changed pixels"
    );
    assert!(n > 0 && mean < 8.0, "mean abs difference {mean}");
    // Exactly the library's crop → blob → (identity) → truncation → paste-back.
    let mut expect = Image::from_vec(before.data.to_vec(), w, before.height as usize, 3).unwrap();
    let (crop, m) = norm_crop(expect.view(), &face.kps, CROP as u32).unwrap();
    let mut blob = Vec::new();
    blob_rgb01(crop.view(), &mut blob).unwrap();
    let fake = output_to_rgb8(&blob, CROP).unwrap();
    Paster::new()
        .paste(
            &mut expect.view_mut(),
            fake.view(),
            &m,
            &BlendOptions::default(),
        )
        .unwrap()
        .unwrap();
    assert!(
        expect.data == after.data.as_slice(),
        "the plugin's output differs from the library composition"
    );
    // The report compares the output face with the source and with the original.
    let line = stdout
        .lines()
        .find(|l| l.starts_with("report: face 0"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        line.contains("obama.jpg") && line.contains("swap did not take"),
        "{line}"
    );
    let to_target: f32 = line
        .split("to original target ")
        .nth(1)
        .unwrap()
        .split(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(to_target > 0.9, "{line}");
}

#[test]
fn dynamic_batch_runs_every_face_in_one_call() {
    let rig = Rig::new("swap-batch");
    let dir = temp_dir("swap-batch-models");
    let target = media("two_people.jpg");
    let src = source(&rig, &media("obama.jpg"), "source");
    for (batch, want) in [(Dim::Named("N"), 51.0), (Dim::Fixed(1), 25.5)] {
        let model = dir.join("count.onnx");
        models::batch_count(&model, batch);
        let text = swap_profile(&format!(
            "model = {:?}\nembedding_space = \"w600k_mbf\"\nface_selection = \"many\"",
            model.to_str().unwrap()
        ));
        let mut p = rig.pipeline(&rig.profile(&text).unwrap());
        let mut frame = load(&target);
        let report = p.process(&mut frame, 0, 0, std::slice::from_ref(&src));
        assert!(report.events.is_empty(), "{:?}", report.events);
        assert_eq!(report.faces.len(), 2);
        for f in &report.faces {
            let (cx, cy) = (
                ((f.bbox[0] + f.bbox[2]) / 2.0) as usize,
                ((f.bbox[1] + f.bbox[3]) / 2.0) as usize,
            );
            let v = f64::from(frame.data[(cy * frame.width as usize + cx) * 3]);
            assert!(
                (v - want).abs() <= 1.0,
                "batch model saw {}, pixel {v}, want {want}",
                v / 25.5
            );
        }
    }
}

#[test]
fn sources_are_averaged_and_identity_strength_blends_toward_the_target() {
    let rig = Rig::new("swap-average");
    let dir = temp_dir("swap-average-models");
    let target = media("biden.jpg");
    let (a, b) = (
        source(&rig, &media("obama.jpg"), "source"),
        source(&rig, &media("obama2.jpg"), "source"),
    );
    let (ea, eb) = (embedding(&a.face), embedding(&b.face));
    let mean: Vec<f32> = ea.iter().zip(&eb).map(|(x, y)| x + y).collect();
    let norm = mean.iter().map(|v| v * v).sum::<f32>().sqrt();
    let unit: Vec<f32> = mean.iter().map(|v| v / norm).collect();
    // Blue += 0.1 · cos(latent, averaged identity): 25.5 levels for the averaged latent.
    let model = dir.join("tint.onnx");
    models::tint(
        &model,
        Dim::Fixed(1),
        &tint_w(&[(2, 0.1, &unit)]),
        models::identity_emap(),
    );
    let before = load(&target);
    let bbox = faces(&rig, &target)[0].bbox;
    let run = |extra: &str, sources: &[SourceFace]| {
        let text = swap_profile(&format!(
            "model = {:?}\nembedding_space = \"w600k_mbf\"\n{extra}",
            model.to_str().unwrap()
        ));
        let mut p = rig.pipeline(&rig.profile(&text).unwrap());
        let mut frame = before.clone();
        let report = p.process(&mut frame, 0, 0, sources);
        assert!(report.events.is_empty(), "{:?}", report.events);
        centre_delta(&before, &frame, bbox, 2)
    };
    let both = run("", &[a.clone(), b]);
    let one = run("", std::slice::from_ref(&a));
    let none = run("identity_strength = 0.0", &[a]);
    let cos_one: f32 = ea.iter().zip(&unit).map(|(x, y)| x * y).sum();
    eprintln!(
        "blue shift: two sources {both:.2}, one {one:.2} (cos {cos_one:.3}), strength 0 {none:.2}"
    );
    assert!((both - 25.5).abs() < 1.5, "averaged source: {both}");
    assert!(one < both - 0.5, "one source {one} vs averaged {both}");
    assert!(
        none.abs() < 8.0 && none < one - 10.0,
        "identity strength 0: {none}"
    );
}

#[test]
fn map_pairs_each_source_with_its_own_target() {
    let rig = Rig::new("swap-map");
    let dir = temp_dir("swap-map-models");
    let target = media("obama_and_biden.jpg");
    let (src_a, src_b) = (media("astronaut.png"), media("grace_hopper.jpg"));
    let ea = embedding(&source(&rig, &src_a, "source").face);
    let eb = embedding(&source(&rig, &src_b, "source").face);
    // Source A tints red, source B green (identity emap: latent = normed embedding).
    let model = dir.join("tint.onnx");
    models::tint(
        &model,
        Dim::Fixed(1),
        &tint_w(&[(0, 0.4, &ea), (1, 0.4, &eb)]),
        models::identity_emap(),
    );
    let profile = dir.join("p.toml");
    std::fs::write(
        &profile,
        swap_profile(&format!(
            "model = {:?}\nembedding_space = \"w600k_mbf\"",
            model.to_str().unwrap()
        )),
    )
    .unwrap();
    let out = dir.join("out.png");
    let map_a = format!("{}={}", media("obama2.jpg").display(), src_a.display());
    let map_b = format!("{}={}", media("biden.jpg").display(), src_b.display());
    let o = liveswap(&[
        "run",
        "--profile",
        profile.to_str().unwrap(),
        "--target",
        target.to_str().unwrap(),
        "--map",
        &map_a,
        "--map",
        &map_b,
        "--output",
        out.to_str().unwrap(),
        "--report",
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stdout}\n{stderr}");
    // Which target face is whom: the one nearest each map target's identity (the detector
    // may also report a third, spurious face).
    let found = faces(&rig, &target);
    assert!(found.len() >= 2, "{} faces", found.len());
    let nearest = |image: &str| -> Face {
        let e = embedding(&source(&rig, &media(image), "source").face);
        let cos = |f: &Face| -> f32 { embedding(f).iter().zip(&e).map(|(x, y)| x * y).sum() };
        found
            .iter()
            .max_by(|a, b| cos(a).total_cmp(&cos(b)))
            .unwrap()
            .clone()
    };
    let (ob, bi) = (&nearest("obama2.jpg"), &nearest("biden.jpg"));
    assert_ne!(ob.bbox, bi.bbox);
    let (before, after) = (load(&target), load(&out));
    let shift = |f: &Face| {
        (
            centre_delta(&before, &after, f.bbox, 0),
            centre_delta(&before, &after, f.bbox, 1),
        )
    };
    let (ob_r, ob_g) = shift(ob);
    let (bi_r, bi_g) = shift(bi);
    eprintln!("map: obama face ΔR {ob_r:.1} ΔG {ob_g:.1}; biden face ΔR {bi_r:.1} ΔG {bi_g:.1}");
    assert!(
        ob_r > 40.0 && ob_r > ob_g + 30.0,
        "obama's face should be red (source A)"
    );
    assert!(
        bi_g > 40.0 && bi_g > bi_r + 30.0,
        "biden's face should be green (source B)"
    );
    // The report names each face's own source.
    let lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("report: face"))
        .collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines.iter().any(|l| l.contains("astronaut.png"))
            && lines.iter().any(|l| l.contains("grace_hopper.jpg")),
        "{stdout}"
    );
    // The same pairs as a `[[map]]` table (paths relative to the profile file) give the same
    // image, with face_selection = map implied in both cases.
    let pairs = dir.join("pairs");
    std::fs::create_dir_all(&pairs).unwrap();
    for f in [
        "obama2.jpg",
        "biden.jpg",
        "astronaut.png",
        "grace_hopper.jpg",
    ] {
        std::fs::copy(media(f), pairs.join(f)).unwrap();
    }
    let table = "[[map]]\ntarget = \"pairs/obama2.jpg\"\nsource = \"pairs/astronaut.png\"\n[[map]]\ntarget = \"pairs/biden.jpg\"\nsource = \"pairs/grace_hopper.jpg\"\n";
    let written = std::fs::read_to_string(&profile).unwrap();
    let with_table = dir.join("with_map.toml");
    std::fs::write(
        &with_table,
        written.replacen(
            "schema_version = 1\n",
            &format!("schema_version = 1\n{table}"),
            1,
        ),
    )
    .unwrap();
    let out2 = dir.join("out2.png");
    let o = liveswap(&[
        "run",
        "--profile",
        with_table.to_str().unwrap(),
        "--target",
        target.to_str().unwrap(),
        "--output",
        out2.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stdout}\n{stderr}");
    assert!(
        load(&out2).data == after.data,
        "[[map]] table and --map pairs differ"
    );
}
