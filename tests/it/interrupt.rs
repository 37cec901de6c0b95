//! Ctrl-C: a command that simulates stops between replications, says what its output folder
//! holds and exits 130, and the folder is whole: no temporary file, no manifest, none of the
//! previous run's files; a sweep keeps only its finished cells.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{assert_success, cutover, files_under, temp_dir, wait_at_most};

/// Writes a complete run into `cwd/out`, starts `args` (a command too long to finish: hours of
/// replications) into the same folder, sends it SIGINT once it has removed the old run (which it
/// does after installing its handler), and returns what it printed and how it ended.
fn interrupted(cwd: &Path, args: &[&str]) -> Output {
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
    // Generous: the machine may be loaded; nothing is timed, this only bounds a hang.
    let started = Instant::now();
    while manifest.exists() {
        if child.try_wait().unwrap().is_some() || started.elapsed() > Duration::from_secs(300) {
            let out = wait_at_most(child, Duration::ZERO);
            panic!(
                "{args:?} ended or hung before removing the old run: {:?}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    wait_at_most(child, Duration::from_secs(600))
}

/// Asserts exit code 130 and a message on stderr containing `note`.
fn assert_interrupted(out: &Output, note: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{:?}\n{stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("interrupted (Ctrl-C)") && stderr.contains(note),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "one line:\n{stderr}");
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
        let out = interrupted(dir.path(), args);
        assert_interrupted(&out, "before any result was written");
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
    );
    assert_interrupted(&out, "run again with --resume");
    for file in files_under(&dir.path().join("out")) {
        let name = file.to_string_lossy();
        assert!(
            name == "grid.json" || (name.starts_with("cells/cell-") && name.ends_with(".csv")),
            "{name} left in an interrupted sweep"
        );
    }
}
