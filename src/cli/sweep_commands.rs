//! `cutover sweep` and `cutover merge`: run a grid's cells (all, a shard, or what a resume still
//! lacks), commit each cell as it finishes, and assemble the final files from the cell files.

use std::path::{Component, Path, PathBuf};
use std::time::Instant;

use clap::Args;

use super::SimulationArgs;
use super::progress::Progress;
use crate::error::{Error, Kept};
use crate::model::ReplicationMetrics;
use crate::output::OutputFolder;
use crate::output::sweep_files::{self as store, Cells, GridInfo, GridManifest, SweepManifest};
use crate::scenario::{MemoryBudget, Source, Workload, check_memory};
use crate::study::precision::{Group, Precision, run_staged};
use crate::sweep::{Runner, plan_with_progress};

#[derive(Debug, Args)]
#[command(mut_arg("reps", |a| a.help("Replications of every cell (overrides the scenario's `replications`)")))]
pub struct SweepArgs {
    /// Scenario file with a [sweep] table, or the name of a bundled scenario.
    #[arg(value_parser = super::flag_values::scenario())]
    pub scenario: String,
    /// Output folder [default: output/<scenario name>-sweep; with --set,
    /// output/<scenario name>-sweep-<8 hex digits of the overrides' hash>].
    #[arg(long, value_parser = super::flag_values::path())]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub sim: SimulationArgs,
    /// Keep the finished cells already in the output folder and run only the others.
    #[arg(long)]
    pub resume: bool,
    /// Run only cells whose index modulo N is K-1 and write only their cell files (merge them
    /// with `cutover merge`).
    #[arg(long, value_name = "K/N", value_parser = parse_shard, allow_hyphen_values = true)]
    pub shard: Option<(usize, usize)>,
    /// Draw no charts (PNG and SVG in OUT/charts; a shard draws none anyway).
    #[arg(long)]
    pub no_charts: bool,
    /// Submit the sweep to Slurm as an array of N shard tasks and a merge job that runs after
    /// them, instead of running it here; the job scripts are written into OUT/slurm.
    #[arg(long, value_name = "N", conflicts_with = "shard",
        value_parser = super::whole(1, 1_000_000), allow_hyphen_values = true)]
    pub slurm: Option<u64>,
    /// With --slurm: an sbatch option for both jobs, one per --sbatch, as --sbatch=--name=value
    /// (repeatable); --cpus-per-task=N also sets each shard's --threads.
    #[arg(
        long,
        value_name = "OPTION",
        requires = "slurm",
        allow_hyphen_values = true
    )]
    pub sbatch: Vec<String>,
    /// With --slurm: wait for the merge job and exit with its status.
    #[arg(long, requires = "slurm")]
    pub wait: bool,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard output folders.
    #[arg(required = true, value_parser = super::flag_values::path())]
    pub dirs: Vec<PathBuf>,
    /// Folder for the merged files.
    #[arg(long, required = true, value_parser = super::flag_values::path())]
    pub out: PathBuf,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Draw no charts (PNG and SVG in OUT/charts).
    #[arg(long)]
    pub no_charts: bool,
    #[command(flatten)]
    pub lock: super::LockArgs,
}

fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let (k, n) = text
        .split_once('/')
        .ok_or_else(|| "not K/N, e.g. 2/8".to_string())?;
    let k: usize = k
        .trim()
        .parse()
        .map_err(|_| "K of K/N is not a whole number".to_string())?;
    let n: usize = n
        .trim()
        .parse()
        .map_err(|_| "N of K/N is not a whole number".to_string())?;
    if n == 0 || k == 0 || k > n {
        return Err("K/N needs 1 <= K <= N".to_string());
    }
    Ok((k, n))
}

/// With `--precision`, the cells of a sweep that run their stages together, per worker thread:
/// enough that a stage keeps every thread busy, few enough that Ctrl-C loses little.
const CELLS_PER_THREAD: usize = 4;

pub fn sweep_command(args: SweepArgs, command: Vec<String>, wait: bool) -> Result<(), Error> {
    let source = Source::resolve(Some(&args.scenario));
    let precision = Precision::parse(&args.sim.precision)?;
    let ceiling = if precision.is_empty() {
        args.sim.reps
    } else {
        Some(args.sim.reps.unwrap_or(super::PRECISION_CEILING))
    };
    let checking = std::cell::OnceCell::new();
    let plan = plan_with_progress(
        &source,
        &args.sim.set,
        args.sim.seed,
        ceiling,
        &|_, cells| {
            checking
                .get_or_init(|| Progress::new(cells as u64, "cells checked", 0, args.sim.quiet))
                .step()
        },
    );
    if let Some(bar) = checking.get() {
        bar.finish();
    }
    let mut plan = plan?;
    // A cell that never measures a target's metric could never meet it.
    for (c, cell) in plan.cells.iter().enumerate() {
        precision.measured_in(
            &cell.scenario,
            &format!(" in cell {c} ({})", plan.cell_values(c)),
        )?;
    }
    plan.info.precision = args.sim.precision.clone();
    let info = &plan.info;
    let out = super::output_folder(args.out.clone(), &info.scenario, "-sweep", &args.sim);
    if let Some(shards) = args.slurm {
        // The nodes check the memory their shards need; this machine only submits.
        return super::slurm_submit::submit_sweep(
            &args,
            &source,
            info,
            &out,
            shards as usize,
            wait,
        );
    }
    let work = Workload::sweep(plan.cells.len(), info.replications, args.sim.workers());
    check_memory(plan.cells.iter().map(|cell| &cell.scenario), work).map_err(Error::Usage)?;
    let shard = args.shard.map(|(k, n)| [k, n]);
    let (folder, interrupted) =
        super::open_output_checked(&out, wait, Kept::FinishedCells, args.resume, || {
            resumable(&out, info, args.resume, Cells::Sweep)?;
            own_shard_folder(&out, shard)
        })?;
    folder.subdir(crate::files::CELLS_DIR)?;
    record_grid(&out, info, shard, args.resume, Cells::Sweep)?;

    let mine: Vec<usize> = (0..info.cells.len())
        .filter(|c| shard.is_none_or(|[k, n]| c % n == k - 1))
        .collect();
    let todo = cells_to_run(&out, info, &mine, args.resume, Cells::Sweep)?;
    let threads = args.sim.threads();
    let reps = info.replications;
    let progress = Progress::new(mine.len() as u64, "cells", reps, args.sim.quiet)
        .starting_at((mine.len() - todo.len()) as u64);
    let started = Instant::now();
    let commit = |cell: usize, metrics: Vec<ReplicationMetrics>| {
        store::write_cell(&out, info, cell, &metrics)?;
        progress.step();
        Ok(())
    };
    if precision.is_empty() {
        crate::sweep::run_cells(&plan, &todo, threads, interrupted, commit)?;
    } else {
        // Each cell is a group of its own: it stops on its own replications, so a shard or a
        // resume decides exactly as a whole sweep does. The cells run a few per thread at a
        // time, each batch to its end: a stage of every cell at once would keep nothing of a
        // long first stage that Ctrl-C cuts short; this way the cells finished before it are
        // committed, as in `run_cells`.
        let runner = Runner::new(threads, interrupted)?;
        for batch in todo.chunks(CELLS_PER_THREAD * args.sim.workers().max(1)) {
            let groups: Vec<Group> = batch
                .iter()
                .map(|&c| Group {
                    variants: vec![c],
                    names: vec![format!("cell {c}")],
                })
                .collect();
            run_staged(
                &runner,
                &groups,
                &precision,
                reps,
                |c, r| plan.replicate(c, r).map(|o| o.metrics),
                |m| m,
                |g, mut finished| commit(batch[g], finished.outputs.swap_remove(0)),
            )
            .map_err(|e| match e {
                Error::Interrupted { .. } => Error::interrupted(Kept::FinishedCells),
                e => e,
            })?;
        }
    }
    super::interrupt::simulated();
    progress.finish();
    let wall_seconds = started.elapsed().as_secs_f64();
    if shard.is_some() {
        if !args.sim.quiet {
            say!(
                "{}: shard of {} x {} in {:.2} s; cell files in {}",
                info.scenario,
                super::plural(mine.len() as u64, "cell"),
                super::plural(reps, "replication"),
                wall_seconds,
                out.join(crate::files::CELLS_DIR).display()
            );
        }
        return Ok(());
    }
    let paths: Vec<PathBuf> = (0..info.cells.len())
        .map(|c| store::cell_path(&out, c))
        .collect();
    let assembled = store::assemble(&out, info, &paths, &precision)?;
    let manifest = SweepManifest::new(info, assembled, args.sim.workers(), command, wall_seconds);
    if !args.sim.quiet {
        say!(
            "{}: {} x {} ({} run now) in {:.2} s; results in {}",
            info.scenario,
            super::plural(info.cells.len() as u64, "cell"),
            super::plural(reps, "replication"),
            todo.len(),
            wall_seconds,
            out.display()
        );
        print_precision(&manifest);
    }
    finish_sweep(&folder, &manifest, args.no_charts, args.sim.quiet)
}

/// Says, for a sweep with `--precision`, in how many cells each target was met and which cells
/// reached the ceiling without it (never hidden).
fn print_precision(manifest: &SweepManifest) {
    let Some(record) = &manifest.precision else {
        return;
    };
    for target in &record.targets {
        say_wrapped!(
            "{}",
            crate::report::precision::cells_line(target, manifest.grid.cells.len(), record.ceiling)
        );
    }
}

/// Writes a finished sweep's manifest and charts (see [`super::finish_folder`]).
fn finish_sweep(
    folder: &OutputFolder,
    manifest: &SweepManifest,
    no_charts: bool,
    quiet: bool,
) -> Result<(), Error> {
    super::finish_folder(
        folder,
        manifest,
        (!no_charts).then_some(crate::chart::draw_sweep as super::DrawCharts),
        quiet,
    )
}

/// Of `cells`, those to run: all of them, or with `resume` those without a finished cell file
/// (`kind`: a sweep's cells, a design's points). A killed run never leaves a partial cell file, so a bad one
/// was damaged or edited: it is refused, named.
pub(super) fn cells_to_run(
    out: &std::path::Path,
    info: &GridInfo,
    cells: &[usize],
    resume: bool,
    kind: Cells,
) -> Result<Vec<usize>, Error> {
    let what = kind.unit();
    let budget = MemoryBudget::current().map_err(Error::Usage)?;
    let mut todo = Vec::new();
    for &c in cells {
        let path = store::cell_path(out, c);
        match store::read_cell(&path, info, c, kind, budget) {
            Ok(Some(_)) if resume => {}
            Err(problem) if resume => {
                let advice = format!("; delete it to run the {what} again");
                let message = problem.about(&format!("{what} file"), &path, &advice);
                return Err(Error::Usage(format!("--resume: {message}")));
            }
            _ => todo.push(c),
        }
    }
    Ok(todo)
}

/// Refuses a shard into a folder whose cells are another shard's, or the whole sweep's (merged
/// or run at once): the shard would remove them, or, resumed, put its cells among them and
/// remove the merged results, hours of work either way. A shard runs into a folder of its own.
fn own_shard_folder(out: &std::path::Path, shard: Option<[usize; 2]>) -> Result<(), Error> {
    // Shard 1/1 is the whole sweep, which may take any of them up.
    let Some([k, n]) = shard.filter(|&[_, n]| n > 1) else {
        return Ok(());
    };
    // A grid.json that cannot be read is refused by --resume, and replaced without it.
    let Ok(Some(previous)) = GridManifest::read(out) else {
        return Ok(());
    };
    let whose = match previous.shard {
        Some(theirs) if theirs == [k, n] => return Ok(()),
        Some([j, m]) => format!("the cells of shard {j}/{m}"),
        None => "the cells of the whole sweep".to_string(),
    };
    Err(Error::Usage(format!(
        "--shard {k}/{n}: {} holds {whose} (grid.json), which this shard would remove or mix with its own; run each shard into a folder of its own, which `cutover merge` joins",
        out.display()
    )))
}

/// Writes the folder's grid.json; with `resume`, first checks that the folder holds no other sweep
/// or design (`kind`: whose the cells are).
pub(super) fn record_grid(
    out: &std::path::Path,
    info: &GridInfo,
    shard: Option<[usize; 2]>,
    resume: bool,
    kind: Cells,
) -> Result<(), Error> {
    resumable(out, info, resume, kind)?;
    GridManifest {
        version: env!("CARGO_PKG_VERSION").to_string(),
        grid: info.clone(),
        shard,
        kind: kind.recorded(),
    }
    .write(out)
}

/// With `resume`, refuses a folder whose grid.json is another sweep's or design's (`kind`), or
/// another version's. Called before the folder's old results are removed too, so that a refused
/// `--resume` leaves a finished sweep as it was.
pub(super) fn resumable(
    out: &std::path::Path,
    info: &GridInfo,
    resume: bool,
    kind: Cells,
) -> Result<(), Error> {
    if resume && let Some(previous) = GridManifest::read(out)? {
        if previous.grid != *info || previous.kind.unwrap_or(kind) != kind {
            return Err(Error::Usage(format!(
                "--resume: {} holds another sweep or design (scenario, overrides, seed, replications, --precision targets, grid or design points differ); use another --out",
                out.display()
            )));
        }
        same_version(&previous, out, kind)?;
    }
    Ok(())
}

/// Refuses cells (`kind`: a sweep's, a design's points) that another version of cutover wrote: its
/// replications may differ from this one's, and a sweep of cells from two versions, under a
/// manifest naming one, would be neither's.
fn same_version(manifest: &GridManifest, dir: &std::path::Path, kind: Cells) -> Result<(), Error> {
    let ours = env!("CARGO_PKG_VERSION");
    if manifest.version == ours {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{} holds {}s written by cutover {}, not by this version ({ours}); their replications may differ: run the {} again into another --out",
        dir.display(),
        kind.unit(),
        crate::scenario::abbreviate(&crate::error::printable(&manifest.version)),
        kind.whole()
    )))
}

/// `path` as the folder it names is, or will be once created: its nearest existing ancestor
/// canonicalised (links and `..` resolved), then the components that do not exist yet, `..`
/// taken as the folders to be created take it. `None` if no ancestor can be resolved.
fn as_created(path: &Path) -> Option<PathBuf> {
    let mut missing = Vec::new();
    let mut at = path;
    loop {
        let existing = if at.as_os_str().is_empty() {
            Path::new(".")
        } else {
            at
        };
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            for part in missing.iter().rev() {
                match part {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::Normal(name) => out.push(name),
                    _ => {}
                }
            }
            return Some(out);
        }
        missing.push(at.components().next_back()?);
        at = at.parent()?;
    }
}

pub fn merge_command(args: MergeArgs, command: Vec<String>, wait: bool) -> Result<(), Error> {
    let started = Instant::now();
    // Merging into one of the shards or into a folder within one (its `cells`) would mix the
    // shards' cells with the merged files; into a folder holding one, put the merged files
    // where a shard's are, or remove the shard with the folder's old run. Refused before
    // anything is written, but for the layout `sweep --slurm` writes: its shards in the output
    // folder's `shards/K`, which no command into the folder touches.
    if let Some(out) = as_created(&args.out) {
        for dir in &args.dirs {
            let Ok(shard) = std::fs::canonicalize(dir) else {
                continue;
            };
            let (out_name, dir_name) = (args.out.display(), dir.display());
            let message = if out == shard {
                format!("--out {out_name} is the shard folder {dir_name} being merged")
            } else if out.starts_with(&shard) {
                format!("--out {out_name} is inside the shard folder {dir_name} being merged")
            } else if shard.strip_prefix(&out).is_ok_and(|inner| {
                let mut parts = inner.components();
                parts.next() != Some(Component::Normal(crate::files::SHARDS_DIR.as_ref()))
                    || parts.next().is_none()
            }) {
                format!("--out {out_name} holds the shard folder {dir_name} being merged")
            } else {
                continue;
            };
            return Err(Error::Usage(format!(
                "{message}; merge into another folder, outside every shard"
            )));
        }
    }
    // A folder named twice (or once through a link) would have each of its cells "in two
    // folders", the same.
    let real: Vec<Option<PathBuf>> = args.dirs.iter().map(|d| d.canonicalize().ok()).collect();
    for (i, dir) in real.iter().enumerate() {
        if let Some(j) = real[..i].iter().position(|e| dir.is_some() && e == dir) {
            return Err(Error::Usage(format!(
                "{} and {} are the same folder: name each shard once",
                args.dirs[j].display(),
                args.dirs[i].display()
            )));
        }
    }
    let mut grid: Option<(GridInfo, PathBuf)> = None;
    for dir in &args.dirs {
        store::check_shard(dir)?;
        let manifest = GridManifest::read(dir)?.ok_or_else(|| {
            Error::Usage(format!(
                "{} has no {}: not a sweep output folder",
                dir.display(),
                crate::files::GRID_FILE
            ))
        })?;
        same_version(&manifest, dir, Cells::Sweep)?;
        if manifest.kind == Some(Cells::Design) {
            return Err(Error::Usage(format!(
                "{} holds a sensitivity study's design points, not a sweep's cells: merge joins the shards of a sweep; a stopped study is finished with `cutover sensitivity ... --resume`",
                dir.display()
            )));
        }
        match &grid {
            None => grid = Some((manifest.grid, dir.clone())),
            Some((g, first)) if *g != manifest.grid => {
                return Err(Error::Usage(format!(
                    "{} and {} hold different sweeps (scenario, overrides, seed, replications, --precision targets or grid differ)",
                    first.display(),
                    dir.display()
                )));
            }
            Some(_) => {}
        }
    }
    let (info, _) = grid.expect("clap requires at least one folder");
    // A cell file past the grid's cells: the grid was cut down after they ran.
    for dir in &args.dirs {
        if let Some(path) = store::cell_outside(dir, info.cells.len()) {
            return Err(Error::Usage(format!(
                "{} is not a cell of the sweep {} describes ({}): the grid does not match the cells run; merge the shards' folders as their sweeps wrote them",
                path.display(),
                dir.join(crate::files::GRID_FILE).display(),
                crate::report::figures::plural(info.cells.len() as u64, "cell")
            )));
        }
    }
    let mut paths = Vec::with_capacity(info.cells.len());
    let budget = MemoryBudget::current().map_err(Error::Usage)?;
    for cell in 0..info.cells.len() {
        let mut found: Option<PathBuf> = None;
        for dir in &args.dirs {
            let path = store::cell_path(dir, cell);
            match store::read_cell(&path, &info, cell, Cells::Sweep, budget) {
                Ok(None) => {}
                Ok(Some(_)) => {
                    if let Some(other) = &found {
                        return Err(Error::Usage(format!(
                            "cell {cell} is in two folders: {} and {}",
                            other.display(),
                            path.display()
                        )));
                    }
                    found = Some(path);
                }
                Err(problem) => {
                    let message = problem.about("cell file", &path, "");
                    return Err(Error::Usage(format!("cell {cell}: {message}")));
                }
            }
        }
        paths.push(found.ok_or_else(|| {
            Error::Usage(format!(
                "cell {cell} ({}) is missing from every folder; run its shard (or it with --resume)",
                info.keys
                    .iter()
                    .zip(&info.cells[cell])
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?);
    }
    let folder = super::lock_folder(&args.out, wait)?;
    folder.invalidate(false)?;
    let precision = Precision::parse(&info.precision)?;
    let assembled = store::assemble(&args.out, &info, &paths, &precision)?;
    let manifest = SweepManifest::new(
        &info,
        assembled,
        1,
        command,
        started.elapsed().as_secs_f64(),
    );
    if !args.quiet {
        say!(
            "{}: merged {} cells from {} folders into {}",
            info.scenario,
            info.cells.len(),
            args.dirs.len(),
            args.out.display()
        );
        print_precision(&manifest);
    }
    finish_sweep(&folder, &manifest, args.no_charts, args.quiet)
}
