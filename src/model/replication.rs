//! One replication of the programme: tenants batched weekly and walked through their phases, with
//! workitems, copy slots, operators and rollbacks, driven by the kernel's event queue.

mod batcher;
mod checks;
mod copies;
mod staff;
mod tenants;
mod work;

use super::causes::{AtDeadline, CauseLog, MissCause, Outstanding, SlipCause};
use super::chat::{self, DailyChat, TenantChat};
use super::metrics::{
    DailySample, Detail, HourlySample, Load, ReplicationMetrics, ReplicationOutput, SpanOutcome,
    TenantRecord,
};
use super::population::Population;
use super::spans::SpanLog;
use super::weekly::{Totals, WeeklyLog};
use crate::date::Date;
use crate::engine::{DAY, EventQueue, HOUR, SimTime, Streams};
use crate::phase::{CopySource, Phase, Programme, Status, WorkCounts, WorkKind};
use crate::policy::BatchPolicy;
use crate::scenario::Scenario;
use batcher::Batcher;
use copies::CopyScheduler;
use staff::Staff;
use tenants::{Count, NO_BATCH, TenantTable};
use work::{Life, Outcome, WorkArena};

/// The events of the model: small `Copy` values with ids, never closures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Event {
    /// Weekly: form the batch for the weekend `lead_days` ahead.
    Plan,
    /// A blocked tenant becomes ready for batching.
    Unblock { tenant: u32 },
    /// A tenant's phase begins (ignored if the tenant was rolled back since: `epoch` differs).
    PhaseStart {
        tenant: u32,
        phase: Phase,
        epoch: u32,
    },
    /// The window phase (BPOS: DataUpgrade) may run no longer.
    WindowClose { tenant: u32, epoch: u32 },
    /// A workitem attempt ends; its outcome is drawn then.
    AttemptDone { item: u32 },
    /// A workitem that failed transiently is tried again.
    RetryDue { item: u32 },
    /// An operator finishes resolving a failed workitem.
    Resolved { slot: u32, token: u32 },
    /// The operator or help-desk staffing changes (shift boundary).
    Shift,
    /// A user calls the help desk.
    TicketRaised { ticket: u32 },
    /// A help-desk agent resolves a ticket.
    TicketResolved { slot: u32, token: u32 },
    /// Daily sample for the time series.
    Sample,
}

/// Scenario figures converted once into ticks.
struct Timing {
    /// Each phase's start from T (the first phase's is unused).
    offsets: Vec<i64>,
    window: u64,
    end: SimTime,
    deadline: SimTime,
    sample_offset: u64,
}

impl Timing {
    /// When `phase` of the weekend whose T is `weekend` starts (never before the start).
    fn phase_time(&self, weekend: SimTime, phase: Phase) -> SimTime {
        SimTime((weekend.ticks() as i64 + self.offsets[phase.index()]).max(0) as u64)
    }
}

pub(crate) struct Replication<'a> {
    sc: &'a Scenario,
    programme: &'a Programme,
    streams: Streams,
    timing: Timing,
    queue: EventQueue<Event>,
    population: Population,
    tenants: TenantTable,
    work: WorkArena<'a>,
    copies: CopyScheduler,
    batcher: Batcher<'a>,
    staff: Staff<'a>,
    /// Tenants held until a support case raised their directory quota.
    blocked_quota: u64,
    retries: u64,
    errors: u64,
    slips: u64,
    copied_gb: f64,
    timeseries: Option<Vec<DailySample>>,
    /// Detail only: the hourly series and the weekend phases' spans.
    hourly: Option<Vec<HourlySample>>,
    spans: Option<SpanLog>,
    /// Every replication: the totals at each week boundary (weekly.csv).
    weekly: WeeklyLog,
    causes: CauseLog,
    /// When the replication stopped, the end of what was observed.
    observed_until: SimTime,
}

impl<'a> Replication<'a> {
    pub(crate) fn new(
        sc: &'a Scenario,
        policy: &'a dyn BatchPolicy,
        replication: u64,
        detail: bool,
    ) -> Self {
        let streams = Streams::new(sc.seed, replication);
        let population = Population::generate(sc, &streams);
        let ph = &sc.phases;
        // Whole days are whole ticks, so this is exact; the first phase has no offset.
        let offset = |p: Phase| {
            let hours = ph.start_hours(p).unwrap_or(0.0);
            let ticks = SimTime::from_hours(hours.abs()).ticks() as i64;
            if hours < 0.0 { -ticks } else { ticks }
        };
        let timing = Timing {
            offsets: ph.programme.phases().map(offset).collect(),
            window: SimTime::from_hours(ph.window_hours).ticks(),
            end: SimTime::from_days((sc.day_of(sc.calendar.end) + 1).max(0) as u64),
            deadline: SimTime::from_days((sc.day_of(sc.calendar.deadline) + 1).max(0) as u64),
            sample_offset: u64::from(sc.calendar.sample_hour) * HOUR,
        };
        let cal = &sc.calendar;
        let midnight = |d: Date| SimTime::from_days(d.days_since(cal.start).max(0) as u64);
        let observe = (
            cal.observe_from.map_or(SimTime::ZERO, midnight),
            cal.observe_until
                .map_or(SimTime(u64::MAX), |d| midnight(d.add_days(1))),
        );
        let n = population.tenants.len();
        let end = timing.end;
        Replication {
            sc,
            programme: &sc.phases.programme,
            streams,
            timing,
            queue: EventQueue::with_capacity(1024),
            tenants: TenantTable::new(n, sc.phases.programme.len()),
            work: WorkArena::new(sc, &streams, n),
            copies: CopyScheduler::new(
                sc.population.regions.len(),
                sc.copy.slots,
                sc.copy.per_tenant,
                population.tenants.iter().map(|p| p.region),
            ),
            population,
            batcher: Batcher::new(sc, policy, &streams),
            staff: Staff::new(sc, observe),
            blocked_quota: 0,
            retries: 0,
            errors: 0,
            slips: 0,
            copied_gb: 0.0,
            timeseries: detail.then(Vec::new),
            hourly: detail.then(Vec::new),
            spans: detail.then(|| SpanLog::new(n, &sc.phases.programme)),
            weekly: WeeklyLog::new(end),
            causes: CauseLog::new(n, detail),
            observed_until: SimTime::ZERO,
        }
    }

    /// Runs to the end and reports.
    pub(crate) fn run(mut self) -> ReplicationOutput {
        for (id, profile) in self.population.tenants.iter().enumerate() {
            self.blocked_quota += u64::from(profile.over_quota);
            if profile.blocked_days > 0.0 {
                let at = SimTime::from_hours(profile.blocked_days * 24.0);
                self.queue
                    .schedule(at, Event::Unblock { tenant: id as u32 });
            } else {
                self.batcher
                    .join(&mut self.tenants, id as u32, SimTime::ZERO, false);
            }
        }
        self.queue.schedule(SimTime::ZERO, Event::Shift);
        self.queue.schedule(SimTime::ZERO, Event::Plan);
        self.queue
            .schedule(SimTime(self.timing.sample_offset), Event::Sample);
        let total = self.tenants.len() as u32;
        let budget = self.event_budget();
        // When half the budget was used: if the clock has hardly moved since, it is a loop.
        let mut halfway = None;
        let mut stopped = None;
        // Until every tenant transitioned and its users' tickets were answered.
        while self.tenants.transitioned() < total || self.staff.tickets_outstanding() > 0 {
            match self.queue.peek_time() {
                Some(t) if t < self.timing.end => {}
                _ => break,
            }
            let (now, event) = self.queue.pop().expect("peeked");
            let totals = self.totals();
            self.weekly.reach(now, totals);
            if self.hourly.is_some() {
                self.sample_hours(now);
            }
            if now >= self.timing.deadline && !self.causes.misses_taken {
                self.take_misses();
            }
            self.handle(now, event);
            let errors = self.tenants.errors_outstanding();
            self.staff.observe(now, errors, &self.work);
            // Tests and debug builds re-derive the bookkeeping from scratch now and then.
            if cfg!(debug_assertions) && self.queue.events_processed().is_multiple_of(1024) {
                self.check();
            }
            let events = self.queue.events_processed();
            if events == budget / 2 {
                halfway = Some(now);
            }
            if events >= budget {
                stopped = Some(self.budget_breach(budget, now, halfway.unwrap_or(SimTime::ZERO)));
                break;
            }
        }
        if !self.causes.misses_taken {
            self.take_misses();
        }
        // Observed until the replication stopped: the end of the horizon if work remained.
        self.observed_until = if stopped.is_none()
            && (self.tenants.transitioned() < total || self.staff.tickets_outstanding() > 0)
        {
            self.timing.end
        } else {
            self.queue.now()
        };
        if cfg!(debug_assertions) && stopped.is_none() {
            self.check();
            checks::lives(&self.tenants, &self.work, self.programme);
        }
        let mut output = self.report();
        output.stopped = stopped;
        output
    }

    /// Checks the incrementally kept counts against a recount (debug builds).
    fn check(&self) {
        checks::counts(&self.tenants, &self.work, &self.copies);
        self.staff.check();
    }

    /// Most events one replication may handle: far more than any plan needs (the bundled
    /// scenarios handle under 2,000 per tenant, mostly per-seat help-desk calls), so only a
    /// replication caught in a loop reaches it, and stops with an error instead of running on.
    fn event_budget(&self) -> u64 {
        const BASE: u64 = 1_000_000;
        const PER_TENANT: u64 = 20_000;
        const PER_SEAT: u64 = 100;
        self.population.tenants.iter().fold(BASE, |sum, p| {
            sum.saturating_add(PER_TENANT + PER_SEAT * u64::from(p.seats))
        })
    }

    /// What a replication that used up its budget says, naming the likely cause.
    fn budget_breach(&self, budget: u64, now: SimTime, halfway: SimTime) -> String {
        let day = now.ticks() / DAY;
        let failures = self.retries + self.errors;
        let stalled = now.ticks() - halfway.ticks() < HOUR;
        let cause = if failures.saturating_mul(4) > budget || stalled {
            format!(
                "by day {day}{}, after {} retries and {} errors: work that keeps failing and is retried or resolved in little or no time (zero-length work, `workitems.retry_delay_seconds` = 0, operators resolving at once, failure probabilities near 1)",
                if stalled {
                    ", the clock hardly moving"
                } else {
                    ""
                },
                self.retries,
                self.errors
            )
        } else {
            format!("by day {day}")
        };
        format!(
            "scenario `{}`, replication {}: stopped after {budget} events, its budget (1,000,000 + 20,000 per tenant + 100 per seat), {cause}",
            self.sc.name,
            self.streams.replication()
        )
    }

    fn handle(&mut self, now: SimTime, event: Event) {
        match event {
            Event::Plan => self.plan(now),
            Event::Unblock { tenant } => self.batcher.join(&mut self.tenants, tenant, now, false),
            Event::PhaseStart {
                tenant,
                phase,
                epoch,
            } => {
                if self.work.epoch(tenant) == epoch {
                    self.start_phase(now, tenant, phase);
                }
            }
            Event::WindowClose { tenant, epoch } => {
                let t = self.tenants.get(tenant);
                if self.work.epoch(tenant) == epoch
                    && t.phase() == self.programme.window()
                    && t.status(self.programme) != Status::Complete
                {
                    self.roll_back(now, tenant, true);
                }
            }
            Event::AttemptDone { item } => {
                debug_assert!(
                    self.work.lives().get(item as usize) != Some(&Life::Done),
                    "an attempt of workitem {item} ended after it was done"
                );
                if self.work.is_live(item) {
                    self.attempt_done(now, item);
                }
            }
            Event::RetryDue { item } => {
                if self.work.is_live(item) {
                    self.work.step(item, &[Life::Retrying], Life::Waiting);
                    let copy = self.programme.is_copy(self.work.kind(item));
                    let tenant = self.work.tenant(item);
                    self.tenants
                        .moved(tenant, copy, Some(Count::Retrying), None);
                    self.make_ready(now, item);
                }
            }
            Event::Resolved { slot, token } => self.resolved(now, slot, token),
            Event::Shift => self.staff.shift(now, &self.work, &mut self.queue),
            Event::Sample => self.sample(now),
            Event::TicketRaised { ticket } => {
                self.staff.ticket_raised(now, ticket, &mut self.queue)
            }
            Event::TicketResolved { slot, token } => {
                self.staff
                    .ticket_resolved(now, slot, token, &mut self.queue)
            }
        }
    }

    // ---- batching -------------------------------------------------------------------------

    /// Forms the batch for the weekend `lead_days` ahead and places its tenants: each starts
    /// the phase after the first at its offset from that weekend's T (at once if that is past).
    fn plan(&mut self, now: SimTime) {
        let (date, weekend) = self.batcher.weekend_for(now);
        if weekend >= self.timing.end {
            return;
        }
        let cadence = u64::from(self.sc.batching.cadence_days);
        self.queue.schedule(now + cadence * DAY, Event::Plan);
        let errors = self.tenants.errors_outstanding();
        let profiles = &self.population.tenants;
        let Some(batch) = self
            .batcher
            .form(now, date, &mut self.tenants, profiles, errors)
        else {
            return;
        };
        let first = Phase::WAITING.next();
        let at = self.timing.phase_time(weekend, first).max(now);
        for &tenant in self.batcher.placed() {
            let t = self.tenants.get_mut(tenant);
            t.batch = batch;
            t.weekend = weekend;
            t.first_batch.get_or_insert((now, weekend));
            let epoch = self.work.epoch(tenant);
            self.queue.schedule(
                at,
                Event::PhaseStart {
                    tenant,
                    phase: first,
                    epoch,
                },
            );
        }
    }

    // ---- phases ---------------------------------------------------------------------------

    fn start_phase(&mut self, now: SimTime, tenant: u32, phase: Phase) {
        let programme = self.programme;
        let window = programme.window();
        let t = self.tenants.get(tenant);
        // Up to the phase after the window, a tenant whose previous phase still has work cannot
        // go on: it is pulled from the batch. Copies are the exception: what the copy phase did
        // not copy is left for the window, which must finish them. After the window the cutover
        // is done, and a later phase's work carries on beside the next's.
        if phase <= window.next() && t.work().outstanding() > 0 {
            self.roll_back(now, tenant, phase == window.next());
            return;
        }
        if phase == window.next() && t.copies().outstanding() > 0 {
            self.roll_back(now, tenant, true);
            return;
        }
        let (weekend, epoch) = (t.weekend, self.work.epoch(tenant));
        self.open_span(now, tenant, phase);
        self.tenants.set_phase(tenant, phase);
        if programme.copy_phase() == Some(phase) {
            self.tenants.get_mut(tenant).prestage_start = now;
            self.create_copies(now, tenant, phase);
        }
        let next = programme
            .next(phase)
            .map(|p| (p, self.timing.phase_time(weekend, p).max(now)));
        if phase == window {
            // Copies left over from the copy phase now compete for slots ahead of tenants still
            // copying before their window.
            self.copies.withdraw(tenant);
            self.copies.claim(tenant, true);
            for &kind in &programme.phase(phase).work {
                self.start_item(now, tenant, kind);
            }
            self.queue.schedule(
                now + self.timing.window,
                Event::WindowClose { tenant, epoch },
            );
            self.schedule_phase(tenant, epoch, next);
            self.fill_region(now, self.copies.region(tenant));
        } else {
            for &kind in &programme.phase(phase).work {
                self.start_item(now, tenant, kind);
            }
            self.schedule_phase(tenant, epoch, next);
        }
        self.check_done(now, tenant);
    }

    /// Schedules the start of the tenant's next phase, if there is one.
    fn schedule_phase(&mut self, tenant: u32, epoch: u32, next: Option<(Phase, SimTime)>) {
        if let Some((phase, at)) = next {
            self.queue.schedule(
                at,
                Event::PhaseStart {
                    tenant,
                    phase,
                    epoch,
                },
            );
        }
    }

    /// Records completions: copies done, a phase's work done, the window complete, the tenant
    /// transitioned.
    fn check_done(&mut self, now: SimTime, tenant: u32) {
        let programme = self.programme;
        let t = self.tenants.get_mut(tenant);
        if let Some(copy_phase) = programme.copy_phase()
            && t.copies().outstanding() == 0
            && t.prestage_hours.is_none()
            && t.phase() >= copy_phase
        {
            t.prestage_hours = Some(now.saturating_since(t.prestage_start).as_hours());
            self.span_done(now, tenant, copy_phase);
        }
        let t = self.tenants.get(tenant);
        let (phase, weekend) = (t.phase(), t.weekend);
        let (window, last) = (programme.window(), programme.last());
        // The copy phase is done when its copies are; the window and the last phase below.
        if phase != Phase::WAITING
            && Some(phase) != programme.copy_phase()
            && phase != window
            && phase != last
            && t.work().outstanding() == 0
        {
            self.span_done(now, tenant, phase);
        }
        let window_start = self.timing.phase_time(weekend, window);
        let t = self.tenants.get_mut(tenant);
        if phase == window
            && t.dataupgrade_hours.is_none()
            && t.status(programme) == Status::Complete
        {
            t.dataupgrade_hours = Some(now.saturating_since(window_start).as_hours());
            self.span_done(now, tenant, window);
            let users = self.population.tenants[tenant as usize].seats;
            let raised =
                self.staff
                    .draw_tickets(now, tenant, users, &self.streams, &mut self.queue);
            self.tenants.get_mut(tenant).tickets += raised;
        }
        let t = self.tenants.get(tenant);
        if phase == last
            && t.status(programme) == Status::Complete
            && self.tenants.transition(tenant, now)
        {
            self.batcher.transitioned(self.tenants.get(tenant).batch);
            self.span_done(now, tenant, last);
            self.close_span(now, tenant, last, SpanOutcome::Complete);
        }
    }

    // ---- spans (detail only) ----------------------------------------------------------------

    /// A weekend phase begins: the previous one ends, complete.
    fn open_span(&mut self, now: SimTime, tenant: u32, phase: Phase) {
        let (t, start) = (self.tenants.get(tenant), self.sc.calendar.start);
        if let Some(log) = &mut self.spans {
            log.open(
                now,
                tenant,
                phase,
                t.batch,
                start.add_days(t.weekend.day() as i64),
            );
        }
    }

    fn span_done(&mut self, now: SimTime, tenant: u32, phase: Phase) {
        if let Some(log) = &mut self.spans {
            log.done(now, tenant, phase);
        }
    }

    /// Ends the tenant's span of `phase` if it is still running.
    fn close_span(&mut self, now: SimTime, tenant: u32, phase: Phase, outcome: SpanOutcome) {
        if let Some(log) = &mut self.spans {
            log.close(now, tenant, phase, outcome);
        }
    }

    /// Pulls a tenant out of its batch: its work is abandoned and it waits for a later batch.
    /// `copies_hold` says whether its copies held the attempt up (at a phase start other than
    /// the one after the window they may carry on), for the slip's cause.
    fn roll_back(&mut self, now: SimTime, tenant: u32, copies_hold: bool) {
        let outstanding = self.outstanding(tenant, copies_hold);
        self.causes.slip(tenant, &outstanding);
        let phase = self.tenants.get(tenant).phase();
        if let Some(log) = &mut self.spans {
            log.roll_back(now, tenant, phase);
        }
        self.slips += 1;
        let abandoned = self.tenants.roll_back(tenant);
        self.work.abandon(tenant, abandoned);
        self.copies.drop_tenant(tenant);
        self.batcher.slipped(self.tenants.get(tenant).batch);
        self.batcher.join(&mut self.tenants, tenant, now, true);
        self.fill_region(now, self.copies.region(tenant));
    }

    /// What the tenant's attempt has outstanding (its copies only if they hold it up).
    fn outstanding(&self, tenant: u32, copies_hold: bool) -> Outstanding {
        let t = self.tenants.get(tenant);
        // A few operators' slots: searched only on a rollback.
        let in_service = self
            .staff
            .operators()
            .in_service()
            .filter(|&i| {
                self.work.tenant(i) == tenant
                    && self.work.is_live(i)
                    && (copies_hold || !self.programme.is_copy(self.work.kind(i)))
            })
            .count() as u32;
        Outstanding {
            work: t.work(),
            copies: if copies_hold {
                t.copies()
            } else {
                WorkCounts::default()
            },
            in_service,
        }
    }

    /// Every tenant's state at the end of the deadline day, for the causes of misses.
    fn take_misses(&mut self) {
        let not_before = self.sc.population.estate.blackberry_not_before;
        let before_blackberry_date = self
            .batcher
            .batches()
            .last()
            .is_none_or(|b| b.weekend < not_before);
        let deadline = self.timing.deadline;
        let states = self
            .tenants
            .iter()
            .zip(&self.population.tenants)
            .map(|(t, p)| AtDeadline {
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

    // ---- workitems ------------------------------------------------------------------------

    /// Creates a non-copy item and starts its first attempt at once.
    fn start_item(&mut self, now: SimTime, tenant: u32, kind: WorkKind) {
        let item = self.work.create(tenant, kind, 0.0);
        self.tenants
            .moved(tenant, false, None, Some(Count::Running));
        let seats = self.population.tenants[tenant as usize].seats;
        self.work.begin_attempt(now, item, seats, &mut self.queue);
    }

    /// Creates the copies of `phase` (the copy phase), kind by kind, and claims slots for them.
    fn create_copies(&mut self, now: SimTime, tenant: u32, phase: Phase) {
        let first = self.work.len() as u32;
        let profile = &self.population.tenants[tenant as usize];
        for &kind in &self.programme.phase(phase).copies {
            match self.programme.kind(kind).copy {
                Some(CopySource::Mailboxes) => {
                    for &gb in self.population.mailboxes_of(tenant as usize) {
                        self.work.create(tenant, kind, gb);
                    }
                }
                Some(CopySource::Sites) => {
                    if profile.sharepoint_gb > 0.0 {
                        self.work.create(tenant, kind, profile.sharepoint_gb as f32);
                    }
                }
                None => unreachable!("a phase's copies are copy kinds"),
            }
        }
        let end = self.work.len() as u32;
        self.tenants.copies_created(tenant, end - first);
        self.copies.assign(tenant, first, end);
        let urgent = self.tenants.get(tenant).phase() >= self.programme.window();
        self.copies.claim(tenant, urgent);
        self.fill_region(now, profile.region);
    }

    fn attempt_done(&mut self, now: SimTime, item: u32) {
        let (tenant, kind) = (self.work.tenant(item), self.work.kind(item));
        let profile = &self.population.tenants[tenant as usize];
        let outcome = self
            .work
            .end_attempt(now, item, profile.coexistence, &mut self.queue);
        let copy = self.programme.is_copy(kind);
        self.tenants.moved(tenant, copy, Some(Count::Running), None);
        if copy {
            self.copies.finished(tenant);
        }
        match outcome {
            Outcome::Failed { service, retried } => {
                if retried {
                    self.tenants.get_mut(tenant).retries += 1;
                    self.retries += 1;
                }
                self.fail_hard(now, item, service);
            }
            Outcome::Retrying => {
                self.tenants.get_mut(tenant).retries += 1;
                self.retries += 1;
                self.tenants
                    .moved(tenant, copy, None, Some(Count::Retrying));
            }
            Outcome::Done { size_gb } => {
                if copy {
                    self.copied_gb += f64::from(size_gb);
                }
                self.check_done(now, tenant);
            }
        }
        if copy {
            let urgent = self.tenants.get(tenant).phase() >= self.programme.window();
            self.copies.claim(tenant, urgent);
            self.fill_region(now, self.copies.region(tenant));
        }
    }

    /// A hard failure: the item waits for an operator for `service` ticks of work.
    fn fail_hard(&mut self, now: SimTime, item: u32, service: u64) {
        let (tenant, kind) = (self.work.tenant(item), self.work.kind(item));
        let copy = self.programme.is_copy(kind);
        self.tenants.moved(tenant, copy, None, Some(Count::Failed));
        self.errors += 1;
        self.staff
            .submit(now, item, service, &self.work, &mut self.queue);
    }

    fn resolved(&mut self, now: SimTime, slot: u32, token: u32) {
        let done = self
            .staff
            .resolved(now, slot, token, &self.work, &mut self.queue);
        if let Some(item) = done {
            self.work.step(item, &[Life::Failed], Life::Waiting);
            let (tenant, kind) = (self.work.tenant(item), self.work.kind(item));
            let copy = self.programme.is_copy(kind);
            self.tenants.moved(tenant, copy, Some(Count::Failed), None);
            self.make_ready(now, item);
        }
    }

    /// An item that may be tried again: a copy waits for a slot, anything else starts at once.
    fn make_ready(&mut self, now: SimTime, item: u32) {
        let (tenant, kind) = (self.work.tenant(item), self.work.kind(item));
        if self.programme.is_copy(kind) {
            self.tenants.moved(tenant, true, None, Some(Count::Waiting));
            self.copies.again(tenant, item);
            let urgent = self.tenants.get(tenant).phase() >= self.programme.window();
            self.copies.claim(tenant, urgent);
            self.fill_region(now, self.copies.region(tenant));
        } else {
            self.tenants
                .moved(tenant, false, None, Some(Count::Running));
            let seats = self.population.tenants[tenant as usize].seats;
            self.work.begin_attempt(now, item, seats, &mut self.queue);
        }
    }

    /// Starts copies in a region while slots are free, one per tenant in turn.
    fn fill_region(&mut self, now: SimTime, region: u16) {
        let (tenants, work, queue) = (&mut self.tenants, &mut self.work, &mut self.queue);
        let profiles = &self.population.tenants;
        self.copies.fill(region, |tenant, item| {
            tenants.moved(tenant, true, Some(Count::Waiting), Some(Count::Running));
            work.begin_attempt(now, item, profiles[tenant as usize].seats, queue);
        });
    }

    // ---- operators, sampling --------------------------------------------------------------

    fn load(&self) -> Load {
        Load {
            errors_outstanding: self.tenants.errors_outstanding(),
            operators_busy: self.staff.operators().busy(),
            operators_on_duty: self.staff.operators().staff(),
            copies_running: self.copies.busy(),
            helpdesk_queue: self.staff.desk().pool.queued() as u32,
            helpdesk_busy: self.staff.desk().pool.busy(),
            helpdesk_on_duty: self.staff.desk().pool.staff(),
        }
    }

    fn sample(&mut self, now: SimTime) {
        let load = self.load();
        if let Some(series) = &mut self.timeseries {
            let day = now.day();
            series.push(DailySample {
                day,
                date: self.sc.calendar.start.add_days(day as i64),
                phases: self.tenants.phase_counts().to_vec(),
                transitioned: self.tenants.transitioned(),
                load,
                chat: DailyChat::default(),
            });
        }
        self.queue.schedule(now + DAY, Event::Sample);
    }

    /// Records the state at every top of the hour before `now`: the state after every event at
    /// or before that hour (a shift that starts on the hour is on duty in its sample).
    fn sample_hours(&mut self, now: SimTime) {
        let load = self.load();
        let end = self.timing.end;
        let hourly = self.hourly.as_mut().expect("called only with detail");
        let mut next = hourly.last().map_or(SimTime::ZERO, |s| s.time + HOUR);
        while next < now && next < end {
            hourly.push(HourlySample { time: next, load });
            next += HOUR;
        }
    }

    /// The running totals weekly.csv is made of.
    fn totals(&self) -> Totals {
        Totals {
            transitioned: self.tenants.transitioned(),
            slips: self.slips,
            errors: self.errors,
            retries: self.retries,
            copied_gb: self.copied_gb,
        }
    }

    /// Tenants transitioned by the end of each day of the horizon.
    fn completion(&self) -> Vec<u32> {
        let mut per_day = vec![0u32; self.timing.end.day() as usize];
        for at in self.tenants.iter().filter_map(|t| t.transitioned_at()) {
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

    fn report(mut self) -> ReplicationOutput {
        let n = self.tenants.len() as u64;
        let deadline = self.timing.deadline;
        let missed_deadline = self
            .tenants
            .iter()
            .filter(|t| t.transitioned_at().is_none_or(|at| at >= deadline))
            .count();
        let makespan = self
            .tenants
            .iter()
            .filter_map(|t| t.transitioned_at())
            .max()
            .map_or(f64::NAN, SimTime::as_days);
        let mut chat = self.chat();
        // Tickets still open when the horizon ended.
        let end = self.timing.end;
        let (slips, missed) = (self.causes.slips, self.causes.missed);
        let staff = self.staff.report(self.observed_until, end);
        debug_assert_eq!(slips.iter().sum::<u64>(), self.slips, "slips by cause");
        debug_assert_eq!(
            missed.iter().sum::<u64>(),
            missed_deadline as u64,
            "misses by cause"
        );
        let metrics = ReplicationMetrics {
            replication: self.streams.replication(),
            seed: self.streams.seed(),
            tenants: n,
            transitioned: u64::from(self.tenants.transitioned()),
            slips: self.slips,
            slips_copy_backlog: slips[SlipCause::CopyBacklog as usize],
            slips_waiting_for_operator: slips[SlipCause::WaitingForOperator as usize],
            slips_operator_working: slips[SlipCause::OperatorWorking as usize],
            slips_retrying: slips[SlipCause::Retrying as usize],
            slips_work_in_progress: slips[SlipCause::WorkInProgress as usize],
            tenants_slipped: self.tenants.iter().filter(|t| t.slips > 0).count() as u64,
            missed_deadline: missed_deadline as u64,
            missed_in_flight: missed[MissCause::InFlight as usize],
            missed_rolled_back: missed[MissCause::RolledBack as usize],
            missed_quota_hold: missed[MissCause::QuotaHold as usize],
            missed_blocked: missed[MissCause::Blocked as usize],
            missed_blackberry_date: missed[MissCause::BlackberryDate as usize],
            missed_never_batched: missed[MissCause::NeverBatched as usize],
            batches: self.batcher.batches().len() as u64,
            makespan_days: makespan,
            workitems: self.work.len() as u64,
            retries: self.retries,
            errors: self.errors,
            operator_wait_mean_h: staff.operator_wait_mean_h,
            operator_wait_p95_h: staff.operator_wait_p95_h,
            peak_errors_outstanding: u64::from(self.tenants.peak_errors()),
            operator_queue_mean: staff.operators.queue_mean,
            operator_busy_mean: staff.operators.busy_mean,
            operator_utilization: staff.operators.utilization,
            copied_tb: self.copied_gb / 1000.0,
            users_early: chat.users_early,
            mean_peak_cross_island_fraction: chat.mean_peak_cross_island_fraction,
            mean_peak_broken_contact_fraction: chat.mean_peak_broken_contact_fraction,
            stranded_users: chat.stranded_users,
            im_disruption_user_hours: chat.im_disruption_user_hours,
            tenants_blocked_quota: self.blocked_quota,
            helpdesk_tickets: staff.tickets,
            helpdesk_peak_queue: staff.helpdesk_peak_queue,
            helpdesk_wait_mean_h: staff.helpdesk_wait_mean_h,
            helpdesk_wait_p95_h: staff.helpdesk_wait_p95_h,
            helpdesk_queue_mean: staff.helpdesk.queue_mean,
            helpdesk_busy_mean: staff.helpdesk.busy_mean,
            helpdesk_utilization: staff.helpdesk.utilization,
            user_hours_lost: staff.user_hours_lost,
            events: self.queue.events_processed(),
        };
        let completion = self.completion();
        let totals = self.totals();
        let weekly = std::mem::replace(&mut self.weekly, WeeklyLog::new(SimTime::ZERO))
            .finish(totals, self.staff.desk().tickets.iter().map(|t| t.raised));
        let hourly = self.hourly.take().unwrap_or_default();
        let spans = self.spans.take().map_or_else(Vec::new, SpanLog::into_spans);
        let detail = self.timeseries.take().map(|mut timeseries| {
            for s in &mut timeseries {
                s.chat = chat.daily.get(s.day as usize).copied().unwrap_or_default();
            }
            Detail {
                tenants: self.tenant_records(&chat.tenants),
                batches: self.batcher.batches().to_vec(),
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
    fn chat(&self) -> chat::ChatReport {
        let seats: Vec<u32> = self.population.tenants.iter().map(|p| p.seats).collect();
        let timelines: Vec<chat::Timeline> = self
            .tenants
            .iter()
            .map(|t| chat::Timeline {
                first_batch: t.first_batch,
                transition: t.transitioned_at().map(|done| (t.weekend, done)),
            })
            .collect();
        let grid = chat::SampleGrid {
            end: self.timing.end,
            offset: self.timing.sample_offset,
        };
        let detail = self.timeseries.is_some();
        chat::evaluate(
            &self.sc.lync,
            &self.streams,
            &seats,
            &timelines,
            grid,
            detail,
        )
    }

    fn tenant_records(&self, chat: &[TenantChat]) -> Vec<TenantRecord> {
        let start = self.sc.calendar.start;
        self.tenants
            .iter()
            .zip(&self.population.tenants)
            .enumerate()
            .map(|(id, (t, p))| TenantRecord {
                tenant: id as u32,
                region: self.sc.population.regions[p.region as usize].clone(),
                seats: p.seats,
                mailboxes: p.mailboxes,
                data_gb: p.data_gb,
                batch: (t.batch != NO_BATCH).then_some(t.batch),
                transition_date: t
                    .transitioned_at()
                    .map(|_| start.add_days(t.weekend.day() as i64)),
                final_phase: t.phase(),
                final_status: t.status(self.programme),
                slips: t.slips,
                retries: t.retries,
                errors: t.errors,
                prestage_hours: t.prestage_hours,
                dataupgrade_hours: t.dataupgrade_hours,
                directory_objects: p.directory_objects,
                over_quota: p.over_quota,
                coexistence: p.coexistence,
                blackberry: p.blackberry,
                tickets: t.tickets,
                chat: chat.get(id).cloned().unwrap_or_default(),
                causes: self.causes.tenant(id),
            })
            .collect()
    }
}
