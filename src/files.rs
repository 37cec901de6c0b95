//! The names of the files in an output folder and of their columns, written once: the CSV
//! writers build their headers from these and the charts look their columns up by them, so a
//! renamed column cannot leave a chart reading a column that no longer exists.
//!
//! The metric columns of replications.csv are the fields of `model::ReplicationMetrics` and the
//! phase columns of timeseries.csv the phases' keys; both are defined with their values.
//!
//! Values follow the names: a text value a file holds is a snake_case key (a phase's key from the
//! scenario, `Status::key`, `SpanOutcome::key`, the causes' and verdicts' `key`), the same in
//! every file, so `data_upgrade` in spans.csv, tenants.csv and the columns of timeseries.csv is
//! one word. Names a user chose (tenants, regions, policies) are written as given.

/// The manifest of every output folder.
pub const MANIFEST: &str = "manifest.json";

/// The report of every output folder, built from the other files.
pub const REPORT: &str = "report.html";

/// Every name cutover gives an entry at the top of an output folder: its data files, the
/// manifest and report, and the subfolders of charts, cells and a Slurm submission. A folder
/// holding one of these as cutover writes it (or nothing) is one cutover may write into; one
/// holding only other files is someone else's (see `output::OutputFolder::open`).
pub const OWN_NAMES: [&str; 26] = [
    MANIFEST,
    REPORT,
    replications::FILE,
    summary::FILE,
    tenants::FILE,
    batches::FILE,
    timeseries::FILE,
    completion::FILE,
    hourly::FILE,
    spans::FILE,
    islands::FILE,
    weekly::FILE,
    weekly::DETAIL_FILE,
    comparison::FILE,
    tradeoffs::FILE,
    selection::FILE,
    seek::FILE,
    sensitivity::FILE,
    calibration::FILE,
    calibration::FIT_FILE,
    calibration::SCENARIO_FILE,
    CHARTS_DIR,
    CELLS_DIR,
    GRID_FILE,
    SLURM_DIR,
    SHARDS_DIR,
];

/// The first column of every data file cutover writes, whatever the command: line 1 of a file
/// under a data file's name that starts otherwise was not written by cutover.
pub const FIRST_COLUMNS: [&str; 19] = [
    replications::REPLICATION,
    replications::POLICY,
    replications::CELL,
    summary::METRIC,
    tenants::HEADER[0],
    batches::HEADER[0],
    timeseries::DAY,
    completion::HEADER[0],
    hourly::TIME,
    spans::HEADER[0],
    islands::HEADER[0],
    weekly::WEEK,
    comparison::HEADER[0],
    tradeoffs::HEADER[0],
    selection::HEADER[0],
    seek::SETTING,
    sensitivity::HEADER[0],
    calibration::HEADER[0],
    calibration::FIT_HEADER[0],
];

/// The data files among [`OWN_NAMES`]: every CSV file cutover writes at the top of a folder.
pub fn data_files() -> impl Iterator<Item = &'static str> {
    OWN_NAMES.into_iter().filter(|name| name.ends_with(".csv"))
}

/// The folder, inside an output folder, that holds the charts.
pub const CHARTS_DIR: &str = "charts";
/// The folder of a sweep's or study's cell files inside its output folder.
pub const CELLS_DIR: &str = "cells";
/// The manifest a shard (or an unfinished sweep) leaves next to its cell files.
pub const GRID_FILE: &str = "grid.json";
/// The folder of a Slurm submission's job scripts and logs inside a sweep's output folder.
pub const SLURM_DIR: &str = "slurm";
/// The folder of the shard folders (`shards/K` for task K) inside a sweep's output folder.
pub const SHARDS_DIR: &str = "shards";

/// replications.csv: one row per replication (columns: `ReplicationMetrics::COLUMNS`), after
/// `POLICY` in a comparison's, and after `CELL` and the swept keys in a sweep's.
pub mod replications {
    pub const FILE: &str = "replications.csv";
    /// A run's first column (`ReplicationMetrics::ID_COLUMNS`).
    pub const REPLICATION: &str = "replication";
    pub const POLICY: &str = "policy";
    pub const CELL: &str = "cell";
    pub const TENANTS: &str = "tenants";
    pub const SLIPS: &str = "slips";
    pub const EVENTS: &str = "events";
}

/// summary.csv: one row per metric over the replications (or per cell and metric in a sweep,
/// after `CELL` and the swept keys).
pub mod summary {
    pub const FILE: &str = "summary.csv";
    pub const CELL: &str = super::replications::CELL;
    pub const METRIC: &str = "metric";
    pub const MEAN: &str = "mean";
    pub const CI95_LOW: &str = "ci95_low";
    pub const CI95_HIGH: &str = "ci95_high";
    /// The columns after the identifying ones.
    /// `n` counts the replications with a value, `replications` all that were run.
    pub const STATISTICS: [&str; 11] = [
        MEAN,
        "std",
        CI95_LOW,
        CI95_HIGH,
        "p50",
        "p90",
        "p99",
        "min",
        "max",
        "n",
        "replications",
    ];
}

/// tenants.csv: one row per tenant of the detail replication.
pub mod tenants {
    pub const FILE: &str = "tenants.csv";
    pub const TENANT: &str = "tenant";
    /// The tenant's name in the inventory (`population.inventory`); empty for a generated tenant.
    pub const NAME: &str = "name";
    pub const SEATS: &str = "seats";
    /// Its slips by cause (`slips_<cause>`), the cause of its last slip and of its miss (empty
    /// when it had none).
    pub const SLIPS_BY_CAUSE: [&str; 5] = [
        "slips_copy_backlog",
        "slips_waiting_for_operator",
        "slips_operator_working",
        "slips_retrying",
        "slips_work_in_progress",
    ];
    pub const LAST_SLIP_CAUSE: &str = "last_slip_cause";
    pub const MISS_CAUSE: &str = "miss_cause";
    pub const HEADER: [&str; 35] = [
        TENANT,
        NAME,
        "region",
        SEATS,
        "mailboxes",
        "data_gb",
        "batch",
        "transition_date",
        "final_phase",
        "final_status",
        "slips",
        SLIPS_BY_CAUSE[0],
        SLIPS_BY_CAUSE[1],
        SLIPS_BY_CAUSE[2],
        SLIPS_BY_CAUSE[3],
        SLIPS_BY_CAUSE[4],
        LAST_SLIP_CAUSE,
        MISS_CAUSE,
        "retries",
        "errors",
        "copy_phase_hours",
        "window_hours",
        "dirsync",
        "directory_objects",
        "over_quota",
        "coexistence",
        "blackberry",
        "tickets",
        "contact_pairs",
        "users_early",
        "peak_cross_island_fraction",
        "peak_broken_contact_fraction",
        "islands",
        "stranded_users",
        "im_disruption_user_hours",
    ];
}

/// batches.csv: one row per batch of the detail replication.
pub mod batches {
    pub const FILE: &str = "batches.csv";
    pub const BATCH: &str = "batch";
    pub const WEEKEND: &str = "weekend";
    pub const TENANTS: &str = "tenants";
    pub const SEATS: &str = "seats";
    pub const DATA_GB: &str = "data_gb";
    pub const HEADER: [&str; 7] = [
        BATCH,
        WEEKEND,
        TENANTS,
        SEATS,
        DATA_GB,
        "transitioned",
        "slipped",
    ];
}

/// The load columns shared by timeseries.csv and hourly.csv, in `model::Load` order.
pub mod load {
    pub const ERRORS_OUTSTANDING: &str = "errors_outstanding";
    pub const OPERATORS_BUSY: &str = "operators_busy";
    pub const OPERATORS_ON_DUTY: &str = "operators_on_duty";
    pub const COPIES_RUNNING: &str = "copies_running";
    pub const HELPDESK_QUEUE: &str = "helpdesk_queue";
    pub const HELPDESK_BUSY: &str = "helpdesk_busy";
    pub const HELPDESK_ON_DUTY: &str = "helpdesk_on_duty";
    pub const COLUMNS: [&str; 7] = [
        ERRORS_OUTSTANDING,
        OPERATORS_BUSY,
        OPERATORS_ON_DUTY,
        COPIES_RUNNING,
        HELPDESK_QUEUE,
        HELPDESK_BUSY,
        HELPDESK_ON_DUTY,
    ];
}

/// timeseries.csv: the detail replication's state at the sample hour of each day: `DAY`, `DATE`,
/// one column per phase (its key), `TRANSITIONED`, the load columns, then `CHAT`.
pub mod timeseries {
    pub const FILE: &str = "timeseries.csv";
    pub const DAY: &str = "day";
    pub const DATE: &str = "date";
    pub const TRANSITIONED: &str = "transitioned";
    pub const CHAT: [&str; 3] = ["cross_island_pairs", "broken_pairs", "stranded_users"];

    /// Whether `key` is already a column that is not a phase's, so no phase may take it.
    pub fn is_fixed_column(key: &str) -> bool {
        [DAY, DATE, TRANSITIONED].contains(&key)
            || CHAT.contains(&key)
            || super::load::COLUMNS.contains(&key)
    }
}

/// completion.csv: tenants transitioned by the end of each day, across replications.
pub mod completion {
    pub const FILE: &str = "completion.csv";
    pub const DAY: &str = "day";
    pub const DATE: &str = "date";
    pub const MEAN: &str = "mean";
    pub const P10: &str = "p10";
    pub const P90: &str = "p90";
    pub const HEADER: [&str; 6] = [DAY, DATE, MEAN, P10, "p50", P90];
}

/// hourly.csv: the detail replication's load at the top of every hour (`TIME`, then the load columns).
pub mod hourly {
    pub const FILE: &str = "hourly.csv";
    pub const TIME: &str = "time";
}

/// spans.csv: every weekend phase of every attempt of the detail replication.
pub mod spans {
    pub const FILE: &str = "spans.csv";
    pub const TENANT: &str = "tenant";
    pub const BATCH: &str = "batch";
    pub const WEEKEND: &str = "weekend";
    pub const PHASE: &str = "phase";
    pub const START: &str = "start";
    pub const END: &str = "end";
    pub const DONE: &str = "done";
    pub const OUTCOME: &str = "outcome";
    pub const HEADER: [&str; 8] = [TENANT, BATCH, WEEKEND, PHASE, START, END, DONE, OUTCOME];
}

/// islands.csv: chat shares against days from T, across tenants.
pub mod islands {
    pub const FILE: &str = "islands.csv";
    pub const DAYS_FROM_T: &str = "days_from_t";
    pub const TENANTS: &str = "tenants";
    pub const HEADER: [&str; 8] = [
        DAYS_FROM_T,
        TENANTS,
        "cross_island_mean",
        "cross_island_p10",
        "cross_island_p90",
        "broken_mean",
        "broken_p10",
        "broken_p90",
    ];
}

/// weekly.csv (the mean over replications) and weekly_detail.csv (the detail replication's own
/// counts): one row per week from the calendar start, `WEEK`, `WEEK_START`, then `COUNTS`. The
/// same format, with any of the counted columns, is what `calibrate` reads as observations.
pub mod weekly {
    pub const FILE: &str = "weekly.csv";
    pub const DETAIL_FILE: &str = "weekly_detail.csv";
    pub const WEEK: &str = "week";
    pub const WEEK_START: &str = "week_start";
    pub const TRANSITIONED: &str = "transitioned";
    pub const SLIPS: &str = "slips";
    pub const ERRORS: &str = "errors";
    pub const RETRIES: &str = "retries";
    pub const HELPDESK_TICKETS: &str = "helpdesk_tickets";
    pub const COPIED_TB: &str = "copied_tb";
    pub const COUNTS: [&str; 6] = [
        TRANSITIONED,
        SLIPS,
        ERRORS,
        RETRIES,
        HELPDESK_TICKETS,
        COPIED_TB,
    ];
}

/// comparison.csv: per policy and metric, the mean and the paired difference from the baseline.
pub mod comparison {
    pub const FILE: &str = "comparison.csv";
    pub const POLICY: &str = "policy";
    pub const METRIC: &str = "metric";
    pub const MEAN: &str = "mean";
    pub const CI95_LOW: &str = "ci95_low";
    pub const CI95_HIGH: &str = "ci95_high";
    pub const DIFF_VS_BASELINE: &str = "diff_vs_baseline";
    pub const DIFF_CI95_LOW: &str = "diff_ci95_low";
    pub const DIFF_CI95_HIGH: &str = "diff_ci95_high";
    /// Paired t test of the difference; Holm's adjustment over every row with a p-value.
    pub const P_VALUE: &str = "p_value";
    pub const P_HOLM: &str = "p_holm";
    /// `p_holm < 0.05`.
    pub const SIGNIFICANT: &str = "significant";
    pub const HEADER: [&str; 11] = [
        POLICY,
        METRIC,
        MEAN,
        CI95_LOW,
        CI95_HIGH,
        DIFF_VS_BASELINE,
        DIFF_CI95_LOW,
        DIFF_CI95_HIGH,
        P_VALUE,
        P_HOLM,
        SIGNIFICANT,
    ];
}

/// tradeoffs.csv: per policy and trade-off metric, its mean beside the baseline's, and the
/// policies that dominate it.
pub mod tradeoffs {
    pub const FILE: &str = "tradeoffs.csv";
    pub const POLICY: &str = "policy";
    pub const METRIC: &str = "metric";
    /// `lower` or `higher`: which way the metric is better.
    pub const BETTER: &str = "better";
    /// The policy's mean, the baseline's, and the one less the other.
    pub const MEAN: &str = "mean";
    pub const BASELINE_MEAN: &str = "baseline_mean";
    pub const DIFFERENCE: &str = "difference";
    pub const P_HOLM: &str = "p_holm";
    pub const DOMINATED: &str = "dominated";
    /// The policies that dominate this one, `;`-separated.
    pub const DOMINATED_BY: &str = "dominated_by";
    pub const HEADER: [&str; 9] = [
        POLICY,
        METRIC,
        BETTER,
        MEAN,
        BASELINE_MEAN,
        DIFFERENCE,
        P_HOLM,
        DOMINATED,
        DOMINATED_BY,
    ];
}

/// selection.csv: one row per policy of `cutover select`.
pub mod selection {
    pub const FILE: &str = "selection.csv";
    /// `replications`: simulated; `mean`: over the replications the procedure used (up to its
    /// elimination, or to the end); `eliminated_after`: the replication count at which it was
    /// eliminated (empty for the selected); `selected`: true for the one chosen.
    pub const HEADER: [&str; 5] = [
        "policy",
        "replications",
        "mean",
        "eliminated_after",
        "selected",
    ];
}

/// seek.csv: one row per setting `cutover seek` tried, in the order tried (cheapest first).
/// Columns: `setting` (order tried), one column per varied key, `cost`, `replications`,
/// `verdict` (met, failed, uncertain: the bound still straddles at the ceiling), then for each
/// `--require` in order (`constraint1`, `constraint2`, ...: their text is in manifest.json)
/// `_estimate`, `_bound` (one-sided, at manifest.json's `study.look_confidence`: 95% shared
/// among a setting's looks; empty where replications without a value failed a mean),
/// `_verdict` and `_measured` (the replications with a value of the constraint's metric, of
/// `replications`).
pub mod seek {
    pub const FILE: &str = "seek.csv";
    pub const SETTING: &str = "setting";
    pub const COST: &str = "cost";
    pub const REPLICATIONS: &str = "replications";
    /// The setting's verdict over every constraint; with `constraint_column`, one constraint's.
    pub const VERDICT: &str = "verdict";
    /// A constraint's estimate and one-sided bound, with `constraint_column`.
    pub const ESTIMATE: &str = "estimate";
    pub const BOUND: &str = "bound";
    /// The replications that measured a constraint's metric, with `constraint_column`.
    pub const MEASURED: &str = "measured";
    pub const FIRST: [&str; 1] = [SETTING];
    pub const AFTER_KEYS: [&str; 3] = [COST, REPLICATIONS, VERDICT];
    pub const PER_CONSTRAINT: [&str; 4] = [ESTIMATE, BOUND, VERDICT, MEASURED];

    /// The column of the `n`th constraint (from 1) for `what`, one of `PER_CONSTRAINT`:
    /// `constraint1_estimate`.
    pub fn constraint_column(n: usize, what: &str) -> String {
        format!("constraint{n}_{what}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Load, ReplicationMetrics};

    #[test]
    fn named_metric_columns_exist() {
        for name in [
            replications::TENANTS,
            replications::SLIPS,
            replications::EVENTS,
        ] {
            assert!(ReplicationMetrics::COLUMNS.contains(&name), "{name}");
        }
        assert_eq!(Load::COLUMNS, load::COLUMNS);
    }

    #[test]
    fn cause_columns_are_the_causes_keys() {
        use crate::model::{MissCause, SlipCause};
        for (cause, column) in SlipCause::ALL.iter().zip(tenants::SLIPS_BY_CAUSE) {
            assert_eq!(column, format!("slips_{}", cause.key()));
        }
        let metrics = ReplicationMetrics {
            slips_copy_backlog: 1,
            slips_waiting_for_operator: 2,
            slips_operator_working: 3,
            slips_retrying: 4,
            slips_work_in_progress: 5,
            missed_in_flight: 6,
            missed_rolled_back: 7,
            missed_quota_hold: 8,
            missed_blocked: 9,
            missed_blackberry_date: 10,
            missed_never_batched: 11,
            ..ReplicationMetrics::default()
        };
        let value = |name: String| {
            let col = ReplicationMetrics::COLUMNS.iter().position(|c| *c == name);
            metrics.values()[col.unwrap_or_else(|| panic!("no column {name}"))] as u64
        };
        for (cause, n) in SlipCause::ALL.iter().zip(metrics.slips_by_cause()) {
            assert_eq!(value(format!("slips_{}", cause.key())), n);
        }
        for (cause, n) in MissCause::ALL.iter().zip(metrics.missed_by_cause()) {
            assert_eq!(value(format!("missed_{}", cause.key())), n);
        }
    }
}

/// sensitivity.csv: one row per (varied key, headline metric, index kind) of `cutover sensitivity`.
pub mod sensitivity {
    pub const FILE: &str = "sensitivity.csv";
    pub const KEY: &str = "key";
    pub const METRIC: &str = "metric";
    /// `mu_star` and `sigma` (Morris), or `S1` and `ST` (Sobol').
    pub const INDEX_KIND: &str = "index_kind";
    pub const VALUE: &str = "value";
    pub const CI95_LOW: &str = "ci95_low";
    pub const CI95_HIGH: &str = "ci95_high";
    pub const HEADER: [&str; 6] = [KEY, METRIC, INDEX_KIND, VALUE, CI95_LOW, CI95_HIGH];
}

/// The files of `cutover calibrate`.
pub mod calibration {
    /// calibration.csv: one row per fitted key.
    pub const FILE: &str = "calibration.csv";
    /// `value` is empty for a key that is not identifiable (its interval is then its range);
    /// `rise` is the largest rise of the discrepancy from the value to an end of the range, the
    /// other keys held; `discrepancy` and `cells` are the fit's, `holdout_*` the held-out weeks':
    /// their discrepancy and cells, the replications of the fitted setting compared with them,
    /// how many of those were as far from the others' mean, and the Monte Carlo p-value.
    pub const HEADER: [&str; 13] = [
        "key",
        "value",
        "ci95_low",
        "ci95_high",
        "identifiable",
        "rise",
        "discrepancy",
        "cells",
        "holdout_discrepancy",
        "holdout_cells",
        "holdout_replications",
        "holdout_exceeded",
        "holdout_p_value",
    ];
    /// fit.csv: per observed column and week of the horizon, what was observed beside the
    /// calibrated scenario's mean and P10 to P90 over the replications.
    pub const FIT_FILE: &str = "fit.csv";
    pub const COLUMN: &str = "column";
    pub const WEEK_START: &str = "week_start";
    /// `fit`, `holdout`, `unused` (observed but outside `--weeks`) or empty (not observed).
    pub const ROLE: &str = "role";
    pub const OBSERVED: &str = "observed";
    pub const MEAN: &str = "mean";
    pub const P10: &str = "p10";
    pub const P90: &str = "p90";
    pub const FIT_HEADER: [&str; 8] = ["week", WEEK_START, COLUMN, ROLE, OBSERVED, MEAN, P10, P90];
    /// The calibrated scenario, which `cutover run` accepts as it is.
    pub const SCENARIO_FILE: &str = "calibrated.toml";
}
