//! Chat evaluation of one replication on its own: `bpos-2011`'s 6,000 tenants (their seats drawn
//! as a replication draws them, most small, a few of thousands), on a first-in-first-out timeline
//! of 150 tenants a week where one tenant in ten slips a week and one in fifty never transitions.
//! `summary` is what every replication computes; `detail` adds the per-tenant figures, the islands
//! and the daily series of the detail replication.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use cutover::engine::{DAY, HOUR, SimTime, Streams};
use cutover::model::Population;
use cutover::model::chat::{self, SampleGrid, Timeline};
use cutover::scenario::{Scenario, Source};

/// Tenants placed per weekly batch, and days from placing a batch to its weekend.
const PER_WEEK: u64 = 150;
const LEAD_DAYS: u64 = 60;

fn timelines(tenants: usize) -> (Vec<Timeline>, SimTime) {
    let mut last = 0;
    let lines = (0..tenants as u64)
        .map(|i| {
            // The first weekend is a Saturday: day 5 of a calendar starting on a Monday.
            let first = (LEAD_DAYS + 5 + 7 * (i / PER_WEEK)) * DAY;
            let weekend = if i % 10 == 3 { first + 7 * DAY } else { first };
            last = last.max(weekend);
            Timeline {
                first_batch: Some((SimTime(first - LEAD_DAYS * DAY), SimTime(first))),
                transition: (i % 50 != 7)
                    .then_some((SimTime(weekend), SimTime(weekend + 40 * HOUR))),
            }
        })
        .collect();
    (lines, SimTime(last + 60 * DAY))
}

fn evaluate(c: &mut Criterion) {
    let scenario =
        Scenario::load(&Source::resolve(Some("bpos-2011")), &[]).expect("bundled scenario");
    let streams = Streams::new(scenario.seed, 0);
    let seats: Vec<u32> = Population::generate(&scenario, &streams)
        .tenants
        .iter()
        .map(|t| t.seats)
        .collect();
    let (lines, end) = timelines(seats.len());
    let grid = SampleGrid {
        end,
        offset: 12 * HOUR,
    };
    let mut group = c.benchmark_group("chat");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(4));
    for (name, detail) in [("bpos-2011_summary", false), ("bpos-2011_detail", true)] {
        group.bench_function(name, |b| {
            b.iter(|| chat::evaluate(&scenario.lync, &streams, &seats, &lines, grid, detail));
        });
    }
    group.finish();
}

criterion_group!(benches, evaluate);
criterion_main!(benches);
