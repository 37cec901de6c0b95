//! The `[calendar]` section: when the programme starts, its deadline and the end of the horizon.

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
}

pub(super) fn read_calendar(s: &Section<'_>) -> Calendar {
    let start = s.date("start", Date::from_ymd(2011, 9, 5).expect("valid"));
    let deadline = s.date("deadline", Date::from_ymd(2012, 10, 31).expect("valid"));
    let end = s.date("end", deadline.add_days(91));
    let sample_hour = s.u32("sample_hour", 12, 0, 23);
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
    if end.days_since(start) > 20 * 366 {
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
    }
}
