//! The tenants-per-phase chart: the detail replication's tenants in each phase, stacked, day by day,
//! each phase labelled with its offset from T.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::chart::frame::{
    Axis, Figure, Labelled, Mark, RED, band, bounds, heading, note_centred, plot, runs,
    vertical_marker, with_side_legend,
};
use crate::chart::table::Table;
use crate::error::Error;
use crate::files::{self, timeseries};

use super::{ChartPhase, RunContext};

pub(super) struct Phases {
    phases: Vec<ChartPhase>,
    context_title: String,
    subtitle: String,
    x: Vec<f64>,
    layers: Vec<Vec<f64>>,
    transitioned: Vec<f64>,
    deadline: Option<(f64, String)>,
}

impl Phases {
    pub(super) fn read(dir: &Path, context: &RunContext) -> Result<Phases, Error> {
        let table = Table::read(dir, files::timeseries::FILE)?;
        table.check_steps(timeseries::DAY, timeseries::DATE, 1.0)?;
        let x = table.times(timeseries::DATE)?;
        let dates = table.text(timeseries::DATE)?;
        // A replication stops when nothing is left to happen, which may be long before the
        // deadline the axis runs to: said, so the empty end of the plot is not read as tenants
        // gone, nor the last sample as the replication's end state.
        let ended = match (x.last(), dates.last(), context.deadline_end) {
            (Some(&last), Some(date), Some(deadline)) if last + 1.0 < deadline => {
                format!("; last sample {date}: the replication ended before the next")
            }
            _ => String::new(),
        };
        let layers = context
            .phases
            .iter()
            .map(|p| table.numbers(&p.key))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Phases {
            phases: context.phases.clone(),
            context_title: format!("{}: tenants per phase", context.scenario),
            subtitle: format!(
                "{}, sampled daily; transitioned tenants stay in {}{ended}",
                context.detail,
                context
                    .phases
                    .last()
                    .map_or("the last phase", |p| p.label.as_str())
            ),
            x,
            layers,
            transitioned: table.numbers(timeseries::TRANSITIONED)?,
            deadline: context.deadline_end.zip(context.deadline.clone()),
        })
    }
}

#[cfg(test)]
impl Phases {
    pub(super) fn subtitle(&self) -> &str {
        &self.subtitle
    }
}

impl Figure for Phases {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let body = heading(root, &self.context_title, &self.subtitle)?;
        let mut entries: Vec<(String, Mark)> = self
            .phases
            .iter()
            .rev()
            .map(|p| (p.label.clone(), Mark::Fill(p.colour.to_rgba())))
            .collect();
        entries.push(("transitioned".into(), Mark::Line(BLACK, 2)));
        // The deadline's date in the legend, not on the plot: the stack fills it to the top.
        if let Some((_, date)) = &self.deadline {
            entries.push((format!("deadline {date}"), Mark::Line(RED, 2)));
        }
        let area = with_side_legend(&body, &entries)?;
        // Stack the phases in order; an empty cell counts as none.
        let mut stacked: Vec<Vec<f64>> = Vec::with_capacity(self.layers.len() + 1);
        stacked.push(vec![0.0; self.x.len()]);
        for layer in &self.layers {
            let below = stacked.last().expect("never empty");
            let next = below
                .iter()
                .zip(layer)
                .map(|(b, v)| b + if v.is_finite() { *v } else { 0.0 })
                .collect();
            stacked.push(next);
        }
        let (mut lo, mut hi) = bounds(self.x.iter().copied());
        if let Some((d, _)) = &self.deadline
            && lo.is_finite()
        {
            lo = lo.min(*d);
            hi = hi.max(*d);
        }
        let x_axis = Axis::time(lo, hi);
        // Every tenant is in one phase each day, so the stack's top is all the tenants there
        // are: the axis ends there.
        let top = stacked.last().expect("never empty");
        let (_, tenants) = bounds(top.iter().copied());
        let y_axis = Axis::counts_up_to(top.iter().copied(), tenants);
        let mut chart = plot(
            &area,
            x_axis,
            y_axis,
            Labelled {
                x: "date",
                y: "tenants",
            },
            90,
        )?;
        for (i, colour) in self.phases.iter().map(|p| p.colour).enumerate() {
            let polygons = band(&self.x, &stacked[i], &stacked[i + 1]);
            chart.draw_series(
                polygons
                    .into_iter()
                    .map(|p| Polygon::new(p, colour.mix(0.85).filled())),
            )?;
        }
        let line = runs(
            self.x
                .iter()
                .copied()
                .zip(self.transitioned.iter().copied()),
        );
        for run in line {
            chart.draw_series(LineSeries::new(run, BLACK.stroke_width(2)))?;
        }
        if let Some((d, _)) = &self.deadline {
            vertical_marker(&mut chart, *d, RED, "")?;
        }
        if self.x.iter().all(|x| !x.is_finite()) {
            note_centred(&chart, "no days in timeseries.csv")?;
        }
        Ok(())
    }
}
