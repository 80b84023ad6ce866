//! Freezing, signing off and publishing a round's results: one transition function per step, each
//! checking the stage it starts from, writing, and auditing in one transaction. Freezing keeps the
//! ranking in `round_results`, so what is reviewed, signed off and published is the same list.

use std::collections::HashMap;

use super::*;
use crate::db::schema::{round_result_criteria, round_results, rounds};
use crate::domain::results::{EntryResult, Stage};
use crate::domain::text::required_line;
use crate::error::invalid;
use crate::state::AppState;

/// Where a round's results stand.
pub fn stage(r: &Round) -> Stage {
    Stage::of(
        r.frozen_at.is_some(),
        r.signed_off_at.is_some(),
        r.published_at.is_some(),
    )
}

/// Loads a round for a transition that must start from `from` (else a clear message).
pub(super) fn at_stage(
    conn: &mut DbConn,
    round_id: i32,
    from: &[Stage],
) -> Result<Round, AppError> {
    // Sheet saves and objections hold the round shared: they finish before the stage moves, and
    // see the new stage after.
    db::hold(conn, db::Row::Round(round_id), db::Hold::Exclusive)?;
    let r = round::find(conn, round_id)?.ok_or(AppError::NotFound)?;
    if from.contains(&stage(&r)) {
        Ok(r)
    } else {
        Err(invalid(
            "stage",
            &format!("results.not_{}", stage(&r).code()),
        ))
    }
}

fn bp(x: Option<f64>) -> Option<i32> {
    x.map(crate::domain::results::hundredths)
}

/// One kept row, every column given (a multi-row insert needs them all).
#[derive(Insertable)]
#[diesel(table_name = round_results)]
struct KeptInsert {
    round_id: i32,
    entry_id: i32,
    position: Option<i32>,
    listed: i32,
    sheets: i32,
    mean_bp: Option<i32>,
    median_bp: Option<i32>,
    normalised_bp: Option<i32>,
    rank_mean: Option<i32>,
    rank_median: Option<i32>,
    rank_normalised: Option<i32>,
    sd_bp: i32,
    range_bp: i32,
    flagged: bool,
    tie: String,
}

fn snapshot_row(round_id: i32, listed: usize, e: &EntryResult) -> KeptInsert {
    let rank = |p: Option<usize>| p.map(|p| p as i32);
    KeptInsert {
        round_id,
        entry_id: e.entry,
        position: rank(e.rank),
        listed: listed as i32,
        sheets: e.sheets as i32,
        mean_bp: bp(e.mean),
        median_bp: bp(e.median),
        normalised_bp: bp(e.normalised),
        rank_mean: rank(e.rank_mean),
        rank_median: rank(e.rank_median),
        rank_normalised: rank(e.rank_normalised),
        sd_bp: bp(Some(e.sd)).unwrap_or(0),
        range_bp: bp(Some(e.range)).unwrap_or(0),
        flagged: e.flagged,
        tie: e
            .tie
            .as_ref()
            .map(|t| serde_json::to_string(t).unwrap_or_default())
            .unwrap_or_default(),
    }
}

#[derive(Insertable)]
#[diesel(table_name = round_result_criteria)]
struct CriterionMean {
    round_id: i32,
    entry_id: i32,
    code: String,
    mean_bp: i32,
    percentile: i32,
}

/// Keeps every entry's mean per counted criterion, for the feedback reports.
fn keep_criterion_means(conn: &mut DbConn, r: &Round) -> Result<(), AppError> {
    let criteria = crate::models::rubric::criteria(conn, r.rubric_id)?;
    let scale = crate::models::rubric::find(conn, r.rubric_id)?.map_or(5, |x| x.scale_max);
    let codes: Vec<String> = criteria
        .iter()
        .filter(|c| c.counted)
        .map(|c| c.code.clone())
        .collect();
    let means = criterion_means(conn, r, &codes)?;
    let mut rows: Vec<CriterionMean> = means
        .into_iter()
        .flat_map(|(entry, v)| {
            let codes = &codes;
            v.into_iter().enumerate().filter_map(move |(i, m)| {
                Some(CriterionMean {
                    round_id: r.id,
                    entry_id: entry,
                    code: codes[i].clone(),
                    mean_bp: bp(Some(m? * f64::from(scale)))?,
                    percentile: 0,
                })
            })
        })
        .collect();
    // Each entry's percentile among the round's entries on the criterion, kept with its mean.
    let mut by_code: HashMap<String, Vec<i32>> = HashMap::new();
    for row in &rows {
        by_code
            .entry(row.code.clone())
            .or_default()
            .push(row.mean_bp);
    }
    for means in by_code.values_mut() {
        means.sort_unstable();
    }
    for row in &mut rows {
        let means = &by_code[&row.code];
        let below = means.partition_point(|m| *m < row.mean_bp);
        let equal = means.partition_point(|m| *m <= row.mean_bp) - below;
        row.percentile =
            crate::domain::feedback::percentile_of(below as i64, equal as i64, means.len() as i64)
                .round() as i32;
    }
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(500));
        // A multi-row INSERT is not available through the multi-backend connection.
        let insert = diesel::insert_into(round_result_criteria::table).values(rows);
        match conn {
            DbConn::Sqlite(c) => insert.execute(c)?,
            DbConn::Postgresql(c) => insert.execute(c)?,
        };
        rows = rest;
    }
    Ok(())
}

/// Freezes a round's results: no more sheet edits, and the ranking as it stands is kept.
pub fn freeze(conn: &mut DbConn, actor: &Actor, round_id: i32) -> Result<(), AppError> {
    db::transaction(conn, |conn| {
        let r = at_stage(conn, round_id, &[Stage::Open])?;
        let c = compute(conn, &r)?;
        // The computed order is the list's: ranked entries first, then the unscored.
        let mut listed: Vec<KeptInsert> = c
            .results
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| snapshot_row(round_id, i + 1, e))
            .collect();
        while !listed.is_empty() {
            let rest = listed.split_off(listed.len().min(500));
            let rows = std::mem::replace(&mut listed, rest);
            // A multi-row INSERT is not available through the multi-backend connection.
            let insert = diesel::insert_into(round_results::table).values(rows);
            match conn {
                DbConn::Sqlite(c) => insert.execute(c)?,
                DbConn::Postgresql(c) => insert.execute(c)?,
            };
        }
        keep_criterion_means(conn, &r)?;
        let now = db::now();
        diesel::update(rounds::table.find(round_id))
            .set((
                rounds::frozen_at.eq(Some(now)),
                rounds::frozen_by.eq(actor.user_id),
                rounds::updated_at.eq(now),
            ))
            .execute(conn)?;
        let sheets: usize = c.results.entries.iter().map(|e| e.sheets).sum();
        audit::record(
            conn,
            actor,
            "results.freeze",
            ("round", Some(round_id)),
            json!({"entries": c.results.entries.len(), "sheets": sheets,
                   "flagged": c.results.flagged, "ranking": r.ranking,
                   "normalisation": r.normalisation}),
        )?;
        Ok(())
    })
}

/// Unfreezes (before publication): sheets may change again, the kept ranking and any sign-off go,
/// and assignments that a conflict found while frozen forbids are withdrawn; returns how many.
pub fn unfreeze(
    conn: &mut DbConn,
    actor: &Actor,
    round_id: i32,
    reason: &str,
) -> Result<usize, AppError> {
    db::transaction(conn, |conn| {
        at_stage(conn, round_id, &[Stage::Frozen, Stage::SignedOff])?;
        // The next round already holds the entries this ranking promoted.
        if live_promotion(conn, round_id)?.is_some() {
            return Err(invalid("reason", "results.unfreeze_promoted"));
        }
        let reason = required_line(reason, 500).map_err(|k| invalid("reason", k))?;
        diesel::delete(round_results::table.filter(round_results::round_id.eq(round_id)))
            .execute(conn)?;
        diesel::delete(
            round_result_criteria::table.filter(round_result_criteria::round_id.eq(round_id)),
        )
        .execute(conn)?;
        diesel::update(rounds::table.find(round_id))
            .set((
                rounds::frozen_at.eq(None::<chrono::NaiveDateTime>),
                rounds::frozen_by.eq(None::<i32>),
                rounds::signed_off_at.eq(None::<chrono::NaiveDateTime>),
                rounds::signed_off_by.eq(None::<i32>),
                rounds::sign_off_note.eq(""),
                rounds::updated_at.eq(db::now()),
            ))
            .execute(conn)?;
        // Conflicts found while the round was frozen kept its assignments; open again, it loses them.
        let swept = crate::services::judging::sweep_conflicts(
            conn,
            actor,
            crate::services::judging::SweepScope::Round(round_id),
        )?;
        audit::record(
            conn,
            actor,
            "results.unfreeze",
            ("round", Some(round_id)),
            json!({ "reason": reason, "withdrawn": swept.withdrawn }),
        )?;
        Ok(swept.withdrawn)
    })
}

/// Records the sign-off of a frozen ranking: who, when, and a note.
pub fn sign_off(
    conn: &mut DbConn,
    actor: &Actor,
    round_id: i32,
    confirmed: bool,
    note: &str,
) -> Result<(), AppError> {
    db::transaction(conn, |conn| {
        at_stage(conn, round_id, &[Stage::Frozen])?;
        if !confirmed {
            return Err(invalid("confirm", "results.confirm_required"));
        }
        let note = crate::domain::text::paragraph(note, 2000).map_err(|k| invalid("note", k))?;
        let now = db::now();
        diesel::update(rounds::table.find(round_id))
            .set((
                rounds::signed_off_at.eq(Some(now)),
                rounds::signed_off_by.eq(actor.user_id),
                rounds::sign_off_note.eq(&note),
                rounds::updated_at.eq(now),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            actor,
            "results.sign_off",
            ("round", Some(round_id)),
            json!({ "note": note }),
        )?;
        Ok(())
    })
}

/// Live promotions that stand in the way of the publication order: into `r` from a round not
/// published (`into`: publishing `r` would announce who went through), or out of `r` into a
/// published round (withdrawing `r` would leave that announced).
fn other_rounds(conn: &mut DbConn, r: &Round, into: bool) -> Result<i64, AppError> {
    use crate::db::schema::promotions;
    let (source, next) = diesel::alias!(rounds as source, rounds as next);
    let live = promotions::table
        .inner_join(source.on(source.field(rounds::id).eq(promotions::round_id)))
        .inner_join(next.on(next.field(rounds::id).eq(promotions::next_round_id)))
        .filter(promotions::undone_at.is_null());
    let n = if into {
        live.filter(promotions::next_round_id.eq(r.id))
            .filter(source.field(rounds::published_at).is_null())
            .count()
            .get_result(conn)?
    } else {
        live.filter(promotions::round_id.eq(r.id))
            .filter(next.field(rounds::published_at).is_not_null())
            .count()
            .get_result(conn)?
    };
    Ok(n)
}

/// Publishes a signed-off round: from now on units and the public may see its results, and every
/// unit with an entry in it is mailed its outcome (in the same transaction).
pub fn publish(
    conn: &mut DbConn,
    state: &AppState,
    actor: &Actor,
    round_id: i32,
) -> Result<(), AppError> {
    db::transaction(conn, |conn| {
        let r = at_stage(conn, round_id, &[Stage::SignedOff])?;
        // A round promoted into is published after the round it was promoted from: its list of
        // entries says who went through, so it would announce that round's outcome.
        db::hold(conn, db::Row::Edition(r.edition_id), db::Hold::Exclusive)?;
        if other_rounds(conn, &r, true)? > 0 {
            return Err(invalid("stage", "results.earlier_unpublished"));
        }
        let now = db::now();
        diesel::update(rounds::table.find(round_id))
            .set((
                rounds::published_at.eq(Some(now)),
                rounds::published_by.eq(actor.user_id),
                rounds::updated_at.eq(now),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            actor,
            "results.publish",
            ("round", Some(round_id)),
            json!({}),
        )?;
        announce(conn, state, &r, false)?;
        Ok(())
    })
}

/// Withdraws a publication, with a reason; the results stay signed off. The results mail that
/// has not gone out is withdrawn with it, and each reader who may have read its outcome is mailed
/// that it no longer stands (the reason stays with the organisers, in the audit log).
pub fn unpublish(
    conn: &mut DbConn,
    state: &AppState,
    actor: &Actor,
    round_id: i32,
    reason: &str,
) -> Result<(), AppError> {
    db::transaction(conn, |conn| {
        let r = at_stage(conn, round_id, &[Stage::Published])?;
        let reason = required_line(reason, 500).map_err(|k| invalid("reason", k))?;
        // Held against the shortlist's changes and other rounds' publication (see `publish`).
        db::hold(conn, db::Row::Edition(r.edition_id), db::Hold::Exclusive)?;
        if other_rounds(conn, &r, false)? > 0 {
            return Err(invalid("reason", "results.later_published"));
        }
        // The national shortlist is drawn from the published standing, and units read and are
        // mailed that they are on it: it would outlive the results it came from.
        let shortlisted: i64 = crate::db::schema::shortlist::table
            .filter(crate::db::schema::shortlist::edition_id.eq(r.edition_id))
            .count()
            .get_result(conn)?;
        if shortlisted > 0 {
            return Err(invalid("reason", "results.unpublish_shortlisted"));
        }
        // Its results mail and any objection-window notice that has not gone out are no longer true.
        let (withdrawn, readers_told) = take_back_announcement(conn, state, &r)?;
        // Objections answered this publication; the next one may differ, and units may object anew.
        let superseded = diesel::update(
            crate::db::schema::objections::table
                .filter(crate::db::schema::objections::round_id.eq(round_id))
                .filter(crate::db::schema::objections::superseded_at.is_null()),
        )
        .set(crate::db::schema::objections::superseded_at.eq(Some(db::now())))
        .execute(conn)?;
        diesel::update(rounds::table.find(round_id))
            .set((
                rounds::published_at.eq(None::<chrono::NaiveDateTime>),
                rounds::published_by.eq(None::<i32>),
                // A new publication starts without a window and is not final until declared so.
                rounds::objections_until.eq(None::<chrono::NaiveDateTime>),
                rounds::final_at.eq(None::<chrono::NaiveDateTime>),
                rounds::updated_at.eq(db::now()),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            actor,
            "results.unpublish",
            ("round", Some(round_id)),
            json!({ "reason": reason, "mail_withdrawn": withdrawn, "readers_told": readers_told,
                    "objections_superseded": superseded }),
        )?;
        Ok(())
    })
}
