//! `liveswap faces`: one thumbnail per distinct person, usable by `--map` as it is.

use super::{liveswap, media, s, text};
use liveswap_tests::temp_dir;
use std::process::Command;

#[test]
fn two_people_in_a_clip_give_two_thumbnails_that_map_accepts() {
    let dir = temp_dir("faces");
    // Five frames of the photo, then five mirrored: the two people change places, so the
    // tracks break at the cut and must be joined again by identity.
    let clip = dir.join("two.mp4");
    let photo = media("two_people.jpg");
    let st = Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(["-loop", "1", "-framerate", "25", "-t", "0.2", "-i", s(&photo)])
        .args(["-loop", "1", "-framerate", "25", "-t", "0.2", "-i", s(&photo)])
        .args([
            "-filter_complex",
            "[0]scale=trunc(iw/2)*2:trunc(ih/2)*2,format=yuv420p[a];[1]hflip,scale=trunc(iw/2)*2:trunc(ih/2)*2,format=yuv420p[b];[a][b]concat=n=2:v=1[v]",
        ])
        .args(["-map", "[v]", "-c:v", "libx264", s(&clip)])
        .status()
        .unwrap();
    assert!(st.success());
    let faces_dir = dir.join("people");
    let o = liveswap(&["faces", "-t", s(&clip), "-o", s(&faces_dir), "--json"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let people = v["people"].as_array().unwrap();
    assert_eq!(people.len(), 2, "{out}");
    for p in people {
        assert_eq!(
            p["frame_count"].as_u64(),
            Some(10),
            "seen in every frame: {out}"
        );
        assert_eq!(p["frames"], serde_json::json!([[0, 9]]), "{out}");
    }
    let (p1, p2) = (
        faces_dir.join("person-1.png"),
        faces_dir.join("person-2.png"),
    );
    assert!(p1.is_file() && p2.is_file());
    assert!(!faces_dir.join("person-3.png").exists());

    // The thumbnails work as --map targets: each person gets their own source.
    let map1 = format!("{}={}", s(&p1), s(&media("astronaut.png")));
    let map2 = format!("{}={}", s(&p2), s(&media("grace_hopper.jpg")));
    let out_img = dir.join("mapped.png");
    let o = liveswap(&[
        "run",
        "-t",
        s(&photo),
        "--map",
        &map1,
        "--map",
        &map2,
        "-o",
        s(&out_img),
    ]);
    let (stdout, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(stdout.contains("2 face(s), 2 swapped"), "{stdout}");
    // Only person-1: one of the two is swapped.
    let o = liveswap(&[
        "run",
        "-t",
        s(&photo),
        "--map",
        &map1,
        "-o",
        s(&dir.join("one.png")),
    ]);
    let (stdout, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(stdout.contains("2 face(s), 1 swapped"), "{stdout}");

    // Existing thumbnails are not overwritten without --overwrite.
    let o = liveswap(&["faces", "-t", s(&photo), "-o", s(&faces_dir)]);
    assert_eq!(o.status.code(), Some(1));
    let o = liveswap(&["faces", "-t", s(&photo), "-o", s(&faces_dir), "--overwrite"]);
    let (stdout, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(stdout.contains("2 person(s)"), "{stdout}");
}
