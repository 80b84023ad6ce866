//! The organisers' view of entries: the list with search, filters and export, and the administrative check.

use actix_web::{HttpResponse, web};

use crate::db;
use crate::domain::{EntryStatus, UnitType};
use crate::error::AppError;
use crate::models::edition;
use crate::models::entry::{self, EntryFilter};
use crate::services::entries as svc;
use crate::services::screening;
use crate::web::Page;
use crate::web::organiser::{PER_PAGE, Pager};
use crate::web::page::see_other;

/// The list's query: `edition` picks the edition (the current one otherwise), the rest filters.
/// (Not a `#[serde(flatten)]` of the filter: flattened numbers do not parse from a query string.)
pub type ListQuery = EntryFilter;

async fn pick_edition(
    page: &Page,
    wanted: Option<i32>,
) -> Result<Option<edition::Edition>, AppError> {
    db::run(&page.state.pool, move |conn| {
        Ok(match wanted {
            Some(id) => edition::find(conn, id)?,
            None => edition::current(conn, db::now())?,
        })
    })
    .await
}

/// `GET /organiser/entries`.
pub async fn list(page: Page, q: web::Query<ListQuery>) -> Result<HttpResponse, AppError> {
    let q = q.into_inner();
    let f = q.clone();
    // One trip to the blocking pool for everything the page reads.
    let found = db::run(&page.state.pool, move |conn| {
        let editions = edition::all(conn)?;
        let ed = match f.edition {
            Some(id) => editions.iter().find(|e| e.id == id).cloned(),
            None => edition::current(conn, db::now())?,
        };
        let Some(ed) = ed else {
            return Ok(None);
        };
        let (rows, total) = entry::list(conn, ed.id, &f, PER_PAGE)?;
        let categories = edition::categories(conn, ed.id)?;
        Ok(Some((ed, rows, total, categories, editions)))
    })
    .await?;
    let Some((ed, rows, total, categories, editions)) = found else {
        page.flash("info", page.t("editions.none_yet"));
        return Ok(see_other("/organiser/editions"));
    };
    let lang = page.lang;
    // Rows as the table shows them, labels and dates made here rather than per cell in the template.
    let rows: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|r| {
            serde_json::json!({
                "id": r.id,
                "name": r.name,
                "unit": r.unit,
                "status_label": crate::i18n::t(lang, &format!("status.{}", r.status), &[]),
                "status": r.status,
                "submitted": r.submitted_at.map(|t| crate::time::format_time(t, lang)).unwrap_or_default(),
            })
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("edition", &ed);
    ctx.insert("editions", &editions);
    ctx.insert("rows", &rows);
    ctx.insert("filter", &q);
    ctx.insert(
        "statuses",
        &EntryStatus::ALL
            .iter()
            .filter(|s| **s != EntryStatus::Draft)
            .map(|s| s.code())
            .collect::<Vec<_>>(),
    );
    ctx.insert(
        "unit_types",
        &UnitType::ALL.iter().map(|t| t.code()).collect::<Vec<_>>(),
    );
    let cats: Vec<(i32, String)> = categories
        .iter()
        .map(|c| (c.id, lang.pick(&c.name_id, &c.name_en).to_string()))
        .collect();
    ctx.insert("categories", &cats);
    ctx.insert("pager", &Pager::new(q.page, total, &q));
    ctx.insert(
        "query",
        &serde_urlencoded::to_string(&q).unwrap_or_default(),
    );
    page.render("organiser/entries/list.html", ctx)
}

/// The export's header and rows: every field of every entry the filter selects.
async fn export_table(
    page: &Page,
    q: ListQuery,
) -> Result<(edition::Edition, Vec<Vec<String>>), AppError> {
    let ed = pick_edition(page, q.edition)
        .await?
        .ok_or(AppError::NotFound)?;
    let (edition_id, mut f) = (ed.id, q.clone());
    f.page = None;
    let (rows, options, categories) = db::run(&page.state.pool, move |conn| {
        Ok((
            entry::export(conn, edition_id, &f)?,
            edition::options(conn, edition_id)?,
            edition::categories(conn, edition_id)?,
        ))
    })
    .await?;
    let lang = page.lang;
    let label = |list: &str, code: &str| {
        options
            .iter()
            .find(|o| o.list == list && o.code == code)
            .map(|o| lang.pick(&o.label_id, &o.label_en).to_string())
            .unwrap_or_else(|| code.to_string())
    };
    let fields = [
        "name",
        "category_id",
        "stage",
        "initiator",
        "inno_type",
        "inno_form",
        "theme",
        "urusan",
        "trial_date",
        "implementation_date",
        "narrative",
        "purpose",
        "benefits",
        "results",
        "video_url",
        "contact_name",
        "contact_phone",
    ];
    let mut header = vec![
        "ID".to_string(),
        page.t("list.status"),
        page.t("form.unit"),
        page.t("form.unit_type"),
    ];
    header.extend(fields.iter().map(|f| page.t(&format!("field.{f}"))));
    header.push(page.t("entries.submitted_at"));
    header.push(page.t("entries.sort_updated"));
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let mut table = vec![header];
    for (e, unit, unit_type) in rows {
        let category = e
            .category_id
            .and_then(|c| categories.iter().find(|k| k.id == c))
            .map(|k| lang.pick(&k.name_id, &k.name_en).to_string())
            .unwrap_or_default();
        table.push(vec![
            e.id.to_string(),
            page.t(&format!("status.{}", e.status)),
            unit,
            page.t(&format!("unit_type.{unit_type}")),
            e.name.clone(),
            category,
            label("stage", &e.stage),
            label("initiator", &e.initiator),
            label("inno_type", &e.inno_type),
            label("inno_form", &e.inno_form),
            label("theme", &e.theme),
            label("urusan", &e.urusan),
            date(e.trial_date),
            date(e.implementation_date),
            e.narrative.clone(),
            e.purpose.clone(),
            e.benefits.clone(),
            e.results.clone(),
            e.video_url.clone(),
            e.contact_name.clone(),
            e.contact_phone.clone(),
            e.submitted_at
                .map(crate::time::format_sortable)
                .unwrap_or_default(),
            crate::time::format_sortable(e.updated_at),
        ]);
    }
    Ok((ed, table))
}

/// `GET /organiser/entries/export.csv`: every entry of the list's filter, every field.
pub async fn export_csv(page: Page, q: web::Query<ListQuery>) -> Result<HttpResponse, AppError> {
    let (ed, table) = export_table(&page, q.into_inner()).await?;
    crate::web::export::csv_response(&table, &format!("biw-entries-{}.csv", ed.year))
}

/// `GET /organiser/entries/export.xlsx`: the same table as a spreadsheet.
pub async fn export_xlsx(page: Page, q: web::Query<ListQuery>) -> Result<HttpResponse, AppError> {
    let (ed, table) = export_table(&page, q.into_inner()).await?;
    let sheet = crate::web::export::sheet_name(&ed.name, "Inovasi");
    crate::web::export::xlsx_response(table, sheet, &format!("biw-entries-{}.xlsx", ed.year)).await
}

/// `GET /organiser/entries/{id}`: the entry, its history and, when it waits, the checklist.
pub async fn show(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    render(&page, id.into_inner(), None).await
}

async fn render(
    page: &Page,
    id: i32,
    refused: Option<(crate::error::FieldErrors, serde_json::Value)>,
) -> Result<HttpResponse, AppError> {
    let who = page.entry_actor()?;
    let lang = page.lang;
    let (e, ed, unit, items, files, events, checks, kinds, options) =
        db::run(&page.state.pool, move |conn| {
            let e = svc::visible(conn, &who, id)?;
            let ed = edition::find(conn, e.edition_id)?.ok_or(AppError::NotFound)?;
            let unit = crate::models::unit::find(conn, e.unit_id)?;
            Ok((
                e.clone(),
                ed.clone(),
                unit,
                edition::check_items(conn, ed.id)?,
                entry::files(conn, e.id)?,
                entry::events(conn, e.id)?,
                entry::check_results(conn, e.id)?,
                edition::evidence_kinds(conn, ed.id)?,
                edition::options(conn, ed.id)?,
            ))
        })
        .await?;
    // Option codes as the organiser reads them, in the page's language.
    let label = |list: &str, code: &str| {
        options
            .iter()
            .find(|o| o.list == list && o.code == code)
            .map(|o| lang.pick(&o.label_id, &o.label_en).to_string())
            .unwrap_or_else(|| code.to_string())
    };
    let labels = serde_json::json!({
        "stage": label("stage", &e.stage), "initiator": label("initiator", &e.initiator), "inno_type": label("inno_type", &e.inno_type),
        "inno_form": label("inno_form", &e.inno_form), "theme": label("theme", &e.theme), "urusan": label("urusan", &e.urusan),
    });
    let mut ctx = tera::Context::new();
    ctx.insert("entry", &e);
    ctx.insert("edition", &ed);
    ctx.insert("unit", &unit);
    ctx.insert("words", &svc::word_count(&e.narrative));
    let items: Vec<(String, String, bool)> = items
        .iter()
        .map(|i| {
            (
                i.code.clone(),
                lang.pick(&i.label_id, &i.label_en).to_string(),
                i.active,
            )
        })
        .collect();
    let item_names: std::collections::HashMap<String, String> = items
        .iter()
        .map(|(code, label, _)| (code.clone(), label.clone()))
        .collect();
    // The screening form asks only about items still in use; older results keep their names.
    let items: Vec<(String, String)> = items
        .into_iter()
        .filter(|(_, _, active)| *active)
        .map(|(code, label, _)| (code, label))
        .collect();
    let checks: Vec<(i32, String, bool, String)> = checks
        .into_iter()
        .map(|(ev, code, ok, reason)| {
            (
                ev,
                item_names.get(&code).cloned().unwrap_or(code),
                ok,
                reason,
            )
        })
        .collect();
    ctx.insert("items", &items);
    ctx.insert("labels", &labels);
    let files: Vec<serde_json::Value> = files
        .iter()
        .map(|f| {
            let kind = kinds
                .iter()
                .find(|k| k.id == f.evidence_kind_id)
                .map(|k| lang.pick(&k.name_id, &k.name_en).to_string());
            serde_json::json!({"f": f, "kind": kind})
        })
        .collect();
    ctx.insert("files", &files);
    ctx.insert("events", &events);
    ctx.insert("checks", &checks);
    ctx.insert("awaiting", &e.status()?.awaiting_check());
    match refused {
        Some((errors, typed)) => {
            page.form_errors("organiser/entries/show.html", ctx, &typed, &errors)
        }
        None => {
            ctx.insert("values", &serde_json::json!({}));
            page.render("organiser/entries/show.html", ctx)
        }
    }
}

/// `POST /organiser/entries/{id}/check`: pass, return for revision, or reject, with a verdict and
/// reason per checklist item. A refused form comes back with every choice and reason as typed.
pub async fn check(
    page: Page,
    id: web::Path<i32>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&body).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    // Each checklist item arrives as `item_<code>` = pass|fail and `reason_<code>`.
    let codes: Vec<String> = pairs
        .iter()
        .filter_map(|(k, _)| {
            k.strip_prefix("item_")
                .or_else(|| k.strip_prefix("reason_"))
                .map(String::from)
        })
        .collect();
    let mut verdicts: Vec<(String, String, String)> = Vec::new();
    for code in codes {
        if !verdicts.iter().any(|v| v.0 == code) {
            let v = (
                code.clone(),
                get(&format!("item_{code}")),
                get(&format!("reason_{code}")),
            );
            verdicts.push(v);
        }
    }
    let input = screening::CheckInput {
        decision: get("decision"),
        note: get("note"),
        verdicts,
    };
    let decision = input.decision.clone();
    let who = page.entry_actor()?;
    let state = page.state.clone();
    let result = db::run(&page.state.pool, move |conn| {
        screening::check(conn, &state, &who, id, &input)
    })
    .await;
    match result {
        Ok(_) => {
            page.flash("success", page.t(&format!("check.done_{decision}")));
            Ok(see_other(&format!("/organiser/entries/{id}")))
        }
        Err(AppError::Invalid(errors)) => {
            let typed: serde_json::Map<String, serde_json::Value> = pairs
                .into_iter()
                .filter(|(k, _)| k != "csrf")
                .map(|(k, v)| (k, serde_json::Value::String(v)))
                .collect();
            render(&page, id, Some((errors, serde_json::Value::Object(typed)))).await
        }
        Err(AppError::Conflict) | Err(AppError::Forbidden) => {
            page.flash("info", page.t("entries.already_done"));
            Ok(see_other(&format!("/organiser/entries/{id}")))
        }
        Err(e) => Err(e),
    }
}
