//! Ctrl-C and the termination signals (SIGTERM, SIGHUP: `kill`, a scheduler's time limit, a
//! closed terminal) for the commands that simulate, and for `plot`, all handled alike. The first
//! stops the command between replications (the ones under way finish) with its folder whole, or
//! `plot` before it puts its charts and report in place, and says so at once; a second stops it
//! at once, leaving only whole files. Either way the message names the output folder and what it
//! holds. The handler is not told which signal came, so the messages name them all
//! ([`STOPPED_BY`]) and the exit code is 130 for each.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard, Once, PoisonError};

use super::progress;
use crate::error::{Error, Kept, STOPPED_BY};
use crate::output;

/// Set by Ctrl-C or a termination signal once [`take`] has installed the handler; the workers
/// check it between replications.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Ctrl-C presses and termination signals so far.
static PRESSES: AtomicU32 = AtomicU32::new(0);

/// Set by `plot` once its charts and report are in place ([`replaced`]).
static REPLACED: AtomicBool = AtomicBool::new(false);

/// The folder of the command under way and what it would hold if stopped at once, once the
/// command has taken it ([`take`]).
static FOLDER: Mutex<Option<Taken>> = Mutex::new(None);

struct Taken {
    path: PathBuf,
    /// What the folder holds if the command stops now: nothing or the finished cells while it
    /// simulates, then (see [`simulated`]) part of the results or still the cells.
    kept: Kept,
    simulating: bool,
}

fn folder() -> MutexGuard<'static, Option<Taken>> {
    FOLDER.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Installs the handler (once per process), then removes the old run from the command's folder
/// `path` with `remove_old_run`, and records the folder: from then on a stop names it, and a
/// stop at once leaves `kept` (nothing, or the finished cells; for `plot`, the folder as it was).
/// Returns the flag the command's
/// workers check. A stop while the old run is being removed waits for that (moments), so that
/// what it says of the folder is true. Before the handler is installed (while a command waits
/// for its folder's lock), or if it cannot be, the default remains (the signal kills the
/// command), which is still safe because every file is written atomically.
pub(super) fn take(
    path: &Path,
    kept: Kept,
    remove_old_run: impl FnOnce() -> Result<(), Error>,
) -> Result<&'static AtomicBool, Error> {
    static INSTALL: Once = Once::new();
    let mut taken = folder();
    INSTALL.call_once(|| {
        // The `termination` feature: SIGTERM and SIGHUP too.
        let _ = ctrlc::set_handler(on_stop);
    });
    remove_old_run()?;
    *taken = Some(Taken {
        path: path.to_path_buf(),
        kept,
        simulating: true,
    });
    Ok(&INTERRUPTED)
}

/// Records that the command's last replication is done and its results are being written: a
/// stop now lets them be finished, a second leaves part of them (or still the cells).
pub(super) fn simulated() {
    if let Some(taken) = folder().as_mut() {
        taken.simulating = false;
        if taken.kept == Kept::Nothing {
            taken.kept = Kept::Unfinished;
        }
    }
}

/// Records that `plot` has put its new charts and report in place: called while no stop at once
/// can act (see `output::Staging::commit`), so a second stop says what the folder holds.
pub(super) fn replaced() {
    REPLACED.store(true, Ordering::Relaxed);
}

/// What a `plot` folder holds: the old charts and report until the new ones are in place.
fn plotted(kept: Kept) -> Kept {
    if kept == Kept::AsItWas && REPLACED.load(Ordering::Relaxed) {
        Kept::Redrawn
    } else {
        kept
    }
}

/// The outcome of a command: an interruption names its folder, and a stop after the last
/// replication, which is not acted on (the files are written first, in seconds), is not ignored
/// either: the command says its folder is complete and exits 130.
pub(super) fn outcome(result: Result<(), Error>) -> Result<(), Error> {
    let (path, kept) = match folder().as_ref() {
        Some(t) => (Some(t.path.clone()), Some(t.kept)),
        None => (None, None),
    };
    match result {
        Ok(()) if INTERRUPTED.load(Ordering::Relaxed) => Err(Error::Interrupted {
            kept: if kept == Some(Kept::AsItWas) {
                Kept::Redrawn
            } else {
                Kept::Complete
            },
            folder: path,
            at_once: false,
        }),
        Err(Error::Interrupted { kept, at_once, .. }) => Err(Error::Interrupted {
            kept,
            folder: path,
            at_once,
        }),
        other => other,
    }
}

fn on_stop() {
    let presses = PRESSES.fetch_add(1, Ordering::Relaxed) + 1;
    let taken = folder();
    // Said before the flag is set, so that it comes before the command's last words.
    if presses == 1
        && let Some(taken) = taken.as_ref()
    {
        let folder = crate::error::printable(&taken.path.display().to_string()).into_owned();
        progress::eprint_line(&if taken.kept == Kept::AsItWas {
            format!(
                "{STOPPED_BY}: stopping before anything in {folder} is replaced (a second one stops at once)"
            )
        } else if taken.simulating {
            format!(
                "{STOPPED_BY}: finishing the replications under way, then stopping (a second one stops at once)"
            )
        } else {
            format!(
                "{STOPPED_BY}: the replications are done; finishing the files in {folder} (a second one stops at once, leaving them unfinished)"
            )
        });
    }
    INTERRUPTED.store(true, Ordering::Relaxed);
    // With no folder taken, the command is failing to take it and stops anyway.
    let (true, Some(taken)) = (presses > 1, taken.as_ref()) else {
        return;
    };
    output::abandon(&taken.path);
    let stopped = Error::Interrupted {
        kept: plotted(taken.kept),
        folder: Some(taken.path.clone()),
        at_once: true,
    };
    progress::clear();
    // As `main` prints an error (and, as it does, not panicking if stderr is gone).
    tell!("Error: {stopped}");
    std::process::exit(stopped.exit_code());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ctrl-C that comes after the last replication (while the files are written) is not lost:
    /// the command finishes, then exits 130 saying the folder is complete. The only test that
    /// sets the flag, and no other test runs a command.
    #[test]
    fn ctrl_c_after_the_work_is_reported_once_the_folder_is_complete() {
        INTERRUPTED.store(true, Ordering::Relaxed);
        let result = outcome(Ok(()));
        INTERRUPTED.store(false, Ordering::Relaxed);
        let error = result.expect_err("an interrupted command fails");
        assert!(
            matches!(
                error,
                Error::Interrupted {
                    kept: Kept::Complete,
                    at_once: false,
                    ..
                }
            ),
            "{error}"
        );
        assert_eq!(error.exit_code(), 130);
        assert!(error.to_string().contains("holds the complete results"));
    }

    #[test]
    fn a_stop_at_once_says_what_the_folder_holds_at_each_stage() {
        let stopped = |kept| {
            Error::Interrupted {
                kept,
                folder: Some(PathBuf::from("output/x")),
                at_once: true,
            }
            .to_string()
        };
        assert_eq!(
            stopped(Kept::Nothing),
            "interrupted (a second Ctrl-C or SIGTERM/SIGHUP, at once) before any result was written: output/x holds no results (any earlier ones were removed when the command started); run the command again"
        );
        assert!(stopped(Kept::FinishedCells).contains("the finished cells in output/x are kept"));
        assert!(
            stopped(Kept::Unfinished)
                .contains("output/x holds some of them, each file whole, and no manifest")
        );
    }
}
