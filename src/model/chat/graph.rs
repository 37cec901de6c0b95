//! A tenant's contact graph: users in departments, contact pairs mostly inside a department, stored
//! as one ascending list with each undirected pair once.
//!
//! Memory is linear in users + contacts and generation takes time linear in them too (drawn pairs
//! are put in order by a counting sort), so a 50,000-seat tenant is built in milliseconds. The buffers
//! are kept between tenants so a replication allocates them once.

use crate::engine::CounterRng;

use crate::scenario::Lync;

/// Users `dept_start[d]..dept_start[d + 1]` form department `d`; the pairs `(u, v)` with `u < v`
/// (each `u << 32 | v`) are `inside` departments and `cross` them, each list ascending.
#[derive(Clone, Debug, Default)]
pub struct ContactGraph {
    users: u32,
    dept_start: Vec<u32>,
    inside: Vec<u64>,
    cross: Vec<u64>,
    /// Contact pairs the edges will number once drawn (known from the departments alone).
    planned_pairs: u64,
    /// Per-department pair targets, then buffers for pair generation: a department's drawn
    /// pairs (then the department pairs `edges_where` keeps), the buffers of `Sorter`, each
    /// user's department; the cross pairs and all pairs `edges_where` keeps.
    dept_pairs: Vec<u64>,
    scratch: Vec<u64>,
    kept_cross: Vec<u64>,
    kept: Vec<u64>,
    /// Every pair in order, once `all_edges` has merged them for the current tenant.
    all: Vec<u64>,
    all_merged: bool,
    sorter: Sorter,
    dept_of: Vec<u32>,
}

impl ContactGraph {
    pub fn users(&self) -> u32 {
        self.users
    }

    pub fn departments(&self) -> usize {
        self.dept_start.len().saturating_sub(1)
    }

    /// Users of department `d`.
    pub fn department(&self, d: usize) -> std::ops::Range<u32> {
        self.dept_start[d]..self.dept_start[d + 1]
    }

    /// The number of contact pairs (undirected, each once).
    pub fn pairs(&self) -> u64 {
        self.planned_pairs
    }

    /// The contact pairs of a tenant of `users` users with `contacts_mean` contacts each on
    /// average: `users * degree / 2` rounded, the degree capped by `users - 1`. It depends on
    /// nothing drawn, so whether any tenant has a contact is known from the scenario.
    pub fn pairs_of(users: u32, contacts_mean: f64) -> u64 {
        let n = u64::from(users);
        let all_pairs = n * n.saturating_sub(1) / 2;
        let degree = contacts_mean.min(n.saturating_sub(1) as f64);
        ((n as f64 * degree / 2.0).round() as u64).min(all_pairs)
    }

    /// Every contact pair (`u << 32 | v`, see `ends`) in ascending order, merged once per tenant
    /// for the passes of the islands.
    pub fn all_edges(&mut self) -> &[u64] {
        if !self.all_merged {
            self.all.clear();
            merge(&self.inside, &self.cross, &mut self.all);
            self.all_merged = true;
        }
        &self.all
    }

    /// The contact pairs `(u, v)`, `u < v`, in ascending order: row by row, each row ascending.
    pub fn edges(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        let merged = Merge {
            a: self.inside.iter().peekable(),
            b: self.cross.iter().peekable(),
        };
        merged.map(ends)
    }

    /// The contact pairs that `keep` accepts (`u << 32 | v`), in ascending order. Each list is
    /// filtered in a tight pass, and only the pairs kept are merged.
    pub fn edges_where(&mut self, keep: impl Fn(u32, u32) -> bool) -> &[u64] {
        let kept = |p: &&u64| keep((**p >> 32) as u32, **p as u32);
        self.scratch.clear();
        self.scratch.extend(self.inside.iter().filter(kept));
        self.kept_cross.clear();
        self.kept_cross.extend(self.cross.iter().filter(kept));
        self.kept.clear();
        merge(&self.scratch, &self.kept_cross, &mut self.kept);
        &self.kept
    }

    /// CounterRng the departments of a tenant of `users` and plans how many pairs fall in each; the
    /// edges themselves are drawn by `draw_edges` (from the same stream, right after).
    pub fn draw_departments(&mut self, users: u32, lync: &Lync, rng: &mut CounterRng) {
        self.users = users;
        self.inside.clear();
        self.cross.clear();
        self.all_merged = false;
        self.dept_start.clear();
        self.dept_start.push(0);
        let mut at: u32 = 0;
        while at < users {
            let size = lync.department_size.sample(rng).round().max(1.0);
            let size = if size >= f64::from(users - at) {
                users - at
            } else {
                size as u32
            };
            at += size;
            self.dept_start.push(at);
        }
        self.plan_pairs(lync);
    }

    /// Pair targets: `users * degree / 2` in all (the degree capped by `users - 1`), a share
    /// `contacts_in_department` of them inside departments as far as each can hold them, the rest
    /// across departments, and whatever does not fit across back inside.
    fn plan_pairs(&mut self, lync: &Lync) {
        let n = u64::from(self.users);
        let all_pairs = n * n.saturating_sub(1) / 2;
        let degree = lync.contacts_mean.min(n.saturating_sub(1) as f64);
        let total = Self::pairs_of(self.users, lync.contacts_mean);
        self.dept_pairs.clear();
        let mut inside = 0;
        let mut inside_capacity = 0;
        for d in 0..self.departments() {
            let s = u64::from(self.dept_start[d + 1] - self.dept_start[d]);
            let capacity = s * s.saturating_sub(1) / 2;
            let want = (s as f64 * degree * lync.contacts_in_department / 2.0).round() as u64;
            let m = want.min(capacity).min(total - inside);
            inside += m;
            inside_capacity += capacity;
            self.dept_pairs.push(m);
        }
        let cross_capacity = all_pairs - inside_capacity;
        let cross = (total - inside).min(cross_capacity);
        let mut leftover = total - inside - cross;
        for d in 0..self.departments() {
            if leftover == 0 {
                break;
            }
            let s = u64::from(self.dept_start[d + 1] - self.dept_start[d]);
            let spare = s * s.saturating_sub(1) / 2 - self.dept_pairs[d];
            let add = spare.min(leftover);
            self.dept_pairs[d] += add;
            leftover -= add;
        }
        debug_assert_eq!(leftover, 0, "the pairs of a complete graph always fit");
        self.dept_pairs.push(cross);
        self.planned_pairs = total;
    }

    /// CounterRng the contact pairs planned by `draw_departments`: each department's pairs come out in
    /// order, and so do the cross pairs.
    pub fn draw_edges(&mut self, rng: &mut CounterRng) {
        let mut inside = std::mem::take(&mut self.inside);
        let mut cross = std::mem::take(&mut self.cross);
        let mut scratch = std::mem::take(&mut self.scratch);
        let mut sorter = std::mem::take(&mut self.sorter);
        inside.clear();
        cross.clear();
        for d in 0..self.departments() {
            let (start, end) = (self.dept_start[d], self.dept_start[d + 1]);
            let m = self.dept_pairs[d];
            draw_inside(
                start,
                end - start,
                m,
                rng,
                &mut scratch,
                &mut sorter,
                &mut inside,
            );
        }
        let m = self.dept_pairs[self.departments()];
        if m > 0 {
            self.dept_of.clear();
            for d in 0..self.departments() {
                let len = (self.dept_start[d + 1] - self.dept_start[d]) as usize;
                self.dept_of.extend(std::iter::repeat_n(d as u32, len));
            }
            self.draw_across(m, rng, &mut cross, &mut sorter);
        }
        debug_assert_eq!((inside.len() + cross.len()) as u64, self.planned_pairs);
        self.inside = inside;
        self.cross = cross;
        self.scratch = scratch;
        self.sorter = sorter;
        self.all_merged = false;
    }

    /// `m` distinct pairs between users of different departments, in order, into `pairs`.
    fn draw_across(&self, m: u64, rng: &mut CounterRng, pairs: &mut Vec<u64>, sorter: &mut Sorter) {
        let n = self.users;
        let capacity: u64 = (0..self.departments())
            .map(|d| {
                let s = u64::from(self.dept_start[d + 1] - self.dept_start[d]);
                s * (u64::from(n) - u64::from(self.dept_start[d + 1]))
            })
            .sum();
        if m * 3 >= capacity {
            // Dense: selection sampling over every cross pair, which costs at most 3m draws
            // (a draw per candidate until all are taken, as when every pair is wanted).
            let mut g = *rng;
            let mut need = m;
            let mut left = capacity;
            'rows: for u in 0..n {
                let after = self.dept_start[self.dept_of[u as usize] as usize + 1];
                for v in after..n {
                    if select(&mut g, &mut need, &mut left) {
                        pairs.push(pair(u, v));
                        if need == 0 {
                            break 'rows;
                        }
                    }
                }
            }
            *rng = g;
            return;
        }
        // Sparse (few rounds, since at most a third of the candidates are taken).
        let mut g = *rng;
        sorter.draw_distinct(pairs, m, 0..n, || self.cross_pair(&mut g));
        *rng = g;
    }

    /// A pair between users of different departments: a user, then one outside its department.
    #[inline(always)]
    fn cross_pair(&self, g: &mut CounterRng) -> u64 {
        let n = self.users;
        let u = g.below_u32(n);
        let d = self.dept_of[u as usize] as usize;
        let (start, end) = (self.dept_start[d], self.dept_start[d + 1]);
        let x = g.below_u32(n - (end - start));
        let v = if x < start { x } else { x + (end - start) };
        pair(u.min(v), u.max(v))
    }
}

/// The ascending merge of the distinct ascending lists `a` and `b`, into the empty `out`.
fn merge(a: &[u64], b: &[u64], out: &mut Vec<u64>) {
    out.reserve(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] < b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
}

/// The ascending merge of two ascending iterators of distinct pairs.
struct Merge<A: Iterator, B: Iterator> {
    a: std::iter::Peekable<A>,
    b: std::iter::Peekable<B>,
}

impl<'a, A: Iterator<Item = &'a u64>, B: Iterator<Item = &'a u64>> Iterator for Merge<A, B> {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        match (self.a.peek(), self.b.peek()) {
            (Some(x), Some(y)) if x > y => self.b.next(),
            (Some(_), _) => self.a.next(),
            (None, _) => self.b.next(),
        }
        .copied()
    }
}

/// Puts drawn pairs in order and drops repeats, with buffers kept between tenants.
#[derive(Clone, Debug, Default)]
struct Sorter {
    counts: Vec<u32>,
    scratch: Vec<u64>,
}

impl Sorter {
    /// Fills the empty `pairs` with `m` distinct pairs in order, their lower users in `lower`:
    /// `m` drawn, repeats dropped, the shortfall drawn again, until there are `m`. The first
    /// round is put in order by `sort_dedup`; the few pairs of a later round are put in place
    /// one by one.
    ///
    /// Inlined, so that `draw` (called for every pair) is inlined in its loop.
    #[inline(always)]
    fn draw_distinct(
        &mut self,
        pairs: &mut Vec<u64>,
        m: u64,
        lower: std::ops::Range<u32>,
        mut draw: impl FnMut() -> u64,
    ) {
        debug_assert!(pairs.is_empty());
        pairs.extend((0..m).map(|_| draw()));
        self.sort_dedup(pairs, lower);
        while (pairs.len() as u64) < m {
            let more = &mut self.scratch;
            more.clear();
            more.extend((pairs.len() as u64..m).map(|_| draw()));
            for &p in more.iter() {
                if let Err(at) = pairs.binary_search(&p) {
                    pairs.insert(at, p);
                }
            }
        }
    }

    /// Sorts `pairs`, whose lower users lie in `lower`, and drops repeats: the result of
    /// `sort_unstable` and `dedup`, in time linear in pairs and users. A counting sort by the
    /// lower user, then each user's few partners in order.
    fn sort_dedup(&mut self, pairs: &mut Vec<u64>, lower: std::ops::Range<u32>) {
        let row = |p: u64| ((p >> 32) as u32 - lower.start) as usize;
        let counts = &mut self.counts;
        counts.clear();
        counts.resize(lower.len() + 1, 0);
        for &p in pairs.iter() {
            counts[row(p) + 1] += 1;
        }
        for r in 1..counts.len() {
            counts[r] += counts[r - 1];
        }
        let scratch = &mut self.scratch;
        scratch.clear();
        scratch.resize(pairs.len(), 0);
        for &p in pairs.iter() {
            let at = &mut counts[row(p)];
            scratch[*at as usize] = p;
            *at += 1;
        }
        // Row `r` is now `scratch[counts[r - 1]..counts[r]]` (from 0 for the first): sort each
        // row and compact it in place (writes never pass reads), then hand the result over.
        let (mut from, mut w) = (0, 0);
        for &to in &counts[..lower.len()] {
            let to = to as usize;
            if to - from == 1 {
                scratch[w] = scratch[from];
                w += 1;
            } else if to > from {
                // Insertion sort: a user has a handful of partners at most.
                let run = &mut scratch[from..to];
                for i in 1..run.len() {
                    let mut j = i;
                    while j > 0 && run[j - 1] > run[j] {
                        run.swap(j - 1, j);
                        j -= 1;
                    }
                }
                scratch[w] = scratch[from];
                w += 1;
                for k in from + 1..to {
                    if scratch[k] != scratch[w - 1] {
                        scratch[w] = scratch[k];
                        w += 1;
                    }
                }
            }
            from = to;
        }
        scratch.truncate(w);
        std::mem::swap(pairs, scratch);
    }
}

/// Selection sampling (one cheap draw per candidate pair) beats drawing, sorting and removing
/// repeats while the wanted pairs are at least this share of the candidates.
const DENSE: u64 = 6;

fn pair(u: u32, v: u32) -> u64 {
    (u64::from(u) << 32) | u64::from(v)
}

/// The users `(u, v)` of a pair.
pub fn ends(p: u64) -> (u32, u32) {
    ((p >> 32) as u32, p as u32)
}

/// Selection sampling of `m` pairs among the `s` users from `start` (dense: small departments,
/// the common case), appended to `pairs` in order: one draw per pair while fewer are wanted than
/// are left, then every pair left without a draw.
///
/// Not inlined, so that the loop has the registers to itself and the generator's state (a local
/// copy) stays in one of them.
#[inline(never)]
fn select_inside(start: u32, s: u32, m: u64, rng: &mut CounterRng, pairs: &mut Vec<u64>) {
    pairs.reserve(m as usize);
    let mut g = *rng;
    let (mut need, mut left) = (m, u64::from(s) * u64::from(s.saturating_sub(1)) / 2);
    let end = start + s;
    'rows: for i in start..end {
        for j in i + 1..end {
            if need == left {
                // Every pair from `(i, j)` on is wanted.
                pairs.extend((j..end).map(|v| pair(i, v)));
                for u in i + 1..end {
                    pairs.extend((u + 1..end).map(|v| pair(u, v)));
                }
                break 'rows;
            }
            if select(&mut g, &mut need, &mut left) {
                pairs.push(pair(i, j));
                if need == 0 {
                    break 'rows;
                }
            }
        }
    }
    *rng = g;
}

/// One step of selection sampling (Knuth's algorithm S): whether the next of `left` candidates
/// is taken when `need` of them are wanted, by one draw; the candidate is counted off.
#[inline(always)]
fn select(g: &mut CounterRng, need: &mut u64, left: &mut u64) -> bool {
    let n = *left;
    *left -= 1;
    if g.below(n) < *need {
        *need -= 1;
        true
    } else {
        false
    }
}

/// `m` distinct pairs among the `s` users from `start`, appended to `pairs` in order.
fn draw_inside(
    start: u32,
    s: u32,
    m: u64,
    rng: &mut CounterRng,
    local: &mut Vec<u64>,
    sorter: &mut Sorter,
    pairs: &mut Vec<u64>,
) {
    let capacity = u64::from(s) * u64::from(s.saturating_sub(1)) / 2;
    if m == 0 {
        return;
    }
    if m * DENSE >= capacity {
        select_inside(start, s, m, rng, pairs);
        return;
    }
    local.clear();
    let mut g = *rng;
    sorter.draw_distinct(local, m, start..start + s, || {
        let i = g.below_u32(s);
        let j = (i + 1 + g.below_u32(s - 1)) % s;
        pair(start + i.min(j), start + i.max(j))
    });
    *rng = g;
    pairs.extend_from_slice(local);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::CounterRng;
    use crate::scenario::Dist;
    use rand::RngExt;

    fn lync(contacts_mean: f64, inside: f64, dept: Dist) -> Lync {
        Lync {
            contacts_mean,
            contacts_in_department: inside,
            department_size: dept,
            ..Lync::default()
        }
    }

    fn build(users: u32, l: &Lync, seed: u64) -> ContactGraph {
        let mut g = ContactGraph::default();
        let mut rng = CounterRng::new(seed);
        g.draw_departments(users, l, &mut rng);
        g.draw_edges(&mut rng);
        g
    }

    /// Every pair once, no self-loops, the planned count, in ascending order (the order in which
    /// chat draws the pairs' rebuilt contacts).
    fn check(g: &ContactGraph) {
        let all: Vec<(u32, u32)> = g.edges().collect();
        for &(u, v) in &all {
            assert!(
                u < v && v < g.users(),
                "pair ({u}, {v}) out of order or range"
            );
        }
        assert!(
            all.windows(2).all(|w| w[0] < w[1]),
            "pairs out of order or stored twice"
        );
        assert_eq!(all.len() as u64, g.pairs());
    }

    #[test]
    fn mean_degree_and_department_share_are_met() {
        let l = lync(10.0, 0.8, Dist::constant(20.0));
        let g = build(2_000, &l, 1);
        check(&g);
        assert_eq!(g.pairs(), 10_000);
        let inside = g.edges().filter(|&(u, v)| u / 20 == v / 20).count();
        assert_eq!(inside, 8_000);
    }

    #[test]
    fn small_and_degenerate_tenants_are_complete_or_empty() {
        for users in [1, 2, 3, 7] {
            let g = build(users, &lync(10.0, 0.8, Dist::constant(3.0)), 2);
            check(&g);
            // The degree is capped by users - 1: the graph is complete.
            assert_eq!(g.pairs(), u64::from(users * (users - 1) / 2));
        }
        // One department holding everyone: cross pairs have nowhere to go and stay inside.
        let g = build(30, &lync(6.0, 0.5, Dist::constant(1_000.0)), 3);
        check(&g);
        assert_eq!(g.pairs(), 90);
        // Departments of one: every pair crosses.
        let g = build(30, &lync(6.0, 0.9, Dist::constant(1.0)), 4);
        check(&g);
        assert_eq!(g.pairs(), 90);
        assert_eq!(g.departments(), 30);
    }

    #[test]
    fn sort_dedup_is_sort_and_dedup() {
        let mut rng = CounterRng::new(9);
        let mut sorter = Sorter::default();
        for (lo, hi, len) in [(0, 1, 5), (3, 10, 40), (100, 140, 300), (0, 2_000, 1_500)] {
            let mut drawn: Vec<u64> = (0..len)
                .map(|_| {
                    let u = rng.random_range(lo..hi);
                    pair(u, rng.random_range(u..hi + 3))
                })
                .collect();
            let mut want = drawn.clone();
            want.sort_unstable();
            want.dedup();
            sorter.sort_dedup(&mut drawn, lo..hi);
            assert_eq!(drawn, want);
        }
    }

    #[test]
    fn a_fifty_thousand_seat_tenant_is_linear_in_size() {
        let l = Lync::default();
        let g = build(50_000, &l, 5);
        check(&g);
        assert_eq!(g.pairs(), 200_000);
        assert_eq!(g.edges().count(), 200_000);
    }
}
