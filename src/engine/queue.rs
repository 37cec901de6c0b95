//! The future event list: a binary heap ordered by (time, sequence number).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::time::SimTime;

/// A scheduled event with its ordering key.
///
/// Time and sequence are packed into one `u128` so the heap compares a single integer: the
/// sequence number breaks ties, which makes events at equal times leave in the order they were
/// scheduled (first in, first out) and makes the whole run independent of heap internals.
struct Entry<E> {
    key: u128,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap; reverse so the earliest key is on top.
        other.key.cmp(&self.key)
    }
}

/// The event queue and clock of one simulation run.
///
/// `pop` advances the clock to the event's time, so the clock never goes back: scheduling in the
/// past is a model bug, caught by a debug assertion and clamped to `now` in release builds.
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    now: SimTime,
    next_seq: u64,
    processed: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// A queue that will not reallocate until it holds more than `capacity` pending events.
    pub fn with_capacity(capacity: usize) -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(capacity),
            now: SimTime::ZERO,
            next_seq: 0,
            processed: 0,
        }
    }

    /// The current simulated time: the time of the event most recently popped.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Events popped so far.
    pub fn events_processed(&self) -> u64 {
        self.processed
    }

    /// Events waiting.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Schedules `event` at `time`.
    pub fn schedule(&mut self, time: SimTime, event: E) {
        debug_assert!(
            time >= self.now,
            "event scheduled in the past: {time} < {}",
            self.now
        );
        let time = time.max(self.now);
        let key = (u128::from(time.0) << 64) | u128::from(self.next_seq);
        self.next_seq += 1;
        self.heap.push(Entry { key, event });
    }

    /// Schedules `event` `delay` ticks from now.
    pub fn schedule_in(&mut self, delay: u64, event: E) {
        self.schedule(self.now + delay, event);
    }

    /// Time of the next event, if any, without removing it.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| SimTime((e.key >> 64) as u64))
    }

    /// Removes the earliest event, advances the clock to its time and counts it.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let Entry { key, event } = self.heap.pop()?;
        self.now = SimTime((key >> 64) as u64);
        self.processed += 1;
        Some((self.now, event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_times_leave_in_scheduling_order() {
        let mut q = EventQueue::new();
        for i in 0..100u32 {
            q.schedule(SimTime(u64::from(i % 3)), i);
        }
        let mut out = Vec::new();
        while let Some((t, e)) = q.pop() {
            out.push((t.0, e));
        }
        let mut expected: Vec<(u64, u32)> = (0..100u32).map(|i| (u64::from(i % 3), i)).collect();
        expected.sort_by_key(|&(t, i)| (t, i));
        assert_eq!(out, expected);
        assert_eq!(q.events_processed(), 100);
    }

    #[test]
    fn clock_follows_popped_events() {
        let mut q = EventQueue::new();
        q.schedule(SimTime(50), 'b');
        q.schedule(SimTime(10), 'a');
        assert_eq!(q.peek_time(), Some(SimTime(10)));
        assert_eq!(q.pop(), Some((SimTime(10), 'a')));
        assert_eq!(q.now(), SimTime(10));
        q.schedule_in(5, 'c');
        assert_eq!(q.pop(), Some((SimTime(15), 'c')));
        assert_eq!(q.pop(), Some((SimTime(50), 'b')));
        assert_eq!(q.pop(), None);
        assert_eq!(q.now(), SimTime(50));
    }
}
