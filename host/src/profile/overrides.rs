//! Command-line changes to a profile: `--set PROCESSOR.KEY=VALUE` overrides, and
//! `--add PROCESSOR[@POSITION]` / `--disable PROCESSOR` edits of the processor list.
//!
//! Overrides are parsed here into text triples; they are typed and range-checked against the
//! processor's descriptors during validation, exactly like values from the profile file.
//! Edits change the [`RawProfile`] before validation, so an added processor is checked
//! (id, settings, data dependencies) exactly like one written in the file.

use super::raw::{RawProcessorEntry, RawProfile};

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

/// Where `--add` puts a processor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// At the end of the pipeline (the default).
    End,
    /// At this 1-based place (1 = first), as `liveswap profile check` numbers them.
    Index(usize),
    /// Just before the processor with this id.
    Before(String),
    /// Just after the processor with this id.
    After(String),
}

/// One `--add PROCESSOR[@POSITION]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addition {
    /// Processor id.
    pub id: String,
    /// Where it goes.
    pub position: Position,
}

/// Parses `PROCESSOR`, `PROCESSOR@N`, `PROCESSOR@before:ID` or `PROCESSOR@after:ID`.
pub fn parse_addition(text: &str) -> Result<Addition, String> {
    let expected = "expected PROCESSOR[@POSITION], POSITION = N (1 = first), before:ID or after:ID";
    let (id, at) = match text.split_once('@') {
        Some((id, at)) => (id.trim(), Some(at.trim())),
        None => (text.trim(), None),
    };
    if id.is_empty() {
        return Err(format!("`{text}`: {expected}"));
    }
    let position = match at {
        None => Position::End,
        Some(at) => {
            if let Some(other) = at.strip_prefix("before:") {
                Position::Before(other.trim().into())
            } else if let Some(other) = at.strip_prefix("after:") {
                Position::After(other.trim().into())
            } else {
                match at.parse::<usize>() {
                    Ok(n) if n >= 1 => Position::Index(n),
                    _ => return Err(format!("`{text}`: {expected}")),
                }
            }
        }
    };
    Ok(Addition {
        id: id.into(),
        position,
    })
}

/// Applies `--add` and `--disable` to a profile, in that order. Adding a processor the
/// profile already lists enables it (and moves it when a position is given); disabling one
/// it does not list is an error, as is a position naming a missing processor.
pub fn apply_edits(
    raw: &mut RawProfile,
    additions: &[Addition],
    disable: &[String],
) -> Result<(), String> {
    for add in additions {
        let existing = raw.processors.iter().position(|e| e.id == add.id);
        let entry = match (existing, &add.position) {
            (Some(i), Position::End) => {
                raw.processors[i].enabled = true;
                continue;
            }
            (Some(i), _) => {
                let mut e = raw.processors.remove(i);
                e.enabled = true;
                e
            }
            (None, _) => RawProcessorEntry {
                id: add.id.clone(),
                enabled: true,
                settings: toml::Table::new(),
            },
        };
        let find = |id: &str| {
            raw.processors
                .iter()
                .position(|e| e.id == id)
                .ok_or_else(|| format!("--add {}: the profile has no processor `{id}`", add.id))
        };
        let at = match &add.position {
            Position::End => raw.processors.len(),
            Position::Index(n) if *n <= raw.processors.len() + 1 => n - 1,
            Position::Index(n) => {
                return Err(format!(
                    "--add {}@{n}: the pipeline has only {} processor(s)",
                    add.id,
                    raw.processors.len()
                ));
            }
            Position::Before(id) => find(id)?,
            Position::After(id) => find(id)? + 1,
        };
        raw.processors.insert(at, entry);
    }
    for id in disable {
        match raw.processors.iter_mut().find(|e| &e.id == id) {
            Some(e) => e.enabled = false,
            None => {
                let ids: Vec<&str> = raw.processors.iter().map(|e| e.id.as_str()).collect();
                return Err(format!(
                    "--disable {id}: the profile has no processor `{id}` (it has: {})",
                    ids.join(", ")
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn ids(raw: &RawProfile) -> Vec<(String, bool)> {
        raw.processors
            .iter()
            .map(|e| (e.id.clone(), e.enabled))
            .collect()
    }

    #[test]
    fn additions_parse() {
        let a = |t: &str| parse_addition(t).unwrap().position;
        assert_eq!(a("mouth_mask"), Position::End);
        assert_eq!(a("x@2"), Position::Index(2));
        assert_eq!(
            a("x@before:face_swapper"),
            Position::Before("face_swapper".into())
        );
        assert_eq!(a("x@after:a"), Position::After("a".into()));
        for bad in ["", "@2", "x@0", "x@first", "x@-1"] {
            assert!(parse_addition(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn edits_insert_move_enable_and_disable() {
        let text = "schema_version = 1\n[[processors]]\nid = \"a\"\n[[processors]]\nid = \"b\"\n[[processors]]\nid = \"c\"\nenabled = false\n";
        let base = RawProfile::parse(text, std::path::Path::new("p.toml")).unwrap();
        let add = |t: &str| parse_addition(t).unwrap();
        let mut raw = base.clone();
        apply_edits(
            &mut raw,
            &[add("m"), add("n@1"), add("o@after:a"), add("c")],
            &["b".into()],
        )
        .unwrap();
        let want = [
            ("n", true),
            ("a", true),
            ("o", true),
            ("b", false),
            ("c", true),
            ("m", true),
        ];
        assert_eq!(ids(&raw), want.map(|(i, e)| (i.to_string(), e)));
        // Moving an existing processor keeps its settings entry.
        let mut raw = base.clone();
        apply_edits(&mut raw, &[add("c@before:a")], &[]).unwrap();
        assert_eq!(ids(&raw)[0], ("c".to_string(), true));
        assert_eq!(raw.processors.len(), 3);
        for (adds, dis, needle) in [
            (vec![add("x@after:zz")], vec![], "no processor `zz`"),
            (vec![add("x@9")], vec![], "only 3"),
            (vec![], vec!["zz".to_string()], "it has: a, b, c"),
        ] {
            let e = apply_edits(&mut base.clone(), &adds, &dis).unwrap_err();
            assert!(e.contains(needle), "{e}");
        }
    }

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
