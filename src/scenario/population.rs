//! The `[population]` section: how many tenants, where, how large, how many are blocked, and
//! an optional inventory of real tenants.

// `!(x > 0.0)` on purpose: unlike `x <= 0.0` it also rejects NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::dist::Dist;
use super::doc::Origin;
use super::estate::{self, Estate};
use super::input::{self, MAX_INVENTORY_BYTES};
use super::inventory::{self, InventoryTenant};
use super::label;
use super::reader::{self, Diagnostic, Section};
use crate::date::Date;

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
    /// Inventory columns kept for declarative policies (a priority, a business unit), in the
    /// order of each tenant's `InventoryTenant::attributes`.
    pub attributes: Vec<String>,
}

impl Population {
    /// The fewest seats any generated tenant can have: the least value the draws reach
    /// (`Dist::least_drawn`, so a value of no weight is not counted), rounded as the model rounds
    /// a draw, to at least 1 (a NaN draw too).
    pub fn least_seats(&self) -> u64 {
        self.seats.least_drawn().round().max(1.0) as u64
    }

    /// The least data (GB) a tenant can have, from the least values the distributions draw and
    /// whatever of its attributes are known.
    pub fn least_data_gb(
        &self,
        seats: u64,
        mailboxes: Option<u32>,
        sharepoint_gb: Option<f64>,
    ) -> f64 {
        let seats = seats as f64;
        let mailboxes = mailboxes.map_or_else(
            || seats + self.shared_mailboxes.least_drawn().round().max(0.0),
            f64::from,
        );
        let sharepoint = sharepoint_gb.unwrap_or_else(|| {
            (least(&self.sharepoint_base_gb) + self.sharepoint_gb_per_seat * seats)
                .min(self.sharepoint_max_gb)
        });
        sharepoint + mailboxes * least(&self.mailbox_gb)
    }
}

/// The least number `d` draws, for a check that refuses only what is certain: where a draw can be
/// NaN (`least_drawn` says so), its lower bound, which every number it draws is at or above (a
/// NaN size adds up to a tenant that fits no batch, or to a site of `sharepoint_max_gb`).
fn least(d: &Dist) -> f64 {
    d.least_drawn().max(d.lower_bound())
}

pub(super) fn read_population(
    s: &Section<'_>,
    folder: &Path,
    start: Date,
    inventories: &Inventories,
) -> Population {
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
    } else if let Some((region, why)) = regions
        .iter()
        .find_map(|r| label::name_problem(r, label::MAX_REGION_CHARS, true).map(|why| (r, why)))
    {
        s.error(
            "regions",
            format!(
                "`population.regions`: `{}` {why}",
                reader::abbreviate(&label::escape_unprintable(region, &[]))
            ),
            Some(
                "tenants.csv has the region of every tenant: name it plainly, e.g. \"EMEA\"".into(),
            ),
        );
    } else if let Some((first, twice)) = regions.iter().enumerate().find_map(|(i, r)| {
        let seen = label::reads_as(r);
        let first = regions[..i].iter().find(|o| label::reads_as(o) == seen)?;
        Some((first, r))
    }) {
        // Told apart only by characters that show nothing or by how an accent is encoded, they
        // read the same in tenants.csv.
        let shown = |r: &str| reader::abbreviate(&label::escape_unprintable(r, &[]));
        let named = if first == twice {
            format!("`{}` twice", shown(twice))
        } else {
            format!(
                "`{}` twice: `{}` differs only by characters that show nothing or by how an accent is encoded",
                shown(first),
                reader::abbreviate(&label::revealed(twice))
            )
        };
        s.error(
            "regions",
            format!("`population.regions` names {named}"),
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
    } else if !region_weights.iter().sum::<f64>().is_finite() {
        // Shares are weights over their sum: an infinite sum makes every share 0 or NaN.
        s.error(
            "region_weights",
            "`population.region_weights` add up to more than a number can hold",
            Some("weights are relative: scale them down, e.g. [1, 1, 1]".into()),
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
    let attributes = read_attributes(s);
    let inventory = s
        .has("inventory")
        .then(|| s.string("inventory", ""))
        .and_then(|file| read_inventory(s, folder, &file, &regions, &attributes, inventories));
    if inventory.is_none() && !attributes.is_empty() && !s.has("inventory") {
        s.error(
            "attributes",
            "`population.attributes` names inventory columns, but there is no `population.inventory`",
            Some("add an inventory, or remove `attributes`".into()),
        );
    }
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
        attributes,
    }
}

/// `population.attributes`: extra inventory columns, each once, none a column with a meaning.
fn read_attributes(s: &Section<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (name, origin) in s.located_strings("attributes") {
        let reserved = inventory::COLUMNS.contains(&name.as_str())
            || crate::policy::KEY_NAMES.contains(&name.as_str());
        if reserved {
            s.error_at(
                origin,
                "attributes",
                format!("`population.attributes` names `{name}`, which already has a meaning"),
                Some("attributes are extra columns, such as a priority or a business unit".into()),
            );
        } else if name.is_empty() || out.contains(&name) {
            s.error_at(
                origin,
                "attributes",
                format!("`population.attributes` names `{name}` twice or empty"),
                None,
            );
        } else {
            out.push(name);
        }
    }
    out
}

/// The inventories read from one scenario document, each by its path and the regions and
/// attributes it was checked against: every cell of a `[sweep]` grid (every design point, every
/// setting a study tries) names the same file, and reading it again for each cell held a copy
/// of its tenants per cell (a 20,000-tenant inventory swept over 1,600 cells took 5.8 GB and
/// 33 s to validate). Only an inventory without errors is kept, so a bad one is reported by
/// every cell that reads it.
#[derive(Debug, Default)]
pub(super) struct Inventories(Mutex<Vec<(InventoryKey, Arc<[InventoryTenant]>)>>);

/// What an inventory's tenants depend on: the file, the regions its `region` cells must be one
/// of, and the attribute columns kept.
type InventoryKey = (PathBuf, Vec<String>, Vec<String>);

impl Inventories {
    fn get(&self, key: &InventoryKey) -> Option<Arc<[InventoryTenant]>> {
        let read = self.0.lock().unwrap_or_else(|e| e.into_inner());
        read.iter()
            .find(|(k, _)| k == key)
            .map(|(_, rows)| rows.clone())
    }

    fn keep(&self, key: InventoryKey, rows: &Arc<[InventoryTenant]>) {
        let mut read = self.0.lock().unwrap_or_else(|e| e.into_inner());
        read.push((key, rows.clone()));
    }
}

/// Reads and checks `population.inventory`, or takes it from `inventories` if this document has
/// read it already; its problems go to the diagnostics.
fn read_inventory(
    s: &Section<'_>,
    folder: &Path,
    file: &str,
    regions: &[String],
    attributes: &[String],
    inventories: &Inventories,
) -> Option<Arc<[InventoryTenant]>> {
    if file.is_empty() {
        s.error(
            "inventory",
            "`population.inventory` is empty",
            Some("name a CSV file, or remove the key to generate tenants".into()),
        );
        return None;
    }
    if file.len() > input::MAX_PATH_BYTES {
        s.error(
            "inventory",
            format!(
                "`population.inventory` is a path of {} bytes, longer than the {} a path can have",
                file.len(),
                input::MAX_PATH_BYTES
            ),
            None,
        );
        return None;
    }
    if let Some(c) = file.chars().find(|&c| super::is_unprintable(c)) {
        s.error(
            "inventory",
            format!(
                "`population.inventory` holds {}, a character that does not show as itself: messages and the report name the file, where it would break the line or reorder the text",
                c.escape_unicode()
            ),
            Some("rename the file".into()),
        );
        return None;
    }
    let path = folder.join(file);
    let key = (path.clone(), regions.to_vec(), attributes.to_vec());
    if let Some(rows) = inventories.get(&key) {
        return Some(rows);
    }
    let text = match input::read_text(&path, MAX_INVENTORY_BYTES) {
        Ok(t) => t,
        Err(input::ReadProblem::NotUtf8 {
            line, cell, byte, ..
        }) => {
            s.report(Diagnostic {
                origin: Origin::Cell {
                    file: Arc::from(path.display().to_string()),
                    line,
                    column: Some(cell),
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
    let budget = match super::limits::MemoryBudget::current() {
        Ok(budget) => budget,
        Err(message) => {
            s.error("inventory", message, None);
            return None;
        }
    };
    match inventory::parse_with_attributes(&text, &name, regions, attributes, budget) {
        Ok(rows) => {
            let rows: Arc<[InventoryTenant]> = rows.into();
            inventories.keep(key, &rows);
            Some(rows)
        }
        Err(diagnostics) => {
            diagnostics.into_iter().for_each(|d| s.report(d));
            None
        }
    }
}
