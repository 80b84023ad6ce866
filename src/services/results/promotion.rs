//! Promotion into the next round: a rule applied to the kept (frozen and signed-off) ranking, the
//! ranking and the rule recorded with who applied it, and the promoted entries added to the next
//! round.

use super::*;
use crate::db::schema::{entries, promotion_entries, promotions, round_results, rounds};
use crate::domain::judging::EntrySource;
use crate::domain::results::{self as calc, Promotion, Ranked, Stage};
use crate::error::invalid;

/// The promotion form as typed.
#[derive(serde::Deserialize, serde::Serialize, Default, Clone, Debug)]
#[serde(default)]
pub struct PromotionInput {
    /// `top`, `top_per_category` or `at_least`.
    pub rule: String,
    /// N, for the two "top" rules.
    pub count: String,
    /// The lowest score promoted, for `at_least` (comma or point decimals).
    pub score: String,
    /// The entries ticked, for `chosen`.
    pub entries: Vec<i32>,
}

impl PromotionInput {
    /// Reads the form's fields (`entry` repeats for the ticked entries).
    pub fn from_pairs(form: &[(String, String)]) -> PromotionInput {
        let get = |k: &str| {
            form.iter()
                .find(|(f, _)| f == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        PromotionInput {
            rule: get("rule"),
            count: get("count"),
            score: get("score"),
            entries: form
                .iter()
                .filter(|(f, _)| f == "entry")
                .filter_map(|(_, v)| v.trim().parse().ok())
                .collect(),
        }
    }
}

/// Checks the form: the rule and its number; every problem keyed by its field.
pub fn parse_promotion(input: &PromotionInput) -> Result<Promotion, FieldErrors> {
    let count = || match input.count.trim().parse::<usize>() {
        Ok(n @ 1..=10_000) => Ok(n),
        _ => Err(FieldErrors::from([(
            "count".to_string(),
            "results.error_count".to_string(),
        )])),
    };
    match input.rule.as_str() {
        "top" => Ok(Promotion::Top(count()?)),
        "top_per_category" => Ok(Promotion::TopPerCategory(count()?)),
        "at_least" => {
            let typed = input.score.trim().replace(',', ".");
            match typed.parse::<f64>() {
                Ok(x) if (0.0..=100.0).contains(&x) => {
                    Ok(Promotion::AtLeast((x * 100.0).round() as i64))
                }
                _ => Err(FieldErrors::from([(
                    "score".to_string(),
                    "results.error_score".to_string(),
                )])),
            }
        }
        "chosen" if !input.entries.is_empty() => Ok(Promotion::Chosen(input.entries.len())),
        "chosen" => Err(FieldErrors::from([(
            "rule".to_string(),
            "results.error_chosen".to_string(),
        )])),
        _ => Err(FieldErrors::from([(
            "rule".to_string(),
            "results.error_choice".to_string(),
        )])),
    }
}

/// A live promotion of a round.
#[derive(Queryable, Clone, Debug, serde::Serialize)]
pub struct PromotionRow {
    /// Id.
    pub id: i32,
    /// The round it goes into.
    pub next_round_id: i32,
    /// Rule code.
    pub rule: String,
    /// N or hundredths.
    pub rule_value: i32,
    /// The score that ranked.
    pub ranking: String,
    /// Entries promoted.
    pub promoted: i32,
    /// Who.
    pub created_by: Option<i32>,
    /// When.
    pub created_at: chrono::NaiveDateTime,
}

/// The round's live promotion, if any.
pub fn live_promotion(conn: &mut DbConn, round_id: i32) -> QueryResult<Option<PromotionRow>> {
    promotions::table
        .filter(promotions::round_id.eq(round_id))
        .filter(promotions::undone_at.is_null())
        .select((
            promotions::id,
            promotions::next_round_id,
            promotions::rule,
            promotions::rule_value,
            promotions::ranking,
            promotions::promoted,
            promotions::created_by,
            promotions::created_at,
        ))
        .get_result(conn)
        .optional()
}

/// Which of `entry_ids` a promotion took.
pub fn promoted_among(
    conn: &mut DbConn,
    promotion_id: i32,
    entry_ids: &[i32],
) -> QueryResult<Vec<i32>> {
    promotion_entries::table
        .filter(promotion_entries::promotion_id.eq(promotion_id))
        .filter(promotion_entries::promoted.eq(true))
        .filter(promotion_entries::entry_id.eq_any(entry_ids))
        .select(promotion_entries::entry_id)
        .load(conn)
}

/// The round after this one in its edition.
pub fn next_round(conn: &mut DbConn, r: &Round) -> QueryResult<Option<Round>> {
    rounds::table
        .filter(rounds::edition_id.eq(r.edition_id))
        .filter(rounds::position.eq(r.position + 1))
        .select(Round::as_select())
        .get_result(conn)
        .optional()
}

#[derive(Insertable)]
#[diesel(table_name = promotion_entries)]
struct PromotionEntry {
    promotion_id: i32,
    entry_id: i32,
    position: Option<i32>,
    score_bp: Option<i32>,
    promoted: bool,
}

/// Applies a rule to a signed-off round's kept ranking: records the promotion with every entry's
/// position and score, and adds the promoted entries to the next round. Returns how many went.
pub fn promote(
    conn: &mut DbConn,
    state: &crate::state::AppState,
    actor: &Actor,
    round_id: i32,
    input: &PromotionInput,
) -> Result<usize, AppError> {
    db::transaction(conn, |conn| {
        let r = at_stage(conn, round_id, &[Stage::SignedOff, Stage::Published])?;
        let rule = parse_promotion(input).map_err(AppError::Invalid)?;
        let next = next_round(conn, &r)?.ok_or_else(|| invalid("rule", "results.no_next_round"))?;
        db::hold(conn, db::Row::Round(next.id), db::Hold::Exclusive)?;
        if round::find(conn, next.id)?.is_some_and(|n| n.frozen_at.is_some()) {
            return Err(invalid("rule", "results.next_frozen"));
        }
        if live_promotion(conn, round_id)?.is_some() {
            return Err(invalid("rule", "results.already_promoted"));
        }
        let ranking = settings_of(&r).ranking;
        type Row = (
            i32,
            Option<i32>,
            Option<i32>,
            Option<i32>,
            Option<i32>,
            Option<i32>,
        );
        let rows: Vec<Row> = round_results::table
            .inner_join(entries::table)
            .filter(round_results::round_id.eq(round_id))
            .select((
                round_results::entry_id,
                round_results::position,
                round_results::mean_bp,
                round_results::median_bp,
                round_results::normalised_bp,
                entries::category_id,
            ))
            .load(conn)?;
        let ranked: Vec<Ranked> = rows
            .iter()
            .map(
                |&(entry, position, mean, median, normalised, category)| Ranked {
                    entry,
                    position,
                    score_bp: match ranking {
                        calc::Ranking::Mean => mean,
                        calc::Ranking::Median => median,
                        calc::Ranking::Normalised => normalised,
                    }
                    .map(i64::from),
                    category,
                },
            )
            .collect();
        let chosen = calc::promote(&ranked, rule, &input.entries);
        if chosen.is_empty() {
            return Err(invalid("rule", "results.promote_none"));
        }
        let now = db::now();
        let id: i32 = diesel::insert_into(promotions::table)
            .values((
                promotions::round_id.eq(round_id),
                promotions::next_round_id.eq(next.id),
                promotions::rule.eq(rule.code()),
                promotions::rule_value.eq(rule.value() as i32),
                promotions::ranking.eq(ranking.code()),
                promotions::promoted.eq(chosen.len() as i32),
                promotions::created_by.eq(actor.user_id),
                promotions::created_at.eq(now),
            ))
            .returning(promotions::id)
            .get_result(conn)?;
        let went: std::collections::HashSet<i32> = chosen.iter().copied().collect();
        let all: Vec<PromotionEntry> = ranked
            .iter()
            .map(|x| PromotionEntry {
                promotion_id: id,
                entry_id: x.entry,
                position: x.position,
                score_bp: x.score_bp.map(|s| s as i32),
                promoted: went.contains(&x.entry),
            })
            .collect();
        let mut all = all;
        while !all.is_empty() {
            let rest = all.split_off(all.len().min(500));
            // A multi-row INSERT is not available through the multi-backend connection.
            let insert = diesel::insert_into(promotion_entries::table).values(all);
            match conn {
                DbConn::Sqlite(c) => insert.execute(c)?,
                DbConn::Postgresql(c) => insert.execute(c)?,
            };
            all = rest;
        }
        round::add_entries(
            conn,
            next.id,
            &chosen,
            EntrySource::Promotion.code(),
            actor.user_id,
            now,
        )?;
        audit::record(
            conn,
            actor,
            "results.promote",
            ("round", Some(round_id)),
            json!({"next_round": next.id, "rule": rule.code(), "value": rule.value(),
                   "ranking": ranking.code(), "promoted": chosen.len(), "of": ranked.len()}),
        )?;
        // Before publication the results mail will carry the promotion; after it, units hear now.
        if stage(&r) == Stage::Published {
            announce(conn, state, &r, true)?;
        }
        Ok(chosen.len())
    })
}

/// Undoes a round's promotion, with a reason: the promoted entries leave the next round (refused
/// once judges are assigned to them there), the promotion is kept as undone with who, when and why,
/// and mail about it that has not gone out is withdrawn; if the results are published, every unit
/// is mailed its outcome as it now stands.
pub fn undo_promotion(
    conn: &mut DbConn,
    state: &crate::state::AppState,
    actor: &Actor,
    round_id: i32,
    reason: &str,
) -> Result<(), AppError> {
    use crate::db::schema::{assignments, round_entries};
    db::transaction(conn, |conn| {
        let r = at_stage(conn, round_id, &[Stage::SignedOff, Stage::Published])?;
        let p = live_promotion(conn, round_id)?
            .ok_or_else(|| invalid("reason", "results.no_promotion"))?;
        db::hold(conn, db::Row::Round(p.next_round_id), db::Hold::Exclusive)?;
        if round::find(conn, p.next_round_id)?.is_some_and(|n| n.frozen_at.is_some()) {
            return Err(invalid("reason", "results.next_frozen"));
        }
        let reason =
            crate::domain::text::required_line(reason, 500).map_err(|k| invalid("reason", k))?;
        let promoted: Vec<i32> = promotion_entries::table
            .filter(promotion_entries::promotion_id.eq(p.id))
            .filter(promotion_entries::promoted.eq(true))
            .select(promotion_entries::entry_id)
            .load(conn)?;
        let assigned: i64 = assignments::table
            .filter(assignments::round_id.eq(p.next_round_id))
            .filter(assignments::entry_id.eq_any(&promoted))
            .filter(assignments::withdrawn_at.is_null())
            .count()
            .get_result(conn)?;
        if assigned > 0 {
            return Err(invalid("reason", "results.undo_assigned"));
        }
        diesel::delete(
            round_entries::table
                .filter(round_entries::round_id.eq(p.next_round_id))
                .filter(round_entries::entry_id.eq_any(&promoted))
                .filter(round_entries::source.eq(EntrySource::Promotion.code())),
        )
        .execute(conn)?;
        let now = db::now();
        diesel::update(promotions::table.find(p.id))
            .set((
                promotions::undone_at.eq(Some(now)),
                promotions::undone_by.eq(actor.user_id),
                promotions::undo_reason.eq(&reason),
            ))
            .execute(conn)?;
        let withdrawn = withdraw_announcement(conn, round_id)?;
        if stage(&r) == Stage::Published {
            announce(conn, state, &r, false)?;
        }
        audit::record(
            conn,
            actor,
            "promotion.undo",
            ("round", Some(round_id)),
            json!({"promotion": p.id, "entries": promoted.len(), "reason": reason,
                   "mail_withdrawn": withdrawn}),
        )?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(rule: &str, count: &str, score: &str) -> PromotionInput {
        PromotionInput {
            rule: rule.into(),
            count: count.into(),
            score: score.into(),
            entries: Vec::new(),
        }
    }

    #[test]
    fn the_form_reads_a_rule_and_its_number_and_names_what_is_wrong() {
        assert_eq!(
            parse_promotion(&input("top", "99", "")),
            Ok(Promotion::Top(99))
        );
        assert_eq!(
            parse_promotion(&input("top_per_category", " 5 ", "")),
            Ok(Promotion::TopPerCategory(5))
        );
        assert_eq!(
            parse_promotion(&input("at_least", "", "72,5")),
            Ok(Promotion::AtLeast(7250))
        );
        assert_eq!(
            parse_promotion(&input("at_least", "", "80.25")),
            Ok(Promotion::AtLeast(8025))
        );
        for (rule, count, score, field) in [
            ("top", "0", "", "count"),
            ("top", "sepuluh", "", "count"),
            ("top_per_category", "-3", "", "count"),
            ("at_least", "", "101", "score"),
            ("at_least", "", "", "score"),
            ("best", "3", "", "rule"),
            ("chosen", "", "", "rule"),
        ] {
            let errors = parse_promotion(&input(rule, count, score)).unwrap_err();
            assert!(errors.contains_key(field), "{rule} {count} {score}");
        }
    }
}
