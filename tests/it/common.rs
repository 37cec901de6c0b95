//! Helpers shared by the integration tests: running the binary, reading its CSV files, small scenarios.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

use cutover::model::{Detail, ReplicationMetrics, simulate};
use cutover::policy;
use cutover::scenario::Scenario;

/// A small scenario with every mechanism switched on (blocked tenants, retries, hard failures,
/// operators on shifts) so that the invariants are exercised, yet quick in a debug build.
pub const SMALL_SCENARIO: &str = r#"# A small programme for tests.
name = "small"
seed = 7
replications = 3

[population]
tenants = 150
regions = ["NA", "EMEA"]
region_weights = [0.6, 0.4]
blocked_fraction = 0.2
blocked_days = { dist = "exponential", mean = 20 }

[phases]
window_hours = 6            # short enough that a few big tenants slip

[batching]
max_tenants = 40

[copy]
slots = 30

[workitems]
transient_probability = 0.05
hard_failure_probability = 0.01

[workitems.mailbox_cutover]
hard_failure_probability = 0.05

[operators]
weekday = 1
weekend = 2
"#;

/// Overrides under which nothing can go wrong: no failures, nobody blocked, room for every tenant
/// on one weekend and copy capacity to spare.
pub const AMPLE: &[&str] = &[
    "population.blocked_fraction=0",
    "workitems.transient_probability=0",
    "workitems.hard_failure_probability=0",
    "batching.max_tenants=1000000",
    "batching.max_seats=1000000000",
    "batching.max_data_gb=1000000000",
    "copy.slots=1000000",
    "copy.per_tenant=10000",
];

/// The columns of summary.csv after its identifying ones (`cell` in a sweep's), in order.
pub const SUMMARY_COLUMNS: &[&str] = &[
    "metric",
    "mean",
    "std",
    "ci95_low",
    "ci95_high",
    "p50",
    "p90",
    "p99",
    "min",
    "max",
];

/// The arguments of a quick run: `cutover run small-pilot` of one replication, without charts,
/// into `out`, quietly, with `extra` arguments.
pub fn quick_run<'a>(out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["run", "small-pilot", "--reps", "1", "--no-charts"];
    args.extend_from_slice(extra);
    args.extend(["--out", out, "-q"]);
    args
}

/// Runs `cutover run FILE` of two replications without charts into `out`, quietly, and asserts
/// it succeeded.
pub fn run_two_replications(dir: &Path, file: &str, out: &Path) {
    let out = out.to_str().expect("temp paths are UTF-8");
    let args = [
        "run",
        file,
        "--reps",
        "2",
        "--no-charts",
        "--quiet",
        "--out",
        out,
    ];
    assert_success(&cutover(dir, &args));
}

/// Runs the sweep command line `base` whole into `single` and as two shards into `shards/1` and
/// `shards/2`, each asserted to succeed.
pub fn sweep_whole_and_in_two_shards(dir: &Path, base: &[&str]) {
    assert_success(&cutover(dir, &[base, &["--out", "single"]].concat()));
    for k in ["1", "2"] {
        let shard = format!("{k}/2");
        let out = format!("shards/{k}");
        assert_success(&cutover(
            dir,
            &[base, &["--shard", &shard, "--out", &out]].concat(),
        ));
    }
}

/// Runs the `cutover` binary with `args` in the folder `cwd` (so a default output folder, if any,
/// lands there too).
pub fn cutover(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the cutover binary starts")
}

/// Asserts a run succeeded, showing its stderr if not.
pub fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "cutover failed with {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Asserts a command failed as bad input (exit code 2, no panic) and that stderr contains every
/// one of `needles`; returns stderr.
pub fn assert_bad_input(out: &Output, needles: &[&str]) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit code\nstdout:\n{}\nstderr:\n{stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!stderr.contains("panicked"), "a panic:\n{stderr}");
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "stderr lacks `{needle}`:\n{stderr}"
        );
    }
    stderr
}

/// A CSV file read into its header and rows of text cells.
#[derive(Debug)]
pub struct Csv {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Csv {
    /// Index of the column `name`; panics naming the file's columns if there is none.
    pub fn index(&self, name: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column `{name}` in {:?}", self.headers))
    }

    /// All cells of the column `name`.
    pub fn column(&self, name: &str) -> Vec<&str> {
        let i = self.index(name);
        self.rows.iter().map(|r| r[i].as_str()).collect()
    }

    /// The cells of column `name` as numbers (empty cells are NaN).
    pub fn numbers(&self, name: &str) -> Vec<f64> {
        self.column(name)
            .into_iter()
            .map(|c| {
                if c.is_empty() {
                    f64::NAN
                } else {
                    c.parse()
                        .unwrap_or_else(|_| panic!("`{c}` in column `{name}` is not a number"))
                }
            })
            .collect()
    }
}

/// Reads a CSV file with a header row.
pub fn read_csv(path: &Path) -> Csv {
    let mut reader = csv::Reader::from_path(path)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    let headers = reader
        .headers()
        .expect("a header row")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            r.unwrap_or_else(|e| panic!("bad record in {}: {e}", path.display()))
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect();
    Csv { headers, rows }
}

/// Asserts that every column in `required` is in the header.
pub fn assert_has_columns(file: &str, csv: &Csv, required: &[&str]) {
    let missing: Vec<&&str> = required
        .iter()
        .filter(|c| !csv.headers.iter().any(|h| h == *c))
        .collect();
    assert!(
        missing.is_empty(),
        "{file} lacks columns {missing:?}; it has {:?}",
        csv.headers
    );
}

/// Writes `value` in place of the cell at `line` (the header is line 1) and `column` (from 1) of
/// the CSV file at `path`, cells split at commas (the rows edited hold no quoted comma); returns
/// the text the file had, to put back.
pub fn set_cell(path: &Path, line: usize, column: usize, value: &str) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut cells: Vec<String> = lines[line - 1].split(',').map(String::from).collect();
    cells[column - 1] = value.to_string();
    lines[line - 1] = cells.join(",");
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
    text
}

/// Writes `text` as `name` into `dir` and returns the path as a string for the command line.
pub fn write_file(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("temp folder is writable");
    path.to_str().expect("temp paths are UTF-8").to_string()
}

/// `SMALL_SCENARIO` with `overrides` applied (`key=value` strings).
pub fn small_scenario(overrides: &[&str]) -> Scenario {
    scenario(SMALL_SCENARIO, overrides)
}

/// A scenario from text with `overrides` applied; panics with the diagnostics if it is invalid.
pub fn scenario(text: &str, overrides: &[&str]) -> Scenario {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    Scenario::from_text(text, "test.toml", &overrides).unwrap_or_else(|e| panic!("{e}"))
}

/// A fresh temporary folder for one test.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

/// Waits for `child`, killing it if it has not finished within `limit`.
pub fn wait_at_most(mut child: Child, limit: Duration) -> Output {
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() && started.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    child.wait_with_output().unwrap()
}

/// Every file under `dir`, as paths relative to it, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(
                    path.strip_prefix(root)
                        .expect("under the root")
                        .to_path_buf(),
                );
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Replication `replication` of `sc` under its own batch policy, with the detail records.
pub fn run_detailed(sc: &Scenario, replication: u64) -> (ReplicationMetrics, Detail) {
    let policy = policy::by_name(&sc.batching.policy).expect("a known policy");
    let out = simulate(sc, policy.as_ref(), replication, true);
    let detail = out.detail.expect("detail was asked for");
    (out.metrics, detail)
}

/// A tmpfs of a chosen size mounted on a folder, for what a full disk does to a command;
/// unmounted when dropped. Mounting needs root, as CI runs: where it cannot be mounted,
/// [`Tmpfs::mount`] says why and the test skips.
#[cfg(target_os = "linux")]
pub struct Tmpfs {
    path: PathBuf,
}

#[cfg(target_os = "linux")]
impl Tmpfs {
    /// A tmpfs of `kib` KiB on `path` (created), or `None`, said on stderr, where it cannot be
    /// mounted (not root, no mount permitted).
    pub fn mount(path: &Path, kib: u64) -> Option<Tmpfs> {
        std::fs::create_dir_all(path).unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(path)
            .output();
        let why = match mounted {
            Ok(out) if out.status.success() => {
                return Some(Tmpfs {
                    path: path.to_path_buf(),
                });
            }
            Ok(out) => String::from_utf8_lossy(&out.stderr).trim().to_string(),
            Err(e) => format!("mount: {e}"),
        };
        eprintln!("skipped: no tmpfs could be mounted to fill (it needs root): {why}");
        None
    }

    /// Makes the disk `kib` KiB in all, no less than it holds: [`Tmpfs::used`] fills it.
    pub fn resize(&self, kib: u64) {
        let out = Command::new("mount")
            .args(["-o", &format!("remount,size={kib}k")])
            .arg(&self.path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }

    /// The KiB its files take.
    pub fn used(&self) -> u64 {
        let fs = rustix::fs::statvfs(&self.path).unwrap();
        (fs.f_blocks - fs.f_bfree) * fs.f_frsize / 1024
    }
}

#[cfg(target_os = "linux")]
impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
    }
}

/// Every entry under `dir` (a folder as a name ending in `/`, hidden ones included) with the
/// bytes of each file: two are equal only if nothing was added, removed or changed.
pub fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut entries = std::collections::BTreeMap::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let name = path
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                entries.insert(format!("{name}/"), Vec::new());
                folders.push(path);
            } else {
                entries.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    entries
}
