//! The `[sweep]` table: dotted scenario keys mapped to lists of values, and `zip` groups of keys
//! that vary in lockstep. The grid is the Cartesian product of its axes, in the order written.
//!
//! Only the shape of the grid is checked here; each cell's values are checked later by applying
//! them as `--set` overrides, so a swept value gets exactly the validation a written one gets.

use std::cell::Cell;

use super::doc::{Origin, Table, Value};
use super::reader::Diagnostics;

/// A parameter grid: `keys` in the order written and, per cell, one override value per key.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepGrid {
    /// The swept keys, e.g. `operators.weekend`, in the order they are written.
    pub keys: Vec<String>,
    /// Axes of the product: indices into `keys` that move together, and their values per step
    /// (one TOML value text per key of the axis).
    axes: Vec<Axis>,
}

#[derive(Clone, Debug, PartialEq)]
struct Axis {
    keys: Vec<usize>,
    steps: Vec<Vec<String>>,
    /// Where each value of `steps` is written.
    origins: Vec<Vec<Origin>>,
}

/// One cell of a grid: its index in row-major order (the first axis varies slowest) and a TOML
/// value text per swept key.
#[derive(Clone, Debug, PartialEq)]
pub struct GridCell {
    pub index: usize,
    pub values: Vec<String>,
    /// Where each value is written in `[sweep]`.
    pub origins: Vec<Origin>,
}

impl GridCell {
    /// The cell as `key=value` overrides, in key order.
    pub fn assignments(&self, keys: &[String]) -> Vec<String> {
        keys.iter()
            .zip(&self.values)
            .map(|(k, v)| format!("{k}={v}"))
            .collect()
    }
}

impl SweepGrid {
    /// How many cells the grid has (`usize::MAX` if more than that: the limits refuse it).
    pub fn len(&self) -> usize {
        self.axes
            .iter()
            .map(|a| a.steps.len())
            .fold(1, usize::saturating_mul)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every cell, in row-major order.
    pub fn cells(&self) -> Vec<GridCell> {
        let n = self.len();
        (0..n)
            .map(|index| {
                let mut values = vec![String::new(); self.keys.len()];
                let mut origins = vec![Origin::Missing { file: "".into() }; self.keys.len()];
                let mut rest = index;
                for axis in self.axes.iter().rev() {
                    let i = rest % axis.steps.len();
                    rest /= axis.steps.len();
                    for ((k, v), o) in axis.keys.iter().zip(&axis.steps[i]).zip(&axis.origins[i]) {
                        values[*k] = v.clone();
                        origins[*k] = o.clone();
                    }
                }
                GridCell {
                    index,
                    values,
                    origins,
                }
            })
            .collect()
    }
}

/// Reads `[sweep]` if the document has one; problems go to `diags`.
pub(super) fn read_sweep(table: &Table, diags: &Diagnostics) -> Option<SweepGrid> {
    let entry = table.get("sweep")?;
    let failed = Cell::new(false);
    let push = |origin: Origin, key: &str, message: String, hint: Option<String>| {
        failed.set(true);
        diags.push(origin, key, message, hint);
    };
    let Value::Table(sweep) = &entry.node.value else {
        push(
            entry.node.origin.clone(),
            "sweep",
            format!(
                "`sweep` must be a table, found {}",
                entry.node.value.type_name()
            ),
            Some("write [sweep] with lines such as \"operators.weekend\" = [4, 8, 16]".into()),
        );
        return None;
    };
    let mut keys = Vec::new();
    let mut lists: Vec<Vec<String>> = Vec::new();
    let mut where_: Vec<Vec<Origin>> = Vec::new();
    let mut zip_entry = None;
    // The document's tables come back sorted by key; the grid follows the order written.
    let mut entries: Vec<_> = sweep.entries.iter().collect();
    entries.sort_by_key(|e| match &e.origin {
        Origin::File { line, column, .. } => (0, *line, *column),
        _ => (1, 0, 0),
    });
    for e in entries {
        if e.key == "zip" {
            zip_entry = Some(e);
            continue;
        }
        let key_path = format!("sweep.\"{}\"", e.key);
        if let Value::Table(t) = &e.node.value {
            // `operators.weekend = [1, 2]` unquoted is a table `operators` holding `weekend`.
            let dotted = dotted_leaf(&e.key, t);
            push(
                e.origin.clone(),
                &key_path,
                format!("`{dotted}` in [sweep] must be quoted: a bare dotted key makes a table"),
                Some(format!("write \"{dotted}\" = [...]")),
            );
            continue;
        }
        let Value::Array(items) = &e.node.value else {
            push(
                e.node.origin.clone(),
                &key_path,
                format!(
                    "`{key_path}` must be a list of values, found {}",
                    e.node.value.type_name()
                ),
                Some(format!("e.g. \"{}\" = [4, 8, 16]", e.key)),
            );
            continue;
        };
        if items.is_empty() {
            push(
                e.node.origin.clone(),
                &key_path,
                format!("`{key_path}` lists no values"),
                None,
            );
            continue;
        }
        // A cell sets its axis as `--set` does, each part a table within the last.
        if e.key.split('.').count() > super::doc::MAX_KEY_PARTS {
            push(
                e.origin.clone(),
                &super::abbreviate(&key_path),
                format!(
                    "a swept key of more than {} dotted parts, more than any scenario key has",
                    super::doc::MAX_KEY_PARTS
                ),
                None,
            );
            continue;
        }
        if e.key.split('.').any(|part| part.trim().is_empty()) || e.key.starts_with("sweep.") {
            push(
                e.origin.clone(),
                &key_path,
                format!("`{}` cannot be swept", e.key),
                Some("name a scenario key, e.g. \"operators.weekend\"".into()),
            );
            continue;
        }
        if matches!(e.key.as_str(), "seed" | "replications") {
            push(
                e.origin.clone(),
                &key_path,
                format!(
                    "`{}` cannot be swept: every cell runs the same replications of the same seed, so cells compare like with like",
                    e.key
                ),
                Some("use --seed or --reps, or a sweep per value".into()),
            );
            continue;
        }
        // A text value is the cell's bare text in replications.csv and summary.csv, and a label
        // of the charts: it must show as written, and not be taken for a formula.
        let problems: Vec<_> = items
            .iter()
            .filter_map(|n| match &n.value {
                Value::String(text) => {
                    super::label::problem(text, usize::MAX, true).map(|why| (n, why))
                }
                _ => None,
            })
            .collect();
        for (n, why) in &problems {
            push(
                n.origin.clone(),
                &key_path,
                format!("a value of `{key_path}` {why}"),
                Some("write it as plain text starting with a letter or a digit".into()),
            );
        }
        if !problems.is_empty() {
            continue;
        }
        keys.push(e.key.clone());
        lists.push(items.iter().map(|n| toml_text(&n.value)).collect());
        where_.push(items.iter().map(|n| n.origin.clone()).collect());
    }
    if keys.is_empty() && !failed.get() {
        push(
            entry.node.origin.clone(),
            "sweep",
            "`[sweep]` names no keys to vary".into(),
            Some("add lines such as \"operators.weekend\" = [4, 8, 16]".into()),
        );
    }
    // Axis of each key: its own unless a zip group joins it to others.
    let mut group_of: Vec<Option<usize>> = vec![None; keys.len()];
    let mut groups: Vec<Vec<usize>> = Vec::new();
    if let Some(z) = zip_entry {
        let bad = |origin: &Origin, message: String| {
            push(
                origin.clone(),
                "sweep.zip",
                message,
                Some("e.g. zip = [[\"operators.weekday\", \"operators.weekend\"]]".into()),
            )
        };
        match &z.node.value {
            Value::Array(list) => {
                for g in list {
                    let Value::Array(names) = &g.value else {
                        bad(
                            &g.origin,
                            "`sweep.zip` must be a list of lists of keys".into(),
                        );
                        continue;
                    };
                    let mut group = Vec::new();
                    for n in names {
                        let Value::String(name) = &n.value else {
                            bad(&n.origin, "`sweep.zip` lists keys as strings".into());
                            continue;
                        };
                        let Some(k) = keys.iter().position(|k| k == name) else {
                            let known: Vec<&str> = keys.iter().map(String::as_str).collect();
                            let hint = super::reader::nearest(name, &known)
                                .map(|k| format!("did you mean `{k}`?"))
                                .unwrap_or_else(|| {
                                    "every zipped key needs its own list in [sweep]".into()
                                });
                            push(
                                n.origin.clone(),
                                "sweep.zip",
                                format!("`sweep.zip` names `{name}`, which [sweep] does not list"),
                                Some(hint),
                            );
                            continue;
                        };
                        if group_of[k].is_some() || group.contains(&k) {
                            bad(
                                &n.origin,
                                format!("`sweep.zip` names `{name}` more than once"),
                            );
                            continue;
                        }
                        group.push(k);
                    }
                    if let Some(&first) = group.first() {
                        let len = lists[first].len();
                        if let Some(&other) = group.iter().find(|&&k| lists[k].len() != len) {
                            bad(
                                &g.origin,
                                format!(
                                    "zipped keys need lists of equal length: `{}` has {len} values, `{}` has {}",
                                    keys[first],
                                    keys[other],
                                    lists[other].len()
                                ),
                            );
                        }
                        for &k in &group {
                            group_of[k] = Some(groups.len());
                        }
                        groups.push(group);
                    }
                }
            }
            other => bad(
                &z.node.origin,
                format!(
                    "`sweep.zip` must be a list of lists of keys, found {}",
                    other.type_name()
                ),
            ),
        }
    }
    if failed.get() {
        return None;
    }
    let mut axes = Vec::new();
    let mut done_groups = vec![false; groups.len()];
    for (k, group) in group_of.iter().enumerate() {
        let members = match *group {
            Some(g) if done_groups[g] => continue,
            Some(g) => {
                done_groups[g] = true;
                groups[g].clone()
            }
            None => vec![k],
        };
        let steps = (0..lists[members[0]].len())
            .map(|i| members.iter().map(|&m| lists[m][i].clone()).collect())
            .collect();
        let origins = (0..lists[members[0]].len())
            .map(|i| members.iter().map(|&m| where_[m][i].clone()).collect())
            .collect();
        axes.push(Axis {
            keys: members,
            steps,
            origins,
        });
    }
    Some(SweepGrid { keys, axes })
}

/// The dotted key of the first value under `table`, e.g. `operators.weekend`.
fn dotted_leaf(key: &str, table: &Table) -> String {
    match table.entries.first() {
        Some(e) => match &e.node.value {
            Value::Table(t) => dotted_leaf(&format!("{key}.{}", e.key), t),
            _ => format!("{key}.{}", e.key),
        },
        None => key.to_string(),
    }
}

/// A value as TOML text that `--set` reads back as the same value.
fn toml_text(value: &Value) -> String {
    match value {
        Value::Integer(i) => i.to_string(),
        Value::Float(x) => format!("{x:?}"),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => quote(s),
        Value::Datetime(d) => d.clone(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(|n| toml_text(&n.value)).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Table(t) => {
            let parts: Vec<String> = t
                .entries
                .iter()
                .map(|e| format!("{} = {}", quote(&e.key), toml_text(&e.node.value)))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
    }
}

/// A TOML basic string; JSON's escapes are all valid in one.
fn quote(s: &str) -> String {
    serde_json::to_string(s).expect("a string always serialises")
}

/// How a value is shown in a CSV column: strings bare, everything else as TOML text.
pub fn display_value(text: &str) -> String {
    serde_json::from_str::<String>(text).unwrap_or_else(|_| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    fn grid(sweep: &str) -> Result<SweepGrid, String> {
        let text = format!("name = \"g\"\n[sweep]\n{sweep}");
        Scenario::from_text(&text, "g.toml", &[])
            .map(|s| s.sweep.expect("a grid"))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn product_in_written_order_with_zips() {
        let g = grid(
            "\"operators.weekend\" = [4, 8]\n\"batching.policy\" = [\"fifo\", \"smallest-first\"]\n\"operators.weekday\" = [1, 2]\nzip = [[\"operators.weekend\", \"operators.weekday\"]]\n",
        )
        .unwrap();
        assert_eq!(g.len(), 4);
        let cells: Vec<Vec<String>> = g.cells().into_iter().map(|c| c.values).collect();
        assert_eq!(cells[0], ["4", "\"fifo\"", "1"]);
        assert_eq!(cells[1], ["4", "\"smallest-first\"", "1"]);
        assert_eq!(cells[3], ["8", "\"smallest-first\"", "2"]);
        assert_eq!(display_value("\"fifo\""), "fifo");
        assert_eq!(display_value("2.5"), "2.5");
    }

    #[test]
    fn zip_lengths_must_match() {
        let e = grid("\"a.b\" = [1, 2]\n\"c.d\" = [1]\nzip = [[\"a.b\", \"c.d\"]]\n").unwrap_err();
        assert!(e.contains("equal length"), "{e}");
        let e = grid("\"a.b\" = [1, 2]\nzip = [[\"a.c\"]]\n").unwrap_err();
        assert!(e.contains("did you mean `a.b`"), "{e}");
    }
}
