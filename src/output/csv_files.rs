//! The CSV files of a run, as bytes: replications, summary, tenants, batches and the daily time series.

use crate::compare::ComparisonRow;
use crate::model::{BatchRecord, DailySample, Phase, ReplicationMetrics, TenantRecord};
use crate::stats::{Summary, summarize};

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

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

fn opt_number(v: Option<f64>) -> String {
    v.map_or_else(String::new, format_number)
}

/// The columns a summary row has after its identifying columns.
pub const SUMMARY_COLUMNS: [&str; 10] = [
    "mean",
    "std",
    "ci95_low",
    "ci95_high",
    "p50",
    "p90",
    "p99",
    "min",
    "max",
    "n",
];

/// A summary's cells, in `SUMMARY_COLUMNS` order.
pub fn summary_cells(s: &Summary) -> Vec<String> {
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
                .chain(m.values().into_iter().map(format_number))
                .collect()
        }),
    )
}

/// summary.csv: one row per metric (identifiers left out) over all replications.
pub fn summary_csv(metrics: &[&ReplicationMetrics]) -> Vec<u8> {
    let header: Vec<&str> = std::iter::once("metric").chain(SUMMARY_COLUMNS).collect();
    let values: Vec<Vec<f64>> = metrics.iter().map(|m| m.values()).collect();
    let rows = ReplicationMetrics::COLUMNS
        .iter()
        .enumerate()
        .filter(|(_, name)| !ReplicationMetrics::ID_COLUMNS.contains(name))
        .map(|(col, name)| {
            let column: Vec<f64> = values.iter().map(|v| v[col]).collect();
            let s = summarize(&column);
            let mut row = vec![name.to_string()];
            row.extend(summary_cells(&s));
            row
        });
    to_bytes(&header, rows)
}

pub fn tenants_csv(records: &[TenantRecord]) -> Vec<u8> {
    let header = [
        "tenant",
        "region",
        "seats",
        "mailboxes",
        "data_gb",
        "batch",
        "transition_date",
        "final_phase",
        "final_status",
        "slips",
        "retries",
        "errors",
        "prestage_hours",
        "dataupgrade_hours",
        "contact_pairs",
        "users_early",
        "peak_cross_island_fraction",
        "peak_broken_contact_fraction",
        "islands",
        "stranded_users",
        "im_disruption_user_hours",
    ];
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
                t.final_phase.to_string(),
                t.final_status.to_string(),
                t.slips.to_string(),
                t.retries.to_string(),
                t.errors.to_string(),
                opt_number(t.prestage_hours),
                opt_number(t.dataupgrade_hours),
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
    let header = [
        "batch",
        "weekend",
        "tenants",
        "seats",
        "data_gb",
        "transitioned",
        "slipped",
    ];
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

pub fn timeseries_csv(samples: &[DailySample]) -> Vec<u8> {
    let mut header = vec!["day", "date"];
    header.extend(Phase::ALL.iter().map(|p| p.key()));
    header.extend([
        "transitioned",
        "error_queue",
        "operators_busy",
        "operators_on_duty",
        "copies_running",
        "cross_island_pairs",
        "broken_pairs",
        "stranded_users",
    ]);
    to_bytes(
        &header,
        samples.iter().map(|s| {
            let mut row = vec![s.day.to_string(), s.date.to_string()];
            row.extend(s.phases.iter().map(u32::to_string));
            row.extend(
                [
                    s.transitioned,
                    s.error_queue,
                    s.operators_busy,
                    s.operators_on_duty,
                    s.copies_running,
                ]
                .iter()
                .map(u32::to_string),
            );
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

/// comparison.csv: per policy and metric, the mean with its interval and the paired difference
/// from the baseline policy with its interval.
pub fn comparison_csv(rows: &[ComparisonRow]) -> Vec<u8> {
    let header = [
        "policy",
        "metric",
        "mean",
        "ci95_low",
        "ci95_high",
        "diff_vs_baseline",
        "diff_ci95_low",
        "diff_ci95_high",
        "significant",
    ];
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
                ]
                .into_iter()
                .map(format_number),
            );
            row.push(r.significant().to_string());
            row
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
}
