//! The people of a replication: the operators who resolve hard-failed workitems and the help desk
//! that answers users' tickets, each a pool on its own weekly shifts, with the time averages of
//! both over the observation window. A pool's jobs are started here and their ends scheduled on
//! the event queue the caller passes in.

use super::Event;
use super::work::WorkArena;
use crate::engine::{CounterRng, DAY, EventQueue, HOUR, SimTime, Streams};
use crate::model::helpdesk::{Desk, Workdays, draw_tickets};
use crate::model::occupancy::{Averages, Level, Occupancy};
use crate::model::operators::{Job, OperatorPool, Started};
use crate::model::population::purpose;
use crate::scenario::Scenario;
use crate::stats::quantile_sorted;

impl Event {
    /// The end of an operator's job.
    fn resolved(s: Started) -> Event {
        Event::Resolved {
            slot: s.slot,
            token: s.token,
        }
    }

    /// The end of a help-desk agent's ticket.
    fn ticket_resolved(s: Started) -> Event {
        Event::TicketResolved {
            slot: s.slot,
            token: s.token,
        }
    }
}

/// What the people measured, for the replication's metrics. Waits are in hours; a mean or
/// quantile of nothing is NaN.
pub(super) struct StaffReport {
    pub operator_wait_mean_h: f64,
    pub operator_wait_p95_h: f64,
    pub operators: Averages,
    pub tickets: u64,
    pub helpdesk_peak_queue: u64,
    pub helpdesk_wait_mean_h: f64,
    pub helpdesk_wait_p95_h: f64,
    pub helpdesk: Averages,
    /// Working hours users lost waiting for their tickets, counting those still open at the end.
    pub user_hours_lost: f64,
}

pub(super) struct Staff<'a> {
    sc: &'a Scenario,
    operators: OperatorPool,
    desk: Desk,
    workdays: Workdays,
    /// Whether any user can raise a ticket at all (otherwise no ticket draws are made).
    users_call: bool,
    /// Time averages of the operators and the help desk over the observation window.
    operator_occupancy: Occupancy,
    desk_occupancy: Occupancy,
    /// (errors outstanding, operators busy, on duty) when the operators' level was last taken:
    /// the level cannot have changed while these have not.
    operator_key: (u32, u32, u32),
}

impl<'a> Staff<'a> {
    /// Nobody on duty yet (the first `Shift` event staffs both pools); averages over
    /// `[observe.0, observe.1)`.
    pub fn new(sc: &'a Scenario, observe: (SimTime, SimTime)) -> Self {
        Staff {
            sc,
            operators: OperatorPool::keeping_waits(),
            desk: Desk::default(),
            workdays: Workdays::new(sc.calendar.start, &sc.clients, &sc.helpdesk),
            users_call: sc.clients.anyone_calls(),
            operator_occupancy: Occupancy::new(observe.0, observe.1),
            desk_occupancy: Occupancy::new(observe.0, observe.1),
            operator_key: (0, 0, 0),
        }
    }

    pub fn operators(&self) -> &OperatorPool {
        &self.operators
    }

    pub fn desk(&self) -> &Desk {
        &self.desk
    }

    /// Tickets drawn or open, not yet resolved.
    #[inline]
    pub fn tickets_outstanding(&self) -> u64 {
        self.desk.outstanding
    }

    /// A workitem failed hard at `now`: it waits for an operator for `service` ticks of work.
    pub fn submit(
        &mut self,
        now: SimTime,
        item: u32,
        service: u64,
        work: &WorkArena,
        queue: &mut EventQueue<Event>,
    ) {
        let job = Job {
            item,
            remaining: service,
            enqueued: now,
            resumed: false,
        };
        self.operators.submit(
            now,
            job,
            |i| work.is_live(i),
            |s| queue.schedule(s.end, Event::resolved(s)),
        );
    }

    /// An operator's job ends (if `token` is current); returns the resolved item if it is still
    /// live. The operator takes the next job.
    pub fn resolved(
        &mut self,
        now: SimTime,
        slot: u32,
        token: u32,
        work: &WorkArena,
        queue: &mut EventQueue<Event>,
    ) -> Option<u32> {
        let done = self.operators.finish(
            now,
            slot,
            token,
            |i| work.is_live(i),
            |s| queue.schedule(s.end, Event::resolved(s)),
        );
        done.filter(|&i| work.is_live(i))
    }

    /// Operators and help-desk agents on duty at `time`.
    fn on_duty(&self, time: SimTime) -> (u32, u32) {
        let date = self.sc.calendar.start.add_days(time.day() as i64);
        let (weekend, hour) = (
            date.weekday().is_weekend(),
            ((time.ticks() % DAY) / HOUR) as u32,
        );
        (
            self.sc.operators.staff_at(weekend, hour),
            self.sc.helpdesk.staff_at(weekend, hour),
        )
    }

    /// A shift boundary: both pools take the staff now on duty, and the next boundary is
    /// scheduled.
    pub fn shift(&mut self, now: SimTime, work: &WorkArena, queue: &mut EventQueue<Event>) {
        let staff = self.on_duty(now);
        self.operators.set_staff(
            now,
            staff.0,
            |i| work.is_live(i),
            |s| queue.schedule(s.end, Event::resolved(s)),
        );
        self.desk.pool.set_staff(
            now,
            staff.1,
            |_| true,
            |s| queue.schedule(s.end, Event::ticket_resolved(s)),
        );
        // Next hour at which the staffing differs (at most a week ahead: the schedule is weekly).
        let mut next = SimTime((now.ticks() / HOUR + 1) * HOUR);
        while self.on_duty(next) == staff && next - now < 8 * DAY {
            next += HOUR;
        }
        if next - now < 8 * DAY {
            queue.schedule(next, Event::Shift);
        }
    }

    /// The tenant's window completed at `now`: its `users` find out on their next working
    /// morning what their clients make of it, and some call. Their tickets are drawn from the
    /// tenant's own stream and their calls scheduled; returns how many call.
    pub fn draw_tickets(
        &mut self,
        now: SimTime,
        tenant: u32,
        users: u32,
        streams: &Streams,
        queue: &mut EventQueue<Event>,
    ) -> u32 {
        if !self.users_call {
            return 0;
        }
        let key = streams.first_word(u64::from(tenant), purpose::TICKETS);
        let mut rng = CounterRng::new(key);
        let desk = &mut self.desk;
        let mut raised = 0;
        draw_tickets(
            &self.sc.clients,
            &self.sc.helpdesk,
            &self.workdays,
            users,
            now,
            &mut rng,
            |at, service| {
                let ticket = desk.add(at, service);
                queue.schedule(at, Event::TicketRaised { ticket });
                raised += 1;
            },
        );
        raised
    }

    /// A user calls: the ticket joins the help desk's queue.
    pub fn ticket_raised(&mut self, now: SimTime, ticket: u32, queue: &mut EventQueue<Event>) {
        self.desk.raise(now, ticket, |s| {
            queue.schedule(s.end, Event::ticket_resolved(s))
        });
    }

    /// A help-desk agent's ticket ends (if `token` is current); the agent takes the next.
    #[inline]
    pub fn ticket_resolved(
        &mut self,
        now: SimTime,
        slot: u32,
        token: u32,
        queue: &mut EventQueue<Event>,
    ) {
        self.desk.finish(now, slot, token, &self.workdays, |s| {
            queue.schedule(s.end, Event::ticket_resolved(s))
        });
    }

    /// Takes the pools' levels after an event (for their time averages). The operators' queue is
    /// the `errors_outstanding` less those in service (a job of a rolled-back tenant is dropped
    /// from the queue); the slots are searched only when a count they depend on changed.
    #[inline]
    pub fn observe(&mut self, now: SimTime, errors_outstanding: u32, work: &WorkArena) {
        let ops = &self.operators;
        let key = (errors_outstanding, ops.busy(), ops.staff());
        if key != self.operator_key {
            self.operator_key = key;
            let live_in_service = ops.in_service().filter(|&i| work.is_live(i)).count() as u32;
            let level = Level {
                waiting: errors_outstanding - live_in_service,
                busy: ops.busy(),
                staff: ops.staff(),
            };
            self.operator_occupancy.set(now, level);
        }
        let desk = &self.desk.pool;
        let level = Level {
            waiting: desk.queued() as u32,
            busy: desk.busy(),
            staff: desk.staff(),
        };
        self.desk_occupancy.set(now, level);
    }

    /// The operators' and the help desk's time averages over what was observed until `until`.
    fn averages(&self, until: SimTime) -> (Averages, Averages) {
        (
            self.operator_occupancy.clone().finish(until),
            self.desk_occupancy.clone().finish(until),
        )
    }

    /// What both pools measured, observed until `until`, with tickets still open at `end`.
    pub fn report(&mut self, until: SimTime, end: SimTime) -> StaffReport {
        let mut waits: Vec<f64> = self
            .operators
            .waits()
            .iter()
            .map(|&w| w as f64 / HOUR as f64)
            .collect();
        sort_total(&mut waits);
        sort_total(&mut self.desk.waits);
        let (operators, helpdesk) = self.averages(until);
        StaffReport {
            operator_wait_mean_h: mean(&waits),
            operator_wait_p95_h: quantile_sorted(&waits, 0.95),
            operators,
            tickets: self.desk.tickets.len() as u64,
            helpdesk_peak_queue: self.desk.peak_queue,
            helpdesk_wait_mean_h: mean(&self.desk.waits),
            helpdesk_wait_p95_h: quantile_sorted(&self.desk.waits, 0.95),
            helpdesk,
            user_hours_lost: self.desk.user_hours_lost
                + self.desk.hours_open_at(end, &self.workdays),
        }
    }

    /// Busy people never exceed those on duty (debug checks).
    pub fn check(&self) {
        assert!(
            self.desk.pool.busy() <= self.desk.pool.staff(),
            "more help-desk agents busy than on duty"
        );
        assert!(
            self.operators.busy() <= self.operators.staff(),
            "more operators busy than on duty"
        );
    }
}

/// Sorts `values` in `f64::total_cmp` order, by sorting the integers that order the same way
/// (the bits with the magnitude flipped for negatives): a plain integer comparison costs less than
/// `total_cmp`'s transform of both sides at every comparison.
fn sort_total(values: &mut [f64]) {
    // The transform is its own inverse.
    let key = |bits: i64| bits ^ (((bits >> 63) as u64) >> 1) as i64;
    let mut keys: Vec<i64> = values.iter().map(|v| key(v.to_bits() as i64)).collect();
    keys.sort_unstable();
    for (v, k) in values.iter_mut().zip(keys) {
        *v = f64::from_bits(key(k) as u64);
    }
}

/// The mean of `values` summed in their order (NaN for none).
fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        f64::NAN
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_total_matches_total_cmp() {
        let mut values = vec![
            3.5,
            -0.0,
            0.0,
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -2.25,
            1e-300,
            -1e-300,
            f64::MIN_POSITIVE / 2.0,
            7.0,
            3.5,
        ];
        let mut expected = values.clone();
        expected.sort_unstable_by(f64::total_cmp);
        sort_total(&mut values);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&values), bits(&expected));
    }

    fn scenario(text: &str) -> Scenario {
        Scenario::from_text(&format!("name = \"t\"\n{text}"), "t.toml", &[]).unwrap()
    }

    /// One operator from 08:00 to 18:00 on weekdays, nobody at weekends.
    const ONE_OPERATOR: &str = "[operators]\nweekday = 1\nweekend = 0\nweekday_hours = [8, 18]\n";

    /// A time on the calendar's first day (whatever weekday it is) at `hour`.
    fn weekday_at(sc: &Scenario, hour: u64) -> SimTime {
        let mut day = 0;
        while sc.calendar.start.add_days(day).weekday().is_weekend() {
            day += 1;
        }
        SimTime(day as u64 * DAY + hour * HOUR)
    }

    #[test]
    fn a_shift_staffs_the_pools_and_schedules_the_next_change() {
        let sc = scenario(ONE_OPERATOR);
        let work = WorkArena::new(&sc, &Streams::new(1, 0), 1);
        let mut staff = Staff::new(&sc, (SimTime::ZERO, SimTime(u64::MAX)));
        let mut queue = EventQueue::new();
        let nine = weekday_at(&sc, 9);
        staff.shift(nine, &work, &mut queue);
        assert_eq!(staff.operators().staff(), 1);
        let (next, event) = queue.pop().unwrap();
        assert_eq!((next, event), (nine + 9 * HOUR, Event::Shift), "18:00");
        staff.shift(next, &work, &mut queue);
        assert_eq!(staff.operators().staff(), 0);
    }

    #[test]
    fn a_failed_item_waits_for_the_operator_and_is_resolved_if_still_live() {
        let sc = scenario(ONE_OPERATOR);
        let kind = sc.phases.programme.kinds().next().unwrap();
        let mut work = WorkArena::new(&sc, &Streams::new(1, 0), 2);
        let (a, b) = (work.create(0, kind, 0.0), work.create(1, kind, 0.0));
        let mut staff = Staff::new(&sc, (SimTime::ZERO, SimTime(u64::MAX)));
        let mut queue = EventQueue::new();
        let nine = weekday_at(&sc, 9);
        staff.shift(nine, &work, &mut queue);
        staff.submit(nine, a, HOUR, &work, &mut queue);
        staff.submit(nine, b, HOUR, &work, &mut queue);
        let (end, event) = queue.pop().unwrap();
        assert_eq!(end, nine + HOUR);
        let Event::Resolved { slot, token } = event else {
            panic!("{event:?}");
        };
        // Tenant 1 rolls back while its item waits: the operator skips it.
        work.abandon(1, 1);
        assert_eq!(staff.resolved(end, slot, token, &work, &mut queue), Some(a));
        let (_, next) = queue.pop().unwrap();
        assert_eq!(next, Event::Shift, "an abandoned item is not worked on");
        assert!(queue.is_empty());
        assert_eq!(staff.operators().waits(), [0], "a's wait; b never started");
        staff.check();
    }

    #[test]
    fn tickets_are_raised_and_answered() {
        let sc = scenario("[clients]\noutlook_2003_share = 1.0\n");
        let work = WorkArena::new(&sc, &Streams::new(1, 0), 1);
        let mut staff = Staff::new(&sc, (SimTime::ZERO, SimTime(u64::MAX)));
        let mut queue = EventQueue::new();
        staff.shift(SimTime::ZERO, &work, &mut queue);
        let raised = staff.draw_tickets(SimTime::ZERO, 0, 5, &Streams::new(1, 0), &mut queue);
        assert_eq!(raised, 5, "Outlook 2003 users always call");
        assert_eq!(staff.tickets_outstanding(), 5);
        while staff.tickets_outstanding() > 0 {
            let (now, event) = queue.pop().expect("every ticket is answered");
            match event {
                Event::Shift => staff.shift(now, &work, &mut queue),
                Event::TicketRaised { ticket } => staff.ticket_raised(now, ticket, &mut queue),
                Event::TicketResolved { slot, token } => {
                    staff.ticket_resolved(now, slot, token, &mut queue)
                }
                other => panic!("{other:?}"),
            }
            staff.check();
        }
        assert_eq!(staff.desk().waits.len(), 5);
    }
}
