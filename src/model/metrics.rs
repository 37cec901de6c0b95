//! What one replication reports: its headline metrics, and the detail records of one chosen replication.

use crate::date::Date;
use crate::engine::SimTime;
use crate::model::causes::{MissCause, SlipCause, TenantCauses};
use crate::model::chat::{ContactGraph, DailyChat, IslandsByDay, TenantChat};
use crate::model::weekly::WeekCounts;
use crate::phase::{Phase, Status};
use crate::scenario::Scenario;

/// Defines a flat record of numeric metrics with its column names in declaration order, so the
/// CSV header, the row and the summary can never disagree.
macro_rules! metric_record {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[doc = $doc:literal])* $field:ident : $ty:ty,)* }) => {
        $(#[$meta])*
        pub struct $name { $($(#[doc = $doc])* pub $field: $ty,)* }
        impl $name {
            pub const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),*];
            /// The values in column order as numbers, for statistics (a seed above 2^53 is
            /// rounded here: files take [`Self::exact_values`]).
            pub fn values(&self) -> Vec<f64> {
                vec![$(self.$field as f64),*]
            }
            /// The values in column order, counts and identifiers as exact integers.
            pub fn exact_values(&self) -> Vec<MetricValue> {
                vec![$(MetricValue::from(self.$field)),*]
            }
        }
    };
}

/// One metric's value as it is written: an integer exactly, or a measured number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MetricValue {
    Integer(u64),
    Number(f64),
}

impl From<u64> for MetricValue {
    fn from(n: u64) -> Self {
        MetricValue::Integer(n)
    }
}

impl From<f64> for MetricValue {
    fn from(x: f64) -> Self {
        MetricValue::Number(x)
    }
}

metric_record! {
    /// One row of replications.csv.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct ReplicationMetrics {
        replication: u64,
        seed: u64,
        tenants: u64,
        transitioned: u64,
        /// Rollbacks: a tenant not ready for its next phase or not done when its window closed.
        slips: u64,
        /// Slips by cause (`model::SlipCause`): they sum to `slips`.
        slips_copy_backlog: u64,
        slips_waiting_for_operator: u64,
        slips_operator_working: u64,
        slips_retrying: u64,
        slips_work_in_progress: u64,
        tenants_slipped: u64,
        /// Tenants not transitioned by the end of the deadline day.
        missed_deadline: u64,
        /// Misses by cause (`model::MissCause`): they sum to `missed_deadline`.
        missed_in_flight: u64,
        missed_rolled_back: u64,
        missed_quota_hold: u64,
        missed_blocked: u64,
        missed_blackberry_date: u64,
        missed_never_batched: u64,
        /// Weekends with at least one tenant.
        batches: u64,
        /// Days from the start to the last tenant's transition (NaN if none transitioned).
        makespan_days: f64,
        workitems: u64,
        retries: u64,
        errors: u64,
        operator_wait_mean_h: f64,
        operator_wait_p95_h: f64,
        /// Most hard-failed workitems outstanding at once, waiting for an operator or being resolved.
        peak_errors_outstanding: u64,
        /// Time averages over the observation window (`calendar.observe_from` to
        /// `observe_until`): errors waiting for an operator (not in service), errors in service
        /// (operators busy), and busy operator-hours over those on duty.
        operator_queue_mean: f64,
        operator_busy_mean: f64,
        operator_utilization: f64,
        copied_tb: f64,
        /// Users who moved to Lync Online before their tenant's service upgrade.
        users_early: u64,
        /// Mean over scheduled tenants with contacts of their peak share of cross-island pairs.
        mean_peak_cross_island_fraction: f64,
        /// Mean over scheduled tenants with contacts of their peak share of broken contact pairs.
        mean_peak_broken_contact_fraction: f64,
        /// Communicator 2007 users blocked at their tenant's cutoff.
        stranded_users: u64,
        /// Sum over users of the hours during which at least one of their contacts was broken.
        im_disruption_user_hours: f64,
        /// Tenants over their directory object quota, held until a support case raised it.
        tenants_blocked_quota: u64,
        /// Users who called the help desk after their tenant's upgrade.
        helpdesk_tickets: u64,
        /// Most tickets waiting for an agent at once.
        helpdesk_peak_queue: u64,
        /// Hours from a call to its resolution, over resolved tickets (NaN if none).
        helpdesk_wait_mean_h: f64,
        helpdesk_wait_p95_h: f64,
        /// As for the operators: tickets waiting (not in service), in service, and utilisation.
        helpdesk_queue_mean: f64,
        helpdesk_busy_mean: f64,
        helpdesk_utilization: f64,
        /// Working hours during which callers could not work, until their tickets were resolved.
        user_hours_lost: f64,
        events: u64,
    }
}

impl ReplicationMetrics {
    /// Columns that identify a replication rather than measure it (left out of summaries).
    pub const ID_COLUMNS: &'static [&'static str] =
        &[crate::files::replications::REPLICATION, "seed"];

    /// Metrics that count tenants, so never exceed the number of tenants.
    const TENANT_COUNTS: &'static [&'static str] = &[
        "transitioned",
        "tenants_slipped",
        "missed_deadline",
        "tenants_blocked_quota",
    ];

    /// Metrics whose empty cell means the value lies past the replication's end, each with what
    /// the empty cell says: the replication stopped at `calendar.end` before the metric's event,
    /// so its value is larger than any the calendar holds (a replication that never got there is
    /// the worst one, not one with nothing to say).
    pub const PAST_THE_END: &'static [(&'static str, &'static str)] = &[(
        "makespan_days",
        "no tenant transitioned before the calendar's end",
    )];

    /// Metrics that average over things a replication may have none of, so that its cell is
    /// empty with nothing to measure: the waits of the operators' jobs (none when no workitem
    /// failed hard, as in most replications of a few small tenants) and of help-desk tickets
    /// (none when no user called, or no tenant's window completed), the chat fractions (over
    /// scheduled tenants with a contact pair: none when no tenant has one or none was scheduled)
    /// and the pools' time averages (over the observation window as far as the replication ran:
    /// none when it stopped before the window opened, everything done, or, for a utilisation,
    /// nobody was on duty in it). Nothing waited, split or was observed there, so the metric is
    /// not beyond a value: its mean is over the replications that measured it (what "the mean
    /// wait" asks: of the tickets there were), and a replication that stalled shows in the
    /// metrics of the transition (`makespan_days`, `missed_deadline`). Every metric that can be
    /// empty is here or in [`Self::PAST_THE_END`] (a test runs replications with every one
    /// empty).
    pub const NOTHING_TO_MEASURE: &'static [&'static str] = &[
        "operator_wait_mean_h",
        "operator_wait_p95_h",
        "operator_queue_mean",
        "operator_busy_mean",
        "operator_utilization",
        "mean_peak_cross_island_fraction",
        "mean_peak_broken_contact_fraction",
        "helpdesk_wait_mean_h",
        "helpdesk_wait_p95_h",
        "helpdesk_queue_mean",
        "helpdesk_busy_mean",
        "helpdesk_utilization",
    ];

    /// What an empty cell of metric `name` says if its value then lies past the replication's
    /// end ([`Self::PAST_THE_END`]); `None` for a metric with nothing to measure there, or one
    /// never empty.
    pub fn past_the_end(name: &str) -> Option<&'static str> {
        Self::PAST_THE_END
            .iter()
            .find(|(metric, _)| *metric == name)
            .map(|&(_, why)| why)
    }

    /// The values metric `name` can take in a scenario of `tenants` tenants: every metric is a
    /// count, a duration or a share, so none is negative; counts of tenants stop at `tenants`,
    /// shares (and utilisations) at 1. Interval bounds are clamped to it.
    pub fn feasible_range(name: &str, tenants: f64) -> (f64, f64) {
        if Self::TENANT_COUNTS.contains(&name) || name.starts_with("missed_") {
            (0.0, tenants)
        } else if name.ends_with("_fraction") || name.ends_with("_utilization") {
            (0.0, 1.0)
        } else {
            (0.0, f64::INFINITY)
        }
    }

    /// Why metric `name` has no value (an empty cell) in every replication of `sc`, if it never
    /// has one: the settings that leave it nothing to measure, so that a command asked to decide
    /// on it refuses before simulating. Only what the settings decide is named; a metric that
    /// lacks a value in some replications, or in all of them by chance (`makespan_days` where
    /// tenants may fail to transition, a pool's queue over a window the run may end before), is
    /// not.
    pub fn never_measured(name: &str, sc: &Scenario) -> Option<String> {
        let w = &sc.workitems;
        let (h, o) = (&sc.helpdesk, &sc.operators);
        let desk_staff = |weekend, hour| h.staff_at(weekend, hour);
        let desk_keys = || {
            format!(
                "`helpdesk.weekday` = {}, `helpdesk.weekend` = {}, `helpdesk.hours` = [{}, {}]",
                h.weekday, h.weekend, h.hours.0, h.hours.1
            )
        };
        // The metrics of tenants' weekends need a tenant on a batch, and a transition its last
        // phase (its users call after its window) before the replication ends.
        let programme = &sc.phases.programme;
        let needs = match name {
            "operator_wait_mean_h"
            | "operator_wait_p95_h"
            | "mean_peak_cross_island_fraction"
            | "mean_peak_broken_contact_fraction" => Some(None),
            "makespan_days" => Some(Some(programme.last())),
            "helpdesk_wait_mean_h" | "helpdesk_wait_p95_h" => Some(Some(programme.window())),
            _ => None,
        };
        if let Some(why) = needs.and_then(|phase| never_reached(sc, phase)) {
            return Some(why);
        }
        match name {
            // Where users call, the scenario staffs the help desk (it refuses one that is never
            // on duty), and it refuses a calendar without a batch weekend: one with a batch in it
            // spans a weekday (the lead is at least a day, as Lock is before T) and a Saturday.
            "helpdesk_wait_mean_h" | "helpdesk_wait_p95_h" if !sc.clients.anyone_calls() => Some(
                "no user ever raises a ticket: in `[clients]`, each problem's share \
                 (`outlook_2003_share`, `mobile_share`, `never_expiring_password_share`) times its \
                 `ticket_probability` is 0"
                    .into(),
            ),
            "helpdesk_utilization" => {
                let (from, until) = observed(sc);
                (!on_duty_between(from, until, desk_staff)).then(|| {
                    format!(
                        "no agent is on duty in {}: {}",
                        window_words(sc, from, until),
                        desk_keys()
                    )
                })
            }
            "operator_utilization" => {
                let (from, until) = observed(sc);
                (!on_duty_between(from, until, |weekend, hour| o.staff_at(weekend, hour))).then(
                    || {
                        format!(
                            "no operator is on duty in {}: `operators.weekday` = {} for hours \
                             [{}, {}], `operators.weekend` = {} for hours [{}, {}]",
                            window_words(sc, from, until),
                            o.weekday,
                            o.weekday_hours.0,
                            o.weekday_hours.1,
                            o.weekend,
                            o.weekend_hours.0,
                            o.weekend_hours.1
                        )
                    },
                )
            }
            // A transient failure beyond `max_retries` becomes a hard one, so both must be 0.
            "operator_wait_mean_h" | "operator_wait_p95_h"
                if w.kinds().iter().all(|k| {
                    k.transient_probability == 0.0 && k.hard_failure_probability == 0.0
                }) =>
            {
                Some(
                    "no workitem ever fails, so no operator resolves one: every kind's \
                     `transient_probability` and `hard_failure_probability` in `[workitems]` is 0"
                        .into(),
                )
            }
            "mean_peak_cross_island_fraction" | "mean_peak_broken_contact_fraction" => {
                let contacts = sc.lync.contacts_mean;
                if contacts == 0.0 {
                    return Some("no user has a contact: `lync.contacts_mean` = 0".into());
                }
                // The fractions are over a tenant's contact pairs, which its size and
                // `contacts_mean` fix: none if even the largest tenant has none.
                let p = &sc.population;
                let (largest, source) = match &p.inventory {
                    Some(rows) => (
                        rows.iter().map(|t| t.seats).max().unwrap_or(0),
                        "the inventory's largest tenant has",
                    ),
                    None => (
                        p.seats
                            .upper_bound()
                            .round()
                            .clamp(1.0, f64::from(u32::MAX)) as u32,
                        "`population.seats` is at most",
                    ),
                };
                if ContactGraph::pairs_of(largest, contacts) > 0 {
                    None
                } else if largest <= 1 {
                    Some(format!(
                        "every tenant has a single user, who has nobody to contact: {source} \
                         1 seat"
                    ))
                } else {
                    Some(format!(
                        "no tenant has a contact pair: {source} {largest} seats, and {largest} \
                         users with `lync.contacts_mean` = {contacts} contacts each on average \
                         make {largest} x {contacts} / 2 pairs, which rounds to 0"
                    ))
                }
            }
            _ => None,
        }
    }

    /// Slips by cause, in `SlipCause::ALL` order.
    pub fn slips_by_cause(&self) -> [u64; SlipCause::COUNT] {
        [
            self.slips_copy_backlog,
            self.slips_waiting_for_operator,
            self.slips_operator_working,
            self.slips_retrying,
            self.slips_work_in_progress,
        ]
    }

    /// Misses by cause, in `MissCause::ALL` order.
    pub fn missed_by_cause(&self) -> [u64; MissCause::COUNT] {
        [
            self.missed_in_flight,
            self.missed_rolled_back,
            self.missed_quota_hold,
            self.missed_blocked,
            self.missed_blackberry_date,
            self.missed_never_batched,
        ]
    }

    /// The most tenants any of `metrics` had (the population of an inventory or a generated one).
    pub fn tenants_of<'a>(metrics: impl IntoIterator<Item = &'a ReplicationMetrics>) -> f64 {
        metrics.into_iter().map(|m| m.tenants).max().unwrap_or(0) as f64
    }
}

/// The first weekend (its Saturday) any tenant can be on, and how it follows from the settings.
/// A plan is made every `batching.cadence_days` from the start, each for the first Saturday at
/// least `batching.lead_days` ahead, and none for a weekend after `calendar.end`; a blocked
/// tenant joins the pool when it is unblocked, and one on hosted BlackBerry waits for its first
/// allowed weekend. So it is the weekend of the first plan at or after the least a tenant can be
/// held, not before `population.blackberry_not_before` if every tenant is on BlackBerry
/// (`scenario::first_plan`). The scenario refuses a calendar that ends before the first plan's
/// weekend, and a population held past the last plan, so this one is never after `calendar.end`.
fn first_weekend(sc: &Scenario) -> (Date, String) {
    let (cal, b, p) = (&sc.calendar, &sc.batching, &sc.population);
    let (plan_day, first) = crate::scenario::first_plan(p, cal, b);
    let lead = format!(
        "the first Saturday at least `batching.lead_days` = {} days after",
        b.lead_days
    );
    if plan_day == 0 {
        return (first, format!("{lead} `calendar.start` {}", cal.start));
    }
    // What keeps tenants from the plan before: their holds, BlackBerry, or both.
    let cadence = u64::from(b.cadence_days.max(1));
    let before = plan_day.saturating_sub(cadence);
    let least = crate::scenario::least_held(p);
    let mut held = Vec::new();
    if least.ticks() > SimTime::from_days(before).ticks() {
        held.push(format!(
            "every tenant is blocked for at least {} days (`population.blocked_fraction` = {}, \
             `population.blocked_days`{}{})",
            least.days(),
            p.blocked_fraction,
            if p.inventory.is_some() {
                " and the inventory's `blocked_days`"
            } else {
                ""
            },
            if least.quota.is_some() {
                ", or a directory quota case, `population.quota_case_days`"
            } else {
                ""
            },
        ));
    }
    if p.estate.blackberry_share >= 1.0
        && b.weekend_for(cal.start, before) < p.estate.blackberry_not_before
    {
        held.push(format!(
            "every tenant is on hosted BlackBerry (`population.blackberry_share` = 1), not \
             batched for a weekend before `population.blackberry_not_before` {}",
            p.estate.blackberry_not_before
        ));
    }
    let why = format!(
        "{}, so the first plan that can place one is on day {plan_day} (plans every \
         `batching.cadence_days` = {}); {lead} it",
        held.join(", and "),
        cadence
    );
    (first, why)
}

/// Why no tenant ever starts `phase` before the replication ends, if none does: it starts at its
/// offset from T, and T is at the earliest [`first_weekend`]. Without a phase, why no tenant is
/// ever placed on a batch (no plan is made for a weekend after `calendar.end`): every tenant is
/// blocked past the calendar's last plan.
fn never_reached(sc: &Scenario, phase: Option<crate::phase::Phase>) -> Option<String> {
    let cal = &sc.calendar;
    let (first, why) = first_weekend(sc);
    if first > cal.end {
        return Some(format!(
            "no tenant is ever placed on a batch: the first weekend one can be on, {first} \
             ({why}), is after `calendar.end` {}",
            cal.end
        ));
    }
    let phase = phase?;
    let def = sc.phases.programme.phase(phase);
    let hours = def.start_hours.unwrap_or(0.0);
    // As the replication places a phase: whole days to T, its offset in whole ticks.
    let t = SimTime::from_days(first.days_since(cal.start).max(0) as u64).ticks() as i64;
    let offset = SimTime::from_hours(hours.abs()).ticks() as i64;
    let starts = if hours < 0.0 { t - offset } else { t + offset };
    let end = SimTime::from_days((cal.end.days_since(cal.start) + 1).max(0) as u64).ticks();
    (starts >= end as i64).then(|| {
        format!(
            "no tenant reaches {} (`{}`) by the end of `calendar.end` {}: it starts at {} and T \
             is at the earliest {first} ({why})",
            def.name,
            def.key,
            cal.end,
            crate::scenario::offset_label(hours)
        )
    })
}

/// The observation window of the pools' time averages, first and last day:
/// `calendar.observe_from` to `observe_until`, the whole calendar without them.
fn observed(sc: &Scenario) -> (Date, Date) {
    let cal = &sc.calendar;
    (
        cal.observe_from.unwrap_or(cal.start),
        cal.observe_until.unwrap_or(cal.end),
    )
}

/// The observation window `from` to `until` in words, naming the keys that set it.
fn window_words(sc: &Scenario, from: Date, until: Date) -> String {
    let cal = &sc.calendar;
    if cal.observe_from.is_none() && cal.observe_until.is_none() {
        format!("the calendar, {from} to {until}")
    } else {
        format!(
            "the observation window, {from} to {until} (`calendar.observe_from`, \
             `calendar.observe_until`)"
        )
    }
}

/// Whether `staff_at(weekend, hour)` puts anyone on duty at some hour of the days `from` to
/// `until` (both whole). Shifts repeat weekly, so a week of days decides.
fn on_duty_between(from: Date, until: Date, staff_at: impl Fn(bool, u32) -> u32) -> bool {
    (0..=until.days_since(from).clamp(0, 6))
        .map(|d| from.add_days(d).weekday().is_weekend())
        .any(|weekend| (0..24).any(|hour| staff_at(weekend, hour) > 0))
}

/// One row of tenants.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct TenantRecord {
    pub tenant: u32,
    pub region: String,
    pub seats: u32,
    pub mailboxes: u32,
    pub data_gb: f64,
    /// The last batch the tenant was placed on.
    pub batch: Option<u32>,
    /// Saturday of the weekend on which it transitioned.
    pub transition_date: Option<Date>,
    pub final_phase: Phase,
    pub final_status: Status,
    pub slips: u32,
    pub retries: u32,
    pub errors: u32,
    /// From the start of the programme's copy phase (Pre-Stage in BPOS) until all content was
    /// copied, on the last attempt. Named for the role, not the phase, so that every programme's
    /// tenants.csv reads right.
    pub copy_phase_hours: Option<f64>,
    /// From the start of the cutover window (DataUpgrade in BPOS) until the window's work was
    /// complete, on the last attempt.
    pub window_hours: Option<f64>,
    /// Directory objects synchronised; `None` without directory sync.
    pub directory_objects: Option<u32>,
    pub over_quota: bool,
    pub coexistence: bool,
    pub blackberry: bool,
    pub tickets: u32,
    pub chat: TenantChat,
    pub causes: TenantCauses,
}

/// One row of batches.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchRecord {
    pub batch: u32,
    pub weekend: Date,
    pub tenants: u32,
    pub seats: u64,
    pub data_gb: f64,
    pub transitioned: u32,
    pub slipped: u32,
}

/// What the pools are doing at an instant: the errors outstanding and their operators, the copy slots, the
/// help desk. The columns timeseries.csv and hourly.csv share.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Load {
    pub errors_outstanding: u32,
    pub operators_busy: u32,
    pub operators_on_duty: u32,
    pub copies_running: u32,
    /// Tickets waiting for an agent.
    pub helpdesk_queue: u32,
    pub helpdesk_busy: u32,
    pub helpdesk_on_duty: u32,
}

impl Load {
    pub const COLUMNS: [&'static str; 7] = crate::files::load::COLUMNS;

    /// The values in `COLUMNS` order.
    pub fn values(&self) -> [u32; 7] {
        [
            self.errors_outstanding,
            self.operators_busy,
            self.operators_on_duty,
            self.copies_running,
            self.helpdesk_queue,
            self.helpdesk_busy,
            self.helpdesk_on_duty,
        ]
    }
}

/// One row of timeseries.csv: the state of the programme at the sample hour of a day.
#[derive(Clone, Debug, PartialEq)]
pub struct DailySample {
    pub day: u64,
    pub date: Date,
    /// Tenants per phase, in the programme's order.
    pub phases: Vec<u32>,
    pub transitioned: u32,
    pub load: Load,
    pub chat: DailyChat,
}

/// One row of hourly.csv: the state at the top of an hour, after every event up to it.
#[derive(Clone, Debug, PartialEq)]
pub struct HourlySample {
    /// Seconds since the start of the programme, a whole number of hours.
    pub time: SimTime,
    pub load: Load,
}

/// How a weekend phase of one attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpanOutcome {
    /// The next phase began (or, for Finalize, the tenant transitioned).
    Complete,
    /// The tenant was pulled from its batch during this phase.
    RolledBack,
    /// Still running when the simulation ended.
    Open,
}

impl SpanOutcome {
    pub fn key(self) -> &'static str {
        match self {
            SpanOutcome::Complete => "complete",
            SpanOutcome::RolledBack => "rolled_back",
            SpanOutcome::Open => "open",
        }
    }
}

/// One row of spans.csv: a weekend phase (Pre-Stage to Finalize) of one tenant on one batch.
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseSpan {
    pub tenant: u32,
    pub batch: u32,
    /// Saturday of the batch's weekend.
    pub weekend: Date,
    pub phase: Phase,
    pub start: SimTime,
    /// When the phase ended; `None` if it was still open at the end.
    pub end: Option<SimTime>,
    /// When the phase's own work was finished (Pre-Stage: every copy), which may be after `end`:
    /// an overrun. `None` if it never was.
    pub done: Option<SimTime>,
    pub outcome: SpanOutcome,
}

/// The detail of one replication, written as tenants.csv, batches.csv, timeseries.csv,
/// hourly.csv, spans.csv and islands.csv.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Detail {
    pub tenants: Vec<TenantRecord>,
    pub batches: Vec<BatchRecord>,
    pub timeseries: Vec<DailySample>,
    pub hourly: Vec<HourlySample>,
    pub spans: Vec<PhaseSpan>,
    pub islands: Vec<IslandsByDay>,
}

/// Everything one replication produces.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplicationOutput {
    pub metrics: ReplicationMetrics,
    /// Tenants transitioned by the end of each day of the horizon (for the completion band).
    pub completion: Vec<u32>,
    /// The counts of each week of the horizon (weekly.csv).
    pub weekly: Vec<WeekCounts>,
    pub detail: Option<Detail>,
    /// Why the replication stopped before its end, if it did: it used up its event budget.
    pub stopped: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small valid scenario with `extra` lines appended and `overrides` applied, its
    /// inventory (if any) read from `folder`.
    fn scenario_in(folder: &std::path::Path, extra: &str, overrides: &[&str]) -> Scenario {
        let text = format!("name = \"t\"\n{extra}");
        let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
        Scenario::from_text_in(&text, "t.toml", folder, &overrides)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn scenario(overrides: &[&str]) -> Scenario {
        scenario_in(std::path::Path::new(""), "", overrides)
    }

    const FRACTIONS: [&str; 2] = [
        "mean_peak_cross_island_fraction",
        "mean_peak_broken_contact_fraction",
    ];

    #[test]
    fn chat_fractions_need_a_tenant_with_a_contact_pair() {
        for m in FRACTIONS {
            assert_eq!(ReplicationMetrics::never_measured(m, &scenario(&[])), None);
            let one = ReplicationMetrics::never_measured(m, &scenario(&["population.seats=1"]));
            let one = one.unwrap();
            assert!(
                one.contains(
                    "single user, who has nobody to contact: `population.seats` is at most 1 seat"
                ),
                "{one}"
            );
            // Three users with 0.3 contacts each make 0.45 pairs, which rounds to none; 0.34
            // make 0.51, one pair.
            let small = |contacts: &str| {
                let sc = scenario(&[
                    "population.seats={ dist = \"uniform\", low = 1, high = 3 }",
                    contacts,
                ]);
                ReplicationMetrics::never_measured(m, &sc)
            };
            let none = small("lync.contacts_mean=0.3").unwrap();
            assert!(
                none.contains("`population.seats` is at most 3 seats, and 3 users")
                    && none.contains("rounds to 0"),
                "{none}"
            );
            assert_eq!(small("lync.contacts_mean=0.34"), None);
            let zero = ReplicationMetrics::never_measured(m, &scenario(&["lync.contacts_mean=0"]));
            assert!(zero.unwrap().contains("`lync.contacts_mean` = 0"));
        }
    }

    /// An inventory fixes every tenant's seats, whatever `population.seats` says.
    #[test]
    fn chat_fractions_of_an_inventory_of_single_user_tenants_are_never_measured() {
        let dir = tempfile::tempdir().unwrap();
        let section = "[population]\ninventory = \"inv.csv\"\n";
        let write = |rows: &str| {
            std::fs::write(dir.path().join("inv.csv"), format!("tenant,seats\n{rows}")).unwrap()
        };
        write("a,1\nb,1\nc,1\n");
        let sc = scenario_in(dir.path(), section, &[]);
        for m in FRACTIONS {
            let why = ReplicationMetrics::never_measured(m, &sc).unwrap();
            assert!(
                why.contains("inventory's largest tenant has 1 seat"),
                "{why}"
            );
        }
        write("a,1\nb,2\nc,1\n");
        let sc = scenario_in(dir.path(), section, &[]);
        for m in FRACTIONS {
            assert_eq!(ReplicationMetrics::never_measured(m, &sc), None);
        }
    }

    /// 2011-09-05, the default start, is a Monday.
    #[test]
    fn utilisation_needs_someone_on_duty_in_the_observation_window() {
        let util = |m: &str, o: &[&str]| ReplicationMetrics::never_measured(m, &scenario(o));
        assert_eq!(util("operator_utilization", &[]), None);
        assert_eq!(util("helpdesk_utilization", &[]), None);
        let weekdays = [
            "calendar.observe_from=2011-09-05",
            "calendar.observe_until=2011-09-09",
        ];
        let weekend_operators = [&weekdays[..], &["operators.weekday=0"]].concat();
        let why = util("operator_utilization", &weekend_operators).unwrap();
        assert!(
            why.contains("observation window, 2011-09-05 to 2011-09-09")
                && why.contains("`operators.weekday` = 0"),
            "{why}"
        );
        // A Saturday in the window puts them on duty.
        let with_saturday = [
            "operators.weekday=0",
            "calendar.observe_from=2011-09-05",
            "calendar.observe_until=2011-09-10",
        ];
        assert_eq!(util("operator_utilization", &with_saturday), None);
        // Weekday operators, a window of one Sunday.
        let sunday = [
            "operators.weekend=0",
            "calendar.observe_from=2011-09-11",
            "calendar.observe_until=2011-09-11",
        ];
        assert!(util("operator_utilization", &sunday).is_some());
        // The help desk: nobody at all, or nobody in the window.
        let nobody = ["helpdesk.weekday=0", "helpdesk.weekend=0"];
        let why = util("helpdesk_utilization", &nobody).unwrap();
        assert!(
            why.contains("the calendar,") && why.contains("`helpdesk.weekday` = 0"),
            "{why}"
        );
        assert!(util("helpdesk_utilization", &["helpdesk.hours=[9, 9]"]).is_some());
        let weekend_window = [
            "helpdesk.weekend=0",
            "calendar.observe_from=2011-09-10",
            "calendar.observe_until=2011-09-11",
        ];
        assert!(util("helpdesk_utilization", &weekend_window).is_some());
        // Operators are never empty of staff over a whole calendar (the scenario refuses it).
        assert_eq!(util("operator_utilization", &["operators.weekday=0"]), None);
    }

    #[test]
    fn helpdesk_waits_need_a_caller_and_an_agent_to_resolve_the_call() {
        // Shares default to 0: nobody calls unless some users have a problem.
        let wait = |o: &[&str]| {
            let sc = scenario(&[&["clients.mobile_share=0.5"], o].concat());
            let a = ReplicationMetrics::never_measured("helpdesk_wait_mean_h", &sc);
            assert_eq!(
                a,
                ReplicationMetrics::never_measured("helpdesk_wait_p95_h", &sc)
            );
            a
        };
        assert_eq!(wait(&[]), None);
        // Agents on weekends only: a calendar has a batch weekend, or is refused (five
        // weekdays), so an agent is on duty; the shortest, ending on the first batch's Saturday
        // (the window, at T, within it), measures the waits.
        let short = |end: &str| {
            [
                "helpdesk.weekday=0".to_string(),
                "calendar.deadline=2011-09-09".to_string(),
                format!("calendar.end={end}"),
            ]
        };
        assert_eq!(
            wait(&short("2011-11-05").each_ref().map(String::as_str)),
            None
        );
        assert_eq!(wait(&["helpdesk.weekday=0"]), None);
        for end in ["2011-09-09", "2011-11-04"] {
            let refused = Scenario::from_text("name = \"t\"\n", "t.toml", &short(end));
            assert!(
                refused.is_err_and(|e| e.to_string().contains("no batch is ever planned")),
                "{end}"
            );
        }
        // Waiting for an agent in the observation window only is still a wait.
        assert_eq!(
            wait(&[
                "helpdesk.weekday=0",
                "calendar.observe_from=2011-09-05",
                "calendar.observe_until=2011-09-09"
            ]),
            None
        );
        let nobody_calls = ["clients.mobile_share=0"];
        assert!(wait(&nobody_calls).unwrap().contains("ticket_probability"));
    }

    /// The metrics of tenants' weekends, where no tenant is ever placed on a batch.
    const OF_BATCHES: [&str; 7] = [
        "makespan_days",
        "helpdesk_wait_mean_h",
        "helpdesk_wait_p95_h",
        "operator_wait_mean_h",
        "operator_wait_p95_h",
        "mean_peak_cross_island_fraction",
        "mean_peak_broken_contact_fraction",
    ];

    #[test]
    fn weekend_metrics_need_a_batch_and_their_phase_within_the_calendar() {
        // Each of OF_BATCHES, in order: makespan_days, the two help-desk waits, the two
        // operator waits, the two chat fractions.
        let why = |o: &[&str]| {
            let sc = scenario(&[&["clients.mobile_share=0.5"], o].concat());
            assert_eq!(
                ReplicationMetrics::never_measured("operator_utilization", &sc),
                None
            );
            OF_BATCHES
                .iter()
                .map(|m| ReplicationMetrics::never_measured(m, &sc))
                .collect::<Vec<_>>()
        };
        let none = vec![None; OF_BATCHES.len()];
        assert_eq!(why(&[]), none);
        let end = |date: &str| {
            why(&[
                "calendar.deadline=2011-10-01",
                &format!("calendar.end={date}"),
            ])
        };
        // The default lead of 60 days puts the first batch on 2011-11-05 (a calendar ending the
        // day before has none, and is refused). Ending on T's Saturday or Sunday, the batch is
        // placed and DataUpgrade (at T) begins, but Finalize (T+48h) starts on Monday: no
        // transition.
        for date in ["2011-11-05", "2011-11-06"] {
            let said = end(date);
            let makespan = said[0].clone().unwrap();
            assert!(
                makespan.contains("no tenant reaches Finalize (`finalize`)")
                    && makespan.contains("T+48h")
                    && makespan.contains(
                        "T is at the earliest 2011-11-05 (the first Saturday at least \
                         `batching.lead_days` = 60 days after `calendar.start` 2011-09-05)"
                    ),
                "{makespan}"
            );
            assert_eq!(said[1..], none[1..], "{date}");
        }
        assert_eq!(end("2011-11-07"), none);
        // A lead of 70 days: the first Saturday from 2011-11-14, 2011-11-19.
        let lead = |date: &str| {
            why(&[
                "batching.lead_days=70",
                "calendar.deadline=2011-10-01",
                &format!("calendar.end={date}"),
            ])
        };
        let said = lead("2011-11-20");
        assert!(
            said[0].as_ref().is_some_and(|w| w.contains("2011-11-19")),
            "{said:?}"
        );
        assert_eq!(said[1..], none[1..]);
        assert_eq!(lead("2011-11-21"), none);
        // Every tenant blocked for at least 49 days is first placed by the plan of day 49
        // (plans every 7 days), for the first Saturday 60 days later, 2011-12-24: a calendar
        // ending on that Saturday places them, but their Finalize (T+48h) is after it. One
        // blocked for 42.1 days is placed by the plan of day 49 too; one of 42 days and 0.43 s,
        // unblocked on the second of day 42 (the replication rounds a hold to whole seconds),
        // by the plan of day 42, for 2011-12-17. (The operators' wait needs a batch, nothing
        // more. A calendar that ends before 2011-12-24 with every tenant blocked past day 42 is
        // refused by the scenario.)
        let blocked = |fraction: &str, low: &str| {
            why(&[
                "calendar.deadline=2011-12-01",
                "calendar.end=2011-12-24",
                &format!("population.blocked_fraction={fraction}"),
                &format!(
                    "population.blocked_days={{ dist = \"uniform\", low = {low}, high = 2000 }}"
                ),
            ])
        };
        let said = blocked("1", "49");
        assert_eq!(said[3], None, "{said:?}");
        let makespan = said[0].clone().unwrap();
        assert!(
            makespan.contains("no tenant reaches Finalize (`finalize`)")
                && makespan.contains("blocked for at least 49 days")
                && makespan.contains("on day 49")
                && makespan.contains("T is at the earliest 2011-12-24")
                && makespan.contains("`batching.lead_days` = 60"),
            "{makespan}"
        );
        let makespan = |fraction, low| blocked(fraction, low)[0].clone();
        assert!(makespan("1", "42.1").is_some());
        assert!(makespan("1", "42.00001").is_some());
        assert_eq!(makespan("1", "42.000005"), None);
        assert_eq!(makespan("1", "42"), None);
        assert_eq!(makespan("0.99", "49"), None);
    }

    #[test]
    fn metrics_every_scenario_measures_are_never_refused() {
        let sc = scenario(&[
            "helpdesk.weekday=0",
            "helpdesk.weekend=0",
            "population.seats=1",
        ]);
        for m in [
            "slips",
            "makespan_days",
            "operator_queue_mean",
            "helpdesk_queue_mean",
            "helpdesk_busy_mean",
            "user_hours_lost",
            "im_disruption_user_hours",
            "helpdesk_tickets",
        ] {
            assert_eq!(ReplicationMetrics::never_measured(m, &sc), None, "{m}");
        }
    }
}
