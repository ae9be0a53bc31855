//! `every_n_frames`: the last enhancement of each tracked face, reused in between model runs.
//!
//! Keyed by [`liveswap_sdk::Face::track_id`]. What is kept is the crop-space change
//! [`crate::crop::Delta`] the model made, so on a reuse frame it is pasted through the face's
//! *current* alignment: the enhancement follows the face as it moves, and the frame's own
//! pixels (an opening mouth) stay underneath. Faces without a track id are never cached.
//! Entries of tracks absent from a frame are dropped, so the cache holds at most one entry
//! per visible face.

use crate::crop::Delta;
use std::sync::Arc;

/// One cached enhancement.
#[derive(Debug, Clone)]
struct Entry {
    track: u64,
    /// Frame index of the model run.
    frame: u64,
    delta: Arc<Delta>,
}

/// The cache.
#[derive(Debug, Clone, Default)]
pub struct EnhancementCache {
    entries: Vec<Entry>,
}

impl EnhancementCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The cached change of `track` if it was computed fewer than `every_n` frames before
    /// `frame` (and not after it, e.g. after a seek back).
    pub fn fresh(&self, track: u64, frame: u64, every_n: u64) -> Option<Arc<Delta>> {
        self.entries
            .iter()
            .find(|e| e.track == track)
            .filter(|e| frame >= e.frame && frame - e.frame < every_n)
            .map(|e| Arc::clone(&e.delta))
    }

    /// Stores the change computed for `track` on `frame`.
    pub fn store(&mut self, track: u64, frame: u64, delta: Arc<Delta>) {
        self.entries.retain(|e| e.track != track);
        self.entries.push(Entry {
            track,
            frame,
            delta,
        });
    }

    /// Drops the entries whose tracks are not in `visible`.
    pub fn retain_tracks(&mut self, visible: &[u64]) {
        self.entries.retain(|e| visible.contains(&e.track));
    }

    /// Number of cached faces.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use liveswap_vision::MaskF32;

    fn delta(v: f32) -> Arc<Delta> {
        let p = MaskF32::filled(2, 2, v).unwrap();
        Arc::new(Delta {
            planes: [p.clone(), p.clone(), p],
        })
    }

    #[test]
    fn entries_expire_after_n_frames_and_with_their_track() {
        let mut c = EnhancementCache::new();
        c.store(7, 10, delta(1.0));
        assert!(c.fresh(7, 10, 3).is_some());
        assert!(c.fresh(7, 12, 3).is_some());
        assert!(c.fresh(7, 13, 3).is_none());
        assert!(c.fresh(7, 9, 3).is_none(), "a seek back is not fresh");
        assert!(c.fresh(8, 10, 3).is_none());
        assert!(c.fresh(7, 10, 1).is_some() && c.fresh(7, 11, 1).is_none());
        c.store(7, 13, delta(2.0));
        assert_eq!(c.len(), 1);
        assert_eq!(c.fresh(7, 14, 3).unwrap().planes[0].data[0], 2.0);
        c.store(9, 13, delta(3.0));
        c.retain_tracks(&[9]);
        assert_eq!(c.len(), 1);
        assert!(c.fresh(9, 13, 3).is_some());
    }
}
