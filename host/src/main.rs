//! The `liveswap` command-line entry point: parses arguments, sets up logging, runs a
//! command, and turns its result into an exit status (0 ok, 1 error, 2 usage error,
//! 3 output written but a processor failed or was disabled).

use clap::Parser as _;
use liveswap_host::cli::{Cli, Command, ProfileCommand};
use liveswap_host::commands::{self, Completion, Host};
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

fn run(cli: &Cli) -> anyhow::Result<Completion> {
    let host = Host::start(&cli.global)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let done = match &cli.command {
        Command::Run(args) => commands::run(&host, args, &mut out)?,
        Command::Analyse(args) => commands::analyse(&host, args, &mut out)?,
        Command::Plugins(args) => commands::plugins(&host, args.json, &mut out)?,
        Command::Profile(ProfileCommand::Check { file, set }) => {
            commands::profile_check(&host, file, set, &mut out)?
        }
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
            // liveswap's errors already carry their cause in their message.
            let text = format!("error: {error}");
            #[allow(
                clippy::print_stderr,
                reason = "the final error report is the command's output"
            )]
            {
                eprintln!("{text}");
            }
            ExitCode::FAILURE
        }
    }
}
