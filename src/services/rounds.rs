//! Rounds of an edition: created and edited by organisers, in order, each with its kind, rubric,
//! window and judging rules. The first round takes the entries that passed the administrative check;
//! an organiser can add entries to any round by hand (promotion between rounds comes with results).

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Actor};
use crate::db::schema::{entries, rounds};
use crate::db::{self, DbConn};
use crate::domain::EntryStatus;
use crate::domain::judging::{EntrySource, RoundKind};
use crate::domain::text;
use crate::error::{AppError, FieldErrors};
use crate::models::round::{self as model, Round, RoundSettings};
use crate::models::{edition, rubric};
use crate::services::editions::{instant, number};
use crate::time::to_jakarta_local;

/// The most judges a round may ask for on one entry (`rounds.judges_per_entry_range` states it).
pub const MAX_JUDGES_PER_ENTRY: i32 = 50;

/// The round form as typed.
#[derive(Deserialize, Serialize, Default, Clone, Debug)]
#[serde(default)]
pub struct RoundInput {
    /// Indonesian name.
    pub name_id: String,
    /// English name.
    pub name_en: String,
    /// Kind code.
    pub kind: String,
    /// Rubric id.
    pub rubric_id: String,
    /// Opens (WIB, `datetime-local`).
    pub opens_at: String,
    /// Closes (WIB).
    pub closes_at: String,
    /// Judges per entry.
    pub judges_per_entry: String,
    /// Cap per judge; empty or 0 for none.
    pub max_per_judge: String,
    /// `1` when ticked.
    pub match_expertise: Option<String>,
}

impl RoundInput {
    /// The form for an existing round.
    pub fn from_round(r: &Round) -> RoundInput {
        RoundInput {
            name_id: r.name_id.clone(),
            name_en: r.name_en.clone(),
            kind: r.kind.clone(),
            rubric_id: r.rubric_id.to_string(),
            opens_at: to_jakarta_local(r.opens_at),
            closes_at: to_jakarta_local(r.closes_at),
            judges_per_entry: r.judges_per_entry.to_string(),
            max_per_judge: if r.max_per_judge > 0 {
                r.max_per_judge.to_string()
            } else {
                String::new()
            },
            match_expertise: r.match_expertise.then(|| "1".into()),
        }
    }

    /// A sensible start for the next round of an edition.
    pub fn suggested(position: usize) -> RoundInput {
        let kind = match position {
            1 => RoundKind::Desk,
            2 => RoundKind::Presentation,
            _ => RoundKind::Field,
        };
        RoundInput {
            kind: kind.code().into(),
            judges_per_entry: if position == 1 { "3" } else { "5" }.into(),
            ..RoundInput::default()
        }
    }
}

/// Checks the form against the edition's rubrics; every problem at once.
pub fn validate(input: &RoundInput, rubric_ids: &[i32]) -> Result<RoundSettings, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name_id = text::required_line(&input.name_id, 200).unwrap_or_else(|k| {
        errors.insert("name_id".into(), k.into());
        String::new()
    });
    let name_en = text::single_line(&input.name_en, 200).unwrap_or_else(|k| {
        errors.insert("name_en".into(), k.into());
        String::new()
    });
    let kind = RoundKind::parse(&input.kind).unwrap_or_else(|| {
        errors.insert("kind".into(), "form.choose".into());
        RoundKind::Desk
    });
    let rubric_id = match input.rubric_id.trim().parse::<i32>() {
        Ok(id) if rubric_ids.contains(&id) => id,
        _ => {
            errors.insert("rubric_id".into(), "form.choose".into());
            0
        }
    };
    let opens_at = instant(&mut errors, "opens_at", &input.opens_at, true);
    let closes_at = instant(&mut errors, "closes_at", &input.closes_at, true);
    if let (Some(o), Some(c)) = (opens_at, closes_at)
        && c <= o
    {
        errors.insert("closes_at".into(), "rounds.closes_before_opens".into());
    }
    let judges_per_entry = number(
        &mut errors,
        ("judges_per_entry", "rounds.judges_per_entry_range"),
        &input.judges_per_entry,
        1,
        MAX_JUDGES_PER_ENTRY,
    );
    let max_per_judge = if input.max_per_judge.trim().is_empty() {
        0
    } else {
        number(
            &mut errors,
            ("max_per_judge", "rounds.max_per_judge_range"),
            &input.max_per_judge,
            0,
            100_000,
        )
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let now = db::now();
    Ok(RoundSettings {
        kind: kind.code().into(),
        name_id,
        name_en,
        rubric_id,
        opens_at: opens_at.unwrap_or(now),
        closes_at: closes_at.unwrap_or(now),
        judges_per_entry,
        max_per_judge,
        match_expertise: input.match_expertise.is_some(),
        updated_at: now,
    })
}

fn rubric_ids(conn: &mut DbConn, edition_id: i32) -> Result<Vec<i32>, AppError> {
    Ok(rubric::current_for_edition(conn, edition_id)?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

/// The rubrics a round may be set to: the edition's current ones, and the round's own version
/// when a newer one has replaced it since the round was frozen (its results were scored on it).
pub fn rubric_choices(conn: &mut DbConn, r: &Round) -> Result<Vec<rubric::Rubric>, AppError> {
    let mut choices = rubric::current_for_edition(conn, r.edition_id)?;
    if !choices.iter().any(|c| c.id == r.rubric_id)
        && let Some(own) = rubric::find(conn, r.rubric_id)?
    {
        choices.insert(0, own);
    }
    Ok(choices)
}

/// The edition's entries that passed the administrative check.
fn passed_entries(conn: &mut DbConn, edition_id: i32) -> Result<Vec<i32>, AppError> {
    Ok(entries::table
        .filter(entries::edition_id.eq(edition_id))
        .filter(entries::status.eq(EntryStatus::Passed.code()))
        .order(entries::id)
        .select(entries::id)
        .load(conn)?)
}

/// An entry that has just passed the administrative check joins the edition's first round, as
/// those that passed before the round was made did; a frozen first round takes no more. Returns
/// whether it joined.
pub fn take_passed(
    conn: &mut DbConn,
    actor: &Actor,
    edition_id: i32,
    entry_id: i32,
) -> Result<bool, AppError> {
    let first = match model::for_edition(conn, edition_id)?.into_iter().next() {
        Some(r) => r,
        None => {
            // A first round being made right now holds the edition until it commits, and takes
            // the entries that passed before it read them: wait for it and look again. Only
            // here, with no round to hold yet: publishing holds a round and then the edition,
            // so taking the edition first where a round exists could deadlock with it.
            db::hold(conn, db::Row::Edition(edition_id), db::Hold::Shared)?;
            match model::for_edition(conn, edition_id)?.into_iter().next() {
                Some(r) => r,
                None => return Ok(false),
            }
        }
    };
    db::hold(conn, db::Row::Round(first.id), db::Hold::Exclusive)?;
    let r = model::find(conn, first.id)?.ok_or(AppError::NotFound)?;
    if r.frozen_at.is_some() {
        return Ok(false);
    }
    let source = EntrySource::Screening.code();
    let added = model::add_entries(conn, r.id, &[entry_id], source, actor.user_id, db::now())?;
    Ok(added > 0)
}

/// Creates the edition's next round; the first one takes every entry that passed screening.
pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    edition_id: i32,
    input: &RoundInput,
) -> Result<i32, AppError> {
    db::transaction(conn, |conn| {
        // Against an entry passing meanwhile (`take_passed` waits for this round when it finds
        // none): it either finds this round or is among the entries it takes. And two rounds made
        // at once get different positions.
        db::hold(conn, db::Row::Edition(edition_id), db::Hold::Exclusive)?;
        edition::find(conn, edition_id)?.ok_or(AppError::NotFound)?;
        let s = validate(input, &rubric_ids(conn, edition_id)?).map_err(AppError::Invalid)?;
        let position = model::for_edition(conn, edition_id)?.len() as i32 + 1;
        let now = db::now();
        let id: i32 = diesel::insert_into(rounds::table)
            .values((
                &s,
                rounds::edition_id.eq(edition_id),
                rounds::position.eq(position),
                rounds::created_at.eq(now),
            ))
            .returning(rounds::id)
            .get_result(conn)?;
        let taken = if position == 1 {
            let passed = passed_entries(conn, edition_id)?;
            model::add_entries(
                conn,
                id,
                &passed,
                EntrySource::Screening.code(),
                actor.user_id,
                now,
            )?
        } else {
            0
        };
        audit::record(
            conn,
            actor,
            "round.create",
            ("round", Some(id)),
            json!({"name": s.name_id, "kind": s.kind, "position": position, "entries": taken}),
        )?;
        Ok(id)
    })
}

/// Saves a round's settings.
pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    id: i32,
    input: &RoundInput,
) -> Result<(), AppError> {
    db::transaction(conn, |conn| {
        db::hold(conn, db::Row::Round(id), db::Hold::Exclusive)?;
        let r = model::find(conn, id)?.ok_or(AppError::NotFound)?;
        let choices: Vec<i32> = rubric_choices(conn, &r)?.iter().map(|c| c.id).collect();
        let s = validate(input, &choices).map_err(AppError::Invalid)?;
        // A frozen round's kept ranking and its units' feedback read the round's rubric.
        if r.frozen_at.is_some() && s.rubric_id != r.rubric_id {
            return Err(crate::error::invalid("rubric_id", "rounds.frozen_rubric"));
        }
        // Sheets begun on another rubric would be ranked beside sheets on the new one, their
        // totals measured on different criteria. (A new version of the same rubric moves drafts
        // on by itself; see `services::rubrics`.)
        if s.rubric_id != r.rubric_id {
            use crate::db::schema::sheets;
            let begun: i64 = sheets::table
                .filter(sheets::round_id.eq(id))
                .filter(sheets::rubric_id.ne(s.rubric_id))
                .count()
                .get_result(conn)?;
            if begun > 0 {
                return Err(crate::error::invalid("rubric_id", "rounds.begun_rubric"));
            }
        }
        diesel::update(rounds::table.find(id))
            .set(&s)
            .execute(conn)?;
        audit::record(
            conn,
            actor,
            "round.update",
            ("round", Some(id)),
            json!({"name": s.name_id, "opens_at": s.opens_at, "closes_at": s.closes_at,
                   "judges_per_entry": s.judges_per_entry, "max_per_judge": s.max_per_judge}),
        )?;
        Ok(())
    })
}

/// Adds entries by hand (or, for the first round, every entry that passed since it was made);
/// entries that did not pass screening, or are of another edition, are refused and nothing is added.
pub fn add_entries(
    conn: &mut DbConn,
    actor: &Actor,
    round_id: i32,
    ids: &[i32],
) -> Result<usize, AppError> {
    db::transaction(conn, |conn| {
        db::hold(conn, db::Row::Round(round_id), db::Hold::Exclusive)?;
        let r = model::find(conn, round_id)?.ok_or(AppError::NotFound)?;
        if r.frozen_at.is_some() {
            return Err(crate::error::invalid("entries", "rounds.frozen_entries"));
        }
        let passed: std::collections::HashSet<i32> =
            passed_entries(conn, r.edition_id)?.into_iter().collect();
        if ids.is_empty() || ids.iter().any(|id| !passed.contains(id)) {
            return Err(crate::error::invalid("entries", "rounds.entry_not_passed"));
        }
        let added = model::add_entries(
            conn,
            round_id,
            ids,
            EntrySource::Manual.code(),
            actor.user_id,
            db::now(),
        )?;
        audit::record(
            conn,
            actor,
            "round.add_entries",
            ("round", Some(round_id)),
            json!({"entries": ids, "added": added}),
        )?;
        Ok(added)
    })
}
