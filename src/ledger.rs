//! What earlier decisions of a batch change for later orders of the same account: each
//! refund that uses the no-reason quota adds one to `account.no_reason_refunds_used` (until the
//! quota starts again, when the policy says `uses no_reason_refund per calendar year` or
//! `month`), and every refund adds to `account.refunded_last_12_months` for a year. Orders must
//! be given to the ledger in time order per account (the batch sorts them so).

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Duration, FixedOffset};
use rust_decimal::Decimal;

use crate::decision::{Decision, Outcome};
use crate::order::Order;
use crate::policy::Policy;
use crate::program::QuotaPeriod;

/// When the no-reason quota starts again, in which time zone's calendar; `None`: never.
type QuotaCalendar = Option<(QuotaPeriod, chrono_tz::Tz)>;

/// The running history of every account seen in a batch. Made for one policy
/// (`Ledger::for_policy`), which says when its quota starts again.
#[derive(Debug, Clone)]
pub struct Ledger {
    accounts: HashMap<String, AccountHistory>,
    calendar: QuotaCalendar,
}

/// One account's refunds so far in a batch. Reading it for an order costs the same however
/// long the history: a quota is a count, and the 12-month total a difference of running sums.
#[derive(Debug, Default, Clone)]
pub struct AccountHistory {
    /// The last no-reason refund and how many count against the quota with it: they all fall in
    /// its quota period, since an earlier period's are forgotten when a new period's is recorded.
    no_reason_refunds: Option<(DateTime<FixedOffset>, usize)>,
    /// The refunds of the last year, in time order, each with the running sum up to it.
    refunds: VecDeque<Refund>,
    /// The running sum of the refunds forgotten (more than a year old): where `refunds` starts.
    forgotten: Decimal,
    calendar: QuotaCalendar,
}

/// A refund in an account's history.
#[derive(Debug, Clone, Copy)]
struct Refund {
    at: DateTime<FixedOffset>,
    amount: Decimal,
    /// Every amount of the history up to this one, this one included.
    running: Decimal,
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
        let used = match self.no_reason_refunds {
            Some((last, count)) if same_quota_period(self.calendar, last, order.requested_at) => count,
            _ => 0,
        };
        let account = &mut order.account;
        let used = u32::try_from(used).unwrap_or(u32::MAX);
        account.no_reason_refunds_used = account.no_reason_refunds_used.saturating_add(used);
        let year_before = order.requested_at.checked_sub_signed(Duration::days(365));
        // Refunds up to a year before the order do not count: they are the first `older` ones.
        let older = year_before.map_or(0, |year_before| self.refunds.partition_point(|r| r.at <= year_before));
        let before = older.checked_sub(1).and_then(|i| self.refunds.get(i)).map_or(self.forgotten, |r| r.running);
        let recent = self.running_total().saturating_sub(before);
        account.refunded_last_12_months = account.refunded_last_12_months.saturating_add(recent);
    }

    /// Records a decision; refunds older than a year before it are forgotten.
    pub fn record(&mut self, order: &Order, decision: &Decision) {
        if decision.outcome == Outcome::NoRefund {
            return;
        }
        let now = order.requested_at;
        if decision.uses_no_reason_refund {
            // Orders come in time order: refunds of an earlier quota period count no more.
            self.no_reason_refunds = match self.no_reason_refunds {
                Some((last, count)) if same_quota_period(self.calendar, last, now) => Some((now, count + 1)),
                _ => Some((now, 1)),
            };
        }
        if let Some(year_before) = now.checked_sub_signed(Duration::days(365)) {
            while let Some(oldest) = self.refunds.front().filter(|r| r.at <= year_before) {
                self.forgotten = oldest.running;
                self.refunds.pop_front();
            }
        }
        // In time order this is the end; an order earlier than the last (an account's orders
        // out of order across chunks) goes in its place and the sums after it are redone.
        let place = self.refunds.partition_point(|r| r.at <= now);
        let before = place.checked_sub(1).and_then(|i| self.refunds.get(i)).map_or(self.forgotten, |r| r.running);
        let refund = Refund { at: now, amount: decision.amount, running: before.saturating_add(decision.amount) };
        self.refunds.insert(place, refund);
        let mut running = refund.running;
        for later in self.refunds.range_mut(place + 1..) {
            running = running.saturating_add(later.amount);
            later.running = running;
        }
    }

    /// The running sum at the newest refund.
    fn running_total(&self) -> Decimal {
        self.refunds.back().map_or(self.forgotten, |r| r.running)
    }
}

/// Whether a no-reason refund at `earlier` still counts against the quota at `now`.
fn same_quota_period(calendar: QuotaCalendar, earlier: DateTime<FixedOffset>, now: DateTime<FixedOffset>) -> bool {
    match calendar {
        Some((period, zone)) => period.of(earlier, zone) == period.of(now, zone),
        None => true,
    }
}
