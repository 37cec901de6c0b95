//! Replications per second through `sweep::run_replications` at 1 and 2 threads (the throughput
//! unit is one replication). The ratio of the two is the parallel speedup.

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use cutover::scenario::{Scenario, Source};

/// Replications per iteration: enough to keep two threads busy and even out their lengths.
const REPLICATIONS: u64 = 8;

fn sweep(c: &mut Criterion) {
    let scenario =
        Scenario::load(&Source::resolve(Some("bpos-2011")), &[]).expect("bundled scenario");
    let policy = cutover::policy::by_name(&scenario.batching.policy).expect("known policy");
    let mut group = c.benchmark_group("sweep");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(8))
        .throughput(Throughput::Elements(REPLICATIONS));
    for threads in [1usize, 2] {
        group.bench_function(format!("bpos-2011_threads_{threads}"), |b| {
            b.iter(|| {
                cutover::sweep::run_replications(
                    &scenario,
                    policy.as_ref(),
                    REPLICATIONS,
                    Some(threads),
                    None,
                )
                .expect("thread pool")
            });
        });
    }
    group.finish();
}

criterion_group!(benches, sweep);
criterion_main!(benches);
