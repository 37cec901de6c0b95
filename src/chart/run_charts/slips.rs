//! The slips chart: how many slips (a tenant moved to a later weekend) each replication had, as a
//! histogram over the replications.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::chart::frame::{
    Axis, BLUE, DARK_RED, Figure, Labelled, bounds, heading, note_centred, plot, thousands,
    vertical_marker,
};
use crate::chart::table::Table;
use crate::error::Error;
use crate::files::{self, replications};

use super::RunContext;

pub(super) struct Slips {
    title: String,
    subtitle: String,
    values: Vec<f64>,
}

impl Slips {
    pub(super) fn read(dir: &Path, context: &RunContext) -> Result<Slips, Error> {
        let table = Table::read(dir, files::replications::FILE)?;
        let values: Vec<f64> = table
            .numbers(replications::SLIPS)?
            .into_iter()
            .filter(|v| v.is_finite())
            .collect();
        let n = values.len();
        let mean = values.iter().sum::<f64>() / n.max(1) as f64;
        let reps = context.replications.map_or(n as u64, |r| r);
        Ok(Slips {
            title: format!("{}: slips per replication", context.scenario),
            subtitle: if n == 0 {
                "no replications in replications.csv".into()
            } else {
                format!(
                    "{reps} replications, mean {}; a slip is a tenant rolled back from its weekend",
                    thousands(mean, 1)
                )
            },
            values,
        })
    }

    /// Bins as (low edge, high edge, count): one per whole number when the values are few whole
    /// numbers, otherwise about twenty of a nice width.
    fn bins(&self) -> Vec<(f64, f64, f64)> {
        let (lo, hi) = bounds(self.values.iter().copied());
        if !lo.is_finite() {
            return Vec::new();
        }
        let whole = self.values.iter().all(|v| v.fract() == 0.0);
        let width = if whole && hi - lo <= 40.0 {
            1.0
        } else {
            let raw = ((hi - lo) / 20.0).max(1e-9);
            let magnitude = 10f64.powf(raw.log10().floor());
            [1.0, 2.0, 5.0, 10.0]
                .into_iter()
                .map(|m| m * magnitude)
                .find(|w| *w >= raw)
                .unwrap_or(raw)
        };
        let first = if width == 1.0 && whole {
            lo - 0.5
        } else {
            (lo / width).floor() * width
        };
        let n = (((hi - first) / width).floor() as usize + 1).min(1000);
        let mut counts = vec![0.0; n];
        for v in &self.values {
            let i = (((v - first) / width).floor() as usize).min(n - 1);
            counts[i] += 1.0;
        }
        counts
            .into_iter()
            .enumerate()
            .map(|(i, c)| (first + i as f64 * width, first + (i + 1) as f64 * width, c))
            .collect()
    }
}

/// A histogram of whole values spans at least this many bars, so that replications all on one
/// value show as a bar on a scale, not as a wall filling the plot.
const MIN_WHOLE_BARS: f64 = 5.0;

impl Slips {
    /// The slips axis over the bins: with whole values, ticks on whole numbers only (never at
    /// half a slip) from the lowest bin's edge (never at negative slips); otherwise plain.
    fn x_axis(&self, bins: &[(f64, f64, f64)]) -> Axis {
        let (lo, hi) = bounds(bins.iter().flat_map(|b| [b.0, b.1]));
        if lo.is_finite() && self.values.iter().all(|v| v.fract() == 0.0) {
            Axis::whole_numbers(lo, hi.max(lo + MIN_WHOLE_BARS), (lo, f64::INFINITY))
        } else {
            Axis::numeric(lo, hi)
        }
    }
}

impl Figure for Slips {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let body = heading(root, &self.title, &self.subtitle)?;
        let bins = self.bins();
        let mut chart = plot(
            &body,
            self.x_axis(&bins),
            Axis::counts(bins.iter().map(|b| b.2)),
            Labelled {
                x: "slips per replication (rollbacks)",
                y: "replications",
            },
            80,
        )?;
        chart.draw_series(
            bins.iter()
                .filter(|b| b.2 > 0.0)
                .map(|b| Rectangle::new([(b.0, 0.0), (b.1, b.2)], BLUE.filled())),
        )?;
        chart.draw_series(
            bins.iter()
                .filter(|b| b.2 > 0.0)
                .map(|b| Rectangle::new([(b.0, 0.0), (b.1, b.2)], WHITE.stroke_width(1))),
        )?;
        if self.values.is_empty() {
            note_centred(&chart, "no replications")?;
        } else {
            let mean = self.values.iter().sum::<f64>() / self.values.len() as f64;
            vertical_marker(
                &mut chart,
                mean,
                DARK_RED,
                &format!("mean {}", thousands(mean, 1)),
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use plotters::coord::ranged1d::{BoldPoints, Ranged};

    use super::*;

    fn axis_of(values: &[f64]) -> Axis {
        let slips = Slips {
            title: String::new(),
            subtitle: String::new(),
            values: values.to_vec(),
        };
        slips.x_axis(&slips.bins())
    }

    #[test]
    fn slips_are_counted_on_whole_numbers_from_zero() {
        for values in [
            &[0.0; 5][..],
            &[1.0, 2.0, 2.0, 3.0, 3.0],
            &[0.0, 0.0, 0.0, 2.0, 3.0],
        ] {
            let axis = axis_of(values);
            let ticks = axis.key_points(BoldPoints(100));
            assert!(
                ticks.len() >= 2 && ticks.iter().all(|t| t.fract() == 0.0 && *t >= 0.0),
                "{values:?}: ticks {ticks:?}"
            );
            let range = axis.range();
            assert!(range.start >= -0.5, "{values:?}: axis from {}", range.start);
            assert!(
                range.end - range.start >= MIN_WHOLE_BARS,
                "{values:?}: one value fills the plot ({range:?})"
            );
        }
        // Many slips: the bars are wider than one, still on whole numbers.
        let wide = axis_of(&[35.0, 44.0, 44.0, 61.0, 64.0]);
        assert!(
            wide.key_points(BoldPoints(100))
                .iter()
                .all(|t| t.fract() == 0.0)
        );
    }
}
