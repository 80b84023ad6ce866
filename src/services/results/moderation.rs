//! Moderation of an entry whose judges disagree: before the results are published, the panel
//! looks at the entry's sheets side by side and records what it decided (a panel note), or adds a
//! judge on the board. Every note is kept; the newest is the panel's current word.

use std::collections::{HashMap, HashSet};

use super::*;
use crate::db::schema::{assignments, entries, panel_notes, sheets, units, users};
use crate::domain::judging::SheetStatus;
use crate::domain::results::Stage;
use crate::error::invalid;

/// Longest panel note, in characters.
pub const NOTE_MAX: usize = 2000;

/// One panel note with its author.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PanelNote {
    /// The note.
    pub note: String,
    /// Who wrote it (empty when the account is gone).
    pub by: String,
    /// When.
    pub at: chrono::NaiveDateTime,
}

/// A live sheet of the entry in the round, as the panel compares them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SheetLine {
    /// The sheet's assignment (the organiser's sheet page is named by it).
    pub assignment_id: i32,
    /// The judge.
    pub judge: String,
    /// `draft` or `submitted`.
    pub status: String,
    /// Weighted total in hundredths (0–10000), when computed.
    pub total_bp: Option<i32>,
}

/// What the moderation page of one entry in one round shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Moderation {
    /// The entry.
    pub entry_id: i32,
    /// Its name.
    pub name: String,
    /// Its unit.
    pub unit: String,
    /// Its sheets of live assignments, highest total first.
    pub sheets: Vec<SheetLine>,
    /// Highest minus lowest submitted total, in hundredths.
    pub range_bp: i32,
    /// Every note, newest first.
    pub notes: Vec<PanelNote>,
    /// Whether notes can still be added (the results are not published).
    pub open: bool,
}

/// The moderation page of `entry_id` in `round_id`; an entry outside the round is not found.
pub fn moderation(conn: &mut DbConn, r: &Round, entry_id: i32) -> Result<Moderation, AppError> {
    if !round::has_entry(conn, r.id, entry_id)? {
        return Err(AppError::NotFound);
    }
    let (name, unit): (String, String) = entries::table
        .inner_join(units::table)
        .filter(entries::id.eq(entry_id))
        .select((entries::name, units::name))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let mut lines: Vec<SheetLine> = sheets::table
        .inner_join(assignments::table)
        .inner_join(users::table.on(users::id.eq(sheets::judge_id)))
        .filter(sheets::round_id.eq(r.id))
        .filter(sheets::entry_id.eq(entry_id))
        .filter(assignments::withdrawn_at.is_null())
        .select((
            sheets::assignment_id,
            users::name,
            sheets::status,
            sheets::total_bp,
        ))
        .load::<(i32, String, String, Option<i32>)>(conn)?
        .into_iter()
        .map(|(assignment_id, judge, status, total_bp)| SheetLine {
            assignment_id,
            judge,
            status,
            total_bp,
        })
        .collect();
    lines.sort_by(|a, b| b.total_bp.cmp(&a.total_bp).then(a.judge.cmp(&b.judge)));
    let submitted: Vec<i32> = lines
        .iter()
        .filter(|s| s.status == SheetStatus::Submitted.code())
        .filter_map(|s| s.total_bp)
        .collect();
    let range_bp = match (submitted.iter().max(), submitted.iter().min()) {
        (Some(hi), Some(lo)) => hi - lo,
        _ => 0,
    };
    Ok(Moderation {
        entry_id,
        name,
        unit,
        sheets: lines,
        range_bp,
        notes: notes_of(conn, r.id, entry_id)?,
        open: stage(r) != Stage::Published,
    })
}

/// Every panel note on the entry in the round, newest first.
pub fn notes_of(
    conn: &mut DbConn,
    round_id: i32,
    entry_id: i32,
) -> Result<Vec<PanelNote>, AppError> {
    Ok(panel_notes::table
        .left_join(users::table.on(users::id.nullable().eq(panel_notes::written_by)))
        .filter(panel_notes::round_id.eq(round_id))
        .filter(panel_notes::entry_id.eq(entry_id))
        .order(panel_notes::id.desc())
        .select((
            panel_notes::note,
            users::name.nullable(),
            panel_notes::written_at,
        ))
        .load::<(String, Option<String>, chrono::NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(note, by, at)| PanelNote {
            note,
            by: by.unwrap_or_default(),
            at,
        })
        .collect())
}

/// The newest note of each of `entry_ids` that has one (for a page of the ranking).
pub fn latest_notes(
    conn: &mut DbConn,
    round_id: i32,
    entry_ids: &[i32],
) -> QueryResult<HashMap<i32, String>> {
    // Ascending, so the newest of an entry is inserted last.
    Ok(panel_notes::table
        .filter(panel_notes::round_id.eq(round_id))
        .filter(panel_notes::entry_id.eq_any(entry_ids))
        .order(panel_notes::id)
        .select((panel_notes::entry_id, panel_notes::note))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .collect())
}

/// The entries of the round the panel has written about.
pub fn moderated(conn: &mut DbConn, round_id: i32) -> QueryResult<HashSet<i32>> {
    Ok(panel_notes::table
        .filter(panel_notes::round_id.eq(round_id))
        .select(panel_notes::entry_id)
        .distinct()
        .load::<i32>(conn)?
        .into_iter()
        .collect())
}

/// The flagged entries of a frozen round's kept ranking.
pub fn kept_flagged(conn: &mut DbConn, round_id: i32) -> QueryResult<Vec<i32>> {
    use crate::db::schema::round_results;
    round_results::table
        .filter(round_results::round_id.eq(round_id))
        .filter(round_results::flagged.eq(true))
        .select(round_results::entry_id)
        .load(conn)
}

/// Records a panel note on an entry of the round, until its results are published (the
/// publication holds the round, so a note and a publication never cross).
pub fn add_note(
    conn: &mut DbConn,
    actor: &Actor,
    round_id: i32,
    entry_id: i32,
    note: &str,
) -> Result<(), AppError> {
    let text = match crate::domain::text::paragraph(note, NOTE_MAX) {
        Ok(t) if t.is_empty() => return Err(invalid("note", "form.required")),
        Ok(t) => t,
        Err(k) => return Err(invalid("note", k)),
    };
    db::transaction(conn, |conn| {
        db::hold(conn, db::Row::Round(round_id), db::Hold::Shared)?;
        let r = round::find(conn, round_id)?.ok_or(AppError::NotFound)?;
        if !round::has_entry(conn, round_id, entry_id)? {
            return Err(AppError::NotFound);
        }
        if stage(&r) == Stage::Published {
            return Err(invalid("note", "moderation.published"));
        }
        diesel::insert_into(panel_notes::table)
            .values((
                panel_notes::round_id.eq(round_id),
                panel_notes::entry_id.eq(entry_id),
                panel_notes::note.eq(&text),
                panel_notes::written_by.eq(actor.user_id),
                panel_notes::written_at.eq(db::now()),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            actor,
            "round.panel_note",
            ("round", Some(round_id)),
            json!({ "entry": entry_id, "note": text }),
        )?;
        Ok(())
    })
}
