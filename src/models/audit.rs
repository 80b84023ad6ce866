//! The `audit_events` table: who changed what, when and from where.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{audit_events, users};
use crate::db::{DbConn, PageDsl};

/// An audit row, in column order.
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    /// Primary key.
    pub id: i32,
    /// When.
    pub created_at: NaiveDateTime,
    /// Who (none for the shell or the system).
    pub actor_id: Option<i32>,
    /// From which address.
    pub ip: Option<String>,
    /// What, e.g. `user.invite`.
    pub action: String,
    /// Which kind of object, e.g. `user`.
    pub object_type: String,
    /// Which object.
    pub object_id: Option<i32>,
    /// A short before/after, as JSON.
    pub detail: String,
}

/// A new event.
#[derive(Insertable)]
#[diesel(table_name = audit_events)]
pub struct NewAuditEvent<'a> {
    /// When.
    pub created_at: NaiveDateTime,
    /// Who.
    pub actor_id: Option<i32>,
    /// From where.
    pub ip: Option<&'a str>,
    /// What.
    pub action: &'a str,
    /// Object kind.
    pub object_type: &'a str,
    /// Object id.
    pub object_id: Option<i32>,
    /// JSON detail.
    pub detail: &'a str,
}

/// Inserts an event.
pub fn insert(conn: &mut DbConn, new: &NewAuditEvent) -> QueryResult<usize> {
    diesel::insert_into(audit_events::table)
        .values(new)
        .execute(conn)
}

/// Filters for the organiser's audit page.
#[derive(Default, Debug, serde::Deserialize, Serialize, Clone)]
pub struct AuditFilter {
    /// Action prefix, e.g. `user` or `user.invite`.
    pub action: Option<String>,
    /// Object type.
    pub object_type: Option<String>,
    /// Object id.
    pub object_id: Option<i32>,
    /// Actor's email (part).
    pub actor: Option<String>,
    /// From this date (YYYY-MM-DD, Jakarta).
    pub from: Option<String>,
    /// Up to this date (YYYY-MM-DD, Jakarta, inclusive).
    pub to: Option<String>,
    /// 1-based page.
    pub page: Option<i64>,
}

/// An event with its actor's email.
pub type EventWithActor = (AuditEvent, Option<String>);

/// A page of events matching the filter with the actor's email, newest first, and whether more follow.
/// The log grows without bound, so nothing counts it all.
pub fn list(
    conn: &mut DbConn,
    f: &AuditFilter,
    range: (Option<NaiveDateTime>, Option<NaiveDateTime>),
    per_page: i64,
) -> QueryResult<(Vec<EventWithActor>, bool)> {
    let build = || {
        let mut q = audit_events::table.left_join(users::table).into_boxed();
        // `user.invite` matches exactly, `user` the whole family: both as index ranges, not LIKE scans.
        if let Some(a) = f.action.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            if a.contains('.') {
                q = q.filter(audit_events::action.eq(a.to_string()));
            } else {
                let a = a.trim_end_matches('.');
                q = q.filter(
                    audit_events::action
                        .ge(format!("{a}."))
                        .and(audit_events::action.lt(format!("{a}/"))),
                );
            }
        }
        if let Some(t) = f
            .object_type
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            q = q.filter(audit_events::object_type.eq(t.to_string()));
        }
        if let Some(id) = f.object_id {
            q = q.filter(audit_events::object_id.eq(id));
        }
        if let Some(a) = f.actor.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            q = q.filter(
                users::email
                    .like(crate::db::contains_pattern(&a.to_lowercase()))
                    .escape('\\'),
            );
        }
        if let Some(from) = range.0 {
            q = q.filter(audit_events::created_at.ge(from));
        }
        if let Some(to) = range.1 {
            q = q.filter(audit_events::created_at.lt(to));
        }
        q
    };
    let page = f.page.unwrap_or(1).max(1);
    let mut rows: Vec<EventWithActor> = build()
        .order((audit_events::created_at.desc(), audit_events::id.desc()))
        .select((AuditEvent::as_select(), users::email.nullable()))
        .paged(per_page + 1, crate::db::page_offset(page, per_page))
        .load(conn)?;
    let more = rows.len() as i64 > per_page;
    rows.truncate(per_page as usize);
    Ok((rows, more))
}

/// Names of the users, units, entries and editions an audit page mentions, by (type, id), so the
/// log reads "Dinas Kesehatan", not "unit #12". One query per type, for the page's ids only.
pub fn names_of(
    conn: &mut DbConn,
    wanted: &[(String, i32)],
) -> QueryResult<std::collections::HashMap<(String, i32), String>> {
    use crate::db::schema::{editions, entries, rounds, rubrics, units};
    let ids = |t: &str| -> Vec<i32> {
        let mut v: Vec<i32> = wanted.iter().filter(|w| w.0 == t).map(|w| w.1).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let mut out = std::collections::HashMap::new();
    let mut put = |t: &str, rows: Vec<(i32, String)>| {
        for (id, name) in rows {
            out.insert((t.to_string(), id), name);
        }
    };
    put(
        "user",
        users::table
            .filter(users::id.eq_any(ids("user")))
            .select((users::id, users::name))
            .load(conn)?,
    );
    put(
        "unit",
        units::table
            .filter(units::id.eq_any(ids("unit")))
            .select((units::id, units::name))
            .load(conn)?,
    );
    put(
        "entry",
        entries::table
            .filter(entries::id.eq_any(ids("entry")))
            .select((entries::id, entries::name))
            .load(conn)?,
    );
    put(
        "edition",
        editions::table
            .filter(editions::id.eq_any(ids("edition")))
            .select((editions::id, editions::name))
            .load(conn)?,
    );
    put(
        "round",
        rounds::table
            .filter(rounds::id.eq_any(ids("round")))
            .select((rounds::id, rounds::name_id))
            .load(conn)?,
    );
    put(
        "rubric",
        rubrics::table
            .filter(rubrics::id.eq_any(ids("rubric")))
            .select((rubrics::id, rubrics::name_id))
            .load(conn)?,
    );
    Ok(out)
}
