//! A diagnostic trace for tests of the real window (`LIVESWAP_UI_PROBE=FILE`).
//!
//! Where: when the variable is set, the app appends lines to FILE: `first_frame MS` when
//! the window first draws, `preview SHOWING W H` each time a preview is on screen, and
//! `bounds ID X Y W H` (logical pixels, window coordinates) for the preview image and each
//! processor switch, found with iced's widget selectors. The Xvfb test (`tests/ui.rs`)
//! reads it to know when the preview is ready and where to click and compare, instead of
//! guessing pixel positions. Without the variable nothing is written.

use super::state::{Message, Show, State};
use super::view::{PREVIEW_ID, switch_id};
use iced::Task;
use iced::widget::selector;
use std::io::Write;
use std::path::PathBuf;

/// The environment variable naming the trace file.
pub const PROBE_ENV: &str = "LIVESWAP_UI_PROBE";

/// Where the trace goes.
#[derive(Debug, Clone)]
pub struct Probe {
    path: PathBuf,
}

impl Probe {
    /// The probe asked for by [`PROBE_ENV`], if any.
    pub fn from_env() -> Option<Self> {
        std::env::var_os(PROBE_ENV).map(|p| Self { path: p.into() })
    }

    /// Appends one line (a failure is logged, never shown: this is a test aid).
    pub fn line(&self, text: &str) {
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .and_then(|mut f| writeln!(f, "{text}"));
        if let Err(e) = written {
            tracing::warn!("{PROBE_ENV}: cannot write {}: {e}", self.path.display());
        }
    }

    /// A preview is on screen: note it and ask for the widgets' bounds.
    pub fn preview_ready(&self, state: &State) -> Task<Message> {
        let Some(image) = state.preview.image() else {
            return Task::none();
        };
        let showing = match state.show {
            Show::Result => "result",
            Show::Original => "original",
            Show::Split => "split",
        };
        let stages = state
            .running
            .as_ref()
            .map(|p| {
                p.enabled()
                    .map(|s| s.id.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default();
        self.line(&format!(
            "preview {showing} {} {} {stages}",
            image.size.0, image.size.1
        ));
        let mut ids = vec![PREVIEW_ID.to_owned()];
        ids.extend(state.editor.processors.iter().map(|p| switch_id(&p.id)));
        Task::batch(ids.into_iter().map(|id| {
            let name = id.clone();
            selector::find(selector::id(id))
                .map(move |found| Message::Probed(name.clone(), found.map(|t| t.bounds())))
        }))
    }

    /// Writes a widget's bounds.
    pub fn bounds(&self, id: &str, bounds: Option<iced::Rectangle>) {
        match bounds {
            Some(b) => self.line(&format!(
                "bounds {id} {:.0} {:.0} {:.0} {:.0}",
                b.x, b.y, b.width, b.height
            )),
            None => self.line(&format!("bounds {id} missing")),
        }
    }
}
