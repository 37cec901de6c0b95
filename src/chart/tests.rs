//! Charts from small hand-written folders: every chart is written and not blank, and odd input
//! (no rows, one row, one replication, empty cells, missing files) never panics.

use std::fs;
use std::path::{Path, PathBuf};

use super::frame::{SIZE, ink};
use super::{FolderKind, folder_kind};
use crate::error::Error;

/// Draws the charts of `dir` into `dir/charts`, as a command's would be once in place.
fn draw_folder(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let charts = dir.join("charts");
    fs::create_dir_all(&charts).unwrap();
    super::draw_folder(dir, &charts)
}

const RUN_MANIFEST: &str = r#"{"scenario": "tiny", "replications": 2, "detail_replication": 0,
  "start": "2011-09-05", "deadline": "2011-09-20"}"#;

/// The header of each file of a run folder, and two rows of plausible data.
const RUN_FILES: &[(&str, &str, &str)] = &[
    (
        "replications.csv",
        "replication,seed,tenants,transitioned,slips",
        "0,1,4,3,2\n1,1,4,4,0\n",
    ),
    (
        "timeseries.csv",
        "day,date,pre_approval,primary_prep,secondary_prep,approval,prestage,lock,data_upgrade,finalize,transitioned,errors_outstanding,operators_busy,operators_on_duty",
        "0,2011-09-05,4,0,0,0,0,0,0,0,0,0,0,2\n1,2011-09-06,1,1,0,0,1,0,0,1,1,,0,2\n",
    ),
    (
        "batches.csv",
        "batch,weekend,tenants,seats,data_gb,transitioned,slipped",
        "0,2011-09-10,2,12,6,1,1\n1,2011-09-17,2,10,5,2,0\n",
    ),
    (
        "completion.csv",
        "day,date,mean,p10,p50,p90",
        "0,2011-09-05,0,0,0,0\n1,2011-09-06,1.5,1,1.5,2\n",
    ),
    (
        "hourly.csv",
        "time,errors_outstanding,operators_busy,operators_on_duty,copies_running,helpdesk_queue,helpdesk_busy,helpdesk_on_duty",
        "2011-09-09T00:00,0,0,1,0,0,0,2\n2011-09-10T01:00,3,2,2,5,4,2,2\n",
    ),
    (
        "spans.csv",
        "tenant,batch,weekend,phase,start,end,done,outcome",
        "1,0,2011-09-10,prestage,2011-09-03T00:00,2011-09-09T00:00,2011-09-03T05:00,complete\n\
         2,0,2011-09-10,data_upgrade,2011-09-10T00:00,2011-09-12T00:00,,rolled_back\n",
    ),
    (
        "islands.csv",
        "days_from_t,tenants,cross_island_mean,cross_island_p10,cross_island_p90,broken_mean,broken_p10,broken_p90",
        "-1,4,0.1,0,0.3,0.2,0,0.4\n0,4,,,,0,0,0\n",
    ),
];

fn write_run(dir: &Path, rows: impl Fn(&str) -> String) {
    fs::write(dir.join("manifest.json"), RUN_MANIFEST).unwrap();
    for (name, header, body) in RUN_FILES {
        fs::write(dir.join(name), format!("{header}\n{}", rows(body))).unwrap();
    }
}

/// Every PNG is the chart's size and has plenty of non-background pixels; every SVG has text.
fn assert_drawn(files: &[PathBuf], expected: usize) {
    assert_eq!(files.len(), 2 * expected, "{files:?}");
    for f in files {
        let bytes = fs::read(f).unwrap();
        if f.extension().is_some_and(|e| e == "png") {
            let decoder = png::Decoder::new(bytes.as_slice());
            let mut reader = decoder.read_info().unwrap();
            let mut rgb = vec![0; reader.output_buffer_size()];
            let info = reader.next_frame(&mut rgb).unwrap();
            assert_eq!((info.width, info.height), SIZE);
            let inked = ink(&rgb[..info.buffer_size()]);
            assert!(
                inked > 10_000,
                "{} is nearly blank: {inked} pixels",
                f.display()
            );
        } else {
            let svg = String::from_utf8(bytes).unwrap();
            assert!(
                svg.starts_with("<svg") && svg.contains("<text"),
                "{}",
                f.display()
            );
        }
    }
}

fn svg_text(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join("charts").join(format!("{name}.svg"))).unwrap()
}

#[test]
fn a_run_folder_gets_seven_charts_with_titles_and_axes() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), |body| body.to_string());
    assert_eq!(folder_kind(dir.path()).unwrap(), FolderKind::Run);
    let files = draw_folder(dir.path()).unwrap();
    assert_drawn(&files, 7);
    let expected = [
        (
            "phases",
            &[
                "tiny: tenants per phase",
                "date",
                "tenants",
                "deadline 2011-09-20",
            ][..],
        ),
        (
            "completion",
            &["tiny: tenants transitioned", "P10 to P90", "date"],
        ),
        (
            "weekend",
            &[
                "tiny: busiest weekend 2011-09-10, 2 tenants",
                "rolled back",
                // Pre-Stage on a panel of its own, the later phases beside it, named by phase.
                "Pre-Stage (days to T)",
                "Lock, DataUpgrade, Finalize (hours)",
            ],
        ),
        (
            "operators",
            &[
                "tiny: operators over the busiest weekend",
                "errors outstanding",
            ],
        ),
        (
            "helpdesk",
            &[
                "tiny: help desk in the week after the busiest weekend",
                "tickets waiting",
                "agents on duty",
            ],
        ),
        (
            "islands",
            &[
                "days from T (service upgrade weekend)",
                "share of pairs",
                "broken",
            ],
        ),
        (
            "slips",
            &[
                "tiny: slips per replication",
                "slips per replication (rollbacks)",
            ],
        ),
    ];
    for (name, texts) in expected {
        let svg = svg_text(dir.path(), name);
        for text in texts {
            assert!(svg.contains(text), "{name}.svg lacks `{text}`");
        }
    }
}

/// Every text of an SVG chart that is a number alone (a tick label), thousands separators read.
fn numbers_drawn(svg: &str) -> Vec<f64> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let inner = t.split_once('>')?.1.split_once("</text>")?.0;
            inner.trim().replace(',', "").parse::<f64>().ok()
        })
        .collect()
}

#[test]
fn tenant_count_axes_end_at_the_tenants_there_are() {
    // Four tenants, all in some phase every day: neither the programme nor its close-up has an
    // axis past four (the next round tick above a margin would be five).
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), |body| body.to_string());
    draw_folder(dir.path()).unwrap();
    for name in ["completion", "phases"] {
        let ticks = numbers_drawn(&svg_text(dir.path(), name));
        assert!(
            ticks.contains(&4.0) && ticks.iter().all(|t| *t <= 4.0),
            "{name}: {ticks:?}"
        );
    }
}

#[test]
fn a_run_with_causes_draws_them_as_stacked_bars() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), |body| body.to_string());
    let header = "replication,seed,tenants,transitioned,slips,slips_copy_backlog,slips_waiting_for_operator,slips_operator_working,slips_retrying,slips_work_in_progress,missed_deadline,missed_in_flight,missed_rolled_back,missed_quota_hold,missed_blocked,missed_blackberry_date,missed_never_batched";
    let rows = "0,1,4,3,3,2,1,0,0,0,1,0,1,0,0,0,0\n1,1,4,4,1,1,0,0,0,0,0,0,0,0,0,0,0\n";
    fs::write(
        dir.path().join("replications.csv"),
        format!("{header}\n{rows}"),
    )
    .unwrap();
    assert_drawn(&draw_folder(dir.path()).unwrap(), 8);
    let svg = svg_text(dir.path(), "causes");
    for text in [
        "tiny: why tenants slipped and missed the deadline",
        "slips (2.0)",
        "missed deadline (0.5)",
        // Each cause's mean with its t interval (two replications: t(1) is wide; a miss cannot
        // exceed the 4 tenants), and its share, alone where Fieller's interval is unbounded.
        "copy backlog 1.5 [0, 7.9], 75%",
        "waiting for operator 0.5 [0, 6.9], 25%",
        "rolled back 0.5 [0, 4.0], 100%",
        "75%",
    ] {
        assert!(svg.contains(text), "causes.svg lacks `{text}`");
    }
    // Causes that never occurred are left out of the legend.
    assert!(!svg.contains("never batched"), "{svg}");
}

#[test]
fn files_with_a_header_only_still_give_the_charts() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), |_| String::new());
    // All but the islands chart, which has no split pair to show and is not drawn.
    assert_drawn(&draw_folder(dir.path()).unwrap(), 6);
    assert!(!dir.path().join("charts/islands.svg").exists());
    assert!(svg_text(dir.path(), "slips").contains("no replications"));
}

#[test]
fn one_row_and_one_replication_are_drawn() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), |body| {
        body.lines().next().unwrap_or("").to_string() + "\n"
    });
    fs::write(
        dir.path().join("manifest.json"),
        r#"{"scenario": "tiny", "replications": 1}"#,
    )
    .unwrap();
    assert_drawn(&draw_folder(dir.path()).unwrap(), 7);
}

#[test]
fn a_missing_file_or_column_is_bad_input_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let err = draw_folder(dir.path()).unwrap_err();
    assert!(matches!(err, Error::Usage(_)) && err.to_string().contains("manifest.json"));
    write_run(dir.path(), |body| body.to_string());
    fs::remove_file(dir.path().join("spans.csv")).unwrap();
    let err = draw_folder(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("spans.csv") && err.contains("no such file"),
        "{err}"
    );
    write_run(dir.path(), |body| body.to_string());
    fs::write(dir.path().join("hourly.csv"), "time,errors_outstanding\n").unwrap();
    let err = draw_folder(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("hourly.csv") && err.contains("`operators_busy`"),
        "{err}"
    );
    fs::write(
        dir.path().join("hourly.csv"),
        "time,errors_outstanding,operators_busy,operators_on_duty\nsoon,1,1,1\n",
    )
    .unwrap();
    let err = draw_folder(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("`soon`") && err.contains("line 2, column 1 (`time`)"),
        "{err}"
    );
}

fn sweep_folder(keys: &[&str], rows: &[(&[&str], f64)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let manifest = serde_json::json!({
        "grid": {"scenario": "grid", "replications": 3, "keys": keys, "cells": []},
    });
    fs::write(dir.path().join("manifest.json"), manifest.to_string()).unwrap();
    let mut text = format!(
        "cell,{}metric,mean,std,ci95_low,ci95_high,n\n",
        keys.iter().map(|k| format!("{k},")).collect::<String>()
    );
    for (cell, (values, mean)) in rows.iter().enumerate() {
        for metric in ["transitioned", "slips", "tenants"] {
            let values: String = values.iter().map(|v| format!("{v},")).collect();
            text += &format!(
                "{cell},{values}{metric},{mean},1,{},{},3\n",
                mean - 1.0,
                mean + 1.0
            );
        }
    }
    fs::write(dir.path().join("summary.csv"), text).unwrap();
    dir
}

#[test]
fn a_sweep_gets_a_chart_per_metric_and_key_and_heatmaps_for_two_keys() {
    let one = sweep_folder(&["operators.weekend"], &[(&["2"], 10.0), (&["4"], 12.0)]);
    assert_eq!(folder_kind(one.path()).unwrap(), FolderKind::Sweep);
    assert_drawn(&draw_folder(one.path()).unwrap(), 2);
    let svg = svg_text(one.path(), "transitioned_by_operators_weekend");
    assert!(svg.contains("grid: tenants transitioned by operators.weekend"));
    assert!(svg.contains("operators.weekend"));

    let cells: &[(&[&str], f64)] = &[
        (&["2", "fifo"], 10.0),
        (&["2", "random"], 11.0),
        (&["4", "fifo"], 12.0),
        (&["4", "random"], 14.0),
    ];
    let two = sweep_folder(&["operators.weekend", "batching.policy"], cells);
    assert_drawn(&draw_folder(two.path()).unwrap(), 6);
    let heatmap = svg_text(two.path(), "slips_heatmap");
    assert!(
        heatmap.contains("grid: slips (rollbacks), mean per cell") && heatmap.contains("random")
    );
    assert!(svg_text(two.path(), "slips_by_operators_weekend").contains("batching.policy=fifo"));
}

#[test]
fn a_sweep_of_one_cell_or_none_draws_without_panicking() {
    let single = sweep_folder(&["a"], &[(&["x"], 1.0)]);
    assert_drawn(&draw_folder(single.path()).unwrap(), 2);
    let empty = sweep_folder(&["a", "b"], &[]);
    assert_drawn(&draw_folder(empty.path()).unwrap(), 0);
    let no_keys = sweep_folder(&[], &[(&[], 1.0)]);
    assert_drawn(&draw_folder(no_keys.path()).unwrap(), 2);
}

#[test]
fn a_comparison_gets_a_chart_per_metric() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("manifest.json"),
        r#"{"scenario": "pair", "replications": 2}"#,
    )
    .unwrap();
    let header = "policy,metric,mean,ci95_low,ci95_high,diff_vs_baseline,diff_ci95_low,diff_ci95_high,p_value,p_holm,significant\n";
    // largest-first's unadjusted interval excludes 0, but the Holm-adjusted test does not.
    let rows = "fifo,slips,10,8,12,0,0,0,,,false\nsmallest-first,slips,6,5,7,-4,-5,-3,0.001,0.002,true\n\
                largest-first,slips,9,8,10,-1,-1.8,-0.2,0.03,0.06,false\n\
                fifo,transitioned,100,,,0,,,,,false\n";
    fs::write(dir.path().join("comparison.csv"), format!("{header}{rows}")).unwrap();
    assert_eq!(folder_kind(dir.path()).unwrap(), FolderKind::Compare);
    assert_drawn(&draw_folder(dir.path()).unwrap(), 2);
    let svg = svg_text(dir.path(), "compare_slips");
    assert!(
        svg.contains("pair: slips (rollbacks) by policy") && svg.contains("difference from fifo")
    );
    // The subtitle says the intervals are not adjusted and the size of Holm's family.
    assert!(
        svg.contains("colour: Holm over all 2 tests"),
        "Holm's family"
    );
    // The legend names the rule that colours the intervals, which is not the drawn interval's.
    assert!(svg.contains("differs (Holm p &lt; 0.05)"));
    assert!(!svg.contains("includes 0"), "a grey interval may exclude 0");
    assert!(svg_text(dir.path(), "compare_transitioned").contains("nothing to compare"));

    fs::write(dir.path().join("comparison.csv"), header).unwrap();
    assert_drawn(&draw_folder(dir.path()).unwrap(), 0);
}

#[test]
fn the_most_tenants_of_a_folder_come_from_its_replications() {
    let dir = tempfile::tempdir().unwrap();
    // No replications.csv: nothing says how many tenants there were.
    assert_eq!(super::most_tenants(dir.path()).unwrap(), f64::INFINITY);
    let path = dir.path().join("replications.csv");
    // Cells of a sweep may differ in tenants: one axis serves them all.
    fs::write(
        &path,
        "cell,population.tenants,replication,seed,tenants\n0,150,0,1,150\n1,200,0,1,200\n",
    )
    .unwrap();
    assert_eq!(super::most_tenants(dir.path()).unwrap(), 200.0);
    fs::write(&path, "replication,seed,tenants\n").unwrap();
    assert_eq!(super::most_tenants(dir.path()).unwrap(), f64::INFINITY);
    fs::write(&path, "replication,seed\n0,1\n").unwrap();
    let err = super::most_tenants(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("replications.csv") && err.contains("tenants"),
        "{err}"
    );
}

#[test]
fn a_calibration_gets_a_chart_per_observed_column() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("manifest.json"),
        r#"{"scenario": "pilot", "replications": 4}"#,
    )
    .unwrap();
    let header = "week,week_start,column,role,observed,mean,p10,p90\n";
    let rows = "0,2011-09-05,errors,fit,2,1.5,1,3\n1,2011-09-12,errors,fit,4,3,2,5\n\
                2,2011-09-19,errors,holdout,7,4,2,6\n3,2011-09-26,errors,,,2,1,3\n\
                0,2011-09-05,retries,unused,9,8,6,11\n1,2011-09-12,retries,fit,,,,\n";
    fs::write(dir.path().join("fit.csv"), format!("{header}{rows}")).unwrap();
    assert_eq!(folder_kind(dir.path()).unwrap(), FolderKind::Calibration);
    assert_drawn(&draw_folder(dir.path()).unwrap(), 2);
    let svg = svg_text(dir.path(), "calibration_errors");
    assert!(svg.contains("pilot: errors per week, observed and calibrated"));
    assert!(svg.contains("observed, held out") && svg.contains("end of the fit"));

    fs::write(dir.path().join("fit.csv"), header).unwrap();
    assert_drawn(&draw_folder(dir.path()).unwrap(), 0);
}
