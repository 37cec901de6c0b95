//! The customer's estate and the Monday after: directory quota, coexistence, BlackBerry, client
//! tickets and the help desk, each checked against what its figures imply.

use cutover::model::{ReplicationMetrics, simulate};
use cutover::policy;
use cutover::scenario::Scenario;

use crate::common::{
    SMALL_SCENARIO, read_csv, run_detailed, run_two_replications, small_scenario, temp_dir,
    write_file,
};

fn metrics(sc: &Scenario, replication: u64) -> ReplicationMetrics {
    let policy = policy::by_name(&sc.batching.policy).expect("a known policy");
    simulate(sc, policy.as_ref(), replication, false).metrics
}

/// The transition's own results, without the help desk's.
fn transition_figures(m: &ReplicationMetrics) -> Vec<f64> {
    let mut v = m.values();
    let mut skip: Vec<usize> = [
        "helpdesk_tickets",
        "helpdesk_peak_queue",
        "helpdesk_wait_mean_h",
        "helpdesk_wait_p95_h",
        "user_hours_lost",
        "helpdesk_queue_mean",
        "helpdesk_busy_mean",
        "helpdesk_utilization",
        // Averaged by default to when the replication stops, which waits for the last ticket.
        "operator_queue_mean",
        "operator_busy_mean",
        "operator_utilization",
        "events",
    ]
    .iter()
    .map(|c| {
        ReplicationMetrics::COLUMNS
            .iter()
            .position(|k| k == c)
            .unwrap()
    })
    .collect();
    skip.sort_unstable();
    for i in skip.into_iter().rev() {
        v.remove(i);
    }
    v
}

#[test]
fn zero_shares_give_no_tickets_no_quota_blocks_and_change_nothing() {
    let plain = small_scenario(&[]);
    let zero = small_scenario(&[
        "population.dirsync_share=0",
        "population.dirsync_quota=0",
        "population.coexistence_share=0",
        "population.blackberry_share=0",
        "population.blackberry_not_before=2030-01-05",
        "clients.outlook_2003_share=0",
        "clients.mobile_share=0",
        "clients.never_expiring_password_share=0",
        "workitems.coexistence_failure_multiplier=50",
    ]);
    for rep in 0..3 {
        let (a, b) = (metrics(&plain, rep), metrics(&zero, rep));
        assert_eq!(b.helpdesk_tickets, 0);
        assert_eq!(b.tenants_blocked_quota, 0);
        assert_eq!(b.user_hours_lost, 0.0);
        assert!(b.helpdesk_wait_p95_h.is_nan(), "no tickets, no waits");
        // Compared bit for bit: the help desk's waits are NaN in both.
        let bits =
            |m: &ReplicationMetrics| m.values().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&a),
            bits(&b),
            "replication {rep}: zero shares must change nothing"
        );
    }
}

#[test]
fn tickets_leave_the_transition_itself_untouched() {
    let quiet = small_scenario(&[]);
    let calls = small_scenario(&[
        "clients.outlook_2003_share=0.3",
        "clients.mobile_share=0.5",
        "helpdesk.weekday=1",
    ]);
    for rep in 0..2 {
        let (a, b) = (metrics(&quiet, rep), metrics(&calls, rep));
        assert!(b.helpdesk_tickets > 0);
        assert_eq!(transition_figures(&a), transition_figures(&b));
    }
}

#[test]
fn a_tenant_over_quota_is_not_batched_before_its_case_closes() {
    // Every tenant syncs; big ones go over a 400-object quota (10 objects per seat), and their
    // cases take 50 days. Nobody is blocked otherwise.
    let sc = small_scenario(&[
        "population.blocked_fraction=0",
        "population.dirsync_share=1",
        "population.dirsync_objects=10",
        "population.dirsync_quota=400",
        "population.quota_case_days=50",
    ]);
    let (m, d) = run_detailed(&sc, 0);
    let over: Vec<_> = d.tenants.iter().filter(|t| t.over_quota).collect();
    assert_eq!(m.tenants_blocked_quota, over.len() as u64);
    assert!(
        !over.is_empty() && over.len() < d.tenants.len(),
        "{} over quota",
        over.len()
    );
    for t in &d.tenants {
        assert_eq!(t.directory_objects, Some(t.seats * 10));
        assert_eq!(t.over_quota, t.seats * 10 > 400);
    }
    // The first plan is on day 0 for the weekend `lead_days` ahead: a tenant ready on day 50 can
    // be on no weekend before day 50 + lead_days.
    let earliest = sc
        .calendar
        .start
        .add_days(50 + i64::from(sc.batching.lead_days));
    for t in &over {
        let batch = t.batch.expect("batched eventually") as usize;
        assert!(
            d.batches[batch].weekend >= earliest,
            "tenant {} over quota was on the {} weekend",
            t.tenant,
            d.batches[batch].weekend
        );
    }
    let first_weekend = d.batches[0].weekend;
    assert!(first_weekend < earliest, "tenants under quota go at once");
}

#[test]
fn blackberry_tenants_wait_for_their_date() {
    let sc = small_scenario(&[
        "population.blocked_fraction=0",
        "population.blackberry_share=0.3",
        "population.blackberry_not_before=2012-01-14",
    ]);
    let (_, d) = run_detailed(&sc, 1);
    let not_before = "2012-01-14".parse().unwrap();
    let bb: Vec<_> = d.tenants.iter().filter(|t| t.blackberry).collect();
    assert!(bb.len() > 20, "{} BlackBerry tenants of 150", bb.len());
    for t in bb {
        let batch = t.batch.expect("batched") as usize;
        assert!(d.batches[batch].weekend >= not_before);
    }
    assert!(d.batches[0].weekend < not_before, "the others do not wait");
}

#[test]
fn coexistence_multiplies_dataupgrade_hard_failures() {
    // Only the mailbox cutover (a DataUpgrade item) ever fails, and never transiently.
    let base = [
        "workitems.transient_probability=0",
        "workitems.hard_failure_probability=0",
        "workitems.mailbox_cutover.hard_failure_probability=0.05",
        "phases.window_hours=48",
        "operators.weekend=50",
        "workitems.coexistence_failure_multiplier=4",
    ];
    let with = |share: &str| {
        let mut o = base.to_vec();
        o.push(share);
        small_scenario(&o)
    };
    let (none, all) = (
        with("population.coexistence_share=0"),
        with("population.coexistence_share=1"),
    );
    let (mut a, mut b, mut attempts) = (0u64, 0u64, 0u64);
    for rep in 0..20 {
        let (ma, mb) = (metrics(&none, rep), metrics(&all, rep));
        a += ma.errors;
        b += mb.errors;
        attempts += ma.tenants;
    }
    // Each tenant's cutover fails with 0.05 (or 0.2), then is retried after the fix: the number
    // of hard failures per tenant is geometric with mean p / (1 - p).
    let expect = |p: f64| attempts as f64 * p / (1.0 - p);
    for (seen, p) in [(a, 0.05), (b, 0.2)] {
        let sd = expect(p).sqrt() * 1.2;
        assert!(
            (seen as f64 - expect(p)).abs() < 4.0 * sd,
            "p = {p}: {seen} hard failures, expected {:.0}",
            expect(p)
        );
    }
}

#[test]
fn tickets_scale_with_seats() {
    let at = |seats: &str| {
        small_scenario(&[
            seats,
            "clients.outlook_2003_share=0.2",
            "clients.mobile_share=0.5",
            "clients.ticket_probability.mobile=0.2",
            "helpdesk.weekday=50",
        ])
    };
    let (small, large) = (at("population.seats=10"), at("population.seats=40"));
    // A user calls unless neither problem makes them: 1 - (1 - 0.2)(1 - 0.5 * 0.2) = 0.28.
    let p = 1.0 - 0.8 * 0.9;
    for (sc, seats) in [(&small, 10.0), (&large, 40.0)] {
        let mut tickets = 0.0;
        let mut users = 0.0;
        for rep in 0..3 {
            let (m, d) = run_detailed(sc, rep);
            // Only upgraded tenants' users call.
            let upgraded = d
                .tenants
                .iter()
                .filter(|t| t.window_hours.is_some())
                .count();
            let per_tenant: u64 = d.tenants.iter().map(|t| u64::from(t.tickets)).sum();
            assert_eq!(per_tenant, m.helpdesk_tickets, "tenants.csv adds up");
            tickets += m.helpdesk_tickets as f64;
            users += upgraded as f64 * seats;
        }
        let sd = (users * p * (1.0 - p)).sqrt();
        assert!(
            (tickets - users * p).abs() < 4.0 * sd,
            "{seats} seats: {tickets} tickets from {users} users, expected {:.0}",
            users * p
        );
    }
}

#[test]
fn a_huge_help_desk_leaves_only_the_resolution_time() {
    let sc = small_scenario(&[
        "clients.outlook_2003_share=0.5",
        "helpdesk.weekday=100000",
        "helpdesk.weekend=100000",
        "helpdesk.hours=[0, 24]",
        "helpdesk.resolve_minutes={ dist = \"lognormal\", median = 20, sigma = 0.5 }",
    ]);
    // Lognormal: mean = median * exp(sigma^2 / 2), 95th percentile = median * exp(1.645 sigma).
    let mean_h = 20.0 * (0.125f64).exp() / 60.0;
    let p95_h = 20.0 * (1.645 * 0.5f64).exp() / 60.0;
    for rep in 0..3 {
        let m = metrics(&sc, rep);
        assert!(m.helpdesk_tickets > 500, "{} tickets", m.helpdesk_tickets);
        assert_eq!(m.helpdesk_peak_queue, 0, "nobody ever waits for an agent");
        let rel = |a: f64, b: f64| (a - b).abs() / b;
        assert!(
            rel(m.helpdesk_wait_mean_h, mean_h) < 0.05,
            "mean {} h vs {mean_h} h",
            m.helpdesk_wait_mean_h
        );
        assert!(
            rel(m.helpdesk_wait_p95_h, p95_h) < 0.08,
            "p95 {} h vs {p95_h} h",
            m.helpdesk_wait_p95_h
        );
    }
}

#[test]
fn a_small_help_desk_has_its_peak_on_a_monday_morning() {
    let dir = temp_dir();
    let text = format!(
        "{SMALL_SCENARIO}\n[clients]\noutlook_2003_share = 0.4\n\n[helpdesk]\nweekday = 2\nweekend = 1\n"
    );
    let file = write_file(dir.path(), "calls.toml", &text);
    let out = dir.path().join("out");
    run_two_replications(dir.path(), &file, &out);
    let hourly = read_csv(&out.join("hourly.csv"));
    let queue = hourly.numbers("helpdesk_queue");
    let busy = hourly.numbers("helpdesk_busy");
    let (peak, at) =
        queue.iter().enumerate().fold(
            (0.0, 0),
            |(best, at), (i, &q)| if q > best { (q, i) } else { (best, at) },
        );
    assert!(peak > 10.0, "peak queue {peak}");
    let time = &hourly.column("time")[at];
    let date: cutover::date::Date = time[..10].parse().unwrap();
    assert_eq!(
        date.weekday(),
        cutover::date::Weekday::Monday,
        "peak at {time}"
    );
    assert!(
        busy.iter().all(|&b| b <= 2.0),
        "never more agents busy than on duty"
    );
    let ts = read_csv(&out.join("timeseries.csv"));
    assert!(ts.numbers("helpdesk_queue").iter().any(|&q| q > 0.0));
    let reps = read_csv(&out.join("replications.csv"));
    for col in [
        "helpdesk_tickets",
        "helpdesk_peak_queue",
        "helpdesk_wait_p95_h",
        "user_hours_lost",
        "tenants_blocked_quota",
    ] {
        assert!(reps.numbers(col).iter().all(|v| v.is_finite()), "{col}");
    }
    let tenants = read_csv(&out.join("tenants.csv"));
    let tickets: f64 = tenants.numbers("tickets").iter().sum();
    assert_eq!(tickets, reps.numbers("helpdesk_tickets")[0]);
    assert!(tenants.column("dirsync").iter().all(|c| *c == "false"));
    assert!(tenants.column("coexistence").iter().all(|c| *c == "false"));
}

#[test]
fn the_observation_window_bounds_the_pools_time_averages() {
    let calls = ["clients.outlook_2003_share=0.3", "clients.mobile_share=0.5"];
    let with = |more: &[&str]| small_scenario(&[&calls[..], more].concat());
    let whole = with(&[]);
    // The whole calendar, written out: cut where the replication stops, as the default is.
    let calendar = with(&[
        "calendar.observe_from=2011-09-05",
        "calendar.observe_until=2013-01-30",
    ]);
    // The first four weeks: no tenant has reached its weekend, so nobody has called yet.
    let early = with(&["calendar.observe_until=2011-10-02"]);
    let pools = [
        "operator_queue_mean",
        "operator_busy_mean",
        "operator_utilization",
        "helpdesk_queue_mean",
        "helpdesk_busy_mean",
        "helpdesk_utilization",
    ];
    let column = |name: &str| {
        ReplicationMetrics::COLUMNS
            .iter()
            .position(|c| *c == name)
            .unwrap()
    };
    for rep in 0..2 {
        let (a, b, c) = (
            metrics(&whole, rep),
            metrics(&calendar, rep),
            metrics(&early, rep),
        );
        let bits =
            |m: &ReplicationMetrics| m.values().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&a),
            bits(&b),
            "replication {rep}: the default is the whole run"
        );
        let (va, vc) = (a.values(), c.values());
        for (i, name) in ReplicationMetrics::COLUMNS.iter().enumerate() {
            if !pools.contains(name) {
                assert_eq!(
                    va[i].to_bits(),
                    vc[i].to_bits(),
                    "{name}: the window moved it"
                );
            }
        }
        assert!(a.helpdesk_busy_mean > 0.0 && a.helpdesk_utilization > 0.0);
        assert_eq!(
            (
                c.helpdesk_queue_mean,
                c.helpdesk_busy_mean,
                c.helpdesk_utilization
            ),
            (0.0, 0.0, 0.0),
            "nobody calls in the first weeks, while agents are on duty"
        );
        assert_ne!(
            va[column("operator_queue_mean")].to_bits(),
            vc[column("operator_queue_mean")].to_bits()
        );
    }
}
