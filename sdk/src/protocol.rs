//! The host↔plugin protocol's names: typed constants used by both sides, so that a typo
//! cannot silently break a mode.
//!
//! - [`SourceRole`]: what a prepared [`crate::SourceFace`] is for (`--source`,
//!   `--reference-face`, `--map TARGET=SOURCE`); its text form is what
//!   `SourceFace::role` carries across the ABI.
//! - [`selection`]: the `face_selection` setting every swapper shares and its modes; the
//!   host sets it to `reference` when the user gives `--reference-face`.
//! - [`model_roles`]: the roles of [`crate::ModelSlot`]s; the host finds the recognizer
//!   (whose embedding space swappers must match) by [`model_roles::FACE_RECOGNIZER`].
//! - [`FrameKind`]: what the frame in a [`crate::FrameCtx`] is (a still target, a video
//!   frame, a live camera frame, a source image being prepared).

use abi_stable::StableAbi;
use abi_stable::std_types::RString;
use std::fmt;

/// What a source face is for. Crosses the ABI as text ([`SourceRole::to_rstring`]); parse
/// it back with [`SourceRole::parse`]. New roles are new text, not an ABI change; roles this
/// sdk does not know parse to `None` and should be ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SourceRole {
    /// From `--source`: the identity to put in. Several are photos of one person.
    Source,
    /// From `--reference-face`: in `reference` mode, target faces near one are swapped.
    Reference,
    /// The target side of the k-th `--map TARGET=SOURCE` pair (k from 0).
    MapTarget(u32),
    /// The source side of the k-th `--map` pair.
    MapSource(u32),
}

impl SourceRole {
    /// Text of [`SourceRole::Source`].
    pub const SOURCE: &'static str = "source";
    /// Text of [`SourceRole::Reference`].
    pub const REFERENCE: &'static str = "reference";

    /// Parses the text form (`"source"`, `"reference"`, `"map:<k>:target"`, `"map:<k>:source"`).
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            Self::SOURCE => return Some(Self::Source),
            Self::REFERENCE => return Some(Self::Reference),
            _ => {}
        }
        let rest = text.strip_prefix("map:")?;
        let (k, side) = rest.split_once(':')?;
        let k: u32 = k.parse().ok()?;
        match side {
            "target" => Some(Self::MapTarget(k)),
            "source" => Some(Self::MapSource(k)),
            _ => None,
        }
    }

    /// The text form, as `SourceFace::role` carries it.
    pub fn to_rstring(self) -> RString {
        self.to_string().into()
    }
}

impl fmt::Display for SourceRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Source => f.write_str(Self::SOURCE),
            Self::Reference => f.write_str(Self::REFERENCE),
            Self::MapTarget(k) => write!(f, "map:{k}:target"),
            Self::MapSource(k) => write!(f, "map:{k}:source"),
        }
    }
}

/// The face-selection setting shared by swappers, and its modes.
pub mod selection {
    /// The setting key (a choice among [`MODES`]).
    pub const SETTING: &str = "face_selection";
    /// Swap one face (the first in the processor's order).
    pub const ONE: &str = "one";
    /// Swap every face.
    pub const MANY: &str = "many";
    /// Swap faces close to a [`crate::SourceRole::Reference`] face.
    pub const REFERENCE: &str = "reference";
    /// Swap faces matched to [`crate::SourceRole::MapTarget`] faces with the paired source.
    pub const MAP: &str = "map";
    /// Every mode, in the order UIs list them.
    pub const MODES: [&str; 4] = [ONE, MANY, REFERENCE, MAP];
}

/// Roles of model slots ([`crate::ModelSlot::role`]). Strings: new roles need no ABI change.
pub mod model_roles {
    /// A face detector (boxes + 5 keypoints).
    pub const FACE_DETECTOR: &str = "face_detector";
    /// An identity recognizer; its model id is the embedding space of the faces it embeds.
    pub const FACE_RECOGNIZER: &str = "face_recognizer";
    /// A 106-point landmark model.
    pub const LANDMARKS_106: &str = "landmarks_106";
    /// A face swapper.
    pub const FACE_SWAPPER: &str = "face_swapper";
    /// A face restoration model.
    pub const FACE_ENHANCER: &str = "face_enhancer";
    /// An image classifier used as a content filter.
    pub const CONTENT_CLASSIFIER: &str = "content_classifier";
}

/// What the frame in a [`crate::FrameCtx`] is; an open set of codes.
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FrameKind(u8);

impl FrameKind {
    /// A still image target (`index` 0, `timestamp_us` 0).
    pub const STILL: Self = Self(0);
    /// A frame of a video file.
    pub const VIDEO: Self = Self(1);
    /// A frame from a live source (camera, file played as a camera); timestamps are capture times.
    pub const LIVE: Self = Self(2);
    /// A source image being prepared (only for processors that analyse faces or declare
    /// [`crate::caps::INSPECTS_SOURCES`]).
    pub const SOURCE: Self = Self(3);

    /// The code that crosses the ABI.
    pub const fn code(self) -> u8 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::SourceRole;

    #[test]
    fn roles_round_trip_and_unknown_roles_parse_to_none() {
        for role in [
            SourceRole::Source,
            SourceRole::Reference,
            SourceRole::MapTarget(3),
            SourceRole::MapSource(12),
        ] {
            assert_eq!(SourceRole::parse(&role.to_string()), Some(role));
        }
        assert_eq!(SourceRole::MapTarget(3).to_string(), "map:3:target");
        assert_eq!(SourceRole::parse("source"), Some(SourceRole::Source));
        for other in [
            "map:x:source",
            "map:1:source:extra",
            "future",
            "map:1:middle",
        ] {
            assert_eq!(SourceRole::parse(other), None, "{other}");
        }
    }
}
