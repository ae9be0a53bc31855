//! [`MaskF32`]: a single-channel f32 image for paste-back masks (values 0–255 before the final
//! `/255`, as insightface keeps them).
//!
//! Pipeline position: built by warping a 255-filled crop mask into the frame
//! ([`crate::warp::warp_affine_f32`]), then eroded and blurred by [`crate::blend`].

use crate::error::VisionError;
use std::fmt;

/// An owned single-channel f32 image, row-major and packed (used for paste-back masks).
#[derive(Clone, PartialEq)]
pub struct MaskF32 {
    /// `width * height` values, row-major.
    pub data: Vec<f32>,
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
}

impl MaskF32 {
    /// A mask with every value set to `value`.
    ///
    /// # Errors
    /// [`VisionError::SizeOverflow`].
    pub fn filled(width: usize, height: usize, value: f32) -> Result<Self, VisionError> {
        let len = width.checked_mul(height).ok_or(VisionError::SizeOverflow)?;
        Ok(Self {
            data: vec![value; len],
            width,
            height,
        })
    }

    /// A zero mask.
    ///
    /// # Errors
    /// [`VisionError::SizeOverflow`].
    pub fn new(width: usize, height: usize) -> Result<Self, VisionError> {
        Self::filled(width, height, 0.0)
    }

    /// Wraps row-major values; the length must be exactly `width * height`.
    ///
    /// # Errors
    /// [`VisionError::BadLength`] or [`VisionError::SizeOverflow`].
    pub fn from_vec(data: Vec<f32>, width: usize, height: usize) -> Result<Self, VisionError> {
        let mask = Self {
            data,
            width,
            height,
        };
        mask.validate()?;
        Ok(mask)
    }

    /// Re-checks that `data.len() == width * height`.
    ///
    /// # Errors
    /// As [`MaskF32::from_vec`].
    pub fn validate(&self) -> Result<(), VisionError> {
        let expected = self
            .width
            .checked_mul(self.height)
            .ok_or(VisionError::SizeOverflow)?;
        if self.data.len() == expected {
            Ok(())
        } else {
            Err(VisionError::BadLength {
                what: "mask data",
                expected,
                got: self.data.len(),
            })
        }
    }

    /// The value at (`x`, `y`), or `None` outside.
    #[must_use]
    pub fn get(&self, x: usize, y: usize) -> Option<f32> {
        if x >= self.width || y >= self.height {
            return None;
        }
        self.data.get(y * self.width + x).copied()
    }
}

impl fmt::Debug for MaskF32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MaskF32({}x{})", self.width, self.height)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn constructors_check_lengths() {
        assert!(MaskF32::from_vec(vec![0.0; 3], 2, 2).is_err());
        assert_eq!(MaskF32::filled(2, 2, 5.0).unwrap().get(1, 1), Some(5.0));
        assert_eq!(MaskF32::new(2, 2).unwrap().get(2, 0), None);
        let mut m = MaskF32::new(2, 2).unwrap();
        m.width = 3;
        assert!(m.validate().is_err());
    }
}
