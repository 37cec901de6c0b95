//! The charts of a run folder, each from the CSV files `cutover run` writes: tenants per phase,
//! completion against the deadline, a Gantt and the operators of the busiest weekend, the help desk
//! in the week after it, chat islands around T (when any user moved chat early), and slips per
//! replication.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{
    Axis, BLUE, DARK_RED, Figure, GREEN, GREY, Labelled, MUTED, Mark, ORANGE, PINK, PURPLE, Plot,
    RED, TEAL, YELLOW, band, bounds, heading, horizontal, legend, note_centred, plot, remove_chart,
    runs, steps, thousands, vertical, vertical_marker, with_side_legend, write_chart,
};
use super::table::{ManifestInfo, RecordedPhase, Table, date_of, day_number};
use crate::error::Error;
use crate::files::{
    self, batches, completion, hourly, islands, load, replications, spans, tenants, timeseries,
};

pub(super) fn draw(dir: &Path, manifest: &ManifestInfo, out: &Path) -> Result<Vec<PathBuf>, Error> {
    let context = RunContext::new(manifest);
    let busiest = Busiest::read(dir)?;
    let mut written = Vec::new();
    written.extend(write_chart(out, "phases", &Phases::read(dir, &context)?)?);
    written.extend(write_chart(
        out,
        "completion",
        &Completion::read(dir, &context)?,
    )?);
    written.extend(write_chart(
        out,
        "weekend",
        &Weekend::read(dir, &context, &busiest)?,
    )?);
    written.extend(write_chart(
        out,
        "operators",
        &Staffing::read(dir, &context, &busiest, &OPERATORS)?,
    )?);
    written.extend(write_chart(
        out,
        "helpdesk",
        &Staffing::read(dir, &context, &busiest, &HELPDESK)?,
    )?);
    let islands = Islands::read(dir, &context)?;
    if islands.shows_anything() {
        written.extend(write_chart(out, "islands", &islands)?);
    } else {
        // Nobody moved chat early (a programme without the chat split, like tenant-to-tenant):
        // flat zeros would read as a measured result. One drawn from earlier files goes too.
        remove_chart(out, "islands")?;
    }
    written.extend(write_chart(out, "slips", &Slips::read(dir, &context)?)?);
    Ok(written)
}

/// What every run chart says in its title and subtitle.
struct RunContext {
    scenario: String,
    replications: Option<u64>,
    detail: String,
    /// The end of the deadline day, as a day number.
    deadline_end: Option<f64>,
    deadline: Option<String>,
    phases: Vec<ChartPhase>,
}

impl RunContext {
    fn new(manifest: &ManifestInfo) -> RunContext {
        RunContext {
            scenario: manifest.scenario.clone(),
            replications: manifest.replications,
            detail: manifest.detail_replication.map_or_else(
                || "the detail replication".into(),
                |d| format!("replication {d}"),
            ),
            deadline_end: manifest.deadline.map(|d| day_number(d) + 1.0),
            deadline: manifest.deadline.map(|d| d.to_string()),
            phases: chart_phases(manifest),
        }
    }
}

/// The weekend with the most tenants in the detail replication (the earliest of equals).
struct Busiest {
    batch: String,
    /// The Saturday, as a day number.
    weekend: f64,
    tenants: f64,
    seats: f64,
    data_gb: f64,
}

impl Busiest {
    /// The weekend with the most tenants; among equals (batches are often full), the most seats,
    /// then the most data, then the earliest.
    fn read(dir: &Path) -> Result<Option<Busiest>, Error> {
        let table = Table::read(dir, files::batches::FILE)?;
        let batches = table.text(batches::BATCH)?;
        let weekends = table.times(batches::WEEKEND)?;
        let tenants = table.numbers(batches::TENANTS)?;
        let seats = table.numbers(batches::SEATS)?;
        let data = table.numbers(batches::DATA_GB)?;
        let mut best: Option<Busiest> = None;
        for i in 0..table.len() {
            if !weekends[i].is_finite() || !tenants[i].is_finite() {
                continue;
            }
            let load = |x: f64| if x.is_finite() { x } else { 0.0 };
            let key = (tenants[i], load(seats[i]), load(data[i]));
            let better = best.as_ref().is_none_or(|b| {
                let current = (b.tenants, b.seats, b.data_gb);
                key > current || (key == current && weekends[i] < b.weekend)
            });
            if better {
                best = Some(Busiest {
                    batch: batches[i].to_string(),
                    weekend: weekends[i],
                    tenants: key.0,
                    seats: key.1,
                    data_gb: key.2,
                });
            }
        }
        Ok(best)
    }

    fn describe(&self) -> String {
        format!(
            "{} (batch {}, {} tenants)",
            date_of(self.weekend),
            self.batch,
            thousands(self.tenants, 0)
        )
    }
}

/// The phases' colours in order: the waiting phase grey, then one each (repeating after eight).
const PHASE_PALETTE: [RGBColor; 8] = [GREY, TEAL, PURPLE, PINK, BLUE, YELLOW, ORANGE, GREEN];

/// The colour of the phase at `index` in the programme.
fn phase_colour(index: usize) -> RGBColor {
    match index {
        0 => PHASE_PALETTE[0],
        i => PHASE_PALETTE[1 + (i - 1) % (PHASE_PALETTE.len() - 1)],
    }
}

/// A phase as the charts show it: its key, its legend label with its offset from T as the
/// manifest records it, its colour, and whether spans.csv records it.
#[derive(Clone, Debug)]
struct ChartPhase {
    key: String,
    /// The phase's name alone, for axis labels.
    name: String,
    label: String,
    colour: RGBColor,
    spans: bool,
}

/// The programme's phases from the manifest; from a manifest that does not record them, the
/// BPOS phases by name alone (an offset that may not be the scenario's is never shown).
fn chart_phases(manifest: &ManifestInfo) -> Vec<ChartPhase> {
    let recorded: Vec<RecordedPhase> = if manifest.phases.is_empty() {
        let programme = crate::scenario::bpos_programme();
        programme
            .phases()
            .map(|p| RecordedPhase {
                key: programme.key(p).to_string(),
                name: programme.name(p).to_string(),
                offset: None,
                spans: programme.span_index(p).is_some(),
            })
            .collect()
    } else {
        manifest.phases.clone()
    };
    recorded
        .into_iter()
        .enumerate()
        .map(|(i, p)| ChartPhase {
            label: p
                .offset
                .map_or_else(|| p.name.clone(), |o| format!("{} ({o})", p.name)),
            colour: phase_colour(i),
            name: p.name,
            key: p.key,
            spans: p.spans,
        })
        .collect()
}

struct Phases {
    phases: Vec<ChartPhase>,
    context_title: String,
    subtitle: String,
    x: Vec<f64>,
    layers: Vec<Vec<f64>>,
    transitioned: Vec<f64>,
    deadline: Option<(f64, String)>,
}

impl Phases {
    fn read(dir: &Path, context: &RunContext) -> Result<Phases, Error> {
        let table = Table::read(dir, files::timeseries::FILE)?;
        let x = table.times(timeseries::DATE)?;
        let layers = context
            .phases
            .iter()
            .map(|p| table.numbers(&p.key))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Phases {
            phases: context.phases.clone(),
            context_title: format!("{}: tenants per phase", context.scenario),
            subtitle: format!(
                "{}, sampled daily; transitioned tenants stay in {}",
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
        let y_axis = Axis::counts(stacked.last().expect("never empty").iter().copied());
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
        if let Some((d, date)) = &self.deadline {
            vertical_marker(&mut chart, *d, RED, &format!("deadline {date}"))?;
        }
        if self.x.iter().all(|x| !x.is_finite()) {
            note_centred(&chart, "no days in timeseries.csv")?;
        }
        Ok(())
    }
}

struct Completion {
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
    fn read(dir: &Path, context: &RunContext) -> Result<Completion, Error> {
        let table = Table::read(dir, files::completion::FILE)?;
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
                thousands(m, 0),
                thousands(lo, 0),
                thousands(hi, 0)
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
        deadline_label: bool,
    ) -> DrawResult<(Vec<(String, Mark)>, Vec<Vec<(f64, f64)>>), DB> {
        chart.draw_series(
            band(&self.x, &self.p10, &self.p90)
                .into_iter()
                .map(|p| Polygon::new(p, BLUE.mix(0.25).filled())),
        )?;
        for run in runs(self.x.iter().copied().zip(self.mean.iter().copied())) {
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
                format!("all {} tenants", thousands(t, 0)),
                Mark::Line(MUTED, 1),
            ));
        }
        if let (Some(d), Some(date)) = (self.context.deadline_end, &self.context.deadline) {
            let label = if deadline_label {
                format!("deadline {date}")
            } else {
                String::new()
            };
            vertical_marker(chart, d, RED, &label)?;
            entries.push(("deadline (end of day)".into(), Mark::Line(RED, 2)));
        }
        let mut avoid = runs(self.x.iter().copied().zip(self.p90.iter().copied()));
        avoid.extend(runs(self.x.iter().copied().zip(self.p10.iter().copied())));
        avoid.extend(runs(self.x.iter().copied().zip(self.mean.iter().copied())));
        avoid.extend(self.tenants.map(|t| horizontal(chart, t)));
        avoid.extend(self.context.deadline_end.map(|d| vertical(chart, d)));
        Ok((entries, avoid))
    }

    /// The close-up: from `CLOSE_UP_DAYS` before the deadline to the end, and on the count axis
    /// only the last tenants, where the answer (who is late, and how many) can be read.
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
        Some((
            from,
            hi,
            (total - short * 1.15).max(0.0),
            total + short * 0.1,
        ))
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
        // Beside the close-up the panel is narrower: fewer date labels, so none collide.
        let x_axis = if side.is_some() {
            Axis::time(lo, hi).with_at_most_ticks(6)
        } else {
            Axis::time(lo, hi)
        };
        let mut chart = plot(
            &whole,
            x_axis,
            Axis::counts(y_values),
            Labelled {
                x: "date",
                y: "tenants transitioned (cumulative)",
            },
            90,
        )?;
        let (entries, avoid) = self.draw_series(&mut chart, true)?;
        if self.x.iter().all(|x| !x.is_finite()) {
            note_centred(&chart, "no days in completion.csv")?;
        }
        legend(&chart, &entries, &avoid)?;
        if let (Some(side), Some((from, to, y0, y1))) = (side, close_up) {
            let mut near = plot(
                &side,
                Axis::time(from, to),
                Axis::count_range(y0, y1),
                Labelled {
                    x: "close-up: the last tenants",
                    y: "",
                },
                70,
            )?;
            self.draw_series(&mut near, false)?;
        }
        Ok(())
    }
}

/// One bar of the Gantt chart.
struct Span {
    phase: String,
    start: f64,
    end: f64,
    done: f64,
    outcome: String,
}

impl Span {
    fn overran(&self) -> bool {
        self.outcome == "rolled_back" || (self.done.is_finite() && self.done > self.end + 1e-9)
    }
}

/// Whether the chart draws a kind of mark for a span, so that its legend entry is due.
type ShownIf = fn(&Span) -> bool;

struct Weekend {
    /// The weekend phases, for the legend.
    phases: Vec<ChartPhase>,
    title: String,
    subtitle: String,
    /// Lanes top to bottom: tenant id and its bars.
    lanes: Vec<(String, Vec<Span>)>,
    empty_note: Option<String>,
}

/// At most this many tenants get a lane; more would be unreadable.
const MAX_LANES: usize = 80;

impl Weekend {
    fn read(dir: &Path, context: &RunContext, busiest: &Option<Busiest>) -> Result<Weekend, Error> {
        let table = Table::read(dir, files::spans::FILE)?;
        let tenant = table.text(spans::TENANT)?;
        let batch = table.text(spans::BATCH)?;
        let phase = table.text(spans::PHASE)?;
        let start = table.times(spans::START)?;
        let end = table.times(spans::END)?;
        let done = table.times(spans::DONE)?;
        let outcome = table.text(spans::OUTCOME)?;
        let Some(busiest) = busiest else {
            return Ok(Weekend {
                phases: weekend_phases(context),
                title: format!("{}: busiest weekend", context.scenario),
                subtitle: format!("{}: no batch in batches.csv", context.detail),
                lanes: Vec::new(),
                empty_note: Some("no weekend had a batch".into()),
            });
        };
        let mut by_tenant: BTreeMap<String, Vec<Span>> = BTreeMap::new();
        for i in 0..table.len() {
            if batch[i] != busiest.batch || !start[i].is_finite() {
                continue;
            }
            by_tenant
                .entry(tenant[i].to_string())
                .or_default()
                .push(Span {
                    phase: phase[i].to_string(),
                    start: start[i],
                    end: end[i],
                    done: done[i],
                    outcome: outcome[i].to_string(),
                });
        }
        let sizes = tenant_sizes(dir)?;
        let total = by_tenant.len();
        let mut lanes: Vec<(String, Vec<Span>)> = by_tenant.into_iter().collect();
        if lanes.len() > MAX_LANES {
            // Tenants that overran or rolled back first, then the largest.
            lanes.sort_by(|a, b| {
                let key = |l: &(String, Vec<Span>)| {
                    (
                        l.1.iter().any(Span::overran),
                        sizes.get(&l.0).copied().unwrap_or(0.0),
                    )
                };
                let (ka, kb) = (key(a), key(b));
                kb.0.cmp(&ka.0).then(kb.1.total_cmp(&ka.1))
            });
            lanes.truncate(MAX_LANES);
        }
        // Flagged tenants (overran or rolled back) at the top, then by start and id.
        let first_start =
            |l: &(String, Vec<Span>)| l.1.iter().map(|s| s.start).fold(f64::INFINITY, f64::min);
        let flagged = |l: &(String, Vec<Span>)| l.1.iter().any(Span::overran);
        lanes.sort_by(|a, b| {
            flagged(b)
                .cmp(&flagged(a))
                .then(first_start(a).total_cmp(&first_start(b)))
                .then_with(|| natural(&a.0).cmp(&natural(&b.0)))
        });
        let shown = if lanes.len() < total {
            format!("{} of {total} tenants", lanes.len())
        } else {
            format!("{total} tenants")
        };
        let overran = lanes
            .iter()
            .filter(|l| l.1.iter().any(Span::overran))
            .count();
        let phases = weekend_phases(context);
        Ok(Weekend {
            title: format!(
                "{}: busiest weekend {}, {shown}",
                context.scenario,
                date_of(busiest.weekend)
            ),
            subtitle: format!(
                "{}, batch {}: {overran} shown overran or rolled back (listed first{}); {} at a smaller scale",
                context.detail,
                busiest.batch,
                if lanes.len() < total {
                    ", the others the largest"
                } else {
                    ""
                },
                phases
                    .first()
                    .map_or("the first phase", |p| p.name.as_str())
            ),
            phases,
            empty_note: lanes
                .is_empty()
                .then(|| format!("no phases of batch {} in spans.csv", busiest.batch)),
            lanes,
        })
    }
}

fn weekend_phases(context: &RunContext) -> Vec<ChartPhase> {
    context.phases.iter().filter(|p| p.spans).cloned().collect()
}

/// Orders tenant ids as numbers when they are numbers.
fn natural(id: &str) -> (u64, &str) {
    (id.parse().unwrap_or(u64::MAX), id)
}

/// Seats per tenant from tenants.csv, if it is there (only to pick which lanes to show).
fn tenant_sizes(dir: &Path) -> Result<HashMap<String, f64>, Error> {
    if !dir.join(files::tenants::FILE).is_file() {
        return Ok(HashMap::new());
    }
    let table = Table::read(dir, files::tenants::FILE)?;
    if !table.has(tenants::TENANT) || !table.has(tenants::SEATS) {
        return Ok(HashMap::new());
    }
    let ids = table.text(tenants::TENANT)?;
    let seats = table.numbers(tenants::SEATS)?;
    Ok(ids.into_iter().map(str::to_string).zip(seats).collect())
}

impl Weekend {
    /// The time shown: the whole of the first spanned phase (Pre-Stage: a week of copying) on
    /// the left panel, the later phases on the right, split where the first of them starts, and
    /// at least 12 hours past the start of the last phase (Finalize), so it shows.
    fn time_range(&self) -> (f64, f64, Option<f64>) {
        let spans: Vec<&Span> = self.lanes.iter().flat_map(|l| &l.1).collect();
        let (lo, mut hi) = bounds(spans.iter().flat_map(|s| [s.start, s.end, s.done]));
        let (Some(first), Some(last)) = (self.phases.first(), self.phases.last()) else {
            return (lo, hi, None);
        };
        let last_start = spans
            .iter()
            .filter(|s| s.phase == last.key)
            .map(|s| s.start)
            .fold(f64::NEG_INFINITY, f64::max);
        if last_start.is_finite() {
            hi = hi.max(last_start + 0.5);
        }
        let later = spans
            .iter()
            .filter(|s| s.phase != first.key)
            .map(|s| s.start)
            .fold(f64::INFINITY, f64::min);
        let split = (later.is_finite() && later > lo && later < hi).then_some(later);
        (lo, hi, split)
    }

    /// Draws every lane's bars inside `[lo, hi]` of time, each clipped to it; bars narrower than
    /// `min_width` days are widened to it so short phases stay visible.
    fn draw_lanes<DB: DrawingBackend>(
        &self,
        chart: &mut Plot<'_, DB>,
        (lo, hi): (f64, f64),
        min_width: f64,
    ) -> DrawResult<(), DB> {
        let clip = |a: f64, b: f64| -> Option<(f64, f64)> {
            let (a, b) = (a.max(lo), b.min(hi));
            (b > a || (a == b && a > lo && a < hi)).then(|| (a, b.max(a + min_width).min(hi)))
        };
        for (lane, (_, spans)) in self.lanes.iter().enumerate() {
            let y = lane as f64;
            for s in spans {
                let colour = self
                    .phases
                    .iter()
                    .find(|p| p.key == s.phase)
                    .map_or(GREY, |p| p.colour);
                let end = if s.end.is_finite() { s.end } else { hi };
                // The whole window lightly, the part until the work was done solidly.
                if let Some((a, b)) = clip(s.start, end) {
                    let window = [(a, y - 0.38), (b, y + 0.38)];
                    chart.draw_series(std::iter::once(Rectangle::new(
                        window,
                        colour.mix(0.35).filled(),
                    )))?;
                    let border = match s.outcome.as_str() {
                        "rolled_back" => Some(DARK_RED),
                        "open" => Some(BLACK),
                        _ => None,
                    };
                    if let Some(border) = border {
                        chart.draw_series(std::iter::once(Rectangle::new(
                            window,
                            border.stroke_width(2),
                        )))?;
                    }
                }
                if s.done.is_finite() {
                    if let Some((a, b)) = clip(s.start, s.done.min(end)) {
                        chart.draw_series(std::iter::once(Rectangle::new(
                            [(a, y - 0.38), (b, y + 0.38)],
                            colour.filled(),
                        )))?;
                    }
                    if s.done > end
                        && let Some((a, b)) = clip(end, s.done)
                    {
                        chart.draw_series(std::iter::once(PathElement::new(
                            vec![(a, y), (b, y)],
                            DARK_RED.stroke_width(3),
                        )))?;
                    }
                }
                if s.overran() && end >= lo && end <= hi {
                    chart.draw_series(std::iter::once(Cross::new(
                        (end, y),
                        5,
                        DARK_RED.stroke_width(2),
                    )))?;
                }
            }
        }
        Ok(())
    }
}

impl Figure for Weekend {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let body = heading(root, &self.title, &self.subtitle)?;
        let mut entries: Vec<(String, Mark)> = self
            .phases
            .iter()
            .map(|p| (p.label.clone(), Mark::Fill(p.colour.to_rgba())))
            .collect();
        // Every window is its phase's colour, lighter; the swatch shows the first phase's. The
        // marks of trouble are explained only when the weekend has some: a legend lists what
        // the chart shows.
        let tint = self.phases.first().map_or(GREY, |p| p.colour).mix(0.35);
        let any = |shown: fn(&Span) -> bool| self.lanes.iter().flat_map(|l| &l.1).any(shown);
        let marks: [(&str, Mark, ShownIf); 5] = [
            ("lighter: window after the work", Mark::Fill(tint), |_| true),
            ("rolled back", Mark::Outlined(tint, DARK_RED), |s| {
                s.outcome == "rolled_back"
            }),
            ("still open at the end", Mark::Outlined(tint, BLACK), |s| {
                s.outcome == "open"
            }),
            ("work done after the window", Mark::Line(DARK_RED, 3), |s| {
                s.end.is_finite() && s.done.is_finite() && s.done > s.end
            }),
            (
                "overran or rolled back",
                Mark::Cross(DARK_RED),
                Span::overran,
            ),
        ];
        for (label, mark, shown) in marks {
            if any(shown) {
                entries.push((label.into(), mark));
            }
        }
        let area = with_side_legend(&body, &entries)?;
        let names: Vec<String> = self.lanes.iter().map(|l| l.0.clone()).collect();
        let (lo, hi, split) = self.time_range();
        let Some(split) = split else {
            let mut chart = plot(
                &area,
                Axis::time(lo, hi),
                Axis::categories(names, 26).reversed(),
                Labelled {
                    x: "time",
                    y: "tenant",
                },
                70,
            )?;
            self.draw_lanes(&mut chart, (lo, hi), (hi - lo) * 0.004)?;
            if let Some(note) = &self.empty_note {
                note_centred(&chart, note)?;
            }
            return Ok(());
        };
        // Pre-Stage is a week of copying at a fraction of the width; the weekend gets the rest.
        let early_label = format!(
            "{} (days)",
            self.phases.first().map_or("", |p| p.name.as_str())
        );
        let later: Vec<&str> = self
            .phases
            .iter()
            .skip(1)
            .map(|p| p.name.as_str())
            .collect();
        // A programme whose last phase comes days after the weekend is read in days.
        let unit = if hi - split <= 6.0 { "hours" } else { "days" };
        let later_label = format!("{} ({unit})", later.join(", "));
        let (w, _) = area.dim_in_pixel();
        let (left, right) = area.split_horizontally((w as f64 * 0.3) as i32);
        // The panel's end is labelled by the next panel's first tick, so only its start here:
        // two labels at the shared edge would overprint each other.
        let mut early = plot(
            &left,
            Axis::time(lo, split).with_ticks(vec![lo]),
            Axis::categories(names.clone(), 26).reversed(),
            Labelled {
                x: &early_label,
                y: "tenant",
            },
            70,
        )?;
        self.draw_lanes(&mut early, (lo, split), (split - lo) * 0.01)?;
        let blank = vec![String::new(); names.len()];
        // A date label takes about 90 pixels: a window of two weeks (a long Finalize) must not
        // put a label on every day of a narrow panel.
        let (right_w, _) = right.dim_in_pixel();
        let mut weekend = plot(
            &right,
            Axis::time(split, hi).with_at_most_ticks((right_w as usize / 90).max(2)),
            Axis::categories(blank, 26).reversed(),
            Labelled {
                x: &later_label,
                y: "",
            },
            8,
        )?;
        self.draw_lanes(&mut weekend, (split, hi), (hi - split) * 0.006)?;
        Ok(())
    }
}

/// A staffed pool drawn from hourly.csv: its columns, its words, and the days it is shown for.
struct Pool {
    title: &'static str,
    queue: (&'static str, &'static str),
    busy: (&'static str, &'static str),
    on_duty: (&'static str, &'static str),
    /// The queue panel's axis.
    y_label: &'static str,
    /// Who staffs the pool: the staffing panel's axis.
    staff: &'static str,
    x_label: &'static str,
    /// Shown from `days.0` to `days.1` days after the busiest weekend's Saturday.
    days: (f64, f64),
    span: &'static str,
    /// What the highest queue is called in the subtitle.
    peak: &'static str,
}

/// Operators over the busiest weekend itself.
const OPERATORS: Pool = Pool {
    title: "operators over the busiest weekend",
    queue: (load::ERRORS_OUTSTANDING, "errors outstanding"),
    busy: (load::OPERATORS_BUSY, "operators busy"),
    on_duty: (load::OPERATORS_ON_DUTY, "operators on duty"),
    y_label: "errors outstanding",
    staff: "operators",
    x_label: "time (hour of the weekend)",
    days: (-1.0, 3.0),
    span: "Friday to Tuesday",
    peak: "highest hourly errors outstanding",
};

/// The help desk over the week after it, when the busiest weekend's users call.
const HELPDESK: Pool = Pool {
    title: "help desk in the week after the busiest weekend",
    queue: (load::HELPDESK_QUEUE, "tickets waiting"),
    busy: (load::HELPDESK_BUSY, "agents busy"),
    on_duty: (load::HELPDESK_ON_DUTY, "agents on duty"),
    y_label: "tickets waiting",
    staff: "agents",
    x_label: "time (hour of the week)",
    days: (0.0, 7.0),
    span: "Saturday to Saturday (tickets of earlier weekends included)",
    peak: "highest hourly queue",
};

struct Staffing {
    title: String,
    subtitle: String,
    pool: &'static Pool,
    x: Vec<f64>,
    queue: Vec<f64>,
    busy: Vec<f64>,
    on_duty: Vec<f64>,
    window: (f64, f64),
    empty_note: Option<String>,
}

impl Staffing {
    fn read(
        dir: &Path,
        context: &RunContext,
        busiest: &Option<Busiest>,
        pool: &'static Pool,
    ) -> Result<Staffing, Error> {
        let table = Table::read(dir, files::hourly::FILE)?;
        let time = table.times(hourly::TIME)?;
        let queue = table.numbers(pool.queue.0)?;
        let busy = table.numbers(pool.busy.0)?;
        let on_duty = table.numbers(pool.on_duty.0)?;
        let title = format!("{}: {}", context.scenario, pool.title);
        let Some(busiest) = busiest else {
            return Ok(Staffing {
                pool,
                title,
                subtitle: format!("{}: no batch in batches.csv", context.detail),
                x: Vec::new(),
                queue: Vec::new(),
                busy: Vec::new(),
                on_duty: Vec::new(),
                window: (f64::NAN, f64::NAN),
                empty_note: Some("no weekend had a batch".into()),
            });
        };
        let window = (busiest.weekend + pool.days.0, busiest.weekend + pool.days.1);
        let keep: Vec<usize> = (0..table.len())
            .filter(|&i| time[i] >= window.0 && time[i] < window.1)
            .collect();
        let pick = |v: &[f64]| keep.iter().map(|&i| v[i]).collect::<Vec<_>>();
        let peak = bounds(pick(&queue)).1;
        let idle = pick(&queue)
            .iter()
            .chain(&pick(&busy))
            .all(|&v| v.is_nan() || v <= 0.0);
        Ok(Staffing {
            title,
            pool,
            subtitle: format!(
                "{}, weekend {}: hourly, {}{}",
                context.detail,
                busiest.describe(),
                pool.span,
                if peak.is_finite() {
                    format!("; {} {}", pool.peak, thousands(peak, 0))
                } else {
                    String::new()
                }
            ),
            x: pick(&time),
            queue: pick(&queue),
            busy: pick(&busy),
            on_duty: pick(&on_duty),
            window,
            empty_note: if keep.is_empty() {
                Some("no hours of this weekend in hourly.csv".into())
            } else if idle && pool.queue.0 == HELPDESK.queue.0 {
                Some("no tickets in these days".into())
            } else {
                None
            },
        })
    }
}

impl Figure for Staffing {
    /// Two panels on one time axis: the queue above, the staff below, each on its own scale
    /// (a queue of hundreds would flatten a staff of a dozen onto zero).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let body = heading(root, &self.title, &self.subtitle)?;
        let (_, h) = body.dim_in_pixel();
        let (top, bottom) = body.split_vertically((h as f64 * 0.55) as i32);
        let hour = 1.0 / 24.0;
        let stepped = |values: &[f64]| -> Vec<Vec<(f64, f64)>> {
            let points = self.x.iter().copied().zip(values.iter().copied());
            runs(points).iter().map(|run| steps(run, hour)).collect()
        };
        let mut queue = plot(
            &top,
            Axis::time(self.window.0, self.window.1),
            Axis::counts(self.queue.iter().copied()),
            Labelled {
                x: "",
                y: self.pool.y_label,
            },
            80,
        )?;
        for run in stepped(&self.queue) {
            queue.draw_series(LineSeries::new(run, RED.stroke_width(2)))?;
        }
        if let Some(note) = &self.empty_note {
            note_centred(&queue, note)?;
        }
        legend(
            &queue,
            &[(self.pool.queue.1.to_string(), Mark::Line(RED, 2))],
            &stepped(&self.queue),
        )?;
        let mut staff = plot(
            &bottom,
            Axis::time(self.window.0, self.window.1),
            Axis::counts(self.busy.iter().chain(&self.on_duty).copied()),
            Labelled {
                x: self.pool.x_label,
                y: self.pool.staff,
            },
            80,
        )?;
        // Busy staff as an area under those on duty, drawn as a dashed line.
        for run in stepped(&self.busy) {
            let zeros = vec![0.0; run.len()];
            let (x, y): (Vec<f64>, Vec<f64>) = run.into_iter().unzip();
            staff.draw_series(
                band(&x, &zeros, &y)
                    .into_iter()
                    .map(|p| Polygon::new(p, BLUE.mix(0.45).filled())),
            )?;
        }
        for run in stepped(&self.on_duty) {
            staff.draw_series(DashedLineSeries::new(run, 8, 5, MUTED.stroke_width(2)))?;
        }
        let mut avoid = stepped(&self.on_duty);
        avoid.extend(stepped(&self.busy));
        legend(
            &staff,
            &[
                (self.pool.busy.1.to_string(), Mark::Fill(BLUE.mix(0.45))),
                (self.pool.on_duty.1.to_string(), Mark::Dashed(MUTED)),
            ],
            &avoid,
        )
    }
}

struct Islands {
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
    fn read(dir: &Path, context: &RunContext) -> Result<Islands, Error> {
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
        Ok(Islands {
            title: format!(
                "{}: chat islands around the service upgrade",
                context.scenario
            ),
            subtitle: format!(
                "{}: share of each tenant's contact pairs, mean and P10 to P90 across tenants",
                context.detail
            ),
            x: table.numbers(islands::DAYS_FROM_T)?,
            series,
        })
    }
}

impl Islands {
    /// Whether any contact pair was split or broken on any day.
    fn shows_anything(&self) -> bool {
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

struct Slips {
    title: String,
    subtitle: String,
    values: Vec<f64>,
}

impl Slips {
    fn read(dir: &Path, context: &RunContext) -> Result<Slips, Error> {
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

impl Figure for Slips {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let body = heading(root, &self.title, &self.subtitle)?;
        let bins = self.bins();
        let (lo, hi) = bounds(bins.iter().flat_map(|b| [b.0, b.1]));
        let mut chart = plot(
            &body,
            Axis::numeric(lo, hi),
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
    use super::*;

    fn manifest(phases: Vec<RecordedPhase>) -> ManifestInfo {
        ManifestInfo {
            scenario: "s".into(),
            replications: Some(1),
            detail_replication: Some(0),
            deadline: None,
            grid_keys: Vec::new(),
            grid_cells: None,
            is_sweep: false,
            is_study: false,
            phases,
        }
    }

    #[test]
    fn legends_show_the_offsets_the_manifest_records() {
        let recorded = ["wait", "presync", "cutover"]
            .iter()
            .enumerate()
            .map(|(i, key)| RecordedPhase {
                key: key.to_string(),
                name: key.to_uppercase(),
                offset: (i == 1).then(|| "T-90".to_string()),
                spans: i == 2,
            })
            .collect();
        let phases = chart_phases(&manifest(recorded));
        assert_eq!(phases[1].label, "PRESYNC (T-90)");
        assert_eq!(phases[0].label, "WAIT");
        assert_eq!((phases[0].colour, phases[1].colour), (GREY, TEAL));
        assert!(phases[2].spans && !phases[1].spans);
        // Without recorded phases: the BPOS names only, never an offset that may be wrong.
        let fallback = chart_phases(&manifest(Vec::new()));
        assert_eq!(fallback.len(), 8);
        assert_eq!(fallback[4].colour, BLUE);
        assert!(
            fallback.iter().all(|p| !p.label.contains('T')),
            "{fallback:?}"
        );
        let weekend: Vec<&str> = fallback
            .iter()
            .filter(|p| p.spans)
            .map(|p| p.key.as_str())
            .collect();
        assert_eq!(weekend, ["prestage", "lock", "data_upgrade", "finalize"]);
    }

    #[test]
    fn colours_repeat_after_the_palette_but_never_take_the_waiting_grey() {
        assert_eq!(phase_colour(0), GREY);
        assert!((1..40).all(|i| phase_colour(i) != GREY));
        assert_eq!(phase_colour(8), phase_colour(1));
    }

    /// A run folder holding only what the weekend chart reads: one batch whose tenant 3 rolled
    /// back, starting later than the others.
    fn weekend_folder() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write(
            "manifest.json",
            r#"{"scenario": "t", "replications": 1, "detail_replication": 0,
                "start": "2011-09-05", "deadline": "2011-12-31"}"#,
        );
        write(
            "batches.csv",
            "batch,weekend,tenants,seats,data_gb,transitioned,slipped\n0,2011-09-10,3,30,3,2,1\n",
        );
        let mut spans = String::from("tenant,batch,weekend,phase,start,end,done,outcome\n");
        for (t, at) in [(1, "03T00"), (2, "03T01"), (3, "03T02")] {
            spans.push_str(&format!(
                "{t},0,2011-09-10,prestage,2011-09-{at}:00,2011-09-09T00:00,2011-09-04T00:00,complete\n\
                 {t},0,2011-09-10,lock,2011-09-09T00:00,2011-09-10T00:00,2011-09-09T00:05,complete\n"
            ));
        }
        spans.push_str(
            "1,0,2011-09-10,data_upgrade,2011-09-10T00:00,2011-09-12T00:00,2011-09-10T02:00,complete\n\
             1,0,2011-09-10,finalize,2011-09-12T00:00,2011-09-12T00:20,2011-09-12T00:20,complete\n\
             2,0,2011-09-10,data_upgrade,2011-09-10T00:00,2011-09-12T00:00,2011-09-10T03:00,complete\n\
             2,0,2011-09-10,finalize,2011-09-12T00:00,2011-09-12T00:20,2011-09-12T00:20,complete\n\
             3,0,2011-09-10,data_upgrade,2011-09-10T00:00,2011-09-12T00:00,,rolled_back\n",
        );
        write("spans.csv", &spans);
        dir
    }

    fn weekend(dir: &Path) -> Weekend {
        let manifest = ManifestInfo::read(dir).unwrap();
        let busiest = Busiest::read(dir).unwrap();
        Weekend::read(dir, &RunContext::new(&manifest), &busiest).unwrap()
    }

    #[test]
    fn flagged_weekend_rows_are_listed_first() {
        let dir = weekend_folder();
        let chart = weekend(dir.path());
        let order: Vec<&str> = chart.lanes.iter().map(|l| l.0.as_str()).collect();
        assert_eq!(
            order,
            ["3", "1", "2"],
            "the rolled-back tenant first, then by start"
        );
    }

    #[test]
    fn the_weekend_time_axis_covers_finalize_and_pre_stage_has_its_own_panel() {
        let dir = weekend_folder();
        let chart = weekend(dir.path());
        let (lo, hi, split) = chart.time_range();
        let finalize = day_number("2011-09-12".parse().unwrap());
        assert!(
            hi >= finalize + 0.5,
            "Finalize starts at {finalize}, the axis ends at {hi}"
        );
        assert_eq!(lo, day_number("2011-09-03".parse().unwrap()));
        assert_eq!(split, Some(day_number("2011-09-09".parse().unwrap())));
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
        assert!(y1 >= 1000.0, "all tenants are on the close-up's scale");
        assert!(
            y0 > 900.0,
            "the close-up shows the last tenants, not the programme: {y0}"
        );
    }
}
