//! The CSV files of a run, as bytes: replications, summary, tenants, batches and the daily time series.

use crate::compare::{ComparisonRow, TradeoffRow};
use crate::date::Date;
use crate::engine::{DAY, HOUR, MINUTE, SimTime};
use crate::files;
use crate::model::{
    BatchRecord, DailySample, HourlySample, IslandsByDay, Load, MetricValue, MissCause, PhaseSpan,
    ReplicationMetrics, SlipCause, TenantRecord, WeekCounts,
};
use crate::phase::Programme;
use crate::stats::{Summary, quantile_sorted, summarize};
use crate::study::seek::{Axis, Constraint, SeekResult};
use crate::study::select::Selection;

/// Formats a number for CSV: integers without a decimal point, other values rounded to six
/// decimals, and NaN or infinity as an empty cell (no reader agrees on how to spell them).
pub fn format_number(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let rounded = (x * 1e6).round() / 1e6;
    if rounded == 0.0 {
        return "0".into();
    }
    if rounded.fract() == 0.0 && rounded.abs() < 1e15 {
        return format!("{}", rounded as i64);
    }
    format!("{rounded}")
}

/// A metric as CSV text: integers exactly (a `u64` seed never passes through `f64`), numbers as
/// [`format_number`] writes them.
pub fn metric_text(v: MetricValue) -> String {
    match v {
        MetricValue::Integer(n) => n.to_string(),
        MetricValue::Number(x) => format_number(x),
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

fn opt_number(v: Option<f64>) -> String {
    v.map_or_else(String::new, format_number)
}

/// The summary of metric `name` over replications, its interval clamped to the values the metric
/// can take with `tenants` tenants (`ReplicationMetrics::feasible_range`).
pub fn summarize_metric(name: &str, values: &[f64], tenants: f64) -> Summary {
    summarize(values).within(ReplicationMetrics::feasible_range(name, tenants))
}

/// The largest value of a column of replication values (0 if none): the tenants of a run.
pub fn column_max(values: &[f64]) -> f64 {
    values
        .iter()
        .copied()
        .filter(|x| !x.is_nan())
        .fold(0.0, f64::max)
}

/// The columns a summary row has after its identifying columns.
pub const SUMMARY_COLUMNS: [&str; 11] = files::summary::STATISTICS;

/// A summary's cells, in `SUMMARY_COLUMNS` order: `n` counts the replications with a value,
/// `replications` all that were run (with `--precision`, where the stages stopped).
pub fn summary_cells(s: &Summary, replications: usize) -> Vec<String> {
    let numbers = [
        s.mean,
        s.std,
        s.ci95_low,
        s.ci95_high,
        s.p50,
        s.p90,
        s.p99,
        s.min,
        s.max,
    ];
    let mut cells: Vec<String> = numbers.into_iter().map(format_number).collect();
    cells.push(s.n.to_string());
    cells.push(replications.to_string());
    cells
}

fn to_bytes(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)
        .expect("writing to memory cannot fail");
    for row in rows {
        w.write_record(&row).expect("writing to memory cannot fail");
    }
    w.into_inner().expect("writing to memory cannot fail")
}

/// replications.csv: one row per replication, with `prefix` columns (e.g. a policy) before the metrics.
pub fn replications_csv(prefix: &[&str], rows: &[(Vec<String>, &ReplicationMetrics)]) -> Vec<u8> {
    let header: Vec<&str> = prefix
        .iter()
        .copied()
        .chain(ReplicationMetrics::COLUMNS.iter().copied())
        .collect();
    to_bytes(
        &header,
        rows.iter().map(|(pre, m)| {
            pre.iter()
                .cloned()
                .chain(m.exact_values().into_iter().map(metric_text))
                .collect()
        }),
    )
}

/// summary.csv: one row per metric (identifiers left out) over all replications.
pub fn summary_csv(metrics: &[&ReplicationMetrics]) -> Vec<u8> {
    let header: Vec<&str> = std::iter::once(files::summary::METRIC)
        .chain(SUMMARY_COLUMNS)
        .collect();
    let values: Vec<Vec<f64>> = metrics.iter().map(|m| m.values()).collect();
    let tenants = ReplicationMetrics::tenants_of(metrics.iter().copied());
    let rows = ReplicationMetrics::COLUMNS
        .iter()
        .enumerate()
        .filter(|(_, name)| !ReplicationMetrics::ID_COLUMNS.contains(name))
        .map(|(col, name)| {
            let column: Vec<f64> = values.iter().map(|v| v[col]).collect();
            let s = summarize_metric(name, &column, tenants);
            let mut row = vec![name.to_string()];
            row.extend(summary_cells(&s, metrics.len()));
            row
        });
    to_bytes(&header, rows)
}

pub fn tenants_csv(programme: &Programme, records: &[TenantRecord]) -> Vec<u8> {
    let header = files::tenants::HEADER;
    to_bytes(
        &header,
        records.iter().map(|t| {
            vec![
                t.tenant.to_string(),
                t.region.clone(),
                t.seats.to_string(),
                t.mailboxes.to_string(),
                format_number(t.data_gb),
                opt(t.batch),
                opt(t.transition_date),
                programme.key(t.final_phase).to_string(),
                t.final_status.key().to_string(),
                t.slips.to_string(),
                t.causes.slips[0].to_string(),
                t.causes.slips[1].to_string(),
                t.causes.slips[2].to_string(),
                t.causes.slips[3].to_string(),
                t.causes.slips[4].to_string(),
                opt(t.causes.last_slip.map(SlipCause::key)),
                opt(t.causes.miss.map(MissCause::key)),
                t.retries.to_string(),
                t.errors.to_string(),
                opt_number(t.prestage_hours),
                opt_number(t.dataupgrade_hours),
                t.directory_objects.is_some().to_string(),
                opt(t.directory_objects),
                t.over_quota.to_string(),
                t.coexistence.to_string(),
                t.blackberry.to_string(),
                t.tickets.to_string(),
                t.chat.contact_pairs.to_string(),
                t.chat.users_early.to_string(),
                opt_number(t.chat.peak_cross_island_fraction),
                opt_number(t.chat.peak_broken_contact_fraction),
                t.chat.islands.to_string(),
                t.chat.stranded_users.to_string(),
                format_number(t.chat.im_disruption_user_hours),
            ]
        }),
    )
}

pub fn batches_csv(records: &[BatchRecord]) -> Vec<u8> {
    let header = files::batches::HEADER;
    to_bytes(
        &header,
        records.iter().map(|b| {
            vec![
                b.batch.to_string(),
                b.weekend.to_string(),
                b.tenants.to_string(),
                b.seats.to_string(),
                format_number(b.data_gb),
                b.transitioned.to_string(),
                b.slipped.to_string(),
            ]
        }),
    )
}

/// timeseries.csv: one column per phase of `programme`, by its key.
pub fn timeseries_csv(programme: &Programme, samples: &[DailySample]) -> Vec<u8> {
    use files::timeseries as ts;
    let mut header = vec![ts::DAY, ts::DATE];
    header.extend(programme.phases().map(|p| programme.key(p)));
    header.push(ts::TRANSITIONED);
    header.extend(Load::COLUMNS);
    header.extend(ts::CHAT);
    to_bytes(
        &header,
        samples.iter().map(|s| {
            let mut row = vec![s.day.to_string(), s.date.to_string()];
            row.extend(s.phases.iter().map(u32::to_string));
            row.push(s.transitioned.to_string());
            row.extend(s.load.values().map(|v| v.to_string()));
            let c = &s.chat;
            row.extend(
                [c.cross_island_pairs, c.broken_pairs, c.stranded_users]
                    .iter()
                    .map(u64::to_string),
            );
            row
        }),
    )
}

/// An ISO 8601 date and time to the minute, `YYYY-MM-DDTHH:MM`, of `t` after the start.
pub fn format_datetime(start: Date, t: SimTime) -> String {
    let within = t.ticks() % DAY;
    format!(
        "{}T{:02}:{:02}",
        start.add_days(t.day() as i64),
        within / HOUR,
        within % HOUR / MINUTE
    )
}

/// completion.csv: tenants transitioned by the end of each day, across replications (each
/// `runs[r][d]` is replication `r`'s count by the end of day `d`).
pub fn completion_csv(start: Date, runs: &[&[u32]]) -> Vec<u8> {
    let days = runs.iter().map(|r| r.len()).min().unwrap_or(0);
    let mut column = Vec::with_capacity(runs.len());
    to_bytes(
        &files::completion::HEADER,
        (0..days).map(|d| {
            column.clear();
            column.extend(runs.iter().map(|r| f64::from(r[d])));
            column.sort_unstable_by(f64::total_cmp);
            let mean = column.iter().sum::<f64>() / column.len() as f64;
            let mut row = vec![d.to_string(), start.add_days(d as i64).to_string()];
            row.extend(
                [
                    mean,
                    quantile_sorted(&column, 0.1),
                    quantile_sorted(&column, 0.5),
                    quantile_sorted(&column, 0.9),
                ]
                .map(format_number),
            );
            row
        }),
    )
}

/// weekly.csv or weekly_detail.csv: `weeks[w]` holds week `w`'s values in
/// `WeekCounts::COLUMNS` order (a replication's counts, or their means over replications).
pub fn weekly_csv(start: Date, weeks: &[[f64; 6]]) -> Vec<u8> {
    let w = &files::weekly::COUNTS;
    let mut header = vec![files::weekly::WEEK, files::weekly::WEEK_START];
    header.extend(w);
    to_bytes(
        &header,
        weeks.iter().enumerate().map(|(i, values)| {
            let mut row = vec![i.to_string(), start.add_days(7 * i as i64).to_string()];
            row.extend(values.map(format_number));
            row
        }),
    )
}

/// The mean of each week's counts over replications (`runs[r]` is replication `r`'s weeks).
pub fn weekly_means(runs: &[&[WeekCounts]]) -> Vec<[f64; 6]> {
    let weeks = runs.iter().map(|r| r.len()).min().unwrap_or(0);
    (0..weeks)
        .map(|w| {
            let mut sum = [0.0; 6];
            for run in runs {
                for (s, v) in sum.iter_mut().zip(run[w].values()) {
                    *s += v;
                }
            }
            sum.map(|s| s / runs.len() as f64)
        })
        .collect()
}

/// hourly.csv: the state at the top of every hour of the detail replication.
pub fn hourly_csv(start: Date, samples: &[HourlySample]) -> Vec<u8> {
    let mut header = vec![files::hourly::TIME];
    header.extend(Load::COLUMNS);
    to_bytes(
        &header,
        samples.iter().map(|s| {
            let mut row = vec![format_datetime(start, s.time)];
            row.extend(s.load.values().map(|v| v.to_string()));
            row
        }),
    )
}

/// spans.csv: every weekend phase of every attempt of the detail replication.
pub fn spans_csv(programme: &Programme, start: Date, spans: &[PhaseSpan]) -> Vec<u8> {
    let time = |t: Option<SimTime>| t.map_or_else(String::new, |t| format_datetime(start, t));
    to_bytes(
        &files::spans::HEADER,
        spans.iter().map(|s| {
            vec![
                s.tenant.to_string(),
                s.batch.to_string(),
                s.weekend.to_string(),
                programme.key(s.phase).to_string(),
                format_datetime(start, s.start),
                time(s.end),
                time(s.done),
                s.outcome.key().to_string(),
            ]
        }),
    )
}

/// islands.csv: cross-island and broken shares against days from T, across tenants.
pub fn islands_csv(rows: &[IslandsByDay]) -> Vec<u8> {
    to_bytes(
        &files::islands::HEADER,
        rows.iter().map(|r| {
            let mut row = vec![r.days_from_t.to_string(), r.tenants.to_string()];
            for band in [r.cross_island, r.broken] {
                row.extend([band.mean, band.p10, band.p90].map(format_number));
            }
            row
        }),
    )
}

/// comparison.csv: per policy and metric, the mean with its interval (clamped to the metric's
/// range) and the paired difference from the baseline policy with its interval, the paired t
/// test's p-value and its Holm adjustment over the whole file; `significant` is `p_holm < 0.05`.
pub fn comparison_csv(rows: &[ComparisonRow]) -> Vec<u8> {
    let header = files::comparison::HEADER;
    to_bytes(
        &header,
        rows.iter().map(|r| {
            let mut row = vec![r.policy.clone(), r.metric.to_string()];
            let (s, d) = (&r.summary, &r.difference);
            row.extend(
                [
                    s.mean,
                    s.ci95_low,
                    s.ci95_high,
                    d.mean,
                    d.ci95_low,
                    d.ci95_high,
                    r.p_value,
                    r.p_holm,
                ]
                .into_iter()
                .map(format_number),
            );
            row.push(r.significant().to_string());
            row
        }),
    )
}

/// selection.csv: what `cutover select` did with each policy (labels in policy order).
pub fn selection_csv(labels: &[String], s: &Selection) -> Vec<u8> {
    to_bytes(
        &files::selection::HEADER,
        labels
            .iter()
            .zip(&s.contenders)
            .enumerate()
            .map(|(i, (label, c))| {
                vec![
                    label.clone(),
                    c.replications.to_string(),
                    format_number(c.mean),
                    opt(c.eliminated_after),
                    (i == s.selected).to_string(),
                ]
            }),
    )
}

/// seek.csv: every setting `cutover seek` tried (see `files::seek`).
pub fn seek_csv(axes: &[Axis], constraints: &[Constraint], r: &SeekResult) -> Vec<u8> {
    let mut header: Vec<String> = files::seek::FIRST.iter().map(|s| s.to_string()).collect();
    header.extend(axes.iter().map(|a| a.key.clone()));
    header.extend(files::seek::AFTER_KEYS.iter().map(|s| s.to_string()));
    for i in 1..=constraints.len() {
        header.extend(
            files::seek::PER_CONSTRAINT
                .iter()
                .map(|s| format!("constraint{i}_{s}")),
        );
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    to_bytes(
        &header,
        r.evaluated.iter().enumerate().map(|(i, e)| {
            let mut row = vec![i.to_string()];
            row.extend(e.values.iter().map(i64::to_string));
            row.extend([
                format_number(e.cost),
                e.replications.to_string(),
                e.verdict.key().to_string(),
            ]);
            for c in &e.checks {
                row.extend([
                    format_number(c.estimate),
                    format_number(c.bound),
                    c.verdict.key().to_string(),
                ]);
            }
            row
        }),
    )
}

/// tradeoffs.csv: per policy and trade-off metric, its mean beside the baseline's, which side is
/// better, the Holm-adjusted p-value of the difference, and the policies that dominate it
/// (`;`-separated, empty if none).
pub fn tradeoffs_csv(rows: &[TradeoffRow]) -> Vec<u8> {
    to_bytes(
        &files::tradeoffs::HEADER,
        rows.iter().map(|r| {
            vec![
                r.policy.clone(),
                r.metric.to_string(),
                r.better.key().to_string(),
                format_number(r.mean),
                format_number(r.baseline_mean),
                format_number(r.mean - r.baseline_mean),
                format_number(r.p_holm),
                (!r.dominated_by.is_empty()).to_string(),
                r.dominated_by.join(";"),
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_plain_and_never_nan() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(1.0 / 3.0), "0.333333");
        assert_eq!(format_number(f64::NAN), "");
        assert_eq!(format_number(f64::INFINITY), "");
    }

    #[test]
    fn datetimes_are_iso_to_the_minute() {
        let start = Date::from_ymd(2011, 7, 1).unwrap();
        assert_eq!(format_datetime(start, SimTime::ZERO), "2011-07-01T00:00");
        let t = SimTime(2 * DAY + 13 * HOUR + 5 * MINUTE + 59);
        assert_eq!(format_datetime(start, t), "2011-07-03T13:05");
    }

    #[test]
    fn completion_band_spans_the_replications() {
        let start = Date::from_ymd(2011, 7, 1).unwrap();
        let runs: Vec<Vec<u32>> = (0..11).map(|r| vec![0, r, 10 + r]).collect();
        let refs: Vec<&[u32]> = runs.iter().map(Vec::as_slice).collect();
        let text = String::from_utf8(completion_csv(start, &refs)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "day,date,mean,p10,p50,p90");
        assert_eq!(lines[1], "0,2011-07-01,0,0,0,0");
        assert_eq!(lines[2], "1,2011-07-02,5,1,5,9");
        assert_eq!(lines[3], "2,2011-07-03,15,11,15,19");
    }
}
