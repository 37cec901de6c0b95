//! Sweep checks: cell files are read back as strictly as input (merge and --resume refuse a file
//! holding NaN, infinity, another seed, a value its metric cannot take or any spelling cutover
//! does not write, naming file and line),
//! and `validate` checks every cell of a grid as `sweep` does, reporting every bad cell where its
//! value is written.

use std::path::Path;

use crate::common::{
    SMALL_SCENARIO, assert_bad_input, assert_success, cutover, temp_dir, write_file,
};

fn grid(dir: &Path) -> String {
    let text = format!("{SMALL_SCENARIO}\n[sweep]\n\"operators.weekend\" = [1, 2]\n");
    write_file(dir, "grid.toml", &text)
}

/// `cutover sweep GRID` of two replications a cell, without charts, quietly into `out` (in
/// `dir`), with `more` arguments.
fn sweep_into(dir: &Path, grid: &str, out: &str, more: &[&str]) -> std::process::Output {
    let mut args = vec![
        "sweep",
        grid,
        "--reps",
        "2",
        "--out",
        out,
        "-q",
        "--no-charts",
    ];
    args.extend_from_slice(more);
    cutover(dir, &args)
}

/// Replaces the first occurrence of `column`'s value in row 1 of a cell file with `value`.
fn tamper(cell: &Path, column: &str, value: &str) {
    let text = std::fs::read_to_string(cell).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let col = lines[0].split(',').position(|c| c == column).unwrap();
    let mut cells: Vec<&str> = lines[1].split(',').collect();
    cells[col] = value;
    lines[1] = cells.join(",");
    std::fs::write(cell, lines.join("\n") + "\n").unwrap();
}

#[test]
fn merge_and_resume_refuse_cell_files_with_nan_infinity_another_seed_or_impossible_values() {
    let dir = temp_dir();
    let g = grid(dir.path());
    for (column, value, says) in [
        ("transitioned", "NaN", "`NaN` is not a finite number"),
        ("copied_tb", "inf", "`inf` is not a finite number"),
        ("seed", "8", "seed `8` is not the sweep's seed"),
        (
            "slips",
            "-3",
            "column `slips`: -3 is outside the values it can take (0 to inf)",
        ),
        (
            "missed_deadline",
            "1000000",
            "column `missed_deadline`: 1000000 is outside the values it can take (0 to 150)",
        ),
        // Said as written, not as 309 digits.
        (
            "missed_deadline",
            "1e308",
            "column `missed_deadline`: 1e308 is outside the values it can take (0 to 150)",
        ),
    ] {
        let shard = dir.path().join("shard");
        let _ = std::fs::remove_dir_all(&shard);
        assert_success(&cutover(
            dir.path(),
            &[
                "sweep", &g, "--reps", "2", "--shard", "1/1", "--out", "shard", "-q",
            ],
        ));
        let cell = shard.join("cells/cell-0001.csv");
        tamper(&cell, column, value);
        let merged = cutover(dir.path(), &["merge", "shard", "--out", "merged", "-q"]);
        assert_bad_input(&merged, &["cell-0001.csv", "line 2", says]);
        let resumed = cutover(
            dir.path(),
            &[
                "sweep",
                &g,
                "--reps",
                "2",
                "--out",
                "shard",
                "--resume",
                "-q",
                "--no-charts",
            ],
        );
        assert_bad_input(&resumed, &["cell-0001.csv", "line 2", says]);
        assert!(!dir.path().join("merged/replications.csv").exists());
    }
}

/// A cell file's rows go into replications.csv as they are: one edited into another spelling of
/// the same values (a blank line, a quoted cell, a carriage return, `1.0` for a count or `+0.5`
/// for a number) would make the merged or resumed files differ from an uninterrupted sweep's.
#[test]
fn merge_and_resume_refuse_cell_files_not_written_as_cutover_writes_them() {
    let dir = temp_dir();
    let g = grid(dir.path());
    let sweep = |out: &str, more: &[&str]| sweep_into(dir.path(), &g, out, more);
    assert_success(&sweep("whole", &[]));
    let cell = dir.path().join("whole/cells/cell-0001.csv");
    let written = std::fs::read_to_string(&cell).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    let col_of = |name: &str| lines[0].split(',').position(|c| c == name).unwrap();
    let value_of = |col: usize| lines[1].split(',').nth(col).unwrap();
    let (transitioned, copied) = (col_of("transitioned"), col_of("copied_tb"));
    let respell = |col: usize, value: &str| {
        let mut cells: Vec<String> = lines[1].split(',').map(String::from).collect();
        cells[col] = value.to_string();
        let mut all: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        all[1] = cells.join(",");
        all.join("\n") + "\n"
    };
    for (damaged, says) in [
        (
            format!("{}\n\n{}\n{}\n", lines[0], lines[1], lines[2]),
            "line 2: not as cutover writes a cell file",
        ),
        (
            format!("{}\n\"1\"{}\n{}\n", lines[0], &lines[1][1..], lines[2]),
            "line 2: not as cutover writes a cell file",
        ),
        (
            format!("{}\n{}\r\n{}\n", lines[0], lines[1], lines[2]),
            "line 2: not as cutover writes a cell file",
        ),
        (
            format!("{}\n{}\n{}\n\n", lines[0], lines[1], lines[2]),
            "line 4: not as cutover writes a cell file",
        ),
        (
            respell(transitioned, &format!("{}.0", value_of(transitioned))),
            "line 2, column `transitioned`",
        ),
        (
            respell(copied, &format!("+{}", value_of(copied))),
            "line 2, column `copied_tb`",
        ),
    ] {
        for out in ["shard", "merged"] {
            let _ = std::fs::remove_dir_all(dir.path().join(out));
        }
        assert_success(&sweep("shard", &["--shard", "1/1"]));
        std::fs::write(dir.path().join("shard/cells/cell-0001.csv"), &damaged).unwrap();
        let merged = cutover(dir.path(), &["merge", "shard", "--out", "merged", "-q"]);
        assert_bad_input(&merged, &["cell-0001.csv", says]);
        assert!(!dir.path().join("merged/replications.csv").exists());
        let resumed = sweep("shard", &["--resume"]);
        assert_bad_input(&resumed, &["cell-0001.csv", says]);
        assert!(!dir.path().join("shard/replications.csv").exists());
    }
    // Written as cutover writes it, the same file is taken, and the result is the sweep's.
    assert_success(&sweep("shard", &["--shard", "1/1"]));
    std::fs::write(dir.path().join("shard/cells/cell-0001.csv"), &written).unwrap();
    assert_success(&cutover(
        dir.path(),
        &["merge", "shard", "--out", "merged", "-q"],
    ));
    assert_eq!(
        std::fs::read(dir.path().join("merged/replications.csv")).unwrap(),
        std::fs::read(dir.path().join("whole/replications.csv")).unwrap()
    );
}

/// A shard's grid.json is read back as strictly as `[sweep]` is: merge and --resume refuse one
/// whose keys or values would not show as written (a formula, a terminal escape, a direction
/// override) or name no key, no cell or a key twice, and a grid cut down after its cells ran
/// (a cell file past its cells), before anything is written; the grid as written is taken.
#[test]
fn merge_and_resume_refuse_a_grid_json_not_as_a_sweep_writes_it() {
    let dir = temp_dir();
    let g = grid(dir.path());
    let shard = |out: &str, more: &[&str]| sweep_into(dir.path(), &g, out, more);
    assert_success(&shard("shard", &["--shard", "1/1"]));
    let path = dir.path().join("shard/grid.json");
    let written = std::fs::read_to_string(&path).unwrap();
    let json: serde_json::Value = serde_json::from_str(&written).unwrap();
    let forged = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut json = json.clone();
        change(&mut json["grid"]);
        serde_json::to_string(&json).unwrap()
    };
    let set = |at: &'static str, value: serde_json::Value| {
        move |grid: &mut serde_json::Value| *grid.pointer_mut(at).unwrap() = value.clone()
    };
    for (text, says) in [
        (
            forged(&set("/cells/0/0", "=HYPERLINK(\"x\")".into())),
            "a value of cell 0, `=HYPERLINK(\"x\")`, starts with `=`",
        ),
        (
            forged(&set("/cells/1/0", "2\u{1b}[31m\u{202e}".into())),
            "holds the character \\u{1b}",
        ),
        // Not a number cutover writes, so text, and a formula's start.
        (
            forged(&set("/cells/0/0", "-inf".into())),
            "a value of cell 0, `-inf`, starts with `-`",
        ),
        (
            forged(&set("/keys/0", "../../x".into())),
            "`../../x` is not a scenario key",
        ),
        (
            forged(&set("/keys/0", "@SUM(A1)".into())),
            "the key `@SUM(A1)` starts with `@`",
        ),
        (
            forged(&set("/cells", serde_json::json!([]))),
            "its grid has no cells",
        ),
        (
            forged(&set("/cells", serde_json::json!([["1", "2"], ["2"]]))),
            "cell 0 has 2 values for 1 keys",
        ),
        (
            forged(&set("/keys", serde_json::json!(["a.b", "a.b"]))),
            "the key `a.b` is named twice",
        ),
        (
            forged(&set("/cells", serde_json::json!([["1"]]))),
            "cell-0001.csv is not a cell of the sweep",
        ),
    ] {
        std::fs::write(&path, &text).unwrap();
        let merged = cutover(dir.path(), &["merge", "shard", "--out", "merged", "-q"]);
        let said = assert_bad_input(&merged, &[says]);
        assert!(
            !said.contains('\u{1b}') && !said.contains('\u{202e}'),
            "{said}"
        );
        assert!(!dir.path().join("merged").exists(), "{says}");
        // The cut-down grid is found by merge; the others by --resume too.
        if !says.contains("not a cell of") {
            assert_bad_input(&shard("shard", &["--resume"]), &[says]);
        }
    }
    std::fs::write(&path, &written).unwrap();
    assert_success(&cutover(
        dir.path(),
        &["merge", "shard", "--out", "merged", "-q"],
    ));
}

#[test]
fn validate_checks_every_cell_and_locates_every_bad_one() {
    let dir = temp_dir();
    let text = format!(
        "{SMALL_SCENARIO}\n[sweep]\n\"operators.weekend\" = [1, -5, -6]\n\"operators.weekendz\" = [1]\n"
    );
    let lines = SMALL_SCENARIO.lines().count();
    let s = write_file(dir.path(), "s.toml", &text);
    let out = cutover(dir.path(), &["validate", &s]);
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stdout);
    // The unknown key is found in the grid's first check; fixed, the values are checked per cell.
    assert!(said.contains("operators.weekendz"), "{said}");
    let text = format!("{SMALL_SCENARIO}\n[sweep]\n\"operators.weekend\" = [1, -5, -6]\n");
    let s = write_file(dir.path(), "s.toml", &text);
    let out = cutover(dir.path(), &["validate", &s]);
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stdout);
    let line = lines + 3;
    for needle in [
        "2 of 3 [sweep] cells are not valid",
        "cell 1 (operators.weekend=-5)",
        "cell 2 (operators.weekend=-6)",
        &format!("s.toml:{line}:27"),
        &format!("s.toml:{line}:31"),
    ] {
        assert!(said.contains(needle), "lacks `{needle}`:\n{said}");
    }
    assert!(!said.contains("--set"), "{said}");
    // `sweep` reports the same cells.
    let swept = cutover(dir.path(), &["sweep", &s, "--out", "o", "-q"]);
    assert_bad_input(
        &swept,
        &["2 of 3 [sweep] cells", &format!("s.toml:{line}:31")],
    );
}

/// A swept text is the bare text of a cell in replications.csv and summary.csv: one that starts
/// like a spreadsheet formula is refused where it is written, before anything runs.
#[test]
fn a_swept_text_that_starts_like_a_formula_is_refused() {
    let dir = temp_dir();
    let text = format!(
        "{SMALL_SCENARIO}\n[sweep]\n\"description\" = [\"plain\", \"=1+1\", \"+SUM(A1)\"]\n"
    );
    let line = SMALL_SCENARIO.lines().count() + 3;
    let s = write_file(dir.path(), "s.toml", &text);
    let out = cutover(dir.path(), &["sweep", &s, "--out", "o", "-q"]);
    assert_bad_input(
        &out,
        &[
            "starts with `=`, so a spreadsheet",
            &format!("s.toml:{line}:27"),
            "starts with `+`",
            &format!("s.toml:{line}:35"),
        ],
    );
    assert!(!dir.path().join("o").exists());
}

/// A swept text is also drawn on the charts and written in the CSV files' cells as it is: one
/// holding a control character (a terminal escape, a line end, a tab) or a direction override is
/// refused where it is written, as a region's name is, before anything runs.
#[test]
fn a_swept_text_holding_a_control_character_is_refused() {
    let dir = temp_dir();
    let text = format!(
        "{SMALL_SCENARIO}\n[sweep]\n\"description\" = [\"plain\", \"a\\nb\", \"c\\u202ed\"]\n"
    );
    let line = SMALL_SCENARIO.lines().count() + 3;
    let s = write_file(dir.path(), "s.toml", &text);
    let out = cutover(dir.path(), &["sweep", &s, "--out", "o", "-q"]);
    assert_bad_input(
        &out,
        &[
            "holds the character \\u{a}",
            &format!("s.toml:{line}:27"),
            "holds the character \\u{202e}",
            &format!("s.toml:{line}:35"),
        ],
    );
    let text =
        format!("{SMALL_SCENARIO}\n[sweep]\n\"population.inventory\" = [\"inv\\u001b[31m.csv\"]\n");
    let s = write_file(dir.path(), "s.toml", &text);
    let out = cutover(dir.path(), &["sweep", &s, "--out", "o", "-q"]);
    assert_bad_input(
        &out,
        &[
            "population.inventory",
            "holds the character \\u{1b}",
            &format!("s.toml:{line}:27"),
        ],
    );
    assert!(!dir.path().join("o").exists());
}
