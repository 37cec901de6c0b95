//! Output safety: a folder that cannot be written is bad input (exit code 2, naming the path);
//! every file is written under a temporary name in its folder and renamed, so a finished run
//! leaves no temporary file and a killed one never leaves a truncated file under a final name.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{
    SMALL_SCENARIO, assert_bad_input, assert_success, cutover, files_under, quick_run, temp_dir,
    wait_at_most, write_file,
};

/// A temporary file of `output::write_atomic` (`.NAME.tmp-PID`) or of a sweep's assembly, or a
/// file in the staging folder of charts (`.charts.RANDOM.tmp/`).
fn is_temporary(path: &Path) -> bool {
    path.components()
        .any(|c| c.as_os_str().to_string_lossy().contains(".tmp"))
}

fn assert_unwritable(out: &Output, path: &str) {
    assert_bad_input(out, &["cannot write", path]);
}

#[test]
fn an_output_folder_that_cannot_be_created_is_bad_input_naming_it() {
    let dir = temp_dir();
    std::fs::write(
        dir.path().join("blocker"),
        "a file where a folder should be",
    )
    .unwrap();
    let grid = format!("{SMALL_SCENARIO}\n[sweep]\n\"operators.weekend\" = [1, 2]\n");
    let grid = write_file(dir.path(), "grid.toml", &grid);
    for out in ["blocker", "blocker/out"] {
        let commands: [Vec<&str>; 3] = [
            quick_run(out, &[]),
            vec![
                "compare",
                "small-pilot",
                "--policies",
                "fifo,random",
                "--reps",
                "1",
                "--out",
                out,
                "-q",
            ],
            vec!["sweep", &grid, "--reps", "1", "--out", out, "-q"],
        ];
        for args in commands {
            assert_unwritable(&cutover(dir.path(), &args), out);
        }
    }
    // Nothing was simulated into a folder that could not hold the results.
    assert_eq!(
        files_under(dir.path()),
        [PathBuf::from("blocker"), PathBuf::from("grid.toml")]
    );
}

#[test]
fn a_final_name_taken_by_a_folder_fails_naming_it_and_leaves_no_temporary_file() {
    let dir = temp_dir();
    let taken = dir.path().join("out/replications.csv");
    std::fs::create_dir_all(taken.join("inside")).unwrap();
    let out = cutover(dir.path(), &quick_run("out", &[]));
    assert_unwritable(&out, "replications.csv");
    let left: Vec<PathBuf> = files_under(&dir.path().join("out"))
        .into_iter()
        .filter(|p| is_temporary(p))
        .collect();
    assert!(left.is_empty(), "temporary files left behind: {left:?}");
}

/// A run killed (SIGKILL, no chance to clean up) while it writes its files leaves, under each
/// final name, either nothing or the complete file: byte for byte what an uninterrupted run
/// writes (the manifest, which records timings, is checked to be complete JSON instead).
#[test]
fn a_run_killed_while_writing_leaves_only_complete_files() {
    let dir = temp_dir();
    // Charts included: they are the slowest files to write, so the kills land among the writes.
    let args = ["run", "small-pilot", "--reps", "2", "--seed", "5", "-q"];
    assert_success(&cutover(
        dir.path(),
        &[&args[..], &["--out", "whole"]].concat(),
    ));
    let whole = dir.path().join("whole");
    let expected = files_under(&whole);
    assert!(
        expected.iter().any(|p| p.starts_with("charts")),
        "no charts: {expected:?}"
    );
    let temporaries: Vec<&PathBuf> = expected.iter().filter(|p| is_temporary(p)).collect();
    assert!(
        temporaries.is_empty(),
        "a finished run left {temporaries:?}"
    );

    let mut caught_writing = 0;
    for (attempt, delay_ms) in [0u64, 1, 3, 10, 30, 100].into_iter().enumerate() {
        let name = format!("killed-{attempt}");
        let out = dir.path().join(&name);
        let mut child = Command::new(env!("CARGO_BIN_EXE_cutover"))
            .args(args)
            .args(["--out", &name])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the cutover binary starts");
        // The folder is created before the simulation; files appear in it only when it writes.
        let started = Instant::now();
        while files_under(&out).is_empty() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "no file after a minute"
            );
            if child.try_wait().expect("the run can be polled").is_some() {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().expect("the run is reaped");

        let found = files_under(&out);
        let finals: Vec<&PathBuf> = found.iter().filter(|p| !is_temporary(p)).collect();
        if finals.len() < expected.len() {
            caught_writing += 1;
        }
        for file in finals {
            let got = std::fs::read(out.join(file)).unwrap();
            if file == Path::new("manifest.json") {
                let json: serde_json::Value = serde_json::from_slice(&got)
                    .unwrap_or_else(|e| panic!("{name}: manifest.json is not whole JSON: {e}"));
                assert!(
                    json.get("files").is_some(),
                    "{name}: manifest.json lacks `files`"
                );
                continue;
            }
            assert!(
                expected.contains(file),
                "{name}: unexpected file {}",
                file.display()
            );
            let want = std::fs::read(whole.join(file)).unwrap();
            assert!(
                got == want,
                "{name}: {} is {} bytes, not the {} of a finished run",
                file.display(),
                got.len(),
                want.len()
            );
        }
    }
    assert!(
        caught_writing > 0,
        "every run had written all its files before it was killed: make the output bigger"
    );
}

/// The temporary files a killed run left behind are removed by the next run into the folder: it
/// holds the folder's lock, so no other command can be writing them.
#[test]
fn a_later_run_sweeps_away_what_a_killed_one_left() {
    let dir = temp_dir();
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("charts")).unwrap();
    let left = [
        out.join(".replications.csv.tmp-4999999"),
        out.join(".summary.csv.Xy12Ab.tmp"),
        out.join("charts/.phases.png.Qw34Er.tmp"),
    ];
    for file in &left {
        std::fs::write(file, "half a fi").unwrap();
    }
    let args = ["run", "small-pilot", "--reps", "1", "-q", "--no-charts"];
    assert_success(&cutover(
        dir.path(),
        &[&args[..], &["--out", "out"]].concat(),
    ));
    for file in &left {
        assert!(!file.exists(), "{} is left", file.display());
    }
}

/// The data files of a command stopped before its manifest (listed nowhere) are removed by the
/// next command into the folder, so they are never mixed with its own: a comparison's left in a
/// run's folder would make its report, which holds each data file to the manifest's kind,
/// refuse the folder after all the simulating.
#[test]
fn a_later_run_removes_the_data_files_a_stopped_command_left_unlisted() {
    let dir = temp_dir();
    let compare = [&SMALL_COMPARE[..], &["--out", "out", "-q", "--no-charts"]].concat();
    assert_success(&cutover(dir.path(), &compare));
    let out = dir.path().join("out");
    std::fs::remove_file(out.join("manifest.json")).unwrap();
    let args = ["run", "small-pilot", "--reps", "1", "-q", "--out", "out"];
    assert_success(&cutover(dir.path(), &args));
    for stale in ["comparison.csv", "tradeoffs.csv"] {
        assert!(!out.join(stale).exists(), "{stale} is left");
    }
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("run report"), "not a run's report");
}

/// A quick `compare` of two policies.
const SMALL_COMPARE: [&str; 6] = [
    "compare",
    "small-pilot",
    "--policies",
    "fifo,smallest-first",
    "--reps",
    "2",
];

/// `--out` naming a folder of someone else's files (a home folder, a project, `/`) is refused
/// before anything is simulated or written, naming some of the files; a folder of cutover's own
/// (even one a killed run left without its manifest) and an empty one are written as before.
#[test]
fn a_folder_of_other_files_is_refused_and_left_as_it_was() {
    let dir = temp_dir();
    let out = dir.path().join("project");
    std::fs::create_dir_all(out.join("src")).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    std::fs::write(out.join("zz.txt"), "mine").unwrap();
    std::fs::write(out.join(".gitignore"), "target").unwrap();
    let args = ["run", "small-pilot", "--reps", "1", "-q", "--no-charts"];
    for command in [&args[..], &[&SMALL_COMPARE[..], &["-q"]].concat()] {
        let run = cutover(dir.path(), &[command, &["--out", "project"]].concat());
        assert_bad_input(
            &run,
            &[
                "project holds files cutover did not write (.gitignore, notes.txt, src and 1 more): cutover writes only into an empty folder or one of its own",
            ],
        );
        let mut left: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [".gitignore", "notes.txt", "src", "zz.txt"],
            "the folder was touched"
        );
    }
    // A folder whose only files of cutover's names are the user's own (a summary of theirs, a
    // charts folder and a report of theirs) is someone else's too: a run would overwrite them.
    let mine = dir.path().join("mine");
    std::fs::create_dir_all(mine.join("charts")).unwrap();
    std::fs::write(mine.join("charts").join("q3.png"), "png").unwrap();
    std::fs::write(mine.join("summary.csv"), "quarter,revenue\nq3,12\n").unwrap();
    std::fs::write(mine.join("report.html"), "<p>mine</p>").unwrap();
    std::fs::write(mine.join("manifest.json"), r#"{"name": "my-app"}"#).unwrap();
    let run = cutover(dir.path(), &[&args[..], &["--out", "mine"]].concat());
    assert_bad_input(
        &run,
        &["mine holds files cutover did not write (charts, manifest.json, report.html and 1 more)"],
    );
    assert_eq!(
        std::fs::read_to_string(mine.join("summary.csv")).unwrap(),
        "quarter,revenue\nq3,12\n"
    );
    assert!(mine.join("charts").join("q3.png").is_file());
    // What a run killed before its manifest leaves is cutover's (its first file written is a
    // data file): a later run takes the folder.
    let killed = dir.path().join("killed");
    std::fs::create_dir(&killed).unwrap();
    std::fs::write(
        killed.join("replications.csv"),
        "replication,seed,tenants\n",
    )
    .unwrap();
    assert_success(&cutover(
        dir.path(),
        &[&args[..], &["--out", "killed"]].concat(),
    ));
    assert!(killed.join("manifest.json").is_file());
    // And the user's own files kept in a folder of cutover's are left alone, as before, hidden
    // ones named like temporaries (which were removed as a killed command's) included.
    let own = [
        "my-notes.txt",
        ".my-notes.tmp",
        ".session.tmp-12",
        "notes/.draft.tmp",
        ".charts.backup.tmp/thesis.txt",
    ];
    for f in own {
        let path = killed.join(f);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "kept").unwrap();
    }
    assert_success(&cutover(
        dir.path(),
        &[&args[..], &["--out", "killed"]].concat(),
    ));
    for f in own {
        assert_eq!(std::fs::read_to_string(killed.join(f)).unwrap(), "kept");
    }
    // A folder holding only such a file is someone else's, as one holding .gitignore is.
    let hidden = dir.path().join("hidden");
    std::fs::create_dir(&hidden).unwrap();
    std::fs::write(hidden.join(".secret.tmp"), "mine").unwrap();
    assert_bad_input(
        &cutover(dir.path(), &[&args[..], &["--out", "hidden"]].concat()),
        &["hidden holds files cutover did not write (.secret.tmp)"],
    );
    assert_eq!(
        std::fs::read_to_string(hidden.join(".secret.tmp")).unwrap(),
        "mine"
    );
}

/// Every entry cutover puts at the top of a folder is one of `files::OWN_NAMES`, so a folder it
/// wrote is always recognised as its own by the next command.
#[test]
fn every_top_level_entry_written_is_an_own_name() {
    let dir = temp_dir();
    let grid = format!("{SMALL_SCENARIO}\n[sweep]\n\"operators.weekend\" = [1, 2]\n");
    let grid = write_file(dir.path(), "grid.toml", &grid);
    let commands = [
        vec!["run", "small-pilot", "--reps", "2", "-q", "--out", "run"],
        [&SMALL_COMPARE[..], &["-q", "--out", "compare"]].concat(),
        vec![
            "sweep",
            &grid,
            "--reps",
            "1",
            "--no-charts",
            "-q",
            "--out",
            "sweep",
        ],
        vec![
            "seek",
            "small-pilot",
            "--vary",
            "helpdesk.weekday=1..2",
            "--require",
            "mean(slips) <= 3",
            "-q",
            "--out",
            "seek",
        ],
    ];
    for args in commands {
        assert_success(&cutover(dir.path(), &args));
        let folder = dir.path().join(args[args.len() - 1]);
        for entry in std::fs::read_dir(&folder).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            assert!(
                cutover::files::OWN_NAMES.contains(&name.as_str()),
                "`{}` writes {name}, which files::OWN_NAMES does not list",
                args[0]
            );
            // Each data file starts with a column that tells the next command the folder is
            // cutover's, even without its manifest (a run killed before writing it).
            if name.ends_with(".json") {
                let text = std::fs::read_to_string(folder.join(&name)).unwrap();
                assert!(
                    text.starts_with("{\n  \"version\": \""),
                    "`{}` writes {name} not opening with its version",
                    args[0]
                );
            }
            if name.ends_with(".csv") {
                let text = std::fs::read_to_string(folder.join(&name)).unwrap();
                let first = text.split([',', '\n']).next().unwrap();
                assert!(
                    cutover::files::FIRST_COLUMNS.contains(&first),
                    "`{}` writes {name} starting with `{first}`, not in files::FIRST_COLUMNS",
                    args[0]
                );
            }
        }
    }
}

/// Temporary files are created under unpredictable names that no planted link can stand in for:
/// links planted under every name an earlier scheme predicted (`.NAME.tmp-PID`) are not followed.
#[test]
fn a_link_planted_at_a_temporary_name_is_never_written_through() {
    let dir = temp_dir();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(["run", "small-pilot", "--reps", "8", "--no-charts", "-q"])
        .args(["--out", "out"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The run simulates before it writes: the links are in place before its first file.
    let pid = child.id();
    for name in [
        "replications.csv",
        "summary.csv",
        "tenants.csv",
        "manifest.json",
    ] {
        let link = out.join(format!(".{name}.tmp-{pid}"));
        std::os::unix::fs::symlink(&victim, link).unwrap();
    }
    assert!(child.wait().unwrap().success());
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(out.join("replications.csv").is_file());
}

/// A `charts` (or a sweep's `cells`) that is a link would send files outside the output folder:
/// it is refused, and nothing is written through it. It is refused before anything is simulated
/// (it was refused once the results were written, hours later for a large run).
#[test]
fn a_linked_charts_or_cells_folder_is_refused_not_followed() {
    let dir = temp_dir();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::create_dir_all(dir.path().join("run")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.path().join("run/charts")).unwrap();
    let out = cutover(
        dir.path(),
        &["run", "small-pilot", "--reps", "1", "--out", "run", "-q"],
    );
    assert_bad_input(&out, &["charts is a link"]);
    for simulated in ["replications.csv", "manifest.json"] {
        assert!(
            !dir.path().join("run").join(simulated).exists(),
            "{simulated}"
        );
    }
    std::fs::create_dir_all(dir.path().join("grid")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.path().join("grid/cells")).unwrap();
    let grid = format!("{SMALL_SCENARIO}\n[sweep]\n\"operators.weekend\" = [1, 2]\n");
    let grid = write_file(dir.path(), "grid.toml", &grid);
    let out = cutover(
        dir.path(),
        &["sweep", &grid, "--reps", "1", "--out", "grid", "-q"],
    );
    assert_bad_input(&out, &["cells is a link"]);
    assert_eq!(files_under(&elsewhere), Vec::<PathBuf>::new());
}

/// An output folder whose path leaves no room for the names written inside it is refused before
/// anything is simulated: the write probe fitted, but a chart's temporary file did not, so the
/// run failed after simulating ("File name too long") and left a folder with `complete: false`.
#[test]
fn an_output_path_too_long_for_the_files_inside_is_refused_before_simulating() {
    let dir = temp_dir();
    let part = "d".repeat(199);
    let long = format!("{}/{}", vec![part.as_str(); 20].join("/"), "e".repeat(59));
    assert_eq!(long.len(), 4059);
    let out = cutover(
        dir.path(),
        &["run", "small-pilot", "--reps", "1", "--out", &long, "-q"],
    );
    assert_bad_input(&out, &["is a path of 4059 bytes", "at most 3584 bytes"]);
    assert_eq!(files_under(dir.path()), Vec::<PathBuf>::new());
    // At the most it allows, the run and its charts are written whole.
    let fits = &long[..3584];
    let out = cutover(
        dir.path(),
        &["run", "small-pilot", "--reps", "1", "--out", fits, "-q"],
    );
    assert_success(&out);
    let manifest = std::fs::read_to_string(dir.path().join(fits).join("manifest.json")).unwrap();
    assert!(manifest.contains("\"complete\": true"), "{manifest}");
}

/// A folder where no file can be created is found before the simulation, not after it: this one
/// would take hours to simulate.
#[test]
fn an_output_folder_where_nothing_can_be_created_is_refused_before_simulating() {
    // `/proc` exists and cannot hold files, even for root (which ignores permission bits).
    let out = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args([
            "run",
            "small-pilot",
            "--reps",
            "20000",
            "--out",
            "/proc",
            "-q",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let out = wait_at_most(out, Duration::from_secs(60));
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "it simulated first"
    );
    assert_bad_input(&out, &["cannot write /proc"]);
}

/// A scenario's name becomes a folder under `output/`: a name that is a path (`..`, `.`, a
/// separator) or hidden would put the run somewhere else.
#[test]
fn a_scenario_name_that_is_not_one_plain_folder_name_is_refused() {
    let dir = temp_dir();
    let s = write_file(dir.path(), "s.toml", SMALL_SCENARIO);
    for name in ["..", ".", "a/b", ".hidden", "a\\\\b", ""] {
        let set = format!("name=\"{name}\"");
        let out = cutover(dir.path(), &["run", &s, "--set", &set, "--reps", "1", "-q"]);
        assert_bad_input(
            &out,
            &["cannot be used as a folder name", "not starting with '.'"],
        );
    }
    assert_eq!(files_under(dir.path()), [PathBuf::from("s.toml")]);
}

/// `cutover run | head -1`: standard output closed before the command prints. The command must
/// not panic (exit 101) and must still finish its folder.
#[test]
fn a_closed_standard_output_neither_panics_nor_cuts_the_folder_short() {
    let dir = temp_dir();
    let scenario = write_file(dir.path(), "small.toml", SMALL_SCENARIO);
    let mut child = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(["run", &scenario, "--reps", "2", "--no-charts", "--out", "o"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the cutover binary starts");
    // Closing the reading end at once makes every write to standard output fail (EPIPE).
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("o/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["complete"], true);
}

/// `plot` rebuilds the report of a folder someone else may have written to. A file planted in
/// `charts/` is not the command's drawing and is never inlined (the page promises no script), and
/// a manifest whose phase names hold control characters still gives well-formed SVG.
#[test]
fn plot_of_a_tampered_folder_inlines_only_its_own_charts_and_writes_well_formed_svg() {
    let dir = temp_dir();
    let s = write_file(dir.path(), "s.toml", SMALL_SCENARIO);
    assert_success(&cutover(
        dir.path(),
        &["run", &s, "--reps", "2", "--out", "o", "-q"],
    ));
    let o = dir.path().join("o");
    std::fs::write(
        o.join("charts/planted.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(2)</script></svg>",
    )
    .unwrap();
    let manifest = std::fs::read_to_string(o.join("manifest.json")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    json["phases"][1]["name"] = "Prep\u{7}\u{1b}[31m\u{0}\u{202e}gpj".into();
    std::fs::write(o.join("manifest.json"), json.to_string()).unwrap();
    assert_success(&cutover(dir.path(), &["plot", "o", "-q"]));
    let report = std::fs::read_to_string(o.join("report.html")).unwrap();
    assert!(!report.contains("alert("), "a planted chart was inlined");
    assert!(
        !o.join("charts/planted.svg").exists(),
        "a chart not drawn stays beside the new set"
    );
    assert!(
        report.contains("id=\"chart-phases\""),
        "the drawn charts are"
    );
    // Nor one that reorders the text around it, a direction override.
    let forbidden = |c: char| c < ' ' && !matches!(c, '\t' | '\n' | '\r') || c == '\u{202e}';
    assert!(
        !report.contains(forbidden),
        "a control character in report.html"
    );
    let phases = std::fs::read_to_string(o.join("charts/phases.svg")).unwrap();
    assert!(
        phases.contains("Prep\u{fffd}\u{fffd}[31m\u{fffd}\u{fffd}gpj"),
        "the name is drawn, marked"
    );
    for entry in std::fs::read_dir(o.join("charts")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "svg") && !path.ends_with("planted.svg") {
            let svg = std::fs::read_to_string(&path).unwrap();
            assert!(!svg.contains(forbidden), "{} is not XML", path.display());
        }
    }
}

/// A folder holding a sweep's cells (hours of work that `--resume` continues) is never mixed with
/// another command's files: a run into it is refused and the cells stay; a sweep started afresh
/// with a smaller grid leaves none of the old grid's cells beside its own.
#[test]
fn a_folder_of_cells_is_never_mixed_with_another_run() {
    let dir = temp_dir();
    let sweep = |grid: &str, extra: &[&str]| {
        let set = format!("sweep.operators.weekend={grid}");
        let mut args = vec![
            "sweep",
            "small-pilot",
            "--set",
            &set,
            "--reps",
            "1",
            "--no-charts",
            "--quiet",
            "--out",
            "out",
        ];
        args.extend(extra);
        assert_success(&cutover(dir.path(), &args));
    };
    let cells = || {
        let mut names: Vec<String> = std::fs::read_dir(dir.path().join("out/cells"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    sweep("[2, 8, 9]", &[]);
    assert_eq!(cells(), ["cell-0000.csv", "cell-0001.csv", "cell-0002.csv"]);

    let refused = cutover(dir.path(), &quick_run("out", &[]));
    assert_bad_input(&refused, &["out", "cells of a sweep", "--resume"]);
    assert_eq!(cells().len(), 3, "the refused run removed cells");
    assert!(dir.path().join("out/manifest.json").is_file());

    sweep("[2]", &[]);
    assert_eq!(cells(), ["cell-0000.csv"]);
    sweep("[2]", &["--resume"]);
    assert_eq!(cells(), ["cell-0000.csv"]);
}

/// Merging into one of the shard folders being merged is refused: it would mix that shard's cells
/// with the merged files of all of them.
#[test]
fn merge_into_one_of_its_shards_is_refused() {
    let dir = temp_dir();
    sweep_in_two_shards(dir.path(), &[]);
    let out = cutover(dir.path(), &["merge", "s1", "s2", "--out", "./s2/", "-q"]);
    assert_bad_input(&out, &["--out ./s2/", "shard folder s2", "another folder"]);
    assert!(!dir.path().join("s2/manifest.json").exists());
    // A shard named twice, or again through a link, is named as such: each of its cells was
    // said to be "in two folders", both the same.
    std::os::unix::fs::symlink("s1", dir.path().join("link")).unwrap();
    for twice in [["s1", "s1"], ["s1", "link"]] {
        let args = [&["merge"][..], &twice, &["s2", "--out", "all", "-q"]].concat();
        let out = cutover(dir.path(), &args);
        let same = format!("{} and {} are the same folder", twice[0], twice[1]);
        assert_bad_input(&out, &[&same, "name each shard once"]);
    }
    assert_success(&cutover(
        dir.path(),
        &["merge", "s1", "s2", "--out", "all", "-q"],
    ));
}

/// Merging into a folder within a shard (its `cells`, a folder not made yet, one reached through
/// a link or `..`), or into a folder holding the shards, is refused naming both paths, before
/// anything is written: the merged files would land among a shard's own, or a shard be removed
/// with the folder's old run.
#[test]
fn merge_into_a_folder_within_or_around_a_shard_is_refused() {
    let dir = temp_dir();
    let d = dir.path();
    std::fs::create_dir(d.join("runs")).unwrap();
    sweep_in_two_shards(&d.join("runs"), &[]);
    std::os::unix::fs::symlink("runs/s1", d.join("link")).unwrap();
    let before = files_under(&d.join("runs"));
    for out in [
        "runs/s1/cells/x",
        "runs/s1/cells",
        "runs/s1/new/deeper",
        "link/cells/y",
        "runs/s2/../s1/zé",
        "runs/s2/missing/../../s1/x",
    ] {
        let refused = cutover(d, &["merge", "runs/s1", "runs/s2", "--out", out, "-q"]);
        let inside = format!("--out {out} is inside the shard folder runs/s1 being merged");
        assert_bad_input(&refused, &[&inside, "outside every shard"]);
    }
    for out in ["runs", ".", "runs/./"] {
        let refused = cutover(d, &["merge", "runs/s1", "runs/s2", "--out", out, "-q"]);
        let holds = format!("--out {out} holds the shard folder runs/s1 being merged");
        assert_bad_input(&refused, &[&holds]);
    }
    assert_eq!(
        files_under(&d.join("runs")),
        before,
        "a shard was written into"
    );
    for made in ["runs/s1/new", "runs/s1/cells/x", "runs/s1/zé"] {
        assert!(!d.join(made).exists(), "{made} was made");
    }
    // Beside the shards, and in a folder named like one of them, merging is fine.
    for out in ["runs/all", "runs/s1-merged"] {
        let merged = cutover(d, &["merge", "runs/s1", "runs/s2", "--out", out, "-q"]);
        assert_success(&merged);
    }
    // So is merging into the folder whose `shards/K` they are, the layout of `sweep --slurm`;
    // but not a folder whose `shards` is itself a shard.
    std::fs::create_dir_all(d.join("slurm-out/shards")).unwrap();
    std::fs::rename(d.join("runs/s1"), d.join("slurm-out/shards/1")).unwrap();
    std::fs::rename(d.join("runs/s2"), d.join("slurm-out/shards/2")).unwrap();
    let (one, two) = ("slurm-out/shards/1", "slurm-out/shards/2");
    assert_success(&cutover(
        d,
        &["merge", one, two, "--out", "slurm-out", "-q"],
    ));
    assert!(d.join("slurm-out/replications.csv").is_file());
    std::fs::rename(d.join(two), d.join("two")).unwrap();
    std::fs::remove_dir_all(d.join("slurm-out/shards")).unwrap();
    std::fs::rename(d.join("two"), d.join("slurm-out/shards")).unwrap();
    let refused = cutover(
        d,
        &["merge", "slurm-out/shards", "--out", "slurm-out", "-q"],
    );
    assert_bad_input(&refused, &["holds the shard folder slurm-out/shards"]);
}

/// A shard whose `cells`, `grid.json` or `manifest.json` is a link is refused before `--out` is
/// touched: cutover never writes them as links, and a `cells` linked to another folder had that
/// folder's cells merged as the shard's.
#[test]
fn merge_refuses_a_shard_whose_own_files_are_links() {
    let dir = temp_dir();
    let d = dir.path();
    sweep_in_two_shards(d, &[]);
    let merge = ["merge", "s1", "s2", "--out", "all", "-q"];
    let moved = d.join("moved");
    std::fs::create_dir(&moved).unwrap();
    for name in ["cells", "grid.json"] {
        std::fs::rename(d.join("s2").join(name), moved.join(name)).unwrap();
        std::os::unix::fs::symlink(moved.join(name), d.join("s2").join(name)).unwrap();
        let out = cutover(d, &merge);
        let named = format!("s2/{name} is a link");
        assert_bad_input(&out, &[&named, "merge the folder it points to"]);
        assert!(!d.join("all").exists(), "{name}: --out was touched");
        std::fs::remove_file(d.join("s2").join(name)).unwrap();
        std::fs::rename(moved.join(name), d.join("s2").join(name)).unwrap();
    }
    std::os::unix::fs::symlink(d.join("s2/grid.json"), d.join("s1/manifest.json")).unwrap();
    assert_bad_input(&cutover(d, &merge), &["s1/manifest.json is a link"]);
    std::fs::remove_file(d.join("s1/manifest.json")).unwrap();
    // A `cells` that is a file is not a folder of cells.
    std::fs::rename(d.join("s2/cells"), moved.join("cells")).unwrap();
    std::fs::write(d.join("s2/cells"), "").unwrap();
    assert_bad_input(&cutover(d, &merge), &["s2/cells is not a folder"]);
    assert!(!d.join("all").exists());
    std::fs::remove_file(d.join("s2/cells")).unwrap();
    std::fs::rename(moved.join("cells"), d.join("s2/cells")).unwrap();
    // A shard that is a file, or is not there, is named as such (a file was 'cannot read
    // s2/grid.json: Not a directory').
    std::fs::write(d.join("file"), "").unwrap();
    for (shard, why) in [
        ("file", "file is not a folder"),
        ("none", "none does not exist"),
    ] {
        let out = cutover(d, &["merge", "s1", shard, "--out", "all", "-q"]);
        assert_bad_input(&out, &[why]);
    }
    assert!(!d.join("all").exists());
    assert_success(&cutover(d, &merge));
}

/// The files of an output folder that cutover reads back (a data file a chart reads, the
/// manifest, a sweep's grid.json) are never read through a link: cutover never writes one there,
/// and `plot` drew another folder's summary.csv as this one's, and `--resume` resumed against
/// another folder's grid.json.
#[test]
fn a_folder_file_that_is_a_link_is_refused_not_read() {
    let dir = temp_dir();
    let d = dir.path();
    assert_success(&cutover(
        d,
        &["run", "small-pilot", "--reps", "1", "--out", "r", "-q"],
    ));
    let before = tree(&d.join("r"));
    for name in ["timeseries.csv", "manifest.json"] {
        std::fs::rename(d.join("r").join(name), d.join(name)).unwrap();
        std::os::unix::fs::symlink(d.join(name), d.join("r").join(name)).unwrap();
        let out = cutover(d, &["plot", "r", "-q"]);
        let named = format!("r/{name}: a link");
        assert_bad_input(&out, &[&named, "not followed"]);
        std::fs::remove_file(d.join("r").join(name)).unwrap();
        std::fs::rename(d.join(name), d.join("r").join(name)).unwrap();
        assert_eq!(tree(&d.join("r")), before, "{name}: the folder changed");
    }
    sweep_in_two_shards(d, &[]);
    std::fs::rename(d.join("s1/grid.json"), d.join("grid.json")).unwrap();
    std::os::unix::fs::symlink(d.join("grid.json"), d.join("s1/grid.json")).unwrap();
    let resumed = sweep_in_two_shards(d, &["--resume"]);
    assert_bad_input(&resumed[0], &["s1/grid.json: a link", "not followed"]);
    assert!(
        std::fs::symlink_metadata(d.join("s1/grid.json"))
            .unwrap()
            .is_symlink()
    );
}

/// Sweeps small-pilot over two weekend staffing levels in two shards, into `s1` and `s2`, with
/// `extra` arguments.
fn sweep_in_two_shards(dir: &Path, extra: &[&str]) -> Vec<Output> {
    ["1/2", "2/2"]
        .iter()
        .map(|shard| {
            let out = format!("s{}", &shard[..1]);
            let mut args = vec![
                "sweep",
                "small-pilot",
                "--set",
                "sweep.operators.weekend=[2, 8]",
                "--reps",
                "1",
                "--no-charts",
                "--quiet",
                "--shard",
                shard,
                "--out",
                &out,
            ];
            args.extend(extra);
            let output = cutover(dir, &args);
            if extra.is_empty() {
                assert_success(&output);
            }
            output
        })
        .collect()
}

/// Cells written by another version of cutover are never merged or resumed: their replications
/// may differ, and the sweep's manifest would name one version for both.
#[test]
fn cells_of_another_version_are_neither_merged_nor_resumed() {
    let dir = temp_dir();
    sweep_in_two_shards(dir.path(), &[]);
    let grid = dir.path().join("s1/grid.json");
    let text = std::fs::read_to_string(&grid).unwrap();
    let version = format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION"));
    assert!(text.contains(&version), "{text}");
    std::fs::write(&grid, text.replace(&version, "\"version\": \"0.0.1\"")).unwrap();
    let out = cutover(dir.path(), &["merge", "s1", "s2", "--out", "all", "-q"]);
    assert_bad_input(&out, &["s1 holds cells written by cutover 0.0.1"]);
    assert!(!dir.path().join("all/manifest.json").exists());
    let resumed = sweep_in_two_shards(dir.path(), &["--resume"]);
    assert_bad_input(&resumed[0], &["s1 holds cells written by cutover 0.0.1"]);
    assert_success(&resumed[1]);
}

/// A folder name holding an escape sequence, which every message and the report would name, is
/// refused, shown escaped, never handed raw to the terminal.
#[test]
fn a_folder_name_with_control_characters_is_refused_before_anything_is_written() {
    let dir = temp_dir();
    let name = "o\u{1b}[2J\u{1b}]0;title\u{7}";
    let out = cutover(
        dir.path(),
        &[
            "run",
            "small-pilot",
            "--reps",
            "1",
            "--no-charts",
            "--out",
            name,
        ],
    );
    let stderr = assert_bad_input(&out, &["'o\\u{1b}[2J", "does not show as itself"]);
    assert!(
        !stderr.contains(['\u{1b}', '\u{7}']),
        "a raw control character reached the terminal: {stderr:?}"
    );
    assert!(!dir.path().join(name).exists());
}

/// Everything under `dir`, links included and never followed: each entry's path relative to
/// `dir` with its kind and content (a file's bytes, a link's target), sorted.
fn tree(dir: &Path) -> Vec<(PathBuf, String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
            let path = entry.path();
            let relative = path.strip_prefix(root).unwrap().to_path_buf();
            let kind = entry.file_type().unwrap();
            if kind.is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                let target = target.to_string_lossy().as_bytes().to_vec();
                out.push((relative, "link".into(), target));
            } else if kind.is_dir() {
                out.push((relative, "folder".into(), Vec::new()));
                walk(root, &path, out);
            } else {
                out.push((relative, "file".into(), std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// A run's folder `cwd/o` whose charts are an older set than the files would give: each chart
/// replaced by other bytes, the report too, and a chart the files do not give (`gone`), listed
/// in the manifest as the command that drew it would have.
fn folder_with_an_old_chart_set(cwd: &Path) -> PathBuf {
    let s = write_file(cwd, "s.toml", SMALL_SCENARIO);
    assert_success(&cutover(
        cwd,
        &["run", &s, "--reps", "2", "--out", "o", "-q"],
    ));
    let o = cwd.join("o");
    for entry in std::fs::read_dir(o.join("charts")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::write(&path, format!("old {}", path.display())).unwrap();
    }
    std::fs::write(o.join("charts/gone.svg"), "<svg>old</svg>").unwrap();
    std::fs::write(o.join("charts/gone.png"), "old").unwrap();
    std::fs::write(o.join("report.html"), "<p>the old report</p>").unwrap();
    let manifest = std::fs::read_to_string(o.join("manifest.json")).unwrap();
    let listed = manifest.replacen(
        "    \"report.html\"\n",
        "    \"charts/gone.png\",\n    \"charts/gone.svg\",\n    \"report.html\"\n",
        1,
    );
    assert_ne!(listed, manifest);
    std::fs::write(o.join("manifest.json"), listed).unwrap();
    o
}

/// `o`'s manifest.json as `plot` leaves it once its new set is in place: as it was (`before`),
/// but for the old set's chart that the files do not give, listed no more.
fn manifest_once_redrawn(before: &[(PathBuf, String, Vec<u8>)]) -> Vec<u8> {
    let (_, _, manifest) = before
        .iter()
        .find(|(p, ..)| p == Path::new("manifest.json"))
        .expect("a manifest");
    String::from_utf8_lossy(manifest)
        .replacen(
            "    \"charts/gone.png\",\n    \"charts/gone.svg\",\n",
            "",
            1,
        )
        .into_bytes()
}

/// `plot` is whole or nothing: a data file that cannot be read, found after some charts are
/// drawn (hourly.csv is read for the fourth), leaves every file of the folder as it was, byte for
/// byte, with no staging folder or temporary file; the charts drawn before the failure are never
/// seen beside the old ones.
#[test]
fn a_plot_that_fails_partway_leaves_the_folder_as_it_was() {
    let dir = temp_dir();
    let o = folder_with_an_old_chart_set(dir.path());
    let hourly = std::fs::read_to_string(o.join("hourly.csv")).unwrap();
    let mut lines: Vec<&str> = hourly.lines().collect();
    let mut cells: Vec<&str> = lines[2].split(',').collect();
    cells[1] = "not a number";
    let damaged = cells.join(",");
    lines[2] = &damaged;
    std::fs::write(o.join("hourly.csv"), lines.join("\n")).unwrap();
    let before = tree(&o);
    let out = cutover(dir.path(), &["plot", "o"]);
    assert_bad_input(&out, &["hourly.csv", "not a number"]);
    assert_eq!(tree(&o), before, "a failed plot changed the folder");
}

/// A plot that succeeds replaces the whole set: the charts the files give, with none of the old
/// set's beside them (`gone`), a new report, the manifest listing them (and nothing else of it
/// changed), every data file untouched, and no staging folder or temporary file left.
#[test]
fn a_plot_that_succeeds_replaces_the_whole_set_and_leaves_no_staging() {
    let dir = temp_dir();
    let o = folder_with_an_old_chart_set(dir.path());
    let before = tree(&o);
    assert_success(&cutover(dir.path(), &["plot", "o", "-q"]));
    let after = tree(&o);
    let hidden: Vec<_> = after
        .iter()
        .filter(|(p, ..)| {
            p.components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
        })
        .collect();
    assert!(hidden.is_empty(), "left behind: {hidden:?}");
    assert!(!o.join("charts/gone.svg").exists() && !o.join("charts/gone.png").exists());
    assert!(o.join("charts/phases.svg").exists());
    let report = std::fs::read_to_string(o.join("report.html")).unwrap();
    assert!(report.contains("id=\"chart-phases\""), "a new report");
    let untouched = |t: &[(PathBuf, String, Vec<u8>)]| -> Vec<(PathBuf, String, Vec<u8>)> {
        t.iter()
            .filter(|(p, ..)| {
                !p.starts_with("charts")
                    && !p.ends_with("report.html")
                    && !p.ends_with("manifest.json")
            })
            .cloned()
            .collect()
    };
    assert_eq!(untouched(&after), untouched(&before), "data changed");
    assert_eq!(
        String::from_utf8_lossy(&std::fs::read(o.join("manifest.json")).unwrap()),
        String::from_utf8_lossy(&manifest_once_redrawn(&before)),
    );
}

/// Ctrl-C during `plot` stops it before anything is replaced (the old set stays whole, exit
/// 130), or, if it came as the new set was being put in place, after: never between.
#[test]
fn ctrl_c_during_plot_leaves_the_old_set_or_the_new_one_whole() {
    let dir = temp_dir();
    let o = folder_with_an_old_chart_set(dir.path());
    let before = tree(&o);
    let mut child = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(["plot", "o"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The staging folder is made once the handler is installed: drawing has begun.
    let started = Instant::now();
    let staging = || {
        std::fs::read_dir(&o).unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".charts.")
        })
    };
    while !staging() {
        let ended = child.try_wait().unwrap();
        assert!(
            ended.is_none() && started.elapsed() < Duration::from_secs(300),
            "plot made no staging folder: {ended:?}"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = wait_at_most(child, Duration::from_secs(300));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("SIGINT received: stopping before anything in o is replaced"),
        "{stderr}"
    );
    let after = tree(&o);
    if stderr.contains("o is as it was") {
        assert_eq!(after, before, "the old set is not whole");
    } else {
        assert!(stderr.contains("o holds all of them"), "{stderr}");
        assert!(!o.join("charts/gone.svg").exists() && o.join("charts/phases.svg").exists());
        assert_eq!(
            std::fs::read(o.join("manifest.json")).unwrap(),
            manifest_once_redrawn(&before),
            "the new set is in place, and the manifest does not list it"
        );
    }
    assert!(
        !after
            .iter()
            .any(|(p, ..)| p.to_string_lossy().contains(".tmp")),
        "{after:?}"
    );
}

/// What is in the way of an output folder is named: a link to nothing (the system said only
/// "File exists"), a file named with a trailing `/`, a file among the folder's parents; an
/// empty path is refused as one.
#[test]
fn what_stands_in_the_way_of_an_output_folder_is_named() {
    let dir = temp_dir();
    let d = dir.path();
    std::os::unix::fs::symlink(d.join("missing"), d.join("dangling")).unwrap();
    write_file(d, "plain", "a file");
    for (out, needles) in [
        (
            "dangling",
            &[
                "cannot write dangling: dangling is a link to",
                "which does not exist",
            ][..],
        ),
        (
            "dangling/sub",
            &[
                "cannot write dangling/sub: dangling is a link to",
                "which does not exist",
            ],
        ),
        (
            "plain/",
            &["cannot write plain/: it is a file, not a folder"],
        ),
        (
            "plain/a/b",
            &["cannot write plain/a/b: plain is a file, not a folder"],
        ),
        ("", &["--out", "an empty path names no file or folder"]),
    ] {
        let stderr = assert_bad_input(&cutover(d, &quick_run(out, &[])), needles);
        assert!(!stderr.contains("os error"), "{stderr}");
    }
    assert!(!d.join("missing").exists(), "the link was followed");
}

/// `--wait-lock` says on stderr that it waits for the folder's lock; with stderr gone (a closed
/// terminal) the line is lost, and the command still waits and then does its work.
#[test]
fn waiting_for_a_lock_with_stderr_gone_still_waits_and_runs() {
    let dir = temp_dir();
    let folder = dir.path().join("o");
    std::fs::create_dir(&folder).unwrap();
    let held = std::fs::File::open(&folder).unwrap();
    held.lock().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args([
            "run",
            "small-pilot",
            "--reps",
            "2",
            "--out",
            "o",
            "--wait-lock",
            "-q",
        ])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reading end closed: every write to stderr fails.
    drop(child.stderr.take());
    // Long enough to reach the lock and say it waits (loading the scenario takes milliseconds).
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the command stopped while the lock was held: {:?}",
        child.try_wait()
    );
    held.unlock().unwrap();
    let out = wait_at_most(child, Duration::from_secs(120));
    assert_eq!(out.status.code(), Some(0), "{:?}", out.status);
    assert!(folder.join("manifest.json").is_file());
}
