//! `liveswap cameras`: the capture devices and their modes.

use super::Completion;
use super::error::CommandError;
use crate::capture::{CameraDescription, list_cameras};
use std::io::Write;

/// What to print when no camera is found.
pub const NO_CAMERA_HELP: &str = "no camera was found. Check that one is plugged in and that you may use it (on Linux: membership of the `video` group, `ls -l /dev/video*`, `v4l2-ctl --list-devices`). A video file can stand in for a camera: liveswap live --camera file:clip.mp4";

/// Lists cameras (text or JSON). No camera is not an error.
pub fn cameras(json: bool, out: &mut dyn Write) -> Result<Completion, CommandError> {
    let found = match list_cameras() {
        Ok(list) => list,
        Err(e) => {
            // A backend that cannot even list (no V4L2 in the kernel) means no camera here.
            tracing::info!("{e}");
            Vec::new()
        }
    };
    if json {
        serde_json::to_writer_pretty(&mut *out, &found)?;
        writeln!(out)?;
        if found.is_empty() {
            tracing::warn!("{NO_CAMERA_HELP}");
        }
        return Ok(Completion::Clean);
    }
    if found.is_empty() {
        writeln!(out, "{NO_CAMERA_HELP}")?;
        return Ok(Completion::Clean);
    }
    for cam in &found {
        write_camera(cam, out)?;
    }
    Ok(Completion::Clean)
}

fn write_camera(cam: &CameraDescription, out: &mut dyn Write) -> Result<(), CommandError> {
    writeln!(out, "{}: {} ({})", cam.index, cam.name, cam.path)?;
    if let Some(e) = &cam.error {
        writeln!(out, "    modes unknown: {e}")?;
    }
    for m in &cam.formats {
        writeln!(
            out,
            "    {}x{} {} fps {}",
            m.width, m.height, m.fps, m.pixel_format
        )?;
    }
    Ok(())
}
