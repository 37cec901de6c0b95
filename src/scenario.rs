//! Scenario files: read a TOML document (or a bundled scenario), apply `--set` overrides, validate
//! everything in one pass, and produce a `Scenario` the model can trust.

//!
//! Each section's type lives beside its reader, one module per section (`calendar`, `population`,
//! `phases`, ...); this module reads the document, applies overrides and calls them in order.

mod batchable;
mod batching;
mod bundled;
mod calendar;
mod copy;
mod dist;
mod doc;
mod error;
mod estate;
mod input;
mod inventory;
pub(crate) mod label;
mod limits;
mod lync;
mod operators;
mod phases;
mod policies;
mod population;
mod reader;
mod rewrite;
mod sweep;
mod workitems;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub(crate) use batchable::{first_plan, least_held};
pub use batching::Batching;

/// The programme's vocabulary, re-exported where the `[phases]` and `[workitems]` tables are read.
pub use crate::phase::{Programme, WorkKind};
pub use bundled::{BUNDLED, Bundled, DEFAULT_SCENARIO, find_bundled};
pub use calendar::Calendar;
pub use copy::Copy;
pub use dist::{DIST_NAMES, Dist, Drawn};
pub use doc::{Origin, set_among};
pub use error::ScenarioError;
pub use estate::{ClientIssue, Clients, Estate, HelpDesk};
pub use input::{
    CsvLines, Links, MAX_INVENTORY_BYTES, MAX_PATH_BYTES, MAX_SCENARIO_BYTES, ReadProblem,
    UNCLOSED_QUOTE, open_file, open_folder, open_in_own_folder, open_regular, read_text,
    unclosed_quote,
};
pub use inventory::{InventoryTenant, parse as parse_inventory};
pub use label::{escape_unprintable, is_markup_forbidden, is_unprintable};
pub use limits::{
    MAX_SWEEP_CELLS, MemoryBudget, MemoryEstimate, Workload, available_memory, check_cells_memory,
    check_memory,
};
pub use lync::{EarlyMoveMode, Lync};
pub use operators::Operators;
pub use phases::{MAX_START_HOURS, Phases, WINDOW_HOURS, bpos_programme, offset_label};
pub use population::Population;
pub use reader::{Diagnostic, abbreviate, abbreviate_to, nearest, show as number_text};
pub use rewrite::set_key;
pub use sweep::{GridCell, SweepGrid, display_value};
pub use workitems::{KindParams, Workitems};

use crate::date::Date;
use doc::Node;
use reader::{Diagnostics, Section};

/// A validated scenario: every figure the model uses, none hard-coded in the model.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The file it was read from as messages name it: a path, or `NAME.toml (bundled)`.
    pub file: String,
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub replications: u32,
    pub calendar: Calendar,
    pub population: Population,
    pub phases: Phases,
    pub batching: Batching,
    /// Policies declared in `[policies.NAME]` tables, in file order.
    pub policies: Vec<crate::policy::Declared>,
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
    /// The source text, for the manifest's checksum: shared by every cell of a grid, which would
    /// otherwise each hold a copy of a file that grows with the grid.
    pub source_text: Arc<str>,
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
        ScenarioDoc::load(source, overrides)?.scenario()
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
        ScenarioDoc::parse(text, file, folder, overrides)?.scenario()
    }

    /// The policy called `name`, declared in this scenario or built in.
    pub fn policy(&self, name: &str) -> Option<Box<dyn crate::policy::BatchPolicy>> {
        crate::policy::lookup(name, &self.policies)
    }

    /// Every policy name this scenario offers: the built-in ones, then its own.
    pub fn policy_names(&self) -> Vec<&str> {
        crate::policy::names(&self.policies)
    }

    /// The full definition of policy `name`, as the manifest records it.
    pub fn policy_definition(&self, name: &str) -> Option<crate::policy::Definition> {
        crate::policy::definition(name, &self.policies)
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

/// A scenario document parsed once, with its overrides applied, from which the scenario and each
/// cell of its `[sweep]` grid are read: a grid of many cells re-reads only the tree, never the text.
pub struct ScenarioDoc {
    table: doc::Table,
    text: Arc<str>,
    file: String,
    folder: PathBuf,
    /// The inventories its scenarios read, read once for all of them.
    inventories: population::Inventories,
}

impl ScenarioDoc {
    /// Reads a scenario's text (see [`Scenario::load`]) and applies `overrides`.
    pub fn load(source: &Source, overrides: &[String]) -> Result<ScenarioDoc, ScenarioError> {
        let (text, folder) = match source {
            Source::Bundled(b) => (b.text.to_string(), Path::new("")),
            Source::File(path) => (
                read_scenario_text(path, &source.display_name())?,
                path.parent().unwrap_or(Path::new("")),
            ),
        };
        ScenarioDoc::parse(&text, &source.display_name(), folder, overrides)
    }

    /// Parses `text` (named `file` in messages) and applies `overrides`.
    pub fn parse(
        text: &str,
        file: &str,
        folder: &Path,
        overrides: &[String],
    ) -> Result<ScenarioDoc, ScenarioError> {
        let file_name: Arc<str> = Arc::from(file);
        let mut table =
            doc::parse(text, &file_name).map_err(|diagnostics| ScenarioError::Invalid {
                file: file.to_string(),
                diagnostics,
            })?;
        for assignment in overrides {
            apply_override(&mut table, assignment, None)?;
        }
        Ok(ScenarioDoc {
            table,
            text: Arc::from(text),
            file: file.to_string(),
            folder: folder.to_path_buf(),
            inventories: population::Inventories::default(),
        })
    }

    /// About the bytes of the document's values each cell of its grid holds: all but `[sweep]`
    /// (see [`check_cells_memory`]).
    pub fn cell_value_bytes(&self) -> u64 {
        self.table.value_bytes(Some("sweep"))
    }

    /// The scenario, validated.
    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        self.read(&self.table)
    }

    /// The scenario of one grid cell: `values[i]` (TOML text) set at `keys[i]`, each located at
    /// `origins[i]` (where the value is written in `[sweep]`), so its errors point there.
    pub fn cell(
        &self,
        keys: &[String],
        values: &[String],
        origins: &[Origin],
    ) -> Result<Scenario, ScenarioError> {
        // A cell is one point of the grid and has no grid of its own: copying and re-reading the
        // whole `[sweep]` table for each cell would make checking a grid quadratic in its size.
        let mut table = doc::Table {
            entries: (self.table.entries.iter())
                .filter(|e| e.key != "sweep")
                .cloned()
                .collect(),
        };
        for ((key, value), origin) in keys.iter().zip(values).zip(origins) {
            apply_override(&mut table, &format!("{key}={value}"), Some(origin))?;
        }
        self.read(&table)
    }

    fn read(&self, table: &doc::Table) -> Result<Scenario, ScenarioError> {
        let file_name: Arc<str> = Arc::from(self.file.as_str());
        let diags = Diagnostics::default();
        let root = Section::root(table, Origin::Missing { file: file_name }, &diags);
        let mut scenario = read(&root, &self.text, &self.folder, &self.inventories);
        scenario.file.clone_from(&self.file);
        scenario.sweep = sweep::read_sweep(table, &diags);
        root.finish();
        limits::check(&scenario, table, &diags);
        let mut list = diags.into_vec();
        if list.is_empty() {
            return Ok(scenario);
        }
        list.sort_by_key(|d| d.origin.listing_order());
        Err(ScenarioError::Invalid {
            file: self.file.clone(),
            diagnostics: list,
        })
    }
}

/// Applies one `key=value` override to the tree; its value is located at `origin` if given (a
/// swept value written in the file), else at the `--set` itself.
fn apply_override(
    table: &mut doc::Table,
    assignment: &str,
    origin: Option<&Origin>,
) -> Result<(), ScenarioError> {
    let (key, value) = assignment
        .split_once('=')
        .filter(|(k, _)| !k.trim().is_empty())
        .ok_or_else(|| ScenarioError::BadOverride {
            assignment: assignment.to_string(),
        })?;
    let mut node: Node = doc::parse_override_value(value.trim(), &Arc::from(assignment));
    if let Some(origin) = origin {
        node.relocate(origin);
    }
    // Under `sweep`, the rest is one dotted key: `sweep.helpdesk.weekday=[6, 12]` adds
    // an axis to the grid, as `"helpdesk.weekday" = [6, 12]` in `[sweep]` would.
    // Quotes are allowed around a sweep axis (`sweep."copy.slots"=[1, 2]`), as in a
    // `[sweep]` table; anywhere else they would turn `a.b` into one unknown key.
    let quotes: &[char] = &['"', '\''];
    let path: Vec<&str> = match key.trim().split_once('.') {
        Some(("sweep", axis)) => vec!["sweep", axis.trim().trim_matches(quotes)],
        _ if key.contains(quotes) => {
            return Err(ScenarioError::QuotedOverrideKey {
                assignment: assignment.to_string(),
                unquoted: key.replace(quotes, "").trim().to_string(),
            });
        }
        _ => key.trim().split('.').map(str::trim).collect(),
    };
    // Each part is a table within the last, built, read and dropped by recursion: a key of
    // thousands of parts overflowed the stack.
    if path.len() > doc::MAX_KEY_PARTS {
        return Err(ScenarioError::DeepOverrideKey {
            assignment: assignment.to_string(),
        });
    }
    table.set(&path, node);
    Ok(())
}

/// Reads every section with its defaults; problems go to the diagnostics and the default is kept.
fn read(
    root: &Section<'_>,
    text: &Arc<str>,
    folder: &Path,
    inventories: &population::Inventories,
) -> Scenario {
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
    // A file saved with Windows line ends keeps them inside a multi-line string: a line break.
    let description = root.string("description", "").replace("\r\n", "\n");
    if let Some(c) = description
        .chars()
        .find(|c| label::is_unprintable(*c) && !matches!(c, '\n' | '\t'))
    {
        root.error(
            "description",
            format!(
                "`description` holds the character {}, which does not show as itself",
                c.escape_unicode()
            ),
            Some("write it as plain text; line breaks and tabs are fine".into()),
        );
    }
    let seed = root.u64("seed", 2011, 0, u64::MAX);
    let replications = root.u32("replications", 20, 1, 1_000_000);
    let calendar = calendar::read_calendar(&root.section("calendar"));
    let population = population::read_population(
        &root.section("population"),
        folder,
        calendar.start,
        inventories,
    );
    let phases_section = root.section("phases");
    let phase_list = phases::read_phases(&phases_section);
    let (policies, written) = policies::read_policies(&root.section("policies"), &population);
    let first_start_hours = phase_list.first_start_hours();
    let batching = batching::read_batching(
        &root.section("batching"),
        &population,
        first_start_hours,
        &policies,
    );
    let least_lead = (-first_start_hours / 24.0).ceil().max(0.0) as u32;
    batchable::check(
        root,
        &policies,
        &written,
        &population,
        (&calendar, &batching, least_lead),
    );
    let copy_section = root.has("copy");
    let copy = copy::read_copy(&root.section("copy"));
    let workitems_section = root.section("workitems");
    let workitems =
        workitems::read_workitems(&workitems_section, &phase_list.kinds(&workitems_section));
    let phases = phases::resolve(&phases_section, phase_list, &workitems, copy_section);
    let operators = operators::read_operators(&root.section("operators"));
    let clients = estate::read_clients(&root.section("clients"));
    let helpdesk = estate::read_helpdesk(&root.section("helpdesk"), &clients);
    let lync = lync::read_lync(&root.section("lync"));
    // Read from the document by `sweep::read_sweep`; marked as known here.
    root.has("sweep");
    Scenario {
        file: String::new(),
        name,
        description,
        seed,
        replications,
        calendar,
        population,
        phases,
        batching,
        policies,
        copy,
        workitems,
        operators,
        clients,
        helpdesk,
        lync,
        sweep: None,
        source_text: text.clone(),
    }
}

/// Path of a file named in a scenario, relative to the scenario's folder.
pub fn relative_to(scenario: &Path, file: &str) -> PathBuf {
    scenario.parent().unwrap_or(Path::new(".")).join(file)
}
