//! The `[phases]` section: the programme's phases, each with its start relative to the transition
//! weekend T and the work it runs, and how long the cutover window may run.
//!
//! Without `[[phases.programme]]` the programme is the BPOS transition (Pre-Approval to Finalize),
//! whose offsets are the named keys `primary_prep_days` ... `finalize_hours`. With it, the file
//! lists its own phases in order; `resolve` checks the list against the `[workitems]` kinds.

use super::doc::Origin;
use super::label;
use super::reader::{self, Section};
use super::workitems::{KindSpec, Workitems};
use crate::phase::{
    CopySource, KindDef, MAX_KINDS, MAX_PHASES, Phase, PhaseDef, Programme, offset_ticks,
};

/// The hours a cutover window may run: from one to a week.
pub const WINDOW_HOURS: (f64, f64) = (1.0, 24.0 * 7.0);
/// The furthest a phase may start from T, in hours either way: a year.
pub const MAX_START_HOURS: f64 = 365.0 * 24.0;

/// The programme and how long its cutover window may run.
#[derive(Clone, Debug, PartialEq)]
pub struct Phases {
    pub programme: Programme,
    /// How long the window phase may take before the tenant is rolled back.
    pub window_hours: f64,
}

impl Phases {
    /// When `phase` starts, in hours from T; `None` for the first phase, which a tenant is in
    /// from the start (and again after a rollback) rather than from an offset.
    pub fn start_hours(&self, phase: Phase) -> Option<f64> {
        self.programme.phase(phase).start_hours
    }
}

/// An offset from T as the charts and the manifest show it: `T-60` (days before T), `T`,
/// `T+48h` (hours after T), `T-6h` (hours before T that are not whole days).
pub fn offset_label(hours: f64) -> String {
    if hours == 0.0 {
        "T".into()
    } else if hours < 0.0 && hours % 24.0 == 0.0 {
        format!("T-{}", -hours / 24.0)
    } else if hours < 0.0 {
        format!("T-{}h", -hours)
    } else {
        format!("T+{hours}h")
    }
}

/// The BPOS transition's phases: (key, name, work kinds). Its offsets are the named keys.
const BPOS_PHASES: [(&str, &str, &[&str]); 8] = [
    ("pre_approval", "Pre-Approval", &[]),
    ("primary_prep", "PrimaryPrep", &["notice"]),
    ("secondary_prep", "SecondaryPrep", &["notice"]),
    ("approval", "Approval", &["notice"]),
    ("prestage", "Pre-Stage", &["mailbox_copy", "site_copy"]),
    ("lock", "Lock", &["admin_lock"]),
    (
        "data_upgrade",
        "DataUpgrade",
        &[
            "directory_sync",
            "mailbox_cutover",
            "sharepoint_switch",
            "chat_upgrade",
        ],
    ),
    ("finalize", "Finalize", &["cleanup"]),
];
/// The BPOS window: DataUpgrade.
const BPOS_WINDOW: usize = 6;

/// The BPOS work kinds in the order of their parameters: (key, copy source, default minutes per
/// attempt, default extra minutes per seat). Copies take their time from size and rate instead.
pub(super) const BPOS_KINDS: [KindSpec; 9] = [
    KindSpec::bpos("notice", None, 1.0, 0.0),
    KindSpec::bpos("admin_lock", None, 5.0, 0.0),
    KindSpec::bpos("mailbox_copy", Some(CopySource::Mailboxes), 0.0, 0.0),
    KindSpec::bpos("site_copy", Some(CopySource::Sites), 0.0, 0.0),
    KindSpec::bpos("directory_sync", None, 15.0, 0.02),
    KindSpec::bpos("mailbox_cutover", None, 30.0, 0.1),
    KindSpec::bpos("sharepoint_switch", None, 30.0, 0.02),
    KindSpec::bpos("chat_upgrade", None, 15.0, 0.01),
    KindSpec::bpos("cleanup", None, 20.0, 0.0),
];

/// The named offset keys of the BPOS programme, in phase order (after Pre-Approval).
const BPOS_OFFSET_KEYS: [&str; 6] = [
    "primary_prep_days",
    "secondary_prep_days",
    "approval_days",
    "prestage_days",
    "lock_days",
    "finalize_hours",
];

/// A phase as written, before its work kinds are resolved.
struct PhaseSpec {
    key: String,
    name: String,
    start_hours: Option<f64>,
    /// Work kind names, each with where it is written.
    work: Vec<(String, Origin)>,
}

/// The `[phases]` section as read: the phases and the kinds they name, not yet resolved.
pub(super) struct PhaseList {
    phases: Vec<PhaseSpec>,
    window: usize,
    window_hours: f64,
    /// Whether the file defines its own programme (its kinds then need their own tables).
    custom: bool,
    /// Whether the file's programme could be read as a list of phases (at least two), so the
    /// kinds its phases name are the programme's kinds.
    listed: bool,
    /// Whether a phase says it is the window: without one, `window` is a stand-in, and nothing
    /// is reported as being after it.
    window_known: bool,
}

impl PhaseList {
    /// The earliest offset, in hours from T (the second phase's), 0 if none is set.
    pub fn first_start_hours(&self) -> f64 {
        self.phases
            .get(1)
            .and_then(|p| p.start_hours)
            .unwrap_or(0.0)
    }

    /// The work kinds the programme names, each once, in order of first use (the BPOS
    /// programme's in their historical order). A programme of the file's own that could not be
    /// read as a list names none, so every table of `workitems` is read as a kind: its own
    /// mistakes are still found, and it is not reported as unknown besides the programme's.
    pub fn kinds(&self, workitems: &Section<'_>) -> Vec<KindSpec> {
        if !self.custom {
            return BPOS_KINDS.to_vec();
        }
        if !self.listed {
            return workitems
                .table_names()
                .into_iter()
                .map(|(name, origin)| KindSpec::custom(&name, origin))
                .collect();
        }
        let mut kinds: Vec<KindSpec> = Vec::new();
        for (name, origin) in self.phases.iter().flat_map(|p| &p.work) {
            if !kinds.iter().any(|k| k.key == *name) {
                kinds.push(KindSpec::custom(name, origin.clone()));
            }
        }
        kinds
    }
}

pub(super) fn read_phases(s: &Section<'_>) -> PhaseList {
    let window_hours = s.f64("window_hours", 48.0, WINDOW_HOURS.0, WINDOW_HOURS.1);
    let list = if s.has("programme") {
        for key in BPOS_OFFSET_KEYS {
            if s.has(key) {
                s.error(
                    key,
                    format!("`phases.{key}` sets an offset of the built-in BPOS programme, but this file defines its own in `phases.programme`"),
                    Some("give each phase of `phases.programme` its own `start_days` or `start_hours`".into()),
                );
            }
        }
        read_programme(s, window_hours)
    } else {
        read_bpos(s, window_hours)
    };
    s.finish();
    list
}

/// The BPOS programme at the offsets the named keys give.
fn read_bpos(s: &Section<'_>, window_hours: f64) -> PhaseList {
    let day = |k, d| s.i64(k, d, -365, 0);
    let days = [
        day("primary_prep_days", -60),
        day("secondary_prep_days", -30),
        day("approval_days", -14),
        day("prestage_days", -7),
        day("lock_days", -1),
    ];
    let finalize_hours = s.f64("finalize_hours", 48.0, 0.0, 24.0 * 14.0);
    for i in 1..days.len() {
        let (a, b) = (BPOS_OFFSET_KEYS[i - 1], BPOS_OFFSET_KEYS[i]);
        let (da, db) = (days[i - 1], days[i]);
        if da >= db {
            s.error(
                b,
                format!("phase offsets out of order: `phases.{a}` = {da} must come before `phases.{b}` = {db}"),
                Some("offsets are days relative to T and must increase through the phases".into()),
            );
        }
    }
    if days[4] >= 0 {
        s.error(
            "lock_days",
            "`phases.lock_days` must be before T (negative)",
            None,
        );
    }
    if finalize_hours < window_hours {
        s.error(
            "finalize_hours",
            format!(
                "`phases.finalize_hours` = {finalize_hours} starts Finalize before the {window_hours}-hour window closes"
            ),
            Some("set finalize_hours >= window_hours".into()),
        );
    }
    let starts = std::iter::once(None)
        .chain(days.iter().map(|&d| Some(d as f64 * 24.0)))
        .chain([Some(0.0), Some(finalize_hours)]);
    let phases = BPOS_PHASES
        .iter()
        .zip(starts)
        .map(|(&(key, name, work), start_hours)| PhaseSpec {
            key: key.into(),
            name: name.into(),
            start_hours,
            work: work.iter().map(|k| (k.to_string(), s.origin())).collect(),
        })
        .collect();
    PhaseList {
        phases,
        window: BPOS_WINDOW,
        window_hours,
        custom: false,
        listed: true,
        window_known: true,
    }
}

/// Whether `key` can name a phase: a timeseries.csv column of lower-case letters, digits and
/// `_`, starting with a letter.
fn is_phase_key(key: &str) -> bool {
    (1..=40).contains(&key.len())
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The key a phase's start is written under, for errors about it.
fn start_key(t: &Section<'_>) -> &'static str {
    if t.has("start_days") {
        "start_days"
    } else {
        "start_hours"
    }
}

/// `[[phases.programme]]`: the file's own phases, in order.
fn read_programme(s: &Section<'_>, window_hours: f64) -> PhaseList {
    let tables = s.tables("programme");
    let mut phases: Vec<PhaseSpec> = Vec::new();
    let mut windows = Vec::new();
    for (i, t) in tables.iter().enumerate() {
        let key = t.string("key", "");
        if key.is_empty() {
            t.error(
                "key",
                format!("phase {} of `phases.programme` has no `key`", i + 1),
                Some("name its column in timeseries.csv, e.g. `key = \"cutover\"`".into()),
            );
        } else if !is_phase_key(&key) {
            t.error(
                "key",
                format!(
                    "phase key `{}` cannot name a column",
                    super::reader::abbreviate(&key)
                ),
                Some(
                    "use 1 to 40 lower-case letters, digits or `_`, starting with a letter".into(),
                ),
            );
        } else if phases.iter().any(|p| p.key == key) {
            t.error(
                "key",
                format!("two phases are called `{key}`"),
                Some("give each phase its own key".into()),
            );
        } else if crate::files::timeseries::is_fixed_column(&key) {
            t.error(
                "key",
                format!("phase key `{key}` is already a column of timeseries.csv"),
                Some("choose another key".into()),
            );
        }
        let name = t.string("name", &key);
        if let Some(why) = label::name_problem(&name, label::MAX_PHASE_NAME_CHARS, false) {
            t.error(
                "name",
                format!(
                    "the name of phase `{key}`, `{}`, {why}",
                    reader::abbreviate(&label::escape_unprintable(&name, &[]))
                ),
                Some("charts show it: name it plainly, e.g. \"Cutover\"".into()),
            );
        } else if let Some(other) = phases
            .iter()
            .find(|p| label::reads_as(&p.name) == label::reads_as(&name))
        {
            // Legends, the report's tables and the causes name phases by name.
            t.error(
                "name",
                format!(
                    "phases `{}` and `{key}` are both named `{}`",
                    other.key,
                    reader::abbreviate(&label::revealed(&name))
                ),
                Some("charts and the report tell phases apart by name: give each its own".into()),
            );
        }
        let start_hours = match (t.has("start_days"), t.has("start_hours")) {
            (true, true) => {
                t.error(
                    "start_hours",
                    format!("phase `{key}` has both `start_days` and `start_hours`"),
                    Some("keep one".into()),
                );
                None
            }
            (true, false) => Some(t.i64("start_days", 0, -365, 365) as f64 * 24.0),
            (false, true) => Some(t.f64("start_hours", 0.0, -MAX_START_HOURS, MAX_START_HOURS)),
            (false, false) => None,
        };
        // A start refused above (out of range, not a number, given twice) stands at a default:
        // judged no further, here or by the next phase, where it would be a second, false error.
        let start_refused = ["start_days", "start_hours"]
            .iter()
            .any(|k| t.reported(&t.key_path(k)));
        let start_hours = start_hours.filter(|_| !start_refused);
        let work = t.located_strings("work");
        if t.bool("window", false) {
            windows.push(i);
        }
        if i == 0 {
            if start_hours.is_some() {
                t.error(
                    if t.has("start_days") { "start_days" } else { "start_hours" },
                    format!("the first phase, `{key}`, is where tenants wait for a batch and has no offset"),
                    Some("remove its start; every later phase needs one".into()),
                );
            }
            if !work.is_empty() || windows.contains(&0) {
                t.error(
                    if work.is_empty() { "window" } else { "work" },
                    format!("the first phase, `{key}`, is where tenants wait for a batch: it runs no work and is not the window"),
                    Some("put the work and the window in later phases".into()),
                );
            }
        } else if start_hours.is_none() && !start_refused {
            t.error(
                "start_days",
                format!("phase `{key}` has no start"),
                Some("set `start_days` (days from T, negative before it) or `start_hours`".into()),
            );
        }
        if let Some(prev) = phases.last()
            && let (Some(before), Some(start)) = (prev.start_hours, start_hours)
            && offset_ticks(start) <= offset_ticks(before)
        {
            // The simulation starts phases on whole seconds: offsets less than half a second
            // apart are one, and a phase of no length rolled every tenant back for ever.
            let what = if start == before {
                "starts at the same offset as"
            } else if start < before {
                "starts before"
            } else {
                "starts less than a second after"
            };
            t.error(
                start_key(t),
                format!(
                    "phase offsets out of order: `{key}` ({}) {what} `{}` ({})",
                    offset_label(start),
                    prev.key,
                    offset_label(before)
                ),
                Some("list the phases in the order they start; offsets must increase".into()),
            );
        }
        for (j, (name, origin)) in work.iter().enumerate() {
            if let Some(why) = super::workitems::kind_name_problem(name) {
                t.error_at(
                    origin.clone(),
                    "work",
                    format!(
                        "work kind `{}` of phase `{key}` {why}",
                        reader::abbreviate(name)
                    ),
                    Some("name each kind plainly, e.g. \"mailbox_move\"".into()),
                );
            } else if work[..j].iter().any(|(n, _)| n == name) {
                t.error_at(
                    origin.clone(),
                    "work",
                    format!("phase `{key}` names work kind `{name}` twice"),
                    None,
                );
            }
        }
        t.finish();
        phases.push(PhaseSpec {
            key,
            name,
            start_hours,
            work,
        });
    }
    if tables.len() < 2 {
        s.error(
            "programme",
            format!("`phases.programme` has {} phase{}: a programme needs a waiting phase and at least one more", tables.len(), if tables.len() == 1 { "" } else { "s" }),
            Some("list the phases with `[[phases.programme]]` tables, the first where tenants wait".into()),
        );
    } else if tables.len() > MAX_PHASES {
        s.error(
            "programme",
            format!(
                "`phases.programme` has {} phases, more than {MAX_PHASES}",
                tables.len()
            ),
            None,
        );
    }
    let window = match windows.as_slice() {
        [w] => *w,
        [] => {
            if tables.len() >= 2 {
                s.error(
                    "programme",
                    "`phases.programme` has no cutover window: no phase says `window = true`",
                    Some(
                        "mark the phase that can overrun and roll back with `window = true`".into(),
                    ),
                );
            }
            1
        }
        [_, second, ..] => {
            tables[*second].error(
                "window",
                "`phases.programme` has more than one window phase",
                Some("keep `window = true` on one phase".into()),
            );
            windows[0]
        }
    };
    if let (Some(w), Some(next)) = (phases.get(window), phases.get(window + 1))
        && let (Some(a), Some(b)) = (w.start_hours, next.start_hours)
        && b < a + window_hours
    {
        let t = &tables[window + 1];
        t.error(
            start_key(t),
            format!(
                "phase `{}` starts at {}, before `{}`'s {window_hours}-hour window closes",
                next.key,
                offset_label(b),
                w.key
            ),
            Some("start it at least `phases.window_hours` after the window's start".into()),
        );
    }
    PhaseList {
        phases,
        window: window.min(MAX_PHASES - 1),
        window_hours,
        custom: true,
        listed: tables.len() >= 2,
        window_known: !windows.is_empty(),
    }
}

/// The BPOS programme at its default offsets: what a scenario without `[phases]` runs, and
/// what charts assume of a folder whose manifest does not record its phases.
pub fn bpos_programme() -> Programme {
    let kinds: Vec<KindDef> = BPOS_KINDS
        .iter()
        .map(|k| KindDef {
            key: k.key.to_string(),
            copy: k.copy,
        })
        .collect();
    let days = |d: f64| Some(d * 24.0);
    let starts = [
        None,
        days(-60.0),
        days(-30.0),
        days(-14.0),
        days(-7.0),
        days(-1.0),
        Some(0.0),
        Some(48.0),
    ];
    let phases = BPOS_PHASES
        .iter()
        .zip(starts)
        .map(|(&(key, name, work), start_hours)| {
            let kind = |k: &&str| {
                let index = kinds.iter().position(|d| d.key == *k).expect("a BPOS kind");
                (Programme::kind_at(index), kinds[index].copy.is_some())
            };
            let (copies, work): (Vec<_>, Vec<_>) = work.iter().map(kind).partition(|k| k.1);
            PhaseDef {
                key: key.into(),
                name: name.into(),
                start_hours,
                work: work.into_iter().map(|k| k.0).collect(),
                copies: copies.into_iter().map(|k| k.0).collect(),
            }
        })
        .collect();
    Programme::new(phases, kinds, BPOS_WINDOW)
}

/// A stand-in programme after an error was reported (the scenario is refused anyway): BPOS.
fn fallback(window_hours: f64) -> Phases {
    let phases = BPOS_PHASES
        .iter()
        .map(|&(key, name, _)| PhaseDef {
            key: key.into(),
            name: name.into(),
            start_hours: Some(0.0),
            work: Vec::new(),
            copies: Vec::new(),
        })
        .collect();
    Phases {
        programme: Programme::new(phases, Vec::new(), BPOS_WINDOW),
        window_hours,
    }
}

/// The programme: each phase's work resolved against the kinds `[workitems]` defines, and the
/// rules that tie phases and kinds checked. `copy_section` says whether the file has `[copy]`.
pub(super) fn resolve(
    s: &Section<'_>,
    list: PhaseList,
    workitems: &Workitems,
    copy_section: bool,
) -> Phases {
    let valid_shape = (2..=MAX_PHASES).contains(&list.phases.len()) && list.window > 0;
    let kinds: Vec<KindDef> = workitems
        .kinds()
        .iter()
        .map(|k| KindDef {
            key: k.key.clone(),
            copy: k.copy,
        })
        .collect();
    if kinds.len() > MAX_KINDS && list.listed {
        s.error(
            "programme",
            format!(
                "the programme names {} work kinds, more than {MAX_KINDS}",
                kinds.len()
            ),
            None,
        );
        return fallback(list.window_hours);
    }
    let mut copy_phase: Option<&str> = None;
    let mut ok = valid_shape;
    let mut phases = Vec::with_capacity(list.phases.len());
    for (i, p) in list.phases.iter().enumerate() {
        let (mut work, mut copies) = (Vec::new(), Vec::new());
        for (name, origin) in &p.work {
            let Some(index) = kinds.iter().position(|k| k.key == *name) else {
                ok = false;
                continue;
            };
            let kind = Programme::kind_at(index);
            if kinds[index].copy.is_none() {
                work.push(kind);
                continue;
            }
            copies.push(kind);
            let problem = if list.window_known && i > list.window {
                Some((
                    format!(
                        "copy kind `{name}` runs in `{}`, after the window `{}`: copies must be done when the window closes",
                        p.key,
                        list.phases[list.window.min(list.phases.len() - 1)].key
                    ),
                    "run it in the window or a phase before it",
                ))
            } else if copy_phase.is_some_and(|c| c != p.key) {
                Some((
                    format!(
                        "copy kind `{name}` runs in `{}`, but copies already start in `{}`: every copy kind runs in one phase",
                        p.key,
                        copy_phase.unwrap_or_default()
                    ),
                    "move every copy kind to one phase",
                ))
            } else if list.custom && !copy_section {
                Some((
                    format!(
                        "copy kind `{name}` copies through copy slots, but the scenario has no `[copy]` section"
                    ),
                    "add `[copy]` with the slots per region and `gb_per_hour`",
                ))
            } else {
                None
            };
            if let Some((message, hint)) = problem {
                ok = false;
                s.error_at(origin.clone(), "programme", message, Some(hint.into()));
            }
            copy_phase.get_or_insert(&p.key);
        }
        phases.push(PhaseDef {
            key: p.key.clone(),
            name: p.name.clone(),
            start_hours: p.start_hours,
            work,
            copies,
        });
    }
    if !ok {
        return fallback(list.window_hours);
    }
    Phases {
        programme: Programme::new(phases, kinds, list.window),
        window_hours: list.window_hours,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scenario_without_phases_runs_the_bpos_programme() {
        let sc = crate::scenario::Scenario::from_text("name = \"s\"\n", "s.toml", &[]).unwrap();
        assert_eq!(sc.phases.programme, bpos_programme());
        let p = &sc.phases.programme;
        let keys: Vec<&str> = p.phases().map(|ph| p.key(ph)).collect();
        assert_eq!(keys, BPOS_PHASES.map(|b| b.0));
        assert_eq!(p.key(p.window()), "data_upgrade");
        assert_eq!(p.copy_phase().map(|c| p.key(c)), Some("prestage"));
    }

    #[test]
    fn offsets_read_as_days_before_and_hours_after_t() {
        assert_eq!(offset_label(-60.0 * 24.0), "T-60");
        assert_eq!(offset_label(0.0), "T");
        assert_eq!(offset_label(48.0), "T+48h");
        assert_eq!(offset_label(-6.0), "T-6h");
        assert_eq!(offset_label(36.5), "T+36.5h");
    }
}
