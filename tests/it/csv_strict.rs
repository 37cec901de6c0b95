//! Every CSV file that `run`, `compare` and `sweep` write reads back with a strict parser: one
//! header, every row as wide as it, RFC 4180 quoting (writing the rows again gives the same
//! bytes), no `NaN` or `inf` anywhere (a value that does not exist is an empty cell), every number
//! finite, and every date or time ISO 8601.

use std::path::{Path, PathBuf};

use cutover::date::Date;

use crate::common::{SMALL_SCENARIO, assert_success, cutover, temp_dir, write_file};

/// Every `.csv` file under `dir`, sorted.
fn csv_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap().filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|x| x == "csv") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Columns that hold dates or date-times (`missed_blackberry_date` counts tenants).
fn is_time_column(name: &str) -> bool {
    matches!(
        name,
        "date" | "weekend" | "transition_date" | "time" | "start" | "end" | "done"
    ) || (name.ends_with("_date") && !name.starts_with("missed_"))
}

/// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`, a real day and time.
fn is_iso8601(cell: &str) -> bool {
    let (date, time) = match cell.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (cell, None),
    };
    let date_ok = date.len() == 10 && date.parse::<Date>().is_ok();
    let time_ok = time.is_none_or(|t| {
        let b = t.as_bytes();
        t.len() == 5
            && b[2] == b':'
            && t[..2].parse::<u32>().is_ok_and(|h| h < 24)
            && t[3..].parse::<u32>().is_ok_and(|m| m < 60)
    });
    date_ok && time_ok
}

/// Spellings of values that are not numbers, which no two CSV readers agree on.
fn is_not_a_number(cell: &str) -> bool {
    let c = cell
        .trim()
        .trim_start_matches(['+', '-'])
        .to_ascii_lowercase();
    matches!(c.as_str(), "nan" | "inf" | "infinity")
}

/// Reads one file strictly and checks every cell; returns its row count.
fn check_file(path: &Path) -> usize {
    let name = path.display();
    let bytes = std::fs::read(path).unwrap();
    let text = std::str::from_utf8(&bytes).unwrap_or_else(|e| panic!("{name}: not UTF-8: {e}"));
    assert!(!text.starts_with('\u{feff}'), "{name}: a byte order mark");
    assert!(text.ends_with('\n'), "{name}: the last line is not ended");
    assert!(!text.contains('\r'), "{name}: mixed line ends");

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes.as_slice());
    let header = reader
        .headers()
        .unwrap_or_else(|e| panic!("{name}: header: {e}"))
        .clone();
    assert!(!header.is_empty(), "{name}: an empty header");
    for (i, h) in header.iter().enumerate() {
        assert!(!h.is_empty(), "{name}: column {} has no name", i + 1);
        assert!(
            header.iter().filter(|o| *o == h).count() == 1,
            "{name}: column `{h}` twice"
        );
    }
    let records: Vec<csv::StringRecord> = reader
        .records()
        .map(|r| r.unwrap_or_else(|e| panic!("{name}: {e}")))
        .collect();
    for (row, record) in records.iter().enumerate() {
        let line = row + 2;
        assert_eq!(record.len(), header.len(), "{name}:{line}: width");
        for (column, cell) in header.iter().zip(record.iter()) {
            let at = format!("{name}:{line} `{column}` = `{cell}`");
            assert!(!is_not_a_number(cell), "{at}: not a number");
            if is_time_column(column) {
                assert!(cell.is_empty() || is_iso8601(cell), "{at}: not ISO 8601");
            } else if let Ok(x) = cell.parse::<f64>() {
                assert!(x.is_finite(), "{at}: not finite");
            }
        }
    }
    // Writing the rows again with a standard writer (minimal RFC 4180 quoting: fields with a
    // comma, a quote or a line break quoted, quotes doubled) gives the file byte for byte.
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header).unwrap();
    for record in &records {
        writer.write_record(record).unwrap();
    }
    let again = writer.into_inner().unwrap();
    assert!(
        again == bytes,
        "{name}: quoting differs from RFC 4180 minimal quoting"
    );
    records.len()
}

#[test]
fn every_csv_file_reads_back_strictly() {
    let dir = temp_dir();
    let dir = dir.path();
    // A swept list of strings puts commas and quotes into a CSV cell, which must be quoted.
    let grid = format!(
        "{SMALL_SCENARIO}\n[sweep]\n\"population.regions\" = [[\"NA\", \"EMEA\"], [\"NA\"]]\n\"population.region_weights\" = [[1, 1], [1]]\nzip = [[\"population.regions\", \"population.region_weights\"]]\n"
    );
    let grid = write_file(dir, "grid.toml", &grid);
    let small = write_file(dir, "small.toml", SMALL_SCENARIO);
    let runs: [&[&str]; 3] = [
        &["run", &small, "--reps", "2", "--out", "run"],
        &[
            "compare",
            &small,
            "--policies",
            "fifo,smallest-first",
            "--reps",
            "2",
            "--out",
            "compare",
        ],
        &["sweep", &grid, "--reps", "2", "--out", "sweep"],
    ];
    for args in runs {
        // Charts are not CSV, and drawing them is slow in a debug build.
        assert_success(&cutover(dir, &[args, &["--no-charts", "-q"]].concat()));
    }

    let mut files = 0;
    for folder in ["run", "compare", "sweep"] {
        for path in csv_files(&dir.join(folder)) {
            let rows = check_file(&path);
            assert!(rows > 0, "{}: no rows", path.display());
            files += 1;
        }
    }
    assert!(files >= 10, "only {files} CSV files were written");
    let sweep = std::fs::read_to_string(dir.join("sweep/replications.csv")).unwrap();
    assert!(
        sweep.contains("\"[\"\"NA\"\", \"\"EMEA\"\"]\""),
        "the swept list is not quoted as RFC 4180 says:\n{sweep}"
    );
}

#[test]
fn the_checks_catch_what_they_look_for() {
    assert!(is_iso8601("2012-10-31") && is_iso8601("2012-10-31T23:59"));
    for bad in [
        "2012-02-30",
        "31/10/2012",
        "2012-10-31T24:00",
        "2012-10-31 10:00",
        "20121031",
    ] {
        assert!(!is_iso8601(bad), "{bad}");
    }
    for bad in ["NaN", "nan", "inf", "-inf", "+Infinity", "-INF"] {
        assert!(is_not_a_number(bad), "{bad}");
    }
    assert!(!is_not_a_number("info") && !is_not_a_number("0"));
}
