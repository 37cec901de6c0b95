//! The `[workitems]` section: how long each kind of work takes, how often it fails, and how it
//! is retried.

use super::dist::Dist;
use super::reader::Section;
use crate::phase::WorkKind;

#[derive(Clone, Debug, PartialEq)]
pub struct KindParams {
    pub transient_probability: f64,
    pub hard_failure_probability: f64,
    pub duration_minutes: Dist,
    pub minutes_per_seat: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Workitems {
    pub retry_delay_seconds: f64,
    pub backoff: f64,
    pub max_retries: u32,
    /// How many times as often DataUpgrade workitems fail hard for a tenant that still coexists
    /// with on-premises mail.
    pub coexistence_failure_multiplier: f64,
    kinds: Vec<KindParams>,
}

impl Workitems {
    pub fn kind(&self, kind: WorkKind) -> &KindParams {
        &self.kinds[kind as usize]
    }

    /// The probability that an attempt of `kind` fails hard, for a tenant that coexists with
    /// on-premises mail or not.
    pub fn hard_failure_probability(&self, kind: WorkKind, coexistence: bool) -> f64 {
        let p = self.kind(kind).hard_failure_probability;
        if coexistence && kind.is_data_upgrade() {
            (p * self.coexistence_failure_multiplier).min(1.0)
        } else {
            p
        }
    }
}

pub(super) fn read_workitems(s: &Section<'_>) -> Workitems {
    let transient = s.probability("transient_probability", 0.02);
    let hard = s.probability("hard_failure_probability", 0.002);
    let retry_delay_seconds = s.f64("retry_delay_seconds", 30.0, 0.0, 7.0 * 86_400.0);
    let backoff = s.f64("backoff", 1.0, 1.0, 10.0);
    let max_retries = s.u32("max_retries", 60, 0, 10_000);
    let coexistence_failure_multiplier = s.f64("coexistence_failure_multiplier", 3.0, 0.0, 1_000.0);
    let kinds = WorkKind::ALL
        .iter()
        .map(|&kind| {
            let k = s.section(kind.key());
            let (minutes, per_seat) = default_minutes(kind);
            let params = KindParams {
                transient_probability: k.probability("transient_probability", transient),
                hard_failure_probability: k.probability("hard_failure_probability", hard),
                duration_minutes: k.dist("duration_minutes", Dist::constant(minutes), (0.0, f64::INFINITY)),
                minutes_per_seat: k.f64("minutes_per_seat", per_seat, 0.0, 1e4),
            };
            // An attempt that always fails is retried (or resolved and retried) forever: with
            // zero-length work and instant resolution, forever at one instant. (Coexisting
            // tenants' multiplied hard failures are left to the event budget: the share of such
            // tenants may be zero.)
            let failing = params.transient_probability + params.hard_failure_probability;
            if failing > 1.0 {
                k.error(
                    "hard_failure_probability",
                    format!(
                        "`workitems.{}`: transient and hard failure probabilities add up to more than 1",
                        kind.key()
                    ),
                    None,
                );
            } else if failing >= 1.0 {
                k.error(
                    "hard_failure_probability",
                    format!(
                        "`workitems.{}`: every attempt fails (`transient_probability` + `hard_failure_probability` = 1), so no tenant could ever finish it",
                        kind.key()
                    ),
                    Some("keep their sum below 1".into()),
                );
            }
            k.finish();
            params
        })
        .collect();
    s.finish();
    Workitems {
        retry_delay_seconds,
        backoff,
        max_retries,
        coexistence_failure_multiplier,
        kinds,
    }
}

/// Default duration of one attempt of `kind` (copies take their time from size and rate
/// instead) and the default extra minutes per seat.
fn default_minutes(kind: WorkKind) -> (f64, f64) {
    match kind {
        WorkKind::Notice => (1.0, 0.0),
        WorkKind::AdminLock => (5.0, 0.0),
        WorkKind::MailboxCopy | WorkKind::SiteCopy => (0.0, 0.0),
        WorkKind::DirectorySync => (15.0, 0.02),
        WorkKind::MailboxCutover => (30.0, 0.1),
        WorkKind::SharePointSwitch => (30.0, 0.02),
        WorkKind::ChatUpgrade => (15.0, 0.01),
        WorkKind::Cleanup => (20.0, 0.0),
    }
}
