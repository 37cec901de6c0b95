//! Numeric keys over ranges checked against a scenario (`sensitivity --vary`, `calibrate --fit`):
//! a key is accepted only if the scenario takes numbers there across the whole range; and the
//! memory a study over ranges (those two, `seek --vary`) needs at the ends of its ranges.

use super::SimulationArgs;
use crate::error::Error;
use crate::scenario::{
    Scenario, ScenarioDoc, ScenarioError, Source, Workload, abbreviate, check_memory,
};
use crate::study::key_range::{self, Factor, Vary};

/// A study over key ranges, loaded: the scenario with its `--set` overrides (its source and
/// document too, to build the settings from), the factors, and the seed and replications every
/// setting runs (the same ones everywhere: common random numbers).
pub(super) struct RangeStudy {
    pub source: Source,
    pub doc: ScenarioDoc,
    pub base: Scenario,
    pub factors: Vec<Factor>,
    pub seed: u64,
    pub reps: u64,
}

/// Loads a study over `flag`'s ranges `args` (`what` says what is done to the keys: "varied",
/// "fitted"): `--precision` refused (`same_reps` says why: the study runs the same `--reps`
/// everywhere), a key given twice or more than `max` keys refused, the scenario `name` read with
/// its `--set` overrides, each key checked against it, and `--seed` and `--reps` applied.
pub(super) fn load_study(
    name: &str,
    sim: &SimulationArgs,
    flag: &str,
    what: &str,
    args: &[String],
    max: usize,
    same_reps: &str,
) -> Result<RangeStudy, Error> {
    if !sim.precision.is_empty() {
        return Err(Error::Usage(format!(
            "--precision: {same_reps} (common random numbers); choose --reps instead"
        )));
    }
    let parsed = args
        .iter()
        .map(|a| key_range::parse(flag, a, what))
        .collect::<Result<Vec<_>, _>>()?;
    for (i, v) in parsed.iter().enumerate() {
        if parsed[..i].iter().any(|w| w.key == v.key) {
            return Err(Error::Usage(format!(
                "{flag} `{}`: `{}` is {what} twice",
                abbreviate(&args[i]),
                abbreviate(&v.key)
            )));
        }
    }
    if parsed.len() > max {
        return Err(Error::Usage(format!(
            "{flag}: {} keys, at most {max}",
            parsed.len()
        )));
    }
    refuse_set_and_ranged(flag, parsed.iter().map(|v| v.key.as_str()), &sim.set)?;
    let source = Source::resolve(Some(name));
    let doc = ScenarioDoc::load(&source, &sim.set)?;
    let base = doc.scenario()?;
    let factors = args
        .iter()
        .zip(parsed)
        .map(|(arg, v)| factor_of(&doc, flag, arg, v))
        .collect::<Result<_, _>>()?;
    let seed = sim.seed.unwrap_or(base.seed);
    let reps = sim.reps.unwrap_or(u64::from(base.replications));
    Ok(RangeStudy {
        source,
        doc,
        base,
        factors,
        seed,
        reps,
    })
}

/// Refuses a key that `flag` ranges over (`--vary`, `--fit`) and a `--set` also sets: the
/// range sets it at every setting, so the `--set` value is never used, yet the manifest would
/// record it among the overrides.
pub(super) fn refuse_set_and_ranged<'k>(
    flag: &str,
    keys: impl IntoIterator<Item = &'k str>,
    set: &[String],
) -> Result<(), Error> {
    match crate::scenario::set_among(keys, set) {
        Some((key, s)) => Err(Error::Usage(format!(
            "--set `{}` and {flag} name the same key: {flag} sets `{}` at every setting it tries, so the --set value would never be used; drop one",
            abbreviate(s),
            abbreviate(key)
        ))),
        None => Ok(()),
    }
}

/// The scenario of one setting, each of `factors` at its value in `values`, and the values as
/// written into it; a setting that is not a valid scenario is bad input, named by `named` (given
/// the `key=value` list) and asking to narrow `flag`'s ranges.
pub(super) fn scenario_at(
    doc: &ScenarioDoc,
    factors: &[Factor],
    values: &[f64],
    flag: &str,
    named: impl Fn(&str) -> String,
) -> Result<(Scenario, Vec<String>), Error> {
    let assignments: Vec<(String, String)> = factors
        .iter()
        .zip(values)
        .map(|(f, &v)| (f.key.clone(), f.text(v)))
        .collect();
    let scenario = scenario_with(doc, &assignments).map_err(|e| {
        let at: Vec<String> = assignments
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        Error::Usage(format!(
            "{} is not a valid scenario: narrow the {flag} ranges\n{e}",
            named(&at.join(", "))
        ))
    })?;
    Ok((scenario, assignments.into_iter().map(|(_, v)| v).collect()))
}

/// Refuses `work` on the base scenario, or on a setting at the ends of a study's ranges, that
/// needs more memory than there is. What a run needs grows with the keys a study may vary
/// (tenants, seats, contacts), so the setting of every key at its low end (`lows`) and the one of
/// every key at its high end (`highs`) bound it; `name` gives a setting's `key=value` list, for
/// the message, and `at` its scenario, or an error if it is not a valid one, which the study
/// reports where it comes to it.
pub(super) fn check_memory_at_ends<T, E>(
    flag: &str,
    base: &Scenario,
    [lows, highs]: [Vec<T>; 2],
    name: impl Fn(&[T]) -> String,
    at: impl Fn(&[T]) -> Result<Scenario, E>,
    work: Workload,
) -> Result<(), Error> {
    check_memory([base], work).map_err(Error::Usage)?;
    for values in [lows, highs] {
        if let Ok(scenario) = at(&values) {
            check_memory([&scenario], work).map_err(|e| {
                Error::Usage(format!(
                    "at {} (an end of the {flag} ranges): {e}",
                    name(&values)
                ))
            })?;
        }
    }
    Ok(())
}

/// The scenario with `assignments` (`key=value` texts) applied to `doc`.
pub(super) fn scenario_with(
    doc: &ScenarioDoc,
    assignments: &[(String, String)],
) -> Result<Scenario, ScenarioError> {
    let (keys, values): (Vec<String>, Vec<String>) = assignments.iter().cloned().unzip();
    let origins: Vec<_> = assignments
        .iter()
        .map(|(k, v)| crate::scenario::Origin::Set {
            assignment: format!("{k}={v}").into(),
        })
        .collect();
    doc.cell(&keys, &values, &origins)
}

/// The factor of `flag`'s argument `arg` (`--vary`, `--fit`): refused (exit 2, quoting the
/// argument) if the scenario does not take numbers at the key; an integer key if it takes whole
/// numbers but not fractions.
fn factor_of(doc: &ScenarioDoc, flag: &str, arg: &str, vary: Vary) -> Result<Factor, Error> {
    let refuse = |e: ScenarioError| {
        Error::Usage(format!(
            "{flag} `{}`: `{}` is not a numeric key of this scenario, or the range is not valid there:\n{e}",
            abbreviate(arg),
            abbreviate(&vary.key)
        ))
    };
    let try_all = |factor: &Factor| {
        for u in [0.0, 1.0] {
            let v = factor.value(u);
            scenario_with(doc, &[(factor.key.clone(), factor.text(v))])?;
        }
        // An integer key refuses a fraction between the bounds.
        if !factor.integer {
            let mid = factor.value(0.5);
            let mid = if mid.fract() == 0.0 { mid + 0.5 } else { mid };
            if mid < factor.high {
                scenario_with(doc, &[(factor.key.clone(), factor.text(mid))])?;
            }
        }
        Ok::<(), ScenarioError>(())
    };
    let continuous = Factor {
        key: vary.key.clone(),
        low: vary.low,
        high: vary.high,
        integer: false,
    };
    match try_all(&continuous) {
        Ok(()) => Ok(continuous),
        // Whole bounds: an integer key, if it takes them; its own refusal is the one to show.
        Err(_) if vary.whole => {
            let integer = Factor {
                integer: true,
                ..continuous
            };
            try_all(&integer).map_err(refuse)?;
            Ok(integer)
        }
        // A key that takes only whole numbers, given an end that is not one: said of that end,
        // not as the scenario's refusal of the other end written as a fraction (`0.0`).
        Err(e) => {
            use crate::study::key_range::{MOST_WHOLE, whole_number};
            // Whole numbers within the range, as near its ends as there are.
            let takes_whole = [vary.low.ceil(), vary.high.floor()].into_iter().any(|x| {
                let probe = x.clamp(-MOST_WHOLE, MOST_WHOLE) as i64;
                scenario_with(doc, &[(vary.key.clone(), probe.to_string())]).is_ok()
            });
            let not_whole: Vec<String> = [vary.low, vary.high]
                .into_iter()
                .filter(|&x| whole_number(x).is_none())
                .map(crate::scenario::number_text)
                .collect();
            if takes_whole && !not_whole.is_empty() {
                return Err(Error::Usage(format!(
                    "{flag} `{}`: `{}` takes whole numbers, and {} {} it can hold",
                    abbreviate(arg),
                    abbreviate(&vary.key),
                    not_whole.join(" and "),
                    if not_whole.len() == 1 {
                        "is not one"
                    } else {
                        "are not whole numbers"
                    }
                )));
            }
            Err(refuse(e))
        }
    }
}
