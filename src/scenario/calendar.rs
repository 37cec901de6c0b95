//! The `[calendar]` section: when the programme starts, its deadline, the end of the horizon and
//! the window over which the pools are observed.

use super::reader::Section;
use crate::date::Date;

#[derive(Clone, Debug, PartialEq)]
pub struct Calendar {
    /// Day 0 of the simulation (midnight).
    pub start: Date,
    /// Tenants not transitioned by the end of this day are counted as missing it.
    pub deadline: Date,
    /// The simulation stops at the end of this day even if tenants remain.
    pub end: Date,
    /// Hour of the day at which the daily time series is sampled.
    pub sample_hour: u32,
    /// The pools' time averages are taken from the start of this day (default `start`)...
    pub observe_from: Option<Date>,
    /// ... to the end of this one (default: until the replication stops).
    pub observe_until: Option<Date>,
}

pub(super) fn read_calendar(s: &Section<'_>) -> Calendar {
    let start = s.date("start", Date::from_ymd(2011, 9, 5).expect("valid"));
    let deadline = s.date("deadline", Date::from_ymd(2012, 10, 31).expect("valid"));
    let end = s.date("end", deadline.add_days(91));
    let sample_hour = s.u32("sample_hour", 12, 0, 23);
    let observe_from = s.has("observe_from").then(|| s.date("observe_from", start));
    let observe_until = s.has("observe_until").then(|| s.date("observe_until", end));
    let within = |key: &'static str, date: Option<Date>| match date {
        Some(d) if d < start || d > end => s.error(
            key,
            format!("`calendar.{key}` {d} is outside the calendar, {start} to {end}"),
            Some("observe within `calendar.start` and `calendar.end`".into()),
        ),
        _ => {}
    };
    within("observe_from", observe_from);
    within("observe_until", observe_until);
    if let (Some(from), Some(until)) = (observe_from, observe_until)
        && until < from
    {
        s.error(
            "observe_until",
            format!("`calendar.observe_until` {until} is before `calendar.observe_from` {from}"),
            None,
        );
    }
    if deadline < start {
        s.error(
            "deadline",
            format!("`calendar.deadline` {deadline} is before `calendar.start` {start}"),
            None,
        );
    }
    if end < deadline {
        s.error(
            "end",
            format!("`calendar.end` {end} is before `calendar.deadline` {deadline}"),
            None,
        );
    }
    if end.ymd().0 > 9999 {
        // `deadline` + 91 days can pass the last day a four-digit year writes.
        s.error(
            "end",
            format!(
                "`calendar.end` {end} is after 9999-12-31, the last date the output files can write"
            ),
            Some("move `calendar.deadline` (or `calendar.end`) earlier".into()),
        );
    } else if end.days_since(start) > 20 * 366 {
        s.error(
            "end",
            "`calendar.end` is more than 20 years after `calendar.start`",
            None,
        );
    }
    s.finish();
    Calendar {
        start,
        deadline,
        end,
        sample_hour,
        observe_from,
        observe_until,
    }
}
