//! The objection window (masa sanggah) of a published round: the organisers open it for some days
//! and the units are told; a unit objects to its entry's result with a reason while it is open; an
//! organiser answers each (upheld or not, with a reason), and the unit is mailed both its receipt
//! and the answer; once the window has closed and every objection is answered, the results are
//! declared final. An upheld objection withdraws the unit's results mail not yet sent.

use super::*;

use crate::db::schema::{entries, objections, round_results, rounds, units};
use crate::domain::results::Stage;
use crate::error::invalid;
use crate::i18n::Lang;
use crate::models::outbox as mail_rows;
use crate::state::AppState;

/// An objection with its entry and answer.
#[derive(Queryable, serde::Serialize, Clone, Debug)]
pub struct Objection {
    /// Id.
    pub id: i32,
    /// Round.
    pub round_id: i32,
    /// Entry.
    pub entry_id: i32,
    /// Entry name.
    pub entry: String,
    /// Unit name.
    pub unit: String,
    /// Why the unit objects.
    pub reason: String,
    /// When.
    pub filed_at: chrono::NaiveDateTime,
    /// Upheld, not upheld, or not answered yet.
    pub upheld: Option<bool>,
    /// The organisers' reason.
    pub answer: String,
    /// When answered.
    pub answered_at: Option<chrono::NaiveDateTime>,
}

fn query() -> _ObjectionQuery {
    objections::table
        .inner_join(entries::table.inner_join(units::table))
        .select((
            objections::id,
            objections::round_id,
            objections::entry_id,
            entries::name,
            units::name,
            objections::reason,
            objections::filed_at,
            objections::upheld,
            objections::answer,
            objections::answered_at,
        ))
}

type _ObjectionQuery = diesel::dsl::Select<
    diesel::dsl::InnerJoin<objections::table, diesel::dsl::InnerJoin<entries::table, units::table>>,
    (
        objections::id,
        objections::round_id,
        objections::entry_id,
        entries::name,
        units::name,
        objections::reason,
        objections::filed_at,
        objections::upheld,
        objections::answer,
        objections::answered_at,
    ),
>;

/// A round's objections to its current publication, oldest first.
pub fn objections_of(conn: &mut DbConn, round_id: i32) -> Result<Vec<Objection>, AppError> {
    Ok(query()
        .filter(objections::round_id.eq(round_id))
        .filter(objections::superseded_at.is_null())
        .order(objections::id)
        .load(conn)?)
}

/// An entry's standing objections (one per round at most).
pub fn objections_of_entry(conn: &mut DbConn, entry_id: i32) -> Result<Vec<Objection>, AppError> {
    Ok(query()
        .filter(objections::entry_id.eq(entry_id))
        .filter(objections::superseded_at.is_null())
        .order(objections::id)
        .load(conn)?)
}

/// The round an objection belongs to.
pub fn round_of_objection(conn: &mut DbConn, id: i32) -> Result<i32, AppError> {
    objections::table
        .find(id)
        .select(objections::round_id)
        .get_result(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// Whether units may object now.
pub fn window_open(r: &Round, now: chrono::NaiveDateTime) -> bool {
    r.published_at.is_some() && r.final_at.is_none() && r.objections_until.is_some_and(|u| now <= u)
}

/// Mails a unit's operators an objection notice about `topic`, not before `not_before`.
fn mail_unit(
    conn: &mut DbConn,
    state: &AppState,
    unit_id: i32,
    topic: &str,
    not_before: Option<chrono::NaiveDateTime>,
    fill: &dyn Fn(Lang, &mut tera::Context),
) -> Result<(), AppError> {
    crate::services::mail_unit(conn, state, unit_id, "objection", topic, not_before, fill)
}

/// Opens (or extends) the objection window of a published round for `days` days from now, and
/// tells every unit with an entry in it.
pub fn open_objections(
    conn: &mut DbConn,
    state: &AppState,
    actor: &Actor,
    round_id: i32,
    days: &str,
) -> Result<(), AppError> {
    let days = match days.trim().parse::<i64>() {
        Ok(d @ 1..=30) => d,
        _ => return Err(invalid("days", "objections.error_days")),
    };
    db::transaction(conn, |conn| {
        let r = at_stage(conn, round_id, &[Stage::Published])?;
        if r.final_at.is_some() {
            return Err(invalid("days", "objections.already_final"));
        }
        let until = db::now() + chrono::Duration::days(days);
        diesel::update(rounds::table.find(round_id))
            .set(rounds::objections_until.eq(Some(until)))
            .execute(conn)?;
        // A window set again replaces the notice of the earlier one that has not gone out: a
        // unit must not read two deadlines.
        // One a worker holds may still be on its way: the new deadline waits for its lease to
        // end, so it arrives last.
        mail_rows::withdraw(conn, &objections_topic(round_id))?;
        let not_before = mail_rows::held_until(conn, &objections_topic(round_id), db::now())?;
        let edition = crate::models::edition::find(conn, r.edition_id)?
            .map(|e| e.name)
            .unwrap_or_default();
        let unit_ids: Vec<i32> = round_results::table
            .inner_join(entries::table)
            .filter(round_results::round_id.eq(round_id))
            .select(entries::unit_id)
            .distinct()
            .load(conn)?;
        for u in unit_ids {
            let link = format!("{}/opd", state.settings.base_url);
            let (rid, ren) = (r.name_id.clone(), r.name_en.clone());
            let edition = edition.clone();
            mail_unit(
                conn,
                state,
                u,
                &unit_objections_topic(round_id, u),
                not_before,
                &move |lang, ctx| {
                    ctx.insert("kind", "window");
                    ctx.insert("round", lang.pick(&rid, &ren));
                    ctx.insert("edition", &edition);
                    ctx.insert("until", &crate::time::format_time(until, lang));
                    ctx.insert("link", &link);
                },
            )?;
        }
        audit::record(
            conn,
            actor,
            "objection.open_window",
            ("round", Some(round_id)),
            json!({ "days": days, "until": until }),
        )?;
        Ok(())
    })
}

/// A unit objects to its entry's result in a round whose window is open; its operators get a
/// receipt. One objection per entry and round.
pub fn file_objection(
    conn: &mut DbConn,
    state: &AppState,
    who: &crate::services::entries::EntryActor,
    entry_id: i32,
    round_id: i32,
    reason: &str,
) -> Result<(), AppError> {
    let reason = crate::domain::text::paragraph(reason, 2000).map_err(|k| invalid("reason", k))?;
    if reason.is_empty() {
        return Err(invalid("reason", "form.required"));
    }
    db::transaction(conn, |conn| {
        db::hold(conn, db::Row::Round(round_id), db::Hold::Shared)?;
        let e = crate::services::entries::visible(conn, who, entry_id)?;
        crate::services::entries::require_active_unit(conn, who)
            .map_err(|_| invalid("reason", "entries.unit_inactive"))?;
        let r = round::find(conn, round_id)?.ok_or(AppError::NotFound)?;
        let in_round: bool = diesel::select(diesel::dsl::exists(
            round_results::table
                .filter(round_results::round_id.eq(round_id))
                .filter(round_results::entry_id.eq(entry_id)),
        ))
        .get_result(conn)?;
        if !in_round || r.published_at.is_none() {
            return Err(AppError::NotFound);
        }
        if !window_open(&r, db::now()) {
            return Err(invalid("reason", "objections.closed"));
        }
        let already: bool = diesel::select(diesel::dsl::exists(
            objections::table
                .filter(objections::round_id.eq(round_id))
                .filter(objections::entry_id.eq(entry_id))
                .filter(objections::superseded_at.is_null()),
        ))
        .get_result(conn)?;
        if already {
            return Err(invalid("reason", "objections.already"));
        }
        let id: i32 = diesel::insert_into(objections::table)
            .values((
                objections::round_id.eq(round_id),
                objections::entry_id.eq(entry_id),
                objections::filed_by.eq(who.user_id),
                objections::reason.eq(&reason),
                objections::filed_at.eq(db::now()),
            ))
            .returning(objections::id)
            .get_result(conn)
            .map_err(|e| {
                // Filed twice at once: the second is told it already exists.
                if db::is_unique_violation(&e) {
                    invalid("reason", "objections.already")
                } else {
                    e.into()
                }
            })?;
        let (rid, ren, name, text) = (
            r.name_id.clone(),
            r.name_en.clone(),
            e.name.clone(),
            reason.clone(),
        );
        let link = format!(
            "{}/opd/entries/{entry_id}/feedback",
            state.settings.base_url
        );
        mail_unit(
            conn,
            state,
            e.unit_id,
            &format!("objection:{id}:received"),
            None,
            &move |lang, ctx| {
                ctx.insert("kind", "received");
                ctx.insert("round", lang.pick(&rid, &ren));
                ctx.insert("entry", &name);
                ctx.insert("reason", &text);
                ctx.insert("link", &link);
            },
        )?;
        audit::record(
            conn,
            &who.actor,
            "objection.file",
            ("entry", Some(entry_id)),
            json!({ "round": round_id, "objection": id }),
        )?;
        Ok(())
    })
}

/// An organiser answers an objection: upheld or not, with a reason; the unit is mailed the answer.
/// Upholding it withdraws the unit's results mail of the round that has not gone out.
pub fn answer_objection(
    conn: &mut DbConn,
    state: &AppState,
    actor: &Actor,
    objection_id: i32,
    upheld: Option<bool>,
    answer: &str,
) -> Result<i32, AppError> {
    let mut errors = FieldErrors::new();
    let text = match crate::domain::text::paragraph(answer, 2000) {
        Ok(t) if t.is_empty() => {
            errors.insert("answer".into(), "form.required".into());
            t
        }
        Ok(t) => t,
        Err(k) => {
            errors.insert("answer".into(), k.into());
            String::new()
        }
    };
    if upheld.is_none() {
        errors.insert("upheld".into(), "form.choose".into());
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    db::transaction(conn, |conn| {
        let round_id = round_of_objection(conn, objection_id)?;
        // Declaring the list final or withdrawing the publication waits for this answer, and
        // this one for them.
        db::hold(conn, db::Row::Round(round_id), db::Hold::Shared)?;
        // An objection to a withdrawn publication no longer stands: there is nothing to answer.
        let o = query()
            .filter(objections::id.eq(objection_id))
            .filter(objections::superseded_at.is_null())
            .get_result::<Objection>(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        let r = round::find(conn, o.round_id)?.ok_or(AppError::NotFound)?;
        if r.published_at.is_none() {
            return Err(AppError::NotFound);
        }
        if r.final_at.is_some() {
            return Err(invalid("answer", "objections.already_final"));
        }
        // Answered once: a second answer (two organisers, a double click) would overwrite the
        // first after both were mailed to the unit.
        let answered = diesel::update(
            objections::table
                .find(objection_id)
                .filter(objections::answered_at.is_null()),
        )
        .set((
            objections::upheld.eq(upheld),
            objections::answer.eq(&text),
            objections::answered_by.eq(actor.user_id),
            objections::answered_at.eq(Some(db::now())),
        ))
        .execute(conn)?;
        if answered == 0 {
            return Err(invalid("answer", "objections.already_answered"));
        }
        let unit_id: i32 = entries::table
            .find(o.entry_id)
            .select(entries::unit_id)
            .get_result(conn)?;
        // The unit's results mail is withdrawn, one a worker holds too: that one may have gone,
        // so the answer waits for the worker's lease to end and arrives last. To a reader whose
        // results mail never left, the answer says it takes that mail's place.
        let (withdrawn, not_before, never_left) = if upheld == Some(true) {
            let topic = unit_results_topic(r.id, unit_id);
            let withdrawn = mail_rows::withdraw(conn, &topic)?;
            let now = db::now();
            let not_before = mail_rows::held_until(conn, &topic, now)?.unwrap_or(now);
            (withdrawn, not_before, mail_rows::never_left(conn, &topic)?)
        } else {
            (0, db::now(), Default::default())
        };
        let up = upheld == Some(true);
        for reader in crate::models::user::unit_readers(conn, unit_id)? {
            let replaces = never_left.contains(&reader.0);
            let (rid, ren, name, said) = (
                r.name_id.clone(),
                r.name_en.clone(),
                o.entry.clone(),
                text.clone(),
            );
            let link = format!(
                "{}/opd/entries/{}/feedback",
                state.settings.base_url, o.entry_id
            );
            crate::services::mail_one(
                conn,
                state,
                reader,
                "objection",
                &format!("objection:{objection_id}:answered"),
                Some(not_before),
                &move |lang, ctx| {
                    ctx.insert("kind", "answered");
                    ctx.insert("round", lang.pick(&rid, &ren));
                    ctx.insert("entry", &name);
                    ctx.insert("upheld", &up);
                    ctx.insert("replaces_results", &replaces);
                    ctx.insert("answer", &said);
                    ctx.insert("link", &link);
                },
            )?;
        }
        audit::record(
            conn,
            actor,
            "objection.answer",
            ("round", Some(r.id)),
            json!({ "objection": objection_id, "upheld": upheld, "answer": text,
                    "mail_withdrawn": withdrawn }),
        )?;
        Ok(r.id)
    })
}

/// Declares a published round's results final: the objection window (if opened) has closed and
/// every objection is answered.
pub fn finalise(conn: &mut DbConn, actor: &Actor, round_id: i32) -> Result<(), AppError> {
    db::transaction(conn, |conn| {
        let r = at_stage(conn, round_id, &[Stage::Published])?;
        if r.final_at.is_some() {
            return Err(invalid("final", "objections.already_final"));
        }
        if window_open(&r, db::now()) {
            return Err(invalid("final", "objections.still_open"));
        }
        let open: i64 = objections::table
            .filter(objections::round_id.eq(round_id))
            .filter(objections::superseded_at.is_null())
            .filter(objections::upheld.is_null())
            .count()
            .get_result(conn)?;
        if open > 0 {
            return Err(invalid("final", "objections.unanswered_error"));
        }
        diesel::update(rounds::table.find(round_id))
            .set(rounds::final_at.eq(Some(db::now())))
            .execute(conn)?;
        audit::record(
            conn,
            actor,
            "round.final",
            ("round", Some(round_id)),
            json!({}),
        )?;
        Ok(())
    })
}
