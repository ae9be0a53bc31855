//! Video end to end: clips generated with the ffmpeg CLI at test time and the real clips in
//! `../shared/media`, run through the `liveswap` binary (and once through the library),
//! checked with ffprobe: frame count, average frame rate, timestamps, audio presence and
//! duration, container and codec, provenance tag; corrupt and truncated inputs, encoder
//! fallback, refusals, and cancellation by SIGINT.
//!
//! Needs the `ffmpeg` and `ffprobe` programs (host/scripts/setup.sh installs them). Clips
//! are tiny (160x120) and real clips are trimmed, with a small detector size, to keep the
//! module fast on 2 cores.

use liveswap_host::video::{self, FrameMeta, NoObserver, VideoJob};
use liveswap_tests::{liveswap_command, ort_library, shared, shared_file, temp_dir, workspace};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

/// A fast analyser: small detector input, no landmarks.
const FAST: [&str; 4] = [
    "--set",
    "face_analyser.det_size=160",
    "--set",
    "face_analyser.landmark_model=",
];

pub(crate) fn ffmpeg(args: &[&str]) {
    let o = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .expect("the ffmpeg program is needed (host/scripts/setup.sh installs it)");
    assert!(
        o.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A clip of `frames` frames at 10 fps made of the astronaut photo, through the ffmpeg
/// filter `vf`, then `codec` (e.g. `["-c:v", "ffv1"]`).
pub(crate) fn still_clip(out: &Path, frames: u32, vf: &str, codec: &[&str]) {
    let photo = shared_file("media/astronaut.png");
    let n = frames.to_string();
    let mut args = vec![
        "-loop",
        "1",
        "-framerate",
        "10",
        "-i",
        photo.to_str().unwrap(),
    ];
    args.extend(["-frames:v", &n, "-vf", vf]);
    args.extend(codec);
    args.push(out.to_str().unwrap());
    ffmpeg(&args);
}

/// ffprobe's view of a file: streams (with packet counts) and format, as JSON.
pub(crate) fn probe(path: &Path) -> Value {
    let o = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-count_packets",
            "-show_streams",
            "-show_format",
            "-of",
            "json",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(o.status.success(), "ffprobe {}", path.display());
    serde_json::from_slice(&o.stdout).unwrap()
}

pub(crate) fn stream<'a>(p: &'a Value, kind: &str) -> Option<&'a Value> {
    p["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["codec_type"] == kind)
}

pub(crate) fn packets(s: &Value) -> u64 {
    s["nb_read_packets"].as_str().unwrap().parse().unwrap()
}

pub(crate) fn seconds(v: &Value) -> f64 {
    v.as_str().unwrap().parse().unwrap()
}

/// Presentation times of the video packets, sorted (= frame times).
pub(crate) fn video_times(path: &Path) -> Vec<f64> {
    let o = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "packet=pts_time",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .unwrap();
    let mut t: Vec<f64> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| l.trim().trim_end_matches(',').parse().ok())
        .collect();
    t.sort_by(f64::total_cmp);
    t
}

/// The provenance comment in the container tags.
pub(crate) fn assert_provenance(p: &Value) {
    let comment = p["format"]["tags"]["comment"]
        .as_str()
        .or_else(|| p["format"]["tags"]["COMMENT"].as_str())
        .unwrap_or_else(|| panic!("no comment tag: {}", p["format"]["tags"]));
    assert!(
        comment.contains("liveswap") && comment.contains("face swap"),
        "{comment}"
    );
}

pub(crate) fn command(args: &[&str]) -> Command {
    let mut c = liveswap_command();
    c.args(args)
        .current_dir(workspace())
        .env("ORT_DYLIB_PATH", ort_library())
        .env("LIVESWAP_MODELS_DIR", shared().join("models"))
        .env_remove("LIVESWAP_PLUGIN_PATH")
        .env_remove("RUST_LOG");
    c
}

pub(crate) fn liveswap(args: &[&str]) -> Output {
    command(args).output().unwrap()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `liveswap run` with the debug profile and the fast analyser settings.
pub(crate) fn run_debug(target: &Path, output: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        "--profile",
        "profiles/debug.toml",
        "--target",
        target.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
        "--video-preset",
        "ultrafast",
    ];
    args.extend(FAST);
    args.extend(extra);
    liveswap(&args)
}

pub(crate) fn assert_ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        stderr(o)
    );
}

/// Files in `dir` other than `keep`: no temporary or partial output may remain.
fn leftovers(dir: &Path, keep: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect()
}

/// 45 frames of testsrc2 at 30000/1001 with 2 s of AAC audio (longer than the video).
fn ntsc_clip(dir: &Path) -> PathBuf {
    let p = dir.join("ntsc.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x120:rate=30000/1001,trim=end_frame=45",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=48000:duration=2",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        p.to_str().unwrap(),
    ]);
    p
}

#[test]
fn ntsc_mp4_keeps_frames_rate_audio_and_says_it_was_swapped() {
    let dir = temp_dir("video-ntsc");
    let input = ntsc_clip(&dir);
    let out = dir.join("out.mp4");
    let o = run_debug(&input, &out, &[]);
    assert_ok(&o);
    let p = probe(&out);
    let v = stream(&p, "video").unwrap();
    assert_eq!(packets(v), 45);
    assert_eq!(v["avg_frame_rate"], "30000/1001");
    assert_eq!(v["codec_name"], "h264");
    assert_eq!(v["pix_fmt"], "yuv420p");
    assert_eq!(v["width"], 160);
    let a = stream(&p, "audio").expect("audio kept");
    assert_eq!(a["codec_name"], "aac", "copied as it was");
    // The audio is longer than the video and stays so.
    assert!(
        (seconds(&a["duration"]) - 2.0).abs() < 0.03,
        "{}",
        a["duration"]
    );
    assert!((seconds(&v["duration"]) - 45.0 * 1001.0 / 30000.0).abs() < 0.01);
    assert!(p["format"]["format_name"].as_str().unwrap().contains("mp4"));
    assert_provenance(&p);
    // Timestamps match the input's frame by frame.
    let (a_in, b_out) = (video_times(&input), video_times(&out));
    assert_eq!(a_in.len(), b_out.len());
    assert!(a_in.iter().zip(&b_out).all(|(x, y)| (x - y).abs() < 1e-3));
    // faststart: the index (moov) comes before the media data (mdat).
    let bytes = std::fs::read(&out).unwrap();
    let at = |tag: &[u8]| bytes.windows(4).position(|w| w == tag).unwrap();
    assert!(at(b"moov") < at(b"mdat"), "moov before mdat");
    assert_eq!(
        leftovers(&dir, &["ntsc.mp4", "out.mp4"]),
        Vec::<String>::new()
    );
    // stdout summarises the run.
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("45 frame(s)") && text.contains("libx264"),
        "{text}"
    );

    // --no-audio drops it; the webm gets VP9 and Opus (AAC re-encoded).
    let quiet = dir.join("quiet.mkv");
    assert_ok(&run_debug(&input, &quiet, &["--no-audio"]));
    let p = probe(&quiet);
    assert!(stream(&p, "audio").is_none());
    assert_eq!(packets(stream(&p, "video").unwrap()), 45);
    assert_provenance(&p);

    let webm = dir.join("out.webm");
    let o = run_debug(&input, &webm, &["--trim", "0..15"]);
    assert_ok(&o);
    let p = probe(&webm);
    assert_eq!(p["format"]["format_name"], "matroska,webm");
    let v = stream(&p, "video").unwrap();
    assert_eq!(v["codec_name"], "vp9");
    assert_eq!(packets(v), 15);
    assert_eq!(stream(&p, "audio").unwrap()["codec_name"], "opus");
    assert_provenance(&p);
}

#[test]
fn other_rates_and_containers_keep_their_timing() {
    let dir = temp_dir("video-containers");
    // 25 fps Matroska with FLAC audio → MP4: MP4 refuses FLAC, so it is re-encoded to AAC.
    let mkv = dir.join("g25.mkv");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x120:rate=25,trim=end_frame=40",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=300:sample_rate=44100:duration=1.6",
        "-c:v",
        "libx264",
        "-c:a",
        "flac",
        mkv.to_str().unwrap(),
    ]);
    let out = dir.join("g25.mp4");
    assert_ok(&run_debug(&mkv, &out, &[]));
    let p = probe(&out);
    let v = stream(&p, "video").unwrap();
    assert_eq!(packets(v), 40);
    assert_eq!(v["avg_frame_rate"], "25/1");
    let a = stream(&p, "audio").unwrap();
    assert_eq!(a["codec_name"], "aac");
    assert!(
        (seconds(&a["duration"]) - 1.6).abs() < 0.06,
        "{}",
        a["duration"]
    );

    // 24 fps MOV with PCM audio → Matroska keeps the PCM as it is.
    let mov = dir.join("g24.mov");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x120:rate=24,trim=end_frame=30",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=500:sample_rate=48000:duration=1.25",
        "-c:v",
        "libx264",
        "-c:a",
        "pcm_s16le",
        mov.to_str().unwrap(),
    ]);
    let out = dir.join("g24.mkv");
    assert_ok(&run_debug(&mov, &out, &[]));
    let p = probe(&out);
    let v = stream(&p, "video").unwrap();
    assert_eq!(packets(v), 30);
    assert_eq!(v["avg_frame_rate"], "24/1");
    assert_eq!(stream(&p, "audio").unwrap()["codec_name"], "pcm_s16le");
    assert_provenance(&p);

    // Matroska stores milliseconds (0, 33, 67, 100 ms …): the MP4 made from it still has
    // exactly 30000/1001, not the 30/1 the rounded times would give.
    let ntsc_mkv = dir.join("ntsc.mkv");
    ffmpeg(&[
        "-i",
        ntsc_clip(&dir).to_str().unwrap(),
        "-c",
        "copy",
        ntsc_mkv.to_str().unwrap(),
    ]);
    let out = dir.join("ntsc-from-mkv.mp4");
    assert_ok(&run_debug(&ntsc_mkv, &out, &[]));
    let v = probe(&out);
    let v = stream(&v, "video").unwrap();
    assert_eq!(packets(v), 45);
    assert_eq!(v["avg_frame_rate"], "30000/1001");
    assert!((seconds(&v["duration"]) - 45.0 * 1001.0 / 30000.0).abs() < 1e-3);

    // Variable frame rate: 15 frames at 30 fps then 15 at 10 fps keep their own times.
    let vfr = dir.join("vfr.mkv");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x120:rate=30",
        "-vf",
        "setpts='if(lt(N,15),N/30,0.5+(N-15)/10)/TB'",
        "-fps_mode",
        "vfr",
        "-frames:v",
        "30",
        "-c:v",
        "libx264",
        vfr.to_str().unwrap(),
    ]);
    for ext in ["mkv", "mp4"] {
        let out = dir.join(format!("vfr-out.{ext}"));
        assert_ok(&run_debug(&vfr, &out, &[]));
        let (a, b) = (video_times(&vfr), video_times(&out));
        assert_eq!(a.len(), 30, "{a:?}");
        assert_eq!(b.len(), 30, "{ext}: {b:?}");
        assert!(
            a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 2e-3),
            "{ext}:\n{a:?}\n{b:?}"
        );
        assert!(
            (b[16] - b[15] - 0.1).abs() < 2e-3,
            "the slow part stays slow"
        );
    }
}

#[test]
fn processors_see_run_indices_and_source_times() {
    let dir = temp_dir("video-lib");
    let vfr = dir.join("vfr.mkv");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x120:rate=30",
        "-vf",
        "setpts='if(lt(N,15),N/30,0.5+(N-15)/10)/TB'",
        "-fps_mode",
        "vfr",
        "-frames:v",
        "30",
        "-c:v",
        "libx264",
        vfr.to_str().unwrap(),
    ]);
    let job = VideoJob {
        input: vfr.clone(),
        output: dir.join("neg.mkv"),
        trim: "10..25".parse().unwrap(),
        encode: video::EncodeOptions {
            preset: video::Preset::Ultrafast,
            ..Default::default()
        },
        audio: true,
        decode_threads: 1,
        ..Default::default()
    };
    let mut seen: Vec<FrameMeta> = Vec::new();
    let summary = video::transcode(
        &job,
        &mut |image, meta| {
            seen.push(*meta);
            // A visible change: invert the picture.
            image.data.iter_mut().for_each(|v| *v = 255 - *v);
            std::ops::ControlFlow::Continue(())
        },
        &mut NoObserver,
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(summary.frames, 15);
    assert_eq!(seen.len(), 15);
    let source_times = video_times(&vfr);
    for (i, m) in seen.iter().enumerate() {
        assert_eq!(m.index, i as u64, "run index counts from 0 after the trim");
        assert_eq!(m.time.source_index, 10 + i as u64);
        let expected = source_times[10 + i];
        assert!(
            (m.time.timestamp_us as f64 / 1e6 - expected).abs() < 1.5e-3,
            "frame {i}: {} vs {expected}",
            m.time.timestamp_us
        );
    }
    // The trimmed output starts at 0 and keeps the source's spacing.
    let out_times = video_times(&job.output);
    assert_eq!(out_times.len(), 15);
    assert!(out_times[0].abs() < 1e-3);
    for (i, t) in out_times.iter().enumerate() {
        assert!((t - (source_times[10 + i] - source_times[10])).abs() < 2e-3);
    }
    // The pixels went through the closure: the first output frame is the inverted input.
    let first = |path: &Path, frame: &str| -> Vec<u8> {
        let png = dir.join(format!("{frame}.png"));
        ffmpeg(&[
            "-i",
            path.to_str().unwrap(),
            "-vf",
            &format!("select=eq(n\\,{frame})"),
            "-frames:v",
            "1",
            png.to_str().unwrap(),
        ]);
        image::open(&png).unwrap().to_rgb8().into_raw()
    };
    let (src, dst) = (first(&vfr, "10"), first(&job.output, "0"));
    let mean_err: f64 = src
        .iter()
        .zip(&dst)
        .map(|(a, b)| (f64::from(255 - *a) - f64::from(*b)).abs())
        .sum::<f64>()
        / src.len() as f64;
    assert!(
        mean_err < 8.0,
        "output is the inverted source (mean error {mean_err})"
    );
}

#[test]
fn trims_by_frames_and_by_time() {
    let dir = temp_dir("video-trim");
    let input = ntsc_clip(&dir);
    let out = dir.join("frames.mp4");
    assert_ok(&run_debug(&input, &out, &["--trim", "10..40"]));
    let p = probe(&out);
    assert_eq!(packets(stream(&p, "video").unwrap()), 30);
    // The audio follows the kept range: 30 frames ≈ 1.001 s (AAC frames are 21 ms).
    let a = stream(&p, "audio").unwrap();
    assert!(
        (seconds(&a["duration"]) - 1.001).abs() < 0.05,
        "{}",
        a["duration"]
    );
    assert!(
        video_times(&out)[0].abs() < 1e-3,
        "the trimmed output starts at 0"
    );

    // [0.5 s, 1 s) at 29.97 fps: frames 15 to 29.
    let out = dir.join("time.mkv");
    assert_ok(&run_debug(&input, &out, &["--trim", "0.5s..1s"]));
    assert_eq!(packets(stream(&probe(&out), "video").unwrap()), 15);

    // A trim past the end selects nothing: an error, and no file.
    let out = dir.join("none.mp4");
    let o = run_debug(&input, &out, &["--trim", "100.."]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("selects no frame"), "{}", stderr(&o));
    assert!(!out.exists());
    // Malformed trims are usage errors.
    let o = run_debug(&input, &out, &["--trim", "1.5..2"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        leftovers(&dir, &["ntsc.mp4", "frames.mp4", "time.mkv"]),
        Vec::<String>::new()
    );
}

#[test]
fn damaged_inputs_fail_clearly_and_leave_nothing() {
    let dir = temp_dir("video-damaged");
    let good = ntsc_clip(&dir);
    let bytes = std::fs::read(&good).unwrap();
    // Not a video at all.
    let junk = dir.join("junk.mp4");
    std::fs::write(&junk, b"definitely not a video file, just some text").unwrap();
    // Cut in half: a plain MP4 loses its index (written last).
    let cut = dir.join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    // With the index first (faststart) the cut file opens but the frames run out.
    let fast = dir.join("fast.mp4");
    ffmpeg(&[
        "-i",
        good.to_str().unwrap(),
        "-c",
        "copy",
        "-movflags",
        "+faststart",
        fast.to_str().unwrap(),
    ]);
    let fast_bytes = std::fs::read(&fast).unwrap();
    let cut_fast = dir.join("cut_fast.mp4");
    std::fs::write(&cut_fast, &fast_bytes[..fast_bytes.len() * 6 / 10]).unwrap();
    // A Matroska file cut in half ends "prematurely" without a demuxer error.
    let mkv = dir.join("whole.mkv");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x120:rate=25,trim=end_frame=40",
        "-c:v",
        "libx264",
        mkv.to_str().unwrap(),
    ]);
    let mkv_bytes = std::fs::read(&mkv).unwrap();
    let cut_mkv = dir.join("cut.mkv");
    std::fs::write(&cut_mkv, &mkv_bytes[..mkv_bytes.len() / 2]).unwrap();

    let cases: [(&Path, &str); 5] = [
        (&junk, "cannot open as a video"),
        (&cut, "cannot open as a video"),
        (&cut_fast, "corrupt or truncated"),
        (&cut_mkv, "corrupt or truncated"),
        (&dir.join("missing.mp4"), "cannot open as a video"),
    ];
    let outs = dir.join("outs");
    std::fs::create_dir_all(&outs).unwrap();
    for (i, (input, needle)) in cases.iter().enumerate() {
        let out = outs.join(format!("out{i}.mp4"));
        let o = run_debug(input, &out, &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{}: {err}", input.display());
        assert!(err.contains(needle), "{}: {err}", input.display());
        assert!(!err.contains("panicked"), "{err}");
    }
    assert_eq!(
        leftovers(&outs, &[]),
        Vec::<String>::new(),
        "no output at all"
    );
}

#[test]
fn encoders_fall_back_with_one_warning_and_refusals_are_clear() {
    let dir = temp_dir("video-encoders");
    let input = ntsc_clip(&dir);
    // NVENC is listed by Debian's FFmpeg but cannot open without an NVIDIA driver.
    let out = dir.join("nvenc.mp4");
    let o = run_debug(
        &input,
        &out,
        &["--video-encoder", "h264_nvenc", "--trim", "0..5"],
    );
    assert_ok(&o);
    let err = stderr(&o);
    assert_eq!(
        err.matches("h264_nvenc cannot be used here").count(),
        1,
        "one warning: {err}"
    );
    assert!(err.contains("libx264"), "{err}");
    assert_eq!(stream(&probe(&out), "video").unwrap()["codec_name"], "h264");

    // Other software encoders: H.265 and AV1 (SVT) in Matroska.
    for (encoder, codec) in [("libx265", "hevc"), ("libsvtav1", "av1")] {
        let out = dir.join(format!("{encoder}.mkv"));
        let o = run_debug(
            &input,
            &out,
            &["--video-encoder", encoder, "--trim", "0..5"],
        );
        assert_ok(&o);
        let p = probe(&out);
        let v = stream(&p, "video").unwrap();
        assert_eq!(v["codec_name"], codec);
        assert_eq!(packets(v), 5);
    }

    // An unknown name is a usage error listing the known ones.
    let o = run_debug(&input, &dir.join("x.mp4"), &["--video-encoder", "libx246"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("libx264"), "{}", stderr(&o));
    // H.264 cannot go into WebM.
    let o = run_debug(&input, &dir.join("x.webm"), &["--video-encoder", "libx264"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("cannot hold H.264"), "{}", stderr(&o));
    // Output == input is refused and the input is untouched.
    let before = std::fs::read(&input).unwrap();
    let o = run_debug(&input, &input, &["--overwrite"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("same file as an input"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&input).unwrap(), before);
    // An existing output needs --overwrite; an image name for a video is refused.
    let o = run_debug(&input, &out, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--overwrite"));
    let o = run_debug(&input, &dir.join("frame.png"), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("liveswap preview"), "{}", stderr(&o));
    assert_eq!(
        leftovers(
            &dir,
            &["ntsc.mp4", "nvenc.mp4", "libx265.mkv", "libsvtav1.mkv"]
        ),
        Vec::<String>::new()
    );
}

#[test]
fn real_clip_with_audio_longer_than_video() {
    // 29.97 fps, AAC audio that runs past the video, video starting at 0.85 s.
    let input = shared_file("media/short_hamilton_clip.mp4");
    let dir = temp_dir("video-hamilton");
    let out = dir.join("hamilton.mp4");
    let o = run_debug(&input, &out, &["--trim", "0..30"]);
    assert_ok(&o);
    let p = probe(&out);
    let v = stream(&p, "video").unwrap();
    assert_eq!(packets(v), 30);
    // This clip's rate is exactly 2997/100 (the generated clips cover 30000/1001).
    let pi = probe(&input);
    assert_eq!(
        v["avg_frame_rate"],
        stream(&pi, "video").unwrap()["avg_frame_rate"]
    );
    assert_eq!(v["avg_frame_rate"], "2997/100");
    assert_eq!(
        (v["width"].as_u64(), v["height"].as_u64()),
        (Some(640), Some(360))
    );
    let a = stream(&p, "audio").unwrap();
    assert_eq!(a["codec_name"], "aac");
    assert!(
        (seconds(&a["duration"]) - 1.001).abs() < 0.05,
        "{}",
        a["duration"]
    );
    assert_provenance(&p);
    // The debug overlay drew boxes: the output differs from the input around the face.
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("face_analyser → face_debugger"), "{text}");
    assert!(!text.contains(" 0 face(s)"), "faces were found: {text}");

    // The whole clip: every frame, and the audio as long as it was.
    let full = dir.join("full.mkv");
    assert_ok(&run_debug(
        &input,
        &full,
        &["--set", "face_debugger.enabled=false"],
    ));
    let po = probe(&full);
    let (vi, vo) = (stream(&pi, "video").unwrap(), stream(&po, "video").unwrap());
    assert_eq!(packets(vo), packets(vi));
    assert_eq!(packets(vo), 275);
    let (ai, ao) = (stream(&pi, "audio").unwrap(), stream(&po, "audio").unwrap());
    let audio_in = seconds(&ai["duration"]);
    let audio_out = seconds(&po["format"]["duration"]);
    assert!(
        audio_in > seconds(&vi["duration"]) + 0.1,
        "the clip's audio is longer"
    );
    assert!(
        (audio_out - audio_in).abs() < 0.05,
        "{audio_out} vs {audio_in}"
    );
    assert_eq!(ao["codec_name"], "aac");
}

#[test]
fn real_clip_without_audio_and_preview() {
    let input = shared_file("media/Obama_speaking.mp4");
    let dir = temp_dir("video-obama");
    let out = dir.join("obama.mov");
    assert_ok(&run_debug(&input, &out, &["--trim", "..20"]));
    let p = probe(&out);
    assert!(stream(&p, "audio").is_none());
    let v = stream(&p, "video").unwrap();
    assert_eq!(packets(v), 20);
    assert_eq!(v["avg_frame_rate"], "30/1");
    assert_provenance(&p);

    // preview: one processed frame as a PNG with a provenance text chunk.
    let png = dir.join("frame.png");
    let o = liveswap(&[
        "preview",
        "-p",
        "profiles/debug.toml",
        "-t",
        input.to_str().unwrap(),
        "--frame",
        "12",
        "-o",
        png.to_str().unwrap(),
    ]);
    assert_ok(&o);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("frame 12 at 0.400s") && text.contains("1 face(s)"),
        "{text}"
    );
    let img = image::open(&png).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (512, 388));
    let chunks = png_text_chunks(&std::fs::read(&png).unwrap());
    assert!(
        chunks
            .iter()
            .any(|(k, v)| k == "Comment" && v.contains("liveswap") && v.contains("face swap")),
        "{chunks:?}"
    );
    // The processed frame differs from the raw one (the overlay was drawn).
    let raw = dir.join("raw.png");
    ffmpeg(&[
        "-i",
        input.to_str().unwrap(),
        "-vf",
        "select=eq(n\\,12)",
        "-frames:v",
        "1",
        raw.to_str().unwrap(),
    ]);
    let raw = image::open(&raw).unwrap().to_rgb8();
    let changed = raw
        .pixels()
        .zip(img.pixels())
        .filter(|(a, b)| a.0.iter().zip(b.0.iter()).any(|(x, y)| x.abs_diff(*y) > 40))
        .count();
    assert!(changed > 200, "overlay drawn ({changed} px)");
    // A frame past the end is an error.
    let o = liveswap(&[
        "preview",
        "-p",
        "profiles/debug.toml",
        "-t",
        input.to_str().unwrap(),
        "--frame",
        "100000",
        "-o",
        dir.join("late.png").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("selects no frame"), "{}", stderr(&o));
    assert!(!dir.join("late.png").exists());
}

#[test]
fn real_clip_720p_time_trim_keeps_colour_tags() {
    // 1280x720, 30000/1001, BT.709, AAC; the video stream starts at 0.033 s.
    let input = shared_file("media/Ben_Stiller_Owen_Wilson.mp4");
    let dir = temp_dir("video-ben");
    let out = dir.join("ben.mp4");
    assert_ok(&run_debug(
        &input,
        &out,
        &["--trim", "1s..1.5s", "--set", "face_analyser.det_size=320"],
    ));
    let p = probe(&out);
    let v = stream(&p, "video").unwrap();
    // Frames whose time from the stream start is in [1 s, 1.5 s): 30 to 44.
    assert_eq!(packets(v), 15);
    assert_eq!(v["avg_frame_rate"], "30000/1001");
    assert_eq!(
        (v["width"].as_u64(), v["height"].as_u64()),
        (Some(1280), Some(720))
    );
    assert_eq!(v["color_space"], "bt709");
    assert_eq!(v["color_primaries"], "bt709");
    let a = stream(&p, "audio").unwrap();
    assert!(
        (seconds(&a["duration"]) - 0.5005).abs() < 0.05,
        "{}",
        a["duration"]
    );
    assert_provenance(&p);
}

/// `(keyword, text)` of every tEXt chunk of a PNG file.
fn png_text_chunks(bytes: &[u8]) -> Vec<(String, String)> {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let mut out = Vec::new();
    let mut at = 8;
    while at + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        let kind = &bytes[at + 4..at + 8];
        let data = &bytes[at + 8..at + 8 + len];
        if kind == b"tEXt" {
            let nul = data.iter().position(|&b| b == 0).unwrap();
            out.push((
                String::from_utf8_lossy(&data[..nul]).into_owned(),
                String::from_utf8_lossy(&data[nul + 1..]).into_owned(),
            ));
        }
        at += 12 + len;
    }
    out
}

#[test]
fn ctrl_c_stops_promptly_and_leaves_no_file() {
    // A long clip at the full detector size, so the run is still busy when the signal comes.
    let input = shared_file("media/Ben_Stiller_Owen_Wilson.mp4");
    let dir = temp_dir("video-cancel");
    let out = dir.join("cancel.mp4");
    // An existing file at the output name survives a cancelled --overwrite run.
    std::fs::write(&out, b"previous result").unwrap();
    let mut child = command(&[
        "run",
        "--profile",
        "profiles/debug.toml",
        "--target",
        input.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--overwrite",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    // Wait until the temporary output exists: processing has started.
    let started = Instant::now();
    while leftovers(&dir, &["cancel.mp4"]).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the run never started writing"
        );
        assert!(child.try_wait().unwrap().is_none(), "the run ended early");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    let signalled = Instant::now();
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    let stopped = signalled.elapsed();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(
        err.contains("cancelled after") && err.contains("no output written"),
        "{err}"
    );
    assert!(
        err.contains("stopped: frame"),
        "the progress says where it stopped: {err}"
    );
    assert!(stopped < Duration::from_secs(5), "stopped in {stopped:?}");
    assert_eq!(std::fs::read(&out).unwrap(), b"previous result");
    assert_eq!(leftovers(&dir, &["cancel.mp4"]), Vec::<String>::new());
}
