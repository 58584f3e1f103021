//! The refund curve chart, written as SVG by hand: two time axes (the first days, where
//! providers differ most, and the whole range), a line style and marker per provider so equal
//! lines stay apart, and the legend beside the plot, never over it.

use std::fmt::Write as _;

use refund_rules::compare::Series;
use rust_decimal::prelude::ToPrimitive;

/// What the title says about the order.
pub struct ChartTitle {
    /// `one-year-server: 1020.00 CNY paid, 2026-03-02 to 2027-03-02`.
    pub order: String,
    /// The currency of the refunds.
    pub currency: String,
    /// Whether names in Chinese, Japanese or Korean can be drawn (a PNG needs a font for them;
    /// without one a name would be a row of boxes, and the legend keeps the policy id only).
    pub cjk: bool,
}

const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 560.0;
const TOP: f64 = 82.0;
const BOTTOM: f64 = 490.0;
const LEGEND_X: f64 = 770.0;
/// The first days get a panel of their own when the range is longer than this many days.
const SPLIT_AFTER_DAYS: f64 = 30.0;
/// The first-days panel shows this many days.
const FIRST_DAYS: f64 = 14.0;

/// Colours that stay apart for colour-blind readers (Okabe and Ito), then a few more.
const COLOURS: [&str; 10] =
    ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442", "#7F7F7F", "#8C564B"];
/// Dash patterns, so that lines on top of each other still show each one.
const DASHES: [&str; 6] = ["", "9 5", "2 4", "12 4 3 4", "5 3", "1 6"];

/// A plot panel: where it is on the page and which days it shows.
struct Panel {
    left: f64,
    right: f64,
    from_days: f64,
    to_days: f64,
    caption: String,
    /// The refund axis: its lowest value, its step and its top.
    y_axis: (f64, f64, f64),
}

impl Panel {
    fn x(&self, days: f64) -> f64 {
        let span = (self.to_days - self.from_days).max(f64::EPSILON);
        self.left + (days - self.from_days) / span * (self.right - self.left)
    }

    fn y(&self, amount: f64) -> f64 {
        let (low, _, high) = self.y_axis;
        BOTTOM - (amount - low) / (high - low).max(f64::EPSILON) * (BOTTOM - TOP)
    }
}

/// The chart of `series` as an SVG document.
pub fn svg(series: &[Series], title: &ChartTitle) -> String {
    let days = |held: i64| held as f64 / 86_400.0;
    let first = series.iter().flat_map(|s| s.points.first()).map(|p| days(p.0)).fold(f64::INFINITY, f64::min);
    let last = series.iter().flat_map(|s| s.points.last()).map(|p| days(p.0)).fold(f64::NEG_INFINITY, f64::max);
    let (first, last) = if first.is_finite() && last > first { (first, last) } else { (0.0, 1.0) };
    let values_until = |until: f64| {
        series.iter().flat_map(move |s| {
            s.points.iter().filter(move |p| days(p.0) <= until).filter_map(|p| p.1.and_then(|a| a.to_f64()))
        })
    };
    let whole = zero_based_axis(values_until(last).fold(0.0, f64::max));
    let panels = if last - first > SPLIT_AFTER_DAYS && first < FIRST_DAYS / 2.0 {
        // The first days get their own refund axis, zoomed to the values they hold: there the
        // providers differ by tens where the whole range counts in hundreds.
        let until = first + FIRST_DAYS;
        let low = values_until(until).fold(f64::INFINITY, f64::min);
        let high = values_until(until).fold(f64::NEG_INFINITY, f64::max);
        vec![
            Panel {
                left: 80.0,
                right: 290.0,
                from_days: first,
                to_days: until,
                caption: format!("first {FIRST_DAYS} days (zoomed)"),
                y_axis: zoomed_axis(low, high),
            },
            Panel {
                left: 370.0,
                right: 740.0,
                from_days: first,
                to_days: last,
                caption: "whole range".to_owned(),
                y_axis: whole,
            },
        ]
    } else {
        vec![Panel { left: 80.0, right: 740.0, from_days: first, to_days: last, caption: String::new(), y_axis: whole }]
    };

    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif">"#
    );
    let _ = writeln!(out, r#"<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>"#);
    let _ = writeln!(
        out,
        r#"<text x="{}" y="28" font-size="20" text-anchor="middle">Refund by days held</text>"#,
        WIDTH / 2.0
    );
    let _ = writeln!(
        out,
        r##"<text x="{}" y="50" font-size="13" text-anchor="middle" fill="#444">{}</text>"##,
        WIDTH / 2.0,
        escape(&title.order)
    );
    // The refund axis, shared by the panels: one set of labels on the left.
    let _ = writeln!(
        out,
        r#"<text x="18" y="{}" font-size="13" text-anchor="middle" transform="rotate(-90 18 {})">refund ({})</text>"#,
        (TOP + BOTTOM) / 2.0,
        (TOP + BOTTOM) / 2.0,
        escape(&title.currency)
    );
    for panel in &panels {
        draw_panel(&mut out, panel, series);
    }
    let _ = writeln!(
        out,
        r#"<text x="{}" y="{}" font-size="13" text-anchor="middle">days held</text>"#,
        (panels.first().map_or(80.0, |p| p.left) + 740.0) / 2.0,
        BOTTOM + 42.0
    );
    legend(&mut out, series, title.cjk);
    out.push_str("</svg>\n");
    out
}

fn draw_panel(out: &mut String, panel: &Panel, series: &[Series]) {
    let (left, right) = (panel.left, panel.right);
    let y = |amount: f64| panel.y(amount);
    let (y_low, y_step, y_high) = panel.y_axis;
    let _ = writeln!(
        out,
        r##"<rect x="{left}" y="{TOP}" width="{}" height="{}" fill="none" stroke="#999"/>"##,
        right - left,
        BOTTOM - TOP
    );
    if !panel.caption.is_empty() {
        let _ = writeln!(
            out,
            r##"<text x="{}" y="{}" font-size="12" text-anchor="middle" fill="#444">{}</text>"##,
            (left + right) / 2.0,
            TOP - 6.0,
            panel.caption
        );
    }
    let mut tick = y_low;
    while tick <= y_high + y_step / 1000.0 {
        let _ = writeln!(
            out,
            r##"<line x1="{left}" x2="{right}" y1="{:.1}" y2="{:.1}" stroke="#e4e4e4"/><text x="{}" y="{:.1}" font-size="11" text-anchor="end">{}</text>"##,
            y(tick),
            y(tick),
            left - 6.0,
            y(tick) + 4.0,
            number(tick)
        );
        tick += y_step;
    }
    let x_step = nice_step((panel.to_days - panel.from_days) * 0.8).max(1.0);
    let mut day = (panel.from_days / x_step).ceil() * x_step;
    while day <= panel.to_days + x_step / 1000.0 {
        let x = panel.x(day);
        let _ = writeln!(
            out,
            r##"<line x1="{x:.1}" x2="{x:.1}" y1="{TOP}" y2="{BOTTOM}" stroke="#eeeeee"/><text x="{x:.1}" y="{}" font-size="11" text-anchor="middle">{}</text>"##,
            BOTTOM + 16.0,
            number(day)
        );
        day += x_step;
    }
    let _ = writeln!(
        out,
        r#"<svg x="{left}" y="{TOP}" width="{}" height="{}" overflow="hidden">"#,
        right - left,
        BOTTOM - TOP
    );
    for (index, s) in series.iter().enumerate() {
        let colour = COLOURS.get(index % COLOURS.len()).copied().unwrap_or("#000000");
        let dash = DASHES.get(index % DASHES.len()).copied().unwrap_or("");
        let dash = if dash.is_empty() { String::new() } else { format!(r#" stroke-dasharray="{dash}""#) };
        let shift = |(x, y): (f64, f64)| (x - left, y - TOP);
        for run in runs(s, panel) {
            let points: Vec<String> = run.iter().map(|p| shift(*p)).map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
            let _ = writeln!(
                out,
                r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>"#,
                points.join(" ")
            );
            // Markers at staggered places, so that equal lines still show every provider.
            let every = (run.len() / 8).max(2);
            let offset = (index * every / series.len().max(1)) & !1;
            for point in run.iter().skip(offset).step_by(every) {
                let (x, y) = shift(*point);
                out.push_str(&marker(index, x, y, colour));
            }
        }
    }
    out.push_str("</svg>\n");
}

/// The stepped line of one series inside a panel, split where the policy could not decide.
fn runs(series: &Series, panel: &Panel) -> Vec<Vec<(f64, f64)>> {
    let days = |held: i64| held as f64 / 86_400.0;
    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (index, (held, amount)) in series.points.iter().enumerate() {
        let start = days(*held);
        if start > panel.to_days {
            break;
        }
        let Some(value) = amount.and_then(|a| a.to_f64()) else {
            runs.push(Vec::new());
            continue;
        };
        // A refund changes at a moment: the line steps, it does not slope between two samples.
        let end = series.points.get(index + 1).map_or(start, |p| days(p.0)).min(panel.to_days);
        if let Some(run) = runs.last_mut() {
            run.push((panel.x(start), panel.y(value)));
            run.push((panel.x(end), panel.y(value)));
        }
    }
    runs.into_iter().filter(|r| !r.is_empty()).collect()
}

/// Marker `index` (circle, square, triangle, diamond, cross, plus) centred on (x, y).
fn marker(index: usize, x: f64, y: f64, colour: &str) -> String {
    let r = 4.0;
    match index % 6 {
        0 => format!(r#"<circle cx="{x:.1}" cy="{y:.1}" r="{r}" fill="{colour}"/>"#),
        1 => format!(
            r#"<rect x="{:.1}" y="{:.1}" width="{}" height="{}" fill="{colour}"/>"#,
            x - r,
            y - r,
            2.0 * r,
            2.0 * r
        ),
        2 => format!(
            r#"<polygon points="{x:.1},{:.1} {:.1},{:.1} {:.1},{:.1}" fill="{colour}"/>"#,
            y - r - 1.0,
            x - r - 1.0,
            y + r,
            x + r + 1.0,
            y + r
        ),
        3 => format!(
            r#"<polygon points="{x:.1},{:.1} {:.1},{y:.1} {x:.1},{:.1} {:.1},{y:.1}" fill="{colour}"/>"#,
            y - r - 1.0,
            x + r + 1.0,
            y + r + 1.0,
            x - r - 1.0
        ),
        4 => format!(
            r#"<path d="M{:.1},{:.1} L{:.1},{:.1} M{:.1},{:.1} L{:.1},{:.1}" stroke="{colour}" stroke-width="2"/>"#,
            x - r,
            y - r,
            x + r,
            y + r,
            x - r,
            y + r,
            x + r,
            y - r
        ),
        _ => format!(
            r#"<path d="M{:.1},{y:.1} L{:.1},{y:.1} M{x:.1},{:.1} L{x:.1},{:.1}" stroke="{colour}" stroke-width="2"/>"#,
            x - r - 1.0,
            x + r + 1.0,
            y - r - 1.0,
            y + r + 1.0
        ),
    }
}

/// The legend beside the plot: each provider's line and marker, its id and its name.
fn legend(out: &mut String, series: &[Series], cjk: bool) {
    let _ = writeln!(out, r#"<text x="{LEGEND_X}" y="{TOP}" font-size="13" font-weight="bold">Providers</text>"#);
    let row = ((BOTTOM - TOP - 10.0) / series.len().max(1) as f64).clamp(16.0, 34.0);
    for (index, s) in series.iter().enumerate() {
        let colour = COLOURS.get(index % COLOURS.len()).copied().unwrap_or("#000000");
        let dash = DASHES.get(index % DASHES.len()).copied().unwrap_or("");
        let dash = if dash.is_empty() { String::new() } else { format!(r#" stroke-dasharray="{dash}""#) };
        let y = TOP + 20.0 + index as f64 * row;
        let _ = writeln!(
            out,
            r#"<line x1="{LEGEND_X}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="{colour}" stroke-width="2"{dash}/>"#,
            LEGEND_X + 34.0
        );
        out.push_str(&marker(index, LEGEND_X + 17.0, y, colour));
        let _ = writeln!(
            out,
            r#"<text x="{}" y="{:.1}" font-size="12">{}</text>"#,
            LEGEND_X + 42.0,
            y + 4.0,
            escape(&s.policy)
        );
        let drawable = cjk || s.name.chars().all(|c| (c as u32) < 0x2E80);
        if row >= 28.0 && !s.name.is_empty() && drawable {
            let _ = writeln!(
                out,
                r##"<text x="{}" y="{:.1}" font-size="10" fill="#555">{}</text>"##,
                LEGEND_X + 42.0,
                y + 16.0,
                escape(&shortened(&s.name, 32))
            );
        }
    }
}

/// A step of 1, 2, 2.5 or 5 times a power of ten giving about six ticks over `span`.
fn nice_step(span: f64) -> f64 {
    let span = if span > 0.0 { span } else { 1.0 };
    let rough = span / 6.0;
    let power = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * power).find(|s| *s >= rough).unwrap_or(10.0 * power)
}

/// An axis from zero to at least `top`: (0, step, end).
fn zero_based_axis(top: f64) -> (f64, f64, f64) {
    let step = nice_step(top);
    (0.0, step, (top / step).ceil().max(1.0) * step)
}

/// An axis around `low..high` with a margin, never below zero: (start, step, end).
fn zoomed_axis(low: f64, high: f64) -> (f64, f64, f64) {
    if !low.is_finite() || !high.is_finite() {
        return zero_based_axis(1.0);
    }
    let margin = ((high - low) * 0.1).max(high.abs() * 0.01).max(1.0);
    let step = nice_step(high - low + 2.0 * margin);
    let start = (((low - margin) / step).floor() * step).max(0.0);
    (start, step, ((high + margin) / step).ceil() * step)
}

/// A tick label: `1400`, `0.5`, never `1400.0`.
fn number(value: f64) -> String {
    let rounded = (value * 1000.0).round() / 1000.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded}")
    }
}

/// `text` cut to `at_most` columns (a Chinese, Japanese or Korean character takes two), so
/// that a long name ends inside the picture.
fn shortened(text: &str, at_most: usize) -> String {
    let width = |c: char| if (c as u32) >= 0x2E80 { 2 } else { 1 };
    if text.chars().map(width).sum::<usize>() <= at_most {
        return text.to_owned();
    }
    let mut used = 0;
    let kept: String = text
        .chars()
        .take_while(|c| {
            used += width(*c);
            used < at_most
        })
        .collect();
    format!("{kept}…")
}

/// Text safe inside SVG.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
