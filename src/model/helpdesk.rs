//! The Monday after: users whose clients need help once their tenant is upgraded raise tickets,
//! which a help desk (a pool like the operators, with its own shifts) answers first in first out.
//!
//! A user with several problems (Outlook 2003, a phone to reconfigure, a password to change) makes
//! one call that fixes them all, so a ticket is a user who cannot work until it is resolved, and
//! the hours lost are the working hours between raising it and its resolution.

use rand::RngExt;

use super::operators::{Job, OperatorPool, Started};
use crate::date::Date;
use crate::engine::{CounterRng, DAY, HOUR, SimTime};
use crate::scenario::{Clients, HelpDesk};

/// One user's call.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ticket {
    pub raised: SimTime,
    /// Work for the agent, in ticks.
    pub service: u64,
    pub state: TicketState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TicketState {
    /// Drawn, not raised yet (the user has not tried to work).
    Coming,
    Open,
    Resolved,
}

/// The users' working calendar, for ticket times and lost hours.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Workdays {
    pub start: Date,
    /// Working hours of a weekday, `[from, to)`, in ticks from midnight.
    pub from: u64,
    pub to: u64,
    /// Saturdays and Sundays are working days too (`helpdesk.working_days = 7`).
    pub weekends: bool,
}

impl Workdays {
    pub fn new(start: Date, clients: &Clients, helpdesk: &HelpDesk) -> Self {
        let (from, to) = clients.workday_hours;
        Workdays {
            start,
            from: u64::from(from) * HOUR,
            to: u64::from(to) * HOUR,
            weekends: helpdesk.working_days == 7,
        }
    }

    fn is_workday(&self, day: u64) -> bool {
        self.weekends || !self.start.add_days(day as i64).weekday().is_weekend()
    }

    /// The start of the first working day that begins at or after `t`.
    pub fn first_morning(&self, t: SimTime) -> SimTime {
        let mut day = t.day();
        loop {
            let morning = SimTime(day * DAY + self.from);
            if self.is_workday(day) && morning >= t {
                return morning;
            }
            day += 1;
        }
    }

    /// The start of the `k`-th working day after the one beginning at `morning`.
    fn later_morning(&self, morning: SimTime, k: u32) -> SimTime {
        let mut day = morning.day();
        for _ in 0..k {
            day += 1;
            while !self.is_workday(day) {
                day += 1;
            }
        }
        SimTime(day * DAY + self.from)
    }

    /// Working hours between `a` and `b`.
    pub fn hours_between(&self, a: SimTime, b: SimTime) -> f64 {
        let mut ticks = 0;
        for day in a.day()..=b.day() {
            if !self.is_workday(day) {
                continue;
            }
            let (open, close) = (day * DAY + self.from, day * DAY + self.to);
            let (lo, hi) = (open.max(a.ticks()), close.min(b.ticks()));
            ticks += hi.saturating_sub(lo);
        }
        ticks as f64 / HOUR as f64
    }
}

/// Draws the tickets of a tenant's `users` once its DataUpgrade completed at `done`, calling
/// `raise(time, service)` for each. Every user makes the same draws whatever the shares, so a
/// share changes no other user's luck.
pub(crate) fn draw_tickets(
    clients: &Clients,
    helpdesk: &HelpDesk,
    days: &Workdays,
    users: u32,
    done: SimTime,
    rng: &mut CounterRng,
    mut raise: impl FnMut(SimTime, u64),
) {
    let morning = days.first_morning(done);
    let day_length = (days.to - days.from) as f64;
    let rush = (clients.morning_hours * HOUR as f64).min(day_length);
    for _ in 0..users {
        let mut minutes = 0.0;
        let mut calls = false;
        for (share, p) in clients.shares.iter().zip(&clients.ticket_probability) {
            let (has, calls_about_it): (f64, f64) = (rng.random(), rng.random());
            // Drawn for every problem, computed only for those the user calls about.
            let resolve = helpdesk.resolve_minutes.draw(rng);
            if has < *share && calls_about_it < *p {
                calls = true;
                minutes += resolve.value().max(0.0);
            }
        }
        let (first, day, within): (f64, f64, f64) = (rng.random(), rng.random(), rng.random());
        if !calls {
            continue;
        }
        let at = if first < clients.first_morning_share {
            morning + (within * rush) as u64
        } else {
            let k = ((day * f64::from(clients.spread_days)) as u32).min(clients.spread_days - 1);
            days.later_morning(morning, k) + (within * day_length) as u64
        };
        let service = SimTime::from_hours(minutes / 60.0).ticks().max(1);
        raise(at, service);
    }
}

/// The help desk of one replication: its tickets, its agents and what they measured.
#[derive(Debug, Default)]
pub(crate) struct Desk {
    pub tickets: Vec<Ticket>,
    pub pool: OperatorPool,
    /// Tickets drawn or open, not yet resolved.
    pub outstanding: u64,
    pub peak_queue: u64,
    /// Hours from raising a ticket to its resolution, per resolved ticket.
    pub waits: Vec<f64>,
    pub user_hours_lost: f64,
}

impl Desk {
    /// Adds a drawn ticket; returns its index for the event that raises it.
    pub fn add(&mut self, raised: SimTime, service: u64) -> u32 {
        self.tickets.push(Ticket {
            raised,
            service,
            state: TicketState::Coming,
        });
        self.outstanding += 1;
        (self.tickets.len() - 1) as u32
    }

    /// The user calls: the ticket joins the queue.
    pub fn raise(&mut self, now: SimTime, ticket: u32, started: impl FnMut(Started)) {
        let t = &mut self.tickets[ticket as usize];
        t.state = TicketState::Open;
        let job = Job {
            item: ticket,
            remaining: t.service,
            enqueued: now,
            resumed: false,
        };
        self.pool.submit(now, job, |_| true, started);
        self.peak_queue = self.peak_queue.max(self.pool.queued() as u64);
    }

    /// An agent finishes; returns whether a ticket was resolved (false for a stale event).
    pub fn finish(
        &mut self,
        now: SimTime,
        slot: u32,
        token: u32,
        days: &Workdays,
        started: impl FnMut(Started),
    ) -> bool {
        let Some(ticket) = self.pool.finish(now, slot, token, |_| true, started) else {
            return false;
        };
        let t = &mut self.tickets[ticket as usize];
        t.state = TicketState::Resolved;
        self.outstanding -= 1;
        self.waits.push((now - t.raised) as f64 / HOUR as f64);
        self.user_hours_lost += days.hours_between(t.raised, now);
        true
    }

    /// Working hours lost by users whose tickets were still open at `end`.
    pub fn hours_open_at(&self, end: SimTime, days: &Workdays) -> f64 {
        self.tickets
            .iter()
            .filter(|t| t.state == TicketState::Open)
            .map(|t| days.hours_between(t.raised, end))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    fn days() -> Workdays {
        // 2011-09-05 is a Monday.
        Workdays {
            start: Date::from_ymd(2011, 9, 5).unwrap(),
            from: 8 * HOUR,
            to: 17 * HOUR,
            weekends: false,
        }
    }

    #[test]
    fn seven_working_days_count_the_weekend() {
        let d = Workdays {
            weekends: true,
            ..days()
        };
        // Saturday 10:00 is a working morning's hour; Friday 16:00 to Monday 10:00 is 1 + 9 + 9 + 2.
        let sat = SimTime(5 * DAY + 10 * HOUR);
        assert_eq!(d.first_morning(sat), SimTime(6 * DAY + 8 * HOUR));
        let a = SimTime(4 * DAY + 16 * HOUR);
        let b = SimTime(7 * DAY + 10 * HOUR);
        assert_eq!(d.hours_between(a, b), 21.0);
    }

    #[test]
    fn the_first_morning_skips_the_weekend() {
        let d = days();
        // Saturday 10:00 (day 5) -> Monday 08:00 (day 7).
        let sat = SimTime(5 * DAY + 10 * HOUR);
        assert_eq!(d.first_morning(sat), SimTime(7 * DAY + 8 * HOUR));
        // Monday 07:00 -> the same morning; Monday 09:00 -> Tuesday.
        assert_eq!(d.first_morning(SimTime(7 * HOUR)), SimTime(8 * HOUR));
        assert_eq!(d.first_morning(SimTime(9 * HOUR)), SimTime(DAY + 8 * HOUR));
        // Friday morning + 1 working day = Monday morning.
        let fri = SimTime(4 * DAY + 8 * HOUR);
        assert_eq!(d.later_morning(fri, 1), SimTime(7 * DAY + 8 * HOUR));
    }

    #[test]
    fn lost_hours_count_working_time_only() {
        let d = days();
        // Friday 16:00 to Monday 10:00: one hour on Friday, two on Monday.
        let a = SimTime(4 * DAY + 16 * HOUR);
        let b = SimTime(7 * DAY + 10 * HOUR);
        assert_eq!(d.hours_between(a, b), 3.0);
        assert_eq!(d.hours_between(b, b), 0.0);
    }

    #[test]
    fn tickets_land_in_working_hours_mostly_on_the_first_morning() {
        let sc = Scenario::from_text(
            "name = \"t\"\n[clients]\noutlook_2003_share = 1.0\n",
            "t.toml",
            &[],
        )
        .unwrap();
        let d = days();
        let done = SimTime(6 * DAY + 3 * HOUR); // Sunday 03:00
        let mut rng = CounterRng::new(7);
        let mut times = Vec::new();
        draw_tickets(
            &sc.clients,
            &sc.helpdesk,
            &d,
            10_000,
            done,
            &mut rng,
            |at, _| times.push(at),
        );
        assert_eq!(times.len(), 10_000, "Outlook 2003 users always call");
        let monday_rush = times
            .iter()
            .filter(|t| t.ticks() >= 7 * DAY + 8 * HOUR && t.ticks() < 7 * DAY + 10 * HOUR)
            .count() as f64;
        // 60% in the rush, and a third of the rest that land on Monday fall in its first 2 of 9 hours.
        let expected = 10_000.0 * (0.6 + 0.4 / 3.0 * 2.0 / 9.0);
        assert!(
            (monday_rush - expected).abs() < 200.0,
            "{monday_rush} vs {expected}"
        );
        for t in &times {
            let within = t.ticks() % DAY;
            assert!(
                (8 * HOUR..17 * HOUR).contains(&within),
                "{t:?} outside working hours"
            );
            assert!(d.is_workday(t.day()));
        }
    }
}
