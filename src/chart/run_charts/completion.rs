//! The completion chart: tenants transitioned over time, mean and P10 to P90 band over the
//! replications, against the deadline, with a close-up of the last tenants.

use std::ops::Range;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::chart::frame::{
    Axis, BLUE, Figure, Labelled, MUTED, Mark, Plot, RED, band, bounds, clip_line, clip_polygon,
    heading, horizontal, legend, note_centred, plot, runs, thousands, vertical, vertical_marker,
};
use crate::chart::table::Table;
use crate::error::Error;
use crate::files::{self, completion, replications};

use super::RunContext;

pub(super) struct Completion {
    title: String,
    subtitle: String,
    x: Vec<f64>,
    mean: Vec<f64>,
    p10: Vec<f64>,
    p90: Vec<f64>,
    tenants: Option<f64>,
    replications: String,
    context: RunContextMarks,
}

/// The deadline, copied out of the context so a figure owns what it draws.
struct RunContextMarks {
    deadline_end: Option<f64>,
    deadline: Option<String>,
}

impl Completion {
    pub(super) fn read(dir: &Path, context: &RunContext) -> Result<Completion, Error> {
        let table = Table::read(dir, files::completion::FILE)?;
        table.check_steps(completion::DAY, completion::DATE, 1.0)?;
        // A row is the count by the end of its day.
        let x: Vec<f64> = table
            .times(completion::DATE)?
            .into_iter()
            .map(|d| d + 1.0)
            .collect();
        let mean = table.numbers(completion::MEAN)?;
        let p10 = table.numbers(completion::P10)?;
        let p90 = table.numbers(completion::P90)?;
        let replications = Table::read(dir, files::replications::FILE)?;
        let n = replications.len();
        let (_, tenants) = bounds(replications.numbers(replications::TENANTS)?);
        let at_deadline = context.deadline_end.and_then(|d| {
            x.iter()
                .position(|x| (x - d).abs() < 1e-9)
                .map(|i| (mean[i], p10[i], p90[i]))
        });
        let subtitle = match (at_deadline, &context.deadline) {
            (Some((m, lo, hi)), Some(date)) if m.is_finite() => format!(
                "by the deadline ({date}): {} tenants on average, P10 {}, P90 {}",
                count_as_is(m),
                count_as_is(lo),
                count_as_is(hi)
            ),
            _ => format!("cumulative, by the end of each day, across {n} replications"),
        };
        Ok(Completion {
            title: format!("{}: tenants transitioned", context.scenario),
            subtitle,
            x,
            mean,
            p10,
            p90,
            tenants: tenants.is_finite().then_some(tenants),
            replications: match n {
                1 => "1 replication".into(),
                n => format!("mean of {n} replications"),
            },
            context: RunContextMarks {
                deadline_end: context.deadline_end,
                deadline: context.deadline.clone(),
            },
        })
    }
}

/// Days before the deadline the close-up panel of the completion chart starts.
const CLOSE_UP_DAYS: f64 = 42.0;

impl Completion {
    /// Draws the band, the mean, the line of all tenants and the deadline on `chart`, and
    /// returns what the legend says of them and the lines a legend must not cover.
    #[allow(clippy::type_complexity)]
    fn draw_series<DB: DrawingBackend>(
        &self,
        chart: &mut Plot<'_, DB>,
    ) -> DrawResult<(Vec<(String, Mark)>, Vec<Vec<(f64, f64)>>), DB> {
        let (band, mean) = self.inside(&chart.x_range(), &chart.y_range());
        chart.draw_series(
            band.into_iter()
                .map(|p| Polygon::new(p, BLUE.mix(0.25).filled())),
        )?;
        for run in mean {
            chart.draw_series(LineSeries::new(run, BLUE.stroke_width(3)))?;
        }
        let mut entries = vec![
            (self.replications.clone(), Mark::Line(BLUE, 3)),
            ("P10 to P90".to_string(), Mark::Fill(BLUE.mix(0.25))),
        ];
        if let Some(t) = self.tenants {
            let (x0, x1) = (chart.x_range().start, chart.x_range().end);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x0, t), (x1, t)],
                MUTED.stroke_width(1),
            )))?;
            entries.push((
                // The axis ends there, so the line is the frame's top edge: said, as a line
                // drawn on the frame cannot be seen.
                format!("all {} tenants: the top edge", thousands(t, 0)),
                Mark::Line(MUTED, 1),
            ));
        }
        if let (Some(d), Some(date)) = (self.context.deadline_end, &self.context.deadline) {
            // Its date in the legend, not at the top of the line: the axis ends at all the
            // tenants, where the mean runs once they are moved.
            vertical_marker(chart, d, RED, "")?;
            entries.push((format!("deadline {date} (end of day)"), Mark::Line(RED, 2)));
        }
        let mut avoid = runs(self.x.iter().copied().zip(self.p90.iter().copied()));
        avoid.extend(runs(self.x.iter().copied().zip(self.p10.iter().copied())));
        avoid.extend(runs(self.x.iter().copied().zip(self.mean.iter().copied())));
        avoid.extend(self.tenants.map(|t| horizontal(chart, t)));
        avoid.extend(self.context.deadline_end.map(|d| vertical(chart, d)));
        Ok((entries, avoid))
    }

    /// The band's polygons and the mean's lines cut to a panel's ranges: the close-up shows the
    /// end of the series, and what comes before it (or below) must not be drawn on its edges.
    #[allow(clippy::type_complexity)]
    fn inside(
        &self,
        x: &Range<f64>,
        y: &Range<f64>,
    ) -> (Vec<Vec<(f64, f64)>>, Vec<Vec<(f64, f64)>>) {
        let band = band(&self.x, &self.p10, &self.p90)
            .iter()
            .map(|p| clip_polygon(p, x, y))
            .filter(|p| p.len() >= 3)
            .collect();
        let mean = runs(self.x.iter().copied().zip(self.mean.iter().copied()))
            .iter()
            .flat_map(|run| clip_line(run, x, y))
            .collect();
        (band, mean)
    }

    /// The close-up: from `CLOSE_UP_DAYS` before the deadline to the end, and on the count axis
    /// only the last tenants, where the answer (who is late, and how many) can be read, up to
    /// all of them and no further.
    fn close_up(&self, hi: f64) -> Option<(f64, f64, f64, f64)> {
        let deadline = self.context.deadline_end?;
        let total = self.tenants?;
        let from = deadline - CLOSE_UP_DAYS;
        let low = self
            .x
            .iter()
            .zip(self.p10.iter().zip(&self.mean))
            .filter(|(x, _)| **x >= from)
            .map(|(_, (p10, mean))| p10.min(*mean))
            .filter(|v| v.is_finite())
            .fold(f64::INFINITY, f64::min);
        if !low.is_finite() || hi <= from {
            return None;
        }
        let short = (total - low).max(1.0);
        Some((from, hi, (total - short * 1.15).max(0.0), total))
    }
}

impl Figure for Completion {
    /// The whole programme on the left; on the right a close-up of the last tenants against
    /// the deadline, at a scale where a handful of late tenants (and the band) can be seen.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let body = heading(root, &self.title, &self.subtitle)?;
        let (lo, hi) = bounds(self.x.iter().copied());
        let (lo, hi) = match self.context.deadline_end {
            Some(d) if lo.is_finite() => (lo.min(d), hi.max(d)),
            _ => (lo, hi),
        };
        let y_values = self
            .mean
            .iter()
            .chain(&self.p90)
            .copied()
            .chain(self.tenants);
        let close_up = self.close_up(hi);
        let (w, _) = body.dim_in_pixel();
        let (whole, side) = if close_up.is_some() {
            let (a, b) = body.split_horizontally((w as f64 * 0.6) as i32);
            (a, Some(b))
        } else {
            (body.clone(), None)
        };
        let mut chart = plot(
            &whole,
            Axis::time(lo, hi),
            // Never above the tenants there are: all of them is the top of the frame.
            match self.tenants {
                Some(total) => Axis::counts_up_to(y_values, total),
                None => Axis::counts(y_values),
            },
            Labelled {
                x: "date",
                y: "tenants transitioned (cumulative)",
            },
            90,
        )?;
        let (entries, avoid) = self.draw_series(&mut chart)?;
        if self.x.iter().all(|x| !x.is_finite()) {
            note_centred(&chart, "no days in completion.csv")?;
        }
        legend(&chart, &entries, &avoid)?;
        if let (Some(side), Some((from, to, y0, y1))) = (side, close_up) {
            let mut near = plot(
                &side,
                Axis::time(from, to),
                Axis::whole_numbers(y0, y1, (0.0, y1)),
                Labelled {
                    x: "close-up: the last tenants",
                    y: "",
                },
                70,
            )?;
            self.draw_series(&mut near)?;
        }
        Ok(())
    }
}

/// A mean or percentile of tenants as a whole number when it is one, else with the decimals
/// (up to three) that keep it from reading as one: 199.8 of 200 tenants is never `200`, which
/// would say that every replication finished them all.
fn count_as_is(x: f64) -> String {
    if !x.is_finite() || x.fract() == 0.0 {
        return thousands(x, 0);
    }
    // The fewest decimals at which it is not written as a whole number.
    (1..=3)
        .map(|places| thousands(x, places))
        .find(|written| !written.trim_end_matches('0').ends_with('.'))
        .unwrap_or_else(|| thousands(x, 3))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A mean of 199.8 tenants of 200 is never written `200`, which says they all finished.
    #[test]
    fn a_count_short_of_a_whole_number_is_written_so() {
        assert_eq!(count_as_is(200.0), "200");
        assert_eq!(count_as_is(199.8), "199.8");
        assert_eq!(count_as_is(299.96), "299.96");
        assert_eq!(count_as_is(1999.5), "1,999.5");
        assert_eq!(count_as_is(199.9999), "200.000");
    }

    #[test]
    fn the_completion_close_up_shows_the_last_tenants_against_the_deadline() {
        let x: Vec<f64> = (0..100).map(f64::from).collect();
        // 1,000 tenants, all but ten done by day 80; the deadline at the end of day 90.
        let mean: Vec<f64> = x.iter().map(|d| (d * 20.0).min(990.0)).collect();
        let chart = Completion {
            title: String::new(),
            subtitle: String::new(),
            p10: mean.iter().map(|m| m - 2.0).collect(),
            p90: mean.clone(),
            x,
            mean,
            tenants: Some(1000.0),
            replications: String::new(),
            context: RunContextMarks {
                deadline_end: Some(91.0),
                deadline: Some("1970-04-01".into()),
            },
        };
        let (from, to, y0, y1) = chart.close_up(99.0).expect("a close-up");
        assert!(from < 91.0 && to >= 91.0, "the deadline is in the close-up");
        assert_eq!(
            y1, 1000.0,
            "all tenants are the top of the close-up, not 1,001"
        );
        assert!(
            y0 > 900.0,
            "the close-up shows the last tenants, not the programme: {y0}"
        );
        // The programme before the close-up (and below its scale) is not drawn on its edges.
        let (band, mean) = chart.inside(&(from..to), &(y0..y1));
        let within = |p: &(f64, f64)| p.0 >= from && p.0 <= to && p.1 >= y0 && p.1 <= y1;
        assert!(
            !mean.is_empty() && mean.iter().flatten().all(within),
            "{mean:?}"
        );
        assert!(
            !band.is_empty() && band.iter().flatten().all(within),
            "{band:?}"
        );
    }
}
