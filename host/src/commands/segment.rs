//! `liveswap run --segment K/N`: which frames, how much warm-up, and the manifest.
//!
//! Where: [`super::run_video`] asks [`SegmentPlan::new`] for the frame range and warm-up of
//! a segment before the run, and writes the manifest with [`SegmentPlan::manifest`] after
//! it; `liveswap plan` ([`super::plan`]) prints the same ranges and warm-ups; `liveswap
//! join` ([`super::join`]) compares the digests computed here.
//!
//! **Default warm-up.** A segment's processors start with no history, while in a single run
//! they carry state from earlier frames: the analyser's tracks (matched across frames,
//! coasted for `face_analyser.track_coast_frames` after a miss), its periodic work —
//! a whole-frame search every `detect_full_every` frames and a tracked face's identity
//! every `embedding_refresh` frames, both counted from the frame a track starts — and the
//! enhancer's reuse of its last result for `face_enhancer.every_n_frames` frames. The
//! warm-up therefore (1) lasts at least `track_coast_frames + 2` frames (a track seen
//! twice has its motion; a coasting face has been seen), plus, with
//! `kps_smoothing = s > 0`, the frames it takes the smoothing to forget its start
//! (`s^k < 1/256`); and (2) starts on a multiple of the least common multiple of those
//! periods, where a run from the start of a video whose faces are visible from frame 0
//! does the same periodic work. With tracking off every frame is independent and no
//! warm-up is needed. What it cannot reproduce is history older than the warm-up (a face
//! that entered mid-period, a `face_selection = one` choice made long before): for such
//! videos give `--segment-warmup` explicitly or use `reference`/`map` selection, which
//! decide per frame.

use super::error::CommandError;
use super::run_sources::SourcePlan;
use crate::profile::Profile;
use crate::video::{
    self, FrameIndex, ManifestEncoder, ManifestFrames, ManifestProfile, ManifestSource,
    ManifestTimes, SegmentManifest, SegmentSpec, TranscodeSummary, VideoError,
};
use liveswap_sdk::SettingValue;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The warm-up a profile needs, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarmupRule {
    /// At least this many frames.
    pub min: u64,
    /// Start the warm-up on a multiple of this (1 = anywhere).
    pub period: u64,
    /// The settings it came from, for people.
    pub why: String,
}

fn int_setting(profile: &Profile, id: &str, key: &str) -> Option<i64> {
    let stage = profile.enabled().find(|s| s.id == id)?;
    match stage.settings.get(key)? {
        SettingValue::Int(v) => Some(v),
        _ => None,
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn lcm(a: u64, b: u64) -> u64 {
    if a == 0 || b == 0 {
        a.max(b)
    } else {
        a / gcd(a, b) * b
    }
}

impl WarmupRule {
    /// The default warm-up of `profile` (see the module docs).
    pub fn from_profile(profile: &Profile) -> Self {
        let analyser = profile.enabled().find(|s| s.id == "face_analyser");
        let tracking = analyser.is_some_and(|s| {
            !matches!(s.settings.get("tracking"), Some(SettingValue::Bool(false)))
        });
        if !tracking {
            return Self {
                min: 0,
                period: 1,
                why: "no tracking: every frame is processed on its own".into(),
            };
        }
        let mut parts = Vec::new();
        let coast = int_setting(profile, "face_analyser", "track_coast_frames")
            .unwrap_or(0)
            .max(0) as u64;
        let mut min = coast + 2;
        parts.push(format!("track_coast_frames {coast} + 2"));
        if let Some(SettingValue::Float(s)) = analyser.and_then(|a| a.settings.get("kps_smoothing"))
            && s > 0.0
            && s < 1.0
        {
            let forget = ((1.0f64 / 256.0).ln() / s.ln()).ceil() as u64;
            min = min.max(forget);
            parts.push(format!("kps_smoothing {s}: {forget} frames to forget"));
        }
        let mut period = 1;
        let mut periodic = |id: &str, key: &str| {
            if let Some(n) = int_setting(profile, id, key).filter(|&n| n > 1) {
                period = lcm(period, n as u64);
                parts.push(format!("{id}.{key} {n}"));
            }
        };
        periodic("face_analyser", "detect_full_every");
        let recognizer = analyser.is_some_and(|a| {
            matches!(a.settings.get("recognizer_model"), Some(SettingValue::Text(t)) if !t.is_empty())
        });
        if recognizer {
            periodic("face_analyser", "embedding_refresh");
        }
        periodic("face_enhancer", "every_n_frames");
        Self {
            min,
            period,
            why: parts.join(", "),
        }
    }

    /// Warm-up frames before a segment starting at `start`.
    pub fn frames_before(&self, start: u64) -> u64 {
        video::aligned_warmup(start, self.min, self.period)
    }
}

/// One `id.key=value` line per setting of every stage, in pipeline order.
pub fn settings_lines(profile: &Profile) -> Vec<String> {
    let mut lines = Vec::new();
    for stage in &profile.stages {
        lines.push(format!("{}.enabled={}", stage.id, stage.enabled));
        for s in stage.settings.entries.iter() {
            lines.push(format!("{}.{}={}", stage.id, s.key, s.value));
        }
    }
    lines
}

fn sha256_lines(lines: &[String]) -> String {
    let mut h = Sha256::new();
    for l in lines {
        h.update(l.as_bytes());
        h.update(b"\n");
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn file_digest(path: &Path) -> Result<String, CommandError> {
    crate::models::sha256_file(path).map_err(|e| {
        VideoError::Open {
            path: path.into(),
            reason: format!("cannot read it to compute its sha256: {e}"),
        }
        .into()
    })
}

/// A segment run, worked out before it starts.
#[derive(Debug, Clone)]
pub struct SegmentPlan {
    /// `--segment K/N`.
    pub spec: SegmentSpec,
    /// Frames written: `start..end`.
    pub start: u64,
    /// One past the last frame written.
    pub end: u64,
    /// Frames processed before `start` without writing.
    pub warmup: u64,
    source: ManifestSource,
    profile: ManifestProfile,
}

impl SegmentPlan {
    /// Indexes the target, cuts it, works out the warm-up (`explicit`, else the profile's
    /// rule) and the digests that go into the manifest.
    pub fn new(
        spec: SegmentSpec,
        explicit_warmup: Option<u64>,
        target: &Path,
        profile: &Profile,
        sources: &SourcePlan,
    ) -> Result<Self, CommandError> {
        let index = index_of(target)?;
        let info = video::probe(target)?;
        let (start, end) = spec.range(index.frames());
        if start == end {
            return Err(VideoError::BadOption {
                option: format!("--segment {spec}"),
                reason: format!(
                    "{} has {} frame(s): {} segments leave this one empty; use at most {} segments",
                    target.display(),
                    index.frames(),
                    spec.count,
                    index.frames()
                ),
            }
            .into());
        }
        let rule = WarmupRule::from_profile(profile);
        let warmup = explicit_warmup.map_or_else(|| rule.frames_before(start), |w| w.min(start));
        tracing::info!(
            "segment {spec}: frames {start}..{end} of {}, warm-up {warmup} frame(s){}",
            index.frames(),
            if explicit_warmup.is_some() {
                " (--segment-warmup)".to_owned()
            } else {
                format!(" ({})", rule.why)
            }
        );
        let settings = settings_lines(profile);
        let mut inputs = Vec::new();
        for s in &sources.specs {
            inputs.push(format!(
                "{} {} {}",
                s.role,
                s.path.display(),
                file_digest(&s.path)?
            ));
        }
        Ok(Self {
            spec,
            start,
            end,
            warmup,
            source: ManifestSource {
                path: std::path::absolute(target).unwrap_or_else(|_| target.into()),
                sha256: file_digest(target)?,
                frames: index.frames(),
                frame_rate: info.frame_rate.to_string(),
                time_base: info.time_base.to_string(),
            },
            profile: ManifestProfile {
                path: profile.path.clone(),
                sha256: sha256_lines(&settings),
                settings,
                inputs,
            },
        })
    }

    /// The trim that selects the segment's frames.
    pub fn trim(&self) -> video::Trim {
        video::Trim {
            start: Some(video::FramePoint::Frame(self.start)),
            end: Some(video::FramePoint::Frame(self.end)),
        }
    }

    /// The manifest of the finished run that wrote `output`.
    pub fn manifest(
        &self,
        output: &Path,
        summary: &TranscodeSummary,
    ) -> Result<SegmentManifest, CommandError> {
        let r = &summary.range;
        if (r.first, r.end) != (self.start, self.end) {
            return Err(VideoError::Internal {
                thread: "segment",
                reason: format!(
                    "wrote frames {}..{} instead of {}..{}",
                    r.first, r.end, self.start, self.end
                ),
            }
            .into());
        }
        let tb = summary.info.time_base;
        // Seconds on the stream's clock (timestamp × time base).
        let seconds = |pts: i64| pts as f64 * tb.as_f64();
        Ok(SegmentManifest {
            format: video::MANIFEST_FORMAT.into(),
            liveswap: env!("CARGO_PKG_VERSION").into(),
            index: self.spec.index,
            count: self.spec.count,
            file: output
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            file_sha256: file_digest(output)?,
            source: self.source.clone(),
            frames: ManifestFrames {
                start: r.first,
                end: r.end,
                warmup: r.warmup,
                decoded_from: r.decoded_from,
            },
            timestamps: ManifestTimes {
                time_base: tb.to_string(),
                first_pts: r.first_pts,
                end_pts: r.end_pts,
                first_s: seconds(r.first_pts),
                end_s: seconds(r.end_pts),
            },
            encoder: ManifestEncoder {
                name: summary.encoder.name.clone(),
                options: summary.encoder.options.clone(),
            },
            profile: self.profile.clone(),
            written_unix_s: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        })
    }
}

/// The frame index of a target that is to be cut into segments.
pub fn index_of(target: &Path) -> Result<FrameIndex, CommandError> {
    video::frame_index(target)?.ok_or_else(|| {
        VideoError::BadOption {
            option: "--segment".into(),
            reason: format!(
                "{} cannot be cut into segments: not every frame has its own timestamp (remux it, e.g. to .mkv or .mp4, first)",
                target.display()
            ),
        }
        .into()
    })
}

/// The manifest path for a segment output.
pub fn manifest_path(output: &Path) -> PathBuf {
    SegmentManifest::path_for(output)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::profile::Stage;
    use liveswap_sdk::Settings;

    fn stage(id: &str, enabled: bool, values: &[(&str, SettingValue)]) -> Stage {
        let mut settings = Settings::default();
        for (k, v) in values {
            settings.set(k, v.clone());
        }
        Stage {
            id: id.into(),
            enabled,
            settings,
        }
    }

    fn analyser(tracking: bool, smoothing: f64) -> Stage {
        stage(
            "face_analyser",
            true,
            &[
                ("tracking", SettingValue::Bool(tracking)),
                ("track_coast_frames", SettingValue::Int(2)),
                ("kps_smoothing", SettingValue::Float(smoothing)),
                ("detect_full_every", SettingValue::Int(10)),
                ("embedding_refresh", SettingValue::Int(15)),
                ("recognizer_model", SettingValue::Text("w600k_r50".into())),
            ],
        )
    }

    #[test]
    fn warmup_follows_the_profile() {
        let enhancer = |on| {
            stage(
                "face_enhancer",
                on,
                &[("every_n_frames", SettingValue::Int(4))],
            )
        };
        let profile = |stages| Profile {
            path: "p.toml".into(),
            stages,
        };
        // Coast 2 + 2; periods 10, 15 and the enhancer's 4: lcm 60.
        let rule = WarmupRule::from_profile(&profile(vec![analyser(true, 0.0), enhancer(true)]));
        assert_eq!((rule.min, rule.period), (4, 60));
        assert_eq!(rule.frames_before(200), 20, "warm-up from frame 180");
        assert_eq!(rule.frames_before(183), 63, "179 → warm-up from frame 120");
        // A disabled enhancer does not count; smoothing 0.5 needs 8 frames to forget.
        let rule = WarmupRule::from_profile(&profile(vec![analyser(true, 0.5), enhancer(false)]));
        assert_eq!((rule.min, rule.period), (8, 30));
        // No tracking: no warm-up.
        let rule = WarmupRule::from_profile(&profile(vec![analyser(false, 0.0), enhancer(true)]));
        assert_eq!(rule.frames_before(200), 0);
    }

    #[test]
    fn lcm_of_periods() {
        assert_eq!(lcm(10, 15), 30);
        assert_eq!(lcm(1, 3), 3);
        assert_eq!(lcm(30, 3), 30);
    }
}
