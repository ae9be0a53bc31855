//! Seeking and scale-out: `preview --frame`, `--trim` and `--segment` reach their first frame
//! by seeking to the keyframe before it, and give exactly what decoding from the start gives
//! (numbers, timestamps, pixels); `--segment K/N` runs joined with `liveswap join` equal one
//! `liveswap run`; `join` refuses segments that do not belong together; the Kubernetes
//! manifests have the fields that matter.
//!
//! Needs `ffmpeg`/`ffprobe` and `../shared/media`. The real Slurm test is
//! `host/scripts/test-slurm.sh` (it needs root to start the daemons).

use crate::video::{
    assert_ok, assert_provenance, ffmpeg, liveswap, packets, probe, seconds, stderr, stream,
};
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
        &mut |image, meta| {
            seen.push((meta.time, digest(&image.data)));
            std::ops::ControlFlow::Continue(())
        },
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
            std::ops::ControlFlow::Continue(())
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

/// ffmpeg's per-frame digest lines of one stream (`v` or `a`) of a file: timestamp,
/// duration, size and md5 of every decoded frame (video) or copied packet (audio).
fn framemd5(path: &Path, kind: &str) -> Vec<String> {
    let mut args = vec!["-v", "error", "-i", path.to_str().unwrap(), "-map"];
    let map = format!("0:{kind}");
    args.push(&map);
    if kind == "a" {
        args.extend(["-c", "copy"]);
    }
    args.extend(["-f", "framemd5", "-"]);
    let o = std::process::Command::new("ffmpeg")
        .args(&args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// The video packets' (pts, duration) in the stream's time base, in presentation order,
/// and that time base.
fn video_pts(path: &Path) -> (String, Vec<(i64, i64)>) {
    let o = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .args(["stream=time_base:packet=pts,duration", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let mut tb = String::new();
    let mut pts = Vec::new();
    for line in text.lines() {
        let cols: Vec<&str> = line.split(',').filter(|c| !c.is_empty()).collect();
        match cols.as_slice() {
            [t] if t.contains('/') => tb = (*t).to_owned(),
            [p, d] => pts.push((p.parse().unwrap(), d.parse().unwrap_or(-1))),
            _ => {}
        }
    }
    pts.sort_unstable();
    (tb, pts)
}

/// `liveswap run` with `common` and `extra`.
fn run(common: &[&str], extra: &[&str]) -> std::process::Output {
    let mut args = vec!["run"];
    args.extend(common);
    args.extend(extra);
    liveswap(&args)
}

/// Renders `target` once and as `n` segments (`--segment K/N`), joins them (given in
/// reverse order) and returns (single, joined, segment files).
fn single_and_joined(dir: &Path, common: &[&str], n: u64) -> (PathBuf, PathBuf, Vec<PathBuf>) {
    let single = dir.join("single.mp4");
    assert_ok(&run(common, &["-o", single.to_str().unwrap()]));
    let mut segs = Vec::new();
    for k in 0..n {
        let seg = dir.join(format!("seg-{k}.mp4"));
        let spec = format!("{k}/{n}");
        let o = run(common, &["--segment", &spec, "-o", seg.to_str().unwrap()]);
        assert_ok(&o);
        assert!(
            String::from_utf8_lossy(&o.stdout).contains(&format!("segment {spec}: frames")),
            "{}",
            String::from_utf8_lossy(&o.stdout)
        );
        segs.push(seg);
    }
    let joined = dir.join("joined.mp4");
    let mut args = vec!["join"];
    let names: Vec<String> = segs.iter().rev().map(|p| p.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    args.extend(["-o", joined.to_str().unwrap()]);
    let o = liveswap(&args);
    assert_ok(&o);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains(&format!("joined {n} segment(s)")),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    (single, joined, segs)
}

/// The joined file has the single run's frames (timestamps and pixels), audio packets,
/// frame rate, duration and provenance.
fn assert_same_video(single: &Path, joined: &Path) {
    let (ps, pj) = (probe(single), probe(joined));
    let (vs, vj) = (stream(&ps, "video").unwrap(), stream(&pj, "video").unwrap());
    assert_eq!(packets(vj), packets(vs), "frame count");
    assert_eq!(vj["avg_frame_rate"], vs["avg_frame_rate"]);
    assert_eq!(vj["start_time"], vs["start_time"]);
    let (a_s, a_j) = (stream(&ps, "audio").unwrap(), stream(&pj, "audio").unwrap());
    assert!(
        (seconds(&a_j["duration"]) - seconds(&a_s["duration"])).abs() < 1e-6,
        "audio duration {} vs {}",
        a_j["duration"],
        a_s["duration"]
    );
    assert_provenance(&pj);
    let ((tbs, ts), (tbj, tj)) = (video_pts(single), video_pts(joined));
    assert_eq!(tbj, tbs, "video time base");
    assert_eq!(tj.len(), ts.len());
    for (i, (a, b)) in ts.iter().zip(&tj).enumerate() {
        assert_eq!(a.0, b.0, "frame {i}: pts in {tbs}");
    }
    let (fs, fj) = (framemd5(single, "v"), framemd5(joined, "v"));
    assert_eq!(fs.len(), fj.len());
    for (i, (a, b)) in fs.iter().zip(&fj).enumerate() {
        assert_eq!(a, b, "decoded frame {i} (timestamp, size, md5)");
    }
    assert_eq!(
        framemd5(single, "a"),
        framemd5(joined, "a"),
        "audio packets"
    );
}

#[test]
fn segments_joined_equal_one_run_on_a_real_clip() {
    // 275 frames at 2997/100 from 0.85 s, keyframes at 60, 120, 163, 211, 271, AAC audio
    // longer than the video. Lossless x264 (quality 0 = crf 0), tracking on (a missed face
    // is coasted for 2 frames); the overlay draws every tracked face's box, keypoints and
    // landmarks, so equal pixels mean equal faces.
    let dir = temp_dir("segments-real");
    let clip = shared_file("media/short_hamilton_clip.mp4");
    let common = [
        "-p",
        "profiles/debug.toml",
        "-t",
        clip.to_str().unwrap(),
        "--set",
        "face_analyser.det_size=160",
        "--video-quality",
        "0",
        "--video-preset",
        "ultrafast",
    ];
    let (single, joined, segs) = single_and_joined(&dir, &common, 3);
    assert_same_video(&single, &joined);
    // The manifests: ranges cut on frame numbers, decoding from the keyframe before the
    // warm-up (track_coast_frames 2 + 2 frames).
    let expect = [(0, 91, 0, 0), (91, 183, 4, 60), (183, 275, 4, 163)];
    for (seg, (start, end, warmup, from)) in segs.iter().zip(expect) {
        let m = liveswap_tests::read_json(&PathBuf::from(format!("{}.json", seg.display())));
        assert_eq!(m["format"], "liveswap-segment/1");
        assert_eq!(m["count"], 3);
        assert_eq!(m["source"]["frames"], 275);
        assert_eq!(m["source"]["frame_rate"], "2997/100");
        assert_eq!(m["source"]["sha256"].as_str().unwrap().len(), 64);
        let f = &m["frames"];
        assert_eq!(
            (
                f["start"].as_u64(),
                f["end"].as_u64(),
                f["warmup"].as_u64(),
                f["decoded_from"].as_u64()
            ),
            (Some(start), Some(end), Some(warmup), Some(from)),
            "{}",
            seg.display()
        );
        assert_eq!(m["encoder"]["options"], "crf=0 preset=ultrafast");
        assert!(
            m["profile"]["settings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l == "face_analyser.det_size=160")
        );
        // Segments carry no audio; join adds the source's once.
        assert!(stream(&probe(seg), "audio").is_none());
    }
}

#[test]
fn segments_of_a_swap_with_tracking_match_at_the_joins() {
    // A real swap (landmark morph) with tracking state that matters at the joins:
    // whole-frame detection every 4 frames, identities refreshed every 6 (period 12).
    let dir = temp_dir("segments-swap");
    let clip = dir.join("clip.mp4");
    let hamilton = shared_file("media/short_hamilton_clip.mp4");
    ffmpeg(&[
        "-i",
        hamilton.to_str().unwrap(),
        "-frames:v",
        "120",
        "-vf",
        "scale=320:180",
        "-c:v",
        "libx264",
        "-g",
        "30",
        "-bf",
        "2",
        "-c:a",
        "aac",
        clip.to_str().unwrap(),
    ]);
    let face = shared_file("media/obama.jpg");
    let common = [
        "-p",
        "profiles/default.toml",
        "-t",
        clip.to_str().unwrap(),
        "-s",
        face.to_str().unwrap(),
        "--set",
        "face_analyser.det_size=320",
        "--set",
        "face_analyser.detect_full_every=4",
        "--set",
        "face_analyser.embedding_refresh=6",
        "--video-quality",
        "0",
        "--video-preset",
        "ultrafast",
    ];
    let (single, joined, segs) = single_and_joined(&dir, &common, 3);
    assert_same_video(&single, &joined);
    let m = liveswap_tests::read_json(&PathBuf::from(format!("{}.json", segs[2].display())));
    // 80 - (coast 2 + 2) = 76, down to a multiple of 12: warm-up from 72.
    assert_eq!(m["frames"]["warmup"], 8);
    // Without the warm-up the frames after the join are not all the same: the warm-up is
    // what makes them equal.
    let cold = dir.join("cold-2.mp4");
    assert_ok(&run(
        &common,
        &[
            "--segment",
            "2/3",
            "--segment-warmup",
            "0",
            "-o",
            cold.to_str().unwrap(),
        ],
    ));
    let (warm_frames, cold_frames) = (framemd5(&segs[2], "v"), framemd5(&cold, "v"));
    assert_eq!(warm_frames.len(), cold_frames.len());
    assert!(
        warm_frames.iter().zip(&cold_frames).any(|(a, b)| a != b),
        "a cold segment start should differ somewhere from the warmed-up one"
    );
}

/// `liveswap join` on `segs` into `out`: must fail with exit 1, a message containing
/// `needle`, and no output.
fn assert_join_refused(segs: &[&Path], out: &Path, needle: &str) {
    let mut args = vec!["join".to_owned()];
    args.extend(segs.iter().map(|p| p.display().to_string()));
    args.extend(["-o".to_owned(), out.display().to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = liveswap(&args);
    assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
    assert!(
        stderr(&o).contains(needle),
        "{args:?}: expected `{needle}` in: {}",
        stderr(&o)
    );
    assert!(!out.exists());
}

#[test]
fn join_refuses_segments_that_do_not_belong_together() {
    let dir = temp_dir("segments-refuse");
    let clip = |name: &str, hz: &str| {
        let p = dir.join(name);
        ffmpeg(&[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=160x120:rate=25,trim=end_frame=30",
            "-f",
            "lavfi",
            "-i",
            &format!("sine=frequency={hz}:sample_rate=48000:duration=1.2"),
            "-c:v",
            "libx264",
            "-g",
            "10",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            p.to_str().unwrap(),
        ]);
        p
    };
    let (a, b) = (clip("a.mp4", "440"), clip("b.mp4", "660"));
    let render = |target: &Path, spec: &str, out: &str, extra: &[&str]| {
        let out = dir.join(out);
        let mut common = vec![
            "-p",
            "profiles/debug.toml",
            "-t",
            target.to_str().unwrap(),
            "--set",
            "face_analyser.det_size=160",
            "--video-preset",
            "ultrafast",
            "--segment",
            spec,
            "-o",
            out.to_str().unwrap(),
        ];
        common.extend(extra);
        assert_ok(&run(&common, &[]));
        out
    };
    let a0 = render(&a, "0/3", "a0.mp4", &[]);
    let a1 = render(&a, "1/3", "a1.mp4", &[]);
    let a2 = render(&a, "2/3", "a2.mp4", &[]);
    let b2 = render(&b, "2/3", "b2.mp4", &[]);
    let a2_thick = render(
        &a,
        "2/3",
        "a2-thick.mp4",
        &["--set", "face_debugger.thickness=5"],
    );
    let a1_of_2 = render(&a, "1/2", "a1-of-2.mp4", &[]);
    let out = dir.join("out.mp4");
    assert_join_refused(
        &[&a0, &a2],
        &out,
        "segment(s) 1/3 missing (given: 0/3, 2/3)",
    );
    assert_join_refused(
        &[&a0, &a1, &b2],
        &out,
        "b2.mp4: is a segment of another video",
    );
    assert_join_refused(&[&a0, &a1, &a2_thick], &out, "face_debugger.thickness=5");
    assert_join_refused(
        &[&a0, &a1, &a1_of_2, &a2],
        &out,
        "a1-of-2.mp4: is segment 1/2, the others are of 3 segments",
    );
    assert_join_refused(&[&a0, &a1, &a1, &a2], &out, "give each segment once");
    // A manifest claiming frames another segment holds: an overlap.
    let m1 = dir.join("a1.mp4.json");
    let text = std::fs::read_to_string(&m1).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["frames"]["start"] = serde_json::json!(5);
    std::fs::write(&m1, serde_json::to_string(&v).unwrap()).unwrap();
    assert_join_refused(
        &[&a0, &a1, &a2],
        &out,
        "holds frames 5..20, which overlaps the previous segment (ending at frame 10)",
    );
    std::fs::write(&m1, &text).unwrap();
    // A segment file replaced after its manifest was written.
    std::fs::copy(&a1, &a2).unwrap();
    assert_join_refused(&[&a0, &a1, &a2], &out, "differs from what its manifest");
    // The untouched set joins, manifests given instead of files, in any order.
    let a2 = render(&a, "2/3", "a2.mp4", &["--overwrite"]);
    let m = |p: &Path| PathBuf::from(format!("{}.json", p.display()));
    let o = liveswap(&[
        "join",
        m(&a2).to_str().unwrap(),
        m(&a0).to_str().unwrap(),
        a1.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_ok(&o);
    let p = probe(&out);
    assert_eq!(packets(stream(&p, "video").unwrap()), 30);
    assert!(stream(&p, "audio").is_some());
    // No overwriting without --overwrite.
    let o = liveswap(&[
        "join",
        a0.to_str().unwrap(),
        a1.to_str().unwrap(),
        a2.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // --segment and --trim do not mix; K must be below N.
    let o = run(
        &[
            "-p",
            "profiles/debug.toml",
            "-t",
            a.to_str().unwrap(),
            "--segment",
            "0/2",
            "--trim",
            "0..5",
            "-o",
            dir.join("x.mp4").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = run(
        &[
            "-p",
            "profiles/debug.toml",
            "-t",
            a.to_str().unwrap(),
            "--segment",
            "3/3",
            "-o",
            dir.join("x.mp4").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("below N"), "{}", stderr(&o));
}

#[test]
fn plan_prints_the_segment_table() {
    let clip = shared_file("media/short_hamilton_clip.mp4");
    let o = liveswap(&[
        "plan",
        "-t",
        clip.to_str().unwrap(),
        "--segments",
        "3",
        "-p",
        "profiles/debug.toml",
        "--set",
        "face_analyser.det_size=160",
        "--set",
        "face_analyser.detect_full_every=5",
        "--bench-frames",
        "3",
    ]);
    assert_ok(&o);
    let text = String::from_utf8_lossy(&o.stdout);
    for row in [
        ("0/3", "0..91", "0", "0"),
        ("1/3", "91..183", "6", "60"),
        ("2/3", "183..275", "8", "163"),
    ] {
        let line = text
            .lines()
            .find(|l| l.starts_with(row.0))
            .unwrap_or_else(|| panic!("no row {}: {text}", row.0));
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(&cols[..4], &[row.0, row.1, row.2, row.3], "{line}");
        let secs: f64 = cols[4].parse().unwrap();
        assert!(secs > 0.0, "{line}");
    }
    assert!(text.contains("s/frame over 3 frame(s)"), "{text}");
    let o = liveswap(&[
        "plan",
        "-t",
        clip.to_str().unwrap(),
        "--segment-frames",
        "100",
        "-p",
        "profiles/debug.toml",
        "--bench-frames",
        "0",
    ]);
    assert_ok(&o);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("275 frame(s), 3 segment(s)"), "{text}");
    assert!(text.contains("2/3") && text.contains("183..275"), "{text}");
}

fn yaml(rel: &str) -> serde_yaml::Value {
    let path = workspace().join("host/deploy/k8s").join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn env_value<'a>(container: &'a serde_yaml::Value, name: &str) -> Option<&'a serde_yaml::Value> {
    container["env"]
        .as_sequence()?
        .iter()
        .find(|e| e["name"] == name)
}

#[test]
fn kubernetes_manifests_have_what_matters() {
    let render = yaml("render-job.yaml");
    assert_eq!(render["apiVersion"], "batch/v1");
    assert_eq!(render["kind"], "Job");
    let spec = &render["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    let n = spec["completions"].as_u64().unwrap();
    assert!(n >= 2);
    assert!(
        spec["backoffLimitPerIndex"].as_u64().unwrap() >= 1,
        "a failed segment is retried"
    );
    let pod = &spec["template"]["spec"];
    assert_eq!(
        pod["restartPolicy"], "Never",
        "backoffLimitPerIndex needs restartPolicy Never"
    );
    let c = &pod["containers"][0];
    let script = c["args"][0].as_str().unwrap();
    for needle in [
        "liveswap run",
        "--segment \"$JOB_COMPLETION_INDEX/$SEGMENTS\"",
        "seg-$JOB_COMPLETION_INDEX.mp4",
        "--overwrite",
    ] {
        assert!(
            script.contains(needle),
            "render args lack `{needle}`: {script}"
        );
    }
    assert_eq!(
        env_value(c, "SEGMENTS").unwrap()["value"],
        n.to_string().as_str(),
        "SEGMENTS = completions"
    );
    assert_eq!(
        env_value(c, "JOB_COMPLETION_INDEX").unwrap()["valueFrom"]["fieldRef"]["fieldPath"],
        "metadata.annotations['batch.kubernetes.io/job-completion-index']"
    );
    let models = env_value(c, "LIVESWAP_MODELS_DIR").unwrap()["value"]
        .as_str()
        .unwrap()
        .to_owned();
    // Inputs, models and segments on the one shared volume.
    let mount = c["volumeMounts"][0]["mountPath"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(models.starts_with(&mount) && script.contains(&format!("{mount}/segments")));
    let claim = pod["volumes"][0]["persistentVolumeClaim"]["claimName"]
        .as_str()
        .unwrap()
        .to_owned();
    let pvc = yaml("pvc.yaml");
    assert_eq!(pvc["kind"], "PersistentVolumeClaim");
    assert_eq!(pvc["metadata"]["name"], claim.as_str());
    assert_eq!(
        pvc["spec"]["accessModes"][0], "ReadWriteMany",
        "every pod mounts it"
    );

    let join = yaml("join-job.yaml");
    assert_eq!(join["kind"], "Job");
    let jc = &join["spec"]["template"]["spec"]["containers"][0];
    let jscript = jc["args"][0].as_str().unwrap();
    assert!(
        jscript.contains("liveswap join")
            && jscript.contains(&format!("{mount}/segments/seg-*.mp4")),
        "{jscript}"
    );
    assert_eq!(
        join["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"],
        claim.as_str()
    );

    let kustomize = yaml("kustomization.yaml");
    let resources: Vec<&str> = kustomize["resources"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(resources.contains(&"render-job.yaml") && resources.contains(&"pvc.yaml"));
    let gpu = yaml("gpu/kustomization.yaml");
    let patch_path = gpu["patches"][0]["path"].as_str().unwrap().to_owned();
    assert_eq!(
        gpu["patches"][0]["target"]["name"],
        render["metadata"]["name"]
    );
    let patch = yaml(&format!("gpu/{patch_path}"));
    let ps = &patch["spec"]["template"]["spec"];
    assert!(
        ps["nodeSelector"]
            .as_mapping()
            .is_some_and(|m| !m.is_empty())
    );
    let pc = &ps["containers"][0];
    assert_eq!(
        pc["name"], c["name"],
        "the patch merges into the render container"
    );
    assert_eq!(pc["resources"]["limits"]["nvidia.com/gpu"], 1);
    assert!(
        env_value(pc, "RUN_ARGS").unwrap()["value"]
            .as_str()
            .unwrap()
            .contains("--execution-provider cuda")
    );
}
