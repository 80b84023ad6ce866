//! How a round's results are computed: the organiser's choices, checked and audited.

use super::*;
use crate::db::schema::rounds;
use crate::domain::results::{Normalisation, Ranking};
use crate::models::rubric;

/// The settings form as typed.
#[derive(serde::Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct SettingsInput {
    /// Ranking code.
    pub ranking: String,
    /// Normalisation code.
    pub normalisation: String,
    /// Spread threshold in points.
    pub spread_threshold: String,
    /// Weight in the combined score, in percent.
    pub final_weight: String,
    /// Tie-breaking criteria by code, in order (one select per position; empty ones skipped).
    pub tie: Vec<String>,
}

/// Checks the settings against the round's rubric; every problem keyed by its field.
pub fn validate_settings(
    input: &SettingsInput,
    codes: &[String],
) -> Result<ResultSettings, FieldErrors> {
    let mut errors = FieldErrors::new();
    let ranking = Ranking::parse(&input.ranking);
    if ranking.is_none() {
        errors.insert("ranking".into(), "results.error_choice".into());
    }
    let normalisation = Normalisation::parse(&input.normalisation);
    if normalisation.is_none() {
        errors.insert("normalisation".into(), "results.error_choice".into());
    }
    let threshold = input.spread_threshold.trim().parse::<i32>().ok();
    if !matches!(threshold, Some(0..=100)) {
        errors.insert("spread_threshold".into(), "results.error_threshold".into());
    }
    let weight = input.final_weight.trim().parse::<i32>().ok();
    if !matches!(weight, Some(0..=100)) {
        errors.insert("final_weight".into(), "results.error_weight".into());
    }
    let mut order: Vec<String> = Vec::new();
    for code in input.tie.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        if !codes.iter().any(|c| c == code) {
            errors.insert("tie".into(), "results.error_choice".into());
        } else if order.iter().any(|c| c == code) {
            errors.insert("tie".into(), "results.error_tie_twice".into());
        } else {
            order.push(code.to_string());
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ResultSettings {
        ranking: ranking.map(Ranking::code).unwrap_or_default().to_string(),
        normalisation: normalisation
            .map(Normalisation::code)
            .unwrap_or_default()
            .to_string(),
        spread_threshold: threshold.unwrap_or(20),
        final_weight: weight.unwrap_or(0),
        tie_breakers: serde_json::to_string(&order).unwrap_or_default(),
        updated_at: db::now(),
    })
}

/// Saves how a round's results are computed.
pub fn save_settings(
    conn: &mut DbConn,
    actor: &Actor,
    round_id: i32,
    input: &SettingsInput,
) -> Result<(), AppError> {
    db::transaction(conn, |conn| {
        // Held against a freeze: settings changed under a kept ranking would rank it one way
        // and promote and award it another.
        db::hold(conn, db::Row::Round(round_id), db::Hold::Exclusive)?;
        let r = round::find(conn, round_id)?.ok_or(AppError::NotFound)?;
        if r.frozen_at.is_some() {
            return Err(crate::error::invalid("ranking", "results.not_frozen"));
        }
        let codes: Vec<String> = rubric::criteria(conn, r.rubric_id)?
            .into_iter()
            .filter(|c| c.counted)
            .map(|c| c.code)
            .collect();
        let s = validate_settings(input, &codes).map_err(AppError::Invalid)?;
        diesel::update(rounds::table.find(round_id))
            .set(&s)
            .execute(conn)?;
        audit::record(
            conn,
            actor,
            "results.settings",
            ("round", Some(round_id)),
            json!({"ranking": s.ranking, "normalisation": s.normalisation,
                   "spread_threshold": s.spread_threshold, "final_weight": s.final_weight,
                   "tie_breakers": s.tie_breakers}),
        )?;
        Ok(())
    })
}
