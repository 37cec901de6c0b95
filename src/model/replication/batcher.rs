//! The batcher: the tenants ready for a batch, in the order they became ready (rolled-back ones
//! kept apart, so a policy may put them first), and the formation of each weekend's batch by the
//! batch policy within the scenario's caps. It decides who goes on a batch; placing them there
//! (their phases, their events) is the replication's.

use super::tenants::{NO_BATCH, TenantTable};
use crate::date::Date;
use crate::engine::{SimTime, Streams};
use crate::model::metrics::BatchRecord;
use crate::model::population::{Profile, purpose};
use crate::model::risk::RiskModel;
use crate::policy::{BatchContext, BatchPolicy, Candidate, Capacity};
use crate::scenario::Scenario;

/// A tenant in the pool, with what the policy sees of it that does not change while it waits
/// (its profile's figures, its slips, its expected errors): forming a batch then reads the two
/// lines in order instead of each waiting tenant's profile and state, scattered in memory.
struct Ready {
    since: SimTime,
    /// The policy's view, but for `days_waiting`, filled in when a batch is formed.
    candidate: Candidate,
    blackberry: bool,
    /// Chosen for the batch being formed: leaves the line.
    chosen: bool,
}

impl Ready {
    /// The line's order: (ready since, id), unique.
    fn key(&self) -> (SimTime, u32) {
        (self.since, self.candidate.tenant)
    }
}

pub(super) struct Batcher<'a> {
    sc: &'a Scenario,
    policy: &'a dyn BatchPolicy,
    /// Ready tenants: rolled back ones, then the rest, each in ascending (ready since, id)
    /// order, so that a batch's readiness order is a merge of the two, not a sort.
    slipped: Vec<Ready>,
    fresh: Vec<Ready>,
    batches: Vec<BatchRecord>,
    risk: RiskModel,
    /// Rank of each region index in `batching.region_order`.
    region_rank: Vec<u16>,
    /// The replication's key for policies that draw (the same under every policy).
    policy_key: u64,
    /// Reused from batch to batch: the policy's view of the pool in readiness order, the
    /// policy's choice (indices into it) and the tenants it placed; and where in the lines each
    /// candidate waits (its index in `slipped`, or `fresh`'s with `FRESH` added).
    candidates: Vec<Candidate>,
    origins: Vec<usize>,
    chosen: Vec<usize>,
    placed: Vec<u32>,
}

impl<'a> Batcher<'a> {
    pub fn new(sc: &'a Scenario, policy: &'a dyn BatchPolicy, streams: &Streams) -> Self {
        Batcher {
            sc,
            policy,
            slipped: Vec::new(),
            fresh: Vec::new(),
            batches: Vec::new(),
            risk: RiskModel::new(sc),
            region_rank: sc
                .population
                .regions
                .iter()
                .map(|r| {
                    let rank = sc.batching.region_order.iter().position(|o| o == r);
                    rank.map_or(u16::MAX, |i| i as u16)
                })
                .collect(),
            policy_key: streams.first_word(0, purpose::POLICY),
            candidates: Vec::new(),
            origins: Vec::new(),
            chosen: Vec::new(),
            placed: Vec::new(),
        }
    }

    /// The batches formed so far.
    pub fn batches(&self) -> &[BatchRecord] {
        &self.batches
    }

    /// The tenants the last formed batch placed, in readiness order.
    pub fn placed(&self) -> &[u32] {
        &self.placed
    }

    /// The tenant (of profile `p`) joins the pool at `now`: ready for the first time, or again
    /// after a rollback (`slipped`).
    pub fn join(
        &mut self,
        tenants: &mut TenantTable,
        tenant: u32,
        p: &Profile,
        now: SimTime,
        slipped: bool,
    ) {
        let t = tenants.get_mut(tenant);
        t.in_pool = true;
        t.ready_since = now;
        // A tenant's slips change only when it is rolled back, before it joins again.
        let ready = Ready {
            since: now,
            candidate: Candidate {
                tenant,
                seats: p.seats,
                mailboxes: p.mailboxes,
                data_gb: p.data_gb,
                region: p.region,
                slips: t.slips,
                days_waiting: 0.0,
                expected_errors: self.risk.expected_errors(p),
            },
            blackberry: p.blackberry,
            chosen: false,
        };
        let line = if slipped {
            &mut self.slipped
        } else {
            &mut self.fresh
        };
        // Tenants join in time order, so the place is at or near the back.
        let key = ready.key();
        let mut at = line.len();
        while at > 0 && line[at - 1].key() > key {
            at -= 1;
        }
        line.insert(at, ready);
    }

    /// A tenant of `batch` transitioned.
    pub fn transitioned(&mut self, batch: u32) {
        if batch != NO_BATCH {
            self.batches[batch as usize].transitioned += 1;
        }
    }

    /// A tenant of `batch` was rolled back.
    pub fn slipped(&mut self, batch: u32) {
        if batch != NO_BATCH {
            self.batches[batch as usize].slipped += 1;
        }
    }

    /// The weekend a plan made at `now` is for: the first Saturday at least `lead_days` ahead,
    /// as a date and a time.
    pub fn weekend_for(&self, now: SimTime) -> (Date, SimTime) {
        let start = self.sc.calendar.start;
        let date = self.sc.batching.weekend_for(start, now.day());
        (date, SimTime::from_days(date.days_since(start) as u64))
    }

    /// Forms the batch of the weekend of `weekend`: the policy chooses from the pool (given the
    /// `errors_outstanding` it may weigh), and the tenants it chose leave the pool. Returns the
    /// batch's number, or `None` when nobody was chosen (no batch is formed); `placed` names
    /// its tenants.
    // Kept out of line: it runs once a week, and on its own it can be profiled as one function.
    #[inline(never)]
    pub fn form(
        &mut self,
        now: SimTime,
        weekend: Date,
        tenants: &mut TenantTable,
        errors_outstanding: u32,
    ) -> Option<u32> {
        /// Added to an index into `fresh` in `origins`: beyond any index into `slipped`.
        const FRESH: usize = 1 << (usize::BITS - 1);
        let b = &self.sc.batching;
        self.placed.clear();
        self.candidates.clear();
        self.origins.clear();
        // Readiness order, (ready since, id) ascending; the policy decides whether rolled-back
        // tenants go first. Each line is kept in that order, and the keys are unique, so merging
        // the two gives the one sorted order.
        // Hosted BlackBerry tenants wait in the pool until their first allowed weekend.
        let hold_blackberry = weekend < self.sc.population.estate.blackberry_not_before;
        let (slipped, fresh) = (&self.slipped, &self.fresh);
        let (mut s, mut f) = (0, 0);
        while s < slipped.len() || f < fresh.len() {
            let (ready, origin) =
                if f == fresh.len() || (s < slipped.len() && slipped[s].key() < fresh[f].key()) {
                    s += 1;
                    (&slipped[s - 1], s - 1)
                } else {
                    f += 1;
                    (&fresh[f - 1], FRESH + f - 1)
                };
            if hold_blackberry && ready.blackberry {
                continue;
            }
            let id = ready.candidate.tenant;
            debug_assert_eq!(ready.since, tenants.get(id).ready_since);
            debug_assert_eq!(ready.candidate.slips, tenants.get(id).slips);
            self.candidates.push(Candidate {
                days_waiting: now.saturating_since(ready.since).as_days(),
                ..ready.candidate
            });
            self.origins.push(origin);
        }
        let capacity = Capacity {
            max_tenants: b.max_tenants,
            max_seats: b.max_seats,
            max_data_gb: b.max_data_gb,
            weekend_error_budget: self.risk.weekend_error_budget,
        };
        let batch = self.batches.len() as u32;
        let ctx = BatchContext {
            batch,
            weekend,
            slipped_first: b.slipped_first,
            region_rank: &self.region_rank,
            replication_key: self.policy_key,
            error_backlog: errors_outstanding,
        };
        self.chosen.clear();
        self.policy
            .select(&self.candidates, &capacity, &ctx, &mut self.chosen);
        self.chosen.sort_unstable();
        self.chosen.dedup();
        self.chosen.retain(|&i| i < self.candidates.len());
        if self.chosen.is_empty() {
            return None;
        }
        let mut record = BatchRecord {
            batch,
            weekend,
            tenants: 0,
            seats: 0,
            data_gb: 0.0,
            transitioned: 0,
            slipped: 0,
        };
        for &i in &self.chosen {
            let c = &self.candidates[i];
            let id = c.tenant;
            record.tenants += 1;
            record.seats += u64::from(c.seats);
            record.data_gb += c.data_gb;
            tenants.get_mut(id).in_pool = false;
            self.placed.push(id);
            let origin = self.origins[i];
            let ready = if origin >= FRESH {
                &mut self.fresh[origin - FRESH]
            } else {
                &mut self.slipped[origin]
            };
            ready.chosen = true;
        }
        self.slipped.retain(|r| !r.chosen);
        self.fresh.retain(|r| !r.chosen);
        self.batches.push(record);
        Some(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Weekday;
    use crate::model::population::Population;
    use crate::policy::by_name;

    /// What a batcher is built from: a scenario of six tenants with `text` appended, the `fifo`
    /// policy and the streams of a seed, kept here for the batcher to borrow.
    struct Fixture {
        sc: Scenario,
        policy: Box<dyn BatchPolicy>,
        streams: Streams,
    }

    impl Fixture {
        fn new(text: &str, seed: u64) -> Self {
            let sc = Scenario::from_text(
                &format!("name = \"t\"\n[population]\ntenants = 6\n{text}"),
                "t.toml",
                &[],
            )
            .unwrap();
            let policy = by_name("fifo").unwrap();
            let streams = Streams::new(seed, 0);
            Fixture {
                sc,
                policy,
                streams,
            }
        }

        fn batcher(&self) -> Batcher<'_> {
            Batcher::new(&self.sc, self.policy.as_ref(), &self.streams)
        }

        /// The tenants' table, none placed yet, and their profiles.
        fn tenants(&self) -> (TenantTable, Population) {
            let table = TenantTable::new(6, self.sc.phases.programme.len());
            (table, Population::generate(&self.sc, &self.streams))
        }
    }

    #[test]
    fn the_policy_chooses_from_the_pool_in_readiness_order_within_the_caps() {
        let fixture = Fixture::new("[batching]\nmax_tenants = 2\n", 1);
        let mut batcher = fixture.batcher();
        let (mut tenants, population) = fixture.tenants();
        for (id, at) in [(3, 5), (1, 2), (4, 9)] {
            let p = &population.tenants[id as usize];
            batcher.join(&mut tenants, id, p, SimTime(at), false);
        }
        let (date, _) = batcher.weekend_for(SimTime::ZERO);
        let batch = batcher.form(SimTime(10), date, &mut tenants, 0);
        assert_eq!(batch, Some(0));
        assert_eq!(batcher.placed(), [1, 3], "the two that were ready first");
        assert!(!tenants.get(1).in_pool && tenants.get(4).in_pool);
        let record = &batcher.batches()[0];
        assert_eq!((record.batch, record.tenants, record.weekend), (0, 2, date));
        // The next batch takes the one left, and then there is nobody to batch.
        assert_eq!(batcher.form(SimTime(20), date, &mut tenants, 0), Some(1));
        assert_eq!(batcher.placed(), [4]);
        assert_eq!(batcher.form(SimTime(30), date, &mut tenants, 0), None);
        assert_eq!(batcher.batches().len(), 2);
    }

    #[test]
    fn a_slipped_tenant_is_counted_against_its_batch_and_ready_again() {
        let fixture = Fixture::new("", 2);
        let mut batcher = fixture.batcher();
        let (mut tenants, population) = fixture.tenants();
        let p = &population.tenants[0];
        batcher.join(&mut tenants, 0, p, SimTime::ZERO, false);
        let (date, _) = batcher.weekend_for(SimTime::ZERO);
        let batch = batcher.form(SimTime(1), date, &mut tenants, 0).unwrap();
        batcher.slipped(batch);
        batcher.join(&mut tenants, 0, p, SimTime(50), true);
        assert!(tenants.get(0).in_pool);
        assert_eq!(tenants.get(0).ready_since, SimTime(50));
        assert_eq!(batcher.batches()[0].slipped, 1);
        batcher.slipped(NO_BATCH);
        assert_eq!(batcher.form(SimTime(60), date, &mut tenants, 0), Some(1));
        assert_eq!(batcher.placed(), [0]);
    }

    #[test]
    fn a_plan_is_for_the_first_saturday_at_least_the_lead_ahead() {
        let fixture = Fixture::new("[batching]\nlead_days = 70\n", 1);
        let batcher = fixture.batcher();
        let start = fixture.sc.calendar.start;
        for day in 0..14 {
            let (date, at) = batcher.weekend_for(SimTime::from_days(day));
            assert_eq!(date.weekday(), Weekday::Saturday);
            let ahead = date.days_since(start) - day as i64;
            assert!((70..77).contains(&ahead), "day {day}: {ahead} days ahead");
            assert_eq!(at, SimTime::from_days(date.days_since(start) as u64));
        }
    }
}
