//! Drafts: started, saved as the operator types (length and choice checks included), entered again.

use super::*;

fn check_lengths(c: &EntryContent) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    for (field, value, max) in [
        ("name", &c.name, 300),
        ("narrative", &c.narrative, MAX_TEXT),
        ("purpose", &c.purpose, MAX_TEXT),
        ("benefits", &c.benefits, MAX_TEXT),
        ("results", &c.results, MAX_TEXT),
        ("video_url", &c.video_url, 500),
        ("contact_name", &c.contact_name, 200),
        ("contact_phone", &c.contact_phone, 40),
    ] {
        if value.chars().count() > max {
            errors.insert(field.into(), "entries.too_long".into());
        }
    }
    // Fields shown on one line (and the name in mail subjects) must be one line.
    for (field, value) in [
        ("name", &c.name),
        ("video_url", &c.video_url),
        ("contact_name", &c.contact_name),
        ("contact_phone", &c.contact_phone),
    ] {
        if let Err(k) = crate::domain::text::single_line(value, usize::MAX) {
            errors.entry(field.into()).or_insert_with(|| k.into());
        }
    }
    let video = c.video_url.trim().to_ascii_lowercase();
    if !(video.is_empty() || video.starts_with("https://") || video.starts_with("http://")) {
        errors
            .entry("video_url".into())
            .or_insert_with(|| "entries.video_url_web".into());
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Starts a draft for the actor's unit in an edition whose registration is open; returns its id.
pub fn create_draft(
    conn: &mut DbConn,
    who: &EntryActor,
    edition_id: i32,
    content: &EntryContent,
    previous: Option<i32>,
) -> Result<i32, AppError> {
    let unit_id = match (who.role, who.unit_id) {
        (Role::Opd, Some(u)) => u,
        _ => return Err(AppError::Forbidden),
    };
    check_lengths(content)?;
    db::transaction(conn, |conn| {
        require_active_unit(conn, who)?;
        check_content(conn, edition_id, content)?;
        let e = edition::find(conn, edition_id)?.ok_or(AppError::NotFound)?;
        let now = db::now();
        if now < e.registration_opens_at || now > edition::closes_at_for(conn, &e, unit_id)? {
            return Err(invalid("edition", "entries.registration_closed"));
        }
        let id: i32 = diesel::insert_into(entries::table)
            .values((
                content,
                entries::edition_id.eq(edition_id),
                entries::unit_id.eq(unit_id),
                entries::previous_entry_id.eq(previous),
                entries::status.eq(EntryStatus::Draft.code()),
                entries::created_by.eq(Some(who.user_id)),
                entries::updated_by.eq(Some(who.user_id)),
                entries::created_at.eq(now),
                entries::updated_at.eq(now),
            ))
            .returning(entries::id)
            .get_result(conn)?;
        audit::record(
            conn,
            &who.actor,
            "entry.create",
            ("entry", Some(id)),
            json!({"after": {"name": content.name, "previous_entry_id": previous}}),
        )?;
        Ok(id)
    })
}

/// Re-enters an innovation from an earlier edition into `edition_id`, pre-filled and linked.
/// The national rule allows an innovation at IGA at most twice, so a third entry is refused.
pub fn reenter(
    conn: &mut DbConn,
    who: &EntryActor,
    old_id: i32,
    edition_id: i32,
) -> Result<i32, AppError> {
    let old = visible(conn, who, old_id)?;
    if old.edition_id == edition_id {
        return Err(invalid("edition", "entries.reenter_same_edition"));
    }
    let mut chain = 1;
    let mut cursor = old.previous_entry_id;
    while let Some(prev) = cursor {
        chain += 1;
        cursor = entry::find(conn, prev)?.and_then(|p| p.previous_entry_id);
    }
    if chain >= 2 {
        return Err(invalid("edition", "entries.reenter_twice"));
    }
    let mut content = EntryContent::from(&old);
    content.category_id = None;
    // A choice the new edition no longer offers is left for the unit to choose again.
    let options = edition::options(conn, edition_id)?;
    for (list, value) in content.choices_mut() {
        if !options
            .iter()
            .any(|o| o.list == list && o.code == *value && o.active)
        {
            value.clear();
        }
    }
    create_draft(conn, who, edition_id, &content, Some(old.id))
}

/// The outcome of saving a draft.
#[derive(Debug, Serialize)]
pub struct Saved {
    /// The new version, which the form sends with its next save.
    pub lock_version: i32,
    /// When it was saved.
    pub saved_at: NaiveDateTime,
}

/// Saves the content of an editable entry. `lock_version` is the version the form was loaded with:
/// if another tab saved meanwhile, nothing is overwritten and the caller is told.
pub fn save(
    conn: &mut DbConn,
    who: &EntryActor,
    id: i32,
    lock_version: i32,
    content: &EntryContent,
) -> Result<Saved, AppError> {
    check_lengths(content)?;
    db::transaction(conn, |conn| {
        // A submission checks the content it submits: a save must not slip in between.
        db::hold(conn, db::Row::Entry(id), db::Hold::Exclusive)?;
        let e = visible(conn, who, id)?;
        if who.role != Role::Opd || !e.status()?.editable() {
            return Err(AppError::Forbidden);
        }
        require_active_unit(conn, who)?;
        check_content(conn, e.edition_id, content)?;
        // The version comes from the form: one no save ever gave is simply out of date.
        let next = lock_version.checked_add(1).ok_or(AppError::Conflict)?;
        let now = db::now();
        let n = diesel::update(
            entries::table
                .filter(entries::id.eq(id))
                .filter(entries::lock_version.eq(lock_version)),
        )
        .set((
            content,
            entries::lock_version.eq(next),
            entries::updated_by.eq(Some(who.user_id)),
            entries::updated_at.eq(now),
        ))
        .execute(conn)?;
        if n == 0 {
            return Err(AppError::Conflict);
        }
        Ok(Saved {
            lock_version: next,
            saved_at: now,
        })
    })
}
