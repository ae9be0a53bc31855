//! The per-frame loop over processor instances.

use super::context::PluginHost;
use super::error::PipelineError;
use super::services::Services;
use crate::plugins::PluginSet;
use crate::profile::{Profile, check_value};
use abi_stable::std_types::{RErr, ROk, RSlice, RSliceMut, RVec};
use liveswap_sdk::{
    Face, FrameCtx, FrameOutcome, ImageMut, OwnedImage, PluginInfo, ProcessorBox, SdkError,
    SettingValue, SourceFace, caps, codes,
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

struct RunStage {
    id: String,
    info: PluginInfo,
    processor: ProcessorBox,
    disabled: Option<SdkError>,
}

/// Processor instances for a profile's enabled stages, in order.
pub struct Pipeline {
    stages: Vec<RunStage>,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("stages", &self.stage_ids())
            .finish()
    }
}

impl Pipeline {
    /// Creates and warms up one processor per enabled stage.
    pub fn build(
        profile: &Profile,
        plugins: &PluginSet,
        services: &Arc<Services>,
    ) -> Result<Self, PipelineError> {
        let mut stages = Vec::new();
        for stage in profile.enabled() {
            let plugin = plugins
                .get(&stage.id)
                .ok_or_else(|| PipelineError::NotLoaded {
                    id: stage.id.clone(),
                })?;
            let host = PluginHost::boxed(&stage.id, Arc::clone(services));
            let mut processor = match (plugin.module.create())(stage.settings.clone(), host) {
                ROk(p) => p,
                RErr(error) if error.is_panic() => {
                    return Err(PipelineError::CreatePanicked {
                        id: stage.id.clone(),
                        error,
                    });
                }
                RErr(error) => {
                    return Err(PipelineError::CreateFailed {
                        id: stage.id.clone(),
                        error,
                    });
                }
            };
            if let RErr(error) = processor.warmup() {
                return Err(PipelineError::WarmupFailed {
                    id: stage.id.clone(),
                    error,
                });
            }
            tracing::debug!(id = %stage.id, "processor ready");
            stages.push(RunStage {
                id: stage.id.clone(),
                info: plugin.info.clone(),
                processor,
                disabled: None,
            });
        }
        Ok(Self { stages })
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
        let same_type = std::mem::discriminant(&spec.default) == std::mem::discriminant(&value);
        if !same_type {
            return Err(setting_error(format!(
                "expected a value of type {}, found {value}",
                spec.kind.name()
            )));
        }
        check_value(spec, &value).map_err(setting_error)?;
        if let Some(error) = &stage.disabled {
            return Err(setting_error(format!("the processor is disabled: {error}")));
        }
        match stage.processor.update_setting(key.into(), value) {
            ROk(()) => Ok(()),
            RErr(error) => {
                if error.is_panic() {
                    stage.disabled = Some(error.clone());
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
        self.run_stages(frame, index, timestamp_us, sources, |_| true)
    }

    /// Runs only the face-analysing stages over an image (source preparation).
    pub fn analyse(&mut self, image: &mut OwnedImage) -> FrameReport {
        self.run_stages(image, 0, 0, &[], |info| {
            info.has_capability(caps::ANALYSES_FACES)
        })
    }

    /// Whether any running stage analyses faces.
    pub fn has_analyser(&self) -> bool {
        self.stages
            .iter()
            .any(|s| s.info.has_capability(caps::ANALYSES_FACES))
    }

    fn run_stages(
        &mut self,
        frame: &mut OwnedImage,
        index: u64,
        timestamp_us: i64,
        sources: &[SourceFace],
        select: impl Fn(&PluginInfo) -> bool,
    ) -> FrameReport {
        let original = frame.clone();
        let mut faces: RVec<Face> = RVec::new();
        let mut events = Vec::new();
        let mut timings = Vec::new();
        let (width, height) = (frame.width, frame.height);
        for stage in self
            .stages
            .iter_mut()
            .filter(|s| s.disabled.is_none() && select(&s.info))
        {
            let ctx = FrameCtx {
                frame: ImageMut {
                    data: RSliceMut::from_mut_slice(frame.data.as_mut_slice()),
                    width,
                    height,
                    stride: width * 3,
                },
                original: original.as_ref(),
                index,
                timestamp_us,
                faces: &mut faces,
                sources: RSlice::from_slice(sources),
            };
            let started = Instant::now();
            let outcome = stage.processor.process(ctx);
            timings.push(StageTiming {
                id: stage.id.clone(),
                elapsed: started.elapsed(),
            });
            match outcome {
                ROk(FrameOutcome::Processed) => {}
                ROk(FrameOutcome::Skipped(reason)) => {
                    tracing::debug!(id = %stage.id, frame = index, %reason, "skipped");
                    events.push(StageEvent::Skipped {
                        id: stage.id.clone(),
                        reason: reason.into(),
                    });
                }
                RErr(error) if error.is_panic() || error.code.as_str() == codes::POISONED => {
                    tracing::error!(id = %stage.id, frame = index, %error, "processor disabled for the rest of the run");
                    stage.disabled = Some(error.clone());
                    events.push(StageEvent::Disabled {
                        id: stage.id.clone(),
                        error,
                    });
                }
                RErr(error) => {
                    tracing::warn!(id = %stage.id, frame = index, %error, "processor failed on this frame");
                    events.push(StageEvent::Failed {
                        id: stage.id.clone(),
                        error,
                    });
                }
            }
        }
        FrameReport {
            faces: faces.into_vec(),
            events,
            timings,
        }
    }
}
