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
use crate::scenario::{abbreviate, abbreviate_to};

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
        None if ReplicationMetrics::ID_COLUMNS.contains(&name) => Err(arg_error(
            flag,
            arg,
            span,
            &format!(
                "`{name}` names a replication in replications.csv, it measures nothing; metrics are the other columns"
            ),
        )),
        None => {
            let hint = crate::scenario::nearest(name, &names)
                .map_or_else(String::new, |n| format!(" (did you mean `{n}`?)"));
            Err(arg_error(
                flag,
                arg,
                span,
                &format!(
                    "no metric `{}`{hint}; metrics are the columns of replications.csv",
                    abbreviate(name)
                ),
            ))
        }
    }
}

/// A bad-input error that quotes `flag`'s argument and underlines the part at `span` (byte
/// offsets into `arg`). A long argument is quoted by its start and its length, and shown around
/// the part underlined, so that a message never repeats a huge argument.
pub fn arg_error(flag: &str, arg: &str, span: Range<usize>, message: &str) -> Error {
    let chars: Vec<char> = arg.chars().collect();
    let start = arg[..span.start.min(arg.len())].chars().count();
    let width = arg
        .get(span.clone())
        .map_or(1, |s| s.chars().count().max(1));
    let (shown, start, width) = if chars.len() <= 2 * SHOWN_OF_ARG {
        (arg.to_string(), start, width)
    } else {
        // Some context before the part, at most SHOWN_OF_ARG characters of it, some after.
        let width = width.min(SHOWN_OF_ARG);
        let from = start.saturating_sub(SHOWN_OF_ARG / 2);
        let to = (start + width + SHOWN_OF_ARG / 2).min(chars.len());
        let before = if from > 0 { "..." } else { "" };
        let after = if to < chars.len() { "..." } else { "" };
        let part: String = chars[from..to].iter().collect();
        (
            format!("{before}{part}{after}"),
            before.len() + start - from,
            width,
        )
    };
    Error::Usage(format!(
        "{flag} `{}`: {message}\n  {shown}\n  {}{}",
        abbreviate_to(arg, SHOWN_OF_ARG),
        " ".repeat(start),
        "^".repeat(width)
    ))
}

/// An error pointing at `metric` in `flag`'s argument `arg` if it has no value in any
/// replication of `scenario` (`place` says where, e.g. which cell of a sweep, after its file):
/// a study deciding on it could only fail, after simulating.
pub fn measured_in(
    scenario: &crate::scenario::Scenario,
    metric: &str,
    flag: &str,
    arg: &str,
    place: &str,
) -> Result<(), Error> {
    let Some(why) = ReplicationMetrics::never_measured(metric, scenario) else {
        return Ok(());
    };
    let at = arg.find(metric).unwrap_or(0);
    Err(arg_error(
        flag,
        arg,
        at..at + metric.len(),
        &format!(
            "`{metric}` has no value in any replication of {}{place}, as {why}; choose another metric, or change those settings",
            scenario.file
        ),
    ))
}

/// The characters of a long argument an error shows (one up to twice as long is shown whole).
const SHOWN_OF_ARG: usize = 40;

/// One metric's values over replications, in replication order.
pub fn column(metrics: &[ReplicationMetrics], col: usize) -> Vec<f64> {
    metrics.iter().map(|m| m.values()[col]).collect()
}
