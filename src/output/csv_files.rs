//! The CSV files of a run, as bytes: replications, summary, tenants, batches and the daily time series.

use super::cells::{CsvBuilder, DateTime, format_number, text_of};
use crate::compare::{ComparisonRow, TradeoffRow};
use crate::date::Date;
use crate::engine::SimTime;
use crate::files;
use crate::model::{
    BatchRecord, DailySample, HourlySample, IslandsByDay, Load, MetricValue, MissCause, PhaseSpan,
    ReplicationMetrics, SlipCause, TenantRecord, WeekCounts,
};
use crate::phase::Programme;
use crate::scenario::InventoryTenant;
use crate::stats::{Summary, quantile_sorted, summarize};
use crate::study::seek::{Axis, Constraint, SeekResult};
use crate::study::select::Selection;

/// A metric as CSV text: integers exactly (a `u64` seed never passes through `f64`), numbers as
/// [`format_number`] writes them.
pub fn metric_text(v: MetricValue) -> String {
    text_of(v)
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
    let mut cells: Vec<String> = s.statistics().into_iter().map(format_number).collect();
    cells.push(s.n.to_string());
    cells.push(replications.to_string());
    cells
}

/// replications.csv: one row per replication, with `prefix` columns (e.g. a policy) before the metrics.
pub fn replications_csv(prefix: &[&str], rows: &[(Vec<String>, &ReplicationMetrics)]) -> Vec<u8> {
    let header: Vec<&str> = prefix
        .iter()
        .copied()
        .chain(ReplicationMetrics::COLUMNS.iter().copied())
        .collect();
    let mut csv = CsvBuilder::new(header);
    for (pre, m) in rows {
        csv.cells(pre).cells(m.exact_values()).end_row();
    }
    csv.finish()
}

/// summary.csv: one row per metric (identifiers left out) over all replications.
pub fn summary_csv(metrics: &[&ReplicationMetrics]) -> Vec<u8> {
    let header: Vec<&str> = std::iter::once(files::summary::METRIC)
        .chain(SUMMARY_COLUMNS)
        .collect();
    let values: Vec<Vec<f64>> = metrics.iter().map(|m| m.values()).collect();
    let tenants = ReplicationMetrics::tenants_of(metrics.iter().copied());
    let mut csv = CsvBuilder::new(header);
    for (col, name) in ReplicationMetrics::COLUMNS.iter().enumerate() {
        if ReplicationMetrics::ID_COLUMNS.contains(name) {
            continue;
        }
        let column: Vec<f64> = values.iter().map(|v| v[col]).collect();
        let s = summarize_metric(name, &column, tenants);
        csv.cell(*name)
            .cells(&summary_cells(&s, metrics.len()))
            .end_row();
    }
    csv.finish()
}

/// tenants.csv: with an `inventory`, each tenant's name from it (tenant `i` is its row `i`).
pub fn tenants_csv(
    programme: &Programme,
    inventory: Option<&[InventoryTenant]>,
    records: &[TenantRecord],
) -> Vec<u8> {
    let mut csv = CsvBuilder::new(files::tenants::HEADER);
    for t in records {
        let name = inventory
            .and_then(|rows| rows.get(t.tenant as usize))
            .map_or("", |row| row.name.as_str());
        csv.cell(t.tenant)
            .cell(name)
            .cell(&t.region)
            .cell(t.seats)
            .cell(t.mailboxes)
            .cell(t.data_gb)
            .cell(t.batch)
            .cell(t.transition_date)
            .cell(programme.key(t.final_phase))
            .cell(t.final_status.key())
            .cell(t.slips)
            .cells(t.causes.slips)
            .cell(t.causes.last_slip.map(SlipCause::key))
            .cell(t.causes.miss.map(MissCause::key))
            .cell(t.retries)
            .cell(t.errors)
            .cell(t.copy_phase_hours)
            .cell(t.window_hours)
            .cell(t.directory_objects.is_some())
            .cell(t.directory_objects)
            .cell(t.over_quota)
            .cell(t.coexistence)
            .cell(t.blackberry)
            .cell(t.tickets)
            .cell(t.chat.contact_pairs)
            .cell(t.chat.users_early)
            .cell(t.chat.peak_cross_island_fraction)
            .cell(t.chat.peak_broken_contact_fraction)
            .cell(t.chat.islands)
            .cell(t.chat.stranded_users)
            .cell(t.chat.im_disruption_user_hours)
            .end_row();
    }
    csv.finish()
}

pub fn batches_csv(records: &[BatchRecord]) -> Vec<u8> {
    let mut csv = CsvBuilder::new(files::batches::HEADER);
    for b in records {
        csv.cell(b.batch)
            .cell(b.weekend)
            .cell(b.tenants)
            .cell(b.seats)
            .cell(b.data_gb)
            .cell(b.transitioned)
            .cell(b.slipped)
            .end_row();
    }
    csv.finish()
}

/// timeseries.csv: one column per phase of `programme`, by its key.
pub fn timeseries_csv(programme: &Programme, samples: &[DailySample]) -> Vec<u8> {
    use files::timeseries as ts;
    let mut header = vec![ts::DAY, ts::DATE];
    header.extend(programme.phases().map(|p| programme.key(p)));
    header.push(ts::TRANSITIONED);
    header.extend(Load::COLUMNS);
    header.extend(ts::CHAT);
    let mut csv = CsvBuilder::new(header);
    for s in samples {
        let c = &s.chat;
        csv.cell(s.day)
            .cell(s.date)
            .cells(s.phases.iter().copied())
            .cell(s.transitioned)
            .cells(s.load.values())
            .cells([c.cross_island_pairs, c.broken_pairs, c.stranded_users])
            .end_row();
    }
    csv.finish()
}

/// An ISO 8601 date and time to the minute, `YYYY-MM-DDTHH:MM`, of `t` after the start.
pub fn format_datetime(start: Date, t: SimTime) -> String {
    text_of(DateTime { start, time: t })
}

/// completion.csv: tenants transitioned by the end of each day, across replications (each
/// `runs[r][d]` is replication `r`'s count by the end of day `d`).
pub fn completion_csv(start: Date, runs: &[&[u32]]) -> Vec<u8> {
    let days = runs.iter().map(|r| r.len()).min().unwrap_or(0);
    let mut column = Vec::with_capacity(runs.len());
    let mut csv = CsvBuilder::new(files::completion::HEADER);
    for d in 0..days {
        column.clear();
        column.extend(runs.iter().map(|r| f64::from(r[d])));
        column.sort_unstable_by(f64::total_cmp);
        let mean = column.iter().sum::<f64>() / column.len() as f64;
        csv.cell(d)
            .cell(start.add_days(d as i64))
            .cells([
                mean,
                quantile_sorted(&column, 0.1),
                quantile_sorted(&column, 0.5),
                quantile_sorted(&column, 0.9),
            ])
            .end_row();
    }
    csv.finish()
}

/// weekly.csv or weekly_detail.csv: `weeks[w]` holds week `w`'s values in
/// `WeekCounts::COLUMNS` order (a replication's counts, or their means over replications).
pub fn weekly_csv(start: Date, weeks: &[[f64; 6]]) -> Vec<u8> {
    let w = &files::weekly::COUNTS;
    let mut header = vec![files::weekly::WEEK, files::weekly::WEEK_START];
    header.extend(w);
    let mut csv = CsvBuilder::new(header);
    for (i, values) in weeks.iter().enumerate() {
        csv.cell(i)
            .cell(start.add_days(7 * i as i64))
            .cells(*values)
            .end_row();
    }
    csv.finish()
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
    let mut csv = CsvBuilder::new(header);
    for s in samples {
        csv.cell(DateTime {
            start,
            time: s.time,
        })
        .cells(s.load.values())
        .end_row();
    }
    csv.finish()
}

/// spans.csv: every weekend phase of every attempt of the detail replication.
pub fn spans_csv(programme: &Programme, start: Date, spans: &[PhaseSpan]) -> Vec<u8> {
    let at = |time: SimTime| DateTime { start, time };
    let mut csv = CsvBuilder::new(files::spans::HEADER);
    for s in spans {
        csv.cell(s.tenant)
            .cell(s.batch)
            .cell(s.weekend)
            .cell(programme.key(s.phase))
            .cell(at(s.start))
            .cell(s.end.map(at))
            .cell(s.done.map(at))
            .cell(s.outcome.key())
            .end_row();
    }
    csv.finish()
}

/// islands.csv: cross-island and broken shares against days from T, across tenants.
pub fn islands_csv(rows: &[IslandsByDay]) -> Vec<u8> {
    let mut csv = CsvBuilder::new(files::islands::HEADER);
    for r in rows {
        csv.cell(r.days_from_t).cell(r.tenants);
        for band in [r.cross_island, r.broken] {
            csv.cells([band.mean, band.p10, band.p90]);
        }
        csv.end_row();
    }
    csv.finish()
}

/// comparison.csv: per policy and metric, the mean with its interval (clamped to the metric's
/// range) and the paired difference from the baseline policy with its interval, the paired t
/// test's p-value and its Holm adjustment over the whole file; `significant` is `p_holm < 0.05`.
pub fn comparison_csv(rows: &[ComparisonRow]) -> Vec<u8> {
    let mut csv = CsvBuilder::new(files::comparison::HEADER);
    for r in rows {
        let (s, d) = (&r.summary, &r.difference);
        csv.cell(&r.policy)
            .cell(r.metric)
            .cells([
                s.mean,
                s.ci95_low,
                s.ci95_high,
                d.mean,
                d.ci95_low,
                d.ci95_high,
                r.p_value,
                r.p_holm,
            ])
            .cell(r.significant())
            .end_row();
    }
    csv.finish()
}

/// selection.csv: what `cutover select` did with each policy (labels in policy order).
pub fn selection_csv(labels: &[String], s: &Selection) -> Vec<u8> {
    let mut csv = CsvBuilder::new(files::selection::HEADER);
    for (i, (label, c)) in labels.iter().zip(&s.contenders).enumerate() {
        csv.cell(label)
            .cell(c.replications)
            .cell(c.mean)
            .cell(c.eliminated_after)
            .cell(i == s.selected)
            .end_row();
    }
    csv.finish()
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
                .map(|s| files::seek::constraint_column(i, s)),
        );
    }
    let mut csv = CsvBuilder::new(&header);
    for (i, e) in r.evaluated.iter().enumerate() {
        csv.cell(i)
            .cells(e.values.iter().copied())
            .cell(e.cost)
            .cell(e.replications)
            .cell(e.verdict.key());
        for c in &e.checks {
            csv.cell(c.estimate)
                .cell(c.bound)
                .cell(c.verdict.key())
                .cell(c.measured);
        }
        csv.end_row();
    }
    csv.finish()
}

/// tradeoffs.csv: per policy and trade-off metric, its mean beside the baseline's, which side is
/// better, the Holm-adjusted p-value of the difference, and the policies that dominate it
/// (`;`-separated, empty if none).
pub fn tradeoffs_csv(rows: &[TradeoffRow]) -> Vec<u8> {
    let mut csv = CsvBuilder::new(files::tradeoffs::HEADER);
    for r in rows {
        csv.cell(&r.policy)
            .cell(r.metric)
            .cell(r.better.key())
            .cell(r.mean)
            .cell(r.baseline_mean)
            .cell(r.mean - r.baseline_mean)
            .cell(r.p_holm)
            .cell(!r.dominated_by.is_empty())
            .cell(r.dominated_by.join(";").as_str())
            .end_row();
    }
    csv.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

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
