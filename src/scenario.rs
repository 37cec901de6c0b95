//! Scenario files: read a TOML document (or a bundled scenario), apply `--set` overrides, validate
//! everything in one pass, and produce a `Scenario` the model can trust.

// `!(x > 0.0)` on purpose: unlike `x <= 0.0` it also rejects NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

mod bundled;
mod dist;
mod doc;
mod estate;
mod input;
mod inventory;
mod limits;
mod lync;
mod reader;
mod sweep;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use bundled::{BUNDLED, Bundled, DEFAULT_SCENARIO, find_bundled};
pub use dist::{DIST_NAMES, Dist};
pub use doc::Origin;
pub use estate::{ClientIssue, Clients, Estate, HelpDesk};
pub use input::{MAX_INVENTORY_BYTES, MAX_SCENARIO_BYTES};
pub use inventory::{InventoryTenant, parse as parse_inventory};
pub use limits::{
    MAX_SWEEP_CELLS, MemoryBudget, MemoryEstimate, Workload, available_memory, check_memory,
};
pub use lync::{EarlyMoveMode, Lync};
pub use reader::{Diagnostic, nearest};
pub use sweep::{GridCell, SweepGrid, display_value};

use crate::date::Date;
use doc::Node;
use reader::{Diagnostics, Section};

/// A validated scenario: every figure the model uses, none hard-coded in the model.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub replications: u32,
    pub calendar: Calendar,
    pub population: Population,
    pub phases: Phases,
    pub batching: Batching,
    pub copy: Copy,
    pub workitems: Workitems,
    pub operators: Operators,
    /// Users' clients and the tickets they raise after their tenant's upgrade.
    pub clients: Clients,
    pub helpdesk: HelpDesk,
    /// Chat during the transition: OCO, early moves to Lync Online, stranded clients.
    pub lync: Lync,
    /// The `[sweep]` grid, if the scenario has one (`cutover sweep` runs it).
    pub sweep: Option<SweepGrid>,
    /// The source text, for the manifest's checksum.
    pub source_text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Calendar {
    /// Day 0 of the simulation (midnight).
    pub start: Date,
    /// Tenants not transitioned by the end of this day are counted as missing it.
    pub deadline: Date,
    /// The simulation stops at the end of this day even if tenants remain.
    pub end: Date,
    /// Hour of the day at which the daily time series is sampled.
    pub sample_hour: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Population {
    pub tenants: u32,
    pub regions: Vec<String>,
    pub region_weights: Vec<f64>,
    pub seats: Dist,
    pub shared_mailboxes: Dist,
    pub mailbox_gb: Dist,
    pub sharepoint_base_gb: Dist,
    pub sharepoint_gb_per_seat: f64,
    pub sharepoint_max_gb: f64,
    pub blocked_fraction: f64,
    pub blocked_days: Dist,
    /// Directory sync, coexistence, hosted BlackBerry.
    pub estate: Estate,
    /// Real tenants from `population.inventory`, one per tenant in order; `tenants` is their count.
    /// Empty cells are drawn from the distributions above.
    pub inventory: Option<Arc<[InventoryTenant]>>,
}

impl Population {
    /// The fewest seats any generated tenant can have (samples are rounded, and at least 1).
    pub fn least_seats(&self) -> u64 {
        self.seats.lower_bound().round().max(1.0) as u64
    }

    /// The least data (GB) a tenant can have, from the distributions' lower bounds and whatever
    /// of its attributes are known.
    pub fn least_data_gb(
        &self,
        seats: u64,
        mailboxes: Option<u32>,
        sharepoint_gb: Option<f64>,
    ) -> f64 {
        let seats = seats as f64;
        let mailboxes = mailboxes.map_or_else(
            || seats + self.shared_mailboxes.lower_bound().round().max(0.0),
            f64::from,
        );
        let sharepoint = sharepoint_gb.unwrap_or_else(|| {
            (self.sharepoint_base_gb.lower_bound() + self.sharepoint_gb_per_seat * seats)
                .min(self.sharepoint_max_gb)
        });
        sharepoint + mailboxes * self.mailbox_gb.lower_bound()
    }
}

/// Phase start offsets relative to the transition date T (Saturday 00:00 of the weekend).
#[derive(Clone, Debug, PartialEq)]
pub struct Phases {
    pub primary_prep_days: i64,
    pub secondary_prep_days: i64,
    pub approval_days: i64,
    pub prestage_days: i64,
    pub lock_days: i64,
    pub finalize_hours: f64,
    /// How long DataUpgrade may take before the tenant is rolled back.
    pub window_hours: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Batching {
    pub policy: String,
    pub cadence_days: u32,
    pub lead_days: u32,
    pub max_tenants: u32,
    pub max_seats: u64,
    pub max_data_gb: f64,
    pub slipped_first: bool,
    /// Regions in the order `region-waves` serves them; every region appears once.
    pub region_order: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Copy {
    /// Concurrent copies per region.
    pub slots: u32,
    /// Concurrent copies per tenant.
    pub per_tenant: u32,
    /// Copy rate of one item, sampled per attempt.
    pub gb_per_hour: Dist,
    /// Fixed set-up time of each copy attempt.
    pub overhead_minutes: f64,
}

/// Kinds of workitem; each has its own duration and failure figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WorkKind {
    Notice,
    AdminLock,
    MailboxCopy,
    SiteCopy,
    DirectorySync,
    MailboxCutover,
    SharePointSwitch,
    ChatUpgrade,
    Cleanup,
}

impl WorkKind {
    pub const ALL: [WorkKind; 9] = [
        WorkKind::Notice,
        WorkKind::AdminLock,
        WorkKind::MailboxCopy,
        WorkKind::SiteCopy,
        WorkKind::DirectorySync,
        WorkKind::MailboxCutover,
        WorkKind::SharePointSwitch,
        WorkKind::ChatUpgrade,
        WorkKind::Cleanup,
    ];

    /// The key of this kind's table under `[workitems]`.
    pub fn key(self) -> &'static str {
        match self {
            WorkKind::Notice => "notice",
            WorkKind::AdminLock => "admin_lock",
            WorkKind::MailboxCopy => "mailbox_copy",
            WorkKind::SiteCopy => "site_copy",
            WorkKind::DirectorySync => "directory_sync",
            WorkKind::MailboxCutover => "mailbox_cutover",
            WorkKind::SharePointSwitch => "sharepoint_switch",
            WorkKind::ChatUpgrade => "chat_upgrade",
            WorkKind::Cleanup => "cleanup",
        }
    }

    pub fn is_copy(self) -> bool {
        matches!(self, WorkKind::MailboxCopy | WorkKind::SiteCopy)
    }

    /// The workitems of the DataUpgrade phase itself (not the copies that may run into it).
    pub fn is_data_upgrade(self) -> bool {
        matches!(
            self,
            WorkKind::DirectorySync
                | WorkKind::MailboxCutover
                | WorkKind::SharePointSwitch
                | WorkKind::ChatUpgrade
        )
    }

    /// Default duration of one attempt (copies take their time from size and rate instead) and
    /// the default extra minutes per seat.
    fn default_minutes(self) -> (f64, f64) {
        match self {
            WorkKind::Notice => (1.0, 0.0),
            WorkKind::AdminLock => (5.0, 0.0),
            WorkKind::MailboxCopy | WorkKind::SiteCopy => (0.0, 0.0),
            WorkKind::DirectorySync => (15.0, 0.02),
            WorkKind::MailboxCutover => (30.0, 0.1),
            WorkKind::SharePointSwitch => (30.0, 0.02),
            WorkKind::ChatUpgrade => (15.0, 0.01),
            WorkKind::Cleanup => (20.0, 0.0),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct KindParams {
    pub transient_probability: f64,
    pub hard_failure_probability: f64,
    pub duration_minutes: Dist,
    pub minutes_per_seat: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Workitems {
    pub retry_delay_seconds: f64,
    pub backoff: f64,
    pub max_retries: u32,
    /// How many times as often DataUpgrade workitems fail hard for a tenant that still coexists
    /// with on-premises mail.
    pub coexistence_failure_multiplier: f64,
    kinds: Vec<KindParams>,
}

impl Workitems {
    pub fn kind(&self, kind: WorkKind) -> &KindParams {
        &self.kinds[kind as usize]
    }

    /// The probability that an attempt of `kind` fails hard, for a tenant that coexists with
    /// on-premises mail or not.
    pub fn hard_failure_probability(&self, kind: WorkKind, coexistence: bool) -> f64 {
        let p = self.kind(kind).hard_failure_probability;
        if coexistence && kind.is_data_upgrade() {
            (p * self.coexistence_failure_multiplier).min(1.0)
        } else {
            p
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Operators {
    pub weekday: u32,
    pub weekend: u32,
    pub weekday_hours: (u32, u32),
    pub weekend_hours: (u32, u32),
    pub resolve_hours: Dist,
}

impl Operators {
    /// Operators on duty at `hour` (0-23) of a day.
    pub fn staff_at(&self, weekend: bool, hour: u32) -> u32 {
        let ((from, to), staff) = if weekend {
            (self.weekend_hours, self.weekend)
        } else {
            (self.weekday_hours, self.weekday)
        };
        if (from..to).contains(&hour) { staff } else { 0 }
    }
}

/// Why a scenario could not be used.
#[derive(Debug)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file could not be read.
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The text was read but has mistakes; all of them, in file order.
    Invalid {
        file: String,
        diagnostics: Vec<Diagnostic>,
    },
    /// A `--set` argument is not `key=value`.
    BadOverride { assignment: String },
    /// A `--set` key written with quotes, which would make a dotted name one key.
    QuotedOverrideKey {
        assignment: String,
        unquoted: String,
    },
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Read { path, source } => {
                write!(f, "cannot read scenario {}: {source}", path.display())?;
                if source.kind() == std::io::ErrorKind::NotFound {
                    // A name, not a path, was most likely meant: say which names exist.
                    let names: Vec<&str> = BUNDLED.iter().map(|b| b.name).collect();
                    let asked = path.to_string_lossy();
                    write!(
                        f,
                        "; no file of that name, and the bundled scenarios are {}",
                        names.join(", ")
                    )?;
                    if let Some(n) = nearest(&asked, &names) {
                        write!(f, " (did you mean `{n}`?)")?;
                    }
                }
                Ok(())
            }
            ScenarioError::Invalid { file, diagnostics } => {
                // A diagnostic that stands for unlisted others counts them, not itself.
                let n: usize = diagnostics.iter().map(|d| d.unlisted.max(1)).sum();
                write!(f, "{file}: {n} error{}", if n == 1 { "" } else { "s" })?;
                if n > diagnostics.len() {
                    let listed = diagnostics.iter().filter(|d| d.unlisted == 0).count();
                    write!(f, ", the first {listed} listed")?;
                }
                for d in diagnostics {
                    write!(f, "\n  {d}")?;
                }
                Ok(())
            }
            ScenarioError::QuotedOverrideKey {
                assignment,
                unquoted,
            } => write!(
                f,
                "--set `{assignment}`: write the key without quotes, e.g. --set {unquoted}=VALUE"
            ),
            ScenarioError::BadOverride { assignment } => {
                write!(
                    f,
                    "--set `{assignment}` is not KEY=VALUE (e.g. --set batching.max_tenants=50)"
                )
            }
        }
    }
}

impl std::error::Error for ScenarioError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ScenarioError::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Where scenario text comes from.
#[derive(Clone, Debug)]
pub enum Source {
    /// The bundled scenario of this name.
    Bundled(&'static Bundled),
    File(PathBuf),
}

impl Source {
    /// A path if a file exists there, else a bundled scenario of that name, else the path (which
    /// then fails to read with a clear message).
    pub fn resolve(arg: Option<&str>) -> Source {
        match arg {
            None => Source::Bundled(
                find_bundled(DEFAULT_SCENARIO).expect("the default scenario is bundled"),
            ),
            Some(a) => {
                let path = PathBuf::from(a);
                match find_bundled(a) {
                    Some(b) if !path.exists() => Source::Bundled(b),
                    _ => Source::File(path),
                }
            }
        }
    }

    pub fn display_name(&self) -> String {
        match self {
            Source::Bundled(b) => format!("{}.toml (bundled)", b.name),
            Source::File(p) => p.display().to_string(),
        }
    }
}

/// A scenario file's text; bytes that are not UTF-8 are an error at their line and column.
fn read_scenario_text(path: &Path, file: &str) -> Result<String, ScenarioError> {
    input::read_text(path, MAX_SCENARIO_BYTES).map_err(|problem| match problem {
        input::ReadProblem::NotUtf8 { line, column, .. } => ScenarioError::Invalid {
            file: file.to_string(),
            diagnostics: vec![Diagnostic {
                origin: Origin::File {
                    file: Arc::from(file),
                    line,
                    column,
                },
                key: String::new(),
                message: problem.to_string(),
                hint: Some("save the file as UTF-8".into()),
                unlisted: 0,
            }],
        },
        input::ReadProblem::Io(source) => ScenarioError::Read {
            path: path.to_path_buf(),
            source,
        },
        other => ScenarioError::Read {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, other.to_string()),
        },
    })
}

impl Scenario {
    /// Reads, overrides and validates a scenario. `overrides` are `key=value` strings. Files the
    /// scenario names (an inventory) are relative to the scenario file's folder, or to the current
    /// folder for a bundled scenario.
    pub fn load(source: &Source, overrides: &[String]) -> Result<Scenario, ScenarioError> {
        let (text, folder) = match source {
            Source::Bundled(b) => (b.text.to_string(), Path::new("")),
            Source::File(path) => (
                read_scenario_text(path, &source.display_name())?,
                path.parent().unwrap_or(Path::new("")),
            ),
        };
        Scenario::from_text_in(&text, &source.display_name(), folder, overrides)
    }

    /// Validates scenario text; `file` names it in messages. Files it names (an inventory) are
    /// relative to the current folder.
    pub fn from_text(
        text: &str,
        file: &str,
        overrides: &[String],
    ) -> Result<Scenario, ScenarioError> {
        Scenario::from_text_in(text, file, Path::new(""), overrides)
    }

    /// Validates scenario text whose relative file names (an inventory) start at `folder`.
    pub fn from_text_in(
        text: &str,
        file: &str,
        folder: &Path,
        overrides: &[String],
    ) -> Result<Scenario, ScenarioError> {
        let file_name: Arc<str> = Arc::from(file);
        let invalid = |diagnostics| ScenarioError::Invalid {
            file: file.to_string(),
            diagnostics,
        };
        let mut table = doc::parse(text, &file_name).map_err(|errs| {
            invalid(
                errs.into_iter()
                    .map(|(origin, message)| Diagnostic {
                        origin,
                        key: String::new(),
                        message,
                        hint: None,
                        unlisted: 0,
                    })
                    .collect(),
            )
        })?;
        for assignment in overrides {
            let (key, value) = assignment
                .split_once('=')
                .filter(|(k, _)| !k.trim().is_empty())
                .ok_or_else(|| ScenarioError::BadOverride {
                    assignment: assignment.clone(),
                })?;
            let node: Node =
                doc::parse_override_value(value.trim(), &Arc::from(assignment.as_str()));
            // Under `sweep`, the rest is one dotted key: `sweep.helpdesk.weekday=[6, 12]` adds
            // an axis to the grid, as `"helpdesk.weekday" = [6, 12]` in `[sweep]` would.
            // Quotes are allowed around a sweep axis (`sweep."copy.slots"=[1, 2]`), as in a
            // `[sweep]` table; anywhere else they would turn `a.b` into one unknown key.
            let quotes: &[char] = &['"', '\''];
            let path: Vec<&str> = match key.trim().split_once('.') {
                Some(("sweep", axis)) => vec!["sweep", axis.trim().trim_matches(quotes)],
                _ if key.contains(quotes) => {
                    return Err(ScenarioError::QuotedOverrideKey {
                        assignment: assignment.clone(),
                        unquoted: key.replace(quotes, "").trim().to_string(),
                    });
                }
                _ => key.trim().split('.').map(str::trim).collect(),
            };
            table.set(&path, node);
        }
        let diags = Diagnostics::default();
        let root = Section::root(&table, Origin::Missing { file: file_name }, &diags);
        let mut scenario = read(&root, text, folder);
        scenario.sweep = sweep::read_sweep(&table, &diags);
        root.finish();
        limits::check(&scenario, &table, &diags);
        let mut list = diags.into_vec();
        if list.is_empty() {
            Ok(scenario)
        } else {
            list.sort_by_key(|d| match &d.origin {
                Origin::File { line, column, .. } => (0, *line, *column),
                Origin::Missing { .. } => (1, 0, 0),
                Origin::Set { .. } => (2, 0, 0),
                // Inventory problems come last, by line, in the order they were found.
                Origin::Cell { line, .. } => (3, *line, 0),
            });
            Err(invalid(list))
        }
    }

    /// Day index (from the calendar start) of a date.
    pub fn day_of(&self, date: Date) -> i64 {
        date.days_since(self.calendar.start)
    }
}

/// What a scenario name may be, since it names the output folder: see [`is_safe_name`].
pub const SAFE_NAME_RULE: &str =
    "use 1 to 100 ASCII letters, digits, '-', '_' or '.', not starting with '.'";

/// Whether `name` is safe as one folder name on every platform: no separator, no `.` or `..`,
/// nothing hidden, nothing a shell or a file system treats specially.
pub fn is_safe_name(name: &str) -> bool {
    (1..=100).contains(&name.len())
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

/// Reads every section with its defaults; problems go to the diagnostics and the default is kept.
fn read(root: &Section<'_>, text: &str, folder: &Path) -> Scenario {
    let name = root.string("name", "unnamed");
    if !is_safe_name(&name) {
        root.error(
            "name",
            format!(
                "`name` = \"{}\" cannot be used as a folder name",
                reader::abbreviate(&name)
            ),
            Some(SAFE_NAME_RULE.into()),
        );
    }
    let description = root.string("description", "");
    let seed = root.u64("seed", 2011, 0, u64::MAX);
    let replications = root.u32("replications", 20, 1, 1_000_000);
    let calendar = read_calendar(&root.section("calendar"));
    let population = read_population(&root.section("population"), folder, calendar.start);
    let phases = read_phases(&root.section("phases"));
    let batching = read_batching(&root.section("batching"), &population, &phases);
    let copy = read_copy(&root.section("copy"));
    let workitems = read_workitems(&root.section("workitems"));
    let operators = read_operators(&root.section("operators"));
    let clients = estate::read_clients(&root.section("clients"));
    let helpdesk = estate::read_helpdesk(&root.section("helpdesk"), &clients);
    let lync = lync::read_lync(&root.section("lync"));
    // Read from the document by `sweep::read_sweep`; marked as known here.
    root.has("sweep");
    Scenario {
        name,
        description,
        seed,
        replications,
        calendar,
        population,
        phases,
        batching,
        copy,
        workitems,
        operators,
        clients,
        helpdesk,
        lync,
        sweep: None,
        source_text: text.to_string(),
    }
}

fn read_calendar(s: &Section<'_>) -> Calendar {
    let start = s.date("start", Date::from_ymd(2011, 9, 5).expect("valid"));
    let deadline = s.date("deadline", Date::from_ymd(2012, 10, 31).expect("valid"));
    let end = s.date("end", deadline.add_days(91));
    let sample_hour = s.u32("sample_hour", 12, 0, 23);
    if deadline < start {
        s.error(
            "deadline",
            format!("`calendar.deadline` {deadline} is before `calendar.start` {start}"),
            None,
        );
    }
    if end < deadline {
        s.error(
            "end",
            format!("`calendar.end` {end} is before `calendar.deadline` {deadline}"),
            None,
        );
    }
    if end.days_since(start) > 20 * 366 {
        s.error(
            "end",
            "`calendar.end` is more than 20 years after `calendar.start`",
            None,
        );
    }
    s.finish();
    Calendar {
        start,
        deadline,
        end,
        sample_hour,
    }
}

fn read_population(s: &Section<'_>, folder: &Path, start: Date) -> Population {
    let mut tenants = s.u32("tenants", 6_000, 1, 10_000_000);
    let regions = s.strings("regions", &["NA", "EMEA", "APAC"]);
    let region_weights = if s.has("region_weights") {
        s.numbers("region_weights", &[])
    } else {
        vec![1.0; regions.len()]
    };
    if regions.is_empty() || regions.len() > 64 {
        s.error(
            "regions",
            "`population.regions` must list between 1 and 64 regions",
            None,
        );
    } else if regions.iter().any(|r| r.trim().is_empty()) {
        s.error(
            "regions",
            "`population.regions` has an empty region name",
            Some("name every region, e.g. [\"NA\", \"EMEA\"]".into()),
        );
    } else if let Some(twice) = regions
        .iter()
        .enumerate()
        .find_map(|(i, r)| regions[..i].contains(r).then_some(r))
    {
        s.error(
            "regions",
            format!(
                "`population.regions` names `{}` twice",
                reader::abbreviate(twice)
            ),
            None,
        );
    }
    if region_weights.len() != regions.len() {
        s.error(
            "region_weights",
            format!(
                "`population.region_weights` has {} weights for {} regions",
                region_weights.len(),
                regions.len()
            ),
            None,
        );
    } else if region_weights.iter().any(|w| !(*w >= 0.0))
        || !(region_weights.iter().sum::<f64>() > 0.0)
    {
        s.error(
            "region_weights",
            "`population.region_weights` must be non-negative and not all zero",
            None,
        );
    }
    let seats = s.dist(
        "seats",
        Dist::pareto(4.0, 1.15)
            .and_then(|d| d.clamped(Some(1.0), Some(20_000.0)))
            .expect("valid"),
        (1.0, 1_000_000.0),
    );
    let shared_mailboxes = s.dist(
        "shared_mailboxes",
        Dist::uniform(0.0, 3.0).expect("valid"),
        (0.0, f64::INFINITY),
    );
    let mailbox_gb = s.dist(
        "mailbox_gb",
        Dist::lognormal(1.0, 0.9)
            .and_then(|d| d.clamped(None, Some(5.0)))
            .expect("valid"),
        (0.0, 1_000.0),
    );
    let sharepoint_base_gb = s.dist(
        "sharepoint_base_gb",
        Dist::exponential(2.0).expect("valid"),
        (0.0, f64::INFINITY),
    );
    let sharepoint_gb_per_seat = s.f64("sharepoint_gb_per_seat", 0.05, 0.0, 100.0);
    let sharepoint_max_gb = s.f64("sharepoint_max_gb", 100.0, 0.0, 1_000_000.0);
    let blocked_fraction = s.probability("blocked_fraction", 0.1);
    let blocked_days = s.dist(
        "blocked_days",
        Dist::exponential(45.0).expect("valid"),
        (0.0, f64::INFINITY),
    );
    let estate = estate::read_estate(s, start);
    let inventory = s
        .has("inventory")
        .then(|| s.string("inventory", ""))
        .and_then(|file| read_inventory(s, folder, &file, &regions));
    if let Some(rows) = &inventory {
        if s.has("tenants") {
            s.error(
                "tenants",
                format!(
                    "`population.tenants` cannot be set with `population.inventory`: its {} rows are the tenants",
                    rows.len()
                ),
                Some("remove `tenants`; the inventory's row count is used".into()),
            );
        }
        tenants = rows.len() as u32;
    }
    s.finish();
    Population {
        tenants,
        regions,
        region_weights,
        seats,
        shared_mailboxes,
        mailbox_gb,
        sharepoint_base_gb,
        sharepoint_gb_per_seat,
        sharepoint_max_gb,
        blocked_fraction,
        blocked_days,
        estate,
        inventory,
    }
}

/// Reads and checks `population.inventory`; its problems go to the diagnostics.
fn read_inventory(
    s: &Section<'_>,
    folder: &Path,
    file: &str,
    regions: &[String],
) -> Option<Arc<[InventoryTenant]>> {
    if file.is_empty() {
        s.error(
            "inventory",
            "`population.inventory` is empty",
            Some("name a CSV file, or remove the key to generate tenants".into()),
        );
        return None;
    }
    let path = folder.join(file);
    let text = match input::read_text(&path, MAX_INVENTORY_BYTES) {
        Ok(t) => t,
        Err(input::ReadProblem::NotUtf8 { line, column, byte }) => {
            s.report(Diagnostic {
                origin: Origin::Cell {
                    file: Arc::from(path.display().to_string()),
                    line,
                    column: Some(column),
                },
                key: "population.inventory".into(),
                message: format!("not UTF-8 text (byte 0x{byte:02X})"),
                hint: Some("export the inventory as UTF-8 CSV".into()),
                unlisted: 0,
            });
            return None;
        }
        Err(e) => {
            s.error(
                "inventory",
                format!("cannot read inventory {}: {e}", path.display()),
                Some(format!(
                    "the path is relative to {}",
                    if folder.as_os_str().is_empty() {
                        "the current folder".to_string()
                    } else {
                        format!("the scenario's folder {}", folder.display())
                    }
                )),
            );
            return None;
        }
    };
    let name: Arc<str> = Arc::from(path.display().to_string());
    match inventory::parse(&text, &name, regions) {
        Ok(rows) => Some(rows.into()),
        Err(diagnostics) => {
            diagnostics.into_iter().for_each(|d| s.report(d));
            None
        }
    }
}

fn read_phases(s: &Section<'_>) -> Phases {
    let day = |k, d| s.i64(k, d, -365, 0);
    let p = Phases {
        primary_prep_days: day("primary_prep_days", -60),
        secondary_prep_days: day("secondary_prep_days", -30),
        approval_days: day("approval_days", -14),
        prestage_days: day("prestage_days", -7),
        lock_days: day("lock_days", -1),
        finalize_hours: s.f64("finalize_hours", 48.0, 0.0, 24.0 * 14.0),
        window_hours: s.f64("window_hours", 48.0, 1.0, 24.0 * 7.0),
    };
    let order = [
        ("primary_prep_days", p.primary_prep_days),
        ("secondary_prep_days", p.secondary_prep_days),
        ("approval_days", p.approval_days),
        ("prestage_days", p.prestage_days),
        ("lock_days", p.lock_days),
    ];
    for pair in order.windows(2) {
        let ((a, da), (b, db)) = (pair[0], pair[1]);
        if da >= db {
            s.error(
                b,
                format!("phase offsets out of order: `phases.{a}` = {da} must come before `phases.{b}` = {db}"),
                Some("offsets are days relative to T and must increase through the phases".into()),
            );
        }
    }
    if p.lock_days >= 0 {
        s.error(
            "lock_days",
            "`phases.lock_days` must be before T (negative)",
            None,
        );
    }
    if p.finalize_hours < p.window_hours {
        s.error(
            "finalize_hours",
            format!(
                "`phases.finalize_hours` = {} starts Finalize before the {}-hour window closes",
                p.finalize_hours, p.window_hours
            ),
            Some("set finalize_hours >= window_hours".into()),
        );
    }
    s.finish();
    p
}

fn read_batching(s: &Section<'_>, population: &Population, phases: &Phases) -> Batching {
    let b = Batching {
        policy: s.choice("policy", "fifo", crate::policy::NAMES),
        cadence_days: s.u32("cadence_days", 7, 7, 364),
        lead_days: s.u32("lead_days", 60, 0, 365),
        max_tenants: s.u32("max_tenants", 150, 1, 10_000_000),
        max_seats: s.u64("max_seats", 25_000, 1, u64::MAX),
        max_data_gb: s.f64("max_data_gb", 60_000.0, 0.0, f64::INFINITY),
        slipped_first: s.bool("slipped_first", true),
        region_order: read_region_order(s, &population.regions),
    };
    if b.cadence_days % 7 != 0 {
        s.error(
            "cadence_days",
            format!(
                "`batching.cadence_days` = {} is not a whole number of weeks: two plans would fill the same weekend",
                b.cadence_days
            ),
            Some("use 7 for a batch every weekend, 14 for every other weekend".into()),
        );
    }
    if i64::from(b.lead_days) < -phases.primary_prep_days {
        s.error(
            "lead_days",
            format!(
                "`batching.lead_days` = {} is shorter than PrimaryPrep's {} days before T",
                b.lead_days, -phases.primary_prep_days
            ),
            Some("tenants must be batched before their first phase starts".into()),
        );
    }
    match &population.inventory {
        None => check_capacity_generated(s, &b, population),
        Some(rows) => check_capacity_inventory(s, &b, population, rows),
    }
    s.finish();
    b
}

/// `batching.region_order`: named regions first, in the order given, then any not named.
fn read_region_order(s: &Section<'_>, regions: &[String]) -> Vec<String> {
    let named: Vec<&str> = regions.iter().map(String::as_str).collect();
    let mut order: Vec<String> = Vec::with_capacity(regions.len());
    for r in s.strings("region_order", &named) {
        if !regions.contains(&r) {
            let hint = nearest(&r, &named).map_or_else(
                || format!("regions are {}", named.join(", ")),
                |n| format!("did you mean `{n}`? regions are {}", named.join(", ")),
            );
            s.error(
                "region_order",
                format!("`batching.region_order` names `{r}`, which is not a region"),
                Some(hint),
            );
        } else if order.contains(&r) {
            s.error(
                "region_order",
                format!("`batching.region_order` names `{r}` twice"),
                None,
            );
        } else {
            order.push(r);
        }
    }
    order.extend(
        regions
            .iter()
            .filter(|r| !order.contains(r))
            .cloned()
            .collect::<Vec<_>>(),
    );
    order
}

/// A batch that can never hold even the smallest tenant the distributions can draw would leave
/// every tenant in the pool forever.
fn check_capacity_generated(s: &Section<'_>, b: &Batching, population: &Population) {
    let seats = population.least_seats();
    if b.max_seats < seats {
        s.error(
            "max_seats",
            format!(
                "`batching.max_seats` = {} can never fit a tenant: the smallest has {seats} seats",
                b.max_seats
            ),
            Some(format!(
                "raise it to at least {seats} or lower the minimum of `population.seats`"
            )),
        );
    }
    let data = population.least_data_gb(seats, None, None);
    if b.max_data_gb < data {
        s.error(
            "max_data_gb",
            format!(
                "`batching.max_data_gb` = {} can never fit a tenant: the smallest holds {} GB",
                b.max_data_gb,
                round_up(data)
            ),
            Some(
                "raise it, or lower the minimums of `population.mailbox_gb` and `population.sharepoint_base_gb`"
                    .into(),
            ),
        );
    }
}

/// An inventory tenant larger than a batch can hold would never transition.
fn check_capacity_inventory(
    s: &Section<'_>,
    b: &Batching,
    population: &Population,
    rows: &[InventoryTenant],
) {
    let too_many_seats: Vec<&InventoryTenant> = rows
        .iter()
        .filter(|r| u64::from(r.seats) > b.max_seats)
        .collect();
    if let Some(largest) = too_many_seats.iter().max_by_key(|r| r.seats) {
        s.error(
            "max_seats",
            format!(
                "`batching.max_seats` = {} can never fit {}`{}` ({} seats)",
                b.max_seats,
                some_of(too_many_seats.len()),
                largest.name,
                largest.seats
            ),
            Some(format!("raise it to at least {}", largest.seats)),
        );
    }
    let least_data = |r: &InventoryTenant| {
        r.data_gb.unwrap_or_else(|| {
            population.least_data_gb(u64::from(r.seats), r.mailboxes, r.sharepoint_gb)
        })
    };
    let too_much_data: Vec<(&InventoryTenant, f64)> = rows
        .iter()
        .map(|r| (r, least_data(r)))
        .filter(|(_, gb)| *gb > b.max_data_gb)
        .collect();
    if let Some((largest, gb)) = too_much_data.iter().max_by(|a, b| a.1.total_cmp(&b.1)) {
        s.error(
            "max_data_gb",
            format!(
                "`batching.max_data_gb` = {} can never fit {}`{}` (at least {} GB)",
                b.max_data_gb,
                some_of(too_much_data.len()),
                largest.name,
                round_up(*gb)
            ),
            Some(format!("raise it to at least {}", round_up(*gb))),
        );
    }
}

/// How an error names the inventory tenants that do not fit: "tenant " or "3 tenants, the largest ".
fn some_of(count: usize) -> String {
    if count == 1 {
        "inventory tenant ".into()
    } else {
        format!("{count} inventory tenants, the largest ")
    }
}

/// Rounds up to two decimals, so a suggested capacity is never just short.
fn round_up(x: f64) -> f64 {
    (x * 100.0).ceil() / 100.0
}

fn read_copy(s: &Section<'_>) -> Copy {
    let c = Copy {
        slots: s.u32("slots", 400, 1, 1_000_000),
        per_tenant: s.u32("per_tenant", 20, 1, 10_000),
        gb_per_hour: s.dist(
            "gb_per_hour",
            Dist::lognormal(0.6, 0.3)
                .and_then(|d| d.clamped(Some(0.3), Some(1.0)))
                .expect("valid"),
            (1e-6, f64::INFINITY),
        ),
        overhead_minutes: s.f64("overhead_minutes", 2.0, 0.0, 24.0 * 60.0),
    };
    s.finish();
    c
}

fn read_workitems(s: &Section<'_>) -> Workitems {
    let transient = s.probability("transient_probability", 0.02);
    let hard = s.probability("hard_failure_probability", 0.002);
    let retry_delay_seconds = s.f64("retry_delay_seconds", 30.0, 0.0, 7.0 * 86_400.0);
    let backoff = s.f64("backoff", 1.0, 1.0, 10.0);
    let max_retries = s.u32("max_retries", 60, 0, 10_000);
    let coexistence_failure_multiplier = s.f64("coexistence_failure_multiplier", 3.0, 0.0, 1_000.0);
    let kinds = WorkKind::ALL
        .iter()
        .map(|&kind| {
            let k = s.section(kind.key());
            let (minutes, per_seat) = kind.default_minutes();
            let params = KindParams {
                transient_probability: k.probability("transient_probability", transient),
                hard_failure_probability: k.probability("hard_failure_probability", hard),
                duration_minutes: k.dist("duration_minutes", Dist::constant(minutes), (0.0, f64::INFINITY)),
                minutes_per_seat: k.f64("minutes_per_seat", per_seat, 0.0, 1e4),
            };
            if params.transient_probability + params.hard_failure_probability > 1.0 {
                k.error(
                    "hard_failure_probability",
                    format!(
                        "`workitems.{}`: transient and hard failure probabilities add up to more than 1",
                        kind.key()
                    ),
                    None,
                );
            }
            k.finish();
            params
        })
        .collect();
    s.finish();
    Workitems {
        retry_delay_seconds,
        backoff,
        max_retries,
        coexistence_failure_multiplier,
        kinds,
    }
}

fn read_operators(s: &Section<'_>) -> Operators {
    let o = Operators {
        weekday: s.u32("weekday", 4, 0, 100_000),
        weekend: s.u32("weekend", 12, 0, 100_000),
        weekday_hours: s.hours("weekday_hours", (8, 18)),
        weekend_hours: s.hours("weekend_hours", (0, 24)),
        resolve_hours: s.dist(
            "resolve_hours",
            Dist::lognormal(1.0, 0.8)
                .and_then(|d| d.clamped(None, Some(24.0)))
                .expect("valid"),
            (0.0, f64::INFINITY),
        ),
    };
    if o.weekday == 0 && o.weekend == 0 {
        s.error(
            "weekend",
            "no operators at all: hard failures would wait forever",
            Some("staff at least one shift".into()),
        );
    }
    s.finish();
    o
}

/// Path of a file named in a scenario, relative to the scenario's folder.
pub fn relative_to(scenario: &Path, file: &str) -> PathBuf {
    scenario.parent().unwrap_or(Path::new(".")).join(file)
}
