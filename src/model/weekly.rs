//! The weekly counts of a replication (weekly.csv, and what `calibrate` compares with a
//! programme's own weekly figures): running totals read at each week boundary as the clock
//! passes it, so recording adds no event, draws no random number and changes nothing it reads.

use crate::engine::{SimTime, WEEK};

/// The running totals a replication keeps anyway, as read at an instant.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Totals {
    pub transitioned: u32,
    pub slips: u64,
    pub errors: u64,
    pub retries: u64,
    pub copied_gb: f64,
}

/// One week of one replication: what happened in `[start + 7 week days, start + 7 (week + 1) days)`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WeekCounts {
    /// Weeks since the calendar start, from 0.
    pub week: u32,
    /// Tenants whose transition completed in the week.
    pub transitioned: u32,
    /// Rollbacks in the week.
    pub slips: u32,
    /// Workitem attempts that failed hard (an operator was needed).
    pub errors: u32,
    /// Transient failures retried.
    pub retries: u32,
    /// Users who called the help desk in the week.
    pub helpdesk_tickets: u32,
    /// Data copied by copies that succeeded in the week, in TB.
    pub copied_tb: f64,
}

impl WeekCounts {
    /// The counted columns of weekly.csv, in order (after `week` and `week_start`).
    pub const COLUMNS: [&'static str; 6] = crate::files::weekly::COUNTS;

    /// The values in `COLUMNS` order.
    pub fn values(&self) -> [f64; 6] {
        [
            f64::from(self.transitioned),
            f64::from(self.slips),
            f64::from(self.errors),
            f64::from(self.retries),
            f64::from(self.helpdesk_tickets),
            self.copied_tb,
        ]
    }
}

/// The totals at every week boundary the clock has passed.
pub(crate) struct WeeklyLog {
    /// Weeks of the horizon (the last may be partial).
    weeks: usize,
    /// `at_boundary[w]`: the totals after every event before the end of week `w`.
    at_boundary: Vec<Totals>,
    /// The time from which `reach` has a boundary to read: the end of the first week not yet
    /// read (`u64::MAX` once all are).
    next: u64,
}

impl WeeklyLog {
    /// A log for a horizon ending at `end`.
    pub fn new(end: SimTime) -> Self {
        let weeks = end.ticks().div_ceil(WEEK) as usize;
        WeeklyLog {
            weeks,
            at_boundary: Vec::with_capacity(weeks),
            next: if weeks > 0 { WEEK } else { u64::MAX },
        }
    }

    /// Whether `now` is past a week boundary not yet read (`reach` has work to do): a
    /// comparison, so that the totals are gathered only when a boundary was passed.
    #[inline]
    pub fn due(&self, now: SimTime) -> bool {
        now.ticks() >= self.next
    }

    /// Called before the event at `now` is handled: every week that ended at or before `now`
    /// closes with the totals as they are (its last event was handled before this one).
    pub fn reach(&mut self, now: SimTime, totals: Totals) {
        let ended = ((now.ticks() / WEEK) as usize).min(self.weeks);
        if self.at_boundary.len() < ended {
            self.at_boundary.resize(ended, totals);
        }
        let read = self.at_boundary.len();
        self.next = if read < self.weeks {
            (read as u64 + 1) * WEEK
        } else {
            u64::MAX
        };
    }

    /// The weeks, once the replication is over with `totals`; `tickets` are the times at which
    /// users called (counted in the week of the call, calls after the horizon not at all).
    pub fn finish(
        mut self,
        totals: Totals,
        tickets: impl IntoIterator<Item = SimTime>,
    ) -> Vec<WeekCounts> {
        self.at_boundary.resize(self.weeks, totals);
        let mut before = Totals::default();
        let mut weeks: Vec<WeekCounts> = self
            .at_boundary
            .iter()
            .enumerate()
            .map(|(w, t)| {
                // Totals only grow; the differences are counts of the week.
                let week = WeekCounts {
                    week: w as u32,
                    transitioned: t.transitioned - before.transitioned,
                    slips: (t.slips - before.slips) as u32,
                    errors: (t.errors - before.errors) as u32,
                    retries: (t.retries - before.retries) as u32,
                    helpdesk_tickets: 0,
                    copied_tb: (t.copied_gb - before.copied_gb) / 1000.0,
                };
                before = *t;
                week
            })
            .collect();
        for at in tickets {
            if let Some(week) = weeks.get_mut((at.ticks() / WEEK) as usize) {
                week.helpdesk_tickets += 1;
            }
        }
        weeks
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::DAY;

    fn totals(transitioned: u32, errors: u64) -> Totals {
        Totals {
            transitioned,
            errors,
            ..Totals::default()
        }
    }

    #[test]
    fn weeks_are_differences_of_the_totals_at_their_boundaries() {
        // A horizon of 17 days: weeks 0, 1 and a partial week 2.
        let mut log = WeeklyLog::new(SimTime::from_days(17));
        log.reach(SimTime(DAY), totals(0, 1));
        assert!(!log.due(SimTime(WEEK - 1)) && log.due(SimTime(WEEK)));
        // The first event of week 1: week 0 closes with the totals before it.
        log.reach(SimTime(WEEK), totals(2, 3));
        assert!(!log.due(SimTime(2 * WEEK - 1)) && log.due(SimTime(2 * WEEK)));
        // An event in week 2, after a quiet week 1: week 1 closes with the same totals.
        log.reach(SimTime(2 * WEEK + DAY), totals(2, 3));
        let weeks = log.finish(
            totals(5, 9),
            [SimTime(3 * DAY), SimTime(15 * DAY), SimTime(30 * DAY)],
        );
        let got: Vec<(u32, u32, u32, u32)> = weeks
            .iter()
            .map(|w| (w.week, w.transitioned, w.errors, w.helpdesk_tickets))
            .collect();
        assert_eq!(got, vec![(0, 2, 3, 1), (1, 0, 0, 0), (2, 3, 6, 1)]);
    }
}
