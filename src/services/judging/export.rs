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
        ))
        .load(conn)?;
    let ids: Vec<i32> = rows.iter().map(|r| r.0).collect();
    // Per sheet: (criterion id-name, en-name, weight, counted, score, comment), in rubric order.
    type Line = (String, String, i32, bool, Option<i32>, String);
    let mut scores: HashMap<i32, Vec<Line>> = HashMap::new();
    for chunk in ids.chunks(5_000) {
        for (sheet, name_id, name_en, weight, counted, score, comment) in sheet_scores::table
            .inner_join(rubric_criteria::table)
            .filter(sheet_scores::sheet_id.eq_any(chunk))
            .order((sheet_scores::sheet_id, rubric_criteria::position))
            .select((
                sheet_scores::sheet_id,
                rubric_criteria::name_id,
                rubric_criteria::name_en,
                rubric_criteria::weight,
                rubric_criteria::counted,
                sheet_scores::score,
                sheet_scores::comment,
            ))
            .load::<(i32, String, String, i32, bool, Option<i32>, String)>(conn)?
        {
            scores
                .entry(sheet)
                .or_default()
                .push((name_id, name_en, weight, counted, score, comment));
        }
    }
    let round_name = lang.pick(&r.name_id, &r.name_en).to_string();
    for (id, entry_id, entry, unit, judge, status, at, total, overall) in rows {
        for (name_id, name_en, weight, counted, score, comment) in
            scores.remove(&id).unwrap_or_default()
        {
            out.push(vec![
                round_name.clone(),
                entry_id.to_string(),
                entry.clone(),
                unit.clone(),
                judge.clone(),
                t(&format!("judging.sheet_{status}")),
                at.map(crate::time::format_sortable).unwrap_or_default(),
                lang.pick(&name_id, &name_en).to_string(),
                weight.to_string(),
                t(if counted { "export.yes" } else { "export.no" }),
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
