//! What one replication must always satisfy (conservation, monotone time, consistent counts), and
//! what it must do in the two extreme cases: ample capacity with no failures, and a tiny window.

use cutover::model::{Detail, MissCause, ReplicationMetrics, SlipCause, Status};
use cutover::scenario::Scenario;

use crate::common::{AMPLE, run_detailed, scenario, small_scenario};

/// Every slip and every miss has exactly one cause: by cause they add up to their totals, in the
/// replication's metrics and tenant by tenant.
fn check_causes(label: &str, m: &ReplicationMetrics, d: &Detail) {
    let slips = m.slips_by_cause();
    assert_eq!(
        slips.iter().sum::<u64>(),
        m.slips,
        "{label}: slips by cause {slips:?}"
    );
    let missed = m.missed_by_cause();
    assert_eq!(
        missed.iter().sum::<u64>(),
        m.missed_deadline,
        "{label}: misses by cause {missed:?}"
    );
    let mut by_tenant_slips = [0u64; SlipCause::COUNT];
    let mut by_tenant_missed = [0u64; MissCause::COUNT];
    for t in &d.tenants {
        let c = &t.causes;
        assert_eq!(
            c.slips.iter().sum::<u32>(),
            t.slips,
            "{label}: tenant {} slips by cause",
            t.tenant
        );
        assert_eq!(
            c.last_slip.is_some(),
            t.slips > 0,
            "{label}: tenant {}",
            t.tenant
        );
        for (sum, n) in by_tenant_slips.iter_mut().zip(c.slips) {
            *sum += u64::from(n);
        }
        if let Some(miss) = c.miss {
            by_tenant_missed[miss as usize] += 1;
            if miss == MissCause::RolledBack {
                assert!(
                    t.slips > 0,
                    "{label}: tenant {} missed rolled back",
                    t.tenant
                );
            }
        }
    }
    assert_eq!(by_tenant_slips, slips, "{label}: tenants' slips by cause");
    assert_eq!(
        by_tenant_missed, missed,
        "{label}: tenants' misses by cause"
    );
}

/// Checks every invariant that links the metrics and the three detail tables of one replication.
pub(crate) fn check_invariants(label: &str, sc: &Scenario, m: &ReplicationMetrics, d: &Detail) {
    let n = u64::from(sc.population.tenants);
    assert_eq!(m.tenants, n, "{label}: tenants");
    assert_eq!(d.tenants.len() as u64, n, "{label}: one tenant record each");
    assert!(m.transitioned <= n, "{label}: transitioned <= tenants");

    // Tenants: the transitioned ones, and only those, have a date; they end in Finalize/Complete.
    let with_date = d
        .tenants
        .iter()
        .filter(|t| t.transition_date.is_some())
        .count() as u64;
    let without_date = d
        .tenants
        .iter()
        .filter(|t| t.transition_date.is_none())
        .count() as u64;
    assert_eq!(with_date, m.transitioned, "{label}: tenants with a date");
    assert_eq!(with_date + without_date, n, "{label}: tenants conserved");
    let last = sc.phases.programme.last();
    let finalized = d
        .tenants
        .iter()
        .filter(|t| t.final_phase == last && t.final_status == Status::Complete)
        .count() as u64;
    assert_eq!(
        finalized, m.transitioned,
        "{label}: Finalize/Complete tenants"
    );
    for t in &d.tenants {
        if t.transition_date.is_some() {
            assert!(
                t.batch.is_some(),
                "{label}: tenant {} transitioned unbatched",
                t.tenant
            );
        }
    }
    let slips: u64 = d.tenants.iter().map(|t| u64::from(t.slips)).sum();
    assert_eq!(slips, m.slips, "{label}: slips per tenant add up");
    let slipped = d.tenants.iter().filter(|t| t.slips > 0).count() as u64;
    assert_eq!(slipped, m.tenants_slipped, "{label}: tenants_slipped");
    check_causes(label, m, d);
    let errors: u64 = d.tenants.iter().map(|t| u64::from(t.errors)).sum();
    assert_eq!(errors, m.errors, "{label}: errors per tenant add up");
    let retries: u64 = d.tenants.iter().map(|t| u64::from(t.retries)).sum();
    assert_eq!(retries, m.retries, "{label}: retries per tenant add up");

    // Batches: numbered in order, weekends strictly later, outcomes add up to the metrics.
    assert_eq!(d.batches.len() as u64, m.batches, "{label}: batch count");
    for (i, b) in d.batches.iter().enumerate() {
        assert_eq!(b.batch as usize, i, "{label}: batch numbering");
        assert!(
            b.transitioned + b.slipped <= b.tenants,
            "{label}: batch {i} has more outcomes than tenants: {b:?}"
        );
    }
    for pair in d.batches.windows(2) {
        assert!(
            pair[0].weekend < pair[1].weekend,
            "{label}: weekends go forward"
        );
    }
    let batch_transitioned: u64 = d.batches.iter().map(|b| u64::from(b.transitioned)).sum();
    assert_eq!(
        batch_transitioned, m.transitioned,
        "{label}: batches' transitioned"
    );
    let batch_slipped: u64 = d.batches.iter().map(|b| u64::from(b.slipped)).sum();
    assert_eq!(batch_slipped, m.slips, "{label}: batches' slips");
    for t in &d.tenants {
        if let (Some(b), Some(date)) = (t.batch, t.transition_date) {
            assert_eq!(
                d.batches[b as usize].weekend, date,
                "{label}: tenant {} transitioned on its batch's weekend",
                t.tenant
            );
        }
    }

    // Time series: one sample a day, time never goes back, tenants are conserved every day.
    assert!(!d.timeseries.is_empty(), "{label}: no daily samples");
    for pair in d.timeseries.windows(2) {
        assert!(pair[0].day < pair[1].day, "{label}: days go forward");
        assert!(pair[0].date < pair[1].date, "{label}: dates go forward");
        assert!(
            pair[0].transitioned <= pair[1].transitioned,
            "{label}: a transition was undone on day {}",
            pair[1].day
        );
    }
    for s in &d.timeseries {
        let sum: u64 = s.phases.iter().map(|&c| u64::from(c)).sum();
        assert_eq!(sum, n, "{label}: phase counts on day {}", s.day);
        assert!(
            s.load.operators_busy <= s.load.operators_on_duty,
            "{label}: day {}: {} busy, {} on duty",
            s.day,
            s.load.operators_busy,
            s.load.operators_on_duty
        );
        assert!(
            s.transitioned <= s.phases[last.index()],
            "{label}: day {}: transitioned tenants must be in Finalize",
            s.day
        );
        assert!(
            u64::from(s.transitioned) <= m.transitioned,
            "{label}: day {}",
            s.day
        );
        assert!(
            u64::from(s.load.copies_running)
                <= u64::from(sc.copy.slots) * sc.population.regions.len() as u64,
            "{label}: day {}: copies over the slots",
            s.day
        );
    }
}

#[test]
fn invariants_hold_over_seeds_and_stress() {
    // The default-like case and a stressed one (short window, frequent hard failures, one
    // operator) that makes rollbacks, error queues and shift hand-backs common.
    let cases = [
        small_scenario(&["population.tenants=200"]),
        small_scenario(&[
            "population.tenants=200",
            "phases.window_hours=6",
            "workitems.hard_failure_probability=0.05",
            "workitems.mailbox_cutover.hard_failure_probability=0.2",
            "operators.weekday=1",
            "operators.weekend=1",
        ]),
    ];
    let mut slips_seen = 0;
    for (c, base) in cases.iter().enumerate() {
        for seed in [1u64, 2, 3] {
            let mut sc = base.clone();
            sc.seed = seed;
            let (m, d) = run_detailed(&sc, seed % 2);
            check_invariants(&format!("case {c} seed {seed}"), &sc, &m, &d);
            slips_seen += m.slips;
        }
    }
    // Otherwise the slip invariants above were checked on zeros only.
    assert!(
        slips_seen > 0,
        "the stressed case should make some tenant slip"
    );
}

/// A scenario where nothing can go wrong: no failures, room for every tenant on one weekend, copy
/// capacity to spare, nobody blocked and no tenant too big for the window.
fn ample(extra: &[&str]) -> Scenario {
    let text = "name = \"ample\"\n[population]\nsharepoint_max_gb = 10\n";
    let mut overrides = vec!["population.tenants=200"];
    overrides.extend_from_slice(AMPLE);
    overrides.extend_from_slice(extra);
    scenario(text, &overrides)
}

#[test]
fn ample_capacity_without_failures_transitions_everyone_on_the_first_weekend() {
    let sc = ample(&[]);
    // Per-kind settings inherit the section's default: no kind may fail.
    for k in sc.workitems.kinds() {
        let kind = &k.key;
        assert_eq!(
            (k.transient_probability, k.hard_failure_probability),
            (0.0, 0.0),
            "{kind:?} inherits no failures"
        );
    }
    for replication in 0..2 {
        let (m, d) = run_detailed(&sc, replication);
        check_invariants(&format!("ample rep {replication}"), &sc, &m, &d);
        assert_eq!(m.transitioned, 200, "every tenant transitions");
        assert_eq!((m.slips, m.tenants_slipped), (0, 0), "nobody slips");
        assert_eq!((m.retries, m.errors), (0, 0), "nothing fails");
        assert_eq!(m.missed_deadline, 0);
        assert_eq!(m.batches, 1, "all tenants fit on one weekend");
        let first = d.batches[0].weekend;
        assert_eq!(d.batches[0].tenants, 200);
        for t in &d.tenants {
            assert_eq!(t.transition_date, Some(first), "tenant {}", t.tenant);
            assert_eq!(t.batch, Some(0), "tenant {}", t.tenant);
            let hours = t.window_hours.expect("DataUpgrade finished");
            assert!(
                hours <= sc.phases.window_hours,
                "tenant {}: {hours} h",
                t.tenant
            );
        }
    }
}

#[test]
fn a_tiny_window_makes_tenants_slip() {
    // Cut-over work of a tenant with more than 30 seats then takes longer than the one-hour window.
    let sc = ample(&[
        "phases.window_hours=1",
        "phases.finalize_hours=1",
        "workitems.mailbox_cutover.minutes_per_seat=1",
    ]);
    let (m, d) = run_detailed(&sc, 0);
    check_invariants("tiny window", &sc, &m, &d);
    assert!(m.slips > 0, "a one-hour window must roll some tenant back");
    assert!(m.tenants_slipped > 0);
    assert!(
        m.transitioned < 200,
        "the big tenants can never fit the window"
    );
    for t in d.tenants.iter().filter(|t| t.transition_date.is_some()) {
        let hours = t
            .window_hours
            .expect("a transitioned tenant finished DataUpgrade");
        assert!(
            hours <= 1.0,
            "tenant {} transitioned after {hours} h",
            t.tenant
        );
    }
}
