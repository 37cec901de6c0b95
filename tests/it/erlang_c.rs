//! The operator pool and the kernel's event queue, checked against queueing theory: with Poisson
//! arrivals, exponential service and a constant staff, the pool is an M/M/c queue whose mean wait
//! and probability of waiting are given by the Erlang C formula. Checked twice: the pool alone,
//! and the time averages a whole replication reports (replications.csv).

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

/// A whole replication whose operators see a steady stream of hard failures: three notice
/// phases seven weeks apart (so that even a notice failing several times is done in time), each
/// starting `NOTICES` notices that end uniformly over the week after it, with a batch of `BATCH`
/// tenants every week. In steady state notices end at a constant rate, and each fails hard with
/// a small probability `HARD`: the failures are a thinning of many independent points, very
/// nearly Poisson (with one kind failing often, the weekly counts are binomial and visibly
/// smoother than Poisson, and the queue shorter than Erlang C's). A failed notice is resolved
/// (exponential, mean `RESOLVE_HOURS`) and tried again. `STAFF` operators around the clock,
/// nothing else fails, and nobody calls the help desk. The time averages are taken over a window
/// in the steady state (`calendar.observe_from`, `observe_until`).
const BATCH: u32 = 64;
const HARD: f64 = 0.02;
const NOTICES: u32 = 12;
const RESOLVE_HOURS: f64 = 4.0;
const STAFF: u32 = 2;

/// The scenario, with `NOTICES` kinds of notice in each notice phase.
fn steady_scenario() -> String {
    let kinds: Vec<String> = (0..NOTICES).map(|i| format!("\"notice{i}\"")).collect();
    let tables: String = (0..NOTICES)
        .map(|i| {
            format!(
                "[workitems.notice{i}]\nduration_minutes = {{ dist = \"uniform\", low = 0, high = 10080 }}\nhard_failure_probability = {HARD}\n"
            )
        })
        .collect();
    STEADY_SCENARIO
        .replace("NOTICE_KINDS", &format!("[{}]", kinds.join(", ")))
        .replace("NOTICE_TABLES", &tables)
}

const STEADY_SCENARIO: &str = r#"
name = "steady-errors"
seed = 4242
[calendar]
start = 2011-09-05
deadline = 2012-11-08
end = 2012-11-08
# Every notice phase busy with a weekly batch from about day 110; the window (days 120 to 240)
# ends well before the last batch's first notices do.
observe_from = 2012-01-03
observe_until = 2012-05-02
[population]
tenants = 2400
regions = ["NA"]
seats = 1
shared_mailboxes = 0
blocked_fraction = 0
[phases]
window_hours = 24
[[phases.programme]]
key = "ready"
[[phases.programme]]
key = "notice_a"
start_days = -147
work = NOTICE_KINDS
[[phases.programme]]
key = "notice_b"
start_days = -98
work = NOTICE_KINDS
[[phases.programme]]
key = "notice_c"
start_days = -49
work = NOTICE_KINDS
[[phases.programme]]
key = "switch"
start_hours = 0
window = true
work = ["switch"]
[batching]
lead_days = 147
cadence_days = 7
max_tenants = 64
[workitems]
transient_probability = 0
hard_failure_probability = 0
NOTICE_TABLES[workitems.switch]
duration_minutes = 1
[operators]
weekday = 2
weekend = 2
weekday_hours = [0, 24]
weekend_hours = [0, 24]
resolve_hours = { dist = "exponential", mean = 4.0 }
"#;

#[test]
fn a_replications_time_averages_match_erlang_c() {
    use cutover::model::simulate;
    use cutover::scenario::Scenario;

    let sc = Scenario::from_text(&steady_scenario(), "steady.toml", &[])
        .unwrap_or_else(|e| panic!("{e}"));
    let policy = cutover::policy::by_name("fifo").expect("built in");
    // Notices started per hour (three phases of a weekly batch), each failing hard a geometric
    // number of times: p / (1 - p) on average.
    let lambda = 3.0 * f64::from(BATCH * NOTICES) / 168.0 * HARD / (1.0 - HARD);
    let a = lambda * RESOLVE_HOURS;
    let rho = a / f64::from(STAFF);
    let lq = erlang_c(STAFF, a) * rho / (1.0 - rho);
    let (mut queue, mut busy, mut utilization) = (Running::new(), Running::new(), Running::new());
    for r in 0..40 {
        let m = simulate(&sc, policy.as_ref(), r, false).metrics;
        // Rollbacks would drop queued errors unserved: the stream is an M/M/c queue only without.
        assert_eq!(m.slips, 0, "replication {r} slipped");
        queue.push(m.operator_queue_mean);
        busy.push(m.operator_busy_mean);
        utilization.push(m.operator_utilization);
    }
    let checks = [
        ("mean queue Lq", lq, &queue),
        ("mean busy a", a, &busy),
        ("utilisation rho", rho, &utilization),
    ];
    for (what, expected, sample) in checks {
        let (lo, hi) = sample.ci95();
        eprintln!(
            "{what}: Erlang C {expected:.4}, simulated {:.4} [{lo:.4}, {hi:.4}]",
            sample.mean()
        );
    }
    for (what, expected, sample) in checks {
        let (lo, hi) = sample.ci95();
        assert!(
            lo <= expected && expected <= hi,
            "{what}: Erlang C {expected:.4} outside the 95% CI [{lo:.4}, {hi:.4}] of 40 replications"
        );
        assert!(
            hi - lo < 0.2 * expected,
            "{what}: CI [{lo:.4}, {hi:.4}] too wide to test anything"
        );
    }
}
