//! The model of one replication: tenants, phases, statuses, batches, workitems, operators, copy slots
//! and chat.
//!
//! A replication is a pure function of (scenario, policy, seed, replication index): it reads no
//! clock, no files and no global state, and cannot fail on a validated scenario.

mod budget;
mod causes;
pub mod chat;
mod helpdesk;
mod metrics;
mod occupancy;
mod operators;

mod population;
mod replication;
mod risk;
mod spans;
mod weekly;

pub use crate::phase::{Phase, Status, WorkCounts};
pub use causes::{MissCause, SlipCause, TenantCauses};
pub use chat::{Band, ContactGraph, DailyChat, IslandsByDay, TenantChat};
pub use metrics::{
    BatchRecord, DailySample, Detail, HourlySample, Load, MetricValue, PhaseSpan,
    ReplicationMetrics, ReplicationOutput, SpanOutcome, TenantRecord,
};
pub use operators::{Job, OperatorPool, Started};
pub use population::{Population, Profile};
pub use weekly::WeekCounts;

use crate::policy::BatchPolicy;
use crate::scenario::Scenario;

/// Simulates replication `replication` of `scenario` under `policy`; with `detail`, also records
/// per-tenant, per-batch and daily records.
pub fn simulate(
    scenario: &Scenario,
    policy: &dyn BatchPolicy,
    replication: u64,
    detail: bool,
) -> ReplicationOutput {
    replication::Replication::new(scenario, policy, replication, detail).run()
}
