//! The causes chart of a run folder, from its replications.csv: the mean slips and missed
//! deadlines per replication as two stacked bars, each cut by cause (`model::SlipCause`,
//! `model::MissCause`).

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::{
    Axis, BLUE, BROWN, DARK_RED, Figure, GREEN, GREY, Labelled, MUTED, Mark, ORANGE, PINK, PURPLE,
    RED, TEAL, YELLOW, font, heading, legend_at, note_centred, plot, thousands, whisker,
    write_chart,
};
use super::table::{ManifestInfo, Table};
use crate::error::Error;
use crate::files::replications;
use crate::model::{MissCause, ReplicationMetrics, SlipCause};
use crate::output::summarize_metric;
use crate::report::figures;
use crate::stats;

/// Draws `causes` if the folder's replications.csv has the cause columns (a folder written
/// before they existed has none, and draws its other charts).
pub(super) fn draw(dir: &Path, manifest: &ManifestInfo, out: &Path) -> Result<Vec<PathBuf>, Error> {
    let table = Table::read(dir, replications::FILE)?;
    let slips = SlipCause::ALL.map(|c| (format!("slips_{}", c.key()), slip_colour(c)));
    let missed = MissCause::ALL.map(|c| (format!("missed_{}", c.key()), miss_colour(c)));
    if !slips.iter().chain(&missed).all(|(name, _)| table.has(name)) {
        return Ok(Vec::new());
    }
    // Each replication's count of a cause, and of all causes of a bar (one cause per slip and
    // per miss, so the causes add up to the bar).
    let counts = |causes: &[(String, RGBColor)]| -> Result<Vec<Vec<f64>>, Error> {
        causes.iter().map(|(name, _)| table.numbers(name)).collect()
    };
    let tenants = super::most_tenants(dir)?;
    let bar = |causes: &[(String, RGBColor)], prefix: &str, whole: &str| -> Result<Bar, Error> {
        let each = counts(causes)?;
        let totals: Vec<f64> = (0..table.len())
            .map(|r| each.iter().map(|c| c[r]).sum())
            .collect();
        let total = summarize_metric(whole, &totals, tenants);
        let segments = causes
            .iter()
            .zip(&each)
            .map(|((name, colour), values)| {
                let s = summarize_metric(name, values, tenants);
                let range = ReplicationMetrics::feasible_range(name, tenants);
                let share = stats::share_of_means(values, &totals);
                let cause = name.trim_start_matches(prefix).replace('_', " ");
                Segment {
                    legend: format!(
                        "{cause} {}, {}",
                        figures::estimate(s.mean, s.ci95_low, s.ci95_high, range).with_interval(),
                        figures::share(&share)
                    ),
                    mean: if s.n == 0 { 0.0 } else { s.mean },
                    share: figures::share_alone(&share),
                    colour: *colour,
                }
            })
            .collect();
        Ok(Bar {
            total: if total.n == 0 { 0.0 } else { total.mean },
            interval: (total.ci95_low, total.ci95_high),
            segments,
        })
    };
    let figure = Causes {
        title: format!(
            "{}: why tenants slipped and missed the deadline",
            manifest.scenario
        ),
        subtitle: format!(
            "mean per replication over {} replications with its 95% t interval (cut at 0); share of the bar with Fieller's 95% interval; one cause per slip and per miss (docs/scenario.md, Causes)",
            table.len()
        ),
        bars: vec![
            ("slips".to_string(), bar(&slips, "slips_", "slips")?),
            (
                "missed deadline".to_string(),
                bar(&missed, "missed_", "missed_deadline")?,
            ),
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

/// One cause of a bar: its mean per replication and its share of the bar's mean, and its legend,
/// which gives both with their intervals as the run's screen and report do: `in flight 8.1 [6.5,
/// 9.7], 89% [84%, 94%]` (the t interval of the mean, Fieller's of the share, each figure in the
/// decimals its interval supports).
struct Segment {
    mean: f64,
    /// The share as the legend writes it, without its interval (a dash for none).
    share: String,
    legend: String,
    colour: RGBColor,
}

/// A bar: the mean per replication of all its causes, with the t interval, cut by cause.
struct Bar {
    total: f64,
    interval: (f64, f64),
    /// The causes in their documented order.
    segments: Vec<Segment>,
}

struct Causes {
    title: String,
    subtitle: String,
    /// (label, bar).
    bars: Vec<(String, Bar)>,
}

impl Figure for Causes {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let body = heading(root, &self.title, &self.subtitle)?;
        let (plot_area, side) = body.split_horizontally(body.dim_in_pixel().0 as i32 - SIDE);
        let names: Vec<String> = self
            .bars
            .iter()
            .map(|(label, bar)| format!("{label} ({})", thousands(bar.total, 1)))
            .collect();
        let mut chart = plot(
            &plot_area,
            // The whiskers of the totals stay on the axis.
            Axis::amounts(self.bars.iter().flat_map(|(_, b)| [b.total, b.interval.1])),
            Axis::categories(names, 4).reversed(),
            Labelled {
                x: "mean per replication",
                y: "",
            },
            230,
        )?;
        let label = font(15.0)
            .color(&WHITE)
            .pos(Pos::new(HPos::Center, VPos::Center));
        for (i, (_, bar)) in self.bars.iter().enumerate() {
            let y = i as f64;
            let mut x = 0.0;
            for s in bar.segments.iter().filter(|s| s.mean > 0.0) {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x, y - 0.3), (x + s.mean, y + 0.3)],
                    s.colour.filled(),
                )))?;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x, y - 0.3), (x + s.mean, y + 0.3)],
                    WHITE.stroke_width(1),
                )))?;
                // The share inside the segment when it is wide enough to hold it, the figure
                // of the legend (which has its interval), in the bar's lower half: the bar's
                // whisker runs along its middle.
                let (left, _) = chart.backend_coord(&(x, y));
                let (right, _) = chart.backend_coord(&(x + s.mean, y));
                let (width, _) = chart.plotting_area().estimate_text_size(&s.share, &label)?;
                if right - left > width as i32 + 12 && s.share != figures::NONE {
                    chart.draw_series(std::iter::once(Text::new(
                        s.share.clone(),
                        (x + s.mean / 2.0, y + SHARE_OFFSET),
                        label.clone(),
                    )))?;
                }
                x += s.mean;
            }
            whisker(&mut chart, y, bar.interval, 9)?;
        }
        if self.bars.iter().all(|(_, b)| b.total <= 0.0) {
            note_centred(&chart, "no slips and no missed deadlines")?;
        } else {
            // A bar of nothing beside one of something: said, so the row is not read as missing.
            let none = font(16.0)
                .color(&MUTED)
                .pos(Pos::new(HPos::Left, VPos::Center));
            for (i, (label, bar)) in self.bars.iter().enumerate() {
                if bar.total <= 0.0 {
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
        // One legend per bar, listing only the causes that occurred, in their documented order:
        // each with its mean and share, and their intervals.
        let mut top = 30;
        for (label, bar) in &self.bars {
            let entries: Vec<(String, Mark)> = bar
                .segments
                .iter()
                .filter(|s| s.mean > 0.0)
                .map(|s| (s.legend.clone(), Mark::Fill(s.colour.to_rgba())))
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

/// Where a segment's share is written, from the bar's middle (bars are 0.6 high), on the
/// reversed axis below it.
const SHARE_OFFSET: f64 = 0.16;

/// The width of the legends beside the bars.
const SIDE: i32 = 400;
