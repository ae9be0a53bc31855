//! The one-time responsible-use notice and its acceptance.
//!
//! Where: `main` asks for it before `run` and `preview` (and `live` / `ui`) start the host; the
//! UI shows [`NOTICE`] itself and calls [`record`]. Acceptance is a small file,
//! `terms-accepted`, in the user config folder: `$LIVESWAP_CONFIG_DIR`, else
//! `$XDG_CONFIG_HOME/liveswap`, else `~/.config/liveswap`. It holds [`TERMS_VERSION`], so a
//! changed notice is asked for again.
//!
//! Order: a recorded acceptance of this version → go on. `LIVESWAP_ACCEPT_TERMS=1` → go on for
//! this process, nothing recorded (containers, CI). `--accept-terms` → the notice is printed,
//! acceptance recorded. On a terminal (stdin and stderr) → the notice and a yes/no question.
//! Otherwise the command stops with [`not_accepted_message`], which says how to accept.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

/// Version of [`NOTICE`]; bump it when the text changes in substance.
pub const TERMS_VERSION: u32 = 1;

/// The variable that accepts the notice for one process (`1`, `true` or `yes`).
pub const ACCEPT_ENV: &str = "LIVESWAP_ACCEPT_TERMS";

/// The variable that overrides the config folder.
pub const CONFIG_DIR_ENV: &str = "LIVESWAP_CONFIG_DIR";

/// File name of the record in the config folder.
pub const RECORD_FILE: &str = "terms-accepted";

/// The notice.
pub const NOTICE: &str = "\
liveswap swaps faces in photos, videos and live video. Before you use it:
  * Use it only with the consent of the people whose faces you use and show.
  * Label what you make as synthetic (AI-generated) wherever you share it;
    `--label` draws a visible mark, and every output carries a metadata label.
  * Follow the law where you live and where you publish: impersonation, fraud,
    harassment and sexual images of real people may be crimes.
liveswap refuses sexual content (the content_guard processor); that check is
a safeguard, not a permission.";

/// How the notice was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acceptance {
    /// Accepted earlier on this machine.
    Recorded,
    /// [`ACCEPT_ENV`] is set.
    Environment,
    /// `--accept-terms` (now recorded).
    Flag,
    /// Answered yes on the terminal (now recorded).
    Interactive,
}

/// Where to look and what was passed; [`Consent::from_env`] fills it from the process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    /// The config folder (`None` when no home folder is known).
    pub dir: Option<PathBuf>,
    /// [`ACCEPT_ENV`] is set to a true value.
    pub env_accepts: bool,
    /// `--accept-terms` was given.
    pub flag: bool,
}

/// The config folder from the environment (see the module docs).
pub fn config_dir() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(d) = var(CONFIG_DIR_ENV) {
        return Some(PathBuf::from(d));
    }
    if let Some(d) = var("XDG_CONFIG_HOME") {
        return Some(PathBuf::from(d).join("liveswap"));
    }
    var("HOME").map(|h| PathBuf::from(h).join(".config").join("liveswap"))
}

/// What to tell a user who has not accepted and cannot be asked.
pub fn not_accepted_message() -> String {
    format!(
        "the responsible-use notice has not been accepted on this machine, and there is no terminal to ask on.\n{NOTICE}\nTo accept: run liveswap once in a terminal and answer yes, or pass --accept-terms (recorded), or set {ACCEPT_ENV}=1 (this process only)."
    )
}

/// Whether `dir` holds an acceptance of this version of the notice.
pub fn is_recorded(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join(RECORD_FILE)).is_ok_and(|text| {
        text.lines()
            .find_map(|l| l.strip_prefix("version = "))
            .and_then(|v| v.trim().parse::<u32>().ok())
            == Some(TERMS_VERSION)
    })
}

/// Records acceptance of this version in `dir` (created if needed).
///
/// # Errors
/// The folder or file cannot be written.
pub fn record(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    std::fs::write(
        dir.join(RECORD_FILE),
        format!(
            "# liveswap responsible-use notice accepted\nversion = {TERMS_VERSION}\naccepted_unix_s = {secs}\n"
        ),
    )
}

fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

impl Consent {
    /// From the process environment and the `--accept-terms` flag.
    pub fn from_env(flag: bool) -> Self {
        let env_accepts = std::env::var(ACCEPT_ENV)
            .is_ok_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"));
        Self {
            dir: config_dir(),
            env_accepts,
            flag,
        }
    }

    /// Asks for, or finds, acceptance. `terminal` is `Some((answers, notice output))` when
    /// the user can be asked; `notice` gets the notice when it is shown.
    ///
    /// # Errors
    /// The text to show when the notice is not accepted (refused, or nobody to ask).
    pub fn ensure(
        &self,
        notice: &mut dyn Write,
        terminal: Option<&mut dyn BufRead>,
    ) -> Result<Acceptance, String> {
        if self.dir.as_deref().is_some_and(is_recorded) {
            return Ok(Acceptance::Recorded);
        }
        if self.env_accepts {
            return Ok(Acceptance::Environment);
        }
        let keep = |how: Acceptance| {
            match &self.dir {
                Some(dir) => {
                    if let Err(e) = record(dir) {
                        tracing::warn!(
                            "cannot record the acceptance in {}: {e}; you will be asked again",
                            dir.display()
                        );
                    }
                }
                None => tracing::warn!(
                    "no config folder (set HOME or {CONFIG_DIR_ENV}); the acceptance is not recorded"
                ),
            }
            how
        };
        if self.flag {
            let _ = writeln!(
                notice,
                "{NOTICE}\nAccepted with --accept-terms (recorded; not shown again)."
            );
            return Ok(keep(Acceptance::Flag));
        }
        let Some(answers) = terminal else {
            return Err(not_accepted_message());
        };
        let _ = write!(notice, "{NOTICE}\nDo you accept? [y/N] ");
        let _ = notice.flush();
        let mut line = String::new();
        let _ = answers.read_line(&mut line);
        if is_yes(&line) {
            Ok(keep(Acceptance::Interactive))
        } else {
            Err(
                "the responsible-use notice was not accepted; liveswap will not run without it"
                    .into(),
            )
        }
    }
}

/// The command-line check: [`Consent::from_env`], asking on the terminal when stdin and stderr
/// are both terminals.
///
/// # Errors
/// See [`Consent::ensure`].
pub fn ensure_for_cli(flag: bool) -> Result<Acceptance, String> {
    use std::io::IsTerminal as _;
    let consent = Consent::from_env(flag);
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let mut stderr = std::io::stderr();
    if interactive {
        let mut stdin = std::io::stdin().lock();
        consent.ensure(&mut stderr, Some(&mut stdin))
    } else {
        consent.ensure(&mut stderr, None)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("liveswap-consent-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    fn consent(dir: &Path) -> Consent {
        Consent {
            dir: Some(dir.to_path_buf()),
            env_accepts: false,
            flag: false,
        }
    }

    #[test]
    fn without_a_terminal_it_stops_and_says_how_to_accept() {
        let dir = temp("none");
        let mut shown = Vec::new();
        let e = consent(&dir).ensure(&mut shown, None).unwrap_err();
        assert!(
            e.contains("--accept-terms") && e.contains("LIVESWAP_ACCEPT_TERMS=1"),
            "{e}"
        );
        assert!(!dir.join(RECORD_FILE).exists());
    }

    #[test]
    fn a_yes_on_the_terminal_is_recorded_and_not_asked_again() {
        let dir = temp("yes");
        let mut shown = Vec::new();
        let mut answers: &[u8] = b"yes\n";
        let how = consent(&dir)
            .ensure(&mut shown, Some(&mut answers))
            .unwrap();
        assert_eq!(how, Acceptance::Interactive);
        let text = String::from_utf8(shown).unwrap();
        assert!(text.contains("consent") && text.contains("[y/N]"), "{text}");
        assert!(is_recorded(&dir));
        let mut again = Vec::new();
        assert_eq!(
            consent(&dir).ensure(&mut again, None).unwrap(),
            Acceptance::Recorded
        );
        assert!(again.is_empty(), "not shown twice");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn no_on_the_terminal_refuses_and_records_nothing() {
        let dir = temp("no");
        let mut shown = Vec::new();
        let mut answers: &[u8] = b"\n";
        assert!(
            consent(&dir)
                .ensure(&mut shown, Some(&mut answers))
                .is_err()
        );
        assert!(!is_recorded(&dir));
    }

    #[test]
    fn the_flag_records_and_the_environment_does_not() {
        let dir = temp("flag");
        let mut shown = Vec::new();
        let env = Consent {
            env_accepts: true,
            ..consent(&dir)
        };
        assert_eq!(
            env.ensure(&mut shown, None).unwrap(),
            Acceptance::Environment
        );
        assert!(!is_recorded(&dir));
        let flag = Consent {
            flag: true,
            ..consent(&dir)
        };
        assert_eq!(flag.ensure(&mut shown, None).unwrap(), Acceptance::Flag);
        assert!(is_recorded(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_older_version_is_asked_again() {
        let dir = temp("old");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(RECORD_FILE), "version = 0\n").unwrap();
        assert!(!is_recorded(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
