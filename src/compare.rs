//! Policy comparisons under common random numbers: every policy runs the same replications, and
//! differences from the baseline are paired replication by replication.
//!
//! Pairing is what makes a comparison cheap: replication r of every policy sees the same tenants
//! and the same luck per tenant and workitem, so most of the noise cancels in the difference.

use crate::model::ReplicationMetrics;
use crate::stats::{Summary, paired_difference, summarize};

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
    pub summary: Summary,
    /// Paired difference from the baseline (the first policy): this policy minus the baseline.
    pub difference: Summary,
}

impl ComparisonRow {
    /// Whether the paired 95% interval of the difference excludes zero.
    pub fn significant(&self) -> bool {
        self.difference.ci95_low > 0.0 || self.difference.ci95_high < 0.0
    }
}

/// Compares every policy with the first, metric by metric (identifier columns left out).
pub fn compare(runs: &[PolicyRuns]) -> Vec<ComparisonRow> {
    let Some(baseline) = runs.first() else {
        return Vec::new();
    };
    let column = |run: &PolicyRuns, col: usize| -> Vec<f64> {
        run.metrics.iter().map(|m| m.values()[col]).collect()
    };
    let mut rows = Vec::new();
    for (col, &metric) in ReplicationMetrics::COLUMNS.iter().enumerate() {
        if ReplicationMetrics::ID_COLUMNS.contains(&metric) {
            continue;
        }
        let base = column(baseline, col);
        for run in runs {
            let values = column(run, col);
            rows.push(ComparisonRow {
                policy: run.policy.clone(),
                metric,
                summary: summarize(&values),
                difference: paired_difference(&base, &values),
            });
        }
    }
    rows
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
        let rows = compare(&[runs("a", &[10, 20, 30, 40]), runs("b", &[11, 21, 31, 42])]);
        let b = rows
            .iter()
            .find(|r| r.policy == "b" && r.metric == "slips")
            .unwrap();
        assert!((b.difference.mean - 1.25).abs() < 1e-12);
        assert!(
            b.significant(),
            "a consistent +1 must be significant when paired"
        );
        let a = rows
            .iter()
            .find(|r| r.policy == "a" && r.metric == "slips")
            .unwrap();
        assert_eq!(a.difference.mean, 0.0);
        assert!(!a.significant());
        assert!(
            rows.iter()
                .all(|r| r.metric != "replication" && r.metric != "seed")
        );
    }
}
