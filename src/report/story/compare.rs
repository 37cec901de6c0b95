//! The report's words for a comparison of batch policies: the paired differences in words, and
//! the table of every policy's trade-offs.

use std::fmt::Write as _;

use crate::chart::{MAIN_METRICS, Table};
use crate::error::Error;
use crate::files;
use crate::model::ReplicationMetrics;
use crate::report::figures::{ANY, Written, estimate};
use crate::report::html::{escape, table};
use crate::report::{Folder, readable_row};

use super::{in_words, label, more_is_better};

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
    use files::comparison as f;
    let t = folder.table(f::FILE)?;
    let (policy, metric, significant) = (
        t.text(f::POLICY)?,
        t.text(f::METRIC)?,
        t.text(f::SIGNIFICANT)?,
    );
    let n = |c: &str| t.numbers(c);
    let (mean, low, high) = (n(f::MEAN)?, n(f::CI95_LOW)?, n(f::CI95_HIGH)?);
    let (diff, dl, dh) = (
        n(f::DIFF_VS_BASELINE)?,
        n(f::DIFF_CI95_LOW)?,
        n(f::DIFF_CI95_HIGH)?,
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
        if let Some(line) = verdict(metric, &baseline, &of) {
            let _ = writeln!(html, "<li>{line}</li>");
        }
    }
    for line in dominated(folder)? {
        let _ = writeln!(html, "<li>{line}</li>");
    }
    html.push_str("</ul>\n");
    Ok(html)
}

/// A sentence for each policy tradeoffs.csv finds dominated, naming the policies that dominate
/// it: the planner can drop it whatever weight they give each outcome.
fn dominated(folder: &Folder) -> Result<Vec<String>, Error> {
    use files::tradeoffs as f;
    if !folder.has(f::FILE) {
        return Ok(Vec::new());
    }
    let t = folder.table(f::FILE)?;
    if !t.has(f::DOMINATED) || !t.has(f::DOMINATED_BY) {
        return Ok(Vec::new());
    }
    let (policy, dominated, by) = (
        t.text(f::POLICY)?,
        t.text(f::DOMINATED)?,
        t.text(f::DOMINATED_BY)?,
    );
    let mut said: Vec<&str> = Vec::new();
    let mut lines = Vec::new();
    for i in 0..t.len() {
        if dominated[i] != "true" || said.contains(&policy[i]) {
            continue;
        }
        said.push(policy[i]);
        let names: Vec<&str> = by[i].split(';').filter(|p| !p.is_empty()).collect();
        // Only a policy of this comparison can dominate one of its policies: another name is a
        // file edited by hand, not a finding to report.
        if let Some(stranger) = names.iter().find(|p| !policy.contains(p)) {
            let problem = format!(
                "`{}` is not a policy of this comparison",
                crate::scenario::abbreviate(&crate::scenario::escape_unprintable(stranger, &[]))
            );
            return Err(t.refused_row(i, f::DOMINATED_BY, &problem));
        }
        let by: Vec<String> = names
            .iter()
            .map(|p| format!("<code>{}</code>", escape(p)))
            .collect();
        if by.is_empty() {
            continue;
        }
        lines.push(format!(
            "<span class=\"bad\"><code>{}</code> is dominated</span> by {}: worse beyond chance \
             on at least one of the outcomes in the trade-offs table and better on none.",
            escape(policy[i]),
            in_words(&by)
        ));
    }
    Ok(lines)
}

/// One metric's answer, as HTML: the best policy on its mean, and which differ from the baseline
/// beyond chance (Holm-adjusted), better or worse; `None` without a baseline and another policy.
fn verdict(metric: &str, baseline: &str, of: &[&Compared]) -> Option<String> {
    if of.len() < 2 {
        return None;
    }
    let base = of.iter().find(|c| c.policy == baseline)?;
    let ahead = |a: &&&Compared, b: &&&Compared| {
        let o = a.mean.total_cmp(&b.mean);
        if more_is_better(metric) {
            o.reverse()
        } else {
            o
        }
    };
    let best = of.iter().min_by(ahead).expect("two or more");
    // Policies with exactly the best mean share it: named together, never the first alone.
    let leaders: Vec<String> = of
        .iter()
        .filter(|c| c.mean == best.mean)
        .map(|c| format!("<code>{}</code>", escape(&c.policy)))
        .collect();
    let lead = |one: String| {
        if leaders.len() > 1 {
            format!("{} share the best mean", in_words(&leaders))
        } else {
            one
        }
    };
    // A difference is this policy minus the baseline: which sign is better depends on the metric.
    let better_than_base = |c: &Compared| (c.diff > 0.0) == more_is_better(metric);
    // Each policy beyond chance with its paired difference from the baseline, so the answer
    // says by how much as well as which way.
    let named = |better: bool| -> Vec<String> {
        of.iter()
            .filter(|c| c.significant && c.diff != 0.0 && better_than_base(c) == better)
            .map(|c| {
                let d = c.diff();
                format!(
                    "<code>{}</code> (paired difference {}, 95% interval {})",
                    escape(&c.policy),
                    d.signed(),
                    d.interval()
                )
            })
            .collect()
    };
    let (better, worse) = (named(true), named(false));
    let are = |names: &[String]| if names.len() == 1 { "is" } else { "are" };
    let what = escape(&label(metric));
    let base_mean = base.mean(metric).value;
    let baseline = escape(baseline);
    Some(if of.iter().all(|c| c.mean == base.mean) {
        format!("{what}: {base_mean} with every policy.")
    } else if best.policy == base.policy {
        let best_is = lead(format!("<code>{baseline}</code> is best"));
        if worse.is_empty() {
            format!(
                "{what}: {best_is} ({base_mean}), and no policy differs from \
                 <code>{baseline}</code> beyond chance."
            )
        } else {
            format!(
                "{what}: {best_is} ({base_mean}); {} {} worse beyond chance.",
                in_words(&worse),
                are(&worse)
            )
        }
    } else if best.significant {
        format!(
            "{what}: <span class=\"good\">{}</span>, {} against {base_mean} for \
             <code>{baseline}</code>: a paired difference of {} (95% interval {}).",
            lead(format!("<code>{}</code> is best", escape(&best.policy))),
            best.mean(metric).value,
            best.diff().value,
            best.diff().interval()
        )
    } else if !better.is_empty() {
        // The best mean is within chance of the baseline, yet another policy is beyond it.
        format!(
            "{what}: {} ({}), within chance of <code>{baseline}</code> ({base_mean}); {} {} \
             better than <code>{baseline}</code> beyond chance.",
            lead(format!(
                "<code>{}</code> has the best mean",
                escape(&best.policy)
            )),
            best.mean(metric).value,
            in_words(&better),
            are(&better)
        )
    } else if worse.is_empty() {
        format!(
            "{what}: no policy differs from <code>{baseline}</code> ({base_mean}) beyond chance \
             (every Holm-adjusted p-value is 0.05 or more)."
        )
    } else {
        format!(
            "{what}: no policy is better than <code>{baseline}</code> ({base_mean}) beyond \
             chance; {} {} worse beyond chance.",
            in_words(&worse),
            are(&worse)
        )
    })
}

/// The first `count` rows of tradeoffs.csv as people read them. The file has no intervals, so
/// each mean is written in the digits of its interval in comparison.csv (the baseline's mean in
/// the baseline's, the difference in the paired difference's), as the table of every policy
/// writes the same figures: never a lone `1,254` beneath a `1,250 [1,060, 1,450]`. The rest as
/// any file section's.
pub(in crate::report) fn tradeoff_rows(
    folder: &Folder,
    t: &Table,
    count: usize,
) -> Result<Vec<Vec<String>>, Error> {
    use files::tradeoffs as f;
    let compared = comparison(folder)?;
    let of = |policy: &str, metric: &str| {
        compared
            .iter()
            .find(|(m, c)| m == metric && c.policy == policy)
            .map(|(_, c)| c)
    };
    let baseline = compared.first().map(|(_, c)| c.policy.as_str());
    let (policy, metric) = (t.text(f::POLICY)?, t.text(f::METRIC)?);
    let (mean, baseline_mean, difference) = (
        t.numbers(f::MEAN)?,
        t.numbers(f::BASELINE_MEAN)?,
        t.numbers(f::DIFFERENCE)?,
    );
    let at = |name: &str| t.headers().iter().position(|h| h == name);
    let (mean_at, baseline_at, difference_at) =
        (at(f::MEAN), at(f::BASELINE_MEAN), at(f::DIFFERENCE));
    Ok((0..count)
        .map(|i| {
            let mut row = readable_row(t.headers(), &t.row(i), &[]);
            let mut put = |column: Option<usize>, text: String| {
                if let Some(cell) = column.and_then(|j| row.get_mut(j)) {
                    *cell = text;
                }
            };
            let m = metric[i];
            if let Some(c) = of(policy[i], m) {
                put(mean_at, c.mean(m).alike(mean[i]));
                put(difference_at, c.diff().alike(difference[i]));
            }
            if let Some(b) = baseline.and_then(|b| of(b, m)) {
                put(baseline_at, b.mean(m).alike(baseline_mean[i]));
            }
            row
        })
        .collect())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A policy's row: its mean, and its difference from the baseline (beyond chance or not).
    fn row(policy: &str, mean: f64, diff: f64, significant: bool) -> Compared {
        Compared {
            policy: policy.into(),
            mean,
            low: mean - 1.0,
            high: mean + 1.0,
            diff,
            diff_low: diff - 0.5,
            diff_high: diff + 0.5,
            significant,
        }
    }

    #[test]
    fn trade_offs_are_written_in_the_digits_of_their_intervals() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(files::comparison::FILE),
            format!(
                "{}\nfifo,user_hours_lost,1000,990,1010,0,0,0,,,false\n\
                 random,user_hours_lost,1254.32,1061.57,1447.08,254.32,60.2,448.4,0.01,0.02,true\n",
                files::comparison::HEADER.join(",")
            ),
        )
        .unwrap();
        std::fs::write(
            dir.path().join(files::tradeoffs::FILE),
            format!(
                "{}\nfifo,user_hours_lost,lower,1000,1000,0,,false,\n\
                 random,user_hours_lost,lower,1254.32,1000,254.32,0.02,true,fifo\n",
                files::tradeoffs::HEADER.join(",")
            ),
        )
        .unwrap();
        let folder = Folder {
            dir: dir.path(),
            kind: crate::chart::FolderKind::Compare,
            manifest: serde_json::Value::Null,
        };
        let t = folder.table(files::tradeoffs::FILE).unwrap();
        let rows = tradeoff_rows(&folder, &t, 2).unwrap();
        // The mean as the table of every policy has it, "1,250 [1,060, 1,450]", not "1,254".
        assert_eq!(
            rows[1],
            [
                "random",
                "user_hours_lost",
                "lower",
                "1,250",
                "1,000",
                "250",
                "0.02",
                "true",
                "fifo"
            ]
        );
        let random = &comparison(&folder).unwrap()[1].1;
        assert_eq!(
            random.mean("user_hours_lost").with_interval(),
            "1,250 [1,060, 1,450]"
        );
        assert_eq!(rows[0][3..6], ["1,000", "1,000", "0"]);
        // And so the report's section of the file.
        let section = crate::report::FILE_SECTIONS
            .iter()
            .find(|s| s.file == files::tradeoffs::FILE)
            .unwrap();
        let html = crate::report::file_section(&folder, section).unwrap();
        assert!(html.contains("1,250") && !html.contains("1,254"), "{html}");
        // The answer says which policy is dominated, and by which, once.
        assert_eq!(
            dominated(&folder).unwrap(),
            [
                "<span class=\"bad\"><code>random</code> is dominated</span> by <code>fifo</code>: \
              worse beyond chance on at least one of the outcomes in the trade-offs table and \
              better on none."
            ]
        );
    }

    fn said(rows: &[Compared]) -> String {
        let of: Vec<&Compared> = rows.iter().collect();
        verdict("slips", "fifo", &of).unwrap()
    }

    #[test]
    fn a_policy_worse_beyond_chance_is_never_said_to_be_within_it() {
        // The best mean is within chance of the baseline, the third policy worse beyond it.
        let text = said(&[
            row("fifo", 10.0, 0.0, false),
            row("random", 9.5, -0.5, false),
            row("largest-first", 14.0, 4.0, true),
        ]);
        assert!(!text.contains("no policy differs"), "{text}");
        assert!(
            text.contains("no policy is better than <code>fifo</code>")
                && text.contains(
                    "<code>largest-first</code> (paired difference +4.0, 95% interval \
                     [3.5, 4.5]) is worse beyond chance"
                ),
            "{text}"
        );
        // Nothing beyond chance: that, and the p-values say so.
        let text = said(&[
            row("fifo", 10.0, 0.0, false),
            row("random", 9.5, -0.5, false),
        ]);
        assert!(
            text.contains("no policy differs from <code>fifo</code>"),
            "{text}"
        );
    }

    #[test]
    fn better_and_worse_follow_the_metric_direction() {
        // The baseline best, two worse beyond chance: named in words.
        let text = said(&[
            row("fifo", 10.0, 0.0, false),
            row("random", 12.0, 2.0, true),
            row("largest-first", 14.0, 4.0, true),
        ]);
        assert!(
            text.contains(
                "<code>random</code> (paired difference +2.0, 95% interval [1.5, 2.5]) and \
                 <code>largest-first</code> (paired difference +4.0, 95% interval [3.5, 4.5]) \
                 are worse"
            ),
            "{text}"
        );
        // Another policy better beyond chance than the baseline though not the best mean.
        let text = said(&[
            row("fifo", 10.0, 0.0, false),
            row("random", 8.0, -2.0, false),
            row("largest-first", 9.0, -1.0, true),
        ]);
        assert!(
            text.contains("<code>random</code> has the best mean")
                && text.contains(
                    "<code>largest-first</code> (paired difference -1.0, 95% interval \
                     [-1.5, -0.5]) is better than <code>fifo</code>"
                ),
            "{text}"
        );
        // For transitioned more is better: a higher mean beyond chance is the best.
        let rows = [
            row("fifo", 190.0, 0.0, false),
            row("random", 199.0, 9.0, true),
        ];
        let of: Vec<&Compared> = rows.iter().collect();
        let text = verdict("transitioned", "fifo", &of).unwrap();
        assert!(text.contains("<code>random</code> is best"), "{text}");
    }
}
