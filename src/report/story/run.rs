//! The report's words for a run folder: the answer with intervals and percentiles, and the causes
//! behind the tenants that slipped or missed the deadline.

use std::fmt::Write as _;

use crate::chart::FolderKind;
use crate::date::Date;
use crate::error::Error;
use crate::files;
use crate::report::Folder;
use crate::report::figures::{estimate, number, plural, share};
use crate::report::html::{date_in_words, escape, table};

use super::{RUN_METRICS, cell, summaries};

/// A percentile is interpolated between two replications' values (R's type 7), so a P90 of 10.6
/// tenants says no more than that 90% of the way from the lowest replication to the highest, in
/// order, lies between 10 and 11: not that 9 replications in 10 have at most 10 (with 4
/// replications, only 3 in 4 need to). The answer says P90 as the table does, never floored.
const METHOD: &str = "Mean over replications with its 95% interval (Student t); P50, P90 and P99 \
                      are percentiles across replications, interpolated between the two nearest \
                      (R's type 7): about 9 replications in 10 are at or below P90. The chance of \
                      missing the deadline is the share of replications in which some tenant \
                      missed it, with Wilson's 95% score interval. A cause's \
                      share of the slips or of the missed deadlines (Causes) is the ratio of two \
                      means over the same replications, with Fieller's 95% interval for a ratio \
                      of paired means, within 0 to 100%; a share is written without one when \
                      there are fewer than two replications, when every replication has the same \
                      share, or when the total's mean is not clearly above zero (Fieller's \
                      interval is then unbounded).";

/// The replications in which some tenant missed the deadline, and the replications there are
/// (replications.csv's `missed_deadline` above zero).
fn replications_missing(folder: &Folder) -> Result<(u64, u64), Error> {
    let t = folder.table(files::replications::FILE)?;
    let missed = t.numbers("missed_deadline")?;
    let late = missed.iter().filter(|&&m| m > 0.0).count();
    Ok((late as u64, missed.len() as u64))
}

/// The deadline met or missed, in sentences with intervals, then the headline figures.
pub(super) fn answer(folder: &Folder) -> Result<String, Error> {
    let s = summaries(folder, files::summary::FILE, |r, h| cell(r, h, "metric"))?;
    let deadline = date_in_words(&folder.field("deadline").unwrap_or_default());
    let start: Option<Date> = folder.field("start").and_then(|d| d.parse().ok());
    // Counts of tenants are bounded by the tenants there are.
    let tenants = s.get("tenants").map_or(f64::INFINITY, |t| t.mean);
    let mut items = Vec::new();
    if let Some(m) = s.get("missed_deadline") {
        // The planner's question first: how likely is a programme like this one to leave some
        // tenant past the deadline? The share of replications that did, with its interval: ten
        // replications that all finish still leave a chance of up to 28%.
        let (missed, n) = replications_missing(folder)?;
        let chance = |low: f64, high: f64| {
            format!(
                "95% interval {}% to {}%",
                number(100.0 * low),
                number(100.0 * high)
            )
        };
        let (low, high) = crate::stats::wilson(missed, n, crate::stats::normal_quantile(0.975));
        items.push(if m.max == 0.0 {
            format!(
                "<span class=\"good\">Every tenant is transitioned by the {deadline} deadline</span> \
                 in every replication ({n} of {n}): the chance that a programme like this one \
                 misses it is at most {}% ({}).",
                number(100.0 * high),
                chance(low, high)
            )
        } else {
            // P90 in the mean's digits, as the table below writes it.
            let w = m.written("missed_deadline", tenants);
            format!(
                "<span class=\"bad\">Tenants miss the {deadline} deadline in {missed} of {n} \
                 replications</span> ({}% of programmes like this one, {}); per replication, \
                 P90 {} tenants miss it (on average {}, 95% interval {}; at worst {}).",
                number(100.0 * missed as f64 / n as f64),
                chance(low, high),
                w.alike(m.p90),
                w.value,
                w.interval(),
                number(m.max)
            )
        });
    }
    if let (Some(m), Some(start)) = (s.get("makespan_days"), start)
        && m.p50.is_finite()
        && m.p90.is_finite()
    {
        // The day the last transition fell on: 451.5 days after the start is that day's noon.
        let on = |days: f64| date_in_words(&start.add_days(days.floor() as i64).to_string());
        // A tenant has moved when its last phase is complete (BPOS: Finalize, at T+48h;
        // tenant-to-tenant: Decommission, a fortnight after its weekend), which is named.
        let last_phase = crate::chart::recorded_phases(&folder.manifest)
            .pop()
            .map_or_else(
                || "its last phase".to_string(),
                |last| format!("its last phase, {}", escape(&last.name)),
            );
        // `makespan_days` is the last transition among the tenants that transitioned: where some
        // never did, it is when the others finished, and the sentence must not say the last
        // tenant moved.
        let left = s
            .get("transitioned")
            .filter(|t| tenants.is_finite() && t.mean < tenants)
            .map(|t| {
                estimate(
                    tenants - t.mean,
                    tenants - t.high,
                    tenants - t.low,
                    (0.0, tenants),
                )
            });
        items.push(match left {
            None => format!(
                "The last tenant moves (completes {last_phase}) on {} at P50 across \
                 replications, on {} at P90.",
                on(m.p50),
                on(m.p90)
            ),
            Some(left) => format!(
                "Of the tenants that move, the last moves (completes {last_phase}) on {} at P50 \
                 across replications, on {} at P90; {} {} never moved by the end of the \
                 simulation (mean per replication, 95% interval {}).",
                on(m.p50),
                on(m.p90),
                left.value,
                if left.value == "1" {
                    "tenant is"
                } else {
                    "tenants are"
                },
                left.interval()
            ),
        });
    }
    if let Some(m) = s.get("slips") {
        let w = m.written("slips", tenants);
        items.push(format!(
            "{} {} (tenants rolled back to a later weekend) per programme on average, 95% \
             interval {}; P90 {}.",
            w.value,
            if w.value == "1" { "slip" } else { "slips" },
            w.interval(),
            w.alike(m.p90)
        ));
    }
    if let (Some(q), Some(w)) = (
        s.get("peak_errors_outstanding"),
        s.get("operator_wait_p95_h"),
    ) {
        let w = w.written("operator_wait_p95_h", tenants);
        items.push(format!(
            "Operators: most errors outstanding at once, waiting or being resolved: P90 {} across \
             replications; 95% of errors are picked up within {} hours (mean of the replications' \
             P95, interval {}).",
            q.written("peak_errors_outstanding", tenants).alike(q.p90),
            w.value,
            w.interval()
        ));
    }
    if let (Some(t), Some(w), Some(l)) = (
        s.get("helpdesk_tickets"),
        s.get("helpdesk_wait_p95_h"),
        s.get("user_hours_lost"),
    ) && t.mean > 0.0
    {
        let w = w.written("helpdesk_wait_p95_h", tenants);
        items.push(format!(
            "Help desk: {} tickets; 95% are resolved within {} hours (interval {}); {} user \
             hours are lost waiting.",
            t.written("helpdesk_tickets", tenants).value,
            w.value,
            w.interval(),
            l.written("user_hours_lost", tenants).value
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
            // The percentiles with the mean's decimals: they are no better known.
            let w = st.written(m, tenants);
            Some(vec![
                escape(l),
                w.value.clone(),
                w.interval(),
                w.alike(st.p50),
                w.alike(st.p90),
                w.alike(st.p99),
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

/// Slips and missed deadlines by cause across the replications, from summary.csv's
/// `slips_<cause>` and `missed_<cause>` rows: empty when it has none (an older folder). Each
/// cause's share of the total is taken from replications.csv, where each replication's count of
/// the cause is paired with its total, for the share's interval; a folder without those columns
/// gives the share of the means alone.
fn cause_shares(folder: &Folder) -> Result<String, Error> {
    use crate::model::{MissCause, SlipCause};
    use crate::stats::{Share, share_of_means};
    let s = summaries(folder, files::summary::FILE, |r, h| cell(r, h, "metric"))?;
    let tenants = s.get("tenants").map_or(f64::INFINITY, |t| t.mean);
    let replications = if folder.has(files::replications::FILE) {
        Some(folder.table(files::replications::FILE)?)
    } else {
        None
    };
    let column = |name: &str| -> Result<Option<Vec<f64>>, Error> {
        match &replications {
            Some(t) if t.has(name) => t.numbers(name).map(Some),
            _ => Ok(None),
        }
    };
    let shares = |total: &str, prefix: &str, keys: &[&str]| -> Result<Option<String>, Error> {
        let Some(total_mean) = s.get(total).map(|t| t.mean) else {
            return Ok(None);
        };
        let wholes = column(total)?;
        let mut parts: Vec<(f64, String)> = Vec::new();
        for k in keys {
            let metric = format!("{prefix}{k}");
            let Some(stats) = s.get(&metric) else {
                continue;
            };
            if stats.mean.is_nan() || stats.mean <= 0.0 {
                continue;
            }
            // The mean in the digits its interval supports, as the answer's table writes a mean.
            let w = stats.written(&metric, tenants);
            let of_total = match (column(&metric)?, &wholes) {
                (Some(counts), Some(wholes)) if counts.len() == wholes.len() => {
                    share_of_means(&counts, wholes)
                }
                _ => Share {
                    share: stats.mean / total_mean,
                    low: f64::NAN,
                    high: f64::NAN,
                },
            };
            parts.push((
                stats.mean,
                format!(
                    "{} {} ({})",
                    k.replace('_', " "),
                    w.with_interval(),
                    share(&of_total)
                ),
            ));
        }
        if parts.is_empty() {
            return Ok(None);
        }
        parts.sort_by(|a, b| b.0.total_cmp(&a.0));
        Ok(Some(
            parts
                .into_iter()
                .map(|(_, p)| p)
                .collect::<Vec<_>>()
                .join(", "),
        ))
    };
    let slip_keys: Vec<&str> = SlipCause::ALL.iter().map(|c| c.key()).collect();
    let miss_keys: Vec<&str> = MissCause::ALL.iter().map(|c| c.key()).collect();
    let mut lines = Vec::new();
    if let Some(p) = shares("slips", "slips_", &slip_keys)? {
        lines.push(format!(
            "slips, by what the attempt still had outstanding: {p}"
        ));
    }
    if let Some(p) = shares("missed_deadline", "missed_", &miss_keys)? {
        lines.push(format!("tenants that missed the deadline, by why: {p}"));
    }
    if lines.is_empty() {
        return Ok(String::new());
    }
    Ok(format!(
        "<p>Mean per programme over the replications with its 95% interval, and in parentheses its \
         share of the total's mean with that share's 95% interval: {}. <span class=\"note\">One \
         cause per slip and per miss (docs/scenario.md, Causes); every cause is a row of \
         <code>summary.csv</code> and a column of <code>replications.csv</code>. A share is the \
         ratio of two means over the same replications, its interval Fieller's (see the method \
         above); a share without one is written alone.</span></p>\n",
        escape(&lines.join("; "))
    ))
}

/// Why tenants were late, from the detail replication's tenants (a run only).
pub(in crate::report) fn causes(folder: &Folder) -> Result<String, Error> {
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
        "{} missed the deadline and {} slipped at least once.",
        plural(late.len() as u64, "tenant"),
        slipped.len()
    );
    let flags: Vec<&str> = FLAGS
        .iter()
        .map(|(c, _, _)| *c)
        .filter(|c| t.has(c))
        .collect();
    let group = if late.is_empty() { &slipped } else { &late };
    let mut said = Vec::new();
    for column in &flags {
        let values = t.text(column)?;
        let n = group.iter().filter(|&&i| values[i] == "true").count();
        if n > 0 {
            said.push(flagged(n, column));
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
    // Why first: the causes of the tenant's miss and of its last slip (where the files record
    // them) beside its slips, then where it ended and what it is; a table wider than the page
    // scrolls, and the columns a reader came for must not be the ones scrolled out of sight.
    let mut columns = vec![files::tenants::TENANT];
    // An inventory's tenants by the names the planner knows them by (a generated one has none).
    if t.has(files::tenants::NAME) {
        let names = t.text(files::tenants::NAME)?;
        if shown.iter().any(|&i| !names[i].is_empty()) {
            columns.push(files::tenants::NAME);
        }
    }
    columns.push("slips");
    columns.extend(
        [files::tenants::MISS_CAUSE, files::tenants::LAST_SLIP_CAUSE]
            .into_iter()
            .filter(|c| t.has(c)),
    );
    columns.extend([
        "final_phase",
        "final_status",
        "transition_date",
        "errors",
        "seats",
        "data_gb",
        "region",
    ]);
    columns.extend(flags.iter().copied());
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

/// The tenants.csv flags the Causes paragraph counts among the late (or slipped) tenants, each with
/// what it says of one tenant and of several.
const FLAGS: [(&str, &str, &str); 3] = [
    (
        "over_quota",
        "was over its directory quota",
        "were over their directory quota",
    ),
    (
        "coexistence",
        "still coexisted with on-premises mail",
        "still coexisted with on-premises mail",
    ),
    (
        "blackberry",
        "was on hosted BlackBerry",
        "were on hosted BlackBerry",
    ),
];

/// `n` tenants with the flag `column`, the verb agreeing: "1 was over its directory quota".
fn flagged(n: usize, column: &str) -> String {
    let (_, one, many) = FLAGS
        .iter()
        .find(|(c, _, _)| *c == column)
        .copied()
        .unwrap_or_default();
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flagged_tenants_are_counted_with_the_verb_agreeing() {
        assert_eq!(flagged(1, "over_quota"), "1 was over its directory quota");
        assert_eq!(
            flagged(3, "over_quota"),
            "3 were over their directory quota"
        );
        assert_eq!(flagged(1, "blackberry"), "1 was on hosted BlackBerry");
        assert_eq!(
            flagged(2, "coexistence"),
            "2 still coexisted with on-premises mail"
        );
    }
}
