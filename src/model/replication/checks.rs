//! The debug checks of a replication: each workitem's life, stepped and checked at every move,
//! and the incrementally kept counters re-derived from scratch. Debug builds (and so the tests)
//! run them; a failure is a bug in the model, never a property of the input.

use super::Replication;
use crate::phase::{Phase, WorkCounts};

/// Debug builds: where each workitem is in its life, so that every step can be checked against
/// the one before and every workitem seen to end exactly once.
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

/// Moves `item` to `to`, checking it was in one of `from` (debug builds only).
pub(super) fn live_on(lives: &mut [Life], item: u32, from: &[Life], to: Life) {
    if cfg!(debug_assertions) {
        let life = &mut lives[item as usize];
        assert!(
            from.contains(life),
            "workitem {item} cannot go from {life:?} to {to:?}"
        );
        *life = to;
    }
}

impl Replication<'_> {
    /// At the end, in debug builds: every tenant's work counts, recounted from the lives of its
    /// current attempt's workitems. Together with the checked steps of `live_on`, each workitem
    /// was done at most once and is done, abandoned by a rollback, or still counted.
    pub(super) fn check_lives(&self) {
        let mut counts: Vec<(WorkCounts, WorkCounts)> =
            vec![Default::default(); self.tenants.len()];
        for (i, (w, life)) in self.items.iter().zip(&self.lives).enumerate() {
            if !self.is_live(i as u32) {
                continue;
            }
            let (work, copies) = &mut counts[w.tenant as usize];
            let c = if self.programme.is_copy(w.kind) {
                copies
            } else {
                work
            };
            match life {
                Life::Created | Life::Waiting => c.waiting += 1,
                Life::Running => c.running += 1,
                Life::Retrying => c.retrying += 1,
                Life::Failed => c.failed += 1,
                Life::Done => {}
                Life::Ending => panic!("workitem {i} was left between outcomes"),
            }
        }
        for (id, (t, (work, copies))) in self.tenants.iter().zip(&counts).enumerate() {
            if t.phase == Phase::WAITING {
                continue;
            }
            assert_eq!(
                t.work, *work,
                "tenant {id}: work counts differ from its workitems"
            );
            assert_eq!(
                t.copies, *copies,
                "tenant {id}: copy counts differ from its workitems"
            );
        }
    }

    /// Checks the incrementally kept counters against a recount. Panics name the broken rule:
    /// a failure here is a bug in the model, never a property of the input.
    pub(super) fn check_invariants(&self) {
        let mut phases = vec![0u32; self.programme.len()];
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
            assert!(
                t.copy_running <= self.sc.copy.per_tenant,
                "per-tenant copy cap exceeded"
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
        assert_eq!(failed, self.live_failed, "error queue count drifted");
        let live: u64 = self
            .tenants
            .iter()
            .map(|t| u64::from(t.work.outstanding() + t.copies.outstanding()))
            .sum();
        assert_eq!(
            self.items.len() as u64,
            self.items_done + self.items_abandoned + live,
            "a workitem ended twice or never: created != succeeded + abandoned + outstanding"
        );
        assert!(
            self.desk.pool.busy() <= self.desk.pool.staff(),
            "more help-desk agents busy than on duty"
        );
        assert!(
            self.operators.busy() <= self.operators.staff(),
            "more operators busy than on duty"
        );
        for (r, region) in self.regions.iter().enumerate() {
            let running: u32 = self
                .tenants
                .iter()
                .zip(&self.population.tenants)
                .filter(|(_, p)| p.region as usize == r)
                .map(|(t, _)| t.copy_running)
                .sum();
            assert_eq!(
                region.busy(),
                running,
                "copy slots in use drifted in region {r}"
            );
            assert!(
                region.busy() <= self.sc.copy.slots,
                "copy slots over capacity in region {r}"
            );
        }
        let done = self
            .tenants
            .iter()
            .filter(|t| t.transitioned_at.is_some())
            .count();
        assert_eq!(done as u32, self.transitioned, "transitioned count drifted");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workitem_moves_only_along_its_life() {
        let mut lives = vec![Life::Created];
        live_on(
            &mut lives,
            0,
            &[Life::Created, Life::Waiting],
            Life::Running,
        );
        live_on(&mut lives, 0, &[Life::Running], Life::Ending);
        live_on(&mut lives, 0, &[Life::Ending], Life::Done);
        assert_eq!(lives[0], Life::Done);
        if !cfg!(debug_assertions) {
            return; // lives are followed in debug builds only
        }
        let twice = std::panic::catch_unwind(move || {
            let mut lives = lives;
            live_on(&mut lives, 0, &[Life::Running], Life::Ending);
        });
        assert!(twice.is_err(), "a done workitem cannot end another attempt");
    }
}
