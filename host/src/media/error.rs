//! Errors reading or writing media.

use std::path::PathBuf;

/// A media file that cannot be read or written.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// The input does not exist or cannot be opened.
    ///
    /// ## Resolution
    /// Check the path.
    #[error("{path}: cannot open: {reason}")]
    Open {
        /// The file.
        path: PathBuf,
        /// The OS error.
        reason: String,
    },
    /// The input is not an image this build can decode, or it is corrupt or truncated.
    ///
    /// ## Resolution
    /// Use a PNG, JPEG, BMP, WebP or TIFF file; re-export the file if it is damaged.
    #[error("{path}: not a readable image: {reason}")]
    Decode {
        /// The file.
        path: PathBuf,
        /// The decoder's reason.
        reason: String,
    },
    /// The output name's extension is not an image format this build writes (BMP is not
    /// written: it cannot carry the provenance tag).
    ///
    /// ## Resolution
    /// End the output name in `.png`, `.jpg`, `.webp` or `.tiff`.
    #[error(
        "{path}: cannot tell the output format from the file name (use .png, .jpg, .webp or .tiff)"
    )]
    OutputFormat {
        /// The output file.
        path: PathBuf,
    },
    /// The output would replace an input of the same run.
    ///
    /// ## Resolution
    /// Choose another output name.
    #[error("{path}: output is the same file as an input; refusing to overwrite it")]
    SameAsInput {
        /// The file.
        path: PathBuf,
    },
    /// The output exists and `--overwrite` was not given.
    ///
    /// ## Resolution
    /// Choose another name, or pass `--overwrite`.
    #[error("{path}: already exists (pass --overwrite to replace it)")]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// Encoding or writing failed.
    ///
    /// ## Resolution
    /// Check free space and permissions of the output folder.
    #[error("{path}: cannot write: {reason}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The reason.
        reason: String,
    },
}
