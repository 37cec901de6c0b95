//! The charts of a calibration folder, from its fit.csv: per observed column, the calibrated
//! scenario's weekly mean and P10 to P90 band over the whole horizon, the observed weeks as
//! points (filled where fitted, hollow where held out or unused), and where the fit ends.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{
    Axis, BLUE, Figure, Labelled, Mark, ORANGE, RED, band, bounds, heading, legend, note_centred,
    plot, runs, vertical, vertical_marker, write_chart,
};
use super::table::{ManifestInfo, Table};
use crate::error::Error;
use crate::files::{calibration as c, weekly};

pub(super) fn draw(dir: &Path, manifest: &ManifestInfo, out: &Path) -> Result<Vec<PathBuf>, Error> {
    let table = Table::read(dir, c::FIT_FILE)?;
    let column = table.text(c::COLUMN)?;
    let role = table.text(c::ROLE)?;
    // A week's values cover the seven days from its start: drawn at its middle.
    let x: Vec<f64> = table
        .times(c::WEEK_START)?
        .into_iter()
        .map(|d| d + 3.5)
        .collect();
    let observed = table.numbers(c::OBSERVED)?;
    let mean = table.numbers(c::MEAN)?;
    let p10 = table.numbers(c::P10)?;
    let p90 = table.numbers(c::P90)?;
    let mut names: Vec<&str> = Vec::new();
    for n in &column {
        if !names.contains(n) {
            names.push(n);
        }
    }
    let mut written = Vec::new();
    for name in names {
        let rows: Vec<usize> = (0..table.len()).filter(|&i| column[i] == name).collect();
        let pick = |v: &[f64]| rows.iter().map(|&i| v[i]).collect::<Vec<f64>>();
        let points = |which: &[&str]| {
            rows.iter()
                .filter(|&&i| which.contains(&role[i]))
                .map(|&i| (x[i], observed[i]))
                .collect::<Vec<_>>()
        };
        let fit_end = rows
            .iter()
            .filter(|&&i| role[i] == "fit")
            .map(|&i| x[i] + 3.5)
            .fold(f64::NAN, f64::max);
        let figure = FitChart {
            title: format!(
                "{}: {name} per week, observed and calibrated",
                manifest.scenario
            ),
            subtitle: format!(
                "calibrated scenario: mean and P10 to P90 over {} replications; dots: observed weeks",
                manifest
                    .replications
                    .map_or_else(|| "?".to_string(), |r| r.to_string())
            ),
            scale: ColumnScale::of(name),
            x: pick(&x),
            mean: pick(&mean),
            p10: pick(&p10),
            p90: pick(&p90),
            fitted: points(&["fit"]),
            held_out: points(&["holdout"]),
            unused: points(&["unused"]),
            fit_end,
        };
        written.extend(write_chart(out, &format!("calibration_{name}"), &figure)?);
    }
    Ok(written)
}

/// How an observed column is read on the value axis: what it counts, with its unit, and
/// whether it counts things (whole ticks) or measures an amount (terabytes copied, a week's
/// total of a fraction of one).
struct ColumnScale {
    label: String,
    counts: bool,
}

impl ColumnScale {
    fn of(column: &str) -> ColumnScale {
        let (label, counts) = match column {
            weekly::TRANSITIONED => ("tenants transitioned", true),
            weekly::SLIPS => ("slips (rollbacks)", true),
            weekly::ERRORS => ("errors (hard failures)", true),
            weekly::RETRIES => ("retries (transient failures)", true),
            weekly::HELPDESK_TICKETS => ("help-desk tickets", true),
            weekly::COPIED_TB => ("TB copied", false),
            // A column no version of cutover writes: its name, on a scale of any step.
            other => {
                return ColumnScale {
                    label: other.replace('_', " "),
                    counts: false,
                };
            }
        };
        ColumnScale {
            label: label.to_string(),
            counts,
        }
    }

    fn axis(&self, values: impl IntoIterator<Item = f64>) -> Axis {
        if self.counts {
            Axis::counts(values)
        } else {
            Axis::amounts(values)
        }
    }
}

struct FitChart {
    title: String,
    subtitle: String,
    scale: ColumnScale,
    x: Vec<f64>,
    mean: Vec<f64>,
    p10: Vec<f64>,
    p90: Vec<f64>,
    fitted: Vec<(f64, f64)>,
    held_out: Vec<(f64, f64)>,
    unused: Vec<(f64, f64)>,
    /// The end of the last fitted week.
    fit_end: f64,
}

impl FitChart {
    /// The value axis: every mean, P90 and observed value, on the column's own scale.
    fn y_axis(&self) -> Axis {
        let observed = self.fitted.iter().chain(&self.held_out).chain(&self.unused);
        self.scale.axis(
            self.p90
                .iter()
                .chain(&self.mean)
                .copied()
                .chain(observed.map(|p| p.1)),
        )
    }
}

impl Figure for FitChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let body = heading(root, &self.title, &self.subtitle)?;
        let (lo, hi) = bounds(self.x.iter().copied());
        let (lo, hi) = if lo.is_finite() {
            (lo - 3.5, hi + 3.5)
        } else {
            (0.0, 7.0)
        };
        let mut chart = plot(
            &body,
            Axis::time(lo, hi),
            self.y_axis(),
            Labelled {
                x: "date (each week drawn at its middle)",
                y: &self.scale.label,
            },
            90,
        )?;
        chart.draw_series(
            band(&self.x, &self.p10, &self.p90)
                .into_iter()
                .map(|p| Polygon::new(p, BLUE.mix(0.2).filled())),
        )?;
        for run in runs(self.x.iter().copied().zip(self.mean.iter().copied())) {
            chart.draw_series(LineSeries::new(run, BLUE.stroke_width(3)))?;
        }
        let mut entries = vec![
            ("simulated mean".to_string(), Mark::Line(BLUE, 3)),
            ("P10 to P90".to_string(), Mark::Fill(BLUE.mix(0.2))),
        ];
        chart.draw_series(
            self.fitted
                .iter()
                .map(|&p| Circle::new(p, 6, ORANGE.filled())),
        )?;
        if !self.fitted.is_empty() {
            entries.push(("observed, fitted".into(), Mark::Dot(ORANGE, true)));
        }
        for (points, colour, label) in [
            (&self.held_out, RED, "observed, held out"),
            (&self.unused, ORANGE, "observed, not used"),
        ] {
            chart.draw_series(
                points
                    .iter()
                    .map(|&p| Circle::new(p, 6, colour.stroke_width(3))),
            )?;
            if !points.is_empty() {
                entries.push((label.into(), Mark::Dot(colour, false)));
            }
        }
        if self.fit_end.is_finite() && !self.held_out.is_empty() {
            vertical_marker(&mut chart, self.fit_end, RED, "end of the fit")?;
        }
        if self.x.iter().all(|x| !x.is_finite()) {
            note_centred(&chart, "no weeks in fit.csv")?;
        }
        let mut avoid = runs(self.x.iter().copied().zip(self.p90.iter().copied()));
        avoid.extend(runs(self.x.iter().copied().zip(self.mean.iter().copied())));
        avoid.extend(
            self.fitted
                .iter()
                .chain(&self.held_out)
                .chain(&self.unused)
                .map(|&p| vec![p]),
        );
        if self.fit_end.is_finite() && !self.held_out.is_empty() {
            avoid.push(vertical(&chart, self.fit_end));
        }
        legend(&chart, &entries, &avoid)
    }
}

#[cfg(test)]
mod tests {
    use plotters::coord::ranged1d::Ranged;

    use super::*;

    fn chart(column: &str, values: &[f64]) -> FitChart {
        FitChart {
            title: String::new(),
            subtitle: String::new(),
            scale: ColumnScale::of(column),
            x: (0..values.len()).map(|i| i as f64 * 7.0).collect(),
            mean: values.to_vec(),
            p10: values.iter().map(|v| v * 0.8).collect(),
            p90: values.iter().map(|v| v * 1.1).collect(),
            fitted: vec![(0.0, values[0])],
            held_out: Vec::new(),
            unused: Vec::new(),
            fit_end: f64::NAN,
        }
    }

    #[test]
    fn terabytes_copied_are_drawn_on_a_scale_of_their_size() {
        // Under half a terabyte a week: a scale of whole terabytes would squash it to the floor.
        let axis = chart(weekly::COPIED_TB, &[0.0, 0.31, 0.45, 0.29]).y_axis();
        let range = axis.range();
        assert_eq!(range.start, 0.0);
        assert!(
            range.end >= 0.45 * 1.1 && range.end <= 0.6 + 1e-9,
            "copied_tb under 0.5 drawn up to {}",
            range.end
        );
        assert_eq!(ColumnScale::of(weekly::COPIED_TB).label, "TB copied");
    }

    #[test]
    fn counted_columns_keep_whole_ticks() {
        let axis = chart(weekly::SLIPS, &[0.0, 0.2, 0.4]).y_axis();
        assert_eq!(axis.range().start, 0.0);
        assert!(
            axis.range().end >= 1.0,
            "a count axis is at least one slip high"
        );
        assert_eq!(axis.label(1.0), "1", "no fractions of a slip on the scale");
        let axis = chart(weekly::TRANSITIONED, &[0.0, 25.0, 24.6]).y_axis();
        assert!(axis.range().end >= 25.0 * 1.1);
    }
}
