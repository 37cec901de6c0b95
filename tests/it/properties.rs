//! Whatever a planner writes, the scenario loader answers with a scenario or with errors that say
//! where: random TOML built from the real key names, mutations of every bundled scenario, random
//! `--set` overrides and random inventory CSV never panic, and every error is located.
//!
//! The key names are not copied here: they are read from the loader itself, whose "unknown key"
//! errors list the keys each section knows, so new keys are exercised as soon as they exist.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use cutover::scenario::{
    BUNDLED, Diagnostic, MAX_SWEEP_CELLS, MemoryEstimate, Origin, Scenario, ScenarioError,
    Workload, parse_inventory,
};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;

/// `cases` per property, or `PROPTEST_CASES` for a longer hunt (`PROPTEST_CASES=20000 cargo test
/// properties`).
pub(crate) fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        // Failures are printed with their minimal input; nothing is written into the repository.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A key no section knows and no known key is near, so its error lists the known keys.
const PROBE: &str = "zqxjkvw";

/// Every table the loader reads (dotted path, "" for the top level) with the keys it knows there,
/// found by asking the loader about an unknown key in each.
fn schema() -> &'static [(String, Vec<String>)] {
    static SCHEMA: OnceLock<Vec<(String, Vec<String>)>> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let mut found = Vec::new();
        let mut todo = vec![String::new()];
        while let Some(path) = todo.pop() {
            let text = if path.is_empty() {
                format!("{PROBE} = 1\n")
            } else {
                format!("[{path}]\n{PROBE} = 1\n")
            };
            let Err(ScenarioError::Invalid { diagnostics, .. }) =
                Scenario::from_text(&text, "probe.toml", &[])
            else {
                continue;
            };
            let Some(keys) = diagnostics.iter().find_map(|d| {
                d.hint
                    .as_deref()
                    .filter(|_| d.key.ends_with(PROBE))
                    .and_then(|h| h.strip_prefix("known keys here: "))
            }) else {
                continue;
            };
            let keys: Vec<String> = keys.split(", ").map(str::to_string).collect();
            if path.matches('.').count() < 2 {
                for k in &keys {
                    let child = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    if child != "sweep" && !found.iter().any(|(p, _)| *p == child) {
                        todo.push(child);
                    }
                }
            }
            found.push((path, keys));
        }
        found.sort();
        assert!(
            found.len() >= 10,
            "the loader's sections were not found: {found:?}"
        );
        found
    })
}

/// Every dotted key the loader knows, for `--set` and `[sweep]`.
fn dotted_keys() -> &'static [String] {
    static KEYS: OnceLock<Vec<String>> = OnceLock::new();
    KEYS.get_or_init(|| {
        schema()
            .iter()
            .flat_map(|(path, keys)| {
                keys.iter().map(move |k| {
                    if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    }
                })
            })
            .collect()
    })
}

/// Parameters of distribution tables, which the probe cannot list (they depend on `dist`).
const DIST_PARAMS: &[&str] = &[
    "dist", "value", "low", "high", "mean", "sd", "median", "sigma", "rate", "scale", "shape",
    "values", "weights", "min", "max",
];

/// Words the loader gives a meaning to, so random strings sometimes hit a valid choice.
const WORDS: &[&str] = &[
    "fifo",
    "smallest-first",
    "random",
    "region-waves",
    "lognormal",
    "pareto",
    "empirical",
    "constant",
    "uniform",
    "normal",
    "exponential",
    "NA",
    "EMEA",
    "individual",
    "department",
    "tenant",
    "2012-10-31",
    "2012-02-30",
    "",
    " ",
    "x",
    "../../etc/passwd",
    "no-such.csv",
    "\u{feff}",
    "名前",
];

/// A TOML value, written out as text by `toml`.
#[derive(Clone, Debug)]
enum Val {
    /// Already TOML text (numbers, literals, dates, and deliberate junk).
    Raw(String),
    Str(String),
    Array(Vec<Val>),
    Table(Vec<(String, Val)>),
}

impl Val {
    fn toml(&self) -> String {
        match self {
            Val::Raw(t) => t.clone(),
            Val::Str(s) => quote(s),
            Val::Array(items) => {
                let parts: Vec<String> = items.iter().map(Val::toml).collect();
                format!("[{}]", parts.join(", "))
            }
            Val::Table(entries) => {
                let parts: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{} = {}", bare_or_quoted(k), v.toml()))
                    .collect();
                format!("{{ {} }}", parts.join(", "))
            }
        }
    }
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

fn bare_or_quoted(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        quote(k)
    }
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        (-3i64..200).prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        (-1e3f64..1e5).prop_map(|x| format!("{x:?}")),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(|x| format!("{x:?}")),
        prop::sample::select(vec![
            "0",
            "-0",
            "1",
            "0.5",
            "1.0",
            "1e9",
            "1e308",
            "1e-320",
            "9223372036854775807",
            "99999999999999999999",
            "nan",
            "inf",
            "-inf",
            "+inf",
            "0x7fffffff",
            "0o17",
            "1_000",
            "2.5e-3",
            "-1",
            "24",
            "168",
            "365",
            "-365",
            "1000000",
            "10000001",
        ])
        .prop_map(str::to_string),
    ]
}

fn date() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u32..10_000, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        (2010u32..2014, 1u32..13, 1u32..32).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
        prop::sample::select(vec![
            "2012-10-31",
            "2011-09-05",
            "2012-02-29",
            "0001-01-01",
            "9999-12-31",
            "2012-10-31T10:00:00",
            "2012-10-31 10:00:00Z",
            "10:30:00",
        ])
        .prop_map(str::to_string),
    ]
}

fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(WORDS).prop_map(str::to_string),
        1 => "[a-z_.-]{0,12}",
        1 => any::<String>(),
    ]
}

fn scalar() -> impl Strategy<Value = Val> {
    prop_oneof![
        4 => number().prop_map(Val::Raw),
        1 => any::<bool>().prop_map(|b| Val::Raw(b.to_string())),
        2 => string().prop_map(Val::Str),
        1 => date().prop_map(Val::Raw),
    ]
}

/// A distribution table: a `dist` name (usually a real one) and some of the parameters.
fn dist_table() -> impl Strategy<Value = Val> {
    (
        prop::sample::select(WORDS),
        prop::collection::vec((prop::sample::select(DIST_PARAMS), scalar()), 0..5),
        prop::collection::vec(number(), 0..4),
    )
        .prop_map(|(name, params, values)| {
            let mut entries = vec![("dist".to_string(), Val::Str(name.to_string()))];
            entries.extend(
                params
                    .into_iter()
                    .filter(|(k, _)| *k != "dist")
                    .map(|(k, v)| (k.to_string(), v)),
            );
            if name == "empirical" {
                let values = values.into_iter().map(Val::Raw).collect();
                entries.push(("values".to_string(), Val::Array(values)));
            }
            // A key twice is a duplicate-key error in an inline table: keep the first.
            let mut seen = Vec::new();
            entries.retain(|(k, _)| {
                let fresh = !seen.contains(k);
                seen.push(k.clone());
                fresh
            });
            Val::Table(entries)
        })
}

fn value() -> impl Strategy<Value = Val> {
    let leaf = prop_oneof![6 => scalar(), 2 => dist_table()];
    leaf.prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Val::Array),
            prop::collection::vec(("[a-z_]{1,8}", inner), 0..3).prop_map(Val::Table),
        ]
    })
}

/// One line of a generated document, placed in a section.
#[derive(Clone, Debug)]
enum Line {
    /// A key of the section at `Index` of the schema (or a junk key) with a value.
    Key {
        section: Index,
        key: Index,
        junk_key: Option<String>,
        value: Val,
    },
    /// A `[sweep]` entry: a dotted key (known or not) and a list of values.
    Sweep {
        key: Index,
        junk_key: Option<String>,
        values: Vec<Val>,
    },
    /// Text that is probably not TOML at all.
    Junk(String),
}

fn line() -> impl Strategy<Value = Line> {
    prop_oneof![
        12 => (any::<Index>(), any::<Index>(), prop::option::weighted(0.15, "[a-zA-Z_]{1,14}"), value())
            .prop_map(|(section, key, junk_key, value)| Line::Key { section, key, junk_key, value }),
        2 => (any::<Index>(), prop::option::weighted(0.2, "[a-z_.]{0,14}"), prop::collection::vec(scalar(), 0..4))
            .prop_map(|(key, junk_key, values)| Line::Sweep { key, junk_key, values }),
        1 => prop_oneof![
            Just("[unclosed".to_string()),
            Just("= 1".to_string()),
            Just("key = ".to_string()),
            Just("[[population]]".to_string()),
            Just("a.b.c = 1".to_string()),
            Just("\"quoted key\" = 1".to_string()),
            Just("zip = [[\"operators.weekend\", \"operators.weekday\"]]".to_string()),
            any::<String>(),
        ].prop_map(Line::Junk),
    ]
}

/// Renders lines as a TOML document: top-level keys first, then one `[section]` per table used.
fn document(lines: &[Line]) -> String {
    let schema = schema();
    let keys = dotted_keys();
    let mut top = Vec::new();
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    let mut add = |section: &str, text: String| {
        if section.is_empty() {
            top.push(text);
        } else if let Some((_, body)) = sections.iter_mut().find(|(s, _)| s == section) {
            body.push(text);
        } else {
            sections.push((section.to_string(), vec![text]));
        }
    };
    for line in lines {
        match line {
            Line::Key {
                section,
                key,
                junk_key,
                value,
            } => {
                let (path, known) = section.get(schema);
                let key = junk_key.clone().unwrap_or_else(|| key.get(known).clone());
                add(path, format!("{} = {}", bare_or_quoted(&key), value.toml()));
            }
            Line::Sweep {
                key,
                junk_key,
                values,
            } => {
                let key = junk_key.clone().unwrap_or_else(|| key.get(keys).clone());
                let list = Val::Array(values.clone()).toml();
                add("sweep", format!("{} = {list}", quote(&key)));
            }
            Line::Junk(text) => add("", text.clone()),
        }
    }
    let mut out = format!("name = \"prop\"\n{}\n", top.join("\n"));
    for (section, body) in sections {
        out.push_str(&format!("\n[{section}]\n{}\n", body.join("\n")));
    }
    out
}

/// Checks a loader's answer: a scenario that makes sense, or errors that each say where.
fn check_answer(text: &str, answer: Result<Scenario, ScenarioError>) -> Result<(), TestCaseError> {
    let lines = text.lines().count().max(1) + 1;
    match answer {
        Ok(sc) => {
            prop_assert!(sc.population.tenants >= 1);
            prop_assert!(sc.calendar.start <= sc.calendar.deadline);
            prop_assert!(sc.calendar.deadline <= sc.calendar.end);
            prop_assert!(sc.sweep.as_ref().is_none_or(|g| g.len() <= MAX_SWEEP_CELLS));
            // The memory estimate samples the scenario's distributions: it must not panic either.
            let e = MemoryEstimate::of(&sc, Workload::run(u64::from(sc.replications), 4));
            prop_assert!(e.total() > 0);
        }
        Err(ScenarioError::Invalid { file, diagnostics }) => {
            prop_assert!(!diagnostics.is_empty(), "an error without diagnostics");
            for d in &diagnostics {
                check_located(d, lines).map_err(|why| {
                    TestCaseError::fail(format!("{why}: `{d}` in {file}\n--- text ---\n{text}"))
                })?;
            }
        }
        Err(ScenarioError::BadOverride { assignment }) => {
            let key = assignment.split('=').next().unwrap_or("");
            prop_assert!(
                !assignment.contains('=') || key.trim().is_empty(),
                "{}",
                assignment
            );
        }
        Err(ScenarioError::QuotedOverrideKey { assignment, .. }) => {
            let key = assignment.split('=').next().unwrap_or("");
            prop_assert!(key.contains(['"', '\'']), "{}", assignment);
        }
        Err(e) => return Err(TestCaseError::fail(format!("unexpected error kind: {e}"))),
    }
    Ok(())
}

/// A diagnostic says where: a line and column within the text, a `--set`, an inventory line, or
/// at least the key it is about.
fn check_located(d: &Diagnostic, lines: usize) -> Result<(), String> {
    if d.message.trim().is_empty() {
        return Err("empty message".into());
    }
    match &d.origin {
        Origin::File { line, column, .. } => {
            if *line == 0 || *line > lines || *column == 0 {
                return Err(format!("position {line}:{column} outside the text"));
            }
        }
        Origin::Set { assignment } => {
            if assignment.is_empty() {
                return Err("an empty --set".into());
            }
        }
        Origin::Cell { line, .. } => {
            if *line == 0 {
                return Err("inventory line 0".into());
            }
        }
        Origin::Missing { .. } => {
            if d.key.is_empty() {
                return Err("neither a position nor a key".into());
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(512))]

    /// Random documents of real and junk keys with values of every type.
    #[test]
    fn random_documents_load_or_say_where(lines in prop::collection::vec(line(), 0..14)) {
        let text = document(&lines);
        check_answer(&text, Scenario::from_text(&text, "random.toml", &[]))?;
    }
}

/// How to damage a scenario file.
#[derive(Clone, Debug)]
enum Mutation {
    DeleteLine(Index),
    DuplicateLine(Index),
    /// Replaces what follows the `=` of a line with another value.
    ReplaceValue(Index, Val),
    /// Cuts the file at a byte (moved back to a character boundary).
    Truncate(Index),
    /// Inserts text at a byte.
    Insert(Index, String),
    SwapLines(Index, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => any::<Index>().prop_map(Mutation::DeleteLine),
        1 => any::<Index>().prop_map(Mutation::DuplicateLine),
        4 => (any::<Index>(), value()).prop_map(|(i, v)| Mutation::ReplaceValue(i, v)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        1 => (any::<Index>(), prop_oneof![
            Just("\n[".to_string()), Just("\"".to_string()), Just("\n[sweep]\n".to_string()),
            Just("=".to_string()), Just("\u{0}".to_string()), Just("\r\n".to_string()),
            any::<String>(),
        ]).prop_map(|(i, s)| Mutation::Insert(i, s)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
    ]
}

fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut text = text.to_string();
    for m in mutations {
        let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        let boundary = |text: &str, i: &Index| {
            let mut at = i.index(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        match m {
            Mutation::DeleteLine(i) => {
                lines.remove(i.index(lines.len()));
            }
            Mutation::DuplicateLine(i) => {
                let l = lines[i.index(lines.len())].clone();
                lines.insert(i.index(lines.len()), l);
            }
            Mutation::ReplaceValue(i, v) => {
                let with_value: Vec<usize> = (0..lines.len())
                    .filter(|&n| lines[n].contains('=') && !lines[n].trim_start().starts_with('#'))
                    .collect();
                if !with_value.is_empty() {
                    let n = with_value[i.index(with_value.len())];
                    let key = lines[n].split('=').next().unwrap_or("").to_string();
                    lines[n] = format!("{key}= {}", v.toml());
                }
            }
            Mutation::Truncate(i) => {
                let at = boundary(&text, i);
                text.truncate(at);
                continue;
            }
            Mutation::Insert(i, s) => {
                let at = boundary(&text, i);
                text.insert_str(at, s);
                continue;
            }
            Mutation::SwapLines(a, b) => {
                let (a, b) = (a.index(lines.len()), b.index(lines.len()));
                lines.swap(a, b);
            }
        }
        text = lines.join("\n");
    }
    text
}

fn scenarios_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// Every bundled scenario, and the inventory pilot with its folder (so its inventory is read).
fn shipped() -> Vec<(String, String, PathBuf)> {
    let mut all: Vec<(String, String, PathBuf)> = BUNDLED
        .iter()
        .map(|b| (b.name.to_string(), b.text.to_string(), PathBuf::new()))
        .collect();
    let pilot = scenarios_dir().join("inventory-pilot.toml");
    let text = std::fs::read_to_string(&pilot).expect("the inventory pilot is shipped");
    all.push(("inventory-pilot".into(), text, scenarios_dir()));
    all
}

proptest! {
    #![proptest_config(config(512))]

    /// Mutations of every shipped scenario: deleted, repeated, swapped and cut lines, values of the
    /// wrong type, stray characters.
    #[test]
    fn damaged_shipped_scenarios_load_or_say_where(
        which in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let all = shipped();
        let (name, text, folder) = &all[which.index(all.len())];
        let damaged = mutate(text, &mutations);
        let answer = Scenario::from_text_in(&damaged, &format!("{name}.toml"), folder, &[]);
        check_answer(&damaged, answer)?;
    }

    /// `--set` with known keys, distribution parameters and junk, and values of every type or none.
    #[test]
    fn random_overrides_apply_or_say_where(
        sets in prop::collection::vec(
            (
                any::<Index>(),
                prop_oneof![
                    6 => Just(None),
                    1 => prop::sample::select(DIST_PARAMS).prop_map(|p| Some(p.to_string())),
                    1 => "[a-z_. ]{0,10}".prop_map(Some),
                ],
                prop_oneof![
                    6 => value().prop_map(|v| v.toml()),
                    1 => string(),
                ],
                prop::sample::select(vec!["=", " = ", "==", ""]),
            ),
            1..4,
        ),
        which in any::<Index>(),
    ) {
        let keys = dotted_keys();
        let overrides: Vec<String> = sets
            .iter()
            .map(|(key, extra, value, eq)| {
                let key = keys[key.index(keys.len())].clone();
                let key = match extra {
                    Some(e) if e.contains('.') || e.contains(' ') => e.clone(),
                    Some(e) => format!("{key}.{e}"),
                    None => key,
                };
                format!("{key}{eq}{value}")
            })
            .collect();
        let b = &BUNDLED[which.index(BUNDLED.len())];
        let answer = Scenario::from_text(b.text, b.name, &overrides);
        check_answer(b.text, answer)?;
    }
}

/// One cell of a random inventory.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0u64..5000).prop_map(|n| n.to_string()),
        2 => number(),
        1 => Just(String::new()),
        1 => prop::sample::select(vec![
            "NA", "EMEA", "APAC", "Mars", " 12 ", "1e3", "NaN", "inf", "-0", "0x10", "1,5",
            "\"quoted, with comma\"", "\"unclosed", "\"\"", "a\"b", "#", "\u{feff}7", "１２",
            "18446744073709551616", "4294967296",
        ])
        .prop_map(str::to_string),
        1 => any::<String>(),
        1 => prop::collection::vec(any::<u8>(), 0..8)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

fn column_name() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop::sample::select(vec![
            "tenant", "seats", "mailboxes", "data_gb", "sharepoint_gb", "region", "blocked_days",
        ])
        .prop_map(str::to_string),
        1 => "[a-z_ ]{0,10}",
        1 => any::<String>(),
    ]
}

/// A plausible cell of `column` for row `row`: usually valid, sometimes empty.
fn plausible_cell(column: &str, row: usize, draw: u64) -> String {
    let n = draw % 10_000;
    match (column, draw % 7) {
        (_, 0) if column != "tenant" && column != "seats" => String::new(),
        ("tenant", _) => format!("Tenant {row}"),
        ("seats", _) => (1 + n % 3_000).to_string(),
        ("mailboxes", _) => (n % 4_000).to_string(),
        ("data_gb", _) => format!("{}.5", n),
        ("sharepoint_gb", _) => (n % 50).to_string(),
        ("region", d) => ["NA", "EMEA"][d as usize % 2].to_string(),
        ("blocked_days", _) => (n % 100).to_string(),
        _ => n.to_string(),
    }
}

/// CSV-ish text. Half the time a plausible inventory (the required columns, some optional ones in
/// any order, valid cells) with a few cells damaged; otherwise a header of random columns and rows
/// of random cells. Either may have comments, a byte order mark or CR LF line ends.
fn inventory_text() -> impl Strategy<Value = String> {
    let optional = prop::sample::subsequence(
        vec![
            "mailboxes",
            "data_gb",
            "sharepoint_gb",
            "region",
            "blocked_days",
        ],
        0..=5,
    )
    .prop_shuffle();
    let plausible = (
        optional,
        prop::collection::vec(any::<u64>(), 1..10),
        prop::collection::vec((any::<Index>(), any::<Index>(), cell()), 0..3),
        prop::option::weighted(0.2, any::<Index>()),
    )
        .prop_map(|(optional, rows, damage, drop_cell)| {
            let mut header = vec!["tenant", "seats"];
            header.extend(optional);
            let mut table: Vec<Vec<String>> = rows
                .iter()
                .enumerate()
                .map(|(r, &draw)| {
                    header
                        .iter()
                        .enumerate()
                        .map(|(c, col)| plausible_cell(col, r, draw.rotate_left(c as u32 * 7)))
                        .collect()
                })
                .collect();
            for (row, col, junk) in damage {
                let r = row.index(table.len());
                let c = col.index(header.len());
                table[r][c] = junk;
            }
            if let Some(i) = drop_cell {
                let r = i.index(table.len());
                table[r].pop();
            }
            let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
            (header, table)
        });
    let random = (
        prop::collection::vec(column_name(), 0..8),
        prop::collection::vec(prop::collection::vec(cell(), 0..9), 0..12),
    );
    (
        prop_oneof![plausible, random],
        any::<bool>(),
        any::<bool>(),
        prop::option::weighted(0.2, any::<Index>()),
    )
        .prop_map(|((header, rows), bom, crlf, comment_at)| {
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut lines = vec![header.join(",")];
            lines.extend(rows.iter().map(|r| r.join(",")));
            if let Some(i) = comment_at {
                lines.insert(i.index(lines.len() + 1), "# a comment, with a comma".into());
            }
            let text = lines.join(eol) + eol;
            if bom { format!("\u{feff}{text}") } else { text }
        })
}

/// Errors of an inventory name its file and a line within it. Read through a scenario
/// (`scenario_lines` given), an error may instead be the scenario's own, such as a batch capacity
/// the inventory's largest tenant does not fit, located like any scenario error.
fn check_inventory_errors(
    text: &str,
    diagnostics: &[Diagnostic],
    scenario_lines: Option<usize>,
) -> Result<(), TestCaseError> {
    prop_assert!(!diagnostics.is_empty());
    let lines = text.split('\n').count() + 1;
    for d in diagnostics {
        let Origin::Cell { file, line, .. } = &d.origin else {
            match scenario_lines {
                Some(n) => check_located(d, n).map_err(TestCaseError::fail)?,
                None => {
                    return Err(TestCaseError::fail(format!(
                        "not an inventory position: `{d}`"
                    )));
                }
            }
            continue;
        };
        prop_assert!(file.ends_with("inv.csv"), "`{}` names another file", d);
        prop_assert!(
            *line >= 1 && *line <= lines,
            "line {} of a {}-line file: `{}`",
            line,
            lines,
            d
        );
        prop_assert!(!d.message.trim().is_empty());
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(512))]

    /// The inventory reader alone, on random CSV text.
    #[test]
    fn random_inventories_parse_or_name_file_and_line(text in inventory_text()) {
        let regions = vec!["NA".to_string(), "EMEA".to_string()];
        match parse_inventory(&text, &Arc::from("inv.csv"), &regions) {
            Ok(rows) => {
                prop_assert!(!rows.is_empty());
                for r in &rows {
                    prop_assert!(r.seats >= 1 && !r.name.is_empty());
                    prop_assert!(r.region.is_none_or(|i| usize::from(i) < regions.len()));
                    for x in [r.data_gb, r.sharepoint_gb, r.blocked_days].into_iter().flatten() {
                        prop_assert!(x.is_finite() && x >= 0.0);
                    }
                }
            }
            Err(diagnostics) => check_inventory_errors(&text, &diagnostics, None)?,
        }
    }
}

proptest! {
    #![proptest_config(config(128))]

    /// The same inventories read through a scenario, which also checks them against the batch
    /// capacity and the tenant count.
    #[test]
    fn random_inventories_in_a_scenario_load_or_say_where(text in inventory_text()) {
        let dir = inventory_dir();
        std::fs::write(dir.join("inv.csv"), &text).expect("the temp folder is writable");
        let scenario = "name = \"inv\"\n[population]\ninventory = \"inv.csv\"\nregions = [\"NA\", \"EMEA\"]\n";
        match Scenario::from_text_in(scenario, "inv.toml", dir, &[]) {
            Ok(sc) => prop_assert!(sc.population.inventory.is_some_and(|rows| !rows.is_empty())),
            Err(ScenarioError::Invalid { diagnostics, .. }) => {
                check_inventory_errors(&text, &diagnostics, Some(scenario.lines().count() + 1))?
            }
            Err(e) => return Err(TestCaseError::fail(format!("unexpected error kind: {e}"))),
        }
    }
}

/// A folder for the inventory files of one test process (each case overwrites the file).
fn inventory_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(crate::common::temp_dir).path()
}

/// Every number the shipped scenarios set (dotted key and value), distribution parameters included.
fn numeric_keys() -> &'static [(String, f64, bool)] {
    fn walk(prefix: &str, table: &toml::Table, out: &mut Vec<(String, f64, bool)>) {
        for (k, v) in table {
            let path = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                toml::Value::Integer(i) => out.push((path, *i as f64, true)),
                toml::Value::Float(x) => out.push((path, *x, false)),
                toml::Value::Table(t) if path != "sweep" => walk(&path, t, out),
                _ => {}
            }
        }
    }
    static KEYS: OnceLock<Vec<(String, f64, bool)>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut out = Vec::new();
        for b in BUNDLED {
            let table: toml::Table = b.text.parse().expect("a shipped scenario is TOML");
            walk("", &table, &mut out);
        }
        let skip = ["seed", "replications", "population.tenants"];
        out.retain(|(k, _, _)| !skip.contains(&k.as_str()));
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out.dedup_by(|a, b| a.0 == b.0);
        out
    })
}

proptest! {
    #![proptest_config(config(40))]

    /// Odd but valid figures: numbers of the shipped scenarios scaled by 0 to 3 (or set to 0 or
    /// 1) on the small pilot. Whatever loads must simulate, keeping the model's invariants.
    #[test]
    fn valid_odd_scenarios_simulate_and_keep_the_invariants(
        changes in prop::collection::vec(
            (any::<Index>(), prop_oneof![4 => 0.0f64..3.0, 1 => Just(0.0), 1 => Just(1.0)]),
            1..6,
        ),
        seed in 0u64..1_000,
    ) {
        let keys = numeric_keys();
        let mut overrides: Vec<String> = changes
            .iter()
            .map(|(i, factor)| {
                let (key, value, integer) = &keys[i.index(keys.len())];
                let x = if *factor == 0.0 || *factor == 1.0 { *factor } else { value * factor };
                if *integer {
                    format!("{key}={}", x.round() as i64)
                } else {
                    format!("{key}={x:?}")
                }
            })
            .collect();
        overrides.push("population.tenants=40".into());
        let pilot = BUNDLED.iter().find(|b| b.name == "small-pilot").expect("bundled");
        let answer = Scenario::from_text(pilot.text, "small-pilot.toml", &overrides);
        let mut sc = match answer {
            Ok(sc) => sc,
            Err(e) => return check_answer(pilot.text, Err(e)),
        };
        check_answer(pilot.text, Ok(sc.clone()))?;
        sc.seed = seed;
        let policy = cutover::policy::by_name(&sc.batching.policy).expect("validated");
        let out = cutover::model::simulate(&sc, policy.as_ref(), seed % 3, true);
        let detail = out.detail.as_ref().expect("detail was asked for");
        let label = overrides.join(" ");
        crate::model_behaviour::check_invariants(&label, &sc, &out.metrics, detail);
    }
}

#[test]
fn the_schema_probe_finds_the_documented_sections() {
    let sections: Vec<&str> = schema().iter().map(|(p, _)| p.as_str()).collect();
    for s in [
        "",
        "calendar",
        "population",
        "batching",
        "workitems",
        "workitems.mailbox_cutover",
        "operators",
        "lync",
    ] {
        assert!(sections.contains(&s), "no section `{s}` in {sections:?}");
    }
    assert!(dotted_keys().iter().any(|k| k == "batching.max_tenants"));
}
