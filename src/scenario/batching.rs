//! The `[batching]` section: which policy forms the weekly batches, how often, how far ahead and
//! how large, checked against the tenants they must be able to hold.

use super::calendar::Calendar;
use super::inventory::InventoryTenant;
use super::policies::read_regions;
use super::population::Population;
use super::reader::{Section, abbreviate, nearest, quoted_name};
use crate::date::{Date, Weekday};
use crate::policy::Declared;

#[derive(Clone, Debug, PartialEq)]
pub struct Batching {
    pub policy: String,
    pub cadence_days: u32,
    pub lead_days: u32,
    pub max_tenants: u32,
    pub max_seats: u64,
    pub max_data_gb: f64,
    pub slipped_first: bool,
    /// Regions in the order `region-waves` serves them; every region appears once.
    pub region_order: Vec<String>,
}

impl Batching {
    /// The weekend a plan made on `day` (counted from the calendar's `start`) is for: the first
    /// Saturday at least `lead_days` ahead.
    pub fn weekend_for(&self, start: Date, day: u64) -> Date {
        let earliest = start.add_days((day + u64::from(self.lead_days)) as i64);
        let offset = (Weekday::Saturday.index() + 7 - earliest.weekday().index()) % 7;
        earliest.add_days(i64::from(offset))
    }

    /// Every weekend a batch can be formed for: a plan every `cadence_days` from day 0, while its
    /// weekend is not after `calendar.end`.
    pub fn weekends(&self, calendar: &Calendar) -> Vec<Date> {
        let cadence = u64::from(self.cadence_days.max(1));
        (0..)
            .map(|k| self.weekend_for(calendar.start, k * cadence))
            .take_while(|w| *w <= calendar.end)
            .collect()
    }
}

pub(super) fn read_batching(
    s: &Section<'_>,
    population: &Population,
    first_start_hours: f64,
    declared: &[Declared],
) -> Batching {
    let b = Batching {
        policy: read_policy_name(s, declared),
        cadence_days: s.u32("cadence_days", 7, 7, 364),
        lead_days: s.u32("lead_days", 60, 0, 365),
        max_tenants: s.u32("max_tenants", 150, 1, 10_000_000),
        max_seats: s.u64("max_seats", 25_000, 1, u64::MAX),
        max_data_gb: s.f64("max_data_gb", 60_000.0, 0.0, f64::INFINITY),
        slipped_first: s.bool("slipped_first", true),
        region_order: read_region_order(s, &population.regions),
    };
    if !b.cadence_days.is_multiple_of(7) {
        s.error(
            "cadence_days",
            format!(
                "`batching.cadence_days` = {} is not a whole number of weeks: two plans would fill the same weekend",
                b.cadence_days
            ),
            Some("use 7 for a batch every weekend, 14 for every other weekend".into()),
        );
    }
    if f64::from(b.lead_days) * 24.0 < -first_start_hours {
        s.error(
            "lead_days",
            format!(
                "`batching.lead_days` = {} is shorter than the first phase's {} days before T",
                b.lead_days,
                -first_start_hours / 24.0
            ),
            Some("tenants must be batched before their first phase starts".into()),
        );
    }
    match &population.inventory {
        None => check_capacity_generated(s, &b, population),
        Some(rows) => check_capacity_inventory(s, &b, population, rows),
    }
    s.finish();
    b
}

/// `batching.policy`: a built-in policy or one declared in `[policies.NAME]`.
fn read_policy_name(s: &Section<'_>, declared: &[Declared]) -> String {
    let name = s.string("policy", "fifo");
    if crate::policy::names(declared).contains(&name.as_str()) {
        // A declared name that is itself refused is refused at its table, not again here.
        return name;
    }
    // Offered: the built-in policies and the declared ones whose names are valid, each quoted
    // as `compare` quotes a policy it refuses: a long name by its start and length (none that is
    // valid is that long, so a name offered is written whole).
    let names: Vec<&str> = crate::policy::NAMES
        .iter()
        .copied()
        .chain(
            declared
                .iter()
                .map(|d| d.definition.name.as_str())
                .filter(|n| super::policies::name_problem(n).is_none()),
        )
        .collect();
    let listed = names
        .iter()
        .map(|n| quoted_name(n))
        .collect::<Vec<_>>()
        .join(", ");
    let hint = nearest(&name, &names).map_or_else(
        || format!("valid values: {listed}"),
        |c| format!("did you mean `{}`? valid values: {listed}", quoted_name(c)),
    );
    s.error(
        "policy",
        format!("`batching.policy` has no value `{}`", abbreviate(&name)),
        Some(hint),
    );
    "fifo".into()
}

/// `batching.region_order`: named regions first, in the order given, then any not named.
fn read_region_order(s: &Section<'_>, regions: &[String]) -> Vec<String> {
    let mut order = read_regions(s, "region_order", regions);
    let named: std::collections::HashSet<&String> = order.iter().collect();
    let rest: Vec<String> = regions
        .iter()
        .filter(|r| !named.contains(r))
        .cloned()
        .collect();
    order.extend(rest);
    order
}

/// A batch that can never hold even the smallest tenant the distributions can draw would leave
/// every tenant in the pool forever.
fn check_capacity_generated(s: &Section<'_>, b: &Batching, population: &Population) {
    let seats = population.least_seats();
    if b.max_seats < seats {
        s.error(
            "max_seats",
            format!(
                "`batching.max_seats` = {} can never fit a tenant: the smallest has {seats} seats",
                b.max_seats
            ),
            Some(format!(
                "raise it to at least {seats} or lower the minimum of `population.seats`"
            )),
        );
    }
    let data = population.least_data_gb(seats, None, None);
    if b.max_data_gb < data {
        s.error(
            "max_data_gb",
            format!(
                "`batching.max_data_gb` = {} can never fit a tenant: the smallest holds {} GB",
                b.max_data_gb,
                round_up(data)
            ),
            Some(
                "raise it, or lower the minimums of `population.mailbox_gb` and `population.sharepoint_base_gb`"
                    .into(),
            ),
        );
    }
}

/// An inventory tenant larger than a batch can hold would never transition.
fn check_capacity_inventory(
    s: &Section<'_>,
    b: &Batching,
    population: &Population,
    rows: &[InventoryTenant],
) {
    let too_many_seats: Vec<&InventoryTenant> = rows
        .iter()
        .filter(|r| u64::from(r.seats) > b.max_seats)
        .collect();
    if let Some(largest) = too_many_seats.iter().max_by_key(|r| r.seats) {
        s.error(
            "max_seats",
            format!(
                "`batching.max_seats` = {} can never fit {}`{}` ({} seats)",
                b.max_seats,
                some_of(too_many_seats.len()),
                largest.name,
                largest.seats
            ),
            Some(format!("raise it to at least {}", largest.seats)),
        );
    }
    let least_data = |r: &InventoryTenant| {
        r.data_gb.unwrap_or_else(|| {
            population.least_data_gb(u64::from(r.seats), r.mailboxes, r.sharepoint_gb)
        })
    };
    let too_much_data: Vec<(&InventoryTenant, f64)> = rows
        .iter()
        .map(|r| (r, least_data(r)))
        .filter(|(_, gb)| *gb > b.max_data_gb)
        .collect();
    if let Some((largest, gb)) = too_much_data.iter().max_by(|a, b| a.1.total_cmp(&b.1)) {
        s.error(
            "max_data_gb",
            format!(
                "`batching.max_data_gb` = {} can never fit {}`{}` (at least {} GB)",
                b.max_data_gb,
                some_of(too_much_data.len()),
                largest.name,
                round_up(*gb)
            ),
            Some(format!("raise it to at least {}", round_up(*gb))),
        );
    }
}

/// How an error names the inventory tenants that do not fit: "tenant " or "3 tenants, the largest ".
fn some_of(count: usize) -> String {
    if count == 1 {
        "inventory tenant ".into()
    } else {
        format!("{count} inventory tenants, the largest ")
    }
}

/// Rounds up to two decimals, so a suggested capacity is never just short.
fn round_up(x: f64) -> f64 {
    (x * 100.0).ceil() / 100.0
}
