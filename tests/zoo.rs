//! The zoo of broken plugins (`tests/fixtures/plugins/zoo_*`): each yields its exact
//! [`LoadError`] or [`PipelineError`] / [`StageEvent`], and the host carries on.
//!
//! Loading: every test installs one zoo library under a plugin file name
//! (`libliveswap_<id>.so`) in a fresh plugin dir next to the real `face_analyser` and
//! `face_debugger`, loads the dir with [`PluginSet::load`], and checks the variant, the file and
//! the step ([`LoadError::step`]) it names, and that the real plugins in the same dir loaded.
//!
//! | fixture | what is wrong | expected |
//! |---|---|---|
//! | (a text file) | not a shared library | `Open` |
//! | `zoo_not_a_plugin` | a cdylib without a root module | `NotAPlugin` |
//! | `zoo_past_sdk` | built against the released sdk 0.1.0 | `IncompatibleVersion` (abi_stable's version check) |
//! | `zoo_future_sdk` | built against sdk 0.3.0 | `IncompatibleVersion` (checked by the loader before abi_stable's layout check, which would also refuse it) |
//! | `zoo_bad_layout` | own root module, sdk's name and version, other fields | `AbiMismatch` |
//! | `zoo_describe_panics` | `describe` panics | `Describe` with code `panicked` |
//! | `zoo_bad_info` | a setting default outside its own range | `InvalidInfo` |
//! | `zoo_future_kind` | a setting kind no sdk 0.2 knows (code 42) | `UnknownSettingKind` |
//! | `zoo_counter` twice | the same id in two dirs | `Duplicate` |
//!
//! Running: `zoo_faulty` fails (`fail = "<step>"`) or panics (`panic = "<step>"`) in the step
//! its settings name (`process_after_write`: after writing pixels and a face); `zoo_counter`
//! always succeeds; `zoo_needy` requires what only `zoo_faulty` provides. A start-up fault
//! leaves `zoo_faulty` out (reported on the first frame) unless `zoo_needy` needs it; a frame
//! fault is rolled back. Profiles run `zoo_faulty` then
//! `zoo_counter`, and the tests read the pixels each writes: `zoo_faulty` writes the frame
//! index into pixel 0, `zoo_counter` the number of frames it saw into pixel 1. Frames start
//! at [`BLANK`], so an untouched pixel shows that a stage did not run.
//!
//! The pipeline has no way to change a live setting, so `update_setting` (and its panic) is
//! exercised by creating a processor straight from the plugin's root module.

use abi_stable::library::{LibraryError, lib_header_from_path};
use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{RArc, RErr, ROk, RResult, RSlice, RSliceMut, RStr, RVec};
use liveswap_host::models::ModelStore;
use liveswap_host::pipeline::{Pipeline, PipelineError, Services, StageEvent};
use liveswap_host::plugins::discovery::plugin_id_from_file;
use liveswap_host::plugins::{LoadError, PluginSet, SearchPath, load_plugin};
use liveswap_host::profile::{Profile, ProfileError, RawProfile};
use liveswap_sdk::{
    FrameCtx, FrameKind, FrameOutcome, HostBox, HostCtx, HostCtx_TO, ImageMut, LogLevel, ModelBox,
    ModelRequest, OwnedImage, ProcessorBox, ProcessorMod_Ref, SDK_VERSION, SdkError, SettingValue,
    Settings, codes,
};
use liveswap_tests::{built_library, install_as_plugin, real_plugin_dir, temp_dir};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The real plugins every load test puts beside the broken one; they must still load.
const REAL: [&str; 2] = ["face_analyser", "face_debugger"];

// ---------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------

/// A fresh plugin dir holding the real plugins and the zoo library `fixture` installed as
/// plugin `id`; returns the dir and the installed file (canonical, as the loader reports it).
fn zoo_dir(test: &str, fixture: &str, id: &str) -> (PathBuf, PathBuf) {
    let dir = real_plugin_dir(&format!("zoo-{test}"));
    let lib = install_as_plugin(&built_library(fixture), &dir, id);
    (dir, lib.canonicalize().unwrap())
}

/// Loads `dir` as a `--plugin-dir`, checks that the real plugins loaded and that exactly
/// `lib` failed, and returns its error.
fn load_one_failure(dir: &Path, lib: &Path) -> LoadError {
    let set = PluginSet::load(&[SearchPath::Cli(dir.to_path_buf())]);
    let ids: Vec<&str> = set.plugins.iter().map(|p| p.id()).collect();
    assert_eq!(
        ids, REAL,
        "the real plugins must load beside a broken one (failures: {:?})",
        set.failures
    );
    assert_eq!(set.failures.len(), 1, "{:?}", set.failures);
    assert_eq!(set.failures[0].path, lib);
    // Loading the same file on its own gives the same answer.
    let alone = load_plugin(lib).unwrap_err();
    assert_eq!(alone.to_string(), set.failures[0].error.to_string());
    set.failures[0].error.clone()
}

/// Checks that the message starts with the file and that the error names `step`, and that
/// the message says what that step is about (`phrase`).
fn assert_names_file_and_step(error: &LoadError, lib: &Path, step: &str, phrase: &str) {
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("{}: ", lib.display())),
        "message does not start with the file: {message}"
    );
    assert_eq!(error.step(), step, "{message}");
    assert!(
        message.contains(phrase),
        "message does not say `{phrase}`: {message}"
    );
}

/// abi_stable's full report for `lib` (the host keeps only its first lines).
fn full_abi_report(lib: &Path) -> String {
    match lib_header_from_path(lib).and_then(|h| h.init_root_module::<ProcessorMod_Ref>()) {
        Err(LibraryError::AbiInstability(report)) => report.to_string(),
        Err(other) => panic!("expected an AbiInstability report, got {other}"),
        Ok(_) => panic!("{} loaded", lib.display()),
    }
}

#[test]
fn a_file_that_is_not_a_shared_library_fails_to_open() {
    let dir = real_plugin_dir("zoo-garbage");
    let name = format!(
        "{}liveswap_garbage{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    let lib = dir.join(name);
    std::fs::write(
        &lib,
        b"this is a text file that only looks like a plugin by its name\n",
    )
    .unwrap();
    let lib = lib.canonicalize().unwrap();

    let error = load_one_failure(&dir, &lib);
    let LoadError::Open { path, reason } = &error else {
        panic!("expected LoadError::Open, got {error:?}")
    };
    assert_eq!(path, &lib);
    assert!(!reason.is_empty(), "the dlopen reason is kept");
    assert_names_file_and_step(&error, &lib, "open", "cannot open as a shared library");
}

#[test]
fn a_library_without_a_root_module_is_not_a_plugin() {
    let (dir, lib) = zoo_dir("not-a-plugin", "zoo_not_a_plugin", "zoo_not_a_plugin");
    let error = load_one_failure(&dir, &lib);
    let LoadError::NotAPlugin { path, reason } = &error else {
        panic!("expected LoadError::NotAPlugin, got {error:?}")
    };
    assert_eq!(path, &lib);
    assert!(!reason.is_empty(), "the symbol lookup's reason is kept");
    assert_names_file_and_step(&error, &lib, "symbol", "not a liveswap plugin");
}

#[test]
fn a_plugin_built_for_an_older_sdk_names_both_versions() {
    let (dir, lib) = zoo_dir("past-sdk", "zoo_past_sdk", "zoo_past_sdk");
    let error = load_one_failure(&dir, &lib);
    let LoadError::IncompatibleVersion {
        path,
        id,
        plugin_sdk,
        host_sdk,
    } = &error
    else {
        panic!("expected LoadError::IncompatibleVersion, got {error:?}")
    };
    assert_eq!(path, &lib);
    assert_eq!(id, "zoo_past_sdk");
    assert_eq!(plugin_sdk, "0.1.0");
    assert_eq!(host_sdk, SDK_VERSION);
    assert_names_file_and_step(
        &error,
        &lib,
        "version",
        &format!("`zoo_past_sdk` was built for sdk 0.1.0, this host provides sdk {SDK_VERSION}"),
    );
}

#[test]
fn a_plugin_built_for_a_newer_sdk_names_both_versions() {
    // abi_stable's own version check lets a newer 0.x minor through (it could only have
    // appended prefix fields) and would fail later on layout; the loader compares the
    // library's sdk version first so the user is told which versions clash.
    let (dir, lib) = zoo_dir("future-sdk", "zoo_future_sdk", "zoo_future_sdk");
    let error = load_one_failure(&dir, &lib);
    let LoadError::IncompatibleVersion {
        path,
        id,
        plugin_sdk,
        host_sdk,
    } = &error
    else {
        panic!("expected LoadError::IncompatibleVersion, got {error:?}")
    };
    assert_eq!(path, &lib);
    assert_eq!(id, "zoo_future_sdk");
    assert_eq!(plugin_sdk, "0.3.0");
    assert_eq!(host_sdk, SDK_VERSION);
    assert_names_file_and_step(
        &error,
        &lib,
        "version",
        &format!("`zoo_future_sdk` was built for sdk 0.3.0, this host provides sdk {SDK_VERSION}"),
    );
    // Without that check abi_stable's layout comparison would have refused it too.
    let report = full_abi_report(&lib);
    assert!(report.contains("incompatible package versions"), "{report}");
    assert!(
        report.contains("'liveswap-sdk' version:'0.3.0'"),
        "{report}"
    );
}

#[test]
fn a_root_module_with_another_layout_is_an_abi_mismatch() {
    let (dir, lib) = zoo_dir("bad-layout", "zoo_bad_layout", "zoo_bad_layout");
    let error = load_one_failure(&dir, &lib);
    let LoadError::AbiMismatch { path, detail } = &error else {
        panic!("expected LoadError::AbiMismatch, got {error:?}")
    };
    assert_eq!(path, &lib);
    assert!(
        detail.contains("too many fields (expected 2, found 1)"),
        "{detail}"
    );
    assert_names_file_and_step(&error, &lib, "layout", "ABI mismatch with the host's sdk");

    // Same package, name and version as the sdk's root module: the fields are what differ.
    let report = full_abi_report(&lib);
    assert!(!report.contains("mismatched package"), "{report}");
    assert!(report.contains("too many fields"), "{report}");
}

#[test]
fn a_panic_in_describe_is_caught_and_reported() {
    let (dir, lib) = zoo_dir(
        "describe-panics",
        "zoo_describe_panics",
        "zoo_describe_panics",
    );
    let error = load_one_failure(&dir, &lib);
    let LoadError::Describe { path, error: sdk } = &error else {
        panic!("expected LoadError::Describe, got {error:?}")
    };
    assert_eq!(path, &lib);
    assert_eq!(sdk.code.as_str(), codes::PANICKED);
    assert!(sdk.is_panic());
    assert!(sdk.message.contains("panicked in describe"), "{sdk:?}");
    assert!(
        sdk.message
            .contains("zoo_describe_panics: describe exploded on purpose"),
        "{sdk:?}"
    );
    assert_names_file_and_step(&error, &lib, "describe", "describe failed");
    // And this process is still here, with the real plugins loaded (checked above).
}

#[test]
fn a_setting_default_outside_its_own_range_is_invalid_info() {
    let (dir, lib) = zoo_dir("bad-info", "zoo_bad_info", "zoo_bad_info");
    let error = load_one_failure(&dir, &lib);
    let LoadError::InvalidInfo { path, reason } = &error else {
        panic!("expected LoadError::InvalidInfo, got {error:?}")
    };
    assert_eq!(path, &lib);
    assert_eq!(
        reason,
        "setting `level`: default 42 is above the maximum 10"
    );
    assert_names_file_and_step(&error, &lib, "validate", "invalid plugin description");
}

#[test]
fn the_same_id_in_a_later_dir_is_a_duplicate() {
    let first = temp_dir("zoo-dup-first");
    let second = temp_dir("zoo-dup-second");
    let kept = install_as_plugin(&built_library("zoo_counter"), &first, "zoo_counter")
        .canonicalize()
        .unwrap();
    let ignored = install_as_plugin(&built_library("zoo_counter"), &second, "zoo_counter")
        .canonicalize()
        .unwrap();

    let set = PluginSet::load(&[SearchPath::Cli(first), SearchPath::Cli(second)]);
    assert_eq!(set.plugins.len(), 1);
    assert_eq!(set.plugins[0].path, kept);
    assert_eq!(set.failures.len(), 1, "{:?}", set.failures);
    let error = &set.failures[0].error;
    let LoadError::Duplicate { path, id, first } = error else {
        panic!("expected LoadError::Duplicate, got {error:?}")
    };
    assert_eq!((path, id.as_str(), first), (&ignored, "zoo_counter", &kept));
    assert_names_file_and_step(
        error,
        &ignored,
        "duplicate",
        &format!("already loaded from {}", kept.display()),
    );
}

#[test]
fn the_whole_zoo_in_one_dir_fails_file_by_file_and_the_rest_loads() {
    let dir = real_plugin_dir("zoo-all");
    for fixture in [
        "zoo_not_a_plugin",
        "zoo_past_sdk",
        "zoo_future_sdk",
        "zoo_bad_layout",
        "zoo_describe_panics",
        "zoo_bad_info",
        "zoo_faulty",
        "zoo_counter",
    ] {
        install_as_plugin(&built_library(fixture), &dir, fixture);
    }
    let garbage = format!(
        "{}liveswap_garbage{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    std::fs::write(dir.join(garbage), b"not a library").unwrap();

    let set = PluginSet::load(&[SearchPath::Cli(dir)]);
    let ids: Vec<&str> = set.plugins.iter().map(|p| p.id()).collect();
    assert_eq!(
        ids,
        [
            "face_analyser",
            "face_debugger",
            "zoo_counter",
            "zoo_faulty"
        ]
    );
    let steps: Vec<(String, &str)> = set
        .failures
        .iter()
        .map(|f| (plugin_id_from_file(&f.path).unwrap(), f.error.step()))
        .collect();
    let expected = [
        ("garbage", "open"),
        ("zoo_bad_info", "validate"),
        ("zoo_bad_layout", "layout"),
        ("zoo_describe_panics", "describe"),
        ("zoo_future_sdk", "version"),
        ("zoo_not_a_plugin", "symbol"),
        ("zoo_past_sdk", "version"),
    ];
    let expected: Vec<(String, &str)> = expected
        .iter()
        .map(|(id, step)| ((*id).to_owned(), *step))
        .collect();
    assert_eq!(steps, expected);
}

#[test]
fn a_profile_naming_a_broken_plugin_says_why_it_is_missing() {
    let (dir, _lib) = zoo_dir("profile-broken", "zoo_bad_info", "zoo_bad_info");
    let plugins = PluginSet::load(&[SearchPath::Cli(dir)]);
    let path = Path::new("zoo.toml");
    let raw = RawProfile::parse(
        "schema_version = 1\n[[processors]]\nid = \"zoo_bad_info\"\n",
        path,
    )
    .unwrap();
    let error = Profile::validate(&raw, path, &plugins, &[]).unwrap_err();
    assert!(matches!(error, ProfileError::Invalid { .. }), "{error:?}");
    let issues = error.issues();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].location, "zoo_bad_info");
    assert!(
        issues[0].message.contains("its plugin failed to load"),
        "{}",
        issues[0]
    );
    assert!(
        issues[0]
            .message
            .contains("default 42 is above the maximum 10"),
        "{}",
        issues[0]
    );
}

// ---------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------

/// The value frames start with; a pixel still holding it was not written.
const BLANK: u8 = 255;

/// A fresh 4×2 frame of [`BLANK`] bytes.
fn blank_frame() -> OwnedImage {
    OwnedImage {
        data: vec![BLANK; 4 * 2 * 3].into(),
        width: 4,
        height: 2,
    }
}

/// The three bytes of pixel `i` (row-major).
fn pixel(frame: &OwnedImage, i: usize) -> [u8; 3] {
    frame.data[i * 3..i * 3 + 3].try_into().unwrap()
}

/// Builds the pipeline `zoo_faulty` (with the TOML `settings` lines) then `zoo_counter`,
/// from a fresh plugin dir holding just those two.
#[allow(
    clippy::result_large_err,
    reason = "returns what `Pipeline::build` returns, for the tests to inspect"
)]
fn zoo_pipeline(test: &str, settings: &str) -> Result<Pipeline, PipelineError> {
    let dir = temp_dir(&format!("zoo-run-{test}"));
    for id in ["zoo_faulty", "zoo_counter"] {
        install_as_plugin(&built_library(id), &dir, id);
    }
    let plugins = PluginSet::load(&[SearchPath::Cli(dir)]);
    assert!(plugins.failures.is_empty(), "{:?}", plugins.failures);
    let text = format!(
        "schema_version = 1\n\n[[processors]]\nid = \"zoo_faulty\"\n[processors.settings]\n{settings}\n\n\
         [[processors]]\nid = \"zoo_counter\"\n"
    );
    let path = Path::new("zoo.toml");
    let raw = RawProfile::parse(&text, path).unwrap();
    let profile = Profile::validate(&raw, path, &plugins, &[]).unwrap();
    let services = Arc::new(Services::cpu(None, ModelStore::new(vec![]).unwrap()));
    Pipeline::build(&profile, &plugins, &services)
}

/// Runs `frames` frames through a healthy pipeline: the host still works.
fn assert_host_still_runs(test: &str, frames: u8) {
    let mut pipeline = zoo_pipeline(test, "").unwrap();
    for n in 1..=frames {
        let mut frame = blank_frame();
        let report = pipeline.process(&mut frame, u64::from(n), 0, &[]);
        assert!(report.events.is_empty(), "{:?}", report.events);
        assert_eq!((pixel(&frame, 0), pixel(&frame, 1)), ([n; 3], [n; 3]));
    }
}

#[test]
fn healthy_zoo_stages_both_run_on_every_frame() {
    let mut pipeline = zoo_pipeline("healthy", "").unwrap();
    assert_eq!(pipeline.stage_ids(), ["zoo_faulty", "zoo_counter"]);
    for n in 1..=3u8 {
        let mut frame = blank_frame();
        let report = pipeline.process(&mut frame, u64::from(n) + 10, 0, &[]);
        assert!(report.events.is_empty(), "{:?}", report.events);
        assert_eq!(
            pixel(&frame, 0),
            [n + 10; 3],
            "zoo_faulty writes the frame index"
        );
        assert_eq!(
            pixel(&frame, 1),
            [n; 3],
            "zoo_counter writes its frame count"
        );
        assert_eq!(
            pixel(&frame, 2),
            [n; 3],
            "zoo_faulty writes its frame count"
        );
    }
    assert!(pipeline.disabled().is_empty());
}

/// Checks that `zoo_faulty` was left out of a pipeline that still runs `zoo_counter`: the
/// first frame reports it disabled with `code`, later frames say nothing, and its pixels are
/// never written. Returns the reported error.
fn assert_left_out(pipeline: &mut Pipeline, code: &str) -> SdkError {
    assert_eq!(
        pipeline.stage_ids(),
        ["zoo_faulty", "zoo_counter"],
        "it keeps its slot"
    );
    let mut reported = None;
    for n in 1..=3u8 {
        let mut frame = blank_frame();
        let report = pipeline.process(&mut frame, u64::from(n), 0, &[]);
        match (n, report.events.as_slice()) {
            (1, [StageEvent::Disabled { id, error }]) => {
                assert_eq!(id, "zoo_faulty");
                assert_eq!(error.code.as_str(), code);
                reported = Some(error.clone());
            }
            (1, other) => panic!("frame 1: expected one Disabled event, got {other:?}"),
            (_, []) => {}
            (_, other) => panic!("frame {n}: reported once only, got {other:?}"),
        }
        assert_eq!(pixel(&frame, 0), [BLANK; 3], "zoo_faulty never runs");
        assert_eq!(pixel(&frame, 1), [n; 3], "zoo_counter runs on every frame");
    }
    let disabled = pipeline.disabled();
    assert_eq!(disabled.len(), 1, "{disabled:?}");
    assert_eq!(disabled[0].0, "zoo_faulty");
    reported.unwrap()
}

#[test]
fn an_error_from_create_leaves_the_stage_out_and_the_run_goes_on() {
    let mut pipeline = zoo_pipeline("fail-create", r#"fail = "create""#).unwrap();
    let error = assert_left_out(&mut pipeline, "zoo_faulty.create");
    assert_eq!(
        error.message.as_str(),
        "zoo_faulty: create failed on request"
    );
}

#[test]
fn a_panic_in_create_leaves_the_stage_out_and_the_run_goes_on() {
    let mut pipeline = zoo_pipeline("panic-create", r#"panic = "create""#).unwrap();
    let error = assert_left_out(&mut pipeline, codes::PANICKED);
    assert!(
        error
            .message
            .contains("panicked in create: zoo_faulty: panic in create on request"),
        "{error:?}"
    );
    assert_host_still_runs("panic-create-after", 2);
}

#[test]
fn an_error_or_panic_in_warmup_leaves_the_stage_out() {
    let mut pipeline = zoo_pipeline("fail-warmup", r#"fail = "warmup""#).unwrap();
    assert_left_out(&mut pipeline, "zoo_faulty.warmup");
    let mut pipeline = zoo_pipeline("panic-warmup", r#"panic = "warmup""#).unwrap();
    let error = assert_left_out(&mut pipeline, codes::PANICKED);
    assert!(error.message.contains("panicked in warmup"), "{error:?}");
    assert_host_still_runs("panic-warmup-after", 1);
}

/// Builds `zoo_faulty` (with `settings`) then `zoo_needy`, which requires what only
/// `zoo_faulty` provides.
#[allow(
    clippy::result_large_err,
    reason = "returns what `Pipeline::build` returns, for the tests to inspect"
)]
fn needy_pipeline(test: &str, settings: &str) -> Result<Pipeline, PipelineError> {
    let dir = temp_dir(&format!("zoo-needy-{test}"));
    for id in ["zoo_faulty", "zoo_needy"] {
        install_as_plugin(&built_library(id), &dir, id);
    }
    let plugins = PluginSet::load(&[SearchPath::Cli(dir)]);
    assert!(plugins.failures.is_empty(), "{:?}", plugins.failures);
    let text = format!(
        "schema_version = 1\n\n[[processors]]\nid = \"zoo_faulty\"\n[processors.settings]\n{settings}\n\n\
         [[processors]]\nid = \"zoo_needy\"\n"
    );
    let path = Path::new("zoo.toml");
    let raw = RawProfile::parse(&text, path).unwrap();
    let profile = Profile::validate(&raw, path, &plugins, &[]).unwrap();
    let services = Arc::new(Services::cpu(None, ModelStore::new(vec![]).unwrap()));
    Pipeline::build(&profile, &plugins, &services)
}

#[test]
fn a_stage_that_another_needs_cannot_be_left_out() {
    let error = needy_pipeline("fail-create", r#"fail = "create""#).unwrap_err();
    let PipelineError::CreateFailed {
        id,
        error: sdk,
        needed_by,
    } = &error
    else {
        panic!("expected PipelineError::CreateFailed, got {error:?}")
    };
    assert_eq!(
        (id.as_str(), needed_by.as_slice()),
        ("zoo_faulty", &["zoo_needy".to_owned()][..])
    );
    assert_eq!(sdk.code.as_str(), "zoo_faulty.create");
    assert_eq!(
        error.to_string(),
        "zoo_faulty: cannot start: zoo_faulty: create failed on request (needed by zoo_needy)"
    );

    let error = needy_pipeline("panic-create", r#"panic = "create""#).unwrap_err();
    assert!(
        matches!(&error, PipelineError::CreatePanicked { id, error, .. } if id == "zoo_faulty" && error.is_panic()),
        "{error:?}"
    );
    let error = needy_pipeline("fail-warmup", r#"fail = "warmup""#).unwrap_err();
    assert!(
        matches!(&error, PipelineError::WarmupFailed { id, needed_by, .. } if id == "zoo_faulty" && needed_by == &["zoo_needy"]),
        "{error:?}"
    );
    assert!(needy_pipeline("healthy", "").is_ok());
}

#[test]
fn an_error_from_process_fails_that_frame_only_and_the_stage_stays_enabled() {
    let mut pipeline = zoo_pipeline("fail-process", r#"fail = "process""#).unwrap();
    for n in 1..=3u8 {
        let mut frame = blank_frame();
        let report = pipeline.process(&mut frame, u64::from(n), 0, &[]);
        match report.events.as_slice() {
            [StageEvent::Failed { id, error }] => {
                assert_eq!(id, "zoo_faulty");
                assert_eq!(error.code.as_str(), "zoo_faulty.process");
            }
            other => panic!("frame {n}: expected one Failed event, got {other:?}"),
        }
        assert_eq!(
            pixel(&frame, 0),
            [BLANK; 3],
            "zoo_faulty failed before writing"
        );
        assert_eq!(pixel(&frame, 1), [n; 3], "zoo_counter still runs after it");
    }
    assert!(pipeline.disabled().is_empty());
    assert_eq!(pipeline.stage_ids(), ["zoo_faulty", "zoo_counter"]);
}

#[test]
fn a_panic_in_process_disables_the_stage_and_later_stages_keep_running() {
    let mut pipeline = zoo_pipeline("panic-process", r#"panic = "process""#).unwrap();

    let mut frame = blank_frame();
    let report = pipeline.process(&mut frame, 1, 0, &[]);
    match report.events.as_slice() {
        [StageEvent::Disabled { id, error }] => {
            assert_eq!(id, "zoo_faulty");
            assert_eq!(error.code.as_str(), codes::PANICKED);
            assert!(
                error
                    .message
                    .contains("panicked in process: zoo_faulty: panic in process on request"),
                "{error:?}"
            );
        }
        other => panic!("frame 1: expected one Disabled event, got {other:?}"),
    }
    assert_eq!(pixel(&frame, 0), [BLANK; 3]);
    assert_eq!(pixel(&frame, 1), [1; 3], "zoo_counter ran after the panic");

    for n in 2..=4u8 {
        let mut frame = blank_frame();
        let report = pipeline.process(&mut frame, u64::from(n), 0, &[]);
        assert!(
            report.events.is_empty(),
            "frame {n}: a disabled stage is skipped silently: {:?}",
            report.events
        );
        assert_eq!(
            pixel(&frame, 0),
            [BLANK; 3],
            "frame {n}: zoo_faulty no longer runs"
        );
        assert_eq!(
            pixel(&frame, 1),
            [n; 3],
            "frame {n}: zoo_counter keeps running"
        );
    }

    let disabled = pipeline.disabled();
    assert_eq!(disabled.len(), 1);
    assert_eq!(disabled[0].0, "zoo_faulty");
    assert!(disabled[0].1.is_panic());
    assert_eq!(
        pipeline.stage_ids(),
        ["zoo_faulty", "zoo_counter"],
        "a disabled stage keeps its slot"
    );
}

/// Live mode warms the pipeline up on a grey frame before the camera starts: a stage that
/// panics there is disabled, and the first real frame still reports it (so the run ends
/// with exit status 3), with the frame going on through the other stages.
#[test]
fn a_panic_during_the_warm_up_is_reported_on_the_first_real_frame() {
    let mut pipeline = zoo_pipeline("panic-warm-up", r#"panic = "process""#).unwrap();
    pipeline.warm_up(&blank_frame(), &[]);
    assert_eq!(pipeline.disabled().len(), 1, "disabled by the warm-up");
    let mut frame = blank_frame();
    let report = pipeline.process(&mut frame, 0, 0, &[]);
    assert!(
        matches!(report.events.as_slice(), [StageEvent::Disabled { id, error }] if id == "zoo_faulty" && error.is_panic()),
        "{:?}",
        report.events
    );
    assert_eq!(
        pixel(&frame, 1),
        [2; 3],
        "zoo_counter ran on the warm-up frame and on frame 0"
    );
    let mut frame = blank_frame();
    let report = pipeline.process(&mut frame, 1, 0, &[]);
    assert!(
        report.events.is_empty(),
        "reported once: {:?}",
        report.events
    );
}

#[test]
fn a_failure_after_writing_pixels_is_rolled_back() {
    let mut pipeline = zoo_pipeline("fail-after-write", r#"fail = "process_after_write""#).unwrap();
    for n in 1..=2u8 {
        let mut frame = blank_frame();
        let report = pipeline.process(&mut frame, u64::from(n), 0, &[]);
        assert!(
            matches!(report.events.as_slice(), [StageEvent::Failed { id, .. }] if id == "zoo_faulty"),
            "{:?}",
            report.events
        );
        assert_eq!(pixel(&frame, 0), [BLANK; 3], "its index write was undone");
        assert_eq!(pixel(&frame, 2), [BLANK; 3], "its count write was undone");
        assert_eq!(
            pixel(&frame, 1),
            [n; 3],
            "zoo_counter ran on the restored frame"
        );
        assert!(
            report.faces.is_empty(),
            "its face was undone too: {:?}",
            report.faces
        );
    }
    assert!(pipeline.disabled().is_empty(), "a failure does not disable");
}

#[test]
fn a_panic_after_writing_pixels_is_rolled_back_and_disables_the_stage() {
    let mut pipeline =
        zoo_pipeline("panic-after-write", r#"panic = "process_after_write""#).unwrap();
    let mut frame = blank_frame();
    let report = pipeline.process(&mut frame, 9, 0, &[]);
    assert!(
        matches!(report.events.as_slice(), [StageEvent::Disabled { id, error }] if id == "zoo_faulty" && error.is_panic()),
        "{:?}",
        report.events
    );
    assert_eq!(
        frame.data.as_slice(),
        {
            let mut want = blank_frame();
            want.data.as_mut_slice()[3..6].fill(1);
            want
        }
        .data
        .as_slice(),
        "only zoo_counter's pixel differs from the input"
    );
    assert!(report.faces.is_empty());
    let mut frame = blank_frame();
    assert!(pipeline.process(&mut frame, 10, 0, &[]).events.is_empty());
    assert_eq!(pixel(&frame, 1), [2; 3]);
}

#[test]
fn a_plugin_with_a_setting_kind_from_a_newer_sdk_is_refused_by_name() {
    let (dir, lib) = zoo_dir("future-kind", "zoo_future_kind", "zoo_future_kind");
    let error = load_one_failure(&dir, &lib);
    let LoadError::UnknownSettingKind { id, key, code, .. } = &error else {
        panic!("expected LoadError::UnknownSettingKind, got {error:?}")
    };
    assert_eq!(
        (id.as_str(), key.as_str(), *code),
        ("zoo_future_kind", "tint", 42)
    );
    assert_eq!(error.step(), "validate");
    assert!(
        error.to_string().contains(
            "`zoo_future_kind` setting `tint` has a setting kind this host does not know (code 42"
        ),
        "{error}"
    );
}

#[test]
fn a_panic_while_dropping_a_processor_does_not_abort_the_host() {
    let mut pipeline = zoo_pipeline("panic-drop", r#"panic = "drop""#).unwrap();
    let mut frame = blank_frame();
    let report = pipeline.process(&mut frame, 7, 0, &[]);
    assert!(report.events.is_empty(), "{:?}", report.events);
    assert_eq!(pixel(&frame, 0), [7; 3]);
    drop(pipeline);
    // Still here: the sdk caught the destructor's panic inside the plugin.
    assert_host_still_runs("panic-drop-after", 2);
}

// ---------------------------------------------------------------------------------------
// Live settings, straight through the root module (the pipeline has no update API)
// ---------------------------------------------------------------------------------------

/// A host context for processors created outside a pipeline: no models, logs dropped.
#[derive(Clone)]
struct BareHost;

impl HostCtx for BareHost {
    fn open_model(&self, _request: ModelRequest) -> RResult<ModelBox, SdkError> {
        RErr(SdkError::new(codes::MODEL, "no models in this test"))
    }

    fn log(&self, _level: LogLevel, _message: RStr<'_>) {}

    fn is_cancelled(&self) -> bool {
        false
    }
}

/// Creates a `zoo_faulty` processor with its defaults plus `settings`, through its root module.
fn faulty_processor(test: &str, settings: &[(&str, &str)]) -> ProcessorBox {
    let dir = temp_dir(&format!("zoo-direct-{test}"));
    let lib = install_as_plugin(&built_library("zoo_faulty"), &dir, "zoo_faulty");
    let plugin = load_plugin(&lib).unwrap();
    let mut values = Settings::defaults(&plugin.info.settings);
    for (key, value) in settings {
        values.set(key, SettingValue::Text((*value).into()));
    }
    let host: HostBox = HostCtx_TO::from_ptr(RArc::new(BareHost), TD_Opaque);
    match (plugin.module.create())(values, host) {
        ROk(processor) => processor,
        RErr(error) => panic!("create failed: {error:?}"),
    }
}

/// Runs one frame through a processor created by [`faulty_processor`].
fn process_one(
    processor: &mut ProcessorBox,
    frame: &mut OwnedImage,
    index: u64,
) -> RResult<FrameOutcome, SdkError> {
    let original = frame.clone();
    let mut faces = RVec::new();
    let (width, height) = (frame.width, frame.height);
    let ctx = FrameCtx {
        frame: ImageMut {
            data: RSliceMut::from_mut_slice(frame.data.as_mut_slice()),
            width,
            height,
            stride: width * 3,
        },
        original: original.as_ref(),
        kind: FrameKind::STILL,
        index,
        timestamp_us: 0,
        faces: &mut faces,
        sources: RSlice::from_slice(&[]),
    };
    processor.process(ctx).map(FrameOutcome::from)
}

#[test]
fn a_live_setting_update_reaches_the_processor() {
    let mut processor = faulty_processor("update-ok", &[]);
    assert_eq!(
        processor.update_setting("level".into(), SettingValue::Int(7).into()),
        ROk(())
    );
    let mut frame = blank_frame();
    assert_eq!(
        process_one(&mut processor, &mut frame, 3),
        ROk(FrameOutcome::Processed)
    );
    assert_eq!(pixel(&frame, 0), [3; 3]);
    assert_eq!(
        pixel(&frame, 3),
        [7; 3],
        "zoo_faulty writes its level into pixel 3"
    );
}

#[test]
fn a_panic_in_update_setting_is_caught_and_poisons_the_processor() {
    let mut processor = faulty_processor("update-panic", &[("panic", "update")]);
    let RErr(error) = processor.update_setting("level".into(), SettingValue::Int(3).into()) else {
        panic!("update_setting should have failed")
    };
    assert_eq!(error.code.as_str(), codes::PANICKED);
    assert!(
        error
            .message
            .contains("panicked in update_setting: zoo_faulty: panic in update on request"),
        "{error:?}"
    );

    // Poisoned: nothing of it runs again, and it says why.
    let mut frame = blank_frame();
    let RErr(error) = process_one(&mut processor, &mut frame, 1) else {
        panic!("a poisoned processor ran")
    };
    assert_eq!(error.code.as_str(), codes::POISONED);
    assert!(error.message.contains("panic in update"), "{error:?}");
    assert_eq!(pixel(&frame, 0), [BLANK; 3]);
    drop(processor);
}
