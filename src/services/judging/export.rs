//! Every sheet of a round as a table: one row per sheet and criterion, with Indonesian (or English)
//! headers, for organisers to check and archive.

use super::*;
use crate::db::schema::{entries, rubric_criteria, sheet_scores, sheets, units, users};
use crate::i18n::Lang;

/// The rows (header first) of a round's sheets.
pub fn sheet_table(
    conn: &mut DbConn,
    round_id: i32,
    lang: Lang,
) -> Result<Vec<Vec<String>>, AppError> {
    let r = round::find(conn, round_id)?.ok_or(AppError::NotFound)?;
    let t = |key: &str| crate::i18n::t(lang, key, &[]);
    let mut out = vec![
        [
            "export.round",
            "export.entry_id",
            "export.entry",
            "export.unit",
            "export.judge",
            "export.sheet_status",
            "export.submitted_at",
            "export.criterion",
            "export.weight",
            "export.counted",
            "export.score",
            "export.comment",
            "export.sheet_total",
            "export.overall_comment",
        ]
        .iter()
        .map(|k| t(k))
        .collect::<Vec<_>>(),
    ];
    type Row = (
        i32,
        i32,
        String,
        String,
        String,
        String,
        Option<chrono::NaiveDateTime>,
        Option<i32>,
        String,
        i32,
    );
    let rows: Vec<Row> = sheets::table
        .inner_join(entries::table.inner_join(units::table))
        .inner_join(users::table.on(users::id.eq(sheets::judge_id)))
        .inner_join(assignments::table)
        .filter(sheets::round_id.eq(round_id))
        .filter(assignments::withdrawn_at.is_null())
        .order((entries::name, users::name))
        .select((
            sheets::id,
            entries::id,
            entries::name,
            units::name,
            users::name,
            sheets::status,
            sheets::submitted_at,
            sheets::total_bp,
            sheets::overall_comment,
            sheets::rubric_id,
        ))
        .load(conn)?;
    // Every criterion of each sheet's rubric (version) in order, scored or not: a row per sheet and
    // criterion even where the judge left one blank.
    type Criterion = (i32, i32, String, String, i32, bool);
    let mut rubric_ids: Vec<i32> = rows.iter().map(|r| r.9).collect();
    rubric_ids.sort_unstable();
    rubric_ids.dedup();
    let mut criteria: HashMap<i32, Vec<Criterion>> = HashMap::new();
    for c in rubric_criteria::table
        .filter(rubric_criteria::rubric_id.eq_any(&rubric_ids))
        .order((rubric_criteria::rubric_id, rubric_criteria::position))
        .select((
            rubric_criteria::id,
            rubric_criteria::rubric_id,
            rubric_criteria::name_id,
            rubric_criteria::name_en,
            rubric_criteria::weight,
            rubric_criteria::counted,
        ))
        .load::<Criterion>(conn)?
    {
        criteria.entry(c.1).or_default().push(c);
    }
    let ids: Vec<i32> = rows.iter().map(|r| r.0).collect();
    let mut scores: HashMap<(i32, i32), (Option<i32>, String)> = HashMap::new();
    for chunk in ids.chunks(5_000) {
        for (sheet, criterion, score, comment) in sheet_scores::table
            .filter(sheet_scores::sheet_id.eq_any(chunk))
            .select((
                sheet_scores::sheet_id,
                sheet_scores::criterion_id,
                sheet_scores::score,
                sheet_scores::comment,
            ))
            .load::<(i32, i32, Option<i32>, String)>(conn)?
        {
            scores.insert((sheet, criterion), (score, comment));
        }
    }
    let round_name = lang.pick(&r.name_id, &r.name_en).to_string();
    for (id, entry_id, entry, unit, judge, status, at, total, overall, rubric) in rows {
        for (criterion, _, name_id, name_en, weight, counted) in
            criteria.get(&rubric).map(Vec::as_slice).unwrap_or_default()
        {
            let (score, comment) = scores.remove(&(id, *criterion)).unwrap_or_default();
            out.push(vec![
                round_name.clone(),
                entry_id.to_string(),
                entry.clone(),
                unit.clone(),
                judge.clone(),
                t(&format!("judging.sheet_{status}")),
                at.map(crate::time::format_sortable).unwrap_or_default(),
                lang.pick(name_id, name_en).to_string(),
                weight.to_string(),
                t(if *counted { "export.yes" } else { "export.no" }),
                score.map(|s| s.to_string()).unwrap_or_default(),
                comment,
                total
                    .map(|b| crate::templates::format_total(b, lang))
                    .unwrap_or_default(),
                overall.clone(),
            ]);
        }
    }
    Ok(out)
}
