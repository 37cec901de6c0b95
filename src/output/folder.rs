//! An output folder held by one command: an exclusive advisory lock for the command's whole life,
//! a check that it can be written before anything is simulated, and a state that is always one
//! run's: the old manifest is removed before anything is written, the new one written last.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};

use super::{TEMPORARY_SUFFIX, check_subdir, create_dir, create_subdir, failed_on, sync_dir};
use crate::error::{Error, Stage};
use crate::files::{self, MANIFEST};
use crate::files::{CELLS_DIR, GRID_FILE};

/// Set once this process has begun to replace what an output folder held ([`OutputFolder::invalidate`]):
/// until then a failed write has changed nothing there (a disk found full as the folder is
/// taken, `plot`'s charts drawn aside), which is what its message says ([`Error::Output`]).
/// [`UNTOUCHED`], [`REPLACING`] or [`REPLACING_KEEPING_CELLS`].
static REPLACED: AtomicU8 = AtomicU8::new(UNTOUCHED);
const UNTOUCHED: u8 = 0;
const REPLACING: u8 = 1;
const REPLACING_KEEPING_CELLS: u8 = 2;

/// How far this process has gone in replacing what its output folder held, as far as a write
/// can tell ([`Stage::Drawing`] is told by the command, [`Error::while_drawing`]).
pub(super) fn stage() -> Stage {
    match REPLACED.load(Ordering::Relaxed) {
        UNTOUCHED => Stage::Untouched,
        REPLACING => Stage::Replacing { cells: false },
        _ => Stage::Replacing { cells: true },
    }
}

/// Whether two metadata are of the same file (device and inode; elsewhere than Unix, taken to
/// be, as no stable identity is at hand).
#[cfg(unix)]
fn is_same(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn is_same(_: &fs::Metadata, _: &fs::Metadata) -> bool {
    true
}

/// Creates a file in `dir` and writes and syncs a byte to it, then removes it.
fn probe(dir: &Path) -> std::io::Result<()> {
    let mut probe = tempfile::Builder::new()
        .prefix(&format!(".{PROBE}."))
        .suffix(TEMPORARY_SUFFIX)
        .rand_bytes(super::RANDOM_CHARS)
        .tempfile_in(dir)?;
    std::io::Write::write_all(probe.as_file_mut(), b"\n")?;
    probe.as_file().sync_all()
}

/// A locked output folder. The lock (`flock` on the folder itself, so no lock file is left behind)
/// is released when this is dropped, or by the kernel when the process dies, even by SIGKILL.
#[derive(Debug)]
pub struct OutputFolder {
    dir: PathBuf,
    _lock: File,
    /// Made by this command: removed again when dropped if it is still empty, as it is when the
    /// command failed or was stopped before writing anything (a success always writes files).
    made: bool,
}

impl Drop for OutputFolder {
    fn drop(&mut self) {
        if self.made {
            // Removes only an empty folder (the system refuses any other), so nothing written
            // is ever lost; a command waiting for the lock sees the folder gone (`open`).
            let _ = fs::remove_dir(&self.dir);
        }
    }
}

/// How a command waits for its folder's lock, which another command holds: it is given the folder
/// and `lock`, which says that the command waits and waits, and returns what that returns (its
/// caller makes a signal during the wait stop the command, `cli::interrupt`).
pub type LockWait = fn(&Path, &mut dyn FnMut() -> std::io::Result<()>) -> std::io::Result<()>;

impl OutputFolder {
    /// Creates `dir` if needed, takes its lock (waiting for it through `wait`, else refusing at
    /// once if another command holds it), checks that a file can be created in it and hold a
    /// byte (so a full disk is found before the old run is removed), and removes the temporary
    /// files that killed commands left.
    pub fn open(dir: &Path, wait: Option<LockWait>) -> Result<OutputFolder, Error> {
        check_path_length(dir)?;
        // Another command may remove a folder it made while this one waits for its lock, and
        // make it again: the lock taken must be that of the folder at `dir` now, so a folder
        // gone meanwhile is taken afresh (each round needs another command to have finished).
        loop {
            let (existed, lock) = Self::lock(dir, wait)?;
            let locked = lock.metadata().map_err(failed_on(dir))?;
            match fs::metadata(dir) {
                Ok(now) if is_same(&now, &locked) => return Self::taken(dir, existed, lock),
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(failed_on(dir)(e)),
            }
        }
    }

    /// Creates `dir` if needed and takes its lock; says whether it existed before.
    fn lock(dir: &Path, wait: Option<LockWait>) -> Result<(bool, File), Error> {
        let err = |source| failed_on(dir)(source);
        let existed = fs::symlink_metadata(dir).is_ok();
        create_dir(dir)?;
        let not_a_folder = || Error::Usage(format!("{} is not a folder", dir.display()));
        let lock = match crate::scenario::open_folder(dir) {
            Ok(lock) => lock,
            Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => return Err(not_a_folder()),
            Err(e) => return Err(err(e)),
        };
        if !lock.metadata().map_err(err)?.is_dir() {
            return Err(not_a_folder());
        }
        match (lock.try_lock(), wait) {
            (Ok(()), _) => {}
            (Err(fs::TryLockError::WouldBlock), Some(wait)) => {
                // Said once `wait` is ready to wait (a signal's handler installed, say).
                let mut locking = || {
                    tell!(
                        "waiting for {}: another cutover command is writing it",
                        dir.display()
                    );
                    lock.lock()
                };
                wait(dir, &mut locking).map_err(err)?;
            }
            (Err(fs::TryLockError::WouldBlock), None) => {
                return Err(Error::Usage(format!(
                    "{} is in use: another cutover command is writing it; wait for it to finish (or pass --wait-lock), or use another --out",
                    dir.display()
                )));
            }
            (Err(fs::TryLockError::Error(e)), _) => return Err(err(e)),
        }
        Ok((existed, lock))
    }

    /// The checks of a folder whose lock is taken ([`OutputFolder::open`]).
    fn taken(dir: &Path, existed: bool, lock: File) -> Result<OutputFolder, Error> {
        let err = |source| failed_on(dir)(source);
        // From here the folder is this command's: made by it, it goes again if left empty.
        let folder = OutputFolder {
            dir: dir.to_path_buf(),
            _lock: lock,
            made: !existed,
        };
        // Found now, not after hours of simulating, and before the old run is removed: a folder
        // where no file can be created, or none can hold a byte (a full disk or quota, where an
        // empty file can still be made). A folder made for nothing is gone again as `folder` is
        // dropped, as the message says nothing was changed (the probe file is removed too).
        probe(dir).map_err(err)?;
        refuse_foreign(dir)?;
        // A `charts` or `cells` that is a link, or a file, is refused when the command comes to
        // write into it: found now, so that hours of simulating are not lost to it.
        for sub in [files::CHARTS_DIR, CELLS_DIR] {
            check_subdir(&dir.join(sub))?;
        }
        // With the lock held, no other command is writing them: each was left by one killed.
        remove_temporaries(dir);
        Ok(folder)
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// A subfolder (`charts`, `cells`), created if absent; never a link to elsewhere.
    pub fn subdir(&self, name: &str) -> Result<PathBuf, Error> {
        create_subdir(&self.dir, name)
    }

    /// Whether the folder holds a sweep's or sensitivity study's cells (`grid.json`, `cells/`),
    /// the finished work that `--resume` continues.
    pub fn holds_cells(&self) -> bool {
        let cells = self.dir.join(CELLS_DIR);
        self.dir.join(GRID_FILE).is_file()
            || fs::read_dir(cells).is_ok_and(|mut entries| entries.next().is_some())
    }

    /// Removes the cell files of an earlier sweep or study (`cells/cell-NNNN.csv`, regular files
    /// only; a `cells` that is a link is never entered), so a sweep started afresh leaves none
    /// of another grid's cells beside its own.
    pub fn clear_cells(&self) -> Result<(), Error> {
        let cells = self.dir.join(CELLS_DIR);
        let Ok(meta) = fs::symlink_metadata(&cells) else {
            return Ok(());
        };
        if !meta.is_dir() {
            return Ok(());
        }
        let entries = fs::read_dir(&cells).map_err(failed_on(&cells))?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let is_cell = name.starts_with("cell-") && name.ends_with(".csv");
            if is_cell && entry.file_type().is_ok_and(|t| t.is_file()) {
                fs::remove_file(entry.path()).map_err(failed_on(&entry.path()))?;
            }
        }
        Ok(())
    }

    /// Marks the folder as holding no complete run: removes manifest.json (and makes that
    /// durable) before anything else is written, then the charts and report (listed or not), the
    /// files the old manifest listed and any other data file (a command stopped before writing
    /// its manifest leaves its data files listed nowhere), so a folder never mixes two commands' files: the charts and report would
    /// refuse a data file of another kind of folder (see `chart::folder_kind`) after all the
    /// simulating.
    /// `keeps_cells`: the command keeps a sweep's or study's finished cells for `--resume`, as a
    /// full disk's message then says.
    pub fn invalidate(&self, keeps_cells: bool) -> Result<(), Error> {
        let stage = if keeps_cells {
            REPLACING_KEEPING_CELLS
        } else {
            REPLACING
        };
        REPLACED.store(stage, Ordering::Relaxed);
        let manifest = self.dir.join(MANIFEST);
        let listed = old_files(&manifest);
        match fs::remove_file(&manifest) {
            Ok(()) => sync_dir(&self.dir).map_err(failed_on(&self.dir))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(failed_on(&manifest)(source)),
        }
        // The charts and report before the data files, so that a command killed meanwhile leaves
        // a data file, which marks the folder as cutover's to the next (`refuse_foreign`), for
        // as long as anything else of the old run is left: first those the old manifest may not
        // list (it is put in place with them, but one that a command killed then, or an older
        // version, left without them would make a folder of nothing else someone else's), then
        // the files listed, last listed first.
        for file in drawn_files(&self.dir) {
            let _ = fs::remove_file(file);
        }
        for file in listed.iter().rev() {
            let _ = fs::remove_file(self.dir.join(file));
        }
        for name in files::data_files() {
            // A file or a link (the link itself, never what it points to); never a folder.
            let path = self.dir.join(name);
            if fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) {
                let _ = fs::remove_file(path);
            }
        }
        Ok(())
    }
}

/// The charts and report in `dir`, listed or not: report.html and every file in `charts/` (a
/// file or a link, the link itself; never a folder, nor anything in a `charts` that is a link),
/// which each drawing replaces whole.
fn drawn_files(dir: &Path) -> Vec<PathBuf> {
    let not_a_folder = |p: &Path| fs::symlink_metadata(p).is_ok_and(|m| !m.is_dir());
    let charts = dir.join(files::CHARTS_DIR);
    let in_charts = fs::symlink_metadata(&charts)
        .is_ok_and(|m| m.is_dir())
        .then(|| fs::read_dir(&charts).ok())
        .flatten()
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path());
    in_charts
        .chain([dir.join(files::REPORT)])
        .filter(|p| not_a_folder(p))
        .collect()
}

/// The most bytes a command adds to its folder's path for a file it writes inside: a chart drawn
/// aside, `.charts.RANDOM.tmp/.NAME.RANDOM.tmp`, whose NAME holds a metric and a swept key, or
/// a Slurm shard's `shards/K/cells/.cell-NNNN.csv.RANDOM.tmp`; with room to spare.
const LONGEST_INSIDE: usize = 512;

/// Refuses a folder whose path leaves too little room, under the longest path a file can be
/// opened by, for the names written inside it: the probe file fits, but a chart's temporary
/// file, written once the results are, would not, leaving an unfinished folder after all the
/// simulating.
fn check_path_length(dir: &Path) -> Result<(), Error> {
    use crate::scenario::MAX_PATH_BYTES;
    let bytes = dir.as_os_str().len();
    if bytes + LONGEST_INSIDE <= MAX_PATH_BYTES {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{} is a path of {bytes} bytes: with the names of the files written inside it, paths would pass the {MAX_PATH_BYTES} bytes a path can have; use a path of at most {} bytes",
        crate::scenario::abbreviate(&dir.display().to_string()),
        MAX_PATH_BYTES - LONGEST_INSIDE
    )))
}

/// Refuses a folder that holds files but none of cutover's as cutover writes them
/// (`written_by_cutover`): `--out ~`, `--out /` or a project's own folder, where a run's files
/// would be mixed with the user's, and a folder whose only files of cutover's names are the
/// user's own (a `summary.csv` of theirs, a `charts` folder of theirs, a `report.html`), which a
/// run would overwrite. An empty folder is taken (temporary files of killed commands aside), and
/// so is one of cutover's own, killed runs' included: their first file written is a data file.
/// A link is never followed, nor a file other than a regular one read.
fn refuse_foreign(dir: &Path) -> Result<(), Error> {
    let entries = fs::read_dir(dir).map_err(failed_on(dir))?;
    let (mut foreign, mut count) = (Vec::new(), 0);
    for entry in entries {
        let entry = entry.map_err(failed_on(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if files::OWN_NAMES.contains(&name.as_str()) {
            match own_name(dir, &name) {
                Entry::Cutovers => return Ok(()),
                Entry::Nothing => continue,
                Entry::Someones => {}
            }
        }
        if is_temporary(&name, None) {
            continue;
        }
        count += 1;
        // The first three in name order, so the message is the same every time.
        let at = foreign.partition_point(|f: &String| *f < name);
        if at < 3 {
            foreign.insert(at, name);
            foreign.truncate(3);
        }
    }
    if foreign.is_empty() {
        return Ok(());
    }
    let shown: Vec<_> = foreign
        .iter()
        .map(|f| crate::error::printable(&crate::scenario::abbreviate(f)).into_owned())
        .collect();
    Err(Error::Usage(format!(
        "{} holds files cutover did not write ({}{}): cutover writes only into an empty folder or one of its own, so that a run's files are never mixed with others; choose another output folder, e.g. a new one inside this one",
        crate::error::printable(&dir.display().to_string()),
        shown.join(", "),
        if count > foreign.len() {
            format!(" and {} more", count - foreign.len())
        } else {
            String::new()
        }
    )))
}

/// What an entry of one of cutover's names says of its folder.
enum Entry {
    /// As cutover writes it: the folder is cutover's.
    Cutovers,
    /// Holds nothing a command would overwrite, and says nothing of whose the folder is: a link
    /// (replaced as a link, or refused as a `charts` or `cells`, never followed), a named pipe
    /// or device (replaced), a folder where cutover writes a file (the write fails, naming it),
    /// a `charts` folder of nothing but temporary files.
    Nothing,
    /// Someone else's file under one of cutover's names.
    Someones,
}

/// Whose the entry `name` of `dir`, one of `files::OWN_NAMES`, shows the folder to be: cutover's
/// for a manifest or grid.json that opens with cutover's `version`, a data file
/// whose line 1 starts with a column cutover puts first (`files::FIRST_COLUMNS`), or a folder
/// of cells, shards or a Slurm submission. A `charts` folder with a file in it, a report.html
/// or a calibrated.toml says nothing by itself: those names are common, and cutover writes
/// none of them before a data file.
fn own_name(dir: &Path, name: &str) -> Entry {
    let path = dir.join(name);
    let Ok(meta) = fs::symlink_metadata(&path) else {
        return Entry::Nothing;
    };
    // A link, a pipe or a device holds no one's data here: replaced, or refused when written.
    if !meta.is_file() && !meta.is_dir() {
        return Entry::Nothing;
    }
    if [CELLS_DIR, files::SHARDS_DIR, files::SLURM_DIR].contains(&name) {
        return if meta.is_dir() {
            Entry::Cutovers
        } else {
            Entry::Someones
        };
    }
    if name == files::CHARTS_DIR {
        let only_temporaries = fs::read_dir(&path).is_ok_and(|entries| {
            entries
                .flatten()
                .all(|e| is_temporary(&e.file_name().to_string_lossy(), Some(files::CHARTS_DIR)))
        });
        return if meta.is_dir() && only_temporaries {
            Entry::Nothing
        } else {
            Entry::Someones
        };
    }
    if meta.is_dir() {
        return Entry::Nothing;
    }
    if written_by_cutover(&path, name) {
        Entry::Cutovers
    } else {
        Entry::Someones
    }
}

/// Whether the file at `path`, named `name`, is as cutover writes it: a manifest or grid.json
/// that opens with its `version`, or a data file whose line 1 starts with a column cutover puts
/// first. Regular files only, never through a link, never waiting on a pipe; 64 KiB at most
/// read (a sweep's manifest can be far longer, but its version comes first).
fn written_by_cutover(path: &Path, name: &str) -> bool {
    use std::io::Read;
    let json = name == MANIFEST || name == GRID_FILE;
    if !json && !name.ends_with(".csv") {
        return false;
    }
    let Ok(file) = crate::scenario::open_file(path, crate::scenario::Links::Refuse) else {
        return false;
    };
    // Far more than line 1 of a data file, or a manifest's first field, takes; a bound on what
    // a huge file costs.
    let mut bytes = Vec::new();
    if file.take(64 << 10).read_to_end(&mut bytes).is_err() {
        return false;
    }
    if json {
        // Every manifest and grid.json cutover writes opens with its version: `{"version": "…`.
        let text = String::from_utf8_lossy(&bytes);
        return text
            .trim_start()
            .strip_prefix('{')
            .and_then(|t| t.trim_start().strip_prefix("\"version\""))
            .and_then(|t| t.trim_start().strip_prefix(':'))
            .is_some_and(|t| t.trim_start().starts_with('"'));
    }
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    line.split(|&b| b == b',')
        .next()
        .is_some_and(|first| files::FIRST_COLUMNS.iter().any(|c| c.as_bytes() == first))
}

/// Removes every temporary file of this program in `dir` and in its own subfolders (`charts`,
/// `cells`, `slurm`), and its staging folders of charts (`.charts.RANDOM.tmp`, see
/// [`super::Staging`]) in `dir` with what they hold. Only names this program gives its
/// temporaries are removed: a file of the user's (`.notes.tmp`, a folder `.charts.old.tmp`)
/// is never touched. A link under any of those names is left alone, never followed.
pub(super) fn remove_temporaries(dir: &Path) {
    let mut folders = vec![(dir.to_path_buf(), None)];
    while let Some((sub, within)) = folders.pop() {
        let Ok(entries) = fs::read_dir(&sub) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let top = within.is_none();
            if kind.is_dir() && top && is_staging(&name) && holds_only_charts(&entry.path()) {
                let _ = fs::remove_dir_all(entry.path());
            } else if let Some(own) = OWN_SUBFOLDERS.iter().find(|f| **f == name)
                && kind.is_dir()
                && top
            {
                folders.push((entry.path(), Some(*own)));
            } else if kind.is_file() && is_temporary(&name, within) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// Whether a folder holds nothing but charts (and their temporaries), as a staging folder
/// does: one of the user's that happens to be named like it holds something else.
fn holds_only_charts(folder: &Path) -> bool {
    fs::read_dir(folder).is_ok_and(|entries| {
        entries.flatten().all(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            let chart = name.ends_with(".png") || name.ends_with(".svg");
            e.file_type().is_ok_and(|t| t.is_file())
                && (chart || is_temporary(&name, Some(files::CHARTS_DIR)))
        })
    })
}

/// The subfolders of an output folder that this program writes files into.
const OWN_SUBFOLDERS: [&str; 3] = [files::CHARTS_DIR, CELLS_DIR, files::SLURM_DIR];

/// The name of the file a command creates to check that its folder can be written.
const PROBE: &str = "cutover-probe";

/// A temporary file of this program in the output folder (`within` `None`) or one of its
/// subfolders: `.NAME.RANDOM.tmp` as [`super::AtomicFile`] names them (RANDOM of
/// [`super::RANDOM_CHARS`] letters and digits), or `.NAME.tmp-PID` as older versions did, NAME
/// a file this program writes there.
fn is_temporary(name: &str, within: Option<&str>) -> bool {
    let Some(name) = name.strip_prefix('.') else {
        return false;
    };
    let stem = match name
        .strip_suffix(TEMPORARY_SUFFIX)
        .and_then(|n| n.rsplit_once('.'))
    {
        Some((stem, random)) if is_random(random) => stem,
        _ => match name.rsplit_once(".tmp-") {
            Some((stem, pid)) if !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) => stem,
            _ => return false,
        },
    };
    match within {
        None => files::OWN_NAMES.contains(&stem) || stem == PROBE,
        Some(files::CHARTS_DIR) => stem.ends_with(".png") || stem.ends_with(".svg"),
        Some(CELLS_DIR) => stem.starts_with("cell-") && stem.ends_with(".csv"),
        Some(_) => stem.ends_with(".sh") || stem.ends_with(".json"),
    }
}

/// The random part of a temporary name: [`super::RANDOM_CHARS`] ASCII letters and digits.
fn is_random(part: &str) -> bool {
    part.len() == super::RANDOM_CHARS && part.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A staging folder of charts: `.charts.RANDOM.tmp`.
fn is_staging(name: &str) -> bool {
    name.strip_prefix(super::staging::STAGING_PREFIX)
        .and_then(|n| n.strip_suffix(TEMPORARY_SUFFIX))
        .is_some_and(is_random)
}

/// The files an old manifest lists that lie inside its folder (a plain name, or one under a
/// subfolder), so removing them can never reach outside.
fn old_files(manifest: &Path) -> Vec<PathBuf> {
    let dir = manifest.parent().unwrap_or(Path::new(""));
    // A subfolder that is a link (to anywhere) is never entered.
    let inside = |p: &Path| {
        let mut parts = p.components();
        let all_plain = p
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        match (parts.next(), parts.next(), parts.next()) {
            (Some(_), None, None) => all_plain,
            (Some(sub), Some(_), None) => {
                all_plain
                    && fs::symlink_metadata(dir.join(sub)).is_ok_and(|m| m.file_type().is_dir())
            }
            _ => false,
        }
    };
    let Ok(text) = super::read_small_json(manifest) else {
        return Vec::new();
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    json.get("files")
        .and_then(|f| f.as_array())
        .into_iter()
        .flatten()
        .filter_map(|f| f.as_str())
        .map(Path::new)
        .filter(|p| inside(p))
        .map(Path::to_path_buf)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporaries_are_recognised_by_name() {
        assert!(is_temporary(".replications.csv.a1B2c3.tmp", None));
        assert!(is_temporary(".summary.csv.tmp-1234", None));
        assert!(is_temporary(".cutover-probe.Zz09aB.tmp", None));
        assert!(!is_temporary("replications.csv", None));
        assert!(!is_temporary(".summary.csv.tmp-", None));
        assert!(!is_temporary("notes.tmp", None));
        // A user's own hidden files, whatever their ending.
        assert!(!is_temporary(".secret.tmp", None));
        assert!(!is_temporary(".session.tmp-1234", None));
        assert!(!is_temporary(".notes.txt.a1B2c3.tmp", None));
        assert!(!is_temporary(".replications.csv.a1B2.tmp", None));
        assert!(!is_temporary(".replications.csv.a1-2c3.tmp", None));
        assert!(is_temporary(".slips.png.a1B2c3.tmp", Some("charts")));
        assert!(!is_temporary(".slips.png.a1B2c3.tmp", None));
        assert!(is_temporary(".cell-0003.csv.a1B2c3.tmp", Some("cells")));
        assert!(!is_temporary(".draft.csv.a1B2c3.tmp", Some("cells")));
        assert!(is_temporary(".jobs.json.a1B2c3.tmp", Some("slurm")));
        assert!(is_staging(".charts.x1Y2z3.tmp"));
        assert!(!is_staging("charts") && !is_staging(".cells.x1Y2z3.tmp"));
        assert!(!is_staging(".charts.old.tmp") && !is_staging(".charts.x1Y2z.tmp"));
    }

    /// What a killed command left is removed, in the folder and its own subfolders; a user's
    /// files of like names, and anything in a subfolder of theirs, are not.
    #[test]
    fn only_this_programs_temporaries_are_removed() {
        let root = tempfile::tempdir().unwrap();
        let d = root.path();
        for sub in [
            "charts",
            "cells",
            "notes",
            ".charts.backup.tmp",
            ".charts.a1B2c3.tmp",
        ] {
            fs::create_dir(d.join(sub)).unwrap();
        }
        let left = [
            ".manifest.json.a1B2c3.tmp",
            "charts/.slips.svg.a1B2c3.tmp",
            "cells/.cell-0001.csv.a1B2c3.tmp",
            ".charts.a1B2c3.tmp/slips.png",
        ];
        let mine = [
            ".secret.tmp",
            ".session.tmp-12",
            "notes/.manifest.json.a1B2c3.tmp",
            "notes/.draft.tmp",
            ".charts.backup.tmp/thesis.txt",
        ];
        for f in left.iter().chain(&mine) {
            fs::write(d.join(f), "x").unwrap();
        }
        remove_temporaries(d);
        for f in left {
            assert!(!d.join(f).exists(), "{f} left");
        }
        for f in mine {
            assert!(d.join(f).exists(), "{f} removed");
        }
        assert!(!d.join(".charts.a1B2c3.tmp").exists());
    }

    #[test]
    fn a_folder_made_and_left_empty_is_removed_and_no_other() {
        let root = tempfile::tempdir().unwrap();
        let made = root.path().join("made");
        drop(OutputFolder::open(&made, None).unwrap());
        assert!(!made.exists(), "made and left empty");
        let written = root.path().join("written");
        let folder = OutputFolder::open(&written, None).unwrap();
        fs::write(written.join("replications.csv"), "x\n").unwrap();
        drop(folder);
        assert!(written.join("replications.csv").exists());
        let there = root.path().join("there");
        fs::create_dir(&there).unwrap();
        drop(OutputFolder::open(&there, None).unwrap());
        assert!(there.is_dir(), "there before, so kept though empty");
    }

    /// A command waiting for the lock of a folder that its holder made, and removes as it fails,
    /// takes the folder at that path afresh: not the removed one, where nothing can be written.
    #[test]
    fn a_folder_removed_during_the_wait_is_taken_afresh() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        let first = OutputFolder::open(&dir, None).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let wait: LockWait = |_, lock| lock();
                tx.send(()).unwrap();
                let second = OutputFolder::open(&dir, Some(wait)).unwrap();
                fs::write(dir.join("manifest.json"), "{}\n").unwrap();
                second
            })
        };
        rx.recv().unwrap();
        // Let it reach the wait (if it has not yet, it finds no folder and makes one).
        std::thread::sleep(std::time::Duration::from_millis(50));
        drop(first);
        let second = waiter.join().unwrap();
        assert!(dir.join("manifest.json").is_file());
        drop(second);
        assert!(dir.join("manifest.json").is_file(), "written, so kept");
    }
}
