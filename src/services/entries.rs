//! Entries: drafts, evidence, submission by the unit's endorser, withdrawal, and the organisers'
//! administrative check. Every change of status goes through [`transition`].

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, Actor};
use crate::db::schema::{check_results, entries, entry_events, users};
use crate::db::{self, DbConn};
use crate::domain::edition_defaults::STAGE_IMPLEMENTATION;
use crate::domain::{EntryStatus, Mover, Role};
use crate::email::{self, Recipient};
use crate::error::{AppError, FieldErrors, invalid};
use crate::i18n::Lang;
use crate::models::edition::{self, Edition};
use crate::models::entry::{self, Entry, EntryContent};
use crate::models::{unit, user};
use crate::outbox;
use crate::state::AppState;

/// The longest text a long field takes (a narrative of several thousand words fits easily).
pub const MAX_TEXT: usize = 60_000;

/// Who is looking at or changing an entry.
#[derive(Clone, Debug)]
pub struct EntryActor {
    /// The user.
    pub user_id: i32,
    /// Their role.
    pub role: Role,
    /// Their unit (OPD operators).
    pub unit_id: Option<i32>,
    /// Whether they may submit for their unit.
    pub is_endorser: bool,
    /// For the audit log.
    pub actor: Actor,
}

impl EntryActor {
    fn mover(&self) -> Mover {
        match (self.role, self.is_endorser) {
            (Role::Organiser, _) => Mover::Organiser,
            (_, true) => Mover::Endorser,
            _ => Mover::Operator,
        }
    }
}

/// OPD operators of a deactivated unit may still read their entries but change nothing.
pub fn require_active_unit(conn: &mut DbConn, who: &EntryActor) -> Result<(), AppError> {
    if who.role != Role::Opd {
        return Ok(());
    }
    let active = match who.unit_id {
        Some(u) => crate::models::unit::find(conn, u)?.is_some_and(|u| u.active),
        None => false,
    };
    if active {
        Ok(())
    } else {
        Err(invalid("edition", "entries.unit_inactive"))
    }
}

/// Loads an entry the actor may see: organisers see all, operators their unit's, judges none (yet).
/// Someone else's entry is "not found", so its existence is not revealed.
pub fn visible(conn: &mut DbConn, who: &EntryActor, id: i32) -> Result<Entry, AppError> {
    let e = entry::find(conn, id)?.ok_or(AppError::NotFound)?;
    match who.role {
        Role::Organiser => Ok(e),
        Role::Opd if who.unit_id == Some(e.unit_id) => Ok(e),
        _ => Err(AppError::NotFound),
    }
}

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
        let e = visible(conn, who, id)?;
        if who.role != Role::Opd || !e.status()?.editable() {
            return Err(AppError::Forbidden);
        }
        require_active_unit(conn, who)?;
        check_content(conn, e.edition_id, content)?;
        let now = db::now();
        let n = diesel::update(
            entries::table
                .filter(entries::id.eq(id))
                .filter(entries::lock_version.eq(lock_version)),
        )
        .set((
            content,
            entries::lock_version.eq(lock_version + 1),
            entries::updated_by.eq(Some(who.user_id)),
            entries::updated_at.eq(now),
        ))
        .execute(conn)?;
        if n == 0 {
            return Err(AppError::Conflict);
        }
        Ok(Saved {
            lock_version: lock_version + 1,
            saved_at: now,
        })
    })
}

/// Counts the words of a narrative the way a reader would (runs of letters or digits).
pub fn word_count(text: &str) -> usize {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// A missing or wrong piece, for the submission checklist: field and i18n key (with arguments).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    /// The field (or `evidence:<kind id>`, or `edition`).
    pub field: String,
    /// i18n key.
    pub key: String,
    /// Arguments of the message.
    pub args: Vec<(String, String)>,
}

fn problem(field: &str, key: &str) -> Problem {
    Problem {
        field: field.into(),
        key: key.into(),
        args: Vec::new(),
    }
}

/// What is wrong with content whatever the stage: a choice that is not one of the edition's active
/// options, a category of another edition, dates out of order or out of any plausible range.
/// Saving checks it as well as submitting, so a draft never holds a value the form cannot show.
fn content_problems(
    conn: &mut DbConn,
    edition_id: i32,
    c: &EntryContent,
) -> Result<Vec<Problem>, AppError> {
    let mut out = Vec::new();
    let options = edition::options(conn, edition_id)?;
    for (list, value) in c.choices() {
        let v = value.trim();
        if !v.is_empty()
            && !options
                .iter()
                .any(|o| o.list == list && o.code == v && o.active)
        {
            out.push(problem(list, "form.choose"));
        }
    }
    if let Some(id) = c.category_id
        && !edition::categories(conn, edition_id)?
            .iter()
            .any(|k| k.id == id && k.active)
    {
        out.push(problem("category_id", "form.choose"));
    }
    let earliest = chrono::NaiveDate::from_ymd_opt(1945, 8, 17).expect("a date");
    let latest = db::now().date() + chrono::Duration::days(5 * 366);
    for (field, date) in [
        ("trial_date", c.trial_date),
        ("implementation_date", c.implementation_date),
    ] {
        if date.is_some_and(|d| d < earliest || d > latest) {
            out.push(problem(field, "form.date_invalid"));
        }
    }
    if let (Some(t), Some(i)) = (c.trial_date, c.implementation_date)
        && i < t
    {
        out.push(problem(
            "implementation_date",
            "entries.implementation_before_trial",
        ));
    }
    Ok(out)
}

/// [`content_problems`] as a refusal of the save, every field at once.
fn check_content(conn: &mut DbConn, edition_id: i32, c: &EntryContent) -> Result<(), AppError> {
    let found = content_problems(conn, edition_id, c)?;
    if found.is_empty() {
        return Ok(());
    }
    let mut errors = crate::error::FieldErrors::new();
    for p in found {
        errors.entry(p.field).or_insert(p.key);
    }
    Err(AppError::Invalid(errors))
}

/// Everything that stands between this entry and submission under the edition's rules.
pub fn problems(conn: &mut DbConn, e: &Entry, ed: &Edition) -> Result<Vec<Problem>, AppError> {
    let mut out = Vec::new();
    let text = |f: &str| -> &str {
        match f {
            "name" => &e.name,
            "stage" => &e.stage,
            "initiator" => &e.initiator,
            "inno_type" => &e.inno_type,
            "inno_form" => &e.inno_form,
            "theme" => &e.theme,
            "urusan" => &e.urusan,
            "narrative" => &e.narrative,
            "purpose" => &e.purpose,
            "benefits" => &e.benefits,
            "results" => &e.results,
            "video_url" => &e.video_url,
            "contact_name" => &e.contact_name,
            "contact_phone" => &e.contact_phone,
            _ => "",
        }
    };
    for f in crate::domain::edition_defaults::FIELDS {
        if !ed.requires(f) {
            continue;
        }
        let missing = match *f {
            "category_id" => e.category_id.is_none(),
            "trial_date" => e.trial_date.is_none(),
            other => text(other).trim().is_empty(),
        };
        if missing {
            out.push(problem(f, "entries.missing"));
        }
    }
    out.extend(content_problems(conn, ed.id, &EntryContent::from(e))?);
    let words = word_count(&e.narrative);
    if (words as i32) < ed.min_narrative_words {
        out.push(Problem {
            field: "narrative".into(),
            key: "entries.narrative_short".into(),
            args: vec![
                ("min".into(), ed.min_narrative_words.to_string()),
                ("n".into(), words.to_string()),
            ],
        });
    }
    if e.stage == STAGE_IMPLEMENTATION && e.implementation_date.is_none() {
        out.push(problem(
            "implementation_date",
            "entries.implementation_date_required",
        ));
    }
    let url = e.video_url.trim();
    if !url.is_empty()
        && !((url.starts_with("https://") || url.starts_with("http://"))
            && url.len() > 10
            && !url.contains(' '))
    {
        out.push(problem("video_url", "entries.video_url_invalid"));
    }
    let phone: String = e
        .contact_phone
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let phone_ok = phone
        .trim_start_matches('+')
        .chars()
        .all(|c| c.is_ascii_digit())
        && (8..=16).contains(&phone.len());
    if !phone.is_empty() && !phone_ok {
        out.push(problem("contact_phone", "entries.phone_invalid"));
    }
    let files = entry::files(conn, e.id)?;
    for kind in edition::evidence_kinds(conn, ed.id)? {
        if kind.active && kind.mandatory && !files.iter().any(|f| f.evidence_kind_id == kind.id) {
            out.push(Problem {
                field: format!("evidence:{}", kind.id),
                key: "entries.evidence_missing".into(),
                args: vec![
                    ("name_id".into(), kind.name_id.clone()),
                    ("name_en".into(), kind.name_en.clone()),
                ],
            });
        }
    }
    Ok(out)
}

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
        let e = visible(conn, who, id)?;
        let from = e.status()?;
        if !from.can_move(to, who.mover()) {
            return Err(AppError::Forbidden);
        }
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
                    .map(|i| {
                        if lang == Lang::En {
                            i.label_en.clone()
                        } else {
                            i.label_id.clone()
                        }
                    })
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
            &crate::time::format_jakarta(ed.screening_closes_at),
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
