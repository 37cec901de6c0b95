//! Simulated time as an integer tick count (one tick is one second in the model).

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// A point on the simulated clock, in whole ticks since the start of the run.
///
/// Integer ticks rather than a floating-point clock: sums of floats drift, and two events that
/// should coincide would then order by rounding error instead of by their sequence numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

pub const SECOND: u64 = 1;
pub const MINUTE: u64 = 60;
pub const HOUR: u64 = 3_600;
pub const DAY: u64 = 86_400;
pub const WEEK: u64 = 7 * DAY;

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// Ticks since the start of the run.
    pub fn ticks(self) -> u64 {
        self.0
    }

    /// Time from a (possibly fractional) number of hours, rounded to the nearest tick.
    pub fn from_hours(hours: f64) -> SimTime {
        SimTime(ticks_from_f64(hours * HOUR as f64))
    }

    /// Time from whole days.
    pub fn from_days(days: u64) -> SimTime {
        SimTime(days * DAY)
    }

    pub fn as_hours(self) -> f64 {
        self.0 as f64 / HOUR as f64
    }

    pub fn as_days(self) -> f64 {
        self.0 as f64 / DAY as f64
    }

    /// Whole days since the start (the day this instant falls on).
    pub fn day(self) -> u64 {
        self.0 / DAY
    }

    /// `self - earlier`, or zero if `earlier` is later.
    pub fn saturating_since(self, earlier: SimTime) -> SimTime {
        SimTime(self.0.saturating_sub(earlier.0))
    }
}

/// 2^63: below it a float's whole part fits an `i64`.
const I64_LIMIT: f64 = 9_223_372_036_854_775_808.0;

/// Rounds a non-negative duration in ticks given as a float (halves away from zero, as
/// `f64::round`); negative and NaN become zero and huge values saturate, so a sampled duration can
/// never wrap the clock.
#[inline]
pub(crate) fn ticks_from_f64(ticks: f64) -> u64 {
    if ticks.is_nan() || ticks <= 0.0 {
        0
    } else if ticks < I64_LIMIT {
        // Every duration the model draws: through `i64` each conversion is one instruction, where
        // `u64` needs a branch and a fix-up on the baseline x86-64 target. Same result as below.
        let whole = ticks as i64;
        (whole + i64::from(ticks - whole as f64 >= 0.5)) as u64
    } else if ticks >= u64::MAX as f64 {
        u64::MAX
    } else {
        // Same result as `ticks.round() as u64`, without the call: on the baseline x86-64 target
        // `f64::round` is a software routine, and it was 2% of a replication's instructions. Both
        // the truncation and the subtraction are exact for 0 < ticks < 2^64.
        let whole = ticks as u64;
        whole + u64::from(ticks - whole as f64 >= 0.5)
    }
}

impl Add<u64> for SimTime {
    type Output = SimTime;
    fn add(self, ticks: u64) -> SimTime {
        SimTime(self.0.saturating_add(ticks))
    }
}

impl AddAssign<u64> for SimTime {
    fn add_assign(&mut self, ticks: u64) {
        self.0 = self.0.saturating_add(ticks);
    }
}

impl Sub for SimTime {
    type Output = u64;
    fn sub(self, other: SimTime) -> u64 {
        self.0.saturating_sub(other.0)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (d, rem) = (self.0 / DAY, self.0 % DAY);
        write!(
            f,
            "day {d} {:02}:{:02}:{:02}",
            rem / HOUR,
            rem % HOUR / MINUTE,
            rem % MINUTE
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::CounterRng;
    use rand::RngExt;

    #[test]
    fn durations_round_and_never_wrap() {
        assert_eq!(SimTime::from_hours(1.5), SimTime(5_400));
        assert_eq!(SimTime::from_hours(-3.0), SimTime(0));
        assert_eq!(SimTime::from_hours(f64::NAN), SimTime(0));
        assert_eq!(SimTime::from_hours(f64::INFINITY), SimTime::MAX);
        assert_eq!(SimTime::MAX + 5, SimTime::MAX);
        assert_eq!(SimTime(10) - SimTime(20), 0);
    }

    #[test]
    fn ticks_round_like_f64_round() {
        let mut x = CounterRng::new(7);
        let mut values = vec![
            0.5,
            1.5,
            2.5,
            0.499_999_999_999_999_94,
            4_503_599_627_370_495.5,
        ];
        values.extend((0..20_000).map(|i| {
            let u: f64 = x.random();
            // Uniform fractions, exact halves and magnitudes up to 2^63.
            match i % 3 {
                0 => u * 1e6,
                1 => (u * 1e6).floor() + 0.5,
                _ => u * 2f64.powi(i % 64),
            }
        }));
        for v in values {
            assert_eq!(ticks_from_f64(v), v.round() as u64, "{v}");
        }
    }

    #[test]
    fn display_shows_day_and_clock() {
        assert_eq!(
            SimTime(DAY + 2 * HOUR + 3 * MINUTE + 4).to_string(),
            "day 1 02:03:04"
        );
    }
}
