//! The sha256 of model files, remembered across runs.
//!
//! Where: [`super::ModelStore::digest`], before every model is trusted. Hashing the models of
//! a profile at every start costs seconds (quality.toml's pack is about 1.1 GB), so each
//! digest is stored in `<models dir>/.digests.json` under the file's absolute path, with
//! the file's size and modification time (nanoseconds since the epoch). A later run
//! whose file still has that size and time uses the stored digest; any change to either
//! hashes the file again. The cache is only as trustworthy as the models dir it lives in:
//! whoever can rewrite it could as well replace the model. `liveswap models verify` always
//! hashes afresh. A cache that cannot be read or written only costs the time of hashing.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// File name of the cache inside the models dir.
pub const DIGEST_CACHE_FILE: &str = ".digests.json";

/// What identifies one version of a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// Size in bytes.
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch (0 when the system has none).
    pub mtime_ns: u64,
}

impl Stamp {
    /// The stamp of `meta`.
    pub fn of(meta: &std::fs::Metadata) -> Self {
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        Self {
            size: meta.len(),
            mtime_ns,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    #[serde(flatten)]
    stamp: Stamp,
    sha256: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    entries: BTreeMap<PathBuf, Entry>,
}

/// The digests stored in one models dir.
#[derive(Debug, Default)]
pub struct DigestCache {
    file: Option<PathBuf>,
    entries: BTreeMap<PathBuf, Entry>,
}

impl DigestCache {
    /// Reads the cache of `dir` (empty when missing or unreadable); `None` keeps it in memory.
    pub fn load(dir: Option<&Path>) -> Self {
        let file = dir.map(|d| d.join(DIGEST_CACHE_FILE));
        let entries = file
            .as_ref()
            .and_then(|f| std::fs::read_to_string(f).ok())
            .and_then(|t| serde_json::from_str::<CacheFile>(&t).ok())
            .filter(|c| c.version == 1)
            .map(|c| c.entries)
            .unwrap_or_default();
        Self { file, entries }
    }

    /// The stored digest of `path` if its stamp is still `stamp`.
    pub fn get(&self, path: &Path, stamp: Stamp) -> Option<&str> {
        self.entries
            .get(path)
            .filter(|e| e.stamp == stamp)
            .map(|e| e.sha256.as_str())
    }

    /// Stores a digest and writes the cache file (through a temporary file and a rename).
    pub fn put(&mut self, path: &Path, stamp: Stamp, sha256: &str) {
        self.entries.insert(
            path.to_path_buf(),
            Entry {
                stamp,
                sha256: sha256.to_owned(),
            },
        );
        let Some(file) = &self.file else { return };
        let body = CacheFile {
            version: 1,
            entries: self.entries.clone(),
        };
        let tmp = file.with_extension(format!("json.tmp-{}", std::process::id()));
        let written = serde_json::to_vec_pretty(&body)
            .map_err(std::io::Error::other)
            .and_then(|bytes| std::fs::write(&tmp, bytes))
            .and_then(|()| std::fs::rename(&tmp, file));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            tracing::debug!("model digests not remembered in {}: {e}", file.display());
        }
    }
}
