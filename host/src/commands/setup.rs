//! What every command needs first: loaded plugins and host services.

use super::error::CommandError;
use crate::cli::GlobalArgs;
use crate::inference::{ExecutionProvider, ParseProviderError};
use crate::models::ModelStore;
use crate::pipeline::{InferenceOptions, Services};
use crate::plugins::{PluginSet, SearchPath};
use crate::profile::{Override, parse_override};
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
        let search = SearchPath::from_env(&global.plugin_dirs);
        let plugins = PluginSet::load(&search);
        for failure in &plugins.failures {
            tracing::warn!("plugin not loaded: {}", failure.error);
        }
        let provider: ExecutionProvider = global
            .execution_provider
            .parse()
            .map_err(|e: ParseProviderError| CommandError::BadProvider(e.to_string()))?;
        let options = InferenceOptions {
            ort_lib: global.ort_lib.clone(),
            provider,
            intra_threads: global.execution_threads,
        };
        let models = ModelStore::from_cli(global.models_dir.clone())?;
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

/// Parses every `--set`.
pub fn parse_overrides(set: &[String]) -> Result<Vec<Override>, CommandError> {
    set.iter()
        .map(|s| parse_override(s).map_err(CommandError::BadOverride))
        .collect()
}
