//! Copy slots: the concurrent mailbox and site copies a region's migration endpoints can run.

use std::collections::VecDeque;

/// A tenant's claim on a region's copy slots. `stamp` must match the tenant's current stamp for
/// the entry to count; bumping the tenant's stamp withdraws all its entries at once (rollback, or
/// a move to the urgent queue) without searching the queues.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Claim {
    pub tenant: u32,
    pub stamp: u32,
}

/// The copy slots of one region: a capacity, the slots in use and two queues of tenants with
/// copies waiting. Tenants in their DataUpgrade window are served before those still pre-staging,
/// and tenants take turns within a queue, one copy each, so a large tenant cannot starve the rest.
#[derive(Debug)]
pub struct CopySlots {
    capacity: u32,
    busy: u32,
    urgent: VecDeque<Claim>,
    normal: VecDeque<Claim>,
}

impl CopySlots {
    pub fn new(capacity: u32) -> Self {
        CopySlots {
            capacity,
            busy: 0,
            urgent: VecDeque::new(),
            normal: VecDeque::new(),
        }
    }

    pub fn busy(&self) -> u32 {
        self.busy
    }

    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    pub fn has_free_slot(&self) -> bool {
        self.busy < self.capacity
    }

    /// Whether a copy could start: a slot free and a claim in line (live or withdrawn).
    #[inline]
    pub fn may_start(&self) -> bool {
        self.has_free_slot() && !(self.urgent.is_empty() && self.normal.is_empty())
    }

    pub fn acquire(&mut self) {
        debug_assert!(self.busy < self.capacity);
        self.busy += 1;
    }

    pub fn release(&mut self, slots: u32) {
        debug_assert!(self.busy >= slots);
        self.busy -= slots;
    }

    pub fn push(&mut self, claim: Claim, urgent: bool) {
        if urgent {
            self.urgent.push_back(claim)
        } else {
            self.normal.push_back(claim)
        }
    }

    /// The next claim in line, urgent first, with its queue.
    pub fn pop(&mut self) -> Option<(Claim, bool)> {
        if let Some(c) = self.urgent.pop_front() {
            return Some((c, true));
        }
        self.normal.pop_front().map(|c| (c, false))
    }
}
