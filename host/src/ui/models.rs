//! Models in the app: which ones a model setting may take (for its picker), which ones the
//! profile needs and are missing (the first-run offer), and fetching them off the UI thread.
//!
//! Where: the settings panel asks [`choices`] for a `Model` setting; the window shows
//! [`missing`] above the processors with a "Fetch" button that runs [`fetch`], the same
//! [`Fetcher`] as `liveswap models fetch` (verified downloads, resume, licences shown first).
//! Which models fit a setting comes from the plugin's own model slots (`ModelSlot::role`)
//! matched against the manifest's roles: no model or processor is named here.

use super::error::UiError;
use crate::commands::Host;
use crate::models::{FetchOptions, Fetcher, ModelStore, ProgressStyle};
use crate::plugins::PluginSet;
use crate::profile::Profile;
use iced::futures::Stream;
use iced::futures::channel::mpsc;
use liveswap_sdk::SettingValue;
use std::io::Write;
use std::sync::Arc;

/// One entry of a model picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelChoice {
    /// Manifest id (the setting's value).
    pub id: String,
    /// Whether a copy is installed.
    pub installed: bool,
}

impl std::fmt::Display for ModelChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.id.is_empty() {
            write!(f, "(none)")
        } else if self.installed {
            write!(f, "{}", self.id)
        } else {
            write!(f, "{} (not installed)", self.id)
        }
    }
}

/// A model the profile needs that is not installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingModel {
    /// Manifest id.
    pub id: String,
    /// Download size in bytes, when published.
    pub size: Option<u64>,
    /// Licence name and URL (shown before fetching, as the CLI prints them).
    pub licence: String,
}

/// The manifest models that fit setting `key` of plugin `id` (same role as its model slot).
pub fn choices(plugins: &PluginSet, store: &ModelStore, id: &str, key: &str) -> Vec<ModelChoice> {
    let Some(role) = plugins.get(id).and_then(|p| {
        p.info
            .models
            .iter()
            .find(|slot| slot.setting.as_str() == key)
            .map(|slot| slot.role.to_string())
    }) else {
        return Vec::new();
    };
    store
        .manifest()
        .models
        .iter()
        .filter(|e| e.role == role)
        .map(|e| ModelChoice {
            id: e.id.clone(),
            installed: store.installed_path(e).is_some(),
        })
        .collect()
}

/// Manifest models named by the enabled stages' model settings that are not installed
/// (an empty value switches an optional slot off; a file path is the user's own).
pub fn missing(profile: &Profile, plugins: &PluginSet, store: &ModelStore) -> Vec<MissingModel> {
    let mut out: Vec<MissingModel> = Vec::new();
    for stage in profile.enabled() {
        let Some(plugin) = plugins.get(&stage.id) else {
            continue;
        };
        for slot in &plugin.info.models {
            let Some(SettingValue::Text(reference)) = stage.settings.get(slot.setting.as_str())
            else {
                continue;
            };
            let Some(entry) = store.manifest().get(reference.as_str()) else {
                continue;
            };
            if store.installed_path(entry).is_none() && !out.iter().any(|m| m.id == entry.id) {
                out.push(MissingModel {
                    id: entry.id.clone(),
                    size: entry.display_size(),
                    licence: format!("{} <{}>", entry.license, entry.license_url),
                });
            }
        }
    }
    out
}

/// What a fetch reports.
#[derive(Debug, Clone)]
pub enum FetchEvent {
    /// A line of progress (the source tried, bytes so far), as `liveswap models fetch`
    /// writes it in a log.
    Line(String),
    /// The end: the ids installed, or why not.
    Finished(Result<Vec<String>, UiError>),
}

/// Fetches `ids` on a thread; the stream ends after [`FetchEvent::Finished`].
pub fn fetch(host: Arc<Host>, ids: Vec<String>) -> impl Stream<Item = FetchEvent> + Send + 'static {
    let (tx, rx) = mpsc::unbounded();
    let events = tx.clone();
    let spawned = std::thread::Builder::new()
        .name("liveswap-fetch".into())
        .spawn(move || {
            let result = fetch_all(&host.services.models, &ids, &events);
            let _ = events.unbounded_send(FetchEvent::Finished(result));
        });
    if let Err(e) = spawned {
        let _ = tx.unbounded_send(FetchEvent::Finished(Err(UiError::Input(format!(
            "cannot start the download thread: {e}"
        )))));
    }
    rx
}

fn fetch_all(
    store: &ModelStore,
    ids: &[String],
    events: &mpsc::UnboundedSender<FetchEvent>,
) -> Result<Vec<String>, UiError> {
    let mut log = LineSink {
        events: events.clone(),
        pending: String::new(),
    };
    let mut fetcher = Fetcher::new(store, FetchOptions::from_env(ProgressStyle::Lines))?;
    let mut done = Vec::new();
    for id in ids {
        let entry = store
            .manifest()
            .get(id)
            .ok_or_else(|| UiError::Input(format!("unknown model `{id}`")))?;
        let _ = writeln!(
            log,
            "{} — licence: {} <{}>",
            entry.id, entry.license, entry.license_url
        );
        let fetched = fetcher.fetch(entry, &mut log)?;
        done.push(fetched.id);
    }
    Ok(done)
}

/// A writer that sends each complete line as a [`FetchEvent::Line`].
struct LineSink {
    events: mpsc::UnboundedSender<FetchEvent>,
    pending: String,
}

impl Write for LineSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.push_str(&String::from_utf8_lossy(buf));
        while let Some(end) = self.pending.find('\n') {
            let line: String = self.pending.drain(..=end).collect();
            let line = line.trim().to_owned();
            if !line.is_empty() {
                let _ = self.events.unbounded_send(FetchEvent::Line(line));
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
