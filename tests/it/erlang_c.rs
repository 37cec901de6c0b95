//! The operator pool and the kernel's event queue, checked against queueing theory: with Poisson
//! arrivals, exponential service and a constant staff, the pool is an M/M/c queue whose mean wait
//! and probability of waiting are given by the Erlang C formula.

use cutover::engine::{EventQueue, HOUR, SimTime, Streams};
use cutover::model::{Job, OperatorPool, Started};
use cutover::stats::Running;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

const ARRIVALS_PER_HOUR: f64 = 4.0;
const SERVICE_MEAN_HOURS: f64 = 1.0;
const OPERATORS: u32 = 5;
const WARM_UP_HOURS: u64 = 500;
const RUN_HOURS: u64 = 10_000;
const REPLICATIONS: u64 = 30;

#[derive(Clone, Copy, Debug)]
enum Event {
    Arrival,
    Done { slot: u32, token: u32 },
}

/// An exponential duration in ticks with the given mean in hours (inverse transform).
fn exponential_ticks(rng: &mut ChaCha8Rng, mean_hours: f64) -> u64 {
    let u: f64 = rng.random();
    SimTime::from_hours(-(1.0 - u).ln() * mean_hours).ticks()
}

/// Erlang C: the probability that an arrival has to wait in an M/M/c queue with offered load `a`.
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut term = 1.0; // a^k / k!
    let mut below = 0.0;
    for k in 0..c {
        below += term;
        term *= a / f64::from(k + 1);
    }
    let top = term * f64::from(c) / (f64::from(c) - a);
    top / (below + top)
}

/// Waits of the jobs that arrived after the warm-up.
struct Waits {
    warm_up: SimTime,
    hours: Running,
    waited: u64,
}

impl Waits {
    /// Schedules the completion of a job an operator just started and records how long it waited.
    fn started(&mut self, queue: &mut EventQueue<Event>, now: SimTime, s: Started) {
        queue.schedule(
            s.end,
            Event::Done {
                slot: s.slot,
                token: s.token,
            },
        );
        let w = s.waited.expect("constant staff never hands a job back");
        if SimTime(now.ticks() - w) >= self.warm_up {
            self.hours.push(w as f64 / HOUR as f64);
            self.waited += u64::from(w > 0);
        }
    }
}

/// One replication: (mean wait in hours, fraction of jobs that waited) over jobs arriving after the
/// warm-up.
fn replicate(replication: u64) -> (f64, f64) {
    let streams = Streams::new(12_345, replication);
    let mut arrivals = streams.stream(0, 1);
    let mut services = streams.stream(0, 2);
    let mut queue = EventQueue::new();
    let mut pool = OperatorPool::new();
    let mut waits = Waits {
        warm_up: SimTime(WARM_UP_HOURS * HOUR),
        hours: Running::new(),
        waited: 0,
    };
    let end = SimTime((WARM_UP_HOURS + RUN_HOURS) * HOUR);
    let mut starts = Vec::new();
    pool.set_staff(SimTime::ZERO, OPERATORS, |_| true, |s| starts.push(s));
    assert!(starts.is_empty(), "no jobs yet");
    queue.schedule(SimTime::ZERO, Event::Arrival);
    let mut next_item = 0u32;
    while let Some((now, event)) = queue.pop() {
        match event {
            Event::Arrival => {
                if now >= end {
                    continue;
                }
                let job = Job {
                    item: next_item,
                    remaining: exponential_ticks(&mut services, SERVICE_MEAN_HOURS),
                    enqueued: now,
                    resumed: false,
                };
                next_item += 1;
                pool.submit(now, job, |_| true, |s| starts.push(s));
                let gap = exponential_ticks(&mut arrivals, 1.0 / ARRIVALS_PER_HOUR);
                queue.schedule(now + gap, Event::Arrival);
            }
            Event::Done { slot, token } => {
                let done = pool.finish(now, slot, token, |_| true, |s| starts.push(s));
                assert!(done.is_some(), "no stale completions without shift changes");
            }
        }
        for s in starts.drain(..) {
            waits.started(&mut queue, now, s);
        }
        assert!(pool.busy() <= pool.staff());
    }
    assert_eq!(pool.queued(), 0, "every job was served");
    assert_eq!(pool.busy(), 0, "every job finished");
    let n = waits.hours.count();
    assert!(n > 30_000, "only {n} jobs measured");
    (waits.hours.mean(), waits.waited as f64 / n as f64)
}

#[test]
fn operator_pool_matches_erlang_c() {
    let a = ARRIVALS_PER_HOUR * SERVICE_MEAN_HOURS;
    let c = OPERATORS;
    let p_wait = erlang_c(c, a);
    let mu = 1.0 / SERVICE_MEAN_HOURS;
    let wq = p_wait / (f64::from(c) * mu - ARRIVALS_PER_HOUR);
    // The textbook value for c = 5, a = 4.
    assert!((p_wait - 0.5541).abs() < 1e-3, "C(5, 4) = {p_wait}");
    assert!((wq - 0.5541).abs() < 1e-3, "Wq = {wq}");

    let (mut mean_wait, mut waiting) = (Running::new(), Running::new());
    for r in 0..REPLICATIONS {
        let (w, p) = replicate(r);
        mean_wait.push(w);
        waiting.push(p);
    }
    let (lo, hi) = mean_wait.ci95();
    assert!(
        lo <= wq && wq <= hi,
        "Erlang C Wq = {wq:.4} h outside the 95% CI [{lo:.4}, {hi:.4}] of the simulated mean wait"
    );
    // A CI so wide that it would contain anything would make the check above meaningless.
    assert!(
        hi - lo < 0.1 * wq,
        "CI [{lo:.4}, {hi:.4}] too wide to test anything"
    );
    let (lo, hi) = waiting.ci95();
    assert!(
        lo <= p_wait && p_wait <= hi,
        "Erlang C P(wait > 0) = {p_wait:.4} outside the 95% CI [{lo:.4}, {hi:.4}]"
    );
    assert!(
        hi - lo < 0.05,
        "CI [{lo:.4}, {hi:.4}] too wide to test anything"
    );
}
