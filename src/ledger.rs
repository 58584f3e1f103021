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
    accounts: HashMap<String, AccountHistory>,
}

/// One account's refunds so far in a batch.
#[derive(Debug, Default, Clone)]
pub struct AccountHistory {
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
        if let Some(history) = self.accounts.get(&order.account.id).filter(|_| !order.account.id.is_empty()) {
            history.prepare(order);
        }
    }

    /// Records a decision of the account's order.
    pub fn record(&mut self, order: &Order, decision: &Decision) {
        if !order.account.id.is_empty() {
            self.accounts.entry(order.account.id.clone()).or_default().record(order, decision);
        }
    }

    /// Takes an account's history out, to work on it apart (on another thread).
    pub fn take(&mut self, account: &str) -> AccountHistory {
        self.accounts.remove(account).unwrap_or_default()
    }

    /// Puts an account's history back.
    pub fn put(&mut self, account: String, history: AccountHistory) {
        if !account.is_empty() {
            self.accounts.insert(account, history);
        }
    }
}

impl AccountHistory {
    /// Adds this account's earlier refunds to the order's account fields.
    pub fn prepare(&self, order: &mut Order) {
        let account = &mut order.account;
        account.no_reason_refunds_used = account.no_reason_refunds_used.saturating_add(self.no_reason_refunds);
        let year_before = order.requested_at.checked_sub_signed(Duration::days(365));
        let recent: Decimal = self
            .refunds
            .iter()
            .filter(|(at, _)| year_before.is_none_or(|y| *at > y))
            .fold(Decimal::ZERO, |sum, (_, a)| sum.saturating_add(*a));
        account.refunded_last_12_months = account.refunded_last_12_months.saturating_add(recent);
    }

    /// Records a decision; refunds older than a year before it are forgotten.
    pub fn record(&mut self, order: &Order, decision: &Decision) {
        if decision.outcome == Outcome::NoRefund {
            return;
        }
        if decision.uses_no_reason_refund {
            self.no_reason_refunds = self.no_reason_refunds.saturating_add(1);
        }
        if let Some(year_before) = order.requested_at.checked_sub_signed(Duration::days(365)) {
            self.refunds.retain(|(at, _)| *at > year_before);
        }
        self.refunds.push((order.requested_at, decision.amount));
    }
}
