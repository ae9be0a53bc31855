//! `liveswap plugins`: what loaded, with every setting, and what failed.

use super::Completion;
use super::error::CommandError;
use super::setup::Host;
use abi_stable::std_types::ROption;
use liveswap_sdk::{SDK_VERSION, SettingKind, SettingSpec};
use serde_json::json;
use std::io::Write;

fn range(spec: &SettingSpec) -> String {
    match spec.kind {
        SettingKind::CHOICE => spec
            .choices
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join("|"),
        SettingKind::INT | SettingKind::FLOAT => match (spec.min, spec.max) {
            (ROption::RSome(a), ROption::RSome(b)) => format!("{a}..={b}"),
            (ROption::RSome(a), ROption::RNone) => format!(">= {a}"),
            (ROption::RNone, ROption::RSome(b)) => format!("<= {b}"),
            _ => String::new(),
        },
        _ => String::new(),
    }
}

fn list(v: &abi_stable::std_types::RVec<abi_stable::std_types::RString>) -> String {
    if v.is_empty() {
        "-".into()
    } else {
        v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
    }
}

/// Lists plugins and failures.
pub fn plugins(
    host: &Host,
    json_out: bool,
    out: &mut dyn Write,
) -> Result<Completion, CommandError> {
    if json_out {
        let loaded: Vec<_> = host.plugins.plugins.iter().map(|p| {
            let settings: Vec<_> = p.info.settings.iter().map(|s| json!({
                "key": s.key.as_str(), "label": s.label.as_str(), "kind": s.kind.name(),
                "default": s.default.to_string(), "range": range(s),
                "choices": s.choices.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
                "live": s.live, "help": s.help.as_str(),
            })).collect();
            json!({
                "id": p.id(), "name": p.info.display_name.as_str(), "version": p.info.version.as_str(),
                "sdk_version": p.info.sdk_version.as_str(), "file": p.path.display().to_string(),
                "capabilities": p.info.capabilities.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
                "requires": p.info.requires.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
                "provides": p.info.provides.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
                "settings": settings,
            })
        }).collect();
        let failed: Vec<_> = host.plugins.failures.iter().map(|f| json!({
            "file": f.path.display().to_string(), "step": f.error.step(), "error": f.error.to_string(),
        })).collect();
        serde_json::to_writer_pretty(
            &mut *out,
            &json!({ "sdk_version": SDK_VERSION, "plugins": loaded, "failed": failed }),
        )?;
        writeln!(out)?;
        return Ok(Completion::Clean);
    }
    let dirs: Vec<String> = host
        .search
        .iter()
        .map(|s| s.dir().display().to_string())
        .collect();
    writeln!(out, "host sdk {SDK_VERSION}; searched: {}", dirs.join(", "))?;
    writeln!(out, "{} plugin(s) loaded:", host.plugins.plugins.len())?;
    for p in &host.plugins.plugins {
        let i = &p.info;
        writeln!(
            out,
            "\n{} {} — {} (sdk {})",
            i.id, i.version, i.display_name, i.sdk_version
        )?;
        writeln!(out, "  file: {}", p.path.display())?;
        if !i.description.is_empty() {
            writeln!(out, "  {}", i.description)?;
        }
        writeln!(
            out,
            "  requires: {}   provides: {}",
            list(&i.requires),
            list(&i.provides)
        )?;
        for s in &i.settings {
            let live = if s.live { ", live" } else { "" };
            let r = range(s);
            let r = if r.is_empty() {
                String::new()
            } else {
                format!(" [{r}]")
            };
            writeln!(
                out,
                "  {:<18} {} = {}{r}{live}  — {}",
                s.key, s.kind, s.default, s.help
            )?;
        }
    }
    if !host.plugins.failures.is_empty() {
        writeln!(
            out,
            "\n{} plugin file(s) failed to load:",
            host.plugins.failures.len()
        )?;
        for f in &host.plugins.failures {
            writeln!(out, "  [{}] {}", f.error.step(), f.error)?;
        }
    }
    Ok(Completion::Clean)
}
