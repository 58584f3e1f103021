//! Deciding one order with several providers' policies, side by side.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::decision::Decision;
use crate::ledger::Ledger;
use crate::order::Order;
use crate::policy::Policy;

/// One policy's answer for an order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The policy's id.
    pub policy: String,
    /// Its display name.
    pub name: String,
    /// What it decided, or why it could not.
    #[serde(flatten)]
    pub result: Compared,
}

/// What a policy made of an order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Compared {
    /// The policy decided; with several servers, the sum of their decisions.
    Decided {
        /// The decision of the first server.
        decision: Box<Decision>,
        /// The total returned for all servers.
        total: Decimal,
        /// What all servers paid together.
        paid: Decimal,
        /// The deciding rule of each server, in order.
        rules: Vec<String>,
        /// Where the money of all servers goes, per destination (gift credit and vouchers
        /// given back included), in the contract's order of destinations.
        destinations: Vec<crate::decision::Refund>,
    },
    /// The order is in another currency; amounts are never converted.
    NotComparable {
        /// Why.
        reason: String,
    },
    /// The policy could not decide the order (a policy or order error).
    Failed {
        /// The error.
        error: String,
        /// Whether the order is at fault (else the policy): the CLI's exit code says which.
        #[serde(skip)]
        order_fault: bool,
    },
}

impl Compared {
    /// The total returned, when the policy decided.
    pub fn total(&self) -> Option<Decimal> {
        match self {
            Compared::Decided { total, .. } => Some(*total),
            _ => None,
        }
    }
}

/// `order` under each policy, read by each exactly as `refund eval` reads it: one provider's
/// facts go in a group named by its policy id (`"attributes": { "acme_cloud": { ... } }`).
pub fn compare(policies: &[Policy], order: &Order) -> Vec<Comparison> {
    policies.iter().map(|policy| compare_one(policy, order, 1)).collect()
}

/// `order` under one policy, for `servers` identical servers of one account, decided one after
/// another so that quotas carry from one to the next (only one may get a no-reason refund).
pub fn compare_one(policy: &Policy, order: &Order, servers: u32) -> Comparison {
    let result = if order.currency != policy.currency() {
        Compared::NotComparable {
            reason: format!("the order is in {}, the policy in {}", order.currency, policy.currency()),
        }
    } else {
        decide_servers(policy, order, servers.max(1))
    };
    Comparison { policy: policy.id().to_owned(), name: policy.name().to_owned(), result }
}

fn decide_servers(policy: &Policy, order: &Order, servers: u32) -> Compared {
    let mut ledger = Ledger::for_policy(policy);
    let mut first = None;
    let mut total = Decimal::ZERO;
    let mut rules = Vec::new();
    let mut destinations: Vec<crate::decision::Refund> = Vec::new();
    for index in 0..servers {
        let mut server = order.clone();
        if server.account.id.is_empty() {
            server.account.id = "compare".to_owned();
        }
        if servers > 1 {
            server.id = format!("{}#{}", order.id, index + 1);
        }
        ledger.prepare(&mut server);
        match policy.evaluate(&server) {
            Ok(decision) => {
                ledger.record(&server, &decision);
                total = total.saturating_add(decision.amount);
                rules.push(decision.rule.clone());
                for refund in &decision.refunds {
                    match destinations.iter_mut().find(|d| d.to == refund.to) {
                        Some(sum) => sum.amount = sum.amount.saturating_add(refund.amount),
                        None => destinations.push(refund.clone()),
                    }
                }
                first.get_or_insert(decision);
            }
            Err(error) => {
                let order_fault = matches!(error, crate::eval::EvalError::Order(_));
                return Compared::Failed { error: error.to_string(), order_fault };
            }
        }
    }
    let paid = order.paid_total().saturating_mul(Decimal::from(servers));
    match first {
        Some(decision) => {
            destinations.sort_by_key(|d| d.to);
            Compared::Decided { decision: Box::new(decision), total, paid, rules, destinations }
        }
        None => Compared::Failed { error: "no server was decided".to_owned(), order_fault: false },
    }
}

/// The order without the attributes `policy` does not declare.
pub(crate) fn for_policy(policy: &Policy, order: &Order) -> Order {
    let mut order = order.clone();
    order.attributes.retain(|name, _| policy.declares_attribute(name));
    order
}

/// The policy id `written` most likely means: a near spelling, or the one id it begins
/// (`acme` for `acme_cloud`).
pub fn closest_policy(written: &str, ids: &[&str]) -> Option<String> {
    crate::suggest::closest(written, ids.iter().copied())
        .or_else(|| {
            let mut starting = ids.iter().filter(|id| id.starts_with(written) || written.starts_with(**id));
            match (starting.next(), starting.next()) {
                (Some(only), None) => Some(*only),
                _ => None,
            }
        })
        .map(str::to_owned)
}

/// How much one policy gives back, held for longer and longer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    /// The policy's id.
    pub policy: String,
    /// Its display name.
    pub name: String,
    /// One point per step: seconds held, and the refund (`None` where the policy failed).
    pub points: Vec<(i64, Option<Decimal>)>,
    /// What the order paid, for shares.
    pub paid: Decimal,
}

/// The refund of `order` under each policy (of the order's currency), requested `from` to
/// `to` seconds after the service started, every `step` seconds.
pub fn curves(policies: &[Policy], order: &Order, from: i64, to: i64, step: i64) -> Vec<Series> {
    let start = order.service_start();
    let step = step.max(1);
    policies
        .iter()
        .filter(|policy| policy.currency() == order.currency)
        .map(|policy| {
            let base = order.clone();
            let points = (0..)
                .map(|i| from.saturating_add(step.saturating_mul(i)))
                .take_while(|held| *held <= to)
                .map(|held| {
                    let mut point = base.clone();
                    // Past the end of the calendar there is nothing to decide: a gap in the line.
                    let Some(at) = start.checked_add_signed(chrono::Duration::seconds(held)) else {
                        return (held, None);
                    };
                    point.requested_at = at;
                    (held, policy.evaluate(&point).ok().map(|d| d.amount))
                })
                .collect();
            Series { policy: policy.id().to_owned(), name: policy.name().to_owned(), points, paid: order.paid_total() }
        })
        .collect()
}
