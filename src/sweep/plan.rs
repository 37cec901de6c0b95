//! A sweep's plan: every cell of the scenario's `[sweep]` grid as a validated scenario, built
//! before anything runs, and the description of the grid that manifests record.

use super::PlannedCell;
use crate::error::Error;
use crate::model::ReplicationOutput;
use crate::output::Manifest;
use crate::output::sweep_files::GridInfo;
use crate::scenario::{Scenario, ScenarioDoc, ScenarioError, Source, abbreviate, display_value};

pub struct SweepPlan {
    pub info: GridInfo,
    pub cells: Vec<PlannedCell>,
}

impl SweepPlan {
    /// The plan of `cells`, variants of `base` read with `overrides`, each run `replications`
    /// times under `seed`; `shown` gives each cell's values of `keys` as the CSV files show them.
    /// Its `GridInfo` identifies the results (without `--precision` targets).
    pub fn new(
        base: &Scenario,
        overrides: &[String],
        seed: u64,
        replications: u64,
        keys: Vec<String>,
        shown: Vec<Vec<String>>,
        cells: Vec<PlannedCell>,
    ) -> SweepPlan {
        SweepPlan {
            info: GridInfo {
                scenario: base.name.clone(),
                scenario_sha256: Manifest::scenario_sha256(&base.source_text, overrides),
                overrides: overrides.to_vec(),
                seed,
                replications,
                precision: Vec::new(),
                keys,
                cells: shown,
                policies: policy_definitions(&cells),
            },
            cells,
        }
    }

    /// Replication `r` of cell `cell`, as [`super::replicate`]; a replication that used up its
    /// event budget also says which cell it was, by its values.
    pub fn replicate(&self, cell: usize, r: u64) -> Result<ReplicationOutput, Error> {
        let variant = &self.cells[cell];
        super::replicate(&variant.scenario, variant.policy.as_ref(), r, false).map_err(
            |e| match e {
                Error::Usage(message) => Error::Usage(format!(
                    "{message}\n  in cell {cell}: {}",
                    self.cell_values(cell)
                )),
                e => e,
            },
        )
    }

    /// Cell `cell`'s values of the swept keys, as `key=value, ...`.
    pub fn cell_values(&self, cell: usize) -> String {
        (self.info.keys.iter())
            .zip(&self.info.cells[cell])
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Reads the scenario, and builds and validates every cell of its grid by applying the cell's
/// values as `--set` overrides after `overrides`. `seed` and `reps` override the scenario's.
pub fn plan(
    source: &Source,
    overrides: &[String],
    seed: Option<u64>,
    reps: Option<u64>,
) -> Result<SweepPlan, Error> {
    plan_with_progress(source, overrides, seed, reps, &|_, _| {})
}

/// Bad cells listed in full; more are counted.
const BAD_CELLS_LISTED: usize = 10;

/// [`plan`], calling `step(checked, cells)` after each cell is checked (a grid of 100,000 cells
/// takes a while).
/// Every cell is checked, and every bad cell reported, each problem located where its value is
/// written in `[sweep]`.
pub fn plan_with_progress(
    source: &Source,
    overrides: &[String],
    seed: Option<u64>,
    reps: Option<u64>,
    step: &dyn Fn(usize, usize),
) -> Result<SweepPlan, Error> {
    let doc = ScenarioDoc::load(source, overrides)?;
    let base = doc.scenario()?;
    let Some(grid) = base.sweep.clone() else {
        return Err(Error::Usage(format!(
            "{} has no [sweep] table; add one such as\n  [sweep]\n  \"operators.weekend\" = [4, 8, 16]",
            source.display_name()
        )));
    };
    if let Some((key, set)) =
        crate::scenario::set_among(grid.keys.iter().map(String::as_str), overrides)
    {
        return Err(Error::Usage(format!(
            "--set `{}` sets `{}`, which the [sweep] grid varies: the grid sets it in every cell, so the --set value would never be used; drop one",
            abbreviate(set),
            abbreviate(key)
        )));
    }
    crate::scenario::check_cells_memory(
        grid.len(),
        doc.cell_value_bytes(),
        "cells of the [sweep] grid",
        "sweep fewer values",
    )
    .map_err(|e| Error::Usage(format!("{}: {e}", source.display_name())))?;
    let seed = seed.unwrap_or(base.seed);
    let replications = reps.unwrap_or(u64::from(base.replications));
    let mut cells = Vec::new();
    let mut shown = Vec::new();
    let mut bad = Vec::new();
    let mut bad_count = 0usize;
    for cell in grid.cells() {
        let scenario = doc.cell(&grid.keys, &cell.values, &cell.origins);
        step(cell.index + 1, grid.len());
        let scenario = match scenario {
            Ok(s) => s,
            Err(ScenarioError::Invalid { diagnostics, .. }) => {
                bad_count += 1;
                if bad.len() < BAD_CELLS_LISTED {
                    let mut text = format!(
                        "cell {} ({}):",
                        cell.index,
                        crate::scenario::abbreviate_to(
                            &cell.assignments(&grid.keys).join(", "),
                            50
                        )
                    );
                    for d in diagnostics {
                        text.push_str(&format!("\n    {d}"));
                    }
                    bad.push(text);
                }
                continue;
            }
            Err(other) => return Err(Error::Scenario(other)),
        };
        shown.push(cell.values.iter().map(|v| display_value(v)).collect());
        cells.push(PlannedCell::seeded(scenario, seed)?);
    }
    if bad_count > 0 {
        let more = bad_count - bad.len();
        return Err(Error::Usage(format!(
            "{}: {bad_count} of {} [sweep] cells are not valid scenarios\n  {}{}",
            source.display_name(),
            grid.len(),
            bad.join("\n  "),
            if more > 0 {
                format!("\n  and {more} more bad cells, not listed")
            } else {
                String::new()
            }
        )));
    }
    Ok(SweepPlan::new(
        &base,
        overrides,
        seed,
        replications,
        grid.keys.clone(),
        shown,
        cells,
    ))
}

/// The definitions of the policies `cells` run under, each once, in order of first use.
pub fn policy_definitions(cells: &[PlannedCell]) -> Vec<serde_json::Value> {
    let mut seen: Vec<&str> = Vec::new();
    let mut definitions = Vec::new();
    for cell in cells {
        let name = cell.scenario.batching.policy.as_str();
        if seen.contains(&name) {
            continue;
        }
        seen.push(name);
        if let Some(d) = cell.scenario.policy_definition(name) {
            definitions
                .push(serde_json::to_value(d).expect("a policy definition always serialises"));
        }
    }
    definitions
}
