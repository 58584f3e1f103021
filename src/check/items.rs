//! Checking a whole file: the header, declarations, rules and examples.

use std::collections::HashMap;

use crate::ast::{self, BinaryOp, BindingKind, ExprKind, Item, StepKind};
use crate::check::expr::Scope;
use crate::check::values::{choice_def, constant, type_of};
use crate::check::{examples, header, lints, Finding};
use crate::decision::Review;
use crate::program::*;
use crate::span::{Span, Spanned};
use crate::value::{SymbolSet, Type, Value};

/// Checks `file`; problems go to `problems`. `None` when the header is too broken to go on.
pub(super) fn check_file(file: &ast::PolicyBlock, source: &str, problems: &mut Vec<Finding>) -> Option<Program> {
    header::duplicate_lines(file, source, problems);
    let mut program = header::header(file, problems)?;
    let mut scope = Scope {
        source,
        currency: program.currency.clone(),
        problems,
        attributes: Vec::new(),
        bindings: Vec::new(),
        all_bindings: HashMap::new(),
        tables: Vec::new(),
        table_names: Vec::new(),
        used: Vec::new(),
        used_early: Vec::new(),
        amount_allowed: false,
        reads_order: false,
        binding_index: HashMap::new(),
        attribute_index: HashMap::new(),
        table_index: HashMap::new(),
        depths: Vec::new(),
        defining: None,
        attribute_spans: HashMap::new(),
    };
    // Attributes and tables first, and every name: a binding may read any of them.
    declarations(&mut scope, file, &mut program);
    let binding_names = bindings(&mut scope, file, &mut program);
    rules(&mut scope, file, &mut program);
    quota_periods_agree(&file.items, scope.problems, source);
    invariants(&mut scope, file, &mut program);
    program.attributes = scope.attributes.clone();
    examples::examples(&mut scope, file, &mut program);
    unused_names(&mut scope, &binding_names);
    // The lints follow names recursively: past the depth limit they are not safe to run, and
    // the policy cannot be used anyway.
    if !scope.problems.iter().any(|p| p.code == "E108") {
        lints::all(scope.problems, &program, file, source);
    }
    Some(program)
}

/// Attributes and tables, checked; every `let` and `const` name, known (and given once).
fn declarations(scope: &mut Scope<'_>, file: &ast::PolicyBlock, program: &mut Program) {
    let source = scope.source;
    let mut table_spans = Vec::new();
    for item in &file.items {
        match item {
            Item::Attribute(attribute) => attribute_def(scope, attribute),
            Item::Table(table) => {
                if let Some(first) = scope.table_index.get(&table.name.node).and_then(|i| table_spans.get(*i)) {
                    duplicate(scope.problems, source, "table", &table.name, *first);
                }
                table_spans.push(table.name.span);
                program.tables.push(table_def(scope, table));
            }
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
}

/// Every `let` and `const`, in order; their names, for the unused-name warning.
fn bindings(scope: &mut Scope<'_>, file: &ast::PolicyBlock, program: &mut Program) -> Vec<Spanned<String>> {
    let mut names = Vec::new();
    for item in &file.items {
        let Item::Binding(binding) = item else { continue };
        scope.reads_order = false;
        scope.defining = Some(binding.name.node.clone());
        let value = scope.expr(&binding.value);
        scope.defining = None;
        if binding.kind == BindingKind::Const && scope.reads_order {
            scope.problems.push(
                Finding::error("E107", binding.value.span, format!("const `{}` reads the order", binding.name.node))
                    .label("reads the order")
                    .help(format!(
                        "a const is the same for every order; write `let {} = ...` instead",
                        binding.name.node
                    )),
            );
        }
        let reads = scope.reads_order;
        let depth = scope.depth(&value);
        let what = format!("`{}`", binding.name.node);
        let depth = depth.filter(|d| scope.within_depth(Some(*d), binding.name.span, &what));
        scope.depths.push(depth);
        scope.binding_index.entry(binding.name.node.clone()).or_insert(scope.bindings.len());
        scope.bindings.push((binding.name.node.clone(), value.value_type.clone(), binding.kind, reads));
        scope.used.push(false);
        names.push(binding.name.clone());
        program.bindings.push(BindingDef { name: binding.name.node.clone(), value });
    }
    names
}

/// Every rule, in order (each name given once).
fn rules(scope: &mut Scope<'_>, file: &ast::PolicyBlock, program: &mut Program) {
    let source = scope.source;
    let mut rule_names: HashMap<String, Span> = HashMap::new();
    for item in &file.items {
        let Item::Rule(rule) = item else { continue };
        match rule_names.get(&rule.name.node) {
            Some(first) => duplicate(scope.problems, source, "rule", &rule.name, *first),
            None => {
                rule_names.insert(rule.name.node.clone(), rule.name.span);
            }
        }
        program.rules.push(rule_def(scope, rule, source));
    }
}

/// Every `invariant`: a condition on each decision (which may read `amount`), or
/// `monotone in held`.
fn invariants(scope: &mut Scope<'_>, file: &ast::PolicyBlock, program: &mut Program) {
    for item in &file.items {
        let Item::Invariant(invariant) = item else { continue };
        let condition = match &invariant.kind {
            ast::InvariantKind::MonotoneInHeld => None,
            ast::InvariantKind::Holds(e) => {
                scope.amount_allowed = true;
                let node = scope.condition(e);
                scope.amount_allowed = false;
                let depth = scope.depth(&node);
                scope.within_depth(depth, node.span, "this promise");
                Some(node)
            }
        };
        let text = invariant.span.0.text(scope.source).trim().to_owned();
        program.invariants.push(InvariantDef { condition, text });
    }
}

/// W004 for every `let` or `const` nothing reads.
fn unused_names(scope: &mut Scope<'_>, names: &[Spanned<String>]) {
    for (name, used) in names.iter().zip(&scope.used) {
        if !used && !scope.used_early.contains(&name.node) {
            scope.problems.push(
                Finding::warning("W004", name.span, format!("`{}` is never used", name.node))
                    .label("unused")
                    .help("remove it, or use it in a rule"),
            );
        }
    }
}

fn duplicate(problems: &mut Vec<Finding>, source: &str, what: &str, name: &Spanned<String>, first: Span) {
    let line = super::line_of(source, first.start);
    problems.push(
        Finding::error("E105", name.span, format!("the {what} `{}` is defined twice", name.node))
            .label("defined again here")
            .help(format!("the first is on line {line}: rename one of them")),
    );
}

fn attribute_def(scope: &mut Scope<'_>, attribute: &ast::Attribute) {
    let name = &attribute.name;
    if let Some(first) = scope.attribute_spans.get(&name.node) {
        let first = *first;
        duplicate(scope.problems, scope.source, "attribute", name, first);
        return;
    }
    scope.attribute_spans.insert(name.node.clone(), name.span);
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
                    Finding::error("E116", attribute.type_name.span, format!("`{other}` is not a type"))
                        .label("unknown type")
                        .help("a type is money, number, count, percent, duration, instant, date, bool, text or one_of(a, b)")
                        .suggest(other, known),
                );
                Type::Error
            }
        },
    };
    let default = attribute.default.as_ref().and_then(|e| constant(scope, e, &value_type));
    let declared = match &attribute.type_name.node {
        ast::TypeName::Named(type_name) => type_name.clone(),
        ast::TypeName::OneOf(_) => "one_of".to_owned(),
    };
    scope.defining = Some(format!("order.attributes.{}", name.node));
    let at_least = attribute.at_least.as_ref().and_then(|b| bound(scope, name, &value_type, b, "at least"));
    let at_most = attribute.at_most.as_ref().and_then(|b| bound(scope, name, &value_type, b, "at most"));
    scope.defining = None;
    bounds_agree(scope, attribute, default.as_ref(), at_least.as_ref(), at_most.as_ref());
    scope.attribute_index.insert(name.node.clone(), scope.attributes.len());
    scope.attributes.push(AttributeDef { name: name.node.clone(), value_type, declared, default, at_least, at_most });
}

/// `at least LOW` / `at most HIGH` of an attribute: a value of the attribute's own type, which
/// must be one that has an order (an amount, a number, a duration, an instant or a date).
fn bound(
    scope: &mut Scope<'_>,
    name: &Spanned<String>,
    value_type: &Type,
    limit: &ast::Expr,
    which: &str,
) -> Option<Bound> {
    let node = scope.expr(limit);
    let depth = scope.depth(&node);
    if !scope.within_depth(depth, limit.span, "this bound")
        || node.value_type == Type::Error
        || *value_type == Type::Error
    {
        return None;
    }
    if !super::types::is_ordered(value_type) {
        scope.problems.push(
            Finding::error("E129", limit.span, format!("attribute `{}` is {value_type}, which has no `{which}`", name.node))
                .label("no order to bound")
                .help("only amounts, numbers, counts, percentages, durations, instants and dates can have `at least` and `at most`; remove the bound"),
        );
        return None;
    }
    if node.value_type != *value_type {
        let found = node.value_type.clone();
        scope.problems.push(
            Finding::error(
                "E129",
                limit.span,
                format!("attribute `{}` is {value_type}, but its `{which}` bound is {found}", name.node),
            )
            .label(format!("this is {found}"))
            .help(format!("write the bound as {value_type}, such as `{which} order.paid.total` for an amount")),
        );
        return None;
    }
    Some(Bound { limit: node, text: limit.span.text(scope.source).trim().to_owned() })
}

/// Constant bounds that leave no value (`at least 10 at most 1`), or a default outside them.
fn bounds_agree(
    scope: &mut Scope<'_>,
    attribute: &ast::Attribute,
    default: Option<&Value>,
    at_least: Option<&Bound>,
    at_most: Option<&Bound>,
) {
    let constant = |b: Option<&Bound>| match b.map(|b| &b.limit.kind) {
        Some(NodeKind::Const(value)) => Some(value.clone()),
        _ => None,
    };
    let (low, high) = (constant(at_least), constant(at_most));
    let below = |a: &Value, b: &Value| a.compare(b).is_some_and(|o| o.is_lt());
    if let (Some(low), Some(high), Some(span)) = (&low, &high, attribute.at_most.as_ref().map(|e| e.span)) {
        if below(high, low) {
            scope.problems.push(
                Finding::error(
                    "E129",
                    span,
                    format!("attribute `{}` can be at most {high} but at least {low}", attribute.name.node),
                )
                .label("below the `at least` bound")
                .help("no value fits: swap the two bounds, or correct one of them"),
            );
            return;
        }
    }
    let (Some(default), Some(span)) = (default, attribute.default.as_ref().map(|e| e.span)) else { return };
    let outside =
        low.as_ref().is_some_and(|low| below(default, low)) || high.as_ref().is_some_and(|high| below(high, default));
    if outside {
        scope.problems.push(
            Finding::error(
                "E129",
                span,
                format!("the default of attribute `{}` is outside its bounds", attribute.name.node),
            )
            .label("outside `at least` .. `at most`")
            .help("give a default between the two bounds"),
        );
    }
}

fn table_def(scope: &mut Scope<'_>, table: &ast::Table) -> TableDef {
    let mut key_types: Vec<Option<Type>> = vec![None; table.keys.len()];
    let mut value_type: Option<Type> = None;
    let mut rows = Vec::new();
    for row in &table.rows {
        if row.keys.len() != table.keys.len() {
            scope.problems.push(
                Finding::error(
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
    table_shape(scope, table, &key_types, &rows);
    let key_types = key_types.into_iter().map(|t| t.unwrap_or(Type::Error)).collect();
    scope.table_index.entry(table.name.node.clone()).or_insert(scope.tables.len());
    scope.tables.push((table.name.node.clone(), key_types, value_type.unwrap_or(Type::Error)));
    let names: Vec<Vec<String>> = (0..table.keys.len())
        .map(|column| {
            rows.iter()
                .filter_map(|(keys, _)| match keys.get(column) {
                    Some(Value::Symbol(name)) => Some(name.to_string()),
                    _ => None,
                })
                .collect()
        })
        .collect();
    scope.table_names.push(names);
    let matching = table.keys.iter().map(|k| k.matching).collect();
    TableDef { name: table.name.node.clone(), matching, rows }
}

/// E134 (`from` on keys that cannot be ordered), E136 (no rows), W005 (tiers not increasing).
fn table_shape(scope: &mut Scope<'_>, table: &ast::Table, key_types: &[Option<Type>], rows: &[(Vec<Value>, Value)]) {
    for (index, key) in table.keys.iter().enumerate() {
        let column_type = key_types.get(index).cloned().flatten();
        if key.matching == ast::KeyMatch::Step && column_type.as_ref().is_some_and(|t| !super::types::is_ordered(t)) {
            scope.problems.push(
                Finding::error(
                    "E134",
                    key.name.span,
                    format!("key `{}` matches by `from`, but its keys cannot be ordered", key.name.node),
                )
                .help("use `is` for keys that are names, `from` for numbers, amounts and durations"),
            );
        }
    }
    if table.rows.is_empty() {
        scope.problems.push(
            Finding::error("E136", table.name.span, format!("table `{}` has no rows", table.name.node))
                .label("empty table")
                .help("write its rows between the braces, one `KEY => VALUE` per line"),
        );
    }
    if let [only] = table.keys.as_slice() {
        let ascending = rows.windows(2).all(|pair| match pair {
            [a, b] => less_than(a.0.first(), b.0.first()),
            _ => true,
        });
        if only.matching == ast::KeyMatch::Step && !ascending {
            scope.problems.push(
                Finding::warning(
                    "W005",
                    table.name.span,
                    format!("the keys of table `{}` are not increasing", table.name.node),
                )
                .help("write tiers from the smallest key to the largest, so the table reads like the price list"),
            );
        }
    }
}

/// Whether `a` comes before `b`; keys that cannot be ordered (names) are in order.
fn less_than(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.compare(b).is_none_or(|o| o.is_lt()),
        _ => true,
    }
}

/// Every rule that uses the no-reason quota says the same about when it starts again: it is
/// one quota of the account, whichever rule refunds.
fn quota_periods_agree(items: &[Item], problems: &mut Vec<Finding>, source: &str) {
    let mut first: Option<&ast::Uses> = None;
    let uses = items.iter().filter_map(|item| match item {
        Item::Rule(rule) => Some(rule.uses.iter()),
        _ => None,
    });
    for current in uses.flatten().filter(|u| u.quota.node == "no_reason_refund") {
        let Some(earlier) = first else {
            first = Some(current);
            continue;
        };
        let period = |u: &ast::Uses| u.period.as_ref().map(|p| p.node.clone());
        if period(earlier) != period(current) {
            let said = |u: &ast::Uses| match &u.period {
                Some(p) => format!("`per calendar {}`", p.node),
                None => "no period".to_owned(),
            };
            let line = super::line_of(source, earlier.quota.span.start);
            problems.push(
                Finding::error("E156", current.quota.span, "rules disagree on when the no-reason quota starts again")
                    .label(format!("{} here, {} at line {line}", said(current), said(earlier)))
                    .help("the account has one no-reason quota: give every `uses no_reason_refund` the same `per calendar ...`"),
            );
        }
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
                Finding::error("E118", span, format!("`{other}` is not a review mode"))
                    .help("write `review manual` or `review auto`")
                    .suggest(other, ["manual", "auto"]),
            );
            Review::Auto
        }
    };
    let mut no_reason_period = None;
    for uses in &rule.uses {
        let quota = &uses.quota;
        if quota.node != "no_reason_refund" {
            scope.problems.push(
                Finding::error("E128", quota.span, format!("`{}` is not a quota a rule can use", quota.node))
                    .label("unknown quota")
                    .help("the quota is `no_reason_refund`: `uses no_reason_refund`")
                    .suggest(&quota.node, ["no_reason_refund"]),
            );
        }
        no_reason_period = uses.period.as_ref().and_then(|period| match period.node.as_str() {
            "year" => Some(QuotaPeriod::CalendarYear),
            "month" => Some(QuotaPeriod::CalendarMonth),
            other => {
                scope.problems.push(
                    Finding::error("E155", period.span, format!("`{other}` is not a calendar period"))
                        .label("unknown period")
                        .help("write `per calendar year` or `per calendar month`, or leave `per` out for a quota that never starts again")
                        .suggest(other, ["year", "month"]),
                );
                None
            }
        });
    }
    let action = match &rule.action {
        ast::Action::Deny(_) => ActionDef::Deny,
        ast::Action::Refund(parts) | ast::Action::ManualReview(parts) => ActionDef::Refund {
            parts: parts.iter().map(|p| part_def(scope, p, source)).collect(),
            manual: matches!(rule.action, ast::Action::ManualReview(_)),
        },
    };
    let review = if matches!(action, ActionDef::Refund { manual: true, .. }) { Review::Manual } else { review };
    limit_depth(scope, &conditions, &action);
    RuleDef {
        name: rule.name.node.clone(),
        name_span: rule.name.span,
        message: rule.message.clone(),
        conditions,
        notes: rule.notes.clone(),
        review,
        uses_no_reason_refund: rule.uses.iter().any(|u| u.quota.node == "no_reason_refund"),
        no_reason_period,
        action,
        span: rule.span.0,
    }
}

/// Every value a rule computes is within [`crate::limits::MAX_DEPTH`] levels, counting the
/// names it reads and, for a destination, the `if`s it is chosen through.
fn limit_depth(scope: &mut Scope<'_>, conditions: &[Node], action: &ActionDef) {
    let mut nodes: Vec<&Node> = conditions.iter().collect();
    let mut choices: Vec<&ChoiceDef> = Vec::new();
    if let ActionDef::Refund { parts, .. } = action {
        for part in parts {
            nodes.push(&part.base);
            for step in &part.steps {
                nodes.push(&step.value);
                nodes.extend(step.upper.as_ref());
            }
            match &part.destination {
                DestinationDef::To(choice) => choices.push(choice),
                DestinationDef::Split(shares) => {
                    for (weight, choice) in shares {
                        nodes.push(weight);
                        choices.push(choice);
                    }
                }
            }
        }
    }
    for node in nodes {
        let depth = scope.depth(node);
        scope.within_depth(depth, node.span, "this value");
    }
    for choice in choices {
        if let (ChoiceDef::If(condition, ..), depth) = (choice, choice_depth(scope, choice)) {
            scope.within_depth(depth, condition.span, "this destination");
        }
    }
}

/// How deep a destination is chosen: one level per `if`, plus the deepest condition.
fn choice_depth(scope: &Scope<'_>, choice: &ChoiceDef) -> Option<usize> {
    match choice {
        ChoiceDef::Fixed(_) => Some(1),
        ChoiceDef::If(condition, then, otherwise) => {
            let deepest = scope.depth(condition)?.max(choice_depth(scope, then)?).max(choice_depth(scope, otherwise)?);
            Some(deepest + 1)
        }
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
        ast::RefundTarget::To(choice) => DestinationDef::To(choice_def(scope, choice)),
        ast::RefundTarget::Split(shares) => DestinationDef::Split(
            shares
                .iter()
                .map(|(weight, choice)| {
                    let node = scope.expr(weight);
                    if !matches!(node.value_type, Type::Money | Type::Number | Type::Error) {
                        scope.problems.push(
                            Finding::error("E119", weight.span, "a share's weight must be money or a number").help(
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
