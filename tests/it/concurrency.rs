//! Concurrency and interruptions: one command at a time writes an output folder (an exclusive
//! lock, refused at once or awaited with --wait-lock), and a folder's manifest.json says whether
//! it holds one complete run: a rerun that fails (a full disk, exit 1) or is killed leaves no
//! manifest beside its new files.

use std::fs::File;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{
    SMALL_SCENARIO, assert_bad_input, assert_success, cutover, temp_dir, write_file,
};

fn manifest(dir: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(dir.join("manifest.json")).ok()?;
    Some(serde_json::from_str(&text).expect("manifest.json is whole JSON"))
}

const RUN: [&str; 5] = ["run", "small-pilot", "--reps", "2", "-q"];

#[test]
fn a_folder_in_use_is_refused_at_once_naming_it() {
    let dir = temp_dir();
    let out = dir.path().join("busy");
    std::fs::create_dir(&out).unwrap();
    let held = File::open(&out).unwrap();
    held.try_lock().expect("nobody else holds it");
    let grid = format!("{SMALL_SCENARIO}\n[sweep]\n\"operators.weekend\" = [1, 2]\n");
    let grid = write_file(dir.path(), "grid.toml", &grid);
    let commands: [Vec<&str>; 4] = [
        RUN.to_vec(),
        vec![
            "compare",
            "small-pilot",
            "--policies",
            "fifo,random",
            "--reps",
            "1",
            "-q",
        ],
        vec!["sweep", &grid, "--reps", "1", "-q"],
        vec!["plot", "busy"],
    ];
    for mut args in commands {
        if args[0] != "plot" {
            args.extend(["--out", "busy"]);
        }
        let out = cutover(dir.path(), &args);
        assert_bad_input(&out, &["busy is in use", "--wait-lock"]);
    }
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn with_wait_lock_a_second_command_waits_for_the_first() {
    let dir = temp_dir();
    let out = dir.path().join("shared");
    std::fs::create_dir(&out).unwrap();
    let held = File::open(&out).unwrap();
    held.try_lock().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(RUN)
        .args(["--no-charts", "--out", "shared", "--wait-lock"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Long enough for a run of two replications of the pilot to finish if it did not wait.
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        manifest(&out).is_none(),
        "it wrote while the folder was locked"
    );
    drop(held);
    let done = child.wait_with_output().unwrap();
    assert_success(&done);
    assert!(String::from_utf8_lossy(&done.stderr).contains("waiting for"));
    assert_eq!(manifest(&out).unwrap()["complete"], Value::Bool(true));
}

#[test]
fn two_runs_at_once_never_both_write_the_folder() {
    let dir = temp_dir();
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_cutover"))
            .args(RUN)
            .args(["--no-charts", "--out", "same"])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let codes: Vec<Output> = [a, b].map(|c| c.wait_with_output().unwrap()).into();
    let ok = codes.iter().filter(|o| o.status.success()).count();
    let refused = codes
        .iter()
        .filter(|o| {
            o.status.code() == Some(2) && String::from_utf8_lossy(&o.stderr).contains("is in use")
        })
        .count();
    // Either one ran after the other finished, or one was refused while the other ran.
    assert!(ok >= 1 && ok + refused == 2, "{codes:?}");
}

/// Runs `cutover` under a file size limit of `blocks` 512-byte blocks (as a full disk does,
/// writes fail part way); the signal such a write raises is ignored, so the write fails with an
/// error instead.
fn cutover_with_little_space(cwd: &Path, blocks: u32, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -f {blocks}; trap '' XFSZ; exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_cutover"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

#[test]
fn a_rerun_that_runs_out_of_space_exits_1_and_leaves_no_manifest() {
    let dir = temp_dir();
    let out = dir.path().join("out");
    assert_success(&cutover(
        dir.path(),
        &[&RUN[..], &["--no-charts", "--out", "out"]].concat(),
    ));
    assert_eq!(manifest(&out).unwrap()["complete"], Value::Bool(true));
    let full = cutover_with_little_space(
        dir.path(),
        4,
        &[&RUN[..], &["--no-charts", "--out", "out", "--seed", "9"]].concat(),
    );
    let stderr = String::from_utf8_lossy(&full.stderr);
    assert_eq!(full.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("cannot write") && stderr.contains("no manifest.json in the folder says"),
        "{stderr}"
    );
    assert!(
        manifest(&out).is_none(),
        "the old manifest is still beside the new run's files"
    );
}

/// A run whose data files fit but whose report does not has written its manifest saying
/// `complete: false` (the charts read it): the message says so, rather than that the folder was
/// left without a manifest.
#[test]
fn running_out_of_space_at_the_report_says_what_the_manifest_says() {
    let dir = temp_dir();
    // 160 KB: every data file of one small-pilot replication, not its report.
    let full = cutover_with_little_space(
        dir.path(),
        320,
        &["run", "small-pilot", "--reps", "1", "-q", "--out", "out"],
    );
    let stderr = String::from_utf8_lossy(&full.stderr);
    assert_eq!(full.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write"), "{stderr}");
    let manifest = manifest(&dir.path().join("out")).expect("the manifest the charts read");
    assert_eq!(manifest["complete"], Value::Bool(false));
    assert!(!stderr.contains("without manifest.json"), "{stderr}");
    assert!(
        stderr.contains("the results are written, each file whole, and listed in manifest.json")
            && stderr.contains("run `cutover plot out` to draw them"),
        "{stderr}"
    );
}

#[test]
fn a_killed_rerun_leaves_no_manifest_beside_new_files() {
    let dir = temp_dir();
    let out = dir.path().join("out");
    assert_success(&cutover(
        dir.path(),
        &[&RUN[..], &["--out", "out"]].concat(),
    ));
    let first = manifest(&out).unwrap();
    assert_eq!(first["complete"], Value::Bool(true));
    let charts = first["files"].as_array().unwrap();
    assert!(
        charts
            .iter()
            .any(|f| f.as_str().unwrap().starts_with("charts/"))
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(RUN)
        .args(["--out", "out", "--seed", "9"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed as soon as the new run has replaced its first file.
    let old = std::fs::metadata(out.join("replications.csv"))
        .unwrap()
        .modified()
        .unwrap();
    let started = Instant::now();
    loop {
        let now = std::fs::metadata(out.join("replications.csv")).and_then(|m| m.modified());
        if now.is_ok_and(|t| t != old) || child.try_wait().unwrap().is_some() {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60));
        std::thread::sleep(Duration::from_micros(200));
    }
    let _ = child.kill();
    let status = child.wait().unwrap();
    // Either killed before it finished, and then no manifest vouches for the folder, or it
    // finished first, and then the manifest is its own and complete.
    if let Some(m) = manifest(&out) {
        assert!(status.success());
        assert_eq!(m["complete"], Value::Bool(true));
        assert_eq!(m["seed"], Value::from(9));
    }
}
