//! CSV files built in memory cell by cell: each value is written straight into the file's text,
//! never into a `String` of its own, and integers, dates and the usual numbers without the
//! formatting machinery (a run's detail files hold hundreds of thousands of cells).

use std::io::Write;

use crate::date::Date;
use crate::engine::{DAY, HOUR, MINUTE, SimTime};
use crate::model::MetricValue;

const IN_MEMORY: &str = "writing to memory cannot fail";

/// A CSV file being built: a header, then rows written `cell` by `cell`, each closed by
/// `end_row`. Each cell's text is written straight into the file's text; a cell holding a comma,
/// a quote or a line break is then quoted as the `csv` crate quotes it (and its readers expect).
pub struct CsvBuilder {
    text: Vec<u8>,
    /// Cells in the header, which every row must have.
    columns: usize,
    /// Cells written so far in the current row.
    cells: usize,
}

impl CsvBuilder {
    pub fn new<S: AsRef<str>>(header: impl IntoIterator<Item = S>) -> CsvBuilder {
        let mut csv = CsvBuilder {
            text: Vec::with_capacity(1 << 16),
            columns: 0,
            cells: 0,
        };
        for name in header {
            csv.cell(name.as_ref());
        }
        csv.columns = csv.cells;
        csv.end_row();
        csv
    }

    /// Appends one cell to the current row.
    pub fn cell<C: Cell>(&mut self, value: C) -> &mut CsvBuilder {
        if self.cells > 0 {
            self.text.push(b',');
        }
        self.cells += 1;
        let start = self.text.len();
        value.write(&mut self.text);
        if !C::NEVER_QUOTED && self.text[start..].iter().any(|&b| needs_quotes(b)) {
            let cell = self.text.split_off(start);
            self.text.push(b'"');
            for b in cell {
                if b == b'"' {
                    self.text.push(b'"');
                }
                self.text.push(b);
            }
            self.text.push(b'"');
        }
        self
    }

    /// Appends a cell per value to the current row.
    pub fn cells<C: Cell>(&mut self, values: impl IntoIterator<Item = C>) -> &mut CsvBuilder {
        for value in values {
            self.cell(value);
        }
        self
    }

    /// Closes the current row, which must have as many cells as the header.
    pub fn end_row(&mut self) {
        assert_eq!(
            self.cells, self.columns,
            "a CSV row has as many cells as its header"
        );
        self.text.push(b'\n');
        self.cells = 0;
    }

    pub fn finish(self) -> Vec<u8> {
        assert_eq!(self.cells, 0, "a CSV file ends with a whole row");
        self.text
    }
}

/// Whether a cell holding `byte` is quoted: the `csv` crate's rule with its defaults (`,`
/// delimiter, `"` quote doubled, `\n` terminator; a `\r` is quoted too, as its reader ends a
/// record at one).
fn needs_quotes(byte: u8) -> bool {
    matches!(byte, b',' | b'"' | b'\r' | b'\n')
}

/// A value as the text of a CSV cell.
pub trait Cell {
    /// Whether the text never holds a byte that is quoted (numbers, dates), so that it need
    /// not be looked at.
    const NEVER_QUOTED: bool = false;

    /// Appends the value's text (UTF-8) to `out`.
    fn write(self, out: &mut Vec<u8>);
}

macro_rules! integer_cells {
    ($($t:ty),*) => {$(
        impl Cell for $t {
            const NEVER_QUOTED: bool = true;

            fn write(self, out: &mut Vec<u8>) {
                out.extend_from_slice(itoa::Buffer::new().format(self).as_bytes());
            }
        }
    )*};
}
integer_cells!(u8, u16, u32, u64, usize, i32, i64);

/// A measured number: see [`write_number`].
impl Cell for f64 {
    const NEVER_QUOTED: bool = true;

    fn write(self, out: &mut Vec<u8>) {
        write_number(out, self);
    }
}

impl Cell for bool {
    const NEVER_QUOTED: bool = true;

    fn write(self, out: &mut Vec<u8>) {
        out.extend_from_slice(if self { b"true" } else { b"false" });
    }
}

impl Cell for &str {
    fn write(self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_bytes());
    }
}

impl Cell for &String {
    fn write(self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_bytes());
    }
}

impl Cell for Date {
    const NEVER_QUOTED: bool = true;

    fn write(self, out: &mut Vec<u8>) {
        match self.iso_bytes() {
            Some(text) => out.extend_from_slice(&text),
            None => write!(out, "{self}").expect(IN_MEMORY),
        }
    }
}

impl Cell for MetricValue {
    const NEVER_QUOTED: bool = true;

    fn write(self, out: &mut Vec<u8>) {
        match self {
            MetricValue::Integer(n) => n.write(out),
            MetricValue::Number(x) => x.write(out),
        }
    }
}

/// No value: an empty cell.
impl<T: Cell> Cell for Option<T> {
    const NEVER_QUOTED: bool = T::NEVER_QUOTED;

    fn write(self, out: &mut Vec<u8>) {
        if let Some(value) = self {
            value.write(out);
        }
    }
}

/// A time of the simulation as the date and time to the minute it falls on, `YYYY-MM-DDTHH:MM`,
/// counting from the programme's first day.
#[derive(Clone, Copy, Debug)]
pub struct DateTime {
    pub start: Date,
    pub time: SimTime,
}

impl Cell for DateTime {
    const NEVER_QUOTED: bool = true;

    fn write(self, out: &mut Vec<u8>) {
        let within = self.time.ticks() % DAY;
        let (hours, minutes) = (within / HOUR, within % HOUR / MINUTE);
        let digit = |n: u64| b'0' + (n % 10) as u8;
        Cell::write(self.start.add_days(self.time.day() as i64), out);
        out.extend_from_slice(&[
            b'T',
            digit(hours / 10),
            digit(hours),
            b':',
            digit(minutes / 10),
            digit(minutes),
        ]);
    }
}

/// Formats a number for CSV: integers without a decimal point, other values rounded to six
/// decimals, and NaN or infinity as an empty cell (no reader agrees on how to spell them).
pub fn format_number(x: f64) -> String {
    text_of(x)
}

/// A value's text as a cell holds it (before quoting), where one is wanted on its own.
pub fn text_of(value: impl Cell) -> String {
    let mut text = Vec::new();
    value.write(&mut text);
    String::from_utf8(text).expect("cells are written as UTF-8")
}

/// Appends `x` to `out` as [`format_number`] writes it: the shortest decimal that reads back as
/// [`filed`]`(x)`, `x` rounded to six decimals.
pub fn write_number(out: &mut Vec<u8>, x: f64) {
    if !x.is_finite() {
        return;
    }
    let millionths = millionths(x);
    if millionths == 0.0 {
        out.push(b'0');
        return;
    }
    if millionths.abs() < 1e15 {
        // The rounded value is the double nearest to `millionths` / 10^6, a decimal of at most
        // 15 significant digits; no other decimal of as few digits is as near to that double (15
        // digits tell doubles apart), so the shortest text that reads back is this decimal's own,
        // and it is written from the exact integer without formatting a float.
        let n = millionths as i64;
        if n < 0 {
            out.push(b'-');
        }
        let (whole, fraction) = (n.unsigned_abs() / 1_000_000, n.unsigned_abs() % 1_000_000);
        out.extend_from_slice(itoa::Buffer::new().format(whole).as_bytes());
        if fraction != 0 {
            let mut digits = *b"000000";
            let mut rest = fraction;
            for d in digits.iter_mut().rev() {
                *d = b'0' + (rest % 10) as u8;
                rest /= 10;
            }
            let used = digits
                .iter()
                .rposition(|&d| d != b'0')
                .map_or(0, |last| last + 1);
            out.push(b'.');
            out.extend_from_slice(&digits[..used]);
        }
        return;
    }
    let rounded = filed(x);
    if rounded.fract() == 0.0 && rounded.abs() < 1e15 {
        out.extend_from_slice(itoa::Buffer::new().format(rounded as i64).as_bytes());
    } else {
        write!(out, "{rounded}").expect(IN_MEMORY);
    }
}

/// The number a file holds of `x`, which [`write_number`] writes and a reader of the file reads
/// back: `x` rounded to six decimals (halves away from zero), zero without a sign. The report and
/// the screen round what they show from this value, so a figure is the file's own. It is
/// idempotent (the value of a file read back is filed as itself), so a file's number is shown as
/// written. NaN and infinity, which a file leaves empty, are returned as they are.
pub fn filed(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let millionths = millionths(x);
    if millionths == 0.0 {
        0.0
    } else if millionths.abs() < 1e15 {
        millionths / 1e6
    } else {
        filed_exactly(x)
    }
}

/// `x` in millionths, rounded as the product of doubles (the rule the files have always kept;
/// below 10^15 millionths it is exact enough that the value filed reads back as itself).
fn millionths(x: f64) -> f64 {
    (x * 1e6).round()
}

/// `x` of a billion or more rounded to six decimals from its exact value: the product `x * 1e6`
/// is itself rounded there, so rounding it again would move a value read back from a file by a
/// millionth each time it is written.
fn filed_exactly(x: f64) -> f64 {
    let bits = x.abs().to_bits();
    let exponent = (bits >> 52) as i32 - 1075;
    if exponent >= 0 {
        // A whole number: it has no decimals to lose.
        return x;
    }
    let mantissa = (bits & ((1 << 52) - 1)) | (1 << 52);
    // |x| = mantissa * 2^exponent with |x| >= 10^9 puts the exponent at -23 or above, so the
    // product and the shift stay well inside 128 bits.
    let shift = (-exponent) as u32;
    let product = u128::from(mantissa) * 1_000_000;
    let mut millionths = product >> shift;
    if product & ((1 << shift) - 1) >= 1 << (shift - 1) {
        millionths += 1;
    }
    let text = format!(
        "{}{}.{:06}",
        if x < 0.0 { "-" } else { "" },
        millionths / 1_000_000,
        millionths % 1_000_000
    );
    // The standard parser rounds a decimal to the nearest double.
    text.parse().expect("a decimal of digits parses")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::CounterRng;
    use rand::Rng;

    /// How numbers were written before they were written digit by digit: the reference.
    fn formatted(x: f64) -> String {
        if !x.is_finite() {
            return String::new();
        }
        let rounded = reference_filed(x);
        if rounded == 0.0 {
            return "0".into();
        }
        if rounded.fract() == 0.0 && rounded.abs() < 1e15 {
            return format!("{}", rounded as i64);
        }
        format!("{rounded}")
    }

    /// `x` rounded to six decimals as written by the float formatter: the product `x * 1e6`
    /// rounded below 10^15 millionths, as files always held, and beyond it the exact decimal
    /// expansion of `x` cut after its sixth decimal and rounded half away from zero.
    fn reference_filed(x: f64) -> f64 {
        let millionths = (x * 1e6).round();
        if millionths.abs() < 1e15 {
            return millionths / 1e6;
        }
        let exact = format!("{:.40}", x.abs());
        let (whole, fraction) = exact.split_once('.').unwrap();
        if fraction.bytes().all(|d| d == b'0') {
            return x;
        }
        let mut kept: u128 = format!("{whole}{}", &fraction[..6]).parse().unwrap();
        if fraction.as_bytes()[6] >= b'5' {
            kept += 1;
        }
        let sign = if x < 0.0 { "-" } else { "" };
        let text = format!("{sign}{}.{:06}", kept / 1_000_000, kept % 1_000_000);
        text.parse().unwrap()
    }

    /// Values at the edges of the rounding: around 10^15 millionths, huge, negative, tiny, and
    /// halves of a millionth (exact in binary where the fraction allows).
    fn edges() -> Vec<f64> {
        let mut values = vec![
            0.0,
            -0.0,
            5e-7,
            4.999_999e-7,
            -5e-7,
            1e-300,
            -1e-300,
            f64::MIN_POSITIVE,
            0.007_812_5,
            -0.007_812_5,
            2.5,
            0.5,
            999_999_999.999_999,
            999_999_999.999_999_5,
            999_999_999.999_999_6,
            1e9,
            1e9 + 0.007_812_5,
            -(1e9 + 0.007_812_5),
            1_000_000_000.022_656_4,
            1_234_567_890.123_456_7,
            4_463_683_901.429_461_5,
            -4_463_683_901.429_461_5,
            8_589_934_591.999_999,
            8_589_934_592.000_001,
            1e15,
            1e15 + 0.125,
            -1e15,
            9_007_199_254_740_993.0,
            1e21,
            -1e21,
            f64::MAX,
            f64::MIN,
        ];
        for x in values.clone() {
            values.push(f64::from_bits(x.to_bits() + 1));
            values.push(f64::from_bits(x.to_bits().saturating_sub(1)));
        }
        values.retain(|x| x.is_finite());
        values
    }

    #[test]
    fn a_file_holds_the_filed_value_which_files_as_itself() {
        let mut rng = CounterRng::new(0x2545_f491_4f6c_dd1d);
        let mut values = edges();
        for _ in 0..200_000 {
            let x = f64::from_bits(rng.next_u64());
            let exponent = (rng.next_u64() % 40) as i32 - 12;
            values.push(x);
            values.push((x.to_bits() >> 11) as f64 / (1u64 << 53) as f64 * 10f64.powi(exponent));
        }
        for x in values.into_iter().filter(|x| x.is_finite()) {
            let text = format_number(x);
            let read: f64 = text.parse().unwrap();
            assert_eq!(read.to_bits(), filed(x).to_bits(), "{x:e} written {text}");
            assert_eq!(
                filed(read).to_bits(),
                read.to_bits(),
                "{x:e} written {text}"
            );
            assert_eq!(format_number(read), text, "{x:e}");
        }
        assert!(filed(f64::NAN).is_nan());
        assert_eq!(filed(f64::INFINITY), f64::INFINITY);
        assert_eq!(filed(-4e-7).to_bits(), 0.0_f64.to_bits());
        assert_eq!(filed(-0.007_812_5), -0.007_813);
        assert_eq!(filed(1e9 + 0.007_812_5), 1_000_000_000.007_813);
    }

    #[test]
    fn numbers_are_plain_and_never_nan() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(1.0 / 3.0), "0.333333");
        assert_eq!(format_number(-2.5), "-2.5");
        assert_eq!(format_number(0.000_000_4), "0");
        assert_eq!(format_number(-0.000_000_6), "-0.000001");
        assert_eq!(format_number(f64::NAN), "");
        assert_eq!(format_number(f64::INFINITY), "");
    }

    #[test]
    fn numbers_are_written_as_the_float_formatter_writes_them() {
        // SplitMix64 over magnitudes from 1e-9 to 1e18, both signs, plus exact decimals of six
        // places, halves of a millionth and integers near the limits of the digit-by-digit path.
        let mut rng = CounterRng::new(0x9e37_79b9_7f4a_7c15);
        let mut next = || rng.next_u64();
        let mut values = edges();
        for _ in 0..300_000 {
            let r = next();
            let unit = (r >> 11) as f64 / (1u64 << 53) as f64;
            let exponent = (next() % 28) as i32 - 9;
            let sign = if r & 1 == 0 { 1.0 } else { -1.0 };
            values.push(sign * unit * 10f64.powi(exponent));
            let decimal = (next() % 2_000_000_000_000) as f64;
            values.push(sign * decimal / 1e6);
            values.push(sign * (decimal + 0.5) / 1e6);
            values.push(f64::from_bits(next()));
        }
        for x in values {
            assert_eq!(format_number(x), formatted(x), "{x:e}");
        }
    }

    #[test]
    fn datetimes_are_iso_to_the_minute() {
        let start = Date::from_ymd(2011, 7, 1).unwrap();
        let text = |time| text_of(DateTime { start, time });
        assert_eq!(text(SimTime::ZERO), "2011-07-01T00:00");
        assert_eq!(
            text(SimTime(2 * DAY + 13 * HOUR + 5 * MINUTE + 59)),
            "2011-07-03T13:05"
        );
        assert_eq!(text(SimTime(DAY - 1)), "2011-07-01T23:59");
    }

    #[test]
    fn cells_are_quoted_as_the_csv_crate_quotes_them() {
        let mut csv = CsvBuilder::new(["a", "b", "c"]);
        csv.cell("x,y")
            .cell(None::<u32>)
            .cell(Some(-3_i64))
            .end_row();
        csv.cell("say \"hi\"").cell(true).cell(0.5).end_row();
        assert_eq!(
            String::from_utf8(csv.finish()).unwrap(),
            "a,b,c\n\"x,y\",,-3\n\"say \"\"hi\"\"\",true,0.5\n"
        );
        // Every string of up to four characters from an alphabet of the bytes that matter.
        let alphabet = ["a", ",", "\"", "\r", "\n", " ", "#", "\\", "é", ""];
        let mut reference = csv::Writer::from_writer(Vec::new());
        let mut ours = CsvBuilder::new(["x", "y"]);
        reference.write_record(["x", "y"]).unwrap();
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    for d in alphabet {
                        let cell = [a, b, c, d].concat();
                        reference.write_record([cell.as_str(), "z"]).unwrap();
                        ours.cell(cell.as_str()).cell("z").end_row();
                    }
                }
            }
        }
        assert_eq!(ours.finish(), reference.into_inner().unwrap());
    }

    #[test]
    #[should_panic(expected = "as many cells as its header")]
    fn a_row_short_of_the_header_is_a_bug() {
        let mut csv = CsvBuilder::new(["a", "b"]);
        csv.cell(1_u32).end_row();
    }
}
