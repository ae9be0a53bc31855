//! Temporal stability end to end: a face the detector misses for a frame keeps being
//! processed (the analyser's tracker bridges the gap), and switching tracking off brings
//! the flicker back — which is what the bridge prevents.
//!
//! The clip: a still photo repeated, with one frame blacked out, so that frame surely has
//! no detectable face. The debug overlay (green boxes) shows where faces were reported.

use crate::video::{assert_ok, ffmpeg, run_debug, still_clip};
use liveswap_tests::temp_dir;
use std::path::Path;

/// The blacked-out frame.
const GAP: u32 = 3;

/// Pixels of frame `n` of `video` that are clearly the overlay's green.
fn green_pixels(video: &Path, n: u32, dir: &Path) -> usize {
    let png = dir.join(format!(
        "{}-{n}.png",
        video.file_stem().unwrap().to_string_lossy()
    ));
    let select = format!("select=eq(n\\,{n})");
    ffmpeg(&[
        "-i",
        video.to_str().unwrap(),
        "-vf",
        &select,
        "-frames:v",
        "1",
        png.to_str().unwrap(),
    ]);
    let img = image::open(&png).unwrap().to_rgb8();
    img.pixels()
        .filter(|p| p[1] > 150 && p[0] < 90 && p[2] < 90)
        .count()
}

#[test]
fn a_face_missed_for_a_frame_is_bridged_and_tracking_off_flickers() {
    let dir = temp_dir("tracking-gap");
    let clip = dir.join("gap.mkv");
    let blackout =
        format!("scale=320:-2,drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable='eq(n\\,{GAP})'");
    still_clip(&clip, 6, &blackout, &["-c:v", "ffv1"]);
    // The input really has nothing green on the gap frame (and the photo none to speak of).
    assert!(green_pixels(&clip, GAP, &dir) < 20);
    assert!(green_pixels(&clip, 1, &dir) < 200);

    let tracked = dir.join("tracked.mkv");
    let lossless = ["--video-encoder", "libx264", "--video-quality", "0"];
    assert_ok(&run_debug(&clip, &tracked, &lossless));
    let drawn = green_pixels(&tracked, 1, &dir);
    assert!(
        drawn > 300,
        "the overlay is drawn on a normal frame: {drawn}"
    );
    let bridged = green_pixels(&tracked, GAP, &dir);
    assert!(
        bridged > drawn / 2,
        "the missed frame still has the face's overlay: {bridged} vs {drawn}"
    );

    let untracked = dir.join("untracked.mkv");
    let mut args = lossless.to_vec();
    args.extend(["--set", "face_analyser.tracking=false"]);
    assert_ok(&run_debug(&clip, &untracked, &args));
    assert!(green_pixels(&untracked, 1, &dir) > 300);
    let flicker = green_pixels(&untracked, GAP, &dir);
    assert!(
        flicker < 20,
        "without tracking the gap frame has no overlay: {flicker}"
    );
}
