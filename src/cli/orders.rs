//! Reading orders from files or standard input: one JSON order, a JSON array, or JSON Lines.

use std::path::Path;

use refund_rules::{Order, OrderError};

/// One order read from input, or why it could not be read; `origin` says where it came from.
pub struct OrderInput {
    /// `file`, `file[2]` or `file:3`.
    pub origin: String,
    /// The order.
    pub order: Result<Order, OrderError>,
}

/// Reads every order in `path` (`-` for standard input), and whether it was a batch (an
/// array or JSON Lines) rather than one order.
pub fn read(path: &Path) -> Result<(Vec<OrderInput>, bool), String> {
    let name = super::files::shown(path);
    let bytes = super::files::read_bytes(path)?;
    let text = match refund_rules::utf8_text(&bytes) {
        Ok(text) => text.strip_prefix('\u{feff}').unwrap_or(text).to_owned(),
        Err(error) => return Ok((vec![OrderInput { origin: name, order: Err(error) }], false)),
    };
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        return match Order::from_json_list(&text) {
            Ok(orders) => Ok((
                orders
                    .into_iter()
                    .enumerate()
                    .map(|(i, order)| OrderInput { origin: format!("{name}[{i}]"), order })
                    .collect(),
                true,
            )),
            Err(error) => Ok((vec![OrderInput { origin: name, order: Err(error) }], false)),
        };
    }
    let lines: Vec<(usize, &str)> =
        text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).map(|(i, l)| (i + 1, l)).collect();
    // JSON Lines when the first line is a whole JSON value by itself: then a broken line is
    // that line's error alone, and every other line is still decided. A pretty-printed order
    // starts with a lone `{`, which is not.
    let first_line_is_whole =
        lines.first().is_some_and(|(_, l)| serde_json::from_str::<serde::de::IgnoredAny>(l).is_ok());
    if lines.len() <= 1 || !first_line_is_whole {
        return Ok((vec![OrderInput { origin: name, order: Order::from_json(&text) }], false));
    }
    Ok((
        lines
            .into_iter()
            .map(|(number, line)| OrderInput { origin: format!("{name}:{number}"), order: Order::from_json(line) })
            .collect(),
        true,
    ))
}
