//! File modes: every file cutover writes gets 0666 and every folder 0777, less the umask, as any
//! tool's files do (not the 0600 of a temporary file), so colleagues can read the results where
//! the umask allows it, and only the owner where it does not.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::{SMALL_SCENARIO, assert_success, temp_dir, write_file};

/// Runs `cutover args` in `cwd` under the umask `umask` (set by a shell that then becomes the
/// binary, so nothing else changes).
fn cutover_with_umask(cwd: &Path, umask: &str, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_cutover"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("sh starts")
}

/// `root` and every file and folder under it, with their permission bits.
fn modes_under(root: &Path) -> Vec<(PathBuf, bool, u32)> {
    let mut found = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let meta = std::fs::symlink_metadata(&dir).unwrap();
        found.push((dir.clone(), true, meta.permissions().mode() & 0o7777));
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                dirs.push(path);
            } else {
                assert!(meta.is_file(), "{} is not a file", path.display());
                found.push((path, false, meta.permissions().mode() & 0o7777));
            }
        }
    }
    found
}

/// Writes a run with charts and report (in a nested folder, so parents are created too), a sweep
/// (cell files, grid.json) and a merge under `umask`, and checks every mode against `file` and
/// `folder`.
fn check_modes(umask: &str, file: u32, folder: u32) {
    let dir = temp_dir();
    let grid = format!("{SMALL_SCENARIO}\n[sweep]\n\"operators.weekend\" = [1, 2]\n");
    write_file(dir.path(), "grid.toml", &grid);
    for command in [
        "run small-pilot --reps 1 --out out/run -q",
        "sweep grid.toml --reps 1 --no-charts --out out/sweep -q",
        "merge out/sweep --no-charts --out out/merged -q",
    ] {
        let args: Vec<&str> = command.split(' ').collect();
        assert_success(&cutover_with_umask(dir.path(), umask, &args));
    }
    let modes = modes_under(&dir.path().join("out"));
    for name in [
        "run/manifest.json",
        "run/replications.csv",
        "run/report.html",
        "sweep/cells",
        "sweep/grid.json",
        "merged/summary.csv",
    ] {
        assert!(
            modes.iter().any(|(p, ..)| p.ends_with(name)),
            "{name} not written"
        );
    }
    assert!(
        modes
            .iter()
            .any(|(p, ..)| p.extension().is_some_and(|e| e == "png")),
        "no chart written"
    );
    for (path, is_dir, mode) in modes {
        let want = if is_dir { folder } else { file };
        assert_eq!(
            mode,
            want,
            "{} has mode {mode:o}, not {want:o} (umask {umask})",
            path.display()
        );
    }
}

#[test]
fn files_and_folders_are_readable_by_others_under_umask_022() {
    check_modes("022", 0o644, 0o755);
}

/// The umask decides, not a fixed mode: a private umask keeps everything private.
#[test]
fn a_private_umask_keeps_files_and_folders_private() {
    check_modes("077", 0o600, 0o700);
}
