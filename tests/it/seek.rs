//! `cutover seek`: the cheapest setting that meets the constraints, the same as an exhaustive
//! sweep with many replications would say, for a constraint on a mean and one on a probability,
//! with fewer replications; bad input pointed at.

use std::path::Path;

use crate::common::{assert_bad_input, assert_success, cutover, read_csv, temp_dir};

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
