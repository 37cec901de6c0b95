//! The causes of slips answer the planner's question: on the default programme, copy slots per
//! tenant are the lever. Raising `copy.per_tenant` on the same replications (common random
//! numbers) cuts the slips put down to the copy backlog, and leaves the other causes where they
//! were. (That every slip and miss has exactly one cause is checked with the model's invariants,
//! over every shipped scenario and random ones.)

use cutover::model::{MissCause, SlipCause, simulate};
use cutover::scenario::{BUNDLED, Scenario, Source};

/// Per cause, the slips and misses summed over the first `reps` replications of the default
/// programme with `copy.per_tenant` set.
fn causes(per_tenant: u32, reps: u64) -> ([u64; SlipCause::COUNT], [u64; MissCause::COUNT]) {
    let bpos = BUNDLED
        .iter()
        .find(|b| b.name == "bpos-2011")
        .expect("the default programme is bundled");
    let sc = Scenario::load(
        &Source::Bundled(bpos),
        &[format!("copy.per_tenant={per_tenant}")],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let policy = cutover::policy::by_name(&sc.batching.policy).expect("a known policy");
    let (mut slips, mut missed) = ([0; SlipCause::COUNT], [0; MissCause::COUNT]);
    for r in 0..reps {
        let m = simulate(&sc, policy.as_ref(), r, false).metrics;
        for (sum, n) in slips.iter_mut().zip(m.slips_by_cause()) {
            *sum += n;
        }
        for (sum, n) in missed.iter_mut().zip(m.missed_by_cause()) {
            *sum += n;
        }
    }
    (slips, missed)
}

#[test]
fn more_copies_per_tenant_cut_the_copy_backlog_slips_alone() {
    let reps = 3;
    let (narrow, narrow_missed) = causes(20, reps);
    let (wide, wide_missed) = causes(100, reps);
    let backlog = SlipCause::CopyBacklog as usize;
    eprintln!("slips by cause at 20: {narrow:?}, at 100: {wide:?}");
    eprintln!("misses by cause at 20: {narrow_missed:?}, at 100: {wide_missed:?}");
    // The default programme's slips are copy backlogs: many of them.
    assert!(narrow[backlog] >= 30 * reps, "{narrow:?}");
    assert!(
        2 * wide[backlog] < narrow[backlog],
        "five times the copies per tenant should at least halve the copy backlog slips: {narrow:?} -> {wide:?}"
    );
    let others = |s: &[u64; SlipCause::COUNT]| -> u64 {
        s.iter()
            .enumerate()
            .filter(|(i, _)| *i != backlog)
            .map(|(_, n)| n)
            .sum()
    };
    let (before, after) = (others(&narrow), others(&wide));
    assert!(
        before.abs_diff(after) <= 2 + narrow[backlog] / 10,
        "the other causes moved from {before} to {after}: {narrow:?} -> {wide:?}"
    );
    // Fewer slips, fewer misses.
    let total = |m: &[u64; MissCause::COUNT]| m.iter().sum::<u64>();
    assert!(total(&wide_missed) < total(&narrow_missed));
}
