//! Replications on rayon: the only place threads appear. Results come back in replication order,
//! so the output never depends on the thread count.

use rayon::prelude::*;

use crate::model::{ReplicationOutput, simulate};
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
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()?;
    Ok(pool.install(|| {
        (0..replications)
            .into_par_iter()
            .map(|r| simulate(scenario, policy, r, detail == Some(r)))
            .collect()
    }))
}
