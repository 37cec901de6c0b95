//! A scenario document as a tree of values that remember where they came from (file:line:column or a `--set`).

use std::fmt;
use std::sync::Arc;

use toml::de::{DeTable, DeValue};

use super::reader::Diagnostic;

/// Where a value was written: a file position, or a command-line override.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    File {
        file: Arc<str>,
        line: usize,
        column: usize,
    },
    Set {
        assignment: Arc<str>,
    },
    /// A key that is absent; errors about it point at the file as a whole.
    Missing {
        file: Arc<str>,
    },
    /// A line of a tenant inventory CSV (line 1 is the header) and, when one cell is to blame, its
    /// column counted in cells from 1, as a spreadsheet numbers them.
    Cell {
        file: Arc<str>,
        line: usize,
        column: Option<usize>,
    },
}

impl Origin {
    /// Where a problem here is listed among a file's: the file's own in file order, then those
    /// of the file as a whole, then the overrides', then an inventory's by line (in the order
    /// found within a line).
    pub fn listing_order(&self) -> (u8, usize, usize) {
        match self {
            Origin::File { line, column, .. } => (0, *line, *column),
            Origin::Missing { .. } => (1, 0, 0),
            Origin::Set { .. } => (2, 0, 0),
            Origin::Cell { line, .. } => (3, *line, 0),
        }
    }
}

/// How much of a long `--set` argument a message quotes: its first 100 characters.
pub(super) const SHOWN_OF_SET: usize = 100;

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { file, line, column } => write!(f, "{file}:{line}:{column}"),
            Origin::Set { assignment } => write!(
                f,
                "--set {}",
                super::reader::abbreviate_to(assignment, SHOWN_OF_SET)
            ),
            Origin::Missing { file } => write!(f, "{file}"),
            Origin::Cell {
                file,
                line,
                column: Some(column),
            } => write!(f, "{file}:{line}:{column}"),
            Origin::Cell {
                file,
                line,
                column: None,
            } => write!(f, "{file}:{line}"),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Value {
    Integer(i64),
    Float(f64),
    Bool(bool),
    String(String),
    /// A TOML date or date-time, kept as its text.
    Datetime(String),
    Array(Vec<Node>),
    Table(Table),
}

#[derive(Clone, Debug)]
pub struct Node {
    pub value: Value,
    pub origin: Origin,
}

#[derive(Clone, Debug, Default)]
pub struct Table {
    pub entries: Vec<Entry>,
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub key: String,
    /// Where the key itself is written (for "unknown key" errors).
    pub origin: Origin,
    pub node: Node,
}

/// The bytes of a string's or a list's own header, as [`Table::value_bytes`] counts them.
const WORDS: u64 = 24;

impl Value {
    /// See [`Table::value_bytes`].
    fn bytes(&self) -> u64 {
        match self {
            Value::Integer(_) | Value::Float(_) | Value::Bool(_) => 16,
            Value::String(s) | Value::Datetime(s) => WORDS + s.len() as u64,
            Value::Array(items) => WORDS + items.iter().map(|n| n.value.bytes()).sum::<u64>(),
            Value::Table(t) => WORDS + t.value_bytes(None),
        }
    }

    /// The TOML type name, for "expected X, found Y" messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Bool(_) => "a boolean",
            Value::String(_) => "a string",
            Value::Datetime(_) => "a date",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

impl Node {
    /// Moves this value, and every value inside it, to `origin`.
    pub fn relocate(&mut self, origin: &Origin) {
        self.origin = origin.clone();
        match &mut self.value {
            Value::Array(items) => items.iter_mut().for_each(|n| n.relocate(origin)),
            Value::Table(t) => t.entries.iter_mut().for_each(|e| {
                e.origin = origin.clone();
                e.node.relocate(origin);
            }),
            _ => {}
        }
    }
}

impl Table {
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// About the bytes a scenario read from this table holds of its values: 16 a number (an
    /// empirical value and its cumulative weight), a string's length and a few words, a few
    /// words a list or a table and its entries; the entry `without`, if named, left out. What a
    /// grid's cells each hold grows with it.
    pub fn value_bytes(&self, without: Option<&str>) -> u64 {
        (self.entries.iter())
            .filter(|e| Some(e.key.as_str()) != without)
            .map(|e| WORDS + e.key.len() as u64 + e.node.value.bytes())
            .sum()
    }

    /// Sets `path` (already split on dots) to `node`, creating tables on the way; a non-table in the
    /// way is replaced, since an override names the value the user wants.
    pub fn set(&mut self, path: &[&str], node: Node) {
        let Some((first, rest)) = path.split_first() else {
            return;
        };
        let origin = node.origin.clone();
        let idx = match self.entries.iter().position(|e| e.key == *first) {
            Some(i) => i,
            None => {
                let value = Value::Table(Table::default());
                self.entries.push(Entry {
                    key: (*first).to_string(),
                    origin: origin.clone(),
                    node: Node {
                        value,
                        origin: origin.clone(),
                    },
                });
                self.entries.len() - 1
            }
        };
        let entry = &mut self.entries[idx];
        if rest.is_empty() {
            entry.node = node;
            return;
        }
        if !matches!(entry.node.value, Value::Table(_)) {
            entry.node = Node {
                value: Value::Table(Table::default()),
                origin,
            };
        }
        if let Value::Table(t) = &mut entry.node.value {
            t.set(rest, node);
        }
    }
}

/// Converts byte offsets into 1-based line and column numbers.
///
/// Columns count characters, so each lookup counts from a known point: the last offset looked
/// up when it is on the same line and not after this one (values are located in file order),
/// else the line's start. A line of a million values costs a million steps, not a million
/// squared.
pub struct LineIndex {
    starts: Vec<usize>,
    /// The last lookup: its line, byte offset and column.
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            starts,
            last: std::cell::Cell::new((1, 0, 1)),
        }
    }

    pub fn line_column(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let (last_line, last_offset, last_column) = self.last.get();
        let (from, column) = if last_line == line && last_offset <= offset {
            (last_offset, last_column)
        } else {
            (self.starts[line - 1], 1)
        };
        let column = text
            .get(from..offset)
            .map_or(column, |s| column + s.chars().count());
        self.last.set((line, offset, column));
        (line, column)
    }
}

/// Parses TOML text into a located tree; on a syntax error, returns the errors the parser could
/// recover from, each with its position: the first [`MAX_LISTED`], then one counting the others
/// (a file of garbage has an error on every line, and listing a million of them helps nobody).
pub fn parse(text: &str, file: &Arc<str>) -> Result<Table, Vec<Diagnostic>> {
    parse_all(text, file).map_err(|(errors, total)| listed(errors, total))
}

/// The most errors of a file listed (of its syntax, or in all); the rest are counted.
pub const MAX_LISTED: usize = 20;

/// `errors` (the first of `total`) as diagnostics, with one that counts the unlisted others.
fn listed(errors: Vec<(Origin, String)>, total: usize) -> Vec<Diagnostic> {
    let unlisted = total - errors.len();
    let last = errors.last().map(|(o, _)| o.clone());
    let mut list: Vec<Diagnostic> = errors
        .into_iter()
        .map(|(origin, message)| Diagnostic {
            origin,
            key: String::new(),
            message,
            hint: None,
            unlisted: 0,
        })
        .collect();
    if let (Some(origin), true) = (last, unlisted > 0) {
        list.push(Diagnostic {
            origin,
            key: String::new(),
            message: format!("and {unlisted} more syntax errors, not listed, after"),
            hint: Some("fix those above and validate again".into()),
            unlisted,
        });
    }
    list
}

/// [`parse`], its errors the first [`MAX_LISTED`] and how many there were in all.
fn parse_all(text: &str, file: &Arc<str>) -> Result<Table, (Vec<(Origin, String)>, usize)> {
    let index = LineIndex::new(text);
    let locate = |offset: usize| {
        let (line, column) = index.line_column(text, offset);
        Origin::File {
            file: file.clone(),
            line,
            column,
        }
    };
    let (root, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        // The parser reports a key of too many dotted parts once per such key, with no place:
        // say it once, at the first line that has one, in the planner's words.
        let mut too_deep = 0;
        let errors: Vec<_> = errors
            .iter()
            .filter(|e| {
                let deep = e.span().is_none() && e.message().trim() == "recursion limit";
                too_deep += usize::from(deep);
                !deep || too_deep == 1
            })
            .collect();
        let total = errors.len();
        let listed = errors
            .into_iter()
            .take(MAX_LISTED)
            .map(|e| {
                if e.span().is_none() && e.message().trim() == "recursion limit" {
                    return too_many_parts(text, &locate, file);
                }
                let origin = e.span().map_or_else(
                    || Origin::Missing { file: file.clone() },
                    |s| locate(s.start),
                );
                let message = e.message().trim();
                // The parser says only "duplicate key"; name it, since the span points at it.
                let message = match e.span().and_then(|s| Some((text.get(s.clone())?, s))) {
                    Some((key, span)) if message == "duplicate key" => {
                        let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
                        if text[line_start..span.start]
                            .trim_start()
                            .starts_with("[policies.")
                        {
                            format!(
                                "policy `{key}` is declared twice; each policy needs its own name"
                            )
                        } else {
                            format!("duplicate key `{}`", super::reader::abbreviate(key))
                        }
                    }
                    _ => message.to_string(),
                };
                (origin, message)
            })
            .collect();
        return Err((listed, total));
    }
    let mut problems = Vec::new();
    let table = convert_table(root.get_ref(), &locate, &mut problems);
    if problems.is_empty() {
        Ok(table)
    } else {
        let total = problems.len();
        // Found table by table in the order of their keys, not the file's: listed as written.
        problems.sort_by_key(|(origin, _)| origin.listing_order());
        problems.truncate(MAX_LISTED);
        Err((problems, total))
    }
}

/// The error of a key or table header with more dotted parts than the TOML parser follows, at the
/// first line holding one (the parser gives no place).
fn too_many_parts(
    text: &str,
    locate: &impl Fn(usize) -> Origin,
    file: &Arc<str>,
) -> (Origin, String) {
    let mut offset = 0;
    let mut origin = Origin::Missing { file: file.clone() };
    for line in text.split_inclusive('\n') {
        let key = line.split('=').next().unwrap_or(line);
        if key.matches('.').count() + 1 > MAX_KEY_PARTS {
            origin = locate(offset + (line.len() - line.trim_start().len()));
            break;
        }
        offset += line.len();
    }
    (
        origin,
        format!(
            "a key or [table] of more than {MAX_KEY_PARTS} dotted parts, more than TOML is read to"
        ),
    )
}

/// The most dotted parts of a key the TOML parser follows (its recursion limit), and so of a key
/// set by `--set` or swept: each part is a level of tables, built and read by recursion.
pub const MAX_KEY_PARTS: usize = 80;

/// Parses the right-hand side of `--set key=value`: a TOML value if it is one, else the bare text as
/// a string, so `--set batching.policy=fifo` needs no quotes.
pub fn parse_override_value(text: &str, assignment: &Arc<str>) -> Node {
    let origin = Origin::Set {
        assignment: assignment.clone(),
    };
    let locate = |_| origin.clone();
    let mut problems = Vec::new();
    match DeValue::parse(text) {
        Ok(v) => {
            let node = convert(v.get_ref(), 0, &locate, &mut problems);
            if problems.is_empty() {
                return node;
            }
            Node {
                value: Value::String(text.to_string()),
                origin,
            }
        }
        Err(_) => Node {
            value: Value::String(text.to_string()),
            origin,
        },
    }
}

fn convert_table(
    table: &DeTable<'_>,
    locate: &dyn Fn(usize) -> Origin,
    problems: &mut Vec<(Origin, String)>,
) -> Table {
    let entries = table
        .iter()
        .map(|(k, v)| Entry {
            key: k.get_ref().to_string(),
            origin: locate(k.span().start),
            node: convert(v.get_ref(), v.span().start, locate, problems),
        })
        .collect();
    Table { entries }
}

fn convert(
    value: &DeValue<'_>,
    offset: usize,
    locate: &dyn Fn(usize) -> Origin,
    problems: &mut Vec<(Origin, String)>,
) -> Node {
    let origin = locate(offset);
    let value = match value {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Value::Integer(n),
            Err(_) => {
                problems.push((
                    origin.clone(),
                    format!(
                        "integer `{}` does not fit in 64 bits",
                        super::reader::abbreviate(&i.to_string())
                    ),
                ));
                Value::Integer(0)
            }
        },
        DeValue::Float(f) => match f.as_str().parse::<f64>() {
            Ok(x) if x.is_finite() => Value::Float(x),
            _ => {
                problems.push((
                    origin.clone(),
                    format!(
                        "`{}` is not a finite number",
                        super::reader::abbreviate(&f.to_string())
                    ),
                ));
                Value::Float(0.0)
            }
        },
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| convert(v.get_ref(), v.span().start, locate, problems))
                .collect(),
        ),
        DeValue::Table(t) => Value::Table(convert_table(t, locate, problems)),
    };
    Node { value, origin }
}

/// The first of `keys` that a `--set` of `set` sets, with that `--set`: keys that something else
/// (the `[sweep]` grid, `--vary`, `--fit`) sets at every setting it runs, so the `--set` value
/// would never be used, though the manifest would record it among the overrides.
pub fn set_among<'k, 's>(
    keys: impl IntoIterator<Item = &'k str>,
    set: &'s [String],
) -> Option<(&'k str, &'s String)> {
    keys.into_iter().find_map(|key| {
        set.iter()
            .find(|s| s.split_once('=').is_some_and(|(k, _)| k.trim() == key))
            .map(|s| (key, s))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_lines_and_columns() {
        let text = "name = \"x\"\n[batching]\nmax_tenants = 5\n";
        let table = parse(text, &Arc::from("s.toml")).unwrap();
        let batching = table.get("batching").unwrap();
        let Value::Table(b) = &batching.node.value else {
            panic!()
        };
        let e = b.get("max_tenants").unwrap();
        assert_eq!(
            e.origin,
            Origin::File {
                file: Arc::from("s.toml"),
                line: 3,
                column: 1
            }
        );
        assert!(matches!(e.node.value, Value::Integer(5)));
    }

    #[test]
    fn columns_count_characters_in_any_lookup_order() {
        let text = "a = \"é\", b = 1\nc = [1, 2]\n";
        let index = LineIndex::new(text);
        let b = text.find("b =").unwrap();
        let two = text.find('2').unwrap();
        assert_eq!(index.line_column(text, b), (1, 10));
        assert_eq!(index.line_column(text, two), (2, 9));
        assert_eq!(index.line_column(text, 4), (1, 5));
        assert_eq!(index.line_column(text, b), (1, 10));
        assert_eq!(index.line_column(text, text.len() + 5), (3, 1));
    }

    #[test]
    fn syntax_errors_are_located() {
        let errors = parse("name = \n", &Arc::from("s.toml")).unwrap_err();
        assert!(
            errors[0].origin.to_string().starts_with("s.toml:1:"),
            "{errors:?}"
        );
    }

    /// The parser says "recursion limit", with no place, once per key of too many dotted parts:
    /// one error is reported, at the first such line, in words a planner can act on.
    #[test]
    fn keys_of_too_many_parts_are_one_located_error() {
        let deep = vec!["t"; 200].join(".");
        let text = format!("name = \"x\"\n\n  [{deep}]\n").repeat(50);
        let errors = parse(&text, &Arc::from("s.toml")).unwrap_err();
        let deep: Vec<_> = errors
            .iter()
            .filter(|d| d.message.contains("dotted parts"))
            .collect();
        assert_eq!(deep.len(), 1, "{errors:?}");
        assert_eq!(deep[0].origin.to_string(), "s.toml:3:3");
        let long = "k".repeat(10_000);
        let errors = parse(&format!("{long} = 1\n{long} = 2\n"), &Arc::from("s.toml")).unwrap_err();
        assert!(
            errors[0].message.contains("(10000 characters)"),
            "{:.200}",
            errors[0].message
        );
    }

    /// A file of garbage has a syntax error on every line: the first are listed, the others
    /// counted in one more, so the message stays short and the count stays right.
    #[test]
    fn syntax_errors_beyond_the_first_are_counted_not_listed() {
        let errors = parse(&"x\n".repeat(100_000), &Arc::from("s.toml")).unwrap_err();
        assert_eq!(errors.len(), MAX_LISTED + 1);
        let last = &errors[MAX_LISTED];
        assert_eq!(last.unlisted, 100_000 - MAX_LISTED);
        assert!(last.message.contains("99980 more syntax errors"), "{last}");
        assert!(
            parse(&"x\n".repeat(MAX_LISTED), &Arc::from("s.toml"))
                .unwrap_err()
                .iter()
                .all(|d| d.unlisted == 0)
        );
    }

    #[test]
    fn overrides_accept_bare_words() {
        let a: Arc<str> = Arc::from("batching.policy=fifo");
        assert!(
            matches!(parse_override_value("fifo", &a).value, Value::String(ref s) if s == "fifo")
        );
        assert!(matches!(
            parse_override_value("50", &a).value,
            Value::Integer(50)
        ));
        assert!(matches!(
            parse_override_value("0.5", &a).value,
            Value::Float(_)
        ));
    }
}
