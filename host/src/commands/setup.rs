//! What every command needs first: loaded plugins and host services.

use super::error::CommandError;
use crate::cli::GlobalArgs;
use crate::inference::{CpuTuning, ProviderChoice};
use crate::models::ModelStore;
use crate::pipeline::{InferenceOptions, Services};
use crate::plugins::{PluginSet, SearchPath};
use crate::profile::{Override, RawProfile, parse_override};
use std::path::Path;
use std::sync::Arc;

/// Loaded plugins plus services.
#[derive(Debug)]
pub struct Host {
    /// Plugins that loaded, and the failures.
    pub plugins: PluginSet,
    /// Search places used.
    pub search: Vec<SearchPath>,
    /// Services for pipelines.
    pub services: Arc<Services>,
}

impl Host {
    /// Loads plugins from the standard places plus `--plugin-dir`s, and prepares services.
    pub fn start(global: &GlobalArgs) -> Result<Self, CommandError> {
        Self::start_with(global, None)
    }

    /// Like [`Host::start`] for a command that runs `profile`: its `execution_provider` key is
    /// used when `--execution-provider` is not given. (A profile that cannot be read is left to
    /// the command, which reports it with its location.)
    /// `profile` is what `--profile` gave (a file or a built-in name; `None`: the default).
    pub fn start_with_profile(
        global: &GlobalArgs,
        profile: Option<&Path>,
    ) -> Result<Self, CommandError> {
        let wanted = RawProfile::resolve(profile)
            .ok()
            .and_then(|p| p.raw.execution_provider.map(|name| (name, p.path)))
            .map(|(name, path)| {
                name.parse::<ProviderChoice>()
                    .map_err(|e| CommandError::BadProvider(format!("{}: {e}", path.display())))
            })
            .transpose()?;
        Self::start_with(global, wanted)
    }

    fn start_with(
        global: &GlobalArgs,
        profile_provider: Option<ProviderChoice>,
    ) -> Result<Self, CommandError> {
        let search = SearchPath::from_env(&global.plugin_dirs);
        let plugins = PluginSet::load(&search);
        for failure in &plugins.failures {
            tracing::warn!("plugin not loaded: {}", failure.error);
        }
        let models = ModelStore::from_cli(global.models_dir.clone())?;
        let options = inference_options(global, &models, profile_provider);
        Ok(Self {
            plugins,
            search,
            services: Arc::new(Services::new(options, models)),
        })
    }

    /// Fails with a helpful message when plugin `id` did not load.
    pub fn require(&self, id: &str) -> Result<(), CommandError> {
        if self.plugins.get(id).is_some() {
            return Ok(());
        }
        let why = self
            .plugins
            .failures
            .iter()
            .find(|f| {
                crate::plugins::discovery::plugin_id_from_file(&f.path).as_deref() == Some(id)
            })
            .map(|f| f.error.to_string())
            .unwrap_or_else(|| {
                let dirs: Vec<String> = self
                    .search
                    .iter()
                    .map(|s| s.dir().display().to_string())
                    .collect();
                format!(
                    "not found in {} (build the workspace, or pass --plugin-dir)",
                    dirs.join(", ")
                )
            });
        Err(CommandError::PluginMissing { id: id.into(), why })
    }
}

/// The inference options the global flags describe: `--execution-provider` (else the profile's
/// choice, else `auto`), `--execution-threads`, `--device-id`, `--ort-lib`, and the engine cache
/// under the models dir.
pub fn inference_options(
    global: &GlobalArgs,
    models: &ModelStore,
    profile_provider: Option<ProviderChoice>,
) -> InferenceOptions {
    InferenceOptions {
        ort_lib: global.ort_lib.clone(),
        // A named provider on the command line is strict unless --provider-fallback; a
        // profile's is a preference (profiles travel between machines).
        provider: match global.execution_provider {
            Some(p) if global.provider_fallback => p.with_fallback(),
            Some(p) => p,
            None => profile_provider
                .map(ProviderChoice::with_fallback)
                .unwrap_or_default(),
        },
        intra_threads: global.execution_threads,
        device_id: global.device_id,
        cache_dir: models.install_dir().map(|d| d.join(".cache")),
        cpu: cpu_tuning(global),
    }
}

/// The CPU session options: the measured defaults, changed by the global flags.
pub fn cpu_tuning(global: &GlobalArgs) -> CpuTuning {
    let d = CpuTuning::default();
    CpuTuning {
        graph: global.graph_optimization.unwrap_or(d.graph),
        spinning: global.ort_spinning.map_or(d.spinning, |s| s.0),
        arena: global.ort_arena.map_or(d.arena, |s| s.0),
        pinning: global.ort_pinning.map_or(d.pinning, |s| s.0),
    }
}

/// Parses every `--set`.
pub fn parse_overrides(set: &[String]) -> Result<Vec<Override>, CommandError> {
    set.iter()
        .map(|s| parse_override(s).map_err(CommandError::BadOverride))
        .collect()
}
