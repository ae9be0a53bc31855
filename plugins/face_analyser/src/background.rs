//! The periodic whole-frame search on a helper thread (`search_in_background`).
//!
//! Where: the analyser's per-frame work in live mode, on the frames where a whole-frame search
//! is due (`detect_full_every`) while every tracked face is being followed by its landmarks
//! ([`crate::follow`]). Why: on a 2-core CPU the search (SCRFD at 640, 20–35 ms) and the
//! identity refresh (ArcFace, ~15 ms a face) made every 10th frame two to three times as slow
//! as the others, which is what dropped camera frames; the followed faces do not need the
//! search to be drawn, only to be checked now and then.
//!
//! How: the frame is copied and handed to a helper thread, and the analyser goes on following
//! (a frame's processing never waits for the helper). The helper searches the copy, pairs what
//! it finds with the faces followed on that frame (box overlap), and computes the paired
//! faces' identity embeddings from the detected keypoints. A frame or two later the analyser
//! picks the [`SearchReport`] up:
//! - every followed face found, nothing else found: the detected box and keypoints, carried
//!   to the current frame by the landmarks' motion since the copied frame, replace the
//!   followed ones (so following never drifts for longer than one search period), and the
//!   embeddings replace the tracks' ones;
//! - a face found that nobody followed (someone came in), or a followed face not found: the
//!   analyser searches the current frame on its own thread right away, exactly as without
//!   this setting — such frames are slow, but they are rare.
//!
//! Identities: on stream frames the analyser never runs the recognizer itself with this
//! setting. The faces a search on its own thread finds (the first frame, a newcomer) get their
//! embeddings from the helper a frame or two later (an embedding-only job), and tracked faces
//! keep theirs until a background search refreshes them. Until then such a face has no
//! embedding: reference and map selection pick it up a frame or two late; `one` and `many`
//! do not use embeddings.
//!
//! One search is in flight at most; a search that is due while the helper is busy waits for
//! the next frame. A helper that fails or panics is reported once, and the analyser goes back
//! to searching on its own thread.
//!
//! Coordinates: image pixels, x = column, y = row; boxes are `[x0, y0, x1, y1]`.

use crate::detect::{Detector, keep_largest_central};
use crate::recognize::Recognizer;
use liveswap_sdk::{Embedding, Point, SdkError, SdkResult};
use liveswap_vision::nms::iou;
use liveswap_vision::pairs::{Rank, greedy_pairs};
use liveswap_vision::{Image, ImageView};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

/// A detector or recognizer shared by the processing thread and the helper.
pub type Shared<T> = Arc<Mutex<T>>;

/// Locks a shared model; a helper that panicked while holding it leaves it usable (the
/// models keep no state between calls but their input buffers).
pub fn lock<T>(shared: &Shared<T>) -> std::sync::MutexGuard<'_, T> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Smallest overlap between a followed box and a detection that counts as the same face.
pub const SAME_FACE_IOU: f32 = 0.3;

/// A face as it was followed on the copied frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Followed {
    /// Its track.
    pub track_id: u64,
    /// Its box on the copied frame.
    pub bbox: [f32; 4],
    /// Its keypoints on the copied frame.
    pub kps: [Point; 5],
    /// Its 106 landmarks on the copied frame.
    pub landmarks: Vec<Point>,
}

/// One search for the helper.
pub struct SearchJob {
    /// A copy of the frame (RGB).
    pub frame: Image,
    /// The frame's index.
    pub index: u64,
    /// The faces followed on it.
    pub followed: Vec<Followed>,
    /// Search the frame; `false`: only compute the followed faces' embeddings from their
    /// own keypoints (faces a search on the processing thread just found).
    pub detect: bool,
    /// Detection score threshold.
    pub threshold: f32,
    /// NMS overlap threshold.
    pub nms: f32,
    /// Face limit (0 = all), as for a search on the processing thread.
    pub max_faces: usize,
}

/// A followed face the search found.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Its track.
    pub track_id: u64,
    /// The detected box on the copied frame.
    pub bbox: [f32; 4],
    /// The detected keypoints on the copied frame.
    pub kps: [Point; 5],
    /// Its landmarks on the copied frame (as followed): carry the detection to a later frame.
    pub landmarks: Vec<Point>,
    /// Its identity from the detected keypoints (with a recognizer).
    pub embedding: Option<Embedding>,
}

/// What a search found on the copied frame.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchReport {
    /// The copied frame's index.
    pub index: u64,
    /// Whether the frame was searched (otherwise only embeddings were computed).
    pub searched: bool,
    /// The followed faces that were found.
    pub found: Vec<Found>,
    /// Faces found that no followed face accounts for.
    pub new_faces: usize,
    /// Tracks followed on the copied frame that the search did not find.
    pub missing: Vec<u64>,
}

impl SearchReport {
    /// Whether the search agrees with the following: every followed face found, no other.
    pub fn agrees(&self) -> bool {
        self.new_faces == 0 && self.missing.is_empty()
    }
}

/// The search itself (the helper's work; also callable directly).
pub fn search(
    job: &SearchJob,
    detector: &Shared<Detector>,
    recognizer: Option<&Shared<Recognizer>>,
) -> SdkResult<SearchReport> {
    let view: ImageView<'_> = job.frame.view();
    if !job.detect {
        let mut found: Vec<Found> = job
            .followed
            .iter()
            .map(|f| Found {
                track_id: f.track_id,
                bbox: f.bbox,
                kps: f.kps,
                landmarks: f.landmarks.clone(),
                embedding: None,
            })
            .collect();
        embed(&mut found, view, recognizer)?;
        return Ok(SearchReport {
            index: job.index,
            searched: false,
            found,
            new_faces: 0,
            missing: Vec::new(),
        });
    }
    let found = lock(detector).detect(view, job.threshold, job.nms)?;
    let dets: Vec<([f32; 4], [Point; 5])> =
        keep_largest_central(found, job.max_faces, view.width, view.height)
            .into_iter()
            .filter_map(|d| d.kps.map(|kps| (d.bbox, kps)))
            .collect();
    let Paired {
        mut found,
        new_faces,
        missing,
    } = pair(&job.followed, &dets);
    embed(&mut found, view, recognizer)?;
    Ok(SearchReport {
        index: job.index,
        searched: true,
        found,
        new_faces,
        missing,
    })
}

/// What [`pair`] made of a search.
#[derive(Debug, Clone, PartialEq)]
pub struct Paired {
    /// The followed faces found (embeddings not yet computed).
    pub found: Vec<Found>,
    /// Detections no followed face accounts for.
    pub new_faces: usize,
    /// Followed tracks without a detection.
    pub missing: Vec<u64>,
}

/// Pairs followed faces with detections (`(box, keypoints)`), one to one, greedily by box
/// overlap (at least [`SAME_FACE_IOU`]), best first ([`greedy_pairs`]).
pub fn pair(followed: &[Followed], dets: &[([f32; 4], [Point; 5])]) -> Paired {
    let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
    for (f, face) in followed.iter().enumerate() {
        for (d, (bbox, _)) in dets.iter().enumerate() {
            let overlap = iou(&face.bbox, bbox);
            if overlap >= SAME_FACE_IOU {
                pairs.push((overlap, f, d));
            }
        }
    }
    let (mut f_used, mut d_used) = (vec![false; followed.len()], vec![false; dets.len()]);
    let mut found = Vec::new();
    for (f, d) in greedy_pairs(pairs, followed.len(), dets.len(), Rank::HighestFirst) {
        f_used[f] = true;
        d_used[d] = true;
        found.push(Found {
            track_id: followed[f].track_id,
            bbox: dets[d].0,
            kps: dets[d].1,
            landmarks: followed[f].landmarks.clone(),
            embedding: None,
        });
    }
    Paired {
        found,
        new_faces: d_used.iter().filter(|u| !**u).count(),
        missing: followed
            .iter()
            .zip(&f_used)
            .filter(|(_, used)| !**used)
            .map(|(f, _)| f.track_id)
            .collect(),
    }
}

/// Identity embeddings of `found` faces from their keypoints (nothing without a recognizer).
fn embed(
    found: &mut [Found],
    view: ImageView<'_>,
    recognizer: Option<&Shared<Recognizer>>,
) -> SdkResult<()> {
    if let Some(rec) = recognizer
        && !found.is_empty()
    {
        let kps: Vec<[Point; 5]> = found.iter().map(|f| f.kps).collect();
        for (f, emb) in found.iter_mut().zip(lock(rec).run(view, &kps)?) {
            f.embedding = Some(emb);
        }
    }
    Ok(())
}

/// The helper thread: one job at a time, results picked up without waiting.
pub struct Searcher {
    jobs: Option<SyncSender<SearchJob>>,
    reports: Receiver<Result<SearchReport, SdkError>>,
    in_flight: bool,
    thread: Option<JoinHandle<()>>,
}

impl Searcher {
    /// Starts the helper thread over the shared models.
    pub fn spawn(
        detector: Shared<Detector>,
        recognizer: Option<Shared<Recognizer>>,
    ) -> std::io::Result<Self> {
        let (jobs, job_rx) = sync_channel::<SearchJob>(1);
        let (report_tx, reports) = sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("face_analyser-search".into())
            .spawn(move || {
                for job in job_rx {
                    // A panic stays on this thread: it is reported like an error, and the
                    // helper stops (the analyser then searches on its own thread).
                    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        search(&job, &detector, recognizer.as_ref())
                    }))
                    .unwrap_or_else(|_| {
                        Err(SdkError::new(
                            liveswap_sdk::codes::INTERNAL,
                            "the background search panicked",
                        ))
                    });
                    let failed = result.is_err();
                    if report_tx.send(result).is_err() || failed {
                        break;
                    }
                }
            })?;
        Ok(Self {
            jobs: Some(jobs),
            reports,
            in_flight: false,
            thread: Some(thread),
        })
    }

    /// Whether a search is running (a new one is not taken then).
    pub fn busy(&self) -> bool {
        self.in_flight
    }

    /// Hands a search over; `false` (job dropped) when one is running or the helper is gone.
    pub fn submit(&mut self, job: SearchJob) -> bool {
        if self.in_flight {
            return false;
        }
        let sent = self.jobs.as_ref().is_some_and(|tx| tx.send(job).is_ok());
        self.in_flight = sent;
        sent
    }

    /// The finished search's report, if one is ready (never waits). An `Err` is the search's
    /// failure, or the helper having stopped.
    pub fn poll(&mut self) -> Option<Result<SearchReport, SdkError>> {
        if !self.in_flight {
            return None;
        }
        match self.reports.try_recv() {
            Ok(result) => {
                self.in_flight = false;
                Some(result)
            }
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                self.in_flight = false;
                Some(Err(SdkError::new(
                    liveswap_sdk::codes::INTERNAL,
                    "the background search stopped",
                )))
            }
        }
    }
}

impl Drop for Searcher {
    fn drop(&mut self) {
        // Closing the job channel ends the helper's loop; joining it here means no thread of
        // this plugin outlives the processor (the host may unload the library afterwards).
        self.jobs = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn followed(id: u64, bbox: [f32; 4]) -> Followed {
        Followed {
            track_id: id,
            bbox,
            kps: [[0.0; 2]; 5],
            landmarks: vec![[bbox[0], bbox[1]], [bbox[2], bbox[3]]],
        }
    }

    fn det(bbox: [f32; 4], mark: f32) -> ([f32; 4], [Point; 5]) {
        (bbox, [[mark; 2]; 5])
    }

    #[test]
    fn every_followed_face_found_and_nothing_else_agrees() {
        let faces = [
            followed(7, [0.0, 0.0, 100.0, 100.0]),
            followed(9, [200.0, 0.0, 300.0, 100.0]),
        ];
        // Detected a little off, in the other order.
        let dets = [
            det([205.0, 4.0, 303.0, 104.0], 2.0),
            det([3.0, 2.0, 98.0, 103.0], 1.0),
        ];
        let p = pair(&faces, &dets);
        assert_eq!((p.new_faces, p.missing.len()), (0, 0));
        let by_id = |id| p.found.iter().find(|f| f.track_id == id).unwrap();
        assert_eq!(by_id(7).bbox, dets[1].0);
        assert_eq!(by_id(7).kps, dets[1].1);
        assert_eq!(by_id(9).bbox, dets[0].0);
        // The followed landmarks go along, to carry the detection to a later frame.
        assert_eq!(by_id(9).landmarks, faces[1].landmarks);
    }

    #[test]
    fn a_newcomer_and_a_vanished_face_are_both_named() {
        let faces = [
            followed(1, [0.0, 0.0, 100.0, 100.0]),
            followed(2, [400.0, 0.0, 500.0, 100.0]),
        ];
        // Track 1 is there; track 2 is not; someone new is in the middle.
        let dets = [
            det([2.0, 0.0, 101.0, 99.0], 1.0),
            det([200.0, 200.0, 300.0, 300.0], 3.0),
        ];
        let p = pair(&faces, &dets);
        assert_eq!(p.found.len(), 1);
        assert_eq!(p.found[0].track_id, 1);
        assert_eq!(p.new_faces, 1);
        assert_eq!(p.missing, vec![2]);
    }

    #[test]
    fn one_detection_pairs_with_one_face_only_the_best_overlap() {
        // Two followed boxes over one detection: the closer one keeps it, the other is
        // missing (a search on the processing thread then sorts it out).
        let faces = [
            followed(1, [0.0, 0.0, 100.0, 100.0]),
            followed(2, [30.0, 0.0, 130.0, 100.0]),
        ];
        let dets = [det([28.0, 0.0, 128.0, 100.0], 1.0)];
        let p = pair(&faces, &dets);
        assert_eq!(p.found.len(), 1);
        assert_eq!(p.found[0].track_id, 2);
        assert_eq!(p.missing, vec![1]);
        assert_eq!(p.new_faces, 0);
        // Too little overlap is not the same face.
        let far = [det([90.0, 90.0, 190.0, 190.0], 1.0)];
        let p = pair(&faces[..1], &far);
        assert_eq!((p.found.len(), p.new_faces, p.missing.len()), (0, 1, 1));
    }
}
