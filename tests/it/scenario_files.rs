//! Scenario files a planner can trust: each broken file in `tests/fixtures/invalid/` gets its exact
//! message, `--set` is checked like the file, every file in `scenarios/` runs, and an inventory's
//! tenants come out of a run as they went in.
//!
//! To rewrite the `.expected` files after a deliberate change of wording, run the tests with
//! `CUTOVER_BLESS=1` and review the diff.

use std::path::{Path, PathBuf};

use cutover::scenario::{BUNDLED, Scenario, Source};

use crate::common::{
    Csv, assert_bad_input, assert_success, cutover, read_csv, temp_dir, write_file,
};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The files in `dir` ending in `.ext`, sorted.
fn files_in(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    files.sort();
    files
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn each_broken_scenario_reports_its_one_mistake_exactly() {
    let dir = manifest_dir().join("tests/fixtures/invalid");
    let fixtures = files_in(&dir, "toml");
    assert!(fixtures.len() >= 10, "only {} fixtures", fixtures.len());
    let bless = std::env::var_os("CUTOVER_BLESS").is_some();
    let mut mismatches = Vec::new();
    for fixture in &fixtures {
        let name = fixture.file_name().unwrap().to_str().unwrap();
        // Run from the fixtures' folder so messages name the files as a planner would see them.
        let out = cutover(&dir, &["validate", name]);
        assert_bad_input(&out, &[]);
        assert_eq!(
            text(&out.stderr),
            "Error: 1 of 1 scenario file has errors\n",
            "{name}"
        );
        let actual = text(&out.stdout);
        assert!(
            actual.starts_with(&format!("{name}: 1 error\n")),
            "{name} should have exactly one mistake:\n{actual}"
        );
        let expected_path = fixture.with_extension("expected");
        if bless {
            std::fs::write(&expected_path, &actual).expect("fixtures are writable");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_else(|_| {
            panic!(
                "{} is missing; create it with CUTOVER_BLESS=1 cargo test",
                expected_path.display()
            )
        });
        if actual != expected {
            mismatches.push(format!(
                "{name}\n--- expected\n{expected}--- actual\n{actual}"
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn the_issue_example_message_is_exact() {
    let text = "\
# Line numbers matter here: `max_tenant` is on line 12.
name = \"x\"

[population]
tenants = 500

[phases]
window_hours = 48

[batching]
policy = \"fifo\"
max_tenant = 50
";
    let err = Scenario::from_text(text, "scenario.toml", &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "scenario.toml: 1 error\n  unknown key `batching.max_tenant` at scenario.toml:12:1 (did you mean `max_tenants`?)"
    );
}

#[test]
fn every_error_of_a_file_comes_in_one_pass_in_file_order() {
    let dir = temp_dir();
    write_file(
        dir.path(),
        "many.toml",
        r#"name = "many"
[population]
tenants = -3
blocked_fraction = 1.2
mailbox_gb = { dist = "lognormal", median = 1.0, sigma = 0 }
[phases]
window_hours = 170
[batchng]
max_tenants = 5
"#,
    );
    let out = cutover(dir.path(), &["validate", "many.toml"]);
    assert_bad_input(&out, &[]);
    assert_eq!(
        text(&out.stdout),
        "many.toml: 5 errors
  `population.tenants` must be between 1 and 10000000, found -3 at many.toml:3:11
  `population.blocked_fraction` must be between 0 and 1, found 1.2 at many.toml:4:20
  `population.mailbox_gb`: lognormal needs sigma > 0, found 0 at many.toml:5:14
  `phases.window_hours` must be between 1 and 168, found 170 at many.toml:7:16
  unknown section `[batchng]` at many.toml:8:2 (did you mean `batching`?)
"
    );
}

#[test]
fn set_overrides_are_checked_like_the_file() {
    let dir = temp_dir();
    let out = cutover(
        dir.path(),
        &[
            "run",
            "small-pilot",
            "--out",
            "out",
            "--set",
            "batching.max_tenant=5",
            "--set",
            "phases.window_hours=200",
            "--set",
            "population.blocked_fraction=1.5",
            "--set",
            "batching.max_seats=2",
        ],
    );
    assert_bad_input(&out, &[]);
    assert_eq!(
        text(&out.stderr),
        "Error: small-pilot.toml (bundled): 4 errors
  `population.blocked_fraction` must be between 0 and 1, found 1.5 at --set population.blocked_fraction=1.5
  `phases.window_hours` must be between 1 and 168, found 200 at --set phases.window_hours=200
  `batching.max_seats` = 2 can never fit a tenant: the smallest has 3 seats at --set batching.max_seats=2 (raise it to at least 3 or lower the minimum of `population.seats`)
  unknown key `batching.max_tenant` at --set batching.max_tenant=5 (did you mean `max_tenants`?)
"
    );
    assert!(
        !dir.path().join("out").exists(),
        "nothing is written for a bad scenario"
    );
}

#[test]
fn an_inventory_fixes_the_tenant_count() {
    let scenario = manifest_dir().join("scenarios/inventory-pilot.toml");
    let err = Scenario::load(
        &Source::File(scenario),
        &["population.tenants=5".to_string()],
    )
    .unwrap_err();
    assert!(
        err.to_string().contains(
            "`population.tenants` cannot be set with `population.inventory`: its 30 rows are the tenants at --set population.tenants=5"
        ),
        "{err}"
    );
}

#[test]
fn bundled_scenarios_say_what_question_they_answer() {
    for name in ["bpos-2011", "small-pilot", "enterprise-wave", "stress"] {
        assert!(BUNDLED.iter().any(|b| b.name == name), "{name} is bundled");
    }
    for file in files_in(&manifest_dir().join("scenarios"), "toml") {
        let first = std::fs::read_to_string(&file).unwrap();
        let first = first.lines().next().unwrap_or("");
        assert!(
            first.starts_with("# ") && first.ends_with('?'),
            "{} must open with a `# ...?` line saying what question it answers, found {first:?}",
            file.display()
        );
    }
    let out = cutover(&manifest_dir(), &["scenarios"]);
    assert_success(&out);
    let listed = text(&out.stdout);
    for b in BUNDLED {
        let line = listed
            .lines()
            .find(|l| l.split_whitespace().next() == Some(b.name))
            .unwrap_or_else(|| panic!("{} is not listed:\n{listed}", b.name));
        assert!(line.ends_with(b.summary()), "{line}");
    }
}

/// Tenants at most this many per run keep a debug build quick; the scenarios' own sizes are
/// exercised by `cargo run --release`.
const TEST_TENANTS: u32 = 80;

#[test]
fn every_scenario_file_runs_and_most_tenants_transition() {
    let dir = temp_dir();
    for file in files_in(&manifest_dir().join("scenarios"), "toml") {
        let sc = Scenario::load(&Source::File(file.clone()), &[]).unwrap_or_else(|e| panic!("{e}"));
        let path = file.to_str().unwrap();
        let out_dir = dir.path().join(&sc.name);
        let mut args = vec![
            "run",
            path,
            "--reps",
            "1",
            "--quiet",
            "--out",
            out_dir.to_str().unwrap(),
        ];
        // An inventory fixes the tenant count; generated populations are shrunk.
        let shrink = format!("population.tenants={TEST_TENANTS}");
        if sc.population.inventory.is_none() && sc.population.tenants > TEST_TENANTS {
            args.extend(["--set", &shrink]);
        }
        let out = cutover(dir.path(), &args);
        assert_success(&out);
        let reps = read_csv(&out_dir.join("replications.csv"));
        let tenants = reps.numbers("tenants")[0];
        let transitioned = reps.numbers("transitioned")[0];
        assert!(
            transitioned >= 0.8 * tenants,
            "{}: only {transitioned} of {tenants} tenants transitioned",
            sc.name
        );
        assert_eq!(
            read_csv(&out_dir.join("tenants.csv")).rows.len() as f64,
            tenants,
            "{}",
            sc.name
        );
    }
}

/// Reads an inventory the way the scenario does: `#` lines are comments.
fn read_inventory(path: &Path) -> Csv {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    Csv { headers, rows }
}

#[test]
fn inventory_tenants_come_out_of_a_run_as_they_went_in() {
    let inventory = read_inventory(&manifest_dir().join("scenarios/sample-inventory.csv"));
    // Copy the scenario into a subfolder and run from elsewhere: the inventory is found next to
    // the scenario file, not in the current folder.
    let dir = temp_dir();
    let plans = dir.path().join("plans");
    std::fs::create_dir(&plans).unwrap();
    for f in ["inventory-pilot.toml", "sample-inventory.csv"] {
        std::fs::copy(manifest_dir().join("scenarios").join(f), plans.join(f)).unwrap();
    }
    let out = cutover(
        dir.path(),
        &[
            "run",
            "plans/inventory-pilot.toml",
            "--reps",
            "1",
            "--quiet",
            "--out",
            "out",
        ],
    );
    assert_success(&out);
    let tenants = read_csv(&dir.path().join("out/tenants.csv"));
    assert_eq!(tenants.rows.len(), inventory.rows.len());
    assert_eq!(
        tenants.column("seats"),
        inventory.column("seats"),
        "seats, in the inventory's order"
    );
    for column in ["mailboxes", "region"] {
        for (i, (given, ran)) in inventory
            .column(column)
            .iter()
            .zip(tenants.column(column))
            .enumerate()
        {
            assert!(
                given.is_empty() || *given == ran,
                "row {i}: {column} {given} became {ran}"
            );
        }
    }
    for (i, (given, ran)) in inventory
        .column("data_gb")
        .iter()
        .zip(tenants.numbers("data_gb"))
        .enumerate()
    {
        if !given.is_empty() {
            let given: f64 = given.parse().unwrap();
            assert!(
                (given - ran).abs() < 1e-6,
                "row {i}: data_gb {given} became {ran}"
            );
        }
    }
}

#[test]
fn an_inventory_path_is_relative_to_the_scenario_file() {
    let dir = temp_dir();
    let err = Scenario::from_text_in(
        "name = \"x\"\n[population]\ninventory = \"nowhere.csv\"\n",
        "x.toml",
        dir.path(),
        &[],
    )
    .unwrap_err()
    .to_string();
    let expected = format!(
        "cannot read inventory {}",
        dir.path().join("nowhere.csv").display()
    );
    assert!(err.contains(&expected), "{err}");
    write_file(dir.path(), "nowhere.csv", "tenant,seats\nContoso,12\n");
    let sc = Scenario::from_text_in(
        "name = \"x\"\n[population]\ninventory = \"nowhere.csv\"\n",
        "x.toml",
        dir.path(),
        &[],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sc.population.tenants, 1);
}

#[test]
fn inventory_tenants_that_never_fit_a_batch_are_named() {
    let dir = temp_dir();
    // B's data is not given: its least possible data is 40 mailboxes of at least 2 GB plus a site
    // of at least 3 GB, which is more than a batch holds.
    write_file(
        dir.path(),
        "t.csv",
        "tenant,seats,mailboxes,data_gb\nA,10,,500\nB,40,40,\nC,5,5,20\n",
    );
    let text = r#"name = "x"
[population]
inventory = "t.csv"
mailbox_gb = { dist = "uniform", low = 2, high = 3 }
sharepoint_base_gb = 3
sharepoint_gb_per_seat = 0
[batching]
max_data_gb = 60
max_seats = 20
"#;
    let err = Scenario::from_text_in(text, "x.toml", dir.path(), &[])
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "x.toml: 2 errors
  `batching.max_data_gb` = 60 can never fit 2 inventory tenants, the largest `A` (at least 500 GB) at x.toml:8:15 (raise it to at least 500)
  `batching.max_seats` = 20 can never fit inventory tenant `B` (40 seats) at x.toml:9:13 (raise it to at least 40)"
    );
}

/// A scenario saved with Windows line ends keeps them inside a multi-line `description`: they are
/// line breaks, which a description may hold; a lone carriage return is still refused.
#[test]
fn a_multi_line_description_with_windows_line_ends_is_taken() {
    let dir = temp_dir();
    let text = "name = \"crlf\"\r\ndescription = \"\"\"\r\nline one\r\nline two\r\n\"\"\"\r\n[population]\r\ntenants = 20\r\n";
    let file = write_file(dir.path(), "crlf.toml", text);
    let out = cutover(dir.path(), &["validate", &file]);
    assert_success(&out);
    let sc = Scenario::from_text_in(text, "crlf.toml", dir.path(), &[]).unwrap();
    assert_eq!(sc.description, "line one\nline two\n");
    let lone = write_file(
        dir.path(),
        "cr.toml",
        "name = \"cr\"\ndescription = \"a\\rb\"\n",
    );
    let out = cutover(dir.path(), &["validate", &lone]);
    assert_bad_input(&out, &[]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("`description` holds the character \\u{d}") && said.contains("cr.toml:2:"),
        "{said}"
    );
}
