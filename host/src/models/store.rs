//! The model store: resolving references against the models dirs, with digest checks, and
//! opening resolved files with both signature checks.
//!
//! Where it sits: between a processor's model setting and [`InferenceService::open`]. A
//! reference is a manifest id or a file path:
//!
//! - an **id** resolves to `<models dir>/<file>`; the file's sha256 must be one the manifest
//!   accepts for that id, or it is refused ([`ModelError::DigestMismatch`]);
//! - a **path** whose digest the manifest knows is that model (and gets its manifest checks);
//! - a **path** with an unknown digest is a user-supplied model: it is accepted only if its
//!   inputs and outputs match what the processor declares, with a warning ([`Trust::Unverified`]).
//!
//! Then [`ResolvedModel::open`] creates the session and compares the file's real inputs and
//! outputs with the processor's declaration *and* with the manifest entry, before any frame.
//!
//! Layout of a models dir: `<file>` for each installed model; `.partial/` for downloads in
//! progress (resumed by the next `liveswap models fetch`); `.cache/tensorrt/` for TensorRT
//! engines; `.digests.json` for the remembered sha256 of each file
//! ([`super::digest_cache`]).

use super::digest_cache::{DigestCache, Stamp};
use super::error::ModelError;
use super::manifest::{Manifest, ManifestEntry};
use crate::inference::{HostModel, InferenceError, InferenceService};
use liveswap_sdk::ModelSignature;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Environment variable naming the models dir (below `--models-dir`, above the default).
pub const MODELS_DIR_ENV: &str = "LIVESWAP_MODELS_DIR";

/// Why a resolved file is trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// Its sha256 is one the manifest accepts; `origin` says which published file it is.
    Manifest {
        /// Provenance of the matching digest.
        origin: String,
    },
    /// A user file the manifest does not know: accepted only if its inputs and outputs match
    /// what the processor declares.
    Unverified,
    /// A copy made here from a manifest model (`ID@int8`, see [`super::quantized`]): its record
    /// names the source digest, which still matches the installed source.
    Derived {
        /// What it was made from and how.
        origin: String,
    },
}

/// A reference turned into a file.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedModel {
    /// Manifest id, or the file stem for an unknown user file.
    pub id: String,
    /// The file.
    pub path: PathBuf,
    /// The manifest entry, when the model is known (by id or by digest).
    pub entry: Option<ManifestEntry>,
    /// The file's sha256.
    pub sha256: String,
    /// Why it may be used.
    pub trust: Trust,
}

impl ResolvedModel {
    /// The warning shown when an unknown user file is accepted, if this is one.
    pub fn unverified_warning(&self, setting: &str) -> Option<String> {
        (self.trust == Trust::Unverified).then(|| {
            format!(
                "{setting}: model file {} is not in the manifest (sha256 {}); accepted because its \
                 inputs and outputs match what the processor needs, but nothing vouches for its \
                 weights",
                self.path.display(),
                self.sha256
            )
        })
    }

    /// Opens a session and checks the file's real inputs/outputs against `expected` (the
    /// processor's declaration) and against the manifest entry's signature; warns once about an
    /// unverified user file that passed.
    pub fn open(
        &self,
        service: &InferenceService,
        expected: &ModelSignature,
        setting: &str,
    ) -> Result<HostModel, InferenceError> {
        let model = service
            .open(&self.path, &self.id, expected)
            .map_err(|e| e.for_setting(setting))?;
        if let Some(entry) = &self.entry {
            entry.io.check(model.signature()).map_err(|detail| {
                InferenceError::ManifestMismatch {
                    path: self.path.clone(),
                    id: entry.id.clone(),
                    detail: Box::new(detail),
                }
            })?;
        }
        if let Some(warning) = self.unverified_warning(setting) {
            tracing::warn!(target: "liveswap::models", "{warning}");
        }
        Ok(model)
    }
}

/// Models dirs plus the manifest.
#[derive(Debug)]
pub struct ModelStore {
    dirs: Vec<PathBuf>,
    manifest: Manifest,
    /// Digests by absolute path, size and mtime: this process's and earlier runs' (loaded
    /// from the install dir on first use, see [`super::digest_cache`]).
    digests: Mutex<Option<DigestCache>>,
    /// Files hashed by this store (the cost the cache saves; for tests and logs).
    hashed: std::sync::atomic::AtomicUsize,
}

/// Streams a file through sha256.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// Lower-case hex of a digest.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a reference is a file path rather than an id.
fn looks_like_path(reference: &str) -> bool {
    reference.contains('/') || reference.contains('\\') || reference.ends_with(".onnx")
}

impl ModelStore {
    /// The default models dir: `$LIVESWAP_MODELS_DIR`, else the per-user data dir
    /// (`$XDG_DATA_HOME/liveswap/models`, `~/.local/share/liveswap/models`; macOS
    /// `~/Library/Application Support/liveswap/models`; Windows `%LOCALAPPDATA%\liveswap\models`).
    pub fn default_dir() -> Option<PathBuf> {
        if let Some(d) = std::env::var_os(MODELS_DIR_ENV).filter(|d| !d.is_empty()) {
            return Some(PathBuf::from(d));
        }
        user_data_dir().map(|d| d.join("liveswap").join("models"))
    }

    /// A store over explicit dirs (searched in order; the first is where fetch installs) and the
    /// built-in manifest.
    pub fn new(dirs: Vec<PathBuf>) -> Result<Self, ModelError> {
        Ok(Self::with_manifest(dirs, Manifest::builtin()?))
    }

    /// A store over explicit dirs with a given manifest (tests and tools).
    pub fn with_manifest(dirs: Vec<PathBuf>, manifest: Manifest) -> Self {
        Self {
            dirs,
            manifest,
            digests: Mutex::new(None),
            hashed: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// `--models-dir` if given, else [`ModelStore::default_dir`].
    pub fn from_cli(models_dir: Option<PathBuf>) -> Result<Self, ModelError> {
        Self::new(models_dir.or_else(Self::default_dir).into_iter().collect())
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The dirs searched for ids.
    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    /// Where `liveswap models fetch` installs: the first dir.
    pub fn install_dir(&self) -> Option<&Path> {
        self.dirs.first().map(PathBuf::as_path)
    }

    /// A cache directory under the install dir (`.cache/<kind>`), e.g. TensorRT engines.
    pub fn cache_dir(&self, kind: &str) -> Option<PathBuf> {
        self.install_dir().map(|d| d.join(".cache").join(kind))
    }

    /// The first installed copy of an entry's file (not verified).
    pub fn installed_path(&self, entry: &ManifestEntry) -> Option<PathBuf> {
        self.dirs
            .iter()
            .map(|d| d.join(&entry.file))
            .find(|p| p.is_file())
    }

    /// The sha256 of a file, computed once per (path, size, mtime) and remembered in the
    /// models dir for later runs ([`super::digest_cache`]).
    pub fn digest(&self, path: &Path) -> Result<String, ModelError> {
        self.digest_with(path, true)
    }

    /// The sha256 of a file, always hashed (`liveswap models verify`); the result is
    /// remembered like [`ModelStore::digest`]'s.
    pub fn digest_fresh(&self, path: &Path) -> Result<String, ModelError> {
        self.digest_with(path, false)
    }

    /// How many files this store has hashed (cache misses).
    pub fn files_hashed(&self) -> usize {
        self.hashed.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn digest_with(&self, path: &Path, use_cache: bool) -> Result<String, ModelError> {
        let unreadable = |e: std::io::Error| ModelError::Unreadable {
            path: path.into(),
            reason: e.to_string(),
        };
        let meta = std::fs::metadata(path).map_err(unreadable)?;
        let stamp = Stamp::of(&meta);
        let key = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let mut cache = self
            .digests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let cache = cache.get_or_insert_with(|| DigestCache::load(self.install_dir()));
        if use_cache && let Some(d) = cache.get(&key, stamp) {
            return Ok(d.to_owned());
        }
        let started = std::time::Instant::now();
        let d = sha256_file(path).map_err(unreadable)?;
        self.hashed
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tracing::debug!(
            "sha256 of {} ({} bytes) in {} ms",
            path.display(),
            stamp.size,
            started.elapsed().as_millis()
        );
        cache.put(&key, stamp, &d);
        Ok(d)
    }

    /// Resolves and verifies a reference (a manifest id or a path); see the module docs for
    /// the rules.
    pub fn resolve(&self, reference: &str) -> Result<ResolvedModel, ModelError> {
        if super::quantized::source_id(reference).is_some() && !looks_like_path(reference) {
            return super::quantized::resolve(self, reference);
        }
        if let Some(entry) = self.manifest.get(reference) {
            let Some(path) = self.installed_path(entry) else {
                return Err(ModelError::NotInstalled {
                    id: entry.id.clone(),
                    file: entry.file.clone(),
                    searched: self.dirs.clone(),
                });
            };
            return self.verify_known(path, entry);
        }
        if !looks_like_path(reference) && !Path::new(reference).is_file() {
            return Err(ModelError::UnknownId {
                reference: reference.into(),
                known: self.manifest.id_list(),
            });
        }
        let path = PathBuf::from(reference);
        if !path.is_file() {
            return Err(ModelError::Unreadable {
                path,
                reason: "no such file".into(),
            });
        }
        let sha256 = self.digest(&path)?;
        match self.manifest.by_digest(&sha256) {
            Some(entry) => Ok(ResolvedModel {
                id: entry.id.clone(),
                trust: Trust::Manifest {
                    origin: entry
                        .accepted(&sha256)
                        .map(|a| a.origin.clone())
                        .unwrap_or_default(),
                },
                path,
                entry: Some(entry.clone()),
                sha256,
            }),
            None => Ok(ResolvedModel {
                id: path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                path,
                entry: None,
                sha256,
                trust: Trust::Unverified,
            }),
        }
    }

    fn verify_known(
        &self,
        path: PathBuf,
        entry: &ManifestEntry,
    ) -> Result<ResolvedModel, ModelError> {
        let sha256 = self.digest(&path)?;
        let Some(accepted) = entry.accepted(&sha256) else {
            return Err(ModelError::DigestMismatch {
                path,
                id: entry.id.clone(),
                found: sha256,
                expected: entry.digest_list(),
            });
        };
        Ok(ResolvedModel {
            id: entry.id.clone(),
            trust: Trust::Manifest {
                origin: accepted.origin.clone(),
            },
            path,
            entry: Some(entry.clone()),
            sha256,
        })
    }
}

/// The per-user data directory of this platform.
pub(crate) fn user_data_dir() -> Option<PathBuf> {
    if cfg!(target_os = "windows") {
        return std::env::var_os("LOCALAPPDATA").map(PathBuf::from);
    }
    if cfg!(target_os = "macos") {
        return std::env::var_os("HOME")
            .map(|h| PathBuf::from(h).join("Library").join("Application Support"));
    }
    if let Some(d) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("share"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("liveswap-store-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn sha256_of_known_bytes() {
        let d = tmp("sha");
        std::fs::write(d.join("abc"), b"abc").unwrap();
        assert_eq!(
            sha256_file(&d.join("abc")).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn ids_need_installed_files_with_the_right_digest() {
        let d = tmp("ids");
        let store = ModelStore::new(vec![d.clone()]).unwrap();
        let err = store.resolve("det_500m").unwrap_err();
        assert!(matches!(err, ModelError::NotInstalled { .. }), "{err}");
        assert!(err.to_string().contains("liveswap models fetch det_500m"));
        std::fs::write(d.join("det_500m.onnx"), b"not the model").unwrap();
        let err = store.resolve("det_500m").unwrap_err();
        assert!(matches!(err, ModelError::DigestMismatch { .. }), "{err}");
        assert!(err.to_string().contains("det_500m.onnx"));
    }

    #[test]
    fn unknown_ids_and_missing_paths_are_errors_and_user_files_are_unverified() {
        let d = tmp("paths");
        let store = ModelStore::new(vec![d.clone()]).unwrap();
        assert!(matches!(
            store.resolve("nope").unwrap_err(),
            ModelError::UnknownId { .. }
        ));
        assert!(matches!(
            store.resolve("/no/such.onnx").unwrap_err(),
            ModelError::Unreadable { .. }
        ));
        let f = d.join("mine.onnx");
        std::fs::write(&f, b"user model").unwrap();
        let r = store.resolve(f.to_str().unwrap()).unwrap();
        assert_eq!(r.id, "mine");
        assert!(r.entry.is_none());
        assert_eq!(r.trust, Trust::Unverified);
        let warning = r.unverified_warning("face_swapper.model").unwrap();
        assert!(
            warning.contains("mine.onnx") && warning.contains("not in the manifest"),
            "{warning}"
        );
    }

    #[test]
    fn default_dir_honours_the_environment_variable_and_cache_dirs_live_in_the_store() {
        let store = ModelStore::new(vec![PathBuf::from("/m")]).unwrap();
        assert_eq!(
            store.cache_dir("tensorrt").unwrap(),
            PathBuf::from("/m/.cache/tensorrt")
        );
        assert_eq!(store.install_dir(), Some(Path::new("/m")));
        assert!(ModelStore::default_dir().is_some());
    }
}
