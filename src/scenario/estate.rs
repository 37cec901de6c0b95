//! The customer's side of a transition: each tenant's estate (directory sync and its object quota,
//! on-premises mail coexistence, hosted BlackBerry), its users' clients and the help-desk tickets
//! they raise after the upgrade, and the help desk that answers them (`[clients]`, `[helpdesk]`
//! and the estate keys of `[population]`).
//!
//! Every share defaults to zero: without these keys a scenario behaves as if every tenant were
//! cloud-only, on supported clients, and nobody called.

use super::dist::Dist;
use super::reader::Section;
use crate::date::Date;

/// A tenant's own estate, drawn per tenant (keys of `[population]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Estate {
    /// Share of tenants that synchronise a local directory.
    pub dirsync_share: f64,
    /// Directory objects (users, contacts, groups) per seat of a syncing tenant.
    pub dirsync_objects: Dist,
    /// Objects a tenant may sync before a support case must raise its quota.
    pub dirsync_quota: u32,
    /// Days until the support case that raises a quota closes; the tenant is held until then.
    pub quota_case_days: Dist,
    /// Share of tenants still coexisting with on-premises mail.
    pub coexistence_share: f64,
    /// Share of tenants on hosted BlackBerry, who cannot transition before `blackberry_not_before`.
    pub blackberry_share: f64,
    /// The first transition weekend (Saturday) allowed for a BlackBerry tenant.
    pub blackberry_not_before: Date,
}

/// The kinds of client problem that make a user call after the upgrade.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientIssue {
    /// Outlook 2003 is not supported by the new service.
    Outlook2003,
    /// A phone or tablet to reconfigure.
    Mobile,
    /// A password set never to expire, which must now be changed.
    NeverExpiringPassword,
}

impl ClientIssue {
    pub const ALL: [ClientIssue; 3] = [
        ClientIssue::Outlook2003,
        ClientIssue::Mobile,
        ClientIssue::NeverExpiringPassword,
    ];

    /// The key under `[clients.ticket_probability]`.
    pub fn key(self) -> &'static str {
        match self {
            ClientIssue::Outlook2003 => "outlook_2003",
            ClientIssue::Mobile => "mobile",
            ClientIssue::NeverExpiringPassword => "never_expiring_password",
        }
    }

    fn share_key(self) -> &'static str {
        match self {
            ClientIssue::Outlook2003 => "outlook_2003_share",
            ClientIssue::Mobile => "mobile_share",
            ClientIssue::NeverExpiringPassword => "never_expiring_password_share",
        }
    }

    /// An unsupported client always needs help; the others often sort themselves out.
    fn default_ticket_probability(self) -> f64 {
        match self {
            ClientIssue::Outlook2003 => 1.0,
            ClientIssue::Mobile => 0.3,
            ClientIssue::NeverExpiringPassword => 0.2,
        }
    }
}

/// Users' clients and when their tickets arrive (`[clients]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Clients {
    /// Per `ClientIssue`: the share of users with the problem.
    pub shares: [f64; 3],
    /// Per `ClientIssue`: the probability that a user with the problem calls.
    pub ticket_probability: [f64; 3],
    /// Users' working hours on weekdays, `[from, to)`.
    pub workday_hours: (u32, u32),
    /// Share of tickets raised in the first hours of the first working morning after the upgrade.
    pub first_morning_share: f64,
    /// Length of that first-morning rush, in hours from the start of the working day.
    pub morning_hours: f64,
    /// The other tickets arrive uniformly over this many working days, the first one included.
    pub spread_days: u32,
}

impl Clients {
    /// Whether any user can raise a ticket at all.
    pub fn anyone_calls(&self) -> bool {
        self.shares
            .iter()
            .zip(&self.ticket_probability)
            .any(|(s, p)| s * p > 0.0)
    }
}

/// The help desk: a pool like the operators, separate from them (`[helpdesk]`).
#[derive(Clone, Debug, PartialEq)]
pub struct HelpDesk {
    pub weekday: u32,
    pub weekend: u32,
    /// Hours of the day the desk is staffed, `[from, to)`, every day.
    pub hours: (u32, u32),
    pub resolve_minutes: Dist,
    /// Days of the week users work, call and lose hours on: 5 (Monday to Friday) or 7.
    pub working_days: u32,
}

impl HelpDesk {
    /// Agents on duty at `hour` (0-23) of a day.
    pub fn staff_at(&self, weekend: bool, hour: u32) -> u32 {
        let staff = if weekend { self.weekend } else { self.weekday };
        if (self.hours.0..self.hours.1).contains(&hour) {
            staff
        } else {
            0
        }
    }
}

/// Reads the estate keys of `[population]`; the caller finishes the section.
pub(super) fn read_estate(s: &Section<'_>, start: Date) -> Estate {
    Estate {
        dirsync_share: s.probability("dirsync_share", 0.0),
        dirsync_objects: s.dist(
            "dirsync_objects",
            Dist::lognormal(3.0, 0.8).expect("valid"),
            (0.0, f64::INFINITY),
        ),
        dirsync_quota: s.u32("dirsync_quota", 10_000, 0, u32::MAX),
        quota_case_days: s.dist(
            "quota_case_days",
            Dist::lognormal(10.0, 0.5).expect("valid"),
            (0.0, f64::INFINITY),
        ),
        coexistence_share: s.probability("coexistence_share", 0.0),
        blackberry_share: s.probability("blackberry_share", 0.0),
        blackberry_not_before: s.date("blackberry_not_before", start),
    }
}

pub(super) fn read_clients(s: &Section<'_>) -> Clients {
    let shares = ClientIssue::ALL.map(|issue| s.probability(issue.share_key(), 0.0));
    let p = s.section("ticket_probability");
    let ticket_probability = ClientIssue::ALL
        .map(|issue| p.probability(issue.key(), issue.default_ticket_probability()));
    p.finish();
    let c = Clients {
        shares,
        ticket_probability,
        workday_hours: s.hours("workday_hours", (8, 17)),
        first_morning_share: s.probability("first_morning_share", 0.6),
        morning_hours: s.f64("morning_hours", 2.0, 0.0, 24.0),
        spread_days: s.u32("spread_days", 3, 1, 60),
    };
    if c.workday_hours.0 >= c.workday_hours.1 {
        s.error(
            "workday_hours",
            format!(
                "`clients.workday_hours` = [{}, {}] is an empty working day",
                c.workday_hours.0, c.workday_hours.1
            ),
            Some("give [from, to) with from < to, e.g. [8, 17]".into()),
        );
    }
    s.finish();
    c
}

pub(super) fn read_helpdesk(s: &Section<'_>, clients: &Clients) -> HelpDesk {
    let h = HelpDesk {
        weekday: s.u32("weekday", 10, 0, 100_000),
        weekend: s.u32("weekend", 2, 0, 100_000),
        hours: s.hours("hours", (8, 18)),
        resolve_minutes: s.dist(
            "resolve_minutes",
            Dist::lognormal(15.0, 0.6)
                .and_then(|d| d.clamped(None, Some(240.0)))
                .expect("valid"),
            (0.0, f64::INFINITY),
        ),
        working_days: s.u32("working_days", 5, 5, 7),
    };
    if h.working_days == 6 {
        s.error(
            "working_days",
            "`helpdesk.working_days` must be 5 (Monday to Friday) or 7 (every day), found 6",
            None,
        );
    }
    let calls = clients.anyone_calls();
    if calls && h.weekday == 0 && h.weekend == 0 {
        s.error(
            "weekday",
            "`helpdesk.weekday` and `helpdesk.weekend` are both 0, but users raise tickets ([clients]): they would wait forever",
            Some("staff at least one of them".into()),
        );
    } else if calls && h.hours.0 >= h.hours.1 {
        s.error(
            "hours",
            format!(
                "`helpdesk.hours` = [{}, {}] staffs the help desk at no hour, but users raise tickets ([clients]): they would wait forever",
                h.hours.0, h.hours.1
            ),
            Some("e.g. [8, 18]".into()),
        );
    }
    s.finish();
    h
}
