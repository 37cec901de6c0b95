//! Limits, checked before anything is allocated: a scenario too large for the machine gets a
//! message with the estimate instead of an out-of-memory kill, and the hard limits (tenants, seats
//! per tenant, replications, horizon, sweep cells) each name their key.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::common::{
    SMALL_SCENARIO, assert_bad_input, assert_success, quick_run, temp_dir, write_file,
};

/// Runs `cutover` in `cwd` with `CUTOVER_MEMORY_LIMIT` set to `limit`.
fn cutover_with_limit(cwd: &Path, limit: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Output {
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
                "population.tenants",
            ],
        );
        // One replication alone needs more than the limit: fewer threads are not offered.
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("--threads"),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
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
    let small = quick_run("ok", &[]);
    assert_success(&cutover_with_limit(dir.path(), "1T", &small));
    let refused = cutover_with_limit(dir.path(), "1M", &small);
    assert_bad_input(
        &refused,
        &["scenario `small-pilot` needs about", "allows 1.0 MB"],
    );
    // Ten million shared mailboxes a tenant: the key that sets them is among those named.
    let mailboxes = quick_run(
        "never",
        &[
            "--set",
            "population.shared_mailboxes=1e7",
            "--set",
            "population.mailbox_gb=0.001",
            "--set",
            "batching.max_data_gb=1e9",
        ],
    );
    let refused = cutover_with_limit(dir.path(), "8G", &mailboxes);
    assert_bad_input(&refused, &["GB of memory", "`population.shared_mailboxes`"]);
    let nonsense = cutover_with_limit(dir.path(), "lots", &small);
    assert_bad_input(&nonsense, &["CUTOVER_MEMORY_LIMIT=`lots` is not a size"]);
    // Named as a setting as the command starts, not as the first file it bounds the reading of.
    for args in [
        &["merge", "s1", "--out", "m"][..],
        &["plot", "o"],
        &["scenarios"],
    ] {
        let refused = cutover_with_limit(dir.path(), "lots", args);
        let stderr = assert_bad_input(
            &refused,
            &["Error: CUTOVER_MEMORY_LIMIT=`lots` is not a size"],
        );
        assert!(!stderr.contains("cannot read"), "{args:?}: {stderr}");
    }
    // A limit that is not text is refused, not taken for no limit; a long one is not echoed.
    use std::os::unix::ffi::OsStrExt;
    let bytes = std::ffi::OsStr::from_bytes(b"1\xffG");
    let not_text = cutover_with_limit(dir.path(), bytes, &small);
    assert_bad_input(&not_text, &["CUTOVER_MEMORY_LIMIT is not UTF-8"]);
    let long = cutover_with_limit(dir.path(), "x".repeat(100_000), &small);
    let stderr = assert_bad_input(&long, &["(100000 characters)` is not a size"]);
    assert!(stderr.len() < 1_000, "{stderr:.1000}");
}

/// `seek --vary` and `calibrate --fit` run settings other than the scenario's own: a range of a
/// key that raises the memory a run needs (tenants here) is checked at its ends, before anything
/// runs, not only the scenario as given (which fits), so a setting past the memory is refused
/// rather than allocated until the machine gives out.
#[test]
fn a_range_that_reaches_past_the_memory_is_refused_before_it_runs() {
    let dir = temp_dir();
    let observed = write_file(dir.path(), "observed.csv", "week,errors\n0,1\n1,2\n");
    let commands: [Vec<&str>; 2] = [
        vec![
            "seek",
            "small-pilot",
            "--vary",
            "population.tenants=999990..1000000",
            "--require",
            "mean(slips) <= 3",
            "--monotone",
        ],
        vec![
            "calibrate",
            "small-pilot",
            "--observed",
            &observed,
            "--fit",
            "population.tenants=200..1000000",
        ],
    ];
    for (mut args, at) in commands.into_iter().zip([
        "at population.tenants=999990 (an end of the --vary ranges): scenario `small-pilot` needs about",
        "at population.tenants=1000000 (an end of the --fit ranges): scenario `small-pilot` needs about",
    ]) {
        args.extend(["--reps", "2", "--threads", "1", "--out", "never", "-q"]);
        let started = Instant::now();
        let out = cutover_with_limit(dir.path(), "200M", &args);
        assert_bad_input(&out, &[at, "CUTOVER_MEMORY_LIMIT allows 209.7 MB"]);
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{args:?} took {:?}",
            started.elapsed()
        );
        assert!(!dir.path().join("never").exists(), "{args:?}");
    }
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

/// Runs `cutover` in `cwd`, killing it after a minute: these inputs used to run for hours or
/// until memory ran out, so finishing at all is what is checked, not how fast.
fn cutover_bounded(cwd: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(args)
        .current_dir(cwd)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the cutover binary starts");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("cutover {args:?} still running after a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn only_regular_files_of_bounded_size_are_read() {
    let dir = temp_dir();
    let out = cutover_bounded(dir.path(), &["run", "/dev/zero", "--out", "o"]);
    assert_bad_input(&out, &["/dev/zero", "not a regular file"]);
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("inv.csv")).unwrap();
    let s = write_file(
        dir.path(),
        "s.toml",
        "name = \"i\"\n[population]\ninventory = \"inv.csv\"\n",
    );
    let out = cutover_bounded(dir.path(), &["run", &s, "--out", "o"]);
    assert_bad_input(&out, &["inv.csv", "not a regular file"]);
    let big = dir.path().join("big.toml");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(cutover::scenario::MAX_SCENARIO_BYTES + 1)
        .unwrap();
    let out = cutover_bounded(dir.path(), &["run", big.to_str().unwrap(), "--out", "o"]);
    assert_bad_input(&out, &["big.toml", "larger than the 2 MiB"]);
}

#[test]
fn long_lines_and_long_lists_are_checked_in_linear_time() {
    let dir = temp_dir();
    // 200,000 values on one line (1.3 MB, under the 2 MiB a scenario may have), each located
    // for its message.
    let values: Vec<String> = (0..200_000).map(|i| i.to_string()).collect();
    let s = write_file(
        dir.path(),
        "long.toml",
        &format!("name = \"l\"\njunk = [{}]\n", values.join(", ")),
    );
    let out = cutover_bounded(dir.path(), &["run", &s, "--out", "o"]);
    assert_bad_input(&out, &["unknown key `junk`", "long.toml:2:1"]);
    // 75,000 regions (too many) ordered: each checked against the others once, not each time.
    let names: Vec<String> = (0..75_000).map(|i| format!("\"r{i}\"")).collect();
    let list = names.join(", ");
    let s = write_file(
        dir.path(),
        "regions.toml",
        &format!(
            "name = \"r\"\n[population]\nregions = [{list}]\n[batching]\nregion_order = [{list}, \"nowhere\", \"nowhere\"]\n"
        ),
    );
    let out = cutover_bounded(dir.path(), &["run", &s, "--out", "o"]);
    let err = assert_bad_input(&out, &["between 1 and 64 regions", "`nowhere`"]);
    assert_eq!(err.matches("`nowhere`").count(), 1, "{err}");
}

/// Every cell of a `[sweep]` grid is held as a scenario while the sweep runs: the cells share the
/// file's text and its inventory instead of each holding a copy. A copy each made memory grow with
/// cells x file size: 100,000 cells (the most a grid may have) of a file that lists them took
/// over 24 GB to validate, and a 20,000-tenant inventory swept over 1,600 cells 5.8 GB.
#[test]
fn the_cells_of_a_grid_share_the_scenario_text_and_its_inventory() {
    let dir = temp_dir();
    write_file(dir.path(), "tenants.csv", "tenant,seats\nA,10\nB,20\nC,5\n");
    let file = write_file(
        dir.path(),
        "grid.toml",
        "name = \"g\"\n[population]\ninventory = \"tenants.csv\"\n[sweep]\n\"operators.weekend\" = [1, 2, 3]\n",
    );
    let plan = cutover::sweep::plan(
        &cutover::scenario::Source::File(file.into()),
        &[],
        None,
        None,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let first = &plan.cells[0].scenario;
    for cell in &plan.cells[1..] {
        let s = &cell.scenario;
        assert!(
            std::ptr::eq(s.source_text.as_ptr(), first.source_text.as_ptr()),
            "a cell holds its own copy of the scenario text"
        );
        let (a, b) = (
            s.population.inventory.as_ref().unwrap(),
            first.population.inventory.as_ref().unwrap(),
        );
        assert!(
            std::sync::Arc::ptr_eq(a, b),
            "a cell holds its own copy of the inventory"
        );
    }
}

/// Each cell of a grid holds what the file writes outside `[sweep]` (its description, every
/// list), so a long description times many cells is refused with the estimate before a cell is
/// built: 100,000 cells of a scenario with a 1.5 MB description needed 150 GB.
#[test]
fn a_grid_whose_cells_together_exceed_the_memory_is_refused_before_they_are_built() {
    let dir = temp_dir();
    let cells: Vec<String> = (1..=100).map(|i| i.to_string()).collect();
    let text = format!(
        "name = \"g\"\ndescription = \"{}\"\n[sweep]\n\"operators.weekend\" = [{}]\n",
        "x".repeat(200_000),
        cells.join(", ")
    );
    let grid = write_file(dir.path(), "grid.toml", &text);
    let needles = [
        "grid.toml: the 100 cells of the [sweep] grid are each held as a scenario of about 208.",
        "kB, 20.8 MB in all; CUTOVER_MEMORY_LIMIT allows 10.5 MB",
        "sweep fewer values, or shorten what each copies (the description",
    ];
    let out = cutover_with_limit(dir.path(), "10M", &["sweep", &grid, "--out", "never"]);
    assert_bad_input(&out, &needles);
    assert!(!dir.path().join("never").exists());
    // validate lists each file's errors on stdout.
    let out = cutover_with_limit(dir.path(), "10M", &["validate", &grid]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(needles.iter().all(|n| stdout.contains(n)), "{stdout}");
    assert_success(&cutover_with_limit(dir.path(), "1G", &["validate", &grid]));
}

/// A key set by `--set`, or swept, of thousands of dotted parts is refused naming it: each part
/// is a table within the last, and such a key overflowed the stack (abort, exit 134).
#[test]
fn a_key_of_thousands_of_dotted_parts_is_refused_not_a_stack_overflow() {
    let dir = temp_dir();
    let deep = "a.".repeat(20_000);
    let set = format!("{deep}b=1");
    let out = cutover_bounded(
        dir.path(),
        &["run", "small-pilot", "--set", &set, "--out", "o"],
    );
    assert_bad_input(&out, &["--set `a.a.a.", "more than 80 dotted parts"]);
    let axis = format!("sweep.{deep}b=[1, 2]");
    let out = cutover_bounded(
        dir.path(),
        &["sweep", "small-pilot", "--set", &axis, "--out", "o"],
    );
    assert_bad_input(&out, &["--set sweep.a.a.", "more than 80 dotted parts"]);
    let grid = format!("{SMALL_SCENARIO}\n[sweep]\n\"{deep}b\" = [1, 2]\n");
    let grid = write_file(dir.path(), "grid.toml", &grid);
    let at = format!("grid.toml:{}:1", SMALL_SCENARIO.lines().count() + 3);
    let out = cutover_bounded(dir.path(), &["sweep", &grid, "--out", "o"]);
    assert_bad_input(&out, &[&at, "more than 80 dotted parts"]);
    // validate lists each file's errors on stdout.
    let out = cutover_bounded(dir.path(), &["validate", &grid]);
    assert_bad_input(&out, &["1 of 1 scenario file has errors"]);
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed.contains(&at) && listed.contains("more than 80 dotted parts"),
        "{listed}"
    );
    assert!(!dir.path().join("o").exists());
}

/// Zero-length work, retries at once and operators who resolve in no time: with an attempt that
/// always fails, work would be retried forever without the clock moving. Such a scenario is
/// refused; one that is merely very unlucky meets its event budget and stops with the cause.
#[test]
fn a_loop_that_takes_no_time_is_refused_or_stopped_by_the_event_budget() {
    let dir = temp_dir();
    let zero: String = [
        "notice",
        "admin_lock",
        "directory_sync",
        "mailbox_cutover",
        "sharepoint_switch",
        "chat_upgrade",
        "cleanup",
    ]
    .iter()
    .map(|k| format!("[workitems.{k}]\nduration_minutes = 0\nminutes_per_seat = 0\n"))
    .collect();
    let scenario = |transient: &str| {
        format!(
            "name = \"z\"\nreplications = 1\n[population]\ntenants = 5\n[copy]\noverhead_minutes = 0\n[operators]\nweekday_hours = [0, 24]\nweekend_hours = [0, 24]\nresolve_hours = 0\n[workitems]\nretry_delay_seconds = 0\nmax_retries = 0\ntransient_probability = {transient}\nhard_failure_probability = 0\n{zero}"
        )
    };
    let s = write_file(dir.path(), "always.toml", &scenario("1.0"));
    let out = cutover_bounded(dir.path(), &["run", &s, "--out", "o", "--no-charts"]);
    assert_bad_input(&out, &["every attempt fails", "hard_failure_probability"]);
    let s = write_file(dir.path(), "unlucky.toml", &scenario("0.9999999"));
    let out = cutover_bounded(dir.path(), &["run", &s, "--out", "o", "--no-charts"]);
    assert_bad_input(
        &out,
        &[
            &format!("{s}: replication 0 stopped after"),
            "the most one replication may handle",
            "work keeps failing and comes back in little or no time",
            "`workitems.retry_delay_seconds` 0",
            "`operators.resolve_hours` averages 0.00 minutes",
        ],
    );
}

/// A folder whose numbers are absurd (an edited or damaged file) is still charted, with the
/// axes clamped: the charts are drawn, not ticked for ever.
#[test]
fn charts_of_absurd_values_finish() {
    let dir = temp_dir();
    let run = [
        "run",
        "small-pilot",
        "--reps",
        "2",
        "--no-charts",
        "--out",
        "o",
        "-q",
    ];
    assert_success(&crate::common::cutover(dir.path(), &run));
    // (Days out of order are refused: `plot_refuses_rows_that_do_not_add_up_naming_them`.)
    for (file, column) in [
        ("completion.csv", "mean"),
        ("timeseries.csv", "transitioned"),
    ] {
        let path = dir.path().join("o").join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let col = lines[0].split(',').position(|c| c == column).unwrap();
        for (row, value) in [(1, "1e308"), (2, "-1e308")] {
            let mut cells: Vec<&str> = lines[row].split(',').collect();
            cells[col] = value;
            lines[row] = cells.join(",");
        }
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    }
    let out = cutover_bounded(dir.path(), &["plot", "o"]);
    assert_success(&out);
}

#[test]
fn plot_reads_only_regular_files() {
    let dir = temp_dir();
    let scenario = write_file(dir.path(), "small.toml", SMALL_SCENARIO);
    let run = ["run", &scenario, "--reps", "1", "--out", "o", "--quiet"];
    assert_success(&cutover_bounded(
        dir.path(),
        &[&run[..], &["--no-charts"]].concat(),
    ));
    // A link to an endless device in a CSV file's place: refused, not read for ever.
    let hourly = dir.path().join("o/hourly.csv");
    std::fs::remove_file(&hourly).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &hourly).unwrap();
    let out = cutover_bounded(dir.path(), &["plot", "o"]);
    assert_bad_input(&out, &["hourly.csv", "not a regular file"]);
    // The same for the manifest.
    std::fs::remove_file(&hourly).unwrap();
    let manifest = dir.path().join("o/manifest.json");
    std::fs::remove_file(&manifest).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &manifest).unwrap();
    let out = cutover_bounded(dir.path(), &["plot", "o"]);
    assert_bad_input(&out, &["manifest.json", "not a regular file"]);
}

/// Replaces `path` with a named pipe that nobody writes: opening it to read waits for a writer.
fn plant_fifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

/// A named pipe in the place of a file cutover reads (an old manifest, a shard's grid.json, a
/// CSV file plot draws) is refused or passed over, never opened: opening one waits for a writer,
/// and `run`, `merge` and `plot` each hung there for ever.
#[test]
fn a_named_pipe_in_a_files_place_is_never_waited_on() {
    let dir = temp_dir();
    let d = dir.path();
    // An old manifest.json that is a pipe: the folder is cutover's, the pipe replaced.
    std::fs::create_dir(d.join("o")).unwrap();
    plant_fifo(&d.join("o/manifest.json"));
    assert_success(&cutover_bounded(d, &quick_run("o", &[])));
    assert!(d.join("o/manifest.json").is_file());
    // plot of a folder whose CSV file is a pipe.
    plant_fifo(&d.join("o/hourly.csv"));
    let out = cutover_bounded(d, &["plot", "o"]);
    assert_bad_input(&out, &["hourly.csv", "not a regular file"]);
    // merge of a shard whose grid.json is a pipe.
    let grid = format!("{SMALL_SCENARIO}\n[sweep]\n\"operators.weekend\" = [1, 2]\n");
    let grid = write_file(d, "grid.toml", &grid);
    for k in ["1", "2"] {
        let shard = format!("{k}/2");
        let args = ["sweep", &grid, "--reps", "1", "--no-charts", "-q"];
        let out = format!("s{k}");
        let args = [&args[..], &["--shard", &shard, "--out", &out]].concat();
        assert_success(&cutover_bounded(d, &args));
    }
    plant_fifo(&d.join("s1/grid.json"));
    let out = cutover_bounded(d, &["merge", "s1", "s2", "--out", "m", "-q"]);
    assert_bad_input(&out, &["s1/grid.json", "not a regular file"]);
}

/// A sweep's cell file replaced by a named pipe or by a link (even to a good cell file of the
/// same sweep) is refused at once, naming the file, by `sweep --resume` and by `merge`: cutover
/// never writes either there, and the file is checked as it is opened, not before.
#[test]
fn a_pipe_or_link_in_a_cell_files_place_is_refused_at_once() {
    let dir = temp_dir();
    let d = dir.path();
    let grid = format!("{SMALL_SCENARIO}\n[sweep]\n\"operators.weekend\" = [1, 2]\n");
    let grid = write_file(d, "grid.toml", &grid);
    let sweep = ["sweep", &grid, "--reps", "1", "--no-charts", "-q"];
    for k in ["1", "2"] {
        let shard = format!("{k}/2");
        let out = format!("s{k}");
        let args = [&sweep[..], &["--shard", &shard, "--out", &out]].concat();
        assert_success(&cutover_bounded(d, &args));
    }
    let cell = d.join("s2/cells/cell-0001.csv");
    let good = d.join("good.csv");
    std::fs::rename(&cell, &good).unwrap();
    let resume = [&sweep[..], &["--shard", "2/2", "--resume", "--out", "s2"]].concat();
    let merge = ["merge", "s1", "s2", "--out", "m", "-q"];
    plant_fifo(&cell);
    for args in [&resume[..], &merge[..]] {
        let out = cutover_bounded(d, args);
        assert_bad_input(&out, &["s2/cells/cell-0001.csv", "not a regular file"]);
    }
    std::fs::remove_file(&cell).unwrap();
    std::os::unix::fs::symlink(&good, &cell).unwrap();
    for args in [&resume[..], &merge[..]] {
        let out = cutover_bounded(d, args);
        assert_bad_input(&out, &["s2/cells/cell-0001.csv", "not a regular file"]);
    }
    // The good file itself, back in place, is taken.
    std::fs::remove_file(&cell).unwrap();
    std::fs::rename(&good, &cell).unwrap();
    assert_success(&cutover_bounded(d, &merge));
}

/// Text a chart draws (a policy's name in comparison.csv, a phase's name in the manifest) is laid
/// out glyph by glyph: a damaged folder holding one of 200,000 characters made `plot` take
/// seconds and hundreds of MB per label. A cell or a name longer than any cutover writes is
/// refused, naming the file and where it is.
#[test]
fn plot_refuses_text_longer_than_any_cutover_writes() {
    let dir = temp_dir();
    let compare = [
        "compare",
        "small-pilot",
        "--policies",
        "fifo,smallest-first",
        "--reps",
        "2",
        "--no-charts",
        "--out",
        "c",
        "-q",
    ];
    assert_success(&cutover_bounded(dir.path(), &compare));
    let path = dir.path().join("c/comparison.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("smallest-first", &"S".repeat(200_000))).unwrap();
    let out = cutover_bounded(dir.path(), &["plot", "c"]);
    assert_bad_input(
        &out,
        &[
            "comparison.csv",
            "column 1",
            "200000 bytes, more than the 10000",
        ],
    );
    let run = ["run", "small-pilot", "--reps", "1", "--out", "r", "-q"];
    assert_success(&cutover_bounded(dir.path(), &run));
    let path = dir.path().join("r/manifest.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    json["phases"][1]["name"] = "W".repeat(200_000).into();
    std::fs::write(&path, json.to_string()).unwrap();
    let out = cutover_bounded(dir.path(), &["plot", "r"]);
    assert_bad_input(&out, &["manifest.json", "a name of 200000 bytes"]);

    // A manifest past the size any of cutover's has is refused as too large, not cut short and
    // then reported as malformed.
    json["phases"][1]["name"] = "Pre-sync".into();
    json["padding"] = "x".repeat(17 << 20).into();
    std::fs::write(&path, json.to_string()).unwrap();
    let out = cutover_bounded(dir.path(), &["plot", "r"]);
    assert_bad_input(&out, &["manifest.json", "larger than 16 MiB"]);
}

/// A run of small-pilot of 2 replications into `dir/o`, its folder.
fn small_run(dir: &Path) -> std::path::PathBuf {
    let run = ["run", "small-pilot", "--reps", "2", "--out", "o", "-q"];
    assert_success(&cutover_bounded(dir, &run));
    dir.join("o")
}

/// Every file under `folder`, with its bytes.
fn contents(folder: &Path) -> Vec<(Vec<u8>, std::path::PathBuf)> {
    crate::common::files_under(folder)
        .into_iter()
        .map(|p| folder.join(p))
        .map(|p| (std::fs::read(&p).unwrap(), p))
        .collect()
}

/// A file of many short cells is held in memory several times its size: a 944 MB
/// replications.csv of one-digit cells made `plot` use 14 GB. A file that would not fit the
/// memory there is (or `CUTOVER_MEMORY_LIMIT`) is refused once what is read of it shows so,
/// naming the file and the memory, and the folder keeps its charts and report.
#[test]
fn plot_refuses_a_file_larger_than_the_memory_would_hold() {
    let dir = temp_dir();
    let folder = small_run(dir.path());
    let before = contents(&folder);
    let path = dir.path().join("o/replications.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let header = text.lines().next().unwrap();
    let row = vec!["1"; header.split(',').count()].join(",") + "\n";
    // 8 MB of one-digit cells: 4 million cells, about 80 MB held with what a chart takes.
    let body = row.repeat((8 << 20) / row.len());
    std::fs::write(&path, format!("{header}\n{body}")).unwrap();
    let written = std::fs::read(&path).unwrap();
    let out = cutover_with_limit(dir.path(), "32M", &["plot", "o"]);
    assert_bad_input(
        &out,
        &[
            "replications.csv",
            "holding it needs about",
            "CUTOVER_MEMORY_LIMIT allows 33.6 MB",
        ],
    );
    for (bytes, p) in before {
        let now = std::fs::read(&p).unwrap();
        if p == path {
            assert_eq!(now, written, "the damaged file itself is left as it was");
        } else {
            assert_eq!(now, bytes, "{} changed", p.display());
        }
    }
    // With the memory to hold it, the same folder is drawn.
    assert_success(&cutover_with_limit(dir.path(), "1G", &["plot", "o"]));
}

/// An inventory is held at some 30 times its size when its lines are short: a 100 MB file of
/// 11.8 million two-cell lines made `validate` use 3.1 GB before it was refused for listing more
/// than 10 million tenants, and the 1 GiB an inventory may have would have taken over 30 GB.
/// One that would not fit the memory there is (or `CUTOVER_MEMORY_LIMIT`) is refused as soon
/// as the tenants read show so, naming the file and the memory, before the output folder is made.
#[test]
fn an_inventory_larger_than_the_memory_would_hold_is_refused() {
    let dir = temp_dir();
    let mut csv = String::from("tenant,seats\n");
    for i in 0..200_000 {
        csv.push_str(&format!("t{i},1\n"));
    }
    write_file(dir.path(), "inv.csv", &csv);
    let s = write_file(
        dir.path(),
        "s.toml",
        "name = \"i\"\n[population]\ninventory = \"inv.csv\"\n",
    );
    let out = cutover_with_limit(dir.path(), "16M", &["run", &s, "--out", "o"]);
    assert_bad_input(
        &out,
        &[
            "holding the inventory needs about",
            "of its 1888903 bytes) show; CUTOVER_MEMORY_LIMIT allows 16.8 MB",
            "inv.csv:",
        ],
    );
    assert!(!dir.path().join("o").exists(), "the output folder was made");
    // With the memory to hold it, the same inventory is read.
    let out = cutover_with_limit(dir.path(), "1G", &["validate", &s]);
    assert_success(&out);
}

/// A cell file is held whole and each of its values again as a number: a 99 MB cell of rows of
/// zeros made `merge` use 550 MB, and a shard's grid.json sets how large a cell may be (4 KB a
/// replication). A cell that would not fit the memory there is (or `CUTOVER_MEMORY_LIMIT`) is
/// refused as soon as what is read of it shows so, naming it, before the merged folder is made.
#[test]
fn merge_refuses_a_cell_larger_than_the_memory_would_hold() {
    let dir = temp_dir();
    let grid = format!("{SMALL_SCENARIO}\n[sweep]\n\"operators.weekend\" = [1, 2]\n");
    let g = write_file(dir.path(), "g.toml", &grid);
    for k in 1..=2 {
        let shard = format!("{k}/2");
        let out = format!("s{k}");
        let args = [
            "sweep", &g, "--reps", "2", "--shard", &shard, "--out", &out, "-q",
        ];
        assert_success(&cutover_bounded(dir.path(), &args));
    }
    // Both shards made to hold 30,000 replications a cell, of zeros: 3 MB a cell file.
    let reps = 30_000;
    for (k, cell) in [(1, 0), (2, 1)] {
        let shard = dir.path().join(format!("s{k}"));
        let json = std::fs::read_to_string(shard.join("grid.json")).unwrap();
        let json = json.replace(
            "\"replications\": 2,",
            &format!("\"replications\": {reps},"),
        );
        std::fs::write(shard.join("grid.json"), json).unwrap();
        let path = shard.join(format!("cells/cell-{cell:04}.csv"));
        let text = std::fs::read_to_string(&path).unwrap();
        let header = text.lines().next().unwrap();
        let first: Vec<&str> = text.lines().nth(1).unwrap().split(',').collect();
        let zeros = vec!["0"; first.len() - 4].join(",");
        let mut body = format!("{header}\n");
        for r in 0..reps {
            body += &format!("{},{},{r},{},{zeros}\n", first[0], first[1], first[3]);
        }
        std::fs::write(&path, body).unwrap();
    }
    let merge = ["merge", "s1", "s2", "--out", "m", "--no-charts", "-q"];
    let out = cutover_with_limit(dir.path(), "8M", &merge);
    assert_bad_input(
        &out,
        &[
            "cannot read cell file s1/cells/cell-0000.csv: holding it needs about",
            "replications (",
            "CUTOVER_MEMORY_LIMIT allows 8.4 MB",
        ],
    );
    assert!(!dir.path().join("m").exists(), "the merged folder was made");
    // With the memory to hold them, the same shards are merged.
    assert_success(&cutover_with_limit(dir.path(), "1G", &merge));
    assert!(dir.path().join("m/summary.csv").is_file());
}

/// A JSON file of cutover's is read whole and parsed into values of up to 40 bytes a byte of its
/// text: a 16 MB manifest.json listing 4 million one-letter files made `plot` use 613 MB. One whose
/// values would not fit the memory there is (or `CUTOVER_MEMORY_LIMIT`) is refused, naming it and
/// the memory, and the folder keeps its files.
#[test]
fn plot_refuses_a_manifest_larger_than_the_memory_would_hold() {
    let dir = temp_dir();
    let folder = small_run(dir.path());
    let path = folder.join("manifest.json");
    let text = std::fs::read_to_string(&path).unwrap();
    // 1 MB of one-digit numbers: some 40 MB parsed.
    let numbers = vec!["0"; 1 << 19].join(",");
    let bloated = format!(
        "{{\"x\": [{numbers}],{}",
        text.trim_start().strip_prefix('{').unwrap()
    );
    std::fs::write(&path, &bloated).unwrap();
    let before = contents(&folder);
    let out = cutover_with_limit(dir.path(), "32M", &["plot", "o"]);
    assert_bad_input(
        &out,
        &[
            "manifest.json: reading it needs about",
            "parsed as JSON, up to 40 bytes for each of its",
            "CUTOVER_MEMORY_LIMIT allows 33.6 MB",
        ],
    );
    for (bytes, p) in before {
        assert_eq!(std::fs::read(&p).unwrap(), bytes, "{} changed", p.display());
    }
    // With the memory to hold it, the same folder is drawn.
    assert_success(&cutover_with_limit(dir.path(), "1G", &["plot", "o"]));
}

/// The worker threads are `--threads` or one per core, never `RAYON_NUM_THREADS`, which rayon
/// reads unchecked: 100000 there started a hundred thousand threads for a run of two
/// replications, past `--threads`' limit of 1,024, and stalled the machine.
#[test]
fn rayon_num_threads_in_the_environment_chooses_no_threads() {
    let dir = temp_dir();
    let cores = std::thread::available_parallelism().unwrap().get() as u64;
    let threads = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "small-pilot",
            "--reps",
            "2",
            "--detail",
            "none",
            "-q",
        ];
        args.extend(["--out", "o"]);
        args.extend(extra);
        let out = Command::new(env!("CARGO_BIN_EXE_cutover"))
            .args(&args)
            .current_dir(dir.path())
            .env("RAYON_NUM_THREADS", "999")
            .output()
            .expect("the cutover binary starts");
        assert_success(&out);
        let manifest = std::fs::read_to_string(dir.path().join("o/manifest.json")).unwrap();
        let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
        manifest["threads"].as_u64().unwrap()
    };
    assert_eq!(threads(&[]), cores, "one per core");
    assert_eq!(threads(&["--threads", "1"]), 1);
}
