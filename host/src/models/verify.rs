//! `liveswap models verify`: checks every installed model — size, sha256 and real inputs and
//! outputs against the manifest — and says what is wrong and what to do.
//!
//! Where it sits: called by the `models verify` command (and usable by a UI). The digest check
//! is the same one every session does; the I/O check opens the file with ONNX Runtime (CPU, no
//! graph optimisation) and compares with the entry's [`super::IoSignature`]. Without an ONNX
//! Runtime library the I/O check is reported as skipped, not failed: a matching digest already
//! identifies the file.

use super::fetch::PARTIAL_DIR;
use super::manifest::ManifestEntry;
use super::store::ModelStore;
use crate::inference::InferenceService;
use std::path::PathBuf;

/// The result of the I/O check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IoCheck {
    /// The file's inputs and outputs are the manifest's.
    Matches,
    /// They differ; the text lists expected vs found.
    Mismatch(String),
    /// The file could not be opened as a model.
    Unloadable(String),
    /// Not checked (no ONNX Runtime); the reason.
    Skipped(String),
}

/// What `verify` found for one installed model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelReport {
    /// Manifest id.
    pub id: String,
    /// The installed file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// Its sha256, when readable.
    pub sha256: Option<String>,
    /// Provenance of the matching digest, when it matched.
    pub origin: Option<String>,
    /// The I/O check.
    pub io: IoCheck,
    /// Everything wrong, one sentence each (empty when the model is fine).
    pub problems: Vec<String>,
}

impl ModelReport {
    /// Whether the model is usable as installed.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// What the user should do, when something is wrong.
    pub fn advice(&self) -> Option<String> {
        (!self.ok()).then(|| {
            format!(
                "delete {} and run `liveswap models fetch {}` (or run it directly: it replaces a \
                 file that fails verification)",
                self.path.display(),
                self.id
            )
        })
    }
}

/// The whole verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// The installed models checked.
    pub models: Vec<ModelReport>,
    /// Requested ids that are not installed.
    pub missing: Vec<String>,
    /// `.onnx` files in the install dir that the manifest does not name.
    pub unknown_files: Vec<PathBuf>,
    /// Unfinished downloads (resumed by the next fetch) and their sizes.
    pub partial: Vec<(PathBuf, u64)>,
}

impl VerifyReport {
    /// Models with problems.
    pub fn failed(&self) -> usize {
        self.models.iter().filter(|m| !m.ok()).count()
    }
}

/// Verifies `entries` (the ones that are installed; requested ones that are not are listed in
/// [`VerifyReport::missing`] when `requested` is true). `inference` opens files for the I/O
/// check; `Err(reason)` skips it.
pub fn verify(
    store: &ModelStore,
    entries: &[&ManifestEntry],
    requested: bool,
    inference: Result<&InferenceService, String>,
) -> VerifyReport {
    let mut report = VerifyReport {
        models: Vec::new(),
        missing: Vec::new(),
        unknown_files: Vec::new(),
        partial: Vec::new(),
    };
    for entry in entries {
        match store.installed_path(entry) {
            Some(path) => report
                .models
                .push(verify_one(store, entry, path, inference.as_deref())),
            None if requested => report.missing.push(entry.id.clone()),
            None => {}
        }
    }
    if let Some(dir) = store.install_dir() {
        let known: Vec<&str> = store
            .manifest()
            .models
            .iter()
            .map(|m| m.file.as_str())
            .collect();
        if let Ok(rd) = std::fs::read_dir(dir) {
            let mut unknown: Vec<PathBuf> = rd
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && p.extension().is_some_and(|x| x == "onnx")
                        && p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| !known.contains(&n))
                })
                .collect();
            unknown.sort();
            report.unknown_files = unknown;
        }
        if let Ok(rd) = std::fs::read_dir(dir.join(PARTIAL_DIR)) {
            let mut partial: Vec<(PathBuf, u64)> = rd
                .filter_map(Result::ok)
                .filter_map(|e| {
                    let p = e.path();
                    let len = e.metadata().ok()?.len();
                    p.extension()
                        .is_some_and(|x| x == "part")
                        .then_some((p, len))
                })
                .collect();
            partial.sort();
            report.partial = partial;
        }
    }
    report
}

fn verify_one(
    store: &ModelStore,
    entry: &ManifestEntry,
    path: PathBuf,
    inference: Result<&InferenceService, &String>,
) -> ModelReport {
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let mut problems = Vec::new();
    if !entry.size_possible(size) {
        let sizes: Vec<String> = entry
            .accept
            .iter()
            .filter_map(|a| a.size)
            .map(|s| s.to_string())
            .collect();
        problems.push(format!(
            "size {size} bytes is not a published size ({}): truncated or a different file",
            sizes.join(" or ")
        ));
    }
    let (sha256, origin) = match store.digest_fresh(&path) {
        Ok(d) => {
            let origin = entry.accepted(&d).map(|a| a.origin.clone());
            if origin.is_none() {
                problems.push(format!(
                    "sha256 {d} is not an accepted digest ({})",
                    entry.digest_list()
                ));
            }
            (Some(d), origin)
        }
        Err(e) => {
            problems.push(e.to_string());
            (None, None)
        }
    };
    let io = match inference {
        Err(reason) => IoCheck::Skipped(reason.clone()),
        Ok(service) => match service.inspect(&path) {
            Err(e) => IoCheck::Unloadable(e.to_string()),
            Ok(found) => match entry.io.check(&found) {
                Ok(()) => IoCheck::Matches,
                Err(m) => IoCheck::Mismatch(format!("expected {}; {m}", entry.io)),
            },
        },
    };
    match &io {
        IoCheck::Mismatch(m) => problems.push(format!("inputs/outputs: {m}")),
        IoCheck::Unloadable(m) => problems.push(format!("not a loadable ONNX model: {m}")),
        IoCheck::Matches | IoCheck::Skipped(_) => {}
    }
    ModelReport {
        id: entry.id.clone(),
        path,
        size,
        sha256,
        origin,
        io,
        problems,
    }
}
