//! Many targets in one run: a folder with two photos, a photo without a face, a corrupt
//! file and a video; one pipeline, one summary, exit status 3 with the list of failures,
//! no overwrite without `--overwrite`, nothing written over an input.

use super::{liveswap, media, s, short_clip, text};
use liveswap_tests::temp_dir;
use std::path::Path;

fn listing(dir: &Path) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().unwrap().len(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_folder_with_a_corrupt_file_a_no_face_photo_and_a_video() {
    let root = temp_dir("batch");
    let inputs = root.join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    std::fs::copy(media("grace_hopper.jpg"), inputs.join("grace.jpg")).unwrap();
    std::fs::copy(media("obama.jpg"), inputs.join("obama.jpg")).unwrap();
    // A real photo without a face: the jacket below Grace Hopper's chin.
    let jacket = image::open(media("grace_hopper.jpg"))
        .unwrap()
        .crop_imm(0, 440, 512, 160);
    jacket.save(inputs.join("camera.png")).unwrap();
    let whole = std::fs::read(media("biden.jpg")).unwrap();
    std::fs::write(inputs.join("broken.jpg"), &whole[..whole.len() / 2]).unwrap();
    std::fs::write(inputs.join("notes.txt"), b"not media").unwrap();
    short_clip(&inputs.join("clip.mp4"), "Obama_speaking.mp4", 4);
    let before = listing(&inputs);
    let source = media("astronaut.png");
    let out_dir = root.join("out");
    let out_arg = format!("{}/", out_dir.display());

    let o = liveswap(&["run", "-s", s(&source), "-t", s(&inputs), "-o", &out_arg]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(3), "{out}\n{err}");
    // One pipeline: each model is opened once (the analyser logs nothing at this level, so
    // count the per-file lines and the one summary instead).
    assert!(
        out.contains("done: 5 target(s), 4 written, 1 failed"),
        "{out}"
    );
    assert_eq!(out.matches("done:").count(), 1, "{out}");
    assert!(out.contains("grace.jpg: 1 face(s), 1 swapped"), "{out}");
    assert!(out.contains("camera.png: 0 face(s), 0 swapped"), "{out}");
    assert!(
        out.contains("4 frame(s)") && out.contains("clip.mp4"),
        "{out}"
    );
    assert!(
        err.contains("camera.png: no face found"),
        "a warning names the file: {err}"
    );
    assert!(
        err.contains("broken.jpg") && err.contains("failed and were skipped"),
        "{err}"
    );
    for k in 1..=5 {
        assert!(
            err.contains(&format!("[{k}/5]")),
            "progress per file: {err}"
        );
    }
    for name in ["grace.jpg", "obama.jpg", "camera.png", "clip.mp4"] {
        assert!(out_dir.join(name).is_file(), "{name} written");
    }
    assert!(!out_dir.join("broken.jpg").exists());
    assert_eq!(listing(&inputs), before, "the input folder is untouched");

    // A second run does not overwrite: refused before any work, nothing changes.
    let written = listing(&out_dir);
    let o = liveswap(&["run", "-s", s(&source), "-t", s(&inputs), "-o", &out_arg]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("nothing was processed") && err.contains("--overwrite"),
        "{err}"
    );
    assert_eq!(listing(&out_dir), written);

    // -o into the input folder would write over the inputs: refused.
    let in_arg = format!("{}/", inputs.display());
    let o = liveswap(&[
        "run",
        "-s",
        s(&source),
        "-t",
        s(&inputs),
        "-o",
        &in_arg,
        "--overwrite",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(listing(&inputs), before, "the input folder is untouched");

    // A pattern and a template; --skip-no-face writes nothing for the faceless photo.
    let pattern = format!("{}/*.png", inputs.display());
    let template = format!("{}/{{stem}}-swapped.{{ext}}", root.display());
    let o = liveswap(&[
        "run",
        "-s",
        s(&source),
        "-t",
        &pattern,
        "-t",
        s(&inputs.join("grace.jpg")),
        "--output-template",
        &template,
        "--skip-no-face",
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    assert!(
        out.contains("done: 2 target(s), 1 written, 0 failed"),
        "{out}"
    );
    assert!(root.join("grace-swapped.jpg").is_file());
    assert!(!root.join("camera-swapped.png").exists(), "--skip-no-face");
    assert!(
        err.contains("camera.png: no face found; nothing written"),
        "{err}"
    );
}

#[test]
fn several_targets_need_an_output_folder_or_template() {
    let o = liveswap(&[
        "run",
        "-s",
        s(&media("astronaut.png")),
        "-t",
        s(&media("obama.jpg")),
        "-t",
        s(&media("biden.jpg")),
        "-o",
        "/tmp/one-file.png",
    ]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("output folder") && err.contains("--output-template"),
        "{err}"
    );
}
