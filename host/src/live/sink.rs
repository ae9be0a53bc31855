//! Frame sinks of a live run: where processed frames go (`--output`, repeatable).
//!
//! | spec | sink |
//! |---|---|
//! | `window` | a preview window ([`super::window`]) |
//! | `v4l2:/dev/videoN` | a v4l2loopback virtual camera ([`super::v4l2`]) |
//! | `stream:URL` | any FFmpeg muxer URL: `udp://`/`srt://`/`tcp://`/`rtp://` as MPEG-TS, `rtmp://` as FLV |
//! | `record:FILE` | a recording with the real capture timestamps (`.mkv` recommended) |
//!
//! `record:` and `stream:` are the video module's encoder ([`crate::video::PushWriter`]):
//! libx264 with `tune=zerolatency` by default. Every sink is opened before capture starts,
//! so a bad one fails the run with its reason before any frame is taken.

use super::error::LiveError;
use super::v4l2::V4l2Sink;
use crate::media::{check_output_target, is_image_path};
use crate::video::{EncodeOptions, Fraction, PushSpec, PushWriter};
use liveswap_sdk::OwnedImage;
use std::path::{Path, PathBuf};

/// One `--output`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinkSpec {
    /// A preview window.
    Window,
    /// A V4L2 output device.
    V4l2(PathBuf),
    /// An FFmpeg URL.
    Stream(String),
    /// A video file.
    Record(PathBuf),
}

impl SinkSpec {
    /// Parses `window`, `v4l2:/dev/videoN`, `stream:URL` or `record:FILE`.
    pub fn parse(text: &str) -> Result<Self, LiveError> {
        let bad = |reason: &str| LiveError::BadSink {
            text: text.into(),
            reason: reason.into(),
        };
        let t = text.trim();
        if t == "window" {
            return Ok(Self::Window);
        }
        if let Some(p) = t.strip_prefix("v4l2:") {
            if p.is_empty() {
                return Err(bad("v4l2: needs a device, e.g. v4l2:/dev/video10"));
            }
            return Ok(Self::V4l2(p.into()));
        }
        if let Some(url) = t.strip_prefix("stream:") {
            if !url.contains("://") {
                return Err(bad(
                    "stream: needs an FFmpeg URL, e.g. stream:udp://127.0.0.1:27000 or stream:rtmp://host/app/key",
                ));
            }
            return Ok(Self::Stream(url.into()));
        }
        if let Some(p) = t.strip_prefix("record:") {
            if p.is_empty() {
                return Err(bad("record: needs a file, e.g. record:out.mkv"));
            }
            return Ok(Self::Record(p.into()));
        }
        Err(bad(
            "expected window, v4l2:/dev/videoN, stream:URL or record:FILE",
        ))
    }

    /// The muxer a stream URL needs (FFmpeg cannot guess it from a URL).
    pub fn stream_format(url: &str) -> Option<&'static str> {
        let scheme = url.split("://").next().unwrap_or_default();
        match scheme {
            "udp" | "srt" | "tcp" | "rtp" => Some("mpegts"),
            "rtmp" | "rtmps" => Some("flv"),
            _ => None,
        }
    }

    /// Checks that can be made without opening anything: a `record:` file must be a video
    /// container name and must not exist (unless `overwrite`) or be one of `inputs`.
    pub fn precheck(&self, inputs: &[&Path], overwrite: bool) -> Result<(), LiveError> {
        if let Self::Record(path) = self {
            if is_image_path(path) || path.extension().is_none() {
                return Err(LiveError::SinkOpen {
                    sink: self.to_string(),
                    reason:
                        "a recording needs a video file name (.mkv recommended, .mp4, .mov, .webm)"
                            .into(),
                });
            }
            check_output_target(path, inputs, overwrite).map_err(|e| LiveError::SinkOpen {
                sink: self.to_string(),
                reason: e.to_string(),
            })?;
        }
        Ok(())
    }
}

impl std::fmt::Display for SinkSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Window => write!(f, "window"),
            Self::V4l2(p) => write!(f, "v4l2:{}", p.display()),
            Self::Stream(u) => write!(f, "stream:{u}"),
            Self::Record(p) => write!(f, "record:{}", p.display()),
        }
    }
}

/// Frame geometry and rate the sinks are opened for.
#[derive(Debug, Clone, Copy)]
pub struct SinkFormat {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Nominal rate.
    pub fps: Fraction,
}

/// An open sink (lives on the sink thread).
pub(super) enum OpenSink {
    Encoded {
        label: String,
        writer: Box<PushWriter>,
    },
    V4l2(V4l2Sink),
    /// Frames for the window, which runs on the main thread.
    Window(std::sync::mpsc::SyncSender<super::window::WindowFrame>),
}

impl OpenSink {
    pub(super) fn label(&self) -> String {
        match self {
            Self::Encoded { label, .. } => label.clone(),
            Self::V4l2(v) => v.label().into(),
            Self::Window(_) => "window".into(),
        }
    }

    /// Opens an encoded or v4l2 sink; `window` needs its channel (see `super::run`).
    pub(super) fn open(
        spec: &SinkSpec,
        format: SinkFormat,
        encode: &EncodeOptions,
        window: Option<std::sync::mpsc::SyncSender<super::window::WindowFrame>>,
    ) -> Result<Self, LiveError> {
        let open_err = |reason: String| LiveError::SinkOpen {
            sink: spec.to_string(),
            reason,
        };
        match spec {
            SinkSpec::Record(path) => {
                let writer = PushWriter::create(&PushSpec {
                    target: path.clone(),
                    format: None,
                    width: format.width,
                    height: format.height,
                    frame_rate: format.fps,
                    encode: encode.clone(),
                })
                .map_err(|e| open_err(e.to_string()))?;
                Ok(Self::Encoded {
                    label: spec.to_string(),
                    writer: Box::new(writer),
                })
            }
            SinkSpec::Stream(url) => {
                let writer = PushWriter::create(&PushSpec {
                    target: url.into(),
                    format: SinkSpec::stream_format(url).map(str::to_string),
                    width: format.width,
                    height: format.height,
                    frame_rate: format.fps,
                    encode: encode.clone(),
                })
                .map_err(|e| open_err(e.to_string()))?;
                Ok(Self::Encoded {
                    label: spec.to_string(),
                    writer: Box::new(writer),
                })
            }
            SinkSpec::V4l2(path) => V4l2Sink::open(path, format.width, format.height)
                .map(Self::V4l2)
                .map_err(open_err),
            SinkSpec::Window => window
                .map(Self::Window)
                .ok_or_else(|| open_err("no window is running".into())),
        }
    }

    /// Hands one frame over; `timestamp_us` is its capture time on the run's clock.
    /// Hands one frame over; `latency_ms` (capture → sink) travels with window frames.
    pub(super) fn send(
        &mut self,
        image: &OwnedImage,
        timestamp_us: i64,
        latency_ms: f64,
    ) -> Result<(), String> {
        match self {
            Self::Encoded { writer, .. } => {
                writer.push(image, timestamp_us).map_err(|e| e.to_string())
            }
            Self::V4l2(v) => v.write(image.data.as_slice(), image.width),
            Self::Window(tx) => match tx.try_send(super::window::WindowFrame {
                latency_ms,
                ..super::window::WindowFrame::from(image)
            }) {
                // A window that has not drawn the last frame yet skips this one.
                Ok(()) | Err(std::sync::mpsc::TrySendError::Full(_)) => Ok(()),
                Err(std::sync::mpsc::TrySendError::Disconnected(_)) => {
                    Err("the window was closed".into())
                }
            },
        }
    }

    /// Flushes and closes; returns a line for the summary.
    pub(super) fn finish(self) -> Result<String, String> {
        match self {
            Self::Encoded { label, writer } => {
                let name = writer.encoder().name.clone();
                let frames = writer.finish().map_err(|e| e.to_string())?;
                Ok(format!("{label}: {frames} frame(s), {name}"))
            }
            Self::V4l2(v) => Ok(v.label().to_string()),
            Self::Window(_) => Ok("window".into()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn sink_specs_parse_and_print_back() {
        for text in [
            "window",
            "v4l2:/dev/video10",
            "stream:udp://127.0.0.1:27000",
            "record:out.mkv",
        ] {
            assert_eq!(SinkSpec::parse(text).unwrap().to_string(), text);
        }
        for bad in ["", "screen", "v4l2:", "record:", "stream:localhost"] {
            let e = SinkSpec::parse(bad).unwrap_err().to_string();
            assert!(e.starts_with("--output"), "{e}");
        }
    }

    #[test]
    fn stream_urls_pick_their_muxer() {
        assert_eq!(SinkSpec::stream_format("udp://127.0.0.1:1"), Some("mpegts"));
        assert_eq!(SinkSpec::stream_format("srt://h:1"), Some("mpegts"));
        assert_eq!(SinkSpec::stream_format("rtmp://h/app/key"), Some("flv"));
        assert_eq!(SinkSpec::stream_format("file:///tmp/x.mkv"), None);
    }

    #[test]
    fn recordings_need_a_video_name_and_do_not_overwrite() {
        let e = SinkSpec::Record("x.png".into())
            .precheck(&[], false)
            .unwrap_err();
        assert!(e.to_string().contains(".mkv"), "{e}");
        let existing =
            std::env::temp_dir().join(format!("liveswap-sink-{}.mkv", std::process::id()));
        std::fs::write(&existing, b"x").unwrap();
        let spec = SinkSpec::Record(existing.clone());
        assert!(spec.precheck(&[], false).is_err());
        assert!(spec.precheck(&[], true).is_ok());
        std::fs::remove_file(&existing).unwrap();
    }
}
