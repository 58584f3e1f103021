//! Calendar arithmetic in the policy's time zone: months, dates, tops of hours.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike};
use chrono_tz::Tz;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// The wall-clock time of `at` in `zone`.
pub fn local(at: DateTime<FixedOffset>, zone: Tz) -> NaiveDateTime {
    at.with_timezone(&zone).naive_local()
}

/// The instant at wall-clock time `naive` in `zone`. A time skipped by a daylight-saving jump
/// is moved forward by the jump; a repeated time takes its earlier occurrence.
pub fn from_local(naive: NaiveDateTime, zone: Tz) -> Option<DateTime<FixedOffset>> {
    let mut probe = naive;
    for _ in 0..4 {
        if let Some(found) = zone.from_local_datetime(&probe).earliest() {
            return Some(found.fixed_offset());
        }
        probe = probe.checked_add_signed(Duration::minutes(30))?;
    }
    None
}

/// `at` plus `months` calendar months, in `zone`; a day past the month's end becomes its last day.
pub fn add_months(at: DateTime<FixedOffset>, months: i64, zone: Tz) -> Option<DateTime<FixedOffset>> {
    let naive = local(at, zone);
    let date = add_months_to_date(naive.date(), months)?;
    from_local(date.and_time(naive.time()), zone)
}

/// `day` plus `months` calendar months; a day past the month's end becomes its last day.
pub fn add_months_to_date(day: NaiveDate, months: i64) -> Option<NaiveDate> {
    let count = chrono::Months::new(u32::try_from(months.unsigned_abs()).ok()?);
    if months >= 0 {
        day.checked_add_months(count)
    } else {
        day.checked_sub_months(count)
    }
}

/// Whole calendar months from `from` to `to` in `zone`: the largest n with from + n months <= to.
pub fn whole_months(from: DateTime<FixedOffset>, to: DateTime<FixedOffset>, zone: Tz) -> Option<i64> {
    if to < from {
        return whole_months(to, from, zone).map(|n| -n);
    }
    let (a, b) = (local(from, zone), local(to, zone));
    let mut n = i64::from(b.year() - a.year()) * 12 + i64::from(b.month()) - i64::from(a.month());
    while n > 0 && add_months(from, n, zone)? > to {
        n -= 1;
    }
    Some(n)
}

/// Whole calendar months from one date to another.
pub fn whole_months_between_dates(from: NaiveDate, to: NaiveDate) -> Option<i64> {
    if to < from {
        return whole_months_between_dates(to, from).map(|n| -n);
    }
    let mut n = i64::from(to.year() - from.year()) * 12 + i64::from(to.month()) - i64::from(from.month());
    while n > 0 && add_months_to_date(from, n)? > to {
        n -= 1;
    }
    Some(n)
}

/// How an instant is rounded to a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A length in seconds that divides a day (second, minute, hour, day).
    Seconds(i64),
    /// Calendar months (1 month, 1 year = 12).
    Months(i64),
}

/// `at` rounded down to the start of its unit in `zone`: the top of the hour, local midnight,
/// the first of the month. `None` when the unit does not divide a day or a year.
pub fn floor_instant(at: DateTime<FixedOffset>, unit: Unit, zone: Tz) -> Option<DateTime<FixedOffset>> {
    let naive = local(at, zone);
    let floored = match unit {
        Unit::Seconds(step) if step > 0 && 86_400 % step == 0 => {
            let of_day = i64::from(naive.num_seconds_from_midnight());
            let kept = u32::try_from(of_day - of_day % step).ok()?;
            naive.date().and_time(NaiveTime::from_num_seconds_from_midnight_opt(kept, 0)?)
        }
        Unit::Months(1) => naive.date().with_day(1)?.and_time(NaiveTime::MIN),
        Unit::Months(12) => NaiveDate::from_ymd_opt(naive.year(), 1, 1)?.and_time(NaiveTime::MIN),
        _ => return None,
    };
    from_local(floored, zone)
}

/// `at` rounded up to the next start of its unit (unchanged when already on one).
pub fn ceil_instant(at: DateTime<FixedOffset>, unit: Unit, zone: Tz) -> Option<DateTime<FixedOffset>> {
    let floor = floor_instant(at, unit, zone)?;
    if floor == at {
        return Some(at);
    }
    match unit {
        Unit::Seconds(step) => {
            let next = local(floor, zone).checked_add_signed(Duration::seconds(step))?;
            from_local(next, zone)
        }
        Unit::Months(months) => add_months(floor, months, zone),
    }
}

/// The exact time from `from` to `to`, in seconds.
pub fn seconds_between(from: DateTime<FixedOffset>, to: DateTime<FixedOffset>) -> Decimal {
    let delta = to.signed_duration_since(from);
    let whole = Decimal::from(delta.num_seconds());
    let nanos = Decimal::new(i64::from(delta.subsec_nanos()), 9);
    (whole + nanos).normalize()
}

/// `seconds` as a chrono duration, when it fits.
pub fn to_duration(seconds: Decimal) -> Option<Duration> {
    let whole = seconds.trunc().to_i64()?;
    let nanos = ((seconds - seconds.trunc()) * Decimal::from(1_000_000_000)).trunc().to_i64()?;
    Duration::try_seconds(whole)?.checked_add(&Duration::nanoseconds(nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    const SHANGHAI: Tz = chrono_tz::Asia::Shanghai;

    #[test]
    fn month_ends_clamp_to_the_last_day() {
        let jan31 = at("2026-01-31T10:00:00+08:00");
        assert_eq!(add_months(jan31, 1, SHANGHAI), Some(at("2026-02-28T10:00:00+08:00")));
        let leap = at("2024-01-31T10:00:00+08:00");
        assert_eq!(add_months(leap, 1, SHANGHAI), Some(at("2024-02-29T10:00:00+08:00")));
    }

    #[test]
    fn whole_months_count_calendar_months() {
        let start = at("2026-01-31T10:00:00+08:00");
        assert_eq!(whole_months(start, at("2026-02-28T09:59:59+08:00"), SHANGHAI), Some(0));
        assert_eq!(whole_months(start, at("2026-02-28T10:00:00+08:00"), SHANGHAI), Some(1));
        assert_eq!(whole_months(start, at("2027-01-31T10:00:00+08:00"), SHANGHAI), Some(12));
        let leap_day = at("2024-02-29T00:00:00+08:00");
        assert_eq!(whole_months(leap_day, at("2025-02-28T00:00:00+08:00"), SHANGHAI), Some(12));
    }

    #[test]
    fn months_are_counted_in_the_policy_zone_not_the_offset_written() {
        // 2026-01-30 20:00 UTC is 01-31 04:00 in Shanghai; one Shanghai month later is
        // 02-28 04:00 (January 31 clamps to February's end), while in UTC it is 02-28 20:00.
        let start = at("2026-01-30T20:00:00+00:00");
        let end = at("2026-02-28T19:00:00+00:00"); // 03-01 03:00 in Shanghai
        assert_eq!(whole_months(start, end, SHANGHAI), Some(1));
        assert_eq!(whole_months(start, end, chrono_tz::UTC), Some(0));
    }

    #[test]
    fn hours_round_down_from_the_top_of_the_hour() {
        let bought = at("2024-01-01T10:30:00+08:00");
        assert_eq!(floor_instant(bought, Unit::Seconds(3_600), SHANGHAI), Some(at("2024-01-01T10:00:00+08:00")));
        let expiry = at("2024-02-01T23:59:59+08:00");
        assert_eq!(ceil_instant(expiry, Unit::Seconds(3_600), SHANGHAI), Some(at("2024-02-02T00:00:00+08:00")));
        // A provider's published example: 758 order hours.
        let start = floor_instant(bought, Unit::Seconds(3_600), SHANGHAI).unwrap();
        let end = ceil_instant(expiry, Unit::Seconds(3_600), SHANGHAI).unwrap();
        assert_eq!(seconds_between(start, end) / Decimal::from(3_600), Decimal::from(758));
    }

    #[test]
    fn days_start_at_local_midnight() {
        let late = at("2026-03-01T23:30:00+00:00"); // 07:30 on 03-02 in Shanghai
        assert_eq!(floor_instant(late, Unit::Seconds(86_400), SHANGHAI), Some(at("2026-03-02T00:00:00+08:00")));
        assert_eq!(floor_instant(late, Unit::Seconds(7 * 86_400), SHANGHAI), None);
    }

    #[test]
    fn daylight_saving_gaps_move_forward() {
        let zone = chrono_tz::America::New_York;
        let naive = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap().and_hms_opt(2, 30, 0).unwrap();
        let found = from_local(naive, zone).unwrap();
        assert_eq!(found, at("2026-03-08T03:00:00-04:00"));
    }

    #[test]
    fn seconds_between_keeps_fractions() {
        let a = at("2026-03-01T10:00:00+08:00");
        let b = at("2026-03-01T10:00:01.5+08:00");
        assert_eq!(seconds_between(a, b), Decimal::new(15, 1));
        assert_eq!(to_duration(Decimal::new(15, 1)), Some(Duration::milliseconds(1_500)));
    }
}
