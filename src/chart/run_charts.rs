//! The charts of a run folder, each from the CSV files `cutover run` writes, one module each:
//! tenants per phase (`phases`), completion against the deadline (`completion`), a Gantt of the
//! busiest weekend (`weekend`), the operators of that weekend and the help desk in the week after
//! it (`staffing`), chat islands around T when any user moved chat early (`islands`), and slips per
//! replication (`slips`). Here: what they share (the run's context, the busiest weekend, the
//! phases' labels and colours) and the order they are drawn in.

use std::path::{Path, PathBuf};

use plotters::prelude::*;

use super::frame::{BLUE, GREEN, GREY, ORANGE, PINK, PURPLE, TEAL, YELLOW, thousands, write_chart};
use super::table::{ManifestInfo, RecordedPhase, Table, date_of, day_number};
use crate::error::Error;
use crate::files::{self, batches};

mod completion;
mod islands;
mod phases;
mod slips;
mod staffing;
mod weekend;

use completion::Completion;
use islands::Islands;
use phases::Phases;
use slips::Slips;
use staffing::{HELPDESK, OPERATORS, Staffing};
use weekend::Weekend;
pub(crate) use weekend::latest_axis_end;

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
    // Nobody moved chat early (a programme without the chat split, like tenant-to-tenant):
    // flat zeros would read as a measured result. One drawn from earlier files goes with the old
    // charts folder, which the new one replaces whole.
    if islands.shows_anything() {
        written.extend(write_chart(out, "islands", &islands)?);
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
    /// Hours from T at which it starts, as the manifest records it.
    start_hours: Option<f64>,
    /// For the window phase, how long it may run before a rollback, as the manifest records it.
    window_hours: Option<f64>,
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
                start_hours: None,
                window_hours: None,
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
            start_hours: p.start_hours,
            window_hours: p.window_hours,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(phases: Vec<RecordedPhase>) -> ManifestInfo {
        ManifestInfo {
            scenario: "s".into(),
            replications: Some(1),
            detail_replication: Some(0),
            without_detail: false,
            deadline: None,
            grid_keys: Vec::new(),
            grid_cells: None,
            is_sweep: false,
            is_study: false,
            study_kind: None,
            study_keys: Vec::new(),
            study_constraints: 0,
            listed: Vec::new(),
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
                start_hours: None,
                window_hours: None,
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
    fn a_replication_that_ended_before_the_deadline_is_said_to_have_ended() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(files::timeseries::FILE),
            "day,date,wait,done,transitioned\n0,2024-11-14,1,1,1\n1,2024-11-15,0,2,2\n",
        )
        .unwrap();
        let recorded: Vec<RecordedPhase> = ["wait", "done"]
            .iter()
            .map(|key| RecordedPhase {
                key: key.to_string(),
                name: key.to_string(),
                offset: None,
                spans: false,
                start_hours: None,
                window_hours: None,
            })
            .collect();
        let subtitle = |deadline| {
            let manifest = ManifestInfo {
                deadline,
                ..manifest(recorded.clone())
            };
            Phases::read(dir.path(), &RunContext::new(&manifest))
                .unwrap()
                .subtitle()
                .to_string()
        };
        assert!(
            subtitle(crate::date::Date::from_ymd(2024, 12, 31))
                .ends_with("; last sample 2024-11-15: the replication ended before the next"),
            "{}",
            subtitle(crate::date::Date::from_ymd(2024, 12, 31))
        );
        // Sampled to the deadline's day: nothing to say.
        assert!(!subtitle(crate::date::Date::from_ymd(2024, 11, 15)).contains("last sample"));
    }

    #[test]
    fn colours_repeat_after_the_palette_but_never_take_the_waiting_grey() {
        assert_eq!(phase_colour(0), GREY);
        assert!((1..40).all(|i| phase_colour(i) != GREY));
        assert_eq!(phase_colour(8), phase_colour(1));
    }
}
