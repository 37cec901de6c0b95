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
use crate::files::calibration as c;

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
            y_label: name.replace('_', " "),
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

struct FitChart {
    title: String,
    subtitle: String,
    y_label: String,
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

impl Figure for FitChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let body = heading(root, &self.title, &self.subtitle)?;
        let (lo, hi) = bounds(self.x.iter().copied());
        let (lo, hi) = if lo.is_finite() {
            (lo - 3.5, hi + 3.5)
        } else {
            (0.0, 7.0)
        };
        let ys = self.p90.iter().chain(&self.mean).copied().chain(
            self.fitted
                .iter()
                .chain(&self.held_out)
                .chain(&self.unused)
                .map(|p| p.1),
        );
        let mut chart = plot(
            &body,
            Axis::time(lo, hi),
            Axis::counts(ys),
            Labelled {
                x: "week",
                y: &self.y_label,
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
