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
    /// (exit 1, see [`Error::is_out_of_space`]). `stage` says how far the command had gone in
    /// replacing what its output folder held when it failed, which is what a full disk's message
    /// says the folder holds.
    #[error("cannot write {}: {source}{}", path.display(), out_of_space_note(source, stage))]
    Output {
        path: PathBuf,
        source: std::io::Error,
        stage: Stage,
    },
    /// Stopped by `signal` (Ctrl-C or a termination signal) between replications (or `at_once`,
    /// by a second one, which is then `signal`); every file the output `folder` holds is whole,
    /// and `kept` says which. The folder and the signal are named when known (the command line
    /// fills them in; the workers that stop know only that their cancel flag was set).
    #[error("interrupted{}{}", stopped_by(*signal, *at_once), kept.note(folder.as_deref()))]
    Interrupted {
        kept: Kept,
        folder: Option<PathBuf>,
        at_once: bool,
        signal: Option<Signal>,
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
    /// An interruption is 128 + the number of the signal that stopped it, as shells and
    /// schedulers expect (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP), and 130, Ctrl-C's,
    /// when no signal is known (a library caller's own cancel flag).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Output { source, .. } if is_out_of_space(source) => 1,
            Error::Scenario(_) | Error::Usage(_) | Error::Output { .. } => 2,
            Error::Interrupted { signal, .. } => 128 + signal.unwrap_or(Signal::Interrupt).number(),
            Error::Scheduler { exit_code, .. } => i32::from(*exit_code).max(1),
            Error::Internal(_) => 1,
        }
    }

    /// `self`, failing as the charts and report of `folder` were drawn, once its results were
    /// written and listed by a manifest saying `"complete": false`: a full disk's message then
    /// says that `cutover plot` draws them, with no need to simulate again.
    pub fn while_drawing(self, folder: &Path) -> Error {
        match self {
            Error::Output { path, source, .. } => Error::Output {
                path,
                source,
                stage: Stage::Drawing {
                    folder: folder.to_path_buf(),
                },
            },
            e => e,
        }
    }

    /// Stopped by the first Ctrl-C or termination signal, keeping `kept`, in a folder and by a
    /// signal not named yet.
    pub fn interrupted(kept: Kept) -> Error {
        Error::Interrupted {
            kept,
            folder: None,
            at_once: false,
            signal: None,
        }
    }
}

/// A signal that stops a command cleanly: Ctrl-C (SIGINT), `kill` or a scheduler's time limit
/// (SIGTERM), a closed terminal (SIGHUP). Each is handled alike but named in the messages, and
/// sets the exit code to 128 + its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// SIGHUP (1): the terminal was closed.
    Hangup,
    /// SIGINT (2): Ctrl-C.
    Interrupt,
    /// SIGTERM (15): `kill`, a scheduler's time limit, a service manager stopping the command.
    Terminate,
}

impl Signal {
    /// Every signal that stops a command cleanly.
    pub const ALL: [Signal; 3] = [Signal::Interrupt, Signal::Terminate, Signal::Hangup];

    /// Its number: the same on every Unix (POSIX gives these three their numbers), so the exit
    /// code does not depend on the platform.
    pub const fn number(self) -> i32 {
        match self {
            Signal::Hangup => 1,
            Signal::Interrupt => 2,
            Signal::Terminate => 15,
        }
    }

    /// The signal of number `n`, if it is one of these.
    pub fn from_number(n: i32) -> Option<Signal> {
        Signal::ALL.into_iter().find(|s| s.number() == n)
    }

    /// Its name, as `kill -l` and the messages write it.
    pub const fn name(self) -> &'static str {
        match self {
            Signal::Hangup => "SIGHUP",
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }
}

impl std::fmt::Display for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What follows "interrupted" in the message: which signal, and whether it stopped at once.
fn stopped_by(signal: Option<Signal>, at_once: bool) -> String {
    match (signal, at_once) {
        (Some(signal), false) => format!(" by {signal}"),
        (Some(signal), true) => format!(" at once by a second signal ({signal})"),
        (None, false) => String::new(),
        (None, true) => " at once by a second signal".into(),
    }
}

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
    /// Every data file and a manifest saying `complete: false`: a second signal stopped the
    /// command while it drew the charts, which `cutover plot` draws.
    Undrawn,
    /// `plot` stopped before its charts and report were put in place: the folder is as it was.
    AsItWas,
    /// `plot` stopped after its charts and report were put in place, all of them together.
    Redrawn,
    /// Stopped while waiting for the folder's lock (`--wait-lock`), which another command held:
    /// nothing was written, the folder is as that command leaves it.
    Untouched,
    /// Stopped as the wait for the folder's lock (`--wait-lock`) ended, before the command
    /// changed anything in the folder: it is as the other command left it.
    AsLeft,
}

impl Kept {
    /// What follows "interrupted (...)" in the message, naming `folder` if known.
    fn note(self, folder: Option<&Path>) -> String {
        let folder = folder.map_or("the output folder".into(), |f| f.display().to_string());
        match self {
            Kept::Nothing => format!(
                " before any result was written: no results are in {folder} (any earlier ones were removed when the command started); run the command again"
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
            Kept::Undrawn => format!(
                " while the charts were being drawn: {folder} holds every result file, under a manifest saying `complete: false`; `cutover plot {folder}` draws the charts and report"
            ),
            Kept::AsItWas => format!(
                " before the new charts and report were put in place: {folder} is as it was"
            ),
            Kept::Redrawn => {
                format!(" once the new charts and report were in place: {folder} holds all of them")
            }
            Kept::Untouched => format!(
                " while waiting for another cutover command to finish with {folder}: nothing was written, {folder} is untouched"
            ),
            Kept::AsLeft => format!(
                " as another cutover command finished with {folder}, before this one changed anything in it: nothing was written, {folder} is as that command left it"
            ),
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

/// How far a command had gone in replacing what its output folder held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Nothing changed yet (a disk found full as the folder is taken, `plot`'s charts drawn
    /// aside): the folder is as it was, a finished run in it whole.
    Untouched,
    /// The old run removed and the new one's results not all written: a command writes its
    /// manifest saying `complete` last, so the folder holds none that says so. `cells`: a sweep's
    /// or study's finished cells are kept there for `--resume`.
    Replacing { cells: bool },
    /// The results written, each file whole, and listed by a manifest saying
    /// `"complete": false`; the charts and report of `folder` not yet in place.
    Drawing { folder: PathBuf },
}

/// What a write that ran out of space left behind, by the [`Stage`] the command had reached.
fn out_of_space_note(e: &std::io::Error, stage: &Stage) -> String {
    if !is_out_of_space(e) {
        return String::new();
    }
    match stage {
        Stage::Untouched => "; nothing in the output folder was changed, so any results it held are still there, whole; free some space and run again".into(),
        Stage::Replacing { cells } => format!(
            "; no manifest.json in the folder says it is complete (there is none, or it says `\"complete\": false`), so nothing in it passes for finished results{}; free some space and run again",
            if *cells { " (its finished cells are kept for --resume)" } else { "" }
        ),
        Stage::Drawing { folder } => format!(
            "; the results are written, each file whole, and listed in manifest.json, which says `\"complete\": false` until the charts and report are drawn: free some space and run `cutover plot {}` to draw them",
            folder.display()
        ),
    }
}

/// `text` for a terminal: every control character but a line end or a tab, and every direction
/// override, written as its escape (`\u{1b}`), so a name or a cell that a message quotes from the
/// input cannot move the cursor, clear the screen or reorder what follows.
pub fn printable(text: &str) -> Cow<'_, str> {
    crate::scenario::escape_unprintable(text, &['\n', '\t'])
}
