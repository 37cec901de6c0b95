//! The `run` command's contract: which files it writes, their columns and row counts, the manifest,
//! and that the bundled default scenario runs with no file at hand.

use cutover::model::ReplicationMetrics;
use cutover::output::Manifest;
use serde_json::Value;

use crate::common::{
    SMALL_SCENARIO, SUMMARY_COLUMNS, assert_has_columns, assert_success, cutover, quick_run,
    read_csv, temp_dir, write_file,
};

const REPLICATIONS_COLUMNS: &[&str] = &[
    "replication",
    "seed",
    "tenants",
    "transitioned",
    "slips",
    "slips_copy_backlog",
    "slips_waiting_for_operator",
    "slips_operator_working",
    "slips_retrying",
    "slips_work_in_progress",
    "tenants_slipped",
    "missed_deadline",
    "missed_in_flight",
    "missed_rolled_back",
    "missed_quota_hold",
    "missed_blocked",
    "missed_blackberry_date",
    "missed_never_batched",
    "batches",
    "makespan_days",
    "workitems",
    "retries",
    "errors",
    "operator_wait_mean_h",
    "operator_wait_p95_h",
    "events",
];
const TENANTS_COLUMNS: &[&str] = &[
    "tenant",
    "region",
    "seats",
    "mailboxes",
    "data_gb",
    "batch",
    "transition_date",
    "final_phase",
    "final_status",
    "slips",
    "slips_copy_backlog",
    "slips_waiting_for_operator",
    "slips_operator_working",
    "slips_retrying",
    "slips_work_in_progress",
    "last_slip_cause",
    "miss_cause",
    "retries",
    "errors",
    "copy_phase_hours",
    "window_hours",
];
const BATCHES_COLUMNS: &[&str] = &[
    "batch",
    "weekend",
    "tenants",
    "seats",
    "data_gb",
    "transitioned",
    "slipped",
];
const MANIFEST_KEYS: &[&str] = &[
    "version",
    "scenario",
    "scenario_sha256",
    "seed",
    "replications",
    "threads",
    "command",
    "events",
    "wall_seconds",
];

#[test]
fn run_writes_every_file_with_its_columns_and_rows() {
    let dir = temp_dir();
    let scenario = write_file(dir.path(), "small.toml", SMALL_SCENARIO);
    let out = dir.path().join("results");
    let output = cutover(
        dir.path(),
        &[
            "run",
            &scenario,
            "--reps",
            "4",
            "--threads",
            "2",
            "--seed",
            "5",
            "--detail",
            "1",
            "--out",
            out.to_str().expect("UTF-8 path"),
        ],
    );
    assert_success(&output);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("small"),
        "the summary names the scenario: {stdout}"
    );

    let reps = read_csv(&out.join("replications.csv"));
    assert_has_columns("replications.csv", &reps, REPLICATIONS_COLUMNS);
    assert_eq!(reps.rows.len(), 4, "one row per replication");
    assert_eq!(reps.column("replication"), ["0", "1", "2", "3"]);
    assert!(
        reps.column("seed").iter().all(|s| *s == "5"),
        "--seed is used"
    );
    assert!(reps.column("tenants").iter().all(|s| *s == "150"));

    let summary = read_csv(&out.join("summary.csv"));
    assert_has_columns("summary.csv", &summary, SUMMARY_COLUMNS);
    // One row per metric of replications.csv that is not an identifier, in the same order.
    let metrics: Vec<&str> = reps
        .headers
        .iter()
        .map(String::as_str)
        .filter(|h| !ReplicationMetrics::ID_COLUMNS.contains(h))
        .collect();
    assert_eq!(summary.column("metric"), metrics);
    assert!(summary.column("metric").contains(&"transitioned"));
    // The summary agrees with the replications it summarises.
    let row = summary
        .column("metric")
        .iter()
        .position(|m| *m == "transitioned")
        .unwrap();
    let transitioned = reps.numbers("transitioned");
    let mean = transitioned.iter().sum::<f64>() / transitioned.len() as f64;
    let summary_mean: f64 = summary.rows[row][summary.index("mean")].parse().unwrap();
    assert!(
        (summary_mean - mean).abs() < 1e-6,
        "{summary_mean} vs {mean}"
    );
    let min: f64 = summary.rows[row][summary.index("min")].parse().unwrap();
    let max: f64 = summary.rows[row][summary.index("max")].parse().unwrap();
    assert!(min <= mean && mean <= max);

    // The detail tables are those of replication 1.
    let tenants = read_csv(&out.join("tenants.csv"));
    assert_has_columns("tenants.csv", &tenants, TENANTS_COLUMNS);
    assert_eq!(tenants.rows.len(), 150, "one row per tenant");
    let dated = tenants
        .column("transition_date")
        .iter()
        .filter(|d| !d.is_empty())
        .count();
    assert_eq!(
        dated as f64, transitioned[1],
        "tenants.csv is the --detail replication"
    );

    let batches = read_csv(&out.join("batches.csv"));
    assert_has_columns("batches.csv", &batches, BATCHES_COLUMNS);
    assert_eq!(batches.rows.len() as f64, reps.numbers("batches")[1]);

    let series = read_csv(&out.join("timeseries.csv"));
    let mut series_columns = vec!["day"];
    let programme = cutover::scenario::bpos_programme();
    series_columns.extend(programme.phases().map(|p| programme.key(p)));
    series_columns.extend(["errors_outstanding", "operators_busy"]);
    assert_has_columns("timeseries.csv", &series, &series_columns);
    assert!(!series.rows.is_empty(), "at least one day sampled");
    assert_eq!(series.column("day")[0], "0");

    let text = std::fs::read_to_string(out.join("manifest.json")).expect("manifest.json");
    let manifest: Value = serde_json::from_str(&text).expect("manifest.json is JSON");
    for key in MANIFEST_KEYS {
        assert!(
            manifest.get(key).is_some(),
            "manifest.json lacks `{key}`: {text}"
        );
    }
    assert_eq!(manifest["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest["scenario"], "small");
    assert_eq!(
        manifest["scenario_sha256"],
        Manifest::sha256_hex(SMALL_SCENARIO)
    );
    assert_eq!(manifest["seed"], 5);
    assert_eq!(manifest["replications"], 4);
    assert_eq!(manifest["threads"], 2);
    let events: f64 = reps.numbers("events").iter().sum();
    assert_eq!(manifest["events"].as_f64(), Some(events), "events add up");
    assert!(manifest["wall_seconds"].as_f64().is_some_and(|s| s >= 0.0));
    let command: Vec<&str> = manifest["command"]
        .as_array()
        .expect("command is a list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(command.get(1), Some(&"run"), "{command:?}");
    assert!(command.contains(&"--detail"), "{command:?}");
}

#[test]
fn bundled_default_runs_with_no_scenario_file() {
    let dir = temp_dir();
    let output = cutover(
        dir.path(),
        &[
            "run",
            "--reps",
            "2",
            "--threads",
            "2",
            "--quiet",
            "--out",
            "tmp",
        ],
    );
    assert_success(&output);
    assert!(output.stdout.is_empty(), "--quiet prints nothing");
    let out = dir.path().join("tmp");
    let reps = read_csv(&out.join("replications.csv"));
    assert_eq!(reps.rows.len(), 2);
    let text = std::fs::read_to_string(out.join("manifest.json")).expect("manifest.json");
    let manifest: Value = serde_json::from_str(&text).expect("manifest.json is JSON");
    assert_eq!(manifest["scenario"], "bpos-2011");
    let tenants = reps.numbers("tenants");
    assert!(tenants.iter().all(|&t| t == 6000.0), "{tenants:?}");
    assert!(reps.numbers("transitioned").iter().all(|&t| t > 0.0));
}

#[test]
fn overrides_are_part_of_the_manifest_and_get_their_own_folder() {
    let dir = temp_dir();
    let plain = cutover(
        dir.path(),
        &["run", "small-pilot", "--reps", "1", "--no-charts"],
    );
    assert_success(&plain);
    let set = ["--set", "batching.max_tenants=10"];
    let mut args = vec!["run", "small-pilot", "--reps", "1", "--no-charts"];
    args.extend(set);
    let changed = cutover(dir.path(), &args);
    assert_success(&changed);
    let stdout = String::from_utf8_lossy(&changed.stdout);
    let own = Manifest::default_out("small-pilot", "", &["batching.max_tenants=10".into()]);
    assert_ne!(own, std::path::Path::new("output/small-pilot"));
    assert!(stdout.contains(&own.display().to_string()), "{stdout}");

    let read = |folder: &std::path::Path| -> Value {
        let text = std::fs::read_to_string(dir.path().join(folder).join("manifest.json"))
            .expect("manifest.json");
        serde_json::from_str(&text).expect("JSON")
    };
    let baseline = read(std::path::Path::new("output/small-pilot"));
    let overridden = read(&own);
    assert_eq!(baseline["overrides"], serde_json::json!([]));
    assert_eq!(
        overridden["overrides"],
        serde_json::json!(["batching.max_tenants=10"])
    );
    assert_ne!(baseline["scenario_sha256"], overridden["scenario_sha256"]);
    // The baseline folder still holds the baseline's results.
    assert_eq!(baseline["command"].as_array().map(Vec::len), Some(6));
}

#[test]
fn detail_none_writes_only_the_replications_with_the_same_values() {
    let dir = temp_dir();
    let scenario = write_file(dir.path(), "small.toml", SMALL_SCENARIO);
    let run = |detail: &str, out: &str| {
        let args = [
            "run", &scenario, "--reps", "2", "--detail", detail, "-q", "--out", out,
        ];
        assert_success(&cutover(dir.path(), &args));
        dir.path().join(out)
    };
    let with = run("0", "with");
    let without = run("none", "without");
    for file in [
        "replications.csv",
        "summary.csv",
        "completion.csv",
        "weekly.csv",
    ] {
        assert_eq!(
            std::fs::read(with.join(file)).unwrap(),
            std::fs::read(without.join(file)).unwrap(),
            "{file}"
        );
    }
    for file in [
        "tenants.csv",
        "batches.csv",
        "timeseries.csv",
        "hourly.csv",
        "spans.csv",
        "islands.csv",
        "weekly_detail.csv",
        "charts",
    ] {
        assert!(with.join(file).exists(), "{file}");
        assert!(
            !without.join(file).exists(),
            "{file} written with --detail none"
        );
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(without.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["complete"], true);
    assert!(manifest["detail_replication"].is_null());
    // replications, summary, completion and weekly, and the report of them.
    assert_eq!(manifest["files"].as_array().unwrap().len(), 5);
    assert!(without.join("report.html").is_file());
    // plot rebuilds its report, with no charts to draw, as the run did.
    let report = std::fs::read(without.join("report.html")).unwrap();
    let plot = cutover(dir.path(), &["plot", without.to_str().unwrap()]);
    assert_success(&plot);
    assert!(String::from_utf8_lossy(&plot.stdout).contains("no charts to draw"));
    assert!(!without.join("charts").exists());
    assert_eq!(std::fs::read(without.join("report.html")).unwrap(), report);
    let bad = cutover(
        dir.path(),
        &["run", &scenario, "--detail", "some", "--out", "bad"],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("nor `none`"));
}

#[test]
fn the_manifest_records_each_phase_with_the_scenarios_offset() {
    let dir = temp_dir();
    let out = dir.path().join("results");
    let output = cutover(
        dir.path(),
        &quick_run(
            out.to_str().expect("UTF-8 path"),
            &[
                "--set",
                "phases.primary_prep_days=-90",
                "--set",
                "batching.lead_days=90",
                "--set",
                "phases.prestage_days=-10",
                "--set",
                "phases.finalize_hours=60",
            ],
        ),
    );
    assert_success(&output);
    let text = std::fs::read_to_string(out.join("manifest.json")).expect("manifest.json");
    let manifest: Value = serde_json::from_str(&text).expect("manifest.json is JSON");
    let phases: Vec<(String, String)> = manifest["phases"]
        .as_array()
        .expect("phases is a list")
        .iter()
        .map(|p| {
            (
                p["key"].as_str().expect("key").to_string(),
                p["offset"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let keys: Vec<&str> = phases.iter().map(|p| p.0.as_str()).collect();
    let programme = cutover::scenario::bpos_programme();
    let expected: Vec<&str> = programme.phases().map(|p| programme.key(p)).collect();
    assert_eq!(keys, expected, "every phase, in order");
    let offsets: Vec<&str> = phases.iter().map(|p| p.1.as_str()).collect();
    // The scenario's own offsets, not the defaults (T-60, T-7, T+48h).
    assert_eq!(
        offsets,
        ["", "T-90", "T-30", "T-14", "T-10", "T-1", "T", "T+60h"],
        "{text}"
    );
}

/// Every text value the files hold is a snake_case key, and a phase is the same word in every
/// file: tenants.csv's final phase and spans.csv's phases are columns of timeseries.csv.
#[test]
fn text_values_are_snake_case_keys_shared_across_files() {
    let dir = temp_dir();
    let out = dir.path().join("out");
    assert_success(&cutover(
        dir.path(),
        &[
            "run",
            "bpos-2011",
            "--reps",
            "1",
            "--set",
            "population.tenants=300",
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ],
    ));
    let snake = |v: &str| {
        !v.is_empty()
            && v.chars().next().unwrap().is_ascii_lowercase()
            && v.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    let timeseries = read_csv(&out.join("timeseries.csv"));
    let tenants = read_csv(&out.join("tenants.csv"));
    let spans = read_csv(&out.join("spans.csv"));
    let mut seen = 0;
    for (file, csv, columns) in [
        (
            "tenants.csv",
            &tenants,
            &[
                "final_phase",
                "final_status",
                "last_slip_cause",
                "miss_cause",
            ][..],
        ),
        ("spans.csv", &spans, &["phase", "outcome"][..]),
    ] {
        for column in columns {
            for v in csv.column(column).into_iter().filter(|v| !v.is_empty()) {
                assert!(snake(v), "{file} {column}: `{v}` is not a snake_case key");
                seen += 1;
            }
        }
    }
    assert!(seen > 0);
    for (file, csv, column) in [
        ("tenants.csv", &tenants, "final_phase"),
        ("spans.csv", &spans, "phase"),
    ] {
        for v in csv.column(column) {
            assert!(
                timeseries.headers.iter().any(|h| h == v),
                "{file} {column} `{v}` is no phase column of timeseries.csv"
            );
        }
    }
    // The statuses seen say what they are in words a reader of any file recognises.
    assert!(
        tenants.column("final_status").iter().all(|s| [
            "pending",
            "in_progress",
            "warning",
            "error",
            "complete"
        ]
        .contains(s))
    );
}

/// Each command's help offers only the flags it takes: `--precision` where a fixed design is
/// run to a precision, and `--reps` described as what it is for the command (a ceiling for the
/// studies that decide how many replications they need), and a progress bar to hide with
/// `--quiet` only where one is drawn.
#[test]
fn help_offers_precision_only_where_it_applies_and_says_what_reps_is() {
    let dir = temp_dir();
    let help = |command: &str| {
        let out = cutover(dir.path(), &[command, "--help"]);
        assert_success(&out);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    for command in ["run", "compare", "sweep"] {
        assert!(help(command).contains("--precision"), "{command}");
    }
    for command in ["select", "seek", "calibrate", "sensitivity"] {
        assert!(!help(command).contains("--precision"), "{command}");
    }
    assert!(help("select").contains("Most replications per policy"));
    assert!(help("compare").contains("Replications of every policy"));
    assert!(help("sweep").contains("Replications of every cell"));
    assert!(!help("run").contains("per policy or cell"));
    assert!(help("seek").contains("Most replications per setting"));
    assert!(help("run").contains("completion.csv and weekly.csv"));
    // README names the commands that draw a progress bar; calibrate is not one of them.
    for command in ["run", "compare", "sweep", "sensitivity", "select", "seek"] {
        assert!(help(command).contains("(and no progress bar)"), "{command}");
    }
    assert!(!help("calibrate").contains("progress bar"));
}

/// Each simulating command's help says where its results go by default with `--set`: a folder of
/// its own, `output/<scenario name><suffix>-<8 hex digits>`, as `run` then writes.
#[test]
fn help_says_where_results_go_with_set() {
    let dir = temp_dir();
    for (command, suffix) in [
        ("run", ""),
        ("compare", "-compare"),
        ("sweep", "-sweep"),
        ("sensitivity", "-sensitivity"),
        ("calibrate", "-calibrate"),
        ("select", "-select"),
        ("seek", "-seek"),
    ] {
        let out = cutover(dir.path(), &[command, "--help"]);
        assert_success(&out);
        let help = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let said = format!(
            "[default: output/<scenario name>{suffix}; with --set, output/<scenario name>{suffix}-<8 hex digits of the overrides' hash>]"
        );
        assert!(
            help.contains(&said),
            "`{command} --help` lacks {said}:\n{help}"
        );
    }
    let run = ["run", "small-pilot", "--reps", "1", "--no-charts", "-q"];
    assert_success(&cutover(
        dir.path(),
        &[&run[..], &["--set", "operators.weekday=5"]].concat(),
    ));
    let folders: Vec<String> = std::fs::read_dir(dir.path().join("output"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let [folder] = &folders[..] else {
        panic!("one folder expected: {folders:?}")
    };
    let hash = folder.strip_prefix("small-pilot-").expect(folder);
    assert!(
        hash.len() == 8 && hash.chars().all(|c| c.is_ascii_hexdigit()),
        "{folder}"
    );
}
