//! `cutover sensitivity`: builds the design of `study::sensitivity` over the `--vary` ranges,
//! runs every point's replications (the same replications at every point: common random
//! numbers), and writes sensitivity.csv, the manifest and a tornado chart per headline metric.
//!
//! The points are a sweep's cells: each finished point is committed as a cell file
//! (`cells/cell-NNNN.csv`, beside a grid.json naming the design) and the indices are always
//! computed from those files, so `--resume` runs only the points still missing and gives the same
//! bytes as an uninterrupted run.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use serde::Serialize;

use super::key_ranges::{RangeStudy, load_study, scenario_at};
use super::progress::Progress;
use super::sweep_commands::{cells_to_run, record_grid};
use super::{DrawCharts, HEADLINE_METRICS, SimulationArgs, finish_folder, plural};
use crate::error::{Error, Kept};
use crate::files::sensitivity as s;
use crate::model::ReplicationMetrics;
use crate::output::sweep_files::{self as store, Cells};
use crate::output::{self, Execution, FolderManifest, Head, format_number};
use crate::report::figures;
use crate::scenario::{MAX_SWEEP_CELLS, MemoryBudget, Workload, check_cells_memory, check_memory};
use crate::study::sensitivity::{
    self as study, BOOTSTRAP, Estimate, Factor, MAX_KEYS, MAX_SOBOL_SAMPLES, Method,
};
use crate::{chart, sweep};

// `--precision` is refused (every design point runs the same --reps), so not offered.
#[derive(Debug, Args)]
#[command(
    mut_arg("precision", |a| a.hide(true)),
    mut_arg("reps", |a| a.help("Replications of every design point (overrides the scenario's `replications`)"))
)]
pub struct SensitivityArgs {
    /// Scenario file, or the name of a bundled scenario.
    #[arg(value_parser = super::flag_values::scenario())]
    pub scenario: String,
    /// A numeric scenario key and its range, e.g. copy.per_tenant=10..100 (repeatable).
    #[arg(long, value_name = "KEY=LOW..HIGH", required = true)]
    pub vary: Vec<String>,
    /// Morris elementary effects (screening, cheap) or Sobol' indices (variance shares).
    #[arg(long, value_enum, default_value_t = Method::Morris)]
    pub method: Method,
    /// Morris trajectories [default: 20; fewer give intervals that cover sigma less often than
    /// they state], or Sobol' base samples [default: 64; at least 32;
    /// powers of two balance best]. Points run: samples x (keys + 1) for Morris, samples x
    /// (keys + 2) for Sobol'.
    #[arg(long, value_parser = super::whole(2, MAX_SOBOL_SAMPLES), allow_hyphen_values = true)]
    pub samples: Option<u64>,
    /// Output folder [default: output/<scenario name>-sensitivity; with --set,
    /// output/<scenario name>-sensitivity-<8 hex digits of the overrides' hash>].
    #[arg(long, value_parser = super::flag_values::path())]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub sim: SimulationArgs,
    /// Draw no charts (PNG and SVG in OUT/charts).
    #[arg(long)]
    pub no_charts: bool,
    /// Keep the finished design points already in the output folder and run only the others.
    #[arg(long)]
    pub resume: bool,
}

/// manifest.json of a sensitivity folder.
#[derive(Clone, Debug, Serialize)]
struct SensitivityManifest {
    /// With the batch policy every point runs under, and its full definition.
    #[serde(flatten)]
    head: Head,
    seed: u64,
    /// Replications at every design point (the same ones everywhere).
    replications: u64,
    method: Method,
    samples: u64,
    points: u64,
    bootstrap_resamples: usize,
    factors: Vec<Factor>,
    #[serde(flatten)]
    ran: Execution,
}

impl FolderManifest for SensitivityManifest {
    fn completion(&mut self) -> (&mut bool, &mut Vec<String>) {
        (&mut self.head.complete, &mut self.ran.files)
    }
}

pub fn sensitivity_command(
    args: SensitivityArgs,
    command: Vec<String>,
    wait: bool,
) -> Result<(), Error> {
    let RangeStudy {
        doc,
        base,
        factors,
        seed,
        reps,
        ..
    } = load_study(
        &args.scenario,
        &args.sim,
        "--vary",
        "varied",
        &args.vary,
        MAX_KEYS,
        "sensitivity runs the same --reps at every design point",
    )?;
    let samples = args.samples.unwrap_or(args.method.default_samples());
    if args.method == Method::Sobol && samples < study::MIN_SOBOL_SAMPLES {
        return Err(Error::Usage(format!(
            "--samples {samples} with --method sobol: below {} base samples the 95% intervals of Sobol' indices cover the true value far less often than they say (measured: 46.5% to 73.5% of the time at 2 samples, 90.5% or more at 32); use --samples {} or more",
            study::MIN_SOBOL_SAMPLES,
            study::MIN_SOBOL_SAMPLES
        )));
    }
    let keys = factors.len();
    let points = args.method.points(keys, samples);
    // Each point is a sweep's cell, a scenario held while the study runs: a design of millions
    // (65,536 Sobol' samples of 20 keys) filled the memory before anything ran.
    if points > MAX_SWEEP_CELLS as u64 {
        return Err(Error::Usage(format!(
            "--samples {samples} with {} makes {points} design points, more than the {MAX_SWEEP_CELLS} a design may have (the cells a sweep may have); lower --samples or vary fewer keys",
            plural(keys as u64, "key"),
        )));
    }

    check_cells_memory(
        points as usize,
        doc.cell_value_bytes(),
        "points of the design",
        "lower --samples or vary fewer keys",
    )
    .map_err(Error::Usage)?;
    let unit = study::design(args.method, keys, samples, seed);
    // The values run, and where they lie in the unit cube after an integer key's rounding.
    let mut positions = Vec::with_capacity(unit.len());
    let mut variants = Vec::with_capacity(unit.len());
    let mut cells = Vec::with_capacity(unit.len());
    for (p, u) in unit.iter().enumerate() {
        let values: Vec<f64> = factors.iter().zip(u).map(|(f, &u)| f.value(u)).collect();
        positions.push(
            factors
                .iter()
                .zip(&values)
                .map(|(f, &v)| f.position(v))
                .collect::<Vec<f64>>(),
        );
        let (scenario, texts) = scenario_at(&doc, &factors, &values, "--vary", |at| {
            format!("design point {p} ({at})")
        })?;
        variants.push(sweep::Variant::seeded(scenario, seed)?);
        cells.push(texts);
    }
    // What identifies the results: a resume must find the same design, point for point.
    let names = factors.iter().map(|f| f.key.clone()).collect();
    let plan = sweep::SweepPlan::new(&base, &args.sim.set, seed, reps, names, cells, variants);
    let info = &plan.info;
    let out = super::output_folder(args.out, &base.name, "-sensitivity", &args.sim);
    let work = Workload::sweep(plan.cells.len(), reps, args.sim.workers());
    check_memory(plan.cells.iter().map(|v| &v.scenario), work).map_err(Error::Usage)?;
    let (folder, interrupted) =
        super::open_output_checked(&out, wait, Kept::FinishedCells, args.resume, || {
            super::sweep_commands::resumable(&out, info, args.resume, Cells::Design)
        })?;
    folder.subdir(crate::files::CELLS_DIR)?;
    record_grid(&out, info, None, args.resume, Cells::Design)?;
    let all: Vec<usize> = (0..plan.cells.len()).collect();
    let todo = cells_to_run(&out, info, &all, args.resume, Cells::Design)?;

    if !args.sim.quiet {
        say_wrapped!(
            "{}: {} of {} ({}) x {} each, seed {seed}{}",
            base.name,
            match args.method {
                Method::Morris if samples == 1 => "1 Morris trajectory".to_string(),
                Method::Morris => format!("{samples} Morris trajectories"),
                Method::Sobol => plural(samples, "Sobol' base sample"),
            },
            plural(keys as u64, "key"),
            plural(points, "point"),
            plural(reps, "replication"),
            if todo.len() < plan.cells.len() {
                format!("; {} already run", plan.cells.len() - todo.len())
            } else {
                String::new()
            }
        );
    }
    let progress = Progress::new(points, "points", reps, args.sim.quiet)
        .starting_at(points - todo.len() as u64);
    let started = Instant::now();
    // Replication r of every point shares its random numbers: common random numbers.
    sweep::run_cells(
        &plan,
        &todo,
        args.sim.threads(),
        interrupted,
        |p, metrics| {
            store::write_cell(&out, info, p, &metrics)?;
            progress.step();
            Ok(())
        },
    )?;
    super::interrupt::simulated();
    progress.finish();
    let wall_seconds = started.elapsed().as_secs_f64();
    // Every point's metrics from its file, whether run now or before.
    let mut columns = Vec::with_capacity(plan.cells.len());
    let budget = MemoryBudget::current().map_err(Error::Usage)?;
    for p in 0..plan.cells.len() {
        let path = store::cell_path(&out, p);
        match store::read_cell(&path, info, p, Cells::Design, budget) {
            Ok(Some(data)) => columns.push(data.columns),
            Ok(None) => return Err(Error::Internal(format!("{} vanished", path.display()))),
            Err(problem) => return Err(Error::Usage(problem.about("point file", &path, ""))),
        }
    }
    let column = |name: &str| {
        ReplicationMetrics::COLUMNS
            .iter()
            .position(|c| *c == name)
            .expect("a metric column")
    };
    let events_col = column("events");
    let events = columns.iter().flat_map(|c| &c[events_col]).sum::<f64>() as u64;

    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    for name in HEADLINE_METRICS {
        let col = column(name);
        // The metric at each point: its mean over the point's replications.
        let y: Vec<f64> = columns
            .iter()
            .map(|c| c[col].iter().sum::<f64>() / reps as f64)
            .collect();
        if y.iter().any(|v| !v.is_finite()) {
            skipped.push(*name);
            continue;
        }
        let estimates = study::estimate(args.method, keys, &positions, &y, seed, BOOTSTRAP);
        rows.extend(estimates.into_iter().map(|e| (*name, e)));
    }
    let files = vec![(s::FILE, sensitivity_csv(&factors, &rows))];
    let manifest = SensitivityManifest {
        head: Head::of_study(&base, &args.sim.set),
        seed,
        replications: reps,
        method: args.method,
        samples,
        points,
        bootstrap_resamples: BOOTSTRAP,
        factors: factors.clone(),
        ran: args.sim.ran(command, events, wall_seconds, &files),
    };
    output::write_files(&out, files)?;
    if !args.sim.quiet {
        print_leaders(args.method, &factors, &rows);
        if !skipped.is_empty() {
            say!(
                "no indices for {} (no value at some point)",
                skipped.join(", ")
            );
        }
        say!(
            "{} in {wall_seconds:.2} s; results in {}",
            plural(points * reps, "replication"),
            out.display()
        );
    }
    finish_folder(
        &folder,
        &manifest,
        (!args.no_charts).then_some(chart::draw_sensitivity as DrawCharts),
        args.sim.quiet,
    )
}

/// sensitivity.csv: one row per (key, metric, index kind), metrics in headline order.
fn sensitivity_csv(factors: &[Factor], rows: &[(&str, Estimate)]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let row_error = "writing CSV to memory cannot fail";
    w.write_record(s::HEADER).expect(row_error);
    for (metric, e) in rows {
        w.write_record([
            factors[e.key].key.as_str(),
            metric,
            e.kind,
            &format_number(e.value),
            &format_number(e.ci95_low),
            &format_number(e.ci95_high),
        ])
        .expect(row_error);
    }
    w.into_inner().expect(row_error)
}

/// For each headline metric, the key with the largest leading index (mu* or ST).
fn print_leaders(method: Method, factors: &[Factor], rows: &[(&str, Estimate)]) {
    let kind = method.kinds()[0];
    say!("leading key per metric by {kind} (95% bootstrap interval):");
    // Columns as wide as their longest entry, so a line fits 80 columns where the keys allow.
    let metric_width = HEADLINE_METRICS.iter().map(|m| m.len()).max().unwrap_or(0);
    let key_width = factors.iter().map(|f| f.key.len()).max().unwrap_or(0);
    for name in HEADLINE_METRICS {
        let best = rows
            .iter()
            .filter(|(m, e)| m == name && e.kind == kind)
            .max_by(|a, b| a.1.value.total_cmp(&b.1.value).then(b.1.key.cmp(&a.1.key)));
        if let Some((_, e)) = best {
            let key = factors[e.key].key.as_str();
            say!(
                "{}",
                leader_line(method, name, key, e, (metric_width, key_width))
            );
        }
    }
}

/// One metric's line of the leading keys: the key and its index with the interval, or, when
/// the largest index is 0, that no key moves the metric (as the report says), rather than name
/// the first of keys that all do nothing. `widths` are the metric's and the key's columns.
fn leader_line(
    method: Method,
    metric: &str,
    key: &str,
    e: &Estimate,
    (metric_width, key_width): (usize, usize),
) -> String {
    if e.value == 0.0 {
        return format!("  {metric:<metric_width$} no varied key moves it over these ranges");
    }
    // Sobol' indices are shares of the variance; Morris' mu* a mean absolute change.
    let range = match method {
        Method::Sobol => (0.0, 1.0),
        Method::Morris => (0.0, f64::INFINITY),
    };
    let w = figures::estimate(e.value, e.ci95_low, e.ci95_high, range);
    format!(
        "  {metric:<metric_width$} {key:<key_width$} {:>9} {}",
        w.value,
        w.interval()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_metric_no_key_moves_names_no_leading_key() {
        let e = |value: f64, low: f64, high: f64| Estimate {
            key: 0,
            kind: "mu_star",
            value,
            ci95_low: low,
            ci95_high: high,
        };
        let line = |method, e: &Estimate| leader_line(method, "slips", "copy.slots", e, (8, 11));
        assert_eq!(
            line(Method::Morris, &e(0.0, 0.0, 0.0)),
            "  slips    no varied key moves it over these ranges"
        );
        assert_eq!(
            line(Method::Morris, &e(13.324, 1.65, 25.317)),
            "  slips    copy.slots         13 [2, 25]"
        );
        // A share of the variance stays within [0, 1].
        assert_eq!(
            line(Method::Sobol, &e(0.54, 0.17, 1.0)),
            "  slips    copy.slots       0.54 [0.17, 1.00]"
        );
    }
}
