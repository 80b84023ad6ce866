//! `editions` and the lists that belong to one: options, categories, award groups, evidence kinds,
//! checklist items, unit extensions and sent mailings.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConn;
use crate::db::schema::{
    award_groups, categories, check_items, edition_mailings, edition_options, editions,
    evidence_kinds, unit_extensions,
};

/// An edition row, in column order.
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = editions)]
pub struct Edition {
    /// Primary key.
    pub id: i32,
    /// e.g. "BIW 2026".
    pub name: String,
    /// The competition year.
    pub year: i32,
    /// Registration opens (UTC).
    pub registration_opens_at: NaiveDateTime,
    /// Registration closes (UTC); the server refuses submissions after it, unless the unit has an extension.
    pub registration_closes_at: NaiveDateTime,
    /// The administrative check ends; returned entries may be resubmitted until then.
    pub screening_closes_at: NaiveDateTime,
    /// When results are due.
    pub results_at: Option<NaiveDateTime>,
    /// The design narrative's minimum length.
    pub min_narrative_words: i32,
    /// Entries a unit may submit.
    pub max_entries_per_unit: i32,
    /// Largest evidence file, in MB.
    pub max_file_mb: i32,
    /// Comma list of required field codes.
    pub required_fields: String,
    /// Days before the deadline at which units with drafts are reminded, e.g. "7,3,1".
    pub reminder_days: String,
    /// The edition whose settings this one copied.
    pub copied_from_id: Option<i32>,
    /// Creation time.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
    /// Places of each award (winners per category and per award group).
    pub award_places: i32,
    /// How many of a unit's best entries add up to its score for a unit award.
    pub unit_award_best: i32,
}

impl Edition {
    /// Whether a field is required.
    pub fn requires(&self, field: &str) -> bool {
        self.required_fields.split(',').any(|f| f.trim() == field)
    }

    /// The reminder offsets in days, largest first.
    pub fn reminder_offsets(&self) -> Vec<i64> {
        let mut v: Vec<i64> = self
            .reminder_days
            .split(',')
            .filter_map(|d| d.trim().parse().ok())
            .filter(|d| *d > 0)
            .collect();
        v.sort_unstable_by(|a, b| b.cmp(a));
        v.dedup();
        v
    }
}

/// The settings an organiser edits (also used to insert).
#[derive(Insertable, AsChangeset, Clone, Debug)]
#[diesel(table_name = editions)]
pub struct EditionSettings {
    /// Name.
    pub name: String,
    /// Year.
    pub year: i32,
    /// Opens.
    pub registration_opens_at: NaiveDateTime,
    /// Closes.
    pub registration_closes_at: NaiveDateTime,
    /// Screening ends.
    pub screening_closes_at: NaiveDateTime,
    /// Results.
    #[diesel(treat_none_as_null = true)]
    pub results_at: Option<NaiveDateTime>,
    /// Minimum words.
    pub min_narrative_words: i32,
    /// Entries per unit.
    pub max_entries_per_unit: i32,
    /// File limit.
    pub max_file_mb: i32,
    /// Required fields.
    pub required_fields: String,
    /// Reminder days.
    pub reminder_days: String,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

/// Finds an edition.
pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<Edition>> {
    editions::table
        .find(id)
        .select(Edition::as_select())
        .get_result(conn)
        .optional()
}

/// Every edition, newest first.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<Edition>> {
    editions::table
        .order((editions::year.desc(), editions::id.desc()))
        .select(Edition::as_select())
        .load(conn)
}

/// The edition whose registration period contains `now`, or else the newest one.
pub fn current(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Option<Edition>> {
    let open = editions::table
        .filter(editions::registration_opens_at.le(now))
        .filter(editions::screening_closes_at.ge(now))
        .order(editions::registration_opens_at.desc())
        .select(Edition::as_select())
        .get_result(conn)
        .optional()?;
    match open {
        Some(e) => Ok(Some(e)),
        None => editions::table
            .order((editions::year.desc(), editions::id.desc()))
            .select(Edition::as_select())
            .get_result(conn)
            .optional(),
    }
}

/// A choice-list option.
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = edition_options)]
pub struct EditionOption {
    /// Primary key.
    pub id: i32,
    /// Edition.
    pub edition_id: i32,
    /// List code (`stage`, `urusan`…).
    pub list: String,
    /// Stored code.
    pub code: String,
    /// Indonesian label.
    pub label_id: String,
    /// English label.
    pub label_en: String,
    /// Order.
    pub position: i32,
    /// Offered in the form.
    pub active: bool,
}

/// The options of every list of an edition, in order.
pub fn options(conn: &mut DbConn, edition_id: i32) -> QueryResult<Vec<EditionOption>> {
    edition_options::table
        .filter(edition_options::edition_id.eq(edition_id))
        .order((edition_options::list.asc(), edition_options::position.asc()))
        .select(EditionOption::as_select())
        .load(conn)
}

/// A category.
#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Serialize)]
#[diesel(table_name = categories)]
pub struct Category {
    /// Primary key.
    pub id: i32,
    /// Edition.
    pub edition_id: i32,
    /// Indonesian name.
    pub name_id: String,
    /// English name.
    pub name_en: String,
    /// Order.
    pub position: i32,
    /// Still offered; a retired item keeps its id for what already uses it.
    pub active: bool,
}

/// An edition's categories.
pub fn categories(conn: &mut DbConn, edition_id: i32) -> QueryResult<Vec<Category>> {
    categories::table
        .filter(categories::edition_id.eq(edition_id))
        .order(categories::position.asc())
        .select(Category::as_select())
        .load(conn)
}

/// An award group.
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = award_groups)]
pub struct AwardGroup {
    /// Primary key.
    pub id: i32,
    /// Edition.
    pub edition_id: i32,
    /// Indonesian name.
    pub name_id: String,
    /// English name.
    pub name_en: String,
    /// Comma list of unit types (empty: all).
    pub unit_types: String,
    /// Order.
    pub position: i32,
    /// Still offered; a retired item keeps its id for what already uses it.
    pub active: bool,
}

/// An edition's award groups.
pub fn award_groups(conn: &mut DbConn, edition_id: i32) -> QueryResult<Vec<AwardGroup>> {
    award_groups::table
        .filter(award_groups::edition_id.eq(edition_id))
        .order(award_groups::position.asc())
        .select(AwardGroup::as_select())
        .load(conn)
}

/// A kind of evidence document.
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = evidence_kinds)]
pub struct EvidenceKind {
    /// Primary key.
    pub id: i32,
    /// Edition.
    pub edition_id: i32,
    /// Indonesian name.
    pub name_id: String,
    /// English name.
    pub name_en: String,
    /// Submission needs it.
    pub mandatory: bool,
    /// `pdf`, `image` or both, comma-separated.
    pub accepts: String,
    /// Order.
    pub position: i32,
    /// Still offered; a retired item keeps its id for what already uses it.
    pub active: bool,
}

/// An edition's evidence kinds.
pub fn evidence_kinds(conn: &mut DbConn, edition_id: i32) -> QueryResult<Vec<EvidenceKind>> {
    evidence_kinds::table
        .filter(evidence_kinds::edition_id.eq(edition_id))
        .order(evidence_kinds::position.asc())
        .select(EvidenceKind::as_select())
        .load(conn)
}

/// A checklist item.
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = check_items)]
pub struct CheckItem {
    /// Primary key.
    pub id: i32,
    /// Edition.
    pub edition_id: i32,
    /// Stable code.
    pub code: String,
    /// Indonesian text.
    pub label_id: String,
    /// English text.
    pub label_en: String,
    /// Order.
    pub position: i32,
    /// Still offered; a retired item keeps its id for what already uses it.
    pub active: bool,
}

/// An edition's checklist.
pub fn check_items(conn: &mut DbConn, edition_id: i32) -> QueryResult<Vec<CheckItem>> {
    check_items::table
        .filter(check_items::edition_id.eq(edition_id))
        .order(check_items::position.asc())
        .select(CheckItem::as_select())
        .load(conn)
}

/// The registration deadline for one unit: its extension if it has one, else the edition's.
pub fn closes_at_for(
    conn: &mut DbConn,
    edition: &Edition,
    unit_id: i32,
) -> QueryResult<NaiveDateTime> {
    let ext: Option<NaiveDateTime> = unit_extensions::table
        .filter(unit_extensions::edition_id.eq(edition.id))
        .filter(unit_extensions::unit_id.eq(unit_id))
        .select(unit_extensions::closes_at)
        .get_result(conn)
        .optional()?;
    Ok(deadline_with(edition, ext))
}

/// A unit's deadline given its extension, if any: an extension never shortens the edition's.
pub fn deadline_with(edition: &Edition, extension: Option<NaiveDateTime>) -> NaiveDateTime {
    extension.map_or(edition.registration_closes_at, |e| {
        e.max(edition.registration_closes_at)
    })
}

/// Records that a once-only mailing went out; false if it already had.
pub fn mark_mailing(conn: &mut DbConn, edition_id: i32, key: &str) -> QueryResult<bool> {
    let exists: i64 = edition_mailings::table
        .filter(edition_mailings::mail_key.eq(key))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(false);
    }
    diesel::insert_into(edition_mailings::table)
        .values((
            edition_mailings::edition_id.eq(edition_id),
            edition_mailings::mail_key.eq(key),
            edition_mailings::created_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    Ok(true)
}

/// An edition's per-unit deadline extensions: (unit, new deadline, reason).
pub fn extensions(
    conn: &mut DbConn,
    edition_id: i32,
) -> QueryResult<Vec<(i32, NaiveDateTime, String)>> {
    unit_extensions::table
        .filter(unit_extensions::edition_id.eq(edition_id))
        .select((
            unit_extensions::unit_id,
            unit_extensions::closes_at,
            unit_extensions::reason,
        ))
        .load(conn)
}
