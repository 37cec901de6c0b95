//! Batch policies: which ready tenants go on a weekend's batch, behind one trait, looked up by name.

mod fifo;

pub use fifo::Fifo;

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
}

/// What one weekend's batch may hold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Capacity {
    pub max_tenants: u32,
    pub max_seats: u64,
    pub max_data_gb: f64,
}

/// The batch being formed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchContext {
    /// Sequence number of the batch in the programme (0-based).
    pub batch: u32,
    /// Saturday of the transition weekend.
    pub weekend: Date,
}

/// Chooses the tenants of one batch.
///
/// `pool` is in readiness order (slipped tenants first when `batching.slipped_first`). The policy
/// appends the indices into `pool` of the tenants it picks to `chosen`, in any order, each at most
/// once, keeping the batch within `capacity`. Policies must be deterministic: any randomness comes
/// from the candidates' own attributes, never from a global generator.
pub trait BatchPolicy: Send + Sync {
    fn name(&self) -> &str;
    fn select(
        &self,
        pool: &[Candidate],
        capacity: &Capacity,
        ctx: &BatchContext,
        chosen: &mut Vec<usize>,
    );
}

/// Names accepted by `batching.policy`.
pub const NAMES: &[&str] = &["fifo"];

/// The built-in policy called `name`.
pub fn by_name(name: &str) -> Option<Box<dyn BatchPolicy>> {
    match name {
        "fifo" => Some(Box::new(Fifo)),
        _ => None,
    }
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
