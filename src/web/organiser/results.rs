//! A round's results for organisers: the ranking under the chosen score with the mean, median and
//! normalised score side by side (and each entry's rank under each), judges' disagreement flagged,
//! how ties were broken, each judge's leniency, the settings, and the ranking as CSV.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::db;
use crate::domain::charts;
use crate::domain::results::{
    EntryResult, Normalisation, Ranking, Stage, TieBreak, TieReason, hundredths,
};
use crate::error::{AppError, FieldErrors};
use crate::i18n::Lang;
use crate::models::round::Round;
use crate::models::rubric::CriterionRow;
use crate::services::results::{self as svc, PromotionInput, SettingsInput, TieCriterion};
use crate::templates::format_total;
use crate::web::Page;
use crate::web::page::see_other;

/// Entries per page of the ranking.
pub const RESULTS_PAGE: usize = 50;
/// The ranks drawn in the chart of ranks by mean against ranks by normalised score.
const CHART_RANKS: usize = 100;

/// Ranking filters.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResultsQuery {
    /// `flagged` for the entries whose judges disagree.
    show: Option<String>,
    /// Page, 1-based.
    page: Option<usize>,
    /// `1`: every row on one page, to pick entries for promotion from the whole ranking.
    all: Option<String>,
}

/// Rows on the one page of `?all=1`: more than a round holds.
const ALL_ROWS: usize = 100_000;

/// A score in hundredths, for the `total` filter.
fn bp(x: Option<f64>) -> Option<i64> {
    x.map(|v| i64::from(hundredths(v)))
}

/// One row of the ranking as shown.
#[derive(Serialize)]
struct Row {
    rank: Option<usize>,
    entry: i32,
    name: String,
    unit: String,
    sheets: usize,
    mean: Option<i64>,
    median: Option<i64>,
    normalised: Option<i64>,
    rank_mean: Option<usize>,
    rank_median: Option<usize>,
    rank_normalised: Option<usize>,
    sd: i64,
    range: i64,
    flagged: bool,
    tie: Option<String>,
    promoted: bool,
    /// The panel's newest note on it (moderation).
    note: Option<String>,
}

/// Puts the panel's newest note on each row that has one.
fn with_notes(conn: &mut db::DbConn, round_id: i32, rows: &mut [Row]) -> Result<(), AppError> {
    let ids: Vec<i32> = rows.iter().map(|x| x.entry).collect();
    let mut notes = svc::latest_notes(conn, round_id, &ids)?;
    for row in rows {
        row.note = notes.remove(&row.entry);
    }
    Ok(())
}

/// The sentence that says how a tie with the entry above was broken.
fn tie_text(lang: Lang, tie: &TieBreak, ties: &[TieCriterion], scale_max: i32) -> String {
    let t = |k: &str, args: &[(&str, String)]| crate::i18n::t(lang, k, args);
    match &tie.reason {
        TieReason::Criterion { index, above, this } => {
            let Some(crit) = ties.get(*index) else {
                return t("results.tie_submission", &[]);
            };
            let scale = f64::from(scale_max);
            let show = |x: f64| format_total((x * scale * 100.0).round() as i32, lang);
            t(
                "results.tie_criterion",
                &[
                    (
                        "criterion",
                        lang.pick(&crit.name_id, &crit.name_en).to_string(),
                    ),
                    ("above", show(*above)),
                    ("this", show(*this)),
                ],
            )
        }
        TieReason::Submission => t("results.tie_submission", &[]),
        TieReason::Registration => t("results.tie_registration", &[]),
    }
}

/// What the ranking shows, computed live (open round) or read from the kept ranking (frozen).
struct View {
    rows: Vec<Row>,
    /// The distribution of the ranking score, and the (mean, normalised) rank pairs.
    chart: (charts::Histogram, Vec<(usize, usize)>),
    entries: usize,
    scored: usize,
    sheets: usize,
    flagged: usize,
    /// The flagged entries (to count those the panel has written about).
    flagged_ids: Vec<i32>,
    /// Judges left uncorrected (known when computed live).
    raw_judges: Option<usize>,
    /// Rows matching the filter.
    listed: usize,
    /// The tie-breakers' codes in order.
    tie_codes: Vec<String>,
    min_sheets: usize,
}

fn live_view(
    conn: &mut db::DbConn,
    caches: &crate::services::round_cache::RoundCaches,
    r: &Round,
    only_flagged: bool,
    (page_no, per_page): (usize, usize),
    lang: Lang,
) -> Result<View, AppError> {
    let c = caches.results.get(conn, r, |conn| svc::compute(conn, r))?;
    let listed: Vec<&EntryResult> = c
        .results
        .entries
        .iter()
        .filter(|e| !only_flagged || e.flagged)
        .collect();
    let total = listed.len();
    let shown: Vec<&EntryResult> = listed
        .into_iter()
        .skip((page_no - 1) * per_page)
        .take(per_page)
        .collect();
    let ids: Vec<i32> = shown.iter().map(|e| e.entry).collect();
    let (entry_names, _) = svc::names(conn, &ids, &[])?;
    let rows = shown
        .iter()
        .map(|e| {
            let (name, unit) = entry_names.get(&e.entry).cloned().unwrap_or_default();
            Row {
                rank: e.rank,
                entry: e.entry,
                name,
                unit,
                sheets: e.sheets,
                mean: bp(e.mean),
                median: bp(e.median),
                normalised: bp(e.normalised),
                rank_mean: e.rank_mean,
                rank_median: e.rank_median,
                rank_normalised: e.rank_normalised,
                sd: bp(Some(e.sd)).unwrap_or(0),
                range: bp(Some(e.range)).unwrap_or(0),
                flagged: e.flagged,
                tie: e
                    .tie
                    .as_ref()
                    .map(|t| tie_text(lang, t, &c.tie_breakers, c.scale_max)),
                promoted: false,
                note: None,
            }
        })
        .collect();
    let chosen = |e: &EntryResult| match c.settings.ranking {
        Ranking::Mean => e.mean,
        Ranking::Median => e.median,
        Ranking::Normalised => e.normalised,
    };
    let pairs: Vec<(usize, usize)> = c
        .results
        .entries
        .iter()
        .filter_map(|e| Some((e.rank_mean?, e.rank_normalised?)))
        .collect();
    let chart = (
        charts::histogram(c.results.entries.iter().filter_map(chosen)),
        charts::rank_pairs(&pairs, CHART_RANKS),
    );
    Ok(View {
        rows,
        chart,
        entries: c.results.entries.len(),
        scored: c.results.entries.iter().filter(|e| e.sheets > 0).count(),
        sheets: c.results.entries.iter().map(|e| e.sheets).sum(),
        flagged: c.results.flagged,
        flagged_ids: c
            .results
            .entries
            .iter()
            .filter(|e| e.flagged)
            .map(|e| e.entry)
            .collect(),
        raw_judges: Some(c.results.judges.iter().filter(|j| !j.normalised).count()),
        listed: total,
        tie_codes: c.tie_breakers.iter().map(|t| t.code.clone()).collect(),
        min_sheets: c.settings.min_sheets,
    })
}

fn kept_view(
    conn: &mut db::DbConn,
    caches: &crate::services::round_cache::RoundCaches,
    r: &Round,
    criteria: &[CriterionRow],
    only_flagged: bool,
    (page_no, per_page): (usize, usize),
    lang: Lang,
) -> Result<View, AppError> {
    let ties = svc::tie_breakers(r, criteria);
    let scale_max = crate::models::rubric::find(conn, r.rubric_id)?.map_or(5, |x| x.scale_max);
    let kept_all = caches.kept.get(conn, r, |conn| {
        Ok((svc::kept_totals(conn, r.id)?, svc::kept_scores(conn, r.id)?))
    })?;
    let (totals, scores) = (&kept_all.0, &kept_all.1);
    let offset = ((page_no - 1) * per_page) as i64;
    let kept = svc::kept_page(conn, r.id, only_flagged, offset, per_page as i64)?;
    let rank = |p: Option<i32>| p.map(|p| p as usize);
    let rows = kept
        .into_iter()
        .map(|k| Row {
            rank: rank(k.position),
            entry: k.entry,
            name: k.name,
            unit: k.unit,
            sheets: k.sheets as usize,
            mean: k.mean_bp.map(i64::from),
            median: k.median_bp.map(i64::from),
            normalised: k.normalised_bp.map(i64::from),
            rank_mean: rank(k.rank_mean),
            rank_median: rank(k.rank_median),
            rank_normalised: rank(k.rank_normalised),
            sd: i64::from(k.sd_bp),
            range: i64::from(k.range_bp),
            flagged: k.flagged,
            tie: k.tie.as_ref().map(|t| tie_text(lang, t, &ties, scale_max)),
            promoted: false,
            note: None,
        })
        .collect();
    let ranking = svc::settings_of(r).ranking;
    let chosen = |k: &svc::KeptScores| match ranking {
        Ranking::Mean => k.0,
        Ranking::Median => k.1,
        Ranking::Normalised => k.2,
    };
    let pairs: Vec<(usize, usize)> = scores
        .iter()
        .filter_map(|k| Some((k.3? as usize, k.4? as usize)))
        .collect();
    let chart = (
        charts::histogram(
            scores
                .iter()
                .filter_map(chosen)
                .map(|bp| f64::from(bp) / 100.0),
        ),
        charts::rank_pairs(&pairs, CHART_RANKS),
    );
    Ok(View {
        rows,
        chart,
        entries: totals.entries as usize,
        scored: totals.scored as usize,
        sheets: totals.sheets as usize,
        flagged: totals.flagged as usize,
        flagged_ids: svc::kept_flagged(conn, r.id)?,
        raw_judges: None,
        listed: if only_flagged {
            totals.flagged as usize
        } else {
            totals.entries as usize
        },
        tie_codes: ties.iter().map(|t| t.code.clone()).collect(),
        min_sheets: svc::settings_of(r).min_sheets,
    })
}

/// The settings form's values: what was typed, or what is stored.
#[derive(Serialize)]
struct Values {
    ranking: String,
    normalisation: String,
    spread_threshold: String,
    final_weight: String,
    tie: Vec<String>,
}

impl Values {
    fn stored(r: &Round, tie: Vec<String>) -> Values {
        Values {
            ranking: r.ranking.clone(),
            normalisation: r.normalisation.clone(),
            spread_threshold: r.spread_threshold.to_string(),
            final_weight: r.final_weight.to_string(),
            tie,
        }
    }

    fn typed(i: &SettingsInput) -> Values {
        Values {
            ranking: i.ranking.clone(),
            normalisation: i.normalisation.clone(),
            spread_threshold: i.spread_threshold.clone(),
            final_weight: i.final_weight.clone(),
            tie: i.tie.clone(),
        }
    }
}

/// What was typed into one of the page's forms, and what is wrong with it.
enum Typed<'a> {
    Settings(&'a SettingsInput, &'a FieldErrors),
    Promotion(&'a PromotionInput, &'a FieldErrors),
    Stage(StageTyped),
}

/// A refused stage form (freeze to final, an objection's answer): which form, what was typed in
/// it, and why it was refused, so the page comes back with the text still in its box.
#[derive(Serialize, Default)]
struct StageTyped {
    /// `sign_off`, `unfreeze`, `unpublish`, `undo`, `objections`, `answer`, …; empty for none.
    form: String,
    reason: String,
    note: String,
    confirm: bool,
    days: String,
    upheld: String,
    answer: String,
    /// The objection answered.
    objection: i32,
    /// The refusal's messages, one line each.
    message: String,
    /// The summary's lines: the id of the control each links to, and its message.
    items: Vec<(String, String)>,
}

impl StageTyped {
    fn of(form: &str, f: &StageForm) -> StageTyped {
        StageTyped {
            form: form.into(),
            reason: f.reason.clone(),
            note: f.note.clone(),
            confirm: f.confirm.is_some(),
            ..StageTyped::default()
        }
    }

    /// The form refused for `errors`: every message, each linked to its control.
    fn refused(mut self, page: &Page, errors: &FieldErrors) -> StageTyped {
        self.items = errors
            .iter()
            .map(|(field, key)| (self.anchor(field, key), page.t(key)))
            .collect();
        self.message = self
            .items
            .iter()
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        self
    }

    fn anchor(&self, field: &str, key: &str) -> String {
        match (self.form.as_str(), field) {
            // The round is no longer at the stage the form was for: its form is gone.
            (_, "stage") => "stage".into(),
            _ if key == "objections.already_final" => "objections".into(),
            _ if key == "objections.already_answered" => format!("objection-{}", self.objection),
            ("sign_off", "confirm") => "f-confirm".into(),
            ("sign_off", _) => "f-note".into(),
            ("unfreeze" | "unpublish" | "undo", _) => format!("f-{}-reason", self.form),
            ("objections", _) => "f-days".into(),
            ("answer", "upheld") => format!("f-upheld-{}", self.objection),
            ("answer", _) => format!("f-answer-{}", self.objection),
            ("final", _) => "objections".into(),
            _ => "stage".into(),
        }
    }
}

/// The criterion-by-category grid of a round: its rows, the counted criteria's names (numbered in
/// the chart) and the chart's text alternative, every mean written out.
fn criterion_grid(
    page: &Page,
    criteria: &[crate::models::rubric::CriterionRow],
    means: &[(Option<i32>, i32, f64)],
    categories: &[crate::models::edition::Category],
) -> (Vec<charts::GridRow>, Vec<String>, String) {
    let lang = page.lang;
    let counted: Vec<&crate::models::rubric::CriterionRow> =
        criteria.iter().filter(|c| c.counted).collect();
    let names: Vec<String> = counted
        .iter()
        .map(|c| lang.pick(&c.name_id, &c.name_en).to_string())
        .collect();
    let mut rows: Vec<(Option<i32>, String)> = categories
        .iter()
        .map(|c| (Some(c.id), lang.pick(&c.name_id, &c.name_en).to_string()))
        .collect();
    rows.push((None, page.t("charts.no_category")));
    let ids: Vec<i32> = counted.iter().map(|c| c.id).collect();
    let grid = charts::criterion_grid(&rows, &ids, means);
    let text = grid
        .iter()
        .map(|row| {
            let cells: Vec<String> = row
                .cells
                .iter()
                .zip(&names)
                .filter_map(|(v, name)| {
                    v.map(|v| format!("{name} {}", crate::templates::format_total(v as i32, lang)))
                })
                .collect();
            format!("{}: {}", row.label, cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ");
    (grid, names, text)
}

async fn results_page(
    page: &Page,
    id: i32,
    q: &ResultsQuery,
    typed: Option<Typed<'_>>,
) -> Result<HttpResponse, AppError> {
    let only_flagged = q.show.as_deref() == Some("flagged");
    let all = q.all.is_some();
    let (page_no, per_page) = if all {
        (1, ALL_ROWS)
    } else {
        (q.page.unwrap_or(1).clamp(1, 10_000), RESULTS_PAGE)
    };
    let lang = page.lang;
    let caches = page.state.rounds.clone();
    let (r, view, criteria, people, promotion, next, grid) =
        db::run(&page.state.pool, move |conn| {
            let r = crate::models::round::find(conn, id)?.ok_or(AppError::NotFound)?;
            let grid = (
                caches.criteria.get(conn, &r, |conn| {
                    svc::criterion_means_by_category(conn, r.id)
                })?,
                crate::models::edition::categories(conn, r.edition_id)?,
                crate::models::rubric::find(conn, r.rubric_id)?.map_or(5, |x| x.scale_max),
            );
            let criteria = crate::models::rubric::criteria(conn, r.rubric_id)?;
            let mut view = if svc::stage(&r) == Stage::Open {
                live_view(conn, &caches, &r, only_flagged, (page_no, per_page), lang)?
            } else {
                let shown = (page_no, per_page);
                kept_view(conn, &caches, &r, &criteria, only_flagged, shown, lang)?
            };
            let promotion = svc::live_promotion(conn, r.id)?;
            if let Some(p) = &promotion {
                let ids: Vec<i32> = view.rows.iter().map(|x| x.entry).collect();
                let went = svc::promoted_among(conn, p.id, &ids)?;
                for row in &mut view.rows {
                    row.promoted = went.contains(&row.entry);
                }
            }
            with_notes(conn, r.id, &mut view.rows)?;
            let noted = svc::moderated(conn, r.id)?;
            let moderated = view
                .flagged_ids
                .iter()
                .filter(|e| noted.contains(e))
                .count();
            let next = (
                svc::next_round(conn, &r)?,
                svc::objections_of(conn, r.id)?,
                moderated,
            );
            let who: Vec<i32> = [r.frozen_by, r.signed_off_by, r.published_by]
                .into_iter()
                .chain(promotion.as_ref().map(|p| p.created_by))
                .flatten()
                .collect();
            let (_, people) = svc::names(conn, &[], &who)?;
            Ok((r, view, criteria, people, promotion, next, grid))
        })
        .await?;
    let (next, objections, moderated) = next;
    let stage = svc::stage(&r);
    let person = |id: Option<i32>| id.and_then(|i| people.get(&i).cloned()).unwrap_or_default();
    let counted: Vec<(String, String)> = criteria
        .iter()
        .filter(|x| x.counted)
        .map(|x| {
            (
                x.code.clone(),
                lang.pick(&x.name_id, &x.name_en).to_string(),
            )
        })
        .collect();
    let settings = svc::settings_of(&r);
    let scale_max = grid.2;
    let (grid, grid_criteria, grid_text) = criterion_grid(page, &criteria, &grid.0, &grid.1);
    let mut ctx = tera::Context::new();
    ctx.insert("grid", &grid);
    ctx.insert("grid_criteria", &grid_criteria);
    ctx.insert("grid_text", &grid_text);
    ctx.insert("scale_bp", &(i64::from(scale_max) * 100));
    ctx.insert("round", &r);
    ctx.insert("round_name", lang.pick(&r.name_id, &r.name_en));
    ctx.insert("stage", stage.code());
    ctx.insert("promotion", &promotion);
    ctx.insert("objections", &objections);
    ctx.insert("objections_open", &svc::window_open(&r, db::now()));
    ctx.insert(
        "promoted_by",
        &person(promotion.as_ref().and_then(|p| p.created_by)),
    );
    ctx.insert(
        "next_round",
        &next
            .as_ref()
            .map(|n| lang.pick(&n.name_id, &n.name_en).to_string()),
    );
    ctx.insert("next_round_id", &next.as_ref().map(|n| n.id));
    ctx.insert("frozen_by", &person(r.frozen_by));
    ctx.insert("signed_off_by", &person(r.signed_off_by));
    ctx.insert("published_by", &person(r.published_by));
    ctx.insert("rows", &view.rows);
    ctx.insert("entry_count", &view.entries);
    ctx.insert("scored", &view.scored);
    ctx.insert("sheet_count", &view.sheets);
    ctx.insert("flagged", &view.flagged);
    ctx.insert("moderated", &moderated);
    ctx.insert("raw_judges", &view.raw_judges.unwrap_or(0));
    ctx.insert("ranking", settings.ranking.code());
    ctx.insert("normalisation", settings.normalisation.code());
    ctx.insert("min_sheets", &view.min_sheets);
    ctx.insert("only_flagged", &only_flagged);
    ctx.insert("histogram", &view.chart.0);
    ctx.insert("rank_pairs", &view.chart.1);
    ctx.insert("chart_ranks", &(CHART_RANKS + 1));
    ctx.insert("page_no", &page_no);
    ctx.insert("pages", &view.listed.div_ceil(per_page).max(1));
    ctx.insert("all_rows", &all);
    ctx.insert("rankings", &Ranking::ALL.map(Ranking::code));
    ctx.insert(
        "normalisations",
        &Normalisation::ALL.map(Normalisation::code),
    );
    // One select per counted criterion: the list is padded so every select has a value to show.
    let pad = |mut v: Values| {
        v.tie.resize(v.tie.len().max(counted.len()), String::new());
        v
    };
    ctx.insert("criteria", &counted);
    ctx.insert("st", &StageTyped::default());
    match typed {
        Some(Typed::Settings(input, errors)) => {
            ctx.insert("promote", &PromotionInput::default());
            page.form_errors(
                "organiser/results/round.html",
                ctx,
                &pad(Values::typed(input)),
                errors,
            )
        }
        Some(Typed::Promotion(input, errors)) => {
            ctx.insert("promote", input);
            ctx.insert("promote_errors", errors);
            ctx.insert("values", &pad(Values::stored(&r, view.tie_codes)));
            ctx.insert("error_count", &errors.len());
            let items: Vec<(String, String)> = errors
                .iter()
                .map(|(f, k)| (format!("p-{f}"), page.t(k)))
                .collect();
            ctx.insert("error_items", &items);
            page.render_status(
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                "organiser/results/round.html",
                ctx,
            )
        }
        Some(Typed::Stage(typed)) => {
            ctx.insert("promote", &PromotionInput::default());
            ctx.insert("values", &pad(Values::stored(&r, view.tie_codes)));
            ctx.insert("error_count", &typed.items.len());
            ctx.insert("error_items", &typed.items);
            ctx.insert("st", &typed);
            page.render_status(
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                "organiser/results/round.html",
                ctx,
            )
        }
        None => {
            ctx.insert("promote", &PromotionInput::default());
            ctx.insert("values", &pad(Values::stored(&r, view.tie_codes)));
            page.render("organiser/results/round.html", ctx)
        }
    }
}

/// `GET /organiser/rounds/{id}/results`.
pub async fn show(
    page: Page,
    id: web::Path<i32>,
    q: web::Query<ResultsQuery>,
) -> Result<HttpResponse, AppError> {
    results_page(&page, id.into_inner(), &q, None).await
}

/// The settings form: repeated `tie` fields, so read as pairs.
fn settings_input(form: &[(String, String)]) -> SettingsInput {
    let mut i = SettingsInput::default();
    for (k, v) in form {
        match k.as_str() {
            "ranking" => i.ranking = v.clone(),
            "normalisation" => i.normalisation = v.clone(),
            "spread_threshold" => i.spread_threshold = v.clone(),
            "final_weight" => i.final_weight = v.clone(),
            "tie" => i.tie.push(v.clone()),
            _ => {}
        }
    }
    i
}

/// `POST /organiser/rounds/{id}/results/settings`.
pub async fn save_settings(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let input = settings_input(&form);
    let (actor, i2) = (page.actor(), input.clone());
    match db::run(&page.state.pool, move |conn| {
        svc::save_settings(conn, &actor, id, &i2)
    })
    .await
    {
        Ok(()) => {
            page.flash("success", page.t("form.saved"));
            Ok(see_other(&format!("/organiser/rounds/{id}/results")))
        }
        Err(AppError::Invalid(errors)) => {
            let typed = Typed::Settings(&input, &errors);
            results_page(&page, id, &ResultsQuery::default(), Some(typed)).await
        }
        Err(e) => Err(e),
    }
}

/// The whole ranking as a table, header first, one row per entry (the kept one once frozen), with
/// the panel's newest note; and the round's name for a sheet.
async fn export_table(page: &Page, id: i32) -> Result<(Round, Vec<Vec<String>>), AppError> {
    // Exports are archived and sent on in Indonesian, whatever the reader's language.
    let lang = Lang::Id;
    let caches = page.state.rounds.clone();
    let (r, rows) = db::run(&page.state.pool, move |conn| {
        let r = crate::models::round::find(conn, id)?.ok_or(AppError::NotFound)?;
        // Every row at once: a round holds at most a few thousand entries.
        let all = (1, 1_000_000);
        let view = if svc::stage(&r) == Stage::Open {
            live_view(conn, &caches, &r, false, all, lang)?
        } else {
            let criteria = crate::models::rubric::criteria(conn, r.rubric_id)?;
            kept_view(conn, &caches, &r, &criteria, false, all, lang)?
        };
        let mut rows = view.rows;
        with_notes(conn, r.id, &mut rows)?;
        Ok((r, rows))
    })
    .await?;
    let t = |k: &str| crate::i18n::t(lang, k, &[]);
    let score = |x: Option<i64>| x.map_or(String::new(), |v| format_total(v as i32, lang));
    let rank = |x: Option<usize>| x.map_or(String::new(), |v| v.to_string());
    let mut table = vec![
        [
            "results.rank",
            "export.entry_id",
            "export.entry",
            "export.unit",
            "results.sheets",
            "results.mean",
            "results.median",
            "results.normalised",
            "results.rank_mean",
            "results.rank_median",
            "results.rank_normalised",
            "results.sd",
            "results.range",
            "results.flag",
            "results.tie",
            "moderation.notes",
        ]
        .iter()
        .map(|k| t(k))
        .collect::<Vec<_>>(),
    ];
    for e in rows {
        table.push(vec![
            rank(e.rank),
            e.entry.to_string(),
            e.name,
            e.unit,
            e.sheets.to_string(),
            score(e.mean),
            score(e.median),
            score(e.normalised),
            rank(e.rank_mean),
            rank(e.rank_median),
            rank(e.rank_normalised),
            score(Some(e.sd)),
            score(Some(e.range)),
            if e.flagged {
                t("results.flag_yes")
            } else {
                String::new()
            },
            e.tie.unwrap_or_default(),
            // The panel's newest note: what it decided about a flagged entry.
            e.note.unwrap_or_default(),
        ]);
    }
    Ok((r, table))
}

/// `GET /organiser/rounds/{id}/results.csv`.
pub async fn export_csv(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let (r, table) = export_table(&page, id.into_inner()).await?;
    crate::web::export::csv_response(&table, &format!("biw-results-round-{}.csv", r.id))
}

/// `GET /organiser/rounds/{id}/results.xlsx`: the same as a workbook.
pub async fn export_xlsx(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let (r, table) = export_table(&page, id.into_inner()).await?;
    let sheet = crate::web::export::sheet_name(&r.name_id, "Hasil");
    crate::web::export::xlsx_response(table, sheet, &format!("biw-results-round-{}.xlsx", r.id))
        .await
}

/// The forms of the stage changes.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StageForm {
    /// Why (unfreeze, unpublish).
    reason: String,
    /// The sign-off's note.
    note: String,
    /// The sign-off's confirmation box.
    confirm: Option<String>,
}

/// Makes a stage change; a refusal shows the page again (422) with the message and what was typed.
async fn stage_change<T: Send + 'static>(
    page: Page,
    id: i32,
    typed: StageTyped,
    done: impl FnOnce(&Page, T) -> String,
    change: impl FnOnce(&mut db::DbConn, &crate::audit::Actor) -> Result<T, AppError> + Send + 'static,
) -> Result<HttpResponse, AppError> {
    let actor = page.actor();
    match db::run(&page.state.pool, move |conn| change(conn, &actor)).await {
        Ok(v) => {
            let message = done(&page, v);
            page.flash("success", message);
            Ok(see_other(&format!("/organiser/rounds/{id}/results#stage")))
        }
        Err(AppError::Invalid(errors)) => {
            let typed = Typed::Stage(typed.refused(&page, &errors));
            results_page(&page, id, &ResultsQuery::default(), Some(typed)).await
        }
        Err(e) => Err(e),
    }
}

/// `POST /organiser/rounds/{id}/results/freeze`.
pub async fn freeze(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    stage_change(
        page,
        id,
        StageTyped::of("freeze", &StageForm::default()),
        |p, ()| p.t("results.frozen_done"),
        move |c, a| svc::freeze(c, a, id),
    )
    .await
}

/// `POST /organiser/rounds/{id}/results/unfreeze`.
pub async fn unfreeze(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<StageForm>,
) -> Result<HttpResponse, AppError> {
    let (id, form) = (id.into_inner(), form.into_inner());
    let typed = StageTyped::of("unfreeze", &form);
    let done = |p: &Page, withdrawn: usize| match withdrawn {
        0 => p.t("results.unfrozen_done"),
        n => p.t_args("results.unfrozen_withdrew", &[("n", n.to_string())]),
    };
    let change =
        move |c: &mut db::DbConn, a: &crate::audit::Actor| svc::unfreeze(c, a, id, &form.reason);
    stage_change(page, id, typed, done, change).await
}

/// `POST /organiser/rounds/{id}/results/sign-off`.
pub async fn sign_off(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<StageForm>,
) -> Result<HttpResponse, AppError> {
    let (id, f) = (id.into_inner(), form.into_inner());
    stage_change(
        page,
        id,
        StageTyped::of("sign_off", &f),
        |p, ()| p.t("results.signed_off_done"),
        move |c, a| svc::sign_off(c, a, id, f.confirm.is_some(), &f.note),
    )
    .await
}

/// `POST /organiser/rounds/{id}/results/publish`.
pub async fn publish(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let (id, state) = (id.into_inner(), page.state.clone());
    stage_change(
        page,
        id,
        StageTyped::of("publish", &StageForm::default()),
        |p, ()| p.t("results.published_done"),
        move |c, a| svc::publish(c, &state, a, id),
    )
    .await
}

/// `POST /organiser/rounds/{id}/results/unpublish`.
pub async fn unpublish(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<StageForm>,
) -> Result<HttpResponse, AppError> {
    let (id, f, state) = (id.into_inner(), form.into_inner(), page.state.clone());
    stage_change(
        page,
        id,
        StageTyped::of("unpublish", &f),
        |p, ()| p.t("results.unpublished_done"),
        move |c, a| svc::unpublish(c, &state, a, id, &f.reason),
    )
    .await
}

/// The objection window's length.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DaysForm {
    days: String,
}

/// `POST /organiser/rounds/{id}/results/objections`: opens the objection window.
pub async fn open_objections(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<DaysForm>,
) -> Result<HttpResponse, AppError> {
    let (id, days, state) = (id.into_inner(), form.into_inner().days, page.state.clone());
    let typed = StageTyped {
        form: "objections".into(),
        days: days.clone(),
        ..StageTyped::default()
    };
    stage_change(
        page,
        id,
        typed,
        |p, ()| p.t("objections.opened_done"),
        move |c, a| svc::open_objections(c, &state, a, id, &days),
    )
    .await
}

/// `POST /organiser/rounds/{id}/results/final`.
pub async fn finalise(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    stage_change(
        page,
        id,
        StageTyped::of("final", &StageForm::default()),
        |p, ()| p.t("objections.final_done"),
        move |c, a| svc::finalise(c, a, id),
    )
    .await
}

/// An answer to an objection.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswerForm {
    upheld: String,
    answer: String,
}

/// `POST /organiser/objections/{id}/answer`.
pub async fn answer_objection(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<AnswerForm>,
) -> Result<HttpResponse, AppError> {
    let (id, f) = (id.into_inner(), form.into_inner());
    let upheld = match f.upheld.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let (actor, state) = (page.actor(), page.state.clone());
    let answer = f.answer.clone();
    let (round, refused) = db::run(&page.state.pool, move |conn| {
        let round = svc::round_of_objection(conn, id)?;
        match svc::answer_objection(conn, &state, &actor, id, upheld, &answer) {
            Ok(_) => Ok((round, None)),
            Err(AppError::Invalid(errors)) => Ok((round, Some(errors))),
            Err(e) => Err(e),
        }
    })
    .await?;
    match refused {
        None => {
            page.flash("success", page.t("objections.answered_done"));
            Ok(see_other(&format!(
                "/organiser/rounds/{round}/results#objection-{id}"
            )))
        }
        Some(errors) => {
            let typed = StageTyped {
                form: "answer".into(),
                upheld: f.upheld,
                answer: f.answer,
                objection: id,
                ..StageTyped::default()
            };
            let typed = Typed::Stage(typed.refused(&page, &errors));
            results_page(&page, round, &ResultsQuery::default(), Some(typed)).await
        }
    }
}

/// `POST /organiser/rounds/{id}/results/promotion/undo`.
pub async fn undo_promotion(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<StageForm>,
) -> Result<HttpResponse, AppError> {
    let (id, f, state) = (id.into_inner(), form.into_inner(), page.state.clone());
    stage_change(
        page,
        id,
        StageTyped::of("undo", &f),
        |p, ()| p.t("results.undone_done"),
        move |c, a| svc::undo_promotion(c, &state, a, id, &f.reason),
    )
    .await
}

/// `POST /organiser/rounds/{id}/results/promote`: applies a rule to the kept ranking.
pub async fn promote(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (actor, input) = (page.actor(), PromotionInput::from_pairs(&form));
    let (i2, state) = (input.clone(), page.state.clone());
    match db::run(&page.state.pool, move |conn| {
        svc::promote(conn, &state, &actor, id, &i2)
    })
    .await
    {
        Ok(n) => {
            page.flash(
                "success",
                crate::i18n::t(page.lang, "results.promoted_done", &[("n", n.to_string())]),
            );
            Ok(see_other(&format!(
                "/organiser/rounds/{id}/results#promotion"
            )))
        }
        // Picks may come from the whole ranking: it comes back whole, every tick kept.
        Err(AppError::Invalid(errors)) => {
            let typed = Typed::Promotion(&input, &errors);
            let q = ResultsQuery {
                all: Some("1".into()),
                ..ResultsQuery::default()
            };
            results_page(&page, id, &q, Some(typed)).await
        }
        Err(e) => Err(e),
    }
}

/// One judge's leniency as shown.
#[derive(Serialize)]
struct JudgeView {
    id: i32,
    name: String,
    sheets: usize,
    mean: i64,
    sd: i64,
    effect: i64,
    normalised: bool,
    /// Box plot positions on a 0–100 axis: lowest, quartiles, median, highest.
    five: [i64; 5],
}

/// `GET /organiser/rounds/{id}/results/judges`: each judge's totals against the cohort, most
/// lenient first.
pub async fn judges(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (r, c, (_, judge_names)) = db::run(&page.state.pool, move |conn| {
        let (r, c) = svc::for_round(conn, id)?;
        let ids: Vec<i32> = c.results.judges.iter().map(|j| j.judge).collect();
        let n = svc::names(conn, &[], &ids)?;
        Ok((r, c, n))
    })
    .await?;
    let mut judges: Vec<JudgeView> = c
        .results
        .judges
        .iter()
        .map(|j| JudgeView {
            id: j.judge,
            name: judge_names.get(&j.judge).cloned().unwrap_or_default(),
            sheets: j.sheets,
            mean: bp(Some(j.mean)).unwrap_or(0),
            sd: bp(Some(j.sd)).unwrap_or(0),
            effect: bp(Some(j.effect)).unwrap_or(0),
            normalised: j.normalised,
            five: j.five.map(|x| x.round() as i64),
        })
        .collect();
    judges.sort_by_key(|j| (-j.effect, j.id));
    let lang = page.lang;
    let mut ctx = tera::Context::new();
    ctx.insert("round", &r);
    ctx.insert("round_name", lang.pick(&r.name_id, &r.name_en));
    ctx.insert("judges", &judges);
    ctx.insert("cohort_mean", &bp(Some(c.results.cohort_mean)));
    ctx.insert("cohort_sd", &bp(Some(c.results.cohort_sd)));
    ctx.insert("cohort_x", &(c.results.cohort_mean.round() as i64));
    ctx.insert("min_sheets", &c.settings.min_sheets);
    page.render("organiser/results/judges.html", ctx)
}
