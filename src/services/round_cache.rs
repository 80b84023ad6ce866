//! What is computed from a whole round while judging is open (its live results, its sheets per day)
//! kept per application state, and computed again only when the round's stamp moves.
//!
//! The stamp is the round's `updated_at` (its settings) and its `round_stamps.scores` counter, which
//! triggers bump in the same transaction as every change to its submitted sheets, its assignments
//! and its entries (migration `round_stamps`). It lives in the database, so a change made through
//! any instance is seen by every other on its next view. The cache belongs to the application
//! state, not the process, so two databases served from one process (the tests) never share it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::round_stamps;
use crate::error::AppError;
use crate::models::round::Round;

type Stamp = (NaiveDateTime, Option<i32>);

/// Values computed from a round, with the stamp each was computed at.
pub struct RoundCache<T> {
    kept: Mutex<HashMap<i32, (Stamp, Arc<T>)>>,
    // Sixty-four views arriving together after a change would otherwise compute sixty-four
    // times; the first computes and the others wait for its value.
    computing: Mutex<()>,
}

impl<T> Default for RoundCache<T> {
    fn default() -> Self {
        RoundCache {
            kept: Mutex::default(),
            computing: Mutex::default(),
        }
    }
}

impl<T> RoundCache<T> {
    /// The kept value for the round while its stamp holds, else `compute`'s (then kept). The
    /// stamp is read before computing: a change that lands during the computation moves it, so
    /// the next view computes again.
    pub fn get(
        &self,
        conn: &mut DbConn,
        r: &Round,
        compute: impl FnOnce(&mut DbConn) -> Result<T, AppError>,
    ) -> Result<Arc<T>, AppError> {
        let stamp = stamp_of(conn, r)?;
        if let Some(v) = self.kept_at(r.id, stamp) {
            return Ok(v);
        }
        let _one = self.computing.lock().unwrap_or_else(|p| p.into_inner());
        let stamp = stamp_of(conn, r)?;
        if let Some(v) = self.kept_at(r.id, stamp) {
            return Ok(v);
        }
        let v = Arc::new(compute(conn)?);
        self.kept
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(r.id, (stamp, v.clone()));
        Ok(v)
    }

    fn kept_at(&self, round_id: i32, stamp: Stamp) -> Option<Arc<T>> {
        self.kept
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&round_id)
            .filter(|(at, _)| *at == stamp)
            .map(|(_, v)| v.clone())
    }
}

fn stamp_of(conn: &mut DbConn, r: &Round) -> Result<Stamp, AppError> {
    let scores = round_stamps::table
        .find(r.id)
        .select(round_stamps::scores)
        .get_result(conn)
        .optional()?;
    Ok((r.updated_at, scores))
}

/// The round caches of one application state.
#[derive(Default)]
pub struct RoundCaches {
    /// An open round's results (the organisers' live ranking and its exports).
    pub results: RoundCache<crate::services::results::Computed>,
    /// A frozen round's kept totals and every kept row's scores (the results page's counts and
    /// charts); the kept rows change only when the round is frozen or reopened, which moves its
    /// `updated_at`.
    pub kept: RoundCache<(
        crate::services::results::KeptTotals,
        Vec<crate::services::results::KeptScores>,
    )>,
    /// Mean score per category and criterion (the results page's grid).
    pub criteria: RoundCache<Vec<(Option<i32>, i32, f64)>>,
    /// Submitted sheets per day (the progress page's chart).
    pub days: RoundCache<Vec<crate::services::judging::DayCount>>,
}
