//! `cutover sensitivity`: indices that are honest on the simulator (a key that cannot move a
//! metric gets none), the same file for any thread count, and bad `--vary` input refused.

use std::path::Path;
use std::process::Output;

use crate::common::{
    SMALL_SCENARIO, assert_bad_input, assert_success, cutover, read_csv, temp_dir, write_file,
};

/// The row of (key, metric, index kind): value, ci95_low, ci95_high.
fn index(csv: &crate::common::Csv, key: &str, metric: &str, kind: &str) -> [f64; 3] {
    let row = csv
        .rows
        .iter()
        .find(|r| r[0] == key && r[1] == metric && r[2] == kind)
        .unwrap_or_else(|| panic!("no row {key} {metric} {kind}"));
    [3, 4, 5].map(|i| row[i].parse().unwrap())
}

/// `cutover sensitivity` of the scenario `file` in `dir`: Morris screening over
/// operators.weekend=1..6 and `other` with `samples` trajectories of two replications each,
/// quietly into `out`, with `extra` arguments.
fn morris(dir: &Path, file: &str, other: &str, samples: &str, out: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "sensitivity",
        file,
        "--vary",
        "operators.weekend=1..6",
        "--vary",
        other,
        "--samples",
        samples,
        "--reps",
        "2",
        "-q",
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    cutover(dir, &args)
}

#[test]
fn a_lync_key_gets_no_share_of_transitioned_while_the_batch_size_gets_most() {
    let dir = temp_dir();
    let file = write_file(dir.path(), "s.toml", SMALL_SCENARIO);
    let out = cutover(
        dir.path(),
        &[
            "sensitivity",
            &file,
            "--method",
            "sobol",
            "--vary",
            "batching.max_tenants=1..3",
            "--vary",
            "lync.contacts_mean=5..50",
            "--samples",
            "32",
            "--reps",
            "1",
            "--no-charts",
            "-q",
            "--out",
            "o",
        ],
    );
    assert_success(&out);
    let csv = read_csv(&dir.path().join("o/sensitivity.csv"));
    assert_eq!(
        csv.headers,
        [
            "key",
            "metric",
            "index_kind",
            "value",
            "ci95_low",
            "ci95_high"
        ]
    );
    for kind in ["ST", "S1"] {
        let [value, low, high] = index(&csv, "lync.contacts_mean", "transitioned", kind);
        assert!(
            value.abs() < 0.05 && low <= 0.0 && high < 0.05,
            "{kind}: {value} [{low}, {high}]"
        );
    }
    let [value, low, _] = index(&csv, "batching.max_tenants", "transitioned", "ST");
    assert!(
        value > 0.5 && low > 0.0,
        "ST of the batch size {value}, low {low}"
    );
    for row in &csv.rows {
        let v: Vec<f64> = row[3..].iter().map(|c| c.parse().unwrap()).collect();
        assert!(v.iter().all(|x| (0.0..=1.0).contains(x)), "{row:?}");
        assert!(v[1] <= v[2], "{row:?}");
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("o/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["complete"], true);
    assert_eq!(manifest["points"], 128);
    assert_eq!(manifest["factors"][0]["integer"], true);
    assert_eq!(manifest["factors"][1]["integer"], false);
    assert_eq!(manifest["policies"][0]["name"], manifest["policy"]);
}

#[test]
fn morris_screening_is_the_same_for_any_thread_count_and_draws_its_tornadoes() {
    let dir = temp_dir();
    let file = write_file(dir.path(), "s.toml", SMALL_SCENARIO);
    let run = |threads: &str, out: &str, charts: bool| {
        let mut extra = vec!["--threads", threads];
        if !charts {
            extra.push("--no-charts");
        }
        let contacts = "lync.contacts_mean=5..50";
        assert_success(&morris(dir.path(), &file, contacts, "3", out, &extra));
        std::fs::read(dir.path().join(out).join("sensitivity.csv")).unwrap()
    };
    let one = run("1", "one", true);
    assert_eq!(one, run("2", "two", false));
    let csv = read_csv(&dir.path().join("one/sensitivity.csv"));
    let kinds: Vec<&str> = csv.column("index_kind");
    assert!(kinds.iter().all(|k| *k == "mu_star" || *k == "sigma"));
    let [mu, low, high] = index(&csv, "lync.contacts_mean", "errors", "mu_star");
    assert_eq!([mu, low, high], [0.0, 0.0, 0.0]);
    assert!(index(&csv, "operators.weekend", "operator_wait_mean_h", "mu_star")[0] > 0.0);
    assert!(
        dir.path()
            .join("one/charts/sensitivity_transitioned.png")
            .is_file()
    );
    // `plot` redraws them from the files.
    assert_success(&cutover(dir.path(), &["plot", "one"]));
}

#[test]
fn bad_ranges_and_keys_are_refused_where_they_are_written() {
    let dir = temp_dir();
    let file = write_file(dir.path(), "s.toml", SMALL_SCENARIO);
    let bad = |vary: &str, needles: &[&str]| {
        let out = cutover(
            dir.path(),
            &["sensitivity", &file, "--vary", vary, "--out", "bad"],
        );
        assert_bad_input(&out, needles);
        assert!(!dir.path().join("bad").exists(), "{vary} left a folder");
    };
    bad(
        "copy.per_tenant=40..5",
        &[
            "--vary `copy.per_tenant=40..5`",
            "LOW 40 is above HIGH 5",
            "^^^^^",
        ],
    );
    bad(
        "batching.policy=1..2",
        &["`batching.policy` is not a numeric key", "must be a string"],
    );
    bad(
        "lync.early_move_mode=fast..slow",
        &["LOW `fast` is not a number"],
    );
    bad(
        "copy.per_tenant=0.5..2.5",
        &[
            "`copy.per_tenant` takes whole numbers, and 0.5 and 2.5 are not whole numbers it can hold",
        ],
    );
    // The end that is not whole is named, not the other written as a fraction (`0.0`); a whole
    // end written with an exponent is whole.
    bad(
        "copy.per_tenant=1..1e308",
        &["takes whole numbers, and 1e308 is not one it can hold"],
    );
    bad(
        "copy.per_tenant=1..1e10",
        &[
            "`copy.per_tenant` must be between 1 and",
            "found 10000000000",
        ],
    );
    // The bounds are written as given, not as rows of hundreds of digits.
    bad(
        "copy.per_tenant=1e300..1E299",
        &["LOW 1e300 is above HIGH 1E299", "^^^^^^^^^^^^"],
    );
    bad("copy.per_tenant=0..10", &["must be between 1 and"]);
    bad("seed=1..5", &["common random numbers"]);
    bad("nosuch.key=1..2", &["unknown section `[nosuch]`"]);
    let out = cutover(
        dir.path(),
        &[
            "sensitivity",
            &file,
            "--vary",
            "copy.per_tenant=5..10",
            "--vary",
            "copy.per_tenant=1..3",
        ],
    );
    assert_bad_input(&out, &["varied twice"]);
}

/// Sobol' indices from fewer than 32 base samples would come with intervals that cover far less
/// often than the 95% they state (`study::sensitivity`'s coverage test): refused, saying why.
#[test]
fn too_few_sobol_samples_are_refused_saying_why() {
    let dir = temp_dir();
    let args = [
        "sensitivity",
        "small-pilot",
        "--method",
        "sobol",
        "--samples",
        "2",
        "--vary",
        "operators.weekend=1..5",
        "--out",
        "o",
    ];
    assert_bad_input(
        &cutover(dir.path(), &args),
        &[
            "--samples 2 with --method sobol",
            "use --samples 32 or more",
        ],
    );
    assert!(!dir.path().join("o").exists());
}

/// A design of more points than a sweep may have cells is refused before anything runs: each
/// point is held as a scenario, and 65,536 Sobol' samples of 20 keys (1.4 million points) filled
/// the memory (12.9 GB at 2 minutes, still growing) instead.
#[test]
fn a_design_of_more_points_than_a_sweep_may_have_cells_is_refused() {
    let dir = temp_dir();
    let mut args = vec!["sensitivity", "small-pilot", "--method", "sobol"];
    args.extend(["--samples", "65536", "--reps", "1", "-q", "--out", "o"]);
    for key in ["operators.weekend=1..5", "operators.weekday=1..5"] {
        args.extend(["--vary", key]);
    }
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(&args)
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = crate::common::wait_at_most(child, std::time::Duration::from_secs(30));
    assert_bad_input(
        &out,
        &[
            "--samples 65536 with 2 keys makes 262144 design points",
            "more than the 100000",
            "lower --samples or vary fewer keys",
        ],
    );
    assert!(!dir.path().join("o").exists(), "a folder was made");
}

#[test]
fn an_interrupted_study_resumes_to_the_same_bytes_and_refuses_another_design() {
    let dir = temp_dir();
    let file = write_file(dir.path(), "s.toml", SMALL_SCENARIO);
    let run = |out: &str, samples: &str, resume: bool| {
        let mut extra = vec!["--no-charts"];
        if resume {
            extra.push("--resume");
        }
        morris(
            dir.path(),
            &file,
            "copy.per_tenant=5..40",
            samples,
            out,
            &extra,
        )
    };
    assert_success(&run("whole", "3", false));
    let whole = std::fs::read(dir.path().join("whole/sensitivity.csv")).unwrap();
    // A study stopped after some points: their files are there, the others and the results not.
    assert_success(&run("part", "3", false));
    let part = dir.path().join("part");
    for p in [1, 4, 8] {
        std::fs::remove_file(part.join(format!("cells/cell-{p:04}.csv"))).unwrap();
    }
    std::fs::remove_file(part.join("sensitivity.csv")).unwrap();
    let kept = std::fs::read(part.join("cells/cell-0000.csv")).unwrap();
    assert_success(&run("part", "3", true));
    assert_eq!(std::fs::read(part.join("sensitivity.csv")).unwrap(), whole);
    // The points already run were kept, not run again.
    assert_eq!(
        std::fs::read(part.join("cells/cell-0000.csv")).unwrap(),
        kept
    );
    // Another design into the same folder is refused.
    let out = run("part", "4", true);
    assert_bad_input(&out, &["--resume", "another sweep or design"]);
    // A damaged point file is named.
    std::fs::write(part.join("cells/cell-0002.csv"), "cell\n").unwrap();
    let out = run("part", "3", true);
    assert_bad_input(&out, &["--resume", "cell-0002.csv", "delete it"]);
}

/// A `--resume` refused for a point file, or for points of another version, says what they are:
/// a sensitivity design's points, never a sweep's cells.
#[test]
fn a_resume_refusal_names_the_design_and_its_points() {
    let dir = temp_dir();
    let file = write_file(dir.path(), "s.toml", SMALL_SCENARIO);
    let run = |resume: bool| {
        let extra: &[&str] = if resume {
            &["--no-charts", "--resume"]
        } else {
            &["--no-charts"]
        };
        morris(
            dir.path(),
            &file,
            "copy.per_tenant=5..40",
            "2",
            "out",
            extra,
        )
    };
    assert_success(&run(false));
    let out = dir.path().join("out");
    let point = |p: usize| out.join(format!("cells/cell-{p:04}.csv"));
    let first = std::fs::read_to_string(point(0)).unwrap();
    let refused = |needles: &[&str]| {
        let stderr = assert_bad_input(&run(true), needles);
        assert!(
            !stderr.contains("sweep") && !stderr.contains("cell "),
            "{stderr}"
        );
    };
    std::fs::write(point(2), first.replacen("cell,", "point,", 1)).unwrap();
    refused(&[
        "--resume: design point file",
        "line 1: its header is not this sensitivity design's; delete it to run the design point again",
    ]);
    std::fs::write(point(2), &first).unwrap();
    refused(&["line 2: not replication 0 of design point 2; delete it"]);
    std::fs::remove_file(point(2)).unwrap();
    let grid = out.join("grid.json");
    let text = std::fs::read_to_string(&grid).unwrap();
    let version = format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION"));
    std::fs::write(&grid, text.replace(&version, "\"version\": \"0.0.1\"")).unwrap();
    refused(&[
        "holds design points written by cutover 0.0.1",
        "run the sensitivity design again into another --out",
    ]);
}

/// A main metric with no value at some design point (no operator waited) gets no indices: the
/// screen and the report both say so, rather than the report passing over it. An index whose
/// bootstrap bounds are alike is written with the value's digits, not six decimals.
#[test]
fn a_metric_without_indices_is_named_on_screen_and_in_the_report() {
    let dir = temp_dir();
    let small = include_str!("../../scenarios/small-pilot.toml");
    assert!(small.contains("\ntenants = 200\n"));
    let tiny = small.replacen("\ntenants = 200\n", "\ntenants = 20\n", 1);
    let file = crate::common::write_file(dir.path(), "tiny.toml", &tiny);
    let args = [
        "sensitivity",
        file.as_str(),
        "--vary",
        "workitems.hard_failure_probability=0..0.02",
        "--vary",
        "operators.weekday=1..3",
        "--samples",
        "4",
        "--reps",
        "3",
        "--out",
        "o",
    ];
    let out = cutover(dir.path(), &args);
    crate::common::assert_success(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("no indices for operator_wait_mean_h, operator_wait_p95_h"),
        "{stdout}"
    );
    assert!(!stdout.contains(".500000"), "{stdout}");
    let report = std::fs::read_to_string(dir.path().join("o/report.html")).unwrap();
    assert!(
        report.contains(
            "P95 operator wait (hours): no indices, as some design point had no value of it."
        ),
        "the report passes over it"
    );
}

/// A study's design points are written as a sweep's cells are, but they are not a sweep's:
/// `merge` refuses the folder (its grid.json says `design`), naming it, where it wrote a
/// "parameter sweep" of the points; the study itself resumes from them.
#[test]
fn merge_refuses_a_studys_design_points() {
    let dir = temp_dir();
    let file = write_file(dir.path(), "s.toml", SMALL_SCENARIO);
    let study = |extra: &[&str]| {
        morris(
            dir.path(),
            &file,
            "batching.max_tenants=1..3",
            "2",
            "study",
            extra,
        )
    };
    assert_success(&study(&["--no-charts"]));
    let merged = cutover(dir.path(), &["merge", "study", "--out", "merged"]);
    assert_bad_input(
        &merged,
        &["study holds a sensitivity study's design points"],
    );
    assert!(!dir.path().join("merged").exists());
    let csv = std::fs::read(dir.path().join("study/sensitivity.csv")).unwrap();
    assert_success(&study(&["--no-charts", "--resume"]));
    assert_eq!(
        std::fs::read(dir.path().join("study/sensitivity.csv")).unwrap(),
        csv
    );
}
