//! Holds that keep tenants out of the batches, judged against the calendar's last plan: a tenant
//! blocked in Pre-Approval (an inventory's `blocked_days`, or drawn), held by a directory quota
//! case, or on hosted BlackBerry. A population every one of whose tenants is certainly held past
//! the last plan that can batch anyone would run to the end of the calendar with nobody batched.
//!
//! The replication schedules a blocked tenant's `Unblock` at its `blocked_days` (the longer of
//! its Pre-Approval block and its quota case) in whole ticks, before the first `Plan`, so at one
//! instant the tenant joins the ready line before the plan forms its batch: a tenant unblocked at
//! `t` can be taken by the plan at `t` or any later one. Plans are made on the days
//! `k x batching.cadence_days`, each for the first Saturday at least `batching.lead_days` ahead,
//! while that weekend is not after `calendar.end`. The last of those plans has the latest
//! weekend too, so a tenant can be batched exactly when it is unblocked by the last plan and, on
//! hosted BlackBerry, that plan's weekend is not before `population.blackberry_not_before`.

use super::super::batching::Batching;
use super::super::calendar::Calendar;
use super::super::doc::Origin;
use super::super::inventory::InventoryTenant;
use super::super::population::Population;
use super::super::reader::Section;
use crate::date::Date;
use crate::engine::{DAY, SimTime};

/// What holds a tenant out of the pool at the least: the fewest days it can be blocked in
/// Pre-Approval, and those of its quota case when it is certainly over its directory quota.
/// For a generated population one stands for every tenant; an inventory has one per row.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Hold {
    /// The fewest days blocked in Pre-Approval (0 when it may not be).
    pub blocked_days: f64,
    /// Where the row's `blocked_days` cell is written, when it gave them; `None` when drawn.
    pub cell: Option<Origin>,
    /// When the tenant is certainly over its quota: the fewest days of its case, and the fewest
    /// objects it syncs.
    pub quota: Option<(f64, u32)>,
    /// The inventory row's name.
    pub row: Option<String>,
}

impl Hold {
    /// The fewest days the tenant is held, as the model holds it: the longer of the two.
    pub fn days(&self) -> f64 {
        self.blocked_days
            .max(self.quota.map_or(0.0, |(days, _)| days))
    }

    /// The earliest the tenant joins the ready line, in ticks: where the replication schedules
    /// its `Unblock` (the same arithmetic, so the same rounding).
    pub fn ticks(&self) -> u64 {
        ticks(self.days())
    }
}

/// A hold of `days` in ticks, as the replication schedules it.
fn ticks(days: f64) -> u64 {
    SimTime::from_hours(days * 24.0).ticks()
}

/// Whether a draw `random::<f64>() < share` is certain: the draws are below 1, and only a share
/// of 1 is above every one of them (a NaN share is above none).
fn certain(share: f64) -> bool {
    share >= 1.0
}

/// The least holds the population's settings allow, worked out once for all its tenants. Each
/// least is what the draws reach (`Dist::least_drawn`), so a distribution that can draw a small
/// value holds nobody for long: only one bounded below, with every tenant blocked
/// (`population.blocked_fraction` = 1), blocks every tenant for its lower bound.
pub(super) struct Holding<'p> {
    p: &'p Population,
    /// The fewest days a tenant without a `blocked_days` cell is blocked.
    drawn: f64,
    /// The fewest directory objects per seat, and the fewest days of a quota case.
    per_seat: f64,
    case_days: f64,
}

impl<'p> Holding<'p> {
    pub fn new(p: &'p Population) -> Self {
        // `max(0.0)` as the model clamps a draw, a NaN one to 0.
        let drawn = if certain(p.blocked_fraction) {
            p.blocked_days.least_drawn().max(0.0)
        } else {
            0.0
        };
        let e = &p.estate;
        Holding {
            p,
            drawn,
            per_seat: e.dirsync_objects.least_drawn().max(0.0),
            case_days: e.quota_case_days.least_drawn().max(0.0),
        }
    }

    /// Whether a tenant of `seats` is certainly over its directory quota, with the fewest
    /// objects it syncs: syncing for certain, and even the fewest objects over the quota.
    fn over_quota(&self, seats: u32) -> Option<u32> {
        let e = &self.p.estate;
        let objects = (self.per_seat * f64::from(seats))
            .round()
            .min(f64::from(u32::MAX)) as u32;
        (certain(e.dirsync_share) && objects > e.dirsync_quota).then_some(objects)
    }

    /// The least hold of a tenant of `seats` (an inventory row's, when `row` is given).
    pub fn of(&self, seats: u32, row: Option<&InventoryTenant>) -> Hold {
        let cell = row.and_then(|r| r.blocked_days);
        Hold {
            blocked_days: cell.unwrap_or(self.drawn),
            cell: row.and_then(|r| cell.and(r.blocked_days_at.clone())),
            quota: (self.over_quota(seats)).map(|objects| (self.case_days, objects)),
            row: row.map(|r| r.name.clone()),
        }
    }

    /// The index of the first of `weekends` (the calendar's batch weekends, planned every
    /// `cadence` days) that a tenant of `seats` (an inventory row's, when `row` is given) can be
    /// put on: that of the first plan at or after its least hold, and with every tenant on hosted
    /// BlackBerry, not before `blackberry_not_before`. `weekends.len()` when it can be on none.
    pub fn reach(
        &self,
        seats: u32,
        row: Option<&InventoryTenant>,
        weekends: &[Date],
        cadence: u64,
    ) -> usize {
        let blocked = row.and_then(|r| r.blocked_days).unwrap_or(self.drawn);
        let quota = self.over_quota(seats).map_or(0.0, |_| self.case_days);
        let plans = ticks(blocked.max(quota)).div_ceil(cadence * DAY);
        let held = usize::try_from(plans).unwrap_or(usize::MAX);
        let e = &self.p.estate;
        let blackberry = if certain(e.blackberry_share) {
            weekends.partition_point(|w| *w < e.blackberry_not_before)
        } else {
            0
        };
        held.max(blackberry).min(weekends.len())
    }
}

/// The least hold of each tenant the population can have: one for every generated tenant, or
/// one per inventory row (an empty `blocked_days` cell drawn as a generated tenant's).
fn holds(p: &Population) -> Box<dyn Iterator<Item = Hold> + '_> {
    let holding = Holding::new(p);
    match &p.inventory {
        None => Box::new(std::iter::once(holding.of(least_seats(p), None))),
        Some(rows) => Box::new(rows.iter().map(move |r| holding.of(r.seats, Some(r)))),
    }
}

/// The fewest seats a generated tenant can have, as the model rounds a draw.
fn least_seats(p: &Population) -> u32 {
    p.least_seats().min(u64::from(u32::MAX)) as u32
}

/// The tenant held least, the first such row of an inventory (a population has a tenant: an
/// empty inventory is refused, and without one, none would be held).
pub(crate) fn least_held(p: &Population) -> Hold {
    holds(p)
        .reduce(|least, h| if h.ticks() < least.ticks() { h } else { least })
        .unwrap_or(Hold {
            blocked_days: 0.0,
            cell: None,
            quota: None,
            row: None,
        })
}

/// The day of the first plan at or after `ticks`, plans being made every `cadence` days from
/// day 0; at most `cap` (past the calendar the day no longer matters, and stays a small number).
fn first_plan_after(ticks: u64, cadence: u64, cap: u64) -> u64 {
    let plans = ticks.div_ceil(cadence * DAY);
    plans.saturating_mul(cadence).min(cap)
}

/// The first plan that can place a tenant, as (day, weekend): the first at or after the least
/// hold, and with every tenant on hosted BlackBerry, the first of those whose weekend is not before
/// `population.blackberry_not_before`. When none is, a plan for a weekend after `calendar.end`.
pub(crate) fn first_plan(p: &Population, calendar: &Calendar, batching: &Batching) -> (u64, Date) {
    let cadence = u64::from(batching.cadence_days.max(1));
    let horizon = (calendar.end.days_since(calendar.start) + 1).max(0) as u64;
    let cap = horizon.div_ceil(cadence) * cadence;
    let mut day = first_plan_after(least_held(p).ticks(), cadence, cap);
    let e = &p.estate;
    if certain(e.blackberry_share) {
        // Skip to the last plan whose weekend (at most 6 days past its lead) is before the
        // allowed one, then step on to it.
        let lead = i64::from(batching.lead_days);
        let before = e.blackberry_not_before.days_since(calendar.start) - lead - 6;
        if before > day as i64 {
            day = first_plan_after(before as u64 * DAY, cadence, cap);
        }
        while day < cap && batching.weekend_for(calendar.start, day) < e.blackberry_not_before {
            day += cadence;
        }
    }
    (day, batching.weekend_for(calendar.start, day))
}

/// The first end of the calendar that lets a tenant in (the weekend of [`first_plan`] over a
/// calendar as long as can be), if a scenario can write it.
fn end_that_lets_in(p: &Population, calendar: &Calendar, batching: &Batching) -> Option<Date> {
    let longest = Calendar {
        end: Date::from_ymd(9999, 12, 31)?,
        ..calendar.clone()
    };
    let (_, weekend) = first_plan(p, &longest, batching);
    (weekend <= longest.end).then_some(weekend)
}

/// The keys whose values the checks below judge; one reported wrong stands at its default.
const CALENDAR_KEYS: [&str; 5] = [
    "calendar.start",
    "calendar.deadline",
    "calendar.end",
    "batching.lead_days",
    "batching.cadence_days",
];

/// Refuses a population no tenant of which can be batched by the calendar's last plan, the plan
/// of `weekends`' last (there is one): every tenant held past it, or every tenant on hosted
/// BlackBerry with the allowed weekends after it. Located at the setting that holds them.
pub(super) fn check(
    root: &Section<'_>,
    population: &Population,
    (calendar, batching): (&Calendar, &Batching),
    weekends: &[Date],
) {
    let reported = |key: &str| root.reported_within(key);
    if CALENDAR_KEYS.iter().any(|k| reported(k)) {
        return;
    }
    let cadence = u64::from(batching.cadence_days.max(1));
    let last = LastPlan {
        day: (weekends.len() as u64 - 1) * cadence,
        weekend: weekends[weekends.len() - 1],
    };
    let judged = Judged {
        root,
        pop: root.section("population"),
        population,
        calendar,
        batching,
        last,
    };
    let holding_keys = [
        "population.blocked_fraction",
        "population.blocked_days",
        "population.seats",
        "population.dirsync_share",
        "population.dirsync_objects",
        "population.dirsync_quota",
        "population.quota_case_days",
    ];
    // An inventory refused leaves generated tenants in its place: not the ones meant.
    let inventory_lost = judged.pop.has("inventory") && population.inventory.is_none();
    if !inventory_lost && !holding_keys.iter().any(|k| reported(k)) {
        let least = least_held(population);
        if least.ticks() > judged.last.day * DAY {
            judged.held_past(&least);
        }
    }
    let e = &population.estate;
    let blackberry_keys = [
        "population.blackberry_share",
        "population.blackberry_not_before",
    ];
    if certain(e.blackberry_share)
        && judged.last.weekend < e.blackberry_not_before
        && !blackberry_keys.iter().any(|k| reported(k))
    {
        judged.blackberry_after();
    }
}

/// What a refusal speaks of: where to point, the population, and the calendar's last plan.
struct Judged<'s, 'a> {
    root: &'s Section<'a>,
    /// `[population]`, where its keys are written.
    pop: Section<'a>,
    population: &'s Population,
    calendar: &'s Calendar,
    batching: &'s Batching,
    last: LastPlan,
}

/// The calendar's last plan that can batch a tenant: its day and its weekend.
struct LastPlan {
    day: u64,
    weekend: Date,
}

impl LastPlan {
    /// The plan in words, with the settings that place it.
    fn said(&self, calendar: &Calendar, batching: &Batching) -> String {
        format!(
            "the last plan that can batch a tenant is on day {} ({}), for the weekend of {} \
             (plans are made every `batching.cadence_days` = {} days from `calendar.start` {}, \
             each for the first Saturday at least `batching.lead_days` = {} days ahead, none for \
             a weekend after `calendar.end` {})",
            self.day,
            calendar.start.add_days(self.day as i64),
            self.weekend,
            batching.cadence_days,
            calendar.start,
            batching.lead_days,
            calendar.end
        )
    }
}

/// A number of days as a message says it.
fn days_text(days: f64) -> String {
    if days.is_finite() {
        let s = if days == 1.0 { "" } else { "s" };
        format!("{} day{s}", super::super::reader::show(days))
    } else {
        "an infinity of days".into()
    }
}

impl Judged<'_, '_> {
    /// Reports the population held past the last plan, at the hold of the tenant held least: its
    /// inventory cell, or the distribution it is drawn from, or its quota case.
    fn held_past(&self, least: &Hold) {
        let (pop, population, last) = (&self.pop, self.population, &self.last);
        let (calendar, batching) = (self.calendar, self.batching);
        let e = &population.estate;
        let most = last.day;
        let past = |days: f64| ticks(days) > most * DAY;
        let blocked = past(least.blocked_days);
        let quota = least.quota.filter(|&(days, _)| past(days));
        let (origin, key) = match &least.cell {
            Some(cell) if blocked => (cell.clone(), "blocked_days"),
            _ if blocked => (pop.origin_of("blocked_days"), "population.blocked_days"),
            _ => (
                pop.origin_of("quota_case_days"),
                "population.quota_case_days",
            ),
        };
        // What holds the tenant, and what would free it, for each hold past the plan.
        let mut why = Vec::new();
        let mut ways = Vec::new();
        let drawn = format!(
            "`population.blocked_fraction` = {} blocks every tenant, and \
                 `population.blocked_days` draws at least {}",
            population.blocked_fraction,
            days_text(least.blocked_days)
        );
        let drawn_way = format!(
            "a `population.blocked_days` that can draw {most} days or fewer, or a \
                 `population.blocked_fraction` below 1"
        );
        let rows = population.inventory.as_deref();
        if blocked {
            match (rows, &least.cell) {
                (None, _) => {
                    why.push(drawn);
                    ways.push(drawn_way);
                }
                (Some(rows), cell) => {
                    why.push(match cell {
                        Some(_) => format!("by its `blocked_days` = {}", least.blocked_days),
                        None => format!("by its `blocked_days`, empty: {drawn}"),
                    });
                    let mut way = format!("a `blocked_days` of at most {most} for some tenant");
                    if rows.iter().any(|r| r.blocked_days.is_none()) {
                        way = format!("{way}, or for those with it empty {drawn_way}");
                    }
                    ways.push(way);
                }
            }
        }
        if let Some((days, objects)) = quota {
            let seats = match rows {
                Some(_) => "its seats".to_string(),
                None => format!("the fewest seats, {}", least_seats(population)),
            };
            let syncs = format!(
                "(`population.dirsync_share` = {}) of more objects than \
                 `population.dirsync_quota` = {} (at least {objects}: \
                 `population.dirsync_objects` at least {} per seat, times {seats}), so is held \
                 until a support case raises its quota, for at least {} \
                 (`population.quota_case_days`)",
                e.dirsync_share,
                e.dirsync_quota,
                e.dirsync_objects.least_drawn().max(0.0),
                days_text(days)
            );
            why.push(match rows {
                Some(_) => format!("by a directory it syncs {syncs}"),
                None => format!("every tenant syncs a directory {syncs}"),
            });
            ways.push(format!(
                "a `population.quota_case_days` that can draw {most} days or fewer, a \
                 `population.dirsync_share` below 1, or a `population.dirsync_quota` of {objects} \
                 or more"
            ));
        }
        let held = match (rows, &least.row) {
            (Some(rows), Some(name)) => {
                let name = super::super::reader::abbreviate(name);
                let every = if rows.len() == 1 {
                    format!("the inventory's only tenant, `{name}`, is held past it")
                } else {
                    format!(
                        "each of the inventory's {} tenants is held past it, the least `{name}`",
                        rows.len()
                    )
                };
                format!("{every} {}", why.join(" and "))
            }
            _ => format!("every tenant is held past it: {}", why.join("; and ")),
        };
        // Both holds must be shortened for the tenant to get in; either end of the calendar does.
        let mut hint = ways.join("; and ");
        if let Some(end) = end_that_lets_in(population, calendar, batching) {
            hint = format!("{hint}; or end the calendar on {end} or later");
        }
        self.root.error_at(
            origin,
            key,
            format!(
                "no tenant can be batched before the calendar ends, so every tenant would wait \
                 unbatched to the end of the calendar: {}, and {}",
                last.said(calendar, batching),
                held
            ),
            Some(format!("let some tenant in: {hint}")),
        );
    }

    /// Reports every tenant on hosted BlackBerry when the last plan's weekend is before the first
    /// they may have.
    fn blackberry_after(&self) {
        let (pop, population, last) = (&self.pop, self.population, &self.last);
        let (calendar, batching) = (self.calendar, self.batching);
        let e = &population.estate;
        let mut hint = format!(
            "let some tenant in: set `population.blackberry_not_before` to {} or earlier, or \
             `population.blackberry_share` below 1",
            last.weekend
        );
        if let Some(end) = end_that_lets_in(population, calendar, batching) {
            hint = format!("{hint}, or end the calendar on {end} or later");
        }
        self.root.error_at(
            pop.origin_of("blackberry_not_before"),
            "population.blackberry_not_before",
            format!(
                "no tenant can be batched before the calendar ends, so every tenant would wait \
                 unbatched to the end of the calendar: every tenant is on hosted BlackBerry \
                 (`population.blackberry_share` = {}), which is not batched for a weekend before \
                 `population.blackberry_not_before` {}, and {}",
                e.blackberry_share,
                e.blackberry_not_before,
                last.said(calendar, batching)
            ),
            Some(hint),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::{Diagnostic, Scenario, ScenarioError};
    use std::path::Path;

    /// The diagnostics of a scenario of 20 generated tenants in NA and EMEA over the default
    /// calendar (batch weekends 2011-11-05 to 2013-01-26: the last plan is on day 448), with
    /// `rest` appended to `[population]`, and the files `files` beside it.
    fn diagnostics(rest: &str, files: &[(&str, &str)]) -> Vec<Diagnostic> {
        diagnostics_of(&format!("tenants = 20\n{rest}"), files)
    }

    /// The diagnostics of a scenario whose `[population]` holds `population` and regions NA
    /// and EMEA.
    fn diagnostics_of(population: &str, files: &[(&str, &str)]) -> Vec<Diagnostic> {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let text =
            format!("name = \"h\"\n[population]\nregions = [\"NA\", \"EMEA\"]\n{population}");
        match Scenario::from_text_in(&text, "h.toml", dir.path(), &[]) {
            Ok(_) => Vec::new(),
            Err(ScenarioError::Invalid { diagnostics, .. }) => diagnostics,
            Err(e) => panic!("{e}"),
        }
    }

    fn accepted(rest: &str) {
        let d = diagnostics(rest, &[]);
        assert!(d.is_empty(), "{rest}: {d:?}");
    }

    /// The one diagnostic of a scenario no tenant of which can be batched.
    fn refused(rest: &str) -> Diagnostic {
        let d = diagnostics(rest, &[]);
        assert_eq!(d.len(), 1, "{rest}: {d:?}");
        assert!(
            d[0].message
                .starts_with("no tenant can be batched before the calendar ends"),
            "{}",
            d[0].message
        );
        d[0].clone()
    }

    fn blocked(days: &str) -> String {
        format!("blocked_fraction = 1\nblocked_days = {days}\n")
    }

    #[test]
    fn every_tenant_blocked_past_the_last_plan_is_refused_to_the_second() {
        accepted(&blocked("448"));
        let d = refused(&blocked("449"));
        assert_eq!(d.key, "population.blocked_days");
        assert_eq!(
            d.origin.to_string(),
            format!("{}:6:16", Path::new("h.toml").display())
        );
        assert!(
            d.message.contains(
                "the last plan that can batch a tenant is on day 448 (2012-11-26), for the \
                 weekend of 2013-01-26 (plans are made every `batching.cadence_days` = 7 days \
                 from `calendar.start` 2011-09-05, each for the first Saturday at least \
                 `batching.lead_days` = 60 days ahead, none for a weekend after `calendar.end` \
                 2013-01-30), and every tenant is held past it: \
                 `population.blocked_fraction` = 1 blocks every tenant, and \
                 `population.blocked_days` draws at least 449 days"
            ),
            "{}",
            d.message
        );
        assert_eq!(
            d.hint.as_deref(),
            Some(
                "let some tenant in: a `population.blocked_days` that can draw 448 days or \
                 fewer, or a `population.blocked_fraction` below 1; or end the calendar on \
                 2013-02-02 or later"
            )
        );
        // The replication unblocks a tenant on the second: 0.43 s past day 448 is day 448, and
        // the plan of that instant takes it; 0.86 s past is the next second, after it.
        accepted(&blocked("448.000005"));
        refused(&blocked("448.00001"));
        // A share below 1 leaves some tenant unblocked; nobody is blocked for long by a
        // distribution that can draw a small value.
        accepted("blocked_fraction = 0.999\nblocked_days = 100000\n");
        for small in [
            "{ dist = \"exponential\", mean = 1e9 }",
            "{ dist = \"lognormal\", median = 1e6, sigma = 0.01 }",
            "{ dist = \"normal\", mean = 1e6, sd = 1, min = 0 }",
            "{ dist = \"uniform\", low = 448, high = 1e308 }",
            "{ dist = \"pareto\", scale = 448, shape = 0.1 }",
            "{ dist = \"empirical\", values = [448, 1e6], weights = [1e-15, 1] }",
            "{ dist = \"lognormal\", median = 1e6, sigma = 1, min = 448 }",
        ] {
            accepted(&blocked(small));
        }
        for large in [
            "1e300",
            "{ dist = \"uniform\", low = 449, high = 1e308 }",
            "{ dist = \"pareto\", scale = 449, shape = 0.1 }",
            "{ dist = \"empirical\", values = [448, 1e6], weights = [0, 1] }",
            "{ dist = \"lognormal\", median = 1e6, sigma = 1, min = 449 }",
            "{ dist = \"normal\", mean = 449, sd = 0, min = 0 }",
            "{ dist = \"constant\", value = 449 }",
        ] {
            refused(&blocked(large));
        }
        // A huge hold has no end of the calendar to suggest.
        let d = refused(&blocked("1e300"));
        assert!(
            d.message.ends_with("draws at least 1e300 days"),
            "{}",
            d.message
        );
        assert!(!d.hint.unwrap().contains("end the calendar"));
        // A distribution refused for itself is not judged again.
        let d = diagnostics(
            &blocked("{ dist = \"uniform\", low = 900, high = 800 }"),
            &[],
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("uniform needs low <= high"), "{d:?}");
    }

    #[test]
    fn the_last_plan_follows_the_cadence_the_lead_and_the_end() {
        // Every other week to 2013-01-25: weekends 2011-11-05 to 2013-01-12, the last plan on
        // day 434 (weekly, it would be 2013-01-19, of day 441).
        let fortnightly = |days: u32| {
            format!(
                "{}[calendar]\nend = 2013-01-25\n[batching]\ncadence_days = 14\n",
                blocked(&days.to_string())
            )
        };
        accepted(&fortnightly(434));
        let d = refused(&fortnightly(435));
        assert!(
            d.message
                .contains("on day 434 (2012-11-12), for the weekend of 2013-01-12")
        );
        assert!(
            d.message.contains("`batching.cadence_days` = 14"),
            "{}",
            d.message
        );
        // The first plan from day 435 is of day 448, for 2013-01-26.
        assert!(
            d.hint
                .unwrap()
                .ends_with("end the calendar on 2013-01-26 or later"),
            "{}",
            d.message
        );
        // A lead of 62 days puts the plan of day 448 on 2013-02-02, after the end: the last is
        // of day 441.
        let lead =
            |days: u32| format!("{}[batching]\nlead_days = 62\n", blocked(&days.to_string()));
        accepted(&lead(441));
        assert!(
            refused(&lead(442))
                .message
                .contains("on day 441 (2012-11-19), for the weekend of 2013-01-26")
        );
    }

    #[test]
    fn an_inventory_every_row_of_which_is_blocked_past_the_last_plan_is_refused_at_the_least() {
        // Rows of `tenant,seats,blocked_days[,region]`, with `rest` in `[population]`.
        let check = |rows: &str, rest: &str| {
            let header = if rows
                .lines()
                .next()
                .is_some_and(|r| r.matches(',').count() == 3)
            {
                "tenant,seats,blocked_days,region"
            } else {
                "tenant,seats,blocked_days"
            };
            let csv = format!("{header}\n{rows}");
            diagnostics_of(
                &format!("inventory = \"t.csv\"\n{rest}"),
                &[("t.csv", csv.as_str())],
            )
        };
        assert_eq!(check("A,5,500\nB,6,448\nC,7,7320\n", ""), Vec::new());
        let d = check("A,5,500\nB,6,449\nC,7,7320\n", "");
        assert_eq!(d.len(), 1, "{d:?}");
        let d = &d[0];
        assert_eq!(d.key, "blocked_days");
        assert!(d.origin.to_string().ends_with("t.csv:3:3"), "{}", d.origin);
        assert!(
            d.message.contains(
                "each of the inventory's 3 tenants is held past it, the least `B` by its \
                 `blocked_days` = 449"
            ),
            "{}",
            d.message
        );
        assert_eq!(
            d.hint.as_deref(),
            Some(
                "let some tenant in: a `blocked_days` of at most 448 for some tenant; or end \
                 the calendar on 2013-02-02 or later"
            )
        );
        // One row.
        let d = check("A,5,449\n", "");
        assert!(
            d[0].message.ends_with(
                "and the inventory's only tenant, `A`, is held past it by its `blocked_days` = 449"
            ),
            "{d:?}"
        );
        assert_eq!(check("A,5,448\n", ""), Vec::new());
        // An empty cell is drawn: from a distribution that can be 0, or unblocked at once.
        assert_eq!(check("A,5,500\nB,6,\n", ""), Vec::new());
        assert_eq!(
            check(
                "A,5,500\nB,6,\n",
                "blocked_fraction = 1\nblocked_days = { dist = \"exponential\", mean = 1000 }\n"
            ),
            Vec::new()
        );
        let d = check(
            "A,5,700\nB,6,\n",
            "blocked_fraction = 1\nblocked_days = { dist = \"uniform\", low = 600, high = 900 }\n",
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].key, "population.blocked_days");
        assert!(
            d[0].message.contains(
                "the least `B` by its `blocked_days`, empty: `population.blocked_fraction` = 1 \
                 blocks every tenant, and `population.blocked_days` draws at least 600 days"
            ),
            "{d:?}"
        );
        assert!(
            d[0].hint.as_ref().unwrap().contains("for those with it empty a `population.blocked_days` that can draw 448 days or fewer"),
            "{d:?}"
        );
        // Held by a quota case: 50 objects over a quota of 49, for 449 days.
        let d = check(
            "A,5,\n",
            "dirsync_share = 1\ndirsync_objects = 10\ndirsync_quota = 49\nquota_case_days = 449\n",
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].key, "population.quota_case_days");
        assert!(
            d[0].message.contains(
                "the inventory's only tenant, `A`, is held past it by a directory it syncs \
                 (`population.dirsync_share` = 1) of more objects than \
                 `population.dirsync_quota` = 49 (at least 50: `population.dirsync_objects` at \
                 least 10 per seat, times its seats)"
            ),
            "{d:?}"
        );
        assert!(
            d[0].hint
                .as_ref()
                .unwrap()
                .contains("a `population.dirsync_quota` of 50 or more")
        );
        assert_eq!(
            check(
                "A,4,\n",
                "dirsync_share = 1\ndirsync_objects = 10\ndirsync_quota = 49\nquota_case_days = 449\n"
            ),
            Vec::new()
        );
        // Tenants in one region of two: the other, with none, changes nothing.
        assert_eq!(check("A,5,449,NA\n", "").len(), 1);
        assert_eq!(check("A,5,448,NA\n", ""), Vec::new());
    }

    #[test]
    fn every_tenant_held_by_a_quota_case_past_the_last_plan_is_refused() {
        // The fewest seats are 4 (the default `population.seats`): 40 objects at 10 a seat.
        let quota = |share: &str, quota: u32, days: u32| {
            format!(
                "dirsync_share = {share}\ndirsync_objects = 10\ndirsync_quota = {quota}\nquota_case_days = {days}\n"
            )
        };
        let d = refused(&quota("1", 39, 449));
        assert_eq!(d.key, "population.quota_case_days");
        assert!(
            d.message.contains(
                "every tenant is held past it: every tenant syncs a directory \
                 (`population.dirsync_share` = 1) of more \
                 objects than `population.dirsync_quota` = 39 (at least 40: \
                 `population.dirsync_objects` at least 10 per seat, times the fewest seats, 4), \
                 so is held until a support case raises its quota, for at least 449 days"
            ),
            "{}",
            d.message
        );
        assert!(
            d.hint
                .unwrap()
                .contains("a `population.dirsync_quota` of 40 or more")
        );
        accepted(&quota("1", 40, 449));
        accepted(&quota("1", 39, 448));
        accepted(&quota("0.999", 39, 100_000));
        // Blocked and held: either hold past the plan is enough, and both are named.
        let both = format!(
            "{}{}",
            quota("1", 39, 449),
            blocked("{ dist = \"uniform\", low = 460, high = 900 }")
        );
        let d = refused(&both);
        assert_eq!(d.key, "population.blocked_days");
        assert!(
            d.message
                .contains("draws at least 460 days; and every tenant syncs"),
            "{}",
            d.message
        );
        assert!(
            d.hint
                .unwrap()
                .ends_with("end the calendar on 2013-02-09 or later")
        );
        let d = refused(&format!("{}{}", quota("1", 39, 449), blocked("3")));
        assert_eq!(d.key, "population.quota_case_days");
    }

    #[test]
    fn every_tenant_on_blackberry_past_the_last_weekend_is_refused() {
        let bb = |share: &str, date: &str| {
            format!("blackberry_share = {share}\nblackberry_not_before = {date}\n")
        };
        accepted(&bb("1", "2013-01-26"));
        let d = refused(&bb("1", "2013-01-27"));
        assert_eq!(d.key, "population.blackberry_not_before");
        assert!(
            d.message.contains(
                "every tenant is on hosted BlackBerry (`population.blackberry_share` = 1), which \
                 is not batched for a weekend before `population.blackberry_not_before` \
                 2013-01-27, and the last plan that can batch a tenant is on day 448"
            ),
            "{}",
            d.message
        );
        assert_eq!(
            d.hint.as_deref(),
            Some(
                "let some tenant in: set `population.blackberry_not_before` to 2013-01-26 or \
                 earlier, or `population.blackberry_share` below 1, or end the calendar on \
                 2013-02-02 or later"
            )
        );
        accepted(&bb("0.999", "2099-01-01"));
        // No end a scenario can write reaches 9999-12-31's weekend.
        let d = refused(&bb("1", "9999-12-31"));
        assert!(!d.hint.unwrap().contains("end the calendar"));
        // Held and on BlackBerry: each is said.
        let d = diagnostics(&format!("{}{}", bb("1", "2013-01-27"), blocked("449")), &[]);
        assert_eq!(d.len(), 2, "{d:?}");
    }
}
