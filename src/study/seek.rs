//! `cutover seek`: the cheapest integer setting of some scenario keys that meets every
//! constraint, each judged by a one-sided bound.
//!
//! Settings are tried in order of cost (sum of weight x value; ties in the order of the values),
//! so the first that meets every constraint is the cheapest, with or without monotonicity: every
//! cheaper setting was tried and failed. A setting gets replications in stages only while a
//! verdict is uncertain (its bound straddles the threshold), up to a ceiling, where an uncertain
//! verdict counts as not met. A setting is looked at after each stage, and a verdict taken at any
//! look is final, so the 5% error of a verdict is shared among the looks a setting may have
//! (Bonferroni): with one 95% bound per look, a setting exactly at its threshold was found to
//! meet it about one time in five over the nine looks up to 200 replications (the error rates
//! are checked by simulation in `tests/it/statistical_guarantees.rs`). All settings run
//! replications 0, 1, 2, ... of the same seed, so they share random numbers and are compared on
//! the same luck. With `--monotone` (the user says more
//! of every key never hurts), a setting below one that surely failed is skipped. A replication
//! without a value of a constraint's metric counts by what its empty cell means (see
//! [`Constraint::check`]): past the calendar's end (`makespan_days`), it fails a mean; with
//! nothing to measure (a wait where nothing waited), the estimate is over the others, and
//! seek.csv says how many measured it.

use std::ops::Range;

use super::{arg_error, column, metric_column};
use crate::error::Error;
use crate::model::ReplicationMetrics;
use crate::scenario::abbreviate;
use crate::stats::{Running, normal_quantile, t_quantile, wilson};

/// The confidence of a setting's verdict on a constraint, over all its looks.
pub const CONFIDENCE: f64 = 0.95;
/// Replications of a setting before its first verdict.
pub const FIRST_STAGE: u64 = 10;
/// The most settings a seek may span.
pub const MAX_SETTINGS: u64 = 100_000;

/// The replications a setting has after the stage that ended with `n`: half as many again, up to
/// the ceiling.
fn next_stage(n: u64, ceiling: u64) -> u64 {
    (n + n.div_ceil(2)).min(ceiling)
}

/// How many looks a setting may have before `ceiling` replications: one after each stage.
pub fn looks(ceiling: u64) -> u32 {
    let (mut n, mut looks) = (FIRST_STAGE.min(ceiling), 1);
    while n < ceiling {
        n = next_stage(n, ceiling);
        looks += 1;
    }
    looks
}

/// The one-sided confidence of each look's bound: the verdict's 5% error divided among the
/// looks (Bonferroni), so that a setting which does not meet a constraint is found to meet it
/// with probability at most 5%, at whichever look the verdict is taken.
pub fn look_confidence(ceiling: u64) -> f64 {
    1.0 - (1.0 - CONFIDENCE) / f64::from(looks(ceiling))
}

/// What a bound is, on the screen and in the report: "one-sided 99.44%, 95% over up to 9 looks",
/// or "one-sided 95%" when a setting has one look.
pub fn bound_words(ceiling: u64) -> String {
    let looks = looks(ceiling);
    if looks == 1 {
        return format!("one-sided {}%", 100.0 * CONFIDENCE);
    }
    let percent = format!("{:.2}", 100.0 * look_confidence(ceiling));
    let percent = percent.trim_end_matches('0').trim_end_matches('.');
    format!(
        "one-sided {percent}%, {}% over up to {looks} looks",
        100.0 * CONFIDENCE
    )
}

/// One `--vary KEY=LOW..HIGH` with its `--cost` weight.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub key: String,
    pub low: i64,
    pub high: i64,
    pub weight: f64,
}

/// `<=`, `>=`, `<` or `>`. Strictness matters inside `P(...)`, where a metric is often a whole
/// count: `P(slips < 3)` does not count a replication with 3 slips, `P(slips <= 3)` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    AtMost,
    AtLeast,
    Below,
    Above,
}

impl Side {
    fn holds(self, x: f64, threshold: f64) -> bool {
        match self {
            Side::AtMost => x <= threshold,
            Side::AtLeast => x >= threshold,
            Side::Below => x < threshold,
            Side::Above => x > threshold,
        }
    }

    /// Whether the metric must stay under the threshold (its upper bound is judged).
    fn upper(self) -> bool {
        matches!(self, Side::AtMost | Side::Below)
    }
}

/// What a constraint is about: a metric's mean, or the share of replications in which the
/// metric is on one side of a value.
#[derive(Clone, Debug, PartialEq)]
pub enum Statistic {
    Mean,
    Probability { side: Side, value: f64 },
}

/// One `--require`.
#[derive(Clone, Debug, PartialEq)]
pub struct Constraint {
    pub text: String,
    pub metric: &'static str,
    col: usize,
    pub statistic: Statistic,
    pub side: Side,
    pub threshold: f64,
}

/// Verdict of a constraint or a setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Met,
    Failed,
    /// The bound still straddles the threshold at the ceiling: counted as not met.
    Uncertain,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [Verdict::Met, Verdict::Failed, Verdict::Uncertain];

    /// The word seek.csv writes for the verdict, which [`Verdict::from_key`] reads back.
    pub fn key(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Failed => "failed",
            Verdict::Uncertain => "uncertain",
        }
    }

    /// The verdict whose [`Verdict::key`] is `key`, or `None` for any other text.
    pub fn from_key(key: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.key() == key)
    }

    /// What a verdict cell may hold, for a message: `met, failed or uncertain`.
    pub fn keys_in_words() -> String {
        let keys: Vec<&str> = Verdict::ALL.iter().map(|v| v.key()).collect();
        let (last, rest) = keys.split_last().expect("verdicts");
        format!("{} or {last}", rest.join(", "))
    }
}

/// A constraint's state at a setting.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub estimate: f64,
    /// The one-sided bound at [`look_confidence`] on the side that must meet the threshold (the
    /// upper bound for `<=`, the lower for `>=`).
    pub bound: f64,
    pub verdict: Verdict,
    /// The replications that had a value of the metric (the others have an empty cell).
    pub measured: u64,
}

/// One setting tried.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluated {
    pub values: Vec<i64>,
    pub cost: f64,
    pub replications: u64,
    pub checks: Vec<Check>,
    pub verdict: Verdict,
}

/// The result: every setting tried, in the order tried, and which one (if any) is the answer.
#[derive(Clone, Debug, PartialEq)]
pub struct SeekResult {
    pub evaluated: Vec<Evaluated>,
    pub answer: Option<usize>,
    /// Settings skipped under `--monotone`.
    pub skipped: u64,
}

impl SeekResult {
    pub fn total_replications(&self) -> u64 {
        self.evaluated.iter().map(|e| e.replications).sum()
    }
}

/// Reads `--vary KEY=LOW..HIGH`.
pub fn parse_vary(arg: &str) -> Result<Axis, Error> {
    let flag = "--vary";
    let Some((key, range)) = arg.split_once('=') else {
        return Err(arg_error(
            flag,
            arg,
            0..arg.len(),
            "expected KEY=LOW..HIGH, e.g. operators.weekend=2..8",
        ));
    };
    let start = key.len() + 1;
    let Some((low, high)) = range.split_once("..") else {
        return Err(arg_error(
            flag,
            arg,
            start..arg.len(),
            "expected a range LOW..HIGH of whole numbers",
        ));
    };
    // Whole numbers as digits or with an exponent (`1e3`), as `sensitivity` and `calibrate` take.
    let whole = |text: &str| {
        let text = text.trim();
        text.parse::<i64>()
            .ok()
            .or_else(|| super::key_range::whole_number(text.parse().ok()?))
    };
    let number = |text: &str, at: usize| {
        whole(text).ok_or_else(|| {
            arg_error(
                flag,
                arg,
                at..at + text.len(),
                &format!("`{}` is not a whole number", abbreviate(text)),
            )
        })
    };
    let (lo, hi) = (number(low, start)?, number(high, start + low.len() + 2)?);
    if lo > hi {
        return Err(arg_error(
            flag,
            arg,
            start..arg.len(),
            &format!("the range {lo}..{hi} is empty (LOW must not exceed HIGH)"),
        ));
    }
    if key.trim().is_empty() {
        return Err(arg_error(
            flag,
            arg,
            0..key.len().max(1),
            "no key before `=`",
        ));
    }
    if let Some(why) = crate::study::key_range::not_a_setting(key.trim(), "varied") {
        return Err(arg_error(flag, arg, 0..key.len(), &why));
    }
    Ok(Axis {
        key: key.trim().to_string(),
        low: lo,
        high: hi,
        weight: 1.0,
    })
}

/// Applies `--cost KEY=WEIGHT` to the axes.
pub fn apply_cost(axes: &mut [Axis], arg: &str) -> Result<(), Error> {
    let flag = "--cost";
    let Some((key, weight)) = arg.split_once('=') else {
        return Err(arg_error(
            flag,
            arg,
            0..arg.len(),
            "expected KEY=WEIGHT, e.g. operators.weekend=3",
        ));
    };
    let keys: Vec<String> = axes.iter().map(|a| a.key.clone()).collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let Some(axis) = axes.iter_mut().find(|a| a.key == key.trim()) else {
        let hint = crate::scenario::nearest(key.trim(), &keys)
            .map_or_else(String::new, |n| format!(" (did you mean `{n}`?)"));
        return Err(arg_error(
            flag,
            arg,
            0..key.len(),
            &format!("`{}` is not a --vary key{hint}", abbreviate(key)),
        ));
    };
    let span = key.len() + 1..arg.len();
    let w: f64 = weight.trim().parse().map_err(|_| {
        arg_error(
            flag,
            arg,
            span.clone(),
            &format!("`{}` is not a number", abbreviate(weight)),
        )
    })?;
    if !(w >= 0.0 && w.is_finite()) {
        return Err(arg_error(flag, arg, span, "a weight must be a number >= 0"));
    }
    axis.weight = w;
    Ok(())
}

/// Applies every `--cost`, refusing a key weighted twice (which weight was meant?).
pub fn apply_costs(axes: &mut [Axis], args: &[String]) -> Result<(), Error> {
    for (i, arg) in args.iter().enumerate() {
        let key = |a: &str| a.split_once('=').map_or("", |(k, _)| k.trim()).to_string();
        let this = key(arg);
        if let Some(first) = args[..i]
            .iter()
            .find(|a| key(a) == this && !this.is_empty())
        {
            let at = arg.len() - arg.trim_start().len();
            return Err(arg_error(
                "--cost",
                arg,
                at..at + this.len(),
                &format!(
                    "`{}` is weighted twice (first by `--cost {}`): give each key one weight",
                    abbreviate(&this),
                    abbreviate(first)
                ),
            ));
        }
        apply_cost(axes, arg)?;
    }
    Ok(())
}

/// Reads `--require 'mean(METRIC) <= X'` or `--require 'P(METRIC <= X) >= P'`.
pub fn parse_require(arg: &str) -> Result<Constraint, Error> {
    let flag = "--require";
    let bad = |span: Range<usize>, m: &str| arg_error(flag, arg, span, m);
    let form = "expected mean(METRIC) <= X or P(METRIC <= X) >= P";
    let open = arg.find('(').ok_or_else(|| bad(0..arg.len(), form))?;
    let close = arg
        .rfind(')')
        .filter(|&c| c > open)
        .ok_or_else(|| bad(open..arg.len(), "no closing `)`"))?;
    let func = arg[..open].trim();
    let inner = &arg[open + 1..close];
    let (side, threshold_text, at) = split_comparison(&arg[close + 1..]).ok_or_else(|| {
        bad(
            close + 1..arg.len(),
            "expected <= or >= and a number after `)`",
        )
    })?;
    let at = close + 1 + at;
    // `nan` and `inf` parse as numbers, but no estimate is ever compared meaningfully with them.
    let finite = |text: &str| text.trim().parse::<f64>().ok().filter(|x| x.is_finite());
    let threshold = finite(threshold_text).ok_or_else(|| {
        bad(
            at..arg.len(),
            &format!(
                "`{}` is not a finite number",
                abbreviate(threshold_text.trim())
            ),
        )
    })?;
    let (metric_text, metric_at, statistic) = match func {
        "mean" => (inner, open + 1, Statistic::Mean),
        "P" | "p" => {
            let (s, value, vat) = split_comparison(inner)
                .ok_or_else(|| bad(open + 1..close, "expected METRIC <= X inside P(...)"))?;
            let value = finite(value).ok_or_else(|| {
                bad(
                    open + 1 + vat..close,
                    &format!("`{}` is not a finite number", abbreviate(value.trim())),
                )
            })?;
            let name_end = inner.find(['<', '>']).unwrap_or(inner.len());
            if !(0.0..=1.0).contains(&threshold) {
                return Err(bad(at..arg.len(), "a probability must be between 0 and 1"));
            }
            // A share is judged by a one-sided Wilson bound, which stays strictly inside (0, 1)
            // whatever the replications: no number of them could show a share of 1 (or 0).
            let unreachable = match side {
                Side::AtLeast | Side::Above => (threshold == 1.0).then_some("below 1"),
                Side::AtMost | Side::Below => (threshold == 0.0).then_some("above 0"),
            };
            if let Some(stays) = unreachable {
                return Err(bad(
                    at..arg.len(),
                    &format!(
                        "no number of replications can show this: a probability is judged by its one-sided Wilson bound, which stays {stays}; require a probability short of it, such as 0.99 or 0.01"
                    ),
                ));
            }
            (
                &inner[..name_end],
                open + 1,
                Statistic::Probability { side: s, value },
            )
        }
        _ => {
            return Err(bad(
                0..open.max(1),
                &format!("`{}` is neither mean nor P; {form}", abbreviate(func)),
            ));
        }
    };
    let lead = metric_text.len() - metric_text.trim_start().len();
    let name = metric_text.trim();
    let (col, metric) = metric_column(
        flag,
        arg,
        name,
        metric_at + lead..metric_at + lead + name.len(),
    )?;
    Ok(Constraint {
        text: arg.to_string(),
        metric,
        col,
        statistic,
        side,
        threshold,
    })
}

/// Splits `<= X` (or `>=`, `<`, `>`) into the side, the text after it and its offset.
fn split_comparison(text: &str) -> Option<(Side, &str, usize)> {
    let at = text.find(['<', '>'])?;
    let below = text[at..].starts_with('<');
    let (side, skip) = match (below, text[at + 1..].starts_with('=')) {
        (true, true) => (Side::AtMost, 2),
        (false, true) => (Side::AtLeast, 2),
        (true, false) => (Side::Below, 1),
        (false, false) => (Side::Above, 1),
    };
    Some((side, &text[at + skip..], at + skip))
}

impl Constraint {
    /// The constraint's estimate, bound and verdict over `metrics`, with one-sided bounds at
    /// `confidence`.
    ///
    /// A replication without a value of the metric (an empty cell) counts by what the empty cell
    /// means (`ReplicationMetrics::PAST_THE_END` and `NOTHING_TO_MEASURE`):
    ///
    /// - Past the end (`makespan_days`: no tenant transitioned before the calendar's end): the
    ///   value is larger than any the calendar holds, and those are the worst replications. A
    ///   mean with such a value in it is no number, so it cannot be shown to be under (or over)
    ///   a threshold: the setting fails the constraint at the first look at which a replication
    ///   lacks it (the mean over the others would leave out exactly the bad ones). In a share the
    ///   value is past every value: it meets `> X` and `>= X`, never `< X` or `<= X`, which is
    ///   its true place, so the share is over every replication.
    /// - Nothing to measure (waits where nothing waited, chat fractions where nobody had a
    ///   contact pair, a pool's time averages over a window the replication never reached): the
    ///   replication has no value to be beyond a threshold, and none to put in its place (a 0
    ///   would be a wait nobody had); a mean and a share are over the replications that measured
    ///   it, so each estimates its own metric given that there was something to measure.
    ///
    /// Neither touches the guarantee of a verdict. A past-the-end failure only turns a verdict
    /// that would have been met into failed, so no setting is found to meet a constraint more
    /// often than before; the share counts a binary event of every replication, as Wilson's
    /// bound assumes. Over the replications that measured a metric, given how many did, the
    /// values are independent draws of the metric given a value, so the t and Wilson bounds
    /// hold for that conditional mean and share at each look, and the looks are those of the
    /// replications run. What no rule can give: a setting whose replications lack a value one
    /// time in a hundred passes on ten that all have one about nine times in ten; the
    /// `measured` count says how many a verdict rests on.
    pub fn check(&self, metrics: &[ReplicationMetrics], confidence: f64) -> Check {
        let values = column(metrics, self.col);
        let replications = values.len() as u64;
        let measured = values.iter().filter(|x| !x.is_nan()).count() as u64;
        let past_the_end = ReplicationMetrics::past_the_end(self.metric).is_some();
        let (estimate, low, high) = match self.statistic {
            Statistic::Mean => {
                let mut acc = Running::new();
                values.iter().for_each(|&x| acc.push(x));
                if past_the_end && measured < replications {
                    return Check {
                        estimate: acc.mean(),
                        bound: f64::NAN,
                        verdict: Verdict::Failed,
                        measured,
                    };
                }
                let n = acc.count();
                if n < 2 {
                    (acc.mean(), f64::NEG_INFINITY, f64::INFINITY)
                } else {
                    let half = t_quantile(confidence, n - 1) * acc.std() / (n as f64).sqrt();
                    (acc.mean(), acc.mean() - half, acc.mean() + half)
                }
            }
            Statistic::Probability { side, value } => {
                let (n, missing_hits) = if past_the_end {
                    // Past every value: above any, below none.
                    (
                        replications,
                        if side.upper() {
                            0
                        } else {
                            replications - measured
                        },
                    )
                } else {
                    (measured, 0)
                };
                let hits = values
                    .iter()
                    .filter(|&&x| !x.is_nan() && side.holds(x, value))
                    .count() as u64
                    + missing_hits;
                // The two-sided Wilson interval at 1 - 2a has one-sided 1 - a ends.
                let (lo, hi) = wilson(hits, n, normal_quantile(confidence));
                (hits as f64 / n as f64, lo, hi)
            }
        };
        let (bound, other) = if self.side.upper() {
            (high, low)
        } else {
            (low, high)
        };
        let verdict = if estimate.is_nan() {
            Verdict::Failed
        } else if self.side.holds(bound, self.threshold) {
            Verdict::Met
        } else if !self.side.holds(other, self.threshold) {
            Verdict::Failed
        } else {
            Verdict::Uncertain
        };
        Check {
            estimate,
            bound,
            verdict,
            measured,
        }
    }

    /// Whether a replication without a value fails this constraint (a mean of a metric whose
    /// empty cell lies past the replication's end), and what such a replication is.
    pub fn fails_without_a_value(&self) -> Option<&'static str> {
        match self.statistic {
            Statistic::Mean => ReplicationMetrics::past_the_end(self.metric),
            Statistic::Probability { .. } => None,
        }
    }

    /// How many replications an estimate is over, in words: "40 replications" when every one
    /// measured the metric, else "mean over 35 of 40 replications" ("share over" for a share of
    /// a metric with nothing to measure in some; a share of a metric past the end is over all
    /// of them, those without a value counted as past every value).
    pub fn over_words(&self, measured: u64, replications: u64) -> String {
        if measured >= replications {
            return format!("{replications} replications");
        }
        let missing = replications - measured;
        match self.statistic {
            Statistic::Mean => format!("mean over {measured} of {replications} replications"),
            Statistic::Probability { .. }
                if ReplicationMetrics::past_the_end(self.metric).is_some() =>
            {
                format!(
                    "{replications} replications, {missing} without a value counted as past every value"
                )
            }
            Statistic::Probability { .. } => {
                format!("share over {measured} of {replications} replications")
            }
        }
    }
}

/// When no setting met every constraint: the (setting, constraint) whose bound came closest to
/// its threshold, relative to it, among the checks not met. `checks` are each setting's, in the
/// order tried. A mean failed for replications without a value has no bound to be near.
pub fn closest(constraints: &[Constraint], checks: &[&[Check]]) -> Option<(usize, usize)> {
    let mut closest: Option<(f64, usize, usize)> = None;
    for (s, checks) in checks.iter().enumerate() {
        for (i, (c, k)) in constraints.iter().zip(checks.iter()).enumerate() {
            if k.verdict == Verdict::Met {
                continue;
            }
            let gap = (k.bound - c.threshold).abs() / c.threshold.abs().max(1e-9);
            if gap.is_nan() {
                continue;
            }
            if closest.is_none_or(|(g, _, _)| gap < g) {
                closest = Some((gap, s, i));
            }
        }
    }
    closest.map(|(_, s, i)| (s, i))
}

/// What to do about the constraint that came closest, after its verdict: one still uncertain at
/// the ceiling may be settled by more replications; one that failed needs other settings.
pub fn next_step(verdict: Verdict, ceiling: u64) -> String {
    match verdict {
        Verdict::Uncertain => format!(
            "more replications may settle it: raise --reps (the most per setting was {ceiling}), or widen a --vary range"
        ),
        _ => "widen a --vary range, or relax that --require".to_string(),
    }
}

/// The settings at which constraint `c` failed because replications lacked a value of its
/// metric, in words ("helpdesk.weekday=1: 2 of 10 replications"), or `None` if there were none.
/// `settings` are (setting in words, replications that measured it, replications), in the order
/// tried; the first three are named.
pub fn lacking_words(c: &Constraint, settings: &[(String, u64, u64)]) -> Option<String> {
    let why = c.fails_without_a_value()?;
    let lacking: Vec<&(String, u64, u64)> = settings.iter().filter(|(_, m, r)| m < r).collect();
    if lacking.is_empty() {
        return None;
    }
    const NAMED: usize = 3;
    let mut named: Vec<String> = lacking
        .iter()
        .take(NAMED)
        .map(|(s, m, r)| format!("{s}: {} of {r} replications", r - m))
        .collect();
    if lacking.len() > NAMED {
        named.push(format!("{} more", lacking.len() - NAMED));
    }
    let settings = if lacking.len() == 1 {
        "setting"
    } else {
        "settings"
    };
    Some(format!(
        "`{}` is not met at {} {settings} where replications had no value of {} ({}): in such a replication {why}, so its mean is past any threshold",
        c.text,
        lacking.len(),
        c.metric,
        named.join("; ")
    ))
}

/// Every setting of `axes`, cheapest first (ties in the order of the values).
pub fn settings(axes: &[Axis]) -> Result<Vec<(Vec<i64>, f64)>, Error> {
    let count = axes
        .iter()
        .try_fold(1u64, |n, a| {
            let values = u64::try_from(i128::from(a.high) - i128::from(a.low) + 1).ok()?;
            n.checked_mul(values)
        })
        .filter(|&n| n <= MAX_SETTINGS);
    if count.is_none() {
        return Err(Error::Usage(format!(
            "--vary: more than {MAX_SETTINGS} settings; narrow the ranges"
        )));
    }
    // Settings are ordered by cost: a cost that no number holds would make them all equal.
    let dearest: f64 = axes
        .iter()
        .map(|a| a.weight * (a.low.unsigned_abs().max(a.high.unsigned_abs()) as f64))
        .sum();
    if !dearest.is_finite() {
        return Err(Error::Usage(
            "--cost: the weights times the values of the --vary ranges add up to more than a number holds, so no setting would be cheaper than another; use smaller weights".into(),
        ));
    }
    let mut all: Vec<Vec<i64>> = vec![Vec::new()];
    for a in axes {
        all = all
            .into_iter()
            .flat_map(|prefix| (a.low..=a.high).map(move |v| [prefix.clone(), vec![v]].concat()))
            .collect();
    }
    let mut with_cost: Vec<(Vec<i64>, f64)> = all
        .into_iter()
        .map(|v| {
            let cost = v.iter().zip(axes).map(|(&x, a)| a.weight * x as f64).sum();
            (v, cost)
        })
        .collect();
    with_cost.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    Ok(with_cost)
}

/// Runs the search. `run(setting, replications)` simulates those replications of the setting
/// (values in `axes` order) and returns their metrics in order.
pub fn seek(
    axes: &[Axis],
    constraints: &[Constraint],
    monotone: bool,
    ceiling: u64,
    mut run: impl FnMut(&[i64], Range<u64>) -> Result<Vec<ReplicationMetrics>, Error>,
) -> Result<SeekResult, Error> {
    let mut evaluated: Vec<Evaluated> = Vec::new();
    let mut skipped = 0;
    let mut answer_cost = None;
    let mut answer = None;
    let confidence = look_confidence(ceiling);
    for (values, cost) in settings(axes)? {
        if answer_cost.is_some_and(|c: f64| cost > c) {
            break;
        }
        // Below (or equal to) a setting that surely failed, a monotone problem fails too.
        if monotone
            && evaluated.iter().any(|e| {
                e.verdict == Verdict::Failed && values.iter().zip(&e.values).all(|(v, f)| v <= f)
            })
        {
            skipped += 1;
            continue;
        }
        let mut metrics = run(&values, 0..FIRST_STAGE.min(ceiling))?;
        let (checks, verdict) = loop {
            let checks: Vec<Check> = constraints
                .iter()
                .map(|c| c.check(&metrics, confidence))
                .collect();
            let failed = checks.iter().any(|c| c.verdict == Verdict::Failed);
            let uncertain = checks.iter().any(|c| c.verdict == Verdict::Uncertain);
            let n = metrics.len() as u64;
            if failed || !uncertain || n >= ceiling {
                let verdict = if failed {
                    Verdict::Failed
                } else if uncertain {
                    Verdict::Uncertain
                } else {
                    Verdict::Met
                };
                break (checks, verdict);
            }
            // Half again as many: a verdict near its threshold needs many, most need few.
            let next = next_stage(n, ceiling);
            metrics.extend(run(&values, n..next)?);
        };
        if verdict == Verdict::Met && answer.is_none() {
            answer = Some(evaluated.len());
            answer_cost = Some(cost);
        }
        evaluated.push(Evaluated {
            values,
            cost,
            replications: metrics.len() as u64,
            checks,
            verdict,
        });
    }
    Ok(SeekResult {
        evaluated,
        answer,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdict_is_read_back_from_the_word_written_for_it_and_from_no_other() {
        for v in Verdict::ALL {
            assert_eq!(Verdict::from_key(v.key()), Some(v));
        }
        for other in ["", "Met", "met ", "maybe", "passed"] {
            assert_eq!(Verdict::from_key(other), None, "{other:?}");
        }
        assert_eq!(Verdict::keys_in_words(), "met, failed or uncertain");
    }

    #[test]
    fn constraints_and_ranges_parse_and_bad_ones_point_at_the_mistake() {
        let c = parse_require("mean(helpdesk_wait_p95_h) <= 24").unwrap();
        assert_eq!(
            (c.metric, c.side, c.threshold),
            ("helpdesk_wait_p95_h", Side::AtMost, 24.0)
        );
        let p = parse_require("P(missed_deadline <= 0) >= 0.9").unwrap();
        assert_eq!(
            p.statistic,
            Statistic::Probability {
                side: Side::AtMost,
                value: 0.0
            }
        );
        assert_eq!((p.side, p.threshold), (Side::AtLeast, 0.9));
        let e = parse_require("mean(helpdesk_wait_p95) <= 24")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("did you mean `helpdesk_wait_p95_h`")
                && e.contains("       ^^^^^^^^^^^^^^^^^"),
            "{e}"
        );
        assert!(
            parse_require("median(slips) <= 3")
                .unwrap_err()
                .to_string()
                .contains("neither mean nor P")
        );
        assert!(
            parse_require("mean(slips) = 3")
                .unwrap_err()
                .to_string()
                .contains("<= or >=")
        );
        assert!(
            parse_require("P(slips <= 1) >= 2")
                .unwrap_err()
                .to_string()
                .contains("between 0 and 1")
        );
        assert!(
            parse_require("mean(slips) <= x")
                .unwrap_err()
                .to_string()
                .contains("`x` is not a finite number")
        );
        // A share of exactly 1 (or 0) can never be shown by a bound inside (0, 1).
        for arg in [
            "P(slips <= 3) >= 1",
            "P(slips <= 3) > 1",
            "P(slips >= 1) <= 0",
        ] {
            let err = parse_require(arg).unwrap_err().to_string();
            assert!(
                err.contains("no number of replications can show this"),
                "{arg}: {err}"
            );
        }
        assert!(parse_require("P(slips <= 3) >= 0.99").is_ok());
        assert!(parse_require("P(slips <= 3) <= 1").is_ok());
        let a = parse_vary("operators.weekend=2..8").unwrap();
        assert_eq!((a.low, a.high), (2, 8));
        let a = parse_vary("operators.weekend=2e0..1e1").unwrap();
        assert_eq!((a.low, a.high), (2, 10));
        for not_whole in ["operators.weekend=1..1e300", "operators.weekend=1..inf"] {
            let e = parse_vary(not_whole).unwrap_err().to_string();
            assert!(e.contains("is not a whole number"), "{e}");
        }
        assert!(
            parse_vary("operators.weekend=8..2")
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        assert!(
            parse_vary("operators.weekend=2.5..8")
                .unwrap_err()
                .to_string()
                .contains("`2.5` is not a whole number")
        );
        assert!(
            parse_vary("operators.weekend")
                .unwrap_err()
                .to_string()
                .contains("KEY=LOW..HIGH")
        );
        // Every setting shares the seed and the replications: varying them would change nothing
        // (a seed) or be taken for a setting while running another number (replications).
        for (arg, says) in [
            ("seed=0..3", "common random numbers"),
            ("replications=1..3", "common random numbers"),
            ("sweep.x=1..2", "[sweep] grid"),
        ] {
            let err = parse_vary(arg).unwrap_err().to_string();
            assert!(
                err.contains("cannot be varied") && err.contains(says),
                "{arg}: {err}"
            );
        }
        let mut axes = vec![a];
        assert!(
            apply_cost(&mut axes, "operators.weekendd=2")
                .unwrap_err()
                .to_string()
                .contains("did you mean `operators.weekend`")
        );
        apply_cost(&mut axes, "operators.weekend=3").unwrap();
        assert_eq!(axes[0].weight, 3.0);
        // A key weighted twice is refused at its second weight, not settled by the last one.
        let twice = [
            "operators.weekend=2".to_string(),
            " operators.weekend = 5".into(),
        ];
        let e = apply_costs(&mut axes, &twice).unwrap_err().to_string();
        assert!(
            e.contains("--cost ` operators.weekend = 5`: `operators.weekend` is weighted twice")
                && e.contains("\n   ^^^^^^^^^^^^^^^^^"),
            "{e}"
        );
        apply_costs(&mut axes, &["operators.weekend=4".to_string()]).unwrap();
        assert_eq!(axes[0].weight, 4.0);
    }

    /// Inside `P(...)` a whole count sits on the threshold: `slips < 3` must not count a
    /// replication with 3 slips, which `slips <= 3` does (and `>` and `>=` likewise).
    #[test]
    fn strict_comparisons_are_strict() {
        let metrics: Vec<ReplicationMetrics> = (0..40)
            .map(|_| ReplicationMetrics {
                slips: 3,
                ..Default::default()
            })
            .collect();
        for (text, estimate, verdict) in [
            ("P(slips < 3) >= 0.5", 0.0, Verdict::Failed),
            ("P(slips <= 3) >= 0.5", 1.0, Verdict::Met),
            ("P(slips > 3) >= 0.5", 0.0, Verdict::Failed),
            ("P(slips >= 3) >= 0.5", 1.0, Verdict::Met),
            ("mean(slips) < 3", 3.0, Verdict::Failed),
            ("mean(slips) <= 3", 3.0, Verdict::Met),
            ("mean(slips) > 3", 3.0, Verdict::Failed),
        ] {
            let check = parse_require(text).unwrap().check(&metrics, 0.95);
            assert_eq!(
                (check.estimate, check.verdict),
                (estimate, verdict),
                "{text}"
            );
        }
        assert_eq!(
            parse_require("P(slips < 3) > 0.5").unwrap().statistic,
            Statistic::Probability {
                side: Side::Below,
                value: 3.0
            }
        );
    }

    /// Replications with `makespan_days` and `helpdesk_wait_p95_h` as given, `None` an empty
    /// cell.
    fn with_missing(values: &[Option<f64>]) -> Vec<ReplicationMetrics> {
        values
            .iter()
            .map(|v| ReplicationMetrics {
                makespan_days: v.unwrap_or(f64::NAN),
                helpdesk_wait_p95_h: v.unwrap_or(f64::NAN),
                ..Default::default()
            })
            .collect()
    }

    /// A replication without a makespan transitioned nobody by the calendar's end: a mean of it
    /// fails however good the others are, and in a share it is past every value. A replication
    /// without a help-desk wait had no ticket: a mean and a share are over the others.
    #[test]
    fn a_replication_without_a_value_counts_by_what_its_empty_cell_means() {
        let mut values: Vec<Option<f64>> = (0..18).map(|r| Some(100.0 + f64::from(r))).collect();
        values.extend([None, None]);
        let metrics = with_missing(&values);
        let check = |text: &str| parse_require(text).unwrap().check(&metrics, 0.95);
        let makespan = check("mean(makespan_days) <= 200");
        assert_eq!((makespan.verdict, makespan.measured), (Verdict::Failed, 18));
        assert!(makespan.bound.is_nan() && makespan.estimate == 108.5);
        // Which side is asked does not matter: the mean is no number.
        assert_eq!(check("mean(makespan_days) >= 50").verdict, Verdict::Failed);
        // Every replication in the share: the two without a value are above 110, not below.
        let above = check("P(makespan_days > 110) <= 0.5");
        assert_eq!((above.estimate, above.measured), (9.0 / 20.0, 18));
        let below = check("P(makespan_days <= 110) >= 0.5");
        assert_eq!(below.estimate, 11.0 / 20.0);
        // The help-desk waits: over the 18 replications with tickets.
        let wait = check("mean(helpdesk_wait_p95_h) <= 200");
        assert_eq!(
            (wait.estimate, wait.verdict, wait.measured),
            (108.5, Verdict::Met, 18)
        );
        let share = check("P(helpdesk_wait_p95_h > 110) <= 0.5");
        assert_eq!(share.estimate, 7.0 / 18.0);
        // Every replication measured: the rule does not apply.
        let all = with_missing(&values[..18]);
        let c = parse_require("mean(makespan_days) <= 200").unwrap();
        assert_eq!(c.check(&all, 0.95).verdict, Verdict::Met);
        // None measured: a wait has no estimate, so it is not met either.
        let none = with_missing(&[None, None, None]);
        let c = parse_require("mean(helpdesk_wait_p95_h) <= 200").unwrap();
        assert_eq!(c.check(&none, 0.95).verdict, Verdict::Failed);
    }

    #[test]
    fn what_an_estimate_is_over_is_said_when_replications_lack_a_value() {
        let words = |text: &str, measured| parse_require(text).unwrap().over_words(measured, 40);
        assert_eq!(
            words("mean(helpdesk_wait_p95_h) <= 8", 40),
            "40 replications"
        );
        assert_eq!(
            words("mean(helpdesk_wait_p95_h) <= 8", 35),
            "mean over 35 of 40 replications"
        );
        assert_eq!(
            words("P(helpdesk_wait_p95_h <= 8) >= 0.5", 35),
            "share over 35 of 40 replications"
        );
        assert_eq!(
            words("P(makespan_days <= 100) >= 0.5", 35),
            "40 replications, 5 without a value counted as past every value"
        );
        let c = parse_require("mean(makespan_days) <= 120").unwrap();
        let tried: Vec<(String, u64, u64)> = (1..=5)
            .map(|k| (format!("operators.weekend={k}"), 10 - (5 - k), 10))
            .collect();
        let said = lacking_words(&c, &tried).unwrap();
        assert!(
            said.starts_with(
                "`mean(makespan_days) <= 120` is not met at 4 settings where replications had no value of makespan_days (operators.weekend=1: 4 of 10 replications; operators.weekend=2: 3 of 10 replications; operators.weekend=3: 2 of 10 replications; 1 more): in such a replication no tenant transitioned"
            ),
            "{said}"
        );
        assert_eq!(lacking_words(&c, &tried[4..]), None);
        // A share, or a metric with nothing to measure, fails no setting for an empty cell.
        let share = parse_require("P(makespan_days <= 120) >= 0.5").unwrap();
        assert_eq!(lacking_words(&share, &tried), None);
        let wait = parse_require("mean(helpdesk_wait_p95_h) <= 8").unwrap();
        assert_eq!(lacking_words(&wait, &tried), None);
    }

    #[test]
    fn settings_come_cheapest_first() {
        let axes = [
            Axis {
                key: "a".into(),
                low: 0,
                high: 2,
                weight: 2.0,
            },
            Axis {
                key: "b".into(),
                low: 0,
                high: 1,
                weight: 1.0,
            },
        ];
        let s = settings(&axes).unwrap();
        let costs: Vec<f64> = s.iter().map(|(_, c)| *c).collect();
        assert_eq!(costs, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(s[1].0, [0, 1]);
    }

    /// Weights whose cost overflows to infinity would tie every setting: refused. A range as
    /// wide as the integers is too many settings, not an overflow.
    #[test]
    fn costs_beyond_a_number_and_ranges_beyond_the_integers_are_refused() {
        let axis = |key: &str, low, high, weight| Axis {
            key: key.into(),
            low,
            high,
            weight,
        };
        let dear = [axis("a", 1, 3, 1e308), axis("b", 1, 3, 1e308)];
        let e = settings(&dear).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("smaller weights"), "{e}");
        assert!(settings(&[axis("a", 1, 3, 1e307)]).is_ok());
        let wide = [axis("a", i64::MIN, i64::MAX, 1.0)];
        assert!(
            settings(&wide)
                .unwrap_err()
                .to_string()
                .contains("narrow the ranges")
        );
    }

    /// Nine looks up to 200 replications (10, 15, 23, 35, 53, 80, 120, 180, 200), one up to 10.
    #[test]
    fn looks_follow_the_stages() {
        assert_eq!(looks(200), 9);
        assert_eq!(looks(10), 1);
        assert_eq!(looks(3), 1);
        assert_eq!(looks(11), 2);
        assert!((look_confidence(200) - (1.0 - 0.05 / 9.0)).abs() < 1e-15);
        assert_eq!(bound_words(200), "one-sided 99.44%, 95% over up to 9 looks");
        assert_eq!(bound_words(11), "one-sided 97.5%, 95% over up to 2 looks");
        assert_eq!(bound_words(10), "one-sided 95%");
    }

    /// A synthetic programme whose slips fall as staff rises: the seek's answer is the cheapest
    /// setting whose true mean meets the constraint, with and without `--monotone`.
    #[test]
    fn the_cheapest_setting_that_meets_a_mean_is_found_with_or_without_monotone() {
        let axes = [Axis {
            key: "staff".into(),
            low: 1,
            high: 8,
            weight: 1.0,
        }];
        let c = parse_require("mean(slips) <= 10").unwrap();
        // True mean slips: 40 / staff; noise +-3 by replication (common to every setting).
        let run = |v: &[i64], reps: Range<u64>| {
            Ok(reps
                .map(|r| ReplicationMetrics {
                    slips: (40 / v[0] as u64) + r % 7,
                    ..Default::default()
                })
                .collect())
        };
        let plain = seek(&axes, std::slice::from_ref(&c), false, 200, run).unwrap();
        let fast = seek(&axes, std::slice::from_ref(&c), true, 200, run).unwrap();
        let answer = |s: &SeekResult| s.evaluated[s.answer.unwrap()].values[0];
        // 40/5 = 8, plus 3 on average: 11 > 10; 40/6 = 6 + 3 = 9 <= 10.
        assert_eq!(answer(&plain), 6);
        assert_eq!(answer(&fast), 6);
    }
}
