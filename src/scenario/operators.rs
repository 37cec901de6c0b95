//! The `[operators]` section: who resolves failed workitems, on which shifts, and how long it takes.

use super::dist::Dist;
use super::reader::Section;

#[derive(Clone, Debug, PartialEq)]
pub struct Operators {
    pub weekday: u32,
    pub weekend: u32,
    pub weekday_hours: (u32, u32),
    pub weekend_hours: (u32, u32),
    pub resolve_hours: Dist,
}

impl Operators {
    /// Operators on duty at `hour` (0-23) of a day.
    pub fn staff_at(&self, weekend: bool, hour: u32) -> u32 {
        let ((from, to), staff) = if weekend {
            (self.weekend_hours, self.weekend)
        } else {
            (self.weekday_hours, self.weekday)
        };
        if (from..to).contains(&hour) { staff } else { 0 }
    }
}

pub(super) fn read_operators(s: &Section<'_>) -> Operators {
    let o = Operators {
        weekday: s.u32("weekday", 4, 0, 100_000),
        weekend: s.u32("weekend", 12, 0, 100_000),
        weekday_hours: s.hours("weekday_hours", (8, 18)),
        weekend_hours: s.hours("weekend_hours", (0, 24)),
        resolve_hours: s.dist(
            "resolve_hours",
            Dist::lognormal(1.0, 0.8)
                .and_then(|d| d.clamped(None, Some(24.0)))
                .expect("valid"),
            (0.0, f64::INFINITY),
        ),
    };
    let on_weekdays = o.weekday > 0 && o.weekday_hours.0 < o.weekday_hours.1;
    let on_weekends = o.weekend > 0 && o.weekend_hours.0 < o.weekend_hours.1;
    if o.weekday == 0 && o.weekend == 0 {
        s.error(
            "weekend",
            "no operators at all: hard failures would wait forever",
            Some("staff at least one shift".into()),
        );
    } else if !on_weekdays && !on_weekends {
        // The staffed shifts have no hours: as good as no operators at all.
        let (key, (from, to)) = if o.weekday > 0 {
            ("weekday_hours", o.weekday_hours)
        } else {
            ("weekend_hours", o.weekend_hours)
        };
        s.error(
            key,
            format!(
                "`operators.{key}` = [{from}, {to}] puts the operators on duty at no hour, and no other shift is staffed: hard failures would wait forever"
            ),
            Some("e.g. [8, 18] for 08:00-18:00".into()),
        );
    }
    s.finish();
    o
}
