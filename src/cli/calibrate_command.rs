//! `cutover calibrate`: reads a programme's observed weeks, fits the `--fit` keys with
//! `study::calibrate` (every setting on the same replications), and writes calibration.csv,
//! fit.csv, calibrated.toml (the scenario with the fitted values, which `run` accepts as it is),
//! the manifest and a chart of observed against simulated weeks per observed column.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use serde::Serialize;

use super::key_ranges::{check_memory_at_ends, load_study, scenario_at, scenario_with};
use super::{DrawCharts, SimulationArgs, finish_folder, plural};
use crate::error::{Error, Kept};
use crate::files::calibration as c;
use crate::output::{self, FolderManifest, Head, format_number};
use crate::report::figures;
use crate::scenario::{ReadProblem, Scenario, ScenarioDoc, Source, Workload, read_text, set_key};
use crate::study::arg_error;
use crate::study::calibrate::{
    self as study, COLUMNS, Calendar, Calibration, MAX_KEYS, Observations, RISE_95, Settings,
    Simulated,
};
use crate::study::key_range::Factor;
use crate::{chart, sweep};

/// The largest observations file read: years of weekly rows are a few kB.
const MAX_OBSERVED_BYTES: u64 = 16 << 20;

// `--precision` is refused (every setting runs the same --reps), so not offered; a calibration
// draws no progress bar, so `--quiet` offers none to hide.
#[derive(Debug, Args)]
#[command(
    mut_arg("precision", |a| a.hide(true)),
    mut_arg("quiet", |a| a.help("Print nothing but errors")),
    mut_arg("reps", |a| a.help("Replications of every setting tried (overrides the scenario's `replications`)"))
)]
pub struct CalibrateArgs {
    /// Scenario file, or the name of a bundled scenario.
    #[arg(value_parser = super::flag_values::scenario())]
    pub scenario: String,
    /// The programme's observed weeks: a CSV in the format of weekly.csv (`week`, optionally
    /// `week_start`, and any of transitioned, slips, errors, retries, helpdesk_tickets, copied_tb).
    #[arg(long, value_name = "OBS.csv", value_parser = super::flag_values::path())]
    pub observed: PathBuf,
    /// A numeric key to fit and the range to search, e.g.
    /// workitems.hard_failure_probability=0.001..0.05 (repeatable).
    #[arg(long, value_name = "KEY=LOW..HIGH", required = true)]
    pub fit: Vec<String>,
    /// Use only the observed weeks A to B (inclusive) [default: every observed week].
    #[arg(long, value_name = "A..B")]
    pub weeks: Option<String>,
    /// Keep the last K of those weeks out of the fit and report the discrepancy on them: does
    /// the fit forecast, or only fit?
    #[arg(long, value_name = "K", default_value_t = 0, value_parser = super::whole(0, u64::MAX),
        allow_hyphen_values = true)]
    pub holdout: u64,
    /// Nelder-Mead iterations of the first search (the second, finer one runs half as many).
    #[arg(long, default_value_t = 40, value_parser = super::whole(1, 10_000),
        allow_hyphen_values = true)]
    pub iterations: u64,
    /// Output folder [default: output/<scenario name>-calibrate; with --set,
    /// output/<scenario name>-calibrate-<8 hex digits of the overrides' hash>].
    #[arg(long, value_parser = super::flag_values::path())]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub sim: SimulationArgs,
    /// Draw no charts (PNG and SVG in OUT/charts).
    #[arg(long)]
    pub no_charts: bool,
}

/// manifest.json of a calibration folder.
#[derive(Clone, Debug, Serialize)]
struct CalibrationManifest {
    /// With the batch policy every setting runs under, and its full definition.
    #[serde(flatten)]
    head: Head,
    observed: String,
    seed: u64,
    /// Replications of every setting tried (the same ones everywhere).
    replications: u64,
    factors: Vec<Factor>,
    fitted_weeks: Vec<u32>,
    holdout_weeks: Vec<u32>,
    /// Each observed column's dispersion phi_c (variance over mean) in the discrepancy.
    dispersion: Vec<(String, f64)>,
    iterations: u64,
    evaluations: usize,
    threads: usize,
    command: Vec<String>,
    wall_seconds: f64,
    files: Vec<String>,
}

impl FolderManifest for CalibrationManifest {
    fn completion(&mut self) -> (&mut bool, &mut Vec<String>) {
        (&mut self.head.complete, &mut self.files)
    }
}

/// `--weeks A..B`, each mistake located in the argument.
fn parse_weeks(arg: &str) -> Result<(u32, u32), Error> {
    let bad = |span: std::ops::Range<usize>, m: &str| arg_error("--weeks", arg, span, m);
    let Some(dots) = arg.find("..") else {
        return Err(bad(0..arg.len(), "expected A..B, weeks from 0, e.g. 0..11"));
    };
    let number = |from: usize, text: &str| {
        text.trim()
            .parse::<u32>()
            .map_err(|_| bad(from..from + text.len(), "not a week number (0, 1, ...)"))
    };
    let a = number(0, &arg[..dots])?;
    let b = number(dots + 2, &arg[dots + 2..])?;
    if a > b {
        return Err(bad(
            0..arg.len(),
            &format!("the range is empty: {a} is after {b}"),
        ));
    }
    Ok((a, b))
}

/// The observations file: a regular file under the size cap, as UTF-8 text.
fn read_observed(path: &std::path::Path) -> Result<String, Error> {
    read_text(path, MAX_OBSERVED_BYTES).map_err(|problem| {
        let shown = path.display();
        Error::Usage(match problem {
            ReadProblem::NotUtf8 { line, cell, .. } => {
                format!("{shown}:{line}:{cell}: {problem}")
            }
            other => format!("--observed {shown}: {other}"),
        })
    })
}

pub fn calibrate_command(
    args: CalibrateArgs,
    command: Vec<String>,
    wait: bool,
) -> Result<(), Error> {
    let setup = load_study(
        &args.scenario,
        &args.sim,
        "--fit",
        "fitted",
        &args.fit,
        MAX_KEYS,
        "calibrate runs the same --reps for every setting it tries",
    )?;
    let (base, factors) = (&setup.base, setup.factors.as_slice());
    let (seed, reps) = (setup.seed, setup.reps);
    let horizon_days = (base.day_of(base.calendar.end) + 1).max(0) as u64;
    let calendar = Calendar {
        start: base.calendar.start,
        weeks: horizon_days.div_ceil(7) as u32,
    };
    let observed_name = args.observed.display().to_string();
    let obs = study::observed::parse(&read_observed(&args.observed)?, &observed_name, calendar)?;
    let (first, last) = match &args.weeks {
        Some(w) => parse_weeks(w)?,
        None => (0, u32::MAX),
    };
    let rows: Vec<usize> = (0..obs.weeks.len())
        .filter(|&r| (first..=last).contains(&obs.weeks[r]))
        .collect();
    if rows.is_empty() {
        return Err(Error::Usage(format!(
            "--weeks {}: {observed_name} observes none of these weeks (it has weeks {} to {})",
            args.weeks.as_deref().unwrap_or(""),
            obs.weeks[0],
            obs.weeks[obs.weeks.len() - 1]
        )));
    }
    let held = usize::try_from(args.holdout).unwrap_or(usize::MAX);
    if held >= rows.len() {
        return Err(Error::Usage(format!(
            "--holdout {}: only {} used, and at least one must be fitted",
            args.holdout,
            plural(rows.len() as u64, "observed week")
        )));
    }
    let (fit_rows, holdout_rows) = rows.split_at(rows.len() - held);
    // Weeks whose every cell is empty are weeks, but nothing to fit to: with no value at all the
    // discrepancy is 0 everywhere, and every key would come out "not identifiable".
    if fit_rows
        .iter()
        .all(|&r| obs.values[r].iter().all(Option::is_none))
    {
        let weeks = |rows: &[usize]| {
            let (a, b) = (obs.weeks[rows[0]], obs.weeks[rows[rows.len() - 1]]);
            if a == b {
                format!("week {a}")
            } else {
                format!("weeks {a} to {b}")
            }
        };
        return Err(Error::Usage(format!(
            "{observed_name}: no value observed in the {} fitted ({}): every cell of {} is empty there, and a fit needs at least one",
            plural(fit_rows.len() as u64, "week"),
            weeks(fit_rows),
            obs.columns
                .iter()
                .map(|&c| COLUMNS[c])
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }

    let out = super::output_folder(args.out, &base.name, "-calibrate", &args.sim);
    check_memory_at_ends(
        "--fit",
        base,
        [
            factors.iter().map(|f| f.low).collect(),
            factors.iter().map(|f| f.high).collect(),
        ],
        |values| {
            (factors.iter().zip(values))
                .map(|(f, &v)| format!("{}={}", f.key, f.text(v)))
                .collect::<Vec<_>>()
                .join(", ")
        },
        |values| {
            scenario_at(&setup.doc, factors, values, "--fit", |at| at.to_string()).map(|(s, _)| s)
        },
        Workload::run(reps, args.sim.workers()),
    )?;
    // calibrated.toml, written last, sets each `--set` and fitted key in the scenario's text: a
    // key it cannot set there (one the file writes as a table or an array) is refused now, at the
    // low ends of the ranges, instead of after every setting ran, the old results removed.
    let lows: Vec<(String, String, String)> = (factors.iter())
        .map(|f| (f.key.clone(), f.text(f.low), String::new()))
        .collect();
    edited_scenario(
        &setup.source,
        &setup.doc,
        base,
        &args.sim.set,
        &lows,
        &[calibrated_by(&observed_name, reps, seed)],
        BEFORE_THE_FIT,
    )?;
    let (folder, interrupted) = super::open_output(&out, wait, Kept::Nothing, false)?;
    if !args.sim.quiet {
        // The held-out weeks are besides the fitted ones: "10 weeks (2 held out)" read as 8 fitted.
        let held_out = match holdout_rows.len() {
            0 => String::new(),
            n => format!(", {} held out", plural(n as u64, "more week")),
        };
        say_wrapped!(
            "{}: fitting {} to {} of {observed_name}{held_out}, {} per setting, seed {seed}",
            base.name,
            plural(factors.len() as u64, "key"),
            plural(fit_rows.len() as u64, "week"),
            plural(reps, "replication"),
        );
    }
    let runner = sweep::Runner::new(args.sim.threads(), interrupted)?;
    let pairs: Vec<(usize, u64)> = (0..reps).map(|r| (0, r)).collect();
    let started = Instant::now();
    let mut evaluate = |values: &[f64]| -> Result<Simulated, Error> {
        let (scenario, _) = scenario_at(&setup.doc, factors, values, "--fit", |at| {
            format!("the setting {at}")
        })?;
        let variant = sweep::Variant::seeded(scenario, seed)?;
        // Replication r of every setting shares its random numbers: common random numbers.
        let weeks = runner.map_pairs(&pairs, |_, r| {
            sweep::replicate(&variant.scenario, variant.policy.as_ref(), r, false).map(|o| o.weekly)
        })?;
        let refs: Vec<&[crate::model::WeekCounts]> = weeks.iter().map(Vec::as_slice).collect();
        Ok(Simulated::from_weeks(&refs))
    };
    let settings = Settings {
        iterations: args.iterations,
        seed,
    };
    let result = study::calibrate(
        factors,
        &obs,
        fit_rows,
        holdout_rows,
        settings,
        &mut evaluate,
    )?;
    super::interrupt::simulated();
    let wall_seconds = started.elapsed().as_secs_f64();

    let calibrated = calibrated_toml(
        &setup.source,
        &setup.doc,
        base,
        &args.sim.set,
        Fitted {
            factors,
            result: &result,
            observed: &observed_name,
            seed,
        },
    )?;
    let week_rows = |rows: &[usize]| rows.iter().map(|&r| obs.weeks[r]).collect::<Vec<u32>>();
    let files = vec![
        (c::FILE, calibration_csv(factors, &result)),
        (
            c::FIT_FILE,
            fit_csv(&obs, calendar, fit_rows, holdout_rows, &rows, &result.best),
        ),
        (c::SCENARIO_FILE, calibrated.into_bytes()),
    ];
    let manifest = CalibrationManifest {
        head: Head::of_study(base, &args.sim.set),
        observed: observed_name,
        seed,
        replications: reps,
        factors: factors.to_vec(),
        fitted_weeks: week_rows(fit_rows),
        holdout_weeks: week_rows(holdout_rows),
        dispersion: obs
            .columns
            .iter()
            .map(|&c| (COLUMNS[c].to_string(), result.scales.dispersion[c]))
            .collect(),
        iterations: args.iterations,
        evaluations: result.evaluations,
        threads: args.sim.workers(),
        command,
        wall_seconds,
        files: output::file_names(&files),
    };
    output::write_files(&out, files)?;
    if !args.sim.quiet {
        print_result(factors, &result, wall_seconds, reps);
        say_wrapped!(
            "results in {}; run the forecast with `cutover run {}`",
            out.display(),
            out.join(c::SCENARIO_FILE).display()
        );
    }
    finish_folder(
        &folder,
        &manifest,
        (!args.no_charts).then_some(chart::draw_calibration as DrawCharts),
        args.sim.quiet,
    )
}

/// What was fitted, to what, as calibrated.toml's header says.
struct Fitted<'a> {
    factors: &'a [Factor],
    result: &'a Calibration,
    observed: &'a str,
    seed: u64,
}

/// What a refusal of calibrated.toml advises once the fit is done: its values are in
/// calibration.csv.
const BY_HAND: &str = "write the fitted values of calibration.csv into the scenario by hand";

/// What it advises before anything runs, when the scenario with every fitted key at the low end
/// of its range cannot be written.
const BEFORE_THE_FIT: &str = "refused before anything runs, as calibrate ends by writing that file: write such a --set in the scenario file itself, and fit keys the file writes as numbers (or does not write)";

/// calibrated.toml's first line: what it was calibrated to.
fn calibrated_by(observed: &str, replications: u64, seed: u64) -> String {
    format!(
        "# Calibrated by `cutover calibrate` to the weeks of {observed} ({replications} replications per setting, seed {seed})."
    )
}

/// calibrated.toml: the input's text with the `--set` values, the fitted values of the
/// identifiable keys and a name of its own set in place, a header saying what was fitted, and
/// a relative inventory path made absolute; checked to read back as the calibrated scenario.
fn calibrated_toml(
    source: &Source,
    doc: &ScenarioDoc,
    base: &Scenario,
    overrides: &[String],
    fitted_keys: Fitted<'_>,
) -> Result<String, Error> {
    let Fitted {
        factors,
        result,
        observed,
        seed,
    } = fitted_keys;
    let mut header = vec![calibrated_by(observed, result.best.runs.len() as u64, seed)];
    let mut fitted = Vec::new();
    for (f, k) in factors.iter().zip(&result.keys) {
        if k.identifiable {
            let range = format!(
                "95% interval {} to {}",
                setting_cell(f, k.ci95_low),
                setting_cell(f, k.ci95_high)
            );
            header.push(format!("#   {} = {} ({range})", f.key, f.text(k.value)));
            fitted.push((
                f.key.clone(),
                f.text(k.value),
                format!("calibrated, {range}"),
            ));
        } else {
            header.push(format!(
                "#   {}: not identifiable from the observed columns (the discrepancy rises by {:.2} < {RISE_95:.2} over the range): left as it was",
                f.key, k.rise
            ));
        }
    }
    header.push("# Forecast: `cutover run calibrated.toml`.".into());
    edited_scenario(source, doc, base, overrides, &fitted, &header, BY_HAND)
}

/// The scenario's text with `overrides` and `fitted` (key, value, comment) set in place, its
/// own name, a relative inventory made absolute and `header` above it, checked to read back as
/// the scenario of those values; a refusal ends with `advice`.
fn edited_scenario(
    source: &Source,
    doc: &ScenarioDoc,
    base: &Scenario,
    overrides: &[String],
    fitted: &[(String, String, String)],
    header: &[String],
    advice: &str,
) -> Result<String, Error> {
    let mut text = base.source_text.to_string();
    let cannot =
        |e: String| Error::Usage(format!("cannot write {}: {e}; {advice}", c::SCENARIO_FILE));
    for o in overrides {
        let (key, value) = o.split_once('=').expect("a --set that was applied has `=`");
        // `--set` takes a bare word as a string, as TOML does not: quote it.
        let value = value.trim();
        let value = if toml::from_str::<toml::Table>(&format!("v = {value}")).is_ok() {
            value.to_string()
        } else {
            toml::Value::String(value.to_string()).to_string()
        };
        text =
            set_key(&text, key.trim(), &value, &format!("--set {}", o.trim())).map_err(cannot)?;
    }
    for (key, value, comment) in fitted {
        text = set_key(&text, key, value, comment).map_err(cannot)?;
    }
    let name = format!("{}-calibrated", base.name);
    if crate::scenario::is_safe_name(&name) {
        text = set_key(
            &text,
            "name",
            &toml::Value::String(name.clone()).to_string(),
            "calibrated",
        )
        .map_err(cannot)?;
    }
    if let (Source::File(path), Some(inventory)) = (source, inventory_key(&text)) {
        let folder = path.parent().unwrap_or(std::path::Path::new(""));
        if std::path::Path::new(&inventory).is_relative() {
            let absolute = std::path::absolute(folder.join(&inventory))
                .map_err(|e| cannot(format!("cannot resolve the inventory path: {e}")))?;
            let value = toml::Value::String(absolute.display().to_string()).to_string();
            text =
                set_key(&text, "population.inventory", &value, "made absolute").map_err(cannot)?;
        }
    }
    let text = format!("{}\n{text}", header.join("\n") + "\n");
    // It must read back as the scenario that was calibrated.
    let values: Vec<(String, String)> = (fitted.iter())
        .map(|(key, value, _)| (key.clone(), value.clone()))
        .collect();
    let expected = scenario_with(doc, &values).map_err(|e| Error::Internal(e.to_string()))?;
    let back =
        Scenario::from_text(&text, c::SCENARIO_FILE, &[]).map_err(|e| cannot(e.to_string()))?;
    // A setting is built as a grid cell is, without the scenario's `[sweep]` grid; the file
    // keeps its `[sweep]` table as written, so the grid is not part of the comparison, and
    // neither is the file's name.
    let same = |mut s: Scenario| {
        s.file.clear();
        s.source_text = std::sync::Arc::from("");
        s.name.clear();
        s.sweep = None;
        s
    };
    if same(back) != same(expected) {
        return Err(cannot(
            "the edited file does not read back as the calibrated scenario".into(),
        ));
    }
    Ok(text)
}

/// The inventory a scenario text names, if any.
fn inventory_key(text: &str) -> Option<String> {
    let table: toml::Table = toml::from_str(text).ok()?;
    Some(
        table
            .get("population")?
            .get("inventory")?
            .as_str()?
            .to_string(),
    )
}

/// A fitted value or interval end as calibration.csv and calibrated.toml's comments write it:
/// every digit, the shortest decimal that reads back as the number (as calibrated.toml writes
/// the value), so that neither a key fitted over 1e-7 to 2e-5 nor one over 0.0299999 to
/// 0.0300001 loses its range to six decimals.
fn setting_cell(f: &Factor, x: f64) -> String {
    if !x.is_finite() {
        String::new()
    } else if f.integer && x.fract() == 0.0 {
        f.text(x)
    } else {
        format!("{x:?}")
    }
}

/// calibration.csv: one row per fitted key.
fn calibration_csv(factors: &[Factor], result: &Calibration) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let row_error = "writing CSV to memory cannot fail";
    w.write_record(c::HEADER).expect(row_error);
    let holdout: [String; 5] = result.holdout.map_or_else(Default::default, |h| {
        [
            format_number(h.discrepancy),
            h.cells.to_string(),
            h.replications.to_string(),
            h.exceeded.to_string(),
            format_number(h.p_value()),
        ]
    });
    for (f, k) in factors.iter().zip(&result.keys) {
        w.write_record(
            [
                f.key.clone(),
                if k.identifiable {
                    f.text(k.value)
                } else {
                    String::new()
                },
                setting_cell(f, k.ci95_low),
                setting_cell(f, k.ci95_high),
                k.identifiable.to_string(),
                format_number(k.rise),
                format_number(result.fit.0),
                result.fit.1.to_string(),
            ]
            .into_iter()
            .chain(holdout.iter().cloned()),
        )
        .expect(row_error);
    }
    w.into_inner().expect(row_error)
}

/// fit.csv: per observed column, every week of the horizon.
fn fit_csv(
    obs: &Observations,
    calendar: Calendar,
    fit_rows: &[usize],
    holdout_rows: &[usize],
    used: &[usize],
    best: &Simulated,
) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let row_error = "writing CSV to memory cannot fail";
    w.write_record(c::FIT_HEADER).expect(row_error);
    for (j, &col) in obs.columns.iter().enumerate() {
        for week in 0..calendar.weeks {
            let row = obs.weeks.iter().position(|&x| x == week);
            let observed = row.and_then(|r| obs.values[r][j]);
            let role = match row {
                Some(_) if observed.is_none() => "",
                Some(r) if fit_rows.contains(&r) => "fit",
                Some(r) if holdout_rows.contains(&r) => "holdout",
                Some(r) if !used.contains(&r) => "unused",
                _ => "",
            };
            w.write_record([
                week.to_string(),
                calendar.start.add_days(7 * i64::from(week)).to_string(),
                COLUMNS[col].to_string(),
                role.to_string(),
                observed.map_or_else(String::new, format_number),
                format_number(best.mean(week, col)),
                format_number(best.quantile(week, col, 0.1)),
                format_number(best.quantile(week, col, 0.9)),
            ])
            .expect(row_error);
        }
    }
    w.into_inner().expect(row_error)
}

fn print_result(factors: &[Factor], result: &Calibration, wall: f64, reps: u64) {
    say!(
        "{} settings x {} in {wall:.1} s",
        result.evaluations,
        plural(reps, "replication")
    );
    // The keys' column as wide as the longest key, so a line fits 80 columns where it can.
    let width = factors.iter().map(|f| f.key.len()).max().unwrap_or(0);
    for (f, k) in factors.iter().zip(&result.keys) {
        if k.identifiable {
            // The digits the interval supports, within the range fitted over.
            let range = (f.low, f.high);
            let w = figures::setting_estimate(k.value, k.ci95_low, k.ci95_high, range, f.integer);
            say!("  {:<width$} {:>12} {}", f.key, w.value, w.interval());
        } else {
            say_wrapped!(
                "  {:<width$} not identifiable: the discrepancy rises by {:.2} (< {RISE_95:.2}) over the whole range",
                f.key,
                k.rise
            );
        }
    }
    let (d, n) = result.fit;
    say!(
        "discrepancy {d:.2} over {n} fitted values ({:.2} per value)",
        d / n.max(1) as f64
    );
    if let Some(h) = result.holdout {
        say_wrapped!("held out: {}", h.in_words());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A setting keeps every digit: six decimals would write 1e-7 as 0, and a range from
    /// 0.0299999 to 0.0300001 as one point.
    #[test]
    fn small_settings_keep_their_digits() {
        let key = |integer| Factor {
            key: "k".into(),
            low: 0.0,
            high: 1.0,
            integer,
        };
        let cell = |x| setting_cell(&key(false), x);
        assert_eq!(cell(0.0349421837), "0.0349421837");
        assert_eq!(cell(0.0), "0.0");
        assert_eq!(cell(1e-7), "1e-7");
        assert_eq!(cell(0.0299999), "0.0299999");
        assert_eq!(cell(f64::NAN), "");
        assert_eq!(setting_cell(&key(true), 100000.0), "100000");
        assert_eq!(setting_cell(&key(true), 12.5), "12.5");
    }
}
