//! `liveswap live`: a profile over a camera in real time, to windows, virtual cameras,
//! streams and recordings ([`crate::live`]).
//!
//! Order of checks, so that bad input fails before anything heavy or visible happens:
//! camera and sink texts, the display (for `window`), the profile and `--set`, output
//! files, then models (pipeline build) and source faces, then the camera is opened, then
//! every sink, and only then does capture start.
//!
//! Live defaults ([`LIVE_DEFAULTS`]), for processors that have the setting and leave it
//! unset (profile and `--set`):
//! - `detect_full_every = 10`: between whole-frame searches the analyser looks only around
//!   tracked faces (a newcomer is found within a third of a second at 30 fps);
//! - `track_landmarks = true`: in between, tracked faces are followed by their landmarks
//!   instead of detected again (the detector costs about as much as the landmark model);
//! - `search_in_background = true`: the periodic whole-frame search and the identity
//!   refresh run on a helper thread, so no frame waits 20–35 ms for them;
//! - `det_fit = true`: a whole-frame search of a 16:9 frame uses a 640×384 detector input
//!   instead of 640×640 (the first frame and newcomers are searched on the processing
//!   thread, so this is what they cost);
//! - `max_face_size = 200`: the morpher works on a face larger than 200 px at that size and
//!   scales it up (a 720p webcam face, ~270 px, costs about half).
//!
//! README, "Live figures", has what each of them saves.

use super::Completion;
use super::error::CommandError;
use super::run_profile::{Prepared, ProfileRequest, RunProfile};
use super::setup::Host;
use crate::capture::{CameraSpec, CaptureRequest};
use crate::cli::{GlobalArgs, LiveArgs};
use crate::inference::providers;
use crate::live::window::check_display;
use crate::live::window_app::run_window;
use crate::live::{LiveConfig, LiveError, SinkSpec, run_live};
use crate::media::check_output_target;
use crate::profile::Profile;
use crate::responsible::guard;
use crate::video::{self, EncodeOptions, EncoderRequest};
use std::io::{BufRead, Write};
use std::sync::mpsc::{Receiver, channel};

/// Settings live mode changes unless the profile or `--set` sets them.
pub const LIVE_DEFAULTS: [(&str, &str); 5] = [
    ("detect_full_every", "10"),
    ("track_landmarks", "true"),
    ("search_in_background", "true"),
    ("det_fit", "true"),
    ("max_face_size", "200"),
];

/// The global options for a live run: `--execution-threads` defaults to
/// [`providers::live_intra_threads`] (all cores but one).
pub fn live_global(global: &GlobalArgs) -> GlobalArgs {
    let mut live = global.clone();
    live.execution_threads
        .get_or_insert_with(providers::live_intra_threads);
    live
}

/// Reads control lines from standard input on a thread of its own.
fn stdin_controls() -> Receiver<String> {
    let (tx, rx) = channel();
    let spawned = std::thread::Builder::new()
        .name("liveswap-stdin".into())
        .spawn(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("live settings from standard input are off: {e}");
    }
    rx
}

/// Runs `liveswap live`.
pub fn live(host: &Host, args: &LiveArgs, out: &mut dyn Write) -> Result<Completion, CommandError> {
    let camera = CameraSpec::parse(&args.camera, args.looped).map_err(LiveError::from)?;
    if args.looped && !matches!(camera, CameraSpec::File { .. }) {
        tracing::warn!("--loop only applies to --camera file:PATH; ignored");
    }
    let sinks = args
        .output
        .iter()
        .map(|s| SinkSpec::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    if sinks.contains(&SinkSpec::Window) {
        check_display().map_err(|reason| LiveError::SinkOpen {
            sink: "window".into(),
            reason,
        })?;
    }

    let run = RunProfile::from_request(
        host,
        &ProfileRequest {
            profile: args.profile.as_deref(),
            edits: &args.edits,
            set: &args.set,
            source: &args.source,
            reference_face: &args.reference_face,
            map: &args.map,
            label: args.label,
            defaults: &LIVE_DEFAULTS,
        },
    )?;
    guard::warn_if_unguarded(&run.profile, &host.plugins);

    let mut inputs = run.inputs();
    if let CameraSpec::File { path, .. } = &camera {
        inputs.push(path);
    }
    for sink in &sinks {
        sink.precheck(&inputs, args.overwrite)?;
    }
    if let Some(stats) = &args.stats_json {
        check_output_target(stats, &inputs, args.overwrite)?;
    }

    let Prepared {
        mut pipeline,
        sources,
        label,
    } = run.build(host)?;
    let config = LiveConfig {
        camera,
        request: CaptureRequest {
            size: args.capture_size,
            fps: args.capture_fps,
        },
        mirror: args.mirror,
        sinks,
        frames: args.frames,
        duration: args.duration,
        show_fps: args.show_fps,
        overlap: args.overlap,
        label,
        encode: EncodeOptions {
            encoder: args
                .video_encoder
                .clone()
                .unwrap_or(EncoderRequest::Default),
            quality: args.video_quality,
            preset: args.video_preset,
            threads: video::default_encoder_threads(),
        },
    };
    let cancel = host.services.cancel_flag();
    let controls = stdin_controls();
    let processors = profile_ids(&run.profile);
    let threads = providers::intra_threads(host.services.options().intra_threads);
    let mut opened = |label: &str| {
        tracing::warn!(
            "live: {label}; processors: {processors}; ONNX Runtime: {threads} thread(s) a model"
        );
    };
    let (frames_tx, frames_rx) = if config.sinks.contains(&SinkSpec::Window) {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        (Some(tx), Some(rx))
    } else {
        (None, None)
    };
    let live = || {
        run_live(
            &config,
            &mut pipeline,
            &host.plugins,
            &sources,
            Some(controls),
            &cancel,
            frames_tx,
            &mut opened,
        )
    };
    let outcome = match frames_rx {
        None => live()?,
        // iced owns the main thread: the loop runs on a worker and the window shows its
        // frames; closing the window stops the loop as Ctrl-C does.
        Some(frames_rx) => std::thread::scope(|scope| {
            let worker = scope.spawn(live);
            let shown = run_window(frames_rx, &args.camera);
            cancel.store(true, std::sync::atomic::Ordering::SeqCst);
            let outcome = worker.join().unwrap_or_else(|_| {
                Err(LiveError::SinkFailed {
                    sink: "live".into(),
                    reason: "the live loop panicked".into(),
                })
            });
            match (shown, outcome) {
                (Err(reason), Ok(mut o)) => {
                    o.error.get_or_insert(LiveError::SinkFailed {
                        sink: "window".into(),
                        reason,
                    });
                    Ok(o)
                }
                (_, outcome) => outcome,
            }
        })?,
    };
    for line in &outcome.sinks {
        writeln!(out, "{line}")?;
    }
    writeln!(out, "{}", outcome.stats)?;
    if let Some(path) = &args.stats_json {
        let text = serde_json::to_string_pretty(&outcome.stats)?;
        std::fs::write(path, text + "\n").map_err(|e| LiveError::Stats {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
    }
    for (id, n) in &outcome.failures {
        tracing::error!(
            "{id}: failed on {n} of {} frame(s)",
            outcome.stats.processed
        );
    }
    if let Some(e) = outcome.error {
        return Err(e.into());
    }
    Ok(if outcome.failures.is_empty() {
        Completion::Clean
    } else {
        Completion::WithProblems
    })
}

fn profile_ids(profile: &Profile) -> String {
    profile
        .enabled()
        .map(|s| s.id.as_str())
        .collect::<Vec<_>>()
        .join(" → ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::LIVE_DEFAULTS;
    use clap::{CommandFactory, Parser};

    #[test]
    fn live_runs_leave_a_core_free_unless_told_otherwise() {
        use crate::inference::providers::{default_intra_threads, live_intra_threads};
        let parse = |args: &[&str]| crate::cli::Cli::try_parse_from(args).unwrap().global;
        let plain = super::live_global(&parse(&["liveswap", "cameras"]));
        assert_eq!(plain.execution_threads, Some(live_intra_threads()));
        let cores = default_intra_threads();
        assert_eq!(live_intra_threads(), if cores > 1 { cores - 1 } else { 1 });
        let asked =
            super::live_global(&parse(&["liveswap", "--execution-threads", "3", "cameras"]));
        assert_eq!(asked.execution_threads, Some(3), "--execution-threads wins");
    }

    #[test]
    fn the_help_lists_every_live_default() {
        let mut cli = crate::cli::Cli::command();
        let live = cli.find_subcommand_mut("live").unwrap();
        let help = live.render_long_help().to_string().replace('\n', " ");
        for (key, value) in LIVE_DEFAULTS {
            assert!(
                help.contains(&format!(".{key}={value}")),
                "`liveswap live --help` does not mention {key}={value}"
            );
        }
    }
}
