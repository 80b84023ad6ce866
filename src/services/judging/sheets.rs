//! Score sheets: a judge scores an assigned entry against the round's rubric, saving as they type,
//! and submits; they may edit until the window closes, after which only an organiser can reopen the
//! sheet (with a reason; the judge is emailed). An organiser may type in a paper sheet for a judge.
//! Every save is kept as a version: who, when, what.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use super::*;
use crate::db::schema::{sheet_scores, sheet_versions, sheets};
use crate::domain::rubric::total_bp;
use crate::error::FieldErrors;
use crate::models::rubric::{self as rubric_model, CriterionRow, Rubric};
use crate::models::sheet::{self as sheet_model, Sheet};
use crate::state::AppState;

/// Longest comment on a criterion, in characters.
pub const MAX_COMMENT: usize = 5_000;

/// Who works on a sheet.
#[derive(Debug, Clone)]
pub enum SheetActor {
    /// The assigned judge.
    Judge {
        /// The judge.
        user_id: i32,
        /// Their unit, for conflicts.
        unit_id: Option<i32>,
    },
    /// An organiser typing in the judge's paper sheet.
    Organiser,
}

/// Where the round's window stands for this sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    /// Not open yet.
    NotYet,
    /// Open (or reopened for this sheet).
    Open,
    /// Closed.
    Closed,
    /// The round's results are frozen: nobody changes a sheet, not even an organiser.
    Frozen,
}

/// Everything the scoring page shows.
#[derive(Debug, Clone)]
pub struct SheetContext {
    /// The assignment.
    pub assignment: model::Assignment,
    /// The round.
    pub round: crate::models::round::Round,
    /// The rubric version the sheet is (or will be) scored on.
    pub rubric: Rubric,
    /// Its criteria.
    pub criteria: Vec<CriterionRow>,
    /// The entry.
    pub entry: Entry,
    /// The saved sheet, if any.
    pub sheet: Option<Sheet>,
    /// Saved scores by criterion: (score, comment).
    pub scores: HashMap<i32, (Option<i32>, String)>,
    /// The window.
    pub window: Window,
}

impl SheetContext {
    /// Whether the actor may change the sheet now.
    pub fn editable(&self, who: &SheetActor) -> bool {
        match self.window {
            Window::Open => true,
            Window::Frozen => false,
            Window::NotYet | Window::Closed => matches!(who, SheetActor::Organiser),
        }
    }
}

/// Where a round's window stands for a sheet (a reopened sheet is open until its own date).
pub(super) fn window(
    round: &crate::models::round::Round,
    sheet: Option<&Sheet>,
    now: NaiveDateTime,
) -> Window {
    if round.frozen_at.is_some() {
        return Window::Frozen;
    }
    if sheet
        .and_then(|s| s.reopened_until)
        .is_some_and(|u| now <= u)
    {
        return Window::Open;
    }
    if now < round.opens_at {
        Window::NotYet
    } else if now > round.closes_at {
        Window::Closed
    } else {
        Window::Open
    }
}

/// Loads a sheet for its judge (who must hold the live assignment, have declared, and have no
/// conflict: otherwise "not found") or for an organiser.
pub fn load(
    conn: &mut DbConn,
    who: &SheetActor,
    assignment_id: i32,
) -> Result<SheetContext, AppError> {
    let a = model::find_assignment(conn, assignment_id)?
        .filter(|a| a.withdrawn_at.is_none())
        .ok_or(AppError::NotFound)?;
    let e = entry::find(conn, a.entry_id)?.ok_or(AppError::NotFound)?;
    if let SheetActor::Judge { user_id, unit_id } = who
        && (a.judge_id != *user_id || !judge_may_see(conn, *user_id, *unit_id, &e)?)
    {
        return Err(AppError::NotFound);
    }
    let r = round::find(conn, a.round_id)?.ok_or(AppError::NotFound)?;
    let sheet = sheet_model::for_assignment(conn, a.id)?;
    let rubric_id = sheet.as_ref().map_or(r.rubric_id, |s| s.rubric_id);
    let rubric = rubric_model::find(conn, rubric_id)?.ok_or(AppError::NotFound)?;
    let criteria = rubric_model::criteria(conn, rubric_id)?;
    let scores = match &sheet {
        Some(s) => sheet_model::scores(conn, s.id)?
            .into_iter()
            .map(|(c, s, m)| (c, (s, m)))
            .collect(),
        None => HashMap::new(),
    };
    let window = window(&r, sheet.as_ref(), db::now());
    Ok(SheetContext {
        assignment: a,
        round: r,
        rubric,
        criteria,
        entry: e,
        sheet,
        scores,
        window,
    })
}

/// A sheet as posted: scores and comments as typed, by criterion id.
#[derive(Debug, Clone, Default)]
pub struct SheetInput {
    /// Criterion → score as typed (empty: not scored).
    pub scores: BTreeMap<i32, String>,
    /// Criterion → comment.
    pub comments: BTreeMap<i32, String>,
    /// Overall comment.
    pub overall: String,
    /// The version the page was showing.
    pub lock_version: i32,
}

impl SheetInput {
    /// What was typed on a page showing an earlier version of the rubric, moved to the criteria of
    /// `ctx` with the same codes (a new version gives every criterion a new id), so that a page
    /// drawn again after a refused save still holds it. Criteria gone from the rubric are dropped.
    pub fn follow_rubric(
        mut self,
        conn: &mut DbConn,
        ctx: &SheetContext,
    ) -> Result<SheetInput, AppError> {
        use crate::db::schema::rubric_criteria;
        let current: HashSet<i32> = ctx.criteria.iter().map(|c| c.id).collect();
        let stale: Vec<i32> = self
            .scores
            .keys()
            .chain(self.comments.keys())
            .copied()
            .filter(|id| !current.contains(id))
            .collect();
        if stale.is_empty() {
            return Ok(self);
        }
        let codes: HashMap<i32, String> = rubric_criteria::table
            .filter(rubric_criteria::id.eq_any(&stale))
            .select((rubric_criteria::id, rubric_criteria::code))
            .load::<(i32, String)>(conn)?
            .into_iter()
            .collect();
        let by_code: HashMap<&str, i32> = ctx
            .criteria
            .iter()
            .map(|c| (c.code.as_str(), c.id))
            .collect();
        let now_id = |id: &i32| {
            if current.contains(id) {
                return Some(*id);
            }
            codes.get(id).and_then(|c| by_code.get(c.as_str())).copied()
        };
        let rekey = |map: BTreeMap<i32, String>| -> BTreeMap<i32, String> {
            map.into_iter()
                .filter_map(|(id, v)| now_id(&id).map(|n| (n, v)))
                .collect()
        };
        self.scores = rekey(std::mem::take(&mut self.scores));
        self.comments = rekey(std::mem::take(&mut self.comments));
        Ok(self)
    }

    /// Reads `score.{criterion}`, `comment.{criterion}`, `overall` and `lock_version`; a field
    /// naming something that is not a number is a bad request.
    pub fn from_form(pairs: &[(String, String)]) -> Result<SheetInput, AppError> {
        let mut input = SheetInput::default();
        let bad = || AppError::BadRequest("sheet field".into());
        for (k, v) in pairs {
            match k.split_once('.') {
                Some(("score", id)) => {
                    input
                        .scores
                        .insert(id.parse().map_err(|_| bad())?, v.clone());
                }
                Some(("comment", id)) => {
                    input
                        .comments
                        .insert(id.parse().map_err(|_| bad())?, v.clone());
                }
                _ if k == "overall" => input.overall = v.clone(),
                _ if k == "lock_version" => input.lock_version = v.trim().parse().unwrap_or(-1),
                _ => {}
            }
        }
        Ok(input)
    }
}

/// Save or submit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetAction {
    /// Keep as it is (a draft stays a draft, a submitted sheet stays submitted and complete).
    Save,
    /// Submit: every counted criterion must be scored.
    Submit,
}

/// What a save did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SavedSheet {
    /// The sheet.
    pub sheet_id: i32,
    /// Its new version.
    pub lock_version: i32,
    /// Weighted total in hundredths, when complete.
    pub total_bp: Option<i32>,
    /// Status code after the save.
    pub status: String,
    /// When.
    pub saved_at: NaiveDateTime,
}

fn clean_comment(s: &str) -> Result<String, &'static str> {
    if s.chars().count() > MAX_COMMENT {
        return Err(crate::domain::text::too_long(MAX_COMMENT));
    }
    if s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(crate::domain::text::PARAGRAPH_CHARS);
    }
    Ok(s.trim().replace("\r\n", "\n"))
}

/// [`load`] inside a transaction that changes the sheet or its assignment, with the round held
/// until it commits: freezing the round waits for the change, and a change after a freeze sees it.
pub(super) fn load_held(
    conn: &mut DbConn,
    who: &SheetActor,
    assignment_id: i32,
) -> Result<SheetContext, AppError> {
    db::hold(
        conn,
        db::Row::RoundOfAssignment(assignment_id),
        db::Hold::Shared,
    )?;
    load(conn, who, assignment_id)
}

/// Saves (or submits) a sheet: checks access, the window, the version the page showed, every
/// criterion (of this rubric, in range) and, to submit, completeness; writes the sheet, its scores
/// and a new version in one transaction. Nothing changes when anything is wrong.
pub fn save(
    conn: &mut DbConn,
    who: &SheetActor,
    actor: &Actor,
    assignment_id: i32,
    input: &SheetInput,
    action: SheetAction,
) -> Result<SavedSheet, AppError> {
    db::transaction(conn, |conn| {
        let ctx = load_held(conn, who, assignment_id)?;
        if !ctx.editable(who) {
            let key = match ctx.window {
                Window::NotYet => "sheets.not_open",
                Window::Frozen => "sheets.frozen",
                _ => "sheets.closed",
            };
            return Err(invalid("sheet", key));
        }
        // A paper sheet is typed in for a judge who scores on paper. A sheet the judge has saved
        // online is theirs: organisers change it only by reopening it, with a reason the judge is
        // mailed.
        if let (SheetActor::Organiser, Some(s)) = (who, &ctx.sheet)
            && judge_saved_online(conn, s)?
        {
            return Err(invalid("sheet", "sheets.judge_online"));
        }
        if let Some(s) = &ctx.sheet
            && s.lock_version != input.lock_version
        {
            return Err(AppError::Conflict);
        }
        let ids: HashSet<i32> = ctx.criteria.iter().map(|c| c.id).collect();
        if input
            .scores
            .keys()
            .chain(input.comments.keys())
            .any(|id| !ids.contains(id))
        {
            return Err(invalid("sheet", "sheets.unknown_criterion"));
        }
        let mut errors = FieldErrors::new();
        let mut scored: Vec<(i32, Option<i32>, String)> = Vec::new();
        for c in &ctx.criteria {
            let typed = input.scores.get(&c.id).map(|s| s.trim()).unwrap_or("");
            let score = if typed.is_empty() {
                None
            } else {
                match typed.parse::<i32>() {
                    Ok(n) if (1..=ctx.rubric.scale_max).contains(&n) => Some(n),
                    _ => {
                        errors.insert(format!("score-{}", c.id), "sheets.score_range".into());
                        None
                    }
                }
            };
            let comment = clean_comment(input.comments.get(&c.id).map_or("", |s| s.as_str()))
                .unwrap_or_else(|k| {
                    errors.insert(format!("comment-{}", c.id), k.into());
                    String::new()
                });
            scored.push((c.id, score, comment));
        }
        let overall = clean_comment(&input.overall).unwrap_or_else(|k| {
            errors.insert("overall".into(), k.into());
            String::new()
        });
        let was_submitted = ctx
            .sheet
            .as_ref()
            .is_some_and(|s| s.status == SheetStatus::Submitted.code());
        let status = if action == SheetAction::Submit || was_submitted {
            SheetStatus::Submitted
        } else {
            SheetStatus::Draft
        };
        if status == SheetStatus::Submitted {
            for (c, (_, score, _)) in ctx.criteria.iter().zip(&scored) {
                if c.counted && score.is_none() {
                    errors
                        .entry(format!("score-{}", c.id))
                        .or_insert_with(|| "sheets.required".into());
                }
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let total = total_bp(
            ctx.rubric.scale_max,
            &ctx.criteria
                .iter()
                .zip(&scored)
                .map(|(c, s)| (c.weight, c.counted, s.1))
                .collect::<Vec<_>>(),
        );
        let now = db::now();
        let submitted_at = if action == SheetAction::Submit {
            Some(now)
        } else {
            ctx.sheet.as_ref().and_then(|s| s.submitted_at)
        };
        let (sheet_id, version) = match &ctx.sheet {
            Some(s) => {
                let n = diesel::update(
                    sheets::table
                        .find(s.id)
                        .filter(sheets::lock_version.eq(s.lock_version)),
                )
                .set((
                    sheets::status.eq(status.code()),
                    sheets::overall_comment.eq(&overall),
                    sheets::total_bp.eq(total),
                    sheets::lock_version.eq(s.lock_version + 1),
                    sheets::submitted_at.eq(submitted_at),
                    sheets::updated_at.eq(now),
                ))
                .execute(conn)?;
                if n == 0 {
                    return Err(AppError::Conflict);
                }
                (s.id, s.lock_version + 1)
            }
            None => {
                let id: i32 = diesel::insert_into(sheets::table)
                    .values((
                        sheets::assignment_id.eq(ctx.assignment.id),
                        sheets::round_id.eq(ctx.round.id),
                        sheets::entry_id.eq(ctx.entry.id),
                        sheets::judge_id.eq(ctx.assignment.judge_id),
                        sheets::rubric_id.eq(ctx.rubric.id),
                        sheets::status.eq(status.code()),
                        sheets::overall_comment.eq(&overall),
                        sheets::total_bp.eq(total),
                        sheets::lock_version.eq(1),
                        sheets::submitted_at.eq(submitted_at),
                        sheets::created_at.eq(now),
                        sheets::updated_at.eq(now),
                    ))
                    .returning(sheets::id)
                    .get_result(conn)
                    // Two first saves at once (an autosave still on its way when the judge
                    // submits): on PostgreSQL both saw no sheet; the later one is refused as a
                    // save over a newer version, with what was typed kept on the page.
                    .map_err(|e| {
                        if db::is_unique_violation(&e) {
                            AppError::Conflict
                        } else {
                            e.into()
                        }
                    })?;
                (id, 1)
            }
        };
        diesel::delete(sheet_scores::table.filter(sheet_scores::sheet_id.eq(sheet_id)))
            .execute(conn)?;
        for (c, score, comment) in &scored {
            if score.is_some() || !comment.is_empty() {
                diesel::insert_into(sheet_scores::table)
                    .values((
                        sheet_scores::sheet_id.eq(sheet_id),
                        sheet_scores::criterion_id.eq(c),
                        sheet_scores::score.eq(score),
                        sheet_scores::comment.eq(comment),
                    ))
                    .execute(conn)?;
            }
        }
        let codes: HashMap<i32, &str> = ctx
            .criteria
            .iter()
            .map(|c| (c.id, c.code.as_str()))
            .collect();
        let content = json!({
            "scores": scored.iter().map(|(c, s, m)| json!({"criterion": codes.get(c), "score": s, "comment": m})).collect::<Vec<_>>(),
            "overall": overall,
            "total_bp": total,
        });
        insert_version(
            conn,
            sheet_id,
            version,
            status,
            actor,
            matches!(who, SheetActor::Organiser),
            "",
            &content.to_string(),
        )?;
        if action == SheetAction::Submit {
            audit::record(
                conn,
                actor,
                if matches!(who, SheetActor::Organiser) {
                    "sheet.paper"
                } else {
                    "sheet.submit"
                },
                ("sheet", Some(sheet_id)),
                json!({"entry": ctx.entry.id, "round": ctx.round.id, "total_bp": total}),
            )?;
        }
        Ok(SavedSheet {
            sheet_id,
            lock_version: version,
            total_bp: total,
            status: status.code().into(),
            saved_at: now,
        })
    })
}

#[allow(clippy::too_many_arguments)]
fn insert_version(
    conn: &mut DbConn,
    sheet_id: i32,
    version: i32,
    status: SheetStatus,
    actor: &Actor,
    on_paper: bool,
    note: &str,
    content: &str,
) -> Result<(), AppError> {
    diesel::insert_into(sheet_versions::table)
        .values((
            sheet_versions::sheet_id.eq(sheet_id),
            sheet_versions::version.eq(version),
            sheet_versions::status.eq(status.code()),
            sheet_versions::actor_id.eq(actor.user_id),
            sheet_versions::on_paper.eq(on_paper),
            sheet_versions::note.eq(note),
            sheet_versions::content.eq(content),
            sheet_versions::created_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether the judge has saved the sheet online: then it is theirs, not typed in from paper.
pub fn judge_saved_online(conn: &mut DbConn, s: &Sheet) -> QueryResult<bool> {
    let n: i64 = sheet_versions::table
        .filter(sheet_versions::sheet_id.eq(s.id))
        .filter(sheet_versions::actor_id.eq(s.judge_id))
        .filter(sheet_versions::on_paper.eq(false))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Whether organisers may give the sheet back to its judge: it is submitted, or the judge can no
/// longer change it (the round's window closed, `closes_at`, and any time given since has run
/// out) though it was never submitted, such as a draft left when the window closed.
pub fn reopenable(
    s: &sheet_model::Sheet,
    closes_at: chrono::NaiveDateTime,
    now: chrono::NaiveDateTime,
) -> bool {
    s.status == SheetStatus::Submitted.code()
        || (now > closes_at && s.reopened_until.is_none_or(|u| u <= now))
}

/// Reopens a submitted sheet after its round closed, for `days` days, with a reason; the judge is
/// emailed. Returns the assignment, for the page to go back to.
pub fn reopen(
    conn: &mut DbConn,
    state: &AppState,
    actor: &Actor,
    sheet_id: i32,
    reason: &str,
    days: i64,
) -> Result<i32, AppError> {
    db::transaction(conn, |conn| {
        let s = sheet_model::find(conn, sheet_id)?.ok_or(AppError::NotFound)?;
        db::hold(conn, db::Row::Round(s.round_id), db::Hold::Shared)?;
        // A withdrawn assignment's sheet stays as it was: its judge no longer sees the entry.
        crate::models::judging::find_assignment(conn, s.assignment_id)?
            .filter(|a| a.withdrawn_at.is_none())
            .ok_or(AppError::NotFound)?;
        let reason =
            crate::domain::text::required_line(reason, 500).map_err(|k| invalid("reason", k))?;
        let r = round::find(conn, s.round_id)?.ok_or(AppError::NotFound)?;
        if !reopenable(&s, r.closes_at, db::now()) {
            return Err(invalid("reason", "sheets.not_submitted"));
        }
        if r.frozen_at.is_some() {
            return Err(invalid("reason", "sheets.frozen"));
        }
        let days = days.clamp(1, 30);
        let now = db::now();
        let until = now + chrono::Duration::days(days);
        diesel::update(sheets::table.find(s.id))
            .set((
                sheets::status.eq(SheetStatus::Draft.code()),
                sheets::reopened_until.eq(Some(until)),
                sheets::lock_version.eq(s.lock_version + 1),
                sheets::updated_at.eq(now),
            ))
            .execute(conn)?;
        let last = sheet_model::versions(conn, s.id)?
            .pop()
            .map(|v| v.content)
            .unwrap_or_else(|| "{}".into());
        insert_version(
            conn,
            s.id,
            s.lock_version + 1,
            SheetStatus::Draft,
            actor,
            false,
            &reason,
            &last,
        )?;
        let judge = crate::models::user::find(conn, s.judge_id)?.ok_or(AppError::NotFound)?;
        let e = entry::find(conn, s.entry_id)?.ok_or(AppError::NotFound)?;
        let r = round::find(conn, s.round_id)?.ok_or(AppError::NotFound)?;
        mail_user(conn, state, "sheet_reopened", &judge, |lang, ctx| {
            ctx.insert("entry", &e.name);
            ctx.insert("round", lang.pick(&r.name_id, &r.name_en));
            ctx.insert("reason", &reason);
            ctx.insert("until", &crate::time::format_time(until, lang));
            ctx.insert(
                "link",
                &format!(
                    "{}/judge/sheets/{}",
                    state.settings.base_url, s.assignment_id
                ),
            );
        })?;
        audit::record(
            conn,
            actor,
            "sheet.reopen",
            ("sheet", Some(s.id)),
            json!({"reason": reason, "until": until, "judge": s.judge_id, "entry": s.entry_id}),
        )?;
        Ok(s.assignment_id)
    })
}

/// Emails every judge of the round who has assignments not yet submitted: one mail each, listing
/// them, with the closing time. Returns how many judges are reminded (a reminder a worker is
/// sending already counts, and no second one is queued); refused once the round's results are
/// frozen.
pub fn remind_late(
    conn: &mut DbConn,
    state: &AppState,
    actor: &Actor,
    round_id: i32,
) -> Result<usize, AppError> {
    use crate::db::schema::{entries, users};
    db::transaction(conn, |conn| {
        // A frozen round's sheets cannot change: a reminder would ask for what cannot be done.
        let r = unfrozen_round(conn, round_id)?;
        let open: Vec<(i32, String)> = assignments::table
            .inner_join(entries::table)
            .left_join(sheets::table.on(sheets::assignment_id.eq(assignments::id)))
            .inner_join(users::table.on(users::id.eq(assignments::judge_id)))
            .filter(assignments::round_id.eq(round_id))
            .filter(assignments::withdrawn_at.is_null())
            .filter(users::active.eq(true))
            .filter(
                sheets::status
                    .is_null()
                    .or(sheets::status.ne(SheetStatus::Submitted.code())),
            )
            .order((assignments::judge_id, entries::name))
            .select((assignments::judge_id, entries::name))
            .load(conn)?;
        let mut by_judge: Vec<(i32, Vec<String>)> = Vec::new();
        for (j, name) in open {
            match by_judge.last_mut() {
                Some((k, list)) if *k == j => list.push(name),
                _ => by_judge.push((j, vec![name])),
            }
        }
        let mut on_their_way = 0;
        for (j, list) in &by_judge {
            let u = crate::models::user::find(conn, *j)?.ok_or(AppError::NotFound)?;
            let mail = render_for(state, "judge_reminder", &u, |lang, ctx| {
                ctx.insert("round", lang.pick(&r.name_id, &r.name_en));
                ctx.insert("entries", list);
                ctx.insert("count", &list.len());
                ctx.insert("closes", &crate::time::format_time(r.closes_at, lang));
                ctx.insert("link", &format!("{}/judge", state.settings.base_url));
            })?;
            // A reminder not sent yet is replaced, not joined by a second one; one a worker is
            // sending reminds the judge already.
            let topic = format!("judge_reminder:{round_id}:{j}:");
            if !crate::outbox::replace(conn, &mail.about(topic))? {
                on_their_way += 1;
            }
        }
        audit::record(
            conn,
            actor,
            "round.remind",
            ("round", Some(round_id)),
            json!({"judges": by_judge.len(), "already_sending": on_their_way}),
        )?;
        Ok(by_judge.len())
    })
}
