//! Drawing plumbing shared by the charts: the embedded font, an in-memory RGB canvas encoded as
//! PNG, the "no data" panel, time axes with date ticks, and the palette.
//!
//! Charts never draw into a file. plotters' bitmap backend overwrites its target file even when
//! drawing fails (a missing font gives a blank white PNG), so a chart is drawn into a buffer,
//! encoded here, and only the caller writes bytes that are known to be a finished chart.

use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use crate::ReportError;

/// DejaVu Sans 2.37 (Bitstream Vera licence, see `fonts/LICENSE`), so text renders on a machine
/// with no fonts installed.
static FONT_REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static FONT_BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// The family every chart uses.
pub(crate) const FAMILY: &str = "sans-serif";

/// Registers the embedded fonts once per process, under every generic family plotters may ask
/// for, so no text style can hit `FontUnavailable`.
pub(crate) fn ensure_fonts() -> Result<(), ReportError> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        for family in ["sans-serif", "serif", "monospace"] {
            register_font(family, FontStyle::Normal, FONT_REGULAR)
                .map_err(|_| format!("the embedded regular font did not parse ({family})"))?;
            register_font(family, FontStyle::Bold, FONT_BOLD)
                .map_err(|_| format!("the embedded bold font did not parse ({family})"))?;
        }
        Ok(())
    })
    .clone()
    .map_err(ReportError::Font)
}

/// The area every chart draws on.
pub(crate) type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;

/// The error type of drawing on [`Area`], boxed so the chart functions can use `?`.
pub(crate) type DrawResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Draws with `draw` on a white `width` x `height` canvas and returns the PNG bytes.
pub(crate) fn render_png(
    chart: &'static str,
    (width, height): (u32, u32),
    draw: impl FnOnce(&Area<'_>) -> DrawResult,
) -> Result<Vec<u8>, ReportError> {
    ensure_fonts()?;
    let fail = |message: String| ReportError::Chart { chart, message };
    if width < 200 || height < 150 || width > 10_000 || height > 10_000 {
        return Err(fail(format!(
            "size {width}x{height} is outside 200x150..10000x10000"
        )));
    }
    let mut rgb = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(e.to_string()))?;
        draw(&root).map_err(|e| fail(e.to_string()))?;
        root.present().map_err(|e| fail(e.to_string()))?;
    }
    encode_png(&rgb, width, height).map_err(|e| ReportError::Encode {
        chart,
        message: e.to_string(),
    })
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::with_capacity(rgb.len() / 8);
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(rgb)?;
        writer.finish()?;
    }
    Ok(out)
}

/// Text sizes in pixels, chosen so that a 1200x600 chart reads at a glance.
pub(crate) mod size {
    pub const TITLE: u32 = 26;
    pub const AXIS_DESC: u32 = 18;
    pub const TICK: u32 = 16;
    pub const LEGEND: u32 = 16;
    pub const NOTE: u32 = 15;
    pub const HINT: u32 = 17;
}

/// A chart's title style (bold).
pub(crate) fn title_style() -> TextStyle<'static> {
    (FAMILY, size::TITLE, FontStyle::Bold)
        .into_font()
        .color(&pal::INK)
}

pub(crate) fn text(px: u32) -> TextStyle<'static> {
    (FAMILY, px).into_font().color(&pal::INK)
}

/// Draws the title and a centred message instead of a chart, for a chart with no data: `what`
/// is the message and a hint at what the chart would show.
pub(crate) fn no_data(area: &Area<'_>, title: &str, (message, hint): (&str, &str)) -> DrawResult {
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (to_i32(w), to_i32(h));
    area.draw(&Text::new(
        title.to_owned(),
        (w / 2, 14),
        title_style().pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Top,
        )),
    ))?;
    area.draw(&Rectangle::new(
        [(w / 2 - 400, h / 2 - 60), (w / 2 + 400, h / 2 + 60)],
        ShapeStyle::from(&pal::PANEL).filled(),
    ))?;
    let centre = |px: u32| {
        text(px).pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Center,
        ))
    };
    area.draw(&Text::new(
        message.to_owned(),
        (w / 2, h / 2 - 16),
        centre(24),
    ))?;
    area.draw(&Text::new(
        hint.to_owned(),
        (w / 2, h / 2 + 22),
        centre(size::HINT).color(&pal::MUTED),
    ))?;
    Ok(())
}

pub(crate) fn to_i32(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// The palette: colour-blind-safe (Okabe-Ito) hues on white, with greys for context.
pub(crate) mod pal {
    use plotters::style::RGBColor;

    pub const INK: RGBColor = RGBColor(33, 37, 41);
    pub const MUTED: RGBColor = RGBColor(108, 117, 125);
    pub const GRID: RGBColor = RGBColor(222, 226, 230);
    pub const PANEL: RGBColor = RGBColor(241, 243, 245);
    pub const BLUE: RGBColor = RGBColor(0, 114, 178);
    pub const SKY: RGBColor = RGBColor(86, 180, 233);
    pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
    pub const VERMILION: RGBColor = RGBColor(213, 94, 0);
    pub const GREEN: RGBColor = RGBColor(0, 158, 115);
    pub const PURPLE: RGBColor = RGBColor(204, 121, 167);
    pub const RED: RGBColor = RGBColor(200, 30, 45);
}

/// Colour of a hard session's recovery verdict.
pub(crate) fn verdict_colour(verdict: &str) -> RGBColor {
    match verdict {
        "absorbed" => pal::GREEN,
        "lingering" => pal::RED,
        _ => pal::MUTED,
    }
}

// Time axes are f64 days since the Unix epoch (UTC), with ticks placed here on calendar
// boundaries (Mondays or the 1st of a month) and labelled as dates: plotters' own date ticks
// start on the first data day, not on a boundary a reader expects.

/// An f64 axis whose ticks are given (calendar days, paces) rather than computed by plotters;
/// its labels come from the chart's own formatter.
#[derive(Clone)]
pub(crate) struct TickAxis {
    inner: RangedCoordf64,
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl TickAxis {
    /// `lo..hi` may run backwards (a pace axis with faster to the right).
    pub(crate) fn new(lo: f64, hi: f64, ticks: Vec<f64>) -> Self {
        Self {
            inner: (lo..hi).into(),
            lo,
            hi,
            ticks,
        }
    }
}

impl Ranged for TickAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// Days since the Unix epoch of an instant, fractional.
#[expect(clippy::cast_precision_loss)]
pub(crate) fn day_of(t: DateTime<Utc>) -> f64 {
    t.timestamp_millis() as f64 / 86_400_000.0
}

/// Days since the Unix epoch of a calendar date (its midnight).
pub(crate) fn day_of_date(d: NaiveDate) -> f64 {
    f64::from(i32::try_from((d - NaiveDate::default()).num_days()).unwrap_or(0))
}

/// The date of a day number (the inverse of [`day_of_date`], floored).
#[expect(clippy::cast_possible_truncation)]
pub(crate) fn date_of_day(x: f64) -> NaiveDate {
    let days = x.floor().clamp(-1.0e6, 1.0e6) as i64;
    NaiveDate::default() + Duration::days(days)
}

/// Calendar tick positions for the span `lo..hi` (day numbers): Mondays every 1, 2 or 4 weeks,
/// or the 1st of every 1, 2, 3 or 6 months, whichever gives at most `max` ticks.
pub(crate) fn date_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    let (first, last) = (date_of_day(lo), date_of_day(hi));
    let first_monday =
        first + Duration::days(i64::from((7 - first.weekday().num_days_from_monday()) % 7));
    for step_weeks in [1i64, 2, 4] {
        let ticks: Vec<f64> = std::iter::successors(Some(first_monday), |d| {
            Some(*d + Duration::weeks(step_weeks))
        })
        .take_while(|d| *d <= last)
        .map(day_of_date)
        .filter(|x| *x >= lo)
        .collect();
        if ticks.len() <= max {
            return ticks;
        }
    }
    for step_months in [1u32, 2, 3, 6, 12, 24] {
        let mut ticks = Vec::new();
        let mut d = NaiveDate::from_ymd_opt(first.year(), first.month(), 1).unwrap_or(first);
        while d <= last && ticks.len() <= max + 1 {
            let x = day_of_date(d);
            if x >= lo && d.month0().is_multiple_of(step_months) {
                ticks.push(x);
            }
            d = d
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(last + Duration::days(1));
        }
        if ticks.len() <= max {
            return ticks;
        }
    }
    vec![lo, hi]
}

/// A date label for a tick: "16 Feb" within a year, "Feb 2026" for month ticks on long spans.
pub(crate) fn date_label(x: f64, span_days: f64) -> String {
    let d = date_of_day(x);
    if span_days > 400.0 {
        d.format("%b %Y").to_string()
    } else {
        d.format("%-d %b").to_string()
    }
}

/// A time axis: the range of day numbers a chart covers, its calendar ticks and their labels.
#[derive(Clone)]
pub(crate) struct DateAxis {
    pub(crate) x0: f64,
    pub(crate) x1: f64,
    ticks: Vec<f64>,
}

impl DateAxis {
    /// The axis covering `days`, padded by `pad` days on each side (see [`day_range`]).
    pub(crate) fn new(days: impl Iterator<Item = f64>, pad: f64) -> Self {
        let (x0, x1) = day_range(days, pad);
        Self {
            x0,
            x1,
            ticks: date_ticks(x0, x1, 12),
        }
    }

    /// As [`DateAxis::new`], with room on the right for labels of lines drawn across the
    /// chart: the range grows by 16 %, and no date tick falls under the labels.
    pub(crate) fn with_room_right(days: impl Iterator<Item = f64>, pad: f64) -> Self {
        let (x0, x1) = day_range(days, pad);
        let x1 = x1 + (x1 - x0) * 0.16;
        let span = x1 - x0;
        Self {
            x0,
            x1,
            ticks: date_ticks(x0, x1 - span * 0.12, 12),
        }
    }

    /// Days from one end to the other.
    pub(crate) fn span(&self) -> f64 {
        self.x1 - self.x0
    }

    /// The plotters coordinate of the axis.
    pub(crate) fn coord(&self) -> TickAxis {
        TickAxis::new(self.x0, self.x1, self.ticks.clone())
    }

    /// The label of the tick at `x`.
    pub(crate) fn label(&self, x: f64) -> String {
        date_label(x, self.span())
    }
}

/// The x range of day numbers covering `xs`, padded by `pad` days on each side; one point gets
/// a week either side.
pub(crate) fn day_range(xs: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (lo, hi) = min_max(xs).unwrap_or((0.0, 1.0));
    if hi - lo < 1.0 {
        (lo - 7.0, hi + 7.0)
    } else {
        (lo - pad, hi + pad)
    }
}

/// Minimum and maximum of the finite values, if any.
pub(crate) fn min_max(xs: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    xs.filter(|x| x.is_finite()).fold(None, |acc, x| match acc {
        None => Some((x, x)),
        Some((lo, hi)) => Some((lo.min(x), hi.max(x))),
    })
}

/// `lo..hi` widened by `frac` of its span (at least `min_span` wide), for a y axis.
pub(crate) fn padded(lo: f64, hi: f64, frac: f64, min_span: f64) -> (f64, f64) {
    let span = (hi - lo).max(min_span);
    let mid = (lo + hi) / 2.0;
    let half = span / 2.0 * (1.0 + 2.0 * frac);
    (mid - half, mid + half)
}

/// A footer line under the plot, bottom left, in muted text.
pub(crate) fn footer(area: &Area<'_>, note: &str) -> DrawResult {
    let (_, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        note.to_owned(),
        (16, to_i32(h) - 22),
        text(size::NOTE).color(&pal::MUTED),
    ))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_ticks_fall_on_mondays_for_two_months() {
        let lo = day_of_date(NaiveDate::from_ymd_opt(2026, 1, 7).unwrap_or_default());
        let hi = day_of_date(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default());
        let ticks = date_ticks(lo, hi, 12);
        assert!(!ticks.is_empty() && ticks.len() <= 12);
        for t in ticks {
            assert_eq!(date_of_day(t).weekday(), chrono::Weekday::Mon);
        }
    }

    #[test]
    fn date_ticks_use_months_for_two_years() {
        let lo = day_of_date(NaiveDate::from_ymd_opt(2024, 1, 7).unwrap_or_default());
        let hi = day_of_date(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default());
        let ticks = date_ticks(lo, hi, 12);
        assert!(!ticks.is_empty() && ticks.len() <= 12, "{}", ticks.len());
        for t in ticks {
            assert_eq!(date_of_day(t).day(), 1);
        }
    }
}
