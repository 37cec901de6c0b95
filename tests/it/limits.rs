//! Limits, checked before anything is allocated: a scenario too large for the machine gets a
//! message with the estimate instead of an out-of-memory kill, and the hard limits (tenants, seats
//! per tenant, replications, horizon, sweep cells) each name their key.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::common::{SMALL_SCENARIO, assert_bad_input, assert_success, temp_dir, write_file};

/// Runs `cutover` in `cwd` with `CUTOVER_MEMORY_LIMIT` set to `limit`.
fn cutover_with_limit(cwd: &Path, limit: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(args)
        .current_dir(cwd)
        .env("CUTOVER_MEMORY_LIMIT", limit)
        .output()
        .expect("the cutover binary starts")
}

#[test]
fn a_scenario_larger_than_the_memory_is_refused_with_the_estimate() {
    let dir = temp_dir();
    let grid = format!("{SMALL_SCENARIO}\n[sweep]\n\"operators.weekend\" = [1, 2]\n");
    let grid = write_file(dir.path(), "grid.toml", &grid);
    let huge = ["--set", "population.tenants=10000000", "--threads", "2"];
    let commands: [Vec<&str>; 3] = [
        vec!["run", "stress"],
        vec!["compare", "stress", "--policies", "fifo,random"],
        vec!["sweep", &grid],
    ];
    for mut args in commands {
        args.extend(huge);
        args.extend(["--out", "never", "-q"]);
        let started = Instant::now();
        let out = cutover_with_limit(dir.path(), "8G", &args);
        assert_bad_input(
            &out,
            &[
                "needs about",
                "GB of memory per replication (x 2 threads)",
                "CUTOVER_MEMORY_LIMIT allows 8.6 GB",
                "--threads",
                "population.tenants",
            ],
        );
        // Refused from the scenario's figures alone: nothing simulated, nothing written.
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{args:?} took {:?}",
            started.elapsed()
        );
        assert!(
            !dir.path().join("never").exists(),
            "{args:?} created its folder"
        );
    }
    // The same run within the limit goes ahead.
    let small = [
        "run",
        "small-pilot",
        "--reps",
        "1",
        "--no-charts",
        "--out",
        "ok",
        "-q",
    ];
    assert_success(&cutover_with_limit(dir.path(), "1T", &small));
    let refused = cutover_with_limit(dir.path(), "1M", &small);
    assert_bad_input(
        &refused,
        &["scenario `small-pilot` needs about", "allows 1.0 MB"],
    );
    let nonsense = cutover_with_limit(dir.path(), "lots", &small);
    assert_bad_input(&nonsense, &["CUTOVER_MEMORY_LIMIT=`lots` is not a size"]);
}

#[test]
fn hard_limits_name_their_key() {
    let dir = temp_dir();
    let cases: [(&[&str], &[&str]); 5] = [
        (
            &["--set", "population.tenants=10000001"],
            &["population.tenants", "10000000"],
        ),
        (
            &["--set", "population.seats.max=2000000"],
            &["population.seats", "1000000"],
        ),
        (&["--reps", "1000001"], &["--reps", "1000001"]),
        (
            &["--set", "replications=1000001"],
            &["replications", "1000000"],
        ),
        (
            &["--set", "calendar.end=2040-01-01"],
            &["calendar.end", "20 years"],
        ),
    ];
    for (args, needles) in cases {
        let all = [&["run", "small-pilot", "--out", "never", "-q"], args].concat();
        let out = cutover_with_limit(dir.path(), "1T", &all);
        assert_bad_input(&out, needles);
    }
    // A grid of 10 x 10 x 10 x 10 x 11 cells is refused at its `[sweep]` line, before any cell
    // is built.
    let ten = "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]";
    let grid = format!(
        "{SMALL_SCENARIO}\n[sweep]\n\"operators.weekend\" = {ten}\n\"operators.weekday\" = {ten}\n\"copy.slots\" = {ten}\n\"copy.per_tenant\" = {ten}\n\"batching.max_tenants\" = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n"
    );
    let grid = write_file(dir.path(), "grid.toml", &grid);
    let line = SMALL_SCENARIO.lines().count() + 2;
    let out = cutover_with_limit(dir.path(), "1T", &["sweep", &grid, "--out", "never"]);
    assert_bad_input(
        &out,
        &[
            "`[sweep]` has 110000 cells, more than the 100000",
            &format!("grid.toml:{line}:"),
        ],
    );
    assert!(!dir.path().join("never").exists());
}
