//! Face tracking across video frames: stable track ids, short gaps bridged, optional keypoint
//! smoothing.
//!
//! Where: the last step of the analyser's `process`, after detection, landmarks and
//! embeddings. Later processors see `Face::track_id` set on every face, so face selection
//! and mapping can stay on the same person (see `liveswap_swapkit::Selector`).
//!
//! Matching, per frame: every (track, detection) pair gets a score from box overlap (IoU)
//! and, where both have embeddings of the same space, identity similarity (cosine). A pair
//! counts when the IoU is at least [`MIN_IOU`] and the identities do not contradict it
//! (cosine ≥ [`MIN_COS_WITH_OVERLAP`]), or, without overlap (fast motion, a face coming
//! back after a gap), when the identities agree strongly (cosine ≥ [`MIN_COS_ALONE`]).
//! Pairs are taken greedily by score, one-to-one. Unmatched detections start new tracks.
//!
//! Gaps: a track with no detection this frame is still reported, moved by its last
//! per-frame motion, for up to `track_coast_frames` frames, so a face the detector misses
//! for a frame or two keeps being swapped instead of flickering back to the original.
//!
//! Smoothing: with `kps_smoothing = a > 0`, a matched face's keypoints and landmarks become
//! `a · previous + (1 − a) · detected` (an exponential moving average; 0 = off). It steadies
//! the swap's alignment on jittery detections at the cost of a little lag.
//!
//! Recognition cadence: before recognition runs, [`Tracker::reuse_embeddings`] hands a
//! detection that clearly continues a track (IoU ≥ [`REUSE_IOU`]) that track's embedding,
//! as long as it is younger than `embedding_refresh` frames; the recognizer then runs only
//! on new faces and stale tracks. On CPU ArcFace-R50 costs ≈ 70–80 ms a face a frame; an
//! identity does not change between consecutive frames of one face.
//!
//! Reset: the tracker forgets everything when the frame size changes or frames are not
//! consecutive (`index != last + 1`, e.g. a new run, or the host analysing a source image
//! at index 0), so tracks never leak between images.
//!
//! Coordinates: image pixels, x = column, y = row, as in [`liveswap_sdk::Face`].

use liveswap_sdk::abi_stable::std_types::ROption;
use liveswap_sdk::{Embedding, Face, Point};
use liveswap_vision::nms::iou;
use liveswap_vision::pairs::{Rank, greedy_pairs};

/// Smallest box overlap that links a detection to a track.
pub const MIN_IOU: f32 = 0.3;
/// With overlap, identities below this cosine similarity veto the link (two people crossing).
pub const MIN_COS_WITH_OVERLAP: f32 = 0.2;
/// Without overlap, identities at or above this cosine similarity link on their own.
pub const MIN_COS_ALONE: f32 = 0.5;

/// Tracking settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackSettings {
    /// Assign track ids at all.
    pub enabled: bool,
    /// Frames a lost face keeps being reported.
    pub coast_frames: u32,
    /// EMA weight of the previous keypoints, 0 = off, `< 1`.
    pub smoothing: f32,
}

#[derive(Debug, Clone)]
struct Track {
    id: u64,
    face: Face,
    /// Box-centre motion in the last frame it was seen, pixels per frame.
    velocity: [f32; 2],
    /// Consecutive frames without a detection.
    missed: u32,
    /// Frames since the track's embedding was computed (0 = this frame).
    embedding_age: u32,
}

/// The tracker state of one analyser instance.
#[derive(Debug, Default)]
pub struct Tracker {
    tracks: Vec<Track>,
    next_id: u64,
    last: Option<(u64, u32, u32)>,
    /// Detections of the coming `update` whose embedding was copied from a track
    /// ([`Tracker::reuse_embeddings`]): (detection index, track id).
    reused: Vec<(usize, u64)>,
}

/// Smallest box overlap at which a detection takes over its track's embedding instead of
/// running the recognizer (stricter than [`MIN_IOU`]: only clearly the same face).
pub const REUSE_IOU: f32 = 0.5;

impl Tracker {
    /// Whether frame `index` of `size` continues the frames seen so far.
    fn continues(&self, index: u64, size: (u32, u32)) -> bool {
        self.last
            .is_some_and(|(i, w, h)| index == i.wrapping_add(1) && (w, h) == size)
    }

    /// Boxes of the tracks seen in the previous frame, when frame `index` of `size`
    /// continues the frames seen so far (None otherwise): where to look for them again.
    pub fn live_boxes(&self, index: u64, size: (u32, u32)) -> Option<Vec<[f32; 4]>> {
        self.continues(index, size).then(|| {
            self.tracks
                .iter()
                .filter(|t| t.missed == 0)
                .map(|t| t.face.bbox)
                .collect()
        })
    }

    /// The faces of the tracks seen in the previous frame (as reported, smoothing included),
    /// when frame `index` of `size` continues the frames seen so far.
    pub fn live_faces(&self, index: u64, size: (u32, u32)) -> Option<Vec<Face>> {
        self.continues(index, size).then(|| {
            self.tracks
                .iter()
                .filter(|t| t.missed == 0)
                .map(|t| t.face.clone())
                .collect()
        })
    }

    /// Identity embeddings the recognizer need not compute this frame: for each detection
    /// that overlaps (IoU ≥ [`REUSE_IOU`]) a track seen last frame whose embedding is
    /// younger than `refresh` frames, that embedding. Call before [`Tracker::update`] on the
    /// same frame. `refresh <= 1` (or tracking off) reuses nothing.
    pub fn reuse_embeddings(
        &mut self,
        index: u64,
        size: (u32, u32),
        faces: &[Face],
        settings: &TrackSettings,
        refresh: u32,
    ) -> Vec<Option<Embedding>> {
        self.reused.clear();
        let mut out = vec![None; faces.len()];
        if !settings.enabled || refresh <= 1 || !self.continues(index, size) {
            return out;
        }
        let mut cands: Vec<(f32, usize, usize)> = Vec::new();
        for (t, track) in self.tracks.iter().enumerate() {
            if track.missed > 0 || track.embedding_age + 1 >= refresh {
                continue;
            }
            if track.face.embedding.is_none() {
                continue;
            }
            for (d, face) in faces.iter().enumerate() {
                let overlap = iou(&track.face.bbox, &face.bbox);
                if overlap >= REUSE_IOU {
                    cands.push((overlap, t, d));
                }
            }
        }
        for (t, d) in greedy_pairs(cands, self.tracks.len(), faces.len(), Rank::HighestFirst) {
            out[d] = self.tracks[t].face.embedding.clone().into_option();
            self.reused.push((d, self.tracks[t].id));
        }
        out
    }

    /// Gives track `id` an embedding computed elsewhere (the background search), as fresh as
    /// one computed this frame. An unknown id changes nothing.
    pub fn set_embedding(&mut self, id: u64, embedding: Embedding) {
        if let Some(track) = self.tracks.iter_mut().find(|t| t.id == id) {
            track.face.embedding = ROption::RSome(embedding);
            track.embedding_age = 0;
        }
    }

    /// Links this frame's `faces` to the tracks, sets their `track_id`, smooths their points,
    /// and appends coasting faces of tracks that were not seen. Returns the faces to report.
    pub fn update(
        &mut self,
        index: u64,
        size: (u32, u32),
        faces: Vec<Face>,
        settings: &TrackSettings,
    ) -> Vec<Face> {
        let consecutive = self.continues(index, size);
        let reused = std::mem::take(&mut self.reused);
        self.last = Some((index, size.0, size.1));
        if !consecutive {
            self.tracks.clear();
        }
        if !settings.enabled {
            self.tracks.clear();
            return faces;
        }

        let pairs = match_pairs(&self.tracks, &faces);
        let mut det_track: Vec<Option<usize>> = vec![None; faces.len()];
        for &(t, d) in &pairs {
            det_track[d] = Some(t);
        }
        let mut seen = vec![false; self.tracks.len()];
        let mut out = Vec::with_capacity(faces.len() + self.tracks.len());
        for (d, mut face) in faces.into_iter().enumerate() {
            match det_track[d] {
                Some(t) => {
                    seen[t] = true;
                    let track = &mut self.tracks[t];
                    if settings.smoothing > 0.0 {
                        smooth(&track.face, &mut face, settings.smoothing);
                    }
                    let (c0, c1) = (centre(&track.face.bbox), centre(&face.bbox));
                    // Per-frame motion; a coasted track's box was already moved along.
                    track.velocity = [c1[0] - c0[0], c1[1] - c0[1]];
                    track.missed = 0;
                    track.embedding_age = if reused.contains(&(d, track.id)) {
                        track.embedding_age + 1
                    } else {
                        0
                    };
                    face.track_id = ROption::RSome(track.id);
                    track.face = face.clone();
                }
                None => {
                    let id = self.next_id;
                    self.next_id += 1;
                    face.track_id = ROption::RSome(id);
                    self.tracks.push(Track {
                        id,
                        face: face.clone(),
                        velocity: [0.0, 0.0],
                        missed: 0,
                        embedding_age: 0,
                    });
                    seen.push(true);
                }
            }
            out.push(face);
        }
        let mut kept = Vec::with_capacity(self.tracks.len());
        for (mut track, seen) in std::mem::take(&mut self.tracks).into_iter().zip(seen) {
            if !seen {
                track.missed += 1;
                if track.missed > settings.coast_frames {
                    continue;
                }
                let [dx, dy] = track.velocity;
                translate(&mut track.face, dx, dy);
                out.push(track.face.clone());
            }
            kept.push(track);
        }
        self.tracks = kept;
        out
    }
}

/// Greedy one-to-one (track, detection) pairs, best score first.
fn match_pairs(tracks: &[Track], faces: &[Face]) -> Vec<(usize, usize)> {
    let mut cands: Vec<(f32, usize, usize)> = Vec::new();
    for (t, track) in tracks.iter().enumerate() {
        for (d, face) in faces.iter().enumerate() {
            let overlap = iou(&track.face.bbox, &face.bbox);
            let cos = match (
                track.face.embedding.as_ref().into_option(),
                face.embedding.as_ref().into_option(),
            ) {
                (Some(a), Some(b)) => cosine(a, b),
                _ => None,
            };
            let linked = match cos {
                Some(c) if overlap >= MIN_IOU => c >= MIN_COS_WITH_OVERLAP,
                Some(c) => c >= MIN_COS_ALONE,
                None => overlap >= MIN_IOU,
            };
            if linked {
                cands.push((overlap + cos.unwrap_or(0.0).max(0.0), t, d));
            }
        }
    }
    greedy_pairs(cands, tracks.len(), faces.len(), Rank::HighestFirst)
}

/// Cosine similarity of two embeddings of the same space (None across spaces).
fn cosine(a: &Embedding, b: &Embedding) -> Option<f32> {
    if a.space != b.space || a.values.len() != b.values.len() {
        return None;
    }
    let (mut dot, mut na, mut nb) = (0.0f32, 0.0f32, 0.0f32);
    for (x, y) in a.values.iter().zip(b.values.iter()) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    let d = (na * nb).sqrt();
    Some(if d > 0.0 { dot / d } else { 0.0 })
}

fn centre(b: &[f32; 4]) -> [f32; 2] {
    [(b[0] + b[2]) * 0.5, (b[1] + b[3]) * 0.5]
}

fn translate(face: &mut Face, dx: f32, dy: f32) {
    face.bbox = [
        face.bbox[0] + dx,
        face.bbox[1] + dy,
        face.bbox[2] + dx,
        face.bbox[3] + dy,
    ];
    for p in face.kps.iter_mut() {
        p[0] += dx;
        p[1] += dy;
    }
    if let ROption::RSome(points) = &mut face.landmarks_106 {
        for p in points.iter_mut() {
            p[0] += dx;
            p[1] += dy;
        }
    }
}

fn blend(prev: &Point, cur: &mut Point, a: f32) {
    cur[0] = a * prev[0] + (1.0 - a) * cur[0];
    cur[1] = a * prev[1] + (1.0 - a) * cur[1];
}

fn smooth(prev: &Face, cur: &mut Face, a: f32) {
    for (p, c) in prev.kps.iter().zip(cur.kps.iter_mut()) {
        blend(p, c, a);
    }
    if let (ROption::RSome(p), ROption::RSome(c)) = (&prev.landmarks_106, &mut cur.landmarks_106)
        && p.len() == c.len()
    {
        for (p, c) in p.iter().zip(c.iter_mut()) {
            blend(p, c, a);
        }
    }
}

#[cfg(test)]
#[path = "track_tests.rs"]
mod tests;
