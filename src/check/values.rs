//! Plain values and refund destinations as written in declarations and examples: table cells,
//! attribute defaults, `to original` and `to if ... then ... else ...`.

use crate::ast::{self, ExprKind};
use crate::check::expr::Scope;
use crate::check::Finding;
use crate::decision::{Destination, DESTINATIONS};
use crate::program::ChoiceDef;
use crate::value::{SymbolSet, Type, Value};

/// A constant written where only constants may stand (defaults, table cells).
pub(super) fn constant(scope: &mut Scope<'_>, e: &ast::Expr, expected: &Type) -> Option<Value> {
    let (value, found) = match &e.node {
        ExprKind::Literal(literal) => scope.literal(literal, e.span)?,
        ExprKind::Path(path) if path.len() == 1 => {
            let name = path.first()?;
            (Value::Symbol(name.as_str().into()), Type::Symbol(SymbolSet::Free(name.clone())))
        }
        _ => {
            scope.problems.push(
                Finding::error("E117", e.span, "only a plain value can stand here")
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
            Finding::error("E110", e.span, format!("expected {expected}, found {found}"))
                .label(format!("this is {found}")),
        );
        return None;
    }
    Some(value)
}

/// The type of a plain value (a bare name is a symbol of no set yet).
pub(super) fn type_of(value: &Value) -> Type {
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

/// Where money goes: a destination by name, or chosen by a condition.
pub(super) fn choice_def(scope: &mut Scope<'_>, choice: &ast::Choice) -> ChoiceDef {
    match choice {
        ast::Choice::Named(name) => match Destination::from_name(&name.node) {
            Some(found) => ChoiceDef::Fixed(found),
            None => {
                let members = DESTINATIONS.members().unwrap_or_default();
                scope.problems.push(
                    Finding::error("E119", name.span, format!("`{}` is not a destination", name.node))
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
