//! Warnings: the policy works, but probably not as meant. Rules no order can reach, the lack
//! of a rule for every other order, tables and attributes never read, refunds not capped.

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::ast::{self, BinaryOp, Item};
use crate::check::Finding;
use crate::order::Field;
use crate::program::{every_node, walk, Node, NodeKind, Program};
use crate::value::{Type, Value};

/// Every lint of one policy block.
pub(super) fn all(problems: &mut Vec<Finding>, program: &Program, block: &ast::PolicyBlock, source: &str) {
    rule_order(problems, program, source);
    unused(problems, program, block);
    super::capped::uncapped(problems, program);
    super::contradictions::contradictions(problems, program, source);
}

/// How many rules before a rule are compared with it for W006. Comparing every pair is
/// quadratic: 40,000 rules took minutes to check. A real policy has a few dozen rules, all
/// within the window.
const SHADOW_WINDOW: usize = 500;

/// No catch-all; a rule behind a catch-all; a rule whose conditions imply an earlier rule's.
fn rule_order(problems: &mut Vec<Finding>, program: &Program, source: &str) {
    let mut covered: HashMap<Field, Vec<String>> = HashMap::new();
    let mut catch_all: Option<&str> = None;
    for (index, rule) in program.rules.iter().enumerate() {
        if let Some(earlier) = catch_all {
            problems.push(
                Finding::warning("W003", rule.name_span, format!("rule `{}` can never decide", rule.name))
                    .label("unreachable")
                    .help(format!(
                        "rule `{earlier}` above it matches every order; move this rule above it or remove it"
                    )),
            );
            continue;
        }
        let nearest = index.saturating_sub(SHADOW_WINDOW);
        let shadow = program.rules.iter().take(index).skip(nearest).find(|earlier| {
            earlier.conditions.iter().all(|a| rule.conditions.iter().any(|b| implies(program, source, b, a)))
        });
        if let Some(earlier) = shadow {
            problems.push(
                Finding::warning("W006", rule.name_span, format!("rule `{}` can never decide", rule.name))
                    .label("shadowed")
                    .help(format!(
                        "whenever its conditions hold, those of rule `{}` above it hold too; move this rule above it",
                        earlier.name
                    )),
            );
        }
        if rule.conditions.is_empty() {
            catch_all = Some(&rule.name);
            continue;
        }
        if let [only] = rule.conditions.as_slice() {
            if let Some((field, symbol)) = field_is_symbol(only) {
                let members = covered.entry(field).or_default();
                members.push(symbol);
                if let Type::Symbol(set) = field.value_type() {
                    if set.members().is_some_and(|m| m.iter().all(|s| members.iter().any(|c| c == s))) {
                        catch_all = Some(&rule.name);
                    }
                }
            }
        }
    }
    if catch_all.is_none() {
        let at = program.rules.last().map(|r| r.name_span).unwrap_or_default();
        problems.push(
            Finding::warning("W001", at, "no rule matches every order").label("the last rule has conditions").help(
                "an order no rule matches is an evaluation error; end with a rule without `when` (for example `deny`)",
            ),
        );
    }
}

/// `order.FIELD == symbol`, as (field, symbol).
fn field_is_symbol(node: &Node) -> Option<(Field, String)> {
    let NodeKind::Binary(BinaryOp::Eq, l, r) = &node.kind else { return None };
    match (&l.kind, &r.kind) {
        (NodeKind::Field(field), NodeKind::Const(Value::Symbol(s)))
        | (NodeKind::Const(Value::Symbol(s)), NodeKind::Field(field)) => Some((*field, s.to_string())),
        _ => None,
    }
}

/// Whether `b` holding means `a` holds: the same condition, a named condition's definition,
/// or a tighter bound on the same value (`held < 3 days` implies `held < 5 days`).
fn implies(program: &Program, source: &str, b: &Node, a: &Node) -> bool {
    let (b, a) = (definition(program, b), definition(program, a));
    if b.span.text(source) == a.span.text(source) {
        return true;
    }
    let (Some((b_op, b_side, b_bound)), Some((a_op, a_side, a_bound))) = (bound(b), bound(a)) else {
        return false;
    };
    if b_side.span.text(source) != a_side.span.text(source) {
        return false;
    }
    let Some(order) = b_bound.compare(a_bound) else { return false };
    match (b_op, a_op) {
        (BinaryOp::Lt, BinaryOp::Lt) | (BinaryOp::Le, BinaryOp::Le) | (BinaryOp::Lt, BinaryOp::Le) => order.is_le(),
        (BinaryOp::Le, BinaryOp::Lt) => order == Ordering::Less,
        (BinaryOp::Gt, BinaryOp::Gt) | (BinaryOp::Ge, BinaryOp::Ge) | (BinaryOp::Gt, BinaryOp::Ge) => order.is_ge(),
        (BinaryOp::Ge, BinaryOp::Gt) => order == Ordering::Greater,
        _ => false,
    }
}

/// A true/false `let` stands for its definition.
fn definition<'p>(program: &'p Program, node: &'p Node) -> &'p Node {
    match &node.kind {
        NodeKind::Binding(index) if node.value_type == Type::Bool => {
            program.bindings.get(*index).map_or(node, |b| definition(program, &b.value))
        }
        _ => node,
    }
}

/// `VALUE < CONSTANT` (or `<=`, `>`, `>=`) as (operator, value, constant).
fn bound(node: &Node) -> Option<(BinaryOp, &Node, &Value)> {
    let NodeKind::Binary(op, l, r) = &node.kind else { return None };
    match (&l.kind, &r.kind) {
        (_, NodeKind::Const(c)) if matches!(op, BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge) => {
            Some((*op, l, c))
        }
        _ => None,
    }
}

/// Tables and attributes declared but never read.
fn unused(problems: &mut Vec<Finding>, program: &Program, block: &ast::PolicyBlock) {
    let mut tables = vec![false; program.tables.len()];
    let mut attributes = vec![false; program.attributes.len()];
    let mut mark = |node: &Node| match &node.kind {
        NodeKind::Table(index, _) => {
            if let Some(used) = tables.get_mut(*index) {
                *used = true;
            }
        }
        NodeKind::Attribute(index) => {
            if let Some(used) = attributes.get_mut(*index) {
                *used = true;
            }
        }
        _ => {}
    };
    for node in every_node(program) {
        walk(node, &mut mark);
    }
    // By name, first declaration first: a lookup per declaration stays linear in the file.
    let mut table_index: HashMap<&str, usize> = HashMap::new();
    for (index, table) in program.tables.iter().enumerate() {
        table_index.entry(table.name.as_str()).or_insert(index);
    }
    let attribute_index: HashMap<&str, usize> =
        program.attributes.iter().enumerate().map(|(index, a)| (a.name.as_str(), index)).collect();
    for item in &block.items {
        let (name, used, what) = match item {
            Item::Table(table) => {
                let index = table_index.get(table.name.node.as_str()).copied();
                (&table.name, index.and_then(|i| tables.get(i)).copied().unwrap_or(true), "table")
            }
            Item::Attribute(attribute) => {
                let index = attribute_index.get(attribute.name.node.as_str()).copied();
                (&attribute.name, index.and_then(|i| attributes.get(i)).copied().unwrap_or(true), "attribute")
            }
            _ => continue,
        };
        if !used {
            problems.push(
                Finding::warning("W007", name.span, format!("the {what} `{}` is never read", name.node))
                    .label("unused")
                    .help("remove it, or use it in a rule"),
            );
        }
    }
}
