//! The error rates the decision statistics promise, checked by simulation: false discoveries in
//! A/A comparisons, interval bounds that stay in a metric's range, seek's verdicts over their
//! looks, the coverage of intervals after `--precision` stopped on their own width, the coverage
//! of a cause's share of the missed deadlines.

use cutover::compare::{PolicyRuns, compare};
use cutover::engine::CounterRng;
use cutover::model::ReplicationMetrics;
use cutover::policy;
use cutover::stats::{holm, share_of_means, summarize, t_test_p_value};
use cutover::study::precision::Precision;
use cutover::study::seek::{Axis, parse_require, seek};
use cutover::sweep::run_replications;
use rand::RngExt;
use rand_distr::{Binomial, Distribution, Poisson};

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

/// Metrics of `n` replications whose `operator_wait_mean_h` is `mean + sd x` a standard normal
/// draw of `rng`.
fn normal_metrics(rng: &mut CounterRng, n: u64, mean: f64, sd: f64) -> Vec<ReplicationMetrics> {
    (0..n)
        .map(|_| ReplicationMetrics {
            operator_wait_mean_h: mean + sd * normal(rng),
            ..Default::default()
        })
        .collect()
}

/// The error a seek verdict's 95% stands for: a setting exactly at its threshold does not meet
/// a strict constraint (`<`, `>`), and is the hardest such case; over all its looks (nine by
/// 200 replications) it is found to meet it at most one time in twenty, for a mean and for a
/// share. With a 95% bound at each look instead, 1,000 settings were found to meet the mean 19%
/// of the time and the share 18%.
#[test]
fn a_seek_setting_at_its_threshold_is_found_to_meet_it_at_most_one_time_in_twenty() {
    let axes = [Axis {
        key: "staff".into(),
        low: 1,
        high: 1,
        weight: 1.0,
    }];
    let trials = 1000;
    for require in [
        "mean(operator_wait_mean_h) < 10",
        "P(operator_wait_mean_h <= 10) > 0.5",
    ] {
        let c = parse_require(require).unwrap();
        let mut met = 0;
        for trial in 0..trials {
            // Replication r of a trial has its own stream, whatever the stages.
            let run = |_: &[i64], reps: std::ops::Range<u64>| {
                Ok(reps
                    .flat_map(|r| {
                        normal_metrics(&mut CounterRng::new(trial << 20 | r), 1, 10.0, 1.0)
                    })
                    .collect())
            };
            let r = seek(&axes, std::slice::from_ref(&c), false, 200, run).unwrap();
            met += usize::from(r.answer.is_some());
        }
        let rate = met as f64 / trials as f64;
        let noise = 3.0 * (0.05_f64 * 0.95 / trials as f64).sqrt();
        assert!(rate <= 0.05 + noise, "{require}: found to meet {rate}");
    }
}

/// How often 1,000 settings are found to meet `require` (a seek over one setting, up to 200
/// replications), where replication r of a setting has, with probability `q`, no makespan (it
/// transitioned nobody by the calendar's end) and otherwise a makespan of `mean + x`, x standard
/// normal.
fn met_with_missing(require: &str, q: f64, mean: f64) -> f64 {
    let axes = [Axis {
        key: "staff".into(),
        low: 1,
        high: 1,
        weight: 1.0,
    }];
    let c = parse_require(require).unwrap();
    let trials = 1000;
    let mut met = 0;
    for trial in 0..trials {
        let run = |_: &[i64], reps: std::ops::Range<u64>| {
            Ok(reps
                .map(|r| {
                    let mut rng = CounterRng::new(trial << 20 | r);
                    let missing = rng.random::<f64>() < q;
                    let x = mean + normal(&mut rng);
                    ReplicationMetrics {
                        makespan_days: if missing { f64::NAN } else { x },
                        ..Default::default()
                    }
                })
                .collect())
        };
        let r = seek(&axes, std::slice::from_ref(&c), false, 200, run).unwrap();
        met += usize::from(r.answer.is_some());
    }
    met as f64 / trials as f64
}

/// A replication without a makespan is past every value. Where a fifth of them have none and
/// the others' makespan is 10 + a standard normal, `makespan_days > 10` happens in 0.2 + 0.8 x
/// 0.5 = 0.6 of replications, so `P(makespan_days > 10) < 0.6` is not met, and it is found to
/// meet it at most one time in twenty, as any setting at its threshold (counted as not meeting
/// the event, the share read 0.4: found to meet it 59.5% of the time). A mean with a replication past
/// the end in it is past any threshold: `mean(makespan_days) <= 10` fails as soon as a
/// replication lacks a makespan, so with a fifth lacking and the others' mean at 9 it can be met
/// only where none of the first 10 lacks one, 0.8^10 = 10.7% of settings; 6% were, as a verdict
/// still uncertain at 10 runs more (averaged over the others, it was met every time). No rule
/// does better: a setting that lacks a value one time in five looks like one that never does on
/// 10 replications that all have one that often.
#[test]
fn a_replication_without_a_makespan_counts_as_past_every_value() {
    let noise = 3.0 * (0.05_f64 * 0.95 / 1000.0).sqrt();
    let share = met_with_missing("P(makespan_days > 10) < 0.6", 0.2, 10.0);
    let mean = met_with_missing("mean(makespan_days) <= 10", 0.2, 9.0);
    eprintln!("a fifth without a makespan: share found to meet {share}, mean {mean}");
    assert!(share <= 0.05 + noise, "found to meet {share}");
    let none_missing = 0.8_f64.powi(10);
    let spread = 3.0 * (none_missing * (1.0 - none_missing) / 1000.0).sqrt();
    assert!(
        mean <= none_missing + spread,
        "found to meet {mean}, more than {none_missing}"
    );
}

/// `--precision` stops when the interval is as narrow as asked, judged by the interval itself,
/// so a run that stops early on a spread underestimated by chance has a short interval: the
/// final 95% t interval covers the true mean less often than 95%. Measured here over 2,000
/// runs each: normal replications (`sd / mean` 0.2) at `--precision` 0.05, about 66
/// replications, 93.5%; right-skewed ones (lognormal, sigma 1, where a t interval falls short
/// even at a fixed count) at 0.2, about 150, 89%. README states these figures; the test holds
/// them to within three standard errors, so a change to the stopping rule is seen.
#[test]
fn intervals_after_precision_stopping_cover_the_mean_a_little_less_than_95_percent() {
    // (shape, --precision, replication from a standard normal, true mean, coverage measured)
    type Shape = (&'static str, f64, fn(f64) -> f64, f64, f64);
    let shapes: [Shape; 2] = [
        ("normal", 0.05, |z| 10.0 + 2.0 * z, 10.0, 0.935),
        ("lognormal", 0.2, f64::exp, 0.5_f64.exp(), 0.89),
    ];
    for (shape, relative, value, mean, measured) in shapes {
        let precision = Precision::parse(&[format!("operator_wait_mean_h={relative}")]).unwrap();
        let trials = 2000;
        let mut rng = CounterRng::new(29);
        let mut draw = |n: u64| -> Vec<ReplicationMetrics> {
            (0..n)
                .map(|_| ReplicationMetrics {
                    operator_wait_mean_h: value(normal(&mut rng)),
                    ..Default::default()
                })
                .collect()
        };
        let (mut covered, mut replications) = (0, 0);
        for _ in 0..trials {
            let mut metrics = draw(precision.first_stage(1000));
            loop {
                let checks = precision.check("", &metrics);
                let n = metrics.len() as u64;
                match precision.next_total(n, &checks, 1000) {
                    Some(total) => metrics.extend(draw(total - n)),
                    None => {
                        let c = &checks[0];
                        covered += usize::from((c.mean - mean).abs() <= c.half_width);
                        replications += n;
                        break;
                    }
                }
            }
        }
        let coverage = covered as f64 / trials as f64;
        let noise = 3.0 * (measured * (1.0 - measured) / trials as f64).sqrt();
        assert!(
            (coverage - measured).abs() <= noise && coverage < 0.95 + noise,
            "{shape}: coverage {coverage} over {trials} runs of {} replications on average",
            replications / trials
        );
    }
}

/// A cause's share of the missed deadlines is the ratio of two means over the same replications,
/// and Fieller's interval (`stats::share_of_means`) covers the true share about 95% of the time.
/// Each replication misses a Poisson number of tenants and each miss has the cause with a known
/// probability, the true share: counts as small and discrete as a run's. Measured here over
/// 2,000 files each: 20 replications of about 9 misses, share 0.3, 95.1%; 20 of about 2, share
/// 0.5, 94.9%; 10 of about 9, share 0.9, 93.9% (the delta method's symmetric `share ± t * se`
/// gave 92.5% at 10 replications of about 2, share 0.5, where Fieller's gave 95.0%). The test
/// holds each to 95% within three standard errors, counting a file given no interval as not
/// covered.
#[test]
fn a_share_of_the_missed_deadlines_is_covered_about_95_percent_of_the_time() {
    // (replications, mean misses per replication, true share)
    let shapes = [(20, 9.0, 0.3), (20, 2.0, 0.5), (10, 9.0, 0.9)];
    let trials = 2000;
    let mut rng = CounterRng::new(31);
    for (reps, misses, truth) in shapes {
        let mut covered = 0;
        for _ in 0..trials {
            let (mut parts, mut wholes) = (Vec::new(), Vec::new());
            for _ in 0..reps {
                let whole: f64 = Poisson::new(misses).unwrap().sample(&mut rng);
                let part = Binomial::new(whole as u64, truth).unwrap().sample(&mut rng);
                parts.push(part as f64);
                wholes.push(whole);
            }
            let s = share_of_means(&parts, &wholes);
            covered += usize::from(s.low <= truth && truth <= s.high);
        }
        let coverage = covered as f64 / trials as f64;
        let noise = 3.0 * (0.95_f64 * 0.05 / trials as f64).sqrt();
        eprintln!("share {truth} of {misses} misses, {reps} replications: coverage {coverage}");
        assert!(
            (coverage - 0.95).abs() <= noise,
            "share {truth} of {misses} misses over {reps} replications: coverage {coverage}"
        );
    }
}
