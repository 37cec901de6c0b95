//! The operator pool at a shift change: busy people never exceed the staff on duty, handed-back
//! jobs resume first with the work they had left, and completions of handed-back jobs are stale.

use cutover::engine::SimTime;
use cutover::model::{Job, OperatorPool, Started};

fn job(item: u32, remaining: u64) -> Job {
    Job {
        item,
        remaining,
        enqueued: SimTime::ZERO,
        resumed: false,
    }
}

#[test]
fn shift_end_hands_back_the_latest_job_with_its_remaining_work() {
    let mut pool = OperatorPool::new();
    let mut started: Vec<Started> = Vec::new();
    pool.set_staff(SimTime::ZERO, 2, |_| true, |s| started.push(s));
    pool.submit(SimTime::ZERO, job(0, 100), |_| true, |s| started.push(s));
    pool.submit(SimTime(5), job(1, 100), |_| true, |s| started.push(s));
    pool.submit(SimTime(5), job(2, 100), |_| true, |s| started.push(s));
    assert_eq!(started.iter().map(|s| s.item).collect::<Vec<_>>(), [0, 1]);
    assert_eq!(started[0].waited, Some(0));
    assert_eq!(
        started[1].waited,
        Some(5),
        "waited since it was enqueued at 0"
    );
    assert_eq!((pool.busy(), pool.queued()), (2, 1));
    let (first, second) = (started[0], started[1]);
    started.clear();

    // One person leaves at 30: item 1 started last, so it goes back with 75 ticks of work left.
    pool.set_staff(SimTime(30), 1, |_| true, |s| started.push(s));
    assert!(started.is_empty());
    assert_eq!((pool.staff(), pool.busy(), pool.queued()), (1, 1, 2));
    // Its completion event, already scheduled, is now stale.
    let stale = pool.finish(
        second.end,
        second.slot,
        second.token,
        |_| true,
        |s| started.push(s),
    );
    assert_eq!(stale, None);
    assert!(started.is_empty());

    // Item 0 ends; item 1 resumes before item 2 and is not counted as waiting again.
    let done = pool.finish(
        first.end,
        first.slot,
        first.token,
        |_| true,
        |s| started.push(s),
    );
    assert_eq!(done, Some(0));
    assert_eq!(started.len(), 1);
    assert_eq!(started[0].item, 1);
    assert_eq!(
        started[0].waited, None,
        "a resumed job already counted its wait"
    );
    assert_eq!(started[0].end, SimTime(100 + 75));
    let resumed = started[0];
    started.clear();

    // Item 2 was cancelled meanwhile: it is dropped, nobody starts it.
    let done = pool.finish(
        resumed.end,
        resumed.slot,
        resumed.token,
        |i| i != 2,
        |s| started.push(s),
    );
    assert_eq!(done, Some(1));
    assert!(started.is_empty());
    assert_eq!((pool.busy(), pool.queued()), (0, 0));
}
