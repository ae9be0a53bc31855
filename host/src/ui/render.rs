//! Rendering the target to a file from the app, on its own thread, with progress and
//! cancel.
//!
//! Where: "Render" in the window starts [`start`]; the app shows the [`RenderEvent`]s it
//! streams (frames, fps, ETA) and sets the cancel flag on "Cancel". The work is the same as
//! `liveswap run`'s: the same output checks (never an input, nothing overwritten unless
//! confirmed), [`crate::media::save_rgb`] for images and the shared video loop
//! ([`crate::commands::stream_video`] over [`crate::video::transcode`]) for videos, which
//! writes under a temporary name and deletes it when cancelled, so a cancelled render
//! leaves no file. The render builds its own pipeline from the profile as validated when
//! it started: the preview keeps working meanwhile (on two cores, more slowly).
//!
//! Cancelling stops after the frame in the processors (a video) or before the file is
//! written (an image).

use super::error::UiError;
use crate::commands::{
    CommandError, Host, StageStats, check_video_target, is_video_target, refusal, stream_video,
};
use crate::media::{check_output_path, load_rgb, save_rgb};
use crate::pipeline::{Pipeline, StageEvent};
use crate::profile::Profile;
use crate::video::{
    EncodeOptions, FrameObserver, FrameTiming, Trim, VideoError, VideoJob, rate_and_eta,
};
use iced::futures::Stream;
use iced::futures::channel::mpsc;
use liveswap_sdk::SourceFace;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How often progress is sent to the window at most.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// What to render.
#[derive(Debug, Clone)]
pub struct RenderJob {
    /// The validated profile (as the preview ran it).
    pub profile: Profile,
    /// Source faces with their roles.
    pub sources: Vec<SourceFace>,
    /// The image or video to process.
    pub target: PathBuf,
    /// Where to write.
    pub output: PathBuf,
    /// Other files the output must not be (source photos, the profile).
    pub inputs: Vec<PathBuf>,
    /// Replace an existing output (the user confirmed).
    pub overwrite: bool,
    /// Draw the visible "AI-GENERATED" mark (the profile's `label = true`).
    pub label: bool,
}

/// Progress of a running render.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenderProgress {
    /// Frames written so far.
    pub done: u64,
    /// Frames expected, when the container says.
    pub total: Option<u64>,
    /// Frames per second so far.
    pub fps: f64,
    /// Seconds left, when the total is known.
    pub eta_s: Option<f64>,
}

/// A finished render.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderDone {
    /// The file written.
    pub output: PathBuf,
    /// Frames written (1 for an image).
    pub frames: u64,
    /// Processor problems, one line each (as `liveswap run` logs them).
    pub notes: Vec<String>,
    /// Wall time.
    pub elapsed: Duration,
}

/// What a render reports.
#[derive(Debug, Clone)]
pub enum RenderEvent {
    /// Frames done.
    Progress(RenderProgress),
    /// The end: the file, or why there is none.
    Finished(Result<RenderDone, UiError>),
}

/// The stage the output checks run first: before any model loads.
pub fn check_output(job: &RenderJob) -> Result<(), UiError> {
    let others: Vec<&Path> = job.inputs.iter().map(PathBuf::as_path).collect();
    if is_video_target(&job.target) {
        // Also fails on an unreadable target before any model loads.
        check_video_target(&job.target, &job.output, &others, job.overwrite)?;
    } else {
        let mut inputs = vec![job.target.as_path()];
        inputs.extend(others);
        check_output_path(&job.output, &inputs, job.overwrite)?;
    }
    Ok(())
}

/// Starts the render on its own thread; the stream ends after [`RenderEvent::Finished`].
pub fn start(
    host: Arc<Host>,
    job: RenderJob,
    cancel: Arc<AtomicBool>,
) -> impl Stream<Item = RenderEvent> + Send + 'static {
    let (tx, rx) = mpsc::unbounded();
    let events = tx.clone();
    let spawned = std::thread::Builder::new()
        .name("liveswap-render".into())
        .spawn(move || {
            let result = render(&host, &job, &cancel, &events);
            let _ = events.unbounded_send(RenderEvent::Finished(result));
        });
    if let Err(e) = spawned {
        let _ = tx.unbounded_send(RenderEvent::Finished(Err(UiError::Input(format!(
            "cannot start the render thread: {e}"
        )))));
    }
    rx
}

fn render(
    host: &Host,
    job: &RenderJob,
    cancel: &AtomicBool,
    events: &mpsc::UnboundedSender<RenderEvent>,
) -> Result<RenderDone, UiError> {
    let started = Instant::now();
    check_output(job)?;
    if is_video_target(&job.target) {
        let mut pipeline = Pipeline::build(&job.profile, &host.plugins, &host.services)?;
        let video_job = VideoJob {
            input: job.target.clone(),
            output: job.output.clone(),
            trim: Trim::default(),
            encode: EncodeOptions::default(),
            audio: true,
            decode_threads: 1,
            ..Default::default()
        };
        let mut observer = ChannelObserver::new(events.clone());
        let (summary, stats) = match stream_video(
            &mut pipeline,
            &job.sources,
            job.label,
            &video_job,
            &mut observer,
            cancel,
        ) {
            Err(CommandError::Video(e)) if matches!(*e, VideoError::Cancelled { .. }) => {
                return Err(UiError::Cancelled);
            }
            other => other?,
        };
        Ok(RenderDone {
            output: job.output.clone(),
            frames: summary.frames,
            notes: video_notes(&stats),
            elapsed: started.elapsed(),
        })
    } else {
        let mut frame = load_rgb(&job.target)?;
        let mut pipeline = Pipeline::build(&job.profile, &host.plugins, &host.services)?;
        let report = pipeline.process(&mut frame, 0, 0, &job.sources);
        if let Some(refused) = refusal(&job.target, &report) {
            return Err(refused.into());
        }
        if cancel.load(Ordering::SeqCst) {
            return Err(UiError::Cancelled);
        }
        if job.label {
            crate::responsible::label::draw_label(&mut frame);
        }
        save_rgb(&frame, &job.output)?;
        let _ = events.unbounded_send(RenderEvent::Progress(RenderProgress {
            done: 1,
            total: Some(1),
            fps: 1.0 / started.elapsed().as_secs_f64().max(1e-3),
            eta_s: Some(0.0),
        }));
        let notes = report
            .events
            .iter()
            .filter_map(|e| match e {
                StageEvent::Skipped { .. } => None,
                StageEvent::Failed { id, error } => Some(format!("{id}: failed: {error}")),
                StageEvent::Disabled { id, error } => Some(format!("{id}: disabled: {error}")),
            })
            .collect();
        Ok(RenderDone {
            output: job.output.clone(),
            frames: 1,
            notes,
            elapsed: started.elapsed(),
        })
    }
}

fn video_notes(stats: &StageStats) -> Vec<String> {
    if stats.problems() == 0 {
        Vec::new()
    } else {
        vec![format!(
            "{} processor problem(s) during the render (see the log)",
            stats.problems()
        )]
    }
}

/// Sends frame progress to the window, at most every [`PROGRESS_INTERVAL`].
struct ChannelObserver {
    events: mpsc::UnboundedSender<RenderEvent>,
    started: Instant,
    total: Option<u64>,
    done: u64,
    last_sent: Option<Instant>,
}

impl ChannelObserver {
    fn new(events: mpsc::UnboundedSender<RenderEvent>) -> Self {
        Self {
            events,
            started: Instant::now(),
            total: None,
            done: 0,
            last_sent: None,
        }
    }

    fn send(&mut self, now: Instant) {
        let (fps, eta_s) = rate_and_eta(self.done, self.total, now - self.started);
        self.last_sent = Some(now);
        let _ = self
            .events
            .unbounded_send(RenderEvent::Progress(RenderProgress {
                done: self.done,
                total: self.total,
                fps,
                eta_s,
            }));
    }
}

impl FrameObserver for ChannelObserver {
    fn started(&mut self, total: Option<u64>) {
        self.total = total;
        self.started = Instant::now();
        self.send(self.started);
    }

    fn frame_done(&mut self, _timing: &FrameTiming) {
        self.done += 1;
        let now = Instant::now();
        if self
            .last_sent
            .is_none_or(|t| now.duration_since(t) >= PROGRESS_INTERVAL)
        {
            self.send(now);
        }
    }

    fn finished(&mut self, _completed: bool) {
        self.send(Instant::now());
    }
}
