//! A scenario's text with some keys set to new values and everything else kept as written
//! (comments, order, layout): how `calibrate` writes the calibrated scenario.

use std::sync::Arc;

use super::doc::{self, Origin, Value};

/// `text` with `key` (dotted) set to `value` (TOML text) and `comment` at the end of its line.
/// A key written in the file as a scalar has its value replaced in place; a key the file does
/// not write is added under its table's `[header]`, or in a new table at the end if the file has
/// none. A key the file writes in a way this cannot edit (an array, a table, a key defined by
/// dotted keys elsewhere) is an error saying so.
pub fn set_key(text: &str, key: &str, value: &str, comment: &str) -> Result<String, String> {
    let file: Arc<str> = Arc::from("scenario");
    let table = doc::parse(text, &file).map_err(|e| {
        e.first().map_or_else(
            || "cannot parse".into(),
            |d| format!("{}: {}", d.origin, d.message),
        )
    })?;
    let path: Vec<&str> = key.split('.').map(str::trim).collect();
    let mut node = None;
    let mut parent = Some(&table);
    for (i, part) in path.iter().enumerate() {
        let Some(entry) = parent.and_then(|t| t.get(part)) else {
            break;
        };
        if i + 1 == path.len() {
            node = Some(&entry.node);
        } else {
            parent = match &entry.node.value {
                Value::Table(t) => Some(t),
                _ => None,
            };
        }
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    if let Some(node) = node {
        let Origin::File { line, column, .. } = node.origin else {
            return Err(format!("`{key}` is not written in the file"));
        };
        if matches!(node.value, Value::Array(_) | Value::Table(_)) {
            return Err(format!("`{key}` is {} in the file", node.value.type_name()));
        }
        let start: usize = lines[..line - 1].iter().map(|l| l.len()).sum();
        let this = lines[line - 1];
        let at = this
            .char_indices()
            .nth(column - 1)
            .map_or(this.len(), |(b, _)| b);
        let end = at + token_len(&this[at..]);
        let rest = this[end..].trim_end_matches(['\n', '\r']);
        let newline = &this[end + rest.len()..];
        let note = if rest.contains('#') {
            format!("{rest}; {comment}")
        } else {
            format!("{rest}  # {comment}")
        };
        let edited = format!("{}{value}{note}{newline}", &this[..at]);
        return Ok(format!(
            "{}{edited}{}",
            &text[..start],
            &text[start + this.len()..]
        ));
    }
    let (last, tables) = path.split_last().expect("a key has a name");
    let line = format!("{last} = {value}  # {comment}\n");
    if tables.is_empty() {
        // A top-level key goes before the first table.
        let first_table = lines
            .iter()
            .position(|l| l.trim_start().starts_with('['))
            .unwrap_or(lines.len());
        let at: usize = lines[..first_table].iter().map(|l| l.len()).sum();
        return Ok(format!("{}{line}{}", &text[..at], &text[at..]));
    }
    let header = format!("[{}]", tables.join("."));
    let found = lines.iter().position(|l| {
        let l = l.split('#').next().unwrap_or("").trim();
        l.replace(' ', "") == header
    });
    match found {
        Some(h) => {
            let at: usize = lines[..=h].iter().map(|l| l.len()).sum();
            let sep = if lines[h].ends_with('\n') { "" } else { "\n" };
            Ok(format!("{}{sep}{line}{}", &text[..at], &text[at..]))
        }
        None if parent_exists(&table, tables) => Err(format!(
            "`{key}`: its table `{}` is not written as a `{header}` header",
            tables.join(".")
        )),
        None => {
            let sep = if text.is_empty() || text.ends_with('\n') {
                ""
            } else {
                "\n"
            };
            Ok(format!("{text}{sep}\n{header}\n{line}"))
        }
    }
}

fn parent_exists(table: &doc::Table, path: &[&str]) -> bool {
    let mut t = table;
    for part in path {
        match t.get(part).map(|e| &e.node.value) {
            Some(Value::Table(inner)) => t = inner,
            Some(_) => return true,
            None => return false,
        }
    }
    true
}

/// The length of the scalar value at the start of `s`: a quoted string to its closing quote,
/// anything else to the first separator.
fn token_len(s: &str) -> usize {
    let mut chars = s.char_indices();
    match chars.next() {
        Some((_, q @ ('"' | '\''))) => {
            let mut escaped = false;
            for (i, c) in chars {
                if q == '"' && c == '\\' && !escaped {
                    escaped = true;
                    continue;
                }
                if c == q && !escaped {
                    return i + 1;
                }
                escaped = false;
            }
            s.len()
        }
        _ => s
            .find([',', '}', ']', ' ', '\t', '#', '\n', '\r'])
            .unwrap_or(s.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name = \"x\"   # the name\n\n[workitems]\ntransient_probability = 0.02\nhard_failure_probability = 0.005    # estimate\n\n[copy]\ngb_per_hour = { dist = \"lognormal\", median = 0.6, sigma = 0.3 }\n";

    #[test]
    fn values_are_replaced_in_place_and_missing_keys_added_under_their_table() {
        let t = set_key(TEXT, "workitems.hard_failure_probability", "0.03", "fitted").unwrap();
        assert!(
            t.contains("hard_failure_probability = 0.03    # estimate; fitted\n"),
            "{t}"
        );
        let t = set_key(&t, "copy.gb_per_hour.median", "0.9", "fitted").unwrap();
        assert!(t.contains("median = 0.9, sigma = 0.3 }  # fitted\n"), "{t}");
        let t = set_key(&t, "name", "\"x-calibrated\"", "renamed").unwrap();
        assert!(
            t.starts_with("name = \"x-calibrated\"   # the name; renamed\n"),
            "{t}"
        );
        let t = set_key(&t, "workitems.max_retries", "5", "set").unwrap();
        assert!(
            t.contains("[workitems]\nmax_retries = 5  # set\ntransient"),
            "{t}"
        );
        let t = set_key(&t, "operators.weekday", "3", "set").unwrap();
        assert!(t.ends_with("\n[operators]\nweekday = 3  # set\n"), "{t}");
        let t = set_key(&t, "seed", "9", "set").unwrap();
        assert!(t.contains("\nseed = 9  # set\n[workitems]"), "{t}");
        // Still TOML, with the values set.
        let parsed: toml::Table = toml::from_str(&t).unwrap();
        assert_eq!(
            parsed["workitems"]["hard_failure_probability"].as_float(),
            Some(0.03)
        );
        assert_eq!(
            parsed["copy"]["gb_per_hour"]["median"].as_float(),
            Some(0.9)
        );
    }

    #[test]
    fn what_cannot_be_edited_is_refused() {
        let text = "[population]\nregions = [\"NA\"]\n[a.b]\nc = 1\n";
        assert!(set_key(text, "population.regions", "1", "x").is_err());
        assert!(
            set_key("a.b = 1\n", "a.c", "2", "x")
                .unwrap_err()
                .contains("header")
        );
    }
}
