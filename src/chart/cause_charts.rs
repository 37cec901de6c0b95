//! The causes chart of a run folder, from its replications.csv: the mean slips and missed
//! deadlines per replication as two stacked bars, each cut by cause (`model::SlipCause`,
//! `model::MissCause`).

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::{
    Axis, BLUE, BROWN, DARK_RED, Figure, GREEN, GREY, Labelled, MUTED, Mark, ORANGE, PINK, PURPLE,
    RED, TEAL, YELLOW, font, heading, legend_at, note_centred, plot, thousands, write_chart,
};
use super::table::{ManifestInfo, Table};
use crate::error::Error;
use crate::files::replications;
use crate::model::{MissCause, SlipCause};

/// Draws `causes` if the folder's replications.csv has the cause columns (a folder written
/// before they existed has none, and draws its other charts).
pub(super) fn draw(dir: &Path, manifest: &ManifestInfo, out: &Path) -> Result<Vec<PathBuf>, Error> {
    let table = Table::read(dir, replications::FILE)?;
    let slips = SlipCause::ALL.map(|c| (format!("slips_{}", c.key()), slip_colour(c)));
    let missed = MissCause::ALL.map(|c| (format!("missed_{}", c.key()), miss_colour(c)));
    if !slips.iter().chain(&missed).all(|(name, _)| table.has(name)) {
        return Ok(Vec::new());
    }
    let mean = |name: &str| -> Result<f64, Error> {
        let values: Vec<f64> = table
            .numbers(name)?
            .into_iter()
            .filter(|v| v.is_finite())
            .collect();
        Ok(if values.is_empty() {
            0.0
        } else {
            values.iter().sum::<f64>() / values.len() as f64
        })
    };
    let segments = |causes: &[(String, RGBColor)], prefix: &str| -> Result<Vec<Segment>, Error> {
        causes
            .iter()
            .map(|(name, colour)| {
                Ok(Segment {
                    cause: name.trim_start_matches(prefix).replace('_', " "),
                    mean: mean(name)?,
                    colour: *colour,
                })
            })
            .collect()
    };
    let figure = Causes {
        title: format!(
            "{}: why tenants slipped and missed the deadline",
            manifest.scenario
        ),
        subtitle: format!(
            "mean per replication over {} replications; one cause per slip and per miss (docs/scenario.md, Causes)",
            table.len()
        ),
        bars: vec![
            ("slips".to_string(), segments(&slips, "slips_")?),
            ("missed deadline".to_string(), segments(&missed, "missed_")?),
        ],
    };
    write_chart(out, "causes", &figure)
}

fn slip_colour(c: SlipCause) -> RGBColor {
    match c {
        SlipCause::CopyBacklog => BLUE,
        SlipCause::WaitingForOperator => RED,
        SlipCause::OperatorWorking => ORANGE,
        SlipCause::Retrying => YELLOW,
        SlipCause::WorkInProgress => GREY,
    }
}

fn miss_colour(c: MissCause) -> RGBColor {
    match c {
        MissCause::InFlight => TEAL,
        MissCause::RolledBack => DARK_RED,
        MissCause::QuotaHold => PURPLE,
        MissCause::Blocked => PINK,
        MissCause::BlackberryDate => BROWN,
        MissCause::NeverBatched => GREEN,
    }
}

struct Segment {
    cause: String,
    mean: f64,
    colour: RGBColor,
}

struct Causes {
    title: String,
    subtitle: String,
    /// (label, its causes in their documented order).
    bars: Vec<(String, Vec<Segment>)>,
}

impl Figure for Causes {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let body = heading(root, &self.title, &self.subtitle)?;
        let (plot_area, side) = body.split_horizontally(body.dim_in_pixel().0 as i32 - 300);
        let totals: Vec<f64> = self
            .bars
            .iter()
            .map(|(_, s)| s.iter().map(|s| s.mean).sum())
            .collect();
        let names: Vec<String> = self
            .bars
            .iter()
            .zip(&totals)
            .map(|((label, _), total)| format!("{label} ({})", thousands(*total, 1)))
            .collect();
        let mut chart = plot(
            &plot_area,
            Axis::amounts(totals.iter().copied()),
            Axis::categories(names, 4).reversed(),
            Labelled {
                x: "mean per replication",
                y: "",
            },
            230,
        )?;
        let label = font(15.0)
            .color(&WHITE)
            .pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Center,
            ));
        for (i, (_, segments)) in self.bars.iter().enumerate() {
            let y = i as f64;
            let mut x = 0.0;
            for s in segments.iter().filter(|s| s.mean > 0.0) {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x, y - 0.3), (x + s.mean, y + 0.3)],
                    s.colour.filled(),
                )))?;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x, y - 0.3), (x + s.mean, y + 0.3)],
                    WHITE.stroke_width(1),
                )))?;
                // The share inside the segment when it is wide enough to hold it.
                let (left, _) = chart.backend_coord(&(x, y));
                let (right, _) = chart.backend_coord(&(x + s.mean, y));
                if right - left > 48 {
                    let share = s.mean / totals[i];
                    chart.draw_series(std::iter::once(Text::new(
                        format!("{:.0}%", 100.0 * share),
                        (x + s.mean / 2.0, y),
                        label.clone(),
                    )))?;
                }
                x += s.mean;
            }
        }
        if totals.iter().all(|t| *t <= 0.0) {
            note_centred(&chart, "no slips and no missed deadlines")?;
        } else {
            // A bar of nothing beside one of something: said, so the row is not read as missing.
            let none = font(16.0)
                .color(&MUTED)
                .pos(Pos::new(HPos::Left, VPos::Center));
            for ((label, _), (i, total)) in self.bars.iter().zip(totals.iter().enumerate()) {
                if *total <= 0.0 {
                    chart.draw_series(std::iter::once(
                        EmptyElement::at((0.0, i as f64))
                            + Text::new(
                                format!("no {label} in any replication"),
                                (10, 0),
                                none.clone(),
                            ),
                    ))?;
                }
            }
        }
        // One legend per bar, listing only the causes that occurred, in their documented order.
        let mut top = 30;
        for (label, segments) in &self.bars {
            let entries: Vec<(String, Mark)> = segments
                .iter()
                .filter(|s| s.mean > 0.0)
                .map(|s| {
                    (
                        format!("{} {}", s.cause, thousands(s.mean, 1)),
                        Mark::Fill(s.colour.to_rgba()),
                    )
                })
                .collect();
            if entries.is_empty() {
                continue;
            }
            side.draw_text(label, &font(17.0), (10, top))?;
            let (_, h) = legend_at(&side, (10, top + 24), &entries)?;
            top += h + 48;
        }
        Ok(())
    }
}
