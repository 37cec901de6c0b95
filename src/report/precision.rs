//! A `--precision` target's outcome in words, the same on the screen and in report.html: the
//! half-width as a share of the mean against the target, and a ceiling reached said, never hidden.

use serde_json::Value;

use super::figures::{ANY, estimate};
use crate::output::CellsMet;
use crate::study::precision::TargetCheck;

/// One `--precision` target's outcome in words: the half-width as a share of the mean, or, where
/// there is no such share, why (no value, the same value in every replication, a mean of 0).
pub(crate) fn line(c: &TargetCheck) -> String {
    let who = if c.variant.is_empty() {
        String::new()
    } else {
        format!("{}: ", c.variant)
    };
    let after = format!(
        "{} replication{}",
        c.replications,
        if c.replications == 1 { "" } else { "s" }
    );
    // The estimate is over the replications that measured the metric: said when some did not.
    let measured = match c.measured {
        Some(m) if !c.mean.is_nan() => format!(" ({m} with a value)"),
        _ => String::new(),
    };
    let outcome = if c.met {
        ""
    } else {
        ": NOT met, the ceiling (--reps) was reached"
    };
    let target = percent(100.0 * c.relative);
    if c.mean.is_nan() {
        return format!(
            "precision {who}{}: no value in any of {after}, so no estimate (target {target}%){outcome}",
            c.metric
        );
    }
    let share = if c.half_width == 0.0 {
        "the same in every replication".to_string()
    } else if c.mean == 0.0 || c.half_width.is_nan() {
        format!("target {target}% of the mean")
    } else {
        format!(
            "{:.1}% of the mean, target {target}%",
            100.0 * c.half_width / c.mean.abs()
        )
    };
    // The mean and half-width with the digits the interval supports.
    let w = estimate(c.mean, c.mean - c.half_width, c.mean + c.half_width, ANY);
    format!(
        "precision {who}{} mean {} +/- {} ({share}) after {after}{measured}{outcome}",
        c.metric,
        w.value,
        w.alike(c.half_width)
    )
}

/// A target in per cent: one decimal from 0.1%, else a number's significant digits (a target
/// of 0.0001% is not 0.0%).
fn percent(x: f64) -> String {
    if x >= 0.1 {
        format!("{x:.1}")
    } else {
        super::figures::number(x)
    }
}

/// Most cells a line names of those that did not meet a target; the rest are counted.
const CELLS_NAMED: usize = 12;

/// One `--precision` target over a sweep's `cells` cells in words, the same on the screen and
/// in report.html: in how many it was met, and which reached the `ceiling` without it.
pub(crate) fn cells_line(t: &CellsMet, cells: usize, ceiling: u64) -> String {
    let target = format!(
        "precision {} (target {}% of the mean)",
        t.metric,
        percent(100.0 * t.relative)
    );
    if t.cells_not_met.is_empty() {
        return format!("{target}: met in every one of the {cells} cells");
    }
    let mut named: Vec<String> = t
        .cells_not_met
        .iter()
        .take(CELLS_NAMED)
        .map(usize::to_string)
        .collect();
    let more = t.cells_not_met.len().saturating_sub(CELLS_NAMED);
    if more > 0 {
        named.push(format!("and {more} more"));
    }
    format!(
        "{target}: met in {} of {cells} cells; NOT met in {} (cell{} {}), the ceiling of {ceiling} replications (--reps) reached; each cell's interval is in summary.csv",
        t.cells_met,
        t.cells_not_met.len(),
        if t.cells_not_met.len() == 1 { "" } else { "s" },
        named.join(", ")
    )
}

/// The targets a sweep manifest's `precision` record holds, and its ceiling (none without
/// `--precision`).
pub(crate) fn cells_met(manifest: &Value) -> (Vec<CellsMet>, u64) {
    let Some(record) = manifest.get("precision") else {
        return (Vec::new(), 0);
    };
    let ceiling = record.get("ceiling").and_then(Value::as_u64).unwrap_or(0);
    let targets = record
        .get("targets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|t| CellsMet {
            metric: t.get("metric").and_then(Value::as_str).unwrap_or("").into(),
            relative: t
                .get("relative")
                .and_then(Value::as_f64)
                .unwrap_or(f64::NAN),
            cells_met: t.get("cells_met").and_then(Value::as_u64).unwrap_or(0),
            cells_not_met: t
                .get("cells_not_met")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_u64().map(|c| c as usize))
                .collect(),
        })
        .collect();
    (targets, ceiling)
}

/// The checks a manifest's `precision` record holds (none without `--precision`).
pub(crate) fn checks(manifest: &Value) -> Vec<TargetCheck> {
    let number = |c: &Value, key: &str| c.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN);
    manifest
        .get("precision")
        .and_then(|p| p.get("checks"))
        .and_then(Value::as_array)
        .map(|checks| {
            checks
                .iter()
                .map(|c| TargetCheck {
                    variant: c
                        .get("variant")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .into(),
                    metric: c.get("metric").and_then(Value::as_str).unwrap_or("").into(),
                    relative: number(c, "relative"),
                    replications: c.get("replications").and_then(Value::as_u64).unwrap_or(0),
                    measured: c.get("measured").and_then(Value::as_u64),
                    mean: number(c, "mean"),
                    half_width: number(c, "half_width"),
                    met: c.get("met").and_then(Value::as_bool) == Some(true),
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sweep_target_names_the_cells_that_did_not_meet_it() {
        let mut t = CellsMet {
            metric: "errors".into(),
            relative: 0.01,
            cells_met: 6,
            cells_not_met: Vec::new(),
        };
        assert_eq!(
            cells_line(&t, 6, 20),
            "precision errors (target 1.0% of the mean): met in every one of the 6 cells"
        );
        t.cells_met = 2;
        t.cells_not_met = vec![0, 1, 3, 4];
        assert_eq!(
            cells_line(&t, 6, 20),
            "precision errors (target 1.0% of the mean): met in 2 of 6 cells; NOT met in 4 (cells 0, 1, 3, 4), the ceiling of 20 replications (--reps) reached; each cell's interval is in summary.csv"
        );
        t.cells_met = 0;
        t.cells_not_met = (0..20).collect();
        assert!(
            cells_line(&t, 20, 20)
                .contains("(cells 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, and 8 more)")
        );
        let manifest =
            serde_json::json!({"precision": {"ceiling": 20, "met": false, "targets": [t]}});
        assert_eq!(cells_met(&manifest), (vec![t], 20));
    }

    #[test]
    fn a_small_target_keeps_its_digits() {
        assert_eq!(percent(5.0), "5.0");
        assert_eq!(percent(100.0), "100.0");
        assert_eq!(percent(0.1), "0.1");
        assert_eq!(percent(0.05), "0.05");
        assert_eq!(percent(0.0001), "0.0001");
    }

    #[test]
    fn precision_lines_never_show_nan() {
        let check = |mean: f64, half_width: f64, met: bool| TargetCheck {
            variant: String::new(),
            metric: "slips".into(),
            relative: 0.05,
            replications: 10,
            measured: None,
            mean,
            half_width,
            met,
        };
        assert_eq!(
            line(&check(2.0, 0.05, true)),
            "precision slips mean 2.00 +/- 0.05 (2.5% of the mean, target 5.0%) after 10 replications"
        );
        assert_eq!(
            line(&check(0.0, 0.0, true)),
            "precision slips mean 0 +/- 0 (the same in every replication) after 10 replications"
        );
        assert!(line(&check(0.0, 0.4, false)).contains("(target 5.0% of the mean)"));
        let none = TargetCheck {
            measured: Some(0),
            ..check(f64::NAN, f64::NAN, false)
        };
        assert_eq!(
            line(&none),
            "precision slips: no value in any of 10 replications, so no estimate (target 5.0%): NOT met, the ceiling (--reps) was reached"
        );
        let some = TargetCheck {
            measured: Some(7),
            ..check(2.0, 0.05, true)
        };
        assert!(
            line(&some).ends_with("after 10 replications (7 with a value)"),
            "{}",
            line(&some)
        );
        for line in [
            line(&check(0.0, 0.0, true)),
            line(&check(0.0, 0.4, false)),
            line(&none),
        ] {
            assert!(!line.contains("NaN") && !line.contains("inf"), "{line}");
        }
    }

    #[test]
    fn checks_read_back_from_the_manifest() {
        let check = TargetCheck {
            variant: "fifo".into(),
            metric: "errors".into(),
            relative: 0.01,
            replications: 12,
            measured: Some(11),
            mean: 18.8,
            half_width: 1.9,
            met: false,
        };
        let manifest = serde_json::json!({"precision": {"ceiling": 12, "checks": [check]}});
        assert_eq!(checks(&manifest), [check]);
        assert!(checks(&serde_json::json!({"precision": null})).is_empty());
    }
}
