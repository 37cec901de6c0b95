//! Replications and parameter grids on rayon: the only place threads appear. Results are put back
//! in (cell, replication) order, so the output never depends on the thread count.
//!
//! `Runner::run_pairs` is the staged-execution primitive the studies (`crate::study`) build on:
//! run these (variant, replication) pairs on the pool, return their metrics in the order asked.
//! A study decides its next stage from the metrics of the last, which depend only on the pairs,
//! so a whole study is as deterministic as one replication.

mod plan;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use rayon::prelude::*;

pub use plan::{SweepPlan, plan, plan_with_progress, policy_definitions};

use crate::error::{Error, Kept};
use crate::model::{ReplicationMetrics, ReplicationOutput, simulate};
use crate::policy::BatchPolicy;
use crate::scenario::Scenario;

/// What a study runs: a validated scenario and the batch policy it runs under (a policy of a
/// comparison, a cell of a grid, a setting a search tries).
pub struct Variant {
    pub scenario: Scenario,
    pub policy: Box<dyn BatchPolicy>,
}

impl Variant {
    /// `scenario` (validated) run with `seed`, under the batch policy it names.
    pub fn seeded(mut scenario: Scenario, seed: u64) -> Result<Variant, Error> {
        scenario.seed = seed;
        let policy = scenario.policy(&scenario.batching.policy).ok_or_else(|| {
            Error::Internal(format!(
                "validated policy `{}` is unknown",
                scenario.batching.policy
            ))
        })?;
        Ok(Variant { scenario, policy })
    }
}

/// A grid cell is a variant.
pub type PlannedCell = Variant;

/// Called from the worker threads after each finished replication (a progress bar, say).
pub type OnReplication<'a> = &'a (dyn Fn() + Sync);

/// The worker threads of a pool: `threads` (`--threads`, at most 1,024), or one per core. Never
/// rayon's own default, which takes `RAYON_NUM_THREADS` from the environment unchecked: set to
/// 100000 there, a two-replication run started a hundred thousand threads and stalled the machine.
pub fn worker_threads(threads: Option<usize>) -> usize {
    threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// A pool of [`worker_threads`] workers.
fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Error> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(worker_threads(threads))
        .build()
        .map_err(|e| Error::Internal(format!("cannot start worker threads: {e}")))
}

/// The worker pool a study's stages run on, with the flag that stops them (Ctrl-C).
pub struct Runner<'a> {
    pool: rayon::ThreadPool,
    cancel: &'a AtomicBool,
    progress: Option<OnReplication<'a>>,
}

impl<'a> Runner<'a> {
    /// A pool of `threads` workers (`None`: one per core) that stops soon after `cancel` is set.
    pub fn new(threads: Option<usize>, cancel: &'a AtomicBool) -> Result<Self, Error> {
        let pool = pool(threads)?;
        Ok(Runner {
            pool,
            cancel,
            progress: None,
        })
    }

    /// Reports every finished replication to `progress`.
    pub fn with_progress(mut self, progress: OnReplication<'a>) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Runs `job(variant, replication)` for every pair on the pool and returns the results in the
    /// order of `pairs`, whatever the thread count. `Error::Interrupted` if `cancel` was set: none
    /// of these pairs' results is returned (a caller that committed earlier ones says so).
    /// The first error of a job (a replication that used up its event budget) is the result.
    pub fn map_pairs<T: Send>(
        &self,
        pairs: &[(usize, u64)],
        job: impl Fn(usize, u64) -> Result<T, Error> + Sync,
    ) -> Result<Vec<T>, Error> {
        let results: Vec<Option<Result<T, Error>>> = self.pool.install(|| {
            pairs
                .par_iter()
                .map(|&(variant, r)| {
                    if self.cancel.load(Ordering::Relaxed) {
                        return None;
                    }
                    let out = job(variant, r);
                    if let Some(progress) = self.progress {
                        progress();
                    }
                    Some(out)
                })
                .collect()
        });
        results
            .into_iter()
            .collect::<Option<Result<Vec<T>, Error>>>()
            .ok_or(Error::interrupted(Kept::Nothing))?
    }

    /// The staged-execution primitive: runs replication `r` of `variants[v]` for every `(v, r)`
    /// of `pairs` and returns their metrics in the order of `pairs`.
    pub fn run_pairs(
        &self,
        variants: &[Variant],
        pairs: &[(usize, u64)],
    ) -> Result<Vec<ReplicationMetrics>, Error> {
        self.map_pairs(pairs, |v, r| {
            let variant = &variants[v];
            replicate(&variant.scenario, variant.policy.as_ref(), r, false).map(|o| o.metrics)
        })
    }
}

/// Runs replications `0..replications` of `scenario` on `threads` threads (`None`: one per core),
/// recording the detail of replication `detail` if given.
pub fn run_replications(
    scenario: &Scenario,
    policy: &dyn BatchPolicy,
    replications: u64,
    threads: Option<usize>,
    detail: Option<u64>,
) -> Result<Vec<ReplicationOutput>, Error> {
    run_replications_with(scenario, policy, replications, threads, detail, &|| {})
}

/// [`run_replications`], calling `done()` (from a worker thread) as each replication finishes,
/// in whatever order they finish: for a progress bar. A replication that used up its event
/// budget is an error naming the cause.
pub fn run_replications_with(
    scenario: &Scenario,
    policy: &dyn BatchPolicy,
    replications: u64,
    threads: Option<usize>,
    detail: Option<u64>,
    done: &(dyn Fn() + Sync),
) -> Result<Vec<ReplicationOutput>, Error> {
    let runner = Runner::new(threads, &NEVER)?.with_progress(done);
    run_replication_range(scenario, policy, 0..replications, &runner, detail)
}

/// Runs replications `range` of `scenario` on `runner`, recording the detail of `detail` if in it.
pub fn run_replication_range(
    scenario: &Scenario,
    policy: &dyn BatchPolicy,
    range: std::ops::Range<u64>,
    runner: &Runner,
    detail: Option<u64>,
) -> Result<Vec<ReplicationOutput>, Error> {
    let pairs: Vec<(usize, u64)> = range.map(|r| (0, r)).collect();
    runner.map_pairs(&pairs, |_, r| {
        replicate(scenario, policy, r, detail == Some(r))
    })
}

/// One replication as every command runs it: [`simulate`], with a replication that used up its
/// event budget (a scenario caught in a loop) an error naming the cause.
pub fn replicate(
    scenario: &Scenario,
    policy: &dyn BatchPolicy,
    replication: u64,
    detail: bool,
) -> Result<ReplicationOutput, Error> {
    let mut output = simulate(scenario, policy, replication, detail);
    match output.stopped.take() {
        Some(why) => Err(Error::Usage(why)),
        None => Ok(output),
    }
}

/// A stop flag nobody sets, for runs that are not interrupted.
pub static NEVER: AtomicBool = AtomicBool::new(false);

/// Runs every replication of the cells `todo` of `plan` as one flat parallel job list, and calls
/// `finished(cell, metrics)` on the calling thread as soon as a cell's replications are all done,
/// with them in replication order. Only unfinished cells' values are held in memory. Stops at the
/// first error `finished` returns, or soon after `cancel` is set (Ctrl-C): cells already handed to
/// `finished` are complete, the rest are abandoned, and the result is `Error::Interrupted`
/// saying the finished cells are kept.
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
    let pool = pool(threads)?;
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, usize, Result<ReplicationOutput, Error>)>();
    std::thread::scope(|scope| {
        let (pool, stop) = (&pool, &stop);
        scope.spawn(move || {
            pool.install(|| {
                (0..jobs).into_par_iter().for_each_with(tx, |tx, job| {
                    if stop.load(Ordering::Relaxed) || cancel.load(Ordering::Relaxed) {
                        return;
                    }
                    let (slot, r) = (job / reps, job % reps);
                    let m = plan.replicate(todo[slot], r as u64);
                    // The receiver is gone only after an error, when nothing more is wanted.
                    let _ = tx.send((slot, r, m));
                });
            });
        });
        let mut pending: HashMap<usize, (usize, Vec<Option<ReplicationMetrics>>)> = HashMap::new();
        for (slot, r, output) in rx {
            if cancel.load(Ordering::Relaxed) {
                // Drain without committing: workers see the flag and stop within one replication.
                continue;
            }
            let m = match output {
                Ok(output) => output.metrics,
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            };
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
            return Err(Error::interrupted(Kept::FinishedCells));
        }
        Ok(())
    })
}
