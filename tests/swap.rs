//! face_swapper (inswapper_128 path), swapkit's selection and paste-back, and the host's
//! source roles, `--map`, `--report` and embedding-space validation.
//!
//! | module | what |
//! |---|---|
//! | `parity` | step by step and through the real plugin against insightface's INSwapper on the stand-in model (`../shared/reference`) |
//! | `e2e` | the `liveswap` binary with small generated models of inswapper's exact signature |
//! | `errors` | no face in a source, missing model, wrong embedding space |
//! | `models` | the generated models |

mod e2e;
mod errors;
pub mod models;
mod parity;

use liveswap_host::media::load_rgb;
use liveswap_host::models::ModelStore;
use liveswap_host::pipeline::{Pipeline, Services};
use liveswap_host::plugins::{PluginSet, SearchPath};
use liveswap_host::profile::{Profile, RawProfile};
use liveswap_sdk::OwnedImage;
use liveswap_tests::{
    built_library, install_as_plugin, liveswap_command, ort_library, real_plugin_dir, shared,
    workspace,
};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;

/// The real analyser and swapper libraries, loaded through the host loader.
pub struct Rig {
    plugins: PluginSet,
    services: Arc<Services>,
    dir: PathBuf,
}

impl Rig {
    pub fn new(name: &str) -> Self {
        let dir = real_plugin_dir(name);
        install_as_plugin(
            &built_library("liveswap_face_swapper"),
            &dir,
            "face_swapper",
        );
        // Shipped profiles start with the content guard.
        install_as_plugin(
            &built_library("liveswap_content_guard"),
            &dir,
            "content_guard",
        );
        let plugins = PluginSet::load(&[SearchPath::Cli(dir.clone())]);
        assert!(plugins.failures.is_empty(), "{:?}", plugins.failures);
        let store = ModelStore::new(vec![shared().join("models")]).unwrap();
        let services = Arc::new(Services::cpu(Some(ort_library()), store));
        Self {
            plugins,
            services,
            dir,
        }
    }

    /// Validates profile text (written next to the plugins).
    pub fn profile(&self, text: &str) -> Result<Profile, liveswap_host::profile::ProfileError> {
        let path = self.dir.join("profile.toml");
        std::fs::write(&path, text).unwrap();
        let raw = RawProfile::parse(text, &path)?;
        Profile::validate(&raw, &path, &self.plugins, &[])
    }

    pub fn pipeline(&self, profile: &Profile) -> Pipeline {
        Pipeline::build(profile, &self.plugins, &self.services).unwrap()
    }
}

/// An analyser (defaults: det_500m, w600k_mbf, 2d106det) then a face_swapper with `swapper`
/// settings (TOML lines).
pub fn swap_profile(swapper: &str) -> String {
    format!(
        "schema_version = 1\n[[processors]]\nid = \"face_analyser\"\n[[processors]]\nid = \"face_swapper\"\n[processors.settings]\n{swapper}\n"
    )
}

/// Runs `liveswap` like a user (models from ../shared/models, plugins beside the binary).
pub fn liveswap(args: &[&str]) -> Output {
    liveswap_command()
        .args(args)
        .current_dir(workspace())
        .env("ORT_DYLIB_PATH", ort_library())
        .env("LIVESWAP_MODELS_DIR", shared().join("models"))
        .env_remove("LIVESWAP_PLUGIN_PATH")
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

/// stdout and stderr as text.
pub fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A file under `../shared/media`.
pub fn media(name: &str) -> PathBuf {
    liveswap_tests::shared_file(&format!("media/{name}"))
}

pub fn load(path: &Path) -> OwnedImage {
    load_rgb(path).unwrap()
}

/// `(max level difference, fraction of values that differ)` of two equal-size RGB8 buffers.
pub fn diff(a: &[u8], b: &[u8]) -> (u8, f64) {
    assert_eq!(a.len(), b.len(), "sizes differ");
    let mut max = 0u8;
    let mut n = 0usize;
    for (x, y) in a.iter().zip(b) {
        let d = x.abs_diff(*y);
        max = max.max(d);
        n += usize::from(d > 0);
    }
    (max, n as f64 / a.len().max(1) as f64)
}
