//! Plugin log messages as `tracing` events under the target `plugin::<id>`.
//!
//! Where: behind [`liveswap_sdk::HostCtx::log`]. `tracing`'s macros need a target known at
//! compile time, and plugin ids are only known when the libraries load, so this module makes
//! one callsite per (plugin, level) at run time and dispatches events through it, as the
//! macros would. Filters therefore work per plugin: `RUST_LOG=plugin::face_swapper=debug`
//! or `-v` for all of them.
//!
//! Each callsite and its target string are leaked on purpose (`tracing` requires `'static`
//! callsites): at most five per plugin id, created on the plugin's first message at that
//! level, never per message.

use liveswap_sdk::LogLevel;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};
use tracing_core::callsite::{Callsite, Identifier};
use tracing_core::field::{FieldSet, Value};
use tracing_core::subscriber::Interest;
use tracing_core::{Event, Kind, Level, Metadata, dispatcher};

/// The field names every plugin event has.
const FIELDS: &[&str] = &["message"];

/// A callsite made at run time for one plugin and level.
struct PluginCallsite {
    meta: OnceLock<Metadata<'static>>,
}

impl Callsite for PluginCallsite {
    fn set_interest(&self, _interest: Interest) {
        // Interest is asked of the dispatcher on every event instead (see `emit`): plugin
        // messages are rare compared to frames, and this keeps filter reloads exact.
    }

    fn metadata(&self) -> &Metadata<'_> {
        self.meta.get().unwrap_or(&FALLBACK)
    }
}

/// Never used for events: a callsite's metadata is set right after it is made.
static FALLBACK: Metadata<'static> = Metadata::new(
    "plugin log",
    "plugin",
    Level::INFO,
    None,
    None,
    None,
    FieldSet::new(FIELDS, Identifier(&FALLBACK_SITE)),
    Kind::EVENT,
);
static FALLBACK_SITE: PluginCallsite = PluginCallsite {
    meta: OnceLock::new(),
};

fn level_of(level: LogLevel) -> Level {
    match level {
        LogLevel::Trace => Level::TRACE,
        LogLevel::Debug => Level::DEBUG,
        LogLevel::Info => Level::INFO,
        LogLevel::Warn => Level::WARN,
        LogLevel::Error => Level::ERROR,
    }
}

/// The tracing target of plugin `id`'s messages.
pub fn target_of(id: &str) -> String {
    format!("plugin::{id}")
}

/// The callsite for `id` at `level`, made and registered on first use.
fn callsite(id: &str, level: Level) -> &'static PluginCallsite {
    static SITES: OnceLock<Mutex<HashMap<(String, Level), &'static PluginCallsite>>> =
        OnceLock::new();
    let mut sites = SITES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(site) = sites.get(&(id.to_owned(), level)) {
        return site;
    }
    let site: &'static PluginCallsite = Box::leak(Box::new(PluginCallsite {
        meta: OnceLock::new(),
    }));
    let target: &'static str = Box::leak(target_of(id).into_boxed_str());
    let _ = site.meta.set(Metadata::new(
        "plugin log",
        target,
        level,
        None,
        None,
        None,
        FieldSet::new(FIELDS, Identifier(site)),
        Kind::EVENT,
    ));
    tracing_core::callsite::register(site);
    sites.insert((id.to_owned(), level), site);
    site
}

/// Logs `message` from plugin `id` at `level` under target `plugin::<id>`.
pub fn emit(id: &str, level: LogLevel, message: &str) {
    let level = level_of(level);
    if level > tracing_core::LevelFilter::current() {
        return;
    }
    let site = callsite(id, level);
    let Some(meta) = site.meta.get() else {
        return;
    };
    dispatcher::get_default(|d| {
        if d.enabled(meta) {
            let text = tracing_core::field::display(message);
            let values: [Option<&dyn Value>; 1] = [Some(&text)];
            d.event(&Event::new(meta, &meta.fields().value_set_all(&values)));
        }
    });
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use std::sync::Arc;
    use tracing_subscriber::layer::SubscriberExt;

    /// Collects (target, level, message) of every event.
    #[derive(Clone, Default)]
    struct Collect(Arc<Mutex<Vec<(String, Level, String)>>>);

    impl<S: tracing_core::Subscriber> tracing_subscriber::Layer<S> for Collect {
        fn on_event(&self, event: &Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
            struct Msg(String);
            impl tracing_core::field::Visit for Msg {
                fn record_debug(&mut self, _: &tracing_core::Field, value: &dyn std::fmt::Debug) {
                    self.0 = format!("{value:?}");
                }
            }
            let mut m = Msg(String::new());
            event.record(&mut m);
            let meta = event.metadata();
            self.0
                .lock()
                .unwrap()
                .push((meta.target().to_owned(), *meta.level(), m.0));
        }
    }

    #[test]
    fn messages_go_out_under_the_plugin_target_and_filters_apply() {
        let seen = Collect::default();
        let filter = tracing_subscriber::EnvFilter::new("plugin::loud=debug,plugin::quiet=warn");
        let subscriber = tracing_subscriber::registry()
            .with(filter)
            .with(seen.clone());
        tracing::subscriber::with_default(subscriber, || {
            emit("loud", LogLevel::Debug, "hello");
            emit("quiet", LogLevel::Info, "filtered out");
            emit("quiet", LogLevel::Error, "kept");
            emit("loud", LogLevel::Debug, "again");
        });
        let seen = seen.0.lock().unwrap().clone();
        assert_eq!(
            seen,
            vec![
                ("plugin::loud".into(), Level::DEBUG, "hello".into()),
                ("plugin::quiet".into(), Level::ERROR, "kept".into()),
                ("plugin::loud".into(), Level::DEBUG, "again".into()),
            ]
        );
    }
}
