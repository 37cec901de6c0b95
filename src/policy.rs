//! Batch policies: which ready tenants go on a weekend's batch, behind one trait, looked up by name.

mod builtin;
mod declared;

pub use builtin::{
    DataBalanced, Fifo, LargestFirst, RandomOrder, RegionWaves, RiskSpread, SmallestFirst,
    definition as builtin_definition,
};
pub use declared::{
    Blackout, Cap, DEFAULT_SIZE_CLASSES, Declared, Definition, EMPTY_CELL, GROUP_NAMES, Group,
    KEY_NAMES, Key, OrderKey, ResolvedBlackout, ResolvedCap, SIZE_CLASS_NAMES, random_key,
    size_class,
};

use crate::date::Date;

/// A tenant in the ready pool, as a policy sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    pub tenant: u32,
    pub seats: u32,
    pub mailboxes: u32,
    pub data_gb: f64,
    pub region: u16,
    /// Times this tenant was rolled back from an earlier batch.
    pub slips: u32,
    /// Days it has waited in the pool since it became ready.
    pub days_waiting: f64,
    /// Expected hard failures of its workitems (from its size and the scenario's failure rates):
    /// the load it is likely to put on the operators.
    pub expected_errors: f64,
}

/// What one weekend's batch may hold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Capacity {
    pub max_tenants: u32,
    pub max_seats: u64,
    pub max_data_gb: f64,
    /// Errors the weekend's operators can clear: operator-hours on duty over the weekend divided
    /// by the mean resolution time.
    pub weekend_error_budget: f64,
}

/// The batch being formed, and scenario settings a policy may use.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BatchContext<'a> {
    /// Sequence number of the batch in the programme (0-based).
    pub batch: u32,
    /// Saturday of the transition weekend.
    pub weekend: Date,
    /// Whether tenants rolled back from an earlier batch go first (`batching.slipped_first`).
    pub slipped_first: bool,
    /// Rank of each region index in `batching.region_order` (lower goes first).
    pub region_rank: &'a [u16],
    /// A number fixed for the replication, for policies that need arbitrary but reproducible
    /// choices; never draw from a global generator.
    pub replication_key: u64,
    /// Hard-failed workitems outstanding when the batch is formed, waiting for an operator or
    /// being resolved (`errors_outstanding`): how far behind the operators are now. Declarative policies cannot see it; a Rust one can.
    pub error_backlog: u32,
}

/// Chooses the tenants of one batch.
///
/// `pool` is in readiness order: rolled-back tenants first (their `slips > 0`), then the others,
/// each group in the order they became ready. The policy appends the indices into `pool` of the
/// tenants it picks to `chosen`, each at most once, keeping the batch within `capacity`. Policies
/// must be deterministic given their inputs.
pub trait BatchPolicy: Send + Sync {
    fn name(&self) -> &str;
    fn select(
        &self,
        pool: &[Candidate],
        capacity: &Capacity,
        ctx: &BatchContext<'_>,
        chosen: &mut Vec<usize>,
    );
}

/// Names accepted by `batching.policy` and `compare --policies`.
pub const NAMES: &[&str] = &[
    "fifo",
    "smallest-first",
    "largest-first",
    "data-balanced",
    "risk-spread",
    "region-waves",
    "random",
];

/// The built-in policy called `name`.
pub fn by_name(name: &str) -> Option<Box<dyn BatchPolicy>> {
    Some(match name {
        "fifo" => Box::new(Fifo),
        "smallest-first" => Box::new(SmallestFirst),
        "largest-first" => Box::new(LargestFirst),
        "data-balanced" => Box::new(DataBalanced),
        "risk-spread" => Box::new(RiskSpread),
        "region-waves" => Box::new(RegionWaves),
        "random" => Box::new(RandomOrder),
        _ => return None,
    })
}

/// The policy called `name`: one declared in the scenario (`[policies.NAME]`) or a built-in one.
/// Every command that takes a policy name resolves it here.
pub fn lookup(name: &str, declared: &[Declared]) -> Option<Box<dyn BatchPolicy>> {
    match declared.iter().find(|d| d.definition.name == name) {
        Some(d) => Some(Box::new(d.clone())),
        None => by_name(name),
    }
}

/// Every policy name a scenario offers: the built-in ones, then its declared ones.
pub fn names(declared: &[Declared]) -> Vec<&str> {
    NAMES
        .iter()
        .copied()
        .chain(declared.iter().map(|d| d.definition.name.as_str()))
        .collect()
}

/// The full definition of policy `name`, as the manifest records it: a declared policy as
/// written, a built-in one as its declarative form.
pub fn definition(name: &str, declared: &[Declared]) -> Option<Definition> {
    match declared.iter().find(|d| d.definition.name == name) {
        Some(d) => Some(d.definition.clone()),
        None => builtin_definition(name),
    }
}

/// Indices of `pool` sorted by `key`, with rolled-back tenants first when the context asks for it;
/// ties keep readiness order (the sort is stable).
pub fn order_by<K: Ord>(
    pool: &[Candidate],
    ctx: &BatchContext<'_>,
    key: impl Fn(&Candidate) -> K,
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..pool.len()).collect();
    order.sort_by_key(|&i| (ctx.slipped_first && pool[i].slips == 0, key(&pool[i])));
    order
}

/// The order `order_by` gives for a key equal for every candidate, without sorting or
/// allocating: with `slipped_first`, the rolled-back tenants and then the others, each in
/// readiness order (what a stable sort by that flag alone gives); otherwise readiness order.
pub fn readiness_order<'p>(
    pool: &'p [Candidate],
    ctx: &BatchContext<'_>,
) -> impl Iterator<Item = usize> + 'p {
    let first = ctx.slipped_first;
    let slipped = (0..pool.len()).filter(move |&i| first && pool[i].slips > 0);
    let rest = (0..pool.len()).filter(move |&i| !first || pool[i].slips == 0);
    slipped.chain(rest)
}

/// First fit in the given order: takes each candidate that still fits, skipping those that do not,
/// until the tenant count is reached. The building block of most policies.
pub fn fill_in_order(
    pool: &[Candidate],
    order: impl IntoIterator<Item = usize>,
    capacity: &Capacity,
    chosen: &mut Vec<usize>,
) {
    let (mut seats, mut data) = (0u64, 0.0f64);
    for i in order {
        if chosen.len() >= capacity.max_tenants as usize {
            break;
        }
        let c = &pool[i];
        if seats + u64::from(c.seats) <= capacity.max_seats
            && data + c.data_gb <= capacity.max_data_gb
        {
            seats += u64::from(c.seats);
            data += c.data_gb;
            chosen.push(i);
        }
    }
}
