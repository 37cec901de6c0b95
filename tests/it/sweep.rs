//! `cutover sweep` and `cutover merge`: grids, determinism across threads, resume after a kill,
//! and shards merged into the files of a single run.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{
    SMALL_SCENARIO, SUMMARY_COLUMNS, assert_bad_input, assert_success, cutover, read_csv,
    sweep_whole_and_in_two_shards, temp_dir, write_file,
};

/// SMALL_SCENARIO with a grid of `sweep` lines appended.
fn with_sweep(sweep: &str) -> String {
    format!("{SMALL_SCENARIO}\n[sweep]\n{sweep}")
}

/// 3 x 2 cells: `operators.weekend` and `operators.weekday` zipped, crossed with `max_tenants`.
const GRID: &str = r#""operators.weekend" = [1, 3]
"batching.max_tenants" = [20, 40, 60]
"operators.weekday" = [1, 2]
zip = [["operators.weekend", "operators.weekday"]]
"#;

/// A grid set from the command line, for a bundled scenario.
const GRID_SET: &str = "sweep.operators.weekend=[1, 3]";

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn assert_same_results(a: &Path, b: &Path) {
    for file in ["replications.csv", "summary.csv"] {
        assert!(
            bytes(&a.join(file)) == bytes(&b.join(file)),
            "{file} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn grid_is_the_product_with_zipped_keys_in_lockstep() {
    let dir = temp_dir();
    let scenario = write_file(dir.path(), "grid.toml", &with_sweep(GRID));
    let out = cutover(
        dir.path(),
        &["sweep", &scenario, "--reps", "2", "--out", "s", "-q"],
    );
    assert_success(&out);
    let reps = read_csv(&dir.path().join("s/replications.csv"));
    assert_eq!(
        &reps.headers[..5],
        [
            "cell",
            "operators.weekend",
            "batching.max_tenants",
            "operators.weekday",
            "replication"
        ]
    );
    assert_eq!(reps.rows.len(), 6 * 2, "3 x 2 cells x 2 replications");
    let weekend = reps.column("operators.weekend");
    let weekday = reps.column("operators.weekday");
    let cells: Vec<(&str, &str, &str)> = reps
        .rows
        .iter()
        .step_by(2)
        .map(|r| (r[1].as_str(), r[2].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(
        cells,
        [
            ("1", "20", "1"),
            ("1", "40", "1"),
            ("1", "60", "1"),
            ("3", "20", "2"),
            ("3", "40", "2"),
            ("3", "60", "2"),
        ]
    );
    assert!(
        weekend
            .iter()
            .zip(&weekday)
            .all(|(e, d)| (*e, *d) == ("1", "1") || (*e, *d) == ("3", "2"))
    );
    let summary = read_csv(&dir.path().join("s/summary.csv"));
    for c in std::iter::once(&"cell").chain(SUMMARY_COLUMNS) {
        summary.index(c);
    }
    let manifest = String::from_utf8(bytes(&dir.path().join("s/manifest.json"))).unwrap();
    assert!(manifest.contains("\"batching.max_tenants\""), "{manifest}");
}

#[test]
fn unequal_zip_lists_are_an_error() {
    let dir = temp_dir();
    let grid = GRID.replace(
        "\"operators.weekday\" = [1, 2]",
        "\"operators.weekday\" = [1, 2, 3]",
    );
    let scenario = write_file(dir.path(), "bad.toml", &with_sweep(&grid));
    let out = cutover(dir.path(), &["sweep", &scenario, "--out", "s"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("equal length"), "{err}");
}

#[test]
fn a_bad_swept_key_is_named_with_a_hint_before_anything_runs() {
    let dir = temp_dir();
    let scenario = write_file(
        dir.path(),
        "bad.toml",
        &with_sweep("\"operators.weekday\" = [1]\n\"operators.weekendd\" = [2, 4]\n"),
    );
    let out = cutover(dir.path(), &["sweep", &scenario, "--out", "s"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("operators.weekendd"), "{err}");
    assert!(err.contains("did you mean `weekend`"), "{err}");
    assert!(!dir.path().join("s/cells/cell-0000.csv").exists());

    let scenario = write_file(
        dir.path(),
        "bad-value.toml",
        &with_sweep("\"operators.weekend\" = [2, -1]\n"),
    );
    let out = cutover(dir.path(), &["sweep", &scenario, "--out", "s"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cell 1") && err.contains("operators.weekend"),
        "{err}"
    );
    assert!(!dir.path().join("s/cells/cell-0000.csv").exists());

    // A --set of a key the grid varies would never be used, though the manifest and report
    // listed it among the overrides in force: refused, whether the grid is the file's or a
    // --set's.
    let grid = write_file(dir.path(), "grid.toml", &with_sweep(GRID));
    for (scenario, set_grid) in [(grid.as_str(), None), ("small-pilot", Some(GRID_SET))] {
        let mut args = vec![
            "sweep",
            scenario,
            "--out",
            "s",
            "--set",
            "operators.weekend = 7",
        ];
        args.extend(set_grid.iter().flat_map(|g| ["--set", *g]));
        assert_bad_input(
            &cutover(dir.path(), &args),
            &[
                "--set `operators.weekend = 7` sets `operators.weekend`, which the [sweep] grid varies",
            ],
        );
    }
    assert!(!dir.path().join("s").exists());
}

#[test]
fn thread_count_never_changes_a_byte() {
    let dir = temp_dir();
    let scenario = write_file(dir.path(), "grid.toml", &with_sweep(GRID));
    for (threads, out) in [("1", "t1"), ("2", "t2")] {
        let run = cutover(
            dir.path(),
            &[
                "sweep",
                &scenario,
                "--reps",
                "2",
                "--threads",
                threads,
                "--out",
                out,
                "-q",
            ],
        );
        assert_success(&run);
    }
    assert_same_results(&dir.path().join("t1"), &dir.path().join("t2"));
}

#[test]
fn resume_after_kill_gives_the_same_files() {
    let dir = temp_dir();
    let grid =
        "\"batching.max_tenants\" = [20, 30, 40, 50, 60, 70]\n\"operators.weekend\" = [1, 3]\n";
    let scenario = write_file(dir.path(), "grid.toml", &with_sweep(grid));
    let args = ["sweep", &scenario, "--reps", "3", "--threads", "1", "-q"];
    let whole = cutover(dir.path(), &[&args[..], &["--out", "whole"]].concat());
    assert_success(&whole);

    let mut child = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(args)
        .args(["--out", "killed"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the cutover binary starts");
    let cells = dir.path().join("killed/cells");
    let started = Instant::now();
    let count = || {
        std::fs::read_dir(&cells)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.file_name().to_string_lossy().starts_with("cell-"))
                    .count()
            })
            .unwrap_or(0)
    };
    while count() == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no cell file after a minute"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("the sweep can be killed");
    child.wait().expect("the sweep is reaped");
    let done = count();
    assert!(
        done < 12,
        "the sweep finished before it was killed; make it bigger"
    );
    assert!(!dir.path().join("killed/replications.csv").exists());

    let resumed = cutover(
        dir.path(),
        &[&args[..], &["--out", "killed", "--resume"]].concat(),
    );
    assert_success(&resumed);
    assert_same_results(&dir.path().join("whole"), &dir.path().join("killed"));
}

/// `--resume` into a folder of another sweep (another seed, here) is refused before anything in
/// it is removed: the finished sweep keeps every file, byte for byte.
#[test]
fn a_refused_resume_leaves_a_finished_sweep_as_it_was() {
    let dir = temp_dir();
    let file = write_file(dir.path(), "grid.toml", &with_sweep(GRID));
    let args = |seed: &'static str| {
        vec![
            "sweep".to_string(),
            file.clone(),
            "--seed".into(),
            seed.into(),
            "--out".into(),
            "o".into(),
            "-q".into(),
            "--no-charts".into(),
        ]
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        cutover(dir.path(), &args)
    };
    assert_success(&run(args("5")));
    let out = dir.path().join("o");
    let before: Vec<(std::path::PathBuf, Vec<u8>)> = crate::common::files_under(&out)
        .into_iter()
        .map(|f| (f.clone(), bytes(&out.join(&f))))
        .collect();
    let mut resume = args("6");
    resume.push("--resume".into());
    let refused = run(resume);
    assert_eq!(refused.status.code(), Some(2));
    let after: Vec<(std::path::PathBuf, Vec<u8>)> = crate::common::files_under(&out)
        .into_iter()
        .map(|f| (f.clone(), bytes(&out.join(&f))))
        .collect();
    assert!(before == after, "the refused resume changed the folder");
}

#[test]
fn merged_shards_equal_a_single_run() {
    let dir = temp_dir();
    let scenario = write_file(dir.path(), "grid.toml", &with_sweep(GRID));
    let base = ["sweep", &scenario, "--reps", "2", "-q"];
    sweep_whole_and_in_two_shards(dir.path(), &base);
    for out in ["shards/1", "shards/2"] {
        assert!(!dir.path().join(out).join("replications.csv").exists());
    }
    let missing = cutover(dir.path(), &["merge", "shards/1", "--out", "merged"]);
    assert_eq!(missing.status.code(), Some(2));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("cell 1") && err.contains("missing"), "{err}");

    let merged = cutover(
        dir.path(),
        &["merge", "shards/1", "shards/2", "--out", "merged", "-q"],
    );
    assert_success(&merged);
    assert_same_results(&dir.path().join("single"), &dir.path().join("merged"));

    let bad = cutover(dir.path(), &[&base[..], &["--shard", "3/2"]].concat());
    assert_eq!(bad.status.code(), Some(2));

    // A shard into the folder of the sweep run whole, or into another shard's, with or
    // without --resume, is refused and changes nothing: it removed the sweep's results (and,
    // not resumed, every other cell).
    let files_of = |out: &str| -> Vec<(std::path::PathBuf, Vec<u8>)> {
        let out = dir.path().join(out);
        crate::common::files_under(&out)
            .into_iter()
            .map(|f| (f.clone(), bytes(&out.join(&f))))
            .collect()
    };
    for (out, shard, whose) in [
        ("single", "2/2", "single holds the cells of the whole sweep"),
        ("shards/1", "2/2", "shards/1 holds the cells of shard 1/2"),
    ] {
        let before = files_of(out);
        for resume in [&["--resume"][..], &[]] {
            let into = [&base[..], &["--shard", shard, "--out", out], resume].concat();
            assert_bad_input(
                &cutover(dir.path(), &into),
                &[&format!("--shard {shard}: {whose}")],
            );
            assert!(before == files_of(out), "{out} changed");
        }
    }
    // Its own folder again is no other shard's.
    let again = [
        &base[..],
        &["--shard", "1/2", "--out", "shards/1", "--resume"],
    ]
    .concat();
    assert_success(&cutover(dir.path(), &again));
}

#[test]
fn ctrl_c_stops_cleanly_and_resume_completes_the_same_files() {
    let dir = temp_dir();
    let grid =
        "\"batching.max_tenants\" = [20, 30, 40, 50, 60, 70]\n\"operators.weekend\" = [1, 3]\n";
    let scenario = write_file(dir.path(), "grid.toml", &with_sweep(grid));
    let args = ["sweep", &scenario, "--reps", "3", "--threads", "1", "-q"];
    assert_success(&cutover(
        dir.path(),
        &[&args[..], &["--out", "whole"]].concat(),
    ));

    let child = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(args)
        .args(["--out", "stopped"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the cutover binary starts");
    let cells = dir.path().join("stopped/cells");
    let started = Instant::now();
    while std::fs::read_dir(&cells).map_or(0, |d| d.count()) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no cell file after a minute"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let signal = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    assert!(signal.expect("kill runs").success());
    let out = child.wait_with_output().expect("the sweep is reaped");
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(0) {
        // The signal arrived after the last cell: nothing to check but completeness.
        assert_same_results(&dir.path().join("whole"), &dir.path().join("stopped"));
        return;
    }
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("--resume"), "{stderr}");
    assert!(!dir.path().join("stopped/replications.csv").exists());
    for folder in [dir.path().join("stopped"), cells.clone()] {
        for entry in std::fs::read_dir(&folder).unwrap().filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(
                !name.contains(".tmp-"),
                "a temporary file was left behind: {name}"
            );
        }
    }
    let resumed = cutover(
        dir.path(),
        &[&args[..], &["--out", "stopped", "--resume"]].concat(),
    );
    assert_success(&resumed);
    assert_same_results(&dir.path().join("whole"), &dir.path().join("stopped"));
}
