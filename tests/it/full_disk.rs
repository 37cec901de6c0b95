//! A disk that fills up, made with a tmpfs of a chosen size (the tests need root, as CI runs
//! them, and skip saying why without it): the command exits 1 naming the file it could not
//! write and what the folder holds, and the folder is either as it was or holds nothing that
//! passes for finished results, with no temporary file left.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::common::{Tmpfs, assert_success, cutover, snapshot, temp_dir};

/// Asserts that `out` failed for want of space writing into `folder` (exit 1, no panic),
/// naming a path inside it, and returns its stderr.
fn assert_out_of_space(out: &Output, folder: &Path) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let named = format!("Error: cannot write {}", folder.display());
    assert!(stderr.starts_with(&named), "{stderr}");
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

/// `plot` on a disk with room for none of its charts leaves the folder as it was, and says so
/// rather than that nothing in it passes for finished results.
#[test]
fn plot_on_a_disk_too_full_for_its_charts_leaves_the_folder_as_it_was() {
    let dir = temp_dir();
    let disk = dir.path().join("disk");
    let Some(tmpfs) = Tmpfs::mount(&disk, 8192) else {
        return;
    };
    let out = disk.join("out");
    let out_arg = out.to_str().unwrap();
    let args = ["run", "small-pilot", "--reps", "1", "-q", "--out", out_arg];
    assert_success(&cutover(dir.path(), &args));
    let before = snapshot(&out);
    // Room for the probe, none for a chart.
    tmpfs.resize(tmpfs.used() + 8);
    let plot = cutover(dir.path(), &["plot", out_arg]);
    let stderr = assert_out_of_space(&plot, &out);
    assert!(
        stderr.contains("nothing in the output folder was changed"),
        "{stderr}"
    );
    assert!(!stderr.contains("no manifest.json"), "{stderr}");
    assert!(snapshot(&out) == before, "plot changed the folder");
}
