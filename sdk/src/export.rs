//! The plugin-side glue: the Rust traits plugin authors implement, and the panic firewall.
//!
//! [`crate::export_processor!`] turns a [`Plugin`] into the exported root module. Every
//! entry point the host can call (`describe`, `create`, `warmup`, `update_setting`,
//! `process`, and the drop of a processor) runs inside `catch_unwind`; a panic becomes an
//! [`SdkError`] with code [`codes::PANICKED`] and the instance is poisoned, so later calls
//! fail fast instead of touching half-updated state; the panicked instance itself is
//! dropped right away (its destructor also runs inside `catch_unwind`), so nothing leaks.

use crate::error::{SdkError, SdkResult, codes};
use crate::frame::FrameCtx;
use crate::host::HostBox;
use crate::plugin::{
    FrameOutcome, PluginInfo, Processor, Processor_TO, ProcessorBox, RFrameOutcome,
};
use crate::settings::{RSettingValue, SettingValue, Settings};
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
                // Its state may be logically broken but it is still memory-safe Rust: drop it
                // now (its models, buffers), inside the firewall in case the destructor
                // panics too. Later calls fail fast with `POISONED`.
                if let Some(inner) = self.inner.take() {
                    // SAFETY (unwind safety): the value is gone either way.
                    let _ = catch_unwind(AssertUnwindSafe(move || drop(inner)));
                }
                RErr(err)
            }
        }
    }
}

impl<P: FrameProcessor> Processor for Guarded<P> {
    fn warmup(&mut self) -> RResult<(), SdkError> {
        self.call("warmup", FrameProcessor::warmup)
    }

    fn update_setting(&mut self, key: RStr<'_>, value: RSettingValue) -> RResult<(), SdkError> {
        self.call("update_setting", |p| {
            let value: SettingValue = value.value()?;
            p.update_setting(key.as_str(), &value)
        })
    }

    fn process(&mut self, mut frame: FrameCtx<'_>) -> RResult<RFrameOutcome, SdkError> {
        self.call("process", |p| {
            p.process(&mut frame).map(RFrameOutcome::from)
        })
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
/// The plugin crate needs `crate-type = ["cdylib", "rlib"]`, `[lib] name = "liveswap_<id>"`
/// and a dependency on `liveswap-sdk` only: everything the generated code uses comes from
/// the sdk's re-exports (see the crate docs, "Writing a plugin").
/// Symbol name abi_stable 0.11 looks up in a plugin library (its
/// `abi_stable::library::ROOT_MODULE_LOADER_NAME`); [`crate::export_processor!`] exports the
/// library header under it. A unit test checks that the two agree.
pub const ROOT_MODULE_SYMBOL: &str = "_1as_0lib_1header_0root_bmodule_bloader";

/// The library header a plugin exports, for [`crate::export_processor!`]: the root module
/// constructor plus the type layouts abi_stable checks before calling it.
#[doc(hidden)]
pub const fn lib_header(
    constructor: extern "C" fn() -> abi_stable::library::RootModuleResult,
) -> abi_stable::library::LibHeader {
    // SAFETY: `constructor` is the `liveswap_root_module` wrapper generated by
    // `export_processor!`, which returns this sdk's `ProcessorMod_Ref` — the module type
    // whose layout the header records — as abi_stable's `export_root_module` would.
    unsafe {
        abi_stable::library::LibHeader::from_constructor::<crate::ProcessorMod_Ref>(
            constructor,
            abi_stable::library::CheckTypeLayout::Yes,
        )
    }
}

/// Builds the root module of plugin `P` (called once, when the host first loads it).
#[doc(hidden)]
pub fn root_module<P: Plugin>() -> crate::ProcessorMod_Ref {
    use abi_stable::prefix_type::PrefixTypeTrait;
    crate::ProcessorMod {
        describe: describe_entry::<P>,
        create: create_entry::<P>,
    }
    .leak_into_prefix()
}

/// Exports a [`Plugin`] as this library's root module.
///
/// The plugin crate needs `crate-type = ["cdylib", "rlib"]`, `[lib] name = "liveswap_<id>"`
/// and a dependency on `liveswap-sdk` only: the generated code reaches abi_stable through
/// the sdk (see the crate docs, "Writing a plugin"). It is the equivalent of abi_stable's
/// `#[export_root_module]`, written against the sdk's re-export so that plugins need no
/// abi_stable dependency of their own.
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

            extern "C" fn liveswap_root_module() -> $crate::abi_stable::library::RootModuleResult {
                $crate::abi_stable::library::__call_root_module_loader(
                    $crate::export::root_module::<$plugin>,
                )
            }

            /// The library header abi_stable looks up (see `liveswap_sdk::export::ROOT_MODULE_SYMBOL`).
            #[allow(
                unsafe_code,
                reason = "an exported symbol name, as abi_stable's export_root_module emits"
            )]
            #[unsafe(export_name = "_1as_0lib_1header_0root_bmodule_bloader")]
            pub static LIVESWAP_LIB_HEADER: $crate::abi_stable::library::LibHeader =
                $crate::export::lib_header(liveswap_root_module);
        }
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn exported_symbol_is_the_one_abi_stable_looks_up() {
        assert_eq!(
            super::ROOT_MODULE_SYMBOL,
            abi_stable::library::ROOT_MODULE_LOADER_NAME
        );
    }
}
