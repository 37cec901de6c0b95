//! The tenants of one replication: their sizes, regions and readiness, drawn from each tenant's own stream.

use rand::RngExt;

use crate::engine::Streams;
use crate::scenario::Scenario;

/// Purposes of the per-tenant random streams.
pub(crate) mod purpose {
    pub const ATTRIBUTES: u32 = 1;
    pub const READINESS: u32 = 2;
    pub const WORK: u32 = 3;
}

/// A tenant's fixed attributes.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    pub region: u16,
    pub seats: u32,
    pub mailboxes: u32,
    pub sharepoint_gb: f64,
    /// Mailboxes plus SharePoint.
    pub data_gb: f64,
    /// Days held in Pre-Approval from the start; 0 when ready at once.
    pub blocked_days: f64,
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
    pub fn generate(sc: &Scenario, streams: &Streams) -> Population {
        let p = &sc.population;
        let weights_total: f64 = p.region_weights.iter().sum();
        let mut tenants = Vec::with_capacity(p.tenants as usize);
        let mut mailbox_gb = Vec::new();
        for id in 0..p.tenants {
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
            let mailboxes = seats + p.shared_mailboxes.sample(&mut rng).round().max(0.0) as u32;
            let sharepoint_gb = (p.sharepoint_base_gb.sample(&mut rng)
                + p.sharepoint_gb_per_seat * f64::from(seats))
            .min(p.sharepoint_max_gb);
            let first_mailbox = mailbox_gb.len();
            let mut data_gb = sharepoint_gb;
            for _ in 0..mailboxes {
                let gb = p.mailbox_gb.sample(&mut rng) as f32;
                data_gb += f64::from(gb);
                mailbox_gb.push(gb);
            }
            let mut ready = streams.stream(u64::from(id), purpose::READINESS);
            let blocked_days = if ready.random::<f64>() < p.blocked_fraction {
                p.blocked_days.sample(&mut ready).max(0.0)
            } else {
                0.0
            };
            tenants.push(Profile {
                region: region as u16,
                seats,
                mailboxes,
                sharepoint_gb,
                data_gb,
                blocked_days,
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
