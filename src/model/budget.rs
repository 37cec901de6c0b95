//! The event budget of one replication: the most events it may handle, far more than any plan
//! needs, so that a scenario caught in a loop stops with an error instead of running on; and what
//! such a stop says: the scenario file, the keys that set the budget, and the settings that make
//! work fail and come back at once, with what to change.

use super::population::Population;
use crate::engine::{DAY, HOUR, SimTime};
use crate::scenario::Scenario;

const BASE: u64 = 1_000_000;
const PER_TENANT: u64 = 20_000;
const PER_SEAT: u64 = 100;

/// The bundled scenarios handle under 2,000 events per tenant (mostly per-seat help-desk calls).
pub(crate) fn limit(population: &Population) -> u64 {
    population.tenants.iter().fold(BASE, |sum, p| {
        sum.saturating_add(PER_TENANT + PER_SEAT * u64::from(p.seats))
    })
}

/// A replication that used up its budget: where it was and what it had done.
pub(crate) struct Breach {
    pub budget: u64,
    pub replication: u64,
    pub now: SimTime,
    /// When half the budget was used.
    pub halfway: SimTime,
    pub retries: u64,
    pub errors: u64,
}

/// A kind fails this often, or more, before its failures are named as a cause.
const OFTEN: f64 = 0.5;

impl Breach {
    /// The message: the file, the replication, the budget and the keys that set it, what the
    /// replication had done, and the settings of `sc` that make work loop, each with what to do.
    pub fn message(&self, sc: &Scenario, population: &Population) -> String {
        let day = self.now.ticks() / DAY;
        let stalled = self.now.ticks() - self.halfway.ticks() < HOUR;
        let failures = self.retries.saturating_add(self.errors);
        let looping = failures.saturating_mul(4) > self.budget || stalled;
        let seats: u64 = population.tenants.iter().map(|p| u64::from(p.seats)).sum();
        let tenants_key = if sc.population.inventory.is_some() {
            "the rows of `population.inventory`"
        } else {
            "`population.tenants`"
        };
        let mut text = format!(
            "{}: replication {} stopped after {} events, the most one replication may handle \
             (1,000,000 + 20,000 per tenant + 100 per seat: {} from {tenants_key}, {seats} seats \
             from `population.seats`), by day {day}{}, after {} retries and {} errors",
            sc.file,
            self.replication,
            self.budget,
            if population.tenants.len() == 1 {
                "1 tenant".to_string()
            } else {
                format!("{} tenants", population.tenants.len())
            },
            if stalled {
                " with the clock hardly moving"
            } else {
                ""
            },
            self.retries,
            self.errors,
        );
        let causes = causes(sc, self.retries > 0, self.errors > 0);
        if looping {
            text += ": work keeps failing and comes back in little or no time";
        } else {
            text += ": far more events than a plan of this size needs";
        }
        if causes.is_empty() {
            text += "\n  the settings that drive it: each kind's `transient_probability` and \
                     `hard_failure_probability` in `[workitems]` (near 1 means it almost never \
                     succeeds), `workitems.retry_delay_seconds`, `operators.resolve_hours` and \
                     each kind's `duration_minutes` (near 0 means it comes back at once)";
        }
        for cause in causes {
            text += "\n  ";
            text += &cause;
        }
        text += "\n  (the budget is not a setting: a plan needs far fewer events, under 2,000 per \
                 tenant in the bundled scenarios; change what makes work fail and come back)";
        text
    }
}

/// The settings of `sc` that make work loop: kinds that fail at least `OFTEN`, and what makes
/// their failures come back at once (the retry delay if anything was `retried`, the operators'
/// time if anything failed hard: `errors`). Each names its keys, their values and what to
/// change; kinds with the same figures share a line.
fn causes(sc: &Scenario, retried: bool, errors: bool) -> Vec<String> {
    let w = &sc.workitems;
    let programme = &sc.phases.programme;
    let coexisting = sc.population.estate.coexistence_share > 0.0;
    let mut fail_lines = Lines::default();
    let mut short_lines = Lines::default();
    let mut failing_copy = false;
    for kind in programme.kinds() {
        let k = w.kind(kind);
        let multiplied = coexisting && programme.in_window(kind);
        let hard = w.hard_failure_probability(kind, multiplied);
        let fails = (k.transient_probability + hard).min(1.0);
        if fails < OFTEN {
            continue;
        }
        let why = if multiplied && hard > k.hard_failure_probability {
            format!(
                "`hard_failure_probability` {} x `workitems.coexistence_failure_multiplier` {} for \
                 coexisting tenants, `population.coexistence_share` {}",
                k.hard_failure_probability,
                w.coexistence_failure_multiplier,
                sc.population.estate.coexistence_share
            )
        } else {
            format!(
                "`transient_probability` {}, `hard_failure_probability` {}",
                k.transient_probability, k.hard_failure_probability
            )
        };
        fail_lines.add(
            format!("{:.0}% of attempts fail ({why}); lower them", fails * 100.0),
            &k.key,
        );
        if programme.is_copy(kind) {
            failing_copy = true;
            continue;
        }
        let minutes = k.duration_minutes.mean_estimate();
        if minutes < 1.0 && k.minutes_per_seat == 0.0 {
            short_lines.add(
                format!(
                    "`duration_minutes` averages {minutes:.2} minutes, so each attempt ends at \
                     once; give them minutes"
                ),
                &k.key,
            );
        }
    }
    let mut out = fail_lines.into_lines();
    if retried && w.retry_delay_seconds < 1.0 {
        out.push(format!(
            "`workitems.retry_delay_seconds` {}: a transient failure is retried at once; give \
             retries a delay",
            w.retry_delay_seconds
        ));
    }
    let resolve_minutes = sc.operators.resolve_hours.mean_estimate() * 60.0;
    if errors && resolve_minutes < 1.0 {
        out.push(format!(
            "`operators.resolve_hours` averages {resolve_minutes:.2} minutes: a hard failure is \
             resolved at once; give it hours"
        ));
    }
    out.extend(short_lines.into_lines());
    if failing_copy && sc.copy.overhead_minutes < 1.0 {
        out.push(format!(
            "`copy.overhead_minutes` {}: a failed copy of little data comes back at once; give \
             it minutes",
            sc.copy.overhead_minutes
        ));
    }
    out
}

/// Lines of the message, each saying one thing of the kinds it lists, in the programme's order.
#[derive(Default)]
struct Lines(Vec<(String, Vec<String>)>);

impl Lines {
    fn add(&mut self, what: String, kind: &str) {
        match self.0.iter_mut().find(|(w, _)| *w == what) {
            Some((_, kinds)) => kinds.push(format!("`workitems.{kind}`")),
            None => self.0.push((what, vec![format!("`workitems.{kind}`")])),
        }
    }

    fn into_lines(self) -> Vec<String> {
        (self.0.into_iter())
            .map(|(what, kinds)| format!("{}: {what}", kinds.join(", ")))
            .collect()
    }
}
