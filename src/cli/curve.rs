//! `refund curve`: the refund against the time held, one line per policy, as SVG, PNG or CSV.

use std::path::{Path, PathBuf};

use plotters::prelude::*;
use refund_rules::compare::{curves, Series};
use rust_decimal::prelude::ToPrimitive;

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
    let (Some(from), Some(to), Some(step)) = (seconds(options.from), seconds(options.to), seconds(options.step)) else {
        eprintln!("error: --from, --to and --step are lengths such as 0d, 365d, 12h");
        return Exit::Input;
    };
    if step <= 0 || to < from || (to - from) / step > 100_000 {
        eprintln!("error: --step must be positive and give at most 100,000 points from --from to --to");
        return Exit::Input;
    }
    let order = match orders::read(options.order).map(|(inputs, _)| inputs.into_iter().next()) {
        Ok(Some(input)) => match input.order {
            Ok(order) => order,
            Err(error) => {
                eprintln!("error: {}: {error}", input.origin);
                return Exit::Input;
            }
        },
        Ok(None) => {
            eprintln!("error: {} holds no order", options.order.display());
            return Exit::Input;
        }
        Err(message) => {
            eprintln!("error: {message}");
            return Exit::Input;
        }
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
    let bytes = match form {
        Chart::Csv => Ok(csv(&series).into_bytes()),
        Chart::Svg => Ok(svg(&series, &order.currency).into_bytes()),
        Chart::Png => png(&svg(&series, &order.currency)).map_err(|e| format!("cannot draw the chart: {e}")),
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

/// `365d`, `12h`, `30m`, `90s` or a bare number of days, in seconds.
fn seconds(text: &str) -> Option<i64> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: i64 = number.parse().ok()?;
    let unit = match unit.trim() {
        "" | "d" | "day" | "days" => 86_400,
        "h" | "hour" | "hours" => 3_600,
        "m" | "min" | "minutes" => 60,
        "s" | "seconds" => 1,
        _ => return None,
    };
    number.checked_mul(unit)
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

/// The chart as SVG: refund against days held, a stepped line per policy, labelled axes, legend.
fn svg(series: &[Series], currency: &str) -> String {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (960, 540)).into_drawing_area();
        let _ = draw(&root, series, currency);
        let _ = root.present();
    }
    out
}

fn draw(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    series: &[Series],
    currency: &str,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let days = |held: i64| held as f64 / 86_400.0;
    let x_max = series.iter().flat_map(|s| s.points.last()).map(|p| days(p.0)).fold(1.0, f64::max);
    let x_min = series.iter().flat_map(|s| s.points.first()).map(|p| days(p.0)).fold(x_max, f64::min);
    let y_max =
        series.iter().flat_map(|s| s.points.iter().filter_map(|p| p.1.and_then(|a| a.to_f64()))).fold(1.0, f64::max)
            * 1.08;
    let mut chart = ChartBuilder::on(root)
        .caption("Refund by time held", ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(72)
        .build_cartesian_2d(x_min..x_max, 0.0..y_max)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("days held")
        .y_desc(format!("refund ({currency})"))
        .draw()
        .map_err(|e| e.to_string())?;
    for (index, s) in series.iter().enumerate() {
        let color = Palette99::pick(index).to_rgba();
        // A refund changes at a moment: the line steps, it does not slope between two samples.
        // Where the policy could not decide, the line has a gap.
        let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for (index, (held, amount)) in s.points.iter().enumerate() {
            let Some(y) = amount.and_then(|a| a.to_f64()) else {
                runs.push(Vec::new());
                continue;
            };
            let next = s.points.get(index + 1).map_or(*held, |p| p.0);
            if let Some(run) = runs.last_mut() {
                run.push((days(*held), y));
                run.push((days(next), y));
            }
        }
        let mut labelled = false;
        for run in runs.into_iter().filter(|r| !r.is_empty()) {
            let drawn = chart.draw_series(LineSeries::new(run, color.stroke_width(2))).map_err(|e| e.to_string())?;
            if !labelled {
                drawn
                    .label(s.policy.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
                labelled = true;
            }
        }
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// The SVG rasterised, with the system's fonts for the labels.
fn png(svg: &str) -> Result<Vec<u8>, String> {
    let mut options = resvg::usvg::Options::default();
    let fonts = options.fontdb_mut();
    fonts.load_system_fonts();
    // "sans-serif" means whatever sans face the machine has (DejaVu Sans on Debian).
    let families: Vec<String> =
        fonts.faces().flat_map(|face| face.families.iter().map(|(name, _)| name.clone())).collect();
    let sans = families.iter().find(|f| f.contains("Sans") && !f.contains("Mono")).or(families.first()).cloned();
    if let Some(sans) = sans {
        fonts.set_sans_serif_family(sans);
    }
    let tree = resvg::usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).ok_or("empty chart")?;
    resvg::render(&tree, resvg::tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| e.to_string())
}
