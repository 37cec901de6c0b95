//! The command line: argument definitions (clap derive) and the commands they run.

mod calibrate_command;
mod flag_values;
mod interrupt;
mod key_ranges;
mod progress;
mod sensitivity_command;
mod slurm_submit;
mod study_commands;
mod sweep_commands;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

use crate::compare::{
    Better, ComparisonRow, PolicyRuns, TRADEOFF_METRICS, TradeoffRow, compare, tradeoffs,
};
use crate::error::{Error, Kept};
use crate::files;
use crate::model::{MissCause, ReplicationMetrics, SlipCause, WeekCounts};
use crate::output::{self, Execution, FolderManifest, Manifest, OutputFolder, PrecisionRecord};
use crate::report::figures::{self, estimate, plural};
use crate::scenario::{BUNDLED, Scenario, ScenarioError, Source, Workload, check_memory};
use crate::stats;
use crate::study::precision::{Finished, Group, Precision, run_group};
use crate::{chart, report, sweep};
pub use flag_values::bounded;
use flag_values::whole;
use progress::Progress;

#[derive(Debug, Parser)]
#[command(
    name = "cutover",
    version,
    about = "Simulate migration programmes of tenant transition weekends (BPOS to Office 365, or a programme of the scenario's own)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// `--wait-lock` before the command (`cutover --wait-lock run`), as it was once written:
    /// still honoured for a command that takes the flag, refused for one that does not.
    #[arg(long = "wait-lock", hide = true)]
    pub wait_lock_before_command: bool,
}

/// `--wait-lock`, taken by every command that holds an output folder's lock (the simulating
/// commands through [`SimulationArgs`], `merge` and `plot`), and by no other.
#[derive(Debug, Args)]
pub struct LockArgs {
    /// If another command is writing the output folder, wait for it instead of refusing.
    #[arg(long)]
    pub wait_lock: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario over many replications and write CSV results.
    Run(RunArgs),
    /// Run several batch policies on the same replications and compare them, paired.
    Compare(CompareArgs),
    /// Run every cell of the scenario's [sweep] grid over many replications.
    Sweep(sweep_commands::SweepArgs),
    /// Global sensitivity of every headline metric to numeric scenario keys over ranges (Morris
    /// screening or Sobol' indices), each design point run on the same replications.
    Sensitivity(sensitivity_command::SensitivityArgs),
    /// Combine the cell files of sweep shards into the files of a single sweep.
    Merge(sweep_commands::MergeArgs),
    /// Fit uncertain numeric keys to a programme's observed weeks (weekly.csv's format) and
    /// write the calibrated scenario.
    Calibrate(calibrate_command::CalibrateArgs),
    /// Pick the best policy on the mean of one metric, with a stated probability of being right.
    Select(study_commands::SelectArgs),
    /// Find the cheapest integer setting of some keys that meets every constraint.
    Seek(study_commands::SeekArgs),
    /// Check scenario files and print `ok` or the errors of each (of more than 20, the first 20
    /// and a count of the others).
    Validate {
        /// Scenario files (or names of bundled scenarios).
        #[arg(required = true, value_parser = flag_values::scenario())]
        scenarios: Vec<String>,
    },
    /// List the bundled scenarios.
    Scenarios,
    /// Redraw the charts and report.html of an output folder from its files, without simulating
    /// again.
    Plot {
        /// An output folder of any command: its charts (of `run`, `compare`, `sweep`,
        /// `sensitivity`, `calibrate`; `select` and `seek` draw none) and report.html.
        #[arg(value_parser = flag_values::path())]
        dir: PathBuf,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
        #[command(flatten)]
        lock: LockArgs,
    },
}

impl Command {
    /// Whether the command was asked to wait for its output folder's lock; `None` for a
    /// command that takes no lock (`validate`, `scenarios`).
    fn wait_lock(&self) -> Option<bool> {
        let lock = match self {
            Command::Run(a) => &a.sim.lock,
            Command::Compare(a) => &a.sim.lock,
            Command::Sweep(a) => &a.sim.lock,
            Command::Sensitivity(a) => &a.sim.lock,
            Command::Calibrate(a) => &a.sim.lock,
            Command::Select(a) => &a.sim.lock,
            Command::Seek(a) => &a.sim.lock,
            Command::Merge(a) => &a.lock,
            Command::Plot { lock, .. } => lock,
            Command::Validate { .. } | Command::Scenarios => return None,
        };
        Some(lock.wait_lock)
    }
}

#[derive(Debug, Args)]
#[command(mut_arg("reps", |a| a.help("Replications (overrides the scenario's `replications`)")))]
pub struct RunArgs {
    /// Scenario file, or the name of a bundled scenario [default: bpos-2011].
    #[arg(value_parser = flag_values::scenario())]
    pub scenario: Option<String>,
    /// Output folder [default: output/<scenario name>; with --set,
    /// output/<scenario name>-<8 hex digits of the overrides' hash>].
    #[arg(long, value_parser = flag_values::path())]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub sim: SimulationArgs,
    /// Replication whose tenants, batches and time series are written, or `none` to write only
    /// replications.csv, summary.csv, completion.csv and weekly.csv (and draw no charts: most of
    /// a run's charts draw the detail replication's records).
    #[arg(long, default_value = "0", value_name = "REPLICATION|none", value_parser = parse_detail,
        allow_hyphen_values = true)]
    pub detail: Detail,
    /// Draw no charts (PNG and SVG in OUT/charts).
    #[arg(long)]
    pub no_charts: bool,
}

/// `--detail`: the replication whose records are written, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Detail(pub Option<u64>);

fn parse_detail(text: &str) -> Result<Detail, String> {
    if text == "none" {
        return Ok(Detail(None));
    }
    text.parse()
        .map(|r| Detail(Some(r)))
        .map_err(|_| "neither a replication number (0, 1, ...) nor `none`".to_string())
}

/// Flags every simulating command shares.
#[derive(Debug, Args)]
pub struct SimulationArgs {
    /// Master seed, 0 to 9223372036854775807 as for the scenario's `seed` (overrides it).
    #[arg(long, value_parser = whole(0, i64::MAX as u64), allow_hyphen_values = true)]
    pub seed: Option<u64>,
    /// Replications (overrides the scenario's `replications`); each command says what of.
    #[arg(long, value_parser = whole(1, 1_000_000), allow_hyphen_values = true)]
    pub reps: Option<u64>,
    /// Worker threads [default: one per core]. Never changes the results.
    #[arg(long, value_parser = whole(1, 1024), allow_hyphen_values = true)]
    pub threads: Option<u64>,
    /// Run replications in stages until METRIC's 95% interval half-width is at most REL x |mean|
    /// (repeatable); --reps is then the ceiling [default ceiling: 1000].
    #[arg(long, value_name = "METRIC=REL")]
    pub precision: Vec<String>,
    /// Override a scenario key, e.g. --set batching.max_tenants=50 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Print nothing but errors (and no progress bar).
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub lock: LockArgs,
}

impl SimulationArgs {
    pub fn threads(&self) -> Option<usize> {
        self.threads.map(|t| t as usize)
    }

    /// The `--precision` targets and the most replications to run: `--reps`, else the scenario's
    /// `replications` without targets or `PRECISION_CEILING` with them. A target on a metric
    /// `scenario` never measures is refused.
    pub fn replications(&self, scenario: &Scenario) -> Result<(Precision, u64), Error> {
        let precision = Precision::parse(&self.precision)?;
        precision.measured_in(scenario, "")?;
        let default = if precision.is_empty() {
            u64::from(scenario.replications)
        } else {
            PRECISION_CEILING
        };
        Ok((precision, self.reps.unwrap_or(default)))
    }

    /// The worker threads a run uses: `--threads`, or one per core.
    pub fn workers(&self) -> usize {
        crate::sweep::worker_threads(self.threads())
    }

    /// How a command with these arguments ran, for its manifest: `command`, the `events` it
    /// simulated in `wall_seconds`, and the `files` it wrote.
    pub fn ran(
        &self,
        command: Vec<String>,
        events: u64,
        wall_seconds: f64,
        files: &[(&str, Vec<u8>)],
    ) -> Execution {
        Execution::new(
            self.workers(),
            command,
            events,
            wall_seconds,
            output::file_names(files),
        )
    }
}

/// The most replications `--precision` runs when `--reps` does not say.
pub const PRECISION_CEILING: u64 = 1000;

#[derive(Debug, Args)]
#[command(mut_arg("reps", |a| a.help("Replications of every policy, the same ones (overrides the scenario's `replications`)")))]
pub struct CompareArgs {
    /// Scenario file, or the name of a bundled scenario.
    #[arg(value_parser = flag_values::scenario())]
    pub scenario: String,
    /// Policies to compare, comma-separated; the first is the baseline.
    #[arg(long, value_delimiter = ',', required = true, value_parser = flag_values::policy_name)]
    pub policies: Vec<String>,
    /// Output folder [default: output/<scenario name>-compare; with --set,
    /// output/<scenario name>-compare-<8 hex digits of the overrides' hash>].
    #[arg(long, value_parser = flag_values::path())]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub sim: SimulationArgs,
    /// Draw no charts (PNG and SVG in OUT/charts).
    #[arg(long)]
    pub no_charts: bool,
}

/// Runs a parsed command line. `command` is the raw argument list, recorded in manifests.
pub fn run(cli: Cli, command: Vec<String>) -> Result<(), Error> {
    crate::scenario::MemoryBudget::check_variable().map_err(Error::Usage)?;
    let wait = match cli.command.wait_lock() {
        Some(wait) => wait || cli.wait_lock_before_command,
        None if cli.wait_lock_before_command => {
            return Err(Error::Usage(
                "--wait-lock applies to the commands that write an output folder (run, compare, \
                 sweep, sensitivity, merge, calibrate, select, seek, plot), not to validate or \
                 scenarios"
                    .into(),
            ));
        }
        None => false,
    };
    interrupt::outcome(run_command_line(cli.command, command, wait))
}

fn run_command_line(command_line: Command, command: Vec<String>, wait: bool) -> Result<(), Error> {
    match command_line {
        Command::Run(args) => run_command(args, command, wait),
        Command::Compare(args) => compare_command(args, command, wait),
        Command::Sweep(args) => sweep_commands::sweep_command(args, command, wait),
        Command::Sensitivity(args) => sensitivity_command::sensitivity_command(args, command, wait),
        Command::Calibrate(args) => calibrate_command::calibrate_command(args, command, wait),
        Command::Merge(args) => sweep_commands::merge_command(args, command, wait),
        Command::Select(args) => study_commands::select_command(args, command, wait),
        Command::Seek(args) => study_commands::seek_command(args, command, wait),
        Command::Validate { scenarios } => validate_command(&scenarios),
        Command::Scenarios => {
            for b in BUNDLED {
                say!("{:<18} {}", b.name, b.summary());
            }
            Ok(())
        }
        Command::Plot { dir, quiet, .. } => {
            if !dir.is_dir() {
                return Err(Error::Usage(format!("{} is not a folder", dir.display())));
            }
            let folder = lock_to_take(&dir, wait)?;
            // Nothing to remove: the old charts and report stay until the new ones replace them.
            let interrupted = interrupt::take(&dir, Kept::AsItWas, || Ok(()))?;
            let charts = redraw(
                &folder,
                Some(chart::draw_folder),
                Some(interrupted),
                |drawn| output::Relisting::new(&dir, drawn),
            )?;
            if !quiet {
                print_charts(&dir, &charts);
                say!("report: {}", dir.join(files::REPORT).display());
            }
            Ok(())
        }
    }
}

/// Locks the output folder `dir` ([`OutputFolder::open`]), waiting for another command to finish
/// with it if `wait` (`--wait-lock`), with a signal meanwhile stopping the command at once and
/// saying so ([`interrupt::wait_for_lock`]); else refusing it if in use. For a command that does
/// not take the folder ([`interrupt::take`]): `merge`, `sweep --slurm`.
fn lock_folder(dir: &Path, wait: bool) -> Result<OutputFolder, Error> {
    OutputFolder::open(
        dir,
        wait.then_some(interrupt::wait_for_lock as output::LockWait),
    )
}

/// [`lock_folder`] for a command that takes the folder once locked ([`interrupt::take`]): a
/// signal after the wait stops it there, saying so, before it changes anything
/// ([`interrupt::wait_to_take`]).
fn lock_to_take(dir: &Path, wait: bool) -> Result<OutputFolder, Error> {
    OutputFolder::open(
        dir,
        wait.then_some(interrupt::wait_to_take as output::LockWait),
    )
}

/// Takes the output folder of a command that simulates: locks it, then installs the handler of
/// Ctrl-C, SIGTERM and SIGHUP, then removes the old run's files ([`OutputFolder::invalidate`]).
/// From then on any of them sets the returned flag, which the workers check between
/// replications, so the command stops with the folder whole (holding `kept`: nothing, or the
/// finished cells) instead of dying, and a second stops it at once (see [`interrupt`]); before,
/// each still stops the command at once (while it waits for the lock, saying so).
///
/// A folder holding a sweep's or study's cells is never mixed with another run: a command
/// without cells refuses it (the cells may be hours of work), and a sweep or study started
/// without `resume` removes them, as it would run each again anyway.
fn open_output(
    out: &Path,
    wait: bool,
    kept: Kept,
    resume: bool,
) -> Result<(OutputFolder, &'static AtomicBool), Error> {
    open_output_checked(out, wait, kept, resume, || Ok(()))
}

/// [`open_output`], with `check` run once the folder is locked and before anything in it is
/// removed: a refusal then leaves the folder as it was (a `--resume` into another sweep's
/// folder keeps that sweep's results).
fn open_output_checked(
    out: &Path,
    wait: bool,
    kept: Kept,
    resume: bool,
    check: impl FnOnce() -> Result<(), Error>,
) -> Result<(OutputFolder, &'static AtomicBool), Error> {
    let folder = lock_to_take(out, wait)?;
    check()?;
    let has_cells = kept == Kept::FinishedCells;
    if !has_cells && folder.holds_cells() {
        return Err(Error::Usage(format!(
            "{} holds the cells of a sweep or sensitivity study (grid.json, cells/), which --resume continues; choose another --out, or delete them first",
            out.display()
        )));
    }
    let interrupted = interrupt::take(out, kept, || {
        folder.invalidate(has_cells)?;
        if has_cells && !resume {
            folder.clear_cells()?;
        }
        Ok(())
    })?;
    Ok((folder, interrupted))
}

/// Draws the charts of an output folder (its files, the first path) into a folder (the second).
type DrawCharts = fn(&Path, &Path) -> Result<Vec<PathBuf>, Error>;

/// Completes an output folder whose data files are written: its charts (unless `charts` is
/// `None`), then its report, both read from the folder. The manifest is written first saying
/// incomplete (charts and report read it), then replaced, with the charts and report put in
/// place and in the same step, by one saying `complete` and listing them: a stop at once never
/// leaves charts that it does not list.
fn finish_folder(
    folder: &OutputFolder,
    manifest: &impl FolderManifest,
    charts: Option<DrawCharts>,
    quiet: bool,
) -> Result<(), Error> {
    let dir = folder.path();
    output::write_manifest(dir, manifest)?;
    interrupt::data_written();
    let written = redraw(folder, charts, None, |drawn| {
        Ok(Some(output::Relisting::completing(manifest, drawn)))
    })
    .map_err(|e| e.while_drawing(dir))?;
    if !quiet {
        if charts.is_some() {
            print_charts(dir, &written);
        }
        say!("report: {}", dir.join(files::REPORT).display());
    }
    Ok(())
}

/// The charts drawn in `dir` (where they now are) and its report, as a manifest lists them:
/// `charts/NAME`, then report.html.
fn drawn_files(dir: &Path, charts: &[PathBuf]) -> Vec<String> {
    charts
        .iter()
        .filter_map(|f| f.strip_prefix(dir).ok())
        .map(|f| f.to_string_lossy().replace('\\', "/"))
        .chain([files::REPORT.to_string()])
        .collect()
}

/// Draws the charts of `folder` with `draw` (none with `None`) and builds its report, both aside
/// ([`output::Staging`]), then puts them in place together with the manifest `listing` gives
/// for them (as a manifest lists them, `drawn_files`): a failure, or a Ctrl-C (`stop`, `plot`'s)
/// before they are in place, leaves the folder's charts, report and manifest as they were, and
/// charts of the old set that the new one lacks do not stay. The manifest lists them in the
/// same step ([`output::Relisting`]: `plot`'s relisted, a simulating command's last, complete),
/// since the next command into the folder removes the files listed; once they are in place,
/// a stop at once says so ([`interrupt::replaced`]). Returns the chart files, where they now are.
fn redraw(
    folder: &OutputFolder,
    draw: Option<DrawCharts>,
    stop: Option<&AtomicBool>,
    listing: impl FnOnce(&[String]) -> Result<Option<output::Relisting>, Error>,
) -> Result<Vec<PathBuf>, Error> {
    let dir = folder.path();
    let staging = output::Staging::new(dir)?;
    let drawn = match draw {
        Some(draw) => draw(dir, staging.charts()).map_err(|e| staging.naming_final(e))?,
        None => Vec::new(),
    };
    let report = report::build(dir, &drawn)?;
    let charts: Vec<PathBuf> = drawn.iter().map(|f| staging.final_path(f)).collect();
    let manifest = listing(&drawn_files(dir, &charts))?;
    if stop.is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed)) {
        return Err(Error::interrupted(Kept::AsItWas));
    }
    staging.commit(report.as_bytes(), manifest.as_ref(), interrupt::replaced)?;
    Ok(charts)
}

fn print_charts(dir: &Path, files: &[PathBuf]) {
    if files.is_empty() {
        // A select or seek folder: nothing to draw, and no charts/ folder made for it.
        say!("no charts to draw");
        return;
    }
    say!(
        "{} (PNG and SVG) in {}",
        plural(files.len() as u64 / 2, "chart"),
        dir.join(files::CHARTS_DIR).display()
    );
}

/// `--out`, or the command's default folder, which for a scenario with `--set` overrides is a
/// folder of its own (said on screen), so the scenario's own results are never replaced.
fn output_folder(out: Option<PathBuf>, name: &str, suffix: &str, sim: &SimulationArgs) -> PathBuf {
    out.unwrap_or_else(|| {
        let dir = Manifest::default_out(name, suffix, &sim.set);
        if !sim.set.is_empty() && !sim.quiet {
            say!(
                "--set changes the scenario: results go to {} (not {})",
                dir.display(),
                Manifest::default_out(name, suffix, &[]).display()
            );
        }
        dir
    })
}

fn validate_command(files: &[String]) -> Result<(), Error> {
    let mut failed = Vec::new();
    for f in files {
        let source = Source::resolve(Some(f));
        // A scenario with a grid is valid only if every cell is, as `sweep` checks them.
        let checked = Scenario::load(&source, &[])
            .map_err(Error::from)
            .and_then(|s| match s.sweep {
                Some(_) => sweep::plan(&source, &[], None, None).map(|_| ()),
                None => Ok(()),
            });
        match checked {
            Ok(()) => say!("{}: ok", source.display_name()),
            Err(e) => {
                say!("{}", crate::error::printable(&e.to_string()));
                failed.push(f.clone());
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "{} of {} {}",
            failed.len(),
            plural(files.len() as u64, "scenario file"),
            if failed.len() == 1 {
                "has errors"
            } else {
                "have errors"
            }
        )))
    }
}

fn run_command(args: RunArgs, command: Vec<String>, wait: bool) -> Result<(), Error> {
    if let Some(axis) = args
        .sim
        .set
        .iter()
        .find(|s| s.trim_start().starts_with("sweep."))
    {
        return Err(Error::Usage(format!(
            "--set {} adds a sweep axis, which `run` ignores: use `cutover sweep` (same flags)",
            crate::scenario::abbreviate_to(axis, 50)
        )));
    }
    let source = Source::resolve(args.scenario.as_deref());
    let mut scenario = Scenario::load(&source, &args.sim.set)?;
    if let Some(seed) = args.sim.seed {
        scenario.seed = seed;
    }
    let (precision, ceiling) = args.sim.replications(&scenario)?;
    // The detail replication must be among those surely run: the first stage.
    let first = precision.first_stage(ceiling);
    let detail_replication = args.detail.0;
    if let Some(detail) = detail_replication
        && detail >= first
    {
        return Err(Error::Usage(format!(
            "--detail {detail} names no replication: there are {first} (0 to {}){}",
            first - 1,
            if precision.is_empty() {
                ""
            } else {
                " in the first stage of --precision"
            }
        )));
    }
    let policy =
        scenario
            .policy(&scenario.batching.policy)
            .ok_or_else(|| ScenarioError::BadOverride {
                assignment: format!("batching.policy={}", scenario.batching.policy),
            })?;
    let out = output_folder(args.out, &scenario.name, "", &args.sim);
    check_memory([&scenario], Workload::run(ceiling, args.sim.workers())).map_err(Error::Usage)?;
    // Fail on an unwritable or busy folder before spending minutes simulating.
    let (folder, interrupted) = open_output(&out, wait, Kept::Nothing, false)?;
    let runner = sweep::Runner::new(args.sim.threads(), interrupted)?;
    let started = Instant::now();
    let progress = Progress::new(ceiling, "replications", 1, args.sim.quiet);
    let step = || progress.step();
    let runner = runner.with_progress(&step);
    let group = Group {
        variants: vec![0],
        names: vec![String::new()],
    };
    let Finished {
        mut outputs,
        checks,
    } = run_group(
        &runner,
        group,
        &precision,
        ceiling,
        |_, r| sweep::replicate(&scenario, policy.as_ref(), r, detail_replication == Some(r)),
        |o| &o.metrics,
    )?;
    let results = outputs.swap_remove(0);
    let reps = results.len() as u64;
    interrupt::simulated();
    progress.finish();
    let wall_seconds = started.elapsed().as_secs_f64();

    let metrics: Vec<&ReplicationMetrics> = results.iter().map(|r| &r.metrics).collect();
    let detail = results.iter().find_map(|r| r.detail.as_ref());
    if detail_replication.is_some() && detail.is_none() {
        return Err(Error::Internal(
            "the detail replication recorded no detail".into(),
        ));
    }
    let events: u64 = metrics.iter().map(|m| m.events).sum();
    let rows: Vec<(Vec<String>, &ReplicationMetrics)> =
        metrics.iter().map(|m| (Vec::new(), *m)).collect();
    let start = scenario.calendar.start;
    let programme = &scenario.phases.programme;
    let completion: Vec<&[u32]> = results.iter().map(|r| r.completion.as_slice()).collect();
    // In the order a run has always listed them.
    let mut files = vec![
        (
            files::replications::FILE,
            output::replications_csv(&[], &rows),
        ),
        (files::summary::FILE, output::summary_csv(&metrics)),
    ];
    if let Some(detail) = detail {
        files.extend([
            (
                files::tenants::FILE,
                output::tenants_csv(
                    programme,
                    scenario.population.inventory.as_deref(),
                    &detail.tenants,
                ),
            ),
            (files::batches::FILE, output::batches_csv(&detail.batches)),
            (
                files::timeseries::FILE,
                output::timeseries_csv(programme, &detail.timeseries),
            ),
        ]);
    }
    files.push((
        files::completion::FILE,
        output::completion_csv(start, &completion),
    ));
    let weekly: Vec<&[WeekCounts]> = results.iter().map(|r| r.weekly.as_slice()).collect();
    files.push((
        files::weekly::FILE,
        output::weekly_csv(start, &output::weekly_means(&weekly)),
    ));
    if let Some(detail) = detail {
        files.extend([
            (
                files::hourly::FILE,
                output::hourly_csv(start, &detail.hourly),
            ),
            (
                files::spans::FILE,
                output::spans_csv(programme, start, &detail.spans),
            ),
            (files::islands::FILE, output::islands_csv(&detail.islands)),
        ]);
    }
    if let Some(r) = results.iter().find(|r| r.detail.is_some()) {
        let weeks: Vec<[f64; 6]> = r.weekly.iter().map(WeekCounts::values).collect();
        files.push((
            files::weekly::DETAIL_FILE,
            output::weekly_csv(start, &weeks),
        ));
    }
    let manifest = Manifest::run(
        &scenario,
        &args.sim.set,
        policy.name(),
        reps,
        PrecisionRecord::new(&precision, ceiling, checks),
        detail_replication,
        args.sim.ran(command, events, wall_seconds, &files),
    );
    output::write_files(&out, files)?;
    if !args.sim.quiet {
        print_run_summary(&scenario, &metrics, &out, wall_seconds, events);
        print_precision(&manifest.precision);
        if detail.is_none() && !args.no_charts {
            say!(
                "--detail none: no charts (most of a run's charts draw the detail replication's records)"
            );
        }
    }
    finish_folder(
        &folder,
        &manifest,
        // The run charts draw the detail replication's records.
        (!args.no_charts && detail.is_some()).then_some(chart::draw_run as DrawCharts),
        args.sim.quiet,
    )
}

fn compare_command(args: CompareArgs, command: Vec<String>, wait: bool) -> Result<(), Error> {
    let mut scenario = Scenario::load(&Source::resolve(Some(&args.scenario)), &args.sim.set)?;
    if let Some(seed) = args.sim.seed {
        scenario.seed = seed;
    }
    if args.policies.len() < 2 {
        // The one policy given, in the example: `fifo` if none was (`--policies ''`), as an
        // example of an empty name would be no policy at all.
        let one = match args.policies.first().map(|p| p.trim()) {
            Some(p) if !p.is_empty() => crate::scenario::abbreviate(p),
            _ => "fifo".into(),
        };
        let other = if one == "smallest-first" {
            "fifo"
        } else {
            "smallest-first"
        };
        return Err(Error::Usage(format!(
            "compare needs at least two policies, the first the baseline (e.g. --policies {one},{other}); to run one policy use `cutover run --set batching.policy={one}`"
        )));
    }
    let variants = policy_variants(&scenario, &args.policies)?;
    let (precision, ceiling) = args.sim.replications(&scenario)?;
    let out = output_folder(args.out, &scenario.name, "-compare", &args.sim);
    let work = Workload::compare(ceiling, variants.len(), args.sim.workers());
    check_memory([&scenario], work).map_err(Error::Usage)?;
    let (folder, interrupted) = open_output(&out, wait, Kept::Nothing, false)?;
    let runner = sweep::Runner::new(args.sim.threads(), interrupted)?;
    let started = Instant::now();
    let total = ceiling * variants.len() as u64;
    let progress = Progress::new(total, "replications", 1, args.sim.quiet);
    let step = || progress.step();
    let runner = runner.with_progress(&step);
    let labels: Vec<String> = labels_of(&args.policies);
    // The policies advance together, so every difference stays paired replication by replication.
    let group = Group {
        variants: (0..variants.len()).collect(),
        names: labels.clone(),
    };
    let Finished { outputs, checks } = run_group(
        &runner,
        group,
        &precision,
        ceiling,
        |v, r| {
            let variant = &variants[v];
            sweep::replicate(&variant.scenario, variant.policy.as_ref(), r, false)
                .map(|o| o.metrics)
        },
        |m| m,
    )?;
    let runs: Vec<PolicyRuns> = labels
        .into_iter()
        .zip(outputs)
        .map(|(policy, metrics)| PolicyRuns { policy, metrics })
        .collect();
    let reps = runs[0].metrics.len() as u64;
    interrupt::simulated();
    progress.finish();
    let wall_seconds = started.elapsed().as_secs_f64();
    let rows = compare(&runs);
    let trade = tradeoffs(&runs, &rows);
    let replication_rows: Vec<(Vec<String>, &ReplicationMetrics)> = runs
        .iter()
        .flat_map(|r| r.metrics.iter().map(|m| (vec![r.policy.clone()], m)))
        .collect();
    let events = runs.iter().flat_map(|r| &r.metrics).map(|m| m.events).sum();
    let files = vec![
        (files::comparison::FILE, output::comparison_csv(&rows)),
        (files::tradeoffs::FILE, output::tradeoffs_csv(&trade)),
        (
            files::replications::FILE,
            output::replications_csv(&[files::replications::POLICY], &replication_rows),
        ),
    ];
    let manifest = Manifest::comparison(
        &scenario,
        &args.sim.set,
        &args.policies,
        reps,
        PrecisionRecord::new(&precision, ceiling, checks),
        args.sim.ran(command, events, wall_seconds, &files),
    );
    output::write_files(&out, files)?;
    if !args.sim.quiet {
        print_comparison(&scenario, reps, &rows);
        print_tradeoffs(&trade);
        print_precision(&manifest.precision);
        say!("results in {}", out.display());
    }
    finish_folder(
        &folder,
        &manifest,
        (!args.no_charts).then_some(chart::draw_compare as DrawCharts),
        args.sim.quiet,
    )
}

/// The scenario under each of the policies `names` (of `--policies`), or an error naming an
/// unknown one and the nearest valid name.
pub(crate) fn policy_variants(
    scenario: &Scenario,
    names: &[String],
) -> Result<Vec<sweep::Variant>, Error> {
    names
        .iter()
        .map(|name| {
            let policy = scenario.policy(name).ok_or_else(|| {
                let names = scenario.policy_names();
                let hint = crate::scenario::nearest(name, &names)
                    .map_or(String::new(), |n| format!(" (did you mean `{n}`?)"));
                Error::Usage(format!(
                    "--policies: no policy `{}`{hint}; valid: {} (built in or declared in the scenario's [policies.NAME] tables)",
                    crate::scenario::abbreviate(name),
                    names.join(", ")
                ))
            })?;
            let mut scenario = scenario.clone();
            scenario.batching.policy = name.clone();
            Ok(sweep::Variant { scenario, policy })
        })
        .collect()
}

fn print_comparison(scenario: &Scenario, reps: u64, rows: &[ComparisonRow]) {
    let baseline = rows.first().map_or("", |r| r.policy.as_str());
    let family = rows.iter().filter(|r| !r.p_value.is_nan()).count();
    say_wrapped!(
        "{}: {} per policy, seed {}; differences are against {baseline} with paired 95% intervals; * = significant at 5% after Holm's adjustment over all {family} (policy, metric) tests",
        scenario.name,
        plural(reps, "paired replication"),
        scenario.seed
    );
    for metric in HEADLINE_METRICS {
        if rows
            .iter()
            .all(|r| r.metric != *metric || r.summary.mean.is_nan())
        {
            continue;
        }
        say!("{metric}");
        for r in rows.iter().filter(|r| r.metric == *metric) {
            let d = estimate(
                r.difference.mean,
                r.difference.ci95_low,
                r.difference.ci95_high,
                figures::ANY,
            );
            let diff = if r.policy == baseline {
                "baseline".to_string()
            } else if d.interval() != figures::NONE {
                format!(
                    "{} {}{}",
                    d.signed(),
                    d.interval(),
                    if r.significant() { " *" } else { "" }
                )
            } else {
                d.signed()
            };
            let s = &r.summary;
            let mean = estimate(
                s.mean,
                s.ci95_low,
                s.ci95_high,
                ReplicationMetrics::feasible_range(metric, f64::INFINITY),
            );
            say!("  {:<16} {:>12}   {diff}", r.policy, mean.value);
        }
    }
}

/// The labels of the compared policies: their names, and `name#2` for the second time a name
/// appears (the same policy twice is an A/A comparison, a check of the statistics), so every row
/// of the output files stays unambiguous.
pub(crate) fn labels_of(names: &[String]) -> Vec<String> {
    names
        .iter()
        .enumerate()
        .map(
            |(i, name)| match names[..i].iter().filter(|n| *n == name).count() {
                0 => name.clone(),
                k => format!("{name}#{}", k + 1),
            },
        )
        .collect()
}

/// Says, for runs with `--precision`, how many replications were used and whether each target was
/// met (a ceiling reached before is reported, never hidden).
fn print_precision(record: &Option<PrecisionRecord>) {
    let Some(record) = record else { return };
    for c in &record.checks {
        say_wrapped!("{}", report::precision::line(c));
    }
}

/// The trade-off metrics of every policy side by side, and which policies are dominated.
fn print_tradeoffs(rows: &[TradeoffRow]) {
    say_wrapped!(
        "trade-offs (means; (-) lower is better, (+) higher; dominated = no better on any and significantly worse on one, Holm 5%):"
    );
    let names: Vec<String> = TRADEOFF_METRICS
        .iter()
        .map(|(metric, better)| {
            let sign = if *better == Better::Lower { "-" } else { "+" };
            format!("{metric} ({sign})")
        })
        .collect();
    let policies: Vec<&[TradeoffRow]> = rows.chunks(TRADEOFF_METRICS.len()).collect();
    let widths: Vec<usize> = names.iter().map(|n| n.len().max(12)).collect();
    // The metrics in as many blocks of columns as it takes for each line to fit 80 columns.
    let lead = 2 + 16;
    let mut blocks: Vec<std::ops::Range<usize>> = Vec::new();
    let mut width = lead;
    for (i, w) in widths.iter().enumerate() {
        match blocks.last_mut() {
            Some(block) if width + 1 + w <= COLUMNS => block.end = i + 1,
            _ => {
                blocks.push(i..i + 1);
                width = lead;
            }
        }
        width += 1 + w;
    }
    for block in blocks {
        let mut header = format!("  {:<16}", "policy");
        for i in block.clone() {
            header.push_str(&format!(" {:>w$}", names[i], w = widths[i]));
        }
        say!("{header}");
        for chunk in &policies {
            let mut line = format!("  {:<16}", chunk[0].policy);
            for i in block.clone() {
                line.push_str(&format!(
                    " {:>w$}",
                    figures::number(chunk[i].mean),
                    w = widths[i]
                ));
            }
            say!("{line}");
        }
    }
    let mut dominated = Vec::new();
    for chunk in &policies {
        if !chunk[0].dominated_by.is_empty() {
            dominated.push(format!(
                "{} (by {})",
                chunk[0].policy,
                chunk[0].dominated_by.join(", ")
            ));
        }
    }
    if dominated.is_empty() {
        say!("  no policy is dominated");
    } else {
        say_wrapped!("  dominated: {}", dominated.join("; "));
    }
}

/// The width of a terminal that screen text is laid out for.
const COLUMNS: usize = 80;

/// `text` broken at spaces into lines of at most 80 columns (a word longer than that stands on
/// its own line), each after the first indented two spaces more than the first: a terminal
/// would otherwise break a long sentence mid-word.
pub(crate) fn wrap(text: &str) -> String {
    let indent = text.len() - text.trim_start_matches(' ').len();
    let more = " ".repeat(indent + 2);
    let mut out = String::new();
    let mut line = text.trim_end();
    let mut first = true;
    loop {
        let prefix = if first { "" } else { more.as_str() };
        let room = COLUMNS - prefix.len();
        if line.chars().count() <= room {
            out.push_str(prefix);
            out.push_str(line);
            return out;
        }
        // The last space within the room (after the indent), else the first after it.
        let start = if first { indent } else { 0 };
        let cut = line
            .char_indices()
            .take(room + 1)
            .filter(|&(i, c)| c == ' ' && i > start)
            .map(|(i, _)| i)
            .last()
            .or_else(|| line[start..].find(' ').map(|i| start + i));
        let Some(cut) = cut else {
            out.push_str(prefix);
            out.push_str(line);
            return out;
        };
        out.push_str(prefix);
        out.push_str(line[..cut].trim_end());
        out.push('\n');
        line = line[cut..].trim_start();
        first = false;
    }
}

/// The metrics printed on screen; every metric is in the CSV files.
const HEADLINE_METRICS: &[&str] = &[
    "transitioned",
    "missed_deadline",
    "slips",
    "tenants_slipped",
    "batches",
    "makespan_days",
    "errors",
    "operator_wait_mean_h",
    "operator_wait_p95_h",
    "peak_errors_outstanding",
    "helpdesk_tickets",
    "helpdesk_wait_p95_h",
    "user_hours_lost",
];

fn print_run_summary(
    scenario: &Scenario,
    metrics: &[&ReplicationMetrics],
    out: &std::path::Path,
    wall: f64,
    events: u64,
) {
    say!(
        "{}: {}, {} tenants, seed {} ({:.2} s, {:.1} M events/s)",
        scenario.name,
        plural(metrics.len() as u64, "replication"),
        scenario.population.tenants,
        scenario.seed,
        wall,
        events as f64 / wall.max(1e-9) / 1e6
    );
    say!(
        "{:<24} {:>12} {:>25} {:>12}",
        "metric",
        "mean",
        "95% CI",
        "p90"
    );
    for name in HEADLINE_METRICS {
        let col = ReplicationMetrics::COLUMNS
            .iter()
            .position(|c| c == name)
            .expect("known column");
        let tenants = ReplicationMetrics::tenants_of(metrics.iter().copied());
        let values: Vec<f64> = metrics.iter().map(|m| m.values()[col]).collect();
        let s = output::summarize_metric(name, &values, tenants);
        if s.mean.is_nan() {
            // No value in any replication (no tickets in a scenario without callers, say).
            continue;
        }
        // The digits the interval supports, the P90 with the mean's (report::figures).
        let w = estimate(
            s.mean,
            s.ci95_low,
            s.ci95_high,
            ReplicationMetrics::feasible_range(name, tenants),
        );
        say!(
            "{name:<24} {:>12} {:>25} {:>12}",
            w.value,
            w.interval(),
            w.alike(s.p90)
        );
    }
    let slips: Vec<[u64; SlipCause::COUNT]> = metrics.iter().map(|m| m.slips_by_cause()).collect();
    let missed: Vec<[u64; MissCause::COUNT]> =
        metrics.iter().map(|m| m.missed_by_cause()).collect();
    let tenants = ReplicationMetrics::tenants_of(metrics.iter().copied());
    let slip_keys = SlipCause::ALL.map(SlipCause::key);
    let miss_keys = MissCause::ALL.map(MissCause::key);
    say!(
        "{}",
        leading_cause("slips", &slips, ("slips_", &slip_keys), tenants)
    );
    say!(
        "{}",
        leading_cause(
            "missed deadlines",
            &missed,
            ("missed_", &miss_keys),
            tenants
        )
    );
    say!("results in {}", out.display());
}

/// The cause with the largest mean over replications, as a line: that mean with its interval,
/// as summary.csv's row of the cause (`prefix` and key) has them, in the digits the interval
/// supports, and its share of the total's mean with that share's interval
/// (`stats::share_of_means`: each replication's count of the cause paired with its total).
fn leading_cause<const N: usize>(
    what: &str,
    counts: &[[u64; N]],
    (prefix, keys): (&str, &[&str; N]),
    tenants: f64,
) -> String {
    let totals: [u64; N] = std::array::from_fn(|i| counts.iter().map(|c| c[i]).sum());
    let all: u64 = totals.iter().sum();
    // The first of equals, in the causes' documented order.
    let (lead, _) = totals.iter().enumerate().fold(
        (0, 0),
        |best, (i, &n)| if n > best.1 { (i, n) } else { best },
    );
    if all == 0 {
        return format!("leading cause of {what}: none (no {what})");
    }
    let metric = format!("{prefix}{}", keys[lead]);
    let values: Vec<f64> = counts.iter().map(|c| c[lead] as f64).collect();
    let s = output::summarize_metric(&metric, &values, tenants);
    let w = estimate(
        s.mean,
        s.ci95_low,
        s.ci95_high,
        ReplicationMetrics::feasible_range(&metric, tenants),
    );
    let wholes: Vec<f64> = counts
        .iter()
        .map(|c| c.iter().sum::<u64>() as f64)
        .collect();
    format!(
        "leading cause of {what}: {} ({} per replication, {} of the {what})",
        keys[lead],
        w.with_interval(),
        figures::share(&stats::share_of_means(&values, &wholes)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// The cause with the most, the first of equals, its mean with the interval summary.csv
    /// gives it and its share with Fieller's interval, or alone where there is none; nothing to
    /// lead when there is nothing.
    #[test]
    fn the_leading_cause_is_said_with_its_interval_and_share() {
        let keys = ["a", "b", "c"];
        let counts = [[1, 3, 0], [0, 3, 1], [0, 0, 0]];
        assert_eq!(
            leading_cause("slips", &counts, ("slips_", &keys), 200.0),
            // 3, 3 and 0: a mean of 2 with 4.30 standard errors (t, 2 degrees of freedom) of
            // 1 either side, the lower bound clamped to no slips. b is 3 of 4 slips in each
            // replication that has any: the same share in every one, so it has no interval.
            "leading cause of slips: b (2.0 [0, 6.3] per replication, 75% of the slips)"
        );
        let counts = [[1, 3, 0], [0, 4, 1], [2, 2, 0], [1, 5, 0]];
        assert_eq!(
            leading_cause("slips", &counts, ("slips_", &keys), 200.0),
            // 3.5 of 4.75 slips, 74%; Fieller's ends 43% and 92% (by hand: a = 20.24,
            // b = 13.67, c = 8.03 in a r^2 - 2 b r + c <= 0).
            "leading cause of slips: b (3.5 [1.4, 5.6] per replication, 74% [43%, 92%] of the slips)"
        );
        // The share alone, at a number's three significant digits, not `{:.0}%`.
        assert_eq!(
            leading_cause("slips", &[[1, 2, 0]], ("slips_", &keys), 200.0),
            "leading cause of slips: b (2 per replication, 66.7% of the slips)"
        );
        assert_eq!(
            leading_cause("slips", &[[0, 0, 0]], ("slips_", &keys), 200.0),
            "leading cause of slips: none (no slips)"
        );
    }

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn long_lines_are_wrapped_at_spaces_within_80_columns() {
        let text = format!("  {}", ["word"; 40].join(" "));
        let wrapped = wrap(&text);
        let lines: Vec<&str> = wrapped.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(
            lines.iter().all(|l| l.chars().count() <= COLUMNS),
            "{wrapped}"
        );
        assert!(lines[0].starts_with("  word") && lines[1].starts_with("    word"));
        assert_eq!(wrapped.split_whitespace().count(), 40);
        // Spaces inside the first line (a padded column) are kept.
        assert_eq!(
            wrap(&format!("  key      {}", ["more"; 20].join(" ")))
                .lines()
                .next(),
            Some(format!("  key      {}", ["more"; 14].join(" ")).as_str())
        );
        // A short line is left as it was; a word too long for a line stands alone.
        assert_eq!(wrap("  short line"), "  short line");
        let long = "x".repeat(100);
        assert_eq!(wrap(&format!("a {long} b")), format!("a\n  {long}\n  b"));
    }
}
