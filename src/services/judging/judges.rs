//! Judges: the declaration they accept, the rounds they sit on, their expertise, and the conflicts
//! they declare or organisers set.

use super::*;

/// The declaration's text version, stored with each acceptance so a later wording change is visible.
pub const DECLARATION_VERSION: &str = "2026-1";

/// Records that a judge accepted the impartiality and confidentiality declaration for an edition
/// (once; accepting again changes nothing).
pub fn accept_declaration(
    conn: &mut DbConn,
    actor: &Actor,
    judge_id: i32,
    edition_id: i32,
) -> Result<(), AppError> {
    db::transaction(conn, |conn| {
        if model::has_declared(conn, edition_id, judge_id)? {
            return Ok(());
        }
        diesel::insert_into(judge_declarations::table)
            .values((
                judge_declarations::edition_id.eq(edition_id),
                judge_declarations::judge_id.eq(judge_id),
                judge_declarations::statement.eq(DECLARATION_VERSION),
                judge_declarations::ip.eq(actor.ip.as_deref().unwrap_or("")),
                judge_declarations::accepted_at.eq(db::now()),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            actor,
            "declaration.accept",
            ("edition", Some(edition_id)),
            json!({"statement": DECLARATION_VERSION}),
        )
    })
}

/// Adds judges to a round; ids that are not active judge accounts are refused and nothing is added.
pub fn add_round_judges(
    conn: &mut DbConn,
    actor: &Actor,
    round_id: i32,
    judge_ids: &[i32],
) -> Result<usize, AppError> {
    db::transaction(conn, |conn| {
        unfrozen_round(conn, round_id)?;
        let judges: HashSet<i32> = model::all_judges(conn)?
            .into_iter()
            .filter(|j| j.active)
            .map(|j| j.id)
            .collect();
        if judge_ids.is_empty() || judge_ids.iter().any(|id| !judges.contains(id)) {
            return Err(invalid("judges", "judging.choose_judges"));
        }
        let mut have: HashSet<i32> = model::round_judges(conn, round_id)?
            .into_iter()
            .map(|j| j.id)
            .collect();
        let now = db::now();
        let mut added = 0;
        // `insert` also skips a judge named twice.
        for id in judge_ids.iter().filter(|id| have.insert(**id)) {
            added += diesel::insert_into(round_judges::table)
                .values((
                    round_judges::round_id.eq(round_id),
                    round_judges::judge_id.eq(id),
                    round_judges::added_at.eq(now),
                ))
                .execute(conn)?;
        }
        audit::record(
            conn,
            actor,
            "round.add_judges",
            ("round", Some(round_id)),
            json!({"judges": judge_ids, "added": added}),
        )?;
        Ok(added)
    })
}

/// Takes the given judges off a round and withdraws their assignments in it (sheets are kept,
/// hidden); returns how many came off. All or none: if any of them has started a sheet in the
/// round, a reason is needed, and a judge not on the round refuses the whole request (a refusal
/// the board shows, since another organiser may have just taken that judge off).
pub fn remove_round_judges(
    conn: &mut DbConn,
    actor: &Actor,
    round_id: i32,
    judge_ids: &[i32],
    reason: &str,
) -> Result<usize, AppError> {
    use crate::db::schema::sheets;
    if judge_ids.is_empty() {
        return Err(invalid("judge", "judging.choose_judges_to_remove"));
    }
    let reason = crate::domain::text::single_line(reason, 500).map_err(|k| invalid("reason", k))?;
    db::transaction(conn, |conn| {
        unfrozen_round(conn, round_id)?;
        for &judge_id in judge_ids {
            let started: i64 = sheets::table
                .filter(sheets::round_id.eq(round_id))
                .filter(sheets::judge_id.eq(judge_id))
                .count()
                .get_result(conn)?;
            if started > 0 && reason.is_empty() {
                return Err(invalid("reason", "judging.reason_started"));
            }
            let n = diesel::delete(
                round_judges::table
                    .filter(round_judges::round_id.eq(round_id))
                    .filter(round_judges::judge_id.eq(judge_id)),
            )
            .execute(conn)?;
            if n == 0 {
                // Taken off by someone else since the board was drawn (or never on it): the
                // board comes back current, with the ticks and the reason.
                return Err(invalid("judge", "judging.stale_judges"));
            }
            let why = if reason.is_empty() {
                "removed"
            } else {
                &reason
            };
            let withdrawn = withdraw(conn, judge_id, None, Some(round_id), why)?;
            audit::record(
                conn,
                actor,
                "round.remove_judge",
                ("round", Some(round_id)),
                json!({"judge": judge_id, "reason": reason, "withdrawn": withdrawn, "started_sheets": started}),
            )?;
        }
        Ok(judge_ids.len())
    })
}

/// Sets a judge's expertise among an edition's categories (the other editions' stay as they are).
pub fn set_expertise(
    conn: &mut DbConn,
    actor: &Actor,
    judge_id: i32,
    edition_id: i32,
    category_ids: &[i32],
) -> Result<(), AppError> {
    db::transaction(conn, |conn| {
        model::find_judge(conn, judge_id)?.ok_or(AppError::NotFound)?;
        let of_edition: HashSet<i32> = crate::models::edition::categories(conn, edition_id)?
            .into_iter()
            .map(|c| c.id)
            .collect();
        if category_ids.iter().any(|c| !of_edition.contains(c)) {
            return Err(AppError::BadRequest("a category of another edition".into()));
        }
        let ids: Vec<i32> = of_edition.into_iter().collect();
        diesel::delete(
            judge_expertise::table
                .filter(judge_expertise::judge_id.eq(judge_id))
                .filter(judge_expertise::category_id.eq_any(&ids)),
        )
        .execute(conn)?;
        let mut seen = HashSet::new();
        for c in category_ids.iter().filter(|c| seen.insert(**c)) {
            diesel::insert_into(judge_expertise::table)
                .values((
                    judge_expertise::judge_id.eq(judge_id),
                    judge_expertise::category_id.eq(c),
                ))
                .execute(conn)?;
        }
        audit::record(
            conn,
            actor,
            "expertise.update",
            ("user", Some(judge_id)),
            json!({"edition": edition_id, "categories": category_ids}),
        )
    })
}

/// What recording (or finding) a conflict did to live assignments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConflictOutcome {
    /// Assignments withdrawn (rounds still judging).
    pub withdrawn: usize,
    /// Assignments kept because their round is frozen (until it is reopened).
    pub kept_frozen: usize,
}

/// Records a conflict between a judge and an entry, set by an organiser, with its reason, and
/// withdraws the judge's assignments on the entry in rounds not frozen.
pub fn record_conflict(
    conn: &mut DbConn,
    actor: &Actor,
    judge_id: i32,
    entry_id: i32,
    source: ConflictSource,
    reason: &str,
) -> Result<ConflictOutcome, AppError> {
    conflict_in(conn, actor, judge_id, entry_id, source, reason, None)
}

/// A judge declares a conflict with the entry of one of their assignments, while its round's
/// window is open. That round's assignment is withdrawn, and the judge's assignments on the entry
/// in rounds still to come (window not closed, not frozen): left live they would count the judge
/// for an entry the judge can no longer open. In a round whose window has closed the judge's
/// submitted scores stand (the organisers see the recorded conflict and decide). Every round
/// touched is held, so a freeze or a closing cannot slip in between the check and the withdrawal.
pub fn declare_conflict(
    conn: &mut DbConn,
    who: &SheetActor,
    actor: &Actor,
    assignment_id: i32,
    reason: &str,
) -> Result<ConflictOutcome, AppError> {
    db::transaction(conn, |conn| {
        let ctx = load_held(conn, who, assignment_id)?;
        if matches!(ctx.window, Window::Closed | Window::Frozen) {
            return Err(invalid("window", "judge.conflict_closed"));
        }
        let (judge_id, entry_id) = (ctx.assignment.judge_id, ctx.entry.id);
        let now = db::now();
        let mut later: Vec<i32> = assignments::table
            .inner_join(crate::db::schema::rounds::table)
            .filter(assignments::judge_id.eq(judge_id))
            .filter(assignments::entry_id.eq(entry_id))
            .filter(assignments::withdrawn_at.is_null())
            .filter(assignments::round_id.ne(ctx.round.id))
            .filter(crate::db::schema::rounds::frozen_at.is_null())
            .filter(crate::db::schema::rounds::closes_at.gt(now))
            .select(assignments::round_id)
            .load(conn)?;
        later.sort_unstable();
        for &r in &later {
            db::hold(conn, db::Row::Round(r), db::Hold::Shared)?;
        }
        // Read again under the holds: a round frozen meanwhile keeps its assignment.
        let mut rounds: Vec<i32> = crate::db::schema::rounds::table
            .filter(crate::db::schema::rounds::id.eq_any(&later))
            .filter(crate::db::schema::rounds::frozen_at.is_null())
            .select(crate::db::schema::rounds::id)
            .load(conn)?;
        rounds.push(ctx.round.id);
        conflict_in(
            conn,
            actor,
            judge_id,
            entry_id,
            ConflictSource::Declared,
            reason,
            Some(&rounds),
        )
    })
}

fn conflict_in(
    conn: &mut DbConn,
    actor: &Actor,
    judge_id: i32,
    entry_id: i32,
    source: ConflictSource,
    reason: &str,
    only_rounds: Option<&[i32]>,
) -> Result<ConflictOutcome, AppError> {
    db::transaction(conn, |conn| {
        let reason =
            crate::domain::text::required_line(reason, 500).map_err(|k| invalid("reason", k))?;
        model::find_judge(conn, judge_id)?.ok_or(AppError::NotFound)?;
        entry::find(conn, entry_id)?.ok_or(AppError::NotFound)?;
        if !model::has_recorded_conflict(conn, judge_id, entry_id)? {
            diesel::insert_into(conflicts::table)
                .values((
                    conflicts::judge_id.eq(judge_id),
                    conflicts::entry_id.eq(entry_id),
                    conflicts::source.eq(source.code()),
                    conflicts::reason.eq(&reason),
                    conflicts::created_by.eq(actor.user_id),
                    conflicts::created_at.eq(db::now()),
                ))
                .execute(conn)?;
        }
        let withdrawn = match only_rounds {
            None => withdraw(conn, judge_id, Some(entry_id), None, CONFLICT_REASON)?,
            Some(rounds) => {
                let mut n = 0;
                for &r in rounds {
                    n += withdraw(conn, judge_id, Some(entry_id), Some(r), CONFLICT_REASON)?;
                }
                n
            }
        };
        // What is left live is in frozen rounds; those the organiser can still reopen are named
        // (a published round's results stand as published), as `sweep_conflicts` does.
        let kept_frozen: i64 = assignments::table
            .inner_join(crate::db::schema::rounds::table)
            .filter(assignments::judge_id.eq(judge_id))
            .filter(assignments::entry_id.eq(entry_id))
            .filter(assignments::withdrawn_at.is_null())
            .filter(crate::db::schema::rounds::published_at.is_null())
            .count()
            .get_result(conn)?;
        let action = match source {
            ConflictSource::Declared => "conflict.declare",
            ConflictSource::Organiser => "conflict.set",
        };
        audit::record(
            conn,
            actor,
            action,
            ("entry", Some(entry_id)),
            json!({"judge": judge_id, "reason": reason, "withdrawn": withdrawn, "kept_frozen": kept_frozen}),
        )?;
        Ok(ConflictOutcome {
            withdrawn,
            kept_frozen: kept_frozen as usize,
        })
    })
}

/// A judge with their declaration state for an edition, for the organiser's pages.
pub fn judge_summary(j: &JudgeRow, declared: &HashSet<i32>) -> serde_json::Value {
    json!({
        "id": j.id, "name": j.name, "email": j.email, "affiliation": j.affiliation,
        "unit_id": j.unit_id, "active": j.active, "declared": declared.contains(&j.id),
    })
}
