//! The `[workitems]` section: how long each kind of work takes, how often it fails, how it is
//! retried, and (in a programme the file defines) whether it is a copy.

use std::borrow::Cow;

use super::dist::Dist;
use super::doc::Origin;
use super::reader::Section;
use crate::phase::{CopySource, WorkKind};

/// A work kind the programme names, before its table is read.
#[derive(Clone, Debug)]
pub(super) struct KindSpec {
    pub key: Cow<'static, str>,
    /// BPOS kinds: fixed. Kinds of a programme the file defines: read from their table.
    pub copy: Option<CopySource>,
    /// BPOS kinds: the default minutes per attempt and per seat; `None` for a kind of the
    /// file's own programme, whose table must give them.
    defaults: Option<(f64, f64)>,
    /// Where the programme first names a kind of its own (its table is required).
    named_at: Option<Origin>,
}

impl KindSpec {
    pub const fn bpos(
        key: &'static str,
        copy: Option<CopySource>,
        minutes: f64,
        per_seat: f64,
    ) -> Self {
        KindSpec {
            key: Cow::Borrowed(key),
            copy,
            defaults: Some((minutes, per_seat)),
            named_at: None,
        }
    }

    pub fn custom(key: &str, named_at: Origin) -> Self {
        KindSpec {
            key: Cow::Owned(key.to_string()),
            copy: None,
            defaults: None,
            named_at: Some(named_at),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct KindParams {
    /// Its `[workitems.<key>]` table.
    pub key: String,
    /// Whether it is a copy through copy slots, and of what.
    pub copy: Option<CopySource>,
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
    /// How many times as often the window's workitems fail hard for a tenant that still
    /// coexists with on-premises mail.
    pub coexistence_failure_multiplier: f64,
    kinds: Vec<KindParams>,
}

impl Workitems {
    pub fn kind(&self, kind: WorkKind) -> &KindParams {
        &self.kinds[kind.index()]
    }

    /// Every kind, in the programme's order.
    pub fn kinds(&self) -> &[KindParams] {
        &self.kinds
    }

    /// The probability that an attempt of `kind` fails hard; `multiplied` for window work of a
    /// tenant that coexists with on-premises mail.
    pub fn hard_failure_probability(&self, kind: WorkKind, multiplied: bool) -> f64 {
        let p = self.kind(kind).hard_failure_probability;
        if multiplied {
            (p * self.coexistence_failure_multiplier).min(1.0)
        } else {
            p
        }
    }
}

/// Why `name` cannot name a work kind (the programme's `work` lists it, `[workitems.<kind>]` is
/// its table, messages quote it): `label::name_problem`, as for a phase's name, of any length
/// (a chart of a key swept under it cuts its file name, not the kind).
pub(super) fn kind_name_problem(name: &str) -> Option<String> {
    super::label::name_problem(name, usize::MAX, false)
}

pub(super) fn read_workitems(s: &Section<'_>, specs: &[KindSpec]) -> Workitems {
    let transient = s.probability("transient_probability", 0.02);
    let hard = s.probability("hard_failure_probability", 0.002);
    let retry_delay_seconds = s.f64("retry_delay_seconds", 30.0, 0.0, 7.0 * 86_400.0);
    let backoff = s.f64("backoff", 1.0, 1.0, 10.0);
    let max_retries = s.u32("max_retries", 60, 0, 10_000);
    let coexistence_failure_multiplier = s.f64("coexistence_failure_multiplier", 3.0, 0.0, 1_000.0);
    let kinds = specs
        .iter()
        .map(|spec| {
            let k = s.section_named(&spec.key, kind_name_problem(&spec.key).is_none());
            // A kind whose name is refused where the programme names it has that one error.
            if let Some(origin) = &spec.named_at
                && !s.has_table(&spec.key)
                && kind_name_problem(&spec.key).is_none()
            {
                s.error_at(
                    origin.clone(),
                    &spec.key,
                    format!("work kind `{}` is not defined", spec.key),
                    Some(format!("add a `[workitems.{}]` table with its `duration_minutes` (or `copy`)", spec.key)),
                );
            }
            let copy = match spec.named_at {
                None => spec.copy,
                Some(_) => {
                    let source = k.choice("copy", "none", &["none", "mailboxes", "sites"]);
                    CopySource::from_key(&source)
                }
            };
            let (minutes, per_seat) = match spec.defaults {
                Some(d) => d,
                None => {
                    if copy.is_none() && s.has_table(&spec.key) && !k.has("duration_minutes") {
                        k.error(
                            "duration_minutes",
                            format!("work kind `{}` has no `duration_minutes`", spec.key),
                            Some("give the minutes of one attempt, a number or a distribution".into()),
                        );
                    }
                    (0.0, 0.0)
                }
            };
            let (duration_minutes, minutes_per_seat) = if copy.is_some() {
                refuse_copy_durations(&k, &spec.key);
                (Dist::constant(minutes), per_seat)
            } else {
                (
                    k.dist("duration_minutes", Dist::constant(minutes), (0.0, f64::INFINITY)),
                    k.f64("minutes_per_seat", per_seat, 0.0, 1e4),
                )
            };
            let params = KindParams {
                key: spec.key.to_string(),
                copy,
                transient_probability: k.probability("transient_probability", transient),
                hard_failure_probability: k.probability("hard_failure_probability", hard),
                duration_minutes,
                minutes_per_seat,
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
                        spec.key
                    ),
                    None,
                );
            } else if failing >= 1.0 {
                k.error(
                    "hard_failure_probability",
                    format!(
                        "`workitems.{}`: every attempt fails (`transient_probability` + `hard_failure_probability` = 1), so no tenant could ever finish it",
                        spec.key
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

/// A copy's attempt takes its time from the item's size and `[copy]`, never from the kind's own
/// minutes: a file that sets them expects an effect it would not get, so each is refused where
/// it is written.
fn refuse_copy_durations(k: &Section<'_>, kind: &str) {
    for key in ["duration_minutes", "minutes_per_seat"] {
        if k.has(key) {
            k.error(
                key,
                format!(
                    "`workitems.{kind}.{key}` has no effect: `{kind}` is a copy, which takes its \
                     time from `[copy]` (`overhead_minutes` + 60 * size in GB / `gb_per_hour`)"
                ),
                Some(
                    "remove it; to change how long copies take, set `copy.gb_per_hour` or \
                     `copy.overhead_minutes`"
                        .into(),
                ),
            );
        }
    }
}
