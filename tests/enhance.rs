//! face_enhancer: generated models of the enhancers' exact signatures, run through the real
//! plugin libraries (host loader, ONNX Runtime) and the `liveswap` binary, plus the
//! `every_n_frames` cache through the rlib with an in-test model.
//!
//! Generated models (written at test time with `liveswap_tests::onnx`):
//! * GFPGAN 1.4 / GPEN-BFR-512: `f32[1,3,512,512] → f32[1,3,512,512]`; GPEN-BFR-256 the same
//!   at 256; CodeFormer: `input` f32`[1,3,512,512]` + `weight` f64`[1]` → f32`[1,3,512,512]`.
//! * bodies: identity (`output = input`) and "brighten" (`output = clip(input + 0.4, −1, 1)`,
//!   +51 levels where the mask is 1).

use liveswap_face_enhancer::crop::align;
use liveswap_face_enhancer::{FaceEnhancerProcessor, FaceEnhancerSettings};
use liveswap_host::media::load_rgb;
use liveswap_host::models::ModelStore;
use liveswap_host::pipeline::{Pipeline, Services, StageEvent, pick_source_face};
use liveswap_host::plugins::{PluginSet, SearchPath};
use liveswap_host::profile::{Profile, RawProfile};
use liveswap_sdk::abi_stable::sabi_trait::TD_Opaque;
use liveswap_sdk::abi_stable::std_types::{
    RErr, ROk, ROption, RResult, RSlice, RSliceMut, RStr, RVec,
};
use liveswap_sdk::{
    Face, FrameCtx, FrameOutcome, FrameProcessor, ImageMut, ImageRef, Model, Model_TO, ModelInfo,
    ModelSignature, OwnedImage, SdkError, SourceFace, Tensor, TensorBuf, TensorRef, TensorSpec,
};
use liveswap_tests::onnx::{Attr, Data, Dim, Graph};
use liveswap_tests::{
    built_library, install_as_plugin, liveswap_command, ort_library, shared, shared_file, temp_dir,
    workspace,
};
use liveswap_vision::affine::warp_bounds;
use liveswap_vision::align::ffhq_template;
use liveswap_vision::invert_affine;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The analyser as `profiles/default.toml` sets it up (det_500m, w600k_mbf, 2d106det).
pub const ANALYSER: &str = "[[processors]]\nid = \"face_analyser\"\n[processors.settings]\ndetector_model = \"det_500m\"\nrecognizer_model = \"w600k_mbf\"\nlandmark_model = \"2d106det\"\n";

/// The real analyser, morpher, mouth mask and enhancer libraries through the host loader.
pub struct Rig {
    plugins: PluginSet,
    services: Arc<Services>,
    dir: PathBuf,
}

impl Rig {
    pub fn new(name: &str) -> Self {
        let dir = temp_dir(name);
        for id in [
            "content_guard",
            "face_analyser",
            "face_morpher",
            "mouth_mask",
            "face_enhancer",
        ] {
            install_as_plugin(&built_library(&format!("liveswap_{id}")), &dir, id);
        }
        let plugins = PluginSet::load(&[SearchPath::Cli(dir.clone())]);
        assert!(plugins.failures.is_empty(), "{:?}", plugins.failures);
        let store = ModelStore::new(vec![shared().join("models")]).unwrap();
        let services = Arc::new(Services::cpu(Some(ort_library()), store));
        Self {
            plugins,
            services,
            dir,
        }
    }

    /// Validates profile text (`schema_version` is prepended).
    pub fn profile(&self, stages: &str) -> Result<Profile, liveswap_host::profile::ProfileError> {
        let text = format!("schema_version = 1\n{stages}");
        let path = self.dir.join("profile.toml");
        std::fs::write(&path, &text).unwrap();
        let raw = RawProfile::parse(&text, &path)?;
        Profile::validate(&raw, &path, &self.plugins, &[])
    }

    pub fn try_pipeline(
        &self,
        stages: &str,
    ) -> Result<Pipeline, liveswap_host::pipeline::PipelineError> {
        Pipeline::build(
            &self.profile(stages).unwrap(),
            &self.plugins,
            &self.services,
        )
    }

    pub fn pipeline(&self, stages: &str) -> Pipeline {
        self.try_pipeline(stages).unwrap()
    }

    /// A prepared `--source`: the largest face of the image, found by the analyser.
    pub fn source(&self, image: &Path) -> SourceFace {
        let mut p = self.pipeline(ANALYSER);
        let img = load_rgb(image).unwrap();
        let label = image.display().to_string();
        let face = pick_source_face(&p.analyse(&mut img.clone()).faces, &label).unwrap();
        SourceFace {
            label: label.as_str().into(),
            role: "source".into(),
            image: img,
            face,
        }
    }

    /// Runs `stages` over `image` and returns the frame and the per-stage events.
    pub fn run(
        &self,
        stages: &str,
        image: &OwnedImage,
        sources: &[SourceFace],
    ) -> (OwnedImage, Vec<Face>, Vec<StageEvent>) {
        let mut p = self.pipeline(stages);
        let mut frame = image.clone();
        let report = p.process(&mut frame, 0, 0, sources);
        (frame, report.faces, report.events)
    }
}

/// A photo from `../shared/media`.
pub fn media(name: &str) -> PathBuf {
    shared_file(&format!("media/{name}"))
}

/// A `face_enhancer` stage with `model` and extra settings lines.
pub fn enhancer(model: &Path, extra: &str) -> String {
    format!(
        "[[processors]]\nid = \"face_enhancer\"\n[processors.settings]\nmodel = {:?}\n{extra}\n",
        model.to_str().unwrap()
    )
}

/// The morpher stage of `profiles/default.toml` (one face, the largest).
pub const MORPHER: &str = "[[processors]]\nid = \"face_morpher\"\n";

/// Writes an enhancer-signature model: `[1,3,size,size]` in and out, with `brighten` added
/// to the input (0 = identity) and clipped to [-1, 1].
pub fn enhancer_model(path: &Path, size: i64, brighten: f32) {
    let img = [
        Dim::Fixed(1),
        Dim::Fixed(3),
        Dim::Fixed(size),
        Dim::Fixed(size),
    ];
    let mut g = Graph::default();
    g.input("input", &img).output("output", &img);
    if brighten == 0.0 {
        g.node("Identity", &["input"], &["output"], &[]);
    } else {
        g.initializer("b", &[], Data::F32(vec![brighten]))
            .initializer("lo", &[], Data::F32(vec![-1.0]))
            .initializer("hi", &[], Data::F32(vec![1.0]))
            .node("Add", &["input", "b"], &["sum"], &[])
            .node("Clip", &["sum", "lo", "hi"], &["output"], &[]);
    }
    g.write(path, 11);
}

/// CodeFormer's exact signature: `input` f32 `[1,3,512,512]` and `weight` f64 `[1]` →
/// `output` f32, computing `output = input − weight` (so the weight is visible: 0.4 darkens
/// by 51 levels). The writer only emits f32 inputs, so the `weight` input's element type is
/// patched to DOUBLE (11) in the serialized bytes.
fn codeformer_model(path: &Path) {
    let img = [
        Dim::Fixed(1),
        Dim::Fixed(3),
        Dim::Fixed(512),
        Dim::Fixed(512),
    ];
    let mut g = Graph::default();
    g.input("input", &img)
        .input("weight", &[Dim::Fixed(1)])
        .output("output", &img)
        .node("Cast", &["weight"], &["w32"], &[("to", Attr::Int(1))])
        .node("Sub", &["input", "w32"], &["output"], &[]);
    let mut bytes = g.to_bytes(13);
    // GraphProto.input (field 11, bytes) holding ValueInfoProto{name: "weight", type: …}.
    let needle = b"\x0a\x06weight\x12";
    let at = (0..bytes.len() - needle.len())
        .find(|&i| i >= 2 && bytes[i - 2] == 0x5a && &bytes[i..i + needle.len()] == needle)
        .expect("weight input value info");
    // The first elem_type field (tag 0x08) after it: FLOAT (1) → DOUBLE (11).
    let et = (at..bytes.len() - 1)
        .find(|&i| bytes[i] == 0x08 && bytes[i + 1] == 0x01)
        .unwrap();
    bytes[et + 1] = 11;
    std::fs::write(path, bytes).unwrap();
}

fn events_of<'a>(events: &'a [StageEvent], id: &str) -> Vec<&'a StageEvent> {
    events
        .iter()
        .filter(|e| match e {
            StageEvent::Skipped { id: i, .. }
            | StageEvent::Failed { id: i, .. }
            | StageEvent::Disabled { id: i, .. } => i == id,
        })
        .collect()
}

/// Number of pixels that differ, and the box `[x0, y0, x1, y1]` (inclusive) around them.
fn changed(a: &OwnedImage, b: &OwnedImage) -> (usize, [usize; 4]) {
    let w = a.width as usize;
    let mut bx = [usize::MAX, usize::MAX, 0, 0];
    let mut n = 0;
    for (i, (p, q)) in a
        .data
        .chunks_exact(3)
        .zip(b.data.chunks_exact(3))
        .enumerate()
    {
        if p != q {
            n += 1;
            let (x, y) = (i % w, i / w);
            bx = [bx[0].min(x), bx[1].min(y), bx[2].max(x), bx[3].max(y)];
        }
    }
    (n, bx)
}

fn pixel(img: &OwnedImage, x: f32, y: f32) -> [u8; 3] {
    let i = (y as usize * img.width as usize + x as usize) * 3;
    [img.data[i], img.data[i + 1], img.data[i + 2]]
}

#[test]
fn identity_models_of_every_size_round_trip_exactly() {
    let rig = Rig::new("enhance-identity");
    let dir = temp_dir("enhance-identity-models");
    for (name, size) in [("gfpgan_like", 512), ("gpen_256_like", 256)] {
        let model = dir.join(format!("{name}.onnx"));
        enhancer_model(&model, size, 0.0);
        for photo in ["grace_hopper.jpg", "t1.jpg"] {
            let before = load_rgb(&media(photo)).unwrap();
            let (after, faces, events) = rig.run(
                &format!("{ANALYSER}{}", enhancer(&model, "blend = 100")),
                &before,
                &[],
            );
            assert!(!faces.is_empty(), "{photo}");
            assert!(
                events_of(&events, "face_enhancer").is_empty(),
                "{photo}: {events:?}"
            );
            let (n, _) = changed(&before, &after);
            assert_eq!(n, 0, "{name} on {photo}: {n} pixels changed");
        }
    }
}

#[test]
fn brightening_lands_on_each_face_inside_its_crop_footprint_and_blend_scales_it() {
    let rig = Rig::new("enhance-bright");
    let dir = temp_dir("enhance-bright-models");
    let model = dir.join("bright.onnx");
    enhancer_model(&model, 512, 0.4);
    let before = load_rgb(&media("two_people.jpg")).unwrap();
    let run = |blend: i64| {
        let (after, faces, events) = rig.run(
            &format!(
                "{ANALYSER}{}",
                enhancer(&model, &format!("blend = {blend}"))
            ),
            &before,
            &[],
        );
        assert!(
            blend == 0 || events_of(&events, "face_enhancer").is_empty(),
            "{events:?}"
        );
        (after, faces)
    };
    let (full, faces) = run(100);
    assert!(faces.len() >= 2, "{} faces", faces.len());
    // Every changed pixel lies in the union of the faces' warped-crop footprints.
    let (w, h) = (before.width as usize, before.height as usize);
    let boxes: Vec<_> = faces
        .iter()
        .map(|f| {
            let m = align(&f.kps, 512).unwrap();
            warp_bounds(&invert_affine(&m).unwrap(), 512, 512, w, h)
        })
        .collect();
    let mut outside = 0;
    for (i, (p, q)) in before
        .data
        .chunks_exact(3)
        .zip(full.data.chunks_exact(3))
        .enumerate()
    {
        let (x, y) = (i % w, i / w);
        if p != q
            && !boxes
                .iter()
                .any(|b| (b.x0..b.x1).contains(&x) && (b.y0..b.y1).contains(&y))
        {
            outside += 1;
        }
    }
    assert_eq!(
        outside, 0,
        "pixels changed outside every face's crop footprint"
    );
    // At each nose (mask ≈ 1 there) the face is 51 levels brighter, unless already near white.
    let (half, _) = run(50);
    for f in &faces {
        let [nx, ny] = f.kps[2];
        let (o, a, b) = (
            pixel(&before, nx, ny),
            pixel(&full, nx, ny),
            pixel(&half, nx, ny),
        );
        for c in 0..3 {
            let want = (f32::from(o[c]) + 51.0).min(255.0);
            assert!(
                (f32::from(a[c]) - want).abs() <= 2.0,
                "blend 100: {o:?} → {a:?}"
            );
            let want = f32::from(o[c]) + (want - f32::from(o[c])) / 2.0;
            assert!(
                (f32::from(b[c]) - want).abs() <= 2.0,
                "blend 50: {o:?} → {b:?}"
            );
        }
    }
    // Blend 0 leaves the frame exactly as it was.
    let (zero, _) = run(0);
    assert_eq!(changed(&before, &zero).0, 0, "blend 0 changed the frame");
    // …and is reported as a skip, not silently processed.
    let (_, _, events) = rig.run(
        &format!("{ANALYSER}{}", enhancer(&model, "blend = 0")),
        &before,
        &[],
    );
    assert!(
        matches!(
            events_of(&events, "face_enhancer")[..],
            [StageEvent::Skipped { .. }]
        ),
        "{events:?}"
    );
}

#[test]
fn swapped_only_enhances_the_faces_a_swapper_changed() {
    let rig = Rig::new("enhance-swapped");
    let dir = temp_dir("enhance-swapped-models");
    let model = dir.join("bright.onnx");
    enhancer_model(&model, 512, 0.4);
    let target = load_rgb(&media("two_people.jpg")).unwrap();
    let src = rig.source(&media("obama.jpg"));
    let sources = std::slice::from_ref(&src);
    // The morpher swaps one face (the largest); the enhancer then runs on swapped faces only.
    let (swapped, faces, _) = rig.run(&format!("{ANALYSER}{MORPHER}"), &target, sources);
    let (both, _, events) = rig.run(
        &format!(
            "{ANALYSER}{MORPHER}{}",
            enhancer(&model, "faces = \"swapped\"\nblend = 100")
        ),
        &target,
        sources,
    );
    assert!(events_of(&events, "face_enhancer").is_empty(), "{events:?}");
    assert!(faces.len() >= 2);
    let largest = faces
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.area().total_cmp(&b.1.area()))
        .unwrap()
        .0;
    for (i, f) in faces.iter().enumerate() {
        let [nx, ny] = f.kps[2];
        let (s, b) = (pixel(&swapped, nx, ny), pixel(&both, nx, ny));
        if i == largest {
            assert_ne!(s, b, "the swapped face {i} was not enhanced");
        } else {
            assert_eq!(s, b, "face {i} was not swapped but was enhanced");
        }
    }
    // With no swapper in front, `swapped` finds nothing to do and changes nothing.
    let (alone, _, events) = rig.run(
        &format!("{ANALYSER}{}", enhancer(&model, "faces = \"swapped\"")),
        &target,
        &[],
    );
    assert_eq!(changed(&target, &alone).0, 0);
    assert!(
        matches!(
            events_of(&events, "face_enhancer")[..],
            [StageEvent::Skipped { .. }]
        ),
        "{events:?}"
    );
}

#[test]
fn codeformer_signature_is_recognised_and_fidelity_reaches_its_f64_weight() {
    let rig = Rig::new("enhance-codeformer");
    let dir = temp_dir("enhance-codeformer-models");
    let model = dir.join("codeformer_like.onnx");
    codeformer_model(&model);
    let image = load_rgb(&media("grace_hopper.jpg")).unwrap();
    let run = |fidelity: f64| {
        let stages = format!(
            "{ANALYSER}{}",
            enhancer(&model, &format!("blend = 100\nfidelity = {fidelity:?}"))
        );
        let (out, faces, events) = rig.run(&stages, &image, &[]);
        assert!(events_of(&events, "face_enhancer").is_empty(), "{events:?}");
        (out, faces)
    };
    // weight 0: the model is the identity, and the round trip is exact.
    let (zero, _) = run(0.0);
    assert_eq!(zero, image, "fidelity 0 through an identity-at-0 model");
    // weight 0.4 (sent as f32, widened to f64 by the host): 51 levels darker at the nose.
    let (dark, faces) = run(0.4);
    let [nx, ny] = faces[0].kps[2];
    let (o, d) = (pixel(&image, nx, ny), pixel(&dark, nx, ny));
    for c in 0..3 {
        let want = (f32::from(o[c]) - 51.0).max(0.0);
        assert!((f32::from(d[c]) - want).abs() <= 2.0, "{o:?} → {d:?}");
    }
    // A model that is neither: a 3-input file names the plain signature's mismatch.
    let wrong = dir.join("swapper_like.onnx");
    let img = [
        Dim::Fixed(1),
        Dim::Fixed(3),
        Dim::Fixed(128),
        Dim::Fixed(128),
    ];
    let mut g = Graph::default();
    g.input("a", &img)
        .input("b", &img)
        .input("c", &img)
        .output("output", &img)
        .node("Sum", &["a", "b", "c"], &["output"], &[]);
    g.write(&wrong, 11);
    let err = match rig.try_pipeline(&format!("{ANALYSER}{}", enhancer(&wrong, ""))) {
        Ok(_) => panic!("a 3-input model was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("expected 1 input"), "{err}");
}

#[test]
fn liveswap_runs_the_whole_chain_with_a_generated_enhancer_given_as_a_path() {
    let dir = temp_dir("enhance-cli");
    let (ident, bright) = (dir.join("identity.onnx"), dir.join("bright.onnx"));
    enhancer_model(&ident, 512, 0.0);
    enhancer_model(&bright, 512, 0.4);
    // default-mouth (analyser → morpher → mouth_mask) plus the enhancer.
    let base = std::fs::read_to_string(workspace().join("profiles/default-mouth.toml")).unwrap();
    let profile = dir.join("chain.toml");
    std::fs::write(
        &profile,
        format!("{base}\n[[processors]]\nid = \"face_enhancer\"\n[processors.settings]\nmodel = \"gfpgan_1.4\"\n"),
    )
    .unwrap();
    let run = |profile: &Path, out: &Path, set: &[String]| {
        let mut cmd = liveswap_command();
        cmd.args(["run", "--profile", profile.to_str().unwrap()])
            .args(["--target", media("biden.jpg").to_str().unwrap()])
            .args(["--source", media("obama.jpg").to_str().unwrap()])
            .args(["--output", out.to_str().unwrap(), "--overwrite", "-q"])
            .current_dir(workspace())
            .env("ORT_DYLIB_PATH", ort_library())
            .env("LIVESWAP_MODELS_DIR", shared().join("models"))
            .env_remove("LIVESWAP_PLUGIN_PATH");
        for s in set {
            cmd.args(["--set", s]);
        }
        let o = cmd.output().unwrap();
        assert!(
            o.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        load_rgb(out).unwrap()
    };
    let plain = run(
        &workspace().join("profiles/default-mouth.toml"),
        &dir.join("plain.png"),
        &[],
    );
    let set = |m: &Path| {
        vec![
            format!("face_enhancer.model={}", m.display()),
            "face_enhancer.blend=100".into(),
        ]
    };
    let with_identity = run(&profile, &dir.join("identity.png"), &set(&ident));
    assert_eq!(
        changed(&plain, &with_identity).0,
        0,
        "an identity enhancer changed the swapped frame"
    );
    let brightened = run(&profile, &dir.join("bright.png"), &set(&bright));
    let (n, bx) = changed(&plain, &brightened);
    let original = load_rgb(&media("biden.jpg")).unwrap();
    eprintln!(
        "bright enhancer changed {n} pixels in {bx:?} of {}×{}",
        original.width, original.height
    );
    assert!(n > 10_000, "the enhancer did not run: {n} pixels changed");
}

/// An in-test model with the plain enhancer signature: adds `add` to every input value and
/// counts its calls.
struct CountingModel {
    size: i64,
    add: f32,
    calls: Arc<AtomicUsize>,
}

impl Model for CountingModel {
    fn info(&self) -> ModelInfo {
        let spec = TensorSpec::f32(&[1, 3, self.size, self.size]);
        ModelInfo {
            id: "counting".into(),
            path: "counting.onnx".into(),
            signature: ModelSignature::new(vec![spec.clone()], vec![spec]),
            provider: "test".into(),
        }
    }

    fn run(&self, inputs: RSlice<'_, TensorRef<'_>>) -> RResult<RVec<Tensor>, SdkError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let Some(x) = inputs.first().and_then(|t| t.as_f32()) else {
            return RErr(SdkError::internal("expected one f32 input"));
        };
        ROk(vec![Tensor {
            name: "output".into(),
            shape: vec![1, 3, self.size, self.size].into(),
            data: TensorBuf::f32(
                &x.iter()
                    .map(|v| (v + self.add).clamp(-1.0, 1.0))
                    .collect::<Vec<f32>>(),
            ),
        }]
        .into())
    }

    fn initializer(&self, _selector: RStr<'_>) -> RResult<ROption<Tensor>, SdkError> {
        ROk(ROption::RNone)
    }
}

/// A 320×320 frame with smooth texture and one face placed on the FFHQ template (256 crop,
/// scale 0.8, shifted by (40, 30)).
fn synthetic_face(track: Option<u64>) -> (OwnedImage, Face) {
    let (w, h) = (320usize, 320usize);
    let data: Vec<u8> = (0..w * h * 3)
        .map(|i| (30 + (i / 3) % w / 3 + (i / 3) / w / 4 + (i % 3) * 20) as u8)
        .collect();
    let kps = ffhq_template(256).map(|[x, y]| [x * 0.8 + 40.0, y * 0.8 + 30.0]);
    let mut face = Face::new([60.0, 40.0, 260.0, 280.0], 0.9, kps);
    face.track_id = track.into();
    (
        OwnedImage {
            data: data.into(),
            width: w as u32,
            height: h as u32,
        },
        face,
    )
}

/// Runs `frames` frames of the same picture through one processor; returns the model calls
/// and each output.
fn run_frames(every_n: u64, track: Option<u64>, frames: u64) -> (usize, Vec<OwnedImage>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let model = Model_TO::from_value(
        CountingModel {
            size: 256,
            add: 0.4,
            calls: Arc::clone(&calls),
        },
        TD_Opaque,
    );
    let settings = FaceEnhancerSettings {
        every_n_frames: every_n,
        blend: 1.0,
        ..FaceEnhancerSettings::default()
    };
    let mut p = FaceEnhancerProcessor::with_model(settings, model).unwrap();
    assert_eq!(p.crop_size(), 256);
    let (original, face) = synthetic_face(track);
    let mut outs = Vec::new();
    for index in 0..frames {
        let mut frame = original.clone();
        let mut faces: RVec<Face> = vec![face.clone()].into();
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
            kind: liveswap_sdk::FrameKind::VIDEO,
            index,
            timestamp_us: 0,
            faces: &mut faces,
            sources: RSlice::from_slice(&[]),
        };
        assert_eq!(p.process(&mut ctx).unwrap(), FrameOutcome::Processed);
        outs.push(frame);
    }
    (calls.load(Ordering::SeqCst), outs)
}

#[test]
fn every_n_frames_reuses_a_tracked_face_and_enhances_untracked_faces_every_frame() {
    let (calls, outs) = run_frames(3, Some(7), 7);
    assert_eq!(calls, 3, "frames 0, 3 and 6 run the model");
    let (original, _) = synthetic_face(None);
    for (i, o) in outs.iter().enumerate() {
        assert!(changed(&original, o).0 > 1000, "frame {i} was not enhanced");
        // Same picture, same face: a reused enhancement pastes exactly like a fresh one.
        assert_eq!(o.data, outs[0].data, "frame {i}");
    }
    assert_eq!(run_frames(3, None, 5).0, 5, "no track id: every frame");
    assert_eq!(
        run_frames(1, Some(7), 4).0,
        4,
        "every_n_frames = 1: every frame"
    );
}

/// `output = 0·input`: every face becomes flat grey (level 128) where the mask is 1.
fn grey_model(path: &Path) {
    let img = [
        Dim::Fixed(1),
        Dim::Fixed(3),
        Dim::Fixed(512),
        Dim::Fixed(512),
    ];
    let mut g = Graph::default();
    g.input("input", &img)
        .output("output", &img)
        .initializer("zero", &[], Data::F32(vec![0.0]))
        .node("Mul", &["input", "zero"], &["output"], &[]);
    g.write(path, 11);
}

#[test]
fn every_n_frames_follows_the_analysers_track_ids_through_the_pipeline() {
    let rig = Rig::new("enhance-tracked");
    let dir = temp_dir("enhance-tracked-models");
    let model = dir.join("grey.onnx");
    grey_model(&model);
    let photo = load_rgb(&media("obama.jpg")).unwrap();
    // Frame k is the photo 20·k levels brighter: a fresh enhancement turns the nose grey
    // (128), a reused one adds the change computed on the darker frame 0 (128 + 20·k).
    let frame = |k: u8| {
        let mut f = photo.clone();
        f.data
            .iter_mut()
            .for_each(|v| *v = v.saturating_add(20 * k));
        f
    };
    let noses = |every_n: u64| -> Vec<f32> {
        let mut p = rig.pipeline(&format!(
            "{ANALYSER}{}",
            enhancer(&model, &format!("blend = 100\nevery_n_frames = {every_n}"))
        ));
        (0..4u8)
            .map(|k| {
                let mut f = frame(k);
                let report = p.process(&mut f, u64::from(k), i64::from(k) * 33_367, &[]);
                assert!(report.events.is_empty(), "{:?}", report.events);
                let face = &report.faces[0];
                assert!(face.track_id.is_some(), "the analyser gave no track id");
                let [x, y] = face.kps[2];
                let px = pixel(&f, x, y);
                px.iter().map(|&v| f32::from(v)).sum::<f32>() / 3.0
            })
            .collect()
    };
    let fresh = noses(1);
    let reused = noses(3);
    eprintln!("nose level per frame: every frame {fresh:?}, every 3rd frame {reused:?}");
    for v in &fresh {
        assert!((v - 128.0).abs() <= 3.0, "every frame: {fresh:?}");
    }
    let want = [128.0, 148.0, 168.0, 128.0];
    for (v, w) in reused.iter().zip(want) {
        assert!(
            (v - w).abs() <= 6.0,
            "every 3rd frame: {reused:?}, want ≈ {want:?}"
        );
    }
}
