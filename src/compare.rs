//! Policy comparisons under common random numbers: every policy runs the same replications, and
//! differences from the baseline are paired replication by replication.
//!
//! Pairing is what makes a comparison cheap: replication r of every policy sees the same tenants
//! and the same luck per tenant and workitem, so most of the noise cancels in the difference.

use crate::model::ReplicationMetrics;
use crate::output::summarize_metric;
use crate::stats::{Summary, holm, paired_difference, t_test_p_value};

/// The family-wise error rate at which a difference is called significant.
pub const ALPHA: f64 = 0.05;

/// One policy's replications, in replication order.
#[derive(Clone, Debug)]
pub struct PolicyRuns {
    pub policy: String,
    pub metrics: Vec<ReplicationMetrics>,
}

/// One row of comparison.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct ComparisonRow {
    pub policy: String,
    pub metric: &'static str,
    /// The policy's own replications, the interval clamped to the metric's range.
    pub summary: Summary,
    /// Paired difference from the baseline (the first policy): this policy minus the baseline.
    pub difference: Summary,
    /// Two-sided paired t test of a zero difference; NaN for the baseline's own rows and where
    /// the metric has no value.
    pub p_value: f64,
    /// `p_value` adjusted by Holm's method over every row of the comparison that has one.
    pub p_holm: f64,
}

impl ComparisonRow {
    /// Whether the difference from the baseline is significant with the family-wise error rate
    /// held at 5% over the whole comparison (every policy and metric).
    pub fn significant(&self) -> bool {
        self.p_holm < ALPHA
    }
}

/// One metric's values over a policy's replications.
fn column(run: &PolicyRuns, metric: &str) -> Vec<f64> {
    let col = ReplicationMetrics::COLUMNS
        .iter()
        .position(|c| *c == metric)
        .expect("a known metric");
    run.metrics.iter().map(|m| m.values()[col]).collect()
}

/// Compares every policy with the first, metric by metric (identifier columns left out). The
/// p-values of all rows but the baseline's form one family for Holm's adjustment.
pub fn compare(runs: &[PolicyRuns]) -> Vec<ComparisonRow> {
    let Some(baseline) = runs.first() else {
        return Vec::new();
    };
    let tenants = ReplicationMetrics::tenants_of(runs.iter().flat_map(|r| &r.metrics));
    let mut rows = Vec::new();
    for &metric in ReplicationMetrics::COLUMNS {
        if ReplicationMetrics::ID_COLUMNS.contains(&metric) {
            continue;
        }
        let base = column(baseline, metric);
        for (i, run) in runs.iter().enumerate() {
            let values = column(run, metric);
            let difference = paired_difference(&base, &values);
            rows.push(ComparisonRow {
                policy: run.policy.clone(),
                metric,
                summary: summarize_metric(metric, &values, tenants),
                p_value: if i == 0 {
                    f64::NAN
                } else {
                    t_test_p_value(&difference)
                },
                difference,
                p_holm: f64::NAN,
            });
        }
    }
    let adjusted = holm(&rows.iter().map(|r| r.p_value).collect::<Vec<_>>());
    for (row, p) in rows.iter_mut().zip(adjusted) {
        row.p_holm = p;
    }
    rows
}

/// Which way a trade-off metric is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Lower,
    Higher,
}

impl Better {
    pub fn key(self) -> &'static str {
        match self {
            Better::Lower => "lower",
            Better::Higher => "higher",
        }
    }
}

/// The headline metrics weighed against each other in tradeoffs.csv, each with its better side:
/// the programme's outcome, the operators' and the help desk's load, and the users' cost.
pub const TRADEOFF_METRICS: &[(&str, Better)] = &[
    ("transitioned", Better::Higher),
    ("missed_deadline", Better::Lower),
    ("slips", Better::Lower),
    ("makespan_days", Better::Lower),
    ("operator_wait_p95_h", Better::Lower),
    ("helpdesk_wait_p95_h", Better::Lower),
    ("user_hours_lost", Better::Lower),
];

/// One row of tradeoffs.csv: a policy's mean of one trade-off metric beside the baseline's.
#[derive(Clone, Debug, PartialEq)]
pub struct TradeoffRow {
    pub policy: String,
    pub metric: &'static str,
    pub better: Better,
    pub mean: f64,
    pub baseline_mean: f64,
    /// From comparison.csv: the Holm-adjusted p-value of the difference from the baseline.
    pub p_holm: f64,
    /// The policies that dominate this one (empty if none).
    pub dominated_by: Vec<String>,
}

/// Whether `q` dominates `p`: no worse on any trade-off metric and better on at least one, where
/// "better" means a paired difference significant at 5% after Holm's adjustment over the
/// trade-off metrics of the pair, and "no worse" that `p` is not significantly better. Means that
/// differ by noise count as equal, so a policy is not spared by a lucky decimal.
fn dominates(q: &PolicyRuns, p: &PolicyRuns) -> bool {
    let mut p_values = Vec::new();
    let mut q_better = Vec::new();
    for &(metric, better) in TRADEOFF_METRICS {
        let d = paired_difference(&column(p, metric), &column(q, metric));
        p_values.push(t_test_p_value(&d));
        // d is q minus p.
        q_better.push(match better {
            Better::Lower => d.mean < 0.0,
            Better::Higher => d.mean > 0.0,
        });
    }
    let adjusted = holm(&p_values);
    let significant = |i: usize| adjusted[i] < ALPHA;
    let q_wins = (0..adjusted.len()).any(|i| significant(i) && q_better[i]);
    let p_wins = (0..adjusted.len()).any(|i| significant(i) && !q_better[i]);
    q_wins && !p_wins
}

/// tradeoffs.csv: every policy's trade-off metrics beside the baseline's, and the policies that
/// dominate it (compared pairwise, under the same common random numbers as the comparison).
pub fn tradeoffs(runs: &[PolicyRuns], rows: &[ComparisonRow]) -> Vec<TradeoffRow> {
    let Some(baseline) = runs.first() else {
        return Vec::new();
    };
    let mean = |policy: &str, metric: &str| {
        rows.iter()
            .find(|r| r.policy == policy && r.metric == metric)
            .map_or(f64::NAN, |r| r.summary.mean)
    };
    let mut out = Vec::new();
    for p in runs {
        let dominated_by: Vec<String> = runs
            .iter()
            .filter(|q| q.policy != p.policy && dominates(q, p))
            .map(|q| q.policy.clone())
            .collect();
        for &(metric, better) in TRADEOFF_METRICS {
            let p_holm = rows
                .iter()
                .find(|r| r.policy == p.policy && r.metric == metric)
                .map_or(f64::NAN, |r| r.p_holm);
            out.push(TradeoffRow {
                policy: p.policy.clone(),
                metric,
                better,
                mean: mean(&p.policy, metric),
                baseline_mean: mean(&baseline.policy, metric),
                p_holm,
                dominated_by: dominated_by.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(policy: &str, slips: &[u64]) -> PolicyRuns {
        let metrics = slips
            .iter()
            .enumerate()
            .map(|(r, &s)| ReplicationMetrics {
                replication: r as u64,
                slips: s,
                ..Default::default()
            })
            .collect();
        PolicyRuns {
            policy: policy.into(),
            metrics,
        }
    }

    #[test]
    fn differences_are_paired_against_the_first_policy() {
        let a_slips: Vec<u64> = (0..12).map(|r| 10 * r).collect();
        let b_slips: Vec<u64> = a_slips.iter().map(|s| s + 1 + s % 20 / 10).collect();
        let rows = compare(&[runs("a", &a_slips), runs("b", &b_slips)]);
        let b = rows
            .iter()
            .find(|r| r.policy == "b" && r.metric == "slips")
            .unwrap();
        assert!((b.difference.mean - 1.5).abs() < 1e-12);
        assert!(b.p_holm >= b.p_value && b.p_holm < 0.05);
        assert!(
            b.significant(),
            "a consistent +1 must be significant when paired"
        );
        let a = rows
            .iter()
            .find(|r| r.policy == "a" && r.metric == "slips")
            .unwrap();
        assert_eq!(a.difference.mean, 0.0);
        assert!(!a.significant() && a.p_value.is_nan());
        assert!(
            rows.iter()
                .all(|r| r.metric != "replication" && r.metric != "seed")
        );
    }
}

#[cfg(test)]
mod tradeoff_tests {
    use super::*;

    fn run(policy: &str, slips: &[u64], lost: &[f64]) -> PolicyRuns {
        PolicyRuns {
            policy: policy.into(),
            metrics: slips
                .iter()
                .zip(lost)
                .enumerate()
                .map(|(r, (&slips, &user_hours_lost))| ReplicationMetrics {
                    replication: r as u64,
                    tenants: 10,
                    slips,
                    user_hours_lost,
                    ..Default::default()
                })
                .collect(),
        }
    }

    #[test]
    fn a_policy_worse_on_everything_is_dominated_and_a_trade_off_is_not() {
        let base: Vec<u64> = (0..10).map(|r| 20 + r % 3).collect();
        let lost: Vec<f64> = (0..10).map(|r| 100.0 + f64::from(r % 4)).collect();
        let worse_slips: Vec<u64> = base.iter().map(|s| s + 5 + s % 2).collect();
        let fewer_slips: Vec<u64> = base.iter().map(|s| s - 10).collect();
        let more_lost: Vec<f64> = lost.iter().map(|l| l * 10.0).collect();
        let runs = [
            run("fifo", &base, &lost),
            run("worse", &worse_slips, &lost),
            run("tradeoff", &fewer_slips, &more_lost),
        ];
        let rows = compare(&runs);
        let table = tradeoffs(&runs, &rows);
        let dominated = |p: &str| {
            table
                .iter()
                .find(|t| t.policy == p)
                .map(|t| t.dominated_by.clone())
                .unwrap()
        };
        assert_eq!(dominated("worse"), ["fifo"]);
        assert!(dominated("fifo").is_empty());
        assert!(dominated("tradeoff").is_empty());
        let slips = table
            .iter()
            .find(|t| t.policy == "tradeoff" && t.metric == "slips")
            .unwrap();
        assert_eq!(slips.better, Better::Lower);
        assert!((slips.baseline_mean - 20.9).abs() < 1e-9);
    }
}
