//! Why an attempt slipped and why a tenant missed the deadline: one cause each, chosen by a fixed
//! rule from the state of the tenant's outstanding work (never from phase names), recorded without
//! drawing a random number or adding an event.
//!
//! A slip's cause is the first of [`SlipCause::ALL`] that was outstanding when the tenant was
//! pulled from its batch. The order runs from the work furthest from done to the nearest: data not
//! yet copied needs its copy time (hours at the slots' rate), a hard error still waiting needs an
//! operator, then the resolution, then a rerun; an error being resolved needs the rest of the
//! resolution and a rerun; a transient failure only its backoff and a rerun; running work only
//! its end. So a tenant with terabytes left to copy and one error in the queue slipped on its copy
//! backlog: resolving the error at once would not have saved the attempt.
//!
//! A miss's cause is the first that applies, at the end of the deadline day, to a tenant not yet
//! transitioned, in [`MissCause::ALL`]'s order.

use crate::phase::WorkCounts;

/// Why a tenant was pulled from its batch: what its attempt still had outstanding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SlipCause {
    /// Copies (mailboxes, sites) waiting for a copy slot or being copied.
    CopyBacklog,
    /// Hard-failed workitems queued for an operator.
    WaitingForOperator,
    /// Hard-failed workitems an operator is resolving.
    OperatorWorking,
    /// Workitems waiting out a retry delay after a transient failure.
    Retrying,
    /// Other work still running.
    WorkInProgress,
}

impl SlipCause {
    pub const COUNT: usize = 5;
    /// In the order of the rule: the first outstanding is the cause.
    pub const ALL: [SlipCause; SlipCause::COUNT] = [
        SlipCause::CopyBacklog,
        SlipCause::WaitingForOperator,
        SlipCause::OperatorWorking,
        SlipCause::Retrying,
        SlipCause::WorkInProgress,
    ];

    /// Its name in files (`slips_<key>` in replications.csv).
    pub fn key(self) -> &'static str {
        match self {
            SlipCause::CopyBacklog => "copy_backlog",
            SlipCause::WaitingForOperator => "waiting_for_operator",
            SlipCause::OperatorWorking => "operator_working",
            SlipCause::Retrying => "retrying",
            SlipCause::WorkInProgress => "work_in_progress",
        }
    }
}

/// Why a tenant had not transitioned by the end of the deadline day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MissCause {
    /// On a batch at the deadline (scheduled, or in its weekend), not yet transitioned.
    InFlight,
    /// Back in the ready pool after its last attempt was rolled back.
    RolledBack,
    /// Still held in Pre-Approval by a support case raising its directory quota (the longer hold
    /// when it was also blocked).
    QuotaHold,
    /// Still held in Pre-Approval (not ready to be batched).
    Blocked,
    /// Ready, but on hosted BlackBerry and every batch so far was for a weekend before
    /// `population.blackberry_not_before`.
    BlackberryDate,
    /// Ready and never placed on a batch: capacity, cadence or policy.
    NeverBatched,
}

impl MissCause {
    pub const COUNT: usize = 6;
    /// In the order of the rule: the first that applies is the cause.
    pub const ALL: [MissCause; MissCause::COUNT] = [
        MissCause::InFlight,
        MissCause::RolledBack,
        MissCause::QuotaHold,
        MissCause::Blocked,
        MissCause::BlackberryDate,
        MissCause::NeverBatched,
    ];

    /// Its name in files (`missed_<key>` in replications.csv).
    pub fn key(self) -> &'static str {
        match self {
            MissCause::InFlight => "in_flight",
            MissCause::RolledBack => "rolled_back",
            MissCause::QuotaHold => "quota_hold",
            MissCause::Blocked => "blocked",
            MissCause::BlackberryDate => "blackberry_date",
            MissCause::NeverBatched => "never_batched",
        }
    }
}

/// What an attempt had outstanding when it was pulled, as far as it held the attempt up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Outstanding {
    /// Work other than copies.
    pub work: WorkCounts,
    /// Copies, if they hold the attempt up (at a phase start other copies may carry on).
    pub copies: WorkCounts,
    /// Of the failed items above, those an operator is resolving.
    pub in_service: u32,
}

impl Outstanding {
    /// The cause, by the module's rule; `None` when nothing was outstanding.
    pub fn cause(&self) -> Option<SlipCause> {
        let (w, c) = (self.work, self.copies);
        let failed = w.failed + c.failed;
        let in_service = self.in_service.min(failed);
        let outstanding = |cause| match cause {
            SlipCause::CopyBacklog => c.waiting + c.running > 0,
            SlipCause::WaitingForOperator => failed > in_service,
            SlipCause::OperatorWorking => in_service > 0,
            SlipCause::Retrying => w.retrying + c.retrying > 0,
            SlipCause::WorkInProgress => w.waiting + w.running > 0,
        };
        SlipCause::ALL.into_iter().find(|&cause| outstanding(cause))
    }
}

/// A tenant's state at the end of the deadline day, as far as it explains a miss.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct AtDeadline {
    pub transitioned: bool,
    /// Placed on a batch that has not finished with it (in its weekend or still to come).
    pub on_batch: bool,
    /// In the ready pool.
    pub ready: bool,
    pub slipped: bool,
    /// Over its directory quota, with the quota case the longer of its holds.
    pub quota_holds: bool,
    pub blackberry: bool,
    /// Every batch so far was for a weekend before the BlackBerry date.
    pub before_blackberry_date: bool,
}

impl AtDeadline {
    /// The cause of the miss, by the module's rule; `None` for a tenant that transitioned.
    pub fn cause(&self) -> Option<MissCause> {
        let applies = |cause| match cause {
            MissCause::InFlight => self.on_batch,
            MissCause::RolledBack => self.ready && self.slipped,
            MissCause::QuotaHold => !self.ready && self.quota_holds,
            MissCause::Blocked => !self.ready,
            MissCause::BlackberryDate => self.blackberry && self.before_blackberry_date,
            MissCause::NeverBatched => true,
        };
        if self.transitioned {
            return None;
        }
        MissCause::ALL.into_iter().find(|&cause| applies(cause))
    }
}

/// The causes one replication recorded: totals, and per tenant for the detail replication.
#[derive(Clone, Debug, Default)]
pub(crate) struct CauseLog {
    pub slips: [u64; SlipCause::COUNT],
    pub missed: [u64; MissCause::COUNT],
    /// Whether the misses were taken (once, at the end of the deadline day or of the run).
    pub misses_taken: bool,
    /// Detail only: per tenant, its slips by cause, its last slip's cause and its miss's cause.
    pub tenants: Option<Vec<TenantCauses>>,
}

/// One tenant's causes (tenants.csv).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TenantCauses {
    pub slips: [u32; SlipCause::COUNT],
    pub last_slip: Option<SlipCause>,
    pub miss: Option<MissCause>,
}

impl CauseLog {
    pub fn new(tenants: usize, detail: bool) -> Self {
        CauseLog {
            tenants: detail.then(|| vec![TenantCauses::default(); tenants]),
            ..CauseLog::default()
        }
    }

    /// A rollback of `tenant` with what it had outstanding.
    pub fn slip(&mut self, tenant: u32, outstanding: &Outstanding) {
        // A rollback always has work outstanding; were it ever empty, the slip still counts.
        let cause = outstanding.cause().unwrap_or(SlipCause::WorkInProgress);
        self.slips[cause as usize] += 1;
        if let Some(t) = self.tenants.as_mut().map(|v| &mut v[tenant as usize]) {
            t.slips[cause as usize] += 1;
            t.last_slip = Some(cause);
        }
    }

    /// Every tenant's state at the end of the deadline day (once).
    pub fn take_misses(&mut self, states: impl Iterator<Item = AtDeadline>) {
        debug_assert!(!self.misses_taken, "misses are taken once");
        self.misses_taken = true;
        for (id, state) in states.enumerate() {
            let cause = state.cause();
            if let Some(c) = cause {
                self.missed[c as usize] += 1;
            }
            if let Some(t) = self.tenants.as_mut().map(|v| &mut v[id]) {
                t.miss = cause;
            }
        }
    }

    pub fn tenant(&self, id: usize) -> TenantCauses {
        self.tenants
            .as_ref()
            .and_then(|v| v.get(id).copied())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(waiting: u32, running: u32, retrying: u32, failed: u32) -> WorkCounts {
        WorkCounts {
            waiting,
            running,
            retrying,
            failed,
        }
    }

    #[test]
    fn copy_backlog_outranks_a_queued_error() {
        let o = Outstanding {
            work: counts(0, 1, 0, 0),
            copies: counts(400, 20, 1, 1),
            in_service: 0,
        };
        assert_eq!(o.cause(), Some(SlipCause::CopyBacklog));
    }

    #[test]
    fn errors_split_into_waiting_and_being_worked() {
        let mut o = Outstanding {
            work: counts(0, 1, 1, 2),
            copies: WorkCounts::default(),
            in_service: 2,
        };
        assert_eq!(o.cause(), Some(SlipCause::OperatorWorking));
        o.in_service = 1;
        assert_eq!(o.cause(), Some(SlipCause::WaitingForOperator));
        o.work.failed = 0;
        o.in_service = 0;
        assert_eq!(o.cause(), Some(SlipCause::Retrying));
        o.work.retrying = 0;
        assert_eq!(o.cause(), Some(SlipCause::WorkInProgress));
        o.work.running = 0;
        assert_eq!(o.cause(), None);
    }

    #[test]
    fn misses_follow_the_order() {
        let mut s = AtDeadline {
            on_batch: true,
            slipped: true,
            blackberry: true,
            before_blackberry_date: true,
            ..AtDeadline::default()
        };
        assert_eq!(s.cause(), Some(MissCause::InFlight));
        s.on_batch = false;
        s.ready = true;
        assert_eq!(s.cause(), Some(MissCause::RolledBack));
        s.slipped = false;
        assert_eq!(s.cause(), Some(MissCause::BlackberryDate));
        s.blackberry = false;
        assert_eq!(s.cause(), Some(MissCause::NeverBatched));
        s.ready = false;
        assert_eq!(s.cause(), Some(MissCause::Blocked));
        s.quota_holds = true;
        assert_eq!(s.cause(), Some(MissCause::QuotaHold));
        s.transitioned = true;
        assert_eq!(s.cause(), None);
    }

    #[test]
    fn a_log_counts_every_slip_once() {
        let mut log = CauseLog::new(2, true);
        let backlog = Outstanding {
            copies: counts(3, 0, 0, 0),
            ..Outstanding::default()
        };
        log.slip(1, &backlog);
        log.slip(1, &Outstanding::default());
        assert_eq!(log.slips.iter().sum::<u64>(), 2);
        let t = log.tenant(1);
        assert_eq!(t.slips[SlipCause::CopyBacklog as usize], 1);
        assert_eq!(t.last_slip, Some(SlipCause::WorkInProgress));
        assert_eq!(log.tenant(0), TenantCauses::default());
    }
}
