//! What one replication reports: its headline metrics, and the detail records of one chosen replication.

use crate::date::Date;
use crate::model::chat::{DailyChat, TenantChat};
use crate::model::phase::{Phase, Status};

/// Defines a flat record of numeric metrics with its column names in declaration order, so the
/// CSV header, the row and the summary can never disagree.
macro_rules! metric_record {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[doc = $doc:literal])* $field:ident : $ty:ty,)* }) => {
        $(#[$meta])*
        pub struct $name { $($(#[doc = $doc])* pub $field: $ty,)* }
        impl $name {
            pub const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),*];
            /// The values in column order; counts convert exactly (they stay far below 2^53).
            pub fn values(&self) -> Vec<f64> {
                vec![$(self.$field as f64),*]
            }
        }
    };
}

metric_record! {
    /// One row of replications.csv.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct ReplicationMetrics {
        replication: u64,
        seed: u64,
        tenants: u64,
        transitioned: u64,
        /// Rollbacks: a tenant not ready for its next phase or not done when its window closed.
        slips: u64,
        tenants_slipped: u64,
        /// Tenants not transitioned by the end of the deadline day.
        missed_deadline: u64,
        /// Weekends with at least one tenant.
        batches: u64,
        /// Days from the start to the last tenant's transition (NaN if none transitioned).
        makespan_days: f64,
        workitems: u64,
        retries: u64,
        errors: u64,
        operator_wait_mean_h: f64,
        operator_wait_p95_h: f64,
        peak_error_queue: u64,
        copied_tb: f64,
        /// Users who moved to Lync Online before their tenant's service upgrade.
        users_early: u64,
        /// Mean over scheduled tenants with contacts of their peak share of cross-island pairs.
        mean_peak_cross_island_fraction: f64,
        /// Mean over scheduled tenants with contacts of their peak share of broken contact pairs.
        mean_peak_broken_contact_fraction: f64,
        /// Communicator 2007 users blocked at their tenant's cutoff.
        stranded_users: u64,
        /// Sum over users of the hours during which at least one of their contacts was broken.
        im_disruption_user_hours: f64,
        events: u64,
    }
}

impl ReplicationMetrics {
    /// Columns that identify a replication rather than measure it (left out of summaries).
    pub const ID_COLUMNS: &'static [&'static str] = &["replication", "seed"];
}

/// One row of tenants.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct TenantRecord {
    pub tenant: u32,
    pub region: String,
    pub seats: u32,
    pub mailboxes: u32,
    pub data_gb: f64,
    /// The last batch the tenant was placed on.
    pub batch: Option<u32>,
    /// Saturday of the weekend on which it transitioned.
    pub transition_date: Option<Date>,
    pub final_phase: Phase,
    pub final_status: Status,
    pub slips: u32,
    pub retries: u32,
    pub errors: u32,
    /// From Pre-Stage start until all content was copied, on the last attempt.
    pub prestage_hours: Option<f64>,
    /// From T until DataUpgrade was complete, on the last attempt.
    pub dataupgrade_hours: Option<f64>,
    pub chat: TenantChat,
}

/// One row of batches.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchRecord {
    pub batch: u32,
    pub weekend: Date,
    pub tenants: u32,
    pub seats: u64,
    pub data_gb: f64,
    pub transitioned: u32,
    pub slipped: u32,
}

/// One row of timeseries.csv: the state of the programme at the sample hour of a day.
#[derive(Clone, Debug, PartialEq)]
pub struct DailySample {
    pub day: u64,
    pub date: Date,
    /// Tenants per phase, in `Phase::ALL` order.
    pub phases: [u32; 8],
    pub transitioned: u32,
    pub error_queue: u32,
    pub operators_busy: u32,
    pub operators_on_duty: u32,
    pub copies_running: u32,
    pub chat: DailyChat,
}

/// The detail of one replication, written as tenants.csv, batches.csv and timeseries.csv.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Detail {
    pub tenants: Vec<TenantRecord>,
    pub batches: Vec<BatchRecord>,
    pub timeseries: Vec<DailySample>,
}

/// Everything one replication produces.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplicationOutput {
    pub metrics: ReplicationMetrics,
    pub detail: Option<Detail>,
}
