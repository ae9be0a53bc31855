//! Live setting changes while running: lines like `set face_swapper.opacity=0.5` (on
//! standard input for the CLI; the UI will send the same requests).
//!
//! Each line is checked like `--set` (known processor and key, type, range) and must name
//! a setting marked live; it is applied between two frames, so a frame never sees half a
//! change. The answer (applied, or why not) goes to the log.

use crate::pipeline::Pipeline;
use crate::plugins::PluginSet;
use crate::profile::{parse_override, value_from_text};

/// What one input line asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// `set PROCESSOR.KEY=VALUE`.
    Set {
        /// Processor id.
        processor: String,
        /// Setting key.
        key: String,
        /// Value as text (typed against the setting when applied).
        value: String,
    },
    /// `quit` (or `stop`): end the run as Ctrl-C would.
    Quit,
}

/// Parses one line; `Ok(None)` for blank lines and `#` comments.
pub fn parse_line(line: &str) -> Result<Option<Control>, String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    if matches!(line, "quit" | "stop") {
        return Ok(Some(Control::Quit));
    }
    let Some(rest) = line.strip_prefix("set ") else {
        return Err(format!(
            "`{line}`: expected `set PROCESSOR.KEY=VALUE` or `quit`"
        ));
    };
    let o = parse_override(rest.trim()).map_err(|e| format!("`{line}`: {e}"))?;
    Ok(Some(Control::Set {
        processor: o.processor,
        key: o.key,
        value: o.value,
    }))
}

/// Applies a `set` to the running pipeline; the text says what changed.
pub fn apply(
    pipeline: &mut Pipeline,
    plugins: &PluginSet,
    processor: &str,
    key: &str,
    value: &str,
) -> Result<String, String> {
    let plugin = plugins
        .get(processor)
        .ok_or_else(|| format!("set {processor}.{key}: no processor `{processor}` is loaded"))?;
    let spec = plugin
        .info
        .settings
        .iter()
        .find(|s| s.key.as_str() == key)
        .ok_or_else(|| format!("set {processor}.{key}: {processor} has no setting `{key}`"))?;
    let typed = value_from_text(spec, value).map_err(|e| format!("set {processor}.{key}: {e}"))?;
    pipeline
        .update_setting(processor, key, typed)
        .map_err(|e| e.to_string())?;
    Ok(format!("set {processor}.{key}={value}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn control_lines_parse() {
        assert_eq!(
            parse_line("  set face_swapper.opacity=0.5 ").unwrap(),
            Some(Control::Set {
                processor: "face_swapper".into(),
                key: "opacity".into(),
                value: "0.5".into()
            })
        );
        assert_eq!(parse_line("").unwrap(), None);
        assert_eq!(parse_line("# note").unwrap(), None);
        assert_eq!(parse_line("quit").unwrap(), Some(Control::Quit));
        assert!(
            parse_line("opacity=1")
                .unwrap_err()
                .contains("expected `set")
        );
        assert!(parse_line("set opacity").is_err());
    }
}
