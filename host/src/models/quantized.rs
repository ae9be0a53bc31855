//! Registered int8 copies of manifest models (`ID@int8`), made by `liveswap models quantize`.
//!
//! Where it sits: [`crate::models::ModelStore::resolve`] hands every reference ending in
//! [`INT8_SUFFIX`] to [`resolve`] here. An int8 copy is not in the manifest (it is made on the
//! user's machine from the user's fp32 file), so what vouches for it is a **record** written
//! beside it when its quality check passed:
//!
//! ```text
//! <models dir>/w600k_mbf@int8.onnx    the quantized graph (float inputs/outputs, QDQ inside)
//! <models dir>/w600k_mbf@int8.json    QuantRecord: source id + sha256, calibration-set digest,
//!                                     tool + version + recipe, check figures and limits
//! ```
//!
//! A copy is used only while (1) its own sha256 is the recorded one and (2) the installed
//! source model (itself verified against the manifest) still has the recorded sha256: a
//! changed source means the copy's quality figures no longer describe it.

use super::error::ModelError;
use super::manifest::ManifestEntry;
use super::store::{ModelStore, ResolvedModel, Trust};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The id suffix of an int8 copy: `w600k_mbf@int8`.
pub const INT8_SUFFIX: &str = "@int8";

/// Version of [`QuantRecord`]'s layout.
pub const RECORD_SCHEMA_VERSION: u32 = 1;

/// The fp32 model a copy was made from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceRecord {
    /// Manifest id.
    pub id: String,
    /// sha256 of the source file when the copy was made.
    pub sha256: String,
}

/// The calibration set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationRecord {
    /// sha256 over the sorted `(file name, file sha256)` pairs of the images.
    pub digest: String,
    /// Where the images came from (a directory, or "bundled samples").
    pub from: String,
    /// Number of images.
    pub images: usize,
    /// Number of model calls recorded from them (the calibration samples).
    pub samples: usize,
}

/// The tool that quantized it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolRecord {
    /// E.g. `onnxruntime.quantization.quantize_static`.
    pub name: String,
    /// Its version (the `onnxruntime` Python package's).
    pub version: String,
    /// The recipe as given to the tool (format, types, calibration method, excluded nodes…).
    pub recipe: serde_json::Value,
}

/// Everything recorded about one int8 copy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuantRecord {
    /// [`RECORD_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `ID@int8`.
    pub id: String,
    /// File name of the copy, in the same dir as the record.
    pub file: String,
    /// sha256 of the copy.
    pub sha256: String,
    /// Where it came from.
    pub source: SourceRecord,
    /// What it was calibrated on.
    pub calibration: CalibrationRecord,
    /// How it was made.
    pub tool: ToolRecord,
    /// The quality check it passed: figures and limits, as printed by `--check`.
    pub check: serde_json::Value,
    /// Seconds since the Unix epoch when it was registered.
    pub created_unix: u64,
}

/// The source id of an `ID@int8` reference (`None` for anything else).
pub fn source_id(reference: &str) -> Option<&str> {
    reference
        .strip_suffix(INT8_SUFFIX)
        .filter(|base| !base.is_empty())
}

/// The int8 id of a source id.
pub fn int8_id(source: &str) -> String {
    format!("{source}{INT8_SUFFIX}")
}

/// File names of an entry's int8 copy and of its record: `<stem>@int8.onnx`, `<stem>@int8.json`.
pub fn file_names(entry: &ManifestEntry) -> (String, String) {
    let stem = Path::new(&entry.file)
        .file_stem()
        .map_or_else(|| entry.id.clone(), |s| s.to_string_lossy().into_owned());
    (
        format!("{stem}{INT8_SUFFIX}.onnx"),
        format!("{stem}{INT8_SUFFIX}.json"),
    )
}

/// Reads a record file.
pub fn read_record(path: &Path, id: &str) -> Result<QuantRecord, ModelError> {
    let corrupt = |reason: String| ModelError::QuantizedCorrupt {
        id: id.to_owned(),
        path: path.to_path_buf(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| corrupt(e.to_string()))?;
    let record: QuantRecord = serde_json::from_str(&text)
        .map_err(|e| corrupt(format!("its record is unreadable: {e}")))?;
    if record.schema_version != RECORD_SCHEMA_VERSION || record.id != id {
        return Err(corrupt(format!(
            "its record is for `{}` (schema {}), expected `{id}` (schema {RECORD_SCHEMA_VERSION})",
            record.id, record.schema_version
        )));
    }
    Ok(record)
}

/// The first record of `source`'s int8 copy in the store's dirs, with its path.
pub fn find_record(
    store: &ModelStore,
    entry: &ManifestEntry,
) -> Option<(PathBuf, Result<QuantRecord, ModelError>)> {
    let (_, record_name) = file_names(entry);
    let id = int8_id(&entry.id);
    store
        .dirs()
        .iter()
        .map(|d| d.join(&record_name))
        .find(|p| p.is_file())
        .map(|p| {
            let r = read_record(&p, &id);
            (p, r)
        })
}

/// Resolves `ID@int8`: the record must exist, the copy's digest must be the recorded one, and
/// the installed source (verified against the manifest) must still be the recorded file.
pub fn resolve(store: &ModelStore, reference: &str) -> Result<ResolvedModel, ModelError> {
    let Some(base) = source_id(reference) else {
        return Err(ModelError::UnknownId {
            reference: reference.into(),
            known: store.manifest().id_list(),
        });
    };
    let Some(entry) = store.manifest().get(base) else {
        return Err(ModelError::UnknownId {
            reference: reference.into(),
            known: store.manifest().id_list(),
        });
    };
    let Some((record_path, record)) = find_record(store, entry) else {
        return Err(ModelError::QuantizedMissing {
            id: reference.into(),
            source_id: base.into(),
            searched: store.dirs().to_vec(),
        });
    };
    let record = record?;
    let source = store
        .resolve(base)
        .map_err(|e| ModelError::QuantizedSourceChanged {
            id: reference.into(),
            source_id: base.into(),
            recorded: record.source.sha256.clone(),
            found: format!("not usable ({e})"),
        })?;
    if source.sha256 != record.source.sha256 {
        return Err(ModelError::QuantizedSourceChanged {
            id: reference.into(),
            source_id: base.into(),
            recorded: record.source.sha256.clone(),
            found: source.sha256,
        });
    }
    let path = record_path.with_file_name(&record.file);
    let sha256 = store
        .digest(&path)
        .map_err(|e| ModelError::QuantizedCorrupt {
            id: reference.into(),
            path: path.clone(),
            reason: e.to_string(),
        })?;
    if sha256 != record.sha256 {
        return Err(ModelError::QuantizedCorrupt {
            id: reference.into(),
            path,
            reason: format!(
                "its sha256 is {sha256}, the record says {} (changed after registration)",
                record.sha256
            ),
        });
    }
    Ok(ResolvedModel {
        id: reference.into(),
        path,
        entry: Some(entry.clone()),
        sha256,
        trust: Trust::Derived {
            origin: format!(
                "int8 copy of {base} ({}…), {} {}, calibration set {}…",
                &record.source.sha256[..12.min(record.source.sha256.len())],
                record.tool.name,
                record.tool.version,
                &record.calibration.digest[..12.min(record.calibration.digest.len())]
            ),
        },
    })
}

/// Every registered int8 copy in the store's dirs: `(record path, record or why unreadable)`.
pub fn registered(store: &ModelStore) -> Vec<(PathBuf, Result<QuantRecord, ModelError>)> {
    store
        .manifest()
        .models
        .iter()
        .filter_map(|e| find_record(store, e))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn int8_ids_name_their_source() {
        assert_eq!(source_id("w600k_mbf@int8"), Some("w600k_mbf"));
        assert_eq!(source_id("@int8"), None);
        assert_eq!(source_id("w600k_mbf"), None);
        assert_eq!(int8_id("det_500m"), "det_500m@int8");
    }

    #[test]
    fn unregistered_and_unknown_int8_ids_are_clear_errors() {
        let d = std::env::temp_dir().join(format!("liveswap-q8-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let store = ModelStore::new(vec![d.clone()]).unwrap();
        let err = store.resolve("w600k_mbf@int8").unwrap_err();
        assert!(matches!(err, ModelError::QuantizedMissing { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("liveswap models quantize w600k_mbf")
        );
        let err = store.resolve("nope@int8").unwrap_err();
        assert!(matches!(err, ModelError::UnknownId { .. }), "{err}");
        // A record that is not JSON is reported as damaged, naming the file.
        std::fs::write(d.join("w600k_mbf@int8.json"), b"{not json").unwrap();
        let err = store.resolve("w600k_mbf@int8").unwrap_err();
        assert!(matches!(err, ModelError::QuantizedCorrupt { .. }), "{err}");
        std::fs::remove_dir_all(&d).unwrap();
    }
}
