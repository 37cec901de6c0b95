//! The vocabulary shared by the scenario and the model: the phases a tenant walks through, the
//! status it has within each, and the kinds of work the phases run.

use std::fmt;

/// Where a tenant is in its transition. Order matters: a tenant only moves forward, except when it
/// is rolled back to `PreApproval`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    PreApproval,
    PrimaryPrep,
    SecondaryPrep,
    Approval,
    PreStage,
    Lock,
    DataUpgrade,
    Finalize,
}

impl Phase {
    /// How many phases there are: the length of every per-phase array.
    pub const COUNT: usize = 8;

    pub const ALL: [Phase; Phase::COUNT] = [
        Phase::PreApproval,
        Phase::PrimaryPrep,
        Phase::SecondaryPrep,
        Phase::Approval,
        Phase::PreStage,
        Phase::Lock,
        Phase::DataUpgrade,
        Phase::Finalize,
    ];

    /// Column name in CSV output.
    pub fn key(self) -> &'static str {
        match self {
            Phase::PreApproval => "pre_approval",
            Phase::PrimaryPrep => "primary_prep",
            Phase::SecondaryPrep => "secondary_prep",
            Phase::Approval => "approval",
            Phase::PreStage => "prestage",
            Phase::Lock => "lock",
            Phase::DataUpgrade => "data_upgrade",
            Phase::Finalize => "finalize",
        }
    }

    /// The phases of the weekend, whose spans the detail replication records: Pre-Stage to Finalize.
    pub const WEEKEND: [Phase; Phase::WEEKEND_COUNT] = [
        Phase::PreStage,
        Phase::Lock,
        Phase::DataUpgrade,
        Phase::Finalize,
    ];
    pub const WEEKEND_COUNT: usize = 4;

    /// Index of a weekend phase in `Phase::WEEKEND`, `None` for the phases before.
    pub fn weekend_index(self) -> Option<usize> {
        (self as usize).checked_sub(Phase::PreStage as usize)
    }

    /// The name charts and the manifest show.
    pub fn name(self) -> &'static str {
        match self {
            Phase::PreApproval => "Pre-Approval",
            Phase::PrimaryPrep => "PrimaryPrep",
            Phase::SecondaryPrep => "SecondaryPrep",
            Phase::Approval => "Approval",
            Phase::PreStage => "Pre-Stage",
            Phase::Lock => "Lock",
            Phase::DataUpgrade => "DataUpgrade",
            Phase::Finalize => "Finalize",
        }
    }

    pub fn next(self) -> Option<Phase> {
        Phase::ALL.get(self as usize + 1).copied()
    }

    pub fn prev(self) -> Option<Phase> {
        (self as usize).checked_sub(1).map(|i| Phase::ALL[i])
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::PreApproval => "PreApproval",
            Phase::PrimaryPrep => "PrimaryPrep",
            Phase::SecondaryPrep => "SecondaryPrep",
            Phase::Approval => "Approval",
            Phase::PreStage => "PreStage",
            Phase::Lock => "Lock",
            Phase::DataUpgrade => "DataUpgrade",
            Phase::Finalize => "Finalize",
        })
    }
}

/// The status within a phase, as the transition dashboards showed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Waiting for its work to be picked up.
    Pending,
    /// Work under way.
    InProgress,
    /// One or more workitems hit a retry condition and are retrying.
    Warning,
    /// One or more workitems failed and wait for a person.
    Error,
    /// No outstanding work in this phase.
    Complete,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Counts of a tenant's outstanding workitems in its current phase, from which its status follows.
///
/// Deriving the status rather than storing it means it can never disagree with the work.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WorkCounts {
    /// Not yet started (e.g. waiting for a copy slot).
    pub waiting: u32,
    pub running: u32,
    /// Between a transient failure and its retry.
    pub retrying: u32,
    /// Failed hard, queued for or being handled by an operator.
    pub failed: u32,
}

impl WorkCounts {
    pub fn outstanding(&self) -> u32 {
        self.waiting + self.running + self.retrying + self.failed
    }

    /// The status shown for these counts: the most serious condition wins.
    pub fn status(&self) -> Status {
        if self.failed > 0 {
            Status::Error
        } else if self.retrying > 0 {
            Status::Warning
        } else if self.running > 0 {
            Status::InProgress
        } else if self.waiting > 0 {
            Status::Pending
        } else {
            Status::Complete
        }
    }
}

/// Kinds of workitem; each has its own duration and failure figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WorkKind {
    Notice,
    AdminLock,
    MailboxCopy,
    SiteCopy,
    DirectorySync,
    MailboxCutover,
    SharePointSwitch,
    ChatUpgrade,
    Cleanup,
}

impl WorkKind {
    pub const ALL: [WorkKind; 9] = [
        WorkKind::Notice,
        WorkKind::AdminLock,
        WorkKind::MailboxCopy,
        WorkKind::SiteCopy,
        WorkKind::DirectorySync,
        WorkKind::MailboxCutover,
        WorkKind::SharePointSwitch,
        WorkKind::ChatUpgrade,
        WorkKind::Cleanup,
    ];

    /// The workitems of the DataUpgrade phase itself (not the copies that may run into it), in
    /// the order they start.
    pub const DATA_UPGRADE: [WorkKind; 4] = [
        WorkKind::DirectorySync,
        WorkKind::MailboxCutover,
        WorkKind::SharePointSwitch,
        WorkKind::ChatUpgrade,
    ];

    /// The key of this kind's table under `[workitems]`.
    pub fn key(self) -> &'static str {
        match self {
            WorkKind::Notice => "notice",
            WorkKind::AdminLock => "admin_lock",
            WorkKind::MailboxCopy => "mailbox_copy",
            WorkKind::SiteCopy => "site_copy",
            WorkKind::DirectorySync => "directory_sync",
            WorkKind::MailboxCutover => "mailbox_cutover",
            WorkKind::SharePointSwitch => "sharepoint_switch",
            WorkKind::ChatUpgrade => "chat_upgrade",
            WorkKind::Cleanup => "cleanup",
        }
    }

    pub fn is_copy(self) -> bool {
        matches!(self, WorkKind::MailboxCopy | WorkKind::SiteCopy)
    }

    pub fn is_data_upgrade(self) -> bool {
        WorkKind::DATA_UPGRADE.contains(&self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_serious_condition_wins() {
        let c = WorkCounts {
            waiting: 3,
            running: 2,
            retrying: 1,
            failed: 0,
        };
        assert_eq!(c.status(), Status::Warning);
        assert_eq!(WorkCounts { failed: 1, ..c }.status(), Status::Error);
        assert_eq!(WorkCounts::default().status(), Status::Complete);
        assert_eq!(
            WorkCounts {
                waiting: 1,
                ..Default::default()
            }
            .status(),
            Status::Pending
        );
    }

    #[test]
    fn weekend_phases_are_the_last_ones_in_order() {
        for (i, p) in Phase::WEEKEND.into_iter().enumerate() {
            assert_eq!(p.weekend_index(), Some(i));
        }
        assert_eq!(Phase::Approval.weekend_index(), None);
        assert_eq!(Phase::ALL.last(), Phase::WEEKEND.last());
        assert!(WorkKind::DATA_UPGRADE.iter().all(|k| !k.is_copy()));
    }
}
