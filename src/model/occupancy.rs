//! Time averages of a pool (the operators, the help desk) over an observation window: how many
//! jobs wait, how many are in service, and the share of the staff on duty that is busy.
//!
//! One definition of "queue" for every column that says so: jobs **waiting** for a person, not
//! those in service. The level is piecewise constant between the events that change it, so the
//! averages are exact integrals, kept in whole ticks (no rounding, the same on every platform).

use crate::engine::SimTime;

/// What a pool holds at an instant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Level {
    /// Jobs waiting for a person.
    pub waiting: u32,
    /// People working on a job.
    pub busy: u32,
    /// People on duty.
    pub staff: u32,
}

/// The time averages of one pool over the observed time (NaN if none was observed).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Averages {
    /// Mean number of jobs waiting.
    pub queue_mean: f64,
    /// Mean number of jobs in service (people busy).
    pub busy_mean: f64,
    /// Time-weighted busy over time-weighted on duty: busy person-hours over staffed ones (NaN
    /// when nobody was on duty).
    pub utilization: f64,
}

/// Integrates one pool's level over `[from, until)`.
#[derive(Clone, Debug)]
pub(crate) struct Occupancy {
    from: SimTime,
    until: SimTime,
    last: SimTime,
    level: Level,
    /// Integrals of waiting, busy and staff, in job-ticks.
    area: [u128; 3],
    observed: u64,
}

impl Occupancy {
    pub fn new(from: SimTime, until: SimTime) -> Self {
        Occupancy {
            from,
            until,
            last: SimTime::ZERO,
            level: Level::default(),
            area: [0; 3],
            observed: 0,
        }
    }

    /// The level is `level` from `now` on (the one before held since the last call).
    pub fn set(&mut self, now: SimTime, level: Level) {
        if level != self.level {
            self.advance(now);
            self.level = level;
        }
    }

    /// Adds the current level's share of `[last, now)` that falls in the window.
    fn advance(&mut self, now: SimTime) {
        let lo = self.last.max(self.from);
        let hi = now.min(self.until);
        if hi > lo {
            let dt = u128::from(hi.ticks() - lo.ticks());
            let l = self.level;
            self.area[0] += u128::from(l.waiting) * dt;
            self.area[1] += u128::from(l.busy) * dt;
            self.area[2] += u128::from(l.staff) * dt;
            self.observed += hi.ticks() - lo.ticks();
        }
        self.last = self.last.max(now);
    }

    /// The averages over the window, cut at `end` (when the replication stopped: nothing waits
    /// or is served after it).
    pub fn finish(mut self, end: SimTime) -> Averages {
        self.advance(end);
        let t = self.observed as f64;
        let mean = |a: u128| if t > 0.0 { a as f64 / t } else { f64::NAN };
        Averages {
            queue_mean: mean(self.area[0]),
            busy_mean: mean(self.area[1]),
            utilization: if self.area[2] > 0 {
                self.area[1] as f64 / self.area[2] as f64
            } else {
                f64::NAN
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(waiting: u32, busy: u32, staff: u32) -> Level {
        Level {
            waiting,
            busy,
            staff,
        }
    }

    #[test]
    fn averages_weigh_each_level_by_its_time_in_the_window() {
        // Window [10, 30): 2 waiting over [0, 20), none after; 1 busy of 2 over [0, 40).
        let mut o = Occupancy::new(SimTime(10), SimTime(30));
        o.set(SimTime(0), level(2, 1, 2));
        o.set(SimTime(20), level(0, 1, 2));
        let a = o.finish(SimTime(40));
        assert_eq!(a.queue_mean, 1.0);
        assert_eq!(a.busy_mean, 1.0);
        assert_eq!(a.utilization, 0.5);
    }

    #[test]
    fn a_run_ending_inside_the_window_is_observed_to_its_end() {
        let mut o = Occupancy::new(SimTime(0), SimTime(100));
        o.set(SimTime(0), level(4, 3, 3));
        o.set(SimTime(10), level(0, 0, 3));
        let a = o.finish(SimTime(20));
        assert_eq!((a.queue_mean, a.busy_mean), (2.0, 1.5));
        assert_eq!(a.utilization, 0.5);
    }

    #[test]
    fn nothing_observed_or_nobody_on_duty_is_no_value() {
        let o = Occupancy::new(SimTime(50), SimTime(60));
        let a = o.finish(SimTime(40));
        assert!(a.queue_mean.is_nan() && a.busy_mean.is_nan() && a.utilization.is_nan());
        let mut o = Occupancy::new(SimTime(0), SimTime(60));
        o.set(SimTime(0), level(3, 0, 0));
        let a = o.finish(SimTime(60));
        assert_eq!(a.queue_mean, 3.0);
        assert!(a.utilization.is_nan());
    }
}
