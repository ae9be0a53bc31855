//! Shared loading and comparison helpers for the oracle tests.

use liveswap_vision::{Affine, Image};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// `shared/reference`, which must exist: a missing oracle is a failure, not a skip.
pub fn ref_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference");
    assert!(
        dir.join("setA/set_manifest.json").is_file(),
        "oracle data not found at {} (expected the shared/ checkout next to the project; \
         see shared/reference/README.md)",
        dir.display()
    );
    dir
}

/// `shared/media`.
pub fn media_dir() -> PathBuf {
    ref_dir().join("../media")
}

/// Parses a JSON file under `shared/reference`.
pub fn json(rel: &str) -> Value {
    let path = ref_dir().join(rel);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad JSON {}: {e}", path.display()))
}

/// The set-A image keys from `set_manifest.json`.
pub fn set_a_keys() -> Vec<String> {
    json("setA/set_manifest.json")["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap().to_owned())
        .collect()
}

/// The per-image JSON for `key`: set A if present, else the OpenCV 4.10 rebuild (whose detection
/// is bit-identical, README §5). Returns the JSON and whether it came from set A.
pub fn image_json(key: &str) -> Option<(Value, bool)> {
    let a = format!("setA/{key}.json");
    if ref_dir().join(&a).is_file() {
        return Some((json(&a), true));
    }
    let b = format!("opencv-4.10-setA/{key}.json");
    ref_dir().join(&b).is_file().then(|| (json(&b), false))
}

/// Loads any PNG/JPEG as packed RGB8 (PNG alpha dropped, as `cv2.imread` does).
pub fn load_rgb(path: &Path) -> Image {
    let img = image::open(path)
        .unwrap_or_else(|e| panic!("cannot decode {}: {e}", path.display()))
        .to_rgb8();
    let (w, h) = img.dimensions();
    Image::from_vec(img.into_raw(), w as usize, h as usize, 3).unwrap()
}

/// Loads a PNG under `shared/reference`.
pub fn ref_png(rel: &str) -> Image {
    load_rgb(&ref_dir().join(rel))
}

/// sha256 (hex) of the image as a BGR H×W×3 buffer, the oracle's hash convention.
pub fn bgr_sha256(img: &Image) -> String {
    let mut h = Sha256::new();
    for px in img.data.chunks_exact(3) {
        h.update([px[2], px[1], px[0]]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The decoded frame `cv2.imread` saw for an image key, checked against `decoded_bgr_sha256`.
///
/// Uses `media/astronaut.png` (PNG decodes exactly), `setA/<key>_decoded.png` for JPEGs, and as
/// a last resort decodes the JPEG itself; returns `None` only when that decode differs from
/// OpenCV's (README §3: Rust JPEG decoders may differ by a few levels).
pub fn decoded_frame(key: &str, media_path: &str, want_sha: &str) -> Option<Image> {
    let png = ref_dir().join(format!("setA/{key}_decoded.png"));
    let file = Path::new(media_path).file_name().unwrap();
    let path = if png.is_file() {
        png
    } else {
        media_dir().join(file)
    };
    let img = load_rgb(&path);
    let ok = bgr_sha256(&img) == want_sha;
    let lossless = path.extension().is_some_and(|e| e == "png");
    assert!(
        ok || !lossless,
        "{} does not hash to decoded_bgr_sha256",
        path.display()
    );
    ok.then_some(img)
}

/// A JSON number array as f32 (values are printed so that f32 parsing is exact).
pub fn f32s(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .flat_map(|x| match x.as_array() {
            Some(inner) => inner.iter().map(|y| y.as_f64().unwrap() as f32).collect(),
            None => vec![x.as_f64().unwrap() as f32],
        })
        .collect()
}

/// A 2×3 JSON matrix.
pub fn affine(v: &Value) -> Affine {
    let r = |i: usize| -> [f64; 3] {
        let row = v[i].as_array().unwrap();
        [0, 1, 2].map(|j| row[j].as_f64().unwrap())
    };
    [r(0), r(1)]
}

/// 5×2 keypoints.
pub fn kps5(v: &Value) -> [[f32; 2]; 5] {
    let f = f32s(v);
    assert_eq!(f.len(), 10);
    std::array::from_fn(|i| [f[2 * i], f[2 * i + 1]])
}

/// `[x1, y1, x2, y2]`.
pub fn bbox4(v: &Value) -> [f32; 4] {
    let f = f32s(v);
    [f[0], f[1], f[2], f[3]]
}

/// Largest |a − b| over the linear entries and over the translation entries.
pub fn affine_err(a: &Affine, b: &Affine) -> (f64, f64) {
    let d = |i: usize, j: usize| (a[i][j] - b[i][j]).abs();
    let lin = d(0, 0).max(d(0, 1)).max(d(1, 0)).max(d(1, 1));
    (lin, d(0, 2).max(d(1, 2)))
}

/// How close our float64 Umeyama gets to scikit-image 0.26, which runs in the keypoints' float32
/// (no float64 cast in `_umeyama`; means, covariance, variance and the LAPACK `sgesdd` SVD are
/// all float32). Bit-level parity would need OpenBLAS's sgesdd, so the oracle `M` carries float32
/// noise: observed ≤ 9e-8 on the linear part and ≤ 5e-5 px on the translation. The crops made
/// with our `M` still meet the crop tolerance (`crops`, `swap`).
pub const M_TOL_LINEAR: f64 = 2e-7;
/// See [`M_TOL_LINEAR`].
pub const M_TOL_TRANSLATION: f64 = 1e-4;

/// Pixel difference statistics: (max level difference, fraction of pixels with any difference).
pub fn image_diff(got: &Image, want: &Image) -> (u8, f64) {
    assert_eq!(
        (got.width, got.height, got.channels),
        (want.width, want.height, want.channels),
        "image size"
    );
    let mut max = 0u8;
    let mut differing = 0usize;
    for (a, b) in got.data.chunks_exact(3).zip(want.data.chunks_exact(3)) {
        let d = a
            .iter()
            .zip(b)
            .map(|(x, y)| x.abs_diff(*y))
            .max()
            .unwrap_or(0);
        max = max.max(d);
        differing += usize::from(d > 0);
    }
    (max, differing as f64 / (got.width * got.height) as f64)
}

/// README §7 tier 1 for crops: at most 1 level, on at most 0.5% of pixels.
pub fn assert_crop_close(what: &str, got: &Image, want: &Image) -> (u8, f64) {
    let (max, frac) = image_diff(got, want);
    assert!(
        max <= 1 && frac <= 0.005,
        "{what}: max diff {max}, {:.4}% of pixels differ",
        frac * 100.0
    );
    (max, frac)
}
