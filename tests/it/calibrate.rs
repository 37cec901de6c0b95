//! `cutover calibrate`: known values recovered from a run's own weeks, a key that cannot move the
//! observed columns reported as not identifiable, the same files for any thread count, the
//! calibrated scenario accepted by `run`, and bad observations or ranges refused where they are.

use std::path::Path;

use crate::common::{
    Csv, assert_bad_input, assert_success, cutover, read_csv, temp_dir, write_file,
};

/// The values the observed programme really had.
const HARD: f64 = 0.03;
const TRANSIENT: f64 = 0.1;

/// The detail replication's weekly.csv of small-pilot with the true values, under `seed` (not the
/// scenario's own, so the observed weeks share no random numbers with the replications fitted).
fn observed_weeks(dir: &Path, seed: u64) -> String {
    let out = format!("truth-{seed}");
    assert_success(&cutover(
        dir,
        &[
            "run",
            "small-pilot",
            "--seed",
            &seed.to_string(),
            "--reps",
            "1",
            "--set",
            &format!("workitems.hard_failure_probability={HARD}"),
            "--set",
            &format!("workitems.transient_probability={TRANSIENT}"),
            "--no-charts",
            "-q",
            "--out",
            &out,
        ],
    ));
    format!("{out}/weekly_detail.csv")
}

fn calibration(dir: &Path, out: &str) -> Csv {
    read_csv(&dir.join(out).join("calibration.csv"))
}

/// (value, ci95_low, ci95_high, identifiable) of `key`.
fn fitted(csv: &Csv, key: &str) -> (f64, f64, f64, bool) {
    let row = csv.column("key").iter().position(|k| *k == key).unwrap();
    let n = |c: &str| csv.numbers(c)[row];
    (
        n("value"),
        n("ci95_low"),
        n("ci95_high"),
        csv.column("identifiable")[row] == "true",
    )
}

/// Recovery of both failure probabilities from the first 12 weeks, from wide ranges: within 15%
/// or within the reported interval, which must be narrow enough to say something (its half-width
/// under half the true value). A debug build checks one observed programme with few replications;
/// with `CUTOVER_CALIBRATE_FULL=1` (as `.ci/run` sets, on a release build) three programmes with
/// more replications and iterations.
#[test]
fn recovers_known_failure_probabilities_from_twelve_weeks() {
    let full = std::env::var_os("CUTOVER_CALIBRATE_FULL").is_some();
    let (seeds, reps, iterations): (&[u64], &str, &str) = if full {
        (&[101, 102, 103], "10", "40")
    } else {
        (&[101], "3", "10")
    };
    let dir = temp_dir();
    for &seed in seeds {
        let observed = observed_weeks(dir.path(), seed);
        let out = format!("cal-{seed}");
        assert_success(&cutover(
            dir.path(),
            &[
                "calibrate",
                "small-pilot",
                "--observed",
                &observed,
                "--weeks",
                "0..11",
                "--fit",
                "workitems.hard_failure_probability=0.001..0.1",
                "--fit",
                "workitems.transient_probability=0.01..0.3",
                "--reps",
                reps,
                "--iterations",
                iterations,
                "--no-charts",
                "-q",
                "--out",
                &out,
            ],
        ));
        let csv = calibration(dir.path(), &out);
        for (key, truth) in [
            ("workitems.hard_failure_probability", HARD),
            ("workitems.transient_probability", TRANSIENT),
        ] {
            let (value, low, high, identifiable) = fitted(&csv, key);
            assert!(identifiable, "seed {seed}: {key} not identifiable");
            let close = (value - truth).abs() <= 0.15 * truth;
            let covered = low <= truth && truth <= high;
            assert!(
                close || covered,
                "seed {seed}: {key} = {value} [{low}, {high}], truth {truth}"
            );
            assert!(low <= value && value <= high, "seed {seed}: {key}");
            assert!(
                high - low < truth,
                "seed {seed}: {key}'s interval [{low}, {high}] is uselessly wide"
            );
        }
        // The forecast: `run` takes calibrated.toml as it is, with the fitted values.
        let scenario = dir.path().join(&out).join("calibrated.toml");
        let text = std::fs::read_to_string(&scenario).unwrap();
        let (hard, ..) = fitted(&csv, "workitems.hard_failure_probability");
        let parsed: toml::Table = toml::from_str(&text).unwrap();
        let set = parsed["workitems"]["hard_failure_probability"]
            .as_float()
            .unwrap();
        assert!(
            (set - hard).abs() < 1e-6,
            "{set} in calibrated.toml, {hard} fitted"
        );
        assert!(
            text.starts_with("# Calibrated by `cutover calibrate`"),
            "{text}"
        );
        let forecast = format!("forecast-{seed}");
        assert_success(&cutover(
            dir.path(),
            &[
                "run",
                scenario.to_str().unwrap(),
                "--reps",
                "1",
                "--no-charts",
                "-q",
                "--out",
                &forecast,
            ],
        ));
    }
}

/// Chat never feeds back into the transition, so `lync.contacts_mean` cannot move any weekly
/// count: it must come out as not identifiable, with no value and its whole range as interval,
/// and be left as it was in calibrated.toml. The same command on 1 and 2 threads writes the same
/// bytes, the held-out weeks are reported and a `--set` is kept in calibrated.toml.
#[test]
fn a_key_that_moves_nothing_is_not_identifiable_and_threads_change_nothing() {
    let dir = temp_dir();
    let observed = observed_weeks(dir.path(), 101);
    let run = |threads: &str| {
        let out = format!("cal-threads-{threads}");
        let mut args = vec![
            "calibrate",
            "small-pilot",
            "--observed",
            &observed,
            "--weeks",
            "0..13",
            "--holdout",
            "2",
            "--fit",
            "workitems.transient_probability=0.01..0.3",
            "--fit",
            "lync.contacts_mean=2..20",
            "--reps",
            "2",
            "--iterations",
            "4",
            "--threads",
            threads,
            "--set",
            "batching.policy=smallest-first",
            "-q",
            "--out",
            &out,
        ];
        // Charts are drawn from the files compared: once is enough.
        if threads != "1" {
            args.push("--no-charts");
        }
        assert_success(&cutover(dir.path(), &args));
        dir.path().join(out)
    };
    let one = run("1");
    let two = run("2");
    for file in ["calibration.csv", "fit.csv", "calibrated.toml"] {
        assert_eq!(
            std::fs::read(one.join(file)).unwrap(),
            std::fs::read(two.join(file)).unwrap(),
            "{file} differs between 1 and 2 threads"
        );
    }
    let csv = read_csv(&one.join("calibration.csv"));
    let (value, low, high, identifiable) = fitted(&csv, "lync.contacts_mean");
    assert!(!identifiable && value.is_nan(), "{:?}", csv.rows);
    assert_eq!((low, high), (2.0, 20.0));
    assert!(fitted(&csv, "workitems.transient_probability").3);
    assert_eq!(
        csv.column("holdout_cells")[0],
        "12",
        "2 weeks x 6 columns held out"
    );
    // Two replications are too few for the held-out test to reject at 5%: it says so.
    let (reps, exceeded) = (
        csv.numbers("holdout_replications")[0],
        csv.numbers("holdout_exceeded")[0],
    );
    assert_eq!(reps, 2.0);
    let p = csv.numbers("holdout_p_value")[0];
    assert!((p - (1.0 + exceeded) / (1.0 + reps)).abs() < 1e-6, "{p}");
    let report = std::fs::read_to_string(one.join("report.html")).unwrap();
    assert!(
        report.contains("2 replications are too few to judge it"),
        "{report}"
    );
    let text = std::fs::read_to_string(one.join("calibrated.toml")).unwrap();
    assert!(
        text.contains("lync.contacts_mean: not identifiable"),
        "{text}"
    );
    assert!(!text.contains("contacts_mean ="), "{text}");
    // The --set is carried into the calibrated scenario (a bare word, quoted as TOML wants it).
    let parsed: toml::Table = toml::from_str(&text).unwrap();
    assert_eq!(
        parsed["batching"]["policy"].as_str(),
        Some("smallest-first")
    );
    let fit = read_csv(&one.join("fit.csv"));
    let roles = fit.column("role");
    assert_eq!(roles.iter().filter(|r| **r == "holdout").count(), 12);
    assert_eq!(roles.iter().filter(|r| **r == "fit").count(), 72);
    assert!(one.join("charts/calibration_errors.png").is_file());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(one.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["policy"], "smallest-first");
    assert_eq!(manifest["policies"][0]["name"], "smallest-first");
}

#[test]
fn bad_observations_and_ranges_are_refused_where_they_are() {
    let dir = temp_dir();
    let d = dir.path();
    let good = write_file(d, "good.csv", "week,errors\n0,1\n1,2\n");
    let calibrate = |observed: &str, extra: &[&str]| {
        let mut args = vec![
            "calibrate",
            "small-pilot",
            "--observed",
            observed,
            "--fit",
            "workitems.transient_probability=0.01..0.3",
            "-q",
            "--out",
            "o",
        ];
        args.extend(extra);
        cutover(d, &args)
    };
    for (name, text, needles) in [
        (
            "unknown.csv",
            "week,errors,tickets\n0,1,2\n",
            &[
                "unknown.csv:1:3",
                "unknown column `tickets`",
                "helpdesk_tickets",
            ][..],
        ),
        (
            "outside.csv",
            "week,errors\n0,1\n40,2\n",
            &[
                "outside.csv:3:1",
                "week 40 is outside the scenario's calendar: weeks 0 to 38",
            ],
        ),
        (
            "negative.csv",
            "week,week_start,retries\n0,2011-09-05,-3\n",
            &["negative.csv:2:3", "retries -3 is negative"],
        ),
        (
            // Squared, it overflowed the discrepancy, and the optimiser failed (exit 1).
            "huge.csv",
            "week,transitioned\n0,1e308\n",
            &["huge.csv:2:2", "transitioned 1e308 is more than"],
        ),
        (
            "start.csv",
            "week,week_start,retries\n1,2011-09-05,3\n",
            &["start.csv:2:2", "not the start of week 1, 2011-09-12"],
        ),
    ] {
        let path = write_file(d, name, text);
        assert_bad_input(&calibrate(&path, &[]), needles);
    }
    // A folder is not a file of observations.
    assert_bad_input(
        &calibrate(d.to_str().unwrap(), &[]),
        &["--observed", "not a regular file"],
    );
    for (extra, needles) in [
        (
            &["--fit", "batching.policy=1..2"][..],
            &["--fit `batching.policy=1..2`", "not a numeric key"][..],
        ),
        (
            &["--fit", "workitems.hard_failure_probability=0.2..0.1"],
            &["LOW 0.2 is above HIGH 0.1"],
        ),
        (
            &["--fit", "workitems.hard_failure_probability=1e-300..5e-324"],
            &["LOW 1e-300 is above HIGH 5e-324"],
        ),
        (
            &["--fit", "workitems.hard_failure_probability=0.1..0.1"],
            &["the range holds one value"],
        ),
        (&["--fit", "seed=1..5"], &["`seed` cannot be fitted"]),
        (
            &["--weeks", "5..2"],
            &["--weeks `5..2`", "the range is empty"],
        ),
        (&["--weeks", "10..12"], &["observes none of these weeks"]),
        (
            &["--holdout", "2"],
            &[
                "--holdout 2: only 2 observed weeks used",
                "at least one must be fitted",
            ],
        ),
        (&["--precision", "errors=0.1"], &["--precision"]),
    ] {
        assert_bad_input(&calibrate(&good, extra), needles);
    }
    // Weeks with every cell empty leave nothing to fit: refused, not fitted to no value (it
    // was: exit 0, every key "not identifiable" at a discrepancy of 0 over 0 values).
    let empty = write_file(
        d,
        "empty.csv",
        "week,errors,slips
0,,
1,,
2,3,
",
    );
    for (extra, needles) in [
        (
            &["--weeks", "0..1"][..],
            &[
                "empty.csv: no value observed in the 2 weeks fitted (weeks 0 to 1)",
                "every cell of errors, slips is empty",
            ][..],
        ),
        (
            &["--holdout", "1"],
            &["no value observed in the 2 weeks fitted (weeks 0 to 1)"],
        ),
    ] {
        assert_bad_input(&calibrate(&empty, extra), needles);
    }
    assert!(
        !d.join("o/manifest.json").exists(),
        "nothing written on bad input"
    );
    // A value found too far from every setting only once they have run: refused at its cell,
    // and the folder the command made is gone again (it was left behind, empty); one that
    // was there before stays.
    let far = write_file(d, "far.csv", "week,errors\n0,1e14\n1,2\n");
    for out in ["made", "mine"] {
        if out == "mine" {
            std::fs::create_dir(d.join(out)).unwrap();
        }
        let fit = "workitems.transient_probability=0.01..0.3";
        let args = ["calibrate", "small-pilot", "--observed", &far, "--fit", fit];
        let small = ["--reps", "2", "--iterations", "2", "-q", "--out", out];
        assert_bad_input(
            &cutover(d, &[&args[..], &small].concat()),
            &["far.csv:2:2", "cannot tell any two settings apart"],
        );
        let listed = std::fs::read_dir(d.join(out)).map(|e| e.count());
        assert_eq!(listed.ok(), (out == "mine").then_some(0), "{out}");
    }
}

/// A `--fit` or `--set` key that calibrated.toml cannot be written with (one the scenario writes
/// as a table or an array) is refused before anything runs: it was refused only once every
/// setting had run, with the old results already removed from the folder.
#[test]
fn a_key_calibrated_toml_cannot_hold_is_refused_before_anything_runs() {
    let dir = temp_dir();
    let d = dir.path();
    let observed = write_file(d, "obs.csv", "week,errors\n0,1\n1,2\n");
    for (extra, needles) in [
        (
            &["--fit", "population.seats=1..5"][..],
            &[
                "cannot write calibrated.toml",
                "`population.seats` is a table in the file",
            ][..],
        ),
        (
            &[
                "--fit",
                "operators.weekend=1..5",
                "--set",
                "population.regions=[\"A\"]",
            ],
            &["`population.regions` is an array in the file"],
        ),
    ] {
        let mut args = vec!["calibrate", "small-pilot", "--observed", &observed];
        args.extend(extra);
        args.extend(["--reps", "1", "--iterations", "1", "-q", "--out", "o"]);
        let out = cutover(d, &args);
        let err = assert_bad_input(&out, needles);
        assert!(err.contains("refused before anything runs"), "{err}");
        assert!(!d.join("o").exists(), "{extra:?}: the folder was opened");
    }
}

/// A scenario with a `[sweep]` grid calibrates too: calibrated.toml keeps the grid as written and
/// still reads back as the calibrated scenario.
#[test]
fn a_scenario_with_a_grid_calibrates_and_keeps_its_grid() {
    let dir = temp_dir();
    let observed = observed_weeks(dir.path(), 101);
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/small-pilot.toml"),
    )
    .unwrap();
    let scenario = write_file(
        dir.path(),
        "grid.toml",
        &format!("{text}\n[sweep]\n\"operators.weekend\" = [1, 2]\n"),
    );
    let run = cutover(
        dir.path(),
        &[
            "calibrate",
            &scenario,
            "--observed",
            &observed,
            "--weeks",
            "0..11",
            "--fit",
            "workitems.hard_failure_probability=0.001..0.1",
            "--reps",
            "2",
            "--iterations",
            "3",
            "--no-charts",
            "-q",
            "--out",
            "o",
        ],
    );
    assert_success(&run);
    let calibrated = std::fs::read_to_string(dir.path().join("o/calibrated.toml")).unwrap();
    assert!(
        calibrated.contains("\"operators.weekend\" = [1, 2]"),
        "{calibrated}"
    );
}
