//! A judge's queue: the rounds they sit on, whether they accepted each edition's declaration, and
//! their assigned entries with the state of each sheet.

use chrono::NaiveDateTime;

use super::*;
use crate::db::schema::{editions, entries, round_entries, rounds, sheets, units};

/// One assigned entry in the queue.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QueueItem {
    /// The assignment (the scoring page's address).
    pub assignment_id: i32,
    /// Entry name.
    pub name: String,
    /// Unit name.
    pub unit: String,
    /// `none`, `draft` or `submitted`.
    pub sheet: String,
    /// Weighted total in hundredths, when complete.
    pub total_bp: Option<i32>,
    /// The presentation slot, in a scheduled round.
    pub slot_at: Option<NaiveDateTime>,
    /// Its room or link.
    pub slot_place: String,
}

/// One round in the queue.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QueueRound {
    /// Round id.
    pub id: i32,
    /// Indonesian name.
    pub name_id: String,
    /// English name.
    pub name_en: String,
    /// Window.
    pub opens_at: NaiveDateTime,
    /// Window.
    pub closes_at: NaiveDateTime,
    /// `not_yet`, `open`, `closed`.
    pub window: Window,
    /// Assigned entries, sheets still to do first.
    pub items: Vec<QueueItem>,
    /// Submitted sheets.
    pub submitted: usize,
}

/// One edition in the queue.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QueueEdition {
    /// Edition id.
    pub id: i32,
    /// Name.
    pub name: String,
    /// Accepted the declaration.
    pub declared: bool,
    /// Rounds in order.
    pub rounds: Vec<QueueRound>,
}

/// The judge's queue, newest edition first. Entries are listed only once the declaration is
/// accepted, and never when a conflict exists.
pub fn queue(
    conn: &mut DbConn,
    judge_id: i32,
    judge_unit: Option<i32>,
) -> Result<Vec<QueueEdition>, AppError> {
    let rows = match conn {
        DbConn::Sqlite(_) => rows_joined(conn, judge_id)?,
        DbConn::Postgresql(_) => rows_looked_up(conn, judge_id)?,
    };
    // The rounds the judge sits on, and any other round they still hold an assignment in.
    let mut round_ids: Vec<i32> = model::rounds_of_judge(conn, judge_id)?
        .into_iter()
        .map(|r| r.0)
        .chain(rows.iter().map(|row| row.1))
        .collect();
    round_ids.sort_unstable();
    round_ids.dedup();
    let my_rounds: Vec<(crate::models::round::Round, String)> = rounds::table
        .inner_join(editions::table)
        .filter(rounds::id.eq_any(&round_ids))
        .order((editions::year.desc(), editions::id.desc(), rounds::position))
        .select((crate::models::round::Round::as_select(), editions::name))
        .load(conn)?;
    let declared: HashSet<i32> = model::declarations_of(conn, judge_id)?
        .into_iter()
        .map(|d| d.0)
        .collect();
    let recorded: HashSet<i32> = model::conflicts_of(conn, judge_id)?
        .into_iter()
        .map(|c| c.0)
        .collect();
    // Only the judge's unit's parent and each listed entry's unit's parent matter for conflicts
    // (the rows carry the latter): reading every unit's parent cost the queue a seventh of its time.
    let judge_parent: Option<i32> = match judge_unit {
        Some(u) => units::table
            .find(u)
            .select(units::parent_id)
            .first::<Option<i32>>(conn)
            .optional()?
            .flatten(),
        None => None,
    };
    let now = db::now();
    let mut out: Vec<QueueEdition> = Vec::new();
    for (r, edition_name) in my_rounds {
        let is_declared = declared.contains(&r.edition_id);
        let mut items: Vec<QueueItem> = if is_declared {
            rows.iter()
                .filter(|row| row.1 == r.id)
                .filter(|row| {
                    let parent_of = |u: i32| match judge_unit {
                        _ if u == row.4 => row.10,
                        Some(j) if u == j => judge_parent,
                        _ => None,
                    };
                    !recorded.contains(&row.2) && !unit_conflict(judge_unit, row.4, parent_of)
                })
                .map(|row| QueueItem {
                    assignment_id: row.0,
                    name: row.3.clone(),
                    unit: row.5.clone(),
                    sheet: row.6.clone().unwrap_or_else(|| "none".into()),
                    total_bp: row.7,
                    slot_at: row.8,
                    slot_place: row.9.clone().unwrap_or_default(),
                })
                .collect()
        } else {
            Vec::new()
        };
        let submitted = items
            .iter()
            .filter(|i| i.sheet == SheetStatus::Submitted.code())
            .count();
        // A scheduled round reads as the running order; otherwise what is left to do comes first.
        if items.iter().any(|i| i.slot_at.is_some()) {
            items.sort_by_key(|i| (i.slot_at.is_none(), i.slot_at));
        } else {
            items.sort_by_key(|i| i.sheet == SheetStatus::Submitted.code());
        }
        let window = window(&r, None, now);
        let q = QueueRound {
            id: r.id,
            name_id: r.name_id,
            name_en: r.name_en,
            opens_at: r.opens_at,
            closes_at: r.closes_at,
            window,
            items,
            submitted,
        };
        match out.last_mut() {
            Some(e) if e.id == r.edition_id => e.rounds.push(q),
            _ => out.push(QueueEdition {
                id: r.edition_id,
                name: edition_name,
                declared: is_declared,
                rounds: vec![q],
            }),
        }
    }
    Ok(out)
}

/// One of a judge's assigned entries: (assignment, round, entry, entry name, unit, unit name, sheet
/// status, sheet total, slot, place, the unit's parent).
type Row = (
    i32,
    i32,
    i32,
    String,
    i32,
    String,
    Option<String>,
    Option<i32>,
    Option<NaiveDateTime>,
    Option<String>,
    Option<i32>,
);

/// The judge's rows in the database's order of names, in one statement: SQLite walks it from the
/// judge's assignments by key.
fn rows_joined(conn: &mut DbConn, judge_id: i32) -> Result<Vec<Row>, AppError> {
    Ok(assignments::table
        .inner_join(entries::table.inner_join(units::table))
        .left_join(sheets::table.on(sheets::assignment_id.eq(assignments::id)))
        .left_join(
            round_entries::table.on(round_entries::round_id
                .eq(assignments::round_id)
                .and(round_entries::entry_id.eq(assignments::entry_id))),
        )
        .filter(assignments::judge_id.eq(judge_id))
        .filter(assignments::withdrawn_at.is_null())
        .order((entries::name, entries::id))
        .select((
            assignments::id,
            assignments::round_id,
            entries::id,
            entries::name,
            entries::unit_id,
            units::name,
            sheets::status.nullable(),
            sheets::total_bp.nullable(),
            round_entries::slot_at.nullable(),
            round_entries::slot_place.nullable(),
            units::parent_id,
        ))
        .load(conn)?)
}

/// The same rows from the judge's assignments and their sheets, then their entries and slots
/// looked up by key. Joined in one statement, PostgreSQL (costing random reads as if from disk)
/// hashes every entry and scans every round's list on each view, and the queue took half again as
/// long at national scale. On SQLite it is the other way round: looked up, the queue was a fifth
/// slower.
fn rows_looked_up(conn: &mut DbConn, judge_id: i32) -> Result<Vec<Row>, AppError> {
    // Each assignment with its sheet (PostgreSQL joins that by key).
    type Mine = (i32, i32, i32, Option<String>, Option<i32>);
    let mine: Vec<Mine> = assignments::table
        .left_join(sheets::table.on(sheets::assignment_id.eq(assignments::id)))
        .filter(assignments::judge_id.eq(judge_id))
        .filter(assignments::withdrawn_at.is_null())
        .select((
            assignments::id,
            assignments::round_id,
            assignments::entry_id,
            sheets::status.nullable(),
            sheets::total_bp.nullable(),
        ))
        .load(conn)?;
    if mine.is_empty() {
        return Ok(Vec::new());
    }
    let mut entry_ids: Vec<i32> = mine.iter().map(|a| a.2).collect();
    entry_ids.sort_unstable();
    entry_ids.dedup();
    let round_ids: Vec<i32> = mine
        .iter()
        .map(|a| a.1)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    // In the database's order of names, as the queue lists them.
    let named: Vec<(i32, String, i32, String, Option<i32>)> = entries::table
        .inner_join(units::table)
        .filter(entries::id.eq_any(&entry_ids))
        .order((entries::name, entries::id))
        .select((
            entries::id,
            entries::name,
            entries::unit_id,
            units::name,
            units::parent_id,
        ))
        .load(conn)?;
    let slot_of: HashMap<(i32, i32), (Option<NaiveDateTime>, String)> = round_entries::table
        .filter(round_entries::round_id.eq_any(&round_ids))
        .filter(round_entries::entry_id.eq_any(&entry_ids))
        .select((
            round_entries::round_id,
            round_entries::entry_id,
            round_entries::slot_at,
            round_entries::slot_place,
        ))
        .load::<(i32, i32, Option<NaiveDateTime>, String)>(conn)?
        .into_iter()
        .map(|(r, e, at, place)| ((r, e), (at, place)))
        .collect();
    let mut of_entry: HashMap<i32, Vec<Mine>> = HashMap::new();
    for m in mine {
        of_entry.entry(m.2).or_default().push(m);
    }
    let mut rows: Vec<Row> = Vec::with_capacity(entry_ids.len());
    for (e, name, unit, unit_name, parent) in named {
        for (a, r, _, status, total) in of_entry.remove(&e).unwrap_or_default() {
            let (slot, place) = slot_of
                .get(&(r, e))
                .map_or((None, None), |(at, p)| (*at, Some(p.clone())));
            let (name, unit_name) = (name.clone(), unit_name.clone());
            rows.push((
                a, r, e, name, unit, unit_name, status, total, slot, place, parent,
            ));
        }
    }
    Ok(rows)
}
