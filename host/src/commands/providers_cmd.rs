//! `liveswap providers`: which ONNX Runtime library liveswap uses, which execution providers it
//! offers, what `auto` picks, and how to get the others.
//!
//! Where it sits: a front end over [`crate::inference::library`] and
//! [`crate::inference::providers`]. It loads ONNX Runtime (no model, no plugin) and registers
//! each offered provider on throwaway session options, so "offered" and "works" are both shown:
//! a CUDA library without a matching CUDA/cuDNN install is offered but fails to register.

use super::Completion;
use super::error::CommandError;
use super::setup::inference_options;
use crate::cli::GlobalArgs;
use crate::inference::library;
use crate::inference::providers::{
    self, ExecutionProvider, ProviderChoice, ProviderSettings, offered, offered_by_library,
};
use crate::models::ModelStore;
use serde_json::json;
use std::io::Write;

/// One provider's state.
struct Row {
    provider: ExecutionProvider,
    offered: bool,
    /// `None` when it registers; the reason otherwise.
    failure: Option<String>,
}

/// Runs `liveswap providers`.
pub fn providers(
    global: &GlobalArgs,
    as_json: bool,
    out: &mut dyn Write,
) -> Result<Completion, CommandError> {
    let models = ModelStore::from_cli(global.models_dir.clone())?;
    let options = inference_options(global, &models, None);
    let runtime = library::load(options.ort_lib.as_deref())?;
    let settings = ProviderSettings {
        intra_threads: options.intra_threads,
        device_id: options.device_id,
        cache_dir: options.cache_dir.clone(),
        cpu_arena: options.cpu.arena,
    };
    let env = runtime.environment();
    let rows: Vec<Row> = ExecutionProvider::ALL
        .into_iter()
        .map(|provider| {
            let offered = offered(provider);
            let failure = if offered {
                match providers::select(
                    env,
                    runtime.path(),
                    ProviderChoice::Only(provider),
                    &settings,
                ) {
                    Ok(sel) if sel.provider == provider => None,
                    Ok(sel) => Some(
                        sel.refused
                            .into_iter()
                            .map(|(_, why)| why)
                            .collect::<Vec<_>>()
                            .join("; "),
                    ),
                    Err(e) => Some(e.to_string()),
                }
            } else {
                Some("not in this library".to_owned())
            };
            Row {
                provider,
                offered,
                failure,
            }
        })
        .collect();
    let auto = providers::select(env, runtime.path(), ProviderChoice::Auto, &settings)
        .map(|s| s.provider)?;
    let requested = options.provider;
    // A named provider without --provider-fallback is refused when it cannot be used.
    let would_use = providers::select(env, runtime.path(), requested, &settings);
    let engine_cache = settings
        .cache_dir
        .as_ref()
        .map(|d| d.join("tensorrt").display().to_string());

    if as_json {
        let value = json!({
            "library": runtime.path().display().to_string(),
            "version": runtime.version(),
            "build_info": runtime.build_info(),
            "telemetry": false,
            "offered": offered_by_library(),
            "auto": auto.name(),
            "requested": requested.to_string(),
            "would_use": would_use.as_ref().ok().map(|s| s.provider.name()),
            "refused": would_use.as_ref().err().map(ToString::to_string),
            "tensorrt_engine_cache": engine_cache,
            "providers": rows.iter().map(|r| json!({
                "name": r.provider.name(),
                "ort_name": r.provider.ort_name(),
                "offered": r.offered,
                "registers": r.failure.is_none(),
                "problem": r.failure,
                "how_to_get": r.provider.install_hint(),
            })).collect::<Vec<_>>(),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        return Ok(Completion::Clean);
    }

    writeln!(out, "ONNX Runtime library: {}", runtime.path().display())?;
    writeln!(out, "  version: {}", runtime.version())?;
    writeln!(out, "  build: {}", runtime.build_info().trim())?;
    writeln!(out, "  telemetry: off")?;
    writeln!(
        out,
        "  providers offered by this library: {}",
        offered_by_library().join(", ")
    )?;
    writeln!(out, "`--execution-provider auto` uses: {auto}")?;
    if requested != ProviderChoice::Auto {
        match &would_use {
            Ok(sel) => writeln!(
                out,
                "`--execution-provider {requested}` uses: {}",
                sel.provider
            )?,
            Err(e) => writeln!(out, "`--execution-provider {requested}` is refused: {e}")?,
        }
    }
    if let Some(dir) = &engine_cache {
        writeln!(out, "TensorRT engine cache: {dir}")?;
    }
    writeln!(out)?;
    for r in &rows {
        let state = match (&r.failure, r.offered) {
            (None, _) => "available".to_owned(),
            (Some(_), false) => "not in this library".to_owned(),
            (Some(why), true) => format!("offered, but fails to register: {why}"),
        };
        writeln!(
            out,
            "{:<9} {:<26} {state}",
            r.provider.name(),
            r.provider.ort_name()
        )?;
        if r.failure.is_some() {
            writeln!(out, "{:<9} to get it: {}", "", r.provider.install_hint())?;
        }
    }
    Ok(Completion::Clean)
}
