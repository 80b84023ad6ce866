//! Status changes (submit, withdraw, reopen, the administrative check) and the mail each sends.

use super::*;

/// The one place where an entry changes status: checks the move is allowed for this actor, writes the
/// event (and check results), updates the entry, audits, and enqueues the unit's email, in one transaction.
pub fn transition(
    conn: &mut DbConn,
    state: &AppState,
    who: &EntryActor,
    id: i32,
    to: EntryStatus,
    note: &str,
    checks: &[(String, bool, String)],
) -> Result<Entry, AppError> {
    db::transaction(conn, |conn| {
        // The checks below (content, files, the unit's count) hold until the move commits.
        db::hold(conn, db::Row::Entry(id), db::Hold::Exclusive)?;
        let e = visible(conn, who, id)?;
        let from = e.status()?;
        if !from.can_move(to, who.mover()) {
            return Err(AppError::Forbidden);
        }
        // Held before it is read: whether the unit is active, and (for a submission) how many
        // entries it has, stay true until the move commits. Two of a unit's entries submitted at
        // once must not both fit under its limit.
        db::hold(conn, db::Row::Unit(e.unit_id), db::Hold::Exclusive)?;
        require_active_unit(conn, who)?;
        let ed = edition::find(conn, e.edition_id)?.ok_or(AppError::NotFound)?;
        let now = db::now();
        // Deadlines are the server's: the unit's own (with any extension) for submission and withdrawal,
        // the end of screening for a resubmission after a return.
        let deadline = match to {
            EntryStatus::Submitted | EntryStatus::Withdrawn | EntryStatus::Draft => {
                Some(edition::closes_at_for(conn, &ed, e.unit_id)?)
            }
            EntryStatus::Resubmitted => Some(ed.screening_closes_at),
            _ => None,
        };
        if deadline.is_some_and(|d| now > d) {
            return Err(invalid("edition", "entries.deadline_passed"));
        }
        if matches!(to, EntryStatus::Submitted | EntryStatus::Resubmitted) {
            let found = problems(conn, &e, &ed)?;
            if !found.is_empty() {
                return Err(AppError::Incomplete(
                    found
                        .into_iter()
                        .map(|p| (p.field, p.key, p.args))
                        .collect(),
                ));
            }
            if entry::counted_for_unit(conn, ed.id, e.unit_id, e.id)?
                >= i64::from(ed.max_entries_per_unit)
            {
                return Err(invalid("edition", "entries.unit_limit"));
            }
        }
        if matches!(to, EntryStatus::Returned | EntryStatus::Rejected)
            && note.trim().is_empty()
            && !checks.iter().any(|c| !c.1)
        {
            return Err(invalid("note", "entries.reason_required"));
        }
        // The status in the WHERE makes a second tab's identical click a no-op rather than a double move.
        let n = diesel::update(
            entries::table
                .filter(entries::id.eq(id))
                .filter(entries::status.eq(from.code())),
        )
        .set((
            entries::status.eq(to.code()),
            entries::lock_version.eq(entries::lock_version + 1),
            entries::updated_at.eq(now),
            entries::submitted_at.eq(
                if matches!(to, EntryStatus::Submitted | EntryStatus::Resubmitted) {
                    Some(now)
                } else {
                    e.submitted_at
                },
            ),
        ))
        .execute(conn)?;
        if n == 0 {
            return Err(AppError::Conflict);
        }
        let event_id: i32 = diesel::insert_into(entry_events::table)
            .values((
                entry_events::entry_id.eq(id),
                entry_events::from_status.eq(from.code()),
                entry_events::to_status.eq(to.code()),
                entry_events::actor_id.eq(Some(who.user_id)),
                entry_events::note.eq(note.trim()),
                entry_events::created_at.eq(now),
            ))
            .returning(entry_events::id)
            .get_result(conn)?;
        for (code, passed, reason) in checks {
            diesel::insert_into(check_results::table)
                .values((
                    check_results::entry_event_id.eq(event_id),
                    check_results::item_code.eq(code),
                    check_results::passed.eq(passed),
                    check_results::reason.eq(reason.trim()),
                ))
                .execute(conn)?;
        }
        audit::record(
            conn,
            &who.actor,
            &format!("entry.{}", to.code()),
            ("entry", Some(id)),
            json!({"before": {"status": from.code()}, "after": {"status": to.code()}, "note": note.trim()}),
        )?;
        if to == EntryStatus::Passed {
            crate::services::rounds::take_passed(conn, &who.actor, ed.id, id)?;
        }
        let updated = entry::find(conn, id)?.ok_or(AppError::NotFound)?;
        notify(conn, state, &updated, &ed, to, note, checks)?;
        Ok(updated)
    })
}

/// Emails the unit's operators about a move that concerns them.
fn notify(
    conn: &mut DbConn,
    state: &AppState,
    e: &Entry,
    ed: &Edition,
    to: EntryStatus,
    note: &str,
    checks: &[(String, bool, String)],
) -> Result<(), AppError> {
    let template = match to {
        EntryStatus::Submitted | EntryStatus::Resubmitted => "entry_received",
        EntryStatus::Returned => "entry_returned",
        EntryStatus::Rejected => "entry_rejected",
        EntryStatus::Passed => "entry_passed",
        _ => return Ok(()),
    };
    let unit_name = unit::find(conn, e.unit_id)?
        .map(|u| u.name)
        .unwrap_or_default();
    let items = edition::check_items(conn, ed.id)?;
    let recipients: Vec<user::User> = users::table
        .filter(users::unit_id.eq(e.unit_id))
        .filter(users::role.eq(Role::Opd.code()))
        .filter(users::active.eq(true))
        .select(user::User::as_select())
        .load(conn)?;
    let words = word_count(&e.narrative);
    for r in recipients {
        let lang = Lang::from_code(&r.lang);
        let failed: Vec<serde_json::Value> = checks
            .iter()
            .filter(|c| !c.1)
            .map(|(code, _, reason)| {
                let label = items
                    .iter()
                    .find(|i| &i.code == code)
                    .map(|i| lang.pick(&i.label_id, &i.label_en).to_string())
                    .unwrap_or_else(|| code.clone());
                json!({"label": label, "reason": reason})
            })
            .collect();
        let mut ctx = tera::Context::new();
        ctx.insert("entry", e);
        ctx.insert("edition", &ed.name);
        ctx.insert("unit", &unit_name);
        ctx.insert("note", note.trim());
        ctx.insert("failed", &failed);
        ctx.insert("words", &words);
        ctx.insert(
            "link",
            &format!("{}/opd/entries/{}", state.settings.base_url, e.id),
        );
        ctx.insert(
            "deadline",
            &crate::time::format_time(ed.screening_closes_at, lang),
        );
        let mail = email::render(
            &state.templates,
            template,
            &Recipient {
                email: &r.email,
                name: &r.name,
                lang,
            },
            &mut ctx,
        )?;
        outbox::enqueue(conn, &mail)?;
    }
    Ok(())
}
