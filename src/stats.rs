//! Streaming and batch statistics: mean/variance, quantiles, Student-t confidence intervals, paired
//! differences and tests, Holm's adjustment, Wilson intervals, Fieller intervals of a share.
//!
//! Everything here is deterministic: the same values in the same order give the
//! same bits, so replicated experiments reproduce exactly. NaN inputs are treated
//! as "missing" and skipped rather than poisoning a whole metric. Quantiles and tail
//! probabilities of the t and normal distributions come from statrs; Holm's adjustment,
//! Wilson's interval and Fieller's are written out here.

use statrs::distribution::{ChiSquared, ContinuousCDF, Normal, StudentsT};

/// Welford running mean/variance; mergeable (Chan et al.) so shards combine exactly-in-order.
///
/// `min`/`max` are only meaningful when `n > 0`; the accessors return NaN
/// otherwise, so the derived `Default` (all zeros) is a valid empty state.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Running {
    n: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
}

impl Running {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add one observation. NaN values are ignored (not counted).
    pub fn push(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        if self.n == 0 {
            // Set min/max from the first value instead of relying on the zeroed
            // default, which would otherwise leak 0.0 into the extremes.
            self.min = x;
            self.max = x;
        } else {
            self.min = self.min.min(x);
            self.max = self.max.max(x);
        }
        self.n += 1;
        // Welford: updating with deviations from the running mean avoids the
        // catastrophic cancellation of the textbook sum(x^2) - n*mean^2.
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Combine another accumulator into this one (Chan, Golub & LeVeque).
    ///
    /// `a.merge(&b)` describes the concatenation "a's values then b's values";
    /// merging shards in a fixed order therefore gives a deterministic result.
    pub fn merge(&mut self, other: &Running) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let na = self.n as f64;
        let nb = other.n as f64;
        let n = self.n + other.n;
        let nf = n as f64;
        let delta = other.mean - self.mean;
        // Weighting delta by nb/n (rather than averaging na*ma + nb*mb) keeps the
        // merged mean accurate when the two means are large and close together.
        self.mean += delta * (nb / nf);
        self.m2 += other.m2 + delta * delta * (na * nb / nf);
        self.n = n;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Number of (non-NaN) observations.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Arithmetic mean; NaN when empty.
    pub fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.mean }
    }

    /// Sample variance (divisor `n - 1`); NaN when `n < 2`.
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            f64::NAN
        } else {
            // m2 is a sum of non-negative terms mathematically, but merging can
            // round it a hair below zero; clamp so std() never returns NaN.
            (self.m2 / (self.n - 1) as f64).max(0.0)
        }
    }

    /// Sample standard deviation; NaN when `n < 2`.
    pub fn std(&self) -> f64 {
        self.variance().sqrt()
    }

    /// Smallest observation; NaN when empty.
    pub fn min(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.min }
    }

    /// Largest observation; NaN when empty.
    pub fn max(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.max }
    }

    /// 95% confidence interval of the mean: `mean ± t_{0.975,n-1} * std / sqrt(n)`.
    /// `(NaN, NaN)` when `n < 2`.
    pub fn ci95(&self) -> (f64, f64) {
        if self.n < 2 {
            return (f64::NAN, f64::NAN);
        }
        let half = t_quantile_975(self.n - 1) * self.std() / (self.n as f64).sqrt();
        (self.mean - half, self.mean + half)
    }
}

/// Quantile `p` of Student's t with `df` degrees of freedom (statrs' inverse CDF); NaN for
/// `df == 0` or `p` outside (0, 1).
pub fn t_quantile(p: f64, df: u64) -> f64 {
    if df == 0 || !(p > 0.0 && p < 1.0) {
        return f64::NAN;
    }
    // Past a million degrees of freedom t is the normal to far below the six decimals written.
    if df > 1_000_000 {
        return Normal::new(0.0, 1.0)
            .expect("the standard normal")
            .inverse_cdf(p);
    }
    StudentsT::new(0.0, 1.0, df as f64)
        .expect("df >= 1 is a valid Student t")
        .inverse_cdf(p)
}

/// The upper `q` quantile of Student's t with `df` degrees of freedom (its `1 - q` quantile),
/// for a tail far below what `1 - q` can say: statrs' inverse gives wrong values once the
/// quantile passes about a million (with 1 degree of freedom, below `q` = 1e-6), so 1 and 2
/// degrees of freedom, whose inverses are closed forms, take those; the others, whose
/// quantiles stay far smaller, take the lower tail by symmetry. Above 1e-6 it is
/// `t_quantile(1 - q, df)`.
pub fn t_upper_quantile(q: f64, df: u64) -> f64 {
    if !(q > 0.0 && q < 1.0) || q >= 1e-6 {
        return t_quantile(1.0 - q, df);
    }
    match df {
        1 => 1.0 / (std::f64::consts::PI * q).tan(),
        2 => (1.0 - 2.0 * q) / (2.0 * q * (1.0 - q)).sqrt(),
        _ => -t_quantile(q, df),
    }
}

/// Quantile `p` of chi-square with `df` degrees of freedom (statrs' inverse CDF); NaN for
/// `df == 0` or `p` outside (0, 1).
pub fn chi_square_quantile(p: f64, df: u64) -> f64 {
    if df == 0 || !(p > 0.0 && p < 1.0) {
        return f64::NAN;
    }
    ChiSquared::new(df as f64)
        .expect("df >= 1 is a valid chi-square")
        .inverse_cdf(p)
}

/// The 0.975 quantile of Student's t: the multiplier of a two-sided 95% interval.
pub fn t_quantile_975(df: u64) -> f64 {
    t_quantile(0.975, df)
}

/// Two-sided p-value of the one-sample t test that the mean of the values `s` summarises is 0
/// (applied to paired differences, the paired t test). NaN when `n < 2`. Differences that are all
/// equal have no spread: zero differences give 1, a constant non-zero difference gives 0.
pub fn t_test_p_value(s: &Summary) -> f64 {
    if s.n < 2 || s.mean.is_nan() {
        return f64::NAN;
    }
    if s.std == 0.0 || s.std.is_nan() {
        return if s.mean == 0.0 { 1.0 } else { 0.0 };
    }
    let t = s.mean / (s.std / (s.n as f64).sqrt());
    let dist = StudentsT::new(0.0, 1.0, (s.n - 1) as f64).expect("df >= 1 is a valid Student t");
    (2.0 * dist.sf(t.abs())).min(1.0_f64)
}

/// Holm's step-down adjustment of a family of p-values (Holm 1979): sort ascending, multiply the
/// i-th smallest (from 0) by `m - i`, carry the running maximum up, cap at 1. Rejecting where the
/// adjusted value is below alpha controls the family-wise error rate at alpha under any
/// dependence. NaN p-values (tests that could not be made) are not in the family and stay NaN.
pub fn holm(p_values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..p_values.len())
        .filter(|&i| !p_values[i].is_nan())
        .collect();
    // Ties keep input order, so the result is deterministic.
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    let m = order.len();
    let mut adjusted = vec![f64::NAN; p_values.len()];
    let mut running = 0.0_f64;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p_values[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

/// Wilson's score interval for a proportion: `successes` of `n` trials, two-sided at the normal
/// quantile `z` (1.96 for 95%). Unlike the Wald interval it stays in [0, 1] and does not collapse
/// at 0 or n successes. `(NaN, NaN)` when `n == 0`.
pub fn wilson(successes: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let nf = n as f64;
    let p = successes as f64 / nf;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * nf)) / (1.0 + z2 / nf);
    let half = z / (1.0 + z2 / nf) * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    // Exactly 0 or n successes put one end exactly on the boundary.
    let low = if successes == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if successes == n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (low, high)
}

/// A part's share of a whole over the same replications, `mean(parts) / mean(wholes)` (a cause's
/// share of the mean missed deadlines), with its 95% interval, or none.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Share {
    /// The ratio of the means, in [0, 1] when every part is within its whole; NaN when the
    /// wholes' mean is not above zero (no whole to share) or there are no pairs.
    pub share: f64,
    /// Lower end of Fieller's 95% interval, clamped to [0, 1]; NaN when there is none.
    pub low: f64,
    /// Upper end of Fieller's 95% interval, clamped to [0, 1]; NaN when there is none.
    pub high: f64,
}

/// The share `mean(parts) / mean(wholes)` of paired values (one part and its whole per
/// replication) with Fieller's 95% interval for a ratio of means (Fieller 1954; for paired
/// means, e.g. Franz 2007, "Ratios: a short guide to confidence limits and proper use"): the
/// ratios `r` at which `mean(parts) - r * mean(wholes)` is within its own Student-t 95% interval
/// of zero, the replications' spread of `part - r * whole` giving that interval (n - 1 degrees
/// of freedom). Unlike the delta method's symmetric `r ± t * se`, it allows for the noise in the
/// wholes' mean and is exact for normal pairs. Its ends are clamped to [0, 1], a share's range.
///
/// No interval (NaN ends, the share alone) where none would be right: fewer than two pairs; a
/// wholes' mean not above zero (no share either); every replication with the same share
/// (all replications alike, or a part that is always the whole or never any of it), which
/// leaves no spread to estimate the noise from; and a wholes' mean within its own interval of
/// zero, where Fieller's set of ratios is unbounded. Pairs with a NaN on either side are skipped.
///
/// # Panics
///
/// Panics if `parts.len() != wholes.len()`: each side has one value per replication.
pub fn share_of_means(parts: &[f64], wholes: &[f64]) -> Share {
    assert_eq!(
        parts.len(),
        wholes.len(),
        "share_of_means: both sides must have one value per replication"
    );
    let pairs: Vec<(f64, f64)> = parts
        .iter()
        .zip(wholes)
        .filter(|(y, x)| !y.is_nan() && !x.is_nan())
        .map(|(&y, &x)| (y, x))
        .collect();
    let n = pairs.len();
    let none = |share: f64| Share {
        share,
        low: f64::NAN,
        high: f64::NAN,
    };
    if n == 0 {
        return none(f64::NAN);
    }
    let nf = n as f64;
    let part = pairs.iter().map(|p| p.0).sum::<f64>() / nf;
    let whole = pairs.iter().map(|p| p.1).sum::<f64>() / nf;
    if !(whole > 0.0 && whole.is_finite() && part.is_finite()) {
        return none(f64::NAN);
    }
    let share = part / whole;
    if n < 2 {
        return none(share);
    }
    // Sample variances and covariance (divisor n - 1), from deviations about the means.
    let (mut s_yy, mut s_xx, mut s_xy) = (0.0, 0.0, 0.0);
    for &(y, x) in &pairs {
        let (dy, dx) = (y - part, x - whole);
        s_yy += dy * dy;
        s_xx += dx * dx;
        s_xy += dy * dx;
    }
    let df = nf - 1.0;
    let (s_yy, s_xx, s_xy) = (s_yy / df, s_xx / df, s_xy / df);
    // The spread of part - share * whole: zero (to rounding) when every replication has the same
    // share, and then Fieller's interval is that share alone, a certainty no data gave.
    let residual = s_yy - 2.0 * share * s_xy + share * share * s_xx;
    if residual <= 1e-12 * (s_yy + share * share * s_xx) {
        return none(share);
    }
    let q = t_quantile_975(n as u64 - 1).powi(2) / nf;
    // (part - r whole)^2 <= q (s_yy - 2 r s_xy + r^2 s_xx), i.e. a r^2 - 2 b r + c <= 0.
    let a = whole * whole - q * s_xx;
    let b = part * whole - q * s_xy;
    let c = part * part - q * s_yy;
    if a <= 0.0 {
        // The wholes' mean is not clearly above zero: the set of ratios is unbounded.
        return none(share);
    }
    // a > 0 and the share itself in the set make the discriminant non-negative but for rounding.
    let root = (b * b - a * c).max(0.0).sqrt();
    Share {
        share,
        low: ((b - root) / a).clamp(0.0, 1.0),
        high: ((b + root) / a).clamp(0.0, 1.0),
    }
}

/// The standard normal quantile `p` (statrs' inverse CDF).
pub fn normal_quantile(p: f64) -> f64 {
    Normal::new(0.0, 1.0)
        .expect("the standard normal")
        .inverse_cdf(p)
}

/// Quantile of an ascending-sorted slice, linear interpolation between order statistics (R type 7 / numpy default). Empty -> NaN. q clamped to `[0, 1]`.
///
/// A NaN `q` yields NaN. The slice is assumed sorted and NaN-free; this is not checked.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    quantile_of_order(sorted.len(), q, |i| sorted[i])
}

/// `quantile_sorted` of `len` values known by their order statistics: `nth(i)` is the value that
/// would be at index `i` once sorted (a selection gives it without sorting everything).
pub fn quantile_of_order(len: usize, q: f64, mut nth: impl FnMut(usize) -> f64) -> f64 {
    if len == 0 || q.is_nan() {
        return f64::NAN;
    }
    let q = q.clamp(0.0, 1.0);
    let last = len - 1;
    let h = last as f64 * q;
    // h is within [0, last] so the truncating cast is exact for the floor.
    let lo = (h.floor() as usize).min(last);
    let hi = (lo + 1).min(last);
    let frac = h - lo as f64;
    let (a, b) = (nth(lo), nth(hi));
    // Short-circuit equal neighbours so repeated infinities don't become
    // inf - inf = NaN, and exact order statistics come back bit-for-bit.
    if frac == 0.0 || a == b {
        return a;
    }
    a + frac * (b - a)
}

/// Everything summary.csv needs for one metric.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    /// Number of non-NaN values summarized.
    pub n: u64,
    /// Mean; NaN when `n == 0`.
    pub mean: f64,
    /// Sample standard deviation; NaN when `n < 2`.
    pub std: f64,
    /// Lower end of the Student-t 95% CI of the mean; NaN when `n < 2`.
    pub ci95_low: f64,
    /// Upper end of the Student-t 95% CI of the mean; NaN when `n < 2`.
    pub ci95_high: f64,
    /// Median (type-7 quantile).
    pub p50: f64,
    /// 90th percentile (type-7 quantile).
    pub p90: f64,
    /// 99th percentile (type-7 quantile).
    pub p99: f64,
    /// Smallest value; NaN when empty.
    pub min: f64,
    /// Largest value; NaN when empty.
    pub max: f64,
}

impl Summary {
    /// The same summary with its interval's ends clamped to `[low, high]`, the values the metric
    /// can take: a t interval of a count from a few replications can run below zero, of tenants
    /// transitioned above the number of tenants. The mean and the spread are kept.
    pub fn within(mut self, (low, high): (f64, f64)) -> Summary {
        if low.is_nan() || high.is_nan() || low > high {
            return self;
        }
        self.ci95_low = self.ci95_low.clamp(low, high);
        self.ci95_high = self.ci95_high.clamp(low, high);
        self
    }

    /// The statistics in the order of summary.csv's columns, from `mean` to `max` (`n` apart).
    pub fn statistics(&self) -> [f64; 9] {
        [
            self.mean,
            self.std,
            self.ci95_low,
            self.ci95_high,
            self.p50,
            self.p90,
            self.p99,
            self.min,
            self.max,
        ]
    }
}

/// Summary of a batch of values (NaN values skipped). Sorting uses f64::total_cmp. Deterministic: same input order -> same bits.
///
/// Empty input gives `n = 0` and NaN everywhere; a single value gives its
/// mean, quantiles, min and max, with NaN `std` and confidence interval.
pub fn summarize(values: &[f64]) -> Summary {
    let mut acc = Running::new();
    let mut sorted: Vec<f64> = Vec::with_capacity(values.len());
    // Accumulate in input order (not sorted order) so the mean/std bits depend
    // only on the caller's order, which is what "deterministic" promises.
    for &x in values {
        if !x.is_nan() {
            acc.push(x);
            sorted.push(x);
        }
    }
    // total_cmp is a total order (no panics, no NaN special-casing needed) and
    // NaNs were already removed, so it agrees with numeric order apart from
    // placing -0.0 before +0.0.
    sorted.sort_unstable_by(f64::total_cmp);
    let (ci95_low, ci95_high) = acc.ci95();
    Summary {
        n: acc.count(),
        mean: acc.mean(),
        std: acc.std(),
        ci95_low,
        ci95_high,
        p50: quantile_sorted(&sorted, 0.50),
        p90: quantile_sorted(&sorted, 0.90),
        p99: quantile_sorted(&sorted, 0.99),
        min: acc.min(),
        max: acc.max(),
    }
}

/// Paired difference b - a over replications (same index = same random numbers): Summary of the differences.
///
/// Pairs where either value is NaN are skipped.
///
/// # Panics
///
/// Panics if `a.len() != b.len()`; callers pass one value per replication on
/// each side, so equal lengths are an invariant, and silently truncating
/// would pair the wrong replications.
pub fn paired_difference(a: &[f64], b: &[f64]) -> Summary {
    assert_eq!(
        a.len(),
        b.len(),
        "paired_difference: both sides must have one value per replication"
    );
    let diffs: Vec<f64> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| !x.is_nan() && !y.is_nan())
        .map(|(x, y)| y - x)
        .collect();
    summarize(&diffs)
}

/// Welch-style unpaired 95% CI of mean(b) - mean(a) (used to show how much pairing narrows intervals): returns (low, high), NaN if either has n < 2. Use t with Welch–Satterthwaite df (round down, at least 1).
///
/// NaN values on either side are skipped independently (no pairing here).
pub fn unpaired_difference_ci95(a: &[f64], b: &[f64]) -> (f64, f64) {
    let mut ra = Running::new();
    let mut rb = Running::new();
    a.iter().for_each(|&x| ra.push(x));
    b.iter().for_each(|&x| rb.push(x));
    if ra.count() < 2 || rb.count() < 2 {
        return (f64::NAN, f64::NAN);
    }
    let na = ra.count() as f64;
    let nb = rb.count() as f64;
    let sa = ra.variance() / na;
    let sb = rb.variance() / nb;
    let se2 = sa + sb;
    let diff = rb.mean() - ra.mean();
    if se2 == 0.0 {
        // Both samples constant: the Welch df is 0/0, but the interval is
        // degenerate anyway.
        return (diff, diff);
    }
    let df = se2 * se2 / (sa * sa / (na - 1.0) + sb * sb / (nb - 1.0));
    // Float-to-int `as` saturates (and maps NaN to 0), so a huge or odd df
    // cannot wrap; the max(1) enforces the documented lower bound.
    let df = (df.floor() as u64).max(1);
    let half = t_quantile_975(df) * se2.sqrt();
    (diff - half, diff + half)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tiny deterministic LCG (Numerical Recipes constants) -> uniform [0, 1).
    struct Lcg(u64);
    impl Lcg {
        fn next_f64(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// Far in the tail the closed forms of 1 and 2 degrees of freedom (where statrs' inverse
    /// stops near 9.2e7 with 1) and, with more, the lower tail's quantile, which its CDF gives
    /// back; where `1 - q` is still exact enough, the same as `t_quantile`.
    #[test]
    fn upper_t_quantiles_hold_far_into_the_tail() {
        for df in [1, 2, 3, 9, 29] {
            let q = 1e-3;
            let (a, b) = (t_upper_quantile(q, df), t_quantile(1.0 - q, df));
            assert_eq!(a, b, "df {df}");
            // Where both ways are exact the closed forms agree with statrs.
            if df <= 2 {
                let exact = match df {
                    1 => 1.0 / (std::f64::consts::PI * q).tan(),
                    _ => (1.0 - 2.0 * q) / (2.0 * q * (1.0 - q)).sqrt(),
                };
                assert!((exact / b - 1.0).abs() < 1e-12, "df {df}: {exact} {b}");
            }
        }
        // With 1 degree of freedom the quantile is 1 / tan(pi q), about 1 / (pi q).
        let t = t_upper_quantile(1e-12, 1);
        assert!((t * std::f64::consts::PI * 1e-12 - 1.0).abs() < 1e-9, "{t}");
        // With 2, t^2 = (1 - 2q)^2 / (2 q (1 - q)).
        let t = t_upper_quantile(1e-12, 2);
        assert!((t * t * 2e-12 - 1.0).abs() < 1e-9, "{t}");
        for df in [3, 9, 29] {
            let dist = StudentsT::new(0.0, 1.0, df as f64).unwrap();
            for q in [1e-7, 1e-9, 1e-12] {
                let t = t_upper_quantile(q, df);
                let back = 1.0 - (1.0 - dist.cdf(-t));
                assert!(
                    t > 0.0 && (dist.cdf(-t) / q - 1.0).abs() < 1e-6,
                    "df {df}, q {q}: {t} ({back})"
                );
            }
        }
        // Smaller tails, larger quantiles.
        for df in [1, 2, 3, 9] {
            let ts: Vec<f64> = (6..=12)
                .map(|e| t_upper_quantile(10f64.powi(-e), df))
                .collect();
            assert!(ts.windows(2).all(|w| w[1] > w[0]), "df {df}: {ts:?}");
        }
    }

    fn lcg_values(seed: u64, n: usize, offset: f64, scale: f64) -> Vec<f64> {
        let mut g = Lcg(seed);
        (0..n).map(|_| offset + scale * g.next_f64()).collect()
    }

    fn two_pass(xs: &[f64]) -> (f64, f64) {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
        (mean, var)
    }

    fn rel_close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * a.abs().max(b.abs()).max(f64::MIN_POSITIVE)
    }

    /// Student t quantiles from published tables (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2,
    /// upper critical values, three decimals): (df, upper tail probability, value).
    #[test]
    fn t_quantiles_match_published_tables() {
        let table = [
            (1, 0.025, 12.706),
            (2, 0.025, 4.303),
            (5, 0.05, 2.015),
            (10, 0.025, 2.228),
            (10, 0.01, 2.764),
            (20, 0.005, 2.845),
            (30, 0.025, 2.042),
            (60, 0.10, 1.296),
            (100, 0.025, 1.984),
            (100, 0.001, 3.174),
        ];
        for (df, upper, want) in table {
            let got = t_quantile(1.0 - upper, df);
            assert!(
                (got - want).abs() < 6e-4,
                "t({df}, {upper}) = {got}, table {want}"
            );
            // Symmetry: the lower tail is the negative.
            assert!((t_quantile(upper, df) + got).abs() < 1e-9);
        }
        assert!((t_quantile_975(1_000_000_000) - 1.959_964).abs() < 1e-6);
        assert!((normal_quantile(0.95) - 1.644_854).abs() < 1e-6);
        assert!(t_quantile_975(0).is_nan());
        assert!(t_quantile(1.0, 5).is_nan() && t_quantile(f64::NAN, 5).is_nan());
        let mut prev = t_quantile_975(1);
        for df in 2..=200 {
            let t = t_quantile_975(df);
            assert!(t < prev, "not decreasing at df={df}");
            prev = t;
        }
    }

    #[test]
    fn t_test_p_values_match_the_t_distribution() {
        // t = 2.228 with 10 df is the two-sided 5% point; mean 2.228, std sqrt(11), n 11.
        let s = summarize(&[0.0; 0]);
        assert!(t_test_p_value(&s).is_nan());
        let mut s = summarize(&[1.0, 2.0]);
        (s.n, s.mean, s.std) = (11, 2.228_138_851_986_273, 11f64.sqrt());
        assert!((t_test_p_value(&s) - 0.05).abs() < 1e-9);
        let zeros = summarize(&[0.0, 0.0, 0.0]);
        assert_eq!(t_test_p_value(&zeros), 1.0);
        let constant = summarize(&[2.0, 2.0, 2.0]);
        assert_eq!(t_test_p_value(&constant), 0.0);
    }

    /// Holm's adjustment as R's `p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm")` gives it.
    #[test]
    fn holm_matches_the_published_example() {
        let adjusted = holm(&[0.01, 0.04, 0.03, 0.005]);
        let want = [0.03, 0.06, 0.06, 0.02];
        for (got, want) in adjusted.iter().zip(want) {
            assert!((got - want).abs() < 1e-12, "{adjusted:?}");
        }
        let with_gaps = holm(&[f64::NAN, 0.5, 0.01]);
        assert!(with_gaps[0].is_nan());
        assert_eq!(with_gaps[1..], [0.5, 0.02]);
        assert_eq!(holm(&[0.6, 0.9]), [1.0, 1.0]);
        assert!(holm(&[]).is_empty());
    }

    /// Wilson intervals from Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3.
    #[test]
    fn wilson_matches_newcombe() {
        let z = normal_quantile(0.975);
        let table = [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718),
        ];
        for (x, n, low, high) in table {
            let (l, h) = wilson(x, n, z);
            assert!(
                (l - low).abs() < 1e-4 && (h - high).abs() < 1e-4,
                "{x}/{n}: [{l}, {h}]"
            );
        }
        assert_eq!(wilson(20, 20, z).1, 1.0);
        assert!(wilson(0, 0, z).0.is_nan());
    }

    /// Fieller's ends are where the share's equation holds with equality:
    /// `(mean part - r * mean whole)^2 = t^2 / n * var(part - r * whole)`; the interval holds the
    /// share and is near the delta method's `r ± t * se` when the wholes are many and steady.
    #[test]
    fn a_share_has_fiellers_interval() {
        let parts = [3.0, 5.0, 2.0, 6.0, 4.0, 1.0, 5.0, 4.0];
        let wholes = [9.0, 11.0, 8.0, 12.0, 10.0, 7.0, 9.0, 10.0];
        let s = share_of_means(&parts, &wholes);
        assert_eq!(s.share, 30.0 / 76.0);
        assert!(s.low < s.share && s.share < s.high, "{s:?}");
        let n = parts.len() as f64;
        let q = t_quantile_975(7).powi(2) / n;
        for r in [s.low, s.high] {
            let residuals: Vec<f64> = parts.iter().zip(&wholes).map(|(y, x)| y - r * x).collect();
            let m = summarize(&residuals);
            assert!(
                (m.mean * m.mean - q * m.std * m.std).abs() < 1e-12,
                "{r}: {m:?}"
            );
        }
        let residuals: Vec<f64> = parts
            .iter()
            .zip(&wholes)
            .map(|(y, x)| y - s.share * x)
            .collect();
        let delta = t_quantile_975(7) * summarize(&residuals).std / n.sqrt() / (76.0 / n);
        assert!(
            (s.high - s.low - 2.0 * delta).abs() < 0.1 * delta,
            "{s:?} {delta}"
        );
    }

    /// No interval where none would be right, and never one outside [0, 1].
    #[test]
    fn a_share_without_an_interval_is_alone() {
        let alone = |s: Share| s.low.is_nan() && s.high.is_nan();
        let empty = share_of_means(&[], &[]);
        assert!(empty.share.is_nan() && alone(empty));
        // No whole to share: no share either.
        let nothing = share_of_means(&[0.0, 0.0, 0.0], &[0.0, 0.0, 0.0]);
        assert!(nothing.share.is_nan() && alone(nothing));
        // One replication has no spread to tell.
        let one = share_of_means(&[1.0], &[4.0]);
        assert!(one.share == 0.25 && alone(one));
        // Every replication alike.
        let alike = share_of_means(&[2.0; 5], &[3.0; 5]);
        assert!(alike.share == 2.0 / 3.0 && alone(alike));
        // The same share in every replication: always the whole, never any of it, or a half.
        let all = share_of_means(&[1.0, 4.0, 2.0], &[1.0, 4.0, 2.0]);
        assert!(all.share == 1.0 && alone(all));
        let never = share_of_means(&[0.0, 0.0, 0.0], &[1.0, 4.0, 2.0]);
        assert!(never.share == 0.0 && alone(never));
        let half = share_of_means(&[0.1, 0.7, 0.3], &[0.2, 1.4, 0.6]);
        assert!((half.share - 0.5).abs() < 1e-15 && alone(half));
        // Wholes whose mean is within its own interval of zero: Fieller's set is unbounded.
        let sparse = share_of_means(&[0.0, 0.0, 1.0, 1.0], &[0.0, 0.0, 1.0, 3.0]);
        assert!(sparse.share == 0.5 && alone(sparse));
        // Pairs with a NaN are skipped, leaving one here.
        let gaps = share_of_means(&[f64::NAN, 1.0, 3.0], &[2.0, 2.0, f64::NAN]);
        assert!(gaps.share == 0.5 && alone(gaps));
        // A share near the whole has its upper end cut at 1, one near nothing its lower at 0.
        let most = share_of_means(&[5.0, 6.0, 3.0, 4.0], &[5.0, 7.0, 3.0, 4.0]);
        assert_eq!(most.high, 1.0);
        assert!(most.low > 0.0 && most.low < most.share);
        let least = share_of_means(&[0.0, 1.0, 0.0, 0.0], &[5.0, 7.0, 3.0, 4.0]);
        assert_eq!(least.low, 0.0);
        assert!(least.high > least.share && least.high < 1.0);
    }

    #[test]
    #[should_panic(expected = "share_of_means")]
    fn share_length_mismatch_panics() {
        share_of_means(&[1.0, 2.0], &[1.0]);
    }

    #[test]
    fn clamped_intervals_keep_mean_and_spread() {
        let s = summarize(&[0.0, 0.0, 0.0, 9.0]);
        assert!(s.ci95_low < 0.0);
        let c = s.within((0.0, 5.0));
        assert_eq!(
            (c.ci95_low, c.ci95_high, c.mean, c.std),
            (0.0, 5.0, s.mean, s.std)
        );
        let unbounded = s.within((0.0, f64::INFINITY));
        assert_eq!(unbounded.ci95_high, s.ci95_high);
        assert_eq!(s.within((0.0, f64::NAN)), s);
    }

    #[test]
    fn quantile_sorted_type7() {
        let xs = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&xs, 0.5), 2.5);
        assert!((quantile_sorted(&xs, 0.9) - 3.7).abs() < 1e-12);
        assert_eq!(quantile_sorted(&xs, 0.0), 1.0);
        assert_eq!(quantile_sorted(&xs, 1.0), 4.0);
        assert_eq!(quantile_sorted(&xs, -3.0), 1.0);
        assert_eq!(quantile_sorted(&xs, 7.0), 4.0);
        assert!(quantile_sorted(&[], 0.5).is_nan());
        assert!(quantile_sorted(&xs, f64::NAN).is_nan());
        assert_eq!(quantile_sorted(&[42.0], 0.3), 42.0);
        let infs = [f64::INFINITY, f64::INFINITY];
        assert_eq!(quantile_sorted(&infs, 0.5), f64::INFINITY);
    }

    #[test]
    fn running_matches_two_pass() {
        // Large offset relative to spread stresses cancellation.
        let xs = lcg_values(12345, 1000, 1.0e6, 10.0);
        let mut r = Running::new();
        for &x in &xs {
            r.push(x);
        }
        let (mean, var) = two_pass(&xs);
        assert_eq!(r.count(), 1000);
        assert!(rel_close(r.mean(), mean, 1e-12), "{} vs {mean}", r.mean());
        assert!(
            rel_close(r.variance(), var, 1e-9),
            "{} vs {var}",
            r.variance()
        );
        assert!(rel_close(r.std(), var.sqrt(), 1e-9));
        let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
        let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(r.min(), min);
        assert_eq!(r.max(), max);
        let (lo, hi) = r.ci95();
        let half = t_quantile_975(999) * var.sqrt() / 1000f64.sqrt();
        assert!(rel_close(lo, mean - half, 1e-12));
        assert!(rel_close(hi, mean + half, 1e-12));
    }

    #[test]
    fn running_ignores_nan_and_handles_small_n() {
        let mut r = Running::new();
        assert!(r.mean().is_nan() && r.min().is_nan() && r.max().is_nan());
        assert!(r.variance().is_nan());
        r.push(f64::NAN);
        assert_eq!(r.count(), 0);
        r.push(-5.0);
        r.push(f64::NAN);
        assert_eq!(r.count(), 1);
        assert_eq!(r.mean(), -5.0);
        // Must not leak the zeroed default into the extremes.
        assert_eq!(r.max(), -5.0);
        assert_eq!(r.min(), -5.0);
        assert!(r.variance().is_nan() && r.std().is_nan());
        let (lo, hi) = r.ci95();
        assert!(lo.is_nan() && hi.is_nan());
    }

    #[test]
    fn merge_of_halves_equals_one_pass() {
        let xs = lcg_values(987, 1001, -50.0, 200.0);
        let mut whole = Running::new();
        xs.iter().for_each(|&x| whole.push(x));
        let (left, right) = xs.split_at(400);
        let mut a = Running::new();
        let mut b = Running::new();
        left.iter().for_each(|&x| a.push(x));
        right.iter().for_each(|&x| b.push(x));
        a.merge(&b);
        assert_eq!(a.count(), whole.count());
        assert!(rel_close(a.mean(), whole.mean(), 1e-9));
        assert!(rel_close(a.variance(), whole.variance(), 1e-9));
        assert_eq!(a.min(), whole.min());
        assert_eq!(a.max(), whole.max());

        // Merging with empty on either side is the identity.
        let mut e = Running::new();
        e.merge(&whole);
        assert_eq!(e, whole);
        let mut w = whole;
        w.merge(&Running::new());
        assert_eq!(w, whole);
    }

    #[test]
    fn summarize_empty_and_single() {
        let s = summarize(&[]);
        assert_eq!(s.n, 0);
        assert!(s.statistics().iter().all(|v| v.is_nan()));
        let s = summarize(&[f64::NAN, 3.5, f64::NAN]);
        assert_eq!(s.n, 1);
        assert_eq!(s.mean, 3.5);
        assert_eq!(
            (s.p50, s.p90, s.p99, s.min, s.max),
            (3.5, 3.5, 3.5, 3.5, 3.5)
        );
        assert!(s.std.is_nan() && s.ci95_low.is_nan() && s.ci95_high.is_nan());
    }

    #[test]
    fn summarize_values_and_determinism() {
        let xs: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        let s = summarize(&xs);
        assert_eq!(s.n, 100);
        assert_eq!(s.mean, 50.5);
        assert_eq!(s.p50, 50.5);
        assert!((s.p90 - 90.1).abs() < 1e-12);
        assert!((s.p99 - 99.01).abs() < 1e-12);
        assert_eq!((s.min, s.max), (1.0, 100.0));
        assert!(s.ci95_low < s.mean && s.mean < s.ci95_high);

        let ys = lcg_values(5, 777, 0.0, 1.0);
        let s1 = summarize(&ys);
        let s2 = summarize(&ys);
        assert_eq!(s1.mean.to_bits(), s2.mean.to_bits());
        assert_eq!(s1.std.to_bits(), s2.std.to_bits());
        assert_eq!(s1.p90.to_bits(), s2.p90.to_bits());
    }

    #[test]
    fn paired_narrower_than_unpaired_on_correlated_data() {
        // Large shared per-replication noise, small treatment effect.
        let base = lcg_values(42, 50, 0.0, 100.0);
        let noise = lcg_values(7, 50, -0.5, 1.0);
        let a = base.clone();
        let b: Vec<f64> = base.iter().zip(&noise).map(|(x, e)| x + 2.0 + e).collect();

        let p = paired_difference(&a, &b);
        let (ul, uh) = unpaired_difference_ci95(&a, &b);
        assert_eq!(p.n, 50);
        assert!((p.mean - 2.0).abs() < 0.5);
        let paired_width = p.ci95_high - p.ci95_low;
        let unpaired_width = uh - ul;
        assert!(
            paired_width * 10.0 < unpaired_width,
            "paired {paired_width} vs unpaired {unpaired_width}"
        );
        // Both intervals are about the same quantity, so both contain the paired mean.
        assert!(ul < p.mean && p.mean < uh);
        assert!(p.ci95_low < p.mean && p.mean < p.ci95_high);
    }

    #[test]
    fn paired_skips_nan_pairs() {
        let a = [1.0, f64::NAN, 3.0, 4.0];
        let b = [2.0, 5.0, f64::NAN, 6.0];
        let p = paired_difference(&a, &b);
        assert_eq!(p.n, 2);
        assert_eq!(p.mean, 1.5);
    }

    #[test]
    #[should_panic(expected = "paired_difference")]
    fn paired_length_mismatch_panics() {
        paired_difference(&[1.0, 2.0], &[1.0]);
    }

    #[test]
    fn unpaired_edge_cases() {
        let (l, h) = unpaired_difference_ci95(&[1.0], &[1.0, 2.0, 3.0]);
        assert!(l.is_nan() && h.is_nan());
        let (l, h) = unpaired_difference_ci95(&[1.0, 1.0], &[3.0, 3.0, 3.0]);
        assert_eq!((l, h), (2.0, 2.0));

        // Equal sizes and variances: Welch df = 2n - 2, matching the pooled test.
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        let b = [3.0, 4.0, 5.0, 6.0, 7.0];
        let (l, h) = unpaired_difference_ci95(&a, &b);
        let half = t_quantile_975(8) * (2.5f64 / 5.0 + 2.5 / 5.0).sqrt();
        assert!((l - (2.0 - half)).abs() < 1e-12);
        assert!((h - (2.0 + half)).abs() < 1e-12);
    }
}
