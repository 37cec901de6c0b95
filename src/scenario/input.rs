//! Reading the files a scenario is made of (the scenario itself, its inventory): only regular
//! files, only up to a size cap, and only UTF-8 text, each refusal located.

use std::fmt;
use std::io::Read;
use std::path::Path;

/// Largest scenario file read, in bytes: a sweep list of 100,000 values (the most cells a grid
/// may have) is under 1.5 MB, and the bundled scenarios are a few KB. The TOML parser needs about
/// 100 times a file's size for one of a key on every line, so the cap bounds memory too.
pub const MAX_SCENARIO_BYTES: u64 = 2 << 20;
/// The longest path a file is read or written by, in bytes: Linux's `PATH_MAX`, past which no
/// file can be opened or created anyway.
pub const MAX_PATH_BYTES: usize = 4096;
/// Largest inventory read, in bytes: 10 million tenants of about 60 bytes a line.
pub const MAX_INVENTORY_BYTES: u64 = 1 << 30;

/// Why a file's text could not be read.
#[derive(Debug)]
pub enum ReadProblem {
    Io(std::io::Error),
    /// A folder, device, pipe or socket: reading one could block or never end.
    NotRegular,
    /// A link where links are refused ([`Links::Refuse`]), even to a regular file.
    Link,
    TooLarge {
        limit: u64,
    },
    /// The first byte that is not UTF-8, at a 1-based line and column (in characters); `cell` is
    /// the 1-based cell of a CSV line it falls in, which is what CSV files name as the column.
    NotUtf8 {
        line: usize,
        column: usize,
        cell: usize,
        byte: u8,
    },
}

impl fmt::Display for ReadProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadProblem::Io(e) => write!(f, "{e}"),
            ReadProblem::NotRegular => write!(f, "not a regular file"),
            ReadProblem::Link => write!(
                f,
                "a link, not a regular file: cutover never writes one in its folders, so it is not followed"
            ),
            ReadProblem::TooLarge { limit } => {
                write!(f, "larger than the {} MiB a file may have", limit >> 20)
            }
            ReadProblem::NotUtf8 { byte, .. } => {
                write!(f, "not UTF-8 text (byte 0x{byte:02X})")
            }
        }
    }
}

/// The line of a CSV record. The `csv` crate places a record where its reader started reading
/// it, before the blank lines (and comment lines) it skips, so a record after one would be
/// reported on an earlier line; this counts lines up to that place and then past what the reader
/// skipped. Places are asked for in increasing order, so the text is scanned once.
pub struct CsvLines<'a> {
    text: &'a [u8],
    /// The comment character the reader skips lines starting with, if any.
    comment: Option<u8>,
    /// The offset counted to, and the 1-based line it is on.
    byte: usize,
    line: usize,
}

impl<'a> CsvLines<'a> {
    pub fn new(text: &'a [u8], comment: Option<u8>) -> Self {
        CsvLines {
            text,
            comment,
            byte: 0,
            line: 1,
        }
    }

    /// The line of the record whose reading started at `position` (the reader's before it, the
    /// record's, or that of an error reading it).
    pub fn at(&mut self, position: &csv::Position) -> usize {
        let mut byte = usize::try_from(position.byte())
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        if byte < self.byte {
            (self.byte, self.line) = (0, 1);
        }
        self.line += self.text[self.byte..byte]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        loop {
            match self.text.get(byte) {
                Some(b'\n') => {
                    self.line += 1;
                    byte += 1;
                }
                Some(b'\r') => byte += 1,
                Some(&c) if Some(c) == self.comment => {
                    match self.text[byte..].iter().position(|&b| b == b'\n') {
                        Some(end) => {
                            self.line += 1;
                            byte += end + 1;
                        }
                        None => byte = self.text.len(),
                    }
                }
                _ => break,
            }
        }
        self.byte = byte;
        self.line
    }
}

/// What a quote left open is told, at the line [`unclosed_quote`] finds.
pub const UNCLOSED_QUOTE: &str =
    "a quoted cell opens here and is never closed (every line after it would be read into it)";

/// The 1-based line where a quoted cell opens that the text never closes, if one does. The `csv`
/// reader takes the rest of such a file as that one cell's text without a word, so a stray quote
/// would silently swallow every row after it; the readers of CSV input refuse it instead. This
/// follows the reader's rules: a quote opens a quoted cell only as a cell's first byte, `""`
/// inside one is a quote, and a line starting with `comment` is skipped.
pub fn unclosed_quote(text: &[u8], comment: Option<u8>) -> Option<usize> {
    scan_csv(text, comment, usize::MAX).unclosed_quote
}

/// What [`scan_csv`] finds in CSV text before it is parsed.
pub struct CsvScan {
    /// The line where a quoted cell opens that is never closed (see [`unclosed_quote`]).
    pub unclosed_quote: Option<usize>,
    /// The first line whose record holds more cells than were allowed. The `csv` reader holds a
    /// whole record in memory, at some 20 bytes a cell, so a file of commas within a size cap
    /// would still take many times its size; this finds such a line without reading it so.
    pub wide_line: Option<usize>,
}

/// Scans CSV text as the `csv` reader splits it (see [`unclosed_quote`]) for a quote left open
/// and for a record of more than `most_cells` cells.
pub fn scan_csv(text: &[u8], comment: Option<u8>, most_cells: usize) -> CsvScan {
    // The reader skips a byte order mark, so a quote right after one opens the first cell.
    let text = text.strip_prefix(b"\xef\xbb\xbf").unwrap_or(text);
    let (mut line, mut opened, mut cells, mut wide_line) = (1, 0, 1usize, None);
    let (mut quoted, mut cell_start, mut record_start) = (false, true, true);
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        i += 1;
        if quoted {
            match b {
                b'"' if text.get(i) == Some(&b'"') => i += 1,
                b'"' => quoted = false,
                b'\n' => line += 1,
                _ => {}
            }
            continue;
        }
        match b {
            b'\n' | b'\r' => {
                line += usize::from(b == b'\n');
                (cell_start, record_start, cells) = (true, true, 1);
                continue;
            }
            b',' => {
                (cell_start, record_start) = (true, false);
                cells += 1;
                if cells > most_cells && wide_line.is_none() {
                    wide_line = Some(line);
                }
                continue;
            }
            _ if record_start && Some(b) == comment => {
                i += text[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .unwrap_or(text.len() - i);
            }
            b'"' if cell_start => (quoted, opened) = (true, line),
            _ => {}
        }
        (cell_start, record_start) = (false, false);
    }
    CsvScan {
        unclosed_quote: quoted.then_some(opened),
        wide_line,
    }
}

/// Whether a link in a path's last place is followed to the file it names, or refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Links {
    Follow,
    /// For the files of cutover's own folders (manifests, grid.json, the data files a chart or
    /// the report reads, a sweep's cell files), which it never writes as links: one there was
    /// put by someone else, to have another file read in its place.
    Refuse,
}

/// Opens `path` for reading if it is a regular file (links followed): the one way every file
/// cutover reads is opened (see [`open_file`]).
pub fn open_regular(path: &Path) -> Result<std::fs::File, ReadProblem> {
    open_file(path, Links::Follow)
}

/// Opens `path` for reading if it is a regular file; with `Links::Refuse`, a link in its place
/// (even to one) is [`ReadProblem::Link`]. Checked before opening, because opening a named pipe waits for a
/// writer (for ever, if none comes), and again on the open file, as the name may have been
/// replaced in between: the check that counts is of the file that is then read, through the
/// handle returned (see [`open_without_waiting`] for a pipe or link put there in between).
pub fn open_file(path: &Path, links: Links) -> Result<std::fs::File, ReadProblem> {
    let first = match links {
        Links::Follow => std::fs::metadata(path),
        Links::Refuse => std::fs::symlink_metadata(path),
    };
    let first = first.map_err(ReadProblem::Io)?;
    if first.file_type().is_symlink() {
        return Err(ReadProblem::Link);
    }
    if !first.is_file() {
        return Err(ReadProblem::NotRegular);
    }
    let file = open_without_waiting(path, links)?;
    if !file.metadata().map_err(ReadProblem::Io)?.is_file() {
        return Err(ReadProblem::NotRegular);
    }
    Ok(file)
}

/// Opens `path` for reading; on Linux with `O_NONBLOCK`, so that a named pipe put in a file's
/// place after [`open_file`]'s first check is opened at once (and then refused by its second)
/// instead of waiting for a writer, and with `Links::Refuse` with `O_NOFOLLOW`, so that a link
/// put there is not followed. Reading a regular file ignores the flags.
#[cfg(target_os = "linux")]
fn open_without_waiting(path: &Path, links: Links) -> Result<std::fs::File, ReadProblem> {
    use rustix::fs::OFlags;
    use std::os::unix::fs::OpenOptionsExt;
    let flags = match links {
        Links::Follow => OFlags::NONBLOCK,
        Links::Refuse => OFlags::NONBLOCK | OFlags::NOFOLLOW,
    };
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags.bits() as i32)
        .open(path)
        .map_err(|e| {
            // What `O_NOFOLLOW` answers for a link.
            if links == Links::Refuse
                && e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error())
            {
                ReadProblem::Link
            } else {
                ReadProblem::Io(e)
            }
        })
}

/// Elsewhere only the first check guards against a pipe or link put in the file's place.
#[cfg(not(target_os = "linux"))]
fn open_without_waiting(path: &Path, _links: Links) -> Result<std::fs::File, ReadProblem> {
    std::fs::File::open(path).map_err(ReadProblem::Io)
}

/// Opens `path` as [`open_file`] with `Links::Refuse`, its folder also refused if it is a link:
/// for a file in a subfolder of cutover's own (a sweep's `cells/cell-NNNN.csv`). A `cells` found
/// to be a real folder could be replaced by a link before its files are opened; on Linux the
/// folder is opened first with `O_NOFOLLOW` and the file opened inside that handle, so what is
/// read is always in the folder that was checked.
#[cfg(target_os = "linux")]
pub fn open_in_own_folder(path: &Path) -> Result<std::fs::File, ReadProblem> {
    use rustix::fs::{CWD, Mode, OFlags, openat};
    use rustix::io::Errno;
    let (Some(folder), Some(name)) = (path.parent(), path.file_name()) else {
        return open_file(path, Links::Refuse);
    };
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    let refused = |e: Errno| match e {
        // What `O_NOFOLLOW` answers for a link (`O_DIRECTORY` may answer first).
        Errno::LOOP | Errno::NOTDIR => ReadProblem::Link,
        e => ReadProblem::Io(e.into()),
    };
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let dir = openat(CWD, folder, flags, Mode::empty()).map_err(|e| match e {
        Errno::NOTDIR if !std::fs::symlink_metadata(folder).is_ok_and(|m| m.is_symlink()) => {
            ReadProblem::NotRegular
        }
        e => refused(e),
    })?;
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let file = std::fs::File::from(openat(&dir, name, flags, Mode::empty()).map_err(refused)?);
    if !file.metadata().map_err(ReadProblem::Io)?.is_file() {
        return Err(ReadProblem::NotRegular);
    }
    Ok(file)
}

/// Elsewhere a link in the folder's place after the caller's check is not caught.
#[cfg(not(target_os = "linux"))]
pub fn open_in_own_folder(path: &Path) -> Result<std::fs::File, ReadProblem> {
    open_file(path, Links::Refuse)
}

/// Opens the folder `path` (to lock it, or to make its entries durable); on Linux with
/// `O_DIRECTORY`, so that anything else put in its place after a check that it is a folder is
/// refused at once (`NotADirectory`), never opened: a named pipe would wait for a writer.
pub fn open_folder(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let flags = rustix::fs::OFlags::DIRECTORY | rustix::fs::OFlags::NONBLOCK;
        options.custom_flags(flags.bits() as i32);
    }
    options.open(path)
}

impl From<ReadProblem> for std::io::Error {
    /// For readers that report an `io::Error`: a file that is not regular is invalid input.
    fn from(problem: ReadProblem) -> std::io::Error {
        match problem {
            ReadProblem::Io(e) => e,
            other => std::io::Error::new(std::io::ErrorKind::InvalidInput, other.to_string()),
        }
    }
}

/// Reads `path` as UTF-8 text if it is a regular file (links followed) of at most `limit` bytes.
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadProblem> {
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadProblem::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadProblem::TooLarge { limit });
    }
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let byte = e.as_bytes()[good.len()];
        let good = std::str::from_utf8(good).expect("valid up to here");
        let line_start = good.rfind('\n').map_or(0, |i| i + 1);
        let line = &good[line_start..];
        ReadProblem::NotUtf8 {
            line: good.matches('\n').count() + 1,
            column: line.chars().count() + 1,
            cell: csv_cell(line),
            byte,
        }
    })
}

/// The 1-based cell of a CSV line that the byte after `before` (the line up to it) falls in:
/// one more than the commas outside quoted cells, as the `csv` reader splits a line.
fn csv_cell(before: &str) -> usize {
    let mut quoted = false;
    let mut commas = 0;
    for b in before.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            _ => {}
        }
    }
    commas + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A named pipe made at `path`, which nobody writes.
    #[cfg(target_os = "linux")]
    fn mkfifo(path: &Path) -> std::path::PathBuf {
        let made = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(made.success());
        path.to_path_buf()
    }

    /// A named pipe reached past the first check (as when it replaces the file in between) is
    /// opened without waiting for a writer, and the open file is then seen not to be regular.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_pipe_past_the_first_check_is_opened_without_waiting_and_refused() {
        let dir = tempfile::tempdir().unwrap();
        let pipe = mkfifo(&dir.path().join("obs.csv"));
        let file = open_without_waiting(&pipe, Links::Follow).expect("opened at once, no writer");
        assert!(!file.metadata().unwrap().is_file());
        assert!(matches!(open_regular(&pipe), Err(ReadProblem::NotRegular)));
        let text = dir.path().join("t.csv");
        std::fs::write(&text, "week\n0\n").unwrap();
        let mut read = String::new();
        open_regular(&text)
            .unwrap()
            .read_to_string(&mut read)
            .unwrap();
        assert_eq!(read, "week\n0\n");
    }

    /// A link, or a named pipe, reached past the first check of a file whose links are refused
    /// (as when one replaces the file in between) is refused on opening, without waiting, and
    /// never followed; a regular file is read through the handle.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_link_or_pipe_past_the_first_check_is_refused_where_links_are() {
        let dir = tempfile::tempdir().unwrap();
        let cell = dir.path().join("cell-0000.csv");
        std::fs::write(&cell, "cell\n0\n").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&cell, &link).unwrap();
        assert!(matches!(
            open_without_waiting(&link, Links::Refuse),
            Err(ReadProblem::Link)
        ));
        assert!(matches!(
            open_file(&link, Links::Refuse),
            Err(ReadProblem::Link)
        ));
        assert!(open_file(&link, Links::Follow).is_ok());
        let pipe = mkfifo(&dir.path().join("pipe.csv"));
        let opened = open_without_waiting(&pipe, Links::Refuse).expect("opened at once");
        assert!(!opened.metadata().unwrap().is_file());
        assert!(matches!(
            open_file(&pipe, Links::Refuse),
            Err(ReadProblem::NotRegular)
        ));
        // A pipe in a folder's place is refused without being opened.
        let refused = open_folder(&pipe).expect_err("not a folder");
        assert_eq!(refused.kind(), std::io::ErrorKind::NotADirectory);
        assert!(
            open_folder(dir.path())
                .unwrap()
                .metadata()
                .unwrap()
                .is_dir()
        );
        let mut read = String::new();
        open_file(&cell, Links::Refuse)
            .unwrap()
            .read_to_string(&mut read)
            .unwrap();
        assert_eq!(read, "cell\n0\n");
    }

    /// A file of a folder of cutover's own is read only inside that folder: a link in the
    /// folder's place (to a folder holding a file of that name) is refused, as is a link or a
    /// pipe in the file's; a missing file is `NotFound`, as `read_cell` needs.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_is_read_only_inside_its_own_folder() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::fs::write(elsewhere.join("cell-0000.csv"), "cell\n0\n").unwrap();
        std::os::unix::fs::symlink(&elsewhere, dir.path().join("cells")).unwrap();
        let through = dir.path().join("cells/cell-0000.csv");
        assert!(open_file(&through, Links::Refuse).is_ok(), "the old check");
        assert!(matches!(
            open_in_own_folder(&through),
            Err(ReadProblem::Link)
        ));
        let mut read = String::new();
        open_in_own_folder(&elsewhere.join("cell-0000.csv"))
            .unwrap()
            .read_to_string(&mut read)
            .unwrap();
        assert_eq!(read, "cell\n0\n");
        let missing = open_in_own_folder(&elsewhere.join("cell-0001.csv"));
        assert!(
            matches!(missing, Err(ReadProblem::Io(e)) if e.kind() == std::io::ErrorKind::NotFound)
        );
        std::os::unix::fs::symlink(elsewhere.join("cell-0000.csv"), elsewhere.join("link.csv"))
            .unwrap();
        assert!(matches!(
            open_in_own_folder(&elsewhere.join("link.csv")),
            Err(ReadProblem::Link)
        ));
        let pipe = mkfifo(&elsewhere.join("pipe.csv"));
        assert!(matches!(
            open_in_own_folder(&pipe),
            Err(ReadProblem::NotRegular)
        ));
    }

    /// Checked against the `csv` reader itself: where it reads the whole file, no quote is left
    /// open; where a quote is, the reader has taken the rest of the file into one cell.
    #[test]
    fn an_unclosed_quote_is_found_where_it_opens() {
        let closed: [&[u8]; 7] = [
            b"week,slips\n0,1\n",
            b"week,note\n0,\"a, \"\"b\"\"\nc\"\n1,x\n",
            b"week,note\n0,a\"b\n1,\"x\"y\"\n",
            b"# a \" quote\nweek,note\n0,1\n",
            b"week,note\r\n0,\"\"\r\n",
            b"week,note\n0,1 # \"\n",
            b"",
        ];
        for text in closed {
            assert_eq!(
                unclosed_quote(text, Some(b'#')),
                None,
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
        let open: [(&[u8], usize); 5] = [
            (b"week,note\n0,\"1\n", 2),
            (b"week,note\n0,1\n\n3,\"a\"\"\n4,5\n", 4),
            (b"week,note\n0,\"a\nb\"\n1,\"", 4),
            (b"\"week,note\n", 1),
            (b"\xef\xbb\xbf\"week,note\n", 1),
        ];
        for (text, line) in open {
            assert_eq!(
                unclosed_quote(text, Some(b'#')),
                Some(line),
                "{:?}",
                String::from_utf8_lossy(text)
            );
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .comment(Some(b'#'))
                .from_reader(text);
            let last = reader.records().filter_map(Result::ok).last().unwrap();
            assert!(last.iter().next_back().unwrap().contains('\n') || text.ends_with(b"\""));
        }
    }

    #[test]
    fn a_bad_bytes_cell_counts_the_commas_outside_quotes_before_it() {
        for (before, cell) in [
            ("", 1),
            ("a", 1),
            ("a,", 2),
            ("a,b,", 3),
            ("\"x, y\",", 2),
            ("\"x, \"\"y\"\", z", 1),
        ] {
            assert_eq!(csv_cell(before), cell, "{before:?}");
        }
    }

    #[test]
    fn bad_bytes_are_located_and_devices_refused() {
        let dir = std::env::temp_dir().join(format!("cutover-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.toml");
        std::fs::write(&path, b"name = \"x\"\nab\xc3\xa9c\xff = 1\n").unwrap();
        match read_text(&path, 1000) {
            Err(ReadProblem::NotUtf8 {
                line, column, byte, ..
            }) => {
                assert_eq!((line, column, byte), (2, 5, 0xff))
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            read_text(&path, 4),
            Err(ReadProblem::TooLarge { limit: 4 })
        ));
        assert!(matches!(
            read_text(&dir, 1000),
            Err(ReadProblem::NotRegular)
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
