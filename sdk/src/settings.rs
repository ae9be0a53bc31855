//! Self-describing processor settings.
//!
//! Each processor publishes a list of [`SettingSpec`]s (key, type, default, range or choices,
//! whether it may change while frames are flowing, help text). The host generates profile
//! validation, `--set` parsing and UI controls from that one source. At creation the plugin
//! receives every setting already validated and with defaults filled in, as a [`Settings`]
//! list.

use abi_stable::StableAbi;
use abi_stable::std_types::{ROption, RString, RVec};
use std::fmt;

/// The type of a setting.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingKind {
    /// `true` / `false`.
    Bool,
    /// A whole number, optionally bounded by `min`/`max`.
    Int,
    /// A real number, optionally bounded by `min`/`max`.
    Float,
    /// One of `choices` (a string).
    Choice,
    /// Free text.
    Text,
    /// A model: a model id from the manifest or a path to a model file. The host resolves it.
    Model,
}

impl SettingKind {
    /// Lower-case name used in messages ("float", "choice", ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::Bool => "bool",
            Self::Int => "integer",
            Self::Float => "float",
            Self::Choice => "choice",
            Self::Text => "text",
            Self::Model => "model",
        }
    }
}

/// A setting value. `Choice`, `Text` and `Model` settings hold `Text`.
#[repr(C, u8)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub enum SettingValue {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string (choice, free text, model id or path).
    Text(RString),
}

impl fmt::Display for SettingValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bool(v) => write!(f, "{v}"),
            Self::Int(v) => write!(f, "{v}"),
            Self::Float(v) => write!(f, "{v}"),
            Self::Text(v) => write!(f, "{:?}", v.as_str()),
        }
    }
}

/// Describes one setting of a processor.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct SettingSpec {
    /// Key in profiles and on the command line (`snake_case`).
    pub key: RString,
    /// Short label for the UI.
    pub label: RString,
    /// One or two sentences for `--help`, `liveswap plugins` and UI tooltips.
    pub help: RString,
    /// The type.
    pub kind: SettingKind,
    /// The default value (always present, of the matching type).
    pub default: SettingValue,
    /// Inclusive lower bound for `Int`/`Float`.
    pub min: ROption<f64>,
    /// Inclusive upper bound for `Int`/`Float`.
    pub max: ROption<f64>,
    /// Allowed values for `Choice`.
    pub choices: RVec<RString>,
    /// Whether the value may change between frames of a running pipeline
    /// ([`crate::FrameProcessor::update_setting`]); other settings need a re-create.
    pub live: bool,
}

impl SettingSpec {
    fn base(key: &str, label: &str, help: &str, kind: SettingKind, default: SettingValue) -> Self {
        Self {
            key: key.into(),
            label: label.into(),
            help: help.into(),
            kind,
            default,
            min: ROption::RNone,
            max: ROption::RNone,
            choices: RVec::new(),
            live: false,
        }
    }

    /// A boolean setting.
    pub fn bool(key: &str, label: &str, help: &str, default: bool) -> Self {
        Self::base(
            key,
            label,
            help,
            SettingKind::Bool,
            SettingValue::Bool(default),
        )
    }

    /// An integer setting bounded by `min..=max`.
    pub fn int(key: &str, label: &str, help: &str, default: i64, min: i64, max: i64) -> Self {
        let mut s = Self::base(
            key,
            label,
            help,
            SettingKind::Int,
            SettingValue::Int(default),
        );
        s.min = ROption::RSome(min as f64);
        s.max = ROption::RSome(max as f64);
        s
    }

    /// A float setting bounded by `min..=max`.
    pub fn float(key: &str, label: &str, help: &str, default: f64, min: f64, max: f64) -> Self {
        let mut s = Self::base(
            key,
            label,
            help,
            SettingKind::Float,
            SettingValue::Float(default),
        );
        s.min = ROption::RSome(min);
        s.max = ROption::RSome(max);
        s
    }

    /// A choice among `choices`; `default` must be one of them.
    pub fn choice(key: &str, label: &str, help: &str, default: &str, choices: &[&str]) -> Self {
        let mut s = Self::base(
            key,
            label,
            help,
            SettingKind::Choice,
            SettingValue::Text(default.into()),
        );
        s.choices = choices.iter().map(|c| RString::from(*c)).collect();
        s
    }

    /// Free text.
    pub fn text(key: &str, label: &str, help: &str, default: &str) -> Self {
        Self::base(
            key,
            label,
            help,
            SettingKind::Text,
            SettingValue::Text(default.into()),
        )
    }

    /// A model slot: the value is a model id or a file path; an empty default means "none".
    pub fn model(key: &str, label: &str, help: &str, default: &str) -> Self {
        Self::base(
            key,
            label,
            help,
            SettingKind::Model,
            SettingValue::Text(default.into()),
        )
    }

    /// Marks the setting as changeable while frames flow.
    #[must_use]
    pub fn live(mut self) -> Self {
        self.live = true;
        self
    }
}

/// One resolved `key = value` pair handed to a processor.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct Setting {
    /// The key, as in the spec.
    pub key: RString,
    /// The validated value.
    pub value: SettingValue,
}

/// All settings of one processor instance, validated by the host against the specs and with
/// every default filled in, so lookups of declared keys cannot miss.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Default)]
pub struct Settings {
    /// The pairs, in spec order.
    pub entries: RVec<Setting>,
}

impl Settings {
    /// Builds a settings list from its specs' defaults.
    pub fn defaults(specs: &[SettingSpec]) -> Self {
        let entries = specs
            .iter()
            .map(|s| Setting {
                key: s.key.clone(),
                value: s.default.clone(),
            })
            .collect();
        Self { entries }
    }

    /// Looks a value up.
    pub fn get(&self, key: &str) -> Option<&SettingValue> {
        self.entries
            .iter()
            .find(|s| s.key.as_str() == key)
            .map(|s| &s.value)
    }

    /// Sets (or adds) a value.
    pub fn set(&mut self, key: &str, value: SettingValue) {
        match self.entries.iter_mut().find(|s| s.key.as_str() == key) {
            Some(slot) => slot.value = value,
            None => self.entries.push(Setting {
                key: key.into(),
                value,
            }),
        }
    }

    fn missing(key: &str, want: &str) -> crate::SdkError {
        crate::SdkError::setting(format!("setting `{key}` is missing or not a {want}"))
    }

    /// A boolean value.
    pub fn bool(&self, key: &str) -> crate::SdkResult<bool> {
        match self.get(key) {
            Some(SettingValue::Bool(v)) => Ok(*v),
            _ => Err(Self::missing(key, "bool")),
        }
    }

    /// An integer value.
    pub fn int(&self, key: &str) -> crate::SdkResult<i64> {
        match self.get(key) {
            Some(SettingValue::Int(v)) => Ok(*v),
            _ => Err(Self::missing(key, "integer")),
        }
    }

    /// A float value (integers are widened).
    pub fn float(&self, key: &str) -> crate::SdkResult<f64> {
        match self.get(key) {
            Some(SettingValue::Float(v)) => Ok(*v),
            Some(SettingValue::Int(v)) => Ok(*v as f64),
            _ => Err(Self::missing(key, "number")),
        }
    }

    /// A text, choice or model value.
    pub fn text(&self, key: &str) -> crate::SdkResult<&str> {
        match self.get(key) {
            Some(SettingValue::Text(v)) => Ok(v.as_str()),
            _ => Err(Self::missing(key, "string")),
        }
    }
}
