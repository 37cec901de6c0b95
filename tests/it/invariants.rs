//! The model's invariants over many seeds and every shipped scenario: time never goes back,
//! tenants are conserved, busy operators never exceed those on duty and busy copy slots never
//! exceed capacity. The model re-checks its own counts every 1,024 events in debug builds (so in
//! these tests); here every record it produces is checked from the outside as well, in memory
//! and in the CSV files a run writes.

use std::collections::HashMap;
use std::path::PathBuf;

use cutover::model::{Detail, ReplicationOutput, simulate};
use cutover::policy;
use cutover::scenario::{BUNDLED, Scenario, Source};

use crate::common::{Csv, assert_success, cutover, read_csv, temp_dir};
use crate::model_behaviour::check_invariants;

/// Every shipped scenario, shrunk where needed so a debug build runs it quickly, with how many
/// seeds to run it under.
fn shipped() -> Vec<(String, Scenario, u64)> {
    let shrink = |name: &str| -> (Vec<String>, u64) {
        let (sets, seeds): (&[&str], u64) = match name {
            "small-pilot" => (&[], 30),
            "bpos-2011" => (&["population.tenants=300"], 6),
            "enterprise-wave" => (&["population.tenants=30"], 6),
            "stress" => (&["population.tenants=400"], 3),
            // New bundled scenarios are covered too, at a size that keeps the suite quick.
            _ => (&["population.tenants=100"], 4),
        };
        (sets.iter().map(|s| s.to_string()).collect(), seeds)
    };
    let mut all: Vec<(String, Scenario, u64)> = BUNDLED
        .iter()
        .map(|b| {
            let (sets, seeds) = shrink(b.name);
            let sc = Scenario::load(&Source::Bundled(b), &sets).unwrap_or_else(|e| panic!("{e}"));
            (b.name.to_string(), sc, seeds)
        })
        .collect();
    let pilot = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/inventory-pilot.toml");
    let sc = Scenario::load(&Source::File(pilot), &[]).unwrap_or_else(|e| panic!("{e}"));
    all.push(("inventory-pilot".into(), sc, 10));
    all
}

fn run(sc: &Scenario, replication: u64) -> ReplicationOutput {
    let policy = policy::by_name(&sc.batching.policy).expect("a known policy");
    simulate(sc, policy.as_ref(), replication, true)
}

/// What the records of one replication must satisfy beyond `check_invariants`: the hourly
/// samples and the phase spans never go back in time, capacity is never exceeded, and the
/// completion curve only rises, to the number transitioned.
fn check_more(label: &str, sc: &Scenario, out: &ReplicationOutput) {
    let d: &Detail = out.detail.as_ref().expect("detail was asked for");
    let slots = u64::from(sc.copy.slots) * sc.population.regions.len() as u64;
    for pair in d.hourly.windows(2) {
        assert!(
            pair[0].time < pair[1].time,
            "{label}: hourly samples go back at {:?}",
            pair[1].time
        );
    }
    for h in &d.hourly {
        assert!(
            h.load.operators_busy <= h.load.operators_on_duty,
            "{label}: at {:?} {} operators busy, {} on duty",
            h.time,
            h.load.operators_busy,
            h.load.operators_on_duty
        );
        assert!(
            u64::from(h.load.copies_running) <= slots,
            "{label}: at {:?} {} copies running on {slots} slots",
            h.time,
            h.load.copies_running
        );
    }
    let mut by_tenant: HashMap<u32, Vec<_>> = HashMap::new();
    for s in &d.spans {
        if let Some(end) = s.end {
            assert!(s.start <= end, "{label}: span ends before it starts: {s:?}");
        }
        if let Some(done) = s.done {
            assert!(
                s.start <= done,
                "{label}: work done before its phase: {s:?}"
            );
        }
        by_tenant.entry(s.tenant).or_default().push(s);
    }
    // A tenant is in one phase at a time: its phases never overlap.
    for (tenant, mut spans) in by_tenant {
        spans.sort_by_key(|s| s.start);
        for pair in spans.windows(2) {
            let end = pair[0].end.unwrap_or_else(|| {
                panic!("{label}: tenant {tenant} has a phase after an open one: {pair:?}")
            });
            assert!(
                end <= pair[1].start,
                "{label}: tenant {tenant}'s phases overlap: {pair:?}"
            );
        }
    }
    for pair in out.completion.windows(2) {
        assert!(pair[0] <= pair[1], "{label}: the completion curve fell");
    }
    if let Some(&last) = out.completion.last() {
        assert_eq!(
            u64::from(last),
            out.metrics.transitioned,
            "{label}: completion ends at the transitioned count"
        );
    }
}

#[test]
fn every_shipped_scenario_keeps_its_invariants_over_many_seeds() {
    let mut slips = 0;
    for (name, base, seeds) in shipped() {
        for seed in 1..=seeds {
            let mut sc = base.clone();
            sc.seed = seed;
            // Different replication indices too: each has its own streams.
            let replication = seed % 4;
            let label = format!("{name} seed {seed} replication {replication}");
            let out = run(&sc, replication);
            let detail = out.detail.as_ref().expect("detail was asked for");
            check_invariants(&label, &sc, &out.metrics, detail);
            check_more(&label, &sc, &out);
            slips += out.metrics.slips;
        }
    }
    assert!(
        slips > 0,
        "no tenant slipped in any run: the rollback invariants were never exercised"
    );
}

/// The CSV files of a run agree with each other: tenants are conserved in every file.
#[test]
fn the_files_of_a_run_agree_with_each_other() {
    let dir = temp_dir();
    for (scenario, sets) in [
        ("small-pilot", vec![]),
        ("bpos-2011", vec!["population.tenants=250"]),
    ] {
        let owned: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        let sc = Scenario::load(&Source::resolve(Some(scenario)), &owned)
            .unwrap_or_else(|e| panic!("{e}"));
        let slots = f64::from(sc.copy.slots) * sc.population.regions.len() as f64;
        let out = dir.path().join(scenario);
        let out_arg = out.to_str().expect("a UTF-8 path");
        let mut args = vec![
            "run", scenario, "--reps", "2", "--seed", "11", "--out", out_arg, "-q",
        ];
        for set in &sets {
            args.extend(["--set", set]);
        }
        assert_success(&cutover(dir.path(), &args));
        check_files(scenario, &out, slots);
    }
}

fn check_files(label: &str, out: &std::path::Path, slots: f64) {
    let reps = read_csv(&out.join("replications.csv"));
    let tenants = read_csv(&out.join("tenants.csv"));
    let batches = read_csv(&out.join("batches.csv"));
    let series = read_csv(&out.join("timeseries.csv"));
    let n = reps.numbers("tenants")[0];
    let transitioned = reps.numbers("transitioned")[0];
    assert_eq!(
        tenants.rows.len() as f64,
        n,
        "{label}: one tenants.csv row each"
    );

    // Transitioned and not transitioned tenants add up to all of them.
    let dates = tenants.column("transition_date");
    let with_date = dates.iter().filter(|d| !d.is_empty()).count() as f64;
    assert_eq!(
        with_date, transitioned,
        "{label}: tenants with a transition date"
    );
    assert_eq!(
        with_date + dates.iter().filter(|d| d.is_empty()).count() as f64,
        n,
        "{label}: tenants conserved"
    );

    // batches.csv against tenants.csv: each batch's transitions are its tenants' dates, and the
    // slips add up.
    let sum = |csv: &Csv, col: &str| csv.numbers(col).iter().sum::<f64>();
    assert_eq!(
        sum(&batches, "transitioned"),
        transitioned,
        "{label}: batches' transitions"
    );
    assert_eq!(
        sum(&batches, "slipped"),
        sum(&tenants, "slips"),
        "{label}: batches' slips"
    );
    assert_eq!(
        sum(&batches, "slipped"),
        reps.numbers("slips")[0],
        "{label}: slips"
    );
    let weekend_of: HashMap<&str, &str> = batches
        .column("batch")
        .into_iter()
        .zip(batches.column("weekend"))
        .collect();
    let batch_col = tenants.column("batch");
    for (i, date) in dates.iter().enumerate() {
        if !date.is_empty() {
            assert_eq!(
                weekend_of.get(batch_col[i]),
                Some(date),
                "{label}: tenant {i} transitioned on its batch's weekend"
            );
        }
    }
    for (b, (placed, done)) in batches
        .numbers("tenants")
        .iter()
        .zip(
            batches
                .numbers("transitioned")
                .iter()
                .zip(batches.numbers("slipped")),
        )
        .enumerate()
    {
        assert!(
            done.0 + done.1 <= *placed,
            "{label}: batch {b} has more outcomes than tenants"
        );
    }

    // timeseries.csv: the phases hold every tenant every day; days go forward; capacity holds.
    let phases = [
        "pre_approval",
        "primary_prep",
        "secondary_prep",
        "approval",
        "prestage",
        "lock",
        "data_upgrade",
        "finalize",
    ];
    let columns: Vec<Vec<f64>> = phases.iter().map(|p| series.numbers(p)).collect();
    for day in 0..series.rows.len() {
        let total: f64 = columns.iter().map(|c| c[day]).sum();
        assert_eq!(
            total, n,
            "{label}: phases on day {day} hold {total} tenants"
        );
    }
    let days = series.numbers("day");
    assert!(
        days.windows(2).all(|w| w[0] < w[1]),
        "{label}: days go forward"
    );
    check_capacity(label, &series, slots);
    if out.join("hourly.csv").exists() {
        check_capacity(label, &read_csv(&out.join("hourly.csv")), slots);
    }
}

/// Busy operators within those on duty and running copies within the slots, in every row.
fn check_capacity(label: &str, csv: &Csv, slots: f64) {
    let busy = csv.numbers("operators_busy");
    let duty = csv.numbers("operators_on_duty");
    for (row, (b, d)) in busy.iter().zip(&duty).enumerate() {
        assert!(
            b <= d,
            "{label}: row {row}: {b} operators busy, {d} on duty"
        );
    }
    for (row, c) in csv.numbers("copies_running").iter().enumerate() {
        assert!(
            (0.0..=slots).contains(c),
            "{label}: row {row}: {c} copies running on {slots} slots"
        );
    }
}
