//! What a policy that spreads risk across weekends expects of a tenant: the workitems likely to
//! need an operator, and how many the weekend's operators can resolve.

use super::population::Profile;
use crate::phase::{CopySource, WorkKind};
use crate::scenario::Scenario;

/// Expected operator load, for policies that spread risk across weekends.
pub(crate) struct RiskModel {
    pub per_mailbox: f64,
    pub per_tenant: f64,
    /// `per_tenant` for a tenant coexisting with on-premises mail.
    pub per_coexisting_tenant: f64,
    pub weekend_error_budget: f64,
}

impl RiskModel {
    pub fn new(sc: &Scenario) -> Self {
        // A workitem needs a person if it fails hard, or fails transiently more often than the
        // retry limit allows.
        let programme = &sc.phases.programme;
        let p = |kind: WorkKind, coexistence: bool| {
            let k = sc.workitems.kind(kind);
            let multiplied = coexistence && programme.in_window(kind);
            let hard = sc.workitems.hard_failure_probability(kind, multiplied);
            let exhausted = k
                .transient_probability
                .powi(sc.workitems.max_retries as i32 + 1);
            hard + (1.0 - hard) * exhausted
        };
        let copies_of = |source| {
            programme
                .kinds()
                .filter(move |&k| programme.kind(k).copy == Some(source))
        };
        // Per tenant: its site copies and the window's work.
        let window_work = &programme.phase(programme.window()).work;
        let per_tenant = |coexistence| {
            copies_of(CopySource::Sites)
                .chain(window_work.iter().copied())
                .map(|kind| p(kind, coexistence))
                .sum()
        };
        let o = &sc.operators;
        let weekend_hours = f64::from(o.weekend_hours.1 - o.weekend_hours.0);
        let operator_hours = 2.0 * f64::from(o.weekend) * weekend_hours;
        RiskModel {
            per_mailbox: copies_of(CopySource::Mailboxes)
                .map(|kind| p(kind, false))
                .sum(),
            per_tenant: per_tenant(false),
            per_coexisting_tenant: per_tenant(true),
            weekend_error_budget: operator_hours / o.resolve_hours.mean_estimate().max(1e-9),
        }
    }

    /// Expected errors of a tenant's weekend work: its copies and its window's workitems.
    pub fn expected_errors(&self, p: &Profile) -> f64 {
        let per_tenant = if p.coexistence {
            self.per_coexisting_tenant
        } else {
            self.per_tenant
        };
        self.per_mailbox * f64::from(p.mailboxes) + per_tenant
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(set: &[&str]) -> Scenario {
        let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
        Scenario::from_text("name = \"r\"\n", "r.toml", &set).unwrap()
    }

    #[test]
    fn errors_grow_with_mailboxes_and_coexistence() {
        let risk = RiskModel::new(&scenario(&[]));
        let profile = |mailboxes, coexistence| {
            let mut p = Profile::default();
            p.mailboxes = mailboxes;
            p.coexistence = coexistence;
            p
        };
        let small = risk.expected_errors(&profile(1, false));
        let large = risk.expected_errors(&profile(100, false));
        assert!(large > small && small > 0.0, "{small} {large}");
        assert!(risk.expected_errors(&profile(1, true)) > small);
        assert!(risk.weekend_error_budget > 0.0);
    }

    #[test]
    fn exhausted_retries_count_as_errors() {
        let never_hard = ["workitems.hard_failure_probability=0"];
        let patient = RiskModel::new(&scenario(&never_hard));
        let mut impatient = never_hard.to_vec();
        impatient.extend([
            "workitems.max_retries=0",
            "workitems.transient_probability=0.5",
        ]);
        let impatient = RiskModel::new(&scenario(&impatient));
        assert!(patient.per_mailbox < 1e-9, "{}", patient.per_mailbox);
        assert!((impatient.per_mailbox - 0.5).abs() < 1e-12);
    }
}
