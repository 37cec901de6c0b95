//! The library's error type, and which exit code each kind of failure maps to.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::scenario::ScenarioError;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// Flags that do not make sense together or with the scenario.
    #[error("{0}")]
    Usage(String),
    /// An output file or folder could not be written: a bad path (exit 2), or a full disk
    /// (exit 1, see [`Error::is_out_of_space`]).
    #[error("cannot write {}: {source}{}", path.display(), out_of_space_note(source))]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Stopped by Ctrl-C or a termination signal ([`STOPPED_BY`]) between replications (or
    /// `at_once`, by a second one); every file the output `folder` holds is whole, and `kept` says
    /// which. The folder is named when known (the command line fills it in; the workers that stop
    /// do not know it).
    #[error("interrupted ({}{STOPPED_BY}{}){}", if *at_once { "a second " } else { "" }, if *at_once { ", at once" } else { "" }, kept.note(folder.as_deref()))]
    Interrupted {
        kept: Kept,
        folder: Option<PathBuf>,
        at_once: bool,
    },
    /// The scheduler refused a job, or a job it ran failed; `exit_code` is the failed job's own
    /// exit code where there is one, else 1.
    #[error("{message}")]
    Scheduler { message: String, exit_code: u8 },
    /// Anything else: a bug or the machine, not the user's input.
    #[error("{0}")]
    Internal(String),
}

impl Error {
    /// 2 for bad input (scenario, flags, paths), a failed job's own code (or 1) for the scheduler's
    /// failures, 1 for anything else: a full disk is the machine's state, not the user's input.
    /// An interruption is 130 (128 + SIGINT) whichever signal stopped it: the handler is told
    /// that one came, not which (see [`STOPPED_BY`]), so SIGTERM's conventional 143 cannot be
    /// told apart.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Output { source, .. } if is_out_of_space(source) => 1,
            Error::Scenario(_) | Error::Usage(_) | Error::Output { .. } => 2,
            Error::Interrupted { .. } => 130,
            Error::Scheduler { exit_code, .. } => i32::from(*exit_code).max(1),
            Error::Internal(_) => 1,
        }
    }

    /// Stopped by the first Ctrl-C or termination signal, keeping `kept`, in a folder not named yet.
    pub fn interrupted(kept: Kept) -> Error {
        Error::Interrupted {
            kept,
            folder: None,
            at_once: false,
        }
    }
}

/// What stops a command cleanly, as its messages name it: Ctrl-C (SIGINT), `kill` or a
/// scheduler's time limit (SIGTERM), a closed terminal (SIGHUP), all handled alike. The handler
/// (the `ctrlc` crate) is not told which of them came, so the messages name all three.
pub const STOPPED_BY: &str = "Ctrl-C or SIGTERM/SIGHUP";

/// What the output folder of a command stopped by Ctrl-C or a termination signal holds. Only whole files (each is written
/// under a temporary name and renamed), and never a part of a run under a manifest saying
/// complete: a command removes the old run's manifest and files before simulating, and writes its
/// own manifest last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kept {
    /// No results: the command writes its files only once every replication is done.
    Nothing,
    /// The finished cells (or design points) of a sweep, for `--resume`, and no manifest.
    FinishedCells,
    /// Everything: the stop came after the last replication and every file was written first.
    Complete,
    /// Some of the files, each whole, and no manifest saying complete: a second signal stopped
    /// the command while it wrote its results.
    Unfinished,
    /// `plot` stopped before its charts and report were put in place: the folder is as it was.
    AsItWas,
    /// `plot` stopped after its charts and report were put in place, all of them together.
    Redrawn,
}

impl Kept {
    /// What follows "interrupted (...)" in the message, naming `folder` if known.
    fn note(self, folder: Option<&Path>) -> String {
        let folder = folder.map_or("the output folder".into(), |f| f.display().to_string());
        match self {
            Kept::Nothing => format!(
                " before any result was written: {folder} holds no results (any earlier ones were removed when the command started); run the command again"
            ),
            Kept::FinishedCells => format!(
                "; the finished cells in {folder} are kept, run again with --resume to complete"
            ),
            Kept::Complete => format!(
                " after the last replication: every file was written first, so {folder} holds the complete results"
            ),
            Kept::Unfinished => format!(
                " while the results were being written: {folder} holds some of them, each file whole, and no manifest saying they are complete; run the command again"
            ),
            Kept::AsItWas => format!(
                " before the new charts and report were put in place: {folder} is as it was"
            ),
            Kept::Redrawn => {
                format!(" once the new charts and report were in place: {folder} holds all of them")
            }
        }
    }
}

/// A write failed for want of space: the disk or a quota is full, or the file size limit reached.
fn is_out_of_space(e: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        e.kind(),
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded | ErrorKind::FileTooLarge
    )
}

/// What a write that ran out of space left behind.
fn out_of_space_note(e: &std::io::Error) -> &'static str {
    if is_out_of_space(e) {
        "; the folder is left without manifest.json, so nothing in it is marked complete (finished sweep cells are kept for --resume); free some space and run again"
    } else {
        ""
    }
}

/// `text` for a terminal: every control character but a line end or a tab, and every direction
/// override, written as its escape (`\u{1b}`), so a name or a cell that a message quotes from the
/// input cannot move the cursor, clear the screen or reorder what follows.
pub fn printable(text: &str) -> Cow<'_, str> {
    crate::scenario::escape_unprintable(text, &['\n', '\t'])
}
