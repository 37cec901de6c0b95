//! A sweep's files. Each finished cell is committed as `cells/cell-NNNN.csv` (its rows of
//! replications.csv, header included) with an atomic rename, so a folder only ever holds complete
//! cells; the final files are always assembled from those cell files, which is what makes a
//! resumed, sharded or merged sweep byte-identical to an uninterrupted one.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::files;
use crate::model::{MetricValue, ReplicationMetrics};
use crate::output::manifest::{self, Execution, FolderManifest};
use crate::output::{self, SUMMARY_COLUMNS, summary_cells};
use crate::scenario::{MemoryBudget, ReadProblem, number_text};
use crate::study::precision::Precision;

/// What identifies a sweep's results: two folders with equal `GridInfo` hold cells of the same
/// sweep, so they can be resumed or merged together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GridInfo {
    pub scenario: String,
    pub scenario_sha256: String,
    /// `--set` overrides applied to every cell.
    pub overrides: Vec<String>,
    pub seed: u64,
    /// Replications per cell; with `precision`, the most a cell may use.
    pub replications: u64,
    /// `--precision` targets (`METRIC=REL`): each cell stops when its own replications meet them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub precision: Vec<String>,
    /// The swept keys, in the order written.
    pub keys: Vec<String>,
    /// Per cell, in cell order, the value of each swept key as shown in the CSV files.
    pub cells: Vec<Vec<String>>,
    /// The full definition of each batch policy the cells run under, in order of first use: a
    /// declared one as written, a built-in one as its declarative form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<serde_json::Value>,
}

use crate::files::{CELLS_DIR, GRID_FILE};

impl GridInfo {
    /// Why this could not be a grid that `sweep` or `sensitivity` wrote, if it could not: no keys
    /// or no cells, a key named twice or not as a scenario key is (a blank dotted part), a cell
    /// of another number of values, or a key or a value (other than a number) that would not
    /// show as written in the CSV files, the charts and the report, or that a spreadsheet would
    /// take for a formula: what the `[sweep]` reader refuses. `merge` and `--resume` read a
    /// shard's grid.json back, and its keys and values go into every file they write.
    pub fn problem(&self) -> Option<String> {
        use crate::scenario::{abbreviate, label};
        let shown = |text: &str| abbreviate(&label::escape_unprintable(text, &[]));
        if self.keys.is_empty() {
            return Some("it names no swept keys".into());
        }
        if self.cells.is_empty() {
            return Some("its grid has no cells".into());
        }
        for (i, key) in self.keys.iter().enumerate() {
            if key.split('.').any(|part| part.trim().is_empty()) {
                return Some(format!("`{}` is not a scenario key", shown(key)));
            }
            if let Some(why) = label::problem(key, usize::MAX, true) {
                return Some(format!("the key `{}` {why}", shown(key)));
            }
            if self.keys[..i].contains(key) {
                return Some(format!("the key `{}` is named twice", shown(key)));
            }
        }
        for (n, cell) in self.cells.iter().enumerate() {
            if cell.len() != self.keys.len() {
                return Some(format!(
                    "cell {n} has {} values for {} keys",
                    cell.len(),
                    self.keys.len()
                ));
            }
            for value in cell {
                // A number as cutover writes one; `-inf` or `NaN` is text, held to the rules.
                if value.parse::<f64>().is_ok_and(f64::is_finite) {
                    continue;
                }
                if let Some(why) = label::problem(value, usize::MAX, true) {
                    return Some(format!("a value of cell {n}, `{}`, {why}", shown(value)));
                }
            }
        }
        // Each a `--precision` target as the command took it.
        if let Err(e) = Precision::parse(&self.precision) {
            return Some(format!("its precision targets are not --precision's: {e}"));
        }
        None
    }
}

/// Whose a folder's cell files are, for the messages that name them: a sweep's cells, or a
/// sensitivity design's points, which are written and read alike. grid.json records it
/// (`kind`, absent for a sweep), so that `merge` never takes a design's points for a sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cells {
    Sweep,
    Design,
}

impl Cells {
    /// What grid.json records of it: only a design.
    pub fn recorded(self) -> Option<Cells> {
        (self == Cells::Design).then_some(self)
    }

    /// One of the files' units: `cell`, `design point`.
    pub fn unit(self) -> &'static str {
        match self {
            Cells::Sweep => "cell",
            Cells::Design => "design point",
        }
    }

    /// What they are the units of: `sweep`, `sensitivity design`.
    pub fn whole(self) -> &'static str {
        match self {
            Cells::Sweep => "sweep",
            Cells::Design => "sensitivity design",
        }
    }
}

pub fn cell_path(dir: &Path, cell: usize) -> PathBuf {
    dir.join(CELLS_DIR).join(format!("cell-{cell:04}.csv"))
}

/// The first cell file (a regular file named as [`cell_path`] names one) in `dir/cells` whose
/// cell is not one of a grid of `cells`: a grid.json cut down after its cells were run. The
/// folder's other entries (a link, a folder, a copy under another name) are not cells.
pub fn cell_outside(dir: &Path, cells: usize) -> Option<PathBuf> {
    let entries = std::fs::read_dir(dir.join(CELLS_DIR)).ok()?;
    entries.flatten().find_map(|entry| {
        let name = entry.file_name();
        let index = name
            .to_str()?
            .strip_prefix("cell-")?
            .strip_suffix(".csv")
            .filter(|n| n.len() >= 4 && n.bytes().all(|b| b.is_ascii_digit()))?;
        let beyond = index.parse::<usize>().map_or(true, |i| i >= cells);
        (beyond && entry.file_type().ok()?.is_file()).then(|| entry.path())
    })
}

/// The header of replications.csv and of every cell file.
fn header(info: &GridInfo) -> Vec<String> {
    [files::replications::CELL]
        .iter()
        .map(|s| s.to_string())
        .chain(info.keys.iter().cloned())
        .chain(ReplicationMetrics::COLUMNS.iter().map(|s| s.to_string()))
        .collect()
}

fn csv_bytes(rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.write_record(&row).expect("writing to memory cannot fail");
    }
    w.into_inner().expect("writing to memory cannot fail")
}

/// A cell's file: the header and one row per replication, in replication order.
pub fn cell_csv(info: &GridInfo, cell: usize, metrics: &[ReplicationMetrics]) -> Vec<u8> {
    let prefix: Vec<String> = std::iter::once(cell.to_string())
        .chain(info.cells[cell].iter().cloned())
        .collect();
    csv_bytes(std::iter::once(header(info)).chain(metrics.iter().map(|m| {
        prefix
            .iter()
            .cloned()
            .chain(m.exact_values().into_iter().map(output::metric_text))
            .collect()
    })))
}

/// Commits a finished cell.
pub fn write_cell(
    dir: &Path,
    info: &GridInfo,
    cell: usize,
    metrics: &[ReplicationMetrics],
) -> Result<(), Error> {
    output::write_atomic(&cell_path(dir, cell), &cell_csv(info, cell, metrics))
}

/// Why a cell file that is there cannot be used.
#[derive(Debug, PartialEq)]
pub enum CellProblem {
    /// It is not a complete cell of this sweep as this program writes one: damaged, edited or
    /// another's. Run again, the cell is written anew.
    Damaged(String),
    /// It may well be sound, but holding it would not fit the memory there is: deleting it would
    /// lose a finished cell.
    TooLarge(String),
}

impl From<String> for CellProblem {
    fn from(why: String) -> CellProblem {
        CellProblem::Damaged(why)
    }
}

impl CellProblem {
    /// The message for `path`, in which `what` names the file (`cell file`, `point file`), with
    /// `damaged`, the advice for a damaged one, after it.
    pub fn about(&self, what: &str, path: &Path, damaged: &str) -> String {
        match self {
            CellProblem::Damaged(why) => {
                format!("{what} {} is not usable: {why}{damaged}", path.display())
            }
            CellProblem::TooLarge(why) => format!("cannot read {what} {}: {why}", path.display()),
        }
    }
}

/// A complete cell file: its rows without the header, and its metric values by column.
pub struct CellData {
    pub body: Vec<u8>,
    pub columns: Vec<Vec<f64>>,
}

/// Reads a cell file as strictly as input: `Ok(None)` if there is none; `Err` (why, with the
/// line) if it exists but is not a complete cell of this sweep as this program writes one: its
/// header, its cell, values and replications in order, the sweep's seed, and numbers that are
/// finite (a value with none is written empty, never `NaN` or `inf`). Its rows go into the final
/// replications.csv as they are, so they must also be byte for byte what `cell_csv` writes of
/// those values: no blank line, quote, carriage return or other spelling of a number (`1.0`,
/// `+1`), which would make a resumed or merged sweep's files differ from an uninterrupted one's.
/// `kind` says whose the file is, as the reasons name it. With a `budget` (the caller's, read once
/// for all its cells: `MemoryBudget::current`), a file whose values would not fit it is refused
/// ([`CellProblem::TooLarge`]).
pub fn read_cell(
    path: &Path,
    info: &GridInfo,
    cell: usize,
    kind: Cells,
    budget: Option<MemoryBudget>,
) -> Result<Option<CellData>, CellProblem> {
    // Opened once, a link refused (cutover never writes one there, nor a `cells` that is one),
    // and checked and read through that handle: a pipe or link put in the file's or the
    // folder's place meanwhile is never read.
    let file = match crate::scenario::open_in_own_folder(path) {
        Ok(file) => file,
        Err(ReadProblem::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(ReadProblem::NotRegular) => return Err("it is not a regular file".to_string().into()),
        Err(other) => return Err(other.to_string().into()),
    };
    // Rows are a few hundred bytes: anything much larger is not a cell file.
    let limit = 64 * 1024 + info.replications.saturating_mul(4096);
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    if len > limit {
        return Err(format!("it has {len} bytes, more than a cell can").into());
    }
    // The file is held whole, and each of its values again as a number, 8 bytes for a cell of
    // as few as 2: a file the memory there is cannot hold is refused before it is read, and one
    // whose values would not fit as soon as those read show so.
    if let Some(budget) = budget
        && len > budget.bytes()
    {
        return Err(CellProblem::TooLarge(budget.exceeded(
            "holding it",
            len,
            &format!(", its {len} bytes read whole"),
        )));
    }
    // At most one byte past the limit, in case the file grows after the check.
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > limit {
        return Err(format!("it has over {limit} bytes, more than a cell can").into());
    }
    let head = csv_bytes(std::iter::once(header(info)));
    let Some(body) = bytes.strip_prefix(head.as_slice()) else {
        return Err(format!("line 1: its header is not this {}'s", kind.whole()).into());
    };
    let keys = info.keys.len();
    let columns_named = header(info);
    let n_metrics = ReplicationMetrics::COLUMNS.len();
    let seed_col = 1 + keys + column_of("seed");
    let seed = info.seed.to_string();
    let mut columns = vec![Vec::new(); n_metrics];
    let integer: Vec<bool> = ReplicationMetrics::default()
        .exact_values()
        .iter()
        .map(|v| matches!(v, MetricValue::Integer(_)))
        .collect();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body);
    let mut rows = 0u64;
    // Where the next row must start in `body`: right after the one before, as written.
    let mut next = 0usize;
    for record in reader.records() {
        let line = rows + 2;
        let record = record.map_err(|e| format!("line {line}: {e}"))?;
        let written = csv_bytes(std::iter::once(record.iter().map(String::from).collect()));
        let start = record.position().map_or(next, |p| p.byte() as usize);
        if start != next || !body[next..].starts_with(&written) {
            return Err(format!(
                "line {line}: not as cutover writes a cell file (a blank line, a quote or a line end it never writes)"
            ).into());
        }
        next += written.len();
        if record.len() != 1 + keys + n_metrics
            || record[0] != *cell.to_string()
            || record.iter().skip(1).take(keys).ne(info.cells[cell].iter())
            || record[1 + keys] != *rows.to_string()
        {
            return Err(format!(
                "line {line}: not replication {rows} of {} {cell}",
                kind.unit()
            )
            .into());
        }
        if record[seed_col] != *seed {
            return Err(format!(
                "line {line}: seed `{}` is not the {}'s seed {seed}",
                &record[seed_col],
                kind.whole()
            )
            .into());
        }
        let mut misspelt = None;
        for (col, text) in record.iter().enumerate().skip(1 + keys) {
            let x = if text.is_empty() {
                f64::NAN
            } else {
                match text.parse::<f64>() {
                    Ok(x) if x.is_finite() => x,
                    _ => {
                        return Err(format!(
                            "line {line}, column `{}`: `{}` is not a finite number",
                            columns_named[col],
                            crate::scenario::abbreviate(text)
                        )
                        .into());
                    }
                }
            };
            // The text cutover writes of this value: a count exactly, a number as
            // `format_number` writes it (nothing for no value).
            // Reported after the row's values are checked against their ranges, which say more
            // of a negative or fractional count.
            let canonical = if integer[col - 1 - keys] {
                text.parse::<u64>().ok().map(|n| n.to_string())
            } else {
                Some(output::format_number(x))
            };
            if misspelt.is_none() && canonical.as_deref() != Some(text) {
                misspelt = Some(format!(
                    "line {line}, column `{}`: `{}` is not how cutover writes {}",
                    columns_named[col],
                    crate::scenario::abbreviate(text),
                    canonical
                        .map_or_else(|| "a count".to_string(), |c| format!("this value (`{c}`)"))
                ));
            }
            columns[col - 1 - keys].push(x);
        }
        check_feasible(&columns, line)?;
        if let Some(why) = misspelt {
            return Err(why.into());
        }
        rows += 1;
        if let Some(budget) = budget {
            let values: usize = columns.iter().map(Vec::capacity).sum();
            budget
                .check_reading(
                    "holding it",
                    (bytes.len() as u64, 8 * values as u64),
                    (rows as usize, "replications"),
                    (next as u64, body.len() as u64),
                )
                .map_err(CellProblem::TooLarge)?;
        }
    }
    if next != body.len() {
        return Err(format!(
            "line {}: not as cutover writes a cell file (a blank line, a quote or a line end it never writes)",
            rows + 2
        ).into());
    }
    if info.precision.is_empty() {
        if rows != info.replications {
            return Err(format!("it has {rows} of {} replications", info.replications).into());
        }
    } else {
        stopped_where_it_could(info, rows, &columns)?;
    }
    Ok(Some(CellData {
        body: body.to_vec(),
        columns,
    }))
}

/// With `--precision` a cell stops where its own targets are met, at most at the ceiling and
/// never before the first stage: a cell file of `rows` replications that could not have stopped
/// there (cut short, or edited) is damage, not a cell whose targets were met.
fn stopped_where_it_could(info: &GridInfo, rows: u64, columns: &[Vec<f64>]) -> Result<(), String> {
    let precision = Precision::parse(&info.precision)
        .map_err(|e| format!("its grid's --precision targets cannot be read: {e}"))?;
    let (first, ceiling) = (precision.first_stage(info.replications), info.replications);
    if !(first..=ceiling).contains(&rows) {
        return Err(format!(
            "it has {rows} replications; a cell with --precision has from {first} (its first stage) to {ceiling}"
        ));
    }
    if rows < ceiling
        && let Some(c) = precision
            .check_columns("", columns)
            .into_iter()
            .find(|c| !c.met_as_read_back())
    {
        return Err(format!(
            "it stopped at {rows} of at most {ceiling} replications, but its values do not meet --precision {}={} (a half-width of {} against a mean of {}), and a cell stops below the ceiling only when they do",
            c.metric,
            number_text(c.relative),
            output::format_number(c.half_width),
            output::format_number(c.mean)
        ));
    }
    Ok(())
}

/// Checks the row just read (the last value of every column) against the values each metric can
/// take: a count that is negative, or of tenants above the replication's tenants, is damage.
fn check_feasible(columns: &[Vec<f64>], line: u64) -> Result<(), String> {
    let last = |col: usize| columns[col].last().copied().unwrap_or(f64::NAN);
    let tenants = last(column_of("tenants"));
    for (col, name) in ReplicationMetrics::COLUMNS.iter().enumerate() {
        let x = last(col);
        let (low, high) = ReplicationMetrics::feasible_range(name, tenants);
        // Written with six decimals: a share may round a hair above its bound, never more.
        if x < low || x > high + 1e-6 {
            return Err(format!(
                "line {line}, column `{name}`: {} is outside the values it can take ({} to {})",
                number_text(x),
                number_text(low),
                number_text(high)
            ));
        }
    }
    Ok(())
}

/// The index of a metric column among the metrics.
fn column_of(name: &str) -> usize {
    ReplicationMetrics::COLUMNS
        .iter()
        .position(|c| *c == name)
        .expect("a metric column")
}

/// summary.csv's rows of one cell: one per metric (identifier columns left out).
fn summary_rows(info: &GridInfo, cell: usize, columns: &[Vec<f64>]) -> Vec<Vec<String>> {
    let tenants_col = ReplicationMetrics::COLUMNS
        .iter()
        .position(|c| *c == "tenants")
        .expect("replications count their tenants");
    let tenants = output::column_max(&columns[tenants_col]);
    ReplicationMetrics::COLUMNS
        .iter()
        .enumerate()
        .filter(|(_, name)| !ReplicationMetrics::ID_COLUMNS.contains(name))
        .map(|(col, name)| {
            let s = output::summarize_metric(name, &columns[col], tenants);
            let mut row: Vec<String> = std::iter::once(cell.to_string())
                .chain(info.cells[cell].iter().cloned())
                .collect();
            row.push(name.to_string());
            row.extend(summary_cells(&s, columns[col].len()));
            row
        })
        .collect()
}

/// What assembling a sweep's files counted.
pub struct Assembled {
    pub events: u64,
    /// Replications each cell used, in cell order.
    pub cell_replications: Vec<u64>,
    /// With `--precision` targets, which cells met each.
    pub precision: Option<output::SweepPrecision>,
    /// The files written, in order.
    pub files: Vec<String>,
}

/// Writes replications.csv and summary.csv into `out` from the cell files at `cell_paths` (one
/// per cell, in cell order), one cell in memory at a time: both files are written as each cell
/// is read; with `precision`'s targets (the grid's own), which cells met each.
pub fn assemble(
    out: &Path,
    info: &GridInfo,
    cell_paths: &[PathBuf],
    precision: &Precision,
) -> Result<Assembled, Error> {
    let mut met = output::SweepPrecision::new(precision, info.replications);
    output::create_dir(out)?;
    let mut file = output::AtomicFile::create(&out.join(files::replications::FILE))?;
    file.write_all(&csv_bytes(std::iter::once(header(info))))?;
    let mut summary_header: Vec<String> = std::iter::once(files::summary::CELL.to_string())
        .chain(info.keys.iter().cloned())
        .collect();
    summary_header.push(files::summary::METRIC.to_string());
    summary_header.extend(SUMMARY_COLUMNS.map(String::from));
    // Written as each cell is read, never held: a cell's rows of it take some 30 KB in memory,
    // 3 GB for the 100,000 cells a sweep may have.
    let mut summary = output::AtomicFile::create(&out.join(files::summary::FILE))?;
    summary.write_all(&csv_bytes(std::iter::once(summary_header)))?;
    let events_col = ReplicationMetrics::COLUMNS
        .iter()
        .position(|c| *c == files::replications::EVENTS)
        .expect("replications count their events");
    let mut events = 0u64;
    let mut cell_replications = Vec::with_capacity(cell_paths.len());
    let budget = MemoryBudget::current().map_err(Error::Usage)?;
    for (cell, path) in cell_paths.iter().enumerate() {
        let data = read_cell(path, info, cell, Cells::Sweep, budget)
            .map_err(|problem| Error::Usage(problem.about("cell file", path, "")))?
            .ok_or_else(|| Error::Usage(format!("cell file {} is missing", path.display())))?;
        file.write_all(&data.body)?;
        events += data.columns[events_col]
            .iter()
            .map(|&e| e as u64)
            .sum::<u64>();
        let replications = data.columns[events_col].len() as u64;
        cell_replications.push(replications);
        if let Some(met) = &mut met {
            let checks = precision.check_columns(&format!("cell {cell}"), &data.columns);
            met.add(cell, replications, &checks);
        }
        summary.write_all(&csv_bytes(
            summary_rows(info, cell, &data.columns).into_iter(),
        ))?;
    }
    file.commit()?;
    summary.commit()?;
    Ok(Assembled {
        events,
        cell_replications,
        precision: met,
        files: vec![
            files::replications::FILE.into(),
            files::summary::FILE.into(),
        ],
    })
}

/// Refuses a shard folder given to `merge` whose `cells`, `grid.json` or `manifest.json` is a link
/// (or whose `cells` is not a folder), before anything is read from it: cutover never writes
/// them as links, so one there was put by someone else, to have another folder's cells merged
/// as this shard's. The cell files themselves are opened refusing links (`read_cell`).
pub fn check_shard(dir: &Path) -> Result<(), Error> {
    // The folder itself, as named, may be a link: the user chose it.
    match std::fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => {
            return Err(Error::Usage(format!(
                "{} is not a folder: name the output folder of each shard",
                dir.display()
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::Usage(format!(
                "{} does not exist: name the output folder of each shard",
                dir.display()
            )));
        }
        _ => {}
    }
    for name in [CELLS_DIR, GRID_FILE, files::MANIFEST] {
        let path = dir.join(name);
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.file_type().is_symlink() {
            return Err(Error::Usage(format!(
                "{} is a link: cutover never writes a shard's files as links, and merge reads none through one; merge the folder it points to instead, or remove the link",
                path.display()
            )));
        }
        if name == CELLS_DIR && !meta.is_dir() {
            return Err(Error::Usage(format!(
                "{} is not a folder: a shard's cells are files in a folder `{CELLS_DIR}`",
                path.display()
            )));
        }
    }
    Ok(())
}

/// grid.json: what a folder of cell files belongs to, so `--resume` and `merge` can check it.
#[derive(Debug, Serialize, Deserialize)]
pub struct GridManifest {
    pub version: String,
    pub grid: GridInfo,
    /// `[K, N]` for `--shard K/N`.
    pub shard: Option<[usize; 2]>,
    /// A sensitivity design's points (`design`); absent for a sweep's cells, and in a folder
    /// written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Cells>,
}

impl GridManifest {
    pub fn write(&self, dir: &Path) -> Result<(), Error> {
        output::write_atomic(&dir.join(GRID_FILE), &manifest::to_json(self))
    }

    /// Reads `dir/grid.json`; `Ok(None)` if there is none.
    pub fn read(dir: &Path) -> Result<Option<GridManifest>, Error> {
        let path = dir.join(GRID_FILE);
        let text = match output::read_small_json(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::Usage(format!("cannot read {}: {e}", path.display()))),
        };
        let not_a_grid = |why: &dyn std::fmt::Display| {
            Error::Usage(format!(
                "{} is not the grid.json of a sweep or sensitivity design: {why}",
                path.display()
            ))
        };
        let manifest: GridManifest = serde_json::from_str(&text).map_err(|e| not_a_grid(&e))?;
        match manifest.grid.problem() {
            Some(why) => Err(not_a_grid(&why)),
            None => Ok(Some(manifest)),
        }
    }
}

/// manifest.json of a finished sweep (or a merge of its shards).
#[derive(Clone, Debug, Serialize)]
pub struct SweepManifest {
    pub version: String,
    /// See [`manifest::write_manifest`].
    pub complete: bool,
    pub grid: GridInfo,
    /// Replications each cell used, in cell order (all `grid.replications` without `--precision`).
    pub cell_replications: Vec<u64>,
    /// With `--precision`, which cells met each target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<output::SweepPrecision>,
    #[serde(flatten)]
    pub ran: Execution,
}

impl SweepManifest {
    /// The manifest of `grid`'s files as `assemble` wrote them, run as `threads` over
    /// `wall_seconds` by `command`.
    pub fn new(
        grid: &GridInfo,
        assembled: Assembled,
        threads: usize,
        command: Vec<String>,
        wall_seconds: f64,
    ) -> SweepManifest {
        SweepManifest {
            version: env!("CARGO_PKG_VERSION").to_string(),
            complete: false,
            grid: grid.clone(),
            cell_replications: assembled.cell_replications,
            precision: assembled.precision,
            ran: Execution::new(
                threads,
                command,
                assembled.events,
                wall_seconds,
                assembled.files,
            ),
        }
    }
}

impl FolderManifest for SweepManifest {
    fn completion(&mut self) -> (&mut bool, &mut Vec<String>) {
        (&mut self.complete, &mut self.ran.files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A damaged cell file is said to be not usable, with the caller's advice (delete it to run
    /// the cell again); one too large for the memory is only said to be unread: it may be sound.
    #[test]
    fn a_cell_too_large_to_hold_is_not_called_damaged() {
        let path = Path::new("o/cells/cell-0001.csv");
        let advice = "; delete it to run the cell again";
        let damaged = CellProblem::from("line 3: 4 columns".to_string());
        assert_eq!(
            damaged.about("cell file", path, advice),
            "cell file o/cells/cell-0001.csv is not usable: line 3: 4 columns; delete it to run the cell again"
        );
        let large = CellProblem::TooLarge("holding it needs about 9 GB".into());
        assert_eq!(
            large.about("cell file", path, advice),
            "cannot read cell file o/cells/cell-0001.csv: holding it needs about 9 GB"
        );
    }
}
