//! Resolving and typing expressions.

use std::collections::HashMap;
use std::sync::Arc;

use crate::ast::{BinaryOp, BindingKind, Expr, ExprKind, Literal, TimeUnit};
use crate::check::{types, Finding};
use crate::limits::MAX_DEPTH;
use crate::order::Field;
use crate::program::{AttributeDef, Builtin, Node, NodeKind};
use crate::span::Span;
use crate::value::{SymbolSet, Type, Value};

/// What expressions can see: the names defined so far, and where problems go.
pub(super) struct Scope<'a> {
    pub source: &'a str,
    pub currency: String,
    pub problems: &'a mut Vec<Finding>,
    pub attributes: Vec<AttributeDef>,
    /// `const`/`let` defined so far: name, type, kind, whether it reads the order.
    pub bindings: Vec<(String, Type, BindingKind, bool)>,
    /// Every binding of the file, to tell "defined later" from "not defined".
    pub all_bindings: HashMap<String, Span>,
    /// Tables: name, key types, value type.
    pub tables: Vec<(String, Vec<Type>, Type)>,
    /// Per table, per key column, the names written as its keys (for columns of names).
    pub table_names: Vec<Vec<Vec<String>>>,
    /// Which bindings were used.
    pub used: Vec<bool>,
    /// Names used before their definition (already an error; not "unused" too).
    pub used_early: Vec<String>,
    /// Inside receipt steps, `amount` is the running amount.
    pub amount_allowed: bool,
    /// Set when the expression just checked reads the order.
    pub reads_order: bool,
    /// The first binding of each name, by index (a lookup per name read keeps a 100,000-line
    /// chain of `let`s linear).
    pub binding_index: HashMap<String, usize>,
    /// Each declared attribute's index.
    pub attribute_index: HashMap<String, usize>,
    /// The first table of each name, by index.
    pub table_index: HashMap<String, usize>,
    /// The binding whose definition is being checked.
    pub defining: Option<String>,
    /// Where each attribute was declared, to point at the first of two.
    pub attribute_spans: HashMap<String, Span>,
    /// How deep each binding is computed (see [`MAX_DEPTH`]); `None` once reported too deep,
    /// so a chain of 10,000 `let`s gives one error, not 9,744.
    pub depths: Vec<Option<usize>>,
}

impl Scope<'_> {
    /// How many levels deep `node` is computed, through the bindings it reads: the evaluator
    /// recurses once per level. `None` when a binding it reads was already reported too deep.
    pub fn depth(&self, node: &Node) -> Option<usize> {
        let below = match &node.kind {
            NodeKind::Const(_) | NodeKind::Field(_) | NodeKind::Attribute(_) | NodeKind::Amount => 0,
            NodeKind::Binding(index) => self.depths.get(*index).copied().flatten()?,
            NodeKind::Table(_, args) | NodeKind::Call(_, args) => {
                args.iter().map(|a| self.depth(a)).try_fold(0, |deepest, d| Some(deepest.max(d?)))?
            }
            NodeKind::Unary(_, x) | NodeKind::IsMissing(x, _) => self.depth(x)?,
            NodeKind::Binary(_, l, r) => self.depth(l)?.max(self.depth(r)?),
            NodeKind::If(c, a, b) => self.depth(c)?.max(self.depth(a)?).max(self.depth(b)?),
        };
        Some(below + 1)
    }

    /// Whether `depth` is within [`MAX_DEPTH`]; if not, says so at `span` about `what`.
    pub fn within_depth(&mut self, depth: Option<usize>, span: Span, what: &str) -> bool {
        match depth {
            Some(depth) if depth > MAX_DEPTH => {
                self.problems.push(
                    Finding::error(
                        "E108",
                        span,
                        format!("{what} is computed through {depth} levels of names and operations; the most is {MAX_DEPTH}"),
                    )
                    .label("computed too deep")
                    .help("split the chain into parts computed side by side: `let first_part = ...`, `let second_part = ...`, then add them"),
                );
                false
            }
            _ => true,
        }
    }

    fn problem(&mut self, problem: Finding) -> Node {
        let span = problem.span;
        self.problems.push(problem);
        Node { kind: NodeKind::Const(Value::Missing), value_type: Type::Error, span }
    }

    /// Resolves and types `e`.
    /// Each recursive form is resolved in a function of its own, so that the frame on the
    /// stack once per level stays small in a debug build (see `limits::MAX_DEPTH`).
    pub fn expr(&mut self, e: &Expr) -> Node {
        let span = e.span;
        match &e.node {
            ExprKind::Literal(literal) => match self.literal(literal, span) {
                Some((value, t)) => Node { kind: NodeKind::Const(value), value_type: t, span },
                None => Node { kind: NodeKind::Const(Value::Missing), value_type: Type::Error, span },
            },
            ExprKind::Path(segments) => self.path(segments, span),
            ExprKind::Call(name, args) => self.call(&name.node, name.span, args, span),
            ExprKind::Unary(op, x) => self.unary(*op, x, span),
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, span),
            ExprKind::IsMissing(x, missing) => self.is_missing(x, *missing, span),
            ExprKind::If(c, a, b) => self.if_expr(c, a, b, span),
        }
    }

    fn unary(&mut self, op: crate::ast::UnaryOp, x: &Expr, span: Span) -> Node {
        let x = self.expr(x);
        match types::unary(op, &x.value_type) {
            Ok(t) => Node { kind: NodeKind::Unary(op, Box::new(x)), value_type: t, span },
            Err((message, help)) => self.mismatch(span, message, help),
        }
    }

    fn is_missing(&mut self, x: &Expr, missing: bool, span: Span) -> Node {
        let x = self.expr(x);
        if x.value_type == Type::Error {
            return Node { kind: NodeKind::Const(Value::Missing), value_type: Type::Error, span };
        }
        if !matches!(x.kind, NodeKind::Field(_) | NodeKind::Attribute(_) | NodeKind::Binding(_)) {
            return self.problem(
                Finding::error("E111", span, "only an order field can be missing")
                    .label("not an order field")
                    .help("write `order.traffic is missing` or `order.expires_at is present`"),
            );
        }
        Node { kind: NodeKind::IsMissing(Box::new(x), missing), value_type: Type::Bool, span }
    }

    fn if_expr(&mut self, c: &Expr, a: &Expr, b: &Expr, span: Span) -> Node {
        let c = self.condition(c);
        let (a, b) = (self.expr(a), self.expr(b));
        match self.unify(&a, &b) {
            Some(t) => Node { kind: NodeKind::If(Box::new(c), Box::new(a), Box::new(b)), value_type: t, span },
            None => self.mismatch(
                span,
                format!("the two branches of `if` give {} and {}", a.value_type, b.value_type),
                Some("both branches must give the same kind of value".to_owned()),
            ),
        }
    }

    /// Resolves `e` and requires true/false.
    pub fn condition(&mut self, e: &Expr) -> Node {
        let node = self.expr(e);
        if node.value_type != Type::Bool && node.value_type != Type::Error {
            let found = node.value_type.clone();
            return self.problem(
                Finding::error("E112", e.span, format!("a condition must be true or false, but this is {found}"))
                    .label(format!("this is {found}"))
                    .help("compare it with something: `held < 5 days`, `order.billing == subscription`"),
            );
        }
        node
    }

    /// Resolves `e` and requires money.
    pub fn money(&mut self, e: &Expr, what: &str) -> Node {
        let node = self.expr(e);
        if node.value_type != Type::Money && node.value_type != Type::Error {
            let found = node.value_type.clone();
            return self.problem(
                Finding::error("E113", e.span, format!("{what} must be money, but this is {found}"))
                    .label(format!("this is {found}"))
                    .help(format!("write an amount with its currency, such as `10.00 {}`", self.currency)),
            );
        }
        node
    }

    fn mismatch(&mut self, span: Span, message: String, help: Option<String>) -> Node {
        let mut problem = Finding::error("E110", span, message).label("these do not go together");
        problem.help = help;
        self.problem(problem)
    }

    /// The common type of two branches, settling a bare symbol against a known set.
    fn unify(&mut self, a: &Node, b: &Node) -> Option<Type> {
        match (&a.value_type, &b.value_type) {
            (Type::Error, t) | (t, Type::Error) => Some(t.clone()),
            (x, y) if types::comparable(x, y) => {
                self.check_symbol(a, &b.value_type);
                self.check_symbol(b, &a.value_type);
                match x {
                    Type::Symbol(SymbolSet::Free(_)) => Some(y.clone()),
                    _ => Some(x.clone()),
                }
            }
            _ => None,
        }
    }

    fn binary(&mut self, op: BinaryOp, l: &Expr, r: &Expr, span: Span) -> Node {
        let (l, r) = (self.expr(l), self.expr(r));
        if matches!(op, BinaryOp::Eq | BinaryOp::Ne) {
            self.check_symbol(&l, &r.value_type);
            self.check_symbol(&r, &l.value_type);
        }
        match types::binary(op, &l.value_type, &r.value_type) {
            Ok(_) if moves_a_date_by_part_of_a_day(op, &l, &r) => self.mismatch(
                span,
                "a date moves by whole days, and this duration is not a number of days written out".into(),
                Some("write the days (`date(order.purchased_at) + 5 days`), or move the instant before taking its date: `date(order.purchased_at + 36 hours)`".into()),
            ),
            Ok(t) => Node { kind: NodeKind::Binary(op, Box::new(l), Box::new(r)), value_type: t, span },
            Err((message, help)) => self.mismatch(span, message, help),
        }
    }

    /// A bare name compared with a known symbol set must be one of its members.
    fn check_symbol(&mut self, node: &Node, other: &Type) {
        let (NodeKind::Const(Value::Symbol(name)), Type::Symbol(SymbolSet::Free(_))) = (&node.kind, &node.value_type)
        else {
            return;
        };
        match other {
            Type::Symbol(set) => match set.members() {
                Some(members) if !members.contains(&name.as_ref()) => {
                    let list = members.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
                    let problem = Finding::error("E109", node.span, format!("`{name}` is not a {}", set.name()))
                        .label(format!("not a {}", set.name()))
                        .help(format!("a {} is one of {list}", set.name()))
                        .suggest(name, members.iter().copied());
                    self.problems.push(problem);
                }
                Some(_) => {}
                None => self.unknown_name(name, node.span),
            },
            Type::Error => {}
            _ => self.unknown_name(name, node.span),
        }
    }

    fn unknown_name(&mut self, name: &str, span: Span) {
        let mut candidates: Vec<&str> = self.bindings.iter().map(|b| b.0.as_str()).collect();
        candidates.extend(self.tables.iter().map(|t| t.0.as_str()));
        let problem = Finding::error("E101", span, format!("`{name}` is not defined"))
            .label("unknown name")
            .help("define it with `let` or `const` before this line, or write `order.FIELD`")
            .suggest(name, candidates);
        self.problems.push(problem);
    }

    fn path(&mut self, segments: &[String], span: Span) -> Node {
        match segments {
            [head, rest @ ..] if head == "order" => {
                self.reads_order = true;
                match rest {
                    [attributes, name] if attributes == "attributes" => self.attribute(name, span),
                    _ => self.order_field(rest, span),
                }
            }
            [name] if name == "amount" && self.amount_allowed => Node { kind: NodeKind::Amount, value_type: Type::Money, span },
            [name] if name == "amount" && !self.binding_index.contains_key(name) => self.problem(
                Finding::error("E101", span, "`amount` is only known in receipt steps and invariants")
                    .label("no running amount here")
                    .help("`amount` is the refund computed so far: use it after `refund ...`, in steps such as `cap` or `manual_review when`, or in an `invariant`"),
            ),
            [name] => self.name(name, span),
            _ => {
                let first = segments.first().map(String::as_str).unwrap_or("");
                self.problem(
                    Finding::error("E102", span, format!("`{}` is not a known path", segments.join(".")))
                        .label("unknown path")
                        .help("order fields start with `order.`")
                        .suggest(first, ["order"]),
                )
            }
        }
    }

    /// `order.attributes.NAME`: a declared attribute.
    fn attribute(&mut self, name: &str, span: Span) -> Node {
        match self.attribute_index.get(name).copied() {
            Some(index) => {
                let value_type = self.attributes.get(index).map_or(Type::Error, |a| a.value_type.clone());
                Node { kind: NodeKind::Attribute(index), value_type, span }
            }
            None if self.defining.as_deref() == Some(format!("order.attributes.{name}").as_str()) => self.problem(
                Finding::error("E106", span, format!("attribute `{name}` is bounded by itself"))
                    .label("the attribute being declared")
                    .help("bound it by constants or other order fields, such as `at most order.paid.total`"),
            ),
            None => {
                let names: Vec<String> = self.attributes.iter().map(|a| a.name.clone()).collect();
                self.problem(
                    Finding::error("E103", span, format!("attribute `{name}` is not declared"))
                        .label("undeclared attribute")
                        .help(format!("declare it: `attribute {name}: money = 0.00 {}`", self.currency))
                        .suggest(name, names.iter().map(String::as_str)),
                )
            }
        }
    }

    /// `order.FIELD`: a field of the order contract.
    fn order_field(&mut self, rest: &[String], span: Span) -> Node {
        let path = rest.join(".");
        if let Some(field) = Field::from_path(&path) {
            return Node { kind: NodeKind::Field(field), value_type: field.value_type(), span };
        }
        let known: Vec<String> = Field::ALL.iter().map(|f| format!("order.{}", f.path())).collect();
        let written = format!("order.{path}");
        let mut problem = Finding::error("E102", span, format!("`{written}` is not an order field"))
            .label("unknown order field")
            .suggest(&written, known.iter().map(String::as_str));
        if problem.help.is_none() {
            problem =
                problem.help("provider-specific facts go under `order.attributes.NAME`, declared with `attribute`");
        }
        self.problem(problem)
    }

    /// A `let` or `const` by its name, or why it cannot be read here, or a bare word.
    fn name(&mut self, name: &String, span: Span) -> Node {
        if let Some(index) = self.binding_index.get(name).copied() {
            if let Some(used) = self.used.get_mut(index) {
                *used = true;
            }
            let (value_type, reads) = self.bindings.get(index).map_or((Type::Error, false), |b| (b.1.clone(), b.3));
            self.reads_order |= reads;
            return Node { kind: NodeKind::Binding(index), value_type, span };
        }
        match self.all_bindings.get(name) {
            Some(defined) if defined.start > span.start => {
                let line = super::line_of(self.source, defined.start);
                self.used_early.push(name.clone());
                self.problem(
                    Finding::error("E106", span, format!("`{name}` is used before it is defined"))
                        .label("used here")
                        .help(format!(
                        "`{name}` is defined on line {line}: move it above this line, as a policy reads top to bottom"
                    )),
                )
            }
            Some(_) if self.defining.as_deref() == Some(name.as_str()) => self.problem(
                Finding::error("E106", span, format!("`{name}` is used in its own definition"))
                    .label("defined from itself")
                    .help("a name cannot be computed from itself: compute it from other names or order fields"),
            ),
            Some(_) => self.problem(
                Finding::error("E106", span, format!("`{name}` cannot be read here"))
                    .label("not available here")
                    .help("an attribute's default and bounds read only constants and order fields"),
            ),
            None => self.bare_word(name, span),
        }
    }

    /// A bare word that names nothing: a symbol such as `subscription`, unless it is no symbol
    /// the policy or the order knows and is close to a declared name, when it is a typo of that
    /// name (`payg_prat` for `payg_rate`) and must not be read as a symbol.
    fn bare_word(&mut self, name: &str, span: Span) -> Node {
        let symbol = Node {
            kind: NodeKind::Const(Value::Symbol(name.into())),
            value_type: Type::Symbol(SymbolSet::Free(name.to_owned())),
            span,
        };
        if self.is_known_symbol(name) {
            return symbol;
        }
        let mut declared: Vec<String> = self.all_bindings.keys().cloned().collect();
        declared.extend(self.tables.iter().map(|t| t.0.clone()));
        declared.extend(self.attributes.iter().map(|a| format!("order.attributes.{}", a.name)));
        // An attribute is compared by its own name, not its path.
        let best =
            crate::suggest::closest(name, declared.iter().map(|d| d.strip_prefix("order.attributes.").unwrap_or(d)))
                .and_then(|short| declared.iter().find(|d| d.strip_prefix("order.attributes.").unwrap_or(d) == short));
        let Some(best) = best.cloned() else {
            return symbol;
        };
        // The name meant is used, if misspelt: no "never used" on top of this error.
        self.used_early.push(best.clone());
        self.problem(Finding::error("E101", span, format!("unknown name `{name}`")).label("not defined").help(format!(
            "did you mean `{best}`? (a word that names nothing is read as a symbol such as `subscription`)"
        )))
    }

    /// Whether `name` is a symbol of some set the policy can compare with: a member of an
    /// order field's set, of an attribute's `one_of`, a rounding mode, a destination, or a
    /// key of a table.
    fn is_known_symbol(&self, name: &str) -> bool {
        let in_set = |t: &Type| matches!(t, Type::Symbol(set) if set.members().is_some_and(|m| m.contains(&name)));
        Field::ALL.iter().any(|f| in_set(&f.value_type()))
            || self.attributes.iter().any(|a| in_set(&a.value_type))
            || in_set(&Type::Symbol(crate::value::ROUNDING_MODES))
            || in_set(&Type::Symbol(crate::decision::DESTINATIONS))
            || self.table_names.iter().flatten().flatten().any(|key| key == name)
    }

    fn call(&mut self, name: &str, name_span: Span, args: &[Expr], span: Span) -> Node {
        if let Some(index) = self.table_index.get(name).copied() {
            return self.table_lookup(name, index, args, span);
        }
        let Some(builtin) = Builtin::ALL.iter().find(|(n, _)| *n == name).map(|(_, b)| *b) else {
            let mut candidates: Vec<&str> = Builtin::ALL.iter().map(|(n, _)| *n).collect();
            candidates.extend(self.tables.iter().map(|t| t.0.as_str()));
            let names: Vec<String> = candidates.iter().map(|s| (*s).to_owned()).collect();
            return self.problem(
                Finding::error("E104", name_span, format!("there is no function or table named `{name}`"))
                    .label("unknown function")
                    .suggest(name, names.iter().map(String::as_str)),
            );
        };
        let arguments: Vec<Node> = args.iter().map(|a| self.expr(a)).collect();
        if builtin == Builtin::Round {
            if let Some(mode) = arguments.get(2) {
                self.check_symbol(mode, &Type::Symbol(crate::value::ROUNDING_MODES));
            }
        }
        if matches!(builtin, Builtin::Floor | Builtin::Ceil) {
            self.check_instant_unit(&arguments);
        }
        let argument_types: Vec<Type> = arguments.iter().map(|a| a.value_type.clone()).collect();
        match types::builtin(builtin, &argument_types) {
            Ok(t) => Node { kind: NodeKind::Call(builtin, arguments), value_type: t, span },
            Err((message, help)) => self.mismatch(span, message, help),
        }
    }

    /// `TABLE(key, ...)`: one value per key column, each of the column's type (and, in a
    /// column of names, one of its keys).
    fn table_lookup(&mut self, name: &str, index: usize, args: &[Expr], span: Span) -> Node {
        let arguments: Vec<Node> = args.iter().map(|a| self.expr(a)).collect();
        let (keys, value) =
            self.tables.get(index).map(|t| (t.1.clone(), t.2.clone())).unwrap_or((Vec::new(), Type::Error));
        if keys.len() != arguments.len() {
            return self.problem(
                Finding::error(
                    "E131",
                    span,
                    format!(
                        "table `{name}` has {} key column(s), but {} value(s) are given",
                        keys.len(),
                        arguments.len()
                    ),
                )
                .label("wrong number of keys"),
            );
        }
        for (position, (argument, key)) in arguments.iter().zip(&keys).enumerate() {
            if !types::comparable(&argument.value_type, key)
                && argument.value_type != Type::Error
                && *key != Type::Error
            {
                self.problems.push(
                    Finding::error(
                        "E132",
                        argument.span,
                        format!("table `{name}` is keyed by {key}, but this is {}", argument.value_type),
                    )
                    .label(format!("this is {}", argument.value_type))
                    .help(format!("look the table up with {key}, the type of its key column")),
                );
            }
            let names = self.table_names.get(index).and_then(|t| t.get(position)).cloned().unwrap_or_default();
            match (&argument.kind, &argument.value_type) {
                // A name looked up in a column of names must be one of its keys.
                (NodeKind::Const(Value::Symbol(key_name)), Type::Symbol(SymbolSet::Free(_))) if !names.is_empty() => {
                    if !names.iter().any(|n| n.as_str() == key_name.as_str()) {
                        let list = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
                        let problem =
                            Finding::error("E133", argument.span, format!("table `{name}` has no key `{key_name}`"))
                                .label("not a key of the table")
                                .help(format!("its keys are {list}"))
                                .suggest(key_name, names.iter().map(String::as_str));
                        self.problems.push(problem);
                    }
                }
                _ => self.check_symbol(argument, key),
            }
        }
        Node { kind: NodeKind::Table(index, arguments), value_type: value, span }
    }

    /// An instant rounds to the start of a second, minute, hour, day, month or year; a unit
    /// that does not divide a day or a year has no start to round to.
    fn check_instant_unit(&mut self, arguments: &[Node]) {
        let [instant, unit] = arguments else { return };
        if instant.value_type != Type::Instant {
            return;
        }
        let fits = match &unit.kind {
            NodeKind::Const(Value::Duration(seconds)) => i64::try_from(*seconds)
                .is_ok_and(|s| s > 0 && 86_400 % s == 0 && rust_decimal::Decimal::from(s) == *seconds),
            NodeKind::Const(Value::Period(months)) => matches!(months, 1 | 12),
            _ => false,
        };
        if !fits {
            self.problems.push(
                Finding::error("E127", unit.span, "an instant can only be rounded to a whole unit of the calendar")
                    .label("not a calendar unit")
                    .help("write `1 second`, `1 minute`, `1 hour`, `1 day`, `1 month` or `1 year`"),
            );
        }
    }

    /// A duration too long to count in seconds or months.
    fn too_long(span: Span) -> Finding {
        Finding::error("E135", span, "this duration is too long to compute with")
            .label("too long")
            .help("a refund policy counts days, months and years: write a duration of at most a few thousand years")
    }

    /// The value and type of a literal, checking currencies and calendar units.
    pub fn literal(&mut self, literal: &Literal, span: Span) -> Option<(Value, Type)> {
        Some(match literal {
            Literal::Number(n) => (Value::Number(*n), Type::Number),
            Literal::Percent(n) => (Value::Number(*n), Type::Number),
            Literal::Money(amount, currency) => {
                if *currency != self.currency {
                    self.problems.push(
                        Finding::error(
                            "E114",
                            span,
                            format!("this amount is in {currency}, but the policy's currency is {}", self.currency),
                        )
                        .label(format!("not {}", self.currency))
                        .help(format!("a policy works in one currency: write `{} {}`", amount, self.currency)),
                    );
                    return None;
                }
                (Value::Money(*amount), Type::Money)
            }
            Literal::Duration(count, unit) => match unit.seconds() {
                Some(seconds) => match count.checked_mul(rust_decimal::Decimal::from(seconds)) {
                    Some(seconds) => (Value::Duration(seconds), Type::Duration),
                    None => {
                        self.problems.push(Self::too_long(span));
                        return None;
                    }
                },
                None => {
                    let twelve = rust_decimal::Decimal::from(12);
                    let months = if *unit == TimeUnit::Year { count.checked_mul(twelve) } else { Some(*count) };
                    let Some(months) = months else {
                        self.problems.push(Self::too_long(span));
                        return None;
                    };
                    let whole = (months.fract().is_zero()).then(|| i64::try_from(months).ok()).flatten();
                    let Some(months) = whole else {
                        self.problems.push(
                            Finding::error("E115", span, "months and years must be whole numbers")
                                .help("write `6 months` rather than `0.5 years`"),
                        );
                        return None;
                    };
                    (Value::Period(months), Type::Period)
                }
            },
            Literal::Instant(at) => (Value::Instant(*at), Type::Instant),
            Literal::Date(day) => (Value::Date(*day), Type::Date),
            Literal::Text(text) => (Value::Text(Arc::from(text.as_str())), Type::Text),
            Literal::Bool(b) => (Value::Bool(*b), Type::Bool),
        })
    }
}

/// Whether `l OP r` adds a duration to a date (or takes one from it) that is not a constant
/// number of whole days: the evaluator could only refuse it (E205), so the checker does.
fn moves_a_date_by_part_of_a_day(op: BinaryOp, l: &Node, r: &Node) -> bool {
    let duration = match (op, &l.value_type, &r.value_type) {
        (BinaryOp::Add | BinaryOp::Sub, Type::Date, Type::Duration) => r,
        (BinaryOp::Add, Type::Duration, Type::Date) => l,
        _ => return false,
    };
    let whole_days = |seconds: &rust_decimal::Decimal| (seconds % rust_decimal::Decimal::from(86_400)).is_zero();
    !matches!(&duration.kind, NodeKind::Const(Value::Duration(seconds)) if whole_days(seconds))
}
