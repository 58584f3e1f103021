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

crate::names::enum_names! {
    Rounding {
        HalfUp => "half_up", HalfEven => "half_even", HalfDown => "half_down", Up => "up", Down => "down",
        Floor => "floor", Ceiling => "ceiling",
    }
}

impl Rounding {
    /// Whether a policy may name the mode (`rounding half_even`, `round(x, 0.01, down)`);
    /// `floor` and `ceiling` are the modes of the `floor(...)` and `ceil(...)` functions.
    pub fn is_written_in_policies(self) -> bool {
        !matches!(self, Rounding::Floor | Rounding::Ceiling)
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

/// The most digits an amount can have and still be held exactly (rust_decimal keeps 96 bits:
/// every 28-digit number fits, not every 29-digit one).
pub const MAX_DIGITS: usize = 28;

/// Why a written amount is not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// The text is not a decimal number as JSON writes one (long texts are shortened, here and
    /// below).
    #[error("`{0}` is not a number: write digits with an optional `.` and decimals, such as \"900.00\"")]
    NotANumber(String),
    /// More significant digits than can be held: reading it would round it.
    #[error(
        "`{text}` has {digits} significant digits, but amounts are held exactly only up to {MAX_DIGITS}; \
         it would be rounded, so write it with at most {MAX_DIGITS} digits"
    )]
    TooManyDigits {
        /// The amount as written.
        text: String,
        /// Its significant digits.
        digits: usize,
    },
    /// A digit further than 28 places after the decimal point.
    #[error(
        "`{text}` has {decimals} decimal places, but amounts are held exactly only up to 28; \
         it would be rounded, so write at most 28 decimals"
    )]
    TooManyDecimals {
        /// The amount as written.
        text: String,
        /// Its decimal places (the last non-zero digit's place).
        decimals: i64,
    },
    /// Too large to be held at all.
    #[error("`{text}` is too large: amounts have at most {MAX_DIGITS} digits before the decimal point")]
    TooLarge {
        /// The amount as written.
        text: String,
    },
}

/// `text` as a message quotes it: whole when short, else its start and end and its length, so
/// that a ten-megabyte value makes a one-line error.
pub(crate) fn abbreviate(text: &str) -> String {
    let count = text.chars().count();
    if count <= 64 {
        return text.to_owned();
    }
    let head: String = text.chars().take(24).collect();
    let tail: String = text.chars().skip(count - 8).collect();
    format!("{head}…{tail} ({count} characters)")
}

/// Reads a decimal number written as JSON writes numbers (`-12.50`, `1e3`; no `+`, `_`, `0x`,
/// leading zeros, `NaN` or `Infinity`), exactly or not at all: rust_decimal's own parser
/// silently rounds past 28 digits (`899.999999999999999999999999999` would become 900).
/// Zeros after the decimal point are kept (`900.00` stays two decimals) unless they are what
/// stands in the way of holding the number. `-0` is read as 0.
pub fn parse_exact(text: &str) -> Result<Decimal, AmountError> {
    let not_a_number = || AmountError::NotANumber(abbreviate(text));
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (number, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((number, exponent)) => (number, Some(exponent)),
        None => (unsigned, None),
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let leading_zero = whole.len() > 1 && whole.starts_with('0');
    if !all_digits(whole) || leading_zero || (number.contains('.') && !all_digits(fraction)) {
        return Err(not_a_number());
    }
    let exponent = match exponent {
        None => 0,
        Some(written) => {
            let (minus, digits) = match written.strip_prefix(['-', '+']) {
                Some(digits) => (written.starts_with('-'), digits),
                None => (false, written),
            };
            if !all_digits(digits) {
                return Err(not_a_number());
            }
            // Past 18 digits an exponent is out of range whatever it is; saturating keeps it so.
            let significant = digits.trim_start_matches('0');
            let magnitude = if significant.len() > 18 { i64::MAX / 4 } else { significant.parse::<i64>().unwrap_or(0) };
            if minus {
                -magnitude
            } else {
                magnitude
            }
        }
    };
    let mut digits: Vec<u8> = whole.bytes().chain(fraction.bytes()).skip_while(|b| *b == b'0').collect();
    let mut scale = i64::try_from(fraction.len()).unwrap_or(i64::MAX).saturating_sub(exponent);
    if digits.is_empty() {
        return Ok(Decimal::new(0, u32::try_from(scale.clamp(0, 28)).unwrap_or(0)));
    }
    // Zeros after the point carry no value: drop them only when the number does not fit with them.
    while scale > 0 && digits.last() == Some(&b'0') && (scale > 28 || digits.len() > MAX_DIGITS) {
        digits.pop();
        scale -= 1;
    }
    let integer_digits = i64::try_from(digits.len()).unwrap_or(i64::MAX).saturating_sub(scale);
    if integer_digits > MAX_DIGITS as i64 {
        return Err(AmountError::TooLarge { text: abbreviate(text) });
    }
    if digits.len() > MAX_DIGITS {
        return Err(AmountError::TooManyDigits { text: abbreviate(text), digits: digits.len() });
    }
    if scale > 28 {
        return Err(AmountError::TooManyDecimals { text: abbreviate(text), decimals: scale });
    }
    let mut mantissa: i128 = 0;
    for digit in digits {
        mantissa = mantissa * 10 + i128::from(digit - b'0');
    }
    for _ in 0..(-scale).max(0) {
        mantissa *= 10;
    }
    let amount = Decimal::try_from_i128_with_scale(mantissa, u32::try_from(scale.max(0)).unwrap_or(0))
        .map_err(|_| AmountError::TooLarge { text: abbreviate(text) })?;
    Ok(if negative { -amount } else { amount })
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
    fn amounts_are_read_exactly_or_refused() {
        let read = |text: &str| parse_exact(text).map(|d| d.to_string());
        assert_eq!(read("900.00"), Ok("900.00".into()));
        assert_eq!(read("1e3"), Ok("1000".into()));
        assert_eq!(read("12.5E-1"), Ok("1.25".into()));
        assert_eq!(read("-0"), Ok("0".into()));
        assert_eq!(read("-0.00"), Ok("0.00".into()));
        assert_eq!(read("0e-99999999999"), Ok("0.0000000000000000000000000000".into()));
        assert_eq!(read("9999999999999999999999999999"), Ok("9999999999999999999999999999".into()));
        // Trailing zeros past what can be held are dropped, not rounded: the value is the same.
        assert_eq!(read("900.000000000000000000000000000000"), Ok("900.0000000000000000000000000".into()));
        // The finding: 30 significant digits used to be rounded to 900.
        let nines = "899.999999999999999999999999999";
        assert_eq!(parse_exact(nines), Err(AmountError::TooManyDigits { text: nines.into(), digits: 30 }));
        assert!(matches!(parse_exact("10000000000000000000000000000"), Err(AmountError::TooLarge { .. })));
        assert!(matches!(parse_exact("1e30"), Err(AmountError::TooLarge { .. })));
        assert!(matches!(parse_exact("1e99999999999999"), Err(AmountError::TooLarge { .. })));
        let long = "9".repeat(100_000);
        assert_eq!(
            parse_exact(&long),
            Err(AmountError::TooLarge { text: format!("{}…99999999 (100000 characters)", &long[..24]) })
        );
        assert!(matches!(parse_exact("1e-29"), Err(AmountError::TooManyDecimals { decimals: 29, .. })));
        assert!(matches!(parse_exact("1e-999999999"), Err(AmountError::TooManyDecimals { decimals: 999_999_999, .. })));
        assert!(matches!(parse_exact("1e-99999999999999999999"), Err(AmountError::TooManyDecimals { .. })));
        for bad in ["", "-", ".5", "5.", "+5", "0x10", "1_000", "NaN", "Infinity", "012", "1e", "1e+", " 1", "１"] {
            assert_eq!(parse_exact(bad), Err(AmountError::NotANumber(bad.into())), "{bad:?}");
        }
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
