//! The records the charts are drawn from (hourly states, weekend phase spans, the completion band,
//! chat by day from T) agree with the replication they describe.

use cutover::engine::{DAY, HOUR, SimTime};
use cutover::model::{Phase, SpanOutcome, simulate};
use cutover::policy;

use crate::common::{run_detailed, small_scenario};

#[test]
fn completion_counts_end_at_the_transitioned_total() {
    let sc = small_scenario(&[]);
    let policy = policy::by_name("fifo").unwrap();
    let horizon = (sc.day_of(sc.calendar.end) + 1) as usize;
    for rep in 0..3 {
        let out = simulate(&sc, policy.as_ref(), rep, false);
        assert_eq!(out.completion.len(), horizon, "one count per day");
        assert!(
            out.completion.windows(2).all(|w| w[0] <= w[1]),
            "cumulative"
        );
        assert_eq!(
            u64::from(*out.completion.last().unwrap()),
            out.metrics.transitioned
        );
    }
}

#[test]
fn weekly_counts_add_up_to_the_replication_totals() {
    // Tickets and rollbacks too: callers, and a short window that makes tenants slip.
    let sc = small_scenario(&["clients.outlook_2003_share=0.3", "phases.window_hours=2"]);
    let policy = policy::by_name("fifo").unwrap();
    let horizon_days = (sc.day_of(sc.calendar.end) + 1) as usize;
    for rep in 0..2 {
        let out = simulate(&sc, policy.as_ref(), rep, false);
        let m = &out.metrics;
        assert_eq!(
            out.weekly.len(),
            horizon_days.div_ceil(7),
            "one row per week"
        );
        let sum = |f: fn(&cutover::model::WeekCounts) -> f64| out.weekly.iter().map(f).sum::<f64>();
        assert_eq!(sum(|w| f64::from(w.transitioned)), m.transitioned as f64);
        assert_eq!(sum(|w| f64::from(w.slips)), m.slips as f64);
        assert_eq!(sum(|w| f64::from(w.errors)), m.errors as f64);
        assert_eq!(sum(|w| f64::from(w.retries)), m.retries as f64);
        assert!(m.slips > 0 && m.errors > 0, "the counts are exercised");
        assert!((sum(|w| w.copied_tb) - m.copied_tb).abs() < 1e-9);
        // Calls after the horizon are in no week.
        let tickets = sum(|w| f64::from(w.helpdesk_tickets));
        assert!(tickets > 0.0 && tickets <= m.helpdesk_tickets as f64);
        // A transition is counted in the week the completion series shows it.
        for w in &out.weekly {
            let end = ((w.week as usize + 1) * 7).min(horizon_days);
            let before = if w.week == 0 {
                0
            } else {
                out.completion[w.week as usize * 7 - 1]
            };
            assert_eq!(
                w.transitioned,
                out.completion[end - 1] - before,
                "week {}",
                w.week
            );
        }
    }
}

#[test]
fn spans_follow_each_attempt_through_the_weekend() {
    let sc = small_scenario(&["clients.outlook_2003_share=0.3"]);
    let (m, d) = run_detailed(&sc, 0);
    let start = sc.calendar.start;
    let phase = |key: &str| sc.phases.programme.find(key).expect("a BPOS phase");
    for t in &d.tenants {
        let spans: Vec<_> = d.spans.iter().filter(|s| s.tenant == t.tenant).collect();
        for s in &spans {
            assert!(
                s.end.is_none_or(|e| e >= s.start),
                "{s:?} ends before it starts"
            );
            assert!(
                s.done.is_none_or(|x| x >= s.start),
                "{s:?} done before it starts"
            );
            assert!(s.phase >= phase("prestage"));
        }
        let rolled = spans
            .iter()
            .filter(|s| s.outcome == SpanOutcome::RolledBack)
            .count();
        assert!(
            rolled as u32 <= t.slips,
            "tenant {}: {rolled} rollbacks",
            t.tenant
        );
        let Some(date) = t.transition_date else {
            continue;
        };
        // The last attempt went through all four weekend phases, on the weekend it transitioned.
        let last: Vec<_> = spans.iter().rev().take(4).rev().collect();
        let phases: Vec<Phase> = last.iter().map(|s| s.phase).collect();
        let weekend_phases = ["prestage", "lock", "data_upgrade", "finalize"].map(phase);
        assert_eq!(phases, weekend_phases);
        for s in &last {
            assert_eq!(s.outcome, SpanOutcome::Complete, "{s:?}");
            assert_eq!(s.weekend, date);
            assert!(s.done.is_some(), "{s:?} never finished its work");
        }
        let finalize = last[3];
        assert_eq!(
            finalize.end, finalize.done,
            "Finalize ends with the transition"
        );
        let weekend = SimTime::from_days(date.days_since(start) as u64);
        assert_eq!(last[2].start, weekend, "DataUpgrade starts at T");
    }
    assert!(d.spans.len() as u64 >= 4 * m.transitioned);
}

#[test]
fn hourly_states_are_on_the_hour_and_within_staffing() {
    let sc = small_scenario(&["clients.outlook_2003_share=0.3", "helpdesk.weekday=3"]);
    let (_, d) = run_detailed(&sc, 1);
    assert!(!d.hourly.is_empty());
    for (i, h) in d.hourly.iter().enumerate() {
        assert_eq!(h.time, SimTime(i as u64 * HOUR), "hour {i}");
        assert!(h.load.operators_busy <= h.load.operators_on_duty);
        let date = sc.calendar.start.add_days(h.time.day() as i64);
        let hour = ((h.time.ticks() % DAY) / HOUR) as u32;
        let agents = sc.helpdesk.staff_at(date.weekday().is_weekend(), hour);
        assert!(
            h.load.helpdesk_busy <= agents,
            "{h:?}: {agents} agents on duty"
        );
        assert!(h.load.copies_running <= sc.copy.slots * sc.population.regions.len() as u32);
    }
    assert!(d.hourly.iter().any(|h| h.load.helpdesk_queue > 0));
}

#[test]
fn chat_by_day_from_t_is_a_band_of_shares() {
    let sc = small_scenario(&["lync.early_move_probability=0.2"]);
    let (_, d) = run_detailed(&sc, 0);
    assert!(!d.islands.is_empty());
    assert!(
        d.islands
            .windows(2)
            .all(|w| w[1].days_from_t == w[0].days_from_t + 1)
    );
    for row in &d.islands {
        for band in [row.cross_island, row.broken] {
            assert!((0.0..=1.0).contains(&band.mean), "{row:?}");
            assert!(band.p10 <= band.p90, "{row:?}");
        }
        // Cross-island pairs are always broken too.
        assert!(row.cross_island.mean <= row.broken.mean + 1e-12, "{row:?}");
        if row.days_from_t >= 0 {
            // Everyone is on Lync Online from the upgrade at T.
            assert_eq!(row.cross_island.mean, 0.0, "{row:?}");
        }
    }
    let peak = d
        .islands
        .iter()
        .map(|r| r.cross_island.mean)
        .fold(0.0, f64::max);
    assert!(peak > 0.0, "early movers split some tenants");
}
