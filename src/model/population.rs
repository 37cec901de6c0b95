//! The tenants of one replication: their sizes, regions and readiness, drawn from each tenant's own stream.

use rand::RngExt;

use crate::engine::Streams;
use crate::scenario::Scenario;

/// Purposes of the per-tenant random streams.
pub(crate) mod purpose {
    pub const ATTRIBUTES: u32 = 1;
    pub const READINESS: u32 = 2;
    pub const WORK: u32 = 3;
    /// The tenant's departments and contact graph (chat).
    pub const CHAT: u32 = 4;
    /// Entity 0 only: the replication's key for policies that need reproducible arbitrariness.
    pub const POLICY: u32 = 5;
    /// The tenant's users' chat behaviour: clients, early moves, rebuilt contacts.
    pub const CHAT_USERS: u32 = 6;
    /// The tenant's estate: directory sync, quota case, coexistence, BlackBerry.
    pub const ESTATE: u32 = 7;
    /// The tenant's users' client problems and their help-desk tickets.
    pub const TICKETS: u32 = 8;
}

/// A tenant's fixed attributes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Profile {
    pub region: u16,
    pub seats: u32,
    pub mailboxes: u32,
    pub sharepoint_gb: f64,
    /// Mailboxes plus SharePoint.
    pub data_gb: f64,
    /// Days held in Pre-Approval from the start; 0 when ready at once. Includes a directory
    /// quota case, if any.
    pub blocked_days: f64,
    /// Directory objects synchronised from a local directory; `None` without directory sync.
    pub directory_objects: Option<u32>,
    /// Over the directory quota: held until a support case raises it.
    pub over_quota: bool,
    /// Over the quota, and the support case is the longer of its holds (what a miss is put down to).
    pub quota_holds: bool,
    /// Still coexisting with on-premises mail.
    pub coexistence: bool,
    /// On hosted BlackBerry: not batched for a weekend before `blackberry_not_before`.
    pub blackberry: bool,
    /// Index of the first of this tenant's mailbox sizes in `Population::mailbox_gb`.
    first_mailbox: usize,
}

/// All tenants, with their mailbox sizes in one flat array (memory linear in tenants + users).
#[derive(Clone, Debug, Default)]
pub struct Population {
    pub tenants: Vec<Profile>,
    mailbox_gb: Vec<f32>,
}

impl Population {
    /// Draws the population. Each tenant's attributes come from its own stream, so they are the
    /// same for every policy and every other parameter that does not shape the tenants themselves.
    ///
    /// With an inventory, tenant `id` is the inventory's row `id`: its cells replace the draws.
    /// Every draw is still made, in the same order, so filling in one column of the inventory does
    /// not change what the tenant draws for the others.
    pub fn generate(sc: &Scenario, streams: &Streams) -> Population {
        let p = &sc.population;
        let weights_total: f64 = p.region_weights.iter().sum();
        let mut tenants = Vec::with_capacity(p.tenants as usize);
        let mut mailbox_gb = Vec::new();
        for id in 0..p.tenants {
            let row = p.inventory.as_deref().map(|rows| &rows[id as usize]);
            let mut rng = streams.stream(u64::from(id), purpose::ATTRIBUTES);
            let mut u = rng.random::<f64>() * weights_total;
            let mut region = p.region_weights.len() - 1;
            for (i, w) in p.region_weights.iter().enumerate() {
                if u < *w {
                    region = i;
                    break;
                }
                u -= w;
            }
            let seats = p.seats.sample(&mut rng).round().max(1.0) as u32;
            let seats = row.map_or(seats, |r| r.seats);
            if let Some(r) = row.and_then(|r| r.region) {
                region = usize::from(r);
            }
            let shared = p.shared_mailboxes.sample(&mut rng).round().max(0.0) as u32;
            let mailboxes = row.and_then(|r| r.mailboxes).unwrap_or(seats + shared);
            let mut sharepoint_gb = (p.sharepoint_base_gb.sample(&mut rng)
                + p.sharepoint_gb_per_seat * f64::from(seats))
            .min(p.sharepoint_max_gb);
            let given_data = row.and_then(|r| r.data_gb);
            match (row.and_then(|r| r.sharepoint_gb), given_data) {
                (Some(site), _) => sharepoint_gb = site,
                // The scenario checked that a given site fits in the given total.
                (None, Some(total)) if mailboxes == 0 => sharepoint_gb = total,
                (None, Some(total)) => sharepoint_gb = sharepoint_gb.min(total),
                (None, None) => {}
            }
            let first_mailbox = mailbox_gb.len();
            let mut data_gb = sharepoint_gb;
            p.mailbox_gb
                .sample_each(&mut rng, mailboxes as usize, |gb| {
                    let gb = gb as f32;
                    data_gb += f64::from(gb);
                    mailbox_gb.push(gb);
                });
            if let Some(total) = given_data {
                spread(&mut mailbox_gb[first_mailbox..], total - sharepoint_gb);
                data_gb = total;
            }
            // Readiness and estate take a few words each: a block of ChaCha8 at a time is enough.
            let mut ready = streams.short(u64::from(id), purpose::READINESS);
            let mut blocked_days = match row.and_then(|r| r.blocked_days) {
                Some(days) => days,
                None if ready.random::<f64>() < p.blocked_fraction => {
                    p.blocked_days.sample(&mut ready).max(0.0)
                }
                None => 0.0,
            };
            // Every estate draw is made for every tenant, so a share changes nothing else.
            let e = &p.estate;
            let mut estate = streams.short(u64::from(id), purpose::ESTATE);
            let dirsync = estate.random::<f64>() < e.dirsync_share;
            let objects =
                (e.dirsync_objects.sample(&mut estate).max(0.0) * f64::from(seats)).round();
            let case_days = e.quota_case_days.sample(&mut estate).max(0.0);
            let coexistence = estate.random::<f64>() < e.coexistence_share;
            let blackberry = estate.random::<f64>() < e.blackberry_share;
            let directory_objects = dirsync.then(|| objects.min(f64::from(u32::MAX)) as u32);
            let over_quota = directory_objects.is_some_and(|n| n > e.dirsync_quota);
            let quota_holds = over_quota && case_days >= blocked_days;
            if over_quota {
                blocked_days = blocked_days.max(case_days);
            }
            tenants.push(Profile {
                region: region as u16,
                seats,
                mailboxes,
                sharepoint_gb,
                data_gb,
                blocked_days,
                directory_objects,
                over_quota,
                quota_holds,
                coexistence,
                blackberry,
                first_mailbox,
            });
        }
        Population {
            tenants,
            mailbox_gb,
        }
    }

    /// Sizes of a tenant's mailboxes, in GB.
    pub fn mailboxes_of(&self, tenant: usize) -> &[f32] {
        let t = &self.tenants[tenant];
        &self.mailbox_gb[t.first_mailbox..t.first_mailbox + t.mailboxes as usize]
    }

    pub fn total_seats(&self) -> u64 {
        self.tenants.iter().map(|t| u64::from(t.seats)).sum()
    }
}

/// Scales drawn mailbox sizes so they add up to `total` GB, keeping their proportions (an even
/// split if every draw was zero).
fn spread(sizes: &mut [f32], total: f64) {
    if sizes.is_empty() {
        return;
    }
    let drawn: f64 = sizes.iter().map(|&gb| f64::from(gb)).sum();
    let total = total.max(0.0);
    if drawn > 0.0 {
        let scale = total / drawn;
        for gb in sizes.iter_mut() {
            *gb = (f64::from(*gb) * scale) as f32;
        }
    } else {
        let even = (total / sizes.len() as f64) as f32;
        sizes.fill(even);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::scenario::InventoryTenant;

    fn row(name: &str, seats: u32) -> InventoryTenant {
        InventoryTenant {
            name: name.into(),
            seats,
            mailboxes: None,
            data_gb: None,
            sharepoint_gb: None,
            region: None,
            blocked_days: None,
            blocked_days_at: None,
            attributes: Vec::new(),
        }
    }

    fn generate(rows: Vec<InventoryTenant>) -> Population {
        let mut sc = Scenario::from_text(
            "name = \"t\"\n[population]\nregions = [\"NA\", \"EMEA\"]\n",
            "t.toml",
            &[],
        )
        .unwrap();
        sc.population.tenants = rows.len() as u32;
        sc.population.inventory = Some(Arc::from(rows));
        Population::generate(&sc, &Streams::new(sc.seed, 0))
    }

    #[test]
    fn inventory_cells_replace_the_draws() {
        let mut full = row("Contoso", 40);
        full.mailboxes = Some(45);
        full.data_gb = Some(120.0);
        full.sharepoint_gb = Some(20.0);
        full.region = Some(1);
        full.blocked_days = Some(3.5);
        let pop = generate(vec![full, row("Fabrikam", 7)]);
        let t = &pop.tenants[0];
        assert_eq!((t.seats, t.mailboxes, t.region), (40, 45, 1));
        assert_eq!(
            (t.data_gb, t.sharepoint_gb, t.blocked_days),
            (120.0, 20.0, 3.5)
        );
        let mailboxes: f64 = pop.mailboxes_of(0).iter().map(|&gb| f64::from(gb)).sum();
        assert!(
            (mailboxes - 100.0).abs() < 1e-3,
            "mailboxes hold {mailboxes} GB"
        );
        assert_eq!(pop.tenants[1].seats, 7);
        assert!(
            pop.tenants[1].mailboxes >= 7,
            "drawn: seats plus shared mailboxes"
        );
    }

    #[test]
    fn a_given_total_without_a_site_size_keeps_the_site_within_it() {
        let mut small = row("Wingtip", 3);
        small.data_gb = Some(0.5);
        let pop = generate(vec![small]);
        let t = &pop.tenants[0];
        assert!(t.sharepoint_gb <= 0.5);
        let total = t.sharepoint_gb
            + pop
                .mailboxes_of(0)
                .iter()
                .map(|&g| f64::from(g))
                .sum::<f64>();
        assert!((total - 0.5).abs() < 1e-6, "{total}");
    }

    #[test]
    fn filling_in_a_column_does_not_change_the_other_draws() {
        let bare = generate(vec![row("a", 10), row("b", 20)]);
        let mut with_region = row("a", 10);
        with_region.region = Some(1);
        let filled = generate(vec![with_region, row("b", 20)]);
        assert_eq!(bare.mailboxes_of(0), filled.mailboxes_of(0));
        assert_eq!(
            bare.tenants[0].sharepoint_gb,
            filled.tenants[0].sharepoint_gb
        );
        assert_eq!(bare.tenants[1], filled.tenants[1]);
        assert_eq!(filled.tenants[0].region, 1);
    }
}
