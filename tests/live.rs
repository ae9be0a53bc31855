//! Live mode end to end through the `liveswap` binary, with video files played as cameras
//! (`--camera file:CLIP`; this machine has no camera and no v4l2loopback): recordings with
//! capture timestamps, the slow-processor drop policy, a UDP stream read back by FFmpeg,
//! errors before capture, Ctrl-C, and live settings from standard input.
//!
//! Processing is the `slow_sleeper` fixture (tests/fixtures/plugins/slow_sleeper): it sleeps
//! `sleep_ms` per frame and can paint frames one grey, so the tests control how slow
//! processing is and can see settings change in the recording. Clips are 30 fps, made with
//! the ffmpeg CLI from the astronaut photo, small (320x180) to stay fast on 2 cores.
//! Needs `ffmpeg`/`ffprobe` (host/scripts/setup.sh installs them).

use crate::video::{command, ffmpeg, stderr};
use liveswap_tests::{built_library, install_as_plugin, read_json, shared_file, temp_dir};
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A `frames`-frame 30 fps clip of the astronaut photo slowly panning (so frames differ).
pub(crate) fn clip(dir: &Path, frames: u32) -> PathBuf {
    let out = dir.join(format!("cam-{frames}.mp4"));
    let photo = shared_file("media/astronaut.png");
    let n = frames.to_string();
    ffmpeg(&[
        "-loop",
        "1",
        "-framerate",
        "30",
        "-i",
        photo.to_str().unwrap(),
        "-frames:v",
        &n,
        "-vf",
        "scale=400:-2,crop=320:180:t*20:40,format=yuv420p",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        out.to_str().unwrap(),
    ]);
    out
}

/// A plugin dir with slow_sleeper and a profile running it with `settings` (TOML lines).
fn sleeper_setup(test: &str, settings: &str) -> (PathBuf, PathBuf, PathBuf) {
    sleeper_after(test, "", settings)
}

/// [`sleeper_setup`] with the processors in `before` (TOML tables) ahead of slow_sleeper.
pub(crate) fn sleeper_after(
    test: &str,
    before: &str,
    settings: &str,
) -> (PathBuf, PathBuf, PathBuf) {
    let dir = temp_dir(&format!("live-{test}"));
    let plugins = dir.join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    install_as_plugin(&built_library("slow_sleeper"), &plugins, "slow_sleeper");
    let profile = dir.join("sleeper.toml");
    std::fs::write(
        &profile,
        format!(
            "schema_version = 1\n{before}[[processors]]\nid = \"slow_sleeper\"\n[processors.settings]\n{settings}\n"
        ),
    )
    .unwrap();
    (dir, plugins, profile)
}

fn live_command(plugins: &Path, profile: &Path, camera: &Path, extra: &[&str]) -> Command {
    let cam = format!("file:{}", camera.display());
    let mut args = vec![
        "--plugin-dir",
        plugins.to_str().unwrap(),
        "live",
        "--profile",
        profile.to_str().unwrap(),
        "--camera",
        &cam,
    ];
    args.extend(extra);
    command(&args)
}

fn live(plugins: &Path, profile: &Path, camera: &Path, extra: &[&str]) -> Output {
    live_command(plugins, profile, camera, extra)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Presentation times (s) of every video frame, decoded by ffprobe.
pub(crate) fn frame_times(path: &Path) -> Vec<f64> {
    let o = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "frame=pts_time",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "ffprobe {}: {}",
        path.display(),
        stderr(&o)
    );
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim().trim_end_matches(',').parse::<f64>().unwrap())
        .collect()
}

/// The mean grey of every frame (each scaled to one pixel).
pub(crate) fn frame_greys(path: &Path) -> Vec<u8> {
    let o = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        // passthrough: one output frame per decoded frame (rawvideo would otherwise
        // duplicate frames to a constant rate).
        .args([
            "-fps_mode",
            "passthrough",
            "-vf",
            "scale=1:1,format=gray",
            "-f",
            "rawvideo",
            "-",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    o.stdout
}

fn num(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

fn assert_consistent_counts(stats: &Value) {
    let (c, p, d) = (
        num(stats, "captured"),
        num(stats, "processed"),
        num(stats, "dropped"),
    );
    assert_eq!(
        c,
        p + d,
        "every captured frame is processed or dropped: {stats}"
    );
}

/// Checks a recording against the stats: one frame per processed frame, strictly
/// increasing times, and the rate the stats report (within 5 %).
fn assert_recording_matches(rec: &Path, stats: &Value) {
    let times = frame_times(rec);
    assert_eq!(times.len() as f64, num(stats, "processed"), "{stats}");
    assert!(
        times.windows(2).all(|w| w[1] > w[0]),
        "timestamps strictly increase: {times:?}"
    );
    let span = times[times.len() - 1] - times[0];
    let fps = (times.len() - 1) as f64 / span;
    let reported = num(stats, "fps");
    assert!(
        (fps - reported).abs() <= 0.05 * reported,
        "recording plays at {fps:.2} fps, stats say {reported:.2}"
    );
}

#[test]
fn a_file_camera_into_a_recording_keeps_every_processed_frame_at_its_capture_time() {
    let (dir, plugins, profile) = sleeper_setup("record", "sleep_ms = 0");
    let cam = clip(&dir, 90);
    let rec = dir.join("rec.mkv");
    let stats_path = dir.join("s.json");
    let o = live(
        &plugins,
        &profile,
        &cam,
        &[
            "--output",
            &format!("record:{}", rec.display()),
            "--frames",
            "60",
            "--stats-json",
            stats_path.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let stats = read_json(&stats_path);
    assert_eq!(num(&stats, "processed"), 60.0, "{stats}");
    assert_consistent_counts(&stats);
    // Paced at the file's 30 fps: processing is instant, so (almost) nothing is dropped.
    let fps = num(&stats, "fps");
    assert!((27.0..=31.0).contains(&fps), "{stats}");
    assert!(num(&stats, "dropped") <= 3.0, "{stats}");
    for key in ["p50", "p95", "max"] {
        assert!(stats["latency_ms"][key].as_f64().unwrap() >= 0.0, "{stats}");
    }
    assert!(
        stats["stages_ms"]["slow_sleeper"].as_f64().is_some(),
        "{stats}"
    );
    assert_eq!(stats["ended"], "frames");
    assert_recording_matches(&rec, &stats);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("processed 60") && out.contains("libx264"),
        "{out}"
    );
    // The recording is not overwritten without --overwrite.
    let again = live(
        &plugins,
        &profile,
        &cam,
        &[
            "--output",
            &format!("record:{}", rec.display()),
            "--frames",
            "5",
        ],
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("--overwrite"), "{}", stderr(&again));
}

#[test]
fn a_slow_processor_drops_stale_frames_and_latency_stays_bounded() {
    // 100 ms per frame against a 30 fps camera: about 2 of every 3 frames must be dropped.
    let (dir, plugins, profile) = sleeper_setup("slow", "sleep_ms = 100");
    let cam = clip(&dir, 150);
    let rec = dir.join("slow.mkv");
    let stats_path = dir.join("s.json");
    let o = live(
        &plugins,
        &profile,
        &cam,
        &[
            "--output",
            &format!("record:{}", rec.display()),
            "--duration",
            "4s",
            "--stats-json",
            stats_path.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let stats = read_json(&stats_path);
    assert_consistent_counts(&stats);
    let (captured, processed, dropped) = (
        num(&stats, "captured"),
        num(&stats, "processed"),
        num(&stats, "dropped"),
    );
    assert!((15.0..=45.0).contains(&processed), "{stats}");
    assert!(
        dropped >= captured * 0.4,
        "stale frames are dropped: {stats}"
    );
    // A queue would make latency grow by ~70 ms per frame to seconds; the single slot
    // keeps it near one processing time (100 ms sleep + waiting for the next frame).
    let lat = &stats["latency_ms"];
    assert!(lat["p95"].as_f64().unwrap() < 400.0, "{stats}");
    assert!(lat["max"].as_f64().unwrap() < 1000.0, "{stats}");
    assert!(num(&stats, "fps") < 12.0, "{stats}");
    assert_recording_matches(&rec, &stats);
}

#[test]
fn a_udp_stream_is_received_by_an_ffmpeg_reader() {
    let (dir, plugins, profile) = sleeper_setup("udp", "sleep_ms = 0");
    let cam = clip(&dir, 120);
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let received = dir.join("received.ts");
    let mut reader = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y", "-i"])
        .arg(format!("udp://127.0.0.1:{port}?timeout=20000000"))
        .args(["-frames:v", "30", "-c", "copy"])
        .arg(&received)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let url = format!("stream:udp://127.0.0.1:{port}");
    let o = live(
        &plugins,
        &profile,
        &cam,
        &["--output", &url, "--frames", "100"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = reader.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "the ffmpeg reader never finished"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "ffmpeg reader failed");
    let times = frame_times(&received);
    assert!(times.len() >= 25, "{} frames received", times.len());
}

#[test]
fn missing_cameras_and_bad_sinks_fail_before_capture_with_the_reason() {
    let (dir, plugins, profile) = sleeper_setup("errors", "sleep_ms = 0");
    let cam = clip(&dir, 10);
    let stats_path = dir.join("never.json");
    let stats_arg = stats_path.to_str().unwrap().to_string();
    let run = |camera: &str, output: &str| {
        command(&[
            "--plugin-dir",
            plugins.to_str().unwrap(),
            "live",
            "--profile",
            profile.to_str().unwrap(),
            "--camera",
            camera,
            "--output",
            output,
            "--stats-json",
            &stats_arg,
        ])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::null())
        .output()
        .unwrap()
    };
    let file_cam = format!("file:{}", cam.display());
    let rec = format!("record:{}", dir.join("r.mkv").display());
    // No such camera: the message names the camera asked for (and, here, that none exist).
    let o = run("no such camera xyz", &rec);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("camera \"no such camera xyz\""), "{e}");
    assert!(
        e.contains("no camera was found") || e.contains("cameras found"),
        "{e}"
    );
    let o = run("file:/nonexistent/clip.mp4", &rec);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("/nonexistent/clip.mp4"),
        "{}",
        stderr(&o)
    );
    // Sinks that cannot open.
    let plain = dir.join("not-a-device");
    std::fs::write(&plain, b"x").unwrap();
    for (sink, reason) in [
        ("v4l2:/dev/video99".to_string(), "does not exist"),
        (format!("v4l2:{}", plain.display()), "not a video device"),
        (
            "stream:nosuchproto://127.0.0.1:1".to_string(),
            "cannot be opened",
        ),
        ("window".to_string(), "DISPLAY"),
        ("screen".to_string(), "expected window, v4l2:/dev/videoN"),
        (format!("record:{}", dir.join("r.png").display()), ".mkv"),
    ] {
        let o = run(&file_cam, &sink);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{sink}: {e}");
        assert!(e.contains(reason), "{sink}: {e}");
        assert!(!e.contains("captured"), "{sink}: nothing was captured: {e}");
    }
    assert!(!stats_path.exists(), "no run, no stats");
    assert!(!dir.join("r.mkv").exists());
}

#[test]
fn ctrl_c_stops_cleanly_and_leaves_a_valid_recording() {
    let (dir, plugins, profile) = sleeper_setup("sigint", "sleep_ms = 0");
    let cam = clip(&dir, 30);
    let rec = dir.join("interrupted.mkv");
    let stats_path = dir.join("s.json");
    let mut child = live_command(
        &plugins,
        &profile,
        &cam,
        &[
            "--loop",
            "--output",
            &format!("record:{}", rec.display()),
            "--stats-json",
            stats_path.to_str().unwrap(),
        ],
    )
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    // Wait for the recording to exist (capture has started), then let it run past one loop.
    let started = Instant::now();
    while !rec.exists() {
        assert!(started.elapsed() < Duration::from_secs(60), "never started");
        assert!(child.try_wait().unwrap().is_none(), "ended early");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(1500));
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    assert!(
        o.status.success(),
        "Ctrl-C is the normal end: {}",
        stderr(&o)
    );
    let stats = read_json(&stats_path);
    assert_eq!(stats["ended"], "interrupted");
    assert!(
        num(&stats, "processed") > 30.0,
        "ran past one loop of the file: {stats}"
    );
    assert_recording_matches(&rec, &stats);
}

#[test]
fn a_live_setting_from_standard_input_takes_effect_between_frames() {
    let (dir, plugins, profile) = sleeper_setup("stdin", "sleep_ms = 0\nfill = 0");
    setting_from_stdin(&dir, &plugins, &profile, &[]);
}

/// With `--overlap` the analyser (the front) runs on the main thread and slow_sleeper (the
/// back) on the worker: every frame still reaches the recording in order, both halves are
/// timed, and a setting of a back stage sent on standard input reaches the worker's copy.
#[test]
fn overlapped_analysis_keeps_every_frame_and_takes_settings_for_the_second_half() {
    let (dir, plugins, profile) = sleeper_after(
        "overlap",
        "[[processors]]\nid = \"face_analyser\"\n",
        "sleep_ms = 0\nfill = 0",
    );
    let stats = dir.join("overlap.json");
    let log = setting_from_stdin(
        &dir,
        &plugins,
        &profile,
        &["--overlap", "--stats-json", stats.to_str().unwrap()],
    );
    assert!(
        log.contains("overlapping: face_analyser on this thread, slow_sleeper on a second one"),
        "{log}"
    );
    let s = read_json(&stats);
    assert_eq!(num(&s, "processed"), 120.0, "{s}");
    assert_consistent_counts(&s);
    for stage in ["face_analyser", "slow_sleeper"] {
        assert!(s["stages_ms"][stage].as_f64().is_some(), "{stage}: {s}");
    }
}

/// Records 120 frames while `set slow_sleeper.fill=255` arrives on standard input after
/// 1.5 s: the recording switches from black to white once, between frames. Returns the log.
fn setting_from_stdin(dir: &Path, plugins: &Path, profile: &Path, extra: &[&str]) -> String {
    let cam = clip(dir, 150);
    let rec = dir.join("set.mkv");
    let target = format!("record:{}", rec.display());
    let mut args = vec!["--output", target.as_str(), "--frames", "120"];
    args.extend(extra);
    let mut child = live_command(plugins, profile, &cam, &args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    // The run announces the camera when capture is about to start.
    let mut log = String::new();
    loop {
        let mut line = String::new();
        assert!(err.read_line(&mut line).unwrap() > 0, "ended early: {log}");
        log.push_str(&line);
        if line.contains("live:") {
            break;
        }
    }
    std::thread::sleep(Duration::from_millis(1500));
    writeln!(stdin, "set slow_sleeper.nope=1").unwrap();
    writeln!(stdin, "set slow_sleeper.fill=255").unwrap();
    stdin.flush().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
    log.push_str(&rest);
    let status = child.wait().unwrap();
    assert!(status.success(), "{log}");
    assert!(log.contains("slow_sleeper has no setting `nope`"), "{log}");
    assert!(log.contains("set slow_sleeper.fill=255"), "{log}");
    let greys = frame_greys(&rec);
    assert_eq!(greys.len(), 120);
    let switch = greys
        .iter()
        .position(|g| *g > 128)
        .expect("the fill changed");
    assert!(
        switch > 10 && switch < 110,
        "changed at frame {switch}: {greys:?}"
    );
    assert!(greys[..switch].iter().all(|g| *g < 20), "{greys:?}");
    assert!(greys[switch..].iter().all(|g| *g > 235), "{greys:?}");
    log
}

#[test]
fn a_camera_lost_mid_run_ends_cleanly_with_the_recording_finalised() {
    let (dir, plugins, profile) = sleeper_setup("lost", "sleep_ms = 0");
    let cam = clip(&dir, 90);
    // With the index first, a cut file opens and then runs out of frames: to the live loop
    // that is a camera failing after a few frames.
    let fast = dir.join("fast.mp4");
    ffmpeg(&[
        "-i",
        cam.to_str().unwrap(),
        "-c",
        "copy",
        "-movflags",
        "+faststart",
        fast.to_str().unwrap(),
    ]);
    let bytes = std::fs::read(&fast).unwrap();
    let cut = dir.join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() * 6 / 10]).unwrap();
    let rec = dir.join("lost.mkv");
    let stats_path = dir.join("s.json");
    let o = live(
        &plugins,
        &profile,
        &cut,
        &[
            "--output",
            &format!("record:{}", rec.display()),
            "--stats-json",
            stats_path.to_str().unwrap(),
        ],
    );
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(
        e.contains("the camera stopped") && e.contains("truncated"),
        "{e}"
    );
    let stats = read_json(&stats_path);
    // The reader notices the cut within the first frames it reads ahead; some frames went
    // out before that, and they are all in the recording.
    assert!(num(&stats, "processed") >= 5.0, "{stats}");
    assert!(
        stats["ended"].as_str().unwrap().starts_with("camera lost"),
        "{stats}"
    );
    assert_recording_matches(&rec, &stats);
}

#[test]
fn the_window_sink_shows_the_frames_under_xvfb_and_closes_at_the_end() {
    let xvfb = crate::ui::window::Xvfb::start();
    let (dir, plugins, profile) = sleeper_setup("window", "sleep_ms = 0");
    let cam = clip(&dir, 45);
    let rec = dir.join("beside-the-window.mkv");
    let stats_path = dir.join("s.json");
    let o = live_command(
        &plugins,
        &profile,
        &cam,
        &[
            "--output",
            "window",
            "--output",
            &format!("record:{}", rec.display()),
            "--stats-json",
            stats_path.to_str().unwrap(),
        ],
    )
    .env("DISPLAY", &xvfb.display)
    .env_remove("WAYLAND_DISPLAY")
    .env("ICED_BACKEND", "tiny-skia")
    .stdin(Stdio::null())
    .output()
    .unwrap();
    let e = stderr(&o);
    assert!(o.status.success(), "{e}");
    // The window was a sink like the recording (its summary line), and the run ended at the
    // end of the file camera, which closed the window.
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.lines().any(|l| l == "window"), "{out}");
    let stats = read_json(&stats_path);
    assert_eq!(stats["ended"], "end of file", "{stats}");
    assert_recording_matches(&rec, &stats);
}
