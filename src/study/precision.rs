//! `--precision METRIC=REL`: replications in deterministic stages until each named metric's 95%
//! interval has a half-width of at most `REL x |mean|`, or a ceiling is reached.
//!
//! A stage's size depends only on the replications already run, and a group (one run, the
//! policies of a comparison, one cell of a sweep) decides from its own replications only, so the
//! number used is the same for any thread count, shard split or resume.

use serde::Serialize;

use super::{arg_error, column, metric_column};
use crate::error::Error;
use crate::model::ReplicationMetrics;
use crate::scenario::Scenario;
use crate::stats::{Running, t_quantile_975};
use crate::sweep::Runner;

/// Replications in the first stage (fewer if the ceiling is lower): enough for a usable first
/// estimate of the spread.
pub const FIRST_STAGE: u64 = 10;

/// The least relative half-width a `--precision` target may ask for: a millionth of the mean.
pub const MIN_RELATIVE: f64 = 1e-6;

/// One `METRIC=REL` target.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub metric: &'static str,
    col: usize,
    pub relative: f64,
    /// The argument as given, for messages that point at it.
    arg: String,
}

/// Every `--precision` target of a command (none: a fixed number of replications).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Precision {
    pub targets: Vec<Target>,
}

/// How close one variant is to one target, as recorded in manifest.json.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TargetCheck {
    /// The policy or cell the check is about (empty for a single run).
    pub variant: String,
    pub metric: String,
    pub relative: f64,
    pub replications: u64,
    /// The replications with a value of the metric, when some had none (the mean and interval
    /// are over those); absent when every replication had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measured: Option<u64>,
    pub mean: f64,
    /// Half-width of the Student t 95% interval of the mean.
    pub half_width: f64,
    /// `half_width <= relative x |mean|`.
    pub met: bool,
}

/// Whether an interval of `half_width` about `mean` meets a target of `relative`: a half-width
/// of at most `relative x |mean|` (never where either is NaN: no estimate yet).
pub fn meets(mean: f64, half_width: f64, relative: f64) -> bool {
    half_width <= relative * mean.abs()
}

/// The slack a check read back from a file allows: values written with six decimals move a
/// half-width over ten or more replications by a few millionths.
const READ_BACK_SLACK: f64 = 1e-5;

impl TargetCheck {
    /// Whether the check is met, computed from values as a file holds them (six decimals): met,
    /// or short of it by no more than that rounding can make.
    pub fn met_as_read_back(&self) -> bool {
        self.met || self.half_width <= self.relative * self.mean.abs() + READ_BACK_SLACK
    }
}

impl Precision {
    /// Reads `--precision` arguments such as `slips=0.05`.
    pub fn parse(args: &[String]) -> Result<Precision, Error> {
        let flag = "--precision";
        let mut targets = Vec::new();
        for arg in args {
            let Some((name, rel)) = arg.split_once('=') else {
                return Err(arg_error(
                    flag,
                    arg,
                    0..arg.len(),
                    "expected METRIC=REL, e.g. slips=0.05",
                ));
            };
            let (col, metric) = metric_column(flag, arg, name.trim(), 0..name.len())?;
            let span = name.len() + 1..arg.len();
            let relative: f64 = rel.trim().parse().map_err(|_| {
                arg_error(
                    flag,
                    arg,
                    span.clone(),
                    &format!("`{}` is not a number", crate::scenario::abbreviate(rel)),
                )
            })?;
            // Above 1 the interval may hold 0 and the target says nothing; below 1e-6, more
            // digits than the figures are written with.
            if !(MIN_RELATIVE..=1.0).contains(&relative) {
                return Err(arg_error(
                    flag,
                    arg,
                    span,
                    "the relative half-width must be from 0.000001 to 1, e.g. 0.05 for 5%",
                ));
            }
            if targets.iter().any(|t: &Target| t.metric == metric) {
                return Err(arg_error(flag, arg, 0..name.len(), "metric named twice"));
            }
            targets.push(Target {
                metric,
                col,
                relative,
                arg: arg.clone(),
            });
        }
        Ok(Precision { targets })
    }

    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// Refuses a target on a metric that `scenario` never measures (`place` says where, e.g.
    /// which cell of a sweep): no replication could ever meet it, so it would only run to the
    /// ceiling.
    pub fn measured_in(&self, scenario: &Scenario, place: &str) -> Result<(), Error> {
        self.targets
            .iter()
            .try_for_each(|t| super::measured_in(scenario, t.metric, "--precision", &t.arg, place))
    }

    /// Each target's state over the replications `metrics` of `variant`.
    pub fn check(&self, variant: &str, metrics: &[ReplicationMetrics]) -> Vec<TargetCheck> {
        self.check_values(variant, metrics.len(), |col| column(metrics, col))
    }

    /// Each target's state over the replications of `variant` held as columns, one per metric of
    /// replications.csv (a sweep's cell as its file is read back).
    pub fn check_columns(&self, variant: &str, columns: &[Vec<f64>]) -> Vec<TargetCheck> {
        let replications = columns.first().map_or(0, Vec::len);
        self.check_values(variant, replications, |col| {
            columns.get(col).cloned().unwrap_or_default()
        })
    }

    /// Each target's state over `replications` replications whose values of metric column
    /// `col` are `values(col)`.
    fn check_values(
        &self,
        variant: &str,
        replications: usize,
        values: impl Fn(usize) -> Vec<f64>,
    ) -> Vec<TargetCheck> {
        self.targets
            .iter()
            .map(|t| {
                let mut acc = Running::new();
                values(t.col).into_iter().for_each(|x| acc.push(x));
                let n = acc.count();
                let (mean, half_width) = if n < 2 {
                    (acc.mean(), f64::NAN)
                } else {
                    let half = t_quantile_975(n - 1) * acc.std() / (n as f64).sqrt();
                    (acc.mean(), half)
                };
                TargetCheck {
                    variant: variant.to_string(),
                    metric: t.metric.to_string(),
                    relative: t.relative,
                    replications: replications as u64,
                    measured: (n < replications as u64).then_some(n),
                    mean,
                    half_width,
                    // Over the replications that measured the metric. One with no value in any
                    // replication so far (no tenant transitioned yet, no caller yet: settings
                    // that never measure it are refused up front) is not met: its estimate is
                    // still to come, so the stages go on, to the ceiling if need be.
                    met: meets(mean, half_width, t.relative),
                }
            })
            .collect()
    }

    /// The replications a group should have after its next stage, given its `n` so far and the
    /// checks of its variants: the largest estimate `n (h / target)^2` over unmet targets, at
    /// least one more and at most twice `n` (a spread estimated from a few replications is
    /// rough), never above `ceiling`. `None` when every target is met or the ceiling reached.
    pub fn next_total(&self, n: u64, checks: &[TargetCheck], ceiling: u64) -> Option<u64> {
        if n >= ceiling || checks.iter().all(|c| c.met) {
            return None;
        }
        let wanted = checks
            .iter()
            .filter(|c| !c.met)
            .map(|c| {
                let target = c.relative * c.mean.abs();
                if c.half_width.is_finite() && target > 0.0 {
                    (n as f64 * (c.half_width / target).powi(2)).ceil()
                } else {
                    f64::INFINITY
                }
            })
            .fold(0.0, f64::max);
        let wanted = if wanted.is_finite() {
            wanted as u64
        } else {
            u64::MAX
        };
        Some(wanted.clamp(n + 1, 2 * n).min(ceiling))
    }

    /// The first stage's size for a ceiling of `ceiling` replications: all of them without
    /// targets.
    pub fn first_stage(&self, ceiling: u64) -> u64 {
        if self.is_empty() {
            ceiling
        } else {
            FIRST_STAGE.min(ceiling)
        }
    }
}

/// A set of variants that advance together (the policies of a comparison share replications so
/// that they stay paired), with a name per variant for the record.
pub struct Group {
    pub variants: Vec<usize>,
    pub names: Vec<String>,
}

/// A group's result: per variant, its outputs in replication order, and the final checks.
pub struct Finished<T> {
    pub outputs: Vec<Vec<T>>,
    pub checks: Vec<TargetCheck>,
}

/// Runs every group in stages on `runner` until its variants meet `precision` or have `ceiling`
/// replications, calling `finished(group, result)` as each group stops. `job(variant, r)` runs
/// one replication; `metrics` reads its metrics.
pub fn run_staged<T: Send>(
    runner: &Runner,
    groups: &[Group],
    precision: &Precision,
    ceiling: u64,
    job: impl Fn(usize, u64) -> Result<T, Error> + Sync,
    metrics: impl Fn(&T) -> &ReplicationMetrics,
    mut finished: impl FnMut(usize, Finished<T>) -> Result<(), Error>,
) -> Result<(), Error> {
    let first = precision.first_stage(ceiling);
    // Per group: outputs so far per variant, and the replications wanted after this stage.
    let mut state: Vec<(Vec<Vec<T>>, Option<u64>)> = groups
        .iter()
        .map(|g| (g.variants.iter().map(|_| Vec::new()).collect(), Some(first)))
        .collect();
    loop {
        let mut pairs = Vec::new();
        let mut owners = Vec::new();
        for (g, (outputs, wanted)) in state.iter().enumerate() {
            let Some(wanted) = *wanted else { continue };
            let have = outputs[0].len() as u64;
            for (slot, &v) in groups[g].variants.iter().enumerate() {
                for r in have..wanted {
                    pairs.push((v, r));
                    owners.push((g, slot));
                }
            }
        }
        if pairs.is_empty() {
            return Ok(());
        }
        let results = runner.map_pairs(&pairs, &job)?;
        for ((g, slot), out) in owners.into_iter().zip(results) {
            state[g].0[slot].push(out);
        }
        for (g, group) in groups.iter().enumerate() {
            if state[g].1.is_none() {
                continue;
            }
            let outputs = &state[g].0;
            let n = outputs[0].len() as u64;
            let checks: Vec<TargetCheck> = outputs
                .iter()
                .zip(&group.names)
                .flat_map(|(outs, name)| {
                    let ms: Vec<ReplicationMetrics> =
                        outs.iter().map(|o| metrics(o).clone()).collect();
                    precision.check(name, &ms)
                })
                .collect();
            let next = precision.next_total(n, &checks, ceiling);
            state[g].1 = next;
            if next.is_none() {
                let outputs = std::mem::take(&mut state[g].0);
                finished(g, Finished { outputs, checks })?;
            }
        }
    }
}

/// `run_staged` for a single group (a run, a comparison): its result once it stops.
pub fn run_group<T: Send>(
    runner: &Runner,
    group: Group,
    precision: &Precision,
    ceiling: u64,
    job: impl Fn(usize, u64) -> Result<T, Error> + Sync,
    metrics: impl Fn(&T) -> &ReplicationMetrics,
) -> Result<Finished<T>, Error> {
    let mut done = None;
    run_staged(
        runner,
        std::slice::from_ref(&group),
        precision,
        ceiling,
        job,
        metrics,
        |_, finished| {
            done = Some(finished);
            Ok(())
        },
    )?;
    done.ok_or_else(|| Error::Internal("a group finished no replication".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn targets_parse_and_bad_ones_point_at_the_mistake() {
        let p = Precision::parse(&args(&["slips=0.05", "makespan_days=0.01"])).unwrap();
        assert_eq!(p.targets.len(), 2);
        assert_eq!(p.targets[0].metric, "slips");
        let e = Precision::parse(&args(&["slipz=0.05"]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("did you mean `slips`") && e.contains("^^^^^"),
            "{e}"
        );
        let e = Precision::parse(&args(&["slips=-1"]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("from 0.000001 to 1") && e.contains("      ^^"),
            "{e}"
        );
        let e = Precision::parse(&args(&["slips"])).unwrap_err().to_string();
        assert!(e.contains("METRIC=REL"), "{e}");
        let e = Precision::parse(&args(&["slips=x"]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("`x` is not a number"), "{e}");
    }

    /// A metric with no value in the replications so far is not met, so the stages go on
    /// (doubling, with no spread to aim by); one with values in some replications is judged on
    /// those, and says how many.
    #[test]
    fn a_metric_with_no_value_yet_is_not_met_and_holds_the_run() {
        let p = Precision::parse(&args(&["makespan_days=0.5"])).unwrap();
        let rep = |days: f64| ReplicationMetrics {
            makespan_days: days,
            ..ReplicationMetrics::default()
        };
        let none = vec![rep(f64::NAN); 10];
        let c = p.check("", &none);
        assert!(!c[0].met && c[0].mean.is_nan(), "{c:?}");
        assert_eq!((c[0].replications, c[0].measured), (10, Some(0)));
        assert_eq!(p.next_total(10, &c, 100), Some(20));
        assert_eq!(p.next_total(100, &c, 100), None);
        let mut some = none.clone();
        some[3] = rep(40.0);
        some[5] = rep(41.0);
        some[8] = rep(40.5);
        let c = p.check("", &some);
        assert!(c[0].met, "{c:?}");
        assert_eq!((c[0].mean, c[0].measured), (40.5, Some(3)));
        let all = vec![rep(40.0); 4];
        assert_eq!(p.check("", &all)[0].measured, None);
    }

    #[test]
    fn stages_grow_towards_the_estimate_within_limits() {
        let p = Precision::parse(&args(&["slips=0.1"])).unwrap();
        let check = |half_width: f64| TargetCheck {
            variant: String::new(),
            metric: "slips".into(),
            relative: 0.1,
            replications: 10,
            measured: None,
            mean: 10.0,
            half_width,
            met: half_width <= 1.0,
        };
        assert_eq!(p.next_total(10, &[check(0.5)], 100), None);
        assert_eq!(p.next_total(10, &[check(1.2)], 100), Some(15));
        assert_eq!(p.next_total(10, &[check(5.0)], 100), Some(20));
        assert_eq!(p.next_total(10, &[check(5.0)], 12), Some(12));
        assert_eq!(p.next_total(12, &[check(5.0)], 12), None);
        assert_eq!(p.first_stage(4), 4);
        assert_eq!(Precision::default().first_stage(40), 40);
    }
}
