//! CSV and JSON output: writers that return bytes, and one place that owns files and writes them atomically.

mod csv_files;
mod manifest;
pub mod sweep_files;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use csv_files::{
    SUMMARY_COLUMNS, batches_csv, comparison_csv, completion_csv, format_datetime, format_number,
    hourly_csv, islands_csv, replications_csv, spans_csv, summary_cells, summary_csv, tenants_csv,
    timeseries_csv,
};
pub use manifest::Manifest;

use crate::error::Error;

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a reader
/// (or a crash) never sees a half-written file under the final name.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let err = |source| Error::Output {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    } else {
        remove_stale_temporaries(dir, &name);
    }
    result.map_err(err)
}

/// Removes the temporary files of `name` left by processes that were killed before their rename.
/// Only where a process's liveness can be read (`/proc`), so a writer still at work is never
/// disturbed; elsewhere they stay, hidden, and are harmless.
fn remove_stale_temporaries(dir: &Path, name: &str) {
    let proc = Path::new("/proc/self");
    if !proc.exists() {
        return;
    }
    let prefix = format!(".{name}.tmp-");
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(pid) = file
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Creates the output folder (and its parents).
pub fn create_dir(dir: &Path) -> Result<(), Error> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Usage(format!(
            "cannot write {}: it is a file, not a folder (name a folder for the output)",
            dir.display()
        )));
    }
    fs::create_dir_all(dir).map_err(|source| Error::Output {
        path: dir.to_path_buf(),
        source,
    })
}

/// Writes a set of named files into `dir`, returning their paths.
pub fn write_files(dir: &Path, files: Vec<(&str, Vec<u8>)>) -> Result<Vec<PathBuf>, Error> {
    create_dir(dir)?;
    files
        .into_iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            write_atomic(&path, &bytes)?;
            Ok(path)
        })
        .collect()
}
