//! The edition's awards, computed from its rounds' kept rankings (published ones only for units and
//! the public; organisers also preview frozen rounds): winners per category, per award group of
//! entries, and per award group of units by the edition's rule.

use super::*;
use std::collections::HashMap;

use crate::db::schema::{editions, entries, round_results, rounds, units};
use crate::domain::awards::{Placed, RoundRanked, Standing, final_standing, unit_standing};
use crate::domain::results::Ranking;

/// One place of an award.
#[derive(serde::Serialize, Clone, Debug)]
pub struct Winner {
    /// 1-based place.
    pub place: usize,
    /// The entry (entry awards).
    pub entry: Option<i32>,
    /// Entry name, or unit name for unit awards.
    pub name: String,
    /// Unit name (entry awards) or the entries that counted (unit awards).
    pub detail: String,
    /// Final score, or the unit's sum, hundredths.
    pub score_bp: i64,
}

/// An award and its winners.
#[derive(serde::Serialize, Clone, Debug)]
pub struct Award {
    /// Stable key for links: `category-3`, `group-2`.
    pub key: String,
    /// `category`, `entry` or `unit`.
    pub kind: &'static str,
    /// Indonesian name.
    pub name_id: String,
    /// English name.
    pub name_en: String,
    /// Its winners, first place first.
    pub winners: Vec<Winner>,
}

/// All awards of an edition.
#[derive(serde::Serialize, Clone, Debug)]
pub struct Awards {
    /// Edition name.
    pub edition: String,
    /// Edition year.
    pub year: i32,
    /// Places per award.
    pub places: i32,
    /// Entries summed per unit.
    pub unit_best: i32,
    /// Rounds the standing comes from (names id, en; published).
    pub rounds: Vec<(String, String, bool)>,
    /// Entries in the final standing.
    pub standing: usize,
    /// Category awards, then award groups.
    pub awards: Vec<Award>,
}

/// The rounds a standing comes from, and the standing.
pub type RoundsAndStanding = (Vec<Round>, Vec<Standing>);

/// A kept row: entry, rank, and the three scores.
type KeptRank = (i32, Option<i32>, (Option<i32>, Option<i32>, Option<i32>));

/// What the edition's results are computed from, summarised in one small read: when the edition
/// last changed, and its `results_stamps` counter, which triggers move in the same transaction as
/// every change to its rounds, to its entries' names, categories and units, and to the units'
/// names and types (migration `results_stamps`). The standing and the awards are cached per process
/// under it, so a cached copy is only used while the rows it came from are unchanged, whichever
/// instance changed them and whatever its clock says.
#[derive(Clone, Debug, PartialEq, QueryableByName)]
struct Fingerprint {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamp>)]
    edition: Option<chrono::NaiveDateTime>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
    changes: Option<i32>,
}

fn fingerprint(conn: &mut DbConn, edition_id: i32) -> Result<Fingerprint, AppError> {
    use diesel::sql_types::Integer;
    Ok(diesel::sql_query(
        "SELECT (SELECT updated_at FROM editions WHERE id = $1) AS edition, \
         (SELECT n FROM results_stamps WHERE edition_id = $1) AS changes",
    )
    .bind::<Integer, _>(edition_id)
    .get_result(conn)?)
}

/// A kept value and the fingerprint it was computed at, per (edition, with unpublished rounds).
type Kept<T> = HashMap<(i32, bool), (Fingerprint, std::sync::Arc<T>)>;

/// Values per (edition, with unpublished rounds) with the fingerprint each was computed at.
struct Cached<T> {
    kept: std::sync::Mutex<Kept<T>>,
    // Views arriving together after a change (or at start) would otherwise each compute the
    // standing of 3,500 entries at once: p99 of the awards page was 255 ms against a p95 of 26.
    // The first computes; the others wait for its value. One lock per key, so one edition's
    // computation never holds up another's.
    computing: std::sync::Mutex<Flights>,
}

/// One lock per key, taken while that key's value is computed.
type Flights = HashMap<(i32, bool), std::sync::Arc<std::sync::Mutex<()>>>;

impl<T> Default for Cached<T> {
    fn default() -> Self {
        Cached {
            kept: Default::default(),
            computing: Default::default(),
        }
    }
}

impl<T> Cached<T> {
    fn kept_at(&self, key: (i32, bool), print: &Fingerprint) -> Option<std::sync::Arc<T>> {
        self.kept
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .filter(|(at, _)| at == print)
            .map(|(_, v)| v.clone())
    }
}

static STANDINGS: std::sync::LazyLock<Cached<Option<RoundsAndStanding>>> =
    std::sync::LazyLock::new(Default::default);
static AWARDS: std::sync::LazyLock<Cached<Option<Awards>>> =
    std::sync::LazyLock::new(Default::default);

/// The cached value for this key if its fingerprint still holds, else computes and keeps it. The
/// fingerprint is read before computing, so a change landing meanwhile is computed again later.
/// Inside a transaction a value is computed but not kept: its writes may still be rolled back,
/// and the counter would then come back to the same number over other rows. A transaction that
/// writes what the results read reads them before it writes (on PostgreSQL the counter moves at
/// commit).
fn cached<T>(
    cache: &Cached<T>,
    conn: &mut DbConn,
    key: (i32, bool),
    compute: impl FnOnce(&mut DbConn) -> Result<T, AppError>,
) -> Result<std::sync::Arc<T>, AppError> {
    let now = fingerprint(conn, key.0)?;
    if let Some(value) = cache.kept_at(key, &now) {
        return Ok(value);
    }
    let key_lock = cache
        .computing
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(key)
        .or_default()
        .clone();
    let _one = key_lock.lock().unwrap_or_else(|p| p.into_inner());
    let now = fingerprint(conn, key.0)?;
    if let Some(value) = cache.kept_at(key, &now) {
        return Ok(value);
    }
    let value = std::sync::Arc::new(compute(conn)?);
    if db::in_transaction(conn) {
        return Ok(value);
    }
    cache
        .kept
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, (now, value.clone()));
    Ok(value)
}

/// The edition's final standing from the rounds with a kept ranking (only published ones unless
/// `with_unpublished`), and those rounds; `None` when there is none yet. Cached (see
/// [`Fingerprint`]).
pub fn final_standing_of(
    conn: &mut DbConn,
    edition_id: i32,
    with_unpublished: bool,
) -> Result<std::sync::Arc<Option<RoundsAndStanding>>, AppError> {
    cached(&STANDINGS, conn, (edition_id, with_unpublished), |conn| {
        read_final_standing(conn, edition_id, with_unpublished)
    })
}

fn read_final_standing(
    conn: &mut DbConn,
    edition_id: i32,
    with_unpublished: bool,
) -> Result<Option<RoundsAndStanding>, AppError> {
    let mut q = rounds::table
        .filter(rounds::edition_id.eq(edition_id))
        .filter(rounds::frozen_at.is_not_null())
        .into_boxed();
    if !with_unpublished {
        q = q.filter(rounds::published_at.is_not_null());
    }
    let rs: Vec<Round> = q
        .order(rounds::position)
        .select(Round::as_select())
        .load(conn)?;
    if rs.is_empty() {
        return Ok(None);
    }
    let mut ranked = Vec::new();
    for r in &rs {
        let rows: Vec<KeptRank> = round_results::table
            .filter(round_results::round_id.eq(r.id))
            .filter(round_results::position.is_not_null())
            .select((
                round_results::entry_id,
                round_results::position,
                (
                    round_results::mean_bp,
                    round_results::median_bp,
                    round_results::normalised_bp,
                ),
            ))
            .load(conn)?;
        let ranking = settings_of(r).ranking;
        ranked.push(RoundRanked {
            weight: r.final_weight,
            rows: rows
                .into_iter()
                .filter_map(|(entry, position, s)| {
                    let score = match ranking {
                        Ranking::Mean => s.0,
                        Ranking::Median => s.1,
                        Ranking::Normalised => s.2,
                    }?;
                    Some(Placed {
                        entry,
                        position: position?,
                        score_bp: i64::from(score),
                    })
                })
                .collect(),
        });
    }
    let standing = final_standing(&ranked);
    Ok(Some((rs, standing)))
}

/// The awards of an edition from the rounds with a kept ranking (only published ones unless
/// `with_unpublished`); `None` when there is none yet. Cached (see [`Fingerprint`]).
pub fn awards(
    conn: &mut DbConn,
    edition_id: i32,
    with_unpublished: bool,
) -> Result<Option<Awards>, AppError> {
    let v = cached(&AWARDS, conn, (edition_id, with_unpublished), |conn| {
        read_awards(conn, edition_id, with_unpublished)
    })?;
    Ok((*v).clone())
}

fn read_awards(
    conn: &mut DbConn,
    edition_id: i32,
    with_unpublished: bool,
) -> Result<Option<Awards>, AppError> {
    let ed = crate::models::edition::find(conn, edition_id)?.ok_or(AppError::NotFound)?;
    let shared = final_standing_of(conn, edition_id, with_unpublished)?;
    let Some((rs, standing)) = shared.as_ref() else {
        return Ok(None);
    };
    // The entries' names, units and categories, read once for the whole edition.
    type Info = (i32, String, Option<i32>, i32, String, String);
    let info: HashMap<i32, Info> = entries::table
        .inner_join(units::table)
        .filter(entries::edition_id.eq(edition_id))
        .select((
            entries::id,
            entries::name,
            entries::category_id,
            units::id,
            units::name,
            units::unit_type,
        ))
        .load::<Info>(conn)?
        .into_iter()
        .map(|i| (i.0, i))
        .collect();
    let places = ed.award_places.max(1) as usize;
    let entry_winner = |place: usize, s: &Standing| {
        let i = info.get(&s.entry);
        Winner {
            place,
            entry: Some(s.entry),
            name: i.map(|i| i.1.clone()).unwrap_or_default(),
            detail: i.map(|i| i.4.clone()).unwrap_or_default(),
            score_bp: s.score_bp,
        }
    };
    let mut out = Vec::new();
    for c in crate::models::edition::categories(conn, edition_id)? {
        let winners: Vec<Winner> = standing
            .iter()
            .filter(|s| info.get(&s.entry).and_then(|i| i.2) == Some(c.id))
            .take(places)
            .enumerate()
            .map(|(i, s)| entry_winner(i + 1, s))
            .collect();
        if !winners.is_empty() {
            out.push(Award {
                key: format!("category-{}", c.id),
                kind: "category",
                name_id: c.name_id,
                name_en: c.name_en,
                winners,
            });
        }
    }
    let unit_of: HashMap<i32, i32> = info.values().map(|i| (i.0, i.3)).collect();
    // As in `final_standing`: the final scores are combined when any counted round has a weight.
    let combined = rs.iter().any(|r| r.final_weight > 0);
    let unit_info: HashMap<i32, (String, String)> = info
        .values()
        .map(|i| (i.3, (i.4.clone(), i.5.clone())))
        .collect();
    for g in crate::models::edition::award_groups(conn, edition_id)? {
        if !g.active {
            continue;
        }
        let types: Vec<&str> = g
            .unit_types
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        let winners: Vec<Winner> = if types.is_empty() {
            standing
                .iter()
                .take(places)
                .enumerate()
                .map(|(i, s)| entry_winner(i + 1, s))
                .collect()
        } else {
            let eligible = |u: i32| {
                unit_info
                    .get(&u)
                    .is_some_and(|(_, t)| types.contains(&t.as_str()))
            };
            unit_standing(
                standing,
                &unit_of,
                eligible,
                ed.unit_award_best as usize,
                combined,
            )
            .into_iter()
            .take(places)
            .enumerate()
            .map(|(i, u)| Winner {
                place: i + 1,
                entry: None,
                name: unit_info
                    .get(&u.unit)
                    .map(|x| x.0.clone())
                    .unwrap_or_default(),
                detail: u
                    .entries
                    .iter()
                    .filter_map(|e| info.get(e).map(|i| i.1.clone()))
                    .collect::<Vec<_>>()
                    .join("; "),
                score_bp: u.score_bp,
            })
            .collect()
        };
        if !winners.is_empty() {
            out.push(Award {
                key: format!("group-{}", g.id),
                kind: if types.is_empty() { "entry" } else { "unit" },
                name_id: g.name_id,
                name_en: g.name_en,
                winners,
            });
        }
    }
    Ok(Some(Awards {
        edition: ed.name,
        year: ed.year,
        places: ed.award_places,
        unit_best: ed.unit_award_best,
        rounds: rs
            .iter()
            .map(|r| {
                (
                    r.name_id.clone(),
                    r.name_en.clone(),
                    r.published_at.is_some(),
                )
            })
            .collect(),
        standing: standing.len(),
        awards: out,
    }))
}

/// The award rule as typed.
#[derive(serde::Deserialize, serde::Serialize, Default, Clone, Debug)]
#[serde(default)]
pub struct AwardRuleInput {
    /// Places per award.
    pub places: String,
    /// Entries summed per unit.
    pub unit_best: String,
}

/// Saves the edition's award rule: both numbers 1–10, every bad field named.
pub fn save_award_rule(
    conn: &mut DbConn,
    actor: &Actor,
    edition_id: i32,
    input: &AwardRuleInput,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    let mut number = |field: &str, v: &str| match v.trim().parse::<i32>() {
        Ok(n @ 1..=10) => n,
        _ => {
            errors.insert(field.into(), "awards.error_number".into());
            0
        }
    };
    let places = number("places", &input.places);
    let best = number("unit_best", &input.unit_best);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    db::transaction(conn, |conn| {
        crate::models::edition::find(conn, edition_id)?.ok_or(AppError::NotFound)?;
        diesel::update(editions::table.find(edition_id))
            .set((
                editions::award_places.eq(places),
                editions::unit_award_best.eq(best),
                editions::updated_at.eq(db::now()),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            actor,
            "awards.rule",
            ("edition", Some(edition_id)),
            json!({"places": places, "unit_best": best}),
        )?;
        Ok(())
    })
}
