//! `refund curve`: the refund against the time held, one line per policy, as SVG, PNG or CSV.

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, Months};
use refund_rules::compare::{curves, Series};
use refund_rules::money_text;
use refund_rules::Order;

use super::check::load;
use super::out;
use super::{files, orders, Exit};

/// Options of `refund curve`.
pub struct CurveOptions<'a> {
    pub policies: &'a [PathBuf],
    pub order: &'a Path,
    pub from: &'a str,
    pub to: &'a str,
    pub step: &'a str,
    pub out: Option<&'a Path>,
    pub csv: bool,
}

/// What `--out` holds, by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chart {
    Svg,
    Png,
    Csv,
}

/// The form of `--out`, or a message saying which names are understood.
fn chart_form(out: &Path) -> Result<Chart, String> {
    let extension = out.extension().map(|e| e.to_string_lossy().to_ascii_lowercase());
    match extension.as_deref() {
        Some("svg") => Ok(Chart::Svg),
        Some("png") => Ok(Chart::Png),
        Some("csv") => Ok(Chart::Csv),
        other => Err(format!(
            "cannot write {}: {} is not a form `refund curve` writes\n\
             help: end the file name in .svg or .png for a chart, or .csv for the series",
            out.display(),
            match other {
                Some(extension) => format!("`.{extension}`"),
                None => "a name without an extension".to_owned(),
            }
        )),
    }
}

/// Computes the curves and writes the chart or the series.
pub fn run(options: &CurveOptions<'_>) -> Exit {
    let form = match options.out.map(chart_form).transpose() {
        Ok(form) => form,
        Err(message) => {
            eprintln!("error: {message}");
            return Exit::Input;
        }
    };
    if options.csv && form.is_some_and(|f| f != Chart::Csv) {
        eprintln!(
            "error: --format csv writes the series, not a chart\nhelp: give --out FILE.csv, or leave out --format"
        );
        return Exit::Input;
    }
    let mut policies = Vec::new();
    for path in options.policies {
        match load(path) {
            Ok(policy) => policies.push(policy),
            Err(exit) => return exit,
        }
    }
    let order = match read_order(options.order) {
        Ok(order) => order,
        Err(exit) => return exit,
    };
    let (from, to, step) = match time_range(options, order.service_start()) {
        Ok(range) => range,
        Err(exit) => return exit,
    };
    // The order is read by each policy as `refund eval` reads it: one it refuses is refused here
    // too, not drawn as a line with no points.
    for policy in policies.iter().filter(|p| p.currency() == order.currency) {
        if let Err(ref error @ refund_rules::EvalError::Order(ref order_error)) = policy.evaluate(&order) {
            eprintln!(
                "error[{}]: {}: policy `{}`: {order_error}",
                error.code(),
                files::shown(options.order),
                policy.id()
            );
            return Exit::Input;
        }
    }
    let series = curves(&policies, &order, from, to, step);
    if series.is_empty() {
        eprintln!("error: no policy is in the order's currency ({})", order.currency);
        return Exit::Input;
    }
    let (Some(out), Some(form)) = (options.out, form) else {
        if options.csv {
            out!("{}", csv(&series));
            return Exit::Ok;
        }
        eprintln!("error: give --out FILE.svg or FILE.png, or --format csv");
        return Exit::Input;
    };
    let mut title = super::chart::ChartTitle { order: summary(&order), currency: order.currency.clone(), cjk: true };
    let bytes = match form {
        Chart::Csv => Ok(csv(&series).into_bytes()),
        Chart::Svg => Ok(super::chart::svg(&series, &title).into_bytes()),
        Chart::Png => {
            let fonts = fonts();
            title.cjk = has_cjk_font(&fonts);
            png(&super::chart::svg(&series, &title), fonts).map_err(|e| format!("cannot draw the chart: {e}"))
        }
    };
    let mut inputs: Vec<&Path> = options.policies.iter().map(PathBuf::as_path).collect();
    inputs.push(options.order);
    let written = bytes.and_then(|bytes| {
        files::write_file(out, &inputs, |file| {
            file.write_all(&bytes).map_err(|e| format!("cannot write {}: {e}", out.display()))
        })
    });
    match written {
        Ok(()) => Exit::Ok,
        Err(message) => {
            eprintln!("error: {message}");
            Exit::Input
        }
    }
}

/// The one order of the file at `path`; an error is told on stderr.
fn read_order(path: &Path) -> Result<Order, Exit> {
    match orders::read(path).map(|(inputs, _)| inputs.into_iter().next()) {
        Ok(Some(input)) => match input.order {
            Ok(order) => Ok(order),
            Err(error) => {
                eprintln!("error: {}: {error}", input.origin);
                Err(Exit::Input)
            }
        },
        Ok(None) => {
            eprintln!("error: {} holds no order", path.display());
            Err(Exit::Input)
        }
        Err(message) => {
            eprintln!("error: {message}");
            Err(Exit::Input)
        }
    }
}

/// `--from`, `--to` and `--step` in seconds after `start`; an error is told on stderr.
fn time_range(options: &CurveOptions<'_>, start: DateTime<FixedOffset>) -> Result<(i64, i64, i64), Exit> {
    let lengths = (seconds(options.from, start), seconds(options.to, start), seconds(options.step, start));
    let (Some(from), Some(to), Some(step)) = lengths else {
        let bad = [("--from", options.from), ("--to", options.to), ("--step", options.step)]
            .into_iter()
            .find(|(_, text)| seconds(text, start).is_none())
            .map_or(String::new(), |(flag, text)| format!("{flag} {text}: "));
        eprintln!(
            "error: {bad}not a length of time\n\
             help: write a number and a unit, as the policy language does: 0d, 36h, 14 days, 2 weeks, 6 months, 1y"
        );
        return Err(Exit::Input);
    };
    if step <= 0 || to < from || (to - from) / step > 100_000 {
        eprintln!("error: --step must be positive and give at most 100,000 points from --from to --to");
        return Err(Exit::Input);
    }
    Ok((from, to, step))
}

/// A length of time after `start`, in seconds: `365d`, `36h`, `30m`, `90s`, `2 weeks`, a bare
/// number of days, or calendar `6 months` and `1y` (as long as they are from this order's start).
fn seconds(text: &str, start: DateTime<FixedOffset>) -> Option<i64> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: i64 = number.parse().ok()?;
    let months = |count: i64| -> Option<i64> {
        let end = start.checked_add_months(Months::new(u32::try_from(count).ok()?))?;
        Some((end - start).num_seconds())
    };
    let unit = match unit.trim() {
        "" | "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 7 * 86_400,
        "h" | "hour" | "hours" => 3_600,
        "m" | "min" | "minute" | "minutes" => 60,
        "s" | "second" | "seconds" => 1,
        "month" | "months" => return months(number),
        "y" | "year" | "years" => return months(number.checked_mul(12)?),
        _ => return None,
    };
    number.checked_mul(unit)
}

/// The order in a line, for the chart's title: what was paid, and the term.
fn summary(order: &Order) -> String {
    let paid = format!("{} {} paid", money_text(order.paid_total()), order.currency);
    let bought = order.service_start().format("%Y-%m-%d");
    let term = match order.expires_at {
        Some(expires) => format!("{bought} to {}", expires.format("%Y-%m-%d")),
        None => format!("from {bought}"),
    };
    let billing = match order.billing {
        refund_rules::Billing::Subscription => "subscription",
        refund_rules::Billing::PayAsYouGo => "pay as you go",
    };
    format!("order {}: {paid}, {billing} {term}", order.id)
}

/// Days held, then each policy's refund and share of what was paid.
fn csv(series: &[Series]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["held_days".to_owned()];
    for s in series {
        header.push(format!("{}_refund", s.policy));
        header.push(format!("{}_share", s.policy));
    }
    let _ = writer.write_record(&header);
    let count = series.first().map_or(0, |s| s.points.len());
    for index in 0..count {
        let held = series.first().and_then(|s| s.points.get(index)).map_or(0, |p| p.0);
        let mut row = vec![format!("{}", rust_decimal::Decimal::from(held) / rust_decimal::Decimal::from(86_400))];
        for s in series {
            let amount = s.points.get(index).and_then(|p| p.1);
            row.push(amount.map(|a| a.to_string()).unwrap_or_default());
            let share = amount.filter(|_| !s.paid.is_zero()).map(|a| (a / s.paid).round_dp(4).to_string());
            row.push(share.unwrap_or_default());
        }
        let _ = writer.write_record(&row);
    }
    String::from_utf8_lossy(&writer.into_inner().unwrap_or_default()).into_owned()
}

/// The system's fonts, with "sans-serif" set to whatever sans face the machine has (DejaVu
/// Sans on Debian).
fn fonts() -> resvg::usvg::Options<'static> {
    let mut options = resvg::usvg::Options::default();
    let fonts = options.fontdb_mut();
    fonts.load_system_fonts();
    let families: Vec<String> =
        fonts.faces().flat_map(|face| face.families.iter().map(|(name, _)| name.clone())).collect();
    let sans = families.iter().find(|f| f.contains("Sans") && !f.contains("Mono")).or(families.first()).cloned();
    if let Some(sans) = sans {
        fonts.set_sans_serif_family(sans);
    }
    options
}

/// Whether a font for Chinese, Japanese or Korean is installed (by the usual families' names).
fn has_cjk_font(options: &resvg::usvg::Options<'_>) -> bool {
    const CJK: [&str; 6] = ["CJK", "WenQuanYi", "Droid Sans Fallback", "Source Han", "Noto Sans SC", "Noto Serif SC"];
    options.fontdb.faces().any(|face| face.families.iter().any(|(name, _)| CJK.iter().any(|c| name.contains(c))))
}

/// The SVG rasterised with `options`' fonts.
fn png(svg: &str, options: resvg::usvg::Options<'_>) -> Result<Vec<u8>, String> {
    let tree = resvg::usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).ok_or("empty chart")?;
    resvg::render(&tree, resvg::tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| e.to_string())
}
