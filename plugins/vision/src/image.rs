//! Minimal 8-bit image containers: borrowed views (with a row stride) and an owned packed image.
//!
//! These are the currency of every other module. Frames arrive from the host as packed RGB8
//! (channels interleaved, rows possibly padded: `stride` is in bytes and may exceed
//! `width * channels`). Crops, letterboxes and warps produce an owned [`Image`] with no padding.
//! Masks used by paste-back feathering are single-channel [`crate::mask::MaskF32`], boxes are
//! [`crate::rect::Rect`].
//!
//! Conventions:
//! * pixel (row `y`, column `x`) starts at byte `y * stride + x * channels`;
//! * channel order is whatever the caller put in; the algorithms here are channel-agnostic
//!   (resize and warp treat channels independently), except drawing, which writes `[r, g, b]`
//!   into the first three channels;
//! * 1, 3 or 4 channels are accepted;
//! * fields are public for cheap interop, so every operation re-checks a view with
//!   [`ImageView::validate`] before touching pixels, and a malformed view is an error, never a panic.

use crate::error::VisionError;
use crate::rect::Rect;
use std::fmt;

/// Checks channels, stride and buffer length for a `width × height` image.
fn check_layout(
    len: usize,
    width: usize,
    height: usize,
    stride: usize,
    channels: usize,
) -> Result<(), VisionError> {
    if !matches!(channels, 1 | 3 | 4) {
        return Err(VisionError::UnsupportedChannels { channels });
    }
    let row = width
        .checked_mul(channels)
        .ok_or(VisionError::SizeOverflow)?;
    if stride < row {
        return Err(VisionError::StrideTooSmall { stride, min: row });
    }
    let needed = match height {
        0 => 0,
        h => stride
            .checked_mul(h - 1)
            .and_then(|v| v.checked_add(row))
            .ok_or(VisionError::SizeOverflow)?,
    };
    if len < needed {
        return Err(VisionError::BadLength {
            what: "image data",
            expected: needed,
            got: len,
        });
    }
    Ok(())
}

/// A borrowed, read-only 8-bit image with a row stride in bytes.
#[derive(Clone, Copy)]
pub struct ImageView<'a> {
    /// Pixel bytes; at least `stride * (height - 1) + width * channels` long.
    pub data: &'a [u8],
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Distance between the starts of two rows, in bytes (`>= width * channels`).
    pub stride: usize,
    /// Interleaved channels per pixel: 1, 3 or 4.
    pub channels: usize,
}

impl<'a> ImageView<'a> {
    /// A view over `data`, validated.
    ///
    /// # Errors
    /// [`VisionError`] when the channel count, stride or buffer length is inconsistent.
    pub fn new(
        data: &'a [u8],
        width: usize,
        height: usize,
        stride: usize,
        channels: usize,
    ) -> Result<Self, VisionError> {
        let view = Self {
            data,
            width,
            height,
            stride,
            channels,
        };
        view.validate()?;
        Ok(view)
    }

    /// A view over tightly packed rows (`stride = width * channels`).
    ///
    /// # Errors
    /// As [`ImageView::new`].
    pub fn packed(
        data: &'a [u8],
        width: usize,
        height: usize,
        channels: usize,
    ) -> Result<Self, VisionError> {
        let stride = width
            .checked_mul(channels)
            .ok_or(VisionError::SizeOverflow)?;
        Self::new(data, width, height, stride, channels)
    }

    /// Re-checks the public fields; every operation calls this before reading pixels.
    ///
    /// # Errors
    /// As [`ImageView::new`].
    pub fn validate(&self) -> Result<(), VisionError> {
        check_layout(
            self.data.len(),
            self.width,
            self.height,
            self.stride,
            self.channels,
        )
    }

    /// The `channels` bytes of pixel (`x`, `y`), or `None` outside the image or buffer.
    #[must_use]
    pub fn pixel(&self, x: usize, y: usize) -> Option<&'a [u8]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let start = y.checked_mul(self.stride)?.checked_add(x * self.channels)?;
        self.data.get(start..start.checked_add(self.channels)?)
    }

    /// A borrowed sub-image (same stride) covering `rect` clipped to this image.
    ///
    /// # Errors
    /// As [`ImageView::validate`].
    pub fn sub(&self, rect: Rect) -> Result<ImageView<'a>, VisionError> {
        self.validate()?;
        let r = rect.clip(self.width, self.height);
        let start = r.y0 * self.stride + r.x0 * self.channels;
        let data = if r.is_empty() {
            &self.data[..0]
        } else {
            &self.data[start..]
        };
        Ok(ImageView {
            data,
            width: r.width(),
            height: r.height(),
            stride: self.stride,
            channels: self.channels,
        })
    }

    /// A packed owned copy.
    ///
    /// # Errors
    /// As [`ImageView::validate`].
    pub fn to_image(&self) -> Result<Image, VisionError> {
        self.validate()?;
        let row = self.width * self.channels;
        let mut data = Vec::with_capacity(row * self.height);
        for y in 0..self.height {
            let start = y * self.stride;
            data.extend_from_slice(&self.data[start..start + row]);
        }
        Image::from_vec(data, self.width, self.height, self.channels)
    }
}

impl fmt::Debug for ImageView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ImageView({}x{}x{}, stride {}, {} bytes)",
            self.width,
            self.height,
            self.channels,
            self.stride,
            self.data.len()
        )
    }
}

/// A borrowed, writable 8-bit image with a row stride in bytes (same layout as [`ImageView`]).
pub struct ImageViewMut<'a> {
    /// Pixel bytes; at least `stride * (height - 1) + width * channels` long.
    pub data: &'a mut [u8],
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Distance between the starts of two rows, in bytes (`>= width * channels`).
    pub stride: usize,
    /// Interleaved channels per pixel: 1, 3 or 4.
    pub channels: usize,
}

impl<'a> ImageViewMut<'a> {
    /// A writable view over `data`, validated.
    ///
    /// # Errors
    /// [`VisionError`] when the channel count, stride or buffer length is inconsistent.
    pub fn new(
        data: &'a mut [u8],
        width: usize,
        height: usize,
        stride: usize,
        channels: usize,
    ) -> Result<Self, VisionError> {
        check_layout(data.len(), width, height, stride, channels)?;
        Ok(Self {
            data,
            width,
            height,
            stride,
            channels,
        })
    }

    /// Re-checks the public fields.
    ///
    /// # Errors
    /// As [`ImageViewMut::new`].
    pub fn validate(&self) -> Result<(), VisionError> {
        check_layout(
            self.data.len(),
            self.width,
            self.height,
            self.stride,
            self.channels,
        )
    }

    /// A read-only view of the same pixels.
    #[must_use]
    pub fn as_view(&self) -> ImageView<'_> {
        ImageView {
            data: self.data,
            width: self.width,
            height: self.height,
            stride: self.stride,
            channels: self.channels,
        }
    }

    /// The bytes of pixel (`x`, `y`), or `None` outside the image or buffer.
    pub fn pixel_mut(&mut self, x: usize, y: usize) -> Option<&mut [u8]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let start = y.checked_mul(self.stride)?.checked_add(x * self.channels)?;
        let end = start.checked_add(self.channels)?;
        self.data.get_mut(start..end)
    }
}

impl fmt::Debug for ImageViewMut<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ImageViewMut{:?}", self.as_view())
    }
}

/// An owned, tightly packed 8-bit image (`stride = width * channels`).
#[derive(Clone, PartialEq, Eq)]
pub struct Image {
    /// `height` rows of `width * channels` bytes.
    pub data: Vec<u8>,
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Interleaved channels per pixel: 1, 3 or 4.
    pub channels: usize,
}

impl Image {
    /// A zero-filled (black) image.
    ///
    /// # Errors
    /// [`VisionError::UnsupportedChannels`] or [`VisionError::SizeOverflow`].
    pub fn new(width: usize, height: usize, channels: usize) -> Result<Self, VisionError> {
        let len = width
            .checked_mul(height)
            .and_then(|v| v.checked_mul(channels))
            .ok_or(VisionError::SizeOverflow)?;
        Self::from_vec(vec![0; len], width, height, channels)
    }

    /// Wraps packed pixel bytes; the length must be exactly `width * height * channels`.
    ///
    /// # Errors
    /// [`VisionError`] when the length or channel count is wrong.
    pub fn from_vec(
        data: Vec<u8>,
        width: usize,
        height: usize,
        channels: usize,
    ) -> Result<Self, VisionError> {
        if !matches!(channels, 1 | 3 | 4) {
            return Err(VisionError::UnsupportedChannels { channels });
        }
        let expected = width
            .checked_mul(height)
            .and_then(|v| v.checked_mul(channels))
            .ok_or(VisionError::SizeOverflow)?;
        if data.len() != expected {
            return Err(VisionError::BadLength {
                what: "image data",
                expected,
                got: data.len(),
            });
        }
        Ok(Self {
            data,
            width,
            height,
            channels,
        })
    }

    /// Bytes per row.
    #[must_use]
    pub const fn stride(&self) -> usize {
        self.width * self.channels
    }

    /// A read-only view.
    #[must_use]
    pub fn view(&self) -> ImageView<'_> {
        ImageView {
            data: &self.data,
            width: self.width,
            height: self.height,
            stride: self.stride(),
            channels: self.channels,
        }
    }

    /// A writable view.
    pub fn view_mut(&mut self) -> ImageViewMut<'_> {
        let stride = self.stride();
        ImageViewMut {
            data: &mut self.data,
            width: self.width,
            height: self.height,
            stride,
            channels: self.channels,
        }
    }

    /// The bytes of pixel (`x`, `y`), or `None` outside.
    #[must_use]
    pub fn pixel(&self, x: usize, y: usize) -> Option<&[u8]> {
        self.view().pixel(x, y)
    }
}

impl fmt::Debug for Image {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Image({}x{}x{})", self.width, self.height, self.channels)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn view_validation_rejects_bad_layouts() {
        let buf = [0u8; 10];
        assert_eq!(
            ImageView::new(&buf, 2, 2, 5, 2).unwrap_err(),
            VisionError::UnsupportedChannels { channels: 2 }
        );
        assert!(matches!(
            ImageView::new(&buf, 2, 2, 5, 3),
            Err(VisionError::StrideTooSmall { stride: 5, min: 6 })
        ));
        // 2 rows of 3 px RGB with stride 9 need 9 + 9 = 18 bytes.
        assert!(matches!(
            ImageView::new(&buf, 3, 2, 9, 3),
            Err(VisionError::BadLength { expected: 18, .. })
        ));
        // The last row needs no padding: stride 4, 1 channel, 3 px wide, 3 rows = 4+4+3 > 10,
        // but 2 rows = 4+3 fit.
        assert!(ImageView::new(&buf[..], 3, 3, 4, 1).is_err());
        let ok = ImageView::new(&buf[..], 3, 2, 4, 1).unwrap();
        assert_eq!(ok.pixel(2, 1), Some(&buf[6..7]));
        assert_eq!(ok.pixel(3, 0), None);
        assert!(ImageView::new(&buf, usize::MAX, 2, 1, 3).is_err());
    }

    #[test]
    fn sub_view_and_to_image_respect_stride() {
        // 3x2 gray image with stride 4 (one padding byte per row).
        let buf = [1u8, 2, 3, 99, 4, 5, 6];
        let v = ImageView::new(&buf, 3, 2, 4, 1).unwrap();
        assert_eq!(v.to_image().unwrap().data, vec![1, 2, 3, 4, 5, 6]);
        let s = v.sub(Rect::new(1, 0, 10, 2)).unwrap();
        assert_eq!((s.width, s.height), (2, 2));
        assert_eq!(s.to_image().unwrap().data, vec![2, 3, 5, 6]);
        let e = v.sub(Rect::new(5, 5, 9, 9)).unwrap();
        assert_eq!((e.width, e.height), (0, 0));
        assert!(e.to_image().unwrap().data.is_empty());
    }

    #[test]
    fn owned_constructors_check_lengths() {
        assert!(Image::from_vec(vec![0; 5], 2, 1, 3).is_err());
        let img = Image::new(2, 1, 3).unwrap();
        assert_eq!(img.data.len(), 6);
    }
}
