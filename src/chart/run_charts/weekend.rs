//! The weekend chart: a Gantt of the busiest weekend's tenants through the weekend phases of the
//! detail replication, tenants that overran or rolled back first.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::chart::frame::{
    Axis, DARK_RED, Figure, GREY, Labelled, MUTED, Mark, Plot, bounds, heading, label_width,
    note_centred, plot, with_side_legend,
};
use crate::chart::table::{Table, date_of};
use crate::error::Error;
use crate::files::{self, spans, tenants};

use super::{Busiest, ChartPhase, RunContext};

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
        self.outcome == "rolled_back"
            || self.unfinished()
            || (self.done.is_finite() && self.done > self.end + 1e-9)
    }

    /// The phase ended with its work never done (copies still running when the window rolled
    /// back): spans.csv writes it `complete` with no `done`. Drawn as work through the whole
    /// window, not as a window whose work took no time.
    fn unfinished(&self) -> bool {
        self.outcome == "complete" && !self.done.is_finite() && self.end.is_finite()
    }

    /// Until when the phase's work ran: when it was done, or the phase's end if it never was.
    fn worked_until(&self) -> f64 {
        if self.unfinished() {
            self.end
        } else {
            self.done
        }
    }
}

/// Whether the chart draws a kind of mark for a span, so that its legend entry is due.
type ShownIf = fn(&Span) -> bool;

pub(super) struct Weekend {
    /// The weekend phases, for the legend.
    phases: Vec<ChartPhase>,
    /// The busiest weekend's T (its Saturday), as a day number: the first panel is read from it.
    t: f64,
    title: String,
    subtitle: String,
    /// Lanes top to bottom: tenant id and its bars.
    lanes: Vec<(String, Vec<Span>)>,
    /// What each lane is labelled: the tenant's name in the inventory where tenants.csv gives
    /// one, else its id.
    labels: Vec<String>,
    empty_note: Option<String>,
}

/// At most this many tenants get a lane; more would be unreadable.
const MAX_LANES: usize = 80;

/// Lanes' labels as the subtitle lists them: separated by commas, each quoted where one holds a
/// comma or a semicolon itself (`"Contoso, Ltd", "Fabrikam"`), so that a list never reads as
/// more names, or fewer, than it holds.
fn listed(labels: &[&str]) -> String {
    if labels.iter().any(|l| l.contains([',', ';'])) {
        let quoted: Vec<String> = labels
            .iter()
            .map(|l| format!("\u{201c}{l}\u{201d}"))
            .collect();
        quoted.join(", ")
    } else {
        labels.join(", ")
    }
}

/// At most this many tenants that overran or rolled back are named in the subtitle.
const MAX_NAMED: usize = 6;

impl Weekend {
    pub(super) fn read(
        dir: &Path,
        context: &RunContext,
        busiest: &Option<Busiest>,
    ) -> Result<Weekend, Error> {
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
                t: f64::NAN,
                title: format!("{}: busiest weekend", context.scenario),
                subtitle: format!("{}: no batch in batches.csv", context.detail),
                lanes: Vec::new(),
                labels: Vec::new(),
                empty_note: Some("no weekend had a batch".into()),
            });
        };
        let mut by_tenant: BTreeMap<String, Vec<Span>> = BTreeMap::new();
        for i in 0..table.len() {
            // A phase that ends before it starts is a damaged file, whichever batch it is of;
            // drawn, it would be a bar of negative length.
            if end[i] < start[i] || done[i] < start[i] {
                let column = if end[i] < start[i] {
                    spans::END
                } else {
                    spans::DONE
                };
                return Err(table.refused_row(i, column, "it is before the phase's start"));
            }
            if batch[i] != busiest.batch || !start[i].is_finite() {
                continue;
            }
            let lane = by_tenant.entry(tenant[i].to_string()).or_default();
            // One span a phase a batch: a tenant rolled back joins a later batch. A repeat is a
            // damaged file, and drawing every one would take minutes for a large one.
            if lane.iter().any(|s| s.phase == phase[i]) {
                return Err(table.refused_row(
                    i,
                    spans::PHASE,
                    &format!(
                        "tenant {}'s phase `{}` in batch {} a second time (cutover writes each once)",
                        crate::scenario::abbreviate(tenant[i]),
                        crate::scenario::abbreviate(phase[i]),
                        busiest.batch
                    ),
                ));
            }
            lane.push(Span {
                phase: phase[i].to_string(),
                start: start[i],
                end: end[i],
                done: done[i],
                outcome: outcome[i].to_string(),
            });
        }
        let (sizes, names) = tenant_facts(dir)?;
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
        let mut labels: Vec<String> = lanes
            .iter()
            .map(|l| {
                names
                    .get(&l.0)
                    .map_or_else(|| l.0.clone(), |n| lane_label(n))
            })
            .collect();
        // Names cut to the same label are told apart by their tenants' ids.
        let repeated: Vec<bool> = labels
            .iter()
            .map(|l| labels.iter().filter(|o| *o == l).count() > 1)
            .collect();
        for ((label, lane), repeated) in labels.iter_mut().zip(&lanes).zip(repeated) {
            if repeated {
                *label = format!("{} {label}", lane.0);
            }
        }
        // Named as well as counted: with more lanes than labels, the axis names only every few.
        let flagged_labels: Vec<&str> = lanes
            .iter()
            .zip(&labels)
            .filter(|(l, _)| l.1.iter().any(Span::overran))
            .map(|(_, label)| label.as_str())
            .collect();
        let overran = flagged_labels.len();
        let named = match flagged_labels.len() {
            0 => String::new(),
            n if n <= MAX_NAMED => format!(": {}", listed(&flagged_labels)),
            n => format!(
                ": {} and {} more",
                listed(&flagged_labels[..MAX_NAMED]),
                n - MAX_NAMED
            ),
        };
        let phases = weekend_phases(context);
        Ok(Weekend {
            t: busiest.weekend,
            title: format!(
                "{}: busiest weekend {}, {shown}",
                context.scenario,
                date_of(busiest.weekend)
            ),
            subtitle: format!(
                "{}, batch {}: {overran} shown overran or rolled back (listed first{named}{}); {} at a smaller scale",
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
            labels,
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

/// The room for the tenant axis's labels when they are ids (a few digits): the least given.
const ID_LABEL_WIDTH: u32 = 70;

/// Most characters of a lane's label: a longer name is cut, so the tenant axis keeps its width.
const MAX_LABEL_CHARS: usize = 22;

/// A tenant's name as its lane shows it: whole, or its first characters and an ellipsis.
fn lane_label(name: &str) -> String {
    if name.chars().count() <= MAX_LABEL_CHARS {
        return name.to_string();
    }
    let mut cut: String = name.chars().take(MAX_LABEL_CHARS - 1).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('\u{2026}');
    cut
}

/// From tenants.csv, if it is there: seats per tenant (only to pick which lanes to show), and
/// the names of an inventory's tenants (a generated tenant's `name` is empty).
type TenantFacts = (HashMap<String, f64>, HashMap<String, String>);

fn tenant_facts(dir: &Path) -> Result<TenantFacts, Error> {
    let (mut sizes, mut names) = (HashMap::new(), HashMap::new());
    if !dir.join(files::tenants::FILE).is_file() {
        return Ok((sizes, names));
    }
    let table = Table::read(dir, files::tenants::FILE)?;
    if !table.has(tenants::TENANT) {
        return Ok((sizes, names));
    }
    let ids = table.text(tenants::TENANT)?;
    if table.has(tenants::SEATS) {
        let seats = table.numbers(tenants::SEATS)?;
        sizes.extend(ids.iter().map(|id| id.to_string()).zip(seats));
    }
    if table.has(tenants::NAME) {
        let named = ids.iter().zip(table.text(tenants::NAME)?);
        names.extend(
            named
                .filter(|(_, name)| !name.is_empty())
                .map(|(id, name)| (id.to_string(), name.to_string())),
        );
    }
    Ok((sizes, names))
}

impl Weekend {
    /// The time shown: the whole of the first spanned phase (Pre-Stage: a week of copying) on
    /// the left panel, the later phases on the right, split where the first of them starts, and
    /// at least 12 hours past the start of the last phase (Finalize), so it shows; but no more
    /// than a day past the window's close or the start of the phase after it, whichever is
    /// later, so that phases starting days after the weekend (a decommission a fortnight on) do
    /// not squeeze it into a sliver.
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
        if let Some((close, _)) = self.window_close() {
            // The phase after the window (Finalize) shows even when the window is short.
            let next = self
                .phases
                .iter()
                .skip_while(|p| p.window_hours.is_none())
                .nth(1)
                .map_or(f64::INFINITY, |next| self.first_start(&next.key));
            hi = hi.min(latest_axis_end(close, next.min(hi)));
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
                if s.worked_until().is_finite()
                    && let Some((a, b)) = clip(s.start, s.worked_until().min(end))
                {
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(a, y - 0.38), (b, y + 0.38)],
                        colour.filled(),
                    )))?;
                }
            }
        }
        // The marks of trouble over every bar: an overrun's line runs on across the later
        // phases' bars to when the work was done, which drawn lane by lane they would cover.
        for (lane, (_, spans)) in self.lanes.iter().enumerate() {
            let y = lane as f64;
            for s in spans {
                let end = if s.end.is_finite() { s.end } else { hi };
                if s.worked_until() > end
                    && let Some((a, b)) = clip(end, s.worked_until())
                {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(a, y), (b, y)],
                        DARK_RED.stroke_width(3),
                    )))?;
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

    /// When the first tenant shown starts phase `key`; infinite if none does.
    fn first_start(&self, key: &str) -> f64 {
        self.lanes
            .iter()
            .flat_map(|l| &l.1)
            .filter(|s| s.phase == key)
            .map(|s| s.start)
            .fold(f64::INFINITY, f64::min)
    }

    /// The phases some tenant shown reaches, but none before `hi`, the time axis's end.
    fn past_the_edge(&self, hi: f64) -> Vec<&ChartPhase> {
        self.phases
            .iter()
            .filter(|p| {
                let first = self.first_start(&p.key);
                first.is_finite() && first >= hi
            })
            .collect()
    }

    /// When the window phase closes (its start, T, plus the hours the manifest records for it)
    /// and the legend's words for it: a tenant still at work there is rolled back.
    fn window_close(&self) -> Option<(f64, String)> {
        let window = self.phases.iter().find(|p| p.window_hours.is_some())?;
        let hours = window.window_hours?;
        let start = self.first_start(&window.key);
        start.is_finite().then(|| {
            (
                start + hours / 24.0,
                match window.start_hours {
                    Some(opens) => format!(
                        "{} window closes ({}, {hours} h)",
                        window.name,
                        crate::scenario::offset_label(opens + hours)
                    ),
                    None => format!("{} window closes ({hours} h)", window.name),
                },
            )
        })
    }

    /// The window's close as a dashed line across every lane, if it falls inside `[lo, hi]`.
    fn draw_window_close<DB: DrawingBackend>(
        &self,
        chart: &mut Plot<'_, DB>,
        (lo, hi): (f64, f64),
    ) -> DrawResult<(), DB> {
        if let Some((at, _)) = self.window_close()
            && at >= lo
            && at <= hi
        {
            let lanes = self.lanes.len().max(1) as f64;
            chart.draw_series(DashedLineSeries::new(
                [(at, -0.5), (at, lanes - 0.5)],
                8,
                5,
                MUTED.stroke_width(2),
            ))?;
        }
        Ok(())
    }
}

impl Figure for Weekend {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<(), DB> {
        let (lo, hi, split) = self.time_range();
        let past = self.past_the_edge(hi);
        let subtitle = if past.is_empty() {
            self.subtitle.clone()
        } else {
            let names: Vec<&str> = past.iter().map(|p| p.label.as_str()).collect();
            format!("{}; {} after the right edge", self.subtitle, listed(&names))
        };
        let body = heading(root, &self.title, &subtitle)?;
        let mut entries: Vec<(String, Mark)> = self
            .phases
            .iter()
            .filter(|p| !past.iter().any(|q| q.key == p.key))
            .map(|p| (p.label.clone(), Mark::Fill(p.colour.to_rgba())))
            .collect();
        // Every window is its phase's colour, lighter; the swatch shows the first phase's. The
        // marks of trouble are explained only when the weekend has some: a legend lists what
        // the chart shows.
        let tint = self.phases.first().map_or(GREY, |p| p.colour).mix(0.35);
        let any = |shown: fn(&Span) -> bool| self.lanes.iter().flat_map(|l| &l.1).any(shown);
        let marks: [(&str, Mark, ShownIf); 5] = [
            (
                "lighter: rest of the phase after its work",
                Mark::Fill(tint),
                |_| true,
            ),
            ("rolled back", Mark::Outlined(tint, DARK_RED), |s| {
                s.outcome == "rolled_back"
            }),
            ("still open at the end", Mark::Outlined(tint, BLACK), |s| {
                s.outcome == "open"
            }),
            (
                "work done after its phase ended",
                Mark::Line(DARK_RED, 3),
                |s| s.end.is_finite() && s.worked_until() > s.end,
            ),
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
        if let Some((_, label)) = self.window_close() {
            entries.push((label, Mark::Dashed(MUTED)));
        }
        let area = with_side_legend(&body, &entries)?;
        let names = self.labels.clone();
        // Room for the longest label (ids need little; an inventory's names more).
        let label_width = self
            .labels
            .iter()
            .map(|l| label_width(&area, l))
            .fold(0.0, f64::max);
        let y_label_width = (label_width as u32 + 40).clamp(ID_LABEL_WIDTH, 340);
        let Some(split) = split else {
            let mut chart = plot(
                &area,
                Axis::time(lo, hi),
                Axis::categories(names, 26).reversed(),
                Labelled {
                    x: "time",
                    y: "tenant",
                },
                y_label_width,
            )?;
            self.draw_lanes(&mut chart, (lo, hi), (hi - lo) * 0.004)?;
            self.draw_window_close(&mut chart, (lo, hi))?;
            if let Some(note) = &self.empty_note {
                note_centred(&chart, note)?;
            }
            return Ok(());
        };
        // Pre-Stage is a week of copying at a fraction of the width; the weekend gets the rest.
        let early_label = format!(
            "{} (days to T)",
            self.phases.first().map_or("", |p| p.name.as_str())
        );
        let later: Vec<&str> = self
            .phases
            .iter()
            .skip(1)
            .filter(|p| !past.iter().any(|q| q.key == p.key))
            .map(|p| p.name.as_str())
            .collect();
        // A programme whose last phase comes days after the weekend is read in days.
        let unit = if hi - split <= 6.0 { "hours" } else { "days" };
        let later_label = format!("{} ({unit})", later.join(", "));
        let (w, _) = area.dim_in_pixel();
        // The tenants' labels widen the first panel, not narrow its bars.
        let (left, right) = area.split_horizontally(
            (w as f64 * 0.3) as i32 + y_label_width.saturating_sub(ID_LABEL_WIDTH) as i32,
        );
        let mut early = plot(
            &left,
            // Offsets from T (T-21, T-14) where dates would leave room for one label.
            if self.t.is_finite() {
                Axis::from_t(self.t, lo, split, early_ticks(lo, split))
            } else {
                Axis::time(lo, split).with_ticks(early_ticks(lo, split))
            },
            Axis::categories(names.clone(), 26).reversed(),
            Labelled {
                x: &early_label,
                y: "tenant",
            },
            y_label_width,
        )?;
        self.draw_lanes(&mut early, (lo, split), (split - lo) * 0.01)?;
        let blank = vec![String::new(); names.len()];
        let mut weekend = plot(
            &right,
            Axis::time(split, hi),
            Axis::categories(blank, 26).reversed(),
            Labelled {
                x: &later_label,
                y: "",
            },
            8,
        )?;
        self.draw_lanes(&mut weekend, (split, hi), (hi - split) * 0.006)?;
        self.draw_window_close(&mut weekend, (split, hi))?;
        Ok(())
    }
}

/// Where the time axis ends at the latest, in days: a day past the later of the window's close
/// and the start of the phase after it. The report's caption names the phases drawn by this rule.
pub(crate) fn latest_axis_end(close: f64, next_start: f64) -> f64 {
    close.max(next_start) + 1.0
}

/// The first phase's panel (a week or three of copying) is read in days from its start: a tick
/// on every whole day from there (the plot keeps as many as its labels have room for), none in
/// the last quarter, where the next panel's first label stands at the shared edge.
fn early_ticks(lo: f64, split: f64) -> Vec<f64> {
    let last = split - (split - lo) * 0.25;
    (0..)
        .map(|d| lo + f64::from(d))
        .take_while(|t| *t <= last)
        .take(1000)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::table::{ManifestInfo, day_number};

    /// A name holding a comma would read as two in a plain list: then every name is quoted.
    #[test]
    fn names_holding_commas_are_listed_quoted() {
        assert_eq!(listed(&["Contoso", "Fabrikam"]), "Contoso, Fabrikam");
        assert_eq!(
            listed(&["Contoso, Ltd", "Fabrikam"]),
            "\u{201c}Contoso, Ltd\u{201d}, \u{201c}Fabrikam\u{201d}"
        );
        assert_eq!(listed(&["A; B"]), "\u{201c}A; B\u{201d}");
    }

    #[test]
    fn the_week_of_copying_has_a_scale() {
        // Pre-Stage from T-7 to T-1, and T-21 to T-1: more than the start is ticked, nothing
        // near the edge the weekend's panel labels.
        for days in [6.0, 20.0] {
            let ticks = early_ticks(100.0, 100.0 + days);
            assert!(ticks.len() >= 3, "{days} days: {ticks:?}");
            assert_eq!(ticks[0], 100.0);
            assert!(ticks.iter().all(|t| *t <= 100.0 + days * 0.75));
        }
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
    fn a_long_name_is_cut_to_the_lanes_room() {
        assert_eq!(lane_label("Woodgrove Bank"), "Woodgrove Bank");
        let exact = "x".repeat(MAX_LABEL_CHARS);
        assert_eq!(lane_label(&exact), exact);
        let cut = lane_label("Consolidated Messenger Services of Zürich");
        assert_eq!(cut, "Consolidated Messenge\u{2026}");
        assert_eq!(cut.chars().count(), MAX_LABEL_CHARS);
        // No space left before the ellipsis.
        assert_eq!(
            lane_label("Adventure Works Ltd. of Seattle"),
            "Adventure Works Ltd.\u{2026}"
        );
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

    /// Lanes are labelled by an inventory's names (tenants.csv's `name`), ids where a tenant
    /// has none, and with the id as well where two names are cut to the same label; the
    /// subtitle names the flagged tenant by its label.
    #[test]
    fn lanes_are_labelled_by_name_and_names_cut_alike_by_id_too() {
        let dir = weekend_folder();
        std::fs::write(
            dir.path().join("tenants.csv"),
            "tenant,name,seats\n1,Consolidated Messenger Services North,10\n\
             2,Consolidated Messenger Services South,10\n3,\"Trey Research, Inc.\",10\n",
        )
        .unwrap();
        let chart = weekend(dir.path());
        assert_eq!(
            chart.labels,
            [
                "Trey Research, Inc.",
                "1 Consolidated Messenge\u{2026}",
                "2 Consolidated Messenge\u{2026}"
            ]
        );
        assert!(
            chart
                .subtitle
                .contains("listed first: \u{201c}Trey Research, Inc.\u{201d}"),
            "{}",
            chart.subtitle
        );
        std::fs::write(dir.path().join("tenants.csv"), "tenant,name,seats\n1,,10\n").unwrap();
        assert_eq!(weekend(dir.path()).labels, ["3", "1", "2"]);
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

    /// The weekend folder with a manifest recording a programme whose window (`cut`, at T-6h)
    /// may run 54 hours, followed by a clean-up at T+48h and a last phase (`decom`) a fortnight
    /// after T; tenant 2's copies never finished.
    fn programme_folder() -> tempfile::TempDir {
        let dir = weekend_folder();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write(
            "manifest.json",
            r#"{"scenario": "t", "replications": 1, "detail_replication": 0,
                "start": "2011-09-05", "deadline": "2011-12-31", "phases": [
                {"key": "wait", "name": "Wait"},
                {"key": "copy", "name": "Copy", "start_hours": -168.0, "offset": "T-7", "spans": true},
                {"key": "cut", "name": "Cut", "start_hours": -6.0, "offset": "T-6h", "spans": true,
                 "window_hours": 54.0},
                {"key": "clean", "name": "Clean", "start_hours": 48.0, "offset": "T+48h", "spans": true},
                {"key": "decom", "name": "Decom", "start_hours": 336.0, "offset": "T+336h", "spans": true}]}"#,
        );
        let mut spans = String::from("tenant,batch,weekend,phase,start,end,done,outcome\n");
        for (t, copied) in [(1, "2011-09-04T00:00"), (2, "")] {
            spans.push_str(&format!(
                "{t},0,2011-09-10,copy,2011-09-03T00:00,2011-09-09T18:00,{copied},complete\n"
            ));
        }
        spans.push_str(
            "1,0,2011-09-10,cut,2011-09-09T18:00,2011-09-24T00:00,2011-09-10T02:00,complete\n\
             1,0,2011-09-10,clean,2011-09-12T00:00,2011-09-24T00:00,2011-09-12T01:00,complete\n\
             1,0,2011-09-10,decom,2011-09-24T00:00,2011-09-24T01:00,2011-09-24T01:00,complete\n\
             2,0,2011-09-10,cut,2011-09-09T18:00,2011-09-12T00:00,,rolled_back\n",
        );
        write("spans.csv", &spans);
        dir
    }

    #[test]
    fn copies_that_never_finished_are_drawn_as_an_overrun() {
        let dir = programme_folder();
        let chart = weekend(dir.path());
        let copy = |tenant: &str| {
            let lane = chart.lanes.iter().find(|l| l.0 == tenant).unwrap();
            lane.1.iter().find(|s| s.phase == "copy").unwrap()
        };
        assert!(copy("2").unfinished() && copy("2").overran());
        assert!(!copy("1").unfinished() && !copy("1").overran());
    }

    #[test]
    fn the_window_closes_where_the_manifest_says_and_later_phases_are_named() {
        let dir = programme_folder();
        let chart = weekend(dir.path());
        let (at, label) = chart.window_close().unwrap();
        // The window opens at T-6h (2011-09-09T18:00) and may run 54 hours: T+48h.
        assert_eq!(at, day_number("2011-09-12".parse().unwrap()));
        assert_eq!(label, "Cut window closes (T+48h, 54 h)");
        let (_, hi, split) = chart.time_range();
        assert_eq!(hi, at + 1.0, "a day past the close, not a fortnight");
        assert_eq!(
            chart.first_start("clean"),
            at,
            "the clean-up starts as the window closes"
        );
        assert_eq!(split, Some(at - 2.25));
        let past: Vec<&str> = chart
            .past_the_edge(hi)
            .iter()
            .map(|p| p.key.as_str())
            .collect();
        assert_eq!(past, ["decom"]);
        // Without a recorded window (an older manifest), no close and the whole programme.
        let old = weekend(weekend_folder().path());
        assert!(old.window_close().is_none());
        assert!(old.past_the_edge(old.time_range().1).is_empty());
    }

    #[test]
    fn a_window_no_scenario_can_set_is_ignored() {
        for (hours, shown) in [
            ("1e308", false),
            ("-5", false),
            ("0.5", false),
            ("168", true),
        ] {
            let dir = programme_folder();
            let path = dir.path().join("manifest.json");
            let manifest = std::fs::read_to_string(&path).unwrap();
            let edited = manifest.replace(
                "\"window_hours\": 54.0",
                &format!("\"window_hours\": {hours}"),
            );
            assert_ne!(edited, manifest);
            std::fs::write(&path, edited).unwrap();
            assert_eq!(
                weekend(dir.path()).window_close().is_some(),
                shown,
                "{hours}"
            );
        }
    }
}
