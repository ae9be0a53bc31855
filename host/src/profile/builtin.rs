//! Profiles that ship inside the binary, so `liveswap run` works without the checkout.
//!
//! Where: [`RawProfile::resolve`] is how every command that runs a profile finds it. The
//! texts are the files in `profiles/` at build time (one source of truth: the files). A
//! `--profile` that names an existing file always reads that file; otherwise a bare name
//! (`default`, `inswapper.toml`) or a `profiles/NAME.toml` path that is missing here is
//! looked up among the built-in ones; no `--profile` at all means `default`.

use super::error::ProfileError;
use super::raw::RawProfile;
use std::path::{Path, PathBuf};

/// The built-in profiles: (name, TOML text).
pub const BUILTIN_PROFILES: [(&str, &str); 6] = [
    ("default", include_str!("../../../profiles/default.toml")),
    (
        "default-mouth",
        include_str!("../../../profiles/default-mouth.toml"),
    ),
    (
        "inswapper",
        include_str!("../../../profiles/inswapper.toml"),
    ),
    (
        "many-faces",
        include_str!("../../../profiles/many-faces.toml"),
    ),
    ("quality", include_str!("../../../profiles/quality.toml")),
    ("debug", include_str!("../../../profiles/debug.toml")),
];

/// The profile used when `--profile` is not given.
pub const DEFAULT_PROFILE: &str = "default";

/// A profile found by [`RawProfile::resolve`].
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedProfile {
    /// The parsed profile.
    pub raw: RawProfile,
    /// How messages name it, and the base of its relative `[[map]]` paths: the file, or
    /// `NAME.toml` for a built-in one (so its map paths are relative to the working dir).
    pub path: PathBuf,
    /// The file it was read from; `None` for a built-in profile.
    pub file: Option<PathBuf>,
}

/// The built-in profile that `arg` names, if any: `NAME`, `NAME.toml` or
/// `profiles/NAME.toml`.
fn builtin_name(arg: &Path) -> Option<&'static str> {
    let parent_ok = match arg.parent() {
        None => true,
        Some(p) => p.as_os_str().is_empty() || p == Path::new("profiles"),
    };
    let ext_ok = arg.extension().is_none_or(|e| e == "toml");
    let stem = arg.file_stem()?.to_str()?;
    if !(parent_ok && ext_ok) {
        return None;
    }
    BUILTIN_PROFILES
        .iter()
        .find(|(name, _)| *name == stem)
        .map(|(name, _)| *name)
}

/// The text of a built-in profile.
pub fn builtin_text(name: &str) -> Option<&'static str> {
    BUILTIN_PROFILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
}

impl RawProfile {
    /// Finds and parses the profile `--profile` names (see the module docs).
    pub fn resolve(arg: Option<&Path>) -> Result<ResolvedProfile, ProfileError> {
        let name = match arg {
            Some(path) if path.is_file() => {
                return Ok(ResolvedProfile {
                    raw: Self::read(path)?,
                    path: path.to_path_buf(),
                    file: Some(path.to_path_buf()),
                });
            }
            Some(path) => builtin_name(path).ok_or_else(|| ProfileError::Read {
                path: path.to_path_buf(),
                reason: format!(
                    "no such file, and not a built-in profile (built in: {})",
                    BUILTIN_PROFILES
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })?,
            None => DEFAULT_PROFILE,
        };
        let path = PathBuf::from(format!("{name}.toml"));
        let text = builtin_text(name).unwrap_or_default();
        Ok(ResolvedProfile {
            raw: Self::parse(text, &path)?,
            path,
            file: None,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_profile_parses() {
        for (name, text) in BUILTIN_PROFILES {
            RawProfile::parse(text, Path::new(name)).unwrap();
        }
    }

    #[test]
    fn names_and_missing_profiles_paths_find_the_builtin_ones() {
        let none = RawProfile::resolve(None).unwrap();
        assert_eq!(none.path, PathBuf::from("default.toml"));
        assert!(none.file.is_none());
        for arg in ["inswapper", "inswapper.toml", "profiles/inswapper.toml"] {
            let r = RawProfile::resolve(Some(Path::new(arg))).unwrap();
            assert_eq!(
                r.raw,
                RawProfile::parse(builtin_text("inswapper").unwrap(), Path::new("x")).unwrap()
            );
        }
        for bad in ["nosuch", "elsewhere/inswapper.toml", "inswapper.json"] {
            let e = RawProfile::resolve(Some(Path::new(bad)))
                .unwrap_err()
                .to_string();
            assert!(e.contains(bad) && e.contains("built in: default"), "{e}");
        }
    }

    #[test]
    fn an_existing_file_wins_over_a_builtin_name() {
        let d = std::env::temp_dir().join(format!("liveswap-builtin-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let f = d.join("default.toml");
        std::fs::write(&f, "schema_version = 1\ndescription = \"mine\"\n").unwrap();
        let r = RawProfile::resolve(Some(&f)).unwrap();
        assert_eq!(r.raw.description.as_deref(), Some("mine"));
        assert_eq!(r.file.as_deref(), Some(f.as_path()));
        std::fs::remove_dir_all(&d).unwrap();
    }
}
