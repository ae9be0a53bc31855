//! `liveswap models quantize MODEL`: an int8 copy of a model, checked, then registered.
//!
//! ```text
//! photos ─▶ calibrate.rs: the model's processor runs over them; the host records the model's
//!           input tensors (InputTap) ─▶ raw f32 set
//!        ─▶ python.rs + quantize_tool.py: ONNX Runtime quantize_static (recipe.rs) ─▶ int8 file
//!        ─▶ check.rs: int8 vs fp32 on the same photos (cosine, IoU, px, PSNR) vs recipe limits
//!        ─▶ models/quantized.rs record + file in the models dir, as ID@int8
//! ```
//!
//! Nothing is registered when a figure misses its limit, and an existing copy is replaced only
//! with `--overwrite`.

mod calibrate;
mod check;
mod python;
mod recipe;

use super::Completion;
use super::error::CommandError;
use super::setup::Host;
use crate::cli::QuantizeArgs;
use crate::models::quantized::{
    self, CalibrationRecord, INT8_SUFFIX, QuantRecord, RECORD_SCHEMA_VERSION, SourceRecord,
    ToolRecord,
};
use crate::models::{ModelError, sha256_file};
pub use check::Figures;
pub use recipe::Role;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why an int8 copy was not made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QuantizeError {
    /// The model's role has no calibration pipeline.
    #[error(
        "{id} is a {role}: liveswap can quantize detectors, recognizers, landmarks, swappers and enhancers"
    )]
    NotQuantizable {
        /// Model id.
        id: String,
        /// Its manifest role.
        role: String,
    },
    /// The destination exists.
    #[error("{} exists; pass --overwrite to replace it", path.display())]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// A bad `--output`.
    #[error("--output {0}: give MODEL@int8 (register) or a path ending in .onnx")]
    BadOutput(String),
    /// The calibration photos cannot be used.
    #[error("calibration set: {0}")]
    Calibration(String),
    /// Nothing to calibrate on.
    #[error("calibration set: {what}")]
    NoFaces {
        /// What is missing.
        what: String,
    },
    /// The Python tool failed.
    #[error("quantization tool: {0}")]
    Tool(String),
    /// The int8 copy missed its quality limits; nothing was registered.
    #[error(
        "{id}: the int8 copy is below the quality limits, not registered:\n  {}",
        failed.join("\n  ")
    )]
    BelowLimits {
        /// Model id.
        id: String,
        /// One line per failed limit.
        failed: Vec<String>,
    },
}

/// The compiled-in tool script.
const TOOL: &str = include_str!("quantize_tool.py");

enum Destination {
    Register { onnx: PathBuf, record: PathBuf },
    File(PathBuf),
}

fn destination(
    store: &crate::models::ModelStore,
    args: &QuantizeArgs,
    entry: &crate::models::ManifestEntry,
) -> Result<Destination, CommandError> {
    let own = quantized::int8_id(&entry.id);
    let dest = match args.output.as_deref() {
        None => Destination::Register {
            onnx: PathBuf::new(),
            record: PathBuf::new(),
        },
        Some(o) if o == own => Destination::Register {
            onnx: PathBuf::new(),
            record: PathBuf::new(),
        },
        Some(o) if o.ends_with(".onnx") => Destination::File(PathBuf::from(o)),
        Some(o) => return Err(QuantizeError::BadOutput(o.into()).into()),
    };
    let dest = match dest {
        Destination::Register { .. } => {
            let dir = store.install_dir().ok_or_else(|| ModelError::Write {
                path: "<models dir>".into(),
                reason: "no models dir: pass --models-dir or set LIVESWAP_MODELS_DIR".into(),
            })?;
            let (f, r) = quantized::file_names(entry);
            Destination::Register {
                onnx: dir.join(f),
                record: dir.join(r),
            }
        }
        d => d,
    };
    let target = match &dest {
        Destination::Register { record, .. } => record,
        Destination::File(p) => p,
    };
    if target.exists() && !args.overwrite {
        return Err(QuantizeError::Exists {
            path: target.clone(),
        }
        .into());
    }
    Ok(dest)
}

/// Runs the command; figures and progress go to `out`.
pub fn quantize(
    host: &Host,
    args: &QuantizeArgs,
    out: &mut dyn Write,
) -> Result<Completion, CommandError> {
    let store = &host.services.models;
    if args.model.ends_with(INT8_SUFFIX) {
        return Err(QuantizeError::BadOutput(format!(
            "MODEL is the fp32 id to quantize, not {}",
            args.model
        ))
        .into());
    }
    let entry = store
        .manifest()
        .get(&args.model)
        .ok_or_else(|| ModelError::UnknownId {
            reference: args.model.clone(),
            known: store.manifest().id_list(),
        })?
        .clone();
    let role = Role::from_manifest(&entry.role).ok_or_else(|| QuantizeError::NotQuantizable {
        id: entry.id.clone(),
        role: entry.role.clone(),
    })?;
    let source = store.resolve(&entry.id)?;
    let dest = destination(store, args, &entry)?;
    let set = calibrate::image_set(args.calibration.as_deref())?;
    let photos = calibrate::load_all(&set)?;
    let calls = calibrate::record(host, role, &entry.id, &photos)?;
    let samples: usize = calls
        .iter()
        .map(|c| {
            c.inputs
                .first()
                .and_then(|i| i.1.first())
                .copied()
                .unwrap_or(1)
                .max(1) as usize
        })
        .sum();
    writeln!(
        out,
        "{}: {} calibration sample(s) from {} photo(s) in {} (set sha256 {}…)",
        entry.id,
        samples,
        photos.len(),
        set.from,
        &set.digest[..12]
    )?;
    out.flush()?;

    let work = work_dir(&dest)?;
    let result = quantize_in(
        host,
        args,
        role,
        &entry.id,
        &source.path,
        &work,
        &calls,
        &photos,
        out,
    );
    let made = match result {
        Ok(m) => m,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&work);
            return Err(e);
        }
    };
    let (tool, int8, figures) = made;
    let failed = check::failures(role, &figures);
    print_figures(out, role, &figures, args.check)?;
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::json!({"id": entry.id, "figures": figures, "failed": failed})
        )?;
    }
    if !failed.is_empty() {
        let _ = std::fs::remove_dir_all(&work);
        return Err(QuantizeError::BelowLimits {
            id: entry.id.clone(),
            failed,
        }
        .into());
    }
    let write_err = |p: &Path, e: std::io::Error| ModelError::Write {
        path: p.to_path_buf(),
        reason: e.to_string(),
    };
    match dest {
        Destination::File(p) => {
            std::fs::copy(&int8, &p).map_err(|e| write_err(&p, e))?;
            writeln!(out, "wrote {} (not registered)", p.display())?;
        }
        Destination::Register { onnx, record } => {
            std::fs::copy(&int8, &onnx).map_err(|e| write_err(&onnx, e))?;
            let sha256 = sha256_file(&onnx).map_err(|e| write_err(&onnx, e))?;
            let check: serde_json::Value = serde_json::json!({
                "figures": figures,
                "limits": role.limits().iter().map(|(n, b, at_least)| serde_json::json!({"figure": n, "bound": b, "at_least": at_least})).collect::<Vec<_>>(),
                "photos": photos.len(),
            });
            let rec = QuantRecord {
                schema_version: RECORD_SCHEMA_VERSION,
                id: quantized::int8_id(&entry.id),
                file: onnx
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                sha256,
                source: SourceRecord {
                    id: entry.id.clone(),
                    sha256: source.sha256.clone(),
                },
                calibration: CalibrationRecord {
                    digest: set.digest.clone(),
                    from: set.from.clone(),
                    images: photos.len(),
                    samples,
                },
                tool,
                check,
                created_unix: std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0),
            };
            let text = serde_json::to_string_pretty(&rec)?;
            std::fs::write(&record, text).map_err(|e| write_err(&record, e))?;
            writeln!(
                out,
                "registered {} → {} (use `model = \"{}\"` in a profile)",
                rec.id,
                onnx.display(),
                rec.id
            )?;
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(Completion::Clean)
}

/// A scratch dir beside the destination (same filesystem, so the copy is cheap).
fn work_dir(dest: &Destination) -> Result<PathBuf, CommandError> {
    let base = match dest {
        Destination::Register { onnx, .. } => onnx.parent().map(|p| p.join(".cache")),
        Destination::File(p) => p.parent().map(Path::to_path_buf),
    }
    .unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!(".quantize-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| ModelError::Write {
        path: dir.clone(),
        reason: e.to_string(),
    })?;
    Ok(dir)
}

#[allow(
    clippy::too_many_arguments,
    reason = "one call site; the steps share these"
)]
fn quantize_in(
    host: &Host,
    args: &QuantizeArgs,
    role: Role,
    id: &str,
    fp32: &Path,
    work: &Path,
    calls: &[crate::inference::TappedCall],
    photos: &[(PathBuf, liveswap_sdk::OwnedImage)],
    out: &mut dyn Write,
) -> Result<(ToolRecord, PathBuf, Figures), CommandError> {
    let _ = args;
    calibrate::write_set(calls, &work.join("calibration"))?;
    let script = work.join("quantize_tool.py");
    let recipe_path = work.join("recipe.json");
    let io = |p: &Path, e: std::io::Error| QuantizeError::Tool(format!("{}: {e}", p.display()));
    std::fs::write(&script, TOOL).map_err(|e| io(&script, e))?;
    std::fs::write(&recipe_path, role.recipe().to_string()).map_err(|e| io(&recipe_path, e))?;
    let python = python::interpreter(out)?;
    let int8 = work.join(format!("{id}{INT8_SUFFIX}.onnx"));
    writeln!(
        out,
        "quantizing {id} with ONNX Runtime's quantize_static ({})…",
        python.display()
    )?;
    out.flush()?;
    let started = std::time::Instant::now();
    let run = std::process::Command::new(&python)
        .arg(&script)
        .arg(fp32)
        .arg(&int8)
        .arg(work.join("calibration"))
        .arg(&recipe_path)
        .output()
        .map_err(|e| QuantizeError::Tool(format!("{}: {e}", python.display())))?;
    if !run.status.success() {
        let err = String::from_utf8_lossy(&run.stderr);
        let tail: Vec<&str> = err.lines().rev().take(12).collect();
        return Err(QuantizeError::Tool(format!(
            "{} ({}):\n{}",
            python.display(),
            run.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        ))
        .into());
    }
    let stdout = String::from_utf8_lossy(&run.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .unwrap_or("{}");
    let report: serde_json::Value = serde_json::from_str(line)?;
    let tool = ToolRecord {
        name: report["tool"]
            .as_str()
            .unwrap_or("onnxruntime.quantization")
            .into(),
        version: report["version"].as_str().unwrap_or("?").into(),
        recipe: report["recipe"].clone(),
    };
    writeln!(
        out,
        "quantized in {:.1} s ({} {}); checking against fp32 on {} photo(s)…",
        started.elapsed().as_secs_f64(),
        tool.name,
        tool.version,
        photos.len()
    )?;
    out.flush()?;
    let figures = check::run(
        host,
        &check::CheckInput {
            role,
            id,
            fp32,
            int8: &int8,
            photos,
            calls,
        },
    )?;
    Ok((tool, int8, figures))
}

fn print_figures(
    out: &mut dyn Write,
    role: Role,
    figures: &Figures,
    full: bool,
) -> std::io::Result<()> {
    writeln!(out, "int8 vs fp32:")?;
    for (name, v) in figures {
        let limit = role.limits().iter().find(|l| l.0 == name);
        match limit {
            Some((_, b, at_least)) => {
                let ok = if *at_least { *v >= *b } else { *v <= *b };
                writeln!(
                    out,
                    "  {name:<24} {v:>9.4}   limit {} {b}   {}",
                    if *at_least { "≥" } else { "≤" },
                    if ok { "ok" } else { "BELOW LIMIT" }
                )?;
            }
            None if full || name == "faces" => writeln!(out, "  {name:<24} {v:>9.4}")?,
            None => {}
        }
    }
    Ok(())
}
