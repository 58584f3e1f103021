//! Reading orders strictly: objects must be objects (serde would read `[120, 100]` as a
//! struct by position), instants must carry their offset, and error messages speak of the
//! JSON the caller wrote, not of Rust types.

use std::fmt;
use std::marker::PhantomData;

use chrono::{DateTime, FixedOffset, Timelike};
use rust_decimal::Decimal;
use serde::de::{self, value::MapAccessDeserializer, Deserialize, Deserializer, MapAccess, Visitor};

use super::OrderError;
use crate::money::{abbreviate, parse_exact, AmountError};

/// A `T` that must be written as a JSON object.
pub(super) struct Strict<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Strict<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectOnly<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectOnly<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object { ... }")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map))
            }
        }
        deserializer.deserialize_map(ObjectOnly(PhantomData)).map(Strict)
    }
}

/// For `#[serde(deserialize_with)]`: a nested object.
pub(super) fn object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<T, D::Error> {
    Strict::deserialize(deserializer).map(|s| s.0)
}

/// For `#[serde(deserialize_with)]`: an optional nested object (`null` is absent).
pub(super) fn optional_object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    Option::<Strict<T>>::deserialize(deserializer).map(|o| o.map(|s| s.0))
}

/// For `#[serde(deserialize_with)]`: one of the contract's names (`"subscription"`), which
/// must be a JSON string. serde_json would otherwise answer `null` or `1` with "expected value
/// at line 7 column 15", which says nothing about what was expected.
pub(super) fn symbol<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_any(Symbol(PhantomData))
}

/// For `#[serde(deserialize_with)]`: an optional name (`null` is absent).
pub(super) fn optional_symbol<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    struct Optional<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for Optional<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            Symbol::<T>(PhantomData).expecting(f)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
            symbol(deserializer).map(Some)
        }
    }
    deserializer.deserialize_option(Optional(PhantomData))
}

struct Symbol<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for Symbol<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The names come from serde itself: what it expects after an unknown one.
        let probe =
            T::deserialize(de::value::StrDeserializer::<de::value::Error>::new("")).err().map(|e| e.to_string());
        match probe.as_deref().and_then(|message| message.split_once("expected ")) {
            Some((_, names)) => write!(f, "a name in quotes: {names}"),
            None => f.write_str("a name in quotes"),
        }
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        T::deserialize(de::value::StrDeserializer::<E>::new(text))
    }
}

/// For `#[serde(deserialize_with)]`: an amount or quantity, as a JSON number or a string,
/// read exactly ([`crate::money::parse_exact`]) or refused.
pub(super) fn amount<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    deserializer.deserialize_any(ExactDecimal)
}

/// For `#[serde(deserialize_with)]`: an optional amount (`null` is absent).
pub(super) fn optional_amount<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Decimal>, D::Error> {
    struct Optional;
    impl<'de> Visitor<'de> for Optional {
        type Value = Option<Decimal>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            ExactDecimal.expecting(f)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
            amount(deserializer).map(Some)
        }
    }
    deserializer.deserialize_option(Optional)
}

struct ExactDecimal;

/// The key serde_json's `arbitrary_precision` uses to hand a number over as its text.
pub(super) const NUMBER_KEY: &str = "$serde_json::private::Number";

impl ExactDecimal {
    fn read<E: de::Error>(&self, text: &str, unexpected: de::Unexpected<'_>) -> Result<Decimal, E> {
        parse_exact(text).map_err(|error| match (error, unexpected) {
            (AmountError::NotANumber(shown), de::Unexpected::Str(_)) => {
                E::invalid_value(de::Unexpected::Str(&shown), self)
            }
            (AmountError::NotANumber(_), unexpected) => E::invalid_value(unexpected, self),
            (other, _) => E::custom(other),
        })
    }
}

impl<'de> Visitor<'de> for ExactDecimal {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal amount such as \"900.00\"")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Decimal, E> {
        self.read(text, de::Unexpected::Str(text))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(value))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Decimal, E> {
        // Only reached from non-JSON sources (a TOML float): its shortest exact spelling.
        self.read(&value.to_string(), de::Unexpected::Float(value))
    }

    /// A JSON number under `arbitrary_precision`: its text, as written.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Decimal, A::Error> {
        // Any other object (`{"value": "900.00"}`) is not an amount.
        if map.next_key::<String>()?.as_deref() != Some(NUMBER_KEY) {
            return Err(de::Error::invalid_type(de::Unexpected::Map, &self));
        }
        let text: String = map.next_value()?;
        self.read(&text, de::Unexpected::Other("number"))
    }
}

/// For `#[serde(deserialize_with)]`: an RFC 3339 instant with its UTC offset.
pub(super) fn instant<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<FixedOffset>, D::Error> {
    let text = String::deserialize(deserializer)?;
    parse_instant(&text).map_err(de::Error::custom)
}

/// For `#[serde(deserialize_with)]`: an optional instant.
pub(super) fn optional_instant<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
    match Option::<String>::deserialize(deserializer)? {
        Some(text) => parse_instant(&text).map(Some).map_err(de::Error::custom),
        None => Ok(None),
    }
}

/// Reads an RFC 3339 instant (`2026-03-01T10:00:00+08:00`), or says in plain words why not.
/// A leap second (`:60`) is refused: chrono keeps it as a 61st second that durations
/// skip (`09:59:60.5` came out before `09:59:59.999`), and a billing system that writes one
/// on a day without a leap second has made a mistake.
pub(crate) fn parse_instant(text: &str) -> Result<DateTime<FixedOffset>, String> {
    let parsed = parse_rfc3339(text)?;
    if parsed.nanosecond() >= 1_000_000_000 {
        let text = abbreviate(text);
        return Err(format!(
            "`{text}` has second 60 (a leap second), which is not accepted: every minute is counted \
             as 60 seconds, so write :59 or the next minute's :00"
        ));
    }
    Ok(parsed)
}

fn parse_rfc3339(text: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(text).map_err(|error| {
        let looks_like_date = text.get(..10).is_some_and(|d| {
            d.chars().filter(|c| *c == '-').count() == 2 && d.chars().take(4).all(|c| c.is_ascii_digit())
        });
        let has_time = looks_like_date && text.get(10..11).is_some_and(|c| matches!(c, "T" | "t" | " "));
        let has_offset = text.ends_with(['Z', 'z']) || text.get(10..).is_some_and(|t| t.contains(['+', '-']));
        let long_year = text.bytes().take_while(u8::is_ascii_digit).count() > 4;
        let why = if long_year {
            "the year must have four digits, 0000 to 9999".to_owned()
        } else if !looks_like_date {
            "it does not start with a date YYYY-MM-DD".to_owned()
        } else if !has_time {
            "a date alone is not an instant: give the time and its UTC offset".to_owned()
        } else if !has_offset {
            "the UTC offset is missing".to_owned()
        } else {
            error.to_string()
        };
        let text = abbreviate(text);
        format!("`{text}` is not an RFC 3339 instant such as 2026-03-01T10:00:00+08:00 ({why})")
    })
}

/// The bytes of an order file as text, or why they are not: UTF-16 and UTF-32 (what some
/// Windows tools save) and bytes that are not UTF-8 are named as such, with what to do.
pub fn utf8_text(bytes: &[u8]) -> Result<&str, OrderError> {
    let encoding = match bytes {
        [0xFF, 0xFE, 0, 0, ..] | [0, 0, 0xFE, 0xFF, ..] => Some("UTF-32"),
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] => Some("UTF-16"),
        // JSON text starts with ASCII: a zero byte next to it is UTF-16 without a byte-order mark.
        [0, b, ..] | [b, 0, ..] if b.is_ascii() && *b != 0 => Some("UTF-16"),
        _ => None,
    };
    let whole = |message: String| OrderError::Json { path: ".".to_owned(), message };
    if let Some(encoding) = encoding {
        return Err(whole(format!("the text is {encoding}, not UTF-8: save the order as UTF-8")));
    }
    std::str::from_utf8(bytes).map_err(|error| {
        whole(format!(
            "byte {} (counting from 1) is not UTF-8 text: save the order as UTF-8 (the bytes may be \
             Latin-1 or GBK)",
            error.valid_up_to().saturating_add(1)
        ))
    })
}

/// Turns a serde error into an [`OrderError`] naming the field as the caller wrote it.
pub(super) fn json_error(error: serde_path_to_error::Error<serde_json::Error>) -> OrderError {
    let mut path: Vec<String> = error
        .path()
        .iter()
        .map(|segment| segment.to_string())
        .filter(|segment| !segment.contains("$serde_json::private") && segment != "?")
        .collect();
    let inner = error.into_inner();
    let is_data_error = matches!(inner.classify(), serde_json::error::Category::Data);
    let mut message = inner.to_string();
    // serde_json appends " at line L column C"; for a data error the path already says where.
    if let Some(at) = message.rfind(" at line ").filter(|_| is_data_error) {
        message.truncate(at);
    }
    // "missing field `x`" and "duplicate field `x`" are about `x`, not about its parent.
    for kind in ["missing field `", "duplicate field `"] {
        if let Some(name) = message.strip_prefix(kind).and_then(|rest| rest.split('`').next()) {
            path.push(name.to_owned());
            message = if kind.starts_with("missing") { "is required".into() } else { "is given twice".into() };
        }
    }
    if let Some(rest) = message.clone().strip_prefix("unknown field `") {
        let (name, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        message = match crate::suggest::closest(name, known.iter().copied()) {
            Some(best) => format!("is not a field of the order contract; did you mean `{best}`?"),
            None => format!("is not a field of the order contract (known here: {})", known.join(", ")),
        };
        if path.last().map(String::as_str) != Some(name) {
            path.push(name.to_owned());
        }
    }
    let message = message
        .replace("a Decimal type representing a fixed-point number", "a decimal amount such as \"900.00\"")
        .replace("Scale exceeds the maximum precision allowed", "too many digits (at most 28)")
        .replace("expected u32", "expected a whole number");
    let message = rust_type_names(&message);
    // An empty key still needs to be seen in the path.
    let path: Vec<String> =
        path.into_iter().map(|segment| if segment.is_empty() { "\"\"".to_owned() } else { segment }).collect();
    let path = if path.is_empty() { ".".to_owned() } else { path.join(".").replace(".[", "[") };
    OrderError::Json { path, message }
}

/// "expected struct Paid" says nothing to a JSON writer: it means an object.
fn rust_type_names(message: &str) -> String {
    match message.find("expected struct ") {
        Some(at) => {
            let head = message.get(..at).unwrap_or("");
            format!("{head}expected an object {{ ... }}")
        }
        None => message.to_owned(),
    }
}
