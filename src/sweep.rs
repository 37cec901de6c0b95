//! Replications and parameter grids on rayon: the only place threads appear. Results are put back
//! in (cell, replication) order, so the output never depends on the thread count.

mod plan;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use rayon::prelude::*;

pub use plan::{PlannedCell, SweepPlan, plan, plan_with_progress};

use crate::error::Error;
use crate::model::{ReplicationMetrics, ReplicationOutput, simulate};
use crate::policy::BatchPolicy;
use crate::scenario::Scenario;

/// Runs replications `0..replications` of `scenario` on `threads` threads (`None`: one per core),
/// recording the detail of replication `detail` if given.
pub fn run_replications(
    scenario: &Scenario,
    policy: &dyn BatchPolicy,
    replications: u64,
    threads: Option<usize>,
    detail: Option<u64>,
) -> Result<Vec<ReplicationOutput>, rayon::ThreadPoolBuildError> {
    run_replications_with(scenario, policy, replications, threads, detail, &|| {})
}

/// [`run_replications`], calling `done()` (from a worker thread) as each replication finishes,
/// in whatever order they finish: for a progress bar.
pub fn run_replications_with(
    scenario: &Scenario,
    policy: &dyn BatchPolicy,
    replications: u64,
    threads: Option<usize>,
    detail: Option<u64>,
    done: &(dyn Fn() + Sync),
) -> Result<Vec<ReplicationOutput>, rayon::ThreadPoolBuildError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()?;
    Ok(pool.install(|| {
        (0..replications)
            .into_par_iter()
            .map(|r| {
                let output = simulate(scenario, policy, r, detail == Some(r));
                done();
                output
            })
            .collect()
    }))
}

/// Runs every replication of the cells `todo` of `plan` as one flat parallel job list, and calls
/// `finished(cell, metrics)` on the calling thread as soon as a cell's replications are all done,
/// with them in replication order. Only unfinished cells' values are held in memory. Stops at the
/// first error `finished` returns, or soon after `cancel` is set (Ctrl-C): cells already handed to
/// `finished` are complete, the rest are abandoned, and the result is `Error::Interrupted`.
pub fn run_cells(
    plan: &SweepPlan,
    todo: &[usize],
    threads: Option<usize>,
    cancel: &AtomicBool,
    mut finished: impl FnMut(usize, Vec<ReplicationMetrics>) -> Result<(), Error>,
) -> Result<(), Error> {
    let reps = usize::try_from(plan.info.replications)
        .map_err(|_| Error::Usage("too many replications for this machine".into()))?;
    let jobs = todo
        .len()
        .checked_mul(reps)
        .ok_or_else(|| Error::Usage("too many cells x replications".into()))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| Error::Internal(format!("cannot start worker threads: {e}")))?;
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, usize, ReplicationMetrics)>();
    std::thread::scope(|scope| {
        let (pool, stop) = (&pool, &stop);
        scope.spawn(move || {
            pool.install(|| {
                (0..jobs).into_par_iter().for_each_with(tx, |tx, job| {
                    if stop.load(Ordering::Relaxed) || cancel.load(Ordering::Relaxed) {
                        return;
                    }
                    let (slot, r) = (job / reps, job % reps);
                    let cell = &plan.cells[todo[slot]];
                    let m = simulate(&cell.scenario, cell.policy.as_ref(), r as u64, false).metrics;
                    // The receiver is gone only after an error, when nothing more is wanted.
                    let _ = tx.send((slot, r, m));
                });
            });
        });
        let mut pending: HashMap<usize, (usize, Vec<Option<ReplicationMetrics>>)> = HashMap::new();
        for (slot, r, m) in rx {
            if cancel.load(Ordering::Relaxed) {
                // Drain without committing: workers see the flag and stop within one replication.
                continue;
            }
            let (count, values) = pending.entry(slot).or_insert_with(|| (0, vec![None; reps]));
            values[r] = Some(m);
            *count += 1;
            if *count == reps {
                let (_, values) = pending.remove(&slot).expect("just seen");
                let metrics = values.into_iter().map(|m| m.expect("all done")).collect();
                if let Err(e) = finished(todo[slot], metrics) {
                    stop.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            }
        }
        if cancel.load(Ordering::Relaxed) {
            return Err(Error::Interrupted);
        }
        Ok(())
    })
}
