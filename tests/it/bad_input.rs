//! Bad input never panics: it exits with code 2 and a message naming the file, key or flag at fault.

use std::path::Path;
use std::process::Output;

use crate::common::{assert_bad_input, cutover, temp_dir, write_file};

/// `run` of a tiny bundled scenario (for speed) with `args` and an output folder that must not
/// appear: bad input is found before anything is written.
fn run_bad(dir: &Path, args: &[&str]) -> Output {
    let out = dir.join("out");
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    all.extend([
        "--set",
        "population.tenants=5",
        "--out",
        out.to_str().unwrap(),
    ]);
    let output = cutover(dir, &all);
    assert!(!out.exists(), "bad input created the output folder");
    output
}

#[test]
fn missing_scenario_file_is_named() {
    let dir = temp_dir();
    let out = run_bad(dir.path(), &["no-such-scenario.toml"]);
    assert_bad_input(&out, &["no-such-scenario.toml"]);
}

#[test]
fn misspelt_key_suggests_the_right_one() {
    let dir = temp_dir();
    let out = run_bad(dir.path(), &["--set", "batching.max_tenant=5"]);
    assert_bad_input(&out, &["batching.max_tenant", "max_tenants"]);
}

#[test]
fn wrong_type_names_the_key() {
    let dir = temp_dir();
    let out = run_bad(dir.path(), &["--set", "batching.max_tenants=abc"]);
    assert_bad_input(&out, &["batching.max_tenants", "abc"]);
}

#[test]
fn override_without_a_value_is_rejected() {
    let dir = temp_dir();
    let out = run_bad(dir.path(), &["--set", "seed"]);
    assert_bad_input(&out, &["seed", "KEY=VALUE"]);
}

#[test]
fn detail_of_a_missing_replication_is_rejected() {
    let dir = temp_dir();
    let out = run_bad(dir.path(), &["--detail", "99", "--reps", "2"]);
    assert_bad_input(&out, &["--detail", "99"]);
}

#[test]
fn syntax_error_names_file_line_and_column() {
    let dir = temp_dir();
    let file = write_file(
        dir.path(),
        "broken.toml",
        "name = \"broken\"\n[population\ntenants = 5\n",
    );
    let out = run_bad(dir.path(), &[&file]);
    let stderr = assert_bad_input(&out, &[&format!("{file}:2:")]);
    // After `file:2:` comes the column number.
    let at = stderr.find(&format!("{file}:2:")).unwrap() + file.len() + 3;
    assert!(
        stderr[at..].starts_with(|c: char| c.is_ascii_digit()),
        "no column after the line:\n{stderr}"
    );
}

#[test]
fn output_folder_under_a_regular_file_is_bad_input() {
    let dir = temp_dir();
    write_file(dir.path(), "plain-file", "not a folder");
    let out_dir = dir.path().join("plain-file").join("results");
    let out = cutover(
        dir.path(),
        &[
            "run",
            "--set",
            "population.tenants=5",
            "--reps",
            "1",
            "--out",
            out_dir.to_str().unwrap(),
        ],
    );
    assert_bad_input(&out, &[out_dir.to_str().unwrap()]);
}

#[test]
fn unknown_scenario_name_lists_the_bundled_ones_and_the_nearest() {
    let dir = temp_dir();
    let out = run_bad(dir.path(), &["bpos-201"]);
    assert_bad_input(
        &out,
        &["bpos-201", "small-pilot", "did you mean `bpos-2011`"],
    );
}

#[test]
fn output_folder_that_is_a_file_is_named_as_one() {
    let dir = temp_dir();
    let file = write_file(dir.path(), "taken", "x");
    let out = cutover(
        dir.path(),
        &["run", "small-pilot", "--reps", "1", "--out", &file],
    );
    assert_bad_input(&out, &["taken", "is a file, not a folder"]);
}

#[test]
fn key_in_the_wrong_section_names_its_section() {
    let dir = temp_dir();
    let file = write_file(
        dir.path(),
        "s.toml",
        "name = \"x\"\n[batching]\nweekday = 3\n",
    );
    let out = run_bad(dir.path(), &[&file]);
    assert_bad_input(&out, &["batching.weekday", "under `[operators]`"]);
}

#[test]
fn compare_of_one_policy_is_refused() {
    let dir = temp_dir();
    let out = cutover(
        dir.path(),
        &[
            "compare",
            "small-pilot",
            "--policies",
            "fifo",
            "--reps",
            "1",
        ],
    );
    assert_bad_input(&out, &["at least two policies"]);
    assert!(!dir.path().join("output").exists());
}

#[test]
fn run_with_a_sweep_axis_points_to_sweep() {
    let dir = temp_dir();
    let out = run_bad(dir.path(), &["--set", "sweep.operators.weekend=[4, 8]"]);
    assert_bad_input(&out, &["sweep.operators.weekend", "cutover sweep"]);
}

#[test]
fn an_unknown_cause_in_a_metric_filter_names_the_nearest() {
    let dir = temp_dir();
    let out = run_bad(
        dir.path(),
        &["small-pilot", "--precision", "missed_rolled_bak=0.1"],
    );
    assert_bad_input(&out, &["missed_rolled_bak", "missed_rolled_back"]);
    let out = cutover(
        dir.path(),
        &[
            "select",
            "small-pilot",
            "--policies",
            "fifo,largest_first",
            "--metric",
            "slips_copy_bakclog",
            "--delta",
            "1",
        ],
    );
    assert_bad_input(&out, &["slips_copy_bakclog", "slips_copy_backlog"]);
}

#[test]
fn an_observation_window_outside_the_calendar_is_located() {
    let dir = temp_dir();
    let out = run_bad(
        dir.path(),
        &["small-pilot", "--set", "calendar.observe_from=2010-01-01"],
    );
    assert_bad_input(
        &out,
        &[
            "calendar.observe_from",
            "2010-01-01",
            "outside the calendar",
        ],
    );
    let out = run_bad(
        dir.path(),
        &[
            "small-pilot",
            "--set",
            "calendar.observe_from=2012-01-02",
            "--set",
            "calendar.observe_until=2011-12-01",
        ],
    );
    assert_bad_input(
        &out,
        &["calendar.observe_until", "before `calendar.observe_from`"],
    );
    let out = run_bad(
        dir.path(),
        &["small-pilot", "--set", "helpdesk.working_days=6"],
    );
    assert_bad_input(&out, &["helpdesk.working_days", "5", "7"]);
}
