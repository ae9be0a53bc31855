//! Stage 2: a raw profile checked against the loaded plugins.

use super::error::{ProfileError, ProfileIssue};
use super::overrides::{Override, parse_bool};
use super::raw::RawProfile;
use crate::plugins::PluginSet;
use liveswap_sdk::{PluginInfo, SettingKind, SettingSpec, SettingValue, Settings};
use std::path::{Path, PathBuf};

/// One validated pipeline slot.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// Processor id (a loaded plugin).
    pub id: String,
    /// Whether it runs.
    pub enabled: bool,
    /// Every setting of the processor, validated, defaults filled in.
    pub settings: Settings,
}

/// A validated profile: stages in pipeline order.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Where it came from (for messages).
    pub path: PathBuf,
    /// Stages in order.
    pub stages: Vec<Stage>,
}

/// What a processor provides with these settings: its declared data minus what comes from
/// optional model slots left empty.
pub fn effective_provides<'a>(info: &'a PluginInfo, settings: &Settings) -> Vec<&'a str> {
    let switched_off: Vec<&str> = info
        .models
        .iter()
        .filter(|slot| slot.optional && matches!(settings.get(slot.setting.as_str()), Some(SettingValue::Text(t)) if t.is_empty()))
        .flat_map(|slot| slot.provides.iter().map(|p| p.as_str()))
        .collect();
    info.provides
        .iter()
        .map(|p| p.as_str())
        .filter(|p| !switched_off.contains(p))
        .collect()
}

/// Formats a number the way users wrote it (`1` rather than `1.0` for whole numbers).
fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Checks a typed value against its spec's range and choices.
pub fn check_value(spec: &SettingSpec, value: &SettingValue) -> Result<(), String> {
    let n = match value {
        SettingValue::Int(v) => Some(*v as f64),
        SettingValue::Float(v) => Some(*v),
        _ => None,
    };
    if let Some(n) = n {
        if !n.is_finite() {
            return Err(format!("{} is not a finite number", num(n)));
        }
        if let abi_stable::std_types::ROption::RSome(min) = spec.min
            && n < min
        {
            return Err(format!("{} is below the minimum {}", num(n), num(min)));
        }
        if let abi_stable::std_types::ROption::RSome(max) = spec.max
            && n > max
        {
            return Err(format!("{} is above the maximum {}", num(n), num(max)));
        }
    }
    if spec.kind == SettingKind::CHOICE
        && let SettingValue::Text(t) = value
        && !spec.choices.iter().any(|c| c == t)
    {
        let list = spec
            .choices
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(format!("`{t}` is not one of: {list}"));
    }
    Ok(())
}

/// Converts a TOML value to the spec's type (no range check).
pub fn value_from_toml(spec: &SettingSpec, value: &toml::Value) -> Result<SettingValue, String> {
    let wrong = || {
        format!(
            "expected a {}, found {} `{value}`",
            spec.kind,
            value.type_str()
        )
    };
    match (spec.kind, value) {
        (SettingKind::BOOL, toml::Value::Boolean(b)) => Ok(SettingValue::Bool(*b)),
        (SettingKind::INT, toml::Value::Integer(i)) => Ok(SettingValue::Int(*i)),
        (SettingKind::FLOAT, toml::Value::Float(f)) => Ok(SettingValue::Float(*f)),
        (SettingKind::FLOAT, toml::Value::Integer(i)) => Ok(SettingValue::Float(*i as f64)),
        (SettingKind::CHOICE | SettingKind::TEXT | SettingKind::MODEL, toml::Value::String(s)) => {
            Ok(SettingValue::Text(s.as_str().into()))
        }
        _ => Err(wrong()),
    }
}

/// Converts a typed value back to TOML (the inverse of [`value_from_toml`]; used when the
/// app saves an edited profile). `None` for a value type this host does not know.
pub fn value_to_toml(value: &SettingValue) -> Option<toml::Value> {
    Some(match value {
        SettingValue::Bool(b) => toml::Value::Boolean(*b),
        SettingValue::Int(i) => toml::Value::Integer(*i),
        SettingValue::Float(f) => toml::Value::Float(*f),
        SettingValue::Text(t) => toml::Value::String(t.to_string()),
        _ => return None,
    })
}

/// Converts command-line text to the spec's type (no range check).
pub fn value_from_text(spec: &SettingSpec, text: &str) -> Result<SettingValue, String> {
    let wrong = || format!("expected a {}, found `{text}`", spec.kind);
    match spec.kind {
        SettingKind::BOOL => parse_bool(text).map(SettingValue::Bool).ok_or_else(wrong),
        SettingKind::INT => text.parse().map(SettingValue::Int).map_err(|_| wrong()),
        SettingKind::FLOAT => text.parse().map(SettingValue::Float).map_err(|_| wrong()),
        SettingKind::CHOICE | SettingKind::TEXT | SettingKind::MODEL => {
            Ok(SettingValue::Text(text.into()))
        }
        // The loader refuses plugins with kinds it does not know; kept as an error anyway.
        other => Err(format!(
            "setting kind {other} is not supported by this host"
        )),
    }
}

impl Profile {
    /// Validates `raw` (plus command-line overrides) against the loaded plugins.
    pub fn validate(
        raw: &RawProfile,
        path: &Path,
        plugins: &PluginSet,
        overrides: &[Override],
    ) -> Result<Self, ProfileError> {
        let mut issues = Vec::new();
        let mut stages = Vec::new();
        let mut issue =
            |location: String, message: String| issues.push(ProfileIssue { location, message });

        for (index, entry) in raw.processors.iter().enumerate() {
            let id = entry.id.as_str();
            if raw.processors[..index].iter().any(|e| e.id == entry.id) {
                issue(
                    id.into(),
                    "listed twice; each processor may appear once".into(),
                );
                continue;
            }
            let Some(plugin) = plugins.get(id) else {
                let known = plugins
                    .plugins
                    .iter()
                    .map(|p| p.id())
                    .collect::<Vec<_>>()
                    .join(", ");
                let failed = plugins.failures.iter().find(|f| {
                    crate::plugins::discovery::plugin_id_from_file(&f.path).as_deref() == Some(id)
                });
                let why = match failed {
                    Some(f) => format!("its plugin failed to load: {}", f.error),
                    None => format!("no such plugin is loaded (loaded: {known})"),
                };
                issue(id.into(), format!("unknown processor: {why}"));
                continue;
            };
            let specs = &plugin.info.settings;
            let mut settings = Settings::defaults(specs);
            for (key, value) in &entry.settings {
                let Some(spec) = specs.iter().find(|s| s.key.as_str() == key) else {
                    let keys = specs
                        .iter()
                        .map(|s| s.key.as_str())
                        .collect::<Vec<_>>()
                        .join(", ");
                    issue(
                        format!("{id}.{key}"),
                        format!("unknown setting (known: {keys})"),
                    );
                    continue;
                };
                match value_from_toml(spec, value).and_then(|v| check_value(spec, &v).map(|()| v)) {
                    Ok(v) => settings.set(key, v),
                    Err(e) => issue(format!("{id}.{key}"), e),
                }
            }
            stages.push(Stage {
                id: id.into(),
                enabled: entry.enabled,
                settings,
            });
        }

        for o in overrides {
            let location = format!("--set {}.{}", o.processor, o.key);
            let Some(stage) = stages.iter_mut().find(|s| s.id == o.processor) else {
                issue(
                    location,
                    format!("processor `{}` is not in this profile", o.processor),
                );
                continue;
            };
            if o.key == "enabled" {
                match parse_bool(&o.value) {
                    Some(b) => stage.enabled = b,
                    None => issue(
                        location,
                        format!("expected true or false, found `{}`", o.value),
                    ),
                }
                continue;
            }
            let Some(plugin) = plugins.get(&o.processor) else {
                continue;
            };
            let Some(spec) = plugin
                .info
                .settings
                .iter()
                .find(|s| s.key.as_str() == o.key)
            else {
                issue(location, "unknown setting".into());
                continue;
            };
            match value_from_text(spec, &o.value).and_then(|v| check_value(spec, &v).map(|()| v)) {
                Ok(v) => stage.settings.set(&o.key, v),
                Err(e) => issue(location, e),
            }
        }

        // Data dependencies: what an enabled stage requires must be provided earlier.
        for (i, stage) in stages.iter().enumerate() {
            let Some(plugin) = plugins.get(&stage.id).filter(|_| stage.enabled) else {
                continue;
            };
            for need in &plugin.info.requires {
                let need = need.as_str();
                // Source faces come from the host (--source, --reference-face, --map), not
                // from a stage; `run` checks that a profile needing them got some.
                if need == liveswap_sdk::data::SOURCE_FACES {
                    continue;
                }
                let provided_before = stages[..i].iter().filter(|s| s.enabled).any(|s| {
                    plugins
                        .get(&s.id)
                        .is_some_and(|p| effective_provides(&p.info, &s.settings).contains(&need))
                });
                if provided_before {
                    continue;
                }
                let providers: Vec<&str> = plugins
                    .plugins
                    .iter()
                    .filter(|p| p.info.provides.iter().any(|x| x == need))
                    .map(|p| p.id())
                    .collect();
                let hint = if providers.is_empty() {
                    "no loaded plugin provides it".to_owned()
                } else {
                    format!(
                        "enable {} (with its model for it set) before it",
                        providers.join(" or ")
                    )
                };
                issue(
                    stage.id.clone(),
                    format!("needs `{need}` from an earlier enabled processor; {hint}"),
                );
            }
        }

        // Embedding spaces: a swapper's model must get embeddings from the recognizer it needs.
        match crate::models::Manifest::builtin() {
            Ok(manifest) => {
                issues.extend(super::embedding_space::check(&stages, plugins, &manifest));
            }
            Err(e) => tracing::warn!("embedding-space check skipped: {e}"),
        }

        if issues.is_empty() {
            Ok(Self {
                path: path.to_path_buf(),
                stages,
            })
        } else {
            Err(ProfileError::Invalid {
                path: path.to_path_buf(),
                issues,
            })
        }
    }

    /// The enabled stages.
    pub fn enabled(&self) -> impl Iterator<Item = &Stage> {
        self.stages.iter().filter(|s| s.enabled)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn spec() -> SettingSpec {
        SettingSpec::int("thickness", "Thickness", "", 2, 1, 10)
    }

    #[test]
    fn ranges_are_checked_with_readable_numbers() {
        assert_eq!(
            check_value(&spec(), &SettingValue::Int(0)).unwrap_err(),
            "0 is below the minimum 1"
        );
        assert_eq!(
            check_value(&spec(), &SettingValue::Int(11)).unwrap_err(),
            "11 is above the maximum 10"
        );
        assert!(check_value(&spec(), &SettingValue::Int(10)).is_ok());
        let f = SettingSpec::float("x", "", "", 0.5, 0.0, 1.0);
        assert_eq!(
            check_value(&f, &SettingValue::Float(1.5)).unwrap_err(),
            "1.5 is above the maximum 1"
        );
        assert!(check_value(&f, &SettingValue::Float(f64::NAN)).is_err());
    }

    #[test]
    fn choices_are_checked() {
        let c = SettingSpec::choice("mode", "", "", "a", &["a", "b"]);
        assert!(check_value(&c, &SettingValue::Text("b".into())).is_ok());
        assert_eq!(
            check_value(&c, &SettingValue::Text("z".into())).unwrap_err(),
            "`z` is not one of: a, b"
        );
    }

    #[test]
    fn types_are_converted_strictly() {
        assert!(value_from_toml(&spec(), &toml::Value::Float(2.0)).is_err());
        let f = SettingSpec::float("x", "", "", 0.5, 0.0, 1.0);
        assert_eq!(
            value_from_toml(&f, &toml::Value::Integer(1)).unwrap(),
            SettingValue::Float(1.0)
        );
        assert_eq!(value_from_text(&spec(), "3").unwrap(), SettingValue::Int(3));
        assert!(value_from_text(&spec(), "3.5").is_err());
        let b = SettingSpec::bool("on", "", "", true);
        assert_eq!(
            value_from_text(&b, "off").unwrap(),
            SettingValue::Bool(false)
        );
    }
}
