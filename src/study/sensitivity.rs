//! `cutover sensitivity`: how much each varied scenario key moves each metric, over the whole of
//! the ranges at once (global sensitivity), by one of two designs.
//!
//! * Morris elementary effects (Morris 1991; mu* of Campolongo, Cariboni & Saltelli 2007) for
//!   screening: `r` trajectories over a 4-level grid of the unit cube, each moving one key at a
//!   time by 2/3 of its range in a random order. A key's effect on a trajectory is the change of
//!   the metric divided by the key's move as a fraction of its range, so mu* (the mean absolute
//!   effect) is in the metric's unit "per full range of the key", sigma (the effects' standard
//!   deviation) shows interaction or non-linearity.
//! * Sobol' variance-based indices with Saltelli sampling: matrices A and B of `n` points each
//!   from two independently Owen-scrambled Sobol' sequences in `k` dimensions, and
//!   for each key i the matrix AB_i (A with column i from B). First-order S1 by Saltelli et al.
//!   (2010, Comput. Phys. Commun. 181:259) `mean(f(B) (f(AB_i) - f(A))) / V`, total ST by Jansen
//!   (1999) `mean((f(A) - f(AB_i))^2) / 2V`, with V the variance of f over A and B together.
//!
//! Intervals are 95% percentile bootstraps over the design's independent units (trajectories,
//! or rows of A and B), with resamples drawn from the study's seed, so the whole result is a pure
//! function of the design and the values. Sobol' indices are shares of a variance: their values
//! and intervals are clamped to [0, 1] (an estimate just below 0 means "none").

pub use crate::study::key_range::{Factor, Vary};

use rand::Rng;

use crate::engine::CounterRng;
use crate::error::Error;
use crate::study::key_range;

/// The resamples behind every bootstrap interval.
pub const BOOTSTRAP: usize = 1000;
/// The grid levels of a Morris trajectory; the move is `LEVELS / (2 (LEVELS - 1))` = 2/3.
const LEVELS: u32 = 4;
/// The most keys one study varies (the Sobol' sequence has 256 dimensions).
pub const MAX_KEYS: usize = 256;
/// The most base points of a Sobol' design (the sequence's length).
pub const MAX_SOBOL_SAMPLES: u64 = 1 << 16;

/// Which design and estimators a study uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Morris,
    Sobol,
}

/// The fewest Sobol' base samples `--samples` may ask for. Below it the percentile bootstrap
/// intervals of the indices cover the true value far less often than the 95% they state. On
/// the Ishigami function, over 200 seeds, the six indices' intervals covered it 46.5% to 73.5%
/// of the time at 2 samples, 71% to 84.5% at 4, 77.5% to 96% at 8, 83.5% to 97.5% at 16, 90.5%
/// to 100% at 32, 94% to 99.5% at 64 and 94.5% to 100% at 128 and 256;
/// `sobol_intervals_cover_the_ishigami_indices` checks this minimum.
pub const MIN_SOBOL_SAMPLES: u64 = 32;

/// The Morris trajectories when `--samples` does not say: from about 20 on, the percentile
/// bootstrap intervals cover mu* and sigma near the 95% they state. Over 2,000 seeds of three
/// test functions (a linear, quadratic and interacting one, Ishigami's, and one whose effects
/// are skewed, `exp(3 x1 + 2 x2) + x3^2`), the lowest coverage of any key's mu* / sigma was
/// 77.1% / 47.9% at 5 trajectories, 83.7% / 71.2% at 10, 90.0% / 90.5% at 20, 92.8% / 92.8% at
/// 50 and 93.8% / 94.5% at 100; on the two smooth functions alone, at least 92.4% / 86.5% at 10
/// and 94.2% / 94.2% at 20. Sigma's intervals fall short from below (a resample's spread is
/// smaller than the sample's); the textbook corrections (BC, BCa, basic) do worse, since a key
/// with two possible effects has the largest sigma any sample can show.
/// `morris_intervals_cover_the_true_indices_from_twenty_trajectories` checks this.
pub const DEFAULT_MORRIS_SAMPLES: u64 = 20;

impl Method {
    /// The base samples (trajectories or rows of A) when `--samples` does not say.
    pub fn default_samples(self) -> u64 {
        match self {
            Method::Morris => DEFAULT_MORRIS_SAMPLES,
            Method::Sobol => 64,
        }
    }

    /// The index kinds this method writes, the one a tornado chart ranks by first.
    pub fn kinds(self) -> [&'static str; 2] {
        match self {
            Method::Morris => [MU_STAR, SIGMA],
            Method::Sobol => [TOTAL, FIRST],
        }
    }

    /// Design points for `samples` base samples of `keys` keys.
    pub fn points(self, keys: usize, samples: u64) -> u64 {
        match self {
            Method::Morris => samples * (keys as u64 + 1),
            Method::Sobol => samples * (keys as u64 + 2),
        }
    }
}

/// Index kinds, as written in sensitivity.csv.
pub const MU_STAR: &str = "mu_star";
pub const SIGMA: &str = "sigma";
pub const FIRST: &str = "S1";
pub const TOTAL: &str = "ST";

/// Parses one `--vary` argument (see [`key_range::parse`]).
pub fn parse_vary(arg: &str) -> Result<Vary, Error> {
    key_range::parse("--vary", arg, "varied")
}

/// The design's and the bootstrap's random numbers: SplitMix64, a pure function of the seed.
struct Mix(CounterRng);

impl Mix {
    fn new(key: u64) -> Self {
        Mix(CounterRng::new(key))
    }

    /// Uniform on `0..n`: the high word of a draw times `n` (without `CounterRng::below`'s
    /// correction of the bias, which is under n / 2^64, so that a design stays as it was drawn).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.0.next_u64()) * n as u128) >> 64) as usize
    }
}

/// The design points of a study in the unit cube, one `Vec` of `keys` coordinates per point, in
/// the order the estimators read them (see [`morris_design`] and [`saltelli_design`]).
pub fn design(method: Method, keys: usize, samples: u64, seed: u64) -> Vec<Vec<f64>> {
    match method {
        Method::Morris => morris_design(keys, samples as usize, seed),
        Method::Sobol => saltelli_design(keys, samples as usize, seed),
    }
}

/// `trajectories` Morris trajectories of `keys + 1` points each, trajectory after trajectory.
/// Each starts at a random grid level per key and moves each key once, in a random order, by 2/3
/// of the range (up from the two lower levels, down from the two upper ones).
pub fn morris_design(keys: usize, trajectories: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = Mix::new(seed ^ 0x6D6F_7272_6973);
    let step = f64::from(LEVELS) / (2.0 * f64::from(LEVELS - 1));
    let level = |l: usize| l as f64 / f64::from(LEVELS - 1);
    let mut points = Vec::with_capacity(trajectories * (keys + 1));
    for _ in 0..trajectories {
        let mut x: Vec<f64> = (0..keys)
            .map(|_| level(rng.below(LEVELS as usize)))
            .collect();
        let mut order: Vec<usize> = (0..keys).collect();
        for i in (1..keys).rev() {
            order.swap(i, rng.below(i + 1));
        }
        points.push(x.clone());
        for &i in &order {
            x[i] = if x[i] + step <= 1.0 + 1e-12 {
                x[i] + step
            } else {
                x[i] - step
            };
            points.push(x.clone());
        }
    }
    points
}

/// Saltelli's design: the `n` rows of A, then of B, then of AB_1 .. AB_k (`n (k + 2)` points),
/// A and B the first `n` points of two independently Owen-scrambled Sobol' sequences in `k`
/// dimensions, seeded from `seed`.
pub fn saltelli_design(keys: usize, n: usize, seed: u64) -> Vec<Vec<f64>> {
    let scramble = (seed ^ (seed >> 32)) as u32;
    let row = |i: usize, stream: u32| -> Vec<f64> {
        (0..keys)
            .map(|d| f64::from(sobol_burley::sample(i as u32, d as u32, stream)))
            .collect()
    };
    // A and B from two independently scrambled sequences: the estimators assume A and B
    // independent, and one sequence's dimensions k..2k can track 0..k closely at small n.
    let a: Vec<Vec<f64>> = (0..n).map(|i| row(i, scramble)).collect();
    let b: Vec<Vec<f64>> = (0..n).map(|i| row(i, scramble ^ 0x9E37_79B9)).collect();
    let mut points = Vec::with_capacity(n * (keys + 2));
    points.extend(a.iter().cloned());
    points.extend(b.iter().cloned());
    for i in 0..keys {
        for (ra, rb) in a.iter().zip(&b) {
            let mut p = ra.clone();
            p[i] = rb[i];
            points.push(p);
        }
    }
    points
}

/// One estimated index with its 95% bootstrap interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// The key's position among the factors.
    pub key: usize,
    pub kind: &'static str,
    pub value: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
}

/// The indices of every key from the metric's values `y` at the design points `x` (positions
/// in the unit cube of the values actually run, so an integer key's rounding is accounted for).
/// `seed` draws the bootstrap resamples.
pub fn estimate(
    method: Method,
    keys: usize,
    x: &[Vec<f64>],
    y: &[f64],
    seed: u64,
    resamples: usize,
) -> Vec<Estimate> {
    match method {
        Method::Morris => morris(keys, x, y, seed, resamples),
        Method::Sobol => sobol(keys, y, seed, resamples),
    }
}

/// The 2.5% and 97.5% points of `values` (sorted in place), by linear interpolation.
fn percentile_interval(values: &mut [f64]) -> (f64, f64) {
    values.sort_by(f64::total_cmp);
    let at = |p: f64| {
        let h = p * (values.len() - 1) as f64;
        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
        values[lo] + (h - lo as f64) * (values[hi] - values[lo])
    };
    if values.is_empty() {
        (f64::NAN, f64::NAN)
    } else {
        (at(0.025), at(0.975))
    }
}

/// Elementary effects: `effects[key][trajectory]`.
fn elementary_effects(keys: usize, x: &[Vec<f64>], y: &[f64]) -> Vec<Vec<f64>> {
    let mut effects = vec![Vec::new(); keys];
    for (xs, ys) in x.chunks(keys + 1).zip(y.chunks(keys + 1)) {
        for s in 0..keys {
            // The one key that moved between point s and s + 1.
            let Some(i) = (0..keys).find(|&i| xs[s + 1][i] != xs[s][i]) else {
                continue;
            };
            effects[i].push((ys[s + 1] - ys[s]) / (xs[s + 1][i] - xs[s][i]));
        }
    }
    effects
}

fn morris(keys: usize, x: &[Vec<f64>], y: &[f64], seed: u64, resamples: usize) -> Vec<Estimate> {
    let effects = elementary_effects(keys, x, y);
    let mu_star = |e: &[f64]| e.iter().map(|v| v.abs()).sum::<f64>() / e.len() as f64;
    let sigma = |e: &[f64]| {
        if e.len() < 2 {
            return f64::NAN;
        }
        let m = e.iter().sum::<f64>() / e.len() as f64;
        (e.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (e.len() - 1) as f64).sqrt()
    };
    let mut rng = Mix::new(seed ^ 0x626F_6F74);
    let mut out = Vec::new();
    for (i, e) in effects.iter().enumerate() {
        let n = e.len();
        let (mut boot_mu, mut boot_sigma) = (Vec::new(), Vec::new());
        if n > 0 {
            for _ in 0..resamples {
                let s: Vec<f64> = (0..n).map(|_| e[rng.below(n)]).collect();
                boot_mu.push(mu_star(&s));
                boot_sigma.push(sigma(&s));
            }
        }
        boot_sigma.retain(|v| v.is_finite());
        for (kind, value, boot) in [
            (MU_STAR, mu_star(e), &mut boot_mu),
            (SIGMA, sigma(e), &mut boot_sigma),
        ] {
            let (lo, hi) = percentile_interval(boot);
            out.push(Estimate {
                key: i,
                kind,
                value,
                ci95_low: lo,
                ci95_high: hi,
            });
        }
    }
    out
}

/// S1 and ST of every key from the rows `rows` of A, B and AB_i.
fn sobol_at(keys: usize, n: usize, y: &[f64], rows: &[usize]) -> Vec<(f64, f64)> {
    let fa = |j: usize| y[j];
    let fb = |j: usize| y[n + j];
    let fab = |i: usize, j: usize| y[(2 + i) * n + j];
    let m = rows.len() as f64;
    let mean = rows.iter().map(|&j| fa(j) + fb(j)).sum::<f64>() / (2.0 * m);
    let variance = rows
        .iter()
        .map(|&j| (fa(j) - mean).powi(2) + (fb(j) - mean).powi(2))
        .sum::<f64>()
        / (2.0 * m - 1.0);
    (0..keys)
        .map(|i| {
            if variance <= 0.0 {
                // The metric never changed: no key moves it.
                return (0.0, 0.0);
            }
            let first = rows
                .iter()
                .map(|&j| fb(j) * (fab(i, j) - fa(j)))
                .sum::<f64>()
                / m;
            let total = rows
                .iter()
                .map(|&j| (fa(j) - fab(i, j)).powi(2))
                .sum::<f64>()
                / (2.0 * m);
            (first / variance, total / variance)
        })
        .collect()
}

fn sobol(keys: usize, y: &[f64], seed: u64, resamples: usize) -> Vec<Estimate> {
    let n = y.len() / (keys + 2);
    let all: Vec<usize> = (0..n).collect();
    let point = sobol_at(keys, n, y, &all);
    let mut rng = Mix::new(seed ^ 0x0073_6F62_6F6C);
    let mut boot: Vec<Vec<(f64, f64)>> = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        let rows: Vec<usize> = (0..n).map(|_| rng.below(n)).collect();
        boot.push(sobol_at(keys, n, y, &rows));
    }
    let unit = |v: f64| v.clamp(0.0, 1.0);
    let mut out = Vec::new();
    for (i, &(first, total)) in point.iter().enumerate() {
        for (kind, value, pick) in [
            (TOTAL, total, (|p: (f64, f64)| p.1) as fn((f64, f64)) -> f64),
            (FIRST, first, |p: (f64, f64)| p.0),
        ] {
            let mut values: Vec<f64> = boot.iter().map(|b| pick(b[i])).collect();
            let (lo, hi) = percentile_interval(&mut values);
            out.push(Estimate {
                key: i,
                kind,
                value: unit(value),
                ci95_low: unit(lo),
                ci95_high: unit(hi),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn find(e: &[Estimate], key: usize, kind: &str) -> Estimate {
        *e.iter().find(|e| e.key == key && e.kind == kind).unwrap()
    }

    /// The Ishigami function on [-pi, pi]^3 (a = 7, b = 0.1), whose indices are known in closed
    /// form: S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437.
    fn ishigami(u: &[f64]) -> f64 {
        let x: Vec<f64> = u.iter().map(|u| -PI + 2.0 * PI * u).collect();
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    /// Three functions of the unit cube whose Morris indices are known: a linear key with an
    /// interaction, a quadratic one and one acting through the first; Ishigami's; and one
    /// whose effects are skewed.
    const MORRIS_FUNCTIONS: [fn(&[f64]) -> f64; 3] = [
        |u| 2.0 * u[0] + 5.0 * u[1] * u[1] + 4.0 * u[0] * u[2],
        ishigami,
        |u| (3.0 * u[0] + 2.0 * u[1]).exp() + u[2] * u[2],
    ];

    /// The design's true mu* and sigma of each key of `f`: its effects are the `2 * 4^(k-1)`
    /// equally likely grid moves (the key starts on one of the 4 levels and moves 2/3 up from
    /// the lower two, down from the upper two; each other key is on any level), enumerated.
    fn morris_truth(keys: usize, f: fn(&[f64]) -> f64) -> Vec<(f64, f64)> {
        let levels = LEVELS as usize;
        let level = |l: usize| l as f64 / f64::from(LEVELS - 1);
        let step = f64::from(LEVELS) / (2.0 * f64::from(LEVELS - 1));
        (0..keys)
            .map(|i| {
                let mut effects = Vec::new();
                for start in 0..levels / 2 {
                    for code in 0..levels.pow(keys as u32 - 1) {
                        let mut c = code;
                        let mut x: Vec<f64> = (0..keys)
                            .map(|j| {
                                if j == i {
                                    level(start)
                                } else {
                                    let l = c % levels;
                                    c /= levels;
                                    level(l)
                                }
                            })
                            .collect();
                        let before = f(&x);
                        x[i] += step;
                        effects.push((f(&x) - before) / step);
                    }
                }
                let n = effects.len() as f64;
                let mean = effects.iter().sum::<f64>() / n;
                let mu_star = effects.iter().map(|e| e.abs()).sum::<f64>() / n;
                let var = effects.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / n;
                (mu_star, var.sqrt())
            })
            .collect()
    }

    /// The lowest share, over every key of the three functions, of `seeds` designs of
    /// `trajectories` whose 95% intervals hold the true mu* and sigma.
    fn lowest_morris_coverage(trajectories: usize, seeds: u64) -> (f64, f64) {
        let mut lowest = (1.0_f64, 1.0_f64);
        for f in MORRIS_FUNCTIONS {
            let truth = morris_truth(3, f);
            let mut covered = [[0_u64; 2]; 3];
            for seed in 0..seeds {
                let x = morris_design(3, trajectories, seed);
                let y: Vec<f64> = x.iter().map(|p| f(p)).collect();
                for e in estimate(Method::Morris, 3, &x, &y, seed, BOOTSTRAP) {
                    let (index, truth) = if e.kind == MU_STAR {
                        (0, truth[e.key].0)
                    } else {
                        (1, truth[e.key].1)
                    };
                    if e.ci95_low <= truth && truth <= e.ci95_high {
                        covered[e.key][index] += 1;
                    }
                }
            }
            for key in covered {
                lowest.0 = lowest.0.min(key[0] as f64 / seeds as f64);
                lowest.1 = lowest.1.min(key[1] as f64 / seeds as f64);
            }
        }
        lowest
    }

    /// At the default 20 trajectories the Morris intervals cover every key's true mu* and sigma
    /// close to 95% of the time (90% at worst over 2,000 seeds; over 200, 84% is about three
    /// standard errors below that); at 5 they do not, which this check would see.
    #[test]
    fn morris_intervals_cover_the_true_indices_from_twenty_trajectories() {
        let (mu, sigma) = lowest_morris_coverage(DEFAULT_MORRIS_SAMPLES as usize, 200);
        assert!(mu >= 0.84 && sigma >= 0.84, "mu* {mu}, sigma {sigma}");
        let (mu, sigma) = lowest_morris_coverage(5, 200);
        assert!(sigma < 0.84, "mu* {mu}, sigma {sigma} at 5 trajectories");
    }

    /// The 95% percentile bootstrap intervals of the Sobol' indices, at the fewest base samples
    /// allowed, cover the Ishigami function's known indices in close to 95% of 100 seeds for
    /// every index (with 100 seeds, 86 is about three standard errors below 95).
    #[test]
    fn sobol_intervals_cover_the_ishigami_indices() {
        let s1 = [0.3139, 0.4424, 0.0];
        let st = [0.5576, 0.4424, 0.2437];
        let n = MIN_SOBOL_SAMPLES as usize;
        let seeds = 100;
        let mut covered = [[0; 3]; 2];
        for seed in 0..seeds {
            let x = saltelli_design(3, n, seed);
            let y: Vec<f64> = x.iter().map(|p| ishigami(p)).collect();
            let e = estimate(Method::Sobol, 3, &x, &y, seed ^ 0x5eed, 200);
            for i in 0..3 {
                for (k, kind, truth) in [(0, FIRST, s1[i]), (1, TOTAL, st[i])] {
                    let f = find(&e, i, kind);
                    covered[k][i] += usize::from(f.ci95_low <= truth && truth <= f.ci95_high);
                }
            }
        }
        for count in covered.iter().flatten() {
            assert!(
                *count >= 86,
                "S1 {:?}, ST {:?} of {seeds}",
                covered[0],
                covered[1]
            );
        }
    }

    #[test]
    fn sobol_indices_of_the_ishigami_function_are_its_known_ones() {
        let n = 8192;
        let x = saltelli_design(3, n, 11);
        let y: Vec<f64> = x.iter().map(|p| ishigami(p)).collect();
        let e = estimate(Method::Sobol, 3, &x, &y, 11, 200);
        let first = [0.3139, 0.4424, 0.0];
        let total = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            let (s1, st) = (find(&e, i, FIRST), find(&e, i, TOTAL));
            assert!((s1.value - first[i]).abs() < 0.03, "S1[{i}] {s1:?}");
            assert!((st.value - total[i]).abs() < 0.03, "ST[{i}] {st:?}");
            // The intervals are honest: they hold the truth (give or take the clamping at 0).
            assert!(
                s1.ci95_low - 0.01 <= first[i] && first[i] <= s1.ci95_high + 0.01,
                "{s1:?}"
            );
            assert!(
                st.ci95_low - 0.01 <= total[i] && total[i] <= st.ci95_high + 0.01,
                "{st:?}"
            );
        }
    }

    /// y = sum a_i x_i on the unit cube: S1_i = ST_i = a_i^2 / sum a_j^2, and every Morris
    /// elementary effect of key i is exactly a_i (mu* = |a_i|, sigma = 0).
    #[test]
    fn a_linear_model_gets_its_exact_shares_and_effects() {
        let a = [4.0, -2.0, 1.0, 0.0];
        let f = |p: &[f64]| p.iter().zip(&a).map(|(x, a)| x * a).sum::<f64>();
        let total: f64 = a.iter().map(|a| a * a).sum();
        let x = saltelli_design(4, 2048, 3);
        let y: Vec<f64> = x.iter().map(|p| f(p)).collect();
        let e = estimate(Method::Sobol, 4, &x, &y, 3, 100);
        for (i, ai) in a.iter().enumerate() {
            let share = ai * ai / total;
            assert!((find(&e, i, FIRST).value - share).abs() < 0.03, "{e:?}");
            assert!((find(&e, i, TOTAL).value - share).abs() < 0.03, "{e:?}");
        }
        // A key with no effect is exactly zero, interval and all.
        assert_eq!(find(&e, 3, TOTAL).ci95_high, 0.0);

        let x = morris_design(4, 20, 3);
        let y: Vec<f64> = x.iter().map(|p| f(p)).collect();
        let e = estimate(Method::Morris, 4, &x, &y, 3, 100);
        for (i, ai) in a.iter().enumerate() {
            let (mu, sigma) = (find(&e, i, MU_STAR), find(&e, i, SIGMA));
            assert!((mu.value - ai.abs()).abs() < 1e-9, "{mu:?}");
            assert!(sigma.value.abs() < 1e-9, "{sigma:?}");
            assert!((mu.ci95_low - ai.abs()).abs() < 1e-9);
        }
    }

    #[test]
    fn morris_trajectories_move_one_key_at_a_time_on_the_grid() {
        let x = morris_design(3, 5, 9);
        assert_eq!(x.len(), 20);
        for t in x.chunks(4) {
            let mut moved = Vec::new();
            for w in t.windows(2) {
                let diff: Vec<usize> = (0..3).filter(|&i| w[0][i] != w[1][i]).collect();
                assert_eq!(diff.len(), 1);
                assert!(((w[1][diff[0]] - w[0][diff[0]]).abs() - 2.0 / 3.0).abs() < 1e-9);
                moved.push(diff[0]);
            }
            moved.sort_unstable();
            assert_eq!(moved, vec![0, 1, 2]);
            assert!(t.iter().flatten().all(|u| (0.0..=1.0).contains(u)));
        }
        assert_eq!(x, morris_design(3, 5, 9));
        assert_ne!(x, morris_design(3, 5, 10));
    }

    #[test]
    fn morris_effects_of_a_nonlinear_interaction_have_spread() {
        // y = x0 * x1: both keys matter, through each other (sigma > 0); x2 does not.
        let x = morris_design(3, 30, 5);
        let y: Vec<f64> = x.iter().map(|p| p[0] * p[1]).collect();
        let e = estimate(Method::Morris, 3, &x, &y, 5, 200);
        assert!(find(&e, 0, MU_STAR).value > 0.2 && find(&e, 0, SIGMA).value > 0.1);
        assert_eq!(find(&e, 2, MU_STAR).value, 0.0);
        assert_eq!(find(&e, 2, MU_STAR).ci95_high, 0.0);
    }

    #[test]
    fn vary_arguments_are_checked_and_located() {
        let v = parse_vary("copy.per_tenant=10..100").unwrap();
        assert_eq!(
            (v.key.as_str(), v.low, v.high, v.whole),
            ("copy.per_tenant", 10.0, 100.0, true)
        );
        assert!(!parse_vary("a.b=0.5..2").unwrap().whole);
        let err = |a: &str| parse_vary(a).unwrap_err().to_string();
        let e = err("copy.per_tenant=100..10");
        assert!(
            e.contains("LOW 100 is above HIGH 10") && e.contains("^^^^^^^"),
            "{e}"
        );
        let e = err("lync.mode=fast..slow");
        assert!(e.contains("LOW `fast` is not a number"), "{e}");
        // The caret sits under the bad part.
        let line = e.lines().last().unwrap();
        assert_eq!(line.find('^'), Some(2 + "lync.mode=".len()), "{e}");
        assert!(err("copy.per_tenant").contains("KEY=LOW..HIGH"));
        assert!(err("copy.per_tenant=5").contains("LOW..HIGH"));
        assert!(err("copy.per_tenant=5..5").contains("one value"));
        assert!(err("=1..2").contains("no key"));
        assert!(err("seed=1..2").contains("common random numbers"));
        assert!(err("sweep.operators.weekend=1..2").contains("[sweep] grid"));
        assert!(err("x=1..inf").contains("HIGH `inf`"));
    }

    #[test]
    fn integer_factors_round_inside_their_range() {
        let f = Factor {
            key: "k".into(),
            low: 1.0,
            high: 4.0,
            integer: true,
        };
        assert_eq!((f.value(0.0), f.value(0.5), f.value(1.0)), (1.0, 3.0, 4.0));
        assert_eq!(f.text(3.0), "3");
        assert_eq!(f.position(3.0), 2.0 / 3.0);
        let g = Factor {
            integer: false,
            ..f
        };
        assert_eq!(g.text(2.5), "2.5");
        assert_eq!(g.text(2.0), "2.0");
    }
}
