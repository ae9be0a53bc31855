//! Errors reading, processing or writing a video.

use std::path::PathBuf;

/// A video run that cannot start or cannot finish. Whatever the variant, no output file is
/// left behind: the writer works on a temporary file that is only renamed on success.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum VideoError {
    /// FFmpeg could not be initialised (a broken installation of its libraries).
    ///
    /// ## Resolution
    /// Reinstall the FFmpeg libraries (`host/scripts/setup.sh` lists the packages).
    #[error("cannot initialise FFmpeg: {reason}")]
    Init {
        /// FFmpeg's message.
        reason: String,
    },
    /// The input does not exist, or FFmpeg cannot read it as a media file (unknown format,
    /// damaged header, a truncated MP4 whose index is missing, …).
    ///
    /// ## Resolution
    /// Check the path; play the file in a media player; re-export or re-download a damaged
    /// file. Run with `-vv` to see FFmpeg's own messages.
    #[error("{path}: cannot open as a video: {reason}")]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The input has no video stream (an audio file, a subtitle file).
    ///
    /// ## Resolution
    /// Pass a file with a video track.
    #[error("{path}: has no video stream")]
    NoVideoStream {
        /// The file.
        path: PathBuf,
    },
    /// The video data is corrupt or ends early: a packet could not be read or decoded, or
    /// far fewer frames came out than the file declares.
    ///
    /// ## Resolution
    /// The file is damaged or incomplete: re-export or re-download it. `--trim` can process
    /// the intact part.
    #[error("{path}: corrupt or truncated video at {at}: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Where (frame number and time).
        at: String,
        /// What failed.
        reason: String,
    },
    /// The output name does not name a container FFmpeg can write, or names a still image
    /// while the target is a video.
    ///
    /// ## Resolution
    /// End the output name in `.mp4`, `.mkv`, `.mov`, `.webm` or `.avi`; use
    /// `liveswap preview` to get one frame as an image.
    #[error("{path}: {reason}")]
    OutputFormat {
        /// The output file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// `--video-encoder` names an encoder liveswap does not know.
    ///
    /// ## Resolution
    /// Use `auto` or one of the names listed in the message.
    #[error("--video-encoder {name}: unknown encoder (known: {known})")]
    UnknownEncoder {
        /// The name given.
        name: String,
        /// The names liveswap knows.
        known: String,
    },
    /// No encoder could be opened: neither the one asked for nor its software fallbacks.
    ///
    /// ## Resolution
    /// Install an FFmpeg with the software encoder (Debian: `libavcodec59` with x264, x265,
    /// vpx, aom and svt-av1), or choose another `--video-encoder`.
    #[error("no usable video encoder: {tried}")]
    NoEncoder {
        /// Each encoder tried, with its error.
        tried: String,
    },
    /// The output container cannot hold the chosen video codec (e.g. H.264 in WebM).
    ///
    /// ## Resolution
    /// Pick an encoder the container accepts (WebM: `libvpx-vp9` or an AV1 encoder) or
    /// another output extension.
    #[error("{container} cannot hold {codec} video; {hint}")]
    CodecNotInContainer {
        /// The codec name.
        codec: String,
        /// The container name.
        container: String,
        /// What to use instead.
        hint: String,
    },
    /// A video option is out of range or malformed (`--trim`, `--video-preset`, `--frame`…).
    ///
    /// ## Resolution
    /// Follow the message; `liveswap help run` documents each option.
    #[error("{option}: {reason}")]
    BadOption {
        /// The option.
        option: String,
        /// Why.
        reason: String,
    },
    /// `--trim` or `--frame` selects no frame of this video.
    ///
    /// ## Resolution
    /// The message gives the video's length; choose a range inside it.
    #[error("{what} selects no frame: the video has {frames} frame(s)")]
    NothingSelected {
        /// The option and its value.
        what: String,
        /// Frames decoded.
        frames: u64,
    },
    /// The audio track could not be copied or re-encoded.
    ///
    /// ## Resolution
    /// Pass `--no-audio` to drop it, or choose a container that holds the audio codec
    /// (`.mkv` holds nearly everything).
    #[error("audio: {reason}")]
    Audio {
        /// Why.
        reason: String,
    },
    /// Encoding or writing the output failed (disk full, permissions, muxer refused).
    ///
    /// ## Resolution
    /// Check free space and permissions of the output folder.
    #[error("{path}: cannot write: {reason}")]
    Write {
        /// The output file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The user stopped the run (Ctrl-C / SIGINT / SIGTERM). No output was written and an
    /// existing file at the output name was left untouched.
    ///
    /// ## Resolution
    /// Run again; use `--trim` to process part of a long video.
    #[error("cancelled after {done} of {total} frame(s); no output written")]
    Cancelled {
        /// Frames processed before stopping.
        done: u64,
        /// Frames the run would have processed (an estimate when the container does not say).
        total: String,
    },
    /// The processing stopped the run at a frame (a processor refused it). No output was
    /// written; the caller reports why.
    ///
    /// ## Resolution
    /// See the processor's message.
    #[error("stopped at frame {frame}; no output written")]
    Stopped {
        /// The frame (0-based in the run) that stopped it.
        frame: u64,
    },
    /// A segment file or manifest given to `liveswap join` is unreadable, damaged, or does
    /// not belong with the others (another source, other settings, missing, overlapping).
    ///
    /// ## Resolution
    /// The message names the segment and what differs: render the missing or foreign
    /// segments again with the same `liveswap run … --segment K/N` command as the others.
    #[error("{path}: {reason}")]
    BadSegment {
        /// The segment (or its manifest).
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Segments that cannot be joined as a whole (one missing, counts that differ).
    ///
    /// ## Resolution
    /// Follow the message: it names the missing segments and the command that renders them.
    #[error("cannot join: {reason}")]
    Join {
        /// Why.
        reason: String,
    },
    /// A worker thread of the pipeline panicked (a bug).
    ///
    /// ## Resolution
    /// Report it with the message.
    #[error("internal error in the {thread} thread: {reason}")]
    Internal {
        /// Which thread.
        thread: &'static str,
        /// The panic message.
        reason: String,
    },
}
