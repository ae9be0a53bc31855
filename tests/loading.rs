//! The real plugin libraries, loaded through the host's loader.

use liveswap_host::plugins::{PluginSet, SearchPath};
use liveswap_tests::real_plugin_dir;

#[test]
fn real_plugins_load_from_a_plugin_dir() {
    let dir = real_plugin_dir("loading-real");
    let set = PluginSet::load(&[SearchPath::Cli(dir.clone())]);
    assert!(set.failures.is_empty(), "{:?}", set.failures);
    let ids: Vec<&str> = set.plugins.iter().map(|p| p.id()).collect();
    assert_eq!(ids, ["face_analyser", "face_debugger"]);
    let analyser = set.get("face_analyser").unwrap();
    assert_eq!(
        analyser.info.sdk_version.as_str(),
        liveswap_sdk::SDK_VERSION
    );
    assert!(
        analyser
            .info
            .settings
            .iter()
            .any(|s| s.key.as_str() == "detector_model")
    );
    assert!(analyser.path.starts_with(&dir));
}

#[test]
fn live_settings_change_between_frames_and_others_are_refused() {
    use liveswap_host::media::load_rgb;
    use liveswap_host::models::ModelStore;
    use liveswap_host::pipeline::{Pipeline, PipelineError, Services};
    use liveswap_host::profile::{Profile, RawProfile};
    use liveswap_sdk::SettingValue;
    use liveswap_tests::{ort_library, shared, shared_file};
    use std::sync::Arc;

    let plugins = PluginSet::load(&[SearchPath::Cli(real_plugin_dir("loading-live"))]);
    let text = "schema_version = 1\n[[processors]]\nid = \"face_analyser\"\n[processors.settings]\nrecognizer_model = \"\"\nlandmark_model = \"\"\n[[processors]]\nid = \"face_debugger\"\n[processors.settings]\ncolor = \"red\"\nscores = false\n";
    let raw = RawProfile::parse(text, std::path::Path::new("live.toml")).unwrap();
    let profile =
        Profile::validate(&raw, std::path::Path::new("live.toml"), &plugins, &[]).unwrap();
    let services = Arc::new(Services::cpu(
        Some(ort_library()),
        ModelStore::new(vec![shared().join("models")]).unwrap(),
    ));
    let mut pipeline = Pipeline::build(&profile, &plugins, &services).unwrap();
    let original = load_rgb(&shared_file("media/astronaut.png")).unwrap();
    let count = |img: &liveswap_sdk::OwnedImage, rgb: [u8; 3]| {
        img.data.chunks_exact(3).filter(|p| *p == rgb).count()
    };

    let mut first = original.clone();
    pipeline.process(&mut first, 0, 0, &[]);
    let red = [230, 0, 0];
    let blue = [0, 90, 255];
    assert!(count(&first, red) > 300, "red overlay drawn");

    pipeline
        .update_setting("face_debugger", "color", SettingValue::Text("blue".into()))
        .unwrap();
    let mut second = original.clone();
    pipeline.process(&mut second, 1, 33_333, &[]);
    assert!(
        count(&second, blue) > 300,
        "blue overlay after the live change"
    );
    assert!(count(&second, red) < count(&first, red) / 10, "red is gone");

    // Not live, out of range, wrong type, unknown: refused before the plugin sees them.
    for (id, key, value, needle) in [
        (
            "face_analyser",
            "det_size",
            SettingValue::Int(320),
            "cannot change while running",
        ),
        (
            "face_debugger",
            "thickness",
            SettingValue::Int(0),
            "below the minimum 1",
        ),
        (
            "face_debugger",
            "thickness",
            SettingValue::Text("3".into()),
            "expected a value of type integer",
        ),
        (
            "face_debugger",
            "nope",
            SettingValue::Bool(true),
            "unknown setting",
        ),
    ] {
        let err = pipeline.update_setting(id, key, value).unwrap_err();
        assert!(matches!(err, PipelineError::Setting { .. }), "{err}");
        assert!(err.to_string().contains(needle), "{err}");
    }
    // A live analyser setting goes through to the plugin: a threshold of 0.99 finds nothing;
    // with tracking on, the face of the frames before is bridged for a frame ...
    pipeline
        .update_setting("face_analyser", "det_threshold", SettingValue::Float(0.99))
        .unwrap();
    let mut third = original.clone();
    let report = pipeline.process(&mut third, 2, 66_666, &[]);
    assert_eq!(report.faces.len(), 1, "the tracked face is bridged");
    assert_eq!(report.faces[0].track_id.into_option(), Some(0));
    // ... and with tracking switched off (live), nothing is reported or drawn.
    pipeline
        .update_setting("face_analyser", "tracking", SettingValue::Bool(false))
        .unwrap();
    let mut fourth = original.clone();
    let report = pipeline.process(&mut fourth, 3, 99_999, &[]);
    assert!(report.faces.is_empty());
    assert_eq!(fourth, original, "nothing drawn without faces");
}
