//! The staffing charts from hourly.csv: the operators over the busiest weekend and the help desk
//! in the week after it.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::chart::frame::{
    Axis, BLUE, Figure, GREY, Labelled, MUTED, Mark, Plot, RED, band, bounds, heading,
    note_centred, plot, runs, steps, thousands, with_side_legend,
};
use crate::chart::table::Table;
use crate::error::Error;
use crate::files::{self, hourly, load};

use super::{Busiest, RunContext};

/// A staffed pool drawn from hourly.csv: its columns, its words, and the days it is shown for.
pub(super) struct Pool {
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
    /// Whether the chart shades the cutover window (the operators' weekend: who is on duty when
    /// it opens matters; the help desk's week starts after it).
    shows_window: bool,
}

/// Operators over the busiest weekend itself.
pub(super) const OPERATORS: Pool = Pool {
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
    shows_window: true,
};

/// The help desk over the week after it, when the busiest weekend's users call.
pub(super) const HELPDESK: Pool = Pool {
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
    shows_window: false,
};

pub(super) struct Staffing {
    title: String,
    subtitle: String,
    pool: &'static Pool,
    x: Vec<f64>,
    queue: Vec<f64>,
    busy: Vec<f64>,
    on_duty: Vec<f64>,
    window: (f64, f64),
    /// The busiest weekend's cutover window, opening and closing as day numbers, with its words,
    /// when the manifest records it.
    cutover_window: Option<(f64, f64, String)>,
    empty_note: Option<String>,
}

impl Staffing {
    pub(super) fn read(
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
                cutover_window: None,
                empty_note: Some("no weekend had a batch".into()),
            });
        };
        let window = (busiest.weekend + pool.days.0, busiest.weekend + pool.days.1);
        let cutover_window = context
            .phases
            .iter()
            .filter(|_| pool.shows_window)
            .find(|p| p.window_hours.is_some())
            .and_then(|p| {
                let (opens, hours) = (p.start_hours?, p.window_hours?);
                let at = |h: f64| busiest.weekend + h / 24.0;
                Some((
                    at(opens),
                    at(opens + hours),
                    format!(
                        "{} window, {} to {}",
                        p.name,
                        crate::scenario::offset_label(opens),
                        crate::scenario::offset_label(opens + hours)
                    ),
                ))
            });
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
            cutover_window,
            empty_note: if keep.is_empty() {
                Some("no hours of this weekend in hourly.csv".into())
            } else if idle && pool.queue.0 == HELPDESK.queue.0 {
                // A scenario whose users have nothing to call about (every `[clients]` share 0)
                // has no ticket on any day, which "in these days" would not say.
                let never = queue.iter().chain(&busy).all(|&v| v.is_nan() || v <= 0.0);
                Some(if never {
                    "no user called the help desk in this replication".into()
                } else {
                    "no tickets in these days".into()
                })
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
        // One legend for both panels, beside them: inside, every corner of the staff panel
        // can hold a shift's step or the window's edge (Monday's shift was hidden).
        let mut entries = vec![
            (self.pool.queue.1.to_string(), Mark::Line(RED, 2)),
            (self.pool.busy.1.to_string(), Mark::Fill(BLUE.mix(0.45))),
            (self.pool.on_duty.1.to_string(), Mark::Dashed(MUTED)),
        ];
        if let Some((.., label)) = &self.cutover_window {
            entries.push((label.clone(), Mark::Fill(window_shade())));
        }
        let body = with_side_legend(&body, &entries)?;
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
        self.shade_window(&mut queue)?;
        for run in stepped(&self.queue) {
            queue.draw_series(LineSeries::new(run, RED.stroke_width(2)))?;
        }
        if let Some(note) = &self.empty_note {
            note_centred(&queue, note)?;
        }
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
        self.shade_window(&mut staff)?;
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
        Ok(())
    }
}

/// The cutover window's shade behind a panel's lines: a light grey, not the window phase's own
/// colour (tenant-to-tenant's Cutover is the blue of the operators busy).
fn window_shade() -> RGBAColor {
    GREY.mix(0.3)
}

impl Staffing {
    /// The cutover window as a light band behind a panel's lines, cut to its time axis.
    fn shade_window<DB: DrawingBackend>(&self, chart: &mut Plot<'_, DB>) -> DrawResult<(), DB> {
        let Some((opens, closes, _)) = &self.cutover_window else {
            return Ok(());
        };
        let (x, y) = (chart.x_range(), chart.y_range());
        let (a, b) = (opens.max(x.start), closes.min(x.end));
        if a < b {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(a, y.start), (b, y.end)],
                window_shade().filled(),
            )))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::table::ManifestInfo;

    /// The help desk's chart of a folder whose weekend is 2011-09-10 and whose hourly.csv
    /// holds one waiting ticket at `ticket_at`, if any.
    fn helpdesk_note(ticket_at: Option<&str>) -> Option<String> {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write(
            "manifest.json",
            r#"{"scenario": "t", "replications": 1, "detail_replication": 0}"#,
        );
        write(
            "batches.csv",
            "batch,weekend,tenants,seats,data_gb,transitioned,slipped\n0,2011-09-10,3,30,3,3,0\n",
        );
        let mut hourly = String::from(
            "time,errors_outstanding,operators_busy,operators_on_duty,copies_running,\
             helpdesk_queue,helpdesk_busy,helpdesk_on_duty\n",
        );
        for at in ["2011-08-01T09:00", "2011-09-12T09:00"] {
            let queue = u8::from(ticket_at == Some(at));
            hourly.push_str(&format!("{at},0,0,1,0,{queue},0,2\n"));
        }
        write("hourly.csv", &hourly);
        let manifest = ManifestInfo::read(dir.path()).unwrap();
        let busiest = super::super::Busiest::read(dir.path()).unwrap();
        Staffing::read(dir.path(), &RunContext::new(&manifest), &busiest, &HELPDESK)
            .unwrap()
            .empty_note
    }

    #[test]
    fn a_help_desk_nobody_called_is_not_said_to_be_quiet_only_that_week() {
        assert_eq!(
            helpdesk_note(None).as_deref(),
            Some("no user called the help desk in this replication")
        );
        assert_eq!(
            helpdesk_note(Some("2011-08-01T09:00")).as_deref(),
            Some("no tickets in these days"),
            "a ticket a month before the busiest weekend"
        );
        assert_eq!(helpdesk_note(Some("2011-09-12T09:00")), None);
    }

    #[test]
    fn the_operators_chart_shades_the_window_the_manifest_records() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write(
            "manifest.json",
            r#"{"scenario": "t", "replications": 1, "detail_replication": 0, "phases": [
                {"key": "wait", "name": "Wait"},
                {"key": "cut", "name": "Cut", "start_hours": -6.0, "offset": "T-6h", "spans": true,
                 "window_hours": 54.0}]}"#,
        );
        write(
            "batches.csv",
            "batch,weekend,tenants,seats,data_gb,transitioned,slipped\n0,2011-09-10,3,30,3,3,0\n",
        );
        write(
            "hourly.csv",
            "time,errors_outstanding,operators_busy,operators_on_duty,copies_running,\
             helpdesk_queue,helpdesk_busy,helpdesk_on_duty\n2011-09-10T09:00,1,1,2,0,0,0,2\n",
        );
        let manifest = ManifestInfo::read(dir.path()).unwrap();
        let busiest = super::super::Busiest::read(dir.path()).unwrap();
        let context = RunContext::new(&manifest);
        let chart = |pool| Staffing::read(dir.path(), &context, &busiest, pool).unwrap();
        let t = crate::chart::table::day_number("2011-09-10".parse().unwrap());
        let (opens, closes, label) = chart(&OPERATORS).cutover_window.unwrap();
        assert_eq!((opens, closes), (t - 0.25, t + 2.0));
        assert_eq!(label, "Cut window, T-6h to T+48h");
        assert!(chart(&HELPDESK).cutover_window.is_none());
    }
}
