//! Locating and loading the ONNX Runtime shared library.
//!
//! Where it sits: the first step of [`super::InferenceService::new`], before any model is
//! opened. liveswap links ONNX Runtime dynamically (`ort`'s `load-dynamic`), so the binary
//! builds without it and the user can swap in a GPU build of the same library.
//!
//! Search order ([`default_candidates`]); the first file that exists wins:
//! 1. the explicit path (`--ort-lib`),
//! 2. `ORT_DYLIB_PATH`,
//! 3. `<dir>/.runtime/onnxruntime/` for every ancestor `<dir>` of the executable's directory
//!    (so `target/debug/liveswap` finds the copy `host/scripts/setup.sh` put in `<repo>/.runtime`),
//! 4. the per-user data directory `$XDG_DATA_HOME/liveswap/onnxruntime/`
//!    (default `~/.local/share/liveswap/onnxruntime/`),
//! 5. system library directories (`/usr/local/lib`, `/usr/lib`, `/usr/lib/x86_64-linux-gnu`).
//!
//! In a directory, `libonnxruntime.so` is taken first, then versioned `libonnxruntime.so.1*`
//! files, newest version first (`onnxruntime.dll` on Windows, `libonnxruntime*.dylib` on macOS).
//! When nothing is found, [`InferenceError::LibraryNotFound`] lists every place looked and how
//! to install the library.
//!
//! Loading ([`load`]) goes through `ort::init_from` — never `ort::init()` with the environment
//! variable, which panics when the file is missing — exactly once per process, and builds the
//! one ONNX Runtime environment with telemetry switched off (liveswap makes no network use
//! except `models fetch`) and ONNX Runtime's own log routed into `tracing` (target `ort`).

use super::error::InferenceError;
use ort::environment::Environment;
use ort::logging::LogLevel;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// The ONNX Runtime release liveswap is tested with and `host/scripts/setup.sh` installs.
pub const ORT_RELEASE: &str = "1.31.1";

/// Base file name of the library on this platform.
#[cfg(target_os = "windows")]
pub const LIBRARY_NAME: &str = "onnxruntime.dll";
/// Base file name of the library on this platform.
#[cfg(target_os = "macos")]
pub const LIBRARY_NAME: &str = "libonnxruntime.dylib";
/// Base file name of the library on this platform.
#[cfg(not(any(target_os = "windows", target_os = "macos")))]
pub const LIBRARY_NAME: &str = "libonnxruntime.so";

/// One place to look for the library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Candidate {
    /// Exactly this file.
    File(PathBuf),
    /// Any library file in this directory ([`LIBRARY_NAME`] first, then versioned names).
    Dir(PathBuf),
}

impl Candidate {
    /// How the candidate is shown in a "not found" error.
    fn shown(&self) -> PathBuf {
        match self {
            Self::File(p) => p.clone(),
            Self::Dir(d) => d.join(pattern()),
        }
    }
}

/// The candidates in search order, built from the explicit path, the environment and the
/// location of the running executable.
pub fn default_candidates(explicit: Option<&Path>) -> Vec<Candidate> {
    let mut out = Vec::new();
    if let Some(p) = explicit {
        out.push(Candidate::File(p.to_path_buf()));
    }
    if let Some(p) = std::env::var_os("ORT_DYLIB_PATH").filter(|p| !p.is_empty()) {
        out.push(Candidate::File(PathBuf::from(p)));
    }
    if let Some(exe_dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        for dir in exe_dir.ancestors() {
            out.push(Candidate::Dir(dir.join(".runtime").join("onnxruntime")));
        }
    }
    if let Some(data) = user_data_dir() {
        out.push(Candidate::Dir(data.join("liveswap").join("onnxruntime")));
    }
    out.extend(
        system_dirs()
            .iter()
            .map(|d| Candidate::Dir(PathBuf::from(d))),
    );
    dedup(out)
}

/// Returns the first library file among `candidates`, or an error listing every place looked.
pub fn find_library(candidates: &[Candidate]) -> Result<PathBuf, InferenceError> {
    for (i, c) in candidates.iter().enumerate() {
        let found = match c {
            Candidate::File(p) => p.is_file().then(|| p.clone()),
            Candidate::Dir(d) => library_in_dir(d),
        };
        match found {
            Some(path) => {
                if i > 0 {
                    // An explicit path or ORT_DYLIB_PATH that does not exist is worth a warning:
                    // the user asked for one library and gets another.
                    for skipped in candidates[..i]
                        .iter()
                        .filter(|c| matches!(c, Candidate::File(_)))
                    {
                        tracing::warn!(
                            target: "liveswap::inference",
                            "ONNX Runtime library `{}` does not exist; using `{}`",
                            skipped.shown().display(),
                            path.display()
                        );
                    }
                }
                return Ok(path);
            }
            None => {
                tracing::trace!(target: "liveswap::inference", "no ONNX Runtime at {}", c.shown().display());
            }
        }
    }
    Err(InferenceError::LibraryNotFound {
        searched: candidates.iter().map(Candidate::shown).collect(),
    })
}

/// The loaded runtime: the library file, its version and the process-wide environment.
#[derive(Debug)]
pub struct Runtime {
    path: PathBuf,
    version: String,
    environment: Environment,
}

impl Runtime {
    /// The library file that was loaded.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// ONNX Runtime's version (`"1.31.1"`), or `"unknown (git commit …)"` when the library
    /// file is not named after its version.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The process-wide environment sessions are created in.
    pub fn environment(&self) -> &Environment {
        &self.environment
    }

    /// ONNX Runtime's build description (`ORT Build Info: git-branch=rel-1.31.1, …`).
    pub fn build_info(&self) -> &'static str {
        ort::info()
    }
}

/// Locates (with [`default_candidates`]) and loads ONNX Runtime, once per process.
///
/// Later calls return the runtime loaded first; a different `explicit` path is then ignored
/// with a warning (a process can hold only one ONNX Runtime). A failed attempt is not cached:
/// the caller may retry, e.g. after the user picked another file.
pub fn load(explicit: Option<&Path>) -> Result<Arc<Runtime>, InferenceError> {
    static RUNTIME: OnceLock<Arc<Runtime>> = OnceLock::new();
    static INIT: Mutex<()> = Mutex::new(());

    if let Some(rt) = RUNTIME.get() {
        warn_if_other(rt, explicit);
        return Ok(Arc::clone(rt));
    }
    let _guard = INIT.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(rt) = RUNTIME.get() {
        warn_if_other(rt, explicit);
        return Ok(Arc::clone(rt));
    }
    let path = find_library(&default_candidates(explicit))?;
    let rt = Arc::new(init(&path)?);
    tracing::info!(
        target: "liveswap::inference",
        "ONNX Runtime {} loaded from {}",
        rt.version,
        rt.path.display()
    );
    Ok(Arc::clone(RUNTIME.get_or_init(|| rt)))
}

fn warn_if_other(rt: &Runtime, explicit: Option<&Path>) {
    if let Some(p) = explicit
        && p != rt.path
    {
        tracing::warn!(
            target: "liveswap::inference",
            "ONNX Runtime is already loaded from {}; ignoring {}",
            rt.path.display(),
            p.display()
        );
    }
}

fn init(path: &Path) -> Result<Runtime, InferenceError> {
    // ort resolves relative paths against the executable's directory; make the choice explicit.
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    if let Some(reason) = truncated_elf(&path) {
        // dlopen of a truncated ELF can crash the process (SIGBUS) instead of failing.
        return Err(InferenceError::LibraryLoad { path, reason });
    }
    let builder = ort::init_from(&path).map_err(|e| InferenceError::LibraryLoad {
        path: path.clone(),
        reason: load_reason(&e),
    })?;
    let logger: ort::logging::LoggerFunction = Arc::new(forward_ort_log);
    let environment = builder
        .with_name("liveswap")
        .with_telemetry(false)
        .with_logger(logger)
        .build()
        .map_err(|e| InferenceError::Runtime {
            step: "creating the environment".into(),
            reason: e.to_string(),
        })?;
    // The custom logger is registered at verbose level; only pass on what is worth reading.
    environment.set_log_level(LogLevel::Warning);
    Ok(Runtime {
        version: version_of(&path, ort::info()),
        path,
        environment,
    })
}

/// Detects a truncated 64-bit little-endian ELF file (an interrupted copy or download) before
/// it reaches `dlopen`, which maps its segments and may then crash with SIGBUS on the missing
/// part. Returns the reason, or `None` when the file looks whole or is not such an ELF file
/// (`dlopen` then reports what is wrong).
fn truncated_elf(path: &Path) -> Option<String> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let mut header = [0u8; 64];
    file.read_exact(&mut header).ok()?;
    // Magic, ELFCLASS64, ELFDATA2LSB.
    if header[..6] != [0x7f, b'E', b'L', b'F', 2, 1] {
        return None;
    }
    let u16_at = |at: usize| u64::from(u16::from_le_bytes([header[at], header[at + 1]]));
    let u64_at = |at: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&header[at..at + 8]);
        u64::from_le_bytes(b)
    };
    let (ph_off, sh_off) = (u64_at(0x20), u64_at(0x28));
    let ph_end = ph_off.saturating_add(u16_at(0x36).saturating_mul(u16_at(0x38)));
    let sh_end = sh_off.saturating_add(u16_at(0x3a).saturating_mul(u16_at(0x3c)));
    let needed = ph_end.max(sh_end);
    (needed > len).then(|| {
        format!("the file is truncated ({len} bytes; its ELF headers describe at least {needed})")
    })
}

/// The loader's reason. ort's `Display` of a dlopen failure hides the system message (it sits
/// in the error's `source`), so the chain is spelled out.
fn load_reason(e: &ort::LoadDynamicError) -> String {
    match e {
        ort::LoadDynamicError::Dlopen { error, .. } => {
            let mut reason = error.to_string();
            let mut source = std::error::Error::source(error);
            while let Some(s) = source {
                let text = s.to_string();
                if !reason.ends_with(&text) {
                    reason = format!("{reason}: {text}");
                }
                source = s.source();
            }
            reason
        }
        other => other.to_string(),
    }
}

fn forward_ort_log(level: LogLevel, category: &str, _id: &str, location: &str, message: &str) {
    // inswapper's `emap` is an initializer no node uses (the swapper reads it from the file),
    // so ONNX Runtime warns about removing it on every open. Expected: not worth a warning.
    let level = if level == LogLevel::Warning && message.starts_with("Removing initializer") {
        LogLevel::Info
    } else {
        level
    };
    match level {
        LogLevel::Verbose => tracing::trace!(target: "ort", category, location, "{message}"),
        LogLevel::Info => tracing::debug!(target: "ort", category, location, "{message}"),
        LogLevel::Warning => tracing::warn!(target: "ort", category, location, "{message}"),
        LogLevel::Error | LogLevel::Fatal => {
            tracing::error!(target: "ort", category, location, "{message}");
        }
    }
}

/// ONNX Runtime's version as far as it can be told without `unsafe` FFI calls (`ort` does not
/// expose `GetVersionString`): from the versioned file name the path resolves to
/// (`libonnxruntime.so` → `libonnxruntime.so.1.31.1` → `1.31.1`), else from a release branch
/// in the build info, else `unknown (<build info>)`. `ort` itself has already refused
/// anything older than the API version it was built for.
fn version_of(path: &Path, build_info: &str) -> String {
    let resolved = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if let Some(v) = resolved
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(versioned_name)
        && v.len() >= 2
    {
        return v.iter().map(u64::to_string).collect::<Vec<_>>().join(".");
    }
    if let Some(v) = build_info
        .split([',', ' '])
        .find_map(|part| part.trim().strip_prefix("git-branch=rel-"))
    {
        return v.to_owned();
    }
    let commit = build_info
        .split([',', ' '])
        .find_map(|part| part.trim().strip_prefix("git-commit-id="))
        .unwrap_or("?");
    format!("unknown (git commit {commit})")
}

fn pattern() -> String {
    if cfg!(target_os = "macos") {
        "libonnxruntime*.dylib".to_owned()
    } else if cfg!(target_os = "windows") {
        LIBRARY_NAME.to_owned()
    } else {
        format!("{LIBRARY_NAME}*")
    }
}

/// The library in `dir`: [`LIBRARY_NAME`] if present, else the highest versioned name.
fn library_in_dir(dir: &Path) -> Option<PathBuf> {
    let exact = dir.join(LIBRARY_NAME);
    if exact.is_file() {
        return Some(exact);
    }
    let mut versioned: Vec<(Vec<u64>, PathBuf)> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let version = versioned_name(&name)?;
            let path = entry.path();
            path.is_file().then_some((version, path))
        })
        .collect();
    versioned.sort();
    versioned.pop().map(|(_, p)| p)
}

/// The version numbers of a versioned library name (`libonnxruntime.so.1.31.1` → `[1, 31, 1]`),
/// or `None` for other files. Only major version 1 is accepted.
fn versioned_name(name: &str) -> Option<Vec<u64>> {
    let version = if cfg!(target_os = "macos") {
        name.strip_prefix("libonnxruntime.")?
            .strip_suffix(".dylib")?
    } else if cfg!(target_os = "windows") {
        return None;
    } else {
        name.strip_prefix(LIBRARY_NAME)?.strip_prefix('.')?
    };
    let parts: Vec<u64> = version
        .split('.')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    (parts.first() == Some(&1)).then_some(parts)
}

fn user_data_dir() -> Option<PathBuf> {
    if cfg!(target_os = "windows") {
        return std::env::var_os("LOCALAPPDATA").map(PathBuf::from);
    }
    if let Some(d) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("share"))
}

fn system_dirs() -> &'static [&'static str] {
    if cfg!(target_os = "macos") {
        &["/usr/local/lib", "/opt/homebrew/lib", "/usr/lib"]
    } else if cfg!(target_os = "windows") {
        &[]
    } else {
        &["/usr/local/lib", "/usr/lib", "/usr/lib/x86_64-linux-gnu"]
    }
}

fn dedup(candidates: Vec<Candidate>) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::with_capacity(candidates.len());
    for c in candidates {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

#[cfg(all(test, target_os = "linux"))]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use std::fs;

    /// A fresh, empty directory under the system temp dir.
    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("liveswap-inference-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn touch(path: &Path) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, b"not really a library").unwrap();
    }

    #[test]
    fn first_existing_candidate_wins_in_order() {
        let root = temp_dir("order");
        let explicit = root.join("explicit/libonnxruntime.so.1.31.1");
        let project = root.join("repo/.runtime/onnxruntime");
        let user = root.join("data/liveswap/onnxruntime");
        touch(&project.join("libonnxruntime.so.1.31.1"));
        touch(&user.join("libonnxruntime.so"));
        let candidates = vec![
            Candidate::File(explicit.clone()),
            Candidate::Dir(root.join("repo/target/.runtime/onnxruntime")),
            Candidate::Dir(project.clone()),
            Candidate::Dir(user.clone()),
        ];
        // The explicit file does not exist: the project copy is next.
        assert_eq!(
            find_library(&candidates).unwrap(),
            project.join("libonnxruntime.so.1.31.1")
        );
        // Once it exists, the explicit file wins.
        touch(&explicit);
        assert_eq!(find_library(&candidates).unwrap(), explicit);
        // Without the project copy, the user data dir is used.
        assert_eq!(
            find_library(&candidates[3..]).unwrap(),
            user.join("libonnxruntime.so")
        );
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn unversioned_name_first_then_newest_version() {
        let root = temp_dir("names");
        touch(&root.join("libonnxruntime.so.1.9.0"));
        touch(&root.join("libonnxruntime.so.1.31.1"));
        touch(&root.join("libonnxruntime.so.1.23.2"));
        touch(&root.join("libonnxruntime_providers_shared.so"));
        touch(&root.join("libonnxruntime.so.2.0.0"));
        touch(&root.join("libonnxruntime.so.1.31.1.bak-x"));
        assert_eq!(
            library_in_dir(&root).unwrap(),
            root.join("libonnxruntime.so.1.31.1")
        );
        touch(&root.join("libonnxruntime.so"));
        assert_eq!(
            library_in_dir(&root).unwrap(),
            root.join("libonnxruntime.so")
        );
        // A directory named like the library is not a library.
        let dir_only = temp_dir("dironly");
        fs::create_dir_all(dir_only.join("libonnxruntime.so")).unwrap();
        assert_eq!(library_in_dir(&dir_only), None);
        fs::remove_dir_all(&root).unwrap();
        fs::remove_dir_all(&dir_only).unwrap();
    }

    #[test]
    fn not_found_lists_every_place() {
        let root = temp_dir("none");
        let candidates = vec![
            Candidate::File(root.join("given.so")),
            Candidate::Dir(root.join("a")),
            Candidate::Dir(root.join("b")),
        ];
        let err = find_library(&candidates).unwrap_err();
        let InferenceError::LibraryNotFound { searched } = &err else {
            panic!("{err}")
        };
        assert_eq!(
            searched,
            &vec![
                root.join("given.so"),
                root.join("a/libonnxruntime.so*"),
                root.join("b/libonnxruntime.so*")
            ]
        );
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("{}/a/libonnxruntime.so*", root.display())),
            "{msg}"
        );
        assert!(
            msg.contains("setup.sh") && msg.contains("ORT_DYLIB_PATH"),
            "{msg}"
        );
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn default_candidates_order() {
        let c = default_candidates(Some(Path::new("/x/libonnxruntime.so")));
        assert_eq!(c[0], Candidate::File(PathBuf::from("/x/libonnxruntime.so")));
        // The executable's own directory comes before its ancestors, and system dirs come last.
        let exe_dir = std::env::current_exe()
            .unwrap()
            .parent()
            .unwrap()
            .to_path_buf();
        let first_dir = c
            .iter()
            .position(|c| matches!(c, Candidate::Dir(_)))
            .unwrap();
        assert_eq!(
            c[first_dir],
            Candidate::Dir(exe_dir.join(".runtime/onnxruntime"))
        );
        assert!(c.contains(&Candidate::Dir(PathBuf::from("/.runtime/onnxruntime"))));
        assert_eq!(
            c[c.len() - 3..],
            [
                Candidate::Dir("/usr/local/lib".into()),
                Candidate::Dir("/usr/lib".into()),
                Candidate::Dir("/usr/lib/x86_64-linux-gnu".into())
            ]
        );
        // The per-user data dir (when HOME or XDG_DATA_HOME is set) sits just before them.
        if let Some(data) = user_data_dir() {
            assert_eq!(
                c[c.len() - 4],
                Candidate::Dir(data.join("liveswap/onnxruntime"))
            );
        }
    }

    #[test]
    fn truncated_elf_is_detected() {
        let root = temp_dir("elf");
        let mut header = vec![0u8; 64];
        header[..6].copy_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1]);
        header[0x28..0x30].copy_from_slice(&1000u64.to_le_bytes()); // section headers at 1000
        header[0x3a..0x3c].copy_from_slice(&64u16.to_le_bytes());
        header[0x3c..0x3e].copy_from_slice(&2u16.to_le_bytes()); // ... 2 × 64 bytes
        let lib = root.join("libonnxruntime.so");
        fs::write(&lib, &header).unwrap();
        let reason = truncated_elf(&lib).unwrap();
        assert_eq!(
            reason,
            "the file is truncated (64 bytes; its ELF headers describe at least 1128)"
        );
        header.resize(1128, 0);
        fs::write(&lib, &header).unwrap();
        assert_eq!(truncated_elf(&lib), None);
        fs::write(&lib, b"not an elf file").unwrap();
        assert_eq!(truncated_elf(&lib), None);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn version_parsing() {
        let info = "ORT Build Info: git-branch=HEAD, git-commit-id=6af1a93, build type=Release";
        let root = temp_dir("version");
        let real = root.join("libonnxruntime.so.1.31.1");
        touch(&real);
        assert_eq!(version_of(&real, info), "1.31.1");
        std::os::unix::fs::symlink(&real, root.join("libonnxruntime.so")).unwrap();
        assert_eq!(version_of(&root.join("libonnxruntime.so"), info), "1.31.1");
        let plain = root.join("custom.so");
        touch(&plain);
        assert_eq!(version_of(&plain, info), "unknown (git commit 6af1a93)");
        assert_eq!(
            version_of(&plain, "ORT Build Info: git-branch=rel-1.23.2, x=y"),
            "1.23.2"
        );
        fs::remove_dir_all(&root).unwrap();

        assert_eq!(
            versioned_name("libonnxruntime.so.1.31.1"),
            Some(vec![1, 31, 1])
        );
        assert_eq!(versioned_name("libonnxruntime.so.1"), Some(vec![1]));
        assert_eq!(versioned_name("libonnxruntime.so"), None);
        assert_eq!(versioned_name("libonnxruntime.so.1.x"), None);
    }
}
