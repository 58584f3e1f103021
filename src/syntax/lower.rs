//! pest pairs to AST nodes. The grammar guarantees each pair's shape; where code must still
//! ask for a child, a missing one becomes a [`SyntaxError`] instead of a panic.

use std::str::FromStr;
use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate};
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use rust_decimal::Decimal;

use super::{Rule, SyntaxError};
use crate::ast::*;
use crate::limits::MAX_DEPTH;
use crate::span::{Location, Span, Spanned};

type Result<T> = std::result::Result<T, SyntaxError>;

/// Operator precedence, loosest first.
static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
        .op(Op::prefix(Rule::op_neg))
        .op(Op::postfix(Rule::op_is_missing) | Op::postfix(Rule::op_is_present))
});

/// An error for a pair whose shape the grammar should have ruled out.
pub(super) fn shape_error(span: Span) -> SyntaxError {
    SyntaxError::Unexpected {
        expected: "text the parser understands".to_owned(),
        found: "a construct it could not read".to_owned(),
        span,
        help: None,
    }
}

fn span(pair: &Pair<'_, Rule>) -> Span {
    Span::new(pair.as_span().start(), pair.as_span().end())
}

/// The next child, which the grammar guarantees.
fn child<'i>(pairs: &mut impl Iterator<Item = Pair<'i, Rule>>, parent: Span) -> Result<Pair<'i, Rule>> {
    pairs.next().ok_or_else(|| shape_error(parent))
}

/// Children that are not keywords (keywords carry no data).
fn data<'i>(pair: Pair<'i, Rule>) -> Pairs<'i, Rule> {
    pair.into_inner()
}

/// Whether `rule` is a keyword token that carries no data: every `kw_` rule of the grammar
/// (one per row of the keyword table) but `least` and `most`, which say which bound an
/// attribute's `at ...` is.
fn is_keyword(rule: Rule) -> bool {
    !matches!(rule, Rule::kw_least | Rule::kw_most) && format!("{rule:?}").starts_with("kw_")
}

/// The children of a pair without its keyword tokens.
fn parts(pair: Pair<'_, Rule>) -> Vec<Pair<'_, Rule>> {
    data(pair).filter(|p| !is_keyword(p.as_rule())).collect()
}

fn text(pair: &Pair<'_, Rule>) -> Spanned<String> {
    Spanned::new(pair.as_str().to_owned(), span(pair))
}

/// The top-level `file` pair.
pub(super) fn file(pair: Pair<'_, Rule>) -> Result<File> {
    let policies = data(pair)
        .filter(|p| p.as_rule() == Rule::policy)
        .map(|policy| {
            let whole = span(&policy);
            let mut children = parts(policy).into_iter();
            let id = children.next().ok_or_else(|| shape_error(whole))?;
            let items = children.map(item).collect::<Result<Vec<_>>>()?;
            Ok(PolicyBlock { id: text(&id), items })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(File { policies })
}

fn item(pair: Pair<'_, Rule>) -> Result<Item> {
    let whole = span(&pair);
    let rule = pair.as_rule();
    let mut kids = parts(pair).into_iter();
    let mut next = || kids.next().ok_or_else(|| shape_error(whole));
    Ok(match rule {
        Rule::name_decl => Item::Name(string(&next()?)),
        Rule::currency_decl => Item::Currency(text(&next()?)),
        Rule::timezone_decl => Item::Timezone(string(&next()?)),
        Rule::source_decl => {
            let address = string(&next()?);
            Item::Source { address, read: date(&next()?)? }
        }
        Rule::effective_decl => {
            let from = date(&next()?)?;
            let until = kids.next().map(|d| date(&d)).transpose()?;
            Item::Effective { from, until }
        }
        Rule::versions_decl => Item::VersionsBy(text(&next()?)),
        Rule::version_decl => Item::Version(string(&next()?)),
        Rule::rounding_decl => Item::Rounding(text(&next()?)),
        Rule::attribute_decl => {
            let name = text(&next()?);
            let type_name = type_name(next()?)?;
            let mut default = None;
            let mut description = None;
            let (mut at_least, mut at_most) = (None, None);
            for rest in kids {
                match rest.as_rule() {
                    Rule::string => description = Some(string(&rest).node),
                    Rule::attribute_bound => {
                        let bound_span = span(&rest);
                        let mut inner = data(rest).filter(|p| p.as_rule() != Rule::kw_at);
                        let which = child(&mut inner, bound_span)?.as_rule();
                        let limit = Some(expr(child(&mut inner, bound_span)?)?);
                        if which == Rule::kw_least {
                            at_least = limit;
                        } else {
                            at_most = limit;
                        }
                    }
                    _ => default = Some(expr(rest)?),
                }
            }
            Item::Attribute(Attribute { name, type_name, default, at_least, at_most, description })
        }
        Rule::const_decl | Rule::let_decl => {
            let kind = if rule == Rule::const_decl { BindingKind::Const } else { BindingKind::Let };
            let name = text(&next()?);
            let value = expr(next()?)?;
            let description = kids.next().map(|d| string(&d).node);
            Item::Binding(Binding { kind, name, value, description })
        }
        Rule::table_decl => table(whole, kids.collect())?,
        Rule::rule_decl => Item::Rule(rule_decl(whole, kids.collect())?),
        Rule::base_order_decl => Item::BaseOrder(object(next()?)?),
        Rule::invariant_decl => {
            let body = next()?;
            let kind = match body.as_rule() {
                Rule::monotone => InvariantKind::MonotoneInHeld,
                _ => InvariantKind::Holds(expr(body)?),
            };
            let description = kids.next().map(|d| string(&d).node);
            Item::Invariant(Invariant { kind, description, span: Location(whole) })
        }
        Rule::example_decl => {
            let name = string(&next()?);
            let order = object(next()?)?;
            Item::Example(Example { name, order, expect: expectation(next()?)? })
        }
        _ => return Err(shape_error(whole)),
    })
}

fn type_name(pair: Pair<'_, Rule>) -> Result<Spanned<TypeName>> {
    let whole = span(&pair);
    let inner = child(&mut data(pair), whole)?;
    Ok(match inner.as_rule() {
        Rule::one_of => {
            Spanned::new(TypeName::OneOf(parts(inner).iter().map(|p| p.as_str().to_owned()).collect()), whole)
        }
        _ => Spanned::new(TypeName::Named(inner.as_str().to_owned()), whole),
    })
}

fn table(whole: Span, kids: Vec<Pair<'_, Rule>>) -> Result<Item> {
    let mut name = None;
    let mut description = None;
    let mut keys = Vec::new();
    let mut rows = Vec::new();
    for kid in kids {
        match kid.as_rule() {
            Rule::ident => name = Some(text(&kid)),
            Rule::string => description = Some(string(&kid).node),
            Rule::table_key => {
                let key_span = span(&kid);
                let mut inner = data(kid);
                let key_name = text(&child(&mut inner, key_span)?);
                let matching = child(&mut inner, key_span)?;
                let matching = match matching.as_str() {
                    "is" => KeyMatch::Exact,
                    _ => KeyMatch::Step,
                };
                keys.push(TableKey { name: key_name, matching });
            }
            Rule::table_row => {
                let row_span = span(&kid);
                let mut cells = data(kid).map(cell).collect::<Result<Vec<_>>>()?;
                let value = cells.pop().ok_or_else(|| shape_error(row_span))?;
                rows.push(TableRow { keys: cells, value, span: Location(row_span) });
            }
            _ => return Err(shape_error(span(&kid))),
        }
    }
    let name = name.ok_or_else(|| shape_error(whole))?;
    Ok(Item::Table(Table { name, description, keys, rows }))
}

/// A table cell: a literal or a bare symbol.
fn cell(pair: Pair<'_, Rule>) -> Result<Expr> {
    match pair.as_rule() {
        Rule::ident => Ok(Spanned::new(ExprKind::Path(vec![pair.as_str().to_owned()]), span(&pair))),
        _ => literal(pair),
    }
}

fn rule_decl(whole: Span, kids: Vec<Pair<'_, Rule>>) -> Result<Rule_> {
    let mut kids = kids.into_iter();
    let name = text(&kids.next().ok_or_else(|| shape_error(whole))?);
    let message = string(&kids.next().ok_or_else(|| shape_error(whole))?).node;
    let mut rule = Rule_ {
        name,
        message,
        conditions: Vec::new(),
        notes: Vec::new(),
        review: None,
        uses: Vec::new(),
        action: Action::Deny(Location(whole)),
        span: Location(whole),
    };
    for kid in kids {
        let kid_span = span(&kid);
        match kid.as_rule() {
            Rule::when_clause => rule.conditions.push(expr(child(&mut only_data(kid), kid_span)?)?),
            Rule::note_clause => rule.notes.push(string(&child(&mut only_data(kid), kid_span)?).node),
            Rule::review_clause => rule.review = Some(text(&child(&mut only_data(kid), kid_span)?)),
            Rule::uses_clause => rule.uses.push(uses(kid, kid_span)?),
            Rule::deny => rule.action = Action::Deny(Location(kid_span)),
            Rule::refund => rule.action = Action::Refund(parts(kid).into_iter().map(part).collect::<Result<_>>()?),
            Rule::manual_review => {
                rule.action = Action::ManualReview(parts(kid).into_iter().map(part).collect::<Result<_>>()?)
            }
            _ => return Err(shape_error(kid_span)),
        }
    }
    Ok(rule)
}

/// `uses QUOTA [per calendar PERIOD]`.
fn uses(pair: Pair<'_, Rule>, whole: Span) -> Result<Uses> {
    let mut kids = only_data(pair);
    let quota = text(&kids.next().ok_or_else(|| shape_error(whole))?);
    let period = match kids.next() {
        Some(period) => Some(text(&child(&mut only_data(period), whole)?)),
        None => None,
    };
    Ok(Uses { quota, period })
}

type Rule_ = crate::ast::Rule;

/// Children without keyword tokens, as an iterator.
fn only_data(pair: Pair<'_, Rule>) -> std::vec::IntoIter<Pair<'_, Rule>> {
    parts(pair).into_iter()
}

fn part(pair: Pair<'_, Rule>) -> Result<Part> {
    let whole = span(&pair);
    let mut kids = parts(pair).into_iter();
    let base = expr(kids.next().ok_or_else(|| shape_error(whole))?)?;
    let mut label = None;
    let mut steps = Vec::new();
    let mut destination = None;
    for kid in kids {
        let kid_span = span(&kid);
        let kind = match kid.as_rule() {
            Rule::label => {
                label = Some(label_text(kid)?);
                continue;
            }
            Rule::destination => {
                destination = Some(destination_of(kid)?);
                continue;
            }
            Rule::step_less => StepKind::Less,
            Rule::step_plus => StepKind::Plus,
            Rule::step_deduct => StepKind::Deduct,
            Rule::step_offset => StepKind::Offset,
            Rule::step_cap => StepKind::Cap,
            Rule::step_zero_below => StepKind::ZeroBelow,
            Rule::step_clamp => StepKind::Clamp,
            Rule::step_review_when => StepKind::ReviewWhen,
            _ => return Err(shape_error(kid_span)),
        };
        let mut inner = only_data(kid);
        let value = expr(inner.next().ok_or_else(|| shape_error(kid_span))?)?;
        let mut upper = None;
        let mut step_label = None;
        for rest in inner {
            match rest.as_rule() {
                Rule::label => step_label = Some(label_text(rest)?),
                _ => upper = Some(expr(rest)?),
            }
        }
        steps.push(Step { kind, value, upper, label: step_label, span: Location(kid_span) });
    }
    let destination = destination.ok_or_else(|| shape_error(whole))?;
    Ok(Part { base, label, steps, destination })
}

fn label_text(pair: Pair<'_, Rule>) -> Result<String> {
    let whole = span(&pair);
    Ok(string(&child(&mut only_data(pair), whole)?).node)
}

fn destination_of(pair: Pair<'_, Rule>) -> Result<RefundTarget> {
    let whole = span(&pair);
    let inner = child(&mut data(pair), whole)?;
    match inner.as_rule() {
        Rule::to_destination => Ok(RefundTarget::To(choice(child(&mut only_data(inner), whole)?)?)),
        Rule::split_destination => {
            let shares = parts(inner)
                .into_iter()
                .map(|share| {
                    let share_span = span(&share);
                    let mut kids = only_data(share);
                    let weight = expr(kids.next().ok_or_else(|| shape_error(share_span))?)?;
                    let to = choice(kids.next().ok_or_else(|| shape_error(share_span))?)?;
                    Ok((weight, to))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(RefundTarget::Split(shares))
        }
        _ => Err(shape_error(whole)),
    }
}

fn choice(pair: Pair<'_, Rule>) -> Result<Choice> {
    let whole = span(&pair);
    let inner = match pair.as_rule() {
        Rule::destination_choice => child(&mut data(pair), whole)?,
        _ => pair,
    };
    match inner.as_rule() {
        Rule::ident => Ok(Choice::Named(text(&inner))),
        Rule::destination_if => {
            let mut kids = only_data(inner);
            let mut next = || kids.next().ok_or_else(|| shape_error(whole));
            let condition = expr(next()?)?;
            let then = choice(next()?)?;
            let otherwise = choice(next()?)?;
            Ok(Choice::If(Box::new(condition), Box::new(then), Box::new(otherwise)))
        }
        _ => Err(shape_error(whole)),
    }
}

fn expectation(pair: Pair<'_, Rule>) -> Result<Expectation> {
    let whole = span(&pair);
    let mut kids = only_data(pair);
    let outcome = text(&kids.next().ok_or_else(|| shape_error(whole))?);
    let mut expect = Expectation { outcome, amount: None, to: Vec::new(), by: None, span: Location(whole) };
    for kid in kids {
        match kid.as_rule() {
            Rule::expect_to => {
                for share in parts(kid) {
                    let share_span = span(&share);
                    let mut inner = only_data(share);
                    let to = text(&inner.next().ok_or_else(|| shape_error(share_span))?);
                    let amount = inner.next().map(literal).transpose()?;
                    expect.to.push((to, amount));
                }
            }
            Rule::expect_by => {
                let by_span = span(&kid);
                expect.by = Some(text(&child(&mut only_data(kid), by_span)?));
            }
            _ => expect.amount = Some(literal(kid)?),
        }
    }
    Ok(expect)
}

fn object(pair: Pair<'_, Rule>) -> Result<Spanned<Object>> {
    let whole = span(&pair);
    let mut entries = Vec::new();
    for entry in data(pair) {
        let entry_span = span(&entry);
        let mut kids = data(entry);
        let key = text(&child(&mut kids, entry_span)?);
        let value = child(&mut kids, entry_span)?;
        let value_span = span(&value);
        let value = match value.as_rule() {
            Rule::object => ObjectValue::Object(object(value)?.node),
            Rule::number => ObjectValue::Number(value.as_str().to_owned()),
            Rule::boolean => ObjectValue::Bool(value.as_str() == "true"),
            Rule::string => ObjectValue::Text(string(&value).node),
            Rule::instant => {
                instant(&value)?;
                ObjectValue::Text(value.as_str().to_owned())
            }
            Rule::date => {
                date(&value)?;
                ObjectValue::Text(value.as_str().to_owned())
            }
            _ => ObjectValue::Text(value.as_str().to_owned()),
        };
        entries.push((key, Spanned::new(value, value_span)));
    }
    Ok(Spanned::new(entries, whole))
}

/// An `expr` pair, with operator precedence applied.
fn expr(pair: Pair<'_, Rule>) -> Result<Expr> {
    tree(pair).map(|(e, _)| e)
}

/// An expression and how many operations deep its tree is.
type Deep = (Expr, usize);

/// One more level over `deepest`, refused beyond [`MAX_DEPTH`]: the checker, the evaluator and
/// even dropping the tree recurse once per level, so a deeper tree must never be built.
fn deeper(deepest: usize, at: Span) -> Result<usize> {
    let depth = deepest + 1;
    if depth > MAX_DEPTH {
        return Err(SyntaxError::TooDeep { what: "operations", limit: MAX_DEPTH, span: at });
    }
    Ok(depth)
}

/// An `expr` pair as a tree, with its depth.
fn tree(pair: Pair<'_, Rule>) -> Result<Deep> {
    let whole = span(&pair);
    if pair.as_rule() != Rule::expr {
        return operand(pair);
    }
    PRATT
        .map_primary(operand)
        .map_prefix(|op, rhs| {
            let (rhs, depth) = rhs?;
            let at = span(&op).to(rhs.span);
            let depth = deeper(depth, at)?;
            let op = if op.as_rule() == Rule::op_not { UnaryOp::Not } else { UnaryOp::Neg };
            Ok((Spanned::new(ExprKind::Unary(op, Box::new(rhs)), at), depth))
        })
        .map_postfix(|lhs, op| {
            let (lhs, depth) = lhs?;
            let at = lhs.span.to(span(&op));
            let depth = deeper(depth, at)?;
            let missing = op.as_rule() == Rule::op_is_missing;
            Ok((Spanned::new(ExprKind::IsMissing(Box::new(lhs), missing), at), depth))
        })
        .map_infix(|lhs, op, rhs| {
            let ((lhs, left), (rhs, right)) = (lhs?, rhs?);
            let op = match op.as_rule() {
                Rule::op_or => BinaryOp::Or,
                Rule::op_and => BinaryOp::And,
                Rule::op_eq => BinaryOp::Eq,
                Rule::op_ne => BinaryOp::Ne,
                Rule::op_lt => BinaryOp::Lt,
                Rule::op_le => BinaryOp::Le,
                Rule::op_gt => BinaryOp::Gt,
                Rule::op_ge => BinaryOp::Ge,
                Rule::op_add => BinaryOp::Add,
                Rule::op_sub => BinaryOp::Sub,
                Rule::op_mul => BinaryOp::Mul,
                Rule::op_div => BinaryOp::Div,
                _ => return Err(shape_error(span(&op))),
            };
            let at = lhs.span.to(rhs.span);
            let depth = deeper(left.max(right), at)?;
            Ok((Spanned::new(ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)), at), depth))
        })
        .parse(data(pair))
        .map_err(|e: SyntaxError| if e.span() == Span::default() { shape_error(whole) } else { e })
}

fn operand(pair: Pair<'_, Rule>) -> Result<Deep> {
    let whole = span(&pair);
    match pair.as_rule() {
        Rule::expr => tree(pair),
        Rule::if_expr => {
            let mut kids = only_data(pair);
            let mut next = || kids.next().ok_or_else(|| shape_error(whole));
            let ((c, x), (a, y), (b, z)) = (tree(next()?)?, tree(next()?)?, tree(next()?)?);
            let depth = deeper(x.max(y).max(z), whole)?;
            Ok((Spanned::new(ExprKind::If(Box::new(c), Box::new(a), Box::new(b)), whole), depth))
        }
        Rule::call => {
            let mut kids = data(pair);
            let name = text(&child(&mut kids, whole)?);
            let mut args = Vec::new();
            let mut deepest = 0;
            for arg in kids {
                let (arg, depth) = tree(arg)?;
                deepest = deepest.max(depth);
                args.push(arg);
            }
            Ok((Spanned::new(ExprKind::Call(name, args), whole), deeper(deepest, whole)?))
        }
        Rule::path => {
            let segments = data(pair).map(|p| p.as_str().to_owned()).collect();
            Ok((Spanned::new(ExprKind::Path(segments), whole), 1))
        }
        _ => Ok((literal(pair)?, 1)),
    }
}

fn literal(pair: Pair<'_, Rule>) -> Result<Expr> {
    let whole = span(&pair);
    let value = match pair.as_rule() {
        Rule::number => Literal::Number(number(&pair)?),
        Rule::percent => {
            let n = number(&child(&mut data(pair), whole)?)?;
            Literal::Percent(n / Decimal::ONE_HUNDRED)
        }
        Rule::money => {
            let mut kids = data(pair);
            let amount = number(&child(&mut kids, whole)?)?;
            Literal::Money(amount, child(&mut kids, whole)?.as_str().to_owned())
        }
        Rule::duration => {
            let mut kids = data(pair);
            let amount = number(&child(&mut kids, whole)?)?;
            Literal::Duration(amount, unit(child(&mut kids, whole)?.as_str()))
        }
        Rule::instant => Literal::Instant(instant(&pair)?),
        Rule::date => Literal::Date(date(&pair)?.node),
        Rule::string => Literal::Text(string(&pair).node),
        Rule::boolean => Literal::Bool(pair.as_str() == "true"),
        _ => return Err(shape_error(whole)),
    };
    Ok(Spanned::new(ExprKind::Literal(value), whole))
}

fn unit(word: &str) -> TimeUnit {
    match word.trim_end_matches('s') {
        "second" => TimeUnit::Second,
        "minute" => TimeUnit::Minute,
        "hour" => TimeUnit::Hour,
        "day" => TimeUnit::Day,
        "week" => TimeUnit::Week,
        "month" => TimeUnit::Month,
        _ => TimeUnit::Year,
    }
}

fn number(pair: &Pair<'_, Rule>) -> Result<Decimal> {
    Decimal::from_str(pair.as_str()).map_err(|_| SyntaxError::BadLiteral {
        text: pair.as_str().to_owned(),
        what: "number (at most 28 significant digits)",
        span: span(pair),
    })
}

fn date(pair: &Pair<'_, Rule>) -> Result<Spanned<NaiveDate>> {
    NaiveDate::parse_from_str(pair.as_str(), "%Y-%m-%d")
        .map(|d| Spanned::new(d, span(pair)))
        .map_err(|_| SyntaxError::BadLiteral { text: pair.as_str().to_owned(), what: "date", span: span(pair) })
}

fn instant(pair: &Pair<'_, Rule>) -> Result<DateTime<chrono::FixedOffset>> {
    let text = pair.as_str();
    DateTime::parse_from_rfc3339(text).map_err(|_| SyntaxError::BadLiteral {
        text: text.to_owned(),
        what: "instant",
        span: span(pair),
    })
}

/// The text of a `string` pair with its escapes resolved.
fn string(pair: &Pair<'_, Rule>) -> Spanned<String> {
    let raw = pair.as_str();
    let inner = raw.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(raw);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            },
            _ => out.push(c),
        }
    }
    Spanned::new(out, span(pair))
}
