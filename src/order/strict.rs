//! Reading orders strictly: objects must be objects (serde would read `[120, 100]` as a
//! struct by position), instants must carry their offset, and error messages speak of the
//! JSON the caller wrote, not of Rust types.

use std::fmt;
use std::marker::PhantomData;

use chrono::{DateTime, FixedOffset};
use serde::de::{self, value::MapAccessDeserializer, Deserialize, Deserializer, MapAccess, Visitor};

use super::OrderError;

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

fn parse_instant(text: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(text).map_err(|error| {
        let looks_like_date = text.get(..10).is_some_and(|d| {
            d.chars().filter(|c| *c == '-').count() == 2 && d.chars().take(4).all(|c| c.is_ascii_digit())
        });
        let has_time = looks_like_date && text.get(10..11).is_some_and(|c| matches!(c, "T" | "t" | " "));
        let has_offset = text.ends_with(['Z', 'z']) || text.get(10..).is_some_and(|t| t.contains(['+', '-']));
        let why = if !looks_like_date {
            "it does not start with a date YYYY-MM-DD".to_owned()
        } else if !has_time {
            "a date alone is not an instant: give the time and its UTC offset".to_owned()
        } else if !has_offset {
            "the UTC offset is missing".to_owned()
        } else {
            error.to_string()
        };
        format!("`{text}` is not an RFC 3339 instant such as 2026-03-01T10:00:00+08:00 ({why})")
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
        message = match crate::check::closest(name, known.iter().copied()) {
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
