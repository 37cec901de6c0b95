//! The report's words: the question a folder answers, the answer in plain sentences with
//! intervals, the causes behind late tenants, the detail tables, and each chart's caption.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::Value;

use super::Folder;
use super::html::{date_in_words, escape, interval, number, table};
use crate::chart::{FolderKind, MAIN_METRICS, file_safe};
use crate::date::Date;
use crate::error::Error;
use crate::files;

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

/// A percentile of a count, which interpolates between replications, as the count it bounds:
/// "P90 is 12.4" means 9 replications in 10 have at most 12.
fn at_most(p: f64) -> f64 {
    (p + 1e-9).floor()
}

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
        FolderKind::Study => super::studies::title(folder),
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
        FolderKind::Study => html.push_str(&super::studies::question(folder, &reps, &seed)),
        FolderKind::Sensitivity => {
            let _ = write!(
                html,
                "Which settings move the results most, over these ranges: {}? {} design points \
                 ({} method), each run on the same {} replications (seed {}).",
                sensitivity_factors(folder).join(", "),
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
                sensitivity_factors(folder).join(", "),
                escape(&folder.field("observed").unwrap_or_default()),
                escape(&reps),
                escape(&seed)
            );
        }
        FolderKind::Sweep => {
            let keys = folder.list("keys");
            let _ = write!(
                html,
                "How do the results change with {}? Every cell of the grid runs {} replications \
                 (seed {}).",
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
    let overrides: Vec<String> = folder
        .list("overrides")
        .into_iter()
        .filter(|o| !o.starts_with("sweep."))
        .collect();
    if overrides.is_empty() {
        html.push_str("<p>The scenario as written, without overrides.</p>\n");
    } else {
        html.push_str("<p>The scenario with these overrides (<code>--set</code>):</p>\n<ul>\n");
        for o in overrides {
            let _ = writeln!(html, "<li><code>{}</code></li>", escape(&o));
        }
        html.push_str("</ul>\n");
    }
    Ok(html)
}

/// The answer in plain sentences, then the figures behind it.
pub(super) fn answer(folder: &Folder) -> Result<String, Error> {
    match folder.kind {
        FolderKind::Run => run_answer(folder),
        FolderKind::Compare => compare_answer(folder),
        FolderKind::Sweep => sweep_answer(folder),
        FolderKind::Study => Ok(super::studies::answer(folder)),
        FolderKind::Sensitivity => sensitivity_answer(folder),
        FolderKind::Calibration => calibration_answer(folder),
    }
}

/// Each fitted key's value and interval, or that the observations cannot tell its values apart;
/// then whether the fit forecasts the held-out weeks.
fn calibration_answer(folder: &Folder) -> Result<String, Error> {
    use files::calibration as c;
    let t = folder.table(c::FILE)?;
    let (key, identifiable) = (t.text(c::HEADER[0])?, t.text(c::HEADER[4])?);
    let (value, low, high) = (
        t.numbers(c::HEADER[1])?,
        t.numbers(c::HEADER[2])?,
        t.numbers(c::HEADER[3])?,
    );
    let (d, cells) = (t.numbers(c::HEADER[6])?, t.numbers(c::HEADER[7])?);
    let (hd, hcells) = (t.numbers(c::HEADER[8])?, t.numbers(c::HEADER[9])?);
    let mut html = String::from("<h2>The answer</h2>\n<ul class=\"answer\">\n");
    for i in 0..t.len() {
        let line = if identifiable[i] == "true" {
            format!(
                "<code>{}</code> = {} (95% interval {}).",
                escape(key[i]),
                number(value[i]),
                interval(low[i], high[i])
            )
        } else {
            format!(
                "<span class=\"bad\"><code>{}</code> is not identifiable</span>: over its whole \
                 range, {} to {}, the observed columns do not tell its values apart; it was left \
                 as it was.",
                escape(key[i]),
                number(low[i]),
                number(high[i])
            )
        };
        let _ = writeln!(html, "<li>{line}</li>");
    }
    if let (Some(&d), Some(&n)) = (d.first(), cells.first()) {
        let _ = writeln!(
            html,
            "<li>Discrepancy {} over {} fitted values ({} per value; about 1 when the model \
             agrees with the weeks as well as its own replications agree with each other).</li>",
            number(d),
            number(n),
            number(d / n.max(1.0))
        );
    }
    if let (Some(&d), Some(&n)) = (hd.first(), hcells.first())
        && n > 0.0
    {
        let (point, above) = crate::study::calibrate::holdout_verdict(d, n as usize);
        let _ = writeln!(
            html,
            "<li>On the {} held-out values: {} ({} per value), {} {}, the 95% point of \
             chi-square with {} degrees of freedom: {}.</li>",
            number(n),
            number(d),
            number(d / n),
            if above { "above" } else { "under" },
            number(point),
            number(n),
            if above {
                "<span class=\"bad\">the fit does not forecast these weeks</span>"
            } else {
                "the fit forecasts these weeks"
            }
        );
    }
    html.push_str(
        "</ul>\n<p class=\"note\">The calibrated scenario is <code>calibrated.toml</code> in \
         this folder: <code>cutover run</code> it for the forecast.</p>\n",
    );
    Ok(html)
}

/// The varied keys of a sensitivity folder with their ranges, as HTML.
fn sensitivity_factors(folder: &Folder) -> Vec<String> {
    folder
        .manifest
        .get("factors")
        .and_then(|f| f.as_array())
        .map(|factors| {
            factors
                .iter()
                .filter_map(|f| {
                    let key = f.get("key")?.as_str()?;
                    let low = f.get("low")?.as_f64()?;
                    let high = f.get("high")?.as_f64()?;
                    Some(format!(
                        "<code>{}</code> from {} to {}",
                        escape(key),
                        number(low),
                        number(high)
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// For each headline metric, the key with the largest leading index (ST, else mu_star).
fn sensitivity_answer(folder: &Folder) -> Result<String, Error> {
    use files::sensitivity as s;
    let t = folder.table(s::FILE)?;
    let (key, metric, kind) = (t.text(s::KEY)?, t.text(s::METRIC)?, t.text(s::INDEX_KIND)?);
    let (value, low, high) = (
        t.numbers(s::VALUE)?,
        t.numbers(s::CI95_LOW)?,
        t.numbers(s::CI95_HIGH)?,
    );
    let sobol = kind.contains(&crate::study::sensitivity::TOTAL);
    let lead = if sobol {
        crate::study::sensitivity::TOTAL
    } else {
        crate::study::sensitivity::MU_STAR
    };
    let mut html = String::from("<h2>The answer</h2>\n<ul class=\"answer\">\n");
    for (m, _) in MAIN_METRICS {
        let best = (0..t.len())
            .filter(|&i| metric[i] == *m && kind[i] == lead && value[i].is_finite())
            .max_by(|&a, &b| value[a].total_cmp(&value[b]));
        let Some(i) = best else { continue };
        let line = if value[i] == 0.0 {
            format!(
                "{}: no varied key moves it over these ranges.",
                escape(&label(m))
            )
        } else if sobol {
            format!(
                "{}: <code>{}</code> explains the most, {} of the variance with what it does \
                 with the other keys (ST, 95% interval {}).",
                escape(&label(m)),
                escape(key[i]),
                number(value[i]),
                interval(low[i], high[i])
            )
        } else {
            format!(
                "{}: <code>{}</code> moves it most, by {} on average over its range \
                 (mu*, 95% interval {}).",
                escape(&label(m)),
                escape(key[i]),
                number(value[i]),
                interval(low[i], high[i])
            )
        };
        let _ = writeln!(html, "<li>{line}</li>");
    }
    html.push_str(
        "</ul>\n<p class=\"note\">Intervals are bootstrap percentiles over the design's samples; \
         a key whose interval reaches 0 may not matter at all.</p>\n",
    );
    Ok(html)
}

const METHOD: &str = "Mean over replications with its 95% interval (Student t); P50, P90 and P99 \
                      are across replications: in 9 replications of 10 the value is at most P90.";

fn run_answer(folder: &Folder) -> Result<String, Error> {
    let s = summaries(folder, files::summary::FILE, |r, h| cell(r, h, "metric"))?;
    let deadline = date_in_words(&folder.field("deadline").unwrap_or_default());
    let start: Option<Date> = folder.field("start").and_then(|d| d.parse().ok());
    let mut items = Vec::new();
    if let Some(m) = s.get("missed_deadline") {
        items.push(if m.max == 0.0 {
            format!(
                "<span class=\"good\">Every tenant is transitioned by the {deadline} deadline</span> \
                 in every replication."
            )
        } else {
            let p90 = at_most(m.p90);
            format!(
                "<span class=\"bad\">P90: {} the {deadline} deadline</span> \
                 (on average {}, 95% interval {}; at worst {}).",
                if p90 == 1.0 {
                    "1 tenant misses".to_string()
                } else {
                    format!("{} tenants miss", number(p90))
                },
                number(m.mean),
                interval(m.low, m.high),
                number(m.max)
            )
        });
    }
    if let (Some(m), Some(start)) = (s.get("makespan_days"), start)
        && m.p50.is_finite()
        && m.p90.is_finite()
    {
        let on = |days: f64| date_in_words(&start.add_days(days.ceil() as i64).to_string());
        items.push(format!(
            "The last tenant moves by {} in half the replications, by {} in 9 of 10 (P90).",
            on(m.p50),
            on(m.p90)
        ));
    }
    if let Some(m) = s.get("slips") {
        items.push(format!(
            "{} {} (tenants rolled back to a later weekend) per programme on average, 95% \
             interval {}; P90 {}.",
            number(m.mean),
            if number(m.mean) == "1" {
                "slip"
            } else {
                "slips"
            },
            interval(m.low, m.high),
            number(m.p90)
        ));
    }
    if let (Some(q), Some(w)) = (
        s.get("peak_errors_outstanding"),
        s.get("operator_wait_p95_h"),
    ) {
        items.push(format!(
            "Operators: at most {} errors outstanding at once, waiting or being resolved (P90 across \
             replications); 95% of errors are picked up within {} hours (mean of the replications' \
             P95, interval {}).",
            number(at_most(q.p90)),
            number(w.mean),
            interval(w.low, w.high)
        ));
    }
    if let (Some(t), Some(w), Some(l)) = (
        s.get("helpdesk_tickets"),
        s.get("helpdesk_wait_p95_h"),
        s.get("user_hours_lost"),
    ) && t.mean > 0.0
    {
        items.push(format!(
            "Help desk: {} tickets; 95% are resolved within {} hours (interval {}); {} user \
             hours are lost waiting.",
            number(t.mean),
            number(w.mean),
            interval(w.low, w.high),
            number(l.mean)
        ));
    }
    let mut html = String::from("<h2>The answer</h2>\n<ul class=\"answer\">\n");
    for item in items {
        let _ = writeln!(html, "<li>{item}</li>");
    }
    html.push_str("</ul>\n");
    let rows: Vec<Vec<String>> = RUN_METRICS
        .iter()
        .filter_map(|(m, l)| {
            let st = s.get(*m).filter(|st| st.mean.is_finite())?;
            // Users stranded on the old chat client: a row of zeros would speak of a client
            // that a programme without one (every non-BPOS programme) never had.
            if *m == "stranded_users" && st.max == 0.0 {
                return None;
            }
            Some(vec![
                escape(l),
                number(st.mean),
                interval(st.low, st.high),
                number(st.p50),
                number(st.p90),
                number(st.p99),
            ])
        })
        .collect();
    html.push_str(&table(
        &[
            "metric".into(),
            "mean".into(),
            "95% interval".into(),
            "P50".into(),
            "P90".into(),
            "P99".into(),
        ],
        &rows,
    ));
    let _ = writeln!(
        html,
        "<p class=\"note\">{METHOD} Every metric is in <code>summary.csv</code>.</p>"
    );
    Ok(html)
}

/// One row of comparison.csv.
struct Compared {
    policy: String,
    mean: f64,
    low: f64,
    high: f64,
    diff: f64,
    diff_low: f64,
    diff_high: f64,
    significant: bool,
}

fn comparison(folder: &Folder) -> Result<Vec<(String, Compared)>, Error> {
    let t = folder.table(files::comparison::FILE)?;
    let (policy, metric, significant) =
        (t.text("policy")?, t.text("metric")?, t.text("significant")?);
    let n = |c: &str| t.numbers(c);
    let (mean, low, high) = (n("mean")?, n("ci95_low")?, n("ci95_high")?);
    let (diff, dl, dh) = (
        n("diff_vs_baseline")?,
        n("diff_ci95_low")?,
        n("diff_ci95_high")?,
    );
    Ok((0..t.len())
        .map(|i| {
            (
                metric[i].to_string(),
                Compared {
                    policy: policy[i].to_string(),
                    mean: mean[i],
                    low: low[i],
                    high: high[i],
                    diff: diff[i],
                    diff_low: dl[i],
                    diff_high: dh[i],
                    significant: significant[i] == "true",
                },
            )
        })
        .collect())
}

fn compare_answer(folder: &Folder) -> Result<String, Error> {
    let rows = comparison(folder)?;
    let baseline = rows
        .first()
        .map(|(_, c)| c.policy.clone())
        .unwrap_or_default();
    let mut html = String::from("<h2>The answer</h2>\n<ul class=\"answer\">\n");
    for (metric, _) in MAIN_METRICS {
        let of: Vec<&Compared> = rows
            .iter()
            .filter(|(m, c)| m == metric && c.mean.is_finite())
            .map(|(_, c)| c)
            .collect();
        if of.len() < 2 {
            continue;
        }
        let better = |a: &&&Compared, b: &&&Compared| {
            let o = a.mean.total_cmp(&b.mean);
            if more_is_better(metric) {
                o.reverse()
            } else {
                o
            }
        };
        let best = of.iter().min_by(better).expect("two or more");
        let Some(base) = of.iter().find(|c| c.policy == baseline) else {
            continue;
        };
        let what = label(metric);
        let line = if of.iter().all(|c| c.mean == base.mean) {
            format!(
                "{}: {} with every policy.",
                escape(&what),
                number(base.mean)
            )
        } else if best.policy == baseline {
            let worse: Vec<String> = of
                .iter()
                .filter(|c| c.significant)
                .map(|c| format!("<code>{}</code>", escape(&c.policy)))
                .collect();
            if worse.is_empty() {
                format!(
                    "{}: <code>{}</code> is best ({}), and no policy differs from it beyond chance.",
                    escape(&what),
                    escape(&baseline),
                    number(base.mean)
                )
            } else {
                format!(
                    "{}: <code>{}</code> is best ({}); {} are worse beyond chance.",
                    escape(&what),
                    escape(&baseline),
                    number(base.mean),
                    worse.join(", ")
                )
            }
        } else if !best.significant {
            format!(
                "{}: no policy differs from <code>{}</code> ({}) beyond chance (every \
                 Holm-adjusted p-value is 0.05 or more).",
                escape(&what),
                escape(&baseline),
                number(base.mean)
            )
        } else {
            format!(
                "{}: <span class=\"good\"><code>{}</code> is best</span>, {} against {} for \
                 <code>{}</code>: a paired difference of {} (95% interval {}).",
                escape(&what),
                escape(&best.policy),
                number(best.mean),
                number(base.mean),
                escape(&baseline),
                number(best.diff),
                interval(best.diff_low, best.diff_high)
            )
        };
        let _ = writeln!(html, "<li>{line}</li>");
    }
    html.push_str("</ul>\n");
    Ok(html)
}

fn sweep_answer(folder: &Folder) -> Result<String, Error> {
    let keys = folder.list("keys");
    let t = folder.table(files::summary::FILE)?;
    let (metric, mean) = (t.text("metric")?, t.numbers("mean")?);
    let headers = t.headers().to_vec();
    let mut html = String::from("<h2>The answer</h2>\n<ul class=\"answer\">\n");
    for (m, _) in MAIN_METRICS {
        let cells: Vec<(String, f64)> = (0..t.len())
            .filter(|&i| metric[i] == *m && mean[i].is_finite())
            .map(|i| {
                let row = t.row(i);
                let at = keys
                    .iter()
                    .map(|k| format!("{k} = {}", cell(&row, &headers, k)))
                    .collect::<Vec<_>>()
                    .join(", ");
                (at, mean[i])
            })
            .collect();
        let (Some(lo), Some(hi)) = (
            cells.iter().min_by(|a, b| a.1.total_cmp(&b.1)),
            cells.iter().max_by(|a, b| a.1.total_cmp(&b.1)),
        ) else {
            continue;
        };
        let (best, worst) = if more_is_better(m) {
            (hi, lo)
        } else {
            (lo, hi)
        };
        let line = if lo.1 == hi.1 {
            format!("{}: {} in every cell.", escape(&label(m)), number(lo.1))
        } else {
            format!(
                "{}: best {} at {}; worst {} at {}.",
                escape(&label(m)),
                number(best.1),
                escape(&best.0),
                number(worst.1),
                escape(&worst.0)
            )
        };
        let _ = writeln!(html, "<li>{line}</li>");
    }
    html.push_str("</ul>\n<p class=\"note\">Means per cell; the table below gives each with its 95% interval.</p>\n");
    Ok(html)
}

/// Slips and missed deadlines by cause across the replications, from summary.csv's
/// `slips_<cause>` and `missed_<cause>` rows: empty when it has none (an older folder).
fn cause_shares(folder: &Folder) -> Result<String, Error> {
    use crate::model::{MissCause, SlipCause};
    let s = summaries(folder, files::summary::FILE, |r, h| cell(r, h, "metric"))?;
    let shares = |total: &str, prefix: &str, keys: &[&str]| -> Option<String> {
        let total = s.get(total)?.mean;
        let mut parts: Vec<(f64, String)> = keys
            .iter()
            .filter_map(|k| {
                let m = s.get(&format!("{prefix}{k}"))?.mean;
                (m > 0.0).then(|| {
                    let share = if total > 0.0 {
                        format!(" ({:.0}%)", 100.0 * m / total)
                    } else {
                        String::new()
                    };
                    (m, format!("{} {}{share}", k.replace('_', " "), number(m)))
                })
            })
            .collect();
        if parts.is_empty() {
            return None;
        }
        parts.sort_by(|a, b| b.0.total_cmp(&a.0));
        Some(
            parts
                .into_iter()
                .map(|(_, p)| p)
                .collect::<Vec<_>>()
                .join(", "),
        )
    };
    let slip_keys: Vec<&str> = SlipCause::ALL.iter().map(|c| c.key()).collect();
    let miss_keys: Vec<&str> = MissCause::ALL.iter().map(|c| c.key()).collect();
    let mut lines = Vec::new();
    if let Some(p) = shares("slips", "slips_", &slip_keys) {
        lines.push(format!(
            "slips, by what the attempt still had outstanding: {p}"
        ));
    }
    if let Some(p) = shares("missed_deadline", "missed_", &miss_keys) {
        lines.push(format!("tenants that missed the deadline, by why: {p}"));
    }
    if lines.is_empty() {
        return Ok(String::new());
    }
    Ok(format!(
        "<p>Mean per programme over the replications: {}. <span class=\"note\">One cause per \
         slip and per miss (docs/scenario.md, Causes); every cause is a row of \
         <code>summary.csv</code>.</span></p>\n",
        escape(&lines.join("; "))
    ))
}

/// Why tenants were late, from the detail replication's tenants (a run only).
pub(super) fn causes(folder: &Folder) -> Result<String, Error> {
    if folder.kind != FolderKind::Run {
        return Ok(String::new());
    }
    let shares = cause_shares(folder)?;
    if !folder.has(files::tenants::FILE) {
        return Ok(if shares.is_empty() {
            String::new()
        } else {
            format!("<h2>Causes</h2>\n{shares}")
        });
    }
    let t = folder.table(files::tenants::FILE)?;
    let deadline = folder.field("deadline").unwrap_or_default();
    let date = t.text("transition_date")?;
    let slips = t.numbers("slips")?;
    // ISO dates compare as text; no date means never transitioned.
    let late: Vec<usize> = (0..t.len())
        .filter(|&i| date[i].is_empty() || (!deadline.is_empty() && date[i] > deadline.as_str()))
        .collect();
    let slipped: Vec<usize> = (0..t.len()).filter(|&i| slips[i] > 0.0).collect();
    let detail = folder
        .field("detail_replication")
        .unwrap_or_else(|| "0".into());
    let mut html = format!(
        "<h2>Causes</h2>\n{shares}<p>In replication {}, ",
        escape(&detail)
    );
    if late.is_empty() && slipped.is_empty() {
        html.push_str("every tenant transitioned on its first weekend, before the deadline.</p>\n");
        return Ok(html);
    }
    let _ = write!(
        html,
        "{} tenants missed the deadline and {} slipped at least once.",
        late.len(),
        slipped.len()
    );
    let flags: Vec<(&str, &str)> = [
        ("over_quota", "were over their directory quota"),
        ("coexistence", "still coexisted with on-premises mail"),
        ("blackberry", "were on hosted BlackBerry"),
    ]
    .into_iter()
    .filter(|(c, _)| t.has(c))
    .collect();
    let group = if late.is_empty() { &slipped } else { &late };
    let mut said = Vec::new();
    for (column, words) in &flags {
        let values = t.text(column)?;
        let n = group.iter().filter(|&&i| values[i] == "true").count();
        if n > 0 {
            said.push(format!("{n} {words}"));
        }
    }
    if !said.is_empty() {
        let _ = write!(
            html,
            " Of the {} {}, {}.",
            group.len(),
            if late.is_empty() {
                "that slipped"
            } else {
                "late"
            },
            said.join(", ")
        );
    }
    html.push_str("</p>\n");
    // The late tenants, else the most-slipped, largest first.
    let mut shown = group.clone();
    shown.sort_by(|&a, &b| slips[b].total_cmp(&slips[a]).then(a.cmp(&b)));
    shown.truncate(15);
    let mut columns = vec![
        "tenant",
        "region",
        "seats",
        "data_gb",
        "transition_date",
        "final_phase",
        "final_status",
        "slips",
        "errors",
    ];
    columns.extend(flags.iter().map(|(c, _)| *c));
    // The cause of the tenant's last slip and of its miss, where the files record them.
    columns.extend(
        [files::tenants::LAST_SLIP_CAUSE, files::tenants::MISS_CAUSE]
            .into_iter()
            .filter(|c| t.has(c)),
    );
    let headers: Vec<String> = columns.iter().map(|c| c.replace('_', " ")).collect();
    let mut rows = Vec::new();
    for &i in &shown {
        let row = t.row(i);
        rows.push(
            columns
                .iter()
                .map(|c| {
                    let v = cell(&row, t.headers(), c);
                    match *c {
                        "data_gb" => v.parse::<f64>().map_or(v, number),
                        "transition_date" if v.is_empty() => "never".into(),
                        _ => escape(&v),
                    }
                })
                .collect(),
        );
    }
    html.push_str(&table(&headers, &rows));
    let _ = writeln!(
        html,
        "<p class=\"note\">The {} of {} {} with the most slips; every tenant is in <code>tenants.csv</code>.</p>",
        shown.len(),
        group.len(),
        if late.is_empty() {
            "tenants that slipped"
        } else {
            "late tenants"
        }
    );
    Ok(html)
}

/// The figures behind the answer: a comparison's trade-offs, a sweep's cells.
pub(super) fn details(folder: &Folder) -> Result<String, Error> {
    match folder.kind {
        FolderKind::Run => Ok(String::new()),
        FolderKind::Compare => compare_table(folder),
        FolderKind::Sweep => sweep_table(folder),
        FolderKind::Study | FolderKind::Sensitivity | FolderKind::Calibration => Ok(String::new()),
    }
}

fn compare_table(folder: &Folder) -> Result<String, Error> {
    let rows = comparison(folder)?;
    let mut policies: Vec<String> = Vec::new();
    for (_, c) in &rows {
        if !policies.contains(&c.policy) {
            policies.push(c.policy.clone());
        }
    }
    let mut headers = vec!["metric".to_string()];
    headers.extend(policies.iter().cloned());
    let mut body = Vec::new();
    for (metric, _) in MAIN_METRICS {
        let mut line = vec![escape(&label(metric))];
        let mut any = false;
        for p in &policies {
            let c = rows.iter().find(|(m, c)| m == metric && &c.policy == p);
            line.push(c.map_or_else(String::new, |(_, c)| {
                any |= c.mean.is_finite();
                let mut text = format!("{} {}", number(c.mean), interval(c.low, c.high));
                if c.policy != policies[0] && c.diff.is_finite() {
                    let _ = write!(
                        text,
                        "<br><span class=\"{}\">{}{} {}</span>",
                        if c.significant { "bad" } else { "note" },
                        if c.diff > 0.0 { "+" } else { "" },
                        number(c.diff),
                        interval(c.diff_low, c.diff_high)
                    );
                }
                text
            }));
        }
        if any {
            body.push(line);
        }
    }
    let mut html = String::from(
        "<h2>Every policy, metric by metric</h2>\n<p>Each policy's mean with its 95% interval; below it, the paired \
         difference from the baseline with its 95% interval, in colour where it is beyond chance \
         (Holm-adjusted p-value below 0.05 over the whole comparison; an unadjusted interval may \
         exclude 0 without it).</p>\n",
    );
    html.push_str(&table(&headers, &body));
    html.push_str("<p class=\"note\">Every metric is in <code>comparison.csv</code>.</p>\n");
    Ok(html)
}

fn sweep_table(folder: &Folder) -> Result<String, Error> {
    let keys = folder.list("keys");
    let stats = summaries(folder, files::summary::FILE, |row, h| {
        format!("{}|{}", cell(row, h, "cell"), cell(row, h, "metric"))
    })?;
    let t = folder.table(files::summary::FILE)?;
    let cells = t.text("cell")?;
    let mut order: Vec<usize> = Vec::new();
    let mut first_row: HashMap<&str, usize> = HashMap::new();
    for (i, c) in cells.iter().enumerate() {
        if !first_row.contains_key(c) {
            first_row.insert(c, i);
            order.push(i);
        }
    }
    let metrics: Vec<&(&str, &str)> = MAIN_METRICS
        .iter()
        .filter(|(m, _)| {
            cells.iter().any(|c| {
                stats
                    .get(&format!("{c}|{m}"))
                    .is_some_and(|s| s.mean.is_finite())
            })
        })
        .collect();
    let mut headers = vec!["cell".to_string()];
    headers.extend(keys.iter().cloned());
    headers.extend(metrics.iter().map(|(_, l)| (*l).to_string()));
    let mut rows = Vec::new();
    for &i in &order {
        let row = t.row(i);
        let c = cells[i];
        let mut line = vec![escape(c)];
        line.extend(keys.iter().map(|k| escape(&cell(&row, t.headers(), k))));
        for (m, _) in &metrics {
            line.push(
                stats
                    .get(&format!("{c}|{m}"))
                    .map_or_else(String::new, |s| {
                        format!("{}<br>{}", number(s.mean), interval(s.low, s.high))
                    }),
            );
        }
        rows.push(line);
    }
    let mut html =
        String::from("<h2>Every cell</h2>\n<p>Mean per cell, with its 95% interval below.</p>\n");
    html.push_str(&table(&headers, &rows));
    html.push_str(
        "<p class=\"note\">Every metric and percentile is in <code>summary.csv</code>.</p>\n",
    );
    Ok(html)
}

/// Where a chart goes on the page: a run's in story order, a sweep's or comparison's by metric.
pub(super) fn chart_rank(name: &str) -> usize {
    const RUN: [&str; 8] = [
        "completion",
        "causes",
        "phases",
        "weekend",
        "operators",
        "helpdesk",
        "islands",
        "slips",
    ];
    if let Some(i) = RUN.iter().position(|r| *r == name) {
        return i;
    }
    MAIN_METRICS
        .iter()
        .position(|(m, _)| {
            name.strip_prefix("compare_") == Some(m)
                || name.strip_prefix("sensitivity_") == Some(m)
                || name
                    .strip_prefix(m)
                    .is_some_and(|rest| rest.starts_with('_'))
        })
        .map_or(usize::MAX, |i| 100 + i)
}

/// What a chart shows, in a sentence.
pub(super) fn chart_caption(name: &str, folder: &Folder) -> String {
    if name == "weekend" {
        return format!(
            "The busiest weekend: each tenant's {}; tenants that overran or rolled back first.",
            escape(&in_words(&weekend_phases(folder)))
        );
    }
    let fixed = match name {
        "completion" => {
            "Tenants transitioned over the programme: the mean and the P10 to P90 band across \
             replications, against the deadline."
        }
        "phases" => "Tenants in each phase over the programme, in the detail replication.",
        "operators" => {
            "Errors waiting, operators busy and on duty, hour by hour around the busiest weekend."
        }
        "helpdesk" => {
            "Help-desk tickets waiting, agents busy and on duty, in the week after the busiest weekend."
        }
        "islands" => {
            "Shares of contact pairs split across chat islands or broken, by days from the transition."
        }
        "slips" => "Slips (rollbacks) per replication.",
        "causes" => {
            "Why tenants slipped and missed the deadline: the mean per replication of each, cut \
             by cause."
        }
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_string();
    }
    if let Some(column) = name.strip_prefix("calibration_") {
        return format!(
            "{} per week: the calibrated scenario's mean and P10 to P90 band, and the observed \
             weeks (filled: fitted; hollow: held out or not used).",
            escape(&column.replace('_', " "))
        );
    }
    if let Some(metric) = name.strip_prefix("sensitivity_") {
        return format!(
            "{}: each varied key's leading index with its 95% bootstrap interval, largest at \
             the top, and the second index beside it.",
            escape(&label(metric))
        );
    }
    if let Some(metric) = name.strip_prefix("compare_") {
        return format!(
            "{}: each policy's mean with its 95% interval, and the paired difference from the baseline.",
            escape(&label(metric))
        );
    }
    if let Some(metric) = name.strip_suffix("_heatmap") {
        return format!(
            "{}: the mean of each cell of the grid.",
            escape(&label(metric))
        );
    }
    let keys = folder.list("keys");
    for (m, _) in MAIN_METRICS {
        if let Some(key) = name.strip_prefix(&format!("{m}_by_")) {
            // File names spell a dotted key with underscores.
            let key = keys
                .iter()
                .find(|k| file_safe(k) == key)
                .map_or(key, String::as_str);
            return format!(
                "{}: the mean of each cell with its 95% interval, against <code>{}</code>.",
                escape(&label(m)),
                escape(key)
            );
        }
    }
    escape(name)
}

/// The names of the phases spans.csv records (the weekend chart's bars), as the manifest lists
/// them; from a manifest that lists none, the BPOS programme's.
fn weekend_phases(folder: &Folder) -> Vec<String> {
    let recorded: Vec<String> = folder
        .manifest
        .get("phases")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|p| p.get("spans").and_then(Value::as_bool) == Some(true))
        .filter_map(|p| p.get("name").and_then(Value::as_str).map(str::to_string))
        .collect();
    if !recorded.is_empty() {
        return recorded;
    }
    let programme = crate::scenario::bpos_programme();
    programme
        .phases()
        .filter(|&p| programme.span_index(p).is_some())
        .map(|p| programme.name(p).to_string())
        .collect()
}

/// `a`, `a and b`, `a, b and c`.
fn in_words(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
