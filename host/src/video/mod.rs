//! Video files: streamed decode → processors → encode, with audio carried along.
//!
//! Where: `liveswap run` with a video target calls [`transcode`]; `liveswap preview` calls
//! [`extract_frame`]. FFmpeg (through ffmpeg-next, linked against the system libraries)
//! demuxes, decodes, encodes and muxes; liveswap's processors see each frame as packed RGB8
//! with its run index and source timestamp, exactly like a still image.
//!
//! Why it is built this way:
//! - **Streamed and pipelined** (`runner`): decoding, processing and encoding run on
//!   three threads joined by bounded queues; no frame is written to disk, memory does not
//!   grow with the length, and order is kept.
//! - **Exact timing** (`source`, `writer`): the encoder works in the input stream's time
//!   base and every frame keeps its own timestamp and duration, so the frame count, the
//!   frame rate (30000/1001 stays 30000/1001) and variable frame timing survive.
//! - **Audio** (`audio`): copied when the output container takes the codec, re-encoded
//!   otherwise (AAC; Opus for WebM), dropped with `--no-audio`.
//! - **Encoders** (`encode`): libx264 by default, others and hardware ones on request,
//!   probed by opening with a fallback to software and one warning.
//! - **Seeking and segments** (`index`, `segment`, `join`): a run that starts later in the
//!   file seeks to the keyframe before its first frame; `--segment K/N` renders one part of
//!   a video with a warm-up, and `join` remuxes the parts into one file without re-encoding.
//! - **Safe outputs**: written under a temporary name and renamed at the end; errors,
//!   corrupt inputs and Ctrl-C leave nothing behind. Every output's container metadata
//!   carries the provenance comment ([`crate::media::provenance`]).
//!
//! ```no_run
//! # use liveswap_host::video::{transcode, VideoJob, NoObserver, Trim, EncodeOptions};
//! # use std::sync::atomic::AtomicBool;
//! let job = VideoJob {
//!     input: "in.mp4".into(),
//!     output: "out.mp4".into(),
//!     trim: "0..30".parse()?,
//!     encode: EncodeOptions::default(),
//!     audio: true,
//!     decode_threads: 1,
//!     ..Default::default()
//! };
//! // Invert every pixel of the first 30 frames.
//! let summary = transcode(
//!     &job,
//!     &mut |image, _meta| {
//!         image.data.iter_mut().for_each(|v| *v = 255 - *v);
//!         std::ops::ControlFlow::Continue(())
//!     },
//!     &mut NoObserver,
//!     &AtomicBool::new(false),
//! )?;
//! assert_eq!(summary.frames, 30);
//! # Ok::<(), liveswap_host::video::VideoError>(())
//! ```

mod audio;
mod encode;
mod error;
mod ffi;
mod frames;
mod index;
mod join;
mod progress;
mod push;
mod runner;
mod segment;
mod source;
mod timing;
mod trim;
mod writer;

pub use audio::AudioOutcome;
pub use encode::{
    Api, DEFAULT_QUALITY, EncodeOptions, EncoderRequest, Family, KNOWN_ENCODERS, KnownEncoder,
    MAX_QUALITY, Preset, default_encoder_threads, encoder_options,
};
pub use error::VideoError;
pub use frames::for_each_frame;
pub use index::FrameIndex;
pub use join::{JoinJob, JoinSummary, join_segments};
pub use progress::{Progress, ProgressStyle, clock, rate_and_eta};
pub use push::{PushSpec, PushWriter};
pub use runner::{
    FrameMeta, FrameObserver, FrameRange, FrameTiming, NoObserver, QUEUE_FRAMES, Seeking,
    StageTotals, TranscodeSummary, VideoJob, extract_frame, transcode,
};
pub use segment::{
    MANIFEST_FORMAT, ManifestEncoder, ManifestFrames, ManifestProfile, ManifestSource,
    ManifestTimes, SegmentManifest, SegmentSpec, aligned_warmup,
};
pub use source::{AudioInfo, Fraction, FrameReader, FrameTime, VideoInfo};
pub use trim::{FramePoint, Trim, TrimPosition};
pub use writer::EncoderChoice;

use std::sync::OnceLock;

/// Initialises FFmpeg once per process and quiets its own logging: liveswap reports
/// errors itself. With `-vv` (debug logging) FFmpeg's warnings are shown too.
pub fn init() -> Result<(), VideoError> {
    static INIT: OnceLock<Result<(), String>> = OnceLock::new();
    INIT.get_or_init(|| {
        ffmpeg_next::init().map_err(|e| e.to_string())?;
        let level = if tracing::enabled!(tracing::Level::DEBUG) {
            ffmpeg_next::log::Level::Warning
        } else {
            ffmpeg_next::log::Level::Quiet
        };
        ffmpeg_next::log::set_level(level);
        Ok(())
    })
    .clone()
    .map_err(|reason| VideoError::Init { reason })
}

/// Reads what a video contains without decoding it.
pub fn probe(path: &std::path::Path) -> Result<VideoInfo, VideoError> {
    source::VideoSource::open(path, 1).map(|(_, info)| info)
}

/// Indexes the video stream's frames by demuxing the file (nothing is decoded); `None`
/// when the file's frames do not all carry their own timestamp.
pub fn frame_index(path: &std::path::Path) -> Result<Option<FrameIndex>, VideoError> {
    source::VideoSource::open(path, 1)?.0.scan_index()
}
