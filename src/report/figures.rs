//! How report.html and the screen write a number: an estimate with its interval (all three with
//! the decimals the interval supports, within the metric's range), a number alone, a setting
//! as it was given, and one minus a setting. NaN and infinity are never written as such: they
//! are a dash.

use crate::output::filed;

/// What stands for no value (NaN, infinity, an interval a single replication cannot give).
pub const NONE: &str = "-";

/// The range of a quantity that has none (a difference, a setting).
pub const ANY: (f64, f64) = (f64::NEG_INFINITY, f64::INFINITY);

/// Most decimals ever written: the output files keep six, so no more digits are known.
const MAX_DECIMALS: i32 = 6;

/// From this size on a number is written in scientific notation (`1.50e15`): an `f64` knows no
/// more than about 16 digits, and a row of zeros would pretend to.
const HUGE: f64 = 1e15;

/// Below this size (and above zero) a number is written in scientific notation too (`5e-324`):
/// it has no digit within the six decimals, and written out it is a row of hundreds of zeros.
const TINY: f64 = 5e-7;

/// A count with its noun: `1 replication`, `2 replications`.
pub fn plural(n: u64, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// An estimate and its interval, written for people: each a text, all with one number of decimals.
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    pub value: String,
    pub low: String,
    pub high: String,
    /// The decimals of all three (negative: rounded to tens, hundreds...), `None` when there is
    /// no interval and the value is written alone.
    places: Option<i32>,
    /// The three numbers written, after clamping.
    numbers: [f64; 3],
}

impl Written {
    /// `[low, high]`, or a dash when there is no interval.
    pub fn interval(&self) -> String {
        if self.places.is_some() {
            format!("[{}, {}]", self.low, self.high)
        } else {
            NONE.into()
        }
    }

    /// The value with its interval after it (`0.027 [0.024, 0.044]`), or the value alone.
    pub fn with_interval(&self) -> String {
        if self.places.is_some() {
            format!("{} {}", self.value, self.interval())
        } else {
            self.value.clone()
        }
    }

    /// The value with its sign, `+` too, for a difference: `+0.44`, `-3.0`, `0`.
    pub fn signed(&self) -> String {
        signed(&self.value)
    }

    /// The same figures with more decimals (at most the files' six) where one of them would
    /// otherwise read as `mark`, a threshold it is judged against, without being equal to it: a
    /// bound of 47.996 against 48 is never written `48.0`.
    pub fn apart_from(self, mark: f64) -> Written {
        let Some(mut places) = self.places else {
            return self;
        };
        if self.numbers.iter().any(|&x| is_huge(x)) || !mark.is_finite() {
            return self;
        }
        let reads_as_mark = |x: f64, places: i32| {
            x.is_finite() && x != mark && digits(x, places) == digits(mark, places)
        };
        while places < MAX_DECIMALS && self.numbers.iter().any(|&x| reads_as_mark(x, places)) {
            places += 1;
        }
        let [value, low, high] = self.numbers.map(|x| fixed(x, places));
        Written {
            value,
            low,
            high,
            places: Some(places),
            numbers: self.numbers,
        }
    }

    /// Another number of the same row (a percentile beside the mean) with the same decimals.
    pub fn alike(&self, x: f64) -> String {
        match self.places {
            Some(places) if !is_huge(x) => fixed(x, places),
            _ => number(x),
        }
    }
}

/// An estimate with its interval `[low, high]`, all three clamped to `range` (the metric's
/// feasible values, or [`ANY`]) and written with the decimals that make the interval's width
/// show two significant digits: `0.0268 [0.0244, 0.0443]` is `0.027 [0.024, 0.044]`, never
/// `0.03 [0.02, 0.04]`, where the value would seem to sit on a bound. Up to two more decimals
/// tell the estimate from a bound it is not equal to; never more than the files keep. An
/// interval of width zero (every replication alike) takes the value's own digits. Without a
/// finite, ordered interval only the value is written, and its interval is a dash.
pub fn estimate(value: f64, low: f64, high: f64, range: (f64, f64)) -> Written {
    estimate_to(value, low, high, range, i32::MIN)
}

/// A fitted setting with its interval, as [`estimate`] within the `range` it was fitted over;
/// a whole-number setting (`integer`) is never rounded to tens or more, so that it reads as
/// the value the files and the calibrated scenario hold: `500,001 [1, 1,000,000]`, not
/// `500,000 [0, 1,000,000]`.
pub fn setting_estimate(
    value: f64,
    low: f64,
    high: f64,
    range: (f64, f64),
    integer: bool,
) -> Written {
    let small = [value, low, high]
        .iter()
        .any(|x| x.is_finite() && *x != 0.0 && x.abs() < SMALL_SETTING);
    if integer || !small {
        return estimate_to(value, low, high, range, if integer { 0 } else { i32::MIN });
    }
    // Below 0.001 six decimals keep too few digits: significant ones, as many as keep every
    // figure within the range (0.000123457 for a range from 0.000123456789).
    let (min, max) = range;
    let mut digits = 6;
    while digits < 17
        && [value, low, high].iter().any(|&x| {
            x.is_finite() && !(min..=max).contains(&significant(x, digits).parse().unwrap_or(x))
        })
    {
        digits += 1;
    }
    Written {
        value: significant(value, digits),
        low: significant(low, digits),
        high: significant(high, digits),
        places: Some(MAX_DECIMALS),
        numbers: [value, low, high],
    }
}

/// The magnitude below which a fitted setting is written with significant digits, not decimals.
const SMALL_SETTING: f64 = 1e-3;

/// `x` with `digits` significant digits, as the shortest decimal that reads back as that
/// rounding (`1.23457e-7`, `0.000123457`); a dash if it is not finite.
fn significant(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return NONE.into();
    }
    let rounded: f64 = format!("{x:.*e}", digits.saturating_sub(1))
        .parse()
        .unwrap_or(x);
    format!("{rounded:?}")
}

/// [`estimate`] with at least `least` decimals (negative: rounded to tens, hundreds...).
fn estimate_to(value: f64, low: f64, high: f64, range: (f64, f64), least: i32) -> Written {
    let (min, max) = range;
    let clamp = |x: f64| {
        if x.is_finite() && min <= max {
            x.clamp(min, max)
        } else {
            x
        }
    };
    let (value, low, high) = (clamp(value), clamp(low), clamp(high));
    if !(low.is_finite() && high.is_finite() && low <= high) {
        return Written {
            value: number(value),
            low: NONE.into(),
            high: NONE.into(),
            places: None,
            numbers: [value, low, high],
        };
    }
    let largest = [value, low, high]
        .into_iter()
        .filter(|x| x.is_finite())
        .fold(0.0_f64, |m, x| m.max(x.abs()));
    if largest >= HUGE {
        // Mantissa digits enough for the width to show two, as for the fixed notation.
        let digits = if high > low {
            (largest.log10().floor() - (high - low).log10().floor() + 1.0).clamp(0.0, 14.0) as usize
        } else {
            2
        };
        let sci = |x: f64| {
            if x.is_finite() {
                format!("{:.digits$e}", filed(x))
            } else {
                NONE.into()
            }
        };
        return Written {
            value: sci(value),
            low: sci(low),
            high: sci(high),
            places: Some(0),
            numbers: [value, low, high],
        };
    }
    let mut places = decimals(value, low, high).max(least);
    // Never rounded past the range: an interval from 1 to 1,000,000 is not `[0, 1,000,000]`.
    let rounded =
        |x: f64, places: i32| -> f64 { digits(x, places).replace(',', "").parse().unwrap_or(x) };
    while places < MAX_DECIMALS
        && min <= max
        && [value, low, high]
            .iter()
            .any(|&x| x.is_finite() && !(min..=max).contains(&rounded(x, places)))
    {
        places += 1;
    }
    Written {
        value: fixed(value, places),
        low: fixed(low, places),
        high: fixed(high, places),
        places: Some(places),
        numbers: [value, low, high],
    }
}

/// A `seek` constraint's estimate and one-sided bound as written: the digits their distance
/// supports, within the statistic's range (a share within [0, 1]), and never reading as the
/// threshold they are judged against.
pub fn constraint(
    c: &crate::study::seek::Constraint,
    estimate: f64,
    bound: f64,
) -> (String, String) {
    let range = match c.statistic {
        crate::study::seek::Statistic::Mean => {
            crate::model::ReplicationMetrics::feasible_range(c.metric, f64::INFINITY)
        }
        crate::study::seek::Statistic::Probability { .. } => (0.0, 1.0),
    };
    let w = self::estimate(estimate, estimate.min(bound), estimate.max(bound), range)
        .apart_from(c.threshold);
    let bound = if !bound.is_finite() {
        NONE.to_string()
    } else if bound < estimate {
        w.low
    } else {
        w.high
    };
    (w.value, bound)
}

/// The constraint that came closest to being met (`study::seek::closest`) in words, the same on
/// the screen and in the report: `closest to passing: `P(slips <= 0) >= 0.9` at
/// helpdesk.weekday=2: bound 0.71 against 0.9 (failed; 120 replications)`.
pub fn closest(
    c: &crate::study::seek::Constraint,
    setting: &str,
    check: &crate::study::seek::Check,
    replications: u64,
) -> String {
    let (_, bound) = constraint(c, check.estimate, check.bound);
    format!(
        "closest to passing: `{}` at {setting}: bound {bound} against {} ({}; {})",
        c.text,
        self::setting(c.threshold),
        check.verdict.key(),
        c.over_words(check.measured, replications)
    )
}

/// The decimals an interval supports: two significant digits of its width, then up to two more
/// where the estimate would otherwise read as equal to a bound it is not equal to.
fn decimals(value: f64, low: f64, high: f64) -> i32 {
    let width = high - low;
    // A width the files cannot show (bounds equal to their six decimals, as the sums of equal
    // values can come out a last bit apart) is none: `11.5 [11.5, 11.5]`, not `11.500000`.
    if width <= 0.0 || digits(low, MAX_DECIMALS) == digits(high, MAX_DECIMALS) {
        return lone_decimals(if value.is_finite() { value } else { low });
    }
    // Slightly widened so that a width of 0.1 computed as 0.09999999999999998 is still 0.1.
    let magnitude = (width * (1.0 + 1e-12)).log10().floor() as i32;
    let supported = (1 - magnitude).clamp(-15, MAX_DECIMALS);
    let mut places = supported;
    let same = |a: f64, b: f64, places: i32| a != b && digits(a, places) == digits(b, places);
    while places < (supported + 2).min(MAX_DECIMALS)
        && value.is_finite()
        && (same(value, low, places) || same(value, high, places))
    {
        places += 1;
    }
    places
}

/// The decimals of a number written alone: none for a whole number or one of 100 or more, else
/// three significant digits (at most six decimals).
fn lone_decimals(x: f64) -> i32 {
    if !x.is_finite() || x == 0.0 || x.fract() == 0.0 || x.abs() >= 100.0 {
        0
    } else {
        (2 - x.abs().log10().floor() as i32).clamp(0, MAX_DECIMALS)
    }
}

/// A number without an interval: thousands separated, none of the decimals of a whole number or
/// one of 100 or more, else three significant digits (`7.92`, `0.0268`, `7.00` for 7.0037, `0.5`
/// for 0.5), a dash for no value.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return NONE.into();
    }
    if is_huge(x) {
        return format!("{:.2e}", filed(x));
    }
    if is_tiny(x) {
        return format!("{x:.2e}");
    }
    let x = filed(x);
    let text = fixed(x, lone_decimals(x));
    // Trailing zeros of an exact number (0.5, not 0.500) would claim a precision nobody
    // measured; those of a rounded one (7.00 for 7.0037) say it is not a whole number.
    let trimmed = text.trim_end_matches('0').trim_end_matches('.');
    if text.contains('.') && trimmed.replace(',', "").parse::<f64>() == Ok(x) {
        trimmed.to_string()
    } else {
        text
    }
}

/// A part's share of a whole as a percentage with its 95% interval (`stats::share_of_means`), all
/// three in the decimals the interval supports (`75% [52%, 98%]`, `81.31% [80.91%, 81.72%]`),
/// within 0 to 100%. Without an interval the share is written alone, with a number's three
/// significant digits (`75%`, `33.3%`, `0.5%`), never the decimals of an interval it lacks. A
/// dash when there is no whole to share.
pub fn share(s: &crate::stats::Share) -> String {
    match share_parts(s) {
        None => NONE.into(),
        Some((value, Some((low, high)))) => format!("{value}% [{low}%, {high}%]"),
        Some((value, None)) => format!("{value}%"),
    }
}

/// The share alone as [`share`] writes it before its interval (`40%` of `40% [0%, 100%]`), for
/// a label beside which the interval is given elsewhere: the same figure in both places.
pub fn share_alone(s: &crate::stats::Share) -> String {
    match share_parts(s) {
        None => NONE.into(),
        Some((value, _)) => format!("{value}%"),
    }
}

/// A share's percentage and its interval's ends as written, `None` without a whole to share.
fn share_parts(s: &crate::stats::Share) -> Option<(String, Option<(String, String)>)> {
    if !s.share.is_finite() {
        return None;
    }
    let w = estimate(100.0 * s.share, 100.0 * s.low, 100.0 * s.high, (0.0, 100.0));
    Some(if w.places.is_some() {
        (w.value, Some((w.low, w.high)))
    } else {
        (number(100.0 * s.share), None)
    })
}

/// A setting as it was given (a range's ends, a fitted key's bounds): every digit it has, none
/// added (`0.001`, `1,500`), a dash for no value.
pub fn setting(x: f64) -> String {
    if !x.is_finite() {
        return NONE.into();
    }
    if is_huge(x) || is_tiny(x) {
        return format!("{x:e}");
    }
    separated(x < 0.0, &format!("{}", x.abs()))
}

/// One minus a probability given as a setting (`select`'s `1 - alpha`), worked out on the digits
/// it was given, so that it is exact: `0.95` for 0.05, `0.93` for 0.07 (not the binary
/// 0.9299999999999999), `0.9999995` for 5e-7. A setting written in scientific notation (below
/// 5e-7, see [`setting`]) is kept so, `1 - 1e-300`: its complement has no digit within the six
/// decimals of a number and would read as a certainty, 1. A dash for no value.
pub fn complement(x: f64) -> String {
    if !x.is_finite() {
        return NONE.into();
    }
    let given = setting(x);
    match given.strip_prefix("0.") {
        Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            // 1.000...0 - 0.d1...dn, digit by digit from the right; the last digit given is not
            // a zero, so neither is the last one written.
            let mut borrow = 0;
            let mut out: Vec<u8> = digits
                .bytes()
                .rev()
                .map(|d| {
                    let taken = (d - b'0') + borrow;
                    borrow = u8::from(taken > 0);
                    b'0' + (10 - taken) % 10
                })
                .collect();
            out.reverse();
            format!("0.{}", String::from_utf8(out).expect("ASCII digits"))
        }
        _ => format!("1 - {given}"),
    }
}

/// A written number with a `+` before it when it is above zero (as written: `+0.00` is not).
pub fn signed(text: &str) -> String {
    let above = !text.starts_with('-') && text.chars().any(|c| ('1'..='9').contains(&c));
    if above {
        format!("+{text}")
    } else {
        text.to_string()
    }
}

fn is_huge(x: f64) -> bool {
    x.is_finite() && x.abs() >= HUGE
}

fn is_tiny(x: f64) -> bool {
    x != 0.0 && x.abs() < TINY
}

/// `x` with `places` decimals (negative: rounded to tens, hundreds...), thousands separated. A
/// number the files hold as zero is `0`; one that only rounds to zero here keeps its decimals
/// and loses its sign (`0.00`, never `-0.00`); no value is a dash.
fn fixed(x: f64, places: i32) -> String {
    if filed(x) == 0.0 {
        return "0".into();
    }
    digits(x, places)
}

/// `x` with `places` decimals, as [`fixed`] but an exact zero too (`0.00`). It is rounded from
/// the number as the files write it (`output::format_number`), in decimal and with halves away
/// from zero as the files round: the screen, which has the replications' own mean
/// (45.49999999999999 from a running mean), writes what the report, reading 45.5 from
/// summary.csv, writes (never `45` on one and `46` on the other), and a file's 0.35 or 5.25 is
/// written 0.4 or 5.3 with one decimal, as whoever rounds the file's digits would write it (the
/// binary 0.35 is a little less than 0.35, and 5.25 is an exact half).
fn digits(x: f64, places: i32) -> String {
    if !x.is_finite() {
        return NONE.into();
    }
    let text = crate::output::format_number(x);
    let negative = text.starts_with('-');
    let rounded = rounded_decimal(text.trim_start_matches('-'), places);
    let nonzero = rounded.chars().any(|c| ('1'..='9').contains(&c));
    separated(negative && nonzero, &rounded)
}

/// The decimal `text` (digits with at most one point, no sign) rounded to `places` decimals, or
/// with `places` below zero to tens, hundreds...; halves away from zero. It has exactly
/// `max(places, 0)` decimals.
fn rounded_decimal(text: &str, places: i32) -> String {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let decimals = places.max(0) as usize;
    let mut kept: Vec<u8> = whole.bytes().chain(fraction.bytes()).collect();
    let cut = whole.len() as i64 + i64::from(places);
    let Ok(cut) = usize::try_from(cut) else {
        // Tens or more rounded away from a number below a tenth of them: less than half.
        return "0".into();
    };
    let up = kept.get(cut).is_some_and(|d| *d >= b'5');
    kept.resize(cut, b'0');
    let mut whole_len = whole.len();
    if up {
        let mut carry = true;
        for d in kept.iter_mut().rev() {
            if *d == b'9' {
                *d = b'0';
            } else {
                *d += 1;
                carry = false;
                break;
            }
        }
        if carry {
            kept.insert(0, b'1');
            whole_len += 1;
        }
    }
    // The tens, hundreds... a negative `places` rounded away are zeros of the whole part.
    kept.resize(whole_len + decimals, b'0');
    let digits = String::from_utf8(kept).expect("decimal digits");
    let (whole, fraction) = digits.split_at(whole_len);
    // Tens rounded away from a number below ten leave no digit but zeros: `0`, not `00`.
    let whole = match whole.trim_start_matches('0') {
        "" => "0",
        significant => significant,
    };
    if decimals == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{fraction}")
    }
}

/// The digits of a number (`1234567.5`) with a comma between each group of three of its whole
/// part, and a minus sign if `negative`.
fn separated(negative: bool, text: &str) -> String {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let mut out = String::with_capacity(text.len() + whole.len() / 3 + 1);
    if negative {
        out.push('-');
    }
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rounding to the digits an interval supports never writes a figure outside the range it
    /// was clamped to, and a whole-number setting keeps its units.
    #[test]
    fn a_rounded_figure_stays_within_its_range() {
        let w = estimate(500_001.0, 1.0, 1_000_000.0, (1.0, 1_000_000.0));
        assert_eq!((w.low.as_str(), w.high.as_str()), ("1", "1,000,000"));
        let w = setting_estimate(500_001.0, 0.0, 1_000_000.0, (0.0, 1_000_000.0), true);
        assert_eq!(w.value, "500,001");
        let w = setting_estimate(500_001.0, 0.0, 1_000_000.0, (0.0, 1_000_000.0), false);
        assert_eq!(w.value, "500,000");
        let w = estimate(0.024, 0.001, 0.1047, (0.001, 0.2));
        assert_eq!((w.low.as_str(), w.high.as_str()), ("0.001", "0.105"));
        // Below 0.001, significant digits, as many as keep the ends within the range.
        let range = (0.000123456789, 0.000987654321);
        let w = setting_estimate(0.00096, range.0, range.1, range, false);
        assert_eq!(w.with_interval(), "0.00096 [0.000123457, 0.000987654]");
        let range = (0.0001234564, 0.0002);
        let w = setting_estimate(0.00015, range.0, range.1, range, false);
        assert_eq!(w.low, "0.0001234564");
    }

    const FRACTION: (f64, f64) = (0.0, 1.0);
    const COUNT: (f64, f64) = (0.0, f64::INFINITY);

    fn all(w: &Written) -> String {
        w.with_interval()
    }

    /// What the screen writes of a value is what the report writes of the file's number: at the
    /// edges of the files' rounding (around a billion, where the product `x * 1e6` is itself
    /// rounded; huge; negative; tiny; halves of a millionth), with every number of decimals.
    #[test]
    fn a_figure_is_the_number_its_file_holds() {
        let values = [
            999_999_999.999_999_5,
            1_000_000_000.022_656_4,
            -1_000_000_000.022_656_4,
            1_234_567_890.123_456_7,
            4_463_683_901.429_461_5,
            1e9 + 0.007_812_5,
            -0.007_812_5,
            8_589_934_591.999_999,
            1e15 + 0.125,
            1.234_565e15,
            1e21,
            -0.000_000_5,
            0.000_000_6,
            2.5,
            45.499_999_999_999_99,
        ];
        for x in values {
            let file: f64 = crate::output::format_number(x).parse().unwrap();
            assert_eq!(number(x), number(file), "{x:e}");
            for places in -3..=MAX_DECIMALS {
                assert_eq!(digits(x, places), digits(file, places), "{x:e} at {places}");
            }
            let (low, high) = (x - 1e-5, x + 1e-5);
            let (file_low, file_high): (f64, f64) = (
                crate::output::format_number(low).parse().unwrap(),
                crate::output::format_number(high).parse().unwrap(),
            );
            assert_eq!(
                all(&estimate(x, low, high, ANY)),
                all(&estimate(file, file_low, file_high, ANY)),
                "{x:e}"
            );
        }
    }

    #[test]
    fn an_interval_shows_two_digits_of_its_width() {
        // The defect this rule mends: 0.0268 [0.0244, 0.0443] read "0.03 [0.02, 0.04]".
        assert_eq!(
            all(&estimate(0.0268, 0.0244, 0.0443, FRACTION)),
            "0.027 [0.024, 0.044]"
        );
        assert_eq!(
            all(&estimate(0.034369, 0.024417, 0.04432, FRACTION)),
            "0.034 [0.024, 0.044]"
        );
        assert_eq!(all(&estimate(7.92, 7.83, 8.01, COUNT)), "7.92 [7.83, 8.01]");
        assert_eq!(
            all(&estimate(571.17, 529.89, 612.45, COUNT)),
            "571 [530, 612]"
        );
        // Wide intervals round the value too: its units digit is not known.
        assert_eq!(
            all(&estimate(1254.32, 1061.57, 1447.08, COUNT)),
            "1,250 [1,060, 1,450]"
        );
        assert_eq!(
            estimate(1254.32, 1061.57, 1447.08, COUNT).alike(1452.0),
            "1,450"
        );
        // A narrow interval of a large number keeps what it supports, no more than six decimals.
        assert_eq!(
            all(&estimate(7.919819, 7.919818, 7.91982, COUNT)),
            "7.919819 [7.919818, 7.919820]"
        );
    }

    #[test]
    fn a_mean_is_written_from_the_digits_the_files_keep() {
        // Ten replications' slips averaged as they come: a hair below the 45.5 of summary.csv.
        let mut running = 0.0;
        for (i, x) in [44.0, 36.0, 64.0, 61.0, 44.0, 35.0, 52.0, 52.0, 20.0, 47.0]
            .into_iter()
            .enumerate()
        {
            running += (x - running) / (i + 1) as f64;
        }
        assert_ne!(running, 45.5);
        let screen = estimate(running, 36.189667, 54.810333, COUNT);
        let report = estimate(45.5, 36.189667, 54.810333, COUNT);
        assert_eq!(all(&screen), all(&report));
        assert_eq!(screen.alike(running), report.alike(45.5));
        assert_eq!(number(running), number(45.5));
        assert_eq!(number(6.999_999_999_9), "7");
    }

    #[test]
    fn the_estimate_is_told_from_a_bound_it_differs_from() {
        // At the width's two digits the value would read as its lower bound.
        assert_eq!(
            all(&estimate(0.101, 0.1, 0.9, FRACTION)),
            "0.101 [0.100, 0.900]"
        );
        // An exact zero is 0; a value that is not zero never reads as the bound 0.
        assert_eq!(all(&estimate(0.33, 0.0, 1.19, COUNT)), "0.3 [0, 1.2]");
        assert_eq!(all(&estimate(0.002, 0.0, 0.3, COUNT)), "0.002 [0, 0.300]");
        // An estimate that is its bound stays so.
        assert_eq!(all(&estimate(1.0, 0.2, 1.0, FRACTION)), "1.00 [0.20, 1.00]");
    }

    #[test]
    fn bounds_stay_in_the_metric_range() {
        assert_eq!(
            all(&estimate(0.05, -0.03, 0.13, FRACTION)),
            "0.05 [0, 0.13]"
        );
        assert_eq!(
            all(&estimate(0.97, 0.9, 1.04, FRACTION)),
            "0.97 [0.90, 1.00]"
        );
        assert_eq!(all(&estimate(0.4, -2.0, 2.8, COUNT)), "0.4 [0, 2.8]");
        let w = estimate(-0.2, -1.0, 0.6, COUNT);
        assert_eq!((w.value.as_str(), w.low.as_str()), ("0", "0"));
    }

    #[test]
    fn a_bound_never_reads_as_the_threshold_it_misses() {
        let w = estimate(44.0, 40.0, 48.004, (0.0, f64::INFINITY));
        assert_eq!(w.high, "48.0");
        let w = w.apart_from(48.0);
        assert_eq!((w.value.as_str(), w.high.as_str()), ("44.000", "48.004"));
        // Apart already, or equal: as it was.
        assert_eq!(estimate(0.9, 0.65, 0.9, ANY).apart_from(0.5).low, "0.65");
        assert_eq!(estimate(0.5, 0.4, 0.5, ANY).apart_from(0.5).high, "0.50");
    }

    #[test]
    fn zero_width_intervals_keep_the_value_digits() {
        assert_eq!(all(&estimate(200.0, 200.0, 200.0, COUNT)), "200 [200, 200]");
        assert_eq!(all(&estimate(0.0, 0.0, 0.0, COUNT)), "0 [0, 0]");
        assert_eq!(
            all(&estimate(7.9198, 7.9198, 7.9198, COUNT)),
            "7.92 [7.92, 7.92]"
        );
        // Bounds a last bit apart, which the files write alike, are a width of zero.
        let (low, high) = (11.5 - 4.0 * f64::EPSILON, 11.5 + 8.0 * f64::EPSILON);
        assert_eq!(all(&estimate(11.5, low, high, COUNT)), "11.5 [11.5, 11.5]");
        assert_eq!(
            all(&estimate(11.5, 11.499_999_4, 11.500_000_6, COUNT)),
            "11.500000 [11.499999, 11.500001]"
        );
    }

    #[test]
    fn negative_values_and_differences() {
        let d = estimate(-17.5, -20.14, -14.86, ANY);
        assert_eq!(all(&d), "-17.5 [-20.1, -14.9]");
        assert_eq!(d.signed(), "-17.5");
        let d = estimate(0.438926, -0.27, 1.16, ANY);
        assert_eq!(
            (d.signed(), d.interval()),
            ("+0.4".into(), "[-0.3, 1.2]".into())
        );
        // Never a minus sign on a number that rounds to zero.
        assert_eq!(estimate(-0.001, -0.5, 0.5, ANY).value, "0.0");
        assert_eq!(signed("0.00"), "0.00");
        assert_eq!(signed("0"), "0");
        assert_eq!(number(-0.0), "0");
    }

    #[test]
    fn huge_values_are_scientific() {
        let w = estimate(1.5e15, 1.4e15, 1.6e15, COUNT);
        assert_eq!(all(&w), "1.50e15 [1.40e15, 1.60e15]");
        assert_eq!(number(3.2e20), "3.20e20");
        assert_eq!(setting(1e300), "1e300");
        assert_eq!(setting(5e-324), "5e-324");
        // Below that, every digit is grouped.
        assert_eq!(number(123_456_789_012.0), "123,456,789,012");
    }

    #[test]
    fn nan_and_infinity_are_a_dash() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(number(bad), "-");
            assert_eq!(setting(bad), "-");
            let w = estimate(1.0, bad, 2.0, ANY);
            assert_eq!((w.value.as_str(), w.interval()), ("1", "-".to_string()));
            let w = estimate(bad, 0.5, 2.0, COUNT);
            assert_eq!(w.value, "-");
            assert_eq!(w.interval(), "[0.5, 2.0]");
            let w = estimate(bad, bad, bad, COUNT);
            assert_eq!(all(&w), "-");
            assert_eq!(w.alike(bad), "-");
        }
        // An interval upside down is none.
        assert_eq!(estimate(1.0, 2.0, 0.0, ANY).interval(), "-");
        for text in [
            all(&estimate(f64::MAX, 0.0, f64::INFINITY, ANY)),
            all(&estimate(f64::MAX, f64::MIN, f64::MAX, ANY)),
            all(&estimate(1e-300, 0.0, 1e-300, ANY)),
        ] {
            assert!(!text.contains("NaN") && !text.contains("inf"), "{text}");
        }
    }

    /// A figure is the file's digits rounded in decimal, halves away from zero as the files
    /// round: never the binary value's own rounding, which takes 0.35 (a little less in binary)
    /// down and an exact half to the even digit.
    #[test]
    fn a_file_half_rounds_away_from_zero() {
        for (x, places, want) in [
            (0.35, 1, "0.4"),
            (0.25, 1, "0.3"),
            (-0.25, 1, "-0.3"),
            (2.675, 2, "2.68"),
            (5.25, 1, "5.3"),
            (9.96, 1, "10.0"),
            (999.95, 1, "1,000.0"),
            (1234.5, -1, "1,230"),
            (1235.0, -1, "1,240"),
            (50.0, -2, "100"),
            (49.9, -2, "0"),
            (5.0, -2, "0"),
            (0.0000005, 6, "0.000001"),
            (7.0, 2, "7.00"),
            (-0.04, 1, "0.0"),
            (1_234_567_890.123_456_5, 3, "1,234,567,890.123"),
        ] {
            assert_eq!(digits(x, places), want, "{x} with {places} decimals");
        }
    }

    /// Against whole-number arithmetic: every value of three decimals from -20 to 20, rounded to
    /// 0, 1 and 2 decimals and to tens, is the nearest multiple of the unit, halves away from zero.
    #[test]
    fn rounding_in_decimal_matches_whole_number_arithmetic() {
        for thousandths in -20_000i64..=20_000 {
            let x = thousandths as f64 / 1000.0;
            for places in [-1i32, 0, 1, 2] {
                let unit = 10i64.pow((3 - places) as u32);
                let units = (thousandths.abs() * 2 + unit) / (2 * unit);
                let magnitude = units * 10i64.pow(places.min(0).unsigned_abs());
                let decimals = places.max(0) as usize;
                let digits_of = magnitude.to_string();
                let want_abs = if decimals == 0 {
                    digits_of
                } else {
                    let padded = format!("{magnitude:0>width$}", width = decimals + 1);
                    let (whole, fraction) = padded.split_at(padded.len() - decimals);
                    format!("{whole}.{fraction}")
                };
                let sign = if thousandths < 0 && magnitude != 0 {
                    "-"
                } else {
                    ""
                };
                let want = format!("{sign}{want_abs}");
                assert_eq!(digits(x, places), want, "{x} with {places} decimals");
            }
        }
    }

    #[test]
    fn lone_numbers_have_three_significant_digits() {
        assert_eq!(number(6000.0), "6,000");
        assert_eq!(number(1234567.4), "1,234,567");
        assert_eq!(number(15.25), "15.3");
        assert_eq!(number(0.0268), "0.0268");
        assert_eq!(number(0.126), "0.126");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(0.95), "0.95");
        assert_eq!(number(7.00371), "7.00");
        assert_eq!(number(-0.10001), "-0.100");
        // A difference past the six decimals the files keep is none: -0.1 as summary.csv has it.
        assert_eq!(number(-0.1000001), "-0.1");
        assert_eq!(number(-17.5), "-17.5");
        assert_eq!(number(-0.001), "-0.001");
        assert_eq!(number(1e-9), "1.00e-9");
    }

    #[test]
    fn shares_are_percentages_with_their_intervals() {
        use crate::stats::Share;
        let alone = |share: f64| Share {
            share,
            low: f64::NAN,
            high: f64::NAN,
        };
        assert_eq!(share(&alone(0.75)), "75%");
        assert_eq!(share(&alone(1.0 / 3.0)), "33.3%");
        assert_eq!(share(&alone(2.0 / 3.0)), "66.7%");
        assert_eq!(share(&alone(0.005)), "0.5%");
        assert_eq!(share(&alone(1.0)), "100%");
        assert_eq!(share(&alone(f64::NAN)), NONE);
        let with = |share: f64, low: f64, high: f64| Share { share, low, high };
        assert_eq!(share(&with(0.75, 0.523, 0.981)), "75% [52%, 98%]");
        assert_eq!(
            share(&with(0.8131, 0.8091, 0.8172)),
            "81.31% [80.91%, 81.72%]"
        );
        assert_eq!(share(&with(0.98, 0.9, 1.0)), "98% [90%, 100%]");
        assert_eq!(share(&with(0.02, 0.0, 0.1)), "2% [0%, 10%]");
        // Alone, the same figure: a chart's label of 37.5% [0%, 100%] reads 40%, as its legend.
        assert_eq!(share(&with(0.375, 0.0, 1.0)), "40% [0%, 100%]");
        assert_eq!(share_alone(&with(0.375, 0.0, 1.0)), "40%");
        assert_eq!(share_alone(&alone(1.0 / 3.0)), "33.3%");
        assert_eq!(share_alone(&alone(f64::NAN)), NONE);
    }

    #[test]
    fn settings_keep_every_digit_given() {
        assert_eq!(setting(0.001), "0.001");
        assert_eq!(setting(0.1), "0.1");
        assert_eq!(setting(1500.0), "1,500");
        assert_eq!(setting(-2.5), "-2.5");
    }

    /// `select`'s probability is 1 - alpha on alpha's digits: never a certainty it is not.
    #[test]
    fn a_complement_is_exact_on_the_digits_given() {
        assert_eq!(complement(0.05), "0.95");
        assert_eq!(complement(0.07), "0.93");
        assert_eq!(complement(0.5), "0.5");
        assert_eq!(complement(0.25), "0.75");
        assert_eq!(complement(0.0001), "0.9999");
        assert_eq!(complement(0.0000005), "0.9999995");
        assert_eq!(complement(0.123456789), "0.876543211");
        assert_eq!(complement(1e-7), "1 - 1e-7");
        assert_eq!(complement(1e-300), "1 - 1e-300");
        assert_eq!(complement(5e-324), "1 - 5e-324");
        assert_eq!(complement(f64::NAN), NONE);
    }
}
