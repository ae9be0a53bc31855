//! `liveswap profile check FILE`.

use super::Completion;
use super::error::CommandError;
use super::setup::{Host, parse_overrides};
use crate::profile::{Profile, RawProfile};
use std::io::Write;
use std::path::Path;

/// Validates a profile and prints its pipeline.
pub fn profile_check(
    host: &Host,
    file: &Path,
    set: &[String],
    out: &mut dyn Write,
) -> Result<Completion, CommandError> {
    let raw = RawProfile::read(file)?;
    let profile = Profile::validate(&raw, file, &host.plugins, &parse_overrides(set)?)?;
    writeln!(
        out,
        "{}: ok, {} processor(s) in order:",
        file.display(),
        profile.stages.len()
    )?;
    for (i, stage) in profile.stages.iter().enumerate() {
        let state = if stage.enabled { "on " } else { "off" };
        writeln!(out, "  {}. [{state}] {}", i + 1, stage.id)?;
    }
    Ok(Completion::Clean)
}
