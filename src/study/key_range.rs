//! Numeric scenario keys over ranges, as `--vary` (sensitivity) and `--fit` (calibrate) take
//! them: `KEY=LOW..HIGH` parsed with each mistake located in the argument, and the key's value
//! at a position in its range (rounded for a key that takes only whole numbers).

use std::ops::Range;

use crate::error::Error;
use crate::study::arg_error;

/// One varied key: `low..=high`, whole numbers only if the scenario takes only integers there.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Factor {
    pub key: String,
    pub low: f64,
    pub high: f64,
    pub integer: bool,
}

impl Factor {
    /// The key's value at position `u` in `[0, 1]` of its range (rounded for an integer key).
    pub fn value(&self, u: f64) -> f64 {
        let x = self.low + u.clamp(0.0, 1.0) * (self.high - self.low);
        if self.integer {
            x.round().clamp(self.low, self.high)
        } else {
            x
        }
    }

    /// Where `value` lies in the range, as a fraction of it.
    pub fn position(&self, value: f64) -> f64 {
        (value - self.low) / (self.high - self.low)
    }

    /// The value as TOML text: an integer key's without a decimal point.
    pub fn text(&self, value: f64) -> String {
        if self.integer {
            format!("{}", value as i64)
        } else {
            format!("{value:?}")
        }
    }
}

/// The largest whole number a range's end may be for a key that takes only whole numbers: the
/// largest `i64` that an `f64` holds exactly, 2^63 - 1024.
pub const MOST_WHOLE: f64 = 9_223_372_036_854_774_784.0;

/// `x` as a whole number an integer key can hold (written as digits or not: `1e3`), if it is
/// one: the one test of `--vary`, `--fit` and `seek --vary` ends.
pub fn whole_number(x: f64) -> Option<i64> {
    (x.fract() == 0.0 && x.abs() <= MOST_WHOLE).then_some(x as i64)
}

/// A `KEY=LOW..HIGH` argument (`--vary`, `--fit`), checked: the key's text and the numbers, each error
/// located in the argument. Whether the scenario takes numbers at the key is checked later.
#[derive(Clone, Debug, PartialEq)]
pub struct Vary {
    pub key: String,
    pub low: f64,
    pub high: f64,
    /// Both bounds written without a fraction or exponent (a candidate integer key).
    pub whole: bool,
}

/// Why `key` cannot be `what` (varied, fitted) by a study, if it cannot: every setting a study
/// tries shares the seed and the replications (common random numbers), and a `[sweep]` grid is
/// not a setting of the scenario.
pub fn not_a_setting(key: &str, what: &str) -> Option<String> {
    let shown = crate::scenario::abbreviate(key);
    if key.starts_with("sweep.") {
        Some(format!(
            "`{shown}` cannot be {what}: it is a key of the scenario's [sweep] grid, not a setting of the scenario"
        ))
    } else if key == "seed" || key == "replications" {
        Some(format!(
            "`{shown}` cannot be {what}: every setting tried shares the seed and replications (common random numbers)"
        ))
    } else {
        None
    }
}

/// Parses one `KEY=LOW..HIGH` argument of `flag`; `what` says what is done to the key
/// ("varied", "fitted") in messages.
pub fn parse(flag: &str, arg: &str, what: &str) -> Result<Vary, Error> {
    let bad = |span: Range<usize>, message: &str| arg_error(flag, arg, span, message);
    let Some(eq) = arg.find('=') else {
        return Err(bad(
            0..arg.len(),
            "expected KEY=LOW..HIGH, e.g. copy.per_tenant=10..100",
        ));
    };
    let key = arg[..eq].trim();
    if key.is_empty() {
        return Err(bad(0..eq, "no key before `=`"));
    }
    if let Some(why) = not_a_setting(key, what) {
        return Err(bad(0..eq, &why));
    }
    let rest = &arg[eq + 1..];
    let Some(dots) = rest.find("..") else {
        return Err(bad(
            eq + 1..arg.len(),
            "expected a range LOW..HIGH, e.g. 10..100",
        ));
    };
    let number = |from: usize, text: &str, bound: &str| -> Result<f64, Error> {
        let t = text.trim();
        let span = from..from + text.len();
        match t.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(bad(
                span,
                &format!(
                    "{bound} `{}` is not a number: only numeric keys can be {what}",
                    crate::scenario::abbreviate(t)
                ),
            )),
        }
    };
    let (low_text, high_text) = (&rest[..dots], &rest[dots + 2..]);
    let low = number(eq + 1, low_text, "LOW")?;
    let high = number(eq + 1 + dots + 2, high_text, "HIGH")?;
    if low > high {
        return Err(bad(
            eq + 1..arg.len(),
            // The bounds as written (`1e300`), not as the numbers read (301 digits).
            &format!(
                "LOW {} is above HIGH {}",
                crate::scenario::abbreviate(low_text.trim()),
                crate::scenario::abbreviate(high_text.trim())
            ),
        ));
    }
    if low == high {
        return Err(bad(
            eq + 1..arg.len(),
            "the range holds one value: nothing varies (fix the key with --set instead)",
        ));
    }
    Ok(Vary {
        key: key.to_string(),
        low,
        high,
        whole: whole_number(low).is_some() && whole_number(high).is_some(),
    })
}
