//! The span log of the detail replication: every weekend phase (from the copy phase on, see
//! `Programme::spans_from`) of every tenant's attempts, when it started, when its own work was
//! done and how it ended (spans.csv, the weekend chart).

use super::metrics::{PhaseSpan, SpanOutcome};
use crate::date::Date;
use crate::engine::SimTime;
use crate::phase::{Phase, Programme};

const NO_SPAN: u32 = u32::MAX;

/// The spans recorded so far and, per tenant and weekend phase, the index of its open span.
pub(crate) struct SpanLog {
    spans: Vec<PhaseSpan>,
    /// `per_tenant` entries per tenant, one per recorded phase.
    open: Vec<u32>,
    per_tenant: usize,
    /// The first recorded phase.
    first: Phase,
}

impl SpanLog {
    pub fn new(tenants: usize, programme: &Programme) -> Self {
        let per_tenant = programme.span_count();
        SpanLog {
            spans: Vec::new(),
            open: vec![NO_SPAN; tenants * per_tenant],
            per_tenant,
            first: programme.spans_from(),
        }
    }

    /// Index of `phase` among the recorded phases, `None` for the phases before them.
    fn index(&self, phase: Phase) -> Option<usize> {
        phase.index().checked_sub(self.first.index())
    }

    fn slot(&mut self, tenant: u32, j: usize) -> &mut u32 {
        &mut self.open[tenant as usize * self.per_tenant + j]
    }

    /// `phase` of `tenant` (on `batch`, weekend `weekend`) begins at `now`; the weekend phase
    /// before it, if still open, ends complete. Phases before the weekend are not recorded.
    pub fn open(&mut self, now: SimTime, tenant: u32, phase: Phase, batch: u32, weekend: Date) {
        let Some(j) = self.index(phase) else {
            return;
        };
        if let Some(previous) = phase.before().filter(|_| j > 0) {
            self.close(now, tenant, previous, SpanOutcome::Complete);
        }
        *self.slot(tenant, j) = self.spans.len() as u32;
        self.spans.push(PhaseSpan {
            tenant,
            batch,
            weekend,
            phase,
            start: now,
            end: None,
            done: None,
            outcome: SpanOutcome::Open,
        });
    }

    /// The work of the tenant's open span of `phase` is done (the first time counts).
    pub fn done(&mut self, now: SimTime, tenant: u32, phase: Phase) {
        if let Some(span) = self.current(tenant, phase) {
            span.done.get_or_insert(now);
        }
    }

    /// Ends the tenant's span of `phase` if it is still running.
    pub fn close(&mut self, now: SimTime, tenant: u32, phase: Phase, outcome: SpanOutcome) {
        if let Some(span) = self.current(tenant, phase).filter(|s| s.end.is_none()) {
            span.end = Some(now);
            span.outcome = outcome;
        }
    }

    /// A rollback: the tenant's span of `phase` ends rolled back and none of its spans is open
    /// any more, so the next attempt starts afresh.
    pub fn roll_back(&mut self, now: SimTime, tenant: u32, phase: Phase) {
        self.close(now, tenant, phase, SpanOutcome::RolledBack);
        let from = tenant as usize * self.per_tenant;
        self.open[from..from + self.per_tenant].fill(NO_SPAN);
    }

    pub fn into_spans(self) -> Vec<PhaseSpan> {
        self.spans
    }

    fn current(&mut self, tenant: u32, phase: Phase) -> Option<&mut PhaseSpan> {
        let j = self.index(phase)?;
        let i = *self.slot(tenant, j);
        self.spans.get_mut(i as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weekend() -> Date {
        Date::from_ymd(2012, 3, 3).unwrap()
    }

    /// The BPOS programme and its phases by key.
    fn bpos() -> (Programme, impl Fn(&str) -> Phase) {
        let sc = crate::scenario::Scenario::from_text("name = \"s\"\n", "s.toml", &[]).unwrap();
        let programme = sc.phases.programme;
        let find = {
            let p = programme.clone();
            move |key: &str| p.find(key).unwrap()
        };
        (programme, find)
    }

    #[test]
    fn a_phase_start_ends_the_one_before() {
        let (programme, phase) = bpos();
        let mut log = SpanLog::new(2, &programme);
        log.open(SimTime(5), 1, phase("approval"), 0, weekend());
        log.open(SimTime(10), 1, phase("prestage"), 0, weekend());
        log.done(SimTime(30), 1, phase("prestage"));
        log.done(SimTime(40), 1, phase("prestage"));
        log.open(SimTime(20), 1, phase("lock"), 0, weekend());
        let spans = log.into_spans();
        assert_eq!(spans.len(), 2, "phases before the weekend are not recorded");
        let prestage = &spans[0];
        assert_eq!(prestage.end, Some(SimTime(20)));
        assert_eq!(prestage.done, Some(SimTime(30)), "the first done counts");
        assert_eq!(prestage.outcome, SpanOutcome::Complete);
        assert_eq!(spans[1].phase, phase("lock"));
        assert_eq!(spans[1].outcome, SpanOutcome::Open);
    }

    #[test]
    fn a_rollback_closes_the_attempt_and_the_next_starts_afresh() {
        let (programme, phase) = bpos();
        let window = phase("data_upgrade");
        let mut log = SpanLog::new(1, &programme);
        log.open(SimTime(0), 0, window, 3, weekend());
        log.roll_back(SimTime(7), 0, window);
        // Late news of the abandoned attempt changes nothing.
        log.done(SimTime(8), 0, window);
        log.close(SimTime(9), 0, window, SpanOutcome::Complete);
        log.open(SimTime(100), 0, window, 4, weekend());
        let spans = log.into_spans();
        assert_eq!(spans[0].outcome, SpanOutcome::RolledBack);
        assert_eq!((spans[0].end, spans[0].done), (Some(SimTime(7)), None));
        assert_eq!((spans[1].batch, spans[1].outcome), (4, SpanOutcome::Open));
    }
}
