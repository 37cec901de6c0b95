//! The `[lync]` section: how users chat while their tenant moves from Office Communications Online
//! (OCO) to Lync Online, the contact graph they chat over, and who moves early.

use super::dist::Dist;
use super::reader::Section;

/// Who moves to Lync Online together before the tenant's service upgrade.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EarlyMoveMode {
    /// Each user decides alone.
    Individual,
    /// A department decides, and its users move at one time.
    Department,
    /// The tenant decides, and all its users move at one time (no islands, only lost contacts).
    Tenant,
}

impl EarlyMoveMode {
    /// The names accepted for `lync.early_move_mode`, in enum order.
    pub const NAMES: &'static [&'static str] = &["individual", "department", "tenant"];

    pub fn key(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    fn from_key(key: &str) -> Option<EarlyMoveMode> {
        match key {
            "individual" => Some(EarlyMoveMode::Individual),
            "department" => Some(EarlyMoveMode::Department),
            "tenant" => Some(EarlyMoveMode::Tenant),
            _ => None,
        }
    }
}

/// Chat during the transition. Offsets are days relative to the transition date T (Saturday 00:00).
#[derive(Clone, Debug, PartialEq)]
pub struct Lync {
    /// Objects are synchronised into Office 365 (users may move early from then on), relative to
    /// the T of the tenant's first batch.
    pub sync_offset_days: f64,
    /// The OCO to Lync Online service upgrade, relative to the T on which the tenant transitions.
    pub upgrade_offset_days: f64,
    /// Communicator 2007 is blocked this long after the tenant's transition completes.
    pub communicator_cutoff_days: f64,
    /// Users per department (rounded, at least 1).
    pub department_size: Dist,
    /// Mean number of contacts per user, capped by the tenant's size less one.
    pub contacts_mean: f64,
    /// Share of contact pairs inside a department (as far as the departments can hold them).
    pub contacts_in_department: f64,
    /// Probability that a user (or department, or tenant: see `early_move_mode`) moves early.
    pub early_move_probability: f64,
    pub early_move_mode: EarlyMoveMode,
    /// Probability that the tenant's administrator moves all users early at one time.
    pub tenant_moves_all_probability: f64,
    /// Rate (per day) at which an early mover re-adds each lost contact; 0 means never (until the
    /// upgrade brings the contacts back).
    pub contact_rebuild_per_day: f64,
    /// Share of users on the Communicator 2007 client at the start.
    pub communicator_share: f64,
    /// Rate (per day) at which a Communicator 2007 user upgrades to Lync 2010, from the sync on.
    pub client_upgrade_per_day: f64,
}

impl Default for Lync {
    fn default() -> Self {
        Lync {
            sync_offset_days: -60.0,
            upgrade_offset_days: 0.0,
            communicator_cutoff_days: 5.0,
            department_size: Dist::lognormal(12.0, 0.7)
                .and_then(|d| d.clamped(Some(1.0), Some(2_000.0)))
                .expect("valid"),
            contacts_mean: 8.0,
            contacts_in_department: 0.8,
            early_move_probability: 0.1,
            early_move_mode: EarlyMoveMode::Individual,
            tenant_moves_all_probability: 0.02,
            contact_rebuild_per_day: 0.5,
            communicator_share: 0.3,
            client_upgrade_per_day: 0.05,
        }
    }
}

/// Reads `[lync]`; every key has a default.
pub(super) fn read_lync(s: &Section<'_>) -> Lync {
    let d = Lync::default();
    let sync_offset_days = s.f64("sync_offset_days", d.sync_offset_days, -365.0, 0.0);
    let upgrade_offset_days = s.f64("upgrade_offset_days", d.upgrade_offset_days, -365.0, 14.0);
    let communicator_cutoff_days = s.f64(
        "communicator_cutoff_days",
        d.communicator_cutoff_days,
        0.0,
        365.0,
    );
    let department_size = s.dist("department_size", d.department_size, (0.0, 10_000_000.0));
    // A Lync 2010 contact list held at most 1,000 contacts (250 by default).
    let contacts_mean = s.f64("contacts_mean", d.contacts_mean, 0.0, 1_000.0);
    let contacts_in_department = s.probability("contacts_in_department", d.contacts_in_department);
    let early_move_probability = s.probability("early_move_probability", d.early_move_probability);
    let mode = s.choice(
        "early_move_mode",
        d.early_move_mode.key(),
        EarlyMoveMode::NAMES,
    );
    let early_move_mode = EarlyMoveMode::from_key(&mode).unwrap_or(d.early_move_mode);
    let tenant_moves_all_probability = s.probability(
        "tenant_moves_all_probability",
        d.tenant_moves_all_probability,
    );
    let contact_rebuild_per_day = s.f64(
        "contact_rebuild_per_day",
        d.contact_rebuild_per_day,
        0.0,
        f64::INFINITY,
    );
    let communicator_share = s.probability("communicator_share", d.communicator_share);
    let client_upgrade_per_day = s.f64(
        "client_upgrade_per_day",
        d.client_upgrade_per_day,
        0.0,
        f64::INFINITY,
    );
    if sync_offset_days > upgrade_offset_days {
        s.error(
            "upgrade_offset_days",
            format!(
                "`lync.upgrade_offset_days` = {upgrade_offset_days} is before `lync.sync_offset_days` = {sync_offset_days}"
            ),
            Some("the service upgrade cannot come before the objects are synchronised".into()),
        );
    }
    s.finish();
    Lync {
        sync_offset_days,
        upgrade_offset_days,
        communicator_cutoff_days,
        department_size,
        contacts_mean,
        contacts_in_department,
        early_move_probability,
        early_move_mode,
        tenant_moves_all_probability,
        contact_rebuild_per_day,
        communicator_share,
        client_upgrade_per_day,
    }
}
