//! Progress of a video run: a redrawn bar on a terminal, plain periodic lines otherwise.
//!
//! Where: `liveswap run` on a video hands a [`Progress`] (writing to stderr) to
//! [`super::transcode`] as its [`super::FrameObserver`]. On a terminal one line is
//! redrawn at most ten times a second:
//! `[#########...........]  45%  123/275 frames  14.2 fps  ETA 0:11`; when stderr is a file
//! or a pipe (CI logs, tests) a line like `frame 123/275 (45%), 14.2 fps, ETA 0:11` is
//! written every few seconds. `-q` turns it off. The rate is measured over the whole run so
//! far, which on CPU is dominated by inference and steady after the first frames.

use super::runner::{FrameObserver, FrameTiming};
use std::io::Write;
use std::time::{Duration, Instant};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressStyle {
    /// A bar redrawn in place (stderr is a terminal).
    Bar,
    /// A plain line every few seconds.
    Lines,
    /// Nothing (`-q`).
    Off,
}

/// How often each style writes.
const BAR_INTERVAL: Duration = Duration::from_millis(100);
const LINE_INTERVAL: Duration = Duration::from_secs(5);
const BAR_WIDTH: usize = 24;

/// Formats seconds as `m:ss` or `h:mm:ss`.
pub fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// Frames per second and the estimated time left, from frames done in `elapsed`.
pub fn rate_and_eta(done: u64, total: Option<u64>, elapsed: Duration) -> (f64, Option<f64>) {
    let secs = elapsed.as_secs_f64();
    if done == 0 || secs <= 0.0 {
        return (0.0, None);
    }
    let fps = done as f64 / secs;
    let eta = total.map(|t| t.saturating_sub(done) as f64 / fps);
    (fps, eta)
}

/// One progress line in the given style (without line ending).
pub fn render(style: ProgressStyle, done: u64, total: Option<u64>, elapsed: Duration) -> String {
    let (fps, eta) = rate_and_eta(done, total, elapsed);
    let eta = eta.map_or_else(|| "?".to_string(), clock);
    // A container's frame count is an estimate for some formats; never show more than 100 %.
    let total = total.map(|t| t.max(done));
    match (style, total) {
        (ProgressStyle::Bar, Some(t)) => {
            let frac = if t == 0 { 1.0 } else { done as f64 / t as f64 };
            let filled = ((frac * BAR_WIDTH as f64).round() as usize).min(BAR_WIDTH);
            format!(
                "[{}{}] {:>3.0}%  {done}/{t} frames  {fps:.1} fps  ETA {eta}",
                "#".repeat(filled),
                ".".repeat(BAR_WIDTH - filled),
                frac * 100.0
            )
        }
        (ProgressStyle::Bar, None) => format!("{done} frames  {fps:.1} fps"),
        (_, Some(t)) => {
            let pct = if t == 0 {
                100.0
            } else {
                done as f64 * 100.0 / t as f64
            };
            format!("frame {done}/{t} ({pct:.0}%), {fps:.1} fps, ETA {eta}")
        }
        (_, None) => format!("frame {done}, {fps:.1} fps"),
    }
}

/// Writes progress as frames finish.
pub struct Progress {
    out: Box<dyn Write + Send>,
    style: ProgressStyle,
    total: Option<u64>,
    start: Instant,
    last: Option<Instant>,
    done: u64,
    /// Frames done when a line was last written.
    drawn_at: Option<u64>,
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("style", &self.style)
            .field("total", &self.total)
            .field("done", &self.done)
            .finish()
    }
}

impl Progress {
    /// Progress written to `out` in `style`.
    pub fn new(out: Box<dyn Write + Send>, style: ProgressStyle) -> Self {
        Self {
            out,
            style,
            total: None,
            start: Instant::now(),
            last: None,
            done: 0,
            drawn_at: None,
        }
    }

    /// Progress on stderr: a bar on a terminal, lines otherwise, nothing when `quiet`.
    pub fn stderr(quiet: bool) -> Self {
        use std::io::IsTerminal as _;
        let style = match (quiet, std::io::stderr().is_terminal()) {
            (true, _) => ProgressStyle::Off,
            (false, true) => ProgressStyle::Bar,
            (false, false) => ProgressStyle::Lines,
        };
        Self::new(Box::new(std::io::stderr()), style)
    }

    /// Records one finished frame at time `now`, writing when it is time to.
    pub fn frame_done_at(&mut self, now: Instant) {
        self.done += 1;
        let interval = match self.style {
            ProgressStyle::Off => return,
            ProgressStyle::Bar => BAR_INTERVAL,
            ProgressStyle::Lines => LINE_INTERVAL,
        };
        let due = self
            .last
            .map_or(now.duration_since(self.start) >= interval, |l| {
                now.duration_since(l) >= interval
            });
        if due {
            self.last = Some(now);
            self.draw(now);
        }
    }

    fn draw(&mut self, now: Instant) {
        let line = render(
            self.style,
            self.done,
            self.total,
            now.duration_since(self.start),
        );
        // Progress is best effort: a closed stderr must not stop the run.
        let _ = match self.style {
            ProgressStyle::Bar => write!(self.out, "\r\x1b[2K{line}"),
            _ => writeln!(self.out, "{line}"),
        };
        let _ = self.out.flush();
        self.drawn_at = Some(self.done);
    }

    /// Frames recorded so far.
    pub fn done(&self) -> u64 {
        self.done
    }
}

impl FrameObserver for Progress {
    fn started(&mut self, total: Option<u64>) {
        self.total = total;
        self.start = Instant::now();
    }

    fn frame_done(&mut self, _timing: &FrameTiming) {
        self.frame_done_at(Instant::now());
    }

    fn finished(&mut self, completed: bool) {
        if self.style == ProgressStyle::Off {
            return;
        }
        // End with the final count: 100 % when complete (the container's count may have
        // been an estimate), where it stopped otherwise.
        if completed {
            if self.style == ProgressStyle::Lines
                && self.drawn_at == Some(self.done)
                && self.total == Some(self.done)
            {
                return; // the last periodic line already said it all
            }
            self.total = Some(self.done);
        }
        let now = Instant::now();
        let mut line = render(
            self.style,
            self.done,
            self.total,
            now.duration_since(self.start),
        );
        if !completed {
            line = format!("stopped: {line}");
        }
        let _ = match self.style {
            ProgressStyle::Bar => writeln!(self.out, "\r\x1b[2K{line}"),
            _ => writeln!(self.out, "{line}"),
        };
        let _ = self.out.flush();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl Write for Sink {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_show_frames_rate_and_eta() {
        assert_eq!(clock(71.4), "1:11");
        assert_eq!(clock(3725.0), "1:02:05");
        let (fps, eta) = rate_and_eta(50, Some(150), Duration::from_secs(10));
        assert!((fps - 5.0).abs() < 1e-9);
        assert!((eta.unwrap() - 20.0).abs() < 1e-9);
        assert_eq!(
            render(ProgressStyle::Lines, 50, Some(150), Duration::from_secs(10)),
            "frame 50/150 (33%), 5.0 fps, ETA 0:20"
        );
        let bar = render(ProgressStyle::Bar, 75, Some(150), Duration::from_secs(15));
        assert!(bar.starts_with("[############............]  50%"), "{bar}");
        assert!(bar.ends_with("75/150 frames  5.0 fps  ETA 0:15"), "{bar}");
        // An under-estimated total never shows more than 100 %.
        assert!(
            render(ProgressStyle::Lines, 12, Some(10), Duration::from_secs(1))
                .contains("12/12 (100%)")
        );
    }

    #[test]
    fn plain_lines_come_every_few_seconds_and_at_the_end() {
        let sink = Sink::default();
        let mut p = Progress::new(Box::new(sink.clone()), ProgressStyle::Lines);
        p.started(Some(100));
        let t0 = p.start;
        for i in 1..=60u64 {
            // 10 frames a second for 6 s: one line at 5 s.
            p.frame_done_at(t0 + Duration::from_millis(100 * i));
        }
        p.finished(true);
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(
            lines[0].starts_with("frame 50/100 (50%), 10.0 fps, ETA 0:05"),
            "{text}"
        );
        assert!(lines[1].starts_with("frame 60/60 (100%)"), "{text}");
        // A stopped run says where it stopped.
        p.finished(false);
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        assert!(
            text.lines()
                .nth(2)
                .unwrap()
                .starts_with("stopped: frame 60/60"),
            "{text}"
        );

        let sink = Sink::default();
        let mut p = Progress::new(Box::new(sink.clone()), ProgressStyle::Off);
        p.started(Some(3));
        p.frame_done_at(Instant::now() + Duration::from_secs(10));
        p.finished(true);
        assert!(sink.0.lock().unwrap().is_empty());
        assert_eq!(p.done(), 1);
    }
}
