//! Progress bars for every simulating command: one look (done/total, replications per second,
//! time left), drawn on stderr only when it is a terminal and the command is not `--quiet`.

use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar over `total` steps of `unit` (replications, cells, ...), each step worth
/// `replications_per_step` replications for the rate shown. Safe to step from worker threads.
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    replications_per_step: u64,
    /// Steps already done before this run (a resumed sweep's cells): not counted in the rate.
    done_before: u64,
}

impl Progress {
    pub fn new(total: u64, unit: &str, replications_per_step: u64, quiet: bool) -> Progress {
        let bar = if quiet {
            ProgressBar::hidden()
        } else {
            // `stderr()` draws nothing when stderr is not a terminal.
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
        };
        let template = format!("{{bar:30}} {{pos}}/{{len}} {unit}  {{msg}}  ETA {{eta}}");
        bar.set_style(ProgressStyle::with_template(&template).expect("a valid template"));
        Progress {
            bar,
            started: Instant::now(),
            replications_per_step,
            done_before: 0,
        }
    }

    /// Starts the bar at `done` steps finished before this run, which say nothing about its speed.
    pub fn starting_at(mut self, done: u64) -> Progress {
        self.bar.set_position(done);
        self.bar.reset_eta();
        self.done_before = done;
        self
    }

    /// One more step done.
    pub fn step(&self) {
        // The message first, so one step draws once.
        // Steps worth no replications (cells being checked) show no rate.
        if self.replications_per_step > 0 {
            let done = (self.bar.position() + 1).saturating_sub(self.done_before);
            let rate = (done * self.replications_per_step) as f64
                / self.started.elapsed().as_secs_f64().max(1e-9);
            self.bar.set_message(format!("{rate:.1} replications/s"));
        }
        self.bar.inc(1);
    }

    /// Removes the bar, leaving the terminal as it was.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
