//! Money arithmetic that needs care: rounding to a step, and splitting an amount into shares
//! that add up to the cent. Every rounding in the engine goes through [`round_to_step`].

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// How to round a value that lies between two steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// To the nearest step; halves away from zero (the usual commercial rule).
    #[default]
    HalfUp,
    /// To the nearest step; halves to the even step (banker's rounding).
    HalfEven,
    /// To the nearest step; halves toward zero.
    HalfDown,
    /// Away from zero.
    Up,
    /// Toward zero.
    Down,
    /// Toward minus infinity.
    Floor,
    /// Toward plus infinity.
    Ceiling,
}

impl Rounding {
    /// The mode named `name` in a policy (`half_up`, `half_even`, `half_down`, `up`, `down`).
    pub fn from_name(name: &str) -> Option<Rounding> {
        Some(match name {
            "half_up" => Rounding::HalfUp,
            "half_even" => Rounding::HalfEven,
            "half_down" => Rounding::HalfDown,
            "up" => Rounding::Up,
            "down" => Rounding::Down,
            _ => return None,
        })
    }

    /// How the mode is written.
    pub fn name(self) -> &'static str {
        match self {
            Rounding::HalfUp => "half-up",
            Rounding::HalfEven => "half-even",
            Rounding::HalfDown => "half-down",
            Rounding::Up => "up",
            Rounding::Down => "down",
            Rounding::Floor => "down (floor)",
            Rounding::Ceiling => "up (ceiling)",
        }
    }

    fn strategy(self) -> RoundingStrategy {
        match self {
            Rounding::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
            Rounding::HalfDown => RoundingStrategy::MidpointTowardZero,
            Rounding::Up => RoundingStrategy::AwayFromZero,
            Rounding::Down => RoundingStrategy::ToZero,
            Rounding::Floor => RoundingStrategy::ToNegativeInfinity,
            Rounding::Ceiling => RoundingStrategy::ToPositiveInfinity,
        }
    }
}

/// Rounds `value` to a whole multiple of `step` (0.01 for cents, 1 for whole units).
/// `None` when `step` is not positive or the result does not fit.
pub fn round_to_step(value: Decimal, step: Decimal, mode: Rounding) -> Option<Decimal> {
    if step <= Decimal::ZERO {
        return None;
    }
    let steps = value.checked_div(step)?.round_dp_with_strategy(0, mode.strategy());
    // A whole number of steps times the step keeps the step's scale: cents print as "13.70".
    steps.checked_mul(step)
}

/// The smallest amount of a currency with `minor_units` decimals (0.01 for CNY).
pub fn minor_unit(minor_units: u32) -> Decimal {
    Decimal::new(1, minor_units.min(28))
}

/// Splits `total` into shares proportional to `weights`, each a whole number of minor units,
/// adding up to `total` exactly. Leftover units go to the largest remainders, earlier shares
/// first on ties. With no positive weight, everything goes to the first share.
pub fn split(total: Decimal, weights: &[Decimal], minor_units: u32) -> Vec<Decimal> {
    let all_to_first = || {
        let mut shares = vec![Decimal::ZERO; weights.len()];
        if let Some(first) = shares.first_mut() {
            *first = total;
        }
        shares
    };
    let unit = minor_unit(minor_units);
    let weight_sum =
        weights.iter().filter(|w| **w > Decimal::ZERO).fold(Decimal::ZERO, |sum, w| sum.saturating_add(*w));
    if weight_sum.is_zero() || total.is_zero() {
        return all_to_first();
    }
    // In whole minor units: exact shares rounded down, then the units left over.
    let Some(total_units) = total.checked_div(unit).map(|t| t.trunc()) else { return all_to_first() };
    let mut shares = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut given = Decimal::ZERO;
    for (index, weight) in weights.iter().enumerate() {
        let Some(exact) = total_units.checked_mul((*weight).max(Decimal::ZERO)).and_then(|x| x.checked_div(weight_sum))
        else {
            return all_to_first();
        };
        let whole = exact.trunc();
        shares.push(whole);
        given = given.saturating_add(whole);
        remainders.push((exact - whole, index));
    }
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut left = total_units.saturating_sub(given);
    for (_, index) in remainders {
        if left <= Decimal::ZERO {
            break;
        }
        if let Some(share) = shares.get_mut(index) {
            *share += Decimal::ONE;
            left -= Decimal::ONE;
        }
    }
    for share in &mut shares {
        *share = share.saturating_mul(unit);
        share.rescale(minor_units);
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap_or_default()
    }

    #[test]
    fn half_up_takes_halves_away_from_zero() {
        assert_eq!(round_to_step(d("13.695"), d("0.01"), Rounding::HalfUp), Some(d("13.70")));
        assert_eq!(round_to_step(d("-13.695"), d("0.01"), Rounding::HalfUp), Some(d("-13.70")));
        assert_eq!(
            round_to_step(d("13.6986"), d("0.01"), Rounding::HalfUp).map(|v| v.to_string()),
            Some("13.70".into())
        );
    }

    #[test]
    fn half_even_takes_halves_to_even() {
        assert_eq!(round_to_step(d("0.125"), d("0.01"), Rounding::HalfEven), Some(d("0.12")));
        assert_eq!(round_to_step(d("0.135"), d("0.01"), Rounding::HalfEven), Some(d("0.14")));
    }

    #[test]
    fn up_and_down_ignore_the_midpoint() {
        assert_eq!(round_to_step(d("0.121"), d("0.01"), Rounding::Up), Some(d("0.13")));
        assert_eq!(round_to_step(d("0.129"), d("0.01"), Rounding::Down), Some(d("0.12")));
        assert_eq!(round_to_step(d("-0.129"), d("0.01"), Rounding::Down), Some(d("-0.12")));
    }

    #[test]
    fn steps_other_than_powers_of_ten() {
        assert_eq!(round_to_step(d("12.3"), d("0.5"), Rounding::HalfUp), Some(d("12.5")));
        assert_eq!(round_to_step(d("7"), d("5"), Rounding::Down), Some(d("5")));
        assert_eq!(round_to_step(d("7"), d("0"), Rounding::Down), None);
    }

    #[test]
    fn split_shares_add_up_to_the_cent() {
        let shares = split(d("100.00"), &[d("1"), d("1"), d("1")], 2);
        assert_eq!(shares, vec![d("33.34"), d("33.33"), d("33.33")]);
        assert_eq!(shares.iter().copied().sum::<Decimal>(), d("100.00"));
        let shares = split(d("387.80"), &[d("407.96"), d("0")], 2);
        assert_eq!(shares, vec![d("387.80"), d("0.00")]);
        let shares = split(d("10.00"), &[d("0"), d("0")], 2);
        assert_eq!(shares, vec![d("10.00"), d("0")]);
    }
}
