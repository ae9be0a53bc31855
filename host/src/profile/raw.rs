//! Stage 1: the profile file as written, parsed strictly.

use super::error::ProfileError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The profile schema version this host reads.
pub const SCHEMA_VERSION: u32 = 1;

/// A profile as written in TOML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProfile {
    /// Must equal [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Optional human description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Execution provider for this profile's models (`auto`, `cpu`, `cuda`, `tensorrt`, `rocm`,
    /// `coreml`, `directml`, `openvino`); `--execution-provider` on the command line wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_provider: Option<String>,
    /// Draw the visible "AI-GENERATED" mark on every output frame (as `--label`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub label: bool,
    /// Processors in pipeline order.
    #[serde(default)]
    pub processors: Vec<RawProcessorEntry>,
    /// `[[map]]` pairs for `face_selection = "map"`: each target identity gets its own source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub map: Vec<RawMapEntry>,
}

/// One `[[map]]` entry: faces like the one in `target` receive the face in `source`.
/// Paths are relative to the profile file's folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMapEntry {
    /// An image of the target person (as they appear in the frames to process).
    pub target: PathBuf,
    /// An image of the person to put in their place.
    pub source: PathBuf,
}

/// One `[[processors]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProcessorEntry {
    /// Processor id (`face_analyser`).
    pub id: String,
    /// Whether it runs; a disabled processor keeps its place in the order.
    #[serde(default = "default_enabled")]
    pub enabled: bool,
    /// Settings; missing keys take the plugin's defaults.
    #[serde(default)]
    pub settings: toml::Table,
}

fn default_enabled() -> bool {
    true
}

impl RawProfile {
    /// Parses profile text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ProfileError> {
        let raw: Self = toml::from_str(text).map_err(|e| ProfileError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        if raw.schema_version != SCHEMA_VERSION {
            return Err(ProfileError::Parse {
                path: path.to_path_buf(),
                message: format!(
                    "schema_version {} is not supported (this liveswap reads schema_version {SCHEMA_VERSION})",
                    raw.schema_version
                ),
            });
        }
        if let Some(name) = &raw.execution_provider
            && let Err(e) = name.parse::<crate::inference::ProviderChoice>()
        {
            return Err(ProfileError::Parse {
                path: path.to_path_buf(),
                message: format!("execution_provider: {e}"),
            });
        }
        Ok(raw)
    }

    /// Reads and parses a profile file.
    pub fn read(path: &Path) -> Result<Self, ProfileError> {
        let text = std::fs::read_to_string(path).map_err(|e| ProfileError::Read {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        Self::parse(&text, path)
    }

    /// A one-processor profile with default settings (used by `liveswap analyse`).
    pub fn single(id: &str) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            description: None,
            execution_provider: None,
            label: false,
            processors: vec![RawProcessorEntry {
                id: id.into(),
                enabled: true,
                settings: toml::Table::new(),
            }],
            map: Vec::new(),
        }
    }

    /// The `[[map]]` pairs as `(target, source)` paths, resolved against the folder of the
    /// profile file at `path` (absolute paths are kept).
    pub fn map_pairs(&self, path: &Path) -> Vec<(PathBuf, PathBuf)> {
        let base = path.parent().unwrap_or_else(|| Path::new(""));
        self.map
            .iter()
            .map(|m| (base.join(&m.target), base.join(&m.source)))
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn parses_order_and_defaults() {
        let text = "schema_version = 1\n[[processors]]\nid = \"a\"\n[[processors]]\nid = \"b\"\nenabled = false\n[processors.settings]\nx = 2\n";
        let p = RawProfile::parse(text, Path::new("p.toml")).unwrap();
        assert_eq!(p.processors.len(), 2);
        assert_eq!(p.processors[0].id, "a");
        assert!(p.processors[0].enabled);
        assert!(!p.processors[1].enabled);
        assert_eq!(p.processors[1].settings["x"].as_integer(), Some(2));
    }

    #[test]
    fn execution_provider_is_checked() {
        let p = RawProfile::parse(
            "schema_version = 1\nexecution_provider = \"cuda\"\n",
            Path::new("p.toml"),
        )
        .unwrap();
        assert_eq!(p.execution_provider.as_deref(), Some("cuda"));
        let err = RawProfile::parse(
            "schema_version = 1\nexecution_provider = \"vulkan\"\n",
            Path::new("p.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("p.toml") && err.contains("execution_provider") && err.contains("vulkan"),
            "{err}"
        );
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let text = "schema_version = 1\n[[processors]]\nid = \"a\"\nenable = true\n";
        let err = RawProfile::parse(text, Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("enable"), "{err}");
        let err =
            RawProfile::parse("schema_version = 1\nfoo = 1\n", Path::new("p.toml")).unwrap_err();
        assert!(err.to_string().contains("foo"));
    }

    #[test]
    fn map_entries_resolve_against_the_profile_folder() {
        let text =
            "schema_version = 1\n[[map]]\ntarget = \"faces/a.jpg\"\nsource = \"/abs/b.jpg\"\n";
        let p = RawProfile::parse(text, Path::new("profiles/x.toml")).unwrap();
        assert_eq!(
            p.map_pairs(Path::new("profiles/x.toml")),
            vec![(
                PathBuf::from("profiles/faces/a.jpg"),
                PathBuf::from("/abs/b.jpg")
            )]
        );
        let err = RawProfile::parse(
            "schema_version = 1\n[[map]]\ntarget = \"a\"\n",
            Path::new("p.toml"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("source"), "{err}");
    }

    #[test]
    fn wrong_schema_version_is_named() {
        let err = RawProfile::parse("schema_version = 7\n", Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("schema_version 7"), "{err}");
        assert!(RawProfile::parse("processors = []\n", Path::new("p.toml")).is_err());
    }
}
