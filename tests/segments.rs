//! Seeking and scale-out: `preview --frame`, `--trim` and `--segment` reach their first frame
//! by seeking to the keyframe before it, and give exactly what decoding from the start gives
//! (numbers, timestamps, pixels); `--segment K/N` runs joined with `liveswap join` equal one
//! `liveswap run`; `join` refuses segments that do not belong together; the Kubernetes
//! manifests have the fields that matter.
//!
//! Needs `ffmpeg`/`ffprobe` and `../shared/media`. The real Slurm test is
//! `host/scripts/test-slurm.sh` (it needs root to start the daemons).

use crate::video::{assert_ok, ffmpeg, liveswap, stderr};
use liveswap_host::video::{
    self, FramePoint, FrameTime, NoObserver, Seeking, VideoJob, extract_frame,
};
use liveswap_tests::{shared_file, temp_dir, workspace};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

fn digest(data: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    data.hash(&mut h);
    h.finish()
}

/// Every frame a run decodes (after its trim), as (time, pixel digest), through the
/// library's streamed run with the given seeking, and the frame decoding started at.
fn decoded(
    input: &Path,
    dir: &Path,
    trim: Option<&str>,
    seeking: Seeking,
) -> (Vec<(FrameTime, u64)>, u64) {
    let job = VideoJob {
        input: input.into(),
        output: dir.join(format!(
            "scratch-{}.mkv",
            digest(format!("{trim:?}{seeking:?}").as_bytes())
        )),
        trim: trim.map(|t| t.parse().unwrap()).unwrap_or_default(),
        encode: video::EncodeOptions {
            preset: video::Preset::Ultrafast,
            ..Default::default()
        },
        audio: false,
        decode_threads: 1,
        seeking,
        ..Default::default()
    };
    let mut seen = Vec::new();
    let summary = video::transcode(
        &job,
        &mut |image, meta| seen.push((meta.time, digest(&image.data))),
        &mut NoObserver,
        &AtomicBool::new(false),
    )
    .unwrap();
    let _ = std::fs::remove_file(&job.output);
    if seeking == Seeking::FromStart {
        assert_eq!(summary.range.decoded_from, 0);
    }
    (seen, summary.range.decoded_from)
}

/// A 90-frame x264 clip with a keyframe every 12 frames and B-frames, or an open-GOP
/// Matroska one, or a variable-frame-rate one.
fn generated_clips(dir: &Path) -> Vec<PathBuf> {
    let gop = dir.join("gop12.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x120:rate=30000/1001,trim=end_frame=90",
        "-c:v",
        "libx264",
        "-g",
        "12",
        "-bf",
        "2",
        "-pix_fmt",
        "yuv420p",
        gop.to_str().unwrap(),
    ]);
    let open = dir.join("opengop.mkv");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x120:rate=25,trim=end_frame=80",
        "-c:v",
        "libx264",
        "-x264-params",
        "keyint=20:min-keyint=20:open-gop=1:bframes=3",
        "-pix_fmt",
        "yuv420p",
        open.to_str().unwrap(),
    ]);
    let vfr = dir.join("vfr.mkv");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x120:rate=30",
        "-vf",
        "setpts='if(lt(N,40),N/30,1.5+(N-40)/10)/TB'",
        "-fps_mode",
        "vfr",
        "-frames:v",
        "70",
        "-c:v",
        "libx264",
        "-g",
        "15",
        vfr.to_str().unwrap(),
    ]);
    vec![gop, open, vfr]
}

#[test]
fn seeking_equals_decoding_from_the_start() {
    let dir = temp_dir("seek");
    let mut clips = generated_clips(&dir);
    // Real: keyframes at 60, 120, 163, 211, 271, video starting at 0.85 s, 2997/100.
    clips.push(shared_file("media/short_hamilton_clip.mp4"));
    for clip in &clips {
        let name = clip.file_name().unwrap().to_string_lossy().into_owned();
        let (all, _) = decoded(clip, &dir, None, Seeking::FromStart);
        let index = video::frame_index(clip).unwrap().expect("indexable");
        assert_eq!(
            index.frames(),
            all.len() as u64,
            "{name}: index counts every frame"
        );
        let keys = index.keyframes().to_vec();
        assert!(keys.len() >= 3, "{name}: keyframes {keys:?}");
        let k = keys[keys.len() / 2];
        let last = all.len() as u64 - 1;
        for n in [0, 1, k - 1, k, k + 1, keys[1] + 5, last] {
            let (image, time, _) =
                extract_frame(clip, FramePoint::Frame(n), Seeking::Keyframe).unwrap();
            let (t, d) = all[n as usize];
            assert_eq!(time, t, "{name}: frame {n}: numbering and timestamps");
            assert_eq!(digest(&image.data), d, "{name}: frame {n}: pixels");
        }
        // A time: the first frame at or after it, as from the start.
        let at = all[(k + 2) as usize].0.timestamp_us - 1;
        let (_, time, _) = extract_frame(clip, FramePoint::Time(at), Seeking::Keyframe).unwrap();
        assert_eq!(time, all[(k + 2) as usize].0, "{name}: time point");
        // A trim starting past a keyframe decodes from that keyframe only.
        let (from, to) = (k + 3, (k + 13).min(last + 1));
        let (trimmed, start) = decoded(
            clip,
            &dir,
            Some(&format!("{from}..{to}")),
            Seeking::Keyframe,
        );
        assert_eq!(
            trimmed,
            all[from as usize..to as usize].to_vec(),
            "{name}: --trim {from}..{to}"
        );
        assert_eq!(
            start, k,
            "{name}: decoding starts at the keyframe before {from}"
        );
        let t_us = all[from as usize].0.timestamp_us;
        let spec = format!("{}ms..", t_us as f64 / 1000.0);
        let (by_time, _) = decoded(clip, &dir, Some(&spec), Seeking::Keyframe);
        assert_eq!(
            by_time,
            all[from as usize..].to_vec(),
            "{name}: --trim by time"
        );
    }
}

#[test]
fn seeking_skips_the_frames_before_the_keyframe() {
    let dir = temp_dir("seek-range");
    let clip = &generated_clips(&dir)[0];
    let job = VideoJob {
        input: clip.clone(),
        output: dir.join("out.mkv"),
        trim: "50..60".parse().unwrap(),
        decode_threads: 1,
        ..Default::default()
    };
    let mut first = None;
    let summary = video::transcode(
        &job,
        &mut |_, meta| {
            first.get_or_insert(meta.time.source_index);
        },
        &mut NoObserver,
        &AtomicBool::new(false),
    )
    .unwrap();
    // Keyframes every 12 frames: 48 is the one before 50.
    assert_eq!(summary.range.decoded_from, 48);
    assert_eq!((summary.range.first, summary.range.end), (50, 60));
    assert_eq!(first, Some(50));
    assert_eq!(summary.frames, 10);
}

#[test]
fn preview_seeks_and_takes_images() {
    let dir = temp_dir("seek-preview");
    let clip = shared_file("media/short_hamilton_clip.mp4");
    let png = dir.join("f.png");
    let o = liveswap(&[
        "preview",
        "-p",
        "profiles/debug.toml",
        "-t",
        clip.to_str().unwrap(),
        "--frame",
        "200",
        "-o",
        png.to_str().unwrap(),
        "--set",
        "face_debugger.enabled=false",
    ]);
    assert_ok(&o);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("frame 200 at 6.673s"), "{text}");
    // The written frame is the source's frame 200, decoded from the start by ffmpeg.
    let raw = dir.join("raw.png");
    ffmpeg(&[
        "-i",
        clip.to_str().unwrap(),
        "-vf",
        "select=eq(n\\,200)",
        "-frames:v",
        "1",
        raw.to_str().unwrap(),
    ]);
    let (a, b) = (
        image::open(&png).unwrap().to_rgb8(),
        image::open(&raw).unwrap().to_rgb8(),
    );
    let mean: f64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| f64::from(x.abs_diff(*y)))
        .sum::<f64>()
        / a.as_raw().len() as f64;
    assert!(mean < 2.0, "frame 200 (mean difference {mean})");
    // An image target: processed like `run` does it.
    let img = workspace().join("tests/samples/grace_hopper.jpg");
    let out = dir.join("img.png");
    let o = liveswap(&[
        "preview",
        "-p",
        "profiles/debug.toml",
        "-t",
        img.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_ok(&o);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("image, 1 face(s)"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(
        image::open(&out).unwrap().to_rgb8().dimensions(),
        (512, 600)
    );
    let o = liveswap(&[
        "preview",
        "-p",
        "profiles/debug.toml",
        "-t",
        img.to_str().unwrap(),
        "--frame",
        "3",
        "-o",
        dir.join("no.png").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("still image"), "{}", stderr(&o));
}
