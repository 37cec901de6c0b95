//! Batch policies compared under common random numbers: same tenants, same luck, paired intervals.

use cutover::model::simulate;
use cutover::policy::{NAMES, by_name};
use cutover::stats::{paired_difference, unpaired_difference_ci95};
use cutover::sweep::run_replications;

use crate::common::{
    SMALL_SCENARIO, assert_has_columns, assert_success, cutover, read_csv, small_scenario,
    temp_dir, write_file,
};

#[test]
fn every_policy_sees_the_same_tenants() {
    let scenario = small_scenario(&[]);
    let fifo = by_name("fifo").unwrap();
    let base = simulate(&scenario, fifo.as_ref(), 1, true)
        .detail
        .unwrap()
        .tenants;
    for name in NAMES {
        let policy = by_name(name).unwrap();
        let tenants = simulate(&scenario, policy.as_ref(), 1, true)
            .detail
            .unwrap()
            .tenants;
        assert_eq!(tenants.len(), base.len());
        for (a, b) in base.iter().zip(&tenants) {
            assert_eq!(
                (
                    a.tenant,
                    a.seats,
                    a.mailboxes,
                    a.data_gb.to_bits(),
                    &a.region
                ),
                (
                    b.tenant,
                    b.seats,
                    b.mailboxes,
                    b.data_gb.to_bits(),
                    &b.region
                ),
                "policy {name} changed tenant {}",
                a.tenant
            );
        }
    }
}

#[test]
fn policies_actually_choose_differently() {
    let scenario = small_scenario(&["batching.max_tenants=10"]);
    let weekends = |name: &str| {
        let policy = by_name(name).unwrap();
        let detail = simulate(&scenario, policy.as_ref(), 0, true)
            .detail
            .unwrap();
        detail.tenants.iter().map(|t| t.batch).collect::<Vec<_>>()
    };
    assert_ne!(weekends("fifo"), weekends("smallest-first"));
    assert_ne!(weekends("smallest-first"), weekends("largest-first"));
}

#[test]
fn pairing_narrows_the_interval_of_a_difference() {
    let scenario = small_scenario(&["batching.max_tenants=15"]);
    let (a, b) = (by_name("fifo").unwrap(), by_name("smallest-first").unwrap());
    let column = |policy: &dyn cutover::policy::BatchPolicy| -> Vec<f64> {
        run_replications(&scenario, policy, 12, Some(2), None)
            .unwrap()
            .iter()
            .map(|r| r.metrics.errors as f64)
            .collect()
    };
    let (xa, xb) = (column(a.as_ref()), column(b.as_ref()));
    let paired = paired_difference(&xa, &xb);
    let (low, high) = unpaired_difference_ci95(&xa, &xb);
    let (paired_width, unpaired_width) = (paired.ci95_high - paired.ci95_low, high - low);
    assert!(
        paired_width < unpaired_width,
        "paired interval {paired_width} should be narrower than unpaired {unpaired_width}"
    );
}

#[test]
fn compare_writes_paired_results_for_every_policy() {
    let dir = temp_dir();
    let file = write_file(dir.path(), "small.toml", SMALL_SCENARIO);
    let out = dir.path().join("cmp");
    let run = cutover(
        dir.path(),
        &[
            "compare",
            &file,
            "--policies",
            "fifo,smallest-first,region-waves",
            "--reps",
            "3",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_success(&run);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        stdout.contains("smallest-first") && stdout.contains("baseline"),
        "{stdout}"
    );
    // The screen fits a terminal of 80 columns: the trade-offs in blocks of columns.
    assert!(
        stdout.lines().all(|l| l.chars().count() <= 80),
        "a line is wider than 80 columns:\n{stdout}"
    );
    assert!(stdout.contains("user_hours_lost (-)"), "{stdout}");
    let cmp = read_csv(&out.join("comparison.csv"));
    assert_has_columns(
        "comparison.csv",
        &cmp,
        &[
            "policy",
            "metric",
            "mean",
            "ci95_low",
            "ci95_high",
            "diff_vs_baseline",
            "diff_ci95_low",
            "diff_ci95_high",
            "p_value",
            "p_holm",
            "significant",
        ],
    );
    let trade = read_csv(&out.join("tradeoffs.csv"));
    assert_has_columns(
        "tradeoffs.csv",
        &trade,
        &[
            "policy",
            "metric",
            "better",
            "mean",
            "baseline_mean",
            "p_holm",
            "dominated",
            "dominated_by",
        ],
    );
    assert_eq!(
        trade.rows.len(),
        3 * cutover::compare::TRADEOFF_METRICS.len()
    );
    for (p, holm) in cmp.column("p_value").iter().zip(cmp.numbers("p_holm")) {
        if let Ok(p) = p.parse::<f64>() {
            assert!(holm >= p && holm <= 1.0, "Holm never lowers a p-value");
        }
    }
    let policies = cmp.column("policy");
    let (means, diffs) = (cmp.numbers("mean"), cmp.numbers("diff_vs_baseline"));
    for ((p, m), d) in policies.iter().zip(&means).zip(&diffs) {
        // A metric with no value in any replication (no tickets, say) has no difference either.
        if *p == "fifo" && m.is_finite() {
            assert_eq!(*d, 0.0, "the baseline differs from itself by zero");
        }
    }
    let reps = read_csv(&out.join("replications.csv"));
    assert_eq!(reps.headers[0], "policy");
    assert_eq!(reps.rows.len(), 9);
    assert!(out.join("manifest.json").exists());
}

#[test]
fn an_unknown_policy_lists_the_valid_ones() {
    let dir = temp_dir();
    let run = cutover(
        dir.path(),
        &[
            "compare",
            "bpos-2011",
            "--policies",
            "fifo,smalest-first",
            "--reps",
            "1",
        ],
    );
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("smalest-first")
            && err.contains("smallest-first")
            && err.contains("region-waves"),
        "{err}"
    );
    let run = cutover(
        dir.path(),
        &[
            "run",
            "bpos-2011",
            "--set",
            "batching.policy=fastest",
            "--reps",
            "1",
        ],
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("batching.policy"));
}

/// compare of one policy suggests a command line that runs: with no name given (`--policies ''`)
/// the example was `--policies ,smallest-first`, itself refused.
#[test]
fn compare_of_one_policy_suggests_two_that_exist() {
    let dir = temp_dir();
    for (given, example) in [
        ("", "--policies fifo,smallest-first"),
        ("smallest-first", "--policies smallest-first,fifo"),
    ] {
        let out = cutover(dir.path(), &["compare", "small-pilot", "--policies", given]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(example), "{given:?}: {err}");
        assert!(!err.contains("--policies ,"), "{err}");
    }
}
