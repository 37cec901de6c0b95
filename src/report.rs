//! `report.html`: one self-contained page that tells an output folder's story to a planner, the
//! question (scenario, key settings, overrides), the answer in plain words with intervals, the
//! charts inline as SVG, the causes, the trade-offs of a comparison, and the manifest at the foot.
//!
//! Like the charts, it is assembled only from the folder's files (never from simulation state),
//! so `cutover plot DIR` rebuilds it, and it cannot disagree with them. The page has no script and
//! loads nothing: it opens the same from a file share or an e-mail attachment, and prints.
//! Sections keyed on a file (`FILE_SECTIONS`) appear when their file is present, so a command
//! that writes a new file adds its section in one entry.

pub(crate) mod figures;
mod html;
pub(crate) mod precision;
mod story;

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::chart::{FolderKind, Table, folder_kind};
use crate::error::Error;
use crate::files;
use html::{escape, page, table};

/// Most rows a file section shows; the file has them all.
const MAX_ROWS: usize = 60;

/// A section drawn from one file of the folder, shown as a table when the file is present.
struct FileSection {
    file: &'static str,
    title: &'static str,
    /// What the table says, in a sentence.
    intro: &'static str,
    /// Its first rows as people read them.
    rows: RowWriter,
}

/// Writes the first `count` rows of a file section's table for people, in HTML: every number
/// by `figures`, in the digits its interval supports where the folder has one.
type RowWriter = fn(&Folder, &Table, usize) -> Result<Vec<Vec<String>>, Error>;

/// Sections that appear when their file is present, in page order, after the charts.
const FILE_SECTIONS: &[FileSection] = &[
    FileSection {
        file: files::calibration::FILE,
        title: "Every fitted key",
        intro: "For each fitted key: its value, its 95% interval from the curvature of the \
            discrepancy, whether the observed weeks identify it, how much the discrepancy rises \
            over its range, and the discrepancy over the fitted and the held-out values.",
        rows: readable_rows,
    },
    FileSection {
        file: files::sensitivity::FILE,
        title: "Every index",
        intro: "For each varied key and headline metric: the index (mu_star and sigma for Morris, \
            ST and S1 for Sobol') with its 95% bootstrap interval.",
        rows: readable_rows,
    },
    FileSection {
        file: files::selection::FILE,
        title: "Selection",
        intro: "Each policy's replications and mean, when it was eliminated, and the one selected.",
        rows: readable_rows,
    },
    FileSection {
        file: files::seek::FILE,
        title: "Every setting evaluated",
        intro: "Each setting in the order it was tried, with its cost, replications and each \
            constraint's estimate, one-sided bound and verdict.",
        rows: readable_rows,
    },
    FileSection {
        file: files::tradeoffs::FILE,
        title: "Trade-offs and dominated policies",
        intro: "For each policy and metric: which way is better, its mean beside the baseline's, the \
            difference with its Holm-adjusted p-value, and whether another policy dominates it: \
            significantly better on at least one of these metrics and significantly worse on \
            none (paired t-tests over the common replications, Holm-adjusted, 5%).",
        // tradeoffs.csv has no intervals: its means take comparison.csv's.
        rows: story::tradeoff_rows,
    },
];

/// The folder being reported on: where it is, what kind, and its manifest.
pub(crate) struct Folder<'a> {
    pub dir: &'a Path,
    pub kind: FolderKind,
    pub manifest: Value,
}

impl Folder<'_> {
    /// A top-level text field of the manifest, or of its grid for a sweep.
    pub fn field(&self, key: &str) -> Option<String> {
        let value = self
            .manifest
            .get(key)
            .or_else(|| self.manifest.get("grid").and_then(|g| g.get(key)))?;
        match value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// A list of texts in the manifest (or its grid), empty if absent.
    pub fn list(&self, key: &str) -> Vec<String> {
        self.manifest
            .get(key)
            .or_else(|| self.manifest.get("grid").and_then(|g| g.get(key)))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn has(&self, file: &str) -> bool {
        self.dir.join(file).is_file()
    }

    pub fn table(&self, file: &str) -> Result<Table, Error> {
        Table::read(self.dir, file)
    }
}

/// The report of an output folder, as HTML, with the SVGs among `charts` inline: the chart files
/// the command has just drawn (into its staging folder, see `output::Staging`), which the caller
/// puts in place with the report.
pub fn build(dir: &Path, charts: &[PathBuf]) -> Result<String, Error> {
    let kind = folder_kind(dir)?;
    let path = dir.join(files::MANIFEST);
    let text = crate::output::read_small_json(&path)
        .map_err(|e| Error::Usage(format!("cannot read {}: {e}", path.display())))?;
    let manifest: Value = serde_json::from_str(&text)
        .map_err(|e| Error::Usage(format!("{} is not valid JSON: {e}", path.display())))?;
    let folder = Folder {
        dir,
        kind,
        manifest,
    };
    let scenario = folder.field("scenario").unwrap_or_else(|| "cutover".into());
    let mut body = String::new();
    body.push_str(&story::question(&folder)?);
    body.push_str(&story::answer(&folder)?);
    body.push_str(&inline_charts(&folder, charts)?);
    body.push_str(&story::causes(&folder)?);
    body.push_str(&story::details(&folder)?);
    for section in FILE_SECTIONS {
        if folder.has(section.file) {
            body.push_str(&file_section(&folder, section)?);
        }
    }
    body.push_str(&footer(&folder));
    let what = match kind {
        FolderKind::Run => "run",
        FolderKind::Compare => "policy comparison",
        FolderKind::Sweep => "sweep",
        FolderKind::Study => "study",
        FolderKind::Sensitivity => "sensitivity",
        FolderKind::Calibration => "calibration",
    };
    Ok(page(&format!("{scenario}: {what} report"), &body))
}

/// The SVG charts among `drawn`, inline, in the order the command draws them, each captioned.
///
/// Only what cutover has just drawn: any other file in `charts/` (one left there, or planted in a
/// folder given to `plot`) could hold a script, and the page promises none.
fn inline_charts(folder: &Folder, drawn: &[PathBuf]) -> Result<String, Error> {
    let mut names: Vec<(String, &Path)> = drawn
        .iter()
        .filter_map(|path| Some((path.file_name()?.to_str()?.strip_suffix(".svg")?, path)))
        .map(|(name, path)| (name.to_string(), path.as_path()))
        .collect();
    if names.is_empty() && folder.kind == FolderKind::Study {
        // select and seek draw none: their table is the figure.
        return Ok(String::new());
    }
    let mut html = String::from("<h2>Charts</h2>\n");
    if names.is_empty() && folder.kind == FolderKind::Run && !folder.has(files::timeseries::FILE) {
        html.push_str(
            "<p class=\"note\">No charts: this run kept no records of one replication \
             (<code>--detail none</code>).</p>\n",
        );
        return Ok(html);
    }
    if names.is_empty() {
        html.push_str(
            "<p class=\"note\">No charts in this folder (drawn with <code>--no-charts</code>?): \
             <code>cutover plot DIR</code> draws them and rebuilds this report.</p>\n",
        );
        return Ok(html);
    }
    names.sort_by_key(|(n, _)| (story::chart_rank(n), n.clone()));
    for (name, path) in names {
        // Named where the chart is to be: it was drawn aside, in a folder gone once this stops.
        let shown = folder
            .dir
            .join(files::CHARTS_DIR)
            .join(path.file_name().unwrap_or_default());
        let svg = crate::output::read_small(path).map_err(|e| {
            Error::Usage(format!(
                "cannot put chart {} in the report: {e}",
                shown.display()
            ))
        })?;
        let start = svg
            .find("<svg")
            .ok_or_else(|| Error::Usage(format!("{} is not an SVG image", shown.display())))?;
        html.push_str(&format!(
            "<figure id=\"chart-{id}\" class=\"chart\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
            svg[start..].trim_end(),
            story::chart_caption(&name, folder),
            id = escape(&name),
        ));
    }
    Ok(html)
}

/// A file's section: its table, at most `MAX_ROWS` rows.
fn file_section(folder: &Folder, section: &FileSection) -> Result<String, Error> {
    let t = folder.table(section.file)?;
    let rows = (section.rows)(folder, &t, t.len().min(MAX_ROWS))?;
    let mut html = format!(
        "<h2>{}</h2>\n<p>{} <span class=\"note\">From <code>{}</code>",
        escape(section.title),
        escape(section.intro),
        escape(section.file)
    );
    if t.len() > MAX_ROWS {
        html.push_str(&format!("; the first {MAX_ROWS} of {} rows", t.len()));
    }
    html.push_str(
        ", its numbers to the digits they support (the file keeps every digit).</span></p>\n",
    );
    html.push_str(&table(t.headers(), &rows));
    Ok(html)
}

/// The first `count` rows of a file, each by `readable_row`, against the constraints of a seek.
fn readable_rows(folder: &Folder, t: &Table, count: usize) -> Result<Vec<Vec<String>>, Error> {
    let constraints = folder
        .manifest
        .get("study")
        .map(story::constraints)
        .unwrap_or_default();
    Ok((0..count)
        .map(|i| readable_row(t.headers(), &t.row(i), &constraints))
        .collect())
}

/// A file's row as people read it, in HTML: an estimate with its interval (`value`, `ci95_low`,
/// `ci95_high`) in the digits the interval supports, or, with no value (a key not identifiable),
/// the range's ends as given; a seek constraint's estimate and bound (`constraintN_estimate`,
/// `constraintN_bound`) as the answer writes them, against the `constraints` of the manifest;
/// any other number with a fraction in three significant digits; text and whole numbers as the
/// file has them. The file keeps every digit.
fn readable_row(headers: &[String], row: &[&str], constraints: &[String]) -> Vec<String> {
    let at = |name: &str| headers.iter().position(|h| h == name);
    let num = |j: usize| row.get(j).and_then(|c| c.parse::<f64>().ok());
    let mut out: Vec<Option<String>> = vec![None; row.len()];
    if let (Some(v), Some(l), Some(h)) = (at("value"), at("ci95_low"), at("ci95_high"))
        && let (Some(low), Some(high)) = (num(l), num(h))
    {
        match num(v) {
            Some(value) => {
                let w = figures::estimate(value, low, high, figures::ANY);
                (out[v], out[l], out[h]) = (Some(w.value), Some(w.low), Some(w.high));
            }
            None => (out[l], out[h]) = (Some(figures::setting(low)), Some(figures::setting(high))),
        }
    }
    for (i, text) in constraints.iter().enumerate() {
        let column = |what: &str| at(&files::seek::constraint_column(i + 1, what));
        let (Some(e), Some(b)) = (column(files::seek::ESTIMATE), column(files::seek::BOUND)) else {
            continue;
        };
        if let (Ok(c), Some(estimate), Some(bound)) =
            (crate::study::seek::parse_require(text), num(e), num(b))
        {
            let (estimate, bound) = figures::constraint(&c, estimate, bound);
            (out[e], out[b]) = (Some(estimate), Some(bound));
        }
    }
    row.iter()
        .zip(out)
        .enumerate()
        .map(|(j, (cell, done))| {
            done.unwrap_or_else(|| match num(j) {
                Some(x) if cell.contains('.') => figures::number(x),
                _ => escape(cell),
            })
        })
        .collect()
}

/// The manifest at the foot: what produced the folder, so it can be traced and reproduced.
fn footer(folder: &Folder) -> String {
    let mut items = Vec::new();
    let mut add = |key: &str, value: String| items.push((key.to_string(), value));
    for key in [
        "version",
        "scenario",
        "scenario_sha256",
        "policy",
        "seed",
        "start",
        "deadline",
        "replications",
        "detail_replication",
        "threads",
        "events",
        "wall_seconds",
    ] {
        if let Some(v) = folder.field(key) {
            add(key, v);
        }
    }
    let overrides = folder.list("overrides");
    add(
        "overrides",
        if overrides.is_empty() {
            "none".into()
        } else {
            overrides.join("  ")
        },
    );
    let command = folder.list("command");
    if !command.is_empty() {
        add("command", command.join(" "));
    }
    let mut html = String::from(
        "<footer>\n<h2>Manifest</h2>\n<p class=\"note\">From <code>manifest.json</code>: \
         the same version, scenario (by its hash), overrides and seed give the same results \
         to the byte.</p>\n<dl class=\"manifest\">\n",
    );
    for (k, v) in items {
        html.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", escape(&k), escape(&v)));
    }
    html.push_str("</dl>\n</footer>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(headers: &[&str], cells: &[&str], constraints: &[&str]) -> Vec<String> {
        let strings = |t: &[&str]| t.iter().map(|h| h.to_string()).collect::<Vec<_>>();
        readable_row(&strings(headers), cells, &strings(constraints))
    }

    #[test]
    fn a_file_row_is_written_with_the_digits_it_supports() {
        assert_eq!(
            row(
                &files::sensitivity::HEADER,
                &[
                    "a<b",
                    "errors",
                    "sigma",
                    "13.324429",
                    "1.650394",
                    "25.317304"
                ],
                &[]
            ),
            ["a&lt;b", "errors", "sigma", "13", "2", "25"]
        );
        // The first columns of calibration.csv: its fit's columns are numbers like `rise`.
        let calibration = &files::calibration::HEADER[..6];
        assert_eq!(
            row(
                calibration,
                &["k", "0.034369", "0.024417", "0.04432", "true", "193.804269"],
                &[]
            ),
            ["k", "0.034", "0.024", "0.044", "true", "194"]
        );
        // Not identifiable: no value, the whole range as given.
        assert_eq!(
            row(calibration, &["k", "", "0.001", "0.5", "false", "0"], &[]),
            ["k", "", "0.001", "0.5", "false", "0"]
        );
        // A seek bound against its threshold; whole numbers and verdicts as they are.
        let seek = [
            "setting",
            "cost",
            "replications",
            "constraint1_estimate",
            "constraint1_bound",
            "constraint1_verdict",
        ];
        assert_eq!(
            row(
                &seek,
                &["0", "1500", "10", "44", "48.004123", "failed"],
                &["mean(slips) <= 48"]
            ),
            ["0", "1500", "10", "44.000", "48.004", "failed"]
        );
        assert_eq!(
            row(&["mean", "p_holm"], &["0.333333", "0.010333"], &[]),
            ["0.333", "0.0103"]
        );
    }
}
