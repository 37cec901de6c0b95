//! The report's words for a sweep: which cells meet the deadline, and the table of every cell.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::chart::MAIN_METRICS;
use crate::error::Error;
use crate::files;
use crate::report::Folder;
use crate::report::figures::Written;
use crate::report::html::{escape, table};

use super::{cell, label, more_is_better, summaries};

/// For each headline metric, the best and the worst cell on its mean, and whether their
/// intervals overlap (a difference the grid's replications cannot tell from chance).
pub(super) fn answer(folder: &Folder) -> Result<String, Error> {
    let keys = folder.list("keys");
    let stats = summaries(folder, files::summary::FILE, |row, h| {
        format!("{}|{}", cell(row, h, "cell"), cell(row, h, "metric"))
    })?;
    let t = folder.table(files::summary::FILE)?;
    let (metric, mean, id) = (t.text("metric")?, t.numbers("mean")?, t.text("cell")?);
    let headers = t.headers().to_vec();
    let mut html = String::from("<h2>The answer</h2>\n<ul class=\"answer\">\n");
    for (m, _) in MAIN_METRICS {
        let cells: Vec<CellMean> = (0..t.len())
            .filter(|&i| metric[i] == *m && mean[i].is_finite())
            .filter_map(|i| {
                let row = t.row(i);
                let at = keys.iter().map(|k| cell(&row, &headers, k)).collect();
                let s = stats.get(&format!("{}|{m}", id[i]))?;
                Some((at, mean[i], s.written(m, f64::INFINITY), (s.low, s.high)))
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
        // Where several cells share the best (or worst) mean, a key they differ in is not
        // where it is: named as any of their values, never as the one that came first.
        let at = |of: &CellMean| {
            let tied: Vec<&Vec<String>> =
                cells.iter().filter(|c| c.1 == of.1).map(|c| &c.0).collect();
            keys.iter()
                .enumerate()
                .map(|(k, key)| {
                    let mut values: Vec<&str> = Vec::new();
                    for c in &tied {
                        if !values.contains(&c[k].as_str()) {
                            values.push(&c[k]);
                        }
                    }
                    match values.as_slice() {
                        [one] => format!("{key} = {one}"),
                        many => format!("{key} any of {}", many.join(", ")),
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let line = if lo.1 == hi.1 {
            format!("{}: {} in every cell.", escape(&label(m)), lo.2.value)
        } else {
            format!(
                "{}: best {} at {}; worst {} at {}{}.",
                escape(&label(m)),
                best.2.value,
                escape(&at(best)),
                worst.2.value,
                escape(&at(worst)),
                if overlap(lo.3, hi.3) {
                    " (their 95% intervals overlap: the difference may be chance)"
                } else {
                    ""
                }
            )
        };
        let _ = writeln!(html, "<li>{line}</li>");
    }
    html.push_str("</ul>\n<p class=\"note\">Means per cell; the table below gives each with its 95% interval.</p>\n");
    Ok(html)
}

/// A cell's setting (its value of each key), its mean of a metric, that mean as written and its
/// 95% interval.
type CellMean = (Vec<String>, f64, Written, (f64, f64));

/// Whether two intervals share a point. Overlapping 95% intervals do not prove two cells alike,
/// but a difference between them is then not one to plan on without more replications; a cell
/// without an interval (one replication) overlaps nothing known, so it is not said.
fn overlap(a: (f64, f64), b: (f64, f64)) -> bool {
    [a.0, a.1, b.0, b.1].iter().all(|x| x.is_finite()) && a.0 <= b.1 && b.0 <= a.1
}

/// Every cell with its headline means and intervals, in the order of the grid.
pub(super) fn details(folder: &Folder) -> Result<String, Error> {
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
                        let w = s.written(m, f64::INFINITY);
                        format!("{}<br>{}", w.value, w.interval())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_overlap_when_they_share_a_point() {
        assert!(overlap((7.80, 8.05), (7.87, 8.02)));
        assert!(overlap((1.0, 2.0), (2.0, 3.0)));
        assert!(!overlap((1.61, 2.21), (4.71, 8.46)));
        assert!(!overlap((4.71, 8.46), (1.61, 2.21)));
        assert!(!overlap((f64::NAN, f64::NAN), (1.0, 2.0)));
    }
}
