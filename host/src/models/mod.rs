//! Model references → verified files.
//!
//! Processors name models by manifest id (`det_500m`) or by file path. This module owns the
//! decision of which file that means: ids resolve through `models/manifest.toml` (compiled
//! into the host) to `<models dir>/<file>`; paths are taken as given. A file whose sha256
//! is not in the manifest entry is refused; a user file with an unknown digest is accepted
//! (its inputs and outputs are still checked before a session is made).

mod error;
mod manifest;
mod store;

pub use error::ModelError;
pub use manifest::{Manifest, ManifestEntry};
pub use store::{ModelStore, ResolvedModel, sha256_file};
