//! The `v4l2:/dev/videoN` sink: a Linux virtual camera through v4l2loopback, which
//! video-call apps list as a camera.
//!
//! Negotiation ([`negotiate`]): liveswap asks the output device for YUYV (4:2:2, what
//! webcams send and every call app takes) at the processed size, then accepts what the
//! driver answers if it is YUYV or RGB24 at that size; anything else is refused with what
//! the device offered. YUYV needs an even width: an odd-width frame loses its last column.
//! Frames are written with `write()` (v4l2loopback's documented producer path), converted by
//! [`rgb_to_yuyv`] (BT.601 limited range, as webcams send) or copied for RGB24.
//!
//! Errors before capture: a path that does not exist, a file that is not a V4L2 device, a
//! V4L2 device that is not an output (a real camera), or a format the device will not take.
//!
//! Setup (README): `sudo modprobe v4l2loopback exclusive_caps=1 video_nr=10
//! card_label=liveswap`, then `--output v4l2:/dev/video10`.

use std::path::Path;

/// Pixel layouts the sink can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Packed 4:2:2 `Y0 U Y1 V`, 2 bytes per pixel.
    Yuyv,
    /// Packed RGB, 3 bytes per pixel.
    Rgb24,
}

impl Layout {
    /// The V4L2 fourcc.
    pub fn fourcc(self) -> [u8; 4] {
        match self {
            Self::Yuyv => *b"YUYV",
            Self::Rgb24 => *b"RGB3",
        }
    }

    fn from_fourcc(f: [u8; 4]) -> Option<Self> {
        match &f {
            b"YUYV" => Some(Self::Yuyv),
            b"RGB3" => Some(Self::Rgb24),
            _ => None,
        }
    }

    /// Bytes of one frame.
    pub fn frame_bytes(self, width: u32, height: u32) -> usize {
        let per = match self {
            Self::Yuyv => 2,
            Self::Rgb24 => 3,
        };
        width as usize * height as usize * per
    }
}

/// The format both sides agreed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Negotiated {
    /// Layout written.
    pub layout: Layout,
    /// Width written (even for YUYV).
    pub width: u32,
    /// Height written.
    pub height: u32,
}

/// The request liveswap makes for a `width`×`height` frame: YUYV with an even width.
pub fn request(width: u32, height: u32) -> Negotiated {
    Negotiated {
        layout: Layout::Yuyv,
        width: width & !1,
        height,
    }
}

/// Checks the driver's answer to [`request`]: YUYV or RGB24 at the requested size.
pub fn negotiate(asked: Negotiated, answered: ([u8; 4], u32, u32)) -> Result<Negotiated, String> {
    let (fourcc, w, h) = answered;
    let layout = Layout::from_fourcc(fourcc).ok_or_else(|| {
        format!(
            "the device answered pixel format {} instead of YUYV or RGB3",
            String::from_utf8_lossy(&fourcc)
        )
    })?;
    if (w, h) != (asked.width, asked.height) {
        return Err(format!(
            "the device answered {w}x{h} instead of {}x{} (another program may hold it at another size)",
            asked.width, asked.height
        ));
    }
    let width = if layout == Layout::Yuyv { w & !1 } else { w };
    Ok(Negotiated {
        layout,
        width,
        height: h,
    })
}

fn clamp_u8(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

/// BT.601 limited-range Y, U, V of one RGB pixel (integer arithmetic, ×256 fixed point).
fn yuv601(r: i32, g: i32, b: i32) -> (i32, i32, i32) {
    let y = ((66 * r + 129 * g + 25 * b + 128) >> 8) + 16;
    let u = ((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128;
    let v = ((112 * r - 94 * g - 18 * b + 128) >> 8) + 128;
    (y, u, v)
}

/// Converts packed RGB8 (`src_width` pixels per row) to YUYV of `width` (even, ≤
/// `src_width`) × `height`: each pixel pair shares the mean of its two chroma values.
pub fn rgb_to_yuyv(rgb: &[u8], src_width: u32, width: u32, height: u32, out: &mut Vec<u8>) {
    let (sw, w, h) = (src_width as usize, (width & !1) as usize, height as usize);
    out.clear();
    out.reserve(w * h * 2);
    for y in 0..h {
        let row = &rgb[y * sw * 3..y * sw * 3 + w * 3];
        for pair in row.chunks_exact(6) {
            let (y0, u0, v0) = yuv601(pair[0].into(), pair[1].into(), pair[2].into());
            let (y1, u1, v1) = yuv601(pair[3].into(), pair[4].into(), pair[5].into());
            out.extend_from_slice(&[
                clamp_u8(y0),
                clamp_u8((u0 + u1 + 1) >> 1),
                clamp_u8(y1),
                clamp_u8((v0 + v1 + 1) >> 1),
            ]);
        }
    }
}

/// An open loopback output.
pub struct V4l2Sink {
    label: String,
    #[cfg(target_os = "linux")]
    device: v4l::Device,
    format: Negotiated,
    buffer: Vec<u8>,
}

impl std::fmt::Debug for V4l2Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("V4l2Sink")
            .field("label", &self.label)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl V4l2Sink {
    /// Opens `path` as a V4L2 output and sets the format for `width`×`height` frames.
    pub fn open(path: &Path, width: u32, height: u32) -> Result<Self, String> {
        let label = format!("v4l2:{}", path.display());
        if !path.exists() {
            return Err(format!(
                "{} does not exist (load v4l2loopback: sudo modprobe v4l2loopback exclusive_caps=1 video_nr=10 card_label=liveswap)",
                path.display()
            ));
        }
        Self::open_device(path, label, width, height)
    }

    #[cfg(target_os = "linux")]
    fn open_device(path: &Path, label: String, width: u32, height: u32) -> Result<Self, String> {
        use std::os::unix::fs::FileTypeExt;
        use v4l::video::Output;
        let is_char = std::fs::metadata(path)
            .map(|m| m.file_type().is_char_device())
            .unwrap_or(false);
        if !is_char {
            return Err(format!(
                "{} is not a video device (expected a v4l2loopback node such as /dev/video10)",
                path.display()
            ));
        }
        let device = v4l::Device::with_path(path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        let caps = device
            .query_caps()
            .map_err(|e| format!("{} is not a V4L2 device ({e})", path.display()))?;
        if !caps
            .capabilities
            .contains(v4l::capability::Flags::VIDEO_OUTPUT)
        {
            return Err(format!(
                "{} ({}, driver {}) is not a video output device: it is a camera, not a v4l2loopback node",
                path.display(),
                caps.card,
                caps.driver
            ));
        }
        let asked = request(width, height);
        let wanted = v4l::Format::new(
            asked.width,
            asked.height,
            v4l::FourCC::new(&asked.layout.fourcc()),
        );
        let got = Output::set_format(&device, &wanted)
            .map_err(|e| format!("{} refused the format: {e}", path.display()))?;
        let format = negotiate(asked, (got.fourcc.repr, got.width, got.height))?;
        tracing::info!(
            "{label}: writing {}x{} {}",
            format.width,
            format.height,
            String::from_utf8_lossy(&format.layout.fourcc())
        );
        Ok(Self {
            label,
            device,
            format,
            buffer: Vec::new(),
        })
    }

    #[cfg(not(target_os = "linux"))]
    fn open_device(_path: &Path, _label: String, _w: u32, _h: u32) -> Result<Self, String> {
        Err("v4l2 sinks exist only on Linux".into())
    }

    /// The sink's name.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Converts and writes one frame.
    pub fn write(&mut self, rgb: &[u8], src_width: u32) -> Result<(), String> {
        let f = self.format;
        match f.layout {
            Layout::Yuyv => rgb_to_yuyv(rgb, src_width, f.width, f.height, &mut self.buffer),
            Layout::Rgb24 => {
                self.buffer.clear();
                let (sw, w) = (src_width as usize * 3, f.width as usize * 3);
                for y in 0..f.height as usize {
                    self.buffer.extend_from_slice(&rgb[y * sw..y * sw + w]);
                }
            }
        }
        self.write_buffer()
    }

    #[cfg(target_os = "linux")]
    fn write_buffer(&mut self) -> Result<(), String> {
        use std::io::Write as _;
        self.device
            .write_all(&self.buffer)
            .map_err(|e| format!("writing a frame failed: {e}"))
    }

    #[cfg(not(target_os = "linux"))]
    fn write_buffer(&mut self) -> Result<(), String> {
        Err("v4l2 sinks exist only on Linux".into())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn primaries_convert_to_bt601_limited_range() {
        // White, black, red, green, blue as pixel pairs of the same colour.
        let cases: [([u8; 3], [u8; 4]); 5] = [
            ([255, 255, 255], [235, 128, 235, 128]),
            ([0, 0, 0], [16, 128, 16, 128]),
            ([255, 0, 0], [82, 90, 82, 240]),
            ([0, 255, 0], [144, 54, 144, 34]),
            ([0, 0, 255], [41, 240, 41, 110]),
        ];
        for (rgb, yuyv) in cases {
            let px: Vec<u8> = rgb.iter().chain(rgb.iter()).copied().collect();
            let mut out = Vec::new();
            rgb_to_yuyv(&px, 2, 2, 1, &mut out);
            assert_eq!(out, yuyv, "{rgb:?}");
        }
    }

    #[test]
    fn the_integer_conversion_is_within_one_step_of_the_exact_bt601_formula() {
        for r in (0..=255).step_by(15) {
            for g in (0..=255).step_by(15) {
                for b in (0..=255).step_by(15) {
                    let (y, u, v) = yuv601(r, g, b);
                    let (rf, gf, bf) = (f64::from(r), f64::from(g), f64::from(b));
                    let ey = 16.0 + (65.481 * rf + 128.553 * gf + 24.966 * bf) / 255.0;
                    let eu = 128.0 + (-37.797 * rf - 74.203 * gf + 112.0 * bf) / 255.0;
                    let ev = 128.0 + (112.0 * rf - 93.786 * gf - 18.214 * bf) / 255.0;
                    for (got, exact) in [(y, ey), (u, eu), (v, ev)] {
                        assert!(
                            (f64::from(got) - exact).abs() <= 1.0,
                            "{r} {g} {b}: {got} vs {exact}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn chroma_is_shared_by_a_pixel_pair_and_odd_widths_lose_the_last_column() {
        // 3×2 frame: black, white, (dropped red) / white, black, (dropped)
        let rgb = [
            0, 0, 0, 255, 255, 255, 255, 0, 0, //
            255, 255, 255, 0, 0, 0, 255, 0, 0,
        ];
        let mut out = Vec::new();
        rgb_to_yuyv(&rgb, 3, 3, 2, &mut out);
        assert_eq!(out.len(), Layout::Yuyv.frame_bytes(2, 2));
        assert_eq!(out, [16, 128, 235, 128, 235, 128, 16, 128]);
    }

    #[test]
    fn negotiation_accepts_yuyv_or_rgb24_at_the_asked_size_only() {
        let asked = request(641, 360);
        assert_eq!((asked.width, asked.layout), (640, Layout::Yuyv));
        assert_eq!(
            negotiate(asked, (*b"YUYV", 640, 360)).unwrap().layout,
            Layout::Yuyv
        );
        assert_eq!(
            negotiate(asked, (*b"RGB3", 640, 360)).unwrap().layout,
            Layout::Rgb24
        );
        let e = negotiate(asked, (*b"MJPG", 640, 360)).unwrap_err();
        assert!(e.contains("MJPG"), "{e}");
        let e = negotiate(asked, (*b"YUYV", 320, 240)).unwrap_err();
        assert!(e.contains("320x240"), "{e}");
    }

    #[test]
    fn missing_and_non_device_paths_are_refused_before_anything_is_written() {
        let e = V4l2Sink::open(Path::new("/dev/video99"), 64, 48).unwrap_err();
        assert!(
            e.contains("does not exist") && e.contains("modprobe v4l2loopback"),
            "{e}"
        );
        let file = std::env::temp_dir().join(format!("liveswap-v4l2-{}", std::process::id()));
        std::fs::write(&file, b"x").unwrap();
        let e = V4l2Sink::open(&file, 64, 48).unwrap_err();
        std::fs::remove_file(&file).unwrap();
        assert!(e.contains("not a video device"), "{e}");
    }
}
