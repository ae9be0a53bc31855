//! The plugin-side glue: the Rust traits plugin authors implement, and the panic firewall.
//!
//! [`crate::export_processor!`] turns a [`Plugin`] into the exported root module. Every
//! entry point the host can call (`describe`, `create`, `warmup`, `update_setting`,
//! `process`, and the drop of a processor) runs inside `catch_unwind`; a panic becomes an
//! [`SdkError`] with code [`codes::PANICKED`] and the instance is poisoned, so later calls
//! fail fast instead of touching half-updated state.

use crate::error::{SdkError, SdkResult, codes};
use crate::frame::FrameCtx;
use crate::host::HostBox;
use crate::plugin::{FrameOutcome, PluginInfo, Processor, Processor_TO, ProcessorBox};
use crate::settings::{SettingValue, Settings};
use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{RErr, ROk, RResult, RStr};
use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// A plugin: its description and how to create a processor.
pub trait Plugin: 'static {
    /// The processor type.
    type Processor: FrameProcessor;

    /// Describes the plugin (id, settings, models, data it needs and provides).
    fn info() -> PluginInfo;

    /// Creates a processor from validated settings (all declared keys present) and the host
    /// context. Load models here through `host.open_model`.
    fn create(settings: &Settings, host: HostBox) -> SdkResult<Self::Processor>;
}

/// A processor instance, implemented by plugin authors.
pub trait FrameProcessor: Send + 'static {
    /// Optional warm-up before the first frame.
    fn warmup(&mut self) -> SdkResult<()> {
        Ok(())
    }

    /// Applies a live setting. The default refuses, for processors without live settings.
    fn update_setting(&mut self, key: &str, value: &SettingValue) -> SdkResult<()> {
        let _ = value;
        Err(SdkError::setting(format!(
            "setting `{key}` cannot change while running"
        )))
    }

    /// Processes one frame in place.
    fn process(&mut self, frame: &mut FrameCtx<'_>) -> SdkResult<FrameOutcome>;
}

/// Text of a panic payload.
fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}

fn panicked(step: &str, payload: &(dyn Any + Send)) -> SdkError {
    SdkError::new(
        codes::PANICKED,
        format!("panicked in {step}: {}", panic_text(payload)),
    )
    .with_help("this is a bug in the plugin; it is disabled for the rest of the run")
}

/// Runs `f`, turning a panic into an error.
fn firewall<T>(step: &str, f: impl FnOnce() -> SdkResult<T>) -> RResult<T, SdkError> {
    // SAFETY (unwind safety, not memory safety): on a panic nothing `f` touched is used again:
    // describe/create results are discarded, and a processor that panicked is poisoned.
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => ROk(v),
        Ok(Err(e)) => RErr(e),
        Err(payload) => RErr(panicked(step, payload.as_ref())),
    }
}

/// The `describe` entry of [`crate::ProcessorMod`] for plugin `P`.
pub extern "C" fn describe_entry<P: Plugin>() -> RResult<PluginInfo, SdkError> {
    firewall("describe", || {
        let mut info = P::info();
        // The sdk this code was compiled against, whatever the plugin wrote.
        info.sdk_version = crate::SDK_VERSION.into();
        Ok(info)
    })
}

/// The `create` entry of [`crate::ProcessorMod`] for plugin `P`.
pub extern "C" fn create_entry<P: Plugin>(
    settings: Settings,
    host: HostBox,
) -> RResult<ProcessorBox, SdkError> {
    firewall("create", move || {
        let processor = P::create(&settings, host)?;
        Ok(Processor_TO::from_value(
            Guarded {
                inner: Some(processor),
                poisoned: None,
            },
            TD_Opaque,
        ))
    })
}

/// Adapts a [`FrameProcessor`] to the ABI trait and quarantines it after a panic.
struct Guarded<P> {
    inner: Option<P>,
    poisoned: Option<String>,
}

impl<P: FrameProcessor> Guarded<P> {
    fn call<T>(
        &mut self,
        step: &str,
        f: impl FnOnce(&mut P) -> SdkResult<T>,
    ) -> RResult<T, SdkError> {
        if let Some(why) = &self.poisoned {
            return RErr(SdkError::new(
                codes::POISONED,
                format!("processor is disabled after an earlier panic: {why}"),
            ));
        }
        let Some(inner) = self.inner.as_mut() else {
            return RErr(SdkError::internal("processor already released"));
        };
        // SAFETY (unwind safety): if `f` panics the processor is poisoned and never used again.
        match catch_unwind(AssertUnwindSafe(|| f(inner))) {
            Ok(Ok(v)) => ROk(v),
            Ok(Err(e)) => RErr(e),
            Err(payload) => {
                let err = panicked(step, payload.as_ref());
                self.poisoned = Some(err.message.to_string());
                // Its state may be broken; do not run its destructor either.
                std::mem::forget(self.inner.take());
                RErr(err)
            }
        }
    }
}

impl<P: FrameProcessor> Processor for Guarded<P> {
    fn warmup(&mut self) -> RResult<(), SdkError> {
        self.call("warmup", FrameProcessor::warmup)
    }

    fn update_setting(&mut self, key: RStr<'_>, value: SettingValue) -> RResult<(), SdkError> {
        self.call("update_setting", |p| p.update_setting(key.as_str(), &value))
    }

    fn process(&mut self, mut frame: FrameCtx<'_>) -> RResult<FrameOutcome, SdkError> {
        self.call("process", |p| p.process(&mut frame))
    }
}

impl<P> Drop for Guarded<P> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            // SAFETY (unwind safety): the value is gone either way; a panicking destructor
            // must not unwind into the host.
            let _ = catch_unwind(AssertUnwindSafe(move || drop(inner)));
        }
    }
}

/// Exports a [`Plugin`] as this library's root module.
///
/// The plugin crate needs `crate-type = ["cdylib", "rlib"]` and a direct `abi_stable`
/// dependency of the same version as the sdk's.
#[macro_export]
macro_rules! export_processor {
    ($plugin:ty) => {
        /// The exported root module of this plugin library (generated by
        /// `liveswap_sdk::export_processor!`).
        #[doc(hidden)]
        #[allow(missing_docs, reason = "generated abi_stable export glue")]
        pub mod liveswap_export {
            #[allow(
                unused_imports,
                reason = "the plugin type may come from any import of the parent"
            )]
            use super::*;

            /// The root module of this plugin library.
            #[abi_stable::export_root_module]
            pub fn liveswap_root_module() -> $crate::ProcessorMod_Ref {
                use abi_stable::prefix_type::PrefixTypeTrait;
                $crate::ProcessorMod {
                    describe: $crate::export::describe_entry::<$plugin>,
                    create: $crate::export::create_entry::<$plugin>,
                }
                .leak_into_prefix()
            }
        }
    };
}
