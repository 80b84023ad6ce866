//! Editions: create with the national defaults, edit the timeline and rules, copy last year's settings,
//! edit the choice lists, and grant a unit a later deadline.

use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Actor};
use crate::db::schema::{
    award_groups, categories, check_items, edition_options, editions, evidence_kinds,
    unit_extensions,
};
use crate::db::{self, DbConn};
use crate::domain::edition_defaults as defaults;
use crate::error::{AppError, FieldErrors};
use crate::models::edition::{self, Edition, EditionSettings};
use crate::time::{parse_jakarta_local, to_jakarta_local};

/// The settings form, as typed (times in Jakarta).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct SettingsInput {
    /// Name.
    pub name: String,
    /// Year.
    pub year: String,
    /// Opens (datetime-local, WIB).
    pub registration_opens_at: String,
    /// Closes.
    pub registration_closes_at: String,
    /// Screening ends.
    pub screening_closes_at: String,
    /// Results (optional).
    pub results_at: String,
    /// Minimum narrative words.
    pub min_narrative_words: String,
    /// Entries per unit.
    pub max_entries_per_unit: String,
    /// File size limit in MB.
    pub max_file_mb: String,
    /// Required field codes (checkboxes).
    pub required: Vec<String>,
    /// Reminder days, e.g. "7,3,1".
    pub reminder_days: String,
}

impl SettingsInput {
    /// The form values of an existing edition.
    pub fn from_edition(e: &Edition) -> SettingsInput {
        SettingsInput {
            name: e.name.clone(),
            year: e.year.to_string(),
            registration_opens_at: to_jakarta_local(e.registration_opens_at),
            registration_closes_at: to_jakarta_local(e.registration_closes_at),
            screening_closes_at: to_jakarta_local(e.screening_closes_at),
            results_at: e.results_at.map(to_jakarta_local).unwrap_or_default(),
            min_narrative_words: e.min_narrative_words.to_string(),
            max_entries_per_unit: e.max_entries_per_unit.to_string(),
            max_file_mb: e.max_file_mb.to_string(),
            required: e
                .required_fields
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            reminder_days: e.reminder_days.clone(),
        }
    }

    /// Sensible values for a new edition of `year`.
    pub fn new_for_year(year: i32) -> SettingsInput {
        SettingsInput {
            name: format!("BIW {year}"),
            year: year.to_string(),
            registration_opens_at: format!("{year}-04-01T08:00"),
            registration_closes_at: format!("{year}-05-31T23:59"),
            screening_closes_at: format!("{year}-06-30T23:59"),
            results_at: format!("{year}-11-15T09:00"),
            min_narrative_words: "300".into(),
            max_entries_per_unit: "5".into(),
            max_file_mb: "5".into(),
            required: defaults::REQUIRED_BY_DEFAULT
                .split(',')
                .map(String::from)
                .collect(),
            reminder_days: "7,3,1".into(),
        }
    }
}

/// A whole number in `min..=max`, or on the field the message `out_of_range`, which states the
/// bounds (a reader is told what to type, not only that it was wrong).
pub(crate) fn number(
    errors: &mut FieldErrors,
    (field, out_of_range): (&str, &str),
    value: &str,
    min: i32,
    max: i32,
) -> i32 {
    match value.trim().parse::<i32>() {
        Ok(n) if (min..=max).contains(&n) => n,
        _ => {
            errors.insert(field.into(), out_of_range.into());
            min
        }
    }
}

/// A WIB `datetime-local` value as UTC, or an error on the field.
pub(crate) fn instant(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    required: bool,
) -> Option<chrono::NaiveDateTime> {
    if value.trim().is_empty() {
        if required {
            errors.insert(field.into(), "form.required".into());
        }
        return None;
    }
    let parsed = parse_jakarta_local(value);
    if parsed.is_none() {
        errors.insert(field.into(), "form.datetime_invalid".into());
    }
    parsed
}

/// Checks the settings form; every problem at once.
pub fn validate(input: &SettingsInput) -> Result<EditionSettings, AppError> {
    let mut errors = FieldErrors::new();
    let name = crate::domain::text::required_line(&input.name, 200).unwrap_or_else(|k| {
        errors.insert("name".into(), k.into());
        String::new()
    });
    let year = number(
        &mut errors,
        ("year", "editions.year_range"),
        &input.year,
        2020,
        2100,
    );
    let opens = instant(
        &mut errors,
        "registration_opens_at",
        &input.registration_opens_at,
        true,
    );
    let closes = instant(
        &mut errors,
        "registration_closes_at",
        &input.registration_closes_at,
        true,
    );
    let screening = instant(
        &mut errors,
        "screening_closes_at",
        &input.screening_closes_at,
        true,
    );
    let results = instant(&mut errors, "results_at", &input.results_at, false);
    if let (Some(o), Some(c)) = (opens, closes)
        && c <= o
    {
        errors.insert(
            "registration_closes_at".into(),
            "editions.closes_before_opens".into(),
        );
    }
    if let (Some(c), Some(s)) = (closes, screening)
        && s < c
    {
        errors.insert(
            "screening_closes_at".into(),
            "editions.screening_before_close".into(),
        );
    }
    if let (Some(s), Some(r)) = (screening, results)
        && r < s
    {
        errors.insert(
            "results_at".into(),
            "editions.results_before_screening".into(),
        );
    }
    let min_words = number(
        &mut errors,
        ("min_narrative_words", "editions.min_words_range"),
        &input.min_narrative_words,
        0,
        5000,
    );
    let max_entries = number(
        &mut errors,
        ("max_entries_per_unit", "editions.max_entries_range"),
        &input.max_entries_per_unit,
        1,
        100,
    );
    let max_mb = number(
        &mut errors,
        ("max_file_mb", "editions.max_file_mb_range"),
        &input.max_file_mb,
        1,
        50,
    );
    let required: Vec<&str> = defaults::FIELDS
        .iter()
        .copied()
        .filter(|f| input.required.iter().any(|r| r == f))
        .collect();
    let days: Vec<String> = input
        .reminder_days
        .split(',')
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .collect();
    if days
        .iter()
        .any(|d| d.parse::<u16>().map_or(true, |n| n == 0 || n > 120))
    {
        errors.insert(
            "reminder_days".into(),
            "editions.reminder_days_invalid".into(),
        );
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(EditionSettings {
        name,
        year,
        registration_opens_at: opens.expect("checked"),
        registration_closes_at: closes.expect("checked"),
        screening_closes_at: screening.expect("checked"),
        results_at: results,
        min_narrative_words: min_words,
        max_entries_per_unit: max_entries,
        max_file_mb: max_mb,
        required_fields: required.join(","),
        reminder_days: days.join(","),
        updated_at: db::now(),
    })
}

/// Creates an edition, with last year's lists if `copy_from` is given, else the national defaults.
pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    input: &SettingsInput,
    copy_from: Option<i32>,
) -> Result<i32, AppError> {
    let settings = validate(input)?;
    db::transaction(conn, |conn| {
        // The form offers only editions that exist; any other number names nothing to copy.
        if let Some(from) = copy_from {
            edition::find(conn, from)?.ok_or(AppError::NotFound)?;
        }
        let now = db::now();
        let id: i32 = diesel::insert_into(editions::table)
            .values((
                &settings,
                editions::created_at.eq(now),
                editions::copied_from_id.eq(copy_from),
            ))
            .returning(editions::id)
            .get_result(conn)?;
        let lists = match copy_from {
            Some(from) => edition_lists(conn, from)?,
            None => defaults_lists(),
        };
        insert_lists(conn, id, &lists)?;
        audit::record(
            conn,
            actor,
            "edition.create",
            ("edition", Some(id)),
            json!({"after": {"name": settings.name, "copied_from": copy_from}}),
        )?;
        Ok(id)
    })
}

/// Saves the timeline and rules; moving a deadline is audited with before and after.
pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    id: i32,
    input: &SettingsInput,
) -> Result<(), AppError> {
    let settings = validate(input)?;
    db::transaction(conn, |conn| {
        let before = edition::find(conn, id)?.ok_or(AppError::NotFound)?;
        diesel::update(editions::table.find(id))
            .set(&settings)
            .execute(conn)?;
        audit::record(
            conn,
            actor,
            "edition.update",
            ("edition", Some(id)),
            json!({
                "before": {"registration_closes_at": before.registration_closes_at, "screening_closes_at": before.screening_closes_at,
                           "min_narrative_words": before.min_narrative_words, "required_fields": before.required_fields},
                "after": {"registration_closes_at": settings.registration_closes_at, "screening_closes_at": settings.screening_closes_at,
                          "min_narrative_words": settings.min_narrative_words, "required_fields": settings.required_fields},
            }),
        )
    })
}

/// An edition's lists as plain rows, whether they come from the national defaults or from last year.
#[derive(Default)]
struct Lists {
    /// list, code, Indonesian, English, active.
    options: Vec<(String, String, String, String, bool)>,
    /// Indonesian, English.
    categories: Vec<(String, String)>,
    /// Indonesian, English, unit types.
    award_groups: Vec<(String, String, String)>,
    /// Indonesian, English, mandatory, accepts.
    evidence: Vec<(String, String, bool, String)>,
    /// code, Indonesian, English.
    checks: Vec<(String, String, String)>,
}

fn defaults_lists() -> Lists {
    let s = |x: &str| x.to_string();
    Lists {
        options: defaults::LISTS
            .iter()
            .flat_map(|(list, choices)| {
                choices
                    .iter()
                    .map(move |(c, i, e)| (s(list), s(c), s(i), s(e), true))
            })
            .collect(),
        categories: defaults::CATEGORIES
            .iter()
            .map(|(i, e)| (s(i), s(e)))
            .collect(),
        award_groups: defaults::AWARD_GROUPS
            .iter()
            .map(|(i, e, t)| (s(i), s(e), s(t)))
            .collect(),
        evidence: defaults::EVIDENCE
            .iter()
            .map(|(i, e, m, a)| (s(i), s(e), *m, s(a)))
            .collect(),
        checks: defaults::CHECKS
            .iter()
            .map(|(c, i, e)| (s(c), s(i), s(e)))
            .collect(),
    }
}

fn edition_lists(conn: &mut DbConn, from: i32) -> Result<Lists, AppError> {
    edition::find(conn, from)?.ok_or(AppError::NotFound)?;
    Ok(Lists {
        options: edition::options(conn, from)?
            .into_iter()
            .map(|o| (o.list, o.code, o.label_id, o.label_en, o.active))
            .collect(),
        categories: edition::categories(conn, from)?
            .into_iter()
            .filter(|c| c.active)
            .map(|c| (c.name_id, c.name_en))
            .collect(),
        award_groups: edition::award_groups(conn, from)?
            .into_iter()
            .filter(|g| g.active)
            .map(|g| (g.name_id, g.name_en, g.unit_types))
            .collect(),
        evidence: edition::evidence_kinds(conn, from)?
            .into_iter()
            .filter(|k| k.active)
            .map(|k| (k.name_id, k.name_en, k.mandatory, k.accepts))
            .collect(),
        checks: edition::check_items(conn, from)?
            .into_iter()
            .filter(|c| c.active)
            .map(|c| (c.code, c.label_id, c.label_en))
            .collect(),
    })
}

/// Writes the lists of a new edition; positions follow the order given (per list for options).
fn insert_lists(conn: &mut DbConn, id: i32, lists: &Lists) -> Result<(), AppError> {
    let mut positions: std::collections::HashMap<&str, i32> = std::collections::HashMap::new();
    for (list, code, label_id, label_en, active) in &lists.options {
        let pos = positions.entry(list.as_str()).or_insert(0);
        diesel::insert_into(edition_options::table)
            .values((
                edition_options::edition_id.eq(id),
                edition_options::list.eq(list),
                edition_options::code.eq(code),
                edition_options::label_id.eq(label_id),
                edition_options::label_en.eq(label_en),
                edition_options::position.eq(*pos),
                edition_options::active.eq(active),
            ))
            .execute(conn)?;
        *pos += 1;
    }
    for (pos, (name_id, name_en)) in lists.categories.iter().enumerate() {
        diesel::insert_into(categories::table)
            .values((
                categories::edition_id.eq(id),
                categories::name_id.eq(name_id),
                categories::name_en.eq(name_en),
                categories::position.eq(pos as i32),
            ))
            .execute(conn)?;
    }
    for (pos, (name_id, name_en, types)) in lists.award_groups.iter().enumerate() {
        diesel::insert_into(award_groups::table)
            .values((
                award_groups::edition_id.eq(id),
                award_groups::name_id.eq(name_id),
                award_groups::name_en.eq(name_en),
                award_groups::unit_types.eq(types),
                award_groups::position.eq(pos as i32),
            ))
            .execute(conn)?;
    }
    for (pos, (name_id, name_en, mandatory, accepts)) in lists.evidence.iter().enumerate() {
        diesel::insert_into(evidence_kinds::table)
            .values((
                evidence_kinds::edition_id.eq(id),
                evidence_kinds::name_id.eq(name_id),
                evidence_kinds::name_en.eq(name_en),
                evidence_kinds::mandatory.eq(mandatory),
                evidence_kinds::accepts.eq(accepts),
                evidence_kinds::position.eq(pos as i32),
            ))
            .execute(conn)?;
    }
    for (pos, (code, label_id, label_en)) in lists.checks.iter().enumerate() {
        diesel::insert_into(check_items::table)
            .values((
                check_items::edition_id.eq(id),
                check_items::code.eq(code),
                check_items::label_id.eq(label_id),
                check_items::label_en.eq(label_en),
                check_items::position.eq(pos as i32),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Grants one unit a later registration deadline (replacing an earlier extension).
pub fn extend_for_unit(
    conn: &mut DbConn,
    actor: &Actor,
    edition_id: i32,
    unit_id: i32,
    closes_at_local: &str,
    reason: &str,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    let closes = instant(&mut errors, "closes_at", closes_at_local, true);
    if reason.trim().is_empty() {
        errors.insert("reason".into(), "form.required".into());
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let closes = closes.expect("checked");
    db::transaction(conn, |conn| {
        let e = edition::find(conn, edition_id)?.ok_or(AppError::NotFound)?;
        crate::models::unit::find(conn, unit_id)?
            .ok_or_else(|| crate::error::invalid("unit_id", "form.choose"))?;
        if closes <= e.registration_closes_at {
            return Err(crate::error::invalid(
                "closes_at",
                "editions.extension_not_later",
            ));
        }
        diesel::delete(
            unit_extensions::table
                .filter(unit_extensions::edition_id.eq(edition_id))
                .filter(unit_extensions::unit_id.eq(unit_id)),
        )
        .execute(conn)?;
        diesel::insert_into(unit_extensions::table)
            .values((
                unit_extensions::edition_id.eq(edition_id),
                unit_extensions::unit_id.eq(unit_id),
                unit_extensions::closes_at.eq(closes),
                unit_extensions::reason.eq(reason.trim()),
                unit_extensions::created_by.eq(actor.user_id),
                unit_extensions::created_at.eq(db::now()),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            actor,
            "edition.extend_unit",
            ("edition", Some(edition_id)),
            json!({"unit_id": unit_id, "after": {"closes_at": closes}, "reason": reason.trim()}),
        )
    })
}
