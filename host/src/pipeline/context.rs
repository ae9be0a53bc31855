//! The [`HostCtx`] implementation handed to each processor instance.

use super::services::Services;
use crate::models::ModelError;
use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{RArc, RErr, ROk, RResult, RStr};
use liveswap_sdk::{
    HostBox, HostCtx, HostCtx_TO, LogLevel, ModelBox, ModelRequest, SdkError, codes,
};
use std::sync::Arc;

/// One processor's view of the host.
#[derive(Clone)]
pub(super) struct PluginHost {
    plugin_id: Arc<str>,
    services: Arc<Services>,
}

impl PluginHost {
    /// The ABI object for processor `plugin_id`.
    pub(super) fn boxed(plugin_id: &str, services: Arc<Services>) -> HostBox {
        HostCtx_TO::from_ptr(
            RArc::new(Self {
                plugin_id: plugin_id.into(),
                services,
            }),
            TD_Opaque,
        )
    }
}

fn model_error(setting: &str, e: &ModelError) -> SdkError {
    let help = match e {
        ModelError::NotInstalled { .. } => {
            "install it with `liveswap models fetch` (the default pack: `liveswap models fetch \
             --pack default`), or pass --models-dir"
        }
        ModelError::DigestMismatch { .. } => {
            "the file is corrupt or a different model: `liveswap models fetch <id>` replaces it"
        }
        _ => "use a model id from `liveswap models list` or a path to an .onnx file",
    };
    SdkError::new(codes::MODEL, format!("{setting}: {e}")).with_help(help)
}

impl HostCtx for PluginHost {
    fn open_model(&self, request: ModelRequest) -> RResult<ModelBox, SdkError> {
        let setting = format!("{}.{}", self.plugin_id, request.setting);
        let resolved = match self.services.models.resolve(request.reference.as_str()) {
            Ok(r) => r,
            Err(e) => return RErr(model_error(&setting, &e)),
        };
        // Both signature checks (processor and manifest) happen here, before any frame.
        let opened = self
            .services
            .inference()
            .and_then(|svc| resolved.open(&svc, &request.signature, &setting));
        match opened {
            Ok(model) => {
                tracing::debug!(plugin = %self.plugin_id, model = %resolved.id, path = %resolved.path.display(), "model opened");
                ROk(model.into_abi())
            }
            Err(e) => RErr(SdkError::from(e)),
        }
    }

    fn log(&self, level: LogLevel, message: RStr<'_>) {
        super::plugin_log::emit(&self.plugin_id, level, message.as_str());
    }

    fn is_cancelled(&self) -> bool {
        self.services.is_cancelled()
    }
}
