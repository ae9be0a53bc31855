//! Download progress for `liveswap models fetch`: a redrawn bar on a terminal, plain lines
//! otherwise (logs, CI), nothing when quiet.
//!
//! Where it sits: [`super::fetch`] reports bytes as they arrive; the command passes the writer
//! (stderr) and whether it is a terminal. Rates and ETAs are computed over the bytes received
//! in this session (a resumed download starts its rate from the resume point).

use std::io::Write;
use std::time::{Duration, Instant};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressStyle {
    /// One line redrawn in place (`\r`) at most ten times a second: bytes, percent, rate, ETA.
    Bar,
    /// A line at every 10 % step (or every 10 s when the size is unknown).
    Lines,
    /// Nothing.
    Quiet,
}

/// Progress of one transfer.
pub struct Progress<'w> {
    out: &'w mut dyn Write,
    style: ProgressStyle,
    label: String,
    /// Bytes present when this session started (resume point).
    start_bytes: u64,
    total: Option<u64>,
    started: Instant,
    last_draw: Option<Instant>,
    last_step: u64,
    drawn: bool,
}

impl<'w> Progress<'w> {
    /// Starts reporting a transfer of `label` that already has `start_bytes` of `total`.
    pub fn new(
        out: &'w mut dyn Write,
        style: ProgressStyle,
        label: &str,
        start_bytes: u64,
        total: Option<u64>,
    ) -> Self {
        let mut p = Self {
            out,
            style,
            label: label.to_owned(),
            start_bytes,
            total,
            started: Instant::now(),
            last_draw: None,
            last_step: 0,
            drawn: false,
        };
        if style == ProgressStyle::Lines {
            let size = total.map_or_else(|| "size unknown".to_owned(), human);
            let resume = if start_bytes > 0 {
                format!(", resuming at {}", human(start_bytes))
            } else {
                String::new()
            };
            let _ = writeln!(p.out, "  {}: {size}{resume}", p.label);
            p.last_step = step_of(start_bytes, total);
        }
        p
    }

    /// Records that `done` bytes (of the whole file) are now present.
    pub fn update(&mut self, done: u64) {
        match self.style {
            ProgressStyle::Quiet => {}
            ProgressStyle::Bar => {
                let now = Instant::now();
                if self
                    .last_draw
                    .is_some_and(|t| now.duration_since(t) < Duration::from_millis(100))
                {
                    return;
                }
                self.last_draw = Some(now);
                let line = self.status(done);
                let _ = write!(self.out, "\r\x1b[2K  {}: {line}", self.label);
                let _ = self.out.flush();
                self.drawn = true;
            }
            ProgressStyle::Lines => {
                let step = match self.total {
                    Some(_) => step_of(done, self.total),
                    // Unknown size: one line every ten seconds.
                    None => self.started.elapsed().as_secs() / 10,
                };
                if step > self.last_step {
                    self.last_step = step;
                    let line = self.status(done);
                    let _ = writeln!(self.out, "  {}: {line}", self.label);
                }
            }
        }
    }

    /// Ends the display (a final bar state and a newline on a terminal).
    pub fn finish(&mut self, done: u64) {
        if self.style == ProgressStyle::Bar && self.drawn {
            let line = self.status(done);
            let _ = writeln!(self.out, "\r\x1b[2K  {}: {line}", self.label);
            let _ = self.out.flush();
        }
    }

    /// `12.3 MB / 45.6 MB (27%), 3.4 MB/s, ETA 0:10`.
    fn status(&self, done: u64) -> String {
        let secs = self.started.elapsed().as_secs_f64();
        let fresh = done.saturating_sub(self.start_bytes);
        let rate = if secs > 0.05 {
            fresh as f64 / secs
        } else {
            0.0
        };
        let mut s = human(done);
        if let Some(total) = self.total.filter(|&t| t > 0) {
            let pct = (done.min(total) as f64 / total as f64 * 100.0).floor();
            s.push_str(&format!(" / {} ({pct:.0}%)", human(total)));
        }
        if rate > 0.0 {
            s.push_str(&format!(", {}/s", human(rate as u64)));
            if let Some(total) = self.total
                && total > done
            {
                let eta = ((total - done) as f64 / rate).round() as u64;
                s.push_str(&format!(", ETA {}:{:02}", eta / 60, eta % 60));
            }
        }
        s
    }
}

/// Which 10 % step `done` is in.
fn step_of(done: u64, total: Option<u64>) -> u64 {
    match total {
        Some(t) if t > 0 => done.min(t) * 10 / t,
        _ => 0,
    }
}

/// Bytes for people: `2.5 MB` (decimal units, like download sites).
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn human_sizes() {
        assert_eq!(human(999), "999 B");
        assert_eq!(human(2_524_155), "2.5 MB");
        assert_eq!(human(554_253_681), "554.3 MB");
        assert_eq!(human(1_500_000_000), "1.5 GB");
    }

    #[test]
    fn lines_style_reports_each_ten_percent_once() {
        let mut out = Vec::new();
        {
            let mut p = Progress::new(&mut out, ProgressStyle::Lines, "m", 0, Some(1000));
            for done in (0..=1000).step_by(50) {
                p.update(done);
            }
            p.finish(1000);
        }
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // The header plus one line per 10 % step.
        assert_eq!(lines.len(), 11, "{text}");
        assert!(lines[0].contains("1.0 kB"), "{text}");
        assert!(lines[10].contains("(100%)"), "{text}");
        assert!(!text.contains('\r'));
    }

    #[test]
    fn bar_style_redraws_in_place_and_ends_with_a_newline() {
        let mut out = Vec::new();
        {
            let mut p = Progress::new(&mut out, ProgressStyle::Bar, "m", 500, Some(1000));
            p.update(600);
            p.finish(1000);
        }
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("\r"), "{text:?}");
        assert!(text.contains("1.0 kB / 1.0 kB (100%)"), "{text:?}");
        assert!(text.ends_with('\n'), "{text:?}");
        let mut quiet = Vec::new();
        Progress::new(&mut quiet, ProgressStyle::Quiet, "m", 0, None).finish(10);
        assert!(quiet.is_empty());
    }
}
