//! Numeric keys over ranges checked against a scenario (`sensitivity --vary`, `calibrate --fit`):
//! a key is accepted only if the scenario takes numbers there across the whole range.

use crate::error::Error;
use crate::scenario::{Scenario, ScenarioDoc, ScenarioError, Source};
use crate::study::key_range::{self, Factor, Vary};

/// A study's scenario and its ranges: each of `flag`'s arguments `args` parsed (`what` says what
/// is done to the keys: "varied", "fitted"), a key given twice or more than `max` keys refused,
/// the scenario `name` read with its `--set` overrides, and each key checked against it.
pub(super) fn load_with_ranges(
    name: &str,
    overrides: &[String],
    flag: &str,
    what: &str,
    args: &[String],
    max: usize,
) -> Result<(Source, ScenarioDoc, Scenario, Vec<Factor>), Error> {
    let parsed = args
        .iter()
        .map(|a| key_range::parse(flag, a, what))
        .collect::<Result<Vec<_>, _>>()?;
    for (i, v) in parsed.iter().enumerate() {
        if parsed[..i].iter().any(|w| w.key == v.key) {
            return Err(Error::Usage(format!(
                "{flag} `{}`: `{}` is {what} twice",
                args[i], v.key
            )));
        }
    }
    if parsed.len() > max {
        return Err(Error::Usage(format!(
            "{flag}: {} keys, at most {max}",
            parsed.len()
        )));
    }
    let source = Source::resolve(Some(name));
    let doc = ScenarioDoc::load(&source, overrides)?;
    let base = doc.scenario()?;
    let factors = args
        .iter()
        .zip(parsed)
        .map(|(arg, v)| factor_of(&doc, flag, arg, v))
        .collect::<Result<_, _>>()?;
    Ok((source, doc, base, factors))
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
            "{flag} `{arg}`: `{}` is not a numeric key of this scenario, or the range is not valid there:\n{e}",
            vary.key
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
        Err(e) => Err(refuse(e)),
    }
}
