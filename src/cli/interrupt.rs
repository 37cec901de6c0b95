//! Ctrl-C (SIGINT) and the termination signals (SIGTERM, SIGHUP: `kill`, a scheduler's time
//! limit, a closed terminal) for the commands that simulate, and for `plot`, all handled alike.
//! The first stops the command between replications (the ones under way finish) with its folder
//! whole, or `plot` before it puts its charts and report in place, and says so at once; a second
//! stops it at once, leaving only whole files. Either way the message names the signal, the
//! output folder and what it holds, and the exit code is 128 + the number of the signal that
//! stopped the command ([`Signal`]). A signal while the command waits for its folder's lock
//! (`--wait-lock`) stops it at once, saying that nothing was written; one between the end of
//! that wait and the command taking its folder stops it there, before it changes anything.
//!
//! On Unix the signals are caught by `signal-hook` and answered on a thread of its own, where
//! anything may be done (a signal handler proper may do almost nothing). Elsewhere (Windows),
//! which has none of these signals, `ctrlc` catches the console's Ctrl-C, Ctrl-Break and close,
//! all taken as Ctrl-C (SIGINT, exit 130).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard, Once, OnceLock, PoisonError};

use super::progress;
use crate::error::{Error, Kept, Signal};
use crate::output;

/// Set by Ctrl-C or a termination signal once [`take`] has installed the handler; the workers
/// check it between replications.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Ctrl-C presses and termination signals so far.
static PRESSES: AtomicU32 = AtomicU32::new(0);

/// The first signal, which stops the command between replications: what its message names and
/// its exit code says. Set before [`INTERRUPTED`].
static FIRST: OnceLock<Signal> = OnceLock::new();

/// The folder whose lock the command is waiting for, while it waits ([`wait_for_lock`]).
static WAITING: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Set once the command takes its folder ([`take`]), whether or not it could remove the old run,
/// or, for a command that takes it after waiting for its lock, as that wait ends
/// ([`wait_to_take`]): a signal from then on is recorded, and [`take`] stops the command before
/// it changes anything. Before that, a signal that does not come during a lock's wait acts as if
/// uncaught.
static TAKING: AtomicBool = AtomicBool::new(false);

/// Installs the handler, once per process.
static INSTALL: Once = Once::new();

/// Set once the command's charts and report are in place, with the manifest listing them
/// ([`replaced`]).
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
/// what it says of the folder is true. Before the handler is installed, or if it cannot be, the
/// default remains (the signal kills the command), which is still safe because every file is
/// written atomically. A signal that came after a lock's wait ([`wait_to_take`]) stops the
/// command here, before the old run is removed, the folder as the other command left it.
pub(super) fn take(
    path: &Path,
    kept: Kept,
    remove_old_run: impl FnOnce() -> Result<(), Error>,
) -> Result<&'static AtomicBool, Error> {
    let mut taken = folder();
    TAKING.store(true, Ordering::Relaxed);
    INSTALL.call_once(install);
    if INTERRUPTED.load(Ordering::Relaxed) {
        // Named by the message, and what a second signal says it holds.
        *taken = Some(Taken {
            path: path.to_path_buf(),
            kept: Kept::AsLeft,
            simulating: false,
        });
        return Err(Error::interrupted(Kept::AsLeft));
    }
    remove_old_run()?;
    *taken = Some(Taken {
        path: path.to_path_buf(),
        kept,
        simulating: true,
    });
    Ok(&INTERRUPTED)
}

/// Waits for the lock of the folder `path`, which another command holds, with `lock`, the handler
/// installed first: a signal meanwhile stops the command at once, saying it wrote nothing (the
/// folder is the other command's until the lock is had) and exiting 128 + its number, where
/// uncaught it would end the command saying nothing. (The output layer's [`output::LockWait`].)
pub(super) fn wait_for_lock(
    path: &Path,
    lock: &mut dyn FnMut() -> std::io::Result<()>,
) -> std::io::Result<()> {
    *waiting() = Some(path.to_path_buf());
    INSTALL.call_once(install);
    let locked = lock();
    *waiting() = None;
    locked
}

/// [`wait_for_lock`] for a command that takes its folder once it has the lock ([`take`]): a
/// signal after the wait, until then, is recorded rather than acting as if uncaught, so that
/// [`take`] stops the command saying so.
pub(super) fn wait_to_take(
    path: &Path,
    lock: &mut dyn FnMut() -> std::io::Result<()>,
) -> std::io::Result<()> {
    wait_for_lock(path, &mut || {
        let locked = lock();
        // Before the wait is said to be over: no signal falls between the two.
        if locked.is_ok() {
            TAKING.store(true, Ordering::Relaxed);
        }
        locked
    })
}

fn waiting() -> MutexGuard<'static, Option<PathBuf>> {
    WAITING.lock().unwrap_or_else(PoisonError::into_inner)
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

/// Records that a simulating command has written every data file and its manifest saying
/// `complete: false`: from then on a second stop leaves what `cutover plot` finishes.
pub(super) fn data_written() {
    if let Some(taken) = folder().as_mut()
        && taken.kept == Kept::Unfinished
    {
        taken.kept = Kept::Undrawn;
    }
}

/// Records that the command has put its new charts and report in place, and the manifest that
/// lists them: `plot`'s, or a simulating command's last, saying the folder is complete. Called
/// while no stop at once can act (see `output::Staging::commit`), so a second stop says what the
/// folder holds.
pub(super) fn replaced() {
    REPLACED.store(true, Ordering::Relaxed);
}

/// What the folder holds now, `kept` before the charts and report are in place: for `plot` the
/// old ones until then, for a simulating command its complete results from then on.
fn kept_now(kept: Kept) -> Kept {
    match (REPLACED.load(Ordering::Relaxed), kept) {
        (false, kept) => kept,
        (true, Kept::AsItWas) => Kept::Redrawn,
        (true, _) => Kept::Complete,
    }
}

/// The outcome of a command: an interruption names its signal and its folder, and a stop after
/// the last replication, which is not acted on (the files are written first, in seconds), is not
/// ignored either: the command says its folder is complete and exits 128 + the signal's number.
pub(super) fn outcome(result: Result<(), Error>) -> Result<(), Error> {
    let (path, kept) = match folder().as_ref() {
        Some(t) => (Some(t.path.clone()), Some(t.kept)),
        None => (None, None),
    };
    let signal = FIRST.get().copied();
    match result {
        Ok(()) if INTERRUPTED.load(Ordering::Relaxed) => Err(Error::Interrupted {
            kept: if kept == Some(Kept::AsItWas) {
                Kept::Redrawn
            } else {
                Kept::Complete
            },
            folder: path,
            at_once: false,
            signal,
        }),
        Err(Error::Interrupted { kept, at_once, .. }) => Err(Error::Interrupted {
            kept,
            folder: path,
            at_once,
            signal,
        }),
        other => other,
    }
}

/// Makes SIGINT, SIGTERM and SIGHUP call [`on_stop`] on a thread of their own, once they are
/// caught: the thread registers them and says it has before this returns, so that the old run
/// is removed only once a signal can no longer kill the command there. If the thread cannot be
/// started or the signals registered, their default (ending the process) remains.
#[cfg(unix)]
fn install() {
    use signal_hook::iterator::Signals;
    let (registered, ready) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let signals = Signals::new(Signal::ALL.map(Signal::number));
            let _ = registered.send(());
            let Ok(mut signals) = signals else { return };
            for number in signals.forever() {
                if let Some(signal) = Signal::from_number(number) {
                    on_stop(signal);
                }
            }
        });
    if spawned.is_ok() {
        // A thread that panicked before sending closes the channel, which ends the wait too.
        let _ = ready.recv();
    }
}

/// Windows has none of the signals: the console's events (Ctrl-C, Ctrl-Break, its window
/// closed), which `ctrlc` does not tell apart, are all taken as Ctrl-C.
#[cfg(not(unix))]
fn install() {
    let _ = ctrlc::set_handler(|| on_stop(Signal::Interrupt));
}

fn on_stop(signal: Signal) {
    // Held to the exit, so that the command does not go on to take the lock meanwhile.
    if let Some(path) = waiting().as_ref() {
        exit_now(Error::Interrupted {
            kept: Kept::Untouched,
            folder: Some(path.clone()),
            at_once: false,
            signal: Some(signal),
        });
    }
    let presses = PRESSES.fetch_add(1, Ordering::Relaxed) + 1;
    let taken = folder();
    if taken.is_none() && !TAKING.load(Ordering::Relaxed) {
        // Installed for a lock's wait that is over, in a command that does not take its folder
        // (`merge` and `sweep --slurm`): as if the signal were not caught.
        uncaught(signal);
    }
    if presses == 1 {
        let _ = FIRST.set(signal);
    }
    // Said before the flag is set, so that it comes before the command's last words.
    if presses == 1
        && let Some(taken) = taken.as_ref()
    {
        let folder = crate::error::printable(&taken.path.display().to_string()).into_owned();
        progress::eprint_line(&if taken.kept == Kept::AsItWas {
            format!(
                "{signal} received: stopping before anything in {folder} is replaced (a second signal stops at once)"
            )
        } else if taken.simulating {
            format!(
                "{signal} received: finishing the replications under way, then stopping (a second signal stops at once)"
            )
        } else {
            format!(
                "{signal} received: the replications are done; finishing the files in {folder} (a second signal stops at once, leaving them unfinished)"
            )
        });
    }
    INTERRUPTED.store(true, Ordering::Relaxed);
    // With no folder taken, the command is about to take it, and `take` stops it, or it is
    // failing to and stops anyway.
    let (true, Some(taken)) = (presses > 1, taken.as_ref()) else {
        return;
    };
    output::abandon(&taken.path);
    exit_now(Error::Interrupted {
        kept: kept_now(taken.kept),
        folder: Some(taken.path.clone()),
        at_once: true,
        signal: Some(signal),
    });
}

/// Ends the process at once, saying why as `main` says an error, and by its exit code.
fn exit_now(stopped: Error) -> ! {
    progress::clear();
    // As `main` prints an error (and, as it does, not panicking if stderr is gone).
    tell!("Error: {stopped}");
    std::process::exit(stopped.exit_code());
}

/// Does what `signal` does uncaught: ends the process, killed by it.
fn uncaught(signal: Signal) -> ! {
    #[cfg(unix)]
    let _ = signal_hook::low_level::emulate_default_handler(signal.number());
    std::process::exit(128 + signal.number());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A signal that comes after the last replication (while the files are written) is not
    /// lost: the command finishes, then exits 128 + its number saying the folder is complete.
    /// The only test that sets the flag or the first signal, and no other test runs a command.
    #[test]
    fn a_signal_after_the_work_is_reported_once_the_folder_is_complete() {
        let _ = FIRST.set(Signal::Terminate);
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
                    signal: Some(Signal::Terminate),
                    ..
                }
            ),
            "{error}"
        );
        assert_eq!(error.exit_code(), 143);
        assert!(
            error
                .to_string()
                .starts_with("interrupted by SIGTERM after the last replication"),
            "{error}"
        );
        assert!(error.to_string().contains("holds the complete results"));
    }

    #[test]
    fn a_stop_at_once_says_what_the_folder_holds_at_each_stage() {
        let stopped = |kept| {
            Error::Interrupted {
                kept,
                folder: Some(PathBuf::from("output/x")),
                at_once: true,
                signal: Some(Signal::Interrupt),
            }
            .to_string()
        };
        assert_eq!(
            stopped(Kept::Nothing),
            "interrupted at once by a second signal (SIGINT) before any result was written: no results are in output/x (any earlier ones were removed when the command started); run the command again"
        );
        assert!(stopped(Kept::FinishedCells).contains("the finished cells in output/x are kept"));
        assert!(
            stopped(Kept::Unfinished)
                .contains("output/x holds some of them, each file whole, and no manifest")
        );
        assert!(stopped(Kept::Undrawn).ends_with(
            "output/x holds every result file, under a manifest saying `complete: false`; `cutover plot output/x` draws the charts and report"
        ));
    }

    /// Each signal exits 128 + its number, the platform's own (the numbers are fixed by POSIX,
    /// so the exit codes are the same on every Unix); a stop by a caller's own flag, with no
    /// signal, exits as Ctrl-C does.
    #[test]
    fn each_signal_exits_128_plus_its_number() {
        let code = |signal| {
            Error::Interrupted {
                kept: Kept::Nothing,
                folder: None,
                at_once: false,
                signal,
            }
            .exit_code()
        };
        let codes = Signal::ALL.map(|s| (s.name(), code(Some(s))));
        assert_eq!(codes, [("SIGINT", 130), ("SIGTERM", 143), ("SIGHUP", 129)]);
        assert_eq!(code(None), 130);
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
            assert_eq!(
                Signal::ALL.map(Signal::number),
                [SIGINT, SIGTERM, SIGHUP],
                "the platform numbers them otherwise"
            );
        }
        for signal in Signal::ALL {
            assert_eq!(Signal::from_number(signal.number()), Some(signal));
        }
        assert_eq!(Signal::from_number(9), None);
    }
}
