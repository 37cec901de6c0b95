//! The operator pool: people who resolve hard-failed workitems, first in first out, staffed by shift.

use std::collections::VecDeque;

use crate::engine::SimTime;

/// A failed workitem waiting for, or being handled by, an operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Job {
    pub item: u32,
    /// Work left, in ticks (the whole resolution time until first started).
    pub remaining: u64,
    pub enqueued: SimTime,
    /// Whether an operator already started it (a job handed back at a shift's end).
    pub resumed: bool,
}

/// An operator starting a job; the caller schedules the completion event for `end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Started {
    pub slot: u32,
    pub token: u32,
    pub end: SimTime,
    pub item: u32,
    /// Time the job waited before its first start; `None` when it resumes after a shift change.
    pub waited: Option<u64>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    /// Bumped whenever the slot's job ends or is handed back, so completion events already in the
    /// event queue for an earlier job can be recognised as stale.
    token: u32,
    job: Option<(Job, SimTime)>,
}

/// A pool of operators working one FIFO queue.
///
/// When a shift ends with more people busy than remain on duty, the most recently started jobs
/// are handed back to the head of the queue with their remaining work (preemptive resume), so
/// busy operators never exceed the staff on duty.
#[derive(Debug, Default)]
pub struct OperatorPool {
    staff: u32,
    busy: u32,
    slots: Vec<Slot>,
    free: Vec<u32>,
    queue: VecDeque<Job>,
    /// Whether the pool keeps `waits` (the operators' do; the help desk measures its tickets
    /// from raising to resolution instead).
    keeps_waits: bool,
    waits: Vec<u64>,
}

impl OperatorPool {
    pub fn new() -> Self {
        Self::default()
    }

    /// A pool that keeps the wait of every job before its first start.
    pub fn keeping_waits() -> Self {
        OperatorPool {
            keeps_waits: true,
            ..Self::default()
        }
    }

    /// The wait of every job before its first start, in ticks, in start order (kept only by a
    /// pool made with `keeping_waits`).
    pub fn waits(&self) -> &[u64] {
        &self.waits
    }

    pub fn staff(&self) -> u32 {
        self.staff
    }

    pub fn busy(&self) -> u32 {
        self.busy
    }

    /// Jobs waiting for an operator (including any whose item was since cancelled).
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// The items operators are working on now (including any since cancelled).
    pub fn in_service(&self) -> impl Iterator<Item = u32> + '_ {
        self.slots
            .iter()
            .filter_map(|s| s.job.map(|(job, _)| job.item))
    }

    /// Adds a job and starts whatever can start now. `live` says whether an item still needs work:
    /// cancelled items are dropped when they reach the head of the queue.
    pub fn submit(
        &mut self,
        now: SimTime,
        job: Job,
        live: impl Fn(u32) -> bool,
        started: impl FnMut(Started),
    ) {
        self.queue.push_back(job);
        self.dispatch(now, live, started);
    }

    /// Ends the job in `slot` if `token` is current; returns its item, or `None` for a stale event.
    pub fn finish(
        &mut self,
        now: SimTime,
        slot: u32,
        token: u32,
        live: impl Fn(u32) -> bool,
        started: impl FnMut(Started),
    ) -> Option<u32> {
        let s = self.slots.get_mut(slot as usize)?;
        if s.token != token {
            return None;
        }
        let (job, _) = s.job.take()?;
        s.token = s.token.wrapping_add(1);
        self.busy -= 1;
        self.free.push(slot);
        self.dispatch(now, live, started);
        Some(job.item)
    }

    /// Changes the staff on duty; hands back jobs if fewer people remain than are busy.
    pub fn set_staff(
        &mut self,
        now: SimTime,
        staff: u32,
        live: impl Fn(u32) -> bool,
        started: impl FnMut(Started),
    ) {
        self.staff = staff;
        while self.busy > self.staff {
            // The most recently started job loses the least work by waiting.
            let (slot, (job, started_at)) = self
                .slots
                .iter()
                .enumerate()
                .filter_map(|(i, s)| s.job.map(|j| (i, j)))
                .max_by_key(|(i, (_, started_at))| (*started_at, *i))
                .expect("busy > 0 means some slot holds a job");
            let s = &mut self.slots[slot];
            s.job = None;
            s.token = s.token.wrapping_add(1);
            self.busy -= 1;
            self.free.push(slot as u32);
            let remaining = job.remaining.saturating_sub(now - started_at);
            self.queue.push_front(Job {
                remaining,
                resumed: true,
                ..job
            });
        }
        self.dispatch(now, live, started);
    }

    fn dispatch(
        &mut self,
        now: SimTime,
        live: impl Fn(u32) -> bool,
        mut started: impl FnMut(Started),
    ) {
        while self.busy < self.staff {
            let Some(job) = self.queue.pop_front() else {
                break;
            };
            if !live(job.item) {
                continue;
            }
            let slot = self.free.pop().unwrap_or_else(|| {
                self.slots.push(Slot::default());
                (self.slots.len() - 1) as u32
            });
            let s = &mut self.slots[slot as usize];
            s.job = Some((job, now));
            self.busy += 1;
            let waited = (!job.resumed).then(|| now - job.enqueued);
            if let Some(w) = waited.filter(|_| self.keeps_waits) {
                self.waits.push(w);
            }
            started(Started {
                slot,
                token: s.token,
                end: now + job.remaining,
                item: job.item,
                waited,
            });
        }
    }
}
