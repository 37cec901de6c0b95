//! Ctrl-C (SIGINT) and the termination signals (SIGTERM, SIGHUP), handled alike: a command that
//! simulates stops between replications, says which signal stopped it and what its output folder
//! holds, and exits 128 + the signal's number (130, 143, 129); the folder is whole: no temporary
//! file, no manifest, none of the previous run's files; a sweep keeps only its finished cells,
//! and `--resume` completes it as if it had never stopped.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::common::{assert_success, cutover, files_under, temp_dir, wait_at_most};

/// What the first signal (`INT` for Ctrl-C, `TERM`, `HUP`) says at once while replications run.
fn finishing(signal: &str) -> String {
    format!(
        "SIG{signal} received: finishing the replications under way, then stopping (a second signal stops at once)"
    )
}

/// The termination signals, as `kill` names them, and the exit code each gives: 128 + its number.
const TERMINATION: [(&str, i32); 2] = [("TERM", 143), ("HUP", 129)];

/// The complete run [`started`] writes into `cwd/out` first.
const OLD_RUN: &[&str] = &["run", "small-pilot", "--reps", "1", "--out", "out", "-q"];

/// Writes a complete run into `cwd/out`, starts `args` (a command too long to finish: hours of
/// replications) into the same folder, and returns it once it has removed the old run (which it
/// does after installing its handler) and written the file `ready` if given.
fn started(cwd: &Path, args: &[&str], ready: Option<&str>) -> Child {
    started_after(cwd, &[OLD_RUN], args, ready)
}

/// As [`started`], the old run written by the commands `old`.
fn started_after(cwd: &Path, old: &[&[&str]], args: &[&str], ready: Option<&str>) -> Child {
    for command in old {
        assert_success(&cutover(cwd, command));
    }
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
    let started = Instant::now();
    let ready = ready.map(|file| cwd.join("out").join(file));
    while manifest.exists() || ready.as_ref().is_some_and(|file| !file.exists()) {
        if child.try_wait().unwrap().is_some() || started.elapsed() > LIMIT {
            let out = wait_at_most(child, Duration::ZERO);
            panic!(
                "{args:?} ended or hung before removing the old run or writing {ready:?}: {:?}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child
}

/// Generous: the machine may be loaded; nothing is timed, this only bounds a hang.
const LIMIT: Duration = Duration::from_secs(300);

/// Sends `signal` (`INT` for Ctrl-C) to `child`.
fn send(signal: &str, child: &Child) {
    let sent = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// Starts `args` as [`started`] does, sends it the first of `signals` and then each of the
/// others once it has said what it does with the first; returns what it printed and how it
/// ended.
fn interrupted(cwd: &Path, args: &[&str], ready: Option<&str>, signals: &[&str]) -> Output {
    let mut child = started(cwd, args, ready);
    // stderr read as it comes, line by line, to send the next signal once the last is answered.
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
    for (press, signal) in signals.iter().enumerate() {
        send(signal, &child);
        if press == 0 && signals.len() > 1 {
            let answer = said.recv_timeout(LIMIT);
            assert_eq!(answer, Ok(finishing(signal)), "{args:?} {signals:?}");
        }
    }
    let mut out = wait_at_most(child, Duration::from_secs(600));
    out.stderr = reader.join().unwrap().join("\n").into_bytes();
    out
}

/// Asserts the exit `code` and stderr: what the `first` signal says at once, then one line
/// saying the command was interrupted `how`, naming the folder `out` and containing `note`.
fn assert_interrupted(out: &Output, code: i32, first: &str, how: &str, note: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{:?}\n{stderr}", out.status);
    let lines: Vec<&str> = stderr.lines().collect();
    let [said, last] = lines[..] else {
        panic!("two lines:\n{stderr}");
    };
    assert_eq!(said, finishing(first));
    assert!(
        last.starts_with(&format!("Error: interrupted {how}"))
            && last.contains(note)
            && [" out holds ", " in out are kept", " are in out "]
                .iter()
                .any(|named| last.contains(named)),
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
        let out = interrupted(dir.path(), args, None, &["INT"]);
        assert_interrupted(
            &out,
            130,
            "INT",
            "by SIGINT before any result was written",
            "no results are in ",
        );
        assert!(out.stdout.is_empty(), "{args:?} printed results");
        assert_eq!(
            files_under(&dir.path().join("out")),
            Vec::<PathBuf>::new(),
            "{args:?}"
        );
    }
}

/// The charts that `plot` drew into a folder written with `--no-charts` are the old run's as
/// much as its data files are: a run stopped into that folder leaves none of them (they were
/// left, listed nowhere, beside a folder said to hold no results).
#[test]
fn ctrl_c_stops_a_run_leaving_none_of_the_charts_plot_drew() {
    let dir = temp_dir();
    let no_charts = [OLD_RUN, &["--no-charts"]].concat();
    let plot: &[&str] = &["plot", "out", "-q"];
    let child = started_after(
        dir.path(),
        &[&no_charts, plot],
        &["run", "bpos-2011", "--reps", "1000"],
        None,
    );
    send("INT", &child);
    let out = wait_at_most(child, Duration::from_secs(600));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("by SIGINT before any result was written"),
        "{stderr}"
    );
    assert_eq!(
        files_under(&dir.path().join("out")),
        Vec::<PathBuf>::new(),
        "{stderr}"
    );
}

/// A sweep of `bpos-2011` over the swept values `grid` (`--set`), `reps` replications each.
fn sweep<'a>(grid: &'a str, reps: &'a str) -> [&'a str; 6] {
    ["sweep", "bpos-2011", "--set", grid, "--reps", reps]
}

#[test]
fn ctrl_c_stops_a_sweep_keeping_only_whole_cells_for_resume() {
    let dir = temp_dir();
    let args = [
        &sweep("sweep.operators.weekend=[1, 2, 3]", "1000")[..],
        &["-q"],
    ]
    .concat();
    let out = interrupted(dir.path(), &args, None, &["INT"]);
    // Said even with --quiet: it answers the key the user pressed.
    assert_interrupted(&out, 130, "INT", "by SIGINT;", "run again with --resume");
    for file in files_under(&dir.path().join("out")) {
        let name = file.to_string_lossy();
        assert!(
            name == "grid.json" || (name.starts_with("cells/cell-") && name.ends_with(".csv")),
            "{name} left in an interrupted sweep"
        );
    }
}

/// A second signal does not wait for the replication under way: the command exits at once, by
/// the second signal's code, and its folder holds what the message says, only whole files. The
/// sweep's first cell (ten tenants) is written before the first signal, so the replication of
/// the second (60,000 tenants, many seconds) is under way when both come. Ctrl-C pressed twice,
/// and a closed terminal after `kill`: the second signal is the one named and the exit code.
#[test]
fn a_second_signal_stops_at_once_keeping_only_whole_finished_cells() {
    for (signals, code, how) in [
        (["INT", "INT"], 130, "at once by a second signal (SIGINT);"),
        (["TERM", "HUP"], 129, "at once by a second signal (SIGHUP);"),
    ] {
        let dir = temp_dir();
        let out = interrupted(
            dir.path(),
            &sweep("sweep.population.tenants=[10, 60000]", "2"),
            Some("cells/cell-0000.csv"),
            &signals,
        );
        assert_interrupted(&out, code, signals[0], how, "run again with --resume");
        assert!(out.stdout.is_empty());
        assert_eq!(
            files_under(&dir.path().join("out")),
            [
                PathBuf::from("cells/cell-0000.csv"),
                PathBuf::from("grid.json")
            ],
            "{signals:?}"
        );
    }
}

/// With `--precision` the cells run their stages a few per thread at a time, each few to its
/// end: Ctrl-C keeps those finished, as without it. With one thread the first four cells (ten
/// tenants each) are written while the fifth (60,000 tenants, minutes of stages) is under way;
/// run as one stage of every cell, nothing would be written before the fifth's first stage.
#[test]
fn ctrl_c_stops_a_sweep_with_precision_keeping_the_cells_finished() {
    let dir = temp_dir();
    let args = [
        &sweep("sweep.population.tenants=[10, 11, 12, 13, 60000]", "1000")[..],
        &["--precision", "transitioned=0.000001", "-q"],
    ]
    .concat();
    let out = interrupted(dir.path(), &args, Some("cells/cell-0003.csv"), &["INT"]);
    assert_interrupted(&out, 130, "INT", "by SIGINT;", "run again with --resume");
    let cells: Vec<PathBuf> = (0..4)
        .map(|c| PathBuf::from(format!("cells/cell-{c:04}.csv")))
        .collect();
    let mut kept = files_under(&dir.path().join("out"));
    kept.retain(|f| f.starts_with("cells"));
    assert_eq!(kept, cells);
}

/// `kill PID` (SIGTERM) and a closed terminal (SIGHUP) stop `run` as Ctrl-C does: between
/// replications, saying so and naming the signal, exit 143 and 129, no results and nothing of
/// the old run left.
#[test]
fn sigterm_and_sighup_stop_run_leaving_no_results_and_no_old_files() {
    for (signal, code) in TERMINATION {
        let dir = temp_dir();
        let args = ["run", "bpos-2011", "--reps", "1000"];
        let out = interrupted(dir.path(), &args, None, &[signal]);
        assert_interrupted(
            &out,
            code,
            signal,
            &format!("by SIG{signal} before any result was written"),
            "no results are in ",
        );
        assert!(out.stdout.is_empty(), "{signal} printed results");
        assert_eq!(
            files_under(&dir.path().join("out")),
            Vec::<PathBuf>::new(),
            "{signal}"
        );
    }
}

/// A sweep stopped by SIGTERM (a Slurm time limit, `kill`) or SIGHUP keeps its finished cells,
/// says so naming the signal (the line a Slurm task's log holds), exits 143 or 129, and
/// `--resume` then writes files byte for byte those of a sweep never stopped. The first cell
/// (ten tenants) is written before the signal, and each replication of the second (5,000
/// tenants) lasts long enough that the signal comes while it is under way.
#[test]
fn sigterm_and_sighup_stop_a_sweep_that_resume_completes_to_the_same_bytes() {
    let args = [
        &sweep("sweep.population.tenants=[10, 5000]", "2")[..],
        &["--no-charts", "-q"],
    ]
    .concat();
    let whole = temp_dir();
    assert_success(&cutover(
        whole.path(),
        &[&args[..], &["--out", "out", "--threads", "1"]].concat(),
    ));
    for (signal, code) in TERMINATION {
        let dir = temp_dir();
        let out = interrupted(dir.path(), &args, Some("cells/cell-0000.csv"), &[signal]);
        assert_interrupted(
            &out,
            code,
            signal,
            &format!("by SIG{signal}; the finished cells in out are kept"),
            "run again with --resume",
        );
        assert_eq!(
            files_under(&dir.path().join("out")),
            [
                PathBuf::from("cells/cell-0000.csv"),
                PathBuf::from("grid.json")
            ],
            "{signal}"
        );
        assert_success(&cutover(
            dir.path(),
            &[&args[..], &["--out", "out", "--resume"]].concat(),
        ));
        for file in ["replications.csv", "summary.csv"] {
            let read = |root: &Path| std::fs::read(root.join("out").join(file)).unwrap();
            assert!(
                read(whole.path()) == read(dir.path()),
                "{file} differs after {signal} and --resume"
            );
        }
    }
}

/// SIGHUP as a closed terminal sends it: stderr is gone, so what the command says is lost, but
/// it still stops and exits 129 (not a panic's 101) with its folder whole: saying so must not
/// fail the handler, nor the last words turn the exit code into a panic's. Once alone (between
/// replications), and twice (at once, unless the two came together and count as one).
#[test]
fn sighup_with_stderr_gone_still_stops_cleanly() {
    for presses in [1, 2] {
        let dir = temp_dir();
        let cwd = dir.path();
        let mut child = started(cwd, &["run", "bpos-2011", "--reps", "1000"], None);
        // The reading end closed: every write to stderr fails, as it does once a terminal is gone.
        drop(child.stderr.take());
        for _ in 0..presses {
            send("HUP", &child);
            std::thread::sleep(Duration::from_millis(200));
        }
        let out = wait_at_most(child, Duration::from_secs(300));
        assert_eq!(out.status.code(), Some(129), "{presses}: {:?}", out.status);
        assert!(out.stdout.is_empty());
        assert_eq!(files_under(&cwd.join("out")), Vec::<PathBuf>::new());
    }
}

/// The commands that wait for their folder's lock in these tests, each with the signal sent it
/// and the exit code that gives.
const WAITING: [(&[&str], &str, i32); 2] = [
    (
        &["run", "small-pilot", "--reps", "1", "--out", "out"],
        "TERM",
        143,
    ),
    (&["plot", "out"], "INT", 130),
];

/// A staging folder of charts that a killed command left, which the next removes once it has the
/// lock, before it takes the folder.
const LEFT_STAGING: &str = ".charts.killed.tmp";

/// Every file under `out` with its bytes, but those of [`LEFT_STAGING`].
fn contents(out: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    files_under(out)
        .into_iter()
        .filter(|f| !f.starts_with(LEFT_STAGING))
        .map(|f| {
            let bytes = std::fs::read(out.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

/// Starts `args` with `--wait-lock` in `cwd` while the lock of `cwd/out` is held as another
/// command holds it (`flock` on the folder itself), and returns it once it says it waits, with
/// its stderr and the lock.
fn waiting_for_lock(cwd: &Path, args: &[&str]) -> (Child, BufReader<ChildStderr>, File) {
    let held = File::open(cwd.join("out")).unwrap();
    held.lock().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(args)
        .arg("--wait-lock")
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert_eq!(
        line, "waiting for out: another cutover command is writing it\n",
        "{args:?}"
    );
    (child, stderr, held)
}

/// Sends `signal` to `child` and asserts that it ends with `code`, saying only that it was
/// interrupted by it `how`, and printing nothing on stdout.
fn assert_stops(
    child: Child,
    mut stderr: BufReader<ChildStderr>,
    signal: &str,
    code: i32,
    how: &str,
) {
    send(signal, &child);
    let ended = wait_at_most(child, LIMIT);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert_eq!(
        ended.status.code(),
        Some(code),
        "{:?}: {rest}",
        ended.status
    );
    assert_eq!(rest, format!("Error: interrupted by SIG{signal} {how}\n"));
    assert!(ended.stdout.is_empty());
}

/// A command waiting with `--wait-lock` for a folder another command holds has touched nothing:
/// a signal during the wait stops it at once, saying so and naming the signal and the folder,
/// exit 128 + its number, and the folder (here a complete run) is byte for byte as it was.
#[test]
fn a_signal_while_waiting_for_the_lock_stops_at_once_leaving_the_folder_untouched() {
    for (args, signal, code) in WAITING {
        let dir = temp_dir();
        let out = dir.path().join("out");
        assert_success(&cutover(dir.path(), OLD_RUN));
        let before = contents(&out);
        let (child, stderr, held) = waiting_for_lock(dir.path(), args);
        assert_stops(
            child,
            stderr,
            signal,
            code,
            "while waiting for another cutover command to finish with out: nothing was written, out is untouched",
        );
        drop(held);
        assert!(contents(&out) == before, "{args:?} changed its folder");
    }
}

/// A signal that comes once the wait for the lock is over, before the command has taken its
/// folder, is handled as every other: the command stops before changing anything, saying so and
/// naming the signal and the folder, exit 128 + its number; the folder keeps its run. It killed
/// the command without a word. The gap is held open for the test by a staging folder of 50,000
/// charts left by a killed command, which the command removes once it has the lock, before it
/// takes the folder: the signal is sent once the first of them (in the order the folder lists
/// them, the order they are removed in) is gone.
#[test]
fn a_signal_as_the_wait_for_the_lock_ends_stops_before_the_folder_is_changed() {
    for (args, signal, code) in WAITING {
        let dir = temp_dir();
        let out = dir.path().join("out");
        assert_success(&cutover(dir.path(), OLD_RUN));
        let before = contents(&out);
        let staging = out.join(LEFT_STAGING);
        std::fs::create_dir(&staging).unwrap();
        for i in 0..50_000 {
            std::fs::write(staging.join(format!("chart-{i}.svg")), "").unwrap();
        }
        let first = std::fs::read_dir(&staging)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let (mut child, stderr, held) = waiting_for_lock(dir.path(), args);
        drop(held);
        let started = Instant::now();
        while first.exists() {
            assert!(
                child.try_wait().unwrap().is_none() && started.elapsed() < LIMIT,
                "{args:?} ended or hung before removing the staging folder"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(
            staging.exists(),
            "{args:?} removed the whole staging folder before the signal"
        );
        assert_stops(
            child,
            stderr,
            signal,
            code,
            "as another cutover command finished with out, before this one changed anything in it: nothing was written, out is as that command left it",
        );
        assert!(contents(&out) == before, "{args:?} changed its folder");
    }
}

/// `out/manifest.json` read, if there is one.
fn manifest_of(out: &Path) -> Option<serde_json::Value> {
    let text = std::fs::read(out.join("manifest.json")).ok()?;
    Some(serde_json::from_slice(&text).unwrap())
}

/// The files a manifest lists.
fn listed(manifest: &serde_json::Value) -> Vec<PathBuf> {
    let files = manifest["files"]
        .as_array()
        .expect("a manifest lists its files");
    files
        .iter()
        .map(|f| PathBuf::from(f.as_str().unwrap()))
        .collect()
}

/// Whether `file` (relative to its folder) is one of the charts or the report.
fn is_drawn(file: &Path) -> bool {
    file.starts_with("charts") || file == Path::new("report.html")
}

/// A second signal while a command finishes its folder leaves it as the message says: once its
/// charts and report are in place, complete, every one of them listed by the manifest (put in
/// place with them, in one step that a stop at once waits for), and before, without a manifest
/// saying complete and without any of them, which `cutover plot` draws. The second signal comes as soon as `charts/`
/// appears, when they were in place under a manifest that did not list them; either way the next
/// run into the folder completes.
#[test]
fn a_second_signal_as_the_charts_go_in_place_leaves_them_listed() {
    let dir = temp_dir();
    let cwd = dir.path();
    let out = cwd.join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args([
            "run",
            "bpos-2011",
            "--reps",
            "2",
            "--out",
            "out",
            "--threads",
            "1",
        ])
        .current_dir(cwd)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    // Written saying incomplete once the data files are, before the charts are drawn.
    while !out.join("manifest.json").exists() {
        assert!(
            child.try_wait().unwrap().is_none() && started.elapsed() < LIMIT,
            "ended or hung before writing its data files"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    send("TERM", &child);
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(
        line.starts_with("SIGTERM received: the replications are done; finishing the files in out"),
        "{line}"
    );
    let ended_first = loop {
        if out.join("charts").is_dir() {
            break false;
        }
        // Reaped here, so not signalled again: a process id is never signalled once reaped.
        if child.try_wait().unwrap().is_some() || started.elapsed() > LIMIT {
            break true;
        }
    };
    if !ended_first {
        send("HUP", &child);
    }
    let ended = wait_at_most(child, LIMIT);
    let mut said = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut said).unwrap();
    let present: Vec<PathBuf> = files_under(&out)
        .into_iter()
        .filter(|f| f != Path::new("manifest.json"))
        .collect();
    let manifest = manifest_of(&out);
    if said.contains("holds the complete results") {
        assert!(matches!(ended.status.code(), Some(129 | 143)), "{said}");
        let manifest = manifest.expect("a complete folder has its manifest");
        assert_eq!(manifest["complete"], true, "{said}");
        let listed = listed(&manifest);
        for file in &present {
            assert!(
                listed.contains(file),
                "{} is not listed: {said}",
                file.display()
            );
        }
        assert!(present.iter().any(|f| is_drawn(f)), "{present:?}");
    } else {
        assert_eq!(ended.status.code(), Some(129), "{said}");
        // Stopped while drawing: every data file is there under the manifest saying incomplete
        // (written before the charts are drawn, and before this signal), which `plot` finishes.
        assert!(
            said.contains("holds every result file, under a manifest saying `complete: false`; `cutover plot out` draws the charts and report"),
            "{said}"
        );
        let manifest = manifest.expect("the data files' manifest");
        assert_eq!(manifest["complete"], false, "{said}");
        assert!(!present.iter().any(|f| is_drawn(f)), "{present:?}\n{said}");
        assert_success(&cutover(cwd, &["plot", "out", "-q"]));
        assert_eq!(manifest_of(&out).unwrap()["complete"], true);
    }
    assert_success(&cutover(
        cwd,
        &["run", "small-pilot", "--reps", "1", "--out", "out", "-q"],
    ));
}

/// A folder whose charts and report its manifest does not list (a command killed as it put them
/// in place, or an older version stopped there) is still one run's: the next command into it
/// removes them with the old run, so a run stopped there leaves none of them (they would be all
/// the folder held, and it would be refused as someone else's), and the run after completes.
#[test]
fn charts_the_manifest_does_not_list_go_with_the_old_run() {
    let dir = temp_dir();
    let cwd = dir.path();
    let out = cwd.join("out");
    assert_success(&cutover(cwd, OLD_RUN));
    let mut manifest = manifest_of(&out).unwrap();
    let data: Vec<serde_json::Value> = listed(&manifest)
        .iter()
        .filter(|f| !is_drawn(f))
        .map(|f| f.to_str().unwrap().into())
        .collect();
    manifest["complete"] = false.into();
    manifest["files"] = data.into();
    std::fs::write(out.join("manifest.json"), manifest.to_string()).unwrap();
    assert!(files_under(&out).iter().any(|f| f.starts_with("charts")));
    let child = started_after(cwd, &[], &["run", "bpos-2011", "--reps", "1000"], None);
    send("INT", &child);
    let stopped = wait_at_most(child, Duration::from_secs(600));
    let stderr = String::from_utf8_lossy(&stopped.stderr);
    assert_eq!(stopped.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("no results are in out "), "{stderr}");
    assert_eq!(files_under(&out), Vec::<PathBuf>::new(), "{stderr}");
    assert_success(&cutover(
        cwd,
        &["run", "small-pilot", "--reps", "1", "--out", "out", "-q"],
    ));
}
