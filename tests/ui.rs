//! `liveswap ui`: the app's `update` without a window, its views in iced's headless
//! simulator, the preview worker with the real pipeline, and the real window under Xvfb.
//!
//! State and view tests use the real plugin libraries (their setting descriptors generate
//! the panels) with a detached worker: the test sees every command `update` sends and
//! answers on the worker's behalf. The worker and window tests run `profiles/default.toml`
//! with the models in `../shared/models`.

use iced::futures::executor::block_on;
use iced_test::{Simulator, selector};
use liveswap_host::commands::Host;
use liveswap_host::models::ModelStore;
use liveswap_host::pipeline::Services;
use liveswap_host::plugins::{PluginSet, SearchPath};
use liveswap_host::profile::{Profile, RawProfile};
use liveswap_host::ui::faces::{FaceMode, SourceStatus};
use liveswap_host::ui::state::{Change, PipelineStatus, Target, plan_change};
use liveswap_host::ui::worker::{Built, Command, PreviewRequest, TargetFrame, Worker};
use liveswap_host::ui::{Launch, Message, State, Terms, update, view};
use liveswap_sdk::SettingValue;
use liveswap_tests::{
    built_library, install_as_plugin, liveswap_command, ort_library, shared, temp_dir, workspace,
};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::Instant;

pub(crate) mod window;

const PLUGINS: [&str; 4] = [
    "content_guard",
    "face_analyser",
    "face_morpher",
    "face_debugger",
];

fn plugin_dir(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    for id in PLUGINS {
        install_as_plugin(&built_library(&format!("liveswap_{id}")), &dir, id);
    }
    dir
}

fn host(name: &str) -> Arc<Host> {
    let dir = plugin_dir(name);
    let plugins = PluginSet::load(&[SearchPath::Cli(dir.clone())]);
    assert!(plugins.failures.is_empty(), "{:?}", plugins.failures);
    let store = ModelStore::new(vec![shared().join("models")]).unwrap();
    Arc::new(Host {
        plugins,
        search: vec![SearchPath::Cli(dir)],
        services: Arc::new(Services::cpu(Some(ort_library()), store)),
    })
}

fn sample(name: &str) -> PathBuf {
    workspace().join("tests/samples").join(name)
}

fn default_profile() -> PathBuf {
    workspace().join("profiles/default.toml")
}

/// A state with the default profile, a source and a target, its worker detached.
fn app(name: &str) -> (State, Receiver<Command>) {
    app_with_terms(name, Terms::Accepted)
}

fn app_with_terms(name: &str, terms: Terms) -> (State, Receiver<Command>) {
    let (worker, rx) = Worker::detached();
    let launch = Launch {
        sources: vec![sample("astronaut.png")],
        target: Some(sample("grace_hopper.jpg")),
        profile: Some(default_profile()),
        shipped: vec![default_profile()],
        terms,
    };
    let (state, _task) = State::new(host(name), worker, launch, Instant::now());
    (state, rx)
}

fn index_of(state: &State, id: &str) -> usize {
    state
        .editor
        .processors
        .iter()
        .position(|p| p.id == id)
        .unwrap()
}

fn rebuild_profile(command: &Command) -> Option<&Profile> {
    match command {
        Command::Rebuild { profile, .. } => Some(profile),
        _ => None,
    }
}

fn enabled_ids(profile: &Profile) -> Vec<&str> {
    profile.enabled().map(|s| s.id.as_str()).collect()
}

/// Answers the pending rebuild as the worker would after building `profile`.
fn answer_rebuild(state: &mut State, profile: &Profile) {
    let (_, rebuild) = state.generations();
    let built = Built {
        stages: enabled_ids(profile).iter().map(|s| s.to_string()).collect(),
        sources: Vec::new(),
    };
    let _ = update(state, Message::Rebuilt(rebuild, Ok(built)));
}

/// A started app whose first pipeline is "running"; returns its commands so far.
fn running_app(name: &str) -> (State, Receiver<Command>, Vec<Command>) {
    let (mut state, rx) = app(name);
    let first: Vec<Command> = rx.try_iter().collect();
    let profile = first
        .iter()
        .find_map(rebuild_profile)
        .expect("the first build starts at once")
        .clone();
    answer_rebuild(&mut state, &profile);
    assert!(matches!(state.pipeline, PipelineStatus::Ready(_)));
    (state, rx, first)
}

#[test]
fn start_sends_sources_and_builds_the_profile_at_once() {
    let (_state, _rx, first) = running_app("ui-start");
    assert!(
        first.iter().any(
            |c| matches!(c, Command::Sources { paths, .. } if paths == &[sample("astronaut.png")])
        ),
        "{first:?}"
    );
    let profile = first.iter().find_map(rebuild_profile).unwrap();
    assert_eq!(
        enabled_ids(profile),
        ["content_guard", "face_analyser", "face_morpher"]
    );
}

#[test]
fn a_live_setting_goes_to_the_running_pipeline_without_a_rebuild() {
    let (mut state, rx, _) = running_app("ui-live");
    let morpher = index_of(&state, "face_morpher");
    let _ = update(
        &mut state,
        Message::SettingChanged(morpher, "opacity".into(), SettingValue::Float(0.25)),
    );
    let sent: Vec<Command> = rx.try_iter().collect();
    assert_eq!(sent.len(), 1, "{sent:?}");
    match &sent[0] {
        Command::Update { id, key, value, .. } => {
            assert_eq!((id.as_str(), key.as_str()), ("face_morpher", "opacity"));
            assert_eq!(value, &SettingValue::Float(0.25));
        }
        other => panic!("expected a live update, got {other:?}"),
    }
    // A rebuild never comes for it, even after the debounce.
    let (_, rebuild) = state.generations();
    let _ = update(&mut state, Message::RebuildDue(rebuild));
    assert!(rx.try_iter().all(|c| rebuild_profile(&c).is_none()));
    // The profile keeps it.
    let raw = state.editor.to_raw();
    assert_eq!(
        raw.processors[morpher].settings["opacity"].as_float(),
        Some(0.25)
    );
}

#[test]
fn a_non_live_setting_rebuilds_the_pipeline_after_the_pause() {
    let (mut state, rx, _) = running_app("ui-rebuild");
    let analyser = index_of(&state, "face_analyser");
    let _ = update(
        &mut state,
        Message::SettingChanged(analyser, "det_size".into(), SettingValue::Int(320)),
    );
    assert!(
        rx.try_iter().next().is_none(),
        "rebuilds wait for the debounce"
    );
    assert!(matches!(state.pipeline, PipelineStatus::Starting));
    let (_, rebuild) = state.generations();
    // An older due rebuild is ignored; the current one is sent.
    let _ = update(&mut state, Message::RebuildDue(rebuild - 1));
    assert!(rx.try_iter().next().is_none());
    let _ = update(&mut state, Message::RebuildDue(rebuild));
    let sent: Vec<Command> = rx.try_iter().collect();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let profile = rebuild_profile(&sent[0]).expect("a rebuild");
    assert_eq!(
        profile.stages[analyser].settings.get("det_size"),
        Some(SettingValue::Int(320))
    );
}

#[test]
fn out_of_range_values_are_refused_with_the_validation_message() {
    let (mut state, rx, _) = running_app("ui-range");
    let morpher = index_of(&state, "face_morpher");
    let _ = update(
        &mut state,
        Message::SettingChanged(morpher, "opacity".into(), SettingValue::Float(1.5)),
    );
    assert!(rx.try_iter().next().is_none());
    let e = state.setting_error.clone().unwrap();
    assert!(
        e.contains("face_morpher.opacity") && e.contains("above the maximum 1"),
        "{e}"
    );
    assert_eq!(
        state.editor.value(morpher, "opacity"),
        Some(SettingValue::Float(1.0))
    );
}

#[test]
fn switching_and_reordering_give_the_expected_profile() {
    let (mut state, rx, _) = running_app("ui-order");
    let morpher = index_of(&state, "face_morpher");
    let _ = update(&mut state, Message::ProcessorToggled(morpher, false));
    let (_, rebuild) = state.generations();
    let _ = update(&mut state, Message::RebuildDue(rebuild));
    let sent: Vec<Command> = rx.try_iter().collect();
    let profile = sent.iter().find_map(rebuild_profile).unwrap();
    assert_eq!(enabled_ids(profile), ["content_guard", "face_analyser"]);
    // The switched-off processor keeps its slot.
    assert_eq!(profile.stages.len(), 3);
    let raw = state.editor.to_raw();
    assert!(!raw.processors[morpher].enabled);

    // Move the (disabled) morpher up twice, to the top: the order changes, the profile
    // stays valid.
    let _ = update(&mut state, Message::ProcessorMoved(morpher, -1));
    let _ = update(&mut state, Message::ProcessorMoved(morpher - 1, -1));
    let ids: Vec<&str> = state
        .editor
        .processors
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    assert_eq!(ids, ["face_morpher", "content_guard", "face_analyser"]);
    // Top cannot move further up: nothing happens.
    let _ = update(&mut state, Message::ProcessorMoved(0, -1));
    assert_eq!(state.editor.processors[0].id, "face_morpher");
    // Switching it back on in front of the analyser is refused by validation, by name.
    let _ = update(&mut state, Message::ProcessorToggled(0, true));
    match &state.pipeline {
        PipelineStatus::Failed(e) => {
            assert!(
                e.to_string().contains("face_morpher") && e.to_string().contains("needs"),
                "{e}"
            );
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    // Moving it down past the guard is not enough; below the analyser fixes it.
    let _ = update(&mut state, Message::ProcessorMoved(0, 1));
    assert!(matches!(state.pipeline, PipelineStatus::Failed(_)));
    let _ = update(&mut state, Message::ProcessorMoved(1, 1));
    let (_, rebuild) = state.generations();
    let _ = update(&mut state, Message::RebuildDue(rebuild));
    let sent: Vec<Command> = rx.try_iter().collect();
    let profile = sent.iter().find_map(rebuild_profile).unwrap();
    assert_eq!(
        enabled_ids(profile),
        ["content_guard", "face_analyser", "face_morpher"]
    );
}

#[test]
fn saved_profiles_round_trip_through_the_cli() {
    let (mut state, _rx, _) = running_app("ui-save");
    let morpher = index_of(&state, "face_morpher");
    let analyser = index_of(&state, "face_analyser");
    let edits = [
        (morpher, "opacity", SettingValue::Float(0.5)),
        (morpher, "poisson_blend", SettingValue::Bool(false)),
        (
            morpher,
            "one_order",
            SettingValue::Text("left-right".into()),
        ),
        (analyser, "max_faces", SettingValue::Int(3)),
    ];
    for (i, key, value) in edits.clone() {
        let _ = update(&mut state, Message::SettingChanged(i, key.into(), value));
    }
    let _ = update(&mut state, Message::ProcessorToggled(morpher, false));
    let dir = temp_dir("ui-save-out");
    let file = dir.join("edited.toml");
    let _ = update(
        &mut state,
        Message::SaveInputChanged(file.display().to_string()),
    );
    let text = state.editor.to_toml().unwrap();
    std::fs::write(&file, &text).unwrap();

    // The CLI's own validation accepts it and lists the order and switches.
    let plugins = plugin_dir("ui-save-cli");
    let out = liveswap_command()
        .args(["--plugin-dir"])
        .arg(&plugins)
        .args(["profile", "check"])
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1. [on ] content_guard"), "{stdout}");
    assert!(stdout.contains("2. [on ] face_analyser"), "{stdout}");
    assert!(stdout.contains("3. [off] face_morpher"), "{stdout}");

    // Read back, it validates to exactly the edited profile.
    let raw = RawProfile::parse(&text, &file).unwrap();
    assert_eq!(raw, state.editor.to_raw());
    let back = Profile::validate(&raw, &file, &state.host().plugins, &[]).unwrap();
    let edited = state.effective_profile().unwrap();
    assert_eq!(back.stages, edited.stages);
    for (i, key, value) in edits {
        assert_eq!(back.stages[i].settings.get(key), Some(value), "{key}");
    }
    // Keys nobody touched stay out of the file (they follow the plugin defaults).
    assert!(
        !raw.processors[morpher]
            .settings
            .contains_key("map_distance")
    );
    // The file's own explicit keys stay in.
    assert!(raw.processors[analyser].settings.contains_key("det_size"));
}

#[test]
fn face_mapping_switches_selection_live_and_gives_the_cli_roles() {
    let (mut state, rx, _) = running_app("ui-map");
    // Face selection is a live setting of the swappers: map mode is applied live.
    let _ = update(
        &mut state,
        Message::FaceModeChanged(liveswap_host::ui::state::FaceModeKind::Map),
    );
    let sent: Vec<Command> = rx.try_iter().collect();
    let updates: Vec<_> = sent
        .iter()
        .filter_map(|c| match c {
            Command::Update { id, key, value, .. } => {
                Some((id.clone(), key.clone(), value.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        updates,
        [(
            "face_morpher".to_owned(),
            "face_selection".to_owned(),
            SettingValue::Text("map".into())
        )]
    );
    assert!(sent.iter().all(|c| rebuild_profile(c).is_none()));
    // The saved profile is not changed by the mapping (it is the app's choice).
    let morpher = index_of(&state, "face_morpher");
    assert_eq!(
        state.editor.value(morpher, "face_selection"),
        Some(SettingValue::Text("one".into()))
    );
}

#[test]
fn plan_change_tells_live_from_rebuild() {
    let host = host("ui-plan");
    let raw = RawProfile::read(&default_profile()).unwrap();
    let base = Profile::validate(&raw, &default_profile(), &host.plugins, &[]).unwrap();
    let set = |o: &str| {
        let overrides = vec![liveswap_host::profile::parse_override(o).unwrap()];
        Profile::validate(&raw, &default_profile(), &host.plugins, &overrides).unwrap()
    };
    assert_eq!(plan_change(Some(&base), &base, &host.plugins), Change::None);
    assert_eq!(plan_change(None, &base, &host.plugins), Change::Rebuild);
    assert_eq!(
        plan_change(Some(&base), &set("face_morpher.sharpness=2"), &host.plugins),
        Change::Live(vec![(
            "face_morpher".into(),
            "sharpness".into(),
            SettingValue::Float(2.0)
        )])
    );
    assert_eq!(
        plan_change(
            Some(&base),
            &set("face_analyser.det_size=320"),
            &host.plugins
        ),
        Change::Rebuild
    );
    assert_eq!(
        plan_change(
            Some(&base),
            &set("face_morpher.enabled=false"),
            &host.plugins
        ),
        Change::Rebuild
    );
}

fn rgba(handle: &iced::widget::image::Handle) -> (u32, u32, Vec<u8>) {
    match handle {
        iced::widget::image::Handle::Rgba {
            width,
            height,
            pixels,
            ..
        } => (*width, *height, pixels.to_vec()),
        other => panic!("expected RGBA pixels, got {other:?}"),
    }
}

#[test]
fn the_worker_runs_the_pipeline_applies_live_settings_and_supersedes_old_previews() {
    let host = host("ui-worker");
    let worker = Worker::spawn(Arc::clone(&host));
    let raw = RawProfile::read(&default_profile()).unwrap();
    let profile = Profile::validate(&raw, &default_profile(), &host.plugins, &[]).unwrap();
    // A photo without a face: a flat grey picture.
    let blank = temp_dir("ui-worker-blank").join("blank.png");
    image::RgbImage::from_pixel(200, 200, image::Rgb([128, 128, 128]))
        .save(&blank)
        .unwrap();
    let cards = block_on(worker.sources(vec![sample("astronaut.png"), blank]));
    assert!(
        cards
            .iter()
            .all(|c| matches!(c.status, SourceStatus::Pending)),
        "no pipeline yet"
    );
    let built = block_on(worker.rebuild(profile)).unwrap();
    assert_eq!(
        built.stages,
        ["content_guard", "face_analyser", "face_morpher"]
    );
    assert!(matches!(built.sources[0].status, SourceStatus::Face { .. }));
    match &built.sources[1].status {
        SourceStatus::Unusable(why) => assert_eq!(why, "No face found"),
        other => panic!(
            "a flat picture has no face, got {:?}",
            std::mem::discriminant(other)
        ),
    }
    let request = PreviewRequest {
        target: TargetFrame::Image(sample("grace_hopper.jpg")),
        sources: FaceMode::Profile.source_faces(&built.sources),
    };
    assert_eq!(request.sources.len(), 1);
    // Two requests at once: the first is superseded if the worker has not started it.
    let first = worker.preview(request.clone());
    let second = worker.preview(request.clone());
    let second = block_on(second).unwrap();
    match block_on(first) {
        Ok(_) | Err(liveswap_host::ui::UiError::Superseded) => {}
        Err(e) => panic!("{e}"),
    }
    let (w, h, original) = rgba(&second.original);
    let (_, _, swapped) = rgba(&second.result);
    assert_eq!((w, h), (512, 600));
    assert_eq!(
        second.faces.len(),
        1,
        "Grace Hopper's face is offered for mapping"
    );
    let changed = original
        .iter()
        .zip(&swapped)
        .filter(|(a, b)| a != b)
        .count();
    assert!(changed > 5000, "the swap changed {changed} bytes");

    // A live setting reaches the running pipeline: opacity 0 leaves the target as it is.
    block_on(worker.update(
        "face_morpher".into(),
        "opacity".into(),
        SettingValue::Float(0.0),
    ))
    .unwrap();
    let faded = block_on(worker.preview(request)).unwrap();
    assert_eq!(rgba(&faded.result).2, original);
    // A non-live one is refused by the running pipeline (the app rebuilds instead).
    let refused = block_on(worker.update(
        "face_analyser".into(),
        "det_size".into(),
        SettingValue::Int(320),
    ))
    .unwrap_err();
    assert!(
        refused.to_string().contains("cannot change while running"),
        "{refused}"
    );
}

/// The view in the simulator, at a size where every panel fits.
fn sim(state: &State) -> Simulator<'_, Message> {
    Simulator::with_size(iced::Settings::default(), (1400.0, 1600.0), view(state))
}

#[test]
fn headless_view_switch_slider_and_target() {
    let (mut state, rx, _) = running_app("ui-view");
    // Click face_morpher's switch: the view emits the toggle, update rebuilds.
    let messages = {
        let mut ui = sim(&state);
        ui.click(selector::id("switch:face_morpher")).unwrap();
        ui.into_messages().collect::<Vec<_>>()
    };
    assert!(
        matches!(messages.as_slice(), [Message::ProcessorToggled(2, false)]),
        "{messages:?}"
    );
    for m in messages {
        let _ = update(&mut state, m);
    }
    assert!(!state.editor.processors[2].enabled);
    let _ = rx.try_iter().count();

    // Open face_morpher's generated settings panel and move the opacity slider.
    let messages = {
        let mut ui = sim(&state);
        assert!(ui.find("Opacity").is_err(), "panel closed");
        ui.click(selector::id("settings:face_morpher")).unwrap();
        ui.into_messages().collect::<Vec<_>>()
    };
    for m in messages {
        let _ = update(&mut state, m);
    }
    assert_eq!(state.expanded, Some(2));
    let messages = {
        let mut ui = sim(&state);
        ui.find("Opacity")
            .expect("generated from the plugin's label");
        ui.find("Seamless blend")
            .expect("bool settings get a switch");
        let slider = ui
            .find(selector::id("setting:face_morpher:opacity"))
            .unwrap();
        let b = slider.bounds();
        // A quarter of the way along the slider's track.
        ui.point_at(iced::Point::new(b.x + b.width * 0.25, b.y + b.height / 2.0));
        let _ = ui.simulate([
            iced::Event::Mouse(iced::mouse::Event::ButtonPressed(iced::mouse::Button::Left)),
            iced::Event::Mouse(iced::mouse::Event::ButtonReleased(
                iced::mouse::Button::Left,
            )),
        ]);
        ui.into_messages().collect::<Vec<_>>()
    };
    let value = messages.iter().find_map(|m| match m {
        Message::SettingChanged(2, key, SettingValue::Float(v)) if key == "opacity" => Some(*v),
        _ => None,
    });
    let value = value.unwrap_or_else(|| panic!("{messages:?}"));
    assert!((0.05..0.6).contains(&value), "{value}");
    for m in messages {
        let _ = update(&mut state, m);
    }
    let shown = format!("{value:.2}");
    {
        let mut ui = sim(&state);
        ui.find(shown.as_str())
            .expect("the slider's value is shown");
    }

    // Pick a target by typing its path and pressing Open.
    let other = sample("astronaut.png");
    let messages = {
        let mut ui = sim(&state);
        ui.click(selector::id("target-input")).unwrap();
        let _ = ui.typewrite("x");
        ui.click(selector::id("target-open")).unwrap();
        ui.into_messages().collect::<Vec<_>>()
    };
    assert!(
        messages
            .iter()
            .any(|m| matches!(m, Message::TargetInputChanged(t) if t.contains('x'))),
        "{messages:?}"
    );
    assert!(messages.iter().any(|m| matches!(m, Message::TargetOpened)));
    let _ = update(
        &mut state,
        Message::TargetInputChanged(other.display().to_string()),
    );
    let _ = update(&mut state, Message::TargetOpened);
    assert_eq!(state.target, Target::Image(other));
    assert!(
        state.output_input.ends_with("astronaut-swap.png"),
        "{}",
        state.output_input
    );
    let mut ui = sim(&state);
    ui.find("Image: astronaut.png")
        .expect("the view names the new target");
}

#[test]
fn headless_view_says_no_camera_found() {
    let (mut state, _rx, _) = running_app("ui-camera");
    let _ = update(&mut state, Message::CameraChosen);
    let mut ui = sim(&state);
    ui.find("No camera found.")
        .expect("the camera state is explicit");
}

#[test]
fn headless_view_shows_a_source_without_a_face_on_its_card() {
    let (mut state, _rx, _) = running_app("ui-noface");
    let cards = vec![liveswap_host::ui::faces::SourceCard {
        path: sample("astronaut.png"),
        status: SourceStatus::Unusable("No face found".into()),
    }];
    let _ = update(&mut state, Message::SourcesAnalysed(cards));
    let mut ui = sim(&state);
    ui.find("No face found").expect("said on the thumbnail");
}

/// Runs a render to its end and returns the progress seen and the outcome.
fn render_to_end(
    host: Arc<Host>,
    job: liveswap_host::ui::render::RenderJob,
    cancel_after_progress: bool,
) -> (
    Vec<liveswap_host::ui::render::RenderProgress>,
    Result<liveswap_host::ui::render::RenderDone, liveswap_host::ui::UiError>,
) {
    use iced::futures::StreamExt;
    use liveswap_host::ui::render::{RenderEvent, start};
    let cancel = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut events = Box::pin(start(host, job, Arc::clone(&cancel)));
    let mut progress = Vec::new();
    loop {
        match block_on(events.next()).expect("the stream ends with Finished") {
            RenderEvent::Progress(p) => {
                if cancel_after_progress && p.done > 0 {
                    cancel.store(true, std::sync::atomic::Ordering::SeqCst);
                }
                progress.push(p);
            }
            RenderEvent::Finished(result) => return (progress, result),
        }
    }
}

#[test]
fn render_writes_what_liveswap_run_writes_and_a_cancelled_video_leaves_no_file() {
    use liveswap_host::ui::render::RenderJob;
    let host = host("ui-render");
    let raw = RawProfile::read(&default_profile()).unwrap();
    let profile = Profile::validate(&raw, &default_profile(), &host.plugins, &[]).unwrap();
    let worker = Worker::spawn(Arc::clone(&host));
    let cards = block_on(worker.sources(vec![sample("astronaut.png")]));
    assert_eq!(cards.len(), 1);
    let built = block_on(worker.rebuild(profile.clone())).unwrap();
    let sources = FaceMode::Profile.source_faces(&built.sources);
    let dir = temp_dir("ui-render-out");

    // An image: the same bytes as `liveswap run` (same pipeline, same writer).
    let output = dir.join("app.png");
    let job = RenderJob {
        profile: profile.clone(),
        sources: sources.clone(),
        target: sample("grace_hopper.jpg"),
        output: output.clone(),
        inputs: vec![sample("astronaut.png"), default_profile()],
        overwrite: false,
        label: false,
    };
    let (progress, done) = render_to_end(Arc::clone(&host), job.clone(), false);
    let done = done.unwrap();
    assert_eq!((done.frames, done.output.as_path()), (1, output.as_path()));
    assert_eq!(progress.last().map(|p| p.done), Some(1));
    let cli = dir.join("cli.png");
    let plugins = plugin_dir("ui-render-cli");
    let out = liveswap_command()
        .arg("--plugin-dir")
        .arg(&plugins)
        .arg("--models-dir")
        .arg(shared().join("models"))
        .args(["run", "--profile"])
        .arg(default_profile())
        .arg("--source")
        .arg(sample("astronaut.png"))
        .arg("--target")
        .arg(sample("grace_hopper.jpg"))
        .arg("--output")
        .arg(&cli)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        image::open(&output).unwrap().to_rgb8().as_raw(),
        image::open(&cli).unwrap().to_rgb8().as_raw()
    );
    // Rendering again without confirming does not overwrite; the input is never the output.
    let (_, again) = render_to_end(Arc::clone(&host), job.clone(), false);
    assert!(again.unwrap_err().to_string().contains("exists"));
    let onto_input = RenderJob {
        output: sample("astronaut.png"),
        overwrite: true,
        ..job.clone()
    };
    let (_, refused) = render_to_end(Arc::clone(&host), onto_input, false);
    let refused = refused.unwrap_err();
    assert!(
        matches!(&refused, liveswap_host::ui::UiError::Host(_)) && !refused.hint().is_empty(),
        "{refused}"
    );

    // A video cancelled after its first frames: no file, progress with a total.
    let video_out = dir.join("clip.mp4");
    let video = RenderJob {
        target: liveswap_tests::shared_file("media/short_hamilton_clip.mp4"),
        output: video_out.clone(),
        ..job
    };
    let (progress, cancelled) = render_to_end(Arc::clone(&host), video, true);
    assert!(
        matches!(cancelled, Err(liveswap_host::ui::UiError::Cancelled)),
        "{cancelled:?}"
    );
    assert!(progress.iter().any(|p| p.done > 0 && p.total.is_some()));
    assert!(!video_out.exists(), "a cancelled render leaves no file");
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn the_responsible_use_notice_comes_first_and_accepting_records_it() {
    use liveswap_host::responsible::consent::is_recorded;
    let record = temp_dir("ui-terms-record");
    let (mut state, _rx) = app_with_terms("ui-terms", Terms::Pending(Some(record.clone())));
    // Only the notice is shown: no processor switch, no preview, no render.
    {
        let mut ui = sim(&state);
        ui.find("Before you use liveswap").expect("the notice");
        ui.find(liveswap_host::responsible::consent::NOTICE)
            .expect("the notice's text, as the terminal shows it");
        assert!(ui.find(selector::id("switch:face_morpher")).is_err());
    }
    state.output_input = temp_dir("ui-terms-out")
        .join("out.png")
        .display()
        .to_string();
    let _ = update(&mut state, Message::RenderRequested(false));
    assert!(
        !matches!(
            state.render,
            liveswap_host::ui::state::RenderStatus::Running { .. }
        ),
        "no render before the notice is accepted"
    );
    assert!(!is_recorded(&record));

    // "I accept": recorded where the command line looks, and the app appears.
    let messages = {
        let mut ui = sim(&state);
        ui.click(selector::id("terms:accept")).unwrap();
        ui.into_messages().collect::<Vec<_>>()
    };
    assert!(
        matches!(messages.as_slice(), [Message::TermsAccepted]),
        "{messages:?}"
    );
    for m in messages {
        let _ = update(&mut state, m);
    }
    assert_eq!(state.terms, Terms::Accepted);
    assert!(is_recorded(&record), "the acceptance is recorded");
    let mut ui = sim(&state);
    ui.find(selector::id("switch:face_morpher"))
        .expect("the app after accepting");
}

#[test]
fn live_mode_plays_a_file_camera_into_the_window_and_a_recording_until_stop() {
    use iced::futures::StreamExt;
    use liveswap_host::ui::live::{LiveEvent, start};
    use liveswap_host::ui::state::LiveStatus;
    let (mut state, _rx) = app("ui-live-run");
    let dir = temp_dir("ui-live-run-out");
    let cam = super::live::clip(&dir, 150);
    let rec = dir.join("live.mkv");

    // Without a camera target, Start is refused with what to do.
    let _ = update(&mut state, Message::LiveStart);
    match &state.live {
        LiveStatus::Failed(e) => assert!(e.to_string().contains("pick a camera"), "{e}"),
        other => panic!("{other:?}"),
    }
    // `file:VIDEO` in the target field is a camera; switch the recording on.
    let _ = update(
        &mut state,
        Message::TargetInputChanged(format!("file:{}", cam.display())),
    );
    let _ = update(&mut state, Message::TargetOpened);
    assert!(matches!(
        state.target,
        Target::Camera {
            picked: Some(_),
            ..
        }
    ));
    let _ = update(&mut state, Message::LiveSinkToggled(0, true));
    let _ = update(
        &mut state,
        Message::LiveSinkInput(0, rec.display().to_string()),
    );
    let job = state.live_job().unwrap();
    assert_eq!(job.sinks, [format!("record:{}", rec.display())]);

    // The same stream "Start live" runs, driven here; its events go through `update`.
    let (handle, events) = start(state.shared_host(), job);
    let mut events = Box::pin(events);
    state.live = LiveStatus::Running {
        handle,
        frame: None,
        size: (0, 0),
        frames: 0,
        latency_ms: 0.0,
        recent: Default::default(),
    };
    {
        let mut ui = sim(&state);
        ui.find(selector::id("live:stop"))
            .expect("Stop while running");
    }
    loop {
        let event = block_on(events.next()).expect("the stream ends with Ended");
        let ended = matches!(event, LiveEvent::Ended(_));
        let _ = update(&mut state, Message::Live(event));
        if let LiveStatus::Running {
            frames, latency_ms, ..
        } = &state.live
            && *frames == 10
        {
            // The latency the panel shows is the frame's own, measured like the stats.
            assert!(*latency_ms > 0.0 && *latency_ms < 2000.0, "{latency_ms}");
            let shown = {
                let mut ui = sim(&state);
                ui.find(format!(
                    "{:.1} fps, latency {latency_ms:.0} ms (capture → sink), 10 frame(s), 320×180",
                    state.live.fps()
                ))
                .is_ok()
            };
            assert!(shown, "the live line with fps and latency");
            let _ = update(&mut state, Message::LiveStop);
        }
        if ended {
            break;
        }
    }
    let LiveStatus::Ended(stats) = &state.live else {
        panic!("{:?}", state.live);
    };
    assert!(stats.contains("ended: interrupted"), "{stats}");
    // Stopped after about 10 of 150 frames; the recording was finalised and is readable.
    let times = super::live::frame_times(&rec);
    assert!(
        times.len() >= 10 && times.len() < 100,
        "{} frames",
        times.len()
    );
}
