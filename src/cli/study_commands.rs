//! `cutover select` (and the other studies' commands): read the arguments, build the variants,
//! run the study on a `sweep::Runner`, write its CSV file and manifest.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use serde_json::json;

use super::progress::Progress;
use super::{SimulationArgs, finish_folder, output_folder, plural};
use crate::error::{Error, Kept};
use crate::files;
use crate::model::ReplicationMetrics;
use crate::output::{self, Manifest};
use crate::report::figures;
use crate::scenario::{Scenario, Source, Workload, abbreviate, check_memory};
use crate::study::select::{SelectParams, Selection, kn};
use crate::study::{measured_in, metric_column};
use crate::sweep::{self, Runner};

// `--precision` is refused (select decides how many replications it needs), so not offered;
// `--reps` is the ceiling here.
#[derive(Debug, Args)]
#[command(
    mut_arg("precision", |a| a.hide(true)),
    mut_arg("reps", |a| a.help("Most replications per policy; a choice made there is without the guarantee [default: 10000]"))
)]
pub struct SelectArgs {
    /// Scenario file, or the name of a bundled scenario.
    #[arg(value_parser = super::flag_values::scenario())]
    pub scenario: String,
    /// Policies to choose from, comma-separated.
    #[arg(long, value_delimiter = ',', required = true, value_parser = super::flag_values::policy_name)]
    pub policies: Vec<String>,
    /// The metric whose mean decides (a column of replications.csv).
    #[arg(long)]
    pub metric: String,
    /// Larger is better [default: smaller is better].
    #[arg(long)]
    pub maximize: bool,
    /// Indifference zone, in the metric's unit: a policy within DELTA of the best is as good.
    #[arg(long, allow_hyphen_values = true, value_parser = super::flag_values::number)]
    pub delta: f64,
    /// 1 - the probability of correct selection, from 0.000001 to below 0.5.
    #[arg(long, default_value_t = 0.05, allow_hyphen_values = true, value_parser = super::flag_values::number)]
    pub alpha: f64,
    /// First-stage replications of every policy.
    #[arg(long, default_value_t = 10, value_parser = super::whole(0, u64::MAX),
        allow_hyphen_values = true)]
    pub n0: u64,
    /// Output folder [default: output/<scenario name>-select; with --set,
    /// output/<scenario name>-select-<8 hex digits of the overrides' hash>].
    #[arg(long, value_parser = super::flag_values::path())]
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

/// A number given to a flag, for the message refusing it: written as given, as a setting is
/// (`report::figures::setting`: `--alpha 1e300`, not 301 digits), and `NaN` or `inf` as read,
/// where a setting would show a dash for no value.
fn flag_number(x: f64) -> String {
    if x.is_finite() {
        figures::setting(x)
    } else {
        format!("{x}")
    }
}

pub fn select_command(args: SelectArgs, command: Vec<String>, wait: bool) -> Result<(), Error> {
    let scenario = study_scenario(&args.scenario, &args.sim, "select")?;
    let (col, metric) =
        metric_column("--metric", &args.metric, &args.metric, 0..args.metric.len())?;
    measured_in(&scenario, metric, "--metric", &args.metric, "")?;
    let params = SelectParams {
        delta: args.delta,
        alpha: args.alpha,
        n0: args.n0,
        maximize: args.maximize,
        ceiling: args.sim.reps.unwrap_or(SELECT_CEILING),
    };
    crate::study::select::check(&params, args.policies.len())
        .map_err(|r| Error::Usage(r.message(flag_number)))?;
    let variants = super::policy_variants(&scenario, &args.policies)?;
    let labels = super::labels_of(&args.policies);
    let out = output_folder(args.out, &scenario.name, "-select", &args.sim);
    // Memory holds one metric per replication, so the check is for the replications at once.
    let work = Workload::compare(params.n0, variants.len(), args.sim.workers());
    check_memory([&scenario], work).map_err(Error::Usage)?;
    let (folder, interrupted) = super::open_output(&out, wait, Kept::Nothing, false)?;
    let started = Instant::now();
    // The total is not known before the end: the bar counts each stage to its end.
    let progress = Progress::staged("replications", args.sim.quiet);
    let step = || progress.step();
    let runner = Runner::new(args.sim.threads(), interrupted)?.with_progress(&step);
    let mut events = 0u64;
    let selection = kn_in_stages(&params, variants.len(), &progress, |pairs| {
        let metrics = runner.run_pairs(&variants, pairs)?;
        events += metrics.iter().map(|m| m.events).sum::<u64>();
        let values: Vec<f64> = metrics.iter().map(|m| m.values()[col]).collect();
        unmeasured(metric, &labels, pairs, &values, &out)?;
        Ok(values)
    })?;
    super::interrupt::simulated();
    progress.finish();
    let wall_seconds = started.elapsed().as_secs_f64();
    let files = vec![(
        files::selection::FILE,
        output::selection_csv(&labels, &selection),
    )];
    let manifest = Manifest::study(
        &scenario,
        &args.sim.set,
        &args.policies,
        selection.total(),
        json!({
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
        }),
        args.sim.ran(command, events, wall_seconds, &files),
    );
    output::write_files(&out, files)?;
    if !args.sim.quiet {
        print_selection(&labels, metric, &params, &selection);
        say!("results in {}", out.display());
    }
    finish_folder(&folder, &manifest, None, args.sim.quiet)
}

/// Refuses a stage in which some replications have no value of `metric` (`makespan_days` where
/// no tenant transitioned), naming each policy with how many of its replications so far lacked
/// it. The mean of such a metric over replications is not defined, so no choice could carry the
/// procedure's guarantee, which is on that mean; nor would one over the replications that
/// measured it, whose set depends on the policy. Earlier stages had a value everywhere, so the
/// counts are of every replication run.
fn unmeasured(
    metric: &str,
    labels: &[String],
    pairs: &[(usize, u64)],
    values: &[f64],
    out: &std::path::Path,
) -> Result<(), Error> {
    if values.iter().all(|x| x.is_finite()) {
        return Ok(());
    }
    let lacking: Vec<String> = (0..labels.len())
        .filter_map(|v| {
            let mine: Vec<(u64, f64)> = pairs
                .iter()
                .zip(values)
                .filter(|((p, _), _)| *p == v)
                .map(|(&(_, r), &x)| (r, x))
                .collect();
            let missing: Vec<u64> = mine
                .iter()
                .filter(|(_, x)| !x.is_finite())
                .map(|&(r, _)| r)
                .collect();
            let run = mine.iter().map(|&(r, _)| r + 1).max()?;
            (!missing.is_empty()).then(|| {
                format!(
                    "{} in {} of {run} replications, replication {} first",
                    labels[v],
                    missing.len(),
                    missing[0]
                )
            })
        })
        .collect();
    // Only the first stage holds every replication so far.
    let first_stage = pairs.iter().any(|&(_, r)| r == 0);
    let which = if first_stage && values.iter().all(|x| !x.is_finite()) {
        "no replication has a value of it"
    } else {
        "some replications have no value of it"
    };
    Err(Error::Usage(format!(
        "--metric {metric}: {which} ({}), so its mean over replications is not defined and no policy can be chosen as best on it with the stated probability; choose a metric every replication measures, or settings under which this one always has a value (no results are in {})",
        lacking.join("; "),
        out.display()
    )))
}

/// Kim and Nelson's procedure with each of its stages shown on `progress` before it runs, so
/// the bar counts every replication `run` is asked for (and steps once for each).
fn kn_in_stages(
    params: &SelectParams,
    k: usize,
    progress: &Progress,
    mut run: impl FnMut(&[(usize, u64)]) -> Result<Vec<f64>, Error>,
) -> Result<Selection, Error> {
    kn(params, k, |pairs| {
        progress.stage(pairs.len() as u64);
        run(pairs)
    })
}

fn print_selection(labels: &[String], metric: &str, params: &SelectParams, s: &Selection) {
    let side = if params.maximize {
        "largest"
    } else {
        "smallest"
    };
    say_wrapped!(
        "select: {side} mean {metric}, within {} of the best with probability >= {} (Kim-Nelson, common random numbers)",
        figures::setting(params.delta),
        figures::complement(params.alpha)
    );
    say!(
        "  {:<18} {:>12} {:>14}  {:>16}",
        "policy",
        "replications",
        "mean",
        "eliminated after"
    );
    for (label, c) in labels.iter().zip(&s.contenders) {
        say!(
            "  {label:<18} {:>12} {:>14}  {:>16}",
            c.replications,
            figures::number(c.mean),
            c.eliminated_after
                .map_or("-".to_string(), |r| r.to_string())
        );
    }
    say_wrapped!(
        "selected {} after {} replications ({} in all); a fixed-sample design with the same guarantee needs {}",
        labels[s.selected],
        s.stopped_at,
        s.total(),
        s.fixed_sample_text(labels.len())
    );
    if s.ceiling_reached {
        say_wrapped!(
            "  the ceiling (--reps {}) was reached first: the choice is the best mean so far, WITHOUT the stated guarantee",
            params.ceiling
        );
    }
}

// `--precision` is refused (seek decides how many replications each setting needs), so not
// offered; `--reps` is the ceiling here.
#[derive(Debug, Args)]
#[command(
    mut_arg("precision", |a| a.hide(true)),
    mut_arg("reps", |a| a.help("Most replications per setting; a verdict still uncertain there counts as not met [default: 200]"))
)]
pub struct SeekArgs {
    /// Scenario file, or the name of a bundled scenario.
    #[arg(value_parser = super::flag_values::scenario())]
    pub scenario: String,
    /// An integer scenario key and its range, e.g. operators.weekend=2..12 (repeatable).
    #[arg(long = "vary", value_name = "KEY=LOW..HIGH", required = true)]
    pub vary: Vec<String>,
    /// A constraint: 'mean(METRIC) <= X' or 'P(METRIC <= X) >= P' (repeatable; >= too, and the
    /// strict < and >).
    #[arg(long = "require", value_name = "CONSTRAINT", required = true)]
    pub require: Vec<String>,
    /// Cost weight of a varied key [default: 1 each]; cost = sum of weight x value.
    #[arg(long = "cost", value_name = "KEY=WEIGHT")]
    pub cost: Vec<String>,
    /// Assume that raising any varied key never makes a constraint worse (skips settings below
    /// one that surely failed).
    #[arg(long)]
    pub monotone: bool,
    /// Output folder [default: output/<scenario name>-seek; with --set,
    /// output/<scenario name>-seek-<8 hex digits of the overrides' hash>].
    #[arg(long, value_parser = super::flag_values::path())]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub sim: SimulationArgs,
}

/// The most replications of one setting `seek` runs when `--reps` does not say.
pub const SEEK_CEILING: u64 = 200;

pub fn seek_command(args: SeekArgs, command: Vec<String>, wait: bool) -> Result<(), Error> {
    use crate::study::seek::{apply_costs, parse_require, parse_vary, seek};
    let scenario = study_scenario(&args.scenario, &args.sim, "seek")?;
    let source = Source::resolve(Some(&args.scenario));
    let mut axes = args
        .vary
        .iter()
        .map(|v| parse_vary(v))
        .collect::<Result<Vec<_>, _>>()?;
    for (i, a) in axes.iter().enumerate() {
        if axes[..i].iter().any(|b| b.key == a.key) {
            return Err(Error::Usage(format!(
                "--vary names `{}` twice",
                abbreviate(&a.key)
            )));
        }
    }
    super::key_ranges::refuse_set_and_ranged(
        "--vary",
        axes.iter().map(|a| a.key.as_str()),
        &args.sim.set,
    )?;
    apply_costs(&mut axes, &args.cost)?;
    let constraints = args
        .require
        .iter()
        .map(|r| parse_require(r))
        .collect::<Result<Vec<_>, _>>()?;
    let ceiling = args.sim.reps.unwrap_or(SEEK_CEILING);
    let seed = scenario.seed;
    // The scenario at a setting: the --set overrides, then the varied keys.
    let at = |values: &[i64]| -> Result<Scenario, crate::scenario::ScenarioError> {
        let mut all = args.sim.set.clone();
        all.extend(
            axes.iter()
                .zip(values)
                .map(|(a, v)| format!("{}={v}", a.key)),
        );
        let mut s = Scenario::load(&source, &all)?;
        s.seed = seed;
        Ok(s)
    };
    // Every key must be an integer key: its ends valid, and half a unit refused.
    for (i, a) in axes.iter().enumerate() {
        let arg = &args.vary[i];
        for end in [a.low, a.high] {
            let mut values: Vec<i64> = axes.iter().map(|b| b.low).collect();
            values[i] = end;
            at(&values).map_err(|e| {
                Error::Usage(format!(
                    "--vary `{}`: {end} is not valid: {e}",
                    abbreviate(arg)
                ))
            })?;
        }
        let mut half = args.sim.set.clone();
        half.push(format!("{}={}.5", a.key, a.low));
        if Scenario::load(&source, &half).is_ok() {
            return Err(Error::Usage(format!(
                "--vary `{}`: `{}` is not an integer key (it accepts {}.5); seek varies whole numbers only",
                abbreviate(arg),
                abbreviate(&a.key),
                a.low
            )));
        }
    }
    // A constraint on a metric that no setting can measure would fail at every setting after
    // simulating them all: refused when the metric has no value at the setting of every key's
    // low end, nor at any key's high end. (One setting without it, say no agents at all, is
    // a setting that cannot meet the constraint, which the search finds for itself.)
    let lows: Vec<i64> = axes.iter().map(|a| a.low).collect();
    let mut ends = vec![at(&lows)?];
    for (i, a) in axes.iter().enumerate() {
        let mut values = lows.clone();
        values[i] = a.high;
        ends.push(at(&values)?);
    }
    for c in &constraints {
        if ends
            .iter()
            .skip(1)
            .all(|s| ReplicationMetrics::never_measured(c.metric, s).is_some())
        {
            measured_in(&ends[0], c.metric, "--require", &c.text, "")?;
        }
    }
    let out = output_folder(args.out, &scenario.name, "-seek", &args.sim);
    super::key_ranges::check_memory_at_ends(
        "--vary",
        &scenario,
        [lows, axes.iter().map(|a| a.high).collect()],
        |values| setting_text(&axes, values),
        at,
        Workload::run(ceiling, args.sim.workers()),
    )?;
    let (folder, interrupted) = super::open_output(&out, wait, Kept::Nothing, false)?;
    let started = Instant::now();
    // How many replications seek runs depends on what it sees; the bar counts up to the most it
    // could run (every setting at the ceiling), so its time left is an upper bound.
    let settings: u64 = axes
        .iter()
        .map(|a| {
            a.high
                .saturating_sub(a.low)
                .unsigned_abs()
                .saturating_add(1)
        })
        .fold(1, u64::saturating_mul);
    let progress = Progress::new(
        settings.saturating_mul(ceiling),
        "replications at most",
        1,
        args.sim.quiet,
    );
    let step = || progress.step();
    let runner = Runner::new(args.sim.threads(), interrupted)?.with_progress(&step);
    let mut events = 0u64;
    let result = seek(
        &axes,
        &constraints,
        args.monotone,
        ceiling,
        |values, reps| {
            let scenario = at(values)?;
            let policy = scenario.policy(&scenario.batching.policy).ok_or_else(|| {
                Error::Internal(format!(
                    "validated policy `{}` is unknown",
                    scenario.batching.policy
                ))
            })?;
            let variants = [sweep::Variant { scenario, policy }];
            let pairs: Vec<(usize, u64)> = reps.map(|r| (0, r)).collect();
            let metrics = runner.run_pairs(&variants, &pairs)?;
            events += metrics.iter().map(|m| m.events).sum::<u64>();
            Ok(metrics)
        },
    )?;
    super::interrupt::simulated();
    progress.finish();
    let wall_seconds = started.elapsed().as_secs_f64();
    let files = vec![(
        files::seek::FILE,
        output::seek_csv(&axes, &constraints, &result),
    )];
    let answer = result.answer.map(|i| &result.evaluated[i]);
    let manifest = Manifest::study(
        &scenario,
        &args.sim.set,
        std::slice::from_ref(&scenario.batching.policy),
        result.total_replications(),
        json!({
            "kind": "seek",
            "method": "settings in order of cost; one-sided bounds (Student t for means, Wilson for probabilities), each verdict on a constraint right with probability at least 95% over all the looks at a setting (Bonferroni: each look's bound at look_confidence); replications added while a verdict is uncertain; common random numbers",
            "look_confidence": crate::study::seek::look_confidence(ceiling),
            "vary": axes.iter().map(|a| json!({"key": a.key, "low": a.low, "high": a.high, "weight": a.weight})).collect::<Vec<_>>(),
            "constraints": constraints.iter().map(|c| c.text.clone()).collect::<Vec<_>>(),
            "monotone": args.monotone,
            "ceiling": ceiling,
            "answer": answer.map(|a| a.values.clone()),
            "cost": answer.map(|a| a.cost),
            "settings_evaluated": result.evaluated.len(),
            "settings_skipped": result.skipped,
        }),
        args.sim.ran(command, events, wall_seconds, &files),
    );
    output::write_files(&out, files)?;
    if !args.sim.quiet {
        print_seek(&axes, &constraints, &result, ceiling);
        say!("results in {}", out.display());
    }
    finish_folder(&folder, &manifest, None, args.sim.quiet)
}

/// A setting as `key=value, ...`.
fn setting_text(axes: &[crate::study::seek::Axis], values: &[i64]) -> String {
    axes.iter()
        .zip(values)
        .map(|(a, v)| format!("{}={v}", a.key))
        .collect::<Vec<_>>()
        .join(", ")
}

fn print_seek(
    axes: &[crate::study::seek::Axis],
    constraints: &[crate::study::seek::Constraint],
    r: &crate::study::seek::SeekResult,
    ceiling: u64,
) {
    let setting = |values: &[i64]| setting_text(axes, values);
    say!(
        "seek: {} tried{}, {}",
        plural(r.evaluated.len() as u64, "setting"),
        if r.skipped > 0 {
            format!(", {} skipped (--monotone)", r.skipped)
        } else {
            String::new()
        },
        plural(r.total_replications(), "replication")
    );
    match r.answer.map(|i| &r.evaluated[i]) {
        Some(a) => {
            say!(
                "cheapest setting that meets every constraint: {} (cost {})",
                setting(&a.values),
                a.cost
            );
            for (c, k) in constraints.iter().zip(&a.checks) {
                let (estimate, bound) = figures::constraint(c, k.estimate, k.bound);
                say_wrapped!(
                    "  {}: estimate {estimate}, bound {bound} ({}; {})",
                    c.text,
                    crate::study::seek::bound_words(ceiling),
                    c.over_words(k.measured, a.replications)
                );
            }
        }
        None => {
            say!("no setting in range meets every constraint");
            let checks: Vec<&[crate::study::seek::Check]> =
                r.evaluated.iter().map(|e| e.checks.as_slice()).collect();
            if let Some((s, i)) = crate::study::seek::closest(constraints, &checks) {
                let e = &r.evaluated[s];
                say_wrapped!(
                    "  {}",
                    figures::closest(
                        &constraints[i],
                        &setting(&e.values),
                        &e.checks[i],
                        e.replications
                    )
                );
                say_wrapped!(
                    "  {}",
                    crate::study::seek::next_step(e.checks[i].verdict, ceiling)
                );
            }
        }
    }
    // Cheaper settings, or every one, that failed a mean for replications without a value.
    for (i, c) in constraints.iter().enumerate() {
        let tried: Vec<(String, u64, u64)> = r
            .evaluated
            .iter()
            .map(|e| (setting(&e.values), e.checks[i].measured, e.replications))
            .collect();
        if let Some(words) = crate::study::seek::lacking_words(c, &tried) {
            say_wrapped!("  {words}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_select_bar_counts_every_stage() {
        let params = SelectParams {
            delta: 0.5,
            alpha: 0.05,
            n0: 10,
            maximize: false,
            ceiling: 10_000,
        };
        let progress = Progress::staged("replications", true);
        let mut stages = 0;
        // Three systems half a unit apart with noise of about one unit: elimination takes stages.
        let noise = |i: usize, r: u64| {
            let mut x = (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)
                ^ r.wrapping_mul(0xbf58_476d_1ce4_e5b9);
            x ^= x >> 31;
            x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
            (x >> 11) as f64 / (1u64 << 53) as f64 * 3.5 - 1.75
        };
        let selection = kn_in_stages(&params, 3, &progress, |pairs| {
            stages += 1;
            Ok(pairs
                .iter()
                .map(|&(i, r)| {
                    progress.step();
                    0.5 * i as f64 + noise(i, r)
                })
                .collect())
        })
        .unwrap();
        assert!(stages > 2, "the study ran {stages} stages");
        let (position, length, prefix) = progress.counted();
        assert_eq!(position, selection.total());
        assert_eq!(length, Some(selection.total()));
        assert_eq!(prefix, format!("stage {stages}"));
    }
}
