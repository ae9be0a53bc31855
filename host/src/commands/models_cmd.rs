//! `liveswap models list | fetch | verify | path`: the model registry from the command line.
//!
//! Where it sits: a front end over [`crate::models`]; it needs no plugins and, except for
//! `verify`'s I/O check, no ONNX Runtime. Results go to `out` (stdout); download progress and
//! per-source lines go to `log` (stderr), redrawn in place when `log` is a terminal.

use super::Completion;
use super::error::CommandError;
use super::setup::inference_options;
use crate::cli::{GlobalArgs, ModelsCommand};
use crate::inference::{ExecutionProvider, InferenceService};
use crate::models::progress::human;
use crate::models::{
    FetchOptions, Fetcher, IoCheck, ManifestEntry, ModelError, ModelStore, ProgressStyle, verify,
};
use serde_json::json;
use std::io::Write;

/// Runs a `models` subcommand. `log_is_terminal` picks the progress style.
pub fn models(
    global: &GlobalArgs,
    command: &ModelsCommand,
    out: &mut dyn Write,
    log: &mut dyn Write,
    log_is_terminal: bool,
) -> Result<Completion, CommandError> {
    let store = ModelStore::from_cli(global.models_dir.clone())?;
    match command {
        ModelsCommand::List { pack, json } => list(&store, pack.as_deref(), *json, out),
        ModelsCommand::Fetch { pack, ids } => {
            let style = if global.quiet {
                ProgressStyle::Quiet
            } else if log_is_terminal {
                ProgressStyle::Bar
            } else {
                ProgressStyle::Lines
            };
            fetch(&store, pack, ids, FetchOptions::from_env(style), out, log)
        }
        ModelsCommand::Verify { ids } => {
            let mut options = inference_options(global, &store, None);
            // Reading a model's inputs and outputs needs no GPU.
            options.provider = ExecutionProvider::Cpu.into();
            options.intra_threads = Some(1);
            let service = InferenceService::new(options).map_err(|e| e.to_string());
            verify_cmd(&store, ids, service.as_ref().map_err(Clone::clone), out)
        }
        ModelsCommand::Path { id } => path(&store, id.as_deref(), out),
        ModelsCommand::Quantize(args) => {
            // Calibration runs the model's own processor: this one needs the plugins.
            let host = super::setup::Host::start(global)?;
            super::quantize::quantize(&host, args, out)
        }
    }
}

/// The entries named by packs and ids (manifest order within a pack, no duplicates); the
/// default pack when nothing is named.
pub fn select_entries<'m>(
    store: &'m ModelStore,
    packs: &[String],
    ids: &[String],
) -> Result<Vec<&'m ManifestEntry>, ModelError> {
    let manifest = store.manifest();
    let mut chosen: Vec<&ManifestEntry> = Vec::new();
    let default = ["default".to_owned()];
    let packs = if packs.is_empty() && ids.is_empty() {
        &default[..]
    } else {
        packs
    };
    for pack in packs {
        if manifest.pack(pack).is_none() {
            return Err(ModelError::UnknownPack {
                pack: pack.clone(),
                known: manifest.pack_list(),
            });
        }
        chosen.extend(manifest.in_pack(pack));
    }
    for id in ids {
        let entry = manifest.get(id).ok_or_else(|| ModelError::UnknownId {
            reference: id.clone(),
            known: manifest.id_list(),
        })?;
        chosen.push(entry);
    }
    let mut seen = std::collections::HashSet::new();
    chosen.retain(|e| seen.insert(e.id.clone()));
    Ok(chosen)
}

fn size_text(entry: &ManifestEntry) -> String {
    entry
        .display_size()
        .map_or_else(|| "size ?".to_owned(), human)
}

/// `models list`.
fn list(
    store: &ModelStore,
    pack: Option<&str>,
    as_json: bool,
    out: &mut dyn Write,
) -> Result<Completion, CommandError> {
    let manifest = store.manifest();
    if let Some(p) = pack
        && manifest.pack(p).is_none()
    {
        return Err(ModelError::UnknownPack {
            pack: p.to_owned(),
            known: manifest.pack_list(),
        }
        .into());
    }
    let packs: Vec<_> = manifest
        .packs
        .iter()
        .filter(|p| pack.is_none_or(|want| want == p.id))
        .collect();
    let status = |e: &ManifestEntry| match store.installed_path(e) {
        None => ("not installed", None),
        Some(path) => {
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            if e.size_possible(size) {
                ("installed", Some(path))
            } else {
                (
                    "installed, wrong size (run `liveswap models verify`)",
                    Some(path),
                )
            }
        }
    };
    if as_json {
        let models: Vec<_> = packs
            .iter()
            .flat_map(|p| manifest.in_pack(&p.id))
            .map(|e| {
                let (state, path) = status(e);
                json!({
                    "id": e.id,
                    "file": e.file,
                    "pack": e.pack,
                    "role": e.role,
                    "size": e.display_size(),
                    "status": state,
                    "path": path.map(|p| p.display().to_string()),
                    "vendor": e.vendor,
                    "license": e.license,
                    "license_url": e.license_url,
                    "sha256": e.digests().collect::<Vec<_>>(),
                    "sources": e.sources.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    "io": e.io.to_string(),
                })
            })
            .collect();
        let copies: Vec<_> = int8_copies(store)
            .into_iter()
            .map(|(id, path, state)| json!({"id": id, "path": path.display().to_string(), "status": state}))
            .collect();
        let value = json!({
            "int8_copies": copies,
            "models_dir": store.install_dir().map(|d| d.display().to_string()),
            "packs": packs.iter().map(|p| json!({"id": p.id, "description": p.description})).collect::<Vec<_>>(),
            "models": models,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        return Ok(Completion::Clean);
    }
    match store.install_dir() {
        Some(d) => writeln!(out, "models dir: {}", d.display())?,
        None => writeln!(out, "models dir: none (pass --models-dir)")?,
    }
    for p in packs {
        writeln!(out, "\n{} — {}", p.id, p.description)?;
        for e in manifest.in_pack(&p.id) {
            let (state, _) = status(e);
            writeln!(
                out,
                "  {:<20} {:<34} {:>9}  {state}",
                e.id,
                e.file,
                size_text(e)
            )?;
            writeln!(
                out,
                "  {:<20} licence: {} <{}>",
                "", e.license, e.license_url
            )?;
        }
    }
    let copies = int8_copies(store);
    if !copies.is_empty() {
        writeln!(out, "\nint8 copies (made by `liveswap models quantize`)")?;
        for (id, path, state) in &copies {
            writeln!(out, "  {id:<20} {:<34} {state}", path.display())?;
        }
    }
    writeln!(
        out,
        "\nFetch with `liveswap models fetch --pack PACK` or `liveswap models fetch ID`."
    )?;
    Ok(Completion::Clean)
}

/// `models fetch`.
pub fn fetch(
    store: &ModelStore,
    packs: &[String],
    ids: &[String],
    options: FetchOptions,
    out: &mut dyn Write,
    log: &mut dyn Write,
) -> Result<Completion, CommandError> {
    let entries = select_entries(store, packs, ids)?;
    let mut fetcher = Fetcher::new(store, options)?;
    let mut failed = Vec::new();
    let mut last_error = None;
    for entry in &entries {
        writeln!(
            out,
            "{} ({}, {}) — licence: {} <{}>",
            entry.id,
            entry.file,
            size_text(entry),
            entry.license,
            entry.license_url
        )?;
        out.flush()?;
        match fetcher.fetch(entry, log) {
            Ok(done) => match &done.source {
                Some(source) => writeln!(
                    out,
                    "  installed {} (sha256 {}; from {source})",
                    done.path.display(),
                    done.sha256
                )?,
                None => writeln!(
                    out,
                    "  already installed and verified: {}",
                    done.path.display()
                )?,
            },
            Err(e) => {
                writeln!(out, "  FAILED (every source failed; the error lists them)")?;
                failed.push(e.to_string());
                last_error = Some(e);
            }
        }
    }
    drop(fetcher);
    match (failed.len(), last_error) {
        (0, _) => Ok(Completion::Clean),
        (1, Some(e)) if entries.len() == 1 => Err(e.into()),
        _ => Err(ModelError::SomeFetchesFailed {
            total: entries.len(),
            failed,
        }
        .into()),
    }
}

/// `models verify`.
pub fn verify_cmd(
    store: &ModelStore,
    ids: &[String],
    inference: Result<&InferenceService, String>,
    out: &mut dyn Write,
) -> Result<Completion, CommandError> {
    let manifest = store.manifest();
    let entries: Vec<&ManifestEntry> = if ids.is_empty() {
        manifest.models.iter().collect()
    } else {
        let plain: Vec<String> = ids
            .iter()
            .filter(|i| crate::models::quantized::source_id(i).is_none())
            .cloned()
            .collect();
        if plain.is_empty() {
            Vec::new()
        } else {
            select_entries(store, &[], &plain)?
        }
    };
    let report = verify(store, &entries, !ids.is_empty(), inference);
    let dir = store
        .install_dir()
        .map_or_else(|| "<none>".to_owned(), |d| d.display().to_string());
    if report.models.is_empty() && report.missing.is_empty() {
        writeln!(
            out,
            "no models installed in {dir}; `liveswap models fetch` installs the default pack"
        )?;
    }
    for m in &report.models {
        let digest = m.sha256.as_deref().map_or_else(
            || "unreadable".to_owned(),
            |d| d[..12.min(d.len())].to_owned(),
        );
        let io = match &m.io {
            IoCheck::Matches => "inputs/outputs match".to_owned(),
            IoCheck::Skipped(why) => format!("inputs/outputs not checked ({why})"),
            IoCheck::Mismatch(_) | IoCheck::Unloadable(_) => "inputs/outputs WRONG".to_owned(),
        };
        if m.ok() {
            writeln!(
                out,
                "ok    {:<20} {:>9}  sha256 {digest}… ({}); {io}",
                m.id,
                human(m.size),
                m.origin.as_deref().unwrap_or("")
            )?;
        } else {
            writeln!(out, "FAIL  {:<20} {}", m.id, m.path.display())?;
            for p in &m.problems {
                writeln!(out, "      - {p}")?;
            }
            if let Some(advice) = m.advice() {
                writeln!(out, "      → {advice}")?;
            }
        }
    }
    for id in &report.missing {
        writeln!(
            out,
            "FAIL  {id:<20} not installed in {dir}\n      → `liveswap models fetch {id}`"
        )?;
    }
    let copies = int8_copies(store);
    let mut copies_failed = 0;
    for (id, path, state) in &copies {
        if !ids.is_empty() && !ids.contains(id) {
            continue;
        }
        if state == "registered, verified" {
            writeln!(
                out,
                "ok    {id:<20} {}  (int8 copy; source digest matches its record)",
                path.display()
            )?;
        } else {
            copies_failed += 1;
            writeln!(out, "FAIL  {id:<20} {}\n      - {state}", path.display())?;
        }
    }
    for f in report
        .unknown_files
        .iter()
        .filter(|f| !copies.iter().any(|(_, p, _)| p == *f))
    {
        writeln!(
            out,
            "note: {} is not a manifest model (usable by path; checked against the processor \
             when used)",
            f.display()
        )?;
    }
    for (p, len) in &report.partial {
        writeln!(
            out,
            "note: unfinished download {} ({}); `liveswap models fetch` resumes it",
            p.display(),
            human(*len)
        )?;
    }
    let failed = report.failed() + report.missing.len() + copies_failed;
    if failed > 0 {
        return Err(ModelError::VerifyFailed {
            failed,
            checked: report.models.len() + report.missing.len(),
        }
        .into());
    }
    if !report.models.is_empty() {
        writeln!(out, "{} model(s) verified in {dir}", report.models.len())?;
    }
    Ok(Completion::Clean)
}

/// `models path`.
fn path(
    store: &ModelStore,
    id: Option<&str>,
    out: &mut dyn Write,
) -> Result<Completion, CommandError> {
    match id {
        None => {
            let dir = store.install_dir().ok_or_else(|| ModelError::Write {
                path: "<models dir>".into(),
                reason: "no models dir: pass --models-dir or set LIVESWAP_MODELS_DIR".into(),
            })?;
            writeln!(out, "{}", dir.display())?;
        }
        Some(id) => {
            if store.manifest().get(id).is_none()
                && crate::models::quantized::source_id(id).is_none()
            {
                return Err(ModelError::UnknownId {
                    reference: id.to_owned(),
                    known: store.manifest().id_list(),
                }
                .into());
            }
            let resolved = store.resolve(id)?;
            writeln!(out, "{}", resolved.path.display())?;
        }
    }
    Ok(Completion::Clean)
}

/// Every registered int8 copy: `(id, file, state)`; the state is `registered, verified` when
/// [`ModelStore::resolve`] accepts it, else why not.
fn int8_copies(store: &ModelStore) -> Vec<(String, std::path::PathBuf, String)> {
    crate::models::quantized::registered(store)
        .into_iter()
        .map(|(record_path, record)| match record {
            Ok(r) => {
                let path = record_path.with_file_name(&r.file);
                let state = match store.resolve(&r.id) {
                    Ok(_) => "registered, verified".to_owned(),
                    Err(e) => e.to_string(),
                };
                (r.id, path, state)
            }
            Err(e) => (
                record_path.display().to_string(),
                record_path.clone(),
                e.to_string(),
            ),
        })
        .collect()
}
