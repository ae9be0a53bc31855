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

/// The type of a setting: an open set of codes, so that a minor sdk release can add a kind
/// without changing any layout. A host refuses a plugin whose settings use a kind it does not
/// know ([`SettingKind::name`] is `None`), naming the plugin, the setting and the code.
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SettingKind(u8);

impl SettingKind {
    /// `true` / `false`.
    pub const BOOL: Self = Self(0);
    /// A whole number, optionally bounded by `min`/`max`.
    pub const INT: Self = Self(1);
    /// A real number, optionally bounded by `min`/`max`.
    pub const FLOAT: Self = Self(2);
    /// One of `choices` (a string).
    pub const CHOICE: Self = Self(3);
    /// Free text.
    pub const TEXT: Self = Self(4);
    /// A model: a model id from the manifest or a path to a model file. The host resolves it.
    pub const MODEL: Self = Self(5);

    /// The kind with this code (known to this sdk or not).
    pub const fn from_code(code: u8) -> Self {
        Self(code)
    }

    /// The code that crosses the ABI.
    pub const fn code(self) -> u8 {
        self.0
    }

    /// Lower-case name used in messages ("float", "choice", ...), or `None` for a kind this
    /// sdk does not know (declared by a plugin built against a newer sdk).
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Self::BOOL => "bool",
            Self::INT => "integer",
            Self::FLOAT => "float",
            Self::CHOICE => "choice",
            Self::TEXT => "text",
            Self::MODEL => "model",
            _ => return None,
        })
    }

    /// Whether this sdk knows the kind.
    pub fn is_known(self) -> bool {
        self.name().is_some()
    }

    /// The value tag a value of this kind carries (`Choice`, `Text` and `Model` hold text).
    fn value_tag(self) -> ValueTag {
        match self {
            Self::BOOL => ValueTag::BOOL,
            Self::INT => ValueTag::INT,
            Self::FLOAT => ValueTag::FLOAT,
            // Kinds unknown to this sdk are refused by hosts before any value is used; text is
            // what `SettingSpec::of_kind` stores for them.
            _ => ValueTag::TEXT,
        }
    }
}

impl fmt::Display for SettingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "unknown kind #{}", self.0),
        }
    }
}

/// A setting value as plugin and host code handle it. It does not cross the ABI itself:
/// [`RSettingValue`] does (a tag and three payload slots), so new value types can be added
/// in a minor release. `Choice`, `Text` and `Model` settings hold `Text`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
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

impl SettingValue {
    /// Whether `self` and `other` are the same type of value.
    pub fn same_type(&self, other: &Self) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

/// Type tag of an [`RSettingValue`]; open like [`SettingKind`].
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ValueTag(u8);

impl ValueTag {
    /// `int` holds 0 or 1.
    pub const BOOL: Self = Self(0);
    /// `int` holds the value.
    pub const INT: Self = Self(1);
    /// `float` holds the value.
    pub const FLOAT: Self = Self(2);
    /// `text` holds the value.
    pub const TEXT: Self = Self(3);

    /// The code that crosses the ABI.
    pub const fn code(self) -> u8 {
        self.0
    }
}

/// A setting value as it crosses the ABI: a tag and three payload slots (unused slots are
/// zero / empty). A value type added in a later sdk uses a new tag and the same slots, so
/// older plugins and hosts keep loading; converting an unknown tag to [`SettingValue`] fails
/// with a message naming the tag.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct RSettingValue {
    /// What the value is.
    pub tag: ValueTag,
    /// Payload of `BOOL` (0/1) and `INT`.
    pub int: i64,
    /// Payload of `FLOAT`.
    pub float: f64,
    /// Payload of `TEXT`.
    pub text: RString,
}

impl From<SettingValue> for RSettingValue {
    fn from(v: SettingValue) -> Self {
        let mut r = Self {
            tag: ValueTag::BOOL,
            int: 0,
            float: 0.0,
            text: RString::new(),
        };
        match v {
            SettingValue::Bool(b) => r.int = i64::from(b),
            SettingValue::Int(i) => {
                r.tag = ValueTag::INT;
                r.int = i;
            }
            SettingValue::Float(f) => {
                r.tag = ValueTag::FLOAT;
                r.float = f;
            }
            SettingValue::Text(t) => {
                r.tag = ValueTag::TEXT;
                r.text = t;
            }
        }
        r
    }
}

impl From<&SettingValue> for RSettingValue {
    fn from(v: &SettingValue) -> Self {
        Self::from(v.clone())
    }
}

impl RSettingValue {
    /// The value, or an error for a tag this sdk does not know.
    pub fn value(&self) -> crate::SdkResult<SettingValue> {
        Ok(match self.tag {
            ValueTag::BOOL => SettingValue::Bool(self.int != 0),
            ValueTag::INT => SettingValue::Int(self.int),
            ValueTag::FLOAT => SettingValue::Float(self.float),
            ValueTag::TEXT => SettingValue::Text(self.text.clone()),
            other => {
                return Err(crate::SdkError::setting(format!(
                    "setting value of unknown type (tag {}); the plugin and host sdk versions differ",
                    other.code()
                )));
            }
        })
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
    /// The default value (always present, of the matching type); see [`SettingSpec::default_value`].
    pub default: RSettingValue,
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
            default: default.into(),
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
            SettingKind::BOOL,
            SettingValue::Bool(default),
        )
    }

    /// An integer setting bounded by `min..=max`.
    pub fn int(key: &str, label: &str, help: &str, default: i64, min: i64, max: i64) -> Self {
        let mut s = Self::base(
            key,
            label,
            help,
            SettingKind::INT,
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
            SettingKind::FLOAT,
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
            SettingKind::CHOICE,
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
            SettingKind::TEXT,
            SettingValue::Text(default.into()),
        )
    }

    /// A model slot: the value is a model id or a file path; an empty default means "none".
    pub fn model(key: &str, label: &str, help: &str, default: &str) -> Self {
        Self::base(
            key,
            label,
            help,
            SettingKind::MODEL,
            SettingValue::Text(default.into()),
        )
    }

    /// Marks the setting as changeable while frames flow.
    #[must_use]
    pub fn live(mut self) -> Self {
        self.live = true;
        self
    }

    /// A setting of a kind given by code, for kinds added after this sdk (and for tests of
    /// hosts that must refuse them). The default is text.
    pub fn of_kind(key: &str, label: &str, help: &str, kind: SettingKind, default: &str) -> Self {
        Self::base(key, label, help, kind, SettingValue::Text(default.into()))
    }

    /// The default value, or an error when its tag is unknown to this sdk.
    pub fn default_value(&self) -> crate::SdkResult<SettingValue> {
        self.default.value()
    }

    /// Whether `value` has the type this setting's kind takes.
    pub fn accepts_type(&self, value: &SettingValue) -> bool {
        RSettingValue::from(value).tag == self.kind.value_tag()
    }
}

/// One resolved `key = value` pair handed to a processor.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct Setting {
    /// The key, as in the spec.
    pub key: RString,
    /// The validated value.
    pub value: RSettingValue,
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

    /// Looks a value up (`None` when missing or of a type this sdk does not know).
    pub fn get(&self, key: &str) -> Option<SettingValue> {
        self.entries
            .iter()
            .find(|s| s.key.as_str() == key)
            .and_then(|s| s.value.value().ok())
    }

    /// Sets (or adds) a value.
    pub fn set(&mut self, key: &str, value: SettingValue) {
        let value = RSettingValue::from(value);
        match self.entries.iter_mut().find(|s| s.key.as_str() == key) {
            Some(slot) => slot.value = value,
            None => self.entries.push(Setting {
                key: key.into(),
                value,
            }),
        }
    }

    /// The pairs as values, in spec order (entries of unknown type are left out).
    pub fn iter(&self) -> impl Iterator<Item = (&str, SettingValue)> {
        self.entries
            .iter()
            .filter_map(|s| Some((s.key.as_str(), s.value.value().ok()?)))
    }

    fn missing(key: &str, want: &str) -> crate::SdkError {
        crate::SdkError::setting(format!("setting `{key}` is missing or not a {want}"))
    }

    /// A boolean value.
    pub fn bool(&self, key: &str) -> crate::SdkResult<bool> {
        match self.get(key) {
            Some(SettingValue::Bool(v)) => Ok(v),
            _ => Err(Self::missing(key, "bool")),
        }
    }

    /// An integer value.
    pub fn int(&self, key: &str) -> crate::SdkResult<i64> {
        match self.get(key) {
            Some(SettingValue::Int(v)) => Ok(v),
            _ => Err(Self::missing(key, "integer")),
        }
    }

    /// A float value (integers are widened).
    pub fn float(&self, key: &str) -> crate::SdkResult<f64> {
        match self.get(key) {
            Some(SettingValue::Float(v)) => Ok(v),
            Some(SettingValue::Int(v)) => Ok(v as f64),
            _ => Err(Self::missing(key, "number")),
        }
    }

    /// A text, choice or model value.
    pub fn text(&self, key: &str) -> crate::SdkResult<&str> {
        match self.entries.iter().find(|s| s.key.as_str() == key) {
            Some(s) if s.value.tag == ValueTag::TEXT => Ok(s.value.text.as_str()),
            _ => Err(Self::missing(key, "string")),
        }
    }
}

impl fmt::Display for RSettingValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value() {
            Ok(v) => v.fmt(f),
            Err(_) => write!(f, "<value of unknown type {}>", self.tag.code()),
        }
    }
}
