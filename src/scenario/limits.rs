//! Limits on what a scenario may ask for, checked before anything is allocated: hard limits on the
//! size of a `[sweep]` grid, and an estimate of the memory a run needs compared with what the
//! machine has, so a scenario too large for the machine gets a message instead of an
//! out-of-memory kill.
//!
//! The other hard limits (tenants, seats per tenant, replications, the calendar's horizon) are
//! ranges of the keys themselves, checked where each key is read.

use super::Scenario;
use super::doc::Table;
use super::reader::Diagnostics;
use crate::engine::CounterRng;

/// Most cells a `[sweep]` grid may have: each is a validated scenario held in memory while the
/// sweep runs, and a larger grid is almost always a mistake (a key swept twice, a list too long).
pub const MAX_SWEEP_CELLS: usize = 100_000;

/// Memory figures measured on the bundled scenarios (peak resident set size of release builds,
/// see docs/scenario.md, "Limits"): what one replication holds per tenant, per mailbox, per user
/// and per contact pair of its largest tenant, and what the detail replication adds per tenant.
const BASE_BYTES: f64 = 16e6;
const BYTES_PER_TENANT: f64 = 1_400.0;
const BYTES_PER_MAILBOX: f64 = 60.0;
const BYTES_PER_USER: f64 = 64.0;
const BYTES_PER_PAIR: f64 = 20.0;
const DETAIL_BYTES_PER_TENANT: f64 = 2_000.0;
const DETAIL_BYTES_PER_PAIR: f64 = 8.0;
/// Kept per replication until the files are written: its metrics, its row of text and its daily
/// completion counts.
const RESULT_BYTES: f64 = 1_024.0;
const RESULT_BYTES_PER_DAY: f64 = 4.0;

/// Draws used to estimate the mean size of a generated tenant: enough for a heavy-tailed seat
/// distribution's mean to within a few percent, and still well under a millisecond.
const MEAN_DRAWS: u32 = 4_096;

/// Environment variable that replaces the machine's available memory in the check, e.g. `8G`:
/// for a cluster job whose allocation is smaller than the node, or to go ahead regardless.
pub const MEMORY_LIMIT_VAR: &str = "CUTOVER_MEMORY_LIMIT";

/// Checks the hard limits of a read scenario; problems go to `diags`, located at the key at fault.
pub(super) fn check(scenario: &Scenario, table: &Table, diags: &Diagnostics) {
    if let (Some(grid), Some(entry)) = (&scenario.sweep, table.get("sweep")) {
        let cells = grid.len();
        if cells > MAX_SWEEP_CELLS {
            let count = if cells == usize::MAX {
                "more cells than can be counted".to_string()
            } else {
                format!("{cells} cells")
            };
            diags.push(
                entry.origin.clone(),
                "sweep",
                format!("`[sweep]` has {count}, more than the {MAX_SWEEP_CELLS} a sweep may have"),
                Some("sweep fewer values, zip keys that move together, or split the grid".into()),
            );
        }
    }
}

/// What a command runs: how many replications' results it keeps until its files are written, how
/// many replications run at once, and whether one of them records detail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Workload {
    pub replications_held: u64,
    pub at_once: u64,
    pub detail: bool,
}

impl Workload {
    /// `cutover run`: every replication's results kept, one replication with detail.
    pub fn run(replications: u64, threads: usize) -> Self {
        Workload {
            replications_held: replications,
            at_once: replications.clamp(1, threads.max(1) as u64),
            detail: true,
        }
    }

    /// `cutover compare`: every policy's replications kept, one policy running at a time.
    pub fn compare(replications: u64, policies: usize, threads: usize) -> Self {
        Workload {
            replications_held: replications.saturating_mul(policies as u64),
            detail: false,
            ..Workload::run(replications, threads)
        }
    }

    /// `cutover sweep`: cells' replications spread over the threads; only unfinished cells'
    /// results are kept.
    pub fn sweep(cells: usize, replications: u64, threads: usize) -> Self {
        let jobs = replications.saturating_mul(cells as u64);
        let at_once = jobs.clamp(1, threads.max(1) as u64);
        Workload {
            replications_held: replications.saturating_mul(at_once),
            at_once,
            detail: false,
        }
    }
}

/// What a run needs in memory, estimated from the scenario before anything is allocated.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MemoryEstimate {
    /// Bytes one replication holds at its peak.
    pub per_replication: u64,
    /// Replications in memory at once: the worker threads, or fewer if there are fewer replications.
    pub at_once: u64,
    /// Bytes held once per run: the detail replication's records and every replication's results.
    pub shared: u64,
}

impl MemoryEstimate {
    /// The estimate for `work` on `scenario`.
    pub fn of(scenario: &Scenario, work: Workload) -> Self {
        let p = &scenario.population;
        let tenants = f64::from(p.tenants);
        let (mailboxes, largest) = mailboxes_and_largest_tenant(scenario);
        let degree = scenario.lync.contacts_mean.min((largest - 1.0).max(0.0));
        let pairs = (largest * degree / 2.0).round();
        let per_replication = BASE_BYTES
            + tenants * BYTES_PER_TENANT
            + mailboxes * BYTES_PER_MAILBOX
            + largest * BYTES_PER_USER
            + pairs * BYTES_PER_PAIR;
        let days = scenario
            .calendar
            .end
            .days_since(scenario.calendar.start)
            .max(0) as f64
            + 1.0;
        let mut shared =
            work.replications_held as f64 * (RESULT_BYTES + days * RESULT_BYTES_PER_DAY);
        if work.detail {
            shared += tenants * DETAIL_BYTES_PER_TENANT + pairs * DETAIL_BYTES_PER_PAIR;
        }
        MemoryEstimate {
            per_replication: bytes(per_replication),
            at_once: work.at_once.max(1),
            shared: bytes(shared),
        }
    }

    /// All of it: every replication in memory at once, plus what the run holds once.
    pub fn total(&self) -> u64 {
        self.per_replication
            .saturating_mul(self.at_once)
            .saturating_add(self.shared)
    }

    /// An error if the estimate exceeds `budget`, saying how much is needed and how to need less.
    pub fn check(&self, scenario: &str, budget: MemoryBudget) -> Result<(), String> {
        if self.total() <= budget.bytes() {
            return Ok(());
        }
        let threads = if self.at_once == 1 {
            String::new()
        } else {
            format!(" (x {} threads)", self.at_once)
        };
        // Fewer threads help only if one replication fits: then name how many do.
        let fit = budget.bytes().saturating_sub(self.shared) / self.per_replication.max(1);
        let keys = "lower `population.tenants`, `population.seats`, `population.shared_mailboxes` (mailboxes) or `lync.contacts_mean` (a large tenant's chat)";
        let advice = if fit == 1 && self.at_once > 1 {
            format!("run with --threads 1, or {keys}")
        } else if (2..self.at_once).contains(&fit) {
            format!("run with --threads {fit} or fewer, or {keys}")
        } else {
            keys.to_string()
        };
        Err(format!(
            "scenario `{scenario}` needs about {} of memory per replication{threads}, {} in all; {}\n  {advice}; {MEMORY_LIMIT_VAR}=SIZE (e.g. 64G) sets the memory to assume",
            gb(self.per_replication),
            gb(self.total()),
            budget.describe(),
        ))
    }
}

/// How much memory a run may use, and where that figure comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemoryBudget {
    /// What the machine (or the container or job it runs in) has available, in bytes.
    Available(u64),
    /// What `CUTOVER_MEMORY_LIMIT` allows, in bytes.
    Limit(u64),
}

impl MemoryBudget {
    /// The budget of this process: `CUTOVER_MEMORY_LIMIT` if set, else the available memory;
    /// `None` where that cannot be read. The error is a message about the variable.
    pub fn current() -> Result<Option<MemoryBudget>, String> {
        Ok(match Self::limit()? {
            Some(bytes) => Some(MemoryBudget::Limit(bytes)),
            None => available_memory().map(MemoryBudget::Available),
        })
    }

    /// Checks that `CUTOVER_MEMORY_LIMIT`, if set, is a size; the message about it if not.
    /// Checked as a command starts, so that a limit that cannot be read is named as such, not
    /// in the message of the first file read that the budget is checked for.
    pub fn check_variable() -> Result<(), String> {
        Self::limit().map(|_| ())
    }

    /// What `CUTOVER_MEMORY_LIMIT` allows, in bytes; `None` where it is not set.
    fn limit() -> Result<Option<u64>, String> {
        match std::env::var(MEMORY_LIMIT_VAR) {
            Ok(text) => parse_size(&text).map(Some).ok_or_else(|| {
                format!(
                    "{MEMORY_LIMIT_VAR}=`{}` is not a size such as 8G, 512M or 2000000000",
                    super::abbreviate(&text)
                )
            }),
            // Set, but not to text: a limit meant and not understood, never silently ignored.
            Err(std::env::VarError::NotUnicode(_)) => Err(format!(
                "{MEMORY_LIMIT_VAR} is not UTF-8 text; give a size such as 8G, 512M or 2000000000"
            )),
            Err(std::env::VarError::NotPresent) => Ok(None),
        }
    }

    pub fn bytes(self) -> u64 {
        match self {
            MemoryBudget::Available(b) | MemoryBudget::Limit(b) => b,
        }
    }

    /// The message refusing `what`, which needs `need` bytes, more than this budget; `basis`
    /// says how that is known (empty, or a clause starting with a comma).
    pub fn exceeded(self, what: &str, need: u64, basis: &str) -> String {
        format!(
            "{what} needs about {} of memory{basis}; {}; {MEMORY_LIMIT_VAR}=SIZE (e.g. 64G) sets the memory to assume",
            gb(need),
            self.describe()
        )
    }

    /// Checks a file being read into memory for `what` (e.g. `holding it`): once its first
    /// `parts` `unit`s (e.g. `rows`), the first `read` of its `size` bytes, are held in `fixed`
    /// bytes (what the whole file takes whatever is read of it, such as its text read whole)
    /// and `growing` bytes (what those parts take), the message refusing it if that passes
    /// this budget, with what the whole file would need, `growing` in proportion to what is
    /// read of it. Called as each part is held, it refuses a file too large as soon as what is
    /// read shows so, before the rest is read.
    pub fn check_reading(
        self,
        what: &str,
        (fixed, growing): (u64, u64),
        (parts, unit): (usize, &str),
        (read, size): (u64, u64),
    ) -> Result<(), String> {
        let held = fixed.saturating_add(growing);
        if held <= self.bytes() {
            return Ok(());
        }
        let read = read.max(1);
        let whole = fixed.saturating_add((growing as f64 * size as f64 / read as f64) as u64);
        let basis = format!(", as its first {parts} {unit} ({read} of its {size} bytes) show");
        Err(self.exceeded(what, whole.max(held), &basis))
    }

    fn describe(self) -> String {
        match self {
            MemoryBudget::Available(b) => format!("this machine has {} available", gb(b)),
            MemoryBudget::Limit(b) => format!("{MEMORY_LIMIT_VAR} allows {}", gb(b)),
        }
    }
}

/// Refuses `work` on any of `scenarios` (a run's scenario, or every cell of a sweep) whose
/// estimated memory exceeds what this machine has available (or `CUTOVER_MEMORY_LIMIT` allows);
/// does nothing where the available memory cannot be read. The budget is read once. The error
/// is a message for the user (a usage error: bad flags or environment, not a bad scenario).
pub fn check_memory<'a>(
    scenarios: impl IntoIterator<Item = &'a Scenario>,
    work: Workload,
) -> Result<(), String> {
    let Some(budget) = MemoryBudget::current()? else {
        return Ok(());
    };
    for scenario in scenarios {
        MemoryEstimate::of(scenario, work).check(&scenario.name, budget)?;
    }
    Ok(())
}

/// What a cell of a grid (or a design's point) holds as a validated scenario beyond its values:
/// 100,000 cells of a small scenario held 6.4 KB each.
const CELL_BYTES: u64 = 8_192;

/// Refuses `cells` scenarios held at once (`what`: a grid's cells, a design's points), each
/// holding `value_bytes` of the document's values (`doc::Table::value_bytes`), where they
/// would not fit the memory there is (or `CUTOVER_MEMORY_LIMIT` allows): each copies the
/// description and every list of the file, so a long one times 100,000 cells is beyond any
/// machine. `fewer` says how to hold fewer. Nothing is refused where the memory cannot be read.
pub fn check_cells_memory(
    cells: usize,
    value_bytes: u64,
    what: &str,
    fewer: &str,
) -> Result<(), String> {
    let Some(budget) = MemoryBudget::current()? else {
        return Ok(());
    };
    let each = CELL_BYTES.saturating_add(value_bytes);
    let total = each.saturating_mul(cells as u64);
    if total <= budget.bytes() {
        return Ok(());
    }
    Err(format!(
        "the {cells} {what} are each held as a scenario of about {}, {} in all; {}\n  {fewer}, or shorten what each copies (the description, long lists such as an empirical distribution's values); {MEMORY_LIMIT_VAR}=SIZE (e.g. 64G) sets the memory to assume",
        gb(each),
        gb(total),
        budget.describe(),
    ))
}

/// Bytes of memory this process can still use: the kernel's `MemAvailable`, lowered to what is
/// left of a cgroup (container or job) limit. `None` where neither can be read.
pub fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok();
    let machine = meminfo.as_deref().and_then(|text| {
        text.lines()
            .find_map(|l| l.strip_prefix("MemAvailable:"))
            .and_then(|v| v.trim().strip_suffix("kB"))
            .and_then(|kb| kb.trim().parse::<u64>().ok())
            .map(|kb| kb.saturating_mul(1024))
    });
    let read = |path: &str| {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|t| t.trim().parse::<u64>().ok())
    };
    let cgroup = read("/sys/fs/cgroup/memory.max")
        .map(|max| max.saturating_sub(read("/sys/fs/cgroup/memory.current").unwrap_or(0)));
    match (machine, cgroup) {
        (Some(m), Some(c)) => Some(m.min(c)),
        (m, c) => m.or(c),
    }
}

/// A size in bytes: a number with an optional K, M, G or T suffix (powers of 1024, optionally
/// followed by `B` or `iB`).
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    // `8G`, `8GB`, `8GiB`, `8gb`: all 8 x 1024^3 bytes.
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix("ib"))
        .or_else(|| t.strip_suffix(['B', 'b']))
        .unwrap_or(t);
    let (number, scale) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let power = match c.to_ascii_uppercase() {
                'K' => 1,
                'M' => 2,
                'G' => 3,
                'T' => 4,
                _ => return None,
            };
            (&t[..i], 1024f64.powi(power))
        }
        _ => (t, 1.0),
    };
    let x: f64 = number.trim().parse().ok()?;
    (x.is_finite() && x >= 0.0).then(|| bytes(x * scale))
}

/// Expected mailboxes of all tenants, and the most seats (users) one tenant can have.
fn mailboxes_and_largest_tenant(scenario: &Scenario) -> (f64, f64) {
    let p = &scenario.population;
    // A fixed stream: the estimate depends on the scenario's figures, not on its seed.
    let mut rng = CounterRng::new(0x5eed);
    let mean = |sample: &mut dyn FnMut(&mut CounterRng) -> f64, rng: &mut CounterRng| {
        (0..MEAN_DRAWS).map(|_| sample(rng)).sum::<f64>() / f64::from(MEAN_DRAWS)
    };
    let shared = mean(
        &mut |r| p.shared_mailboxes.sample(r).round().max(0.0),
        &mut rng,
    );
    match &p.inventory {
        Some(rows) => {
            let mailboxes = rows
                .iter()
                .map(|r| r.mailboxes.map_or(f64::from(r.seats) + shared, f64::from))
                .sum();
            let largest = rows.iter().map(|r| r.seats).max().unwrap_or(1);
            (mailboxes, f64::from(largest))
        }
        None => {
            let seats = mean(&mut |r| p.seats.sample(r).round().max(1.0), &mut rng);
            let largest = p.seats.upper_bound().round().max(1.0);
            (f64::from(p.tenants) * (seats + shared), largest)
        }
    }
}

fn bytes(x: f64) -> u64 {
    if x.is_nan() {
        0
    } else {
        x.min(u64::MAX as f64) as u64
    }
}

/// Bytes in the largest decimal unit (kB, MB, GB, TB) that keeps the figure at least 1, one
/// decimal: a limit of 10 MiB reads "10.5 MB", not "0.0 GB".
fn gb(bytes: u64) -> String {
    let x = bytes as f64;
    match ["TB", "GB", "MB", "kB"]
        .into_iter()
        .zip([1e12, 1e9, 1e6, 1e3])
        .find(|(_, scale)| x >= *scale)
    {
        Some((unit, scale)) => format!("{:.1} {unit}", x / scale),
        None => format!("{bytes} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(overrides: &[&str]) -> Scenario {
        let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
        Scenario::from_text("name = \"m\"\n", "m.toml", &overrides)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn estimate_grows_with_tenants_threads_and_contacts() {
        let work = Workload::run(10, 4);
        let small = MemoryEstimate::of(&scenario(&["population.tenants=1000"]), work);
        let large = MemoryEstimate::of(&scenario(&["population.tenants=100000"]), work);
        assert_eq!(small.at_once, 4);
        assert!(
            large.per_replication > small.per_replication * 10,
            "{small:?} {large:?}"
        );
        // Fewer replications than threads: only that many run at once.
        assert_eq!(
            MemoryEstimate::of(&scenario(&[]), Workload::run(2, 8)).at_once,
            2
        );
        let chatty = scenario(&[
            "population.seats=1000000",
            "batching.max_seats=1000000",
            "batching.max_data_gb=1e12",
            "lync.contacts_mean=1000",
        ]);
        let e = MemoryEstimate::of(&chatty, Workload::run(1, 1));
        // 5e8 contact pairs in the largest tenant dominate.
        assert!(e.per_replication > 10_000_000_000, "{e:?}");
    }

    #[test]
    fn refusal_says_how_much_is_needed_and_what_is_there() {
        let e = MemoryEstimate {
            per_replication: 15_600_000_000,
            at_once: 2,
            shared: 100_000_000,
        };
        let msg = e
            .check("big", MemoryBudget::Available(22_900_000_000))
            .unwrap_err();
        assert!(
            msg.starts_with("scenario `big` needs about 15.6 GB of memory per replication (x 2 threads), 31.3 GB in all; this machine has 22.9 GB available"),
            "{msg}"
        );
        assert!(
            msg.contains("\n  run with --threads 1, or lower `population.tenants`")
                && msg.contains(MEMORY_LIMIT_VAR),
            "{msg}"
        );
        assert_eq!(e.check("big", MemoryBudget::Limit(31_300_000_000)), Ok(()));
        // Not even one replication fits: fewer threads would not help, and are not offered.
        let msg = e.check("big", MemoryBudget::Limit(8 << 30)).unwrap_err();
        assert!(
            msg.contains(
                "in all; CUTOVER_MEMORY_LIMIT allows 8.6 GB\n  lower `population.tenants`"
            ),
            "{msg}"
        );
        let msg = MemoryEstimate { at_once: 16, ..e }
            .check("big", MemoryBudget::Available(125_000_000_000))
            .unwrap_err();
        assert!(
            msg.contains("run with --threads 8 or fewer, or lower"),
            "{msg}"
        );
    }

    #[test]
    fn sizes_read_with_suffixes() {
        assert_eq!(parse_size("2000"), Some(2000));
        assert_eq!(parse_size("8G"), Some(8 << 30));
        assert_eq!(parse_size("1.5 GiB"), Some(3 << 29));
        assert_eq!(parse_size("512MB"), Some(512 << 20));
        assert_eq!(parse_size("1gb"), Some(1 << 30));
        assert_eq!(parse_size("2kib"), Some(2 << 10));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("-1G"), None);
        assert_eq!(parse_size(""), None);
    }

    #[test]
    fn a_grid_too_large_to_count_is_refused_not_overflowed() {
        let keys: String = (0..50)
            .map(|i| format!("\"operators.weekend{i}\" = [1, 2, 3]\n"))
            .collect();
        let text = format!("name = \"g\"\n[sweep]\n{keys}");
        let e = Scenario::from_text(&text, "g.toml", &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("more cells than can be counted"), "{e}");
        assert!(e.contains("g.toml:2:"), "{e}");
        let keys = "\"operators.weekend\" = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n".to_string()
            + "\"operators.weekday\" = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n"
            + "\"copy.slots\" = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n"
            + "\"copy.per_tenant\" = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n"
            + "\"batching.max_tenants\" = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n";
        let e = Scenario::from_text(&format!("name = \"g\"\n[sweep]\n{keys}"), "g.toml", &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("has 110000 cells, more than the 100000"), "{e}");
    }
}
