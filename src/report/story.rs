//! The report's words: the question a folder answers and the answer in plain sentences with
//! intervals, one module per kind of folder (`run`, `compare`, `sweep`, `sensitivity`,
//! `calibration`, `studies` for `select` and `seek`), with each chart's place and caption
//! (`captions`). Here: the question, the dispatch by kind, and the summary-file helpers they share.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::Folder;
use super::figures::{Written, estimate, number};
use super::html::{date_in_words, escape};
use crate::chart::{FolderKind, MAIN_METRICS};
use crate::error::Error;
use crate::files;
use crate::model::ReplicationMetrics;

mod calibration;
mod captions;
mod compare;
mod run;
mod sensitivity;
mod studies;
mod sweep;

pub(super) use captions::{chart_caption, chart_rank};
pub(super) use compare::tradeoff_rows;
pub(super) use run::causes;
pub(super) use studies::constraints;

/// One metric's line of a summary file.
#[derive(Clone, Copy, Debug)]
struct Stats {
    mean: f64,
    low: f64,
    high: f64,
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
}

impl Stats {
    /// The mean with its interval, written with the digits the interval supports and within
    /// what `metric` can take with `tenants` tenants (infinite when the file does not say).
    fn written(&self, metric: &str, tenants: f64) -> Written {
        estimate(
            self.mean,
            self.low,
            self.high,
            ReplicationMetrics::feasible_range(metric, tenants),
        )
    }
}

/// The metrics a run's answer states, with what they count in words.
const RUN_METRICS: &[(&str, &str)] = &[
    ("missed_deadline", "tenants that miss the deadline"),
    ("transitioned", "tenants transitioned by the end"),
    (
        "makespan_days",
        "days from the start to the last transition",
    ),
    ("slips", "slips (rollbacks)"),
    ("tenants_slipped", "tenants that slipped at least once"),
    ("batches", "weekends with a batch"),
    ("errors", "errors that needed an operator"),
    ("operator_wait_p95_h", "P95 wait for an operator (hours)"),
    (
        "peak_errors_outstanding",
        "most errors outstanding at once (waiting or being resolved)",
    ),
    ("helpdesk_tickets", "help-desk tickets"),
    ("helpdesk_wait_p95_h", "P95 wait for the help desk (hours)"),
    (
        "user_hours_lost",
        "user hours lost waiting for the help desk",
    ),
    ("stranded_users", "users stranded on Communicator 2007"),
];

/// Whether more of a metric is better (only `transitioned`); for the rest, less is.
fn more_is_better(metric: &str) -> bool {
    metric == "transitioned"
}

fn label(metric: &str) -> String {
    MAIN_METRICS
        .iter()
        .chain(RUN_METRICS)
        .find(|(m, _)| *m == metric)
        .map_or_else(|| metric.replace('_', " "), |(_, l)| (*l).to_string())
}

/// A summary file's rows by metric (and, for a sweep, by cell): `key` names the row.
fn summaries(
    folder: &Folder,
    file: &str,
    key: impl Fn(&[&str], &[String]) -> String,
) -> Result<HashMap<String, Stats>, Error> {
    let t = folder.table(file)?;
    let col = |name: &str| t.numbers(name);
    let (mean, low, high) = (col("mean")?, col("ci95_low")?, col("ci95_high")?);
    let (p50, p90, p99, max) = (col("p50")?, col("p90")?, col("p99")?, col("max")?);
    let headers = t.headers().to_vec();
    Ok((0..t.len())
        .map(|i| {
            let row = t.row(i);
            let stats = Stats {
                mean: mean[i],
                low: low[i],
                high: high[i],
                p50: p50[i],
                p90: p90[i],
                p99: p99[i],
                max: max[i],
            };
            (key(&row, &headers), stats)
        })
        .collect())
}

fn cell(row: &[&str], headers: &[String], column: &str) -> String {
    headers
        .iter()
        .position(|h| h == column)
        .and_then(|i| row.get(i))
        .map_or_else(String::new, |c| (*c).to_string())
}

/// The heading and the question: the scenario, its key settings and what was overridden.
pub(super) fn question(folder: &Folder) -> Result<String, Error> {
    let scenario = folder.field("scenario").unwrap_or_default();
    let reps = folder.field("replications").unwrap_or_default();
    let seed = folder.field("seed").unwrap_or_default();
    let mut html = String::new();
    let kind = match folder.kind {
        FolderKind::Run => "simulation report",
        FolderKind::Compare => "batch policies compared",
        FolderKind::Sweep => "parameter sweep",
        FolderKind::Study => studies::title(folder),
        FolderKind::Sensitivity => "sensitivity of the results to the settings",
        FolderKind::Calibration => "calibrated to the observed weeks",
    };
    let _ = writeln!(html, "<h1>{}: {kind}</h1>", escape(&scenario));
    if let Some(d) = folder.field("description").filter(|d| !d.is_empty()) {
        let _ = writeln!(html, "<p class=\"lead\">{}</p>", escape(&d));
    }
    html.push_str("<h2>The question</h2>\n<p>");
    match folder.kind {
        FolderKind::Run => {
            let tenants = summaries(folder, files::summary::FILE, |r, h| cell(r, h, "metric"))?
                .get("tenants")
                .map_or_else(|| "all".into(), |s| number(s.mean));
            let _ = write!(
                html,
                "Are all {tenants} tenants transitioned by the deadline, <b>{}</b>, starting on {}, \
                 with batches chosen by <code>{}</code>? Answered from {} replications of the whole \
                 programme (seed {}).",
                escape(&date_in_words(
                    &folder.field("deadline").unwrap_or_default()
                )),
                escape(&date_in_words(&folder.field("start").unwrap_or_default())),
                escape(&folder.field("policy").unwrap_or_default()),
                escape(&reps),
                escape(&seed)
            );
        }
        FolderKind::Compare => {
            let policies = folder.field("policy").unwrap_or_default();
            let baseline = policies.split(',').next().unwrap_or_default();
            let _ = write!(
                html,
                "Which way of choosing each weekend's tenants serves the programme best: {}? Every \
                 policy runs the same {} replications (seed {}), so each difference is paired \
                 replication by replication; differences are against <code>{}</code>, the first.",
                policies
                    .split(',')
                    .map(|p| format!("<code>{}</code>", escape(p)))
                    .collect::<Vec<_>>()
                    .join(", "),
                escape(&reps),
                escape(&seed),
                escape(baseline)
            );
        }
        FolderKind::Study => html.push_str(&studies::question(folder, &reps, &seed)),
        FolderKind::Sensitivity => {
            let _ = write!(
                html,
                "Which settings move the results most, over these ranges: {}? {} design points \
                 ({} method), each run on the same {} replications (seed {}).",
                sensitivity::factors(folder).join(", "),
                escape(&folder.field("points").unwrap_or_default()),
                escape(&folder.field("method").unwrap_or_default()),
                escape(&reps),
                escape(&seed)
            );
        }
        FolderKind::Calibration => {
            let _ = write!(
                html,
                "Which values of {} make the simulated weekly means agree with the weeks observed in \
                 <code>{}</code>? Every setting tried runs the same {} replications (seed {}).",
                sensitivity::factors(folder).join(", "),
                escape(&folder.field("observed").unwrap_or_default()),
                escape(&reps),
                escape(&seed)
            );
        }
        FolderKind::Sweep => {
            let keys = folder.list("keys");
            // With `--precision` each cell stops on its own, up to the ceiling.
            let up_to = if folder.manifest.get("precision").is_some() {
                "up to "
            } else {
                ""
            };
            let _ = write!(
                html,
                "How do the results change with {}? Every cell of the grid runs {up_to}{} \
                 replications (seed {}).",
                keys.iter()
                    .map(|k| format!("<code>{}</code>", escape(k)))
                    .collect::<Vec<_>>()
                    .join(" and "),
                escape(&reps),
                escape(&seed)
            );
        }
    }
    html.push_str("</p>\n");
    html.push_str(&precision(folder));
    // The grid's axes, given by `--set sweep.KEY=[...]`, are named in the question above.
    let (grid, overrides): (Vec<String>, Vec<String>) = folder
        .list("overrides")
        .into_iter()
        .partition(|o| o.starts_with("sweep."));
    if overrides.is_empty() && grid.is_empty() {
        html.push_str("<p>The scenario as written, without overrides.</p>\n");
    } else if overrides.is_empty() {
        html.push_str(
            "<p>The scenario as written, its grid set on the command line (<code>--set \
             sweep.</code>&hellip;) and nothing else overridden.</p>\n",
        );
    } else {
        html.push_str("<p>The scenario with these overrides (<code>--set</code>):</p>\n<ul>\n");
        for o in overrides {
            let _ = writeln!(html, "<li><code>{}</code></li>", escape(&o));
        }
        html.push_str("</ul>\n");
    }
    Ok(html)
}

/// With `--precision`, how many replications its targets took and whether each was met, in
/// the screen's words: a target the ceiling cut short is said in red, never hidden.
fn precision(folder: &Folder) -> String {
    let (targets, ceiling) = super::precision::cells_met(&folder.manifest);
    if !targets.is_empty() {
        return sweep_precision(folder, &targets, ceiling);
    }
    let checks = super::precision::checks(&folder.manifest);
    if checks.is_empty() {
        return String::new();
    }
    let ceiling = folder
        .manifest
        .get("precision")
        .and_then(|p| p.get("ceiling"))
        .and_then(serde_json::Value::as_u64)
        .map_or_else(String::new, |c| {
            format!(", up to {c} (<code>--reps</code>)")
        });
    let mut html = format!(
        "<p>Replications were run in stages until each <code>--precision</code> target (the \
         95% interval's half-width as a share of the mean) was met{ceiling}:</p>\n<ul>\n"
    );
    for c in &checks {
        let line = escape(&super::precision::line(c));
        if c.met {
            let _ = writeln!(html, "<li>{line}</li>");
        } else {
            let _ = writeln!(html, "<li class=\"bad\">{line}</li>");
        }
    }
    html.push_str("</ul>\n");
    html
}

/// A sweep's `--precision` targets: in how many cells each was met, the cells that reached the
/// ceiling without it said in red.
fn sweep_precision(folder: &Folder, targets: &[crate::output::CellsMet], ceiling: u64) -> String {
    let cells = folder
        .manifest
        .pointer("/grid/cells")
        .and_then(serde_json::Value::as_array)
        .map_or(0, Vec::len);
    let mut html = format!(
        "<p>Each cell ran replications in stages until each <code>--precision</code> target (the \
         95% interval's half-width as a share of the mean) was met, up to {ceiling} \
         (<code>--reps</code>); <code>cell_replications</code> in the manifest gives how many \
         each used:</p>\n<ul>\n"
    );
    for t in targets {
        let line = escape(&super::precision::cells_line(t, cells, ceiling));
        let class = if t.cells_not_met.is_empty() {
            ""
        } else {
            " class=\"bad\""
        };
        let _ = writeln!(html, "<li{class}>{line}</li>");
    }
    html.push_str("</ul>\n");
    html
}

/// The answer in plain sentences, then the figures behind it.
pub(super) fn answer(folder: &Folder) -> Result<String, Error> {
    match folder.kind {
        FolderKind::Run => run::answer(folder),
        FolderKind::Compare => compare::answer(folder),
        FolderKind::Sweep => sweep::answer(folder),
        FolderKind::Study => studies::answer(folder),
        FolderKind::Sensitivity => sensitivity::answer(folder),
        FolderKind::Calibration => calibration::answer(folder),
    }
}

/// The figures behind the answer: a comparison's trade-offs, a sweep's cells.
pub(super) fn details(folder: &Folder) -> Result<String, Error> {
    match folder.kind {
        FolderKind::Run => Ok(String::new()),
        FolderKind::Compare => compare::details(folder),
        FolderKind::Sweep => sweep::details(folder),
        FolderKind::Study | FolderKind::Sensitivity | FolderKind::Calibration => Ok(String::new()),
    }
}

/// `a`, `a and b`, `a, b and c`.
fn in_words(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
