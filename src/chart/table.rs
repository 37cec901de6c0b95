//! The files of an output folder as charts read them: CSV columns looked up by name, empty cells
//! as "no value", ISO dates and times as fractional days, and the manifest.

use std::path::{Path, PathBuf};

use crate::date::Date;
use crate::error::Error;
use crate::files;
use crate::scenario::{Links, MemoryBudget, ReadProblem, number_text};

/// The largest file a chart reads: many times what the largest bundled scenario writes, and a
/// bound on the memory a folder given to `cutover plot` can make it use.
const MAX_TABLE_BYTES: u64 = 1 << 30;

/// The longest text a chart or the report takes from a folder's files (a cell, a name in the
/// manifest), in bytes: far more than any cutover writes (a swept list of 64 region names is
/// under 5,000), and a bound on the text a damaged folder can make a chart lay out.
const MAX_TEXT_BYTES: usize = 10_000;

/// The most memory a chart or the report takes, per cell of a table, beyond the table itself: a
/// column it reads as numbers or texts is a vector of 8 to 16 bytes a cell, and none holds more
/// than about one such vector of every column at once.
const DERIVED_BYTES_PER_CELL: u64 = 16;

/// A CSV file with a header row, read whole and held compactly: every cell's text one after
/// another, and where each cell and each row ends. A `csv::StringRecord` a row would take 8 bytes
/// of bounds a cell and two allocations a row, some 5 times a short-celled file's size.
pub(crate) struct Table {
    path: PathBuf,
    headers: Vec<String>,
    /// Every cell's text, row after row.
    text: String,
    /// Where each cell ends in `text`; a file's text is at most `MAX_TABLE_BYTES`, so a `u32`.
    ends: Vec<u32>,
    /// Where each row's cells start in `ends`, and after the last row where they end.
    starts: Vec<u32>,
    /// Each row's line in the file (the header is line 1; a quoted cell may span lines).
    lines: Vec<u32>,
}

impl Table {
    /// Reads `dir/name`; a missing or unreadable file is bad input naming the file.
    pub(crate) fn read(dir: &Path, name: &str) -> Result<Table, Error> {
        let path = dir.join(name);
        let unusable = |why: String| Error::Usage(format!("cannot read {}: {why}", path.display()));
        // Only a regular file: a pipe or device put in a file's place could hang the reader or
        // feed it without end; and not a link, which would have another folder's file drawn
        // as this one's.
        let file = crate::scenario::open_file(&path, Links::Refuse).map_err(|problem| {
            unusable(match problem {
                ReadProblem::Io(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    "no such file".into()
                }
                ReadProblem::NotRegular => "it is not a regular file".into(),
                other => other.to_string(),
            })
        })?;
        let metadata = file.metadata().map_err(|e| unusable(e.to_string()))?;
        if metadata.len() > MAX_TABLE_BYTES {
            return Err(unusable(format!(
                "it has {} bytes, more than the {MAX_TABLE_BYTES} a chart reads",
                metadata.len()
            )));
        }
        // Read once: a file can be as large as the memory there is, and holding it is refused
        // as soon as it would not fit, before the rest is read.
        let budget = MemoryBudget::current().map_err(Error::Usage)?;
        let mut reader = csv::Reader::from_reader(std::io::Read::take(file, MAX_TABLE_BYTES));
        let header_record = reader
            .headers()
            .map_err(|e| unusable(e.to_string()))?
            .clone();
        let long_cell = |record: &csv::StringRecord| {
            let (column, cell) = record
                .iter()
                .enumerate()
                .find(|(_, c)| c.len() > MAX_TEXT_BYTES)?;
            Some(unusable(format!(
                "line {}, column {}: a cell of {} bytes, more than the {MAX_TEXT_BYTES} a cell of cutover's files holds",
                record.position().map_or(1, |p| p.line()),
                column + 1,
                cell.len()
            )))
        };
        if let Some(e) = long_cell(&header_record) {
            return Err(e);
        }
        let mut table = Table {
            path: path.clone(),
            headers: header_record.iter().map(str::to_string).collect(),
            text: String::new(),
            ends: Vec::new(),
            starts: vec![0],
            lines: Vec::new(),
        };
        let mut record = csv::StringRecord::new();
        while reader
            .read_record(&mut record)
            .map_err(|e| unusable(e.to_string()))?
        {
            if let Some(e) = long_cell(&record) {
                return Err(e);
            }
            for cell in &record {
                table.text.push_str(cell);
                table.ends.push(table.text.len() as u32);
            }
            table.starts.push(table.ends.len() as u32);
            let line = record.position().map_or(0, csv::Position::line);
            table.lines.push(u32::try_from(line).unwrap_or(u32::MAX));
            if let Some(budget) = budget {
                budget
                    .check_reading(
                        "holding it",
                        (0, table.memory_needed()),
                        (table.len(), "rows"),
                        (reader.position().byte(), metadata.len()),
                    )
                    .map_err(unusable)?;
            }
        }
        Ok(table)
    }

    /// The memory the table holds, with what a chart or the report takes from it
    /// (`DERIVED_BYTES_PER_CELL`): its text, 4 bytes a cell and 8 a row.
    fn memory_needed(&self) -> u64 {
        let cells = self.ends.len() as u64;
        self.text.len() as u64 + cells * (4 + DERIVED_BYTES_PER_CELL) + 8 * self.lines.len() as u64
    }

    pub(crate) fn len(&self) -> usize {
        self.lines.len()
    }

    /// Row `i`'s cell in column `c`, empty if the row is shorter.
    fn cell(&self, i: usize, c: usize) -> &str {
        let (first, after) = (self.starts[i] as usize, self.starts[i + 1] as usize);
        if first + c >= after {
            return "";
        }
        let start = match first + c {
            0 => 0,
            k => self.ends[k - 1] as usize,
        };
        &self.text[start..self.ends[first + c] as usize]
    }

    pub(crate) fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Row `i`'s cells, one per header (a short row gives empty cells).
    pub(crate) fn row(&self, i: usize) -> Vec<&str> {
        (0..self.headers.len()).map(|c| self.cell(i, c)).collect()
    }

    pub(crate) fn has(&self, column: &str) -> bool {
        self.headers.iter().any(|h| h == column)
    }

    fn index(&self, column: &str) -> Result<usize, Error> {
        self.headers
            .iter()
            .position(|h| h == column)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "cannot read {}: it has no column `{column}`",
                    self.path.display()
                ))
            })
    }

    /// The cells of a column as text (a short row gives an empty cell).
    pub(crate) fn text(&self, column: &str) -> Result<Vec<&str>, Error> {
        let i = self.index(column)?;
        Ok((0..self.len()).map(|row| self.cell(row, i)).collect())
    }

    /// Bad input naming the file and where in it a cell is: its line (the header is line 1; a
    /// quoted cell may span lines) and column, by number and name.
    fn refused(&self, row: usize, index: usize, column: &str, problem: &str) -> Error {
        Error::Usage(format!(
            "cannot read {}: line {}, column {} (`{column}`): {problem}",
            self.path.display(),
            self.lines[row],
            index + 1
        ))
    }

    /// Bad input naming the file and row `row`'s cell in `column` (which the table has), for a
    /// `problem` with the row as a whole.
    pub(crate) fn refused_row(&self, row: usize, column: &str, problem: &str) -> Error {
        match self.index(column) {
            Ok(i) => self.refused(row, i, column, problem),
            Err(e) => e,
        }
    }

    /// The cells of a column each read by `parse`, an empty cell as `None`; a cell `parse` does
    /// not take is bad input naming the file, its line and column, and `what` it should be.
    fn parsed<T>(
        &self,
        column: &str,
        what: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Vec<Option<T>>, Error> {
        self.parsed_at(self.index(column)?, column, what, parse)
    }

    /// [`Table::parsed`] of the column at index `i`, named `column`.
    fn parsed_at<T>(
        &self,
        i: usize,
        column: &str,
        what: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Vec<Option<T>>, Error> {
        let mut values = Vec::with_capacity(self.len());
        for row in 0..self.len() {
            let cell = self.cell(row, i).trim();
            if cell.is_empty() {
                values.push(None);
                continue;
            }
            let problem = || format!("`{}` is not {what}", crate::scenario::abbreviate(cell));
            values.push(Some(
                parse(cell).ok_or_else(|| self.refused(row, i, column, &problem()))?,
            ));
        }
        Ok(values)
    }

    /// The cells of a column of words cutover writes (such as seek.csv's verdicts), each read by
    /// `parse`: a cell it does not take, or an empty one, is bad input naming the file, line and
    /// column, and `what` it should be.
    pub(crate) fn words<T>(
        &self,
        column: &str,
        what: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Vec<T>, Error> {
        let i = self.index(column)?;
        self.parsed_at(i, column, what, parse)?
            .into_iter()
            .enumerate()
            .map(|(row, word)| {
                word.ok_or_else(|| {
                    self.refused(row, i, column, &format!("an empty cell is not {what}"))
                })
            })
            .collect()
    }

    /// The cells of a column as numbers; an empty cell is NaN.
    pub(crate) fn numbers(&self, column: &str) -> Result<Vec<f64>, Error> {
        let values = self.parsed(column, "a number", |c| {
            c.parse::<f64>().ok().filter(|x| x.is_finite())
        })?;
        Ok(values.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect())
    }

    /// Refuses rows that do not follow each other on the calendar: column `step` (a day or a
    /// week from the start) whole numbers from 0, rising row by row, and column `date` each
    /// `per` days a step after the date of step 0. A row out of order would draw a chart running to the year 9999, and a file that does not
    /// add up is not one cutover wrote.
    pub(super) fn check_steps(&self, step: &str, date: &str, per: f64) -> Result<(), Error> {
        let steps = self.numbers(step)?;
        let dates = self.times(date)?;
        let mut first: Option<f64> = None;
        for (row, (&n, &d)) in steps.iter().zip(&dates).enumerate() {
            let after = row.checked_sub(1).map_or(-1.0, |r| steps[r]);
            if !(n.fract() == 0.0 && n >= 0.0 && n > after) {
                let what = if row == 0 {
                    "a whole number from 0".to_string()
                } else {
                    format!(
                        "a whole number above the row before's {}",
                        number_text(after)
                    )
                };
                let problem = format!("{} is not {what}", cell_shown(n));
                return Err(self.refused_row(row, step, &problem));
            }
            if d.is_nan() {
                return Err(self.refused_row(row, date, "an empty cell is not a date"));
            }
            let origin = *first.get_or_insert(d - per * n);
            let off = (d - per * n - origin).abs();
            if off.is_nan() || off > 1e-9 {
                return Err(self.refused_row(
                    row,
                    date,
                    &format!(
                        "{} is not {} days after the date of {step} 0, {}",
                        self.text(date)?[row],
                        number_text(per * n),
                        date_of(origin)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The cells of a column of ISO dates (`YYYY-MM-DD`) or times (`YYYY-MM-DDTHH:MM`) as days
    /// since 1970-01-01 (see [`day_number`]); an empty cell is NaN.
    pub(super) fn times(&self, column: &str) -> Result<Vec<f64>, Error> {
        let values = self.parsed(
            column,
            "a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)",
            parse_time,
        )?;
        Ok(values.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect())
    }
}

/// A cell read by [`Table::numbers`] as a message quotes it: its number, or `an empty cell`
/// (which that reading takes for NaN).
pub(crate) fn cell_shown(value: f64) -> String {
    if value.is_nan() {
        "an empty cell".to_string()
    } else {
        number_text(value)
    }
}

/// 1970-01-01, day 0 of every time axis.
fn epoch() -> Date {
    Date::from_ymd(1970, 1, 1).expect("a valid date")
}

/// A date as a number of days since 1970-01-01, the unit of every time axis.
pub(super) fn day_number(date: Date) -> f64 {
    date.days_since(epoch()) as f64
}

/// The date a day number falls on.
pub(super) fn date_of(day: f64) -> Date {
    epoch().add_days(day.floor() as i64)
}

/// `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS` as a day number.
pub(super) fn parse_time(text: &str) -> Option<f64> {
    let (date, time) = match text.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let day = day_number(date.parse::<Date>().ok()?);
    let Some(time) = time else {
        return Some(day);
    };
    let mut parts = time.split(':');
    let hours: u32 = parts.next()?.parse().ok()?;
    let minutes: u32 = parts.next().map_or(Some(0), |m| m.parse().ok())?;
    let seconds: f64 = parts.next().map_or(Some(0.0), |s| s.parse().ok())?;
    if parts.next().is_some() || hours > 24 || minutes > 59 || !(0.0..60.0).contains(&seconds) {
        return None;
    }
    Some(day + (f64::from(hours) * 3600.0 + f64::from(minutes) * 60.0 + seconds) / 86_400.0)
}

/// The texts of a JSON array (its items' field `field`, if given); empty if it is none.
fn texts(array: Option<&serde_json::Value>, field: Option<&str>) -> Vec<String> {
    array
        .and_then(|a| a.as_array())
        .into_iter()
        .flatten()
        .filter_map(|item| match field {
            Some(field) => item.get(field),
            None => Some(item),
        })
        .filter_map(|text| text.as_str().map(str::to_string))
        .collect()
}

/// What charts need from `manifest.json`.
pub(super) struct ManifestInfo {
    pub scenario: String,
    pub replications: Option<u64>,
    pub detail_replication: Option<u64>,
    /// A run with `--detail none`: its manifest says `"detail_replication": null`.
    pub without_detail: bool,
    pub deadline: Option<Date>,
    /// The swept keys of a sweep folder (`grid.keys`); empty otherwise.
    pub grid_keys: Vec<String>,
    /// The number of cells of a sweep.
    pub grid_cells: Option<usize>,
    pub is_sweep: bool,
    /// The programme's phases as the manifest records them (empty for a manifest written before
    /// phases were recorded).
    pub phases: Vec<RecordedPhase>,
    /// A study (`select` and the like): its findings are in the manifest's `study`.
    pub is_study: bool,
    /// The study's `kind` (`select`, `seek`), its varied keys and the number of its
    /// constraints (a seek's, which name seek.csv's columns).
    pub study_kind: Option<String>,
    pub study_keys: Vec<String>,
    pub study_constraints: usize,
    /// The files the manifest lists: what the command wrote (empty in one that lists none).
    pub listed: Vec<String>,
}

/// One phase as the manifest records it.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedPhase {
    /// Its column in timeseries.csv and its name in spans.csv.
    pub key: String,
    pub name: String,
    /// Its offset from T as charts show it (`T-60`); `None` for the first phase.
    pub offset: Option<String>,
    /// Whether spans.csv records it.
    pub spans: bool,
    /// Hours from T at which it starts; `None` for the first phase.
    pub start_hours: Option<f64>,
    /// For the window phase, how long it may run (absent from manifests before it was recorded).
    pub window_hours: Option<f64>,
}

/// The programme's phases a manifest records, in order; none from a manifest that records
/// none. The one reading of them, for the charts and the report alike.
pub(crate) fn recorded_phases(json: &serde_json::Value) -> Vec<RecordedPhase> {
    let Some(phases) = json.get("phases").and_then(|p| p.as_array()) else {
        return Vec::new();
    };
    phases
        .iter()
        .filter_map(|p| {
            let text = |k: &str| p.get(k).and_then(|v| v.as_str()).map(str::to_string);
            Some(RecordedPhase {
                key: text("key")?,
                name: text("name")?,
                offset: text("offset"),
                spans: p.get("spans").and_then(|s| s.as_bool()) == Some(true),
                // Only what a scenario can set: a hand-edited value past it is ignored, not
                // drawn a thousand digits long.
                start_hours: p
                    .get("start_hours")
                    .and_then(serde_json::Value::as_f64)
                    .filter(|h| h.abs() <= crate::scenario::MAX_START_HOURS),
                window_hours: p
                    .get("window_hours")
                    .and_then(serde_json::Value::as_f64)
                    .filter(|h| {
                        let (least, most) = crate::scenario::WINDOW_HOURS;
                        (least..=most).contains(h)
                    }),
            })
        })
        .collect()
}

impl ManifestInfo {
    pub(super) fn read(dir: &Path) -> Result<ManifestInfo, Error> {
        let path = dir.join(files::MANIFEST);
        let text = crate::output::read_small_json(&path).map_err(|e| {
            Error::Usage(if e.kind() == std::io::ErrorKind::NotFound {
                if dir.join(files::GRID_FILE).is_file() {
                    format!(
                        "{} holds an unfinished sweep or study (grid.json and its cells, no manifest.json): run its command again with --resume to finish it, which draws the charts",
                        dir.display()
                    )
                } else {
                    format!(
                        "{} has no manifest.json: not an output folder of `cutover run`, `compare` or `sweep`",
                        dir.display()
                    )
                }
            } else {
                format!("cannot read {}: {e}", path.display())
            })
        })?;
        let json: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| Error::Usage(format!("{} is not valid JSON: {e}", path.display())))?;
        let grid = json.get("grid");
        let scenario = json
            .get("scenario")
            .or_else(|| grid.and_then(|g| g.get("scenario")))
            .and_then(|s| s.as_str())
            .unwrap_or("cutover")
            .to_string();
        let replications = json
            .get("replications")
            .or_else(|| grid.and_then(|g| g.get("replications")))
            .and_then(|r| r.as_u64());
        let grid_keys = texts(grid.and_then(|g| g.get("keys")), None);
        let info = ManifestInfo {
            scenario,
            replications,
            detail_replication: json.get("detail_replication").and_then(|d| d.as_u64()),
            without_detail: json.get("detail_replication").is_some_and(|d| d.is_null()),
            deadline: json
                .get("deadline")
                .and_then(|d| d.as_str())
                .and_then(|d| d.parse().ok()),
            grid_keys,
            grid_cells: grid
                .and_then(|g| g.get("cells"))
                .and_then(|c| c.as_array())
                .map(Vec::len),
            is_sweep: grid.is_some(),
            phases: recorded_phases(&json),
            is_study: json.get("study").is_some_and(|s| !s.is_null()),
            study_kind: json
                .pointer("/study/kind")
                .and_then(|k| k.as_str())
                .map(str::to_string),
            study_keys: texts(json.pointer("/study/vary"), Some("key")),
            study_constraints: json
                .pointer("/study/constraints")
                .and_then(|c| c.as_array())
                .map_or(0, Vec::len),
            listed: texts(json.get("files"), None),
        };
        let cells = info.is_sweep.then(|| info.grid_cells.unwrap_or(0));
        if let Some(why) = crate::report::precision::record_problem(&json, cells) {
            return Err(Error::Usage(format!(
                "cannot read {}: {why}",
                path.display()
            )));
        }
        let texts = [&info.scenario]
            .into_iter()
            .chain(&info.grid_keys)
            .chain(&info.study_keys)
            .chain(&info.listed)
            .chain(info.phases.iter().flat_map(|p| [&p.key, &p.name]))
            .chain(info.phases.iter().filter_map(|p| p.offset.as_ref()));
        for text in texts {
            if text.len() > MAX_TEXT_BYTES {
                return Err(Error::Usage(format!(
                    "cannot read {}: a name of {} bytes (`{}`), more than the {MAX_TEXT_BYTES} cutover writes",
                    path.display(),
                    text.len(),
                    crate::scenario::abbreviate(text)
                )));
            }
        }
        Ok(info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_to_fractional_days() {
        assert_eq!(parse_time("1970-01-02"), Some(1.0));
        assert_eq!(parse_time("1970-01-01T12:00"), Some(0.5));
        assert_eq!(parse_time("1970-01-01T06:00:00"), Some(0.25));
        assert_eq!(parse_time("1970-01-01T25:00"), None);
        assert_eq!(parse_time("soon"), None);
        assert_eq!(date_of(0.99).to_string(), "1970-01-01");
    }

    /// Cells are held one after another with where each ends: every cell reads back as the csv
    /// crate reads it (quoted commas and line breaks, empty cells, an empty first cell), and a
    /// refusal names the line a row starts on.
    #[test]
    fn cells_read_back_as_written_and_rows_keep_their_lines() {
        let dir = tempfile::tempdir().unwrap();
        let text = "a,b,c\n,x,\n\"1,2\",\"two\nlines\",3\n\"\",,\n4,5,six\n";
        std::fs::write(dir.path().join("t.csv"), text).unwrap();
        let table = Table::read(dir.path(), "t.csv").unwrap();
        let expected = [
            ["", "x", ""],
            ["1,2", "two\nlines", "3"],
            ["", "", ""],
            ["4", "5", "six"],
        ];
        assert_eq!(table.len(), expected.len());
        for (i, row) in expected.iter().enumerate() {
            assert_eq!(table.row(i), row.to_vec(), "row {i}");
        }
        assert_eq!(table.text("b").unwrap(), ["x", "two\nlines", "", "5"]);
        assert_eq!(table.lines, [2, 3, 5, 6]);
        let err = table.numbers("c").unwrap_err().to_string();
        assert!(err.contains("line 6, column 3 (`c`)"), "{err}");
    }

    #[test]
    fn a_missing_column_names_the_file_and_the_column() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.csv"), "x,y\n1,\n").unwrap();
        let table = Table::read(dir.path(), "a.csv").unwrap();
        assert!(table.numbers("y").unwrap()[0].is_nan());
        let err = table.numbers("z").unwrap_err().to_string();
        assert!(err.contains("a.csv") && err.contains("`z`"), "{err}");
        let err = Table::read(dir.path(), "b.csv").err().unwrap().to_string();
        assert!(
            err.contains("b.csv") && err.contains("no such file"),
            "{err}"
        );
    }
}
