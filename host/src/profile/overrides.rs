//! `--set PROCESSOR.KEY=VALUE` command-line overrides.
//!
//! Overrides are parsed here into text triples; they are typed and range-checked against the
//! processor's descriptors during validation, exactly like values from the profile file.

/// One `--set` override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// Processor id.
    pub processor: String,
    /// Setting key, or `enabled`.
    pub key: String,
    /// The value as typed.
    pub value: String,
}

/// Parses `PROCESSOR.KEY=VALUE`.
pub fn parse_override(text: &str) -> Result<Override, String> {
    let (lhs, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}`: expected PROCESSOR.KEY=VALUE"))?;
    let (processor, key) = lhs
        .trim()
        .split_once('.')
        .ok_or_else(|| format!("`{text}`: expected PROCESSOR.KEY=VALUE (no `.` before `=`)"))?;
    if processor.is_empty() || key.is_empty() {
        return Err(format!("`{text}`: processor and key must not be empty"));
    }
    Ok(Override {
        processor: processor.into(),
        key: key.into(),
        value: value.trim().into(),
    })
}

/// Parses a boolean the way users type it.
pub(super) fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "1" => Some(true),
        "false" | "off" | "no" | "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn splits_at_first_dot_and_equals() {
        let o = parse_override("face_debugger.thickness=3").unwrap();
        assert_eq!(
            (o.processor.as_str(), o.key.as_str(), o.value.as_str()),
            ("face_debugger", "thickness", "3")
        );
        let o = parse_override("a.model=dir/x.y.onnx").unwrap();
        assert_eq!(o.value, "dir/x.y.onnx");
        assert!(parse_override("nodot=1").is_err());
        assert!(parse_override("a.b").is_err());
        assert!(parse_override(".b=1").is_err());
    }

    #[test]
    fn booleans() {
        assert_eq!(parse_bool("ON"), Some(true));
        assert_eq!(parse_bool("0"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
    }
}
