//! The tenant table: each tenant's phase, the counts of its outstanding workitems (from which its
//! status follows) and the figures it reports, with the tenants per phase, the errors outstanding
//! and the transitions tallied as they change, so that a sample or a batch never recounts them.

use crate::engine::SimTime;
use crate::phase::{Phase, Programme, Status, WorkCounts};

/// The batch of a tenant never placed on one.
pub(super) const NO_BATCH: u32 = u32::MAX;

/// Where a workitem is counted among its tenant's outstanding work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Count {
    Waiting,
    Running,
    Retrying,
    /// Failed hard: one of the errors outstanding, queued for or with an operator.
    Failed,
}

/// The state of one tenant. The phase, the work counts and the transition are private: the
/// table's tallies follow them, so they change only through the table.
#[derive(Debug)]
pub(super) struct Tenant {
    phase: Phase,
    /// Work of the current phase other than copies.
    work: WorkCounts,
    /// Copies run from the copy phase through the window, across the phases between.
    copies: WorkCounts,
    transitioned_at: Option<SimTime>,
    /// In the ready pool, waiting for a batch.
    pub in_pool: bool,
    pub ready_since: SimTime,
    pub batch: u32,
    pub weekend: SimTime,
    /// When the tenant was placed on its first batch, and that batch's T (for chat).
    pub first_batch: Option<(SimTime, SimTime)>,
    pub slips: u32,
    pub retries: u32,
    pub errors: u32,
    /// Help-desk tickets its users raised after the upgrade.
    pub tickets: u32,
    pub copy_phase_start: SimTime,
    pub copy_phase_hours: Option<f64>,
    pub window_hours: Option<f64>,
}

impl Tenant {
    #[inline]
    pub fn phase(&self) -> Phase {
        self.phase
    }

    #[inline]
    pub fn work(&self) -> WorkCounts {
        self.work
    }

    #[inline]
    pub fn copies(&self) -> WorkCounts {
        self.copies
    }

    pub fn transitioned_at(&self) -> Option<SimTime> {
        self.transitioned_at
    }

    /// The status shown for the tenant's phase: in the first phase, pending while it waits in
    /// the pool; in the phases that count copies, the worst of its work and its copies.
    pub fn status(&self, programme: &Programme) -> Status {
        if self.phase == Phase::WAITING {
            if self.in_pool {
                Status::Pending
            } else {
                Status::Complete
            }
        } else if programme.counts_copies(self.phase) {
            let (w, c) = (self.work, self.copies);
            WorkCounts {
                waiting: w.waiting + c.waiting,
                running: w.running + c.running,
                retrying: w.retrying + c.retrying,
                failed: w.failed + c.failed,
            }
            .status()
        } else {
            self.work.status()
        }
    }

    fn counts_mut(&mut self, copy: bool) -> &mut WorkCounts {
        if copy {
            &mut self.copies
        } else {
            &mut self.work
        }
    }
}

/// Every tenant, by id, and the tallies kept in step with them.
#[derive(Debug)]
pub(super) struct TenantTable {
    tenants: Vec<Tenant>,
    /// Tenants per phase, by phase index.
    phase_counts: Vec<u32>,
    transitioned: u32,
    /// Failed workitems of current attempts (the operators' error queue), and its peak.
    errors_outstanding: u32,
    peak_errors: u32,
}

impl TenantTable {
    /// `tenants` tenants, all in the first phase and out of the pool, of a programme of `phases`.
    pub fn new(tenants: usize, phases: usize) -> Self {
        let mut phase_counts = vec![0; phases];
        phase_counts[Phase::WAITING.index()] = tenants as u32;
        TenantTable {
            tenants: (0..tenants)
                .map(|_| Tenant {
                    phase: Phase::WAITING,
                    work: WorkCounts::default(),
                    copies: WorkCounts::default(),
                    transitioned_at: None,
                    in_pool: false,
                    ready_since: SimTime::ZERO,
                    batch: NO_BATCH,
                    weekend: SimTime::ZERO,
                    first_batch: None,
                    slips: 0,
                    retries: 0,
                    errors: 0,
                    tickets: 0,
                    copy_phase_start: SimTime::ZERO,
                    copy_phase_hours: None,
                    window_hours: None,
                })
                .collect(),
            phase_counts,
            transitioned: 0,
            errors_outstanding: 0,
            peak_errors: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.tenants.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Tenant> {
        self.tenants.iter()
    }

    #[inline]
    pub fn get(&self, id: u32) -> &Tenant {
        &self.tenants[id as usize]
    }

    #[inline]
    pub fn get_mut(&mut self, id: u32) -> &mut Tenant {
        &mut self.tenants[id as usize]
    }

    #[inline]
    pub fn phase_counts(&self) -> &[u32] {
        &self.phase_counts
    }

    #[inline]
    pub fn transitioned(&self) -> u32 {
        self.transitioned
    }

    #[inline]
    pub fn errors_outstanding(&self) -> u32 {
        self.errors_outstanding
    }

    pub fn peak_errors(&self) -> u32 {
        self.peak_errors
    }

    #[inline]
    pub fn set_phase(&mut self, id: u32, phase: Phase) {
        let t = &mut self.tenants[id as usize];
        self.phase_counts[t.phase.index()] -= 1;
        self.phase_counts[phase.index()] += 1;
        t.phase = phase;
    }

    /// One of the tenant's workitems (a copy or other work) moves from one count to another;
    /// `None` is outside the counts (not yet created, or ended). A move into `Failed` is an
    /// error of the tenant's.
    #[inline]
    pub fn moved(&mut self, id: u32, copy: bool, from: Option<Count>, to: Option<Count>) {
        let t = &mut self.tenants[id as usize];
        let counts = t.counts_mut(copy);
        match from {
            None => {}
            Some(Count::Waiting) => counts.waiting -= 1,
            Some(Count::Running) => counts.running -= 1,
            Some(Count::Retrying) => counts.retrying -= 1,
            Some(Count::Failed) => {
                counts.failed -= 1;
                self.errors_outstanding -= 1;
            }
        }
        match to {
            None => {}
            Some(Count::Waiting) => counts.waiting += 1,
            Some(Count::Running) => counts.running += 1,
            Some(Count::Retrying) => counts.retrying += 1,
            Some(Count::Failed) => {
                counts.failed += 1;
                t.errors += 1;
                self.errors_outstanding += 1;
                self.peak_errors = self.peak_errors.max(self.errors_outstanding);
            }
        }
    }

    /// The copies of the tenant's copy phase were created: `n` wait for slots.
    pub fn copies_created(&mut self, id: u32, n: u32) {
        self.tenants[id as usize].copies.waiting = n;
    }

    /// The tenant completed its last phase at `now`: it transitioned. Returns whether this is
    /// news (a transition is recorded once).
    pub fn transition(&mut self, id: u32, now: SimTime) -> bool {
        let t = &mut self.tenants[id as usize];
        if t.transitioned_at.is_some() {
            return false;
        }
        t.transitioned_at = Some(now);
        self.transitioned += 1;
        true
    }

    /// Pulls the tenant out of its attempt: its work is forgotten and it is back in the first
    /// phase (the batcher puts it in the pool). Returns how many workitems it abandoned.
    pub fn roll_back(&mut self, id: u32) -> u32 {
        let t = &mut self.tenants[id as usize];
        let abandoned = t.work.outstanding() + t.copies.outstanding();
        self.errors_outstanding -= t.work.failed + t.copies.failed;
        t.work = WorkCounts::default();
        t.copies = WorkCounts::default();
        t.slips += 1;
        t.copy_phase_hours = None;
        t.window_hours = None;
        self.set_phase(id, Phase::WAITING);
        abandoned
    }

    /// Recounts the tallies from the tenants and panics on any drift (debug checks).
    pub fn check(&self) {
        let mut phases = vec![0u32; self.phase_counts.len()];
        let mut failed = 0;
        for t in &self.tenants {
            phases[t.phase.index()] += 1;
            if t.phase != Phase::WAITING {
                failed += t.work.failed + t.copies.failed;
            }
            assert!(
                !t.in_pool || t.phase == Phase::WAITING,
                "a tenant in the pool must be in the first phase"
            );
        }
        assert_eq!(
            phases, self.phase_counts,
            "phase counts drifted from the tenants' phases"
        );
        assert_eq!(
            phases.iter().sum::<u32>() as usize,
            self.tenants.len(),
            "tenants are not conserved"
        );
        assert_eq!(failed, self.errors_outstanding, "error queue count drifted");
        let done = self.iter().filter(|t| t.transitioned_at.is_some()).count();
        assert_eq!(done as u32, self.transitioned, "transitioned count drifted");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phase_counts_follow_the_tenants() {
        let mut table = TenantTable::new(3, 4);
        assert_eq!(table.phase_counts(), [3, 0, 0, 0]);
        table.set_phase(0, Phase::WAITING.next());
        table.set_phase(1, Phase::WAITING.next().next());
        assert_eq!(table.phase_counts(), [1, 1, 1, 0]);
        table.check();
    }

    #[test]
    fn errors_outstanding_follow_failures_resolutions_and_rollbacks() {
        let mut table = TenantTable::new(2, 3);
        let first = Phase::WAITING.next();
        table.set_phase(0, first);
        table.set_phase(1, first);
        for id in [0, 0, 1] {
            table.moved(id, false, None, Some(Count::Running));
            table.moved(id, false, Some(Count::Running), Some(Count::Failed));
        }
        table.moved(1, true, None, Some(Count::Failed));
        assert_eq!((table.errors_outstanding(), table.peak_errors()), (4, 4));
        table.moved(0, false, Some(Count::Failed), Some(Count::Running));
        assert_eq!(table.errors_outstanding(), 3);
        assert_eq!(table.get(0).work().failed, 1);
        assert_eq!(table.get(0).errors, 2, "a resolution is no new error");
        table.check();
        // Tenant 1 abandons its failed work and its copy: the queue keeps only tenant 0's.
        assert_eq!(table.roll_back(1), 2);
        assert_eq!((table.errors_outstanding(), table.peak_errors()), (1, 4));
        let t = table.get(1);
        assert_eq!(
            (t.phase(), t.slips, t.work()),
            (Phase::WAITING, 1, WorkCounts::default())
        );
        table.check();
    }

    #[test]
    fn a_transition_is_counted_once() {
        let mut table = TenantTable::new(2, 2);
        assert!(table.transition(1, SimTime(5)));
        assert!(!table.transition(1, SimTime(9)));
        assert_eq!(table.transitioned(), 1);
        assert_eq!(table.get(1).transitioned_at(), Some(SimTime(5)));
    }

    #[test]
    fn the_status_combines_work_and_copies_where_copies_count() {
        let sc = crate::scenario::Scenario::from_text("name = \"t\"\n", "t.toml", &[]).unwrap();
        let programme = &sc.phases.programme;
        let mut table = TenantTable::new(1, programme.len());
        assert_eq!(table.get(0).status(programme), Status::Complete);
        table.get_mut(0).in_pool = true;
        assert_eq!(table.get(0).status(programme), Status::Pending);
        table.get_mut(0).in_pool = false;
        let window = programme.window();
        table.set_phase(0, window);
        table.moved(0, false, None, Some(Count::Running));
        table.moved(0, true, None, Some(Count::Retrying));
        assert!(programme.counts_copies(window));
        assert_eq!(table.get(0).status(programme), Status::Warning);
    }

    #[test]
    fn a_drifted_tally_is_caught() {
        let mut table = TenantTable::new(2, 2);
        table.transitioned = 1;
        let caught = std::panic::catch_unwind(move || table.check());
        assert!(caught.is_err(), "a transition nobody made must be reported");
    }
}
