//! The analyser plugin: description, creation (opening models through the host) and the
//! per-frame work.

use crate::background::{Followed, SearchJob, SearchReport, Searcher, Shared, lock};
use crate::detect::{self, Detector, keep_largest_central};
use crate::follow;
use crate::landmarks::{self, Landmarker};
use crate::recognize::{self, Recognizer};
use crate::settings::{FaceAnalyserSettings, specs};
use crate::track::Tracker;
use liveswap_sdk::abi_stable::std_types::{ROption, RVec};
use liveswap_sdk::{
    Face, FrameCtx, FrameKind, FrameOutcome, FrameProcessor, HostBox, HostLog, ModelRequest,
    ModelSignature, ModelSlot, Plugin, PluginInfo, SdkError, SdkResult, SettingValue, Settings,
    caps, data, model_roles,
};
use liveswap_vision::ImageView;
use liveswap_vision::frames::{self};
use std::sync::{Arc, Mutex};

/// The plugin.
pub struct FaceAnalyser;

/// One analyser instance.
pub struct FaceAnalyserProcessor {
    settings: FaceAnalyserSettings,
    /// Shared with the background search's helper thread ([`crate::background`]).
    detector: Shared<Detector>,
    recognizer: Option<Shared<Recognizer>>,
    landmarker: Option<Landmarker>,
    tracker: Tracker,
    /// Frame index of the last whole-frame search (here or handed to the helper); None
    /// forces one here.
    last_full: Option<u64>,
    /// Frame index of the last whole-frame search on this thread: a background report from
    /// an earlier frame is out of date.
    last_full_here: Option<u64>,
    /// With `track_landmarks`: each reported face's look, by track id ([`follow`]).
    looks: Vec<(u64, follow::Appearance)>,
    /// With `search_in_background`: the helper, once started.
    searcher: Option<Searcher>,
    /// The helper failed once; searches stay on this thread.
    searcher_failed: bool,
    /// An agreeing background report to apply to the next followed faces.
    pending: Option<SearchReport>,
    host: HostBox,
}

fn open(
    host: &HostBox,
    setting: &str,
    reference: &str,
    signature: ModelSignature,
) -> SdkResult<liveswap_sdk::ModelBox> {
    host.open_model(ModelRequest {
        setting: setting.into(),
        reference: reference.into(),
        signature,
    })
    .into_result()
}

impl Plugin for FaceAnalyser {
    type Processor = FaceAnalyserProcessor;

    fn info() -> PluginInfo {
        PluginInfo::new("face_analyser", "Face analyser", env!("CARGO_PKG_VERSION"))
            .description("Finds faces (SCRFD), their 5 keypoints, optional 106 landmarks (2d106det) and optional identity embeddings (ArcFace), once per frame, for every later processor.")
            .capabilities(&[caps::ANALYSES_FACES])
            .settings(specs())
            .provides(&[data::FACES, data::EMBEDDINGS, data::LANDMARKS_106])
            .model(ModelSlot::new("detector_model", model_roles::FACE_DETECTOR, detect::signature()).provides(&[data::FACES]))
            .model(
                ModelSlot::new("recognizer_model", model_roles::FACE_RECOGNIZER, recognize::signature())
                    .optional()
                    .provides(&[data::EMBEDDINGS]),
            )
            .model(
                ModelSlot::new("landmark_model", model_roles::LANDMARKS_106, landmarks::signature())
                    .optional()
                    .provides(&[data::LANDMARKS_106]),
            )
    }

    fn create(settings: &Settings, host: HostBox) -> SdkResult<FaceAnalyserProcessor> {
        let settings = FaceAnalyserSettings::from_settings(settings)?;
        let mut detector = Detector::new(
            open(
                &host,
                "detector_model",
                &settings.detector_model,
                detect::signature(),
            )?,
            settings.det_size,
        );
        detector.fit = settings.det_fit;
        let detector = Arc::new(Mutex::new(detector));
        let recognizer = match settings.recognizer_model.as_str() {
            "" => None,
            r => Some(Arc::new(Mutex::new(Recognizer::new(open(
                &host,
                "recognizer_model",
                r,
                recognize::signature(),
            )?)))),
        };
        let landmarker = match settings.landmark_model.as_str() {
            "" => None,
            r => Some(Landmarker::new(open(
                &host,
                "landmark_model",
                r,
                landmarks::signature(),
            )?)),
        };
        Ok(FaceAnalyserProcessor {
            settings,
            detector,
            recognizer,
            landmarker,
            tracker: Tracker::default(),
            last_full: None,
            last_full_here: None,
            looks: Vec::new(),
            searcher: None,
            searcher_failed: false,
            pending: None,
            host,
        })
    }
}

impl FrameProcessor for FaceAnalyserProcessor {
    fn update_setting(&mut self, key: &str, value: &SettingValue) -> SdkResult<()> {
        let s = &mut self.settings;
        match (key, value) {
            ("det_threshold", SettingValue::Float(v)) => s.det_threshold = *v as f32,
            ("nms_threshold", SettingValue::Float(v)) => s.nms_threshold = *v as f32,
            ("max_faces", SettingValue::Int(v)) => s.max_faces = (*v).max(0) as usize,
            ("tracking", SettingValue::Bool(v)) => s.track.enabled = *v,
            ("track_coast_frames", SettingValue::Int(v)) => {
                s.track.coast_frames = (*v).max(0) as u32;
            }
            ("kps_smoothing", SettingValue::Float(v)) => s.track.smoothing = *v as f32,
            ("embedding_refresh", SettingValue::Int(v)) => s.embedding_refresh = (*v).max(1) as u32,
            ("detect_full_every", SettingValue::Int(v)) => s.detect_full_every = (*v).max(1) as u32,
            ("track_landmarks", SettingValue::Bool(v)) => s.track_landmarks = *v,
            ("search_in_background", SettingValue::Bool(v)) => s.search_in_background = *v,
            ("det_fit", SettingValue::Bool(v)) => {
                s.det_fit = *v;
                lock(&self.detector).fit = *v;
            }
            _ => {
                return Err(SdkError::setting(format!(
                    "setting `{key}` cannot change while running"
                )));
            }
        }
        Ok(())
    }

    fn process(&mut self, ctx: &mut FrameCtx<'_>) -> SdkResult<FrameOutcome> {
        // Analyse the frame as it reaches this stage. The analyser comes first in every
        // shipped profile, where that is the untouched input; reading `original` instead
        // would make the host copy every frame (READS_ORIGINAL) for no gain.
        let view = frames::frame_view(&ctx.frame)?;
        let size = (ctx.frame.width, ctx.frame.height);
        self.collect_search();
        let followed = self.follow(view, ctx.index, size)?;
        let with_landmarks = followed.is_some();
        let mut faces = match followed {
            Some(faces) => faces,
            None => {
                let found = self.detect(view, ctx.index, size)?;
                let s = &self.settings;
                keep_largest_central(found, s.max_faces, view.width, view.height)
                    .iter()
                    .filter_map(|d| d.kps.map(|kps| Face::new(d.bbox, d.score, kps)))
                    .collect()
            }
        };
        let deferred = self.embeddings_deferred(ctx.kind);
        if !faces.is_empty() {
            self.describe_faces(view, &mut faces, ctx.index, size, with_landmarks, deferred)?;
        }
        let faces = self
            .tracker
            .update(ctx.index, size, faces, &self.settings.track);
        if deferred
            && faces
                .iter()
                .any(|f| f.embedding.is_none() && f.landmarks_106.is_some())
        {
            self.submit_search(view, ctx.index, &faces, false);
        }
        self.remember_looks(view, &faces);
        if faces.is_empty() {
            ctx.faces.clear();
            return Ok(FrameOutcome::Skipped("no face found".into()));
        }
        *ctx.faces = RVec::from(faces);
        Ok(FrameOutcome::Processed)
    }
}

impl FaceAnalyserProcessor {
    /// Whether frame `index` is due for a whole-frame search (`detect_full_every`).
    fn full_search_due(&self, index: u64) -> bool {
        let every = u64::from(self.settings.detect_full_every);
        self.last_full
            .is_none_or(|last| index < last || index - last >= every)
    }

    /// With `track_landmarks`, between whole-frame searches: the faces tracked in the previous
    /// frame followed by their landmarks ([`crate::follow`]), landmarks included. `None`: not
    /// applicable, or a face was lost (then the next detection is a whole-frame one). With
    /// `search_in_background`, a due whole-frame search goes to the helper and the faces are
    /// followed all the same ([`crate::background`]).
    fn follow(
        &mut self,
        view: ImageView<'_>,
        index: u64,
        size: (u32, u32),
    ) -> SdkResult<Option<Vec<Face>>> {
        let s = &self.settings;
        if !s.track_landmarks || !s.track.enabled || s.detect_full_every <= 1 {
            return Ok(None);
        }
        let due = self.full_search_due(index);
        // `last_full == None` asks for a search here (a face was lost, or the helper's last
        // search disagreed with the following).
        let in_background = due && self.background_active() && self.last_full.is_some();
        if self.landmarker.is_none() || (due && !in_background) {
            return Ok(None);
        }
        let Some(previous) = self.tracker.live_faces(index, size) else {
            return Ok(None);
        };
        if previous.is_empty() || previous.iter().any(|f| f.landmarks_106.is_none()) {
            return Ok(None);
        }
        let Some(lm) = self.landmarker.as_mut() else {
            return Ok(None);
        };
        let boxes: Vec<[f32; 4]> = previous.iter().map(|f| f.bbox).collect();
        let points = lm.run(view, &boxes)?;
        let mut faces = Vec::with_capacity(previous.len());
        for (before, now) in previous.iter().zip(points) {
            let old = before
                .landmarks_106
                .as_ref()
                .map(|l| l.as_slice())
                .unwrap_or(&[]);
            let look = before
                .track_id
                .into_option()
                .and_then(|id| self.looks.iter().find(|(t, _)| *t == id))
                .map(|(_, look)| look);
            let fit = follow::fit_similarity(old, &now)
                .filter(|(sim, residual)| follow::plausible(before.bbox, sim, *residual))
                .filter(|(sim, _)| {
                    look.is_some_and(|l| {
                        l.change(&view, before.bbox, sim) <= follow::MAX_APPEARANCE_CHANGE
                    })
                });
            let Some((sim, _)) = fit else {
                self.last_full = None;
                return Ok(None);
            };
            let mut face = Face::new(
                sim.apply_box(before.bbox),
                before.score,
                before.kps.map(|p| sim.apply(p)),
            );
            face.landmarks_106 = ROption::RSome(now.into());
            // Carried only so that background reports can name the track; the tracker sets
            // the id it links the face to.
            face.track_id = before.track_id;
            faces.push(face);
        }
        if let Some(report) = self.pending.take() {
            self.apply_search(&report, &mut faces);
        }
        if in_background {
            self.submit_search(view, index, &faces, true);
        }
        Ok(Some(faces))
    }

    /// Picks up the helper's finished search, if any: an agreeing one is kept for the next
    /// followed faces; a disagreeing one makes this frame search the whole frame here; a
    /// failed helper is reported once and searches stay on this thread.
    fn collect_search(&mut self) {
        let Some(searcher) = self.searcher.as_mut() else {
            return;
        };
        match searcher.poll() {
            None => {}
            Some(Ok(report)) => {
                if report.searched && self.last_full_here.is_some_and(|here| here >= report.index) {
                    // This thread searched a later frame already.
                } else if report.agrees() {
                    self.pending = Some(report);
                } else {
                    self.host.debug(&format!(
                        "background search of frame {}: {} new face(s), {} followed face(s) not found; searching the whole frame now",
                        report.index,
                        report.new_faces,
                        report.missing.len()
                    ));
                    self.last_full = None;
                }
            }
            Some(Err(e)) => {
                self.host.warn(&format!(
                    "the background face search failed ({e}); whole-frame searches run on the processing thread from now on"
                ));
                self.searcher = None;
                self.searcher_failed = true;
                self.last_full = None;
            }
        }
    }

    /// Whether whole-frame searches go to the helper ([`crate::background`]): the setting is
    /// on, faces are followed by their landmarks, and the helper has not failed.
    fn background_active(&self) -> bool {
        let s = &self.settings;
        s.search_in_background
            && s.track_landmarks
            && s.track.enabled
            && s.detect_full_every > 1
            && self.landmarker.is_some()
            && !self.searcher_failed
    }

    /// Whether identities of `kind` frames come from the helper instead of this thread:
    /// stream frames with the background search active (sources and stills always get theirs
    /// at once).
    fn embeddings_deferred(&self, kind: FrameKind) -> bool {
        (kind == FrameKind::LIVE || kind == FrameKind::VIDEO)
            && self.recognizer.is_some()
            && self.background_active()
    }

    /// Hands the whole-frame search of `view` (frame `index`, where `faces` were followed) —
    /// or with `detect == false` only the embeddings of `faces` — to the helper, starting it
    /// on first use. A busy helper takes nothing: the work stays due and is tried again on
    /// the next frame.
    fn submit_search(&mut self, view: ImageView<'_>, index: u64, faces: &[Face], detect: bool) {
        if self.searcher.is_none() {
            match Searcher::spawn(Arc::clone(&self.detector), self.recognizer.clone()) {
                Ok(searcher) => self.searcher = Some(searcher),
                Err(e) => {
                    self.host.warn(&format!(
                        "cannot start the background face search ({e}); searching on the processing thread"
                    ));
                    self.searcher_failed = true;
                    return;
                }
            }
        }
        let Some(searcher) = self.searcher.as_mut().filter(|s| !s.busy()) else {
            return;
        };
        let Ok(frame) = view.to_image() else {
            return;
        };
        let followed = faces
            .iter()
            .filter_map(|f| {
                Some(Followed {
                    track_id: f.track_id.into_option()?,
                    bbox: f.bbox,
                    kps: f.kps,
                    landmarks: f.landmarks_106.as_ref().into_option()?.to_vec(),
                })
            })
            .collect();
        let s = &self.settings;
        let job = SearchJob {
            frame,
            index,
            followed,
            detect,
            threshold: s.det_threshold,
            nms: s.nms_threshold,
            max_faces: s.max_faces,
        };
        if searcher.submit(job) && detect {
            self.last_full = Some(index);
        }
    }

    /// Puts an agreeing background search into this frame's followed `faces`: each found
    /// face's detected box and keypoints, carried from the searched frame by the landmarks'
    /// motion since, and its fresh embedding into its track.
    fn apply_search(&mut self, report: &SearchReport, faces: &mut [Face]) {
        for face in faces.iter_mut() {
            let Some(id) = face.track_id.into_option() else {
                continue;
            };
            let Some(found) = report.found.iter().find(|f| f.track_id == id) else {
                continue;
            };
            let now = face.landmarks_106.as_ref().map(|l| l.as_slice());
            if let Some((sim, _)) = now
                .into_option()
                .filter(|_| report.searched)
                .and_then(|now| follow::fit_similarity(&found.landmarks, now))
                .filter(|(sim, residual)| follow::plausible(found.bbox, sim, *residual))
            {
                face.bbox = sim.apply_box(found.bbox);
                face.kps = found.kps.map(|p| sim.apply(p));
            }
            if let Some(embedding) = &found.embedding {
                self.tracker.set_embedding(id, embedding.clone());
            }
        }
    }

    /// Keeps each reported face's look for the next frame's [`Self::follow`] (only when
    /// following is on; otherwise nothing is sampled).
    fn remember_looks(&mut self, view: ImageView<'_>, faces: &[Face]) {
        self.looks.clear();
        if self.settings.track_landmarks {
            self.looks.extend(faces.iter().filter_map(|f| {
                let id = f.track_id.into_option()?;
                Some((id, follow::Appearance::of(&view, f.bbox)))
            }));
        }
    }

    /// Whole-frame detection, or, with `detect_full_every > 1` between whole-frame ones,
    /// detection only around the faces tracked in the previous frame. A region that loses
    /// its face makes the next frame a whole-frame detection.
    fn detect(
        &mut self,
        view: ImageView<'_>,
        index: u64,
        size: (u32, u32),
    ) -> SdkResult<Vec<liveswap_vision::detect::Detection>> {
        let due = self.full_search_due(index);
        let s = &self.settings;
        let boxes = if s.track.enabled && s.detect_full_every > 1 && !due {
            self.tracker
                .live_boxes(index, size)
                .filter(|b| !b.is_empty())
        } else {
            None
        };
        let Some(boxes) = boxes else {
            self.last_full = Some(index);
            self.last_full_here = Some(index);
            return lock(&self.detector).detect(view, s.det_threshold, s.nms_threshold);
        };
        let found =
            lock(&self.detector).detect_around(view, &boxes, s.det_threshold, s.nms_threshold)?;
        if found.len() < boxes.len() {
            self.last_full = None;
        }
        Ok(found)
    }

    /// Landmarks (unless the faces have them already) and embeddings for the faces; with
    /// `deferred` embeddings, only the tracks' own (the helper computes the missing ones).
    fn describe_faces(
        &mut self,
        view: ImageView<'_>,
        faces: &mut [Face],
        index: u64,
        size: (u32, u32),
        with_landmarks: bool,
        deferred: bool,
    ) -> SdkResult<()> {
        if let Some(lm) = self.landmarker.as_mut().filter(|_| !with_landmarks) {
            let boxes: Vec<[f32; 4]> = faces.iter().map(|f| f.bbox).collect();
            for (face, points) in faces.iter_mut().zip(lm.run(view, &boxes)?) {
                face.landmarks_106 = ROption::RSome(points.into());
            }
        }
        if let Some(rec) = self.recognizer.as_ref() {
            let s = &self.settings;
            // Deferred: a track keeps its embedding until the helper refreshes it.
            let refresh = if deferred {
                u32::MAX
            } else {
                s.embedding_refresh
            };
            let reused = self
                .tracker
                .reuse_embeddings(index, size, faces, &s.track, refresh);
            // Only the faces without a reusable embedding go through the recognizer.
            let todo: Vec<usize> = (0..faces.len())
                .filter(|&i| reused[i].is_none() && !deferred)
                .collect();
            let kps: Vec<_> = todo.iter().map(|&i| faces[i].kps).collect();
            let fresh = if kps.is_empty() {
                Vec::new()
            } else {
                lock(rec).run(view, &kps)?
            };
            for (&i, emb) in todo.iter().zip(fresh) {
                faces[i].embedding = ROption::RSome(emb);
            }
            for (face, emb) in faces.iter_mut().zip(reused) {
                if let Some(emb) = emb {
                    face.embedding = ROption::RSome(emb);
                }
            }
        }
        Ok(())
    }
}
