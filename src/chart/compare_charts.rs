//! The charts of a comparison folder, from its comparison.csv: per main metric, each policy's mean
//! with its 95% interval, and its paired difference from the baseline with the paired interval.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use plotters::coord::ranged1d::Ranged;

use super::frame::{
    Axis, DARK_RED, Figure, GREY, Labelled, MUTED, Mark, UNBOUNDED, bounds, font, heading,
    interval, legend, legend_height, note_centred, plot, series_colour, write_chart,
};
use super::table::{ManifestInfo, Table};
use super::{MAIN_METRICS, feasible};
use crate::error::Error;
use crate::files::{self, comparison as c};

pub(super) fn draw(dir: &Path, manifest: &ManifestInfo, out: &Path) -> Result<Vec<PathBuf>, Error> {
    let table = Table::read(dir, files::comparison::FILE)?;
    let policy = table.text(c::POLICY)?;
    let metric = table.text(c::METRIC)?;
    let mean = table.numbers(c::MEAN)?;
    let low = table.numbers(c::CI95_LOW)?;
    let high = table.numbers(c::CI95_HIGH)?;
    let diff = table.numbers(c::DIFF_VS_BASELINE)?;
    let diff_low = table.numbers(c::DIFF_CI95_LOW)?;
    let diff_high = table.numbers(c::DIFF_CI95_HIGH)?;
    let significant = table.text(c::SIGNIFICANT)?;
    // Holm's family: every test comparison.csv holds, a p-value per policy but the baseline
    // and per metric.
    let family = table
        .text(c::P_HOLM)?
        .iter()
        .filter(|p| !p.trim().is_empty())
        .count();
    let tenants = super::most_tenants(dir)?;
    let mut written = Vec::new();
    for (name, label) in MAIN_METRICS {
        let rows: Vec<PolicyRow> = (0..table.len())
            .filter(|&i| metric[i] == *name)
            .map(|i| PolicyRow {
                policy: policy[i].to_string(),
                mean: (mean[i], low[i], high[i]),
                diff: (diff[i], diff_low[i], diff_high[i]),
                significant: significant[i] == "true",
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        let baseline = rows[0].policy.clone();
        let figure = ByPolicy {
            title: format!("{}: {label} by policy", manifest.scenario),
            subtitle: format!(
                "{} paired replications per policy; left: mean, 95% interval within the metric's range; right: difference from {baseline}, paired 95% interval (unadjusted; colour: Holm over all {family} tests)",
                manifest
                    .replications
                    .map_or_else(|| "?".to_string(), |r| r.to_string())
            ),
            metric: label.to_string(),
            range: feasible(name, tenants),
            baseline,
            rows,
        };
        written.extend(write_chart(out, &format!("compare_{name}"), &figure)?);
    }
    Ok(written)
}

struct PolicyRow {
    policy: String,
    mean: (f64, f64, f64),
    diff: (f64, f64, f64),
    significant: bool,
}

/// What a policy's paired difference from the baseline says, as the chart colours it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Verdict {
    /// Beyond chance: the Holm-adjusted p-value below 0.05.
    Differs,
    WithinChance,
    /// The difference and both ends of its interval exactly 0: the two gave the same value in
    /// every replication, which "within chance" would misstate as noise.
    Identical,
}

impl Verdict {
    /// Its colour, and whether its point is filled.
    fn style(self) -> (RGBColor, bool) {
        match self {
            Verdict::Differs => (DARK_RED, true),
            Verdict::WithinChance => (GREY, false),
            Verdict::Identical => (MUTED, false),
        }
    }

    fn mark(self) -> Mark {
        let (colour, filled) = self.style();
        Mark::Interval(colour, filled)
    }
}

impl PolicyRow {
    fn verdict(&self) -> Verdict {
        if self.significant {
            Verdict::Differs
        } else if self.diff == (0.0, 0.0, 0.0) {
            Verdict::Identical
        } else {
            Verdict::WithinChance
        }
    }
}

struct ByPolicy {
    title: String,
    subtitle: String,
    metric: String,
    /// The values the metric can take: the means' axis stays inside.
    range: (f64, f64),
    baseline: String,
    rows: Vec<PolicyRow>,
}

impl ByPolicy {
    /// The axis of the means and their intervals, within what the metric can take.
    fn mean_axis(&self) -> Axis {
        Axis::padded(
            self.rows
                .iter()
                .flat_map(|r| [r.mean.0, r.mean.1, r.mean.2]),
            self.range,
        )
    }

    /// The axis of the differences, zero always on it (they are read against it), with the top
    /// `room` of its height (a share) free for the legend: with the intervals of two or three
    /// policies across the panel, a legend in any corner would otherwise cover an end of one.
    fn diff_axis(&self, room: f64) -> Axis {
        let values: Vec<f64> = self
            .rows
            .iter()
            .flat_map(|r| [r.diff.0, r.diff.1, r.diff.2])
            .chain([0.0])
            .filter(|v| v.is_finite())
            .collect();
        let (bottom, top) = bounds(values.iter().copied());
        let axis = Axis::padded(values.iter().copied(), UNBOUNDED);
        if bottom >= top {
            return axis;
        }
        // Room made above the data a tenth of its span at a time, up to as much again.
        let free = |axis: &Axis| {
            let range = axis.range();
            (range.end - top) / (range.end - range.start) >= room
        };
        (1..=10)
            .map(|k| {
                let above = top + (top - bottom) * f64::from(k) / 10.0;
                Axis::padded(values.iter().copied().chain([above]), UNBOUNDED)
            })
            .find(free)
            .unwrap_or(axis)
    }
}

impl Figure for ByPolicy {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let body = heading(root, &self.title, &self.subtitle)?;
        let (w, _) = body.dim_in_pixel();
        let (left, right) = body.split_horizontally(w as i32 / 2);
        let names: Vec<String> = self.rows.iter().map(|r| r.policy.clone()).collect();

        let mut means = plot(
            &left,
            Axis::categories(names.clone(), 12),
            self.mean_axis(),
            Labelled {
                x: "policy",
                y: &self.metric,
            },
            90,
        )?;
        for (i, r) in self.rows.iter().enumerate() {
            interval(&mut means, i as f64, r.mean, series_colour(i), true)?;
        }
        if self.rows.iter().all(|r| !r.mean.0.is_finite()) {
            note_centred(&means, "no values")?;
        }

        // The colour follows the Holm-adjusted test, not the interval drawn: with several
        // policies an unadjusted interval can exclude 0 while the adjusted test does not. Only
        // the kinds the chart shows are listed.
        let entries: Vec<(String, Mark)> = [
            (Verdict::Differs, "differs (Holm p < 0.05)"),
            (Verdict::WithinChance, "within chance (Holm p >= 0.05)"),
            (Verdict::Identical, "the same in every replication"),
        ]
        .into_iter()
        .filter(|(verdict, _)| self.rows.iter().skip(1).any(|r| r.verdict() == *verdict))
        .map(|(verdict, label)| (label.to_string(), verdict.mark()))
        .collect();
        // The legend's height and margins, as a share of the plot's (the panel less the plot's
        // margins and x labels, `frame::plot`).
        let room = f64::from(legend_height(entries.len()) + 20)
            / (f64::from(right.dim_in_pixel().1) - 78.0).max(1.0);
        let mut diffs = plot(
            &right,
            Axis::categories(names, 12),
            self.diff_axis(room),
            Labelled {
                x: "policy",
                y: &format!("difference from {}", self.baseline),
            },
            90,
        )?;
        let (x0, x1) = (diffs.x_range().start, diffs.x_range().end);
        diffs.draw_series(std::iter::once(PathElement::new(
            vec![(x0, 0.0), (x1, 0.0)],
            MUTED.stroke_width(1),
        )))?;
        diffs.draw_series(std::iter::once(
            EmptyElement::at((0.0, 0.0))
                + Text::new(
                    "baseline",
                    (0, -8),
                    font(16.0)
                        .color(&MUTED)
                        .pos(Pos::new(HPos::Center, VPos::Bottom)),
                ),
        ))?;
        for (i, r) in self.rows.iter().enumerate().skip(1) {
            let (colour, filled) = r.verdict().style();
            interval(&mut diffs, i as f64, r.diff, colour, filled)?;
        }
        if self.rows.len() > 1 {
            let mut avoid: Vec<Vec<(f64, f64)>> = self
                .rows
                .iter()
                .enumerate()
                .map(|(i, r)| vec![(i as f64, r.diff.1), (i as f64, r.diff.2)])
                .chain(
                    self.rows
                        .iter()
                        .enumerate()
                        .map(|(i, r)| vec![(i as f64, r.diff.0)]),
                )
                .collect();
            avoid.push(vec![(x0, 0.0), (x1, 0.0)]);
            avoid.retain(|l| l.iter().all(|(x, y)| x.is_finite() && y.is_finite()));
            legend(&diffs, &entries, &avoid)?;
        } else {
            note_centred(&diffs, "only the baseline: nothing to compare")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use plotters::coord::ranged1d::Ranged;

    use super::*;

    #[test]
    fn the_axis_of_tenants_transitioned_ends_at_the_tenants_there_are() {
        // Means of 196 and 199 of 200 tenants, intervals reaching 203.
        let row = |policy: &str, mean: f64| PolicyRow {
            policy: policy.into(),
            mean: (mean, mean - 7.0, 203.0),
            diff: (0.0, 0.0, 0.0),
            significant: false,
        };
        let chart = |tenants| ByPolicy {
            title: String::new(),
            subtitle: String::new(),
            metric: "tenants transitioned".into(),
            range: feasible("transitioned", tenants),
            baseline: "fifo".into(),
            rows: vec![row("fifo", 196.0), row("random", 199.0)],
        };
        assert_eq!(chart(200.0).mean_axis().range().end, 200.0);
        assert!(chart(f64::INFINITY).mean_axis().range().end > 203.0);
    }

    #[test]
    fn the_differences_leave_room_for_the_legend_above_them() {
        // Intervals from the bottom of the data to its top (as in a comparison of tenants
        // transitioned): a legend in any corner would cover an end of one.
        let row = |policy: &str, diff: (f64, f64, f64)| PolicyRow {
            policy: policy.into(),
            mean: (0.0, 0.0, 0.0),
            diff,
            significant: false,
        };
        let chart = |rows| ByPolicy {
            title: String::new(),
            subtitle: String::new(),
            metric: "tenants transitioned".into(),
            range: feasible("transitioned", 6000.0),
            baseline: "fifo".into(),
            rows,
        };
        let crowded = chart(vec![
            row("fifo", (0.0, 0.0, 0.0)),
            row("smallest-first", (-0.2, -0.65, 0.25)),
            row("region-waves", (-0.3, -0.65, 0.05)),
        ]);
        let range = crowded.diff_axis(0.15).range();
        assert!(
            (range.end - 0.25) / (range.end - range.start) >= 0.15,
            "{range:?}"
        );
        assert!(range.start < -0.65, "{range:?}");
        // Every difference zero: nothing to make room above.
        let same = chart(vec![
            row("fifo", (0.0, 0.0, 0.0)),
            row("fifo#2", (0.0, 0.0, 0.0)),
        ]);
        assert_eq!(
            same.diff_axis(0.15).range(),
            Axis::padded([0.0], UNBOUNDED).range()
        );
    }

    #[test]
    fn policies_with_no_slips_are_not_drawn_on_a_negative_axis() {
        let row = |policy: &str| PolicyRow {
            policy: policy.into(),
            mean: (0.0, 0.0, 0.0),
            diff: (0.0, 0.0, 0.0),
            significant: false,
        };
        let chart = ByPolicy {
            title: String::new(),
            subtitle: String::new(),
            metric: "slips (rollbacks)".into(),
            range: feasible("slips", f64::INFINITY),
            baseline: "fifo".into(),
            rows: vec![row("fifo"), row("smallest-first")],
        };
        let axis = chart.mean_axis();
        assert_eq!(axis.range().start, 0.0, "no negative slips on the axis");
        assert!(axis.range().end > 0.0);
    }

    #[test]
    fn a_difference_of_zero_in_every_replication_is_not_called_chance() {
        let row = |diff: (f64, f64, f64), significant: bool| PolicyRow {
            policy: "random".into(),
            mean: (1.0, 0.0, 2.0),
            diff,
            significant,
        };
        assert_eq!(row((0.0, 0.0, 0.0), false).verdict(), Verdict::Identical);
        assert_eq!(
            row((0.0, -0.5, 0.5), false).verdict(),
            Verdict::WithinChance
        );
        assert_eq!(row((2.0, 1.0, 3.0), true).verdict(), Verdict::Differs);
    }
}
