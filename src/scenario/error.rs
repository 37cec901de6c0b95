//! Why a scenario could not be used: the error the scenario reader returns.

use std::fmt;
use std::path::PathBuf;

use super::bundled::BUNDLED;
use super::doc::SHOWN_OF_SET;
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
                if n > diagnostics.len() {
                    let listed = diagnostics.iter().filter(|d| d.unlisted == 0).count();
                    write!(f, ", the first {listed} listed")?;
                }
                for d in diagnostics {
                    write!(f, "\n  {d}")?;
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
