//! The charts of a sweep folder, from its summary.csv: each main metric against each swept key
//! (mean and 95% interval per cell), and a heatmap of the mean when exactly two keys are swept.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::{
    Axis, Figure, Labelled, MUTED, Mark, Plot, UNBOUNDED, bounds, font, heading, interval,
    note_centred, plot, series_colour, thousands, with_side_legend, write_chart,
};
use super::table::{ManifestInfo, Table};
use super::{MAIN_METRICS, feasible};
use crate::error::Error;
use crate::files::{self, summary};

pub(super) fn draw(dir: &Path, manifest: &ManifestInfo, out: &Path) -> Result<Vec<PathBuf>, Error> {
    let table = Table::read(dir, files::summary::FILE)?;
    let keys = &manifest.grid_keys;
    let key_columns = keys
        .iter()
        .map(|k| table.text(k))
        .collect::<Result<Vec<_>, _>>()?;
    let metric = table.text(summary::METRIC)?;
    let mean = table.numbers(summary::MEAN)?;
    let low = table.numbers(summary::CI95_LOW)?;
    let high = table.numbers(summary::CI95_HIGH)?;
    let cells = manifest.grid_cells;
    let tenants = super::most_tenants(dir)?;
    let mut written = Vec::new();
    for (name, label) in MAIN_METRICS {
        let rows: Vec<Cell> = (0..table.len())
            .filter(|&i| metric[i] == *name)
            .map(|i| Cell {
                values: key_columns.iter().map(|c| c[i].to_string()).collect(),
                mean: mean[i],
                low: low[i],
                high: high[i],
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        let context = format!(
            "{} cells x {} replications; mean and 95% confidence interval per cell, within the values the metric can take",
            cells.unwrap_or(rows.len()),
            manifest
                .replications
                .map_or_else(|| "?".to_string(), |r| r.to_string())
        );
        let by_key = |k: Option<usize>| {
            let range = feasible(name, tenants);
            ByKey::new(&manifest.scenario, label, &context, keys, &rows, k, range)
        };
        if keys.is_empty() {
            written.extend(write_chart(out, name, &by_key(None))?);
        }
        for (k, part) in file_parts(keys).iter().enumerate() {
            let file = format!("{name}_by_{part}");
            written.extend(write_chart(out, &file, &by_key(Some(k)))?);
        }
        if keys.len() == 2 {
            let figure = Heatmap::new(&manifest.scenario, label, keys, &rows);
            written.extend(write_chart(out, &format!("{name}_heatmap"), &figure)?);
        }
    }
    Ok(written)
}

/// A key as part of a file name: letters, digits and underscores. A key too long to leave a
/// chart's file name within the 255 bytes a name can have (a work kind of a programme's own may
/// have a long name) is cut, and 8 hex digits of its hash keep it apart from another cut alike:
/// such a chart could not be written, and the sweep failed once every cell had run.
fn file_safe(key: &str) -> String {
    let safe: String = key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if safe.len() <= MOST_IN_NAME {
        return safe;
    }
    hashed(key, &safe)
}

/// The longest a key's part of a chart's file name may be.
const MOST_IN_NAME: usize = 120;

/// `safe`, the file-name form of `key`, cut to leave room for 8 hex digits of the key's hash,
/// which end it.
fn hashed(key: &str, safe: &str) -> String {
    use sha2::Digest;
    let hash: String = sha2::Sha256::digest(key.as_bytes())[..4]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    // Every character is ASCII, so any byte is a character boundary.
    let kept = &safe[..safe.len().min(MOST_IN_NAME - 9)];
    format!("{kept}_{hash}")
}

/// Each swept key's part of its charts' file names ([`file_safe`]), kept apart where two keys
/// would share one: keys that differ only where a file name has an underscore (work kinds
/// `mail-sync` and `mail_sync`) each end with their hash, so one key's charts never replace
/// the other's.
pub(crate) fn file_parts(keys: &[String]) -> Vec<String> {
    let safe: Vec<String> = keys.iter().map(|k| file_safe(k)).collect();
    keys.iter()
        .zip(&safe)
        .map(|(key, part)| {
            if safe.iter().filter(|other| *other == part).count() > 1 {
                hashed(key, part)
            } else {
                part.clone()
            }
        })
        .collect()
}

/// One cell's summary of one metric.
#[derive(Clone)]
struct Cell {
    values: Vec<String>,
    mean: f64,
    low: f64,
    high: f64,
}

/// The distinct values of a key in order of appearance, and where each goes on an axis: at its
/// number when every value is a number, else one category each.
struct KeyAxis {
    values: Vec<String>,
    positions: Vec<f64>,
    numeric: bool,
}

impl KeyAxis {
    fn new(cells: &[Cell], key: usize) -> KeyAxis {
        let mut values: Vec<String> = Vec::new();
        for c in cells {
            if !values.contains(&c.values[key]) {
                values.push(c.values[key].clone());
            }
        }
        let numbers: Option<Vec<f64>> = values
            .iter()
            .map(|v| v.parse::<f64>().ok().filter(|x| x.is_finite()))
            .collect();
        match numbers {
            Some(positions) if values.len() > 1 => KeyAxis {
                values,
                positions,
                numeric: true,
            },
            _ => KeyAxis {
                positions: (0..values.len()).map(|i| i as f64).collect(),
                values,
                numeric: false,
            },
        }
    }

    fn position(&self, value: &str) -> f64 {
        self.values
            .iter()
            .position(|v| v == value)
            .map_or(f64::NAN, |i| self.positions[i])
    }

    fn axis(&self) -> Axis {
        if self.numeric {
            let (lo, hi) = bounds(self.positions.iter().copied());
            let pad = (hi - lo) * 0.05;
            // Whole values (operators, agents, tenants a weekend) tick on whole numbers only:
            // a planner reads no half operator off the axis.
            if self.positions.iter().all(|p| p.fract() == 0.0) {
                Axis::whole_numbers(lo - pad, hi + pad, UNBOUNDED)
            } else {
                Axis::numeric(lo - pad, hi + pad)
            }
        } else {
            Axis::categories(self.values.clone(), 20)
        }
    }
}

/// A line (one group of cells) of a by-key chart.
struct Line {
    label: String,
    points: Vec<(f64, (f64, f64, f64))>,
}

/// More lines than this and a chart shows the mean over the other keys instead.
const MAX_LINES: usize = 8;

struct ByKey {
    title: String,
    subtitle: String,
    x_desc: String,
    y_desc: String,
    x: Option<KeyAxis>,
    lines: Vec<Line>,
    /// The values the metric can take: no axis or whisker goes outside.
    range: (f64, f64),
}

impl ByKey {
    fn new(
        scenario: &str,
        metric: &str,
        context: &str,
        keys: &[String],
        cells: &[Cell],
        key: Option<usize>,
        range: (f64, f64),
    ) -> ByKey {
        let Some(k) = key else {
            // No swept key: one point.
            let c = &cells[0];
            return ByKey {
                title: format!("{scenario}: {metric}"),
                subtitle: context.to_string(),
                x_desc: "the only cell".into(),
                y_desc: metric.to_string(),
                x: None,
                lines: vec![Line {
                    label: "mean with 95% CI".into(),
                    points: vec![(0.0, (c.mean, c.low, c.high))],
                }],
                range,
            };
        };
        let x = KeyAxis::new(cells, k);
        let others: Vec<usize> = (0..keys.len()).filter(|&j| j != k).collect();
        let group_of = |c: &Cell| -> String {
            others
                .iter()
                .map(|&j| format!("{}={}", keys[j], c.values[j]))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut groups: Vec<String> = Vec::new();
        for c in cells {
            let g = group_of(c);
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
        let lines = if groups.len() <= MAX_LINES {
            groups
                .iter()
                .map(|g| Line {
                    label: if g.is_empty() {
                        "mean with 95% CI".into()
                    } else {
                        g.clone()
                    },
                    points: cells
                        .iter()
                        .filter(|c| group_of(c) == *g)
                        .map(|c| (x.position(&c.values[k]), (c.mean, c.low, c.high)))
                        .collect(),
                })
                .collect()
        } else {
            // Too many combinations to tell apart: the mean over them, with their range.
            let points = x
                .values
                .iter()
                .map(|v| {
                    let means: Vec<f64> = cells
                        .iter()
                        .filter(|c| c.values[k] == *v && c.mean.is_finite())
                        .map(|c| c.mean)
                        .collect();
                    let (lo, hi) = bounds(means.iter().copied());
                    let mean = means.iter().sum::<f64>() / means.len().max(1) as f64;
                    (
                        x.position(v),
                        (if means.is_empty() { f64::NAN } else { mean }, lo, hi),
                    )
                })
                .collect();
            vec![Line {
                label: format!(
                    "mean over the {} other combinations; bar: lowest to highest cell",
                    groups.len()
                ),
                points,
            }]
        };
        // Lines with the same mean at every value lie on each other, the last drawn on top:
        // said, or the legend's other entries would seem to be missing.
        let coincide = lines.len() > 1
            && lines.iter().all(|l| {
                l.points.len() == lines[0].points.len()
                    && l.points
                        .iter()
                        .zip(&lines[0].points)
                        .all(|(a, b)| a.0 == b.0 && a.1.0 == b.1.0)
            });
        let mut subtitle = context.to_string();
        if x.values.len() > 1 {
            // A straight line from 1 agent to 4 would read as the values at 2 and 3; a queue's
            // are anything but straight.
            subtitle.push_str("; dashed lines only join the cells: nothing between was simulated");
        }
        if coincide {
            subtitle.push_str(&format!("; the {} lines coincide", lines.len()));
        }
        ByKey {
            title: format!("{scenario}: {metric} by {}", keys[k]),
            subtitle,
            x_desc: keys[k].clone(),
            y_desc: metric.to_string(),
            x: Some(x),
            lines,
            range,
        }
    }
}

impl ByKey {
    /// The value axis: every mean and interval end, within the metric's range, padded.
    fn value_axis(&self) -> Axis {
        Axis::padded(
            self.lines
                .iter()
                .flat_map(|l| &l.points)
                .flat_map(|p| [p.1.0, p.1.1, p.1.2]),
            self.range,
        )
    }
}

impl Figure for ByKey {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let body = heading(root, &self.title, &self.subtitle)?;
        let x_axis = match &self.x {
            Some(x) => x.axis(),
            None => Axis::categories(vec![String::new()], 1),
        };
        let (floor, ceiling) = self.range;
        let entries: Vec<(String, Mark)> = self
            .lines
            .iter()
            .enumerate()
            .map(|(i, line)| (line.label.clone(), Mark::Interval(series_colour(i), true)))
            .collect();
        // The legend beside the plot, where it cannot cover a point: the value axis ends a tenth
        // of the data's span past them (`Axis::padded`), less than a legend's height inside.
        let area = with_side_legend(&body, &entries)?;
        let mut chart: Plot<DB> = plot(
            &area,
            x_axis,
            self.value_axis(),
            Labelled {
                x: &self.x_desc,
                y: &self.y_desc,
            },
            90,
        )?;
        // Lines side by side are nudged apart so their intervals do not hide each other.
        let span = chart.x_range().end - chart.x_range().start;
        let n = self.lines.len() as f64;
        for (i, line) in self.lines.iter().enumerate() {
            let colour = series_colour(i);
            let nudge = (i as f64 - (n - 1.0) / 2.0) * span * 0.008;
            let mut points: Vec<(f64, f64)> = line
                .points
                .iter()
                .map(|(x, (m, _, _))| (x + nudge, *m))
                .filter(|p| p.0.is_finite() && p.1.is_finite())
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            chart.draw_series(DashedLineSeries::new(points, 7, 6, colour.stroke_width(2)))?;
            for (x, (mean, low, high)) in &line.points {
                let clamped = (*mean, low.clamp(floor, ceiling), high.clamp(floor, ceiling));
                interval(&mut chart, x + nudge, clamped, colour, true)?;
            }
        }
        if self
            .lines
            .iter()
            .all(|l| l.points.iter().all(|p| !p.1.0.is_finite()))
        {
            note_centred(&chart, "no values")?;
        }
        Ok(())
    }
}

struct Heatmap {
    title: String,
    subtitle: String,
    x: KeyAxis,
    y: KeyAxis,
    x_desc: String,
    y_desc: String,
    cells: Vec<Cell>,
}

impl Heatmap {
    fn new(scenario: &str, metric: &str, keys: &[String], cells: &[Cell]) -> Heatmap {
        // Categories on both axes: a heatmap's cells are equal whatever the values.
        let mut x = KeyAxis::new(cells, 0);
        let mut y = KeyAxis::new(cells, 1);
        for axis in [&mut x, &mut y] {
            axis.numeric = false;
            axis.positions = (0..axis.values.len()).map(|i| i as f64).collect();
        }
        Heatmap {
            title: format!("{scenario}: {metric}, mean per cell"),
            subtitle: format!("{} (across) by {} (up)", keys[0], keys[1]),
            x,
            y,
            x_desc: keys[0].clone(),
            y_desc: keys[1].clone(),
            cells: cells.to_vec(),
        }
    }
}

/// Half the width of the narrowest finite 95% interval among `cells`; zero if none has one, so
/// that no spread of means counts as within it.
fn narrowest_half_width(cells: &[Cell]) -> f64 {
    let narrowest = cells
        .iter()
        .map(|c| (c.high - c.low) / 2.0)
        .filter(|w| w.is_finite() && *w > 0.0)
        .fold(f64::INFINITY, f64::min);
    if narrowest.is_finite() {
        narrowest
    } else {
        0.0
    }
}

/// A colour from light yellow (0) to dark blue (1).
fn ramp(t: f64) -> RGBColor {
    const STOPS: [(f64, (f64, f64, f64)); 4] = [
        (0.0, (255.0, 247.0, 188.0)),
        (0.35, (127.0, 205.0, 187.0)),
        (0.7, (44.0, 127.0, 184.0)),
        (1.0, (37.0, 52.0, 148.0)),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let i = STOPS.iter().rposition(|s| s.0 <= t).unwrap_or(0).min(2);
    let (t0, c0) = STOPS[i];
    let (t1, c1) = STOPS[i + 1];
    let f = (t - t0) / (t1 - t0);
    let mix = |a: f64, b: f64| (a + (b - a) * f).round() as u8;
    RGBColor(mix(c0.0, c1.0), mix(c0.1, c1.1), mix(c0.2, c1.2))
}

impl Figure for Heatmap {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let body = heading(root, &self.title, &self.subtitle)?;
        let (w, _) = body.dim_in_pixel();
        let (area, scale) = body.split_horizontally(w as i32 - 170);
        let chart = plot(
            &area,
            self.x.axis(),
            self.y.axis(),
            Labelled {
                x: &self.x_desc,
                y: &self.y_desc,
            },
            90,
        )?;
        let (lo, hi) = bounds(self.cells.iter().map(|c| c.mean));
        // Means that all lie within half the narrowest cell's 95% interval of each other are
        // told apart by no cell: a ramp from the lowest to the highest would paint 0.02 hours
        // dark against light.
        let alike = hi > lo && hi - lo < narrowest_half_width(&self.cells);
        let t = |v: f64| {
            if hi > lo && !alike {
                (v - lo) / (hi - lo)
            } else {
                0.5
            }
        };
        let mut chart = chart;
        let centred = Pos::new(HPos::Center, VPos::Center);
        for c in &self.cells {
            let (x, y) = (self.x.position(&c.values[0]), self.y.position(&c.values[1]));
            if !x.is_finite() || !y.is_finite() {
                continue;
            }
            let corners = [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)];
            if !c.mean.is_finite() {
                chart.draw_series(std::iter::once(Rectangle::new(
                    corners,
                    MUTED.mix(0.15).filled(),
                )))?;
                continue;
            }
            let colour = ramp(t(c.mean));
            chart.draw_series(std::iter::once(Rectangle::new(corners, colour.filled())))?;
            chart.draw_series(std::iter::once(Rectangle::new(
                corners,
                WHITE.stroke_width(2),
            )))?;
            let text = if t(c.mean) > 0.55 { WHITE } else { BLACK };
            chart.draw_series(std::iter::once(Text::new(
                thousands(c.mean, decimals(c.mean, lo, hi)),
                (x, y),
                font(18.0).color(&text).pos(centred),
            )))?;
        }
        if self.cells.iter().all(|c| !c.mean.is_finite()) {
            note_centred(&chart, "no values")?;
        }
        // Every cell the same, or alike within the noise: one swatch saying so, not a gradient.
        let left = Pos::new(HPos::Left, VPos::Center);
        if lo.is_finite() && (hi <= lo || alike) {
            let d = decimals(hi, lo, hi);
            let (value, lines): (String, &[&str]) = if alike {
                (
                    format!("{} to {}", thousands(lo, d), thousands(hi, d)),
                    &[
                        "mean; the cells",
                        "differ by less",
                        "than their 95%",
                        "intervals do",
                    ],
                )
            } else {
                (thousands(hi, d), &["mean, every", "cell the same"])
            };
            let (top, bottom) = (30, 60);
            let swatch = [(20, top), (50, bottom)];
            scale.draw(&Rectangle::new(swatch, ramp(0.5).filled()))?;
            scale.draw(&Rectangle::new(swatch, MUTED.stroke_width(1)))?;
            scale.draw_text(&value, &font(16.0).pos(left), (58, 45))?;
            for (i, line) in lines.iter().enumerate() {
                let y = bottom + 30 + 22 * i as i32;
                scale.draw_text(line, &font(16.0).pos(left), (20, y))?;
            }
        }
        // The colour scale: a bar from the lowest mean (bottom) to the highest (top).
        if lo.is_finite() && hi > lo && !alike {
            let (top, bottom) = (30, 420);
            for py in top..bottom {
                let f = f64::from(bottom - py) / f64::from(bottom - top);
                scale.draw(&Rectangle::new([(20, py), (50, py + 1)], ramp(f).filled()))?;
            }
            scale.draw(&Rectangle::new(
                [(20, top), (50, bottom)],
                MUTED.stroke_width(1),
            ))?;
            let d = decimals(hi, lo, hi);
            scale.draw_text(&thousands(hi, d), &font(16.0).pos(left), (58, top))?;
            scale.draw_text(&thousands(lo, d), &font(16.0).pos(left), (58, bottom))?;
            scale.draw_text("mean", &font(16.0).pos(left), (20, bottom + 30))?;
            // The ramp spans whatever range the means have: 7.9 to 8.9 hours is painted as
            // boldly as 2.5 to 34, so how far apart they are is written under it.
            for (i, line) in spread_words(lo, hi).iter().enumerate() {
                let y = bottom + 54 + 22 * i as i32;
                scale.draw_text(line, &font(16.0).pos(left), (20, y))?;
            }
        }
        Ok(())
    }
}

/// How far apart the highest and lowest of positive means are, in lines for the colour scale:
/// a percentage below twice, a multiple from there; nothing when the lowest is not positive.
fn spread_words(lo: f64, hi: f64) -> Vec<String> {
    if !(lo > 0.0 && hi > lo && hi.is_finite()) {
        return Vec::new();
    }
    let ratio = hi / lo;
    // In per cent below twice, as rounded: 1.996 is 2.0 times, not `100% above`.
    let above = ((ratio - 1.0) * 100.0).round();
    let apart = if above < 100.0 {
        format!("{above:.0}% above")
    } else {
        format!(
            "{} times",
            thousands(ratio, if ratio < 10.0 { 1 } else { 0 })
        )
    };
    vec!["the highest is".into(), apart, "the lowest".into()]
}

/// Decimals enough to tell the values of a range apart.
fn decimals(v: f64, lo: f64, hi: f64) -> usize {
    let span = (hi - lo).abs().max(v.abs() * 1e-3);
    if span >= 100.0 || (v.fract() == 0.0 && lo.fract() == 0.0 && hi.fract() == 0.0) {
        0
    } else if span >= 10.0 {
        1
    } else {
        2
    }
}

#[cfg(test)]
mod tests {
    use plotters::coord::ranged1d::{BoldPoints, Ranged};

    use super::*;

    /// Two keys whose file-name forms agree get one chart file each; others keep their
    /// readable names, and a long key is cut within the limit.
    #[test]
    fn every_key_has_a_file_name_of_its_own() {
        let keys = [
            "workitems.mail-sync.duration_minutes",
            "workitems.mail_sync.duration_minutes",
            "operators.weekend",
        ]
        .map(String::from);
        let parts = file_parts(&keys);
        assert_eq!(parts[2], "operators_weekend");
        assert_ne!(parts[0], parts[1]);
        for part in &parts[..2] {
            assert!(
                part.starts_with("workitems_mail_sync_duration_minutes_"),
                "{part}"
            );
            assert_eq!(part.len(), "workitems_mail_sync_duration_minutes".len() + 9);
        }
        let long = ["k".repeat(300), format!("{}.", "k".repeat(299))];
        let parts = file_parts(&long);
        assert_ne!(parts[0], parts[1]);
        assert!(parts.iter().all(|p| p.len() == MOST_IN_NAME), "{parts:?}");
    }

    #[test]
    fn the_colour_scale_says_how_far_apart_the_means_are() {
        assert_eq!(spread_words(7.91, 8.86)[1], "12% above");
        assert_eq!(spread_words(2.5, 33.7)[1], "13 times");
        assert_eq!(spread_words(2.0, 5.0)[1], "2.5 times");
        assert_eq!(spread_words(1.0, 1.994)[1], "99% above");
        assert_eq!(spread_words(1.0, 1.996)[1], "2.0 times");
        assert!(spread_words(0.0, 5.0).is_empty(), "no ratio to zero");
        assert!(spread_words(-1.0, 5.0).is_empty());
    }

    /// A heatmap draws one colour where the cells' means lie within half the narrowest cell's
    /// interval of each other; cells without intervals never count as alike.
    #[test]
    fn cells_within_their_intervals_count_as_alike() {
        let cell = |mean: f64, half: f64| Cell {
            values: Vec::new(),
            mean,
            low: mean - half,
            high: mean + half,
        };
        let noise = [cell(7.89, 0.12), cell(7.91, 0.11)];
        assert!((narrowest_half_width(&noise) - 0.11).abs() < 1e-12);
        let lone = [cell(3.7, f64::NAN), cell(32.0, f64::NAN)];
        assert_eq!(narrowest_half_width(&lone), 0.0);
    }

    #[test]
    fn a_swept_number_of_people_is_ticked_in_whole_people() {
        let cells: Vec<Cell> = ["1", "2", "4"]
            .iter()
            .map(|v| Cell {
                values: vec![v.to_string()],
                mean: 1.0,
                low: 0.0,
                high: 2.0,
            })
            .collect();
        let ticks = KeyAxis::new(&cells, 0).axis().key_points(BoldPoints(100));
        assert!(
            ticks.len() >= 3 && ticks.iter().all(|t| t.fract() == 0.0),
            "operators 1, 2, 4 ticked at {ticks:?}"
        );
    }

    #[test]
    fn no_value_axis_goes_below_what_the_metric_can_take() {
        let cell = |v: &str, mean: f64, low: f64, high: f64| Cell {
            values: vec![v.into()],
            mean,
            low,
            high,
        };
        // Intervals reaching below zero, as an unclamped file would have them.
        let cells = [cell("1", 0.5, -1.2, 2.2), cell("2", 0.2, -0.6, 1.0)];
        let keys = ["operators.weekend".to_string()];
        let chart = ByKey::new(
            "s",
            "slips",
            "",
            &keys,
            &cells,
            Some(0),
            feasible("slips", f64::INFINITY),
        );
        let axis = chart.value_axis().range();
        assert_eq!(axis.start, 0.0, "slips cannot be negative");
        assert!(axis.end >= 2.2);
        // Nor above the most tenants of any cell, for a count of tenants.
        let cells = [
            cell("1", 196.0, 189.0, 203.0),
            cell("2", 199.5, 198.0, 201.0),
        ];
        let transitioned = |tenants| {
            let chart = ByKey::new(
                "s",
                "tenants transitioned",
                "",
                &keys,
                &cells,
                Some(0),
                feasible("transitioned", tenants),
            );
            chart.value_axis().range().end
        };
        assert_eq!(transitioned(200.0), 200.0);
        assert!(transitioned(f64::INFINITY) > 203.0);
    }

    #[test]
    fn lines_that_lie_on_each_other_are_said_to() {
        let cell = |a: &str, b: &str, mean: f64| Cell {
            values: vec![a.into(), b.into()],
            mean,
            low: mean - 1.0,
            high: mean + 1.0,
        };
        let keys = [
            "helpdesk.weekday".to_string(),
            "operators.weekend".to_string(),
        ];
        let subtitle = |cells: &[Cell]| {
            ByKey::new("s", "slips", "c", &keys, cells, Some(0), UNBOUNDED).subtitle
        };
        let same = [
            cell("1", "2", 5.0),
            cell("4", "2", 3.0),
            cell("1", "8", 5.0),
            cell("4", "8", 3.0),
        ];
        assert!(
            subtitle(&same).ends_with("; the 2 lines coincide"),
            "{}",
            subtitle(&same)
        );
        let apart = [
            cell("1", "2", 5.0),
            cell("4", "2", 3.0),
            cell("1", "8", 5.0),
            cell("4", "8", 2.0),
        ];
        assert!(!subtitle(&apart).contains("coincide"));
    }
}
