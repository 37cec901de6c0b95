//! Chat during the transition (docs/domain.md, "Chat"): users who move to Lync Online before their
//! tenant's service upgrade split it into islands and lose their contacts; Communicator 2007 users
//! who have not upgraded their client are blocked a few days after the transition.
//!
//! Chat does not feed back into the transition, so it is computed after the replication from each
//! tenant's timeline: when it was first scheduled, the weekend on which it finally transitioned
//! and when that completed. The transition model stays untouched, and every chat draw comes from
//! the tenant's own streams (`purpose::CHAT` for its departments and contacts, `CHAT_USERS` for its
//! users' clients, early moves and rebuilt contacts), so chat settings change no other luck.
//!
//! Per tenant, with `S` the sync (objects synchronised, users may move early) and `U` the service
//! upgrade, every user `i` is on Lync Online from `l_i`: its early move if it moved in `[S, U)`,
//! else `U`. A contact pair `(i, j)` is then
//! - *cross-island* on `[min(l_i, l_j), max(l_i, l_j))`: one user on each service;
//! - *broken* on `[min(l_i, l_j), e)` with `e` the latest of `max(l_i, l_j)` and, for each early
//!   mover of the two, the time it re-adds the other (at most `U`, when contacts come back).
//!
//! Both are single intervals, so daily counts come from a difference array over the tenant's
//! sample days, in one pass over its contact pairs. Every broken interval touching user `i`
//! contains or ends at `l_i`, so the hours during which some contact of `i` is broken are one
//! interval too: from the earliest start to the latest end of those intervals.

mod graph;

pub use graph::ContactGraph;
use graph::ends;

use rand::RngExt;
use rand_distr::{Distribution, Exp1};

use super::population::purpose;
use crate::engine::{CounterRng, DAY, HOUR, SimTime, Streams};
use crate::scenario::{EarlyMoveMode, Lync};
use crate::stats::quantile_of_order;

/// A time that never comes.
const NEVER: u64 = u64::MAX;

/// What chat needs to know of one tenant's transition.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timeline {
    /// When the tenant was placed on its first batch, and that batch's T. `None`: never scheduled.
    pub first_batch: Option<(SimTime, SimTime)>,
    /// The T of the weekend on which it transitioned, and when its transition completed.
    pub transition: Option<(SimTime, SimTime)>,
}

/// The daily sample grid of timeseries.csv: sample `k` at `k * DAY + offset`, for every `k` whose
/// time is before `end`, the end of the simulation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SampleGrid {
    pub end: SimTime,
    pub offset: u64,
}

impl SampleGrid {
    /// Number of samples before the end.
    pub fn count(&self) -> u64 {
        self.end.ticks().saturating_sub(self.offset).div_ceil(DAY)
    }

    /// Index of the first sample at or after `t` (`count()` if none).
    fn first_at_or_after(&self, t: u64, count: u64) -> u64 {
        if t <= self.offset {
            0
        } else {
            (t - self.offset).div_ceil(DAY).min(count)
        }
    }
}

/// One tenant's chat figures (the chat columns of tenants.csv).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TenantChat {
    /// Contact pairs, each counted once: the denominator of the fractions.
    pub contact_pairs: u64,
    /// Users on Lync Online before the tenant's service upgrade.
    pub users_early: u32,
    /// Largest share of contact pairs on different services at a daily sample; `None` without
    /// contact pairs.
    pub peak_cross_island_fraction: Option<f64>,
    /// Largest share of contact pairs broken (cross-island or not yet re-added) at a daily sample.
    pub peak_broken_contact_fraction: Option<f64>,
    /// Most connected components of two or more users, at a daily sample, of the graph of contact
    /// pairs whose users are on the same service.
    pub islands: u32,
    /// Communicator 2007 users blocked at the cutoff (within the simulated time).
    pub stranded_users: u32,
    /// Sum over users of the hours during which at least one of their contacts was broken.
    pub im_disruption_user_hours: f64,
}

/// Programme-wide chat state at one daily sample (the chat columns of timeseries.csv).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DailyChat {
    pub cross_island_pairs: u64,
    pub broken_pairs: u64,
    pub stranded_users: u64,
}

/// A mean across tenants with the 10th and 90th percentiles.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Band {
    pub mean: f64,
    pub p10: f64,
    pub p90: f64,
}

impl Band {
    /// The band of `values`, reordering them; NaN throughout if there are none. The mean is the
    /// sum in ascending order and the percentiles are order statistics, as sorting gives them;
    /// when no addition of the sum can round, a selection finds the two order statistics each
    /// percentile needs and nothing is sorted.
    fn of(values: &mut [f32]) -> Band {
        let n = values.len();
        let sorted = !sums_exactly(values);
        if sorted {
            values.sort_unstable_by(f32::total_cmp);
        }
        let mean = if n == 0 {
            f64::NAN
        } else {
            values.iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64
        };
        // Unsorted, the values are non-negative and mostly zero (tenants outside their window),
        // the smallest of them: zeros first, and a selection among the rest (selecting among
        // many equal values is slow).
        let mut zeros = 0;
        if !sorted {
            for k in 0..n {
                if values[k] == 0.0 {
                    values.swap(k, zeros);
                    zeros += 1;
                }
            }
        }
        // A percentile wants statistics `i` and `i + 1`: after selecting `i`, the next is the
        // least of those after it.
        let mut selected = None;
        let mut nth = |i: usize| {
            if sorted {
                return f64::from(values[i]);
            }
            if i < zeros {
                return 0.0;
            }
            let (rest, j) = (&mut values[zeros..], i - zeros);
            if j > 0 && selected == Some(j - 1) {
                let least = rest[j..].iter().copied().min_by(f32::total_cmp);
                return f64::from(least.expect("j is an index of rest"));
            }
            rest.select_nth_unstable_by(j, f32::total_cmp);
            selected = Some(j);
            f64::from(rest[j])
        };
        Band {
            mean,
            p10: quantile_of_order(n, 0.1, &mut nth),
            p90: quantile_of_order(n, 0.9, &mut nth),
        }
    }
}

/// Whether every addition of `values` in double precision is exact, whatever their order, so
/// that their sum has the bits of the ascending sum without a sort.
///
/// Non-negative single-precision values are all whole multiples of the spacing `q` of the
/// smallest of them (the spacings of larger ones are multiples of it), so every partial sum, in
/// any order, is a multiple of `q` no larger than `n * max`; below `2^53 q` each such multiple is
/// a double and every addition is exact. The bound is checked with a factor of two to spare for
/// the rounding of `n * max` itself.
fn sums_exactly(values: &[f32]) -> bool {
    let (mut max, mut min_exponent) = (0.0f32, u32::MAX);
    for &v in values {
        // Negative values, -0.0, infinities and NaN take the sorting path.
        if !(v.is_finite() && v.is_sign_positive()) {
            return false;
        }
        if v > 0.0 {
            max = max.max(v);
            min_exponent = min_exponent.min(v.to_bits() >> 23);
        }
    }
    // The spacing of an f32 of biased exponent `e` is 2^(e - 150) (2^-149 for subnormals), a
    // double of biased exponent e - 150 + 1023.
    let spacing = f64::from_bits(u64::from(min_exponent.clamp(1, 254) + 873) << 52);
    values.len() as f64 * f64::from(max) <= 2f64.powi(52) * spacing
}

/// Shares of contact pairs cross-island and broken at the daily sample a number of days from
/// each tenant's T (the weekend it transitioned), across the transitioned tenants with contacts:
/// one row of islands.csv.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IslandsByDay {
    pub days_from_t: i64,
    pub tenants: u32,
    pub cross_island: Band,
    pub broken: Band,
}

/// The chat results of one replication.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChatReport {
    pub users_early: u64,
    /// Means over the scheduled tenants with at least one contact pair (NaN if none).
    pub mean_peak_cross_island_fraction: f64,
    pub mean_peak_broken_contact_fraction: f64,
    pub stranded_users: u64,
    pub im_disruption_user_hours: f64,
    /// Per tenant, with detail only.
    pub tenants: Vec<TenantChat>,
    /// Per daily sample, with detail only.
    pub daily: Vec<DailyChat>,
    /// Per day from T, with detail only.
    pub by_day_from_t: Vec<IslandsByDay>,
}

/// Computes chat for every tenant from its timeline. `seats[t]` is tenant `t`'s number of users.
/// With `detail`, also the per-tenant figures, the islands and the daily programme-wide series.
pub fn evaluate(
    lync: &Lync,
    streams: &Streams,
    seats: &[u32],
    timelines: &[Timeline],
    grid: SampleGrid,
    detail: bool,
) -> ChatReport {
    let mut eval = Evaluator::new(lync, streams, grid, detail);
    let mut report = ChatReport::default();
    let (mut cross_sum, mut broken_sum, mut counted) = (0.0, 0.0, 0u64);
    for (id, (&users, timeline)) in seats.iter().zip(timelines).enumerate() {
        let t = eval.tenant(id as u64, users, timeline);
        report.users_early += u64::from(t.users_early);
        report.stranded_users += u64::from(t.stranded_users);
        report.im_disruption_user_hours += t.im_disruption_user_hours;
        if let (Some(_), Some(c), Some(b)) = (
            timeline.first_batch,
            t.peak_cross_island_fraction,
            t.peak_broken_contact_fraction,
        ) {
            cross_sum += c;
            broken_sum += b;
            counted += 1;
        }
        if detail {
            report.tenants.push(t);
        }
    }
    let mean = |sum: f64| {
        if counted == 0 {
            f64::NAN
        } else {
            sum / counted as f64
        }
    };
    report.mean_peak_cross_island_fraction = mean(cross_sum);
    report.mean_peak_broken_contact_fraction = mean(broken_sum);
    if detail {
        report.daily = eval.daily();
        report.by_day_from_t = eval.by_day_from_t();
    }
    report
}

/// Ticks in `days` days, `NEVER` if infinite; negative values count back.
fn ticks(days: f64) -> i64 {
    if days.is_nan() {
        0
    } else {
        (days * DAY as f64)
            .round()
            .clamp(i64::MIN as f64, i64::MAX as f64) as i64
    }
}

/// A non-negative delay of `days` days in ticks, saturating at `NEVER`.
fn delay(days: f64) -> u64 {
    let t = days * DAY as f64;
    if t.is_nan() || t <= 0.0 {
        0
    } else if t >= 1e18 {
        NEVER
    } else {
        // Rounds to the nearest tick (`f64::round` is a library call on the baseline target);
        // through `i64`, exact below 1e18, because a conversion to `u64` takes a dozen steps.
        (t + 0.5) as i64 as u64
    }
}

/// When an early mover who moved at `l` has re-added a lost contact, at a rate of `rate` a day
/// (at most `upgrade`, when contacts come back). A function, not a closure, so that it is always
/// inlined into the pair loop.
#[inline(always)]
fn rebuilt(l: u64, rate: f64, upgrade: u64, rng: &mut CounterRng) -> u64 {
    let d = if rate.is_infinite() {
        0
    } else if rate > 0.0 {
        let e: f64 = Exp1.sample(rng);
        delay(e / rate)
    } else {
        NEVER
    };
    l.saturating_add(d).min(upgrade)
}

fn offset(t: SimTime, days: f64) -> u64 {
    (t.ticks() as i64).saturating_add(ticks(days)).max(0) as u64
}

/// The per-replication state: parameters, reusable buffers, programme-wide daily counters.
struct Evaluator<'a> {
    lync: &'a Lync,
    streams: &'a Streams,
    grid: SampleGrid,
    samples: u64,
    detail: bool,
    graph: ContactGraph,
    /// When each user is on Lync Online, and the index of the first sample from then on.
    lync_at: Vec<u64>,
    lync_sample: Vec<u32>,
    /// When each Communicator 2007 user runs Lync 2010 (0 for users who always did).
    client_at: Vec<u64>,
    /// The hull of the broken intervals touching each user.
    hulls: Hulls,
    cross_diff: Vec<i64>,
    broken_diff: Vec<i64>,
    components: Components,
    /// Contact pairs bucketed by sample, for the islands.
    buckets: Vec<(u32, u32)>,
    bucket_start: Vec<u32>,
    islands_at: Vec<u32>,
    /// Detail: programme-wide counts per sample, and the stranded users' difference array.
    daily_cross: Vec<u64>,
    daily_broken: Vec<u64>,
    daily_stranded: Vec<i64>,
    /// Detail: the day of the current tenant's T (if it transitioned), the days from T covered
    /// by islands.csv, and per such day every tenant's cross-island and broken shares (single
    /// precision: two of them per tenant and day are the bulk of a large detail replication).
    t_day: Option<i64>,
    days_from_t: std::ops::RangeInclusive<i64>,
    cross_by_day: Vec<Vec<f32>>,
    broken_by_day: Vec<Vec<f32>>,
    /// Cross-island and broken pairs at each sample of the current tenant's window.
    window_counts: Vec<(i64, i64)>,
    /// Every contact pair that was ever broken, with its cross-island and broken intervals, for
    /// the brute-force checks.
    #[cfg(test)]
    trace: Vec<(u32, u32, u64, u64, u64, u64, u64)>,
}

impl<'a> Evaluator<'a> {
    fn new(lync: &'a Lync, streams: &'a Streams, grid: SampleGrid, detail: bool) -> Self {
        let samples = grid.count();
        let daily = if detail { samples as usize } else { 0 };
        // From a week before the sync of a tenant that never slipped to a week after its upgrade.
        let days_from_t =
            lync.sync_offset_days.floor() as i64 - 7..=lync.upgrade_offset_days.ceil() as i64 + 7;
        let spread = if detail {
            days_from_t.clone().count()
        } else {
            0
        };
        Evaluator {
            lync,
            streams,
            grid,
            samples,
            detail,
            graph: ContactGraph::default(),
            lync_at: Vec::new(),
            lync_sample: Vec::new(),
            client_at: Vec::new(),
            hulls: Hulls::default(),
            cross_diff: Vec::new(),
            broken_diff: Vec::new(),
            components: Components::default(),
            buckets: Vec::new(),
            bucket_start: Vec::new(),
            islands_at: Vec::new(),
            daily_cross: vec![0; daily],
            daily_broken: vec![0; daily],
            daily_stranded: vec![0; if detail { daily + 1 } else { 0 }],
            t_day: None,
            days_from_t,
            cross_by_day: vec![Vec::new(); spread],
            broken_by_day: vec![Vec::new(); spread],
            window_counts: Vec::new(),
            #[cfg(test)]
            trace: Vec::new(),
        }
    }

    /// A tenant's generator for one purpose: SplitMix64 keyed from the tenant's ChaCha8 stream,
    /// as workitems do, because a large tenant draws millions of numbers and ChaCha8 would cost
    /// a sizeable share of the replication.
    fn tenant_rng(&self, id: u64, purpose: u32) -> CounterRng {
        CounterRng::new(self.streams.first_word(id, purpose))
    }

    fn sample_of(&self, t: u64) -> u64 {
        self.grid.first_at_or_after(t, self.samples)
    }

    fn tenant(&mut self, id: u64, users: u32, timeline: &Timeline) -> TenantChat {
        let lync = self.lync;
        let mut out = TenantChat::default();
        self.t_day = timeline.transition.map(|(t, _)| t.day() as i64);
        if timeline.first_batch.is_none() && !self.detail {
            return out;
        }
        let mut graph_rng = self.tenant_rng(id, purpose::CHAT);
        self.graph.draw_departments(users, lync, &mut graph_rng);
        let pairs = self.graph.pairs();
        out.contact_pairs = pairs;
        let no_disruption = (pairs > 0).then_some(0.0);
        out.peak_cross_island_fraction = no_disruption;
        out.peak_broken_contact_fraction = no_disruption;
        let Some((planned, first_weekend)) = timeline.first_batch else {
            // Never scheduled: everyone stays on OCO; only the islands (the graph's own
            // components) need the contacts.
            if self.detail {
                self.graph.draw_edges(&mut graph_rng);
                out.islands = self.components_of_all();
            }
            return out;
        };
        let end = self.grid.end.ticks();
        let sync = offset(first_weekend, lync.sync_offset_days)
            .max(planned.ticks())
            .min(end);
        let upgrade = timeline.transition.map_or(end, |(weekend, _)| {
            offset(weekend, lync.upgrade_offset_days).clamp(sync, end)
        });
        let cutoff = timeline
            .transition
            .map(|(_, done)| offset(done, lync.communicator_cutoff_days))
            .filter(|&c| c < end);

        let mut rng = self.tenant_rng(id, purpose::CHAT_USERS);
        self.draw_clients(users, sync, &mut rng);
        self.draw_moves(users, sync, upgrade, &mut rng);

        for i in 0..users as usize {
            let early = self.lync_at[i] < upgrade;
            out.users_early += u32::from(early);
            // Lync Online before the upgrade needs the Lync 2010 client.
            let client = if early {
                self.client_at[i].min(self.lync_at[i])
            } else {
                self.client_at[i]
            };
            if let Some(c) = cutoff.filter(|&c| client > c) {
                out.stranded_users += 1;
                if self.detail {
                    let (from, until) = (self.sample_of(c), self.sample_of(client));
                    self.daily_stranded[from as usize] += 1;
                    self.daily_stranded[until as usize] -= 1;
                }
            }
        }
        if out.users_early == 0 && !self.detail {
            return out;
        }
        self.graph.draw_edges(&mut graph_rng);
        self.contacts(&mut out, sync, upgrade, &mut rng);
        out
    }

    /// Which users start on Communicator 2007, and when each would upgrade to Lync 2010. Both
    /// draws are made for every user so that the share and the rate change nothing else.
    fn draw_clients(&mut self, users: u32, sync: u64, rng: &mut CounterRng) {
        let lync = self.lync;
        self.client_at.clear();
        for _ in 0..users {
            let u: f64 = rng.random();
            let e: f64 = Exp1.sample(rng);
            let at = if u < lync.communicator_share {
                sync.saturating_add(delay(e / lync.client_upgrade_per_day))
            } else {
                0
            };
            self.client_at.push(at);
        }
    }

    /// When each user is on Lync Online: an early move in `[sync, upgrade)`, else the upgrade.
    fn draw_moves(&mut self, users: u32, sync: u64, upgrade: u64, rng: &mut CounterRng) {
        let lync = self.lync;
        let window = upgrade - sync;
        // A uniform time in the window; `min` guards against rounding up to the upgrade.
        let at = |frac: f64| (sync + (frac * window as f64) as u64).min(upgrade);
        let admin_u: f64 = rng.random();
        let admin_frac: f64 = rng.random();
        let admin = if admin_u < lync.tenant_moves_all_probability {
            at(admin_frac)
        } else {
            upgrade
        };
        self.lync_at.clear();
        self.lync_at.resize(users as usize, admin);
        let p = lync.early_move_probability;
        let draw = |rng: &mut CounterRng| {
            let (u, frac): (f64, f64) = (rng.random(), rng.random());
            if u < p { at(frac) } else { upgrade }
        };
        match lync.early_move_mode {
            EarlyMoveMode::Individual => {
                for l in &mut self.lync_at {
                    *l = (*l).min(draw(rng));
                }
            }
            EarlyMoveMode::Department => {
                for d in 0..self.graph.departments() {
                    let t = draw(rng);
                    for i in self.graph.department(d) {
                        let l = &mut self.lync_at[i as usize];
                        *l = (*l).min(t);
                    }
                }
            }
            EarlyMoveMode::Tenant => {
                let t = draw(rng);
                for l in &mut self.lync_at {
                    *l = (*l).min(t);
                }
            }
        }
    }

    /// One pass over the contact pairs: peaks, disruption hours, daily counts and islands.
    fn contacts(&mut self, out: &mut TenantChat, sync: u64, upgrade: u64, rng: &mut CounterRng) {
        let users = self.graph.users() as usize;
        let first = self.sample_of(sync);
        let window = (self.sample_of(upgrade) - first) as usize;
        // A user not on Lync Online before the upgrade moves at it (`draw_moves`), at sample
        // `window`.
        self.lync_sample.clear();
        for i in 0..users {
            let l = self.lync_at[i];
            let k = if l < upgrade {
                (self.sample_of(l) - first) as u32
            } else {
                window as u32
            };
            self.lync_sample.push(k);
        }
        self.hulls.start(users);
        self.cross_diff.clear();
        self.cross_diff.resize(window + 1, 0);
        self.broken_diff.clear();
        self.broken_diff.resize(window + 1, 0);
        let rate = self.lync.contact_rebuild_per_day;
        // The pairs with an early mover, in order, first: a tight pass, since most pairs have
        // none.
        let (grid, samples) = (self.grid, self.samples);
        let lync_at = &self.lync_at[..users];
        let early_pairs = self
            .graph
            .edges_where(|u, v| lync_at[u as usize].min(lync_at[v as usize]) < upgrade);
        for &p in early_pairs {
            let (u, v) = ends(p);
            let (lu, lv) = (self.lync_at[u as usize], self.lync_at[v as usize]);
            let (a, b) = (lu.min(lv), lu.max(lv));
            // When each early mover of the two has re-added the other (0 if not an early mover).
            let ru = if lu < upgrade {
                rebuilt(lu, rate, upgrade, rng)
            } else {
                0
            };
            let rv = if lv < upgrade {
                rebuilt(lv, rate, upgrade, rng)
            } else {
                0
            };
            let e = b.max(ru).max(rv);
            let (ku, kv) = (self.lync_sample[u as usize], self.lync_sample[v as usize]);
            let (ka, kb) = (ku.min(kv) as usize, ku.max(kv) as usize);
            self.cross_diff[ka] += 1;
            self.cross_diff[kb] -= 1;
            let ke = if e == b {
                kb
            } else {
                (grid.first_at_or_after(e, samples) - first) as usize
            };
            self.broken_diff[ka] += 1;
            self.broken_diff[ke] -= 1;
            #[cfg(test)]
            self.trace.push((u, v, a, b, e, ru, rv));
            if e > a {
                self.hulls.widen(u, a, e);
                self.hulls.widen(v, a, e);
            }
        }
        let pairs = self.graph.pairs();
        let (mut cross, mut broken, mut peak_cross, mut peak_broken) = (0i64, 0i64, 0i64, 0i64);
        self.window_counts.clear();
        for k in 0..window {
            cross += self.cross_diff[k];
            broken += self.broken_diff[k];
            peak_cross = peak_cross.max(cross);
            peak_broken = peak_broken.max(broken);
            if self.detail {
                self.daily_cross[first as usize + k] += cross as u64;
                self.daily_broken[first as usize + k] += broken as u64;
                self.window_counts.push((cross, broken));
            }
        }
        if let Some(t_day) = self.t_day.filter(|_| self.detail && pairs > 0) {
            self.record_days_from_t(t_day, first, pairs);
        }
        if pairs > 0 {
            out.peak_cross_island_fraction = Some(peak_cross as f64 / pairs as f64);
            out.peak_broken_contact_fraction = Some(peak_broken as f64 / pairs as f64);
        }
        out.im_disruption_user_hours = self.hulls.total() as f64 / HOUR as f64;
        if self.detail {
            out.islands = self.islands(first, window, upgrade);
        }
    }

    /// Components of two or more users of the whole contact graph: the islands while everyone is
    /// on one service.
    fn components_of_all(&mut self) -> u32 {
        self.components.reset(self.graph.users());
        for &p in self.graph.all_edges() {
            let (u, v) = ends(p);
            self.components.join(u, v);
        }
        self.components.nontrivial
    }

    /// The most islands at a daily sample. Inside the window the can-chat graph is the union of
    /// the pairs both on OCO (which only lose pairs as users move: built backwards in time) and
    /// the pairs both on Lync Online (which only gain pairs: built forwards), two sweeps of
    /// union-find over the pairs bucketed by sample. Outside it, the whole contact graph.
    fn islands(&mut self, first: u64, window: usize, upgrade: u64) -> u32 {
        let whole = self.components_of_all();
        let outside = first > 0 || first + (window as u64) < self.samples;
        let mut most = if outside { whole } else { 0 };
        if window == 0 {
            return most;
        }
        if self.lync_at.iter().all(|&l| l >= upgrade) {
            return whole;
        }
        self.islands_at.clear();
        self.islands_at.resize(window, 0);
        let users = self.graph.users();
        // Pairs both on Lync Online from sample max(k_i, k_j) on.
        self.bucket_pairs(window, |ki, kj| ki.max(kj));
        self.components.reset(users);
        for k in 0..window {
            for &(u, v) in
                &self.buckets[self.bucket_start[k] as usize..self.bucket_start[k + 1] as usize]
            {
                self.components.join(u, v);
            }
            self.islands_at[k] = self.components.nontrivial;
        }
        // Pairs both on OCO until sample min(k_i, k_j), exclusive.
        self.bucket_pairs(window, |ki, kj| ki.min(kj));
        self.components.reset(users);
        for k in (0..window).rev() {
            for &(u, v) in
                &self.buckets[self.bucket_start[k + 1] as usize..self.bucket_start[k + 2] as usize]
            {
                self.components.join(u, v);
            }
            most = most.max(self.islands_at[k] + self.components.nontrivial);
        }
        most
    }

    /// Counting sort of the contact pairs by `key(k_i, k_j)` (capped at `window`) into `buckets`:
    /// bucket `k` is `buckets[bucket_start[k]..bucket_start[k + 1]]`, for `k` in `0..=window`.
    fn bucket_pairs(&mut self, window: usize, key: impl Fn(u32, u32) -> u32) {
        let starts = &mut self.bucket_start;
        starts.clear();
        starts.resize(window + 3, 0);
        let key_of = |u: u32, v: u32| {
            (key(self.lync_sample[u as usize], self.lync_sample[v as usize]) as usize).min(window)
        };
        let edges = self.graph.all_edges();
        for &p in edges {
            let (u, v) = ends(p);
            starts[key_of(u, v) + 2] += 1;
        }
        for k in 2..starts.len() {
            starts[k] += starts[k - 1];
        }
        self.buckets.clear();
        self.buckets.resize(edges.len(), (0, 0));
        for &p in edges {
            let (u, v) = ends(p);
            let slot = &mut starts[key_of(u, v) + 1];
            self.buckets[*slot as usize] = (u, v);
            *slot += 1;
        }
    }

    /// Adds the current tenant's shares at each day from its T (zero outside its window).
    fn record_days_from_t(&mut self, t_day: i64, first: u64, pairs: u64) {
        for (j, d) in self.days_from_t.clone().enumerate() {
            // Sample `s` is taken on day `s`, so the sample `d` days from T has index `t_day + d`.
            let k = t_day + d - first as i64;
            let (cross, broken) = usize::try_from(k)
                .ok()
                .and_then(|k| self.window_counts.get(k))
                .copied()
                .unwrap_or((0, 0));
            self.cross_by_day[j].push((cross as f64 / pairs as f64) as f32);
            self.broken_by_day[j].push((broken as f64 / pairs as f64) as f32);
        }
    }

    /// The rows of islands.csv (detail only).
    fn by_day_from_t(&mut self) -> Vec<IslandsByDay> {
        self.days_from_t
            .clone()
            .enumerate()
            .map(|(j, d)| IslandsByDay {
                days_from_t: d,
                tenants: self.cross_by_day[j].len() as u32,
                cross_island: Band::of(&mut self.cross_by_day[j]),
                broken: Band::of(&mut self.broken_by_day[j]),
            })
            .collect()
    }

    /// The programme-wide daily series (detail only).
    fn daily(&self) -> Vec<DailyChat> {
        let mut stranded = 0i64;
        (0..self.samples as usize)
            .map(|k| {
                stranded += self.daily_stranded[k];
                DailyChat {
                    cross_island_pairs: self.daily_cross[k],
                    broken_pairs: self.daily_broken[k],
                    stranded_users: stranded as u64,
                }
            })
            .collect()
    }
}

/// The hull of the broken intervals touching each user, `NEVER..0` (empty) for users touched by
/// none. Only the touched users are listed, summed and emptied again, so a tenant costs its
/// touched users rather than all of its users.
#[derive(Debug, Default)]
struct Hulls {
    from: Vec<u64>,
    until: Vec<u64>,
    touched: Vec<u32>,
}

impl Hulls {
    /// Every hull of `users` users empty (they are between tenants: only the length can grow).
    fn start(&mut self, users: usize) {
        debug_assert!(self.touched.is_empty());
        if self.from.len() < users {
            self.from.resize(users, NEVER);
            self.until.resize(users, 0);
        }
    }

    /// Widens user `w`'s hull to cover `[a, e)`.
    #[inline]
    fn widen(&mut self, w: u32, a: u64, e: u64) {
        let w = w as usize;
        if self.from[w] == NEVER {
            self.touched.push(w as u32);
        }
        self.from[w] = self.from[w].min(a);
        self.until[w] = self.until[w].max(e);
    }

    /// The sum of the hulls' lengths (an integer sum: its order does not matter); every hull is
    /// left empty.
    fn total(&mut self) -> u64 {
        let mut sum = 0;
        for &w in &self.touched {
            let w = w as usize;
            sum += self.until[w] - self.from[w];
            (self.from[w], self.until[w]) = (NEVER, 0);
        }
        self.touched.clear();
        sum
    }
}

/// Union-find over a tenant's users that counts the components of two or more users.
#[derive(Debug, Default)]
struct Components {
    parent: Vec<u32>,
    size: Vec<u32>,
    nontrivial: u32,
}

impl Components {
    fn reset(&mut self, users: u32) {
        self.parent.clear();
        self.parent.extend(0..users);
        self.size.clear();
        self.size.resize(users as usize, 1);
        self.nontrivial = 0;
    }

    fn root(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let up = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = up;
            x = up;
        }
        x
    }

    fn join(&mut self, a: u32, b: u32) {
        let (mut a, mut b) = (self.root(a), self.root(b));
        if a == b {
            return;
        }
        let (sa, sb) = (self.size[a as usize], self.size[b as usize]);
        match (sa > 1, sb > 1) {
            (false, false) => self.nontrivial += 1,
            (true, true) => self.nontrivial -= 1,
            _ => {}
        }
        if sa < sb {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] = sa + sb;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::CounterRng;
    use crate::scenario::Dist;

    const WEEKEND: u64 = 80 * DAY;

    fn grid() -> SampleGrid {
        SampleGrid {
            end: SimTime(200 * DAY),
            offset: 12 * HOUR,
        }
    }

    fn scheduled(transitioned: bool) -> Timeline {
        Timeline {
            first_batch: Some((SimTime(15 * DAY), SimTime(WEEKEND))),
            transition: transitioned
                .then_some((SimTime(WEEKEND + 14 * DAY), SimTime(WEEKEND + 16 * DAY))),
        }
    }

    /// Recomputes one tenant's figures sample by sample from the users' Lync times and the traced
    /// pairs, the slow and obvious way, and compares.
    fn brute_force_agrees(lync: &Lync, users: u32, timeline: Timeline, seed: u64) {
        let streams = Streams::new(seed, 0);
        let mut eval = Evaluator::new(lync, &streams, grid(), true);
        let got = eval.tenant(9, users, &timeline);
        let upgrade = timeline
            .transition
            .map_or(grid().end.ticks(), |(t, _)| t.ticks());
        let on_lync = |i: u32, t: u64| eval.lync_at[i as usize] <= t;
        let pairs: Vec<(u32, u32)> = eval.graph.edges().collect();
        type Spans = (u64, u64, u64, u64, u64);
        let traced: std::collections::HashMap<(u32, u32), Spans> = eval
            .trace
            .iter()
            .map(|&(u, v, a, b, e, ru, rv)| ((u, v), (a, b, e, ru, rv)))
            .collect();
        let (mut peak_cross, mut peak_broken, mut islands) = (0u64, 0u64, 0u32);
        for k in 0..grid().count() {
            let t = k * DAY + grid().offset;
            let (mut cross, mut broken) = (0, 0);
            let mut comps = Components::default();
            comps.reset(users);
            for &(u, v) in &pairs {
                let split = on_lync(u, t) != on_lync(v, t);
                let (a, b, e, ru, rv) = traced
                    .get(&(u, v))
                    .copied()
                    .unwrap_or((NEVER, NEVER, NEVER, 0, 0));
                assert_eq!(
                    split,
                    a <= t && t < b,
                    "cross-island interval of ({u}, {v}) at {t}"
                );
                // Broken: split, or an early mover on Lync Online that has not re-added the other.
                let lost = |i: u32, done: u64| on_lync(i, t) && t < done;
                let is_broken = split || lost(u, ru) || lost(v, rv);
                assert_eq!(
                    is_broken,
                    a <= t && t < e,
                    "broken interval of ({u}, {v}) at {t}"
                );
                cross += u64::from(split);
                broken += u64::from(is_broken);
                if !split {
                    comps.join(u, v);
                }
            }
            peak_cross = peak_cross.max(cross);
            peak_broken = peak_broken.max(broken);
            islands = islands.max(comps.nontrivial);
        }
        let pairs_n = pairs.len() as f64;
        assert_eq!(got.contact_pairs, pairs.len() as u64);
        assert_eq!(
            got.peak_cross_island_fraction,
            (pairs_n > 0.0).then(|| peak_cross as f64 / pairs_n)
        );
        assert_eq!(
            got.peak_broken_contact_fraction,
            (pairs_n > 0.0).then(|| peak_broken as f64 / pairs_n)
        );
        assert_eq!(got.islands, islands);
        // Disruption: the union of each user's broken intervals, merged the slow way.
        let mut hours = 0.0;
        for i in 0..users {
            let mut spans: Vec<(u64, u64)> = eval
                .trace
                .iter()
                .filter(|&&(u, v, a, _, e, _, _)| (u == i || v == i) && e > a)
                .map(|&(_, _, a, _, e, _, _)| (a, e))
                .collect();
            spans.sort_unstable();
            let mut covered = 0;
            let mut reach = 0;
            for (a, e) in spans {
                covered += e.saturating_sub(a.max(reach));
                reach = reach.max(e);
            }
            hours += covered as f64 / HOUR as f64;
        }
        assert!(
            (got.im_disruption_user_hours - hours).abs() < 1e-6,
            "{} vs {hours}",
            got.im_disruption_user_hours
        );
        let early = eval.lync_at.iter().filter(|&&l| l < upgrade).count();
        assert_eq!(got.users_early as usize, early);
    }

    fn lync(mode: EarlyMoveMode, p: f64, rebuild: f64) -> Lync {
        Lync {
            early_move_mode: mode,
            early_move_probability: p,
            contact_rebuild_per_day: rebuild,
            department_size: Dist::constant(6.0),
            contacts_mean: 4.0,
            ..Lync::default()
        }
    }

    #[test]
    fn fast_figures_match_a_brute_force_recount() {
        for (seed, mode) in [
            (1, EarlyMoveMode::Individual),
            (2, EarlyMoveMode::Department),
            (3, EarlyMoveMode::Tenant),
        ] {
            for (p, rebuild) in [(0.3, 0.2), (0.6, 0.0), (0.5, f64::INFINITY)] {
                for users in [1, 2, 5, 40] {
                    for transitioned in [true, false] {
                        let l = lync(mode, p, rebuild);
                        brute_force_agrees(&l, users, scheduled(transitioned), seed);
                    }
                }
            }
        }
    }

    #[test]
    fn unscheduled_tenants_keep_chatting() {
        let l = lync(EarlyMoveMode::Individual, 1.0, 0.0);
        let streams = Streams::new(1, 0);
        let mut eval = Evaluator::new(&l, &streams, grid(), true);
        let t = eval.tenant(0, 30, &Timeline::default());
        assert_eq!((t.users_early, t.stranded_users), (0, 0));
        assert_eq!(t.peak_broken_contact_fraction, Some(0.0));
        assert_eq!(t.im_disruption_user_hours, 0.0);
        assert!(t.islands >= 1);
    }

    /// The band by sorting everything, as it was first written.
    fn band_by_sorting(values: &[f32]) -> Band {
        let mut sorted: Vec<f64> = values.iter().map(|&v| f64::from(v)).collect();
        sorted.sort_unstable_by(f64::total_cmp);
        let mean = if sorted.is_empty() {
            f64::NAN
        } else {
            sorted.iter().sum::<f64>() / sorted.len() as f64
        };
        Band {
            mean,
            p10: crate::stats::quantile_sorted(&sorted, 0.1),
            p90: crate::stats::quantile_sorted(&sorted, 0.9),
        }
    }

    #[test]
    fn bands_match_sorting_to_the_bit() {
        let mut rng = CounterRng::new(5);
        let bits = |b: Band| [b.mean.to_bits(), b.p10.to_bits(), b.p90.to_bits()];
        for n in [0, 1, 2, 3, 10, 11, 101, 6_000] {
            // Shares of a few pairs (exact sums), of many pairs (rounding sums), a mix with zeros,
            // and a negative value (which any sum must still handle).
            for (pairs, zero_one_in) in [(7u64, 3), (80_000, 3), (80_000, 50), (1 << 40, 2)] {
                let mut values: Vec<f32> = (0..n)
                    .map(|_| {
                        let k = rng.random_range(0..=pairs);
                        if k % zero_one_in == 0 {
                            0.0
                        } else {
                            (k as f64 / pairs as f64) as f32
                        }
                    })
                    .collect();
                if n == 101 && pairs == 7 {
                    values[50] = -0.25;
                }
                let want = band_by_sorting(&values);
                assert_eq!(
                    bits(Band::of(&mut values)),
                    bits(want),
                    "{n} values of {pairs}"
                );
            }
        }
    }

    #[test]
    fn components_count_groups_of_two_or_more() {
        let mut c = Components::default();
        c.reset(6);
        c.join(0, 1);
        c.join(2, 3);
        assert_eq!(c.nontrivial, 2);
        c.join(1, 2);
        assert_eq!(c.nontrivial, 1);
        c.join(4, 4);
        c.join(3, 0);
        assert_eq!(c.nontrivial, 1);
    }
}
