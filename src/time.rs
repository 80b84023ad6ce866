//! Times are stored in UTC and shown in Asia/Jakarta (WIB, UTC+7, no daylight saving).

use std::collections::HashMap;

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, TimeZone};

/// Asia/Jakarta.
pub fn jakarta() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("a valid offset")
}

/// Formats a UTC time for people: `28-11-2026 14:05 WIB`.
pub fn format_jakarta(utc: NaiveDateTime) -> String {
    jakarta()
        .from_utc_datetime(&utc)
        .format("%d-%m-%Y %H:%M WIB")
        .to_string()
}

/// The UTC instant at which a Jakarta calendar day starts.
pub fn jakarta_day_start_utc(day: NaiveDate) -> NaiveDateTime {
    day.and_hms_opt(0, 0, 0).expect("midnight exists") - chrono::Duration::hours(7)
}

/// The tera filter `jakarta`: a serialised UTC time in, WIB text out.
pub fn tera_jakarta(
    value: &tera::Value,
    _args: &HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let Some(s) = value.as_str() else {
        return Ok(tera::Value::String(String::new()));
    };
    let parsed = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .map_err(|e| tera::Error::msg(format!("jakarta: not a time {s:?}: {e}")))?;
    Ok(tera::Value::String(format_jakarta(parsed)))
}

/// Parses a `datetime-local` form value given in Jakarta time into UTC.
pub fn parse_jakarta_local(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    let local = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .ok()?;
    Some(local - chrono::Duration::hours(7))
}

/// A UTC time as a `datetime-local` form value in Jakarta time.
pub fn to_jakarta_local(utc: NaiveDateTime) -> String {
    (utc + chrono::Duration::hours(7))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    #[test]
    fn shows_wib() {
        let utc = NaiveDate::from_ymd_opt(2026, 11, 28)
            .unwrap()
            .and_hms_opt(18, 30, 0)
            .unwrap();
        assert_eq!(super::format_jakarta(utc), "29-11-2026 01:30 WIB");
    }
}
