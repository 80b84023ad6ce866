//! The results mail: when a round is published every unit with an entry in it is told, in each
//! reader's language, where each of its entries stands, whether it goes on to the next round, and
//! where to read its feedback report. Each mail names its decision (its outbox topic), so
//! unpublishing before the mail has gone out withdraws it, and a reader who may already have read
//! it (it went out, or was on its way) is mailed that those results no longer stand: no one is
//! left holding an outcome that is no longer true.

use super::*;
use std::collections::BTreeMap;

use crate::db::schema::{editions, entries, round_results, units, users};
use crate::domain::Role;
use crate::email::{self, Recipient};
use crate::i18n::Lang;
use crate::models::outbox as mail_rows;
use crate::state::AppState;

/// The outbox topic prefix of every mail reporting this round's results.
pub fn results_topic(round_id: i32) -> String {
    format!("results:round:{round_id}:")
}

/// The topic of one unit's results mail of a round. The closing `:results` keeps the prefix of unit
/// 1 (`…:unit:1:`) from matching unit 12's mail.
pub fn unit_results_topic(round_id: i32, unit_id: i32) -> String {
    format!("{}unit:{unit_id}:results", results_topic(round_id))
}

/// The topic prefix of a round's objection-window notices.
pub fn objections_topic(round_id: i32) -> String {
    format!("objections:round:{round_id}:")
}

/// The topic of a unit's objection-window notice for a round; closed by `:window`, so no unit's
/// topic is a prefix of another's.
pub fn unit_objections_topic(round_id: i32, unit_id: i32) -> String {
    format!("{}unit:{unit_id}:window", objections_topic(round_id))
}

/// The topic prefix of the notices that a round's published results were withdrawn. Not under
/// [`results_topic`]: taking back the results mail must not take back the notice that corrects it.
pub fn withdrawn_topic(round_id: i32) -> String {
    format!("results-withdrawn:round:{round_id}:")
}

fn unit_withdrawn_topic(round_id: i32, unit_id: i32) -> String {
    format!("{}unit:{unit_id}:", withdrawn_topic(round_id))
}

/// Withdraws the round's results mail that has not gone out yet; returns how many.
pub(super) fn withdraw_announcement(conn: &mut DbConn, round_id: i32) -> Result<usize, AppError> {
    Ok(mail_rows::withdraw(conn, &results_topic(round_id))?)
}

/// Takes back the round's results mail when its publication is withdrawn: what has not gone out is
/// withdrawn, and every reader who may have read an outcome (the mail went out, or was on its
/// way) is mailed that those results no longer stand, once however often it happens before the
/// next outcome reaches them. Returns how many mails were withdrawn and how many readers told.
pub(super) fn take_back_announcement(
    conn: &mut DbConn,
    state: &AppState,
    r: &Round,
) -> Result<(usize, usize), AppError> {
    // The objection-window notice speaks of the same results: a reader who read only that (the
    // results mail itself still retrying) is told too.
    let taken = crate::outbox::take_back(
        conn,
        &[&results_topic(r.id), &objections_topic(r.id)],
        &withdrawn_topic(r.id),
    )?;
    let edition: String = editions::table
        .find(r.edition_id)
        .select(editions::name)
        .get_result(conn)?;
    // The unit as the mail was addressed (an entry may have moved since): read from its topic.
    let prefixes = [
        format!("{}unit:", results_topic(r.id)),
        format!("{}unit:", objections_topic(r.id)),
    ];
    let mut told = 0;
    for (to, topic) in taken.readers {
        let Some(unit_id) = prefixes
            .iter()
            .find_map(|p| topic.strip_prefix(p.as_str()))
            .and_then(|t| t.split(':').next())
            .and_then(|u| u.parse::<i32>().ok())
        else {
            continue;
        };
        let Some(unit) = units::table
            .find(unit_id)
            .select(units::name)
            .get_result::<String>(conn)
            .optional()?
        else {
            continue;
        };
        let (rid, ren, edition, link) = (
            r.name_id.clone(),
            r.name_en.clone(),
            edition.clone(),
            format!("{}/opd", state.settings.base_url),
        );
        let sent = crate::services::mail_reader(
            conn,
            state,
            &to,
            "results_withdrawn",
            &unit_withdrawn_topic(r.id, unit_id),
            taken.not_before,
            &move |lang, ctx| {
                ctx.insert("edition", &edition);
                ctx.insert("round", lang.pick(&rid, &ren));
                ctx.insert("unit", &unit);
                ctx.insert("link", &link);
            },
        )?;
        told += usize::from(sent);
    }
    Ok((taken.withdrawn, told))
}

/// One entry as the mail reports it.
#[derive(serde::Serialize)]
struct Line {
    name: String,
    position: Option<i32>,
    score: Option<String>,
    promoted: Option<bool>,
    link: String,
}

/// Queues the results mail of a published round to every active operator of every unit with an
/// entry in it; returns how many mails. `promotion_only` says the mail reports a promotion made
/// after the results were already announced.
pub(super) fn announce(
    conn: &mut DbConn,
    state: &AppState,
    r: &Round,
    promotion_only: bool,
) -> Result<usize, AppError> {
    // A notice that an earlier publication was withdrawn, still waiting, would reach a unit after
    // the outcome now announced. One a worker holds, or an earlier results mail or objection-window
    // notice withdrawn while held, may still be on its way: the outcome waits for its lease to
    // end, so it is the last to arrive. Withdrawn first, then looked at, so no claim slips in
    // between.
    mail_rows::withdraw(conn, &withdrawn_topic(r.id))?;
    let now = crate::db::now();
    let not_before = mail_rows::clear_after(
        conn,
        &[
            &withdrawn_topic(r.id),
            &results_topic(r.id),
            &objections_topic(r.id),
        ],
        now,
    )?;
    let score_col = settings_of(r).ranking;
    type Kept = (
        i32,
        String,
        i32,
        String,
        Option<i32>,
        (Option<i32>, Option<i32>, Option<i32>),
    );
    let kept: Vec<Kept> = round_results::table
        .inner_join(entries::table.inner_join(units::table))
        .filter(round_results::round_id.eq(r.id))
        .order(round_results::listed)
        .select((
            entries::id,
            entries::name,
            units::id,
            units::name,
            round_results::position,
            (
                round_results::mean_bp,
                round_results::median_bp,
                round_results::normalised_bp,
            ),
        ))
        .load(conn)?;
    let scored = kept.iter().filter(|k| k.4.is_some()).count();
    let promotion = live_promotion(conn, r.id)?;
    let (promoted, next_name) = match &promotion {
        Some(p) => {
            let ids: Vec<i32> = kept.iter().map(|k| k.0).collect();
            let went = promoted_among(conn, p.id, &ids)?;
            let next = round::find(conn, p.next_round_id)?;
            (went, next.map(|n| (n.name_id, n.name_en)))
        }
        None => (Vec::new(), None),
    };
    let edition: String = editions::table
        .find(r.edition_id)
        .select(editions::name)
        .get_result(conn)?;
    let mut by_unit: BTreeMap<i32, (String, Vec<&Kept>)> = BTreeMap::new();
    for k in &kept {
        by_unit
            .entry(k.2)
            .or_insert_with(|| (k.3.clone(), Vec::new()))
            .1
            .push(k);
    }
    let unit_ids: Vec<i32> = by_unit.keys().copied().collect();
    let readers: Vec<(i32, String, String, String)> = users::table
        .filter(users::unit_id.eq_any(&unit_ids))
        .filter(users::role.eq(Role::Opd.code()))
        .filter(users::active.eq(true))
        .order(users::id)
        .select((
            users::unit_id.assume_not_null(),
            users::email,
            users::name,
            users::lang,
        ))
        .load(conn)?;
    let mut queued = 0;
    for (unit_id, email_to, name, lang) in readers {
        let Some((unit_name, lines)) = by_unit.get(&unit_id) else {
            continue;
        };
        let lang = Lang::from_code(&lang);
        let lines: Vec<Line> = lines
            .iter()
            .map(|k| {
                let score = match score_col {
                    crate::domain::results::Ranking::Mean => k.5.0,
                    crate::domain::results::Ranking::Median => k.5.1,
                    crate::domain::results::Ranking::Normalised => k.5.2,
                };
                Line {
                    name: k.1.clone(),
                    position: k.4,
                    score: k
                        .4
                        .and(score)
                        .map(|bp| crate::templates::format_total(bp, lang)),
                    promoted: promotion.as_ref().map(|_| promoted.contains(&k.0)),
                    link: format!("{}/opd/entries/{}/feedback", state.settings.base_url, k.0),
                }
            })
            .collect();
        let mut ctx = tera::Context::new();
        ctx.insert("edition", &edition);
        ctx.insert("round", lang.pick(&r.name_id, &r.name_en));
        ctx.insert("unit", unit_name);
        ctx.insert("scored", &scored);
        ctx.insert("lines", &lines);
        ctx.insert("promotion_only", &promotion_only);
        ctx.insert(
            "next_round",
            &next_name
                .as_ref()
                .map(|(id, en)| lang.pick(id, en).to_string()),
        );
        let mail = email::render(
            &state.templates,
            "results_published",
            &Recipient {
                email: &email_to,
                name: &name,
                lang,
            },
            &mut ctx,
        )?
        .about(unit_results_topic(r.id, unit_id))
        .not_before(not_before);
        crate::outbox::enqueue(conn, &mail)?;
        queued += 1;
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_topic_never_prefixes_another_rounds_or_units() {
        // Withdrawal matches by prefix: round 1 must not reach round 12, nor unit 1 unit 12.
        assert!(!results_topic(12).starts_with(&results_topic(1)));
        assert!(!objections_topic(12).starts_with(&objections_topic(1)));
        let one = format!("{}unit:1:", results_topic(7));
        assert!(unit_results_topic(7, 1).starts_with(&one));
        assert!(!unit_results_topic(7, 12).starts_with(&one));
        assert!(!objections_topic(7).starts_with(&results_topic(7)));
        let one = format!("{}unit:1:", objections_topic(7));
        assert!(unit_objections_topic(7, 1).starts_with(&one));
        assert!(!unit_objections_topic(7, 12).starts_with(&one));
    }
}
