//! A sweep's plan: every cell of the scenario's `[sweep]` grid as a validated scenario, built
//! before anything runs, and the description of the grid that manifests record.

use crate::error::Error;
use crate::output::Manifest;
use crate::output::sweep_files::GridInfo;
use crate::policy::{self, BatchPolicy};
use crate::scenario::{Scenario, ScenarioError, Source, display_value};

/// One cell: its scenario and policy, ready to run.
pub struct PlannedCell {
    pub scenario: Scenario,
    pub policy: Box<dyn BatchPolicy>,
}

pub struct SweepPlan {
    pub info: GridInfo,
    pub cells: Vec<PlannedCell>,
}

/// Reads the scenario, and builds and validates every cell of its grid by applying the cell's
/// values as `--set` overrides after `overrides`. `seed` and `reps` override the scenario's.
pub fn plan(
    source: &Source,
    overrides: &[String],
    seed: Option<u64>,
    reps: Option<u64>,
) -> Result<SweepPlan, Error> {
    let base = Scenario::load(source, overrides)?;
    let Some(grid) = base.sweep.clone() else {
        return Err(Error::Usage(format!(
            "{} has no [sweep] table; add one such as\n  [sweep]\n  \"operators.weekend\" = [4, 8, 16]",
            source.display_name()
        )));
    };
    let folder = match source {
        Source::File(p) => p.parent().map(std::path::Path::to_path_buf),
        Source::Bundled(_) => None,
    }
    .unwrap_or_default();
    let seed = seed.unwrap_or(base.seed);
    let replications = reps.unwrap_or(u64::from(base.replications));
    let mut cells = Vec::new();
    let mut shown = Vec::new();
    for cell in grid.cells() {
        let assignments = cell.assignments(&grid.keys);
        let mut all = overrides.to_vec();
        all.extend(assignments.iter().cloned());
        let mut scenario =
            Scenario::from_text_in(&base.source_text, &source.display_name(), &folder, &all)
                .map_err(|e| match e {
                    ScenarioError::Invalid { file, diagnostics } => Error::Usage(format!(
                        "[sweep] cell {} ({}) is not a valid scenario: {}",
                        cell.index,
                        assignments.join(", "),
                        ScenarioError::Invalid { file, diagnostics }
                    )),
                    other => Error::Scenario(other),
                })?;
        scenario.seed = seed;
        let policy = policy::by_name(&scenario.batching.policy).ok_or_else(|| {
            Error::Internal(format!(
                "validated policy `{}` is unknown",
                scenario.batching.policy
            ))
        })?;
        shown.push(cell.values.iter().map(|v| display_value(v)).collect());
        cells.push(PlannedCell { scenario, policy });
    }
    Ok(SweepPlan {
        info: GridInfo {
            scenario: base.name.clone(),
            scenario_sha256: Manifest::scenario_sha256(&base.source_text, overrides),
            overrides: overrides.to_vec(),
            seed,
            replications,
            keys: grid.keys.clone(),
            cells: shown,
        },
        cells,
    })
}
