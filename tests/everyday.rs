//! Everyday use (issue 13): phone photos with an orientation tag, folders of files in one
//! run, profile changes from the command line, `liveswap faces` for `--map`, output options,
//! remembered model digests, and execution providers that are used or refused, never
//! silently replaced.
//!
//! | module | what |
//! |---|---|
//! | `orientation` | EXIF orientations 1–8 of a real photo give the upright photo's pixels and faces; outputs are upright and untagged |
//! | `batch` | a folder with images, a corrupt file, a no-face photo and a video in one run; overwrite and input protection; templates |
//! | `edits` | built-in profiles without the checkout, `--add mouth_mask` to inswapper validated and run, `--disable`, aliases |
//! | `output` | `--jpeg-quality`, `--png-compression`, the source's ICC profile kept |
//! | `digests` | the digest cache: hit, miss, same size with a new mtime |
//! | `providers` | an unavailable named provider refused before any frame, `--provider-fallback`, `auto`; providers named in summaries |
//! | `faces` | `liveswap faces` on a two-person clip: two thumbnails that `--map` accepts |

mod batch;
mod digests;
mod edits;
mod faces;
mod orientation;
mod output;
mod providers;

use liveswap_tests::{liveswap_command, ort_library, shared, shared_file, workspace};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `liveswap` like a user (models from ../shared/models unless `envs` says otherwise,
/// plugins beside the binary), from `cwd` (the workspace when `None`).
pub fn liveswap_in(cwd: Option<&Path>, args: &[&str], envs: &[(&str, &Path)]) -> Output {
    let mut c = liveswap_command();
    c.args(args)
        .current_dir(cwd.map_or_else(workspace, Path::to_path_buf))
        .env("ORT_DYLIB_PATH", ort_library())
        .env("LIVESWAP_MODELS_DIR", shared().join("models"))
        .env_remove("LIVESWAP_PLUGIN_PATH")
        .env_remove("RUST_LOG");
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// [`liveswap_in`] from the workspace with the default environment.
pub fn liveswap(args: &[&str]) -> Output {
    liveswap_in(None, args, &[])
}

/// stdout and stderr as text.
pub fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A file under `../shared/media`.
pub fn media(name: &str) -> PathBuf {
    shared_file(&format!("media/{name}"))
}

/// A path as `&str`.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Faces as `liveswap analyse --json` prints them: (bbox, kps).
pub fn analyse(image: &Path) -> Vec<([f64; 4], Vec<[f64; 2]>)> {
    let o = liveswap(&["analyse", s(image), "--json"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{}: {err}", image.display());
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["faces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let b: Vec<f64> = f["bbox"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect();
            let kps = f["kps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| [p[0].as_f64().unwrap(), p[1].as_f64().unwrap()])
                .collect();
            ([b[0], b[1], b[2], b[3]], kps)
        })
        .collect()
}

/// A short clip of `Obama_speaking.mp4` (first `frames` frames, re-encoded) at `path`.
pub fn short_clip(path: &Path, source: &str, frames: u32) {
    let st = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-i", s(&media(source))])
        .args(["-frames:v", &frames.to_string(), "-an", "-c:v", "libx264"])
        .args(["-pix_fmt", "yuv420p", s(path)])
        .status()
        .unwrap();
    assert!(st.success(), "ffmpeg failed making {}", path.display());
}
