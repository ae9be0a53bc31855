//! Output files: the checks made before any work, and the write-to-a-temporary-then-rename
//! rule that keeps half-written files from ever appearing under the output name.
//!
//! Used by still images ([`super::save_rgb`]) and by the video writer (`crate::video`): both
//! write into a [`TempOutput`] beside the destination and [`TempOutput::commit`] it only
//! when everything worked. Dropping an uncommitted one deletes the temporary file, so an
//! error, a panic unwinding through the writer, or a cancelled run leaves nothing behind.

use super::error::MediaError;
use std::path::{Path, PathBuf};

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Checks that `output` is not one of `inputs` (after resolving links) and, unless
/// `overwrite`, does not exist yet. Says nothing about the format.
pub fn check_output_target(
    output: &Path,
    inputs: &[&Path],
    overwrite: bool,
) -> Result<(), MediaError> {
    if inputs.iter().any(|i| same_file(i, output)) {
        return Err(MediaError::SameAsInput {
            path: output.into(),
        });
    }
    if output.exists() && !overwrite {
        return Err(MediaError::Exists {
            path: output.into(),
        });
    }
    Ok(())
}

/// A file being written under a temporary name in the destination's folder
/// (`.NAME.partial-PID.EXT`: hidden, same extension so format guessing still works).
#[derive(Debug)]
pub struct TempOutput {
    tmp: PathBuf,
    dest: PathBuf,
    committed: bool,
}

impl TempOutput {
    /// Prepares a temporary name for `dest`, creating the destination folder if needed.
    /// Nothing is written yet.
    pub fn new(dest: &Path) -> Result<Self, MediaError> {
        let write_err = |reason: String| MediaError::Write {
            path: dest.into(),
            reason,
        };
        if let Some(parent) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| write_err(format!("cannot create {}: {e}", parent.display())))?;
        }
        let stem = dest
            .file_stem()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = match dest.extension() {
            Some(ext) => format!(
                ".{stem}.partial-{}.{}",
                std::process::id(),
                ext.to_string_lossy()
            ),
            None => format!(".{stem}.partial-{}", std::process::id()),
        };
        Ok(Self {
            tmp: dest.with_file_name(name),
            dest: dest.into(),
            committed: false,
        })
    }

    /// Where to write.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// The final name.
    pub fn destination(&self) -> &Path {
        &self.dest
    }

    /// Renames the finished file into place (replacing an existing destination, which the
    /// caller has allowed with `--overwrite`).
    pub fn commit(mut self) -> Result<(), MediaError> {
        std::fs::rename(&self.tmp, &self.dest).map_err(|e| MediaError::Write {
            path: self.dest.clone(),
            reason: e.to_string(),
        })?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for TempOutput {
    fn drop(&mut self) {
        if !self.committed {
            // The file may never have been created; nothing to report either way.
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn temp_output_is_removed_unless_committed() {
        let d = std::env::temp_dir().join(format!("liveswap-tempout-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        let dest = d.join("sub/clip.mp4");
        let t = TempOutput::new(&dest).unwrap();
        assert_eq!(t.path().extension().unwrap(), "mp4");
        assert!(
            t.path()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".clip.partial-")
        );
        std::fs::write(t.path(), b"half").unwrap();
        let tmp = t.path().to_path_buf();
        drop(t);
        assert!(!tmp.exists() && !dest.exists());

        let t = TempOutput::new(&dest).unwrap();
        std::fs::write(t.path(), b"whole").unwrap();
        t.commit().unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"whole");
        assert!(matches!(
            check_output_target(&dest, &[], false),
            Err(MediaError::Exists { .. })
        ));
        assert!(matches!(
            check_output_target(&dest, &[&dest], true),
            Err(MediaError::SameAsInput { .. })
        ));
        assert!(check_output_target(&d.join("new.mp4"), &[&dest], false).is_ok());
        std::fs::remove_dir_all(&d).unwrap();
    }
}
