//! The PHOLD model (Fujimoto 1990) on cutover's kernel, written once and shared by
//! `examples/phold.rs` and `benches/engine.rs`.
//!
//! N logical processes (LPs) hold one pending event each at all times: every event schedules
//! exactly one new event at `now + lookahead + Exp(mean - lookahead)` ticks, sent to a uniformly
//! random LP with probability `remote` and otherwise to its own LP. The model does nearly no work
//! per event, so its rate measures the kernel: the event queue and the random streams.

use cutover::engine::{CounterRng, EventQueue, SimTime, Streams};
use rand::{Rng, RngExt};
use rand_distr::{Distribution, Exp1};

/// Stream purpose of the PHOLD keys (the model's purposes are its own; this is a separate program).
const PURPOSE_PHOLD: u32 = 1;

/// The parameters of one PHOLD run; times in integer ticks.
#[derive(Clone, Copy, Debug)]
pub struct Params {
    pub lps: u32,
    /// Events at or after this time are not processed.
    pub end: u64,
    /// Mean delay between an event and the one it schedules.
    pub mean: u64,
    /// Minimum delay; the rest is exponential with mean `mean - lookahead`.
    pub lookahead: u64,
    /// Probability that an event is sent to a uniformly random LP instead of its own.
    pub remote: f64,
    pub seed: u64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            lps: 10_000,
            end: 100_000,
            mean: 1_000,
            lookahead: 100,
            remote: 0.25,
            seed: 1,
        }
    }
}

impl Params {
    /// Events a run is expected to process: each LP always has one event pending, so the whole
    /// model sees `lps / mean` events per tick.
    pub fn expected_events(&self) -> f64 {
        f64::from(self.lps) * self.end as f64 / self.mean as f64
    }
}

/// A PHOLD run ready to go: the LPs' streams drawn and the start events scheduled.
pub struct Phold {
    params: Params,
    /// The LP an event is for is the whole event: a `u32`.
    queue: EventQueue<u32>,
    /// One small counter-based stream per LP, keyed from a ChaCha8 stream of the run's seed, so
    /// an LP's draws do not depend on the order in which events of other LPs run.
    rngs: Vec<CounterRng>,
    /// `remote` as a threshold on a uniform `u64`: one integer compare per event.
    remote_below: u64,
}

impl Phold {
    pub fn new(params: Params) -> Phold {
        assert!(params.lps > 0, "PHOLD needs at least one LP");
        assert!(
            params.mean > params.lookahead,
            "the mean delay must exceed the lookahead"
        );
        let mut keys = Streams::new(params.seed, 0).stream(0, PURPOSE_PHOLD);
        let rngs = (0..params.lps)
            .map(|_| CounterRng::new(keys.next_u64()))
            .collect();
        let remote_below = if params.remote >= 1.0 {
            u64::MAX
        } else {
            (params.remote.max(0.0) * 2f64.powi(64)) as u64
        };
        let mut phold = Phold {
            params,
            queue: EventQueue::with_capacity(params.lps as usize),
            rngs,
            remote_below,
        };
        // Start events are drawn like any other, so the run starts in its steady state.
        for lp in 0..params.lps {
            let delay = phold.delay(lp);
            phold.queue.schedule(SimTime(delay), lp);
        }
        phold
    }

    /// `lookahead + Exp(mean - lookahead)` rounded to whole ticks, from `lp`'s stream.
    #[inline]
    fn delay(&mut self, lp: u32) -> u64 {
        let rng = &mut self.rngs[lp as usize];
        let exp: f64 = Exp1.sample(rng);
        let spread = (self.params.mean - self.params.lookahead) as f64;
        self.params.lookahead + (exp * spread + 0.5) as u64
    }

    /// Processes every event before `end`; returns how many.
    pub fn run(mut self) -> u64 {
        let end = SimTime(self.params.end);
        let lps = self.params.lps;
        while let Some(t) = self.queue.peek_time() {
            if t >= end {
                break;
            }
            let (_, lp) = self.queue.pop().expect("peeked");
            let rng = &mut self.rngs[lp as usize];
            let target = if rng.next_u64() < self.remote_below {
                rng.random_range(0..lps)
            } else {
                lp
            };
            let delay = self.delay(lp);
            self.queue.schedule_in(delay, target);
        }
        self.queue.events_processed()
    }
}
