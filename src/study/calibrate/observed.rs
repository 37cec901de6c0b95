//! A programme's observed weeks, in the format of weekly.csv: a `week` column, optionally
//! `week_start`, and any of the counted columns. Every refusal names the file, the line and the
//! column (counted in cells from 1, as a spreadsheet numbers them).

use crate::date::Date;
use crate::error::Error;
use crate::files::weekly as w;
use crate::scenario::abbreviate;

/// The largest count a week may hold: beyond any programme (10 million tenants of a million
/// seats), and small enough that its square, in the discrepancy, stays a number.
const MAX_COUNT: f64 = 1e15;

/// The observations, one row per observed week in week order.
#[derive(Clone, Debug, PartialEq)]
pub struct Observations {
    /// The file, as messages name it.
    pub file: String,
    /// The observed columns, as indices into `files::weekly::COUNTS`, in file order.
    pub columns: Vec<usize>,
    /// Observed weeks, ascending.
    pub weeks: Vec<u32>,
    /// `values[row][j]`: column `columns[j]` in week `weeks[row]`; `None` for an empty cell.
    pub values: Vec<Vec<Option<f64>>>,
    /// The file's line of each row, and the file's column (from 1) of each observed column,
    /// for messages about one value (empty where the observations were not read from a file).
    pub lines: Vec<usize>,
    pub file_columns: Vec<usize>,
}

impl Observations {
    /// Where the value of row `row`, observed column `j`, stands: `file:line:column`.
    pub fn place(&self, row: usize, j: usize) -> String {
        match (self.lines.get(row), self.file_columns.get(j)) {
            (Some(line), Some(column)) => format!("{}:{line}:{column}", self.file),
            _ => self.file.clone(),
        }
    }
}

/// Where a scenario's weeks lie: weekly.csv's rows of a run of it.
#[derive(Clone, Copy, Debug)]
pub struct Calendar {
    pub start: Date,
    /// Weeks of the horizon (the last may be partial).
    pub weeks: u32,
}

/// Parses observations `text`, named `file` in messages, against the scenario's `calendar`.
pub fn parse(text: &str, file: &str, calendar: Calendar) -> Result<Observations, Error> {
    let at = |line: usize, column: Option<usize>, message: String| {
        let place = column.map_or_else(
            || format!("{file}:{line}"),
            |c| format!("{file}:{line}:{c}"),
        );
        Error::Usage(format!("{place}: {message}"))
    };
    if let Some(line) = crate::scenario::unclosed_quote(text.as_bytes(), None) {
        return Err(at(line, None, crate::scenario::UNCLOSED_QUOTE.into()));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| at(1, None, format!("cannot read the header: {e}")))?
        .clone();
    let names: Vec<&str> = header.iter().map(str::trim).collect();
    let known: Vec<&str> = [w::WEEK, w::WEEK_START]
        .into_iter()
        .chain(w::COUNTS)
        .collect();
    let (mut week_at, mut start_at, mut columns, mut cells) = (None, None, Vec::new(), Vec::new());
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            return Err(at(
                1,
                Some(i + 1),
                format!("column `{}` appears twice", abbreviate(name)),
            ));
        }
        match *name {
            w::WEEK => week_at = Some(i),
            w::WEEK_START => start_at = Some(i),
            _ => match w::COUNTS.iter().position(|c| c == name) {
                Some(c) => {
                    columns.push(c);
                    cells.push(i);
                }
                None => {
                    let hint = crate::scenario::nearest(name, &known)
                        .map_or_else(String::new, |n| format!(" (did you mean `{n}`?)"));
                    return Err(at(
                        1,
                        Some(i + 1),
                        format!(
                            "unknown column `{}`{hint}; observations have `week`, optionally `week_start`, and any of {}",
                            abbreviate(name),
                            w::COUNTS.join(", ")
                        ),
                    ));
                }
            },
        }
    }
    let Some(week_at) = week_at else {
        return Err(at(
            1,
            None,
            "no `week` column (weeks from the scenario's calendar start, from 0)".into(),
        ));
    };
    if columns.is_empty() {
        return Err(at(
            1,
            None,
            format!("no observed column: give any of {}", w::COUNTS.join(", ")),
        ));
    }
    let last = calendar.weeks.saturating_sub(1);
    let mut rows: Vec<(u32, usize, Vec<Option<f64>>)> = Vec::new();
    let mut lines = crate::scenario::CsvLines::new(text.as_bytes(), None);
    let mut record = csv::StringRecord::new();
    loop {
        // The line the record starts on, not its count: the reader skips blank lines, and a
        // quoted cell may hold a line break.
        let line = lines.at(reader.position());
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(line, |p| lines.at(p));
                return Err(at(line, None, format!("{e}")));
            }
        }
        let line = record.position().map_or(line, |p| lines.at(p));
        let cell = |j: usize| record.get(j).unwrap_or("").trim();
        let week_text = cell(week_at);
        let week: u32 = week_text.parse().map_err(|_| {
            at(
                line,
                Some(week_at + 1),
                format!(
                    "week `{}` is not a whole number of weeks from 0",
                    abbreviate(week_text)
                ),
            )
        })?;
        if week > last {
            return Err(at(
                line,
                Some(week_at + 1),
                format!(
                    "week {week} is outside the scenario's calendar: weeks 0 to {last}, from {} to {}",
                    calendar.start,
                    calendar.start.add_days(7 * i64::from(last))
                ),
            ));
        }
        // An empty `week_start` is a date not given (a spreadsheet's column with blanks): the
        // week says which it is.
        if let Some(s) = start_at.filter(|&s| !cell(s).is_empty()) {
            let expected = calendar.start.add_days(7 * i64::from(week));
            if cell(s).parse::<Date>().is_err() {
                return Err(at(
                    line,
                    Some(s + 1),
                    format!(
                        "week_start `{}` is not a date (YYYY-MM-DD); week {week} starts on {expected}",
                        abbreviate(cell(s))
                    ),
                ));
            }
            if cell(s) != expected.to_string() {
                return Err(at(
                    line,
                    Some(s + 1),
                    format!(
                        "week_start `{}` is not the start of week {week}, {expected} (weeks start on the calendar's start, {})",
                        abbreviate(cell(s)),
                        calendar.start
                    ),
                ));
            }
        }
        if let Some(&(_, first, _)) = rows.iter().find(|r| r.0 == week) {
            return Err(at(
                line,
                Some(week_at + 1),
                format!("week {week} is observed twice (first on line {first})"),
            ));
        }
        let mut values = Vec::with_capacity(cells.len());
        for (&j, &c) in cells.iter().zip(&columns) {
            let text = cell(j);
            if text.is_empty() {
                values.push(None);
                continue;
            }
            let name = w::COUNTS[c];
            match text.parse::<f64>() {
                Ok(x) if x > MAX_COUNT => {
                    return Err(at(
                        line,
                        Some(j + 1),
                        format!(
                            "{name} {} is more than {MAX_COUNT:e}, more than a week of any programme counts",
                            abbreviate(text)
                        ),
                    ));
                }
                Ok(x) if x.is_finite() && x >= 0.0 => values.push(Some(x)),
                Ok(x) if x < 0.0 => {
                    return Err(at(
                        line,
                        Some(j + 1),
                        format!(
                            "{name} {} is negative: counts are 0 or more",
                            abbreviate(text)
                        ),
                    ));
                }
                _ => {
                    return Err(at(
                        line,
                        Some(j + 1),
                        format!(
                            "{name} `{}` is not a number (leave the cell empty if it was not observed)",
                            abbreviate(text)
                        ),
                    ));
                }
            }
        }
        rows.push((week, line, values));
    }
    if rows.is_empty() {
        return Err(Error::Usage(format!("{file}: no observed week")));
    }
    rows.sort_by_key(|r| r.0);
    Ok(Observations {
        file: file.to_string(),
        columns,
        weeks: rows.iter().map(|r| r.0).collect(),
        lines: rows.iter().map(|r| r.1).collect(),
        values: rows.into_iter().map(|r| r.2).collect(),
        file_columns: cells.iter().map(|j| j + 1).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calendar() -> Calendar {
        Calendar {
            start: Date::from_ymd(2011, 9, 5).unwrap(),
            weeks: 10,
        }
    }

    fn error(text: &str) -> String {
        parse(text, "obs.csv", calendar()).unwrap_err().to_string()
    }

    #[test]
    fn weekly_csv_is_read_in_week_order_with_empty_cells_unobserved() {
        let obs = parse(
            "week,week_start,errors,retries\n1,2011-09-12,2,\n0,2011-09-05,0,3.5\n",
            "obs.csv",
            calendar(),
        )
        .unwrap();
        assert_eq!(obs.weeks, vec![0, 1]);
        assert_eq!(obs.columns, vec![2, 3]);
        assert_eq!(
            obs.values,
            vec![vec![Some(0.0), Some(3.5)], vec![Some(2.0), None]]
        );
        // Each value's place in the file, rows in week order.
        assert_eq!(
            (obs.place(0, 1), obs.place(1, 0)),
            ("obs.csv:3:4".into(), "obs.csv:2:3".into())
        );
    }

    /// A `week_start` column with blanks (a spreadsheet's export) gives no date there: the
    /// week says which it is.
    #[test]
    fn an_empty_week_start_is_a_date_not_given() {
        let obs = parse(
            "week,week_start,errors\n0,,1\n1,2011-09-12,2\n2, ,\n",
            "obs.csv",
            calendar(),
        )
        .unwrap();
        assert_eq!(obs.weeks, vec![0, 1, 2]);
        assert_eq!(
            obs.values,
            vec![vec![Some(1.0)], vec![Some(2.0)], vec![None]]
        );
    }

    #[test]
    fn mistakes_are_located() {
        for (text, expected) in [
            (
                "week,week_start,errors\n0,2011-02-30,1\n",
                "obs.csv:2:2: week_start `2011-02-30` is not a date (YYYY-MM-DD); week 0 starts on 2011-09-05",
            ),
            (
                "week,erors\n0,1\n",
                "obs.csv:1:2: unknown column `erors` (did you mean `errors`?)",
            ),
            ("errors\n1\n", "obs.csv:1: no `week` column"),
            ("week\n0\n", "no observed column"),
            (
                "week,errors\n0,1\n10,2\n",
                "obs.csv:3:1: week 10 is outside the scenario's calendar: weeks 0 to 9",
            ),
            (
                "week,errors\n-1,1\n",
                "obs.csv:2:1: week `-1` is not a whole number",
            ),
            (
                "week,errors,slips\n0,1,-2\n",
                "obs.csv:2:3: slips -2 is negative",
            ),
            (
                "week,errors\n0,x\n",
                "obs.csv:2:2: errors `x` is not a number",
            ),
            (
                "week,week_start,errors\n1,2011-09-05,1\n",
                "obs.csv:2:2: week_start `2011-09-05` is not the start of week 1, 2011-09-12",
            ),
            (
                "week,errors\n0,1\n0,2\n",
                "obs.csv:3:1: week 0 is observed twice (first on line 2)",
            ),
            (
                "week,errors,errors\n0,1,1\n",
                "obs.csv:1:3: column `errors` appears twice",
            ),
            ("week,errors\n0,1,2\n", "obs.csv:2"),
            ("week,errors\n", "obs.csv: no observed week"),
            // Lines are the file's, blank ones and a cell's line breaks counted.
            (
                "week,errors\n\n0,1\n\n1,x\n",
                "obs.csv:5:2: errors `x` is not a number",
            ),
            (
                "week,errors\n0,\"1\n\"\n1,1\n1,2\n",
                "obs.csv:5:1: week 1 is observed twice (first on line 4)",
            ),
        ] {
            let e = error(text);
            assert!(e.contains(expected), "{text:?}: {e}");
        }
    }
}
