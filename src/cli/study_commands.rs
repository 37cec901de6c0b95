//! `cutover select` (and the other studies' commands): read the arguments, build the variants,
//! run the study on a `sweep::Runner`, write its CSV file and manifest.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use serde_json::json;

use super::progress::Progress;
use super::{SimulationArgs, finish_folder, output_folder, write_manifest};
use crate::error::Error;
use crate::files;
use crate::output::{self, Manifest, OutputFolder};
use crate::scenario::{Scenario, Source, Workload, check_memory};
use crate::study::metric_column;
use crate::study::select::{SelectParams, Selection, kn};
use crate::sweep::{NEVER, Runner};

#[derive(Debug, Args)]
pub struct SelectArgs {
    /// Scenario file, or the name of a bundled scenario.
    pub scenario: String,
    /// Policies to choose from, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub policies: Vec<String>,
    /// The metric whose mean decides (a column of replications.csv).
    #[arg(long)]
    pub metric: String,
    /// Larger is better [default: smaller is better].
    #[arg(long)]
    pub maximize: bool,
    /// Indifference zone, in the metric's unit: a policy within DELTA of the best is as good.
    #[arg(long, allow_negative_numbers = true)]
    pub delta: f64,
    /// 1 - the probability of correct selection.
    #[arg(long, default_value_t = 0.05, allow_negative_numbers = true)]
    pub alpha: f64,
    /// First-stage replications of every policy.
    #[arg(long, default_value_t = 10)]
    pub n0: u64,
    /// Output folder [default: output/<scenario name>-select].
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub sim: SimulationArgs,
}

/// The most replications per policy `select` runs when `--reps` does not say.
pub const SELECT_CEILING: u64 = 10_000;

/// Loads the scenario of a study with `--set` and `--seed` applied; `--precision` belongs to
/// run, compare and sweep, where a fixed design is asked to be precise.
fn study_scenario(scenario: &str, sim: &SimulationArgs, command: &str) -> Result<Scenario, Error> {
    if !sim.precision.is_empty() {
        return Err(Error::Usage(format!(
            "--precision does not apply to {command}: it decides how many replications it needs"
        )));
    }
    let mut scenario = Scenario::load(&Source::resolve(Some(scenario)), &sim.set)?;
    if let Some(seed) = sim.seed {
        scenario.seed = seed;
    }
    Ok(scenario)
}

pub fn select_command(args: SelectArgs, command: Vec<String>, wait: bool) -> Result<(), Error> {
    let scenario = study_scenario(&args.scenario, &args.sim, "select")?;
    let (col, metric) =
        metric_column("--metric", &args.metric, &args.metric, 0..args.metric.len())?;
    let params = SelectParams {
        delta: args.delta,
        alpha: args.alpha,
        n0: args.n0,
        maximize: args.maximize,
        ceiling: args.sim.reps.unwrap_or(SELECT_CEILING),
    };
    crate::study::select::check(&params, args.policies.len())?;
    let variants = super::policy_variants(&scenario, &args.policies)?;
    let labels = super::labels_of(&args.policies);
    let out = output_folder(args.out, &scenario.name, "-select", &args.sim);
    // Memory holds one metric per replication, so the check is for the replications at once.
    let work = Workload::compare(params.n0, variants.len(), args.sim.workers());
    check_memory([&scenario], work).map_err(Error::Usage)?;
    let folder = OutputFolder::open(&out, wait)?;
    folder.invalidate()?;
    let started = Instant::now();
    // The total is not known before the end: the bar counts against the first stage.
    let progress = Progress::new(
        params.n0 * variants.len() as u64,
        "replications",
        1,
        args.sim.quiet,
    );
    let step = || progress.step();
    let runner = Runner::new(args.sim.threads(), &NEVER)?.with_progress(&step);
    let mut events = 0u64;
    let selection = kn(&params, variants.len(), |pairs| {
        let metrics = runner.run_pairs(&variants, pairs)?;
        events += metrics.iter().map(|m| m.events).sum::<u64>();
        pairs
            .iter()
            .zip(&metrics)
            .map(|(&(v, r), m)| {
                let x = m.values()[col];
                if x.is_finite() {
                    Ok(x)
                } else {
                    Err(Error::Usage(format!(
                        "--metric {metric}: replication {r} of {} has no value (nothing to average); choose another metric",
                        labels[v]
                    )))
                }
            })
            .collect()
    })?;
    progress.finish();
    let wall_seconds = started.elapsed().as_secs_f64();
    let files = vec![(
        files::selection::FILE,
        output::selection_csv(&labels, &selection),
    )];
    let manifest = Manifest {
        replications: selection.total(),
        study: Some(json!({
            "kind": "select",
            "method": "Kim and Nelson (2001) fully sequential procedure, common random numbers",
            "metric": metric,
            "maximize": args.maximize,
            "delta": args.delta,
            "alpha": args.alpha,
            "n0": args.n0,
            "ceiling": params.ceiling,
            "selected": labels[selection.selected],
            "stopped_at": selection.stopped_at,
            "ceiling_reached": selection.ceiling_reached,
            "fixed_sample_per_policy": selection.fixed_sample,
        })),
        threads: args.sim.workers(),
        command,
        events,
        wall_seconds,
        files: files.iter().map(|(n, _)| n.to_string()).collect(),
        ..Manifest::of(&scenario, &args.sim.set, &args.policies)
    };
    output::write_files(&out, files)?;
    if !args.sim.quiet {
        print_selection(&labels, metric, &params, &selection);
        println!("results in {}", out.display());
    }
    finish_folder(
        &folder,
        |complete, charts| write_manifest(&out, &manifest, complete, charts),
        None,
        args.sim.quiet,
    )
}

fn print_selection(labels: &[String], metric: &str, params: &SelectParams, s: &Selection) {
    let side = if params.maximize {
        "largest"
    } else {
        "smallest"
    };
    println!(
        "select: {side} mean {metric}, within {} of the best with probability >= {} (Kim-Nelson, common random numbers)",
        params.delta,
        1.0 - params.alpha
    );
    println!(
        "  {:<18} {:>12} {:>14} {:>16}",
        "policy", "replications", "mean", "eliminated_after"
    );
    for (label, c) in labels.iter().zip(&s.contenders) {
        println!(
            "  {label:<18} {:>12} {:>14.3} {:>16}",
            c.replications,
            c.mean,
            c.eliminated_after
                .map_or("-".to_string(), |r| r.to_string())
        );
    }
    println!(
        "selected {} after {} replications ({} in all); a fixed-sample design with the same guarantee needs {} per policy ({} in all)",
        labels[s.selected],
        s.stopped_at,
        s.total(),
        s.fixed_sample,
        s.fixed_sample * labels.len() as u64
    );
    if s.ceiling_reached {
        println!(
            "  the ceiling (--reps {}) was reached first: the choice is the best mean so far, WITHOUT the stated guarantee",
            params.ceiling
        );
    }
}
