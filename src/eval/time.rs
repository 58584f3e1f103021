//! Calendar arithmetic in the policy's time zone: months, dates, tops of hours.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone,
    Timelike,
};
use chrono_tz::Tz;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// The wall-clock time of `at` in `zone`.
pub fn local(at: DateTime<FixedOffset>, zone: Tz) -> NaiveDateTime {
    at.with_timezone(&zone).naive_local()
}

/// The instant at wall-clock time `naive` in `zone`. Every calendar step resolves the two
/// kinds of wall-clock time that daylight saving makes odd the same way:
/// - a time that happens twice (clocks go back) is its first occurrence;
/// - a time that never happens (clocks jump forward over it) is the instant of the jump, the
///   first instant after it: a day or a month whose midnight is skipped starts at the jump.
pub fn from_local(naive: NaiveDateTime, zone: Tz) -> Option<DateTime<FixedOffset>> {
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(found) | LocalResult::Ambiguous(found, _) => Some(found.fixed_offset()),
        LocalResult::None => jump_over(naive, zone),
    }
}

/// The instant the clocks jump over the skipped wall-clock time `naive`.
fn jump_over(naive: NaiveDateTime, zone: Tz) -> Option<DateTime<FixedOffset>> {
    // Step out of the gap both ways by quarter hours (the longest on record, Samoa's skipped
    // 30 December 2011, is a day), then bisect to the second: transitions fall on whole seconds.
    let step = Duration::minutes(15);
    let (mut before, mut after) = (naive, naive);
    let mut last_before = None;
    let mut first_after = None;
    for _ in 0..200 {
        before = before.checked_sub_signed(step)?;
        last_before = zone.from_local_datetime(&before).latest();
        if last_before.is_some() {
            break;
        }
    }
    for _ in 0..200 {
        after = after.checked_add_signed(step)?;
        first_after = zone.from_local_datetime(&after).earliest();
        if first_after.is_some() {
            break;
        }
    }
    // Between the two, the wall clock only moves forward: find where it first reaches `naive`.
    let (mut low, mut high) = (last_before?.timestamp(), first_after?.timestamp());
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if zone.timestamp_opt(middle, 0).single()?.naive_local() >= naive {
            high = middle;
        } else {
            low = middle;
        }
    }
    Some(zone.timestamp_opt(high, 0).single()?.fixed_offset())
}

/// The zone's UTC offset at the instant `at`.
fn offset_at(at: DateTime<FixedOffset>, zone: Tz) -> FixedOffset {
    zone.offset_from_utc_datetime(&at.naive_utc()).fix()
}

/// The first whole-second instant after `from`, up to `to`, at which the zone's offset is no
/// longer `from`'s. The caller knows the offset at `to` differs; within the sub-day spans this
/// is asked for, a zone changes its offset at most once.
fn offset_change(from: DateTime<FixedOffset>, to: DateTime<FixedOffset>, zone: Tz) -> Option<DateTime<FixedOffset>> {
    let before = offset_at(from, zone);
    let (mut low, mut high) = (from.timestamp(), to.timestamp());
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if zone.offset_from_utc_datetime(&DateTime::from_timestamp(middle, 0)?.naive_utc()).fix() == before {
            low = middle;
        } else {
            high = middle;
        }
    }
    Some(zone.timestamp_opt(high, 0).single()?.fixed_offset())
}

/// `at` plus `months` calendar months, in `zone`; a day past the month's end becomes its last day,
/// and the wall-clock time is kept (resolved as [`from_local`] says when it is skipped or repeated).
pub fn add_months(at: DateTime<FixedOffset>, months: i64, zone: Tz) -> Option<DateTime<FixedOffset>> {
    if months == 0 {
        // Not through the wall clock: in a repeated hour that would give the first occurrence.
        return Some(at);
    }
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
/// the first of the month. `None` when the unit does not divide a day, or is not 1 month or 1 year.
///
/// Units shorter than a day are counted on the clock the zone showed at `at`: the start of the
/// hour is the last instant the wall clock read a whole hour, or the instant it jumped, if a
/// daylight-saving change came in between. So in the hour repeated when clocks go back, the
/// second 01:30 rounds to the second 01:00, an hour before it, not two; and in zones 30 or 45
/// minutes off UTC (Asia/Kolkata, Asia/Kathmandu) the hour starts at the local top of the hour.
/// Days, months and years are calendar units: they start at the first instant of their local
/// date (see [`from_local`] for a skipped or repeated midnight).
pub fn floor_instant(at: DateTime<FixedOffset>, unit: Unit, zone: Tz) -> Option<DateTime<FixedOffset>> {
    let day = local(at, zone).date();
    match unit {
        Unit::Seconds(step) if step > 0 && step < SECONDS_PER_DAY && SECONDS_PER_DAY % step == 0 => {
            let clock = on_the_clock(at, step, zone, 0)?;
            if offset_at(clock, zone) == offset_at(at, zone) {
                Some(clock)
            } else {
                offset_change(clock, at, zone)
            }
        }
        Unit::Seconds(SECONDS_PER_DAY) => from_local(day.and_time(NaiveTime::MIN), zone),
        Unit::Months(1) => from_local(day.with_day(1)?.and_time(NaiveTime::MIN), zone),
        Unit::Months(12) => from_local(NaiveDate::from_ymd_opt(day.year(), 1, 1)?.and_time(NaiveTime::MIN), zone),
        _ => None,
    }
}

/// `at` rounded up to the next start of its unit (unchanged when already on one); the same
/// rules as [`floor_instant`].
pub fn ceil_instant(at: DateTime<FixedOffset>, unit: Unit, zone: Tz) -> Option<DateTime<FixedOffset>> {
    if floor_instant(at, unit, zone)? == at {
        return Some(at);
    }
    let day = local(at, zone).date();
    let midnight = |date: NaiveDate| from_local(date.and_time(NaiveTime::MIN), zone);
    match unit {
        Unit::Seconds(SECONDS_PER_DAY) => midnight(day.succ_opt()?),
        Unit::Seconds(step) => {
            let clock = on_the_clock(at, step, zone, 1)?;
            if offset_at(clock, zone) == offset_at(at, zone) {
                Some(clock)
            } else {
                offset_change(at, clock, zone)
            }
        }
        Unit::Months(months) => {
            let first = if months == 12 { NaiveDate::from_ymd_opt(day.year(), 1, 1)? } else { day.with_day(1)? };
            midnight(add_months_to_date(first, months)?)
        }
    }
}

const SECONDS_PER_DAY: i64 = 86_400;

/// The start of the `step`-long stretch of wall-clock time holding `at` (`ahead` 0) or of the
/// next one (`ahead` 1), read with the offset the zone has at `at`.
fn on_the_clock(at: DateTime<FixedOffset>, step: i64, zone: Tz, ahead: i64) -> Option<DateTime<FixedOffset>> {
    let offset = offset_at(at, zone);
    let wall = at.with_timezone(&offset).naive_local();
    let of_day = i64::from(wall.num_seconds_from_midnight());
    let start = of_day - of_day % step + ahead * step;
    let naive = wall.date().and_time(NaiveTime::MIN).checked_add_signed(Duration::try_seconds(start)?)?;
    offset.from_local_datetime(&naive).single()
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

    const NEW_YORK: Tz = chrono_tz::America::New_York;
    const HOUR: Unit = Unit::Seconds(3_600);
    const DAY: Unit = Unit::Seconds(86_400);
    const MONTH: Unit = Unit::Months(1);

    /// Autumn: on 2026-11-01 New York's clocks go back from 02:00 EDT to 01:00 EST, so
    /// 01:00-02:00 happens twice (05:00-06:00 and 06:00-07:00 UTC).
    #[test]
    fn the_repeated_hour_rounds_on_the_timeline() {
        let second_one_thirty = at("2026-11-01T01:30:00-05:00");
        // The finding: this floored to the first 01:00 (-04:00), an hour too early (293 hours, not 294).
        assert_eq!(floor_instant(second_one_thirty, HOUR, NEW_YORK), Some(at("2026-11-01T01:00:00-05:00")));
        assert_eq!(ceil_instant(second_one_thirty, HOUR, NEW_YORK), Some(at("2026-11-01T02:00:00-05:00")));
        let first_one_thirty = at("2026-11-01T01:30:00-04:00");
        assert_eq!(floor_instant(first_one_thirty, HOUR, NEW_YORK), Some(at("2026-11-01T01:00:00-04:00")));
        assert_eq!(ceil_instant(first_one_thirty, HOUR, NEW_YORK), Some(at("2026-11-01T01:00:00-05:00")));
        // Hours from a midnight before to a request in the second 01:xx: 00, 01 EDT, 01 EST = 3.
        let start = floor_instant(at("2026-11-01T00:10:00-04:00"), HOUR, NEW_YORK).unwrap();
        let end = floor_instant(second_one_thirty, HOUR, NEW_YORK).unwrap();
        assert_eq!(seconds_between(start, end) / Decimal::from(3_600), Decimal::from(2));
        // The day is 25 hours long and starts at the one midnight; the month starts on the 1st.
        let day_start = at("2026-11-01T00:00:00-04:00");
        assert_eq!(floor_instant(second_one_thirty, DAY, NEW_YORK), Some(day_start));
        assert_eq!(ceil_instant(second_one_thirty, DAY, NEW_YORK), Some(at("2026-11-02T00:00:00-05:00")));
        assert_eq!(floor_instant(second_one_thirty, MONTH, NEW_YORK), Some(day_start));
        assert_eq!(ceil_instant(second_one_thirty, MONTH, NEW_YORK), Some(at("2026-12-01T00:00:00-05:00")));
        assert_eq!(floor_instant(second_one_thirty, Unit::Months(12), NEW_YORK), Some(at("2026-01-01T00:00:00-05:00")));
    }

    /// Spring: on 2026-03-08 New York's clocks jump from 02:00 EST to 03:00 EDT.
    #[test]
    fn the_skipped_hour_is_jumped_over() {
        let before = at("2026-03-08T01:30:00-05:00");
        assert_eq!(floor_instant(before, HOUR, NEW_YORK), Some(at("2026-03-08T01:00:00-05:00")));
        assert_eq!(ceil_instant(before, HOUR, NEW_YORK), Some(at("2026-03-08T03:00:00-04:00")));
        let after = at("2026-03-08T03:30:00-04:00");
        assert_eq!(floor_instant(after, HOUR, NEW_YORK), Some(at("2026-03-08T03:00:00-04:00")));
        assert_eq!(ceil_instant(after, HOUR, NEW_YORK), Some(at("2026-03-08T04:00:00-04:00")));
        // One hour passes between the two tops of the hour around the jump.
        let hours = seconds_between(
            floor_instant(before, HOUR, NEW_YORK).unwrap(),
            floor_instant(after, HOUR, NEW_YORK).unwrap(),
        );
        assert_eq!(hours, Decimal::from(3_600));
        assert_eq!(floor_instant(after, DAY, NEW_YORK), Some(at("2026-03-08T00:00:00-05:00")));
        assert_eq!(ceil_instant(after, DAY, NEW_YORK), Some(at("2026-03-09T00:00:00-04:00")));
        assert_eq!(floor_instant(after, MONTH, NEW_YORK), Some(at("2026-03-01T00:00:00-05:00")));
        assert_eq!(ceil_instant(after, MONTH, NEW_YORK), Some(at("2026-04-01T00:00:00-04:00")));
        // A month from a time that does not exist on the target day lands on the jump.
        assert_eq!(add_months(at("2026-02-08T02:30:00-05:00"), 1, NEW_YORK), Some(at("2026-03-08T03:00:00-04:00")));
        assert_eq!(add_months(at("2026-02-08T02:15:00-05:00"), 1, NEW_YORK), Some(at("2026-03-08T03:00:00-04:00")));
        assert_eq!(whole_months(at("2026-02-08T02:30:00-05:00"), at("2026-03-08T01:59:59-05:00"), NEW_YORK), Some(0));
        assert_eq!(whole_months(at("2026-02-08T02:30:00-05:00"), at("2026-03-08T03:00:00-04:00"), NEW_YORK), Some(1));
    }

    #[test]
    fn a_month_from_the_repeated_hour_takes_its_first_occurrence() {
        let start = at("2026-10-01T01:30:00-04:00");
        assert_eq!(add_months(start, 1, NEW_YORK), Some(at("2026-11-01T01:30:00-04:00")));
        assert_eq!(whole_months(start, at("2026-11-01T01:29:59-04:00"), NEW_YORK), Some(0));
        assert_eq!(whole_months(start, at("2026-11-01T01:15:00-05:00"), NEW_YORK), Some(1));
        // Zero months is the instant itself, even in the repeated hour.
        let second = at("2026-11-01T01:30:00-05:00");
        assert_eq!(add_months(second, 0, NEW_YORK), Some(second));
        assert_eq!(whole_months(second, second, NEW_YORK), Some(0));
        assert_eq!(date_in(second, NEW_YORK), NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
    }

    fn date_in(at: DateTime<FixedOffset>, zone: Tz) -> NaiveDate {
        local(at, zone).date()
    }

    #[test]
    fn hours_start_at_the_local_top_of_the_hour_in_half_hour_zones() {
        let kolkata = chrono_tz::Asia::Kolkata; // +05:30
        let noon_ish = at("2026-03-01T12:10:00+05:30");
        assert_eq!(floor_instant(noon_ish, HOUR, kolkata), Some(at("2026-03-01T12:00:00+05:30")));
        assert_eq!(ceil_instant(noon_ish, HOUR, kolkata), Some(at("2026-03-01T13:00:00+05:30")));
        let kathmandu = chrono_tz::Asia::Kathmandu; // +05:45
        let written_in_utc = at("2026-03-01T06:20:00Z"); // 12:05 in Kathmandu
        assert_eq!(floor_instant(written_in_utc, HOUR, kathmandu), Some(at("2026-03-01T12:00:00+05:45")));
        assert_eq!(floor_instant(written_in_utc, Unit::Seconds(60), kathmandu), Some(at("2026-03-01T06:20:00Z")));
        assert_eq!(floor_instant(written_in_utc, DAY, kathmandu), Some(at("2026-03-01T00:00:00+05:45")));
    }

    /// Lord Howe Island moves its clocks by half an hour: on 2026-10-04 from 02:00 (+10:30) to
    /// 02:30 (+11:00), and on 2026-04-05 back from 02:00 (+11:00) to 01:30 (+10:30).
    #[test]
    fn half_hour_daylight_saving_starts_the_hour_at_the_jump() {
        let zone = chrono_tz::Australia::Lord_Howe;
        let after_jump = at("2026-10-04T02:45:00+11:00");
        assert_eq!(floor_instant(after_jump, HOUR, zone), Some(at("2026-10-04T02:30:00+11:00")));
        assert_eq!(ceil_instant(at("2026-10-04T01:45:00+10:30"), HOUR, zone), Some(at("2026-10-04T02:30:00+11:00")));
        let back = at("2026-04-05T01:45:00+10:30");
        assert_eq!(floor_instant(back, HOUR, zone), Some(at("2026-04-05T01:30:00+10:30")));
        assert_eq!(ceil_instant(at("2026-04-05T01:45:00+11:00"), HOUR, zone), Some(at("2026-04-05T01:30:00+10:30")));
    }

    /// Santiago skips midnight: on 2026-09-06 its clocks jump from 00:00 (-04:00) to 01:00 (-03:00).
    #[test]
    fn a_day_whose_midnight_is_skipped_starts_at_the_jump() {
        let zone = chrono_tz::America::Santiago;
        let morning = at("2026-09-06T09:00:00-03:00");
        assert_eq!(floor_instant(morning, DAY, zone), Some(at("2026-09-06T01:00:00-03:00")));
        assert_eq!(ceil_instant(at("2026-09-05T09:00:00-04:00"), DAY, zone), Some(at("2026-09-06T01:00:00-03:00")));
    }

    /// Rounding never moves an instant the wrong way, and later instants never round earlier,
    /// second by second across both New York changes.
    #[test]
    fn rounding_is_monotone_across_both_changes() {
        for start in ["2026-03-08T05:00:00Z", "2026-11-01T03:00:00Z"] {
            let start = at(start);
            let mut last = (start, start);
            for second in (0..5 * 3_600).step_by(7) {
                let t = start + Duration::seconds(second);
                for unit in [Unit::Seconds(60), Unit::Seconds(900), HOUR, Unit::Seconds(7_200), DAY, MONTH] {
                    let (floor, ceil) =
                        (floor_instant(t, unit, NEW_YORK).unwrap(), ceil_instant(t, unit, NEW_YORK).unwrap());
                    assert!(floor <= t && t <= ceil, "{t} {unit:?}: {floor} {ceil}");
                    assert_eq!(floor_instant(floor, unit, NEW_YORK), Some(floor), "{t} {unit:?}");
                    assert_eq!(ceil_instant(ceil, unit, NEW_YORK), Some(ceil), "{t} {unit:?}");
                }
                let hour = (floor_instant(t, HOUR, NEW_YORK).unwrap(), ceil_instant(t, HOUR, NEW_YORK).unwrap());
                assert!(hour.0 >= last.0 && hour.1 >= last.1, "{t}");
                assert!(hour.1 - hour.0 <= Duration::hours(1), "{t}");
                last = hour;
            }
        }
    }

    #[test]
    fn seconds_between_keeps_fractions() {
        let a = at("2026-03-01T10:00:00+08:00");
        let b = at("2026-03-01T10:00:01.5+08:00");
        assert_eq!(seconds_between(a, b), Decimal::new(15, 1));
        assert_eq!(to_duration(Decimal::new(15, 1)), Some(Duration::milliseconds(1_500)));
    }
}
