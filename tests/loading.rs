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
    assert_eq!(analyser.info.sdk_version.as_str(), liveswap_sdk::SDK_VERSION);
    assert!(analyser.info.settings.iter().any(|s| s.key.as_str() == "detector_model"));
    assert!(analyser.path.starts_with(&dir));
}
