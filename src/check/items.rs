//! Checking a whole file: the header, declarations, rules and examples.

use std::collections::HashMap;
use std::str::FromStr;

use chrono_tz::Tz;

use crate::ast::{self, BinaryOp, BindingKind, ExprKind, Item, ObjectValue, StepKind};
use crate::check::expr::Scope;
use crate::check::program::*;
use crate::check::{closest, CheckError};
use crate::decision::{Destination, Outcome, Review};
use crate::money::Rounding;
use crate::order::Order;
use crate::span::{Span, Spanned};
use crate::value::{SymbolSet, Type, Value, DESTINATIONS};

/// Checks `file`; problems go to `problems`. `None` when the header is too broken to go on.
pub(super) fn check_file(file: &ast::PolicyFile, source: &str, problems: &mut Vec<CheckError>) -> Option<Program> {
    let mut program = header(file, problems)?;
    let mut scope = Scope {
        source,
        currency: program.currency.clone(),
        problems,
        attributes: Vec::new(),
        bindings: Vec::new(),
        all_bindings: HashMap::new(),
        tables: Vec::new(),
        used: Vec::new(),
        used_early: Vec::new(),
        amount_allowed: false,
        reads_order: false,
    };
    for item in &file.items {
        match item {
            Item::Attribute(attribute) => attribute_def(&mut scope, attribute),
            Item::Table(table) => program.tables.push(table_def(&mut scope, table)),
            Item::Binding(binding) => {
                if let Some(first) = scope.all_bindings.get(&binding.name.node) {
                    let first = *first;
                    duplicate(scope.problems, source, "name", &binding.name, first);
                } else {
                    scope.all_bindings.insert(binding.name.node.clone(), binding.name.span);
                }
            }
            _ => {}
        }
    }
    let mut binding_spans = Vec::new();
    for item in &file.items {
        if let Item::Binding(binding) = item {
            scope.reads_order = false;
            let value = scope.expr(&binding.value);
            if binding.kind == BindingKind::Const && scope.reads_order {
                scope.problems.push(
                    CheckError::error(
                        "E107",
                        binding.value.span,
                        format!("const `{}` reads the order", binding.name.node),
                    )
                    .label("reads the order")
                    .help(format!(
                        "a const is the same for every order; write `let {} = ...` instead",
                        binding.name.node
                    )),
                );
            }
            let reads = scope.reads_order;
            scope.bindings.push((binding.name.node.clone(), value.value_type.clone(), binding.kind, reads));
            scope.used.push(false);
            binding_spans.push(binding.name.clone());
            program.bindings.push(BindingDef {
                name: binding.name.node.clone(),
                value,
                description: binding.description.clone(),
            });
        }
    }
    let mut rule_names: HashMap<String, Span> = HashMap::new();
    for item in &file.items {
        if let Item::Rule(rule) = item {
            match rule_names.get(&rule.name.node) {
                Some(first) => duplicate(scope.problems, source, "rule", &rule.name, *first),
                None => {
                    rule_names.insert(rule.name.node.clone(), rule.name.span);
                }
            }
            program.rules.push(rule_def(&mut scope, rule, source));
        }
    }
    program.attributes = scope.attributes.clone();
    examples(&mut scope, file, &mut program);
    for (name, used) in binding_spans.iter().zip(&scope.used) {
        if !used && !scope.used_early.contains(&name.node) {
            scope.problems.push(
                CheckError::warning("W004", name.span, format!("`{}` is never used", name.node))
                    .label("unused")
                    .help("remove it, or use it in a rule"),
            );
        }
    }
    rule_warnings(scope.problems, &program, file);
    Some(program)
}

fn duplicate(problems: &mut Vec<CheckError>, source: &str, what: &str, name: &Spanned<String>, first: Span) {
    let line = super::line_of(source, first.start);
    problems.push(
        CheckError::error("E105", name.span, format!("the {what} `{}` is defined twice", name.node))
            .label("defined again here")
            .help(format!("the first is on line {line}: rename one of them")),
    );
}

fn header(file: &ast::PolicyFile, problems: &mut Vec<CheckError>) -> Option<Program> {
    let mut name = None;
    let mut currency: Option<(String, u32)> = None;
    let mut timezone = None;
    let mut version = None;
    let mut sources = Vec::new();
    let mut effective = None;
    let mut rounding = Rounding::HalfUp;
    for item in &file.items {
        match item {
            Item::Name(n) => name = Some(n.node.clone()),
            Item::Currency(code) => match iso_currency::Currency::from_code(&code.node) {
                Some(found) => currency = Some((code.node.clone(), u32::from(found.exponent().unwrap_or(0)))),
                None => problems.push(
                    CheckError::error("E121", code.span, format!("`{}` is not an ISO 4217 currency code", code.node))
                        .label("unknown currency")
                        .help("write a code such as CNY, USD, EUR or JPY"),
                ),
            },
            Item::Timezone(zone) => match Tz::from_str(&zone.node) {
                Ok(tz) => timezone = Some(tz),
                Err(_) => {
                    let names = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
                    let mut problem =
                        CheckError::error("E122", zone.span, format!("`{}` is not an IANA time zone", zone.node))
                            .label("unknown time zone");
                    problem = match closest(&zone.node, names) {
                        Some(best) => problem.help(format!("did you mean `{best}`?")),
                        None => problem.help("write a zone such as \"Asia/Shanghai\" or \"UTC\""),
                    };
                    problems.push(problem);
                }
            },
            Item::Source { address, read } => sources.push((address.node.clone(), read.node)),
            Item::Effective(day) => effective = Some(day.node),
            Item::Version(v) => version = Some(v.node.clone()),
            Item::Rounding(mode) => match Rounding::from_name(&mode.node) {
                Some(found) => rounding = found,
                None => problems.push(
                    CheckError::error("E124", mode.span, format!("`{}` is not a rounding mode", mode.node))
                        .help("write half_up, half_even, half_down, up or down"),
                ),
            },
            _ => {}
        }
    }
    let id_span = file.id.span;
    if currency.is_none() && !problems.iter().any(|p| p.code == "E121") {
        problems.push(
            CheckError::error("E120", id_span, "the policy does not say its currency")
                .label("no `currency` line")
                .help("add a line such as `currency CNY` to the header"),
        );
    }
    if timezone.is_none() && !problems.iter().any(|p| p.code == "E122") {
        problems.push(
            CheckError::error("E123", id_span, "the policy does not say its time zone")
                .label("no `timezone` line")
                .help("add a line such as `timezone \"Asia/Shanghai\"`: days and months are counted there"),
        );
    }
    if sources.is_empty() {
        problems.push(
            CheckError::warning("W002", id_span, "the policy does not cite a source")
                .label("no `source` line")
                .help("add `source \"https://...\" read 2026-03-16` so readers can check the rules"),
        );
    }
    let (currency, minor_units) = currency?;
    let newest_source = sources.iter().map(|(_, day)| *day).max();
    let version = version
        .or(effective.map(|d| d.to_string()))
        .or(newest_source.map(|d| d.to_string()))
        .unwrap_or_else(|| "unversioned".to_owned());
    Some(Program {
        id: file.id.node.clone(),
        name: name.unwrap_or_else(|| file.id.node.clone()),
        currency,
        minor_units,
        timezone: timezone?,
        version,
        sources,
        effective,
        rounding,
        attributes: Vec::new(),
        bindings: Vec::new(),
        tables: Vec::new(),
        rules: Vec::new(),
        examples: Vec::new(),
    })
}

fn attribute_def(scope: &mut Scope<'_>, attribute: &ast::Attribute) {
    let name = &attribute.name;
    if scope.attributes.iter().any(|a| a.name == name.node) {
        duplicate(scope.problems, scope.source, "attribute", name, name.span);
        return;
    }
    let value_type = match &attribute.type_name.node {
        ast::TypeName::OneOf(members) => Type::Symbol(SymbolSet::Declared(name.node.clone(), members.clone())),
        ast::TypeName::Named(type_name) => match type_name.as_str() {
            "money" => Type::Money,
            "number" | "count" | "percent" => Type::Number,
            "duration" => Type::Duration,
            "instant" => Type::Instant,
            "date" => Type::Date,
            "bool" => Type::Bool,
            "text" => Type::Text,
            other => {
                let known = ["money", "number", "count", "percent", "duration", "instant", "date", "bool", "text"];
                scope.problems.push(
                    CheckError::error("E116", attribute.type_name.span, format!("`{other}` is not a type"))
                        .label("unknown type")
                        .help("a type is money, number, count, percent, duration, instant, date, bool, text or one_of(a, b)")
                        .suggest(other, known),
                );
                Type::Error
            }
        },
    };
    let default = attribute.default.as_ref().and_then(|e| constant(scope, e, &value_type));
    scope.attributes.push(AttributeDef {
        name: name.node.clone(),
        value_type,
        default,
        description: attribute.description.clone(),
    });
}

/// A constant written where only constants may stand (defaults, table cells).
fn constant(scope: &mut Scope<'_>, e: &ast::Expr, expected: &Type) -> Option<Value> {
    let (value, found) = match &e.node {
        ExprKind::Literal(literal) => scope.literal(literal, e.span)?,
        ExprKind::Path(path) if path.len() == 1 => {
            let name = path.first()?;
            (Value::Symbol(name.as_str().into()), Type::Symbol(SymbolSet::Free(name.clone())))
        }
        _ => {
            scope.problems.push(
                CheckError::error("E117", e.span, "only a plain value can stand here")
                    .help("write a value such as `0.42 CNY`, `10%`, `5 days` or a name from `one_of`"),
            );
            return None;
        }
    };
    let fits = match (expected, &found) {
        (Type::Symbol(set), Type::Symbol(SymbolSet::Free(name))) => {
            set.members().is_none_or(|members| members.contains(&name.as_str()))
        }
        (Type::Error, _) => true,
        _ => *expected == found,
    };
    if !fits {
        scope.problems.push(
            CheckError::error("E110", e.span, format!("expected {expected}, found {found}"))
                .label(format!("this is {found}")),
        );
        return None;
    }
    Some(value)
}

fn table_def(scope: &mut Scope<'_>, table: &ast::Table) -> TableDef {
    let mut key_types: Vec<Option<Type>> = vec![None; table.keys.len()];
    let mut value_type: Option<Type> = None;
    let mut rows = Vec::new();
    for row in &table.rows {
        if row.keys.len() != table.keys.len() {
            scope.problems.push(
                CheckError::error(
                    "E130",
                    row.span.0,
                    format!(
                        "this row has {} key(s), but the table has {} key column(s)",
                        row.keys.len(),
                        table.keys.len()
                    ),
                )
                .label("wrong number of keys")
                .help("write one key per column, separated by commas, then `=>` and the value"),
            );
            continue;
        }
        let mut keys = Vec::new();
        for (cell, column) in row.keys.iter().zip(key_types.iter_mut()) {
            let expected = column.clone().unwrap_or(Type::Error);
            let Some(value) = constant(scope, cell, &expected) else {
                continue;
            };
            let found = type_of(&value);
            if column.is_none() {
                *column = Some(found);
            }
            keys.push(value);
        }
        let expected = value_type.clone().unwrap_or(Type::Error);
        if let Some(value) = constant(scope, &row.value, &expected) {
            value_type.get_or_insert_with(|| type_of(&value));
            if keys.len() == table.keys.len() {
                rows.push((keys, value));
            }
        }
    }
    for (index, key) in table.keys.iter().enumerate() {
        let column_type = key_types.get(index).cloned().flatten();
        if key.matching == ast::KeyMatch::Step && column_type.as_ref().is_some_and(|t| !super::types::is_ordered(t)) {
            scope.problems.push(
                CheckError::error(
                    "E134",
                    key.name.span,
                    format!("key `{}` matches by `from`, but its keys cannot be ordered", key.name.node),
                )
                .help("use `is` for keys that are names, `from` for numbers, amounts and durations"),
            );
        }
    }
    if let [only] = table.keys.as_slice() {
        let ascending = rows.windows(2).all(|pair| match pair {
            [a, b] => less_than(a.0.first(), b.0.first()),
            _ => true,
        });
        if only.matching == ast::KeyMatch::Step && !ascending {
            scope.problems.push(
                CheckError::warning(
                    "W005",
                    table.name.span,
                    format!("the keys of table `{}` are not increasing", table.name.node),
                )
                .help("write tiers from the smallest key to the largest, so the table reads like the price list"),
            );
        }
    }
    let key_types = key_types.into_iter().map(|t| t.unwrap_or(Type::Error)).collect();
    scope.tables.push((table.name.node.clone(), key_types, value_type.unwrap_or(Type::Error)));
    let matching = table.keys.iter().map(|k| k.matching).collect();
    TableDef { name: table.name.node.clone(), matching, rows }
}

fn less_than(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => crate::eval::compare(a, b).is_some_and(|o| o.is_lt()),
        _ => true,
    }
}

fn type_of(value: &Value) -> Type {
    match value {
        Value::Money(_) => Type::Money,
        Value::Number(_) => Type::Number,
        Value::Duration(_) => Type::Duration,
        Value::Period(_) => Type::Period,
        Value::Instant(_) => Type::Instant,
        Value::Date(_) => Type::Date,
        Value::Bool(_) => Type::Bool,
        Value::Text(_) => Type::Text,
        Value::Symbol(name) => Type::Symbol(SymbolSet::Free(name.to_string())),
        Value::Missing => Type::Error,
    }
}

fn rule_def(scope: &mut Scope<'_>, rule: &ast::Rule, source: &str) -> RuleDef {
    let mut conditions = Vec::new();
    for condition in &rule.conditions {
        for part in conjuncts(condition) {
            conditions.push(scope.condition(part));
        }
    }
    let review = match rule.review.as_ref().map(|r| r.node.as_str()) {
        None | Some("auto") => Review::Auto,
        Some("manual") => Review::Manual,
        Some(other) => {
            let span = rule.review.as_ref().map_or(rule.span.0, |r| r.span);
            scope.problems.push(
                CheckError::error("E118", span, format!("`{other}` is not a review mode"))
                    .help("write `review manual` or `review auto`")
                    .suggest(other, ["manual", "auto"]),
            );
            Review::Auto
        }
    };
    let action = match &rule.action {
        ast::Action::Deny(_) => ActionDef::Deny,
        ast::Action::Refund(parts) | ast::Action::ManualReview(parts) => ActionDef::Refund {
            parts: parts.iter().map(|p| part_def(scope, p, source)).collect(),
            manual: matches!(rule.action, ast::Action::ManualReview(_)),
        },
    };
    let review = if matches!(action, ActionDef::Refund { manual: true, .. }) { Review::Manual } else { review };
    RuleDef {
        name: rule.name.node.clone(),
        message: rule.message.clone(),
        conditions,
        notes: rule.notes.clone(),
        review,
        action,
        span: rule.span.0,
    }
}

/// A condition split at its top-level `and`s, so the "why" can name the part that failed.
fn conjuncts(e: &ast::Expr) -> Vec<&ast::Expr> {
    match &e.node {
        ExprKind::Binary(BinaryOp::And, l, r) => {
            let mut all = conjuncts(l);
            all.extend(conjuncts(r));
            all
        }
        _ => vec![e],
    }
}

fn part_def(scope: &mut Scope<'_>, part: &ast::Part, source: &str) -> PartDef {
    let base = scope.money(&part.base, "the amount to refund");
    let label = part.label.clone().unwrap_or_else(|| part.base.span.text(source).to_owned());
    scope.amount_allowed = true;
    let steps = part
        .steps
        .iter()
        .map(|step| {
            let value = match step.kind {
                StepKind::ReviewWhen => scope.condition(&step.value),
                _ => scope.money(&step.value, "a receipt step"),
            };
            let upper = step.upper.as_ref().map(|u| scope.money(u, "the upper bound of `clamp`"));
            let label = step.label.clone().unwrap_or_else(|| step.span.0.text(source).to_owned());
            StepDef { kind: step.kind, value, upper, label, span: step.span.0 }
        })
        .collect();
    scope.amount_allowed = false;
    let destination = match &part.destination {
        ast::Destination::To(choice) => DestinationDef::To(choice_def(scope, choice)),
        ast::Destination::Split(shares) => DestinationDef::Split(
            shares
                .iter()
                .map(|(weight, choice)| {
                    let node = scope.expr(weight);
                    if !matches!(node.value_type, Type::Money | Type::Number | Type::Error) {
                        scope.problems.push(
                            CheckError::error("E119", weight.span, "a share's weight must be money or a number").help(
                                "split by what was paid: `split order.paid.cash to balance, order.paid.gift to gift`",
                            ),
                        );
                    }
                    (node, choice_def(scope, choice))
                })
                .collect(),
        ),
    };
    PartDef { base, label, steps, destination }
}

fn choice_def(scope: &mut Scope<'_>, choice: &ast::Choice) -> ChoiceDef {
    match choice {
        ast::Choice::Named(name) => match Destination::from_name(&name.node) {
            Some(found) => ChoiceDef::Fixed(found),
            None => {
                let members = DESTINATIONS.members().unwrap_or_default();
                scope.problems.push(
                    CheckError::error("E119", name.span, format!("`{}` is not a destination", name.node))
                        .label("unknown destination")
                        .help("money goes to `original`, `balance`, `gift` or `voucher`")
                        .suggest(&name.node, members),
                );
                ChoiceDef::Fixed(Destination::Original)
            }
        },
        ast::Choice::If(condition, then, otherwise) => ChoiceDef::If(
            Box::new(scope.condition(condition)),
            Box::new(choice_def(scope, then)),
            Box::new(choice_def(scope, otherwise)),
        ),
    }
}

fn examples(scope: &mut Scope<'_>, file: &ast::PolicyFile, program: &mut Program) {
    let base = file.items.iter().find_map(|item| match item {
        Item::BaseOrder(object) => Some(json(&object.node)),
        _ => None,
    });
    let rule_names: Vec<String> = program.rules.iter().map(|r| r.name.clone()).collect();
    for item in &file.items {
        let Item::Example(example) = item else {
            continue;
        };
        let mut order = base.clone().unwrap_or_else(|| serde_json::Value::Object(serde_json::Map::new()));
        merge(&mut order, json(&example.order.node));
        let order = match Order::from_json_value(order) {
            Ok(order) => order,
            Err(error) => {
                scope.problems.push(
                    CheckError::error("E141", example.order.span, format!("the order of example \"{}\" is not valid: {error}", example.name.node))
                        .label("invalid order")
                        .help("examples start from `base order { ... }` and override fields; together they must form a valid order"),
                );
                continue;
            }
        };
        let expect = &example.expect;
        let outcome = Outcome::from_name(&expect.outcome.node).unwrap_or(Outcome::Refund);
        let amount = expect.amount.as_ref().and_then(|a| expected_money(scope, a));
        let to = expect
            .to
            .iter()
            .filter_map(|(name, amount)| {
                let destination = choice_def(scope, &ast::Choice::Named(name.clone()));
                let ChoiceDef::Fixed(destination) = destination else {
                    return None;
                };
                Some((destination, amount.as_ref().and_then(|a| expected_money(scope, a))))
            })
            .collect();
        if let Some(by) = &expect.by {
            if !rule_names.contains(&by.node) {
                scope.problems.push(
                    CheckError::error("E142", by.span, format!("there is no rule named `{}`", by.node))
                        .label("unknown rule")
                        .suggest(&by.node, rule_names.iter().map(String::as_str)),
                );
            }
        }
        program.examples.push(ExampleDef {
            name: example.name.node.clone(),
            order,
            outcome,
            amount,
            to,
            by: expect.by.as_ref().map(|b| b.node.clone()),
            span: example.name.span,
        });
    }
}

fn expected_money(scope: &mut Scope<'_>, e: &ast::Expr) -> Option<rust_decimal::Decimal> {
    match constant(scope, e, &Type::Money)? {
        Value::Money(amount) => Some(amount),
        _ => None,
    }
}

/// An inline order as JSON, numbers kept exactly as written.
fn json(object: &ast::Object) -> serde_json::Value {
    let map = object
        .iter()
        .map(|(key, value)| {
            let value = match &value.node {
                ObjectValue::Object(inner) => json(inner),
                ObjectValue::Number(text) => serde_json::Number::from_str(text)
                    .map(serde_json::Value::Number)
                    .unwrap_or_else(|_| serde_json::Value::String(text.clone())),
                ObjectValue::Text(text) => serde_json::Value::String(text.clone()),
                ObjectValue::Bool(b) => serde_json::Value::Bool(*b),
            };
            (key.node.clone(), value)
        })
        .collect();
    serde_json::Value::Object(map)
}

/// Overlays `over` on `base`, object by object.
fn merge(base: &mut serde_json::Value, over: serde_json::Value) {
    match (base, over) {
        (serde_json::Value::Object(base), serde_json::Value::Object(over)) => {
            for (key, value) in over {
                match base.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, over) => *base = over,
    }
}

/// Warnings about the order of rules: no catch-all, or a rule hidden behind one.
fn rule_warnings(problems: &mut Vec<CheckError>, program: &Program, file: &ast::PolicyFile) {
    let spans: Vec<Span> = file
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Rule(rule) => Some(rule.name.span),
            _ => None,
        })
        .collect();
    let mut covered: HashMap<crate::order::Field, Vec<String>> = HashMap::new();
    let mut catch_all: Option<&str> = None;
    for (rule, span) in program.rules.iter().zip(&spans) {
        if let Some(earlier) = catch_all {
            problems.push(
                CheckError::warning("W003", *span, format!("rule `{}` can never decide", rule.name))
                    .label("unreachable")
                    .help(format!(
                        "rule `{earlier}` above it matches every order; move this rule above it or remove it"
                    )),
            );
            continue;
        }
        if rule.conditions.is_empty() {
            catch_all = Some(&rule.name);
            continue;
        }
        if let [only] = rule.conditions.as_slice() {
            if let Some((field, symbol)) = field_is_symbol(only) {
                let members = covered.entry(field).or_default();
                members.push(symbol);
                let all = field.value_type();
                if let Type::Symbol(set) = all {
                    if set.members().is_some_and(|m| m.iter().all(|s| members.iter().any(|c| c == s))) {
                        catch_all = Some(&rule.name);
                    }
                }
            }
        }
    }
    if catch_all.is_none() {
        let at = spans.last().copied().unwrap_or(file.id.span);
        problems.push(
            CheckError::warning("W001", at, "no rule matches every order").label("the last rule has conditions").help(
                "an order no rule matches is an evaluation error; end with a rule without `when` (for example `deny`)",
            ),
        );
    }
}

/// `order.FIELD == symbol`, as (field, symbol).
fn field_is_symbol(node: &Node) -> Option<(crate::order::Field, String)> {
    let NodeKind::Binary(BinaryOp::Eq, l, r) = &node.kind else {
        return None;
    };
    match (&l.kind, &r.kind) {
        (NodeKind::Field(field), NodeKind::Const(Value::Symbol(s)))
        | (NodeKind::Const(Value::Symbol(s)), NodeKind::Field(field)) => Some((*field, s.to_string())),
        _ => None,
    }
}
