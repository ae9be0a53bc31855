//! Frame capture for live mode: cameras and video files played as cameras, each on its own
//! thread, delivering into a latest-frame-wins slot.
//!
//! Where: `liveswap live` and `liveswap cameras` (`crate::commands`), through
//! [`crate::live`]. A [`CameraSpec`] names what to open (`0`, a name, `/dev/video2`,
//! `file:clip.mp4`); [`Capture::open`] opens it on a new thread (camera handles and
//! swscale contexts stay on the thread that made them) and reports the frame size and rate,
//! so sinks can be opened — and fail — before any frame is captured; [`Capture::start`] then
//! lets frames flow into the [`LatestSlot`].
//!
//! Timestamps: [`CapturedFrame::captured`] is taken when the frame arrives in liveswap (after
//! the driver handed it over and it was decoded to RGB); live latency is measured from it.
//!
//! Sources:
//! - **devices** (`device`): nokhwa's native backend (V4L2 on Linux, AVFoundation on macOS,
//!   Media Foundation on Windows); MJPG is preferred when the camera offers it (USB cameras
//!   reach their full frame rate only in MJPG), decoded with the image crate's JPEG decoder
//!   (about 2.7× faster than nokhwa's mozjpeg path here, `examples/mjpg_decode.rs`).
//! - **file cameras** (`file`): the video module's decoder, paced in real time at the
//!   file's own frame times, optionally looping. This is how live mode is tested and
//!   rehearsed without a camera.

mod device;
mod error;
mod file;
mod slot;

pub use device::{CameraDescription, CameraMode, choose_mode, list_cameras};
pub use error::CaptureError;
pub use slot::{CaptureEnd, LatestSlot, SlotCounts, Taken};

use liveswap_sdk::OwnedImage;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

/// One frame as it arrived.
#[derive(Debug, Clone)]
pub struct CapturedFrame {
    /// Packed RGB8.
    pub image: OwnedImage,
    /// 0-based number of the frame in the capture (dropped frames included).
    pub seq: u64,
    /// When it arrived (after decoding to RGB).
    pub captured: Instant,
}

/// What to capture from, as given to `--camera`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameraSpec {
    /// The n-th camera the system lists.
    Index(u32),
    /// The first camera whose name contains this text (case-insensitive).
    Name(String),
    /// A device node, e.g. `/dev/video2`.
    Path(PathBuf),
    /// A video file played as a camera in real time.
    File {
        /// The file.
        path: PathBuf,
        /// Start again at the end.
        looped: bool,
    },
}

impl CameraSpec {
    /// Parses `--camera`: `file:PATH`, a number, a path starting with `/` (or `\\` / a drive
    /// on Windows), else a name. `looped` applies to `file:` only.
    pub fn parse(text: &str, looped: bool) -> Result<Self, CaptureError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(CaptureError::BadSpec(
                "--camera is empty: give an index, a name, a device path or file:PATH".into(),
            ));
        }
        if let Some(path) = text.strip_prefix("file:") {
            if path.is_empty() {
                return Err(CaptureError::BadSpec(
                    "--camera file: needs a path, e.g. file:clip.mp4".into(),
                ));
            }
            return Ok(Self::File {
                path: path.into(),
                looped,
            });
        }
        if let Ok(n) = text.parse::<u32>() {
            return Ok(Self::Index(n));
        }
        if text.starts_with('/') || text.starts_with('\\') {
            return Ok(Self::Path(text.into()));
        }
        Ok(Self::Name(text.into()))
    }
}

impl std::fmt::Display for CameraSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Index(n) => write!(f, "camera {n}"),
            Self::Name(n) => write!(f, "camera \"{n}\""),
            Self::Path(p) => write!(f, "camera {}", p.display()),
            Self::File { path, .. } => write!(f, "file camera {}", path.display()),
        }
    }
}

/// Size and rate wishes (`--capture-size`, `--capture-fps`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CaptureRequest {
    /// Width × height.
    pub size: Option<(u32, u32)>,
    /// Frames per second.
    pub fps: Option<u32>,
}

/// What an opened source delivers.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceInfo {
    /// What it is, for messages (`Integrated Camera (/dev/video0), MJPG`).
    pub label: String,
    /// Frame width.
    pub width: u32,
    /// Frame height.
    pub height: u32,
    /// Nominal frame rate.
    pub fps: crate::video::Fraction,
}

/// A source that yields frames on the capture thread.
pub(crate) trait FrameGrabber {
    /// Blocks until the next frame (cameras: the driver; files: the pacing clock). `None`
    /// at the end of a file camera.
    fn grab(&mut self) -> Result<Option<OwnedImage>, CaptureError>;
}

/// An opened capture, waiting for [`Capture::start`].
#[derive(Debug)]
pub struct Capture {
    info: SourceInfo,
    slot: Arc<LatestSlot>,
    go: SyncSender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Opens `spec` on the capture thread. `mirror` flips frames left-right there (before
/// processing, as a selfie view expects).
fn open_grabber(
    spec: &CameraSpec,
    request: CaptureRequest,
) -> Result<(Box<dyn FrameGrabber>, SourceInfo), CaptureError> {
    match spec {
        CameraSpec::File { path, looped } => {
            let (g, info) = file::FileCamera::open(path, *looped)?;
            Ok((Box::new(g), info))
        }
        other => {
            let (g, info) = device::DeviceCamera::open(other, request)?;
            Ok((Box::new(g), info))
        }
    }
}

/// Mirrors packed RGB8 left-right in place.
pub fn mirror(image: &mut OwnedImage) {
    let w = image.width as usize;
    if w < 2 {
        return;
    }
    for row in image.data.as_mut_slice().chunks_exact_mut(w * 3) {
        for x in 0..w / 2 {
            let (a, b) = (x * 3, (w - 1 - x) * 3);
            for c in 0..3 {
                row.swap(a + c, b + c);
            }
        }
    }
}

fn capture_loop(
    mut grabber: Box<dyn FrameGrabber>,
    slot: &LatestSlot,
    go: &Receiver<bool>,
    mirrored: bool,
) {
    if !matches!(go.recv(), Ok(true)) {
        slot.close(CaptureEnd::Stopped);
        return;
    }
    let mut seq = 0;
    loop {
        if slot.is_closed() {
            return;
        }
        match grabber.grab() {
            Ok(Some(mut image)) => {
                if mirrored {
                    mirror(&mut image);
                }
                slot.put(CapturedFrame {
                    image,
                    seq,
                    captured: Instant::now(),
                });
                seq += 1;
            }
            Ok(None) => {
                slot.close(CaptureEnd::Finished);
                return;
            }
            Err(e) => {
                slot.close(CaptureEnd::Failed(e.to_string()));
                return;
            }
        }
    }
}

impl Capture {
    /// Opens the source on a new thread and waits until it is open (or failed). No frame
    /// is captured before [`Self::start`].
    pub fn open(
        spec: &CameraSpec,
        request: CaptureRequest,
        mirrored: bool,
    ) -> Result<Self, CaptureError> {
        let slot = Arc::new(LatestSlot::new());
        let (opened_tx, opened_rx) = sync_channel::<Result<SourceInfo, CaptureError>>(1);
        let (go_tx, go_rx) = sync_channel::<bool>(1);
        let thread_slot = Arc::clone(&slot);
        let thread_spec = spec.clone();
        let thread = std::thread::Builder::new()
            .name("liveswap-capture".into())
            .spawn(move || match open_grabber(&thread_spec, request) {
                Ok((grabber, info)) => {
                    if opened_tx.send(Ok(info)).is_ok() {
                        capture_loop(grabber, &thread_slot, &go_rx, mirrored);
                    }
                }
                Err(e) => {
                    let _ = opened_tx.send(Err(e));
                }
            })
            .map_err(|e| CaptureError::Thread(e.to_string()))?;
        let info = match opened_rx.recv() {
            Ok(r) => r,
            Err(_) => Err(CaptureError::Thread(
                "the capture thread ended while opening".into(),
            )),
        };
        let info = match info {
            Ok(i) => i,
            Err(e) => {
                let _ = thread.join();
                return Err(e);
            }
        };
        Ok(Self {
            info,
            slot,
            go: go_tx,
            thread: Some(thread),
        })
    }

    /// What the source delivers.
    pub fn info(&self) -> &SourceInfo {
        &self.info
    }

    /// The slot frames arrive in.
    pub fn slot(&self) -> &Arc<LatestSlot> {
        &self.slot
    }

    /// Lets frames flow.
    pub fn start(&self) {
        let _ = self.go.send(true);
    }

    /// Stops capturing and waits for the thread (a camera blocked in the driver returns
    /// within one frame period). Returns the final counts.
    pub fn stop(mut self) -> SlotCounts {
        self.shutdown();
        self.slot.finish_counts()
    }

    fn shutdown(&mut self) {
        self.slot.close(CaptureEnd::Stopped);
        let _ = self.go.try_send(false);
        if let Some(t) = self.thread.take() {
            // Wait a bounded time: a driver that hangs must not hang the exit.
            let deadline = Instant::now() + Duration::from_secs(3);
            while !t.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            if t.is_finished() {
                let _ = t.join();
            } else {
                tracing::warn!("the capture thread did not stop within 3 s; leaving it");
            }
        }
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn camera_specs_parse() {
        assert_eq!(CameraSpec::parse("0", false).unwrap(), CameraSpec::Index(0));
        assert_eq!(
            CameraSpec::parse("/dev/video2", false).unwrap(),
            CameraSpec::Path("/dev/video2".into())
        );
        assert_eq!(
            CameraSpec::parse("Logitech C920", false).unwrap(),
            CameraSpec::Name("Logitech C920".into())
        );
        assert_eq!(
            CameraSpec::parse("file:a b.mp4", true).unwrap(),
            CameraSpec::File {
                path: "a b.mp4".into(),
                looped: true
            }
        );
        assert!(CameraSpec::parse("file:", false).is_err());
        assert!(CameraSpec::parse(" ", false).is_err());
    }

    #[test]
    fn mirroring_swaps_columns_and_twice_is_identity() {
        let mut img = OwnedImage {
            data: (0u8..18).collect::<Vec<_>>().into(),
            width: 3,
            height: 2,
        };
        let before = img.data.as_slice().to_vec();
        mirror(&mut img);
        assert_eq!(&img.data.as_slice()[0..9], &[6, 7, 8, 3, 4, 5, 0, 1, 2]);
        mirror(&mut img);
        assert_eq!(img.data.as_slice(), &before[..]);
    }
}
