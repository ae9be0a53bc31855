//! The content guard seen from the host: is one running, and what refused frames become.
//!
//! Which stage is a guard is not a special case on a processor id: any enabled stage with a
//! model slot of role [`model_roles::CONTENT_CLASSIFIER`] counts. Refusals themselves are the
//! sdk's [`liveswap_sdk::codes::REFUSED`] errors ([`FrameReport::refusal`]).

use crate::pipeline::FrameReport;
use crate::plugins::PluginSet;
use crate::profile::Profile;
use liveswap_sdk::{OwnedImage, model_roles};
use std::sync::Once;

/// The warning printed (once per process) when a run has no content guard.
pub const UNGUARDED_WARNING: &str = "the content guard is off (content_guard disabled or missing in the profile): nothing stops sexual content from being processed. The output may be misused; you are responsible for having the consent of everyone shown and for following the law.";

static WARNED: Once = Once::new();

/// Whether an enabled stage of `profile` classifies content.
pub fn is_guarded(profile: &Profile, plugins: &PluginSet) -> bool {
    profile.enabled().any(|stage| {
        plugins.get(&stage.id).is_some_and(|p| {
            p.info
                .models
                .iter()
                .any(|slot| slot.role.as_str() == model_roles::CONTENT_CLASSIFIER)
        })
    })
}

/// Logs [`UNGUARDED_WARNING`] once per process when `profile` runs without a guard.
/// Returns whether the profile is unguarded.
pub fn warn_if_unguarded(profile: &Profile, plugins: &PluginSet) -> bool {
    let unguarded = !is_guarded(profile, plugins);
    if unguarded {
        WARNED.call_once(|| tracing::warn!("{UNGUARDED_WARNING}"));
    }
    unguarded
}

/// Grey of a blanked live frame.
pub const BLANK_GREY: u8 = 32;

/// For live output: when the frame was refused, replaces it with a flat dark grey and returns
/// the reason to show (`"<processor>: <message>"`); otherwise leaves it and returns `None`.
/// The frame is the original capture at that point (stages after the refusing one did not
/// run), so it must not reach a sink.
pub fn blank_if_refused(frame: &mut OwnedImage, report: &FrameReport) -> Option<String> {
    let (id, error) = report.refusal()?;
    frame.data.as_mut_slice().fill(BLANK_GREY);
    Some(format!("{id}: {}", error.message))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::pipeline::StageEvent;
    use liveswap_sdk::{SdkError, codes};

    fn frame() -> OwnedImage {
        OwnedImage {
            data: vec![200u8; 4 * 3 * 3].into(),
            width: 4,
            height: 3,
        }
    }

    #[test]
    fn a_refused_live_frame_is_blanked_and_says_why() {
        let mut f = frame();
        let report = FrameReport {
            events: vec![StageEvent::Failed {
                id: "content_guard".into(),
                error: SdkError::new(codes::REFUSED, "flagged as NSFW at frame 3 (0.10 s)"),
            }],
            ..FrameReport::default()
        };
        let why = blank_if_refused(&mut f, &report).unwrap();
        assert_eq!(why, "content_guard: flagged as NSFW at frame 3 (0.10 s)");
        assert!(f.data.iter().all(|&b| b == BLANK_GREY));
    }

    #[test]
    fn other_failures_and_clean_frames_are_left_alone() {
        let mut f = frame();
        assert!(blank_if_refused(&mut f, &FrameReport::default()).is_none());
        let report = FrameReport {
            events: vec![StageEvent::Failed {
                id: "face_swapper".into(),
                error: SdkError::new(codes::INFERENCE, "boom"),
            }],
            ..FrameReport::default()
        };
        assert!(blank_if_refused(&mut f, &report).is_none());
        assert_eq!(f, frame());
    }
}
