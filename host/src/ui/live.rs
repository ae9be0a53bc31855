//! Live mode in the app: "Start" runs the CLI's live loop ([`crate::live::run_live`]) on a
//! thread of its own, with the `window` sink feeding the preview and the sinks the user
//! switched on (recording, stream, virtual camera) beside it; "Stop" sets the loop's cancel
//! flag, which flushes the sinks and finalises a recording exactly as Ctrl-C does on the CLI.
//!
//! Where: started from [`super::state`] as a [`iced::Task`] stream, like a render. The live
//! loop builds its own pipeline from the profile as validated when Start was pressed; live
//! setting changes reach it as the same `set ID.KEY=VALUE` lines the CLI reads on standard
//! input ([`LiveHandle::set`]), so the app and the CLI share one control path.
//!
//! Frames for the window pass through a one-frame channel: a frame the window has not taken
//! yet is replaced, never queued, so the picture stays current when drawing is slow.

use super::error::UiError;
use crate::capture::{CameraSpec, CaptureRequest};
use crate::commands::Host;
use crate::live::window::WindowFrame;
use crate::live::{LiveConfig, LiveError, SinkSpec, run_live};
use crate::pipeline::Pipeline;
use crate::profile::Profile;
use crate::video::EncodeOptions;
use iced::futures::Stream;
use iced::futures::channel::mpsc;
use liveswap_sdk::SourceFace;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// What a live run needs from the window.
#[derive(Debug, Clone)]
pub struct LiveJob {
    /// The validated profile (as the preview runs it).
    pub profile: Profile,
    /// Source faces with their roles.
    pub sources: Vec<SourceFace>,
    /// The camera as `--camera` takes it: an index, part of a name, a device path, or
    /// `file:PATH` (a video played as a camera, looped).
    pub camera: String,
    /// Flip left-right before processing.
    pub mirror: bool,
    /// Sinks besides the window, as `--output` takes them (`record:F`, `stream:URL`,
    /// `v4l2:/dev/videoN`).
    pub sinks: Vec<String>,
    /// Draw the visible "AI-GENERATED" mark.
    pub label: bool,
}

/// What a live run reports.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    /// A processed frame for the window.
    Frame {
        /// RGBA pixels for iced's image widget.
        image: iced::widget::image::Handle,
        /// Its size.
        size: (u32, u32),
        /// When it reached the window's channel.
        at: Instant,
        /// Its capture → sink latency, ms.
        latency_ms: f64,
    },
    /// The run ended: its numbers (the CLI's summary line), or why it failed.
    Ended(Result<String, UiError>),
}

/// Controls of a running live session.
#[derive(Debug, Clone)]
pub struct LiveHandle {
    cancel: Arc<AtomicBool>,
    controls: std::sync::mpsc::Sender<String>,
}

impl LiveHandle {
    /// Asks the loop to stop (it finishes the frame in hand and flushes the sinks).
    pub fn stop(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    /// Sends a live setting change, applied between two frames.
    pub fn set(&self, id: &str, key: &str, value: &str) {
        let _ = self.controls.send(format!("set {id}.{key}={value}"));
    }
}

/// Checks the camera and sink texts before anything starts (the CLI's first checks).
///
/// # Errors
/// A camera or sink text the CLI would refuse, with its reason.
pub fn check(job: &LiveJob) -> Result<(CameraSpec, Vec<SinkSpec>), UiError> {
    let camera = CameraSpec::parse(&job.camera, true).map_err(|e| live_error(e.into()))?;
    let mut sinks = vec![SinkSpec::Window];
    for text in &job.sinks {
        let sink = SinkSpec::parse(text).map_err(live_error)?;
        sink.precheck(&[], false).map_err(live_error)?;
        sinks.push(sink);
    }
    Ok((camera, sinks))
}

fn live_error(e: LiveError) -> UiError {
    UiError::from(crate::commands::CommandError::from(e))
}

/// Starts the live loop on its own thread; the stream ends after [`LiveEvent::Ended`].
pub fn start(
    host: Arc<Host>,
    job: LiveJob,
) -> (LiveHandle, impl Stream<Item = LiveEvent> + Send + 'static) {
    let (tx, rx) = mpsc::unbounded();
    let cancel = Arc::new(AtomicBool::new(false));
    let (controls_tx, controls_rx) = std::sync::mpsc::channel();
    let handle = LiveHandle {
        cancel: Arc::clone(&cancel),
        controls: controls_tx,
    };
    let events = tx.clone();
    let spawned = std::thread::Builder::new()
        .name("liveswap-live".into())
        .spawn(move || {
            let result = run(&host, &job, &cancel, controls_rx, &events);
            let _ = events.unbounded_send(LiveEvent::Ended(result));
        });
    if let Err(e) = spawned {
        let _ = tx.unbounded_send(LiveEvent::Ended(Err(UiError::Input(format!(
            "cannot start live mode: {e}"
        )))));
    }
    (handle, rx)
}

fn run(
    host: &Host,
    job: &LiveJob,
    cancel: &AtomicBool,
    controls: std::sync::mpsc::Receiver<String>,
    events: &mpsc::UnboundedSender<LiveEvent>,
) -> Result<String, UiError> {
    let (camera, sinks) = check(job)?;
    let mut pipeline = Pipeline::build(&job.profile, &host.plugins, &host.services)?;
    // One frame in flight to the window; the forwarder turns it into an image handle.
    let (window_tx, window_rx) = std::sync::mpsc::sync_channel::<WindowFrame>(1);
    let forward = events.clone();
    let forwarder = std::thread::Builder::new()
        .name("liveswap-live-window".into())
        .spawn(move || {
            for frame in window_rx {
                let size = (frame.width, frame.height);
                let latency_ms = frame.latency_ms;
                let image =
                    iced::widget::image::Handle::from_rgba(frame.width, frame.height, frame.rgba);
                let sent = forward.unbounded_send(LiveEvent::Frame {
                    image,
                    size,
                    at: Instant::now(),
                    latency_ms,
                });
                if sent.is_err() {
                    break;
                }
            }
        })
        .map_err(|e| UiError::Input(format!("cannot start live mode: {e}")))?;
    let config = LiveConfig {
        camera,
        request: CaptureRequest::default(),
        mirror: job.mirror,
        sinks,
        frames: None,
        duration: None,
        show_fps: false,
        encode: EncodeOptions::default(),
        label: job.label,
        overlap: false,
    };
    let outcome = run_live(
        &config,
        &mut pipeline,
        &host.plugins,
        &job.sources,
        Some(controls),
        cancel,
        Some(window_tx),
        &mut |label| tracing::info!("live (app): {label}"),
    );
    let _ = forwarder.join();
    let outcome = outcome.map_err(live_error)?;
    match outcome.error {
        Some(e) => Err(live_error(e)),
        None => Ok(format!("{}", outcome.stats)),
    }
}
