//! The header of a policy: who, which currency and time zone, where the rules were read,
//! when they apply.

use std::str::FromStr;

use chrono_tz::Tz;

use crate::ast::{self, Item};
use crate::check::Finding;
use crate::money::Rounding;
use crate::program::{Program, VersionsBy};
use crate::span::{Span, Spanned};
use crate::suggest::closest;

/// The header's facts as an empty program; `None` when the currency or time zone is unusable.
pub(super) fn header(file: &ast::PolicyBlock, problems: &mut Vec<Finding>) -> Option<Program> {
    let mut name = None;
    let mut currency: Option<(String, u32)> = None;
    let mut timezone = None;
    let mut version = None;
    let mut sources = Vec::new();
    let mut effective = None;
    let mut until = None;
    let mut versions_by = VersionsBy::PurchasedAt;
    let mut rounding = Rounding::HalfUp;
    for item in &file.items {
        match item {
            Item::Name(n) => name = Some(n.node.clone()),
            Item::Currency(code) => currency = record(currency_of(code), problems).or(currency),
            Item::Timezone(zone) => timezone = record(timezone_of(zone), problems).or(timezone),
            Item::Source { address, read } => sources.push((address.node.clone(), read.node)),
            Item::Effective { from, until: to } => {
                effective = Some(from.node);
                until = to.as_ref().map(|t| t.node);
                if let Some(to) = to.as_ref().filter(|t| t.node <= from.node) {
                    problems.push(
                        Finding::error("E125", to.span, "a version must end after it starts")
                            .label("not after the `effective` date")
                            .help("`effective FROM until TO` applies from FROM up to, not including, TO"),
                    );
                }
            }
            Item::VersionsBy(by) => versions_by = record(versions_by_of(by), problems).unwrap_or(versions_by),
            Item::Version(v) => version = Some(v.node.clone()),
            Item::Rounding(mode) => rounding = record(rounding_of(mode), problems).unwrap_or(rounding),
            _ => {}
        }
    }
    missing_lines(file.id.span, currency.is_none(), timezone.is_none(), sources.is_empty(), problems);
    let (currency, minor_units) = currency?;
    let newest_source = sources.iter().map(|(_, day)| *day).max();
    let version = version
        .or(effective.map(|d| d.to_string()))
        .or(newest_source.map(|d| d.to_string()))
        .unwrap_or_else(|| "unversioned".to_owned());
    Some(Program {
        id: file.id.node.clone(),
        id_span: file.id.span,
        name: name.unwrap_or_else(|| file.id.node.clone()),
        currency,
        minor_units,
        timezone: timezone?,
        version,
        effective,
        until,
        versions_by,
        rounding,
        attributes: Vec::new(),
        bindings: Vec::new(),
        tables: Vec::new(),
        rules: Vec::new(),
        examples: Vec::new(),
        invariants: Vec::new(),
    })
}

/// A header line given twice (`currency USD` after `currency CNY`): the second would silently
/// win, so both are an error.
pub(super) fn duplicate_lines(file: &ast::PolicyBlock, source: &str, problems: &mut Vec<Finding>) {
    let mut seen: Vec<(&str, crate::span::Span)> = Vec::new();
    for item in &file.items {
        let (what, span) = match item {
            Item::Name(n) => ("name", n.span),
            Item::Currency(c) => ("currency", c.span),
            Item::Timezone(t) => ("timezone", t.span),
            Item::Effective { from, .. } => ("effective", from.span),
            Item::VersionsBy(v) => ("versions", v.span),
            Item::Version(v) => ("version", v.span),
            Item::Rounding(r) => ("rounding", r.span),
            _ => continue,
        };
        match seen.iter().find(|(word, _)| *word == what) {
            Some((_, first)) => {
                let line = super::line_of(source, first.start);
                problems.push(
                    Finding::error("E105", span, format!("the `{what}` line is given twice"))
                        .label("given again here")
                        .help(format!("the first is on line {line}: keep one of them")),
                );
            }
            None => seen.push((what, span)),
        }
    }
}

/// The value of a header line, or its problem recorded (`None`).
fn record<T>(result: Result<T, Finding>, problems: &mut Vec<Finding>) -> Option<T> {
    result.map_err(|problem| problems.push(problem)).ok()
}

/// `currency CNY`: the code and the decimal places of its minor unit.
fn currency_of(code: &Spanned<String>) -> Result<(String, u32), Finding> {
    match iso_currency::Currency::from_code(&code.node) {
        Some(found) => Ok((code.node.clone(), u32::from(found.exponent().unwrap_or(0)))),
        None => Err(Finding::error("E121", code.span, format!("`{}` is not an ISO 4217 currency code", code.node))
            .label("unknown currency")
            .help("write a code such as CNY, USD, EUR or JPY")),
    }
}

/// `timezone "Asia/Shanghai"`.
fn timezone_of(zone: &Spanned<String>) -> Result<Tz, Finding> {
    Tz::from_str(&zone.node).map_err(|_| {
        let names = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
        let problem = Finding::error("E122", zone.span, format!("`{}` is not an IANA time zone", zone.node))
            .label("unknown time zone");
        match closest(&zone.node, names) {
            Some(best) => problem.help(format!("did you mean `{best}`?")),
            None => problem.help("write a zone such as \"Asia/Shanghai\" or \"UTC\""),
        }
    })
}

/// `versions by purchased_at`.
fn versions_by_of(by: &Spanned<String>) -> Result<VersionsBy, Finding> {
    match by.node.as_str() {
        "purchased_at" => Ok(VersionsBy::PurchasedAt),
        "requested_at" => Ok(VersionsBy::RequestedAt),
        other => Err(Finding::error("E126", by.span, format!("versions cannot be chosen by `{other}`"))
            .help("write `versions by purchased_at` or `versions by requested_at`")
            .suggest(other, ["purchased_at", "requested_at"])),
    }
}

/// `rounding half_even`.
fn rounding_of(mode: &Spanned<String>) -> Result<Rounding, Finding> {
    Rounding::from_name(&mode.node).filter(|m| m.is_written_in_policies()).ok_or_else(|| {
        Finding::error("E124", mode.span, format!("`{}` is not a rounding mode", mode.node))
            .help("write half_up, half_even, half_down, up or down")
    })
}

/// The header lines every policy needs (currency, time zone) and should have (a source),
/// reported once at the policy's id when absent (not again when a line is there but wrong).
fn missing_lines(id_span: Span, no_currency: bool, no_timezone: bool, no_source: bool, problems: &mut Vec<Finding>) {
    if no_currency && !problems.iter().any(|p| p.code == "E121") {
        problems.push(
            Finding::error("E120", id_span, "the policy does not say its currency")
                .label("no `currency` line")
                .help("add a line such as `currency CNY` to the header"),
        );
    }
    if no_timezone && !problems.iter().any(|p| p.code == "E122") {
        problems.push(
            Finding::error("E123", id_span, "the policy does not say its time zone")
                .label("no `timezone` line")
                .help("add a line such as `timezone \"Asia/Shanghai\"`: days and months are counted there"),
        );
    }
    if no_source {
        problems.push(
            Finding::warning("W002", id_span, "the policy does not cite a source")
                .label("no `source` line")
                .help("add `source \"https://...\" read 2026-03-16` so readers can check the rules"),
        );
    }
}
