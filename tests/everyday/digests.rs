//! Model digests remembered in the models dir: a second store (a second run) trusts the
//! stored sha256 of an unchanged file without hashing it; a changed file, even one of the
//! same size whose only sign of change is its modification time, is hashed again.

use super::{liveswap_in, media, s, text};
use liveswap_host::models::{DIGEST_CACHE_FILE, ModelStore};
use liveswap_tests::{shared, temp_dir};
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime};

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn digest_cache_hit_and_miss() {
    let dir = temp_dir("digests");
    let file = dir.join("user.onnx");
    let (a, b) = (vec![1u8; 4096], vec![2u8; 4096]);
    std::fs::write(&file, &a).unwrap();

    let first = ModelStore::new(vec![dir.clone()]).unwrap();
    assert_eq!(first.digest(&file).unwrap(), sha(&a));
    assert_eq!(first.files_hashed(), 1);
    assert!(
        dir.join(DIGEST_CACHE_FILE).is_file(),
        "remembered in the models dir"
    );

    // A later run: hit, nothing hashed.
    let second = ModelStore::new(vec![dir.clone()]).unwrap();
    assert_eq!(second.digest(&file).unwrap(), sha(&a));
    assert_eq!(second.files_hashed(), 0, "cache hit");

    // Same size, new contents and a new modification time: miss, hashed again.
    std::fs::write(&file, &b).unwrap();
    let later = SystemTime::now() + Duration::from_secs(7);
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let third = ModelStore::new(vec![dir.clone()]).unwrap();
    assert_eq!(third.digest(&file).unwrap(), sha(&b));
    assert_eq!(third.files_hashed(), 1, "changed file re-hashed");
    // …and the new digest is what the next run trusts.
    let fourth = ModelStore::new(vec![dir.clone()]).unwrap();
    assert_eq!(fourth.digest(&file).unwrap(), sha(&b));
    assert_eq!(fourth.files_hashed(), 0);
    // `models verify` hashes afresh whatever the cache says.
    assert_eq!(fourth.digest_fresh(&file).unwrap(), sha(&b));
    assert_eq!(fourth.files_hashed(), 1);

    // A damaged cache file is ignored (the file is hashed), then rewritten.
    std::fs::write(dir.join(DIGEST_CACHE_FILE), b"{ not json").unwrap();
    let fifth = ModelStore::new(vec![dir.clone()]).unwrap();
    assert_eq!(fifth.digest(&file).unwrap(), sha(&b));
    assert_eq!(fifth.files_hashed(), 1);
    let sixth = ModelStore::new(vec![dir.clone()]).unwrap();
    sixth.digest(&file).unwrap();
    assert_eq!(sixth.files_hashed(), 0);

    // A read-only models dir (../shared/models) still works, it only cannot remember.
    let ro = ModelStore::new(vec![shared().join("models")]).unwrap();
    assert!(ro.resolve("det_500m").is_ok());
}

#[test]
fn a_second_run_finds_the_digests_of_the_first() {
    let dir = temp_dir("digests-run");
    let models = dir.join("models");
    std::fs::create_dir_all(&models).unwrap();
    for m in ["det_500m.onnx", "w600k_mbf.onnx", "2d106det.onnx"] {
        std::fs::copy(shared().join("models").join(m), models.join(m)).unwrap();
    }
    let image = media("grace_hopper.jpg");
    let o = liveswap_in(
        None,
        &["analyse", s(&image), "--json"],
        &[("LIVESWAP_MODELS_DIR", &models)],
    );
    let (_, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let cache = std::fs::read_to_string(models.join(DIGEST_CACHE_FILE)).unwrap();
    let v: serde_json::Value = serde_json::from_str(&cache).unwrap();
    let entries = v["entries"].as_object().unwrap();
    assert!(
        entries.keys().any(|k| k.ends_with("det_500m.onnx")),
        "{cache}"
    );
    let stored = entries
        .iter()
        .find(|(k, _)| k.ends_with("det_500m.onnx"))
        .map(|(_, e)| e["sha256"].as_str().unwrap().to_owned())
        .unwrap();
    assert_eq!(
        stored,
        sha(&std::fs::read(models.join("det_500m.onnx")).unwrap())
    );
}
