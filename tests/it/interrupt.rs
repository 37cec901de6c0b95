//! Ctrl-C: a command that simulates stops between replications, says what its output folder
//! holds and exits 130, and the folder is whole: no temporary file, no manifest, none of the
//! previous run's files; a sweep keeps only its finished cells.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::common::{assert_success, cutover, files_under, temp_dir, wait_at_most};

/// What the first Ctrl-C says at once while replications run.
const FINISHING: &str =
    "Ctrl-C: finishing the replications under way, then stopping (Ctrl-C again stops at once)";

/// Writes a complete run into `cwd/out`, starts `args` (a command too long to finish: hours of
/// replications) into the same folder, sends it SIGINT once it has removed the old run (which it
/// does after installing its handler) and written the file `ready` if given, and then, up to
/// `presses` in all, again each time it has said what it does with the last one; returns what
/// it printed and how it ended.
fn interrupted(cwd: &Path, args: &[&str], ready: Option<&str>, presses: usize) -> Output {
    assert_success(&cutover(
        cwd,
        &["run", "small-pilot", "--reps", "1", "--out", "out", "-q"],
    ));
    let manifest = cwd.join("out/manifest.json");
    assert!(manifest.exists());
    let mut child = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(args)
        .args(["--out", "out", "--threads", "1"])
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // stderr read as it comes, line by line, to send the next SIGINT once the last is answered.
    let (lines, said) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines.send(line.clone());
            all.push(line);
        }
        all
    });
    // Generous: the machine may be loaded; nothing is timed, this only bounds a hang.
    let limit = Duration::from_secs(300);
    let started = Instant::now();
    let ready = ready.map(|file| cwd.join("out").join(file));
    while manifest.exists() || ready.as_ref().is_some_and(|file| !file.exists()) {
        if child.try_wait().unwrap().is_some() || started.elapsed() > limit {
            let out = wait_at_most(child, Duration::ZERO);
            panic!(
                "{args:?} ended or hung before removing the old run or writing {ready:?}: {:?}\n{:?}",
                out.status,
                reader.join()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    for press in 1..=presses {
        let sent = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        if press < presses {
            let answer = said.recv_timeout(limit);
            assert_eq!(answer.as_deref(), Ok(FINISHING), "{args:?}");
        }
    }
    let mut out = wait_at_most(child, Duration::from_secs(600));
    out.stderr = reader.join().unwrap().join("\n").into_bytes();
    out
}

/// Asserts exit code 130 and stderr: what the first Ctrl-C says at once, then one line saying
/// the command was interrupted, `how`, naming the folder `out` and containing `note`.
fn assert_interrupted(out: &Output, how: &str, note: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{:?}\n{stderr}", out.status);
    let lines: Vec<&str> = stderr.lines().collect();
    let [said, last] = lines[..] else {
        panic!("two lines:\n{stderr}");
    };
    assert_eq!(said, FINISHING);
    assert!(
        last.starts_with(&format!("Error: interrupted ({how})"))
            && last.contains(note)
            && (last.contains(" out holds ") || last.contains(" in out are kept")),
        "{stderr}"
    );
}

#[test]
fn ctrl_c_stops_run_and_compare_leaving_no_results_and_no_old_files() {
    for args in [
        &["run", "bpos-2011", "--reps", "1000"][..],
        &[
            "compare",
            "bpos-2011",
            "--policies",
            "fifo,smallest-first",
            "--reps",
            "1000",
        ],
    ] {
        let dir = temp_dir();
        let out = interrupted(dir.path(), args, None, 1);
        assert_interrupted(&out, "Ctrl-C", "before any result was written");
        assert!(out.stdout.is_empty(), "{args:?} printed results");
        assert_eq!(
            files_under(&dir.path().join("out")),
            Vec::<PathBuf>::new(),
            "{args:?}"
        );
    }
}

#[test]
fn ctrl_c_stops_a_sweep_keeping_only_whole_cells_for_resume() {
    let dir = temp_dir();
    let out = interrupted(
        dir.path(),
        &[
            "sweep",
            "bpos-2011",
            "--set",
            "sweep.operators.weekend=[1, 2, 3]",
            "--reps",
            "1000",
            "-q",
        ],
        None,
        1,
    );
    // Said even with --quiet: it answers the key the user pressed.
    assert_interrupted(&out, "Ctrl-C", "run again with --resume");
    for file in files_under(&dir.path().join("out")) {
        let name = file.to_string_lossy();
        assert!(
            name == "grid.json" || (name.starts_with("cells/cell-") && name.ends_with(".csv")),
            "{name} left in an interrupted sweep"
        );
    }
}

/// A second Ctrl-C does not wait for the replication under way: the command exits at once, and
/// its folder holds what the message says, only whole files. The sweep's first cell (ten tenants)
/// is written before the first Ctrl-C, so the replication of the second (60,000 tenants, many
/// seconds) is under way when both come.
#[test]
fn a_second_ctrl_c_stops_at_once_keeping_only_whole_finished_cells() {
    let dir = temp_dir();
    let out = interrupted(
        dir.path(),
        &[
            "sweep",
            "bpos-2011",
            "--set",
            "sweep.population.tenants=[10, 60000]",
            "--reps",
            "2",
        ],
        Some("cells/cell-0000.csv"),
        2,
    );
    assert_interrupted(&out, "a second Ctrl-C, at once", "run again with --resume");
    assert!(out.stdout.is_empty());
    assert_eq!(
        files_under(&dir.path().join("out")),
        [
            PathBuf::from("cells/cell-0000.csv"),
            PathBuf::from("grid.json")
        ]
    );
}
