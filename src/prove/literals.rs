//! The constants a policy is written with: the edges its conditions and tables cut orders at.
//! `prove` tries orders at each of them and one unit either side.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::order::Field;
use crate::program::{every_node, walk};
use crate::program::{NodeKind, Program};
use crate::value::Value;

/// Every constant of a policy's versions, by type.
#[derive(Debug, Default)]
pub(crate) struct Literals {
    /// Money amounts (`2000.00 CNY`).
    pub money: BTreeSet<Decimal>,
    /// Plain numbers (table keys, counts, `10%` as 0.10).
    pub numbers: BTreeSet<Decimal>,
    /// Lengths of time, in seconds (`5 days`).
    pub seconds: BTreeSet<i64>,
    /// Calendar months (`1 month`, `1 year` as 12).
    pub months: BTreeSet<i64>,
    /// Calendar dates, and the dates versions start on.
    pub dates: BTreeSet<NaiveDate>,
    /// Texts (`"双十一"`).
    pub texts: BTreeSet<String>,
    /// The order fields read by any rule, `let`, table lookup or invariant.
    pub fields: Vec<Field>,
}

impl Literals {
    /// The constants and fields of `programs`.
    pub fn of<'p>(programs: impl Iterator<Item = &'p Program>) -> Literals {
        let mut literals = Literals::default();
        for program in programs {
            let mut nodes = every_node(program);
            nodes.extend(program.invariants.iter().filter_map(|i| i.condition.as_ref()));
            for node in nodes {
                walk(node, &mut |n| match &n.kind {
                    NodeKind::Const(value) => literals.add(value),
                    NodeKind::Field(field) if !literals.fields.contains(field) => literals.fields.push(*field),
                    _ => {}
                });
            }
            for table in &program.tables {
                for (keys, _) in &table.rows {
                    keys.iter().for_each(|key| literals.add(key));
                }
            }
            literals.dates.extend(program.effective.iter().chain(program.until.iter()));
        }
        literals
    }

    fn add(&mut self, value: &Value) {
        match value {
            Value::Money(amount) => {
                self.money.insert(*amount);
            }
            Value::Number(number) => {
                self.numbers.insert(*number);
            }
            Value::Duration(seconds) => {
                if let Ok(seconds) = i64::try_from(seconds.trunc()) {
                    self.seconds.insert(seconds);
                }
            }
            Value::Period(months) => {
                self.months.insert(*months);
            }
            Value::Date(date) => {
                self.dates.insert(*date);
            }
            Value::Instant(at) => {
                self.dates.insert(at.date_naive());
            }
            Value::Text(text) => {
                self.texts.insert(text.to_string());
            }
            Value::Bool(_) | Value::Symbol(_) | Value::Missing => {}
        }
    }

    /// Whole numbers from 0 to `limit` among the plain numbers: counts, months, days.
    pub fn small_whole_numbers(&self, limit: i64) -> Vec<i64> {
        self.numbers
            .iter()
            .filter(|n| n.fract().is_zero())
            .filter_map(|n| i64::try_from(*n).ok())
            .filter(|n| (0..=limit).contains(n))
            .collect()
    }

    /// Whether the policy reads `field`.
    pub fn reads(&self, field: Field) -> bool {
        self.fields.contains(&field)
    }
}
