//! Where plugins are looked for, and which files count as plugins.
//!
//! Search places, in order (earlier places win when two hold the same plugin id):
//! 1. every `--plugin-dir` given on the command line;
//! 2. every directory in `LIVESWAP_PLUGIN_PATH` (separated like `PATH`);
//! 3. the directory holding the `liveswap` executable (in a cargo build, `target/<profile>`,
//!    where cargo also writes the plugin `cdylib`s).
//!
//! Only files named like a plugin library of this platform are considered:
//! `libliveswap_<id>.so` on Linux, `libliveswap_<id>.dylib` on macOS, `liveswap_<id>.dll`
//! on Windows. Nothing is searched recursively.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Every plugin library's file stem starts with this (after the platform's `lib` prefix).
pub const PLUGIN_PREFIX: &str = "liveswap_";

/// Where a plugin directory came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchPath {
    /// `--plugin-dir`.
    Cli(PathBuf),
    /// `LIVESWAP_PLUGIN_PATH`.
    Env(PathBuf),
    /// Next to the executable.
    ExeDir(PathBuf),
}

impl SearchPath {
    /// The directory.
    pub fn dir(&self) -> &Path {
        match self {
            Self::Cli(p) | Self::Env(p) | Self::ExeDir(p) => p,
        }
    }

    /// Builds the ordered list of search places.
    pub fn collect(cli: &[PathBuf], env: Option<OsString>, exe_dir: Option<PathBuf>) -> Vec<Self> {
        let mut out: Vec<Self> = cli.iter().cloned().map(Self::Cli).collect();
        if let Some(env) = env {
            out.extend(
                std::env::split_paths(&env)
                    .filter(|p| !p.as_os_str().is_empty())
                    .map(Self::Env),
            );
        }
        out.extend(exe_dir.map(Self::ExeDir));
        out
    }

    /// The search places for this process: CLI dirs, the environment, the executable's dir.
    pub fn from_env(cli: &[PathBuf]) -> Vec<Self> {
        let exe_dir = std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf));
        Self::collect(cli, std::env::var_os("LIVESWAP_PLUGIN_PATH"), exe_dir)
    }
}

/// `(prefix, suffix)` of shared library file names on this platform.
fn library_affixes() -> (&'static str, &'static str) {
    (std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX)
}

/// The plugin id a file name stands for, if it is named like a plugin library.
pub fn plugin_id_from_file(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let (prefix, suffix) = library_affixes();
    let stem = name.strip_prefix(prefix)?.strip_suffix(suffix)?;
    let id = stem.strip_prefix(PLUGIN_PREFIX)?;
    let valid = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    valid.then(|| id.to_owned())
}

/// Plugin library files in `dir`, sorted by name. A missing directory yields none.
pub fn plugin_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && plugin_id_from_file(p).is_some())
        .collect();
    files.sort();
    files
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn names_must_carry_the_prefix() {
        let (p, s) = library_affixes();
        let f = |stem: &str| PathBuf::from(format!("{p}{stem}{s}"));
        assert_eq!(
            plugin_id_from_file(&f("liveswap_face_analyser")).as_deref(),
            Some("face_analyser")
        );
        assert_eq!(plugin_id_from_file(&f("face_analyser")), None);
        assert_eq!(plugin_id_from_file(&f("liveswap_")), None);
        assert_eq!(plugin_id_from_file(&f("liveswap_Bad-Name")), None);
        assert_eq!(
            plugin_id_from_file(Path::new("liveswap_face_analyser.txt")),
            None
        );
    }

    #[test]
    fn search_order_is_cli_env_exe() {
        let env = std::env::join_paths([PathBuf::from("/e1"), PathBuf::from("/e2")]).unwrap();
        let got = SearchPath::collect(&[PathBuf::from("/c")], Some(env), Some(PathBuf::from("/x")));
        let dirs: Vec<_> = got.iter().map(|s| s.dir().to_path_buf()).collect();
        assert_eq!(dirs, ["/c", "/e1", "/e2", "/x"].map(PathBuf::from));
        assert!(matches!(got[0], SearchPath::Cli(_)));
        assert!(matches!(got[3], SearchPath::ExeDir(_)));
    }

    #[test]
    fn only_plugin_files_are_listed() {
        let dir = std::env::temp_dir().join(format!("liveswap-disc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (p, s) = library_affixes();
        for name in [
            format!("{p}liveswap_b{s}"),
            format!("{p}liveswap_a{s}"),
            format!("{p}other{s}"),
            "notes.txt".into(),
        ] {
            std::fs::write(dir.join(name), b"x").unwrap();
        }
        let ids: Vec<_> = plugin_files(&dir)
            .iter()
            .filter_map(|f| plugin_id_from_file(f))
            .collect();
        assert_eq!(ids, ["a", "b"]);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(plugin_files(&dir).is_empty());
    }
}
