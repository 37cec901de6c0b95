//! `cutover select` on the real model, with a planted best policy: how often it picks it, and at
//! what cost in replications.
//!
//! `cargo run --release --example select_planted_best [-- SEEDS]`
//!
//! The bundled `small-pilot` programme gets three declared policies that cap its region's batch
//! below the scenario's 25 tenants (24, 22 and 20). A smaller weekend spreads the Monday calls, so
//! the help desk's P95 wait falls as the cap falls: `cap-20` is the planted best on
//! `helpdesk_wait_p95_h` (smaller is better). The example first measures the policies' means on
//! many paired replications and checks that the plant holds: `cap-20` is ahead of every other
//! policy by more than the indifference zone `delta`, with a 95% interval. Then it runs the
//! Kim-Nelson procedure at `alpha = 0.05` once per scenario seed and counts how often it selects
//! `cap-20`, against the promised `1 - alpha`, and how many replications it used, against the
//! two-stage fixed-sample design of the same guarantee (Nelson & Matejcik). It fails (exit 1) if
//! the plant does not hold, if the correct-selection rate is below `1 - alpha` by more than its
//! binomial error allows (a one-sided 99% bound), or if KN used more replications than the
//! fixed-sample design.

use cutover::scenario::Scenario;
use cutover::study::select::{SelectParams, kn};
use cutover::sweep::{NEVER, Runner, Variant};
use cutover::{Error, model::ReplicationMetrics};

const METRIC: &str = "helpdesk_wait_p95_h";
const POLICIES: [&str; 4] = ["fifo", "cap-24", "cap-22", "cap-20"];
const BEST: usize = 3;
const DELTA: f64 = 1.0;
const ALPHA: f64 = 0.05;
/// Paired replications that establish the policies' means before the selections.
const PLANT_REPS: u64 = 400;

fn main() {
    if let Err(e) = study() {
        eprintln!("select_planted_best: {e}");
        std::process::exit(1);
    }
}

fn study() -> Result<(), Box<dyn std::error::Error>> {
    let seeds: u64 = match std::env::args().nth(1) {
        Some(s) => s
            .parse()
            .map_err(|_| format!("SEEDS: `{s}` is not a count"))?,
        None => 100,
    };
    let mut text = std::fs::read_to_string("scenarios/small-pilot.toml")?;
    for cap in [24, 22, 20] {
        text.push_str(&format!(
            "\n[policies.cap-{cap}]\ncaps = [{{ per = \"region\", value = \"NA\", max_tenants = {cap} }}]\n"
        ));
    }
    let base = Scenario::from_text(&text, "small-pilot+caps.toml", &[])?;
    let column = ReplicationMetrics::COLUMNS
        .iter()
        .position(|c| *c == METRIC)
        .ok_or("no such metric")?;
    let runner = Runner::new(None, &NEVER)?;
    let variants = |seed: u64| -> Result<Vec<Variant>, Error> {
        POLICIES
            .iter()
            .map(|name| {
                let mut scenario = base.clone();
                scenario.batching.policy = name.to_string();
                Variant::seeded(scenario, seed)
            })
            .collect()
    };
    let metric_of = |variants: &[Variant], pairs: &[(usize, u64)]| -> Result<Vec<f64>, Error> {
        Ok(runner
            .run_pairs(variants, pairs)?
            .iter()
            .map(|m| m.values()[column])
            .collect())
    };

    // The plant: the best's lead over each other policy, paired over PLANT_REPS replications.
    let plant = variants(base.seed)?;
    let pairs: Vec<(usize, u64)> = (0..POLICIES.len())
        .flat_map(|p| (0..PLANT_REPS).map(move |r| (p, r)))
        .collect();
    let values = metric_of(&plant, &pairs)?;
    let of = |p: usize| &values[p * PLANT_REPS as usize..(p + 1) * PLANT_REPS as usize];
    println!("{METRIC} over {PLANT_REPS} paired replications of small-pilot:");
    for (p, name) in POLICIES.iter().enumerate() {
        let mean = of(p).iter().sum::<f64>() / PLANT_REPS as f64;
        if p == BEST {
            println!("  {name:<7} mean {mean:7.3} h  (the planted best)");
            continue;
        }
        let lead: Vec<f64> = of(p).iter().zip(of(BEST)).map(|(a, b)| a - b).collect();
        let interval = cutover::stats::summarize(&lead);
        println!(
            "  {name:<7} mean {mean:7.3} h  behind the best by {:.3} h [{:.3}, {:.3}]",
            interval.mean, interval.ci95_low, interval.ci95_high
        );
        if interval.ci95_low <= DELTA {
            return Err(format!(
                "the plant does not hold: {name} is not behind cap-20 by more than delta = {DELTA} h"
            )
            .into());
        }
    }

    // The selections, one per seed.
    let params = SelectParams {
        delta: DELTA,
        alpha: ALPHA,
        n0: 10,
        maximize: false,
        ceiling: 10_000,
    };
    let (mut correct, mut used, mut fixed) = (0u64, 0u64, 0u64);
    for seed in 0..seeds {
        let v = variants(1_000 + seed)?;
        let selection = kn(&params, v.len(), |pairs| metric_of(&v, pairs))?;
        correct += u64::from(selection.selected == BEST);
        used += selection.total();
        fixed += selection.fixed_sample * POLICIES.len() as u64;
    }
    let rate = correct as f64 / seeds as f64;
    // The least rate a procedure with the promised 1 - alpha shows in `seeds` trials, 99% of the
    // time (normal approximation to the binomial, one-sided).
    let promised = 1.0 - ALPHA;
    let floor = promised - 2.326 * (promised * (1.0 - promised) / seeds as f64).sqrt();
    println!(
        "KN (delta {DELTA} h, alpha {ALPHA}) over {seeds} seeds: selected cap-20 in {correct} ({:.1}%, promised at least {:.0}%)",
        100.0 * rate,
        100.0 * promised
    );
    println!(
        "replications: {used} in all, {:.1} a selection; the fixed-sample design of the same guarantee: {fixed} ({:.1} a selection)",
        used as f64 / seeds as f64,
        fixed as f64 / seeds as f64
    );
    if rate < floor {
        return Err(format!("correct selection {rate:.3} is below {floor:.3}").into());
    }
    if used >= fixed {
        return Err("KN used no fewer replications than the fixed-sample design".into());
    }
    Ok(())
}
