//! The assignment board of a round, as the organiser sees it: each judge's load and progress, each
//! entry's judges, what is short and what waits to be announced.

use super::*;
use crate::db::PageDsl;
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
    /// The judge's account is active (a deactivated judge's unsubmitted sheet fills no place).
    pub active: bool,
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
    /// Why it has no more judges, when it is short.
    pub why: Option<Shortfall>,
}

/// A judge of the round, for the "assign to" choice.
#[derive(Debug, Clone, serde::Serialize)]
pub struct JudgeOption {
    /// The judge.
    pub id: i32,
    /// Name.
    pub name: String,
}

/// The whole board.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Board {
    /// The round.
    pub round: round::Round,
    /// This page of judges, by name.
    pub judges: Vec<JudgeLoad>,
    /// Judges on the round.
    pub judge_count: usize,
    /// Every judge on the round, by name.
    pub options: Vec<JudgeOption>,
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
/// `judge_page` are 1-based. The counts come from the counters the database keeps with every
/// assignment and sheet (`round_entries.judges`, `round_judges.assigned` and the rest), so a view
/// reads a page of rows whatever the size of the round.
pub fn board(
    conn: &mut DbConn,
    round_id: i32,
    only_short: bool,
    page: usize,
    judge_page: usize,
) -> Result<Board, AppError> {
    use crate::db::schema::{round_entries, round_judges};
    let r = round::find(conn, round_id)?.ok_or(AppError::NotFound)?;
    let k = r.judges_per_entry;
    let entry_count: i64 = round_entries::table
        .filter(round_entries::round_id.eq(round_id))
        .count()
        .get_result(conn)?;
    let counted_short: i64 = round_entries::table
        .filter(round_entries::round_id.eq(round_id))
        .filter(round_entries::judges.lt(k))
        .count()
        .get_result(conn)?;
    // The counter counts every live assignment; a deactivated judge's unsubmitted one fills no
    // place (as automatic assignment counts it). Such judges are few (usually none), so their
    // assignments are read alone and the entries they leave short added to the short view.
    let inactive: Vec<i32> = round_judges::table
        .inner_join(users::table.on(users::id.eq(round_judges::judge_id)))
        .filter(round_judges::round_id.eq(round_id))
        .filter(users::active.eq(false))
        .select(users::id)
        .load(conn)?;
    let dead_rows: Vec<i32> = if inactive.is_empty() {
        Vec::new()
    } else {
        assignments::table
            .left_join(sheets::table.on(sheets::assignment_id.eq(assignments::id)))
            .filter(assignments::round_id.eq(round_id))
            .filter(assignments::judge_id.eq_any(&inactive))
            .filter(assignments::withdrawn_at.is_null())
            .filter(
                sheets::status
                    .is_null()
                    .or(sheets::status.ne(SheetStatus::Submitted.code())),
            )
            .select(assignments::entry_id)
            .load::<i32>(conn)?
    };
    let mut dead: HashMap<i32, i32> = HashMap::new();
    for e in dead_rows {
        *dead.entry(e).or_default() += 1;
    }
    let dead_ids: Vec<i32> = dead.keys().copied().collect();
    let also_short: Vec<i32> = if dead.is_empty() {
        Vec::new()
    } else {
        round_entries::table
            .filter(round_entries::round_id.eq(round_id))
            .filter(round_entries::entry_id.eq_any(&dead_ids))
            .filter(round_entries::judges.ge(k))
            .select((round_entries::entry_id, round_entries::judges))
            .load::<(i32, i32)>(conn)?
            .into_iter()
            .filter(|(e, n)| n - dead.get(e).copied().unwrap_or(0) < k)
            .map(|(e, _)| e)
            .collect()
    };
    let short_count = counted_short + also_short.len() as i64;
    let start = (page.max(1) - 1) * BOARD_PAGE;
    // The page's entries by name: the edition's name index is walked in order and each entry
    // looked up in the round, so no view sorts the whole round.
    let page_rows: Vec<(i32, String, String)> = {
        // One statement for both lists: "all" is "fewer judges than any round can ask for".
        let (below, also) = if only_short {
            (k, also_short.clone())
        } else {
            (i32::MAX, Vec::new())
        };
        let in_this_round = round_entries::table
            .filter(round_entries::round_id.eq(round_id))
            .filter(round_entries::entry_id.eq(entries::id))
            .filter(
                round_entries::judges
                    .lt(below)
                    .or(round_entries::entry_id.eq_any(also)),
            );
        entries::table
            .inner_join(units::table)
            .filter(entries::edition_id.eq(r.edition_id))
            .filter(diesel::dsl::exists(in_this_round))
            .order((entries::name, entries::id))
            .select((entries::id, entries::name, units::name))
            .paged(BOARD_PAGE as i64, start as i64)
            .load(conn)?
    };
    let shown_count = if only_short { short_count } else { entry_count };
    let ids: Vec<i32> = page_rows.iter().map(|e| e.0).collect();
    type JudgeCounts = (i32, String, Option<i32>, Option<String>, i32, i32, i32, i32);
    let rows: Vec<JudgeCounts> = round_judges::table
        .inner_join(users::table.on(users::id.eq(round_judges::judge_id)))
        .filter(round_judges::round_id.eq(round_id))
        .order((users::name, users::id))
        .select((
            users::id,
            users::name,
            users::unit_id,
            users::affiliation,
            round_judges::assigned,
            round_judges::unannounced,
            round_judges::submitted,
            round_judges::drafts,
        ))
        .load(conn)?;
    // The judge and the sheet are looked up per assignment rather than joined: with joins,
    // PostgreSQL's custom plans (a connection's first five runs of the statement) hash all of a
    // round's sheets and every user to find the page's 250 (3-6 ms against 0.8 ms each time).
    let judge_of = users::table.filter(users::id.eq(assignments::judge_id));
    type OnRow = (
        i32,
        i32,
        i32,
        Option<String>,
        String,
        Option<String>,
        Option<bool>,
    );
    let mut on: Vec<OnRow> = assignments::table
        .filter(assignments::round_id.eq(round_id))
        .filter(assignments::withdrawn_at.is_null())
        .filter(assignments::entry_id.eq_any(&ids))
        .select((
            assignments::entry_id,
            assignments::id,
            assignments::judge_id,
            judge_of.select(users::name).single_value(),
            assignments::source,
            sheets::table
                .filter(sheets::assignment_id.eq(assignments::id))
                .select(sheets::status)
                .single_value(),
            judge_of.select(users::active).single_value(),
        ))
        .load(conn)?;
    // Each entry's judges in the order of the round's list of judges (the database's collation);
    // one no longer on the round goes last.
    let place: HashMap<i32, usize> = rows.iter().enumerate().map(|(i, j)| (j.0, i)).collect();
    let rank = |judge: i32| place.get(&judge).copied().unwrap_or(usize::MAX);
    on.sort_by(|a, b| (a.0, rank(a.2), &a.3, a.1).cmp(&(b.0, rank(b.2), &b.3, b.1)));
    let mut by_entry: HashMap<i32, Vec<OnEntry>> = HashMap::new();
    for (e, a, _, judge, source, sheet, active) in on {
        by_entry.entry(e).or_default().push(OnEntry {
            assignment_id: a,
            judge: judge.unwrap_or_default(),
            sheet: sheet.unwrap_or_else(|| "none".into()),
            manual: source == AssignmentSource::Manual.code(),
            active: active.unwrap_or(false),
        });
    }
    let mut entries: Vec<EntryLine> = page_rows
        .into_iter()
        .map(|(id, name, unit)| {
            let judges = by_entry.remove(&id).unwrap_or_default();
            // The places filled as automatic assignment counts them.
            let filled = judges
                .iter()
                .filter(|j| j.active || j.sheet == SheetStatus::Submitted.code())
                .count();
            EntryLine {
                missing: (i64::from(k) - filled as i64).max(0),
                judges,
                id,
                name,
                unit,
                why: None,
            }
        })
        .collect();
    // Every short entry on the page says why, so nothing is under-filled without a reason.
    let short: Vec<i32> = entries
        .iter()
        .filter(|e| e.missing > 0)
        .map(|e| e.id)
        .collect();
    let mut why = explain_shortfalls(conn, round_id, &short)?;
    for e in &mut entries {
        e.why = why.remove(&e.id);
    }

    let judge_count = rows.len();
    let totals = rows.iter().fold((0, 0, 0), |t, j| {
        (
            t.0 + i64::from(j.4),
            t.1 + i64::from(j.6),
            t.2 + i64::from(j.7),
        )
    });
    let unannounced = rows.iter().map(|j| i64::from(j.5)).sum();
    let max_load = rows
        .iter()
        .map(|j| i64::from(j.4))
        .max()
        .unwrap_or(0)
        .max(1);
    let options = rows
        .iter()
        .map(|j| JudgeOption {
            id: j.0,
            name: j.1.clone(),
        })
        .collect();
    let shown: Vec<JudgeCounts> = rows
        .into_iter()
        .skip((judge_page.max(1) - 1) * JUDGE_PAGE)
        .take(JUDGE_PAGE)
        .collect();
    let shown_ids: Vec<i32> = shown.iter().map(|j| j.0).collect();
    let declared: HashSet<i32> = judge_declarations::table
        .filter(judge_declarations::edition_id.eq(r.edition_id))
        .filter(judge_declarations::judge_id.eq_any(&shown_ids))
        .select(judge_declarations::judge_id)
        .load::<i32>(conn)?
        .into_iter()
        .collect();
    let unit_ids: Vec<i32> = shown.iter().filter_map(|j| j.2).collect();
    let unit_names: HashMap<i32, String> = units::table
        .filter(units::id.eq_any(&unit_ids))
        .select((units::id, units::name))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .collect();
    let judges = shown
        .into_iter()
        .map(
            |(id, name, unit_id, affiliation, load, _, submitted, drafts)| JudgeLoad {
                affiliation: affiliation
                    .filter(|a| !a.is_empty())
                    .or_else(|| unit_id.and_then(|u| unit_names.get(&u).cloned()))
                    .unwrap_or_default(),
                declared: declared.contains(&id),
                load: load.into(),
                submitted: submitted.into(),
                drafts: drafts.into(),
                id,
                name,
            },
        )
        .collect();
    let withdrawn_for_conflict = assignments::table
        .filter(assignments::round_id.eq(round_id))
        .filter(assignments::withdrawn_reason.eq(CONFLICT_REASON))
        .count()
        .get_result(conn)?;
    Ok(Board {
        round: r,
        judges,
        judge_count,
        options,
        totals,
        max_load,
        entries,
        entry_count: entry_count as usize,
        short_count: short_count as usize,
        shown_count: shown_count as usize,
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
