//! Timed mail, run by the outbox worker once a minute: the open call when registration opens,
//! reminders to units with unsubmitted drafts before the deadline, and reminders to judges with
//! sheets still to submit before their round closes. Each goes out once: a row in
//! `edition_mailings` is written in the same transaction as the mail.

use diesel::prelude::*;

use crate::db::schema::{editions, entries, rounds, users};
use crate::db::{self, DbConn};
use crate::domain::EntryStatus;
use crate::domain::Role;
use crate::email::{self, Recipient};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::models::edition::{self, Edition};
use crate::models::user::User;
use crate::outbox;
use crate::state::AppState;

fn operators(conn: &mut DbConn, unit_id: Option<i32>) -> QueryResult<Vec<User>> {
    let mut q = users::table
        .filter(users::role.eq(Role::Opd.code()))
        .filter(users::active.eq(true))
        .filter(users::password_hash.is_not_null())
        .into_boxed();
    if let Some(u) = unit_id {
        q = q.filter(users::unit_id.eq(u));
    }
    q.select(User::as_select()).load(conn)
}

fn send(
    conn: &mut DbConn,
    state: &AppState,
    template: &str,
    to: &User,
    ed: &Edition,
    closes_at: chrono::NaiveDateTime,
    extra: &[(&str, String)],
) -> Result<(), AppError> {
    let mut ctx = tera::Context::new();
    ctx.insert("edition", &ed.name);
    let lang = Lang::from_code(&to.lang);
    ctx.insert("closes_at", &crate::time::format_time(closes_at, lang));
    ctx.insert("link", &format!("{}/opd", state.settings.base_url));
    for (k, v) in extra {
        ctx.insert(*k, v);
    }
    let mail = email::render(
        &state.templates,
        template,
        &Recipient {
            email: &to.email,
            name: &to.name,
            lang,
        },
        &mut ctx,
    )?;
    outbox::enqueue(conn, &mail)?;
    Ok(())
}

/// Reminds the units with entries not submitted yet, before their own deadline (an extension
/// included, so also after the edition's), once per reminder offset. A unit that reaches several
/// offsets at once (its first draft two days before the close, with reminders at 7 and 3 days)
/// gets one mail, with the days actually left. An extended deadline is reminded afresh.
fn remind_units(
    conn: &mut DbConn,
    state: &AppState,
    now: chrono::NaiveDateTime,
) -> Result<usize, AppError> {
    use crate::db::schema::unit_extensions;
    let started: Vec<Edition> = editions::table
        .filter(editions::registration_opens_at.le(now))
        .filter(
            editions::registration_closes_at
                .gt(now)
                .or(diesel::dsl::exists(
                    unit_extensions::table
                        .filter(unit_extensions::edition_id.eq(editions::id))
                        .filter(unit_extensions::closes_at.gt(now)),
                )),
        )
        .select(Edition::as_select())
        .load(conn)?;
    let mut sent = 0;
    for ed in started {
        let offsets = ed.reminder_offsets();
        if offsets.is_empty() {
            continue;
        }
        let units: Vec<i32> = entries::table
            .filter(entries::edition_id.eq(ed.id))
            .filter(entries::status.eq_any(EntryStatus::codes_where(EntryStatus::editable)))
            .select(entries::unit_id)
            .distinct()
            .load(conn)?;
        // Every unit's extension at once, not a query per unit each minute.
        let extended: std::collections::HashMap<i32, chrono::NaiveDateTime> =
            unit_extensions::table
                .filter(unit_extensions::edition_id.eq(ed.id))
                .select((unit_extensions::unit_id, unit_extensions::closes_at))
                .load(conn)?
                .into_iter()
                .collect();
        for unit_id in units {
            let deadline = edition::deadline_with(&ed, extended.get(&unit_id).copied());
            let left = deadline - now;
            // Offsets are sorted from the largest; the last one reached is the one to send.
            let due: Vec<i64> = offsets
                .iter()
                .copied()
                .filter(|d| left > chrono::Duration::zero() && left <= chrono::Duration::days(*d))
                .collect();
            let Some(&nearest) = due.last() else {
                continue;
            };
            let days_left = ((left.num_minutes() + 24 * 60 - 1) / (24 * 60)).max(1);
            sent += db::transaction(conn, |conn| -> Result<usize, AppError> {
                // An extension is reminded afresh, under keys of its own; the edition's deadline
                // keeps the keys written before extensions counted, so nothing goes twice.
                let key = |d: i64| {
                    if deadline == ed.registration_closes_at {
                        format!("reminder:{}:{unit_id}:{d}", ed.id)
                    } else {
                        let at = deadline.and_utc().timestamp();
                        format!("reminder:{}:{unit_id}:{d}:{at}", ed.id)
                    }
                };
                // The offsets passed together are done with this one mail.
                for &d in &due[..due.len() - 1] {
                    edition::mark_mailing(conn, ed.id, &key(d))?;
                }
                if !edition::mark_mailing(conn, ed.id, &key(nearest))? {
                    return Ok(0);
                }
                let people = operators(conn, Some(unit_id))?;
                for p in &people {
                    let days = [("days", days_left.to_string())];
                    send(conn, state, "reminder", p, &ed, deadline, &days)?;
                }
                Ok(people.len())
            })?;
        }
    }
    Ok(sent)
}

/// Judges are reminded this long before their round closes.
pub const JUDGE_REMINDER_DAYS: i64 = 2;

/// Sends whatever is due now, and folds the judges' page changes; returns how many mails were
/// enqueued.
pub fn tick(conn: &mut DbConn, state: &AppState) -> Result<usize, AppError> {
    let now = db::now();
    let open: Vec<Edition> = editions::table
        .filter(editions::registration_opens_at.le(now))
        .filter(editions::registration_closes_at.gt(now))
        .select(Edition::as_select())
        .load(conn)?;
    let mut sent = 0;
    for ed in open {
        sent += db::transaction(conn, |conn| -> Result<usize, AppError> {
            if !edition::mark_mailing(conn, ed.id, &format!("open_call:{}", ed.id))? {
                return Ok(0);
            }
            let people = operators(conn, None)?;
            for p in &people {
                send(
                    conn,
                    state,
                    "open_call",
                    p,
                    &ed,
                    ed.registration_closes_at,
                    &[],
                )?;
            }
            Ok(people.len())
        })?;
    }
    sent += remind_units(conn, state, now)?;
    // A round frozen while its window is open asks nothing more of its judges.
    let closing: Vec<(i32, i32)> = rounds::table
        .filter(rounds::opens_at.le(now))
        .filter(rounds::closes_at.gt(now))
        .filter(rounds::closes_at.le(now + chrono::Duration::days(JUDGE_REMINDER_DAYS)))
        .filter(rounds::frozen_at.is_null())
        .select((rounds::id, rounds::edition_id))
        .load(conn)?;
    for (round, edition_id) in closing {
        let reminded = db::transaction(conn, |conn| -> Result<usize, AppError> {
            if !edition::mark_mailing(conn, edition_id, &format!("judge_reminder:{round}"))? {
                return Ok(0);
            }
            crate::services::judging::remind_late(
                conn,
                state,
                &crate::audit::Actor::system(),
                round,
            )
        });
        // One round refused (frozen in the meantime) must not hold back the others, nor the
        // jobs of the next ticks.
        match reminded {
            Ok(n) => sent += n,
            Err(AppError::Invalid(why)) => {
                tracing::info!(round, ?why, "judges' reminder not sent");
            }
            Err(e) => return Err(e),
        }
    }
    // Judges' readers fold the page changes when many wait in their scopes; out of judging
    // season nobody reads them, so the minute's tick folds them too and they never pile up.
    if let Err(e) = db::fold_page_changes(conn) {
        tracing::warn!(error = %e, "page changes not folded");
    }
    Ok(sent)
}
