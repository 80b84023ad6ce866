//! The assignment board of a round, as the organiser sees it: each judge's load and progress, each
//! entry's judges, what is short and what waits to be announced.

use super::*;
use crate::db::schema::{entries, sheets, units, users};

/// Entries per page on the board.
pub const BOARD_PAGE: usize = 50;
/// Judges per page on the board (a national panel has 300).
pub const JUDGE_PAGE: usize = 50;

/// A judge's line on the board.
#[derive(Debug, Clone, serde::Serialize)]
pub struct JudgeLoad {
    /// The judge.
    pub id: i32,
    /// Name.
    pub name: String,
    /// Institution or unit.
    pub affiliation: String,
    /// Accepted the edition's declaration.
    pub declared: bool,
    /// Live assignments in the round.
    pub load: i64,
    /// Sheets submitted.
    pub submitted: i64,
    /// Sheets started, not submitted.
    pub drafts: i64,
}

/// A judge on an entry's line.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OnEntry {
    /// The assignment.
    pub assignment_id: i32,
    /// Judge's name.
    pub judge: String,
    /// `none`, `draft` or `submitted`.
    pub sheet: String,
    /// Made by hand.
    pub manual: bool,
}

/// An entry's line on the board.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EntryLine {
    /// The entry.
    pub id: i32,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Its judges.
    pub judges: Vec<OnEntry>,
    /// Judges still missing.
    pub missing: i64,
}

/// The whole board.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Board {
    /// This page of judges, by name.
    pub judges: Vec<JudgeLoad>,
    /// Judges on the round.
    pub judge_count: usize,
    /// Live assignments, sheets submitted and drafts of the whole round.
    pub totals: (i64, i64, i64),
    /// The most entries any judge has (for the load bars).
    pub max_load: i64,
    /// This page of entries.
    pub entries: Vec<EntryLine>,
    /// Entries in the round.
    pub entry_count: usize,
    /// Entries short of judges.
    pub short_count: usize,
    /// Entries matching the filter (for paging).
    pub shown_count: usize,
    /// Assignments not announced to their judge yet.
    pub unannounced: i64,
    /// Assignments withdrawn for a conflict.
    pub withdrawn_for_conflict: i64,
}

/// Reads the board; `only_short` keeps entries that still miss judges; `page` (entries) and
/// `judge_page` are 1-based.
pub fn board(
    conn: &mut DbConn,
    round_id: i32,
    only_short: bool,
    page: usize,
    judge_page: usize,
) -> Result<Board, AppError> {
    let r = round::find(conn, round_id)?.ok_or(AppError::NotFound)?;
    let k = i64::from(r.judges_per_entry);
    let per_entry: HashMap<i32, i64> = assignments::table
        .filter(assignments::round_id.eq(round_id))
        .filter(assignments::withdrawn_at.is_null())
        .group_by(assignments::entry_id)
        .select((assignments::entry_id, diesel::dsl::count_star()))
        .load::<(i32, i64)>(conn)?
        .into_iter()
        .collect();
    let in_round: Vec<i32> = round::entry_ids(conn, round_id)?;
    let missing = |id: i32| (k - per_entry.get(&id).copied().unwrap_or(0)).max(0);
    let short: Vec<i32> = in_round
        .iter()
        .copied()
        .filter(|e| missing(*e) > 0)
        .collect();
    let start = (page.max(1) - 1) * BOARD_PAGE;
    // The page's entries by name: for "all", the database pages through the round's entries in
    // name order; for "short", only the short ones are read, then sorted here.
    let page_rows: Vec<(i32, String, String)> = if only_short {
        let mut rows: Vec<(i32, String, String)> = Vec::with_capacity(short.len());
        for chunk in short.chunks(5_000) {
            rows.extend(
                entries::table
                    .inner_join(units::table)
                    .filter(entries::id.eq_any(chunk))
                    .select((entries::id, entries::name, units::name))
                    .load::<(i32, String, String)>(conn)?,
            );
        }
        rows.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        rows.into_iter().skip(start).take(BOARD_PAGE).collect()
    } else {
        let in_this_round = crate::db::schema::round_entries::table
            .filter(crate::db::schema::round_entries::round_id.eq(round_id))
            .filter(crate::db::schema::round_entries::entry_id.eq(entries::id));
        entries::table
            .inner_join(units::table)
            .filter(diesel::dsl::exists(in_this_round))
            .order((entries::name, entries::id))
            .limit(BOARD_PAGE as i64)
            .offset(start as i64)
            .select((entries::id, entries::name, units::name))
            .load(conn)?
    };
    let short_count = short.len();
    let shown_count = if only_short {
        short_count
    } else {
        in_round.len()
    };
    let ids: Vec<i32> = page_rows.iter().map(|e| e.0).collect();
    let on: Vec<(i32, i32, String, String, Option<String>)> = assignments::table
        .inner_join(users::table.on(users::id.eq(assignments::judge_id)))
        .left_join(sheets::table.on(sheets::assignment_id.eq(assignments::id)))
        .filter(assignments::round_id.eq(round_id))
        .filter(assignments::withdrawn_at.is_null())
        .filter(assignments::entry_id.eq_any(&ids))
        .order((assignments::entry_id, users::name))
        .select((
            assignments::entry_id,
            assignments::id,
            users::name,
            assignments::source,
            sheets::status.nullable(),
        ))
        .load(conn)?;
    let mut by_entry: HashMap<i32, Vec<OnEntry>> = HashMap::new();
    for (e, a, judge, source, sheet) in on {
        by_entry.entry(e).or_default().push(OnEntry {
            assignment_id: a,
            judge,
            sheet: sheet.unwrap_or_else(|| "none".into()),
            manual: source == AssignmentSource::Manual.code(),
        });
    }
    let entries = page_rows
        .into_iter()
        .map(|(id, name, unit)| EntryLine {
            judges: by_entry.remove(&id).unwrap_or_default(),
            missing: missing(id),
            id,
            name,
            unit,
        })
        .collect();

    let loads: HashMap<i32, i64> = assignments::table
        .filter(assignments::round_id.eq(round_id))
        .filter(assignments::withdrawn_at.is_null())
        .group_by(assignments::judge_id)
        .select((assignments::judge_id, diesel::dsl::count_star()))
        .load::<(i32, i64)>(conn)?
        .into_iter()
        .collect();
    let mut progress: HashMap<(i32, String), i64> = HashMap::new();
    for (j, status, n) in sheets::table
        .inner_join(assignments::table)
        .filter(sheets::round_id.eq(round_id))
        .filter(assignments::withdrawn_at.is_null())
        .group_by((sheets::judge_id, sheets::status))
        .select((sheets::judge_id, sheets::status, diesel::dsl::count_star()))
        .load::<(i32, String, i64)>(conn)?
    {
        progress.insert((j, status), n);
    }
    let declared: HashSet<i32> = judge_declarations::table
        .filter(judge_declarations::edition_id.eq(r.edition_id))
        .select(judge_declarations::judge_id)
        .load::<i32>(conn)?
        .into_iter()
        .collect();
    let unit_names: HashMap<i32, String> = unit::all(conn)?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let judges: Vec<JudgeLoad> = model::round_judges(conn, round_id)?
        .into_iter()
        .map(|j| JudgeLoad {
            affiliation: j
                .affiliation
                .clone()
                .filter(|a| !a.is_empty())
                .or_else(|| j.unit_id.and_then(|u| unit_names.get(&u).cloned()))
                .unwrap_or_default(),
            declared: declared.contains(&j.id),
            load: loads.get(&j.id).copied().unwrap_or(0),
            submitted: progress
                .get(&(j.id, SheetStatus::Submitted.code().to_string()))
                .copied()
                .unwrap_or(0),
            drafts: progress
                .get(&(j.id, SheetStatus::Draft.code().to_string()))
                .copied()
                .unwrap_or(0),
            id: j.id,
            name: j.name,
        })
        .collect();
    let totals = judges.iter().fold((0, 0, 0), |t, j| {
        (t.0 + j.load, t.1 + j.submitted, t.2 + j.drafts)
    });
    let max_load = judges.iter().map(|j| j.load).max().unwrap_or(0).max(1);
    let judge_count = judges.len();
    let judges = judges
        .into_iter()
        .skip((judge_page.max(1) - 1) * JUDGE_PAGE)
        .take(JUDGE_PAGE)
        .collect();
    let unannounced = assignments::table
        .filter(assignments::round_id.eq(round_id))
        .filter(assignments::withdrawn_at.is_null())
        .filter(assignments::notified_at.is_null())
        .count()
        .get_result(conn)?;
    let withdrawn_for_conflict = assignments::table
        .filter(assignments::round_id.eq(round_id))
        .filter(assignments::withdrawn_reason.eq("conflict"))
        .count()
        .get_result(conn)?;
    Ok(Board {
        judges,
        judge_count,
        totals,
        max_load,
        entries,
        entry_count: in_round.len(),
        short_count,
        shown_count,
        unannounced,
        withdrawn_for_conflict,
    })
}

/// Sheets submitted on one day (Jakarta time).
#[derive(diesel::QueryableByName, Debug, Clone, serde::Serialize)]
pub struct DayCount {
    /// The day, `YYYY-MM-DD`.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub day: String,
    /// Sheets submitted that day.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub n: i64,
}

/// Submitted sheets of a round per day in Jakarta time, oldest first: counted by the database (the
/// date functions differ by engine, so each gets its own statement).
pub fn submitted_per_day(conn: &mut DbConn, round_id: i32) -> Result<Vec<DayCount>, AppError> {
    use diesel::sql_types::Integer;
    let sql = match conn {
        DbConn::Sqlite(_) => {
            "SELECT date(submitted_at, '+7 hours') AS day, COUNT(*) AS n FROM sheets \
             WHERE round_id = $1 AND status = 'submitted' AND submitted_at IS NOT NULL \
             GROUP BY day ORDER BY day"
        }
        DbConn::Postgresql(_) => {
            "SELECT to_char(submitted_at + interval '7 hours', 'YYYY-MM-DD') AS day, COUNT(*) AS n \
             FROM sheets WHERE round_id = $1 AND status = 'submitted' AND submitted_at IS NOT NULL \
             GROUP BY day ORDER BY day"
        }
    };
    Ok(diesel::sql_query(sql)
        .bind::<Integer, _>(round_id)
        .load(conn)?)
}
