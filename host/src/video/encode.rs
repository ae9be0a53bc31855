//! Choosing and configuring the video encoder.
//!
//! Where: [`super::writer`] asks [`candidates`] which encoders to try, opens them in order
//! with [`encoder_options`], and keeps the first that opens. Why probing by opening: an
//! FFmpeg build lists hardware encoders (`h264_nvenc`, `h264_vaapi`, …) whether or not the
//! machine has the hardware and driver; only opening one tells.
//!
//! | `--video-encoder` | tries |
//! |---|---|
//! | (not given) | `libx264` (`libvpx-vp9` for `.webm`) |
//! | `auto` | the hardware encoders for that codec (NVENC, QSV, AMF, VideoToolbox, VAAPI), then software |
//! | a name | that encoder, then the software encoder of the same codec, with one warning |
//!
//! `--video-quality` (0 best … 51 worst, default 18) is a CRF-like number mapped onto each
//! encoder's own constant-quality control: CRF for x264/x265, CRF × 63/51 for VP9 and AV1,
//! CQ for NVENC, ICQ for QSV, QP for VAAPI and AMF, and `q:v` for VideoToolbox.
//! `--video-preset` takes x264's names (ultrafast … veryslow) and maps them onto each
//! encoder's speed control.

use super::error::VideoError;
use std::str::FromStr;

/// The codec an encoder produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// H.264 / AVC.
    H264,
    /// H.265 / HEVC.
    Hevc,
    /// VP9.
    Vp9,
    /// AV1.
    Av1,
}

impl Family {
    /// FFmpeg's codec id.
    pub fn codec_id(self) -> ffmpeg_next::codec::Id {
        use ffmpeg_next::codec::Id;
        match self {
            Self::H264 => Id::H264,
            Self::Hevc => Id::HEVC,
            Self::Vp9 => Id::VP9,
            Self::Av1 => Id::AV1,
        }
    }

    /// Human name.
    pub fn name(self) -> &'static str {
        match self {
            Self::H264 => "H.264",
            Self::Hevc => "H.265/HEVC",
            Self::Vp9 => "VP9",
            Self::Av1 => "AV1",
        }
    }

    /// Software encoders for this codec, preferred first.
    pub fn software(self) -> &'static [&'static str] {
        match self {
            Self::H264 => &["libx264"],
            Self::Hevc => &["libx265"],
            Self::Vp9 => &["libvpx-vp9"],
            Self::Av1 => &["libsvtav1", "libaom-av1"],
        }
    }
}

/// How an encoder is driven (which options mean quality and speed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// libx264.
    X264,
    /// libx265.
    X265,
    /// libvpx-vp9.
    Vpx,
    /// libaom-av1.
    Aom,
    /// libsvtav1.
    Svt,
    /// NVIDIA NVENC.
    Nvenc,
    /// Intel Quick Sync.
    Qsv,
    /// AMD AMF.
    Amf,
    /// Apple VideoToolbox.
    VideoToolbox,
    /// VA-API (needs hardware frames, which liveswap does not upload yet: never opens).
    Vaapi,
}

impl Api {
    /// Whether it runs on a GPU or media engine.
    pub fn is_hardware(self) -> bool {
        !matches!(
            self,
            Self::X264 | Self::X265 | Self::Vpx | Self::Aom | Self::Svt
        )
    }
}

/// An encoder liveswap knows how to configure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownEncoder {
    /// FFmpeg's encoder name.
    pub name: &'static str,
    /// The codec it produces.
    pub family: Family,
    /// How it is configured.
    pub api: Api,
}

const fn known(name: &'static str, family: Family, api: Api) -> KnownEncoder {
    KnownEncoder { name, family, api }
}

/// Every encoder `--video-encoder` accepts. Hardware ones are listed in the order `auto`
/// tries them.
pub const KNOWN_ENCODERS: &[KnownEncoder] = &[
    known("libx264", Family::H264, Api::X264),
    known("libx265", Family::Hevc, Api::X265),
    known("libvpx-vp9", Family::Vp9, Api::Vpx),
    known("libsvtav1", Family::Av1, Api::Svt),
    known("libaom-av1", Family::Av1, Api::Aom),
    known("h264_nvenc", Family::H264, Api::Nvenc),
    known("hevc_nvenc", Family::Hevc, Api::Nvenc),
    known("av1_nvenc", Family::Av1, Api::Nvenc),
    known("h264_qsv", Family::H264, Api::Qsv),
    known("hevc_qsv", Family::Hevc, Api::Qsv),
    known("vp9_qsv", Family::Vp9, Api::Qsv),
    known("av1_qsv", Family::Av1, Api::Qsv),
    known("h264_amf", Family::H264, Api::Amf),
    known("hevc_amf", Family::Hevc, Api::Amf),
    known("av1_amf", Family::Av1, Api::Amf),
    known("h264_videotoolbox", Family::H264, Api::VideoToolbox),
    known("hevc_videotoolbox", Family::Hevc, Api::VideoToolbox),
    known("h264_vaapi", Family::H264, Api::Vaapi),
    known("hevc_vaapi", Family::Hevc, Api::Vaapi),
    known("vp9_vaapi", Family::Vp9, Api::Vaapi),
    known("av1_vaapi", Family::Av1, Api::Vaapi),
];

/// Looks an encoder up by FFmpeg name.
pub fn find_known(name: &str) -> Option<KnownEncoder> {
    KNOWN_ENCODERS.iter().copied().find(|k| k.name == name)
}

/// What `--video-encoder` asked for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum EncoderRequest {
    /// Not given: the software encoder of the container's usual codec.
    #[default]
    Default,
    /// `auto`: hardware first, then software.
    Auto,
    /// A specific encoder.
    Named(String),
}

impl FromStr for EncoderRequest {
    type Err = VideoError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Self::Auto),
            name if find_known(name).is_some() => Ok(Self::Named(name.into())),
            name => Err(VideoError::UnknownEncoder {
                name: name.into(),
                known: KNOWN_ENCODERS
                    .iter()
                    .map(|k| k.name)
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }
}

/// The codec a container is usually given: VP9 for WebM, H.264 elsewhere.
pub fn default_family(muxer: &str) -> Family {
    if muxer == "webm" {
        Family::Vp9
    } else {
        Family::H264
    }
}

/// Encoders to try, in order, for a request and the output muxer's name.
pub fn candidates(request: &EncoderRequest, muxer: &str) -> Vec<KnownEncoder> {
    let software = |family: Family| {
        family
            .software()
            .iter()
            .filter_map(|n| find_known(n))
            .collect::<Vec<_>>()
    };
    match request {
        EncoderRequest::Default => software(default_family(muxer)),
        EncoderRequest::Auto => {
            let family = default_family(muxer);
            let mut list: Vec<KnownEncoder> = KNOWN_ENCODERS
                .iter()
                .copied()
                .filter(|k| k.family == family && k.api.is_hardware())
                .collect();
            list.extend(software(family));
            list
        }
        EncoderRequest::Named(name) => match find_known(name) {
            Some(first) => {
                let mut list = vec![first];
                list.extend(
                    software(first.family)
                        .into_iter()
                        .filter(|k| k.name != first.name),
                );
                list
            }
            None => Vec::new(),
        },
    }
}

/// `--video-preset`: x264's speed names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Preset {
    /// Fastest.
    Ultrafast,
    /// Faster still.
    Superfast,
    /// Very fast.
    Veryfast,
    /// Faster.
    Faster,
    /// Fast.
    Fast,
    /// The encoders' usual default.
    #[default]
    Medium,
    /// Slow.
    Slow,
    /// Slower.
    Slower,
    /// Slowest, smallest files.
    Veryslow,
}

const PRESET_NAMES: [&str; 9] = [
    "ultrafast",
    "superfast",
    "veryfast",
    "faster",
    "fast",
    "medium",
    "slow",
    "slower",
    "veryslow",
];

impl Preset {
    const ALL: [Self; 9] = [
        Self::Ultrafast,
        Self::Superfast,
        Self::Veryfast,
        Self::Faster,
        Self::Fast,
        Self::Medium,
        Self::Slow,
        Self::Slower,
        Self::Veryslow,
    ];

    /// 0 (ultrafast) … 8 (veryslow).
    fn rank(self) -> usize {
        self as usize
    }

    /// The x264 name.
    pub fn name(self) -> &'static str {
        PRESET_NAMES[self.rank()]
    }
}

impl FromStr for Preset {
    type Err = VideoError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PRESET_NAMES
            .iter()
            .position(|n| *n == s)
            .map(|i| Self::ALL[i])
            .ok_or_else(|| VideoError::BadOption {
                option: format!("--video-preset {s}"),
                reason: format!("use one of {}", PRESET_NAMES.join(", ")),
            })
    }
}

/// How to encode the video stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeOptions {
    /// Which encoder.
    pub encoder: EncoderRequest,
    /// 0 (best) … 51 (worst), CRF-like.
    pub quality: u8,
    /// Speed/size trade-off.
    pub preset: Preset,
    /// Encoder threads.
    pub threads: usize,
}

impl Default for EncodeOptions {
    fn default() -> Self {
        Self {
            encoder: EncoderRequest::Default,
            quality: DEFAULT_QUALITY,
            preset: Preset::Medium,
            threads: default_encoder_threads(),
        }
    }
}

/// Encoder threads when not given: half the cores, at least one. Inference (ONNX Runtime,
/// `--execution-threads`, all cores by default) does nearly all the work per frame on CPU;
/// the encoder needs a few milliseconds a frame and mostly waits, so it gets a smaller share
/// and the two only compete while the encoder is actually busy.
pub fn default_encoder_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1))
}

/// The highest `--video-quality`.
pub const MAX_QUALITY: u8 = 51;
/// The default `--video-quality`: visually close to the input for H.264.
pub const DEFAULT_QUALITY: u8 = 18;

/// Scales 0–51 onto 0–63 (VP9 and AV1 CRF).
fn to_63(quality: u8) -> u32 {
    (u32::from(quality) * 63 + 25) / 51
}

/// The encoder's private options for a quality, preset and thread count.
pub fn encoder_options(
    api: Api,
    quality: u8,
    preset: Preset,
    threads: usize,
) -> Vec<(&'static str, String)> {
    let q = quality.min(MAX_QUALITY);
    let r = preset.rank();
    let mut o: Vec<(&'static str, String)> = vec![("threads", threads.max(1).to_string())];
    match api {
        Api::X264 => {
            o.push(("crf", q.to_string()));
            o.push(("preset", preset.name().into()));
        }
        Api::X265 => {
            o.push(("crf", q.to_string()));
            o.push(("preset", preset.name().into()));
            // x265 prints its banner and statistics straight to stderr unless told not to.
            o.push((
                "x265-params",
                format!("log-level=error:pools={}", threads.max(1)),
            ));
        }
        Api::Vpx => {
            o.push(("crf", to_63(q).to_string()));
            o.push(("b", "0".into()));
            o.push(("row-mt", "1".into()));
            let (deadline, cpu_used) = [
                ("realtime", 8),
                ("realtime", 7),
                ("good", 5),
                ("good", 5),
                ("good", 4),
                ("good", 3),
                ("good", 2),
                ("good", 1),
                ("good", 0),
            ][r];
            o.push(("deadline", deadline.into()));
            o.push(("cpu-used", cpu_used.to_string()));
        }
        Api::Aom => {
            o.push(("crf", to_63(q).to_string()));
            o.push(("b", "0".into()));
            o.push(("row-mt", "1".into()));
            o.push(("cpu-used", [8, 8, 7, 6, 5, 4, 3, 2, 1][r].to_string()));
        }
        Api::Svt => {
            o.push(("crf", to_63(q).max(1).to_string()));
            o.push(("preset", [12, 11, 10, 9, 8, 7, 5, 3, 1][r].to_string()));
        }
        Api::Nvenc => {
            // cq 0 means "let the encoder choose", so the best quality is cq 1.
            o.push(("rc", "vbr".into()));
            o.push(("cq", q.max(1).to_string()));
            o.push(("b", "0".into()));
            o.push((
                "preset",
                ["p1", "p1", "p2", "p3", "p3", "p4", "p5", "p6", "p7"][r].into(),
            ));
        }
        Api::Qsv => {
            o.push(("global_quality", q.max(1).to_string()));
            o.push((
                "preset",
                [
                    "veryfast", "veryfast", "veryfast", "faster", "fast", "medium", "slow",
                    "slower", "veryslow",
                ][r]
                    .into(),
            ));
        }
        Api::Amf => {
            o.push(("rc", "cqp".into()));
            for key in ["qp_i", "qp_p", "qp_b"] {
                o.push((key, q.to_string()));
            }
            o.push((
                "quality",
                match r {
                    0..=3 => "speed",
                    4..=5 => "balanced",
                    _ => "quality",
                }
                .into(),
            ));
        }
        Api::VideoToolbox => {
            // q:v 1–100 (100 best) travels as global_quality × FF_QP2LAMBDA with +qscale.
            let vt = 100 - u32::from(q) * 99 / 51;
            o.push(("flags", "+qscale".into()));
            o.push(("global_quality", (vt * 118).to_string()));
        }
        Api::Vaapi => {
            o.push(("rc_mode", "CQP".into()));
            o.push(("qp", q.to_string()));
        }
    }
    o
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn get<'a>(o: &'a [(&'static str, String)], k: &str) -> Option<&'a str> {
        o.iter().find(|(key, _)| *key == k).map(|(_, v)| v.as_str())
    }

    #[test]
    fn candidates_fall_back_to_software_of_the_same_codec() {
        let names = |r: &EncoderRequest, m: &str| -> Vec<&str> {
            candidates(r, m).iter().map(|k| k.name).collect()
        };
        assert_eq!(names(&EncoderRequest::Default, "mp4"), ["libx264"]);
        assert_eq!(names(&EncoderRequest::Default, "webm"), ["libvpx-vp9"]);
        let r: EncoderRequest = "h264_nvenc".parse().unwrap();
        assert_eq!(names(&r, "mp4"), ["h264_nvenc", "libx264"]);
        let r: EncoderRequest = "libaom-av1".parse().unwrap();
        assert_eq!(names(&r, "mkv"), ["libaom-av1", "libsvtav1"]);
        let auto = names(&EncoderRequest::Auto, "mp4");
        assert_eq!(auto.first(), Some(&"h264_nvenc"));
        assert_eq!(auto.last(), Some(&"libx264"));
        assert!(
            auto.iter()
                .all(|n| n.starts_with("h264_") || *n == "libx264")
        );
        assert!(matches!(
            "libx246".parse::<EncoderRequest>(),
            Err(VideoError::UnknownEncoder { .. })
        ));
    }

    #[test]
    fn quality_and_preset_map_per_encoder() {
        let o = encoder_options(Api::X264, 18, Preset::Veryfast, 1);
        assert_eq!(get(&o, "crf"), Some("18"));
        assert_eq!(get(&o, "preset"), Some("veryfast"));
        assert_eq!(get(&o, "threads"), Some("1"));
        // VP9/AV1 CRF spans 0–63: the ends map onto the ends.
        assert_eq!(
            get(&encoder_options(Api::Vpx, 51, Preset::Medium, 2), "crf"),
            Some("63")
        );
        assert_eq!(
            get(&encoder_options(Api::Vpx, 0, Preset::Medium, 2), "crf"),
            Some("0")
        );
        assert_eq!(
            get(&encoder_options(Api::Aom, 18, Preset::Medium, 2), "crf"),
            Some("22")
        );
        assert_eq!(
            get(&encoder_options(Api::Svt, 0, Preset::Medium, 2), "crf"),
            Some("1")
        );
        assert_eq!(
            get(&encoder_options(Api::Nvenc, 0, Preset::Slow, 2), "cq"),
            Some("1")
        );
        assert_eq!(
            get(&encoder_options(Api::Nvenc, 0, Preset::Slow, 2), "preset"),
            Some("p5")
        );
        // Faster presets never map to slower settings.
        let cpu = |p| {
            get(&encoder_options(Api::Aom, 20, p, 1), "cpu-used")
                .unwrap()
                .parse::<u32>()
                .unwrap()
        };
        assert!(Preset::ALL.windows(2).all(|w| cpu(w[0]) >= cpu(w[1])));
        assert_eq!("slow".parse::<Preset>().unwrap(), Preset::Slow);
        assert!("warp".parse::<Preset>().is_err());
    }
}
