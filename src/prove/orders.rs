//! The order generator: valid orders made from a policy's example orders and from the order
//! contract, varying every fact the policy reads across the edges its constants draw.
//!
//! ```text
//! let space = OrderSpace::for_policy(&policy);
//! for generated in space.generate(seed).take(1_000) { ... }
//! ```
//!
//! The stream is deterministic for a seed: first every base order as it is, then each knob at
//! each of its values once (one knob at a time, the bases taking turns), then random mixes of
//! several knobs at once. Orders outside the contract are left in the stream; callers skip
//! those whose `validate` fails.

use chrono::{DateTime, FixedOffset, NaiveTime};
use rust_decimal::Decimal;

use crate::eval::time::{add_months, from_local};
use crate::order::{Billing, Order, Paid};
use crate::policy::Policy;
use crate::program::{AttributeDef, Program, VersionsBy};
use crate::value::Type;

use super::choices;
use super::knob::{repair, with_scale, Anchor, Choice, Knob, Setting};
use super::literals::Literals;
use super::Random;

pub use super::choices::Dial;

/// Everything `prove` may generate for one policy.
#[derive(Debug, Clone)]
pub struct OrderSpace {
    /// The policy, whose own version selection says which attributes an order may carry.
    policy: Policy,
    bases: Vec<Order>,
    from_examples: usize,
    dials: Vec<Dial>,
    setting: Setting,
}

/// One generated order and where it came from.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The order (it may break the contract: check `validate`).
    pub order: Order,
    /// The index of the base order it was made from.
    pub base: usize,
    /// How it was made.
    pub kind: Made,
}

/// How a generated order was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Made {
    /// A base order as it is.
    Base,
    /// One knob set to one of its edge values.
    Edge,
    /// Several knobs set at random.
    Mixed,
}

impl OrderSpace {
    /// The orders a policy can be tried on: its example orders in its currency and an order made
    /// from the contract alone, varied over every field and attribute the policy reads.
    pub fn for_policy(policy: &Policy) -> OrderSpace {
        let programs: Vec<&Program> = policy.programs().map(|(program, _)| program).collect();
        let literals = Literals::of(programs.iter().copied());
        let newest = programs.last().copied();
        let setting = newest.map_or(Setting { timezone: chrono_tz::UTC, minor_units: 2 }, |p| Setting {
            timezone: p.timezone,
            minor_units: p.minor_units,
        });
        // Every version's declarations, newest first: a knob per attribute name, tried at the
        // values of each version that declares it; `fit` keeps it on the orders of those only.
        let attributes: Vec<&AttributeDef> = programs.iter().rev().flat_map(|p| &p.attributes).collect();
        let mut bases = policy.example_orders();
        bases.retain(|o| o.currency == policy.currency());
        let from_examples = bases.len();
        if let Some(contract) = newest.and_then(|p| contract_order(p, setting)) {
            bases.push(contract);
        }
        let edges = version_edges(&programs);
        let dials = choices::dials(&literals, &attributes, &edges, &bases, setting);
        OrderSpace { policy: policy.clone(), bases, from_examples, dials, setting }
    }

    /// The base orders: the policy's example orders first, then the one made from the contract.
    pub fn bases(&self) -> &[Order] {
        &self.bases
    }

    /// How many base orders come from the policy's examples.
    pub fn bases_from_examples(&self) -> usize {
        self.from_examples
    }

    /// The knobs turned and their values.
    pub fn dials(&self) -> &[Dial] {
        &self.dials
    }

    /// How many orders the edge pass makes (bases included): a run shorter than this leaves
    /// some edges untried.
    pub fn edge_orders(&self) -> usize {
        self.bases.len() + self.dials.iter().map(|d| d.choices.len()).sum::<usize>()
    }

    /// The endless, deterministic stream of orders for `seed`.
    pub fn generate(&self, seed: u64) -> Orders<'_> {
        Orders { space: self, random: Random(seed), index: 0 }
    }

    /// `order` with `knob` set back to what base `base` has; `None` when nothing changes.
    pub fn reset(&self, order: &Order, base: usize, knob: &Knob) -> Option<Order> {
        let base = self.bases.get(base)?;
        let mut reset = order.clone();
        knob.set(&knob.read(base), &mut reset, self.setting, &mut Random(0));
        self.finish(&mut reset);
        (reset != *order).then_some(reset)
    }

    /// `order` with `knob` set to `choice`.
    pub fn with(&self, order: &Order, knob: &Knob, choice: &Choice) -> Order {
        let mut changed = order.clone();
        knob.set(choice, &mut changed, self.setting, &mut Random(0));
        self.finish(&mut changed);
        changed
    }

    /// The knobs whose value in `order` differs from base `base`'s.
    pub fn varied(&self, order: &Order, base: usize) -> Vec<&Knob> {
        let Some(base) = self.bases.get(base) else { return Vec::new() };
        self.dials.iter().map(|d| &d.knob).filter(|k| k.read(order) != k.read(base)).collect()
    }

    fn make(
        &self,
        base: usize,
        set: impl FnOnce(&mut Order, &mut Random),
        random: &mut Random,
        index: usize,
    ) -> Option<Order> {
        let mut order = self.bases.get(base)?.clone();
        order.id = format!("{}~{index}", order.id);
        set(&mut order, random);
        if index >= self.bases.len() {
            self.finish(&mut order);
        }
        Some(order)
    }

    /// Keeps a varied order inside the contract and inside the version its dates select.
    fn finish(&self, order: &mut Order) {
        repair(order, self.setting);
        self.fit(order);
    }

    /// Gives `order` the attributes of the version the policy picks for it: an attribute this
    /// version does not declare, or a value its type does not take, is taken off, and one
    /// without default that this version declares is given a plain value. An order no version applies to is
    /// left as it is: the policy refuses it by design.
    fn fit(&self, order: &mut Order) {
        let Ok(program) = self.policy.program_for(order) else { return };
        order.attributes.retain(|name, value| {
            program.attributes.iter().any(|a| {
                a.name == *name && crate::eval::attribute_value(name, &a.value_type, &a.declared, value).is_ok()
            })
        });
        for attribute in program.attributes.iter().filter(|a| a.default.is_none()) {
            if order.attributes.contains_key(&attribute.name) {
                continue;
            }
            if let Some(value) = plain_attribute(attribute, order, self.setting) {
                order.attributes.insert(attribute.name.clone(), value);
            }
        }
    }
}

/// The stream of [`OrderSpace::generate`].
pub struct Orders<'s> {
    space: &'s OrderSpace,
    random: Random,
    index: usize,
}

impl Iterator for Orders<'_> {
    type Item = Generated;

    fn next(&mut self) -> Option<Generated> {
        let space = self.space;
        let bases = space.bases.len();
        if bases == 0 {
            return None;
        }
        let index = self.index;
        self.index += 1;
        let setting = space.setting;
        if index < bases {
            let order = space.make(index, |_, _| {}, &mut self.random, index)?;
            return Some(Generated { order, base: index, kind: Made::Base });
        }
        let mut edge = index - bases;
        for dial in &space.dials {
            if let Some(choice) = dial.choices.get(edge) {
                let base = index % bases;
                let set = |order: &mut Order, random: &mut Random| dial.knob.set(choice, order, setting, random);
                let order = space.make(base, set, &mut self.random, index)?;
                return Some(Generated { order, base, kind: Made::Edge });
            }
            edge -= dial.choices.len();
        }
        let base = self.random.below(bases as u64) as usize;
        let mix = |order: &mut Order, random: &mut Random| {
            for dial in &space.dials {
                let often = if dial.knob == Knob::RequestedAt { 80 } else { 25 };
                if !random.chance(often) {
                    continue;
                }
                let choice = if dial.knob == Knob::RequestedAt && random.chance(40) {
                    Choice::Anywhere
                } else {
                    random.pick(&dial.choices, Choice::Anywhere)
                };
                dial.knob.set(&choice, order, setting, random);
            }
        };
        let order = space.make(base, mix, &mut self.random, index)?;
        Some(Generated { order, base, kind: Made::Mixed })
    }
}

/// 10:00 local time on `date`, in `setting`'s zone.
fn ten_o_clock(date: chrono::NaiveDate, setting: Setting) -> Option<DateTime<FixedOffset>> {
    from_local(date.and_time(NaiveTime::from_hms_opt(10, 0, 0)?), setting.timezone)
}

/// Where each version starts and ends, as timelines moved so that the date the versions are
/// chosen by falls on the last second before and the first second of that day (in the
/// version's zone): the orders on both sides of a version change. Before the first version and
/// after the last, the policy refuses by design; `prove` skips those.
fn version_edges(programs: &[&Program]) -> Vec<Choice> {
    let mut edges = Vec::new();
    for program in programs.iter().filter(|p| p.effective.is_some() || p.until.is_some()) {
        let anchor = match program.versions_by {
            VersionsBy::PurchasedAt => Anchor::Purchase,
            VersionsBy::RequestedAt => Anchor::Request,
        };
        for date in program.effective.iter().chain(program.until.iter()) {
            let Some(midnight) = from_local(date.and_time(NaiveTime::MIN), program.timezone) else { continue };
            for at in [midnight.checked_sub_signed(chrono::Duration::seconds(1)), Some(midnight)].into_iter().flatten()
            {
                let edge = Choice::Timeline(anchor, at);
                if !edges.contains(&edge) {
                    edges.push(edge);
                }
            }
        }
    }
    edges
}

/// An order made from the contract alone: a one-year subscription bought on the newest version's
/// first day (or 2026-03-01), 1,000 paid in cash, asked back two days later; every attribute
/// of that version without a default given a plain value of its type.
fn contract_order(program: &Program, setting: Setting) -> Option<Order> {
    let day = program.effective.or_else(|| chrono::NaiveDate::from_ymd_opt(2026, 3, 1))?;
    let purchased_at = ten_o_clock(day, setting)?;
    let paid = with_scale(Decimal::ONE_THOUSAND, setting.minor_units);
    let mut order = Order {
        id: "contract".to_owned(),
        account: Default::default(),
        billing: Billing::Subscription,
        purchase: Default::default(),
        currency: program.currency.clone(),
        purchased_at,
        starts_at: None,
        expires_at: add_months(purchased_at, 12, setting.timezone),
        requested_at: purchased_at.checked_add_signed(chrono::Duration::days(2))?,
        list_price: Some(paid),
        discount: Decimal::ZERO,
        paid: Paid { cash: paid, voucher: Decimal::ZERO, gift: Decimal::ZERO },
        payment_channel: None,
        refund_to: None,
        promotion: None,
        traffic: None,
        banned_for_violation: false,
        deposit: Decimal::ZERO,
        attributes: Default::default(),
    };
    for attribute in program.attributes.iter().filter(|a| a.default.is_none()) {
        if let Some(value) = plain_attribute(attribute, &order, setting) {
            order.attributes.insert(attribute.name.clone(), value);
        }
    }
    Some(order)
}

/// A plain value of an attribute's type: a tenth of what was paid, 1, 10%, false, the first
/// symbol, the purchase instant or date, a day, empty text.
fn plain_attribute(attribute: &AttributeDef, order: &Order, setting: Setting) -> Option<serde_json::Value> {
    use serde_json::Value as Json;
    Some(match (&attribute.value_type, attribute.declared.as_str()) {
        (Type::Money, _) => {
            Json::String(with_scale(order.paid_total() / Decimal::TEN, setting.minor_units).to_string())
        }
        (Type::Number, "percent") => Json::String("10%".to_owned()),
        (Type::Number, _) => Json::from(1),
        (Type::Duration, _) => Json::from(86_400),
        (Type::Bool, _) => Json::Bool(false),
        (Type::Symbol(set), _) => Json::String(set.members()?.first()?.to_string()),
        (Type::Instant, _) => Json::String(order.purchased_at.to_rfc3339()),
        (Type::Date, _) => Json::String(order.purchased_at.with_timezone(&setting.timezone).date_naive().to_string()),
        (Type::Text, _) => Json::String(String::new()),
        (Type::Period | Type::Group | Type::Error, _) => return None,
    })
}
