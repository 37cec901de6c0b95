//! The library's error type, and which exit code each kind of failure maps to.

use std::path::PathBuf;

use crate::scenario::ScenarioError;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// Flags that do not make sense together or with the scenario.
    #[error("{0}")]
    Usage(String),
    /// An output file or folder could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Stopped by Ctrl-C; whatever was committed is complete.
    #[error("interrupted; finished cells are kept, run again with --resume to complete")]
    Interrupted,
    /// Anything else: a bug or the machine, not the user's input.
    #[error("{0}")]
    Internal(String),
}

impl Error {
    /// 2 for bad input (scenario, flags, paths), 1 for anything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Scenario(_) | Error::Usage(_) | Error::Output { .. } => 2,
            Error::Interrupted => 130,
            Error::Internal(_) => 1,
        }
    }
}
