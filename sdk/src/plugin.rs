//! What a plugin library exports: its description and a processor factory.
//!
//! Every plugin shared library exports one root module, [`ProcessorMod`], through
//! [`crate::export_processor!`]. abi_stable checks the sdk version and the layout of every
//! type reachable from it before any plugin code runs; the host then reads the
//! [`PluginInfo`] and, when a profile enables the processor, calls `create`.

use crate::error::SdkError;
use crate::frame::FrameCtx;
use crate::host::HostBox;
use crate::model::ModelSlot;
use crate::settings::{RSettingValue, SettingSpec, Settings};
use abi_stable::library::RootModule;
use abi_stable::sabi_types::VersionStrings;
use abi_stable::std_types::{RBox, RResult, RStr, RString, RVec};
use abi_stable::{StableAbi, declare_root_module_statics, package_version_strings, sabi_trait};

/// Names of per-frame data a processor provides or requires (see [`PluginInfo::requires`]).
/// Strings rather than an enum so new kinds of data need no ABI change.
pub mod data {
    /// Detected faces (box, score, 5 keypoints).
    pub const FACES: &str = "faces";
    /// Identity embeddings on the faces.
    pub const EMBEDDINGS: &str = "embeddings";
    /// 106-point landmarks on the faces.
    pub const LANDMARKS_106: &str = "landmarks_106";
    /// Prepared source faces (`--source`).
    pub const SOURCE_FACES: &str = "source_faces";
}

/// Capability flags a plugin declares. Unknown strings are ignored by older hosts.
pub mod caps {
    /// Edits frame pixels.
    pub const MODIFIES_FRAME: &str = "modifies_frame";
    /// Reads [`crate::FrameCtx::original`].
    pub const READS_ORIGINAL: &str = "reads_original";
    /// Fills the face list; the host also runs it on source images to prepare source faces.
    pub const ANALYSES_FACES: &str = "analyses_faces";
    /// Wants to see every source image too (not only target frames): the host runs the
    /// processor's `process` on each source image, with [`crate::FrameKind::SOURCE`], when it
    /// prepares sources, and stops the run if it refuses one ([`crate::codes::REFUSED`]).
    pub const INSPECTS_SOURCES: &str = "inspects_sources";
}

/// How a plugin describes itself.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct PluginInfo {
    /// Processor id, `snake_case`, equal to the crate folder and library stem (`face_analyser`).
    pub id: RString,
    /// Human name.
    pub display_name: RString,
    /// One-paragraph description.
    pub description: RString,
    /// The plugin's own version (semver).
    pub version: RString,
    /// The sdk version the plugin was compiled against; filled in by the export glue.
    pub sdk_version: RString,
    /// Capability flags from [`caps`].
    pub capabilities: RVec<RString>,
    /// Setting descriptors.
    pub settings: RVec<SettingSpec>,
    /// Model slots (each backed by a model setting).
    pub models: RVec<ModelSlot>,
    /// Per-frame data ([`data`]) that must be provided by an enabled processor earlier in the profile.
    pub requires: RVec<RString>,
    /// Per-frame data this processor provides.
    pub provides: RVec<RString>,
}

impl PluginInfo {
    /// Starts a description; the sdk version is filled in automatically.
    pub fn new(id: &str, display_name: &str, version: &str) -> Self {
        Self {
            id: id.into(),
            display_name: display_name.into(),
            description: RString::new(),
            version: version.into(),
            sdk_version: crate::SDK_VERSION.into(),
            capabilities: RVec::new(),
            settings: RVec::new(),
            models: RVec::new(),
            requires: RVec::new(),
            provides: RVec::new(),
        }
    }

    /// Sets the description.
    #[must_use]
    pub fn description(mut self, text: &str) -> Self {
        self.description = text.into();
        self
    }

    /// Adds capability flags.
    #[must_use]
    pub fn capabilities(mut self, caps: &[&str]) -> Self {
        self.capabilities
            .extend(caps.iter().map(|c| RString::from(*c)));
        self
    }

    /// Sets the setting descriptors.
    #[must_use]
    pub fn settings(mut self, specs: Vec<SettingSpec>) -> Self {
        self.settings = specs.into();
        self
    }

    /// Adds a model slot.
    #[must_use]
    pub fn model(mut self, slot: ModelSlot) -> Self {
        self.models.push(slot);
        self
    }

    /// Declares required per-frame data.
    #[must_use]
    pub fn requires(mut self, what: &[&str]) -> Self {
        self.requires.extend(what.iter().map(|c| RString::from(*c)));
        self
    }

    /// Declares provided per-frame data.
    #[must_use]
    pub fn provides(mut self, what: &[&str]) -> Self {
        self.provides.extend(what.iter().map(|c| RString::from(*c)));
        self
    }

    /// Whether a capability flag is set.
    pub fn has_capability(&self, cap: &str) -> bool {
        self.capabilities.iter().any(|c| c.as_str() == cap)
    }
}

/// Result of processing one frame. A skipped frame is normal (no face found), not an error.
/// This is the plugin-side form; [`RFrameOutcome`] crosses the ABI.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameOutcome {
    /// The processor did its work.
    Processed,
    /// The processor had nothing to do; the reason is logged at debug level.
    Skipped(RString),
}

/// Kind code of an [`RFrameOutcome`]; an open set (a newer plugin may report a kind an
/// older host does not know, which the host treats as `PROCESSED`).
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OutcomeKind(u8);

impl OutcomeKind {
    /// [`FrameOutcome::Processed`].
    pub const PROCESSED: Self = Self(0);
    /// [`FrameOutcome::Skipped`].
    pub const SKIPPED: Self = Self(1);

    /// The code that crosses the ABI.
    pub const fn code(self) -> u8 {
        self.0
    }
}

/// A [`FrameOutcome`] as it crosses the ABI: a kind code and a reason text.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
pub struct RFrameOutcome {
    /// What happened.
    pub kind: OutcomeKind,
    /// Why (for `SKIPPED`), empty otherwise.
    pub reason: RString,
}

impl From<FrameOutcome> for RFrameOutcome {
    fn from(o: FrameOutcome) -> Self {
        match o {
            FrameOutcome::Processed => Self {
                kind: OutcomeKind::PROCESSED,
                reason: RString::new(),
            },
            FrameOutcome::Skipped(reason) => Self {
                kind: OutcomeKind::SKIPPED,
                reason,
            },
        }
    }
}

impl From<RFrameOutcome> for FrameOutcome {
    fn from(o: RFrameOutcome) -> Self {
        if o.kind == OutcomeKind::SKIPPED {
            Self::Skipped(o.reason)
        } else {
            Self::Processed
        }
    }
}

/// A processor instance as the host sees it, across the ABI. Plugin authors implement
/// [`crate::FrameProcessor`] instead; the export glue adapts it and catches panics.
#[sabi_trait]
pub trait Processor: Send {
    /// Optional warm-up (first inference, allocations) before the first frame.
    fn warmup(&mut self) -> RResult<(), SdkError>;

    /// Changes a live setting between frames. The host validated type and range already.
    fn update_setting(&mut self, key: RStr<'_>, value: RSettingValue) -> RResult<(), SdkError>;

    /// Processes one frame.
    #[sabi(last_prefix_field)]
    fn process(&mut self, frame: FrameCtx<'_>) -> RResult<RFrameOutcome, SdkError>;
}

/// A processor instance handed to the host; dropping it is the last lifecycle step.
pub type ProcessorBox = Processor_TO<'static, RBox<()>>;

/// The root module every plugin library exports.
///
/// ABI evolution rule: fields are only ever appended after the one marked
/// `last_prefix_field`, never removed or reordered; appended fields are optional for the
/// host, which must cope with older plugins that lack them.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = ProcessorMod_Ref)))]
pub struct ProcessorMod {
    /// Describes the plugin (called once at load).
    pub describe: extern "C" fn() -> RResult<PluginInfo, SdkError>,

    /// Creates a processor instance from validated settings and its host context.
    #[sabi(last_prefix_field)]
    pub create: extern "C" fn(settings: Settings, host: HostBox) -> RResult<ProcessorBox, SdkError>,
}

impl RootModule for ProcessorMod_Ref {
    declare_root_module_statics! {ProcessorMod_Ref}
    const BASE_NAME: &'static str = "liveswap_plugin";
    const NAME: &'static str = "liveswap processor plugin";
    const VERSION_STRINGS: VersionStrings = package_version_strings!();
}
