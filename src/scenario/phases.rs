//! The `[phases]` section: when each phase starts relative to the transition weekend T, and how
//! long the DataUpgrade window may run.

use super::reader::Section;
use crate::phase::Phase;

/// Phase start offsets relative to the transition date T (Saturday 00:00 of the weekend).
#[derive(Clone, Debug, PartialEq)]
pub struct Phases {
    pub primary_prep_days: i64,
    pub secondary_prep_days: i64,
    pub approval_days: i64,
    pub prestage_days: i64,
    pub lock_days: i64,
    pub finalize_hours: f64,
    /// How long DataUpgrade may take before the tenant is rolled back.
    pub window_hours: f64,
}

impl Phases {
    /// When `phase` starts, in hours from T; `None` for Pre-Approval, which a tenant is in from
    /// the start (and again after a rollback) rather than from an offset. The one place the
    /// named offsets become a list by phase.
    pub fn start_hours(&self, phase: Phase) -> Option<f64> {
        let days = |d: i64| Some(d as f64 * 24.0);
        match phase {
            Phase::PreApproval => None,
            Phase::PrimaryPrep => days(self.primary_prep_days),
            Phase::SecondaryPrep => days(self.secondary_prep_days),
            Phase::Approval => days(self.approval_days),
            Phase::PreStage => days(self.prestage_days),
            Phase::Lock => days(self.lock_days),
            Phase::DataUpgrade => Some(0.0),
            Phase::Finalize => Some(self.finalize_hours),
        }
    }
}

/// An offset from T as the charts and the manifest show it: `T-60` (days before T), `T`,
/// `T+48h` (hours after T), `T-6h` (hours before T that are not whole days).
pub fn offset_label(hours: f64) -> String {
    if hours == 0.0 {
        "T".into()
    } else if hours < 0.0 && hours % 24.0 == 0.0 {
        format!("T-{}", -hours / 24.0)
    } else if hours < 0.0 {
        format!("T-{}h", -hours)
    } else {
        format!("T+{hours}h")
    }
}

pub(super) fn read_phases(s: &Section<'_>) -> Phases {
    let day = |k, d| s.i64(k, d, -365, 0);
    let p = Phases {
        primary_prep_days: day("primary_prep_days", -60),
        secondary_prep_days: day("secondary_prep_days", -30),
        approval_days: day("approval_days", -14),
        prestage_days: day("prestage_days", -7),
        lock_days: day("lock_days", -1),
        finalize_hours: s.f64("finalize_hours", 48.0, 0.0, 24.0 * 14.0),
        window_hours: s.f64("window_hours", 48.0, 1.0, 24.0 * 7.0),
    };
    let order = [
        ("primary_prep_days", p.primary_prep_days),
        ("secondary_prep_days", p.secondary_prep_days),
        ("approval_days", p.approval_days),
        ("prestage_days", p.prestage_days),
        ("lock_days", p.lock_days),
    ];
    for pair in order.windows(2) {
        let ((a, da), (b, db)) = (pair[0], pair[1]);
        if da >= db {
            s.error(
                b,
                format!("phase offsets out of order: `phases.{a}` = {da} must come before `phases.{b}` = {db}"),
                Some("offsets are days relative to T and must increase through the phases".into()),
            );
        }
    }
    if p.lock_days >= 0 {
        s.error(
            "lock_days",
            "`phases.lock_days` must be before T (negative)",
            None,
        );
    }
    if p.finalize_hours < p.window_hours {
        s.error(
            "finalize_hours",
            format!(
                "`phases.finalize_hours` = {} starts Finalize before the {}-hour window closes",
                p.finalize_hours, p.window_hours
            ),
            Some("set finalize_hours >= window_hours".into()),
        );
    }
    s.finish();
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_read_as_days_before_and_hours_after_t() {
        assert_eq!(offset_label(-60.0 * 24.0), "T-60");
        assert_eq!(offset_label(0.0), "T");
        assert_eq!(offset_label(48.0), "T+48h");
        assert_eq!(offset_label(-6.0), "T-6h");
        assert_eq!(offset_label(36.5), "T+36.5h");
    }
}
