//! Scenario files: one base order and named variations of it, to compare providers on the
//! questions buyers ask ("what do I get back after 3 days? after 3 months? with a voucher?").
//!
//! ```toml
//! title = "A one-year server"
//! [order]                       # the base order, in the fields of the JSON order contract
//! id = "s-1"
//! billing = "subscription"
//! currency = "CNY"
//! purchased_at = 2026-03-01T10:00:00+08:00
//! expires_at = 2027-03-01T10:00:00+08:00
//! list_price = "1000.00"
//! paid = { cash = "1000.00" }
//! [attributes.my_cloud]         # facts only the policy `my_cloud` reads
//! monthly_price = "90.00"
//! [[scenario]]
//! name = "day 4"
//! after = "4 days"              # requested_at = purchased_at + 4 days
//! [[scenario]]
//! name = "with voucher"
//! after = "4 days"
//! order = { paid = { cash = "900.00", voucher = "100.00" } }
//! ```
//!
//! Write amounts as strings (`"900.00"`): TOML numbers are binary floating point. Numbers are
//! accepted and read back by their shortest decimal form.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, FixedOffset, Months};
use serde::Deserialize;

use crate::compare::{compare_one, Comparison};
use crate::order::{Order, OrderError};
use crate::policy::Policy;

/// A scenario file, read.
#[derive(Debug, Clone)]
pub struct ScenarioSet {
    /// What the file compares.
    pub title: String,
    /// The variations, in file order.
    pub scenarios: Vec<Scenario>,
    /// Every `[attributes.ID]` section's policy id, with its line, to be checked against the
    /// policies compared (`check_policies`).
    attribute_sections: Vec<(String, usize)>,
}

/// One named variation of the base order.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Its name, the row of the comparison.
    pub name: String,
    /// The order (base and changes merged), as JSON.
    order: serde_json::Value,
    /// Per policy id, the attributes for that policy.
    attributes: BTreeMap<String, serde_json::Value>,
    /// Identical servers of one account, decided one after another.
    pub servers: u32,
}

/// Why a scenario file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    /// Not TOML, or not the shape of a scenario file.
    #[error("{0}")]
    Toml(String),
    /// A scenario's `after` is not a length of time.
    #[error("scenario \"{scenario}\": `after = \"{after}\"` is not a length of time such as \"3 days\", \"72 hours\" or \"1 month\"")]
    After {
        /// The scenario.
        scenario: String,
        /// What it says.
        after: String,
    },
    /// More servers than are decided in a reasonable time (`MAX_SERVERS`).
    #[error(
        "`servers = {servers}` is more than {MAX_SERVERS_TEXT} servers (each one is decided in turn)\n\
         help: write at most {MAX_SERVERS_TEXT}"
    )]
    TooManyServers {
        /// As written.
        servers: u32,
        /// Its line in the file (1-based).
        line: usize,
    },
    /// An `[attributes.ID]` section names no policy being compared.
    #[error(
        "`[attributes.{id}]` names no policy being compared{}\n\
         help: name a policy by the id after `policy` in its file ({known}); its facts are read by that policy only",
        suggestion.as_ref().map(|s| format!(": did you mean `{s}`?")).unwrap_or_default()
    )]
    UnknownPolicy {
        /// As written.
        id: String,
        /// The closest policy id.
        suggestion: Option<String>,
        /// The policy ids compared.
        known: String,
        /// Its line in the file (1-based).
        line: usize,
    },
    /// A scenario's order is not a valid order.
    #[error("scenario \"{scenario}\": {error}")]
    Order {
        /// The scenario.
        scenario: String,
        /// The order's problem.
        error: OrderError,
    },
}

/// The most servers a scenario may have: each is decided in turn, with the quotas the earlier
/// ones used, so `servers = 100000000` would run for minutes.
pub const MAX_SERVERS: u32 = 10_000;

/// `MAX_SERVERS` as people write it.
const MAX_SERVERS_TEXT: &str = "10,000";

impl ScenarioError {
    /// The line of the scenario file the error is on, when known.
    pub fn line(&self) -> Option<usize> {
        match self {
            ScenarioError::TooManyServers { line, .. } | ScenarioError::UnknownPolicy { line, .. } => Some(*line),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    title: String,
    servers: Option<toml::Spanned<u32>>,
    order: toml::Table,
    #[serde(default)]
    attributes: BTreeMap<toml::Spanned<String>, toml::Table>,
    #[serde(default, rename = "scenario")]
    scenarios: Vec<Variation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Variation {
    name: String,
    after: Option<String>,
    servers: Option<toml::Spanned<u32>>,
    #[serde(default)]
    order: toml::Table,
    #[serde(default)]
    attributes: BTreeMap<toml::Spanned<String>, toml::Table>,
}

/// A number of servers, refused above `MAX_SERVERS` with its line in `text`.
fn servers(text: &str, written: &toml::Spanned<u32>) -> Result<u32, ScenarioError> {
    let servers = *written.get_ref();
    if servers <= MAX_SERVERS {
        return Ok(servers);
    }
    Err(ScenarioError::TooManyServers { servers, line: line_of(text, written.span().start) })
}

/// The 1-based line of byte `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text.get(..at).map_or(0, |before| before.matches('\n').count()) + 1
}

/// TOML's own message, with a did-you-mean when it names an unknown key and the keys it expects.
fn toml_error(error: &toml::de::Error) -> ScenarioError {
    let message = error.to_string();
    let unknown = message.split("unknown field `").nth(1).and_then(|rest| rest.split('`').next());
    let expected: Vec<&str> = message
        .split("expected one of ")
        .nth(1)
        .or_else(|| message.split("expected ").nth(1))
        .map(|list| list.split(", ").map(|key| key.trim().trim_matches('`')).collect())
        .unwrap_or_default();
    let suggestion = unknown.and_then(|name| crate::suggest::closest(name, expected.iter().copied()));
    match suggestion {
        Some(best) => ScenarioError::Toml(format!(
            "{}\nhelp: did you mean `{best}`? docs/scenarios.md lists every section and key",
            message.trim_end()
        )),
        None if unknown.is_some() => {
            ScenarioError::Toml(format!("{}\nhelp: docs/scenarios.md lists every section and key", message.trim_end()))
        }
        None => ScenarioError::Toml(message),
    }
}

/// Reads a scenario file.
pub fn parse_scenarios(text: &str) -> Result<ScenarioSet, ScenarioError> {
    let file: File = toml::from_str(text).map_err(|e| toml_error(&e))?;
    let mut attribute_sections: Vec<(String, usize)> =
        file.attributes.keys().map(|id| (id.get_ref().clone(), line_of(text, id.span().start))).collect();
    for variation in &file.scenarios {
        attribute_sections
            .extend(variation.attributes.keys().map(|id| (id.get_ref().clone(), line_of(text, id.span().start))));
    }
    let file_servers = file.servers.as_ref().map(|s| servers(text, s)).transpose()?.unwrap_or(1);
    let base = json(toml::Value::Table(file.order));
    let mut scenarios = Vec::new();
    for variation in file.scenarios {
        let mut order = base.clone();
        crate::order::merge_json(&mut order, json(toml::Value::Table(variation.order)));
        if let Some(after) = &variation.after {
            let requested = requested_after(&order, after)
                .ok_or_else(|| ScenarioError::After { scenario: variation.name.clone(), after: after.clone() })?;
            if let serde_json::Value::Object(map) = &mut order {
                map.insert("requested_at".to_owned(), serde_json::Value::String(requested.to_rfc3339()));
            }
        }
        let mut attributes: BTreeMap<String, serde_json::Value> = file
            .attributes
            .iter()
            .map(|(id, table)| (id.get_ref().clone(), json(toml::Value::Table(table.clone()))))
            .collect();
        for (id, table) in variation.attributes {
            let id = id.into_inner();
            crate::order::merge_json(
                attributes.entry(id).or_insert(serde_json::Value::Null),
                json(toml::Value::Table(table)),
            );
        }
        scenarios.push(Scenario {
            name: variation.name,
            order,
            attributes,
            servers: match &variation.servers {
                Some(written) => servers(text, written)?,
                None => file_servers,
            }
            .max(1),
        });
    }
    Ok(ScenarioSet { title: file.title, scenarios, attribute_sections })
}

impl ScenarioSet {
    /// Refuses an `[attributes.ID]` section that names none of `ids` (the policies compared):
    /// its facts would be read by no one, silently.
    pub fn check_policies(&self, ids: &[&str]) -> Result<(), ScenarioError> {
        match self.attribute_sections.iter().find(|(id, _)| !ids.contains(&id.as_str())) {
            None => Ok(()),
            Some((id, line)) => Err(ScenarioError::UnknownPolicy {
                id: id.clone(),
                suggestion: crate::compare::closest_policy(id, ids),
                known: ids.iter().map(|id| format!("`{id}`")).collect::<Vec<_>>().join(", "),
                line: *line,
            }),
        }
    }
}

impl Scenario {
    /// The scenario's order as `policy` sees it: its attributes added.
    pub fn order_for(&self, policy: &Policy) -> Result<Order, ScenarioError> {
        let mut order = self.order.clone();
        if let Some(attributes) = self.attributes.get(policy.id()) {
            if let serde_json::Value::Object(map) = &mut order {
                let entry = map.entry("attributes").or_insert(serde_json::Value::Object(serde_json::Map::new()));
                crate::order::merge_json(entry, attributes.clone());
            }
        }
        Order::from_json_value(order).map_err(|error| ScenarioError::Order { scenario: self.name.clone(), error })
    }

    /// The scenario's order for every policy at once: each policy's attributes in a group
    /// under its id, as an order carrying several providers' facts is written.
    pub fn order_for_all(&self) -> Result<Order, ScenarioError> {
        let mut order = self.order.clone();
        if let serde_json::Value::Object(map) = &mut order {
            let entry = map.entry("attributes").or_insert(serde_json::Value::Object(serde_json::Map::new()));
            if let serde_json::Value::Object(groups) = entry {
                for (id, attributes) in &self.attributes {
                    groups.insert(id.clone(), attributes.clone());
                }
            }
        }
        Order::from_json_value(order).map_err(|error| ScenarioError::Order { scenario: self.name.clone(), error })
    }

    /// The scenario under one policy.
    pub fn compare(&self, policy: &Policy) -> Comparison {
        match self.order_for(policy) {
            Ok(order) => compare_one(policy, &order, self.servers),
            Err(error) => Comparison {
                policy: policy.id().to_owned(),
                name: policy.name().to_owned(),
                result: crate::compare::Compared::Failed { error: error.to_string(), order_fault: true },
            },
        }
    }
}

/// One row of a comparison matrix: a scenario under every policy, and who gives back most.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    /// The scenario's name.
    pub scenario: String,
    /// How many servers.
    pub servers: u32,
    /// One cell per policy, in the order given.
    pub cells: Vec<Comparison>,
    /// The cells with the largest refund (ties all count).
    pub best: Vec<usize>,
}

/// Every scenario under every policy.
pub fn matrix(policies: &[Policy], set: &ScenarioSet) -> Vec<Row> {
    set.scenarios
        .iter()
        .map(|scenario| {
            let cells: Vec<Comparison> = policies.iter().map(|p| scenario.compare(p)).collect();
            let most = cells.iter().filter_map(|c| c.result.total()).max();
            let best = match most {
                Some(most) if most > rust_decimal::Decimal::ZERO => {
                    cells.iter().enumerate().filter(|(_, c)| c.result.total() == Some(most)).map(|(i, _)| i).collect()
                }
                _ => Vec::new(),
            };
            Row { scenario: scenario.name.clone(), servers: scenario.servers, cells, best }
        })
        .collect()
}

/// `purchased_at` (or `starts_at`) of the order, plus a length such as "3 days" or "1 month".
fn requested_after(order: &serde_json::Value, after: &str) -> Option<DateTime<FixedOffset>> {
    let start = order.get("starts_at").or_else(|| order.get("purchased_at"))?.as_str()?;
    let start = DateTime::parse_from_rfc3339(start).ok()?;
    let (number, unit) = split_length(after)?;
    let whole = |n: f64| (n.fract() == 0.0 && n >= 0.0).then_some(n as u32);
    match unit {
        "s" | "second" | "seconds" => start.checked_add_signed(Duration::milliseconds((number * 1000.0) as i64)),
        "min" | "minute" | "minutes" => start.checked_add_signed(Duration::seconds((number * 60.0) as i64)),
        "h" | "hour" | "hours" => start.checked_add_signed(Duration::seconds((number * 3600.0) as i64)),
        "d" | "day" | "days" => start.checked_add_signed(Duration::seconds((number * 86_400.0) as i64)),
        "w" | "week" | "weeks" => start.checked_add_signed(Duration::seconds((number * 604_800.0) as i64)),
        "month" | "months" => start.checked_add_months(Months::new(whole(number)?)),
        "y" | "year" | "years" => start.checked_add_months(Months::new(whole(number)?.checked_mul(12)?)),
        _ => None,
    }
}

/// "3 days" or "3d" as (3, "days").
fn split_length(text: &str) -> Option<(f64, &str)> {
    let text = text.trim();
    let at = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(at);
    let number: f64 = number.parse().ok()?;
    Some((number, unit.trim()))
}

/// TOML as JSON; floats by their shortest decimal form, so `0.42` stays 0.42.
fn json(value: toml::Value) -> serde_json::Value {
    match value {
        toml::Value::String(s) => serde_json::Value::String(s),
        toml::Value::Integer(i) => serde_json::Value::Number(i.into()),
        toml::Value::Float(f) => {
            let text = f.to_string();
            text.parse::<serde_json::Number>().map(serde_json::Value::Number).unwrap_or(serde_json::Value::String(text))
        }
        toml::Value::Boolean(b) => serde_json::Value::Bool(b),
        toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        toml::Value::Array(items) => serde_json::Value::Array(items.into_iter().map(json).collect()),
        toml::Value::Table(table) => serde_json::Value::Object(table.into_iter().map(|(k, v)| (k, json(v))).collect()),
    }
}
