//! The recorder: what a replication reports, and nothing it decides on. The running totals
//! weekly.csv reads at each week boundary, the detail replication's daily and hourly samples and
//! weekend spans, the causes of slips and misses, and at the end the metrics and records of the
//! `ReplicationOutput`. Recording adds no event and draws no random number.

use super::staff::StaffReport;
use super::tenants::{NO_BATCH, TenantTable};
use crate::date::Date;
use crate::engine::{HOUR, SimTime, Streams};
use crate::model::causes::{AtDeadline, CauseLog, MissCause, Outstanding, SlipCause};
use crate::model::chat::{self, DailyChat, TenantChat};
use crate::model::helpdesk::Ticket;
use crate::model::metrics::{
    BatchRecord, DailySample, Detail, HourlySample, Load, ReplicationMetrics, ReplicationOutput,
    SpanOutcome, TenantRecord,
};
use crate::model::population::Profile;
use crate::model::spans::SpanLog;
use crate::model::weekly::{Totals, WeeklyLog};
use crate::phase::{Phase, Programme};
use crate::scenario::Scenario;

/// What the end of a replication hands the recorder for its report.
pub(super) struct Ended<'r> {
    pub sc: &'r Scenario,
    pub streams: &'r Streams,
    pub tenants: &'r TenantTable,
    pub profiles: &'r [Profile],
    pub batches: &'r [BatchRecord],
    pub staff: StaffReport,
    /// The help desk's tickets (weekly.csv counts them by the week they were raised in).
    pub tickets: &'r [Ticket],
    pub workitems: u64,
    pub events: u64,
    pub end: SimTime,
    pub deadline: SimTime,
    /// The daily samples' time of day, in ticks (chat samples on the same grid).
    pub sample_offset: u64,
}

pub(super) struct Recorder {
    /// The calendar's first day (day 0 of the clock).
    start: Date,
    slips: u64,
    errors: u64,
    retries: u64,
    copied_gb: f64,
    /// Every replication: the totals at each week boundary (weekly.csv).
    weekly: WeeklyLog,
    /// Detail only: the daily and hourly series and the weekend phases' spans.
    daily: Option<Vec<DailySample>>,
    hourly: Option<Vec<HourlySample>>,
    /// The next top of the hour `hourly` records: the time after its last sample (`MAX`
    /// without detail, so the check made before every event is a comparison).
    next_hour: SimTime,
    spans: Option<SpanLog>,
    causes: CauseLog,
}

impl Recorder {
    /// A recorder for `tenants` tenants over a horizon ending at `end`; with `detail`, also the
    /// series and spans of the detail replication.
    pub fn new(
        tenants: usize,
        programme: &Programme,
        start: Date,
        end: SimTime,
        detail: bool,
    ) -> Self {
        Recorder {
            start,
            slips: 0,
            errors: 0,
            retries: 0,
            copied_gb: 0.0,
            weekly: WeeklyLog::new(end),
            daily: detail.then(Vec::new),
            hourly: detail.then(Vec::new),
            next_hour: if detail { SimTime::ZERO } else { SimTime::MAX },
            spans: detail.then(|| SpanLog::new(tenants, programme)),
            causes: CauseLog::new(tenants, detail),
        }
    }

    pub fn retries(&self) -> u64 {
        self.retries
    }

    pub fn errors(&self) -> u64 {
        self.errors
    }

    /// A workitem failed transiently.
    #[inline]
    pub fn retried(&mut self) {
        self.retries += 1;
    }

    /// A workitem failed hard.
    #[inline]
    pub fn errored(&mut self) {
        self.errors += 1;
    }

    /// A copy succeeded.
    #[inline]
    pub fn copied(&mut self, gb: f32) {
        self.copied_gb += f64::from(gb);
    }

    /// The tenant was rolled back in `phase` with `outstanding` work: a slip, with its cause.
    pub fn slipped(&mut self, now: SimTime, tenant: u32, phase: Phase, outstanding: &Outstanding) {
        self.causes.slip(tenant, outstanding);
        if let Some(log) = &mut self.spans {
            log.roll_back(now, tenant, phase);
        }
        self.slips += 1;
    }

    /// The running totals weekly.csv is made of.
    fn totals(&self, transitioned: u32) -> Totals {
        Totals {
            transitioned,
            slips: self.slips,
            errors: self.errors,
            retries: self.retries,
            copied_gb: self.copied_gb,
        }
    }

    /// Before the event at `now` is handled: the week boundaries the clock passed read the
    /// totals.
    #[inline]
    pub fn reach(&mut self, now: SimTime, transitioned: u32) {
        if self.weekly.due(now) {
            let totals = self.totals(transitioned);
            self.weekly.reach(now, totals);
        }
    }

    /// The next top of the hour the detail replication records, if it is before `now` and
    /// `end` (none in other replications).
    #[inline]
    pub fn hour_due(&self, now: SimTime, end: SimTime) -> bool {
        self.next_hour < now && self.next_hour < end
    }

    /// Records `load` at every top of the hour before `now` (and `end`) not yet recorded: the
    /// state after every event at or before that hour, so a shift that starts on the hour is
    /// on duty in its sample.
    pub fn sample_hours(&mut self, now: SimTime, end: SimTime, load: Load) {
        if let Some(hourly) = &mut self.hourly {
            let mut next = hourly.last().map_or(SimTime::ZERO, |s| s.time + HOUR);
            while next < now && next < end {
                hourly.push(HourlySample { time: next, load });
                next += HOUR;
            }
            self.next_hour = next;
        }
    }

    /// The detail replication's daily sample.
    pub fn sample_day(&mut self, now: SimTime, tenants: &TenantTable, load: Load) {
        if let Some(series) = &mut self.daily {
            let day = now.day();
            series.push(DailySample {
                day,
                date: self.start.add_days(day as i64),
                phases: tenants.phase_counts().to_vec(),
                transitioned: tenants.transitioned(),
                load,
                chat: DailyChat::default(),
            });
        }
    }

    /// Whether the detail series are recorded.
    #[inline]
    pub fn is_detail(&self) -> bool {
        self.daily.is_some()
    }

    /// A weekend phase of the tenant (on `batch`, whose T is `weekend`) begins: the previous
    /// one ends, complete.
    pub fn open_span(
        &mut self,
        now: SimTime,
        tenant: u32,
        phase: Phase,
        batch: u32,
        weekend: SimTime,
    ) {
        if let Some(log) = &mut self.spans {
            let date = self.start.add_days(weekend.day() as i64);
            log.open(now, tenant, phase, batch, date);
        }
    }

    /// The work of the tenant's span of `phase` is done.
    #[inline]
    pub fn span_done(&mut self, now: SimTime, tenant: u32, phase: Phase) {
        if let Some(log) = &mut self.spans {
            log.done(now, tenant, phase);
        }
    }

    /// Ends the tenant's span of `phase` if it is still running.
    #[inline]
    pub fn close_span(&mut self, now: SimTime, tenant: u32, phase: Phase, outcome: SpanOutcome) {
        if let Some(log) = &mut self.spans {
            log.close(now, tenant, phase, outcome);
        }
    }

    /// Whether the causes of misses were taken (once, at the end of the deadline day).
    #[inline]
    pub fn misses_taken(&self) -> bool {
        self.causes.misses_taken
    }

    /// Every tenant's state at the end of the deadline day, for the causes of misses.
    pub fn take_misses(
        &mut self,
        tenants: &TenantTable,
        profiles: &[Profile],
        batches: &[BatchRecord],
        deadline: SimTime,
        blackberry_not_before: Date,
    ) {
        let before_blackberry_date = batches
            .last()
            .is_none_or(|b| b.weekend < blackberry_not_before);
        let states = tenants.iter().zip(profiles).map(|(t, p)| AtDeadline {
            transitioned: t.transitioned_at().is_some_and(|at| at < deadline),
            on_batch: !t.in_pool && t.batch != NO_BATCH,
            ready: t.in_pool,
            slipped: t.slips > 0,
            quota_holds: p.quota_holds,
            blackberry: p.blackberry,
            before_blackberry_date,
        });
        self.causes.take_misses(states);
    }

    /// The replication's output: its metrics, completion curve, weekly counts and, for the
    /// detail replication, its records.
    pub fn finish(self, ended: Ended) -> ReplicationOutput {
        let (tenants, staff) = (ended.tenants, &ended.staff);
        let n = tenants.len() as u64;
        let deadline = ended.deadline;
        let missed_deadline = tenants
            .iter()
            .filter(|t| t.transitioned_at().is_none_or(|at| at >= deadline))
            .count();
        let makespan = tenants
            .iter()
            .filter_map(|t| t.transitioned_at())
            .max()
            .map_or(f64::NAN, SimTime::as_days);
        let mut chat = self.chat(&ended);
        let (slips, missed) = (self.causes.slips, self.causes.missed);
        debug_assert_eq!(slips.iter().sum::<u64>(), self.slips, "slips by cause");
        debug_assert_eq!(
            missed.iter().sum::<u64>(),
            missed_deadline as u64,
            "misses by cause"
        );
        let metrics = ReplicationMetrics {
            replication: ended.streams.replication(),
            seed: ended.streams.seed(),
            tenants: n,
            transitioned: u64::from(tenants.transitioned()),
            slips: self.slips,
            slips_copy_backlog: slips[SlipCause::CopyBacklog as usize],
            slips_waiting_for_operator: slips[SlipCause::WaitingForOperator as usize],
            slips_operator_working: slips[SlipCause::OperatorWorking as usize],
            slips_retrying: slips[SlipCause::Retrying as usize],
            slips_work_in_progress: slips[SlipCause::WorkInProgress as usize],
            tenants_slipped: tenants.iter().filter(|t| t.slips > 0).count() as u64,
            missed_deadline: missed_deadline as u64,
            missed_in_flight: missed[MissCause::InFlight as usize],
            missed_rolled_back: missed[MissCause::RolledBack as usize],
            missed_quota_hold: missed[MissCause::QuotaHold as usize],
            missed_blocked: missed[MissCause::Blocked as usize],
            missed_blackberry_date: missed[MissCause::BlackberryDate as usize],
            missed_never_batched: missed[MissCause::NeverBatched as usize],
            batches: ended.batches.len() as u64,
            makespan_days: makespan,
            workitems: ended.workitems,
            retries: self.retries,
            errors: self.errors,
            operator_wait_mean_h: staff.operator_wait_mean_h,
            operator_wait_p95_h: staff.operator_wait_p95_h,
            peak_errors_outstanding: u64::from(tenants.peak_errors()),
            operator_queue_mean: staff.operators.queue_mean,
            operator_busy_mean: staff.operators.busy_mean,
            operator_utilization: staff.operators.utilization,
            copied_tb: self.copied_gb / 1000.0,
            users_early: chat.users_early,
            mean_peak_cross_island_fraction: chat.mean_peak_cross_island_fraction,
            mean_peak_broken_contact_fraction: chat.mean_peak_broken_contact_fraction,
            stranded_users: chat.stranded_users,
            im_disruption_user_hours: chat.im_disruption_user_hours,
            tenants_blocked_quota: ended.profiles.iter().map(|p| u64::from(p.over_quota)).sum(),
            helpdesk_tickets: staff.tickets,
            helpdesk_peak_queue: staff.helpdesk_peak_queue,
            helpdesk_wait_mean_h: staff.helpdesk_wait_mean_h,
            helpdesk_wait_p95_h: staff.helpdesk_wait_p95_h,
            helpdesk_queue_mean: staff.helpdesk.queue_mean,
            helpdesk_busy_mean: staff.helpdesk.busy_mean,
            helpdesk_utilization: staff.helpdesk.utilization,
            user_hours_lost: staff.user_hours_lost,
            events: ended.events,
        };
        let completion = completion(tenants, ended.end);
        let totals = self.totals(tenants.transitioned());
        let weekly = self
            .weekly
            .finish(totals, ended.tickets.iter().map(|t| t.raised));
        let hourly = self.hourly.unwrap_or_default();
        let spans = self.spans.map_or_else(Vec::new, SpanLog::into_spans);
        let causes = &self.causes;
        let detail = self.daily.map(|mut timeseries| {
            for s in &mut timeseries {
                s.chat = chat.daily.get(s.day as usize).copied().unwrap_or_default();
            }
            Detail {
                tenants: tenant_records(&ended, causes, &chat.tenants),
                batches: ended.batches.to_vec(),
                timeseries,
                hourly,
                spans,
                islands: std::mem::take(&mut chat.by_day_from_t),
            }
        });
        ReplicationOutput {
            metrics,
            completion,
            weekly,
            detail,
            stopped: None,
        }
    }

    /// Chat, computed from each tenant's timeline once the transition is over (it never feeds
    /// back into the transition).
    fn chat(&self, ended: &Ended) -> chat::ChatReport {
        let seats: Vec<u32> = ended.profiles.iter().map(|p| p.seats).collect();
        let timelines: Vec<chat::Timeline> = ended
            .tenants
            .iter()
            .map(|t| chat::Timeline {
                first_batch: t.first_batch,
                transition: t.transitioned_at().map(|done| (t.weekend, done)),
            })
            .collect();
        let grid = chat::SampleGrid {
            end: ended.end,
            offset: ended.sample_offset,
        };
        chat::evaluate(
            &ended.sc.lync,
            ended.streams,
            &seats,
            &timelines,
            grid,
            self.is_detail(),
        )
    }
}

/// Tenants transitioned by the end of each day of the horizon.
fn completion(tenants: &TenantTable, end: SimTime) -> Vec<u32> {
    let mut per_day = vec![0u32; end.day() as usize];
    for at in tenants.iter().filter_map(|t| t.transitioned_at()) {
        if let Some(n) = per_day.get_mut(at.day() as usize) {
            *n += 1;
        }
    }
    let mut done = 0;
    for n in &mut per_day {
        done += *n;
        *n = done;
    }
    per_day
}

/// The detail replication's record of every tenant.
fn tenant_records(ended: &Ended, causes: &CauseLog, chat: &[TenantChat]) -> Vec<TenantRecord> {
    let sc = ended.sc;
    let start = sc.calendar.start;
    ended
        .tenants
        .iter()
        .zip(ended.profiles)
        .enumerate()
        .map(|(id, (t, p))| TenantRecord {
            tenant: id as u32,
            region: sc.population.regions[p.region as usize].clone(),
            seats: p.seats,
            mailboxes: p.mailboxes,
            data_gb: p.data_gb,
            batch: (t.batch != NO_BATCH).then_some(t.batch),
            transition_date: t
                .transitioned_at()
                .map(|_| start.add_days(t.weekend.day() as i64)),
            final_phase: t.phase(),
            final_status: t.status(&sc.phases.programme),
            slips: t.slips,
            retries: t.retries,
            errors: t.errors,
            copy_phase_hours: t.copy_phase_hours,
            window_hours: t.window_hours,
            directory_objects: p.directory_objects,
            over_quota: p.over_quota,
            coexistence: p.coexistence,
            blackberry: p.blackberry,
            tickets: t.tickets,
            chat: chat.get(id).cloned().unwrap_or_default(),
            causes: causes.tenant(id),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::population::Population;
    use crate::model::replication::staff::Staff;
    use crate::phase::WorkCounts;

    fn scenario() -> Scenario {
        Scenario::from_text("name = \"t\"\n[population]\ntenants = 3\n", "t.toml", &[]).unwrap()
    }

    #[test]
    fn every_top_of_the_hour_before_an_event_is_sampled_once() {
        let sc = scenario();
        let end = SimTime(10 * HOUR);
        let mut recorder = Recorder::new(3, &sc.phases.programme, sc.calendar.start, end, true);
        let load = Load {
            errors_outstanding: 7,
            ..Load::default()
        };
        let now = SimTime(2 * HOUR + 30);
        assert!(recorder.hour_due(now, end));
        recorder.sample_hours(now, end, load);
        assert!(
            !recorder.hour_due(now, end),
            "00:00, 01:00 and 02:00 are taken"
        );
        assert!(
            !recorder.hour_due(SimTime(3 * HOUR), end),
            "03:00 waits for a later event"
        );
        recorder.sample_hours(SimTime(40 * HOUR), end, load);
        let hours = recorder.hourly.as_ref().unwrap();
        assert_eq!(hours.len(), 10, "none at or after the end");
        assert!(hours.iter().all(|h| h.load.errors_outstanding == 7));
    }

    #[test]
    fn a_replication_without_detail_keeps_no_series() {
        let sc = scenario();
        let end = SimTime(10 * HOUR);
        let mut recorder = Recorder::new(3, &sc.phases.programme, sc.calendar.start, end, false);
        assert!(!recorder.is_detail());
        assert!(!recorder.hour_due(SimTime(5 * HOUR), end));
        recorder.sample_day(SimTime(HOUR), &TenantTable::new(3, 2), Load::default());
        assert!(recorder.daily.is_none() && recorder.hourly.is_none());
    }

    #[test]
    fn the_report_holds_the_counts_recorded() {
        let sc = scenario();
        let programme = &sc.phases.programme;
        let streams = Streams::new(4, 0);
        let population = Population::generate(&sc, &streams);
        let tenants = TenantTable::new(3, programme.len());
        let end = SimTime::from_days(30);
        let mut recorder = Recorder::new(3, programme, sc.calendar.start, end, true);
        recorder.retried();
        recorder.retried();
        recorder.errored();
        recorder.copied(1500.0);
        let running = Outstanding {
            work: WorkCounts {
                running: 1,
                ..WorkCounts::default()
            },
            ..Outstanding::default()
        };
        let window = programme.window();
        recorder.open_span(SimTime(HOUR), 1, window, 0, SimTime::ZERO);
        recorder.slipped(SimTime(2 * HOUR), 1, window, &running);
        recorder.take_misses(&tenants, &population.tenants, &[], end, sc.calendar.start);
        let mut staff = Staff::new(&sc, (SimTime::ZERO, end));
        let output = recorder.finish(Ended {
            sc: &sc,
            streams: &streams,
            tenants: &tenants,
            profiles: &population.tenants,
            batches: &[],
            staff: staff.report(end, end),
            tickets: &[],
            workitems: 9,
            events: 99,
            end,
            deadline: end,
            sample_offset: 0,
        });
        let m = &output.metrics;
        assert_eq!((m.retries, m.errors, m.slips), (2, 1, 1));
        assert_eq!(m.slips_work_in_progress, 1);
        assert_eq!((m.copied_tb, m.workitems, m.events), (1.5, 9, 99));
        assert_eq!(m.missed_deadline, 3, "nobody transitioned");
        let detail = output.detail.expect("a detail replication");
        assert_eq!(detail.spans.len(), 1);
        assert_eq!(detail.spans[0].outcome, SpanOutcome::RolledBack);
        assert_eq!(detail.tenants.len(), 3);
        assert_eq!(output.completion.len(), 30);
    }
}
