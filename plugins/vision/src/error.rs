//! The one error type of this crate.
//!
//! Every operation that takes an image, a mask or raw network outputs validates its input first and
//! reports a [`VisionError`] instead of panicking, so a malformed frame can become a skipped frame
//! in the plugin (house style §19) rather than a crash across the plugin boundary.
//! `Display` and `std::error::Error` are written by hand because the crate has no dependencies.

use std::fmt;

/// Why a vision operation refused its input.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VisionError {
    /// The channel count is not 1, 3 or 4.
    UnsupportedChannels {
        /// The channel count that was given.
        channels: usize,
    },
    /// `width * height * channels` (or a stride product) does not fit in `usize`.
    SizeOverflow,
    /// The row stride in bytes is smaller than `width * channels`.
    StrideTooSmall {
        /// The stride that was given.
        stride: usize,
        /// The smallest valid stride, `width * channels`.
        min: usize,
    },
    /// A pixel buffer or slice is shorter (or, for exact-size inputs, longer) than its dimensions need.
    BadLength {
        /// What was being checked (for example `"image data"` or `"bbox outputs"`).
        what: &'static str,
        /// The length the dimensions call for.
        expected: usize,
        /// The length that was given.
        got: usize,
    },
    /// The operation needs a non-empty source image (for example resizing a 0×0 image).
    EmptyImage,
    /// Two images that must have the same channel count do not.
    ChannelMismatch {
        /// Channels of the source.
        src: usize,
        /// Channels of the destination.
        dst: usize,
    },
    /// A parameter is outside its documented range (for example an even Gaussian kernel size).
    InvalidParameter {
        /// Which parameter, and the rule it broke.
        what: &'static str,
    },
    /// A transform could not be estimated: the points are degenerate (all equal, or not finite).
    DegenerateTransform,
}

impl fmt::Display for VisionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnsupportedChannels { channels } => {
                write!(
                    f,
                    "unsupported channel count {channels} (expected 1, 3 or 4)"
                )
            }
            Self::SizeOverflow => f.write_str("image dimensions overflow usize"),
            Self::StrideTooSmall { stride, min } => {
                write!(
                    f,
                    "row stride {stride} is smaller than width*channels = {min}"
                )
            }
            Self::BadLength {
                what,
                expected,
                got,
            } => write!(f, "{what}: expected length {expected}, got {got}"),
            Self::EmptyImage => f.write_str("the source image is empty"),
            Self::ChannelMismatch { src, dst } => {
                write!(
                    f,
                    "channel mismatch: source has {src}, destination has {dst}"
                )
            }
            Self::InvalidParameter { what } => write!(f, "invalid parameter: {what}"),
            Self::DegenerateTransform => {
                f.write_str("cannot estimate a transform from degenerate points")
            }
        }
    }
}

impl std::error::Error for VisionError {}
