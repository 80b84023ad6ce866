//! Assignment of judges to a round's entries: automatic (all hard constraints at once, load spread,
//! earlier assignments kept, every shortfall explained), by hand, single or in bulk, and the one
//! digest mail per judge that lists what is new for them.

use chrono::NaiveDateTime;

use super::*;
use crate::db::schema::{entries, sheets, users};
use crate::domain::assignment::{self, Problem};
use crate::domain::judging::AssignmentSource;
use crate::state::AppState;

/// Why an entry could not get all its judges: how many it needs and has, and what kept the other
/// judges of the round away.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Shortfall {
    /// The entry.
    pub entry_id: i32,
    /// Judges needed.
    pub needed: u32,
    /// Judges it has.
    pub has: u32,
    /// Round judges with a conflict.
    pub conflicted: u32,
    /// Round judges outside the entry's category (when the round matches expertise).
    pub no_expertise: u32,
    /// Eligible judges already at their limit.
    pub full: u32,
    /// Round judges an organiser withdrew from the entry (automatic runs leave them off it).
    pub withdrawn: u32,
    /// Round judges free to take it (the entry waits for an automatic run or a hand assignment).
    pub free: u32,
}

/// What an automatic run did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct AutoResult {
    /// New assignments.
    pub added: usize,
    /// Entries still short of judges, and why.
    pub shortfalls: Vec<Shortfall>,
}

/// Everything the assignment of one round depends on, read once.
struct RoundFacts {
    round: crate::models::round::Round,
    entries: Vec<(i32, i32, Option<i32>)>,
    judges: Vec<(i32, Option<i32>)>,
    parents: HashMap<i32, Option<i32>>,
    recorded: HashSet<(i32, i32)>,
    expertise: HashMap<i32, HashSet<i32>>,
    live: HashSet<(i32, i32)>,
    withdrawn: HashSet<(i32, i32)>,
    /// Withdrawn by an organiser (not for a conflict, which the barrier checks as it stands now).
    withdrawn_by_hand: HashSet<(i32, i32)>,
    /// Live pairs whose sheet is submitted: work done, even if its judge was deactivated since.
    submitted: HashSet<(i32, i32)>,
}

enum Barrier {
    Conflict,
    Expertise,
}

impl RoundFacts {
    /// Reads what the round's assignment depends on; `only` narrows the entries (and their
    /// conflicts, assignments and sheets) to those named, for explaining a few entries on a page.
    fn read(
        conn: &mut DbConn,
        round_id: i32,
        only: Option<&[i32]>,
    ) -> Result<RoundFacts, AppError> {
        let round = round::find(conn, round_id)?.ok_or(AppError::NotFound)?;
        use crate::db::schema::round_entries;
        let mut in_round = round_entries::table
            .filter(round_entries::round_id.eq(round_id))
            .select(round_entries::entry_id)
            .into_boxed();
        if let Some(only) = only {
            in_round = in_round.filter(round_entries::entry_id.eq_any(only));
        }
        let entry_ids: Vec<i32> = in_round.load(conn)?;
        let entries: Vec<(i32, i32, Option<i32>)> = entries::table
            .filter(entries::id.eq_any(&entry_ids))
            .order(entries::id)
            .select((entries::id, entries::unit_id, entries::category_id))
            .load(conn)?;
        let judges: Vec<(i32, Option<i32>)> = model::round_judges(conn, round_id)?
            .into_iter()
            .filter(|j| j.active)
            .map(|j| (j.id, j.unit_id))
            .collect();
        let judge_ids: Vec<i32> = judges.iter().map(|j| j.0).collect();
        let mut recorded_q = conflicts::table
            .filter(conflicts::judge_id.eq_any(&judge_ids))
            .select((conflicts::judge_id, conflicts::entry_id))
            .into_boxed();
        if only.is_some() {
            recorded_q = recorded_q.filter(conflicts::entry_id.eq_any(&entry_ids));
        }
        let recorded = recorded_q.load::<(i32, i32)>(conn)?.into_iter().collect();
        let mut expertise: HashMap<i32, HashSet<i32>> = HashMap::new();
        for (j, c) in judge_expertise::table
            .filter(judge_expertise::judge_id.eq_any(&judge_ids))
            .select((judge_expertise::judge_id, judge_expertise::category_id))
            .load::<(i32, i32)>(conn)?
        {
            expertise.entry(j).or_default().insert(c);
        }
        let mut all_q = assignments::table
            .filter(assignments::round_id.eq(round_id))
            .select((
                assignments::entry_id,
                assignments::judge_id,
                assignments::withdrawn_at,
                assignments::withdrawn_reason,
            ))
            .into_boxed();
        if only.is_some() {
            all_q = all_q.filter(assignments::entry_id.eq_any(&entry_ids));
        }
        let all: Vec<(i32, i32, Option<NaiveDateTime>, String)> = all_q.load(conn)?;
        let live = all
            .iter()
            .filter(|a| a.2.is_none())
            .map(|a| (a.0, a.1))
            .collect();
        let withdrawn = all
            .iter()
            .filter(|a| a.2.is_some())
            .map(|a| (a.0, a.1))
            .collect();
        let withdrawn_by_hand = all
            .iter()
            .filter(|a| a.2.is_some() && a.3 != CONFLICT_REASON)
            .map(|a| (a.0, a.1))
            .collect();
        let mut submitted_q = sheets::table
            .filter(sheets::round_id.eq(round_id))
            .filter(sheets::status.eq(SheetStatus::Submitted.code()))
            .select((sheets::entry_id, sheets::judge_id))
            .into_boxed();
        if only.is_some() {
            submitted_q = submitted_q.filter(sheets::entry_id.eq_any(&entry_ids));
        }
        let submitted = submitted_q.load::<(i32, i32)>(conn)?.into_iter().collect();
        Ok(RoundFacts {
            parents: unit_parents(conn)?,
            round,
            entries,
            judges,
            recorded,
            expertise,
            live,
            withdrawn,
            withdrawn_by_hand,
            submitted,
        })
    }

    /// What keeps a judge off an entry, if anything.
    fn barrier(
        &self,
        entry: (i32, i32, Option<i32>),
        judge: (i32, Option<i32>),
    ) -> Option<Barrier> {
        let parent_of = |u: i32| self.parents.get(&u).copied().flatten();
        if self.recorded.contains(&(judge.0, entry.0)) || unit_conflict(judge.1, entry.1, parent_of)
        {
            return Some(Barrier::Conflict);
        }
        if self.round.match_expertise
            && let Some(cat) = entry.2
            && !self
                .expertise
                .get(&judge.0)
                .is_some_and(|c| c.contains(&cat))
        {
            return Some(Barrier::Expertise);
        }
        None
    }

    /// The limit on entries per judge (none when the round sets 0).
    fn limit(&self) -> u32 {
        match self.round.max_per_judge {
            n if n > 0 => n as u32,
            _ => u32::MAX,
        }
    }

    /// Why `entry` has `has` of the round's judges and not more: each other judge of the round
    /// counted under what keeps them off it (`load` is every judge's live assignments).
    fn shortfall(
        &self,
        entry: (i32, i32, Option<i32>),
        has: u32,
        assigned: &HashSet<(i32, i32)>,
        load: &HashMap<i32, u32>,
    ) -> Shortfall {
        let limit = self.limit();
        let mut s = Shortfall {
            entry_id: entry.0,
            needed: self.round.judges_per_entry.max(0) as u32,
            has,
            conflicted: 0,
            no_expertise: 0,
            full: 0,
            withdrawn: 0,
            free: 0,
        };
        for j in &self.judges {
            if assigned.contains(&(entry.0, j.0)) {
                continue;
            }
            match self.barrier(entry, *j) {
                Some(Barrier::Conflict) => s.conflicted += 1,
                Some(Barrier::Expertise) => s.no_expertise += 1,
                None if self.withdrawn_by_hand.contains(&(entry.0, j.0)) => s.withdrawn += 1,
                None if load.get(&j.0).copied().unwrap_or(0) >= limit => s.full += 1,
                None => s.free += 1,
            }
        }
        s
    }

    /// Live assignments that fill a place: their judge can still score (active, on the round)
    /// or has submitted. A deactivated judge's unsubmitted one would hold a place that nobody
    /// will ever fill.
    fn places_filled(&self) -> HashMap<i32, u32> {
        let can_score: HashSet<i32> = self.judges.iter().map(|j| j.0).collect();
        let mut has: HashMap<i32, u32> = HashMap::new();
        for (e, j) in &self.live {
            if can_score.contains(j) || self.submitted.contains(&(*e, *j)) {
                *has.entry(*e).or_default() += 1;
            }
        }
        has
    }
}

/// Why each of `entry_ids` (entries of the round short of judges) has no more judges, for the
/// board: read for those entries alone, with every judge's load from the round's counters.
pub fn explain_shortfalls(
    conn: &mut DbConn,
    round_id: i32,
    entry_ids: &[i32],
) -> Result<HashMap<i32, Shortfall>, AppError> {
    use crate::db::schema::round_judges;
    if entry_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let f = RoundFacts::read(conn, round_id, Some(entry_ids))?;
    let load: HashMap<i32, u32> = round_judges::table
        .filter(round_judges::round_id.eq(round_id))
        .select((round_judges::judge_id, round_judges::assigned))
        .load::<(i32, i32)>(conn)?
        .into_iter()
        .map(|(j, n)| (j, n.max(0) as u32))
        .collect();
    let has = f.places_filled();
    let k = f.round.judges_per_entry.max(0) as u32;
    Ok(f.entries
        .iter()
        .filter_map(|e| {
            let n = has.get(&e.0).copied().unwrap_or(0);
            (n < k).then(|| (e.0, f.shortfall(*e, n, &f.live, &load)))
        })
        .collect())
}

/// Assigns judges automatically: every entry gets up to the round's number of judges from those
/// without a conflict (and with the expertise, when the round asks), no judge goes over the round's
/// limit, load is spread, and existing assignments (by hand or earlier runs, started or not) are
/// kept. Entries that cannot be filled are returned with the reason.
pub fn auto_assign(
    conn: &mut DbConn,
    actor: &Actor,
    round_id: i32,
) -> Result<AutoResult, AppError> {
    db::transaction(conn, |conn| {
        unfrozen_round(conn, round_id)?;
        let f = RoundFacts::read(conn, round_id, None)?;
        let k = f.round.judges_per_entry.max(0) as u32;
        let limit = f.limit();
        let mut load: HashMap<i32, u32> = HashMap::new();
        for (_, j) in &f.live {
            *load.entry(*j).or_default() += 1;
        }
        let has = f.places_filled();
        let problem = Problem {
            need: f
                .entries
                .iter()
                .map(|e| k.saturating_sub(has.get(&e.0).copied().unwrap_or(0)))
                .collect(),
            capacity: f
                .judges
                .iter()
                .map(|j| limit.saturating_sub(load.get(&j.0).copied().unwrap_or(0)))
                .collect(),
            load: f
                .judges
                .iter()
                .map(|j| load.get(&j.0).copied().unwrap_or(0))
                .collect(),
            eligible: f
                .entries
                .iter()
                .map(|e| {
                    f.judges
                        .iter()
                        .enumerate()
                        // An organiser's withdrawal stands: only a hand assignment brings it back.
                        .filter(|(_, j)| {
                            !f.live.contains(&(e.0, j.0))
                                && !f.withdrawn_by_hand.contains(&(e.0, j.0))
                                && f.barrier(*e, **j).is_none()
                        })
                        .map(|(i, _)| i as u32)
                        .collect()
                })
                .collect(),
        };
        let pairs: Vec<(i32, i32)> = assignment::solve(&problem)
            .into_iter()
            .map(|(e, j)| (f.entries[e as usize].0, f.judges[j as usize].0))
            .collect();
        insert_assignments(
            conn,
            actor,
            round_id,
            &pairs,
            &f.withdrawn,
            AssignmentSource::Auto,
        )?;

        let mut got: HashMap<i32, u32> = has.clone();
        let mut new_load = load.clone();
        for (e, j) in &pairs {
            *got.entry(*e).or_default() += 1;
            *new_load.entry(*j).or_default() += 1;
        }
        let assigned: HashSet<(i32, i32)> = f
            .live
            .iter()
            .copied()
            .chain(pairs.iter().copied())
            .collect();
        let shortfalls: Vec<Shortfall> = f
            .entries
            .iter()
            .filter_map(|e| {
                let n = got.get(&e.0).copied().unwrap_or(0);
                (n < k).then(|| f.shortfall(*e, n, &assigned, &new_load))
            })
            .collect();
        audit::record(
            conn,
            actor,
            "assignment.auto",
            ("round", Some(round_id)),
            json!({"added": pairs.len(), "short": shortfalls.len()}),
        )?;
        Ok(AutoResult {
            added: pairs.len(),
            shortfalls,
        })
    })
}

/// Inserts assignments (or brings back withdrawn ones for the same pair) in batches.
fn insert_assignments(
    conn: &mut DbConn,
    actor: &Actor,
    round_id: i32,
    pairs: &[(i32, i32)],
    withdrawn: &HashSet<(i32, i32)>,
    source: AssignmentSource,
) -> Result<(), AppError> {
    let now = db::now();
    let revive = pairs.iter().filter(|p| withdrawn.contains(p));
    let fresh: Vec<&(i32, i32)> = pairs.iter().filter(|p| !withdrawn.contains(p)).collect();
    for (e, j) in revive {
        diesel::update(
            assignments::table
                .filter(assignments::round_id.eq(round_id))
                .filter(assignments::entry_id.eq(e))
                .filter(assignments::judge_id.eq(j)),
        )
        .set((
            assignments::withdrawn_at.eq(None::<NaiveDateTime>),
            assignments::withdrawn_reason.eq(""),
            assignments::source.eq(source.code()),
            assignments::created_by.eq(actor.user_id),
            assignments::notified_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    }
    for chunk in fresh.chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(e, j)| {
                (
                    assignments::round_id.eq(round_id),
                    assignments::entry_id.eq(*e),
                    assignments::judge_id.eq(*j),
                    assignments::source.eq(source.code()),
                    assignments::created_by.eq(actor.user_id),
                    assignments::created_at.eq(now),
                )
            })
            .collect();
        // A multi-row INSERT is not available through the multi-backend connection; each engine
        // takes it directly.
        let insert = diesel::insert_into(assignments::table).values(rows);
        match conn {
            DbConn::Sqlite(c) => insert.execute(c)?,
            DbConn::Postgresql(c) => insert.execute(c)?,
        };
    }
    Ok(())
}

/// The round's judges who could be added to `entry_id` by hand (active, not on it yet, no
/// conflict), by name: for adding a judge to an entry whose judges disagree.
pub fn addable_judges(
    conn: &mut DbConn,
    round_id: i32,
    entry_id: i32,
) -> Result<Vec<(i32, String)>, AppError> {
    let f = RoundFacts::read(conn, round_id, Some(&[entry_id]))?;
    let Some(entry) = f.entries.first().copied() else {
        return Ok(Vec::new());
    };
    let ids: Vec<i32> = f
        .judges
        .iter()
        .filter(|j| !f.live.contains(&(entry.0, j.0)))
        .filter(|j| !matches!(f.barrier(entry, **j), Some(Barrier::Conflict)))
        .map(|j| j.0)
        .collect();
    Ok(users::table
        .filter(users::id.eq_any(&ids))
        .order((users::name, users::id))
        .select((users::id, users::name))
        .load(conn)?)
}

/// Assigns one judge to entries of the round by hand (entries they already have are skipped). A
/// conflict, an entry outside the round or a judge not on it is refused and nothing is assigned.
pub fn assign(
    conn: &mut DbConn,
    actor: &Actor,
    round_id: i32,
    judge_id: i32,
    entry_ids: &[i32],
) -> Result<usize, AppError> {
    db::transaction(conn, |conn| {
        unfrozen_round(conn, round_id)?;
        // Only the named entries matter to a hand assignment.
        let f = RoundFacts::read(conn, round_id, Some(entry_ids))?;
        let judge = *f
            .judges
            .iter()
            .find(|j| j.0 == judge_id)
            .ok_or_else(|| invalid("judge", "judging.choose_judges"))?;
        if entry_ids.is_empty() {
            return Err(invalid("entries", "judging.choose_entries"));
        }
        let mut pairs = Vec::new();
        for id in entry_ids {
            let e = *f
                .entries
                .iter()
                .find(|e| e.0 == *id)
                .ok_or_else(|| invalid("entries", "judging.choose_entries"))?;
            if matches!(f.barrier(e, judge), Some(Barrier::Conflict)) {
                return Err(invalid("judge", "judging.conflicted"));
            }
            // An entry named twice is assigned once.
            if !f.live.contains(&(e.0, judge_id)) && !pairs.contains(&(e.0, judge_id)) {
                pairs.push((e.0, judge_id));
            }
        }
        if pairs.is_empty() {
            return Ok(0);
        }
        insert_assignments(
            conn,
            actor,
            round_id,
            &pairs,
            &f.withdrawn,
            AssignmentSource::Manual,
        )?;
        audit::record(
            conn,
            actor,
            "assignment.manual",
            ("round", Some(round_id)),
            json!({"judge": judge_id, "entries": pairs.iter().map(|p| p.0).collect::<Vec<_>>()}),
        )?;
        Ok(pairs.len())
    })
}

/// Withdraws an assignment by hand; one whose sheet was started needs a reason.
pub fn unassign(
    conn: &mut DbConn,
    actor: &Actor,
    assignment_id: i32,
    reason: &str,
) -> Result<i32, AppError> {
    db::transaction(conn, |conn| {
        let a = model::find_assignment(conn, assignment_id)?
            .filter(|a| a.withdrawn_at.is_none())
            .ok_or(AppError::NotFound)?;
        unfrozen_round(conn, a.round_id)?;
        let reason =
            crate::domain::text::single_line(reason, 500).map_err(|k| invalid("reason", k))?;
        let started: i64 = sheets::table
            .filter(sheets::assignment_id.eq(a.id))
            .count()
            .get_result(conn)?;
        if started > 0 && reason.is_empty() {
            return Err(invalid("reason", "judging.reason_started"));
        }
        diesel::update(assignments::table.find(a.id))
            .set((
                assignments::withdrawn_at.eq(db::now()),
                assignments::withdrawn_reason.eq(if reason.is_empty() {
                    "removed"
                } else {
                    &reason
                }),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            actor,
            "assignment.remove",
            ("assignment", Some(a.id)),
            json!({"judge": a.judge_id, "entry": a.entry_id, "reason": reason}),
        )?;
        Ok(a.round_id)
    })
}

/// Withdraws several assignments of one round in one transaction (the board's ticked judges), with
/// one reason for all; returns how many were withdrawn. An assignment of another round, or one already
/// withdrawn, refuses the whole form (the page was stale or forged).
pub fn unassign_many(
    conn: &mut DbConn,
    actor: &Actor,
    round_id: i32,
    assignment_ids: &[i32],
    reason: &str,
) -> Result<usize, AppError> {
    if assignment_ids.is_empty() {
        return Err(invalid("assignment", "judging.withdraw_none"));
    }
    let mut ids = assignment_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    db::transaction(conn, |conn| {
        for id in &ids {
            // Another round's assignment refuses the form; the transaction undoes what came before.
            if unassign(conn, actor, *id, reason)? != round_id {
                return Err(AppError::NotFound);
            }
        }
        Ok(ids.len())
    })
}

/// Sends each judge of the round one mail listing their assignments not yet announced, and marks
/// them announced; returns how many judges were written to.
pub fn notify_judges(
    conn: &mut DbConn,
    state: &AppState,
    actor: &Actor,
    round_id: i32,
) -> Result<usize, AppError> {
    db::transaction(conn, |conn| {
        // A second click waits for the first to commit, then finds nothing left to announce.
        db::hold(conn, db::Row::Round(round_id), db::Hold::Exclusive)?;
        let r = round::find(conn, round_id)?.ok_or(AppError::NotFound)?;
        let ed = crate::models::edition::find(conn, r.edition_id)?.ok_or(AppError::NotFound)?;
        let fresh: Vec<(i32, i32, String, String, String)> = assignments::table
            .inner_join(entries::table.inner_join(crate::db::schema::units::table))
            .inner_join(users::table.on(users::id.eq(assignments::judge_id)))
            .filter(assignments::round_id.eq(round_id))
            .filter(assignments::withdrawn_at.is_null())
            .filter(assignments::notified_at.is_null())
            .filter(users::active.eq(true))
            .order((users::id, entries::name))
            .select((
                assignments::id,
                assignments::judge_id,
                entries::name,
                crate::db::schema::units::name,
                users::email,
            ))
            .load(conn)?;
        // (assignment, entry name, unit name) per judge, in judge order.
        type Line = (i32, String, String);
        let mut by_judge: Vec<(i32, Vec<Line>)> = Vec::new();
        for (aid, judge, name, unit, _) in fresh {
            match by_judge.last_mut() {
                Some((j, list)) if *j == judge => list.push((aid, name, unit)),
                _ => by_judge.push((judge, vec![(aid, name, unit)])),
            }
        }
        let now = db::now();
        for (judge, list) in &by_judge {
            let u = crate::models::user::find(conn, *judge)?.ok_or(AppError::NotFound)?;
            mail_user(conn, state, "assignment_digest", &u, |lang, ctx| {
                ctx.insert("round", lang.pick(&r.name_id, &r.name_en));
                ctx.insert("edition", &ed.name);
                ctx.insert(
                    "entries",
                    &list
                        .iter()
                        .map(|(_, n, u)| json!({"name": n, "unit": u}))
                        .collect::<Vec<_>>(),
                );
                ctx.insert("count", &list.len());
                ctx.insert("opens", &crate::time::format_time(r.opens_at, lang));
                ctx.insert("closes", &crate::time::format_time(r.closes_at, lang));
                ctx.insert("link", &format!("{}/judge", state.settings.base_url));
            })?;
            let ids: Vec<i32> = list.iter().map(|l| l.0).collect();
            diesel::update(
                assignments::table
                    .filter(assignments::id.eq_any(&ids))
                    .filter(assignments::notified_at.is_null()),
            )
            .set(assignments::notified_at.eq(now))
            .execute(conn)?;
        }
        audit::record(
            conn,
            actor,
            "assignment.notify",
            ("round", Some(round_id)),
            json!({"judges": by_judge.len()}),
        )?;
        Ok(by_judge.len())
    })
}
