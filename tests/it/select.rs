//! `cutover select`: one policy chosen, the same for any thread count, bad input pointed at. The
//! probability of correct selection is checked by simulation in `study::select`'s unit tests
//! (synthetic systems, many seeds), where it is cheap.

use crate::common::{
    SMALL_SCENARIO, assert_bad_input, assert_success, cutover, read_csv, temp_dir, write_file,
};

/// Stopped by the ceiling, a policy still in contention was never eliminated: selection.csv
/// leaves its `eliminated_after` empty, as for the chosen one, and the fixed-sample design of a
/// tiny `--delta` is said to need more than any count, not a number that wrapped round.
#[test]
fn at_the_ceiling_no_policy_left_is_said_to_be_eliminated() {
    let dir = temp_dir();
    let file = write_file(dir.path(), "s.toml", SMALL_SCENARIO);
    let run = cutover(
        dir.path(),
        &[
            "select",
            file.as_str(),
            "--policies",
            "fifo,smallest-first",
            "--metric",
            "errors",
            "--delta",
            "1e-9",
            "--reps",
            "12",
            "--out",
            "o",
        ],
    );
    assert_success(&run);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        stdout.contains("the ceiling (--reps 12) was reached"),
        "{stdout}"
    );
    assert!(
        stdout.contains("needs more than 1000000000000000 per policy"),
        "{stdout}"
    );
    let csv = read_csv(&dir.path().join("o/selection.csv"));
    assert_eq!(csv.column("eliminated_after"), ["", ""]);
    assert_eq!(csv.column("replications"), ["12", "12"]);
    let report = std::fs::read_to_string(dir.path().join("o/report.html")).unwrap();
    assert!(report.contains("would have run more than 1e15 per policy"));
}

#[test]
fn select_chooses_one_policy_the_same_for_any_thread_count() {
    let dir = temp_dir();
    let file = write_file(dir.path(), "s.toml", SMALL_SCENARIO);
    let args = |threads: &'static str, out: &'static str| {
        [
            "select",
            file.as_str(),
            "--policies",
            "fifo,smallest-first,largest-first",
            "--metric",
            "errors",
            "--delta",
            "5",
            "--n0",
            "5",
            "--threads",
            threads,
            "--out",
            out,
        ]
        .to_vec()
    };
    let run = cutover(dir.path(), &args("1", "one"));
    assert_success(&run);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        stdout.contains("selected ") && stdout.contains("fixed-sample"),
        "{stdout}"
    );
    // The screen's table says its headings in words; selection.csv keeps its column names.
    let heading = stdout.lines().find(|l| l.contains("policy")).unwrap();
    assert_eq!(
        heading.split_whitespace().collect::<Vec<_>>(),
        ["policy", "replications", "mean", "eliminated", "after"],
        "{stdout}"
    );
    assert!(
        stdout.lines().all(|l| l.chars().count() <= 80),
        "a line is wider than 80 columns:\n{stdout}"
    );
    // `plot` rebuilds the report of a folder with no charts, and says there are none.
    let plot = cutover(dir.path(), &["plot", "one"]);
    assert_success(&plot);
    let said = String::from_utf8_lossy(&plot.stdout);
    assert!(said.starts_with("no charts to draw\nreport: "), "{said}");
    assert!(!dir.path().join("one/charts").exists());
    assert_success(&cutover(
        dir.path(),
        &[args("2", "two"), vec!["-q"]].concat(),
    ));
    let one = std::fs::read(dir.path().join("one/selection.csv")).unwrap();
    let two = std::fs::read(dir.path().join("two/selection.csv")).unwrap();
    assert!(one == two, "selection.csv differs with the thread count");
    let csv = read_csv(&dir.path().join("one/selection.csv"));
    assert_eq!(
        csv.headers,
        [
            "policy",
            "replications",
            "mean",
            "eliminated_after",
            "selected"
        ]
    );
    let selected: Vec<&str> = csv.column("selected");
    assert_eq!(selected.iter().filter(|s| **s == "true").count(), 1);
    for (row, sel) in csv.column("eliminated_after").iter().zip(&selected) {
        assert_eq!(
            row.is_empty(),
            *sel == "true",
            "only the selected is never eliminated"
        );
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("one/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["study"]["kind"], "select");
    let total: u64 = csv.numbers("replications").iter().map(|&r| r as u64).sum();
    assert_eq!(manifest["replications"].as_u64(), Some(total));
}

#[test]
fn bad_select_arguments_exit_2_naming_the_flag() {
    let dir = temp_dir();
    let file = write_file(dir.path(), "s.toml", SMALL_SCENARIO);
    let run = |extra: &[&str]| {
        let base = [
            "select",
            file.as_str(),
            "--policies",
            "fifo,smallest-first",
            "-q",
        ];
        cutover(dir.path(), &[&base[..], extra].concat())
    };
    assert_bad_input(
        &run(&["--metric", "slipz", "--delta", "1"]),
        &["--metric `slipz`", "did you mean `slips`", "^^^^^"],
    );
    assert_bad_input(
        &run(&["--metric", "slips", "--delta", "0"]),
        &["--delta 0", "positive"],
    );
    assert_bad_input(
        &run(&["--metric", "slips", "--delta", "-2"]),
        &["--delta -2"],
    );
    assert_bad_input(
        &run(&["--metric", "slips", "--delta", "1", "--alpha", "0.5"]),
        &["--alpha 0.5", "below 0.5"],
    );
    assert_bad_input(
        &run(&["--metric", "slips", "--delta", "1", "--n0", "1"]),
        &["--n0 1"],
    );
    assert_bad_input(
        &cutover(
            dir.path(),
            &[
                "select",
                &file,
                "--policies",
                "fifo,smalest-first",
                "--metric",
                "slips",
                "--delta",
                "1",
            ],
        ),
        &["did you mean `smallest-first`"],
    );
    assert!(
        !dir.path().join("output").exists(),
        "nothing written on bad input"
    );
}

/// A metric that some replications do not measure (`makespan_days` where the only tenant stays
/// blocked past the horizon) has no mean to choose on: `select` stops after the stage that
/// finds it, naming each policy with how many of its replications lacked it, exits 2 the same
/// for any thread count, and leaves its folder with no results (no manifest, no selection.csv,
/// nothing of the run it replaced).
#[test]
fn a_metric_some_replications_lack_stops_select_naming_the_policies() {
    let dir = temp_dir();
    let file = write_file(dir.path(), "s.toml", SMALL_SCENARIO);
    let select = |metric: &str, threads: &str| {
        cutover(
            dir.path(),
            &[
                "select",
                &file,
                "--policies",
                "fifo,smallest-first",
                "--metric",
                metric,
                "--delta",
                "1",
                "--n0",
                "8",
                "--reps",
                "40",
                "--set",
                "population.tenants=1",
                "--set",
                "population.blocked_fraction=0.3",
                "--set",
                "population.blocked_days={ dist = \"uniform\", low = 400, high = 500 }",
                "--threads",
                threads,
                "--out",
                "f",
                "-q",
            ],
        )
    };
    assert_success(&select("slips", "1"));
    assert!(dir.path().join("f/manifest.json").exists());
    let one = select("makespan_days", "1");
    let stderr = assert_bad_input(
        &one,
        &[
            "--metric makespan_days: some replications have no value of it (fifo in ",
            " of 8 replications, replication ",
            "; smallest-first in ",
            "its mean over replications is not defined",
            "(no results are in ",
        ],
    );
    for f in ["manifest.json", "selection.csv", "report.html"] {
        assert!(
            !dir.path().join("f").join(f).exists(),
            "{f} left in the folder"
        );
    }
    let two = select("makespan_days", "2");
    assert_eq!(String::from_utf8_lossy(&two.stderr), stderr);
    // Pools observed from a day after every replication stopped: none has a value, and it says so.
    let late = cutover(
        dir.path(),
        &[
            "select",
            &file,
            "--policies",
            "fifo,smallest-first",
            "--metric",
            "operator_queue_mean",
            "--delta",
            "1",
            "--n0",
            "4",
            "--set",
            "calendar.observe_from=2013-01-30",
            "--set",
            "population.tenants=5",
            "--out",
            "g",
            "-q",
        ],
    );
    assert_bad_input(
        &late,
        &[
            "--metric operator_queue_mean: no replication has a value of it (fifo in 4 of 4 replications, replication 0 first; smallest-first in 4 of 4",
        ],
    );
}

/// A refused `--alpha` or `--delta` is written as given, as a setting is on the screen and in
/// the report: `--alpha 1e300` was written as 301 digits.
#[test]
fn a_refused_alpha_or_delta_is_written_as_given() {
    let dir = temp_dir();
    for (flags, said) in [
        (
            &["--delta", "1", "--alpha", "1e300"][..],
            "--alpha 1e300: must be at least 0.000001 and below 0.5",
        ),
        // Below 1e-6 the fixed-sample figure was n0: `1 - alpha` rounded to 1.
        (
            &["--delta", "1", "--alpha", "1e-16"],
            "--alpha 1e-16: must be at least 0.000001",
        ),
        (
            &["--delta", "1", "--alpha=-5e-324"],
            "--alpha -5e-324: must be",
        ),
        (
            &["--delta", "-1e300", "--alpha", "0.05"],
            "--delta -1e300: the indifference",
        ),
        (
            &["--delta", "nan", "--alpha", "0.05"],
            "--delta NaN: the indifference",
        ),
        (&["--delta", "1", "--alpha", "inf"], "--alpha inf: must be"),
    ] {
        let run = cutover(
            dir.path(),
            &[
                &["select", "small-pilot", "--policies", "fifo,smallest-first"][..],
                &["--metric", "errors", "-q"],
                flags,
            ]
            .concat(),
        );
        let err = assert_bad_input(&run, &[said]);
        assert!(!err.contains("0000000000"), "{err}");
    }
}

/// An indifference zone far below any digit (`--delta 5e-324`) is written as given, on the
/// screen and in the report, not as a row of 323 zeros.
#[test]
fn a_tiny_delta_is_written_as_given() {
    let dir = temp_dir();
    let out = cutover(
        dir.path(),
        &[
            "select",
            "small-pilot",
            "--policies",
            "fifo,smallest-first",
            "--metric",
            "errors",
            "--delta",
            "5e-324",
            "--reps",
            "10",
            "--out",
            "o",
        ],
    );
    assert_success(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("within 5e-324 of the best"), "{stdout}");
    let report = std::fs::read_to_string(dir.path().join("o/report.html")).unwrap();
    assert!(report.contains("within 5e-324"));
    for text in [&*stdout, &report] {
        assert!(!text.contains("0.0000000000"), "{text}");
    }
}

/// The probability `select` states is 1 - alpha exactly, on the screen and in the report: an
/// alpha of 1e-300 (refused now) was stated as probability >= 1, a certainty; 0.07 as
/// 0.9299999999999999. The smallest alpha taken is stated whole.
#[test]
fn select_states_its_probability_truthfully_for_any_alpha() {
    let dir = temp_dir();
    for (alpha, stated) in [("1e-6", "0.999999"), ("0.07", "0.93"), ("0.05", "0.95")] {
        let out = dir.path().join(format!("sel-{alpha}"));
        let run = cutover(
            dir.path(),
            &[
                "select",
                "small-pilot",
                "--policies",
                "fifo,smallest-first",
                "--metric",
                "errors",
                "--delta",
                "1",
                "--alpha",
                alpha,
                "--n0",
                "2",
                "--reps",
                "2",
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert_success(&run);
        // The screen wraps its lines: read it as words.
        let screen = String::from_utf8_lossy(&run.stdout)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            screen.contains(&format!("with probability >= {stated} (")),
            "{alpha}: {screen}"
        );
        let report = std::fs::read_to_string(out.join("report.html")).unwrap();
        assert!(
            report.contains(&format!("with probability at least {stated} of")),
            "{alpha}: the question"
        );
        assert!(
            report.contains(&format!("with probability at least {stated} its mean")),
            "{alpha}: the answer"
        );
        for certain in ["at least 1 of", "at least 1 its"] {
            assert!(!report.contains(certain), "{alpha}");
        }
        assert!(!screen.contains(">= 1 ("), "{alpha}");
    }
}
