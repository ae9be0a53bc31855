//! A video file played as a camera: frames released in real time at the file's own frame
//! times (`file:PATH`, optionally looping).
//!
//! Decoding is the video module's ([`crate::video::FrameReader`]), so every format
//! `liveswap run` reads works here. The pacing clock starts at the first frame; frame k is
//! released when `pts_k − pts_0` of wall time has passed (plus, when looping, the length of
//! the earlier passes). When decoding falls behind (a big file on a busy machine), frames
//! are released as soon as they are ready — like a camera that cannot keep up — and the
//! clock is not pulled back, so playback never tries to catch up with a burst.

use super::error::CaptureError;
use super::{FrameGrabber, SourceInfo};
use crate::video::{FrameReader, VideoError};
use liveswap_sdk::OwnedImage;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub(super) struct FileCamera {
    path: PathBuf,
    reader: FrameReader,
    looped: bool,
    /// Wall time at which source time `offset_us` is due.
    clock: Option<Instant>,
    /// Source time of the current pass's start on the clock (µs), for loops.
    offset_us: i64,
    /// End of the last frame of this pass (µs), the next pass's offset.
    last_end_us: i64,
    period_us: i64,
    frames_this_pass: u64,
}

fn file_error(path: &Path, e: &VideoError) -> CaptureError {
    CaptureError::File {
        path: path.into(),
        reason: e.to_string(),
    }
}

impl FileCamera {
    pub(super) fn open(path: &Path, looped: bool) -> Result<(Self, SourceInfo), CaptureError> {
        let (reader, info) = FrameReader::open(path).map_err(|e| file_error(path, &e))?;
        let fps = info.frame_rate;
        let period_us = if fps.num > 0 {
            (1_000_000 * i64::from(fps.den) / i64::from(fps.num)).max(1)
        } else {
            33_333
        };
        let source = SourceInfo {
            label: format!(
                "file camera {} ({}x{} {} at {} fps{})",
                path.display(),
                info.width,
                info.height,
                info.codec,
                fps,
                if looped { ", looping" } else { "" }
            ),
            width: info.width,
            height: info.height,
            fps,
        };
        Ok((
            Self {
                path: path.into(),
                reader,
                looped,
                clock: None,
                offset_us: 0,
                last_end_us: 0,
                period_us,
                frames_this_pass: 0,
            },
            source,
        ))
    }

    fn next_decoded(&mut self) -> Result<Option<(OwnedImage, i64)>, CaptureError> {
        loop {
            match self
                .reader
                .next_frame()
                .map_err(|e| file_error(&self.path, &e))?
            {
                Some((image, time)) => {
                    self.frames_this_pass += 1;
                    self.last_end_us = time.timestamp_us + self.period_us;
                    return Ok(Some((image, self.offset_us + time.timestamp_us)));
                }
                None if self.looped && self.frames_this_pass > 0 => {
                    let (reader, _) =
                        FrameReader::open(&self.path).map_err(|e| file_error(&self.path, &e))?;
                    self.reader = reader;
                    self.offset_us += self.last_end_us;
                    self.frames_this_pass = 0;
                }
                None => return Ok(None),
            }
        }
    }
}

impl FrameGrabber for FileCamera {
    fn grab(&mut self) -> Result<Option<OwnedImage>, CaptureError> {
        let Some((image, due_us)) = self.next_decoded()? else {
            return Ok(None);
        };
        let now = Instant::now();
        let clock = self.clock.get_or_insert(now);
        let due = *clock + Duration::from_micros(u64::try_from(due_us).unwrap_or(0));
        if due > now {
            std::thread::sleep(due - now);
        } else {
            // Late: release now and move the clock, so later frames keep their spacing.
            *clock += now - due;
        }
        Ok(Some(image))
    }
}
