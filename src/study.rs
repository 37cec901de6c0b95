//! Studies: commands that decide what to run next from what they have seen. `precision` runs
//! replications in stages until intervals are narrow enough, `select` picks the best policy with
//! a stated probability, `seek` finds the cheapest setting that meets constraints. Each asks
//! `sweep::Runner` for (variant, replication) pairs in stages, so threads, progress and
//! interruption are handled once, and a study is as deterministic as one replication.

pub mod calibrate;
pub mod key_range;
pub mod precision;
pub mod seek;
pub mod select;
pub mod sensitivity;

use std::ops::Range;

use crate::error::Error;
use crate::model::ReplicationMetrics;

/// The metrics a study can name: every column of replications.csv but the identifiers.
pub fn metric_names() -> Vec<&'static str> {
    ReplicationMetrics::COLUMNS
        .iter()
        .copied()
        .filter(|c| !ReplicationMetrics::ID_COLUMNS.contains(c))
        .collect()
}

/// The column of metric `name`, or an error that points at it in `flag`'s argument `arg`
/// (`span` is its place) and names the nearest metric.
pub fn metric_column(
    flag: &str,
    arg: &str,
    name: &str,
    span: Range<usize>,
) -> Result<(usize, &'static str), Error> {
    let names = metric_names();
    match names.iter().find(|n| **n == name) {
        Some(&metric) => Ok((
            ReplicationMetrics::COLUMNS
                .iter()
                .position(|c| *c == metric)
                .expect("a metric is a column"),
            metric,
        )),
        None => {
            let hint = crate::scenario::nearest(name, &names)
                .map_or_else(String::new, |n| format!(" (did you mean `{n}`?)"));
            Err(arg_error(
                flag,
                arg,
                span,
                &format!("no metric `{name}`{hint}; metrics are the columns of replications.csv"),
            ))
        }
    }
}

/// A bad-input error that quotes `flag`'s argument and underlines the part at `span` (byte
/// offsets into `arg`).
pub fn arg_error(flag: &str, arg: &str, span: Range<usize>, message: &str) -> Error {
    let start = arg[..span.start.min(arg.len())].chars().count();
    let width = arg
        .get(span.clone())
        .map_or(1, |s| s.chars().count().max(1));
    Error::Usage(format!(
        "{flag} `{arg}`: {message}\n  {}\n  {}{}",
        arg,
        " ".repeat(start),
        "^".repeat(width)
    ))
}

/// One metric's values over replications, in replication order.
pub fn column(metrics: &[ReplicationMetrics], col: usize) -> Vec<f64> {
    metrics.iter().map(|m| m.values()[col]).collect()
}
