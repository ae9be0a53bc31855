//! Per-frame data: the image being built, the untouched original, and the faces.
//!
//! Coordinates everywhere are in pixels of the frame, OpenCV convention: x = column,
//! y = row, the centre of pixel (row r, col c) is at (x = c, y = r). Images are packed RGB8
//! (3 bytes per pixel, R first) with a row `stride` in bytes that may exceed `width * 3`.
//!
//! The face list is filled once per frame by a detecting processor (the analyser) and read
//! by every later processor, so detection and recognition run once per frame whatever the
//! number of consumers.

use abi_stable::StableAbi;
use abi_stable::std_types::{ROption, RSlice, RSliceMut, RString, RVec};

/// A 2-D point in frame pixels.
pub type Point = [f32; 2];

/// Read-only RGB8 image.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy)]
pub struct ImageRef<'a> {
    /// Pixel bytes, `stride * height` long (the last row may be just `width * 3`).
    pub data: RSlice<'a, u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Bytes from one row to the next.
    pub stride: u32,
}

/// Mutable RGB8 image.
#[repr(C)]
#[derive(StableAbi, Debug)]
pub struct ImageMut<'a> {
    /// Pixel bytes, `stride * height` long (the last row may be just `width * 3`).
    pub data: RSliceMut<'a, u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Bytes from one row to the next.
    pub stride: u32,
}

impl ImageMut<'_> {
    /// A read-only view of the same pixels.
    pub fn as_ref(&self) -> ImageRef<'_> {
        ImageRef {
            data: RSlice::from_slice(self.data.as_slice()),
            width: self.width,
            height: self.height,
            stride: self.stride,
        }
    }
}

/// An owned RGB8 image (packed, `stride == width * 3`).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
pub struct OwnedImage {
    /// Pixel bytes, `width * height * 3` long.
    pub data: RVec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl OwnedImage {
    /// A borrowed view.
    pub fn as_ref(&self) -> ImageRef<'_> {
        ImageRef {
            data: RSlice::from_slice(self.data.as_slice()),
            width: self.width,
            height: self.height,
            stride: self.width * 3,
        }
    }
}

/// An identity embedding and the recognition model ("embedding space") that produced it.
/// Embeddings from different spaces are not comparable; swappers check `space`.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct Embedding {
    /// L2-normalised vector (insightface's `normed_embedding`).
    pub values: RVec<f32>,
    /// The L2 norm of the raw network output before normalising.
    pub raw_norm: f32,
    /// Identifier of the embedding space, the recognizer's model id, e.g. `"w600k_mbf"` (the manifest's `embedding_space`).
    pub space: RString,
}

/// One detected face.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct Face {
    /// `[x1, y1, x2, y2]`, not clipped to the frame.
    pub bbox: [f32; 4],
    /// Detector confidence in `[0, 1]`.
    pub score: f32,
    /// Five keypoints: left eye, right eye, nose, left and right mouth corner (as seen in the image).
    pub kps: [Point; 5],
    /// insightface 2d106det landmarks when a landmark model ran.
    pub landmarks_106: ROption<RVec<Point>>,
    /// Identity embedding when a recognition model ran.
    pub embedding: ROption<Embedding>,
    /// Stable id of the same person across frames, when tracking is on.
    pub track_id: ROption<u64>,
}

impl Face {
    /// A face with just a box, score and keypoints.
    pub fn new(bbox: [f32; 4], score: f32, kps: [Point; 5]) -> Self {
        Self {
            bbox,
            score,
            kps,
            landmarks_106: ROption::RNone,
            embedding: ROption::RNone,
            track_id: ROption::RNone,
        }
    }

    /// Box area in square pixels.
    pub fn area(&self) -> f32 {
        (self.bbox[2] - self.bbox[0]).max(0.0) * (self.bbox[3] - self.bbox[1]).max(0.0)
    }
}

/// A face from a source image ("put this person in"), prepared once per run by the host: the
/// host runs the profile's analysing processors on each source image and keeps the chosen face.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct SourceFace {
    /// Where it came from (a file path), for messages.
    pub label: RString,
    /// What the source is for: the text form of a [`crate::SourceRole`]
    /// (parse with [`crate::SourceRole::parse`]).
    pub role: RString,
    /// The whole source image, for processors that need texture (the landmark morpher).
    pub image: OwnedImage,
    /// The chosen face in that image.
    pub face: Face,
}

/// Everything one `process` call sees. The frame is borrowed, never copied across the ABI;
/// processors edit it in place. If `process` fails or panics, the host restores the frame
/// and the face list to what they were before the call.
#[repr(C)]
#[derive(StableAbi, Debug)]
pub struct FrameCtx<'a> {
    /// The frame being built; processors edit it in place.
    pub frame: ImageMut<'a>,
    /// The frame as it came from the source, before any processor ran (same size) — filled
    /// only when an enabled processor declares [`crate::caps::READS_ORIGINAL`]; otherwise an
    /// empty image (0 × 0), so that frames are not copied for nobody.
    pub original: ImageRef<'a>,
    /// What the frame is (still, video frame, live frame, source image).
    pub kind: crate::FrameKind,
    /// 0-based frame number in the run.
    pub index: u64,
    /// Presentation time in microseconds from the start of the stream (0 for images).
    pub timestamp_us: i64,
    /// Faces found so far this frame; the analyser fills it, later processors read or refine it.
    pub faces: &'a mut RVec<Face>,
    /// Source faces prepared for this run (empty when the run has no sources).
    pub sources: RSlice<'a, SourceFace>,
}
