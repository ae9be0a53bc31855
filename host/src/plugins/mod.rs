//! Plugin discovery and loading.
//!
//! The host looks for processor plugins only in explicit places (see [`discovery`]), loads
//! each shared library on its own through abi_stable, and collects every failure with the
//! file and the step that failed, so one broken plugin never stops the others. Libraries are
//! never unloaded: abi_stable leaks them on purpose, because type information and vtables
//! from a plugin may outlive any single processor instance.

pub mod discovery;
mod error;
mod loader;

pub use discovery::{PLUGIN_PREFIX, SearchPath, plugin_files};
pub use error::LoadError;
pub use loader::{LoadFailure, LoadedPlugin, PluginSet, load_plugin};
