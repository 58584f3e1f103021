//! The decision contract: what the engine answers for one order.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::value::SymbolSet;

/// The answer to one refund request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// The order's id.
    pub order: String,
    /// Which policy decided (shared by every decision of that policy version).
    pub policy: std::sync::Arc<PolicyRef>,
    /// Refund, no refund, or manual review.
    pub outcome: Outcome,
    /// The deciding rule.
    pub rule: String,
    /// The total returned, in the currency's minor unit.
    pub amount: Decimal,
    /// ISO 4217 code.
    pub currency: String,
    /// Where the money goes; empty when the amount is zero.
    pub refunds: Vec<Refund>,
    /// Every receipt step from the base amount to the final one.
    pub lines: Vec<Line>,
    /// Why: the deciding rule's message, then what the steps found.
    pub reasons: Vec<String>,
    /// Sentences for the customer.
    pub notes: Vec<String>,
    /// Whether a person approves before money moves.
    pub review: Review,
    /// The refund counts against the account's no-reason quota (the rule says
    /// `uses no_reason_refund`, and money goes back).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub uses_no_reason_refund: bool,
    /// The named values the decision used (`let`s and `const`s), in definition order; only
    /// when explaining (`Policy::explain`, `--explain`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<NamedValue>,
    /// Every rule tried and why it did or did not decide; only when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<TraceEntry>>,
}

/// Identifies the policy that decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRef {
    /// `policy ID`.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Its version label.
    pub version: String,
    /// `sha256:` of the policy's source text.
    pub digest: String,
}

/// What was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Money goes back (the amount is above zero).
    Refund,
    /// Nothing goes back.
    NoRefund,
    /// A person decides; the amount is what the policy computed.
    ManualReview,
}

/// Where refunded money goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Destination {
    /// Back through the payment channel.
    Original,
    /// To the account balance.
    Balance,
    /// As gift credit.
    Gift,
    /// As a voucher returned to the account.
    Voucher,
}

/// Whether a person approves the refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Review {
    /// Paid without a person.
    #[default]
    Auto,
    /// A person approves first.
    Manual,
}

/// Money to one destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    /// Where it goes.
    pub to: Destination,
    /// How much.
    pub amount: Decimal,
}

/// One receipt line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// What the line is, in the policy's words.
    pub label: String,
    /// The signed change (the base line: the starting amount).
    pub amount: Decimal,
    /// What kind of step the line is.
    pub kind: LineKind,
    /// The running amount after this line.
    pub total: Decimal,
}

/// The kinds of receipt line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// The starting amount.
    Base,
    /// `less`.
    Less,
    /// `plus`.
    Plus,
    /// `deduct`.
    Deduct,
    /// `offset`.
    Offset,
    /// `cap`.
    Cap,
    /// `zero_below`.
    ZeroBelow,
    /// `clamp`.
    Clamp,
    /// Rounding to the currency's minor unit.
    Rounding,
}

/// A named value and how it reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedValue {
    /// The name in the policy (`held`, `order.paid.cash`).
    pub name: String,
    /// The value as text (`5 days 0 hours`, `13.70`).
    pub value: String,
}

/// One step of the explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TraceEntry {
    /// A rule that did not decide: the first condition that failed, and the values it read.
    Skipped {
        /// The rule.
        rule: String,
        /// Its message.
        message: String,
        /// The failing condition as written.
        condition: String,
        /// The values it read.
        values: Vec<NamedValue>,
    },
    /// The deciding rule: every condition held.
    Decided {
        /// The rule.
        rule: String,
        /// Its message.
        message: String,
        /// Each condition as written.
        conditions: Vec<String>,
        /// The values they read.
        values: Vec<NamedValue>,
    },
    /// A receipt step with its arithmetic.
    Step {
        /// The line's label.
        label: String,
        /// `900.00 - 50.00 = 850.00`.
        arithmetic: String,
        /// How the step's amount was computed, from names to numbers:
        /// `used_fee = round(order.list_price * used_days / term_days, 0.01, half_up) = ... = 13.70`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        operand: Option<String>,
    },
}

crate::names::enum_names! {
    Outcome { Refund => "refund", NoRefund => "no_refund", ManualReview => "manual_review" }
    Destination { Original => "original", Balance => "balance", Gift => "gift", Voucher => "voucher" }
    Review { Auto => "auto", Manual => "manual" }
    LineKind {
        Base => "base", Less => "less", Plus => "plus", Deduct => "deduct", Offset => "offset", Cap => "cap",
        ZeroBelow => "zero_below", Clamp => "clamp", Rounding => "rounding",
    }
}

/// Where a policy may send money (`to original`), as a set of symbols for the checker.
pub(crate) const DESTINATIONS: SymbolSet = SymbolSet::Known("destination", Destination::NAMES);

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of each value is the JSON contract's, and reads back.
    #[test]
    fn every_enum_is_written_one_way() {
        fn check<T: Copy + PartialEq + std::fmt::Debug + Serialize + Into<&'static str>>(
            all: &[T],
            from_name: fn(&str) -> Option<T>,
        ) {
            for value in all {
                let text: &'static str = (*value).into();
                assert_eq!(serde_json::to_value(value).unwrap(), text, "{value:?}");
                assert_eq!(from_name(text), Some(*value));
            }
        }
        check(Outcome::ALL, Outcome::from_name);
        check(Destination::ALL, Destination::from_name);
        check(Review::ALL, Review::from_name);
        check(LineKind::ALL, LineKind::from_name);
    }
}
