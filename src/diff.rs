//! What changes between two policies (two versions of one provider, or two providers): on a
//! set of real orders (the impact), or on a generated grid around the old policy's own example
//! orders (the regions where they differ).

use rust_decimal::Decimal;
use serde::Serialize;

use crate::batch::{decide_records, Record};
use crate::decision::Decision;
use crate::order::{Billing, Field, Order, Promotion, Purchase};
use crate::policy::Policy;

/// How the decisions of a set of orders change from one policy to another.
#[derive(Debug, Clone, Serialize)]
pub struct Impact {
    /// Orders compared.
    pub orders: usize,
    /// Orders whose decision changes (outcome, amount, destinations or rule).
    pub changed: usize,
    /// The currency of the totals (the new policy's).
    pub currency: String,
    /// Total of the old policy's decided amounts, automatic and manual review alike (as
    /// `refund batch` sums them).
    pub old_total: Decimal,
    /// Total of the new policy's decided amounts.
    pub new_total: Decimal,
    /// `new_total - old_total`.
    pub delta: Decimal,
    /// The part of `old_total` that waits for a person (outcome `manual_review`, or review
    /// `manual`): not refunded until a person approves.
    pub old_manual_review: Decimal,
    /// The part of `new_total` that waits for a person.
    pub new_manual_review: Decimal,
    /// The changes, grouped by (old rule, new rule), largest total change first.
    pub groups: Vec<Group>,
}

/// Orders that moved from one deciding rule to another.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// The old deciding rule (or `error`).
    pub old_rule: String,
    /// The new deciding rule (or `error`).
    pub new_rule: String,
    /// How many orders.
    pub count: usize,
    /// Their total change of refund.
    pub delta: Decimal,
    /// The orders with the largest change, with both decisions.
    pub examples: Vec<Example>,
}

/// One order decided by both policies.
#[derive(Debug, Clone, Serialize)]
pub struct Example {
    /// The order.
    pub order: Order,
    /// The old decision, or its error.
    pub old: Answer,
    /// The new decision, or its error.
    pub new: Answer,
}

/// A decision or why there is none.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Answer {
    /// Decided.
    Decided(Box<Decision>),
    /// Not decided.
    Failed {
        /// The error.
        error: String,
    },
}

impl Answer {
    /// `order` under `policy`, leaving out attributes only the other policy declares.
    fn of(policy: &Policy, order: &Order) -> Answer {
        match policy.evaluate(&crate::compare::for_policy(policy, order)) {
            Ok(decision) => Answer::Decided(Box::new(decision)),
            Err(error) => Answer::Failed { error: error.to_string() },
        }
    }

    /// The deciding rule, or `error`.
    pub fn rule(&self) -> &str {
        match self {
            Answer::Decided(d) => &d.rule,
            Answer::Failed { .. } => "error",
        }
    }

    /// The amount a person still has to approve (a manual review outcome, or a refund whose
    /// review is manual): not refunded until then.
    pub fn awaiting_review(&self) -> Decimal {
        match self {
            Answer::Decided(d)
                if d.outcome == crate::decision::Outcome::ManualReview
                    || d.review == crate::decision::Review::Manual =>
            {
                d.amount
            }
            _ => Decimal::ZERO,
        }
    }

    /// The amount refunded (zero when not decided).
    pub fn amount(&self) -> Decimal {
        match self {
            Answer::Decided(d) => d.amount,
            Answer::Failed { .. } => Decimal::ZERO,
        }
    }

    fn same_as(&self, other: &Answer) -> bool {
        match (self, other) {
            (Answer::Decided(a), Answer::Decided(b)) => {
                a.outcome == b.outcome && a.amount == b.amount && a.refunds == b.refunds && a.rule == b.rule
            }
            (Answer::Failed { error: a }, Answer::Failed { error: b }) => a == b,
            _ => false,
        }
    }
}

/// How many examples each group shows.
const EXAMPLES_PER_GROUP: usize = 3;

/// Decides every record with both policies, each exactly as `refund batch` would (the same
/// ledger carrying quotas, an account's orders in time order), and groups what changed.
/// Records that are not orders are left out. Attributes only the other policy declares are
/// left out of each side's orders, so one file can carry both providers' facts.
pub fn impact(old: &Policy, new: &Policy, records: &[Record]) -> Impact {
    let mut groups: Vec<Group> = Vec::new();
    let (mut old_total, mut new_total, mut changed) = (Decimal::ZERO, Decimal::ZERO, 0);
    let (mut old_manual_review, mut new_manual_review) = (Decimal::ZERO, Decimal::ZERO);
    let side = |policy: &Policy| -> Vec<Answer> {
        let own: Vec<Record> = records
            .iter()
            .map(|r| Record {
                line: r.line,
                order: r.order.as_ref().map(|o| crate::compare::for_policy(policy, o)).map_err(Clone::clone),
            })
            .collect();
        decide_records(policy, &own)
            .into_iter()
            .map(|result| match result {
                Ok(decision) => Answer::Decided(Box::new(decision)),
                Err(error) => Answer::Failed { error },
            })
            .collect()
    };
    let (befores, afters) = rayon::join(|| side(old), || side(new));
    let orders: Vec<&Order> = records.iter().filter_map(|r| r.order.as_ref().ok()).collect();
    let decided = records.iter().zip(befores.into_iter().zip(afters)).filter(|(r, _)| r.order.is_ok());
    for (order, (before, after)) in orders.iter().copied().zip(decided.map(|(_, pair)| pair)) {
        old_total = old_total.saturating_add(before.amount());
        new_total = new_total.saturating_add(after.amount());
        old_manual_review = old_manual_review.saturating_add(before.awaiting_review());
        new_manual_review = new_manual_review.saturating_add(after.awaiting_review());
        if before.same_as(&after) {
            continue;
        }
        changed += 1;
        let delta = after.amount().saturating_sub(before.amount());
        let index = match groups.iter().position(|g| g.old_rule == before.rule() && g.new_rule == after.rule()) {
            Some(index) => index,
            None => {
                groups.push(Group {
                    old_rule: before.rule().to_owned(),
                    new_rule: after.rule().to_owned(),
                    count: 0,
                    delta: Decimal::ZERO,
                    examples: Vec::new(),
                });
                groups.len() - 1
            }
        };
        if let Some(group) = groups.get_mut(index) {
            group.count += 1;
            group.delta = group.delta.saturating_add(delta);
            group.examples.push(Example { order: order.clone(), old: before, new: after });
            group.examples.sort_by_key(|e| std::cmp::Reverse(e.new.amount().saturating_sub(e.old.amount()).abs()));
            group.examples.truncate(EXAMPLES_PER_GROUP);
        }
    }
    groups.sort_by_key(|g| std::cmp::Reverse(g.delta.abs()));
    Impact {
        orders: orders.len(),
        changed,
        currency: new.currency().to_owned(),
        old_total,
        new_total,
        delta: new_total.saturating_sub(old_total),
        old_manual_review,
        new_manual_review,
        groups,
    }
}

/// A stretch of the generated grid where the two policies decide differently.
#[derive(Debug, Clone, Serialize)]
pub struct Region {
    /// The other facts of the orders in the region (`billing = subscription`, ...): those the
    /// region's orders share; a fact that does not matter to the change is left out.
    pub facts: Vec<String>,
    /// Held from (days, inclusive): a step of the grid.
    pub held_from_days: Decimal,
    /// Held up to (days, inclusive): the last step of the grid where the decisions differ.
    pub held_to_days: Decimal,
    /// The next step of the grid, where they agree again (exclusive); `None` past the grid's end.
    pub held_until_days: Option<Decimal>,
    /// How many points of the grid's other facts the region covers.
    pub variants: usize,
    /// The old deciding rule.
    pub old_rule: String,
    /// The new deciding rule.
    pub new_rule: String,
    /// One order of the region, with both decisions.
    pub example: Example,
}

/// Times held the grid tries, in hours: the first days closely, then months.
const HELD_HOURS: &[i64] = &[
    1, 12, 24, 47, 48, 71, 72, 95, 96, 119, 120, 121, 144, 167, 168, 240, 360, 720, 1_440, 2_160, 4_320, 6_480, 8_700,
];

/// Sweeps a grid around the old policy's example orders over the fields either policy reads,
/// and reports the regions where the decisions differ.
pub fn regions(old: &Policy, new: &Policy) -> Vec<Region> {
    let Some(mut base) =
        old.example_orders().into_iter().chain(new.example_orders()).find(|o| o.currency == new.currency())
    else {
        return Vec::new();
    };
    // Facts only one policy reads come from that policy's first example (its base order).
    for first in
        [old.example_orders().into_iter().next(), new.example_orders().into_iter().next()].into_iter().flatten()
    {
        for (name, value) in first.attributes {
            base.attributes.entry(name).or_insert(value);
        }
    }
    let mut read = old.fields_read();
    read.extend(new.fields_read());
    let mut regions: Vec<Region> = Vec::new();
    let next_step = |hours: i64| HELD_HOURS.iter().find(|h| **h > hours).map(|h| Decimal::from(*h) / Decimal::from(24));
    for variant in variants(&base, &read) {
        let mut current: Option<Region> = None;
        for hours in HELD_HOURS {
            let mut order = variant.order.clone();
            let Some(at) = order.service_start().checked_add_signed(chrono::Duration::hours(*hours)) else {
                continue;
            };
            order.requested_at = at;
            let days = Decimal::from(*hours) / Decimal::from(24);
            let (before, after) = (Answer::of(old, &order), Answer::of(new, &order));
            if before.same_as(&after) {
                regions.extend(current.take());
                continue;
            }
            match current.as_mut() {
                Some(region) if region.old_rule == before.rule() && region.new_rule == after.rule() => {
                    region.held_to_days = days;
                    region.held_until_days = next_step(*hours);
                }
                _ => {
                    regions.extend(current.take());
                    current = Some(Region {
                        facts: variant.facts.clone(),
                        held_from_days: days,
                        held_to_days: days,
                        held_until_days: next_step(*hours),
                        variants: 1,
                        old_rule: before.rule().to_owned(),
                        new_rule: after.rule().to_owned(),
                        example: Example { order, old: before, new: after },
                    });
                }
            }
        }
        regions.extend(current);
    }
    merged(regions)
}

/// One region per real change: regions of the same rules over the same days, on different
/// points of the other facts, are one change, described by the facts they share.
fn merged(regions: Vec<Region>) -> Vec<Region> {
    let mut out: Vec<Region> = Vec::new();
    for region in regions {
        let same = |r: &&mut Region| {
            r.old_rule == region.old_rule
                && r.new_rule == region.new_rule
                && r.held_from_days == region.held_from_days
                && r.held_to_days == region.held_to_days
        };
        match out.iter_mut().find(|r| same(r)) {
            Some(kept) => {
                kept.facts.retain(|fact| region.facts.contains(fact));
                kept.variants += region.variants;
            }
            None => out.push(region),
        }
    }
    out
}

/// A value a grid dimension can take: its label, and how it changes an order.
type Choice = (String, Box<dyn Fn(&mut Order)>);

/// One point of the grid (without the time held).
struct Variant {
    order: Order,
    facts: Vec<String>,
}

/// Every combination of the facts either policy reads, around `base`.
fn variants(base: &Order, read: &[Field]) -> Vec<Variant> {
    let mut variants = vec![Variant { order: base.clone(), facts: Vec::new() }];
    for dimension in dimensions() {
        if dimension.fields.iter().any(|field| read.contains(field)) {
            variants = dimension.cross(&variants);
        }
    }
    variants
}

/// One fact of the grid: the fields that make a policy read it, and the values it takes.
struct Dimension {
    name: &'static str,
    fields: &'static [Field],
    choices: Vec<Choice>,
}

impl Dimension {
    /// Every variant of `variants` once for each of this dimension's choices.
    fn cross(&self, variants: &[Variant]) -> Vec<Variant> {
        let mut next = Vec::with_capacity(variants.len() * self.choices.len());
        for variant in variants {
            for (label, apply) in &self.choices {
                let mut order = variant.order.clone();
                apply(&mut order);
                let mut facts = variant.facts.clone();
                facts.push(format!("{} = {label}", self.name));
                next.push(Variant { order, facts });
            }
        }
        next
    }
}

/// The grid's facts, in the order their labels are listed.
fn dimensions() -> Vec<Dimension> {
    vec![
        Dimension {
            name: "billing",
            fields: &[Field::Billing],
            choices: vec![
                ("subscription".into(), Box::new(|o: &mut Order| o.billing = Billing::Subscription)),
                ("pay_as_you_go".into(), Box::new(|o: &mut Order| o.billing = Billing::PayAsYouGo)),
            ],
        },
        Dimension {
            name: "purchase",
            fields: &[Field::Purchase],
            choices: vec![
                ("new".into(), Box::new(|o: &mut Order| o.purchase = Purchase::New)),
                ("renewal".into(), Box::new(|o: &mut Order| o.purchase = Purchase::Renewal)),
            ],
        },
        Dimension {
            name: "voucher",
            fields: &[Field::PaidVoucher, Field::PaidCash],
            choices: vec![
                ("none".into(), Box::new(|_: &mut Order| {})),
                (
                    "a tenth of the price".into(),
                    Box::new(|o: &mut Order| {
                        let share = (o.paid.cash / Decimal::from(10)).round_dp(2);
                        o.paid.cash -= share;
                        o.paid.voucher += share;
                    }),
                ),
            ],
        },
        Dimension {
            name: "no-reason refunds used",
            fields: &[Field::NoReasonRefundsUsed],
            choices: vec![
                ("0".into(), Box::new(|o: &mut Order| o.account.no_reason_refunds_used = 0)),
                ("1".into(), Box::new(|o: &mut Order| o.account.no_reason_refunds_used = 1)),
            ],
        },
        Dimension {
            name: "banned",
            fields: &[Field::BannedForViolation],
            choices: vec![
                ("no".into(), Box::new(|o: &mut Order| o.banned_for_violation = false)),
                ("yes".into(), Box::new(|o: &mut Order| o.banned_for_violation = true)),
            ],
        },
        Dimension {
            name: "promotion",
            fields: &[Field::PromotionNonRefundable, Field::Promotion],
            choices: vec![
                ("none".into(), Box::new(|o: &mut Order| o.promotion = None)),
                (
                    "non-refundable".into(),
                    Box::new(|o: &mut Order| {
                        o.promotion = Some(Promotion { name: "promotion".into(), non_refundable: true })
                    }),
                ),
            ],
        },
        Dimension {
            name: "arrears",
            fields: &[Field::AccountArrears],
            choices: vec![
                ("none".into(), Box::new(|o: &mut Order| o.account.arrears = Decimal::ZERO)),
                ("50.00".into(), Box::new(|o: &mut Order| o.account.arrears = Decimal::new(5000, 2))),
            ],
        },
    ]
}
