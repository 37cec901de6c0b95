//! The charts and report of an output folder drawn aside and put in place together, so that the
//! folder holds either the old set or the new one, never a mix: a command draws its charts into a
//! staging folder `.charts.RANDOM.tmp` inside the output folder (a temporary name, like those of
//! files being written, removed by the next command to open the folder if this one is killed),
//! builds the report from them, and only when all of it is done exchanges the staging folder with
//! `charts/` and renames the report in, and the manifest listing them (`plot`'s, or a simulating
//! command's last, saying the folder is complete). A failure,
//! or Ctrl-C, before that leaves the folder as it was; charts of the old set that the new one
//! does not draw leave with the old `charts/`.

use std::fs;
use std::path::{Path, PathBuf};

use super::{
    AtomicFile, Relisting, TEMPORARY_SUFFIX, check_subdir, failed_on, sync_dir, unless_stopping,
    writing,
};
use crate::error::Error;
use crate::files::{CHARTS_DIR, MANIFEST, REPORT};

/// How the name of a staging folder (or of an old `charts/` set aside) begins: `.charts.`.
pub(super) const STAGING_PREFIX: &str = ".charts.";

/// A staging folder for the charts of the output folder `dir`, removed when dropped (with
/// whatever it holds: the charts not committed, or the old set once the new one is in place).
pub struct Staging {
    dir: PathBuf,
    charts: tempfile::TempDir,
}

impl Staging {
    /// A new, empty staging folder in `dir`, created with the mode of any new folder (0777 less
    /// the umask), which `charts/` keeps once it is renamed.
    pub fn new(dir: &Path) -> Result<Staging, Error> {
        let charts =
            unless_stopping(|| staging_folder(dir)).map_err(failed_on(&dir.join(CHARTS_DIR)))?;
        Ok(Staging {
            dir: dir.to_path_buf(),
            charts,
        })
    }

    /// Where the charts are to be drawn.
    pub fn charts(&self) -> &Path {
        self.charts.path()
    }

    /// Where a file drawn into [`Staging::charts`] will be once committed: `dir/charts/NAME`.
    pub fn final_path(&self, staged: &Path) -> PathBuf {
        let name = staged.file_name().unwrap_or_default();
        self.dir.join(CHARTS_DIR).join(name)
    }

    /// `e` from drawing into [`Staging::charts`], naming a file it could not write where that
    /// file was to be, `charts/NAME`: the staging folder is gone once the command stops.
    pub fn naming_final(&self, e: Error) -> Error {
        match e {
            Error::Output {
                path,
                source,
                stage,
            } if path.starts_with(self.charts()) => Error::Output {
                path: self.final_path(&path),
                source,
                stage,
            },
            e => e,
        }
    }

    /// Puts the staged charts in place of `charts/`, `report` in place of report.html and, with
    /// `manifest`, its new text in place of manifest.json (listing them), all or none, then runs
    /// `done` before any stop at once can act (see [`super::abandon`]). `charts/` must be a real
    /// folder or absent (a link or a file is refused, never followed); it is not created when
    /// nothing was drawn and there is none.
    pub fn commit(
        self,
        report: &[u8],
        manifest: Option<&Relisting>,
        done: impl FnOnce(),
    ) -> Result<(), Error> {
        let charts = self.dir.join(CHARTS_DIR);
        let report_path = self.dir.join(REPORT);
        let manifest_path = self.dir.join(MANIFEST);
        check_subdir(&charts)?;
        if fs::symlink_metadata(&report_path).is_ok_and(|m| m.is_dir()) {
            return Err(Error::Usage(format!(
                "{} is in the way: it is a folder, not a file",
                report_path.display()
            )));
        }
        let report_tmp = synced(&report_path, report)?;
        // The new manifest, and the old one to put back should the report fail to go in after it.
        let manifest_tmp = match manifest {
            Some(m) => Some((
                synced(&manifest_path, &m.new)?,
                synced(&manifest_path, &m.old)?,
            )),
            None => None,
        };
        sync_dir(self.charts.path()).map_err(failed_on(self.charts.path()))?;
        let drawn = fs::read_dir(self.charts.path())
            .map_err(failed_on(self.charts.path()))?
            .next()
            .is_some();
        {
            // No stop at once between the renames: the folder gets all or none.
            let _writing = writing();
            let swap = if drawn || fs::symlink_metadata(&charts).is_ok() {
                Some(Swap::make(&self.dir, self.charts.path(), &charts)?)
            } else {
                None
            };
            let undo = |swap: Option<Swap>| {
                if let Some(swap) = swap {
                    swap.undo(self.charts.path(), &charts);
                }
            };
            let old_manifest = match manifest_tmp {
                Some((new, old)) => match new.persist(&manifest_path) {
                    Ok(_) => Some(old),
                    Err(e) => {
                        undo(swap);
                        return Err(failed_on(&manifest_path)(e.error));
                    }
                },
                None => None,
            };
            if let Err(e) = report_tmp.persist(&report_path) {
                undo(swap);
                if let Some(old) = old_manifest {
                    let _ = old.persist(&manifest_path);
                }
                return Err(failed_on(&report_path)(e.error));
            }
            done();
        }
        sync_dir(&self.dir).map_err(failed_on(&self.dir))
        // Dropping `self.charts` removes the old set, now under the staging name; dropping the
        // old manifest's temporary file removes it.
    }
}

/// A temporary file beside `path` holding `bytes`, flushed to disk, to be renamed to `path`.
fn synced(path: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile, Error> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes)?;
    file.into_synced()
}

/// A fresh empty folder `.charts.RANDOM.tmp` in `dir`.
fn staging_folder(dir: &Path) -> std::io::Result<tempfile::TempDir> {
    let mut builder = tempfile::Builder::new();
    builder
        .prefix(STAGING_PREFIX)
        .suffix(TEMPORARY_SUFFIX)
        .rand_bytes(super::RANDOM_CHARS);
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o777));
    builder.tempdir_in(dir)
}

/// How the staged folder took the place of `charts/`.
enum Swap {
    /// The two names were exchanged in one step (Linux `renameat2`): the old set is under the
    /// staging name.
    Exchanged,
    /// There was no `charts/`: the staging folder was renamed to it.
    Renamed,
    /// Where names cannot be exchanged at once: the old `charts/` was first renamed to this
    /// folder's name, then the staging folder to `charts/`.
    SetAside(tempfile::TempDir),
}

impl Swap {
    fn make(dir: &Path, staged: &Path, charts: &Path) -> Result<Swap, Error> {
        match exchange(staged, charts) {
            Ok(()) => return Ok(Swap::Exchanged),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fs::rename(staged, charts).map_err(failed_on(charts))?;
                return Ok(Swap::Renamed);
            }
            Err(e) if !cannot_exchange(&e) => return Err(failed_on(charts)(e)),
            Err(_) => {}
        }
        set_aside(dir, staged, charts).map(Swap::SetAside)
    }

    /// Puts the old set back in `charts/` and the staged one under its staging name, as far as
    /// it can (a failure here leaves both sets whole, under one name or another).
    fn undo(self, staged: &Path, charts: &Path) {
        match self {
            Swap::Exchanged => {
                let _ = exchange(staged, charts);
            }
            Swap::Renamed => {
                let _ = fs::rename(charts, staged);
            }
            Swap::SetAside(old) => {
                if fs::rename(charts, staged).is_ok() {
                    let _ = fs::rename(old.path(), charts);
                }
            }
        }
    }
}

/// The old `charts/` renamed to a fresh folder's name (replacing that empty folder), then the
/// staged folder renamed to `charts/`; on failure the old set is put back.
fn set_aside(dir: &Path, staged: &Path, charts: &Path) -> Result<tempfile::TempDir, Error> {
    let old = staging_folder(dir).map_err(failed_on(charts))?;
    fs::rename(charts, old.path()).map_err(failed_on(charts))?;
    if let Err(e) = fs::rename(staged, charts) {
        let _ = fs::rename(old.path(), charts);
        return Err(failed_on(charts)(e));
    }
    Ok(old)
}

/// Exchanges the names `a` and `b` at once (both must exist).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Whether `e` says the system or file system cannot exchange names (an old kernel, a file
/// system without `RENAME_EXCHANGE`), rather than that this exchange failed.
fn cannot_exchange(e: &std::io::Error) -> bool {
    const EINVAL: i32 = 22;
    const ENOSYS: i32 = 38;
    const EOPNOTSUPP: i32 = 95;
    e.kind() == std::io::ErrorKind::Unsupported
        || matches!(e.raw_os_error(), Some(EINVAL | ENOSYS | EOPNOTSUPP))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Where names cannot be exchanged at once, the old set is set aside and the new one put in
    /// its place, and undoing it puts the old set back.
    #[test]
    fn setting_aside_replaces_the_old_set_and_can_be_undone() {
        let dir = tempfile::tempdir().unwrap();
        let charts = dir.path().join(CHARTS_DIR);
        fs::create_dir(&charts).unwrap();
        fs::write(charts.join("old.svg"), "old").unwrap();
        let staged = staging_folder(dir.path()).unwrap();
        fs::write(staged.path().join("new.svg"), "new").unwrap();
        let old = set_aside(dir.path(), staged.path(), &charts).unwrap();
        assert_eq!(names(&charts), ["new.svg"]);
        assert_eq!(names(old.path()), ["old.svg"]);
        Swap::SetAside(old).undo(staged.path(), &charts);
        assert_eq!(names(&charts), ["old.svg"]);
        assert_eq!(names(staged.path()), ["new.svg"]);
        drop(staged);
        assert_eq!(names(dir.path()), [CHARTS_DIR]);
    }

    #[test]
    fn a_commit_replaces_the_whole_set_and_leaves_no_staging_folder() {
        let dir = tempfile::tempdir().unwrap();
        let charts = dir.path().join(CHARTS_DIR);
        fs::create_dir(&charts).unwrap();
        fs::write(charts.join("gone.svg"), "old").unwrap();
        let staging = Staging::new(dir.path()).unwrap();
        fs::write(staging.charts().join("new.svg"), "new").unwrap();
        assert_eq!(
            staging.final_path(&staging.charts().join("new.svg")),
            charts.join("new.svg")
        );
        let mut done = false;
        staging.commit(b"report", None, || done = true).unwrap();
        assert!(done);
        assert_eq!(names(&charts), ["new.svg"]);
        assert_eq!(names(dir.path()), [CHARTS_DIR, REPORT]);
        assert_eq!(fs::read(dir.path().join(REPORT)).unwrap(), b"report");
    }

    /// With a manifest's new text, the commit puts it in place with the charts and report, and
    /// leaves no temporary file (of the new text, or of the old one kept to put back).
    #[test]
    fn a_commit_puts_the_manifest_in_place_with_the_charts_and_report() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(MANIFEST), "old").unwrap();
        let staging = Staging::new(dir.path()).unwrap();
        fs::write(staging.charts().join("new.svg"), "new").unwrap();
        let relisting = Relisting {
            old: b"old".to_vec(),
            new: b"new".to_vec(),
        };
        staging.commit(b"report", Some(&relisting), || {}).unwrap();
        assert_eq!(names(dir.path()), [CHARTS_DIR, MANIFEST, REPORT]);
        assert_eq!(fs::read(dir.path().join(MANIFEST)).unwrap(), b"new");
        assert_eq!(names(&dir.path().join(CHARTS_DIR)), ["new.svg"]);
    }

    #[test]
    fn nothing_drawn_and_no_charts_folder_creates_none() {
        let dir = tempfile::tempdir().unwrap();
        Staging::new(dir.path())
            .unwrap()
            .commit(b"r", None, || {})
            .unwrap();
        assert_eq!(names(dir.path()), [REPORT]);
    }
}
