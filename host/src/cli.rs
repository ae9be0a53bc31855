//! Command-line definitions (clap). Parsing only; the work is in [`crate::commands`].

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// liveswap — real-time face swapping on photos, videos and live cameras, offline.
///
/// liveswap runs a pipeline of processor plugins (face analyser, swapper, enhancer, mouth
/// mask, debugger, …) chosen and ordered by a TOML profile. Models run on ONNX Runtime; pick
/// the ONNX Runtime build (CPU, CUDA, DirectML, OpenVINO) with --ort-lib.
#[derive(Debug, Parser)]
#[command(
    name = "liveswap",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Options shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Also load plugins from DIR (repeatable; searched before LIVESWAP_PLUGIN_PATH and the
    /// executable's folder).
    #[arg(long = "plugin-dir", value_name = "DIR", global = true)]
    pub plugin_dirs: Vec<PathBuf>,
    /// Where installed models live [default: $LIVESWAP_MODELS_DIR, else
    /// ~/.local/share/liveswap/models].
    #[arg(long, value_name = "DIR", global = true)]
    pub models_dir: Option<PathBuf>,
    /// The ONNX Runtime library to use (libonnxruntime.so*); otherwise ORT_DYLIB_PATH, the
    /// copy host/scripts/setup.sh installs, then system paths.
    #[arg(long, value_name = "FILE", global = true)]
    pub ort_lib: Option<PathBuf>,
    /// Execution provider for models (only `cpu` in this version).
    #[arg(long, value_name = "NAME", default_value = "cpu", global = true)]
    pub execution_provider: String,
    /// Threads ONNX Runtime may use per model [default: number of cores].
    #[arg(long, value_name = "N", global = true)]
    pub execution_threads: Option<usize>,
    /// More log output (-v info, -vv debug, -vvv trace). RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a profile over a target image and write the result.
    ///
    /// Example: liveswap run --profile profiles/debug.toml --target photo.jpg --output out.png
    Run(RunArgs),
    /// Detect faces in an image and print them (box, score, 5 keypoints, optional 106 landmarks).
    ///
    /// Coordinates are original-image pixels (x = column, y = row, pixel centres at integers);
    /// faces are listed in descending score order.
    Analyse(AnalyseArgs),
    /// List the plugins found (id, version, sdk version, settings, file) and those that failed.
    Plugins(PluginsArgs),
    /// Profile tools.
    #[command(subcommand)]
    Profile(ProfileCommand),
}

/// `liveswap run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The profile (TOML) to run.
    #[arg(short, long, value_name = "FILE")]
    pub profile: PathBuf,
    /// The image to process.
    #[arg(short, long, value_name = "FILE")]
    pub target: PathBuf,
    /// Where to write the result; the extension picks the format.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Source face image(s): the identity to put into the target (repeatable).
    #[arg(short, long, value_name = "FILE")]
    pub source: Vec<PathBuf>,
    /// Override a profile setting, e.g. --set face_debugger.thickness=3 or
    /// --set face_debugger.enabled=false (repeatable; validated like the profile).
    #[arg(long = "set", value_name = "PROCESSOR.KEY=VALUE")]
    pub set: Vec<String>,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub overwrite: bool,
}

/// `liveswap analyse`.
#[derive(Debug, Args)]
pub struct AnalyseArgs {
    /// The image.
    #[arg(value_name = "IMAGE")]
    pub image: PathBuf,
    /// Print JSON: {"image", "width", "height", "faces": [{"bbox", "score", "kps", "landmarks"?}]}.
    #[arg(long)]
    pub json: bool,
    /// Also find the 106 landmarks of each face.
    #[arg(long)]
    pub landmarks: bool,
    /// Override an analyser setting, e.g. --set face_analyser.det_size=320 (repeatable).
    #[arg(long = "set", value_name = "PROCESSOR.KEY=VALUE")]
    pub set: Vec<String>,
}

/// `liveswap plugins`.
#[derive(Debug, Args)]
pub struct PluginsArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `liveswap profile …`.
#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Check a profile against the loaded plugins and print its pipeline or every problem.
    Check {
        /// The profile file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Overrides to check along with it (repeatable).
        #[arg(long = "set", value_name = "PROCESSOR.KEY=VALUE")]
        set: Vec<String>,
    },
}
