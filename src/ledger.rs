//! What earlier decisions of a batch change for later orders of the same account: each
//! refund that uses the no-reason quota adds one to `account.no_reason_refunds_used` (until the
//! quota starts again, when the policy says `uses no_reason_refund per calendar year` or
//! `month`), and every refund adds to `account.refunded_last_12_months` for a year. Orders must
//! be given to the ledger in time order per account (the batch sorts them so).

use std::collections::HashMap;

use chrono::{DateTime, Duration, FixedOffset};
use rust_decimal::Decimal;

use crate::check::program::QuotaPeriod;
use crate::decision::{Decision, Outcome};
use crate::order::Order;
use crate::policy::Policy;

/// When the no-reason quota starts again, in which time zone's calendar; `None`: never.
type QuotaCalendar = Option<(QuotaPeriod, chrono_tz::Tz)>;

/// The running history of every account seen in a batch. Made for one policy
/// (`Ledger::for_policy`), which says when its quota starts again.
#[derive(Debug, Clone)]
pub struct Ledger {
    accounts: HashMap<String, AccountHistory>,
    calendar: QuotaCalendar,
}

/// One account's refunds so far in a batch.
#[derive(Debug, Default, Clone)]
pub struct AccountHistory {
    /// When each no-reason refund was requested (those of the current quota period only).
    no_reason_refunds: Vec<DateTime<FixedOffset>>,
    refunds: Vec<(DateTime<FixedOffset>, Decimal)>,
    calendar: QuotaCalendar,
}

impl Ledger {
    /// An empty ledger for the orders of `policy`: its no-reason quota starts again when the
    /// policy says (`uses no_reason_refund per calendar year`).
    pub fn for_policy(policy: &Policy) -> Ledger {
        Ledger { accounts: HashMap::new(), calendar: policy.no_reason_quota_period() }
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
            let calendar = self.calendar;
            self.accounts
                .entry(order.account.id.clone())
                .or_insert_with(|| AccountHistory { calendar, ..AccountHistory::default() })
                .record(order, decision);
        }
    }

    /// Takes an account's history out, to work on it apart (on another thread).
    pub fn take(&mut self, account: &str) -> AccountHistory {
        let calendar = self.calendar;
        self.accounts.remove(account).unwrap_or(AccountHistory { calendar, ..AccountHistory::default() })
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
        let used = self
            .no_reason_refunds
            .iter()
            .filter(|at| same_quota_period(self.calendar, **at, order.requested_at))
            .count();
        let account = &mut order.account;
        let used = u32::try_from(used).unwrap_or(u32::MAX);
        account.no_reason_refunds_used = account.no_reason_refunds_used.saturating_add(used);
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
            // Orders come in time order: refunds of an earlier quota period count no more.
            let now = order.requested_at;
            let calendar = self.calendar;
            self.no_reason_refunds.retain(|at| same_quota_period(calendar, *at, now));
            self.no_reason_refunds.push(now);
        }
        if let Some(year_before) = order.requested_at.checked_sub_signed(Duration::days(365)) {
            self.refunds.retain(|(at, _)| *at > year_before);
        }
        self.refunds.push((order.requested_at, decision.amount));
    }
}

/// Whether a no-reason refund at `earlier` still counts against the quota at `now`.
fn same_quota_period(calendar: QuotaCalendar, earlier: DateTime<FixedOffset>, now: DateTime<FixedOffset>) -> bool {
    match calendar {
        Some((period, zone)) => period.of(earlier, zone) == period.of(now, zone),
        None => true,
    }
}
