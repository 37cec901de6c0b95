//! Why a scenario could not be used: the error the scenario reader returns.

use std::fmt;
use std::path::PathBuf;

use super::bundled::BUNDLED;
use super::doc::{MAX_KEY_PARTS, MAX_LISTED, SHOWN_OF_SET};
use super::reader::{Diagnostic, abbreviate_to, nearest};

/// Why a scenario could not be used.
#[derive(Debug)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file could not be read.
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The text was read but has mistakes; all of them, in file order.
    Invalid {
        file: String,
        diagnostics: Vec<Diagnostic>,
    },
    /// A `--set` argument is not `key=value`.
    BadOverride { assignment: String },
    /// A `--set` key written with quotes, which would make a dotted name one key.
    QuotedOverrideKey {
        assignment: String,
        unquoted: String,
    },
    /// A `--set` key of more dotted parts than any scenario key has (or TOML reads to).
    DeepOverrideKey { assignment: String },
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Read { path, source } => {
                write!(f, "cannot read scenario {}: {source}", path.display())?;
                if source.kind() == std::io::ErrorKind::NotFound {
                    // A name, not a path, was most likely meant: say which names exist.
                    let names: Vec<&str> = BUNDLED.iter().map(|b| b.name).collect();
                    let asked = path.to_string_lossy();
                    write!(
                        f,
                        "; no file of that name, and the bundled scenarios are {}",
                        names.join(", ")
                    )?;
                    if let Some(n) = nearest(&asked, &names) {
                        write!(f, " (did you mean `{n}`?)")?;
                    }
                }
                Ok(())
            }
            ScenarioError::Invalid { file, diagnostics } => {
                // A diagnostic that stands for unlisted others counts them, not itself.
                let n: usize = diagnostics.iter().map(|d| d.unlisted.max(1)).sum();
                write!(f, "{file}: {n} error{}", if n == 1 { "" } else { "s" })?;
                // As many as anyone reads: a file of unknown keys on every line has hundreds
                // of thousands, and the first ones tell what is wrong. A diagnostic that counts
                // others (of the syntax, of an inventory) is always shown.
                let listed = diagnostics.iter().filter(|d| d.unlisted == 0).count();
                let shown = listed.min(MAX_LISTED);
                if n > shown {
                    write!(f, ", the first {shown} listed")?;
                }
                let mut left = shown;
                for d in diagnostics {
                    if d.unlisted > 0 || left > 0 {
                        write!(f, "\n  {d}")?;
                        left -= usize::from(d.unlisted == 0);
                    }
                }
                if listed > shown {
                    write!(
                        f,
                        "\n  and {} more, not listed (fix those above and validate again)",
                        listed - shown
                    )?;
                }
                Ok(())
            }
            ScenarioError::QuotedOverrideKey {
                assignment,
                unquoted,
            } => write!(
                f,
                "--set `{}`: write the key without quotes, e.g. --set {}=VALUE",
                abbreviate_to(assignment, SHOWN_OF_SET),
                abbreviate_to(unquoted, SHOWN_OF_SET)
            ),
            ScenarioError::DeepOverrideKey { assignment } => write!(
                f,
                "--set `{}`: a key of more than {MAX_KEY_PARTS} dotted parts, more than any scenario key has",
                abbreviate_to(assignment, SHOWN_OF_SET)
            ),
            ScenarioError::BadOverride { assignment } => {
                write!(
                    f,
                    "--set `{}` is not KEY=VALUE (e.g. --set batching.max_tenants=50)",
                    abbreviate_to(assignment, SHOWN_OF_SET)
                )
            }
        }
    }
}

impl std::error::Error for ScenarioError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ScenarioError::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::Scenario;

    /// A file with a mistake on every line lists the first 20 and counts the rest, so a
    /// damaged file cannot flood the screen; one with few lists them all.
    #[test]
    fn many_errors_are_listed_to_twenty_and_counted() {
        let text: String = (0..25).map(|i| format!("k{i} = 1\n")).collect();
        let e = Scenario::from_text(&text, "s.toml", &[])
            .unwrap_err()
            .to_string();
        let lines: Vec<&str> = e.lines().collect();
        assert_eq!(lines[0], "s.toml: 25 errors, the first 20 listed", "{e}");
        assert_eq!(lines.len(), 22, "{e}");
        assert!(
            lines[20].contains("unknown key `k19` at s.toml:20:1"),
            "{e}"
        );
        assert_eq!(
            lines[21],
            "  and 5 more, not listed (fix those above and validate again)"
        );
        let text: String = (0..3).map(|i| format!("k{i} = 1\n")).collect();
        let e = Scenario::from_text(&text, "s.toml", &[])
            .unwrap_err()
            .to_string();
        assert_eq!(e.lines().count(), 4, "{e}");
        assert!(e.starts_with("s.toml: 3 errors\n"), "{e}");
    }
}
