//! The chat islands chart: the share of each tenant's contact pairs split across islands, and
//! broken, by day from T.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::chart::frame::{
    Axis, Figure, Labelled, MUTED, Mark, ORANGE, PURPLE, band, bounds, heading, legend,
    note_centred, plot, runs, thousands, vertical, vertical_marker,
};
use crate::chart::table::Table;
use crate::error::Error;
use crate::files::{self, islands};

use super::RunContext;

pub(super) struct Islands {
    title: String,
    subtitle: String,
    x: Vec<f64>,
    series: Vec<Fraction>,
}

/// One fraction of islands.csv across tenants: its mean and P10 to P90 band per day.
struct Fraction {
    label: &'static str,
    colour: RGBColor,
    mean: Vec<f64>,
    p10: Vec<f64>,
    p90: Vec<f64>,
}

impl Islands {
    pub(super) fn read(dir: &Path, context: &RunContext) -> Result<Islands, Error> {
        let table = Table::read(dir, files::islands::FILE)?;
        let mut series = Vec::new();
        for (prefix, label, colour) in [
            ("cross_island", "contacts split across islands", ORANGE),
            ("broken", "broken contacts", PURPLE),
        ] {
            series.push(Fraction {
                label,
                colour,
                mean: table.numbers(&format!("{prefix}_mean"))?,
                p10: table.numbers(&format!("{prefix}_p10"))?,
                p90: table.numbers(&format!("{prefix}_p90"))?,
            });
        }
        // Only tenants that transitioned, and had contacts, are in it: said with their count.
        let (fewest, most) = bounds(table.numbers(islands::TENANTS)?);
        let across = if !most.is_finite() {
            "across tenants".to_string()
        } else if fewest == most {
            format!(
                "across the {} transitioned tenants with contacts",
                thousands(most, 0)
            )
        } else {
            format!(
                "across {} to {} transitioned tenants with contacts",
                thousands(fewest, 0),
                thousands(most, 0)
            )
        };
        Ok(Islands {
            title: format!(
                "{}: chat islands around the service upgrade",
                context.scenario
            ),
            subtitle: format!(
                "{}: share of each tenant's contact pairs, mean and P10 to P90 {across}",
                context.detail
            ),
            x: table.numbers(islands::DAYS_FROM_T)?,
            series,
        })
    }
}

impl Islands {
    /// Whether any contact pair was split or broken on any day.
    pub(super) fn shows_anything(&self) -> bool {
        self.series
            .iter()
            .any(|f| f.mean.iter().chain(&f.p90).any(|&v| v > 0.0))
    }
}

impl Figure for Islands {
    /// One panel per share, on one axis of days: the two shares often nearly coincide, and
    /// overlaid their bands merge into one mass.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let body = heading(root, &self.title, &self.subtitle)?;
        let (lo, hi) = bounds(self.x.iter().copied());
        let panels = body.split_evenly((self.series.len().max(1), 1));
        for (k, (panel, series)) in panels.iter().zip(&self.series).enumerate() {
            let Fraction {
                label,
                colour,
                mean,
                p10,
                p90,
            } = series;
            let last = k + 1 == self.series.len();
            let mut chart = plot(
                panel,
                Axis::numeric(lo, hi),
                Axis::fractions(mean.iter().chain(p90).copied()),
                Labelled {
                    x: if last {
                        "days from T (service upgrade weekend)"
                    } else {
                        ""
                    },
                    y: "share of pairs",
                },
                80,
            )?;
            chart.draw_series(
                band(&self.x, p10, p90)
                    .into_iter()
                    .map(|p| Polygon::new(p, colour.mix(0.2).filled())),
            )?;
            for run in runs(self.x.iter().copied().zip(mean.iter().copied())) {
                chart.draw_series(LineSeries::new(run, colour.stroke_width(3)))?;
            }
            vertical_marker(&mut chart, 0.0, MUTED, "T")?;
            if self.x.iter().all(|x| !x.is_finite()) {
                note_centred(&chart, "no days in islands.csv")?;
            }
            let entries = vec![
                (format!("{label}, mean"), Mark::Line(*colour, 3)),
                (format!("{label}, P10 to P90"), Mark::Fill(colour.mix(0.2))),
            ];
            // The band as well as the line: a legend over a band hides it.
            let mut avoid = vec![vertical(&chart, 0.0)];
            avoid.extend(runs(self.x.iter().copied().zip(mean.iter().copied())));
            for i in 0..self.x.len() {
                avoid.push(vec![(self.x[i], p10[i]), (self.x[i], p90[i])]);
            }
            avoid.retain(|line| line.iter().all(|(x, y)| x.is_finite() && y.is_finite()));
            legend(&chart, &entries, &avoid)?;
        }
        Ok(())
    }
}
