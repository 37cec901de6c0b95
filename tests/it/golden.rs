//! The bundled scenarios' results are a contract: `replications.csv` of each, for two seeds, must
//! keep the values stored in `tests/golden/` column for column. New columns may be added; a change
//! that moves a stored value is deliberate, is measured against the model's validation, and
//! replaces the stored file in the same commit.

use std::path::Path;

use crate::common::{assert_success, cutover};

/// (scenario, replications stored, replications checked in a debug build). A replication depends
/// only on (scenario, seed, index), so checking the first rows of a stored file is sound. A debug
/// build runs the model's invariant checks and is slow on the large scenarios; with
/// `CUTOVER_GOLDEN_FULL=1` (as `.ci/run` sets, on a release build) every stored row is checked.
const BUNDLED: [(&str, u32, u32); 5] = [
    ("bpos-2011", 3, 1),
    ("small-pilot", 3, 3),
    ("enterprise-wave", 3, 1),
    ("stress", 1, 0),
    ("tenant-to-tenant", 3, 1),
];
const SEEDS: [u64; 2] = [11, 2012];

/// Rows of a CSV file as (header, records), each record a map from column to cell.
fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader
        .headers()
        .expect("a header row")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("a CSV row").iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

fn compare(scenario: &str, seed: u64, expected: &[u8], actual: &[u8], rows: usize) {
    let (want_header, mut want_rows) = read_csv(expected);
    want_rows.truncate(rows);
    let (got_header, got_rows) = read_csv(actual);
    assert_eq!(
        want_rows.len(),
        got_rows.len(),
        "{scenario} seed {seed}: rows"
    );
    for (want_col, name) in want_header.iter().enumerate() {
        let got_col = got_header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{scenario} seed {seed}: column `{name}` is gone"));
        for (row, (want, got)) in want_rows.iter().zip(&got_rows).enumerate() {
            assert_eq!(
                want[want_col], got[got_col],
                "{scenario} seed {seed}: replication {row}, column `{name}`"
            );
        }
    }
}

#[test]
fn bundled_scenarios_keep_their_stored_results() {
    let dir = tempfile::tempdir().unwrap();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let full = std::env::var_os("CUTOVER_GOLDEN_FULL").is_some_and(|v| v == "1");
    for (scenario, stored, quick) in BUNDLED {
        let reps = if full { stored } else { quick };
        if reps == 0 {
            continue;
        }
        for seed in SEEDS {
            let out = dir.path().join(format!("{scenario}-{seed}"));
            let result = cutover(
                dir.path(),
                &[
                    "run",
                    scenario,
                    "--reps",
                    &reps.to_string(),
                    "--seed",
                    &seed.to_string(),
                    "--no-charts",
                    "--quiet",
                    "--out",
                    out.to_str().unwrap(),
                ],
            );
            assert_success(&result);
            let expected =
                std::fs::read(golden.join(format!("{scenario}-seed{seed}.csv"))).unwrap();
            let actual = std::fs::read(out.join("replications.csv")).unwrap();
            compare(scenario, seed, &expected, &actual, reps as usize);
        }
    }
}
