//! `cutover seek`: the cheapest setting that meets the constraints, the same as an exhaustive
//! sweep with many replications would say, for a constraint on a mean and one on a probability,
//! with fewer replications; replications without a value of a constraint's metric counted by
//! what their empty cell means; bad input pointed at, in the arguments and in a seek.csv that
//! `plot` reads back.

use std::path::Path;

use crate::common::{
    SMALL_SCENARIO, assert_bad_input, assert_success, cutover, read_csv, temp_dir, write_file,
};

/// An exhaustive sweep of `helpdesk.weekday` over 1..=5 with `reps` replications per cell.
fn sweep_all(dir: &Path, reps: &str) {
    let run = cutover(
        dir,
        &[
            "sweep",
            "small-pilot",
            "--set",
            "sweep.helpdesk.weekday=[1, 2, 3, 4, 5]",
            "--reps",
            reps,
            "--no-charts",
            "-q",
            "--out",
            "exhaustive",
        ],
    );
    assert_success(&run);
}

/// The exhaustive answer: the cheapest cell whose point estimate meets `meets(values)`.
fn exhaustive(dir: &Path, metric: &str, meets: impl Fn(&[f64]) -> bool) -> (String, usize) {
    let csv = read_csv(&dir.join("exhaustive/replications.csv"));
    let (staff, values) = (csv.column("helpdesk.weekday"), csv.numbers(metric));
    let total = values.len();
    for s in ["1", "2", "3", "4", "5"] {
        let cell: Vec<f64> = staff
            .iter()
            .zip(&values)
            .filter(|(w, _)| **w == s)
            .map(|(_, v)| *v)
            .collect();
        if meets(&cell) {
            return (s.to_string(), total);
        }
    }
    ("none".into(), total)
}

fn seek(dir: &Path, out: &str, require: &str) -> (String, usize) {
    let run = cutover(
        dir,
        &[
            "seek",
            "small-pilot",
            "--vary",
            "helpdesk.weekday=1..5",
            "--require",
            require,
            "--out",
            out,
        ],
    );
    assert_success(&run);
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let csv = read_csv(&dir.join(out).join("seek.csv"));
    let met: Vec<&str> = csv
        .column("verdict")
        .iter()
        .zip(csv.column("helpdesk.weekday"))
        .filter(|(v, _)| **v == "met")
        .map(|(_, s)| s)
        .collect();
    let answer = met.first().map_or("none".to_string(), |s| s.to_string());
    assert!(
        stdout.contains(&format!("helpdesk.weekday={answer}")),
        "{stdout}"
    );
    let reps: usize = csv
        .numbers("replications")
        .iter()
        .map(|&r| r as usize)
        .sum();
    (answer, reps)
}

#[test]
fn seek_agrees_with_an_exhaustive_sweep_on_a_mean_and_a_probability() {
    let dir = temp_dir();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64 <= 5.0;
    sweep_all(dir.path(), "40");
    let (want, exhaustive_reps) = exhaustive(dir.path(), "helpdesk_wait_p95_h", mean);
    let (got, reps) = seek(dir.path(), "mean", "mean(helpdesk_wait_p95_h) <= 5");
    assert_eq!(got, want);
    assert!(
        reps < exhaustive_reps,
        "{reps} replications against {exhaustive_reps}"
    );

    let share = |v: &[f64]| v.iter().filter(|&&x| x <= 8.0).count() as f64 / v.len() as f64 >= 0.8;
    let (want, _) = exhaustive(dir.path(), "helpdesk_wait_p95_h", share);
    let (got, reps) = seek(dir.path(), "prob", "P(helpdesk_wait_p95_h <= 8) >= 0.8");
    assert_eq!(got, want);
    assert!(
        reps < exhaustive_reps,
        "{reps} replications against {exhaustive_reps}"
    );
    let csv = read_csv(&dir.path().join("prob/seek.csv"));
    for column in [
        "setting",
        "cost",
        "replications",
        "verdict",
        "constraint1_estimate",
        "constraint1_bound",
        "constraint1_verdict",
        "constraint1_measured",
    ] {
        csv.index(column);
    }
}

#[test]
fn bad_seek_arguments_exit_2_at_the_place_in_the_argument() {
    let dir = temp_dir();
    let run = |vary: &str, require: &str| {
        cutover(
            dir.path(),
            &[
                "seek",
                "small-pilot",
                "--vary",
                vary,
                "--require",
                require,
                "-q",
            ],
        )
    };
    let ok_require = "mean(slips) <= 3";
    assert_bad_input(
        &run("helpdesk.weekday=5..1", ok_require),
        &["--vary `helpdesk.weekday=5..1`", "empty"],
    );
    assert_bad_input(
        &run("helpdesk.weekday=1..x", ok_require),
        &["`x` is not a whole number"],
    );
    assert_bad_input(
        &run("copy.slots_per_tenant=1..3", ok_require),
        &["--vary `copy.slots_per_tenant=1..3`"],
    );
    assert_bad_input(
        &run("helpdesk.weekday=1..3", "mean(slipz) <= 3"),
        &["did you mean `slips`", "^^^^^"],
    );
    assert_bad_input(
        &run("helpdesk.weekday=1..3", "mean(slips) == 3"),
        &["--require"],
    );
    assert_bad_input(
        &run("helpdesk.weekday=1..3", "P(slips <= 2) >= 1.5"),
        &["between 0 and 1"],
    );
    // `nan` and `inf` parse as numbers: every setting would fail, or meet, for nothing.
    assert_bad_input(
        &run("helpdesk.weekday=1..3", "mean(slips) <= nan"),
        &["`nan` is not a finite number", "^^^"],
    );
    assert_bad_input(
        &run("helpdesk.weekday=1..3", "P(slips <= inf) >= 0.9"),
        &["`inf` is not a finite number"],
    );
    assert!(
        !dir.path().join("output").exists(),
        "nothing written on bad input"
    );
}

/// Every tenant blocked for an exponential time (mean 200 days) in a calendar of 270: with few
/// tenants, some replications transition nobody before `calendar.end` and have no makespan (one
/// tenant: 3 of the first 10), and most have no failure for an operator to resolve. The mean
/// makespan of those that have one is well under the threshold (143 days over 7 replications
/// for one tenant, bound about 200), which used to meet it at `population.tenants=1`; a
/// replication that transitioned nobody is past any threshold, so one tenant, and two (1 of
/// 10), fail, and three (10 of 10) is the answer. The operators' wait, which has nothing to
/// measure where nothing failed, is a mean over the replications that measured it, said so.
#[test]
fn a_mean_of_makespan_fails_where_some_replications_transition_nobody() {
    let dir = temp_dir();
    let run = cutover(
        dir.path(),
        &[
            "seek",
            "small-pilot",
            "--vary",
            "population.tenants=1..8",
            "--require",
            "mean(makespan_days) <= 262",
            "--require",
            "mean(operator_wait_mean_h) <= 1000",
            "--set",
            "population.blocked_fraction=1",
            "--set",
            "population.blocked_days={dist=\"exponential\", mean=200}",
            "--out",
            "blocked",
        ],
    );
    assert_success(&run);
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let csv = read_csv(&dir.path().join("blocked/seek.csv"));
    let column =
        |name: &str| -> Vec<String> { csv.column(name).iter().map(|s| s.to_string()).collect() };
    assert_eq!(column("population.tenants"), ["1", "2", "3"]);
    assert_eq!(column("verdict"), ["failed", "failed", "met"]);
    assert_eq!(column("replications"), ["10", "10", "10"]);
    assert_eq!(column("constraint1_verdict"), ["failed", "failed", "met"]);
    assert_eq!(column("constraint1_measured"), ["7", "9", "10"]);
    // A mean with a value past the end has no bound.
    assert_eq!(column("constraint1_bound")[..2], ["", ""]);
    let waits = column("constraint2_measured");
    let measured: u64 = waits[2].parse().unwrap();
    assert!(measured < 10, "{waits:?}");
    assert!(
        stdout.contains("cheapest setting that meets every constraint: population.tenants=3"),
        "{stdout}"
    );
    let words = format!("mean over {measured} of 10 replications");
    let flat = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    for said in [
        words.as_str(),
        "`mean(makespan_days) <= 262` is not met at 2 settings where replications had no value of makespan_days (population.tenants=1: 3 of 10 replications; population.tenants=2: 1 of 10 replications): in such a replication no tenant transitioned before the calendar's end",
    ] {
        assert!(flat.contains(said), "{said} not in {stdout}");
    }
    let report = std::fs::read_to_string(dir.path().join("blocked/report.html")).unwrap();
    for said in [
        words.as_str(),
        "is not met at 2 settings where replications had no value of makespan_days",
    ] {
        assert!(report.contains(said), "{said} not in the report");
    }
}

/// Every metric that can have an empty cell says what it means there (past the end, or nothing
/// to measure), as seek counts a replication without a value by it: every tenant blocked past
/// the calendar empties the metrics of the transition, and a window that opens after three
/// tenants are done empties the pools' time averages.
#[test]
fn every_metric_that_can_be_empty_says_what_its_empty_cell_means() {
    use cutover::model::ReplicationMetrics;
    let dir = temp_dir();
    let mut empty = std::collections::BTreeSet::new();
    for (out, set) in [
        (
            "blocked",
            &[
                // Blocked for a time that can be short (a scenario that holds every tenant past
                // the last plan is refused), but here is never short enough.
                "population.blocked_fraction=1",
                "population.blocked_days={ dist = \"exponential\", mean = 1000000 }",
            ][..],
        ),
        ("late", &["calendar.observe_from=2012-05-20"]),
    ] {
        let mut args = vec![
            "run",
            "small-pilot",
            "--reps",
            "2",
            "--no-charts",
            "-q",
            "--out",
            out,
            "--set",
            "population.tenants=3",
        ];
        for &s in set {
            args.extend(["--set", s]);
        }
        assert_success(&cutover(dir.path(), &args));
        let csv = read_csv(&dir.path().join(out).join("replications.csv"));
        for h in &csv.headers {
            if csv.column(h).iter().any(|v| v.is_empty()) {
                empty.insert(h.clone());
            }
        }
    }
    let classified: std::collections::BTreeSet<String> = ReplicationMetrics::PAST_THE_END
        .iter()
        .map(|(m, _)| m.to_string())
        .chain(
            ReplicationMetrics::NOTHING_TO_MEASURE
                .iter()
                .map(|m| m.to_string()),
        )
        .collect();
    assert_eq!(empty, classified);
}

/// `plot` reads seek.csv's verdicts back as the words seek writes them (`Verdict::key`): a
/// verdict it does not know, in a hand-edited file, is bad input naming the file, line and
/// column, and the folder keeps its report. It was taken for `failed` (a constraint's, in the
/// closest constraint's sentence) or passed over (a setting's, leaving the answer without its
/// estimates), and the report drawn without a word.
#[test]
fn plot_refuses_a_verdict_seek_never_writes_naming_its_line_and_column() {
    let dir = temp_dir();
    let scenario = write_file(dir.path(), "small.toml", SMALL_SCENARIO);
    let seek = |require: &str, out: &str| {
        let args = [
            "seek",
            &scenario,
            "--vary",
            "operators.weekend=1..2",
            "--require",
            require,
            "--reps",
            "2",
            "--out",
            out,
            "-q",
        ];
        assert_success(&cutover(dir.path(), &args));
        assert_success(&cutover(dir.path(), &["plot", out]));
    };
    // One setting that meets the constraint, the answer: the setting's verdict is read.
    seek("mean(slips) <= 1000", "met");
    // No setting meets it: every constraint's verdict is read for the closest one.
    seek("mean(slips) <= 0", "unmet");
    let edit = |out: &str, from: &str, to: &str| {
        let path = dir.path().join(out).join("seek.csv");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{text}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        std::fs::read(dir.path().join(out).join("report.html")).unwrap()
    };
    let report = edit("met", ",met,", ",Met,");
    assert_bad_input(
        &cutover(dir.path(), &["plot", "met"]),
        &[
            "met/seek.csv: line 2, column 5 (`verdict`): `Met` is not a verdict (met, failed or uncertain)",
        ],
    );
    assert_eq!(
        std::fs::read(dir.path().join("met/report.html")).unwrap(),
        report
    );
    let report = edit("unmet", "uncertain,2\n", "maybe,2\n");
    assert_bad_input(
        &cutover(dir.path(), &["plot", "unmet"]),
        &[
            "unmet/seek.csv: line 2, column 8 (`constraint1_verdict`): `maybe` is not a verdict (met, failed or uncertain)",
        ],
    );
    assert_eq!(
        std::fs::read(dir.path().join("unmet/report.html")).unwrap(),
        report
    );
    edit("unmet", ",maybe,2\n", ",,2\n");
    assert_bad_input(
        &cutover(dir.path(), &["plot", "unmet"]),
        &[
            "unmet/seek.csv: line 2, column 8 (`constraint1_verdict`): an empty cell is not a verdict",
        ],
    );
}
