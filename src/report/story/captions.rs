//! Where each chart goes on the report's page, and its caption in a sentence.

use crate::chart::{MAIN_METRICS, file_parts};
use crate::report::Folder;
use crate::report::html::escape;

use super::{in_words, label};

/// Where a chart goes on the page: a run's in story order, a sweep's or comparison's by metric.
pub(in crate::report) fn chart_rank(name: &str) -> usize {
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
pub(in crate::report) fn chart_caption(name: &str, folder: &Folder) -> String {
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
             by cause, with the 95% interval of each bar's mean; the legends give each cause's \
             mean and share with their intervals."
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
    let parts = file_parts(&keys);
    for (m, _) in MAIN_METRICS {
        if let Some(key) = name.strip_prefix(&format!("{m}_by_")) {
            // File names spell a dotted key with underscores.
            let key = keys
                .iter()
                .zip(&parts)
                .find(|(_, part)| *part == key)
                .map_or(key, |(k, _)| k.as_str());
            return format!(
                "{}: the mean of each cell with its 95% interval, against <code>{}</code>.",
                escape(&label(m)),
                escape(key)
            );
        }
    }
    escape(name)
}

/// The names of the phases the weekend chart draws: those spans.csv records, as the manifest
/// lists them, but for any that start after the chart's axis ends (a decommission a fortnight
/// on); from a manifest that lists none, the BPOS programme's.
fn weekend_phases(folder: &Folder) -> Vec<String> {
    let spanned: Vec<crate::chart::RecordedPhase> = crate::chart::recorded_phases(&folder.manifest)
        .into_iter()
        .filter(|p| p.spans)
        .collect();
    let days = |hours: Option<f64>| hours.map(|h| h / 24.0);
    let axis_end = spanned
        .iter()
        .position(|p| p.window_hours.is_some())
        .and_then(|w| {
            let close = days(spanned[w].start_hours)? + days(spanned[w].window_hours)?;
            let next = spanned
                .get(w + 1)
                .and_then(|n| days(n.start_hours))
                .unwrap_or(close);
            Some(crate::chart::latest_axis_end(close, next))
        });
    let recorded: Vec<String> = spanned
        .into_iter()
        .filter(|p| axis_end.is_none_or(|end| days(p.start_hours).is_none_or(|s| s < end)))
        .map(|p| p.name)
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
