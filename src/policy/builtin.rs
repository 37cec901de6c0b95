//! The built-in batch policies.

use std::cmp::Reverse;

use super::{
    BatchContext, BatchPolicy, Candidate, Capacity, Definition, Key, OrderKey, fill_in_order,
    order_by, random_key, readiness_order,
};

/// The declarative form of built-in policy `name`: an ordering, first fit, and for `risk-spread`
/// the error budget. Running it gives the same batches as the Rust policy, byte for byte.
pub fn definition(name: &str) -> Option<Definition> {
    let by = |key: Key, descending: bool| vec![OrderKey { key, descending }];
    let mut d = match name {
        "fifo" | "risk-spread" => Definition::ordering(name, Vec::new()),
        "smallest-first" => Definition::ordering(name, by(Key::Seats, false)),
        "largest-first" => Definition::ordering(name, by(Key::Seats, true)),
        "data-balanced" => Definition::ordering(name, by(Key::Data, true)),
        "region-waves" => Definition::ordering(name, by(Key::Region, false)),
        "random" => Definition::ordering(name, by(Key::Random, false)),
        _ => return None,
    };
    d.built_in = true;
    d.error_budget = name == "risk-spread";
    Some(d)
}

/// First come, first served: readiness order, first fit.
#[derive(Clone, Copy, Debug, Default)]
pub struct Fifo;

impl BatchPolicy for Fifo {
    fn name(&self) -> &str {
        "fifo"
    }

    fn select(
        &self,
        pool: &[Candidate],
        capacity: &Capacity,
        ctx: &BatchContext<'_>,
        chosen: &mut Vec<usize>,
    ) {
        fill_in_order(pool, readiness_order(pool, ctx), capacity, chosen);
    }
}

/// Smallest tenants (by seats) first: many small, low-risk transitions per weekend.
#[derive(Clone, Copy, Debug, Default)]
pub struct SmallestFirst;

impl BatchPolicy for SmallestFirst {
    fn name(&self) -> &str {
        "smallest-first"
    }

    fn select(
        &self,
        pool: &[Candidate],
        capacity: &Capacity,
        ctx: &BatchContext<'_>,
        chosen: &mut Vec<usize>,
    ) {
        fill_in_order(pool, order_by(pool, ctx, |c| c.seats), capacity, chosen);
    }
}

/// Largest tenants (by seats) first: the hard cases early, while there is time to retry them.
#[derive(Clone, Copy, Debug, Default)]
pub struct LargestFirst;

impl BatchPolicy for LargestFirst {
    fn name(&self) -> &str {
        "largest-first"
    }

    fn select(
        &self,
        pool: &[Candidate],
        capacity: &Capacity,
        ctx: &BatchContext<'_>,
        chosen: &mut Vec<usize>,
    ) {
        fill_in_order(
            pool,
            order_by(pool, ctx, |c| Reverse(c.seats)),
            capacity,
            chosen,
        );
    }
}

/// First-fit decreasing by data: fills the weekend's copy capacity with as much data as fits.
#[derive(Clone, Copy, Debug, Default)]
pub struct DataBalanced;

impl BatchPolicy for DataBalanced {
    fn name(&self) -> &str {
        "data-balanced"
    }

    fn select(
        &self,
        pool: &[Candidate],
        capacity: &Capacity,
        ctx: &BatchContext<'_>,
        chosen: &mut Vec<usize>,
    ) {
        // total_cmp on the bits gives a total order; data sizes are never NaN.
        let order = order_by(pool, ctx, |c| Reverse(c.data_gb.to_bits()));
        fill_in_order(pool, order, capacity, chosen);
    }
}

/// Readiness order, but keeps the batch's expected error load within what the weekend's
/// operators can clear. A tenant that alone exceeds the budget may still go in an empty batch, so
/// no tenant waits forever.
#[derive(Clone, Copy, Debug, Default)]
pub struct RiskSpread;

impl BatchPolicy for RiskSpread {
    fn name(&self) -> &str {
        "risk-spread"
    }

    fn select(
        &self,
        pool: &[Candidate],
        capacity: &Capacity,
        ctx: &BatchContext<'_>,
        chosen: &mut Vec<usize>,
    ) {
        let (mut seats, mut data, mut load) = (0u64, 0.0, 0.0);
        for i in readiness_order(pool, ctx) {
            if chosen.len() >= capacity.max_tenants as usize {
                break;
            }
            let c = &pool[i];
            let within_budget =
                load + c.expected_errors <= capacity.weekend_error_budget || chosen.is_empty();
            if within_budget
                && seats + u64::from(c.seats) <= capacity.max_seats
                && data + c.data_gb <= capacity.max_data_gb
            {
                seats += u64::from(c.seats);
                data += c.data_gb;
                load += c.expected_errors;
                chosen.push(i);
            }
        }
    }
}

/// Regions one after another, in `batching.region_order`: a region's tenants all go before the
/// next region's, readiness order within a region.
#[derive(Clone, Copy, Debug, Default)]
pub struct RegionWaves;

impl BatchPolicy for RegionWaves {
    fn name(&self) -> &str {
        "region-waves"
    }

    fn select(
        &self,
        pool: &[Candidate],
        capacity: &Capacity,
        ctx: &BatchContext<'_>,
        chosen: &mut Vec<usize>,
    ) {
        let rank = |c: &Candidate| {
            ctx.region_rank
                .get(c.region as usize)
                .copied()
                .unwrap_or(u16::MAX)
        };
        fill_in_order(pool, order_by(pool, ctx, rank), capacity, chosen);
    }
}

/// A random order, reproducible: each tenant's place is a hash of (replication, batch, tenant).
#[derive(Clone, Copy, Debug, Default)]
pub struct RandomOrder;

impl BatchPolicy for RandomOrder {
    fn name(&self) -> &str {
        "random"
    }

    fn select(
        &self,
        pool: &[Candidate],
        capacity: &Capacity,
        ctx: &BatchContext<'_>,
        chosen: &mut Vec<usize>,
    ) {
        let key = |c: &Candidate| random_key(c, ctx);
        fill_in_order(pool, order_by(pool, ctx, key), capacity, chosen);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::policy::by_name;

    fn cand(tenant: u32, seats: u32, data_gb: f64, region: u16, slips: u32) -> Candidate {
        Candidate {
            tenant,
            seats,
            mailboxes: seats,
            data_gb,
            region,
            slips,
            days_waiting: 0.0,
            expected_errors: f64::from(seats) / 100.0,
        }
    }

    fn ctx(slipped_first: bool, region_rank: &[u16]) -> BatchContext<'_> {
        BatchContext {
            batch: 3,
            weekend: Date::from_ymd(2011, 11, 5).unwrap(),
            slipped_first,
            region_rank,
            replication_key: 9,
            error_backlog: 0,
        }
    }

    fn cap(max_tenants: u32, max_seats: u64, max_data_gb: f64) -> Capacity {
        Capacity {
            max_tenants,
            max_seats,
            max_data_gb,
            weekend_error_budget: f64::INFINITY,
        }
    }

    fn pick(
        policy: &dyn BatchPolicy,
        pool: &[Candidate],
        capacity: &Capacity,
        ctx: &BatchContext<'_>,
    ) -> Vec<u32> {
        let mut chosen = Vec::new();
        policy.select(pool, capacity, ctx, &mut chosen);
        chosen.iter().map(|&i| pool[i].tenant).collect()
    }

    fn pool() -> Vec<Candidate> {
        vec![
            cand(0, 40, 30.0, 2, 0),
            cand(1, 5, 90.0, 0, 0),
            cand(2, 300, 10.0, 1, 0),
            cand(3, 12, 50.0, 0, 0),
            cand(4, 1, 5.0, 2, 0),
            cand(5, 70, 70.0, 1, 0),
        ]
    }

    #[test]
    fn readiness_order_is_the_stable_sort_by_the_slipped_flag() {
        let slips = [0, 2, 0, 1, 0, 0, 3, 0];
        let pool: Vec<_> = (0..slips.len())
            .map(|i| cand(i as u32, 1, 1.0, 0, slips[i]))
            .collect();
        for first in [true, false] {
            let ctx = ctx(first, &[]);
            let order: Vec<usize> = readiness_order(&pool, &ctx).collect();
            assert_eq!(
                order,
                order_by(&pool, &ctx, |_| ()),
                "slipped first: {first}"
            );
        }
        let order: Vec<usize> = readiness_order(&pool, &ctx(true, &[])).collect();
        assert_eq!(order, [1, 3, 6, 0, 2, 4, 5, 7]);
    }

    #[test]
    fn fifo_takes_in_order_and_skips_what_does_not_fit() {
        assert_eq!(
            pick(&Fifo, &pool(), &cap(3, 100, 1e9), &ctx(true, &[])),
            vec![0, 1, 3]
        );
    }

    #[test]
    fn smallest_first_picks_the_smallest_that_fit() {
        assert_eq!(
            pick(&SmallestFirst, &pool(), &cap(3, 1000, 1e9), &ctx(true, &[])),
            vec![4, 1, 3]
        );
        // Largest first is the mirror image.
        assert_eq!(
            pick(&LargestFirst, &pool(), &cap(2, 1000, 1e9), &ctx(true, &[])),
            vec![2, 5]
        );
    }

    #[test]
    fn data_balanced_fills_but_never_passes_the_data_cap() {
        let chosen = pick(
            &DataBalanced,
            &pool(),
            &cap(10, 10_000, 160.0),
            &ctx(true, &[]),
        );
        let pool = pool();
        let data: f64 = chosen.iter().map(|&t| pool[t as usize].data_gb).sum();
        assert!(data <= 160.0);
        // Decreasing order: 90 and 70 fill it exactly.
        assert_eq!(chosen, vec![1, 5]);
    }

    #[test]
    fn region_waves_keep_the_order() {
        let rank = [1, 2, 0]; // region 2 first, then 0, then 1
        assert_eq!(
            pick(&RegionWaves, &pool(), &cap(4, 1000, 1e9), &ctx(true, &rank)),
            vec![0, 4, 1, 3]
        );
    }

    #[test]
    fn risk_spread_respects_the_error_budget() {
        let capacity = Capacity {
            weekend_error_budget: 0.6,
            ..cap(10, 10_000, 1e9)
        };
        // expected errors are seats / 100: 0.4, 0.05, 3.0, 0.12, 0.01, 0.7
        assert_eq!(
            pick(&RiskSpread, &pool(), &capacity, &ctx(true, &[])),
            vec![0, 1, 3, 4]
        );
        // A tenant over budget on its own still goes, alone, in an empty batch.
        let big = [cand(7, 300, 1.0, 0, 0), cand(8, 1, 1.0, 0, 0)];
        assert_eq!(pick(&RiskSpread, &big, &capacity, &ctx(true, &[])), vec![7]);
    }

    #[test]
    fn slipped_tenants_come_first_unless_disabled() {
        let mut pool = pool();
        pool[5].slips = 1;
        assert_eq!(
            pick(&SmallestFirst, &pool, &cap(2, 1000, 1e9), &ctx(true, &[]))[0],
            5
        );
        assert_eq!(
            pick(&SmallestFirst, &pool, &cap(2, 1000, 1e9), &ctx(false, &[])),
            vec![4, 1]
        );
    }

    #[test]
    fn random_is_reproducible_and_depends_on_the_batch() {
        let pool: Vec<Candidate> = (0..50).map(|t| cand(t, 1, 1.0, 0, 0)).collect();
        let c = ctx(true, &[]);
        let a = pick(&RandomOrder, &pool, &cap(10, 1000, 1e9), &c);
        assert_eq!(a, pick(&RandomOrder, &pool, &cap(10, 1000, 1e9), &c));
        let other = BatchContext { batch: 4, ..c };
        assert_ne!(a, pick(&RandomOrder, &pool, &cap(10, 1000, 1e9), &other));
    }

    #[test]
    fn every_name_resolves_to_its_policy() {
        for name in crate::policy::NAMES {
            assert_eq!(by_name(name).unwrap().name(), *name);
        }
        assert!(by_name("fastest").is_none());
    }

    /// The manifest records every policy's full definition: a built-in one without a declarative
    /// form would be left out of it silently.
    #[test]
    fn every_built_in_policy_has_its_declarative_form() {
        for name in crate::policy::NAMES {
            let d = definition(name).unwrap_or_else(|| panic!("{name} has no declarative form"));
            assert_eq!((d.name.as_str(), d.built_in), (*name, true));
        }
    }
}
