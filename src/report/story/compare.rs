//! The report's words for a comparison of batch policies: the paired differences in words, and
//! the table of every policy's trade-offs.

use std::fmt::Write as _;

use crate::chart::MAIN_METRICS;
use crate::error::Error;
use crate::files;
use crate::model::ReplicationMetrics;
use crate::report::Folder;
use crate::report::figures::{ANY, Written, estimate};
use crate::report::html::{escape, table};

use super::{label, more_is_better};

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

impl Compared {
    /// The policy's mean with its interval, within what `metric` can take.
    fn mean(&self, metric: &str) -> Written {
        estimate(
            self.mean,
            self.low,
            self.high,
            ReplicationMetrics::feasible_range(metric, f64::INFINITY),
        )
    }

    /// The paired difference from the baseline with its interval (of either sign).
    fn diff(&self) -> Written {
        estimate(self.diff, self.diff_low, self.diff_high, ANY)
    }
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

/// For each headline metric, the best policy on its mean and how far the others are from it.
pub(super) fn answer(folder: &Folder) -> Result<String, Error> {
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
                base.mean(metric).value
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
                    base.mean(metric).value
                )
            } else {
                format!(
                    "{}: <code>{}</code> is best ({}); {} are worse beyond chance.",
                    escape(&what),
                    escape(&baseline),
                    base.mean(metric).value,
                    worse.join(", ")
                )
            }
        } else if !best.significant {
            format!(
                "{}: no policy differs from <code>{}</code> ({}) beyond chance (every \
                 Holm-adjusted p-value is 0.05 or more).",
                escape(&what),
                escape(&baseline),
                base.mean(metric).value
            )
        } else {
            format!(
                "{}: <span class=\"good\"><code>{}</code> is best</span>, {} against {} for \
                 <code>{}</code>: a paired difference of {} (95% interval {}).",
                escape(&what),
                escape(&best.policy),
                best.mean(metric).value,
                base.mean(metric).value,
                escape(&baseline),
                best.diff().value,
                best.diff().interval()
            )
        };
        let _ = writeln!(html, "<li>{line}</li>");
    }
    html.push_str("</ul>\n");
    Ok(html)
}

/// Every headline metric of every policy in one table, a column per policy.
pub(super) fn details(folder: &Folder) -> Result<String, Error> {
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
                let mut text = c.mean(metric).with_interval();
                if c.policy != policies[0] && c.diff.is_finite() {
                    let d = c.diff();
                    let _ = write!(
                        text,
                        "<br><span class=\"{}\">{} {}</span>",
                        if c.significant { "bad" } else { "note" },
                        d.signed(),
                        d.interval()
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
