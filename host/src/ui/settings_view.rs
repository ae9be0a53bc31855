//! Settings panels generated from a plugin's own setting descriptors.
//!
//! Where: the profile panel shows one of these under a processor when its "Settings"
//! button is pressed. Each [`SettingSpec`] becomes a control by its kind, with the range,
//! choices and default the plugin declared: Bool → switch, Int/Float with both bounds →
//! slider (step 1 for integers, 1/100 of the range for floats), Int/Float without bounds
//! and Text → text field, Choice → pick list, Model → pick list of the manifest models of
//! the slot's role (marked when not installed) with a Fetch button for a missing one.
//! A kind this build does not know (a newer sdk) is shown read-only. Nothing here names a
//! processor or a setting: a third-party plugin's settings appear the same way.

use super::models::{ModelChoice, choices};
use super::state::Message;
use crate::models::ModelStore;
use crate::plugins::PluginSet;
use abi_stable::std_types::ROption;
use iced::widget::{button, column, pick_list, row, slider, text, text_input, toggler, tooltip};
use iced::{Alignment, Element, Length};
use liveswap_sdk::{SettingKind, SettingSpec, SettingValue, Settings};

/// Width of the label column.
const LABEL_WIDTH: f32 = 130.0;

/// The settings panel of processor `index` (plugin `id`) with its current values.
pub fn panel<'a>(
    plugins: &'a PluginSet,
    store: &'a ModelStore,
    index: usize,
    id: &'a str,
    values: &'a Settings,
) -> Element<'a, Message> {
    let Some(plugin) = plugins.get(id) else {
        return text(format!("{id}: plugin not loaded")).into();
    };
    if plugin.info.settings.is_empty() {
        return text("No settings.").size(13).into();
    }
    let rows = plugin.info.settings.iter().map(|spec| {
        let value = values
            .get(spec.key.as_str())
            .or_else(|| spec.default_value().ok());
        let live = if spec.live { "" } else { " ·" };
        let label = tooltip(
            text(format!("{}{live}", label_of(spec)))
                .size(13)
                .width(Length::Fixed(LABEL_WIDTH)),
            container_text(tip(spec)),
            tooltip::Position::Bottom,
        );
        let control = iced::widget::container(control(plugins, store, index, id, spec, value))
            .id(format!("setting:{id}:{}", spec.key));
        row![label, control]
            .spacing(8)
            .align_y(Alignment::Center)
            .into()
    });
    column(rows)
        .push(text("· restarts the pipeline when changed").size(11))
        .spacing(6)
        .into()
}

fn label_of(spec: &SettingSpec) -> String {
    if spec.label.is_empty() {
        spec.key.to_string()
    } else {
        spec.label.to_string()
    }
}

fn tip(spec: &SettingSpec) -> String {
    let live = if spec.live {
        "applies at once"
    } else {
        "restarts the pipeline"
    };
    let default = spec
        .default_value()
        .map_or_else(|_| "?".to_owned(), |v| v.to_string());
    format!("{} ({}, default {default}; {live})", spec.help, spec.key)
}

fn container_text<'a>(s: String) -> Element<'a, Message> {
    iced::widget::container(text(s).size(12))
        .padding(6)
        .max_width(360)
        .style(iced::widget::container::rounded_box)
        .into()
}

fn bounds(spec: &SettingSpec) -> Option<(f64, f64)> {
    match (spec.min, spec.max) {
        (ROption::RSome(a), ROption::RSome(b)) if a < b => Some((a, b)),
        _ => None,
    }
}

/// The control for one setting.
fn control<'a>(
    plugins: &'a PluginSet,
    store: &'a ModelStore,
    index: usize,
    id: &'a str,
    spec: &'a SettingSpec,
    value: Option<SettingValue>,
) -> Element<'a, Message> {
    let Some(value) = value else {
        return text("(a value this build cannot read)").size(13).into();
    };
    let key = spec.key.to_string();
    let key2 = key.clone();
    let change = move |v: SettingValue| Message::SettingChanged(index, key.clone(), v);
    // Kinds added by a later sdk (SettingKind is an open set of codes) end in the last arm.
    match (spec.kind, &value) {
        (SettingKind::BOOL, SettingValue::Bool(on)) => toggler(*on)
            .on_toggle(move |b| change(SettingValue::Bool(b)))
            .into(),
        (SettingKind::INT, SettingValue::Int(v)) => match bounds(spec) {
            Some((lo, hi)) => number_slider(lo, hi, 1.0, *v as f64, v.to_string(), move |x| {
                change(SettingValue::Int(x.round() as i64))
            }),
            None => text_input("", &v.to_string())
                .on_input(move |t| match t.trim().parse::<i64>() {
                    Ok(n) => change(SettingValue::Int(n)),
                    Err(_) => {
                        Message::SettingRefused(format!("{key2}: `{t}` is not a whole number"))
                    }
                })
                .width(Length::Fixed(120.0))
                .into(),
        },
        (SettingKind::FLOAT, SettingValue::Float(v)) => match bounds(spec) {
            Some((lo, hi)) => {
                let step = (hi - lo) / 100.0;
                number_slider(lo, hi, step, *v, format!("{v:.2}"), move |x| {
                    // Snap to the step grid so values stay readable in saved profiles.
                    let snapped = lo + ((x - lo) / step).round() * step;
                    change(SettingValue::Float((snapped * 1e6).round() / 1e6))
                })
            }
            None => text_input("", &v.to_string())
                .on_input(move |t| match t.trim().parse::<f64>() {
                    Ok(n) => change(SettingValue::Float(n)),
                    Err(_) => Message::SettingRefused(format!("{key2}: `{t}` is not a number")),
                })
                .width(Length::Fixed(120.0))
                .into(),
        },
        (SettingKind::CHOICE, SettingValue::Text(current)) => {
            let options: Vec<String> = spec.choices.iter().map(|c| c.to_string()).collect();
            pick_list(options, Some(current.to_string()), move |c: String| {
                change(SettingValue::Text(c.as_str().into()))
            })
            .text_size(13)
            .into()
        }
        (SettingKind::TEXT, SettingValue::Text(current)) => text_input("", current.as_str())
            .on_input(move |t| change(SettingValue::Text(t.as_str().into())))
            .size(13)
            .into(),
        (SettingKind::MODEL, SettingValue::Text(current)) => {
            model_picker(plugins, store, id, spec, current.as_str(), change)
        }
        _ => text(format!("{value} (not editable here)")).size(13).into(),
    }
}

fn number_slider<'a>(
    lo: f64,
    hi: f64,
    step: f64,
    value: f64,
    shown: String,
    on_change: impl Fn(f64) -> Message + 'a,
) -> Element<'a, Message> {
    row![
        slider(lo..=hi, value.clamp(lo, hi), on_change)
            .step(step)
            .width(Length::Fixed(150.0)),
        text(shown).size(13),
    ]
    .spacing(8)
    .align_y(Alignment::Center)
    .into()
}

fn model_picker<'a>(
    plugins: &'a PluginSet,
    store: &'a ModelStore,
    id: &'a str,
    spec: &'a SettingSpec,
    current: &str,
    change: impl Fn(SettingValue) -> Message + 'a,
) -> Element<'a, Message> {
    let mut options = choices(plugins, store, id, spec.key.as_str());
    let optional = plugins.get(id).is_some_and(|p| {
        p.info
            .models
            .iter()
            .any(|s| s.setting == spec.key && s.optional)
    });
    if optional {
        options.insert(
            0,
            ModelChoice {
                id: String::new(),
                installed: true,
            },
        );
    }
    // A path (the user's own file) is kept as a choice of its own.
    if !options.iter().any(|c| c.id == current) {
        options.push(ModelChoice {
            id: current.to_owned(),
            installed: std::path::Path::new(current).is_file(),
        });
    }
    let selected = options.iter().find(|c| c.id == current).cloned();
    let missing = selected
        .as_ref()
        .filter(|c| !c.installed)
        .map(|c| c.id.clone());
    let picker = pick_list(options, selected, move |c: ModelChoice| {
        change(SettingValue::Text(c.id.as_str().into()))
    })
    .placeholder("(none)")
    .text_size(13);
    match missing {
        Some(model) if store.manifest().get(&model).is_some() => row![
            picker,
            button(text("Fetch").size(13)).on_press(Message::FetchRequested(vec![model])),
        ]
        .spacing(6)
        .into(),
        _ => picker.into(),
    }
}
