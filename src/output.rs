//! CSV and JSON output: writers that return bytes, and one place that owns files and writes them atomically.

mod cells;
mod csv_files;
mod folder;
mod manifest;
mod staging;
pub mod sweep_files;

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

pub use cells::{CsvBuilder, filed, format_number};
pub use csv_files::{
    SUMMARY_COLUMNS, batches_csv, column_max, comparison_csv, completion_csv, format_datetime,
    hourly_csv, islands_csv, metric_text, replications_csv, seek_csv, selection_csv, spans_csv,
    summarize_metric, summary_cells, summary_csv, tenants_csv, timeseries_csv, tradeoffs_csv,
    weekly_csv, weekly_means,
};
pub use folder::{LockWait, OutputFolder};
pub use manifest::{
    CellsMet, Execution, FolderManifest, Head, Manifest, PhaseStart, PrecisionRecord, Relisting,
    SweepPrecision, file_names, write_manifest,
};
pub use staging::Staging;

use crate::error::Error;

/// How the names of temporary files end (`.NAME.RANDOM.tmp`).
pub const TEMPORARY_SUFFIX: &str = ".tmp";
/// How many letters and digits make the RANDOM of a temporary name: set, not left to the
/// `tempfile` crate's default, since the next command recognises its temporaries by it.
const RANDOM_CHARS: usize = 6;

/// A file being written under a temporary name in its folder, then renamed to its final name
/// by [`AtomicFile::commit`]; dropped uncommitted, the temporary file is removed.
///
/// The temporary name is unpredictable and created with create-new semantics (`O_EXCL`), so
/// neither an existing file nor a planted link under it is ever followed; the rename replaces a
/// link at the final name rather than writing through it. It is created with the mode any tool
/// gives a new file, 0666 less the process's umask (as `File::create`), not the 0600 of a
/// temporary file, so colleagues can read the results wherever the umask lets them.
pub struct AtomicFile {
    path: PathBuf,
    file: BufWriter<tempfile::NamedTempFile>,
}

impl AtomicFile {
    pub fn create(path: &Path) -> Result<AtomicFile, Error> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder
            .prefix(&prefix)
            .suffix(TEMPORARY_SUFFIX)
            .rand_bytes(RANDOM_CHARS);
        // Given to open(2) with O_EXCL, so the kernel applies the umask: no chmod afterwards.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let tmp =
            unless_stopping(|| builder.tempfile_in(folder_of(path))).map_err(failed_on(path))?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            file: BufWriter::new(tmp),
        })
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.file.write_all(bytes).map_err(failed_on(&self.path))
    }

    /// Flushes the file to disk, renames it to its final name and makes the rename durable (the
    /// folder is synced too, so a power cut cannot lose a file that was reported written).
    pub fn commit(self) -> Result<(), Error> {
        let path = self.path.clone();
        let tmp = self.into_synced()?;
        unless_stopping(|| tmp.persist(&path)).map_err(|e| failed_on(&path)(e.error))?;
        sync_dir(folder_of(&path)).map_err(failed_on(&path))
    }

    /// The temporary file, flushed to disk, for a caller that renames it together with others.
    fn into_synced(self) -> Result<tempfile::NamedTempFile, Error> {
        let path = self.path;
        let tmp = self
            .file
            .into_inner()
            .map_err(|e| failed_on(&path)(e.into_error()))?;
        tmp.as_file().sync_all().map_err(failed_on(&path))?;
        Ok(tmp)
    }
}

/// The error of a file operation on `path` that failed, for `map_err`: the one way an
/// [`Error::Output`] is made (a chart's is then renamed, [`Staging::naming_final`]), saying
/// whether the command had changed its folder by then.
pub(crate) fn failed_on(path: &Path) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::Output {
        path,
        source: as_the_system_gave_it(source),
        stage: folder::stage(),
    }
}

/// `e` as the system gave it. `tempfile` adds the temporary file's name to the errors of a file
/// it creates or writes (`No space left on device (os error 28) at path "DIR/.NAME.x1Yz.tmp"`):
/// a name that is gone once the command stops, where the message names the file it was to
/// become. Its kind, which says what the exit code is, stays.
fn as_the_system_gave_it(e: std::io::Error) -> std::io::Error {
    if e.raw_os_error().is_some() || e.get_ref().is_none() {
        return e;
    }
    let text = e.to_string();
    match text.rfind(" at path \"") {
        Some(at) => std::io::Error::new(e.kind(), &text[..at]),
        None => e,
    }
}

/// Whether this process may still create or rename its files: `false` once it stops at once
/// ([`abandon`]). Held while a temporary file is created and while one is renamed to its final
/// name, so that once `abandon` has set it every temporary file is either there to be removed or
/// never created, and no file is half renamed.
static WRITING: Mutex<bool> = Mutex::new(true);

/// Runs `f`, which creates or renames a file, unless the process is stopping at once: then the
/// thread waits for the exit instead, neither leaving a new temporary file nor reporting an error
/// about one removed under it.
fn unless_stopping<T>(f: impl FnOnce() -> T) -> T {
    let _writing = writing();
    f()
}

/// Holds [`WRITING`] for a creation or rename (or several that must happen together), unless the
/// process is stopping at once: then the thread waits for the exit instead.
fn writing() -> MutexGuard<'static, bool> {
    let writing = WRITING.lock().unwrap_or_else(PoisonError::into_inner);
    if !*writing {
        drop(writing);
        loop {
            std::thread::park();
        }
    }
    writing
}

/// Stops this process from creating or renaming files, then removes the temporary files in `dir`
/// and its subfolders, and its staging folders ([`Staging`]): called just before the process exits at once (a second Ctrl-C), so that
/// the folder holds only whole files, as it always does.
pub fn abandon(dir: &Path) {
    *WRITING.lock().unwrap_or_else(PoisonError::into_inner) = false;
    folder::remove_temporaries(dir);
}

fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Makes the entries of `dir` (renames, removals) durable. Where folders cannot be opened for
/// syncing (not Unix) the rename is still atomic, only not yet durable.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    if cfg!(unix) {
        crate::scenario::open_folder(dir)?.sync_all()
    } else {
        Ok(())
    }
}

/// Writes `bytes` to `path` atomically (see [`AtomicFile`]): a reader, or a crash, never sees a
/// half-written file under the final name.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes)?;
    file.commit()
}

/// Creates the output folder (and its parents).
pub fn create_dir(dir: &Path) -> Result<(), Error> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Usage(format!(
            "cannot write {}: it is a file, not a folder (name a folder for the output)",
            dir.display()
        )));
    }
    fs::create_dir_all(dir).map_err(|source| {
        use std::io::ErrorKind::{AlreadyExists, NotADirectory};
        if !matches!(source.kind(), AlreadyExists | NotADirectory) {
            return failed_on(dir)(source);
        }
        // Something that is no folder is in the way: the system's "File exists" or "Not a
        // directory" would not say what, nor where.
        let blocker = dir.ancestors().find_map(|a| {
            let link = fs::symlink_metadata(a).ok()?.is_symlink();
            Some(match fs::read_link(a) {
                Ok(target) if link && !a.exists() => format!(
                    "{} is a link to {}, which does not exist",
                    a.display(),
                    target.display()
                ),
                _ => format!("{} is a file, not a folder", a.display()),
            })
        });
        Error::Usage(format!(
            "cannot write {}: {} (name a folder for the output)",
            dir.display(),
            blocker.unwrap_or_else(|| "it is a file, not a folder".into())
        ))
    })
}

/// The subfolder `name` of `dir`, created if absent. One that exists must be a real folder: a
/// link (to a folder elsewhere) is refused, never followed.
pub fn create_subdir(dir: &Path, name: &str) -> Result<PathBuf, Error> {
    let path = dir.join(name);
    match fs::create_dir(&path) {
        Ok(()) => return Ok(path),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(source) => return Err(failed_on(&path)(source)),
    }
    check_subdir(&path)?;
    Ok(path)
}

/// Refuses a subfolder `path` that exists and is not a real folder (a link is never followed);
/// one that does not exist yet is fine.
pub(crate) fn check_subdir(path: &Path) -> Result<(), Error> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_dir() => Ok(()),
        Ok(m) if m.file_type().is_symlink() => Err(Error::Usage(format!(
            "{} is a link: cutover writes only into folders it can see are inside the output folder; remove the link",
            path.display()
        ))),
        Ok(_) => Err(Error::Usage(format!(
            "{} is in the way: it is not a folder",
            path.display()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(failed_on(path)(source)),
    }
}

/// Reads a small text file of this program (a manifest, grid.json) if it is a regular file of at
/// most 16 MiB, not a link (cutover never writes one: see `Links::Refuse`); a larger one is
/// refused as such, not cut short and then found malformed.
pub(crate) fn read_small(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    const LIMIT: u64 = 16 << 20;
    let file = crate::scenario::open_file(path, crate::scenario::Links::Refuse)?;
    let mut text = String::new();
    // Reading one byte past the limit tells a file over it from one exactly at it.
    file.take(LIMIT + 1).read_to_string(&mut text)?;
    if text.len() as u64 > LIMIT {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "larger than {} MiB, more than cutover ever writes there",
                LIMIT >> 20
            ),
        ));
    }
    Ok(text)
}

/// The most memory a JSON file of this program takes once parsed, per byte of its text: a list
/// of one-digit numbers (2 bytes each) is a value of 16 bytes each, twice as a list grows, and a
/// manifest's list of files is copied again when it is listed anew; 37 were measured (a
/// manifest listing 4 million one-letter files, for `plot`).
const JSON_BYTES_PER_BYTE: u64 = 40;

/// [`read_small`] for a JSON file (a manifest, grid.json), refused if what parsing it takes
/// (`JSON_BYTES_PER_BYTE`) would not fit the memory there is (or `CUTOVER_MEMORY_LIMIT`).
pub(crate) fn read_small_json(path: &Path) -> std::io::Result<String> {
    use std::io::{Error, ErrorKind};
    let text = read_small(path)?;
    let budget = crate::scenario::MemoryBudget::current().map_err(Error::other)?;
    let need = (text.len() as u64).saturating_mul(JSON_BYTES_PER_BYTE);
    match budget {
        Some(budget) if need > budget.bytes() => Err(Error::new(
            ErrorKind::OutOfMemory,
            budget.exceeded(
                "reading it",
                need,
                &format!(
                    ", parsed as JSON, up to {JSON_BYTES_PER_BYTE} bytes for each of its {} bytes",
                    text.len()
                ),
            ),
        )),
        _ => Ok(text),
    }
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
