//! The scenario loader on arbitrary text: it returns a scenario or located errors, never panics.
//!
//! The input is split at the first NUL byte: before it the scenario text, after it `--set`
//! overrides, one per line, so both paths into the loader are fuzzed.

#![no_main]

use cutover::scenario::{MemoryEstimate, Scenario, Workload};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (text, sets) = text.split_once('\0').unwrap_or((text, ""));
    let overrides: Vec<String> = sets.lines().map(str::to_string).collect();
    // A folder that holds no inventory: a scenario naming one gets a located "cannot read".
    let folder = std::path::Path::new("/nonexistent-cutover-fuzz");
    if let Ok(scenario) = Scenario::from_text_in(text, "fuzz.toml", folder, &overrides) {
        // The memory estimate samples every distribution the scenario validated.
        let _ = MemoryEstimate::of(&scenario, Workload::run(1, 1)).total();
        if let Some(grid) = &scenario.sweep {
            assert!(grid.len() <= cutover::scenario::MAX_SWEEP_CELLS);
        }
    }
});
