//! The per-frame loop over processor instances, and what keeps a faulty one from spoiling
//! the output.
//!
//! Guarantees (the sdk docs promise them to plugin authors and users):
//! - **Start-up faults are contained.** A processor whose `create` or `warmup` fails or
//!   panics is left out and reported (as a [`StageEvent::Disabled`] on the first frame, so
//!   the run ends with exit status 3), unless a later stage needs data only it provides —
//!   then building fails with an error naming both — or the error is one the user must fix
//!   before anything is worth running (codes `model`, `model.signature`, `setting`: a
//!   missing, corrupt or wrong model file, a bad setting), which also fails the build.
//! - **Frame faults are rolled back.** Before a stage that declares
//!   [`caps::MODIFIES_FRAME`] runs, the frame is saved into a reused buffer (no per-frame
//!   allocation once sized); the face list is saved before every stage. If the stage fails or
//!   panics, both are restored, so the next stage — and the encoder, window or virtual
//!   camera — gets the frame as it was before the faulty stage. A panicked stage is disabled
//!   for the rest of the run and its instance dropped at once (inside the plugin's firewall).
//! - **A refusal ends the frame.** A stage that returns [`codes::REFUSED`] (the content
//!   guard) is reported as [`StageEvent::Failed`] and no later stage runs on that frame;
//!   [`FrameReport::refusal`] finds it for the command, which decides what the run does.
//! - **No copy for nobody.** `FrameCtx::original` is filled only when an enabled stage
//!   declares [`caps::READS_ORIGINAL`]; otherwise it is an empty image.

use super::context::PluginHost;
use super::error::PipelineError;
use super::services::Services;
use crate::plugins::PluginSet;
use crate::profile::{Profile, check_value, effective_provides};
use abi_stable::std_types::{RErr, ROk, RSlice, RSliceMut, RVec};
use liveswap_sdk::{
    Face, FrameCtx, FrameKind, FrameOutcome, ImageMut, ImageRef, OwnedImage, PluginInfo,
    ProcessorBox, RSettingValue, SdkError, SettingValue, SourceFace, caps, codes,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Something that happened to a stage on one frame.
#[derive(Debug, Clone, PartialEq)]
pub enum StageEvent {
    /// The stage had nothing to do.
    Skipped {
        /// Processor id.
        id: String,
        /// Why.
        reason: String,
    },
    /// The stage failed on this frame; it stays enabled.
    Failed {
        /// Processor id.
        id: String,
        /// Its error.
        error: SdkError,
    },
    /// The stage panicked (or was already poisoned) and is now disabled for the run.
    Disabled {
        /// Processor id.
        id: String,
        /// The caught panic.
        error: SdkError,
    },
}

/// How long one stage took on one frame (wall clock on the processing thread, including
/// the model calls the plugin made through the host).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageTiming {
    /// Processor id.
    pub id: String,
    /// Time inside its `process`.
    pub elapsed: Duration,
}

/// What one frame produced besides pixels.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrameReport {
    /// The faces after every stage ran.
    pub faces: Vec<Face>,
    /// Skips, failures and disablements.
    pub events: Vec<StageEvent>,
    /// Time per stage that ran, in pipeline order (the hook for progress and benchmarks).
    pub timings: Vec<StageTiming>,
}

impl FrameReport {
    /// The stage that refused the frame ([`codes::REFUSED`], e.g. the content guard) and its
    /// error. The stages after it did not run: an image or video run must then end without
    /// writing, a live run blanks the frame.
    pub fn refusal(&self) -> Option<(&str, &SdkError)> {
        self.events.iter().find_map(|e| match e {
            StageEvent::Failed { id, error } if error.code.as_str() == codes::REFUSED => {
                Some((id.as_str(), error))
            }
            _ => None,
        })
    }
}

struct RunStage {
    id: String,
    info: PluginInfo,
    /// `None` once the stage is left out (start-up fault) or disabled (panic).
    processor: Option<ProcessorBox>,
    disabled: Option<SdkError>,
    /// Whether the disablement was reported in a [`FrameReport`] yet.
    reported: bool,
}

/// Processor instances for a profile's enabled stages, in order.
pub struct Pipeline {
    stages: Vec<RunStage>,
    /// What frames this pipeline is given ([`Pipeline::set_frame_kind`]).
    kind: FrameKind,
    /// The untouched frame, for stages that read it (reused between frames).
    original: Vec<u8>,
    /// The frame before the current modifying stage, for rollback (reused between frames).
    backup: Vec<u8>,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("stages", &self.stage_ids())
            .finish()
    }
}

/// The start-up step a processor failed in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum StartStep {
    Create,
    Warmup,
}

impl Pipeline {
    /// Creates and warms up one processor per enabled stage. A processor that fails or
    /// panics here is left out (see the module docs) unless a later stage needs it.
    pub fn build(
        profile: &Profile,
        plugins: &PluginSet,
        services: &Arc<Services>,
    ) -> Result<Self, PipelineError> {
        let enabled: Vec<_> = profile.enabled().collect();
        let mut stages = Vec::new();
        for (at, stage) in enabled.iter().enumerate() {
            let plugin = plugins
                .get(&stage.id)
                .ok_or_else(|| PipelineError::NotLoaded {
                    id: stage.id.clone(),
                })?;
            let host = PluginHost::boxed(&stage.id, Arc::clone(services));
            let started = match (plugin.module.create())(stage.settings.clone(), host) {
                ROk(mut p) => match p.warmup() {
                    ROk(()) => Ok(p),
                    // `p` is dropped here, inside the plugin's firewall.
                    RErr(error) => Err((StartStep::Warmup, error)),
                },
                RErr(error) => Err((StartStep::Create, error)),
            };
            let (processor, disabled) = match started {
                Ok(p) => {
                    tracing::debug!(id = %stage.id, "processor ready");
                    (Some(p), None)
                }
                Err((step, error)) => {
                    // Who needs what this stage provides and cannot get it elsewhere?
                    let provided = effective_provides(&plugin.info, &stage.settings);
                    let needed_by: Vec<String> = enabled[at + 1..]
                        .iter()
                        .filter(|later| {
                            plugins.get(&later.id).is_some_and(|lp| {
                                lp.info.requires.iter().any(|need| {
                                    provided.contains(&need.as_str())
                                        && !enabled[..at].iter().any(|other| {
                                            plugins.get(&other.id).is_some_and(|op| {
                                                effective_provides(&op.info, &other.settings)
                                                    .contains(&need.as_str())
                                            })
                                        })
                                })
                            })
                        })
                        .map(|later| later.id.clone())
                        .collect();
                    let id = stage.id.clone();
                    // A configuration the user must fix (missing or wrong model, bad
                    // setting) stops before any frame: running without the processor would
                    // only produce an output they did not ask for.
                    let config_error = !error.is_panic()
                        && [codes::MODEL, codes::MODEL_SIGNATURE, codes::SETTING]
                            .contains(&error.code.as_str());
                    if config_error || !needed_by.is_empty() {
                        return Err(match step {
                            StartStep::Create if error.is_panic() => {
                                PipelineError::CreatePanicked {
                                    id,
                                    error,
                                    needed_by,
                                }
                            }
                            StartStep::Create => PipelineError::CreateFailed {
                                id,
                                error,
                                needed_by,
                            },
                            StartStep::Warmup => PipelineError::WarmupFailed {
                                id,
                                error,
                                needed_by,
                            },
                        });
                    }
                    let what = match step {
                        StartStep::Create => "could not start",
                        StartStep::Warmup => "failed its warm-up",
                    };
                    tracing::error!(
                        "{id}: {what}: {error}; the run continues without it (no other stage needs it)"
                    );
                    (None, Some(error))
                }
            };
            stages.push(RunStage {
                id: stage.id.clone(),
                info: plugin.info.clone(),
                processor,
                disabled,
                reported: false,
            });
        }
        Ok(Self {
            stages,
            kind: FrameKind::STILL,
            original: Vec::new(),
            backup: Vec::new(),
        })
    }

    /// Sets what the frames given to [`Pipeline::process`] are (still image, video frame, live
    /// frame); processors see it as `FrameCtx::kind`. Still by default.
    pub fn set_frame_kind(&mut self, kind: FrameKind) {
        self.kind = kind;
    }

    /// Ids of the running stages, in order.
    pub fn stage_ids(&self) -> Vec<&str> {
        self.stages.iter().map(|s| s.id.as_str()).collect()
    }

    /// Stages disabled during the run, with the reason.
    pub fn disabled(&self) -> Vec<(&str, &SdkError)> {
        self.stages
            .iter()
            .filter_map(|s| s.disabled.as_ref().map(|e| (s.id.as_str(), e)))
            .collect()
    }

    /// Changes a live setting of a running stage between frames. The value is checked against
    /// the processor's descriptor (known key, live, type, range) before the plugin sees it.
    pub fn update_setting(
        &mut self,
        id: &str,
        key: &str,
        value: SettingValue,
    ) -> Result<(), PipelineError> {
        let setting_error = |reason: String| PipelineError::Setting {
            id: id.into(),
            key: key.into(),
            reason,
        };
        let stage = self
            .stages
            .iter_mut()
            .find(|s| s.id == id)
            .ok_or_else(|| PipelineError::NotLoaded { id: id.into() })?;
        let spec = stage
            .info
            .settings
            .iter()
            .find(|s| s.key.as_str() == key)
            .ok_or_else(|| setting_error("unknown setting".into()))?;
        if !spec.live {
            return Err(setting_error(
                "cannot change while running; restart the pipeline to change it".into(),
            ));
        }
        if !spec.accepts_type(&value) {
            return Err(setting_error(format!(
                "expected a value of type {}, found {value}",
                spec.kind
            )));
        }
        check_value(spec, &value).map_err(setting_error)?;
        if let Some(error) = &stage.disabled {
            return Err(setting_error(format!("the processor is disabled: {error}")));
        }
        let Some(processor) = stage.processor.as_mut() else {
            return Err(setting_error("the processor is not running".into()));
        };
        match processor.update_setting(key.into(), RSettingValue::from(value)) {
            ROk(()) => Ok(()),
            RErr(error) => {
                if error.is_panic() {
                    stage.disabled = Some(error.clone());
                    stage.processor = None;
                }
                Err(setting_error(error.to_string()))
            }
        }
    }

    /// Runs every live stage over `frame` in place.
    pub fn process(
        &mut self,
        frame: &mut OwnedImage,
        index: u64,
        timestamp_us: i64,
        sources: &[SourceFace],
    ) -> FrameReport {
        self.process_with_faces(frame, Vec::new(), index, timestamp_us, sources)
    }

    /// Runs the live stages over `frame` as [`Pipeline::process`] does, starting from
    /// `faces` found by an earlier part of the pipeline (see [`Pipeline::split_analysis`]).
    pub fn process_with_faces(
        &mut self,
        frame: &mut OwnedImage,
        faces: Vec<Face>,
        index: u64,
        timestamp_us: i64,
        sources: &[SourceFace],
    ) -> FrameReport {
        let kind = self.kind;
        self.run_stages(
            frame,
            faces.into(),
            kind,
            index,
            timestamp_us,
            sources,
            |_| true,
        )
    }

    /// Runs every stage once on a copy of `frame` (index 0, time 0) and discards the result,
    /// so that the first real frame does not pay for first-use costs: ONNX Runtime's first
    /// run at a new input shape, buffers sized to the frame, per-source state. Live mode calls
    /// it before the camera starts, with `live::warm::warm_up_frame`. Stateful processors see
    /// a stream that starts again at index 0 with the real frames (trackers start over; the
    /// content guard checks the first real frame).
    pub fn warm_up(&mut self, frame: &OwnedImage, sources: &[SourceFace]) {
        let mut copy = frame.clone();
        let report = self.process(&mut copy, 0, 0, sources);
        // A stage that panicked here is disabled: say so on the first real frame instead.
        for event in report.events {
            if let StageEvent::Disabled { id, .. } = event
                && let Some(stage) = self.stages.iter_mut().find(|s| s.id == id)
            {
                stage.reported = false;
            }
        }
    }

    /// Splits off the stages after the analysis, so that frame n+1 can be analysed while
    /// frame n goes through the rest (live mode on two cores). The front keeps the leading
    /// stages up to the last one that analyses faces, provided none of them changes the
    /// frame (then the frame handed on is still the original for the stages that read it).
    /// `None`, changing nothing, when there is no such front or nothing after it.
    /// [`Pipeline::rejoin`] puts the stages back.
    pub fn split_analysis(&mut self) -> Option<Pipeline> {
        let leading = self
            .stages
            .iter()
            .take_while(|s| !s.info.has_capability(caps::MODIFIES_FRAME))
            .count();
        let cut = self.stages[..leading]
            .iter()
            .rposition(|s| s.info.has_capability(caps::ANALYSES_FACES))?
            + 1;
        if cut >= self.stages.len() {
            return None;
        }
        Some(Pipeline {
            stages: self.stages.split_off(cut),
            kind: self.kind,
            original: Vec::new(),
            backup: Vec::new(),
        })
    }

    /// Splits off the leading stages that only look at a frame — they neither change it nor
    /// analyse faces nor provide data to later stages (the content guard) — so that they can
    /// run beside the rest on the same frame (live mode; see `live::beside`). `None`, changing
    /// nothing, when there is no such stage or nothing after them. [`Pipeline::rejoin_front`]
    /// puts them back.
    pub fn split_checks(&mut self) -> Option<Pipeline> {
        let leading = self
            .stages
            .iter()
            .take_while(|s| {
                !s.info.has_capability(caps::MODIFIES_FRAME)
                    && !s.info.has_capability(caps::ANALYSES_FACES)
                    && !s.info.has_capability(caps::READS_ORIGINAL)
                    && s.info.provides.is_empty()
            })
            .count();
        if leading == 0 || leading >= self.stages.len() {
            return None;
        }
        let rest = self.stages.split_off(leading);
        Some(Pipeline {
            stages: std::mem::replace(&mut self.stages, rest),
            kind: self.kind,
            original: Vec::new(),
            backup: Vec::new(),
        })
    }

    /// Puts the stages [`Pipeline::split_checks`] took off back in front.
    pub fn rejoin_front(&mut self, mut front: Pipeline) {
        front.stages.append(&mut self.stages);
        self.stages = front.stages;
    }

    /// Appends the stages [`Pipeline::split_analysis`] took off.
    pub fn rejoin(&mut self, back: Pipeline) {
        self.stages.extend(back.stages);
    }

    /// Whether one of this pipeline's stages is processor `id`.
    pub fn has_stage(&self, id: &str) -> bool {
        self.stages.iter().any(|s| s.id == id)
    }

    /// Runs the stages that look at source images — those that analyse faces or declare
    /// [`caps::INSPECTS_SOURCES`] — over a source image (source preparation).
    pub fn analyse(&mut self, image: &mut OwnedImage) -> FrameReport {
        self.run_stages(image, RVec::new(), FrameKind::SOURCE, 0, 0, &[], |info| {
            info.has_capability(caps::ANALYSES_FACES) || info.has_capability(caps::INSPECTS_SOURCES)
        })
    }

    /// Whether any running stage analyses faces.
    pub fn has_analyser(&self) -> bool {
        self.stages
            .iter()
            .any(|s| s.info.has_capability(caps::ANALYSES_FACES))
    }

    #[allow(
        clippy::too_many_arguments,
        reason = "the frame, what is known about it, and the stage filter"
    )]
    fn run_stages(
        &mut self,
        frame: &mut OwnedImage,
        faces: RVec<Face>,
        kind: FrameKind,
        index: u64,
        timestamp_us: i64,
        sources: &[SourceFace],
        select: impl Fn(&PluginInfo) -> bool,
    ) -> FrameReport {
        let mut faces = faces;
        let mut saved_faces: RVec<Face> = RVec::new();
        let mut events = Vec::new();
        let mut timings = Vec::new();
        let (width, height) = (frame.width, frame.height);
        let keep_original = self.stages.iter().any(|s| {
            s.processor.is_some() && select(&s.info) && s.info.has_capability(caps::READS_ORIGINAL)
        });
        if keep_original {
            self.original.clear();
            self.original.extend_from_slice(&frame.data);
        }
        // Whether the frame still equals `original` (then a rollback can copy from there).
        let mut pristine = keep_original;
        for stage in self.stages.iter_mut().filter(|s| select(&s.info)) {
            let Some(processor) = stage.processor.as_mut() else {
                if let (false, Some(error)) = (stage.reported, &stage.disabled) {
                    stage.reported = true;
                    events.push(StageEvent::Disabled {
                        id: stage.id.clone(),
                        error: error.clone(),
                    });
                }
                continue;
            };
            let modifies = stage.info.has_capability(caps::MODIFIES_FRAME);
            if modifies && !pristine {
                self.backup.clear();
                self.backup.extend_from_slice(&frame.data);
            }
            saved_faces.clone_from(&faces);
            let original = if keep_original {
                ImageRef {
                    data: RSlice::from_slice(&self.original),
                    width,
                    height,
                    stride: width * 3,
                }
            } else {
                ImageRef {
                    data: RSlice::from_slice(&[]),
                    width: 0,
                    height: 0,
                    stride: 0,
                }
            };
            let ctx = FrameCtx {
                frame: ImageMut {
                    data: RSliceMut::from_mut_slice(frame.data.as_mut_slice()),
                    width,
                    height,
                    stride: width * 3,
                },
                original,
                kind,
                index,
                timestamp_us,
                faces: &mut faces,
                sources: RSlice::from_slice(sources),
            };
            let started = Instant::now();
            let outcome = processor.process(ctx);
            timings.push(StageTiming {
                id: stage.id.clone(),
                elapsed: started.elapsed(),
            });
            let error = match outcome {
                ROk(outcome) => {
                    if let FrameOutcome::Skipped(reason) = FrameOutcome::from(outcome) {
                        tracing::debug!(id = %stage.id, frame = index, %reason, "skipped");
                        events.push(StageEvent::Skipped {
                            id: stage.id.clone(),
                            reason: reason.into(),
                        });
                    }
                    pristine &= !modifies;
                    continue;
                }
                RErr(error) => error,
            };
            // Roll the frame and the faces back to what they were before this stage.
            if modifies {
                let before = if pristine {
                    &self.original
                } else {
                    &self.backup
                };
                frame.data.as_mut_slice().copy_from_slice(before);
            }
            std::mem::swap(&mut faces, &mut saved_faces);
            if error.is_panic() || error.code.as_str() == codes::POISONED {
                tracing::error!(id = %stage.id, frame = index, %error, "processor disabled for the rest of the run");
                stage.disabled = Some(error.clone());
                stage.reported = true;
                // Drop the instance now; its destructor runs inside the plugin's firewall.
                stage.processor = None;
                events.push(StageEvent::Disabled {
                    id: stage.id.clone(),
                    error,
                });
            } else if error.code.as_str() == codes::REFUSED {
                // A policy refusal ends the frame: nothing after it runs (the host decides
                // what happens to the run, see `FrameReport::refusal`).
                tracing::debug!(id = %stage.id, frame = index, %error, "frame refused");
                events.push(StageEvent::Failed {
                    id: stage.id.clone(),
                    error,
                });
                break;
            } else {
                tracing::warn!(id = %stage.id, frame = index, %error, "processor failed on this frame; its changes were undone");
                events.push(StageEvent::Failed {
                    id: stage.id.clone(),
                    error,
                });
            }
        }
        FrameReport {
            faces: faces.into_vec(),
            events,
            timings,
        }
    }
}
