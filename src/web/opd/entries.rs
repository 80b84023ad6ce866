//! An OPD operator's entries: dashboard, draft form with autosave, evidence, submit, withdraw, re-enter.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::db;
use crate::domain::EntryStatus;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::models::edition;
use crate::models::entry::{self, Entry, EntryContent};
use crate::services::entries::{self as svc, EntryActor, Problem};
use crate::services::evidence;
use crate::web::Page;
use crate::web::page::see_other;
use crate::web::upload;

async fn actor(page: &Page) -> Result<EntryActor, AppError> {
    page.entry_actor()
}

/// `GET /opd`: the unit's entries in the current edition and what to do next.
pub async fn dashboard(page: Page) -> Result<HttpResponse, AppError> {
    let who = actor(&page).await?;
    let data = db::run(&page.state.pool, move |conn| {
        let now = db::now();
        let unit = match who.unit_id {
            Some(id) => crate::models::unit::find(conn, id)?,
            None => None,
        };
        let current = edition::current(conn, now)?;
        let (entries, closes_at, open) = match (&current, who.unit_id) {
            (Some(ed), Some(unit_id)) => {
                let closes = edition::closes_at_for(conn, ed, unit_id)?;
                (
                    entry::for_unit(conn, ed.id, unit_id)?,
                    Some(closes),
                    now >= ed.registration_opens_at && now <= closes,
                )
            }
            _ => (Vec::new(), None, false),
        };
        let earlier: Vec<Entry> = match who.unit_id {
            Some(u) => entry::all_for_unit(conn, u)?
                .into_iter()
                .filter(|e| current.as_ref().is_none_or(|c| c.id != e.edition_id))
                .collect(),
            None => Vec::new(),
        };
        let endorsers = endorser_names(conn, who.unit_id)?;
        Ok((
            unit,
            current,
            entries,
            closes_at,
            open,
            earlier,
            endorsers,
            who.is_endorser,
        ))
    })
    .await?;
    let (unit, current, entries, closes_at, open, earlier, endorsers, is_endorser) = data;
    let mut ctx = tera::Context::new();
    ctx.insert("unit", &unit);
    ctx.insert("edition", &current);
    ctx.insert("entries", &entries);
    ctx.insert("closes_at", &closes_at);
    ctx.insert("open", &open);
    ctx.insert("earlier", &earlier);
    ctx.insert("endorsers", &endorsers);
    ctx.insert("is_endorser", &is_endorser);
    page.render("opd/dashboard.html", ctx)
}

fn endorser_names(
    conn: &mut crate::db::DbConn,
    unit_id: Option<i32>,
) -> Result<Vec<String>, AppError> {
    match unit_id {
        Some(u) => Ok(crate::models::user::endorser_names(conn, u)?),
        None => Ok(Vec::new()),
    }
}

/// `POST /opd/entries/new`: starts a draft in the current edition.
pub async fn create(page: Page) -> Result<HttpResponse, AppError> {
    let who = actor(&page).await?;
    let result = db::run(&page.state.pool, move |conn| {
        let ed = edition::current(conn, db::now())?
            .ok_or_else(|| crate::error::invalid("edition", "entries.registration_closed"))?;
        svc::create_draft(conn, &who, ed.id, &EntryContent::default(), None)
    })
    .await;
    match result {
        Ok(id) => Ok(see_other(&format!("/opd/entries/{id}"))),
        Err(AppError::Invalid(errors)) => {
            let key = errors.values().next().cloned().unwrap_or_default();
            page.flash("error", page.t(&key));
            Ok(see_other("/opd"))
        }
        Err(e) => Err(e),
    }
}

/// `POST /opd/entries/{id}/reenter`: a new draft in the current edition, pre-filled from an earlier entry.
pub async fn reenter(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let who = actor(&page).await?;
    let old = id.into_inner();
    let result = db::run(&page.state.pool, move |conn| {
        let ed = edition::current(conn, db::now())?
            .ok_or_else(|| crate::error::invalid("edition", "entries.registration_closed"))?;
        svc::reenter(conn, &who, old, ed.id)
    })
    .await;
    match result {
        Ok(id) => {
            page.flash("success", page.t("entries.reentered"));
            Ok(see_other(&format!("/opd/entries/{id}")))
        }
        Err(AppError::Invalid(errors)) => {
            let key = errors.values().next().cloned().unwrap_or_default();
            page.flash("error", page.t(&key));
            Ok(see_other("/opd"))
        }
        Err(e) => Err(e),
    }
}

/// Everything the entry page shows.
async fn render_entry(
    page: &Page,
    id: i32,
    form: Option<(EntryContent, i32)>,
    status: actix_web::http::StatusCode,
    errors: crate::error::FieldErrors,
    problems_shown: Option<Vec<Problem>>,
) -> Result<HttpResponse, AppError> {
    let who = actor(page).await?;
    let lang = page.lang;
    let data = db::run(&page.state.pool, move |conn| {
        let e = svc::visible(conn, &who, id)?;
        let ed = edition::find(conn, e.edition_id)?.ok_or(AppError::NotFound)?;
        let problems = svc::problems(conn, &e, &ed)?;
        let closes_at = edition::closes_at_for(conn, &ed, e.unit_id)?;
        Ok((
            e.clone(),
            ed.clone(),
            problems,
            closes_at,
            edition::options(conn, ed.id)?,
            edition::categories(conn, ed.id)?,
            edition::evidence_kinds(conn, ed.id)?,
            entry::files(conn, e.id)?,
            entry::events(conn, e.id)?,
            entry::check_results(conn, e.id)?,
            edition::check_items(conn, ed.id)?,
            endorser_names(conn, Some(e.unit_id))?,
            who.is_endorser,
        ))
    })
    .await?;
    let (
        e,
        ed,
        problems,
        closes_at,
        options,
        categories,
        kinds,
        files,
        events,
        checks,
        items,
        endorsers,
        is_endorser,
    ) = data;
    let checks: Vec<(i32, String, bool, String)> = checks
        .into_iter()
        .map(|(ev, code, ok, reason)| {
            let name = items
                .iter()
                .find(|i| i.code == code)
                .map(|i| {
                    if lang == Lang::En {
                        i.label_en.clone()
                    } else {
                        i.label_id.clone()
                    }
                })
                .unwrap_or(code);
            (ev, name, ok, reason)
        })
        .collect();
    let status_enum = e.status()?;
    let (values, lock_version) = form.unwrap_or_else(|| (EntryContent::from(&e), e.lock_version));
    let mut ctx = tera::Context::new();
    ctx.insert("entry", &e);
    ctx.insert("edition", &ed);
    ctx.insert("values", &values);
    ctx.insert("lock_version", &lock_version);
    ctx.insert("editable", &status_enum.editable());
    ctx.insert("closes_at", &closes_at);
    ctx.insert("words", &svc::word_count(&values.narrative));
    let label = |o: &crate::models::edition::EditionOption| {
        if lang == Lang::En {
            o.label_en.clone()
        } else {
            o.label_id.clone()
        }
    };
    let lists: std::collections::HashMap<String, Vec<(String, String)>> =
        crate::domain::edition_defaults::LISTS
            .iter()
            .map(|(l, _)| {
                (
                    l.to_string(),
                    options
                        .iter()
                        .filter(|o| o.list == *l && o.active)
                        .map(|o| (o.code.clone(), label(o)))
                        .collect(),
                )
            })
            .collect();
    ctx.insert("lists", &lists);
    // Retired items are no longer offered; evidence already uploaded under one stays visible.
    let cats: Vec<(i32, String)> = categories
        .iter()
        .filter(|c| c.active)
        .map(|c| {
            (
                c.id,
                if lang == Lang::En {
                    c.name_en.clone()
                } else {
                    c.name_id.clone()
                },
            )
        })
        .collect();
    ctx.insert("categories", &cats);
    let kinds: Vec<serde_json::Value> = kinds
        .iter()
        .filter(|k| k.active || files.iter().any(|f| f.evidence_kind_id == k.id))
        .map(|k| {
            serde_json::json!({
                "id": k.id, "name": if lang == Lang::En { &k.name_en } else { &k.name_id }, "mandatory": k.mandatory,
                "accepts": k.accepts, "file": files.iter().find(|f| f.evidence_kind_id == k.id),
            })
        })
        .collect();
    ctx.insert("kinds", &kinds);
    let mut req: std::collections::HashMap<&str, bool> = crate::domain::edition_defaults::FIELDS
        .iter()
        .map(|f| (*f, ed.requires(f)))
        .collect();
    req.insert(
        "implementation_date",
        values.stage == crate::domain::edition_defaults::STAGE_IMPLEMENTATION,
    );
    ctx.insert("req", &req);
    let shown = problems_shown.unwrap_or(problems);
    let problem_texts: Vec<serde_json::Value> = shown
        .iter()
        .map(|p| {
            let mut args: Vec<(&str, String)> = p.args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            if let Some(name) = p.args.iter().find(|(k, _)| k == if lang == Lang::En { "name_en" } else { "name_id" }) {
                args.push(("name", name.1.clone()));
            }
            let field_label = crate::i18n::t(lang, &format!("field.{}", p.field.split(':').next().unwrap_or_default()), &[]);
            serde_json::json!({"field": p.field, "label": field_label, "text": crate::i18n::t(lang, &p.key, &args)})
        })
        .collect();
    ctx.insert("problems", &problem_texts);
    ctx.insert("events", &events);
    ctx.insert("checks", &checks);
    ctx.insert("endorsers", &endorsers);
    ctx.insert("is_endorser", &is_endorser);
    ctx.insert("error_count", &errors.len());
    ctx.insert("errors", &errors);
    page.render_status(status, "opd/entry.html", ctx)
}

/// `GET /opd/entries/{id}`.
pub async fn show(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    render_entry(
        &page,
        id.into_inner(),
        None,
        actix_web::http::StatusCode::OK,
        Default::default(),
        None,
    )
    .await
}

/// The entry form as posted: content plus the version it was loaded at.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EntryForm {
    #[serde(flatten)]
    content: RawContent,
    lock_version: i32,
}

/// Form fields as text (dates and category may be blank).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RawContent {
    category_id: String,
    name: String,
    stage: String,
    initiator: String,
    inno_type: String,
    inno_form: String,
    theme: String,
    urusan: String,
    trial_date: String,
    implementation_date: String,
    narrative: String,
    purpose: String,
    benefits: String,
    results: String,
    video_url: String,
    contact_name: String,
    contact_phone: String,
}

impl RawContent {
    fn parse(self) -> Result<EntryContent, crate::error::FieldErrors> {
        let mut errors = crate::error::FieldErrors::new();
        let mut date = |field: &str, v: &str| {
            let v = v.trim();
            if v.is_empty() {
                return None;
            }
            match chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.insert(field.into(), "form.date_invalid".into());
                    None
                }
            }
        };
        let trial_date = date("trial_date", &self.trial_date);
        let implementation_date = date("implementation_date", &self.implementation_date);
        let content = EntryContent {
            category_id: self.category_id.trim().parse().ok(),
            name: self.name.trim().to_string(),
            stage: self.stage,
            initiator: self.initiator,
            inno_type: self.inno_type,
            inno_form: self.inno_form,
            theme: self.theme,
            urusan: self.urusan,
            trial_date,
            implementation_date,
            narrative: self.narrative,
            purpose: self.purpose,
            benefits: self.benefits,
            results: self.results,
            video_url: self.video_url.trim().to_string(),
            contact_name: self.contact_name.trim().to_string(),
            contact_phone: self.contact_phone.trim().to_string(),
        };
        if errors.is_empty() {
            Ok(content)
        } else {
            Err(errors)
        }
    }
}

/// `POST /opd/entries/{id}`: saves the draft; a conflict or an error re-shows the form with what was typed.
pub async fn save(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<EntryForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let form = form.into_inner();
    let raw = form.content.clone();
    let content = match form.content.parse() {
        Ok(c) => c,
        Err(errors) => {
            let typed = lossy(raw);
            return render_entry(
                &page,
                id,
                Some((typed, form.lock_version)),
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                None,
            )
            .await;
        }
    };
    let who = actor(&page).await?;
    let (c, v) = (content.clone(), form.lock_version);
    match db::run(&page.state.pool, move |conn| {
        svc::save(conn, &who, id, v, &c)
    })
    .await
    {
        Ok(_) => {
            page.flash("success", page.t("entries.saved"));
            Ok(see_other(&format!("/opd/entries/{id}")))
        }
        Err(AppError::Conflict) => {
            let mut errors = crate::error::FieldErrors::new();
            errors.insert("form".into(), "entries.conflict".into());
            render_entry(
                &page,
                id,
                Some((content, form.lock_version)),
                actix_web::http::StatusCode::CONFLICT,
                errors,
                None,
            )
            .await
        }
        Err(AppError::Invalid(errors)) => {
            render_entry(
                &page,
                id,
                Some((content, form.lock_version)),
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// What the user typed, kept even where it did not parse (a bad date is dropped only from the stored copy).
fn lossy(raw: RawContent) -> EntryContent {
    EntryContent {
        category_id: raw.category_id.trim().parse().ok(),
        name: raw.name,
        stage: raw.stage,
        initiator: raw.initiator,
        inno_type: raw.inno_type,
        inno_form: raw.inno_form,
        theme: raw.theme,
        urusan: raw.urusan,
        trial_date: chrono::NaiveDate::parse_from_str(raw.trial_date.trim(), "%Y-%m-%d").ok(),
        implementation_date: chrono::NaiveDate::parse_from_str(
            raw.implementation_date.trim(),
            "%Y-%m-%d",
        )
        .ok(),
        narrative: raw.narrative,
        purpose: raw.purpose,
        benefits: raw.benefits,
        results: raw.results,
        video_url: raw.video_url,
        contact_name: raw.contact_name,
        contact_phone: raw.contact_phone,
    }
}

/// `POST /opd/entries/{id}/autosave`: the page's script saves as the operator types; JSON answer.
pub async fn autosave(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<EntryForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let form = form.into_inner();
    let content = match form.content.parse() {
        Ok(c) => c,
        Err(_) => {
            return Ok(HttpResponse::UnprocessableEntity()
                .json(serde_json::json!({"error": page.t("form.date_invalid")})));
        }
    };
    let who = actor(&page).await?;
    let v = form.lock_version;
    match db::run(&page.state.pool, move |conn| svc::save(conn, &who, id, v, &content)).await {
        Ok(saved) => Ok(HttpResponse::Ok().json(serde_json::json!({
            "lock_version": saved.lock_version,
            "message": page.t_args("entries.autosaved", &[("time", crate::time::format_jakarta(saved.saved_at))]),
        }))),
        Err(AppError::Conflict) => Ok(HttpResponse::Conflict().json(serde_json::json!({"error": page.t("entries.conflict")}))),
        Err(AppError::Invalid(errors)) => {
            // Say what is wrong with which field, as the full save does.
            let fields: std::collections::BTreeMap<&String, String> =
                errors.iter().map(|(f, k)| (f, page.t(k))).collect();
            let mut said: Vec<&String> = fields.values().collect();
            said.dedup();
            let text = said.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ");
            Ok(HttpResponse::UnprocessableEntity()
                .json(serde_json::json!({"error": text, "fields": fields})))
        }
        Err(e) => Err(e),
    }
}

/// `POST /opd/entries/{id}/submit`: the endorser submits (or resubmits after a return).
pub async fn submit(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let who = actor(&page).await?;
    let state = page.state.clone();
    let result = db::run(&page.state.pool, move |conn| {
        let e = svc::visible(conn, &who, id)?;
        let to = if e.status == EntryStatus::Returned.code() {
            EntryStatus::Resubmitted
        } else {
            EntryStatus::Submitted
        };
        svc::transition(conn, &state, &who, id, to, "", &[])
    })
    .await;
    match result {
        Ok(_) => {
            page.flash("success", page.t("entries.submitted_flash"));
            Ok(see_other(&format!("/opd/entries/{id}")))
        }
        Err(AppError::Incomplete(list)) => {
            let problems = list
                .into_iter()
                .map(|(field, key, args)| Problem { field, key, args })
                .collect();
            let mut errors = crate::error::FieldErrors::new();
            errors.insert("submit".into(), "entries.incomplete".into());
            render_entry(
                &page,
                id,
                None,
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                Some(problems),
            )
            .await
        }
        Err(AppError::Invalid(errors)) => {
            let key = errors.values().next().cloned().unwrap_or_default();
            page.flash("error", page.t(&key));
            Ok(see_other(&format!("/opd/entries/{id}")))
        }
        Err(AppError::Conflict) => {
            page.flash("info", page.t("entries.already_done"));
            Ok(see_other(&format!("/opd/entries/{id}")))
        }
        Err(AppError::Forbidden) => {
            page.flash("error", page.t("entries.not_endorser"));
            Ok(see_other(&format!("/opd/entries/{id}")))
        }
        Err(e) => Err(e),
    }
}

async fn simple_move(
    page: Page,
    id: i32,
    to: EntryStatus,
    done_key: &str,
) -> Result<HttpResponse, AppError> {
    let who = actor(&page).await?;
    let state = page.state.clone();
    match db::run(&page.state.pool, move |conn| {
        svc::transition(conn, &state, &who, id, to, "", &[])
    })
    .await
    {
        Ok(_) => page.flash("success", page.t(done_key)),
        Err(AppError::Invalid(errors)) => page.flash(
            "error",
            page.t(errors
                .values()
                .next()
                .map(String::as_str)
                .unwrap_or_default()),
        ),
        Err(AppError::Conflict) => page.flash("info", page.t("entries.already_done")),
        Err(AppError::Forbidden) => page.flash("error", page.t("entries.not_allowed")),
        Err(e) => return Err(e),
    }
    Ok(see_other(&format!("/opd/entries/{id}")))
}

/// `POST /opd/entries/{id}/withdraw`.
pub async fn withdraw(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    simple_move(
        page,
        id.into_inner(),
        EntryStatus::Withdrawn,
        "entries.withdrawn_flash",
    )
    .await
}

/// `POST /opd/entries/{id}/reopen`: a withdrawn entry becomes a draft again (before the deadline).
pub async fn reopen(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    simple_move(
        page,
        id.into_inner(),
        EntryStatus::Draft,
        "entries.reopened_flash",
    )
    .await
}

/// `POST /opd/entries/{id}/files`: uploads one evidence document.
pub async fn upload_file(
    page: Page,
    id: web::Path<i32>,
    form: Multipart,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let who = actor(&page).await?;
    // The edition's own limit is checked after reading; this bound only stops endless uploads.
    let read = upload::read_form(form, "file", 60 * 1024 * 1024).await;
    let state = page.state.clone();
    let w = who.clone();
    let outcome = match read {
        Ok((fields, file)) => {
            let kind: i32 = fields.get("kind").and_then(|k| k.parse().ok()).unwrap_or(0);
            db::run(&page.state.pool, move |conn| {
                evidence::upload(conn, &state, &w, id, kind, &file.filename, &file.bytes)
            })
            .await
            .map(|_| ())
        }
        Err("upload.too_large") => Err(crate::error::invalid("file", "evidence.too_large")),
        Err(key) => Err(crate::error::invalid("file", key)),
    };
    match outcome {
        Ok(()) => page.flash("success", page.t("evidence.uploaded")),
        Err(AppError::Invalid(errors)) => {
            let key = errors.values().next().cloned().unwrap_or_default();
            // The message names the edition's real limit.
            let mb = db::run(&page.state.pool, move |conn| {
                evidence::limit_mb(conn, &who, id)
            })
            .await?;
            page.flash("error", page.t_args(&key, &[("mb", mb.to_string())]));
        }
        Err(e) => return Err(e),
    }
    Ok(see_other(&format!("/opd/entries/{id}#evidence")))
}

/// `POST /opd/entries/{id}/files/{file}/delete`.
pub async fn delete_file(
    page: Page,
    path: web::Path<(i32, i32)>,
) -> Result<HttpResponse, AppError> {
    let (id, file) = path.into_inner();
    let who = actor(&page).await?;
    let state = page.state.clone();
    db::run(&page.state.pool, move |conn| {
        evidence::delete(conn, &state, &who, id, file)
    })
    .await?;
    page.flash("success", page.t("evidence.deleted"));
    Ok(see_other(&format!("/opd/entries/{id}#evidence")))
}

/// `GET /entries/{id}/files/{file}`: the file, to whoever may see the entry.
pub async fn download(page: Page, path: web::Path<(i32, i32)>) -> Result<HttpResponse, AppError> {
    let (id, file) = path.into_inner();
    let who = actor(&page).await?;
    let state = page.state.clone();
    let (f, disk) = db::run(&page.state.pool, move |conn| {
        evidence::open(conn, &state, &who, id, file)
    })
    .await?;
    let bytes = tokio::fs::read(&disk)
        .await
        .map_err(|e| AppError::internal("reading an upload", e))?;
    let ascii: String = f
        .original_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(HttpResponse::Ok()
        .content_type(f.content_type.as_str())
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{ascii}\""),
        ))
        .insert_header(("Cache-Control", "private, no-store"))
        .body(bytes))
}
