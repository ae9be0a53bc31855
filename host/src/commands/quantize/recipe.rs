//! What `models quantize` does per kind of model: which pipeline records its calibration
//! inputs, which quantization recipe it gets, and the quality limits its int8 copy must meet.
//!
//! This is the one place these decisions live. The recipes come from measurements on the real
//! w600k_mbf / det_500m / 2d106det (README, "int8 models"); the limits are what the README
//! promises users.

use serde_json::{Value, json};

/// The kinds of model the command knows how to calibrate (from the manifest's `role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// SCRFD face detectors (det_500m, det_10g).
    Detector,
    /// ArcFace recognizers (w600k_mbf, w600k_r50).
    Recognizer,
    /// 2d106det landmarks.
    Landmarks,
    /// inswapper.
    Swapper,
    /// GFPGAN / GPEN / CodeFormer.
    Enhancer,
}

/// The analyser's processor id.
pub const ANALYSER: &str = "face_analyser";

impl Role {
    /// From a manifest entry's `role`.
    pub fn from_manifest(role: &str) -> Option<Self> {
        match role {
            "face_detector" => Some(Self::Detector),
            "face_recognizer" => Some(Self::Recognizer),
            "landmarks_106" => Some(Self::Landmarks),
            "face_swapper" => Some(Self::Swapper),
            "face_enhancer" => Some(Self::Enhancer),
            _ => None,
        }
    }

    /// The profile (TOML) whose processors prepare this model's inputs, with the model slot
    /// set to `model` (an id, or a path for the int8 copy under check). Tracking is off: every
    /// calibration photo is a separate still, searched whole.
    pub fn profile(self, model: &str) -> String {
        let analyser = |det: &str, rec: &str, lmk: &str| {
            format!(
                "[[processors]]\nid = \"{ANALYSER}\"\n[processors.settings]\ndetector_model = \"{det}\"\n\
                 recognizer_model = \"{rec}\"\nlandmark_model = \"{lmk}\"\ntracking = false\n"
            )
        };
        let body = match self {
            Self::Detector => analyser(model, "", ""),
            Self::Recognizer => analyser("det_500m", model, ""),
            Self::Landmarks => analyser("det_500m", "", model),
            Self::Swapper => format!(
                "{}[[processors]]\nid = \"face_swapper\"\n[processors.settings]\nmodel = \"{model}\"\n\
                 face_selection = \"one\"\n",
                analyser("det_500m", "w600k_r50", "")
            ),
            Self::Enhancer => format!(
                "{}[[processors]]\nid = \"face_enhancer\"\n[processors.settings]\nmodel = \"{model}\"\n",
                analyser("det_500m", "", "")
            ),
        };
        format!("schema_version = 1\n{body}")
    }

    /// The morph-swap profile used for the end-to-end PSNR figure of analyser models, with
    /// this model's slot set to `model`; `None` for models the morpher does not use.
    pub fn morph_profile(self, model: &str) -> Option<String> {
        let (det, rec, lmk) = match self {
            Self::Detector => (model, "w600k_mbf", "2d106det"),
            Self::Recognizer => ("det_500m", model, "2d106det"),
            Self::Landmarks => ("det_500m", "w600k_mbf", model),
            Self::Swapper | Self::Enhancer => return None,
        };
        Some(format!(
            "schema_version = 1\n[[processors]]\nid = \"{ANALYSER}\"\n[processors.settings]\n\
             detector_model = \"{det}\"\nrecognizer_model = \"{rec}\"\nlandmark_model = \"{lmk}\"\n\
             tracking = false\n[[processors]]\nid = \"face_morpher\"\n[processors.settings]\n\
             face_selection = \"one\"\n"
        ))
    }

    /// Whether the pipeline needs a source face (swappers).
    pub fn needs_source(self) -> bool {
        matches!(self, Self::Swapper)
    }

    /// The quantization recipe handed to the tool (see `quantize_tool.py`).
    pub fn recipe(self) -> Value {
        let base = json!({
            "format": "QDQ",
            "activation_type": "QUInt8",
            "weight_type": "QInt8",
            "per_channel": true,
            "calibrate_method": "MinMax",
            "op_types": ["Conv", "Gemm", "MatMul", "ConvTranspose"],
            "opset": 13,
            "extra_options": {},
        });
        let mut r = base;
        match self {
            // MobileFaceNet: see README "int8 models" for the measurements behind this.
            Self::Recognizer => {
                r["exclude_depthwise"] = json!(true);
                r["exclude_first_conv"] = json!(true);
                r["exclude_last"] = json!(2);
            }
            // SCRFD-500M is MobileNet-like too: its depthwise convs stay fp32 as well.
            Self::Detector => {
                r["exclude_depthwise"] = json!(true);
                r["exclude_first_conv"] = json!(true);
            }
            Self::Landmarks => {
                r["exclude_first_conv"] = json!(true);
            }
            Self::Swapper | Self::Enhancer => {}
        }
        r
    }

    /// The limits its check must meet: `(figure name, bound, true = at least / false = at
    /// most)`. Figures not listed are informative.
    pub fn limits(self) -> &'static [(&'static str, f64, bool)] {
        match self {
            Self::Recognizer => &[
                ("embedding_cosine_mean", 0.97, true),
                ("embedding_cosine_min", 0.90, true),
                ("morph_psnr_db_min", 30.0, true),
            ],
            Self::Detector => &[
                ("box_iou_mean", 0.93, true),
                ("kps_px_mean", 1.5, false),
                // Faces found by one model only, as a share of the fp32 faces: crowd photos
                // have faces right at the score threshold, which either model may drop.
                ("faces_unmatched_share", 0.08, false),
                ("morph_psnr_db_min", 30.0, true),
            ],
            Self::Landmarks => &[
                ("landmarks_px_mean", 1.5, false),
                ("landmarks_px_max", 8.0, false),
                ("morph_psnr_db_min", 30.0, true),
            ],
            Self::Swapper => &[
                ("swap_crop_psnr_db_mean", 25.0, true),
                ("swap_cosine_mean", 0.90, true),
            ],
            Self::Enhancer => &[("crop_psnr_db_mean", 25.0, true)],
        }
    }
}
