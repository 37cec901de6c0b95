//! The error rates the decision statistics promise, checked by simulation: false discoveries in
//! A/A comparisons, interval bounds that stay in a metric's range.

use cutover::compare::{PolicyRuns, compare};
use cutover::engine::CounterRng;
use cutover::model::ReplicationMetrics;
use cutover::policy;
use cutover::stats::{holm, summarize, t_test_p_value};
use cutover::sweep::run_replications;
use rand::RngExt;

use crate::common::{
    assert_success, cutover, read_csv, run_two_replications, small_scenario, temp_dir, write_file,
};

/// A standard normal draw (Box-Muller) from a SplitMix64 stream, for synthetic data (the
/// property is about the statistics, not the model).
fn normal(rng: &mut CounterRng) -> f64 {
    let (u, v) = (rng.random::<f64>().max(1e-300), rng.random::<f64>());
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// Many A/A "files" of 5 policies x 26 metrics with no true difference, 10 paired replications
/// each, metrics correlated through a shared factor as real ones are: Holm keeps the share of
/// files with any false `significant` at about 5%, where unadjusted tests would flag most files.
#[test]
fn holm_holds_the_family_wise_error_rate_in_a_null_comparison() {
    let (files, policies, metrics, reps) = (400, 5, 26, 10);
    let mut rng = CounterRng::new(11);
    let (mut holm_files, mut raw_files) = (0, 0);
    for _ in 0..files {
        let mut p_values = Vec::new();
        for _ in 1..policies {
            let shared: Vec<f64> = (0..reps).map(|_| normal(&mut rng)).collect();
            for _ in 0..metrics {
                let diffs: Vec<f64> = shared.iter().map(|s| s + normal(&mut rng)).collect();
                p_values.push(t_test_p_value(&summarize(&diffs)));
            }
        }
        holm_files += usize::from(holm(&p_values).iter().any(|&p| p < 0.05));
        raw_files += usize::from(p_values.iter().any(|&p| p < 0.05));
    }
    let holm_rate = holm_files as f64 / files as f64;
    let raw_rate = raw_files as f64 / files as f64;
    eprintln!("null files with a star: Holm {holm_rate}, unadjusted {raw_rate}");
    assert!(holm_rate <= 0.07, "Holm family-wise rate {holm_rate}");
    assert!(
        raw_rate > 0.5,
        "unadjusted rate {raw_rate} should show the problem"
    );
}

/// The same policy in both arms, on independent replications (other seeds), through `compare`:
/// a real, skewed and discrete metric set, yet about 5% of files or fewer show a false star.
#[test]
fn an_a_a_comparison_of_real_runs_rarely_marks_a_difference() {
    let fifo = policy::by_name("fifo").unwrap();
    let (files, reps) = (30u64, 6);
    let mut false_files = 0;
    for file in 0..files {
        let arm = |seed: u64| {
            let mut s = small_scenario(&["population.tenants=40", "batching.max_tenants=15"]);
            s.seed = seed;
            let out = run_replications(&s, fifo.as_ref(), reps, Some(1), None).unwrap();
            out.into_iter()
                .map(|r| r.metrics)
                .collect::<Vec<ReplicationMetrics>>()
        };
        let runs = [
            PolicyRuns {
                policy: "fifo".into(),
                metrics: arm(1000 + file),
            },
            PolicyRuns {
                policy: "fifo#2".into(),
                metrics: arm(5000 + file),
            },
        ];
        false_files += usize::from(compare(&runs).iter().any(|r| r.significant()));
    }
    eprintln!("A/A files with a star: {false_files} of {files}");
    assert!(
        false_files <= 3,
        "{false_files} of {files} A/A files marked a difference"
    );
}

/// Under common random numbers `--policies fifo,fifo` runs the same replications twice: every
/// difference is exactly zero, no row is significant, and the second arm has its own label.
#[test]
fn the_same_policy_twice_is_an_exact_a_a_comparison() {
    let dir = temp_dir();
    let file = write_file(dir.path(), "s.toml", crate::common::SMALL_SCENARIO);
    let out = dir.path().join("aa");
    let run = cutover(
        dir.path(),
        &[
            "compare",
            &file,
            "--policies",
            "fifo,fifo",
            "--reps",
            "3",
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_success(&run);
    let cmp = read_csv(&out.join("comparison.csv"));
    assert!(cmp.column("policy").contains(&"fifo#2"));
    assert!(cmp.column("significant").iter().all(|s| *s == "false"));
    let trade = read_csv(&out.join("tradeoffs.csv"));
    assert!(trade.column("dominated").iter().all(|d| *d == "false"));
}

/// Counts from a few replications: the t interval would run below zero or above the tenants;
/// the written bounds stay inside.
#[test]
fn summary_intervals_stay_in_each_metric_range() {
    let dir = temp_dir();
    let file = write_file(dir.path(), "s.toml", crate::common::SMALL_SCENARIO);
    let out = dir.path().join("run");
    run_two_replications(dir.path(), &file, &out);
    let summary = read_csv(&out.join("summary.csv"));
    let (lows, highs) = (summary.numbers("ci95_low"), summary.numbers("ci95_high"));
    for (i, metric) in summary.column("metric").iter().enumerate() {
        let (low, high) = ReplicationMetrics::feasible_range(metric, 150.0);
        if lows[i].is_finite() {
            assert!(
                lows[i] >= low && highs[i] <= high,
                "{metric}: [{}, {}]",
                lows[i],
                highs[i]
            );
        }
    }
}
