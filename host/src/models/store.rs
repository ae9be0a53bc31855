//! Resolving references against the models dirs, with digest checks.

use super::error::ModelError;
use super::manifest::{Manifest, ManifestEntry};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A reference turned into a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedModel {
    /// Manifest id, or the file stem for an unknown user file.
    pub id: String,
    /// The file.
    pub path: PathBuf,
    /// The manifest entry, when the model is known (by id or by digest).
    pub entry: Option<ManifestEntry>,
}

/// Identifies one version of a file without reading it: path, size, modification time.
type FileStamp = (PathBuf, u64, Option<std::time::SystemTime>);

/// Models dirs plus the manifest.
#[derive(Debug)]
pub struct ModelStore {
    dirs: Vec<PathBuf>,
    manifest: Manifest,
    /// Digests already computed this process, keyed by path, size and mtime.
    digests: Mutex<HashMap<FileStamp, String>>,
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
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Whether a reference is a file path rather than an id.
fn looks_like_path(reference: &str) -> bool {
    reference.contains('/') || reference.contains('\\') || reference.ends_with(".onnx")
}

impl ModelStore {
    /// The default models dir: `$LIVESWAP_MODELS_DIR`, else `$XDG_DATA_HOME/liveswap/models`,
    /// else `~/.local/share/liveswap/models`.
    pub fn default_dir() -> Option<PathBuf> {
        if let Some(d) = std::env::var_os("LIVESWAP_MODELS_DIR").filter(|d| !d.is_empty()) {
            return Some(PathBuf::from(d));
        }
        let data = std::env::var_os("XDG_DATA_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
        Some(data.join("liveswap/models"))
    }

    /// A store over explicit dirs (searched in order) and the built-in manifest.
    pub fn new(dirs: Vec<PathBuf>) -> Result<Self, ModelError> {
        Ok(Self {
            dirs,
            manifest: Manifest::builtin()?,
            digests: Mutex::new(HashMap::new()),
        })
    }

    /// `--models-dir` if given, else the default dir.
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

    fn digest(&self, path: &Path) -> Result<String, ModelError> {
        let unreadable = |e: std::io::Error| ModelError::Unreadable {
            path: path.into(),
            reason: e.to_string(),
        };
        let meta = std::fs::metadata(path).map_err(unreadable)?;
        let key = (path.to_path_buf(), meta.len(), meta.modified().ok());
        if let Some(d) = self.digests.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(d);
        }
        let d = sha256_file(path).map_err(unreadable)?;
        if let Ok(mut m) = self.digests.lock() {
            m.insert(key, d.clone());
        }
        Ok(d)
    }

    /// Resolves and verifies a reference (a manifest id or a path).
    pub fn resolve(&self, reference: &str) -> Result<ResolvedModel, ModelError> {
        if let Some(entry) = self.manifest.get(reference) {
            let found = self
                .dirs
                .iter()
                .map(|d| d.join(&entry.file))
                .find(|p| p.is_file());
            let Some(path) = found else {
                return Err(ModelError::NotInstalled {
                    id: entry.id.clone(),
                    file: entry.file.clone(),
                    searched: self.dirs.clone(),
                });
            };
            return self.verify_known(path, entry);
        }
        if !looks_like_path(reference) && !Path::new(reference).is_file() {
            let known = self
                .manifest
                .models
                .iter()
                .map(|m| m.id.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            return Err(ModelError::UnknownId {
                reference: reference.into(),
                known,
            });
        }
        let path = PathBuf::from(reference);
        if !path.is_file() {
            return Err(ModelError::Unreadable {
                path,
                reason: "no such file".into(),
            });
        }
        let digest = self.digest(&path)?;
        let id = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        match self.manifest.by_digest(&digest) {
            Some(entry) => Ok(ResolvedModel {
                id: entry.id.clone(),
                path,
                entry: Some(entry.clone()),
            }),
            None => {
                tracing::warn!(path = %path.display(), "model file is not in the manifest; its inputs and outputs will still be checked");
                Ok(ResolvedModel {
                    id,
                    path,
                    entry: None,
                })
            }
        }
    }

    fn verify_known(
        &self,
        path: PathBuf,
        entry: &ManifestEntry,
    ) -> Result<ResolvedModel, ModelError> {
        let digest = self.digest(&path)?;
        if !entry.sha256.contains(&digest) {
            return Err(ModelError::DigestMismatch {
                path,
                id: entry.id.clone(),
                found: digest,
                expected: entry.sha256.join(" or "),
            });
        }
        Ok(ResolvedModel {
            id: entry.id.clone(),
            path,
            entry: Some(entry.clone()),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("liveswap-store-{name}-{}", std::process::id()));
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
        std::fs::write(d.join("det_500m.onnx"), b"not the model").unwrap();
        let err = store.resolve("det_500m").unwrap_err();
        assert!(matches!(err, ModelError::DigestMismatch { .. }), "{err}");
        assert!(err.to_string().contains("det_500m.onnx"));
    }

    #[test]
    fn unknown_ids_and_missing_paths_are_errors_and_user_files_are_accepted() {
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
    }
}
