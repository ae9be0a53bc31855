//! Views of sdk frames as vision images — the adapter every face plugin needs, in one place.
//!
//! Where: at the top of a processor's `process`, to turn `FrameCtx::frame` (an
//! [`ImageMut`], packed RGB8 with a byte stride) or `FrameCtx::original` (an [`ImageRef`])
//! into an [`ImageView`] / [`ImageViewMut`] that the alignment, warp and blending functions of
//! this crate take. No pixel is copied. Only with the `sdk` feature (on for every liveswap
//! plugin; third-party plugins enable it too).
//!
//! ```
//! use liveswap_sdk::{ImageMut, abi_stable::std_types::RSliceMut};
//! use liveswap_vision::frames;
//!
//! let mut pixels = vec![0u8; 4 * 2 * 3];
//! let mut frame = ImageMut { data: RSliceMut::from_mut_slice(&mut pixels), width: 4, height: 2, stride: 12 };
//! let view = frames::frame_view(&frame)?;
//! assert_eq!((view.width, view.height), (4, 2));
//! frames::frame_view_mut(&mut frame)?.data[0] = 255;
//! assert_eq!(pixels[0], 255);
//! # Ok::<(), liveswap_sdk::SdkError>(())
//! ```

use crate::{ImageView, ImageViewMut, VisionError};
use liveswap_sdk::{ImageMut, ImageRef, SdkError, SdkResult};

/// Maps a vision error to an sdk input error prefixed with `what`
/// (`.map_err(vision_err("aligning the face"))`).
pub fn vision_err(what: &str) -> impl Fn(VisionError) -> SdkError + '_ {
    move |e| SdkError::input(format!("{what}: {e}"))
}

/// A read-only view of an sdk image (e.g. `FrameCtx::original`, a source face's image).
pub fn view<'a>(image: &ImageRef<'a>) -> SdkResult<ImageView<'a>> {
    ImageView::new(
        image.data.as_slice(),
        image.width as usize,
        image.height as usize,
        image.stride as usize,
        3,
    )
    .map_err(vision_err("image layout"))
}

/// A read-only view of the frame being built.
pub fn frame_view<'a>(frame: &'a ImageMut<'_>) -> SdkResult<ImageView<'a>> {
    view(&frame.as_ref())
}

/// A mutable view of the frame being built.
pub fn frame_view_mut<'a>(frame: &'a mut ImageMut<'_>) -> SdkResult<ImageViewMut<'a>> {
    let (w, h, s) = (
        frame.width as usize,
        frame.height as usize,
        frame.stride as usize,
    );
    ImageViewMut::new(frame.data.as_mut_slice(), w, h, s, 3).map_err(vision_err("frame layout"))
}
