//! Progress bars for every simulating command: one look (done/total, replications per second,
//! time left), drawn on stderr only when it is a terminal and the command is not `--quiet`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The bar on screen, if any, with its number, so that a line printed from elsewhere (the
/// Ctrl-C handler's) is printed above it instead of through it.
static SHOWN: Mutex<Option<(u64, ProgressBar)>> = Mutex::new(None);

/// The number of the next bar, so that a bar finished late never takes a newer one off `SHOWN`.
static NEXT: AtomicU64 = AtomicU64::new(0);

fn shown() -> std::sync::MutexGuard<'static, Option<(u64, ProgressBar)>> {
    SHOWN.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A bar over `total` steps of `unit` (replications, cells, ...), each step worth
/// `replications_per_step` replications for the rate shown. Safe to step from worker threads.
/// Dropped (a command stopped by an error or Ctrl-C), it is removed from the screen.
///
/// A command whose stages are decided one at a time from what it has seen (`select`) draws a
/// [`staged`](Progress::staged) bar instead: its total grows with each stage, and the bar says
/// which stage it counts to the end of.
pub struct Progress {
    bar: ProgressBar,
    number: u64,
    started: Instant,
    /// Steps to the end: of the run, or of the stage under way on a staged bar.
    total: AtomicU64,
    /// Stages begun, on a staged bar.
    stages: AtomicU64,
    replications_per_step: u64,
    /// Steps done in this run; those done before it (a resumed sweep's cells) say nothing about
    /// its speed, so they count in neither the rate nor the time left.
    done: AtomicU64,
    done_before: u64,
    /// A staged bar that is drawn once its first stage begins (not `--quiet`).
    draw_from_first_stage: bool,
}

impl Progress {
    pub fn new(total: u64, unit: &str, replications_per_step: u64, quiet: bool) -> Progress {
        // The bar narrow enough that the line fits 80 columns (1000/1000 replications, a rate, hours left).
        Progress::drawn(
            total,
            &format!("{{bar:20}} {{pos}}/{{len}} {unit}  {{msg}}"),
            replications_per_step,
            quiet,
        )
    }

    /// A bar over replications run in stages whose sizes are known only as each begins: it
    /// counts to the end of the stage under way, named before the count (`stage 3: 40/44`), so
    /// the time left is that stage's. [`Progress::stage`] begins each.
    pub fn staged(unit: &str, quiet: bool) -> Progress {
        // A narrower bar than `new`'s, so that the stage fits in 80 columns too. Hidden until
        // the first stage gives it a length and a name.
        let mut progress = Progress::drawn(
            0,
            &format!("{{bar:12}} {{prefix}}: {{pos}}/{{len}} {unit}  {{msg}}"),
            1,
            true,
        );
        progress.draw_from_first_stage = !quiet;
        progress
    }

    fn drawn(total: u64, template: &str, replications_per_step: u64, quiet: bool) -> Progress {
        let bar = if quiet {
            ProgressBar::hidden()
        } else {
            // `stderr()` draws nothing when stderr is not a terminal.
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
        };
        // Rate and time left are the message, computed here (see `status`): indicatif's own
        // estimate follows the last few steps, and with steps a minute apart it swings widely.
        bar.set_style(ProgressStyle::with_template(template).expect("a valid template"));
        let number = NEXT.fetch_add(1, Ordering::Relaxed);
        *shown() = Some((number, bar.clone()));
        Progress {
            bar,
            number,
            started: Instant::now(),
            total: AtomicU64::new(total),
            stages: AtomicU64::new(0),
            replications_per_step,
            done: AtomicU64::new(0),
            done_before: 0,
            draw_from_first_stage: false,
        }
    }

    /// Starts the bar at `done` steps finished before this run, which say nothing about its speed.
    pub fn starting_at(mut self, done: u64) -> Progress {
        self.bar.set_position(done);
        self.done_before = done;
        self
    }

    /// Begins the next stage of a staged bar, which ends at `steps` more than are done so far:
    /// the bar's total becomes the count at the end of this stage.
    pub fn stage(&self, steps: u64) {
        let number = self.stages.fetch_add(1, Ordering::Relaxed) + 1;
        let total = self.done_before + self.done.load(Ordering::Relaxed) + steps;
        self.total.store(total, Ordering::Relaxed);
        self.bar.set_length(total);
        self.bar.set_prefix(format!("stage {number}"));
        if number == 1 && self.draw_from_first_stage {
            // `stderr()` draws nothing when stderr is not a terminal.
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// One more step done.
    pub fn step(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let total = self.total.load(Ordering::Relaxed);
        let left = total.saturating_sub(self.done_before + done);
        // The message first, so one step draws once.
        self.bar.set_message(status(
            done,
            left,
            self.replications_per_step,
            self.started.elapsed(),
        ));
        self.bar.inc(1);
    }

    /// The bar's position, length and prefix, for tests.
    #[cfg(test)]
    pub fn counted(&self) -> (u64, Option<u64>, String) {
        (self.bar.position(), self.bar.length(), self.bar.prefix())
    }

    /// Removes the bar, leaving the terminal as it was.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
        let mut shown = shown();
        if shown.as_ref().is_some_and(|(n, _)| *n == self.number) {
            *shown = None;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Prints `line` on stderr, above the progress bar if one is drawn (which is drawn again below it),
/// its control characters escaped.
pub fn eprint_line(line: &str) {
    // `tell!`, not `eprintln!`: a closed terminal (SIGHUP's usual cause) must not stop the
    // handler that says what the folder holds before the flag is set.
    let print = || tell!("{line}");
    match shown().as_ref() {
        Some((_, bar)) => bar.suspend(print),
        None => print(),
    }
}

/// Clears the progress bar, if one is drawn, for good: the process is about to exit.
pub fn clear() {
    if let Some((_, bar)) = shown().take() {
        bar.finish_and_clear();
    }
}

/// The bar's message after `done` steps of this run in `elapsed`, with `left` still to do: the
/// replication rate (steps worth no replications, cells being checked, show none) and the time
/// left at the average pace so far, `elapsed / done` a step. Both are averages over the whole
/// run, so they settle as it goes instead of following the last few steps; with several threads
/// the first steps finish together, so the first figures are rough, never wild.
fn status(done: u64, left: u64, replications_per_step: u64, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64().max(1e-9);
    let mut status = String::new();
    if replications_per_step > 0 {
        let rate = (done * replications_per_step) as f64 / seconds;
        // Under one a second (long single-threaded replications), a minute's count is readable.
        if rate >= 1.0 {
            status.push_str(&format!("{rate:.1} replications/s  "));
        } else {
            status.push_str(&format!("{:.1} replications/min  ", rate * 60.0));
        }
    }
    let remaining = seconds * left as f64 / done.max(1) as f64;
    status.push_str(&format!("{} left", duration_text(remaining)));
    status
}

/// A duration in whole units, coarser as it grows, so the figure does not flicker: `45s`,
/// `12m 05s`, `3h 07m`.
fn duration_text(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        _ => {
            let m = (seconds / 60.0).round() as u64;
            format!("{}h {:02}m", m / 60, m % 60)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_is_the_average_pace_so_far_times_the_steps_left() {
        // One single-threaded replication a minute: 999 left after the first.
        let one = status(1, 999, 1, Duration::from_secs(60));
        assert_eq!(one, "1.0 replications/min  16h 39m left");
        // At the same pace, the estimate only counts down.
        let ten = status(10, 990, 1, Duration::from_secs(600));
        assert_eq!(ten, "1.0 replications/min  16h 30m left");
        // A slow step moves it by its share of the average, not by a factor.
        let slow = status(11, 989, 1, Duration::from_secs(600 + 120));
        assert_eq!(slow, "0.9 replications/min  17h 59m left");
    }

    #[test]
    fn cells_show_the_replications_they_hold_and_checks_show_no_rate() {
        assert_eq!(
            status(4, 12, 20, Duration::from_secs(8)),
            "10.0 replications/s  24s left"
        );
        assert_eq!(status(3, 0, 0, Duration::from_millis(300)), "0s left");
    }

    #[test]
    fn a_staged_bar_counts_every_stage_to_its_end() {
        let progress = Progress::staged("replications", true);
        progress.stage(30);
        assert_eq!(
            (progress.bar.position(), progress.bar.length()),
            (0, Some(30))
        );
        (0..30).for_each(|_| progress.step());
        progress.stage(3);
        assert_eq!(progress.bar.length(), Some(33));
        assert_eq!(progress.bar.prefix(), "stage 2");
        (0..3).for_each(|_| progress.step());
        progress.stage(4);
        (0..4).for_each(|_| progress.step());
        assert_eq!(progress.counted(), (37, Some(37), "stage 3".to_string()));
        // The time left is the stage's: nothing once its last step is done.
        assert!(
            progress.bar.message().ends_with(" 0s left"),
            "{}",
            progress.bar.message()
        );
    }

    #[test]
    fn durations_are_written_in_units_that_fit() {
        assert_eq!(duration_text(0.4), "0s");
        assert_eq!(duration_text(59.4), "59s");
        assert_eq!(duration_text(59.6), "1m 00s");
        assert_eq!(duration_text(725.0), "12m 05s");
        assert_eq!(duration_text(3599.4), "59m 59s");
        assert_eq!(duration_text(3600.0), "1h 00m");
        assert_eq!(duration_text(11_220.0), "3h 07m");
        assert_eq!(duration_text(3599.6), "1h 00m");
    }
}
