//! Capture devices through nokhwa's native backend: listing (`liveswap cameras`), choosing
//! a mode, opening, and reading frames as RGB8.
//!
//! Mode choice ([`choose_mode`]): among the modes the camera lists, keep those matching
//! `--capture-size` / `--capture-fps` when given; then prefer MJPG (USB 2 cameras reach
//! 720p/1080p at 30 fps only compressed; decoding a 720p MJPG frame costs about 3 ms,
//! [`decode_mjpg`]), then the highest frame rate, then — without a requested size — the size closest
//! to 1280×720 (larger costs inference time for no gain in a call).

use super::error::CaptureError;
use super::{CameraSpec, CaptureRequest, FrameGrabber, SourceInfo};
use crate::video::Fraction;
use liveswap_sdk::OwnedImage;
use nokhwa::Camera;
use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, CameraInfo, FrameFormat, RequestedFormat,
    RequestedFormatType, Resolution,
};
use serde::Serialize;

/// One capture mode a camera offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CameraMode {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Frames per second.
    pub fps: u32,
    /// Pixel format (`MJPG`, `YUYV`, `NV12`, `GRAY`, `RAWRGB`, `RAWBGR`).
    pub pixel_format: &'static str,
}

/// A camera as `liveswap cameras` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CameraDescription {
    /// Its index for `--camera N`.
    pub index: String,
    /// Human-readable name.
    pub name: String,
    /// Device path or backend id (`/dev/video0`).
    pub path: String,
    /// Modes it offers (empty with `error` set when it could not be opened to ask).
    pub formats: Vec<CameraMode>,
    /// Why the modes could not be read (busy, permissions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

fn format_name(f: FrameFormat) -> &'static str {
    match f {
        FrameFormat::MJPEG => "MJPG",
        FrameFormat::YUYV => "YUYV",
        FrameFormat::NV12 => "NV12",
        FrameFormat::GRAY => "GRAY",
        FrameFormat::RAWRGB => "RAWRGB",
        FrameFormat::RAWBGR => "RAWBGR",
    }
}

fn mode_of(f: &CameraFormat) -> CameraMode {
    CameraMode {
        width: f.width(),
        height: f.height(),
        fps: f.frame_rate(),
        pixel_format: format_name(f.format()),
    }
}

fn backend() -> ApiBackend {
    nokhwa::native_api_backend().unwrap_or(ApiBackend::Auto)
}

fn query() -> Result<Vec<CameraInfo>, CaptureError> {
    nokhwa::query(backend()).map_err(|e| CaptureError::Query(e.to_string()))
}

fn path_of(info: &CameraInfo) -> String {
    // nokhwa's V4L2 backend puts the device path in `misc`/`description`; fall back to the index.
    let misc = info.misc();
    if misc.starts_with('/') {
        return misc;
    }
    let d = info.description();
    if d.starts_with('/') {
        return d.to_string();
    }
    match info.index() {
        CameraIndex::Index(n) if cfg!(target_os = "linux") => format!("/dev/video{n}"),
        other => other.as_string(),
    }
}

fn any_format() -> RequestedFormat<'static> {
    RequestedFormat::new::<RgbFormat>(RequestedFormatType::None)
}

/// Every camera the native backend lists, with its modes.
pub fn list_cameras() -> Result<Vec<CameraDescription>, CaptureError> {
    let infos = query()?;
    Ok(infos
        .iter()
        .map(|info| {
            let (formats, error) = match Camera::new(info.index().clone(), any_format())
                .and_then(|mut c| c.compatible_camera_formats())
            {
                Ok(list) => (list.iter().map(mode_of).collect(), None),
                Err(e) => (Vec::new(), Some(e.to_string())),
            };
            CameraDescription {
                index: info.index().as_string(),
                name: info.human_name(),
                path: path_of(info),
                formats,
                error,
            }
        })
        .collect())
}

fn found_text(infos: &[CameraInfo]) -> String {
    if infos.is_empty() {
        return "none".into();
    }
    infos
        .iter()
        .map(|i| {
            format!(
                "{}: {} ({})",
                i.index().as_string(),
                i.human_name(),
                path_of(i)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Picks the mode to open (see the module docs); `None` when nothing matches the request.
pub fn choose_mode(modes: &[CameraMode], request: CaptureRequest) -> Option<CameraMode> {
    let matching = modes.iter().filter(|m| {
        request
            .size
            .is_none_or(|(w, h)| m.width == w && m.height == h)
            && request.fps.is_none_or(|f| m.fps == f)
    });
    matching.copied().max_by_key(|m| {
        let mjpg = m.pixel_format == "MJPG";
        let area = i64::from(m.width) * i64::from(m.height);
        let closeness = -(area - 1280 * 720).abs();
        (mjpg, m.fps, closeness)
    })
}

pub(super) struct DeviceCamera {
    camera: Camera,
    label: String,
}

fn resolve(spec: &CameraSpec, infos: &[CameraInfo]) -> Option<CameraIndex> {
    match spec {
        CameraSpec::Index(n) => infos
            .iter()
            .find(|i| i.index().as_index().ok() == Some(*n))
            .map(|i| i.index().clone()),
        CameraSpec::Name(name) => {
            let needle = name.to_lowercase();
            infos
                .iter()
                .find(|i| i.human_name().to_lowercase().contains(&needle))
                .map(|i| i.index().clone())
        }
        CameraSpec::Path(p) => {
            let text = p.display().to_string();
            infos
                .iter()
                .find(|i| path_of(i) == text)
                .map(|i| i.index().clone())
                .or_else(|| {
                    // /dev/videoN works even when the listing does not show the path.
                    text.strip_prefix("/dev/video")
                        .and_then(|n| n.parse().ok())
                        .map(CameraIndex::Index)
                })
        }
        CameraSpec::File { .. } => None,
    }
}

impl DeviceCamera {
    pub(super) fn open(
        spec: &CameraSpec,
        request: CaptureRequest,
    ) -> Result<(Self, SourceInfo), CaptureError> {
        let asked = spec.to_string();
        let infos = query()?;
        if infos.is_empty() {
            return Err(CaptureError::NoCameras { asked });
        }
        let found = found_text(&infos);
        let Some(index) = resolve(spec, &infos) else {
            return Err(CaptureError::NotFound { asked, found });
        };
        let open_err = |reason: String| CaptureError::Open {
            asked: asked.clone(),
            reason,
            found: found.clone(),
        };
        let mut camera =
            Camera::new(index.clone(), any_format()).map_err(|e| open_err(e.to_string()))?;
        let formats = camera
            .compatible_camera_formats()
            .map_err(|e| open_err(e.to_string()))?;
        let modes: Vec<CameraMode> = formats.iter().map(mode_of).collect();
        let mode = choose_mode(&modes, request).ok_or_else(|| {
            open_err(format!(
                "no mode matches {}; it offers {}",
                describe_request(request),
                modes
                    .iter()
                    .map(|m| format!("{}x{}@{} {}", m.width, m.height, m.fps, m.pixel_format))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        let chosen = formats
            .iter()
            .find(|f| mode_of(f) == mode)
            .copied()
            .unwrap_or_else(|| {
                CameraFormat::new(
                    Resolution::new(mode.width, mode.height),
                    FrameFormat::MJPEG,
                    mode.fps,
                )
            });
        camera
            .set_camera_requset(RequestedFormat::new::<RgbFormat>(
                RequestedFormatType::Exact(chosen),
            ))
            .map_err(|e| open_err(e.to_string()))?;
        camera.open_stream().map_err(|e| open_err(e.to_string()))?;
        let actual = camera.camera_format();
        let label = format!(
            "{} ({}), {}x{} {} at {} fps",
            camera.info().human_name(),
            path_of(camera.info()),
            actual.width(),
            actual.height(),
            format_name(actual.format()),
            actual.frame_rate()
        );
        let info = SourceInfo {
            label: label.clone(),
            width: actual.width(),
            height: actual.height(),
            fps: Fraction {
                num: i32::try_from(actual.frame_rate()).unwrap_or(30).max(1),
                den: 1,
            },
        };
        Ok((Self { camera, label }, info))
    }
}

fn describe_request(r: CaptureRequest) -> String {
    match (r.size, r.fps) {
        (Some((w, h)), Some(f)) => format!("{w}x{h} at {f} fps"),
        (Some((w, h)), None) => format!("{w}x{h}"),
        (None, Some(f)) => format!("{f} fps"),
        (None, None) => "any mode".into(),
    }
}

impl FrameGrabber for DeviceCamera {
    fn grab(&mut self) -> Result<Option<OwnedImage>, CaptureError> {
        let read_err = |reason: String| CaptureError::Read {
            camera: self.label.clone(),
            reason,
        };
        let buffer = self.camera.frame().map_err(|e| read_err(e.to_string()))?;
        let rgb = if buffer.source_frame_format() == FrameFormat::MJPEG {
            decode_mjpg(buffer.buffer())
        } else {
            buffer
                .decode_image::<RgbFormat>()
                .map_err(|e| e.to_string())
        }
        .map_err(read_err)?;
        let (width, height) = (rgb.width(), rgb.height());
        Ok(Some(OwnedImage {
            data: rgb.into_raw().into(),
            width,
            height,
        }))
    }
}

/// One MJPG camera frame to RGB with the image crate's JPEG decoder. Why not nokhwa's
/// (mozjpeg): measured by `examples/mjpg_decode.rs` on camera-like frames, 0.90 vs 2.22 ms at
/// 640×360 and 3.04 vs 8.32 ms at 1280×720 (README, "Live figures"), on the capture thread
/// that shares the cores with processing.
fn decode_mjpg(jpeg: &[u8]) -> Result<image::RgbImage, String> {
    image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg)
        .map(image::DynamicImage::into_rgb8)
        .map_err(|e| format!("MJPG frame: {e}"))
}

impl Drop for DeviceCamera {
    fn drop(&mut self) {
        let _ = self.camera.stop_stream();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn mjpg_frames_decode_to_rgb_and_broken_ones_say_so() {
        // A 64×48 gradient encoded as a camera would (baseline JPEG, quality 90).
        let img = image::RgbImage::from_fn(64, 48, |x, y| {
            image::Rgb([(x * 4) as u8, (y * 5) as u8, 128])
        });
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
            .encode_image(&img)
            .unwrap();
        let rgb = decode_mjpg(&jpeg).unwrap();
        assert_eq!(rgb.dimensions(), (64, 48));
        let worst = rgb
            .pixels()
            .zip(img.pixels())
            .flat_map(|(a, b)| (0..3).map(move |c| a[c].abs_diff(b[c])))
            .max()
            .unwrap();
        assert!(worst < 12, "{worst}");
        let err = decode_mjpg(&jpeg[..jpeg.len() / 3]).unwrap_err();
        assert!(err.starts_with("MJPG frame:"), "{err}");
    }

    fn m(width: u32, height: u32, fps: u32, pixel_format: &'static str) -> CameraMode {
        CameraMode {
            width,
            height,
            fps,
            pixel_format,
        }
    }

    #[test]
    fn mjpg_is_preferred_then_fps_then_closeness_to_720p() {
        let modes = [
            m(1920, 1080, 5, "YUYV"),
            m(1280, 720, 10, "YUYV"),
            m(1280, 720, 30, "MJPG"),
            m(1920, 1080, 30, "MJPG"),
            m(640, 480, 30, "MJPG"),
        ];
        let any = CaptureRequest::default();
        assert_eq!(choose_mode(&modes, any), Some(m(1280, 720, 30, "MJPG")));
        let full_hd = CaptureRequest {
            size: Some((1920, 1080)),
            fps: None,
        };
        assert_eq!(
            choose_mode(&modes, full_hd),
            Some(m(1920, 1080, 30, "MJPG"))
        );
        let slow = CaptureRequest {
            size: Some((1280, 720)),
            fps: Some(10),
        };
        assert_eq!(choose_mode(&modes, slow), Some(m(1280, 720, 10, "YUYV")));
        let none = CaptureRequest {
            size: Some((320, 240)),
            fps: None,
        };
        assert_eq!(choose_mode(&modes, none), None);
    }
}
