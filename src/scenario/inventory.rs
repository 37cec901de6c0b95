//! Tenant inventories: a CSV of real tenants that replaces generated ones, checked cell by cell.
//!
//! Only `tenant` and `seats` are required; an empty or absent cell is drawn from the population's
//! distributions by the model, from that tenant's own random stream.

use std::collections::HashMap;
use std::sync::Arc;

use super::doc::Origin;
use super::limits::MemoryBudget;
use super::reader::{Diagnostic, abbreviate, nearest, range_text};

/// One row of a tenant inventory. `None` means the cell was empty: the model draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct InventoryTenant {
    /// The customer's name or id, unique in the file.
    pub name: String,
    pub seats: u32,
    pub mailboxes: Option<u32>,
    /// Mailboxes plus SharePoint, in GB.
    pub data_gb: Option<f64>,
    pub sharepoint_gb: Option<f64>,
    /// Index into `population.regions`.
    pub region: Option<u16>,
    /// Days held in Pre-Approval from the start; 0 means ready at once.
    pub blocked_days: Option<f64>,
    /// Where the `blocked_days` cell is, when it is not empty: what a check of the days points at.
    pub blocked_days_at: Option<Origin>,
    /// The cells of the columns named in `population.attributes`, in that order ("" if empty):
    /// what declarative policies order and cap by.
    pub attributes: Vec<String>,
}

/// The columns an inventory may have, in documented order.
pub const COLUMNS: &[&str] = &[
    "tenant",
    "seats",
    "mailboxes",
    "data_gb",
    "sharepoint_gb",
    "region",
    "blocked_days",
];

/// Bounds of the cells, shared with the scenario's own limits where there is one.
pub const MAX_SEATS: u64 = 1_000_000;
pub const MAX_MAILBOXES: u64 = 10_000_000;
pub const MAX_GB: f64 = 1e9;
pub const MAX_BLOCKED_DAYS: f64 = 20.0 * 366.0;
pub const MAX_TENANTS: usize = 10_000_000;

/// More errors than this in one inventory are counted, not listed: one bad export can have
/// thousands, and the first few say what is wrong.
const MAX_LISTED: usize = 20;

/// Parses inventory text. `file` names it in messages; `regions` are `population.regions`.
/// Returns every problem found (at most [`MAX_LISTED`] of them listed), in file order.
pub fn parse(
    text: &str,
    file: &Arc<str>,
    regions: &[String],
) -> Result<Vec<InventoryTenant>, Vec<Diagnostic>> {
    parse_with_attributes(text, file, regions, &[], None)
}

/// What the allocator takes for a short block, in bytes (a block of at most 24, with its own
/// bookkeeping): a tenant's name (and its
/// copy in the check for names listed twice) is one each.
const ALLOCATION_BYTES: u64 = 32;

/// [`parse`], also keeping the columns named in `attributes` (`population.attributes`), which
/// must all be present. With a `budget`, an inventory whose tenants would not fit it (with the
/// text, held whole) is refused as soon as those read show so, before the rest are held.
pub fn parse_with_attributes(
    text: &str,
    file: &Arc<str>,
    regions: &[String],
    attributes: &[String],
    budget: Option<MemoryBudget>,
) -> Result<Vec<InventoryTenant>, Vec<Diagnostic>> {
    let mut problems = Problems {
        file: file.clone(),
        list: Vec::new(),
        unlisted: 0,
    };
    // Spreadsheets often save UTF-8 with a byte order mark; it is not part of the first name.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Each region as a reader sees it, which a `region` cell is matched by.
    let regions_seen: Vec<String> = regions.iter().map(|r| super::label::reads_as(r)).collect();
    // Each column is a known one or an attribute; a few more are told one by one as unknown.
    let most = COLUMNS.len() + attributes.len() + MAX_LISTED;
    let scan = super::input::scan_csv(text.as_bytes(), Some(b'#'), most);
    if let Some(line) = scan.unclosed_quote {
        let message = super::input::UNCLOSED_QUOTE.to_string();
        problems.push(line, None, "tenant", message, None);
        return Err(problems.finish());
    }
    if let Some(line) = scan.wide_line {
        let message = format!(
            "a line of more than {most} cells, where an inventory has {} columns at most ({}{})",
            COLUMNS.len() + attributes.len(),
            COLUMNS.join(", "),
            if attributes.is_empty() {
                ""
            } else {
                " and the `population.attributes`"
            }
        );
        let hint = "is this the inventory? one line per tenant, one column per attribute";
        problems.push(line, None, "", message, Some(hint.into()));
        return Err(problems.finish());
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            problems.push(
                1,
                None,
                "tenant",
                format!("cannot read the header: {e}"),
                None,
            );
            return Err(problems.finish());
        }
    };
    let mut lines = super::input::CsvLines::new(text.as_bytes(), Some(b'#'));
    let header_line = header.position().map_or(1, |p| lines.at(p));
    let columns = read_header(&header, header_line, attributes, &mut problems);
    if problems.any() {
        return Err(problems.finish());
    }
    let cell = |record: &csv::StringRecord, name: &str| -> Option<(usize, String)> {
        let i = columns.get(name).copied()?;
        record
            .get(i)
            .filter(|s| !s.is_empty())
            .map(|s| (i + 1, s.to_string()))
    };

    let mut rows: Vec<InventoryTenant> = Vec::new();
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    // Tenants read, and those past `MAX_TENANTS`, counted for the refusal but neither checked
    // nor held.
    let (mut seen, mut beyond) = (0usize, 0usize);
    // The tenants' names (in `rows` and in `first_seen`) and attributes on the heap, with the
    // allocator's own.
    let mut heap = 0u64;
    let mut record = csv::StringRecord::new();
    loop {
        let line = lines.at(reader.position());
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| lines.at(p));
                problems.push(line, None, "", format!("cannot read this line: {e}"), None);
                break;
            }
        }
        if seen == MAX_TENANTS {
            beyond += 1;
            continue;
        }
        seen += 1;
        let line = record.position().map_or(line, |p| lines.at(p));
        if let Some(budget) = budget {
            // The tenants are held in a list (with room to grow), copied once whole into the
            // list a grid's cells share; each name also keys `first_seen`.
            let held = (rows.capacity() + rows.len()) * std::mem::size_of::<InventoryTenant>()
                + first_seen.capacity() * (std::mem::size_of::<(String, usize)>() + 1);
            let checked = budget.check_reading(
                "holding the inventory",
                (text.len() as u64, held as u64 + heap),
                (seen - 1, "tenants"),
                (
                    record.position().map_or(0, csv::Position::byte),
                    text.len() as u64,
                ),
            );
            if let Err(message) = checked {
                problems.push(line, None, "", message, None);
                return Err(problems.finish());
            }
        }
        if record.len() != header.len() {
            problems.push(
                line,
                None,
                "",
                format!(
                    "line has {} cells but the header has {} columns",
                    record.len(),
                    header.len()
                ),
                Some("every line needs one cell per column; leave a cell empty to draw it".into()),
            );
            continue;
        }
        let before = problems.count();
        let name = cell(&record, "tenant");
        let Some((name_col, name)) = name else {
            problems.push(
                line,
                Some(columns["tenant"] + 1),
                "tenant",
                "`tenant` is empty".into(),
                Some("every tenant needs a name or id".into()),
            );
            continue;
        };
        // The name is written as it is into tenants.csv and shown by the report and the charts.
        if let Some(why) =
            super::label::name_problem(&name, super::label::MAX_TENANT_NAME_CHARS, true)
        {
            let message = format!(
                "tenant `{}` {why}",
                abbreviate(&super::label::escape_unprintable(&name, &[]))
            );
            problems.push(line, Some(name_col), "tenant", message, None);
        } else if let Some(first) = first_seen.get(&super::label::reads_as(&name)) {
            // The same name, or one told apart only by characters that show nothing or by how
            // an accent is encoded.
            problems.push(
                line,
                Some(name_col),
                "tenant",
                format!(
                    "tenant `{}` is listed twice (first on line {first})",
                    abbreviate(&super::label::revealed(&name))
                ),
                None,
            );
        } else {
            heap += name.len() as u64 + ALLOCATION_BYTES;
            first_seen.insert(super::label::reads_as(&name), line);
        }
        let mut whole = |column: &str, min: u64, max: u64| -> Option<u64> {
            let (col, text) = cell(&record, column)?;
            let parsed = text.parse::<u64>().ok().filter(|n| (min..=max).contains(n));
            if parsed.is_none() {
                let range = range_text(min as f64, max as f64);
                let message = format!(
                    "`{column}` must be a whole number {range}, found `{}`",
                    abbreviate(&text)
                );
                problems.push(line, Some(col), column, message, None);
            }
            parsed
        };
        let seats = whole("seats", 1, MAX_SEATS);
        let mailboxes = whole("mailboxes", 0, MAX_MAILBOXES);
        let mut number = |column: &str, max: f64| -> Option<f64> {
            let (col, text) = cell(&record, column)?;
            let parsed = text.parse::<f64>().ok().filter(|x| (0.0..=max).contains(x));
            if parsed.is_none() {
                let range = range_text(0.0, max);
                let message = format!(
                    "`{column}` must be a number {range}, found `{}`",
                    abbreviate(&text)
                );
                problems.push(line, Some(col), column, message, None);
            }
            parsed
        };
        let data_gb = number("data_gb", MAX_GB);
        let sharepoint_gb = number("sharepoint_gb", MAX_GB);
        let blocked_days = number("blocked_days", MAX_BLOCKED_DAYS);
        if seats.is_none() && cell(&record, "seats").is_none() {
            problems.push(
                line,
                Some(columns["seats"] + 1),
                "seats",
                "`seats` is empty".into(),
                Some("every tenant needs its seat count".into()),
            );
        }
        let region = cell(&record, "region").and_then(|(col, text)| {
            // As a reader sees it: `Café` with a combining accent is the region `Café`.
            let seen = super::label::reads_as(&text);
            let found = regions_seen.iter().position(|r| *r == seen);
            if found.is_none() {
                let names: Vec<&str> = regions.iter().map(String::as_str).collect();
                let hint = nearest(&text, &names).map(|n| format!("did you mean `{n}`?"));
                problems.push(
                    line,
                    Some(col),
                    "region",
                    format!(
                        "region `{}` is not one of `population.regions` ({})",
                        abbreviate(&super::label::revealed(&text)),
                        names.join(", ")
                    ),
                    hint,
                );
            }
            found.map(|i| i as u16)
        });
        if let (Some(data), Some(site)) = (data_gb, sharepoint_gb) {
            if site > data {
                problems.push(
                    line,
                    cell(&record, "sharepoint_gb").map(|(c, _)| c),
                    "sharepoint_gb",
                    format!("`sharepoint_gb` = {site} is more than `data_gb` = {data}"),
                    Some("`data_gb` counts mailboxes and SharePoint together".into()),
                );
            } else if mailboxes == Some(0) && site != data {
                problems.push(
                    line,
                    cell(&record, "data_gb").map(|(c, _)| c),
                    "data_gb",
                    format!(
                        "`data_gb` = {data} differs from `sharepoint_gb` = {site} but the tenant has no mailboxes to hold the rest"
                    ),
                    None,
                );
            }
        }
        // An attribute is compared and capped by, and quoted in messages and the manifest:
        // one that does not show as itself would make two values that read the same.
        for a in attributes {
            let Some((col, text)) = cell(&record, a) else {
                continue;
            };
            if let Some(c) = text.chars().find(|c| super::label::is_unprintable(*c)) {
                let message = format!(
                    "`{a}` `{}` holds the character {}, which does not show as itself",
                    abbreviate(&super::label::escape_unprintable(&text, &[])),
                    c.escape_unicode()
                );
                problems.push(line, Some(col), a, message, None);
            }
        }
        if problems.count() > before {
            continue;
        }
        if let Some(seats) = seats {
            heap += name.len() as u64 + ALLOCATION_BYTES;
            heap += attributes.len() as u64 * (ALLOCATION_BYTES + 24);
            rows.push(InventoryTenant {
                name,
                seats: seats as u32,
                mailboxes: mailboxes.map(|m| m as u32),
                data_gb,
                sharepoint_gb,
                region,
                blocked_days,
                blocked_days_at: blocked_days.and_then(|_| {
                    let (column, _) = cell(&record, "blocked_days")?;
                    Some(Origin::Cell {
                        file: file.clone(),
                        line,
                        column: Some(column),
                    })
                }),
                attributes: attributes
                    .iter()
                    .map(|a| cell(&record, a).map(|(_, v)| v).unwrap_or_default())
                    .collect(),
            });
        }
    }
    if !problems.any() && rows.is_empty() {
        problems.push(
            header_line,
            None,
            "",
            "the inventory lists no tenants".into(),
            Some("add one line per tenant below the header".into()),
        );
    }
    if !problems.any() && beyond > 0 {
        problems.push(
            header_line,
            None,
            "",
            format!(
                "the inventory lists {} tenants, more than the {MAX_TENANTS} a scenario may have",
                seen + beyond
            ),
            None,
        );
    }
    if problems.any() {
        Err(problems.finish())
    } else {
        Ok(rows)
    }
}

/// Maps column names to their index; reports unknown, repeated and missing required columns.
fn read_header(
    header: &csv::StringRecord,
    line: usize,
    attributes: &[String],
    problems: &mut Problems,
) -> HashMap<String, usize> {
    let mut columns = HashMap::new();
    let mut suggested = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let attribute = attributes.iter().any(|a| a == name);
        if !COLUMNS.contains(&name) && !attribute {
            let near = nearest(name, COLUMNS);
            suggested.extend(near);
            let hint = near.map_or_else(
                || format!("known columns: {}", COLUMNS.join(", ")),
                |c| format!("did you mean `{c}`?"),
            );
            problems.push(
                line,
                Some(i + 1),
                name,
                format!("unknown column `{}`", abbreviate(name)),
                Some(hint),
            );
        } else if columns.insert(name.to_string(), i).is_some() {
            problems.push(
                line,
                Some(i + 1),
                name,
                format!("column `{}` appears twice", abbreviate(name)),
                None,
            );
        }
    }
    for a in attributes {
        if !columns.contains_key(a.as_str()) {
            problems.push(
                line,
                None,
                a,
                format!("the inventory has no `{a}` column, which `population.attributes` names"),
                Some("add the column, or remove it from `population.attributes`".into()),
            );
        }
    }
    for required in ["tenant", "seats"] {
        // A misspelt required column is one mistake, already reported with its suggestion.
        if !columns.contains_key(required) && !suggested.contains(&required) {
            problems.push(
                line,
                None,
                required,
                format!("the inventory has no `{required}` column"),
                Some(format!(
                    "the header must name `tenant` and `seats`; optional: {}",
                    COLUMNS[2..].join(", ")
                )),
            );
        }
    }
    columns
}

/// The problems of one inventory, listing the first [`MAX_LISTED`].
struct Problems {
    file: Arc<str>,
    list: Vec<Diagnostic>,
    unlisted: usize,
}

impl Problems {
    fn push(
        &mut self,
        line: usize,
        column: Option<usize>,
        key: &str,
        message: String,
        hint: Option<String>,
    ) {
        if self.list.len() >= MAX_LISTED {
            self.unlisted += 1;
            return;
        }
        self.list.push(Diagnostic {
            origin: Origin::Cell {
                file: self.file.clone(),
                line,
                column,
            },
            key: key.to_string(),
            message,
            hint,
            unlisted: 0,
        });
    }

    fn count(&self) -> usize {
        self.list.len() + self.unlisted
    }

    fn any(&self) -> bool {
        self.count() > 0
    }

    fn finish(mut self) -> Vec<Diagnostic> {
        if self.unlisted > 0 {
            let last_line = match self.list.last().map(|d| &d.origin) {
                Some(Origin::Cell { line, .. }) => *line,
                _ => 1,
            };
            self.list.push(Diagnostic {
                origin: Origin::Cell {
                    file: self.file.clone(),
                    line: last_line,
                    column: None,
                },
                key: String::new(),
                message: format!(
                    "and {} more errors in this inventory, not listed, after",
                    self.unlisted
                ),
                hint: Some("fix those above and validate again".into()),
                unlisted: self.unlisted,
            });
        }
        self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regions() -> Vec<String> {
        vec!["NA".into(), "EMEA".into()]
    }

    fn errors(text: &str) -> Vec<String> {
        parse(text, &Arc::from("t.csv"), &regions())
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn optional_cells_may_be_empty_or_absent() {
        let rows = parse(
            "tenant,seats,region,data_gb\nContoso,25,EMEA,\n# a comment\nFabrikam, 3 ,,12.5\n",
            &Arc::from("t.csv"),
            &regions(),
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0],
            InventoryTenant {
                name: "Contoso".into(),
                seats: 25,
                mailboxes: None,
                data_gb: None,
                sharepoint_gb: None,
                region: Some(1),
                blocked_days: None,
                blocked_days_at: None,
                attributes: Vec::new(),
            }
        );
        assert_eq!((rows[1].seats, rows[1].data_gb), (3, Some(12.5)));
    }

    #[test]
    fn bad_cells_name_line_and_column() {
        assert_eq!(
            errors("tenant,seats,region\na,abc,NA\nb,2,Mars\na,1,EMEA\n"),
            [
                "`seats` must be a whole number between 1 and 1000000, found `abc` at t.csv:2:2",
                "region `Mars` is not one of `population.regions` (NA, EMEA) at t.csv:3:3",
                "tenant `a` is listed twice (first on line 2) at t.csv:4:1",
            ]
        );
    }

    /// A name is written into tenants.csv and shown by the report and the weekend chart as it
    /// is: one a spreadsheet would take for a formula, one that hides or reorders text, one of
    /// only blanks or one too long is refused where it stands.
    /// Two names told apart only by characters that show nothing, or by how an accent is
    /// encoded, read the same in the report.
    #[test]
    fn names_that_read_the_same_are_listed_twice() {
        assert_eq!(
            errors("tenant,seats\nContoso,1\nContoso\u{fe0f},1\n"),
            ["tenant `Contoso\\u{fe0f}` is listed twice (first on line 2) at t.csv:3:1"]
        );
        assert_eq!(
            errors("tenant,seats\nCaf\u{e9},1\nCafe\u{301},1\n"),
            ["tenant `Cafe\\u{301}` is listed twice (first on line 2) at t.csv:3:1"]
        );
    }

    #[test]
    fn names_that_would_not_show_as_themselves_are_refused() {
        let long = "x".repeat(101);
        let text = format!(
            "tenant,seats\n=HYPERLINK(1),1\n\u{202e}kcab,1\n\u{200b},1\n{long},1\n{},1\nTrey Research,1\n",
            "y".repeat(100)
        );
        let found = errors(&text);
        let expected = [
            "starts with `=`, so a spreadsheet opening the CSV files would take it for a formula at t.csv:2:1",
            "tenant `\\u{202e}kcab` holds the character \\u{202e}, which does not show as itself at t.csv:3:1",
            "is only blank characters, so it shows as nothing at t.csv:4:1",
            "has 101 characters, more than the 100 a name may have at t.csv:5:1",
        ];
        assert_eq!(found.len(), expected.len(), "{found:#?}");
        for (found, expected) in found.iter().zip(expected) {
            assert!(found.ends_with(expected), "{found}");
        }
    }

    /// An attribute cell that would not show as itself is refused where it stands.
    #[test]
    fn attributes_that_would_not_show_as_themselves_are_refused() {
        let unit = ["unit".to_string()];
        let text = "tenant,seats,unit\na,1,retail\nb,1,ret\u{200b}ail\nc,1,\u{1b}[2J\n";
        let found: Vec<String> =
            parse_with_attributes(text, &Arc::from("t.csv"), &regions(), &unit, None)
                .unwrap_err()
                .iter()
                .map(ToString::to_string)
                .collect();
        assert_eq!(
            found,
            [
                "`unit` `ret\\u{200b}ail` holds the character \\u{200b}, which does not show as itself at t.csv:3:3",
                "`unit` `\\u{1b}[2J` holds the character \\u{1b}, which does not show as itself at t.csv:4:3",
            ]
        );
    }

    /// Lines are the file's: blank lines, comments and a quoted cell's line break all count.
    #[test]
    fn lines_count_blank_lines_comments_and_breaks_in_cells() {
        assert_eq!(
            errors("# inventory\n\ntenant,seats\n\n\na,1\n\n# late\nb,x\n\"c\nd\",2\na,3\n"),
            [
                "`seats` must be a whole number between 1 and 1000000, found `x` at t.csv:9:2",
                "tenant `c\\u{a}d` holds the character \\u{a}, which does not show as itself at t.csv:10:1",
                "tenant `a` is listed twice (first on line 6) at t.csv:12:1",
            ]
        );
    }

    #[test]
    fn header_problems_are_reported_together() {
        assert_eq!(
            errors("tenant,seat,mailbox,colour\n"),
            [
                "unknown column `seat` at t.csv:1:2 (did you mean `seats`?)",
                "unknown column `mailbox` at t.csv:1:3 (did you mean `mailboxes`?)",
                "unknown column `colour` at t.csv:1:4 (known columns: tenant, seats, mailboxes, data_gb, sharepoint_gb, region, blocked_days)",
            ]
        );
        assert_eq!(
            errors("tenant,region\na,NA\n"),
            [
                "the inventory has no `seats` column at t.csv:1 (the header must name `tenant` and `seats`; optional: mailboxes, data_gb, sharepoint_gb, region, blocked_days)"
            ]
        );
    }

    #[test]
    fn rows_must_match_the_header_and_hold_consistent_sizes() {
        assert_eq!(
            errors("tenant,seats,mailboxes,data_gb,sharepoint_gb\na,1\nb,2,0,10,4\nc,3,,5,6\n"),
            [
                "line has 2 cells but the header has 5 columns at t.csv:2 (every line needs one cell per column; leave a cell empty to draw it)",
                "`data_gb` = 10 differs from `sharepoint_gb` = 4 but the tenant has no mailboxes to hold the rest at t.csv:3:4",
                "`sharepoint_gb` = 6 is more than `data_gb` = 5 at t.csv:4:5 (`data_gb` counts mailboxes and SharePoint together)",
            ]
        );
        assert_eq!(
            errors("tenant,seats\n# nothing yet\n"),
            [
                "the inventory lists no tenants at t.csv:1 (add one line per tenant below the header)"
            ]
        );
    }

    #[test]
    fn many_errors_are_counted_not_listed() {
        let text: String = std::iter::once("tenant,seats\n".to_string())
            .chain((0..30).map(|i| format!("t{i},0\n")))
            .collect();
        let e = errors(&text);
        assert_eq!(e.len(), MAX_LISTED + 1);
        assert!(e[MAX_LISTED].starts_with("and 10 more errors"), "{e:?}");
    }

    /// A line of far more cells than an inventory has columns is refused before the reader holds
    /// it (a few MB of commas took twenty times that in memory, a header of millions of columns
    /// minutes); a few unknown columns are still each named, and commas in a quoted cell or a
    /// comment are not cells.
    #[test]
    fn a_line_of_more_cells_than_any_inventory_has_is_refused_at_once() {
        let commas = ",".repeat(1_000_000);
        let e = errors(&format!("tenant,seats\nContoso,1{commas}\n"));
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].contains("t.csv:2") && e[0].contains("more than 27 cells"),
            "{e:?}"
        );
        let e = errors(&format!("tenant,seats{commas}\n"));
        assert!(
            e[0].contains("t.csv:1") && e[0].contains("7 columns at most"),
            "{e:?}"
        );
        let e = errors("tenant,seats,a,b\nContoso,1,,\n");
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].contains("unknown column `a`"), "{e:?}");
        // Commas quoted in a cell are not cells (an attribute: a name is at most 100 characters).
        let quoted = format!("tenant,seats,note\n# {commas}\nContoso,1,\"{commas}\"\n");
        let note = ["note".to_string()];
        let rows =
            parse_with_attributes(&quoted, &Arc::from("t.csv"), &regions(), &note, None).unwrap();
        assert_eq!(rows.len(), 1);
    }
}
