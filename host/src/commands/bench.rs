//! `liveswap bench`: a profile over the first frames of a clip, measured.
//!
//! Where: the same streamed run as `liveswap run` on a video ([`super::run_video`]): decode
//! thread → processors → encode thread, writing a real file (a temporary one, deleted
//! afterwards, unless `--output` is given). What it adds is the measuring: milliseconds per
//! frame of each stage (decode and encode run on their own threads, overlapped with the
//! processors), of each processor, and of each model call (whole call, and the part inside
//! ONNX Runtime), throughput, peak resident memory of the process, and the share of the
//! wall time spent inside ONNX Runtime.
//!
//! The first frame pays one-off costs (ONNX Runtime allocates its arenas on the first run):
//! they are included, as they are in a real run; use more frames to dilute them.

use super::Completion;
use super::error::CommandError;
use super::run_video::{VideoRun, per_frame, transcode_profile};
use super::setup::Host;
use crate::cli::{BenchArgs, ImageArgs, ProfileEditArgs, RunArgs, VideoArgs};
use crate::inference::CallTotals;
use crate::video::{DEFAULT_QUALITY, FramePoint, Preset, Trim};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// The measurements, as printed with `--json`.
#[derive(Debug, Serialize)]
pub struct BenchReport {
    /// The clip.
    pub target: String,
    /// The profile.
    pub profile: String,
    /// Frames processed.
    pub frames: u64,
    /// Frame size.
    pub width: u32,
    /// Frame size.
    pub height: u32,
    /// ONNX Runtime version, execution provider, threads and CPU session options
    /// (`"ONNX Runtime 1.31.1 cpu, 2 thread(s), graph optimization all, spinning on, …"`).
    pub runtime: String,
    /// Milliseconds per frame: `decode`, each processor id, `encode`.
    pub stages_ms: BTreeMap<String, f64>,
    /// Per model id: calls, milliseconds per call (whole call), milliseconds per call inside
    /// ONNX Runtime.
    pub models: BTreeMap<String, ModelTiming>,
    /// Frames per second over the whole run (opening the clip to closing the output).
    pub fps: f64,
    /// Wall time in seconds.
    pub wall_s: f64,
    /// Peak resident memory of the process in bytes (Linux; None elsewhere).
    pub peak_rss_bytes: Option<u64>,
    /// Time inside ONNX Runtime / wall time.
    pub runtime_share: f64,
    /// The CPU's vector instruction sets that matter to int8 speed (`avx2`, `avx512f`,
    /// `avx512_vnni`, `avx_vnni`), from /proc/cpuinfo.
    pub cpu_flags: Vec<String>,
}

/// The vector instruction sets of this CPU that decide int8 and fp32 speed (Linux).
pub fn cpu_flags() -> Vec<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let flags: std::collections::BTreeSet<&str> = info
        .lines()
        .filter(|l| l.starts_with("flags"))
        .flat_map(str::split_whitespace)
        .filter(|f| {
            matches!(
                *f,
                "avx2" | "avx512f" | "avx512_vnni" | "avx_vnni" | "amx_int8"
            )
        })
        .collect();
    flags.into_iter().map(str::to_owned).collect()
}

/// One model's calls.
#[derive(Debug, Serialize)]
pub struct ModelTiming {
    /// Calls over the run.
    pub calls: u64,
    /// Milliseconds per call, whole call.
    pub ms_per_call: f64,
    /// Milliseconds per call inside ONNX Runtime's `run`.
    pub runtime_ms_per_call: f64,
    /// The execution provider its session ran on (`cpu`, `cuda`, …).
    pub provider: String,
    /// `fp32` or `int8`, from the model graph's operators.
    pub precision: String,
}

/// Runs the benchmark and prints its table (or JSON).
pub fn bench(
    host: &Host,
    args: &BenchArgs,
    out: &mut dyn Write,
) -> Result<Completion, CommandError> {
    // `_scratch` lives until the end of the command; dropping it deletes the file.
    let (done, _scratch) = measured_run(host, args)?;
    let report = measure(host, args, &done);
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
    } else {
        print_table(out, &report)?;
    }
    Ok(if done.stats.problems() > 0 {
        Completion::WithProblems
    } else {
        Completion::Clean
    })
}

/// The benchmark's run: the profile over the first `args.frames` frames, written to
/// `args.output` or to a scratch file deleted when the returned guard drops. Also the
/// quick benchmark of `liveswap plan`.
pub(super) fn measured_run(
    host: &Host,
    args: &BenchArgs,
) -> Result<(VideoRun, Option<Scratch>), CommandError> {
    let (output, scratch) = match &args.output {
        Some(path) => (path.clone(), None),
        None => {
            let s = Scratch::new()?;
            (s.dir.join("bench.mp4"), Some(s))
        }
    };
    let run_args = RunArgs {
        profile: Some(args.profile.clone()),
        target: vec![args.target.clone()],
        output: Some(output),
        output_template: None,
        source: args.source.clone(),
        reference_face: Vec::new(),
        map: Vec::new(),
        report: false,
        set: args.set.clone(),
        edits: ProfileEditArgs::default(),
        skip_no_face: false,
        overwrite: args.overwrite,
        label: false,
        image: ImageArgs::default(),
        video: VideoArgs {
            trim: Some(Trim {
                start: None,
                end: (args.frames > 0).then_some(FramePoint::Frame(args.frames)),
            }),
            video_encoder: None,
            video_quality: DEFAULT_QUALITY,
            video_preset: Preset::default(),
            encoder_threads: None,
            no_audio: false,
            segment: None,
            segment_warmup: None,
        },
    };
    Ok((transcode_profile(host, &run_args)?, scratch))
}

fn measure(host: &Host, args: &BenchArgs, done: &VideoRun) -> BenchReport {
    let n = done.summary.frames;
    let t = &done.summary.totals;
    let mut stages_ms = BTreeMap::new();
    stages_ms.insert("decode".to_owned(), per_frame(t.decode, n));
    for (id, (d, _)) in &done.stats.time {
        stages_ms.insert(id.clone(), per_frame(*d, n));
    }
    stages_ms.insert("encode".to_owned(), per_frame(t.encode, n));
    let calls: BTreeMap<String, CallTotals> = host
        .services
        .call_stats()
        .map(|c| c.snapshot())
        .unwrap_or_default();
    let in_runtime: Duration = calls.values().map(|c| c.in_runtime).sum();
    let providers = host
        .services
        .call_stats()
        .map(|c| c.providers())
        .unwrap_or_default();
    let precisions = host
        .services
        .inference()
        .map(|s| s.precisions())
        .unwrap_or_default();
    let models = calls
        .iter()
        .map(|(id, c)| {
            (
                id.clone(),
                ModelTiming {
                    calls: c.calls,
                    ms_per_call: per_frame(c.total, c.calls),
                    runtime_ms_per_call: per_frame(c.in_runtime, c.calls),
                    provider: providers
                        .get(id)
                        .map_or_else(|| "?".to_owned(), ToString::to_string),
                    precision: precisions.get(id).map_or("?", |p| p.name()).to_owned(),
                },
            )
        })
        .collect();
    let wall = t.wall.as_secs_f64();
    let runtime = match host.services.inference() {
        Ok(s) => format!(
            "ONNX Runtime {} {}, {} thread(s), {}",
            s.ort_version(),
            s.provider(),
            crate::inference::providers::intra_threads(s.options().intra_threads),
            s.options().cpu
        ),
        Err(_) => "no model ran".to_owned(),
    };
    BenchReport {
        target: args.target.display().to_string(),
        profile: args.profile.display().to_string(),
        frames: n,
        width: done.summary.info.width,
        height: done.summary.info.height,
        runtime,
        stages_ms,
        models,
        fps: if wall > 0.0 { n as f64 / wall } else { 0.0 },
        wall_s: wall,
        peak_rss_bytes: peak_rss(),
        runtime_share: if wall > 0.0 {
            in_runtime.as_secs_f64() / wall
        } else {
            0.0
        },
        cpu_flags: cpu_flags(),
    }
}

fn print_table(out: &mut dyn Write, r: &BenchReport) -> std::io::Result<()> {
    writeln!(
        out,
        "bench: {} on {} ({}x{}), {} frame(s), {}",
        r.profile, r.target, r.width, r.height, r.frames, r.runtime
    )?;
    writeln!(
        out,
        "cpu: {}",
        if r.cpu_flags.is_empty() {
            "no AVX2/AVX-512 flags found".to_owned()
        } else {
            r.cpu_flags.join(" ")
        }
    )?;
    writeln!(out, "{:<28} {:>10}", "stage", "ms/frame")?;
    let threaded = |id: &str| matches!(id, "decode" | "encode");
    let order = std::iter::once("decode")
        .chain(
            r.stages_ms
                .keys()
                .map(String::as_str)
                .filter(|k| !threaded(k)),
        )
        .chain(std::iter::once("encode"));
    for id in order {
        let ms = r.stages_ms.get(id).copied().unwrap_or(0.0);
        let note = if threaded(id) {
            "  (own thread, overlapped)"
        } else {
            ""
        };
        writeln!(out, "{id:<28} {ms:>10.1}{note}")?;
    }
    if !r.models.is_empty() {
        writeln!(
            out,
            "{:<28} {:>10} {:>10} {:>12} {:>10}  provider",
            "model", "calls", "ms/call", "in ORT ms", "precision"
        )?;
        for (id, m) in &r.models {
            writeln!(
                out,
                "{id:<28} {:>10} {:>10.1} {:>12.1} {:>10}  {}",
                m.calls, m.ms_per_call, m.runtime_ms_per_call, m.precision, m.provider
            )?;
        }
    }
    writeln!(
        out,
        "throughput: {:.3} fps ({:.2} s/frame, wall {:.1} s)",
        r.fps,
        if r.frames > 0 {
            r.wall_s / r.frames as f64
        } else {
            0.0
        },
        r.wall_s
    )?;
    match r.peak_rss_bytes {
        Some(b) => writeln!(
            out,
            "peak memory (RSS): {:.2} GiB",
            b as f64 / f64::from(1u32 << 30)
        )?,
        None => writeln!(out, "peak memory (RSS): not measured on this system")?,
    }
    writeln!(
        out,
        "inside ONNX Runtime: {:.1} % of the wall time",
        r.runtime_share * 100.0
    )
}

/// Peak resident set size of this process (`VmHWM` in /proc/self/status), in bytes.
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// A private temporary folder for the benchmark's output, removed on drop.
pub(super) struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new() -> Result<Self, CommandError> {
        let dir = std::env::temp_dir().join(format!("liveswap-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(Self { dir })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_rss_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            let b = peak_rss().unwrap_or(0);
            // A test binary holds at least a megabyte; far below a terabyte.
            assert!(b > 1 << 20 && b < 1 << 40, "{b}");
        }
    }
}
