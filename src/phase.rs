//! The vocabulary shared by the scenario and the model: the programme (its phases and the kinds of
//! work they run, as the scenario defines them), the status a tenant has within a phase, and the
//! counts of work from which that status follows.

/// Most phases a programme may have (every per-phase array and CSV column set is bounded by it).
pub const MAX_PHASES: usize = 16;
/// Most kinds of work a programme may define.
pub const MAX_KINDS: usize = 64;

/// A phase's offset from T, `hours`, in the simulation's ticks (seconds), rounded to the nearest
/// as every duration is: the one conversion the model starts phases by and the scenario checks
/// their order by, so two offsets that are one second are refused as one.
pub fn offset_ticks(hours: f64) -> i64 {
    let ticks = crate::engine::SimTime::from_hours(hours.abs()).ticks() as i64;
    if hours < 0.0 { -ticks } else { ticks }
}

/// A phase of the programme: its position in the scenario's phase list. Order matters: a tenant
/// only moves forward, except when it is rolled back to the first phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Phase(u8);

impl Phase {
    /// The first phase of every programme: tenants wait there for a batch, and return after a
    /// rollback.
    pub const WAITING: Phase = Phase(0);

    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    pub fn next(self) -> Phase {
        Phase(self.0 + 1)
    }

    /// The phase before this one, `None` for the first.
    pub fn before(self) -> Option<Phase> {
        self.0.checked_sub(1).map(Phase)
    }
}

/// A kind of work: its position in the programme's list of kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WorkKind(u8);

impl WorkKind {
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

/// What a copy kind copies, which decides how many items it creates and their sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopySource {
    /// One item per mailbox, of that mailbox's size.
    Mailboxes,
    /// One item per tenant for its sites (SharePoint, file shares), if it has any data there.
    Sites,
}

impl CopySource {
    pub const KEYS: [&'static str; 2] = ["mailboxes", "sites"];

    pub fn from_key(key: &str) -> Option<CopySource> {
        match key {
            "mailboxes" => Some(CopySource::Mailboxes),
            "sites" => Some(CopySource::Sites),
            _ => None,
        }
    }
}

/// One phase as the scenario defines it.
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseDef {
    /// Its column in timeseries.csv and its name in spans.csv and tenants.csv.
    pub key: String,
    /// The name charts show.
    pub name: String,
    /// Hours from T at which it starts; `None` for the first phase, where tenants wait.
    pub start_hours: Option<f64>,
    /// Work other than copies, started in this order when the phase begins.
    pub work: Vec<WorkKind>,
    /// Copy kinds, whose items are created in this order when the phase begins.
    pub copies: Vec<WorkKind>,
}

/// One kind of work as the scenario defines it.
#[derive(Clone, Debug, PartialEq)]
pub struct KindDef {
    /// Its `[workitems.<key>]` table.
    pub key: String,
    /// Whether it is a copy through copy slots, and of what.
    pub copy: Option<CopySource>,
}

/// The programme: an ordered list of phases at offsets from T, the kinds of work they run, and
/// which phase is the cutover window that can overrun and roll back. Built by the scenario
/// reader, which checks it (see `Programme::new`); the model trusts it.
#[derive(Clone, Debug, PartialEq)]
pub struct Programme {
    phases: Vec<PhaseDef>,
    kinds: Vec<KindDef>,
    window: Phase,
    copy_phase: Option<Phase>,
    /// In the window phase: the kinds whose hard failures coexisting tenants multiply.
    in_window: Vec<bool>,
}

impl Programme {
    /// A programme from checked parts: at least two phases (the first without offset or work,
    /// the others with increasing offsets), at most `MAX_PHASES`; `window` not the first; every
    /// copy kind in one phase at or before the window; every kind index within `kinds`.
    pub fn new(phases: Vec<PhaseDef>, kinds: Vec<KindDef>, window: usize) -> Programme {
        assert!(
            (2..=MAX_PHASES).contains(&phases.len()) && kinds.len() <= MAX_KINDS,
            "the scenario reader bounds the programme"
        );
        assert!(window > 0 && window < phases.len());
        let copy_phase = phases
            .iter()
            .position(|p| !p.copies.is_empty())
            .map(|i| Phase(i as u8));
        let mut in_window = vec![false; kinds.len()];
        for k in &phases[window].work {
            in_window[k.index()] = true;
        }
        Programme {
            phases,
            kinds,
            window: Phase(window as u8),
            copy_phase,
            in_window,
        }
    }

    /// Every phase, in order.
    pub fn phases(&self) -> impl ExactSizeIterator<Item = Phase> + use<> {
        (0..self.phases.len() as u8).map(Phase)
    }

    pub fn len(&self) -> usize {
        self.phases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.phases.is_empty()
    }

    pub fn phase(&self, phase: Phase) -> &PhaseDef {
        &self.phases[phase.index()]
    }

    pub fn defs(&self) -> &[PhaseDef] {
        &self.phases
    }

    /// The phase whose key is `key`.
    pub fn find(&self, key: &str) -> Option<Phase> {
        self.phases
            .iter()
            .position(|p| p.key == key)
            .map(|i| Phase(i as u8))
    }

    pub fn key(&self, phase: Phase) -> &str {
        &self.phases[phase.index()].key
    }

    pub fn name(&self, phase: Phase) -> &str {
        &self.phases[phase.index()].name
    }

    /// The phase that follows `phase`, if any.
    pub fn next(&self, phase: Phase) -> Option<Phase> {
        (phase.index() + 1 < self.phases.len()).then(|| phase.next())
    }

    /// The last phase: when its work is done, the tenant has transitioned.
    pub fn last(&self) -> Phase {
        Phase((self.phases.len() - 1) as u8)
    }

    /// The cutover window: it may run `window_hours`, else the tenant is rolled back.
    pub fn window(&self) -> Phase {
        self.window
    }

    /// The phase that creates the copies, if any kind is a copy.
    pub fn copy_phase(&self) -> Option<Phase> {
        self.copy_phase
    }

    /// Whether copies count in a tenant's status in `phase`: from the copy phase through the
    /// window, which cannot complete before every copy has.
    pub fn counts_copies(&self, phase: Phase) -> bool {
        self.copy_phase
            .is_some_and(|c| c <= phase && phase <= self.window)
    }

    /// The first phase whose spans spans.csv records: the copy phase, or the window if nothing
    /// is copied. Every later phase is recorded too.
    pub fn spans_from(&self) -> Phase {
        self.copy_phase.unwrap_or(self.window)
    }

    /// Index of `phase` among the recorded phases, `None` for the phases before them.
    pub fn span_index(&self, phase: Phase) -> Option<usize> {
        phase.index().checked_sub(self.spans_from().index())
    }

    /// How many phases spans.csv records.
    pub fn span_count(&self) -> usize {
        self.phases.len() - self.spans_from().index()
    }

    pub fn kinds(&self) -> impl ExactSizeIterator<Item = WorkKind> + use<> {
        (0..self.kinds.len() as u8).map(WorkKind)
    }

    pub fn kind(&self, kind: WorkKind) -> &KindDef {
        &self.kinds[kind.index()]
    }

    pub fn kind_key(&self, kind: WorkKind) -> &str {
        &self.kinds[kind.index()].key
    }

    /// The kind whose key is `key`.
    pub fn find_kind(&self, key: &str) -> Option<WorkKind> {
        self.kinds
            .iter()
            .position(|k| k.key == key)
            .map(|i| WorkKind(i as u8))
    }

    pub fn is_copy(&self, kind: WorkKind) -> bool {
        self.kinds[kind.index()].copy.is_some()
    }

    /// Whether `kind` is work of the window phase (coexisting tenants' hard failures of it are
    /// multiplied).
    pub fn in_window(&self, kind: WorkKind) -> bool {
        self.in_window[kind.index()]
    }

    /// A work kind by index, for the scenario reader building a programme.
    pub fn kind_at(index: usize) -> WorkKind {
        assert!(index < MAX_KINDS);
        WorkKind(index as u8)
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

impl Status {
    /// The status as the CSV files write it: a snake_case key, like every value they hold.
    pub fn key(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::InProgress => "in_progress",
            Status::Warning => "warning",
            Status::Error => "error",
            Status::Complete => "complete",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
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

    fn phase(key: &str, start: Option<f64>, work: &[u8], copies: &[u8]) -> PhaseDef {
        PhaseDef {
            key: key.into(),
            name: key.into(),
            start_hours: start,
            work: work.iter().map(|&k| WorkKind(k)).collect(),
            copies: copies.iter().map(|&k| WorkKind(k)).collect(),
        }
    }

    #[test]
    fn copies_count_from_their_phase_through_the_window_and_spans_start_there() {
        let kinds = vec![
            KindDef {
                key: "notice".into(),
                copy: None,
            },
            KindDef {
                key: "copy".into(),
                copy: Some(CopySource::Mailboxes),
            },
        ];
        let p = Programme::new(
            vec![
                phase("wait", None, &[], &[]),
                phase("prep", Some(-240.0), &[0], &[]),
                phase("sync", Some(-48.0), &[], &[1]),
                phase("cut", Some(0.0), &[0], &[]),
                phase("clean", Some(48.0), &[0], &[]),
            ],
            kinds,
            3,
        );
        let at = |i: u8| Phase(i);
        assert_eq!(p.copy_phase(), Some(at(2)));
        assert!(!p.counts_copies(at(1)) && p.counts_copies(at(2)) && p.counts_copies(at(3)));
        assert!(!p.counts_copies(at(4)));
        assert_eq!((p.span_index(at(1)), p.span_index(at(2))), (None, Some(0)));
        assert_eq!(p.span_count(), 3);
        assert_eq!(p.last(), at(4));
        assert_eq!(p.next(at(4)), None);
        assert!(p.in_window(WorkKind(0)) && !p.in_window(WorkKind(1)));
        assert_eq!(p.find("cut"), Some(p.window()));
        assert!(p.is_copy(WorkKind(1)) && !p.is_copy(WorkKind(0)));
    }
}
