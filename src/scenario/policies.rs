//! The `[policies.NAME]` tables: declarative batch policies (an ordering, caps, blackouts), each
//! checked against the scenario's regions and inventory and resolved for the model.

use std::cmp::Ordering;

use super::batchable::Written;
use super::doc::Origin;
use super::label::{self, MAX_POLICY_NAME_CHARS};
use super::population::Population;
use super::reader::{self, Section, nearest};
use crate::date::Date;
use crate::policy::{
    Blackout, Cap, DEFAULT_SIZE_CLASSES, Declared, Definition, EMPTY_CELL, GROUP_NAMES, Group,
    KEY_NAMES, Key, OrderKey, ResolvedBlackout, ResolvedCap, SIZE_CLASS_NAMES,
};

/// Every policy the scenario declares, in file order, each with where its caps and blackouts
/// are written.
pub(super) fn read_policies(
    s: &Section<'_>,
    population: &Population,
) -> (Vec<Declared>, Vec<Written>) {
    let mut out = (Vec::new(), Vec::new());
    for (name, t) in s.named_tables() {
        check_name(s, &name, t.origin());
        let (declared, written) = read_policy(&t, name, population);
        out.0.push(declared);
        out.1.push(written);
        t.finish();
    }
    s.finish();
    out
}

/// What a declared policy's name may be, in the hint of every refusal of one.
const NAME_RULE: &str =
    "use 1 to 64 ASCII letters, digits, '-' or '_', starting with a letter, a digit or '_'";

/// Why `name` cannot name a declared policy, with the hint; `None` if it can. A policy name
/// appears in CSV cells and in `--policies a,b`: a name the output shows as written
/// (`label::name_problem`, which also keeps it from starting like a spreadsheet formula) of plain
/// characters, and not one of the built-in names, which would be ambiguous.
pub(super) fn name_problem(name: &str) -> Option<(String, String)> {
    if crate::policy::NAMES.contains(&name) {
        return Some((
            format!("policy `{name}` is built in; a declared policy cannot replace it"),
            format!(
                "give it another name, e.g. `my-{name}`; built-in policies: {}",
                crate::policy::NAMES.join(", ")
            ),
        ));
    }
    let quoted = || reader::abbreviate(name);
    if let Some(why) = label::name_problem(name, MAX_POLICY_NAME_CHARS, true) {
        return Some((
            format!("policy name `{}` {why}", quoted()),
            NAME_RULE.into(),
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Some((
            format!("policy name `{}` is not a plain name", quoted()),
            NAME_RULE.into(),
        ));
    }
    None
}

fn check_name(s: &Section<'_>, name: &str, origin: Origin) {
    if let Some((message, hint)) = name_problem(name) {
        s.error_at(origin, name, message, Some(hint));
    }
}

fn read_policy(t: &Section<'_>, name: String, population: &Population) -> (Declared, Written) {
    let attributes: Vec<&str> = population.attributes.iter().map(String::as_str).collect();
    let order = read_order(t, &attributes);
    let region_order = read_regions(t, "region_order", &population.regions);
    let error_budget = t.bool("error_budget", false);
    let size_classes = read_size_classes(t);
    let mut definition = Definition::ordering(&name, order);
    definition.error_budget = error_budget;
    definition.size_classes = size_classes;
    let region_rank = (!region_order.is_empty()).then(|| {
        population
            .regions
            .iter()
            .map(|r| {
                region_order
                    .iter()
                    .position(|o| o == r)
                    .map_or(u16::MAX, |i| i as u16)
            })
            .collect()
    });
    definition.region_order = region_order;
    let column_ranks = definition
        .order
        .iter()
        .filter_map(|k| match &k.key {
            Key::Column(c) => Some(order_ranks(population, c)),
            _ => None,
        })
        .collect();
    let mut caps = Vec::new();
    let mut at = Written::default();
    for c in t.tables("caps") {
        if let Some(cap) = read_cap(&c, population, &attributes, &definition.size_classes) {
            definition.caps.push(cap.cap.clone());
            caps.push(cap);
            let origins = ["max_tenants", "max_seats", "max_data_gb"].map(|k| c.origin_of(k));
            at.caps.push((c.path().to_string(), origins));
        }
        c.finish();
    }
    let mut blackouts = Vec::new();
    for b in t.tables("blackouts") {
        if let Some((written, resolved)) = read_blackout(&b, population) {
            definition.blackouts.push(written);
            blackouts.push(resolved);
            at.blackouts.push((b.path().to_string(), b.origin()));
        }
        b.finish();
    }
    let declared = Declared {
        definition,
        region_rank,
        column_ranks,
        caps,
        blackouts,
    };
    (declared, at)
}

/// `order = ["slips desc", "region", "seats"]`: keys, each optionally `asc` or `desc`.
fn read_order(t: &Section<'_>, attributes: &[&str]) -> Vec<OrderKey> {
    let mut keys = Vec::new();
    for (text, origin) in t.located_strings("order") {
        let words: Vec<&str> = text.split_whitespace().collect();
        let (name, descending) = match words.as_slice() {
            [name] => (*name, false),
            [name, "asc"] => (*name, false),
            [name, "desc"] => (*name, true),
            _ => {
                t.error_at(
                    origin,
                    "order",
                    format!(
                        "`{}` in `order` is not `KEY`, `KEY asc` or `KEY desc`",
                        super::reader::abbreviate(&text)
                    ),
                    Some(format!("keys: {}", KEY_NAMES.join(", "))),
                );
                continue;
            }
        };
        let key = match name {
            "slips" => Key::Slips,
            "ready" => Key::Ready,
            "seats" => Key::Seats,
            "mailboxes" => Key::Mailboxes,
            "data" => Key::Data,
            "expected_errors" => Key::ExpectedErrors,
            "region" => Key::Region,
            "random" => Key::Random,
            column if attributes.contains(&column) => Key::Column(column.to_string()),
            unknown => {
                unknown_name(
                    t,
                    origin,
                    "order",
                    "ordering key",
                    unknown,
                    KEY_NAMES,
                    attributes,
                );
                continue;
            }
        };
        keys.push(OrderKey { key, descending });
    }
    keys
}

/// Reports a name that is neither a built-in key nor an inventory column, with the nearest.
fn unknown_name(
    t: &Section<'_>,
    origin: Origin,
    key: &str,
    what: &str,
    name: &str,
    builtin: &[&str],
    attributes: &[&str],
) {
    let all: Vec<&str> = builtin.iter().chain(attributes).copied().collect();
    let columns = if attributes.is_empty() {
        "inventory columns named in `population.attributes`".to_string()
    } else {
        format!("inventory columns: {}", attributes.join(", "))
    };
    let hint = match nearest(name, &all) {
        Some(n) => format!(
            "did you mean `{n}`? valid: {}; or {columns}",
            builtin.join(", ")
        ),
        None => format!("valid: {}; or {columns}", builtin.join(", ")),
    };
    t.error_at(
        origin,
        key,
        format!(
            "`{}` has no {what} `{}`: it is neither a tenant key nor an inventory column",
            t.key_path(key),
            super::reader::abbreviate(name)
        ),
        Some(hint),
    );
}

/// A list of regions, each a region of `population.regions`, each once. Linear in the list and
/// the regions (sets, not list searches), and each wrong name reported once, the first few only:
/// one mistake repeated is one error.
pub(super) fn read_regions(t: &Section<'_>, key: &'static str, regions: &[String]) -> Vec<String> {
    use std::collections::HashSet;
    const REPORTED: usize = 8;
    let named: Vec<&str> = regions.iter().map(String::as_str).collect();
    // By name as a reader sees it (`label::reads_as`), as `population.regions` is told apart:
    // `Café` typed with a combining accent names the region written `Café`, and stands for it.
    let known: std::collections::HashMap<String, &str> =
        named.iter().map(|r| (label::reads_as(r), *r)).collect();
    let mut seen: HashSet<String> = HashSet::new();
    let mut reported: HashSet<String> = HashSet::new();
    let listing = || {
        if named.is_empty() {
            // `population.regions` was refused; its own error says why.
            "`population.regions` lists none".to_string()
        } else if named.len() <= 16 {
            format!("regions are {}", named.join(", "))
        } else {
            format!("there are {} regions", named.len())
        }
    };
    let mut out: Vec<String> = Vec::new();
    for (written, origin) in t.located_strings(key) {
        let Some(&r) = known.get(&label::reads_as(&written)) else {
            let r = written;
            if reported.len() < REPORTED && reported.insert(r.clone()) {
                let hint = nearest(&r, &named)
                    .map_or_else(listing, |n| format!("did you mean `{n}`? {}", listing()));
                t.error_at(
                    origin,
                    key,
                    format!(
                        "`{}` names `{}`, which is not a region",
                        t.key_path(key),
                        super::reader::abbreviate(&label::revealed(&r))
                    ),
                    Some(hint),
                );
            }
            continue;
        };
        if !seen.insert(r.to_string()) {
            if reported.len() < REPORTED && reported.insert(r.to_string()) {
                t.error_at(
                    origin,
                    key,
                    format!("`{}` names `{r}` twice", t.key_path(key)),
                    None,
                );
            }
        } else {
            out.push(r.to_string());
        }
    }
    out
}

/// `size_classes = [250, 2500]`: seat bounds of small / medium / large (one bound: small / large).
fn read_size_classes(t: &Section<'_>) -> Vec<u32> {
    if !t.has("size_classes") {
        return DEFAULT_SIZE_CLASSES.to_vec();
    }
    let bounds = t.numbers("size_classes", &[]);
    let whole = bounds
        .iter()
        .all(|b| b.fract() == 0.0 && *b >= 1.0 && *b <= f64::from(u32::MAX));
    let ascending = bounds.windows(2).all(|w| w[0] < w[1]);
    if !(1..=2).contains(&bounds.len()) || !whole || !ascending {
        t.error(
            "size_classes",
            format!(
                "`{}` must be one or two ascending whole seat counts",
                t.key_path("size_classes")
            ),
            Some("e.g. [250, 2500]: small below 250 seats, large from 2500, medium between".into()),
        );
        return DEFAULT_SIZE_CLASSES.to_vec();
    }
    bounds.iter().map(|&b| b as u32).collect()
}

/// The cells of inventory column `column`, one per tenant; none where it is no attribute.
fn attribute_cells<'a>(population: &'a Population, column: &str) -> Vec<&'a str> {
    let index = population.attributes.iter().position(|a| a == column);
    match (index, population.inventory.as_deref()) {
        (Some(index), Some(rows)) => rows.iter().map(|r| r.attributes[index].as_str()).collect(),
        _ => Vec::new(),
    }
}

/// Each tenant's rank in an `order` by inventory column `column`: by number if every cell that
/// is not empty is a finite number (so `1` and `1.0` tie, and the readiness order decides
/// between them), else by text; an empty cell ranks [`EMPTY_CELL`], which the policy keeps last
/// whichever the direction (`desc` puts the highest priority first, not the unknown ones).
fn order_ranks(population: &Population, column: &str) -> Vec<u32> {
    let cells = attribute_cells(population, column);
    let finite = |c: &str| c.parse::<f64>().ok().filter(|x| x.is_finite());
    if cells.iter().all(|c| c.is_empty() || finite(c).is_some()) {
        let numbers: Vec<Option<f64>> = cells.iter().map(|c| finite(c)).collect();
        // Finite, so `partial_cmp` orders them all, and finds -0 and 0 equal.
        let by_value = |a: &f64, b: &f64| a.partial_cmp(b).unwrap_or(Ordering::Equal);
        let mut distinct: Vec<f64> = numbers.iter().flatten().copied().collect();
        distinct.sort_by(by_value);
        distinct.dedup_by(|a, b| by_value(a, b) == Ordering::Equal);
        let rank = |x: f64| distinct.partition_point(|d| by_value(d, &x) == Ordering::Less);
        numbers
            .iter()
            .map(|n| n.map_or(EMPTY_CELL, |x| rank(x) as u32))
            .collect()
    } else {
        let mut distinct: Vec<&str> = cells.iter().copied().filter(|c| !c.is_empty()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        let rank = |c: &str| distinct.partition_point(|d| *d < c);
        cells
            .iter()
            .map(|c| {
                if c.is_empty() {
                    EMPTY_CELL
                } else {
                    rank(c) as u32
                }
            })
            .collect()
    }
}

/// Each tenant's group by inventory column `column` for a cap (one per distinct text; empty
/// cells in none), and the distinct values in rank order (numbers if every cell is one, else
/// text).
fn column_ranks(population: &Population, column: &str) -> (Vec<u32>, Vec<String>) {
    let cells = attribute_cells(population, column);
    let mut values: Vec<&str> = cells.iter().copied().filter(|c| !c.is_empty()).collect();
    values.sort_unstable();
    values.dedup();
    let numbers: Option<Vec<f64>> = values.iter().map(|v| v.parse::<f64>().ok()).collect();
    if let Some(numbers) = numbers {
        let mut paired: Vec<(f64, &str)> = numbers.into_iter().zip(values).collect();
        paired.sort_by(|a, b| a.0.total_cmp(&b.0));
        values = paired.into_iter().map(|(_, v)| v).collect();
    }
    let rank_of: std::collections::HashMap<&str, u32> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (*v, i as u32))
        .collect();
    let ranks = cells
        .iter()
        .map(|c| rank_of.get(c).copied().unwrap_or(u32::MAX))
        .collect();
    (ranks, values.into_iter().map(str::to_string).collect())
}

/// One `caps` entry: `{ per = "region", max_tenants = 20 }`, optionally `value = "EMEA"`.
fn read_cap(
    c: &Section<'_>,
    population: &Population,
    attributes: &[&str],
    size_classes: &[u32],
) -> Option<ResolvedCap> {
    let per_name = c.string("per", "");
    let per_origin = c.origin_of("per");
    let value = c.has("value").then(|| c.string("value", ""));
    let max_tenants = c
        .has("max_tenants")
        .then(|| c.u32("max_tenants", 1, 0, 10_000_000));
    let max_seats = c
        .has("max_seats")
        .then(|| c.u64("max_seats", 1, 0, u64::MAX));
    let max_data_gb = c
        .has("max_data_gb")
        .then(|| c.f64("max_data_gb", 1.0, 0.0, f64::INFINITY));
    if max_tenants.is_none() && max_seats.is_none() && max_data_gb.is_none() {
        c.error(
            "per",
            format!("`{}` caps nothing", c.key_path("per")),
            Some("give `max_tenants`, `max_seats` or `max_data_gb`".into()),
        );
    }
    let (per, values, tenant_group): (Group, Vec<String>, Vec<u32>) = match per_name.as_str() {
        "region" => (Group::Region, population.regions.clone(), Vec::new()),
        "size" => {
            let classes = if size_classes.len() == 1 {
                vec!["small".to_string(), String::new(), "large".to_string()]
            } else {
                SIZE_CLASS_NAMES.iter().map(|s| s.to_string()).collect()
            };
            (Group::Size, classes, Vec::new())
        }
        column if attributes.contains(&column) => {
            let (ranks, values) = column_ranks(population, column);
            (Group::Column(column.to_string()), values, ranks)
        }
        "" if !c.has("per") => {
            c.error(
                "per",
                format!("`{}` is required", c.key_path("per")),
                Some(format!(
                    "group by {}, or an inventory column",
                    GROUP_NAMES.join(" or ")
                )),
            );
            return None;
        }
        unknown => {
            unknown_name(
                c,
                per_origin,
                "per",
                "group",
                unknown,
                GROUP_NAMES,
                attributes,
            );
            return None;
        }
    };
    let only = match &value {
        None => None,
        // A region by its name as a reader sees it, as everywhere; a column's value as written,
        // since its groups are its cells' texts.
        Some(v) => match values.iter().position(|x| {
            !x.is_empty()
                && match per {
                    Group::Region => label::reads_as(x) == label::reads_as(v),
                    _ => x == v,
                }
        }) {
            Some(i) => Some(i as u32),
            None => {
                let shown: Vec<&str> = values
                    .iter()
                    .map(String::as_str)
                    .filter(|v| !v.is_empty())
                    .collect();
                let hint = match nearest(v, &shown) {
                    Some(n) => format!("did you mean `{n}`?"),
                    None if shown.len() <= 12 => format!("values: {}", shown.join(", ")),
                    None => format!("{} values, e.g. {}", shown.len(), shown[..12].join(", ")),
                };
                c.error(
                    "value",
                    format!(
                        "`{}` = \"{}\" is no {per_name} of any tenant",
                        c.key_path("value"),
                        super::reader::abbreviate(v)
                    ),
                    Some(hint),
                );
                return None;
            }
        },
    };
    Some(ResolvedCap {
        cap: Cap {
            per,
            value,
            max_tenants,
            max_seats,
            max_data_gb,
        },
        tenant_group,
        groups: values.len(),
        only,
    })
}

/// One `blackouts` entry: `{ regions = ["EMEA"], from = 2011-12-17, until = 2012-01-07 }`.
fn read_blackout(b: &Section<'_>, population: &Population) -> Option<(Blackout, ResolvedBlackout)> {
    let regions = read_regions(b, "regions", &population.regions);
    let start = Date::from_ymd(1970, 1, 1).expect("a valid date");
    let date = |key: &'static str| {
        if !b.has(key) {
            b.error(key, format!("`{}` is required", b.key_path(key)), None);
        }
        b.date(key, start)
    };
    let (from, until) = (date("from"), date("until"));
    if regions.is_empty() {
        b.error(
            "regions",
            format!("`{}` names no region", b.key_path("regions")),
            Some("list the regions that take no tenants in the quiet period".into()),
        );
        return None;
    }
    if until < from {
        b.error(
            "until",
            format!(
                "`{}` = {until} is before `from` = {from}",
                b.key_path("until")
            ),
            None,
        );
        return None;
    }
    let indices = regions
        .iter()
        .filter_map(|r| population.regions.iter().position(|p| p == r))
        .map(|i| i as u16)
        .collect();
    Some((
        Blackout {
            regions,
            from: from.to_string(),
            until: until.to_string(),
        },
        ResolvedBlackout {
            regions: indices,
            from,
            until,
        },
    ))
}
