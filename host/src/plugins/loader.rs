//! Loading one plugin library, and a whole search path of them.
//!
//! Each library is loaded on its own with `lib_header_from_path(..).init_root_module()`;
//! `RootModule::load_from_file` must not be used because it caches one library per root
//! module type per process (a second plugin would silently return the first).

use super::discovery::{SearchPath, plugin_files, plugin_id_from_file};
use super::error::LoadError;
use abi_stable::library::{LibraryError, lib_header_from_path};
use liveswap_sdk::{PluginInfo, ProcessorMod_Ref, SDK_VERSION, SettingKind};
use std::path::{Path, PathBuf};

/// A plugin library that loaded and described itself.
#[derive(Clone)]
pub struct LoadedPlugin {
    /// Its description (id, versions, settings, models, data needs).
    pub info: PluginInfo,
    /// The library file.
    pub path: PathBuf,
    /// The root module, used to create processors.
    pub module: ProcessorMod_Ref,
}

impl std::fmt::Debug for LoadedPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedPlugin")
            .field("id", &self.id())
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl LoadedPlugin {
    /// The processor id.
    pub fn id(&self) -> &str {
        self.info.id.as_str()
    }
}

/// A plugin library that failed to load.
#[derive(Debug, Clone)]
pub struct LoadFailure {
    /// The library file.
    pub path: PathBuf,
    /// What went wrong.
    pub error: LoadError,
}

/// The outcome of loading a search path: what loaded, and every failure.
#[derive(Debug, Clone, Default)]
pub struct PluginSet {
    /// Loaded plugins, in discovery order.
    pub plugins: Vec<LoadedPlugin>,
    /// Every library that failed, with why.
    pub failures: Vec<LoadFailure>,
}

impl PluginSet {
    /// Loads every plugin file in every search place. Never fails as a whole.
    pub fn load(search: &[SearchPath]) -> Self {
        let mut set = Self::default();
        let mut seen_dirs: Vec<PathBuf> = Vec::new();
        for place in search {
            let dir = place
                .dir()
                .canonicalize()
                .unwrap_or_else(|_| place.dir().to_path_buf());
            if seen_dirs.contains(&dir) {
                continue;
            }
            seen_dirs.push(dir.clone());
            for path in plugin_files(&dir) {
                set.add(&path);
            }
        }
        set
    }

    /// Loads one library file into the set.
    pub fn add(&mut self, path: &Path) {
        let result = load_plugin(path).and_then(|plugin| match self.get(plugin.id()) {
            Some(first) => Err(LoadError::Duplicate {
                path: path.to_path_buf(),
                id: plugin.id().to_owned(),
                first: first.path.clone(),
            }),
            None => Ok(plugin),
        });
        match result {
            Ok(plugin) => {
                tracing::debug!(id = plugin.id(), path = %path.display(), "plugin loaded");
                self.plugins.push(plugin);
            }
            Err(error) => {
                tracing::debug!(path = %path.display(), %error, "plugin failed to load");
                self.failures.push(LoadFailure {
                    path: path.to_path_buf(),
                    error,
                });
            }
        }
    }

    /// The plugin with this id.
    pub fn get(&self, id: &str) -> Option<&LoadedPlugin> {
        self.plugins.iter().find(|p| p.id() == id)
    }
}

/// Loads and describes one plugin library.
pub fn load_plugin(path: &Path) -> Result<LoadedPlugin, LoadError> {
    let file_id = plugin_id_from_file(path).unwrap_or_default();
    let header = lib_header_from_path(path).map_err(|e| map_library_error(path, &file_id, e))?;
    // abi_stable lets a *newer* 0.x library through its version check (it may only have
    // appended fields) and then fails on layout; compare versions first so the user is told
    // which sdk each side has.
    if let Ok(v) = header.version_strings().parsed() {
        let plugin_sdk = format!("{}.{}.{}", v.major, v.minor, v.patch);
        if !sdk_compatible(&plugin_sdk, SDK_VERSION) {
            return Err(LoadError::IncompatibleVersion {
                path: path.into(),
                id: file_id,
                plugin_sdk,
                host_sdk: SDK_VERSION.into(),
            });
        }
    }
    let module = header
        .init_root_module::<ProcessorMod_Ref>()
        .map_err(|e| map_library_error(path, &file_id, e))?;
    let info = match (module.describe())() {
        abi_stable::std_types::ROk(info) => info,
        abi_stable::std_types::RErr(error) => {
            return Err(LoadError::Describe {
                path: path.into(),
                error,
            });
        }
    };
    if let Some(spec) = info.settings.iter().find(|s| !s.kind.is_known()) {
        return Err(LoadError::UnknownSettingKind {
            path: path.into(),
            id: info.id.to_string(),
            key: spec.key.to_string(),
            code: spec.kind.code(),
            plugin_sdk: info.sdk_version.to_string(),
            host_sdk: SDK_VERSION.to_owned(),
        });
    }
    validate_info(&info, &file_id).map_err(|reason| LoadError::InvalidInfo {
        path: path.into(),
        reason,
    })?;
    Ok(LoadedPlugin {
        info,
        path: path.to_path_buf(),
        module,
    })
}

/// The first `n` lines of a long text (abi_stable's layout reports run to hundreds of lines).
fn first_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    let mut out = lines
        .iter()
        .take(n)
        .copied()
        .collect::<Vec<_>>()
        .join("\n    ");
    if lines.len() > n {
        out.push_str(&format!(
            "\n    … ({} more lines; run with -vv for all)",
            lines.len() - n
        ));
    }
    out
}

/// The `Error:` findings of an abi_stable layout report with their expected/found values,
/// e.g. "incompatible type size (expected 16, found 8)". The report itself runs to hundreds
/// of lines of type dumps before the first finding.
fn summarize_abi_report(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let mut findings: Vec<String> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(what) = line.strip_prefix("Error:") else {
            continue;
        };
        let value_after = |label: &str| {
            lines[i + 1..]
                .iter()
                .take(8)
                .position(|l| *l == label)
                .and_then(|p| lines.get(i + 2 + p))
                .map(|v| v.to_string())
        };
        let finding = match (value_after("Expected:"), value_after("Found:")) {
            (Some(e), Some(f)) => format!("{what} (expected {e}, found {f})"),
            _ => what.to_owned(),
        };
        if !findings.contains(&finding) {
            findings.push(finding);
        }
    }
    if findings.is_empty() {
        return None;
    }
    let more = findings.len().saturating_sub(4);
    findings.truncate(4);
    let mut out = findings.join("; ");
    if more > 0 {
        out.push_str(&format!(
            "; and {more} more (run with -vvv for the full report)"
        ));
    }
    Some(out)
}

fn map_library_error(path: &Path, id: &str, error: LibraryError) -> LoadError {
    let path = path.to_path_buf();
    match error {
        LibraryError::OpenError { err, .. } => LoadError::Open {
            path,
            reason: err.to_string(),
        },
        LibraryError::GetSymbolError { err, .. } => LoadError::NotAPlugin {
            path,
            reason: err.to_string(),
        },
        LibraryError::IncompatibleVersionNumber {
            expected_version,
            actual_version,
            ..
        } => LoadError::IncompatibleVersion {
            path,
            id: id.to_owned(),
            plugin_sdk: actual_version.to_string(),
            host_sdk: expected_version.to_string(),
        },
        LibraryError::Many(mut list) if !list.is_empty() => {
            let first = list.remove(0);
            map_library_error(&path, id, first)
        }
        other => {
            let text = other.to_string();
            tracing::trace!(path = %path.display(), report = %text, "abi_stable report");
            let detail = summarize_abi_report(&text).unwrap_or_else(|| first_lines(&text, 6));
            LoadError::AbiMismatch { path, detail }
        }
    }
}

/// Whether two semver versions are compatible by Cargo's rules (0.x: same minor).
fn sdk_compatible(plugin: &str, host: &str) -> bool {
    match (semver::Version::parse(plugin), semver::Version::parse(host)) {
        (Ok(p), Ok(h)) if h.major == 0 => p.major == 0 && p.minor == h.minor,
        (Ok(p), Ok(h)) => p.major == h.major,
        _ => false,
    }
}

/// Checks a description for internal consistency.
fn validate_info(info: &PluginInfo, file_id: &str) -> Result<(), String> {
    if info.id.as_str() != file_id {
        return Err(format!(
            "it calls itself `{}` but its file name says `{file_id}`",
            info.id
        ));
    }
    if !sdk_compatible(info.sdk_version.as_str(), SDK_VERSION) {
        return Err(format!(
            "built for sdk {}, this host provides sdk {SDK_VERSION}",
            info.sdk_version
        ));
    }
    for spec in &info.settings {
        let key = spec.key.as_str();
        let default = spec
            .default_value()
            .map_err(|e| format!("setting `{key}`: default: {e}"))?;
        if !spec.accepts_type(&default) {
            return Err(format!(
                "setting `{key}`: default {default} is not a {}",
                spec.kind
            ));
        }
        if let Err(why) = crate::profile::check_value(spec, &default) {
            return Err(format!("setting `{key}`: default {why}"));
        }
    }
    for slot in &info.models {
        if !info
            .settings
            .iter()
            .any(|s| s.key == slot.setting && s.kind == SettingKind::MODEL)
        {
            return Err(format!(
                "model slot `{}` has no model setting of that name",
                slot.setting
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn sdk_compat_follows_cargo_rules() {
        assert!(sdk_compatible("0.1.0", "0.1.5"));
        assert!(!sdk_compatible("0.2.0", "0.1.0"));
        assert!(sdk_compatible("1.2.0", "1.0.0"));
        assert!(!sdk_compatible("2.0.0", "1.0.0"));
        assert!(!sdk_compatible("garbage", "0.1.0"));
    }

    #[test]
    fn abi_reports_are_summarized() {
        let report = "Compared <this>:\n  lots\nError:incompatible type size\nExpected:\n    16\nFound:\n    8\nError:too many fields\nExpected:\n 2\nFound:\n 1\n";
        assert_eq!(
            summarize_abi_report(report).unwrap(),
            "incompatible type size (expected 16, found 8); too many fields (expected 2, found 1)"
        );
        assert!(summarize_abi_report("nothing here").is_none());
    }

    #[test]
    fn long_reports_are_cut() {
        let text = (0..20)
            .map(|i| format!("line {i}"))
            .collect::<Vec<_>>()
            .join("\n");
        let cut = first_lines(&text, 3);
        assert!(cut.starts_with("line 0"));
        assert!(cut.contains("17 more lines"));
        assert!(!cut.contains("line 5"));
    }
}
