//! The app's state and its `update`: every event the window produces, and what it changes.
//!
//! iced's shape: one [`State`], one [`Message`] enum (events, named for what happened),
//! [`update`] returning a `Task` for anything slow. Screen parts that have phases are enums
//! ([`PipelineStatus`], [`PreviewStatus`], [`RenderStatus`], [`FetchStatus`]). Heavy work
//! goes to the preview worker ([`super::worker`]), the render thread ([`super::render`]) or
//! the fetch thread ([`super::models`]); `update` itself only edits the profile and sends.
//!
//! How a change reaches the preview: every edit (a switch, the order, a setting, the face
//! mapping mode) produces a new validated profile; [`plan_change`] compares it with the one
//! the worker runs. Only live settings changed → each goes to the running pipeline
//! (`Pipeline::update_setting`); anything else → the pipeline is rebuilt on the worker,
//! after a short pause so that typing or dragging does not rebuild at every step. Then a
//! new preview is asked for, also after a pause ([`PREVIEW_DEBOUNCE`]); answers to older
//! requests are dropped by their generation number.

use super::editor::ProfileEditor;
use super::error::UiError;
use super::faces::{FaceMode, PickedFace, SourceCard};
use super::live::{LiveEvent, LiveHandle, LiveJob};
use super::models::{self as ui_models, FetchEvent, MissingModel};
use super::render::{self, RenderDone, RenderEvent, RenderJob, RenderProgress};
use super::worker::{Built, PreviewImage, PreviewRequest, TargetFrame, Worker};
use super::{camera, probe::Probe};
use crate::commands::{Host, is_video_target};
use crate::plugins::PluginSet;
use crate::profile::Profile;
use iced::Task;
use liveswap_sdk::SettingValue;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Pause after the last change before a preview is computed.
pub const PREVIEW_DEBOUNCE: Duration = Duration::from_millis(120);
/// Pause after the last change before the pipeline is rebuilt (models may load).
pub const REBUILD_DEBOUNCE: Duration = Duration::from_millis(300);

/// What the command line gave `liveswap ui`.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// Source face photos.
    pub sources: Vec<PathBuf>,
    /// Target image or video.
    pub target: Option<PathBuf>,
    /// Profile to open.
    pub profile: Option<PathBuf>,
    /// Shipped profiles offered in the picker.
    pub shipped: Vec<PathBuf>,
    /// Whether the responsible-use notice still has to be accepted in the window.
    pub terms: Terms,
}

/// The responsible-use notice ([`crate::responsible::consent`]) as the app sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Terms {
    /// Accepted on this machine, by `--accept-terms` or by the environment.
    #[default]
    Accepted,
    /// Not accepted yet: the window shows only the notice until "I accept", which records
    /// the acceptance in this folder (when there is one), as the terminal prompt does.
    Pending(Option<PathBuf>),
}

/// The target the preview and the render use.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// Nothing picked yet.
    None,
    /// A still image.
    Image(PathBuf),
    /// A video, at frame `frame` of about `frames`.
    Video {
        /// The file.
        path: PathBuf,
        /// Frames the container declares (None: not probed yet or unknown).
        frames: Option<u64>,
        /// The frame shown.
        frame: u64,
    },
    /// A camera (live mode).
    Camera {
        /// Names `camera::list` found.
        found: Vec<String>,
        /// The one picked.
        picked: Option<String>,
    },
}

impl Target {
    /// The file, for image and video targets.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Self::Image(p) | Self::Video { path: p, .. } => Some(p),
            _ => None,
        }
    }

    fn frame(&self) -> Option<TargetFrame> {
        match self {
            Self::Image(p) => Some(TargetFrame::Image(p.clone())),
            Self::Video { path, frame, .. } => Some(TargetFrame::Video {
                path: path.clone(),
                frame: *frame,
            }),
            _ => None,
        }
    }
}

/// The preview pipeline on the worker.
#[derive(Debug, Clone)]
pub enum PipelineStatus {
    /// No profile is open.
    NoProfile,
    /// Being (re)built.
    Starting,
    /// Running these stages.
    Ready(Vec<String>),
    /// Could not be built or validated.
    Failed(UiError),
}

/// Live mode ([`super::live`]).
#[derive(Debug, Clone)]
pub enum LiveStatus {
    /// Not running.
    Idle,
    /// Running: the latest frame, and the frame rate the window sees.
    Running {
        /// Stop and live settings.
        handle: LiveHandle,
        /// The latest processed frame.
        frame: Option<iced::widget::image::Handle>,
        /// Its size.
        size: (u32, u32),
        /// Frames shown so far.
        frames: u64,
        /// Capture → sink latency of the latest frame, ms.
        latency_ms: f64,
        /// Arrival times of the last second's frames (for the fps shown).
        recent: std::collections::VecDeque<Instant>,
    },
    /// Ended: the run's numbers.
    Ended(String),
    /// Could not start, or broke.
    Failed(UiError),
}

impl LiveStatus {
    /// Frames per second over the last second of frames shown.
    pub fn fps(&self) -> f64 {
        match self {
            Self::Running { recent, .. } if recent.len() > 1 => {
                let span = recent[recent.len() - 1].duration_since(recent[0]);
                (recent.len() - 1) as f64 / span.as_secs_f64().max(1e-6)
            }
            _ => 0.0,
        }
    }
}

/// The sinks the live panel offers besides the window: (label, `--output` prefix, default).
pub const LIVE_SINKS: [(&str, &str, &str); 3] = [
    ("Record", "record:", "live-recording.mkv"),
    ("Stream", "stream:", "udp://127.0.0.1:27000"),
    ("Virtual camera", "v4l2:", "/dev/video10"),
];

/// The preview pane.
#[derive(Debug, Clone)]
pub enum PreviewStatus {
    /// Nothing to show (no target yet).
    Empty,
    /// A preview is being computed; the last one stays visible meanwhile.
    Computing(Option<Box<PreviewImage>>),
    /// The latest preview.
    Ready(Box<PreviewImage>),
    /// The latest request failed.
    Failed(UiError),
}

impl PreviewStatus {
    /// The image on screen, if any.
    pub fn image(&self) -> Option<&PreviewImage> {
        match self {
            Self::Computing(Some(p)) | Self::Ready(p) => Some(p.as_ref()),
            _ => None,
        }
    }
}

/// Original, result, or both side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Show {
    /// The processed frame.
    #[default]
    Result,
    /// The frame as decoded.
    Original,
    /// Both, side by side.
    Split,
}

/// Which way faces are chosen (the mapping panel's switch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceModeKind {
    /// The profile's `face_selection`.
    Profile,
    /// Each target person gets a chosen source.
    Map,
    /// Only the chosen person is swapped.
    Reference,
}

/// The render panel.
#[derive(Debug, Clone)]
pub enum RenderStatus {
    /// Waiting for "Render".
    Idle,
    /// The output exists: overwrite?
    Confirm(PathBuf),
    /// Running.
    Running {
        /// Latest progress.
        progress: Option<RenderProgress>,
        /// Set by "Cancel".
        cancel: Arc<AtomicBool>,
    },
    /// Written.
    Done(RenderDone),
    /// Failed or cancelled (nothing written).
    Failed(UiError),
}

/// The models banner.
#[derive(Debug, Clone)]
pub enum FetchStatus {
    /// Nothing running.
    Idle,
    /// Downloading; the latest progress line.
    Fetching(String),
    /// The last fetch failed.
    Failed(UiError),
}

/// Everything the window shows.
pub struct State {
    pub(super) host: Arc<Host>,
    pub(super) worker: Worker,
    pub(super) started: Instant,
    pub(super) first_frame: bool,
    pub(super) probe: Option<Probe>,
    /// Shipped profiles for the picker.
    pub shipped: Vec<PathBuf>,
    /// The profile being edited.
    pub editor: ProfileEditor,
    /// Why the last profile could not be opened or saved.
    pub profile_error: Option<UiError>,
    /// Path typed in the "open profile" field.
    pub profile_input: String,
    /// Path typed in the "save profile" field.
    pub save_input: String,
    /// "Saved …" / overwrite question for the profile.
    pub save_status: Option<String>,
    /// Processor whose settings panel is open.
    pub expanded: Option<usize>,
    /// The last setting edit that was refused, with why.
    pub setting_error: Option<String>,
    /// What the pipeline on the worker is.
    pub pipeline: PipelineStatus,
    /// The profile the worker's pipeline was built from, with live changes applied.
    pub running: Option<Profile>,
    /// Source photos.
    pub sources: Vec<SourceCard>,
    /// Path typed in the "add source" field.
    pub source_input: String,
    /// The target.
    pub target: Target,
    /// Path typed in the "target" field.
    pub target_input: String,
    /// The preview.
    pub preview: PreviewStatus,
    /// Original / result / split.
    pub show: Show,
    /// Face mapping.
    pub face_mode: FaceMode,
    /// Output path typed for the render.
    pub output_input: String,
    /// The render.
    pub render: RenderStatus,
    /// Models the profile needs that are missing.
    pub missing: Vec<MissingModel>,
    /// Model downloads.
    pub fetch: FetchStatus,
    /// The responsible-use notice: nothing but it is shown, and nothing rendered, until it
    /// is accepted.
    pub terms: Terms,
    /// Live mode.
    pub live: LiveStatus,
    /// Flip the camera picture left-right.
    pub live_mirror: bool,
    /// Per [`LIVE_SINKS`] entry: switched on, and its path or URL.
    pub live_sinks: Vec<(bool, String)>,
    preview_gen: u64,
    rebuild_gen: u64,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("editor", &self.editor)
            .field("pipeline", &self.pipeline)
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

/// Everything that can happen in the window (or come back from a worker).
#[derive(Debug, Clone)]
pub enum Message {
    /// The first frame is being drawn.
    FirstFrame,
    /// A shipped profile was picked.
    ProfilePicked(PathBuf),
    /// The "open profile" field changed.
    ProfileInputChanged(String),
    /// "Open" next to it.
    ProfileOpened,
    /// The "save profile" field changed.
    SaveInputChanged(String),
    /// "Save profile"; `true` after the user confirmed replacing the file.
    ProfileSaveRequested(bool),
    /// The save finished.
    ProfileSaved(Result<PathBuf, UiError>),
    /// A processor's switch.
    ProcessorToggled(usize, bool),
    /// A processor's up (-1) / down (+1) button.
    ProcessorMoved(usize, isize),
    /// A processor's "Settings" button (open/close its panel).
    SettingsExpanded(usize),
    /// A generated control produced a value: (processor index, key, value).
    SettingChanged(usize, String, SettingValue),
    /// A control's text could not be read as a value (the message says why).
    SettingRefused(String),
    /// A rebuild is due (debounced), for generation `u64`.
    RebuildDue(u64),
    /// The worker answered a rebuild.
    Rebuilt(u64, Result<Built, UiError>),
    /// The worker answered a live setting change.
    LiveApplied(Result<(), UiError>),
    /// The "add source" field changed.
    SourceInputChanged(String),
    /// "Add" next to it.
    SourceAdded,
    /// A source card's remove button.
    SourceRemoved(usize),
    /// The worker analysed the sources.
    SourcesAnalysed(Vec<SourceCard>),
    /// The target field changed.
    TargetInputChanged(String),
    /// "Open" next to it.
    TargetOpened,
    /// "Camera" instead of a file.
    CameraChosen,
    /// A camera was picked by name.
    CameraPicked(String),
    /// A video target was probed: frames it declares.
    VideoProbed(PathBuf, Result<Option<u64>, UiError>),
    /// The frame slider moved.
    FrameChanged(u64),
    /// A preview is due (debounced), for generation `u64`.
    PreviewDue(u64),
    /// The worker answered a preview.
    PreviewDone(u64, Result<PreviewImage, UiError>),
    /// Original / result / split.
    ShowChanged(Show),
    /// The face mapping mode.
    FaceModeChanged(FaceModeKind),
    /// Map mode: preview face `usize` gets source `Option<usize>` (None: leave as is).
    FaceAssigned(usize, Option<usize>),
    /// Reference mode: preview face `usize` is (or is no longer) the chosen person.
    ReferenceToggled(usize, bool),
    /// The output field changed.
    OutputInputChanged(String),
    /// "Render"; `true` after the user confirmed overwriting.
    RenderRequested(bool),
    /// "Keep the file" in the overwrite question.
    RenderDeclined,
    /// "Cancel" during a render.
    RenderCancelled,
    /// The render thread reported.
    Render(RenderEvent),
    /// "Fetch" for these models.
    FetchRequested(Vec<String>),
    /// The fetch thread reported.
    Fetch(FetchEvent),
    /// The diagnostic probe found a widget's bounds (see `probe`).
    Probed(String, Option<iced::Rectangle>),
    /// "Start live".
    LiveStart,
    /// "Stop".
    LiveStop,
    /// The live thread reported.
    Live(LiveEvent),
    /// The mirror switch.
    LiveMirrorToggled(bool),
    /// A sink's switch ([`LIVE_SINKS`] index).
    LiveSinkToggled(usize, bool),
    /// A sink's path or URL.
    LiveSinkInput(usize, String),
    /// "I accept" on the responsible-use notice.
    TermsAccepted,
    /// "Quit" on the responsible-use notice.
    TermsDeclined,
}

/// Runs `f` on a new thread; the future resolves with its result (None if it panicked).
pub(super) fn background<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> impl Future<Output = Option<T>> + Send + 'static {
    let (tx, rx) = iced::futures::channel::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("liveswap-ui-task".into())
        .spawn(move || {
            let _ = tx.send(f());
        });
    async move {
        match spawned {
            Ok(_) => rx.await.ok(),
            Err(_) => None,
        }
    }
}

fn after(delay: Duration, message: Message) -> Task<Message> {
    Task::perform(background(move || std::thread::sleep(delay)), move |_| {
        message
    })
}

/// How the worker must follow a profile change.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Nothing the pipeline sees changed.
    None,
    /// Only live settings changed: (processor id, key, new value) each.
    Live(Vec<(String, String, SettingValue)>),
    /// Anything else: build a new pipeline.
    Rebuild,
}

/// Compares the profile the worker runs with a new one: the same enabled stages in the
/// same order whose changed settings are all live → [`Change::Live`]; else
/// [`Change::Rebuild`] (also when nothing runs yet).
pub fn plan_change(running: Option<&Profile>, next: &Profile, plugins: &PluginSet) -> Change {
    let Some(running) = running else {
        return Change::Rebuild;
    };
    let old: Vec<_> = running.enabled().collect();
    let new: Vec<_> = next.enabled().collect();
    if old.len() != new.len() || old.iter().zip(&new).any(|(a, b)| a.id != b.id) {
        return Change::Rebuild;
    }
    let mut live = Vec::new();
    for (a, b) in old.iter().zip(&new) {
        let Some(plugin) = plugins.get(&b.id) else {
            return Change::Rebuild;
        };
        for (key, value) in b.settings.iter() {
            if a.settings.get(key).as_ref() == Some(&value) {
                continue;
            }
            let is_live = plugin
                .info
                .settings
                .iter()
                .any(|s| s.key.as_str() == key && s.live);
            if !is_live {
                return Change::Rebuild;
            }
            live.push((b.id.clone(), key.to_owned(), value));
        }
    }
    if live.is_empty() {
        Change::None
    } else {
        Change::Live(live)
    }
}

/// A short label for a path in the window (its file name).
pub fn file_label(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The output name suggested for a target: beside it, `NAME-swap.EXT` (videos `.mp4`).
pub fn suggested_output(target: &Path) -> PathBuf {
    let stem = target
        .file_stem()
        .map_or_else(|| "output".into(), |s| s.to_string_lossy().into_owned());
    let ext = if is_video_target(target) {
        "mp4".to_owned()
    } else {
        target
            .extension()
            .map_or_else(|| "png".into(), |e| e.to_string_lossy().to_lowercase())
    };
    target.with_file_name(format!("{stem}-swap.{ext}"))
}

impl State {
    /// The state at start, with what the command line gave, and the tasks that start
    /// the pipeline and the first preview.
    pub fn new(
        host: Arc<Host>,
        worker: Worker,
        launch: Launch,
        started: Instant,
    ) -> (Self, Task<Message>) {
        let mut state = Self {
            host,
            worker,
            started,
            first_frame: false,
            probe: Probe::from_env(),
            shipped: launch.shipped,
            editor: ProfileEditor::default(),
            profile_error: None,
            profile_input: String::new(),
            save_input: String::new(),
            save_status: None,
            expanded: None,
            setting_error: None,
            pipeline: PipelineStatus::NoProfile,
            running: None,
            sources: Vec::new(),
            source_input: String::new(),
            target: Target::None,
            target_input: String::new(),
            preview: PreviewStatus::Empty,
            show: Show::Result,
            face_mode: FaceMode::Profile,
            output_input: String::new(),
            render: RenderStatus::Idle,
            missing: Vec::new(),
            fetch: FetchStatus::Idle,
            terms: launch.terms.clone(),
            live: LiveStatus::Idle,
            live_mirror: false,
            live_sinks: LIVE_SINKS
                .iter()
                .map(|(_, _, default)| (false, (*default).to_owned()))
                .collect(),
            preview_gen: 0,
            rebuild_gen: 0,
        };
        let mut tasks = Vec::new();
        if !launch.sources.is_empty() {
            state.sources = launch
                .sources
                .iter()
                .map(|p| SourceCard {
                    path: p.clone(),
                    status: super::faces::SourceStatus::Pending,
                })
                .collect();
            tasks.push(state.send_sources());
        }
        if let Some(target) = launch.target {
            state.target_input = target.display().to_string();
            tasks.push(state.open_target(target));
        }
        if let Some(profile) = launch.profile {
            state.profile_input = profile.display().to_string();
            tasks.push(state.open_profile(&profile));
        }
        (state, Task::batch(tasks))
    }

    /// The generation numbers of the latest preview and rebuild requests: the debounced
    /// `PreviewDue`/`RebuildDue` and the worker's answers carry them (tests answer on the
    /// worker's behalf with them).
    pub fn generations(&self) -> (u64, u64) {
        (self.preview_gen, self.rebuild_gen)
    }

    /// The host, shared (for threads of their own, such as live mode's).
    pub fn shared_host(&self) -> Arc<Host> {
        Arc::clone(&self.host)
    }

    /// The host (plugins, services) the app runs on.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// Milliseconds since `liveswap ui` started.
    pub fn uptime_ms(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }

    /// The edited profile, validated, with the face mapping's selection applied.
    pub fn effective_profile(&self) -> Result<Profile, UiError> {
        let ids: Vec<String> = self
            .editor
            .processors
            .iter()
            .map(|p| p.id.clone())
            .collect();
        let overrides = self.face_mode.overrides(&ids, &self.host.plugins);
        Ok(self.editor.validate(&self.host.plugins, &overrides)?)
    }

    fn open_profile(&mut self, path: &Path) -> Task<Message> {
        match ProfileEditor::load(path, &self.host.plugins) {
            Ok(editor) => {
                self.editor = editor;
                self.profile_error = None;
                self.expanded = None;
                self.save_input = path.display().to_string();
                self.save_status = None;
                self.running = None;
                self.profile_changed()
            }
            Err(e) => {
                self.profile_error = Some(e.into());
                Task::none()
            }
        }
    }

    /// After any edit: validate, work out what the worker must do, ask for a preview.
    fn profile_changed(&mut self) -> Task<Message> {
        let next = match self.effective_profile() {
            Ok(p) => p,
            Err(e) => {
                self.pipeline = PipelineStatus::Failed(e);
                return Task::none();
            }
        };
        self.missing = ui_models::missing(&next, &self.host.plugins, &self.host.services.models);
        match plan_change(self.running.as_ref(), &next, &self.host.plugins) {
            Change::None => Task::none(),
            Change::Live(changes) => {
                if let LiveStatus::Running { handle, .. } = &self.live {
                    for (id, key, value) in &changes {
                        if let Some(text) = value_text(value) {
                            handle.set(id, key, &text);
                        }
                    }
                }
                let tasks: Vec<_> = changes
                    .into_iter()
                    .map(|(id, key, value)| {
                        Task::perform(self.worker.update(id, key, value), Message::LiveApplied)
                    })
                    .collect();
                self.running = Some(next);
                Task::batch(tasks).chain(self.schedule_preview())
            }
            Change::Rebuild => {
                self.rebuild_gen += 1;
                self.pipeline = PipelineStatus::Starting;
                // The first build runs at once; later ones wait for edits to settle.
                let delay = if self.running.is_none() && self.rebuild_gen == 1 {
                    Duration::ZERO
                } else {
                    REBUILD_DEBOUNCE
                };
                self.running = None;
                let generation = self.rebuild_gen;
                if delay.is_zero() {
                    self.start_rebuild(generation)
                } else {
                    after(delay, Message::RebuildDue(generation))
                }
            }
        }
    }

    fn start_rebuild(&mut self, generation: u64) -> Task<Message> {
        // Stale, or already rebuilt (a live change since then needs none).
        if generation != self.rebuild_gen || self.running.is_some() {
            return Task::none();
        }
        match self.effective_profile() {
            Ok(profile) => {
                self.running = Some(profile.clone());
                self.pipeline = PipelineStatus::Starting;
                Task::perform(self.worker.rebuild(profile), move |r| {
                    Message::Rebuilt(generation, r)
                })
            }
            Err(e) => {
                self.pipeline = PipelineStatus::Failed(e);
                Task::none()
            }
        }
    }

    fn schedule_preview(&mut self) -> Task<Message> {
        if self.target.frame().is_none() {
            return Task::none();
        }
        self.preview_gen += 1;
        self.preview = match std::mem::replace(&mut self.preview, PreviewStatus::Empty) {
            PreviewStatus::Ready(p) => PreviewStatus::Computing(Some(p)),
            PreviewStatus::Computing(p) => PreviewStatus::Computing(p),
            _ => PreviewStatus::Computing(None),
        };
        after(PREVIEW_DEBOUNCE, Message::PreviewDue(self.preview_gen))
    }

    fn send_preview(&mut self, generation: u64) -> Task<Message> {
        if generation != self.preview_gen {
            return Task::none();
        }
        let Some(target) = self.target.frame() else {
            return Task::none();
        };
        if !matches!(self.pipeline, PipelineStatus::Ready(_)) {
            // The preview is asked for again when the pipeline is ready.
            return Task::none();
        }
        let request = PreviewRequest {
            target,
            sources: self.face_mode.source_faces(&self.sources),
        };
        Task::perform(self.worker.preview(request), move |r| {
            Message::PreviewDone(generation, r)
        })
    }

    fn send_sources(&mut self) -> Task<Message> {
        let paths = self.sources.iter().map(|s| s.path.clone()).collect();
        Task::perform(self.worker.sources(paths), Message::SourcesAnalysed)
    }

    fn open_target(&mut self, path: PathBuf) -> Task<Message> {
        // `file:VIDEO` (as `--camera` takes it): the video played as a camera, for live mode.
        let text = path.display().to_string();
        if text.starts_with("file:") {
            self.target = Target::Camera {
                found: vec![text.clone()],
                picked: Some(text),
            };
            self.preview = PreviewStatus::Empty;
            return Task::none();
        }
        self.face_mode = FaceMode::Profile;
        self.output_input = suggested_output(&path).display().to_string();
        self.render = RenderStatus::Idle;
        if is_video_target(&path) {
            self.target = Target::Video {
                path: path.clone(),
                frames: None,
                frame: 0,
            };
            let probe_path = path.clone();
            let probe = Task::perform(
                background(move || {
                    crate::video::probe(&probe_path)
                        .map(|info| info.estimated_frames())
                        .map_err(UiError::from)
                }),
                move |r| {
                    Message::VideoProbed(
                        path.clone(),
                        r.unwrap_or_else(|| Err(UiError::WorkerGone)),
                    )
                },
            );
            Task::batch([probe, self.after_face_mode_change()])
        } else {
            self.target = Target::Image(path);
            self.after_face_mode_change()
        }
    }

    /// The face mode affects the profile (selection) and the sources: re-plan both.
    fn after_face_mode_change(&mut self) -> Task<Message> {
        if self.editor.processors.is_empty() {
            return self.schedule_preview();
        }
        let change = self.profile_changed();
        Task::batch([change, self.schedule_preview()])
    }

    fn preview_faces(&self) -> &[PickedFace] {
        self.preview.image().map_or(&[], |p| p.faces.as_slice())
    }

    fn render_job(&self, overwrite: bool) -> Result<RenderJob, UiError> {
        if self.terms != Terms::Accepted {
            return Err(UiError::Input(
                "accept the responsible-use notice first".into(),
            ));
        }
        let target = self
            .target
            .path()
            .ok_or_else(|| UiError::Input("pick a target image or video first".into()))?;
        let output = self.output_input.trim();
        if output.is_empty() {
            return Err(UiError::Input("type the output file name".into()));
        }
        let mut inputs: Vec<PathBuf> = self.sources.iter().map(|s| s.path.clone()).collect();
        inputs.extend(self.editor.path.clone());
        Ok(RenderJob {
            profile: self.effective_profile()?,
            sources: self.face_mode.source_faces(&self.sources),
            target: target.to_path_buf(),
            output: PathBuf::from(output),
            inputs,
            overwrite,
            label: self.editor.label,
        })
    }

    fn start_live(&mut self) -> Task<Message> {
        if matches!(self.live, LiveStatus::Running { .. }) {
            return Task::none();
        }
        let job = match self.live_job() {
            Ok(job) => job,
            Err(e) => {
                self.live = LiveStatus::Failed(e);
                return Task::none();
            }
        };
        if let Err(e) = super::live::check(&job) {
            self.live = LiveStatus::Failed(e);
            return Task::none();
        }
        let (handle, events) = super::live::start(Arc::clone(&self.host), job);
        self.live = LiveStatus::Running {
            handle,
            frame: None,
            size: (0, 0),
            frames: 0,
            latency_ms: 0.0,
            recent: std::collections::VecDeque::new(),
        };
        Task::run(events, Message::Live)
    }

    /// What "Start live" would run now (the camera target, sinks switched on, profile).
    ///
    /// # Errors
    /// No camera picked, the notice not accepted, or a profile that does not validate.
    pub fn live_job(&self) -> Result<LiveJob, UiError> {
        if self.terms != Terms::Accepted {
            return Err(UiError::Input(
                "accept the responsible-use notice first".into(),
            ));
        }
        let Target::Camera {
            picked: Some(camera),
            ..
        } = &self.target
        else {
            return Err(UiError::Input(
                "pick a camera as the target first (or type file:VIDEO to play a video as a camera)"
                    .into(),
            ));
        };
        let sinks = LIVE_SINKS
            .iter()
            .zip(&self.live_sinks)
            .filter(|(_, (on, _))| *on)
            .map(|((_, prefix, _), (_, value))| format!("{prefix}{}", value.trim()))
            .collect();
        Ok(LiveJob {
            profile: self.effective_profile()?,
            sources: self.face_mode.source_faces(&self.sources),
            camera: camera.clone(),
            mirror: self.live_mirror,
            sinks,
            label: self.editor.label,
        })
    }

    fn request_render(&mut self, overwrite: bool) -> Task<Message> {
        if matches!(self.render, RenderStatus::Running { .. }) {
            return Task::none();
        }
        let job = match self.render_job(overwrite) {
            Ok(job) => job,
            Err(e) => {
                self.render = RenderStatus::Failed(e);
                return Task::none();
            }
        };
        if !overwrite && job.output.exists() {
            self.render = RenderStatus::Confirm(job.output);
            return Task::none();
        }
        // The same checks the render makes first, so a bad name is reported at once.
        if let Err(e) = render::check_output(&job) {
            self.render = RenderStatus::Failed(e);
            return Task::none();
        }
        let cancel = Arc::new(AtomicBool::new(false));
        self.render = RenderStatus::Running {
            progress: None,
            cancel: Arc::clone(&cancel),
        };
        Task::run(
            render::start(Arc::clone(&self.host), job, cancel),
            Message::Render,
        )
    }

    fn save_profile(&mut self, confirmed: bool) -> Task<Message> {
        let path = PathBuf::from(self.save_input.trim());
        if path.as_os_str().is_empty() {
            self.save_status = Some("Type where to save the profile.".into());
            return Task::none();
        }
        if path.exists() && !confirmed {
            self.save_status = Some(format!("{} exists: replace it?", path.display()));
            return Task::none();
        }
        let text = match self.editor.to_toml() {
            Ok(t) => t,
            Err(e) => {
                self.save_status = Some(format!("Cannot write the profile: {e}"));
                return Task::none();
            }
        };
        Task::perform(
            background(move || {
                std::fs::write(&path, text)
                    .map(|()| path.clone())
                    .map_err(|e| UiError::Input(format!("cannot write {}: {e}", path.display())))
            }),
            |r| Message::ProfileSaved(r.unwrap_or(Err(UiError::WorkerGone))),
        )
    }
}

/// Applies one event to the state.
pub fn update(state: &mut State, message: Message) -> Task<Message> {
    match message {
        Message::TermsAccepted => {
            if let Terms::Pending(Some(dir)) = &state.terms
                && let Err(e) = crate::responsible::consent::record(dir)
            {
                tracing::warn!(
                    "cannot record the acceptance in {}: {e}; you will be asked again",
                    dir.display()
                );
            }
            state.terms = Terms::Accepted;
            Task::none()
        }
        Message::TermsDeclined => iced::exit(),
        Message::LiveStart => state.start_live(),
        Message::LiveStop => {
            if let LiveStatus::Running { handle, .. } = &state.live {
                handle.stop();
            }
            Task::none()
        }
        Message::Live(event) => {
            match event {
                LiveEvent::Frame {
                    image,
                    size,
                    at,
                    latency_ms,
                } => {
                    if let LiveStatus::Running {
                        frame,
                        size: shown,
                        frames,
                        recent,
                        latency_ms: latency,
                        ..
                    } = &mut state.live
                    {
                        *frame = Some(image);
                        *latency = latency_ms;
                        *shown = size;
                        *frames += 1;
                        recent.push_back(at);
                        while recent
                            .front()
                            .is_some_and(|t| at.duration_since(*t) > Duration::from_secs(1))
                        {
                            recent.pop_front();
                        }
                    }
                }
                LiveEvent::Ended(result) => {
                    state.live = match result {
                        Ok(stats) => LiveStatus::Ended(stats),
                        Err(e) => LiveStatus::Failed(e),
                    };
                }
            }
            Task::none()
        }
        Message::LiveMirrorToggled(on) => {
            state.live_mirror = on;
            Task::none()
        }
        Message::LiveSinkToggled(k, on) => {
            if let Some(sink) = state.live_sinks.get_mut(k) {
                sink.0 = on;
            }
            Task::none()
        }
        Message::LiveSinkInput(k, value) => {
            if let Some(sink) = state.live_sinks.get_mut(k) {
                sink.1 = value;
            }
            Task::none()
        }
        Message::FirstFrame => {
            if !state.first_frame {
                state.first_frame = true;
                let ms = state.uptime_ms();
                tracing::info!("window: first frame {ms:.0} ms after start");
                if let Some(probe) = &state.probe {
                    probe.line(&format!("first_frame {ms:.0}"));
                }
            }
            Task::none()
        }
        Message::ProfilePicked(path) => {
            state.profile_input = path.display().to_string();
            state.open_profile(&path)
        }
        Message::ProfileInputChanged(text) => {
            state.profile_input = text;
            Task::none()
        }
        Message::ProfileOpened => {
            let path = PathBuf::from(state.profile_input.trim());
            state.open_profile(&path)
        }
        Message::SaveInputChanged(text) => {
            state.save_input = text;
            state.save_status = None;
            Task::none()
        }
        Message::ProfileSaveRequested(confirmed) => state.save_profile(confirmed),
        Message::ProfileSaved(result) => {
            state.save_status = Some(match result {
                Ok(path) => format!("Saved {}", path.display()),
                Err(e) => e.to_string(),
            });
            Task::none()
        }
        Message::ProcessorToggled(index, on) => {
            state.editor.set_enabled(index, on);
            state.profile_changed()
        }
        Message::ProcessorMoved(index, delta) => {
            if !state.editor.move_by(index, delta) {
                return Task::none();
            }
            if state.expanded == Some(index) {
                state.expanded = index.checked_add_signed(delta);
            }
            state.profile_changed()
        }
        Message::SettingsExpanded(index) => {
            state.expanded = (state.expanded != Some(index)).then_some(index);
            Task::none()
        }
        Message::SettingChanged(index, key, value) => {
            match state
                .editor
                .set_value(&state.host.plugins, index, &key, value)
            {
                Ok(()) => {
                    state.setting_error = None;
                    state.profile_changed()
                }
                Err(e) => {
                    state.setting_error = Some(e.to_string());
                    Task::none()
                }
            }
        }
        Message::SettingRefused(why) => {
            state.setting_error = Some(why);
            Task::none()
        }
        Message::RebuildDue(generation) => state.start_rebuild(generation),
        Message::Rebuilt(generation, result) => {
            if generation != state.rebuild_gen {
                return Task::none();
            }
            match result {
                Ok(built) => {
                    state.pipeline = PipelineStatus::Ready(built.stages);
                    if !built.sources.is_empty() {
                        state.sources = built.sources;
                    }
                    state.schedule_preview()
                }
                Err(UiError::Superseded) => Task::none(),
                Err(e) => {
                    state.running = None;
                    state.pipeline = PipelineStatus::Failed(e);
                    Task::none()
                }
            }
        }
        Message::LiveApplied(result) => {
            if let Err(e) = result {
                // The running pipeline refused: rebuild from the edited profile instead.
                tracing::warn!("live setting change refused, rebuilding: {e}");
                state.setting_error = Some(e.to_string());
                state.running = None;
                return state.profile_changed();
            }
            Task::none()
        }
        Message::SourceInputChanged(text) => {
            state.source_input = text;
            Task::none()
        }
        Message::SourceAdded => {
            let path = PathBuf::from(state.source_input.trim());
            if path.as_os_str().is_empty() {
                return Task::none();
            }
            state.source_input.clear();
            state.sources.push(SourceCard {
                path,
                status: super::faces::SourceStatus::Pending,
            });
            state.send_sources()
        }
        Message::SourceRemoved(index) => {
            if index < state.sources.len() {
                state.sources.remove(index);
                // Map assignments index the source list: start the mapping again.
                if matches!(state.face_mode, FaceMode::Map(_)) {
                    state.face_mode = FaceMode::Map(Vec::new());
                }
            }
            Task::batch([state.send_sources(), state.schedule_preview()])
        }
        Message::SourcesAnalysed(cards) => {
            // Keep the answer only if it is for the list as it is now.
            let same = cards.len() == state.sources.len()
                && cards
                    .iter()
                    .zip(&state.sources)
                    .all(|(a, b)| a.path == b.path);
            if same {
                state.sources = cards;
                return state.schedule_preview();
            }
            Task::none()
        }
        Message::TargetInputChanged(text) => {
            state.target_input = text;
            Task::none()
        }
        Message::TargetOpened => {
            let path = PathBuf::from(state.target_input.trim());
            if path.as_os_str().is_empty() {
                return Task::none();
            }
            state.open_target(path)
        }
        Message::CameraChosen => {
            let found = camera::list();
            state.target = Target::Camera {
                picked: found.first().cloned(),
                found,
            };
            state.preview = PreviewStatus::Empty;
            Task::none()
        }
        Message::CameraPicked(name) => {
            if let Target::Camera { picked, .. } = &mut state.target {
                *picked = Some(name);
            }
            Task::none()
        }
        Message::VideoProbed(path, result) => {
            if let Target::Video {
                path: current,
                frames,
                ..
            } = &mut state.target
                && *current == path
            {
                match result {
                    Ok(n) => *frames = n,
                    Err(e) => state.preview = PreviewStatus::Failed(e),
                }
            }
            Task::none()
        }
        Message::FrameChanged(n) => {
            if let Target::Video { frame, .. } = &mut state.target {
                *frame = n;
            }
            state.schedule_preview()
        }
        Message::PreviewDue(generation) => state.send_preview(generation),
        Message::PreviewDone(generation, result) => {
            if generation != state.preview_gen {
                return Task::none();
            }
            match result {
                Ok(image) => {
                    state.preview = PreviewStatus::Ready(Box::new(image));
                    match &state.probe {
                        Some(probe) => probe.preview_ready(state),
                        None => Task::none(),
                    }
                }
                Err(UiError::Superseded) => Task::none(),
                Err(e) => {
                    state.preview = PreviewStatus::Failed(e);
                    Task::none()
                }
            }
        }
        Message::ShowChanged(show) => {
            state.show = show;
            match &state.probe {
                Some(probe) => probe.preview_ready(state),
                None => Task::none(),
            }
        }
        Message::FaceModeChanged(kind) => {
            state.face_mode = match kind {
                FaceModeKind::Profile => FaceMode::Profile,
                FaceModeKind::Map => FaceMode::Map(Vec::new()),
                FaceModeKind::Reference => FaceMode::Reference(Vec::new()),
            };
            state.after_face_mode_change()
        }
        Message::FaceAssigned(face, source) => {
            let Some(person) = state.preview_faces().get(face).cloned() else {
                return Task::none();
            };
            if let FaceMode::Map(pairs) = &mut state.face_mode {
                pairs.retain(|(p, _)| p.label != person.label);
                if let Some(source) = source {
                    pairs.push((person, source));
                }
            }
            state.schedule_preview()
        }
        Message::ReferenceToggled(face, on) => {
            let Some(person) = state.preview_faces().get(face).cloned() else {
                return Task::none();
            };
            if let FaceMode::Reference(people) = &mut state.face_mode {
                people.retain(|p| p.label != person.label);
                if on {
                    people.push(person);
                }
            }
            state.schedule_preview()
        }
        Message::OutputInputChanged(text) => {
            state.output_input = text;
            if matches!(
                state.render,
                RenderStatus::Confirm(_) | RenderStatus::Failed(_)
            ) {
                state.render = RenderStatus::Idle;
            }
            Task::none()
        }
        Message::RenderRequested(overwrite) => state.request_render(overwrite),
        Message::RenderDeclined => {
            state.render = RenderStatus::Idle;
            Task::none()
        }
        Message::RenderCancelled => {
            if let RenderStatus::Running { cancel, .. } = &state.render {
                cancel.store(true, Ordering::SeqCst);
            }
            Task::none()
        }
        Message::Render(event) => {
            match event {
                RenderEvent::Progress(p) => {
                    if let RenderStatus::Running { progress, .. } = &mut state.render {
                        *progress = Some(p);
                    }
                }
                RenderEvent::Finished(result) => {
                    state.render = match result {
                        Ok(done) => RenderStatus::Done(done),
                        Err(e) => RenderStatus::Failed(e),
                    };
                }
            }
            Task::none()
        }
        Message::FetchRequested(ids) => {
            if matches!(state.fetch, FetchStatus::Fetching(_)) || ids.is_empty() {
                return Task::none();
            }
            state.fetch = FetchStatus::Fetching(format!("fetching {}", ids.join(", ")));
            Task::run(
                ui_models::fetch(Arc::clone(&state.host), ids),
                Message::Fetch,
            )
        }
        Message::Fetch(event) => match event {
            FetchEvent::Line(line) => {
                state.fetch = FetchStatus::Fetching(line);
                Task::none()
            }
            FetchEvent::Finished(result) => {
                state.fetch = match result {
                    Ok(_) => FetchStatus::Idle,
                    Err(e) => FetchStatus::Failed(e),
                };
                // Rebuild: the models may be there now.
                state.running = None;
                state.profile_changed()
            }
        },
        Message::Probed(id, bounds) => {
            if let Some(probe) = &state.probe {
                probe.bounds(&id, bounds);
            }
            Task::none()
        }
    }
}

/// A setting value as `--set` and the live control lines take it.
fn value_text(value: &SettingValue) -> Option<String> {
    Some(match value {
        SettingValue::Bool(b) => b.to_string(),
        SettingValue::Int(i) => i.to_string(),
        SettingValue::Float(f) => f.to_string(),
        SettingValue::Text(t) => t.to_string(),
        _ => return None,
    })
}
