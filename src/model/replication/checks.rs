//! The debug checks of a replication: the incrementally kept counts of the components re-derived
//! from scratch and compared. Debug builds (and so the tests) run them every 1,024 events and at
//! the end; a failure is a bug in the model, never a property of the input. Each component checks
//! its own tallies (`check`); what one component counts of another's state is checked here.

use super::copies::CopyScheduler;
use super::tenants::TenantTable;
use super::work::{Life, WorkArena};
use crate::phase::{Phase, Programme, WorkCounts};

/// The counts that span components: each component's own tallies, the copies waiting as the
/// tenants count them and as the scheduler holds them, and every workitem ever created ended
/// once or still counted.
pub(super) fn counts(tenants: &TenantTable, work: &WorkArena, copies: &CopyScheduler) {
    tenants.check();
    copies.check();
    let mut outstanding = 0;
    for (id, t) in tenants.iter().enumerate() {
        let id = id as u32;
        outstanding += u64::from(t.work().outstanding() + t.copies().outstanding());
        assert_eq!(
            t.copies().waiting,
            copies.waiting(id),
            "tenant {id}: copies waiting differ from the scheduler's"
        );
        assert_eq!(
            t.copies().running,
            copies.running(id),
            "tenant {id}: copies running differ from the slots it holds"
        );
    }
    assert_eq!(
        work.len() as u64,
        work.done() + work.abandoned() + outstanding,
        "a workitem ended twice or never: created != succeeded + abandoned + outstanding"
    );
}

/// At the end: every tenant's work counts, recounted from the lives of its current attempt's
/// workitems. Together with the checked steps of `WorkArena::step`, each workitem was done at
/// most once and is done, abandoned by a rollback, or still counted.
pub(super) fn lives(tenants: &TenantTable, work: &WorkArena, programme: &Programme) {
    let mut counts: Vec<(WorkCounts, WorkCounts)> = vec![Default::default(); tenants.len()];
    for (i, life) in work.lives().iter().enumerate() {
        let i = i as u32;
        if !work.is_live(i) {
            continue;
        }
        let (plain, copies) = &mut counts[work.tenant(i) as usize];
        let c = if programme.is_copy(work.kind(i)) {
            copies
        } else {
            plain
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
    for (id, (t, (plain, copies))) in tenants.iter().zip(&counts).enumerate() {
        if t.phase() == Phase::WAITING {
            continue;
        }
        assert_eq!(
            t.work(),
            *plain,
            "tenant {id}: work counts differ from its workitems"
        );
        assert_eq!(
            t.copies(),
            *copies,
            "tenant {id}: copy counts differ from its workitems"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{EventQueue, SimTime, Streams};
    use crate::model::replication::tenants::Count;
    use crate::scenario::Scenario;

    fn panics(f: impl FnOnce()) -> bool {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err()
    }

    #[test]
    fn counts_agree_across_components_or_the_check_fails() {
        let sc = Scenario::from_text("name = \"t\"\n", "t.toml", &[]).unwrap();
        let programme = &sc.phases.programme;
        let kind = programme.kinds().find(|&k| programme.is_copy(k)).unwrap();
        let mut tenants = TenantTable::new(1, programme.len());
        let mut work = WorkArena::new(&sc, &Streams::new(1, 0), 1);
        let mut copies = CopyScheduler::new(1, 4, 4, [0].into_iter());
        tenants.set_phase(0, programme.copy_phase().unwrap());
        let first = work.create(0, kind, 1.0);
        work.create(0, kind, 1.0);
        tenants.copies_created(0, 2);
        copies.assign(0, first, first + 2);
        copies.claim(0, false);
        let mut queue = EventQueue::new();
        copies.fill(0, |t, item| {
            tenants.moved(t, true, Some(Count::Waiting), Some(Count::Running));
            work.begin_attempt(SimTime::ZERO, item, 1, &mut queue);
        });
        counts(&tenants, &work, &copies);
        lives(&tenants, &work, programme);
        // A copy the tenants count as waiting that the scheduler does not hold.
        tenants.moved(0, true, None, Some(Count::Waiting));
        assert!(panics(|| counts(&tenants, &work, &copies)));
        if cfg!(debug_assertions) {
            // Lives are followed in debug builds only.
            assert!(panics(|| lives(&tenants, &work, programme)));
        }
    }
}
