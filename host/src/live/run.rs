//! The live loop: capture thread → latest-frame slot → processors (this thread) → sink
//! thread → sinks.
//!
//! ```text
//!  capture thread         calling thread                         sink thread
//!  camera / file   ─1─▶  newest frame: processors, overlay  ─2─▶  record, stream,
//!  decode → RGB  (slot)   settings from the control channel       v4l2, window
//! ```
//!
//! Scheduling on few cores: the capture thread decodes one frame per camera frame (a few
//! ms at 720p), stages that only look at the frame (the content guard) run beside the others
//! on a thread of their own ([`super::beside`]), the processors take what is left, and the sinks run on their own thread
//! behind a 2-frame queue, so encoding frame n overlaps with processing frame n+1. When
//! processing is slower than the camera, the slot drops stale frames instead of queueing
//! them: latency stays near one processing time. When the sinks are slower than processing
//! (a big recording on a busy machine), processing waits for them — every processed frame
//! reaches every sink, so a recording has exactly the processed frames.
//!
//! Ending: `--frames`, `--duration`, the end of a file camera (without `--loop`), `quit` on
//! the control channel or the cancel flag (Ctrl-C) end the run cleanly: sinks are flushed
//! and recordings finalised. A camera that fails or stops delivering frames, or a sink
//! that fails, also ends it after flushing the other sinks; the outcome carries the error.

use super::beside::Beside;
use super::control::{self, Control};
use super::error::LiveError;
use super::overlay::{draw_blocked, draw_fps};
use super::sink::{OpenSink, SinkFormat, SinkSpec};
use super::stats::{LiveStats, StatsCollector};
use super::warm::warm_up_frame;
use super::window::WindowFrame;
use crate::capture::{CameraSpec, Capture, CaptureEnd, CaptureRequest, Taken};
use crate::pipeline::{FrameReport, Pipeline, StageEvent};
use crate::plugins::PluginSet;
use crate::responsible::{guard::blank_if_refused, label::draw_label};
use crate::video::EncodeOptions;
use liveswap_sdk::{FrameKind, OwnedImage, SourceFace};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

/// Frames queued between processing and the sink thread.
pub const SINK_QUEUE_FRAMES: usize = 2;

/// A camera that delivers nothing for this long is treated as lost.
pub const CAMERA_TIMEOUT: Duration = Duration::from_secs(5);

/// Everything a live run needs besides the pipeline.
#[derive(Debug, Clone)]
pub struct LiveConfig {
    /// What to capture.
    pub camera: CameraSpec,
    /// Capture size and rate wishes.
    pub request: CaptureRequest,
    /// Flip left-right before processing.
    pub mirror: bool,
    /// Where frames go (at least one).
    pub sinks: Vec<SinkSpec>,
    /// Stop after this many processed frames.
    pub frames: Option<u64>,
    /// Stop after this much time from the first frame.
    pub duration: Option<Duration>,
    /// Draw fps and latency on the output.
    pub show_fps: bool,
    /// Encoding for `record:` and `stream:` sinks.
    pub encode: EncodeOptions,
    /// Draw the visible "AI-GENERATED" mark on every frame.
    pub label: bool,
    /// Analyse frame n+1 while the rest of the pipeline works on frame n, on a second
    /// thread (when the pipeline starts with analysis stages that leave the frame alone).
    pub overlap: bool,
}

/// How a live run ended.
#[derive(Debug)]
pub struct LiveOutcome {
    /// The numbers.
    pub stats: LiveStats,
    /// One line per sink (frames written, encoder).
    pub sinks: Vec<String>,
    /// Frames on which some processor failed, by processor id.
    pub failures: BTreeMap<String, u64>,
    /// Set when the run ended because something broke (camera lost, sink failed).
    pub error: Option<LiveError>,
}

struct SinkFrame {
    image: OwnedImage,
    captured: Instant,
    timestamp_us: i64,
}

struct SinkReport {
    latencies_ms: Vec<f64>,
    busy: Duration,
    lines: Vec<String>,
    error: Option<LiveError>,
}

/// The sink thread: opens every sink (reporting the result), then hands frames to them
/// until the channel closes; a failing sink ends the loop and the others are finished.
fn sink_thread(
    specs: Vec<SinkSpec>,
    format: SinkFormat,
    encode: EncodeOptions,
    window: Option<SyncSender<WindowFrame>>,
    opened: SyncSender<Result<(), LiveError>>,
    frames: Receiver<SinkFrame>,
    last_latency_us: Arc<AtomicU64>,
) -> SinkReport {
    let mut sinks = Vec::new();
    for spec in &specs {
        match OpenSink::open(spec, format, &encode, window.clone()) {
            Ok(s) => sinks.push(s),
            Err(e) => {
                // Close the ones already open (a recording's header is written; finishing
                // leaves a valid empty file rather than a broken one).
                for s in sinks {
                    let _ = s.finish();
                }
                let _ = opened.send(Err(e));
                return SinkReport {
                    latencies_ms: Vec::new(),
                    busy: Duration::ZERO,
                    lines: Vec::new(),
                    error: None,
                };
            }
        }
    }
    drop(window);
    let _ = opened.send(Ok(()));
    let mut report = SinkReport {
        latencies_ms: Vec::new(),
        busy: Duration::ZERO,
        lines: Vec::new(),
        error: None,
    };
    'frames: while let Ok(frame) = frames.recv() {
        let latency = frame.captured.elapsed();
        last_latency_us.store(latency.as_micros() as u64, Ordering::Relaxed);
        report.latencies_ms.push(latency.as_secs_f64() * 1000.0);
        let t = Instant::now();
        for (k, sink) in sinks.iter_mut().enumerate() {
            let latency_ms = latency.as_secs_f64() * 1000.0;
            if let Err(reason) = sink.send(&frame.image, frame.timestamp_us, latency_ms) {
                report.error = Some(LiveError::SinkFailed {
                    sink: sink.label(),
                    reason,
                });
                let failed = sinks.remove(k);
                drop(failed);
                break 'frames;
            }
        }
        report.busy += t.elapsed();
    }
    drop(frames);
    for sink in sinks {
        let label = sink.label();
        match sink.finish() {
            Ok(line) => report.lines.push(line),
            Err(reason) => {
                report.lines.push(format!("{label}: {reason}"));
                report.error.get_or_insert(LiveError::SinkFailed {
                    sink: label,
                    reason,
                });
            }
        }
    }
    report
}

/// Recent processed fps for the overlay: frames over the last second of capture times.
#[derive(Debug, Default)]
struct RateMeter {
    times: std::collections::VecDeque<Instant>,
}

impl RateMeter {
    fn tick(&mut self, at: Instant) -> f64 {
        self.times.push_back(at);
        while self
            .times
            .front()
            .is_some_and(|t| at.duration_since(*t) > Duration::from_secs(1))
        {
            self.times.pop_front();
        }
        match (self.times.front(), self.times.len()) {
            (Some(first), n) if n > 1 => {
                let span = at.duration_since(*first).as_secs_f64();
                if span > 0.0 {
                    (n - 1) as f64 / span
                } else {
                    0.0
                }
            }
            _ => 0.0,
        }
    }
}

/// One processed frame on its way to the sinks.
struct Done {
    image: OwnedImage,
    report: FrameReport,
    captured: Instant,
    timestamp_us: i64,
    index: u64,
}

/// What happens to every processed frame, in order: blanking if refused, counting, the
/// overlays, then the sink queue. Owns the run's counters.
struct Delivery<'a> {
    stats: StatsCollector,
    failures: BTreeMap<String, u64>,
    rate: RateMeter,
    /// The refusal blanking the output now, if any (logged when it starts and ends).
    blocked: Option<String>,
    show_fps: bool,
    label: bool,
    last_latency_us: &'a AtomicU64,
    frames_tx: &'a SyncSender<SinkFrame>,
}

impl Delivery<'_> {
    /// Hands one frame on; `Err` when the sink thread is gone.
    fn deliver(&mut self, done: Done) -> Result<(), ()> {
        let Done {
            mut image,
            report,
            captured,
            timestamp_us,
            ..
        } = done;
        let stats = &mut self.stats;
        let refusal = blank_if_refused(&mut image, &report);
        match (&refusal, &self.blocked) {
            (Some(why), None) => tracing::warn!(
                "live output blanked from frame {} on: {why}",
                stats.processed
            ),
            (None, Some(_)) => tracing::warn!(
                "live output restored at frame {}: the frames are clean again",
                stats.processed
            ),
            _ => {}
        }
        if refusal.is_some() {
            stats.blocked += 1;
            draw_blocked(&mut image);
        }
        self.blocked = refusal;
        let refused_by = report.refusal().map(|(id, _)| id.to_owned());
        if tracing::enabled!(tracing::Level::TRACE) {
            // One line a frame (-vvv): where a slow frame's time went.
            let stages: Vec<String> = report
                .timings
                .iter()
                .map(|t| format!("{} {:.1}", t.id, t.elapsed.as_secs_f64() * 1000.0))
                .collect();
            tracing::trace!(
                "frame {}: {:.1} ms since capture; ms: {}",
                stats.processed,
                captured.elapsed().as_secs_f64() * 1000.0,
                stages.join(", ")
            );
        }
        for t in report.timings {
            *stats.stage_time.entry(t.id).or_default() += t.elapsed;
        }
        for event in report.events {
            // A refusal is the policy working, not a processor fault.
            if let StageEvent::Failed { id, .. } = &event
                && refused_by.as_deref() == Some(id.as_str())
            {
                continue;
            }
            match event {
                StageEvent::Failed { id, error } | StageEvent::Disabled { id, error } => {
                    let n = self.failures.entry(id.clone()).or_default();
                    if *n == 0 {
                        tracing::error!(
                            "{id}: failed on frame {} (the frame goes out as it was before {id}; further failures are counted): {error}",
                            stats.processed
                        );
                    }
                    *n += 1;
                }
                StageEvent::Skipped { .. } => {}
            }
        }
        let fps_now = self.rate.tick(captured);
        if self.show_fps {
            let t = Instant::now();
            let latency_ms = self.last_latency_us.load(Ordering::Relaxed) as f64 / 1000.0;
            draw_fps(&mut image, fps_now, latency_ms);
            stats.host("overlay", t.elapsed());
        }
        if self.label {
            draw_label(&mut image);
        }
        self.frames_tx
            .send(SinkFrame {
                image,
                captured,
                timestamp_us,
            })
            .map_err(|_| ())?;
        stats.processed(timestamp_us);
        Ok(())
    }
}

/// Runs the live loop until it ends (see the module docs). Capture and every sink are
/// opened before the first frame is taken; failures there are errors. Failures after
/// that end the run cleanly and are in [`LiveOutcome::error`].
#[allow(
    clippy::too_many_arguments,
    reason = "the pipeline, its inputs and the run's controls are separate owners"
)]
pub fn run_live(
    config: &LiveConfig,
    pipeline: &mut Pipeline,
    plugins: &PluginSet,
    sources: &[SourceFace],
    controls: Option<Receiver<String>>,
    cancel: &AtomicBool,
    window: Option<SyncSender<WindowFrame>>,
    on_open: &mut dyn FnMut(&str),
) -> Result<LiveOutcome, LiveError> {
    let wall = Instant::now();
    let capture = Capture::open(&config.camera, config.request, config.mirror)?;
    let info = capture.info().clone();
    on_open(&info.label);
    let format = SinkFormat {
        width: info.width,
        height: info.height,
        fps: info.fps,
    };
    let (opened_tx, opened_rx) = sync_channel(1);
    let (frames_tx, frames_rx) = sync_channel::<SinkFrame>(SINK_QUEUE_FRAMES);
    let last_latency_us = Arc::new(AtomicU64::new(0));
    let sink_latency = Arc::clone(&last_latency_us);
    let specs = config.sinks.clone();
    let encode = config.encode.clone();
    let sinks = std::thread::Builder::new()
        .name("liveswap-sinks".into())
        .spawn(move || {
            sink_thread(
                specs,
                format,
                encode,
                window,
                opened_tx,
                frames_rx,
                sink_latency,
            )
        })
        .map_err(|e| LiveError::SinkOpen {
            sink: "sinks".into(),
            reason: e.to_string(),
        })?;
    let opened = opened_rx.recv().unwrap_or_else(|_| {
        Err(LiveError::SinkOpen {
            sink: "sinks".into(),
            reason: "the sink thread ended while opening".into(),
        })
    });
    if let Err(e) = opened {
        let _ = sinks.join();
        return Err(e);
    }

    // Live frames: the content guard samples them by capture time.
    pipeline.set_frame_kind(FrameKind::LIVE);
    // The first frame with a face costs tens of ms more than later ones (see `warm`): pay
    // that before the camera runs, with every stage in order (before any split).
    let t = Instant::now();
    pipeline.warm_up(&warm_up_frame(info.width, info.height, sources), sources);
    tracing::debug!("warm-up: {:.1} ms", t.elapsed().as_secs_f64() * 1000.0);
    // Stages that only look at the frame (the content guard) run beside the others.
    let checks = pipeline.split_checks();
    if let Some(c) = &checks {
        tracing::debug!(
            "{} beside {}",
            c.stage_ids().join(" → "),
            pipeline.stage_ids().join(" → ")
        );
    }
    let checks = checks.map(std::sync::Mutex::new);
    // Analysis of frame n+1 overlaps the rest of frame n (on its own thread) when the
    // pipeline has a pure-analysis front and `overlap` is on.
    let back = if config.overlap {
        pipeline.split_analysis()
    } else {
        None
    };
    match &back {
        Some(b) => tracing::warn!(
            "overlapping: {} on this thread, {} on a second one",
            pipeline.stage_ids().join(" → "),
            b.stage_ids().join(" → ")
        ),
        None if config.overlap => tracing::warn!(
            "--overlap: nothing to overlap (the pipeline needs analysis stages that leave the frame alone, then others)"
        ),
        None => {}
    }
    let back = back.map(std::sync::Mutex::new);
    capture.start();
    let slot = Arc::clone(capture.slot());
    let mut out = Delivery {
        stats: StatsCollector::default(),
        failures: BTreeMap::new(),
        rate: RateMeter::default(),
        blocked: None,
        show_fps: config.show_fps,
        label: config.label,
        last_latency_us: &last_latency_us,
        frames_tx: &frames_tx,
    };
    let mut clock0: Option<Instant> = None;
    let mut error: Option<LiveError> = None;
    let mut last_frame_at = Instant::now();
    let mut controls = controls;
    let ended: String = std::thread::scope(|scope| {
        let mut beside = checks
            .as_ref()
            .map(|checks| Beside::spawn(scope, checks, sources));
        let (job_tx, job_rx) = sync_channel::<Done>(1);
        let (done_tx, done_rx) = sync_channel::<Done>(1);
        let worker = back.as_ref().map(|back| {
            scope.spawn(move || {
                for mut job in job_rx {
                    if job.report.refusal().is_none() {
                        let mut back = back.lock().unwrap_or_else(PoisonError::into_inner);
                        let faces = std::mem::take(&mut job.report.faces);
                        let rest = back.process_with_faces(
                            &mut job.image,
                            faces,
                            job.index,
                            job.timestamp_us,
                            sources,
                        );
                        job.report.faces = rest.faces;
                        job.report.events.extend(rest.events);
                        job.report.timings.extend(rest.timings);
                    }
                    if done_tx.send(job).is_err() {
                        break;
                    }
                }
            })
        });
        let job_tx = worker.is_some().then_some(job_tx);
        // A frame handed to the worker and not delivered yet.
        let mut in_flight = false;
        let mut submitted: u64 = 0;
        let ended: String = loop {
            if cancel.load(Ordering::Relaxed) {
                break "interrupted".into();
            }
            if config.frames.is_some_and(|n| submitted >= n) {
                break "frames".into();
            }
            if let (Some(limit), Some(t0)) = (config.duration, clock0)
                && t0.elapsed() >= limit
            {
                break "duration".into();
            }
            if let Some(rx) = &controls {
                let mut quit = false;
                loop {
                    match rx.try_recv() {
                        Ok(line) => match control::parse_line(&line) {
                            Ok(Some(Control::Set {
                                processor,
                                key,
                                value,
                            })) => {
                                let part = [checks.as_ref(), back.as_ref()]
                                    .into_iter()
                                    .flatten()
                                    .map(|p| p.lock().unwrap_or_else(PoisonError::into_inner))
                                    .find(|p| p.has_stage(&processor));
                                let applied = match part {
                                    Some(mut p) => {
                                        control::apply(&mut p, plugins, &processor, &key, &value)
                                    }
                                    None => {
                                        control::apply(pipeline, plugins, &processor, &key, &value)
                                    }
                                };
                                match applied {
                                    Ok(done) => tracing::warn!("{done} (from frame {submitted})"),
                                    Err(e) => tracing::error!("{e}"),
                                }
                            }
                            Ok(Some(Control::Quit)) => quit = true,
                            Ok(None) => {}
                            Err(e) => tracing::error!("{e}"),
                        },
                        Err(TryRecvError::Empty) => break,
                        Err(TryRecvError::Disconnected) => {
                            controls = None;
                            break;
                        }
                    }
                }
                if quit {
                    break "quit".into();
                }
            }
            let waited = Instant::now();
            let frame = match slot.take(Duration::from_millis(100)) {
                Taken::Frame(f) => f,
                Taken::Timeout => {
                    out.stats.host("wait", waited.elapsed());
                    if last_frame_at.elapsed() > CAMERA_TIMEOUT {
                        error = Some(LiveError::CameraLost(format!(
                            "no frame for {} s",
                            CAMERA_TIMEOUT.as_secs()
                        )));
                        break "camera lost".into();
                    }
                    continue;
                }
                Taken::Closed(CaptureEnd::Finished) => break "end of file".into(),
                Taken::Closed(CaptureEnd::Stopped) => break "stopped".into(),
                Taken::Closed(CaptureEnd::Failed(reason)) => {
                    error = Some(LiveError::CameraLost(reason));
                    break "camera lost".into();
                }
            };
            out.stats.host("wait", waited.elapsed());
            last_frame_at = Instant::now();
            let t0 = *clock0.get_or_insert(frame.captured);
            let timestamp_us = frame.captured.saturating_duration_since(t0).as_micros() as i64;
            let mut image = frame.image;
            let report = match beside.as_mut() {
                Some(b) => b.process(&mut image, submitted, timestamp_us, |image| {
                    pipeline.process(image, submitted, timestamp_us, sources)
                }),
                None => pipeline.process(&mut image, submitted, timestamp_us, sources),
            };
            let done = Done {
                image,
                report,
                captured: frame.captured,
                timestamp_us,
                index: submitted,
            };
            submitted += 1;
            let ready = match &job_tx {
                None => Some(done),
                Some(tx) => {
                    let previous = if in_flight {
                        in_flight = false;
                        done_rx.recv().ok()
                    } else {
                        None
                    };
                    if tx.send(done).is_ok() {
                        in_flight = true;
                    }
                    previous
                }
            };
            if let Some(done) = ready
                && out.deliver(done).is_err()
            {
                break "sink failed".into();
            }
        };
        drop(job_tx);
        if in_flight && let Ok(done) = done_rx.recv() {
            // The last frame handed on still reaches the sinks (a recording has every
            // processed frame).
            let _ = out.deliver(done);
        }
        ended
    });
    if let Some(back) = back {
        pipeline.rejoin(back.into_inner().unwrap_or_else(PoisonError::into_inner));
    }
    if let Some(checks) = checks {
        pipeline.rejoin_front(checks.into_inner().unwrap_or_else(PoisonError::into_inner));
    }
    let Delivery {
        mut stats,
        failures,
        ..
    } = out;
    let counts = capture.stop();
    drop(frames_tx);
    let report = sinks.join().unwrap_or_else(|_| SinkReport {
        latencies_ms: Vec::new(),
        busy: Duration::ZERO,
        lines: Vec::new(),
        error: Some(LiveError::SinkFailed {
            sink: "sinks".into(),
            reason: "the sink thread panicked".into(),
        }),
    });
    stats.latencies_ms = report.latencies_ms;
    stats.host("sinks", report.busy);
    let error = error.or(report.error);
    let ended = match &error {
        Some(e) => format!("{ended}: {e}"),
        None => ended,
    };
    let stats = stats.finish(
        info.label,
        (info.width, info.height),
        counts.captured,
        counts.dropped,
        wall.elapsed(),
        ended,
    );
    Ok(LiveOutcome {
        stats,
        sinks: report.lines,
        failures,
        error,
    })
}
