//! One HTTP(S) transfer into a partial file, resumed with a `Range` request when the file
//! already holds a prefix.
//!
//! Where it sits: [`super::fetch`] calls [`Http::download`] once per attempt and decides about
//! retries, backoff and the next source from the returned [`Failure`]: network trouble and
//! server errors are worth retrying (the partial file is kept, so the retry resumes); a missing
//! file (404), a refused request or an unresolvable host is not.
//!
//! This is the only code in liveswap that opens network connections. TLS is rustls with the
//! Mozilla root certificates compiled in; `HTTPS_PROXY`/`NO_PROXY` are honoured.

use super::progress::{Progress, ProgressStyle};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;
use std::time::Duration;

/// Why an attempt failed, and whether trying the same URL again can help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Retrying this URL will not help (404, 403, unknown host, too large).
    Permanent(String),
    /// A network or server problem that may pass (timeouts, resets, 5xx, 429).
    Retry(String),
}

impl Failure {
    pub(crate) fn reason(&self) -> &str {
        match self {
            Self::Permanent(r) | Self::Retry(r) => r,
        }
    }
}

/// Timeouts of one transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// For DNS plus the TCP/TLS connection.
    pub connect: Duration,
    /// For the response headers, and for each read of the body (a stalled transfer).
    pub read: Duration,
}

/// An HTTP client for model downloads.
pub(crate) struct Http {
    agent: ureq::Agent,
}

impl Http {
    pub(crate) fn new(timeouts: Timeouts) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_resolve(Some(timeouts.connect))
            .timeout_connect(Some(timeouts.connect))
            .timeout_recv_response(Some(timeouts.read))
            .timeout_per_read(Some(timeouts.read))
            .user_agent(concat!("liveswap/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Self { agent }
    }

    /// Downloads `url` into `partial`, continuing after the bytes already there. `limit` is the
    /// largest size the file may have (a larger download is not the model and is removed).
    /// Returns the size of the complete file.
    pub(crate) fn download(
        &self,
        url: &str,
        partial: &Path,
        limit: Option<u64>,
        progress: (&mut dyn Write, ProgressStyle, &str),
    ) -> Result<u64, Failure> {
        let have = std::fs::metadata(partial).map(|m| m.len()).unwrap_or(0);
        let mut request = self.agent.get(url);
        if have > 0 {
            request = request.header("Range", format!("bytes={have}-"));
        }
        let mut response = request.call().map_err(classify)?;
        let status = response.status().as_u16();
        let length = response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let (mut offset, total) = match status {
            206 if have > 0 => {
                let range = response
                    .headers()
                    .get("content-range")
                    .and_then(|v| v.to_str().ok())
                    .and_then(parse_content_range);
                match range {
                    Some((start, total)) if start == have => {
                        (have, total.or(length.map(|l| l + have)))
                    }
                    _ => {
                        // Not the range asked for: start over rather than splice wrong bytes.
                        remove(partial);
                        return Err(Failure::Retry(format!(
                            "the server answered the resume request at byte {have} with another range; starting over"
                        )));
                    }
                }
            }
            200 | 206 => (0, length),
            416 => {
                remove(partial);
                return Err(Failure::Retry(format!(
                    "the server refused to resume at byte {have} (HTTP 416); starting over"
                )));
            }
            429 | 500..=599 => return Err(Failure::Retry(format!("HTTP {status}"))),
            s if (300..400).contains(&s) => {
                return Err(Failure::Permanent(format!(
                    "HTTP {s} redirect without a usable location"
                )));
            }
            s => return Err(Failure::Permanent(format!("HTTP {s} {}", reason(s)))),
        };
        if let (Some(limit), Some(total)) = (limit, total)
            && total > limit
        {
            remove(partial);
            return Err(Failure::Permanent(format!(
                "the server sends {total} bytes, more than any accepted file ({limit})"
            )));
        }
        let mut file = open_partial(partial, offset > 0)
            .map_err(|e| Failure::Permanent(format!("cannot write {}: {e}", partial.display())))?;
        let (out, style, label) = progress;
        let mut progress = Progress::new(out, style, label, offset, total);
        let mut body = response.body_mut().as_reader();
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match body.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let _ = file.flush();
                    progress.finish(offset);
                    return Err(Failure::Retry(format!(
                        "transfer broke off after {offset} bytes: {e}"
                    )));
                }
            };
            file.write_all(&buf[..n]).map_err(|e| {
                Failure::Permanent(format!("cannot write {}: {e}", partial.display()))
            })?;
            offset += n as u64;
            if let Some(limit) = limit
                && offset > limit
            {
                drop(file);
                remove(partial);
                return Err(Failure::Permanent(format!(
                    "the download grew past {limit} bytes, more than any accepted file"
                )));
            }
            progress.update(offset);
        }
        file.flush()
            .map_err(|e| Failure::Permanent(format!("cannot write {}: {e}", partial.display())))?;
        progress.finish(offset);
        if let Some(total) = total
            && offset < total
        {
            return Err(Failure::Retry(format!(
                "the connection closed after {offset} of {total} bytes"
            )));
        }
        Ok(offset)
    }
}

fn open_partial(path: &Path, append: bool) -> io::Result<File> {
    if append {
        OpenOptions::new().append(true).open(path)
    } else {
        File::create(path)
    }
}

fn remove(path: &Path) {
    let _ = std::fs::remove_file(path);
}

/// `bytes 100-199/1000` → (100, Some(1000)); `bytes 100-199/*` → (100, None).
fn parse_content_range(value: &str) -> Option<(u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes")?.trim();
    let (range, total) = rest.split_once('/')?;
    let (start, _end) = range.split_once('-')?;
    let start = start.trim().parse().ok()?;
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse().ok()?),
    };
    Some((start, total))
}

fn classify(e: ureq::Error) -> Failure {
    match e {
        ureq::Error::HostNotFound => Failure::Permanent("host not found (DNS)".into()),
        ureq::Error::BadUri(u) => Failure::Permanent(format!("bad URL: {u}")),
        ureq::Error::Timeout(t) => Failure::Retry(format!("timed out ({t})")),
        ureq::Error::Io(io) if is_dns_failure(&io) => {
            Failure::Permanent(format!("host not found (DNS): {io}"))
        }
        ureq::Error::Io(io) => Failure::Retry(io.to_string()),
        ureq::Error::Tls(t) => Failure::Permanent(format!("TLS: {t}")),
        ureq::Error::Rustls(t) => Failure::Permanent(format!("TLS: {t}")),
        ureq::Error::TooManyRedirects => Failure::Permanent("too many redirects".into()),
        other => Failure::Retry(other.to_string()),
    }
}

/// Name resolution failures arrive as plain I/O errors; the platforms word them differently.
fn is_dns_failure(e: &io::Error) -> bool {
    let text = e.to_string();
    [
        "failed to lookup address",
        "Name or service not known",
        "nodename nor servname",
        "No such host is known",
        "Temporary failure in name resolution",
    ]
    .iter()
    .any(|m| text.contains(m))
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        451 => "Unavailable For Legal Reasons",
        _ => "",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn content_range() {
        assert_eq!(
            parse_content_range("bytes 100-199/1000"),
            Some((100, Some(1000)))
        );
        assert_eq!(parse_content_range("bytes 5-9/*"), Some((5, None)));
        assert_eq!(parse_content_range("items 1-2/3"), None);
    }
}
