//! The real window: `liveswap ui` under Xvfb with iced's software renderer.
//!
//! The test starts a virtual X server, opens the app with a source, a target and the
//! default profile, waits for the preview (the app's `LIVESWAP_UI_PROBE` trace says when
//! and where it is), takes a screenshot with `xwd`, and compares the preview area with
//! `liveswap run`'s output of the same inputs (the preview is shown at the image's own size
//! when it fits). Then it clicks face_morpher's switch off with `xdotool` and checks that
//! the preview shows the original target again. It fails when Xvfb, xwd or xdotool is
//! missing: `host/scripts/setup-ui-test.sh` installs them, and CI runs it.
//!
//! Screenshots (`with-swap.png`, `switched-off.png`, and a small `ui.png` like the README's)
//! are left in `target/ui-screenshots/` as artefacts of the run.

use liveswap_host::ui::PROBE_ENV;
use liveswap_tests::{liveswap_command, ort_library, shared, target_dir, temp_dir, workspace};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Screen size of the virtual display (the app opens at 1400×900).
const SCREEN: (u32, u32) = (1400, 900);
/// How long the app may take to show a preview (debug build, models loading, 2 cores).
const PREVIEW_TIMEOUT: Duration = Duration::from_secs(240);
/// Largest mean absolute difference (0–255 per channel) between the preview area and the
/// image it should show. Both come from the same decoder and pipeline, drawn 1:1 with
/// nearest-neighbour sampling, so they are expected to be equal; 1.0 leaves room for a
/// renderer that blends edge pixels.
const SAME_IMAGE: f64 = 1.0;

fn need(program: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "{program} is not installed: run host/scripts/setup-ui-test.sh (CI does)"
    );
}

/// A child process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A virtual X server on a free display number.
pub(crate) struct Xvfb {
    _server: Running,
    pub(crate) display: String,
}

impl Xvfb {
    pub(crate) fn start() -> Self {
        need("Xvfb");
        let n = (90..140)
            .find(|n| {
                !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                    && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
            })
            .expect("no free X display number in :90–:139");
        let display = format!(":{n}");
        let server = Command::new("Xvfb")
            .arg(&display)
            .args(["-screen", "0", &format!("{}x{}x24", SCREEN.0, SCREEN.1)])
            .args(["-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start Xvfb: {e}"));
        let mut server = Running(server);
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
        let deadline = Instant::now() + Duration::from_secs(15);
        while !socket.exists() {
            if let Ok(Some(status)) = server.0.try_wait() {
                panic!("Xvfb {display} exited at start: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "Xvfb {display} did not start in 15 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Self {
            _server: server,
            display,
        }
    }
}

/// An RGB screenshot.
struct Shot {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

impl Shot {
    fn take(display: &str) -> Self {
        need("xwd");
        let out = Command::new("xwd")
            .args(["-root", "-silent", "-display", display])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "xwd failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        parse_xwd(&out.stdout)
    }

    fn crop(&self, x: i64, y: i64, w: u32, h: u32) -> Option<Vec<u8>> {
        if x < 0 || y < 0 || x as u32 + w > self.width || y as u32 + h > self.height {
            return None;
        }
        let (x, y) = (x as usize, y as usize);
        let mut out = Vec::with_capacity((w * h * 3) as usize);
        for row in y..y + h as usize {
            let start = (row * self.width as usize + x) * 3;
            out.extend_from_slice(&self.rgb[start..start + w as usize * 3]);
        }
        Some(out)
    }

    fn save(&self, path: &Path) {
        image::RgbImage::from_raw(self.width, self.height, self.rgb.clone())
            .unwrap()
            .save(path)
            .unwrap();
    }
}

/// Decodes an X Window Dump (ZPixmap, 24/32 bits per pixel, any byte order) to RGB.
/// The header's 25 fields are big-endian 32-bit words; the window name and the colour
/// map (12 bytes per entry) follow before the pixels.
fn parse_xwd(bytes: &[u8]) -> Shot {
    let word = |i: usize| u32::from_be_bytes(bytes[i * 4..i * 4 + 4].try_into().unwrap());
    let header_size = word(0) as usize;
    assert_eq!(word(1), 7, "not an XWD version 7 file");
    assert_eq!(word(2), 2, "not a ZPixmap dump");
    let (width, height) = (word(4), word(5));
    let byte_order = word(7); // 0 = LSB first
    let bits_per_pixel = word(11);
    let bytes_per_line = word(12) as usize;
    let masks = [word(14), word(15), word(16)];
    let colours = word(19) as usize;
    assert!(
        bits_per_pixel == 32 || bits_per_pixel == 24,
        "{bits_per_pixel} bits per pixel"
    );
    let data = &bytes[header_size + colours * 12..];
    let step = bits_per_pixel as usize / 8;
    let mut rgb = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height as usize {
        let line = &data[y * bytes_per_line..];
        for x in 0..width as usize {
            let px = &line[x * step..x * step + step];
            let mut v: u32 = 0;
            for (k, b) in px.iter().enumerate() {
                let shift = if byte_order == 0 { k } else { step - 1 - k };
                v |= u32::from(*b) << (8 * shift);
            }
            for m in masks {
                rgb.push(((v & m) >> m.trailing_zeros()) as u8);
            }
        }
    }
    Shot { width, height, rgb }
}

/// Smallest mean difference, inside the region the swap changed, between the swapped and
/// the original image for the two to count as told apart.
const TOLD_APART: f64 = 5.0;

/// The pixels where two RGB images differ (the region the swap changed).
fn changed(a: &[u8], b: &[u8]) -> Vec<bool> {
    a.chunks_exact(3)
        .zip(b.chunks_exact(3))
        .map(|(x, y)| x != y)
        .collect()
}

/// Mean absolute difference over the pixels `mask` selects.
fn masked_diff(a: &[u8], b: &[u8], mask: &[bool]) -> f64 {
    let (mut sum, mut n) = (0u64, 0u64);
    for ((x, y), &m) in a.chunks_exact(3).zip(b.chunks_exact(3)).zip(mask) {
        if m {
            sum += x
                .iter()
                .zip(y)
                .map(|(p, q)| u64::from(p.abs_diff(*q)))
                .sum::<u64>();
            n += 3;
        }
    }
    if n == 0 { 0.0 } else { sum as f64 / n as f64 }
}

fn mean_abs_diff(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    let sum: u64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f64 / a.len() as f64
}

/// The best match of `image` around (x, y) in the shot, within ±2 px (layout positions
/// can be fractional): (difference, dx, dy).
fn best_match(shot: &Shot, x: i64, y: i64, image: &image::RgbImage) -> (f64, i64, i64) {
    let mut best = (f64::INFINITY, 0, 0);
    for dy in -2..=2 {
        for dx in -2..=2 {
            if let Some(area) = shot.crop(x + dx, y + dy, image.width(), image.height()) {
                let d = mean_abs_diff(&area, image.as_raw());
                if d < best.0 {
                    best = (d, dx, dy);
                }
            }
        }
    }
    best
}

/// The probe trace so far.
fn probe_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Waits until a `preview result W H STAGES` line with these stages is followed by the
/// bounds of the preview and of the switch; returns (preview rect, switch rect).
fn wait_for_preview(
    probe: &Path,
    stages: &str,
    after: usize,
    app: &mut Running,
    log: &Path,
) -> (usize, [i64; 4], [i64; 4]) {
    let deadline = Instant::now() + PREVIEW_TIMEOUT;
    loop {
        let lines = probe_lines(probe);
        let found =
            lines.iter().enumerate().skip(after).find(|(_, l)| {
                l.starts_with("preview result ") && l.split(' ').nth(4) == Some(stages)
            });
        if let Some((at, _)) = found {
            let rect = |id: &str| {
                lines[at..].iter().find_map(|l| {
                    let rest = l.strip_prefix(&format!("bounds {id} "))?;
                    let v: Vec<i64> = rest.split(' ').filter_map(|t| t.parse().ok()).collect();
                    (v.len() == 4).then(|| [v[0], v[1], v[2], v[3]])
                })
            };
            if let (Some(p), Some(s)) = (rect("preview-image"), rect("switch:face_morpher")) {
                return (at, p, s);
            }
        }
        if let Ok(Some(status)) = app.0.try_wait() {
            panic!(
                "liveswap ui exited ({status}):\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        assert!(
            Instant::now() < deadline,
            "no preview with stages {stages} within {PREVIEW_TIMEOUT:?}; trace:\n{}\nlog:\n{}",
            lines.join("\n"),
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Where the window's (0, 0) is on the screen.
fn window_origin(display: &str) -> (i64, i64) {
    need("xdotool");
    let out = Command::new("xdotool")
        .args([
            "search",
            "--sync",
            "--name",
            "^liveswap$",
            "getwindowgeometry",
            "--shell",
        ])
        .env("DISPLAY", display)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let get = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .and_then(|v| v.trim().parse::<i64>().ok())
    };
    match (get("X"), get("Y")) {
        (Some(x), Some(y)) => (x, y),
        _ => panic!("cannot find the liveswap window: {text}"),
    }
}

fn click(display: &str, x: i64, y: i64) {
    let ok = Command::new("xdotool")
        .args([
            "mousemove",
            "--sync",
            &x.to_string(),
            &y.to_string(),
            "click",
            "1",
        ])
        .env("DISPLAY", display)
        .status()
        .unwrap()
        .success();
    assert!(ok, "xdotool click failed");
}

#[test]
fn real_window_preview_matches_run_and_reverts_when_switched_off() {
    let xvfb = Xvfb::start();
    let dir = temp_dir("ui-window");
    let shots = target_dir().join("ui-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let samples = workspace().join("tests/samples");
    let (source, target) = (
        samples.join("astronaut.png"),
        samples.join("grace_hopper.jpg"),
    );
    let profile = workspace().join("profiles/default.toml");
    let global = |cmd: &mut Command| {
        cmd.arg("--models-dir")
            .arg(shared().join("models"))
            .arg("--ort-lib")
            .arg(ort_library());
    };

    // What the preview must show: `liveswap run` with the same inputs.
    let expected_file = dir.join("run.png");
    let mut run = liveswap_command();
    global(&mut run);
    let out = run
        .args(["run", "--profile"])
        .arg(&profile)
        .arg("--source")
        .arg(&source)
        .arg("--target")
        .arg(&target)
        .arg("--output")
        .arg(&expected_file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = image::open(&expected_file).unwrap().to_rgb8();
    let original = image::open(&target).unwrap().to_rgb8();
    let region = changed(expected.as_raw(), original.as_raw());
    let pixels = region.iter().filter(|&&m| m).count();
    let apart = masked_diff(expected.as_raw(), original.as_raw(), &region);
    assert!(
        pixels > 1000 && apart > 2.0 * TOLD_APART,
        "the swap changed too little to tell: {pixels} px, {apart:.2}"
    );

    let probe = dir.join("probe.txt");
    let log = dir.join("app.log");
    let mut app = liveswap_command();
    global(&mut app);
    let started = Instant::now();
    let app = app
        .args(["-v", "ui", "--profile"])
        .arg(&profile)
        .arg("--source")
        .arg(&source)
        .arg("--target")
        .arg(&target)
        .env("DISPLAY", &xvfb.display)
        .env_remove("WAYLAND_DISPLAY")
        .env("ICED_BACKEND", "tiny-skia")
        .env("WINIT_X11_SCALE_FACTOR", "1")
        .env(PROBE_ENV, &probe)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut app = Running(app);

    let (at, preview, switch) = wait_for_preview(
        &probe,
        "content_guard,face_analyser,face_morpher",
        0,
        &mut app,
        &log,
    );
    let ready = started.elapsed();
    let first_frame = probe_lines(&probe)
        .iter()
        .find_map(|l| l.strip_prefix("first_frame ").map(str::to_owned))
        .expect("the first frame is traced");
    eprintln!(
        "ui window: first frame after {first_frame} ms, swapped preview after {:.1} s",
        ready.as_secs_f64()
    );
    assert_eq!(
        (preview[2], preview[3]),
        (i64::from(expected.width()), i64::from(expected.height())),
        "the preview is shown at the image's own size"
    );
    // Let the frame with the new preview reach the screen.
    std::thread::sleep(Duration::from_millis(1500));
    let (ox, oy) = window_origin(&xvfb.display);
    let shot = Shot::take(&xvfb.display);
    shot.save(&shots.join("with-swap.png"));
    let small = image::imageops::thumbnail(
        &image::RgbImage::from_raw(shot.width, shot.height, shot.rgb.clone()).unwrap(),
        shot.width / 2,
        shot.height / 2,
    );
    small.save(shots.join("ui.png")).unwrap();
    let (px, py) = (ox + preview[0], oy + preview[1]);
    let (d_swap, dx, dy) = best_match(&shot, px, py, &expected);
    let area = shot
        .crop(px + dx, py + dy, expected.width(), expected.height())
        .unwrap();
    let d_orig = masked_diff(&area, original.as_raw(), &region);
    eprintln!(
        "preview vs run output {d_swap:.3} (offset {dx},{dy}); vs original in the swapped region ({pixels} px) {d_orig:.3}"
    );
    assert!(
        d_swap <= SAME_IMAGE && d_orig > TOLD_APART,
        "the preview area differs from `liveswap run`'s output by {d_swap:.3} (vs original {d_orig:.3}); see {}",
        shots.display()
    );

    // Switch face_morpher off with a real click: the preview goes back to the original.
    click(
        &xvfb.display,
        ox + switch[0] + switch[2] / 2,
        oy + switch[1] + switch[3] / 2,
    );
    let (_, preview_off, _) = wait_for_preview(
        &probe,
        "content_guard,face_analyser",
        at + 1,
        &mut app,
        &log,
    );
    std::thread::sleep(Duration::from_millis(1500));
    let shot = Shot::take(&xvfb.display);
    shot.save(&shots.join("switched-off.png"));
    let (d_back, dx, dy) = best_match(&shot, ox + preview_off[0], oy + preview_off[1], &original);
    let area = shot
        .crop(
            ox + preview_off[0] + dx,
            oy + preview_off[1] + dy,
            original.width(),
            original.height(),
        )
        .unwrap();
    let d_still_swapped = masked_diff(&area, expected.as_raw(), &region);
    eprintln!("switched off: vs original {d_back:.3}; vs swap {d_still_swapped:.3}");
    assert!(
        d_back <= SAME_IMAGE && d_still_swapped > TOLD_APART,
        "after switching face_morpher off the preview should be the original target: {d_back:.3} / {d_still_swapped:.3}"
    );
}
