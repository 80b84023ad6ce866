//! Conflicts of interest and the one question asked before a judge sees an entry.

use super::*;
use crate::db::schema::{entries, rounds, users};

/// Why a judge may not judge an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Conflict {
    /// The judge works for the entry's unit, or for its parent or a child of it.
    Unit,
    /// The judge declared one.
    Declared,
    /// An organiser set one.
    Organiser,
}

/// Whether a judge of `judge_unit` works for `entry_unit`, its parent or one of its children.
/// `parent_of` gives a unit's parent.
pub fn unit_conflict(
    judge_unit: Option<i32>,
    entry_unit: i32,
    parent_of: impl Fn(i32) -> Option<i32>,
) -> bool {
    let Some(ju) = judge_unit else {
        return false;
    };
    ju == entry_unit || parent_of(entry_unit) == Some(ju) || parent_of(ju) == Some(entry_unit)
}

/// Every unit's parent, for computing conflicts in bulk.
pub fn unit_parents(conn: &mut DbConn) -> Result<HashMap<i32, Option<i32>>, AppError> {
    // Two integers a unit: the whole rows (names, timestamps) cost the judge's queue a tenth of
    // its time at 644 units.
    Ok(crate::db::schema::units::table
        .select((
            crate::db::schema::units::id,
            crate::db::schema::units::parent_id,
        ))
        .load::<(i32, Option<i32>)>(conn)?
        .into_iter()
        .collect())
}

/// The conflict between a judge and an entry, if any: recorded ones first, then the units'.
pub fn conflict(
    conn: &mut DbConn,
    judge_id: i32,
    judge_unit: Option<i32>,
    e: &Entry,
) -> Result<Option<Conflict>, AppError> {
    let recorded: Option<String> = conflicts::table
        .filter(conflicts::judge_id.eq(judge_id))
        .filter(conflicts::entry_id.eq(e.id))
        .select(conflicts::source)
        .get_result(conn)
        .optional()?;
    if let Some(source) = recorded {
        return Ok(Some(match ConflictSource::parse(&source) {
            Some(ConflictSource::Declared) => Conflict::Declared,
            _ => Conflict::Organiser,
        }));
    }
    let Some(ju) = judge_unit else {
        return Ok(None);
    };
    let mut parent = |id: i32| -> Result<Option<i32>, AppError> {
        Ok(unit::find(conn, id)?.and_then(|u| u.parent_id))
    };
    let (entry_parent, judge_parent) = (parent(e.unit_id)?, parent(ju)?);
    let parents = |id: i32| {
        if id == e.unit_id {
            entry_parent
        } else if id == ju {
            judge_parent
        } else {
            None
        }
    };
    Ok(unit_conflict(Some(ju), e.unit_id, parents).then_some(Conflict::Unit))
}

/// Whether a judge may see an entry: they accepted the edition's declaration, hold a live
/// assignment on it, and have no conflict with it. Everything else is "not found", exactly as for
/// an entry that does not exist.
pub fn judge_may_see(
    conn: &mut DbConn,
    judge_id: i32,
    judge_unit: Option<i32>,
    e: &Entry,
) -> Result<bool, AppError> {
    Ok(model::is_assigned(conn, judge_id, e.id)?
        && model::has_declared(conn, e.edition_id, judge_id)?
        && conflict(conn, judge_id, judge_unit, e)?.is_none())
}

/// The rounds whose judging is not frozen. A frozen round's assignments are part of a kept (and
/// maybe published) ranking and of the notes units read in their feedback, so nothing withdraws
/// them until the round is reopened: not a conflict found later, not a judge taken off.
pub(super) fn open_rounds() -> diesel::dsl::Select<
    diesel::dsl::Filter<rounds::table, diesel::dsl::IsNull<rounds::frozen_at>>,
    rounds::id,
> {
    rounds::table
        .filter(rounds::frozen_at.is_null())
        .select(rounds::id)
}

/// Withdraws a judge's live assignments on an entry in rounds not frozen ([`open_rounds`]),
/// keeping their sheets hidden; returns how many were withdrawn.
pub(super) fn withdraw(
    conn: &mut DbConn,
    judge_id: i32,
    entry_id: Option<i32>,
    round_id: Option<i32>,
    reason: &str,
) -> Result<usize, AppError> {
    let mut q = diesel::update(assignments::table)
        .filter(assignments::judge_id.eq(judge_id))
        .filter(assignments::withdrawn_at.is_null())
        .filter(assignments::round_id.eq_any(open_rounds()))
        .into_boxed();
    if let Some(e) = entry_id {
        q = q.filter(assignments::entry_id.eq(e));
    }
    if let Some(r) = round_id {
        q = q.filter(assignments::round_id.eq(r));
    }
    Ok(q.set((
        assignments::withdrawn_at.eq(db::now()),
        assignments::withdrawn_reason.eq(reason),
    ))
    .execute(conn)?)
}

/// Which live assignments a conflict sweep looks at: those a change can have turned into
/// conflicts.
#[derive(Debug, Clone, Copy)]
pub enum SweepScope {
    /// A judge moved to another unit: that judge's.
    Judge(i32),
    /// A unit moved under another parent: those on its entries and those of its judges (a unit's
    /// parent decides conflicts only for judges of, and entries from, that unit).
    Unit(i32),
    /// A round opened again after conflicts were found while it was frozen: that round's.
    Round(i32),
}

/// Finds live assignments that a conflict now forbids (a judge moved to another unit, a unit moved
/// under another parent, a recorded conflict) and withdraws those in rounds not frozen; returns
/// how many were withdrawn, and how many newly conflicting ones a frozen, unpublished round keeps
/// until it is reopened (a published round's results are left as published, unannounced).
pub fn sweep_conflicts(
    conn: &mut DbConn,
    actor: &Actor,
    scope: SweepScope,
) -> Result<ConflictOutcome, AppError> {
    let parents = unit_parents(conn)?;
    // Each assignment with its entry's unit, read in the same statement: at national scale the
    // live assignments of two rounds name 35,000 entries, more than SQLite binds in one `IN` list.
    let mut q = assignments::table
        .inner_join(rounds::table)
        .inner_join(entries::table)
        .filter(assignments::withdrawn_at.is_null())
        .into_boxed();
    q = match scope {
        SweepScope::Judge(id) => q.filter(assignments::judge_id.eq(id)),
        SweepScope::Unit(unit) => {
            let its_judges = users::table
                .filter(users::unit_id.eq(unit))
                .select(users::id);
            q.filter(
                entries::unit_id
                    .eq(unit)
                    .or(assignments::judge_id.eq_any(its_judges)),
            )
        }
        SweepScope::Round(id) => q.filter(assignments::round_id.eq(id)),
    };
    let live: Vec<(i32, i32, i32, i32, bool, bool)> = q
        .select((
            assignments::id,
            assignments::judge_id,
            assignments::entry_id,
            entries::unit_id,
            rounds::frozen_at.is_not_null(),
            rounds::published_at.is_not_null(),
        ))
        .load(conn)?;
    let judge_ids: Vec<i32> = {
        let mut ids: Vec<i32> = live.iter().map(|l| l.1).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    // The judges of a sweep are a round's panel at most (300 nationally).
    let judges: HashMap<i32, Option<i32>> = users::table
        .filter(users::id.eq_any(&judge_ids))
        .select((users::id, users::unit_id))
        .load::<(i32, Option<i32>)>(conn)?
        .into_iter()
        .collect();
    let recorded: HashSet<(i32, i32)> = conflicts::table
        .filter(conflicts::judge_id.eq_any(&judge_ids))
        .select((conflicts::judge_id, conflicts::entry_id))
        .load::<(i32, i32)>(conn)?
        .into_iter()
        .collect();
    let mut done = ConflictOutcome::default();
    for (id, j, e, entry_unit, frozen, published) in live {
        let parent_of = |u: i32| parents.get(&u).copied().flatten();
        let by_unit = unit_conflict(judges.get(&j).copied().flatten(), entry_unit, parent_of);
        let was_recorded = recorded.contains(&(j, e));
        if !(by_unit || was_recorded) {
            continue;
        }
        // A frozen round keeps its assignments (see `open_rounds`). The organiser hears of the
        // new ones a round they can still reopen keeps; a recorded conflict was told when recorded.
        if frozen {
            if !published && !was_recorded {
                done.kept_frozen += 1;
            }
            continue;
        }
        done.withdrawn += diesel::update(assignments::table.find(id))
            .set((
                assignments::withdrawn_at.eq(db::now()),
                assignments::withdrawn_reason.eq(CONFLICT_REASON),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            actor,
            "assignment.withdraw",
            ("assignment", Some(id)),
            json!({"judge": j, "entry": e, "reason": CONFLICT_REASON}),
        )?;
    }
    Ok(done)
}
