//! The schedule of a presentation (or field) round: a slot per entry (when, how long, where or which
//! link), each unit told its slot by email (again when it changes), shown on the unit's dashboard and
//! in the judges' running order.

use chrono::NaiveDateTime;

use super::*;
use crate::db::schema::{entries, round_entries, units, users};
use crate::domain::Role;
use crate::error::FieldErrors;

/// Minutes a slot lasts when none is typed.
pub const DEFAULT_SLOT_MINUTES: i32 = 20;

/// One slot as typed.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SlotInput {
    /// The entry.
    pub entry_id: i32,
    /// When (WIB, `datetime-local`); empty: no slot.
    pub at: String,
    /// Minutes, as typed.
    pub minutes: String,
    /// Room or online link.
    pub place: String,
}

/// A round's slots, by time (entries without one last): (entry, name, unit, at, minutes, place,
/// told).
pub type SlotRow = (
    i32,
    String,
    String,
    Option<NaiveDateTime>,
    Option<i32>,
    String,
    Option<NaiveDateTime>,
);

/// The slots of a round.
pub fn slots(conn: &mut DbConn, round_id: i32) -> Result<Vec<SlotRow>, AppError> {
    let mut rows: Vec<SlotRow> = round_entries::table
        .inner_join(entries::table.inner_join(units::table))
        .filter(round_entries::round_id.eq(round_id))
        .order((round_entries::slot_at.asc(), entries::name))
        .select((
            entries::id,
            entries::name,
            units::name,
            round_entries::slot_at,
            round_entries::slot_minutes,
            round_entries::slot_place,
            round_entries::slot_notified_at,
        ))
        .load(conn)?;
    rows.sort_by_key(|r| (r.3.is_none(), r.3, r.1.clone()));
    Ok(rows)
}

/// Saves a round's schedule; every problem at once (keyed `slot-{entry}-{at|minutes|place}`) and
/// nothing saved if any. A changed slot will be announced again.
pub fn save_schedule(
    conn: &mut DbConn,
    actor: &Actor,
    round_id: i32,
    input: &[SlotInput],
) -> Result<usize, AppError> {
    db::transaction(conn, |conn| {
        // Not while the schedule is being sent: a slot changed then would be marked announced
        // with its old time in the mail.
        db::hold(conn, db::Row::Round(round_id), db::Hold::Exclusive)?;
        round::find(conn, round_id)?.ok_or(AppError::NotFound)?;
        let current: HashMap<i32, (Option<NaiveDateTime>, Option<i32>, String)> =
            slots(conn, round_id)?
                .into_iter()
                .map(|r| (r.0, (r.3, r.4, r.5)))
                .collect();
        let mut errors = FieldErrors::new();
        let mut clean = Vec::new();
        for s in input {
            if !current.contains_key(&s.entry_id) {
                return Err(AppError::BadRequest("an entry outside the round".into()));
            }
            let f = |x: &str| format!("slot-{}-{x}", s.entry_id);
            let at = if s.at.trim().is_empty() {
                None
            } else {
                match crate::time::parse_jakarta_local(&s.at) {
                    Some(t) => Some(t),
                    None => {
                        errors.insert(f("at"), "form.datetime_invalid".into());
                        None
                    }
                }
            };
            let minutes = match s.minutes.trim() {
                "" => DEFAULT_SLOT_MINUTES,
                m => match m.parse::<i32>() {
                    Ok(n) if (5..=480).contains(&n) => n,
                    _ => {
                        errors.insert(f("minutes"), "schedule.minutes_range".into());
                        DEFAULT_SLOT_MINUTES
                    }
                },
            };
            let place = crate::domain::text::single_line(&s.place, 300).unwrap_or_else(|k| {
                errors.insert(f("place"), k.into());
                String::new()
            });
            clean.push((s.entry_id, at, at.map(|_| minutes), place));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let mut changed = 0;
        for (entry, at, minutes, place) in clean {
            if current.get(&entry) == Some(&(at, minutes, place.clone())) {
                continue;
            }
            changed += diesel::update(
                round_entries::table
                    .filter(round_entries::round_id.eq(round_id))
                    .filter(round_entries::entry_id.eq(entry)),
            )
            .set((
                round_entries::slot_at.eq(at),
                round_entries::slot_minutes.eq(minutes),
                round_entries::slot_place.eq(&place),
                round_entries::slot_notified_at.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
        }
        audit::record(
            conn,
            actor,
            "round.schedule",
            ("round", Some(round_id)),
            json!({"changed": changed}),
        )?;
        Ok(changed)
    })
}

/// Emails every unit whose slot is set and not yet announced (or changed since), unless the entry's
/// promotion into the round is not published yet; returns how many entries were announced.
pub fn send_schedule(
    conn: &mut DbConn,
    state: &crate::state::AppState,
    actor: &Actor,
    round_id: i32,
) -> Result<usize, AppError> {
    db::transaction(conn, |conn| {
        // One send at a time (a double click mails each unit once), and no slot changes under it.
        db::hold(conn, db::Row::Round(round_id), db::Hold::Exclusive)?;
        let r = round::find(conn, round_id)?.ok_or(AppError::NotFound)?;
        // Entries whose promotion is not published yet are told once it is.
        let hidden = promoted_unannounced(conn, Some(round_id))?;
        let due: Vec<SlotRow> = slots(conn, round_id)?
            .into_iter()
            .filter(|s| s.3.is_some() && s.6.is_none() && !hidden.contains(&(round_id, s.0)))
            .collect();
        for (entry_id, name, _, at, minutes, place, _) in &due {
            let e = entry::find(conn, *entry_id)?.ok_or(AppError::NotFound)?;
            let people: Vec<crate::models::user::User> = users::table
                .filter(users::role.eq(Role::Opd.code()))
                .filter(users::unit_id.eq(e.unit_id))
                .filter(users::active.eq(true))
                .select(crate::models::user::User::as_select())
                .load(conn)?;
            let at = at.unwrap_or_default();
            for p in &people {
                mail_user(conn, state, "presentation_slot", p, |lang, ctx| {
                    ctx.insert("entry", name);
                    ctx.insert("round", lang.pick(&r.name_id, &r.name_en));
                    ctx.insert("at", &crate::time::format_time(at, lang));
                    ctx.insert("minutes", &minutes.unwrap_or(DEFAULT_SLOT_MINUTES));
                    ctx.insert("place", place);
                    ctx.insert("link", &format!("{}/opd", state.settings.base_url));
                })?;
            }
            diesel::update(
                round_entries::table
                    .filter(round_entries::round_id.eq(round_id))
                    .filter(round_entries::entry_id.eq(entry_id)),
            )
            .set(round_entries::slot_notified_at.eq(db::now()))
            .execute(conn)?;
        }
        audit::record(
            conn,
            actor,
            "round.send_schedule",
            ("round", Some(round_id)),
            json!({"entries": due.len()}),
        )?;
        Ok(due.len())
    })
}

/// Entries of a round (`round` names it, or every round) promoted into it from a round whose
/// results are not published yet: (round, entry). Their slots are the organisers' alone until then:
/// a slot on the unit's dashboard or in its mail would tell the unit it went through.
fn promoted_unannounced(
    conn: &mut DbConn,
    round: Option<i32>,
) -> Result<HashSet<(i32, i32)>, AppError> {
    use crate::db::schema::{promotion_entries, promotions, rounds};
    let mut q = promotions::table
        .inner_join(promotion_entries::table)
        .inner_join(rounds::table.on(rounds::id.eq(promotions::round_id)))
        .filter(promotions::undone_at.is_null())
        .filter(promotion_entries::promoted.eq(true))
        .filter(rounds::published_at.is_null())
        .select((promotions::next_round_id, promotion_entries::entry_id))
        .into_boxed();
    if let Some(r) = round {
        q = q.filter(promotions::next_round_id.eq(r));
    }
    Ok(q.load::<(i32, i32)>(conn)?.into_iter().collect())
}

/// A unit's slots in every round, soonest first: (round id-name, en-name, entry, at, minutes, place).
pub type UnitSlot = (String, String, String, NaiveDateTime, Option<i32>, String);

/// The slots of a unit's entries.
pub fn unit_slots(conn: &mut DbConn, unit_id: i32) -> Result<Vec<UnitSlot>, AppError> {
    use crate::db::schema::rounds;
    type Row = (
        String,
        String,
        String,
        Option<NaiveDateTime>,
        Option<i32>,
        String,
    );
    let hidden = promoted_unannounced(conn, None)?;
    let rows: Vec<(i32, i32, Row)> = round_entries::table
        .inner_join(entries::table)
        .inner_join(rounds::table)
        .filter(entries::unit_id.eq(unit_id))
        .filter(round_entries::slot_at.is_not_null())
        .order(round_entries::slot_at)
        .select((
            round_entries::round_id,
            round_entries::entry_id,
            (
                rounds::name_id,
                rounds::name_en,
                entries::name,
                round_entries::slot_at,
                round_entries::slot_minutes,
                round_entries::slot_place,
            ),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(round, entry, _)| !hidden.contains(&(*round, *entry)))
        .filter_map(|(_, _, (a, b, c, at, m, p))| at.map(|at| (a, b, c, at, m, p)))
        .collect())
}
