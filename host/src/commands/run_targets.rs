//! The targets of one `liveswap run` and where each output goes.
//!
//! `-t` is repeatable and takes files, folders (their images and videos by extension, not
//! recursive, hidden files skipped, in name order) and patterns with `*` / `?` in the file
//! name (`'photos/*.jpg'`, quoted so the shell leaves it alone). Output names come from
//! `-o FILE` (one target), `-o DIR/` (each output under its target's file name in DIR) or
//! `--output-template` (`{dir}`, `{stem}`, `{name}`, `{ext}`). Two targets may not share an
//! output, and no output may be a target.

use super::error::CommandError;
use crate::media::is_image_path;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Video file extensions a folder or pattern picks up (a file named on the command line is
/// tried as a video whatever its extension).
const VIDEO_EXTENSIONS: [&str; 12] = [
    "mp4", "m4v", "mkv", "mov", "webm", "avi", "wmv", "flv", "mpg", "mpeg", "ts", "3gp",
];

/// One target and its output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Job {
    /// The file to process.
    pub(super) target: PathBuf,
    /// Where its result goes.
    pub(super) output: PathBuf,
}

/// Whether a folder listing or pattern should pick up `path`.
fn is_media(path: &Path) -> bool {
    let hidden = path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'));
    !hidden
        && path.is_file()
        && (is_image_path(path)
            || path.extension().is_some_and(|e| {
                VIDEO_EXTENSIONS.contains(&e.to_string_lossy().to_ascii_lowercase().as_str())
            }))
}

/// `*` (any run of characters) and `?` (one character) matching of a file name.
fn matches(pattern: &[char], name: &[char]) -> bool {
    match (pattern.first(), name.first()) {
        (None, None) => true,
        (Some('*'), _) => {
            matches(&pattern[1..], name) || (!name.is_empty() && matches(pattern, &name[1..]))
        }
        (Some('?'), Some(_)) => matches(&pattern[1..], &name[1..]),
        (Some(p), Some(n)) if p == n => matches(&pattern[1..], &name[1..]),
        _ => false,
    }
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, CommandError> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| CommandError::BadTargets(format!("{}: cannot list: {e}", dir.display())))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    Ok(entries)
}

/// Expands the `-t` arguments into files, in order, each once. Returns them and whether the
/// run is a batch (more than one file, or any folder or pattern).
pub(super) fn expand(args: &[PathBuf]) -> Result<(Vec<PathBuf>, bool), CommandError> {
    let mut files = Vec::new();
    let mut batch = args.len() > 1;
    for arg in args {
        let name = arg
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if arg.is_dir() {
            batch = true;
            let found: Vec<PathBuf> = sorted_entries(arg)?
                .into_iter()
                .filter(|p| is_media(p))
                .collect();
            if found.is_empty() {
                return Err(CommandError::BadTargets(format!(
                    "-t {}: the folder holds no image or video",
                    arg.display()
                )));
            }
            files.extend(found);
        } else if !arg.exists() && (name.contains('*') || name.contains('?')) {
            batch = true;
            let dir = match arg.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            let pattern: Vec<char> = name.chars().collect();
            let found: Vec<PathBuf> = sorted_entries(&dir)?
                .into_iter()
                .filter(|p| {
                    let n: Vec<char> = p
                        .file_name()
                        .map(|n| n.to_string_lossy().chars().collect())
                        .unwrap_or_default();
                    p.is_file() && matches(&pattern, &n) && !n.starts_with(&['.'])
                })
                .map(|p| match arg.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => p,
                    _ => PathBuf::from(p.file_name().unwrap_or_default()),
                })
                .collect();
            if found.is_empty() {
                return Err(CommandError::BadTargets(format!(
                    "-t {}: no file matches",
                    arg.display()
                )));
            }
            files.extend(found);
        } else {
            files.push(arg.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.canonicalize().unwrap_or_else(|_| f.clone())));
    Ok((files, batch))
}

/// Fills an `--output-template` for `target`.
pub(super) fn from_template(template: &str, target: &Path) -> PathBuf {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.display().to_string(),
        _ => ".".to_owned(),
    };
    let text = |o: Option<&std::ffi::OsStr>| o.map(|s| s.to_string_lossy().into_owned());
    let stem = text(target.file_stem()).unwrap_or_default();
    let name = text(target.file_name()).unwrap_or_default();
    let ext = text(target.extension()).unwrap_or_default();
    PathBuf::from(
        template
            .replace("{dir}", &dir)
            .replace("{stem}", &stem)
            .replace("{name}", &name)
            .replace("{ext}", &ext),
    )
}

/// Pairs each target with its output (see the module docs).
pub(super) fn plan(
    files: &[PathBuf],
    batch: bool,
    output: Option<&Path>,
    template: Option<&str>,
) -> Result<Vec<Job>, CommandError> {
    let jobs: Vec<Job> = match (output, template) {
        (_, Some(t)) => files
            .iter()
            .map(|f| Job {
                target: f.clone(),
                output: from_template(t, f),
            })
            .collect(),
        (Some(out), None) => {
            let dir_like = out.is_dir() || out.as_os_str().to_string_lossy().ends_with('/');
            if !dir_like && batch {
                return Err(CommandError::BadTargets(format!(
                    "-o {}: several targets need an output folder (-o DIR/, ending in /) or --output-template",
                    out.display()
                )));
            }
            files
                .iter()
                .map(|f| Job {
                    target: f.clone(),
                    output: if dir_like {
                        out.join(f.file_name().unwrap_or_default())
                    } else {
                        out.to_path_buf()
                    },
                })
                .collect()
        }
        (None, None) => {
            return Err(CommandError::BadTargets(
                "give --output FILE|DIR/ or --output-template".into(),
            ));
        }
    };
    let mut by_output: BTreeMap<&Path, &Path> = BTreeMap::new();
    for job in &jobs {
        if let Some(first) = by_output.insert(&job.output, &job.target) {
            return Err(CommandError::BadTargets(format!(
                "{} and {} would both be written to {}; use --output-template with {{dir}} or {{ext}} to tell them apart",
                first.display(),
                job.target.display(),
                job.output.display()
            )));
        }
    }
    Ok(jobs)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn m(p: &str, n: &str) -> bool {
        matches(
            &p.chars().collect::<Vec<_>>(),
            &n.chars().collect::<Vec<_>>(),
        )
    }

    #[test]
    fn patterns() {
        assert!(m("*.jpg", "a.jpg") && m("*.jpg", ".jpg") && m("a?c*", "abc.png"));
        assert!(!m("*.jpg", "a.jpeg") && !m("a?c", "ac") && !m("b*", "ab"));
    }

    #[test]
    fn folders_patterns_templates_and_collisions() {
        let d = std::env::temp_dir().join(format!("liveswap-targets-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("sub")).unwrap();
        for f in [
            "b.jpg",
            "a.png",
            "c.mp4",
            "notes.txt",
            ".hidden.jpg",
            "a.jpg",
        ] {
            std::fs::write(d.join(f), b"x").unwrap();
        }
        let (files, batch) = expand(std::slice::from_ref(&d)).unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.jpg", "a.png", "b.jpg", "c.mp4"]);
        assert!(batch);
        let (files, _) = expand(&[d.join("*.jpg"), d.join("a.jpg")]).unwrap();
        assert_eq!(files.len(), 2, "{files:?}");
        assert!(
            expand(&[d.join("*.gif")])
                .unwrap_err()
                .to_string()
                .contains("no file matches")
        );
        assert!(expand(&[d.join("sub")]).is_err());
        let (one, batch) = expand(&[d.join("a.png")]).unwrap();
        assert!(!batch);
        assert_eq!(
            plan(&one, batch, Some(&d.join("o.png")), None).unwrap()[0].output,
            d.join("o.png")
        );

        let (files, batch) = expand(std::slice::from_ref(&d)).unwrap();
        assert!(plan(&files, batch, Some(&d.join("out.png")), None).is_err());
        let jobs = plan(&files, batch, Some(&d.join("out/")), None).unwrap();
        assert_eq!(jobs[3].output, d.join("out/c.mp4"));
        // a.jpg and a.png collide under {stem}.png; {ext} tells them apart.
        let e = plan(&files, batch, None, Some("{dir}/x/{stem}.png")).unwrap_err();
        assert!(e.to_string().contains("would both be written"), "{e}");
        let jobs = plan(&files, batch, None, Some("{dir}/{stem}-swapped.{ext}")).unwrap();
        assert_eq!(jobs[0].output, d.join("a-swapped.jpg"));
        assert_eq!(
            from_template("{name}", Path::new("q.jpg")),
            PathBuf::from("q.jpg")
        );
        std::fs::remove_dir_all(&d).unwrap();
    }
}
