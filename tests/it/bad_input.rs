//! Bad input never panics: it exits with code 2 and a message naming the file, key or flag at fault.

use std::path::Path;
use std::process::Output;

use crate::common::{assert_bad_input, assert_success, cutover, quick_run, temp_dir, write_file};

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

/// Operators on shifts of no hours are no operators: hard failures would wait until the end of
/// the calendar, as with none at all (which is refused). The scenario said nothing of it (exit 0).
#[test]
fn operators_on_duty_at_no_hour_are_refused_like_no_operators() {
    let dir = temp_dir();
    for (set, needle) in [
        (
            &["operators.weekday_hours=[5,5]", "operators.weekend=0"][..],
            "`operators.weekday_hours` = [5, 5] puts the operators on duty at no hour",
        ),
        (
            &["operators.weekday=0", "operators.weekend_hours=[3,3]"],
            "`operators.weekend_hours` = [3, 3] puts the operators on duty at no hour",
        ),
        (
            &[
                "operators.weekday_hours=[0,0]",
                "operators.weekend_hours=[24,24]",
            ],
            "`operators.weekday_hours` = [0, 0]",
        ),
    ] {
        let args: Vec<&str> = set.iter().flat_map(|s| ["--set", *s]).collect();
        let out = run_bad(dir.path(), &args);
        assert_bad_input(&out, &[needle, "hard failures would wait forever"]);
    }
    // One staffed shift with hours is enough.
    let args = quick_run("o", &["--set", "operators.weekday_hours=[5,5]"]);
    assert_success(&cutover(dir.path(), &args));
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

/// Names the output shows as written (a region in every row of tenants.csv, a phase's name in the
/// charts) are plain: a control character (a terminal escape, a line end, a direction override),
/// a start a spreadsheet would run as a formula, or a length no chart can draw is refused, located.
#[test]
fn region_and_phase_names_that_would_not_show_as_written_are_refused() {
    let dir = temp_dir();
    let long = "R".repeat(65);
    for (set, needles) in [
        (
            r#"population.regions=["NA", "=HYPERLINK(1)"]"#.to_string(),
            vec![
                "population.regions",
                "`=HYPERLINK(1)` starts with `=`",
                "formula",
            ],
        ),
        (
            r#"population.regions=["NA", "@SUM(A1)"]"#.to_string(),
            vec!["population.regions", "starts with `@`"],
        ),
        (
            r#"population.regions=["NA", "EU\u001b[2J"]"#.to_string(),
            vec![
                "population.regions",
                "EU\\u{1b}[2J",
                "\\u{1b}, which does not show",
            ],
        ),
        (
            format!(r#"population.regions=["NA", "{long}"]"#),
            vec!["population.regions", "65 characters, more than the 64"],
        ),
        // Two regions that read the same, one with a zero-width space after it.
        (
            r#"population.regions=["NA", "NA\u200b"]"#.to_string(),
            vec!["population.regions", "holds the character \\u{200b}"],
        ),
        (
            r#"population.regions=["NA", "NA\ufe0f"]"#.to_string(),
            vec![
                "population.regions",
                "names `NA` twice: `NA\\u{fe0f}` differs only by characters that show nothing or by how an accent is encoded",
            ],
        ),
        (
            r#"population.regions=["NA", "NA\u200d"]"#.to_string(),
            vec![
                "population.regions",
                "holds the character \\u{200d}, which joins nothing there and shows nothing",
            ],
        ),
        (
            r#"population.regions=["Montr\u00e9al", "Montre\u0301al"]"#.to_string(),
            vec![
                "population.regions",
                "names `Montréal` twice: `Montre\\u{301}al` differs only by",
            ],
        ),
        (
            r#"population.regions=["NA", "\u3164"]"#.to_string(),
            vec!["population.regions", "is only blank characters"],
        ),
        (
            r#"description="a \u202e reversed line""#.to_string(),
            vec!["`description` holds the character \\u{202e}"],
        ),
    ] {
        let out = run_bad(dir.path(), &["--set", &set]);
        let mut needles = needles.clone();
        needles.push("--set ");
        assert_bad_input(&out, &needles);
    }
    let programme = "name = \"p\"\n[[phases.programme]]\nkey = \"wait\"\nname = \"Wait\\u0007\"\n\
        [[phases.programme]]\nkey = \"cut\"\nname = \"%\"\nstart_hours = 0\nwindow = true\n\
        work = [\"w\"]\n[workitems.w]\nduration_minutes = 5\n";
    let s = write_file(
        dir.path(),
        "p.toml",
        &programme.replace('%', &"C".repeat(101)),
    );
    let out = run_bad(dir.path(), &[&s]);
    assert_bad_input(
        &out,
        &[
            "the name of phase `wait`, `Wait\\u{7}`, holds the character \\u{7}",
            "p.toml:4:8",
            "the name of phase `cut`",
            "101 characters, more than the 100",
            "p.toml:7:8",
        ],
    );
}

/// A phase's name and a work kind's name show something: an empty one, or one of spaces only, was
/// an empty entry in the charts' legends. Each is refused where it is written.
#[test]
fn empty_and_blank_phase_and_work_kind_names_are_refused() {
    let dir = temp_dir();
    let programme = r#"name = "p"
[[phases.programme]]
key = "wait"
name = ""
[[phases.programme]]
key = "cut"
name = " \u3000 "
start_hours = 0
window = true
work = ["w", "", "  ", "\u200b"]
[workitems.w]
duration_minutes = 5
[workitems.""]
duration_minutes = 5
[workitems."  "]
duration_minutes = 5
[workitems."\u200b"]
duration_minutes = 5
"#;
    let s = write_file(dir.path(), "p.toml", programme);
    let err = assert_bad_input(
        &run_bad(dir.path(), &[&s]),
        &[
            "p.toml: 5 errors",
            "the name of phase `wait`, ``, is empty at ",
            "p.toml:4:8",
            "the name of phase `cut`, ` \u{3000} `, is only blank characters",
            "p.toml:7:8",
            "work kind `` of phase `cut` is empty at ",
            "p.toml:10:14",
            "work kind `  ` of phase `cut` is only blank characters",
            "p.toml:10:18",
            "work kind `\\u{200b}` of phase `cut` is only blank",
            "p.toml:10:24",
        ],
    );
    assert!(!err.contains("is not defined"), "{err}");
    // A kind's name is checked as a phase's is, and a refused one without its table is one
    // mistake, not also an undefined kind.
    let odd = programme
        .replace(r#"["w", "", "  ", "\u200b"]"#, r#"["w", "\u001b[2J"]"#)
        .replace("name = \"\"\n", "")
        .replace(r#"name = " \u3000 ""#, r#"name = "Cut""#)
        .split("[workitems.\"\"]")
        .next()
        .unwrap()
        .to_string();
    let s = write_file(dir.path(), "odd.toml", &odd);
    assert_bad_input(
        &run_bad(dir.path(), &[&s]),
        &[
            "odd.toml: 1 error",
            "work kind `\\u{1b}[2J` of phase `cut` holds the character \\u{1b}",
            "odd.toml:9:14",
        ],
    );
    // Spaces around a word are a name; so is a kind named in words.
    let fine = r#"name = "p"
[[phases.programme]]
key = "wait"
name = " Wait "
[[phases.programme]]
key = "cut"
name = "Cut over"
start_hours = 0
window = true
work = ["mail box"]
[workitems."mail box"]
duration_minutes = 5
"#;
    let s = write_file(dir.path(), "ok.toml", fine);
    assert_success(&cutover(dir.path(), &["validate", &s]));
}

/// An unknown `[workitems.X]` is answered with the kinds there are: a kind whose name is itself
/// refused (empty, a terminal escape, a bell) is neither suggested nor listed among the known
/// keys, and a long valid name is quoted by its start and length, not written whole.
#[test]
fn an_unknown_work_kind_offers_only_valid_kind_names() {
    let dir = temp_dir();
    let long = format!("k{}", "j".repeat(4999));
    let text = format!(
        r#"name = "p"
[[phases.programme]]
key = "wait"
[[phases.programme]]
key = "cut"
start_hours = 0
window = true
work = ["mailbox_move", "", "\u001b[2J", "copy_job\u0007", "{long}"]
[workitems.mailbox_move]
duration_minutes = 5
[workitems.{long}]
duration_minutes = 5
[workitems.copy_job]
duration_minutes = 5
[workitems.zzzzzzzzzz]
duration_minutes = 5
"#
    );
    let s = write_file(dir.path(), "k.toml", &text);
    let err = assert_bad_input(
        &run_bad(dir.path(), &[&s]),
        &[
            "k.toml: 5 errors",
            "unknown section `[workitems.copy_job]` at ",
            "k.toml:13:12 (known keys here: backoff, ",
            "unknown section `[workitems.zzzzzzzzzz]` at ",
            "k.toml:15:12 (known keys here: backoff, ",
            ", kjjjjjjj",
            "... (5000 characters), mailbox_move, max_retries, ",
        ],
    );
    let hints: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("unknown section"))
        .collect();
    assert_eq!(hints.len(), 2, "{err}");
    for hint in hints {
        assert!(!hint.contains("did you mean `copy_job"), "{hint}");
        assert!(!hint.contains("(known keys here: , "), "{hint}");
        assert!(!hint.contains("2J") && !hint.contains("\\u{7}"), "{hint}");
        assert!(!hint.contains(&"j".repeat(100)), "{hint}");
    }
}

/// A message quotes the input it refuses, but never hands a terminal an escape sequence from it:
/// an inventory cell that would clear the screen or recolour it is shown escaped.
#[test]
fn control_characters_quoted_in_a_message_are_escaped() {
    let dir = temp_dir();
    write_file(
        dir.path(),
        "tenants.csv",
        "tenant,seats,region\nA,5,\u{1b}[2J\u{1b}[31mNA\u{7}\nB,5,NA\n",
    );
    let s = write_file(
        dir.path(),
        "s.toml",
        "name = \"inv\"\n[population]\ninventory = \"tenants.csv\"\nregions = [\"NA\"]\n",
    );
    for command in ["run", "validate"] {
        let out = cutover(dir.path(), &[command, &s]);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert!(
            text.contains("region `\\u{1b}[2J\\u{1b}[31mNA\\u{7}` is not one of"),
            "{text}"
        );
        assert!(
            !text.contains(['\u{1b}', '\u{7}']),
            "a raw control character reached the terminal: {text:?}"
        );
    }
}

/// "Long input is never echoed back", a `--set` argument included: a value of 100,000 digits is
/// quoted by its start and its length.
#[test]
fn a_long_override_is_not_echoed_back_whole() {
    let dir = temp_dir();
    let digits = "9".repeat(100_000);
    for set in [
        format!("batching.max_tenants={digits}"),
        format!("batching.max_tenants{digits}"),
    ] {
        let out = run_bad(dir.path(), &["--set", &set]);
        let stderr = assert_bad_input(&out, &["--set", "batching.max_tenants", "characters)"]);
        assert!(stderr.len() < 2_000, "{} bytes of error", stderr.len());
    }
}

/// Every flag argument and every cell of a CSV input that a message quotes is quoted by its start
/// and its length when long, and a long argument is shown around the part underlined: a mistake
/// of 100,000 characters gets a message of a few lines.
#[test]
fn a_long_argument_or_cell_is_quoted_by_its_start_and_length() {
    let dir = temp_dir();
    let long = "9".repeat(100_000);
    let word = "x".repeat(100_000);
    write_file(
        dir.path(),
        "obs.csv",
        &format!("week,transitioned\n0,{word}\n"),
    );
    let inventory = |name: &str, lines: &str| {
        write_file(dir.path(), &format!("{name}.csv"), lines);
        write_file(
            dir.path(),
            &format!("{name}.toml"),
            &format!(
                "name = \"inv\"\n[population]\ninventory = \"{name}.csv\"\nregions = [\"NA\"]\n"
            ),
        )
    };
    // An inventory path longer than any path: refused by its length at its key.
    let path = write_file(
        dir.path(),
        "path.toml",
        &format!("name = \"inv\"\n[population]\ninventory = \"{word}\"\n"),
    );
    let stderr = assert_bad_input(
        &cutover(dir.path(), &["run", &path, "--out", "o"]),
        &[
            "`population.inventory` is a path of 100000 bytes, longer than the 4096",
            "path.toml:3:",
        ],
    );
    assert!(stderr.len() < 1_000, "{stderr:.1000}");
    // One holding a line end: refused at its key, never written into a message as it is.
    let forged = write_file(
        dir.path(),
        "forged.toml",
        "name = \"inv\"\n[population]\ninventory = \"a\\nError: forged.csv\"\n",
    );
    let stderr = assert_bad_input(
        &cutover(dir.path(), &["run", &forged, "--out", "o"]),
        &["`population.inventory` holds \\u{a}", "forged.toml:3:"],
    );
    assert!(!stderr.contains("\nError: forged"), "{stderr}");
    let twice = inventory("twice", &format!("tenant,seats\n{word},5\n{word},5\n"));
    let seats = inventory("seats", &format!("tenant,seats\nA,{long}\n"));
    let region = inventory("region", &format!("tenant,seats,region\nA,5,{word}\n"));
    let column = inventory("column", &format!("tenant,seats,{word}\nA,5,1\n"));
    let (seek, calibrate) = (
        "seek small-pilot --vary operators.weekend=1..2",
        "calibrate small-pilot --observed obs.csv --fit copy.per_tenant=1..2",
    );
    // A command line: its words, then the long argument.
    let line = |words: &str, last: &str| -> Vec<String> {
        let mut args: Vec<String> = words.split(' ').map(String::from).collect();
        args.push(last.to_string());
        args
    };
    let cases: Vec<Vec<String>> = vec![
        line("run small-pilot --precision", &format!("slips={long}")),
        line("run small-pilot --precision", &format!("{word}=0.1")),
        line("run small-pilot --set", &format!("{word}=1")),
        line("run small-pilot --set", &format!("sweep.{word}=[1]")),
        line("sweep small-pilot --set", &format!("sweep.{word}=[1]")),
        line("compare small-pilot --policies", &format!("fifo,{word}")),
        line(
            "sensitivity small-pilot --vary",
            &format!("copy.per_tenant=1..{word}"),
        ),
        line("sensitivity small-pilot --vary", &format!("{word}=1..2")),
        line(
            "select small-pilot --policies fifo,random --delta 1 --metric",
            &word,
        ),
        line(
            "seek small-pilot --require mean(slips)<=1 --vary",
            &format!("operators.weekend=1..{long}"),
        ),
        line(
            &format!("{seek} --require"),
            &format!("mean(slips)<={word}"),
        ),
        line(
            &format!("{seek} --require mean(slips)<=1 --cost"),
            &format!("operators.weekend={word}"),
        ),
        line(&format!("{calibrate} --weeks"), &format!("0..{long}")),
        line(calibrate, "--no-charts"),
        line("run", &twice),
        line("run", &seats),
        line("run", &region),
        line("run", &column),
    ];
    for case in cases {
        let mut args: Vec<&str> = case.iter().map(String::as_str).collect();
        args.extend(["--out", "o"]);
        let stderr = assert_bad_input(&cutover(dir.path(), &args), &[]);
        assert!(
            stderr.len() < 2_000 && (stderr.contains("characters)") || stderr.contains("digits)")),
            "{} {}: {} bytes: {stderr:.2000}",
            args[0],
            args[2.min(args.len() - 1)],
            stderr.len()
        );
        assert!(
            !dir.path().join("o").exists(),
            "bad input created the output folder"
        );
    }
}

/// A distribution's range is written as a person reads it: `1e-300`, not 300 digits.
#[test]
fn a_tiny_or_huge_range_is_written_in_exponent_form() {
    let dir = temp_dir();
    let out = run_bad(dir.path(), &["--set", "copy.gb_per_hour=1e-300"]);
    let stderr = assert_bad_input(
        &out,
        &["`copy.gb_per_hour` can take values in [1e-300, 1e-300]"],
    );
    assert!(stderr.len() < 400, "{stderr}");
}

/// The output files write four-digit years: a calendar that reaches past 9999-12-31 (a deadline
/// late in 9999 and its 91 days of horizon) is refused before anything is written, not found out
/// by the charts after the CSV files are.
#[test]
fn a_calendar_past_the_year_9999_is_refused() {
    let dir = temp_dir();
    let calendar = "name = \"late\"\n[population]\ntenants = 5\n[calendar]\nstart = 9999-06-01\ndeadline = 9999-12-31\n";
    let s = write_file(dir.path(), "late.toml", calendar);
    let out = run_bad(dir.path(), &[&s]);
    assert_bad_input(&out, &["`calendar.end` 10000-03-31 is after 9999-12-31"]);
    let s = write_file(
        dir.path(),
        "late.toml",
        &format!("{calendar}end = 9999-12-31\n"),
    );
    let out = cutover(
        dir.path(),
        &["run", &s, "--reps", "1", "--out", "late", "-q"],
    );
    crate::common::assert_success(&out);
}

/// A copy takes its time from its size and `[copy]`: the minutes of a copy kind (a BPOS copy, or
/// a kind of the file's own programme made a copy) would be silently ignored, so each is refused
/// at its file, line and column, in a file, a `--set` and a `[sweep]` grid alike.
#[test]
fn minutes_set_on_a_copy_kind_are_refused_where_written() {
    let dir = temp_dir();
    let file = write_file(
        dir.path(),
        "copies.toml",
        "name = \"copies\"\n[population]\ntenants = 5\n[workitems.mailbox_copy]\nduration_minutes = 30\n[workitems.site_copy]\nminutes_per_seat = 0.5\n",
    );
    let out = run_bad(dir.path(), &[&file]);
    assert_bad_input(
        &out,
        &[
            &format!("{file}:5:20"),
            "`workitems.mailbox_copy.duration_minutes` has no effect",
            &format!("{file}:7:20"),
            "`workitems.site_copy.minutes_per_seat` has no effect",
            "copy.gb_per_hour",
        ],
    );
    let out = run_bad(
        dir.path(),
        &["--set", "workitems.mailbox_copy.minutes_per_seat=0"],
    );
    assert_bad_input(
        &out,
        &[
            "--set workitems.mailbox_copy.minutes_per_seat=0",
            "has no effect",
        ],
    );
    // A kind of the file's own programme that is a copy.
    let own = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tenant-to-tenant.toml"),
    )
    .unwrap();
    let own = own.replace(
        "[workitems.mailbox_presync]\ncopy = \"mailboxes\"\n",
        "[workitems.mailbox_presync]\ncopy = \"mailboxes\"\nduration_minutes = { dist = \"uniform\", low = 1, high = 2 }\n",
    );
    let file = write_file(dir.path(), "own.toml", &own);
    let out = run_bad(dir.path(), &[&file]);
    assert_bad_input(
        &out,
        &["`workitems.mailbox_presync.duration_minutes` has no effect"],
    );
    let grid = write_file(
        dir.path(),
        "grid.toml",
        "name = \"grid\"\n[population]\ntenants = 5\n[sweep]\n\"workitems.site_copy.duration_minutes\" = [1, 2]\n",
    );
    let out = cutover(dir.path(), &["sweep", &grid, "--reps", "1", "--out", "g"]);
    assert_bad_input(&out, &[&format!("{grid}:5:"), "has no effect"]);
    assert!(!dir.path().join("g").exists());
}

/// A replication caught in a loop (every window attempt fails at once, is resolved at once and
/// comes back at once) stops at its event budget with exit code 2 and a message that names the
/// scenario file, the keys that set the budget and the settings that drive the loop, each with
/// what to do; in a sweep, the cell too.
#[test]
fn a_replication_that_uses_up_its_event_budget_names_the_file_and_the_keys() {
    let dir = temp_dir();
    let mut text = "name = \"loop\"\nreplications = 1\n[population]\ntenants = 1\nseats = 5\ncoexistence_share = 1\n[workitems]\nhard_failure_probability = 0.001\ncoexistence_failure_multiplier = 1000\n[operators]\nresolve_hours = 0\n".to_string();
    for kind in [
        "directory_sync",
        "mailbox_cutover",
        "sharepoint_switch",
        "chat_upgrade",
    ] {
        text += &format!("[workitems.{kind}]\nduration_minutes = 0\nminutes_per_seat = 0\n");
    }
    let file = write_file(dir.path(), "loop.toml", &text);
    let out = cutover(dir.path(), &["run", &file, "--out", "o", "-q"]);
    assert_bad_input(
        &out,
        &[
            &format!("{file}: replication 0 stopped after"),
            "`population.tenants`",
            "`population.seats`",
            "`workitems.directory_sync`, `workitems.mailbox_cutover`, `workitems.sharepoint_switch`, `workitems.chat_upgrade`: 100% of attempts fail",
            "`workitems.coexistence_failure_multiplier` 1000",
            "`population.coexistence_share` 1",
            "`operators.resolve_hours` averages 0.00 minutes",
            "`workitems.chat_upgrade`: `duration_minutes` averages 0.00 minutes",
        ],
    );
    let grid = write_file(
        dir.path(),
        "grid.toml",
        &format!("{text}[sweep]\n\"operators.weekend\" = [10, 12]\n"),
    );
    let out = cutover(
        dir.path(),
        &["sweep", &grid, "--out", "g", "-q", "--threads", "1"],
    );
    assert_bad_input(
        &out,
        &[
            &format!("{grid}: replication 0"),
            "in cell 0: operators.weekend=10",
        ],
    );
}

/// A metric with no value in any replication of the scenario (help-desk waits where nobody
/// calls) is refused by `select --metric` and `seek --require` before anything is simulated or
/// a folder made: `select` used to fail after its first stage, and `seek` to run every setting
/// and find that none met a constraint it could not judge.
#[test]
fn a_study_on_a_metric_the_scenario_never_measures_is_refused_up_front() {
    let dir = temp_dir();
    let nobody_calls = [
        "--set",
        "clients.outlook_2003_share=0",
        "--set",
        "clients.mobile_share=0",
        "--set",
        "clients.never_expiring_password_share=0",
        "--set",
        "population.tenants=10",
    ];
    let mut select = vec![
        "select",
        "small-pilot",
        "--policies",
        "fifo,random",
        "--metric",
        "helpdesk_wait_mean_h",
        "--delta",
        "1",
        "--out",
        "s",
    ];
    select.extend(nobody_calls);
    let out = cutover(dir.path(), &select);
    assert_bad_input(
        &out,
        &[
            "--metric `helpdesk_wait_mean_h`",
            "no value in any replication of small-pilot.toml (bundled)",
            "`ticket_probability`",
        ],
    );
    assert!(!dir.path().join("s").exists(), "select made its folder");
    let mut seek = vec![
        "seek",
        "small-pilot",
        "--vary",
        "operators.weekend=1..3",
        "--require",
        "mean(slips) <= 100",
        "--require",
        "P(helpdesk_wait_p95_h <= 2) >= 0.9",
        "--out",
        "k",
    ];
    seek.extend(nobody_calls);
    let out = cutover(dir.path(), &seek);
    let stderr = assert_bad_input(
        &out,
        &[
            "--require `P(helpdesk_wait_p95_h <= 2) >= 0.9`",
            "no value in any replication",
        ],
    );
    assert!(stderr.contains("\n    ^^^^^^^^^^^^^^^^^^^\n"), "{stderr}");
    assert!(!dir.path().join("k").exists(), "seek made its folder");
    // A key the search varies that leaves the metric unmeasured at one end only is a setting
    // that fails the constraint, not a mistake: the seek runs.
    let mut seek = vec![
        "seek",
        "small-pilot",
        "--vary",
        "helpdesk.weekday=0..1",
        "--set",
        "helpdesk.weekend=0",
        "--require",
        "mean(helpdesk_utilization) <= 1",
        "--reps",
        "2",
        "--out",
        "k2",
        "-q",
    ];
    seek.extend(nobody_calls);
    crate::common::assert_success(&cutover(dir.path(), &seek));
}

/// The chat fractions of an inventory whose tenants each have one user, and the operators'
/// utilisation over a window they are never on duty in, are refused by `select` and `seek`
/// before a folder is made; the same studies run where one tenant has two users.
#[test]
fn a_study_on_a_metric_an_inventory_or_a_window_leaves_unmeasured_is_refused() {
    let dir = temp_dir();
    write_file(dir.path(), "inv.csv", "tenant,seats\na,1\nb,1\nc,1\n");
    let file = write_file(
        dir.path(),
        "s.toml",
        "name = \"solo\"\n[population]\ninventory = \"inv.csv\"\n",
    );
    let select = |metric: &str, out: &str| {
        cutover(
            dir.path(),
            &[
                "select",
                &file,
                "--policies",
                "fifo,random",
                "--metric",
                metric,
                "--delta",
                "0.1",
                "--n0",
                "2",
                "--reps",
                "2",
                "--out",
                out,
                "-q",
            ],
        )
    };
    assert_bad_input(
        &select("mean_peak_broken_contact_fraction", "s"),
        &[
            "--metric `mean_peak_broken_contact_fraction`",
            "no value in any replication of",
            "the inventory's largest tenant has 1 seat",
        ],
    );
    assert!(!dir.path().join("s").exists(), "select made its folder");
    let seek = |set: &[&str], out: &str| {
        let mut args = vec![
            "seek",
            file.as_str(),
            "--vary",
            "operators.weekend=1..2",
            "--require",
            "mean(operator_utilization) <= 1",
            "--reps",
            "2",
            "--out",
            out,
            "-q",
        ];
        for s in set {
            args.extend(["--set", s]);
        }
        cutover(dir.path(), &args)
    };
    let weekdays = [
        "operators.weekday=0",
        "calendar.observe_from=2011-09-05",
        "calendar.observe_until=2011-09-09",
    ];
    assert_bad_input(
        &seek(&weekdays, "k"),
        &[
            "--require `mean(operator_utilization) <= 1`",
            "no operator is on duty in the observation window, 2011-09-05 to 2011-09-09",
        ],
    );
    assert!(!dir.path().join("k").exists(), "seek made its folder");
    assert_success(&seek(&weekdays[..2], "k2"));
    write_file(dir.path(), "inv.csv", "tenant,seats\na,1\nb,2\nc,1\n");
    assert_success(&select("mean_peak_broken_contact_fraction", "s2"));
}

/// Every metric `never_measured` names has no value in any replication: what the studies refuse
/// is truly unmeasurable, and the same scenario without those settings measures it.
#[test]
fn a_metric_said_never_measured_is_empty_in_every_replication() {
    use cutover::model::{ReplicationMetrics, simulate};
    let cases: &[(&[&str], &[&str])] = &[
        (
            &[
                "clients.outlook_2003_share=0",
                "clients.mobile_share=0.5",
                "clients.ticket_probability.mobile=0",
            ],
            &["helpdesk_wait_mean_h", "helpdesk_wait_p95_h"],
        ),
        (
            &[
                "clients.outlook_2003_share=0",
                "helpdesk.weekday=0",
                "helpdesk.weekend=0",
            ],
            &["helpdesk_utilization", "helpdesk_wait_mean_h"],
        ),
        (
            &[
                "workitems.transient_probability=0",
                "workitems.hard_failure_probability=0",
                "workitems.mailbox_cutover.hard_failure_probability=0",
            ],
            &["operator_wait_mean_h", "operator_wait_p95_h"],
        ),
        (
            &["lync.contacts_mean=0"],
            &[
                "mean_peak_cross_island_fraction",
                "mean_peak_broken_contact_fraction",
            ],
        ),
        (
            &["population.seats=1"],
            &[
                "mean_peak_cross_island_fraction",
                "mean_peak_broken_contact_fraction",
            ],
        ),
        // Tenants of up to 3 users with 0.3 contacts each: 0.45 pairs, rounded to none.
        (
            &[
                "population.seats={ dist = \"uniform\", low = 1, high = 3 }",
                "lync.contacts_mean=0.3",
            ],
            &[
                "mean_peak_cross_island_fraction",
                "mean_peak_broken_contact_fraction",
            ],
        ),
        // Weekend operators, observed over the first week's weekdays (2011-09-05 is a Monday).
        (
            &[
                "operators.weekday=0",
                "calendar.observe_from=2011-09-05",
                "calendar.observe_until=2011-09-09",
            ],
            &["operator_utilization"],
        ),
        // A weekday help desk observed over a weekend.
        (
            &[
                "clients.outlook_2003_share=0.2",
                "helpdesk.weekend=0",
                "calendar.observe_from=2011-09-10",
                "calendar.observe_until=2011-09-11",
            ],
            &["helpdesk_utilization"],
        ),
        // A calendar that ends on the Sunday of the first weekend: Finalize (T+48h) is Monday.
        (
            &["calendar.deadline=2011-10-01", "calendar.end=2011-11-06"],
            &["makespan_days"],
        ),
        // Every tenant blocked past day 49, so first placed by the calendar's last plan (day 56,
        // for 2011-12-31): Finalize (T+48h) is after the end. (Blocked past day 56 too, no
        // tenant could be batched, and the scenario is refused.)
        (
            &[
                "calendar.deadline=2011-12-31",
                "calendar.end=2011-12-31",
                "population.blocked_fraction=1",
                "population.blocked_days={ dist = \"uniform\", low = 50, high = 200 }",
            ],
            &["makespan_days"],
        ),
    ];
    let col = |name: &str| {
        ReplicationMetrics::COLUMNS
            .iter()
            .position(|c| *c == name)
            .unwrap()
    };
    // A day more, and tenants transition on the Monday: not refused, and measured.
    let monday =
        crate::common::small_scenario(&["calendar.deadline=2011-10-01", "calendar.end=2011-11-07"]);
    assert!(ReplicationMetrics::never_measured("makespan_days", &monday).is_none());
    let policy = cutover::policy::lookup("fifo", &[]).unwrap();
    assert!((0..3).any(|r| {
        simulate(&monday, policy.as_ref(), r, false)
            .metrics
            .makespan_days
            .is_finite()
    }));
    let base = crate::common::small_scenario(&["clients.outlook_2003_share=0.2"]);
    let base_metrics = simulate(&base, policy.as_ref(), 0, false).metrics;
    for (settings, metrics) in cases {
        let sc = crate::common::small_scenario(settings);
        for metric in *metrics {
            assert!(
                ReplicationMetrics::never_measured(metric, &base).is_none(),
                "{metric} of the base"
            );
            assert!(
                base_metrics.values()[col(metric)].is_finite(),
                "{metric} has no value in the base"
            );
            assert!(
                ReplicationMetrics::never_measured(metric, &sc).is_some(),
                "{metric} under {settings:?}"
            );
        }
        for r in 0..3 {
            let m = simulate(&sc, policy.as_ref(), r, false).metrics;
            for metric in *metrics {
                assert!(
                    m.values()[col(metric)].is_nan(),
                    "{metric} = {} in replication {r} under {settings:?}",
                    m.values()[col(metric)]
                );
            }
        }
    }
}

/// `--wait-lock` is offered by the commands that hold an output folder's lock, and only by them:
/// `validate` and `scenarios` write no folder, so neither their help nor the top-level help
/// shows it, and they refuse it (exit 2) before or after the command's name. Written before the
/// name of a command that takes it (`cutover --wait-lock run`), it is still honoured.
#[test]
fn wait_lock_is_offered_only_by_the_commands_that_lock_a_folder() {
    let dir = temp_dir();
    let help = |args: &[&str]| {
        let out = cutover(dir.path(), args);
        crate::common::assert_success(&out);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    for command in [
        "run",
        "compare",
        "sweep",
        "sensitivity",
        "merge",
        "calibrate",
        "select",
        "seek",
        "plot",
    ] {
        assert!(
            help(&[command, "--help"]).contains("--wait-lock"),
            "{command}"
        );
    }
    for args in [
        &["validate", "--help"][..],
        &["scenarios", "--help"],
        &["--help"],
    ] {
        assert!(!help(args).contains("--wait-lock"), "{args:?}");
    }
    for args in [
        &["validate", "small-pilot", "--wait-lock"][..],
        &["scenarios", "--wait-lock"],
        &["--wait-lock", "validate", "small-pilot"],
        &["--wait-lock", "scenarios"],
    ] {
        let out = cutover(dir.path(), args);
        assert_bad_input(&out, &["--wait-lock"]);
    }
    let out = cutover(
        dir.path(),
        &[
            "--wait-lock",
            "run",
            "small-pilot",
            "--reps",
            "1",
            "--set",
            "population.tenants=5",
            "--no-charts",
            "-q",
            "--out",
            "o",
        ],
    );
    crate::common::assert_success(&out);
    assert!(dir.path().join("o/replications.csv").exists());
}

/// A quote left open in an observations file or an inventory would have the reader take every
/// line after it into one cell, silently; it is refused at the line where it opens.
#[test]
fn a_quote_left_open_in_a_csv_input_is_refused_where_it_opens() {
    let dir = temp_dir();
    write_file(dir.path(), "obs.csv", "week,slips\n0,1\n1,\"2\n2,3\n");
    let out = cutover(
        dir.path(),
        &[
            "calibrate",
            "small-pilot",
            "--observed",
            "obs.csv",
            "--fit",
            "copy.per_tenant=1..2",
            "--out",
            "c",
        ],
    );
    assert_bad_input(
        &out,
        &["obs.csv:3: a quoted cell opens here and is never closed"],
    );
    assert!(!dir.path().join("c").exists());
    write_file(
        dir.path(),
        "tenants.csv",
        "tenant,seats\n# a \"note\"\nA,5\nB,\"6\nC,7\n",
    );
    let scenario = write_file(
        dir.path(),
        "inv.toml",
        "name = \"inv\"\n[population]\ninventory = \"tenants.csv\"\nregions = [\"NA\"]\n",
    );
    let out = cutover(dir.path(), &["run", &scenario, "--out", "r"]);
    assert_bad_input(
        &out,
        &[
            "tenants.csv:4",
            "a quoted cell opens here and is never closed",
        ],
    );
    assert!(!dir.path().join("r").exists());
}

/// A scenario under which no tenant can ever be batched (a policy whose caps take nobody, or
/// whose blackouts cover every batch weekend, a calendar that ends before the first) is refused by
/// `validate`, `run` and each `sweep` cell, located at the setting, instead of running to the end
/// of the calendar with every tenant left unbatched; a policy that can batch someone is not.
#[test]
fn a_scenario_that_can_batch_nobody_is_refused_where_it_says_so() {
    let dir = temp_dir();
    let d = dir.path();
    let base = "name = \"nobody\"\n[population]\ntenants = 20\nregions = [\"NA\", \"EMEA\"]\n[batching]\npolicy = \"p\"\n";
    let capped = write_file(
        d,
        "capped.toml",
        &format!(
            "{base}[policies.p]\ncaps = [{{ per = \"region\", value = \"NA\", max_tenants = 0 }}, {{ per = \"region\", value = \"EMEA\", max_tenants = 0 }}]\n"
        ),
    );
    let says = [
        "capped.toml:8:55",
        "policies.p.caps[0].max_tenants",
        "policy `p` can batch no tenant",
        "takes no tenant of region `NA`",
        "`policies.p.caps[1].max_tenants` = 0 takes no tenant of region `EMEA`",
    ];
    assert_invalid(&cutover(d, &["validate", &capped]), &says);
    let out = run_bad(d, &[&capped]);
    assert_bad_input(&out, &says);
    // One region let through: it is valid.
    let one = write_file(
        d,
        "one.toml",
        &format!(
            "{base}[policies.p]\ncaps = [{{ per = \"region\", value = \"NA\", max_tenants = 0 }}]\n"
        ),
    );
    assert_success(&cutover(d, &["validate", &one]));
    // Blackouts over every batch weekend with `lead_days` = 62 (2011-11-12 to 2013-01-26), not
    // with 60 (from 2011-11-05): of a sweep over it, that one cell is refused.
    let dark = write_file(
        d,
        "dark.toml",
        &format!(
            "{base}[policies.p]\nblackouts = [{{ regions = [\"NA\", \"EMEA\"], from = 2011-11-12, until = 2013-01-26 }}]\n[sweep]\n\"batching.lead_days\" = [60, 62]\n"
        ),
    );
    let out = cutover(d, &["validate", &dark]);
    assert_invalid(
        &out,
        &[
            "policies.p.blackouts[0]",
            "regions `NA`, `EMEA` are blacked out on every batch weekend of the calendar (2011-11-12 to 2013-01-26) by `policies.p.blackouts[0]`",
            "dark.toml:8:14",
            "cell 1 (batching.lead_days=62)",
        ],
    );
    let out = cutover(d, &["sweep", &dark, "--reps", "1", "--out", "s", "-q"]);
    assert_bad_input(&out, &["policies.p.blackouts[0]", "can batch no tenant"]);
    assert!(!d.join("s").exists());
    // A calendar of five weekdays, which ends before the first weekend a batch can have.
    let short = write_file(
        d,
        "short.toml",
        "name = \"short\"\n[population]\ntenants = 20\n[calendar]\ndeadline = 2011-09-09\nend = 2011-09-09\n",
    );
    let says = [
        "short.toml:6:7",
        "calendar.end",
        "no batch is ever planned",
        "the first weekend a batch can have, 2011-11-05 (the first Saturday at least `batching.lead_days` = 60 days after `calendar.start` 2011-09-05), is after `calendar.end` 2011-09-09",
        "end the calendar on 2011-11-05 or later",
    ];
    assert_invalid(&cutover(d, &["validate", &short]), &says);
    let out = cutover(d, &["run", &short, "--out", "r"]);
    assert_bad_input(&out, &says);
    assert!(!d.join("r").exists());
    // A lead past the default end, `deadline` + 91 days: located at the `--set`.
    let lead = |days: &str| {
        cutover(
            d,
            &[
                "run",
                &one,
                "--reps",
                "1",
                "--no-charts",
                "-q",
                "--set",
                "calendar.deadline=2011-10-01",
                "--set",
                &format!("batching.lead_days={days}"),
                "--out",
                days,
            ],
        )
    };
    assert_bad_input(
        &lead("118"),
        &[
            "--set batching.lead_days=118",
            "2012-01-07",
            "`calendar.end` 2011-12-31",
        ],
    );
    assert!(!d.join("118").exists());
    assert_success(&lead("117"));
}

/// A population every tenant of which is held past the calendar's last plan (blocked in
/// Pre-Approval, by a directory quota case, or on hosted BlackBerry) is refused by `validate`,
/// `run` and each `sweep` cell, at the setting that holds them (an inventory's cell), instead of
/// running to the end of the calendar with nobody batched; held to the last plan, it is valid.
#[test]
fn a_population_held_past_the_last_plan_is_refused_where_it_says_so() {
    let dir = temp_dir();
    let d = dir.path();
    let base = "name = \"held\"\n[population]\ntenants = 20\nblocked_fraction = 1\n";
    let late = write_file(
        d,
        "late.toml",
        &format!("{base}blocked_days = {{ dist = \"uniform\", low = 449, high = 900 }}\n"),
    );
    let says = [
        "late.toml:5:16",
        "no tenant can be batched before the calendar ends",
        "the last plan that can batch a tenant is on day 448 (2012-11-26), for the weekend of 2013-01-26",
        "`population.blocked_fraction` = 1 blocks every tenant, and `population.blocked_days` draws at least 449 days",
        "let some tenant in: a `population.blocked_days` that can draw 448 days or fewer, or a `population.blocked_fraction` below 1; or end the calendar on 2013-02-02 or later",
    ];
    assert_invalid(&cutover(d, &["validate", &late]), &says);
    assert_bad_input(&run_bad(d, &[&late]), &says);
    // Lowered to 448 days by `--set`, one tenant can be taken by the last plan: it runs.
    let out = cutover(
        d,
        &[
            "run",
            &late,
            "--set",
            "population.blocked_days={ dist = \"uniform\", low = 448, high = 900 }",
            "--reps",
            "1",
            "--no-charts",
            "-q",
            "--out",
            "r",
        ],
    );
    assert_success(&out);
    // An inventory: at the cell of the tenant blocked least.
    write_file(
        d,
        "t.csv",
        "tenant,seats,blocked_days\nA,5,500\nB,6,449\nC,7,7320\n",
    );
    let inventory = write_file(
        d,
        "inv.toml",
        "name = \"inv\"\n[population]\ninventory = \"t.csv\"\n",
    );
    assert_invalid(
        &cutover(d, &["validate", &inventory]),
        &[
            "t.csv:3:3",
            "each of the inventory's 3 tenants is held past it, the least `B` by its `blocked_days` = 449",
            "a `blocked_days` of at most 448 for some tenant",
        ],
    );
    // Every tenant on hosted BlackBerry from after the last weekend: of a sweep, the one cell.
    let blackberry = write_file(
        d,
        "bb.toml",
        "name = \"bb\"\n[population]\ntenants = 20\nblackberry_share = 1\nblackberry_not_before = 2013-01-27\n[calendar]\nend = 2013-02-02\n[sweep]\n\"calendar.end\" = [2013-01-30, 2013-02-02]\n",
    );
    let out = cutover(d, &["validate", &blackberry]);
    assert_invalid(
        &out,
        &[
            "bb.toml:5:25",
            "cell 0 (calendar.end=2013-01-30)",
            "every tenant is on hosted BlackBerry (`population.blackberry_share` = 1), which is not batched for a weekend before `population.blackberry_not_before` 2013-01-27",
        ],
    );
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("cell 1"),
        "{out:?}"
    );
    let out = cutover(
        d,
        &["sweep", &blackberry, "--reps", "1", "--out", "s", "-q"],
    );
    assert_bad_input(
        &out,
        &[
            "population.blackberry_not_before",
            "no tenant can be batched",
        ],
    );
    assert!(!d.join("s").exists());
}

/// The refusal is exact: over calendars of either cadence and several leads, a population held
/// for any number of days (to the second: the replication rounds a hold so) is valid exactly when
/// a replication of it batches someone; and so for every tenant on hosted BlackBerry, and under a
/// declared policy that blacks out the calendar's last weekends.
#[test]
fn a_population_is_refused_as_held_exactly_when_a_replication_batches_nobody() {
    use cutover::model::simulate;
    use cutover::scenario::{Dist, Scenario};
    let policy = cutover::policy::lookup("fifo", &[]).unwrap();
    let text = |overrides: &[String]| {
        let overrides: Vec<String> = [
            "population.tenants=5",
            "population.blocked_fraction=1",
            "calendar.deadline=2011-12-01",
            "batching.max_tenants=1000000",
            "batching.max_seats=1000000000",
            "batching.max_data_gb=1000000000",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain(overrides.iter().cloned())
        .collect();
        Scenario::from_text(crate::common::SMALL_SCENARIO, "s.toml", &overrides)
    };
    let batched = |sc: &Scenario| simulate(sc, policy.as_ref(), 0, false).metrics.batches > 0;
    let mut seen = (0, 0);
    for (cadence, lead, end) in [
        (7, 60, "2011-12-24"),
        (14, 60, "2011-12-30"),
        (7, 66, "2012-01-06"),
    ] {
        let calendar = vec![
            format!("batching.cadence_days={cadence}"),
            format!("batching.lead_days={lead}"),
            format!("calendar.end={end}"),
        ];
        let mut base = text(&[calendar.clone(), vec!["population.blocked_days=0".into()]].concat())
            .unwrap_or_else(|e| panic!("{e}"));
        for day in 20..140 {
            for seconds in [0.0, 0.43, 0.86] {
                let days = f64::from(day) + seconds / 86_400.0;
                let held = format!("population.blocked_days={days}");
                let valid = text(&[calendar.clone(), vec![held]].concat()).is_ok();
                base.population.blocked_days = Dist::constant(days);
                assert_eq!(valid, batched(&base), "{calendar:?}, {days} days");
                if valid { seen.0 += 1 } else { seen.1 += 1 }
            }
        }
        // Every tenant on BlackBerry, from a date around the last weekend.
        base.population.blocked_days = Dist::constant(0.0);
        base.population.estate.blackberry_share = 1.0;
        for back in -10..10 {
            let date = base.calendar.end.add_days(back);
            let on = vec![
                "population.blackberry_share=1".to_string(),
                format!("population.blackberry_not_before={date}"),
            ];
            let valid = text(
                &[
                    calendar.clone(),
                    on,
                    vec!["population.blocked_days=0".into()],
                ]
                .concat(),
            )
            .is_ok();
            base.population.estate.blackberry_not_before = date;
            assert_eq!(
                valid,
                batched(&base),
                "{calendar:?}, BlackBerry from {date}"
            );
            if valid { seen.0 += 1 } else { seen.1 += 1 }
        }
        // A declared policy that blacks out every region over the calendar's last weekends: held
        // past the plans before them, nobody can be batched.
        let dark = base.calendar.end.add_days(-14);
        let policy = vec![
            format!(
                "policies.p.blackouts=[{{ regions = [\"NA\", \"EMEA\"], from = {dark}, until = 2013-12-31 }}]"
            ),
            "batching.policy=p".to_string(),
        ];
        let mut declared = text(
            &[
                calendar.clone(),
                policy.clone(),
                vec!["population.blocked_days=0".into()],
            ]
            .concat(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let p = cutover::policy::lookup("p", &declared.policies).unwrap();
        for day in 0..70 {
            let days = f64::from(day);
            let held = format!("population.blocked_days={days}");
            let valid = text(&[calendar.clone(), policy.clone(), vec![held]].concat()).is_ok();
            declared.population.blocked_days = Dist::constant(days);
            let batched = simulate(&declared, p.as_ref(), 0, false).metrics.batches > 0;
            assert_eq!(
                valid, batched,
                "{calendar:?}, {days} days, dark from {dark}"
            );
            if valid { seen.0 += 1 } else { seen.1 += 1 }
        }
    }
    assert!(seen.0 > 100 && seen.1 > 100, "{seen:?}");
}

/// Exit 2 with each of `needles` on the standard output or error (`validate` lists a file's
/// errors on the standard output).
fn assert_invalid(out: &Output, needles: &[&str]) {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(2), "{text}");
    for needle in needles {
        assert!(text.contains(needle), "`{needle}` not in:\n{text}");
    }
}

/// An empty region list in a scenario with declared policies is refused at its key, with the
/// errors it causes elsewhere, and never reaches the check of what the policies can batch (which
/// indexed the regions and panicked).
#[test]
fn an_empty_region_list_is_refused_not_a_panic() {
    let dir = temp_dir();
    let text = include_str!("../../scenarios/bpos-2011.toml");
    let emptied: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with("regions = ") {
                "regions = []".to_string()
            } else {
                l.to_string()
            }
        })
        .collect();
    assert!(emptied.iter().any(|l| l == "regions = []"));
    write_file(dir.path(), "s.toml", &emptied.join("\n"));
    let out = cutover(dir.path(), &["run", "s.toml", "--out", "o"]);
    let stderr = assert_bad_input(
        &out,
        &["`population.regions` must list between 1 and 64 regions at s.toml:"],
    );
    assert!(
        stderr.contains("`population.regions` lists none"),
        "{stderr}"
    );
    assert!(!stderr.contains("regions are )"), "{stderr}");
}

/// A key a study ranges over (`--vary`, `--fit`) that a `--set` also sets is refused before
/// anything runs: the range sets it at every setting, so the `--set` value would never be used,
/// yet the manifest would record it among the overrides.
#[test]
fn a_key_both_set_and_ranged_over_is_refused() {
    let dir = temp_dir();
    write_file(dir.path(), "obs.csv", "week,transitioned\n0,1\n1,2\n");
    let set = ["--set", "helpdesk.weekday=5"];
    let commands: [&[&str]; 3] = [
        &[
            "seek",
            "small-pilot",
            "--vary",
            "helpdesk.weekday=1..2",
            "--require",
            "mean(slips) <= 3",
        ],
        &[
            "sensitivity",
            "small-pilot",
            "--vary",
            "helpdesk.weekday=1..4",
        ],
        &[
            "calibrate",
            "small-pilot",
            "--observed",
            "obs.csv",
            "--fit",
            "helpdesk.weekday=1..4",
        ],
    ];
    for args in commands {
        let all = [args, &set[..], &["--out", "o"]].concat();
        assert_bad_input(
            &cutover(dir.path(), &all),
            &["--set `helpdesk.weekday=5` and", "name the same key"],
        );
        assert!(!dir.path().join("o").exists(), "{args:?}");
    }
}

/// An empty name in `--policies` names no policy: refused as such, not counted as one.
#[test]
fn an_empty_policy_name_is_refused() {
    let dir = temp_dir();
    for policies in ["", "fifo,,smallest-first"] {
        for command in [
            &["select", "small-pilot", "--metric", "slips", "--delta", "1"][..],
            &["compare", "small-pilot"],
        ] {
            let args = [command, &["--policies", policies, "--out", "o"]].concat();
            assert_bad_input(&cutover(dir.path(), &args), &["an empty policy name"]);
        }
    }
}
