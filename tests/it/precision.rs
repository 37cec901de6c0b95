//! `--precision METRIC=REL`: replications in stages until the interval is as narrow as asked, the
//! same number for any thread count, shard split or resume.

use std::path::Path;

use serde_json::Value;

use crate::common::{
    SMALL_SCENARIO, assert_bad_input, assert_success, cutover, read_csv,
    sweep_whole_and_in_two_shards, temp_dir, write_file,
};
use cutover::stats::{summarize, t_quantile_975};

fn manifest(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn a_run_stops_when_the_interval_is_as_narrow_as_asked_whatever_the_threads() {
    let dir = temp_dir();
    let file = write_file(dir.path(), "s.toml", SMALL_SCENARIO);
    let args = |threads: &'static str, out: &'static str| {
        let precision = ["--precision", "slips=0.3", "--precision", "errors=0.15"];
        let rest = [
            "--reps",
            "40",
            "--threads",
            threads,
            "--no-charts",
            "-q",
            "--out",
            out,
        ];
        [&["run", file.as_str()][..], &precision, &rest].concat()
    };
    assert_success(&cutover(dir.path(), &args("1", "one")));
    assert_success(&cutover(dir.path(), &args("2", "two")));
    for f in ["replications.csv", "summary.csv"] {
        assert!(bytes(&dir.path().join("one").join(f)) == bytes(&dir.path().join("two").join(f)));
    }
    let out = dir.path().join("one");
    let reps = read_csv(&out.join("replications.csv"));
    let used = reps.rows.len();
    let m = manifest(&out);
    assert_eq!(m["replications"].as_u64(), Some(used as u64));
    let summary = read_csv(&out.join("summary.csv"));
    assert!(
        summary
            .column("replications")
            .iter()
            .all(|r| *r == used.to_string())
    );
    let record = &m["precision"];
    assert_eq!(record["ceiling"].as_u64(), Some(40));
    assert!((10..=40).contains(&used), "{used} replications");
    for (metric, rel) in [("slips", 0.3), ("errors", 0.15)] {
        let s = summarize(&reps.numbers(metric));
        let half = t_quantile_975(s.n - 1) * s.std / (s.n as f64).sqrt();
        let check = record["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["metric"] == metric)
            .unwrap();
        assert!((check["half_width"].as_f64().unwrap() - half).abs() < 1e-9);
        // Met, or the ceiling reached and said so.
        if check["met"] == true {
            assert!(
                half <= rel * s.mean.abs(),
                "{metric}: {half} vs {}",
                rel * s.mean
            );
        } else {
            assert_eq!(used, 40);
        }
    }
    assert!(record["met"] == true || used == 40);
}

#[test]
fn a_sweep_with_precision_is_the_same_sharded_or_resumed_and_records_each_cell() {
    let dir = temp_dir();
    let text = format!("{SMALL_SCENARIO}\n[sweep]\n\"operators.weekend\" = [1, 4]\n");
    let file = write_file(dir.path(), "grid.toml", &text);
    let base = [
        "sweep",
        file.as_str(),
        "--precision",
        "errors=0.2",
        "--reps",
        "24",
        "-q",
        "--no-charts",
    ];
    sweep_whole_and_in_two_shards(dir.path(), &base);
    assert_success(&cutover(
        dir.path(),
        &[
            "merge",
            "shards/1",
            "shards/2",
            "--out",
            "merged",
            "-q",
            "--no-charts",
        ],
    ));
    // A sweep interrupted after its first cell, resumed: each cell stops where it did.
    let resumed = dir.path().join("resumed");
    std::fs::create_dir_all(resumed.join("cells")).unwrap();
    for f in ["grid.json", "cells/cell-0000.csv"] {
        std::fs::copy(dir.path().join("single").join(f), resumed.join(f)).unwrap();
    }
    assert_success(&cutover(
        dir.path(),
        &[&base[..], &["--out", "resumed", "--resume"]].concat(),
    ));
    for f in ["replications.csv", "summary.csv"] {
        for other in ["merged", "resumed"] {
            let (a, b) = (
                dir.path().join("single").join(f),
                dir.path().join(other).join(f),
            );
            assert!(bytes(&a) == bytes(&b), "{other}/{f} differs");
        }
    }
    let m = manifest(&dir.path().join("single"));
    let per_cell: Vec<u64> = m["cell_replications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let reps = read_csv(&dir.path().join("single").join("replications.csv"));
    for (cell, used) in per_cell.iter().enumerate() {
        let rows = reps
            .column("cell")
            .iter()
            .filter(|c| **c == cell.to_string())
            .count();
        assert_eq!(rows as u64, *used);
        assert!((10..=24).contains(used));
    }
    // Which cells met the target, the same however the sweep was run; a cell that stopped
    // below the ceiling met it.
    let record = &m["precision"];
    for other in ["merged", "resumed"] {
        assert_eq!(manifest(&dir.path().join(other))["precision"], *record);
    }
    let target = &record["targets"][0];
    assert_eq!(target["metric"], "errors");
    let not_met: Vec<usize> = target["cells_not_met"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap() as usize)
        .collect();
    assert_eq!(
        target["cells_met"].as_u64().unwrap() as usize + not_met.len(),
        2
    );
    assert!(not_met.iter().all(|&c| per_cell[c] == 24), "{record}");
    assert_eq!(record["met"], not_met.is_empty());
}

/// A cell file of a sweep with `--precision` holds from the first stage to the ceiling, and
/// below the ceiling only replications that meet the targets: one cut short (or edited) is
/// damage, refused by `merge` and `--resume` naming it, never counted as a target met.
#[test]
fn a_cut_short_cell_of_a_precision_sweep_is_refused_not_called_met() {
    let dir = temp_dir();
    let text = format!("{SMALL_SCENARIO}\n[sweep]\n\"operators.weekend\" = [1, 4]\n");
    let file = write_file(dir.path(), "grid.toml", &text);
    let base = [
        "sweep",
        file.as_str(),
        "--precision",
        "makespan_days=0.000001",
        "--reps",
        "12",
        "-q",
        "--no-charts",
    ];
    sweep_whole_and_in_two_shards(dir.path(), &base);
    let cell = |folder: &str| dir.path().join(folder).join("cells/cell-0000.csv");
    let text = std::fs::read_to_string(cell("single")).unwrap();
    assert_eq!(text.lines().count(), 13, "the target is met by no cell");
    for (rows, why) in [
        (
            4,
            "it has 3 replications; a cell with --precision has from 10 (its first stage) to 12",
        ),
        (
            12,
            "it stopped at 11 of at most 12 replications, but its values do not meet --precision makespan_days=0.000001",
        ),
    ] {
        let cut: String = text.lines().take(rows).map(|l| format!("{l}\n")).collect();
        std::fs::write(cell("shards/1"), &cut).unwrap();
        let merged = cutover(
            dir.path(),
            &["merge", "shards/1", "shards/2", "--out", "merged", "-q"],
        );
        assert_bad_input(
            &merged,
            &["shards/1/cells/cell-0000.csv is not usable", why],
        );
        std::fs::write(cell("single"), &cut).unwrap();
        let resumed = cutover(
            dir.path(),
            &[&base[..], &["--out", "single", "--resume"]].concat(),
        );
        assert_bad_input(&resumed, &["single/cells/cell-0000.csv is not usable", why]);
    }
}

/// A target a sweep's cells cannot meet before the ceiling is said on the screen, in
/// manifest.json and in report.html, naming the cells, never hidden.
#[test]
fn a_sweep_says_which_cells_did_not_meet_a_target() {
    let dir = temp_dir();
    let text = format!("{SMALL_SCENARIO}\n[sweep]\n\"operators.weekend\" = [1, 4]\n");
    let file = write_file(dir.path(), "grid.toml", &text);
    let out = cutover(
        dir.path(),
        &[
            "sweep",
            &file,
            "--precision",
            "errors=0.0001",
            "--reps",
            "4",
            "--out",
            "o",
        ],
    );
    assert_success(&out);
    let said = "precision errors (target 0.01% of the mean): met in 0 of 2 cells; NOT met in 2 (cells 0, 1), the ceiling of 4 replications (--reps) reached";
    let stdout = String::from_utf8_lossy(&out.stdout).replace("\n  ", " ");
    assert!(stdout.contains(said), "{stdout}");
    let m = manifest(&dir.path().join("o"));
    assert_eq!(m["precision"]["met"], false);
    assert_eq!(
        m["precision"]["targets"][0]["cells_not_met"],
        serde_json::json!([0, 1])
    );
    let report = std::fs::read_to_string(dir.path().join("o/report.html")).unwrap();
    assert!(
        report.contains(&format!("<li class=\"bad\">{said}")),
        "report"
    );
    assert!(report.contains("runs up to 4"), "report");
}

#[test]
fn a_comparison_with_precision_keeps_its_policies_paired() {
    let dir = temp_dir();
    let file = write_file(dir.path(), "s.toml", SMALL_SCENARIO);
    let run = cutover(
        dir.path(),
        &[
            "compare",
            &file,
            "--policies",
            "fifo,smallest-first",
            "--precision",
            "errors=0.2",
            "--reps",
            "30",
            "--no-charts",
            "--out",
            "cmp",
        ],
    );
    assert_success(&run);
    assert!(String::from_utf8_lossy(&run.stdout).contains("precision fifo: errors"));
    let reps = read_csv(&dir.path().join("cmp").join("replications.csv"));
    let fifo = reps
        .column("policy")
        .iter()
        .filter(|p| **p == "fifo")
        .count();
    assert_eq!(fifo * 2, reps.rows.len());
    assert_eq!(
        manifest(&dir.path().join("cmp"))["replications"].as_u64(),
        Some(fifo as u64)
    );
}

#[test]
fn bad_precision_targets_point_at_the_mistake() {
    let dir = temp_dir();
    let file = write_file(dir.path(), "s.toml", SMALL_SCENARIO);
    let run = |target: &str| cutover(dir.path(), &["run", &file, "--precision", target, "-q"]);
    assert_bad_input(
        &run("slipz=0.1"),
        &["--precision `slipz=0.1`", "did you mean `slips`", "^^^^^"],
    );
    assert_bad_input(&run("slips=0"), &["from 0.000001 to 1"]);
    // A target past 1 was said as `target inf%` (1e308) or a line of 310 digits.
    for far in ["slips=1e308", "slips=1.5", "slips=1e-300"] {
        let said = assert_bad_input(&run(far), &["from 0.000001 to 1", "e.g. 0.05 for 5%"]);
        assert!(!said.contains("inf") && said.len() < 600, "{said}");
    }
    assert_bad_input(&run("slips"), &["METRIC=REL"]);
    assert!(
        !dir.path().join("output").exists(),
        "nothing written on bad input"
    );
}

/// A target on a metric the scenario never measures (no user calls the help desk) could never be
/// met: `run`, `compare` and `sweep` refuse it before a folder is made, naming the flag, the
/// metric, why and, in a sweep, the cell.
#[test]
fn a_target_on_a_metric_the_scenario_never_measures_is_refused_up_front() {
    let dir = temp_dir();
    // SMALL_SCENARIO's users raise no ticket (every client share is 0 by default).
    let file = write_file(dir.path(), "s.toml", SMALL_SCENARIO);
    let target = "helpdesk_wait_p95_h=0.1";
    for command in [
        vec!["run", file.as_str(), "--out", "r"],
        vec![
            "compare",
            file.as_str(),
            "--policies",
            "fifo,random",
            "--out",
            "r",
        ],
    ] {
        let out = cutover(
            dir.path(),
            &[
                &command[..],
                &["--precision", "slips=0.5", "--precision", target, "-q"],
            ]
            .concat(),
        );
        let stderr = assert_bad_input(
            &out,
            &[
                "--precision `helpdesk_wait_p95_h=0.1`",
                "`helpdesk_wait_p95_h` has no value in any replication of",
                "`ticket_probability`",
            ],
        );
        assert!(stderr.contains("\n  ^^^^^^^^^^^^^^^^^^^\n"), "{stderr}");
        assert!(
            !dir.path().join("r").exists(),
            "{command:?} made its folder"
        );
    }
    // Agents on weekdays only, observed over a weekend in one cell of two.
    let text = format!(
        "{SMALL_SCENARIO}\n[calendar]\nobserve_from = 2011-09-10\nobserve_until = 2011-09-11\n\
         [sweep]\n\"helpdesk.weekend\" = [1, 0]\n"
    );
    let grid = write_file(dir.path(), "grid.toml", &text);
    let sweep = |target: &str| {
        cutover(
            dir.path(),
            &[
                "sweep",
                &grid,
                "--precision",
                target,
                "--reps",
                "2",
                "--out",
                "w",
                "-q",
                "--no-charts",
            ],
        )
    };
    assert_bad_input(
        &sweep("helpdesk_utilization=0.5"),
        &[
            "--precision `helpdesk_utilization=0.5`",
            "in cell 1 (helpdesk.weekend=0), as no agent is on duty in the observation window",
        ],
    );
    assert!(!dir.path().join("w").exists(), "sweep made its folder");
    assert_success(&sweep("slips=0.5"));
}

/// A metric with no value in the replications run so far is not met: the stages go on to the
/// ceiling, where the run says it found no value and the target NOT met, the same for any thread
/// count. Here every tenant is blocked for an exponential time of mean a million days: the
/// scenario could measure `makespan_days` (a tenant may be unblocked at once), but no replication
/// does.
#[test]
fn a_metric_with_no_value_so_far_is_not_met_and_runs_to_the_ceiling() {
    let dir = temp_dir();
    let file = write_file(dir.path(), "s.toml", SMALL_SCENARIO);
    let run = |threads: &str, out: &str| {
        cutover(
            dir.path(),
            &[
                "run",
                &file,
                "--precision",
                "makespan_days=0.1",
                "--reps",
                "25",
                "--set",
                "population.tenants=5",
                "--set",
                "population.blocked_fraction=1",
                "--set",
                "population.blocked_days={ dist = \"exponential\", mean = 1000000 }",
                "--threads",
                threads,
                "--no-charts",
                "--out",
                out,
            ],
        )
    };
    let one = run("1", "one");
    assert_success(&one);
    let said = String::from_utf8_lossy(&one.stdout).replace("\n  ", " ");
    assert!(
        said.contains(
            "precision makespan_days: no value in any of 25 replications, so no estimate (target 10.0%): NOT met, the ceiling (--reps) was reached"
        ),
        "{said}"
    );
    assert_success(&run("2", "two"));
    let reps = |out: &str| bytes(&dir.path().join(out).join("replications.csv"));
    assert!(
        reps("one") == reps("two"),
        "replications.csv differs with the thread count"
    );
    let csv = read_csv(&dir.path().join("one/replications.csv"));
    assert_eq!(csv.rows.len(), 25);
    assert!(csv.column("makespan_days").iter().all(|v| v.is_empty()));
    let record = &manifest(&dir.path().join("one"))["precision"];
    assert_eq!(record["met"], false);
    let check = &record["checks"][0];
    assert_eq!(
        (
            check["replications"].as_u64(),
            check["measured"].as_u64(),
            &check["met"]
        ),
        (Some(25), Some(0), &Value::Bool(false))
    );
    let report = std::fs::read_to_string(dir.path().join("one/report.html")).unwrap();
    assert!(
        report.contains("no value in any of 25 replications"),
        "{}",
        &report[..report.len().min(3000)]
    );
}
