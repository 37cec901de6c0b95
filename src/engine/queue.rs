//! The future event list: a radix heap with 64-way digits, ordered by (time, scheduling order).
//!
//! The kernel's clock never goes back, so every event is scheduled at or after the time of the
//! last event popped. A radix heap (Ahuja, Mehlhorn, Orlin and Tarjan 1990) exploits exactly that:
//! an event is filed under the highest six-bit digit in which its time differs from the clock and
//! that digit's value, and only the earliest slot is ever sorted out, by moving its events into
//! lower levels once the clock reaches it. Slots of the lowest level hold a single time each and
//! are handed over whole when their time comes. An event is written once per six-bit digit of its
//! delay (twice for an hour in seconds, four times for sixty days), always by appending to a
//! vector: no comparisons along a path as in a binary heap, and little cache traffic when the
//! queue is large. BENCHMARKS.md compares it with the binary heap of (time, sequence) keys it
//! replaced.
//!
//! Equal times leave in the order they were scheduled, with no sequence number: events with the
//! same time always sit in the same slot, slots are appended to and emptied in order, and the
//! events due now leave in that order, before any scheduled for now while they wait.

use std::collections::VecDeque;

use super::time::SimTime;

/// Bits of the time per level: 64 slots a level, so one `u64` marks a level's non-empty slots.
const DIGIT_BITS: u32 = 6;
const SLOTS: usize = 1 << DIGIT_BITS;
/// Levels to cover a 64-bit time: ten of six bits and one of four.
const LEVELS: usize = 64_usize.div_ceil(DIGIT_BITS as usize);

/// An event waiting in one of the slots, with its time.
struct Slot<E> {
    time: u64,
    event: E,
}

/// The event queue and clock of one simulation run.
///
/// `pop` advances the clock to the event's time, so the clock never goes back: scheduling in the
/// past is a model bug, caught by a debug assertion and clamped to `now` in release builds.
pub struct EventQueue<E> {
    /// Events due at `now` that came out of a slot of level 0, in reverse scheduling order (the
    /// next is at the end). Swapped in whole: the common case of one event per time costs no copy.
    current: Vec<Slot<E>>,
    /// Events due at `now` scheduled or moved here since, in scheduling order; they come after
    /// `current`.
    near: VecDeque<E>,
    /// `slots[level * SLOTS + digit]`: events whose time first differs from `now` in six-bit
    /// digit `level` and has `digit` there, in scheduling order among equal times. A slot of
    /// level 0 therefore holds events of one time only.
    /// Arrays of a fixed length, so that an index made of a level and a digit needs no bounds
    /// check.
    slots: Box<[Vec<Slot<E>>; LEVELS * SLOTS]>,
    /// Earliest time in each slot (`u64::MAX` while it is empty).
    slot_min: Box<[u64; LEVELS * SLOTS]>,
    /// Bit `digit` of `occupied[level]` set when that slot is not empty.
    occupied: [u64; LEVELS],
    /// Bit `level` set when `occupied[level] != 0`.
    levels: u16,
    len: usize,
    now: SimTime,
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

    /// A queue that holds `capacity` events scheduled for the current time without reallocating;
    /// the slots for later times grow on first use.
    pub fn with_capacity(capacity: usize) -> Self {
        EventQueue {
            current: Vec::new(),
            near: VecDeque::with_capacity(capacity),
            slots: Box::new(std::array::from_fn(|_| Vec::new())),
            slot_min: Box::new([u64::MAX; LEVELS * SLOTS]),
            occupied: [0; LEVELS],
            levels: 0,
            len: 0,
            now: SimTime::ZERO,
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
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Schedules `event` at `time`.
    #[inline(always)]
    pub fn schedule(&mut self, time: SimTime, event: E) {
        debug_assert!(
            time >= self.now,
            "event scheduled in the past: {time} < {}",
            self.now
        );
        let time = time.max(self.now).0;
        self.len += 1;
        self.file(time, event);
    }

    /// Schedules `event` `delay` ticks from now.
    #[inline]
    pub fn schedule_in(&mut self, delay: u64, event: E) {
        self.schedule(self.now + delay, event);
    }

    /// Time of the next event, if any, without removing it.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        if !self.current.is_empty() || !self.near.is_empty() {
            Some(self.now)
        } else if self.levels != 0 {
            Some(SimTime(self.slot_min[self.lowest_slot()]))
        } else {
            None
        }
    }

    /// Removes the earliest event, advances the clock to its time and counts it.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        if self.current.is_empty() && self.near.is_empty() {
            if self.levels == 0 {
                return None;
            }
            self.advance();
        }
        let event = match self.current.pop() {
            Some(slot) => slot.event,
            None => self.near.pop_front()?,
        };
        self.len -= 1;
        self.processed += 1;
        Some((self.now, event))
    }

    /// Files an event at `time >= now` under the highest digit in which it differs from `now`.
    #[inline(always)]
    fn file(&mut self, time: u64, event: E) {
        let diff = time ^ self.now.0;
        if diff == 0 {
            self.near.push_back(event);
            return;
        }
        let level = (63 - diff.leading_zeros()) / DIGIT_BITS;
        let digit = (time >> (level * DIGIT_BITS)) as usize % SLOTS;
        let i = level as usize * SLOTS + digit;
        self.slots[i].push(Slot { time, event });
        self.slot_min[i] = self.slot_min[i].min(time);
        self.occupied[level as usize] |= 1 << digit;
        self.levels |= 1 << level;
    }

    /// Index of the slot holding the earliest events: the lowest digit of the lowest level.
    #[inline]
    fn lowest_slot(&self) -> usize {
        let level = self.levels.trailing_zeros() as usize;
        level * SLOTS + self.occupied[level].trailing_zeros() as usize
    }

    /// Moves the clock to the earliest waiting event and empties the slot that holds it: into
    /// `current` if it is a slot of level 0 (all one time), else spread over the lower levels
    /// relative to the new clock. Called only when nothing is due now. Always inlined into `pop`
    /// (called once, in the event loop): called out of line it cost a replication 1% more.
    #[inline(always)]
    fn advance(&mut self) {
        let i = self.lowest_slot();
        let (level, digit) = (i / SLOTS, i % SLOTS);
        debug_assert!(
            self.slot_min[i] >= self.now.0,
            "time went back: {} < {}",
            self.slot_min[i],
            self.now
        );
        self.now = SimTime(self.slot_min[i]);
        self.slot_min[i] = u64::MAX;
        self.occupied[level] &= !(1 << digit);
        if self.occupied[level] == 0 {
            self.levels &= !(1 << level);
        }
        if level == 0 {
            // `current` is empty: the slot's buffer and its empty one change places.
            std::mem::swap(&mut self.current, &mut self.slots[i]);
            self.current.reverse();
            return;
        }
        // Every event here agrees with the new clock from digit `level` up, so each moves to a
        // lower level (or to `near`), and the other slots need not move at all.
        let mut slot = std::mem::take(&mut self.slots[i]);
        for Slot { time, event } in slot.drain(..) {
            self.file(time, event);
        }
        // A slot of level 1 comes round again within 4,096 ticks: it keeps its buffer. One
        // higher up comes round only after 64 times its span (three days for level 2, half a
        // year for level 3) and may have held many events at once: a large buffer is freed, or
        // every such slot would keep the largest it ever held (+14% peak memory on `stress`).
        if level == 1 || slot.capacity() <= 256 {
            self.slots[i] = slot;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::CounterRng;
    use rand::RngExt;

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
        assert!(q.is_empty());
    }

    #[test]
    fn extreme_times_keep_their_order() {
        let mut q = EventQueue::new();
        q.schedule(SimTime::MAX, 0);
        q.schedule(SimTime(u64::MAX - 1), 1);
        q.schedule(SimTime(1 << 63), 2);
        q.schedule(SimTime::ZERO, 3);
        q.schedule(SimTime::MAX, 4);
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, [3, 2, 1, 0, 4]);
        assert_eq!(q.now(), SimTime::MAX);
    }

    /// Pushes and pops interleaved at random, with many equal times and jumps of every size,
    /// checked step by step against a reference that sorts by (time, scheduling number).
    #[test]
    fn matches_a_sort_by_time_then_scheduling_order() {
        for case in 0..40u64 {
            let mut rng = CounterRng::new(case);
            let mut q = EventQueue::new();
            let mut reference: Vec<(u64, u64)> = Vec::new();
            let mut seq = 0u64;
            // Narrow spreads make ties common; wide ones exercise the high buckets.
            let spread_bits = [0u32, 2, 8, 20, 40, 62][(case % 6) as usize];
            for _ in 0..3_000 {
                let push = reference.is_empty() || rng.random_bool(0.55);
                if push {
                    let delay = if spread_bits == 0 {
                        0
                    } else {
                        rng.random_range(0..1u64 << spread_bits) >> rng.random_range(0..spread_bits)
                    };
                    let time = q.now().0.saturating_add(delay);
                    if rng.random_bool(0.5) {
                        q.schedule(SimTime(time), seq);
                    } else {
                        q.schedule_in(delay, seq);
                    }
                    reference.push((time, seq));
                    seq += 1;
                } else {
                    let (i, &min) = reference
                        .iter()
                        .enumerate()
                        .min_by_key(|&(_, &key)| key)
                        .expect("not empty");
                    reference.swap_remove(i);
                    assert_eq!(q.peek_time(), Some(SimTime(min.0)));
                    assert_eq!(q.pop(), Some((SimTime(min.0), min.1)));
                }
                assert_eq!(q.len(), reference.len());
            }
            reference.sort_unstable();
            let rest: Vec<_> = std::iter::from_fn(|| q.pop().map(|(t, e)| (t.0, e))).collect();
            assert_eq!(rest, reference, "case {case}");
            assert_eq!(q.peek_time(), None);
            assert_eq!(q.events_processed(), seq);
        }
    }
}
