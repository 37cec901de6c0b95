//! The work arena: every workitem of the replication in one vector, each tenant's current attempt
//! (its epoch), and each item's life. An item of an older attempt than its tenant's was abandoned
//! by a rollback; it is recognised as stale wherever it surfaces (its events, an operator's
//! queue), so a rollback searches nothing. The arena also makes an item's draws, all from the
//! item's own `CounterRng`: how long an attempt takes, how it ends, how long an operator needs.

use std::cell::Cell;

use rand::RngExt;

use super::Event;
use crate::engine::{CounterRng, EventQueue, HOUR, MINUTE, SimTime, Streams, U64Streams};
use crate::model::population::purpose;
use crate::phase::WorkKind;
use crate::scenario::Scenario;

/// Where a workitem is in its life. Followed in debug builds only, so that every step can be
/// checked against the one before and every workitem seen to end exactly once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Life {
    /// Created, no attempt yet (a copy waiting for its first slot).
    Created,
    /// Ready for another attempt (a copy waiting for a slot again).
    Waiting,
    Running,
    /// An attempt just ended; its outcome is being decided.
    Ending,
    Retrying,
    Failed,
    Done,
}

/// How an attempt ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Outcome {
    /// The work is done; a copy moved `size_gb`.
    Done { size_gb: f32 },
    /// A transient failure: the item's `RetryDue` is scheduled.
    Retrying,
    /// A hard failure, or a transient one past the retry limit (`retried`): an operator needs
    /// `service` ticks.
    Failed { service: u64, retried: bool },
}

/// A unit of work. 24 bytes, not 32: a replication creates hundreds of thousands and touches each
/// cold when an attempt starts and ends, so more of them to a cache line is less waiting on memory.
#[derive(Clone, Copy, Debug)]
struct Workitem {
    tenant: u32,
    epoch: u32,
    size_gb: f32,
    /// Transient failures since the last success or resolution: at most `max_retries` + 1, and
    /// the scenario caps `max_retries` at 10,000, so 16 bits hold it.
    failures: u16,
    kind: WorkKind,
    rng: CounterRng,
}

const _: () = assert!(std::mem::size_of::<Workitem>() == 24);

pub(super) struct WorkArena<'a> {
    sc: &'a Scenario,
    items: Vec<Workitem>,
    /// Each tenant's current attempt: bumped by every rollback.
    epochs: Vec<u32>,
    /// Each tenant's work stream, which keys its workitems' `CounterRng`s in creation order.
    streams: U64Streams,
    /// Debug builds: each workitem's life (empty otherwise).
    lives: Vec<Life>,
    /// Workitems that succeeded, and that a rollback abandoned: with the outstanding ones,
    /// every workitem ever created (checked in debug builds).
    done: u64,
    abandoned: u64,
}

thread_local! {
    /// The workitem vector of the last replication this thread ran, emptied, for the next one.
    /// A replication's hundreds of thousands of workitems grew a fresh vector by doubling, each
    /// step copying every item and touching newly mapped pages; reusing the memory saves both.
    /// Only the capacity carries over, never an item, so no result depends on it.
    static SPARE_ITEMS: Cell<Vec<Workitem>> = const { Cell::new(Vec::new()) };
}

impl Drop for WorkArena<'_> {
    fn drop(&mut self) {
        let mut items = std::mem::take(&mut self.items);
        items.clear();
        SPARE_ITEMS.set(items);
    }
}

impl<'a> WorkArena<'a> {
    pub fn new(sc: &'a Scenario, streams: &Streams, tenants: usize) -> Self {
        WorkArena {
            sc,
            items: SPARE_ITEMS.take(),
            epochs: vec![0; tenants],
            streams: streams.u64_streams(tenants, purpose::WORK),
            lives: Vec::new(),
            done: 0,
            abandoned: 0,
        }
    }

    /// Workitems ever created.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn done(&self) -> u64 {
        self.done
    }

    pub fn abandoned(&self) -> u64 {
        self.abandoned
    }

    pub fn lives(&self) -> &[Life] {
        &self.lives
    }

    #[inline]
    pub fn tenant(&self, item: u32) -> u32 {
        self.items[item as usize].tenant
    }

    #[inline]
    pub fn kind(&self, item: u32) -> WorkKind {
        self.items[item as usize].kind
    }

    /// The tenant's current attempt.
    #[inline]
    pub fn epoch(&self, tenant: u32) -> u32 {
        self.epochs[tenant as usize]
    }

    /// Whether the item belongs to its tenant's current attempt.
    #[inline]
    pub fn is_live(&self, item: u32) -> bool {
        let w = &self.items[item as usize];
        self.epochs[w.tenant as usize] == w.epoch
    }

    /// A rollback: the tenant's current attempt, with its `outstanding` workitems, is abandoned.
    pub fn abandon(&mut self, tenant: u32, outstanding: u32) {
        self.epochs[tenant as usize] += 1;
        self.abandoned += u64::from(outstanding);
    }

    /// Creates a workitem of the tenant's current attempt; returns its index.
    #[inline]
    pub fn create(&mut self, tenant: u32, kind: WorkKind, size_gb: f32) -> u32 {
        let key = self.streams.next_u64(tenant as usize);
        self.items.push(Workitem {
            tenant,
            epoch: self.epochs[tenant as usize],
            kind,
            failures: 0,
            size_gb,
            rng: CounterRng::new(key),
        });
        if cfg!(debug_assertions) {
            self.lives.push(Life::Created);
        }
        (self.items.len() - 1) as u32
    }

    /// Moves `item` to `to`, checking it was in one of `from` (debug builds only).
    #[inline]
    pub fn step(&mut self, item: u32, from: &[Life], to: Life) {
        if cfg!(debug_assertions) {
            let life = &mut self.lives[item as usize];
            assert!(
                from.contains(life),
                "workitem {item} cannot go from {life:?} to {to:?}"
            );
            *life = to;
        }
    }

    /// Starts an attempt of the item (of a tenant with `seats` seats) and schedules its end.
    #[inline]
    pub fn begin_attempt(
        &mut self,
        now: SimTime,
        item: u32,
        seats: u32,
        queue: &mut EventQueue<Event>,
    ) {
        self.step(item, &[Life::Created, Life::Waiting], Life::Running);
        let sc = self.sc;
        let w = &mut self.items[item as usize];
        let minutes = if sc.phases.programme.is_copy(w.kind) {
            let rate = sc.copy.gb_per_hour.sample(&mut w.rng);
            sc.copy.overhead_minutes + 60.0 * f64::from(w.size_gb) / rate
        } else {
            let params = sc.workitems.kind(w.kind);
            params.duration_minutes.sample(&mut w.rng) + params.minutes_per_seat * f64::from(seats)
        };
        let ticks = SimTime::from_hours(minutes * MINUTE as f64 / HOUR as f64)
            .ticks()
            .max(1);
        queue.schedule(now + ticks, Event::AttemptDone { item });
    }

    /// Draws how the item's attempt ended (for a tenant coexisting with on-premises mail, the
    /// window's work fails hard more often); schedules the retry of a transient failure.
    #[inline]
    pub fn end_attempt(
        &mut self,
        now: SimTime,
        item: u32,
        coexistence: bool,
        queue: &mut EventQueue<Event>,
    ) -> Outcome {
        self.step(item, &[Life::Running], Life::Ending);
        let (sc, programme) = (self.sc, &self.sc.phases.programme);
        let w = &mut self.items[item as usize];
        let params = sc.workitems.kind(w.kind);
        let u: f64 = w.rng.random();
        let multiplied = coexistence && programme.in_window(w.kind);
        let hard = sc.workitems.hard_failure_probability(w.kind, multiplied);
        if u < hard {
            return self.fail(item, false);
        }
        if u < hard + params.transient_probability {
            w.failures += 1;
            if u32::from(w.failures) > sc.workitems.max_retries {
                return self.fail(item, true);
            }
            let delay =
                sc.workitems.retry_delay_seconds * sc.workitems.backoff.powi(w.failures as i32 - 1);
            queue.schedule(
                now + SimTime::from_hours(delay / 3600.0).ticks(),
                Event::RetryDue { item },
            );
            self.step(item, &[Life::Ending], Life::Retrying);
            return Outcome::Retrying;
        }
        let size_gb = w.size_gb;
        self.step(item, &[Life::Ending], Life::Done);
        self.done += 1;
        Outcome::Done { size_gb }
    }

    /// A hard failure: the item's count of transient failures starts again, and its
    /// resolution time is drawn.
    fn fail(&mut self, item: u32, retried: bool) -> Outcome {
        self.step(item, &[Life::Ending], Life::Failed);
        let w = &mut self.items[item as usize];
        w.failures = 0;
        let service = SimTime::from_hours(self.sc.operators.resolve_hours.sample(&mut w.rng));
        Outcome::Failed {
            service: service.ticks(),
            retried,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phase::Programme;

    fn scenario(text: &str) -> Scenario {
        Scenario::from_text(&format!("name = \"t\"\n{text}"), "t.toml", &[]).unwrap()
    }

    /// The first kind of work that is not a copy.
    fn plain_kind(programme: &Programme) -> WorkKind {
        programme.kinds().find(|&k| !programme.is_copy(k)).unwrap()
    }

    #[test]
    fn an_abandoned_attempts_items_are_stale() {
        let sc = scenario("");
        let kind = plain_kind(&sc.phases.programme);
        let mut arena = WorkArena::new(&sc, &Streams::new(1, 0), 2);
        let (a, b) = (arena.create(0, kind, 0.0), arena.create(1, kind, 0.0));
        arena.abandon(0, 1);
        assert!(!arena.is_live(a) && arena.is_live(b));
        let c = arena.create(0, kind, 0.0);
        assert!(arena.is_live(c), "the next attempt's items are live");
        assert_eq!((arena.epoch(0), arena.abandoned(), arena.len()), (1, 1, 3));
    }

    #[test]
    fn items_are_keyed_from_their_tenants_stream_in_creation_order() {
        let sc = scenario("");
        let kind = plain_kind(&sc.phases.programme);
        let streams = Streams::new(1, 0);
        let draw = |arena: &mut WorkArena, item: u32| {
            let mut queue = EventQueue::new();
            arena.begin_attempt(SimTime::ZERO, item, 10, &mut queue);
            queue.pop().unwrap().0
        };
        // Tenant 1's second item is the same however tenant 0's work interleaves.
        let mut alone = WorkArena::new(&sc, &streams, 2);
        alone.create(1, kind, 0.0);
        let item = alone.create(1, kind, 0.0);
        let mut mixed = WorkArena::new(&sc, &streams, 2);
        mixed.create(1, kind, 0.0);
        mixed.create(0, kind, 0.0);
        let other = mixed.create(1, kind, 0.0);
        assert_eq!(draw(&mut alone, item), draw(&mut mixed, other));
    }

    #[test]
    fn an_attempt_ends_at_its_scheduled_time() {
        let sc = scenario("");
        let kind = plain_kind(&sc.phases.programme);
        let mut arena = WorkArena::new(&sc, &Streams::new(3, 0), 1);
        let item = arena.create(0, kind, 0.0);
        let mut queue = EventQueue::new();
        arena.begin_attempt(SimTime(100), item, 50, &mut queue);
        let (at, event) = queue.pop().unwrap();
        assert_eq!(event, Event::AttemptDone { item });
        assert!(at > SimTime(100), "an attempt takes at least a tick");
    }

    #[test]
    fn transient_failures_back_off_then_fail_hard() {
        let sc = scenario(
            "[workitems]\ntransient_probability = 0.999\nhard_failure_probability = 0.0\n\
             max_retries = 2\nretry_delay_seconds = 60\nbackoff = 2.0\n",
        );
        let kind = plain_kind(&sc.phases.programme);
        let mut arena = WorkArena::new(&sc, &Streams::new(5, 0), 1);
        let item = arena.create(0, kind, 0.0);
        let mut queue = EventQueue::new();
        let mut delays = Vec::new();
        for _ in 0..2 {
            arena.begin_attempt(queue.now(), item, 1, &mut queue);
            let (ended, _) = queue.pop().unwrap();
            let outcome = arena.end_attempt(ended, item, false, &mut queue);
            assert_eq!(outcome, Outcome::Retrying);
            let (due, event) = queue.pop().unwrap();
            assert_eq!(event, Event::RetryDue { item });
            delays.push(due - ended);
            arena.step(item, &[Life::Retrying], Life::Waiting);
        }
        assert_eq!(delays, [60, 120], "each retry waits `backoff` times longer");
        arena.begin_attempt(queue.now(), item, 1, &mut queue);
        let (ended, _) = queue.pop().unwrap();
        let outcome = arena.end_attempt(ended, item, false, &mut queue);
        assert!(
            matches!(outcome, Outcome::Failed { retried: true, .. }),
            "{outcome:?}"
        );
        assert!(queue.is_empty(), "a hard failure schedules no retry");
    }

    #[test]
    fn a_workitem_moves_only_along_its_life() {
        let sc = scenario("");
        let kind = plain_kind(&sc.phases.programme);
        let mut arena = WorkArena::new(&sc, &Streams::new(1, 0), 1);
        let item = arena.create(0, kind, 0.0);
        arena.step(item, &[Life::Created, Life::Waiting], Life::Running);
        arena.step(item, &[Life::Running], Life::Ending);
        arena.step(item, &[Life::Ending], Life::Done);
        if !cfg!(debug_assertions) {
            return; // lives are followed in debug builds only
        }
        let twice = std::panic::catch_unwind(move || {
            arena.step(item, &[Life::Running], Life::Ending);
        });
        assert!(twice.is_err(), "a done workitem cannot end another attempt");
    }
}
