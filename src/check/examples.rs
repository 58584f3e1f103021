//! Examples written in a policy: the base order, each example's order built on it, and what
//! it expects.

use std::str::FromStr;

use crate::ast::{self, Item, ObjectValue};
use crate::check::expr::Scope;
use crate::check::values::{choice_def, constant};
use crate::check::Finding;
use crate::decision::Outcome;
use crate::order::Order;
use crate::program::{ChoiceDef, ExampleDef, Program};
use crate::value::{Type, Value};

/// Builds every example's order and expectation into `program`.
pub(super) fn examples(scope: &mut Scope<'_>, file: &ast::PolicyBlock, program: &mut Program) {
    let base = file.items.iter().find_map(|item| match item {
        Item::BaseOrder(object) => Some(json(&object.node)),
        _ => None,
    });
    let rule_names: Vec<String> = program.rules.iter().map(|r| r.name.clone()).collect();
    let mut titles: std::collections::HashMap<&str, crate::span::Span> = std::collections::HashMap::new();
    for item in &file.items {
        let Item::Example(example) = item else {
            continue;
        };
        // Results name an example by its title: two with one title cannot be told apart.
        if let Some(first) = titles.get(example.name.node.as_str()).copied() {
            let line = super::line_of(scope.source, first.start);
            scope.problems.push(
                Finding::error(
                    "E105",
                    example.name.span,
                    format!("the example \"{}\" is defined twice", example.name.node),
                )
                .label("the same title again")
                .help(format!("the first is on line {line}: give each example a title of its own")),
            );
        } else {
            titles.insert(&example.name.node, example.name.span);
        }
        let mut order = base.clone().unwrap_or_else(|| serde_json::Value::Object(serde_json::Map::new()));
        crate::order::merge_json(&mut order, json(&example.order.node));
        let order = match Order::from_json_value(order) {
            Ok(order) => order,
            Err(error) => {
                scope.problems.push(
                    Finding::error("E141", example.order.span, format!("the order of example \"{}\" is not valid: {error}", example.name.node))
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
                    Finding::error("E142", by.span, format!("there is no rule named `{}`", by.node))
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
