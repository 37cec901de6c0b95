//! One replication of the programme: the event loop, which hands each event to the components
//! that own the state it touches (the modules below), and the phase machine that walks a batch's
//! tenants through their phases across them: phase starts, completions, rollbacks. A component
//! never holds another; what it reads of one is passed in, and so is the event queue whenever it
//! schedules, so the order of events and draws is the order of the calls here.

mod batcher;
mod checks;
mod copies;
mod recorder;
mod staff;
mod tenants;
mod work;

use super::budget;
use super::causes::Outstanding;
use super::metrics::{Load, ReplicationOutput, SpanOutcome};
use super::population::Population;
use crate::date::Date;
use crate::engine::{DAY, EventQueue, HOUR, SimTime, Streams};
use crate::phase::{CopySource, Phase, Programme, Status, WorkCounts, WorkKind};
use crate::policy::BatchPolicy;
use crate::scenario::Scenario;
use batcher::Batcher;
use copies::CopyScheduler;
use recorder::{Ended, Recorder};
use staff::Staff;
use tenants::{Count, TenantTable};
use work::{Life, Outcome, WorkArena};

/// The events of the model: small `Copy` values with ids, never closures.
///
/// A 4-byte tag (16 bytes in all instead of 12; a queue slot, with its `u64` time, stays 24):
/// with a 1-byte tag, the event popped was moved as its tag and an overlapping pair of 8-byte
/// moves of the 15 bytes after it, and reading those back stalled on store forwarding twice per
/// event; after a 4-byte tag the fields move as 8 and 4 bytes that do not overlap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
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
    recorder: Recorder,
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
        let offset = |p: Phase| crate::phase::offset_ticks(ph.start_hours(p).unwrap_or(0.0));
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
        let programme = &sc.phases.programme;
        Replication {
            sc,
            programme,
            streams,
            timing,
            queue: EventQueue::with_capacity(1024),
            tenants: TenantTable::new(n, programme.len()),
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
            recorder: Recorder::new(n, programme, sc.calendar.start, end, detail),
        }
    }

    /// Runs to the end and reports.
    pub(crate) fn run(mut self) -> ReplicationOutput {
        for (id, profile) in self.population.tenants.iter().enumerate() {
            if profile.blocked_days > 0.0 {
                let at = SimTime::from_hours(profile.blocked_days * 24.0);
                self.queue
                    .schedule(at, Event::Unblock { tenant: id as u32 });
            } else {
                self.batcher
                    .join(&mut self.tenants, id as u32, profile, SimTime::ZERO, false);
            }
        }
        self.queue.schedule(SimTime::ZERO, Event::Shift);
        self.queue.schedule(SimTime::ZERO, Event::Plan);
        self.queue
            .schedule(SimTime(self.timing.sample_offset), Event::Sample);
        let total = self.tenants.len() as u32;
        let budget = budget::limit(&self.population);
        // When half the budget was used: if the clock has hardly moved since, it is a loop.
        let mut halfway = None;
        let mut stopped = None;
        let end = self.timing.end;
        // Until every tenant transitioned and its users' tickets were answered.
        while self.tenants.transitioned() < total || self.staff.tickets_outstanding() > 0 {
            match self.queue.peek_time() {
                Some(t) if t < end => {}
                _ => break,
            }
            let (now, event) = self.queue.pop().expect("peeked");
            self.recorder.reach(now, self.tenants.transitioned());
            if self.recorder.hour_due(now, end) {
                let load = self.load();
                self.recorder.sample_hours(now, end, load);
            }
            if now >= self.timing.deadline && !self.recorder.misses_taken() {
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
                let breach = budget::Breach {
                    budget,
                    replication: self.streams.replication(),
                    now,
                    halfway: halfway.unwrap_or(SimTime::ZERO),
                    retries: self.recorder.retries(),
                    errors: self.recorder.errors(),
                };
                stopped = Some(breach.message(self.sc, &self.population));
                break;
            }
        }
        if !self.recorder.misses_taken() {
            self.take_misses();
        }
        // Observed until the replication stopped: the end of the horizon if work remained.
        let until = if stopped.is_none()
            && (self.tenants.transitioned() < total || self.staff.tickets_outstanding() > 0)
        {
            end
        } else {
            self.queue.now()
        };
        if cfg!(debug_assertions) && stopped.is_none() {
            self.check();
            checks::lives(&self.tenants, &self.work, self.programme);
        }
        let mut output = self.report(until);
        output.stopped = stopped;
        output
    }

    /// Checks the incrementally kept counts against a recount (debug builds).
    fn check(&self) {
        checks::counts(&self.tenants, &self.work, &self.copies);
        self.staff.check();
    }

    fn handle(&mut self, now: SimTime, event: Event) {
        match event {
            Event::Plan => self.plan(now),
            Event::Unblock { tenant } => {
                let profile = &self.population.tenants[tenant as usize];
                self.batcher
                    .join(&mut self.tenants, tenant, profile, now, false)
            }
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
        let Some(batch) = self.batcher.form(now, date, &mut self.tenants, errors) else {
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
        let batch = self.tenants.get(tenant).batch;
        self.recorder.open_span(now, tenant, phase, batch, weekend);
        self.tenants.set_phase(tenant, phase);
        if programme.copy_phase() == Some(phase) {
            self.tenants.get_mut(tenant).copy_phase_start = now;
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
    /// transitioned. Most calls come after a copy succeeded while others of its tenant are still
    /// outstanding, and can record nothing: `may_complete` says which, from a few counts.
    #[inline]
    fn check_done(&mut self, now: SimTime, tenant: u32) {
        if self.may_complete(tenant) {
            self.record_done(now, tenant);
        }
    }

    /// Whether `record_done` could record anything for the tenant: the copy phase done (no copy
    /// outstanding, not yet recorded); the window or the last phase complete, which needs their
    /// work done (their status is `Complete` only when no work, and no copy where copies count,
    /// is outstanding); or, in the detail replication only (elsewhere `span_done` records
    /// nothing), the work of another phase done.
    #[inline]
    fn may_complete(&self, tenant: u32) -> bool {
        let (t, programme) = (self.tenants.get(tenant), self.programme);
        let phase = t.phase();
        let work_done = t.work().outstanding() == 0;
        (t.copies().outstanding() == 0 && t.copy_phase_hours.is_none())
            || (work_done
                && ((phase == programme.window() && t.window_hours.is_none())
                    || phase == programme.last()
                    || (self.recorder.is_detail()
                        && phase != Phase::WAITING
                        && Some(phase) != programme.copy_phase())))
    }

    /// The checks of `check_done`.
    fn record_done(&mut self, now: SimTime, tenant: u32) {
        let programme = self.programme;
        let t = self.tenants.get_mut(tenant);
        if let Some(copy_phase) = programme.copy_phase()
            && t.copies().outstanding() == 0
            && t.copy_phase_hours.is_none()
            && t.phase() >= copy_phase
        {
            t.copy_phase_hours = Some(now.saturating_since(t.copy_phase_start).as_hours());
            self.recorder.span_done(now, tenant, copy_phase);
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
            self.recorder.span_done(now, tenant, phase);
        }
        let t = self.tenants.get_mut(tenant);
        if phase == window && t.window_hours.is_none() && t.status(programme) == Status::Complete {
            let window_start = self.timing.phase_time(weekend, window);
            t.window_hours = Some(now.saturating_since(window_start).as_hours());
            self.recorder.span_done(now, tenant, window);
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
            self.recorder.span_done(now, tenant, last);
            self.recorder
                .close_span(now, tenant, last, SpanOutcome::Complete);
        }
    }

    /// Pulls a tenant out of its batch: its work is abandoned and it waits for a later batch.
    /// `copies_hold` says whether its copies held the attempt up (at a phase start other than
    /// the one after the window they may carry on), for the slip's cause.
    fn roll_back(&mut self, now: SimTime, tenant: u32, copies_hold: bool) {
        let outstanding = self.outstanding(tenant, copies_hold);
        let phase = self.tenants.get(tenant).phase();
        self.recorder.slipped(now, tenant, phase, &outstanding);
        let abandoned = self.tenants.roll_back(tenant);
        self.work.abandon(tenant, abandoned);
        self.copies.drop_tenant(tenant);
        self.batcher.slipped(self.tenants.get(tenant).batch);
        let profile = &self.population.tenants[tenant as usize];
        self.batcher
            .join(&mut self.tenants, tenant, profile, now, true);
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
        self.recorder.take_misses(
            &self.tenants,
            &self.population.tenants,
            self.batcher.batches(),
            self.timing.deadline,
            self.sc.population.estate.blackberry_not_before,
        );
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
                    self.recorder.retried();
                }
                self.fail_hard(now, item, service);
            }
            Outcome::Retrying => {
                self.tenants.get_mut(tenant).retries += 1;
                self.recorder.retried();
                self.tenants
                    .moved(tenant, copy, None, Some(Count::Retrying));
            }
            Outcome::Done { size_gb } => {
                if copy {
                    self.recorder.copied(size_gb);
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
        self.recorder.errored();
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

    /// Starts copies in a region while slots are free, one per tenant in turn. A copy's end
    /// often leaves nobody in line; that case is told from two counts here, without the call.
    #[inline]
    fn fill_region(&mut self, now: SimTime, region: u16) {
        if self.copies.may_fill(region) {
            self.start_copies(now, region);
        }
    }

    /// The work of `fill_region`.
    #[inline(never)]
    fn start_copies(&mut self, now: SimTime, region: u16) {
        let (tenants, work, queue) = (&mut self.tenants, &mut self.work, &mut self.queue);
        let profiles = &self.population.tenants;
        self.copies.fill(region, |tenant, item| {
            tenants.moved(tenant, true, Some(Count::Waiting), Some(Count::Running));
            work.begin_attempt(now, item, profiles[tenant as usize].seats, queue);
        });
    }

    // ---- samples and the report ----------------------------------------------------------

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

    /// The daily sample (detail only), and the next one scheduled.
    fn sample(&mut self, now: SimTime) {
        if self.recorder.is_detail() {
            let load = self.load();
            self.recorder.sample_day(now, &self.tenants, load);
        }
        self.queue.schedule(now + DAY, Event::Sample);
    }

    /// The replication's output, observed until `until`.
    fn report(mut self, until: SimTime) -> ReplicationOutput {
        let end = self.timing.end;
        let staff = self.staff.report(until, end);
        self.recorder.finish(Ended {
            sc: self.sc,
            streams: &self.streams,
            tenants: &self.tenants,
            profiles: &self.population.tenants,
            batches: self.batcher.batches(),
            staff,
            tickets: &self.staff.desk().tickets,
            workitems: self.work.len() as u64,
            events: self.queue.events_processed(),
            end,
            deadline: self.timing.deadline,
            sample_offset: self.timing.sample_offset,
        })
    }
}
