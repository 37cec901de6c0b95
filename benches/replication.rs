//! One replication, single-threaded: the bundled `bpos-2011` and a small scenario.
//!
//! The small one is the bundled `small-pilot` if this build has it, else `bpos-2011` cut to 200
//! tenants; the benchmark's name says which ran.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use cutover::scenario::{Scenario, Source, find_bundled};

fn load(name: &str, overrides: &[&str]) -> Scenario {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    Scenario::load(&Source::resolve(Some(name)), &overrides).expect("bundled scenario is valid")
}

fn replication(c: &mut Criterion) {
    let small = if find_bundled("small-pilot").is_some() {
        ("small-pilot", load("small-pilot", &[]))
    } else {
        (
            "bpos-2011-200-tenants",
            load("bpos-2011", &["population.tenants=200"]),
        )
    };
    let mut group = c.benchmark_group("replication");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    for (name, scenario) in [("bpos-2011", load("bpos-2011", &[])), small] {
        let policy = cutover::policy::by_name(&scenario.batching.policy).expect("known policy");
        group.bench_function(name, |b| {
            b.iter(|| cutover::model::simulate(&scenario, policy.as_ref(), 0, false));
        });
    }
    group.finish();
}

criterion_group!(benches, replication);
criterion_main!(benches);
