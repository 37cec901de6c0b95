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
    assert!(!stderr.contains(" at path "), "a temporary name: {stderr}");
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
        let drawing = format!("run `cutover plot {}` to draw them", out.display());
        if stderr.contains(&drawing) {
            // The results whole and listed, the charts or report not drawn.
            let manifest = read_manifest(&out);
            assert_eq!(manifest["complete"], Value::Bool(false), "at {kib} KiB");
            for listed in manifest["files"].as_array().unwrap() {
                assert!(out.join(listed.as_str().unwrap()).is_file(), "at {kib} KiB");
            }
        } else {
            assert!(
                stderr.contains("no manifest.json in the folder says it is complete"),
                "{stderr}"
            );
            assert!(
                !stderr.contains("--resume"),
                "a run keeps no cells: {stderr}"
            );
            if out.join("manifest.json").exists() {
                assert_eq!(read_manifest(&out)["complete"], Value::Bool(false));
            }
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

/// `out`'s manifest.json, which must be whole.
fn read_manifest(out: &Path) -> Value {
    let text = std::fs::read_to_string(out.join("manifest.json")).expect("a manifest");
    serde_json::from_str(&text).expect("a whole manifest")
}

/// A run whose charts fill the disk once its results are written says that `cutover plot`
/// draws them; with space freed, `plot` does, the same charts as a run with room for them, and
/// the folder's manifest then says complete and lists them.
#[test]
fn a_run_whose_charts_fill_the_disk_is_completed_by_plot() {
    let dir = temp_dir();
    let args = ["run", "small-pilot", "--reps", "1", "-q", "--out"];
    let roomy = dir.path().join("roomy");
    assert_success(&cutover(
        dir.path(),
        &[&args[..], &[roomy.to_str().unwrap()]].concat(),
    ));
    let disk = dir.path().join("disk");
    let Some(tmpfs) = Tmpfs::mount(&disk, 8192) else {
        return;
    };
    let out = disk.join("out");
    let out_arg = [&args[..], &[out.to_str().unwrap()]].concat();
    assert_success(&cutover(
        dir.path(),
        &[&out_arg[..], &["--no-charts"]].concat(),
    ));
    // Room for the results again (a rerun removes them first) and a little more, not the charts.
    tmpfs.resize(tmpfs.used() + 16);
    let stderr = assert_out_of_space(&cutover(dir.path(), &out_arg), &out);
    assert!(
        stderr.contains(&format!(
            "run `cutover plot {}` to draw them",
            out.display()
        )),
        "{stderr}"
    );
    assert_eq!(read_manifest(&out)["complete"], Value::Bool(false));
    assert_eq!(hidden(&out), Vec::<String>::new());
    tmpfs.resize(8192);
    assert_success(&cutover(dir.path(), &["plot", out.to_str().unwrap()]));
    let manifest = read_manifest(&out);
    assert_eq!(manifest["complete"], Value::Bool(true));
    assert_eq!(manifest["files"], read_manifest(&roomy)["files"]);
    let charts = |folder: &Path| snapshot(&folder.join("charts"));
    assert!(charts(&out).len() > 2);
    assert!(charts(&out) == charts(&roomy), "the charts differ");
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

/// A sweep on disks from nearly nothing up to its whole output: when it runs out of space
/// after taking the folder, the message says the finished cells are kept for `--resume`, and
/// `--resume` on a disk with room then finishes the sweep.
#[test]
fn a_sweep_on_a_full_disk_says_its_cells_are_kept_for_resume() {
    let dir = temp_dir();
    let scenario = dir.path().join("grid.toml");
    std::fs::write(
        &scenario,
        "name = \"grid\"\n[population]\ntenants = 20\n[sweep]\n\"operators.weekend\" = [2, 4, 8]\n",
    )
    .unwrap();
    let disk = dir.path().join("disk");
    let out = disk.join("out");
    let args = ["sweep", "grid.toml", "--reps", "2", "-q", "--out"];
    let args = [&args[..], &[out.to_str().unwrap()]].concat();
    let mut kept = 0;
    for kib in (4..2048).step_by(12) {
        let Some(tmpfs) = Tmpfs::mount(&disk, kib) else {
            return;
        };
        let ran = cutover(dir.path(), &args);
        if ran.status.success() {
            break;
        }
        let stderr = assert_out_of_space(&ran, &out);
        if stderr.contains("no manifest.json in the folder says it is complete") {
            assert!(
                stderr.contains("(its finished cells are kept for --resume)"),
                "{stderr}"
            );
            kept += 1;
            tmpfs.resize(8192);
            let resume = [&args[..], &["--resume"]].concat();
            assert_success(&cutover(dir.path(), &resume));
            assert_eq!(read_manifest(&out)["complete"], Value::Bool(true));
        }
    }
    assert!(
        kept > 0,
        "the sweep never ran out of space before its results were written"
    );
}

/// A command refused for a full disk as it takes a folder it had to make leaves no empty folder
/// behind: nothing was changed, as it says.
#[test]
fn a_new_folder_on_a_full_disk_is_not_left_behind() {
    let dir = temp_dir();
    let disk = dir.path().join("disk");
    let Some(tmpfs) = Tmpfs::mount(&disk, 64) else {
        return;
    };
    std::fs::write(disk.join("fill"), vec![0u8; 64 << 10]).ok();
    tmpfs.resize(tmpfs.used());
    let out = disk.join("new");
    let args = ["run", "small-pilot", "--reps", "1", "-q", "--out"];
    let ran = cutover(dir.path(), &[&args[..], &[out.to_str().unwrap()]].concat());
    let stderr = assert_out_of_space(&ran, &out);
    assert!(
        stderr.contains("nothing in the output folder was changed"),
        "{stderr}"
    );
    assert!(!out.exists(), "an empty {} was left", out.display());
}
