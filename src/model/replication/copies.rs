//! The copy scheduler: each region's copy slots and each tenant's copies waiting for them. A
//! tenant claims a place in its region's line while it has copies waiting and room under its own
//! cap; a free slot goes to the next claim, one copy per turn, so a large tenant cannot starve
//! the rest. Claims are withdrawn by bumping the tenant's stamp, never by searching the lines.

use std::collections::VecDeque;

/// A tenant's claim on a region's copy slots. `stamp` must match the tenant's current stamp for
/// the entry to count; bumping the tenant's stamp withdraws all its entries at once (rollback, or
/// a move to the urgent queue) without searching the queues.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Claim {
    tenant: u32,
    stamp: u32,
}

/// The copy slots of one region: a capacity, the slots in use and two queues of tenants with
/// copies waiting. Tenants in their DataUpgrade window are served before those still pre-staging,
/// and tenants take turns within a queue, one copy each, so a large tenant cannot starve the rest.
#[derive(Debug)]
struct CopySlots {
    capacity: u32,
    busy: u32,
    urgent: VecDeque<Claim>,
    normal: VecDeque<Claim>,
}

impl CopySlots {
    fn new(capacity: u32) -> Self {
        CopySlots {
            capacity,
            busy: 0,
            urgent: VecDeque::new(),
            normal: VecDeque::new(),
        }
    }

    fn busy(&self) -> u32 {
        self.busy
    }

    fn capacity(&self) -> u32 {
        self.capacity
    }

    fn has_free_slot(&self) -> bool {
        self.busy < self.capacity
    }

    /// Whether a copy could start: a slot free and a claim in line (live or withdrawn).
    #[inline]
    fn may_start(&self) -> bool {
        self.has_free_slot() && !(self.urgent.is_empty() && self.normal.is_empty())
    }

    fn acquire(&mut self) {
        debug_assert!(self.busy < self.capacity);
        self.busy += 1;
    }

    fn release(&mut self, slots: u32) {
        debug_assert!(self.busy >= slots);
        self.busy -= slots;
    }

    fn push(&mut self, claim: Claim, urgent: bool) {
        if urgent {
            self.urgent.push_back(claim)
        } else {
            self.normal.push_back(claim)
        }
    }

    /// The next claim in line, urgent first, with its queue.
    fn pop(&mut self) -> Option<(Claim, bool)> {
        if let Some(c) = self.urgent.pop_front() {
            return Some((c, true));
        }
        self.normal.pop_front().map(|c| (c, false))
    }
}

/// One tenant's copies of its current attempt.
#[derive(Clone, Debug, Default)]
struct TenantCopies {
    region: u16,
    /// Items `next..end` have not started once.
    next: u32,
    end: u32,
    /// Items waiting again after a retry delay or an operator's fix; the last one added starts
    /// first.
    again: Vec<u32>,
    /// Copies of the tenant holding a slot.
    running: u32,
    /// Claims of an older stamp are withdrawn.
    stamp: u32,
    /// Whether the tenant holds a place in its region's line.
    claimed: bool,
}

impl TenantCopies {
    fn waiting(&self) -> u32 {
        self.again.len() as u32 + (self.end - self.next)
    }
}

#[derive(Debug)]
pub(super) struct CopyScheduler {
    regions: Vec<CopySlots>,
    tenants: Vec<TenantCopies>,
    /// Most copies one tenant may run at once.
    per_tenant: u32,
}

impl CopyScheduler {
    /// `slots` slots in each of `regions` regions; tenant `i` copies in region `tenant_regions[i]`.
    pub fn new(
        regions: usize,
        slots: u32,
        per_tenant: u32,
        tenant_regions: impl Iterator<Item = u16>,
    ) -> Self {
        CopyScheduler {
            regions: (0..regions).map(|_| CopySlots::new(slots)).collect(),
            tenants: tenant_regions
                .map(|region| TenantCopies {
                    region,
                    ..TenantCopies::default()
                })
                .collect(),
            per_tenant,
        }
    }

    #[inline]
    pub fn region(&self, tenant: u32) -> u16 {
        self.tenants[tenant as usize].region
    }

    /// Copies of the tenant waiting for a slot.
    pub fn waiting(&self, tenant: u32) -> u32 {
        self.tenants[tenant as usize].waiting()
    }

    /// Copies of the tenant holding a slot.
    pub fn running(&self, tenant: u32) -> u32 {
        self.tenants[tenant as usize].running
    }

    /// Slots in use in every region.
    pub fn busy(&self) -> u32 {
        self.regions.iter().map(CopySlots::busy).sum()
    }

    /// The tenant's copies were created as items `first..end`; none has started.
    pub fn assign(&mut self, tenant: u32, first: u32, end: u32) {
        let t = &mut self.tenants[tenant as usize];
        t.next = first;
        t.end = end;
    }

    /// A copy that failed may be tried again: it waits for a slot, ahead of those never tried.
    pub fn again(&mut self, tenant: u32, item: u32) {
        self.tenants[tenant as usize].again.push(item);
    }

    /// Puts the tenant in its region's line if it has copies waiting and room under its cap; an
    /// `urgent` tenant (in its window) goes in the line served first.
    #[inline]
    pub fn claim(&mut self, tenant: u32, urgent: bool) {
        let t = &mut self.tenants[tenant as usize];
        if !t.claimed && t.waiting() > 0 && t.running < self.per_tenant {
            t.claimed = true;
            self.regions[t.region as usize].push(
                Claim {
                    tenant,
                    stamp: t.stamp,
                },
                urgent,
            );
        }
    }

    /// Withdraws the tenant's place in line (to claim again in the other line).
    pub fn withdraw(&mut self, tenant: u32) {
        let t = &mut self.tenants[tenant as usize];
        t.stamp = t.stamp.wrapping_add(1);
        t.claimed = false;
    }

    /// A copy's attempt ended: its slot is free.
    #[inline]
    pub fn finished(&mut self, tenant: u32) {
        let t = &mut self.tenants[tenant as usize];
        t.running -= 1;
        self.regions[t.region as usize].release(1);
    }

    /// A rollback: the tenant's slots are freed and its copies forgotten.
    pub fn drop_tenant(&mut self, tenant: u32) {
        let t = &mut self.tenants[tenant as usize];
        self.regions[t.region as usize].release(t.running);
        t.running = 0;
        t.again.clear();
        t.next = t.end;
        t.stamp = t.stamp.wrapping_add(1);
        t.claimed = false;
    }

    /// Whether `fill` could start anything in the region: without a free slot or a claim in
    /// line its loop ends before taking a claim.
    #[inline]
    pub fn may_fill(&self, region: u16) -> bool {
        self.regions[region as usize].may_start()
    }

    /// Gives the region's free slots to the claims in line, one copy per turn, calling
    /// `start(tenant, item)` for each copy that takes a slot.
    pub fn fill(&mut self, region: u16, mut start: impl FnMut(u32, u32)) {
        let slots = &mut self.regions[region as usize];
        while slots.has_free_slot() {
            let Some((claim, urgent)) = slots.pop() else {
                break;
            };
            let t = &mut self.tenants[claim.tenant as usize];
            if t.stamp != claim.stamp || !t.claimed {
                continue;
            }
            let item = match t.again.pop() {
                Some(i) => i,
                None if t.next < t.end => {
                    t.next += 1;
                    t.next - 1
                }
                None => {
                    t.claimed = false;
                    continue;
                }
            };
            t.running += 1;
            if t.waiting() > 0 && t.running < self.per_tenant {
                slots.push(claim, urgent);
            } else {
                t.claimed = false;
            }
            slots.acquire();
            start(claim.tenant, item);
        }
    }

    /// Recounts the slots in use from the tenants' running copies and panics on any drift
    /// (debug checks).
    pub fn check(&self) {
        let mut running = vec![0u32; self.regions.len()];
        for t in &self.tenants {
            assert!(t.running <= self.per_tenant, "per-tenant copy cap exceeded");
            running[t.region as usize] += t.running;
        }
        for (r, (region, running)) in self.regions.iter().zip(running).enumerate() {
            assert_eq!(
                region.busy(),
                running,
                "copy slots in use drifted in region {r}"
            );
            assert!(
                region.busy() <= region.capacity(),
                "copy slots over capacity in region {r}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scheduler of `regions` regions of `slots` slots each and at most `cap` copies a tenant;
    /// tenant `t` copies in region `tenants[t].0`, its items `tenants[t].1` created.
    fn scheduler(
        regions: usize,
        slots: u32,
        cap: u32,
        tenants: &[(u16, std::ops::Range<u32>)],
    ) -> CopyScheduler {
        let mut copies = CopyScheduler::new(regions, slots, cap, tenants.iter().map(|t| t.0));
        for (t, (_, items)) in tenants.iter().enumerate() {
            if !items.is_empty() {
                copies.assign(t as u32, items.start, items.end);
            }
        }
        copies
    }

    /// Starts what `fill` hands out, as (tenant, item) pairs.
    fn fill(copies: &mut CopyScheduler, region: u16) -> Vec<(u32, u32)> {
        let mut started = Vec::new();
        copies.fill(region, |t, i| started.push((t, i)));
        started
    }

    #[test]
    fn tenants_take_turns_one_copy_each() {
        // Region 0 with three slots; tenants 0 and 1 copy there, tenant 2 elsewhere.
        let mut copies = scheduler(2, 3, 10, &[(0, 0..5), (0, 5..7), (1, 0..0)]);
        copies.claim(0, false);
        copies.claim(1, false);
        assert_eq!(fill(&mut copies, 0), [(0, 0), (1, 5), (0, 1)]);
        assert_eq!(
            (copies.busy(), copies.waiting(0), copies.waiting(1)),
            (3, 3, 1)
        );
        copies.finished(1);
        assert_eq!(fill(&mut copies, 0), [(1, 6)]);
        copies.check();
    }

    #[test]
    fn a_tenant_runs_no_more_than_its_cap() {
        let mut copies = scheduler(1, 10, 2, &[(0, 0..5)]);
        copies.claim(0, false);
        assert_eq!(fill(&mut copies, 0), [(0, 0), (0, 1)]);
        // Out of line at its cap: a freed slot needs a new claim.
        copies.finished(0);
        assert!(fill(&mut copies, 0).is_empty());
        copies.claim(0, false);
        assert_eq!(fill(&mut copies, 0), [(0, 2)]);
        copies.check();
    }

    #[test]
    fn urgent_claims_go_first_and_retried_copies_before_new_ones() {
        let mut copies = scheduler(1, 1, 10, &[(0, 0..3), (0, 3..6)]);
        copies.claim(0, false);
        copies.claim(1, true);
        assert_eq!(fill(&mut copies, 0), [(1, 3)]);
        copies.finished(1);
        copies.again(1, 3);
        assert_eq!(fill(&mut copies, 0), [(1, 3)], "the retried copy first");
        copies.check();
    }

    #[test]
    fn a_dropped_tenant_frees_its_slots_and_loses_its_place() {
        let mut copies = scheduler(1, 2, 10, &[(0, 0..4), (0, 4..6)]);
        copies.claim(0, false);
        assert_eq!(fill(&mut copies, 0), [(0, 0), (0, 1)]);
        copies.claim(1, false);
        copies.drop_tenant(0);
        assert_eq!((copies.busy(), copies.waiting(0)), (0, 0));
        assert_eq!(fill(&mut copies, 0), [(1, 4), (1, 5)]);
        copies.check();
    }
}
