//! What every chart shares: the embedded font, size and palette, axes with our own ticks (dates
//! included), the heading, legend and notes, and rendering one figure to both SVG and PNG.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use plotters::prelude::*;
use plotters::style::register_font;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::glyphs::EvenText;
use super::table::date_of;
use crate::date::Weekday;
use crate::error::Error;
use crate::output;
use crate::scenario::is_markup_forbidden;

/// Every chart's size in pixels: wide enough for a slide, labels readable when shrunk.
pub(super) const SIZE: (u32, u32) = (1200, 700);
/// The family every text is drawn in: DejaVu Sans, embedded and registered under this name.
const FONT: &str = "sans-serif";

pub(super) const TEXT: RGBColor = RGBColor(51, 51, 51);
pub(super) const MUTED: RGBColor = RGBColor(110, 110, 110);
pub(super) const BLUE: RGBColor = RGBColor(78, 121, 167);
pub(super) const ORANGE: RGBColor = RGBColor(242, 142, 43);
pub(super) const RED: RGBColor = RGBColor(225, 87, 89);
pub(super) const DARK_RED: RGBColor = RGBColor(176, 0, 32);
pub(super) const TEAL: RGBColor = RGBColor(118, 183, 178);
pub(super) const GREEN: RGBColor = RGBColor(89, 161, 79);
pub(super) const YELLOW: RGBColor = RGBColor(237, 201, 72);
pub(super) const PURPLE: RGBColor = RGBColor(176, 122, 161);
pub(super) const PINK: RGBColor = RGBColor(255, 157, 167);
pub(super) const BROWN: RGBColor = RGBColor(156, 117, 95);
pub(super) const GREY: RGBColor = RGBColor(186, 176, 172);
/// Colours for series that have no colour of their own, in order.
pub(super) const PALETTE: [RGBColor; 8] = [BLUE, ORANGE, GREEN, RED, PURPLE, BROWN, PINK, TEAL];

pub(super) fn series_colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Registers the embedded DejaVu Sans once per process, so no text depends on system fonts.
fn register_fonts() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // The bytes are a valid TrueType font shipped in the `dejavu` crate; a failure here would
        // only mean text is missing, which the tests catch.
        let _ = register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

pub(super) fn font(size: f64) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).color(&TEXT)
}

pub(super) fn bold(size: f64) -> TextStyle<'static> {
    TextStyle::from((FONT, size, FontStyle::Bold).into_font()).color(&TEXT)
}

/// A chart that can draw itself on any plotters backend.
pub(super) trait Figure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<(), DB>;
}

/// A figure in both formats: SVG text and the PNG's RGB pixels.
pub(super) struct Rendered {
    pub svg: String,
    pub rgb: Vec<u8>,
}

fn drawing_error(name: &str, e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("cannot draw chart {name}: {e}"))
}

pub(super) fn render(name: &str, figure: &impl Figure) -> Result<Rendered, Error> {
    register_fonts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| drawing_error(name, e))?;
        figure.draw(&root).map_err(|e| drawing_error(name, e))?;
        root.present().map_err(|e| drawing_error(name, e))?;
    }
    let svg = xml_text(svg);
    let mut rgb = vec![255u8; (SIZE.0 * SIZE.1 * 3) as usize];
    {
        let root = EvenText::new(BitMapBackend::with_buffer(&mut rgb, SIZE)).into_drawing_area();
        figure.draw(&root).map_err(|e| drawing_error(name, e))?;
        root.present().map_err(|e| drawing_error(name, e))?;
    }
    Ok(Rendered { svg, rgb })
}

/// `svg` with every character XML 1.0 forbids (which plotters passes through from a name as
/// written) replaced by U+FFFD, so the file stays well-formed whatever a scenario or a tampered
/// folder names.
fn xml_text(svg: String) -> String {
    if svg.contains(is_markup_forbidden) {
        svg.replace(is_markup_forbidden, "\u{fffd}")
    } else {
        svg
    }
}

/// PNG bytes of an RGB image of `SIZE`.
fn png_bytes(rgb: &[u8]) -> Result<Vec<u8>, png::EncodingError> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, SIZE.0, SIZE.1);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    // Charts are mostly flat colour, which the Paeth filter predicts well: with the default (not
    // the fast) deflate level, files a third the size of the encoder's defaults for little time.
    encoder.set_filter(png::FilterType::Paeth);
    encoder.set_compression(png::Compression::Default);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(bytes)
}

/// Draws `figure` and writes `charts_dir/name.png` and `charts_dir/name.svg`, each atomically.
pub(super) fn write_chart(
    charts_dir: &Path,
    name: &str,
    figure: &impl Figure,
) -> Result<Vec<PathBuf>, Error> {
    let rendered = render(name, figure)?;
    let png = png_bytes(&rendered.rgb).map_err(|e| drawing_error(name, e))?;
    let png_path = charts_dir.join(format!("{name}.png"));
    let svg_path = charts_dir.join(format!("{name}.svg"));
    output::write_atomic(&png_path, &png)?;
    output::write_atomic(&svg_path, rendered.svg.as_bytes())?;
    Ok(vec![png_path, svg_path])
}

/// How an axis labels its ticks.
#[derive(Clone, Debug)]
enum Labels {
    Number {
        decimals: usize,
    },
    Percent {
        decimals: usize,
    },
    /// Days since 1970-01-01, labelled as dates at the given granularity.
    Time(TimeStep),
    /// Days since 1970-01-01, labelled as offsets from the day number T they hold (`T-21`,
    /// `T-6h`), as a programme's phases are.
    FromT(f64),
    Categories(Vec<String>),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum TimeStep {
    Hours,
    Days,
    Weeks,
    Months,
    Years,
}

/// One axis: a linear range with ticks chosen here (plotters' own key points know nothing of
/// calendars), and how to label them.
#[derive(Clone, Debug)]
pub(super) struct Axis {
    range: Range<f64>,
    ticks: Vec<f64>,
    labels: Labels,
}

/// Largest magnitude a numeric axis shows: data beyond it (a damaged or edited file can hold
/// `1e308`) is drawn at the edge, so the span and the ticks stay finite and few.
const NUMERIC_LIMIT: f64 = 1e15;
/// Days since 1970-01-01 a time axis may show: the years 1870 to 2170.
const TIME_LIMIT: (f64, f64) = (-36_525.0, 73_050.0);

/// A range that can be drawn: within `limit`, finite and not empty (`fallback` when there is no
/// data at all). Which ends are values is decided before clamping: clamped first, an infinite
/// end would pass for the limit, and `bounds` of no data, (+inf, -inf), for the whole limit
/// upside down. A range upside down bounds nothing, as no data.
fn usable(lo: f64, hi: f64, limit: (f64, f64), fallback: (f64, f64)) -> (f64, f64) {
    let clamp = |x: f64| x.clamp(limit.0, limit.1);
    let (lo, hi) = match (lo.is_finite(), hi.is_finite()) {
        (true, true) if lo <= hi => (clamp(lo), clamp(hi)),
        (true, false) => (clamp(lo), clamp(lo) + 1.0),
        (false, true) => (clamp(hi) - 1.0, clamp(hi)),
        _ => return fallback,
    };
    if hi > lo {
        (lo, hi)
    } else {
        (
            lo - 0.5f64.max(lo.abs() * 0.05),
            hi + 0.5f64.max(hi.abs() * 0.05),
        )
    }
}

/// No bounds: values of any sign and size.
pub(super) const UNBOUNDED: (f64, f64) = (f64::NEG_INFINITY, f64::INFINITY);

/// `lo..hi` moved (not shrunk) inside `feasible` where it pokes out on one side, and cut to it
/// where it is wider: a range widened around a flat series at the edge of what a metric can
/// take (0 slips) then lies on the feasible side.
fn inside(lo: f64, hi: f64, (floor, ceiling): (f64, f64)) -> (f64, f64) {
    if floor.is_nan() || ceiling.is_nan() || floor >= ceiling {
        return (lo, hi);
    }
    let (lo, hi) = if lo < floor {
        (floor, hi + (floor - lo))
    } else if hi > ceiling {
        (lo - (hi - ceiling), ceiling)
    } else {
        (lo, hi)
    };
    (lo.max(floor), hi.min(ceiling))
}

/// The share of the data's span `Axis::padded` leaves free beyond each end of the data.
const PADDING: f64 = 0.1;

/// A "nice" step (1, 2 or 5 times a power of ten) giving about `target` intervals over `span`.
fn nice_step(span: f64, target: f64) -> f64 {
    let raw = span / target;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    if step.is_finite() && step > 0.0 {
        step
    } else {
        1.0
    }
}

fn decimals_for(step: f64) -> usize {
    if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    }
}

impl Axis {
    /// A numeric axis covering `lo..hi`, widened to whole ticks.
    pub(super) fn numeric(lo: f64, hi: f64) -> Axis {
        Axis::numeric_in_steps_of(lo, hi, 0.0, UNBOUNDED)
    }

    /// An axis over `values` (means and the ends of their intervals) with a tenth of their span
    /// free on each side, so no point or interval cap is drawn on the frame, and ending there,
    /// not at the next round tick past it (up to a quarter further), which would make the data
    /// look smaller than they are; never outside `feasible`: a value beyond it (an interval
    /// below zero in an unclamped file) counts as its edge, and a metric that cannot go negative
    /// gets no negative axis, even when every value is the same (0 slips). The charts of means
    /// with intervals (a comparison's policies, a sweep's cells) and every count or amount drawn
    /// from zero ([`Axis::counts`]) end this way.
    pub(super) fn padded(values: impl IntoIterator<Item = f64>, feasible: (f64, f64)) -> Axis {
        Axis::padded_in_steps_of(values, 0.0, feasible)
    }

    /// [`Axis::padded`] with ticks at least `min_step` apart (1 for counts).
    fn padded_in_steps_of(
        values: impl IntoIterator<Item = f64>,
        min_step: f64,
        feasible: (f64, f64),
    ) -> Axis {
        // A range upside down (or NaN) bounds nothing.
        let feasible = if feasible.0 <= feasible.1 {
            feasible
        } else {
            UNBOUNDED
        };
        let (floor, ceiling) = feasible;
        let (lo, hi) = bounds(values.into_iter().map(|v| v.clamp(floor, ceiling)));
        if lo > hi {
            // No value at all: the unit range, as for an empty numeric axis.
            return Axis::numeric_in_steps_of(f64::NAN, f64::NAN, min_step, feasible);
        }
        let pad = if hi > lo { (hi - lo) * PADDING } else { 0.0 };
        let (lo, hi) = usable(
            (lo - pad).max(floor),
            (hi + pad).min(ceiling),
            (-NUMERIC_LIMIT, NUMERIC_LIMIT),
            (0.0, 1.0),
        );
        let (lo, hi) = inside(lo, hi, feasible);
        // Ends that are not ticks waste no room, so the finest step of at most eight intervals:
        // four to nine ticks on the axis, the highest within a step of its end.
        let step = nice_step(hi - lo, 8.0).max(min_step);
        Axis::ticked(lo, hi, step, feasible)
    }

    /// An axis of whole numbers (slips, operators, a close-up of tenants) over `[lo, hi]`, not
    /// necessarily from zero, within `feasible`: ticks on whole numbers only, never at half a slip.
    pub(super) fn whole_numbers(lo: f64, hi: f64, feasible: (f64, f64)) -> Axis {
        Axis::numeric_in_steps_of(lo, hi, 1.0, feasible)
    }

    /// A numeric axis whose ticks are at least `min_step` apart (1 for counts: no half tenants),
    /// widened to whole ticks, cut at the ends of `feasible`.
    fn numeric_in_steps_of(lo: f64, hi: f64, min_step: f64, feasible: (f64, f64)) -> Axis {
        let (lo, hi) = usable(lo, hi, (-NUMERIC_LIMIT, NUMERIC_LIMIT), (0.0, 1.0));
        let (lo, hi) = inside(lo, hi, feasible);
        let step = Axis::step_for(lo, hi, min_step);
        Axis::ticked(
            (lo / step).floor() * step,
            (hi / step).ceil() * step,
            step,
            feasible,
        )
    }

    /// The step, of those giving four to eight intervals over `lo..hi` and at least `min_step`,
    /// that wastes the least room once the ends are widened to whole steps.
    fn step_for(lo: f64, hi: f64, min_step: f64) -> f64 {
        let widen = |step: f64| ((lo / step).floor() * step, (hi / step).ceil() * step);
        [4.0, 5.0, 6.0, 7.0, 8.0]
            .into_iter()
            .map(|target| nice_step(hi - lo, target).max(min_step))
            .min_by(|a, b| {
                let (wa, wb) = (widen(*a), widen(*b));
                (wa.1 - wa.0).total_cmp(&(wb.1 - wb.0)).then(a.total_cmp(b))
            })
            .unwrap_or(1.0)
    }

    /// The axis `lo..hi` cut at the ends of `feasible`, with a tick at every multiple of `step`
    /// on it.
    fn ticked(lo: f64, hi: f64, step: f64, feasible: (f64, f64)) -> Axis {
        // The first multiple of the step at or above lo: lo itself when it is one (a widened
        // end), never the next one through rounding.
        let first = (lo / step - 1e-9).ceil() * step;
        let ticks = (0..)
            .map(|i| first + f64::from(i) * step)
            .take_while(|t| *t <= hi + step * 1e-9)
            .filter(|t| *t >= feasible.0 - step * 1e-9 && *t <= feasible.1 + step * 1e-9)
            .collect();
        // Widening to whole ticks must not reach past what the metric can take either.
        let (lo, hi) = (lo.max(feasible.0), hi.min(feasible.1));
        Axis {
            range: lo..hi,
            ticks,
            labels: Labels::Number {
                decimals: decimals_for(step),
            },
        }
    }

    /// A count axis from zero (or below, for negative data) to a tenth of the data's span above
    /// them, as [`Axis::padded`] ends: there is no most to end at.
    pub(super) fn counts(values: impl IntoIterator<Item = f64>) -> Axis {
        Axis::from_zero(values, 1.0, UNBOUNDED)
    }

    /// A count axis as [`Axis::counts`] that ends at `most`, the most there can be (a
    /// scenario's tenants), where the data reach that far: a programme that moves every tenant
    /// fills the frame to its top. Data above `most` (a damaged file) are still shown.
    pub(super) fn counts_up_to(values: impl IntoIterator<Item = f64>, most: f64) -> Axis {
        let values: Vec<f64> = values.into_iter().collect();
        let (_, hi) = bounds(values.iter().copied());
        let ceiling = if hi.is_finite() { most.max(hi) } else { most };
        let feasible = if ceiling.is_finite() && ceiling > 0.0 {
            (f64::NEG_INFINITY, ceiling)
        } else {
            UNBOUNDED
        };
        Axis::from_zero(values, 1.0, feasible)
    }

    /// An axis of amounts that are not counts (terabytes) from zero (or below, for negative
    /// data) as [`Axis::counts`]: steps as fine as the data needs, so half a terabyte is not
    /// drawn on a scale of whole ones.
    pub(super) fn amounts(values: impl IntoIterator<Item = f64>) -> Axis {
        Axis::from_zero(values, 0.0, UNBOUNDED)
    }

    /// From zero (or the data below it) to the data padded as [`Axis::padded`] pads, ticks at
    /// least `min_step` apart, within `feasible`'s ceiling; a unit high (a step, if more) when
    /// there is nothing above zero.
    fn from_zero(
        values: impl IntoIterator<Item = f64>,
        min_step: f64,
        feasible: (f64, f64),
    ) -> Axis {
        let (lo, hi) = bounds(values);
        let lo = if lo.is_finite() { lo.min(0.0) } else { 0.0 };
        let hi = if hi.is_finite() && hi > lo {
            hi.max(lo + min_step)
        } else {
            lo + min_step.max(1.0)
        };
        // The data's lowest end is the floor: the tenth of the span goes above only.
        Axis::padded_in_steps_of([lo, hi], min_step, (lo, feasible.1))
    }

    /// Fractions 0..1 (or less, up to the data) labelled as percentages.
    pub(super) fn fractions(values: impl IntoIterator<Item = f64>) -> Axis {
        let (_, hi) = bounds(values);
        let hi = if hi.is_finite() && hi > 0.0 {
            (hi * 1.1).min(1.0)
        } else {
            1.0
        };
        let mut axis = Axis::numeric(0.0, hi);
        let step = axis.ticks.get(1).map_or(0.1, |t| t - axis.ticks[0]);
        axis.labels = Labels::Percent {
            decimals: decimals_for(step * 100.0),
        };
        axis
    }

    /// A time axis over days since 1970-01-01 (fractions are times of day), with ticks on whole
    /// hours, days, Mondays, months or years depending on the span.
    pub(super) fn time(lo: f64, hi: f64) -> Axis {
        let (lo, hi) = usable(lo, hi, TIME_LIMIT, (15_000.0, 15_007.0));
        let span = hi - lo;
        let (step, ticks) = if span <= 6.0 {
            let hours = if span <= 2.5 { 6.0 } else { 12.0 };
            let every = hours / 24.0;
            let first = (lo / every).ceil() * every;
            let ticks = (0..)
                .map(|i| first + f64::from(i) * every)
                .take_while(|t| *t <= hi + 1e-9)
                .collect();
            (TimeStep::Hours, ticks)
        } else if span <= 16.0 {
            let ticks = (lo.ceil() as i64..=hi.floor() as i64)
                .map(|d| d as f64)
                .collect();
            (TimeStep::Days, ticks)
        } else if span <= 120.0 {
            let ticks = (lo.ceil() as i64..=hi.floor() as i64)
                .filter(|d| date_of(*d as f64).weekday() == Weekday::Monday)
                .map(|d| d as f64)
                .collect();
            (TimeStep::Weeks, ticks)
        } else if span <= 366.0 * 4.0 {
            let months = span / 30.4;
            let every = [1, 2, 3, 6, 12]
                .into_iter()
                .find(|m| months / f64::from(*m) <= 10.0)
                .unwrap_or(12);
            (TimeStep::Months, month_starts(lo, hi, every))
        } else {
            let years = span / 365.25;
            let every = [1, 2, 5, 10, 20, 50, 100]
                .into_iter()
                .find(|y| years / f64::from(*y) <= 10.0)
                .unwrap_or(100);
            (TimeStep::Years, month_starts(lo, hi, 12 * every))
        };
        Axis {
            range: lo..hi,
            ticks,
            labels: Labels::Time(step),
        }
    }

    /// A time axis over `[lo, hi]` (day numbers) with ticks at `ticks`, labelled as offsets
    /// from the day number `t`: a phase's panel read as the programme defines it.
    pub(super) fn from_t(t: f64, lo: f64, hi: f64, ticks: Vec<f64>) -> Axis {
        Axis {
            labels: Labels::FromT(t),
            ..Axis::time(lo, hi).with_ticks(ticks)
        }
    }

    /// One position per name, at 0, 1, ..., labelled with the names (every k-th if crowded).
    pub(super) fn categories(names: Vec<String>, max_labels: usize) -> Axis {
        let n = names.len().max(1);
        let every = n.div_ceil(max_labels.max(1));
        let ticks = (0..names.len())
            .filter(|i| i % every == 0)
            .map(|i| i as f64)
            .collect();
        Axis {
            range: -0.5..n as f64 - 0.5,
            ticks,
            labels: Labels::Categories(names),
        }
    }

    /// The same axis with ticks only at `ticks` (a narrow panel has room for few labels).
    pub(super) fn with_ticks(mut self, ticks: Vec<f64>) -> Axis {
        self.ticks = ticks;
        self
    }

    /// The same axis with every k-th of its ticks, k the smallest that leaves a gap between
    /// the labels of neighbouring ticks over a plot `width` pixels wide, `label_width` telling
    /// how wide a label is: a narrow panel (a close-up, a weekend beside its week of copying)
    /// must not print its dates over each other.
    fn thinned_to_fit(mut self, width: f64, label_width: impl Fn(&str) -> f64) -> Axis {
        let span = self.range.end - self.range.start;
        if self.ticks.len() < 2 || !span.is_finite() || span == 0.0 || width <= 0.0 {
            return self;
        }
        let placed: Vec<(f64, f64)> = self
            .ticks
            .iter()
            .map(|t| {
                (
                    (t - self.range.start) / span * width,
                    label_width(&self.label(*t)),
                )
            })
            .collect();
        let fits = |every: &usize| {
            let kept: Vec<&(f64, f64)> = placed.iter().step_by(*every).collect();
            kept.windows(2)
                .all(|w| (w[1].0 - w[0].0).abs() >= (w[0].1 + w[1].1) / 2.0 + LABEL_GAP)
        };
        let every = (1..=self.ticks.len())
            .find(fits)
            .unwrap_or(self.ticks.len());
        self.ticks = self.ticks.into_iter().step_by(every).collect();
        self
    }

    /// The same axis with its range reversed (first category at the top of a y axis).
    pub(super) fn reversed(mut self) -> Axis {
        self.range = self.range.end..self.range.start;
        self
    }

    pub(super) fn label(&self, v: f64) -> String {
        match &self.labels {
            Labels::Number { decimals } => thousands(v, *decimals),
            Labels::Percent { decimals } => format!("{:.*}%", decimals, v * 100.0),
            Labels::Categories(names) => {
                let i = v.round();
                if i >= 0.0 && (i as usize) < names.len() {
                    names[i as usize].clone()
                } else {
                    String::new()
                }
            }
            Labels::Time(step) => time_label(v, *step),
            Labels::FromT(t) => {
                // To the second: a tick a whole number of days from T is written so, not as
                // 503.99999 hours.
                let hours = ((v - t) * 24.0 * 3600.0).round() / 3600.0;
                crate::scenario::offset_label(hours)
            }
        }
    }
}

/// The finite minimum and maximum of some values (infinite if there are none).
pub(super) fn bounds(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        })
}

fn month_starts(lo: f64, hi: f64, every: u32) -> Vec<f64> {
    let (mut y, mut m, _) = date_of(lo).ymd();
    let mut ticks = Vec::new();
    // Align to a multiple of `every` months within the year so labels look regular.
    loop {
        let index = y * 12 + m as i32 - 1;
        if index.rem_euclid(every as i32) == 0 {
            let Some(start) = crate::date::Date::from_ymd(y, m, 1) else {
                break;
            };
            let day = super::table::day_number(start);
            if day > hi {
                break;
            }
            if day >= lo {
                ticks.push(day);
            }
        }
        if y > 9998 {
            break;
        }
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    ticks
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn weekday_name(day: f64) -> &'static str {
    match date_of(day).weekday() {
        Weekday::Monday => "Mon",
        Weekday::Tuesday => "Tue",
        Weekday::Wednesday => "Wed",
        Weekday::Thursday => "Thu",
        Weekday::Friday => "Fri",
        Weekday::Saturday => "Sat",
        Weekday::Sunday => "Sun",
    }
}

fn time_label(v: f64, step: TimeStep) -> String {
    let (y, m, d) = date_of(v).ymd();
    let month = MONTHS[(m as usize).clamp(1, 12) - 1];
    match step {
        TimeStep::Hours => {
            let minutes = ((v - v.floor()) * 1440.0).round() as u32;
            if minutes == 0 || minutes == 1440 {
                format!("{} {d} {month}", weekday_name(v))
            } else {
                format!("{:02}:{:02}", minutes / 60, minutes % 60)
            }
        }
        TimeStep::Days => format!("{} {d} {month}", weekday_name(v)),
        TimeStep::Weeks => format!("{d} {month} {y}"),
        TimeStep::Months => format!("{month} {y}"),
        TimeStep::Years => format!("{y}"),
    }
}

/// A number with thousands separators and a fixed number of decimals.
pub(super) fn thousands(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let text = format!("{:.*}", decimals, v.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let negative = v < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0');
    let sign = if negative { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

impl Ranged for Axis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let fraction = (value - self.range.start) / (self.range.end - self.range.start);
        // Far-off values still map to somewhere drawable instead of overflowing.
        let fraction = if fraction.is_finite() {
            fraction.clamp(-2.0, 3.0)
        } else {
            0.0
        };
        limit.0 + (f64::from(limit.1 - limit.0) * fraction).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

impl ValueFormatter<f64> for Axis {
    fn format_ext(&self, value: &f64) -> String {
        self.label(*value)
    }
}

pub(super) type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<Axis, Axis>>;

/// Draws the title (bold) and a subtitle (muted) at the top and returns the area below them.
/// Each is made smaller until it fits the width (a long metric or scenario name), and only if
/// it does not fit at the smallest size is it cut, with an ellipsis: text never runs off the
/// chart.
pub(super) fn heading<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
) -> DrawResult<DrawingArea<DB, Shift>, DB> {
    let (top, body) = root.split_vertically(76);
    let room = f64::from(top.dim_in_pixel().0) - 2.0 * HEADING_INDENT;
    let width = |text: &str, style: &TextStyle| {
        top.estimate_text_size(text, style)
            .map_or(0.0, |(w, _)| f64::from(w))
    };
    let (size, title) = fit_text(title, (26.0, 18.0), room, |t, size| width(t, &bold(size)));
    top.draw_text(&title, &bold(size), (HEADING_INDENT as i32, 12))?;
    let (size, subtitle) = fit_text(subtitle, (17.0, 12.0), room, |t, size| {
        width(t, &font(size))
    });
    // The smaller the text, the lower it starts, so it stays beside the same baseline.
    let y = 46 + ((17.0 - size) * 0.6) as i32;
    top.draw_text(
        &subtitle,
        &font(size).color(&MUTED),
        (HEADING_INDENT as i32, y),
    )?;
    Ok(body)
}

/// Pixels between the chart's left and right edges and its heading.
const HEADING_INDENT: f64 = 24.0;

/// The largest size from `sizes.0` down to `sizes.1` (in steps of one) at which `text` is no
/// wider than `room`, by `width(text, size)`, and the text; at the smallest size, as much of the
/// text as fits, ending in an ellipsis.
fn fit_text(
    text: &str,
    (largest, smallest): (f64, f64),
    room: f64,
    width: impl Fn(&str, f64) -> f64,
) -> (f64, String) {
    let mut size = largest;
    while size > smallest {
        if width(text, size) <= room {
            return (size, text.to_string());
        }
        size -= 1.0;
    }
    if width(text, smallest) <= room {
        return (smallest, text.to_string());
    }
    let chars: Vec<char> = text.chars().collect();
    // The longest prefix that fits with its ellipsis, by bisection (the width grows with it).
    let (mut fits, mut too_long) = (0, chars.len());
    while too_long - fits > 1 {
        let mid = (fits + too_long) / 2;
        let cut: String = chars[..mid].iter().collect::<String>() + "\u{2026}";
        if width(&cut, smallest) <= room {
            fits = mid;
        } else {
            too_long = mid;
        }
    }
    let cut = chars[..fits].iter().collect::<String>();
    (smallest, format!("{}\u{2026}", cut.trim_end()))
}

/// Axis descriptions and their units.
pub(super) struct Labelled<'s> {
    pub x: &'s str,
    pub y: &'s str,
}

/// Pixels at least between two tick labels of an x axis.
const LABEL_GAP: f64 = 10.0;
/// The plot's margins left and right of its area, in pixels.
const MARGINS: (u32, u32) = (12, 48);

/// A plot with its mesh, tick labels and axis descriptions drawn; the x axis keeps only as many
/// ticks as its labels have room for.
/// How wide `label` is drawn as an axis's tick label on `area`, in pixels.
pub(super) fn label_width<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, label: &str) -> f64 {
    area.estimate_text_size(label, &font(16.0))
        .map_or(0.0, |(w, _)| f64::from(w))
}

pub(super) fn plot<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: Axis,
    y: Axis,
    desc: Labelled,
    y_label_width: u32,
) -> DrawResult<Plot<'a, DB>, DB> {
    let (w, _) = area.dim_in_pixel();
    let width = f64::from(w) - f64::from(MARGINS.0 + MARGINS.1 + y_label_width);
    let x = x.thinned_to_fit(width, |label| label_width(area, label));
    let mut chart = ChartBuilder::on(area)
        .margin_left(MARGINS.0)
        .margin_right(MARGINS.1)
        .margin_top(8)
        .margin_bottom(8)
        .x_label_area_size(62)
        .y_label_area_size(y_label_width)
        .build_cartesian_2d(x, y)?;
    chart
        .configure_mesh()
        .x_desc(desc.x)
        .y_desc(desc.y)
        .axis_desc_style(font(19.0))
        .label_style(font(16.0))
        .bold_line_style(BLACK.mix(0.12))
        .axis_style(MUTED)
        .draw()?;
    Ok(chart)
}

/// How a legend entry shows its series.
#[derive(Clone, Copy, Debug)]
pub(super) enum Mark {
    /// A filled box (areas, bars).
    Fill(RGBAColor),
    /// A box outlined in the second colour (bars with an outcome drawn as a border).
    Outlined(RGBAColor, RGBColor),
    Line(RGBColor, u32),
    Dashed(RGBColor),
    Cross(RGBColor),
    /// A point with an error bar, its point filled or hollow as `interval` draws it.
    Interval(RGBColor, bool),
    /// A point, filled or hollow.
    Dot(RGBColor, bool),
}

fn draw_mark<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    mark: Mark,
    (x, y): (i32, i32),
) -> DrawResult<(), DB> {
    match mark {
        Mark::Fill(c) => area.draw(&Rectangle::new([(x, y - 8), (x + 24, y + 8)], c.filled()))?,
        Mark::Outlined(fill, border) => {
            area.draw(&Rectangle::new(
                [(x, y - 8), (x + 24, y + 8)],
                fill.filled(),
            ))?;
            area.draw(&Rectangle::new(
                [(x, y - 8), (x + 24, y + 8)],
                border.stroke_width(2),
            ))?;
        }
        Mark::Line(c, width) => area.draw(&PathElement::new(
            vec![(x, y), (x + 24, y)],
            c.stroke_width(width),
        ))?,
        Mark::Dashed(c) => {
            for dx in [0, 10, 20] {
                area.draw(&PathElement::new(
                    vec![(x + dx, y), (x + (dx + 6).min(24), y)],
                    c.stroke_width(2),
                ))?;
            }
        }
        Mark::Cross(c) => area.draw(&Cross::new((x + 12, y), 6, c.stroke_width(3)))?,
        Mark::Interval(c, filled) => {
            area.draw(&PathElement::new(
                vec![(x + 12, y - 9), (x + 12, y + 9)],
                c.stroke_width(2),
            ))?;
            area.draw(&Circle::new((x + 12, y), 5, c.filled()))?;
            if !filled {
                area.draw(&Circle::new((x + 12, y), 3, WHITE.filled()))?;
            }
        }
        Mark::Dot(c, true) => area.draw(&Circle::new((x + 12, y), 6, c.filled()))?,
        Mark::Dot(c, false) => area.draw(&Circle::new((x + 12, y), 6, c.stroke_width(3)))?,
    }
    Ok(())
}

/// Splits a figure's area into the plot and a legend column on the right.
pub(super) fn with_side_legend<DB: DrawingBackend>(
    body: &DrawingArea<DB, Shift>,
    entries: &[(String, Mark)],
) -> DrawResult<DrawingArea<DB, Shift>, DB> {
    let (w, _) = body.dim_in_pixel();
    let style = font(16.0);
    let mut width = 0;
    for (label, _) in entries {
        width = width.max(body.estimate_text_size(label, &style)?.0 as i32);
    }
    let legend_width = width + 80;
    let (plot_area, side) = body.split_horizontally(w as i32 - legend_width);
    legend_at(&side, (4, 20), entries)?;
    Ok(plot_area)
}

/// Draws a legend box with `entries` at the top left corner `at` of `area`; returns its size.
pub(super) fn legend_at<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    entries: &[(String, Mark)],
) -> DrawResult<(i32, i32), DB> {
    let (w, h) = legend_size(area, entries)?;
    if entries.is_empty() {
        return Ok((0, 0));
    }
    area.draw(&Rectangle::new(
        [at, (at.0 + w, at.1 + h)],
        WHITE.mix(0.9).filled(),
    ))?;
    area.draw(&Rectangle::new(
        [at, (at.0 + w, at.1 + h)],
        GREY.stroke_width(1),
    ))?;
    let style = font(16.0).pos(Pos::new(HPos::Left, VPos::Center));
    for (i, (label, mark)) in entries.iter().enumerate() {
        let y = at.1 + LEGEND_PAD + LEGEND_ROW / 2 + i as i32 * LEGEND_ROW;
        draw_mark(area, *mark, (at.0 + LEGEND_PAD, y))?;
        area.draw_text(label, &style, (at.0 + LEGEND_PAD + 34, y))?;
    }
    Ok((w, h))
}

const LEGEND_ROW: i32 = 26;
const LEGEND_PAD: i32 = 10;

fn legend_size<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, Mark)],
) -> DrawResult<(i32, i32), DB> {
    let style = font(16.0);
    let mut width = 0;
    for (label, _) in entries {
        width = width.max(area.estimate_text_size(label, &style)?.0 as i32);
    }
    Ok((width + 2 * LEGEND_PAD + 34, legend_height(entries.len())))
}

/// The height in pixels of a legend of `entries` rows.
pub(super) fn legend_height(entries: usize) -> i32 {
    entries as i32 * LEGEND_ROW + 2 * LEGEND_PAD
}

/// Draws a legend inside the plot in the corner that hides the least of `avoid` (polylines in
/// data coordinates), preferring the top right, then top left, bottom right and bottom left.
pub(super) fn legend<DB: DrawingBackend>(
    chart: &Plot<'_, DB>,
    entries: &[(String, Mark)],
    avoid: &[Vec<(f64, f64)>],
) -> DrawResult<(), DB> {
    let area = chart.plotting_area().strip_coord_spec();
    let (aw, ah) = area.dim_in_pixel();
    let (w, h) = legend_size(&area, entries)?;
    let (base_x, base_y) = chart.plotting_area().get_base_pixel();
    // Points along every line, in pixels relative to the plot.
    let mut pixels = Vec::new();
    for line in avoid {
        for pair in line.windows(2) {
            let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
            for k in 0..=16 {
                let f = f64::from(k) / 16.0;
                let (px, py) = chart.backend_coord(&(x0 + (x1 - x0) * f, y0 + (y1 - y0) * f));
                pixels.push((px - base_x, py - base_y));
            }
        }
        if let [single] = line.as_slice() {
            let (px, py) = chart.backend_coord(single);
            pixels.push((px - base_x, py - base_y));
        }
    }
    let margin = 12;
    let (right, bottom) = (aw as i32 - w - margin, ah as i32 - h - margin);
    let corners = [
        (right, margin),
        (margin, margin),
        (right, bottom),
        (margin, bottom),
    ];
    let hidden = |(x, y): (i32, i32)| {
        pixels
            .iter()
            .filter(|(px, py)| *px >= x - 4 && *px <= x + w + 4 && *py >= y - 4 && *py <= y + h + 4)
            .count()
    };
    let at = corners
        .into_iter()
        .min_by_key(|c| hidden(*c))
        .unwrap_or(corners[0]);
    legend_at(&area, at, entries)?;
    Ok(())
}

/// A note centred in the plot, for a chart with nothing to show.
pub(super) fn note_centred<DB: DrawingBackend>(
    chart: &Plot<'_, DB>,
    text: &str,
) -> DrawResult<(), DB> {
    let area = chart.plotting_area();
    let (w, h) = area.dim_in_pixel();
    let style = font(20.0)
        .color(&MUTED)
        .pos(Pos::new(HPos::Center, VPos::Center));
    area.strip_coord_spec()
        .draw_text(text, &style, (w as i32 / 2, h as i32 / 2))?;
    Ok(())
}

/// A vertical line across the whole plot at `x`, as a polyline (for a legend to avoid).
pub(super) fn vertical<DB: DrawingBackend>(chart: &Plot<'_, DB>, x: f64) -> Vec<(f64, f64)> {
    let y = chart.y_range();
    vec![(x, y.start), (x, y.end)]
}

/// A horizontal line across the whole plot at `y`, as a polyline.
pub(super) fn horizontal<DB: DrawingBackend>(chart: &Plot<'_, DB>, y: f64) -> Vec<(f64, f64)> {
    let x = chart.x_range();
    vec![(x.start, y), (x.end, y)]
}

/// A vertical line across the plot at `x`, with a label near the top (none if empty: a plot
/// whose top is full of data names the line in its legend instead).
pub(super) fn vertical_marker<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    x: f64,
    colour: RGBColor,
    label: &str,
) -> DrawResult<(), DB> {
    let (xr, yr) = (chart.x_range(), chart.y_range());
    if !(x >= xr.start.min(xr.end) && x <= xr.start.max(xr.end)) {
        return Ok(());
    }
    let (lo, hi) = (yr.start.min(yr.end), yr.start.max(yr.end));
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(x, lo), (x, hi)],
        colour.stroke_width(2),
    )))?;
    if label.is_empty() {
        return Ok(());
    }
    // Right of the line, unless that runs off the plot.
    let (px, _) = chart.backend_coord(&(x, hi));
    let (right_edge, _) = chart.backend_coord(&(xr.start.max(xr.end), hi));
    let right = right_edge - px > 14 + 9 * label.chars().count() as i32;
    let anchor = Pos::new(if right { HPos::Left } else { HPos::Right }, VPos::Top);
    let offset = if right { 6 } else { -6 };
    chart.draw_series(std::iter::once(
        EmptyElement::at((x, hi))
            + Text::new(
                label.to_string(),
                (offset, 6),
                font(16.0).color(&colour).pos(anchor),
            ),
    ))?;
    Ok(())
}

/// An interval `[low, high]` across a horizontal bar at `y`: a line with ticks `tick` pixels
/// either side of it at both ends; nothing unless both ends are finite and apart (an interval
/// of no width, every replication alike, would draw two ticks on one spot and read as a mark).
pub(super) fn whisker<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    y: f64,
    (low, high): (f64, f64),
    tick: i32,
) -> DrawResult<(), DB> {
    if !(low.is_finite() && high.is_finite() && high > low) {
        return Ok(());
    }
    let style = TEXT.stroke_width(2);
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(low, y), (high, y)],
        style,
    )))?;
    for x in [low, high] {
        chart.draw_series(std::iter::once(
            EmptyElement::at((x, y)) + PathElement::new(vec![(0, -tick), (0, tick)], style),
        ))?;
    }
    Ok(())
}

/// A point at `(x, mean)` with a vertical bar from `low` to `high` (capped), where finite.
pub(super) fn interval<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    x: f64,
    (mean, low, high): (f64, f64, f64),
    colour: RGBColor,
    filled: bool,
) -> DrawResult<(), DB> {
    if !x.is_finite() {
        return Ok(());
    }
    if low.is_finite() && high.is_finite() {
        let style = colour.stroke_width(2);
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, low), (x, high)],
            style,
        )))?;
        for y in [low, high] {
            chart.draw_series(std::iter::once(
                EmptyElement::at((x, y)) + PathElement::new(vec![(-7, 0), (7, 0)], style),
            ))?;
        }
    }
    if mean.is_finite() {
        let style = if filled {
            colour.filled()
        } else {
            colour.stroke_width(2)
        };
        chart.draw_series(std::iter::once(Circle::new((x, mean), 6, style)))?;
        if !filled {
            chart.draw_series(std::iter::once(Circle::new((x, mean), 4, WHITE.filled())))?;
        }
    }
    Ok(())
}

/// Splits a series into runs of points with finite values, so gaps are not bridged.
pub(super) fn runs(points: impl IntoIterator<Item = (f64, f64)>) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (x, y) in points {
        if x.is_finite() && y.is_finite() {
            out.last_mut().expect("never empty").push((x, y));
        } else if !out.last().expect("never empty").is_empty() {
            out.push(Vec::new());
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

/// Polygons filling between `low` and `high` over `x`, one per run where all three are finite.
pub(super) fn band(x: &[f64], low: &[f64], high: &[f64]) -> Vec<Vec<(f64, f64)>> {
    let mut polygons = Vec::new();
    let mut run: Vec<usize> = Vec::new();
    let finite = |i: usize| x[i].is_finite() && low[i].is_finite() && high[i].is_finite();
    for i in 0..=x.len().min(low.len()).min(high.len()) {
        if i < x.len().min(low.len()).min(high.len()) && finite(i) {
            run.push(i);
            continue;
        }
        if run.len() >= 2 {
            let mut poly: Vec<(f64, f64)> = run.iter().map(|&j| (x[j], high[j])).collect();
            poly.extend(run.iter().rev().map(|&j| (x[j], low[j])));
            polygons.push(poly);
        }
        run.clear();
    }
    polygons
}

/// The ends of a range in ascending order (a reversed axis has them the other way round).
fn ascending(r: &Range<f64>) -> (f64, f64) {
    (r.start.min(r.end), r.start.max(r.end))
}

/// The part of a segment inside a box, and whether it starts and ends where the segment does.
struct Clipped {
    from: (f64, f64),
    to: (f64, f64),
    from_start: bool,
    to_end: bool,
}

/// The part of the segment `a`-`b` inside the box `x` by `y` (Liang and Barsky).
fn clip_segment(
    a: (f64, f64),
    b: (f64, f64),
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> Option<Clipped> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.0 - x0),
        (dx, x1 - a.0),
        (-dy, a.1 - y0),
        (dy, y1 - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    let at = |t: f64| (a.0 + dx * t, a.1 + dy * t);
    (t0 <= t1).then(|| Clipped {
        from: at(t0),
        to: at(t1),
        from_start: t0 == 0.0,
        to_end: t1 == 1.0,
    })
}

/// The parts of a polyline inside the plot's `x` by `y` ranges. Plotters draws a point outside
/// a plot on the frame's edge, so a panel showing part of a series (a close-up) cuts the series
/// to it first, or the rest of the series is drawn squeezed along the edges.
pub(super) fn clip_line(
    points: &[(f64, f64)],
    x: &Range<f64>,
    y: &Range<f64>,
) -> Vec<Vec<(f64, f64)>> {
    let (bx, by) = (ascending(x), ascending(y));
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    if let [p] = points {
        if p.0 >= bx.0 && p.0 <= bx.1 && p.1 >= by.0 && p.1 <= by.1 {
            out.push(vec![*p]);
        }
        return out;
    }
    // Whether the last part kept runs on to the end of its segment, so the next one continues it.
    let mut open = false;
    for pair in points.windows(2) {
        match clip_segment(pair[0], pair[1], bx, by) {
            Some(part) => {
                match out.last_mut() {
                    Some(run) if open && part.from_start => run.push(part.to),
                    _ => out.push(vec![part.from, part.to]),
                }
                open = part.to_end;
            }
            None => open = false,
        }
    }
    out
}

/// A polygon cut to the plot's `x` by `y` ranges (Sutherland and Hodgman), for the same reason
/// as `clip_line`; empty if nothing of it is inside.
pub(super) fn clip_polygon(
    points: &[(f64, f64)],
    x: &Range<f64>,
    y: &Range<f64>,
) -> Vec<(f64, f64)> {
    let ((x0, x1), (y0, y1)) = (ascending(x), ascending(y));
    let mut polygon = points.to_vec();
    // Each edge as: is a coordinate on the inner side, which coordinate (x or y), the edge's.
    type Edge = (fn(f64, f64) -> bool, usize, f64);
    let edges: [Edge; 4] = [
        (|v, e| v >= e, 0, x0),
        (|v, e| v <= e, 0, x1),
        (|v, e| v >= e, 1, y0),
        (|v, e| v <= e, 1, y1),
    ];
    for (keeps, axis, edge) in edges {
        let input = std::mem::take(&mut polygon);
        let coord = |p: (f64, f64)| if axis == 0 { p.0 } else { p.1 };
        let crossing = |a: (f64, f64), b: (f64, f64)| {
            let t = (edge - coord(a)) / (coord(b) - coord(a));
            (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
        };
        for (i, &current) in input.iter().enumerate() {
            let previous = input[(i + input.len() - 1) % input.len()];
            match (keeps(coord(previous), edge), keeps(coord(current), edge)) {
                (true, true) => polygon.push(current),
                (true, false) => polygon.push(crossing(previous, current)),
                (false, true) => {
                    polygon.push(crossing(previous, current));
                    polygon.push(current);
                }
                (false, false) => {}
            }
        }
    }
    polygon
}

/// A step line: each value holds until the next sample (and for `last_width` after the last).
pub(super) fn steps(points: &[(f64, f64)], last_width: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2);
    for (i, &(x, y)) in points.iter().enumerate() {
        let next = points.get(i + 1).map_or(x + last_width, |p| p.0);
        out.push((x, y));
        out.push((next, y));
    }
    out
}

/// The number of pixels that are not the white background: a blank chart has none.
#[cfg(test)]
pub(super) fn ink(rgb: &[u8]) -> usize {
    rgb.chunks_exact(3)
        .filter(|p| p != &[255, 255, 255])
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_axis_from_t_is_labelled_as_offsets() {
        let t = 15_000.0;
        let axis = Axis::from_t(t, t - 21.0, t - 1.0, vec![t - 21.0, t - 14.0]);
        assert_eq!(axis.ticks, [t - 21.0, t - 14.0]);
        assert_eq!(axis.label(t - 21.0), "T-21");
        // A day number from hours that do not add up exactly is still a whole day.
        assert_eq!(axis.label(t - 504.0 / 24.0 + 1e-12), "T-21");
        assert_eq!(axis.label(t - 0.25), "T-6h");
        assert_eq!(axis.label(t + 2.0), "T+48h");
    }

    /// `bounds` of no data is (+inf, -inf), and no end of a range that is not a number bounds
    /// anything: such a range is the fallback, never the limit upside down, which is what
    /// clamping the infinities to a finite limit before looking at them made of it. A range
    /// with one finite end keeps that end; every range that comes out is ordered and finite.
    #[test]
    fn a_range_of_no_values_is_the_fallback_never_upside_down() {
        let numeric = (-NUMERIC_LIMIT, NUMERIC_LIMIT);
        let (none_lo, none_hi) = bounds(std::iter::empty());
        assert_eq!(usable(none_lo, none_hi, numeric, (0.0, 1.0)), (0.0, 1.0));
        let week = (15_000.0, 15_007.0);
        assert_eq!(usable(none_lo, none_hi, TIME_LIMIT, week), week);
        let (inf, nan) = (f64::INFINITY, f64::NAN);
        for (lo, hi) in [
            (-inf, inf),
            (inf, inf),
            (-inf, -inf),
            (nan, nan),
            (inf, nan),
        ] {
            assert_eq!(
                usable(lo, hi, numeric, (0.0, 1.0)),
                (0.0, 1.0),
                "{lo}..{hi}"
            );
        }
        // One finite end is a value: the range is a unit from it.
        assert_eq!(usable(inf, 5.0, numeric, (0.0, 1.0)), (4.0, 5.0));
        assert_eq!(usable(5.0, -inf, numeric, (0.0, 1.0)), (5.0, 6.0));
        assert_eq!(usable(1.0, 2.0, numeric, (0.0, 1.0)), (1.0, 2.0));
        for (lo, hi) in [
            (none_lo, none_hi),
            (inf, 5.0),
            (5.0, nan),
            (3.0, 3.0),
            (2e15, 3e15),
            (-1e300, 1e300),
            (2.0, 1.0),
        ] {
            for (limit, fallback) in [(numeric, (0.0, 1.0)), (TIME_LIMIT, week)] {
                let (a, b) = usable(lo, hi, limit, fallback);
                assert!(
                    a.is_finite() && b.is_finite() && a < b,
                    "{lo}..{hi}: {a}..{b}"
                );
            }
        }
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(thousands(6000.0, 0), "6,000");
        assert_eq!(thousands(-1234567.891, 2), "-1,234,567.89");
        assert_eq!(thousands(0.5, 1), "0.5");
        assert_eq!(thousands(-0.0001, 1), "0.0");
    }

    #[test]
    fn numeric_axes_end_on_ticks() {
        let axis = Axis::numeric(3.0, 97.0);
        assert_eq!(axis.range, 0.0..100.0);
        assert_eq!(axis.ticks.len(), 6);
        let flat = Axis::numeric(5.0, 5.0);
        assert!(flat.range.start < 5.0 && flat.range.end > 5.0);
    }

    /// A count or amount with no most it could reach (a queue, replications in a bin, errors a
    /// week) ends a tenth of the data above them, as a padded axis does, not at the next round
    /// tick up to a quarter higher, and never below a bar's top; its ticks are on the axis, the
    /// highest within a step of the data's top.
    #[test]
    fn count_axes_end_close_to_the_data() {
        for hi in [
            1.0, 2.0, 3.0, 4.0, 5.0, 9.7, 12.0, 44.0, 102.0, 999.0, 5_500.0, 61_234.0,
        ] {
            for (what, axis) in [
                ("counts", Axis::counts([0.0, hi * 0.3, hi])),
                ("amounts", Axis::amounts([hi * 0.3, hi])),
            ] {
                assert_eq!(axis.range.start, 0.0, "{what} {hi}");
                assert!(
                    (axis.range.end - hi * 1.1).abs() <= 1e-9 * hi,
                    "{what} {hi}: {axis:?}"
                );
                let step = axis.ticks[1] - axis.ticks[0];
                let top = *axis.ticks.last().unwrap();
                assert!(
                    top <= axis.range.end && top > hi - step,
                    "{what} {hi}: {axis:?}"
                );
                assert!(axis.ticks.len() >= 2, "{what} {hi}: {axis:?}");
                if what == "counts" {
                    assert!(axis.ticks.iter().all(|t| t.fract() == 0.0), "{axis:?}");
                }
            }
        }
        // Below zero (a damaged file), the data's lowest end is the floor.
        let below = Axis::counts([-4.0, 6.0]);
        assert_eq!(below.range, -4.0..7.0);
        // Nothing above zero, or nothing at all: a unit high.
        for nothing in [Axis::counts([0.0, 0.0]), Axis::counts(std::iter::empty())] {
            assert_eq!(nothing.range, 0.0..1.1);
            assert_eq!(nothing.ticks, [0.0, 1.0]);
        }
        assert_eq!(Axis::amounts([0.0]).range, 0.0..1.1);
    }

    #[test]
    fn flat_series_keep_to_what_the_metric_can_take() {
        // Every replication 0 slips: the axis starts at 0, not at -0.5.
        let slips = Axis::padded([0.0], (0.0, f64::INFINITY));
        assert_eq!(slips.range.start, 0.0);
        assert!(slips.range.end > 0.0);
        assert!(slips.ticks.iter().all(|t| *t >= 0.0), "{:?}", slips.ticks);
        // Every tenant transitioned: no axis above the 200 there are.
        let all = Axis::padded([200.0], (0.0, 200.0));
        assert_eq!(all.range.end, 200.0);
        assert!(all.range.start < 200.0);
        // A count close-up of nothing does not go below zero either.
        assert!(
            Axis::whole_numbers(0.0, 0.0, (0.0, f64::INFINITY))
                .range
                .start
                >= 0.0
        );
        // Unbounded, a flat series is still centred.
        let flat = Axis::numeric(5.0, 5.0);
        assert!(flat.range.start < 5.0 && flat.range.end > 5.0);
    }

    #[test]
    fn count_axes_end_at_the_most_there_can_be() {
        for tenants in [4.0, 200.0, 217.0, 4_300.0, 6_000.0] {
            // A programme moving every tenant: the frame ends at the tenants, not a tenth
            // above them.
            let all = [0.0, tenants * 0.5, tenants];
            let axis = Axis::counts_up_to(all, tenants);
            assert_eq!(axis.range, 0.0..tenants, "{tenants}");
            assert!(axis.ticks.iter().all(|t| *t <= tenants), "{:?}", axis.ticks);
            assert!(axis.ticks.len() >= 4, "{:?}", axis.ticks);
            assert!(Axis::counts(all).range.end > tenants);
            // Below them, a tenth above the data as for any count, still not past them.
            let half = Axis::counts_up_to([0.0, tenants * 0.5], tenants);
            assert!((half.range.end - tenants * 0.55).abs() < 1e-9, "{half:?}");
            let nearly = Axis::counts_up_to([0.0, tenants * 0.95], tenants);
            assert_eq!(nearly.range.end, tenants);
        }
        // Data past the most (a damaged file) are shown, not cut; none at all is one unit.
        assert!(Axis::counts_up_to([0.0, 250.0], 200.0).range.end >= 250.0);
        assert_eq!(Axis::counts_up_to([], 200.0).range, 0.0..1.1);
    }

    #[test]
    fn padded_axes_leave_room_around_the_data_within_the_metric_range() {
        // A tenth of the span free beyond each end, and the axis ends there, ticks within.
        let axis = Axis::padded([10.0, 12.0, 20.0], UNBOUNDED);
        assert_eq!(axis.range, 9.0..21.0);
        assert_eq!(axis.ticks, [10.0, 12.0, 14.0, 16.0, 18.0, 20.0]);
        // Interval ends below zero count as zero for a count: no room below it.
        let slips = Axis::padded([0.5, -1.2, 2.2], (0.0, f64::INFINITY));
        assert_eq!(slips.range.start, 0.0);
        assert!(slips.range.end >= 2.2 * 1.1 - 0.12);
        // A share never reaches past one, however wide its interval.
        let share = Axis::padded([0.9, 0.8, 1.3], (0.0, 1.0));
        assert_eq!(share.range.end, 1.0);
        assert!(share.range.start < 0.8);
        // Every value alike (0 slips): still drawn from zero up, not around it.
        let flat = Axis::padded([0.0; 3], (0.0, f64::INFINITY));
        assert!(flat.range.start == 0.0 && flat.range.end > 0.0, "{flat:?}");
        // Nothing to show, or a range upside down: an axis all the same, never a panic.
        assert_eq!(Axis::padded([], (0.0, 1.0)).range, 0.0..1.0);
        assert_eq!(Axis::padded([f64::NAN], UNBOUNDED).range, 0.0..1.0);
        assert!(Axis::padded([1.0, 2.0], (1.0, 0.0)).range.end >= 2.0);
    }

    #[test]
    fn whole_number_axes_never_tick_between_whole_numbers() {
        for (lo, hi) in [
            (-0.5, 0.5),
            (0.5, 3.5),
            (-0.5, 4.5),
            (0.85, 4.15),
            (35.5, 64.5),
        ] {
            let axis = Axis::whole_numbers(lo, hi, (-0.5, f64::INFINITY));
            assert!(
                axis.ticks.len() >= 2 && axis.ticks.iter().all(|t| t.fract() == 0.0),
                "{lo}..{hi}: ticks {:?}",
                axis.ticks
            );
            assert!(axis.range.start >= -0.5 && axis.range.start <= lo);
            assert!(axis.range.end >= hi);
            assert_eq!(axis.label(1.0), "1");
        }
    }

    #[test]
    fn lines_and_areas_are_cut_to_the_plot() {
        let (x, y) = (5.0..20.0, 0.0..8.0);
        // A rising line entering at x = 5, leaving at y = 8, coming back in, ending inside.
        let line = [(0.0, 0.0), (10.0, 10.0), (12.0, 6.0), (14.0, 7.0)];
        let parts = clip_line(&line, &x, &y);
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert_eq!(parts[0], vec![(5.0, 5.0), (8.0, 8.0)]);
        assert_eq!(parts[1], vec![(11.0, 8.0), (12.0, 6.0), (14.0, 7.0)]);
        assert!(clip_line(&[(0.0, 0.0), (4.0, 9.0)], &x, &y).is_empty());
        // A reversed axis cuts the same.
        assert_eq!(clip_line(&line, &(20.0..5.0), &(8.0..0.0)), parts);
        let square = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)];
        let cut = clip_polygon(&square, &x, &y);
        assert!(
            cut.iter()
                .all(|p| p.0 >= 5.0 && p.0 <= 10.0 && p.1 >= 0.0 && p.1 <= 8.0),
            "{cut:?}"
        );
        assert_eq!(cut.len(), 4);
        assert!(clip_polygon(&square, &(11.0..20.0), &y).is_empty());
    }

    #[test]
    fn tick_labels_are_thinned_until_they_do_not_overlap() {
        let start = super::super::table::parse_time("2012-02-20").unwrap();
        // About a hundred days: a tick every Monday, labelled "27 Feb 2012".
        let axis = Axis::time(start, start + 100.0);
        assert!(axis.ticks.len() > 12);
        let width = |label: &str| 8.0 * label.chars().count() as f64;
        // In a wide plot every week keeps its label.
        let wide = axis.clone().thinned_to_fit(3000.0, width);
        assert_eq!(wide.ticks, axis.ticks);
        // In a narrow close-up, labels about 90 pixels wide are kept at least that far apart.
        let narrow = axis.clone().thinned_to_fit(350.0, width);
        assert!(
            narrow.ticks.len() >= 2 && narrow.ticks.len() <= 4,
            "{:?}",
            narrow.ticks
        );
        let px = |t: f64| (t - start) / 100.0 * 350.0;
        for pair in narrow.ticks.windows(2) {
            let room = (width(&narrow.label(pair[0])) + width(&narrow.label(pair[1]))) / 2.0;
            assert!(px(pair[1]) - px(pair[0]) >= room, "{:?}", narrow.ticks);
        }
    }

    #[test]
    fn headings_shrink_to_fit_and_are_cut_only_at_the_smallest_size() {
        // A glyph as wide as half the font size.
        let width = |text: &str, size: f64| text.chars().count() as f64 * size * 0.5;
        let short = "small-pilot: slips per replication";
        assert_eq!(
            fit_text(short, (17.0, 12.0), 1152.0, width),
            (17.0, short.into())
        );
        // 150 characters: 1,275 pixels at 17, 1,125 at 15.
        let long = "x".repeat(150);
        let (size, text) = fit_text(&long, (17.0, 12.0), 1152.0, width);
        assert_eq!((size, text.as_str()), (15.0, long.as_str()));
        // 300 characters do not fit even at 12: cut, with an ellipsis, within the room.
        let longer = "word ".repeat(60);
        let (size, text) = fit_text(&longer, (17.0, 12.0), 1152.0, width);
        assert_eq!(size, 12.0);
        assert!(
            text.ends_with('\u{2026}') && width(&text, 12.0) <= 1152.0,
            "{text}"
        );
        assert!(text.chars().count() > 150);
    }

    #[test]
    fn time_axes_tick_on_calendar_boundaries() {
        let start = super::super::table::parse_time("2011-09-05").unwrap();
        let programme = Axis::time(start, start + 500.0);
        assert!(programme.ticks.len() <= 10 && programme.ticks.len() >= 5);
        assert!(programme.ticks.iter().all(|t| date_of(*t).ymd().2 == 1));
        assert_eq!(programme.label(programme.ticks[0]), "Nov 2011");
        let weekend = Axis::time(start - 3.0, start + 1.0);
        assert_eq!(weekend.label(start), "Mon 5 Sep");
        assert_eq!(weekend.label(start + 0.5), "12:00");
    }
}
