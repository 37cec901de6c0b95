//! What the command line says of a value it refuses: whole-number flags parsed with their accepted
//! range named, and every piece of the command line that clap's message quotes bounded in length
//! and made printable, so `--reps` followed by a hundred thousand digits, or an argument holding
//! an escape sequence, gets a short message that cannot drive the terminal.

use std::path::PathBuf;

use clap::builder::TypedValueParser;
use clap::error::{ContextKind, ContextValue};

use crate::error::printable;
use crate::scenario::{MAX_PATH_BYTES, abbreviate_to, is_unprintable};

/// A value parser for a whole-number flag that accepts `low..=high`. Its message names the
/// range, not the value (clap quotes the value, bounded by [`bounded`]): "not a whole number
/// from 1 to 1000000", whether the value is `0`, `-1`, `1e3` or a hundred digits.
pub fn whole(low: u64, high: u64) -> impl Fn(&str) -> Result<u64, String> + Clone + Send + Sync {
    move |text| {
        text.parse::<u64>()
            .ok()
            .filter(|n| (low..=high).contains(n))
            .ok_or_else(|| format!("not a whole number from {low} to {high}"))
    }
}

/// A value parser for a flag that takes any number (`--delta`, `--alpha`; the command checks
/// the range and names it): a number written too small or too large for a 64-bit float is
/// refused as such, so `--delta 1e-400` is not read as the 0 that `--delta 0: must be positive`
/// would then quote back. `NaN` and `inf` are read, and refused by the range check.
pub fn number(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| "not a number such as 0.05 or 1e-3".to_string())?;
    let mantissa = text.split(['e', 'E']).next().unwrap_or("");
    let written_nonzero = mantissa.chars().any(|c| ('1'..='9').contains(&c));
    if value == 0.0 && written_nonzero {
        Err("too small to tell from 0 (the smallest a 64-bit number holds is about 5e-324)".into())
    } else if value.is_infinite() && !text.to_ascii_lowercase().contains("inf") {
        Err("too large (a 64-bit number is at most about 1.8e308)".into())
    } else {
        Ok(value)
    }
}

/// A value parser for one name of a comma-separated `--policies`: an empty one (`--policies ""`,
/// `fifo,,smallest-first`) names no policy, and would otherwise be counted as one.
pub fn policy_name(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        Err(
            "an empty policy name; list policies separated by commas, e.g. --policies fifo,smallest-first"
                .into(),
        )
    } else {
        Ok(text.to_string())
    }
}

/// A value parser for a path (an output folder, a file read): see [`text_path`].
pub fn path() -> impl TypedValueParser<Value = PathBuf> {
    text_path().map(PathBuf::from)
}

/// A value parser for a scenario: a file's path or a bundled scenario's name (see [`text_path`]).
pub fn scenario() -> impl TypedValueParser<Value = String> {
    text_path()
}

/// The one parser of every path on the command line: refused when empty (no file has no name),
/// by its length when longer than any path can be, when not UTF-8, and when it holds a character
/// that does not show as itself. cutover writes the paths it is given as text (the command in
/// manifest.json and report.html, its messages), where a name that is not UTF-8 could only be
/// written changed: the recorded command would then name another folder or file; and where a
/// line end, a tab, a terminal escape or a direction override would start a line of its own
/// (`Error: ...` forged in a message), or reorder what the report shows. clap's message names
/// the argument refused.
fn text_path() -> impl TypedValueParser<Value = String> {
    clap::builder::OsStringValueParser::new().try_map(|p| {
        within_path_length(p.len())?;
        let text = p.into_string().map_err(|_| {
            "invalid UTF-8: cutover writes the paths it is given as text (the command in manifest.json and report.html), where this one could only be written changed; use a UTF-8 name".to_string()
        })?;
        match text.chars().find(|&c| is_unprintable(c)) {
            Some(c) => Err(format!(
                "it holds {}, a character that does not show as itself: cutover writes the paths it is given into its messages, manifest.json and report.html, where it would break the line or reorder the text; rename the file or folder",
                c.escape_unicode()
            )),
            None => Ok(text),
        }
    })
}

fn within_path_length(bytes: usize) -> Result<(), String> {
    if bytes == 0 {
        Err("an empty path names no file or folder".into())
    } else if bytes > MAX_PATH_BYTES {
        Err(format!(
            "a path of {bytes} bytes, longer than the {MAX_PATH_BYTES} a path can have"
        ))
    } else {
        Ok(())
    }
}

/// `e` with every piece of the command line it quotes (the value refused, an unknown argument or
/// subcommand, a suggestion that repeats it) abbreviated to its start and its length when long,
/// and its control characters escaped. clap would otherwise echo them whole and, on a terminal,
/// raw.
pub fn bounded(mut e: clap::Error) -> clap::Error {
    let quoted: Vec<(ContextKind, ContextValue)> = e
        .context()
        // The usage line and the lists of valid names are clap's own words.
        .filter(|(kind, _)| {
            !matches!(
                kind,
                ContextKind::Usage | ContextKind::ValidValue | ContextKind::ValidSubcommand
            )
        })
        .filter_map(|(kind, value)| Some((kind, shown(value)?)))
        .collect();
    for (kind, value) in quoted {
        e.insert(kind, value);
    }
    e
}

/// The characters of a long quoted piece shown (a piece up to twice as long is shown whole).
const SHOWN: usize = 40;

/// `value` as a message may show it, or `None` if it holds no text from the command line.
fn shown(value: &ContextValue) -> Option<ContextValue> {
    let text = |s: &str| abbreviate_to(&printable(s), SHOWN);
    match value {
        ContextValue::String(s) => Some(ContextValue::String(text(s))),
        ContextValue::Strings(v) => {
            Some(ContextValue::Strings(v.iter().map(|s| text(s)).collect()))
        }
        ContextValue::StyledStr(s) => Some(ContextValue::StyledStr(text(&s.to_string()).into())),
        ContextValue::StyledStrs(v) => Some(ContextValue::StyledStrs(
            v.iter().map(|s| text(&s.to_string()).into()).collect(),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_too_small_or_large_for_a_float_are_refused_not_rounded() {
        assert_eq!(number("0.05"), Ok(0.05));
        assert_eq!(number("-0.0"), Ok(0.0));
        assert_eq!(number("0e-400"), Ok(0.0));
        assert_eq!(number("1e300"), Ok(1e300));
        assert!(number("NaN").unwrap().is_nan());
        assert_eq!(number("-inf"), Ok(f64::NEG_INFINITY));
        assert!(number("1e-400").unwrap_err().contains("too small"));
        assert!(number("-0.5e-999").unwrap_err().contains("too small"));
        assert!(number("1e400").unwrap_err().contains("too large"));
        assert!(number("five").unwrap_err().contains("not a number"));
    }

    #[test]
    fn a_whole_number_outside_its_range_is_refused_naming_the_range() {
        let reps = whole(1, 1_000_000);
        assert_eq!(reps("1"), Ok(1));
        assert_eq!(reps("1000000"), Ok(1_000_000));
        for bad in [
            "0",
            "1000001",
            "-1",
            "1e3",
            "",
            " 1",
            "nan",
            &"9".repeat(400),
        ] {
            assert_eq!(
                reps(bad),
                Err("not a whole number from 1 to 1000000".to_string()),
                "{bad}"
            );
        }
    }
}
