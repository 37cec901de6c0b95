//! Probability distributions as scenario files write them, checked once and sampled many times.

// `!(x > 0.0)` on purpose: unlike `x <= 0.0` it also rejects NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use rand::{Rng, RngExt};
use rand_distr::{Exp1, StandardNormal};

/// A validated distribution with optional clamps.
#[derive(Clone, Debug, PartialEq)]
pub struct Dist {
    shape: Shape,
    min: f64,
    max: f64,
}

#[derive(Clone, Debug, PartialEq)]
enum Shape {
    Constant(f64),
    Uniform {
        low: f64,
        high: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
    },
    /// Parameters of the underlying normal: the median is `exp(mu)`.
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    Exponential {
        mean: f64,
    },
    Pareto {
        scale: f64,
        shape: f64,
    },
    /// Values with cumulative weights normalised to end at 1.
    Empirical {
        values: Vec<f64>,
        cumulative: Vec<f64>,
    },
}
/// The names accepted for `dist = "..."`.
pub const DIST_NAMES: &[&str] = &[
    "constant",
    "uniform",
    "normal",
    "lognormal",
    "exponential",
    "pareto",
    "empirical",
];

impl Dist {
    pub fn constant(value: f64) -> Dist {
        Dist {
            shape: Shape::Constant(value),
            min: f64::NEG_INFINITY,
            max: f64::INFINITY,
        }
    }

    pub fn uniform(low: f64, high: f64) -> Result<Dist, String> {
        if !(low <= high) {
            return Err(format!(
                "uniform needs low <= high, found low = {low}, high = {high}"
            ));
        }
        Ok(Dist::unclamped(Shape::Uniform { low, high }))
    }

    pub fn normal(mean: f64, sd: f64) -> Result<Dist, String> {
        if !(sd >= 0.0) {
            return Err(format!("normal needs sd >= 0, found {sd}"));
        }
        Ok(Dist::unclamped(Shape::Normal { mean, sd }))
    }

    /// A lognormal given its median and the standard deviation of its logarithm.
    pub fn lognormal(median: f64, sigma: f64) -> Result<Dist, String> {
        if !(median > 0.0) {
            return Err(format!("lognormal needs median > 0, found {median}"));
        }
        if !(sigma > 0.0) {
            return Err(format!("lognormal needs sigma > 0, found {sigma}"));
        }
        Ok(Dist::unclamped(Shape::LogNormal {
            mu: median.ln(),
            sigma,
        }))
    }

    /// A lognormal given its own mean and standard deviation.
    pub fn lognormal_mean_sd(mean: f64, sd: f64) -> Result<Dist, String> {
        if !(mean > 0.0) || !(sd > 0.0) {
            return Err(format!(
                "lognormal needs mean > 0 and sd > 0, found mean = {mean}, sd = {sd}"
            ));
        }
        let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
        Dist::lognormal((mean.ln() - sigma2 / 2.0).exp(), sigma2.sqrt())
    }

    pub fn exponential(mean: f64) -> Result<Dist, String> {
        if !(mean > 0.0) || mean.is_infinite() {
            return Err(format!("exponential needs a finite mean > 0, found {mean}"));
        }
        Ok(Dist::unclamped(Shape::Exponential { mean }))
    }

    pub fn pareto(scale: f64, shape: f64) -> Result<Dist, String> {
        if !(scale > 0.0) || !(shape > 0.0) {
            return Err(format!(
                "pareto needs scale > 0 and shape > 0, found scale = {scale}, shape = {shape}"
            ));
        }
        Ok(Dist::unclamped(Shape::Pareto { scale, shape }))
    }

    pub fn empirical(values: Vec<f64>, weights: Vec<f64>) -> Result<Dist, String> {
        if values.is_empty() {
            return Err("empirical needs at least one value".into());
        }
        if values.len() != weights.len() {
            return Err(format!(
                "empirical has {} values but {} weights",
                values.len(),
                weights.len()
            ));
        }
        if let Some(w) = weights.iter().find(|w| !(**w >= 0.0)) {
            return Err(format!("empirical weights must be non-negative, found {w}"));
        }
        let total: f64 = weights.iter().sum();
        if !(total > 0.0) {
            return Err(
                "empirical weights are all zero; give at least one a positive weight".into(),
            );
        }
        if total.is_infinite() {
            // Every weight over an infinite total is 0: the draws would all be the last value.
            return Err("empirical weights add up to more than a number can hold".into());
        }
        let mut acc = 0.0;
        let cumulative = weights
            .iter()
            .map(|w| {
                acc += w / total;
                acc
            })
            .collect();
        Ok(Dist::unclamped(Shape::Empirical { values, cumulative }))
    }

    fn unclamped(shape: Shape) -> Dist {
        Dist {
            shape,
            min: f64::NEG_INFINITY,
            max: f64::INFINITY,
        }
    }

    /// Clamps every sample into `[min, max]`.
    pub fn clamped(mut self, min: Option<f64>, max: Option<f64>) -> Result<Dist, String> {
        let (lo, hi) = (
            min.unwrap_or(f64::NEG_INFINITY),
            max.unwrap_or(f64::INFINITY),
        );
        if !(lo <= hi) {
            return Err(format!("min must be <= max, found min = {lo}, max = {hi}"));
        }
        self.min = lo;
        self.max = hi;
        Ok(self)
    }

    /// The smallest value a sample can take.
    pub fn lower_bound(&self) -> f64 {
        let natural = match &self.shape {
            Shape::Constant(v) => *v,
            Shape::Uniform { low, .. } => *low,
            Shape::Normal { .. } => f64::NEG_INFINITY,
            Shape::LogNormal { .. } | Shape::Exponential { .. } => 0.0,
            Shape::Pareto { scale, .. } => *scale,
            Shape::Empirical { values, .. } => values.iter().copied().fold(f64::INFINITY, f64::min),
        };
        natural.clamp(self.min, self.max)
    }

    /// The least value a sample can take or come as near to as it likes, NaN if a sample can be
    /// NaN: where `lower_bound` is a bound, this is what the draws reach, for a validation that
    /// must refuse only what is certain. An empirical value that no uniform draw (a multiple of
    /// 2^-53 below 1) falls on, for want of weight, is never sampled; a normal without spread
    /// always draws its mean, and one of infinite mean (with a finite spread) or a lognormal of
    /// infinite median (with a finite sigma) draws infinity; a normal of NaN mean always draws
    /// NaN, and one of infinite spread, a lognormal of infinite sigma or a uniform over an
    /// infinite span draws NaN when its own draw is 0.
    pub fn least_drawn(&self) -> f64 {
        let natural = match &self.shape {
            Shape::Constant(v) => *v,
            Shape::Uniform { low, high } if (high - low).is_finite() => *low,
            Shape::Normal { mean, sd } if *sd == 0.0 => *mean,
            Shape::Normal { mean, sd } if sd.is_finite() && *mean == f64::INFINITY => *mean,
            Shape::Normal { mean, sd } if sd.is_finite() && !mean.is_nan() => f64::NEG_INFINITY,
            Shape::LogNormal { mu, sigma } if sigma.is_finite() && *mu == f64::INFINITY => *mu,
            Shape::LogNormal { sigma, .. } if sigma.is_finite() => 0.0,
            Shape::Uniform { .. } | Shape::Normal { .. } | Shape::LogNormal { .. } => f64::NAN,
            Shape::Exponential { .. } => 0.0,
            Shape::Pareto { scale, .. } => *scale,
            Shape::Empirical { values, cumulative } => {
                let drawn = (0..values.len()).filter(|&i| {
                    // Value i is drawn for a uniform r with cumulative[i - 1] <= r <
                    // cumulative[i]; the last value also for any r past the last but one.
                    let from = if i == 0 { 0.0 } else { cumulative[i - 1] };
                    let to = if i + 1 == values.len() {
                        f64::INFINITY
                    } else {
                        cumulative[i]
                    };
                    // The first multiple of 2^-53 at or above `from` (scaling by a power of
                    // two is exact).
                    let scale = (1u64 << 53) as f64;
                    let first = (from * scale).ceil();
                    first < scale && first / scale < to
                });
                let mut least = f64::INFINITY;
                for i in drawn {
                    let v = values[i].clamp(self.min, self.max);
                    if v.is_nan() {
                        return f64::NAN;
                    }
                    least = least.min(v);
                }
                return least;
            }
        };
        natural.clamp(self.min, self.max)
    }

    /// The largest value a sample can take.
    pub fn upper_bound(&self) -> f64 {
        let natural = match &self.shape {
            Shape::Constant(v) => *v,
            Shape::Uniform { high, .. } => *high,
            Shape::Normal { .. }
            | Shape::LogNormal { .. }
            | Shape::Exponential { .. }
            | Shape::Pareto { .. } => f64::INFINITY,
            Shape::Empirical { values, .. } => {
                values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            }
        };
        natural.clamp(self.min, self.max)
    }

    /// The mean before clamping (clamping only narrows it), for expected-value estimates.
    pub fn mean_estimate(&self) -> f64 {
        let natural = match &self.shape {
            Shape::Constant(v) => *v,
            Shape::Uniform { low, high } => (low + high) / 2.0,
            Shape::Normal { mean, .. } | Shape::Exponential { mean } => *mean,
            Shape::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Shape::Pareto { scale, shape } => {
                if *shape > 1.0 {
                    scale * shape / (shape - 1.0)
                } else {
                    f64::INFINITY
                }
            }
            Shape::Empirical { values, cumulative } => {
                let mut prev = 0.0;
                values
                    .iter()
                    .zip(cumulative)
                    .map(|(v, c)| {
                        let w = c - prev;
                        prev = *c;
                        v * w
                    })
                    .sum()
            }
        };
        natural.clamp(self.min, self.max)
    }

    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.draw(rng).value()
    }

    /// `n` samples, each handed to `each`: the same draws as `n` calls of `sample`. A lognormal
    /// (mailbox sizes) is matched once for all of them rather than twice per sample.
    #[inline]
    pub fn sample_each<R: Rng + ?Sized>(&self, rng: &mut R, n: usize, mut each: impl FnMut(f64)) {
        match &self.shape {
            Shape::LogNormal { mu, sigma } => {
                for _ in 0..n {
                    let raw = rng.sample::<f64, _>(StandardNormal);
                    each(lognormal(*mu, *sigma, raw).clamp(self.min, self.max));
                }
            }
            _ => {
                for _ in 0..n {
                    each(self.sample(rng));
                }
            }
        }
    }

    /// Draws what a sample needs from `rng` (the same numbers as `sample`) and leaves the value
    /// to be computed only if it is wanted: a caller that must make a draw whatever happens, so
    /// that a share changes no other luck, then skips the transform (an `exp` for a lognormal)
    /// when the value goes unused.
    #[inline]
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> Drawn<'_> {
        let raw = match &self.shape {
            Shape::Constant(_) => 0.0,
            Shape::Uniform { .. } | Shape::Pareto { .. } | Shape::Empirical { .. } => {
                rng.random::<f64>()
            }
            Shape::Normal { .. } | Shape::LogNormal { .. } => rng.sample::<f64, _>(StandardNormal),
            Shape::Exponential { .. } => rng.sample::<f64, _>(Exp1),
        };
        Drawn { dist: self, raw }
    }
}

/// A sample drawn but not yet computed (`Dist::draw`): the uniform, standard normal or standard
/// exponential number its distribution transforms.
#[derive(Clone, Copy, Debug)]
pub struct Drawn<'a> {
    dist: &'a Dist,
    raw: f64,
}

impl Drawn<'_> {
    /// The sample's value, clamped.
    ///
    /// Always inlined: `Dist::sample` is a draw and its value, and a copy's attempt samples its
    /// rate through it; inlined, the two matches on the shape fold into one and the call goes.
    #[inline(always)]
    pub fn value(self) -> f64 {
        let r = self.raw;
        let x = match &self.dist.shape {
            Shape::Constant(v) => *v,
            Shape::Uniform { low, high } => low + (high - low) * r,
            Shape::Normal { mean, sd } => mean + sd * r,
            Shape::LogNormal { mu, sigma } => lognormal(*mu, *sigma, r),
            Shape::Exponential { mean } => mean * r,
            // Inverse transform; 1 - U lies in (0, 1], so the power is finite.
            Shape::Pareto { scale, shape } => scale * (1.0 - r).powf(-1.0 / shape),
            Shape::Empirical { values, cumulative } => {
                let i = cumulative
                    .partition_point(|&c| c <= r)
                    .min(values.len() - 1);
                values[i]
            }
        };
        x.clamp(self.dist.min, self.dist.max)
    }
}

/// A lognormal sample from a standard normal one.
#[inline(always)]
fn lognormal(mu: f64, sigma: f64, standard: f64) -> f64 {
    (mu + sigma * standard).exp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::CounterRng;

    fn mean_of(d: &Dist, n: usize) -> f64 {
        let mut rng = CounterRng::new(7);
        (0..n).map(|_| d.sample(&mut rng)).sum::<f64>() / n as f64
    }

    #[test]
    fn sample_means_match_the_formulas() {
        for d in [
            Dist::uniform(2.0, 4.0).unwrap(),
            Dist::normal(5.0, 2.0).unwrap(),
            Dist::lognormal(1.0, 0.5).unwrap(),
            Dist::lognormal_mean_sd(3.0, 1.0).unwrap(),
            Dist::exponential(2.5).unwrap(),
            Dist::pareto(1.0, 3.0).unwrap(),
            Dist::empirical(vec![1.0, 10.0], vec![3.0, 1.0]).unwrap(),
        ] {
            let (m, want) = (mean_of(&d, 200_000), d.mean_estimate());
            assert!(
                (m - want).abs() < 0.02 * want.abs().max(1.0),
                "{d:?}: sample mean {m}, formula {want}"
            );
        }
    }

    #[test]
    fn a_draw_is_the_sample_it_would_have_been() {
        for d in [
            Dist::constant(2.0),
            Dist::uniform(2.0, 4.0).unwrap(),
            Dist::normal(5.0, 2.0).unwrap(),
            Dist::lognormal(1.0, 0.5)
                .unwrap()
                .clamped(None, Some(3.0))
                .unwrap(),
            Dist::exponential(2.5).unwrap(),
            Dist::pareto(1.0, 3.0).unwrap(),
            Dist::empirical(vec![1.0, 10.0], vec![3.0, 1.0]).unwrap(),
        ] {
            let (mut a, mut b) = (CounterRng::new(3), CounterRng::new(3));
            for _ in 0..1_000 {
                let drawn = d.draw(&mut b);
                assert_eq!(d.sample(&mut a).to_bits(), drawn.value().to_bits(), "{d:?}");
            }
            assert_eq!(a, b, "{d:?} drew as many numbers either way");
        }
    }

    #[test]
    fn sampling_each_draws_the_samples_one_by_one() {
        for d in [
            Dist::constant(2.0),
            Dist::uniform(2.0, 4.0).unwrap(),
            Dist::lognormal(1.0, 0.9)
                .unwrap()
                .clamped(None, Some(5.0))
                .unwrap(),
            Dist::exponential(2.5).unwrap(),
        ] {
            let (mut a, mut b) = (CounterRng::new(3), CounterRng::new(3));
            let one_by_one: Vec<u64> = (0..1_000).map(|_| d.sample(&mut a).to_bits()).collect();
            let mut each = Vec::new();
            d.sample_each(&mut b, 1_000, |x| each.push(x.to_bits()));
            assert_eq!(one_by_one, each, "{d:?}");
            assert_eq!(a, b, "{d:?} drew as many numbers either way");
        }
    }

    #[test]
    fn clamps_bound_every_sample() {
        let d = Dist::lognormal(1.0, 2.0)
            .unwrap()
            .clamped(Some(0.5), Some(5.0))
            .unwrap();
        let mut rng = CounterRng::new(1);
        assert!(
            (0..10_000)
                .map(|_| d.sample(&mut rng))
                .all(|x| (0.5..=5.0).contains(&x))
        );
        assert_eq!((d.lower_bound(), d.upper_bound()), (0.5, 5.0));
    }

    /// A generator whose every word is `word`: the draws of a chosen uniform.
    struct Fixed(u64);

    impl rand::TryRng for Fixed {
        type Error = std::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok((self.0 >> 32) as u32)
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Ok(self.0)
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            dst.iter_mut().for_each(|b| *b = self.0 as u8);
            Ok(())
        }
    }

    #[test]
    fn least_drawn_is_what_the_draws_reach() {
        let clamped = |d: Result<Dist, String>, min| d.unwrap().clamped(Some(min), None).unwrap();
        // Where the lower bound is reached, or come near to.
        for (d, least) in [
            (Dist::constant(3.0), 3.0),
            (Dist::uniform(2.0, 4.0).unwrap(), 2.0),
            (Dist::uniform(2.0, 2.0).unwrap(), 2.0),
            (Dist::exponential(9.0).unwrap(), 0.0),
            (Dist::lognormal(1e6, 0.01).unwrap(), 0.0),
            (Dist::pareto(7.0, 0.5).unwrap(), 7.0),
            (clamped(Dist::normal(1e6, 1.0), 5.0), 5.0),
            (
                Dist::empirical(vec![4.0, 2.0], vec![1.0, 1.0]).unwrap(),
                2.0,
            ),
            (Dist::constant(f64::INFINITY), f64::INFINITY),
            (Dist::pareto(f64::INFINITY, 1.0).unwrap(), f64::INFINITY),
        ] {
            assert_eq!(d.least_drawn(), d.lower_bound(), "{d:?}");
            assert_eq!(d.least_drawn(), least, "{d:?}");
        }
        // Values without weight, or whose weight is lost to rounding, are never drawn.
        let e = |values: &[f64], weights: &[f64]| {
            Dist::empirical(values.to_vec(), weights.to_vec()).unwrap()
        };
        assert_eq!(e(&[1.0, 1000.0], &[0.0, 1.0]).least_drawn(), 1000.0);
        assert_eq!(e(&[1000.0, 1.0], &[1.0, 0.0]).least_drawn(), 1000.0);
        assert_eq!(
            e(&[1000.0, 1.0, 5.0], &[1.0, 1e-20, 1.0]).least_drawn(),
            5.0
        );
        // A weight of 2^-53 of the whole is drawn once in 2^53: r = 0.
        let tiny = e(&[1.0, 1000.0], &[1.0, (1u64 << 53) as f64 - 1.0]);
        assert_eq!(tiny.least_drawn(), 1.0);
        assert_eq!(tiny.sample(&mut Fixed(0)), 1.0);
        assert_eq!(tiny.sample(&mut Fixed(1 << 11)), 1000.0);
        // Clamps apply to each value; a NaN value is drawn as NaN.
        let c = e(&[1.0, 8.0], &[1.0, 1.0])
            .clamped(Some(3.0), None)
            .unwrap();
        assert_eq!(c.least_drawn(), 3.0);
        assert!(e(&[f64::NAN, 8.0], &[1.0, 1.0]).least_drawn().is_nan());
        assert_eq!(e(&[f64::NAN, 8.0], &[0.0, 1.0]).least_drawn(), 8.0);
        // Always the same value.
        assert_eq!(clamped(Dist::normal(900.0, 0.0), 0.0).least_drawn(), 900.0);
        let inf = f64::INFINITY;
        assert_eq!(clamped(Dist::normal(inf, 3.0), 0.0).least_drawn(), inf);
        assert_eq!(Dist::lognormal(inf, 3.0).unwrap().least_drawn(), inf);
        // NaN when a draw of 0 (or any draw) meets an infinite factor: as sampled.
        for d in [
            Dist::uniform(5.0, inf).unwrap(),
            clamped(Dist::normal(900.0, inf), 1.0),
            clamped(Dist::normal(f64::NAN, 1.0), 1.0),
            Dist::lognormal(9.0, inf).unwrap(),
        ] {
            assert!(d.least_drawn().is_nan(), "{d:?}");
        }
        assert!(
            Dist::uniform(5.0, inf)
                .unwrap()
                .sample(&mut Fixed(0))
                .is_nan()
        );
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert!(Dist::lognormal(1.0, 0.0).is_err());
        assert!(Dist::empirical(vec![1.0], vec![0.0]).is_err());
        assert!(Dist::empirical(vec![1.0, 2.0], vec![1.0, -1.0]).is_err());
        assert!(Dist::constant(1.0).clamped(Some(3.0), Some(2.0)).is_err());
        assert!(Dist::uniform(3.0, 2.0).is_err());
    }
}
