//! Civil (proleptic Gregorian) dates without a time zone, for scenario calendars and CSV output.

use std::fmt;
use std::str::FromStr;

/// A calendar day, stored as days since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Date {
    /// The date for a year, month (1-12) and day (1-31), or `None` if there is no such day.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || !(1..=9999).contains(&year)
        {
            return None;
        }
        // Howard Hinnant's days_from_civil: exact for every Gregorian date.
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = month as i32;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Date(era * 146_097 + doe - 719_468))
    }

    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i32::from(month <= 2);
        (year, month, day)
    }

    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday.
        match (self.0 + 3).rem_euclid(7) {
            0 => Weekday::Monday,
            1 => Weekday::Tuesday,
            2 => Weekday::Wednesday,
            3 => Weekday::Thursday,
            4 => Weekday::Friday,
            5 => Weekday::Saturday,
            _ => Weekday::Sunday,
        }
    }

    pub fn add_days(self, days: i64) -> Date {
        Date((i64::from(self.0) + days).clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32)
    }

    /// The date as ISO 8601 text, `YYYY-MM-DD` (what `Display` writes), for a year of four
    /// digits (any calendar's; `None` only for a date moved far past one). Output files hold tens
    /// of thousands of dates, so it is written digit by digit, without the formatting machinery.
    pub fn iso_bytes(self) -> Option<[u8; 10]> {
        let (y, m, d) = self.ymd();
        let y = u32::try_from(y).ok().filter(|y| *y <= 9999)?;
        let digit = |n: u32| b'0' + (n % 10) as u8;
        Some([
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(d / 10),
            digit(d),
        ])
    }

    /// Days from `earlier` to `self` (negative if `self` is before).
    pub fn days_since(self, earlier: Date) -> i64 {
        i64::from(self.0) - i64::from(earlier.0)
    }
}

impl Weekday {
    pub fn is_weekend(self) -> bool {
        matches!(self, Weekday::Saturday | Weekday::Sunday)
    }

    /// Days since Monday (Monday = 0).
    pub fn index(self) -> u32 {
        self as u32
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

impl FromStr for Date {
    type Err = String;

    /// Parses an ISO 8601 calendar date, `YYYY-MM-DD`.
    fn from_str(s: &str) -> Result<Date, String> {
        let bad = || format!("`{s}` is not a date; write it as YYYY-MM-DD, e.g. 2012-10-31");
        let parts: Vec<&str> = s.split('-').collect();
        let [y, m, d] = parts.as_slice() else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let (y, m, d) = (
            y.parse().map_err(|_| bad())?,
            m.parse().map_err(|_| bad())?,
            d.parse().map_err(|_| bad())?,
        );
        Date::from_ymd(y, m, d).ok_or_else(|| format!("{s} is not a day of the calendar"))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.iso_bytes() {
            Some(text) => f.write_str(std::str::from_utf8(&text).expect("ASCII digits")),
            None => {
                let (y, m, d) = self.ymd();
                write!(f, "{y:04}-{m:02}-{d:02}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_weekdays() {
        let d: Date = "2011-09-05".parse().unwrap();
        assert_eq!(d.weekday(), Weekday::Monday);
        assert_eq!(d.to_string(), "2011-09-05");
        assert_eq!(
            "2012-10-31".parse::<Date>().unwrap().weekday(),
            Weekday::Wednesday
        );
        assert_eq!(
            "2012-02-29"
                .parse::<Date>()
                .unwrap()
                .add_days(1)
                .to_string(),
            "2012-03-01"
        );
        assert_eq!(Date::from_ymd(1970, 1, 1), Some(Date(0)));
        for n in -700_000..2_000_000 {
            let date = Date(n);
            let (y, m, d) = date.ymd();
            assert_eq!(Date::from_ymd(y, m, d), Some(date));
        }
    }

    #[test]
    fn iso_text_is_what_the_formatter_writes() {
        for n in (-800_000..3_000_000).step_by(7) {
            let (y, m, d) = Date(n).ymd();
            assert_eq!(Date(n).to_string(), format!("{y:04}-{m:02}-{d:02}"));
        }
    }

    #[test]
    fn rejects_non_dates() {
        assert!("2011-02-29".parse::<Date>().is_err());
        assert!("2011-9-5".parse::<Date>().is_err());
        assert!("yesterday".parse::<Date>().is_err());
    }
}
