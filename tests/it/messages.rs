//! Messages: each refusal says what is wrong in the planner's terms, at the right place, without
//! echoing megabytes of input back or counting wrongly.

use std::process::Command;

use crate::common::{SMALL_SCENARIO, assert_bad_input, cutover, temp_dir, write_file};

#[test]
fn a_small_memory_limit_is_shown_in_a_unit_that_shows_it() {
    let dir = temp_dir();
    let out = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(["run", "small-pilot", "--out", "o", "-q"])
        .current_dir(dir.path())
        .env("CUTOVER_MEMORY_LIMIT", "10M")
        .output()
        .unwrap();
    let err = assert_bad_input(&out, &["CUTOVER_MEMORY_LIMIT allows 10.5 MB"]);
    assert!(!err.contains("0.0 GB"), "{err}");
}

/// A name given in other capitals gets the name meant; a column of replications.csv that
/// names a replication is said to be one, not called missing.
#[test]
fn a_name_in_capitals_is_offered_and_an_identifier_is_no_metric() {
    let dir = temp_dir();
    assert_bad_input(
        &cutover(
            dir.path(),
            &[
                "compare",
                "small-pilot",
                "--policies",
                "FIFO,smallest-first",
            ],
        ),
        &["no policy `FIFO` (did you mean `fifo`?)"],
    );
    for id in ["seed", "replication"] {
        let err = assert_bad_input(
            &cutover(
                dir.path(),
                &[
                    "select",
                    "small-pilot",
                    "--policies",
                    "fifo,smallest-first",
                    "--metric",
                    id,
                    "--delta",
                    "1",
                ],
            ),
            &[&format!(
                "`{id}` names a replication in replications.csv, it measures nothing"
            )],
        );
        assert!(!err.contains("no metric"), "{err}");
    }
    assert!(!dir.path().join("output").exists());
}

#[test]
fn errors_counted_not_listed_are_counted_in_the_total() {
    let dir = temp_dir();
    let rows: String = (0..1000).map(|_| "same,5\n").collect();
    write_file(dir.path(), "inv.csv", &format!("tenant,seats\n{rows}"));
    let s = write_file(
        dir.path(),
        "s.toml",
        "name = \"i\"\n[population]\ninventory = \"inv.csv\"\n",
    );
    let err = assert_bad_input(
        &cutover(dir.path(), &["run", &s, "--out", "o"]),
        &["999 errors, the first 20 listed", "and 979 more errors"],
    );
    assert!(!err.contains("21 errors"), "{err}");
}

#[test]
fn a_quoted_set_key_is_refused_with_the_unquoted_form() {
    let dir = temp_dir();
    let s = write_file(dir.path(), "s.toml", SMALL_SCENARIO);
    let err = assert_bad_input(
        &cutover(
            dir.path(),
            &["run", &s, "--set", "\"population.tenants\"=5", "--out", "o"],
        ),
        &["without quotes", "--set population.tenants=VALUE"],
    );
    assert!(!err.contains("[\"population]"), "{err}");
}

#[test]
fn an_unquoted_dotted_key_in_sweep_says_to_quote_it() {
    let dir = temp_dir();
    let s = write_file(
        dir.path(),
        "s.toml",
        &format!("{SMALL_SCENARIO}\n[sweep]\noperators.weekend = [1, 2]\n"),
    );
    assert_bad_input(
        &cutover(dir.path(), &["run", &s, "--out", "o"]),
        &["`operators.weekend` in [sweep] must be quoted", "s.toml:"],
    );
}

#[test]
fn a_huge_number_is_abbreviated_not_echoed() {
    let dir = temp_dir();
    let digits = "9".repeat(300);
    let s = write_file(
        dir.path(),
        "s.toml",
        &format!("name = \"n\"\nseed = {digits}\n"),
    );
    let err = assert_bad_input(
        &cutover(dir.path(), &["run", &s, "--out", "o"]),
        &["(300 digits)", "s.toml:2:8"],
    );
    assert!(!err.contains(&digits), "{err}");
    assert!(err.len() < 400, "{err}");
}

#[test]
fn a_scenario_that_is_not_utf8_is_refused_at_the_line_and_column() {
    let dir = temp_dir();
    let path = dir.path().join("s.toml");
    std::fs::write(&path, b"name = \"u\"\n[population]\ntenants = \"\xe9\"\n").unwrap();
    assert_bad_input(
        &cutover(dir.path(), &["run", path.to_str().unwrap(), "--out", "o"]),
        &["s.toml:3:12", "not UTF-8"],
    );
}

#[test]
fn an_empty_or_repeated_region_name_is_refused() {
    let dir = temp_dir();
    let s = write_file(dir.path(), "s.toml", SMALL_SCENARIO);
    for (regions, says) in [
        ("[\"NA\", \"\"]", "empty region name"),
        ("[\"NA\", \"NA\"]", "names `NA` twice"),
    ] {
        let set = format!("population.regions={regions}");
        assert_bad_input(
            &cutover(dir.path(), &["run", &s, "--set", &set, "--out", "o"]),
            &[says, "population.regions"],
        );
    }
}

/// In a CSV input the column of a place is its cell, in a byte that is not UTF-8 as in a value
/// that is wrong, so both refusals of the same cell name the same place.
#[test]
fn a_byte_that_is_not_utf8_in_a_csv_input_is_placed_at_its_cell() {
    let dir = temp_dir();
    write_file(
        dir.path(),
        "s.toml",
        "name = \"inv\"\n[population]\ninventory = \"tenants.csv\"\nregions = [\"NA\"]\n",
    );
    let inventory = dir.path().join("tenants.csv");
    std::fs::write(&inventory, b"tenant,seats\n\"A, B\",\xff5\n").unwrap();
    assert_bad_input(
        &cutover(dir.path(), &["run", "s.toml", "--out", "o"]),
        &["tenants.csv:2:2", "not UTF-8"],
    );
    std::fs::write(&inventory, b"tenant,seats\n\"A, B\",x5\n").unwrap();
    assert_bad_input(
        &cutover(dir.path(), &["run", "s.toml", "--out", "o"]),
        &["tenants.csv:2:2", "`seats` must be a whole number"],
    );
    let observed = dir.path().join("obs.csv");
    std::fs::write(&observed, b"week,transitioned,slips\n1,5,0\n2,0,\xff\n").unwrap();
    let calibrate = || {
        cutover(
            dir.path(),
            &[
                "calibrate",
                "small-pilot",
                "--observed",
                "obs.csv",
                "--fit",
                "operators.weekend=1..5",
                "--out",
                "o",
            ],
        )
    };
    assert_bad_input(&calibrate(), &["obs.csv:3:3: not UTF-8"]);
    std::fs::write(&observed, b"week,transitioned,slips\n1,5,0\n2,0,x\n").unwrap();
    assert_bad_input(&calibrate(), &["obs.csv:3:3: slips `x` is not a number"]);
}

/// Numbers a scenario cannot hold (`nan`, `inf`) are listed in file order, as every other
/// mistake is: they were listed in the order of their sections' names (`copy` before `lync`).
#[test]
fn numbers_that_are_not_finite_are_listed_in_file_order() {
    let text = "name = \"n\"\n[lync]\ncontacts_mean = nan\n[copy]\ngb_per_hour = inf\n[workitems]\nbackoff = nan\n";
    let err = cutover::scenario::Scenario::from_text(text, "n.toml", &[])
        .unwrap_err()
        .to_string();
    let at = |place: &str| {
        err.find(place)
            .unwrap_or_else(|| panic!("no {place} in {err}"))
    };
    assert!(
        at("n.toml:3:") < at("n.toml:5:") && at("n.toml:5:") < at("n.toml:7:"),
        "{err}"
    );
}
