//! The shipped scenarios: every file in `scenarios/` validates, and every bundled scenario runs a
//! (shrunken) replication that keeps the model's invariants.

use std::path::PathBuf;

use cutover::scenario::{BUNDLED, Scenario, Source};

use crate::common::run_detailed;
use crate::common::{assert_success, cutover, temp_dir};
use crate::model_behaviour::check_invariants;

fn scenario_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_scenario_file_validates() {
    let files = scenario_files();
    assert!(!files.is_empty(), "no scenario files");
    let dir = temp_dir();
    let mut args = vec!["validate".to_string()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = cutover(dir.path(), &args);
    assert_success(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.lines().filter(|l| l.ends_with(": ok")).count(),
        files.len(),
        "{stdout}"
    );
}

#[test]
fn every_bundled_scenario_runs_and_keeps_the_invariants() {
    assert!(
        BUNDLED.iter().any(|b| b.name == "bpos-2011"),
        "the default is bundled"
    );
    let dir = temp_dir();
    let listed = cutover(dir.path(), &["scenarios"]);
    assert_success(&listed);
    let listed = String::from_utf8_lossy(&listed.stdout);
    for b in BUNDLED {
        assert!(
            listed.contains(b.name),
            "`cutover scenarios` lists {}",
            b.name
        );
        let sc = Scenario::load(&Source::Bundled(b), &["population.tenants=100".to_string()])
            .unwrap_or_else(|e| panic!("{e}"));
        let (m, d) = run_detailed(&sc, 0);
        check_invariants(b.name, &sc, &m, &d);
    }
}
