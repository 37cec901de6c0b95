//! A disk that fills up, made with a tmpfs of a chosen size (the tests need root, as CI runs
//! them, and skip saying why without it): the command exits 1 naming the file it could not
//! write and what the folder holds, and the folder is either as it was or holds nothing that
//! passes for finished results, with no temporary file left.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::common::{Tmpfs, assert_success, cutover, snapshot, temp_dir};

/// Asserts that `out` failed for want of space writing into `folder` (exit 1, no panic),
/// naming a path inside it where a file of the results is to be (never a temporary name, gone
/// once the command stops), and returns its stderr.
fn assert_out_of_space(out: &Output, folder: &Path) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let named = format!("Error: cannot write {}", folder.display());
    assert!(stderr.starts_with(&named), "{stderr}");
    let inside = stderr[named.len()..].split(':').next().unwrap();
    assert!(!inside.contains("/."), "a temporary name: {stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    stderr
}

/// The entries of `folder` whose names start with a dot: temporary files and staging folders.
fn hidden(folder: &Path) -> Vec<String> {
    snapshot(folder)
        .into_keys()
        .filter(|name| {
            name.trim_end_matches('/')
                .rsplit('/')
                .next()
                .is_some_and(|n| n.starts_with('.'))
        })
        .collect()
}

/// `run` on disks from nearly nothing up to its whole output, in steps narrower than its report
/// is long: it runs out of space writing a CSV file, a chart, the report, and each time it says
/// so and leaves no manifest saying complete, and no temporary file.
#[test]
fn run_on_a_disk_that_fills_leaves_nothing_that_passes_for_results() {
    let dir = temp_dir();
    let disk = dir.path().join("disk");
    let out = disk.join("out");
    let mut failed_at = Vec::new();
    for kib in (4..4096).step_by(100) {
        let Some(_tmpfs) = Tmpfs::mount(&disk, kib) else {
            return;
        };
        let args = ["run", "small-pilot", "--reps", "1", "-q", "--out"];
        let ran = cutover(dir.path(), &[&args[..], &[out.to_str().unwrap()]].concat());
        if ran.status.success() {
            break;
        }
        let stderr = assert_out_of_space(&ran, &out);
        assert!(
            stderr.contains("no manifest.json in the folder says it is complete"),
            "{stderr}"
        );
        if let Ok(text) = std::fs::read_to_string(out.join("manifest.json")) {
            let manifest: Value = serde_json::from_str(&text).expect("a whole manifest");
            assert_eq!(manifest["complete"], Value::Bool(false), "at {kib} KiB");
        }
        assert_eq!(hidden(&out), Vec::<String>::new(), "at {kib} KiB");
        let file = stderr["Error: cannot write ".len()..]
            .split(':')
            .next()
            .unwrap()
            .to_string();
        failed_at.push(file);
    }
    for (what, ending) in [
        ("a CSV file", ".csv"),
        ("a chart", ".png"),
        ("the report", ".html"),
    ] {
        assert!(
            failed_at.iter().any(|f| f.ends_with(ending)),
            "never ran out of space writing {what}: {failed_at:?}"
        );
    }
}

/// A finished run of small-pilot (one replication, and `extra` flags) in `disk/out` on a tmpfs
/// of 8 MiB mounted on `dir/disk`; `None` where no tmpfs can be mounted.
fn finished_run(dir: &Path, extra: &[&str]) -> Option<(Tmpfs, PathBuf)> {
    let disk = dir.join("disk");
    let tmpfs = Tmpfs::mount(&disk, 8192)?;
    let out = disk.join("out");
    let args = ["run", "small-pilot", "--reps", "1", "-q", "--out"];
    assert_success(&cutover(
        dir,
        &[&args[..], &[out.to_str().unwrap()], extra].concat(),
    ));
    Some((tmpfs, out))
}

/// Asserts that the command `args` fails for want of space saying that nothing in `out` was
/// changed, and that nothing was; returns its stderr.
fn assert_left_as_it_was(dir: &Path, out: &Path, args: &[&str]) -> String {
    let before = snapshot(out);
    let stderr = assert_out_of_space(&cutover(dir, args), out);
    assert!(
        stderr.contains("nothing in the output folder was changed"),
        "{stderr}"
    );
    assert!(snapshot(out) == before, "{} changed", out.display());
    stderr
}

/// A rerun into a folder of finished results on a disk with no space left is refused before it
/// removes them: they stay, byte for byte, and the message says so. It removed them, then ran
/// out of space writing its own.
#[test]
fn a_rerun_on_a_full_disk_leaves_the_old_results_whole() {
    let dir = temp_dir();
    let Some((tmpfs, out)) = finished_run(dir.path(), &["--no-charts"]) else {
        return;
    };
    tmpfs.resize(tmpfs.used());
    let args = [
        "run",
        "small-pilot",
        "--reps",
        "1",
        "-q",
        "--seed",
        "9",
        "--out",
    ];
    assert_left_as_it_was(
        dir.path(),
        &out,
        &[&args[..], &[out.to_str().unwrap()]].concat(),
    );
}

/// `plot` on a disk with room for none of its charts leaves the folder as it was, and says so
/// rather than that nothing in it passes for finished results.
#[test]
fn plot_on_a_disk_too_full_for_its_charts_leaves_the_folder_as_it_was() {
    let dir = temp_dir();
    let Some((tmpfs, out)) = finished_run(dir.path(), &[]) else {
        return;
    };
    // Room for the probe, none for a chart.
    tmpfs.resize(tmpfs.used() + 8);
    let stderr = assert_left_as_it_was(dir.path(), &out, &["plot", out.to_str().unwrap()]);
    assert!(!stderr.contains("no manifest.json"), "{stderr}");
}
