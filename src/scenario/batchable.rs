//! Whether any tenant can be batched at all: a calendar that ends before the first weekend a batch
//! can be for, a population whose every tenant is held past the calendar's last plan (`held`),
//! and a declared policy's caps that take no tenant, or fit none, and blackouts over every batch
//! weekend are planners' mistakes that would otherwise run to the end of the calendar with every
//! tenant left unbatched.

mod held;

pub(crate) use held::{first_plan, least_held};

use super::batching::Batching;
use super::calendar::Calendar;
use super::doc::Origin;
use super::population::Population;
use super::reader::Section;
use crate::date::{Date, Weekday};
use crate::policy::{Declared, Group, size_class};

/// Where one declared policy's caps and blackouts are written, in the order of its resolved
/// ones, so that a check made once the calendar and batching are read can point at them.
#[derive(Clone, Debug, Default)]
pub(super) struct Written {
    /// Per cap: its path (`policies.NAME.caps[0]`) and where its `max_tenants`, `max_seats` and
    /// `max_data_gb` are written (each the cap itself if absent).
    pub caps: Vec<(String, [Origin; 3])>,
    /// Per blackout: its path and where it is written.
    pub blackouts: Vec<(String, Origin)>,
}

/// A tenant as validation knows it: its region, seats, least data and size class, for an
/// inventory tenant its row, and the first batch weekend it can be on (an index into the
/// calendar's, past them all if none: see `held`). A generated one stands for the smallest tenant
/// of its region and size class, the easiest of them to fit, held the least.
#[derive(Clone, Copy)]
struct Someone {
    region: u16,
    seats: u64,
    data_gb: f64,
    row: Option<usize>,
    size: Option<usize>,
    from: usize,
}

/// Why a tenant can never be batched.
#[derive(Clone, Copy, PartialEq)]
enum Reason {
    /// Cap `.0` takes no tenant of its group (`.1` = 0: `max_tenants` = 0), fits none by seats
    /// (1) or by data (2).
    Cap(usize, usize),
    /// The region is blacked out on every batch weekend the tenant can be on.
    Blackout(u16),
}

/// Reports a calendar with no batch weekend (see [`no_weekend`]), else a population held past the
/// calendar's last plan (see [`held::check`]) and each declared policy that
/// can batch no tenant of `population` on any of the calendar's batch weekends, located at the
/// first setting that leaves a tenant out and naming every such setting. Only certain cases
/// count: a tenant is out when a cap holds its group and could not take even it alone, or when
/// its region is blacked out on every batch weekend; one batchable tenant (a region without the
/// cap, a weekend without the blackout) is enough for a policy to pass. `least_lead` is the
/// fewest `batching.lead_days` the phases allow.
pub(super) fn check(
    root: &Section<'_>,
    declared: &[Declared],
    written: &[Written],
    population: &Population,
    (calendar, batching, least_lead): (&Calendar, &Batching, u32),
) {
    let weekends = batching.weekends(calendar);
    if weekends.is_empty() {
        no_weekend(root, calendar, batching, least_lead);
        return;
    }
    let weekends = weekends.as_slice();
    held::check(root, population, (calendar, batching), weekends);
    let holding = held::Holding::new(population);
    let cadence = u64::from(batching.cadence_days.max(1));
    let rows = population.inventory.as_deref().unwrap_or_default();
    // Each tenant from the first weekend it can be on.
    let reached = |mut someone: Someone| {
        let seats = someone.seats.min(u64::from(u32::MAX)) as u32;
        let row = someone.row.and_then(|i| rows.get(i));
        someone.from = holding.reach(seats, row, weekends, cadence);
        someone
    };
    for (policy, at) in declared.iter().zip(written) {
        if policy.caps.len() != at.caps.len() || policy.blackouts.len() != at.blackouts.len() {
            // A cap or blackout was refused: its own error says what.
            continue;
        }
        let dark: Vec<Vec<bool>> = (0..population.regions.len() as u16)
            .map(|r| dark_from(policy, r, weekends))
            .collect();
        // Each reason with the smallest tenant it leaves out, the one the message names.
        let mut reasons: Vec<(Reason, Someone)> = Vec::new();
        let mut held = false;
        let sizes = &policy.definition.size_classes;
        let nobody = everyone(population, sizes).map(reached).all(|someone| {
            // Held past every weekend, whatever the policy (`held` says so when all are).
            if someone.from >= weekends.len() {
                held = true;
                return true;
            }
            let Some(reason) = reason_out(policy, &someone, &dark) else {
                return false;
            };
            match reasons.iter_mut().find(|(r, _)| *r == reason) {
                Some((_, smallest)) => {
                    let smaller = match reason {
                        Reason::Cap(_, 2) => someone.data_gb < smallest.data_gb,
                        // The one out from the earliest weekend says the most.
                        Reason::Blackout(_) => {
                            (someone.from, someone.seats) < (smallest.from, smallest.seats)
                        }
                        _ => someone.seats < smallest.seats,
                    };
                    if smaller {
                        *smallest = someone;
                    }
                }
                None => reasons.push((reason, someone)),
            }
            true
        });
        if nobody && !reasons.is_empty() {
            report(root, policy, at, &reasons, population, (weekends, held));
        }
    }
}

/// Refuses a calendar that ends before the first weekend a batch can be for (the first plan's,
/// on day 0: the first Saturday at least `batching.lead_days` after `calendar.start`), as no
/// plan is made for a weekend after `calendar.end`. Located at `calendar.end` if written, else
/// at `batching.lead_days` (the default end, `deadline` + 91 days, is past the weekend of any
/// lead up to 84 days, the default's too). Not told when one of those keys, or
/// `calendar.deadline`, is wrong itself: its value then stands at its default.
fn no_weekend(root: &Section<'_>, calendar: &Calendar, batching: &Batching, least_lead: u32) {
    let keys = [
        "calendar.start",
        "calendar.deadline",
        "calendar.end",
        "batching.lead_days",
    ];
    if keys.iter().any(|k| root.reported(k)) {
        return;
    }
    let (start, end, lead) = (calendar.start, calendar.end, batching.lead_days);
    let first = batching.weekend_for(start, 0);
    // Where `section.key` is written, if it is (a section that is not a table was refused).
    let written = |section: &'static str, key: &'static str| {
        Some(root.section(section))
            .filter(|_| root.has_table(section))
            .filter(|s| s.has(key))
            .map(|s| s.origin_of(key))
    };
    let (origin, key) = match written("calendar", "end") {
        Some(origin) => (origin, "calendar.end"),
        None => (
            written("batching", "lead_days").unwrap_or_else(|| root.origin()),
            "batching.lead_days",
        ),
    };
    // The latest Saturday of the calendar: the most lead that still reaches it.
    let back = (7 + end.weekday().index() - Weekday::Saturday.index()) % 7;
    let last_saturday = end.add_days(-i64::from(back));
    let most_lead = last_saturday.days_since(start);
    let latest_start = last_saturday.add_days(-i64::from(lead));
    // An end or a start outside the years a date may have is no way out.
    let writable = |d: Date| (1..=9999).contains(&d.ymd().0);
    let mut ways = Vec::new();
    if writable(first) {
        ways.push(format!("end the calendar on {first} or later"));
    }
    if most_lead >= i64::from(least_lead) {
        ways.push(format!(
            "lower `batching.lead_days` to at most {most_lead}, for {last_saturday}"
        ));
    }
    if writable(latest_start) {
        ways.push(format!("start it on {latest_start} or earlier"));
    }
    root.error_at(
        origin,
        key,
        format!(
            "no batch is ever planned, so every tenant would wait unbatched to the end of the \
             calendar: the first weekend a batch can have, {first} (the first Saturday at least \
             `batching.lead_days` = {lead} days after `calendar.start` {start}), is after \
             `calendar.end` {end}"
        ),
        (!ways.is_empty()).then(|| ways.join(", or ")),
    );
}

/// Every tenant the scenario can have, as far as validation can tell them apart under a policy
/// of size classes `bounds`: an inventory's rows (once for each region a row's empty region may
/// be drawn in), else the smallest tenant of each region with a weight in each size class the
/// `seats` distribution reaches.
fn everyone<'a>(
    population: &'a Population,
    bounds: &'a [u32],
) -> Box<dyn Iterator<Item = Someone> + 'a> {
    let drawn = move || {
        (population.region_weights.iter().enumerate())
            .filter(|(_, w)| **w > 0.0)
            .map(|(r, _)| r as u16)
    };
    match &population.inventory {
        None => {
            let (least, most) = (
                population.least_seats(),
                population.seats.upper_bound().round().max(1.0),
            );
            // Each class's smallest tenant: at its lower bound, or the least seats (then in the
            // class those fall in); a class above the most seats has none.
            let mut classes: Vec<(u64, usize)> = (0..=bounds.len())
                .map(|c| {
                    let lower = c.checked_sub(1).map_or(0, |b| u64::from(bounds[b]));
                    let seats = lower.max(least);
                    (
                        seats,
                        size_class(bounds, seats.min(u64::from(u32::MAX)) as u32),
                    )
                })
                .filter(|&(seats, _)| seats as f64 <= most)
                .collect();
            classes.dedup();
            Box::new(drawn().flat_map(move |region| {
                let classes = classes.clone();
                classes.into_iter().map(move |(seats, size)| Someone {
                    region,
                    seats,
                    data_gb: population.least_data_gb(seats, None, None),
                    row: None,
                    size: Some(size),
                    from: 0,
                })
            }))
        }
        Some(rows) => Box::new(rows.iter().enumerate().flat_map(move |(i, r)| {
            let seats = u64::from(r.seats);
            let data_gb = r
                .data_gb
                .unwrap_or_else(|| population.least_data_gb(seats, r.mailboxes, r.sharepoint_gb));
            let size = Some(size_class(bounds, r.seats));
            let regions: Box<dyn Iterator<Item = u16>> = match r.region {
                Some(region) => Box::new(std::iter::once(region)),
                None => Box::new(drawn()),
            };
            regions.map(move |region| Someone {
                region,
                seats,
                data_gb,
                row: Some(i),
                size,
                from: 0,
            })
        })),
    }
}

/// For each of `weekends` (and one past them), whether region `r` is blacked out on every weekend
/// from it on: a tenant of `r` first free to be put on weekend `k` is out when entry `k` is.
fn dark_from(policy: &Declared, r: u16, weekends: &[Date]) -> Vec<bool> {
    let mut dark = vec![true; weekends.len() + 1];
    for (k, &w) in weekends.iter().enumerate().rev() {
        let out = (policy.blackouts.iter())
            .any(|b| b.from <= w && w <= b.until && b.regions.contains(&r));
        dark[k] = out && dark[k + 1];
    }
    dark
}

/// The first reason `someone` can never be batched under `policy` from the first weekend it can
/// be on, if there is one: as `Declared::select` takes a tenant into a batch of its own. `dark`
/// is [`dark_from`] of each region.
fn reason_out(policy: &Declared, someone: &Someone, dark: &[Vec<bool>]) -> Option<Reason> {
    for (i, cap) in policy.caps.iter().enumerate() {
        let group = match &cap.cap.per {
            Group::Region => Some(u32::from(someone.region)),
            Group::Size => someone.size.map(|class| class as u32),
            Group::Column(_) => someone
                .row
                .map(|row| cap.tenant_group.get(row).copied().unwrap_or(u32::MAX)),
        };
        let held = match (cap.only, group) {
            (None, _) => true,
            (Some(only), Some(g)) => only == g,
            (Some(_), None) => false,
        };
        if !held {
            continue;
        }
        let which = [
            cap.cap.max_tenants == Some(0),
            cap.cap.max_seats.is_some_and(|m| someone.seats > m),
            cap.cap.max_data_gb.is_some_and(|m| someone.data_gb > m),
        ]
        .iter()
        .position(|&out| out);
        if let Some(which) = which {
            return Some(Reason::Cap(i, which));
        }
    }
    // A region past the list (the list itself refused, its own error says why) is not known to
    // be blacked out.
    let dark = dark.get(usize::from(someone.region));
    let blacked_out = dark.and_then(|d| d.get(someone.from)) == Some(&true);
    blacked_out.then_some(Reason::Blackout(someone.region))
}

fn report(
    root: &Section<'_>,
    policy: &Declared,
    at: &Written,
    reasons: &[(Reason, Someone)],
    population: &Population,
    (weekends, held): (&[Date], bool),
) {
    let last = weekends[weekends.len() - 1];
    let mut said: Vec<String> = Vec::new();
    // Regions blacked out by the same blackouts from the same weekend, named together: (by,
    // first weekend, regions, place in `said`).
    let mut dark: Vec<(String, usize, Vec<&str>, usize)> = Vec::new();
    for (reason, smallest) in reasons {
        match *reason {
            Reason::Cap(i, which) => {
                let cap = &policy.caps[i].cap;
                let path = &at.caps[i].0;
                let scope = match (&cap.per, &cap.value) {
                    (Group::Region, None) => "of any region".to_string(),
                    (Group::Region, Some(v)) => format!("of region `{v}`"),
                    (Group::Size, None) => "of any size class".to_string(),
                    (Group::Size, Some(v)) => format!("of size class `{v}`"),
                    (Group::Column(c), None) => format!("of any `{c}`"),
                    (Group::Column(c), Some(v)) => format!("with `{c}` = `{v}`"),
                };
                said.push(match which {
                    0 => format!("`{path}.max_tenants` = 0 takes no tenant {scope}"),
                    1 => format!(
                        "`{path}.max_seats` = {} fits no tenant {scope} (the smallest has {} seat{})",
                        cap.max_seats.unwrap_or_default(),
                        smallest.seats,
                        if smallest.seats == 1 { "" } else { "s" }
                    ),
                    _ => format!(
                        "`{path}.max_data_gb` = {} fits no tenant {scope} (the smallest holds at least {} GB)",
                        cap.max_data_gb.unwrap_or_default(),
                        (smallest.data_gb * 100.0).ceil() / 100.0
                    ),
                });
            }
            Reason::Blackout(r) => {
                let first = weekends[smallest.from];
                let by: Vec<String> = (policy.blackouts.iter().zip(&at.blackouts))
                    .filter(|(b, _)| b.regions.contains(&r) && b.from <= last && first <= b.until)
                    .map(|(_, (path, _))| format!("`{path}`"))
                    .collect();
                let by = by.join(", ");
                let region = population.regions[r as usize].as_str();
                let from = smallest.from;
                match dark.iter_mut().find(|(b, f, _, _)| *b == by && *f == from) {
                    Some((_, _, regions, _)) => regions.push(region),
                    None => {
                        dark.push((by, from, vec![region], said.len()));
                        said.push(String::new());
                    }
                }
            }
        }
    }
    for (by, from, regions, place) in dark {
        let named: Vec<String> = regions.iter().map(|r| format!("`{r}`")).collect();
        let (which, are) = if named.len() == 1 {
            ("region", "is")
        } else {
            ("regions", "are")
        };
        let span = if from == 0 {
            "every batch weekend of the calendar"
        } else {
            "every batch weekend from the first its tenants can be on, as they are held,"
        };
        said[place] = format!(
            "{which} {} {are} blacked out on {span} ({} to {last}) by {by}",
            named.join(", "),
            weekends[from]
        );
    }
    if held {
        said.push(format!(
            "every other tenant is held past the calendar's last plan, for the weekend of {last}"
        ));
    }
    let (key, origin) = match reasons[0].0 {
        Reason::Cap(i, which) => {
            let names = ["max_tenants", "max_seats", "max_data_gb"];
            let (path, origins) = &at.caps[i];
            (format!("{path}.{}", names[which]), origins[which].clone())
        }
        Reason::Blackout(r) => {
            let (path, origin) = (policy.blackouts.iter().zip(&at.blackouts))
                .find(|(b, _)| b.regions.contains(&r))
                .map(|(_, written)| written)
                .expect("a region blacked out is in a blackout");
            (path.clone(), origin.clone())
        }
    };
    root.error_at(
        origin,
        &key,
        format!(
            "policy `{}` can batch no tenant, so every tenant would wait unbatched to the end of the calendar: {}",
            policy.definition.name,
            said.join("; ")
        ),
        Some(hint(policy, reasons)),
    );
}

/// What would let some tenant through, for the settings at fault.
fn hint(policy: &Declared, reasons: &[(Reason, Someone)]) -> String {
    let caps: Vec<bool> = (reasons.iter())
        .filter_map(|(reason, _)| match reason {
            Reason::Cap(i, _) => Some(policy.caps[*i].cap.value.is_none()),
            Reason::Blackout(_) => None,
        })
        .collect();
    let mut ways = Vec::new();
    if caps.contains(&true) {
        ways.push("raise the cap, or give it a `value` to hold one group only");
    } else if !caps.is_empty() {
        ways.push("raise a cap");
    }
    if caps.len() < reasons.len() {
        ways.push("shorten a blackout, or take a region out of it");
    }
    format!("let some tenant through: {}", ways.join("; "))
}

#[cfg(test)]
mod tests {
    use crate::scenario::{Scenario, ScenarioError};

    /// The errors (key, message) of a scenario of 20 generated tenants in NA and EMEA, over the
    /// default calendar (batch weekends 2011-11-05 to 2013-01-26), with `rest` appended.
    fn errors(rest: &str) -> Vec<(String, String)> {
        let text = format!(
            "name = \"b\"\n[population]\ntenants = 20\nregions = [\"NA\", \"EMEA\"]\n{rest}"
        );
        match Scenario::from_text(&text, "b.toml", &[]) {
            Ok(_) => Vec::new(),
            Err(ScenarioError::Invalid { diagnostics, .. }) => diagnostics
                .into_iter()
                .map(|d| (d.key, d.message))
                .collect(),
            Err(e) => panic!("{e}"),
        }
    }

    fn refused(rest: &str, key: &str, says: &[&str]) {
        let errors = errors(rest);
        assert_eq!(errors.len(), 1, "{errors:?}");
        let (k, message) = &errors[0];
        assert_eq!(k, key, "{message}");
        assert!(
            message.contains("policy `p` can batch no tenant"),
            "{message}"
        );
        for s in says {
            assert!(message.contains(s), "`{s}` not in: {message}");
        }
    }

    /// The one error of a scenario with no batch weekend: its key, message and hint.
    fn no_weekend(rest: &str) -> (String, String, String) {
        let text = format!("name = \"b\"\n[population]\ntenants = 20\n{rest}");
        match Scenario::from_text(&text, "b.toml", &[]) {
            Err(ScenarioError::Invalid { diagnostics, .. }) => {
                assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
                let d = &diagnostics[0];
                assert!(
                    d.message.contains("no batch is ever planned"),
                    "{}",
                    d.message
                );
                (
                    d.key.clone(),
                    d.message.clone(),
                    d.hint.clone().unwrap_or_default(),
                )
            }
            other => panic!("not refused: {:?}", other.map(|_| ())),
        }
    }

    fn accepted(rest: &str) {
        assert_eq!(errors(rest), Vec::new(), "{rest}");
    }

    #[test]
    fn a_calendar_that_ends_before_the_first_batch_weekend_is_refused() {
        // From Monday 2011-09-05, 60 days ahead is Friday 2011-11-04: the first weekend is
        // 2011-11-05. A calendar ending on it has a batch; one day shorter has none.
        let ends = |end: &str| format!("[calendar]\ndeadline = 2011-10-01\nend = {end}\n");
        accepted(&ends("2011-11-05"));
        let (key, message, hint) = no_weekend(&ends("2011-11-04"));
        assert_eq!(key, "calendar.end");
        assert!(
            message.contains(
                "the first weekend a batch can have, 2011-11-05 (the first Saturday at least \
                 `batching.lead_days` = 60 days after `calendar.start` 2011-09-05), is after \
                 `calendar.end` 2011-11-04"
            ),
            "{message}"
        );
        // The calendar's last Saturday, 2011-10-29, is 54 days after its start: too short a
        // lead for PrimaryPrep, 60 days before T, unless it starts later.
        assert_eq!(
            hint,
            "end the calendar on 2011-11-05 or later, or start it on 2011-08-30 or earlier"
        );
        let (_, _, hint) = no_weekend(&format!(
            "{}[phases]\nprimary_prep_days = -40\n",
            ends("2011-11-04")
        ));
        assert_eq!(
            hint,
            "end the calendar on 2011-11-05 or later, or lower `batching.lead_days` to at most 54, \
             for 2011-10-29, or start it on 2011-08-30 or earlier"
        );
        // Five weekdays: no Saturday at all, so no lead would do.
        let (_, message, hint) =
            no_weekend("[calendar]\ndeadline = 2011-09-09\nend = 2011-09-09\n");
        assert!(message.contains("2011-11-05"), "{message}");
        assert_eq!(
            hint,
            "end the calendar on 2011-11-05 or later, or start it on 2011-07-05 or earlier"
        );
        // A lead of 117 days reaches Saturday 2011-12-31, the default end (`deadline` + 91); one
        // of 118 does not, and the error is at the lead, as the end is not written.
        let lead = |days: u32| {
            format!("[calendar]\ndeadline = 2011-10-01\n[batching]\nlead_days = {days}\n")
        };
        accepted(&lead(117));
        let (key, message, hint) = no_weekend(&lead(118));
        assert_eq!(key, "batching.lead_days");
        assert!(
            message.contains("2012-01-07") && message.contains("`calendar.end` 2011-12-31"),
            "{message}"
        );
        assert!(
            hint.contains("lower `batching.lead_days` to at most 117, for 2011-12-31"),
            "{hint}"
        );
        // The start moves the weekend too: 60 days from Tuesday 2011-09-06 is Saturday
        // 2011-11-05, from Wednesday 2011-09-07 Sunday 2011-11-06, for the next Saturday.
        let starts = |start: &str| {
            format!("[calendar]\nstart = {start}\ndeadline = 2011-10-01\nend = 2011-11-05\n")
        };
        accepted(&starts("2011-09-06"));
        let (key, message, _) = no_weekend(&starts("2011-09-07"));
        assert_eq!(key, "calendar.end");
        assert!(
            message.contains("2011-11-12") && message.contains("`calendar.start` 2011-09-07"),
            "{message}"
        );
        // No end can be written past 9999-12-31: the hint is the start.
        let (_, message, hint) = no_weekend(
            "[calendar]\nstart = 9999-12-01\ndeadline = 9999-12-31\nend = 9999-12-31\n[batching]\nlead_days = 365\n",
        );
        assert!(message.contains("10000-12-02"), "{message}");
        assert_eq!(hint, "start it on 9998-12-25 or earlier");
        // A calendar already refused for its own dates is not judged again.
        let errors = errors("[calendar]\ndeadline = 2011-10-01\nend = 2011-09-30\n");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].0, "calendar.end");
        assert!(
            errors[0].1.contains("before `calendar.deadline`"),
            "{errors:?}"
        );
    }

    #[test]
    fn a_cap_that_takes_nobody_of_any_group_is_refused() {
        refused(
            "[policies.p]\ncaps = [{ per = \"region\", max_tenants = 0 }]\n",
            "policies.p.caps[0].max_tenants",
            &["`policies.p.caps[0].max_tenants` = 0 takes no tenant of any region"],
        );
        refused(
            "[policies.p]\ncaps = [{ per = \"size\", max_tenants = 0 }]\n",
            "policies.p.caps[0].max_tenants",
            &["of any size class"],
        );
        // Seats or data no tenant is small enough for.
        refused(
            "[population.seats]\ndist = \"uniform\"\nlow = 50\nhigh = 60\n[policies.p]\ncaps = [{ per = \"region\", max_seats = 49 }]\n",
            "policies.p.caps[0].max_seats",
            &[
                "`policies.p.caps[0].max_seats` = 49 fits no tenant of any region (the smallest has 50 seats)",
            ],
        );
        accepted(
            "[population.seats]\ndist = \"uniform\"\nlow = 50\nhigh = 60\n[policies.p]\ncaps = [{ per = \"region\", max_seats = 50 }]\n",
        );
        refused(
            "[policies.p]\ncaps = [{ per = \"region\", max_data_gb = 0 }]\n",
            "policies.p.caps[0].max_data_gb",
            &["fits no tenant of any region (the smallest holds at least"],
        );
        // A cap that lets one tenant in a weekend takes everyone in time.
        accepted("[policies.p]\ncaps = [{ per = \"region\", max_tenants = 1 }]\n");
    }

    #[test]
    fn caps_of_nobody_on_every_region_are_refused_and_on_some_are_not() {
        let na = "{ per = \"region\", value = \"NA\", max_tenants = 0 }";
        let emea = "{ per = \"region\", value = \"EMEA\", max_tenants = 0 }";
        refused(
            &format!("[policies.p]\ncaps = [{na}, {emea}]\n"),
            "policies.p.caps[0].max_tenants",
            &[
                "`policies.p.caps[0].max_tenants` = 0 takes no tenant of region `NA`",
                "`policies.p.caps[1].max_tenants` = 0 takes no tenant of region `EMEA`",
            ],
        );
        accepted(&format!("[policies.p]\ncaps = [{na}]\n"));
        // A region with no weight has no tenant to let through.
        refused(
            &format!("region_weights = [1, 0]\n[policies.p]\ncaps = [{na}]\n"),
            "policies.p.caps[0].max_tenants",
            &["of region `NA`"],
        );
        // Size classes: every class the seats can reach must be closed.
        let small = "{ per = \"size\", value = \"small\", max_tenants = 0 }";
        let medium = "{ per = \"size\", value = \"medium\", max_tenants = 0 }";
        let large = "{ per = \"size\", value = \"large\", max_tenants = 0 }";
        accepted(&format!("[policies.p]\ncaps = [{small}, {medium}]\n"));
        refused(
            &format!("[policies.p]\ncaps = [{small}, {medium}, {large}]\n"),
            "policies.p.caps[0].max_tenants",
            &[
                "of size class `small`",
                "of size class `medium`",
                "of size class `large`",
            ],
        );
        let few_seats = "[population.seats]\ndist = \"uniform\"\nlow = 300\nhigh = 2000\n";
        refused(
            &format!("{few_seats}[policies.p]\ncaps = [{medium}]\n"),
            "policies.p.caps[0].max_tenants",
            &["of size class `medium`"],
        );
        accepted(&format!(
            "{few_seats}[policies.p]\nsize_classes = [500]\ncaps = [{{ per = \"size\", value = \"large\", max_tenants = 0 }}]\n"
        ));
        refused(
            &format!(
                "{few_seats}[policies.p]\nsize_classes = [200]\ncaps = [{{ per = \"size\", value = \"large\", max_tenants = 0 }}]\n"
            ),
            "policies.p.caps[0].max_tenants",
            &["of size class `large`"],
        );
    }

    #[test]
    fn blackouts_over_every_batch_weekend_are_refused_and_over_some_are_not() {
        let all = "from = 2011-11-05, until = 2013-01-26";
        refused(
            &format!("[policies.p]\nblackouts = [{{ regions = [\"NA\", \"EMEA\"], {all} }}]\n"),
            "policies.p.blackouts[0]",
            &[
                "regions `NA`, `EMEA` are blacked out on every batch weekend of the calendar (2011-11-05 to 2013-01-26) by `policies.p.blackouts[0]`",
            ],
        );
        // Two blackouts that together cover every weekend of NA, and a cap that takes nobody of
        // EMEA.
        refused(
            "[policies.p]\ncaps = [{ per = \"region\", value = \"EMEA\", max_tenants = 0 }]\nblackouts = [{ regions = [\"NA\"], from = 2011-01-01, until = 2012-01-01 }, { regions = [\"NA\"], from = 2012-01-02, until = 2014-01-01 }]\n",
            "policies.p.blackouts[0]",
            &[
                "region `NA` is blacked out on every batch weekend of the calendar (2011-11-05 to 2013-01-26) by `policies.p.blackouts[0]`, `policies.p.blackouts[1]`",
                "`policies.p.caps[0].max_tenants` = 0 takes no tenant of region `EMEA`",
            ],
        );
        // One weekend left, at either end, or one region left: someone can be batched.
        for free in [
            "from = 2011-11-06, until = 2013-01-26",
            "from = 2011-11-05, until = 2013-01-25",
        ] {
            accepted(&format!(
                "[policies.p]\nblackouts = [{{ regions = [\"NA\", \"EMEA\"], {free} }}]\n"
            ));
        }
        accepted(&format!(
            "[policies.p]\nblackouts = [{{ regions = [\"NA\"], {all} }}]\n"
        ));
        // The weekends follow `calendar.start`, `lead_days` and `calendar.end`.
        accepted(&format!(
            "[calendar]\nstart = 2011-08-01\n[policies.p]\nblackouts = [{{ regions = [\"NA\", \"EMEA\"], {all} }}]\n"
        ));
        let later = "from = 2011-11-12, until = 2013-01-26";
        accepted(&format!(
            "[policies.p]\nblackouts = [{{ regions = [\"NA\", \"EMEA\"], {later} }}]\n"
        ));
        refused(
            &format!(
                "[batching]\nlead_days = 62\n[policies.p]\nblackouts = [{{ regions = [\"NA\", \"EMEA\"], {later} }}]\n"
            ),
            "policies.p.blackouts[0]",
            &["(2011-11-12 to 2013-01-26)"],
        );
        refused(
            "[calendar]\nend = 2013-01-01\n[policies.p]\nblackouts = [{ regions = [\"NA\", \"EMEA\"], from = 2011-11-05, until = 2012-12-29 }]\n",
            "policies.p.blackouts[0]",
            &["(2011-11-05 to 2012-12-29)"],
        );
    }

    #[test]
    fn blackouts_over_every_weekend_a_held_tenant_can_be_on_are_refused() {
        let dark = |from: &str| {
            format!(
                "[policies.p]\nblackouts = [{{ regions = [\"NA\", \"EMEA\"], from = {from}, until = 2013-01-26 }}]\n"
            )
        };
        // Blocked for 200 days: first taken by the plan of day 203, for 2012-05-26.
        let blocked = |days: u32| format!("blocked_fraction = 1\nblocked_days = {days}\n");
        refused(
            &format!("{}{}", blocked(200), dark("2012-05-26")),
            "policies.p.blackouts[0]",
            &[
                "regions `NA`, `EMEA` are blacked out on every batch weekend from the first its \
                 tenants can be on, as they are held, (2012-05-26 to 2013-01-26) by \
                 `policies.p.blackouts[0]`",
            ],
        );
        accepted(&format!("{}{}", blocked(200), dark("2012-05-27")));
        // Blocked for 196 days: the plan of day 196, for 2012-05-19, is before the blackout.
        accepted(&format!("{}{}", blocked(196), dark("2012-05-26")));
        // Every tenant on hosted BlackBerry from 2012-06-01: its first weekend is 2012-06-02.
        let blackberry = "blackberry_share = 1\nblackberry_not_before = 2012-06-01\n";
        refused(
            &format!("{blackberry}{}", dark("2012-06-02")),
            "policies.p.blackouts[0]",
            &["(2012-06-02 to 2013-01-26)"],
        );
        accepted(&format!("{blackberry}{}", dark("2012-06-03")));
    }

    #[test]
    fn a_policy_that_batches_nobody_who_is_not_held_past_the_last_plan_is_refused() {
        // Two inventory tenants: `a` in NA and `b` in EMEA, each held for the days given (the
        // last plan is on day 448).
        let dir = tempfile::tempdir().unwrap();
        let errors = |(a, b): (u32, u32), policy: &str| {
            let csv = format!("tenant,seats,region,blocked_days\na,5,NA,{a}\nb,5,EMEA,{b}\n");
            std::fs::write(dir.path().join("t.csv"), csv).unwrap();
            let text = format!(
                "name = \"b\"\n[population]\ninventory = \"t.csv\"\nregions = [\"NA\", \"EMEA\"]\n[policies.p]\n{policy}"
            );
            match Scenario::from_text_in(&text, "b.toml", dir.path(), &[]) {
                Ok(_) => Vec::new(),
                Err(ScenarioError::Invalid { diagnostics, .. }) => diagnostics,
                Err(e) => panic!("{e}"),
            }
        };
        let closed = "caps = [{ per = \"region\", value = \"EMEA\", max_tenants = 0 }]\n";
        let d = errors((449, 0), closed);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].key, "policies.p.caps[0].max_tenants");
        assert!(
            d[0].message.ends_with(
                "`policies.p.caps[0].max_tenants` = 0 takes no tenant of region `EMEA`; every \
                 other tenant is held past the calendar's last plan, for the weekend of \
                 2013-01-26"
            ),
            "{d:?}"
        );
        assert_eq!(errors((448, 0), closed), Vec::new());
        // A cap on the held tenant's region leaves `b` free.
        let na = "caps = [{ per = \"region\", value = \"NA\", max_tenants = 0 }]\n";
        assert_eq!(errors((449, 0), na), Vec::new());
        // Both held: the scenario says so, once, and not the policy.
        let d = errors((449, 500), closed);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].message.starts_with("no tenant can be batched"),
            "{d:?}"
        );
    }
}
