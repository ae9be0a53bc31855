//! Stage 1: the profile file as written, parsed strictly.

use super::error::ProfileError;
use serde::{Deserialize, Serialize};
use std::path::Path;

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
    /// Processors in pipeline order.
    #[serde(default)]
    pub processors: Vec<RawProcessorEntry>,
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
            processors: vec![RawProcessorEntry {
                id: id.into(),
                enabled: true,
                settings: toml::Table::new(),
            }],
        }
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
    fn wrong_schema_version_is_named() {
        let err = RawProfile::parse("schema_version = 7\n", Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("schema_version 7"), "{err}");
        assert!(RawProfile::parse("processors = []\n", Path::new("p.toml")).is_err());
    }
}
