//! The `liveswap` command-line entry point: parses arguments, sets up logging, runs a
//! command, and turns its result into an exit status (0 ok, 1 error, 2 usage error,
//! 3 output written but a processor failed or was disabled, 130 cancelled by Ctrl-C).

use clap::Parser as _;
use liveswap_host::cli::{Cli, Command, ProfileCommand};
use liveswap_host::commands::{self, Completion, Host};
use liveswap_host::video::VideoError;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

fn init_logging(verbose: u8, quiet: bool) {
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(verbose >= 2)
        .without_time()
        .init();
}

/// Ctrl-C (SIGINT) and SIGTERM set the run's cancel flag: video runs stop after the frame
/// in progress and delete their unfinished output. A second signal exits at once (a
/// hidden `.NAME.partial-PID.EXT` file may then stay behind).
fn install_cancel_handler(host: &Host) {
    let cancel = host.services.cancel_flag();
    let installed = ctrlc::set_handler(move || {
        if cancel.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(EXIT_CANCELLED.into());
        }
    });
    if let Err(e) = installed {
        tracing::warn!("Ctrl-C will end liveswap without cleaning up: {e}");
    }
}

/// Exit status after a cancelled run (128 + SIGINT, as shells report it).
const EXIT_CANCELLED: u8 = 130;

fn run(cli: &Cli) -> anyhow::Result<Completion> {
    // Model and provider tools need no plugins.
    match &cli.command {
        Command::Models(cmd) => {
            let stderr = std::io::stderr();
            let tty = std::io::IsTerminal::is_terminal(&stderr);
            let mut log = stderr.lock();
            let mut out = std::io::stdout().lock();
            return Ok(commands::models(&cli.global, cmd, &mut out, &mut log, tty)?);
        }
        Command::Providers(args) => {
            let mut out = std::io::stdout().lock();
            return Ok(commands::providers(&cli.global, args.json, &mut out)?);
        }
        Command::Join(args) => {
            let mut out = std::io::stdout().lock();
            return Ok(commands::join(args, &mut out)?);
        }
        Command::Cameras(args) => {
            let mut out = std::io::stdout().lock();
            return Ok(commands::cameras(args.json, &mut out)?);
        }
        // The app loads plugins itself (its start-up time includes them); it asks for the
        // responsible-use terms in its own window.
        Command::Ui(args) => {
            liveswap_host::ui::run(&cli.global, args)?;
            return Ok(Completion::Clean);
        }
        _ => {}
    }
    // The responsible-use notice, once per machine, before anything that makes swapped output.
    if matches!(
        cli.command,
        Command::Run(_) | Command::Preview(_) | Command::Live(_)
    ) {
        liveswap_host::responsible::consent::ensure_for_cli(cli.global.accept_terms)
            .map_err(commands::CommandError::TermsNotAccepted)?;
    }
    let host = match &cli.command {
        Command::Run(args) => Host::start_with_profile(&cli.global, args.profile.as_deref())?,
        Command::Preview(args) => Host::start_with_profile(&cli.global, Some(&args.profile))?,
        Command::Bench(args) => Host::start_with_profile(&cli.global, Some(&args.profile))?,
        Command::Faces(args) => Host::start_with_profile(&cli.global, args.profile.as_deref())?,
        Command::Plan(args) => Host::start_with_profile(&cli.global, Some(&args.profile))?,
        Command::Live(args) => {
            Host::start_with_profile(&commands::live_global(&cli.global), args.profile.as_deref())?
        }
        _ => Host::start(&cli.global)?,
    };
    if matches!(
        cli.command,
        Command::Run(_)
            | Command::Preview(_)
            | Command::Bench(_)
            | Command::Faces(_)
            | Command::Plan(_)
            | Command::Live(_)
    ) {
        install_cancel_handler(&host);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let done = match &cli.command {
        Command::Run(args) => commands::run(&host, args, &mut out)?,
        Command::Preview(args) => commands::preview(&host, args, &mut out)?,
        Command::Bench(args) => commands::bench(&host, args, &mut out)?,
        Command::Plan(args) => commands::plan(&host, args, &mut out)?,
        Command::Analyse(args) => commands::analyse(&host, args, &mut out)?,
        Command::Faces(args) => commands::faces(&host, args, &mut out)?,
        Command::Plugins(args) => commands::plugins(&host, args.json, &mut out)?,
        Command::Profile(ProfileCommand::Check { file, set }) => {
            commands::profile_check(&host, file, set, &mut out)?
        }
        Command::Live(args) => commands::live(&host, args, &mut out)?,
        Command::Models(_)
        | Command::Providers(_)
        | Command::Join(_)
        | Command::Cameras(_)
        | Command::Ui(_) => Completion::Clean,
    };
    Ok(done)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.global.verbose, cli.global.quiet);
    match run(&cli) {
        Ok(Completion::Clean) => ExitCode::SUCCESS,
        Ok(Completion::WithProblems) => ExitCode::from(3),
        Err(error) => {
            let cancelled = matches!(
                error.downcast_ref::<commands::CommandError>(),
                Some(commands::CommandError::Video(v)) if matches!(**v, VideoError::Cancelled { .. })
            );
            // liveswap's errors already carry their cause in their message.
            let text = format!("error: {error}");
            #[allow(
                clippy::print_stderr,
                reason = "the final error report is the command's output"
            )]
            {
                eprintln!("{text}");
            }
            if cancelled {
                ExitCode::from(EXIT_CANCELLED)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
