//! Checks beside the pipeline: in live mode the leading stages that only look at a frame (the
//! content guard; [`Pipeline::split_checks`]) run on a thread of their own, on a copy of the
//! frame, while the rest of the pipeline processes the frame itself.
//!
//! ```text
//!  frame n ──copy──▶ checks thread: content_guard ──────────┐
//!     └────────────▶ this thread:   face_analyser → swapper ─┴─▶ one report ─▶ delivery
//! ```
//!
//! Why: the guard classifies the first frame and then one frame a second (open_nsfw, about
//! 20 ms on a 2-core CPU). In line, that made the first frame and every sampled one late
//! enough to drop a camera frame; beside the rest it costs the frame almost nothing.
//!
//! What stays exact: the frame is delivered only after both sides are done, and the checks'
//! events come first in the merged report, so a refusal blanks exactly the frame the guard
//! refused, as in line. The rest of the pipeline also runs on a refused frame (its result is
//! replaced by the blank frame; only the work is lost). The copy reuses one buffer.

use crate::pipeline::{FrameReport, Pipeline};
use liveswap_sdk::{OwnedImage, SourceFace};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Mutex, PoisonError};
use std::thread::Scope;

struct Job {
    image: OwnedImage,
    index: u64,
    timestamp_us: i64,
}

/// The checks thread of one live run.
pub struct Beside<'a> {
    checks: &'a Mutex<Pipeline>,
    sources: &'a [SourceFace],
    jobs: Option<SyncSender<Job>>,
    reports: Receiver<(FrameReport, OwnedImage)>,
    /// The last copy, handed back for reuse.
    spare: Option<OwnedImage>,
}

impl<'a> Beside<'a> {
    /// Starts the checks thread in `scope` over `checks`.
    pub fn spawn<'env>(
        scope: &'a Scope<'a, 'env>,
        checks: &'a Mutex<Pipeline>,
        sources: &'a [SourceFace],
    ) -> Self {
        let (jobs, job_rx) = sync_channel::<Job>(1);
        let (report_tx, reports) = sync_channel(1);
        let spawned = std::thread::Builder::new()
            .name("liveswap-checks".into())
            .spawn_scoped(scope, move || {
                for mut job in job_rx {
                    let report = checks
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .process(&mut job.image, job.index, job.timestamp_us, sources);
                    if report_tx.send((report, job.image)).is_err() {
                        break;
                    }
                }
            });
        if let Err(e) = &spawned {
            tracing::warn!("the checks run in line with the other processors: {e}");
        }
        Self {
            checks,
            sources,
            jobs: spawned.ok().map(|_| jobs),
            reports,
            spare: None,
        }
    }

    /// Processes frame `index` of `image` with `rest` (the pipeline after the checks) on this
    /// thread while the checks look at a copy; returns one report, the checks' part first.
    /// Without the thread (it could not start or has gone), the checks run here first.
    pub fn process(
        &mut self,
        image: &mut OwnedImage,
        index: u64,
        timestamp_us: i64,
        rest: impl FnOnce(&mut OwnedImage) -> FrameReport,
    ) -> FrameReport {
        let mut copy = self.spare.take().unwrap_or_else(|| OwnedImage {
            data: Default::default(),
            width: 0,
            height: 0,
        });
        copy.data.clear();
        // One memcpy (RVec::extend_from_slice would push byte by byte).
        copy.data.extend_from_copy_slice(image.data.as_slice());
        (copy.width, copy.height) = (image.width, image.height);
        let job = Job {
            image: copy,
            index,
            timestamp_us,
        };
        let sent = match &self.jobs {
            Some(tx) => tx.send(job).is_ok(),
            None => false,
        };
        let (checks, rest) = if sent {
            let rest = rest(image);
            match self.reports.recv() {
                Ok((checks, copy)) => {
                    self.spare = Some(copy);
                    (checks, rest)
                }
                Err(_) => {
                    // The thread is gone after taking the frame (and its copy): check the
                    // processed frame here rather than not at all.
                    self.jobs = None;
                    (self.in_line(image, index, timestamp_us), rest)
                }
            }
        } else {
            self.jobs = None;
            let checks = self.in_line(image, index, timestamp_us);
            (checks, rest(image))
        };
        merge(checks, rest)
    }

    fn in_line(&self, image: &mut OwnedImage, index: u64, timestamp_us: i64) -> FrameReport {
        self.checks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .process(image, index, timestamp_us, self.sources)
    }
}

/// One frame's report from the checks' and the rest's: the rest's faces, the checks' events
/// and timings first (so a refusal is found where an in-line run would put it).
pub fn merge(checks: FrameReport, rest: FrameReport) -> FrameReport {
    let mut out = checks;
    out.faces = rest.faces;
    out.events.extend(rest.events);
    out.timings.extend(rest.timings);
    out
}
