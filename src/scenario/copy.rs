//! The `[copy]` section: copy slots per region and per tenant, and how fast one copy runs.

use super::dist::Dist;
use super::reader::Section;

#[derive(Clone, Debug, PartialEq)]
pub struct Copy {
    /// Concurrent copies per region.
    pub slots: u32,
    /// Concurrent copies per tenant.
    pub per_tenant: u32,
    /// Copy rate of one item, sampled per attempt.
    pub gb_per_hour: Dist,
    /// Fixed set-up time of each copy attempt.
    pub overhead_minutes: f64,
}

pub(super) fn read_copy(s: &Section<'_>) -> Copy {
    let c = Copy {
        slots: s.u32("slots", 400, 1, 1_000_000),
        per_tenant: s.u32("per_tenant", 20, 1, 10_000),
        gb_per_hour: s.dist(
            "gb_per_hour",
            Dist::lognormal(0.6, 0.3)
                .and_then(|d| d.clamped(Some(0.3), Some(1.0)))
                .expect("valid"),
            (1e-6, f64::INFINITY),
        ),
        overhead_minutes: s.f64("overhead_minutes", 2.0, 0.0, 24.0 * 60.0),
    };
    s.finish();
    c
}
