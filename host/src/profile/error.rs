//! Profile errors: one list of located issues.

use std::fmt;
use std::path::PathBuf;

/// One problem in a profile, located as `processor.key` where possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileIssue {
    /// `processor`, `processor.key`, or empty for file-level problems.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ProfileIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.location, self.message)
        }
    }
}

/// A profile that cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// The file could not be read.
    ///
    /// ## Resolution
    /// Check the path given to `--profile`.
    #[error("{path}: cannot read profile: {reason}")]
    Read {
        /// The profile file.
        path: PathBuf,
        /// The OS error.
        reason: String,
    },
    /// The file is not valid TOML or does not follow the profile schema.
    ///
    /// ## Resolution
    /// Fix the line the message points at; `liveswap profile check FILE` re-checks.
    #[error("{path}: {message}")]
    Parse {
        /// The profile file.
        path: PathBuf,
        /// The TOML error, with line and column.
        message: String,
    },
    /// The profile parsed but does not fit the loaded plugins.
    ///
    /// ## Resolution
    /// Fix each listed setting; `liveswap plugins` lists every setting with its range.
    #[error("{}", render_issues(path, issues))]
    Invalid {
        /// The profile file.
        path: PathBuf,
        /// Every problem found.
        issues: Vec<ProfileIssue>,
    },
}

fn render_issues(path: &std::path::Path, issues: &[ProfileIssue]) -> String {
    issues
        .iter()
        .map(|i| format!("{}: {i}", path.display()))
        .collect::<Vec<_>>()
        .join("\n")
}

impl ProfileError {
    /// The issues of an `Invalid` error (empty for other kinds).
    pub fn issues(&self) -> &[ProfileIssue] {
        match self {
            Self::Invalid { issues, .. } => issues,
            _ => &[],
        }
    }
}
