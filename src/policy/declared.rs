//! Declarative policies: an ordering of the ready tenants by a list of keys, first fit under
//! per-weekend caps, written in a scenario's `[policies.NAME]` table instead of in Rust.
//!
//! A [`Definition`] is the policy as written (names, as the manifest records it); [`Declared`] is
//! the same policy resolved against a scenario's regions and inventory, ready to select.

use std::cmp::Ordering;

use serde::Serialize;

use super::{BatchContext, BatchPolicy, Candidate, Capacity};
use crate::date::Date;
use crate::engine::CounterRng;
use rand::Rng;

/// What ready tenants can be ordered by, as a scenario names them.
pub const KEY_NAMES: &[&str] = &[
    "slips",
    "ready",
    "seats",
    "mailboxes",
    "data",
    "expected_errors",
    "region",
    "random",
];

/// What a cap can group tenants by, besides an inventory column.
pub const GROUP_NAMES: &[&str] = &["region", "size"];

/// Size classes by seats, from the bounds in `size_classes`: below the first bound, between
/// them, at or above the last.
pub const SIZE_CLASS_NAMES: &[&str] = &["small", "medium", "large"];

/// One key of an ordering.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Key {
    /// Times rolled back from an earlier batch.
    Slips,
    /// When the tenant became ready (its place in the pool).
    Ready,
    Seats,
    Mailboxes,
    /// Mailboxes plus SharePoint, in GB.
    Data,
    /// Expected hard failures of its workitems.
    ExpectedErrors,
    /// Region, in the policy's `region_order` or else `batching.region_order`.
    Region,
    /// A reproducible draw per (replication, batch, tenant): the same for every policy.
    Random,
    /// An inventory column: by number if every cell that is not empty is a finite number,
    /// otherwise by text; empty cells last in either direction.
    Column(String),
}

/// One key and its direction.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OrderKey {
    pub key: Key,
    pub descending: bool,
}

/// What a cap groups tenants by.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Region,
    /// The size class by seats (`small`, `medium`, `large`).
    Size,
    Column(String),
}

/// At most so much of one group on a weekend: of every value of the group, or of one value only.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cap {
    pub per: Group,
    /// Only this value of the group is capped (a region, size class or cell); `None` caps each.
    pub value: Option<String>,
    pub max_tenants: Option<u32>,
    pub max_seats: Option<u64>,
    pub max_data_gb: Option<f64>,
}

/// Weekends on which some regions take no tenants (a quiet period: year end, a holiday).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Blackout {
    pub regions: Vec<String>,
    /// First and last Saturday-inclusive dates of the quiet period; a weekend whose Saturday falls
    /// within them is blacked out.
    pub from: String,
    pub until: String,
}

/// A declarative policy as written: what the manifest records.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Definition {
    pub name: String,
    /// Whether this is the declarative form of a built-in policy.
    pub built_in: bool,
    pub order: Vec<OrderKey>,
    /// Regions in the order the `region` key serves them; empty means `batching.region_order`.
    pub region_order: Vec<String>,
    /// Keep each weekend's expected errors within what its operators can clear (a tenant over it
    /// alone still goes in an empty batch).
    pub error_budget: bool,
    /// Seat bounds of the size classes, ascending (one or two bounds).
    pub size_classes: Vec<u32>,
    pub caps: Vec<Cap>,
    pub blackouts: Vec<Blackout>,
}

impl Definition {
    /// A definition that orders by `order` and caps nothing but the batch itself.
    pub fn ordering(name: &str, order: Vec<OrderKey>) -> Definition {
        Definition {
            name: name.to_string(),
            built_in: false,
            order,
            region_order: Vec::new(),
            error_budget: false,
            size_classes: DEFAULT_SIZE_CLASSES.to_vec(),
            caps: Vec::new(),
            blackouts: Vec::new(),
        }
    }
}

/// Seat bounds of `small` / `medium` / `large` unless a policy gives its own.
pub const DEFAULT_SIZE_CLASSES: &[u32] = &[250, 2500];

/// The size class (index into [`SIZE_CLASS_NAMES`]) of a tenant with `seats`.
pub fn size_class(bounds: &[u32], seats: u32) -> usize {
    let class = bounds.iter().filter(|&&b| seats >= b).count();
    // One bound: small and large.
    if bounds.len() == 1 && class == 1 {
        2
    } else {
        class
    }
}

/// A cap resolved to group ids: `group_of[tenant or region or class]`, the one capped group if
/// any, and how many groups there are.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedCap {
    pub cap: Cap,
    /// For `Column`: each tenant's value id; unused for region and size.
    pub tenant_group: Vec<u32>,
    pub groups: usize,
    pub only: Option<u32>,
}

/// A blackout resolved to region indices and dates.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedBlackout {
    pub regions: Vec<u16>,
    pub from: Date,
    pub until: Date,
}

/// The rank of a tenant whose cell of an ordering column is empty: last, in either direction.
pub const EMPTY_CELL: u32 = u32::MAX;

/// A declared policy resolved against the scenario's regions and inventory.
#[derive(Clone, Debug, PartialEq)]
pub struct Declared {
    pub definition: Definition,
    /// Rank of each region index in the policy's own `region_order`, if it has one.
    pub region_rank: Option<Vec<u16>>,
    /// For each `Column` key of the order, in order: each tenant's rank ([`EMPTY_CELL`] for an
    /// empty cell).
    pub column_ranks: Vec<Vec<u32>>,
    pub caps: Vec<ResolvedCap>,
    pub blackouts: Vec<ResolvedBlackout>,
}

impl Declared {
    /// A policy whose keys and caps need no inventory column and whose blackouts are none: the
    /// declarative forms of the built-in policies.
    pub fn without_columns(definition: Definition) -> Declared {
        Declared {
            definition,
            region_rank: None,
            column_ranks: Vec::new(),
            caps: Vec::new(),
            blackouts: Vec::new(),
        }
    }

    fn compare(
        &self,
        a: &Candidate,
        b: &Candidate,
        ia: usize,
        ib: usize,
        ctx: &BatchContext<'_>,
    ) -> Ordering {
        let mut column = 0;
        for k in &self.definition.order {
            let ord = match &k.key {
                Key::Slips => a.slips.cmp(&b.slips),
                Key::Ready => ia.cmp(&ib),
                Key::Seats => a.seats.cmp(&b.seats),
                Key::Mailboxes => a.mailboxes.cmp(&b.mailboxes),
                Key::Data => a.data_gb.total_cmp(&b.data_gb),
                Key::ExpectedErrors => a.expected_errors.total_cmp(&b.expected_errors),
                Key::Region => self.region_rank(a, ctx).cmp(&self.region_rank(b, ctx)),
                Key::Random => random_key(a, ctx).cmp(&random_key(b, ctx)),
                Key::Column(_) => {
                    let ranks = &self.column_ranks[column];
                    column += 1;
                    let rank =
                        |c: &Candidate| ranks.get(c.tenant as usize).copied().unwrap_or(EMPTY_CELL);
                    let (ra, rb) = (rank(a), rank(b));
                    if (ra == EMPTY_CELL) != (rb == EMPTY_CELL) {
                        // An unknown value is last whichever the direction: `desc` puts the
                        // highest first, not the tenants nobody gave one.
                        return if ra == EMPTY_CELL {
                            Ordering::Greater
                        } else {
                            Ordering::Less
                        };
                    }
                    ra.cmp(&rb)
                }
            };
            let ord = if k.descending { ord.reverse() } else { ord };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    }

    fn region_rank(&self, c: &Candidate, ctx: &BatchContext<'_>) -> u16 {
        let ranks = self.region_rank.as_deref().unwrap_or(ctx.region_rank);
        ranks.get(c.region as usize).copied().unwrap_or(u16::MAX)
    }

    fn blacked_out(&self, c: &Candidate, weekend: Date) -> bool {
        self.blackouts
            .iter()
            .any(|b| b.from <= weekend && weekend <= b.until && b.regions.contains(&c.region))
    }

    /// The group of `c` under `cap`.
    fn group(&self, cap: &ResolvedCap, c: &Candidate) -> u32 {
        match cap.cap.per {
            Group::Region => u32::from(c.region),
            Group::Size => size_class(&self.definition.size_classes, c.seats) as u32,
            Group::Column(_) => cap
                .tenant_group
                .get(c.tenant as usize)
                .copied()
                .unwrap_or(u32::MAX),
        }
    }
}

/// A tenant's place in a random order: a hash of (replication, batch, tenant), so it depends on
/// no other tenant and no policy (common random numbers).
pub fn random_key(c: &Candidate, ctx: &BatchContext<'_>) -> u64 {
    let seed = ctx.replication_key ^ (u64::from(ctx.batch) << 32) ^ u64::from(c.tenant);
    CounterRng::new(seed).next_u64()
}

/// What a cap's group has taken so far this weekend.
#[derive(Clone, Copy, Default)]
struct Taken {
    tenants: u32,
    seats: u64,
    data_gb: f64,
}

impl BatchPolicy for Declared {
    fn name(&self) -> &str {
        &self.definition.name
    }

    fn select(
        &self,
        pool: &[Candidate],
        capacity: &Capacity,
        ctx: &BatchContext<'_>,
        chosen: &mut Vec<usize>,
    ) {
        let mut order: Vec<usize> = (0..pool.len()).collect();
        // Stable: ties keep readiness order. Rolled-back tenants first when the scenario asks, as
        // for every built-in policy.
        order.sort_by(|&i, &j| {
            let (a, b) = (&pool[i], &pool[j]);
            (ctx.slipped_first && a.slips == 0)
                .cmp(&(ctx.slipped_first && b.slips == 0))
                .then_with(|| self.compare(a, b, i, j, ctx))
        });
        let mut taken: Vec<Vec<Taken>> = self
            .caps
            .iter()
            .map(|c| vec![Taken::default(); c.groups])
            .collect();
        let (mut seats, mut data, mut load) = (0u64, 0.0, 0.0);
        for i in order {
            if chosen.len() >= capacity.max_tenants as usize {
                break;
            }
            let c = &pool[i];
            if self.blacked_out(c, ctx.weekend) {
                continue;
            }
            let within_budget = !self.definition.error_budget
                || load + c.expected_errors <= capacity.weekend_error_budget
                || chosen.is_empty();
            if !within_budget
                || seats + u64::from(c.seats) > capacity.max_seats
                || data + c.data_gb > capacity.max_data_gb
            {
                continue;
            }
            let fits_caps = self.caps.iter().zip(&taken).all(|(cap, taken)| {
                let g = self.group(cap, c);
                if cap.only.is_some_and(|only| only != g) {
                    return true;
                }
                let t = taken.get(g as usize).copied().unwrap_or_default();
                cap.cap.max_tenants.is_none_or(|m| t.tenants < m)
                    && cap
                        .cap
                        .max_seats
                        .is_none_or(|m| t.seats + u64::from(c.seats) <= m)
                    && cap
                        .cap
                        .max_data_gb
                        .is_none_or(|m| t.data_gb + c.data_gb <= m)
            });
            if !fits_caps {
                continue;
            }
            for (cap, taken) in self.caps.iter().zip(&mut taken) {
                let g = self.group(cap, c) as usize;
                if let Some(t) = taken.get_mut(g) {
                    t.tenants += 1;
                    t.seats += u64::from(c.seats);
                    t.data_gb += c.data_gb;
                }
            }
            seats += u64::from(c.seats);
            data += c.data_gb;
            load += c.expected_errors;
            chosen.push(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(tenant: u32, seats: u32, region: u16) -> Candidate {
        Candidate {
            tenant,
            seats,
            mailboxes: seats,
            data_gb: f64::from(seats),
            region,
            slips: 0,
            days_waiting: 0.0,
            expected_errors: 0.0,
        }
    }

    fn pick(policy: &Declared, pool: &[Candidate], weekend: Date) -> Vec<u32> {
        let capacity = Capacity {
            max_tenants: 10,
            max_seats: 100_000,
            max_data_gb: 1e9,
            weekend_error_budget: f64::INFINITY,
        };
        let ctx = BatchContext {
            batch: 0,
            weekend,
            slipped_first: true,
            region_rank: &[],
            replication_key: 1,
            error_backlog: 0,
        };
        let mut chosen = Vec::new();
        policy.select(pool, &capacity, &ctx, &mut chosen);
        chosen.iter().map(|&i| pool[i].tenant).collect()
    }

    /// A tenant whose cell of the ordering column is empty comes last under `asc` and `desc`
    /// alike; tied ranks keep the readiness order.
    #[test]
    fn empty_cells_of_an_ordering_column_are_last_in_either_direction() {
        let pool: Vec<Candidate> = (0..5).map(|t| cand(t, 100, 0)).collect();
        let order = |descending| {
            let key = OrderKey {
                key: Key::Column("priority".into()),
                descending,
            };
            let mut d = Declared::without_columns(Definition::ordering("t", vec![key]));
            d.column_ranks = vec![vec![1, EMPTY_CELL, 0, 1, 2]];
            pick(&d, &pool, Date::from_ymd(2011, 12, 24).unwrap())
        };
        assert_eq!(order(false), vec![2, 0, 3, 4, 1]);
        assert_eq!(order(true), vec![4, 0, 3, 2, 1]);
    }

    #[test]
    fn size_classes_split_at_their_bounds() {
        assert_eq!(size_class(&[250, 2500], 249), 0);
        assert_eq!(size_class(&[250, 2500], 250), 1);
        assert_eq!(size_class(&[250, 2500], 2500), 2);
        assert_eq!(size_class(&[100], 99), 0);
        assert_eq!(size_class(&[100], 100), 2);
    }

    #[test]
    fn caps_limit_their_group_and_blackouts_skip_their_regions() {
        let pool: Vec<Candidate> = (0..8)
            .map(|t| cand(t, [100, 1100, 3100][t as usize % 3], (t % 2) as u16))
            .collect();
        let mut d = Declared::without_columns(Definition::ordering("t", Vec::new()));
        d.caps.push(ResolvedCap {
            cap: Cap {
                per: Group::Size,
                value: Some("medium".into()),
                max_tenants: Some(1),
                max_seats: None,
                max_data_gb: None,
            },
            tenant_group: Vec::new(),
            groups: 3,
            only: Some(1),
        });
        let saturday = Date::from_ymd(2011, 12, 24).unwrap();
        // Seats 100, 1100, 3100, 100, 1100, ...: one medium (1100) only.
        assert_eq!(pick(&d, &pool, saturday), vec![0, 1, 2, 3, 5, 6]);
        d.blackouts.push(ResolvedBlackout {
            regions: vec![1],
            from: saturday,
            until: saturday,
        });
        assert_eq!(pick(&d, &pool, saturday), vec![0, 2, 4, 6]);
        assert_eq!(pick(&d, &pool, saturday.add_days(7)).len(), 6);
    }
}
