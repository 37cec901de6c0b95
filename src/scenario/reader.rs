//! Typed, located reading of a scenario tree: every key read with its default, every mistake collected.
//!
//! Reading never stops at the first problem: a wrong value is reported and replaced by its default
//! so the rest of the file is still checked, and the planner sees all errors of a file at once.
//! Keys that no reader asked for are reported as unknown, with the nearest known name suggested.

// `!(x > 0.0)` on purpose: unlike `x <= 0.0` it also rejects NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use std::cell::{Cell, RefCell};
use std::fmt;

use super::dist::{DIST_NAMES, Dist};
use super::doc::{Entry, Node, Origin, Table, Value};
use super::label::escape_unprintable;
use crate::date::Date;

/// One problem in a scenario, with where it is and, when there is one, how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub origin: Origin,
    /// The dotted key, e.g. `batching.max_tenants`; empty for file-level problems.
    pub key: String,
    pub message: String,
    pub hint: Option<String>,
    /// How many problems this one stands for when they were counted, not listed (0 otherwise).
    pub unlisted: usize,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.message, self.origin)?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

/// The diagnostics collected while reading one document.
#[derive(Default)]
pub struct Diagnostics {
    list: RefCell<Vec<Diagnostic>>,
    /// Every (section, key) some reader asked for, to tell where a misplaced key belongs.
    known: RefCell<Vec<(String, &'static str)>>,
    /// Unknown keys without a nearer hint in their own section: (index in `list`, section, key).
    unknown: RefCell<Vec<(usize, String, String)>>,
}

impl Diagnostics {
    pub fn push(&self, origin: Origin, key: &str, message: String, hint: Option<String>) {
        self.list.borrow_mut().push(Diagnostic {
            origin,
            key: key.to_string(),
            message,
            hint,
            unlisted: 0,
        });
    }

    /// The diagnostics in the order found; an unknown key that another section reads is told
    /// which section it belongs to (`weekend` under `[batching]` belongs under `[operators]`).
    pub fn into_vec(self) -> Vec<Diagnostic> {
        let mut list = self.list.into_inner();
        let known = self.known.into_inner();
        for (index, section, key) in self.unknown.into_inner() {
            let mut homes: Vec<&str> = known
                .iter()
                .filter(|(s, k)| *k == key && *s != section)
                .map(|(s, _)| s.as_str())
                .collect();
            homes.sort_unstable();
            homes.dedup();
            if homes.is_empty() {
                continue;
            }
            let places: Vec<String> = homes
                .iter()
                .map(|s| {
                    if s.is_empty() {
                        "at the top level, before any section".to_string()
                    } else {
                        format!("under `[{s}]`")
                    }
                })
                .collect();
            list[index].hint = Some(format!("`{key}` belongs {}", places.join(" or ")));
        }
        list
    }
}

/// A table being read: which keys were asked for, where it lives, where its errors go.
pub struct Section<'a> {
    path: String,
    table: Option<&'a Table>,
    origin: Origin,
    used: RefCell<Vec<&'static str>>,
    /// Keys the file itself names elsewhere (a work kind's `[workitems.<kind>]` table), read too,
    /// each with whether a hint may offer it: a name refused where it is written is not.
    used_named: RefCell<Vec<(String, bool)>>,
    /// Whether every key here is a name the file chooses (`[policies.NAME]`): none is unknown.
    open: Cell<bool>,
    diags: &'a Diagnostics,
}

impl<'a> Section<'a> {
    pub fn root(table: &'a Table, file_origin: Origin, diags: &'a Diagnostics) -> Self {
        Section {
            path: String::new(),
            table: Some(table),
            origin: file_origin,
            used: RefCell::default(),
            used_named: RefCell::default(),
            open: Cell::new(false),
            diags,
        }
    }

    /// This table's own path (`policies.NAME.caps[0]`); empty at the top level.
    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn entry(&self, key: &'static str) -> Option<&'a Entry> {
        self.used.borrow_mut().push(key);
        self.table.and_then(|t| t.get(key))
    }

    /// Where errors about `key` point: the value if written, else this table.
    pub fn origin_of(&self, key: &'static str) -> Origin {
        self.table
            .and_then(|t| t.get(key))
            .map_or_else(|| self.origin.clone(), |e| e.node.origin.clone())
    }

    /// Reports a problem found by a check across several keys.
    pub fn error(&self, key: &'static str, message: impl Into<String>, hint: Option<String>) {
        self.diags.push(
            self.origin_of(key),
            &self.key_path(key),
            message.into(),
            hint,
        );
    }

    fn wrong(&self, node: &Node, key: &str, message: String) {
        self.diags
            .push(node.origin.clone(), &self.key_path(key), message, None);
    }

    fn type_error(&self, node: &Node, key: &str, expected: &str) {
        let msg = format!(
            "`{}` must be {expected}, found {}",
            self.key_path(key),
            node.value.type_name()
        );
        self.wrong(node, key, msg);
    }

    /// A nested table (`[workitems.mailbox_copy]`); missing means all defaults.
    pub fn section(&self, key: &'static str) -> Section<'a> {
        let mut table = None;
        let mut origin = self.origin.clone();
        if let Some(e) = self.entry(key) {
            origin = e.node.origin.clone();
            match &e.node.value {
                Value::Table(t) => table = Some(t),
                _ => self.type_error(&e.node, key, "a table"),
            }
        }
        self.child(self.key_path(key), table, origin)
    }

    /// A nested table whose name the file chose elsewhere (a work kind a phase names); missing
    /// means all defaults. `offered`: whether an unknown key's hint may offer the name (not if
    /// the name is refused where it is written).
    pub fn section_named(&self, key: &str, offered: bool) -> Section<'a> {
        self.used_named
            .borrow_mut()
            .push((key.to_string(), offered));
        let mut table = None;
        let mut origin = self.origin.clone();
        if let Some(e) = self.table.and_then(|t| t.get(key)) {
            origin = e.node.origin.clone();
            match &e.node.value {
                Value::Table(t) => table = Some(t),
                _ => self.type_error(&e.node, key, "a table"),
            }
        }
        self.child(self.key_path(key), table, origin)
    }

    /// Whether the file wrote a table called `key` here.
    pub fn has_table(&self, key: &str) -> bool {
        self.table
            .and_then(|t| t.get(key))
            .is_some_and(|e| matches!(e.node.value, Value::Table(_)))
    }

    fn child(&self, path: String, table: Option<&'a Table>, origin: Origin) -> Section<'a> {
        Section {
            path,
            table,
            origin,
            used: RefCell::default(),
            used_named: RefCell::default(),
            open: Cell::new(false),
            diags: self.diags,
        }
    }

    /// Where this table is written (its header), or the file if it is absent.
    pub fn origin(&self) -> Origin {
        self.origin.clone()
    }

    /// The names of the tables written under this one, each with where it is written, without
    /// reading them (they are not marked as known).
    pub fn table_names(&self) -> Vec<(String, Origin)> {
        self.table.map_or_else(Vec::new, |table| {
            table
                .entries
                .iter()
                .filter(|e| matches!(e.node.value, Value::Table(_)))
                .map(|e| (e.key.clone(), e.origin.clone()))
                .collect()
        })
    }

    /// The tables under this one by the names the file gives them (`[policies.NAME]`), in file
    /// order; every key here is such a name, so none is reported as unknown.
    pub fn named_tables(&self) -> Vec<(String, Section<'a>)> {
        self.open.set(true);
        let Some(table) = self.table else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for e in &table.entries {
            match &e.node.value {
                Value::Table(t) => out.push((
                    e.key.clone(),
                    self.child(self.key_path(&e.key), Some(t), e.origin.clone()),
                )),
                _ => self.type_error(&e.node, &e.key, "a table"),
            }
        }
        out
    }

    /// An array of tables (`caps = [{ ... }, { ... }]`), each read as a section `key[i]`.
    pub fn tables(&self, key: &'static str) -> Vec<Section<'a>> {
        let Some(items) = self.array(key) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, node) in items.iter().enumerate() {
            match &node.value {
                Value::Table(t) => out.push(self.child(
                    format!("{}[{i}]", self.key_path(key)),
                    Some(t),
                    node.origin.clone(),
                )),
                _ => self.type_error(node, key, "an array of tables"),
            }
        }
        out
    }

    /// An array of strings, each with where it is written, for errors about one item.
    pub fn located_strings(&self, key: &'static str) -> Vec<(String, Origin)> {
        let Some(items) = self.array(key) else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for node in items {
            match &node.value {
                Value::String(s) => out.push((s.clone(), node.origin.clone())),
                _ => self.type_error(node, key, "an array of strings"),
            }
        }
        out
    }

    /// Reports a problem with one item of `key`, located at the item.
    pub fn error_at(
        &self,
        origin: Origin,
        key: &str,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        self.diags
            .push(origin, &self.key_path(key), message.into(), hint);
    }

    /// Whether a problem is already reported at the dotted key `key`: its value then stands at
    /// its default, which a check across keys should not judge.
    pub fn reported(&self, key: &str) -> bool {
        self.diags.list.borrow().iter().any(|d| d.key == key)
    }

    /// Whether a problem is reported at the dotted key `key` or within it (a distribution's
    /// `population.blocked_days.low`): its value then stands at its default.
    pub fn reported_within(&self, key: &str) -> bool {
        self.diags.list.borrow().iter().any(|d| {
            d.key
                .strip_prefix(key)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
        })
    }

    /// Reports a problem located elsewhere, e.g. in a file the scenario names.
    pub fn report(&self, diagnostic: Diagnostic) {
        self.diags.list.borrow_mut().push(diagnostic);
    }

    /// Whether the file wrote `key` at all.
    pub fn has(&self, key: &'static str) -> bool {
        self.entry(key).is_some()
    }

    /// Reports every key of this table that no reader asked for.
    pub fn finish(&self) {
        let named = self.used_named.borrow();
        let mut used = self.used.borrow().clone();
        used.extend(named.iter().map(|(k, _)| k.as_str()));
        // What a hint offers: a name refused where it is written is used (its table is not
        // unknown) but never suggested, as `batching.policy`'s hint leaves out such a policy.
        let mut offered = self.used.borrow().clone();
        offered.extend(named.iter().filter(|(_, ok)| *ok).map(|(k, _)| k.as_str()));
        self.diags
            .known
            .borrow_mut()
            .extend(self.used.borrow().iter().map(|k| (self.path.clone(), *k)));
        let Some(table) = self.table else { return };
        if self.open.get() {
            return;
        }
        for e in &table.entries {
            if !used.contains(&e.key.as_str()) {
                let near = nearest(&e.key, &offered);
                if near.is_none() && !matches!(e.node.value, Value::Table(_)) {
                    let index = self.diags.list.borrow().len();
                    self.diags
                        .unknown
                        .borrow_mut()
                        .push((index, self.path.clone(), e.key.clone()));
                }
                let hint = near
                    .map(|k| format!("did you mean `{}`?", quoted_name(k)))
                    .or_else(|| {
                        let mut known: Vec<&str> = offered.clone();
                        known.sort_unstable();
                        known.dedup();
                        let known: Vec<String> = known.iter().map(|k| quoted_name(k)).collect();
                        (!known.is_empty())
                            .then(|| format!("known keys here: {}", known.join(", ")))
                    });
                // A table in a table is written as a `[section]` header (or an inline table):
                // call it what the planner sees.
                let what = if matches!(e.node.value, Value::Table(_)) {
                    format!("unknown section `[{}]`", abbreviate(&self.key_path(&e.key)))
                } else {
                    format!("unknown key `{}`", abbreviate(&self.key_path(&e.key)))
                };
                self.diags
                    .push(e.origin.clone(), &self.key_path(&e.key), what, hint);
            }
        }
    }

    pub fn f64(&self, key: &'static str, default: f64, min: f64, max: f64) -> f64 {
        let Some(e) = self.entry(key) else {
            return default;
        };
        let x = match e.node.value {
            Value::Float(x) => x,
            Value::Integer(i) => i as f64,
            _ => {
                self.type_error(&e.node, key, "a number");
                return default;
            }
        };
        if x < min || x > max {
            self.wrong(
                &e.node,
                key,
                format!(
                    "`{}` must be {}, found {}",
                    self.key_path(key),
                    range_text(min, max),
                    show(x)
                ),
            );
            return default;
        }
        x
    }

    pub fn probability(&self, key: &'static str, default: f64) -> f64 {
        self.f64(key, default, 0.0, 1.0)
    }

    pub fn i64(&self, key: &'static str, default: i64, min: i64, max: i64) -> i64 {
        let Some(e) = self.entry(key) else {
            return default;
        };
        let Value::Integer(x) = e.node.value else {
            self.type_error(&e.node, key, "an integer");
            return default;
        };
        if x < min || x > max {
            // Exact integers: going through f64 would print i64::MAX rounded.
            let range = if max == i64::MAX {
                format!("at least {min}")
            } else {
                format!("between {min} and {max}")
            };
            self.wrong(
                &e.node,
                key,
                format!("`{}` must be {range}, found {x}", self.key_path(key)),
            );
            return default;
        }
        x
    }

    pub fn u64(&self, key: &'static str, default: u64, min: u64, max: u64) -> u64 {
        self.i64(
            key,
            default as i64,
            min as i64,
            max.min(i64::MAX as u64) as i64,
        ) as u64
    }

    pub fn u32(&self, key: &'static str, default: u32, min: u32, max: u32) -> u32 {
        self.i64(key, i64::from(default), i64::from(min), i64::from(max)) as u32
    }

    pub fn bool(&self, key: &'static str, default: bool) -> bool {
        let Some(e) = self.entry(key) else {
            return default;
        };
        match e.node.value {
            Value::Bool(b) => b,
            _ => {
                self.type_error(&e.node, key, "true or false");
                default
            }
        }
    }

    pub fn string(&self, key: &'static str, default: &str) -> String {
        let Some(e) = self.entry(key) else {
            return default.to_string();
        };
        match &e.node.value {
            Value::String(s) => s.clone(),
            _ => {
                self.type_error(&e.node, key, "a string");
                default.to_string()
            }
        }
    }

    /// A string that must be one of `choices`.
    pub fn choice(
        &self,
        key: &'static str,
        default: &'static str,
        choices: &[&'static str],
    ) -> String {
        let s = self.string(key, default);
        if choices.contains(&s.as_str()) {
            return s;
        }
        let hint = nearest(&s, choices).map_or_else(
            || format!("valid values: {}", choices.join(", ")),
            |c| format!("did you mean `{c}`? valid values: {}", choices.join(", ")),
        );
        self.error(
            key,
            format!("`{}` has no value `{}`", self.key_path(key), abbreviate(&s)),
            Some(hint),
        );
        default.to_string()
    }

    /// A date, written as a TOML date (`2012-10-31`) or a string.
    pub fn date(&self, key: &'static str, default: Date) -> Date {
        let Some(e) = self.entry(key) else {
            return default;
        };
        let text = match &e.node.value {
            Value::Datetime(s) | Value::String(s) => s,
            _ => {
                self.type_error(&e.node, key, "a date (YYYY-MM-DD)");
                return default;
            }
        };
        match text.parse() {
            Ok(d) => d,
            Err(msg) => {
                self.wrong(&e.node, key, format!("`{}`: {msg}", self.key_path(key)));
                default
            }
        }
    }

    fn array(&self, key: &'static str) -> Option<&'a [Node]> {
        let e = self.entry(key)?;
        match &e.node.value {
            Value::Array(items) => Some(items),
            _ => {
                self.type_error(&e.node, key, "an array");
                None
            }
        }
    }

    pub fn strings(&self, key: &'static str, default: &[&str]) -> Vec<String> {
        let Some(items) = self.array(key) else {
            return default.iter().map(|s| s.to_string()).collect();
        };
        let mut out = Vec::with_capacity(items.len());
        for node in items {
            match &node.value {
                Value::String(s) => out.push(s.clone()),
                _ => self.type_error(node, key, "an array of strings"),
            }
        }
        out
    }

    pub fn numbers(&self, key: &'static str, default: &[f64]) -> Vec<f64> {
        match self.array(key) {
            Some(items) => items
                .iter()
                .filter_map(|n| self.number_in(n, key))
                .collect(),
            None => default.to_vec(),
        }
    }

    fn number_in(&self, node: &Node, key: &str) -> Option<f64> {
        match node.value {
            Value::Float(x) => Some(x),
            Value::Integer(i) => Some(i as f64),
            _ => {
                self.type_error(node, key, "a number");
                None
            }
        }
    }

    /// An hour range `[start, end]` within a day, e.g. `[8, 18]`.
    pub fn hours(&self, key: &'static str, default: (u32, u32)) -> (u32, u32) {
        let Some(items) = self.array(key) else {
            return default;
        };
        let nums: Vec<f64> = items
            .iter()
            .filter_map(|n| self.number_in(n, key))
            .collect();
        match nums.as_slice() {
            [a, b] if a.fract() == 0.0 && b.fract() == 0.0 && 0.0 <= *a && a <= b && *b <= 24.0 => {
                (*a as u32, *b as u32)
            }
            _ => {
                self.error(
                    key,
                    format!(
                        "`{}` must be [start, end] in whole hours with 0 <= start <= end <= 24",
                        self.key_path(key)
                    ),
                    Some("e.g. [8, 18] for 08:00-18:00, [0, 24] for around the clock".into()),
                );
                default
            }
        }
    }

    /// A distribution: a table with `dist = "..."` and its parameters, or a bare number for a
    /// constant. `domain` bounds what any sample may be (e.g. durations cannot be negative).
    pub fn dist(&self, key: &'static str, default: Dist, domain: (f64, f64)) -> Dist {
        let Some(e) = self.entry(key) else {
            return default;
        };
        let d = match &e.node.value {
            Value::Float(x) => Some(Dist::constant(*x)),
            Value::Integer(i) => Some(Dist::constant(*i as f64)),
            Value::Table(_) => self.dist_table(key),
            _ => {
                self.type_error(&e.node, key, "a distribution table such as { dist = \"exponential\", mean = 2.0 } or a number");
                None
            }
        };
        let Some(d) = d else { return default };
        let (lo, hi) = (d.lower_bound(), d.upper_bound());
        if lo < domain.0 || hi > domain.1 {
            self.error(
                key,
                format!(
                    "`{}` can take values in [{}, {}] but must stay {}",
                    self.key_path(key),
                    show(lo),
                    show(hi),
                    range_text(domain.0, domain.1)
                ),
                Some(
                    "add `min`/`max` clamps to the distribution or choose other parameters".into(),
                ),
            );
            return default;
        }
        d
    }

    fn dist_table(&self, key: &'static str) -> Option<Dist> {
        let s = self.section(key);
        let kind = s.string("dist", "");
        let before = self.diags.list.borrow().len();
        let pos = |k: &'static str| s.f64(k, f64::NAN, f64::NEG_INFINITY, f64::INFINITY);
        let min = s.has("min").then(|| pos("min"));
        let max = s.has("max").then(|| pos("max"));
        let need = |k: &'static str| {
            if !s.has(k) {
                s.error(
                    k,
                    format!("`{}.{k}` is required for dist = \"{kind}\"", s.path),
                    None,
                );
            }
            pos(k)
        };
        let built = match kind.as_str() {
            "constant" => Ok(Dist::constant(need("value"))),
            "uniform" => Dist::uniform(need("low"), need("high")),
            "normal" => Dist::normal(need("mean"), need("sd")),
            "lognormal" if s.has("mean") || s.has("sd") => {
                Dist::lognormal_mean_sd(need("mean"), need("sd"))
            }
            "lognormal" => Dist::lognormal(need("median"), need("sigma")),
            "exponential" if s.has("rate") => match need("rate") {
                rate if rate > 0.0 => Dist::exponential(1.0 / rate),
                rate => Err(format!("exponential needs rate > 0, found {rate}")),
            },
            "exponential" => Dist::exponential(need("mean")),
            "pareto" => Dist::pareto(need("scale"), need("shape")),
            "empirical" => {
                let values = s.numbers("values", &[]);
                let weights = if s.has("weights") {
                    s.numbers("weights", &[])
                } else {
                    vec![1.0; values.len()]
                };
                Dist::empirical(values, weights)
            }
            other => {
                let hint = nearest(other, DIST_NAMES).map_or_else(
                    || format!("one of {}", DIST_NAMES.join(", ")),
                    |n| format!("did you mean `{n}`? one of {}", DIST_NAMES.join(", ")),
                );
                let msg = if other.is_empty() {
                    format!("`{}` needs `dist = \"...\"`", s.path)
                } else {
                    format!("`{}.dist` has no distribution `{other}`", s.path)
                };
                s.error("dist", msg, Some(hint));
                // Which other keys belong here depends on the distribution: no unknown-key noise.
                return None;
            }
        };
        s.finish();
        if self.diags.list.borrow().len() > before {
            return None;
        }
        match built.and_then(|d| d.clamped(min, max)) {
            Ok(d) => Some(d),
            Err(msg) => {
                self.error(key, format!("`{}`: {msg}", self.key_path(key)), None);
                None
            }
        }
    }
}

/// Text from the input as a message quotes it: whole if short, else its start and its length, so
/// a value of a million characters is not echoed back.
pub fn abbreviate(text: &str) -> String {
    abbreviate_to(text, 24)
}

/// `abbreviate` for text that is often long and worth reading whole (a `--set` argument): whole
/// up to twice `shown` characters, else its first `shown` and its length. Line ends, tabs and
/// other controls are written as escapes, so a quoted cell of several lines stays on its line.
pub fn abbreviate_to(text: &str, shown: usize) -> String {
    let chars = text.chars().count();
    if chars <= 2 * shown {
        return escape_unprintable(text, &[]).into_owned();
    }
    let start: String = text.chars().take(shown).collect();
    let start = escape_unprintable(&start, &[]);
    let what = if text
        .chars()
        .all(|c| c.is_ascii_digit() || "+-_".contains(c))
    {
        "digits"
    } else {
        "characters"
    };
    format!("{start}... ({chars} {what})")
}

/// A name the file chose, as a hint offers it: whole up to 64 characters, the most a declared
/// policy's name may have, else by its start and length (a work kind's name has no most).
pub fn quoted_name(name: &str) -> String {
    abbreviate_to(name, super::label::MAX_POLICY_NAME_CHARS / 2)
}

/// A number as a person reads it: exponent form only when plain digits would run long.
pub fn show(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e15 || x.abs() < 1e-6) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

pub(super) fn range_text(min: f64, max: f64) -> String {
    match (min.is_finite(), max.is_finite()) {
        (true, true) => format!("between {} and {}", show(min), show(max)),
        (true, false) => format!("at least {}", show(min)),
        (false, true) => format!("at most {}", show(max)),
        (false, false) => "a number".into(),
    }
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
pub fn nearest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    // The same word in other capitals (`FIFO`) is the nearest, whatever its edit distance.
    if let Some(same) = candidates.iter().find(|c| c.eq_ignore_ascii_case(word)) {
        return Some(same);
    }
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min()
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_names_only() {
        assert_eq!(
            nearest("max_tenant", &["max_tenants", "max_seats"]),
            Some("max_tenants")
        );
        assert_eq!(nearest("zzzz", &["max_tenants", "max_seats"]), None);
        assert_eq!(nearest("FIFO", &["fifo", "lifo"]), Some("fifo"));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
