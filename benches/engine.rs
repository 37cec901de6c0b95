//! The kernel alone: PHOLD at 1,000, 10,000 and 100,000 logical processes, throughput in events.
//!
//! `cargo bench --bench engine -- --quick` runs in well under a minute. Each iteration processes
//! about a million events; setting up the LPs is left out of the timing.

#[path = "../examples/phold/model.rs"]
mod phold_model;

use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use phold_model::{Params, Phold};

fn phold(c: &mut Criterion) {
    let mut group = c.benchmark_group("phold");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for lps in [1_000u32, 10_000, 100_000] {
        let params = Params {
            lps,
            // About a million events per iteration whatever the number of LPs.
            end: 1_000_000_000 / u64::from(lps),
            ..Params::default()
        };
        let events = Phold::new(params).run();
        // Every event schedules exactly one more: a kernel that loses or duplicates events shows
        // here before its speed is worth reading.
        let expected = params.expected_events();
        assert!(
            (events as f64 - expected).abs() < 0.05 * expected,
            "{events} events, expected about {expected:.0}"
        );
        group.throughput(Throughput::Elements(events));
        group.bench_function(format!("lps_{lps}"), |b| {
            b.iter_batched(
                || Phold::new(params),
                |phold| std::hint::black_box(phold.run()),
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, phold);
criterion_main!(benches);
