//! Times are stored in UTC and shown in Asia/Jakarta (WIB, UTC+7, no daylight saving).

use std::collections::HashMap;

use chrono::{Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Timelike};

use crate::i18n::Lang;

/// Asia/Jakarta.
pub fn jakarta() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("a valid offset")
}

const MONTHS_ID: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
];
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A calendar day for people, one format per language: `29 Agu 2026` / `29 Aug 2026`. Day, month
/// name, year reads the same way in both languages and cannot be mistaken for a US-style date.
pub fn format_day(day: NaiveDate, lang: Lang) -> String {
    let months = match lang {
        Lang::Id => &MONTHS_ID,
        Lang::En => &MONTHS_EN,
    };
    format!(
        "{} {} {}",
        day.day(),
        months[day.month0() as usize],
        day.year()
    )
}

/// A UTC time for people in WIB: `29 Agu 2026 14.05 WIB` (Indonesian writes hours with a dot) or
/// `29 Aug 2026 14:05 WIB`.
pub fn format_time(utc: NaiveDateTime, lang: Lang) -> String {
    let local = jakarta().from_utc_datetime(&utc).naive_local();
    let sep = match lang {
        Lang::Id => '.',
        Lang::En => ':',
    };
    format!(
        "{} {:02}{sep}{:02} WIB",
        format_day(local.date(), lang),
        local.hour(),
        local.minute()
    )
}

/// A UTC time in WIB for spreadsheets: `2026-08-29 14:05`, which sorts as text and as a date.
pub fn format_sortable(utc: NaiveDateTime) -> String {
    jakarta()
        .from_utc_datetime(&utc)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The UTC instant at which a Jakarta calendar day starts.
pub fn jakarta_day_start_utc(day: NaiveDate) -> NaiveDateTime {
    day.and_hms_opt(0, 0, 0).expect("midnight exists") - chrono::Duration::hours(7)
}

/// Applies `show` to a template value that is a string; anything else shows as nothing.
fn show_string(
    value: &tera::Value,
    show: impl Fn(&str) -> Result<String, String>,
) -> tera::Result<tera::Value> {
    match value.as_str() {
        Some(s) => show(s).map(tera::Value::String).map_err(tera::Error::msg),
        None => Ok(tera::Value::String(String::new())),
    }
}

/// The tera filter `jakarta`: a serialised UTC time in, WIB text in the template's language out.
pub struct TeraJakarta(pub Lang);

impl tera::Filter for TeraJakarta {
    fn filter(
        &self,
        value: &tera::Value,
        _args: &HashMap<String, tera::Value>,
    ) -> tera::Result<tera::Value> {
        show_string(value, |s| {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .map(|t| format_time(t, self.0))
                .map_err(|e| format!("jakarta: not a time {s:?}: {e}"))
        })
    }
}

/// The tera filter `day`: a serialised calendar date in, the day in the template's language out.
pub struct TeraDay(pub Lang);

impl tera::Filter for TeraDay {
    fn filter(
        &self,
        value: &tera::Value,
        _args: &HashMap<String, tera::Value>,
    ) -> tera::Result<tera::Value> {
        show_string(value, |s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(|d| format_day(d, self.0))
                .map_err(|e| format!("day: not a date {s:?}: {e}"))
        })
    }
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

    use crate::i18n::Lang;

    #[test]
    fn shows_wib() {
        let utc = NaiveDate::from_ymd_opt(2026, 11, 28)
            .unwrap()
            .and_hms_opt(18, 30, 0)
            .unwrap();
        assert_eq!(super::format_time(utc, Lang::Id), "29 Nov 2026 01.30 WIB");
        assert_eq!(super::format_time(utc, Lang::En), "29 Nov 2026 01:30 WIB");
        assert_eq!(super::format_sortable(utc), "2026-11-29 01:30");
        let august = NaiveDate::from_ymd_opt(2026, 8, 7).unwrap();
        assert_eq!(super::format_day(august, Lang::Id), "7 Agu 2026");
        assert_eq!(super::format_day(august, Lang::En), "7 Aug 2026");
    }
}
