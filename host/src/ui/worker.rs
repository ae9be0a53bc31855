//! The preview worker: one thread that owns the app's [`Pipeline`] and does every heavy
//! step of the preview (building the pipeline and loading its models, analysing source
//! photos, decoding the target frame, running the processors).
//!
//! Where: the app's `update` sends [`Command`]s through a [`Worker`] handle and gets each
//! answer back as a future (a oneshot channel) that iced runs with `Task::perform`, so
//! nothing heavy ever runs on the UI thread. Commands run in the order sent. When several
//! are waiting, only the newest preview and the newest rebuild run; the older ones are
//! answered [`UiError::Superseded`] at once (a newer request cancels an older one that has
//! not started; one already running finishes first, as a frame does on the CLI).
//!
//! Live settings reach the running pipeline through [`Pipeline::update_setting`]
//! ([`Command::Update`]); any other change rebuilds it ([`Command::Rebuild`]) from the
//! profile the app validated.

use super::error::UiError;
use super::faces::{PickedFace, SourceCard, SourceStatus, face_thumb, rgba_handle};
use crate::commands::{Host, prepare_one};
use crate::media::load_rgb;
use crate::pipeline::{Pipeline, PipelineError, StageEvent};
use crate::profile::Profile;
use crate::video::{self, FramePoint};
use iced::futures::channel::oneshot;
use iced::widget::image::Handle;
use liveswap_sdk::{FrameKind, OwnedImage, SettingValue, SourceFace, SourceRole};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Where an answer goes.
pub type Reply<T> = oneshot::Sender<T>;

/// The frame a preview shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TargetFrame {
    /// A still image.
    Image(PathBuf),
    /// Frame `frame` (0-based, in decode order) of a video.
    Video {
        /// The file.
        path: PathBuf,
        /// The frame number.
        frame: u64,
    },
}

/// One preview to compute.
#[derive(Debug, Clone)]
pub struct PreviewRequest {
    /// The frame.
    pub target: TargetFrame,
    /// The source faces with their roles (see `faces::FaceMode::source_faces`).
    pub sources: Vec<SourceFace>,
}

/// A computed preview.
#[derive(Debug, Clone)]
pub struct PreviewImage {
    /// The frame as decoded.
    pub original: Handle,
    /// The frame after the processors.
    pub result: Handle,
    /// Its size in pixels.
    pub size: (u32, u32),
    /// Faces the analysing stages found in the original frame, in their order.
    pub faces: Vec<PickedFace>,
    /// What the processors reported (skips, failures), one line each.
    pub notes: Vec<String>,
    /// Time spent processing (without decoding).
    pub elapsed: Duration,
}

/// A pipeline that was (re)built.
#[derive(Debug, Clone)]
pub struct Built {
    /// Running stages, in order.
    pub stages: Vec<String>,
    /// The source photos analysed again with the new pipeline.
    pub sources: Vec<SourceCard>,
}

/// What the worker is asked to do.
#[derive(Debug)]
pub enum Command {
    /// Build a new pipeline for `profile` (dropping the old one first), then analyse the
    /// source photos again with it.
    Rebuild {
        /// The validated profile.
        profile: Box<Profile>,
        /// Answer.
        reply: Reply<Result<Built, UiError>>,
    },
    /// Change a live setting of the running pipeline.
    Update {
        /// Processor id.
        id: String,
        /// Setting key.
        key: String,
        /// New value.
        value: SettingValue,
        /// Answer.
        reply: Reply<Result<(), UiError>>,
    },
    /// Replace the source photos and analyse them.
    Sources {
        /// The photos.
        paths: Vec<PathBuf>,
        /// Answer.
        reply: Reply<Vec<SourceCard>>,
    },
    /// Compute a preview.
    Preview {
        /// What to show.
        request: Box<PreviewRequest>,
        /// Answer.
        reply: Reply<Result<PreviewImage, UiError>>,
    },
}

/// The handle the app keeps: sends commands to the worker thread.
#[derive(Debug, Clone)]
pub struct Worker {
    tx: mpsc::Sender<Command>,
}

impl Worker {
    /// Starts the worker thread for `host`'s plugins and services.
    pub fn spawn(host: Arc<Host>) -> Self {
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("liveswap-preview".into())
            .spawn(move || WorkerState::new(host).serve(&rx));
        if let Err(e) = spawned {
            // The handle then answers every request with `WorkerGone`.
            tracing::error!("cannot start the preview worker: {e}");
        }
        Self { tx }
    }

    /// A handle whose commands arrive on the returned receiver (tests drive `update`
    /// with it and look at what the worker would have been asked).
    pub fn detached() -> (Self, mpsc::Receiver<Command>) {
        let (tx, rx) = mpsc::channel();
        (Self { tx }, rx)
    }

    fn ask<T: Send + 'static>(
        &self,
        make: impl FnOnce(Reply<T>) -> Command,
        gone: T,
    ) -> impl Future<Output = T> + Send + 'static {
        let (reply, answer) = oneshot::channel();
        let sent = self.tx.send(make(reply)).is_ok();
        async move {
            if sent {
                answer.await.unwrap_or(gone)
            } else {
                gone
            }
        }
    }

    /// Rebuilds the pipeline.
    pub fn rebuild(
        &self,
        profile: Profile,
    ) -> impl Future<Output = Result<Built, UiError>> + Send + 'static {
        self.ask(
            |reply| Command::Rebuild {
                profile: Box::new(profile),
                reply,
            },
            Err(UiError::WorkerGone),
        )
    }

    /// Changes a live setting.
    pub fn update(
        &self,
        id: String,
        key: String,
        value: SettingValue,
    ) -> impl Future<Output = Result<(), UiError>> + Send + 'static {
        self.ask(
            |reply| Command::Update {
                id,
                key,
                value,
                reply,
            },
            Err(UiError::WorkerGone),
        )
    }

    /// Replaces and analyses the source photos.
    pub fn sources(
        &self,
        paths: Vec<PathBuf>,
    ) -> impl Future<Output = Vec<SourceCard>> + Send + 'static {
        self.ask(|reply| Command::Sources { paths, reply }, Vec::new())
    }

    /// Computes a preview.
    pub fn preview(
        &self,
        request: PreviewRequest,
    ) -> impl Future<Output = Result<PreviewImage, UiError>> + Send + 'static {
        self.ask(
            |reply| Command::Preview {
                request: Box::new(request),
                reply,
            },
            Err(UiError::WorkerGone),
        )
    }
}

/// The last decoded target frame, kept so that setting changes do not decode again.
struct CachedFrame {
    key: TargetFrame,
    image: Arc<OwnedImage>,
    timestamp_us: i64,
}

struct WorkerState {
    host: Arc<Host>,
    pipeline: Option<Pipeline>,
    source_paths: Vec<PathBuf>,
    frame: Option<CachedFrame>,
}

impl WorkerState {
    fn new(host: Arc<Host>) -> Self {
        Self {
            host,
            pipeline: None,
            source_paths: Vec::new(),
            frame: None,
        }
    }

    /// Runs until the app drops every handle.
    fn serve(mut self, rx: &mpsc::Receiver<Command>) {
        while let Ok(first) = rx.recv() {
            let mut batch = vec![first];
            batch.extend(rx.try_iter());
            let last_preview = batch
                .iter()
                .rposition(|c| matches!(c, Command::Preview { .. }));
            let last_rebuild = batch
                .iter()
                .rposition(|c| matches!(c, Command::Rebuild { .. }));
            for (i, command) in batch.into_iter().enumerate() {
                match command {
                    Command::Preview { reply, .. } if Some(i) != last_preview => {
                        let _ = reply.send(Err(UiError::Superseded));
                    }
                    Command::Rebuild { reply, .. } if Some(i) != last_rebuild => {
                        let _ = reply.send(Err(UiError::Superseded));
                    }
                    command => self.handle(command),
                }
            }
        }
    }

    fn handle(&mut self, command: Command) {
        // A closed reply means the app no longer waits for the answer: nothing to do.
        match command {
            Command::Rebuild { profile, reply } => {
                let _ = reply.send(self.rebuild(&profile));
            }
            Command::Update {
                id,
                key,
                value,
                reply,
            } => {
                let result = match &mut self.pipeline {
                    Some(p) => p.update_setting(&id, &key, value).map_err(UiError::from),
                    None => Err(UiError::Input(
                        "the pipeline is not running; fix the profile first".into(),
                    )),
                };
                let _ = reply.send(result);
            }
            Command::Sources { paths, reply } => {
                self.source_paths = paths;
                let _ = reply.send(self.analyse_sources());
            }
            Command::Preview { request, reply } => {
                let _ = reply.send(self.preview(&request));
            }
        }
    }

    fn rebuild(&mut self, profile: &Profile) -> Result<Built, UiError> {
        // Free the old models before loading new ones.
        self.pipeline = None;
        let started = Instant::now();
        let pipeline = Pipeline::build(profile, &self.host.plugins, &self.host.services)?;
        tracing::info!(
            "preview pipeline ready in {:.0} ms: {}",
            started.elapsed().as_secs_f64() * 1000.0,
            pipeline.stage_ids().join(" → ")
        );
        let stages = pipeline.stage_ids().iter().map(|s| s.to_string()).collect();
        self.pipeline = Some(pipeline);
        Ok(Built {
            stages,
            sources: self.analyse_sources(),
        })
    }

    fn analyse_sources(&mut self) -> Vec<SourceCard> {
        let paths = self.source_paths.clone();
        paths
            .into_iter()
            .map(|path| {
                let status = match &mut self.pipeline {
                    None => SourceStatus::Pending,
                    Some(p) if !p.has_analyser() => {
                        SourceStatus::Unusable(PipelineError::NoAnalyser.to_string())
                    }
                    Some(p) => match prepare_one(p, &path, SourceRole::SOURCE) {
                        Ok(face) => SourceStatus::Face {
                            thumb: face_thumb(&face.image, &face.face),
                            face: Arc::new(face),
                        },
                        Err(crate::commands::CommandError::Pipeline(e))
                            if matches!(*e, PipelineError::NoSourceFace { .. }) =>
                        {
                            SourceStatus::Unusable("No face found".into())
                        }
                        Err(e) => SourceStatus::Unusable(e.to_string()),
                    },
                };
                SourceCard { path, status }
            })
            .collect()
    }

    fn frame(&mut self, target: &TargetFrame) -> Result<(Arc<OwnedImage>, i64), UiError> {
        if let Some(cached) = self.frame.as_ref().filter(|c| &c.key == target) {
            return Ok((Arc::clone(&cached.image), cached.timestamp_us));
        }
        let (image, timestamp_us) = match target {
            TargetFrame::Image(path) => (load_rgb(path)?, 0),
            TargetFrame::Video { path, frame } => {
                let (image, time, _) = video::extract_frame(
                    path,
                    FramePoint::Frame(*frame),
                    video::Seeking::Keyframe,
                )?;
                (image, time.timestamp_us)
            }
        };
        let image = Arc::new(image);
        self.frame = Some(CachedFrame {
            key: target.clone(),
            image: Arc::clone(&image),
            timestamp_us,
        });
        Ok((image, timestamp_us))
    }

    fn preview(&mut self, request: &PreviewRequest) -> Result<PreviewImage, UiError> {
        let (original, timestamp_us) = self.frame(&request.target)?;
        let Some(pipeline) = &mut self.pipeline else {
            return Err(UiError::Input(
                "the pipeline is not running; fix the profile first".into(),
            ));
        };
        pipeline.set_frame_kind(match request.target {
            TargetFrame::Image(_) => FrameKind::STILL,
            TargetFrame::Video { .. } => FrameKind::VIDEO,
        });
        let started = Instant::now();
        // Index 0 for every preview: the analyser's tracker starts afresh on a frame that
        // does not follow the previous one, so previews never share tracks.
        let mut result = (*original).clone();
        let report = pipeline.process(&mut result, 0, timestamp_us, &request.sources);
        let label = match &request.target {
            TargetFrame::Image(p) => p.display().to_string(),
            TargetFrame::Video { path, frame } => format!("{} frame {frame}", path.display()),
        };
        // A refused picture (the content guard) is not shown at all, original included.
        if let Some((id, error)) = report.refusal() {
            return Err(crate::commands::CommandError::Refused {
                input: label,
                id: id.to_owned(),
                error: error.clone(),
            }
            .into());
        }
        // The faces as the analysing stages found them (boxes in original-frame pixels).
        let found = report.faces.clone();
        let elapsed = started.elapsed();
        let faces = found
            .into_iter()
            .enumerate()
            .map(|(k, face)| PickedFace {
                thumb: face_thumb(&original, &face),
                frame: Arc::clone(&original),
                face,
                label: format!("{label}: face {}", k + 1),
            })
            .collect();
        let notes = report
            .events
            .iter()
            .map(|e| match e {
                StageEvent::Skipped { id, reason } => format!("{id}: skipped: {reason}"),
                StageEvent::Failed { id, error } => format!("{id}: failed: {error}"),
                StageEvent::Disabled { id, error } => format!("{id}: disabled: {error}"),
            })
            .collect();
        Ok(PreviewImage {
            original: rgba_handle(&original),
            result: rgba_handle(&result),
            size: (original.width, original.height),
            faces,
            notes,
            elapsed,
        })
    }
}
