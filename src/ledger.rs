//! What earlier decisions of a batch change for later orders of the same account: each
//! refund that uses the no-reason quota adds one to `account.no_reason_refunds_used`, and every
//! refund adds to `account.refunded_last_12_months` for a year. Orders must be given to the
//! ledger in time order per account (the batch sorts them so).

use std::collections::HashMap;

use chrono::{DateTime, Duration, FixedOffset};
use rust_decimal::Decimal;

use crate::decision::{Decision, Outcome};
use crate::order::Order;

/// The running history of every account seen in a batch.
#[derive(Debug, Default, Clone)]
pub struct Ledger {
    accounts: HashMap<String, History>,
}

#[derive(Debug, Default, Clone)]
struct History {
    no_reason_refunds: u32,
    refunds: Vec<(DateTime<FixedOffset>, Decimal)>,
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Adds what the account's earlier decisions in this batch used to the order's account
    /// fields. Orders without an account id stand alone.
    pub fn prepare(&self, order: &mut Order) {
        let Some(history) = self.accounts.get(&order.account.id).filter(|_| !order.account.id.is_empty()) else {
            return;
        };
        let account = &mut order.account;
        account.no_reason_refunds_used = account.no_reason_refunds_used.saturating_add(history.no_reason_refunds);
        let year_before = order.requested_at - Duration::days(365);
        let recent: Decimal = history.refunds.iter().filter(|(at, _)| *at > year_before).map(|(_, a)| *a).sum();
        account.refunded_last_12_months = account.refunded_last_12_months.saturating_add(recent);
    }

    /// Records a decision of the account's order.
    pub fn record(&mut self, order: &Order, decision: &Decision) {
        if order.account.id.is_empty() || decision.outcome == Outcome::NoRefund {
            return;
        }
        let history = self.accounts.entry(order.account.id.clone()).or_default();
        if decision.uses_no_reason_refund {
            history.no_reason_refunds = history.no_reason_refunds.saturating_add(1);
        }
        history.refunds.push((order.requested_at, decision.amount));
    }
}
