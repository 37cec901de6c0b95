//! The span log of the detail replication: every weekend phase of every tenant's attempts, when
//! it started, when its own work was done and how it ended (spans.csv, the weekend chart).

use super::metrics::{PhaseSpan, SpanOutcome};
use crate::date::Date;
use crate::engine::SimTime;
use crate::phase::Phase;

const NO_SPAN: u32 = u32::MAX;

/// The spans recorded so far and, per tenant and weekend phase, the index of its open span.
pub(crate) struct SpanLog {
    spans: Vec<PhaseSpan>,
    open: Vec<[u32; Phase::WEEKEND_COUNT]>,
}

impl SpanLog {
    pub fn new(tenants: usize) -> Self {
        SpanLog {
            spans: Vec::new(),
            open: vec![[NO_SPAN; Phase::WEEKEND_COUNT]; tenants],
        }
    }

    /// `phase` of `tenant` (on `batch`, weekend `weekend`) begins at `now`; the weekend phase
    /// before it, if still open, ends complete. Phases before the weekend are not recorded.
    pub fn open(&mut self, now: SimTime, tenant: u32, phase: Phase, batch: u32, weekend: Date) {
        let Some(j) = phase.weekend_index() else {
            return;
        };
        if let Some(previous) = phase.prev().filter(|p| p.weekend_index().is_some()) {
            self.close(now, tenant, previous, SpanOutcome::Complete);
        }
        self.open[tenant as usize][j] = self.spans.len() as u32;
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
        self.open[tenant as usize] = [NO_SPAN; Phase::WEEKEND_COUNT];
    }

    pub fn into_spans(self) -> Vec<PhaseSpan> {
        self.spans
    }

    fn current(&mut self, tenant: u32, phase: Phase) -> Option<&mut PhaseSpan> {
        let i = self.open[tenant as usize][phase.weekend_index()?];
        self.spans.get_mut(i as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weekend() -> Date {
        Date::from_ymd(2012, 3, 3).unwrap()
    }

    #[test]
    fn a_phase_start_ends_the_one_before() {
        let mut log = SpanLog::new(2);
        log.open(SimTime(5), 1, Phase::Approval, 0, weekend());
        log.open(SimTime(10), 1, Phase::PreStage, 0, weekend());
        log.done(SimTime(30), 1, Phase::PreStage);
        log.done(SimTime(40), 1, Phase::PreStage);
        log.open(SimTime(20), 1, Phase::Lock, 0, weekend());
        let spans = log.into_spans();
        assert_eq!(spans.len(), 2, "phases before the weekend are not recorded");
        let prestage = &spans[0];
        assert_eq!(prestage.end, Some(SimTime(20)));
        assert_eq!(prestage.done, Some(SimTime(30)), "the first done counts");
        assert_eq!(prestage.outcome, SpanOutcome::Complete);
        assert_eq!(spans[1].phase, Phase::Lock);
        assert_eq!(spans[1].outcome, SpanOutcome::Open);
    }

    #[test]
    fn a_rollback_closes_the_attempt_and_the_next_starts_afresh() {
        let mut log = SpanLog::new(1);
        log.open(SimTime(0), 0, Phase::DataUpgrade, 3, weekend());
        log.roll_back(SimTime(7), 0, Phase::DataUpgrade);
        // Late news of the abandoned attempt changes nothing.
        log.done(SimTime(8), 0, Phase::DataUpgrade);
        log.close(SimTime(9), 0, Phase::DataUpgrade, SpanOutcome::Complete);
        log.open(SimTime(100), 0, Phase::DataUpgrade, 4, weekend());
        let spans = log.into_spans();
        assert_eq!(spans[0].outcome, SpanOutcome::RolledBack);
        assert_eq!((spans[0].end, spans[0].done), (Some(SimTime(7)), None));
        assert_eq!((spans[1].batch, spans[1].outcome), (4, SpanOutcome::Open));
    }
}
