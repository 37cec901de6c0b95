//! Chat during the transition checked against what probability says it must be: islands and lost
//! contacts from early movers, none when the whole tenant moves, stranded Communicator users.

use cutover::model::{Detail, ReplicationMetrics, simulate};
use cutover::policy;
use cutover::scenario::Scenario;
use cutover::stats::Running;

use crate::common::scenario;

/// Every tenant on the first weekend, nothing failing, nobody blocked, so each tenant's early window
/// is exactly [T - 60 days, T). Samples at 23:00 put the last one an hour before the upgrade at
/// T (Saturday 00:00), when all but 1/1440 of the window's early movers have moved.
fn one_weekend(seats: u32, tenants: u32, extra: &[&str]) -> Scenario {
    let text = "name = \"chat\"\n[population]\nsharepoint_max_gb = 1\n";
    let seats = format!("population.seats={seats}");
    let tenants = format!("population.tenants={tenants}");
    let mut overrides = vec![
        seats.as_str(),
        tenants.as_str(),
        "population.blocked_fraction=0",
        "population.shared_mailboxes=0",
        "population.mailbox_gb=0.01",
        "workitems.transient_probability=0",
        "workitems.hard_failure_probability=0",
        "batching.max_tenants=1000000",
        "batching.max_seats=1000000000",
        "batching.max_data_gb=1000000000",
        "copy.slots=1000000",
        "copy.per_tenant=10000",
        "calendar.sample_hour=23",
        "lync.tenant_moves_all_probability=0",
    ];
    overrides.extend_from_slice(extra);
    scenario(text, &overrides)
}

fn run(sc: &Scenario, replication: u64) -> (ReplicationMetrics, Detail) {
    let policy = policy::by_name(&sc.batching.policy).expect("a known policy");
    let out = simulate(sc, policy.as_ref(), replication, true);
    (out.metrics, out.detail.expect("detail was asked for"))
}

/// Per-tenant values of `field` over replications `0..reps`, for tenants with contacts.
fn per_tenant(sc: &Scenario, reps: u64, field: impl Fn(&cutover::model::TenantChat) -> Option<f64>) -> Running {
    let mut r = Running::new();
    for rep in 0..reps {
        let (m, d) = run(sc, rep);
        assert_eq!(m.transitioned, m.tenants, "every tenant transitions on its first weekend");
        for t in &d.tenants {
            if let Some(x) = field(&t.chat) {
                r.push(x);
            }
        }
    }
    r
}

#[test]
fn explore() {
    for (seats, p) in [(400, 0.2), (400, 0.4), (20, 0.2), (2000, 0.2)] {
        let pp = format!("lync.early_move_probability={p}");
        let sc = one_weekend(seats, 2000 / seats.min(2000) * 10, &[&pp, "lync.contact_rebuild_per_day=1e9"]);
        let r = per_tenant(&sc, 2, |c| c.peak_cross_island_fraction);
        let (lo, hi) = r.ci95();
        println!("seats {seats} p {p}: n {} mean {} ci {lo}..{hi} expect {}", r.count(), r.mean(), 2.0 * p * (1.0 - p));
    }
}
