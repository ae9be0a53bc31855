//! # The desktop app (`liveswap ui`)
//!
//! A window over the same host the CLI uses: pick source face photos and a target (image,
//! video frame, or camera), switch, reorder and tune the profile's processors with a preview
//! that follows every change, map target faces to sources, and render to a file.
//!
//! iced's shape ([`iced::application`]): one [`State`], one [`Message`] enum, [`update`] and
//! [`view`]. The UI thread only edits state and draws; everything heavy runs elsewhere:
//!
//! ```text
//!  UI thread (iced)            preview worker thread          render / fetch threads
//!  State ── update ──Command──▶ owns the Pipeline: build,      own pipeline per render;
//!    ▲                          update_setting, analyse        Fetcher for models
//!    └──── Task::perform ◀──────sources, decode, process ──▶   progress as a Task stream
//! ```
//!
//! | file | role |
//! |---|---|
//! | `state.rs` | [`State`], [`Message`], [`update`], [`state::plan_change`] (live update or rebuild) |
//! | `view.rs` | [`view`]: the panels |
//! | `settings_view.rs` | controls generated from each plugin's `SettingSpec`s |
//! | `editor.rs` | [`editor::ProfileEditor`]: order, switches, values, save as CLI TOML |
//! | `worker.rs` | [`worker::Worker`]: the preview thread and its commands |
//! | `faces.rs` | thumbnails; [`faces::FaceMode`] → the CLI's source roles |
//! | `render.rs` | render to a file with progress and cancel |
//! | `models.rs` | model pickers, missing models, fetch |
//! | `camera.rs` | cameras offered as a target |
//! | `live.rs` | live mode: the CLI's live loop on a thread, frames to the preview, Stop |
//! | `probe.rs` | `LIVESWAP_UI_PROBE` trace for the real-window test |
//! | `error.rs` | [`error::UiError`] (Clone, with a hint) |
//!
//! Nothing here names a processor or a setting: panels come from the loaded plugins'
//! descriptors, and profiles are validated by [`crate::profile::Profile::validate`].

mod camera;
pub mod editor;
pub mod error;
pub mod faces;
pub mod live;
pub mod models;
mod probe;
pub mod render;
mod settings_view;
pub mod state;
pub mod view;
pub mod worker;

pub use error::UiError;
pub use probe::PROBE_ENV;
pub use state::{Launch, Message, State, Terms, update};
pub use view::view;

use crate::cli::{GlobalArgs, UiArgs};
use crate::commands::{CommandError, Host};
use iced::Subscription;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Default window size, in logical pixels.
pub const WINDOW_SIZE: (f32, f32) = (1400.0, 900.0);

/// The app could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LaunchError {
    /// Loading plugins or services failed.
    #[error(transparent)]
    Host(#[from] CommandError),
    /// The window could not be opened (no display, no usable graphics).
    ///
    /// ## Resolution
    /// Run it in a desktop session (`DISPLAY` or `WAYLAND_DISPLAY` set); without a GPU,
    /// `ICED_BACKEND=tiny-skia` selects the software renderer.
    #[error("cannot open the window: {0}")]
    Window(String),
}

/// The folder of shipped profiles: `./profiles`, else `profiles/` beside the executable
/// or up to three folders above it (a cargo build's `target/<profile>/`).
pub fn shipped_profiles_dir() -> Option<PathBuf> {
    let here = PathBuf::from("profiles");
    if here.is_dir() {
        return Some(here);
    }
    let exe = std::env::current_exe().ok()?;
    exe.ancestors()
        .skip(1)
        .take(4)
        .map(|d| d.join("profiles"))
        .find(|d| d.is_dir())
}

/// The `*.toml` files of a folder, sorted by name.
pub fn profiles_in(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// Whether the window must ask for the responsible-use notice: not when it was accepted
/// before on this machine, by `--accept-terms` (recorded now) or by the environment.
fn terms(flag: bool) -> Terms {
    let consent = crate::responsible::consent::Consent::from_env(flag);
    match consent.ensure(&mut std::io::stderr(), None) {
        Ok(_) => Terms::Accepted,
        Err(_) => Terms::Pending(consent.dir),
    }
}

/// Opens the window and runs until it is closed.
pub fn run(global: &GlobalArgs, args: &UiArgs) -> Result<(), LaunchError> {
    let started = Instant::now();
    let host = Host::start_with_profile(global, args.profile.as_deref())?;
    let host = Arc::new(host);
    let shipped = shipped_profiles_dir()
        .map(|d| profiles_in(&d))
        .unwrap_or_default();
    let profile = args.profile.clone().or_else(|| {
        shipped
            .iter()
            .find(|p| p.file_name().is_some_and(|n| n == "default.toml"))
            .cloned()
    });
    let launch = Launch {
        sources: args.source.clone(),
        target: args.target.clone(),
        profile,
        shipped,
        terms: terms(global.accept_terms),
    };
    let worker = worker::Worker::spawn(Arc::clone(&host));
    tracing::info!(
        "ui: plugins loaded in {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    iced::application(
        move || State::new(Arc::clone(&host), worker.clone(), launch.clone(), started),
        update,
        view,
    )
    .title("liveswap")
    .subscription(subscription)
    .window_size(WINDOW_SIZE)
    .run()
    .map_err(|e| LaunchError::Window(e.to_string()))
}

/// Until the first frame is drawn, listen for it (the start-up time is logged then).
fn subscription(state: &State) -> Subscription<Message> {
    if state.first_frame {
        Subscription::none()
    } else {
        iced::window::frames().map(|_| Message::FirstFrame)
    }
}
