//! The single slot between the capture thread and processing: latest frame wins.
//!
//! Where: the capture thread [`LatestSlot::put`]s every frame it receives; the processing
//! loop [`LatestSlot::take`]s the newest one when it is ready for the next frame. A frame
//! still in the slot when a newer one arrives is dropped and counted, so nothing queues up:
//! when processing is slower than the camera, latency stays at about one processing time
//! instead of growing (Deep-Live-Cam's 2-slot queue holds stale frames).

use super::CapturedFrame;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

/// Why the capture side stopped delivering frames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptureEnd {
    /// The source ended (a file camera without `--loop`).
    Finished,
    /// The source failed (camera unplugged, decode error); the text says why.
    Failed(String),
    /// The consumer asked the capture thread to stop.
    Stopped,
}

/// What [`LatestSlot::take`] found.
#[derive(Debug)]
pub enum Taken {
    /// The newest frame.
    Frame(Box<CapturedFrame>),
    /// No frame will come any more.
    Closed(CaptureEnd),
    /// Nothing arrived within the timeout.
    Timeout,
}

#[derive(Debug, Default)]
struct State {
    frame: Option<Box<CapturedFrame>>,
    captured: u64,
    dropped: u64,
    end: Option<CaptureEnd>,
}

/// A one-frame mailbox with counters.
#[derive(Debug, Default)]
pub struct LatestSlot {
    state: Mutex<State>,
    ready: Condvar,
}

/// Counts so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SlotCounts {
    /// Frames put into the slot.
    pub captured: u64,
    /// Frames replaced before anyone took them.
    pub dropped: u64,
}

impl LatestSlot {
    /// An empty slot.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain counters behind: still usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Offers a frame; a frame nobody took yet is dropped. Ignored after [`Self::close`].
    pub fn put(&self, frame: CapturedFrame) {
        let mut s = self.lock();
        if s.end.is_some() {
            return;
        }
        s.captured += 1;
        if s.frame.replace(Box::new(frame)).is_some() {
            s.dropped += 1;
        }
        self.ready.notify_all();
    }

    /// Ends the stream: after the frame still in the slot, `take` returns `Closed(end)`.
    /// The first reason given wins.
    pub fn close(&self, end: CaptureEnd) {
        let mut s = self.lock();
        if s.end.is_none() {
            s.end = Some(end);
        }
        self.ready.notify_all();
    }

    /// Whether the stream was closed (for the capture thread: stop when the consumer did).
    pub fn is_closed(&self) -> bool {
        self.lock().end.is_some()
    }

    /// Waits up to `timeout` for a frame and takes the newest one.
    pub fn take(&self, timeout: Duration) -> Taken {
        let s = self.lock();
        let (mut s, _) = self
            .ready
            .wait_timeout_while(s, timeout, |s| s.frame.is_none() && s.end.is_none())
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(frame) = s.frame.take() {
            return Taken::Frame(frame);
        }
        match &s.end {
            Some(end) => Taken::Closed(end.clone()),
            None => Taken::Timeout,
        }
    }

    /// Frames captured and dropped so far. A frame left in the slot at the end counts as
    /// dropped once the run is over: call [`Self::finish_counts`] then.
    pub fn counts(&self) -> SlotCounts {
        let s = self.lock();
        SlotCounts {
            captured: s.captured,
            dropped: s.dropped,
        }
    }

    /// Final counts: a frame still waiting in the slot was never processed, so it is dropped.
    pub fn finish_counts(&self) -> SlotCounts {
        let mut s = self.lock();
        if s.frame.take().is_some() {
            s.dropped += 1;
        }
        SlotCounts {
            captured: s.captured,
            dropped: s.dropped,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use liveswap_sdk::OwnedImage;
    use std::time::Instant;

    fn frame(seq: u64) -> CapturedFrame {
        CapturedFrame {
            image: OwnedImage {
                data: vec![0; 3].into(),
                width: 1,
                height: 1,
            },
            seq,
            captured: Instant::now(),
        }
    }

    #[test]
    fn the_newest_frame_wins_and_replaced_frames_are_counted() {
        let slot = LatestSlot::new();
        for i in 0..5 {
            slot.put(frame(i));
        }
        match slot.take(Duration::ZERO) {
            Taken::Frame(f) => assert_eq!(f.seq, 4),
            other => panic!("{other:?}"),
        }
        assert!(matches!(slot.take(Duration::ZERO), Taken::Timeout));
        assert_eq!(
            slot.counts(),
            SlotCounts {
                captured: 5,
                dropped: 4
            }
        );
    }

    #[test]
    fn closing_delivers_the_last_frame_then_the_reason() {
        let slot = LatestSlot::new();
        slot.put(frame(7));
        slot.close(CaptureEnd::Failed("unplugged".into()));
        slot.close(CaptureEnd::Stopped);
        slot.put(frame(8)); // ignored after close
        assert!(matches!(slot.take(Duration::ZERO), Taken::Frame(f) if f.seq == 7));
        assert!(matches!(
            slot.take(Duration::from_secs(5)),
            Taken::Closed(CaptureEnd::Failed(r)) if r == "unplugged"
        ));
        assert_eq!(slot.finish_counts().captured, 1);
    }

    #[test]
    fn a_frame_left_in_the_slot_at_the_end_is_dropped() {
        let slot = LatestSlot::new();
        slot.put(frame(0));
        assert_eq!(slot.finish_counts().dropped, 1);
    }

    #[test]
    fn take_wakes_up_when_another_thread_puts() {
        let slot = std::sync::Arc::new(LatestSlot::new());
        let s2 = slot.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            s2.put(frame(1));
        });
        let started = Instant::now();
        assert!(matches!(
            slot.take(Duration::from_secs(10)),
            Taken::Frame(_)
        ));
        assert!(started.elapsed() < Duration::from_secs(10));
        t.join().unwrap();
    }
}
