//! The `window` sink: a plain preview window (the full desktop UI is `crate::ui`'s).
//!
//! Where: iced must own the main thread, so when `window` is among the outputs the command
//! runs the live loop on a worker thread and calls [`run_window`] on the main thread; the
//! sink thread hands frames over through a one-frame channel (a frame the window has not
//! drawn yet is skipped, never queued). Closing the window ends the run like Ctrl-C.
//!
//! Without a display (`DISPLAY` and `WAYLAND_DISPLAY` unset on Linux), [`check_display`]
//! fails the run before the camera opens.

use liveswap_sdk::OwnedImage;

/// One frame for the window, as RGBA (what iced's image widget takes).
#[derive(Debug, Clone)]
pub struct WindowFrame {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// RGBA8 pixels.
    pub rgba: Vec<u8>,
    /// Capture → sink latency of this frame, ms (what the stats measure).
    pub latency_ms: f64,
}

impl From<&OwnedImage> for WindowFrame {
    fn from(image: &OwnedImage) -> Self {
        let mut rgba = Vec::with_capacity(image.width as usize * image.height as usize * 4);
        for px in image.data.as_slice().chunks_exact(3) {
            rgba.extend_from_slice(&[px[0], px[1], px[2], 255]);
        }
        Self {
            width: image.width,
            height: image.height,
            rgba,
            latency_ms: 0.0,
        }
    }
}

/// Whether a window can be shown here; the error says why not.
pub fn check_display() -> Result<(), String> {
    if cfg!(target_os = "linux") {
        let set = |v: &str| std::env::var_os(v).is_some_and(|s| !s.is_empty());
        if !set("DISPLAY") && !set("WAYLAND_DISPLAY") {
            return Err(
                "no display: DISPLAY and WAYLAND_DISPLAY are unset (use --output record:FILE, stream:URL or v4l2:/dev/videoN here)"
                    .into(),
            );
        }
    }
    Ok(())
}
