//! What the window shows, drawn from the [`State`] alone (no side effects).
//!
//! Left column: the profile (picker, processors in order with a switch, up/down and a
//! generated settings panel each, missing models, save), the source photos (thumbnails of
//! the face found, or why none), and the target (image or video file with a frame slider,
//! or a camera). Right column: the preview (result, original or both, at its own size when
//! it fits), what the processors reported, errors with what to do, the face mapping, and
//! the render (output, progress with frames, fps and ETA, Cancel).

use super::error::UiError;
use super::faces::{FaceMode, SourceStatus, THUMB_SIZE};
use super::settings_view;
use super::state::{
    FaceModeKind, FetchStatus, LIVE_SINKS, LiveStatus, Message, PipelineStatus, PreviewStatus,
    RenderStatus, Show, State, Target, Terms, file_label,
};
use crate::responsible::consent::NOTICE;
use crate::video::clock;
use iced::widget::{
    button, checkbox, column, container, image, pick_list, progress_bar, radio, row, scrollable,
    slider, text, text_input, toggler,
};
use iced::{Alignment, Color, ContentFit, Element, Length};
use std::path::PathBuf;

/// Id of the container around the preview image (the window test finds it).
pub const PREVIEW_ID: &str = "preview-image";

/// Width of the left column, in logical pixels.
pub const LEFT_WIDTH: f32 = 470.0;

/// Widget id of "Start live".
pub const LIVE_START_ID: &str = "live:start";
/// Widget id of the live "Stop" button.
pub const LIVE_STOP_ID: &str = "live:stop";
/// Widget id of the live picture.
pub const LIVE_PREVIEW_ID: &str = "live:preview";

/// Widget id of the notice's "I accept" button.
pub const TERMS_ACCEPT_ID: &str = "terms:accept";
/// Widget id of the notice's "Quit" button.
pub const TERMS_DECLINE_ID: &str = "terms:decline";

/// Id of the container around processor `id`'s switch.
pub fn switch_id(id: &str) -> String {
    format!("switch:{id}")
}

const ERROR_COLOUR: Color = Color::from_rgb(0.8, 0.1, 0.1);
const NOTE_COLOUR: Color = Color::from_rgb(0.45, 0.45, 0.45);

fn heading(title: &str) -> Element<'_, Message> {
    text(title).size(18).into()
}

fn error_box(error: &UiError) -> Element<'_, Message> {
    let hint = error.hint();
    let mut col = column![text(error.to_string()).color(ERROR_COLOUR).size(14)].spacing(2);
    if !hint.is_empty() {
        col = col.push(text(hint).size(13));
    }
    col.into()
}

/// The whole window.
pub fn view(state: &State) -> Element<'_, Message> {
    if state.terms != Terms::Accepted {
        return terms_view();
    }
    let left = scrollable(
        column![
            profile_panel(state),
            sources_panel(state),
            target_panel(state)
        ]
        .spacing(18)
        .padding(12),
    )
    .width(Length::Fixed(LEFT_WIDTH))
    .height(Length::Fill);
    let right = scrollable(
        column![
            preview_panel(state),
            faces_panel(state),
            render_panel(state),
            live_panel(state)
        ]
        .spacing(18)
        .padding(12),
    )
    .width(Length::Fill)
    .height(Length::Fill);
    row![left, right].into()
}

/// The responsible-use notice, alone in the window until it is accepted (the same text and
/// the same record as the command line's prompt).
fn terms_view<'a>() -> Element<'a, Message> {
    let buttons = row![
        container(button(text("I accept").size(15)).on_press(Message::TermsAccepted))
            .id(TERMS_ACCEPT_ID),
        container(button(text("Quit").size(15)).on_press(Message::TermsDeclined))
            .id(TERMS_DECLINE_ID),
    ]
    .spacing(12);
    container(
        column![
            text("Before you use liveswap").size(22),
            text(NOTICE).size(15),
            buttons,
        ]
        .spacing(18)
        .max_width(760),
    )
    .padding(40)
    .center_x(Length::Fill)
    .into()
}

fn profile_panel(state: &State) -> Element<'_, Message> {
    let choices: Vec<ProfileChoice> = state.shipped.iter().cloned().map(ProfileChoice).collect();
    let current = state
        .editor
        .path
        .clone()
        .filter(|p| state.shipped.contains(p))
        .map(ProfileChoice);
    let picker = pick_list(choices, current, |c: ProfileChoice| {
        Message::ProfilePicked(c.0)
    })
    .placeholder("shipped profiles")
    .text_size(13);
    let open = row![
        text_input("or a profile file…", &state.profile_input)
            .on_input(Message::ProfileInputChanged)
            .on_submit(Message::ProfileOpened)
            .size(13),
        button(text("Open").size(13)).on_press(Message::ProfileOpened),
    ]
    .spacing(6);
    let mut col = column![heading("Profile"), picker, open].spacing(8);
    if let Some(e) = &state.profile_error {
        col = col.push(error_box(e));
    }
    col = col.push(pipeline_line(state));
    if !state.missing.is_empty() {
        col = col.push(missing_models(state));
    }
    for (index, p) in state.editor.processors.iter().enumerate() {
        let name = state
            .host()
            .plugins
            .get(&p.id)
            .map_or_else(|| p.id.clone(), |pl| pl.info.display_name.to_string());
        let switch = container(
            toggler(p.enabled)
                .label(p.id.as_str())
                .on_toggle(move |on| Message::ProcessorToggled(index, on))
                .size(18),
        )
        .id(switch_id(&p.id));
        let last = state.editor.processors.len() - 1;
        let up = button(text("▲").size(12))
            .on_press_maybe((index > 0).then_some(Message::ProcessorMoved(index, -1)));
        let down = button(text("▼").size(12))
            .on_press_maybe((index < last).then_some(Message::ProcessorMoved(index, 1)));
        let open = state.expanded == Some(index);
        let settings = container(
            button(text(if open { "Hide" } else { "Settings" }).size(12))
                .on_press(Message::SettingsExpanded(index)),
        )
        .id(format!("settings:{}", p.id));
        let head = row![
            switch,
            text(name).size(12).color(NOTE_COLOUR).width(Length::Fill),
            up,
            down,
            settings
        ]
        .spacing(6)
        .align_y(Alignment::Center);
        let mut block = column![head].spacing(6);
        if open {
            block = block.push(
                container(settings_view::panel(
                    &state.host().plugins,
                    &state.host().services.models,
                    index,
                    &p.id,
                    &p.settings,
                ))
                .padding([4, 12]),
            );
        }
        col = col.push(block);
    }
    if let Some(e) = &state.setting_error {
        col = col.push(text(e.as_str()).color(ERROR_COLOUR).size(13));
    }
    if !state.editor.processors.is_empty() {
        let save = row![
            text_input("save as…", &state.save_input)
                .on_input(Message::SaveInputChanged)
                .size(13),
            button(text("Save profile").size(13)).on_press(Message::ProfileSaveRequested(false)),
        ]
        .spacing(6);
        col = col.push(save);
        if let Some(status) = &state.save_status {
            let mut line = row![text(status.as_str()).size(13)].spacing(6);
            if status.ends_with("replace it?") {
                line = line.push(
                    button(text("Replace").size(13)).on_press(Message::ProfileSaveRequested(true)),
                );
            }
            col = col.push(line);
        }
    }
    col.into()
}

/// A shipped profile in the picker, shown by file name.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ProfileChoice(PathBuf);

impl std::fmt::Display for ProfileChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", file_label(&self.0))
    }
}

fn pipeline_line(state: &State) -> Element<'_, Message> {
    match &state.pipeline {
        PipelineStatus::NoProfile => text("No profile open.").size(13).into(),
        PipelineStatus::Starting => text("Starting the pipeline (loading models)…")
            .size(13)
            .into(),
        PipelineStatus::Ready(stages) => text(format!(
            "Running: {}",
            if stages.is_empty() {
                "(nothing switched on)".to_owned()
            } else {
                stages.join(" → ")
            }
        ))
        .size(13)
        .color(NOTE_COLOUR)
        .into(),
        PipelineStatus::Failed(e) => error_box(e),
    }
}

fn missing_models(state: &State) -> Element<'_, Message> {
    let ids: Vec<String> = state.missing.iter().map(|m| m.id.clone()).collect();
    let mut col = column![text("Models this profile needs are not installed:").size(14)].spacing(4);
    for m in &state.missing {
        let size = m.size.map_or_else(String::new, |s| {
            format!(", {}", crate::models::progress::human(s))
        });
        col = col.push(text(format!("• {}{size} — licence: {}", m.id, m.licence)).size(12));
    }
    let fetching = matches!(state.fetch, FetchStatus::Fetching(_));
    col = col.push(
        button(text(format!("Fetch {} model(s)", ids.len())).size(13))
            .on_press_maybe((!fetching).then_some(Message::FetchRequested(ids))),
    );
    match &state.fetch {
        FetchStatus::Idle => {}
        FetchStatus::Fetching(line) => col = col.push(text(line.as_str()).size(12)),
        FetchStatus::Failed(e) => col = col.push(error_box(e)),
    }
    container(col)
        .padding(8)
        .style(container::rounded_box)
        .into()
}

fn sources_panel(state: &State) -> Element<'_, Message> {
    let mut cards = row![].spacing(8);
    for (i, card) in state.sources.iter().enumerate() {
        let picture: Element<'_, Message> = match &card.status {
            SourceStatus::Pending => text("analysing…").size(12).into(),
            SourceStatus::Face { thumb, .. } => image(thumb.clone())
                .width(Length::Fixed(THUMB_SIZE as f32))
                .height(Length::Fixed(THUMB_SIZE as f32))
                .into(),
            SourceStatus::Unusable(why) => text(why.as_str()).size(12).color(ERROR_COLOUR).into(),
        };
        let card = column![
            container(picture)
                .width(Length::Fixed(THUMB_SIZE as f32))
                .height(Length::Fixed(THUMB_SIZE as f32))
                .center(Length::Fixed(THUMB_SIZE as f32)),
            text(file_label(&card.path)).size(11),
            button(text("Remove").size(11)).on_press(Message::SourceRemoved(i)),
        ]
        .spacing(2)
        .align_x(Alignment::Center)
        .width(Length::Fixed(THUMB_SIZE as f32 + 8.0));
        cards = cards.push(card);
    }
    let add = row![
        text_input("face photo…", &state.source_input)
            .on_input(Message::SourceInputChanged)
            .on_submit(Message::SourceAdded)
            .size(13),
        button(text("Add").size(13)).on_press(Message::SourceAdded),
    ]
    .spacing(6);
    let mut col = column![heading("Source faces")].spacing(8);
    if state.sources.is_empty() {
        col = col.push(text("Add one or more photos of the face to put in.").size(13));
    } else {
        col = col.push(
            scrollable(cards).direction(scrollable::Direction::Horizontal(
                scrollable::Scrollbar::default(),
            )),
        );
    }
    col.push(add).into()
}

fn target_panel(state: &State) -> Element<'_, Message> {
    let open = row![
        text_input("image or video…", &state.target_input)
            .id("target-input")
            .on_input(Message::TargetInputChanged)
            .on_submit(Message::TargetOpened)
            .size(13),
        container(button(text("Open").size(13)).on_press(Message::TargetOpened)).id("target-open"),
        button(text("Camera").size(13)).on_press(Message::CameraChosen),
    ]
    .spacing(6);
    let mut col = column![heading("Target"), open].spacing(8);
    match &state.target {
        Target::None => col = col.push(text("Pick an image, a video or a camera.").size(13)),
        Target::Image(p) => col = col.push(text(format!("Image: {}", file_label(p))).size(13)),
        Target::Video {
            path,
            frames,
            frame,
        } => {
            col = col.push(text(format!("Video: {}", file_label(path))).size(13));
            match frames {
                Some(n) if *n > 1 => {
                    let last = (n - 1) as f64;
                    col = col.push(
                        row![
                            slider(0.0..=last, *frame as f64, |x| Message::FrameChanged(
                                x.round() as u64
                            ))
                            .step(1.0),
                            text(format!("frame {frame} / {}", n - 1)).size(13),
                        ]
                        .spacing(8)
                        .align_y(Alignment::Center),
                    );
                }
                Some(_) => col = col.push(text("One frame.").size(13)),
                None => col = col.push(text("Reading the video…").size(13)),
            }
        }
        Target::Camera { found, picked } => {
            if found.is_empty() {
                col = col.push(text("No camera found.").size(14).color(ERROR_COLOUR));
                col = col.push(
                    text("Connect a camera (check `liveswap cameras` and the video group), pick an image or video file, or type file:VIDEO to play a video as a camera.")
                        .size(12),
                );
            } else {
                col = col.push(pick_list(
                    found.clone(),
                    picked.clone(),
                    Message::CameraPicked,
                ));
                col = col.push(text("Start it in the Live panel.").size(12));
            }
        }
    }
    col.into()
}

fn preview_panel(state: &State) -> Element<'_, Message> {
    let shows = row![
        radio(
            "Result",
            Show::Result,
            Some(state.show),
            Message::ShowChanged
        )
        .size(14),
        radio(
            "Original",
            Show::Original,
            Some(state.show),
            Message::ShowChanged
        )
        .size(14),
        radio(
            "Side by side",
            Show::Split,
            Some(state.show),
            Message::ShowChanged
        )
        .size(14),
    ]
    .spacing(14);
    let status: Element<'_, Message> = match &state.preview {
        PreviewStatus::Empty => text("No preview yet: pick a target.").size(13).into(),
        PreviewStatus::Computing(_) => text("Updating…").size(13).into(),
        PreviewStatus::Ready(p) => text(format!(
            "{}×{}, processed in {:.0} ms",
            p.size.0,
            p.size.1,
            p.elapsed.as_secs_f64() * 1000.0
        ))
        .size(13)
        .color(NOTE_COLOUR)
        .into(),
        PreviewStatus::Failed(e) => error_box(e),
    };
    let mut col = column![
        row![heading("Preview"), shows]
            .spacing(20)
            .align_y(Alignment::Center),
        status
    ]
    .spacing(8);
    if let LiveStatus::Running { frame, .. } = &state.live {
        // Live: the newest processed camera frame replaces the still preview.
        let shown: Element<'_, Message> = match frame {
            Some(h) => image(h.clone()).content_fit(ContentFit::ScaleDown).into(),
            None => text("Live: starting (loading models, opening the camera)…")
                .size(13)
                .into(),
        };
        return col.push(container(shown).id(LIVE_PREVIEW_ID)).into();
    }
    if let Some(p) = state.preview.image() {
        let pic = |h: &iced::widget::image::Handle| {
            image(h.clone())
                .content_fit(ContentFit::ScaleDown)
                .filter_method(image::FilterMethod::Nearest)
        };
        let shown: Element<'_, Message> = match state.show {
            Show::Result => pic(&p.result).into(),
            Show::Original => pic(&p.original).into(),
            Show::Split => row![pic(&p.original), pic(&p.result)].spacing(4).into(),
        };
        col = col.push(container(shown).id(PREVIEW_ID));
        for note in &p.notes {
            col = col.push(text(note.as_str()).size(12).color(NOTE_COLOUR));
        }
    }
    col.into()
}

/// Live mode: Start/Stop, mirror, the sinks besides the window, fps while running, the
/// run's numbers when it ends.
fn live_panel(state: &State) -> Element<'_, Message> {
    let running = matches!(state.live, LiveStatus::Running { .. });
    let is_camera = matches!(
        state.target,
        Target::Camera {
            picked: Some(_),
            ..
        }
    );
    let start = if running {
        container(button(text("Stop").size(13)).on_press(Message::LiveStop)).id(LIVE_STOP_ID)
    } else {
        container(
            button(text("Start live").size(13))
                .on_press_maybe(is_camera.then_some(Message::LiveStart)),
        )
        .id(LIVE_START_ID)
    };
    let mut col = column![
        heading("Live"),
        row![
            start,
            toggler(state.live_mirror)
                .label("Mirror")
                .on_toggle_maybe((!running).then_some(Message::LiveMirrorToggled))
                .size(16),
        ]
        .spacing(14)
        .align_y(Alignment::Center),
    ]
    .spacing(8);
    for (k, ((label, _, _), (on, value))) in LIVE_SINKS.iter().zip(&state.live_sinks).enumerate() {
        col = col.push(
            row![
                toggler(*on)
                    .label(*label)
                    .on_toggle_maybe((!running).then_some(move |v| Message::LiveSinkToggled(k, v)))
                    .size(16)
                    .width(Length::Fixed(170.0)),
                text_input("", value)
                    .on_input_maybe((!running).then_some(move |v| Message::LiveSinkInput(k, v)))
                    .size(13),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
        );
    }
    match &state.live {
        LiveStatus::Idle if !is_camera => {
            col = col.push(
                text("Pick a camera as the target (or type file:VIDEO there) to go live.")
                    .size(13)
                    .color(NOTE_COLOUR),
            );
        }
        LiveStatus::Idle => {}
        LiveStatus::Running {
            frames,
            size,
            latency_ms,
            ..
        } => {
            col = col.push(
                text(format!(
                    "{:.1} fps, latency {latency_ms:.0} ms (capture → sink), {frames} frame(s), {}×{}",
                    state.live.fps(),
                    size.0,
                    size.1
                ))
                .size(13),
            );
        }
        LiveStatus::Ended(stats) => col = col.push(text(stats.as_str()).size(12)),
        LiveStatus::Failed(e) => col = col.push(error_box(e)),
    }
    col.into()
}

fn faces_panel(state: &State) -> Element<'_, Message> {
    let kind = match state.face_mode {
        FaceMode::Profile => FaceModeKind::Profile,
        FaceMode::Map(_) => FaceModeKind::Map,
        FaceMode::Reference(_) => FaceModeKind::Reference,
    };
    let modes = row![
        radio(
            "As the profile says",
            FaceModeKind::Profile,
            Some(kind),
            Message::FaceModeChanged
        )
        .size(14),
        radio(
            "Map faces",
            FaceModeKind::Map,
            Some(kind),
            Message::FaceModeChanged
        )
        .size(14),
        radio(
            "Only one person",
            FaceModeKind::Reference,
            Some(kind),
            Message::FaceModeChanged
        )
        .size(14),
    ]
    .spacing(14);
    let mut col = column![heading("Faces"), modes].spacing(8);
    let faces = state
        .preview
        .image()
        .map(|p| p.faces.as_slice())
        .unwrap_or(&[]);
    if kind == FaceModeKind::Profile {
        return col.into();
    }
    if faces.is_empty() {
        return col
            .push(text("No faces found in the target frame.").size(13))
            .into();
    }
    let mut options = vec![SourceOption(None)];
    options.extend((0..state.sources.len()).map(|i| SourceOption(Some(i))));
    let mut cards = row![].spacing(10);
    for (k, person) in faces.iter().enumerate() {
        let control: Element<'_, Message> = match &state.face_mode {
            FaceMode::Map(pairs) => {
                let current = pairs
                    .iter()
                    .find(|(p, _)| p.label == person.label)
                    .map(|(_, s)| *s);
                pick_list(
                    options.clone(),
                    Some(SourceOption(current)),
                    move |o: SourceOption| Message::FaceAssigned(k, o.0),
                )
                .text_size(12)
                .into()
            }
            FaceMode::Reference(people) => {
                let on = people.iter().any(|p| p.label == person.label);
                checkbox(on)
                    .label("only this person")
                    .on_toggle(move |b| Message::ReferenceToggled(k, b))
                    .size(14)
                    .text_size(12)
                    .into()
            }
            FaceMode::Profile => text("").into(),
        };
        cards = cards.push(
            column![
                image(person.thumb.clone())
                    .width(Length::Fixed(THUMB_SIZE as f32))
                    .height(Length::Fixed(THUMB_SIZE as f32)),
                text(format!("face {}", k + 1)).size(11),
                control
            ]
            .spacing(4)
            .align_x(Alignment::Center),
        );
    }
    col = col.push(
        scrollable(cards).direction(scrollable::Direction::Horizontal(
            scrollable::Scrollbar::default(),
        )),
    );
    col.into()
}

/// A map-mode choice: a source by index, or leave the face as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SourceOption(Option<usize>);

impl std::fmt::Display for SourceOption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            None => write!(f, "leave as is"),
            Some(i) => write!(f, "source {}", i + 1),
        }
    }
}

fn render_panel(state: &State) -> Element<'_, Message> {
    let running = matches!(state.render, RenderStatus::Running { .. });
    let can_render = state.target.path().is_some() && !running;
    let line = row![
        text_input("output file…", &state.output_input)
            .on_input(Message::OutputInputChanged)
            .size(13),
        button(text("Render").size(13))
            .on_press_maybe(can_render.then_some(Message::RenderRequested(false))),
    ]
    .spacing(6);
    let mut col = column![heading("Render"), line].spacing(8);
    match &state.render {
        RenderStatus::Idle => {}
        RenderStatus::Confirm(path) => {
            col = col.push(
                row![
                    text(format!("{} exists.", path.display())).size(13),
                    button(text("Overwrite").size(13)).on_press(Message::RenderRequested(true)),
                    button(text("Keep it").size(13)).on_press(Message::RenderDeclined),
                ]
                .spacing(8)
                .align_y(Alignment::Center),
            );
        }
        RenderStatus::Running { progress, .. } => {
            let (fraction, label) = match progress {
                None => (0.0, "starting (loading models)…".to_owned()),
                Some(p) => {
                    let total = p
                        .total
                        .map_or_else(|| "?".into(), |t| t.max(p.done).to_string());
                    let eta = p.eta_s.map_or_else(|| "?".into(), clock);
                    let fraction = p
                        .total
                        .filter(|&t| t > 0)
                        .map_or(0.0, |t| (p.done as f32 / t as f32).min(1.0));
                    (
                        fraction,
                        format!("{}/{total} frames, {:.1} fps, ETA {eta}", p.done, p.fps),
                    )
                }
            };
            col = col.push(progress_bar(0.0..=1.0, fraction));
            col = col.push(
                row![
                    text(label).size(13).width(Length::Fill),
                    button(text("Cancel").size(13)).on_press(Message::RenderCancelled),
                ]
                .spacing(8)
                .align_y(Alignment::Center),
            );
        }
        RenderStatus::Done(done) => {
            col = col.push(
                text(format!(
                    "Wrote {} ({} frame(s) in {:.1} s).",
                    done.output.display(),
                    done.frames,
                    done.elapsed.as_secs_f64()
                ))
                .size(13),
            );
            for note in &done.notes {
                col = col.push(text(note.as_str()).size(12).color(ERROR_COLOUR));
            }
        }
        RenderStatus::Failed(e) => col = col.push(error_box(e)),
    }
    col.into()
}
