//! One replication on one thread: the bundled `bpos-2011` (6,000 tenants, the reference) and
//! `small-pilot` (a few hundred tenants, where set-up weighs more).

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use cutover::scenario::{Scenario, Source};

fn replication(c: &mut Criterion) {
    let mut group = c.benchmark_group("replication");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    for name in ["bpos-2011", "small-pilot"] {
        let scenario =
            Scenario::load(&Source::resolve(Some(name)), &[]).expect("bundled scenario is valid");
        let policy = cutover::policy::by_name(&scenario.batching.policy).expect("known policy");
        group.bench_function(name, |b| {
            b.iter(|| cutover::model::simulate(&scenario, policy.as_ref(), 0, false));
        });
    }
    group.finish();
}

criterion_group!(benches, replication);
criterion_main!(benches);
