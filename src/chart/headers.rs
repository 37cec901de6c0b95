//! What line 1 of each data file of an output folder must be, by the kind of folder its manifest
//! names, checked on every data file present before anything is drawn or reported: a file of
//! another command's folder put in this one (a seek's seek.csv copied in as selection.csv, a
//! run's replications.csv in a sweep's folder, a comparison's file in a run's) is refused naming
//! it, line 1 and what was expected, never read as if it belonged. The columns are `files`'.

use std::io::Read;
use std::path::Path;

use super::FolderKind;
use super::table::ManifestInfo;
use crate::error::{Error, printable};
use crate::files::{
    batches, calibration, comparison, completion, hourly, islands, load, replications, seek,
    selection, sensitivity, spans, summary, tenants, timeseries, tradeoffs, weekly,
};
use crate::model::ReplicationMetrics;

/// The most of a file read for its line 1: far more than any header cutover writes, and a bound
/// on what a huge or binary file put in a data file's place costs.
const MAX_HEADER_BYTES: u64 = 1 << 20;

/// What line 1 of a data file holds: `lead`, the columns that identify a row, first and in
/// order; then only columns of `rest`, in any order and not necessarily all (a folder written by
/// an earlier version lacks the columns added since), or any columns when `rest` is `None` (a
/// run's timeseries.csv under a manifest that records no phases, whose columns it names).
struct Expected {
    lead: Vec<String>,
    rest: Option<Vec<String>>,
}

fn owned(columns: &[&str]) -> Vec<String> {
    columns.iter().map(|c| c.to_string()).collect()
}

impl Expected {
    /// `header`'s first `lead` columns identify the rows, the others follow.
    fn split(header: &[&str], lead: usize) -> Expected {
        Expected {
            lead: owned(&header[..lead]),
            rest: Some(owned(&header[lead..])),
        }
    }

    /// The replication columns after `lead`: its identifiers, then the metrics.
    fn replications(mut lead: Vec<String>) -> Expected {
        let ids = ReplicationMetrics::ID_COLUMNS.len();
        lead.extend(owned(&ReplicationMetrics::COLUMNS[..ids]));
        Expected {
            lead,
            rest: Some(owned(&ReplicationMetrics::COLUMNS[ids..])),
        }
    }

    /// The summary columns after `lead` (which ends with the metric's).
    fn summary(lead: Vec<String>) -> Expected {
        Expected {
            lead,
            rest: Some(owned(&summary::STATISTICS)),
        }
    }

    /// Why `header` is not this, if it is not.
    fn mismatch(&self, header: &[String]) -> Option<String> {
        if header.is_empty() {
            return Some(format!(
                "it is empty, where it should begin {}",
                shown(&self.lead)
            ));
        }
        let begins = header.iter().take(self.lead.len());
        if !begins.eq(self.lead.iter()) {
            return Some(format!(
                "it begins {}, where it should begin {}",
                shown(&header[..header.len().min(self.lead.len())]),
                shown(&self.lead)
            ));
        }
        let rest = self.rest.as_ref()?;
        let (n, unknown) = header
            .iter()
            .enumerate()
            .skip(self.lead.len())
            .find(|(_, c)| !rest.contains(c))?;
        Some(format!(
            "column {} is {}, not one of the columns after {}: {}",
            n + 1,
            shown(std::slice::from_ref(unknown)),
            shown(&self.lead),
            shown(rest)
        ))
    }
}

/// Columns as a message quotes them: `a,b,c`, each made printable and a long one shortened, and
/// a long list cut after its first twelve.
fn shown(columns: &[String]) -> String {
    const MOST: usize = 12;
    let mut text: Vec<String> = columns
        .iter()
        .take(MOST)
        .map(|c| printable(&crate::scenario::abbreviate(c)).into_owned())
        .collect();
    if columns.len() > MOST {
        text.push(format!("... ({} in all)", columns.len()));
    }
    format!("`{}`", text.join(","))
}

/// The data files a folder of `kind` holds, each with what its line 1 must be.
fn expected(kind: FolderKind, manifest: &ManifestInfo) -> Vec<(&'static str, Expected)> {
    match kind {
        FolderKind::Run => run_files(manifest),
        FolderKind::Compare => vec![
            (comparison::FILE, Expected::split(&comparison::HEADER, 2)),
            (tradeoffs::FILE, Expected::split(&tradeoffs::HEADER, 2)),
            (
                replications::FILE,
                Expected::replications(owned(&[replications::POLICY])),
            ),
        ],
        FolderKind::Sweep => {
            let cell = |last: &[&str]| {
                let mut lead = owned(&[replications::CELL]);
                lead.extend(manifest.grid_keys.iter().cloned());
                lead.extend(owned(last));
                lead
            };
            vec![
                (replications::FILE, Expected::replications(cell(&[]))),
                (summary::FILE, Expected::summary(cell(&[summary::METRIC]))),
            ]
        }
        FolderKind::Sensitivity => {
            vec![(sensitivity::FILE, Expected::split(&sensitivity::HEADER, 3))]
        }
        FolderKind::Calibration => vec![
            (calibration::FILE, Expected::split(&calibration::HEADER, 1)),
            (
                calibration::FIT_FILE,
                Expected::split(&calibration::FIT_HEADER, 3),
            ),
        ],
        FolderKind::Study => match manifest.study_kind.as_deref() {
            Some("select") => vec![(selection::FILE, Expected::split(&selection::HEADER, 1))],
            Some("seek") => vec![(seek::FILE, seek_file(manifest))],
            // A study of a kind this version does not know: nothing to hold it to.
            _ => Vec::new(),
        },
    }
}

/// The files of a run's folder (with `--detail none`, only some of them).
fn run_files(manifest: &ManifestInfo) -> Vec<(&'static str, Expected)> {
    let weeks = || {
        let mut columns = owned(&[weekly::WEEK, weekly::WEEK_START]);
        columns.extend(owned(&weekly::COUNTS));
        Expected::split(&columns.iter().map(String::as_str).collect::<Vec<_>>(), 2)
    };
    let mut loads = owned(&[hourly::TIME]);
    loads.extend(owned(&load::COLUMNS));
    let loads: Vec<&str> = loads.iter().map(String::as_str).collect();
    vec![
        (replications::FILE, Expected::replications(Vec::new())),
        (summary::FILE, Expected::summary(owned(&[summary::METRIC]))),
        (tenants::FILE, Expected::split(&tenants::HEADER, 1)),
        (batches::FILE, Expected::split(&batches::HEADER, 1)),
        (timeseries::FILE, timeseries_file(manifest)),
        (completion::FILE, Expected::split(&completion::HEADER, 2)),
        (weekly::FILE, weeks()),
        (weekly::DETAIL_FILE, weeks()),
        (hourly::FILE, Expected::split(&loads, 1)),
        (spans::FILE, Expected::split(&spans::HEADER, 1)),
        (islands::FILE, Expected::split(&islands::HEADER, 1)),
    ]
}

/// timeseries.csv: the day, its date, then the manifest's phases and the fixed columns.
fn timeseries_file(manifest: &ManifestInfo) -> Expected {
    let lead = owned(&[timeseries::DAY, timeseries::DATE]);
    if manifest.phases.is_empty() {
        return Expected { lead, rest: None };
    }
    let mut rest: Vec<String> = manifest.phases.iter().map(|p| p.key.clone()).collect();
    rest.push(timeseries::TRANSITIONED.to_string());
    rest.extend(owned(&load::COLUMNS));
    rest.extend(owned(&timeseries::CHAT));
    Expected {
        lead,
        rest: Some(rest),
    }
}

/// seek.csv: the setting and the varied keys, then the fixed columns and each constraint's.
fn seek_file(manifest: &ManifestInfo) -> Expected {
    let mut lead = owned(&seek::FIRST);
    if manifest.study_keys.is_empty() {
        return Expected { lead, rest: None };
    }
    lead.extend(manifest.study_keys.iter().cloned());
    let mut rest = owned(&seek::AFTER_KEYS);
    for n in 1..=manifest.study_constraints {
        rest.extend(
            seek::PER_CONSTRAINT
                .iter()
                .map(|what| seek::constraint_column(n, what)),
        );
    }
    Expected {
        lead,
        rest: Some(rest),
    }
}

/// What a message calls a folder of `kind`.
fn kind_name(kind: FolderKind, manifest: &ManifestInfo) -> String {
    match kind {
        FolderKind::Run => "a run".into(),
        FolderKind::Compare => "a comparison".into(),
        FolderKind::Sweep => "a sweep".into(),
        FolderKind::Sensitivity => "a sensitivity study".into(),
        FolderKind::Calibration => "a calibration".into(),
        FolderKind::Study => match manifest.study_kind.as_deref() {
            Some(k @ ("select" | "seek")) => format!("a {k} study"),
            _ => "a study".into(),
        },
    }
}

/// Refuses a folder of `kind` (as its manifest says) holding a data file whose line 1 is not
/// what that kind writes there, or a data file that kind never writes: bad input naming the
/// file, line 1 and what was expected.
pub(super) fn check(dir: &Path, kind: FolderKind, manifest: &ManifestInfo) -> Result<(), Error> {
    let expected = expected(kind, manifest);
    if kind == FolderKind::Study && expected.is_empty() {
        return Ok(());
    }
    for name in crate::files::data_files() {
        let path = dir.join(name);
        if std::fs::symlink_metadata(&path).is_err() {
            continue;
        }
        let refuse = |why: String| {
            Error::Usage(format!(
                "cannot read {}, line 1: {why}",
                printable(&path.display().to_string())
            ))
        };
        let Some((_, columns)) = expected.iter().find(|(file, _)| *file == name) else {
            let own: Vec<&str> = expected.iter().map(|(file, _)| *file).collect();
            return Err(refuse(format!(
                "{} folder (so its manifest says) holds no {name}, only {}: this file belongs to another command's folder; remove it, or run the command again into a folder of its own",
                kind_name(kind, manifest),
                own.join(", ")
            )));
        };
        let header = read_header(&path).map_err(|e| {
            Error::Usage(format!(
                "cannot read {}: {e}",
                printable(&path.display().to_string())
            ))
        })?;
        if let Some(why) = columns.mismatch(&header) {
            // An empty line 1 is a damaged file rather than another command's.
            let whose = if header.is_empty() {
                ""
            } else {
                "; is it another command's file?"
            };
            return Err(refuse(format!(
                "not the header of {}'s {name}: {why}{whose}",
                kind_name(kind, manifest)
            )));
        }
    }
    Ok(())
}

/// Line 1 of the file at `path` as CSV cells (empty for an empty file), reading at most
/// `MAX_HEADER_BYTES` of a regular file (not a link, as `Table::read`).
fn read_header(path: &Path) -> Result<Vec<String>, String> {
    let file = crate::scenario::open_file(path, crate::scenario::Links::Refuse)
        .map_err(|e| e.to_string())?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(file.take(MAX_HEADER_BYTES));
    let mut record = csv::ByteRecord::new();
    if !reader
        .read_byte_record(&mut record)
        .map_err(|e| e.to_string())?
    {
        return Ok(Vec::new());
    }
    Ok(record
        .iter()
        .map(|cell| String::from_utf8_lossy(cell).into_owned())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(study_kind: Option<&str>) -> ManifestInfo {
        ManifestInfo {
            scenario: "s".into(),
            replications: None,
            detail_replication: None,
            without_detail: false,
            deadline: None,
            grid_keys: vec!["operators.weekend".into()],
            grid_cells: None,
            is_sweep: false,
            phases: Vec::new(),
            is_study: study_kind.is_some(),
            study_kind: study_kind.map(str::to_string),
            study_keys: vec!["operators.weekend".into()],
            study_constraints: 2,
            listed: Vec::new(),
        }
    }

    /// Every data file cutover writes is one some kind of folder holds, so none is refused in
    /// the folder of the command that writes it.
    #[test]
    fn every_data_file_belongs_to_a_kind_of_folder() {
        let kinds = [
            (FolderKind::Run, None),
            (FolderKind::Compare, None),
            (FolderKind::Sweep, None),
            (FolderKind::Sensitivity, None),
            (FolderKind::Calibration, None),
            (FolderKind::Study, Some("select")),
            (FolderKind::Study, Some("seek")),
        ];
        let held: Vec<&str> = kinds
            .iter()
            .flat_map(|(kind, study)| expected(*kind, &manifest(*study)))
            .map(|(file, _)| file)
            .collect();
        for name in crate::files::data_files() {
            assert!(held.contains(&name), "no kind of folder holds {name}");
        }
    }

    /// An empty data file is named as empty, a damaged file, not asked about as another
    /// command's; one with another kind's header is.
    #[test]
    fn an_empty_line_1_is_said_to_be_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(replications::FILE);
        let refusal = || {
            check(dir.path(), FolderKind::Run, &manifest(None))
                .unwrap_err()
                .to_string()
        };
        std::fs::write(&path, "").unwrap();
        let e = refusal();
        assert!(e.contains("line 1: not the header of a run's replications.csv: it is empty"));
        assert!(!e.contains("another command's"), "{e}");
        std::fs::write(&path, "policy,replication\n").unwrap();
        assert!(refusal().ends_with("is it another command's file?"));
    }

    #[test]
    fn a_header_is_its_lead_then_only_known_columns() {
        let seek = seek_file(&manifest(Some("seek")));
        let header = |text: &str| -> Vec<String> { text.split(',').map(str::to_string).collect() };
        assert_eq!(
            seek.mismatch(&header(
                "setting,operators.weekend,cost,replications,verdict,constraint2_bound"
            )),
            None
        );
        let why = seek.mismatch(&header("setting,operators.weekend,cost,constraint3_bound"));
        assert!(why.is_some_and(|w| w.contains("column 4 is `constraint3_bound`")));
        let why = seek.mismatch(&header("policy,replications"));
        assert!(why.is_some_and(|w| w.contains("it begins `policy,replications`")));
        let why = seek.mismatch(&[]);
        assert!(why.is_some_and(|w| w.starts_with("it is empty")));
    }
}
