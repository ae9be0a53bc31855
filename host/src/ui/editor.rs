//! The profile being edited in the app: processors in order, each with a switch and its
//! settings, and the conversion back to a profile the CLI reads.
//!
//! Where: the app's `State` owns one [`ProfileEditor`]; the settings panels are drawn from
//! the loaded plugins' [`SettingSpec`]s (see `settings_view`), and every change comes back
//! here as a typed [`SettingValue`]. Nothing in this file knows a processor or setting by
//! name. [`ProfileEditor::to_raw`] writes the same [`RawProfile`] structure the CLI parses,
//! and [`ProfileEditor::validate`] runs the CLI's own validation on it, so what the app runs
//! and what "Save profile" writes are what `liveswap run --profile` would accept.
//!
//! Only the settings the file set or the user changed are written back (`explicit`): other
//! keys keep following the plugin's defaults, as in a hand-written profile.

use crate::plugins::PluginSet;
use crate::profile::{
    Override, Profile, ProfileError, RawMapEntry, RawProcessorEntry, RawProfile, SCHEMA_VERSION,
    check_value, value_to_toml,
};
use liveswap_sdk::{SettingSpec, SettingValue, Settings};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One processor slot as edited.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessorEdit {
    /// Processor id.
    pub id: String,
    /// Whether it runs; a switched-off processor keeps its place.
    pub enabled: bool,
    /// Every setting, with defaults filled in (validated when loaded).
    pub settings: Settings,
    /// Keys written back on save: those the profile file set and those the user changed.
    pub explicit: BTreeSet<String>,
}

/// The editable profile.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProfileEditor {
    /// The file it was loaded from (relative `[[map]]` paths resolve against it).
    pub path: Option<PathBuf>,
    /// Kept as loaded.
    pub description: Option<String>,
    /// Kept as loaded.
    pub execution_provider: Option<String>,
    /// Kept as loaded (`[[map]]` pairs of the file; the app's own face mapping is separate).
    pub map: Vec<RawMapEntry>,
    /// Kept as loaded: draw the visible "AI-GENERATED" mark on renders (`label = true`).
    pub label: bool,
    /// Processors in pipeline order.
    pub processors: Vec<ProcessorEdit>,
}

/// A change to one setting that the editor refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{id}.{key}: {reason}")]
pub struct EditError {
    /// Processor id.
    pub id: String,
    /// Setting key.
    pub key: String,
    /// Why (from the same range/choice check as profile validation).
    pub reason: String,
}

impl ProfileEditor {
    /// Reads and validates a profile file against the loaded plugins.
    pub fn load(path: &Path, plugins: &PluginSet) -> Result<Self, ProfileError> {
        let raw = RawProfile::read(path)?;
        Self::from_raw(&raw, path, plugins)
    }

    /// Validates `raw` (as the CLI does) and keeps what the editor needs.
    pub fn from_raw(
        raw: &RawProfile,
        path: &Path,
        plugins: &PluginSet,
    ) -> Result<Self, ProfileError> {
        let profile = Profile::validate(raw, path, plugins, &[])?;
        let processors = profile
            .stages
            .into_iter()
            .zip(&raw.processors)
            .map(|(stage, entry)| ProcessorEdit {
                id: stage.id,
                enabled: stage.enabled,
                settings: stage.settings,
                explicit: entry.settings.keys().cloned().collect(),
            })
            .collect();
        Ok(Self {
            path: Some(path.to_path_buf()),
            description: raw.description.clone(),
            execution_provider: raw.execution_provider.clone(),
            map: raw.map.clone(),
            label: raw.label,
            processors,
        })
    }

    /// The descriptor of setting `key` of processor `index`, from its loaded plugin.
    pub fn spec<'p>(
        &self,
        plugins: &'p PluginSet,
        index: usize,
        key: &str,
    ) -> Option<&'p SettingSpec> {
        let id = &self.processors.get(index)?.id;
        plugins
            .get(id)?
            .info
            .settings
            .iter()
            .find(|s| s.key.as_str() == key)
    }

    /// Switches processor `index` on or off.
    pub fn set_enabled(&mut self, index: usize, enabled: bool) {
        if let Some(p) = self.processors.get_mut(index) {
            p.enabled = enabled;
        }
    }

    /// Moves processor `index` one place up (`-1`) or down (`+1`); false when it cannot move.
    pub fn move_by(&mut self, index: usize, delta: isize) -> bool {
        let Some(to) = index.checked_add_signed(delta) else {
            return false;
        };
        if index >= self.processors.len() || to >= self.processors.len() {
            return false;
        }
        self.processors.swap(index, to);
        true
    }

    /// Sets a value after the same type, range and choice checks as profile validation.
    pub fn set_value(
        &mut self,
        plugins: &PluginSet,
        index: usize,
        key: &str,
        value: SettingValue,
    ) -> Result<(), EditError> {
        let id = self
            .processors
            .get(index)
            .map(|p| p.id.clone())
            .unwrap_or_default();
        let refuse = |reason: String| EditError {
            id: id.clone(),
            key: key.into(),
            reason,
        };
        let spec = self
            .spec(plugins, index, key)
            .ok_or_else(|| refuse("unknown setting".into()))?;
        if !spec.accepts_type(&value) {
            return Err(refuse(format!("expected a {}", spec.kind)));
        }
        check_value(spec, &value).map_err(&refuse)?;
        let p = &mut self.processors[index];
        p.settings.set(key, value);
        p.explicit.insert(key.into());
        Ok(())
    }

    /// The value of setting `key` of processor `index`.
    pub fn value(&self, index: usize, key: &str) -> Option<SettingValue> {
        self.processors.get(index)?.settings.get(key)
    }

    /// The profile as the CLI would read it back: order, switches, explicit settings.
    pub fn to_raw(&self) -> RawProfile {
        let processors = self
            .processors
            .iter()
            .map(|p| {
                let settings = p
                    .settings
                    .iter()
                    .filter(|(key, _)| p.explicit.contains(*key))
                    .filter_map(|(key, value)| Some((key.to_owned(), value_to_toml(&value)?)))
                    .collect();
                RawProcessorEntry {
                    id: p.id.clone(),
                    enabled: p.enabled,
                    settings,
                }
            })
            .collect();
        RawProfile {
            schema_version: SCHEMA_VERSION,
            description: self.description.clone(),
            execution_provider: self.execution_provider.clone(),
            label: self.label,
            processors,
            map: self.map.clone(),
        }
    }

    /// The TOML text "Save profile" writes.
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string(&self.to_raw())
    }

    /// Validates the edited profile with the CLI's validation, plus `overrides` (the face
    /// mapping's selection mode).
    pub fn validate(
        &self,
        plugins: &PluginSet,
        overrides: &[Override],
    ) -> Result<Profile, ProfileError> {
        let path = self
            .path
            .clone()
            .unwrap_or_else(|| PathBuf::from("<edited profile>"));
        Profile::validate(&self.to_raw(), &path, plugins, overrides)
    }
}
