//! `liveswap analyse IMAGE`: the faces in one image.

use super::Completion;
use super::error::CommandError;
use super::setup::{Host, parse_overrides};
use crate::cli::AnalyseArgs;
use crate::media::load_rgb;
use crate::pipeline::{Pipeline, StageEvent};
use crate::profile::{Override, Profile, RawProfile};
use liveswap_sdk::{Face, Point};
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// The analyser's processor id.
const ANALYSER: &str = "face_analyser";

/// One face in `--json` output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaceJson {
    /// `[x1, y1, x2, y2]` in image pixels.
    pub bbox: [f32; 4],
    /// Detector score.
    pub score: f32,
    /// Five keypoints.
    pub kps: [Point; 5],
    /// 106 landmarks, with `--landmarks` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub landmarks: Option<Vec<Point>>,
}

/// `--json` output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalyseJson {
    /// The image path as given.
    pub image: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Faces in descending score order.
    pub faces: Vec<FaceJson>,
}

fn face_json(face: &Face, landmarks: bool) -> FaceJson {
    FaceJson {
        bbox: face.bbox,
        score: face.score,
        kps: face.kps,
        landmarks: landmarks.then(|| {
            face.landmarks_106
                .clone()
                .into_option()
                .map(|l| l.into_vec())
                .unwrap_or_default()
        }),
    }
}

/// Runs the analyser alone over an image and prints the faces.
pub fn analyse(
    host: &Host,
    args: &AnalyseArgs,
    out: &mut dyn Write,
) -> Result<Completion, CommandError> {
    host.require(ANALYSER)?;
    // Only run the models the output needs: no recognition, landmarks on request.
    let mut overrides = vec![Override {
        processor: ANALYSER.into(),
        key: "recognizer_model".into(),
        value: String::new(),
    }];
    if !args.landmarks {
        overrides.push(Override {
            processor: ANALYSER.into(),
            key: "landmark_model".into(),
            value: String::new(),
        });
    }
    overrides.extend(parse_overrides(&args.set)?);
    let profile = Profile::validate(
        &RawProfile::single(ANALYSER),
        Path::new("(analyse)"),
        &host.plugins,
        &overrides,
    )?;
    let mut image = load_rgb(&args.image)?;
    let mut pipeline = Pipeline::build(&profile, &host.plugins, &host.services)?;
    let report = pipeline.analyse(&mut image);
    if let Some(problem) = report.events.iter().find_map(|e| match e {
        StageEvent::Failed { id, error } | StageEvent::Disabled { id, error } => {
            Some(format!("{id}: {error}"))
        }
        StageEvent::Skipped { .. } => None,
    }) {
        return Err(CommandError::Processing(problem));
    }
    let result = AnalyseJson {
        image: args.image.display().to_string(),
        width: image.width,
        height: image.height,
        faces: report
            .faces
            .iter()
            .map(|f| face_json(f, args.landmarks))
            .collect(),
    };
    if args.json {
        serde_json::to_writer(&mut *out, &result)?;
        writeln!(out)?;
    } else {
        write_text(&result, out)?;
    }
    Ok(Completion::Clean)
}

fn write_text(result: &AnalyseJson, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{}: {}x{}, {} face(s)",
        result.image,
        result.width,
        result.height,
        result.faces.len()
    )?;
    for (i, f) in result.faces.iter().enumerate() {
        let [x1, y1, x2, y2] = f.bbox;
        writeln!(
            out,
            "  face {i}: score {:.3}  box ({x1:.1}, {y1:.1})–({x2:.1}, {y2:.1})",
            f.score
        )?;
        let kps: Vec<String> = f
            .kps
            .iter()
            .map(|[x, y]| format!("({x:.1}, {y:.1})"))
            .collect();
        writeln!(
            out,
            "    keypoints (eyes, nose, mouth corners): {}",
            kps.join(" ")
        )?;
        if let Some(l) = &f.landmarks {
            writeln!(out, "    {} landmarks", l.len())?;
        }
    }
    Ok(())
}
