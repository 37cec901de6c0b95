//! Charts (PNG and SVG) drawn from the files of an output folder, never from inside a simulation:
//! `cutover run`, `compare` and `sweep` draw them after writing their CSV files, and `cutover plot`
//! redraws them from the same files.
//!
//! A folder's kind is read from its `manifest.json` ([`folder_kind`]): its `grid` (a sweep), its
//! `study` (`select`, `seek`) and the files it lists (`fit.csv` a calibration, `sensitivity.csv` a
//! sensitivity study, `comparison.csv` a comparison, `timeseries.csv` or `replications.csv` a
//! run), and every data file present must be one that kind writes (`headers`). Charts go to `<name>.png` and `.svg` in the folder the
//! caller names (a staging folder that becomes `DIR/charts`, see `output::Staging`), each written
//! atomically; text is drawn with the embedded DejaVu Sans, so no system font or library is needed.

mod calibration_charts;
mod cause_charts;
mod compare_charts;
mod frame;
mod glyphs;
mod headers;
mod run_charts;
mod sensitivity_charts;
mod sweep_charts;
mod table;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::files;
pub(crate) use run_charts::latest_axis_end;
pub(crate) use sweep_charts::file_parts;
use table::ManifestInfo;
pub(crate) use table::{RecordedPhase, Table, recorded_phases};

/// What produced an output folder, and so which charts it gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FolderKind {
    Run,
    Compare,
    Sweep,
    Sensitivity,
    /// A study of policies or settings (`select`, ...): a table and findings, no charts yet.
    Study,
    Calibration,
}

/// The kind of output folder `dir` is, as its manifest says: a sweep's has a `grid`, a study's a
/// `study`, and the others list the files their command wrote (a manifest that lists none, from
/// an older version, is told by the files present). Bad input (exit code 2) if it is none, or if
/// a data file present is not one that kind writes, with the header it writes (`headers`).
pub fn folder_kind(dir: &Path) -> Result<FolderKind, Error> {
    if !dir.is_dir() {
        return Err(Error::Usage(format!("{} is not a folder", dir.display())));
    }
    let manifest = ManifestInfo::read(dir)?;
    // Every result the manifest lists is there: a folder that lacks one is not the command's
    // results, though charts might be drawn from the rest (and `plot` marks a folder complete).
    if let Some(missing) = manifest.listed.iter().find(|f| lacks_result(dir, f)) {
        return Err(Error::Usage(format!(
            "{} is not whole: its manifest.json lists {missing}, which is not there; run the command that wrote the folder again",
            dir.display()
        )));
    }
    let listed = |file: &str| manifest.listed.iter().any(|f| f == file);
    let holds = |file: &str| {
        if manifest.listed.is_empty() {
            dir.join(file).is_file()
        } else {
            listed(file)
        }
    };
    let kind = if manifest.is_sweep {
        FolderKind::Sweep
    } else if holds(files::calibration::FIT_FILE) {
        FolderKind::Calibration
    } else if holds(files::sensitivity::FILE) {
        FolderKind::Sensitivity
    } else if manifest.is_study {
        FolderKind::Study
    } else if holds(files::comparison::FILE) {
        FolderKind::Compare
    } else if holds(files::timeseries::FILE) || holds(files::replications::FILE) {
        // A run with `--detail none` has replications.csv but no timeseries.csv.
        FolderKind::Run
    } else {
        return Err(Error::Usage(format!(
            "cannot chart {}: it holds neither timeseries.csv (a run), comparison.csv (a comparison), sensitivity.csv (a sensitivity study) nor a sweep's manifest",
            dir.display()
        )));
    };
    headers::check(dir, kind, &manifest)?;
    if kind == FolderKind::Run {
        check_weeks(dir)?;
    }
    Ok(kind)
}

/// A run's weekly files, which no chart draws but `calibrate --observed` reads (their format
/// is its input's): read whole, a row of as many cells as the header, weeks in order with the
/// dates they start on, and counts that are numbers at or above 0, so that a folder is never
/// said complete while one of them is damaged.
fn check_weeks(dir: &Path) -> Result<(), Error> {
    use files::weekly;
    for name in [weekly::FILE, weekly::DETAIL_FILE] {
        if std::fs::symlink_metadata(dir.join(name)).is_err() {
            continue;
        }
        let table = table::Table::read(dir, name)?;
        table.check_steps(weekly::WEEK, weekly::WEEK_START, 7.0)?;
        for column in weekly::COUNTS.iter().filter(|c| table.has(c)) {
            let counts = table.numbers(column)?;
            if let Some(row) = counts.iter().position(|&c| c.is_nan() || c < 0.0) {
                let problem = format!(
                    "{} is not a count at or above 0",
                    table::cell_shown(counts[row])
                );
                return Err(table.refused_row(row, column, &problem));
            }
        }
    }
    Ok(())
}

/// Whether `dir` lacks `listed`, a file its manifest lists, where that is one of the command's
/// results: a name at the top of the folder other than the report (the charts and report are
/// drawn anew; a name that would lead elsewhere is never looked at). Something else in its place
/// (a link, a pipe) is there, and refused as such where the file is read.
fn lacks_result(dir: &Path, listed: &str) -> bool {
    let mut parts = Path::new(listed).components();
    let at_top = matches!(
        (parts.next(), parts.next()),
        (Some(std::path::Component::Normal(_)), None)
    );
    at_top
        && listed != files::REPORT
        && std::fs::symlink_metadata(dir.join(listed))
            .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
}

/// Draws every chart of an output folder `dir` of any kind into the folder `out`; returns the
/// files written.
pub fn draw_folder(dir: &Path, out: &Path) -> Result<Vec<PathBuf>, Error> {
    match folder_kind(dir)? {
        FolderKind::Run => draw_run(dir, out),
        FolderKind::Compare => draw_compare(dir, out),
        FolderKind::Sweep => draw_sweep(dir, out),
        FolderKind::Sensitivity => draw_sensitivity(dir, out),
        FolderKind::Study => Ok(Vec::new()),
        FolderKind::Calibration => draw_calibration(dir, out),
    }
}

/// The charts of a `cutover run` folder: phases, completion, weekend, operators, islands (when a
/// contact pair was split or broken), slips, causes.
pub fn draw_run(dir: &Path, out: &Path) -> Result<Vec<PathBuf>, Error> {
    let manifest = ManifestInfo::read(dir)?;
    if !dir.join(files::timeseries::FILE).is_file() {
        // A run with `--detail none` keeps no records of one replication: nothing to chart, and
        // its report is drawn from the replications alone, as the run drew it.
        if manifest.without_detail {
            return Ok(Vec::new());
        }
        return Err(Error::Usage(format!(
            "cannot chart {}: it holds no {}, the records of its detail replication",
            dir.display(),
            files::timeseries::FILE
        )));
    }
    let mut written = run_charts::draw(dir, &manifest, out)?;
    written.extend(cause_charts::draw(dir, &manifest, out)?);
    Ok(written)
}

/// The charts of a `cutover sweep` folder: each main metric against each swept key, and a heatmap
/// when two keys are swept.
pub fn draw_sweep(dir: &Path, out: &Path) -> Result<Vec<PathBuf>, Error> {
    let manifest = ManifestInfo::read(dir)?;
    sweep_charts::draw(dir, &manifest, out)
}

/// The charts of a `cutover compare` folder: each main metric per policy, with the paired
/// difference against the baseline.
pub fn draw_compare(dir: &Path, out: &Path) -> Result<Vec<PathBuf>, Error> {
    let manifest = ManifestInfo::read(dir)?;
    compare_charts::draw(dir, &manifest, out)
}

/// The charts of a `cutover sensitivity` folder: a tornado of the keys' indices per headline
/// metric.
pub fn draw_sensitivity(dir: &Path, out: &Path) -> Result<Vec<PathBuf>, Error> {
    let manifest = ManifestInfo::read(dir)?;
    sensitivity_charts::draw(dir, &manifest, out)
}

/// The charts of a `cutover calibrate` folder: observed against simulated weeks per observed
/// column.
pub fn draw_calibration(dir: &Path, out: &Path) -> Result<Vec<PathBuf>, Error> {
    let manifest = ManifestInfo::read(dir)?;
    calibration_charts::draw(dir, &manifest, out)
}

/// The metrics that sweeps and comparisons chart, with what they count (for the axis), if present.
pub(crate) const MAIN_METRICS: &[(&str, &str)] = &[
    ("transitioned", "tenants transitioned"),
    ("missed_deadline", "tenants that missed the deadline"),
    ("slips", "slips (rollbacks)"),
    ("makespan_days", "makespan (days)"),
    ("operator_wait_p95_h", "P95 operator wait (hours)"),
    ("peak_errors_outstanding", "peak errors outstanding"),
    ("helpdesk_wait_p95_h", "P95 helpdesk wait (hours)"),
];

/// The values metric `name` can take where no replication had more than `tenants` tenants: no
/// axis or whisker of a chart goes outside (a count of tenants stops at `tenants`).
pub(crate) fn feasible(name: &str, tenants: f64) -> (f64, f64) {
    crate::model::ReplicationMetrics::feasible_range(name, tenants)
}

/// The most tenants of any replication in the folder's replications.csv: the ceiling of the
/// tenant counts a comparison's or a sweep's charts show (cells of a sweep may differ in
/// tenants; one axis serves them all). Unbounded if the file is not there.
pub(crate) fn most_tenants(dir: &Path) -> Result<f64, Error> {
    use crate::files::replications;
    if !dir.join(replications::FILE).exists() {
        return Ok(f64::INFINITY);
    }
    let table = table::Table::read(dir, replications::FILE)?;
    let most = table
        .numbers(replications::TENANTS)?
        .into_iter()
        .fold(f64::NEG_INFINITY, f64::max);
    Ok(if most >= 0.0 { most } else { f64::INFINITY })
}
