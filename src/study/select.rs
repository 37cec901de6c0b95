//! `cutover select`: the best policy on the mean of one metric, with a stated probability of
//! correct selection, by Kim and Nelson's fully sequential procedure (KN, Kim & Nelson 2001,
//! ACM TOMACS 11(3):251-273) under common random numbers.
//!
//! After a first stage of `n0` replications of every policy, the variance of each pair's paired
//! difference fixes a triangular continuation region; then one replication at a time is added to
//! every policy still in, and a policy whose mean falls below another's by more than the region's
//! half-width at that replication count is eliminated. With probability at least `1 - alpha` the
//! policy kept is the best, or within `delta` of it. Replication `r` of every policy shares its
//! random numbers, which shrinks the pairs' variances and so the replications needed.
//!
//! Replications are run in stages (several replication counts at a time, in parallel) and the
//! screening is then applied count by count in order, so the decisions are those of the fully
//! sequential procedure; a policy eliminated inside a stage has a few replications more run than
//! used. The stages depend only on what was seen, so the result is the same for any thread count.

use crate::error::Error;
use crate::stats::t_upper_quantile;

/// What the procedure is asked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SelectParams {
    /// Indifference zone: a policy within `delta` of the best counts as a correct choice.
    pub delta: f64,
    /// 1 - probability of correct selection.
    pub alpha: f64,
    /// First-stage replications of every policy (at least 2).
    pub n0: u64,
    /// Whether larger means are better.
    pub maximize: bool,
    /// The most replications of any policy; reaching it ends the procedure with the best mean,
    /// without the guarantee (reported).
    pub ceiling: u64,
}

/// The result for one policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Contender {
    /// Replications simulated.
    pub replications: u64,
    /// Mean of the metric over the replications the procedure used.
    pub mean: f64,
    /// The replication count at whose screening the policy was eliminated (`None`: kept, or
    /// still in contention when the procedure stopped: at the ceiling, or tied on the mean with
    /// the one kept once every half-width is zero).
    pub eliminated_after: Option<u64>,
}

/// The result of a selection.
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    pub contenders: Vec<Contender>,
    pub selected: usize,
    /// The replication count at which the procedure stopped.
    pub stopped_at: u64,
    /// Whether the ceiling stopped it before the procedure did (no guarantee then).
    pub ceiling_reached: bool,
    /// Replications per policy a fixed-sample design with the same guarantee needs from the same
    /// first stage: the two-stage paired Bonferroni procedure (Nelson & Matejcik 1995),
    /// `max(n0, max over pairs ceil((t S / delta)^2))` with `t` the `1 - alpha/(k-1)` quantile
    /// of Student's t with `n0 - 1` degrees of freedom; at most [`FIXED_SAMPLE_MOST`], which
    /// stands for that many or more.
    pub fixed_sample: u64,
}

/// The least `--alpha`: a probability of correct selection of 0.999999. Beyond it the t
/// quantiles of the fixed-sample design pass what the t inverse gives reliably, and no decision
/// asks for more.
pub const MIN_ALPHA: f64 = 1e-6;

/// The most replications a policy the fixed-sample design is said to need: a billion times any
/// run, and exact as a JSON number. A tiny `--delta` makes the formula give more than a `u64`
/// holds; the design is then said to need more than this.
pub const FIXED_SAMPLE_MOST: u64 = 1_000_000_000_000_000;

impl Selection {
    /// What the fixed-sample design needs, in words: `N per policy (M in all)` for `k` policies,
    /// or `more than N per policy` past [`FIXED_SAMPLE_MOST`].
    pub fn fixed_sample_text(&self, k: usize) -> String {
        let n = self.fixed_sample;
        if n >= FIXED_SAMPLE_MOST {
            format!("more than {n} per policy")
        } else {
            format!("{n} per policy ({} in all)", n * k as u64)
        }
    }
}

impl Selection {
    /// Replications simulated over all policies.
    pub fn total(&self) -> u64 {
        self.contenders.iter().map(|c| c.replications).sum()
    }
}

/// A setting `select` refuses, with the value given: [`Refused::message`] says what is wrong,
/// naming the flag.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Refused {
    /// Fewer than two policies (`--policies`).
    Policies(usize),
    /// An indifference zone that is not a positive number (`--delta`).
    Delta(f64),
    /// An alpha outside (0, 0.5) (`--alpha`).
    Alpha(f64),
    /// A first stage too short to estimate a variance (`--n0`).
    N0(u64),
    /// A ceiling (`--reps`) below the first stage (`--n0`).
    Ceiling { reps: u64, n0: u64 },
}

impl Refused {
    /// The message, naming the flag; `given` writes a number as it was given. The command passes
    /// `report::figures::setting` (the report's rule, which a study, below the report, does not
    /// use), so `--alpha 1e300` is written `1e300`, not as 301 digits.
    pub fn message(&self, given: impl Fn(f64) -> String) -> String {
        match *self {
            Refused::Policies(n) => {
                format!("--policies: select needs at least two policies, got {n}")
            }
            Refused::Delta(delta) => format!(
                "--delta {}: the indifference zone must be a positive finite number (in the metric's unit)",
                given(delta)
            ),
            Refused::Alpha(alpha) => format!(
                "--alpha {}: must be at least 0.000001 and below 0.5, e.g. 0.05 for 95% probability of correct selection",
                given(alpha)
            ),
            Refused::N0(n0) => format!(
                "--n0 {n0}: the first stage needs at least 2 replications to estimate a variance"
            ),
            Refused::Ceiling { reps, n0 } => {
                format!("--reps {reps} is below --n0 {n0}: the ceiling must allow the first stage")
            }
        }
    }
}

/// Checks `params` for `policies` policies.
pub fn check(params: &SelectParams, policies: usize) -> Result<(), Refused> {
    if policies < 2 {
        return Err(Refused::Policies(policies));
    }
    if !(params.delta > 0.0 && params.delta.is_finite()) {
        return Err(Refused::Delta(params.delta));
    }
    if !(params.alpha >= MIN_ALPHA && params.alpha < 0.5) {
        return Err(Refused::Alpha(params.alpha));
    }
    if params.n0 < 2 {
        return Err(Refused::N0(params.n0));
    }
    if params.ceiling < params.n0 {
        return Err(Refused::Ceiling {
            reps: params.ceiling,
            n0: params.n0,
        });
    }
    Ok(())
}

/// Runs KN on `k` systems. `run(pairs)` returns the metric of each (system, replication) pair,
/// in order; a value that is not finite is an error naming the pair.
pub fn kn(
    params: &SelectParams,
    k: usize,
    mut run: impl FnMut(&[(usize, u64)]) -> Result<Vec<f64>, Error>,
) -> Result<Selection, Error> {
    // The command has checked already, writing the numbers as given; a program calling this
    // is told its own value as Rust writes it (`1e300`).
    check(params, k).map_err(|r| Error::Usage(r.message(|x| format!("{x:?}"))))?;
    let SelectParams {
        delta, alpha, n0, ..
    } = *params;
    let sign = if params.maximize { 1.0 } else { -1.0 };
    // values[i][r]: system i's metric in replication r, signed so that larger is better.
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); k];
    let mut extend = |systems: &[usize], from: u64, to: u64, values: &mut Vec<Vec<f64>>| {
        let pairs: Vec<(usize, u64)> = systems
            .iter()
            .flat_map(|&i| (from..to).map(move |r| (i, r)))
            .collect();
        for (&(i, _), x) in pairs.iter().zip(run(&pairs)?) {
            values[i].push(sign * x);
        }
        Ok::<(), Error>(())
    };
    let all: Vec<usize> = (0..k).collect();
    extend(&all, 0, n0, &mut values)?;

    // Kim & Nelson's constants: eta from the Bonferroni split of alpha over the k - 1 rivals.
    let eta = 0.5 * ((2.0 * alpha / (k as f64 - 1.0)).powf(-2.0 / (n0 as f64 - 1.0)) - 1.0);
    let h2 = 2.0 * eta * (n0 as f64 - 1.0);
    // First-stage variance of each pair's difference.
    let mut s2 = vec![vec![0.0; k]; k];
    for i in 0..k {
        for l in 0..k {
            if i != l {
                let d: Vec<f64> = (0..n0 as usize)
                    .map(|r| values[i][r] - values[l][r])
                    .collect();
                let mean = d.iter().sum::<f64>() / n0 as f64;
                s2[i][l] = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n0 as f64 - 1.0);
            }
        }
    }
    // Past this count every half-width is zero: the procedure then keeps the best mean.
    let last = s2
        .iter()
        .flatten()
        .map(|s| (h2 * s / (delta * delta)).floor())
        .fold(0.0, f64::max);
    // `alpha / (k - 1)` can be far below 1e-6 with many policies: the upper quantile of a tail
    // that small, which `1 - alpha / (k - 1)` cannot say.
    let t = t_upper_quantile(alpha / (k as f64 - 1.0), n0 - 1);
    let fixed_sample = s2
        .iter()
        .flatten()
        .map(|s| ((t * t * s) / (delta * delta)).ceil())
        .fold(n0 as f64, f64::max)
        .min(FIXED_SAMPLE_MOST as f64) as u64;

    let mut alive: Vec<usize> = all.clone();
    let mut eliminated: Vec<Option<u64>> = vec![None; k];
    let mut r = n0;
    let mut ceiling_reached = false;
    loop {
        // Screen at counts r, r+1, ... over what has been run, one count at a time.
        let have = values[alive[0]].len() as u64;
        while r <= have && alive.len() > 1 {
            let mean = |i: usize| values[i][..r as usize].iter().sum::<f64>() / r as f64;
            let means: Vec<f64> = (0..k)
                .map(|i| {
                    if alive.contains(&i) {
                        mean(i)
                    } else {
                        f64::NAN
                    }
                })
                .collect();
            let rf = r as f64;
            let kept: Vec<usize> = alive
                .iter()
                .copied()
                .filter(|&i| {
                    alive.iter().all(|&l| {
                        let w =
                            (delta / (2.0 * rf) * (h2 * s2[i][l] / (delta * delta) - rf)).max(0.0);
                        l == i || means[i] >= means[l] - w
                    })
                })
                .collect();
            for &i in &alive {
                if !kept.contains(&i) {
                    eliminated[i] = Some(r);
                }
            }
            // Screening never removes every system (the best mean always survives), but keep one
            // for certain: the best mean, first in order on ties.
            alive = if kept.is_empty() {
                best_of(&alive, &means)
            } else {
                kept
            };
            if alive.len() > 1 && rf > last {
                // The survivors are tied on the mean (their half-widths are zero): the first is
                // kept, and the others were never eliminated.
                alive = best_of(&alive, &means);
            }
            if alive.len() > 1 {
                r += 1;
            }
        }
        if alive.len() == 1 {
            break;
        }
        if have >= params.ceiling {
            // Out of replications: keep the best mean, without the guarantee.
            ceiling_reached = true;
            let means: Vec<f64> = (0..k)
                .map(|i| values[i].iter().sum::<f64>() / values[i].len() as f64)
                .collect();
            // The others left were never eliminated: their means are over `have` too.
            alive = best_of(&alive, &means);
            r = have;
            break;
        }
        // The next stage: a tenth of the count so far, so little is run past an elimination.
        let stage = have.div_ceil(10).max(1);
        let to = (have + stage).min(params.ceiling);
        extend(&alive, have, to, &mut values)?;
    }
    let selected = alive[0];
    let contenders = (0..k)
        .map(|i| {
            let used = eliminated[i].unwrap_or(r) as usize;
            Contender {
                replications: values[i].len() as u64,
                mean: sign * values[i][..used].iter().sum::<f64>() / used as f64,
                eliminated_after: eliminated[i],
            }
        })
        .collect();
    Ok(Selection {
        contenders,
        selected,
        stopped_at: r,
        ceiling_reached,
        fixed_sample,
    })
}

/// The system with the largest mean among `alive` (the first in order on ties), alone.
fn best_of(alive: &[usize], means: &[f64]) -> Vec<usize> {
    let mut best = alive[0];
    for &i in alive {
        if means[i] > means[best] {
            best = i;
        }
    }
    vec![best]
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::engine::CounterRng;
    use rand::RngExt;

    /// A standard normal draw (Box-Muller) from the SplitMix64 stream of `key`, for synthetic
    /// systems.
    fn normal(key: u64) -> f64 {
        let mut rng = CounterRng::new(key);
        let (u, v) = (rng.random::<f64>().max(1e-300), rng.random::<f64>());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Observations of system i in replication r: a shared replication effect (common random
    /// numbers) plus the system's own noise, a pure function of (seed, i, r) like a replication.
    fn observe(seed: u64, means: &[f64], pairs: &[(usize, u64)]) -> Vec<f64> {
        pairs
            .iter()
            .map(|&(i, r)| {
                let shared = normal(seed ^ r.wrapping_mul(0xA24B_AED4_963E_E407));
                let own = normal(seed ^ (r << 8 | i as u64).wrapping_mul(0x9FB2_1C65_1E98_DF25));
                means[i] + 3.0 * shared + own
            })
            .collect()
    }

    fn params(maximize: bool) -> SelectParams {
        SelectParams {
            delta: 0.5,
            alpha: 0.05,
            n0: 10,
            maximize,
            ceiling: 100_000,
        }
    }

    /// The slippage configuration (the best exactly `delta` ahead of all others, the hardest
    /// case): over many seeds the best is chosen in at least 1 - alpha of them, with fewer
    /// replications than the fixed-sample design of the same guarantee.
    #[test]
    fn the_planted_best_is_chosen_with_the_promised_probability() {
        let means = [0.0, 0.0, 0.5, 0.0, 0.0];
        let seeds = 300;
        let (mut correct, mut used, mut fixed) = (0, 0, 0);
        for seed in 0..seeds {
            let s = kn(&params(true), means.len(), |pairs| {
                Ok(observe(seed, &means, pairs))
            })
            .unwrap();
            correct += usize::from(s.selected == 2);
            used += s.total();
            fixed += s.fixed_sample * means.len() as u64;
            assert!(!s.ceiling_reached);
        }
        let pcs = correct as f64 / seeds as f64;
        eprintln!(
            "KN: correct {pcs} of {seeds} seeds; replications {used} against fixed-sample {fixed}"
        );
        assert!(pcs >= 0.95, "probability of correct selection {pcs}");
        assert!(
            used < fixed,
            "KN used {used} replications, fixed-sample {fixed}"
        );
    }

    #[test]
    fn minimising_picks_the_smallest_and_is_deterministic() {
        let means = [3.0, 1.0, 2.0];
        let run = || kn(&params(false), 3, |pairs| Ok(observe(7, &means, pairs))).unwrap();
        let s = run();
        assert_eq!(s.selected, 1);
        assert_eq!(s, run());
        assert!(s.contenders[0].eliminated_after.is_some());
        assert!(s.contenders[1].eliminated_after.is_none());
        assert!((s.contenders[1].mean - 1.0).abs() < 2.0);
    }

    #[test]
    fn identical_systems_stop_at_once_on_the_first() {
        let s = kn(&params(true), 3, |pairs| {
            Ok(pairs.iter().map(|&(_, r)| r as f64).collect())
        })
        .unwrap();
        assert_eq!((s.selected, s.stopped_at, s.total()), (0, 10, 30));
    }

    /// A tiny `--delta` makes the fixed-sample design's formula pass what a `u64` holds: it is
    /// said to need more than `FIXED_SAMPLE_MOST`, not a number that wrapped round.
    #[test]
    fn a_fixed_sample_past_any_count_is_said_to_be_more_than_the_most() {
        let tiny = SelectParams {
            delta: 1e-9,
            ceiling: 20,
            ..params(true)
        };
        let means = [3.0, 1.0, 2.0];
        let s = kn(&tiny, 3, |pairs| Ok(observe(7, &means, pairs))).unwrap();
        assert_eq!(s.fixed_sample, FIXED_SAMPLE_MOST);
        assert_eq!(
            s.fixed_sample_text(3),
            "more than 1000000000000000 per policy"
        );
        let s = kn(&params(true), 3, |pairs| Ok(observe(7, &means, pairs))).unwrap();
        let n = s.fixed_sample;
        assert_eq!(
            s.fixed_sample_text(3),
            format!("{n} per policy ({} in all)", 3 * n)
        );
    }

    /// A smaller alpha never asks the fixed-sample design for fewer replications: down to
    /// alphas where `1 - alpha / (k - 1)` rounds to 1, the quantile is taken from the lower tail.
    #[test]
    fn the_fixed_sample_grows_as_alpha_shrinks_to_the_smallest() {
        let means = [3.0, 1.0, 2.0];
        let mut last = 0;
        for step in 0..=25 {
            let alpha = 0.4 * (MIN_ALPHA / 0.4).powf(f64::from(step) / 25.0);
            for (n0, k) in [(2, 201), (3, 201)] {
                let p = SelectParams {
                    alpha: alpha.max(MIN_ALPHA),
                    n0,
                    ceiling: 20,
                    ..params(true)
                };
                let means: Vec<f64> = (0..k).map(|i| means[i % 3] + i as f64).collect();
                let s = kn(&p, k, |pairs| Ok(observe(7, &means, pairs))).unwrap();
                if (n0, k) == (2, 201) {
                    assert!(
                        s.fixed_sample >= last,
                        "alpha {alpha}: {} < {last}",
                        s.fixed_sample
                    );
                    last = s.fixed_sample;
                }
            }
        }
        assert!(last > 1_000_000, "{last}");
        let p = SelectParams {
            alpha: MIN_ALPHA * 0.99,
            ..params(true)
        };
        assert_eq!(check(&p, 3), Err(Refused::Alpha(MIN_ALPHA * 0.99)));
    }

    #[test]
    fn bad_parameters_name_their_flag() {
        let p = |delta, alpha, n0| SelectParams {
            delta,
            alpha,
            n0,
            maximize: true,
            ceiling: 100,
        };
        let err = |p: SelectParams| check(&p, 3).unwrap_err().message(|x| x.to_string());
        assert!(err(p(0.0, 0.05, 10)).starts_with("--delta 0"));
        assert!(err(p(1.0, 0.5, 10)).starts_with("--alpha 0.5"));
        assert!(err(p(1.0, 0.0, 10)).starts_with("--alpha 0"));
        assert!(err(p(1.0, 0.05, 1)).starts_with("--n0 1"));
        assert_eq!(check(&p(1.0, 0.05, 10), 1), Err(Refused::Policies(1)));
    }
}
