//! A `--precision` target's outcome in words, the same on the screen and in report.html: the
//! half-width as a share of the mean against the target, and a ceiling reached said, never hidden.

use serde_json::Value;

use super::figures::{ANY, estimate};
use crate::output::CellsMet;
use crate::study::precision::{MIN_RELATIVE, TargetCheck};

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
        "{target}: met in {} of {cells} cells; NOT met in {} (cell{} {}), the ceiling of {ceiling} replication{} (--reps) reached; each cell's interval is in summary.csv",
        t.cells_met,
        t.cells_not_met.len(),
        if t.cells_not_met.len() == 1 { "" } else { "s" },
        named.join(", "),
        if ceiling == 1 { "" } else { "s" }
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

/// What is wrong with a manifest's `precision` record, if anything: the key and why, as a
/// refusal of the folder says it. cutover writes a sweep's (`sweep_cells`: its number of cells)
/// with `targets`, each naming the cells that missed it; a run's or a comparison's with
/// `checks`; in both, what is said met is met and what is not reached the ceiling. A record
/// edited by hand would be reported as the command's finding, so it is read as strictly as a
/// CSV file.
pub(crate) fn record_problem(manifest: &Value, sweep_cells: Option<usize>) -> Option<String> {
    let record = manifest.get("precision").filter(|p| !p.is_null())?;
    let Some(ceiling) = record
        .get("ceiling")
        .and_then(Value::as_u64)
        .filter(|&c| c >= 1)
    else {
        return Some(refused(
            "ceiling",
            "not a number of replications from 1".into(),
        ));
    };
    let all_met = match sweep_cells {
        Some(cells) => sweep_targets(manifest, record, ceiling, cells),
        None => run_checks(record, ceiling),
    };
    match all_met {
        Err(problem) => Some(problem),
        Ok(all_met) if record.get("met").and_then(Value::as_bool) != Some(all_met) => {
            Some(refused("met", "not whether every target was met".into()))
        }
        Ok(_) => None,
    }
}

/// A refusal of the record's key `key` (under `precision.`) for `why`.
fn refused(key: &str, why: String) -> String {
    format!("`precision.{key}`: {why}")
}

/// The target `t` (key `key`) names a metric and a target in range: its `relative`.
fn target_of(key: &str, t: &Value) -> Result<f64, String> {
    let metric = t.get("metric").and_then(Value::as_str).unwrap_or("");
    if !crate::study::metric_names().contains(&metric) {
        return Err(format!(
            "`precision.{key}.metric`: not a metric of replications.csv"
        ));
    }
    t.get("relative")
        .and_then(Value::as_f64)
        .filter(|r| (MIN_RELATIVE..=1.0).contains(r))
        .ok_or_else(|| {
            refused(
                &format!("{key}.relative"),
                "not a target from 0.000001 to 1".into(),
            )
        })
}

/// A sweep's `targets`, against its grid of `cells` cells: whether every one was met in every
/// cell, or what is wrong.
fn sweep_targets(
    manifest: &Value,
    record: &Value,
    ceiling: u64,
    cells: usize,
) -> Result<bool, String> {
    let Some(targets) = record.get("targets").and_then(Value::as_array) else {
        return Err(refused(
            "targets",
            "a sweep's record lists its targets".into(),
        ));
    };
    // The grid's own targets, replications per cell and ceiling, which the record is of.
    let asked: Vec<String> = manifest
        .pointer("/grid/precision")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let asked = crate::study::precision::Precision::parse(&asked).unwrap_or_default();
    if asked.targets.len() != targets.len()
        || manifest
            .pointer("/grid/replications")
            .and_then(Value::as_u64)
            != Some(ceiling)
    {
        return Err(refused(
            "targets",
            "not the targets and ceiling of the grid's --precision".into(),
        ));
    }
    let used: Vec<u64> = manifest
        .get("cell_replications")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|n| n.as_u64().unwrap_or(0)).collect())
        .unwrap_or_default();
    let mut all_met = true;
    for (i, (t, asked)) in targets.iter().zip(&asked.targets).enumerate() {
        let key = format!("targets[{i}]");
        if target_of(&key, t)? != asked.relative || t["metric"] != asked.metric {
            return Err(refused(&key, "not the grid's --precision target".into()));
        }
        let not_met: Option<Vec<u64>> = t
            .get("cells_not_met")
            .and_then(Value::as_array)
            .and_then(|a| a.iter().map(Value::as_u64).collect());
        let key = format!("{key}.cells_not_met");
        let Some(not_met) = not_met else {
            return Err(refused(&key, "not a list of cells".into()));
        };
        if not_met.windows(2).any(|w| w[0] >= w[1])
            || not_met.last().is_some_and(|&c| c >= cells as u64)
        {
            return Err(refused(
                &key,
                format!("not cells of this {cells}-cell sweep, each once in order"),
            ));
        }
        if not_met
            .iter()
            .any(|&c| used.get(c as usize) != Some(&ceiling))
        {
            return Err(refused(
                &key,
                format!("a cell that stopped below the ceiling, {ceiling}, met its targets"),
            ));
        }
        if t.get("cells_met").and_then(Value::as_u64) != Some((cells - not_met.len()) as u64) {
            return Err(refused(
                &format!("targets[{i}].cells_met"),
                format!("not the {cells} cells less those not met"),
            ));
        }
        all_met &= not_met.is_empty();
    }
    Ok(all_met)
}

/// A run's or a comparison's `checks`: whether every one was met, or what is wrong.
fn run_checks(record: &Value, ceiling: u64) -> Result<bool, String> {
    let Some(checks) = record.get("checks").and_then(Value::as_array) else {
        return Err(refused(
            "checks",
            "a run's or a comparison's record lists its checks".into(),
        ));
    };
    let mut all_met = true;
    for (i, c) in checks.iter().enumerate() {
        let key = format!("checks[{i}]");
        let relative = target_of(&key, c)?;
        // A number, or null where there is none (NaN): no value in any replication, or in
        // fewer than two.
        for k in ["mean", "half_width"] {
            if !c.get(k).is_some_and(|v| v.is_number() || v.is_null()) {
                return Err(refused(&format!("{key}.{k}"), "not a number".into()));
            }
        }
        let number = |k: &str| c.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN);
        let (mean, half_width) = (number("mean"), number("half_width"));
        let measured = c.get("measured").and_then(Value::as_u64);
        if mean.is_nan() != (measured == Some(0)) {
            return Err(refused(
                &format!("{key}.mean"),
                "no mean only where no replication measured the metric".into(),
            ));
        }
        let replications = c.get("replications").and_then(Value::as_u64).unwrap_or(0);
        if !(1..=ceiling).contains(&replications) {
            return Err(refused(
                &format!("{key}.replications"),
                format!("not from 1 to the ceiling, {ceiling}"),
            ));
        }
        if c.get("measured")
            .is_some_and(|m| m.as_u64().is_none_or(|m| m > replications))
        {
            return Err(refused(
                &format!("{key}.measured"),
                "more than its replications".into(),
            ));
        }
        if half_width < 0.0 || mean.is_infinite() || half_width.is_infinite() {
            return Err(refused(
                &format!("{key}.half_width"),
                "not an interval's half-width".into(),
            ));
        }
        let meets = crate::study::precision::meets(mean, half_width, relative);
        if c.get("met").and_then(Value::as_bool) != Some(meets)
            || (!meets && replications < ceiling)
        {
            return Err(refused(
                &format!("{key}.met"),
                "not what its mean and half-width say, or unmet below the ceiling".into(),
            ));
        }
        all_met &= meets;
    }
    Ok(all_met)
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

    /// A precision record read back is held to what cutover writes: every edit that would have
    /// the report say something the numbers do not is refused, naming the key.
    #[test]
    fn a_record_that_does_not_add_up_is_refused_naming_its_key() {
        let sweep = serde_json::json!({
            "grid": {"precision": ["errors=0.01"], "replications": 20},
            "cell_replications": [20, 12, 20],
            "precision": {"ceiling": 20, "met": false, "targets": [
                {"metric": "errors", "relative": 0.01, "cells_met": 1, "cells_not_met": [0, 2]}]}});
        assert_eq!(record_problem(&sweep, Some(3)), None);
        assert_eq!(record_problem(&serde_json::json!({}), Some(3)), None);
        let edited = |path: &str, value: Value| {
            let mut m = sweep.clone();
            *m.pointer_mut(path).unwrap() = value;
            record_problem(&m, Some(3)).unwrap_or_default()
        };
        use serde_json::json;
        for (path, value, why) in [
            (
                "/precision/targets/0/cells_not_met",
                json!([0, 7]),
                "cells_not_met`: not cells of this 3-cell sweep",
            ),
            (
                "/precision/targets/0/cells_not_met",
                json!([2, 0]),
                "each once in order",
            ),
            (
                "/precision/targets/0/cells_not_met",
                json!([-1]),
                "not a list of cells",
            ),
            ("/precision/targets/0/cells_met", json!(3), "cells_met`"),
            ("/precision/targets/0/relative", json!(-0.5), "relative`"),
            ("/precision/targets/0/metric", json!("<b>"), "metric`"),
            ("/precision/met", json!(true), "`precision.met`"),
            (
                "/precision/ceiling",
                json!(500),
                "not the targets and ceiling of the grid's",
            ),
            (
                "/precision/targets/0/relative",
                json!(0.9),
                "not the grid's --precision target",
            ),
            (
                "/cell_replications",
                json!([20, 20, 12]),
                "stopped below the ceiling",
            ),
        ] {
            let problem = edited(path, value);
            assert!(problem.contains(why), "{why}: {problem}");
        }
        // A sweep's record in a run's manifest, and a run's checks that contradict themselves.
        assert!(
            record_problem(&sweep, None)
                .unwrap()
                .contains("`precision.checks`")
        );
        let run = |met: bool, replications: u64| {
            serde_json::json!({"precision": {"ceiling": 20, "met": met, "checks": [
                {"variant": "", "metric": "slips", "relative": 0.1, "replications": replications,
                 "mean": 10.0, "half_width": 2.0, "met": met}]}})
        };
        assert_eq!(record_problem(&run(false, 20), None), None);
        let mut no_mean = run(false, 20);
        no_mean["precision"]["checks"][0]["mean"] = Value::Null;
        assert!(
            record_problem(&no_mean, None)
                .unwrap()
                .contains("checks[0].mean")
        );
        no_mean["precision"]["checks"][0]["measured"] = serde_json::json!(0);
        no_mean["precision"]["checks"][0]["half_width"] = serde_json::json!("abc");
        assert!(
            record_problem(&no_mean, None)
                .unwrap()
                .contains("half_width`: not a number")
        );
        assert!(
            record_problem(&run(true, 20), None)
                .unwrap()
                .contains("checks[0].met")
        );
        assert!(
            record_problem(&run(false, 12), None)
                .unwrap()
                .contains("below the ceiling")
        );
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
