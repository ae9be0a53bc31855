//! Face selection and source → target mapping, shared by the swapper plugins.
//!
//! Runs at the start of a swapper's `process`, after the analyser filled `FrameCtx::faces`
//! (and, for `reference`/`map`, their embeddings). [`assign`] turns the frame's faces and the
//! run's prepared sources into [`Assignment`]s: which target face (index into
//! `FrameCtx::faces`) receives which source (index into `FrameCtx::sources`).
//!
//! | mode | targets | source |
//! |---|---|---|
//! | `one` | the first face in `one_order` | the first `"source"` face |
//! | `many` | every face | the first `"source"` face |
//! | `reference` | faces within `reference_distance` of any `"reference"` face | the first `"source"` face |
//! | `map` | faces matched one-to-one to the `map:<k>:target` faces (greedy by smallest distance, within `map_distance`) | that pair's `map:<k>:source` |
//!
//! For `"source"` faces the assignment names the FIRST one; a swapper that averages several
//! photos of the source person uses [`role_group`] to get all of them. Distances are cosine
//! distances `1 − cos(a, b)` between identity embeddings (0 = same direction, 2 = opposite),
//! only ever between embeddings of the same space.
//!
//! ## Settings ([`selection_specs`])
//! | key | type | default | range | live |
//! |---|---|---|---|---|
//! | `face_selection` | choice | `one` | one, many, reference, map | yes |
//! | `one_order` | choice | `largest` | largest, left-right, right-left, top-bottom, best-score | yes |
//! | `reference_distance` | float | 0.75 | 0–2 | yes |
//! | `map_distance` | float | 1.0 | 0–2 | yes |
//!
//! The default `reference_distance` 0.75 (cosine ≥ 0.25) sits between ArcFace's usual
//! same-person similarities (≈ 0.3–0.8 across photos) and different-person ones (≈ −0.1–0.2).
//! `map_distance` is looser (1.0: cosine ≥ 0) because each map target only competes for the
//! faces nearest to it.

use liveswap_sdk::{
    Embedding, Face, SdkError, SdkResult, SettingSpec, SettingValue, Settings, SourceFace,
};
use liveswap_sdk::{SourceRole, selection};
use liveswap_vision::pairs::{Rank, greedy_pairs};

/// Default `face_selection`.
pub const DEFAULT_FACE_SELECTION: &str = selection::ONE;
/// Default `one_order`.
pub const DEFAULT_ONE_ORDER: &str = "largest";
/// Default `reference_distance` (cosine distance).
pub const DEFAULT_REFERENCE_DISTANCE: f64 = 0.75;
/// Default `map_distance` (cosine distance).
pub const DEFAULT_MAP_DISTANCE: f64 = 1.0;

const ORDER_CHOICES: [&str; 5] = [
    "largest",
    "left-right",
    "right-left",
    "top-bottom",
    "best-score",
];

/// Which single face `one` mode picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OneOrder {
    /// The largest box area.
    Largest,
    /// The leftmost box (smallest x1).
    LeftRight,
    /// The rightmost box (largest x2).
    RightLeft,
    /// The topmost box (smallest y1).
    TopBottom,
    /// The highest detector score.
    BestScore,
}

impl OneOrder {
    /// Parses a `one_order` choice.
    pub fn parse(s: &str) -> SdkResult<Self> {
        Ok(match s {
            "largest" => Self::Largest,
            "left-right" => Self::LeftRight,
            "right-left" => Self::RightLeft,
            "top-bottom" => Self::TopBottom,
            "best-score" => Self::BestScore,
            other => {
                return Err(SdkError::setting(format!(
                    "one_order: unknown order {other:?} (expected one of {})",
                    ORDER_CHOICES.join(", ")
                )));
            }
        })
    }

    /// Sort key: the face that comes first has the smallest key.
    fn key(self, f: &Face) -> f32 {
        match self {
            Self::Largest => -f.area(),
            Self::LeftRight => f.bbox[0],
            Self::RightLeft => -f.bbox[2],
            Self::TopBottom => f.bbox[1],
            Self::BestScore => -f.score,
        }
    }
}

/// How target faces are chosen and paired with sources.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SelectMode {
    /// One face per frame, the first in this order.
    One(OneOrder),
    /// Every face.
    Many,
    /// Faces whose identity is within `max_distance` of a `"reference"` source.
    Reference {
        /// Largest cosine distance to a reference face that still counts as the same person.
        max_distance: f32,
    },
    /// Each `map:<k>:target` identity gets its `map:<k>:source`.
    Map {
        /// Largest cosine distance at which a face may match a map target.
        max_distance: f32,
    },
}

/// One swap to perform this frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    /// Index into `FrameCtx::faces`.
    pub target: usize,
    /// Index into `FrameCtx::sources`.
    pub source: usize,
}

/// The selection settings every swapper publishes (append them to the plugin's own specs).
pub fn selection_specs() -> Vec<SettingSpec> {
    vec![
        SettingSpec::choice(
            selection::SETTING,
            "Face selection",
            "Which faces to swap: one (see one_order), many (all), reference (faces like --reference-face), map (each --map TARGET=SOURCE pair)",
            DEFAULT_FACE_SELECTION,
            &selection::MODES,
        )
        .live(),
        SettingSpec::choice(
            "one_order",
            "Which face",
            "In `one` mode, the face to swap: largest, left-right (leftmost), right-left, top-bottom (topmost), best-score",
            DEFAULT_ONE_ORDER,
            &ORDER_CHOICES,
        )
        .live(),
        SettingSpec::float(
            "reference_distance",
            "Reference distance",
            "In `reference` mode, the largest identity distance (1 - cosine) to a reference face that is swapped",
            DEFAULT_REFERENCE_DISTANCE,
            0.0,
            2.0,
        )
        .live(),
        SettingSpec::float(
            "map_distance",
            "Map distance",
            "In `map` mode, the largest identity distance (1 - cosine) at which a face matches a map target",
            DEFAULT_MAP_DISTANCE,
            0.0,
            2.0,
        )
        .live(),
    ]
}

/// Typed selection settings, kept in step with live updates.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectSettings {
    /// The current mode.
    pub mode: SelectMode,
    kind: String,
    order: OneOrder,
    reference_distance: f32,
    map_distance: f32,
}

impl Default for SelectSettings {
    fn default() -> Self {
        Self {
            mode: SelectMode::One(OneOrder::Largest),
            kind: DEFAULT_FACE_SELECTION.into(),
            order: OneOrder::Largest,
            reference_distance: DEFAULT_REFERENCE_DISTANCE as f32,
            map_distance: DEFAULT_MAP_DISTANCE as f32,
        }
    }
}

impl SelectSettings {
    /// Reads the [`selection_specs`] keys from validated settings.
    pub fn from_settings(s: &Settings) -> SdkResult<Self> {
        let mut out = Self {
            mode: SelectMode::Many,
            kind: s.text(selection::SETTING)?.into(),
            order: OneOrder::parse(s.text("one_order")?)?,
            reference_distance: s.float("reference_distance")? as f32,
            map_distance: s.float("map_distance")? as f32,
        };
        out.mode = out.build()?;
        Ok(out)
    }

    /// Applies a live update. Returns `Ok(false)` when `key` is not a selection setting (the
    /// caller handles it), `Ok(true)` when applied.
    pub fn update(&mut self, key: &str, value: &SettingValue) -> SdkResult<bool> {
        let mut next = self.clone();
        match (key, value) {
            (selection::SETTING, SettingValue::Text(v)) => next.kind = v.to_string(),
            ("one_order", SettingValue::Text(v)) => next.order = OneOrder::parse(v)?,
            ("reference_distance", v) => next.reference_distance = number(key, v)?,
            ("map_distance", v) => next.map_distance = number(key, v)?,
            (selection::SETTING | "one_order", v) => {
                return Err(SdkError::setting(format!(
                    "{key}: expected a choice, got {v}"
                )));
            }
            _ => return Ok(false),
        }
        next.mode = next.build()?;
        *self = next;
        Ok(true)
    }

    fn build(&self) -> SdkResult<SelectMode> {
        Ok(match self.kind.as_str() {
            selection::ONE => SelectMode::One(self.order),
            selection::MANY => SelectMode::Many,
            selection::REFERENCE => SelectMode::Reference {
                max_distance: self.reference_distance,
            },
            selection::MAP => SelectMode::Map {
                max_distance: self.map_distance,
            },
            other => {
                return Err(SdkError::setting(format!(
                    "face_selection: unknown mode {other:?} (expected one of {})",
                    selection::MODES.join(", ")
                )));
            }
        })
    }
}

fn number(key: &str, v: &SettingValue) -> SdkResult<f32> {
    match v {
        SettingValue::Float(x) => Ok(*x as f32),
        SettingValue::Int(x) => Ok(*x as f32),
        other => Err(SdkError::setting(format!(
            "{key}: expected a number, got {other}"
        ))),
    }
}

/// Cosine distance `1 − cos(a, b)`; refuses embeddings of different spaces or lengths.
pub fn cosine_distance(a: &Embedding, b: &Embedding) -> SdkResult<f32> {
    if a.space != b.space || a.values.len() != b.values.len() {
        return Err(SdkError::input(format!(
            "cannot compare identities from different embedding spaces ({} [{}] vs {} [{}]); analyse all images with the same recognizer_model",
            a.space,
            a.values.len(),
            b.space,
            b.values.len()
        )));
    }
    let (mut dot, mut na, mut nb) = (0.0f64, 0.0f64, 0.0f64);
    for (x, y) in a.values.iter().zip(b.values.iter()) {
        dot += f64::from(*x) * f64::from(*y);
        na += f64::from(*x) * f64::from(*x);
        nb += f64::from(*y) * f64::from(*y);
    }
    let denom = (na * nb).sqrt();
    let cos = if denom > 0.0 { dot / denom } else { 0.0 };
    Ok((1.0 - cos) as f32)
}

/// All sources that share the role of `sources[index]`: every `"source"` face for a
/// `"source"` (photos of one person, to be averaged), else just those with the same role.
pub fn role_group(sources: &[SourceFace], index: usize) -> Vec<usize> {
    let Some(role) = sources.get(index).map(|s| s.role.as_str()) else {
        return Vec::new();
    };
    sources
        .iter()
        .enumerate()
        .filter(|(_, s)| s.role.as_str() == role)
        .map(|(i, _)| i)
        .collect()
}

fn first_source(sources: &[SourceFace], mode: &str) -> SdkResult<usize> {
    sources
        .iter()
        .position(|s| SourceRole::parse(&s.role) == Some(SourceRole::Source))
        .ok_or_else(|| {
            SdkError::input(format!(
                "face_selection = {mode} needs a source face, and none was given"
            ))
            .with_help("pass --source FACE_IMAGE")
        })
}

fn embedding<'a>(face: &'a Face, what: &str) -> SdkResult<&'a Embedding> {
    face.embedding.as_ref().into_option().ok_or_else(|| {
        SdkError::input(format!("{what} has no identity embedding")).with_help(
            "set face_analyser.recognizer_model (reference and map selection compare identities)",
        )
    })
}

/// Chooses the swaps for one frame. An empty frame gives an empty list; a mode whose
/// sources are missing (no `--source`, no `--reference-face`, no map pairs) is an error.
pub fn assign(
    faces: &[Face],
    sources: &[SourceFace],
    mode: &SelectMode,
) -> Result<Vec<Assignment>, SdkError> {
    match *mode {
        SelectMode::One(order) => {
            let source = first_source(sources, "one")?;
            let best = faces
                .iter()
                .enumerate()
                .min_by(|(_, a), (_, b)| order.key(a).total_cmp(&order.key(b)));
            Ok(best
                .map(|(target, _)| Assignment { target, source })
                .into_iter()
                .collect())
        }
        SelectMode::Many => {
            let source = first_source(sources, "many")?;
            Ok((0..faces.len())
                .map(|target| Assignment { target, source })
                .collect())
        }
        SelectMode::Reference { max_distance } => reference(faces, sources, max_distance),
        SelectMode::Map { max_distance } => map(faces, sources, max_distance),
    }
}

fn reference(
    faces: &[Face],
    sources: &[SourceFace],
    max_distance: f32,
) -> SdkResult<Vec<Assignment>> {
    let source = first_source(sources, "reference")?;
    let refs: Vec<&SourceFace> = sources
        .iter()
        .filter(|s| SourceRole::parse(&s.role) == Some(SourceRole::Reference))
        .collect();
    if refs.is_empty() {
        return Err(SdkError::input(
            "face_selection = reference needs a reference face, and none was given",
        )
        .with_help("pass --reference-face FACE_IMAGE"));
    }
    let mut out = Vec::new();
    for (target, face) in faces.iter().enumerate() {
        let e = embedding(face, "a target face")?;
        let mut nearest = f32::INFINITY;
        for r in &refs {
            let re = embedding(&r.face, &format!("reference face {}", r.label))?;
            nearest = nearest.min(cosine_distance(e, re)?);
        }
        if nearest <= max_distance {
            out.push(Assignment { target, source });
        }
    }
    Ok(out)
}

fn map(faces: &[Face], sources: &[SourceFace], max_distance: f32) -> SdkResult<Vec<Assignment>> {
    // (map target source index, map source index) per pair k, in k order.
    let mut pairs: Vec<(u32, usize, usize)> = Vec::new();
    for (i, s) in sources.iter().enumerate() {
        if let Some(SourceRole::MapTarget(k)) = SourceRole::parse(&s.role) {
            let src = sources
                .iter()
                .position(|t| SourceRole::parse(&t.role) == Some(SourceRole::MapSource(k)))
                .ok_or_else(|| {
                    SdkError::input(format!("map pair {k} ({}) has no source face", s.label))
                })?;
            pairs.push((k, i, src));
        }
    }
    if pairs.is_empty() {
        return Err(
            SdkError::input("face_selection = map needs map pairs, and none were given").with_help(
                "pass --map TARGET_FACE_IMAGE=SOURCE_IMAGE or add [[map]] entries to the profile",
            ),
        );
    }
    pairs.sort_unstable();
    // Every (face, pair) distance within range, then greedy one-to-one by smallest distance.
    let mut cands: Vec<(f32, usize, usize)> = Vec::new();
    for (target, face) in faces.iter().enumerate() {
        let e = embedding(face, "a target face")?;
        for (p, (_, t, _)) in pairs.iter().enumerate() {
            let te = embedding(
                &sources[*t].face,
                &format!("map target {}", sources[*t].label),
            )?;
            let d = cosine_distance(e, te)?;
            if d <= max_distance {
                cands.push((d, target, p));
            }
        }
    }
    let mut out: Vec<Assignment> = greedy_pairs(cands, faces.len(), pairs.len(), Rank::LowestFirst)
        .into_iter()
        .map(|(target, p)| Assignment {
            target,
            source: pairs[p].2,
        })
        .collect();
    out.sort_by_key(|a| a.target);
    Ok(out)
}

#[cfg(test)]
#[path = "select_tests.rs"]
pub(crate) mod tests;
