//! First come, first served: readiness order, first fit.

use super::{BatchContext, BatchPolicy, Candidate, Capacity, fill_in_order};

/// Takes ready tenants in the order they became ready, skipping any that no longer fit.
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
        _ctx: &BatchContext,
        chosen: &mut Vec<usize>,
    ) {
        fill_in_order(pool, 0..pool.len(), capacity, chosen);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;

    fn cand(tenant: u32, seats: u32, data_gb: f64) -> Candidate {
        Candidate {
            tenant,
            seats,
            mailboxes: seats,
            data_gb,
            region: 0,
            slips: 0,
            days_waiting: 0.0,
        }
    }

    #[test]
    fn takes_in_order_and_skips_what_does_not_fit() {
        let pool = [
            cand(0, 10, 1.0),
            cand(1, 100, 1.0),
            cand(2, 10, 1.0),
            cand(3, 10, 1.0),
        ];
        let cap = Capacity {
            max_tenants: 2,
            max_seats: 50,
            max_data_gb: 100.0,
        };
        let ctx = BatchContext {
            batch: 0,
            weekend: Date::from_ymd(2011, 11, 5).unwrap(),
        };
        let mut chosen = Vec::new();
        Fifo.select(&pool, &cap, &ctx, &mut chosen);
        assert_eq!(chosen, vec![0, 2]);
    }
}
