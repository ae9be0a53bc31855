//! Faces in the app: thumbnails for the window, and the face list the processors get.
//!
//! Where: the preview worker crops a thumbnail of the face found in each source photo and
//! of each face found in the target frame; the face-mapping panel picks target faces from
//! those. [`FaceMode::source_faces`] turns the app's choice into the same
//! [`SourceFace`] roles that `liveswap run` builds from `--source`, `--reference-face` and
//! `--map` ([`SourceRole`]), so the swappers see exactly what the CLI would give them. A picked target face keeps the frame
//! it was picked in: it names a person (by identity), like a `--map` face image does.
//!
//! Coordinates: face boxes are `[x1, y1, x2, y2]` in frame pixels (x = column).

use crate::commands::SELECTION_KEY;
use crate::plugins::PluginSet;
use crate::profile::Override;
use iced::widget::image::Handle;
use liveswap_sdk::{Face, OwnedImage, SourceFace, SourceRole, selection};
use std::path::PathBuf;
use std::sync::Arc;

/// Edge of a face thumbnail, in pixels.
pub const THUMB_SIZE: u32 = 96;

/// Extra margin around a face box in a thumbnail, as a share of the box size.
const THUMB_MARGIN: f32 = 0.25;

/// A source photo as prepared by the worker.
#[derive(Debug, Clone)]
pub struct SourceCard {
    /// The file.
    pub path: PathBuf,
    /// What was found.
    pub status: SourceStatus,
}

/// What the analyser found in a source photo.
#[derive(Debug, Clone)]
pub enum SourceStatus {
    /// Not analysed yet (the pipeline is still starting).
    Pending,
    /// The face that will be used, cropped.
    Face {
        /// The face thumbnail.
        thumb: Handle,
        /// The photo and its face, as the processors get them.
        face: Arc<SourceFace>,
    },
    /// No usable face (or the file cannot be read): the message for the thumbnail.
    Unusable(String),
}

/// A face found in the target frame, offered for mapping.
#[derive(Debug, Clone)]
pub struct PickedFace {
    /// The frame it was found in (the person is named by this face's identity).
    pub frame: Arc<OwnedImage>,
    /// The face.
    pub face: Face,
    /// Its thumbnail.
    pub thumb: Handle,
    /// Where it came from, for messages ("target face 2").
    pub label: String,
}

/// Which target faces get which source.
#[derive(Debug, Clone, Default)]
pub enum FaceMode {
    /// The profile's own `face_selection` (one, many…) with every source face.
    #[default]
    Profile,
    /// `map` mode: each picked target person gets the source at the index (into the
    /// source list); faces not listed are left as they are.
    Map(Vec<(PickedFace, usize)>),
    /// `reference` mode: only faces of the picked person(s) are swapped.
    Reference(Vec<PickedFace>),
}

impl FaceMode {
    /// The `face_selection` this mode implies (None: the profile's own).
    pub fn selection(&self) -> Option<&'static str> {
        match self {
            Self::Profile => None,
            Self::Map(_) => Some(selection::MAP),
            Self::Reference(_) => Some(selection::REFERENCE),
        }
    }

    /// Overrides setting `face_selection` for every profile processor whose plugin has
    /// that setting (the app's choice wins over the profile's value, unlike the CLI's
    /// implied overrides, because the user just picked it in the window).
    pub fn overrides(&self, ids: &[String], plugins: &PluginSet) -> Vec<Override> {
        let Some(mode) = self.selection() else {
            return Vec::new();
        };
        ids.iter()
            .filter(|id| {
                plugins.get(id).is_some_and(|p| {
                    p.info
                        .settings
                        .iter()
                        .any(|s| s.key.as_str() == SELECTION_KEY)
                })
            })
            .map(|id| Override {
                processor: id.clone(),
                key: SELECTION_KEY.into(),
                value: mode.into(),
            })
            .collect()
    }

    /// The source faces the processors get, with the CLI's roles.
    pub fn source_faces(&self, sources: &[SourceCard]) -> Vec<SourceFace> {
        let usable = |i: usize| match sources.get(i).map(|s| &s.status) {
            Some(SourceStatus::Face { face, .. }) => Some(face),
            _ => None,
        };
        let plain = || {
            (0..sources.len())
                .filter_map(usable)
                .map(|f| with_role(f, SourceRole::Source))
                .collect::<Vec<_>>()
        };
        match self {
            Self::Profile => plain(),
            Self::Reference(people) => {
                let mut out = plain();
                out.extend(people.iter().map(|p| picked(p, SourceRole::Reference)));
                out
            }
            Self::Map(pairs) => {
                let mut out = Vec::new();
                let usable_pairs = pairs
                    .iter()
                    .filter_map(|(person, i)| usable(*i).map(|s| (person, s)));
                for (k, (person, source)) in (0u32..).zip(usable_pairs) {
                    out.push(picked(person, SourceRole::MapTarget(k)));
                    out.push(with_role(source, SourceRole::MapSource(k)));
                }
                out
            }
        }
    }
}

fn with_role(face: &SourceFace, role: SourceRole) -> SourceFace {
    SourceFace {
        role: role.to_rstring(),
        ..face.clone()
    }
}

fn picked(person: &PickedFace, role: SourceRole) -> SourceFace {
    SourceFace {
        label: person.label.as_str().into(),
        role: role.to_rstring(),
        image: (*person.frame).clone(),
        face: person.face.clone(),
    }
}

/// The whole image as an RGBA handle for an image widget.
pub fn rgba_handle(image: &OwnedImage) -> Handle {
    Handle::from_rgba(image.width, image.height, to_rgba(image.data.as_slice()))
}

fn to_rgba(rgb: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rgb.len() / 3 * 4);
    for px in rgb.chunks_exact(3) {
        out.extend_from_slice(&[px[0], px[1], px[2], 255]);
    }
    out
}

/// The crop rectangle `(x, y, w, h)` of a face thumbnail: the box plus a margin, squared,
/// clamped to the image. `None` when nothing of the box is inside the image.
pub fn thumb_rect(bbox: [f32; 4], width: u32, height: u32) -> Option<(u32, u32, u32, u32)> {
    let (cx, cy) = ((bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0);
    let side = (bbox[2] - bbox[0]).max(bbox[3] - bbox[1]) * (1.0 + 2.0 * THUMB_MARGIN);
    let x0 = (cx - side / 2.0).max(0.0).floor();
    let y0 = (cy - side / 2.0).max(0.0).floor();
    let x1 = (cx + side / 2.0).min(width as f32).ceil();
    let y1 = (cy + side / 2.0).min(height as f32).ceil();
    (x1 > x0 && y1 > y0).then_some((x0 as u32, y0 as u32, (x1 - x0) as u32, (y1 - y0) as u32))
}

/// A thumbnail of `face` in `image`, at most [`THUMB_SIZE`] on its longer side.
pub fn face_thumb(image: &OwnedImage, face: &Face) -> Handle {
    let Some((x, y, w, h)) = thumb_rect(face.bbox, image.width, image.height) else {
        return Handle::from_rgba(1, 1, vec![0, 0, 0, 255]);
    };
    let Some(whole) =
        image::RgbImage::from_raw(image.width, image.height, image.data.as_slice().to_vec())
    else {
        return Handle::from_rgba(1, 1, vec![0, 0, 0, 255]);
    };
    let crop = image::imageops::crop_imm(&whole, x, y, w, h).to_image();
    let scale = THUMB_SIZE as f32 / w.max(h) as f32;
    let (tw, th) = (
        ((w as f32 * scale).round() as u32).max(1),
        ((h as f32 * scale).round() as u32).max(1),
    );
    let small = image::imageops::thumbnail(&crop, tw, th);
    Handle::from_rgba(tw, th, to_rgba(small.as_raw()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn source(label: &str, with_face: bool) -> SourceCard {
        let image = OwnedImage {
            data: vec![0; 4 * 4 * 3].into(),
            width: 4,
            height: 4,
        };
        let face = Face::new([0.0, 0.0, 4.0, 4.0], 0.9, [[1.0, 1.0]; 5]);
        SourceCard {
            path: label.into(),
            status: if with_face {
                SourceStatus::Face {
                    thumb: face_thumb(&image, &face),
                    face: Arc::new(SourceFace {
                        label: label.into(),
                        role: SourceRole::Source.to_rstring(),
                        image,
                        face,
                    }),
                }
            } else {
                SourceStatus::Unusable("no face".into())
            },
        }
    }

    fn person(label: &str) -> PickedFace {
        let frame = Arc::new(OwnedImage {
            data: vec![0; 8 * 8 * 3].into(),
            width: 8,
            height: 8,
        });
        let face = Face::new([1.0, 1.0, 5.0, 5.0], 0.8, [[2.0, 2.0]; 5]);
        PickedFace {
            thumb: face_thumb(&frame, &face),
            frame,
            face,
            label: label.into(),
        }
    }

    fn roles(faces: &[SourceFace]) -> Vec<(String, String)> {
        faces
            .iter()
            .map(|f| (f.label.to_string(), f.role.to_string()))
            .collect()
    }

    #[test]
    fn profile_mode_gives_every_usable_source() {
        let sources = [source("a", true), source("b", false), source("c", true)];
        let faces = FaceMode::Profile.source_faces(&sources);
        assert_eq!(
            roles(&faces),
            [("a".into(), "source".into()), ("c".into(), "source".into())]
        );
        assert_eq!(FaceMode::Profile.selection(), None);
    }

    #[test]
    fn map_mode_numbers_usable_pairs_like_the_cli() {
        let sources = [source("a", true), source("b", false), source("c", true)];
        let mode = FaceMode::Map(vec![
            (person("t0"), 2),
            (person("t1"), 1),
            (person("t2"), 0),
        ]);
        let faces = mode.source_faces(&sources);
        // The pair with the faceless source "b" is dropped; numbering stays dense.
        assert_eq!(
            roles(&faces),
            [
                ("t0".into(), "map:0:target".into()),
                ("c".into(), "map:0:source".into()),
                ("t2".into(), "map:1:target".into()),
                ("a".into(), "map:1:source".into()),
            ]
        );
        assert_eq!(faces[0].image.width, 8, "a map target carries its frame");
        assert_eq!(mode.selection(), Some("map"));
    }

    #[test]
    fn reference_mode_adds_the_picked_people() {
        let sources = [source("a", true)];
        let mode = FaceMode::Reference(vec![person("t0")]);
        assert_eq!(
            roles(&mode.source_faces(&sources)),
            [
                ("a".into(), "source".into()),
                ("t0".into(), "reference".into())
            ]
        );
    }

    #[test]
    fn thumbnail_rect_is_a_clamped_square_around_the_box() {
        // A 20×40 box centred at (50, 50): side 40 × 1.5 = 60.
        assert_eq!(
            thumb_rect([40.0, 30.0, 60.0, 70.0], 200, 200),
            Some((20, 20, 60, 60))
        );
        // Near the corner it is cut by the image edges.
        assert_eq!(
            thumb_rect([0.0, 0.0, 10.0, 10.0], 100, 100),
            Some((0, 0, 13, 13))
        );
        assert_eq!(thumb_rect([200.0, 200.0, 210.0, 210.0], 100, 100), None);
    }
}
