//! The national shortlist (IGA): the entries an edition sends on to the ministry's reporting, each
//! with its IID readiness (the edition's indicators, the level its unit declares with evidence,
//! the mandatory ones still missing); the units are mailed what they still lack and complete it on
//! their side. One function per use case, each checking, writing, auditing and mailing in one
//! transaction.

pub mod files;

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Actor};
use crate::db::schema::{entries, iid_answers, iid_indicators, shortlist, units};
use crate::db::{self, DbConn};
use crate::domain::awards::Standing;
use crate::domain::iid::{self, MAX_LEVEL, Readiness};
use crate::email::{self, Recipient};
use crate::error::{AppError, FieldErrors, invalid};
use crate::i18n::Lang;
use crate::models::iid::{self as rows, Indicator};
use crate::models::outbox as mail_rows;
use crate::state::AppState;

/// The edition's indicators, seeded from the bundled catalogue the first time they are asked for.
pub fn indicators(conn: &mut DbConn, edition_id: i32) -> Result<Vec<Indicator>, AppError> {
    let have = rows::indicators(conn, edition_id)?;
    if !have.is_empty() {
        return Ok(have);
    }
    crate::models::edition::find(conn, edition_id)?.ok_or(AppError::NotFound)?;
    db::transaction(conn, |conn| -> Result<(), AppError> {
        // Another request may have seeded them meanwhile.
        if !rows::indicators(conn, edition_id)?.is_empty() {
            return Ok(());
        }
        for (pos, c) in iid::catalogue().into_iter().enumerate() {
            let level = |i: usize| c.parameters.get(i).cloned().unwrap_or_default();
            // Two first visits at once seed once: the second finds each number taken.
            let insert = diesel::insert_into(iid_indicators::table)
                .values((
                    iid_indicators::edition_id.eq(edition_id),
                    iid_indicators::no.eq(c.no),
                    iid_indicators::name.eq(&c.name),
                    iid_indicators::weight.eq(c.bobot),
                    iid_indicators::mandatory.eq(c.wajib),
                    iid_indicators::level_1.eq(level(0)),
                    iid_indicators::level_2.eq(level(1)),
                    iid_indicators::level_3.eq(level(2)),
                    iid_indicators::position.eq(pos as i32),
                    iid_indicators::active.eq(true),
                ))
                .on_conflict_do_nothing();
            match conn {
                DbConn::Sqlite(c) => insert.execute(c)?,
                DbConn::Postgresql(c) => insert.execute(c)?,
            };
        }
        Ok(())
    })?;
    Ok(rows::indicators(conn, edition_id)?)
}

/// One indicator as typed on the organisers' form.
#[derive(serde::Deserialize, serde::Serialize, Default, Clone, Debug)]
#[serde(default)]
pub struct IndicatorInput {
    /// Its id.
    pub id: i32,
    /// Name.
    pub name: String,
    /// Weight, 1–4.
    pub weight: String,
    /// Mandatory box.
    pub mandatory: bool,
    /// Level descriptions.
    pub levels: [String; 3],
    /// Still asked.
    pub active: bool,
}

/// Saves the edition's indicators as edited (this year's catalogue); every bad field is named as
/// `ind-{id}-{field}` and nothing is saved until all are right.
pub fn save_indicators(
    conn: &mut DbConn,
    actor: &Actor,
    edition_id: i32,
    input: &[IndicatorInput],
) -> Result<(), AppError> {
    let have = indicators(conn, edition_id)?;
    let mut errors = FieldErrors::new();
    let mut clean = Vec::new();
    for i in input {
        if !have.iter().any(|h| h.id == i.id) {
            return Err(AppError::NotFound);
        }
        let key = |f: &str| format!("ind-{}-{f}", i.id);
        let name = crate::domain::text::required_line(&i.name, 200)
            .map_err(|k| errors.insert(key("name"), k.into()))
            .unwrap_or_default();
        let weight = match i.weight.trim().parse::<i32>() {
            Ok(w @ 1..=4) => w,
            _ => {
                errors.insert(key("weight"), "iid.error_weight".into());
                0
            }
        };
        let mut levels = Vec::new();
        for (n, l) in i.levels.iter().enumerate() {
            levels.push(
                crate::domain::text::required_line(l, 200)
                    .map_err(|k| errors.insert(key(&format!("level{}", n + 1)), k.into()))
                    .unwrap_or_default(),
            );
        }
        clean.push((i.id, name, weight, i.mandatory, levels, i.active));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    db::transaction(conn, |conn| {
        for (id, name, weight, mandatory, levels, active) in &clean {
            diesel::update(
                iid_indicators::table
                    .find(id)
                    .filter(iid_indicators::edition_id.eq(edition_id)),
            )
            .set((
                iid_indicators::name.eq(name),
                iid_indicators::weight.eq(weight),
                iid_indicators::mandatory.eq(mandatory),
                iid_indicators::level_1.eq(&levels[0]),
                iid_indicators::level_2.eq(&levels[1]),
                iid_indicators::level_3.eq(&levels[2]),
                iid_indicators::active.eq(active),
            ))
            .execute(conn)?;
        }
        audit::record(
            conn,
            actor,
            "iid_readiness.indicators",
            ("edition", Some(edition_id)),
            json!({"indicators": clean.len()}),
        )?;
        Ok(())
    })
}

/// A shortlisted entry with its readiness.
#[derive(serde::Serialize, Clone, Debug)]
pub struct ShortlistRow {
    /// Entry id.
    pub entry: i32,
    /// Entry name.
    pub name: String,
    /// Unit id.
    pub unit_id: i32,
    /// Unit name.
    pub unit: String,
    /// Rank in the edition's final standing (published rounds), if any.
    pub rank: Option<usize>,
    /// Final score, hundredths.
    pub score_bp: Option<i64>,
    /// Readiness.
    pub readiness: Readiness,
    /// Names of the mandatory indicators still missing.
    pub missing: Vec<String>,
    /// When the unit was told.
    pub notified_at: Option<chrono::NaiveDateTime>,
}

/// Readiness of each of these entries against the active indicators.
fn readiness_of(
    conn: &mut DbConn,
    active: &[Indicator],
    entry_ids: &[i32],
) -> Result<HashMap<i32, (Readiness, Vec<String>)>, AppError> {
    let answers = rows::answers(conn, entry_ids)?;
    // Evidence is a description or link, an uploaded document, or both.
    let filed: HashSet<(i32, i32)> = rows::files(conn, entry_ids)?
        .into_iter()
        .map(|f| (f.entry_id, f.indicator_id))
        .collect();
    let mut by_entry: HashMap<i32, HashMap<i32, (i32, bool)>> = HashMap::new();
    for a in answers {
        let evidenced =
            !a.evidence.trim().is_empty() || filed.contains(&(a.entry_id, a.indicator_id));
        by_entry
            .entry(a.entry_id)
            .or_default()
            .insert(a.indicator_id, (a.level, evidenced));
    }
    let weights: Vec<(i32, bool)> = active.iter().map(|i| (i.weight, i.mandatory)).collect();
    Ok(entry_ids
        .iter()
        .map(|&e| {
            let given = by_entry.get(&e);
            let declared: Vec<Option<(i32, bool)>> = active
                .iter()
                .map(|i| given.and_then(|g| g.get(&i.id).copied()))
                .collect();
            let r = iid::readiness(&weights, &declared);
            let missing = r.missing.iter().map(|&i| active[i].name.clone()).collect();
            (e, (r, missing))
        })
        .collect())
}

/// The edition's shortlist in the order of the final standing (then by when it was added).
pub fn list(conn: &mut DbConn, edition_id: i32) -> Result<Vec<ShortlistRow>, AppError> {
    let standing = crate::services::results::final_standing_of(conn, edition_id, false)?;
    list_in(conn, edition_id, standing_rows(&standing))
}

/// The shortlist and the best `limit` candidates not on it, from one read of the final standing
/// (the organisers' shortlist page).
pub fn overview(
    conn: &mut DbConn,
    edition_id: i32,
    limit: usize,
) -> Result<(Vec<ShortlistRow>, Vec<Candidate>), AppError> {
    let standing = crate::services::results::final_standing_of(conn, edition_id, false)?;
    let rows = list_in(conn, edition_id, standing_rows(&standing))?;
    let listed: HashSet<i32> = rows.iter().map(|r| r.entry).collect();
    let chosen: Vec<&Standing> = standing_rows(&standing)
        .iter()
        .filter(|s| !listed.contains(&s.entry))
        .take(limit)
        .collect();
    let ids: Vec<i32> = chosen.iter().map(|s| s.entry).collect();
    let names: HashMap<i32, (String, String)> = entries::table
        .inner_join(units::table)
        .filter(entries::id.eq_any(&ids))
        .select((entries::id, entries::name, units::name))
        .load::<(i32, String, String)>(conn)?
        .into_iter()
        .map(|(id, n, u)| (id, (n, u)))
        .collect();
    let candidates = chosen
        .into_iter()
        .map(|s| {
            let (n, u) = names.get(&s.entry).cloned().unwrap_or_default();
            (s.rank, s.entry, n, u, s.score_bp)
        })
        .collect();
    Ok((rows, candidates))
}

fn standing_rows(shared: &Option<crate::services::results::RoundsAndStanding>) -> &[Standing] {
    shared.as_ref().map_or(&[], |(_, s)| s.as_slice())
}

fn list_in(
    conn: &mut DbConn,
    edition_id: i32,
    standing: &[Standing],
) -> Result<Vec<ShortlistRow>, AppError> {
    let listed: Vec<(i32, String, i32, String, Option<chrono::NaiveDateTime>)> = shortlist::table
        .inner_join(entries::table.inner_join(units::table))
        .filter(shortlist::edition_id.eq(edition_id))
        .order((shortlist::added_at, shortlist::entry_id))
        .select((
            entries::id,
            entries::name,
            units::id,
            units::name,
            shortlist::notified_at,
        ))
        .load(conn)?;
    let on: HashSet<i32> = listed.iter().map(|l| l.0).collect();
    let place: HashMap<i32, (usize, i64)> = standing
        .iter()
        .filter(|s| on.contains(&s.entry))
        .map(|s| (s.entry, (s.rank, s.score_bp)))
        .collect();
    let active: Vec<Indicator> = indicators(conn, edition_id)?
        .into_iter()
        .filter(|i| i.active)
        .collect();
    let ids: Vec<i32> = listed.iter().map(|l| l.0).collect();
    let mut ready = readiness_of(conn, &active, &ids)?;
    let mut out: Vec<ShortlistRow> = listed
        .into_iter()
        .map(|(entry, name, unit_id, unit, notified_at)| {
            let (readiness, missing) = ready
                .remove(&entry)
                .unwrap_or_else(|| (iid::readiness(&[], &[]), Vec::new()));
            ShortlistRow {
                entry,
                name,
                unit_id,
                unit,
                rank: place.get(&entry).map(|p| p.0),
                score_bp: place.get(&entry).map(|p| p.1),
                readiness,
                missing,
                notified_at,
            }
        })
        .collect();
    out.sort_by_key(|r| r.rank.unwrap_or(usize::MAX));
    Ok(out)
}

/// A candidate: final rank, entry id, entry name, unit name, final score.
pub type Candidate = (usize, i32, String, String, i64);

/// What to add to the shortlist: the top N of the final standing, or chosen entries.
#[derive(Clone, Debug)]
pub enum Addition {
    /// The best N of the published final standing not listed yet.
    Top(usize),
    /// These entries (each must stand in the published final standing).
    Entries(Vec<i32>),
}

/// Adds entries to the shortlist; returns how many were added. Only entries ranked in a published
/// round can be shortlisted: the shortlist follows the published results.
pub fn add(
    conn: &mut DbConn,
    actor: &Actor,
    edition_id: i32,
    what: &Addition,
) -> Result<usize, AppError> {
    // Computing the standing can take a while after a change; done here, before the write lock is
    // taken, the read inside the transaction is the cached value unless something moved since.
    crate::services::results::final_standing_of(conn, edition_id, false)?;
    db::transaction(conn, |conn| {
        // The list changes one writer at a time, and not while a publication it draws on is
        // withdrawn (which holds the edition too).
        db::hold(conn, db::Row::Edition(edition_id), db::Hold::Exclusive)?;
        let shared = crate::services::results::final_standing_of(conn, edition_id, false)?;
        let standing = standing_rows(&shared);
        if standing.is_empty() {
            return Err(invalid("top", "shortlist.no_results"));
        }
        let listed: Vec<i32> = shortlist::table
            .filter(shortlist::edition_id.eq(edition_id))
            .select(shortlist::entry_id)
            .load(conn)?;
        let ids: Vec<i32> = match what {
            Addition::Top(n) => standing
                .iter()
                .filter(|s| !listed.contains(&s.entry))
                .take(*n)
                .map(|s| s.entry)
                .collect(),
            Addition::Entries(ids) => {
                if ids.is_empty() {
                    return Err(invalid("entry", "shortlist.choose"));
                }
                if ids
                    .iter()
                    .any(|id| !standing.iter().any(|s| s.entry == *id))
                {
                    return Err(AppError::NotFound);
                }
                ids.iter()
                    .filter(|id| !listed.contains(id))
                    .copied()
                    .collect()
            }
        };
        let now = db::now();
        // The same entry twice in one form, or added by two organisers at once, is added once.
        let mut seen = std::collections::HashSet::new();
        let ids: Vec<i32> = ids.into_iter().filter(|id| seen.insert(*id)).collect();
        let mut added = Vec::new();
        for id in &ids {
            let insert = diesel::insert_into(shortlist::table)
                .values((
                    shortlist::edition_id.eq(edition_id),
                    shortlist::entry_id.eq(id),
                    shortlist::added_by.eq(actor.user_id),
                    shortlist::added_at.eq(now),
                ))
                .on_conflict_do_nothing();
            let n = match conn {
                DbConn::Sqlite(c) => insert.execute(c)?,
                DbConn::Postgresql(c) => insert.execute(c)?,
            };
            if n > 0 {
                // Back on the list: a notice that it left, not sent yet, is no longer true (one
                // a worker holds may have gone; the shortlist mail is only queued by `notify`,
                // later).
                mail_rows::withdraw(conn, &removed_topic(edition_id, *id))?;
                added.push(*id);
            }
        }
        audit::record(
            conn,
            actor,
            "national_shortlist.add",
            ("edition", Some(edition_id)),
            json!({"entries": added}),
        )?;
        Ok(added.len())
    })
}

fn topic(edition_id: i32, entry_id: i32) -> String {
    format!("shortlist:{edition_id}:entry:{entry_id}:")
}

/// The topic of the notice that an entry left the shortlist. Not under [`topic`]: taking back the
/// shortlist mail must not take back the notice that corrects it.
fn removed_topic(edition_id: i32, entry_id: i32) -> String {
    format!("shortlist-removed:{edition_id}:entry:{entry_id}:")
}

/// Takes the ticked entries off the shortlist, with one reason; their mail that has not gone out
/// is withdrawn, and a unit that may have read that its entry is on the list is mailed that it no
/// longer is (the reason stays with the organisers, in the audit log). All or none: an entry that
/// is not on the list refuses the whole removal.
pub fn remove(
    conn: &mut DbConn,
    state: &AppState,
    actor: &Actor,
    edition_id: i32,
    entry_ids: &[i32],
    reason: &str,
) -> Result<usize, AppError> {
    if entry_ids.is_empty() {
        return Err(invalid("entry", "shortlist.choose"));
    }
    let reason =
        crate::domain::text::required_line(reason, 500).map_err(|k| invalid("reason", k))?;
    db::transaction(conn, |conn| {
        // A notice being queued for an entry finishes first, so its mail is there to withdraw.
        db::hold(conn, db::Row::Edition(edition_id), db::Hold::Exclusive)?;
        for &entry_id in entry_ids {
            let n = diesel::delete(
                shortlist::table
                    .filter(shortlist::edition_id.eq(edition_id))
                    .filter(shortlist::entry_id.eq(entry_id)),
            )
            .execute(conn)?;
            if n == 0 {
                // Taken off by someone else since the list was drawn (or never on it).
                return Err(invalid("entry", "shortlist.stale"));
            }
            let corrected = removed_topic(edition_id, entry_id);
            let taken =
                crate::outbox::take_back(conn, &[&topic(edition_id, entry_id)], &corrected)?;
            let told = tell_removed(conn, state, edition_id, entry_id, &corrected, &taken)?;
            let withdrawn = taken.withdrawn;
            audit::record(
                conn,
                actor,
                "national_shortlist.remove",
                ("entry", Some(entry_id)),
                json!({"edition": edition_id, "reason": reason, "mail_withdrawn": withdrawn,
                       "readers_told": told}),
            )?;
        }
        Ok(entry_ids.len())
    })
}

/// Mails each reader who may have read that an entry is on the shortlist that it no longer is;
/// returns how many.
fn tell_removed(
    conn: &mut DbConn,
    state: &AppState,
    edition_id: i32,
    entry_id: i32,
    about: &str,
    taken: &crate::outbox::TakenBack,
) -> Result<usize, AppError> {
    if taken.readers.is_empty() {
        return Ok(0);
    }
    let entry: String = entries::table
        .find(entry_id)
        .select(entries::name)
        .get_result(conn)?;
    let edition = crate::models::edition::find(conn, edition_id)?.ok_or(AppError::NotFound)?;
    let mut told = 0;
    for (to, _) in &taken.readers {
        let (entry, edition, link) = (
            entry.clone(),
            edition.name.clone(),
            format!("{}/opd", state.settings.base_url),
        );
        let sent = crate::services::mail_reader(
            conn,
            state,
            to,
            "shortlist_removed",
            about,
            taken.not_before,
            &move |_, ctx| {
                ctx.insert("entry", &entry);
                ctx.insert("edition", &edition);
                ctx.insert("link", &link);
            },
        )?;
        told += usize::from(sent);
    }
    Ok(told)
}

/// Mails every shortlisted unit not told yet what its entry still lacks; returns how many entries.
pub fn notify(
    conn: &mut DbConn,
    state: &AppState,
    actor: &Actor,
    edition_id: i32,
) -> Result<usize, AppError> {
    db::transaction(conn, |conn| {
        // One notice at a time: a double click mails each unit once, and an entry taken off the
        // list meanwhile is not told it is on it.
        db::hold(conn, db::Row::Edition(edition_id), db::Hold::Exclusive)?;
        let edition = crate::models::edition::find(conn, edition_id)?.ok_or(AppError::NotFound)?;
        let pending: Vec<ShortlistRow> = list(conn, edition_id)?
            .into_iter()
            .filter(|r| r.notified_at.is_none())
            .collect();
        let now = db::now();
        for r in &pending {
            // A notice that it had left the list, held by a worker when it came back, may still be
            // on its way: this mail waits for that lease to end, so it arrives last.
            let not_before = mail_rows::held_until(conn, &removed_topic(edition_id, r.entry), now)?
                .unwrap_or(now);
            let readers = crate::models::user::unit_readers(conn, r.unit_id)?;
            for (to, name, lang) in readers {
                let lang = Lang::from_code(&lang);
                let mut ctx = tera::Context::new();
                ctx.insert("entry", &r.name);
                ctx.insert("edition", &edition.name);
                ctx.insert("score", &r.readiness.score);
                ctx.insert("max", &r.readiness.max);
                ctx.insert("missing", &r.missing);
                ctx.insert(
                    "link",
                    &format!("{}/opd/entries/{}/iid", state.settings.base_url, r.entry),
                );
                let mail = email::render(
                    &state.templates,
                    "shortlisted",
                    &Recipient {
                        email: &to,
                        name: &name,
                        lang,
                    },
                    &mut ctx,
                )?
                .about(topic(edition_id, r.entry))
                .not_before(not_before);
                crate::outbox::enqueue(conn, &mail)?;
            }
            diesel::update(
                shortlist::table
                    .filter(shortlist::edition_id.eq(edition_id))
                    .filter(shortlist::entry_id.eq(r.entry)),
            )
            .set(shortlist::notified_at.eq(Some(db::now())))
            .execute(conn)?;
        }
        audit::record(
            conn,
            actor,
            "national_shortlist.notify",
            ("edition", Some(edition_id)),
            json!({"entries": pending.len()}),
        )?;
        Ok(pending.len())
    })
}

/// One indicator with the unit's answer, for the unit's form.
#[derive(serde::Serialize, Clone, Debug)]
pub struct AnswerRow {
    /// The indicator.
    pub indicator: Indicator,
    /// Level declared (0: not yet).
    pub level: i32,
    /// Evidence described.
    pub evidence: String,
    /// The evidence document uploaded, if any.
    pub file: Option<rows::IidFile>,
}

/// An entry's readiness form: its active indicators with the answers so far, and the readiness.
pub fn answers_of(
    conn: &mut DbConn,
    entry: &crate::models::entry::Entry,
) -> Result<(Vec<AnswerRow>, Readiness, Vec<String>), AppError> {
    let active: Vec<Indicator> = indicators(conn, entry.edition_id)?
        .into_iter()
        .filter(|i| i.active)
        .collect();
    let given: HashMap<i32, rows::Answer> = rows::answers(conn, &[entry.id])?
        .into_iter()
        .map(|a| (a.indicator_id, a))
        .collect();
    let mut filed: HashMap<i32, rows::IidFile> = rows::files(conn, &[entry.id])?
        .into_iter()
        .map(|f| (f.indicator_id, f))
        .collect();
    let (r, missing) = readiness_of(conn, &active, &[entry.id])?
        .remove(&entry.id)
        .unwrap_or_else(|| (iid::readiness(&[], &[]), Vec::new()));
    let rows = active
        .into_iter()
        .map(|i| {
            let a = given.get(&i.id);
            AnswerRow {
                level: a.map_or(0, |a| a.level),
                evidence: a.map(|a| a.evidence.clone()).unwrap_or_default(),
                file: filed.remove(&i.id),
                indicator: i,
            }
        })
        .collect();
    Ok((rows, r, missing))
}

/// A unit's answer as typed: level and evidence per indicator id.
pub type AnswersInput = Vec<(i32, String, String)>;

/// Saves a shortlisted entry's answers. A level needs its evidence (a description, a document
/// uploaded for it, or both); every bad field is named as `lvl-{id}` / `ev-{id}` and nothing is
/// saved until all are right.
pub fn save_answers(
    conn: &mut DbConn,
    actor: &Actor,
    entry: &crate::models::entry::Entry,
    input: &AnswersInput,
) -> Result<(), AppError> {
    if !rows::is_listed(conn, entry.id)? {
        return Err(invalid("entry", "iid.not_listed"));
    }
    let active: Vec<i32> = indicators(conn, entry.edition_id)?
        .into_iter()
        .filter(|i| i.active)
        .map(|i| i.id)
        .collect();
    let filed: HashSet<i32> = rows::files(conn, &[entry.id])?
        .into_iter()
        .map(|f| f.indicator_id)
        .collect();
    let mut errors = FieldErrors::new();
    let mut clean = Vec::new();
    for (id, level, evidence) in input {
        if !active.contains(id) {
            return Err(AppError::NotFound);
        }
        let level = match level.trim().parse::<i32>() {
            Ok(l @ 0..=MAX_LEVEL) => l,
            _ => {
                errors.insert(format!("lvl-{id}"), "form.choose".into());
                continue;
            }
        };
        let evidence = match crate::domain::text::paragraph(evidence, 1000) {
            Ok(e) => e,
            Err(k) => {
                errors.insert(format!("ev-{id}"), k.into());
                continue;
            }
        };
        if level > 0 && evidence.is_empty() && !filed.contains(id) {
            errors.insert(format!("ev-{id}"), "iid.evidence_required".into());
        }
        clean.push((*id, level, evidence));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    db::transaction(conn, |conn| {
        let now = db::now();
        for (id, level, evidence) in &clean {
            // Two operators saving at once: the later answer wins, neither gets an error.
            let upsert = diesel::insert_into(iid_answers::table)
                .values((
                    iid_answers::entry_id.eq(entry.id),
                    iid_answers::indicator_id.eq(id),
                    iid_answers::level.eq(level),
                    iid_answers::evidence.eq(evidence),
                    iid_answers::updated_by.eq(actor.user_id),
                    iid_answers::updated_at.eq(now),
                ))
                .on_conflict((iid_answers::entry_id, iid_answers::indicator_id))
                .do_update()
                .set((
                    iid_answers::level.eq(level),
                    iid_answers::evidence.eq(evidence),
                    iid_answers::updated_by.eq(actor.user_id),
                    iid_answers::updated_at.eq(now),
                ));
            match conn {
                DbConn::Sqlite(c) => upsert.execute(c)?,
                DbConn::Postgresql(c) => upsert.execute(c)?,
            };
        }
        audit::record(
            conn,
            actor,
            "iid_readiness.answers",
            ("entry", Some(entry.id)),
            json!({"answers": clean.len()}),
        )?;
        Ok(())
    })
}
