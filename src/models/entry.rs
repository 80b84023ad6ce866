//! `entries`, their files, events and check results.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::PageDsl;
use serde::Serialize;

use crate::db::DbConn;
use crate::db::schema::{
    check_results, entries, entry_counts, entry_events, entry_files, units, users,
};
use crate::domain::EntryStatus;

/// An entry row, in column order.
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = entries)]
pub struct Entry {
    /// Primary key.
    pub id: i32,
    /// Edition.
    pub edition_id: i32,
    /// The submitting unit.
    pub unit_id: i32,
    /// Category.
    pub category_id: Option<i32>,
    /// The same innovation's entry in an earlier edition.
    pub previous_entry_id: Option<i32>,
    /// Nama inovasi.
    pub name: String,
    /// Tahapan (option code).
    pub stage: String,
    /// Inisiator (option code).
    pub initiator: String,
    /// Jenis (option code).
    pub inno_type: String,
    /// Bentuk (option code).
    pub inno_form: String,
    /// Tematik (option code).
    pub theme: String,
    /// Urusan pemerintahan (option code).
    pub urusan: String,
    /// Waktu uji coba.
    pub trial_date: Option<NaiveDate>,
    /// Waktu penerapan.
    pub implementation_date: Option<NaiveDate>,
    /// Rancang bangun.
    pub narrative: String,
    /// Tujuan.
    pub purpose: String,
    /// Manfaat.
    pub benefits: String,
    /// Hasil.
    pub results: String,
    /// Video link.
    pub video_url: String,
    /// Contact person.
    pub contact_name: String,
    /// Contact phone (WhatsApp).
    pub contact_phone: String,
    /// An [`crate::domain::EntryStatus`] code.
    pub status: String,
    /// Bumped on every write: two tabs cannot overwrite each other unknowingly.
    pub lock_version: i32,
    /// Who created it.
    pub created_by: Option<i32>,
    /// Who changed it last.
    pub updated_by: Option<i32>,
    /// Last submission.
    pub submitted_at: Option<NaiveDateTime>,
    /// Creation time.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

/// The editable content of an entry (also used to insert and to pre-fill a re-entry).
#[derive(Insertable, AsChangeset, Clone, Debug, Default, Serialize, serde::Deserialize)]
#[diesel(table_name = entries, treat_none_as_null = true)]
#[serde(default)]
pub struct EntryContent {
    /// Category.
    pub category_id: Option<i32>,
    /// Name.
    pub name: String,
    /// Stage.
    pub stage: String,
    /// Initiator.
    pub initiator: String,
    /// Type.
    pub inno_type: String,
    /// Form.
    pub inno_form: String,
    /// Theme.
    pub theme: String,
    /// Urusan.
    pub urusan: String,
    /// Trial date.
    pub trial_date: Option<NaiveDate>,
    /// Implementation date.
    pub implementation_date: Option<NaiveDate>,
    /// Narrative.
    pub narrative: String,
    /// Purpose.
    pub purpose: String,
    /// Benefits.
    pub benefits: String,
    /// Results.
    pub results: String,
    /// Video link.
    pub video_url: String,
    /// Contact name.
    pub contact_name: String,
    /// Contact phone.
    pub contact_phone: String,
}

impl Entry {
    /// The entry's status; an unknown stored code is an error, never a draft by default.
    pub fn status(&self) -> Result<EntryStatus, crate::domain::entry_status::UnknownStatus> {
        EntryStatus::stored(&self.status)
    }
}

impl EntryContent {
    /// The choice-list fields with their list codes.
    pub fn choices(&self) -> [(&'static str, &String); 6] {
        [
            ("stage", &self.stage),
            ("initiator", &self.initiator),
            ("inno_type", &self.inno_type),
            ("inno_form", &self.inno_form),
            ("theme", &self.theme),
            ("urusan", &self.urusan),
        ]
    }

    /// The choice-list fields, to change.
    pub fn choices_mut(&mut self) -> [(&'static str, &mut String); 6] {
        [
            ("stage", &mut self.stage),
            ("initiator", &mut self.initiator),
            ("inno_type", &mut self.inno_type),
            ("inno_form", &mut self.inno_form),
            ("theme", &mut self.theme),
            ("urusan", &mut self.urusan),
        ]
    }
}

impl From<&Entry> for EntryContent {
    fn from(e: &Entry) -> Self {
        EntryContent {
            category_id: e.category_id,
            name: e.name.clone(),
            stage: e.stage.clone(),
            initiator: e.initiator.clone(),
            inno_type: e.inno_type.clone(),
            inno_form: e.inno_form.clone(),
            theme: e.theme.clone(),
            urusan: e.urusan.clone(),
            trial_date: e.trial_date,
            implementation_date: e.implementation_date,
            narrative: e.narrative.clone(),
            purpose: e.purpose.clone(),
            benefits: e.benefits.clone(),
            results: e.results.clone(),
            video_url: e.video_url.clone(),
            contact_name: e.contact_name.clone(),
            contact_phone: e.contact_phone.clone(),
        }
    }
}

/// Finds an entry.
pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<Entry>> {
    entries::table
        .find(id)
        .select(Entry::as_select())
        .get_result(conn)
        .optional()
}

/// A unit's entries in an edition, newest first.
pub fn for_unit(conn: &mut DbConn, edition_id: i32, unit_id: i32) -> QueryResult<Vec<Entry>> {
    entries::table
        .filter(entries::edition_id.eq(edition_id))
        .filter(entries::unit_id.eq(unit_id))
        .order(entries::id.desc())
        .select(Entry::as_select())
        .load(conn)
}

/// A unit's entries in every edition (for re-entry), newest first.
pub fn all_for_unit(conn: &mut DbConn, unit_id: i32) -> QueryResult<Vec<Entry>> {
    entries::table
        .filter(entries::unit_id.eq(unit_id))
        .order(entries::id.desc())
        .select(Entry::as_select())
        .load(conn)
}

/// How many of a unit's entries in an edition count against its limit (submitted or further, not withdrawn).
pub fn counted_for_unit(
    conn: &mut DbConn,
    edition_id: i32,
    unit_id: i32,
    except: i32,
) -> QueryResult<i64> {
    entries::table
        .filter(entries::edition_id.eq(edition_id))
        .filter(entries::unit_id.eq(unit_id))
        .filter(entries::id.ne(except))
        .filter(entries::status.eq_any(EntryStatus::codes_where(EntryStatus::counts_against_limit)))
        .count()
        .get_result(conn)
}

/// An evidence file row.
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = entry_files)]
pub struct EntryFile {
    /// Primary key.
    pub id: i32,
    /// Entry.
    pub entry_id: i32,
    /// Which requested document.
    pub evidence_kind_id: i32,
    /// The uploader's file name (shown, never used as a path).
    pub original_name: String,
    /// The random name on disk.
    #[serde(skip)]
    pub stored_name: String,
    /// Sniffed from the bytes.
    pub content_type: String,
    /// Size.
    pub size_bytes: i64,
    /// Uploader.
    pub uploaded_by: Option<i32>,
    /// Upload time.
    pub created_at: NaiveDateTime,
    /// Set when deleted or replaced.
    pub deleted_at: Option<NaiveDateTime>,
}

/// The live (not deleted) files of an entry.
pub fn files(conn: &mut DbConn, entry_id: i32) -> QueryResult<Vec<EntryFile>> {
    entry_files::table
        .filter(entry_files::entry_id.eq(entry_id))
        .filter(entry_files::deleted_at.is_null())
        .order(entry_files::id.asc())
        .select(EntryFile::as_select())
        .load(conn)
}

/// An event with the actor's name.
#[derive(Queryable, Clone, Debug, Serialize)]
pub struct EventRow {
    /// Event id.
    pub id: i32,
    /// From.
    pub from_status: String,
    /// To.
    pub to_status: String,
    /// Note.
    pub note: String,
    /// When.
    pub created_at: NaiveDateTime,
    /// Who.
    pub actor: Option<String>,
}

/// An entry's history, oldest first.
pub fn events(conn: &mut DbConn, entry_id: i32) -> QueryResult<Vec<EventRow>> {
    entry_events::table
        .left_join(users::table.on(users::id.nullable().eq(entry_events::actor_id)))
        .filter(entry_events::entry_id.eq(entry_id))
        .order(entry_events::id.asc())
        .select((
            entry_events::id,
            entry_events::from_status,
            entry_events::to_status,
            entry_events::note,
            entry_events::created_at,
            users::name.nullable(),
        ))
        .load(conn)
}

/// Check results of an entry's events: (event id, item code, passed, reason).
pub fn check_results(
    conn: &mut DbConn,
    entry_id: i32,
) -> QueryResult<Vec<(i32, String, bool, String)>> {
    check_results::table
        .inner_join(entry_events::table)
        .filter(entry_events::entry_id.eq(entry_id))
        .order(check_results::id.asc())
        .select((
            check_results::entry_event_id,
            check_results::item_code,
            check_results::passed,
            check_results::reason,
        ))
        .load(conn)
}

/// Filters of the organiser's entry list.
#[derive(Default, Debug, Clone, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct EntryFilter {
    /// The edition (the current one when absent).
    pub edition: Option<i32>,
    /// Part of the entry's or the unit's name.
    pub q: Option<String>,
    /// Status code.
    pub status: Option<String>,
    /// Category id.
    pub category: Option<i32>,
    /// Unit type code.
    pub unit_type: Option<String>,
    /// Stage code.
    pub stage: Option<String>,
    /// `name`, `unit`, `updated`, `submitted` (newest first for the dates).
    pub sort: Option<String>,
    /// 1-based page.
    pub page: Option<i64>,
}

/// A row of the organisers' list: only what the table shows, so sorting 5,000 entries does not drag
/// their narratives along.
#[derive(Queryable, Clone, Debug, Serialize)]
pub struct ListItem {
    /// Entry id.
    pub id: i32,
    /// Name.
    pub name: String,
    /// Status code.
    pub status: String,
    /// Category.
    pub category_id: Option<i32>,
    /// Last submission.
    pub submitted_at: Option<NaiveDateTime>,
    /// Last change.
    pub updated_at: NaiveDateTime,
    /// Unit name.
    pub unit: String,
    /// Unit type code.
    pub unit_type: String,
}

/// An export row: the whole entry and its unit's name and type.
pub type FullRow = (Entry, String, String);

/// The status filter value for "waiting for the administrative check" (submitted or resubmitted).
pub const AWAITING: &str = "awaiting";

/// The statuses that wait for the administrative check, as a fixed pair so the SQL has one shape.
const AWAITING_CODES: [&str; 2] = ["submitted", "resubmitted"];

/// How many of an edition's entries are in each status (statuses with none left out), from the
/// counters the database's triggers keep with every change.
pub fn status_counts(conn: &mut DbConn, edition_id: i32) -> QueryResult<Vec<(String, i64)>> {
    Ok(entry_counts::table
        .filter(entry_counts::edition_id.eq(edition_id))
        .filter(entry_counts::n.gt(0))
        .select((entry_counts::status, entry_counts::n))
        .load::<(String, i32)>(conn)?
        .into_iter()
        .map(|(s, n)| (s, i64::from(n)))
        .collect())
}

/// The entries of an edition joined with their units, with the filter applied (a macro, because the
/// list and the export select different columns from the same filtered query).
macro_rules! filtered {
    ($conn:expr, $edition_id:expr, $f:expr, $include_drafts:expr) => {{
        let f: &EntryFilter = $f;
        let q = entries::table
            .inner_join(units::table)
            .filter(entries::edition_id.eq($edition_id))
            .into_boxed();
        let mut q = entry_filters!(q, f, $include_drafts);
        if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            q = crate::search_filter!(
                q,
                $crate::db::is_sqlite($conn),
                text,
                entries::name,
                units::name
            );
        }
        if let Some(t) = f.unit_type.as_deref().filter(|s| !s.is_empty()) {
            q = q.filter(units::unit_type.eq(t.to_string()));
        }
        q
    }};
}

/// The filters on the entry's own columns, for a boxed query over entries (joined or not).
macro_rules! entry_filters {
    ($q:expr, $f:expr, $include_drafts:expr) => {{
        let f: &EntryFilter = $f;
        let mut q = $q;
        if !$include_drafts {
            // Fixed-shape SQL (no IN list of varying length), so the statement is prepared once
            // per connection and reused.
            q = q.filter(entries::status.ne(EntryStatus::Draft.code()));
        }
        if f.status.as_deref() == Some(AWAITING) {
            let [a, b] = AWAITING_CODES;
            q = q.filter(entries::status.eq(a).or(entries::status.eq(b)));
        } else if let Some(s) = f.status.as_deref().filter(|s| !s.is_empty()) {
            q = q.filter(entries::status.eq(s.to_string()));
        }
        if let Some(c) = f.category {
            q = q.filter(entries::category_id.eq(c));
        }
        if let Some(s) = f.stage.as_deref().filter(|s| !s.is_empty()) {
            q = q.filter(entries::stage.eq(s.to_string()));
        }
        q
    }};
}

/// How many entries the list's filter selects. A filter on status alone (the usual view) reads the
/// status counters; without a search or a unit type, the units need not be joined.
fn count(conn: &mut DbConn, edition_id: i32, f: &EntryFilter) -> QueryResult<i64> {
    let needs_units = f.q.as_deref().is_some_and(|q| !q.trim().is_empty())
        || f.unit_type.as_deref().is_some_and(|t| !t.is_empty());
    if needs_units {
        return filtered!(conn, edition_id, f, false)
            .count()
            .get_result(conn);
    }
    let by_status_only = f.category.is_none() && f.stage.as_deref().is_none_or(|s| s.is_empty());
    if by_status_only {
        let wanted = |s: &str| match f.status.as_deref() {
            _ if s == EntryStatus::Draft.code() => false,
            Some(AWAITING) => AWAITING_CODES.contains(&s),
            Some(one) if !one.is_empty() => s == one,
            _ => true,
        };
        return Ok(status_counts(conn, edition_id)?
            .into_iter()
            .filter(|(s, _)| wanted(s))
            .map(|(_, n)| n)
            .sum());
    }
    let q = entries::table
        .filter(entries::edition_id.eq(edition_id))
        .into_boxed();
    entry_filters!(q, f, false).count().get_result(conn)
}

macro_rules! sorted {
    ($q:expr, $f:expr) => {
        match $f.sort.as_deref() {
            // The unit's id names no other order (unit names are unique) but lets the database
            // walk `units_name_order` and then `entries_unit_order` instead of sorting each unit.
            Some("unit") => $q.order((units::name.asc(), units::id.asc(), entries::id.asc())),
            Some("updated") => $q.order((entries::updated_at.desc(), entries::id.desc())),
            Some("submitted") => $q.order((entries::submitted_at.desc(), entries::id.desc())),
            // What waits for the administrative check first, the longest waiting first.
            Some("waiting") => $q.order((
                entries::status
                    .eq(AWAITING_CODES[0])
                    .or(entries::status.eq(AWAITING_CODES[1]))
                    .desc(),
                entries::submitted_at.asc(),
                entries::id.asc(),
            )),
            _ => $q.order((entries::name.asc(), entries::id.asc())),
        }
    };
}

/// A page of an edition's entries for organisers, with the total (drafts are the units' own business).
pub fn list(
    conn: &mut DbConn,
    edition_id: i32,
    f: &EntryFilter,
    per_page: i64,
) -> QueryResult<(Vec<ListItem>, i64)> {
    let total = count(conn, edition_id, f)?;
    let page = f.page.unwrap_or(1).max(1);
    let q = filtered!(conn, edition_id, f, false).select((
        entries::id,
        entries::name,
        entries::status,
        entries::category_id,
        entries::submitted_at,
        entries::updated_at,
        units::name,
        units::unit_type,
    ));
    let rows = sorted!(q, f)
        .paged(per_page, crate::db::page_offset(page, per_page))
        .load(conn)?;
    Ok((rows, total))
}

/// Every entry the filter selects, whole, in list order (for the CSV and XLSX exports).
pub fn export(conn: &mut DbConn, edition_id: i32, f: &EntryFilter) -> QueryResult<Vec<FullRow>> {
    let q = filtered!(conn, edition_id, f, false).select((
        Entry::as_select(),
        units::name,
        units::unit_type,
    ));
    sorted!(q, f).load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_awaiting_pair_is_what_the_statuses_say() {
        assert_eq!(
            AWAITING_CODES.to_vec(),
            EntryStatus::codes_where(EntryStatus::awaiting_check)
        );
    }
}
