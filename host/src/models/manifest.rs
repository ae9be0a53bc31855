//! The model manifest (`models/manifest.toml`), compiled into the host.

use super::error::ModelError;
use serde::Deserialize;

/// The manifest text shipped with this build.
const BUILTIN: &str = include_str!("../../../models/manifest.toml");

/// Where a pip-packaged model lives.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipSource {
    /// Package name on the Python package index.
    pub package: String,
    /// Exact version.
    pub version: String,
    /// Member path inside the wheel.
    pub member: String,
}

/// One model.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestEntry {
    /// Id used in profiles.
    pub id: String,
    /// File name in the models dir.
    pub file: String,
    /// Pack it belongs to (`default`, `extras`, `inswapper`, `enhancers`).
    pub pack: String,
    /// What it does (`face_detector`, `face_recognizer`, …).
    pub role: String,
    /// For recognizers: the embedding space its vectors live in.
    #[serde(default)]
    pub embedding_space: Option<String>,
    /// For swappers: the embedding space their source vector must come from.
    #[serde(default)]
    pub requires_embedding_space: Option<String>,
    /// Size in bytes, when known.
    #[serde(default)]
    pub size: Option<u64>,
    /// Accepted sha256 digests (lower-case hex).
    pub sha256: Vec<String>,
    /// Who published it.
    pub vendor: String,
    /// Licence name / terms.
    pub license: String,
    /// Licence URL.
    pub license_url: String,
    /// Python package carrying the file.
    #[serde(default)]
    pub pip: Option<PipSource>,
}

/// All known models.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Manifest format version.
    pub schema_version: u32,
    /// Entries.
    #[serde(rename = "model")]
    pub models: Vec<ManifestEntry>,
}

impl Manifest {
    /// The manifest compiled into this build.
    pub fn builtin() -> Result<Self, ModelError> {
        toml::from_str(BUILTIN).map_err(|e| ModelError::Manifest(e.to_string()))
    }

    /// The entry with this id.
    pub fn get(&self, id: &str) -> Option<&ManifestEntry> {
        self.models.iter().find(|m| m.id == id)
    }

    /// The entry whose accepted digests include `sha256`.
    pub fn by_digest(&self, sha256: &str) -> Option<&ManifestEntry> {
        self.models
            .iter()
            .find(|m| m.sha256.iter().any(|d| d == sha256))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn builtin_manifest_parses_and_ids_are_unique() {
        let m = Manifest::builtin().unwrap();
        assert!(m.get("det_500m").is_some());
        let mut ids: Vec<_> = m.models.iter().map(|e| e.id.as_str()).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate ids");
        for e in &m.models {
            assert!(!e.sha256.is_empty(), "{} has no digest", e.id);
            for d in &e.sha256 {
                assert!(
                    d.len() == 64
                        && d.chars()
                            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
                    "{}",
                    e.id
                );
            }
        }
    }
}
