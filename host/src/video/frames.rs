//! Decode-only access to a video's frames, for commands that look at frames without
//! writing a video (`liveswap faces`).

use super::VideoError;
use super::source::{FrameTime, RgbConverter, VideoInfo, VideoSource};
use liveswap_sdk::OwnedImage;
use std::path::Path;

/// Calls `f` with every `every`-th frame (0, every, 2·every, … by source index) as packed
/// RGB8, in presentation order, until the end or until `f` returns `false`. Returns the
/// video's description and how many frames were decoded.
pub fn for_each_frame(
    path: &Path,
    every: u64,
    f: &mut dyn FnMut(OwnedImage, &FrameTime) -> bool,
) -> Result<(VideoInfo, u64), VideoError> {
    let (mut source, info) = VideoSource::open(path, 1)?;
    let mut converter = RgbConverter::new();
    let mut seen = 0;
    while let Some(raw) = source.next_frame()? {
        seen += 1;
        if raw.time.source_index % every.max(1) != 0 {
            continue;
        }
        let image = converter
            .convert(&raw.frame)
            .map_err(|e| VideoError::Corrupt {
                path: path.into(),
                at: format!("frame {}", raw.time.source_index),
                reason: format!("cannot convert to RGB: {e}"),
            })?;
        if !f(image, &raw.time) {
            break;
        }
    }
    Ok((info, seen))
}
