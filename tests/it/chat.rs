//! Chat during the transition checked against what probability says it must be: islands and lost
//! contacts from early movers, none when the whole tenant moves, stranded Communicator users.

use cutover::model::{Detail, ReplicationMetrics, TenantChat, TenantRecord, simulate};
use cutover::policy;
use cutover::scenario::Scenario;
use cutover::stats::Running;

use crate::common::{AMPLE, run_detailed, scenario};

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
        "population.shared_mailboxes=0",
        "population.mailbox_gb=0.01",
        "calendar.sample_hour=23",
        "lync.tenant_moves_all_probability=0",
    ];
    overrides.extend_from_slice(AMPLE);
    overrides.extend_from_slice(extra);
    scenario(text, &overrides)
}

/// The sum over the detail replication's tenants of `count` of each.
fn total(d: &Detail, count: impl Fn(&TenantRecord) -> u32) -> u64 {
    d.tenants.iter().map(|t| u64::from(count(t))).sum()
}

/// Per-tenant values of `field` over replications `0..reps`, for tenants with contacts.
fn per_tenant(sc: &Scenario, reps: u64, field: impl Fn(&TenantChat) -> Option<f64>) -> Running {
    let mut r = Running::new();
    for rep in 0..reps {
        let (m, d) = run_detailed(sc, rep);
        assert_eq!(
            m.transitioned, m.tenants,
            "every tenant transitions on its first weekend"
        );
        for t in &d.tenants {
            if let Some(x) = field(&t.chat) {
                r.push(x);
            }
        }
    }
    r
}

/// Asserts that `expected` lies within four standard errors of the mean of `r` (a seeded run, so
/// the outcome is fixed; four rather than two so that the seed is not what makes it pass).
fn assert_near(label: &str, r: &Running, expected: f64) {
    let se = r.std() / (r.count() as f64).sqrt();
    assert!(
        (r.mean() - expected).abs() <= 4.0 * se + 1e-12,
        "{label}: mean {} over {} tenants, standard error {se}, expected {expected}",
        r.mean(),
        r.count()
    );
}

#[test]
fn individual_moves_with_instant_rebuild_split_2p_1_minus_p_of_the_pairs() {
    // A pair is cross-island at the upgrade when exactly one of its users moved early. The peak
    // over daily samples is that value only when the tenant's fraction still rises at the end of
    // the window: p <= 1/2 (for p > 1/2 it peaks near 1/2, when half the users have moved) and
    // tenants large enough that day-to-day noise does not lift the maximum (see docs/scenario.md, "Chat").
    for p in [0.2, 0.4] {
        let pp = format!("lync.early_move_probability={p}");
        let sc = one_weekend(200, 50, &[&pp, "lync.contact_rebuild_per_day=1e9"]);
        let r = per_tenant(&sc, 2, |c| c.peak_cross_island_fraction);
        assert_near(&format!("p = {p}"), &r, 2.0 * p * (1.0 - p));
        // With instant rebuild a pair is broken exactly when it is cross-island.
        let b = per_tenant(&sc, 2, |c| c.peak_broken_contact_fraction);
        assert_eq!(b.mean(), r.mean(), "p = {p}: broken equals cross-island");
    }
}

#[test]
fn individual_moves_without_rebuild_break_1_minus_1_minus_p_squared_of_the_pairs() {
    // A pair is broken from the first early move of its two users until the upgrade, so the
    // broken fraction only rises in the window and its peak is at the last sample: exact for any
    // tenant size. That sample is 1/1440 of the window before the upgrade.
    let q = 1.0 - 1.0 / 1440.0;
    for p in [0.1f64, 0.5, 0.8] {
        let pp = format!("lync.early_move_probability={p}");
        let sc = one_weekend(20, 300, &[&pp, "lync.contact_rebuild_per_day=0"]);
        let r = per_tenant(&sc, 1, |c| c.peak_broken_contact_fraction);
        assert_near(&format!("p = {p}"), &r, 1.0 - (1.0 - p * q).powi(2));
    }
}

#[test]
fn tenant_moves_have_no_islands_only_lost_contacts() {
    let sc = one_weekend(
        30,
        200,
        &[
            "lync.early_move_mode=tenant",
            "lync.early_move_probability=0.5",
            "lync.tenant_moves_all_probability=0.2",
            "lync.contact_rebuild_per_day=0",
        ],
    );
    let (m, d) = run_detailed(&sc, 0);
    assert_eq!(m.mean_peak_cross_island_fraction, 0.0);
    let moved = d.tenants.iter().filter(|t| t.chat.users_early > 0).count();
    assert!(
        moved > 80,
        "about 60% of 200 tenants move early, found {moved}"
    );
    for t in &d.tenants {
        let c = &t.chat;
        assert_eq!(
            c.peak_cross_island_fraction,
            Some(0.0),
            "tenant {}",
            t.tenant
        );
        assert!(
            c.users_early == 0 || c.users_early == t.seats,
            "tenant {} moves whole",
            t.tenant
        );
        // Without rebuild every pair of a tenant that moved is broken until the upgrade.
        let broken = if c.users_early > 0 { 1.0 } else { 0.0 };
        assert_eq!(
            c.peak_broken_contact_fraction,
            Some(broken),
            "tenant {}",
            t.tenant
        );
    }
    assert!(d.timeseries.iter().all(|s| s.chat.cross_island_pairs == 0));
}

#[test]
fn departments_moving_together_split_only_pairs_across_departments() {
    // Departments of 10 holding all contacts: a department that moves takes all its pairs along.
    let sc = one_weekend(
        100,
        60,
        &[
            "lync.early_move_mode=department",
            "lync.early_move_probability=0.5",
            "lync.department_size=10",
            "lync.contacts_in_department=1",
        ],
    );
    let (_, d) = run_detailed(&sc, 0);
    assert!(
        d.tenants
            .iter()
            .all(|t| t.chat.peak_cross_island_fraction == Some(0.0))
    );
    assert!(d.tenants.iter().any(|t| t.chat.users_early > 0));
    // With some contacts across departments, islands appear.
    let sc = one_weekend(
        100,
        60,
        &[
            "lync.early_move_mode=department",
            "lync.early_move_probability=0.5",
            "lync.department_size=10",
        ],
    );
    let (m, _) = run_detailed(&sc, 0);
    assert!(m.mean_peak_cross_island_fraction > 0.05, "{m:?}");
}

#[test]
fn fast_client_upgrades_strand_nobody() {
    let sc = one_weekend(
        20,
        200,
        &[
            "lync.communicator_share=0.5",
            "lync.client_upgrade_per_day=1e9",
        ],
    );
    let (m, d) = run_detailed(&sc, 0);
    assert_eq!(m.transitioned, 200);
    assert_eq!(m.stranded_users, 0);
    assert!(d.timeseries.iter().all(|s| s.chat.stranded_users == 0));
}

#[test]
fn without_client_upgrades_a_share_s_of_users_is_stranded() {
    // Nobody moves early (an early mover must run Lync 2010 and so is never stranded). Two
    // weekends a week apart, so the first batch's cutoff falls inside the time series, which
    // ends when the last tenant has transitioned.
    let s = 0.3;
    let sc = one_weekend(
        20,
        300,
        &[
            "lync.communicator_share=0.3",
            "lync.client_upgrade_per_day=0",
            "lync.early_move_probability=0",
            "batching.max_tenants=150",
        ],
    );
    let mut stranded = Running::new();
    for rep in 0..2 {
        let (m, d) = run_detailed(&sc, rep);
        assert_eq!(m.transitioned, m.tenants);
        let users = total(&d, |t| t.seats);
        stranded.push(m.stranded_users as f64 / users as f64);
        assert_eq!(total(&d, |t| t.chat.stranded_users), m.stranded_users);
        // After the cutoff every stranded user is blocked until the end.
        let first_batch = total(&d, |t| {
            if t.batch == Some(0) {
                t.chat.stranded_users
            } else {
                0
            }
        });
        let last = d.timeseries.last().expect("samples");
        assert!(first_batch > 0);
        assert_eq!(last.chat.stranded_users, first_batch);
        // A binomial count: four standard deviations.
        let sd = (users as f64 * s * (1.0 - s)).sqrt();
        assert!(
            (m.stranded_users as f64 - s * users as f64).abs() <= 4.0 * sd,
            "{} stranded of {users} users",
            m.stranded_users
        );
    }
}

#[test]
fn the_daily_series_adds_up_the_tenants() {
    // All tenants share one window and, without rebuild, broken pairs only accumulate in it: the
    // programme's broken pairs at their peak are the sum of the tenants' peaks.
    let sc = one_weekend(
        25,
        120,
        &[
            "lync.early_move_probability=0.3",
            "lync.contact_rebuild_per_day=0",
        ],
    );
    let (m, d) = run_detailed(&sc, 0);
    let peak_sum: f64 = d
        .tenants
        .iter()
        .map(|t| t.chat.peak_broken_contact_fraction.unwrap_or(0.0) * t.chat.contact_pairs as f64)
        .sum();
    let peak_series = d
        .timeseries
        .iter()
        .map(|s| s.chat.broken_pairs)
        .max()
        .unwrap_or(0);
    assert_eq!(peak_series as f64, peak_sum.round());
    assert_eq!(total(&d, |t| t.chat.users_early), m.users_early);
    let hours: f64 = d
        .tenants
        .iter()
        .map(|t| t.chat.im_disruption_user_hours)
        .sum();
    assert!((hours - m.im_disruption_user_hours).abs() < 1e-6 * hours.max(1.0));
    // Cross-island pairs are broken pairs too.
    assert!(
        d.timeseries
            .iter()
            .all(|s| s.chat.cross_island_pairs <= s.chat.broken_pairs)
    );
}

#[test]
fn chat_settings_leave_the_transition_untouched() {
    let base = one_weekend(20, 100, &["workitems.transient_probability=0.05"]);
    let other = one_weekend(
        20,
        100,
        &[
            "workitems.transient_probability=0.05",
            "lync.early_move_mode=department",
            "lync.early_move_probability=0.9",
            "lync.contacts_mean=3",
        ],
    );
    let policy = policy::by_name("fifo").expect("fifo");
    let (a, b) = (
        simulate(&base, policy.as_ref(), 0, false).metrics,
        simulate(&other, policy.as_ref(), 0, false).metrics,
    );
    let chat = [
        "users_early",
        "mean_peak_cross_island_fraction",
        "mean_peak_broken_contact_fraction",
        "stranded_users",
        "im_disruption_user_hours",
    ];
    let (va, vb) = (a.values(), b.values());
    for (i, name) in ReplicationMetrics::COLUMNS.iter().enumerate() {
        if !chat.contains(name) {
            assert_eq!(
                va[i].to_bits(),
                vb[i].to_bits(),
                "{name} changed with the chat settings"
            );
        }
    }
    assert_ne!(a.users_early, b.users_early);
    // The detail replication reports the same figures as any other.
    let detailed = simulate(&base, policy.as_ref(), 0, true).metrics.values();
    let same = |x: &[f64], y: &[f64]| x.iter().zip(y).all(|(a, b)| a.to_bits() == b.to_bits());
    assert!(same(&detailed, &va), "{detailed:?} vs {va:?}");
}
